/*
 * Inside gateway/outbound: what its files share and nothing else touches.
 *
 *   outbound.c          the object, the queue entry points, metrics
 *   outbound-pool.c     sessions: connect (TLS), bind, reconnect, requests
 *   outbound-submit.c   parts, the queue pump, throughput, responses
 *   outbound-receipt.c  the receipt-id index and receipts
 *   outbound-mo.c       MO reassembly and decoding
 *
 * A message the outbound knows has a struct gw_ob_msg (tree by sid): its
 * encoded body while parts remain to be submitted, and per part the
 * receipt-id index entries and the submit time. The struct gw_message
 * itself is the lifecycle's: it is valid from gw_outbound_enqueue() (or
 * _track()) until gw_outbound_remove(), and a lifecycle call may remove
 * (and free) it, so every handler calls the lifecycle last.
 */
#ifndef CARRIERLAB_GATEWAY_OUTBOUND_INTERNAL_H
#define CARRIERLAB_GATEWAY_OUTBOUND_INTERNAL_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "common/clock.h"
#include "common/histogram.h"
#include "common/tree.h"
#include "gateway/gateway-internal.h"
#include "smpp/pdu.h"
#include "smpp/receipt.h"
#include "smpp/segment.h"
#include "smpp/session.h"

struct bufferevent;
struct clock_timer;
struct event;
struct gw_outbound;
struct smpp_reasm_table;

/* ---- receipt-id index (outbound-receipt.c) ---- */

/*
 * How a receipt's id found its part: the plain string, the string
 * ignoring case, or the number the two ids read as (a: the submit
 * response's id, b: the receipt's; see smpp_receipt_id_match()).
 */
#define GW_OB_MATCHES(X)						\
	X(SAME,		"same")						\
	X(CASE,		"case")						\
	X(DEC_DEC,	"dec_dec")					\
	X(HEX_HEX,	"hex_hex")					\
	X(HEX_DEC,	"hex_dec")					\
	X(DEC_HEX,	"dec_hex")

enum gw_ob_match {
#define GW_OB_MATCH_ENUM(name, text)	GW_OB_MATCH_##name,
	GW_OB_MATCHES(GW_OB_MATCH_ENUM)
#undef GW_OB_MATCH_ENUM
	GW_OB_MATCH_COUNT
};

const char	*gw_ob_match_name(enum gw_ob_match);

/* Receipts matched across bases before a route tries that rule first. */
#define GW_OB_LEARN_CROSS	3

/* How an accepted id reads as a number. */
enum gw_ob_base {
	GW_OB_BASE_DEC,
	GW_OB_BASE_HEX,
};

struct gw_ob_msg;

/* An id under its case-folded string (exactness checked on lookup). */
struct gw_ob_strkey {
	RB_ENTRY(gw_ob_strkey)	 entry;
	struct gw_ob_msg	*msg;
	size_t			 part;
	uint64_t		 serial;	/* older first among equals */
	char			*folded;	/* lower case; heap */
};

/* An id under the number it reads as in one base. */
struct gw_ob_numkey {
	RB_ENTRY(gw_ob_numkey)	 entry;
	struct gw_ob_msg	*msg;
	size_t			 part;
	uint64_t		 value;
	enum gw_ob_base		 base;
	uint64_t		 serial;
};

RB_HEAD(gw_ob_strs, gw_ob_strkey);
RB_HEAD(gw_ob_nums, gw_ob_numkey);

/* What the outbound keeps per part. */
struct gw_ob_part {
	int			 indexed;	/* str (and dec, hex) linked */
	int			 has_dec;
	int			 has_hex;
	struct gw_ob_strkey	 str;
	struct gw_ob_numkey	 dec;
	struct gw_ob_numkey	 hex;
	int64_t			 submitted_at;	/* last submit, clock usec */
	unsigned		 lost;		/* timeouts and closed sessions */
};

/* The encoded body: built when a part must go out, dropped once every
 * part has been answered. */
struct gw_ob_encoding {
	uint8_t			 data_coding;
	uint8_t			*body;
	size_t			 len;
	struct smpp_segment_part *parts;
	size_t			 nparts;
};

struct gw_ob_submit;
LIST_HEAD(gw_ob_submits, gw_ob_submit);

struct gw_ob_msg {
	RB_ENTRY(gw_ob_msg)	 entry;		/* by sid */
	char			 sid[GATEWAY_SID_SIZE];
	struct gw_message	*m;
	struct gw_ob_encoding	*enc;
	struct gw_ob_part	*parts;		/* m->nparts */
	size_t			 nparts;
	struct gw_ob_submits	 submits;	/* in flight */
	int			 sending;	/* sending reported */
};

RB_HEAD(gw_ob_msgs, gw_ob_msg);

/* ---- sessions (outbound-pool.c) ---- */

#define GW_OB_SESSION_STATES(X)						\
	X(IDLE,		"idle")		/* waiting to (re)connect */	\
	X(CONNECTING,	"connecting")	/* TCP and TLS under way */	\
	X(BINDING,	"binding")	/* bind sent */			\
	X(BOUND,	"bound")					\
	X(UNBINDING,	"unbinding")	/* unbind or close under way */	\
	X(STOPPED,	"stopped")	/* shut down: no reconnect */

enum gw_ob_session_state {
#define GW_OB_SESSION_STATE_ENUM(name, text)	GW_OB_SESSION_##name,
	GW_OB_SESSION_STATES(GW_OB_SESSION_STATE_ENUM)
#undef GW_OB_SESSION_STATE_ENUM
	GW_OB_SESSION_NSTATES
};

const char	*gw_ob_session_state_name(enum gw_ob_session_state);

struct gw_ob_session {
	struct gw_outbound	*ob;
	char			 id[GATEWAY_NAME_MAX + 16];
	uint32_t		 bind_command;	/* bind_transceiver, ... */
	int			 sends;		/* may submit */
	enum gw_ob_session_state state;
	struct bufferevent	*bev;		/* until the session takes it */
	struct smpp_session	*smpp;
	struct clock_timer	*t_reconnect;
	unsigned		 failures;	/* since the last bind */
	unsigned		 in_flight;	/* our submits outstanding */
	int			 blocked;	/* window full */
};

/* One submit_sm in flight: the response callback's argument. msg is
 * NULL once the message left (the response is then only counted). */
struct gw_ob_submit {
	LIST_ENTRY(gw_ob_submit) by_msg;
	LIST_ENTRY(gw_ob_submit) all;
	struct gw_outbound	*ob;
	struct gw_ob_session	*session;
	struct gw_ob_msg	*msg;
	size_t			 part;
	int64_t			 sent_at;
};

/* PDU counters for the metrics: by direction, command and status. */
struct gw_ob_pdu_count {
	RB_ENTRY(gw_ob_pdu_count) entry;
	int			 out;
	uint32_t		 command_id;
	uint32_t		 status;
	uint64_t		 n;
};

RB_HEAD(gw_ob_pdu_counts, gw_ob_pdu_count);

/*
 * A receipt that came before the submit_sm_resp carrying its id (some
 * SMSCs send the receipt first, and any SMSC may send it on another
 * session than the submit's): held while submits are in flight, for
 * GW_OB_EARLY_TTL at most, and matched when a part is accepted. A
 * receipt that only a cross-base rule the route has not shown would
 * match is held too, until the submits that were in flight when it came
 * have all been answered (responses has gone past resp_mark + wait):
 * its own response may be among them, and the cross-base reading of its
 * id names another message (decimal "16" is accepted hex "10").
 */
#define GW_OB_EARLY_MAX		4096
#define GW_OB_EARLY_TTL		(30 * CLOCK_USEC_PER_SEC)

struct gw_ob_early {
	TAILQ_ENTRY(gw_ob_early) entry;
	char			 id[SMPP_RECEIPT_ID_MAX + 1];
	struct gw_receipt	 rc;
	int64_t			 at;
	uint64_t		 resp_mark;	/* ob->responses then */
	unsigned		 wait;		/* ob->in_flight then */
};

TAILQ_HEAD(gw_ob_earlies, gw_ob_early);
TAILQ_HEAD(gw_ob_queue, gw_message);

struct gw_outbound {
	struct gateway		*gw;
	const struct gateway_route *route;	/* gw->cfg.routes[idx] */
	size_t			 idx;
	char			 host[256];
	char			 port[16];
	SSL_CTX			*ssl;

	struct gw_ob_session	*sessions;
	unsigned		 nsessions;
	unsigned		 rr;		/* next session to try */

	struct gw_ob_queue	 queue;
	size_t			 queue_depth;
	struct gw_ob_msgs	 msgs;
	struct gw_ob_submits	 submits;	/* every one in flight */
	unsigned		 in_flight;

	/* Throughput: a token bucket refilled at route->throughput/s. */
	double			 tokens;
	int64_t			 tokens_at;
	int64_t			 paused_until;	/* after ESME_RTHROTTLED */
	struct clock_timer	*t_pump;
	struct event		*ev_pump;	/* a pump from the loop */

	struct gw_ob_strs	 strs;
	struct gw_ob_nums	 nums;
	uint64_t		 serial;
	uint64_t		 matched[GW_OB_MATCH_COUNT];
	uint64_t		 receipts_unmatched;
	struct gw_ob_earlies	 early;		/* receipts before their id */
	size_t			 nearly;
	uint64_t		 responses;	/* submits answered or lost */
	uint64_t		 early_matched;
	struct clock_timer	*t_early;

	struct smpp_reasm_table	*reasm;
	struct clock_timer	*t_reasm;
	uint64_t		 mo_incomplete;	/* parts that never joined */
	uint64_t		 mo_dropped;	/* undecodable */

	struct gw_ob_pdu_counts	 pdus;
	struct histogram	*submit_latency;	/* submit -> resp */
	struct histogram	*receipt_latency;	/* submit -> receipt */

	struct smpp_pdu		*resp;		/* our deliver_sm_resp */
	int			 stopping;
	void			(*done)(void *);
	void			*done_arg;
	struct event		*ev_done;
};

/* outbound-pool.c */
void	 gw_ob_pool_start(struct gw_outbound *);
void	 gw_ob_pool_shutdown(struct gw_outbound *);
void	 gw_ob_pool_free(struct gw_outbound *);
/* A bound session that may submit and has window room, round robin. */
struct gw_ob_session *gw_ob_pool_pick(struct gw_outbound *);
unsigned gw_ob_pool_count(const struct gw_outbound *,
	    enum gw_ob_session_state);
void	 gw_ob_session_enter(struct gw_ob_session *,
	    enum gw_ob_session_state);

/* outbound-submit.c */
/* Runs the queue from the loop (never inside the caller's call). */
void	 gw_ob_kick(struct gw_outbound *);
void	 gw_ob_pump(struct gw_outbound *);
void	 gw_ob_pump_event(int, short, void *);
void	 gw_ob_pump_timer(struct clock_timer *, void *);
/* Puts m at the head (retry) or the tail of the queue. */
void	 gw_ob_queue_put(struct gw_outbound *, struct gw_message *, int head);
void	 gw_ob_queue_take(struct gw_outbound *, struct gw_message *);
/* Builds m->parts when it has none: 0, or -1 (m failed; do not touch). */
int	 gw_ob_parts_build(struct gw_outbound *, struct gw_ob_msg *);
void	 gw_ob_encoding_free(struct gw_ob_encoding *);
/* Frees om's encoding once no part is left to submit. */
void	 gw_ob_encoding_drop(struct gw_ob_msg *);

/* outbound-receipt.c */
void	 gw_ob_index_add(struct gw_outbound *, struct gw_ob_msg *,
	    size_t part);
void	 gw_ob_index_del(struct gw_outbound *, struct gw_ob_msg *,
	    size_t part);
/* The part an id names, or NULL; *how says how it matched. */
struct gw_ob_msg *gw_ob_index_find(struct gw_outbound *, const char *id,
	    size_t *part, enum gw_ob_match *how);
/* A deliver_sm or data_sm with a receipt esm_class (answered already). */
void	 gw_ob_receipt(struct gw_outbound *, const struct smpp_pdu *);
void	 gw_ob_early_init(struct gw_outbound *);
void	 gw_ob_early_free(struct gw_outbound *);
/* A submit was answered: a held receipt may now match. */
void	 gw_ob_early_match(struct gw_outbound *);
/* 1 when req is a delivery receipt (esm_class or TLVs). */
int	 gw_ob_is_receipt(const struct smpp_pdu *);

/* outbound-mo.c */
void	 gw_ob_mo_init(struct gw_outbound *);
void	 gw_ob_mo_free(struct gw_outbound *);
void	 gw_ob_mo(struct gw_outbound *, const struct smpp_pdu *);

/* outbound.c */
struct gw_ob_msg *gw_ob_msg_find(struct gw_outbound *, const char *sid);
void	 gw_ob_pdu_count(struct gw_outbound *, int out, uint32_t command_id,
	    uint32_t status);
/* Called when a session stops for good during shutdown. */
void	 gw_ob_check_done(struct gw_outbound *);

#endif
