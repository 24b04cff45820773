/*
 * The SMPP session: see session.h for the contract.
 *
 * Reading: session_read_cb() takes whole PDUs off the input buffer in a
 * loop (session_process_input) that stops as soon as the session is
 * closing or backpressure holds it; each PDU is decoded into one reused
 * struct and dispatched by session_handle(): responses match our window,
 * requests pass the issuer and state checks of commands.def, and the few
 * commands the session answers itself go to the handlers in
 * session_commands[].
 *
 * Writing: every PDU goes out through session_write(), which traces it and
 * applies backpressure. Our requests live in an RB tree keyed by sequence
 * number and, when they can time out, in a list by deadline behind one
 * clock timer for the session (set for the first); the peer's unanswered
 * requests in another tree, so smpp_session_respond() can check what it
 * is told.
 *
 * Ending: session_close() enters CLOSED at once, lets the output drain
 * (bounded by a linger timer), and then session_finish() runs from the
 * event loop: outstanding requests fail with SMPP_FAIL_CLOSED, cb->closed
 * is called, and the session frees itself. Nothing is freed earlier, so a
 * session pointer stays valid through every callback chain, whatever the
 * owner calls from inside it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
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
#include "smpp/session.h"

/* Callback parameters a handler has no use for. */
#define UNUSED	__attribute__((__unused__))

/* How long a closing session waits for its output to drain, when the
 * configuration has no unbind_timeout to borrow. */
#define SESSION_LINGER_DEFAULT	(5 * CLOCK_USEC_PER_SEC)

/* A request of ours awaiting its response. */
struct session_req {
	RB_ENTRY(session_req)	 entry;
	uint32_t		 seq;
	uint32_t		 command_id;
	int			 internal;	/* ours alone: outside window */
	smpp_response_cb	 cb;
	void			*arg;
	TAILQ_ENTRY(session_req) due_entry;	/* when timed */
	int64_t			 deadline;
	int			 timed;
};

/* A request of the peer's that the owner has not answered yet. */
struct session_peer_req {
	RB_ENTRY(session_peer_req) entry;
	uint32_t		 seq;
	uint64_t		 order;		/* a peer may reuse a number */
	uint32_t		 command_id;
};

RB_HEAD(session_reqs, session_req);
TAILQ_HEAD(session_due, session_req);
RB_HEAD(session_peer_reqs, session_peer_req);

struct smpp_session {
	char			*id;
	char			 peer[INET6_ADDRSTRLEN + 16];
	struct clock		*clock;
	struct bufferevent	*bev;
	struct event		*ev_finish;	/* the end, run from the loop */
	struct event		*ev_input;	/* input left after a pause */
	enum smpp_session_role	 role;
	enum smpp_session_state	 state;
	struct smpp_session_config cfg;
	const struct smpp_session_callbacks *cb;
	void			*arg;

	struct smpp_pdu		*in;		/* decode target, reused */
	struct smpp_pdu		*bind;		/* copy of the bind, or NULL */
	int			 bind_pending;	/* a bind awaits its response */
	int			 bound;		/* a bind succeeded */
	uint8_t			*wbuf;		/* encode buffer */
	size_t			 wbuf_cap;
	int			 wbuf_busy;	/* trace still reads wbuf */

	uint32_t		 next_seq;
	struct session_reqs	 reqs;
	struct session_due	 due;		/* timed reqs, by deadline */
	struct clock_timer	*t_reqs;	/* for the first of due */
	unsigned		 nowner;	/* owner's requests in reqs */
	int			 want_writable;	/* send() refused: EAGAIN */
	struct session_peer_reqs peer_reqs;
	unsigned		 npeer;
	uint64_t		 peer_order;
	int			 enquire_out;	/* our enquire_link in flight */
	int			 muted;		/* says nothing of its own */

	struct clock_timer	*t_enquire;
	struct clock_timer	*t_inactivity;
	struct clock_timer	*t_init;
	struct clock_timer	*t_linger;

	int			 paused;	/* backpressure holds reads */
	int			 in_process;	/* session_process_input runs */
	int			 closing;
	int			 lingering;	/* closing, output draining */
	char			 reason[200];
};

static int
session_req_cmp(struct session_req *a, struct session_req *b)
{
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
session_peer_req_cmp(struct session_peer_req *a, struct session_peer_req *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

TREE_GENERATE_STATIC(session_reqs, session_req, entry, session_req_cmp)
TREE_GENERATE_STATIC(session_peer_reqs, session_peer_req, entry,
    session_peer_req_cmp)

/* ---- states, as data ---- */

static const struct {
	const char	*name;
	unsigned	 mask;
} session_states[] = {
#define SMPP_SESSION_STATE_ROW(name, mask)	{ #name, mask },
	SMPP_SESSION_STATES(SMPP_SESSION_STATE_ROW)
#undef SMPP_SESSION_STATE_ROW
};

#define SESSION_NSTATES	(sizeof session_states / sizeof session_states[0])

const char *
smpp_session_state_name(enum smpp_session_state state)
{
	if ((size_t)state >= SESSION_NSTATES)
		return "unknown";
	return session_states[state].name;
}

unsigned
smpp_session_state_mask(enum smpp_session_state state)
{
	if ((size_t)state >= SESSION_NSTATES)
		return 0;
	return session_states[state].mask;
}

static int
session_state_bound(enum smpp_session_state state)
{
	return (smpp_session_state_mask(state) & SMPP_S_BOUND) != 0;
}

/* The state a bind (request or response id) leads to; CLOSED: no bind. */
static enum smpp_session_state
session_bind_state(uint32_t command_id)
{
	switch (command_id & ~SMPP_RESP_BIT) {
	case SMPP_CMD_bind_receiver:
		return SMPP_STATE_BOUND_RX;
	case SMPP_CMD_bind_transmitter:
		return SMPP_STATE_BOUND_TX;
	case SMPP_CMD_bind_transceiver:
		return SMPP_STATE_BOUND_TRX;
	default:
		return SMPP_STATE_CLOSED;
	}
}

static int
session_is_bind(uint32_t command_id)
{
	return !smpp_is_response(command_id) &&
	    session_bind_state(command_id) != SMPP_STATE_CLOSED;
}

/* The one place the state changes: logged, and told to the owner. */
static void
session_enter_state(struct smpp_session *s, enum smpp_session_state to)
{
	enum smpp_session_state from = s->state;

	if (from == to)
		return;
	s->state = to;
	log_info("%s state from=%s to=%s", s->id,
	    smpp_session_state_name(from), smpp_session_state_name(to));
	if (to != SMPP_STATE_OPEN)
		clock_timer_del(s->t_init);
	if (s->cb->state != NULL)
		s->cb->state(s, from, to, s->arg);
}

/* ---- small helpers ---- */

static int
session_fail(int error)
{
	errno = error;
	return -1;
}

static const char *
session_status_name(uint32_t status)
{
	const char *name = smpp_status_name(status);

	return name != NULL ? name : "unknown";
}

/* Wire text for a log value: no quotes, no control characters. */
static const char *
session_printable(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < cap && src[i] != '\0'; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"' ?
		    src[i] : '?';
	dst[i] = '\0';
	return dst;
}

/* A muted session drops what it would answer itself: true then. */
static int
session_silent(struct smpp_session *s, const char *what, uint32_t command_id,
    uint32_t seq)
{
	if (!s->muted)
		return 0;
	log_debug("%s muted drop=%s command=%s seq=%u", s->id, what,
	    smpp_command_name(command_id), seq);
	return 1;
}

/* The issuer bit of a role, as commands.def spells who sends what. */
static unsigned
session_issuer(enum smpp_session_role role)
{
	return role == SMPP_ROLE_ESME ? SMPP_ISSUER_ESME : SMPP_ISSUER_SMSC;
}

static unsigned
session_peer_issuer(const struct smpp_session *s)
{
	return session_issuer(s->role == SMPP_ROLE_ESME ? SMPP_ROLE_SMSC :
	    SMPP_ROLE_ESME);
}

static uint32_t
session_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* ---- writing ---- */

static void session_close(struct smpp_session *, const char *, int);

/* Stops reading while the output holds more than out_high octets. */
static void
session_check_output(struct smpp_session *s)
{
	size_t out = evbuffer_get_length(bufferevent_get_output(s->bev));

	if (s->cfg.out_high == 0 || s->paused || s->closing ||
	    out <= s->cfg.out_high)
		return;
	s->paused = 1;
	bufferevent_disable(s->bev, EV_READ);
	log_debug("%s backpressure pause output=%zu", s->id, out);
}

/* The encode buffer; a fresh one while a trace callback still reads the
 * shared one (the owner may send from inside trace). */
static uint8_t *
session_wbuf(struct smpp_session *s, size_t need)
{
	if (s->wbuf_busy)
		return xmalloc(need);
	if (need > s->wbuf_cap) {
		s->wbuf = xreallocarray(s->wbuf, need, 1);
		s->wbuf_cap = need;
	}
	return s->wbuf;
}

/* Encodes pdu onto the output. -1 with EINVAL when it does not encode. */
static int
session_write(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	struct smpp_error	 err;
	size_t			 need = smpp_pdu_size(pdu), len;
	uint8_t			*buf;
	int			 shared = !s->wbuf_busy, rc = -1;

	if (need < SMPP_HEADER_LEN)
		need = SMPP_HEADER_LEN;
	buf = session_wbuf(s, need);
	if (smpp_pdu_encode(pdu, buf, need, &len, &err) != SMPP_OK) {
		log_warnx("%s encode error command=%s field=%s reason=\"%s\"",
		    s->id, smpp_command_name(pdu->command_id),
		    err.field != NULL ? err.field : "-", err.reason);
		errno = EINVAL;
	} else if (evbuffer_add(bufferevent_get_output(s->bev), buf,
	    len) == -1)
		errno = ENOMEM;
	else {
		log_debug("%s pdu dir=out command=%s seq=%u status=%s len=%zu",
		    s->id, smpp_command_name(pdu->command_id),
		    pdu->sequence_number,
		    session_status_name(pdu->command_status), len);
		if (s->cb->trace != NULL) {
			s->wbuf_busy += shared;
			s->cb->trace(s, SMPP_DIR_OUT, buf, len, pdu, s->arg);
			s->wbuf_busy -= shared;
		}
		session_check_output(s);
		rc = 0;
	}
	if (!shared)
		free(buf);
	return rc;
}

/* Writes a header-only PDU (our enquire_link and unbind, their
 * responses, generic_nack and every error response). */
static int
session_write_header(struct smpp_session *s, uint32_t command_id,
    uint32_t status, uint32_t seq)
{
	struct smpp_pdu *p;
	int rc;

	/*
	 * Rare (enquire_link, unbind, refusals), so the 20 KB struct is not
	 * kept per session: idle sessions must stay small.
	 */
	p = xmalloc(sizeof *p);
	smpp_pdu_init(p, command_id, seq);
	p->command_status = status;
	p->has_body = 0;
	rc = session_write(s, p);
	smpp_pdu_release(p);
	free(p);
	return rc;
}

/* Answers a request the session refuses: its response, or generic_nack
 * for a command that has none. */
static void
session_reject(struct smpp_session *s, const struct smpp_pdu *req,
    const struct smpp_command_info *ci, uint32_t status)
{
	uint32_t id = ci == NULL || (ci->flags & SMPP_CF_NORESP) ?
	    SMPP_CMD_generic_nack : smpp_response_id(req->command_id);

	if (session_silent(s, "reject", req->command_id, req->sequence_number))
		return;
	log_info("%s reject command=%s seq=%u status=%s state=%s", s->id,
	    smpp_command_name(req->command_id), req->sequence_number,
	    session_status_name(status), smpp_session_state_name(s->state));
	session_write_header(s, id, status, req->sequence_number);
}

/* ---- our requests: the window ---- */

static uint32_t
session_next_seq(struct smpp_session *s)
{
	struct session_req	key;

	/* After a wrap, skip a number still awaiting its response. */
	do {
		key.seq = s->next_seq;
		s->next_seq = key.seq >= SMPP_SEQ_MAX ? 1 : key.seq + 1;
	} while (RB_FIND(session_reqs, &s->reqs, &key) != NULL);
	return key.seq;
}

static int
session_window_room(const struct smpp_session *s)
{
	return s->cfg.window == 0 || s->nowner < s->cfg.window;
}

/* Sets the session's request timer for the first deadline, if any. */
static void
session_due_arm(struct smpp_session *s)
{
	struct session_req *first = TAILQ_FIRST(&s->due);

	/* A closing session's requests fail in session_finish(). */
	if (first == NULL || s->closing)
		clock_timer_del(s->t_reqs);
	else
		clock_timer_add(s->t_reqs,
		    first->deadline - clock_now_cached(s->clock));
}

/*
 * Into the deadline list: from its end, as requests nearly always share
 * one timeout and so come in deadline order.
 */
static void
session_due_insert(struct smpp_session *s, struct session_req *r,
    int64_t timeout)
{
	struct session_req *q;

	r->deadline = clock_now_cached(s->clock) + timeout;
	r->timed = 1;
	TAILQ_FOREACH_REVERSE(q, &s->due, session_due, due_entry)
		if (q->deadline <= r->deadline)
			break;
	if (q != NULL)
		TAILQ_INSERT_AFTER(&s->due, q, r, due_entry);
	else
		TAILQ_INSERT_HEAD(&s->due, r, due_entry);
	if (TAILQ_FIRST(&s->due) == r)
		session_due_arm(s);
}

static void
session_due_remove(struct smpp_session *s, struct session_req *r)
{
	int first = TAILQ_FIRST(&s->due) == r;

	if (!r->timed)
		return;
	r->timed = 0;
	TAILQ_REMOVE(&s->due, r, due_entry);
	/* A later first only moves the timer's deadline (clock.c). */
	if (first)
		session_due_arm(s);
}

static void
session_req_add(struct smpp_session *s, uint32_t seq, uint32_t command_id,
    smpp_response_cb cb, void *arg, int internal, int64_t timeout)
{
	struct session_req *r = xcalloc(1, sizeof *r);

	r->seq = seq;
	r->command_id = command_id;
	r->cb = cb;
	r->arg = arg;
	r->internal = internal;
	if (timeout > 0 && !s->closing)
		session_due_insert(s, r, timeout);
	RB_INSERT(session_reqs, &s->reqs, r);
	if (!internal)
		s->nowner++;
}

/* A bind of ours (ESME) or of the peer's (SMSC) got its answer. */
static void
session_bind_result(struct smpp_session *s, uint32_t command_id,
    uint32_t status)
{
	s->bind_pending = 0;
	log_debug("%s bind command=%s status=%s", s->id,
	    smpp_command_name(command_id), session_status_name(status));
	if (status == SMPP_ESME_ROK && s->state == SMPP_STATE_OPEN) {
		s->bound = 1;
		session_enter_state(s, session_bind_state(command_id));
		return;
	}
	/* Refused: OPEN still; the owner decides whether to close. */
	if (s->bind != NULL && !s->bound) {
		smpp_pdu_release(s->bind);
		free(s->bind);
		s->bind = NULL;
	}
}

static void
session_bind_keep(struct smpp_session *s, const struct smpp_pdu *bind)
{
	if (s->bind == NULL) {
		s->bind = xmalloc(sizeof *s->bind);
		smpp_pdu_init(s->bind, 0, 0);
	}
	if (smpp_pdu_copy(s->bind, bind) == -1)
		fatalx("%s bind copy: out of memory", s->id);
	s->bind_pending = 1;
}

/* What an answer to a bind amounts to: nothing or generic_nack never
 * binds, whatever its status says. */
static uint32_t
session_bind_status(const struct smpp_pdu *resp)
{
	if (resp == NULL || (resp->command_id == SMPP_CMD_generic_nack &&
	    resp->command_status == SMPP_ESME_ROK))
		return SMPP_ESME_RBINDFAIL;
	return resp->command_status;
}

/* Tells the owner when the window has room again after a refusal. */
static void
session_maybe_writable(struct smpp_session *s)
{
	if (!s->want_writable || s->closing || !session_window_room(s))
		return;
	s->want_writable = 0;
	if (s->cb->writable != NULL)
		s->cb->writable(s, s->arg);
}

/* Ends one request: out of the tree, then its callback. */
static void
session_req_done(struct smpp_session *s, struct session_req *r,
    const struct smpp_pdu *resp, enum smpp_session_failure fail)
{
	RB_REMOVE(session_reqs, &s->reqs, r);
	session_due_remove(s, r);
	if (!r->internal)
		s->nowner--;
	if (session_is_bind(r->command_id))
		session_bind_result(s, r->command_id,
		    session_bind_status(resp));
	if (r->cb != NULL)
		r->cb(s, resp, fail, r->arg);
	free(r);
	session_maybe_writable(s);
}

/* The first deadline passed: every request due by now times out. */
static void
session_reqs_fire(struct clock_timer *t UNUSED, void *arg)
{
	struct smpp_session	*s = arg;
	struct session_req	*r;
	int64_t			 now = clock_now_cached(s->clock);

	/* A closing session's requests wait for session_finish(). */
	while (!s->closing && (r = TAILQ_FIRST(&s->due)) != NULL &&
	    r->deadline <= now) {
		log_info("%s response timeout command=%s seq=%u", s->id,
		    smpp_command_name(r->command_id), r->seq);
		session_req_done(s, r, NULL, SMPP_FAIL_TIMEOUT);
	}
	if (!s->closing && !clock_timer_pending(s->t_reqs))
		session_due_arm(s);
}

/* Sends one of the session's own header-only requests; returns its
 * sequence number, or 0. */
static uint32_t
session_send_internal(struct smpp_session *s, uint32_t command_id,
    int64_t timeout, smpp_response_cb done)
{
	uint32_t seq = session_next_seq(s);

	if (session_write_header(s, command_id, 0, seq) == -1)
		return 0;
	session_req_add(s, seq, command_id, done, NULL, 1, timeout);
	return seq;
}

static void
session_enquire_link_done(struct smpp_session *s,
    const struct smpp_pdu *resp UNUSED, enum smpp_session_failure fail,
    void *arg UNUSED)
{
	s->enquire_out = 0;
	if (fail == SMPP_FAIL_TIMEOUT)
		session_close(s, "enquire_link timeout", 1);
}

static void
session_unbind_done(struct smpp_session *s,
    const struct smpp_pdu *resp UNUSED, enum smpp_session_failure fail,
    void *arg UNUSED)
{
	if (fail == SMPP_FAIL_TIMEOUT)
		session_close(s, "unbind timeout", 1);
	else if (fail != SMPP_FAIL_CLOSED)
		session_close(s, "unbound", 1);
}

/* ---- timers ---- */

/* Something arrived: the peer is alive. */
static void
session_touch(struct smpp_session *s)
{
	if (s->cfg.enquire_link_interval > 0)
		clock_timer_add(s->t_enquire, s->cfg.enquire_link_interval);
	if (s->cfg.inactivity_timeout > 0)
		clock_timer_add(s->t_inactivity, s->cfg.inactivity_timeout);
}

static void
session_enquire_fire(struct clock_timer *t UNUSED, void *arg)
{
	struct smpp_session	*s = arg;
	int64_t			 timeout = s->cfg.response_timeout;

	clock_timer_add(s->t_enquire, s->cfg.enquire_link_interval);
	if (s->enquire_out || s->muted || (s->state != SMPP_STATE_OPEN &&
	    !session_state_bound(s->state)))
		return;
	/* With response timers off, one interval is the wait. */
	if (timeout == 0)
		timeout = s->cfg.enquire_link_interval;
	if (session_send_internal(s, SMPP_CMD_enquire_link, timeout,
	    session_enquire_link_done) != 0)
		s->enquire_out = 1;
}

static void
session_inactivity_fire(struct clock_timer *t UNUSED, void *arg)
{
	session_close(arg, "inactivity timeout", 1);
}

static void
session_init_fire(struct clock_timer *t UNUSED, void *arg)
{
	struct smpp_session *s = arg;

	if (s->state == SMPP_STATE_OPEN)
		session_close(s, "session init timeout", 1);
}

static void
session_finish_soon(struct smpp_session *s)
{
	s->lingering = 0;
	clock_timer_del(s->t_linger);
	event_active(s->ev_finish, EV_TIMEOUT, 0);
}

static void
session_linger_fire(struct clock_timer *t UNUSED, void *arg)
{
	struct smpp_session *s = arg;

	log_info("%s linger expired output=%zu", s->id,
	    evbuffer_get_length(bufferevent_get_output(s->bev)));
	session_finish_soon(s);
}

static void
session_timers_stop(struct smpp_session *s)
{
	clock_timer_del(s->t_enquire);
	clock_timer_del(s->t_inactivity);
	clock_timer_del(s->t_init);
	clock_timer_del(s->t_reqs);
}

/* ---- closing ---- */

/*
 * Enters CLOSED and stops reading at once; with flush, octets already
 * written (a generic_nack, an unbind_resp, a bind refusal) get the linger
 * time to reach the peer. The end itself runs from the loop.
 */
static void
session_close(struct smpp_session *s, const char *reason, int flush)
{
	int64_t linger = s->cfg.unbind_timeout > 0 ? s->cfg.unbind_timeout :
	    SESSION_LINGER_DEFAULT;

	if (s->closing)
		return;
	s->closing = 1;
	snprintf(s->reason, sizeof s->reason, "%s", reason);
	session_timers_stop(s);
	bufferevent_disable(s->bev, EV_READ);
	session_enter_state(s, SMPP_STATE_CLOSED);
	if (flush &&
	    evbuffer_get_length(bufferevent_get_output(s->bev)) > 0) {
		s->lingering = 1;
		/* The write callback now fires once the output is empty. */
		bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
		clock_timer_add(s->t_linger, linger);
		return;
	}
	session_finish_soon(s);
}

static void
session_free(struct smpp_session *s)
{
	struct session_peer_req	*p;
	SSL			*ssl = bufferevent_openssl_get_ssl(s->bev);

	while ((p = RB_MIN(session_peer_reqs, &s->peer_reqs)) != NULL) {
		RB_REMOVE(session_peer_reqs, &s->peer_reqs, p);
		free(p);
	}
	clock_timer_free(s->t_enquire);
	clock_timer_free(s->t_inactivity);
	clock_timer_free(s->t_init);
	clock_timer_free(s->t_linger);
	clock_timer_free(s->t_reqs);
	event_free(s->ev_finish);
	event_free(s->ev_input);
	/* A close_notify lets a TLS peer tell our end from a cut line. */
	if (ssl != NULL && SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);
	ERR_clear_error();
	bufferevent_free(s->bev);
	smpp_pdu_release(s->in);
	free(s->in);
	if (s->bind != NULL)
		smpp_pdu_release(s->bind);
	free(s->bind);
	free(s->wbuf);
	free(s->id);
	free(s);
}

/* From the loop: fail what is outstanding, tell the owner, free. */
static void
session_finish(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct smpp_session	*s = arg;
	struct session_req	*r;

	while ((r = RB_MIN(session_reqs, &s->reqs)) != NULL)
		session_req_done(s, r, NULL, SMPP_FAIL_CLOSED);
	log_info("%s closed reason=\"%s\" peer_unanswered=%u", s->id,
	    s->reason, s->npeer);
	s->cb->closed(s, s->reason, s->arg);
	session_free(s);
}

/* The owner is going away: nothing is called back. */
void
smpp_session_free(struct smpp_session *s)
{
	struct session_req	*r;

	if (s == NULL)
		return;
	while ((r = RB_MIN(session_reqs, &s->reqs)) != NULL) {
		RB_REMOVE(session_reqs, &s->reqs, r);
		free(r);
	}
	session_free(s);
}

/* ---- the peer's requests ---- */

static struct session_peer_req *
session_peer_find(struct smpp_session *s, uint32_t seq)
{
	struct session_peer_req key, *p;

	key.seq = seq;
	key.order = 0;
	p = RB_NFIND(session_peer_reqs, &s->peer_reqs, &key);
	return p != NULL && p->seq == seq ? p : NULL;
}

/* Hands a request to the owner, remembering it awaits an answer. */
static void
session_pass_request(struct smpp_session *s, const struct smpp_pdu *req,
    const struct smpp_command_info *ci)
{
	struct session_peer_req *p;

	if (!(ci->flags & SMPP_CF_NORESP)) {
		p = xcalloc(1, sizeof *p);
		p->seq = req->sequence_number;
		p->order = ++s->peer_order;
		p->command_id = req->command_id;
		RB_INSERT(session_peer_reqs, &s->peer_reqs, p);
		s->npeer++;
	}
	if (s->cb->request != NULL)
		s->cb->request(s, req, s->arg);
}

static void
session_in_request(struct smpp_session *s, const struct smpp_pdu *req,
    const struct smpp_command_info *ci)
{
	if (!(ci->states & smpp_session_state_mask(s->state))) {
		session_reject(s, req, ci, SMPP_ESME_RINVBNDSTS);
		return;
	}
	session_pass_request(s, req, ci);
}

/* Only an SMSC-role session gets here: ESMEs issue binds. */
static void
session_in_bind(struct smpp_session *s, const struct smpp_pdu *req,
    const struct smpp_command_info *ci)
{
	char sysid[32];

	if (session_state_bound(s->state) || (s->state == SMPP_STATE_OPEN &&
	    s->bind_pending)) {
		session_reject(s, req, ci, SMPP_ESME_RALYBND);
		return;
	}
	if (s->state != SMPP_STATE_OPEN) {
		session_reject(s, req, ci, SMPP_ESME_RINVBNDSTS);
		return;
	}
	session_bind_keep(s, req);
	/* The three bind bodies share one layout; read the one present. */
	log_debug("%s bind command=%s system_id=\"%s\" peer=%s", s->id,
	    ci->name, session_printable(sysid, sizeof sysid,
	    req->command_id == SMPP_CMD_bind_receiver ?
	    req->u.bind_receiver.system_id :
	    req->command_id == SMPP_CMD_bind_transmitter ?
	    req->u.bind_transmitter.system_id :
	    req->u.bind_transceiver.system_id), s->peer);
	session_pass_request(s, req, ci);
}

/* Answered in any state the session still reads in. */
static void
session_in_enquire_link(struct smpp_session *s, const struct smpp_pdu *req,
    const struct smpp_command_info *ci UNUSED)
{
	if (session_silent(s, "enquire_link", req->command_id,
	    req->sequence_number))
		return;
	session_write_header(s, SMPP_CMD_enquire_link_resp, SMPP_ESME_ROK,
	    req->sequence_number);
}

static void
session_in_unbind(struct smpp_session *s, const struct smpp_pdu *req,
    const struct smpp_command_info *ci)
{
	if (session_silent(s, "unbind", req->command_id,
	    req->sequence_number))
		return;
	/* UNBOUND too: both ends unbinding at once still agree. */
	if (!session_state_bound(s->state) &&
	    s->state != SMPP_STATE_UNBOUND) {
		session_reject(s, req, ci, SMPP_ESME_RINVBNDSTS);
		return;
	}
	session_write_header(s, SMPP_CMD_unbind_resp, SMPP_ESME_ROK,
	    req->sequence_number);
	session_enter_state(s, SMPP_STATE_UNBOUND);
	session_close(s, "unbound by peer", 1);
}

/* Requests the session handles itself; the rest go to the owner. */
static const struct session_command {
	uint32_t	 command_id;
	void		(*in)(struct smpp_session *, const struct smpp_pdu *,
			    const struct smpp_command_info *);
} session_commands[] = {
	{ SMPP_CMD_bind_receiver,	session_in_bind },
	{ SMPP_CMD_bind_transmitter,	session_in_bind },
	{ SMPP_CMD_bind_transceiver,	session_in_bind },
	{ SMPP_CMD_enquire_link,	session_in_enquire_link },
	{ SMPP_CMD_unbind,		session_in_unbind },
};

static void
session_in_response(struct smpp_session *s, const struct smpp_pdu *resp)
{
	struct session_req key, *r;

	key.seq = resp->sequence_number;
	if ((r = RB_FIND(session_reqs, &s->reqs, &key)) == NULL) {
		log_warnx("%s unexpected response command=%s seq=%u status=%s",
		    s->id, smpp_command_name(resp->command_id),
		    resp->sequence_number,
		    session_status_name(resp->command_status));
		return;
	}
	if (resp->command_id == SMPP_CMD_generic_nack) {
		log_info("%s generic_nack command=%s seq=%u status=%s", s->id,
		    smpp_command_name(r->command_id), r->seq,
		    session_status_name(resp->command_status));
		session_req_done(s, r, resp, SMPP_FAIL_NACK);
		return;
	}
	if (resp->command_id != smpp_response_id(r->command_id)) {
		log_warnx("%s mismatched response command=%s seq=%u sent=%s",
		    s->id, smpp_command_name(resp->command_id), r->seq,
		    smpp_command_name(r->command_id));
		return;
	}
	session_req_done(s, r, resp, SMPP_FAIL_NONE);
}

static void
session_handle(struct smpp_session *s, const struct smpp_pdu *pdu)
{
	const struct smpp_command_info	*ci;
	size_t				 i;

	if (smpp_is_response(pdu->command_id)) {
		session_in_response(s, pdu);
		return;
	}
	ci = smpp_command_lookup(pdu->command_id);	/* known: it decoded */
	if (ci == NULL || !(ci->issuer & session_peer_issuer(s))) {
		log_info("%s wrong issuer command=%s seq=%u", s->id,
		    smpp_command_name(pdu->command_id), pdu->sequence_number);
		if (session_silent(s, "nack", pdu->command_id,
		    pdu->sequence_number))
			return;
		session_write_header(s, SMPP_CMD_generic_nack,
		    SMPP_ESME_RINVCMDID, pdu->sequence_number);
		return;
	}
	for (i = 0; i < sizeof session_commands / sizeof session_commands[0];
	    i++) {
		if (session_commands[i].command_id == pdu->command_id) {
			session_commands[i].in(s, pdu, ci);
			return;
		}
	}
	session_in_request(s, pdu, ci);
}

/* ---- reading ---- */

/* A PDU that did not decode, answered as the codec says. */
static void
session_decode_error(struct smpp_session *s, const struct smpp_error *err)
{
	log_warnx("%s decode error command=%s seq=%u status=%s field=%s "
	    "offset=%zu reason=\"%s\"", s->id,
	    smpp_command_name(err->command_id), err->sequence_number,
	    session_status_name(err->status),
	    err->field != NULL ? err->field : "-", err->offset, err->reason);
	if (session_silent(s, "decode error", err->command_id,
	    err->sequence_number))
		return;
	switch (err->reply) {
	case SMPP_REPLY_GENERIC_NACK:
		session_write_header(s, SMPP_CMD_generic_nack, err->status,
		    err->sequence_number);
		break;
	case SMPP_REPLY_RESPONSE:
		session_write_header(s, smpp_response_id(err->command_id),
		    err->status, err->sequence_number);
		break;
	case SMPP_REPLY_NONE:
		break;
	}
}

/* A length outside 16..max_pdu: the stream cannot be framed any more. */
static void
session_bad_frame(struct smpp_session *s, const uint8_t *hdr, size_t n,
    const struct smpp_error *err)
{
	char reason[160];

	log_warnx("%s bad frame reason=\"%s\"", s->id, err->reason);
	if (s->cb->trace != NULL)
		s->cb->trace(s, SMPP_DIR_IN, hdr, n, NULL, s->arg);
	if (!session_silent(s, "bad frame", SMPP_CMD_generic_nack, 0))
		session_write_header(s, SMPP_CMD_generic_nack,
		    SMPP_ESME_RINVCMDLEN, 0);
	snprintf(reason, sizeof reason, "bad frame: %s", err->reason);
	session_close(s, reason, 1);
}

/*
 * Takes one PDU off the input. Returns 1 when one was handled, 0 when
 * more octets are needed or the stream is broken.
 */
static int
session_read_one(struct smpp_session *s)
{
	struct evbuffer		*in = bufferevent_get_input(s->bev);
	struct smpp_limits	 limits = { .max_pdu = s->cfg.max_pdu };
	struct smpp_error	 err;
	enum smpp_result	 res;
	size_t			 avail = evbuffer_get_length(in), peek;
	uint8_t			 hdr[8], *buf;
	uint32_t		 len;

	if (avail < 4)
		return 0;
	peek = avail < sizeof hdr ? avail : sizeof hdr;
	if (evbuffer_copyout(in, hdr, peek) != (ev_ssize_t)peek)
		return 0;
	/* The length is judged before one body octet is waited for. */
	if (smpp_frame(hdr, peek, s->cfg.max_pdu, &len, &err) == SMPP_ERROR) {
		session_bad_frame(s, hdr, peek, &err);
		return 0;
	}
	len = session_get32(hdr);
	if (avail < len || (buf = evbuffer_pullup(in, len)) == NULL)
		return 0;
	res = smpp_pdu_decode(s->in, buf, len, &limits, &err);
	log_debug("%s pdu dir=in command=%s seq=%u status=%s len=%u", s->id,
	    smpp_command_name(s->in->command_id), s->in->sequence_number,
	    session_status_name(s->in->command_status), len);
	if (s->cb->trace != NULL)
		s->cb->trace(s, SMPP_DIR_IN, buf, len,
		    res == SMPP_OK ? s->in : NULL, s->arg);
	evbuffer_drain(in, len);
	session_touch(s);
	if (res != SMPP_OK)
		session_decode_error(s, &err);
	else
		session_handle(s, s->in);
	return 1;
}

/* Every whole PDU already buffered, until closing or backpressure. */
static void
session_process_input(struct smpp_session *s)
{
	if (s->in_process)
		return;		/* the outer loop carries on */
	s->in_process = 1;
	while (!s->closing && !s->paused && session_read_one(s))
		;
	s->in_process = 0;
}

static void
session_read_cb(struct bufferevent *bev UNUSED, void *arg)
{
	session_process_input(arg);
}

static void
session_input_fire(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	session_process_input(arg);
}

/* Output drained: to out_high / 2 (resume reading) or, while closing,
 * to nothing (finish). */
static void
session_write_cb(struct bufferevent *bev, void *arg)
{
	struct smpp_session	*s = arg;
	size_t			 out;

	out = evbuffer_get_length(bufferevent_get_output(bev));
	if (s->lingering) {
		if (out == 0)
			session_finish_soon(s);
		return;
	}
	if (!s->paused || s->closing || out > s->cfg.out_high / 2)
		return;
	s->paused = 0;
	log_debug("%s backpressure resume output=%zu", s->id, out);
	bufferevent_enable(bev, EV_READ);
	/*
	 * PDUs read before the pause wait in the input buffer, and no read
	 * event will announce them. Take them from the loop: an openssl
	 * bufferevent may call this inside one of our writes, and the owner
	 * must not see a request inside an API call.
	 */
	event_active(s->ev_input, EV_TIMEOUT, 0);
}

static void
session_error_reason(struct smpp_session *s, char *buf, size_t cap)
{
	int		 error = EVUTIL_SOCKET_ERROR();
	unsigned long	 e;
	char		 ebuf[160];

	if (bufferevent_openssl_get_ssl(s->bev) == NULL) {
		snprintf(buf, cap, "connection error: %s",
		    evutil_socket_error_to_string(error));
		return;
	}
	if ((e = bufferevent_get_openssl_error(s->bev)) != 0) {
		ERR_error_string_n(e, ebuf, sizeof ebuf);
		snprintf(buf, cap, "tls: %s", ebuf);
	} else
		snprintf(buf, cap, "tls: %s", error != 0 ?
		    evutil_socket_error_to_string(error) : "connection error");
}

static void
session_event_cb(struct bufferevent *bev UNUSED, short what, void *arg)
{
	struct smpp_session	*s = arg;
	char			 reason[200];

	if (what & BEV_EVENT_CONNECTED) {
		log_debug("%s connected", s->id);
		return;
	}
	if (s->closing) {
		/* The line died while the output drained: end now. */
		session_finish_soon(s);
		return;
	}
	if (what & BEV_EVENT_EOF)
		snprintf(reason, sizeof reason, "peer closed");
	else if (what & BEV_EVENT_ERROR)
		session_error_reason(s, reason, sizeof reason);
	else
		snprintf(reason, sizeof reason, "connection event 0x%x",
		    (unsigned)what);
	session_close(s, reason, 0);
}

/* ---- the API ---- */

void
smpp_session_config_default(struct smpp_session_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->max_pdu = SMPP_DEFAULT_MAX_PDU;
	cfg->window = 10;
	cfg->response_timeout = 30 * CLOCK_USEC_PER_SEC;
	cfg->enquire_link_interval = 30 * CLOCK_USEC_PER_SEC;
	cfg->inactivity_timeout = 0;
	cfg->session_init_timeout = 60 * CLOCK_USEC_PER_SEC;
	cfg->unbind_timeout = 5 * CLOCK_USEC_PER_SEC;
	cfg->out_high = 1024 * 1024;
}

static void
session_peer_name(struct smpp_session *s)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 host[INET6_ADDRSTRLEN];
	evutil_socket_t		 fd = bufferevent_getfd(s->bev);
	const void		*addr;
	unsigned		 port;

	s->peer[0] = '\0';
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_INET) {
		addr = &((struct sockaddr_in *)&ss)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		addr = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else
		return;
	if (inet_ntop(ss.ss_family, addr, host, sizeof host) == NULL)
		return;
	snprintf(s->peer, sizeof s->peer, ss.ss_family == AF_INET6 ?
	    "[%s]:%u" : "%s:%u", host, port);
}

struct smpp_session *
smpp_session_new(struct clock *clock, struct bufferevent *bev,
    enum smpp_session_role role, const struct smpp_session_config *cfg,
    const struct smpp_session_callbacks *cbs, void *arg, const char *id)
{
	struct smpp_session *s = xcalloc(1, sizeof *s);

	s->id = xstrdup(id != NULL ? id : "session");
	s->clock = clock;
	s->bev = bev;
	s->role = role;
	s->state = SMPP_STATE_OPEN;
	if (cfg != NULL)
		s->cfg = *cfg;
	else
		smpp_session_config_default(&s->cfg);
	if (s->cfg.max_pdu == 0)
		s->cfg.max_pdu = SMPP_DEFAULT_MAX_PDU;
	s->cb = cbs;
	s->arg = arg;
	s->in = xmalloc(sizeof *s->in);
	smpp_pdu_init(s->in, 0, 0);
	s->next_seq = 1;
	RB_INIT(&s->reqs);
	TAILQ_INIT(&s->due);
	RB_INIT(&s->peer_reqs);
	s->t_enquire = clock_timer_new(clock, session_enquire_fire, s);
	s->t_inactivity = clock_timer_new(clock, session_inactivity_fire, s);
	s->t_init = clock_timer_new(clock, session_init_fire, s);
	s->t_linger = clock_timer_new(clock, session_linger_fire, s);
	s->t_reqs = clock_timer_new(clock, session_reqs_fire, s);
	if ((s->ev_finish = event_new(bufferevent_get_base(bev), -1, 0,
	    session_finish, s)) == NULL ||
	    (s->ev_input = event_new(bufferevent_get_base(bev), -1, 0,
	    session_input_fire, s)) == NULL)
		fatalx("%s event_new failed", s->id);
	session_peer_name(s);
	bufferevent_setcb(bev, session_read_cb, session_write_cb,
	    session_event_cb, s);
	bufferevent_setwatermark(bev, EV_WRITE, s->cfg.out_high / 2, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (s->cfg.session_init_timeout > 0)
		clock_timer_add(s->t_init, s->cfg.session_init_timeout);
	session_touch(s);
	/* Octets the caller's bufferevent read before it was handed over. */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		event_active(s->ev_input, EV_TIMEOUT, 0);
	log_debug("%s open role=%s peer=%s", s->id,
	    role == SMPP_ROLE_ESME ? "esme" : "smsc", s->peer);
	return s;
}

/* The checks of a request the owner wants to send; NULL: EPROTO. */
static const struct smpp_command_info *
session_may_send(const struct smpp_session *s, const struct smpp_pdu *req)
{
	const struct smpp_command_info *ci;

	if (smpp_is_response(req->command_id) ||
	    req->command_id == SMPP_CMD_unbind ||
	    (ci = smpp_command_lookup(req->command_id)) == NULL)
		return NULL;
	if (!(ci->issuer & session_issuer(s->role)) ||
	    !(ci->states & smpp_session_state_mask(s->state)))
		return NULL;
	if (session_is_bind(req->command_id) && s->bind_pending)
		return NULL;
	return ci;
}

int
smpp_session_send(struct smpp_session *s, struct smpp_pdu *req,
    smpp_response_cb cb, void *arg)
{
	const struct smpp_command_info	*ci;
	uint32_t			 saved = s->next_seq;
	int				 noresp;

	if (s->closing)
		return session_fail(EPIPE);
	if ((ci = session_may_send(s, req)) == NULL)
		return session_fail(EPROTO);
	noresp = (ci->flags & SMPP_CF_NORESP) != 0;
	if (!noresp && cb == NULL)
		return session_fail(EINVAL);
	if (!noresp && !session_window_room(s)) {
		s->want_writable = 1;
		return session_fail(EAGAIN);
	}
	req->sequence_number = session_next_seq(s);
	if (session_write(s, req) == -1) {
		s->next_seq = saved;
		return -1;
	}
	if (session_is_bind(req->command_id))
		session_bind_keep(s, req);
	if (!noresp)
		session_req_add(s, req->sequence_number, req->command_id, cb,
		    arg, 0, s->cfg.response_timeout);
	return 0;
}

int
smpp_session_respond(struct smpp_session *s, struct smpp_pdu *resp)
{
	struct session_peer_req	*p;
	uint32_t		 command_id;

	if (s->closing)
		return session_fail(EPIPE);
	if (!smpp_is_response(resp->command_id) ||
	    (p = session_peer_find(s, resp->sequence_number)) == NULL ||
	    (resp->command_id != SMPP_CMD_generic_nack &&
	    resp->command_id != smpp_response_id(p->command_id)))
		return session_fail(EPROTO);
	if (session_write(s, resp) == -1)
		return -1;
	command_id = p->command_id;
	RB_REMOVE(session_peer_reqs, &s->peer_reqs, p);
	s->npeer--;
	free(p);
	if (session_is_bind(command_id))
		session_bind_result(s, command_id, session_bind_status(resp));
	return 0;
}

int
smpp_session_unbind(struct smpp_session *s)
{
	uint32_t seq;

	if (s->closing)
		return session_fail(EPIPE);
	if (!session_state_bound(s->state))
		return session_fail(EPROTO);
	if ((seq = session_send_internal(s, SMPP_CMD_unbind,
	    s->cfg.unbind_timeout, session_unbind_done)) == 0)
		return -1;
	log_info("%s unbind seq=%u", s->id, seq);
	session_enter_state(s, SMPP_STATE_UNBOUND);
	return 0;
}

void
smpp_session_close(struct smpp_session *s, const char *reason)
{
	session_close(s, reason != NULL ? reason : "closed", 1);
}

void
smpp_session_set_mute(struct smpp_session *s, int on)
{
	if (s->muted == (on != 0))
		return;
	s->muted = on != 0;
	log_info("%s mute on=%d", s->id, s->muted);
}

int
smpp_session_muted(const struct smpp_session *s)
{
	return s->muted;
}

void
smpp_session_set_next_sequence(struct smpp_session *s, uint32_t seq)
{
	s->next_seq = seq == 0 || seq > SMPP_SEQ_MAX ? 1 : seq;
}

enum smpp_session_state
smpp_session_state(const struct smpp_session *s)
{
	return s->state;
}

enum smpp_session_role
smpp_session_role(const struct smpp_session *s)
{
	return s->role;
}

const char *
smpp_session_id(const struct smpp_session *s)
{
	return s->id;
}

unsigned
smpp_session_outstanding(const struct smpp_session *s)
{
	return s->nowner;
}

unsigned
smpp_session_unanswered(const struct smpp_session *s)
{
	return s->npeer;
}

const struct smpp_pdu *
smpp_session_bind_pdu(const struct smpp_session *s)
{
	return s->bound ? s->bind : NULL;
}

const char *
smpp_session_peer(const struct smpp_session *s)
{
	return s->peer;
}

int
smpp_session_busy(const struct smpp_session *s)
{
	return evbuffer_get_length(bufferevent_get_output(s->bev)) > 0 ||
	    s->npeer > 0;
}

void *
smpp_session_arg(const struct smpp_session *s)
{
	return s->arg;
}
