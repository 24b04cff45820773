/*
 * A simulated carrier SMSC at run time: its profile, its listeners (plain
 * and TLS), the binds of ESMEs, the model deciding each submit's fate, the
 * message store and the outbox of receipts and MO messages.
 *
 * Everything runs on the caller's event loop and clock; nothing blocks but
 * sqlite writes, which are grouped per loop iteration (carriers/store.h).
 * The profile is borrowed: it must outlive the carrier.
 *
 * The JSON functions return new references (jansson) for the /sim/
 * control routes; their shapes are documented in docs/smsc.md.
 */
#ifndef CARRIERLAB_CARRIERS_CARRIER_H
#define CARRIERLAB_CARRIERS_CARRIER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "carriers/profile.h"

struct carrier;
struct carrier_store;
struct clock;
struct event_base;
struct evbuffer;

struct carrier_env {
	struct event_base	*base;
	struct clock		*clock;
	struct carrier_store	*store;		/* shared by all carriers */
	uint64_t		 seed;		/* the scenario's seed */
};

/*
 * Creates a carrier and opens its listeners; pending outbox items of a
 * previous run are loaded from the store and scheduled. Returns NULL with
 * a reason in err ("listen 127.0.0.1:2775: Address already in use").
 */
struct carrier	*carrier_start(const struct carrier_env *,
		    const struct carrier_profile *, char *err, size_t errlen);
/* Closes listeners and sessions (without unbind) and frees. */
void		 carrier_free(struct carrier *);
const char	*carrier_name(const struct carrier *);
const struct carrier_profile *carrier_profile(const struct carrier *);
/*
 * Swaps the profile the running carrier reads (a scenario's timeline
 * "set"; borrowed like the first, it must outlive its use): outcomes,
 * submit errors and latency, receipt delays, capabilities, window and
 * throughput apply from the next submit on; messages already decided
 * keep their fate. Returns 0, or -1 with err when p differs from the
 * current profile in what a running carrier cannot change (name,
 * country, seed, listen, accounts, session settings, capture_limit).
 */
int		 carrier_reconfigure(struct carrier *,
		    const struct carrier_profile *, char *err, size_t errlen);
/*
 * The listeners' addresses as bound ("127.0.0.1:40123" when the profile
 * said port 0) and whether each is TLS; returns how many were written.
 */
size_t		 carrier_listen_addresses(const struct carrier *,
		    const char **addr, int *tls, size_t cap);
/* Number of bound sessions (any bind type). */
unsigned	 carrier_bound_count(const struct carrier *);
/* Non-zero while any session holds unsent octets or unanswered requests,
 * or a response is waiting for its latency timer (virtual time). */
int		 carrier_busy(const struct carrier *);

/*
 * A handset-originated message. The body is UTF-8; encoding "auto" picks
 * GSM 7-bit when every character has a GSM code, else UCS-2; a body longer
 * than one segment is sent as concatenated deliver_sm with a UDH (or, with
 * payload set, as one PDU with message_payload). count copies are sent,
 * rate per second apart (0: all at once). system_id "" means the carrier's
 * first account. as_data_sm sends data_sm instead of deliver_sm.
 */
struct carrier_mo {
	char		 from[21];
	char		 to[21];
	const char	*body;
	char		 encoding[8];	/* "auto", "gsm7", "ucs2", "latin1" */
	char		 system_id[16];
	unsigned	 count;		/* 0 means 1 */
	double		 rate;
	int		 payload;
	int		 as_data_sm;
};

/*
 * Queues an MO (persisted in the outbox: held while no receiver of
 * system_id is bound). Returns the number of PDUs queued, or -1 with a
 * reason in err (unknown system_id, text not encodable, ...).
 */
int		 carrier_mo_inject(struct carrier *, const struct carrier_mo *,
		    char *err, size_t errlen);

/*
 * Faults and quirks (carriers/fault.h lists them), switched while the
 * carrier runs. set switches one on, or sets new parameters while it is
 * on; params is a JSON object of its parameters (NULL: {}), each left out
 * taking its default, plus an optional "for" duration after which it
 * clears itself. clear switches it off. Each switch is logged
 * ("<carrier> fault-on name=refuse_binds status=ESME_RBINDFAIL",
 * "fault-off") and counted for /metrics. The one-shot fault
 * drop_connections acts when set and is never on.
 *
 * set returns CARRIER_SWITCH_OK; clear returns CARRIER_SWITCH_OK, or
 * CARRIER_SWITCH_NOT_ON when it was off (nothing changes). Errors: no
 * fault (quirk) of that name; a bad parameter, err naming it
 * ("share: must be a number between 0 and 1"); or it could not be done
 * (err says why: a listener's port taken by then), the switch staying as
 * it was.
 */
enum carrier_switch_result {
	CARRIER_SWITCH_OK = 0,
	CARRIER_SWITCH_NOT_ON = 1,
	CARRIER_SWITCH_UNKNOWN = -1,
	CARRIER_SWITCH_INVALID = -2,
	CARRIER_SWITCH_FAILED = -3,
};

int		 carrier_fault_set(struct carrier *, const char *name,
		    json_t *params, char *err, size_t errlen);
int		 carrier_fault_clear(struct carrier *, const char *name,
		    char *err, size_t errlen);
int		 carrier_quirk_set(struct carrier *, const char *name,
		    json_t *params, char *err, size_t errlen);
int		 carrier_quirk_clear(struct carrier *, const char *name,
		    char *err, size_t errlen);
/* The faults (quirks) that are on, in table order: [{"name", "params",
 * "since", "until"}], until null when there is no "for". */
json_t		*carrier_faults_json(struct carrier *);
json_t		*carrier_quirks_json(struct carrier *);

/* {"name", "country", "listen": [...], "accepts": {...}, "binds": [...],
 *  "counters": {...}, "outbox": {"pending", "held"}, "faults": [...],
 *  "quirks": [...]} */
json_t		*carrier_state_json(struct carrier *);
/* Binds, bound ones first then the most recent closed ones. */
json_t		*carrier_binds_json(struct carrier *);
/*
 * The captured PDUs of bind bind_id with capture index > since, at most
 * limit, each {"index", "time", "dir": "in"|"out", "pdu": <as `carrierlab
 * pdu decode` prints it>}. NULL when there is no such bind.
 */
json_t		*carrier_pdus_json(struct carrier *, unsigned bind_id,
		    uint64_t since, size_t limit);
/* A stored message by id, or NULL. */
json_t		*carrier_message_json(struct carrier *, const char *id);
/* Appends the carriers' series to a Prometheus text exposition, each
 * family once with its # HELP and # TYPE lines, labelled carrier="name". */
void		 carrier_metrics_write(struct carrier *const *, size_t n,
		    struct evbuffer *);

#endif
