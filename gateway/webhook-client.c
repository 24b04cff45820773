/*
 * The webhooks' HTTP client: a pool of keep-alive evhttp connections per
 * scheme://host:port, requests spread on idle connections and queued
 * while all are busy, one timeout per attempt, https through
 * bufferevent_openssl with SNI and verification.
 *
 * A connection that closed (the peer hung up, or an attempt on it failed)
 * is never reused: it is freed and replaced before the next request, from
 * the client's deferred event, never from inside libevent's callbacks,
 * because an SSL object cannot be reconnected and evhttp must not see its
 * connection freed under it.
 *
 * Threads (gw_http_client_use_thread): the connections can live on an
 * event base of their own, run by a thread named "webhooks", so writing
 * requests and reading answers (a third of the loop's time at full
 * rate, three status callbacks a message) leaves the caller's loop. The
 * caller still builds and signs each call (so a bad URL is still its
 * -1) and hears every completion on its own loop; calls cross in two
 * lists under one mutex, each with a pipe that wakes the other side
 * (common/wakepipe.h, as the store's worker wakes the loop). Nothing
 * else is shared: the hosts, the connections, the TLS context and the
 * resolver are the thread's once it runs, in_flight is the caller's,
 * connects is atomic.
 */
#include "config.h"

#include <arpa/inet.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/evbase.h"
#include "common/log.h"
#include "common/wakepipe.h"
#include "common/xmalloc.h"
#include "gateway/webhook-internal.h"
#include "gateway/webhook.h"

struct http_host;

struct http_call {
	struct gw_http_client	*client;
	struct http_host	*host;
	struct http_conn	*conn;		/* while on the wire */
	enum evhttp_cmd_type	 method;
	char			*target;	/* path?query, as sent */
	char			*host_header;
	char			*body;		/* POST form, or NULL */
	char			*authorization;	/* from the URL's userinfo */
	char			*idempotency;
	char			 signature[29];	/* "" : unsigned */
	char			*hostname;	/* connect to (no IPv6 brackets) */
	int			 https;
	uint16_t		 port;
	gw_http_done_cb		 done;
	void			*arg;
	/* The outcome. */
	int			 status;
	char			 error[160];
	char			*content_type;
	char			*rbody;
	size_t			 rlen;
	TAILQ_ENTRY(http_call)	 entry;
};
TAILQ_HEAD(http_calls, http_call);

struct http_conn {
	struct http_host	  *host;
	struct evhttp_connection  *evcon;
	struct http_call	  *call;	/* NULL: idle */
	int			   closed;	/* replace before reuse */
};

struct http_host {
	struct gw_http_client	*client;
	int			 https;
	char			*name;		/* for connect and SNI */
	uint16_t		 port;
	struct http_conn	*conns;		/* client->pool of them */
	size_t			 nconns;
	struct http_calls	 waiting;
	TAILQ_ENTRY(http_host)	 entry;
};

struct gw_http_client {
	struct event_base	*base;		/* the caller's */
	struct event_base	*io;		/* the connections': base, or
						   the thread's */
	struct evdns_base	*dns;		/* made for the first name */
	SSL_CTX			*ssl;		/* made for the first https */
	int			 tls_verify;
	char			*tls_ca;
	struct timeval		 timeout;
	size_t			 pool;		/* connections per host */
	struct event		*kick;		/* deferred completions (io) */
	TAILQ_HEAD(, http_host)	 hosts;
	struct http_calls	 done;		/* io's, for kick */
	size_t			 in_flight;	/* the caller's */
	uint64_t		 connects;	/* atomic */
	struct gw_signer	*signer;

	/* The thread (use_thread set; running from the first send on). */
	int			 use_thread;
	int			 running;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	struct http_calls	 submitted;	/* caller -> thread, mu */
	struct http_calls	 finished;	/* thread -> caller, mu */
	int			 stopping;	/* mu */
	struct wakepipe		 io_pipe;	/* notified under mu */
	struct wakepipe		 base_pipe;	/* notified under mu */
	struct event		*io_wake;	/* on io: submitted, stopping */
	struct event		*base_wake;	/* on base: finished */
};

static void	http_kick(evutil_socket_t, short, void *);

struct gw_http_client *
gw_http_client_new(struct event_base *base, int64_t timeout, unsigned pool)
{
	struct gw_http_client *c = xcalloc(1, sizeof *c);

	c->pool = pool == 0 ? GW_HTTP_POOL_DEFAULT : pool > GW_HTTP_POOL_MAX ?
	    GW_HTTP_POOL_MAX : pool;

	if (timeout <= 0)
		timeout = 15 * INT64_C(1000000);
	c->base = base;
	c->io = base;
	c->tls_verify = 1;
	c->timeout.tv_sec = (time_t)(timeout / 1000000);
	c->timeout.tv_usec = (suseconds_t)(timeout % 1000000);
	if ((c->kick = event_new(base, -1, 0, http_kick, c)) == NULL)
		fatalx("webhook client event_new failed");
	TAILQ_INIT(&c->hosts);
	TAILQ_INIT(&c->done);
	TAILQ_INIT(&c->submitted);
	TAILQ_INIT(&c->finished);
	c->io_pipe = c->base_pipe = WAKEPIPE_CLOSED;
	c->signer = gw_signer_new();
	return c;
}

void
gw_http_client_use_thread(struct gw_http_client *c)
{
	c->use_thread = 1;
}

static void
http_call_free(struct http_call *call)
{
	free(call->target);
	free(call->host_header);
	free(call->body);
	free(call->authorization);
	free(call->idempotency);
	free(call->hostname);
	free(call->content_type);
	free(call->rbody);
	free(call);
}

static void
http_conn_drop(struct http_conn *conn)
{
	if (conn->evcon == NULL)
		return;
	evhttp_connection_set_closecb(conn->evcon, NULL, NULL);
	evhttp_connection_free(conn->evcon);
	conn->evcon = NULL;
}

static void
http_calls_free(struct http_calls *calls)
{
	struct http_call *call;

	while ((call = TAILQ_FIRST(calls)) != NULL) {
		TAILQ_REMOVE(calls, call, entry);
		http_call_free(call);
	}
}

static void
http_thread_stop(struct gw_http_client *c)
{
	if (!c->running)
		return;
	pthread_mutex_lock(&c->mu);
	c->stopping = 1;
	wakepipe_signal(&c->io_pipe);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	c->running = 0;
}

void
gw_http_client_free(struct gw_http_client *c)
{
	struct http_host	*h;
	struct http_call	*call;
	size_t			 i;

	if (c == NULL)
		return;
	/* The thread stops first: what it owned is this thread's now. */
	http_thread_stop(c);
	while ((h = TAILQ_FIRST(&c->hosts)) != NULL) {
		TAILQ_REMOVE(&c->hosts, h, entry);
		for (i = 0; i < h->nconns; i++) {
			/* Frees the evhttp request without its callback. */
			http_conn_drop(&h->conns[i]);
			if (h->conns[i].call != NULL)
				http_call_free(h->conns[i].call);
		}
		while ((call = TAILQ_FIRST(&h->waiting)) != NULL) {
			TAILQ_REMOVE(&h->waiting, call, entry);
			http_call_free(call);
		}
		free(h->name);
		free(h->conns);
		free(h);
	}
	http_calls_free(&c->done);
	http_calls_free(&c->submitted);
	http_calls_free(&c->finished);
	event_free(c->kick);
	if (c->io_wake != NULL) {
		event_free(c->io_wake);
		event_free(c->base_wake);
		wakepipe_close(&c->io_pipe);
		wakepipe_close(&c->base_pipe);
		pthread_mutex_destroy(&c->mu);
	}
	gw_signer_free(c->signer);
	if (c->dns != NULL)
		evdns_base_free(c->dns, 0);
	if (c->io != c->base)
		event_base_free(c->io);
	SSL_CTX_free(c->ssl);
	free(c->tls_ca);
	free(c);
}

static int
http_ssl_ctx(struct gw_http_client *c, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (c->ssl != NULL)
		return 0;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return -1;
	}
	SSL_CTX_set_verify(ctx, c->tls_verify ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, NULL);
	if ((c->tls_ca != NULL ? SSL_CTX_load_verify_locations(ctx,
	    c->tls_ca, NULL) : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		snprintf(err, errlen, "cannot load CA certificates %s: %s",
		    c->tls_ca != NULL ? c->tls_ca : "(system)",
		    ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return -1;
	}
	c->ssl = ctx;
	return 0;
}

int
gw_http_client_set_tls(struct gw_http_client *c, int verify,
    const char *ca_file, char *err, size_t errlen)
{
	if (c->running) {
		snprintf(err, errlen, "TLS settings cannot change once the "
		    "client's thread runs");
		return -1;
	}
	SSL_CTX_free(c->ssl);
	c->ssl = NULL;
	free(c->tls_ca);
	c->tls_ca = ca_file != NULL ? xstrdup(ca_file) : NULL;
	c->tls_verify = verify;
	return http_ssl_ctx(c, err, errlen);
}

size_t
gw_http_client_in_flight(const struct gw_http_client *c)
{
	return c->in_flight;
}

uint64_t
gw_http_client_connects(const struct gw_http_client *c)
{
	return __atomic_load_n(&c->connects, __ATOMIC_RELAXED);
}

static struct http_host *
http_host_get(struct gw_http_client *c, int https, const char *name,
    uint16_t port)
{
	struct http_host *h;

	TAILQ_FOREACH(h, &c->hosts, entry)
		if (h->https == https && h->port == port &&
		    strcasecmp(h->name, name) == 0)
			return h;
	h = xcalloc(1, sizeof *h);
	h->client = c;
	h->https = https;
	h->name = xstrdup(name);
	h->port = port;
	h->conns = xcalloc(c->pool, sizeof *h->conns);
	TAILQ_INIT(&h->waiting);
	TAILQ_INSERT_TAIL(&c->hosts, h, entry);
	return h;
}

static const char *
http_error_text(enum evhttp_request_error e)
{
	switch (e) {
	case EVREQ_HTTP_TIMEOUT:
		return "timeout";
	case EVREQ_HTTP_EOF:
		return "connection closed before the answer";
	case EVREQ_HTTP_INVALID_HEADER:
		return "invalid answer (11206)";
	case EVREQ_HTTP_BUFFER_ERROR:
		return "connection failed (11205)";
	case EVREQ_HTTP_REQUEST_CANCEL:
		return "canceled";
	case EVREQ_HTTP_DATA_TOO_LONG:
		return "answer larger than 64 KiB (11750)";
	}
	return "failed";
}

static void
http_call_error(enum evhttp_request_error e, void *arg)
{
	struct http_call	*call = arg;
	struct bufferevent	*bev;
	unsigned long		 ssl_err = 0;

	if (call->conn != NULL && call->host->https) {
		bev = evhttp_connection_get_bufferevent(call->conn->evcon);
		ssl_err = bev != NULL ? bufferevent_get_openssl_error(bev) : 0;
	}
	if (ssl_err != 0)
		snprintf(call->error, sizeof call->error, "TLS (11220): %s",
		    ERR_reason_error_string(ssl_err));
	else
		snprintf(call->error, sizeof call->error, "%s",
		    http_error_text(e));
}

static void
http_call_answer(struct http_call *call, struct evhttp_request *req)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	const char	*type;

	call->status = evhttp_request_get_response_code(req);
	type = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	call->content_type = xstrdup(type != NULL ? type : "");
	call->rlen = evbuffer_get_length(in);
	call->rbody = xmalloc(call->rlen + 1);
	evbuffer_remove(in, call->rbody, call->rlen);
	call->rbody[call->rlen] = '\0';
}

/* evhttp's completion: records the outcome, delivers it later. */
static void
http_call_finished(struct evhttp_request *req, void *arg)
{
	struct http_call	*call = arg;
	struct http_conn	*conn = call->conn;

	if (req != NULL && evhttp_request_get_response_code(req) != 0)
		http_call_answer(call, req);
	else {
		if (call->error[0] == '\0')
			snprintf(call->error, sizeof call->error,
			    "connection failed (11205)");
		conn->closed = 1;
	}
	conn->call = NULL;
	call->conn = NULL;
	TAILQ_INSERT_TAIL(&call->client->done, call, entry);
	event_active(call->client->kick, EV_TIMEOUT, 0);
}

static void
http_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *conn = arg;

	(void)evcon;
	conn->closed = 1;
	event_active(conn->host->client->kick, EV_TIMEOUT, 0);
}

static int
http_conn_open(struct http_conn *conn, char *err, size_t errlen)
{
	struct http_host	*h = conn->host;
	struct gw_http_client	*c = h->client;
	struct bufferevent	*bev;
	SSL			*ssl;
	unsigned char		 addr[16];

	if (!h->https)
		bev = bufferevent_socket_new(c->io, -1,
		    BEV_OPT_CLOSE_ON_FREE);
	else {
		if (http_ssl_ctx(c, err, errlen) == -1)
			return -1;
		if ((ssl = SSL_new(c->ssl)) == NULL)
			fatalx("webhook client SSL_new failed");
		if (inet_pton(AF_INET, h->name, addr) != 1 &&
		    inet_pton(AF_INET6, h->name, addr) != 1)
			SSL_set_tlsext_host_name(ssl, h->name);
		if (c->tls_verify && SSL_set1_host(ssl, h->name) != 1)
			fatalx("webhook client SSL_set1_host failed");
		bev = bufferevent_openssl_socket_new(c->io, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
		    BEV_OPT_DEFER_CALLBACKS);
		if (bev != NULL)
			bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	}
	if (bev == NULL)
		fatalx("webhook client bufferevent_new failed");
	if (c->dns == NULL && inet_pton(AF_INET, h->name, addr) != 1 &&
	    inet_pton(AF_INET6, h->name, addr) != 1)
		c->dns = evdns_base_new(c->io,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS |
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	conn->evcon = evhttp_connection_base_bufferevent_new(c->io, c->dns,
	    bev, h->name, h->port);
	if (conn->evcon == NULL)
		fatalx("webhook client evhttp_connection_new failed");
	evhttp_connection_set_timeout_tv(conn->evcon, &c->timeout);
	evhttp_connection_set_max_body_size(conn->evcon, GW_HTTP_MAX_BODY);
	evhttp_connection_set_max_headers_size(conn->evcon, 16384);
	evhttp_connection_set_closecb(conn->evcon, http_conn_closed, conn);
	conn->closed = 0;
	__atomic_fetch_add(&c->connects, 1, __ATOMIC_RELAXED);
	return 0;
}

/* An idle connection for the next request: open ones first. */
static struct http_conn *
http_conn_pick(struct http_host *h)
{
	struct http_conn	*conn = NULL;
	size_t			 i;

	for (i = 0; i < h->nconns; i++) {
		if (h->conns[i].call != NULL)
			continue;
		if (!h->conns[i].closed)
			return &h->conns[i];
		if (conn == NULL)
			conn = &h->conns[i];
	}
	if (conn == NULL && h->nconns < h->client->pool) {
		conn = &h->conns[h->nconns++];
		conn->host = h;
		conn->closed = 1;
	}
	return conn;
}

static void
http_call_fail(struct http_call *call, const char *why)
{
	snprintf(call->error, sizeof call->error, "%s", why);
	TAILQ_INSERT_TAIL(&call->client->done, call, entry);
	event_active(call->client->kick, EV_TIMEOUT, 0);
}

static void
http_call_start(struct http_call *call, struct http_conn *conn)
{
	struct evhttp_request	*req;
	struct evkeyvalq	*hdr;
	char			 err[160];

	if (conn->closed) {
		http_conn_drop(conn);
		if (http_conn_open(conn, err, sizeof err) == -1) {
			http_call_fail(call, err);
			return;
		}
	}
	req = evhttp_request_new(http_call_finished, call);
	evhttp_request_set_error_cb(req, http_call_error);
	hdr = evhttp_request_get_output_headers(req);
	evhttp_add_header(hdr, "Host", call->host_header);
	evhttp_add_header(hdr, "User-Agent", GW_HTTP_USER_AGENT);
	evhttp_add_header(hdr, "Accept", "*/*");
	evhttp_add_header(hdr, "Connection", "keep-alive");
	if (call->signature[0] != '\0')
		evhttp_add_header(hdr, "X-Twilio-Signature", call->signature);
	if (call->idempotency != NULL)
		evhttp_add_header(hdr, "I-Twilio-Idempotency-Token",
		    call->idempotency);
	if (call->authorization != NULL)
		evhttp_add_header(hdr, "Authorization", call->authorization);
	if (call->body != NULL) {
		evhttp_add_header(hdr, "Content-Type",
		    "application/x-www-form-urlencoded");
		evbuffer_add(evhttp_request_get_output_buffer(req), call->body,
		    strlen(call->body));
	}
	call->conn = conn;
	conn->call = call;
	if (evhttp_make_request(conn->evcon, req, call->method,
	    call->target) == -1) {
		/* Not queued on the connection: ours to free. */
		evhttp_request_free(req);
		conn->call = NULL;
		conn->closed = 1;
		call->conn = NULL;
		http_call_fail(call, "connection failed (11205)");
	}
}

static void
http_host_dispatch(struct http_host *h)
{
	struct http_call *call;
	struct http_conn *conn;

	while ((call = TAILQ_FIRST(&h->waiting)) != NULL &&
	    (conn = http_conn_pick(h)) != NULL) {
		TAILQ_REMOVE(&h->waiting, call, entry);
		http_call_start(call, conn);
	}
}

/* Idle closed connections are freed here, outside evhttp's callbacks. */
static void
http_host_tidy(struct http_host *h)
{
	size_t i;

	for (i = 0; i < h->nconns; i++)
		if (h->conns[i].call == NULL && h->conns[i].closed)
			http_conn_drop(&h->conns[i]);
}

/* A new call waits in its host's queue: on io, or on the caller's loop
 * when there is no thread. */
static void
http_call_queue(struct gw_http_client *c, struct http_call *call)
{
	call->host = http_host_get(c, call->https, call->hostname,
	    call->port);
	TAILQ_INSERT_TAIL(&call->host->waiting, call, entry);
}

/* The caller's side: each finished call to its callback, then freed. */
static void
http_deliver(struct gw_http_client *c, struct http_calls *done)
{
	struct http_call	*call;
	struct gw_http_result	 r;

	while ((call = TAILQ_FIRST(done)) != NULL) {
		TAILQ_REMOVE(done, call, entry);
		c->in_flight--;
		r.status = call->status;
		r.error = call->error;
		r.content_type = call->content_type != NULL ?
		    call->content_type : "";
		r.body = call->rbody != NULL ? call->rbody : "";
		r.body_len = call->rlen;
		call->done(&r, call->arg);
		http_call_free(call);
	}
}

/* io's deferred event: tidies and feeds the connections, then hands
 * the finished calls over (to the caller's loop if on the thread). */
static void
http_kick(evutil_socket_t fd, short what, void *arg)
{
	struct gw_http_client	*c = arg;
	struct http_calls	 done = TAILQ_HEAD_INITIALIZER(done);
	struct http_host	*h;

	(void)fd, (void)what;
	TAILQ_CONCAT(&done, &c->done, entry);
	TAILQ_FOREACH(h, &c->hosts, entry) {
		http_host_tidy(h);
		http_host_dispatch(h);
	}
	if (!c->running) {
		http_deliver(c, &done);
		return;
	}
	if (TAILQ_EMPTY(&done))
		return;
	pthread_mutex_lock(&c->mu);
	TAILQ_CONCAT(&c->finished, &done, entry);
	wakepipe_signal(&c->base_pipe);
	pthread_mutex_unlock(&c->mu);
}

/* The thread: new calls to their hosts' queues, or the stop. */
static void
http_io_wake(evutil_socket_t fd, short what, void *arg)
{
	struct gw_http_client	*c = arg;
	struct http_calls	 calls = TAILQ_HEAD_INITIALIZER(calls);
	struct http_call	*call;
	struct http_host	*h;
	int			 stop;

	(void)fd, (void)what;
	wakepipe_drain(&c->io_pipe);
	pthread_mutex_lock(&c->mu);
	TAILQ_CONCAT(&calls, &c->submitted, entry);
	wakepipe_rearm(&c->io_pipe);
	stop = c->stopping;
	pthread_mutex_unlock(&c->mu);
	if (stop) {
		http_calls_free(&calls);	/* dropped, as documented */
		event_base_loopbreak(c->io);
		return;
	}
	while ((call = TAILQ_FIRST(&calls)) != NULL) {
		TAILQ_REMOVE(&calls, call, entry);
		http_call_queue(c, call);
	}
	TAILQ_FOREACH(h, &c->hosts, entry)
		http_host_dispatch(h);
}

/* The caller's loop: what the thread finished. */
static void
http_base_wake(evutil_socket_t fd, short what, void *arg)
{
	struct gw_http_client	*c = arg;
	struct http_calls	 done = TAILQ_HEAD_INITIALIZER(done);

	(void)fd, (void)what;
	wakepipe_drain(&c->base_pipe);
	pthread_mutex_lock(&c->mu);
	TAILQ_CONCAT(&done, &c->finished, entry);
	wakepipe_rearm(&c->base_pipe);
	pthread_mutex_unlock(&c->mu);
	http_deliver(c, &done);
}

static void *
http_thread(void *arg)
{
	struct gw_http_client *c = arg;

	/* Named for top -H, perf and the benchmarks' CPU split. */
	pthread_setname_np(pthread_self(), "webhooks");
	event_base_loop(c->io, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/* From the first send on: the connections' base and its thread. */
static void
http_thread_start(struct gw_http_client *c)
{
	if (wakepipe_open(&c->io_pipe) == -1 ||
	    wakepipe_open(&c->base_pipe) == -1)
		fatal("webhook client pipe");
	c->io = evbase_new();
	event_free(c->kick);
	if ((c->kick = event_new(c->io, -1, 0, http_kick, c)) == NULL ||
	    (c->io_wake = event_new(c->io, c->io_pipe.fd[0], EV_READ |
	    EV_PERSIST, http_io_wake, c)) == NULL ||
	    (c->base_wake = event_new(c->base, c->base_pipe.fd[0], EV_READ |
	    EV_PERSIST, http_base_wake, c)) == NULL ||
	    event_add(c->io_wake, NULL) == -1 ||
	    event_add(c->base_wake, NULL) == -1)
		fatalx("webhook client events failed");
	pthread_mutex_init(&c->mu, NULL);
	c->running = 1;		/* before the thread: its kick reads it */
	if (pthread_create(&c->thread, NULL, http_thread, c) != 0)
		fatalx("webhook client pthread_create failed");
}

/* "Basic base64(userinfo)" for a URL with credentials. */
static char *
http_basic_auth(const char *userinfo)
{
	size_t	 len = strlen(userinfo);
	char	*out = xmalloc(6 + 4 * ((len + 2) / 3) + 1);

	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6,
	    (const unsigned char *)userinfo, (int)len);
	return out;
}

/* The URL as called: without its fragment, with GET's parameters. */
static char *
http_signed_url(const char *url, const struct evhttp_uri *uri, int get,
    const char *params)
{
	const char	*query = evhttp_uri_get_query(uri);
	size_t		 len = strcspn(url, "#");
	char		*out;

	if (!get || params[0] == '\0')
		return xstrndup(url, len);
	xasprintf(&out, "%.*s%s%s", (int)len, url, query == NULL ? "?" :
	    query[0] == '\0' ? "" : "&", params);
	return out;
}

static char *
http_target(const struct evhttp_uri *uri, int get, const char *params)
{
	const char	*path = evhttp_uri_get_path(uri);
	const char	*query = evhttp_uri_get_query(uri);
	char		*out;

	if (path == NULL || path[0] == '\0')
		path = "/";
	if (get && params[0] != '\0')
		xasprintf(&out, "%s?%s%s%s", path, query != NULL ? query : "",
		    query != NULL && query[0] != '\0' ? "&" : "", params);
	else
		xasprintf(&out, "%s%s%s", path, query != NULL ? "?" : "",
		    query != NULL ? query : "");
	return out;
}

static void
http_call_sign(struct http_call *call, const struct gw_http_request *r,
    const struct evhttp_uri *uri)
{
	int	 get = call->method == EVHTTP_REQ_GET;
	char	*url;

	url = http_signed_url(r->url, uri, get, r->params);
	gw_signer_sign(call->client->signer, r->token, url,
	    get ? NULL : r->params, call->signature);
	free(url);
}

/* The parts of url a call needs; -1 with err for what cannot be called. */
static int
http_call_target(struct http_call *call, const struct gw_http_request *r,
    char *err, size_t errlen)
{
	struct evhttp_uri	*uri;
	const char		*scheme, *name, *user;
	int			 p, get = call->method == EVHTTP_REQ_GET;
	size_t			 n;

	if ((uri = evhttp_uri_parse(r->url)) == NULL) {
		snprintf(err, errlen, "URL %s does not parse", r->url);
		return -1;
	}
	scheme = evhttp_uri_get_scheme(uri);
	name = evhttp_uri_get_host(uri);
	p = evhttp_uri_get_port(uri);
	if (scheme == NULL || (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0) || name == NULL ||
	    name[0] == '\0' || p == 0 || p > 65535) {
		snprintf(err, errlen, "URL %s is not http(s)://host[:port]/",
		    r->url);
		evhttp_uri_free(uri);
		return -1;
	}
	call->https = strcasecmp(scheme, "https") == 0;
	call->port = (uint16_t)(p > 0 ? p : call->https ? 443 : 80);
	/* Brackets of an IPv6 literal belong to the URL, not the address. */
	n = strlen(name);
	if (name[0] == '[' && n > 2 && name[n - 1] == ']')
		call->hostname = xstrndup(name + 1, n - 2);
	else
		call->hostname = xstrdup(name);
	if (p > 0)
		xasprintf(&call->host_header, "%s:%d", name, p);
	else
		call->host_header = xstrdup(name);
	if ((user = evhttp_uri_get_userinfo(uri)) != NULL)
		call->authorization = http_basic_auth(user);
	call->target = http_target(uri, get, r->params);
	if (r->token != NULL)
		http_call_sign(call, r, uri);
	evhttp_uri_free(uri);
	return 0;
}

int
gw_http_client_send(struct gw_http_client *c, const struct gw_http_request *r,
    gw_http_done_cb done, void *arg, char *err, size_t errlen)
{
	struct http_call	*call = xcalloc(1, sizeof *call);

	if (strcasecmp(r->method, "POST") == 0)
		call->method = EVHTTP_REQ_POST;
	else if (strcasecmp(r->method, "GET") == 0)
		call->method = EVHTTP_REQ_GET;
	else {
		snprintf(err, errlen, "method %s is neither GET nor POST",
		    r->method);
		free(call);
		return -1;
	}
	call->client = c;
	if (http_call_target(call, r, err, errlen) == -1) {
		http_call_free(call);
		return -1;
	}
	if (call->method == EVHTTP_REQ_POST)
		call->body = xstrdup(r->params);
	if (r->idempotency != NULL)
		call->idempotency = xstrdup(r->idempotency);
	call->done = done;
	call->arg = arg;
	c->in_flight++;
	if (c->use_thread) {
		if (!c->running)
			http_thread_start(c);
		pthread_mutex_lock(&c->mu);
		TAILQ_INSERT_TAIL(&c->submitted, call, entry);
		wakepipe_signal(&c->io_pipe);
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	http_call_queue(c, call);
	http_host_dispatch(call->host);
	return 0;
}

/*
 * One name or value, as evhttp_uriencode() with space as '+' writes it.
 * Most of a callback's values (sids, statuses, names) are made of the
 * characters it leaves alone: they go as they are, without its copy --
 * three callbacks a message, a dozen fields each, made this a tenth of
 * the event loop's time.
 */
static void
gw_http_form_put(struct evbuffer *out, const char *s)
{
	const char	*p;
	char		*e;

	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~'))
			break;
	if (*p == '\0') {
		evbuffer_add(out, s, (size_t)(p - s));
		return;
	}
	if ((e = evhttp_uriencode(s, -1, 1)) == NULL)
		fatalx("webhook form encoding failed");
	evbuffer_add(out, e, strlen(e));
	free(e);
}

void
gw_http_form_add(struct evbuffer *out, const char *name, const char *value)
{
	if (evbuffer_get_length(out) > 0)
		evbuffer_add(out, "&", 1);
	gw_http_form_put(out, name);
	evbuffer_add(out, "=", 1);
	gw_http_form_put(out, value);
}

char *
gw_http_form_take(struct evbuffer *b)
{
	size_t	 len = evbuffer_get_length(b);
	char	*s = xmalloc(len + 1);

	evbuffer_remove(b, s, len);
	s[len] = '\0';
	return s;
}
