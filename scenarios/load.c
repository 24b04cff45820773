/*
 * The load engine: see load.h.
 *
 * A message's life. A session begins it by taking a slot from the pool
 * (the slot holds the message and one struct load_part per part) and
 * sends its parts with smpp_session_send(), the part being the
 * callback's argument. An ESME_ROK response puts the part's message id in
 * the id tree, unless its receipt came first and waits in the early tree.
 * A receipt takes the part out of the tree. With receipts on, the message
 * also sits in the live list, in send order, until its receipt deadline;
 * the expiry timer only ever looks at the head. The slot goes back to the
 * pool once every part is resolved: refused, unanswered, receipted or
 * given up on.
 *
 * Message ids are kept lower case without leading zeros, so ids that
 * differ only in case or padding meet in the tree at once; an id that
 * one side writes in hex and the other in decimal is found by a second
 * look-up in the other base (smpp_receipt_id_match() confirms it).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/tree.h"
#include "common/xmalloc.h"
#include "scenarios/load-internal.h"
#include "smpp/receipt.h"
#include "smpp/session.h"
#include "smpp/smpp.h"

#define LOAD_POOL_CHUNK		1024	/* message slots per allocation */
#define LOAD_ID_INLINE		24	/* shorter ids stay in the slot */
#define LOAD_ID_MAX		64	/* message_id is C-Octet 65 */
#define LOAD_TICK_MIN		1000	/* usec: pacing ticks at most 1 kHz */
#define LOAD_USEC		1e6

#define LOAD_SESSION_STATES(X)						\
	X(CONNECTING)		/* TCP (and TLS) under way */		\
	X(BINDING)		/* bind sent */				\
	X(BOUND)							\
	X(UNBINDING)		/* the end: unbind or close under way */ \
	X(CLOSED)

enum load_session_state {
#define LOAD_SESSION_STATE_ENUM(name)	LOAD_SESSION_##name,
	LOAD_SESSION_STATES(LOAD_SESSION_STATE_ENUM)
#undef LOAD_SESSION_STATE_ENUM
};

static const char *const load_session_state_names[] = {
#define LOAD_SESSION_STATE_NAME(name)	#name,
	LOAD_SESSION_STATES(LOAD_SESSION_STATE_NAME)
#undef LOAD_SESSION_STATE_NAME
};

enum load_part_state {
	LOAD_PART_UNSENT,
	LOAD_PART_SENT,		/* awaiting its response */
	LOAD_PART_WAITING,	/* accepted, awaiting its receipt */
	LOAD_PART_DONE,
};

struct load;
struct load_msg;

struct load_part {
	RB_ENTRY(load_part)	 entry;		/* in ids while WAITING */
	struct load_part	*same;		/* more parts given this id */
	struct load_msg		*msg;
	int64_t			 sent;
	char			*id;		/* canonical; idbuf or heap */
	enum load_part_state	 state;
	char			 idbuf[LOAD_ID_INLINE];
};

struct load_msg {
	TAILQ_ENTRY(load_msg)	 live;		/* before its deadline */
	struct load_msg		*free_next;
	uint64_t		 index;
	int64_t			 sent;		/* its first part */
	unsigned		 nparts;	/* to be sent */
	unsigned		 ndone;		/* resolved */
	unsigned		 nok;		/* accepted */
	int			 in_live;
	int			 expired;	/* past its receipt deadline */
	struct load_part	 part[];
};

/* A receipt that came before its submit_sm_resp (or never matched). */
struct load_early {
	RB_ENTRY(load_early)	 entry;
	TAILQ_ENTRY(load_early)	 order;
	int64_t			 at;
	char			 id[LOAD_ID_MAX + 1];
};

struct load_session {
	struct load		*load;
	char			 id[32];
	int			 receiver;	/* bind_receiver only */
	enum load_session_state	 state;
	struct bufferevent	*bev;		/* until the session owns it */
	struct smpp_session	*smpp;
	struct load_msg		*cur;		/* begun, parts left to send */
	unsigned		 next_part;
	int			 blocked;	/* window full: wait writable */
};

RB_HEAD(load_ids, load_part);
RB_HEAD(load_earlies, load_early);
TAILQ_HEAD(load_live, load_msg);
TAILQ_HEAD(load_early_order, load_early);

struct load {
	struct event_base	*base;
	struct clock		*clock;
	struct load_config	 cfg;
	struct load_message	 msg;
	struct sockaddr_storage	 addr;
	int			 addrlen;
	char			 host[256];
	SSL_CTX			*ssl;

	struct load_session	*sessions;	/* senders, then receivers */
	unsigned		 nsessions;
	unsigned		 nsenders;
	unsigned		 open;		/* not CLOSED */
	unsigned		 rr;		/* pacing: who goes first */

	struct smpp_pdu		*bind;		/* built per session */
	struct smpp_pdu		*resp;		/* our deliver_sm_resp */
	struct clock_timer	*t_tick;
	struct clock_timer	*t_expire;
	struct clock_timer	*t_connect;
	struct event		*ev_done;

	size_t			 slot_size;
	char			**chunks;
	size_t			 nchunks;
	struct load_msg		*free;
	uint64_t		 in_use;

	struct load_live	 live;
	struct load_ids		 ids;
	struct load_earlies	 early;
	struct load_early_order	 early_order;

	uint64_t		 next_index;	/* messages begun */
	uint64_t		 outstanding;	/* parts awaiting a response */
	int			 started;	/* every session bound */
	int			 stopping;	/* begin nothing more */
	int			 finishing;
	int			 done_fired;
	void			(*done)(struct load *, void *);
	void			*done_arg;
	struct load_stats	 st;
};

static int
load_part_cmp(struct load_part *a, struct load_part *b)
{
	return strcmp(a->id, b->id);
}

static int
load_early_cmp(struct load_early *a, struct load_early *b)
{
	return strcmp(a->id, b->id);
}

TREE_GENERATE_STATIC(load_ids, load_part, entry, load_part_cmp)
TREE_GENERATE_STATIC(load_earlies, load_early, entry, load_early_cmp)

static void load_finish(struct load *);
static void load_check_done(struct load *);

/* ---- names ---- */

static const char *const load_bind_names[] = {
#define LOAD_BIND_NAME(name, word)	word,
	LOAD_BINDS(LOAD_BIND_NAME)
#undef LOAD_BIND_NAME
};

static const char *const load_segmenting_names[] = {
#define LOAD_SEGMENTING_NAME(name, word)	word,
	LOAD_SEGMENTINGS(LOAD_SEGMENTING_NAME)
#undef LOAD_SEGMENTING_NAME
};

#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

static int
load_name_parse(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
load_bind_name(enum load_bind b)
{
	return (size_t)b < NELEM(load_bind_names) ? load_bind_names[b] :
	    "unknown";
}

const char *
load_segmenting_name(enum load_segmenting s)
{
	return (size_t)s < NELEM(load_segmenting_names) ?
	    load_segmenting_names[s] : "unknown";
}

int
load_bind_parse(const char *s)
{
	return load_name_parse(load_bind_names, NELEM(load_bind_names), s);
}

int
load_segmenting_parse(const char *s)
{
	return load_name_parse(load_segmenting_names,
	    NELEM(load_segmenting_names), s);
}

void
load_config_default(struct load_config *c)
{
	memset(c, 0, sizeof *c);
	c->connect = "127.0.0.1:2775";
	c->system_id = "test";
	c->password = "test";
	c->bind = LOAD_BIND_TRX;
	c->sessions = 1;
	c->window = 100;
	c->count = 1000;
	c->from = "+14155550100";
	c->to = "+14155550000-+14155559999";
	c->text = "carrierlab load test message";
	c->encoding = LOAD_ENCODING_AUTO;
	c->segmenting = LOAD_SEGMENTING_UDH;
	c->receipts = 1;
	c->receipt_timeout = 30 * CLOCK_USEC_PER_SEC;
	c->response_timeout = 30 * CLOCK_USEC_PER_SEC;
	c->connect_timeout = 10 * CLOCK_USEC_PER_SEC;
}

/* ---- failures ---- */

static void load_error(struct load *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Keeps the first reason the run failed. */
static void
load_error(struct load *l, const char *fmt, ...)
{
	va_list ap;

	if (l->st.error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(l->st.error, sizeof l->st.error, fmt, ap);
	va_end(ap);
	log_warnx("load error reason=\"%s\"", l->st.error);
}

/* ---- the slot pool ---- */

static struct load_msg *
load_msg_new(struct load *l)
{
	struct load_msg *m;
	char *chunk;
	size_t i;

	if (l->free == NULL) {
		chunk = xreallocarray(NULL, LOAD_POOL_CHUNK, l->slot_size);
		l->chunks = xreallocarray(l->chunks, l->nchunks + 1,
		    sizeof *l->chunks);
		l->chunks[l->nchunks++] = chunk;
		for (i = LOAD_POOL_CHUNK; i-- > 0;) {
			m = (struct load_msg *)(chunk + i * l->slot_size);
			m->free_next = l->free;
			l->free = m;
		}
	}
	m = l->free;
	l->free = m->free_next;
	l->in_use++;
	return m;
}

static void
load_msg_begin(struct load *l, struct load_session *ls)
{
	struct load_msg *m = load_msg_new(l);
	unsigned k;

	m->index = l->next_index++;
	m->sent = 0;
	m->nparts = l->msg.info.parts;
	m->ndone = m->nok = 0;
	m->in_live = m->expired = 0;
	for (k = 0; k < m->nparts; k++) {
		m->part[k].msg = m;
		m->part[k].id = NULL;
		m->part[k].same = NULL;
		m->part[k].state = LOAD_PART_UNSENT;
	}
	ls->cur = m;
	ls->next_part = 0;
}

/* Every part resolved: the slot goes back to the pool. */
static void
load_msg_end(struct load *l, struct load_msg *m)
{
	if (m->in_live) {
		TAILQ_REMOVE(&l->live, m, live);
		m->in_live = 0;
	}
	m->free_next = l->free;
	l->free = m;
	l->in_use--;
	load_check_done(l);
}

static void
load_part_id_free(struct load_part *p)
{
	if (p->id != NULL && p->id != p->idbuf)
		free(p->id);
	p->id = NULL;
}

static void
load_part_done(struct load *l, struct load_part *p)
{
	struct load_msg *m = p->msg;

	p->state = LOAD_PART_DONE;
	load_part_id_free(p);
	if (++m->ndone == m->nparts)
		load_msg_end(l, m);
}

/* ---- message ids ---- */

/* Lower case, leading zeros gone ("0" stays), at most LOAD_ID_MAX. */
static void
load_id_canon(const char *in, size_t len, char *out)
{
	size_t i = 0, n = 0;

	len = strnlen(in, len);
	while (i + 1 < len && in[i] == '0')
		i++;
	for (; i < len && n < LOAD_ID_MAX; i++)
		out[n++] = (char)(in[i] >= 'A' && in[i] <= 'Z' ?
		    in[i] - 'A' + 'a' : in[i]);
	out[n] = '\0';
}

/*
 * The same number written in the other base: decimal digits read and
 * written in hex (to_hex), or hex digits read and written in decimal.
 * 0 when id is not such a number (or overflows 64 bits).
 */
static int
load_id_rebase(const char *id, int to_hex, char *out, size_t cap)
{
	unsigned base = to_hex ? 10 : 16;
	uint64_t v = 0;
	unsigned d;
	const char *p;

	if (*id == '\0')
		return 0;
	for (p = id; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (!to_hex && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			return 0;
		if (v > (UINT64_MAX - d) / base)
			return 0;
		v = v * base + d;
	}
	snprintf(out, cap, to_hex ? "%" PRIx64 : "%" PRIu64, v);
	return strcmp(out, id) != 0;
}

static struct load_part *
load_ids_get(struct load *l, char *key)
{
	struct load_part find;

	find.id = key;
	return RB_FIND(load_ids, &l->ids, &find);
}

/*
 * The part awaiting a receipt for key (canonical), the first of those
 * given the same id; *converted is set when it took the other base.
 */
static struct load_part *
load_ids_find(struct load *l, char *key, int *converted)
{
	char other[LOAD_ID_MAX + 1];
	struct load_part *p;
	int to_hex;

	*converted = 0;
	if ((p = load_ids_get(l, key)) != NULL)
		return p;
	for (to_hex = 1; to_hex >= 0; to_hex--) {
		if (!load_id_rebase(key, to_hex, other, sizeof other) ||
		    (p = load_ids_get(l, other)) == NULL)
			continue;
		if (smpp_receipt_id_match(p->id, strlen(p->id), key,
		    strlen(key), SMPP_ID_HEX_DEC | SMPP_ID_DEC_HEX) ==
		    SMPP_ID_DIFFERENT)
			continue;
		*converted = 1;
		return p;
	}
	return NULL;
}

static void
load_ids_insert(struct load *l, struct load_part *p)
{
	struct load_part *head, *q;

	p->same = NULL;
	if ((head = RB_INSERT(load_ids, &l->ids, p)) == NULL)
		return;
	for (q = head; q->same != NULL; q = q->same)
		;
	q->same = p;
}

/* Takes p out of the tree (or out of its head's chain). */
static void
load_ids_remove(struct load *l, struct load_part *p)
{
	struct load_part *head = load_ids_get(l, p->id), *q;

	if (head == p) {
		RB_REMOVE(load_ids, &l->ids, p);
		if (p->same != NULL)
			RB_INSERT(load_ids, &l->ids, p->same);
	} else if (head != NULL) {
		for (q = head; q->same != NULL && q->same != p; q = q->same)
			;
		if (q->same == p)
			q->same = p->same;
	}
	p->same = NULL;
}

static void
load_part_set_id(struct load_part *p, const char *key)
{
	size_t n = strlen(key) + 1;

	p->id = n <= sizeof p->idbuf ? p->idbuf : xmalloc(n);
	memcpy(p->id, key, n);
}

/* ---- receipts ---- */

static struct load_early *
load_early_get(struct load *l, const char *key)
{
	struct load_early find;

	snprintf(find.id, sizeof find.id, "%s", key);
	return RB_FIND(load_earlies, &l->early, &find);
}

static void
load_early_drop(struct load *l, struct load_early *e)
{
	RB_REMOVE(load_earlies, &l->early, e);
	TAILQ_REMOVE(&l->early_order, e, order);
	free(e);
}

static void load_expire_arm(struct load *);

/* A receipt for an id we do not know yet: it may be ahead of its
 * submit_sm_resp. Kept for receipt_timeout. */
static void
load_early_add(struct load *l, const char *key, int64_t now)
{
	struct load_early *e;

	if (!l->cfg.receipts || l->finishing) {
		log_debug("load receipt-unmatched id=%s", key);
		l->st.receipts_unmatched++;
		return;
	}
	e = xmalloc(sizeof *e);
	snprintf(e->id, sizeof e->id, "%s", key);
	e->at = now;
	if (RB_INSERT(load_earlies, &l->early, e) != NULL) {
		free(e);			/* a second one: no use */
		log_debug("load receipt-unmatched id=%s", key);
		l->st.receipts_unmatched++;
		return;
	}
	TAILQ_INSERT_TAIL(&l->early_order, e, order);
	load_expire_arm(l);
}

/* The early receipt for an accepted part's id, in either base. */
static struct load_early *
load_early_find(struct load *l, const char *key, int *converted)
{
	char other[LOAD_ID_MAX + 1];
	struct load_early *e;
	int to_hex;

	*converted = 0;
	if (RB_EMPTY(&l->early))
		return NULL;
	if ((e = load_early_get(l, key)) != NULL)
		return e;
	for (to_hex = 1; to_hex >= 0; to_hex--) {
		if (load_id_rebase(key, to_hex, other, sizeof other) &&
		    (e = load_early_get(l, other)) != NULL) {
			*converted = 1;
			return e;
		}
	}
	return NULL;
}

static void
load_receipt_matched(struct load *l, struct load_part *p, int64_t at,
    int converted)
{
	l->st.receipts_matched++;
	l->st.receipts_converted += converted != 0;
	histogram_add(&l->st.receipt_latency, at - p->sent);
	load_part_done(l, p);
}

/*
 * The receipted id and message_state: the TLVs when present (no text to
 * parse), else what the Appendix B text says. *state is -1 when unknown.
 */
static void
load_receipt_fields(const struct smpp_pdu *req, char *id, int *state)
{
	const struct smpp_tlv *t;
	struct smpp_receipt r;
	const uint8_t *text;
	size_t len;

	id[0] = '\0';
	*state = -1;
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_receipted_message_id)) != NULL)
		load_id_canon((const char *)smpp_tlv_value(req, t), t->length,
		    id);
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_state)) != NULL)
		*state = (int)t->num;
	if (id[0] != '\0' && *state >= 0)
		return;
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_payload)) != NULL) {
		text = smpp_tlv_value(req, t);
		len = t->length;
	} else if (req->command_id == SMPP_CMD_deliver_sm) {
		text = req->u.deliver_sm.short_message;
		len = req->u.deliver_sm.sm_length;
	} else
		return;
	if (smpp_receipt_parse((const char *)text, len, &r) != SMPP_RECEIPT_OK)
		return;
	if (id[0] == '\0')
		load_id_canon(r.id, sizeof r.id, id);
	if (*state < 0)
		*state = r.state;
}

static void
load_receipt(struct load *l, const struct smpp_pdu *req, uint8_t esm_class)
{
	char key[LOAD_ID_MAX + 1];
	int64_t now = clock_now(l->clock);
	struct load_part *p;
	int state, converted;

	load_receipt_fields(req, key, &state);
	l->st.receipts++;
	l->st.last_receipt = now;
	l->st.receipts_by_state[state >= SMPP_STATE_ENROUTE &&
	    state <= SMPP_STATE_REJECTED ? state : 0]++;
	if (state == SMPP_STATE_ENROUTE || (esm_class & SMPP_ESM_TYPE_MASK) ==
	    SMPP_ESM_TYPE_INTERMEDIATE) {
		l->st.receipts_intermediate++;
		return;
	}
	if (key[0] == '\0') {
		l->st.receipts_unmatched++;
		return;
	}
	if ((p = load_ids_find(l, key, &converted)) == NULL) {
		load_early_add(l, key, now);
		return;
	}
	load_ids_remove(l, p);
	load_receipt_matched(l, p, now, converted);
}

/* ---- responses ---- */

static void
load_count_status(struct load_stats *st, uint32_t status)
{
	size_t i;

	for (i = 0; i < st->nstatus; i++)
		if (st->status[i].status == status) {
			st->status[i].count++;
			return;
		}
	if (st->nstatus == LOAD_MAX_STATUSES) {
		st->status_other++;
		return;
	}
	st->status[st->nstatus].status = status;
	st->status[st->nstatus++].count = 1;
}

/* An ESME_ROK: the part now awaits its receipt, or has it already. */
static void
load_accepted(struct load *l, struct load_part *p, const char *message_id)
{
	struct load_msg *m = p->msg;
	char key[LOAD_ID_MAX + 1];
	struct load_early *e;
	int64_t at;
	int converted;

	l->st.parts_accepted++;
	if (++m->nok == l->msg.info.parts)
		l->st.messages_accepted++;
	if (!l->cfg.receipts) {
		load_part_done(l, p);
		return;
	}
	l->st.receipts_expected++;
	if (m->expired) {
		l->st.receipts_missing++;
		load_part_done(l, p);
		return;
	}
	load_id_canon(message_id, LOAD_ID_MAX + 1, key);
	if ((e = load_early_find(l, key, &converted)) != NULL) {
		/* Dropped first: the match may end the run, which frees
		 * every early receipt. */
		at = e->at;
		load_early_drop(l, e);
		l->st.receipts_early++;
		load_receipt_matched(l, p, at, converted);
		return;
	}
	load_part_set_id(p, key);
	p->state = LOAD_PART_WAITING;
	load_ids_insert(l, p);
}

static void
load_response(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct load_part *p = arg;
	struct load_session *ls = smpp_session_arg(s);
	struct load *l = ls->load;
	int64_t now = clock_now(l->clock);

	l->outstanding--;
	if (resp == NULL) {
		l->st.no_response++;
		load_part_done(l, p);
		return;
	}
	l->st.responses++;
	l->st.last_response = now;
	histogram_add(&l->st.response_latency, now - p->sent);
	load_count_status(&l->st, resp->command_status);
	if (fail == SMPP_FAIL_NACK)
		l->st.generic_nacks++;
	if (fail != SMPP_FAIL_NONE || resp->command_status != SMPP_ESME_ROK)
		load_part_done(l, p);
	else
		load_accepted(l, p, resp->u.submit_sm_resp.message_id);
}

/* ---- receipt deadlines ---- */

/* Gives up on m's receipts; parts still unanswered learn it later. */
static void
load_msg_expire(struct load *l, struct load_msg *m)
{
	struct load_part *p;
	unsigned k;

	TAILQ_REMOVE(&l->live, m, live);
	m->in_live = 0;
	m->expired = 1;
	for (k = 0; k < m->nparts; k++) {
		p = &m->part[k];
		if (p->state != LOAD_PART_WAITING)
			continue;
		load_ids_remove(l, p);
		load_part_id_free(p);
		p->state = LOAD_PART_DONE;
		l->st.receipts_missing++;
		m->ndone++;
	}
	if (m->nparts > 0 && m->ndone == m->nparts)
		load_msg_end(l, m);
}

static void
load_expire_arm(struct load *l)
{
	struct load_msg *m = TAILQ_FIRST(&l->live);
	struct load_early *e = TAILQ_FIRST(&l->early_order);
	int64_t at = INT64_MAX;

	if (clock_timer_pending(l->t_expire) || l->finishing)
		return;
	if (m != NULL)
		at = m->sent;
	if (e != NULL && e->at < at)
		at = e->at;
	if (at != INT64_MAX)
		clock_timer_add(l->t_expire, at + l->cfg.receipt_timeout -
		    clock_now(l->clock));
}

static void
load_expire_fire(struct clock_timer *t, void *arg)
{
	struct load *l = arg;
	int64_t limit = clock_now(l->clock) - l->cfg.receipt_timeout;
	struct load_early *e;
	struct load_msg *m;

	(void)t;
	while ((e = TAILQ_FIRST(&l->early_order)) != NULL && e->at <= limit) {
		log_debug("load receipt-unmatched id=%s", e->id);
		l->st.receipts_unmatched++;
		load_early_drop(l, e);
	}
	while ((m = TAILQ_FIRST(&l->live)) != NULL && m->sent <= limit)
		load_msg_expire(l, m);
	load_expire_arm(l);
}

/* ---- sending ---- */

/* Whether one more message may begin now: count, stop and schedule. */
static int
load_may_begin(struct load *l)
{
	double due;

	if (l->stopping || l->next_index >= l->cfg.count)
		return 0;
	if (l->cfg.rate <= 0)
		return 1;
	/* Message i is due i / rate seconds after the start. */
	due = (double)l->next_index / l->cfg.rate * LOAD_USEC;
	return (double)(clock_now(l->clock) - l->st.start) >= due;
}

/* A session that cannot go on with its message: the rest stays unsent. */
static void
load_msg_abandon(struct load *l, struct load_session *ls)
{
	struct load_msg *m = ls->cur;

	ls->cur = NULL;
	l->st.parts_unsent += m->nparts - ls->next_part;
	m->nparts = ls->next_part;
	if (m->ndone == m->nparts)
		load_msg_end(l, m);
}

/* Sends the session's next part: 0, or -1 when it cannot now. */
static int
load_send_part(struct load_session *ls)
{
	struct load *l = ls->load;
	struct load_msg *m = ls->cur;
	struct load_part *p = &m->part[ls->next_part];
	struct smpp_pdu *pdu = load_message_pdu(&l->msg, m->index,
	    ls->next_part);
	int64_t now = clock_now(l->clock);

	if (smpp_session_send(ls->smpp, pdu, load_response, p) == -1) {
		if (errno == EAGAIN)
			ls->blocked = 1;
		else {
			log_warnx("%s send failed error=\"%s\"", ls->id,
			    strerror(errno));
			load_msg_abandon(l, ls);
		}
		return -1;
	}
	p->sent = now;
	p->state = LOAD_PART_SENT;
	l->outstanding++;
	l->st.parts_sent++;
	if (ls->next_part == 0) {
		m->sent = now;
		l->st.messages_sent++;
		if (l->cfg.receipts) {
			TAILQ_INSERT_TAIL(&l->live, m, live);
			m->in_live = 1;
			load_expire_arm(l);
		}
	}
	if (++ls->next_part == m->nparts)
		ls->cur = NULL;
	return 0;
}

/* Sends what the session may: the rest of its message, then up to max
 * new ones. Returns the messages begun. */
static unsigned
load_pump(struct load_session *ls, unsigned max)
{
	struct load *l = ls->load;
	unsigned begun = 0;

	while (ls->state == LOAD_SESSION_BOUND && !ls->blocked &&
	    !l->finishing) {
		if (ls->cur == NULL) {
			if (begun == max || !load_may_begin(l))
				break;
			load_msg_begin(l, ls);
			begun++;
		}
		if (load_send_part(ls) == -1)
			break;
	}
	return begun;
}

static void
load_tick_arm(struct load *l)
{
	int64_t due, delay;

	if (l->cfg.rate <= 0 || l->stopping || l->finishing ||
	    l->next_index >= l->cfg.count)
		return;
	due = l->st.start + (int64_t)((double)l->next_index / l->cfg.rate *
	    LOAD_USEC);
	delay = due - clock_now(l->clock);
	clock_timer_add(l->t_tick, delay < LOAD_TICK_MIN ? LOAD_TICK_MIN :
	    delay);
}

/*
 * Pacing: every message due by now goes out, one per session in turn so
 * the sessions share the rate; a session whose window is full waits for
 * its writable callback, which sends what has come due meanwhile.
 */
static void
load_tick(struct clock_timer *t, void *arg)
{
	struct load *l = arg;
	unsigned i, begun;

	(void)t;
	do {
		begun = 0;
		for (i = 0; i < l->nsenders; i++)
			begun += load_pump(&l->sessions[(l->rr + i) %
			    l->nsenders], 1);
		l->rr++;
	} while (begun > 0);
	load_tick_arm(l);
}

static void
load_begin_sending(struct load *l)
{
	unsigned i;

	l->started = 1;
	l->st.start = clock_now(l->clock);
	clock_timer_del(l->t_connect);
	log_info("load start sessions=%u messages=%" PRIu64 " parts=%u",
	    l->nsessions, l->cfg.count, l->msg.info.parts);
	if (l->cfg.rate > 0) {
		load_tick(l->t_tick, l);
		return;
	}
	for (i = 0; i < l->nsenders; i++)
		load_pump(&l->sessions[i], UINT_MAX);
}

/* ---- the end ---- */

static void
load_done_fire(evutil_socket_t fd, short what, void *arg)
{
	struct load *l = arg;

	(void)fd;
	(void)what;
	/* An interrupted run may hear responses while it unbinds. */
	if (l->st.last_response > l->st.end)
		l->st.end = l->st.last_response;
	if (l->st.last_receipt > l->st.end)
		l->st.end = l->st.last_receipt;
	if (l->done_fired++ == 0 && l->done != NULL)
		l->done(l, l->done_arg);
}

static void
load_maybe_done(struct load *l)
{
	if (l->finishing && l->open == 0)
		event_active(l->ev_done, EV_TIMEOUT, 0);
}

static void
load_session_enter(struct load_session *ls, enum load_session_state to)
{
	log_debug("%s state from=%s to=%s", ls->id,
	    load_session_state_names[ls->state], load_session_state_names[to]);
	if (to == LOAD_SESSION_CLOSED && ls->state != LOAD_SESSION_CLOSED)
		ls->load->open--;
	ls->state = to;
}

static void
load_session_end(struct load_session *ls)
{
	switch (ls->state) {
	case LOAD_SESSION_CONNECTING:
		bufferevent_free(ls->bev);
		ls->bev = NULL;
		load_session_enter(ls, LOAD_SESSION_CLOSED);
		break;
	case LOAD_SESSION_BINDING:
		load_session_enter(ls, LOAD_SESSION_UNBINDING);
		smpp_session_close(ls->smpp, "load finished");
		break;
	case LOAD_SESSION_BOUND:
		load_session_enter(ls, LOAD_SESSION_UNBINDING);
		if (smpp_session_unbind(ls->smpp) == -1)
			smpp_session_close(ls->smpp, "load finished");
		break;
	default:
		break;
	}
}

/*
 * The run is over: whatever still awaits a receipt is missing, receipts
 * that matched nothing are unmatched, and every session unbinds. done()
 * follows once every session has closed.
 */
static void
load_finish(struct load *l)
{
	struct load_early *e;
	struct load_msg *m;
	unsigned i;

	if (l->finishing)
		return;
	l->finishing = 1;
	l->stopping = 1;
	while ((m = TAILQ_FIRST(&l->live)) != NULL)
		load_msg_expire(l, m);
	l->st.end = clock_now(l->clock);
	clock_timer_del(l->t_tick);
	clock_timer_del(l->t_expire);
	clock_timer_del(l->t_connect);
	while ((e = TAILQ_FIRST(&l->early_order)) != NULL) {
		log_debug("load receipt-unmatched id=%s", e->id);
		l->st.receipts_unmatched++;
		load_early_drop(l, e);
	}
	log_info("load finish messages=%" PRIu64 " in_flight=%" PRIu64,
	    l->st.messages_sent, l->in_use);
	for (i = 0; i < l->nsessions; i++)
		load_session_end(&l->sessions[i]);
	load_maybe_done(l);
}

static void
load_check_done(struct load *l)
{
	if (l->finishing)
		return;
	if (!l->started) {
		if (l->stopping)
			load_finish(l);
		return;
	}
	if ((l->stopping || l->next_index >= l->cfg.count) && l->in_use == 0)
		load_finish(l);
}

static void
load_fail(struct load *l, const char *reason)
{
	load_error(l, "%s", reason);
	load_finish(l);
}

/* ---- sessions ---- */

static void
load_request(struct smpp_session *s, const struct smpp_pdu *req, void *arg)
{
	struct load_session *ls = arg;
	struct load *l = ls->load;
	struct smpp_pdu *resp = l->resp;
	uint8_t esm_class;

	resp->command_id = smpp_response_id(req->command_id);
	resp->command_status = SMPP_ESME_ROK;
	resp->sequence_number = req->sequence_number;
	switch (req->command_id) {
	case SMPP_CMD_deliver_sm:
		esm_class = req->u.deliver_sm.esm_class;
		resp->u.deliver_sm_resp.message_id[0] = '\0';
		break;
	case SMPP_CMD_data_sm:
		esm_class = req->u.data_sm.esm_class;
		resp->u.data_sm_resp.message_id[0] = '\0';
		break;
	default:
		resp->command_status = SMPP_ESME_RINVCMDID;
		smpp_session_respond(s, resp);
		return;
	}
	/* Answered first: the last receipt ends the run, and an unbound
	 * session could no longer answer it. */
	smpp_session_respond(s, resp);
	if ((esm_class & SMPP_ESM_TYPE_MASK) == SMPP_ESM_TYPE_RECEIPT ||
	    (esm_class & SMPP_ESM_TYPE_MASK) == SMPP_ESM_TYPE_INTERMEDIATE ||
	    smpp_pdu_find_tlv(req, SMPP_TLV_receipted_message_id) != NULL)
		load_receipt(l, req, esm_class);
	else
		l->st.mo++;
}

static void
load_writable(struct smpp_session *s, void *arg)
{
	struct load_session *ls = arg;

	(void)s;
	ls->blocked = 0;
	load_pump(ls, UINT_MAX);
}

static void
load_closed(struct smpp_session *s, const char *reason, void *arg)
{
	struct load_session *ls = arg;
	struct load *l = ls->load;
	enum load_session_state was = ls->state;
	unsigned i, senders = 0;

	(void)s;
	ls->smpp = NULL;
	load_session_enter(ls, LOAD_SESSION_CLOSED);
	if (was == LOAD_SESSION_BOUND || was == LOAD_SESSION_UNBINDING)
		l->st.sessions_bound -= l->st.sessions_bound > 0;
	log_info("%s closed reason=\"%s\"", ls->id, reason);
	if (ls->cur != NULL)
		load_msg_abandon(l, ls);
	if (!l->finishing) {
		l->st.sessions_lost++;
		load_error(l, "session %s ended: %s", ls->id, reason);
		for (i = 0; i < l->nsenders; i++)
			senders += l->sessions[i].state == LOAD_SESSION_BOUND;
		if (!l->started || senders == 0)
			load_finish(l);
	}
	load_maybe_done(l);
}

static const struct smpp_session_callbacks load_session_cbs = {
	.request = load_request,
	.writable = load_writable,
	.closed = load_closed,
};

static void
load_bound(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct load_session *ls = arg;
	struct load *l = ls->load;
	char why[160];
	const char *name;

	(void)s;
	if (ls->state != LOAD_SESSION_BINDING)
		return;
	if (resp == NULL || fail != SMPP_FAIL_NONE ||
	    resp->command_status != SMPP_ESME_ROK) {
		name = resp != NULL ? smpp_status_name(resp->command_status) :
		    NULL;
		snprintf(why, sizeof why, "%s: bind %s: %s", ls->id,
		    fail == SMPP_FAIL_NACK ? "answered with generic_nack" :
		    resp == NULL ? "got no response" : "refused",
		    name != NULL ? name : resp != NULL ? "unnamed status" :
		    fail == SMPP_FAIL_TIMEOUT ? "timeout" : "session closed");
		load_fail(l, why);
		return;
	}
	load_session_enter(ls, LOAD_SESSION_BOUND);
	log_info("%s bound type=%s system_id=%s", ls->id,
	    ls->receiver ? "rx" : load_bind_name(l->cfg.bind),
	    l->cfg.system_id);
	if (++l->st.sessions_bound == l->nsessions)
		load_begin_sending(l);
}

static void
load_session_bind(struct load_session *ls)
{
	struct load *l = ls->load;
	struct smpp_pdu *b = l->bind;
	uint32_t cmd = ls->receiver ? SMPP_CMD_bind_receiver :
	    l->cfg.bind == LOAD_BIND_TX ? SMPP_CMD_bind_transmitter :
	    SMPP_CMD_bind_transceiver;

	smpp_pdu_init(b, cmd, 0);
	/* bind_receiver, _transmitter and _transceiver share one layout. */
	snprintf(b->u.bind_transceiver.system_id,
	    sizeof b->u.bind_transceiver.system_id, "%s", l->cfg.system_id);
	snprintf(b->u.bind_transceiver.password,
	    sizeof b->u.bind_transceiver.password, "%s", l->cfg.password);
	b->u.bind_transceiver.interface_version = SMPP_VERSION_34;
	load_session_enter(ls, LOAD_SESSION_BINDING);
	if (smpp_session_send(ls->smpp, b, load_bound, ls) == -1)
		smpp_session_close(ls->smpp, "bind could not be sent");
}

/* Connected (TLS included): the SMPP session takes the bufferevent. */
static void
load_session_open(struct load_session *ls)
{
	struct load *l = ls->load;
	struct smpp_session_config c;
	evutil_socket_t fd = bufferevent_getfd(ls->bev);
	int one = 1;

	if (fd != -1)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	smpp_session_config_default(&c);
	c.window = ls->receiver ? 0 : l->cfg.window;
	c.response_timeout = l->cfg.response_timeout;
	ls->smpp = smpp_session_new(l->clock, ls->bev, SMPP_ROLE_ESME, &c,
	    &load_session_cbs, ls, ls->id);
	ls->bev = NULL;
	log_info("%s connect peer=%s tls=%d", ls->id, l->cfg.connect,
	    l->ssl != NULL);
	load_session_bind(ls);
}

static void
load_connect_event(struct bufferevent *bev, short what, void *arg)
{
	struct load_session *ls = arg;
	struct load *l = ls->load;
	char why[300];
	unsigned long ssl_err;
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		load_session_open(ls);
		return;
	}
	ssl_err = l->ssl != NULL ? bufferevent_get_openssl_error(bev) : 0;
	snprintf(why, sizeof why, "%s: connect %s: %s", ls->id,
	    l->cfg.connect, ssl_err != 0 ? ERR_reason_error_string(ssl_err) :
	    err != 0 ? evutil_socket_error_to_string(err) :
	    "connection closed");
	load_fail(l, why);
}

static int
load_session_connect(struct load *l, struct load_session *ls)
{
	SSL *ssl;

	if (l->ssl != NULL) {
		if ((ssl = SSL_new(l->ssl)) == NULL)
			fatalx("load SSL_new failed");
		SSL_set_tlsext_host_name(ssl, l->host);
		ls->bev = bufferevent_openssl_socket_new(l->base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		ls->bev = bufferevent_socket_new(l->base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
	if (ls->bev == NULL)
		fatalx("load bufferevent_socket_new failed");
	bufferevent_setcb(ls->bev, NULL, NULL, load_connect_event, ls);
	ls->state = LOAD_SESSION_CONNECTING;
	l->open++;
	return bufferevent_socket_connect(ls->bev,
	    (struct sockaddr *)&l->addr, l->addrlen);
}

static void
load_connect_timeout(struct clock_timer *t, void *arg)
{
	struct load *l = arg;
	char why[120];

	(void)t;
	snprintf(why, sizeof why, "not every session bound within %.3g s",
	    (double)l->cfg.connect_timeout / LOAD_USEC);
	load_fail(l, why);
}

/* ---- setting up ---- */

/* "host:port", "[v6]:port": the first address getaddrinfo() gives. */
static int
load_resolve(struct load *l, char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	const char *s = l->cfg.connect, *colon = strrchr(s, ':'), *h = s;
	size_t hlen;
	int rc;

	if (colon == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "--connect \"%s\": HOST:PORT", s);
		return -1;
	}
	hlen = (size_t)(colon - s);
	if (s[0] == '[' && hlen >= 2 && s[hlen - 1] == ']') {
		h = s + 1;
		hlen -= 2;
	}
	snprintf(l->host, sizeof l->host, "%.*s", (int)hlen, h);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(l->host, colon + 1, &hints, &res)) != 0) {
		snprintf(err, errlen, "--connect \"%s\": %s", s,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(&l->addr, res->ai_addr, res->ai_addrlen);
	l->addrlen = (int)res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
load_check_config(const struct load_config *c, char *err, size_t errlen)
{
	if (c->sessions < 1 || c->window < 1 || c->count < 1) {
		snprintf(err, errlen, "--sessions, --window and --count must "
		    "be at least 1");
		return -1;
	}
	if (!(c->rate >= 0) || isinf(c->rate)) {
		snprintf(err, errlen, "--rate must be 0 or more");
		return -1;
	}
	if (c->receipts && c->bind == LOAD_BIND_TX && c->rx_sessions == 0) {
		snprintf(err, errlen, "--receipts with --bind tx needs "
		    "--rx-sessions N: a transmitter receives no receipts");
		return -1;
	}
	if (c->receipts && c->receipt_timeout <= 0) {
		snprintf(err, errlen, "--receipt-timeout must be above 0");
		return -1;
	}
	return 0;
}

static void
load_sessions_new(struct load *l)
{
	struct load_session *ls;
	unsigned i;

	l->nsenders = l->cfg.sessions;
	l->nsessions = l->cfg.sessions + l->cfg.rx_sessions;
	l->sessions = xcalloc(l->nsessions, sizeof *l->sessions);
	for (i = 0; i < l->nsessions; i++) {
		ls = &l->sessions[i];
		ls->load = l;
		ls->receiver = i >= l->nsenders;
		ls->state = LOAD_SESSION_CLOSED;
		if (ls->receiver)
			snprintf(ls->id, sizeof ls->id, "load/rx%u",
			    i - l->nsenders + 1);
		else
			snprintf(ls->id, sizeof ls->id, "load/%u", i + 1);
	}
}

struct load *
load_new(struct event_base *base, struct clock *clock,
    const struct load_config *cfg, char *err, size_t errlen)
{
	struct load *l;

	if (load_check_config(cfg, err, errlen) == -1)
		return NULL;
	l = xcalloc(1, sizeof *l);
	l->base = base;
	l->clock = clock;
	l->cfg = *cfg;
	if (load_message_prepare(&l->msg, cfg, err, errlen) == -1) {
		free(l);
		return NULL;
	}
	if (load_resolve(l, err, errlen) == -1) {
		load_message_release(&l->msg);
		free(l);
		return NULL;
	}
	if (cfg->tls) {
		if ((l->ssl = SSL_CTX_new(TLS_client_method())) == NULL)
			fatalx("load SSL_CTX_new failed");
		SSL_CTX_set_verify(l->ssl, SSL_VERIFY_NONE, NULL);
	}
	load_sessions_new(l);
	l->slot_size = sizeof(struct load_msg) +
	    l->msg.info.parts * sizeof(struct load_part);
	TAILQ_INIT(&l->live);
	RB_INIT(&l->ids);
	RB_INIT(&l->early);
	TAILQ_INIT(&l->early_order);
	l->bind = xmalloc(sizeof *l->bind);
	smpp_pdu_init(l->bind, SMPP_CMD_bind_transceiver, 0);
	l->resp = xmalloc(sizeof *l->resp);
	smpp_pdu_init(l->resp, SMPP_CMD_deliver_sm_resp, 0);
	l->t_tick = clock_timer_new(clock, load_tick, l);
	l->t_expire = clock_timer_new(clock, load_expire_fire, l);
	l->t_connect = clock_timer_new(clock, load_connect_timeout, l);
	l->ev_done = event_new(base, -1, 0, load_done_fire, l);
	histogram_init(&l->st.response_latency);
	histogram_init(&l->st.receipt_latency);
	return l;
}

const struct load_message_info *
load_message_info(const struct load *l)
{
	return &l->msg.info;
}

void
load_start(struct load *l, void (*done)(struct load *, void *), void *arg)
{
	unsigned i;
	char why[300];

	l->done = done;
	l->done_arg = arg;
	if (l->cfg.connect_timeout > 0)
		clock_timer_add(l->t_connect, l->cfg.connect_timeout);
	for (i = 0; i < l->nsessions && !l->finishing; i++) {
		if (load_session_connect(l, &l->sessions[i]) == 0)
			continue;
		snprintf(why, sizeof why, "%s: connect %s: %s",
		    l->sessions[i].id, l->cfg.connect, strerror(errno));
		load_fail(l, why);
	}
}

void
load_stop(struct load *l)
{
	struct load_msg *m;

	l->st.interrupted = 1;
	if (l->stopping || l->finishing) {
		load_finish(l);
		return;
	}
	l->stopping = 1;
	clock_timer_del(l->t_tick);
	log_info("load stop messages=%" PRIu64, l->st.messages_sent);
	while ((m = TAILQ_FIRST(&l->live)) != NULL)
		load_msg_expire(l, m);
	load_check_done(l);
}

const struct load_stats *
load_stats(const struct load *l)
{
	return &l->st;
}

uint64_t
load_in_flight(const struct load *l)
{
	return l->in_use;
}

int
load_exit_status(const struct load *l)
{
	const struct load_stats *st = &l->st;

	if (st->error[0] != '\0' || st->interrupted ||
	    st->messages_sent < l->cfg.count || st->parts_unsent > 0 ||
	    st->no_response > 0)
		return 1;
	if (l->cfg.receipts && st->receipts_missing > 0)
		return 1;
	return 0;
}

void
load_free(struct load *l)
{
	struct load_early *e;
	struct load_part *p, *q;
	unsigned i;
	size_t c;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsessions; i++) {
		if (l->sessions[i].smpp != NULL)
			smpp_session_free(l->sessions[i].smpp);
		if (l->sessions[i].bev != NULL)
			bufferevent_free(l->sessions[i].bev);
	}
	free(l->sessions);
	while ((p = RB_MIN(load_ids, &l->ids)) != NULL) {
		RB_REMOVE(load_ids, &l->ids, p);
		for (; p != NULL; p = q) {
			q = p->same;
			load_part_id_free(p);
		}
	}
	while ((e = TAILQ_FIRST(&l->early_order)) != NULL)
		load_early_drop(l, e);
	for (c = 0; c < l->nchunks; c++)
		free(l->chunks[c]);
	free(l->chunks);
	clock_timer_free(l->t_tick);
	clock_timer_free(l->t_expire);
	clock_timer_free(l->t_connect);
	event_free(l->ev_done);
	smpp_pdu_release(l->bind);
	free(l->bind);
	smpp_pdu_release(l->resp);
	free(l->resp);
	load_message_release(&l->msg);
	SSL_CTX_free(l->ssl);
	free(l);
}
