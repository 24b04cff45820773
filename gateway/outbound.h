/*
 * Outbound SMPP: per route (carrier) a pool of ESME sessions of the
 * session layer (smpp/session.h), the queue of messages waiting for a
 * window slot, and the receipt correlation.
 *
 * Sessions: bind with the route's system_id/password (trx; or a tx and
 * an rx session per pool slot when bind is GATEWAY_BIND_TX |
 * GATEWAY_BIND_RX), window per session, enquire_link, reconnect with
 * exponential backoff (reconnect_min doubling to reconnect_max) and full
 * jitter drawn from the gateway's rng; TLS through bufferevent_openssl
 * when route->tls. Every timer runs on gw->clock.
 *
 * Sending: a message's parts are built from its body the first time it
 * is dispatched (m->nparts == 0): data_coding 0x00 (GSM 03.38, unpacked
 * septets) or 0x08 (UCS-2) as m->data_coding says, split with an 8-bit
 * concatenation UDH when it does not fit one message, registered_delivery
 * 1, source address TON/NPI by sender kind (alphanumeric 5/0, short code
 * 3/0, E.164 1/1), destination 1/1 without '+'. Parts go out in order,
 * on any bound session with window room, at most route->throughput
 * submits per second over the pool. submit_sm_resp:
 *   - 0: gw_lifecycle_part_accepted() with the message_id;
 *   - a status whose error rule says retry (ESME_RTHROTTLED,
 *     ESME_RMSGQFUL by default): the part goes back to the head of the
 *     queue and the route pauses sending for retry_pause;
 *   - any other status: gw_lifecycle_part_rejected();
 *   - timeout or session closed before the response: resubmitted, up to
 *     submit_retries times, then gw_lifecycle_part_failed(30410).
 * While no session is bound messages wait in the queue; the lifecycle's
 * validity timer removes the ones that expire (gw_outbound_remove()).
 *
 * Receipts (deliver_sm or data_sm with a receipt esm_class): the id from
 * receipted_message_id, else from the text's "id:" field, is looked up
 * among the route's accepted parts, tolerating a different format than
 * the submit_sm_resp gave (decimal vs hex, case, leading zeros; see
 * smpp_receipt_id_match()); stat from message_state or the text,
 * err and done date from the text, network_error_code from its TLV; then
 * gw_lifecycle_receipt(). Unmatched receipts are counted, logged and
 * still answered ESME_ROK. Other deliver_sm are MO: concatenated parts
 * (UDH or sar_* TLVs) are joined, the text decoded to UTF-8, and
 * gw_lifecycle_inbound() called.
 */
#ifndef CARRIERLAB_GATEWAY_OUTBOUND_H
#define CARRIERLAB_GATEWAY_OUTBOUND_H

#include <stddef.h>

struct evbuffer;
struct gateway;
struct gw_message;
struct gw_outbound;

/* Starts connecting gw->cfg.routes[route]. Never NULL. */
struct gw_outbound *gw_outbound_new(struct gateway *, size_t route);
/* Closes every session at once (no unbind) and frees. */
void		 gw_outbound_free(struct gw_outbound *);
/* Unbinds every session; done(arg) from the loop once all are closed
 * (or after the unbind timeout). No reconnect after this. */
void		 gw_outbound_shutdown(struct gw_outbound *,
		    void (*done)(void *), void *arg);

/* Queues m (in gw->active) for sending: its PENDING parts, in order. */
void		 gw_outbound_enqueue(struct gw_outbound *, struct gw_message *);
/* Recovery: m has ACCEPTED parts awaiting receipts; index their ids. */
void		 gw_outbound_track(struct gw_outbound *, struct gw_message *);
/* m leaves (terminal, canceled, expired, deleted): drop it from the
 * queue and from the id index; in-flight submits for it are forgotten
 * (their responses are ignored). */
void		 gw_outbound_remove(struct gw_outbound *, struct gw_message *);

const char	*gw_outbound_name(const struct gw_outbound *);
/* Messages waiting for a window slot. */
size_t		 gw_outbound_queue_depth(const struct gw_outbound *);
/* Sessions bound now. */
unsigned	 gw_outbound_bound(const struct gw_outbound *);
/* Submits in flight (for quiescence in virtual time). */
unsigned	 gw_outbound_in_flight(const struct gw_outbound *);

/*
 * Prometheus lines for this route: PDUs by command and status, session
 * states, queue depth, submit→response and submit→receipt latency
 * histograms, labelled carrier="name".
 */
void		 gw_outbound_metrics(const struct gw_outbound *,
		    struct evbuffer *out);
/* The same for n routes, each family's # HELP and # TYPE once (what
 * /metrics wants when there is more than one route). */
void		 gw_outbound_metrics_all(struct gw_outbound *const *,
		    size_t n, struct evbuffer *out);

#endif
