/*
 * What the gateway's own files share and nothing outside gateway/ may
 * touch: the message as the lifecycle keeps it, the status table, the
 * gateway object, and the calls between api, lifecycle, outbound, webhook
 * and store.
 *
 * Who owns what:
 *   gateway.c, lifecycle.c   struct gateway, creation, routing, status
 *                            transitions, validity and schedule timers,
 *                            recovery at start (gw_lifecycle_*)
 *   api*.c                   the HTTP routes (gw_api_*)
 *   store*.c                 sqlite (gw_store_*, gateway/store.h)
 *   outbound*.c              SMPP session pools (gw_outbound_*, outbound.h)
 *   webhook*.c, twiml.c      status callbacks, inbound webhooks, TwiML,
 *                            signatures (gw_webhook_*, webhook.h)
 *   errors.c, errors.def     Twilio error codes (gw_error_*)
 *   util.c                   sids, dates, numbers (gw_sid_*, gw_date_*)
 */
#ifndef CARRIERLAB_GATEWAY_GATEWAY_INTERNAL_H
#define CARRIERLAB_GATEWAY_GATEWAY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/random.h"
#include "common/tree.h"
#include "gateway/gateway.h"
#include "gateway/json.h"
#include "gateway/names.h"

#include <sys/queue.h>

struct clock;
struct clock_timer;
struct event_base;
struct gw_optouts;
struct gw_links;
struct gw_outbound;
struct gw_service;
struct gw_services;
struct gw_store;
struct gw_webhooks;


/* One SMPP part of an outbound message. */
enum gw_part_state {
	GW_PART_PENDING,	/* not submitted yet (or to resubmit) */
	GW_PART_SUBMITTED,	/* submit_sm in flight */
	GW_PART_ACCEPTED,	/* submit_sm_resp OK: smsc_id set */
	GW_PART_DELIVERED,	/* receipt DELIVRD */
	GW_PART_UNDELIVERED,	/* receipt UNDELIV, EXPIRED, DELETED, ... */
	GW_PART_FAILED,		/* submit rejected, or receipt REJECTD */
};

struct gw_part {
	enum gw_part_state state;
	char		 smsc_id[66];		/* submit_sm_resp message_id */
	char		 stat[16];		/* receipt stat word */
	char		 err[8];		/* receipt err */
	int		 error_code;		/* mapped Twilio code, 0 none */
	int64_t		 done_at;		/* receipt done date, usec */
	unsigned	 attempts;		/* submits of this part */
};

struct gw_message {
	char		 sid[GATEWAY_SID_SIZE];		/* SM... or MM... */
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 service_sid[GATEWAY_SID_SIZE];	/* "" none */
	char		 to[GATEWAY_NUMBER_MAX];
	char		 from[GATEWAY_NUMBER_MAX];	/* "" until chosen */
	char		*body;				/* UTF-8, never NULL */
	enum gw_status	 status;
	enum gw_direction direction;
	int		 error_code;			/* 0: null */
	int64_t		 date_created;			/* usec, clock time */
	int64_t		 date_updated;
	int64_t		 date_sent;			/* 0: null */
	int64_t		 send_at;			/* scheduled; 0 none */
	int64_t		 valid_until;			/* 0: no limit */
	unsigned	 validity_period;		/* s, as given */
	unsigned	 num_segments;
	unsigned	 num_media;
	char		**media;			/* URLs, num_media */
	int		 mms_converted;			/* the MMS Converter
							   turned it into an
							   SMS with a link: it
							   goes as SMS */
	char		*status_callback;		/* NULL: none */
	uint8_t		 data_coding;			/* 0x00 GSM, 0x08 UCS2 */
	int		 smart_encoded;
	unsigned	 attempt;			/* Attempt parameter */
	char		 route[GATEWAY_NAME_MAX];	/* carrier; "" none yet */
	char		 price[16];			/* "-0.00790"; "" null */
	struct gw_part	*parts;				/* num_segments */
	size_t		 nparts;
	char		*selection;			/* how the sender was
							   chosen, lines joined
							   by '\n'; NULL none */
	unsigned	 fallbacks;			/* sent again from a
							   long code */
	int		 busy;				/* counted in its pool
							   sender's busy */
	/* Lifecycle-only state. */
	struct gateway	*gw;				/* owner */
	struct clock_timer *timer;			/* schedule / validity */
	RB_ENTRY(gw_message) by_sid;
	TAILQ_ENTRY(gw_message) queue;			/* outbound's queue */
	int		 queued;			/* on an outbound queue */
};

RB_HEAD(gw_message_tree, gw_message);

/* Allocation of a message and its owned strings; free with gw_message_free. */
struct gw_message *gw_message_new(void);
void		 gw_message_free(struct gw_message *);
/* Replaces body (copied); NULL means "". */
void		 gw_message_set_body(struct gw_message *, const char *);
int		 gw_message_cmp(const struct gw_message *,
		    const struct gw_message *);
RB_PROTOTYPE(gw_message_tree, gw_message, by_sid, gw_message_cmp);

/* Counters for /metrics. */
struct gw_metrics {
	uint64_t	 created;
	uint64_t	 by_status[GW_STATUS_COUNT];	/* transitions into */
	uint64_t	 api_requests;
	uint64_t	 api_errors;
	uint64_t	 callbacks_sent;
	uint64_t	 callbacks_failed;		/* attempts that failed */
	uint64_t	 callbacks_dropped;		/* gave up */
	uint64_t	 inbound;
	uint64_t	 inbound_dropped;		/* services without
							   inbound_request_url */
	uint64_t	 receipts_unmatched;
};

struct gateway {
	struct event_base	*base;
	struct clock		*clock;
	struct gateway_config	 cfg;		/* deep copy */
	struct rng		 rng;		/* sids and jitter, seeded */
	uint64_t		 sid_serial;	/* the last sid's count */
	struct gw_store		*store;
	struct gw_services	*services;	/* services.h */
	struct gw_optouts	*optouts;	/* optout.h */
	struct gw_webhooks	*webhooks;
	struct gw_links		*links;		/* links.h */
	char			 public_url[256]; /* base of /m/ links */
	struct gw_outbound	**routes;	/* cfg.nroutes */
	struct gw_message_tree	 active;	/* every non-terminal message */
	size_t			 nactive;
	struct gw_metrics	 metrics;
	int			 stopping;
	unsigned		 api_pending;	/* api: creates awaiting their
						   commit (20429 beyond
						   cfg.api_max_pending) */
	struct gw_json		 api_json;	/* api: a message's JSON */
	struct gw_api_auth	*api_auth;	/* api: digests (api.c) */
};

/* Lookups in the configuration; NULL when absent. */
const struct gateway_account *gw_account_find(const struct gateway *,
		    const char *sid);
/* An API key of any account: *account is set to its account. */
const struct gateway_api_key *gw_api_key_find(const struct gateway *,
		    const char *sid, const struct gateway_account **account);
const struct gateway_number *gw_number_find(const struct gateway *,
		    const char *account_sid, const char *number);
const struct gateway_number *gw_number_find_sid(const struct gateway *,
		    const char *sid);
/* The running services of gw->services (services.h). */
struct gw_service *gw_service_find(const struct gateway *,
		    const char *account_sid, const char *sid);
/* The service whose pool holds number, or NULL. */
struct gw_service *gw_service_of_number(const struct gateway *,
		    const struct gateway_number *);

/*
 * What the API parsed from a create request (form parameters of
 * twilio-api.md §2.2). Strings are borrowed from the request for the
 * duration of gw_lifecycle_create().
 */
#define GW_MAX_MEDIA	10

struct gw_create_request {
	const char	*account_sid;
	const char	*to;
	const char	*from;			/* NULL: not given */
	const char	*service_sid;		/* NULL: not given */
	const char	*body;			/* NULL: not given */
	const char	*media[GW_MAX_MEDIA];
	size_t		 nmedia;
	const char	*status_callback;	/* NULL: not given */
	unsigned	 validity_period;	/* 0: not given */
	int64_t		 send_at;		/* usec; 0: not given */
	int		 schedule_fixed;	/* ScheduleType=fixed */
	int		 smart_encoded;		/* -1: not given */
	int		 shorten_urls;
	unsigned	 attempt;
	enum gw_direction direction;		/* OUTBOUND_API normally */
	int		 optout_reply;		/* an Advanced Opt-Out
						   confirmation: not refused
						   by the opt-out (21610) */
};

/* A Twilio error for the caller: code, HTTP status and message text. */
struct gw_error {
	int		 code;
	int		 http_status;
	char		 message[512];
};

/* Fills e from the table of errors.def; fmt (may be NULL: the table's
 * text) is the message, printf-style. */
void		 gw_error_set(struct gw_error *e, int code, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
/* The table's description of a code ("Unreachable destination
 * handset"), or NULL for a code not in the table. */
const char	*gw_error_description(int code);
int		 gw_error_http_status(int code);

typedef void (*gw_created_cb)(struct gateway *, struct gw_message *,
		    int durable, void *arg);

/*
 * Validates what needs the gateway's state (From owned and capable,
 * service, route for the destination, body length, ...), creates the
 * message, stores it and calls done when the store has committed it
 * (durable 0: the commit failed; the message is then dropped). The
 * message passed to done is valid during the call. Returns 0, or -1 with
 * e filled (no message created, done never called).
 */
int		 gw_lifecycle_create(struct gateway *,
		    const struct gw_create_request *, struct gw_error *e,
		    gw_created_cb done, void *arg);

/* Status=canceled: 0, or -1 with e (30409 when not scheduled). */
int		 gw_lifecycle_cancel(struct gateway *, const char *account,
		    const char *sid, struct gw_error *e);
/* Body="": redacts in the store and in memory. */
int		 gw_lifecycle_redact(struct gateway *, const char *account,
		    const char *sid, struct gw_error *e);
/* DELETE: 20009 while the message is not terminal; 20404 unknown. */
int		 gw_lifecycle_delete(struct gateway *, const char *account,
		    const char *sid, struct gw_error *e);

/*
 * The calls outbound makes as a message moves on the wire. m is one of
 * gw->active; part indexes m->parts.
 */
void		 gw_lifecycle_sending(struct gateway *, struct gw_message *);
void		 gw_lifecycle_part_accepted(struct gateway *,
		    struct gw_message *, size_t part, const char *smsc_id);
struct gw_receipt;

/*
 * The carrier-outcome → Twilio error table (errmap.def; the route's
 * rules first). Both return the Twilio code (0: none) and set *status to
 * GW_STATUS_FAILED or GW_STATUS_UNDELIVERED (receipt: GW_STATUS_DELIVERED
 * for a delivery, -1 for a state that is not final, ENROUTE and the
 * like); *retry to 1 when the submit should be tried again later.
 */
int		 gw_errmap_submit(const struct gateway_route *,
		    uint32_t command_status, int *status, int *retry);
int		 gw_errmap_receipt(const struct gateway_route *,
		    const struct gw_receipt *, int *status);

/* A final submit failure (mapped through the error table). */
void		 gw_lifecycle_part_rejected(struct gateway *,
		    struct gw_message *, size_t part, uint32_t command_status);
/* Retries exhausted after submit timeouts (30410), or no route (30008). */
void		 gw_lifecycle_part_failed(struct gateway *,
		    struct gw_message *, size_t part, int error_code);

struct gw_receipt {
	char		 stat[16];		/* "DELIVRD" */
	char		 err[8];		/* "000" */
	int		 network_type;		/* -1: none */
	int		 network_code;		/* -1: none */
	int64_t		 done_at;		/* usec; 0: unknown */
	char		 done_raw[16];		/* "2611271015" YYMMDDhhmm */
};

void		 gw_lifecycle_receipt(struct gateway *, struct gw_message *,
		    size_t part, const struct gw_receipt *);

/*
 * An MO from a carrier (segments already joined): stored as an inbound
 * message (received) and handed to the number's or the service's
 * webhook; dropped when there is none.
 */
void		 gw_lifecycle_inbound(struct gateway *, const char *route,
		    const char *from, const char *to, const char *body,
		    unsigned num_segments);

/* The active message with sid, or NULL. */
struct gw_message *gw_active_find(struct gateway *, const char *sid);

/* Route for a destination and sender: among the routes with the longest
 * prefix of to (the destination's carrier), the first whose carrier
 * takes the sender kind (and MMS when mms); -1 when none of them does. */
int		 gw_route_pick(const struct gateway *, const char *to,
		    enum gateway_sender_kind kind, int mms);
/* 1 when the destination's carrier (the routes of the longest prefix)
 * takes MMS from some kind of sender. */
int		 gw_route_takes_mms(const struct gateway *, const char *to);
/* 1 when some route serves to's prefix, whatever the sender. */
int		 gw_route_serves(const struct gateway *, const char *to);
/* The outbound of the route named name, or NULL. */
struct gw_outbound *gw_route_outbound(struct gateway *, const char *name);

/* recover.c: at start, the store's non-terminal messages become active
 * again (queued, scheduled, awaiting receipts or expired) and the
 * callback outbox resumes. 0 or -1. */
int		 gw_recover(struct gateway *);

#endif
