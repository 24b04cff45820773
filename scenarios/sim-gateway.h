/*
 * The gateway behind a /sim/ listener: its API as the fallback of every
 * path outside /sim/ and /metrics, its metrics, /sim/messages,
 * /sim/services/{MG}/opt-out and the link routes. `carrierlab serve` and
 * the engine of `carrierlab run` share it.
 *
 * gwp points at the caller's gateway pointer, read at each request: a
 * restart that replaces the gateway needs nothing more.
 */
#ifndef CARRIERLAB_SCENARIOS_SIM_GATEWAY_H
#define CARRIERLAB_SCENARIOS_SIM_GATEWAY_H

#include <stddef.h>

struct gateway;
struct sim_http;

/* max_body: the API's limit (gateway.max_body). */
void	sim_gateway_attach(struct sim_http *, struct gateway **gwp,
	    size_t max_body);

#endif
