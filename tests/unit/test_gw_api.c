/*
 * gateway/api: every route over real HTTP on an ephemeral loopback port,
 * with libevent's client in the same loop and the real store
 * (":memory:"). The lifecycle and the configuration lookups are doubles
 * defined here: create stores the message and answers once the store has
 * committed it (or holds it, for the 20429 and client-gone cases), so
 * the API is tested alone.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/api-internal.h"
#include "gateway/api.h"
#include "gateway/gateway-internal.h"
#include "gateway/services.h"
#include "gateway/store.h"
#include "tests/unit/gw_fixture.h"
#include "tests/unit/http_reply.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
/* 2024-05-01T12:00:00Z, the virtual clock's start. */
#define T0	(INT64_C(1714564800) * CLOCK_USEC_PER_SEC)
#define DAY	(INT64_C(86400) * CLOCK_USEC_PER_SEC)
#define AC1	"AC11111111111111111111111111111111"
#define AC2	"AC22222222222222222222222222222222"
#define SK1	"SK11111111111111111111111111111111"
#define MG1	"MG11111111111111111111111111111111"
#define MG9	"MG99999999999999999999999999999999"
#define PN1	"PN11111111111111111111111111111111"
#define PN2	"PN22222222222222222222222222222222"
#define PN3	"PN33333333333333333333333333333333"
#define SC1	"SC11111111111111111111111111111111"
#define AI1	"AI11111111111111111111111111111111"
#define MSGS	"/2010-04-01/Accounts/" AC1 "/Messages"
#define FORM	"application/x-www-form-urlencoded"

/* ---- Doubles: the configuration lookups and the lifecycle. ---- */

/* A create the double holds back from the store's commit. */
struct held {
	struct gateway	*gw;
	struct gw_message *m;
	gw_created_cb	 done;
	void		*arg;
};

static struct {
	int		 hold;		/* keep creates from committing */
	struct held	*held[8];
	size_t		 nheld;
	int		 not_durable;	/* answer durable=0 */
	int		 sent;		/* date_sent = date_created */
	int64_t		 tick;		/* spreads date_created */
	struct gw_create_request last;	/* strings not kept */
} fake;

const struct gateway_account *
gw_account_find(const struct gateway *gw, const char *sid)
{
	size_t i;

	for (i = 0; i < gw->cfg.naccounts; i++)
		if (strcmp(gw->cfg.accounts[i].sid, sid) == 0)
			return &gw->cfg.accounts[i];
	return NULL;
}

const struct gateway_api_key *
gw_api_key_find(const struct gateway *gw, const char *sid,
    const struct gateway_account **account)
{
	size_t i, j;

	for (i = 0; i < gw->cfg.naccounts; i++)
		for (j = 0; j < gw->cfg.accounts[i].nkeys; j++)
			if (strcmp(gw->cfg.accounts[i].keys[j].sid, sid) == 0) {
				*account = &gw->cfg.accounts[i];
				return &gw->cfg.accounts[i].keys[j];
			}
	return NULL;
}

const struct gateway_number *
gw_number_find_sid(const struct gateway *gw, const char *sid)
{
	size_t i;

	for (i = 0; i < gw->cfg.nnumbers; i++)
		if (strcmp(gw->cfg.numbers[i].sid, sid) == 0)
			return &gw->cfg.numbers[i];
	return NULL;
}

/* The real registry (services.h) runs behind it, seeded from fx's
 * configuration. */
struct gw_service *
gw_service_find(const struct gateway *gw, const char *account_sid,
    const char *sid)
{
	return gw_services_find(gw->services, account_sid, sid);
}

static void
fake_durable(void *arg, int ok)
{
	struct held *h = arg;

	h->done(h->gw, h->m, fake.not_durable ? 0 : ok, h->arg);
	gw_message_free(h->m);
	free(h);
}

static struct gw_message *
fake_message(struct gateway *gw, const struct gw_create_request *cr)
{
	struct gw_message *m = gw_message_new();
	size_t i;

	gw_sid_new(&gw->rng, cr->nmedia > 0 ? "MM" : "SM", m->sid);
	strlcpy(m->account_sid, cr->account_sid, sizeof m->account_sid);
	strlcpy(m->to, cr->to, sizeof m->to);
	if (cr->from != NULL)
		strlcpy(m->from, cr->from, sizeof m->from);
	if (cr->service_sid != NULL)
		strlcpy(m->service_sid, cr->service_sid, sizeof m->service_sid);
	gw_message_set_body(m, cr->body);
	m->status = cr->schedule_fixed ? GW_STATUS_SCHEDULED :
	    cr->service_sid != NULL ? GW_STATUS_ACCEPTED : GW_STATUS_QUEUED;
	m->direction = cr->direction;
	m->date_created = m->date_updated = clock_now(gw->clock) +
	    fake.tick++;
	m->date_sent = fake.sent ? m->date_created : 0;
	m->num_segments = 1;
	m->num_media = (unsigned)cr->nmedia;
	m->media = xcalloc(cr->nmedia + 1, sizeof *m->media);
	for (i = 0; i < cr->nmedia; i++)
		m->media[i] = xstrdup(cr->media[i]);
	return m;
}

int
gw_lifecycle_create(struct gateway *gw, const struct gw_create_request *cr,
    struct gw_error *e, gw_created_cb done, void *arg)
{
	struct held *h;

	fake.last = *cr;
	if (cr->from != NULL && strcmp(cr->from, "+15005550007") == 0) {
		gw_error_set(e, 21606, "The From phone number %s is not a "
		    "valid, SMS-capable inbound phone number or short code "
		    "for your account.", cr->from);
		return -1;
	}
	if (cr->service_sid != NULL &&
	    gw_service_find(gw, cr->account_sid, cr->service_sid) == NULL) {
		gw_error_set(e, 21701, "The Messaging Service Sid %s is "
		    "invalid.", cr->service_sid);
		return -1;
	}
	h = xcalloc(1, sizeof *h);
	h->gw = gw;
	h->m = fake_message(gw, cr);
	h->done = done;
	h->arg = arg;
	ck_assert_int_eq(gw_store_put_message(gw->store, h->m), 0);
	if (fake.hold) {
		ck_assert_uint_lt(fake.nheld, nitems(fake.held));
		fake.held[fake.nheld++] = h;
	} else
		gw_store_when_durable(gw->store, fake_durable, h);
	return 0;
}

static void
fake_release(struct gateway *gw)
{
	size_t i;

	for (i = 0; i < fake.nheld; i++)
		gw_store_when_durable(gw->store, fake_durable, fake.held[i]);
	fake.nheld = 0;
	fake.hold = 0;
}

/* The stored message, or NULL after filling e with 20404. */
static struct gw_message *
fake_get(struct gateway *gw, const char *account, const char *sid,
    struct gw_error *e)
{
	struct gw_message *m = NULL;

	if (gw_store_get_message(gw->store, account, sid, &m) != 1) {
		gw_error_set(e, 20404, "The requested resource %s was not "
		    "found", sid);
		return NULL;
	}
	return m;
}

int
gw_lifecycle_cancel(struct gateway *gw, const char *account,
    const char *sid, struct gw_error *e)
{
	struct gw_message *m = fake_get(gw, account, sid, e);

	if (m == NULL)
		return -1;
	if (m->status != GW_STATUS_SCHEDULED) {
		gw_message_free(m);
		gw_error_set(e, 30409, NULL);
		return -1;
	}
	m->status = GW_STATUS_CANCELED;
	gw_store_put_message(gw->store, m);
	gw_message_free(m);
	return 0;
}

int
gw_lifecycle_redact(struct gateway *gw, const char *account,
    const char *sid, struct gw_error *e)
{
	struct gw_message *m = fake_get(gw, account, sid, e);

	if (m == NULL)
		return -1;
	gw_message_set_body(m, "");
	gw_store_put_message(gw->store, m);
	gw_message_free(m);
	return 0;
}

int
gw_lifecycle_delete(struct gateway *gw, const char *account,
    const char *sid, struct gw_error *e)
{
	struct gw_message *m = fake_get(gw, account, sid, e);
	int terminal;

	if (m == NULL)
		return -1;
	terminal = gw_status_terminal(m->status);
	gw_message_free(m);
	if (!terminal) {
		gw_error_set(e, 20009, NULL);
		return -1;
	}
	return gw_store_delete_message(gw->store, account, sid);
}

/* ---- The fixture: a gateway struct, its store, an evhttp. ---- */

static struct {
	struct event_base	*base;
	struct clock		*clock;
	struct gateway		*gw;
	struct evhttp		*http;
	int			 port;
	int			 not_ours;	/* gw_api_handle said -1 */
	struct gateway_account	 accounts[2];
	struct gateway_api_key	 key;
	struct gateway_number	 numbers[5];
	struct gateway_service	 service;
	char			 pool[3][GATEWAY_SID_SIZE];
} fx;

static void
http_cb(struct evhttp_request *req, void *arg)
{
	if (gw_api_handle(arg, req) == -1) {
		fx.not_ours++;
		evhttp_send_error(req, 404, NULL);
	}
}

static void
number_init(struct gateway_number *n, const char *sid, const char *account,
    const char *number, enum gateway_sender_kind kind, unsigned caps)
{
	strlcpy(n->sid, sid, sizeof n->sid);
	strlcpy(n->account_sid, account, sizeof n->account_sid);
	strlcpy(n->number, number, sizeof n->number);
	strlcpy(n->country, "US", sizeof n->country);
	n->kind = kind;
	n->capabilities = caps;
	n->date_created = T0 - DAY;
}

static void
config_init(struct gateway_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	strlcpy(fx.accounts[0].sid, AC1, sizeof fx.accounts[0].sid);
	strlcpy(fx.accounts[0].token, "test", sizeof fx.accounts[0].token);
	strlcpy(fx.key.sid, SK1, sizeof fx.key.sid);
	strlcpy(fx.key.secret, "keysecret", sizeof fx.key.secret);
	fx.accounts[0].keys = &fx.key;
	fx.accounts[0].nkeys = 1;
	strlcpy(fx.accounts[1].sid, AC2, sizeof fx.accounts[1].sid);
	strlcpy(fx.accounts[1].token, "other", sizeof fx.accounts[1].token);
	number_init(&fx.numbers[0], PN1, AC1, "+14155550100",
	    GATEWAY_SENDER_LONG_CODE, GATEWAY_CAP_SMS | GATEWAY_CAP_MMS);
	number_init(&fx.numbers[1], PN2, AC1, "+18005550100",
	    GATEWAY_SENDER_TOLL_FREE, GATEWAY_CAP_SMS);
	number_init(&fx.numbers[2], SC1, AC1, "55555",
	    GATEWAY_SENDER_SHORT_CODE, GATEWAY_CAP_SMS);
	number_init(&fx.numbers[3], AI1, AC1, "CARRIERLAB",
	    GATEWAY_SENDER_ALPHANUMERIC, GATEWAY_CAP_SMS);
	number_init(&fx.numbers[4], PN3, AC2, "+14155550199",
	    GATEWAY_SENDER_LONG_CODE, GATEWAY_CAP_SMS);
	strlcpy(fx.service.sid, MG1, sizeof fx.service.sid);
	strlcpy(fx.service.account_sid, AC1, sizeof fx.service.account_sid);
	strlcpy(fx.service.friendly_name, "Pool", sizeof
	    fx.service.friendly_name);
	strlcpy(fx.pool[0], PN1, sizeof fx.pool[0]);
	strlcpy(fx.pool[1], SC1, sizeof fx.pool[1]);
	strlcpy(fx.pool[2], AI1, sizeof fx.pool[2]);
	fx.service.senders = fx.pool;
	fx.service.nsenders = 3;
	cfg->accounts = fx.accounts;
	cfg->naccounts = 2;
	cfg->numbers = fx.numbers;
	cfg->nnumbers = 5;
	cfg->services = &fx.service;
	cfg->nservices = 1;
	cfg->max_body = 16384;
	cfg->api_max_pending = 2;
}

static void
setup(void)
{
	struct evhttp_bound_socket *bound;
	char err[256];

	log_set_level(LOG_LEVEL_WARN);
	memset(&fake, 0, sizeof fake);
	memset(&fx, 0, sizeof fx);
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_VIRTUAL, T0, 1.0);
	fx.gw = xcalloc(1, sizeof *fx.gw);
	fx.gw->base = fx.base;
	fx.gw->clock = fx.clock;
	config_init(&fx.gw->cfg);
	rng_seed(&fx.gw->rng, 7);
	fx.gw->store = gw_store_open(fx.base, ":memory:", 0, err, sizeof err);
	ck_assert_msg(fx.gw->store != NULL, "%s", err);
	fx.gw->services = gw_services_open(fx.gw, 0, err, sizeof err);
	ck_assert_msg(fx.gw->services != NULL, "%s", err);
	fx.http = evhttp_new(fx.base);
	evhttp_set_allowed_methods(fx.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(fx.http, http_cb, fx.gw);
	bound = evhttp_bind_socket_with_handle(fx.http, "127.0.0.1", 0);
	fx.port = gwfx_port(bound);
}

static void
teardown(void)
{
	if (fx.http != NULL)
		evhttp_free(fx.http);
	gw_services_free(fx.gw->services);
	gw_store_close(fx.gw->store);
	ck_assert_uint_eq(fx.gw->api_pending, 0);
	gw_api_free_scratch(fx.gw);
	free(fx.gw);
	clock_free(fx.clock);
	event_base_free(fx.base);
}

/* Moves virtual time to now + usec, running the timers due on the way. */
static void
advance(int64_t usec)
{
	clock_virtual_advance(fx.clock, usec);
}

/* ---- The client. ---- */

/* "user:password" as an Authorization header value. */
static const char *
basic(const char *user, const char *password)
{
	static char out[512];
	char raw[256];
	int n;

	n = snprintf(raw, sizeof raw, "%s:%s", user, password);
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (unsigned char *)raw, n);
	return out;
}

#define AUTH1	basic(AC1, "test")

/* Sends a request on a fresh connection without waiting. */
static void
start(struct reply *r, enum evhttp_cmd_type method, const char *uri,
    const char *body, size_t bodylen, const char *auth)
{
	struct evhttp_request *req;
	struct evkeyvalq *out;

	memset(r, 0, sizeof *r);
	r->evcon = evhttp_connection_base_new(fx.base, NULL, "127.0.0.1",
	    (ev_uint16_t)fx.port);
	evhttp_connection_set_timeout(r->evcon, 5);
	req = evhttp_request_new(reply_cb, r);
	out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Host", "127.0.0.1");
	if (body != NULL)
		evhttp_add_header(out, "Content-Type", FORM);
	if (auth != NULL)
		evhttp_add_header(out, "Authorization", auth);
	if (body != NULL)
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    bodylen);
	ck_assert_int_eq(evhttp_make_request(r->evcon, req, method, uri), 0);
}

static void
finish(struct reply *r)
{
	while (!r->done)
		event_base_loop(fx.base, EVLOOP_ONCE);
	evhttp_connection_free(r->evcon);
	r->evcon = NULL;
	ck_assert_int_gt(r->status, 0);
}

static void
request(struct reply *r, enum evhttp_cmd_type method, const char *uri,
    const char *body, const char *auth)
{
	start(r, method, uri, body, body != NULL ? strlen(body) : 0, auth);
	finish(r);
}

static void
get(struct reply *r, const char *uri)
{
	request(r, EVHTTP_REQ_GET, uri, NULL, AUTH1);
}

static void
post(struct reply *r, const char *uri, const char *body)
{
	request(r, EVHTTP_REQ_POST, uri, body, AUTH1);
}

/* Asserts Twilio's error body exactly. */
static void
assert_error(const struct reply *r, int status, int code, const char *msg)
{
	char more[128];

	ck_assert_msg(r->status == status, "status %d, want %d: %s",
	    r->status, status, r->body);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "code")),
	    code);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json,
	    "status")), status);
	snprintf(more, sizeof more, "https://www.twilio.com/docs/errors/%d",
	    code);
	ck_assert_str_eq(json_string_value(json_object_get(r->json,
	    "more_info")), more);
	if (msg != NULL)
		ck_assert_str_eq(json_string_value(json_object_get(r->json,
		    "message")), msg);
	ck_assert_uint_eq(json_object_size(r->json), code == 20003 ? 5 : 4);
}

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/* Creates a message; returns its sid (static buffer). */
static const char *
create(const char *body)
{
	static char sid[GATEWAY_SID_SIZE];
	struct reply r;

	post(&r, MSGS ".json", body);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	ck_assert_int_eq(r.ndate, 1);
	strlcpy(sid, jstr(r.json, "sid"), sizeof sid);
	reply_free(&r);
	return sid;
}

/* ---- Create. ---- */

#define TO	"To=%2B14155550001"
#define FROM	"&From=%2B14155550100"
#define BODY	"&Body=hello"
#define SVC	"&MessagingServiceSid=" MG1

static const struct {
	const char	*form;
	int		 code;
	const char	*message;
} create_errors[] = {
	{ "", 21604, "A 'To' phone number is required." },
	{ "To=&From=%2B14155550100" BODY, 21604,
	  "A 'To' phone number is required." },
	{ "To=12345" FROM BODY, 21211,
	  "The 'To' number 12345 is not a valid phone number." },
	{ "To=whatsapp%3A%2B14155550001" FROM BODY, 21211,
	  "The 'To' number whatsapp:+14155550001 is not a valid phone "
	  "number." },
	{ TO BODY, 21603, "A 'From' or 'MessagingServiceSid' parameter is "
	  "required to send a message" },
	{ TO "&From=not+valid%21" BODY, 21212, "The 'From' number not valid! "
	  "is not a valid phone number, shortcode, or alphanumeric sender "
	  "ID." },
	{ TO FROM, 21602, "Message body is required." },
	{ TO FROM "&Body=", 21602, "Message body is required." },
	{ TO FROM "&MediaUrl=ftp%3A%2F%2Fexample.com%2Fa.jpg", 21620,
	  "Invalid media URL(s): ftp://example.com/a.jpg" },
	{ TO FROM "&MediaUrl=https%3A%2F%2F%2Fa.jpg", 21620,
	  "Invalid media URL(s): https:///a.jpg" },
	{ TO FROM "&MediaUrl=javascript%3Aalert(1)", 21620,
	  "Invalid media URL(s): javascript:alert(1)" },
	{ TO FROM "&MediaUrl=%2Fimages%2Fa.jpg", 21620,
	  "Invalid media URL(s): /images/a.jpg" },
	{ TO FROM "&MediaUrl=https%3A%2F%2Fm.example%2Fa%20b.jpg", 21620,
	  "Invalid media URL(s): https://m.example/a b.jpg" },
	/* The first bad one is named, after good ones. */
	{ TO FROM BODY "&MediaUrl=https%3A%2F%2Fm.example%2Fa.gif"
	  "&MediaUrl=ftp%3A%2F%2Fm.example%2Fb.gif", 21620,
	  "Invalid media URL(s): ftp://m.example/b.gif" },
	{ TO FROM BODY "&StatusCallback=http%3A%2F%2Fbad_host%2Fcb", 21609,
	  NULL },
	{ TO FROM BODY "&StatusCallback=notaurl", 21609, NULL },
	{ TO FROM BODY "&ValidityPeriod=0", 90007, NULL },
	{ TO FROM BODY "&ValidityPeriod=36001", 90007, NULL },
	{ TO FROM BODY "&ValidityPeriod=1h", 90007, NULL },
	{ TO SVC BODY "&ScheduleType=weekly", 35126, NULL },
	{ TO SVC BODY "&ScheduleType=fixed", 35111,
	  "SendAt timestamp is missing" },
	{ TO SVC BODY "&ScheduleType=fixed&SendAt=2024-05-01T12%3A04%3A59Z",
	  35114, NULL },
	{ TO SVC BODY "&ScheduleType=fixed&SendAt=2024-06-05T12%3A00%3A01Z",
	  35114, NULL },
	{ TO SVC BODY "&ScheduleType=fixed&SendAt=tomorrow", 35114, NULL },
	{ TO FROM BODY "&ScheduleType=fixed&SendAt=2024-05-01T13%3A00%3A00Z",
	  35118, "MessagingServiceSid is required to schedule a message" },
	{ TO FROM BODY "&SmartEncoded=maybe", 400,
	  "Invalid value for SmartEncoded: maybe" },
	{ TO FROM BODY "&ContentRetention=forever", 400, NULL },
	{ TO FROM BODY "&Attempt=0", 400, "Invalid value for Attempt: 0" },
	{ TO FROM BODY "&ContentVariables=%7B%7D", 21654, NULL },
	{ TO "&From=%2B15005550007" BODY, 21606, NULL },
	{ TO "&MessagingServiceSid=" MG9 BODY, 21701, NULL },
};

START_TEST(test_create_errors)
{
	struct reply r;

	post(&r, MSGS ".json", create_errors[_i].form);
	assert_error(&r, 400, create_errors[_i].code,
	    create_errors[_i].message);
	reply_free(&r);
	ck_assert_uint_eq(fx.gw->api_pending, 0);
}
END_TEST

/* prefix + count times unit, as a new string. */
static char *
repeat(const char *prefix, const char *unit, int count)
{
	size_t plen = strlen(prefix), ulen = strlen(unit);
	char *s = xmalloc(plen + ulen * (size_t)count + 1);
	int i;

	memcpy(s, prefix, plen);
	for (i = 0; i < count; i++)
		memcpy(s + plen + ulen * (size_t)i, unit, ulen);
	s[plen + ulen * (size_t)count] = '\0';
	return s;
}

/* The limits counted in code points and items, either side of them. */
START_TEST(test_create_limits)
{
	struct reply r;
	char *form;

	/* 1600 characters pass, 1601 do not. The 201 of 1600 three-byte
	 * ones is over 4 KiB, the run api.c writes JSON through: it
	 * arrives whole. */
	form = repeat(TO FROM "&Body=", "%E4%B8%AD", 1600);
	post(&r, MSGS ".json", form);
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	ck_assert_uint_gt(strlen(r.body), 4096);
	ck_assert_uint_eq(strlen(jstr(r.json, "body")), 4800);
	ck_assert_str_eq(jstr(r.json, "body") + 4797, "\xe4\xb8\xad");
	reply_free(&r);
	free(form);
	form = repeat(TO FROM "&Body=", "%C3%A9", 1601);
	post(&r, MSGS ".json", form);
	assert_error(&r, 400, 21617, "The concatenated message body exceeds "
	    "the 1600 character limit.");
	reply_free(&r);
	free(form);

	form = repeat(TO FROM, "&MediaUrl=https%3A%2F%2Fm.example%2Fa.gif",
	    10);
	create(form);
	ck_assert_uint_eq(fake.last.nmedia, 10);
	free(form);
	form = repeat(TO FROM, "&MediaUrl=https%3A%2F%2Fm.example%2Fa.gif",
	    11);
	post(&r, MSGS ".json", form);
	assert_error(&r, 400, 21623, NULL);
	reply_free(&r);
	free(form);
}
END_TEST

static const char *const message_keys[] = {
	"account_sid", "api_version", "body", "date_created", "date_sent",
	"date_updated", "direction", "error_code", "error_message", "from",
	"messaging_service_sid", "num_media", "num_segments", "price",
	"price_unit", "sid", "status", "subresource_uris", "to", "uri",
};

START_TEST(test_create_201)
{
	struct reply r;
	const char *key, *sid;
	json_t *v;
	char uri[256];
	size_t i = 0;

	post(&r, MSGS ".json", TO FROM "&Body=hi+there%0Aline+2%26more"
	    "&MediaUrl=https%3A%2F%2Fm.example%2Fcat.JPG%3Fsize%3D1"
	    "&MediaUrl=http%3A%2F%2Fm.example%2Fclip.mp4"
	    "&StatusCallback=https%3A%2F%2Fcb.example%3A8443%2Fs"
	    "&ValidityPeriod=600&SmartEncoded=true&Attempt=2&Tags=ignored");
	ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
	ck_assert_str_eq(r.type, "application/json");
	json_object_foreach(r.json, key, v) {
		ck_assert_uint_lt(i, nitems(message_keys));
		ck_assert_str_eq(key, message_keys[i++]);
	}
	ck_assert_uint_eq(i, nitems(message_keys));
	sid = jstr(r.json, "sid");
	ck_assert(gw_sid_valid(sid, "MM"));
	ck_assert_str_eq(jstr(r.json, "account_sid"), AC1);
	ck_assert_str_eq(jstr(r.json, "api_version"), "2010-04-01");
	ck_assert_str_eq(jstr(r.json, "body"), "hi there\nline 2&more");
	ck_assert_str_eq(jstr(r.json, "date_created"),
	    "Wed, 01 May 2024 12:00:00 +0000");
	ck_assert_str_eq(jstr(r.json, "date_updated"),
	    "Wed, 01 May 2024 12:00:00 +0000");
	ck_assert(json_is_null(json_object_get(r.json, "date_sent")));
	ck_assert_str_eq(jstr(r.json, "direction"), "outbound-api");
	ck_assert(json_is_null(json_object_get(r.json, "error_code")));
	ck_assert(json_is_null(json_object_get(r.json, "error_message")));
	ck_assert_str_eq(jstr(r.json, "from"), "+14155550100");
	ck_assert(json_is_null(json_object_get(r.json,
	    "messaging_service_sid")));
	ck_assert_str_eq(jstr(r.json, "num_media"), "2");
	ck_assert_str_eq(jstr(r.json, "num_segments"), "1");
	ck_assert(json_is_null(json_object_get(r.json, "price")));
	ck_assert_str_eq(jstr(r.json, "status"), "queued");
	ck_assert_str_eq(jstr(r.json, "to"), "+14155550001");
	snprintf(uri, sizeof uri, MSGS "/%s.json", sid);
	ck_assert_str_eq(jstr(r.json, "uri"), uri);
	v = json_object_get(r.json, "subresource_uris");
	snprintf(uri, sizeof uri, MSGS "/%s/Media.json", sid);
	ck_assert_str_eq(jstr(v, "media"), uri);
	snprintf(uri, sizeof uri, MSGS "/%s/Feedback.json", sid);
	ck_assert_str_eq(jstr(v, "feedback"), uri);
	/* What reached the lifecycle. */
	ck_assert_uint_eq(fake.last.validity_period, 600);
	ck_assert_int_eq(fake.last.smart_encoded, 1);
	ck_assert_uint_eq(fake.last.attempt, 2);
	ck_assert_int_eq(fake.last.direction, GW_DIR_OUTBOUND_API);
	reply_free(&r);

	/* Through a service, scheduled: the fields the lifecycle gets. */
	create(TO SVC BODY "&ScheduleType=fixed"
	    "&SendAt=2024-05-01T12%3A05%3A00Z");
	ck_assert_int_eq(fake.last.schedule_fixed, 1);
	ck_assert_int_eq(fake.last.send_at, T0 + 300 * CLOCK_USEC_PER_SEC);
	ck_assert_int_eq(fake.last.smart_encoded, -1);
	ck_assert_str_eq(fake.last.service_sid == NULL ? "" : "x", "x");
}
END_TEST

/*
 * The message resource is written once (gw_api_message_write, what a
 * 201 and a fetch send) and read back for the rest: the text is what
 * jansson's compact dump of the object read back is, byte for byte,
 * escapes included, so the API answers the same bytes either way.
 */
START_TEST(test_message_write)
{
	static const char body[] = "quote\" back\\ nl\n tab\t cr\r bs\b "
	    "ff\f ctl\x01\x1f del\x7f slash/ \xc3\xa9 \xe4\xb8\xad "
	    "\xf0\x9f\x98\x80";
	struct gw_json j = { NULL, 0, 0 };
	struct gw_message *m = gw_message_new();
	char *dump;
	json_t *o;
	int round;

	snprintf(m->sid, sizeof m->sid, "SM%032d", 7);
	snprintf(m->account_sid, sizeof m->account_sid, "%s", AC1);
	snprintf(m->to, sizeof m->to, "+14155550001");
	free(m->body);
	m->body = xstrdup(body);
	m->status = GW_STATUS_QUEUED;
	m->direction = GW_DIR_OUTBOUND_API;
	m->date_created = m->date_updated = T0;
	m->num_segments = 1;
	for (round = 0; round < 2; round++) {
		if (round == 1) {	/* every nullable field set */
			snprintf(m->from, sizeof m->from, "+14155550100");
			snprintf(m->service_sid, sizeof m->service_sid,
			    "MG%032d", 1);
			snprintf(m->price, sizeof m->price, "-0.00790");
			m->status = GW_STATUS_UNDELIVERED;
			m->error_code = 30003;
			m->date_sent = T0 + 5 * CLOCK_USEC_PER_SEC;
			m->num_segments = 3;
		}
		gw_json_reset(&j);
		gw_api_message_write(&j, m);
		o = gw_api_message_json(NULL, m);
		dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		ck_assert_str_eq(j.buf, dump);
		ck_assert_str_eq(jstr(o, "body"), body);
		ck_assert_str_eq(jstr(o, "num_segments"), round ? "3" : "1");
		if (round == 0) {
			ck_assert(json_is_null(json_object_get(o, "from")));
			ck_assert(json_is_null(json_object_get(o, "date_sent")));
			ck_assert(json_is_null(json_object_get(o,
			    "error_code")));
		} else {
			ck_assert_int_eq(json_integer_value(json_object_get(o,
			    "error_code")), 30003);
			ck_assert_str_eq(jstr(o, "date_sent"),
			    "Wed, 01 May 2024 12:00:05 +0000");
			ck_assert_str_eq(jstr(o, "messaging_service_sid"),
			    m->service_sid);
			ck_assert_ptr_nonnull(strstr(j.buf,
			    "\"error_message\":\""));
		}
		free(dump);
		json_decref(o);
	}
	gw_json_free(&j);
	gw_message_free(m);
}
END_TEST

/* Integers as jansson writes them, the edges of int64 included. */
START_TEST(test_json_int)
{
	static const int64_t values[] = {
		0, 1, -1, 9, 10, -10, 30003, 1714564800000000,
		INT64_MAX, INT64_MIN, INT64_MIN + 1,
	};
	struct gw_json j = { NULL, 0, 0 };
	json_t *a = json_array();
	char *dump;
	size_t i;

	gw_json_reset(&j);
	gw_json_raw(&j, "[");
	for (i = 0; i < nitems(values); i++) {
		if (i > 0)
			gw_json_raw(&j, ",");
		gw_json_int(&j, values[i]);
		json_array_append_new(a, json_integer(values[i]));
	}
	gw_json_raw(&j, "]");
	dump = json_dumps(a, JSON_COMPACT);
	ck_assert_str_eq(j.buf, dump);
	ck_assert_uint_eq(j.len, strlen(dump));
	free(dump);
	json_decref(a);
	gw_json_free(&j);
}
END_TEST

/* A failed commit answers 503; a full backlog 429, then drains. */
START_TEST(test_create_503_429)
{
	struct reply r, held[2];

	fake.not_durable = 1;
	post(&r, MSGS ".json", TO FROM BODY);
	assert_error(&r, 503, 20503, NULL);
	reply_free(&r);
	fake.not_durable = 0;

	fake.hold = 1;
	start(&held[0], EVHTTP_REQ_POST, MSGS ".json", TO FROM BODY,
	    strlen(TO FROM BODY), AUTH1);
	start(&held[1], EVHTTP_REQ_POST, MSGS ".json", TO FROM BODY,
	    strlen(TO FROM BODY), AUTH1);
	while (fake.nheld < 2)
		event_base_loop(fx.base, EVLOOP_ONCE);
	ck_assert_uint_eq(fx.gw->api_pending, 2);
	post(&r, MSGS ".json", TO FROM BODY);
	assert_error(&r, 429, 20429, NULL);
	reply_free(&r);
	fake_release(fx.gw);
	finish(&held[0]);
	finish(&held[1]);
	ck_assert_int_eq(held[0].status, 201);
	ck_assert_int_eq(held[1].status, 201);
	reply_free(&held[0]);
	reply_free(&held[1]);
}
END_TEST

/* A client that hangs up while its create waits: the late answer must
 * not touch the freed request (run under ASan to mean anything). */
START_TEST(test_client_gone)
{
	struct reply r;
	int i;

	fake.hold = 1;
	start(&r, EVHTTP_REQ_POST, MSGS ".json", TO FROM BODY,
	    strlen(TO FROM BODY), AUTH1);
	while (fake.nheld < 1)
		event_base_loop(fx.base, EVLOOP_ONCE);
	evhttp_connection_free(r.evcon);
	for (i = 0; i < 20; i++)
		event_base_loop(fx.base, EVLOOP_NONBLOCK);
	fake_release(fx.gw);
	/* The store commits from its worker thread, after a loop turn. */
	for (i = 0; i < 1000 && fx.gw->api_pending > 0; i++)
		event_base_loop(fx.base, EVLOOP_ONCE);
	ck_assert_uint_eq(fx.gw->api_pending, 0);
	reply_free(&r);

	/* The server's side freed first (evhttp_free): the close callback
	 * drops the request, the commit answers no one. */
	fake.hold = 1;
	start(&r, EVHTTP_REQ_POST, MSGS ".json", TO FROM BODY,
	    strlen(TO FROM BODY), AUTH1);
	while (fake.nheld < 1)
		event_base_loop(fx.base, EVLOOP_ONCE);
	evhttp_free(fx.http);
	fx.http = NULL;
	fake_release(fx.gw);
	while (!r.done)
		event_base_loop(fx.base, EVLOOP_ONCE);
	ck_assert_int_eq(r.status, -1);
	for (i = 0; i < 1000 && fx.gw->api_pending > 0; i++)
		event_base_loop(fx.base, EVLOOP_ONCE);
	ck_assert_uint_eq(fx.gw->api_pending, 0);
	evhttp_connection_free(r.evcon);
	reply_free(&r);
}
END_TEST

/* ---- Fetch, update, delete, media. ---- */

START_TEST(test_fetch_update_delete)
{
	char uri[256], sid[GATEWAY_SID_SIZE], sched[GATEWAY_SID_SIZE];
	struct reply r;

	strlcpy(sid, create(TO FROM BODY), sizeof sid);
	snprintf(uri, sizeof uri, MSGS "/%s.json", sid);
	get(&r, uri);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "sid"), sid);
	ck_assert_str_eq(jstr(r.json, "body"), "hello");
	reply_free(&r);

	/* 30400: neither, both, a body that is not empty, another status. */
	post(&r, uri, "");
	assert_error(&r, 400, 30400, NULL);
	reply_free(&r);
	post(&r, uri, "Body=&Status=canceled");
	assert_error(&r, 400, 30400, NULL);
	reply_free(&r);
	post(&r, uri, "Body=new");
	assert_error(&r, 400, 30400, NULL);
	reply_free(&r);
	post(&r, uri, "Status=sent");
	assert_error(&r, 400, 30400, NULL);
	reply_free(&r);

	/* Cancel of a message that is not scheduled: 30409. */
	post(&r, uri, "Status=canceled");
	assert_error(&r, 400, 30409, "This message cannot be canceled");
	reply_free(&r);
	/* Redact. */
	post(&r, uri, "Body=");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "body"), "");
	reply_free(&r);
	/* Delete while in progress: 20009. */
	request(&r, EVHTTP_REQ_DELETE, uri, NULL, AUTH1);
	assert_error(&r, 400, 20009, NULL);
	reply_free(&r);

	/* A scheduled message cancels, then deletes. */
	strlcpy(sched, create(TO SVC BODY "&ScheduleType=fixed"
	    "&SendAt=2024-05-02T12%3A00%3A00Z"), sizeof sched);
	snprintf(uri, sizeof uri, MSGS "/%s.json", sched);
	post(&r, uri, "Status=canceled");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "status"), "canceled");
	reply_free(&r);
	request(&r, EVHTTP_REQ_DELETE, uri, NULL, AUTH1);
	ck_assert_int_eq(r.status, 204);
	ck_assert_str_eq(r.body, "");
	reply_free(&r);
	get(&r, uri);
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
	request(&r, EVHTTP_REQ_DELETE, uri, NULL, AUTH1);
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_media)
{
	char uri[300], sid[GATEWAY_SID_SIZE], me[2][GATEWAY_SID_SIZE];
	json_t *list, *item;
	struct reply r;

	strlcpy(sid, create(TO SVC "&ScheduleType=fixed"
	    "&SendAt=2024-05-02T12%3A00%3A00Z"
	    "&MediaUrl=https%3A%2F%2Fm.example%2Fa.png"
	    "&MediaUrl=https%3A%2F%2Fm.example%2Fdoc.pdf%23p2"), sizeof sid);
	gw_api_media_sid(sid, 0, me[0]);
	gw_api_media_sid(sid, 1, me[1]);
	ck_assert_str_ne(me[0], me[1]);
	snprintf(uri, sizeof uri, MSGS "/%s/Media.json", sid);
	get(&r, uri);
	ck_assert_int_eq(r.status, 200);
	list = json_object_get(r.json, "media_list");
	ck_assert_uint_eq(json_array_size(list), 2);
	item = json_array_get(list, 0);
	ck_assert_str_eq(jstr(item, "sid"), me[0]);
	ck_assert_str_eq(jstr(item, "content_type"), "image/png");
	ck_assert_str_eq(jstr(item, "parent_sid"), sid);
	ck_assert_str_eq(jstr(item, "account_sid"), AC1);
	ck_assert_str_eq(jstr(json_array_get(list, 1), "content_type"),
	    "application/pdf");
	reply_free(&r);

	snprintf(uri, sizeof uri, MSGS "/%s/Media/%s.json", sid, me[1]);
	get(&r, uri);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "uri"), uri);
	reply_free(&r);
	/* Not before the message is done. */
	request(&r, EVHTTP_REQ_DELETE, uri, NULL, AUTH1);
	assert_error(&r, 400, 20009, NULL);
	reply_free(&r);
	snprintf(uri, sizeof uri, MSGS "/%s.json", sid);
	post(&r, uri, "Status=canceled");
	reply_free(&r);
	snprintf(uri, sizeof uri, MSGS "/%s/Media/%s.json", sid, me[0]);
	request(&r, EVHTTP_REQ_DELETE, uri, NULL, AUTH1);
	ck_assert_int_eq(r.status, 204);
	reply_free(&r);
	get(&r, uri);
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
	/* The other item keeps its sid. */
	snprintf(uri, sizeof uri, MSGS "/%s/Media.json", sid);
	get(&r, uri);
	list = json_object_get(r.json, "media_list");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), me[1]);
	reply_free(&r);
	ck_assert_str_eq(gw_api_media_type("https://h.example/a.JPEG?x=1"),
	    "image/jpeg");
	ck_assert_str_eq(gw_api_media_type("https://h.example.gif/"),
	    "application/octet-stream");
	ck_assert_str_eq(gw_api_media_type("https://h.example/s.mp3"),
	    "audio/mpeg");
}
END_TEST

/* ---- Lists. ---- */

/* The path and query of a uri field, fetched. */
static void
follow(struct reply *r, const json_t *o, const char *key)
{
	const char *uri = jstr(o, key);

	get(r, uri);
	ck_assert_msg(r->status == 200, "%s: %d %s", uri, r->status, r->body);
}

static void
assert_sids(const json_t *o, const char *const *want, size_t n)
{
	const json_t *list = json_object_get(o, "messages");
	size_t i;

	ck_assert_uint_eq(json_array_size(list), n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(jstr(json_array_get(list, i), "sid"), want[i]);
}

START_TEST(test_list_paging)
{
	char sids[5][GATEWAY_SID_SIZE], uri[512];
	const char *newest[5];
	struct reply r, r2;
	json_t *o;
	int i;

	/* Three on May 1 (two to ...001), two on May 2; newest first. */
	fake.sent = 1;
	for (i = 0; i < 5; i++) {
		if (i == 3)
			advance(DAY);
		strlcpy(sids[i], create(i == 1 ? "To=%2B14155550002" FROM BODY :
		    TO FROM BODY), sizeof sids[i]);
		newest[4 - i] = sids[i];
	}
	fake.sent = 0;
	create("To=%2B14155550003" SVC BODY);	/* not sent: no date */

	get(&r, MSGS ".json?PageSize=2&DateSent%3E=2024-05-01");
	assert_sids(r.json, newest, 2);
	o = r.json;
	ck_assert_int_eq(json_integer_value(json_object_get(o, "page")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "page_size")),
	    2);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "start")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "end")), 1);
	ck_assert_str_eq(jstr(o, "uri"), MSGS ".json?DateSent%3E=2024-05-01"
	    "&PageSize=2&Page=0");
	ck_assert_str_eq(jstr(o, "first_page_uri"), jstr(o, "uri"));
	ck_assert(json_is_null(json_object_get(o, "previous_page_uri")));
	snprintf(uri, sizeof uri, MSGS ".json?DateSent%%3E=2024-05-01"
	    "&PageSize=2&Page=1&PageToken=PA%s", newest[1]);
	ck_assert_str_eq(jstr(o, "next_page_uri"), uri);

	follow(&r2, o, "next_page_uri");
	assert_sids(r2.json, newest + 2, 2);
	ck_assert_int_eq(json_integer_value(json_object_get(r2.json,
	    "start")), 2);
	reply_free(&r);
	follow(&r, r2.json, "next_page_uri");
	assert_sids(r.json, newest + 4, 1);
	ck_assert(json_is_null(json_object_get(r.json, "next_page_uri")));
	reply_free(&r2);
	/* And back again to the first page. */
	follow(&r2, r.json, "previous_page_uri");
	assert_sids(r2.json, newest + 2, 2);
	ck_assert_int_eq(json_integer_value(json_object_get(r2.json, "page")),
	    1);
	reply_free(&r);
	follow(&r, r2.json, "previous_page_uri");
	assert_sids(r.json, newest, 2);
	ck_assert(json_is_null(json_object_get(r.json, "previous_page_uri")));
	reply_free(&r);
	reply_free(&r2);

	/* Filters: the unsent message shows without a date filter only. */
	get(&r, MSGS ".json");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "messages")), 6);
	reply_free(&r);
	get(&r, MSGS ".json?To=%2B14155550001&DateSent=2024-05-01");
	ck_assert_str_eq(jstr(r.json, "uri"), MSGS ".json?To=%2B14155550001"
	    "&DateSent=2024-05-01&PageSize=50&Page=0");
	newest[0] = sids[2];
	newest[1] = sids[0];
	assert_sids(r.json, newest, 2);
	reply_free(&r);
	get(&r, MSGS ".json?DateSent<=2024-05-01");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "messages")), 3);
	reply_free(&r);
	get(&r, MSGS ".json?DateSent%3E=Thu,+02+May+2024+00:00:00+-0000");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "messages")), 2);
	reply_free(&r);
	get(&r, MSGS ".json?DateSent%3C=05/01/2024+22:05:25+MST");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "messages")), 5);	/* 05:05 GMT on May 2 */
	reply_free(&r);
	get(&r, MSGS ".json?From=%2B14155550100&To=%2B14155550002");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "messages")), 1);
	reply_free(&r);
}
END_TEST

static const struct {
	const char	*query;
	int		 status;
	int		 code;
} list_errors[] = {
	{ "PageSize=1001", 400, 20007 },
	{ "PageSize=0", 400, 400 },
	{ "PageSize=ten", 400, 400 },
	{ "Page=-1", 400, 400 },
	{ "DateSent=yesterday", 400, 400 },
	{ "PageToken=PAnope", 400, 400 },
	{ "PageToken=PASM00000000000000000000000000000000", 400, 400 },
};

START_TEST(test_list_errors)
{
	char uri[256];
	struct reply r;

	snprintf(uri, sizeof uri, MSGS ".json?%s", list_errors[_i].query);
	get(&r, uri);
	assert_error(&r, list_errors[_i].status, list_errors[_i].code, NULL);
	reply_free(&r);
}
END_TEST

/* ---- XML, auth, routing, limits. ---- */

START_TEST(test_xml)
{
	char uri[256], want[512], sid[GATEWAY_SID_SIZE];
	struct reply r;

	strlcpy(sid, create(TO FROM "&Body=a%3Cb%26c"), sizeof sid);
	snprintf(uri, sizeof uri, MSGS "/%s", sid);
	get(&r, uri);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.type, "application/xml");
	snprintf(want, sizeof want, "<TwilioResponse><Message><AccountSid>"
	    AC1 "</AccountSid><ApiVersion>2010-04-01</ApiVersion>"
	    "<Body>a&lt;b&amp;c</Body>");
	ck_assert_msg(strstr(r.body, want) != NULL, "%s", r.body);
	snprintf(want, sizeof want, "<DateSent/>");
	ck_assert_ptr_nonnull(strstr(r.body, want));
	snprintf(want, sizeof want, "<Sid>%s</Sid><Status>queued</Status>"
	    "<SubresourceUris><Media>" MSGS "/%s/Media.json</Media>", sid,
	    sid);
	ck_assert_msg(strstr(r.body, want) != NULL, "%s", r.body);
	reply_free(&r);

	/* ".xml" is the same; a list has its paging as attributes. */
	snprintf(uri, sizeof uri, MSGS "/%s.xml", sid);
	get(&r, uri);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.type, "application/xml");
	reply_free(&r);
	get(&r, MSGS "?PageSize=5");
	ck_assert_msg(strstr(r.body, "<Messages end=\"0\" firstpageuri=\""
	    MSGS "?PageSize=5&amp;Page=0\" nextpageuri=\"\" page=\"0\" "
	    "pagesize=\"5\" previouspageuri=\"\" start=\"0\"") != NULL, "%s",
	    r.body);
	reply_free(&r);

	/* An error. */
	get(&r, MSGS "/SM00000000000000000000000000000000");
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(r.type, "application/xml");
	ck_assert_msg(strstr(r.body, "<TwilioResponse><RestException>"
	    "<Code>20404</Code><Message>The requested resource " MSGS
	    "/SM00000000000000000000000000000000 was not found</Message>"
	    "<MoreInfo>https://www.twilio.com/docs/errors/20404</MoreInfo>"
	    "<Status>404</Status></RestException></TwilioResponse>") != NULL,
	    "%s", r.body);
	reply_free(&r);
}
END_TEST

START_TEST(test_auth)
{
	const char *acct = "/2010-04-01/Accounts/" AC1 ".json";
	struct reply r;

	request(&r, EVHTTP_REQ_GET, acct, NULL, NULL);
	assert_error(&r, 401, 20003,
	    "Authentication Error - No credentials provided");
	ck_assert_str_eq(r.www_auth, "Basic realm=\"Twilio API\"");
	ck_assert_str_eq(jstr(r.json, "detail"),
	    "Your AccountSid or AuthToken was incorrect.");
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, acct, NULL, basic(AC1, "wrong"));
	assert_error(&r, 401, 20003, "Authenticate");
	ck_assert_ptr_nonnull(r.www_auth);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, acct, NULL, basic(AC1, "tes"));
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, acct, NULL, basic(MG1, "test"));
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, acct, NULL, "Basic !!!!");
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, acct, NULL, "Bearer abc");
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);

	/* The account's own token, then its API key. */
	request(&r, EVHTTP_REQ_GET, acct, NULL, AUTH1);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "sid"), AC1);
	ck_assert_str_eq(jstr(r.json, "status"), "active");
	ck_assert_str_eq(jstr(r.json, "type"), "Full");
	ck_assert_str_eq(jstr(r.json, "auth_token"), "test");
	ck_assert_str_eq(jstr(r.json, "uri"), acct);
	ck_assert_str_eq(jstr(json_object_get(r.json, "subresource_uris"),
	    "messages"), MSGS ".json");
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, acct, NULL, basic(SK1, "keysecret"));
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, acct, NULL, basic(SK1, "test"));
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);

	/* Good credentials, another account's path. */
	request(&r, EVHTTP_REQ_GET, "/2010-04-01/Accounts/" AC2
	    "/Messages.json", NULL, AUTH1);
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);
	request(&r, EVHTTP_REQ_POST, "/2010-04-01/Accounts/" AC2
	    "/Messages.json", TO FROM BODY, basic(SK1, "keysecret"));
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, "/2010-04-01/Accounts/" AC2 ".json",
	    NULL, basic(AC2, "other"));
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

/* The API's Date header is what evhttp would have written (it adds its
 * own only when there is none), in the same second. */
START_TEST(test_date_http)
{
	char want[64];
	const char *got;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		got = gw_date_http();
		ck_assert_int_gt(evutil_date_rfc1123(want, sizeof want, NULL), 0);
		if (strcmp(got, want) == 0)
			break;		/* else a second went by between */
	}
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(strlen(got), 29);
	ck_assert_str_eq(got + 25, " GMT");
}
END_TEST

/* RFC 2822 dates, the last one kept: the same second again, the next,
 * one before, a short buffer (truncated, not kept short). */
START_TEST(test_date_rfc2822)
{
	char d[64], small[8];
	int64_t t = INT64_C(1764201600) * 1000000;	/* 2025-11-27 */

	gw_date_rfc2822(t, d, sizeof d);
	ck_assert_str_eq(d, "Thu, 27 Nov 2025 00:00:00 +0000");
	gw_date_rfc2822(t + 999999, d, sizeof d);
	ck_assert_str_eq(d, "Thu, 27 Nov 2025 00:00:00 +0000");
	gw_date_rfc2822(t + 1000000, d, sizeof d);
	ck_assert_str_eq(d, "Thu, 27 Nov 2025 00:00:01 +0000");
	gw_date_rfc2822(t - 1, d, sizeof d);
	ck_assert_str_eq(d, "Wed, 26 Nov 2025 23:59:59 +0000");
	gw_date_rfc2822(t - 1, small, sizeof small);
	ck_assert_str_eq(small, "Wed, 26");
	gw_date_rfc2822(t - 1, d, sizeof d);
	ck_assert_str_eq(d, "Wed, 26 Nov 2025 23:59:59 +0000");
	gw_date_rfc2822(0, d, sizeof d);
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 +0000");
}
END_TEST

/* The digest of the secret last expected is kept between requests: each
 * account, in turn, accepts its own secret and refuses the other's. */
START_TEST(test_auth_alternating)
{
	const char *path[2] = { "/2010-04-01/Accounts/" AC1 ".json",
	    "/2010-04-01/Accounts/" AC2 ".json" };
	const char *user[2] = { AC1, AC2 };
	const char *secret[2] = { "test", "other" };
	struct reply r;
	int i, k;

	for (i = 0; i < 6; i++) {
		k = i % 2;
		request(&r, EVHTTP_REQ_GET, path[k], NULL,
		    basic(user[k], secret[k]));
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
		request(&r, EVHTTP_REQ_GET, path[k], NULL,
		    basic(user[k], secret[!k]));
		assert_error(&r, 401, 20003, NULL);
		reply_free(&r);
		request(&r, EVHTTP_REQ_GET, path[!k], NULL,
		    basic(user[!k], secret[k]));
		assert_error(&r, 401, 20003, NULL);
		reply_free(&r);
	}
	/* An unknown user is refused even with the secret last checked. */
	request(&r, EVHTTP_REQ_GET, path[0], NULL,
	    basic("AC99999999999999999999999999999999", "test"));
	assert_error(&r, 401, 20003, NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_routing)
{
	struct reply r;

	get(&r, "/2010-04-01/Accounts/" AC1 "/Calls.json");
	assert_error(&r, 404, 20404, "The requested resource /2010-04-01/"
	    "Accounts/" AC1 "/Calls.json was not found");
	reply_free(&r);
	get(&r, MSGS ".csv");
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	get(&r, MSGS "/XX00000000000000000000000000000000.json");
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
	get(&r, "/2010-04-01//Accounts/" AC1 ".json");
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
	get(&r, "/v1/Services/" MG1 "/Things");
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
	/* Wrong method: 405 with Allow. */
	request(&r, EVHTTP_REQ_DELETE, MSGS ".json", NULL, AUTH1);
	assert_error(&r, 405, 20004, NULL);
	ck_assert_str_eq(r.allow, "POST, GET");
	reply_free(&r);
	request(&r, EVHTTP_REQ_PUT, "/2010-04-01/Accounts/" AC1 ".json", "",
	    AUTH1);
	assert_error(&r, 405, 20004, NULL);
	reply_free(&r);
	request(&r, EVHTTP_REQ_PUT, "/v1/Services", "", AUTH1);
	assert_error(&r, 405, 20004, NULL);
	ck_assert_str_eq(r.allow, "POST, GET");
	reply_free(&r);
	/* Not the API's: the caller answers. */
	ck_assert_int_eq(fx.not_ours, 0);
	get(&r, "/2010-04-01x/Accounts");
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	get(&r, "/sim/carriers");
	ck_assert_int_eq(fx.not_ours, 2);
	reply_free(&r);
	ck_assert_uint_ge(fx.gw->metrics.api_requests, 8);
	ck_assert_uint_ge(fx.gw->metrics.api_errors, 8);
}
END_TEST

START_TEST(test_limits)
{
	struct reply r;
	char *big = xmalloc(20000);

	memset(big, 'a', 19999);
	big[19999] = '\0';
	memcpy(big, TO FROM "&Body=", strlen(TO FROM "&Body="));
	post(&r, MSGS ".json", big);		/* over max_body 16384 */
	assert_error(&r, 413, 20413, NULL);
	reply_free(&r);
	memcpy(big, MSGS ".json?To=", strlen(MSGS ".json?To="));
	big[8999] = '\0';
	get(&r, big);
	assert_error(&r, 414, 20414, NULL);
	reply_free(&r);
	free(big);
}
END_TEST

/* ---- Numbers and services, from the configuration. ---- */

START_TEST(test_numbers)
{
	const char *base = "/2010-04-01/Accounts/" AC1;
	json_t *list, *n;
	struct reply r;

	get(&r, "/2010-04-01/Accounts/" AC1 "/IncomingPhoneNumbers.json");
	ck_assert_int_eq(r.status, 200);
	list = json_object_get(r.json, "incoming_phone_numbers");
	ck_assert_uint_eq(json_array_size(list), 2);	/* long, toll-free */
	n = json_array_get(list, 0);
	ck_assert_str_eq(jstr(n, "sid"), PN1);
	ck_assert_str_eq(jstr(n, "phone_number"), "+14155550100");
	ck_assert(json_is_true(json_object_get(json_object_get(n,
	    "capabilities"), "mms")));
	ck_assert_str_eq(jstr(n, "date_created"),
	    "Tue, 30 Apr 2024 12:00:00 +0000");
	ck_assert_str_eq(jstr(json_array_get(list, 1), "sid"), PN2);
	reply_free(&r);
	get(&r, "/2010-04-01/Accounts/" AC1 "/IncomingPhoneNumbers.json"
	    "?PhoneNumber=800&PageSize=1");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "incoming_phone_numbers")), 1);
	ck_assert_str_eq(jstr(r.json, "uri"), "/2010-04-01/Accounts/" AC1
	    "/IncomingPhoneNumbers.json?PhoneNumber=800&PageSize=1&Page=0");
	ck_assert(json_is_null(json_object_get(r.json, "next_page_uri")));
	reply_free(&r);
	get(&r, "/2010-04-01/Accounts/" AC1 "/IncomingPhoneNumbers.json"
	    "?PageSize=1");
	ck_assert_str_eq(jstr(r.json, "next_page_uri"), "/2010-04-01/"
	    "Accounts/" AC1 "/IncomingPhoneNumbers.json?PageSize=1&Page=1");
	reply_free(&r);
	get(&r, "/2010-04-01/Accounts/" AC1 "/IncomingPhoneNumbers/" PN2
	    ".json");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "phone_number"), "+18005550100");
	reply_free(&r);
	/* A short code, or another account's number, is not one of them. */
	get(&r, "/2010-04-01/Accounts/" AC1 "/IncomingPhoneNumbers/" PN3
	    ".json");
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);

	get(&r, "/2010-04-01/Accounts/" AC1 "/SMS/ShortCodes.json");
	list = json_object_get(r.json, "short_codes");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "short_code"),
	    "55555");
	reply_free(&r);
	get(&r, "/2010-04-01/Accounts/" AC1 "/SMS/ShortCodes/" SC1 ".json");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "sms_method"), "POST");
	reply_free(&r);
	(void)base;
}
END_TEST

START_TEST(test_services)
{
	json_t *list, *meta;
	struct reply r;

	get(&r, "/v1/Services");
	ck_assert_int_eq(r.status, 200);
	list = json_object_get(r.json, "services");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), MG1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "url"),
	    "http://127.0.0.1/v1/Services/" MG1);
	meta = json_object_get(r.json, "meta");
	ck_assert_str_eq(jstr(meta, "key"), "services");
	ck_assert_str_eq(jstr(meta, "first_page_url"),
	    "http://127.0.0.1/v1/Services?PageSize=50&Page=0");
	ck_assert(json_is_null(json_object_get(meta, "next_page_url")));
	reply_free(&r);
	get(&r, "/v1/Services/" MG1);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "friendly_name"), "Pool");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json,
	    "validity_period")), 36000);
	ck_assert_str_eq(jstr(json_object_get(r.json, "links"),
	    "phone_numbers"), "http://127.0.0.1/v1/Services/" MG1
	    "/PhoneNumbers");
	reply_free(&r);
	get(&r, "/v1/Services/" MG9);
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
	get(&r, "/v1/Services/" MG1 "/PhoneNumbers");
	list = json_object_get(r.json, "phone_numbers");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "phone_number"),
	    "+14155550100");
	/* When it joined the pool: seeded at the start. */
	ck_assert_str_eq(jstr(json_array_get(list, 0), "date_created"),
	    "2024-05-01T12:00:00Z");
	reply_free(&r);
	get(&r, "/v1/Services/" MG1 "/ShortCodes/" SC1);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "short_code"), "55555");
	reply_free(&r);
	get(&r, "/v1/Services/" MG1 "/AlphaSenders");
	list = json_object_get(r.json, "alpha_senders");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "alpha_sender"),
	    "CARRIERLAB");
	reply_free(&r);
	get(&r, "/v1/Services/" MG1 "/AlphaSenders/" AI1);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	get(&r, "/v1/Services/" MG1 "/PhoneNumbers/" PN2);	/* not in pool */
	assert_error(&r, 404, 20404, NULL);
	reply_free(&r);
}
END_TEST

/* ---- The parser alone. ---- */

START_TEST(test_form)
{
	struct gw_form f;
	const char *all[4];
	static const char raw[] = "a=1&&b=x+y%2Bz&a=2&c&d=%zz%4&e=%C3%28&"
	    "f=%00&DateSent%3C=2024";

	ck_assert_int_eq(gw_form_parse(&f, raw, strlen(raw)), 0);
	ck_assert_str_eq(gw_form_get(&f, "b"), "x y+z");
	ck_assert_uint_eq(gw_form_all(&f, "a", all, 4), 2);
	ck_assert_str_eq(all[1], "2");
	ck_assert_str_eq(gw_form_get(&f, "c"), "");
	ck_assert_str_eq(gw_form_get(&f, "d"), "%zz%4");
	ck_assert_str_eq(gw_form_get(&f, "e"), "\xef\xbf\xbd(");
	ck_assert_str_eq(gw_form_get(&f, "f"), "\xef\xbf\xbd");
	ck_assert_str_eq(gw_form_get(&f, "DateSent<"), "2024");
	ck_assert_ptr_null(gw_form_get(&f, "z"));
	gw_form_free(&f);
	/* The worst growth (each raw byte 3), keys without '=', empties:
	 * the one text must hold it (ASan checks the bound). */
	ck_assert_int_eq(gw_form_parse(&f, "\xff\xff=\xff&&k&\xfe", 9), 0);
	ck_assert_uint_eq(f.npairs, 3);
	ck_assert_str_eq(gw_form_get(&f, "\xef\xbf\xbd\xef\xbf\xbd"),
	    "\xef\xbf\xbd");
	ck_assert_str_eq(gw_form_get(&f, "k"), "");
	ck_assert_str_eq(f.pairs[2].key, "\xef\xbf\xbd");
	gw_form_free(&f);
	ck_assert_int_eq(gw_form_parse(&f, "", 0), 0);
	ck_assert_uint_eq(f.npairs, 0);
	gw_form_free(&f);
	{
		/* GW_FORM_MAX_PAIRS pairs parse, one more does not. */
		char many[4 * (GW_FORM_MAX_PAIRS + 1) + 1];
		size_t i;

		for (i = 0; i <= GW_FORM_MAX_PAIRS; i++)
			memcpy(many + 4 * i, "a=1&", 4);
		many[4 * GW_FORM_MAX_PAIRS] = '\0';
		ck_assert_int_eq(gw_form_parse(&f, many, strlen(many)), 0);
		ck_assert_uint_eq(f.npairs, GW_FORM_MAX_PAIRS);
		gw_form_free(&f);
		memcpy(many + 4 * GW_FORM_MAX_PAIRS, "b=2", 4);
		ck_assert_int_eq(gw_form_parse(&f, many, strlen(many)), -1);
		ck_assert_ptr_null(f.pairs);
		gw_form_free(&f);
	}
	ck_assert_uint_eq(gw_utf8_count("h\xc3\xa9\xf0\x9f\x98\x80"), 3);
	ck_assert_int_eq(gw_url_http("https://user:pw@h-1.example:8443/p",
	    0), 1);
	ck_assert_int_eq(gw_url_http("HTTP://[::1]:80/", 0), 1);
	ck_assert_int_eq(gw_url_http("https://a_b.example/", 0), 0);
	ck_assert_int_eq(gw_url_http("https://a_b.example/", 1), 1);
	ck_assert_int_eq(gw_url_http("https://h:99999/", 0), 0);
	ck_assert_int_eq(gw_url_http("https://h/a b", 0), 0);
	ck_assert_int_eq(gw_url_http("mailto:x@y", 0), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("gw_api");
	TCase	*tc = tcase_create("api");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_create_errors, 0,
	    (int)nitems(create_errors));
	tcase_add_test(tc, test_create_limits);
	tcase_add_test(tc, test_create_201);
	tcase_add_test(tc, test_message_write);
	tcase_add_test(tc, test_json_int);
	tcase_add_test(tc, test_create_503_429);
	tcase_add_test(tc, test_client_gone);
	tcase_add_test(tc, test_fetch_update_delete);
	tcase_add_test(tc, test_media);
	tcase_add_test(tc, test_list_paging);
	tcase_add_loop_test(tc, test_list_errors, 0, (int)nitems(list_errors));
	tcase_add_test(tc, test_xml);
	tcase_add_test(tc, test_auth);
	tcase_add_test(tc, test_auth_alternating);
	tcase_add_test(tc, test_date_rfc2822);
	tcase_add_test(tc, test_date_http);
	tcase_add_test(tc, test_routing);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_services);
	tcase_add_test(tc, test_form);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
