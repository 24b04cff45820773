/*
 * The route's pool of ESME sessions: connect (plain or TLS, verified when
 * the route asks), bind, reconnect with exponential backoff and full
 * jitter, and the peer's requests (receipts and MO), which are answered
 * ESME_ROK at once and then handed on.
 *
 * A pool slot is one transceiver session, or a transmitter and a
 * receiver when the route binds GATEWAY_BIND_TX | GATEWAY_BIND_RX. Each
 * session goes IDLE -> CONNECTING -> BINDING -> BOUND and back to IDLE
 * (with a reconnect timer) whenever it ends, until shutdown makes it
 * STOPPED.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/random.h"
#include "common/xmalloc.h"
#include "gateway/outbound-internal.h"
#include "smpp/smpp.h"

#define GW_OB_RECONNECT_FLOOR	1000	/* usec: never a busy loop */

static const char *const gw_ob_session_state_names[] = {
#define GW_OB_SESSION_STATE_NAME(name, text)	text,
	GW_OB_SESSION_STATES(GW_OB_SESSION_STATE_NAME)
#undef GW_OB_SESSION_STATE_NAME
};

static void gw_ob_session_connect(struct gw_ob_session *);

const char *
gw_ob_session_state_name(enum gw_ob_session_state s)
{
	if ((unsigned)s >= GW_OB_SESSION_NSTATES)
		return "unknown";
	return gw_ob_session_state_names[s];
}

void
gw_ob_session_enter(struct gw_ob_session *s, enum gw_ob_session_state to)
{
	if (s->state == to)
		return;
	log_debug("%s state from=%s to=%s", s->id,
	    gw_ob_session_state_name(s->state), gw_ob_session_state_name(to));
	s->state = to;
}

unsigned
gw_ob_pool_count(const struct gw_outbound *ob, enum gw_ob_session_state st)
{
	unsigned i, n = 0;

	for (i = 0; i < ob->nsessions; i++)
		n += ob->sessions[i].state == st;
	return n;
}

struct gw_ob_session *
gw_ob_pool_pick(struct gw_outbound *ob)
{
	struct gw_ob_session *s;
	unsigned i;

	for (i = 0; i < ob->nsessions; i++) {
		s = &ob->sessions[(ob->rr + i) % ob->nsessions];
		if (s->state == GW_OB_SESSION_BOUND && s->sends &&
		    !s->blocked) {
			ob->rr = (ob->rr + i + 1) % ob->nsessions;
			return s;
		}
	}
	return NULL;
}

/* ---- reconnect ---- */

/*
 * Full jitter: uniform in [0, min(max, min * 2^failures)], so a fleet of
 * sessions that lost the carrier together does not return together.
 */
static int64_t
gw_ob_backoff(struct gw_ob_session *s)
{
	const struct gateway_route *r = s->ob->route;
	int64_t cap = r->reconnect_min > 0 ? r->reconnect_min :
	    CLOCK_USEC_PER_SEC;
	int64_t max = r->reconnect_max > cap ? r->reconnect_max : cap;
	unsigned i;

	for (i = 0; i < s->failures && cap < max; i++)
		cap = cap > max / 2 ? max : cap * 2;
	s->failures++;
	cap = (int64_t)rng_below(&s->ob->gw->rng, (uint64_t)cap + 1);
	return cap < GW_OB_RECONNECT_FLOOR ? GW_OB_RECONNECT_FLOOR : cap;
}

static void
gw_ob_session_retry(struct gw_ob_session *s, const char *why)
{
	int64_t delay;

	if (s->ob->stopping) {
		gw_ob_session_enter(s, GW_OB_SESSION_STOPPED);
		gw_ob_check_done(s->ob);
		return;
	}
	delay = gw_ob_backoff(s);
	gw_ob_session_enter(s, GW_OB_SESSION_IDLE);
	log_info("%s reconnect in_ms=%lld failures=%u reason=\"%s\"", s->id,
	    (long long)(delay / 1000), s->failures, why);
	clock_timer_add(s->t_reconnect, delay);
}

static void
gw_ob_reconnect_fire(struct clock_timer *t, void *arg)
{
	struct gw_ob_session *s = arg;

	(void)t;
	if (s->state == GW_OB_SESSION_IDLE && !s->ob->stopping)
		gw_ob_session_connect(s);
}

/* ---- the session's callbacks ---- */

static void
gw_ob_request(struct smpp_session *ss, const struct smpp_pdu *req,
    void *arg)
{
	struct gw_ob_session *s = arg;
	struct gw_outbound *ob = s->ob;
	struct smpp_pdu *resp = ob->resp;

	smpp_pdu_init(resp, smpp_response_id(req->command_id),
	    req->sequence_number);
	if (req->command_id != SMPP_CMD_deliver_sm &&
	    req->command_id != SMPP_CMD_data_sm) {
		resp->command_status = SMPP_ESME_RINVCMDID;
		smpp_session_respond(ss, resp);
		return;
	}
	/* Answered first: what follows may end the session or the
	 * message, and the carrier must not resend for our trouble. */
	smpp_session_respond(ss, resp);
	if (gw_ob_is_receipt(req))
		gw_ob_receipt(ob, req);
	else
		gw_ob_mo(ob, req);
}

static void
gw_ob_trace(struct smpp_session *ss, enum smpp_direction dir,
    const uint8_t *raw, size_t len, const struct smpp_pdu *pdu, void *arg)
{
	struct gw_ob_session *s = arg;

	(void)ss;
	(void)raw;
	(void)len;
	if (pdu != NULL)
		gw_ob_pdu_count(s->ob, dir == SMPP_DIR_OUT, pdu->command_id,
		    pdu->command_status);
}

static void
gw_ob_writable(struct smpp_session *ss, void *arg)
{
	struct gw_ob_session *s = arg;

	(void)ss;
	s->blocked = 0;
	gw_ob_kick(s->ob);
}

static void
gw_ob_closed(struct smpp_session *ss, const char *reason, void *arg)
{
	struct gw_ob_session *s = arg;

	(void)ss;
	s->smpp = NULL;
	s->blocked = 0;
	log_info("%s closed reason=\"%s\"", s->id, reason);
	gw_ob_session_retry(s, reason);
}

static const struct smpp_session_callbacks gw_ob_session_cbs = {
	.request = gw_ob_request,
	.trace = gw_ob_trace,
	.writable = gw_ob_writable,
	.closed = gw_ob_closed,
};

/* ---- bind ---- */

static void
gw_ob_bound(struct smpp_session *ss, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct gw_ob_session *s = arg;
	const char *name;

	if (s->state != GW_OB_SESSION_BINDING)
		return;
	if (resp == NULL || fail != SMPP_FAIL_NONE ||
	    resp->command_status != SMPP_ESME_ROK) {
		name = resp != NULL ? smpp_status_name(resp->command_status) :
		    NULL;
		log_warnx("%s bind-failed status=%s", s->id, name != NULL ?
		    name : fail == SMPP_FAIL_TIMEOUT ? "timeout" :
		    resp != NULL ? "unnamed" : "closed");
		gw_ob_session_enter(s, GW_OB_SESSION_UNBINDING);
		smpp_session_close(ss, "bind refused");
		return;
	}
	s->failures = 0;
	s->blocked = 0;
	gw_ob_session_enter(s, GW_OB_SESSION_BOUND);
	log_info("%s bound command=%s system_id=%s", s->id,
	    smpp_command_name(s->bind_command), s->ob->route->system_id);
	if (s->ob->stopping) {
		gw_ob_session_enter(s, GW_OB_SESSION_UNBINDING);
		if (smpp_session_unbind(ss) == -1)
			smpp_session_close(ss, "shutdown");
		return;
	}
	gw_ob_kick(s->ob);
}

static void
gw_ob_session_bind(struct gw_ob_session *s)
{
	const struct gateway_route *r = s->ob->route;
	struct smpp_pdu *b = xmalloc(sizeof *b);

	smpp_pdu_init(b, s->bind_command, 0);
	/* bind_receiver, _transmitter and _transceiver share one layout. */
	snprintf(b->u.bind_transceiver.system_id,
	    sizeof b->u.bind_transceiver.system_id, "%s", r->system_id);
	snprintf(b->u.bind_transceiver.password,
	    sizeof b->u.bind_transceiver.password, "%s", r->password);
	snprintf(b->u.bind_transceiver.system_type,
	    sizeof b->u.bind_transceiver.system_type, "%s", r->system_type);
	b->u.bind_transceiver.interface_version = SMPP_VERSION_34;
	gw_ob_session_enter(s, GW_OB_SESSION_BINDING);
	if (smpp_session_send(s->smpp, b, gw_ob_bound, s) == -1)
		smpp_session_close(s->smpp, "bind could not be sent");
	smpp_pdu_release(b);
	free(b);
}

/* Connected (TLS included): the SMPP session takes the bufferevent. */
static void
gw_ob_session_open(struct gw_ob_session *s)
{
	const struct gateway_route *r = s->ob->route;
	struct smpp_session_config c;
	evutil_socket_t fd = bufferevent_getfd(s->bev);
	int one = 1;

	if (fd != -1)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	smpp_session_config_default(&c);
	c.window = s->sends ? (r->window > 0 ? r->window : 1) : 0;
	if (r->response_timeout > 0)
		c.response_timeout = r->response_timeout;
	c.enquire_link_interval = r->enquire_link;
	s->smpp = smpp_session_new(s->ob->gw->clock, s->bev, SMPP_ROLE_ESME,
	    &c, &gw_ob_session_cbs, s, s->id);
	s->bev = NULL;
	log_info("%s connected peer=%s tls=%d", s->id, r->address, r->tls);
	gw_ob_session_bind(s);
}

static void
gw_ob_connect_event(struct bufferevent *bev, short what, void *arg)
{
	struct gw_ob_session *s = arg;
	unsigned long ssl_err;
	int err = EVUTIL_SOCKET_ERROR();
	char why[256];

	if (what & BEV_EVENT_CONNECTED) {
		gw_ob_session_open(s);
		return;
	}
	ssl_err = s->ob->ssl != NULL ? bufferevent_get_openssl_error(bev) : 0;
	snprintf(why, sizeof why, "connect: %s", ssl_err != 0 ?
	    ERR_reason_error_string(ssl_err) : err != 0 ?
	    evutil_socket_error_to_string(err) : "connection closed");
	bufferevent_free(s->bev);
	s->bev = NULL;
	log_warnx("%s connect-failed peer=%s reason=\"%s\"", s->id,
	    s->ob->route->address, why);
	gw_ob_session_retry(s, why);
}

static struct bufferevent *
gw_ob_bev_new(struct gw_outbound *ob)
{
	struct in6_addr in6;
	struct in_addr in;
	SSL *ssl;

	if (ob->ssl == NULL)
		return bufferevent_socket_new(ob->gw->base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
	if ((ssl = SSL_new(ob->ssl)) == NULL)
		return NULL;
	/* SNI names hosts, never an address (RFC 6066). */
	if (inet_pton(AF_INET, ob->host, &in) != 1 &&
	    inet_pton(AF_INET6, ob->host, &in6) != 1)
		SSL_set_tlsext_host_name(ssl, ob->host);
	if (ob->route->tls_verify && SSL_set1_host(ssl, ob->host) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	return bufferevent_openssl_socket_new(ob->gw->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
}

static void
gw_ob_session_connect(struct gw_ob_session *s)
{
	struct gw_outbound *ob = s->ob;

	if ((s->bev = gw_ob_bev_new(ob)) == NULL) {
		gw_ob_session_retry(s, "could not create the connection");
		return;
	}
	bufferevent_setcb(s->bev, NULL, NULL, gw_ob_connect_event, s);
	gw_ob_session_enter(s, GW_OB_SESSION_CONNECTING);
	/* A numeric host is not looked up; a name is, blocking, as
	 * libevent does without a DNS base. */
	if (bufferevent_socket_connect_hostname(s->bev, NULL, AF_UNSPEC,
	    ob->host, atoi(ob->port)) == -1) {
		bufferevent_free(s->bev);
		s->bev = NULL;
		gw_ob_session_retry(s, "connect failed");
	}
}

/* ---- the pool ---- */

/* "host:port" or "[v6]:port" into ob->host and ob->port. */
static int
gw_ob_address(struct gw_outbound *ob)
{
	const char *a = ob->route->address, *colon = strrchr(a, ':');
	size_t hlen;

	if (colon == NULL || colon[1] == '\0' || colon == a)
		return -1;
	hlen = (size_t)(colon - a);
	if (a[0] == '[' && hlen >= 2 && a[hlen - 1] == ']') {
		a++;
		hlen -= 2;
	}
	snprintf(ob->host, sizeof ob->host, "%.*s", (int)hlen, a);
	snprintf(ob->port, sizeof ob->port, "%s", colon + 1);
	return atoi(ob->port) > 0 && atoi(ob->port) < 65536 ? 0 : -1;
}

static int
gw_ob_tls_init(struct gw_outbound *ob)
{
	const struct gateway_route *r = ob->route;

	if ((ob->ssl = SSL_CTX_new(TLS_client_method())) == NULL)
		return -1;
	SSL_CTX_set_min_proto_version(ob->ssl, TLS1_2_VERSION);
	if (!r->tls_verify) {
		/* A simulator's self-signed certificate, by choice. */
		SSL_CTX_set_verify(ob->ssl, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	SSL_CTX_set_verify(ob->ssl, SSL_VERIFY_PEER, NULL);
	if (r->tls_ca[0] != '\0')
		return SSL_CTX_load_verify_locations(ob->ssl, r->tls_ca,
		    NULL) == 1 ? 0 : -1;
	return SSL_CTX_set_default_verify_paths(ob->ssl) == 1 ? 0 : -1;
}

static void
gw_ob_session_init(struct gw_outbound *ob, struct gw_ob_session *s,
    unsigned slot, uint32_t command, const char *suffix)
{
	s->ob = ob;
	s->bind_command = command;
	s->sends = command != SMPP_CMD_bind_receiver;
	s->state = GW_OB_SESSION_IDLE;
	s->t_reconnect = clock_timer_new(ob->gw->clock, gw_ob_reconnect_fire,
	    s);
	snprintf(s->id, sizeof s->id, "%s/%u%s", ob->route->name, slot + 1,
	    suffix);
}

static void
gw_ob_pool_create(struct gw_outbound *ob)
{
	unsigned bind = ob->route->bind, slots, i, k = 0;
	int trx = (bind & GATEWAY_BIND_TRX) ||
	    (bind & (GATEWAY_BIND_TX | GATEWAY_BIND_RX)) == 0;

	slots = ob->route->sessions > 0 ? ob->route->sessions : 1;
	ob->nsessions = trx ? slots : slots * (((bind & GATEWAY_BIND_TX) !=
	    0) + ((bind & GATEWAY_BIND_RX) != 0));
	ob->sessions = xcalloc(ob->nsessions, sizeof *ob->sessions);
	for (i = 0; i < slots; i++) {
		if (trx) {
			gw_ob_session_init(ob, &ob->sessions[k++], i,
			    SMPP_CMD_bind_transceiver, "");
			continue;
		}
		if (bind & GATEWAY_BIND_TX)
			gw_ob_session_init(ob, &ob->sessions[k++], i,
			    SMPP_CMD_bind_transmitter, "tx");
		if (bind & GATEWAY_BIND_RX)
			gw_ob_session_init(ob, &ob->sessions[k++], i,
			    SMPP_CMD_bind_receiver, "rx");
	}
}

void
gw_ob_pool_start(struct gw_outbound *ob)
{
	unsigned i;

	gw_ob_pool_create(ob);
	if (gw_ob_address(ob) == -1) {
		log_warnx("%s address-invalid address=\"%s\" (want host:port);"
		    " the route stays unbound", ob->route->name,
		    ob->route->address);
		return;
	}
	if (ob->route->tls && gw_ob_tls_init(ob) == -1) {
		log_warnx("%s tls-setup-failed ca=\"%s\" error=\"%s\"; the "
		    "route stays unbound", ob->route->name, ob->route->tls_ca,
		    ERR_reason_error_string(ERR_get_error()));
		return;
	}
	for (i = 0; i < ob->nsessions; i++)
		gw_ob_session_connect(&ob->sessions[i]);
}

void
gw_ob_pool_shutdown(struct gw_outbound *ob)
{
	struct gw_ob_session *s;
	unsigned i;

	for (i = 0; i < ob->nsessions; i++) {
		s = &ob->sessions[i];
		clock_timer_del(s->t_reconnect);
		switch (s->state) {
		case GW_OB_SESSION_IDLE:
			gw_ob_session_enter(s, GW_OB_SESSION_STOPPED);
			break;
		case GW_OB_SESSION_CONNECTING:
			bufferevent_free(s->bev);
			s->bev = NULL;
			gw_ob_session_enter(s, GW_OB_SESSION_STOPPED);
			break;
		case GW_OB_SESSION_BINDING:
			gw_ob_session_enter(s, GW_OB_SESSION_UNBINDING);
			smpp_session_close(s->smpp, "shutdown");
			break;
		case GW_OB_SESSION_BOUND:
			gw_ob_session_enter(s, GW_OB_SESSION_UNBINDING);
			if (smpp_session_unbind(s->smpp) == -1)
				smpp_session_close(s->smpp, "shutdown");
			break;
		default:
			break;
		}
	}
}

void
gw_ob_pool_free(struct gw_outbound *ob)
{
	struct gw_ob_session *s;
	unsigned i;

	for (i = 0; i < ob->nsessions; i++) {
		s = &ob->sessions[i];
		if (s->smpp != NULL)
			smpp_session_free(s->smpp);
		if (s->bev != NULL)
			bufferevent_free(s->bev);
		clock_timer_free(s->t_reconnect);
	}
	free(ob->sessions);
	ob->sessions = NULL;
	ob->nsessions = 0;
}
