/*
 * Inside a carrier: shared by carriers/carrier*.c and nothing else.
 *
 * carrier.c         lifecycle, listeners, TLS, sessions and binds
 * carrier-submit.c  submit_sm, data_sm, submit_multi, query/cancel/replace
 * carrier-outbox.c  receipts and MO towards ESMEs, held, resent, durable
 * carrier-json.c    the /sim/ views and Prometheus metrics
 * carrier-switch.c  switching faults and quirks on and off
 * fault.c, quirk.c  the fault and quirk descriptors (carriers/fault.h)
 */
#ifndef CARRIERLAB_CARRIERS_CARRIER_INTERNAL_H
#define CARRIERLAB_CARRIERS_CARRIER_INTERNAL_H

#include <sys/queue.h>

#include <openssl/ssl.h>

#include "common/random.h"
#include "common/tree.h"
#include "carriers/carrier.h"
#include "carriers/fault.h"
#include "carriers/model.h"
#include "carriers/store.h"
#include "smpp/receipt.h"
#include "smpp/session.h"

#define CARRIER_CLOSED_KEEP	32	/* closed binds kept for inspection */
#define CARRIER_PDU_SPARE	8	/* PDU structs kept for reuse */

/* A token bucket of segments per second; rate 0 never refuses. */
struct carrier_bucket {
	double		 rate;
	double		 tokens;
	int64_t		 last;
};

/* One captured PDU, raw; decoded only when someone asks. */
struct carrier_capture {
	uint64_t	 index;
	int64_t		 time;
	enum smpp_direction dir;
	uint32_t	 len;
	uint8_t		*raw;
};

struct carrier_bind_counters {
	uint64_t	 pdus_in;
	uint64_t	 pdus_out;
	uint64_t	 submits;
	uint64_t	 submits_ok;
	uint64_t	 submits_refused;
	uint64_t	 throttled;
	uint64_t	 window_full;
	uint64_t	 receipts_sent;
	uint64_t	 receipts_acked;
	uint64_t	 mo_sent;
	uint64_t	 deliver_failed;
};

struct carrier_bind {
	TAILQ_ENTRY(carrier_bind) entry;
	struct carrier	*carrier;
	unsigned	 id;
	struct smpp_session *session;	/* NULL once closed */
	char		 name[CARRIER_NAME_MAX + 16];	/* "alpha/b3" */
	char		 system_id[16];
	unsigned	 type;		/* CARRIER_BIND_*, 0 until bound */
	char		 peer[64];
	int		 tls;
	int64_t		 opened_at;
	int64_t		 bound_at;
	int64_t		 closed_at;
	char		 close_reason[96];
	struct carrier_bucket bucket;
	struct carrier_bind_counters n;
	struct carrier_capture *cap;	/* ring, up to capture_limit */
	size_t		 cap_cap;	/* slots allocated */
	size_t		 cap_count;
	uint64_t	 cap_next;	/* index of the next capture */
	int		 muted;		/* silenced by the blackhole fault */
	struct clock_timer *drop_timer;	/* drop_after_bind, when delayed */
};
TAILQ_HEAD(carrier_bind_list, carrier_bind);

struct carrier_listener {
	struct carrier	*carrier;
	struct evconnlistener *listener;	/* NULL: closed by a fault */
	SSL_CTX		*ssl;
	int		 tls;
	char		 address[CARRIER_ADDR_MAX];	/* as bound; reopened
							   there */
};

/* A response held back by the submit latency. */
struct carrier_delayed {
	TAILQ_ENTRY(carrier_delayed) entry;
	struct carrier	*carrier;
	struct carrier_bind *bind;
	struct clock_timer *timer;
	int64_t		 received_at;
	struct smpp_pdu	*resp;
};
TAILQ_HEAD(carrier_delayed_list, carrier_delayed);

enum carrier_outbox_where {
	CARRIER_OUTBOX_SCHEDULED,	/* in the tree, waiting for due */
	CARRIER_OUTBOX_HELD,		/* due, no receiver can take it */
	CARRIER_OUTBOX_INFLIGHT,	/* sent, awaiting the response */
	CARRIER_OUTBOX_LOOSE,		/* being moved: in no container */
};

/*
 * What a receipt says of its message, taken when the receipt is planned so
 * that sending it reads nothing back from the store; text is already the
 * Appendix B text: field. Entries loaded from the store have none and
 * read their message when they go.
 */
struct carrier_receipt_view {
	uint64_t	 seq;
	int64_t		 submit_at;
	int64_t		 done_at;
	char		 source_addr[21];
	char		 destination_addr[21];
	uint8_t		 source_ton;
	uint8_t		 source_npi;
	uint8_t		 dest_ton;
	uint8_t		 dest_npi;
	char		 err[4];
	uint8_t		 has_nec;
	uint8_t		 nec_type;
	uint16_t	 nec_code;
	char		 text[SMPP_RECEIPT_TEXT_CHARS + 1];
};

struct carrier_outbox_entry {
	RB_ENTRY(carrier_outbox_entry) tree;
	TAILQ_ENTRY(carrier_outbox_entry) held;
	struct carrier	*carrier;
	enum carrier_outbox_where where;
	int		 has_view;
	struct carrier_receipt_view view;	/* RECEIPT, when has_view */
	struct carrier_outbox_item item;
	int64_t		 sent_at;
};
RB_HEAD(carrier_outbox_tree, carrier_outbox_entry);
TAILQ_HEAD(carrier_outbox_list, carrier_outbox_entry);

/* PDUs by direction, command and status, for /metrics. */
struct carrier_counter {
	RB_ENTRY(carrier_counter) entry;
	enum smpp_direction dir;
	uint32_t	 command_id;
	uint32_t	 status;
	uint64_t	 count;
};
RB_HEAD(carrier_counter_tree, carrier_counter);

/* A fault or quirk of one carrier: on or off, since when, until when. */
struct carrier_switch_state {
	struct carrier	*carrier;
	const struct carrier_switch *sw;
	int		 on;
	struct carrier_switch_args args;
	int64_t		 since;
	int64_t		 until;		/* "for": 0 means until cleared */
	struct clock_timer *timer;	/* fires at until */
	uint64_t	 switched_on;	/* transitions, for /metrics */
	uint64_t	 switched_off;
};

#define CARRIER_HIST_BUCKETS	12
struct carrier_histogram {
	uint64_t	 bucket[CARRIER_HIST_BUCKETS];	/* cumulative */
	uint64_t	 count;
	double		 sum;		/* seconds */
};
extern const double carrier_hist_bounds[CARRIER_HIST_BUCKETS];

struct carrier {
	struct carrier_env env;
	const struct carrier_profile *p;
	struct carrier_listener listeners[CARRIER_MAX_LISTEN];
	size_t		 nlisteners;
	struct carrier_bind_list binds;		/* open sessions */
	struct carrier_bind_list closed;	/* newest first */
	size_t		 nclosed;
	unsigned	 next_bind_id;
	unsigned	 rr;			/* receiver round robin */
	struct carrier_bucket bucket;
	struct carrier_delayed_list delayed;
	struct carrier_outbox_tree outbox;
	struct carrier_outbox_list held;
	struct carrier_outbox_list inflight;
	size_t		 outbox_pending;	/* every entry */
	struct clock_timer *outbox_timer;
	struct carrier_counter_tree counters;
	struct carrier_histogram submit_latency;
	struct carrier_histogram receipt_rtt;
	uint64_t	 receipts_dropped;
	uint64_t	 messages;
	uint16_t	 mo_ref;		/* concatenation reference */
	struct smpp_pdu	*spare[CARRIER_PDU_SPARE];	/* for reuse */
	size_t		 nspare;

	/* Faults and quirks: a bit per switch that is on, for the one test
	 * the per-message code makes, and the state of each. */
	unsigned	 fault_on;		/* 1u << CARRIER_FAULT_* */
	unsigned	 quirk_on;		/* 1u << CARRIER_QUIRK_* */
	struct carrier_switch_state faults[CARRIER_NFAULTS];
	struct carrier_switch_state quirks[CARRIER_NQUIRKS];
	struct rng	 fault_rng;		/* shares, latency samples */
	uint64_t	 receipts_duplicated;
};

/* The parameters of a fault or quirk that is on, else NULL: one test. */
static inline const struct carrier_switch_args *
carrier_fault(const struct carrier *c, enum carrier_fault_id id)
{
	return (c->fault_on >> id) & 1 ? &c->faults[id].args : NULL;
}

static inline const struct carrier_switch_args *
carrier_quirk(const struct carrier *c, enum carrier_quirk_id id)
{
	return (c->quirk_on >> id) & 1 ? &c->quirks[id].args : NULL;
}

/* carrier.c */
struct smpp_pdu *carrier_pdu_get(struct carrier *);
void	carrier_pdu_put(struct carrier *, struct smpp_pdu *);
struct carrier_bind *carrier_bind_find(struct carrier *, unsigned id);
void	carrier_count_pdu(struct carrier *, enum smpp_direction,
	    uint32_t command_id, uint32_t status);
void	carrier_histogram_add(struct carrier_histogram *, int64_t usec);
int	carrier_bucket_take(struct carrier_bucket *, int64_t now,
	    double amount);
int64_t	carrier_now(const struct carrier *);
/* Sends resp now, or after delay (usec) if delay > 0. */
void	carrier_respond(struct carrier_bind *, struct smpp_pdu *resp,
	    int64_t delay, int64_t received_at);
void	carrier_respond_status(struct carrier_bind *,
	    const struct smpp_pdu *req, uint32_t status);
/* The same, after delay usec (0: now). */
void	carrier_respond_status_after(struct carrier_bind *,
	    const struct smpp_pdu *req, uint32_t status, int64_t delay);
const char *carrier_bind_type_name(unsigned);
void	carrier_counters_foreach(struct carrier *,
	    void (*)(const struct carrier_counter *, void *), void *);
/* For the faults: closes the listening sockets; opens them again on the
 * addresses they had (-1 with err when one cannot be). */
void	carrier_listeners_close(struct carrier *);
int	carrier_listeners_open(struct carrier *, char *err, size_t errlen);
/* Closes every session (only the muted ones with muted_only) at once,
 * without unbind and without answering what waits: how many. */
unsigned carrier_binds_drop(struct carrier *, const char *reason,
	    int muted_only);
/* Silences every session (blackhole). */
void	carrier_binds_mute(struct carrier *);
/* A sample of the latency fault's added time, 0 when it is off. */
int64_t	carrier_fault_latency(struct carrier *);
/* Whether a draw from the fault stream falls within share. */
int	carrier_fault_dice(struct carrier *, double share);

/* carrier-switch.c */
/* Switches sw on with args (checked), or sets them anew while it is on. */
int	carrier_switch_on(struct carrier *, const struct carrier_switch *,
	    const struct carrier_switch_args *, char *err, size_t errlen);
/* Switches sw off, saying why in the log ("cleared", "expired"). */
int	carrier_switch_off(struct carrier *, const struct carrier_switch *,
	    const char *reason, char *err, size_t errlen);
void	carrier_switches_init(struct carrier *);
/* Switches on what the profile starts with. */
void	carrier_switches_start(struct carrier *);
void	carrier_switches_free(struct carrier *);

/* carrier-submit.c */
void	carrier_submit_request(struct carrier_bind *,
	    const struct smpp_pdu *req);
/* The id a new message gets: seq in the message_id quirk's format. */
void	carrier_message_id_format(const struct carrier *, uint64_t seq,
	    char *out, size_t len);

/* carrier-outbox.c */
int	carrier_outbox_init(struct carrier *, char *err, size_t errlen);
void	carrier_outbox_free(struct carrier *);
/* Adds item (copied; pdu ownership moves) and persists it. */
int	carrier_outbox_add(struct carrier *, struct carrier_outbox_item *);
/* The same for a receipt of m, which keeps what the receipt needs of m. */
int	carrier_outbox_add_receipt(struct carrier *,
	    struct carrier_outbox_item *, const struct carrier_message *m);
void	carrier_outbox_cancel_message(struct carrier *, const char *id);
/* A receiver of system_id bound, or a session's window opened: sends
 * what is held for system_id (NULL: for everyone, in order). */
void	carrier_outbox_kick(struct carrier *, const char *system_id);
/* Number of entries due but held for want of a receiver. */
size_t	carrier_outbox_held(const struct carrier *);
size_t	carrier_outbox_inflight(const struct carrier *);

#endif
