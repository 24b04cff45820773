/*
 * Link Shortening and the MMS Converter's links (gateway/links.h) in a
 * whole gateway (gateway_new, a file database, the virtual clock) over
 * real HTTP on ephemeral loopback ports: the v1 LinkShortening routes
 * with certificates made here with OpenSSL (a good pair, a mismatched
 * key, a certificate with a SAN), shortening (trailing punctuation,
 * uniqueness over many links, DisableHttps), the rate limit, the outage,
 * redirects by Host and by path, expiry to the fallback URL, media
 * links, and click events at a receiver in the test (fields, signature,
 * retried across a restart).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/links-internal.h"
#include "gateway/links.h"
#include "gateway/store.h"
#include "gateway/webhook.h"
#include "tests/unit/gw_fixture.h"
#include "tests/unit/http_reply.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define T0	(INT64_C(1767225600) * CLOCK_USEC_PER_SEC)	/* 2026-01-01 */
#define SEC	CLOCK_USEC_PER_SEC
#define DAY	(86400 * SEC)
#define AC1	"AC11111111111111111111111111111111"
#define AC2	"AC22222222222222222222222222222222"
#define TOKEN1	"test"
#define MG1	"MG11111111111111111111111111111111"
#define MG2	"MG22222222222222222222222222222222"
#define MG3	"MG33333333333333333333333333333333"
#define DN1	"DN11111111111111111111111111111111"
#define DN2	"DN22222222222222222222222222222222"
#define DN3	"DN33333333333333333333333333333333"
#define HOST1	"links.example.com"
#define HOST2	"short.example.org"
#define FALLBACK1 "https://example.com/fallback"
#define FORM	"application/x-www-form-urlencoded"
#define LS	"/v1/LinkShortening"
#define MAX_HITS 32

/* A click event the receiver got. */
struct hit {
	char		*url;
	char		*body;
	char		 signature[64];
	struct evkeyvalq params;
};

static struct {
	char		 dir[PATH_MAX];
	char		 db[PATH_MAX + 16];
	struct event_base *base;
	struct clock	*clock;
	struct gateway	*gw;
	struct evhttp	*http;
	int		 port;
	struct evhttp	*rx;			/* the click receiver */
	int		 rx_port;
	int		 rx_down;		/* answer 503 */
	unsigned	 rx_refused;
	struct hit	 hits[MAX_HITS];
	size_t		 nhits;
	char		 callback[128];
	struct gateway_config cfg;
	struct gateway_account accounts[2];
	struct gateway_service services[3];
	struct gateway_link_domain domain;
	char		 domain_services[1][GATEWAY_SID_SIZE];
	int		 msg_serial;
} fx;

/* ---- the fixture ---- */

static void
service(size_t i, const char *sid, const char *account)
{
	struct gateway_service *s = &fx.services[i];

	strlcpy(s->sid, sid, sizeof(s->sid));
	strlcpy(s->account_sid, account, sizeof(s->account_sid));
	strlcpy(s->inbound_method, "POST", sizeof(s->inbound_method));
	strlcpy(s->fallback_method, "POST", sizeof(s->fallback_method));
	strlcpy(s->usecase, "undeclared", sizeof(s->usecase));
	s->validity_period = 36000;
}

static void
config_init(void)
{
	struct gateway_config *cfg = &fx.cfg;

	gateway_config_defaults(cfg);
	strlcpy(fx.accounts[0].sid, AC1, sizeof(fx.accounts[0].sid));
	strlcpy(fx.accounts[0].token, TOKEN1, sizeof(fx.accounts[0].token));
	strlcpy(fx.accounts[1].sid, AC2, sizeof(fx.accounts[1].sid));
	strlcpy(fx.accounts[1].token, "other", sizeof(fx.accounts[1].token));
	service(0, MG1, AC1);
	service(1, MG2, AC1);
	service(2, MG3, AC1);
	/* The declared domain: MG1 shortens on it. */
	strlcpy(fx.domain.sid, DN1, sizeof(fx.domain.sid));
	strlcpy(fx.domain.domain, HOST1, sizeof(fx.domain.domain));
	strlcpy(fx.domain.fallback_url, FALLBACK1,
	    sizeof(fx.domain.fallback_url));
	strlcpy(fx.domain.callback_url, fx.callback,
	    sizeof(fx.domain.callback_url));
	strlcpy(fx.domain_services[0], MG1, sizeof(fx.domain_services[0]));
	fx.domain.services = fx.domain_services;
	fx.domain.nservices = 1;
	cfg->accounts = fx.accounts;
	cfg->naccounts = 2;
	cfg->services = fx.services;
	cfg->nservices = nitems(fx.services);
	cfg->link_domains = &fx.domain;
	cfg->nlink_domains = 1;
	cfg->callback_retries = 5;
	cfg->callback_backoff = SEC;
	cfg->callback_backoff_max = 4 * SEC;
	cfg->seed = 7;
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (gateway_http_handle(fx.gw, req) == -1)
		evhttp_send_error(req, 404, NULL);
}

/* The receiver: records each POST and answers 204 (503 while down). */
static void
rx_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *sig;
	struct hit *h;
	size_t len = evbuffer_get_length(in);

	(void)arg;
	if (fx.rx_down) {
		fx.rx_refused++;
		evhttp_send_reply(req, 503, "Down", NULL);
		return;
	}
	ck_assert_uint_lt(fx.nhits, MAX_HITS);
	h = &fx.hits[fx.nhits++];
	xasprintf(&h->url, "http://127.0.0.1:%d%s", fx.rx_port,
	    evhttp_request_get_uri(req));
	h->body = xmalloc(len + 1);
	evbuffer_remove(in, h->body, len);
	h->body[len] = '\0';
	sig = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Twilio-Signature");
	strlcpy(h->signature, sig != NULL ? sig : "", sizeof(h->signature));
	TAILQ_INIT(&h->params);
	evhttp_parse_query_str(h->body, &h->params);
	evhttp_send_reply(req, 204, "No Content", NULL);
}

static void
gateway_start(void)
{
	char err[512] = "";

	fx.gw = gateway_new(fx.base, fx.clock, &fx.cfg, fx.db, err,
	    sizeof(err));
	ck_assert_msg(fx.gw != NULL, "%s", err);
	gateway_set_public_url(fx.gw, "http://127.0.0.1:9/");
}

static void
setup(void)
{
	log_set_level(LOG_LEVEL_ERROR);
	memset(&fx, 0, sizeof(fx));
	gwfx_tmpdir("test_gw_links", fx.dir, sizeof(fx.dir), fx.db,
	    sizeof(fx.db));
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_VIRTUAL, T0, 1.0);
	fx.rx = evhttp_new(fx.base);
	evhttp_set_gencb(fx.rx, rx_cb, NULL);
	fx.rx_port = gwfx_port(evhttp_bind_socket_with_handle(fx.rx,
	    "127.0.0.1", 0));
	snprintf(fx.callback, sizeof(fx.callback),
	    "http://127.0.0.1:%d/clicks", fx.rx_port);
	config_init();
	gateway_start();
	fx.http = evhttp_new(fx.base);
	evhttp_set_allowed_methods(fx.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(fx.http, http_cb, NULL);
	fx.port = gwfx_port(evhttp_bind_socket_with_handle(fx.http,
	    "127.0.0.1", 0));
}

static void
teardown(void)
{
	size_t i;

	evhttp_free(fx.http);
	gateway_free(fx.gw);
	evhttp_free(fx.rx);
	for (i = 0; i < fx.nhits; i++) {
		free(fx.hits[i].url);
		free(fx.hits[i].body);
		evhttp_clear_headers(&fx.hits[i].params);
	}
	clock_free(fx.clock);
	event_base_free(fx.base);
	gwfx_tmpdir_remove(fx.dir, fx.db);
}

/* Moves virtual time to now + usec, running the timers due on the way. */
static void
advance(int64_t usec)
{
	clock_virtual_advance(fx.clock, usec);
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Runs the loop until n click events arrived, or 5 s of wall time. When
 * nothing is on the wire, the virtual clock steps to the next timer
 * (a retry's backoff).
 */
static void
wait_hits(size_t n)
{
	int64_t deadline = wall_ms() + 5000;

	while (fx.nhits < n && wall_ms() < deadline) {
		event_base_loop(fx.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (gw_store_pending(fx.gw->store) == 0 &&
		    gw_webhooks_in_flight(fx.gw->webhooks) == 0)
			clock_virtual_step(fx.clock);
		usleep(200);
	}
	ck_assert_msg(fx.nhits >= n, "%zu click events, want %zu", fx.nhits,
	    n);
}

/* ---- the client ---- */

static const char *
basic(const char *user, const char *password)
{
	static char out[512];
	char raw[256];
	int n;

	n = snprintf(raw, sizeof(raw), "%s:%s", user, password);
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (unsigned char *)raw, n);
	return out;
}

#define AUTH1	basic(AC1, TOKEN1)
#define AUTH2	basic(AC2, "other")

static char location[4096];

/* reply_cb, keeping Location too. */
static void
reply_location_cb(struct evhttp_request *req, void *arg)
{
	const char *v = req != NULL ? evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Location") : NULL;

	strlcpy(location, v != NULL ? v : "", sizeof(location));
	reply_cb(req, arg);
}

/* One exchange on a fresh connection; host NULL: 127.0.0.1. */
static void
request_host(struct reply *r, enum evhttp_cmd_type method, const char *uri,
    const char *body, const char *auth, const char *host, const char *ua)
{
	struct evhttp_request *req;
	struct evkeyvalq *out;
	int64_t deadline = wall_ms() + 5000;

	memset(r, 0, sizeof(*r));
	location[0] = '\0';
	r->evcon = evhttp_connection_base_new(fx.base, NULL, "127.0.0.1",
	    (ev_uint16_t)fx.port);
	evhttp_connection_set_timeout(r->evcon, 5);
	req = evhttp_request_new(reply_location_cb, r);
	out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Host", host != NULL ? host : "127.0.0.1");
	if (ua != NULL)
		evhttp_add_header(out, "User-Agent", ua);
	if (body != NULL) {
		evhttp_add_header(out, "Content-Type", FORM);
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    strlen(body));
	}
	if (auth != NULL)
		evhttp_add_header(out, "Authorization", auth);
	ck_assert_int_eq(evhttp_make_request(r->evcon, req, method, uri), 0);
	while (!r->done && wall_ms() < deadline)
		event_base_loop(fx.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	ck_assert_msg(r->done, "no answer to %s", uri);
	evhttp_connection_free(r->evcon);
	r->evcon = NULL;
	ck_assert_int_gt(r->status, 0);
}

static void
get(struct reply *r, const char *uri)
{
	request_host(r, EVHTTP_REQ_GET, uri, NULL, AUTH1, NULL, NULL);
}

static void
post(struct reply *r, const char *uri, const char *body)
{
	request_host(r, EVHTTP_REQ_POST, uri, body, AUTH1, NULL, NULL);
}

static void
del(struct reply *r, const char *uri)
{
	request_host(r, EVHTTP_REQ_DELETE, uri, NULL, AUTH1, NULL, NULL);
}

static void
assert_status(const struct reply *r, int status)
{
	ck_assert_msg(r->status == status, "status %d, want %d: %s",
	    r->status, status, r->body != NULL ? r->body : "");
}

/* Twilio's error body with code; its message contains text (or NULL). */
static void
assert_error(struct reply *r, int status, int code, const char *text)
{
	const char *msg;

	assert_status(r, status);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "code")),
	    code);
	msg = json_string_value(json_object_get(r->json, "message"));
	ck_assert_ptr_nonnull(msg);
	if (text != NULL)
		ck_assert_msg(strstr(msg, text) != NULL, "message \"%s\" lacks "
		    "\"%s\"", msg, text);
	reply_free(r);
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	ck_assert_msg(v != NULL, "%s is not a string", key);
	return v;
}

/* ---- certificates made here ---- */

enum cert_kind {
	CERT_GOOD,		/* CN=short.example.org, no SAN */
	CERT_MISMATCH,		/* its key is another key */
	CERT_SAN,		/* with a subjectAltName */
};

static EVP_PKEY *
key_new(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	ck_assert_ptr_nonnull(k);
	return k;
}

/* Appends PEM text of x and key (PKCS#8) to out; url-encoded later. */
static char *
cert_pem(enum cert_kind kind)
{
	EVP_PKEY *key = key_new(), *other = NULL;
	X509 *x = X509_new();
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem;
	long len;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	ck_assert_int_eq(ASN1_TIME_set_string(X509_getm_notBefore(x),
	    "20250101000000Z"), 1);
	ck_assert_int_eq(ASN1_TIME_set_string(X509_getm_notAfter(x),
	    "20300101000000Z"), 1);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)HOST2, -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (kind == CERT_SAN) {
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
		    "DNS:" HOST2 ", DNS:www." HOST2);
		ck_assert_ptr_nonnull(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	ck_assert_int_eq(PEM_write_bio_X509(bio, x), 1);
	if (kind == CERT_MISMATCH)
		other = key_new();
	ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, other != NULL ? other :
	    key, NULL, NULL, 0, NULL, NULL), 1);
	len = BIO_get_mem_data(bio, &data);
	pem = xstrndup(data, (size_t)len);
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	return pem;
}

/* "TlsCert=" + the url-encoded PEM. */
static char *
cert_form(enum cert_kind kind)
{
	char *pem = cert_pem(kind), *enc = evhttp_encode_uri(pem), *form;

	xasprintf(&form, "TlsCert=%s", enc);
	free(enc);
	free(pem);
	return form;
}

/* ---- messages ---- */

static struct gw_message *
message(const char *service_sid, const char *to, const char *body)
{
	struct gw_message *m = gw_message_new();

	snprintf(m->sid, sizeof(m->sid), "SM%032d", ++fx.msg_serial);
	strlcpy(m->account_sid, AC1, sizeof(m->account_sid));
	strlcpy(m->service_sid, service_sid, sizeof(m->service_sid));
	strlcpy(m->to, to, sizeof(m->to));
	gw_message_set_body(m, body);
	m->date_created = m->date_updated = clock_now(fx.clock);
	return m;
}

/* Shortens body for MG1: the new body (heap). */
static char *
shorten(const char *service_sid, const char *body)
{
	struct gw_message *m = message(service_sid, "+14155550123", body);
	struct gw_error e;
	char *out;

	memset(&e, 0, sizeof(e));
	ck_assert_msg(gw_links_shorten(fx.gw->links, m, &e) == 0, "%d %s",
	    e.code, e.message);
	out = xstrdup(m->body);
	gw_message_free(m);
	return out;
}

/* The code after prefix at s (10 alphanumerics); s moves past it. */
static void
take_code(const char **s, const char *prefix, char code[11])
{
	size_t len = strlen(prefix), i;

	ck_assert_msg(strncmp(*s, prefix, len) == 0, "\"%s\" does not start "
	    "with %s", *s, prefix);
	for (i = 0; i < 10; i++) {
		ck_assert_msg(isalnum((unsigned char)(*s)[len + i]),
		    "\"%s\": code too short", *s);
		code[i] = (*s)[len + i];
	}
	code[10] = '\0';
	*s += len + 10;
}

static void
expect_text(const char **s, const char *text)
{
	ck_assert_msg(strncmp(*s, text, strlen(text)) == 0, "\"%s\" where "
	    "\"%s\" was expected", *s, text);
	*s += strlen(text);
}

static void
assert_link(const char *code, const char *url)
{
	struct gw_link l;

	ck_assert_int_eq(gw_link_load(fx.gw->links, code, &l), 1);
	ck_assert_str_eq(l.url, url);
	gw_link_clear(&l);
}

/* ---- tests ---- */

START_TEST(test_config_routes)
{
	struct reply r;

	get(&r, LS "/Domains/" DN2 "/Config");
	assert_error(&r, 404, 20404, NULL);
	post(&r, LS "/Domains/" DN2 "/Config", "FallbackUrl=ftp://x");
	assert_error(&r, 400, 20001, "FallbackUrl");
	post(&r, LS "/Domains/" DN2 "/Config", "DisableHttps=maybe");
	assert_error(&r, 400, 20001, "DisableHttps");
	/* Nothing was made by the bad requests. */
	get(&r, LS "/Domains/" DN2 "/Config");
	assert_error(&r, 404, 20404, NULL);

	post(&r, LS "/Domains/" DN2 "/Config", "FallbackUrl=https%3A%2F%2F"
	    "example.org%2Fgone&CallbackUrl=https%3A%2F%2Fexample.org%2Fclicks"
	    "&DisableHttps=true&ContinueOnFailure=true");
	assert_status(&r, 201);
	ck_assert(gw_sid_valid(jstr(r.json, "config_sid"), "ZK"));
	ck_assert_str_eq(jstr(r.json, "domain_sid"), DN2);
	ck_assert_str_eq(jstr(r.json, "fallback_url"),
	    "https://example.org/gone");
	ck_assert_str_eq(jstr(r.json, "callback_url"),
	    "https://example.org/clicks");
	ck_assert(json_is_true(json_object_get(r.json, "disable_https")));
	ck_assert(json_is_true(json_object_get(r.json,
	    "continue_on_failure")));
	ck_assert_str_eq(jstr(r.json, "date_created"), "2026-01-01T00:00:00Z");
	ck_assert(strstr(jstr(r.json, "url"), LS "/Domains/" DN2 "/Config") !=
	    NULL);
	reply_free(&r);
	post(&r, LS "/Domains/" DN2 "/Config", "ContinueOnFailure=false");
	assert_status(&r, 200);
	ck_assert(json_is_false(json_object_get(r.json,
	    "continue_on_failure")));
	ck_assert(json_is_true(json_object_get(r.json, "disable_https")));
	reply_free(&r);
	get(&r, LS "/Domains/" DN2 "/Config");
	assert_status(&r, 200);
	reply_free(&r);

	/* Another account's domain does not exist for AC2. */
	request_host(&r, EVHTTP_REQ_GET, LS "/Domains/" DN2 "/Config", NULL,
	    AUTH2, NULL, NULL);
	assert_error(&r, 404, 20404, NULL);
	request_host(&r, EVHTTP_REQ_POST, LS "/Domains/" DN2 "/Config",
	    "DisableHttps=false", AUTH2, NULL, NULL);
	assert_error(&r, 404, 20404, NULL);

	/* The declared domain has its config. */
	get(&r, LS "/Domains/" DN1 "/Config");
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "fallback_url"), FALLBACK1);
	reply_free(&r);
	/* ValidateDns: valid with a config and a name. */
	get(&r, LS "/Domains/" DN1 "/ValidateDns");
	assert_status(&r, 200);
	ck_assert(json_is_true(json_object_get(r.json, "is_valid")));
	ck_assert(json_is_null(json_object_get(r.json, "reason")));
	reply_free(&r);
	get(&r, LS "/Domains/" DN2 "/ValidateDns");
	assert_status(&r, 200);
	ck_assert(json_is_false(json_object_get(r.json, "is_valid")));
	reply_free(&r);
	del(&r, LS "/Domains/" DN2 "/Config");
	assert_error(&r, 405, 20004, NULL);
}
END_TEST

START_TEST(test_certificate)
{
	struct reply r;
	char *form;

	post(&r, LS "/Domains/" DN2 "/Certificate", "");
	assert_error(&r, 400, 400, "TlsCert");
	post(&r, LS "/Domains/" DN2 "/Certificate", "TlsCert=garbage");
	assert_error(&r, 400, 400, "certificate");

	form = cert_form(CERT_MISMATCH);
	post(&r, LS "/Domains/" DN2 "/Certificate", form);
	assert_error(&r, 400, 400, "does not match");
	free(form);
	form = cert_form(CERT_SAN);
	post(&r, LS "/Domains/" DN2 "/Certificate", form);
	assert_error(&r, 400, 400, "Subject Alternative Names");
	free(form);
	/* None of them made the domain. */
	get(&r, LS "/Domains/" DN2 "/Certificate");
	assert_error(&r, 404, 20404, NULL);

	form = cert_form(CERT_GOOD);
	post(&r, LS "/Domains/" DN2 "/Certificate", form);
	assert_status(&r, 201);
	ck_assert(gw_sid_valid(jstr(r.json, "certificate_sid"), "CW"));
	ck_assert_str_eq(jstr(r.json, "domain_name"), HOST2);
	ck_assert_str_eq(jstr(r.json, "domain_sid"), DN2);
	ck_assert_str_eq(jstr(r.json, "date_expires"), "2030-01-01T00:00:00Z");
	ck_assert(json_is_null(json_object_get(r.json, "cert_in_validation")));
	reply_free(&r);
	post(&r, LS "/Domains/" DN2 "/Certificate", form);
	assert_status(&r, 200);
	reply_free(&r);
	/* The name is DN2's now: no other domain may take it. */
	post(&r, LS "/Domains/" DN3 "/Certificate", form);
	assert_error(&r, 400, 400, "another domain");
	/* The declared DN1 is links.example.com: not this certificate's. */
	post(&r, LS "/Domains/" DN1 "/Certificate", form);
	assert_error(&r, 400, 400, HOST1);
	free(form);
	get(&r, LS "/Domains/" DN2 "/Certificate");
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "domain_name"), HOST2);
	reply_free(&r);

	/* A name but no config yet. */
	get(&r, LS "/Domains/" DN2 "/ValidateDns");
	assert_status(&r, 200);
	ck_assert(json_is_false(json_object_get(r.json, "is_valid")));
	ck_assert(json_is_string(json_object_get(r.json, "reason")));
	reply_free(&r);

	post(&r, LS "/Domains/" DN2 "/RequestManagedCert", "");
	assert_status(&r, 200);
	ck_assert(json_is_true(json_object_get(r.json, "managed")));
	ck_assert_str_eq(jstr(r.json, "date_expires"), "2026-04-01T00:00:00Z");
	reply_free(&r);

	del(&r, LS "/Domains/" DN2 "/Certificate");
	assert_status(&r, 204);
	reply_free(&r);
	get(&r, LS "/Domains/" DN2 "/Certificate");
	assert_error(&r, 404, 20404, NULL);
	post(&r, LS "/Domains/" DN2 "/RequestManagedCert", "");
	assert_error(&r, 400, 400, "no name");
	del(&r, LS "/Domains/" DN2 "/Certificate");
	assert_error(&r, 404, 20404, NULL);
}
END_TEST

START_TEST(test_services_routes)
{
	struct reply r;

	get(&r, LS "/MessagingServices/" MG1 "/Domain");
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "domain_sid"), DN1);
	ck_assert_str_eq(jstr(r.json, "messaging_service_sid"), MG1);
	reply_free(&r);
	get(&r, LS "/MessagingService/" MG1 "/DomainConfig");
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "messaging_service_sid"), MG1);
	ck_assert(gw_sid_valid(jstr(r.json, "config_sid"), "ZK"));
	ck_assert(strstr(jstr(r.json, "url"), "/MessagingService/" MG1
	    "/DomainConfig") != NULL);
	reply_free(&r);
	get(&r, LS "/MessagingServices/" MG2 "/Domain");
	assert_error(&r, 404, 20404, NULL);

	post(&r, LS "/Domains/" DN2 "/Config", "DisableHttps=true");
	assert_status(&r, 201);
	reply_free(&r);
	post(&r, LS "/Domains/" DN2 "/MessagingServices/" MG2, "");
	assert_status(&r, 201);
	ck_assert_str_eq(jstr(r.json, "domain_sid"), DN2);
	ck_assert_str_eq(jstr(r.json, "messaging_service_sid"), MG2);
	reply_free(&r);
	get(&r, LS "/MessagingServices/" MG2 "/Domain");
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "domain_sid"), DN2);
	reply_free(&r);
	/* MG1 is DN1's: 30130. */
	post(&r, LS "/Domains/" DN2 "/MessagingServices/" MG1, "");
	assert_error(&r, 400, 30130, DN1);
	/* A service the account does not have. */
	post(&r, LS "/Domains/" DN2 "/MessagingServices/"
	    "MG99999999999999999999999999999999", "");
	assert_error(&r, 404, 20404, NULL);
	request_host(&r, EVHTTP_REQ_GET, LS "/MessagingServices/" MG1
	    "/Domain", NULL, AUTH2, NULL, NULL);
	assert_error(&r, 404, 20404, NULL);
	del(&r, LS "/Domains/" DN2 "/MessagingServices/" MG2);
	assert_status(&r, 204);
	reply_free(&r);
	del(&r, LS "/Domains/" DN2 "/MessagingServices/" MG2);
	assert_error(&r, 404, 20404, NULL);
	get(&r, LS "/MessagingService/" MG2 "/DomainConfig");
	assert_error(&r, 404, 20404, NULL);
}
END_TEST

START_TEST(test_shorten_body)
{
	const char *s;
	char *body, code[4][11];

	body = shorten(MG1, "Go to https://example.com/a?b=1, or "
	    "(http://x.org/path). Also HTTPS://Up.example/Z!? end "
	    "xhttp://no.example/ http:// done");
	s = body;
	expect_text(&s, "Go to ");
	take_code(&s, "https://" HOST1 "/", code[0]);
	expect_text(&s, ", or (");
	take_code(&s, "https://" HOST1 "/", code[1]);
	expect_text(&s, "). Also ");
	take_code(&s, "https://" HOST1 "/", code[2]);
	ck_assert_str_eq(s, "!? end xhttp://no.example/ http:// done");
	assert_link(code[0], "https://example.com/a?b=1");
	assert_link(code[1], "http://x.org/path");
	assert_link(code[2], "HTTPS://Up.example/Z");
	free(body);

	/* No link: unchanged. */
	body = shorten(MG1, "nothing here: example.com");
	ck_assert_str_eq(body, "nothing here: example.com");
	free(body);
}
END_TEST

START_TEST(test_shorten_unique)
{
	struct evbuffer *b = evbuffer_new();
	const char *s;
	char *body, (*codes)[11];
	size_t i, j, n = 300;

	for (i = 0; i < n; i++)
		evbuffer_add_printf(b, "%shttp://example.com/same", i > 0 ?
		    " " : "");
	evbuffer_add(b, "", 1);
	body = shorten(MG1, (const char *)evbuffer_pullup(b, -1));
	evbuffer_free(b);
	codes = xcalloc(n, sizeof(*codes));
	s = body;
	for (i = 0; i < n; i++) {
		if (i > 0)
			expect_text(&s, " ");
		take_code(&s, "https://" HOST1 "/", codes[i]);
	}
	ck_assert_str_eq(s, "");
	/* One code per occurrence, never the same twice. */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			ck_assert_str_ne(codes[i], codes[j]);
	/* The same link to another recipient gets codes of its own. */
	free(body);
	body = shorten(MG1, "http://example.com/same");
	s = body;
	take_code(&s, "https://" HOST1 "/", codes[0]);
	for (i = 1; i < n; i++)
		ck_assert_str_ne(codes[0], codes[i]);
	free(body);
	free(codes);
}
END_TEST

START_TEST(test_shorten_disable_https_and_errors)
{
	struct reply r;
	struct gw_message *m;
	struct gw_error e;
	const char *s;
	char *form = cert_form(CERT_GOOD), *body, code[11];

	post(&r, LS "/Domains/" DN2 "/Certificate", form);
	assert_status(&r, 201);
	reply_free(&r);
	free(form);
	/* A service on a domain without config cannot shorten. */
	post(&r, LS "/Domains/" DN2 "/MessagingServices/" MG2, "");
	assert_status(&r, 201);
	reply_free(&r);
	m = message(MG2, "+14155550123", "see http://example.com");
	ck_assert_int_eq(gw_links_shorten(fx.gw->links, m, &e), -1);
	ck_assert_int_eq(e.code, 30101);
	ck_assert_str_eq(m->body, "see http://example.com");
	gw_message_free(m);
	post(&r, LS "/Domains/" DN2 "/Config", "DisableHttps=true");
	assert_status(&r, 201);
	reply_free(&r);
	body = shorten(MG2, "see http://example.com");
	s = body;
	expect_text(&s, "see ");
	take_code(&s, "http://" HOST2 "/", code);
	ck_assert_str_eq(s, "");
	free(body);

	/* A service without a domain, and no service. */
	m = message(MG3, "+14155550123", "see http://example.com");
	ck_assert_int_eq(gw_links_shorten(fx.gw->links, m, &e), -1);
	ck_assert_int_eq(e.code, 30101);
	ck_assert_int_eq(e.http_status, 400);
	gw_message_free(m);
	m = message("", "+14155550123", "see http://example.com");
	ck_assert_int_eq(gw_links_shorten(fx.gw->links, m, &e), -1);
	ck_assert_int_eq(e.code, 30101);
	gw_message_free(m);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct gw_message *m;
	struct gw_error e;
	char *body;
	int i;

	for (i = 0; i < 10; i++) {
		body = shorten(MG1, "http://example.com/r");
		ck_assert_str_ne(body, "http://example.com/r");
		free(body);
	}
	/* A body without links asks the shortener nothing. */
	free(shorten(MG1, "no links"));
	m = message(MG1, "+14155550123", "http://example.com/r");
	ck_assert_int_eq(gw_links_shorten(fx.gw->links, m, &e), -1);
	ck_assert_int_eq(e.code, 20429);
	ck_assert_int_eq(e.http_status, 429);
	ck_assert_str_eq(m->body, "http://example.com/r");
	gw_message_free(m);
	advance(SEC);
	body = shorten(MG1, "http://example.com/r");
	ck_assert_str_ne(body, "http://example.com/r");
	free(body);
}
END_TEST

START_TEST(test_outage)
{
	char *body;
	int i;

	gateway_links_set_outage(fx.gw, 1);
	ck_assert_int_eq(gw_links_outage(fx.gw->links), 1);
	/* Left alone, and not counted against the rate either. */
	for (i = 0; i < 20; i++) {
		body = shorten(MG1, "see http://example.com/o.");
		ck_assert_str_eq(body, "see http://example.com/o.");
		free(body);
	}
	gateway_links_set_outage(fx.gw, 0);
	body = shorten(MG1, "see http://example.com/o.");
	ck_assert(strncmp(body, "see https://" HOST1 "/", 12 +
	    strlen(HOST1)) == 0);
	free(body);
}
END_TEST

/* The code of one link shortened for MG1. */
static void
short_code(const char *url, char code[11])
{
	char *body = shorten(MG1, url);
	const char *s = body;

	take_code(&s, "https://" HOST1 "/", code);
	free(body);
}

START_TEST(test_redirects)
{
	struct reply r;
	char code[11], uri[64];

	short_code("https://example.com/landing?x=1", code);
	snprintf(uri, sizeof(uri), "/l/%s", code);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, "https://example.com/landing?x=1");
	reply_free(&r);
	/* By Host: the domain's path /CODE, with or without a port. */
	snprintf(uri, sizeof(uri), "/%s", code);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, HOST1, NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, "https://example.com/landing?x=1");
	reply_free(&r);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, "LINKS.example.com"
	    ":8080", NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, "https://example.com/landing?x=1");
	reply_free(&r);
	/* Unknown on the domain: its fallback URL. */
	request_host(&r, EVHTTP_REQ_GET, "/AAAAAAAAAA", NULL, NULL, HOST1,
	    NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, FALLBACK1);
	reply_free(&r);
	request_host(&r, EVHTTP_REQ_GET, "/favicon.ico", NULL, NULL, HOST1,
	    NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, FALLBACK1);
	reply_free(&r);
	/* Unknown by path: 404. */
	request_host(&r, EVHTTP_REQ_GET, "/l/AAAAAAAAAA", NULL, NULL, NULL,
	    NULL);
	assert_error(&r, 404, 20404, NULL);
	request_host(&r, EVHTTP_REQ_GET, "/l/%00", NULL, NULL, NULL, NULL);
	assert_error(&r, 404, 20404, NULL);
	snprintf(uri, sizeof(uri), "/l/%s", code);
	request_host(&r, EVHTTP_REQ_POST, uri, "", NULL, NULL, NULL);
	assert_status(&r, 405);
	reply_free(&r);
	/* The API is still the API on the domain's Host. */
	request_host(&r, EVHTTP_REQ_GET, LS "/Domains/" DN1 "/Config", NULL,
	    AUTH1, HOST1, NULL);
	assert_status(&r, 200);
	reply_free(&r);
	/* A click event for each of the three live redirects, none for
	 * the fallbacks. */
	wait_hits(3);
	advance(10 * SEC);
	ck_assert_int_eq(fx.nhits, 3);
}
END_TEST

START_TEST(test_expiry)
{
	struct reply r;
	char code[11], uri[64];
	json_t *o;

	short_code("https://example.com/expiring", code);
	snprintf(uri, sizeof(uri), "/l/%s", code);
	advance(89 * DAY);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, "https://example.com/expiring");
	reply_free(&r);
	wait_hits(1);
	advance(2 * DAY);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, FALLBACK1);
	reply_free(&r);
	o = gateway_links_click(fx.gw, code, "x");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "status")),
	    302);
	ck_assert(json_is_true(json_object_get(o, "expired")));
	ck_assert(json_is_false(json_object_get(o, "clicked")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "location")),
	    FALLBACK1);
	json_decref(o);
	/* No click event for an expired link. */
	ck_assert_int_eq(fx.nhits, 1);
}
END_TEST

START_TEST(test_media_links)
{
	struct gw_message *m = message(MG3, "+447700900123", "");
	struct reply r;
	char out[128], small[20], uri[64];
	const char *code;

	ck_assert_int_eq(gw_links_media(fx.gw->links, m,
	    "https://cdn.example.com/cat.jpg", small, sizeof(small)), -1);
	ck_assert_int_eq(gw_links_media(fx.gw->links, m,
	    "https://cdn.example.com/cat.jpg", out, sizeof(out)), 0);
	gw_message_free(m);
	ck_assert_msg(strncmp(out, "http://127.0.0.1:9/m/", 21) == 0, "%s",
	    out);
	code = out + 21;
	ck_assert_uint_eq(strlen(code), 7);
	ck_assert_uint_eq(strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
	    "lmnopqrstuvwxyz0123456789"), 7);
	snprintf(uri, sizeof(uri), "/m/%s", code);
	advance(364 * DAY);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, "https://cdn.example.com/cat.jpg");
	reply_free(&r);
	/* A media code is not a short link's. */
	snprintf(uri, sizeof(uri), "/l/%s", code);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, NULL);
	assert_error(&r, 404, 20404, NULL);
	advance(2 * DAY);
	snprintf(uri, sizeof(uri), "/m/%s", code);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, NULL);
	assert_error(&r, 404, 20404, NULL);
	ck_assert_int_eq(fx.nhits, 0);
}
END_TEST

/* HMAC-SHA1 over the URL and the sorted name+value pairs, base64. */
static void
expected_signature(const char *url, struct evkeyvalq *params, char out[64])
{
	const struct evkeyval *kv, *pairs[32], *t;
	char text[8192];
	unsigned char md[20];
	unsigned int mdlen = 0;
	size_t n = 0, i, j, len;

	TAILQ_FOREACH(kv, params, next)
		if (n < nitems(pairs))
			pairs[n++] = kv;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(pairs[j - 1]->key,
		    pairs[j]->key) > 0; j--) {
			t = pairs[j];
			pairs[j] = pairs[j - 1];
			pairs[j - 1] = t;
		}
	len = (size_t)snprintf(text, sizeof(text), "%s", url);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
		    pairs[i]->key, pairs[i]->value);
	HMAC(EVP_sha1(), TOKEN1, (int)strlen(TOKEN1),
	    (const unsigned char *)text, len, md, &mdlen);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

static const char *
param(const struct hit *h, const char *name)
{
	const char *v = evhttp_find_header(&h->params, name);

	ck_assert_msg(v != NULL, "click event without %s: %s", name,
	    h->body);
	return v;
}

START_TEST(test_click_event)
{
	struct gw_message *m = message(MG1, "+14155550123",
	    "Sale: https://shop.example.com/sale?id=7.");
	struct gw_error e;
	struct reply r;
	const char *s;
	char code[11], shortened[64], uri[64], want[64];
	json_t *o;

	/* From is chosen after the link is made: the message's row has it
	 * when the click comes. */
	ck_assert_int_eq(gw_links_shorten(fx.gw->links, m, &e), 0);
	s = m->body;
	expect_text(&s, "Sale: ");
	take_code(&s, "https://" HOST1 "/", code);
	snprintf(shortened, sizeof(shortened), "https://" HOST1 "/%s", code);
	strlcpy(m->from, "+14155550100", sizeof(m->from));
	gw_store_put_message(fx.gw->store, m);
	advance(60 * SEC);
	snprintf(uri, sizeof(uri), "/%s", code);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, HOST1,
	    "TestPhone/1.0 (handset)");
	assert_status(&r, 302);
	reply_free(&r);
	wait_hits(1);
	ck_assert_str_eq(param(&fx.hits[0], "event_type"), "click");
	ck_assert_str_eq(param(&fx.hits[0], "sms_sid"), m->sid);
	ck_assert_str_eq(param(&fx.hits[0], "to"), "+14155550123");
	ck_assert_str_eq(param(&fx.hits[0], "from"), "+14155550100");
	ck_assert_str_eq(param(&fx.hits[0], "link"),
	    "https://shop.example.com/sale?id=7");
	ck_assert_str_eq(param(&fx.hits[0], "shortened_link"), shortened);
	ck_assert_str_eq(param(&fx.hits[0], "clicked_at"),
	    "2026-01-01T00:01:00Z");
	ck_assert_str_eq(param(&fx.hits[0], "messaging_service_sid"), MG1);
	ck_assert_str_eq(param(&fx.hits[0], "account_sid"), AC1);
	ck_assert_str_eq(param(&fx.hits[0], "user_agent"),
	    "TestPhone/1.0 (handset)");
	ck_assert_msg(strstr(fx.hits[0].url, "/clicks") != NULL, "%s",
	    fx.hits[0].url);
	expected_signature(fx.hits[0].url, &fx.hits[0].params, want);
	ck_assert_str_eq(fx.hits[0].signature, want);

	/* One event per click; the admin click is one too. */
	o = gateway_links_click(fx.gw, code, "AdminPhone/2");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "status")),
	    302);
	ck_assert(json_is_true(json_object_get(o, "clicked")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "location")),
	    "https://shop.example.com/sale?id=7");
	json_decref(o);
	wait_hits(2);
	ck_assert_str_eq(param(&fx.hits[1], "user_agent"), "AdminPhone/2");
	o = gateway_links_click(fx.gw, "nosuchcode", "x");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "status")),
	    404);
	json_decref(o);
	gw_message_free(m);
}
END_TEST

START_TEST(test_click_survives_restart)
{
	struct reply r;
	char code[11], uri[64];
	int64_t deadline = wall_ms() + 5000;

	short_code("https://example.com/retry", code);
	fx.rx_down = 1;
	snprintf(uri, sizeof(uri), "/l/%s", code);
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, "P/1");
	assert_status(&r, 302);
	reply_free(&r);
	while (fx.rx_refused == 0 && wall_ms() < deadline)
		event_base_loop(fx.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	ck_assert_uint_ge(fx.rx_refused, 1);
	/* Stopped with the event in the outbox; the domain made through
	 * the API survives too. */
	post(&r, LS "/Domains/" DN2 "/Config", "DisableHttps=true");
	assert_status(&r, 201);
	reply_free(&r);
	gateway_free(fx.gw);
	fx.rx_down = 0;
	gateway_start();
	wait_hits(1);
	ck_assert_str_eq(param(&fx.hits[0], "link"),
	    "https://example.com/retry");
	ck_assert_str_eq(param(&fx.hits[0], "user_agent"), "P/1");
	get(&r, LS "/Domains/" DN2 "/Config");
	assert_status(&r, 200);
	ck_assert(json_is_true(json_object_get(r.json, "disable_https")));
	reply_free(&r);
	/* The link still redirects after the restart. */
	request_host(&r, EVHTTP_REQ_GET, uri, NULL, NULL, NULL, NULL);
	assert_status(&r, 302);
	ck_assert_str_eq(location, "https://example.com/retry");
	reply_free(&r);
}
END_TEST

static Suite *
links_suite(void)
{
	Suite *s = suite_create("gw_links");
	TCase *tc = tcase_create("links");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_config_routes);
	tcase_add_test(tc, test_certificate);
	tcase_add_test(tc, test_services_routes);
	tcase_add_test(tc, test_shorten_body);
	tcase_add_test(tc, test_shorten_unique);
	tcase_add_test(tc, test_shorten_disable_https_and_errors);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_outage);
	tcase_add_test(tc, test_redirects);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_media_links);
	tcase_add_test(tc, test_click_event);
	tcase_add_test(tc, test_click_survives_restart);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(links_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
