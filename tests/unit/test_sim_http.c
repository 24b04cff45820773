/*
 * scenarios/sim-http: every /sim/ route and /metrics over real HTTP on an
 * ephemeral loopback port, with libevent's client in the same loop, against
 * the carrier double of tests/unit/fake_carrier.c; and the access decision
 * (sim_http_authorize) as a table, since a non-loopback peer cannot be
 * faked over a socket.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

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
#include <jansson.h>

#include "carriers/carrier.h"
#include "common/clock.h"
#include "common/log.h"
#include "scenarios/sim-http.h"
#include "tests/unit/http_reply.h"

/* 2024-05-01T12:00:00.250Z, the virtual clock's start. */
#define T0	(INT64_C(1714564800) * CLOCK_USEC_PER_SEC + 250000)
#define NPDUS	250	/* captured PDUs of the double's bind 1 */

struct fixture {
	struct event_base	*base;
	struct clock		*clock;
	struct carrier		*carriers[2];
	struct sim_http		*sh;
};

static struct fixture fx;

/* What the client got back; every field is owned by the reply. */
static struct carrier *
start_carrier(const char *name)
{
	struct carrier_env	 env = { fx.base, fx.clock, NULL, 1 };
	struct carrier_profile	*p = calloc(1, sizeof *p);
	struct carrier		*c;
	char			 err[128];

	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->country, sizeof p->country, "US");
	snprintf(p->listen[0].address, sizeof p->listen[0].address,
	    "127.0.0.1:2775");
	p->nlisten = 1;
	p->capture_limit = NPDUS;
	c = carrier_start(&env, p, err, sizeof err);
	free(p);
	ck_assert_ptr_nonnull(c);
	return c;
}

static void
setup(void)
{
	char	err[256];

	log_set_level(LOG_LEVEL_DEBUG);		/* run the request log too */
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_VIRTUAL, T0, 1.0);
	fx.carriers[0] = start_carrier("alpha");
	fx.carriers[1] = start_carrier("beta/2 x");	/* needs decoding */
	fx.sh = sim_http_start(fx.base, fx.clock, "127.0.0.1:0", "s3cret",
	    fx.carriers, 2, err, sizeof err);
	ck_assert_msg(fx.sh != NULL, "%s", err);
	ck_assert_int_gt(sim_http_port(fx.sh), 0);
}

static void
teardown(void)
{
	sim_http_free(fx.sh);
	carrier_free(fx.carriers[0]);
	carrier_free(fx.carriers[1]);
	clock_free(fx.clock);
	event_base_free(fx.base);
}

/*
 * One request on a fresh connection; runs the shared loop until the
 * answer (or the 5 s connection timeout) arrives. type and body may be
 * NULL; auth is an Authorization header or NULL.
 */
static void
fetch_full(struct reply *r, enum evhttp_cmd_type method, const char *uri,
    const char *type, const char *body, size_t bodylen, const char *auth)
{
	struct evhttp_connection *evcon;
	struct evhttp_request	*req;
	struct evkeyvalq	*out;

	memset(r, 0, sizeof *r);
	evcon = evhttp_connection_base_new(fx.base, NULL, "127.0.0.1",
	    (ev_uint16_t)sim_http_port(fx.sh));
	evhttp_connection_set_timeout(evcon, 5);
	req = evhttp_request_new(reply_cb, r);
	out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Host", "127.0.0.1");
	if (type != NULL)
		evhttp_add_header(out, "Content-Type", type);
	if (auth != NULL)
		evhttp_add_header(out, "Authorization", auth);
	if (body != NULL)
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    bodylen);
	ck_assert_int_eq(evhttp_make_request(evcon, req, method, uri), 0);
	while (!r->done)
		event_base_loop(fx.base, EVLOOP_ONCE);
	evhttp_connection_free(evcon);
	ck_assert_int_gt(r->status, 0);
}

static void
fetch(struct reply *r, enum evhttp_cmd_type method, const char *uri,
    const char *type, const char *body)
{
	fetch_full(r, method, uri, type, body, body != NULL ? strlen(body) : 0,
	    NULL);
}

static void
get(struct reply *r, const char *uri)
{
	fetch(r, EVHTTP_REQ_GET, uri, NULL, NULL);
}

/* Asserts a JSON error answer: status, code and a message part. */
static void
assert_error(const struct reply *r, int status, const char *part)
{
	const char	*msg;

	ck_assert_int_eq(r->status, status);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json, "code")),
	    status);
	ck_assert_int_eq(json_integer_value(json_object_get(r->json,
	    "status")), status);
	msg = json_string_value(json_object_get(r->json, "message"));
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, part) != NULL, "message \"%s\" lacks "
	    "\"%s\"", msg, part);
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

START_TEST(test_carriers_list)
{
	struct reply	 r;
	json_t		*list;

	get(&r, "/sim/carriers");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.type, "application/json");
	list = json_object_get(r.json, "carriers");
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(jstr(json_array_get(list, 0), "name"), "alpha");
	ck_assert_str_eq(jstr(json_array_get(list, 1), "name"), "beta/2 x");
	reply_free(&r);
	/* A trailing slash names the same resource. */
	get(&r, "/sim/carriers/");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

START_TEST(test_carrier_state)
{
	struct reply	r;

	get(&r, "/sim/carriers/alpha");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "name"), "alpha");
	ck_assert_str_eq(jstr(json_array_get(json_object_get(r.json,
	    "listen"), 0), "address"), "127.0.0.1:2775");
	reply_free(&r);
	/* Segments are decoded after splitting: %2F stays in the name. */
	get(&r, "/sim/carriers/beta%2F2%20x");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "name"), "beta/2 x");
	reply_free(&r);
}
END_TEST

START_TEST(test_carrier_unknown)
{
	static const char *const uris[] = {
		"/sim/carriers/nope", "/sim/carriers/nope/binds",
		"/sim/carriers/nope/binds/1/pdus",
		"/sim/carriers/nope/messages/m-1",
	};
	struct reply	r;
	size_t		i;

	for (i = 0; i < sizeof uris / sizeof uris[0]; i++) {
		get(&r, uris[i]);
		assert_error(&r, 404, "no carrier named \"nope\"");
		reply_free(&r);
	}
	fetch(&r, EVHTTP_REQ_POST, "/sim/carriers/nope/mo",
	    "application/json", "{}");
	assert_error(&r, 404, "no carrier named \"nope\"");
	reply_free(&r);
	/* Not UTF-8 in the name: still a 404 with a readable message. */
	get(&r, "/sim/carriers/n%FFpe");
	assert_error(&r, 404, "no carrier named \"n?pe\"");
	reply_free(&r);
}
END_TEST

START_TEST(test_binds)
{
	struct reply	 r;
	json_t		*b;

	get(&r, "/sim/carriers/alpha/binds");
	ck_assert_int_eq(r.status, 200);
	b = json_array_get(json_object_get(r.json, "binds"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "id")), 1);
	ck_assert_str_eq(jstr(b, "system_id"), "test");
	reply_free(&r);
}
END_TEST

/* One pdus page: how many came back, the first index and "next". */
static void
assert_page(const char *uri, size_t n, json_int_t first, json_int_t next)
{
	struct reply	 r;
	json_t		*pdus;

	get(&r, uri);
	ck_assert_int_eq(r.status, 200);
	pdus = json_object_get(r.json, "pdus");
	ck_assert_uint_eq(json_array_size(pdus), n);
	if (n > 0)
		ck_assert_int_eq(json_integer_value(json_object_get(
		    json_array_get(pdus, 0), "index")), first);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "next")),
	    next);
	reply_free(&r);
}

START_TEST(test_pdus_paging)
{
	assert_page("/sim/carriers/alpha/binds/1/pdus", 100, 1, 100);
	assert_page("/sim/carriers/alpha/binds/1/pdus?since=100&limit=200",
	    150, 101, 250);
	assert_page("/sim/carriers/alpha/binds/1/pdus?limit=10000", 250, 1,
	    250);
	/* Past the end: empty, and next repeats since for the next poll. */
	assert_page("/sim/carriers/alpha/binds/1/pdus?since=250", 0, 0, 250);
}
END_TEST

START_TEST(test_pdus_bad_args)
{
	static const struct {
		const char	*uri;
		int		 status;
		const char	*part;
	} cases[] = {
		{ "/sim/carriers/alpha/binds/1/pdus?limit=10001", 400,
		  "limit must be an integer 1..10000" },
		{ "/sim/carriers/alpha/binds/1/pdus?limit=0", 400, "limit" },
		{ "/sim/carriers/alpha/binds/1/pdus?limit=ten", 400,
		  "limit" },
		{ "/sim/carriers/alpha/binds/1/pdus?since=-1", 400,
		  "since must be an integer" },
		{ "/sim/carriers/alpha/binds/1/pdus?since="
		  "99999999999999999999", 400, "since" },
		{ "/sim/carriers/alpha/binds/x/pdus", 400,
		  "bind id must be an integer, not \"x\"" },
		{ "/sim/carriers/alpha/binds/2/pdus", 404,
		  "no bind 2 on carrier \"alpha\"" },
	};
	struct reply	r;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		get(&r, cases[i].uri);
		assert_error(&r, cases[i].status, cases[i].part);
		reply_free(&r);
	}
}
END_TEST

START_TEST(test_message)
{
	struct reply	r;

	get(&r, "/sim/carriers/alpha/messages/m-1");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "message_id"), "m-1");
	reply_free(&r);
	get(&r, "/sim/carriers/alpha/messages/m-2");
	assert_error(&r, 404, "no message \"m-2\" on carrier \"alpha\"");
	reply_free(&r);
}
END_TEST

/* The MO the double last received, from its state JSON; a new ref. */
static json_t *
last_mo(unsigned *calls)
{
	struct reply	 r;
	json_t		*mo;

	get(&r, "/sim/carriers/alpha");
	mo = json_object_get(r.json, "fake_mo");
	*calls = (unsigned)json_integer_value(json_object_get(mo, "calls"));
	mo = json_incref(json_object_get(mo, "last"));
	reply_free(&r);
	return mo;
}

START_TEST(test_mo_json)
{
	struct reply	 r;
	json_t		*mo;
	unsigned	 calls;

	fetch(&r, EVHTTP_REQ_POST, "/sim/carriers/alpha/mo",
	    "application/json", "{\"from\": \"+14155550100\", \"to\": "
	    "\"12345\", \"body\": \"h\\u00e9llo\", \"encoding\": \"ucs2\", "
	    "\"system_id\": \"test\", \"count\": 3, \"rate\": 2.5, "
	    "\"payload\": true, \"as_data_sm\": true}");
	ck_assert_int_eq(r.status, 202);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json,
	    "queued")), 3);
	reply_free(&r);
	mo = last_mo(&calls);
	ck_assert_uint_eq(calls, 1);
	ck_assert_str_eq(jstr(mo, "from"), "+14155550100");
	ck_assert_str_eq(jstr(mo, "to"), "12345");
	ck_assert_str_eq(jstr(mo, "body"), "h\xc3\xa9llo");
	ck_assert_str_eq(jstr(mo, "encoding"), "ucs2");
	ck_assert_str_eq(jstr(mo, "system_id"), "test");
	ck_assert_int_eq(json_integer_value(json_object_get(mo, "count")), 3);
	ck_assert(json_real_value(json_object_get(mo, "rate")) == 2.5);
	ck_assert(json_is_true(json_object_get(mo, "payload")));
	ck_assert(json_is_true(json_object_get(mo, "as_data_sm")));
	json_decref(mo);
}
END_TEST

START_TEST(test_mo_form)
{
	struct reply	 r;
	json_t		*mo;
	unsigned	 calls;

	/* curl -d sends this type; '+' and %xx are decoded. */
	fetch(&r, EVHTTP_REQ_POST, "/sim/carriers/beta%2F2%20x/mo",
	    "application/x-www-form-urlencoded",
	    "from=%2B447700900123&to=12345&body=hello+world+%26+more"
	    "&count=2&rate=0.5&as_data_sm=1");
	ck_assert_int_eq(r.status, 202);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json,
	    "queued")), 2);
	reply_free(&r);
	/* Defaults: no system_id, auto encoding, count 1, no flags. */
	fetch(&r, EVHTTP_REQ_POST, "/sim/carriers/alpha/mo", NULL,
	    "from=1&to=2&body=x");
	ck_assert_int_eq(r.status, 202);
	reply_free(&r);
	mo = last_mo(&calls);
	ck_assert_uint_eq(calls, 1);
	ck_assert_str_eq(jstr(mo, "encoding"), "auto");
	ck_assert_str_eq(jstr(mo, "system_id"), "");
	ck_assert_int_eq(json_integer_value(json_object_get(mo, "count")), 1);
	ck_assert(json_is_false(json_object_get(mo, "payload")));
	json_decref(mo);
}
END_TEST

/* A JSON MO with one field replaced, for the table below. */
#define MO_WITH(f)	"{\"from\": \"1\", \"to\": \"2\", \"body\": \"x\"" f "}"
#define FROM21		"123456789012345678901"

START_TEST(test_mo_bad_input)
{
	static const struct {
		const char	*type;
		const char	*body;
		const char	*part;
	} cases[] = {
		{ "application/json", "{\"to\": \"1\", \"body\": \"x\"}",
		  "from is required" },
		{ "application/json", "{\"from\": \"1\", \"to\": \"2\"}",
		  "body is required" },
		{ "application/json", "{\"from\": \"\", \"to\": \"2\", "
		  "\"body\": \"x\"}", "from must be a string of 1 to 20" },
		{ "application/json", "{\"from\": \"" FROM21 "\", \"to\": "
		  "\"2\", \"body\": \"x\"}", "from must be a string" },
		{ "application/json", "{\"from\": \"1\", \"to\": 2, "
		  "\"body\": \"x\"}", "to must be a string" },
		{ "application/json", "{\"from\": \"1\", \"to\": \"2\", "
		  "\"body\": 5}", "body must be a string" },
		{ "application/json", MO_WITH(", \"count\": 0"),
		  "count must be an integer 1..100000" },
		{ "application/json", MO_WITH(", \"count\": 100001"),
		  "count must be" },
		{ "application/json", MO_WITH(", \"count\": \"5\""),
		  "count must be" },
		{ "application/json", MO_WITH(", \"count\": 1.5"),
		  "count must be" },
		{ "application/json", MO_WITH(", \"rate\": -1"),
		  "rate must be a number >= 0" },
		{ "application/json", MO_WITH(", \"payload\": \"yes\""),
		  "payload must be true or false" },
		{ "application/json", MO_WITH(", \"encoding\": \"utf8\""),
		  "encoding must be one of auto, gsm7, ucs2, latin1, not "
		  "\"utf8\"" },
		{ "application/json", MO_WITH(", \"system_id\": "
		  "\"0123456789abcdef\""), "system_id must be a string of "
		  "0 to 15" },
		{ "application/json", MO_WITH(", \"form\": 1"),
		  "unknown field \"form\"" },
		{ "application/json", "[1, 2]", "must be a JSON object" },
		{ "application/json", "{\"from\": ", "invalid JSON at line 1 "
		  "column" },
		{ "application/json", "{\"from\": \"a\\u0000b\"}",
		  "invalid JSON" },
		{ "application/json", "from=1&to=2&body=x", "invalid JSON" },
		{ NULL, "{\"from\": }", "position" },
		{ "application/x-www-form-urlencoded", "from=1&to=2&body=x"
		  "&count=abc", "count must be an integer" },
		{ "application/x-www-form-urlencoded", "from=1&to=2&body=x"
		  "&rate=inf", "rate must be a number" },
		{ "application/x-www-form-urlencoded", "from=1&to=2&body=x"
		  "&payload=on", "payload must be true or false" },
		{ "application/x-www-form-urlencoded", "from=1&to=2&body=%FF",
		  "form field body is not UTF-8" },
		{ "application/x-www-form-urlencoded", "garbage",
		  "malformed form body" },
		{ "application/x-www-form-urlencoded", "", "a body is "
		  "required" },
		/* The carrier's own refusals come back as 400 too. */
		{ "application/json", MO_WITH(", \"system_id\": \"nobody\""),
		  "no account with system_id \"nobody\"" },
		{ "application/json", "{\"from\": \"1\", \"to\": \"2\", "
		  "\"body\": \"\\u0001\"}", "not encodable" },
	};
	struct reply	r;
	unsigned	calls;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fetch(&r, EVHTTP_REQ_POST, "/sim/carriers/alpha/mo",
		    cases[i].type, cases[i].body);
		assert_error(&r, 400, cases[i].part);
		reply_free(&r);
	}
	json_decref(last_mo(&calls));
	ck_assert_uint_eq(calls, 0);
}
END_TEST

START_TEST(test_body_too_large)
{
	size_t		 len = SIM_HTTP_MAX_BODY + 1;
	char		*big = malloc(len);
	struct reply	 r;

	memset(big, ' ', len);
	fetch_full(&r, EVHTTP_REQ_POST, "/sim/carriers/alpha/mo",
	    "application/json", big, len, NULL);
	ck_assert_int_eq(r.status, 413);
	reply_free(&r);
	free(big);
}
END_TEST

START_TEST(test_method_not_allowed)
{
	struct reply	r;

	fetch(&r, EVHTTP_REQ_POST, "/sim/carriers", "application/json", "{}");
	assert_error(&r, 405, "method POST not allowed");
	ck_assert_str_eq(r.allow, "GET, HEAD");
	reply_free(&r);
	get(&r, "/sim/carriers/alpha/mo");
	assert_error(&r, 405, "allowed: POST");
	ck_assert_str_eq(r.allow, "POST");
	reply_free(&r);
	fetch(&r, EVHTTP_REQ_DELETE, "/sim/clock", NULL, NULL);
	assert_error(&r, 405, "method DELETE");
	reply_free(&r);
	/* HEAD is GET without the body. */
	fetch(&r, EVHTTP_REQ_HEAD, "/sim/clock", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "");
	reply_free(&r);
}
END_TEST

static void
fallback(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*b = evbuffer_new();

	(*(int *)arg)++;
	evbuffer_add_printf(b, "gateway");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

START_TEST(test_unknown_paths)
{
	struct reply	r;
	int		calls = 0;

	get(&r, "/sim/nothing");
	assert_error(&r, 404, "no route for /sim/nothing");
	reply_free(&r);
	get(&r, "/2010-04-01/Accounts.json");
	assert_error(&r, 404, "no route");
	reply_free(&r);
	get(&r, "/sim//carriers");
	assert_error(&r, 404, "no route");
	reply_free(&r);
	get(&r, "/sim/carriers//");
	assert_error(&r, 404, "no route");
	reply_free(&r);
	/* A NUL would cut the name short and find "alpha". */
	get(&r, "/sim/carriers/alpha%00x");
	assert_error(&r, 404, "no route");
	reply_free(&r);
	get(&r, "/sim/carriers/alpha/binds/1/pdus/a/b/c");
	assert_error(&r, 404, "no route");
	reply_free(&r);
	sim_http_set_fallback(fx.sh, fallback, &calls);
	get(&r, "/2010-04-01/Accounts.json");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "gateway");
	reply_free(&r);
	/* /sim/ stays ours with a fallback set, spelt with escapes too;
	 * what only starts like ours is the gateway's. */
	get(&r, "/sim/nothing");
	assert_error(&r, 404, "no route");
	reply_free(&r);
	get(&r, "/%73im/carriers");
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(json_object_get(r.json, "carriers"));
	reply_free(&r);
	get(&r, "/metric%73");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_ne(r.body, "gateway");
	reply_free(&r);
	ck_assert_int_eq(calls, 1);
	get(&r, "/simx/carriers");
	ck_assert_str_eq(r.body, "gateway");
	reply_free(&r);
	get(&r, "/metrics/x");
	ck_assert_str_eq(r.body, "gateway");
	reply_free(&r);
	get(&r, "/sim");
	assert_error(&r, 404, "no route");
	reply_free(&r);
	ck_assert_int_eq(calls, 3);
	sim_http_set_fallback(fx.sh, NULL, NULL);
	get(&r, "/");
	assert_error(&r, 404, "no route");
	reply_free(&r);
}
END_TEST

START_TEST(test_clock)
{
	struct reply	r;

	get(&r, "/sim/clock");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "now"), "2024-05-01T12:00:00.250Z");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json,
	    "now_usec")), T0);
	ck_assert_str_eq(jstr(r.json, "mode"), "virtual");
	reply_free(&r);
}
END_TEST

static json_t *
fake_message(const char *sid, void *arg)
{
	(void)arg;
	if (strcmp(sid, "SM1") != 0)
		return NULL;
	return json_pack("{s:s}", "route", "alpha");
}

/* /sim/messages/{sid} is the gateway's: 404 without one, else what the
 * hook answers. */
START_TEST(test_gateway_message)
{
	struct reply	r;

	get(&r, "/sim/messages/SM1");
	ck_assert_int_eq(r.status, 404);
	ck_assert_ptr_nonnull(strstr(jstr(r.json, "message"), "no gateway"));
	reply_free(&r);
	sim_http_set_message_hook(fx.sh, fake_message, NULL);
	get(&r, "/sim/messages/SM1");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "route"), "alpha");
	reply_free(&r);
	get(&r, "/sim/messages/SM2");
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
}
END_TEST

START_TEST(test_metrics)
{
	struct reply	r;

	get(&r, "/sim/clock");
	reply_free(&r);
	get(&r, "/sim/carriers/nope");
	reply_free(&r);
	fetch(&r, EVHTTP_REQ_POST, "/sim/clock", NULL, NULL);
	reply_free(&r);
	get(&r, "/metrics");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.type, "text/plain; version=0.0.4; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body,
	    "carrierlab_binds{carrier=\"alpha\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body,
	    "# TYPE carrierlab_http_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "carrierlab_http_requests_total"
	    "{route=\"/sim/clock\",code=\"200\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "carrierlab_http_requests_total"
	    "{route=\"/sim/carriers/{carrier}\",code=\"404\"} 1\n"));
	/* A refused method counts under the route of its path. */
	ck_assert_ptr_nonnull(strstr(r.body, "carrierlab_http_requests_total"
	    "{route=\"/sim/clock\",code=\"405\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "carrierlab_build_info{version=\""
	    PACKAGE_VERSION "\",allocator=\"" CARRIERLAB_ALLOCATOR "\"} 1\n"));
	reply_free(&r);
}
END_TEST

/* The names in a {"faults": [...]} answer, comma-joined, into buf. */
static const char *
switch_names(const struct reply *r, const char *member, char *buf,
    size_t len)
{
	json_t	*v;
	size_t	 i;

	buf[0] = '\0';
	ck_assert_ptr_nonnull(r->json);
	ck_assert(json_is_array(json_object_get(r->json, member)));
	json_array_foreach(json_object_get(r->json, member), i, v) {
		if (i > 0)
			strlcat(buf, ",", len);
		strlcat(buf, jstr(v, "name"), len);
	}
	return buf;
}

START_TEST(test_faults_routes)
{
	struct reply	 r;
	char		 names[128];
	json_t		*f;

	get(&r, "/sim/carriers/alpha/faults");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(switch_names(&r, "faults", names, sizeof names), "");
	reply_free(&r);
	fetch(&r, EVHTTP_REQ_PUT, "/sim/carriers/alpha/faults/refuse_binds",
	    "application/json", "{\"status\": \"ESME_RBINDFAIL\", "
	    "\"for\": \"1s\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(switch_names(&r, "faults", names, sizeof names),
	    "refuse_binds");
	f = json_object_get(json_array_get(json_object_get(r.json, "faults"),
	    0), "params");
	ck_assert_str_eq(jstr(f, "status"), "ESME_RBINDFAIL");
	ck_assert_str_eq(jstr(f, "for"), "1s");
	reply_free(&r);
	/* POST as PUT; no body: the carrier's defaults. */
	fetch(&r, EVHTTP_REQ_POST, "/sim/carriers/alpha/faults/close_listener",
	    NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(switch_names(&r, "faults", names, sizeof names),
	    "refuse_binds,close_listener");
	reply_free(&r);
	/* What the carrier could not do: 409, still on. */
	fetch(&r, EVHTTP_REQ_DELETE,
	    "/sim/carriers/alpha/faults/close_listener", NULL, NULL);
	assert_error(&r, 409, "fault close_listener: listen 127.0.0.1:2775: "
	    "Address already in use");
	reply_free(&r);
	fetch(&r, EVHTTP_REQ_DELETE, "/sim/carriers/alpha/faults/refuse_binds",
	    NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(switch_names(&r, "faults", names, sizeof names),
	    "close_listener");
	reply_free(&r);
	/* Clearing what is off changes nothing and is no error. */
	fetch(&r, EVHTTP_REQ_DELETE, "/sim/carriers/alpha/faults/refuse_binds",
	    NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	get(&r, "/sim/carriers/beta%2F2%20x/faults");
	ck_assert_str_eq(switch_names(&r, "faults", names, sizeof names), "");
	reply_free(&r);
}
END_TEST

START_TEST(test_quirks_routes)
{
	struct reply	r;
	char		names[128];

	fetch(&r, EVHTTP_REQ_PUT, "/sim/carriers/alpha/quirks/message_id",
	    "application/json", "{\"format\": \"hex\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(switch_names(&r, "quirks", names, sizeof names),
	    "message_id");
	reply_free(&r);
	get(&r, "/sim/carriers/alpha/quirks");
	ck_assert_str_eq(switch_names(&r, "quirks", names, sizeof names),
	    "message_id");
	reply_free(&r);
	/* The faults are another table. */
	get(&r, "/sim/carriers/alpha/faults");
	ck_assert_str_eq(switch_names(&r, "faults", names, sizeof names), "");
	reply_free(&r);
	fetch(&r, EVHTTP_REQ_DELETE, "/sim/carriers/alpha/quirks/message_id",
	    NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(switch_names(&r, "quirks", names, sizeof names), "");
	reply_free(&r);
}
END_TEST

/* Bad input: 400 naming the parameter or the body's fault, 404 for an
 * unknown name or carrier, 405 for a method the path does not take; the
 * carrier's state never changes. */
START_TEST(test_switch_bad_input)
{
	static const struct {
		enum evhttp_cmd_type	 method;
		const char		*uri;
		const char		*body;
		int			 status;
		const char		*part;
	} cases[] = {
		{ EVHTTP_REQ_PUT, "/sim/carriers/alpha/faults/refuse_binds",
		  "{\"status\": 5}", 400, "status: must be a string" },
		{ EVHTTP_REQ_PUT, "/sim/carriers/alpha/faults/refuse_binds",
		  "{\"colour\": \"red\"}", 400, "colour:" },
		{ EVHTTP_REQ_PUT, "/sim/carriers/alpha/faults/refuse_binds",
		  "[1]", 400, "the body must be a JSON object" },
		{ EVHTTP_REQ_PUT, "/sim/carriers/alpha/faults/refuse_binds",
		  "{\"status\": ", 400, "invalid JSON at line 1" },
		{ EVHTTP_REQ_PUT, "/sim/carriers/alpha/faults/nope", "{}", 404,
		  "no fault named \"nope\"" },
		{ EVHTTP_REQ_PUT, "/sim/carriers/alpha/quirks/refuse_binds",
		  NULL, 404, "no quirk named \"refuse_binds\"" },
		{ EVHTTP_REQ_DELETE, "/sim/carriers/alpha/faults/nope", NULL,
		  404, "no fault named \"nope\"" },
		{ EVHTTP_REQ_PUT, "/sim/carriers/nope/faults/refuse_binds",
		  "{}", 404, "no carrier named \"nope\"" },
		{ EVHTTP_REQ_GET, "/sim/carriers/alpha/faults/refuse_binds",
		  NULL, 405, "allowed: PUT, POST, DELETE" },
		{ EVHTTP_REQ_POST, "/sim/carriers/alpha/quirks", "{}", 405,
		  "allowed: GET, HEAD" },
	};
	struct reply	r;
	char		names[128];
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fetch(&r, cases[i].method, cases[i].uri, cases[i].body != NULL ?
		    "application/json" : NULL, cases[i].body);
		assert_error(&r, cases[i].status, cases[i].part);
		reply_free(&r);
	}
	get(&r, "/sim/carriers/alpha/faults");
	ck_assert_str_eq(switch_names(&r, "faults", names, sizeof names), "");
	reply_free(&r);
	/* The methods of one path are one route in the metrics. */
	get(&r, "/metrics");
	ck_assert_ptr_nonnull(strstr(r.body, "carrierlab_http_requests_total"
	    "{route=\"/sim/carriers/{carrier}/faults/{name}\",code=\"404\"} "
	    "3\n"));
	reply_free(&r);
}
END_TEST

/* Loopback needs no credentials, so a wrong token does not matter. */
START_TEST(test_loopback_ignores_token)
{
	struct reply	r;

	fetch_full(&r, EVHTTP_REQ_GET, "/sim/clock", NULL, NULL, 0,
	    "Bearer wrong");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

START_TEST(test_start_errors)
{
	char		 err[256];
	char		 addr[32];
	struct sim_http	*sh;

	sh = sim_http_start(fx.base, fx.clock, "nonsense", "", NULL, 0, err,
	    sizeof err);
	ck_assert_ptr_null(sh);
	ck_assert_str_eq(err, "listen nonsense: not host:port");
	sh = sim_http_start(fx.base, fx.clock, "127.0.0.1:65536", "", NULL, 0,
	    err, sizeof err);
	ck_assert_ptr_null(sh);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", sim_http_port(fx.sh));
	sh = sim_http_start(fx.base, fx.clock, addr, "", NULL, 0, err,
	    sizeof err);
	ck_assert_ptr_null(sh);
	ck_assert_msg(strstr(err, "Address already in use") != NULL, "%s",
	    err);
	sim_http_free(NULL);
}
END_TEST

/* ---- The access decision, as a table. ---- */

union peer {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	struct sockaddr_un	sun;
};

static const struct sockaddr *
peer_of(union peer *p, const char *text)
{
	memset(p, 0, sizeof *p);
	if (text == NULL)
		return NULL;
	if (strcmp(text, "unix") == 0) {
		p->sun.sun_family = AF_UNIX;
		return &p->sa;
	}
	if (inet_pton(AF_INET, text, &p->sin.sin_addr) == 1) {
		p->sin.sin_family = AF_INET;
		return &p->sa;
	}
	ck_assert_int_eq(inet_pton(AF_INET6, text, &p->sin6.sin6_addr), 1);
	p->sin6.sin6_family = AF_INET6;
	return &p->sa;
}

START_TEST(test_authorize)
{
	static const struct {
		const char	*peer;		/* NULL: unknown */
		const char	*authorization;
		const char	*token;
		int		 status;
	} cases[] = {
		{ "127.0.0.1", NULL, "", 0 },
		{ "127.255.0.9", NULL, "tok", 0 },
		{ "::1", NULL, "", 0 },
		{ "::ffff:127.0.0.1", NULL, "", 0 },
		{ "unix", NULL, "", 0 },
		{ "127.0.0.1", "Bearer wrong", "tok", 0 },
		{ "10.0.0.1", NULL, "", 403 },
		{ "10.0.0.1", "Bearer tok", "", 403 },
		{ "10.0.0.1", "Bearer ", "", 403 },
		{ "10.0.0.1", NULL, "tok", 401 },
		{ "10.0.0.1", "Bearer tok", "tok", 0 },
		{ "10.0.0.1", "bearer  tok", "tok", 0 },
		{ "10.0.0.1", "Bearer tok2", "tok", 401 },
		{ "10.0.0.1", "Bearer to", "tok", 401 },
		{ "10.0.0.1", "Bearer tik", "tok", 401 },	/* same length */
		{ "10.0.0.1", "Bearer", "tok", 401 },
		{ "10.0.0.1", "Bearertok", "tok", 401 },
		{ "10.0.0.1", "Basic dGVzdDp0ZXN0", "tok", 401 },
		{ "128.0.0.1", NULL, "tok", 401 },
		{ "2001:db8::1", "Bearer tok", "tok", 0 },
		{ "2001:db8::1", NULL, "tok", 401 },
		{ "::ffff:10.0.0.1", NULL, "", 403 },
		{ "::2", NULL, "tok", 401 },
		{ NULL, NULL, "", 403 },
		{ NULL, "Bearer tok", "tok", 0 },
	};
	union peer	p;
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(sim_http_authorize(peer_of(&p, cases[i].peer),
		    cases[i].authorization, cases[i].token) ==
		    cases[i].status, "case %zu: %s %s", i,
		    cases[i].peer != NULL ? cases[i].peer : "NULL",
		    cases[i].authorization != NULL ? cases[i].authorization :
		    "-");
}
END_TEST

static Suite *
sim_http_suite(void)
{
	Suite	*s = suite_create("sim_http");
	TCase	*tc = tcase_create("routes");
	TCase	*ta = tcase_create("access");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_carriers_list);
	tcase_add_test(tc, test_carrier_state);
	tcase_add_test(tc, test_carrier_unknown);
	tcase_add_test(tc, test_binds);
	tcase_add_test(tc, test_pdus_paging);
	tcase_add_test(tc, test_pdus_bad_args);
	tcase_add_test(tc, test_message);
	tcase_add_test(tc, test_mo_json);
	tcase_add_test(tc, test_mo_form);
	tcase_add_test(tc, test_mo_bad_input);
	tcase_add_test(tc, test_body_too_large);
	tcase_add_test(tc, test_method_not_allowed);
	tcase_add_test(tc, test_unknown_paths);
	tcase_add_test(tc, test_clock);
	tcase_add_test(tc, test_gateway_message);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_faults_routes);
	tcase_add_test(tc, test_quirks_routes);
	tcase_add_test(tc, test_switch_bad_input);
	tcase_add_test(tc, test_loopback_ignores_token);
	tcase_add_test(tc, test_start_errors);
	suite_add_tcase(s, tc);
	tcase_add_test(ta, test_authorize);
	suite_add_tcase(s, ta);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(sim_http_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
