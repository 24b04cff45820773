/*
 * Shared by lifecycle*.c, inbound.c and recover.c: the steps every
 * status change goes through.
 */
#ifndef CARRIERLAB_GATEWAY_LIFECYCLE_INTERNAL_H
#define CARRIERLAB_GATEWAY_LIFECYCLE_INTERNAL_H

#include "gateway/gateway-internal.h"

/* Default validity period, seconds (Twilio's 10 hours). */
#define GW_VALIDITY_DEFAULT	36000
/* What a part costs when sent, in USD (a price of Twilio's order). */
#define GW_PRICE_PER_SEGMENT	0.0079

/*
 * Moves m to status (error_code 0: none), writes the row and the event,
 * counts it, queues the status callback (every change after the first)
 * and, when status is terminal, retires m (m is freed: do not touch it
 * after a terminal transition). raw_dlr: "YYMMDDhhmm" or NULL.
 */
void	gw_transition(struct gateway *, struct gw_message *m,
	    enum gw_status status, int error_code, const char *detail,
	    const char *raw_dlr);
/* Adds m to the active set. */
void	gw_active_add(struct gateway *, struct gw_message *m);
/* Takes m out of the active set and of its route, stops its timer and
 * frees it. */
void	gw_retire(struct gateway *, struct gw_message *m);

/*
 * Chooses the sender (From) and route for m: m->from when set (must be
 * the account's, capable, and reachable), else the first suitable sender
 * of the service's pool. Fills m->from and m->route; 0, or -1 with e.
 */
int	gw_select(struct gateway *, struct gw_message *m, struct gw_error *e);

/* Hands m to its route (selecting the sender first when from is unset)
 * and arms the validity timer; fails m when no sender can be chosen. */
void	gw_dispatch(struct gateway *, struct gw_message *m);
/* Arms m's one timer for the instant at (clock usec). */
void	gw_timer_arm(struct gateway *, struct gw_message *m, int64_t at);

#endif
