/*
 * Shared by lifecycle*.c, inbound.c and recover.c: the steps every
 * status change goes through.
 */
#ifndef CARRIERLAB_GATEWAY_LIFECYCLE_INTERNAL_H
#define CARRIERLAB_GATEWAY_LIFECYCLE_INTERNAL_H

#include "gateway/gateway-internal.h"

/* Default validity period, seconds (Twilio's 10 hours). */
#define GW_VALIDITY_DEFAULT	36000
/* What a part costs when sent, in 1e-5 USD (0.0079, a price of
 * Twilio's order). */
#define GW_PRICE_PER_SEGMENT	790

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

/* What gw_transition() does but retire: a status reported (row, event,
 * count, callback) that is not the message's last, as the undelivered
 * short code before a fallback to a long code. */
void	gw_report(struct gateway *, struct gw_message *m,
	    enum gw_status status, int error_code, const char *detail,
	    const char *raw_dlr);

/*
 * lifecycle-select.c. Chooses the sender (From) and route for m: m->from
 * when set (must be the account's, capable, and reachable), else the
 * service's pipeline (gateway/sender.h). Fills m->from and m->route; 0,
 * or -1 with e. apply 1: the choice is final (the message goes now):
 * its trace is kept with m and logged, the sticky mapping and the
 * pre-registration alert are written; 0: only whether one exists.
 */
int	gw_select(struct gateway *, struct gw_message *m, int apply,
	    struct gw_error *e);
/* The scaler's busy count of m's pool sender: taken once when m is
 * queued to a carrier, released once when it is sent or ends. */
void	gw_busy_take(struct gateway *, struct gw_message *m);
void	gw_busy_release(struct gateway *, struct gw_message *m);
/*
 * m, sent from a short code of a service with fallback_to_long_code, came
 * back undelivered with code: when code is eligible (gateway_config.
 * fallback_codes, else the default list) and the pool has a long code
 * for To, reports the undelivered attempt and sends m again from the
 * long code; returns 1 (m lives on). 0: nothing done.
 */
int	gw_fallback(struct gateway *, struct gw_message *m, int code,
	    const char *raw_dlr);

/*
 * lifecycle-content.c: the body as it will go (shortened links, the MMS
 * converter's links, Smart Encoding of the service s or of the request)
 * and its encoding and segments. 0, or -1 with e (the create is refused).
 */
int	gw_content_prepare(struct gateway *, struct gw_message *m,
	    const struct gw_create_request *req, const struct gw_service *s,
	    struct gw_error *e);

/* Hands m to its route (selecting the sender first when from is unset)
 * and arms the validity timer; fails m when no sender can be chosen. */
void	gw_dispatch(struct gateway *, struct gw_message *m);
/* Arms m's one timer for the instant at (clock usec). */
void	gw_timer_arm(struct gateway *, struct gw_message *m, int64_t at);

#endif
