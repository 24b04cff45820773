/*
 * The load engine (see load.h): sessions, binds, the send schedule and
 * the end of a run. What becomes of each message is load-track.c's.
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
#include <arpa/inet.h>

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
#include "common/xmalloc.h"
#include "scenarios/load-internal.h"
#include "smpp/session.h"
#include "smpp/smpp.h"

#define LOAD_TICK_MIN		1000	/* usec: pacing ticks at most 1 kHz */
#define LOAD_USEC		1e6

static const char *const load_session_state_names[] = {
#define LOAD_SESSION_STATE_NAME(name)	#name,
	LOAD_SESSION_STATES(LOAD_SESSION_STATE_NAME)
#undef LOAD_SESSION_STATE_NAME
};

static void load_finish(struct load *);

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
	load_part_sent(l, m, p, now);
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
	load_early_flush(l);
	log_info("load finish messages=%" PRIu64 " in_flight=%" PRIu64,
	    l->st.messages_sent, l->in_use);
	for (i = 0; i < l->nsessions; i++)
		load_session_end(&l->sessions[i]);
	load_maybe_done(l);
}

void
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
	struct in6_addr in6;
	struct in_addr in;
	SSL *ssl;

	if (l->ssl != NULL) {
		if ((ssl = SSL_new(l->ssl)) == NULL)
			fatalx("load SSL_new failed");
		/* SNI names hosts, never an address (RFC 6066). */
		if (inet_pton(AF_INET, l->host, &in) != 1 &&
		    inet_pton(AF_INET6, l->host, &in6) != 1)
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
		SSL_CTX_set_min_proto_version(l->ssl, TLS1_2_VERSION);
		/* A simulator's self-signed certificate: not checked. */
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
	unsigned i;

	l->st.interrupted = 1;
	if (l->stopping || l->finishing) {
		load_finish(l);
		return;
	}
	l->stopping = 1;
	clock_timer_del(l->t_tick);
	log_info("load stop messages=%" PRIu64, l->st.messages_sent);
	/* A message begun but waiting for room is not sent at all. */
	for (i = 0; i < l->nsenders; i++)
		if (l->sessions[i].cur != NULL &&
		    l->sessions[i].next_part == 0)
			load_msg_abandon(l, &l->sessions[i]);
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
	unsigned i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsessions; i++) {
		if (l->sessions[i].smpp != NULL)
			smpp_session_free(l->sessions[i].smpp);
		if (l->sessions[i].bev != NULL)
			bufferevent_free(l->sessions[i].bev);
	}
	free(l->sessions);
	load_track_release(l);
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
