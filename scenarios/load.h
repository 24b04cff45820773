/*
 * The load engine behind `carrierlab load`: an ESME that opens N sessions
 * to an SMSC, submits a fixed number of messages at a target rate or as
 * fast as each session's window allows, answers and matches delivery
 * receipts, and keeps the counts and latency histograms a report needs.
 *
 * Cost per message is the point: the submit_sm PDUs are built once (one
 * per part of the message) and only the destination and the
 * concatenation reference change before each encode; per-message state
 * lives in slots of a pool that is never shrunk; message ids wait for
 * their receipts in an RB tree; latencies go into fixed-size log-linear
 * histograms. Nothing is allocated per message once the pool has grown to
 * the number of messages in flight.
 *
 * Time: every timestamp and timer runs on the struct clock given to
 * load_new() (CLOCK_MODE_REAL for a real SMSC).
 *
 * The engine prints nothing; it logs connects, binds and closes through
 * common/log.h, and the caller reads struct load_stats, during the run for
 * a progress line and after done() for the report.
 */
#ifndef CARRIERLAB_SCENARIOS_LOAD_H
#define CARRIERLAB_SCENARIOS_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/histogram.h"

struct clock;
struct event_base;
struct load;

#define LOAD_BINDS(X)							\
	X(TRX,	"trx")							\
	X(TX,	"tx")

enum load_bind {
#define LOAD_BIND_ENUM(name, word)	LOAD_BIND_##name,
	LOAD_BINDS(LOAD_BIND_ENUM)
#undef LOAD_BIND_ENUM
};

/* Text encodings: name, data_coding (auto picks GSM-7 or UCS-2). */
#define LOAD_ENCODINGS(X)						\
	X(AUTO,		"auto",		0x00)				\
	X(GSM7,		"gsm7",		0x00)				\
	X(UCS2,		"ucs2",		0x08)				\
	X(LATIN1,	"latin1",	0x03)

enum load_encoding {
#define LOAD_ENCODING_ENUM(name, word, dc)	LOAD_ENCODING_##name,
	LOAD_ENCODINGS(LOAD_ENCODING_ENUM)
#undef LOAD_ENCODING_ENUM
};

/* How a message longer than one SMS travels. */
#define LOAD_SEGMENTINGS(X)						\
	X(UDH,		"udh")		/* 8-bit ref UDH, esm_class 0x40 */ \
	X(SAR,		"sar")		/* sar_* TLVs */		\
	X(PAYLOAD,	"payload")	/* one PDU, message_payload */

enum load_segmenting {
#define LOAD_SEGMENTING_ENUM(name, word)	LOAD_SEGMENTING_##name,
	LOAD_SEGMENTINGS(LOAD_SEGMENTING_ENUM)
#undef LOAD_SEGMENTING_ENUM
};

const char	*load_bind_name(enum load_bind);
const char	*load_encoding_name(enum load_encoding);
const char	*load_segmenting_name(enum load_segmenting);
/* Name to value; -1 for an unknown name. */
int		 load_bind_parse(const char *);
int		 load_encoding_parse(const char *);
int		 load_segmenting_parse(const char *);

struct load_config {
	const char	*connect;	/* "host:port" */
	int		 tls;		/* certificate not verified */
	const char	*system_id;
	const char	*password;
	enum load_bind	 bind;
	unsigned	 sessions;	/* submitting sessions, >= 1 */
	unsigned	 rx_sessions;	/* extra bind_receiver sessions */
	unsigned	 window;	/* per submitting session, >= 1 */
	uint64_t	 count;		/* messages */
	double		 rate;		/* messages per second; 0: no pacing */
	const char	*from;
	const char	*to;		/* an address, or "FIRST-LAST" */
	const char	*text;		/* UTF-8; NULL: length characters */
	size_t		 length;
	enum load_encoding encoding;
	enum load_segmenting segmenting;
	int		 receipts;	/* registered_delivery 1 and wait */
	int64_t		 receipt_timeout;	/* usec from the submit */
	int64_t		 response_timeout;	/* usec, per submit_sm */
	int64_t		 connect_timeout;	/* usec, connect to bind_resp */
};

/* Defaults for every member (127.0.0.1:2775, test/test, one trx session,
 * window 100, 1000 messages, receipts with a 30 s timeout, ...). */
void	load_config_default(struct load_config *);

/* Status values counted one by one; more distinct ones go to "other". */
#define LOAD_MAX_STATUSES	32

struct load_status_count {
	uint32_t	 status;
	uint64_t	 count;
};

/* What a message turned into: its encoding and split. */
struct load_message_info {
	enum load_encoding encoding;	/* never AUTO */
	uint8_t		 data_coding;
	size_t		 characters;	/* code points of the text */
	size_t		 octets;	/* encoded body */
	unsigned	 parts;		/* submit_sm per message */
	size_t		 sms;		/* SMS on the air (payload: 1 PDU) */
};

struct load_stats {
	uint64_t	 messages_sent;		/* first part sent */
	uint64_t	 parts_sent;		/* submit_sm sent */
	uint64_t	 parts_unsent;		/* parts of a message whose
						   session ended half way */
	uint64_t	 responses;		/* submit_sm_resp + nack */
	uint64_t	 generic_nacks;
	uint64_t	 no_response;		/* timed out or session ended */
	struct load_status_count status[LOAD_MAX_STATUSES];
	size_t		 nstatus;		/* in order of first sight */
	uint64_t	 status_other;
	uint64_t	 messages_accepted;	/* every part ESME_ROK */
	uint64_t	 parts_accepted;

	/* Receipts: stat word index is the message_state (1 ENROUTE ..
	 * 8 REJECTD); 0 counts the unrecognised. */
	uint64_t	 receipts;		/* every receipt that came */
	uint64_t	 receipts_by_state[9];
	uint64_t	 receipts_matched;	/* to a part awaiting one */
	uint64_t	 receipts_converted;	/* of those, after reading
						   an id hex <-> decimal */
	uint64_t	 receipts_early;	/* of those, before the
						   submit_sm_resp */
	uint64_t	 receipts_intermediate;	/* ENROUTE: not final */
	uint64_t	 receipts_unmatched;	/* no such id, or too late */
	uint64_t	 receipts_expected;	/* parts accepted */
	uint64_t	 receipts_missing;	/* none within the timeout */
	uint64_t	 mo;			/* deliver_sm not receipts */

	unsigned	 sessions_bound;	/* now */
	unsigned	 sessions_lost;		/* ended before the end */

	int64_t		 start;			/* first bind done */
	int64_t		 last_response;
	int64_t		 last_receipt;
	int64_t		 end;
	int		 interrupted;		/* load_stop() */
	char		 error[256];		/* why the run failed, or "" */

	struct histogram response_latency;	/* usec, submit -> resp */
	struct histogram receipt_latency;	/* usec, submit -> receipt */
};

/*
 * Checks cfg, prepares the message (encoding, split, addresses) and
 * resolves the address. Returns NULL with a one-line reason in err when
 * cfg is unusable (a usage error). cfg's strings must outlive the load.
 */
struct load	*load_new(struct event_base *, struct clock *,
		    const struct load_config *cfg, char *err, size_t errlen);
const struct load_message_info *load_message_info(const struct load *);

/*
 * Connects every session and starts. done is called once, from the loop,
 * when every message is resolved (answered, and receipted or timed out)
 * and the sessions are unbound, or when the run failed (no session could
 * bind, or every session was lost). The stats are final then.
 */
void		 load_start(struct load *,
		    void (*done)(struct load *, void *), void *arg);

/*
 * Stops sending. The first call waits for the responses of what was sent
 * and counts receipts still awaited as missing; a second call ends at
 * once. stats.interrupted is set either way.
 */
void		 load_stop(struct load *);

const struct load_stats *load_stats(const struct load *);
/* Reading the stats before done: submits and responses outstanding. */
uint64_t	 load_in_flight(const struct load *);

/*
 * The exit status the run earns: 0 when every message was sent and
 * every submit answered and, with receipts, every accepted part got its
 * receipt within the timeout; 1 otherwise.
 */
int		 load_exit_status(const struct load *);

/* Frees everything, sessions included, without unbinding. */
void		 load_free(struct load *);

#endif
