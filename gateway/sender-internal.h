/*
 * What sender.c and sender-tables.c share: the rows of the tables that
 * gateway/csv2c.awk generates from data/countries.csv and
 * data/nanp-overlays.csv at build time (the generated sender-data.c in
 * the build directory defines them).
 */
#ifndef CARRIERLAB_GATEWAY_SENDER_INTERNAL_H
#define CARRIERLAB_GATEWAY_SENDER_INTERNAL_H

#include <stddef.h>

struct gw_country_row {
	char		 iso[3];
	int		 alpha;
	int		 alpha_preregistration;
};

/* One overlay group: area codes separated by spaces ("212 646 332 917"). */
struct gw_overlay_row {
	char		 country[3];		/* "US" or "CA" */
	const char	*area_codes;
};

extern const struct gw_country_row gw_country_table[];
extern const size_t gw_country_table_len;
extern const struct gw_overlay_row gw_overlay_table[];
extern const size_t gw_overlay_table_len;

/*
 * The ISO code of the destination's country: gw_country_of()'s, except
 * that a +1 number whose area code the overlay table lists as Canada's is
 * "CA". "" when unknown.
 */
const char	*gw_sender_country_of(const char *e164);

#endif
