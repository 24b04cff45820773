/*
 * gateway/webhook: status callbacks and inbound webhooks against a real
 * evhttp receiver on 127.0.0.1 (ephemeral port) in the same loop, with
 * the store underneath. The receiver records every request and checks
 * its X-Twilio-Signature with its own HMAC-SHA1 (not gw_signer_sign), and
 * answers from a per-path plan: status codes in turn, a TwiML body, or
 * no answer at all. Waits poll a condition with a deadline.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/queue.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/store.h"
#include "gateway/webhook-internal.h"
#include "gateway/webhook.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MSEC		INT64_C(1000)
#define SEC		CLOCK_USEC_PER_SEC
#define ACCOUNT		"AC0123456789abcdef0123456789abcdef"
#define TOKEN		"s3cret-token"
#define SERVICE		"MG0123456789abcdef0123456789abcdef"
#define MAX_HITS	128

/* What the receiver got. */
struct hit {
	char		 path[64];
	char		 method[8];
	char		*url;		/* as the gateway called it */
	char		*body;
	char		 signature[64];
	char		 user_agent[32];
	char		 content_type[64];
	char		 token[96];	/* I-Twilio-Idempotency-Token */
	struct evkeyvalq params;	/* body (POST) or query (GET) */
	unsigned	 peer_port;
	int		 signature_ok;
	int64_t		 at;
};

/* How the receiver answers a path: codes[n] for the nth hit (the last
 * one again after the end), with body and type; hang: never. */
struct plan {
	const char	*path;
	int		 codes[4];
	size_t		 ncodes;
	const char	*type;
	const char	*body;
	int		 hang;
	unsigned	 hits;
};

static struct {
	struct event_base	*base;
	struct clock		*clock;
	struct gateway		*gw;
	struct gateway_account	 account;
	struct evhttp		*http;
	int			 port;
	/* The https receiver, made by https_start(). */
	struct evhttp		*https;
	int			 https_port;
	SSL_CTX			*tls;
	int			 in_https;	/* the request at hand */
	int			 down;		/* 503 to all, unrecorded */
	unsigned		 down_hits;
	struct hit		 hits[MAX_HITS];
	size_t			 nhits;
	struct plan		 plans[8];
	size_t			 nplans;
	/* Inbound replies. */
	int			 replies;
	size_t			 reply_messages;
	char			 reply_body[64];
} fx;

/* Which tcase runs: the client's connections on their own thread (as
 * serve has them) or on the test's loop (as virtual time has them). */
static int	fx_in_loop;

/* The test's own signature: sorted name+value pairs after the URL. */
static int
pair_cmp(const void *a, const void *b)
{
	const struct evkeyval *x = *(const struct evkeyval *const *)a;
	const struct evkeyval *y = *(const struct evkeyval *const *)b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->value, y->value);
}

static void
expected_signature(const char *url, struct evkeyvalq *params, char out[64])
{
	const struct evkeyval	*kv, *pairs[64];
	char			 text[16384];
	unsigned char		 md[20];
	unsigned int		 mdlen = 0;
	size_t			 n = 0, i, len;

	len = (size_t)snprintf(text, sizeof text, "%s", url);
	if (params != NULL) {
		TAILQ_FOREACH(kv, params, next)
			if (n < nitems(pairs))
				pairs[n++] = kv;
		qsort(pairs, n, sizeof pairs[0], pair_cmp);
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, sizeof text - len,
			    "%s%s", pairs[i]->key, pairs[i]->value);
	}
	HMAC(EVP_sha1(), TOKEN, (int)strlen(TOKEN), (unsigned char *)text, len,
	    md, &mdlen);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

static struct plan *
plan_find(const char *path)
{
	size_t i;

	for (i = 0; i < fx.nplans; i++)
		if (strcmp(fx.plans[i].path, path) == 0)
			return &fx.plans[i];
	return NULL;
}

static void
plan_add(const char *path, const int *codes, size_t ncodes, const char *type,
    const char *body, int hang)
{
	struct plan *p = &fx.plans[fx.nplans++];

	memset(p, 0, sizeof *p);
	p->path = path;
	memcpy(p->codes, codes, ncodes * sizeof *codes);
	p->ncodes = ncodes;
	p->type = type;
	p->body = body;
	p->hang = hang;
}

static void
header_copy(struct evhttp_request *req, const char *name, char *out,
    size_t cap)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(
	    req), name);

	snprintf(out, cap, "%s", v != NULL ? v : "");
}

static void
hit_record(struct hit *h, struct evhttp_request *req)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	const char		*query = evhttp_uri_get_query(uri);
	char			*peer, want[64];
	ev_uint16_t		 port;
	size_t			 len = evbuffer_get_length(in);
	int			 get;

	get = evhttp_request_get_command(req) == EVHTTP_REQ_GET;
	snprintf(h->method, sizeof h->method, "%s", get ? "GET" : "POST");
	snprintf(h->path, sizeof h->path, "%s", evhttp_uri_get_path(uri));
	xasprintf(&h->url, "%s://127.0.0.1:%d%s", fx.in_https ? "https" :
	    "http", fx.in_https ? fx.https_port : fx.port,
	    evhttp_request_get_uri(req));
	h->body = xmalloc(len + 1);
	evbuffer_remove(in, h->body, len);
	h->body[len] = '\0';
	header_copy(req, "X-Twilio-Signature", h->signature,
	    sizeof h->signature);
	header_copy(req, "User-Agent", h->user_agent, sizeof h->user_agent);
	header_copy(req, "Content-Type", h->content_type,
	    sizeof h->content_type);
	header_copy(req, "I-Twilio-Idempotency-Token", h->token,
	    sizeof h->token);
	TAILQ_INIT(&h->params);
	evhttp_parse_query_str(get ? (query != NULL ? query : "") : h->body,
	    &h->params);
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &peer,
	    &port);
	h->peer_port = port;
	expected_signature(h->url, get ? NULL : &h->params, want);
	h->signature_ok = strcmp(want, h->signature) == 0;
	h->at = clock_now(fx.clock);
}

static void
receiver(struct evhttp_request *req, void *arg)
{
	struct hit	*h;
	struct plan	*p;
	struct evbuffer	*out;
	unsigned	 n;

	(void)arg;
	if (fx.down) {
		fx.down_hits++;
		evhttp_send_reply(req, 503, "Down", NULL);
		return;
	}
	ck_assert_uint_lt(fx.nhits, MAX_HITS);
	h = &fx.hits[fx.nhits++];
	hit_record(h, req);
	if ((p = plan_find(h->path)) == NULL) {
		evhttp_send_reply(req, 404, "Not Found", NULL);
		return;
	}
	n = p->hits++;
	if (p->hang)
		return;
	out = evbuffer_new();
	if (p->body != NULL)
		evbuffer_add(out, p->body, strlen(p->body));
	if (p->type != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", p->type);
	evhttp_send_reply(req, p->codes[n < p->ncodes ? n : p->ncodes - 1],
	    "Plan", out);
	evbuffer_free(out);
}

static const char *
param(const struct hit *h, const char *name)
{
	return evhttp_find_header(&h->params, name);
}

/* Runs the loop until cond() or 5 s of clock time. */
static int
wait_for(int (*cond)(void))
{
	int64_t deadline = clock_now(fx.clock) + 5 * SEC;

	while (!cond() && clock_now(fx.clock) < deadline)
		event_base_loop(fx.base, EVLOOP_ONCE | EVLOOP_NONBLOCK),
		    usleep(200);
	return cond();
}

static int
idle(void)
{
	return gw_webhooks_pending(fx.gw->webhooks) == 0;
}

static size_t want_hits;

static int
enough_hits(void)
{
	return fx.nhits >= want_hits;
}

static void
wait_hits(size_t n)
{
	want_hits = n;
	ck_assert_msg(wait_for(enough_hits), "%zu hits, want %zu", fx.nhits,
	    n);
}

static int
bound_port(struct evhttp_bound_socket *bs)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &len), 0);
	return ntohs(sin.sin_port);
}

static void
setup(void)
{
	struct evhttp_bound_socket	*bs;
	char				 err[256];

	log_set_level(LOG_LEVEL_DEBUG);
	memset(&fx, 0, sizeof fx);
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_REAL, 0, 1.0);
	fx.http = evhttp_new(fx.base);
	bs = evhttp_bind_socket_with_handle(fx.http, "127.0.0.1", 0);
	ck_assert_ptr_nonnull(bs);
	fx.port = bound_port(bs);
	evhttp_set_gencb(fx.http, receiver, NULL);

	fx.gw = xcalloc(1, sizeof *fx.gw);
	fx.gw->base = fx.base;
	fx.gw->clock = fx.clock;
	snprintf(fx.account.sid, sizeof fx.account.sid, ACCOUNT);
	snprintf(fx.account.token, sizeof fx.account.token, TOKEN);
	fx.gw->cfg.accounts = &fx.account;
	fx.gw->cfg.naccounts = 1;
	fx.gw->cfg.callback_timeout = 300 * MSEC;
	fx.gw->cfg.callback_retries = 2;
	fx.gw->cfg.callback_backoff = 50 * MSEC;
	fx.gw->cfg.callback_backoff_max = 80 * MSEC;
	fx.gw->cfg.callback_in_loop = fx_in_loop;
	fx.gw->store = gw_store_open(fx.base, ":memory:", 0, err, sizeof err);
	ck_assert_msg(fx.gw->store != NULL, "%s", err);
	fx.gw->webhooks = gw_webhooks_new(fx.gw);
}

static void
teardown(void)
{
	size_t i;

	gw_webhooks_free(fx.gw->webhooks);
	gw_store_close(fx.gw->store);
	free(fx.gw);
	evhttp_free(fx.http);
	if (fx.https != NULL)
		evhttp_free(fx.https);
	SSL_CTX_free(fx.tls);
	for (i = 0; i < fx.nhits; i++) {
		free(fx.hits[i].url);
		free(fx.hits[i].body);
		evhttp_clear_headers(&fx.hits[i].params);
	}
	clock_free(fx.clock);
	event_base_free(fx.base);
}

static char *
url(const char *path)
{
	static char	buf[4][128];
	static int	i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "http://127.0.0.1:%d%s", fx.port,
	    path);
	return buf[i];
}

static struct gw_message *
message(int n, enum gw_status status)
{
	struct gw_message *m = gw_message_new();

	snprintf(m->sid, sizeof m->sid, "SM%032d", n);
	snprintf(m->account_sid, sizeof m->account_sid, ACCOUNT);
	snprintf(m->to, sizeof m->to, "+14155550100");
	snprintf(m->from, sizeof m->from, "+14155550199");
	m->status = status;
	return m;
}

static void
status(int n, enum gw_status s, int error_code, const char *path)
{
	struct gw_message *m = message(n, s);

	m->error_code = error_code;
	gw_webhook_status(fx.gw->webhooks, m, url(path), "2611271015");
	gw_message_free(m);
}

static void
row_forget(struct gw_callback_row *row, void *arg)
{
	(void)arg;
	gw_callback_row_clear(row);
}

static size_t
store_rows(void)
{
	gw_store_commit(fx.gw->store);
	return (size_t)gw_store_load_callbacks(fx.gw->store, row_forget, NULL);
}

static const int ok200[] = { 200 };

/* The webhooks again with a memory limit of max callbacks. */
static void
webhooks_limit(unsigned max, unsigned retries)
{
	gw_webhooks_free(fx.gw->webhooks);
	fx.gw->cfg.callback_memory_max = max;
	fx.gw->cfg.callback_retries = retries;
	fx.gw->webhooks = gw_webhooks_new(fx.gw);
}

static unsigned want_down_hits;

static int
enough_down_hits(void)
{
	return fx.down_hits >= want_down_hits;
}

/* Each message's statuses arrived in the order of statuses[]. */
static void
check_order(int nmessages, const char *const *statuses, size_t nstatuses)
{
	char	 sid[35];
	size_t	 i, seen;
	int	 n;

	for (n = 1; n <= nmessages; n++) {
		snprintf(sid, sizeof sid, "SM%032d", n);
		seen = 0;
		for (i = 0; i < fx.nhits; i++) {
			if (strcmp(param(&fx.hits[i], "MessageSid"), sid) != 0)
				continue;
			ck_assert_uint_lt(seen, nstatuses);
			ck_assert_str_eq(param(&fx.hits[i], "MessageStatus"),
			    statuses[seen]);
			seen++;
		}
		ck_assert_uint_eq(seen, nstatuses);
	}
}

/* Whether this process has a thread of that name (/proc/self/task). */
static int
thread_named(const char *name)
{
	char		 path[300], comm[32];
	struct dirent	*e;
	DIR		*d = opendir("/proc/self/task");
	FILE		*f;
	int		 found = 0;

	ck_assert_ptr_nonnull(d);
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/task/%s/comm",
		    e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof comm, f) != NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			found = strcmp(comm, name) == 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* §5.1 parameters, form encoding ('+' as %2B), headers and signature. */
START_TEST(test_status_params)
{
	struct gw_message	*m = message(1, GW_STATUS_DELIVERED);
	const struct hit	*h;

	plan_add("/cb", ok200, 1, NULL, NULL, 0);
	snprintf(m->service_sid, sizeof m->service_sid, SERVICE);
	gw_webhook_status(fx.gw->webhooks, m, url("/cb?site=a%20b"),
	    "2611271015");
	gw_message_free(m);
	ck_assert_uint_eq(gw_webhooks_pending(fx.gw->webhooks), 1);
	wait_hits(1);
	h = &fx.hits[0];
	ck_assert_str_eq(h->method, "POST");
	ck_assert_str_eq(h->content_type, "application/x-www-form-urlencoded");
	ck_assert_str_eq(h->user_agent, "TwilioProxy/1.1");
	ck_assert_msg(h->signature_ok, "signature %s of %s %s", h->signature,
	    h->url, h->body);
	ck_assert_str_eq(h->url, url("/cb?site=a%20b"));
	ck_assert_ptr_nonnull(strstr(h->body, "To=%2B14155550100"));
	ck_assert_str_eq(param(h, "MessageStatus"), "delivered");
	ck_assert_str_eq(param(h, "SmsStatus"), "delivered");
	ck_assert_str_eq(param(h, "MessageSid"), "SM" "000000000000000000000"
	    "00000000001");
	ck_assert_str_eq(param(h, "SmsSid"), param(h, "MessageSid"));
	ck_assert_str_eq(param(h, "AccountSid"), ACCOUNT);
	ck_assert_str_eq(param(h, "From"), "+14155550199");
	ck_assert_str_eq(param(h, "To"), "+14155550100");
	ck_assert_str_eq(param(h, "ApiVersion"), "2010-04-01");
	ck_assert_str_eq(param(h, "MessagingServiceSid"), SERVICE);
	ck_assert_str_eq(param(h, "RawDlrDoneDate"), "2611271015");
	ck_assert_ptr_null(param(h, "ErrorCode"));
	ck_assert_str_ne(h->token, "");
	ck_assert(wait_for(idle));
	ck_assert_uint_eq(fx.gw->metrics.callbacks_sent, 1);
	ck_assert_uint_eq(store_rows(), 0);
	/* The connections ran where this tcase says. */
	ck_assert_int_eq(thread_named("webhooks"), !fx_in_loop);

	/* A failure carries its code and text, and no RawDlrDoneDate. */
	status(2, GW_STATUS_FAILED, 30003, "/cb");
	wait_hits(2);
	h = &fx.hits[1];
	ck_assert(h->signature_ok);
	ck_assert_str_eq(param(h, "MessageStatus"), "failed");
	ck_assert_str_eq(param(h, "ErrorCode"), "30003");
	ck_assert_str_eq(param(h, "ErrorMessage"),
	    "Unreachable destination handset");
	ck_assert_ptr_null(param(h, "RawDlrDoneDate"));
	ck_assert_ptr_null(param(h, "MessagingServiceSid"));
	ck_assert(wait_for(idle));
}
END_TEST

/* 500, 500, 200: three attempts, 50 ms then 80 ms (100 capped) apart. */
START_TEST(test_status_retry_backoff)
{
	static const int codes[] = { 500, 500, 200 };

	plan_add("/flaky", codes, 3, NULL, NULL, 0);
	status(1, GW_STATUS_SENT, 0, "/flaky");
	wait_hits(3);
	ck_assert(wait_for(idle));
	ck_assert_uint_eq(fx.nhits, 3);
	/* Timers may fire a little early against the receiver's clock. */
	ck_assert_int_ge(fx.hits[1].at - fx.hits[0].at, 45 * MSEC);
	ck_assert_int_ge(fx.hits[2].at - fx.hits[1].at, 75 * MSEC);
	ck_assert_int_lt(fx.hits[2].at - fx.hits[1].at, 300 * MSEC);
	ck_assert(fx.hits[0].signature_ok && fx.hits[2].signature_ok);
	/* The same token on every attempt, for the receiver to dedupe. */
	ck_assert_str_eq(fx.hits[0].token, fx.hits[2].token);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_failed, 2);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_sent, 1);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_dropped, 0);
	ck_assert_uint_eq(store_rows(), 0);
}
END_TEST

/* A message's callbacks arrive in status order even when the first is
 * retried; another message's callback is not held up meanwhile. */
START_TEST(test_status_order_under_retries)
{
	static const int codes[] = { 500, 200 };
	const char	*a[4];
	size_t		 i, na = 0, b_at = 0;

	plan_add("/a", codes, 2, NULL, NULL, 0);
	plan_add("/b", ok200, 1, NULL, NULL, 0);
	status(1, GW_STATUS_SENT, 0, "/a");
	status(1, GW_STATUS_DELIVERED, 0, "/a");
	status(2, GW_STATUS_SENT, 0, "/b");
	wait_hits(4);
	ck_assert(wait_for(idle));
	ck_assert_uint_eq(fx.nhits, 4);
	for (i = 0; i < 4; i++) {
		if (strcmp(fx.hits[i].path, "/a") == 0)
			a[na++] = param(&fx.hits[i], "MessageStatus");
		else
			b_at = i;
	}
	/* /a: sent (500), sent again (200), only then delivered. */
	ck_assert_uint_eq(na, 3);
	ck_assert_str_eq(a[0], "sent");
	ck_assert_str_eq(a[1], "sent");
	ck_assert_str_eq(a[2], "delivered");
	/* /b did not wait for /a's retry. */
	ck_assert_uint_lt(b_at, 3);
}
END_TEST

/* 503 for ever: 1 + callback_retries attempts, then dropped; the next
 * callback of the message goes after the drop. */
START_TEST(test_status_drop_after_retries)
{
	static const int codes[] = { 503 };

	plan_add("/fail", codes, 1, NULL, NULL, 0);
	plan_add("/ok", ok200, 1, NULL, NULL, 0);
	status(1, GW_STATUS_SENT, 0, "/fail");
	status(1, GW_STATUS_DELIVERED, 0, "/ok");
	wait_hits(4);
	ck_assert(wait_for(idle));
	ck_assert_str_eq(fx.hits[2].path, "/fail");
	ck_assert_str_eq(fx.hits[3].path, "/ok");
	ck_assert_str_eq(param(&fx.hits[3], "MessageStatus"), "delivered");
	ck_assert_uint_eq(fx.gw->metrics.callbacks_failed, 3);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_dropped, 1);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_sent, 1);
	ck_assert_uint_eq(store_rows(), 0);
}
END_TEST

static unsigned
distinct_ports(void)
{
	unsigned	ports[MAX_HITS], n = 0, j;
	size_t		i;

	for (i = 0; i < fx.nhits; i++) {
		for (j = 0; j < n && ports[j] != fx.hits[i].peer_port; j++)
			;
		if (j == n)
			ports[n++] = fx.hits[i].peer_port;
	}
	return n;
}

/* One after the other: one TCP connection. Twelve at once: at most eight
 * connections, the rest queued, all delivered. */
START_TEST(test_status_keepalive_and_pool)
{
	int i;

	plan_add("/ok", ok200, 1, NULL, NULL, 0);
	for (i = 0; i < 5; i++) {
		status(i + 1, GW_STATUS_SENT, 0, "/ok");
		ck_assert(wait_for(idle));
	}
	ck_assert_uint_eq(fx.nhits, 5);
	ck_assert_uint_eq(distinct_ports(), 1);

	for (i = 0; i < 12; i++)
		status(100 + i, GW_STATUS_SENT, 0, "/ok");
	wait_hits(17);
	ck_assert(wait_for(idle));
	ck_assert_uint_le(distinct_ports(), 8);
	ck_assert_uint_ge(distinct_ports(), 2);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_sent, 17);
}
END_TEST

/* A receiver that never answers: the attempt ends at callback_timeout. */
/* ---- https receivers ---- */

static void
receiver_https(struct evhttp_request *req, void *arg)
{
	fx.in_https = 1;
	receiver(req, arg);
	fx.in_https = 0;
}

static struct bufferevent *
https_bev(struct event_base *base, void *arg)
{
	return bufferevent_openssl_socket_new(base, -1, SSL_new(arg),
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

/*
 * An https receiver on 127.0.0.1 with a self-signed certificate for
 * IP:127.0.0.1 (CN carrierlab-test), written as PEM to ca_path for the
 * client to trust.
 */
static void
https_start(const char *ca_path)
{
	struct evhttp_bound_socket	*bs;
	EVP_PKEY			*key = EVP_EC_gen("P-256");
	X509				*x = X509_new();
	X509_EXTENSION			*san;
	X509_NAME			*name;
	FILE				*f;

	ck_assert_ptr_nonnull(key);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"carrierlab-test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
	    "IP:127.0.0.1");
	ck_assert_ptr_nonnull(san);
	X509_add_ext(x, san, -1);
	X509_EXTENSION_free(san);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	ck_assert_ptr_nonnull(f = fopen(ca_path, "w"));
	ck_assert_int_eq(PEM_write_X509(f, x), 1);
	fclose(f);
	fx.tls = SSL_CTX_new(TLS_server_method());
	ck_assert_int_eq(SSL_CTX_use_certificate(fx.tls, x), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(fx.tls, key), 1);
	X509_free(x);
	EVP_PKEY_free(key);
	fx.https = evhttp_new(fx.base);
	evhttp_set_bevcb(fx.https, https_bev, fx.tls);
	evhttp_set_gencb(fx.https, receiver_https, NULL);
	bs = evhttp_bind_socket_with_handle(fx.https, "127.0.0.1", 0);
	ck_assert_ptr_nonnull(bs);
	fx.https_port = bound_port(bs);
}

/* The webhooks again, checking certificates against ca ("": system). */
static void
webhooks_tls(int verify, const char *ca)
{
	gw_webhooks_free(fx.gw->webhooks);
	fx.gw->cfg.callback_tls_verify = verify;
	snprintf(fx.gw->cfg.callback_tls_ca, sizeof fx.gw->cfg.callback_tls_ca,
	    "%s", ca);
	fx.gw->webhooks = gw_webhooks_new(fx.gw);
}

static void
status_https(int n, const char *path)
{
	struct gw_message *m = message(n, GW_STATUS_SENT);
	char u[128];

	snprintf(u, sizeof u, "https://127.0.0.1:%d%s", fx.https_port, path);
	gw_webhook_status(fx.gw->webhooks, m, u, NULL);
	gw_message_free(m);
}

/*
 * https status callbacks: signed over the https URL and received with
 * verification off; with verification against the receiver's own
 * certificate; refused (never received, counted failed) against the
 * system's CAs, which do not know it.
 */
START_TEST(test_status_https)
{
	const char *tmp = getenv("TMPDIR");
	char ca[512];
	int fd;

	ck_assert_int_lt(snprintf(ca, sizeof ca, "%s/test_gw_webhook_ca.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"), (int)sizeof ca);
	ck_assert_int_ge(fd = mkstemp(ca), 0);
	close(fd);
	https_start(ca);
	fx.gw->cfg.callback_retries = 0;
	plan_add("/tls", ok200, 1, NULL, NULL, 0);
	webhooks_tls(0, "");
	status_https(1, "/tls");
	wait_hits(1);
	ck_assert_msg(fx.hits[0].signature_ok, "signature of %s",
	    fx.hits[0].url);
	ck_assert_str_eq(param(&fx.hits[0], "MessageStatus"), "sent");
	webhooks_tls(1, ca);
	status_https(2, "/tls");
	wait_hits(2);
	ck_assert(fx.hits[1].signature_ok);
	webhooks_tls(1, "");
	status_https(3, "/tls");
	ck_assert(wait_for(idle));
	ck_assert_uint_eq(fx.nhits, 2);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_failed, 1);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_dropped, 1);
	unlink(ca);
}
END_TEST

START_TEST(test_status_timeout)
{
	int64_t start;

	fx.gw->cfg.callback_retries = 0;
	plan_add("/hang", ok200, 1, NULL, NULL, 1);
	start = clock_now(fx.clock);
	status(1, GW_STATUS_SENT, 0, "/hang");
	wait_hits(1);
	ck_assert(wait_for(idle));
	ck_assert_int_ge(clock_now(fx.clock) - start, 280 * MSEC);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_failed, 1);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_dropped, 1);
}
END_TEST

/* A URL that cannot be called is dropped at once. */
START_TEST(test_status_bad_url)
{
	struct gw_message *m = message(1, GW_STATUS_SENT);

	gw_webhook_status(fx.gw->webhooks, m, "ftp://example.com/x", NULL);
	gw_message_free(m);
	ck_assert(wait_for(idle));
	ck_assert_uint_eq(fx.gw->metrics.callbacks_dropped, 1);
	ck_assert_uint_eq(fx.nhits, 0);
	ck_assert_uint_eq(store_rows(), 0);
}
END_TEST

static void
resume_row(struct gw_callback_row *row, void *arg)
{
	(void)arg;
	gw_webhook_resume(fx.gw->webhooks, row);
}

/* Rows of the outbox as a restart finds them: one due, one due in 150 ms;
 * both sent, the second not before its time, both deleted. */
START_TEST(test_status_resume)
{
	struct gw_callback_row	 rows[2];
	int64_t			 now = clock_now(fx.clock);
	size_t			 i;

	plan_add("/ok", ok200, 1, NULL, NULL, 0);
	memset(rows, 0, sizeof rows);
	for (i = 0; i < 2; i++) {
		snprintf(rows[i].kind, sizeof rows[i].kind, "status");
		snprintf(rows[i].message_sid, sizeof rows[i].message_sid,
		    "SM%032zu", i + 1);
		snprintf(rows[i].account_sid, sizeof rows[i].account_sid,
		    ACCOUNT);
		rows[i].url = xstrdup(url("/ok"));
		snprintf(rows[i].method, sizeof rows[i].method, "POST");
		rows[i].params = xstrdup(i == 0 ? "MessageStatus=sent&To="
		    "%2B14155550100" : "MessageStatus=delivered");
		rows[i].attempts = (unsigned)i;
		rows[i].created_at = now - SEC;
		rows[i].next_at = i == 0 ? now - SEC : now + 150 * MSEC;
		ck_assert_int_eq(gw_store_add_callback(fx.gw->store, &rows[i]),
		    0);
		gw_callback_row_clear(&rows[i]);
	}
	ck_assert_int_eq(gw_store_commit(fx.gw->store), 0);
	ck_assert_int_eq(gw_store_load_callbacks(fx.gw->store, resume_row,
	    NULL), 2);
	ck_assert_uint_eq(gw_webhooks_pending(fx.gw->webhooks), 2);
	wait_hits(2);
	ck_assert(wait_for(idle));
	ck_assert_str_eq(param(&fx.hits[0], "MessageStatus"), "sent");
	ck_assert_str_eq(param(&fx.hits[0], "To"), "+14155550100");
	ck_assert(fx.hits[0].signature_ok && fx.hits[1].signature_ok);
	ck_assert_int_lt(fx.hits[0].at, now + 150 * MSEC);
	/* 10 ms of slack: timers may fire a little early. */
	ck_assert_int_ge(fx.hits[1].at, now + 140 * MSEC);
	ck_assert_uint_eq(store_rows(), 0);
}
END_TEST

/*
 * Memory limit: with 4 callbacks in memory, a receiver that is down
 * while 3 messages make 4 statuses each (12 callbacks, 8 only in the
 * outbox), then up: every one arrives, each message's in order, the
 * memory never held more than 4, and pending counted them all.
 */
START_TEST(test_status_spill)
{
	static const enum gw_status st[] = { GW_STATUS_QUEUED,
	    GW_STATUS_SENDING, GW_STATUS_SENT, GW_STATUS_DELIVERED };
	static const char *const names[] = { "queued", "sending", "sent",
	    "delivered" };
	struct gw_webhooks	*wh;
	size_t			 i;
	int			 n;

	webhooks_limit(4, 100);
	wh = fx.gw->webhooks;
	plan_add("/ok", ok200, 1, NULL, NULL, 0);
	fx.down = 1;
	for (i = 0; i < nitems(st); i++)
		for (n = 1; n <= 3; n++)
			status(n, st[i], 0, "/ok");
	ck_assert_uint_eq(gw_webhooks_pending(wh), 12);
	ck_assert_uint_eq(wh->ncallbacks, 4);
	ck_assert_uint_eq(wh->nspilled, 8);
	want_down_hits = 6;
	ck_assert(wait_for(enough_down_hits));
	/* Still all pending while down; one more spills behind the rest. */
	ck_assert_uint_eq(gw_webhooks_pending(wh), 12);
	status(4, GW_STATUS_SENT, 0, "/ok");
	ck_assert_uint_eq(gw_webhooks_pending(wh), 13);
	ck_assert_uint_eq(wh->nspilled, 9);
	fx.down = 0;
	wait_hits(13);
	ck_assert(wait_for(idle));
	ck_assert_uint_eq(fx.nhits, 13);
	check_order(3, names, nitems(names));
	ck_assert_uint_le(wh->ncallbacks_peak, 4);
	ck_assert_int_eq(wh->spilling, 0);
	ck_assert_uint_eq(gw_webhooks_pending(wh), 0);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_sent, 13);
	ck_assert_uint_eq(fx.gw->metrics.callbacks_dropped, 0);
	ck_assert_uint_eq(store_rows(), 0);
	/* Memory free again: the next one does not spill. */
	status(5, GW_STATUS_SENT, 0, "/ok");
	ck_assert_uint_eq(wh->ncallbacks, 1);
	ck_assert_uint_eq(wh->nspilled, 0);
	wait_hits(14);
	ck_assert(wait_for(idle));
}
END_TEST

static void
resume_page_row(struct gw_callback_row *row, void *arg)
{
	*(int64_t *)arg = row->id;
	gw_webhook_resume(fx.gw->webhooks, row);
}

/* A restart finds 15 rows (5 messages, 3 statuses each) and a limit of
 * 4: 4 in memory, 11 counted as pending, all sent in order. */
START_TEST(test_status_spill_resume)
{
	static const char *const names[] = { "sent", "delivered", "read" };
	struct gw_callback_row	 row;
	struct gw_webhooks	*wh;
	int64_t			 now = clock_now(fx.clock), last_id = 0;
	size_t			 i;
	int			 n;

	plan_add("/ok", ok200, 1, NULL, NULL, 0);
	for (i = 0; i < nitems(names); i++)
		for (n = 1; n <= 5; n++) {
			memset(&row, 0, sizeof row);
			snprintf(row.kind, sizeof row.kind, "status");
			snprintf(row.message_sid, sizeof row.message_sid,
			    "SM%032d", n);
			snprintf(row.account_sid, sizeof row.account_sid,
			    ACCOUNT);
			row.url = xstrdup(url("/ok"));
			snprintf(row.method, sizeof row.method, "POST");
			xasprintf(&row.params, "MessageSid=SM%032d&"
			    "MessageStatus=%s", n, names[i]);
			row.created_at = row.next_at = now;
			ck_assert_int_eq(gw_store_add_callback(fx.gw->store,
			    &row), 0);
			gw_callback_row_clear(&row);
		}
	ck_assert_int_eq(gw_store_commit(fx.gw->store), 0);
	webhooks_limit(4, 2);
	wh = fx.gw->webhooks;
	fx.down = 1;
	/* As gw_recover() reads it: in pages, oldest first. */
	do {
		n = gw_store_load_callbacks_after(fx.gw->store, last_id, 4,
		    resume_page_row, &last_id);
		ck_assert_int_ge(n, 0);
	} while (n == 4);
	ck_assert_uint_eq(wh->ncallbacks, 4);
	ck_assert_uint_eq(gw_webhooks_pending(wh), 15);
	fx.down = 0;
	wait_hits(15);
	ck_assert(wait_for(idle));
	ck_assert_uint_eq(fx.nhits, 15);
	check_order(5, names, nitems(names));
	ck_assert_uint_le(wh->ncallbacks_peak, 4);
	ck_assert_uint_eq(store_rows(), 0);
}
END_TEST

static void
on_reply(struct gateway *gw, const struct gw_message *in,
    const struct gw_twiml *reply, void *arg)
{
	(void)gw;
	(void)arg;
	ck_assert_ptr_nonnull(in);
	fx.replies++;
	fx.reply_messages = reply != NULL ? reply->nmessages : 0;
	snprintf(fx.reply_body, sizeof fx.reply_body, "%s", reply != NULL ?
	    reply->messages[0].body : "(none)");
}

static int
replied(void)
{
	return fx.replies > 0;
}

/* OptOutType of the next inbound() (an Advanced Opt-Out keyword). */
static const char *next_opt_out_type;

static void
inbound(const char *u, const char *method, const char *fallback,
    const char *fallback_method)
{
	struct gw_message	*m = message(7, GW_STATUS_RECEIVED);
	struct gw_inbound_target t = { u, method, fallback, fallback_method,
	    next_opt_out_type };

	snprintf(m->from, sizeof m->from, "+447700900123");
	gw_message_set_body(m, "Hi there+you & me");
	m->num_segments = 1;
	m->num_media = 1;
	m->media = xcalloc(1, sizeof *m->media);
	m->media[0] = xstrdup("https://media.example/a.png");
	m->direction = GW_DIR_INBOUND;
	gw_webhook_inbound(fx.gw->webhooks, m, &t, on_reply, NULL);
	gw_message_free(m);	/* the webhook keeps its own copy */
}

static const char twiml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Response><Message>Got it</Message></Response>\n";

/* §5.2 parameters, signed; the TwiML reply is parsed and handed over. */
START_TEST(test_inbound_twiml_reply)
{
	const struct hit *h;

	plan_add("/sms", ok200, 1, "text/xml; charset=utf-8", twiml, 0);
	next_opt_out_type = "STOP";
	inbound(url("/sms"), "POST", "", "POST");
	next_opt_out_type = NULL;
	ck_assert(wait_for(replied));
	ck_assert_int_eq(fx.replies, 1);
	ck_assert_uint_eq(fx.reply_messages, 1);
	ck_assert_str_eq(fx.reply_body, "Got it");
	ck_assert_uint_eq(fx.nhits, 1);
	h = &fx.hits[0];
	ck_assert(h->signature_ok);
	ck_assert_str_eq(h->user_agent, "TwilioProxy/1.1");
	ck_assert_str_eq(param(h, "Body"), "Hi there+you & me");
	ck_assert_str_eq(param(h, "From"), "+447700900123");
	ck_assert_str_eq(param(h, "To"), "+14155550100");
	ck_assert_str_eq(param(h, "SmsStatus"), "received");
	ck_assert_str_eq(param(h, "MessageSid"), param(h, "SmsMessageSid"));
	ck_assert_str_eq(param(h, "MessageSid"), param(h, "SmsSid"));
	ck_assert_str_eq(param(h, "AccountSid"), ACCOUNT);
	ck_assert_str_eq(param(h, "NumMedia"), "1");
	ck_assert_str_eq(param(h, "NumSegments"), "1");
	ck_assert_str_eq(param(h, "MediaUrl0"), "https://media.example/a.png");
	ck_assert_str_eq(param(h, "MediaContentType0"), "image/png");
	ck_assert_str_eq(param(h, "FromCountry"), "GB");
	ck_assert_str_eq(param(h, "ToCountry"), "US");
	ck_assert_str_eq(param(h, "FromCity"), "");
	ck_assert_str_eq(param(h, "ApiVersion"), "2010-04-01");
	ck_assert_str_eq(param(h, "OptOutType"), "STOP");
	ck_assert(wait_for(idle));
}
END_TEST

/* A URL nobody listens on, then the fallback by GET (signed with its
 * query); an empty <Response/> means no reply. */
START_TEST(test_inbound_fallback)
{
	struct evhttp_bound_socket	*bs;
	struct evhttp			*gone = evhttp_new(fx.base);
	char				 dead[128];
	const struct hit		*h;

	bs = evhttp_bind_socket_with_handle(gone, "127.0.0.1", 0);
	snprintf(dead, sizeof dead, "http://127.0.0.1:%d/sms", bound_port(bs));
	evhttp_free(gone);	/* the port now refuses */

	plan_add("/fallback", ok200, 1, "application/xml", twiml, 0);
	inbound(dead, "POST", url("/fallback?k=v"), "GET");
	ck_assert(wait_for(replied));
	ck_assert_str_eq(fx.reply_body, "Got it");
	ck_assert_uint_eq(fx.nhits, 1);
	h = &fx.hits[0];
	ck_assert_str_eq(h->method, "GET");
	ck_assert_msg(h->signature_ok, "%s %s", h->url, h->signature);
	ck_assert_str_eq(param(h, "k"), "v");
	ck_assert_str_eq(param(h, "Body"), "Hi there+you & me");
	ck_assert_uint_eq(fx.gw->metrics.callbacks_failed, 1);
	ck_assert(wait_for(idle));
}
END_TEST

START_TEST(test_inbound_no_reply)
{
	static const int e500[] = { 500 };

	/* 500 then 500 on the fallback: one reply, NULL. */
	plan_add("/e1", e500, 1, NULL, NULL, 0);
	plan_add("/e2", e500, 1, NULL, NULL, 0);
	inbound(url("/e1"), "POST", url("/e2"), "POST");
	ck_assert(wait_for(replied));
	ck_assert_int_eq(fx.replies, 1);
	ck_assert_str_eq(fx.reply_body, "(none)");
	ck_assert_uint_eq(fx.nhits, 2);

	/* An empty <Response/>: no reply, no fallback. */
	fx.replies = 0;
	plan_add("/empty", ok200, 1, "text/xml", "<Response/>", 0);
	inbound(url("/empty"), "POST", url("/e2"), "POST");
	ck_assert(wait_for(replied));
	ck_assert_str_eq(fx.reply_body, "(none)");
	ck_assert_uint_eq(fx.nhits, 3);

	/* Broken TwiML: the fallback is tried. */
	fx.replies = 0;
	plan_add("/broken", ok200, 1, "text/xml", "<Response><Message>", 0);
	plan_add("/good", ok200, 1, "text/xml", twiml, 0);
	inbound(url("/broken"), "POST", url("/good"), "POST");
	ck_assert(wait_for(replied));
	ck_assert_str_eq(fx.reply_body, "Got it");
	ck_assert_uint_eq(fx.nhits, 5);

	/* No URL: dropped, the reply says so at once. */
	fx.replies = 0;
	inbound("", "POST", "", "POST");
	ck_assert_int_eq(fx.replies, 1);
	ck_assert(wait_for(idle));
}
END_TEST

static void
setup_in_loop(void)
{
	fx_in_loop = 1;
	setup();
}

static void
teardown_in_loop(void)
{
	teardown();
	fx_in_loop = 0;
}

/* The tests, once with the client on its thread and once in the loop. */
static TCase *
webhook_tcase(const char *name, int in_loop)
{
	TCase	*tc = tcase_create(name);

	if (in_loop)
		tcase_add_checked_fixture(tc, setup_in_loop, teardown_in_loop);
	else
		tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_status_params);
	tcase_add_test(tc, test_status_retry_backoff);
	tcase_add_test(tc, test_status_order_under_retries);
	tcase_add_test(tc, test_status_drop_after_retries);
	tcase_add_test(tc, test_status_keepalive_and_pool);
	tcase_add_test(tc, test_status_timeout);
	tcase_add_test(tc, test_status_https);
	tcase_add_test(tc, test_status_bad_url);
	tcase_add_test(tc, test_status_resume);
	tcase_add_test(tc, test_status_spill);
	tcase_add_test(tc, test_status_spill_resume);
	tcase_add_test(tc, test_inbound_twiml_reply);
	tcase_add_test(tc, test_inbound_fallback);
	tcase_add_test(tc, test_inbound_no_reply);
	return tc;
}

static Suite *
webhook_suite(void)
{
	Suite	*s = suite_create("gw_webhook");

	suite_add_tcase(s, webhook_tcase("webhook-thread", 0));
	suite_add_tcase(s, webhook_tcase("webhook-in-loop", 1));
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(webhook_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
