/*
 * The v1 Services, pool and Alerts routes over real HTTP on an
 * ephemeral loopback port, served by a whole gateway (gateway_new: the
 * real store in a temporary directory, the registry, the lifecycle) in
 * virtual time. Every route with its JSON fields and Twilio's codes;
 * paging with PageToken; a restart keeps what the API made.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "common/clock.h"
#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/gateway.h"
#include "gateway/services.h"
#include "tests/unit/gw_fixture.h"
#include "tests/unit/http_reply.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define T0	(INT64_C(1714564800) * CLOCK_USEC_PER_SEC)
#define SEC	CLOCK_USEC_PER_SEC
#define AC1	"AC11111111111111111111111111111111"
#define AC2	"AC22222222222222222222222222222222"
#define MG1	"MG11111111111111111111111111111111"
#define PN_US	"PN00000000000000000000000000000001"
#define PN_GB	"PN00000000000000000000000000000002"
#define PN_NOSMS "PN00000000000000000000000000000003"
#define SC_US	"SC00000000000000000000000000000004"
#define PN_AC2	"PN00000000000000000000000000000005"
#define FORM	"application/x-www-form-urlencoded"
#define SVCS	"/v1/Services"
#define SVC1	SVCS "/" MG1

static struct {
	char		 dir[PATH_MAX];
	char		 db[PATH_MAX + 16];
	struct event_base *base;
	struct clock	*clock;
	struct gateway	*gw;
	struct evhttp	*http;
	int		 port;
	struct gateway_config cfg;
	struct gateway_account accounts[2];
	struct gateway_number numbers[5];
	struct gateway_service service;
	char		 pool[1][GATEWAY_SID_SIZE];
	struct gateway_route route;
	char		 prefixes[2][GATEWAY_PREFIX_MAX];
} fx;

/* ---- the fixture ---- */

static void
number(size_t i, const char *sid, const char *account, const char *num,
    enum gateway_sender_kind kind, const char *country, unsigned caps)
{
	gwfx_number(&fx.numbers[i], sid, account, num, kind, country, caps);
}

static void
config_init(void)
{
	struct gateway_config *cfg = &fx.cfg;

	gateway_config_defaults(cfg);
	strlcpy(fx.accounts[0].sid, AC1, sizeof(fx.accounts[0].sid));
	strlcpy(fx.accounts[0].token, "test", sizeof(fx.accounts[0].token));
	strlcpy(fx.accounts[1].sid, AC2, sizeof(fx.accounts[1].sid));
	strlcpy(fx.accounts[1].token, "other", sizeof(fx.accounts[1].token));
	number(0, PN_US, AC1, "+14155550100", GATEWAY_SENDER_LONG_CODE, "US",
	    GATEWAY_CAP_SMS | GATEWAY_CAP_MMS);
	number(1, PN_GB, AC1, "+447700900100", GATEWAY_SENDER_LONG_CODE, "GB",
	    GATEWAY_CAP_SMS);
	number(2, PN_NOSMS, AC1, "+14155550101", GATEWAY_SENDER_LONG_CODE,
	    "US", GATEWAY_CAP_VOICE);
	number(3, SC_US, AC1, "55555", GATEWAY_SENDER_SHORT_CODE, "US",
	    GATEWAY_CAP_SMS);
	number(4, PN_AC2, AC2, "+12125550199", GATEWAY_SENDER_LONG_CODE, "US",
	    GATEWAY_CAP_SMS);
	strlcpy(fx.service.sid, MG1, sizeof(fx.service.sid));
	strlcpy(fx.service.account_sid, AC1, sizeof(fx.service.account_sid));
	strlcpy(fx.service.friendly_name, "Declared",
	    sizeof(fx.service.friendly_name));
	strlcpy(fx.service.inbound_method, "POST",
	    sizeof(fx.service.inbound_method));
	strlcpy(fx.service.usecase, "undeclared", sizeof(fx.service.usecase));
	fx.service.validity_period = 36000;
	strlcpy(fx.pool[0], PN_US, sizeof(fx.pool[0]));
	fx.service.senders = fx.pool;
	fx.service.nsenders = 1;
	/* A carrier nobody listens for: messages wait, never sent. */
	strlcpy(fx.route.name, "nowhere", sizeof(fx.route.name));
	strlcpy(fx.route.address, "127.0.0.1:1", sizeof(fx.route.address));
	strlcpy(fx.prefixes[0], "+1", sizeof(fx.prefixes[0]));
	strlcpy(fx.prefixes[1], "+44", sizeof(fx.prefixes[1]));
	fx.route.prefixes = fx.prefixes;
	fx.route.nprefixes = 2;
	fx.route.accepts_kinds = 0xf;
	fx.route.bind = GATEWAY_BIND_TRX;
	fx.route.sessions = 1;
	fx.route.window = 1;
	fx.route.response_timeout = 30 * SEC;
	fx.route.enquire_link = 30 * SEC;
	fx.route.reconnect_min = 3600 * SEC;
	fx.route.reconnect_max = 3600 * SEC;
	cfg->accounts = fx.accounts;
	cfg->naccounts = 2;
	cfg->numbers = fx.numbers;
	cfg->nnumbers = nitems(fx.numbers);
	cfg->services = &fx.service;
	cfg->nservices = 1;
	cfg->routes = &fx.route;
	cfg->nroutes = 1;
	cfg->seed = 7;
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (gateway_http_handle(fx.gw, req) == -1)
		evhttp_send_error(req, 404, NULL);
}

static void
gateway_start(void)
{
	char err[512] = "";

	fx.gw = gateway_new(fx.base, fx.clock, &fx.cfg, fx.db, err,
	    sizeof(err));
	ck_assert_msg(fx.gw != NULL, "%s", err);
}

static void
setup(void)
{
	struct evhttp_bound_socket *bound;
	log_set_level(LOG_LEVEL_ERROR);
	memset(&fx, 0, sizeof(fx));
	gwfx_tmpdir("test_gw_api_services", fx.dir, sizeof(fx.dir), fx.db,
	    sizeof(fx.db));
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_VIRTUAL, T0, 1.0);
	config_init();
	gateway_start();
	fx.http = evhttp_new(fx.base);
	evhttp_set_allowed_methods(fx.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT);
	evhttp_set_gencb(fx.http, http_cb, NULL);
	bound = evhttp_bind_socket_with_handle(fx.http, "127.0.0.1", 0);
	fx.port = gwfx_port(bound);
}

static void
teardown(void)
{
	evhttp_free(fx.http);
	gateway_free(fx.gw);
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

#define AUTH1	basic(AC1, "test")
#define AUTH2	basic(AC2, "other")

/* One exchange on a fresh connection, waited for with a deadline (the
 * connection's timeout). */
static void
request(struct reply *r, enum evhttp_cmd_type method, const char *uri,
    const char *body, const char *auth)
{
	struct evhttp_request *req;
	struct evkeyvalq *out;

	memset(r, 0, sizeof(*r));
	r->evcon = evhttp_connection_base_new(fx.base, NULL, "127.0.0.1",
	    (ev_uint16_t)fx.port);
	evhttp_connection_set_timeout(r->evcon, 5);
	req = evhttp_request_new(reply_cb, r);
	out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Host", "127.0.0.1");
	if (body != NULL) {
		evhttp_add_header(out, "Content-Type", FORM);
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    strlen(body));
	}
	if (auth != NULL)
		evhttp_add_header(out, "Authorization", auth);
	ck_assert_int_eq(evhttp_make_request(r->evcon, req, method, uri), 0);
	while (!r->done)
		event_base_loop(fx.base, EVLOOP_ONCE);
	evhttp_connection_free(r->evcon);
	r->evcon = NULL;
	ck_assert_int_gt(r->status, 0);
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

static void
del(struct reply *r, const char *uri)
{
	request(r, EVHTTP_REQ_DELETE, uri, NULL, AUTH1);
}

static void
assert_status(const struct reply *r, int status)
{
	ck_assert_msg(r->status == status, "status %d, want %d: %s",
	    r->status, status, r->body != NULL ? r->body : "");
}

/* Twilio's error body, and its code. */
static void
assert_error(struct reply *r, int status, int code)
{
	char more[128];

	assert_status(r, status);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "code")),
	    code);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json,
	    "status")), status);
	snprintf(more, sizeof(more), "https://www.twilio.com/docs/errors/%d",
	    code);
	ck_assert_str_eq(json_string_value(json_object_get(r->json,
	    "more_info")), more);
	ck_assert(json_is_string(json_object_get(r->json, "message")));
	reply_free(r);
}

static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

static json_int_t
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

static int
jbool(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_boolean(v), "%s is not a boolean", key);
	return json_is_true(v);
}

/* o has exactly the keys of want, in that order. */
static void
assert_keys(const json_t *o, const char *const *want, size_t n)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	ck_assert_uint_eq(json_object_size(o), n);
	json_object_foreach((json_t *)o, key, v) {
		(void)v;
		ck_assert_str_eq(key, want[i]);
		i++;
	}
}

/* The path and query of an absolute URL of this listener. */
static const char *
local(const char *url)
{
	static const char prefix[] = "http://127.0.0.1";

	ck_assert_int_eq(strncmp(url, prefix, strlen(prefix)), 0);
	return url + strlen(prefix);
}

/* The absolute URL of a path of this listener (static buffer). */
static const char *
local_url(const char *path)
{
	static char out[512];

	snprintf(out, sizeof(out), "http://127.0.0.1%s", path);
	return out;
}

/* ---- services ---- */

static const char *const service_keys[] = {
	"sid", "account_sid", "friendly_name", "date_created", "date_updated",
	"inbound_request_url", "inbound_method", "fallback_url",
	"fallback_method", "status_callback", "sticky_sender", "mms_converter",
	"smart_encoding", "scan_message_content", "fallback_to_long_code",
	"area_code_geomatch", "synchronous_validation", "validity_period",
	"url", "links", "usecase", "us_app_to_person_registered",
	"use_inbound_webhook_on_number",
};

static const struct {
	const char	*body;
	int		 code;
} create_errors[] = {
	{ "StickySender=true", 20001 },		/* no FriendlyName */
	{ "FriendlyName=", 20001 },
	{ "FriendlyName=x&StickySender=yes", 20001 },
	{ "FriendlyName=x&AreaCodeGeomatch=1", 20001 },
	{ "FriendlyName=x&ValidityPeriod=0", 20001 },
	{ "FriendlyName=x&ValidityPeriod=36001", 20001 },
	{ "FriendlyName=x&ValidityPeriod=-5", 20001 },
	{ "FriendlyName=x&ValidityPeriod=1e3", 20001 },
	{ "FriendlyName=x&InboundMethod=PUT", 20001 },
	{ "FriendlyName=x&ScanMessageContent=maybe", 20001 },
	{ "FriendlyName=x&InboundRequestUrl=ftp://example.com/", 20001 },
	{ "FriendlyName=x&StatusCallback=not%20a%20url", 20001 },
	{ "FriendlyName=x&Usecase=spam", 21713 },
	{ "FriendlyName=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxx", 20001 },			/* 65 characters */
};

START_TEST(test_create_errors)
{
	struct reply r;

	post(&r, SVCS, create_errors[_i].body);
	assert_error(&r, 400, create_errors[_i].code);
	get(&r, SVCS);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "services")), 1);
	reply_free(&r);
}
END_TEST

START_TEST(test_service_crud)
{
	char path[128], sid[GATEWAY_SID_SIZE];
	json_t *links;
	struct reply r;

	/* 64 characters of UTF-8 (é is two bytes) fit. */
	post(&r, SVCS, "FriendlyName=Shop%20%C3%A9%C3%A9&StickySender=FALSE&"
	    "ValidityPeriod=600&Usecase=marketing&InboundRequestUrl="
	    "https%3A%2F%2Fexample.com%2Fin&InboundMethod=get&"
	    "ScanMessageContent=Enable&UseInboundWebhookOnNumber=True");
	assert_status(&r, 201);
	assert_keys(r.json, service_keys, nitems(service_keys));
	strlcpy(sid, jstr(r.json, "sid"), sizeof(sid));
	ck_assert(gw_sid_valid(sid, "MG"));
	ck_assert_str_eq(jstr(r.json, "account_sid"), AC1);
	ck_assert_str_eq(jstr(r.json, "friendly_name"), "Shop \xc3\xa9\xc3\xa9");
	ck_assert_str_eq(jstr(r.json, "date_created"), "2024-05-01T12:00:00Z");
	ck_assert_str_eq(jstr(r.json, "date_updated"), "2024-05-01T12:00:00Z");
	ck_assert_str_eq(jstr(r.json, "inbound_request_url"),
	    "https://example.com/in");
	ck_assert_str_eq(jstr(r.json, "inbound_method"), "GET");
	ck_assert(json_is_null(json_object_get(r.json, "fallback_url")));
	ck_assert_str_eq(jstr(r.json, "fallback_method"), "POST");
	ck_assert(json_is_null(json_object_get(r.json, "status_callback")));
	ck_assert_int_eq(jbool(r.json, "sticky_sender"), 0);
	ck_assert_int_eq(jbool(r.json, "mms_converter"), 1);
	ck_assert_int_eq(jbool(r.json, "smart_encoding"), 1);
	ck_assert_str_eq(jstr(r.json, "scan_message_content"), "enable");
	ck_assert_int_eq(jbool(r.json, "fallback_to_long_code"), 1);
	ck_assert_int_eq(jbool(r.json, "area_code_geomatch"), 1);
	ck_assert_int_eq(jbool(r.json, "synchronous_validation"), 1);
	ck_assert_int_eq(jint(r.json, "validity_period"), 600);
	ck_assert_str_eq(jstr(r.json, "usecase"), "marketing");
	ck_assert_int_eq(jbool(r.json, "us_app_to_person_registered"), 0);
	ck_assert_int_eq(jbool(r.json, "use_inbound_webhook_on_number"), 1);
	snprintf(path, sizeof(path), "http://127.0.0.1" SVCS "/%s", sid);
	ck_assert_str_eq(jstr(r.json, "url"), path);
	links = json_object_get(r.json, "links");
	ck_assert_uint_eq(json_object_size(links), 8);
	snprintf(path, sizeof(path), "http://127.0.0.1" SVCS
	    "/%s/DestinationAlphaSenders", sid);
	ck_assert_str_eq(jstr(links, "destination_alpha_senders"), path);
	reply_free(&r);
	/* Fetch; another account sees nothing. */
	snprintf(path, sizeof(path), SVCS "/%s", sid);
	get(&r, path);
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "sid"), sid);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, path, NULL, AUTH2);
	assert_error(&r, 404, 20404);
	/* Update: given fields only; a bad value changes nothing. */
	advance(60 * SEC);
	post(&r, path, "FriendlyName=Renamed&AreaCodeGeomatch=false&"
	    "ValidityPeriod=nope");
	assert_error(&r, 400, 20001);
	post(&r, path, "Usecase=bogus&FriendlyName=Renamed");
	assert_error(&r, 400, 21713);
	post(&r, path, "FriendlyName=Renamed&AreaCodeGeomatch=false&"
	    "StatusCallback=http%3A%2F%2F127.0.0.1%3A9%2Fs");
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "friendly_name"), "Renamed");
	ck_assert_int_eq(jbool(r.json, "area_code_geomatch"), 0);
	ck_assert_int_eq(jbool(r.json, "sticky_sender"), 0);
	ck_assert_int_eq(jint(r.json, "validity_period"), 600);
	ck_assert_str_eq(jstr(r.json, "usecase"), "marketing");
	ck_assert_str_eq(jstr(r.json, "status_callback"),
	    "http://127.0.0.1:9/s");
	ck_assert_str_eq(jstr(r.json, "date_created"), "2024-05-01T12:00:00Z");
	ck_assert_str_eq(jstr(r.json, "date_updated"), "2024-05-01T12:01:00Z");
	reply_free(&r);
	/* Delete, then it is gone. */
	del(&r, path);
	assert_status(&r, 204);
	reply_free(&r);
	get(&r, path);
	assert_error(&r, 404, 20404);
	del(&r, path);
	assert_error(&r, 404, 20404);
	request(&r, EVHTTP_REQ_PUT, path, "", AUTH1);
	assert_error(&r, 405, 20004);
}
END_TEST

START_TEST(test_service_list_paging)
{
	char sids[3][GATEWAY_SID_SIZE], next[512], prev[512];
	json_t *list, *meta;
	struct reply r;
	size_t i;

	for (i = 0; i < 3; i++) {
		advance(SEC);
		post(&r, SVCS, "FriendlyName=s");
		assert_status(&r, 201);
		strlcpy(sids[i], jstr(r.json, "sid"), sizeof(sids[i]));
		reply_free(&r);
	}
	get(&r, SVCS);
	list = json_object_get(r.json, "services");
	ck_assert_uint_eq(json_array_size(list), 4);	/* creation order */
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), MG1);
	ck_assert_str_eq(jstr(json_array_get(list, 3), "sid"), sids[2]);
	meta = json_object_get(r.json, "meta");
	ck_assert_str_eq(jstr(meta, "key"), "services");
	ck_assert_int_eq(jint(meta, "page"), 0);
	ck_assert_int_eq(jint(meta, "page_size"), 50);
	ck_assert(json_is_null(json_object_get(meta, "next_page_url")));
	ck_assert(json_is_null(json_object_get(meta, "previous_page_url")));
	ck_assert_str_eq(jstr(meta, "first_page_url"),
	    "http://127.0.0.1" SVCS "?PageSize=50&Page=0");
	reply_free(&r);
	get(&r, SVCS "?PageSize=2");
	meta = json_object_get(r.json, "meta");
	strlcpy(next, local(jstr(meta, "next_page_url")), sizeof(next));
	ck_assert_msg(strstr(next, "Page=1&PageToken=PA") != NULL, "%s", next);
	reply_free(&r);
	/* A service made before the next page is read does not shift it. */
	post(&r, SVCS, "FriendlyName=later");
	assert_status(&r, 201);
	reply_free(&r);
	get(&r, next);
	list = json_object_get(r.json, "services");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), sids[1]);
	meta = json_object_get(r.json, "meta");
	ck_assert_int_eq(jint(meta, "page"), 1);
	strlcpy(prev, local(jstr(meta, "previous_page_url")), sizeof(prev));
	reply_free(&r);
	get(&r, prev);
	list = json_object_get(r.json, "services");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), MG1);
	reply_free(&r);
	get(&r, SVCS "?PageToken=PAnot-a-token");
	assert_error(&r, 400, 20001);
	get(&r, SVCS "?PageSize=1001");
	assert_error(&r, 400, 20007);
	/* Another account's list is its own. */
	request(&r, EVHTTP_REQ_GET, SVCS, NULL, AUTH2);
	assert_status(&r, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "services")), 0);
	reply_free(&r);
	request(&r, EVHTTP_REQ_GET, SVCS, NULL, basic(AC1, "wrong"));
	assert_error(&r, 401, 20003);
}
END_TEST

/* ---- the pool ---- */

static const char *const number_keys[] = {
	"sid", "account_sid", "service_sid", "date_created", "date_updated",
	"phone_number", "country_code", "capabilities", "url",
};

START_TEST(test_phone_numbers)
{
	json_t *caps, *list;
	struct reply r;
	char other[64];

	get(&r, SVC1 "/PhoneNumbers");
	list = json_object_get(r.json, "phone_numbers");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_object_get(r.json, "meta"), "key"),
	    "phone_numbers");
	reply_free(&r);
	post(&r, SVC1 "/PhoneNumbers", "PhoneNumberSid=" PN_GB);
	assert_status(&r, 201);
	assert_keys(r.json, number_keys, nitems(number_keys));
	ck_assert_str_eq(jstr(r.json, "sid"), PN_GB);
	ck_assert_str_eq(jstr(r.json, "account_sid"), AC1);
	ck_assert_str_eq(jstr(r.json, "service_sid"), MG1);
	ck_assert_str_eq(jstr(r.json, "phone_number"), "+447700900100");
	ck_assert_str_eq(jstr(r.json, "country_code"), "GB");
	ck_assert_str_eq(jstr(r.json, "date_created"), "2024-05-01T12:00:00Z");
	caps = json_object_get(r.json, "capabilities");
	ck_assert_uint_eq(json_array_size(caps), 1);
	ck_assert_str_eq(json_string_value(json_array_get(caps, 0)), "SMS");
	ck_assert_str_eq(jstr(r.json, "url"), "http://127.0.0.1" SVC1
	    "/PhoneNumbers/" PN_GB);
	reply_free(&r);
	/* Twilio's codes. */
	post(&r, SVC1 "/PhoneNumbers", "PhoneNumberSid=" PN_GB);
	assert_error(&r, 400, 21710);
	post(&r, SVCS, "FriendlyName=other");
	snprintf(other, sizeof(other), SVCS "/%s/PhoneNumbers",
	    jstr(r.json, "sid"));
	reply_free(&r);
	post(&r, other, "PhoneNumberSid=" PN_GB);
	assert_error(&r, 400, 21712);
	post(&r, other, "PhoneNumberSid=" PN_NOSMS);
	assert_error(&r, 400, 21715);
	post(&r, other, "PhoneNumberSid=" PN_AC2);	/* another account's */
	assert_error(&r, 404, 20404);
	post(&r, other, "PhoneNumberSid=PN0000000000000000000000000000ffff");
	assert_error(&r, 404, 20404);
	post(&r, other, "PhoneNumberSid=" SC_US);
	assert_error(&r, 400, 20001);
	post(&r, other, "Sid=" PN_GB);
	assert_error(&r, 400, 20001);
	post(&r, SVCS "/MG0000000000000000000000000000ffff/PhoneNumbers",
	    "PhoneNumberSid=" PN_GB);
	assert_error(&r, 404, 20404);
	/* Fetch, remove. */
	get(&r, SVC1 "/PhoneNumbers/" PN_GB);
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "phone_number"), "+447700900100");
	reply_free(&r);
	get(&r, SVC1 "/ShortCodes/" SC_US);	/* not in the pool */
	assert_error(&r, 404, 20404);
	del(&r, SVC1 "/PhoneNumbers/" PN_GB);
	assert_status(&r, 204);
	reply_free(&r);
	get(&r, SVC1 "/PhoneNumbers/" PN_GB);
	assert_error(&r, 404, 20404);
	del(&r, SVC1 "/PhoneNumbers/" PN_GB);
	assert_error(&r, 404, 20404);
	post(&r, other, "PhoneNumberSid=" PN_GB);	/* free again */
	assert_status(&r, 201);
	reply_free(&r);
}
END_TEST

START_TEST(test_short_codes)
{
	static const char *const keys[] = {
		"sid", "account_sid", "service_sid", "date_created",
		"date_updated", "short_code", "country_code", "capabilities",
		"url",
	};
	struct reply r;

	post(&r, SVC1 "/ShortCodes", "ShortCodeSid=" SC_US);
	assert_status(&r, 201);
	assert_keys(r.json, keys, nitems(keys));
	ck_assert_str_eq(jstr(r.json, "short_code"), "55555");
	ck_assert_str_eq(jstr(r.json, "url"), "http://127.0.0.1" SVC1
	    "/ShortCodes/" SC_US);
	reply_free(&r);
	post(&r, SVC1 "/ShortCodes", "ShortCodeSid=" PN_GB);
	assert_error(&r, 400, 20001);
	get(&r, SVC1 "/ShortCodes");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "short_codes")), 1);
	reply_free(&r);
	get(&r, SVC1 "/PhoneNumbers");	/* listed in its own list only */
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "phone_numbers")), 1);
	reply_free(&r);
	get(&r, SVC1 "/ShortCodes/" SC_US);
	assert_status(&r, 200);
	reply_free(&r);
	del(&r, SVC1 "/ShortCodes/" SC_US);
	assert_status(&r, 204);
	reply_free(&r);
	get(&r, SVC1 "/ShortCodes/" SC_US);
	assert_error(&r, 404, 20404);
}
END_TEST

START_TEST(test_alpha_senders)
{
	static const char *const keys[] = {
		"sid", "account_sid", "service_sid", "date_created",
		"date_updated", "alpha_sender", "capabilities", "url",
	};
	char sid[GATEWAY_SID_SIZE], path[160];
	struct reply r;

	post(&r, SVC1 "/AlphaSenders", "AlphaSender=12345");
	assert_error(&r, 400, 21709);
	post(&r, SVC1 "/AlphaSenders", "AlphaSender=TooLongAlpha");
	assert_error(&r, 400, 21709);
	post(&r, SVC1 "/AlphaSenders", "AlphaSender=");
	assert_error(&r, 400, 21709);
	post(&r, SVC1 "/AlphaSenders", "Alpha=Acme");
	assert_error(&r, 400, 20001);
	post(&r, SVC1 "/AlphaSenders", "AlphaSender=Acme+%26+Co");
	assert_status(&r, 201);
	assert_keys(r.json, keys, nitems(keys));
	ck_assert_str_eq(jstr(r.json, "alpha_sender"), "Acme & Co");
	strlcpy(sid, jstr(r.json, "sid"), sizeof(sid));
	ck_assert(gw_sid_valid(sid, "AI"));
	reply_free(&r);
	post(&r, SVC1 "/AlphaSenders", "AlphaSender=Other");	/* one only */
	assert_error(&r, 400, 21710);
	snprintf(path, sizeof(path), SVC1 "/AlphaSenders/%s", sid);
	get(&r, path);
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "url"), local_url(path));
	reply_free(&r);
	get(&r, SVC1 "/AlphaSenders");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "alpha_senders")), 1);
	reply_free(&r);
	del(&r, path);
	assert_status(&r, 204);
	reply_free(&r);
	get(&r, path);
	assert_error(&r, 404, 20404);
}
END_TEST

START_TEST(test_destination_alpha_senders)
{
	static const char *const keys[] = {
		"sid", "account_sid", "service_sid", "date_created",
		"date_updated", "alpha_sender", "iso_country_code",
		"capabilities", "url",
	};
	char fr[GATEWAY_SID_SIZE], path[160];
	json_t *list;
	struct reply r;

	post(&r, SVC1 "/DestinationAlphaSenders", "AlphaSender=AcmeFR&"
	    "IsoCountryCode=fr");
	assert_status(&r, 201);
	assert_keys(r.json, keys, nitems(keys));
	ck_assert_str_eq(jstr(r.json, "iso_country_code"), "FR");
	strlcpy(fr, jstr(r.json, "sid"), sizeof(fr));
	reply_free(&r);
	post(&r, SVC1 "/DestinationAlphaSenders", "AlphaSender=AcmeAll");
	assert_status(&r, 201);
	ck_assert_str_eq(jstr(r.json, "iso_country_code"), "");
	reply_free(&r);
	post(&r, SVC1 "/DestinationAlphaSenders", "AlphaSender=AcmeFR2&"
	    "IsoCountryCode=FR");
	assert_error(&r, 400, 21710);
	post(&r, SVC1 "/DestinationAlphaSenders", "AlphaSender=AcmeDE&"
	    "IsoCountryCode=DEU");
	assert_error(&r, 400, 20001);
	get(&r, SVC1 "/DestinationAlphaSenders");
	list = json_object_get(r.json, "destination_alpha_senders");
	ck_assert_uint_eq(json_array_size(list), 2);
	reply_free(&r);
	get(&r, SVC1 "/DestinationAlphaSenders?IsoCountryCode=FR");
	list = json_object_get(r.json, "destination_alpha_senders");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), fr);
	ck_assert_msg(strstr(jstr(json_object_get(r.json, "meta"), "url"),
	    "IsoCountryCode=FR&") != NULL, "filter kept in the URLs");
	reply_free(&r);
	get(&r, SVC1 "/DestinationAlphaSenders?IsoCountryCode=DE");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "destination_alpha_senders")), 0);
	reply_free(&r);
	get(&r, SVC1 "/AlphaSenders");		/* not the plain alpha list */
	ck_assert_uint_eq(json_array_size(json_object_get(r.json,
	    "alpha_senders")), 0);
	reply_free(&r);
	snprintf(path, sizeof(path), SVC1 "/AlphaSenders/%s", fr);
	get(&r, path);
	assert_error(&r, 404, 20404);
	snprintf(path, sizeof(path), SVC1 "/DestinationAlphaSenders/%s", fr);
	get(&r, path);
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "alpha_sender"), "AcmeFR");
	reply_free(&r);
	del(&r, path);
	assert_status(&r, 204);
	reply_free(&r);
	get(&r, path);
	assert_error(&r, 404, 20404);
}
END_TEST

/* ---- a restart, and a delete with messages on their way ---- */

START_TEST(test_restart_and_delete)
{
	char sid[GATEWAY_SID_SIZE], path[160], msg[160], from[64];
	struct reply r;

	post(&r, SVCS, "FriendlyName=Kept&ValidityPeriod=900");
	assert_status(&r, 201);
	strlcpy(sid, jstr(r.json, "sid"), sizeof(sid));
	reply_free(&r);
	snprintf(path, sizeof(path), SVCS "/%s/PhoneNumbers", sid);
	post(&r, path, "PhoneNumberSid=" PN_GB);
	assert_status(&r, 201);
	reply_free(&r);
	gateway_free(fx.gw);
	gateway_start();
	snprintf(path, sizeof(path), SVCS "/%s", sid);
	get(&r, path);
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "friendly_name"), "Kept");
	ck_assert_int_eq(jint(r.json, "validity_period"), 900);
	reply_free(&r);
	snprintf(path, sizeof(path), SVCS "/%s/PhoneNumbers/" PN_GB, sid);
	get(&r, path);
	assert_status(&r, 200);
	reply_free(&r);
	/* A scheduled message of MG1 is still on its way when MG1 goes. */
	post(&r, "/2010-04-01/Accounts/" AC1 "/Messages.json",
	    "To=%2B14155550999&MessagingServiceSid=" MG1 "&Body=hi&"
	    "ScheduleType=fixed&SendAt=2024-05-01T14%3A00%3A00Z");
	assert_status(&r, 201);
	snprintf(msg, sizeof(msg), "/2010-04-01/Accounts/" AC1
	    "/Messages/%s.json", jstr(r.json, "sid"));
	reply_free(&r);
	get(&r, msg);
	ck_assert_str_eq(jstr(r.json, "status"), "scheduled");
	strlcpy(from, json_is_string(json_object_get(r.json, "from")) ?
	    jstr(r.json, "from") : "", sizeof(from));
	reply_free(&r);
	del(&r, SVC1);
	assert_status(&r, 204);
	reply_free(&r);
	get(&r, msg);
	assert_status(&r, 200);
	ck_assert_str_eq(jstr(r.json, "status"), "scheduled");
	ck_assert_str_eq(json_is_string(json_object_get(r.json, "from")) ?
	    jstr(r.json, "from") : "", from);
	reply_free(&r);
	/* The pool's number is free for another service now. */
	snprintf(path, sizeof(path), SVCS "/%s/PhoneNumbers", sid);
	post(&r, path, "PhoneNumberSid=" PN_US);
	assert_status(&r, 201);
	reply_free(&r);
}
END_TEST

/* ---- alerts ---- */

static const char *const alert_keys[] = {
	"account_sid", "alert_text", "api_version", "date_created",
	"date_generated", "date_updated", "error_code", "log_level",
	"more_info", "request_method", "request_url", "resource_sid",
	"service_sid", "sid", "url",
};

static const char *const alert_full_keys[] = {
	"account_sid", "alert_text", "api_version", "date_created",
	"date_generated", "date_updated", "error_code", "log_level",
	"more_info", "request_method", "request_url", "request_variables",
	"response_body", "response_headers", "request_headers",
	"resource_sid", "service_sid", "sid", "url",
};

START_TEST(test_alerts)
{
	char first[GATEWAY_SID_SIZE], path[512];
	json_t *list, *a, *meta;
	struct reply r;

	gw_alert_add(fx.gw->services, AC1, 30018,
	    "SM00000000000000000000000000000001", MG1, "GB: %s is not "
	    "registered", "ACME");
	advance(86400 * SEC);
	gw_alert_add(fx.gw->services, AC1, 30018,
	    "SM00000000000000000000000000000002", MG1, "second");
	gw_alert_add(fx.gw->services, AC2, 30018, NULL, NULL, "not yours");
	get(&r, "/v1/Alerts");
	assert_status(&r, 200);
	list = json_object_get(r.json, "alerts");
	ck_assert_uint_eq(json_array_size(list), 2);
	a = json_array_get(list, 0);
	assert_keys(a, alert_keys, nitems(alert_keys));
	ck_assert_str_eq(jstr(a, "alert_text"), "second");
	ck_assert_str_eq(jstr(a, "error_code"), "30018");
	ck_assert_str_eq(jstr(a, "log_level"), "warning");
	ck_assert_str_eq(jstr(a, "resource_sid"),
	    "SM00000000000000000000000000000002");
	ck_assert_str_eq(jstr(a, "service_sid"), MG1);
	ck_assert_str_eq(jstr(a, "date_created"), "2024-05-02T12:00:00Z");
	ck_assert_str_eq(jstr(a, "more_info"),
	    "https://www.twilio.com/docs/errors/30018");
	ck_assert(json_is_null(json_object_get(a, "request_url")));
	a = json_array_get(list, 1);
	strlcpy(first, jstr(a, "sid"), sizeof(first));
	ck_assert(gw_sid_valid(first, "NO"));
	ck_assert_str_eq(jstr(a, "alert_text"), "GB: ACME is not registered");
	ck_assert_str_eq(jstr(json_object_get(r.json, "meta"), "key"),
	    "alerts");
	reply_free(&r);
	/* Fetch: every field. */
	snprintf(path, sizeof(path), "/v1/Alerts/%s", first);
	get(&r, path);
	assert_status(&r, 200);
	assert_keys(r.json, alert_full_keys, nitems(alert_full_keys));
	snprintf(path, sizeof(path), "http://127.0.0.1/v1/Alerts/%s", first);
	ck_assert_str_eq(jstr(r.json, "url"), path);
	reply_free(&r);
	snprintf(path, sizeof(path), "/v1/Alerts/%s", first);
	request(&r, EVHTTP_REQ_GET, path, NULL, AUTH2);
	assert_error(&r, 404, 20404);
	get(&r, "/v1/Alerts/NO0000000000000000000000000000ffff");
	assert_error(&r, 404, 20404);
	/* Filters. */
	get(&r, "/v1/Alerts?LogLevel=error");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "alerts")),
	    0);
	reply_free(&r);
	get(&r, "/v1/Alerts?LogLevel=warning&StartDate=2024-05-02");
	list = json_object_get(r.json, "alerts");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "alert_text"),
	    "second");
	reply_free(&r);
	get(&r, "/v1/Alerts?EndDate=2024-05-01");
	list = json_object_get(r.json, "alerts");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), first);
	reply_free(&r);
	get(&r, "/v1/Alerts?EndDate=2024-05-01T12%3A00%3A00Z");
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "alerts")),
	    1);
	reply_free(&r);
	get(&r, "/v1/Alerts?LogLevel=loud");
	assert_error(&r, 400, 20001);
	get(&r, "/v1/Alerts?StartDate=yesterday");
	assert_error(&r, 400, 20001);
	/* Paging: newest first, one a page, there and back. */
	get(&r, "/v1/Alerts?PageSize=1");
	meta = json_object_get(r.json, "meta");
	ck_assert(json_is_null(json_object_get(meta, "previous_page_url")));
	strlcpy(path, local(jstr(meta, "next_page_url")), sizeof(path));
	reply_free(&r);
	get(&r, path);
	list = json_object_get(r.json, "alerts");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "sid"), first);
	meta = json_object_get(r.json, "meta");
	ck_assert(json_is_null(json_object_get(meta, "next_page_url")));
	strlcpy(path, local(jstr(meta, "previous_page_url")), sizeof(path));
	reply_free(&r);
	get(&r, path);
	list = json_object_get(r.json, "alerts");
	ck_assert_uint_eq(json_array_size(list), 1);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "alert_text"),
	    "second");
	reply_free(&r);
	get(&r, "/v1/Alerts?PageToken=PANO0000000000000000000000000000ffff");
	assert_error(&r, 400, 20001);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("gw_api_services");
	TCase	*tc = tcase_create("v1");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_create_errors, 0,
	    (int)nitems(create_errors));
	tcase_add_test(tc, test_service_crud);
	tcase_add_test(tc, test_service_list_paging);
	tcase_add_test(tc, test_phone_numbers);
	tcase_add_test(tc, test_short_codes);
	tcase_add_test(tc, test_alpha_senders);
	tcase_add_test(tc, test_destination_alpha_senders);
	tcase_add_test(tc, test_restart_and_delete);
	tcase_add_test(tc, test_alerts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
