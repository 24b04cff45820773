/*
 * Shared by the /sim/ modules only: sim-http.c (routes) and sim-mo.c (the
 * MO injection body, checked field by field).
 */
#ifndef CARRIERLAB_SCENARIOS_SIM_INTERNAL_H
#define CARRIERLAB_SCENARIOS_SIM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct carrier_mo;

/*
 * Fills mo from the fields of o (strings only when form is set); mo's body
 * points into o. Returns 0, or -1 with the field and the reason in err
 * ("count must be 1 to 100000"); unknown fields are refused.
 */
int	sim_mo_from_json(json_t *o, int form, struct carrier_mo *mo,
	    char *err, size_t errlen);

/* A decimal integer, digits only, 0..max: 0, or -1. */
int	sim_parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
