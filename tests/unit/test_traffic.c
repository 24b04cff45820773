/*
 * scenarios/traffic: the "traffic" generators.
 *
 * The loader: every key read into struct scenario_traffic, the defaults,
 * and each kind of error with its path and exact reason. The pure parts:
 * body templates and destination cycling. The runtime against a test
 * double of the engine (the engine_* functions of scenarios/run.h on a
 * virtual clock) that records each API request and answers it now or
 * when the test says: pacing times, the cap on requests out, counts by
 * code, sids, holds and notes. And an SMPP generator against a real
 * carrier on 127.0.0.1:0 in real time.
 *
 * JSON in this file is written with ' for " (see scnfx_json()).
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "carriers/carrier.h"
#include "carriers/store.h"
#include "common/clock.h"
#include "common/xmalloc.h"
#include "scenarios/run.h"
#include "scenarios/scenario.h"
#include "scenarios/traffic.h"
#include "tests/unit/scn_fixture.h"

#define MS	INT64_C(1000)
#define SEC	(1000 * MS)
#define T0	(INT64_C(1767225600) * SEC)

#define AC0	"AC00000000000000000000000000000000"
#define AC1	"AC11111111111111111111111111111111"
#define MG0	"MG00000000000000000000000000000000"
#define MG1	"MG11111111111111111111111111111111"
/* Two accounts, a number of each, a service of the first. */
#define WORLD \
	"'carriers': [{'name': 'a', 'listen': ['127.0.0.1:0'], " \
	"'accounts': [{'system_id': 'esme', 'password': 'pw'}]}], " \
	"'accounts': [{'sid': '" AC0 "', 'auth_token': 't0'}, " \
	"{'sid': '" AC1 "', 'auth_token': 't1'}], " \
	"'numbers': [{'number': '+14155550100'}, " \
	"{'number': '+14155550199', 'account': '" AC1 "'}], " \
	"'services': [{'sid': '" MG0 "', 'senders': ['+14155550100']}, " \
	"{'sid': '" MG1 "', 'account': '" AC1 "'}]"
#define TRAFFIC(x)	"{" WORLD ", 'traffic': [" x "]}"

/* ---- the loader ---- */

START_TEST(test_load_api_keys)
{
	struct scenario			 s;
	const struct scenario_traffic	*t;

	scnfx_load_ok(TRAFFIC("{'name': 'otp', 'at': '5s', 'via': 'api', "
	    "'count': 2000, 'rate': 20, 'comment': 'c', 'service': '" MG0
	    "', 'from': '+14155550100', 'to': ['+14155550123', "
	    "'+14155550124'], 'body': 'Code {seq}', 'length': 50, "
	    "'media': ['https://x.test/a.png'], 'status_callback': "
	    "'https://cb.test/s', 'shorten_urls': true, 'smart_encoding': "
	    "false, 'validity_period': 600}"), &s);
	ck_assert_uint_eq(s.ntraffic, 1);
	t = &s.traffic[0];
	ck_assert_str_eq(t->name, "otp");
	ck_assert_int_eq(t->at, 5 * SEC);
	ck_assert_int_eq(t->via, TRAFFIC_VIA_API);
	ck_assert_uint_eq(t->count, 2000);
	ck_assert_double_eq(t->rate, 20);
	ck_assert_str_eq(t->comment, "c");
	ck_assert_str_eq(t->service, MG0);
	ck_assert_str_eq(t->account, AC0);	/* the service's */
	ck_assert_str_eq(t->from, "+14155550100");
	ck_assert_int_eq(t->to.kind, TRAFFIC_TO_LIST);
	ck_assert_uint_eq(t->to.nlist, 2);
	ck_assert_str_eq(t->to.list[1], "+14155550124");
	ck_assert_str_eq(t->body, "Code {seq}");
	ck_assert_uint_eq(t->length, 50);
	ck_assert_uint_eq(t->nmedia, 1);
	ck_assert_str_eq(t->media[0], "https://x.test/a.png");
	ck_assert_str_eq(t->status_callback, "https://cb.test/s");
	ck_assert_int_eq(t->shorten_urls, 1);
	ck_assert_int_eq(t->smart_encoding, 0);
	ck_assert_uint_eq(t->validity_period, 600);
	scenario_release(&s);
}
END_TEST

START_TEST(test_load_defaults)
{
	struct scenario			 s;
	const struct scenario_traffic	*t;

	scnfx_load_ok(TRAFFIC("{'count': 1, 'to': '+14155550123'}, "
	    "{'count': 2, 'to': '+1', 'from': '+14155550199'}, "
	    "{'count': 3, 'to': '+1', 'from': 'ALPHA'}, "
	    "{'count': 4, 'to': '+1', 'account': '" AC1 "'}"), &s);
	ck_assert_uint_eq(s.ntraffic, 4);
	t = &s.traffic[0];
	ck_assert_str_eq(t->name, "traffic[0]");
	ck_assert_int_eq(t->at, 0);
	ck_assert_int_eq(t->via, TRAFFIC_VIA_API);
	ck_assert_double_eq(t->rate, 0);
	ck_assert_int_eq(t->to.kind, TRAFFIC_TO_ONE);
	ck_assert_str_eq(t->to.list[0], "+14155550123");
	ck_assert_str_eq(t->account, AC0);	/* the first */
	ck_assert_str_eq(t->service, "");
	ck_assert_str_eq(t->from, "");
	ck_assert_str_eq(t->body, "Hello from carrierlab");
	ck_assert_str_eq(t->status_callback, "sink");
	ck_assert_int_eq(t->shorten_urls, TRAFFIC_FLAG_UNSET);
	ck_assert_int_eq(t->smart_encoding, TRAFFIC_FLAG_UNSET);
	ck_assert_uint_eq(t->validity_period, 0);
	ck_assert_uint_eq(t->nmedia, 0);
	ck_assert_str_eq(s.traffic[1].name, "traffic[1]");
	ck_assert_str_eq(s.traffic[1].account, AC1);	/* the From's */
	ck_assert_str_eq(s.traffic[2].account, AC0);	/* alpha: first */
	ck_assert_str_eq(s.traffic[3].account, AC1);
	scenario_release(&s);
}
END_TEST

START_TEST(test_load_smpp)
{
	struct scenario			 s;
	const struct scenario_traffic	*t;

	scnfx_load_ok(TRAFFIC("{'name': 'bulk', 'via': 'smpp', 'carrier': 'a', "
	    "'count': 10, 'to': {'range': ['+14155550000', '+14155550999']}}, "
	    "{'via': 'smpp', 'carrier': 'a', 'count': 1, 'to': '123', "
	    "'system_id': 'other', 'password': 'x', 'from': 'SHOP', "
	    "'encoding': 'ucs2', 'window': 5, 'sessions': 2, 'receipts': "
	    "false, 'receipt_timeout': '1m', 'body': 'fixed', 'length': 300}"),
	    &s);
	t = &s.traffic[0];
	ck_assert_int_eq(t->via, TRAFFIC_VIA_SMPP);
	ck_assert_str_eq(t->carrier, "a");
	ck_assert_int_eq(t->to.kind, TRAFFIC_TO_RANGE);
	ck_assert_str_eq(t->to.list[0], "+14155550000");
	ck_assert_str_eq(t->to.list[1], "+14155550999");
	ck_assert_str_eq(t->system_id, "esme");	/* the carrier's first */
	ck_assert_str_eq(t->password, "pw");
	ck_assert_str_eq(t->encoding, "auto");
	ck_assert_uint_eq(t->window, 10);
	ck_assert_uint_eq(t->sessions, 1);
	ck_assert_int_eq(t->receipts, 1);
	ck_assert_int_eq(t->receipt_timeout, 600 * SEC);
	t = &s.traffic[1];
	ck_assert_str_eq(t->system_id, "other");
	ck_assert_str_eq(t->password, "x");
	ck_assert_str_eq(t->from, "SHOP");
	ck_assert_str_eq(t->encoding, "ucs2");
	ck_assert_uint_eq(t->window, 5);
	ck_assert_uint_eq(t->sessions, 2);
	ck_assert_int_eq(t->receipts, 0);
	ck_assert_int_eq(t->receipt_timeout, 60 * SEC);
	ck_assert_uint_eq(t->length, 300);
	scenario_release(&s);
}
END_TEST

/* --explain prints traffic that loads back to the same text. */
START_TEST(test_load_explain_round_trip)
{
	struct scenario	s, again;
	char		*one;

	scnfx_load_ok(TRAFFIC("{'count': 1, 'to': {'range': ['+100', '+199']}, "
	    "'shorten_urls': false}, {'via': 'smpp', 'carrier': 'a', "
	    "'count': 2, 'to': '+1'}, {'count': 3, 'to': ['+1', '+2'], "
	    "'validity_period': 5, 'media': ['http://m.test/x']}"), &s);
	scnfx_explain_round_trip(&s, &again);
	one = scenario_explain(&again);
	ck_assert_ptr_nonnull(strstr(one, "\"range\""));
	free(one);
	scenario_release(&again);
	scenario_release(&s);
}
END_TEST

static const struct {
	const char	*json;
	const char	*path;
	const char	*reason;	/* exact */
} bad[] = {
	{ TRAFFIC("{'to': '+1'}"), "traffic[0].count", "required" },
	{ TRAFFIC("{'count': 0, 'to': '+1'}"), "traffic[0].count",
	  "must be an integer between 1 and 10000000" },
	{ TRAFFIC("{'count': 10000001, 'to': '+1'}"), "traffic[0].count",
	  "must be an integer between 1 and 10000000" },
	{ TRAFFIC("{'count': 1}"), "traffic[0].to", "required" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'via': 'http'}"),
	  "traffic[0].via", "must be \"api\" or \"smpp\"" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'rate': -1}"), "traffic[0].rate",
	  "must be between 0 and 1000000" },
	{ TRAFFIC("{'count': 1, 'to': 5}"), "traffic[0].to",
	  "must be a number, an array of 1 to 10000 numbers or "
	  "{\"range\": [FIRST, LAST]}" },
	{ TRAFFIC("{'count': 1, 'to': []}"), "traffic[0].to",
	  "must be a number, an array of 1 to 10000 numbers or "
	  "{\"range\": [FIRST, LAST]}" },
	{ TRAFFIC("{'count': 1, 'to': ['+1', 7]}"), "traffic[0].to[1]",
	  "must be a number of 1 to 31 characters" },
	{ TRAFFIC("{'count': 1, 'to': {'first': '+1'}}"), "traffic[0].to",
	  "must be a number, an array of numbers or {\"range\": "
	  "[FIRST, LAST]}" },
	{ TRAFFIC("{'count': 1, 'to': {'range': ['+1']}}"),
	  "traffic[0].to.range", "must be [FIRST, LAST]" },
	{ TRAFFIC("{'count': 1, 'to': {'range': ['+1', '2']}}"),
	  "traffic[0].to.range[1]", "must be '+' and 1 to 15 digits" },
	{ TRAFFIC("{'count': 1, 'to': {'range': ['+1x', '+12']}}"),
	  "traffic[0].to.range[0]", "must be '+' and 1 to 15 digits" },
	{ TRAFFIC("{'count': 1, 'to': {'range': ['+100', '+1000']}}"),
	  "traffic[0].to.range[1]", "has 4 digits, FIRST has 3" },
	{ TRAFFIC("{'count': 1, 'to': {'range': ['+150', '+149']}}"),
	  "traffic[0].to.range[1]", "is below FIRST (+150)" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'media': ['ftp://x']}"),
	  "traffic[0].media[0]", "\"ftp://x\" is not an http:// or https:// "
	  "URL" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'media': ['http://a', "
	  "'http://a', 'http://a', 'http://a', 'http://a', 'http://a', "
	  "'http://a', 'http://a', 'http://a', 'http://a', 'http://a']}"),
	  "traffic[0].media", "must be an array of at most 10 media" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'status_callback': 'nowhere'}"),
	  "traffic[0].status_callback", "\"nowhere\" is not \"sink\", \"\" "
	  "or an http:// or https:// URL" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'validity_period': 36001}"),
	  "traffic[0].validity_period",
	  "must be an integer between 1 and 36000" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'shorten_urls': 1}"),
	  "traffic[0].shorten_urls", "must be true or false" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'body': ''}"), "traffic[0].body",
	  "empty, and no media: give one or the other" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'body': '', 'length': 5, "
	  "'media': ['http://m']}"), "traffic[0].length",
	  "needs a body to repeat" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'length': 10001}"),
	  "traffic[0].length", "must be an integer between 0 and 10000" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'window': 3}"), "traffic[0].window",
	  "only for \"via\": \"smpp\"" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'via': 'smpp', 'carrier': 'a', "
	  "'service': '" MG0 "'}"), "traffic[0].service",
	  "only for \"via\": \"api\"" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'via': 'smpp'}"),
	  "traffic[0].carrier", "required for \"via\": \"smpp\"" },
	{ TRAFFIC("{'count': 1, 'to': ['+1', '+2'], 'via': 'smpp', "
	  "'carrier': 'a'}"), "traffic[0].to",
	  "SMPP traffic takes one number or a range, not a list" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'via': 'smpp', 'carrier': 'a', "
	  "'body': 'n {seq}'}"), "traffic[0].body",
	  "templates ({seq}, {count}, {to}) are for \"via\": \"api\"; SMPP "
	  "sends one fixed text" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'via': 'smpp', 'carrier': 'b'}"),
	  "traffic[0].carrier", "no carrier \"b\" in \"carriers\"" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'via': 'smpp', 'carrier': 'a', "
	  "'encoding': 'utf8'}"), "traffic[0].encoding",
	  "must be auto, gsm7, ucs2 or latin1" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'name': 'x'}, "
	  "{'count': 1, 'to': '+1', 'name': 'x'}"), "traffic[1].name",
	  "duplicate name \"x\" (also traffic[0])" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'service': "
	  "'MG99999999999999999999999999999999'}"), "traffic[0].service",
	  "no service MG99999999999999999999999999999999 in \"services\"" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'account': "
	  "'AC99999999999999999999999999999999'}"), "traffic[0].account",
	  "no account AC99999999999999999999999999999999 in \"accounts\"" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'from': '+14155550111'}"),
	  "traffic[0].from", "\"+14155550111\" is not a number of "
	  "\"numbers\" nor an alphanumeric sender" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'from': '+14155550199', "
	  "'account': '" AC0 "'}"), "traffic[0].from", "\"+14155550199\" "
	  "belongs to account " AC1 ", the traffic's is " AC0 },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'service': '" MG1 "', "
	  "'account': '" AC0 "'}"), "traffic[0].service", "belongs to "
	  "account " AC1 ", the traffic's is " AC0 },
	{ "{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:0']}], "
	  "'traffic': [{'count': 1, 'to': '+1'}]}", "traffic[0]",
	  "no account to send as: give \"accounts\"" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'colour': 'red'}"),
	  "traffic[0].colour", "unknown key" },
	{ "{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:0']}], "
	  "'traffic': {}}", "traffic",
	  "must be an array of at most 1000 generators" },
	{ TRAFFIC("{'count': 1, 'to': '+1', 'rate': 0.0001}"),
	  "traffic[0].rate", "must be 0 (a burst) or at least 0.001" },
	{ TRAFFIC("{'count': 1, 'to': '+1-2', 'via': 'smpp', "
	  "'carrier': 'a'}"), "traffic[0].to", "an SMPP destination is "
	  "digits, after an optional '+', 20 characters at most" },
};

START_TEST(test_load_bad)
{
	struct scenario		s;
	struct scenario_error	err;

	scnfx_load_bad(bad[_i].json, &s, &err, bad[_i].path);
	ck_assert_msg(strcmp(err.reason, bad[_i].reason) == 0,
	    "%s: reason \"%s\", want \"%s\"", bad[_i].json, err.reason,
	    bad[_i].reason);
	ck_assert_ptr_null(s.traffic);
}
END_TEST

/* ---- templates and destinations ---- */

static const struct {
	const char	*body;
	unsigned	 length;
	uint64_t	 seq;
	const char	*want;
} bodies[] = {
	{ "Your code is {seq}", 0, 7, "Your code is 7" },
	{ "{seq}/{count} to {to}", 0, 12, "12/40 to +15550001" },
	{ "{seq}{seq}", 0, 3, "33" },
	{ "{nope} {seq", 0, 1, "{nope} {seq" },
	{ "{", 0, 1, "{" },
	{ "ab", 5, 1, "ababa" },
	{ "n{seq} ", 9, 2, "n2 n2 n2 " },
	{ "é€x", 4, 1, "é€xé" },	/* characters, not octets */
	{ "long", 3, 1, "lon" },
	{ "", 0, 1, "" },
};

START_TEST(test_body_expand)
{
	struct scenario_traffic	t = { .count = 40 };
	char			out[256];
	size_t			n;

	snprintf(t.body, sizeof t.body, "%s", bodies[_i].body);
	t.length = bodies[_i].length;
	n = traffic_body_expand(&t, bodies[_i].seq, "+15550001", out,
	    sizeof out);
	ck_assert_str_eq(out, bodies[_i].want);
	ck_assert_uint_eq(n, strlen(bodies[_i].want));
}
END_TEST

/* A buffer too small cuts at a character, never inside one. */
START_TEST(test_body_expand_cut)
{
	struct scenario_traffic	t = { .count = 1, .length = 100 };
	char			out[6];

	snprintf(t.body, sizeof t.body, "é");
	ck_assert_uint_eq(traffic_body_expand(&t, 1, "", out, sizeof out), 4);
	ck_assert_str_eq(out, "éé");
	ck_assert_int_eq(traffic_body_is_template("a {to}"), 1);
	ck_assert_int_eq(traffic_body_is_template("a {To}"), 0);
}
END_TEST

START_TEST(test_to_cycling)
{
	char			 list[3][GATEWAY_NUMBER_MAX] = { "+1", "+2",
				    "+3" };
	char			 range[2][GATEWAY_NUMBER_MAX] = { "+0998",
				    "+1001" };
	struct traffic_to	 one = { TRAFFIC_TO_ONE, list, 1 };
	struct traffic_to	 cyc = { TRAFFIC_TO_LIST, list, 3 };
	struct traffic_to	 rng = { TRAFFIC_TO_RANGE, range, 2 };
	char			 out[GATEWAY_NUMBER_MAX];

	traffic_to_at(&one, 5, out);
	ck_assert_str_eq(out, "+1");
	traffic_to_at(&cyc, 1, out);
	ck_assert_str_eq(out, "+1");
	traffic_to_at(&cyc, 3, out);
	ck_assert_str_eq(out, "+3");
	traffic_to_at(&cyc, 4, out);
	ck_assert_str_eq(out, "+1");
	traffic_to_at(&rng, 1, out);
	ck_assert_str_eq(out, "+0998");		/* leading zeros kept */
	traffic_to_at(&rng, 3, out);
	ck_assert_str_eq(out, "+1000");
	traffic_to_at(&rng, 4, out);
	ck_assert_str_eq(out, "+1001");
	traffic_to_at(&rng, 5, out);
	ck_assert_str_eq(out, "+0998");		/* and round again */
}
END_TEST

/* ---- the engine's test double ---- */

#define FAKE_MAX	4096

struct fake_request {
	int64_t		 at;		/* usec since the start */
	char		 path[128];
	char		 account[40];
	char		 token[40];
	struct evkeyvalq form;
	engine_http_cb	 cb;
	void		*arg;
	int		 answered;
};

/* How the double answers: at once (from inside the call), or when the
 * test calls fake_answer(). */
enum fake_mode { FAKE_ANSWER_NOW, FAKE_ANSWER_LATER };

static struct {
	struct event_base	*base;
	struct clock		*clock;
	int64_t			 start;
	enum fake_mode		 mode;
	int			 holds;
	unsigned		 out, max_out;
	struct fake_request	 req[FAKE_MAX];
	size_t			 nreq;
	char			 notes[64][256];
	size_t			 nnotes;
	struct carrier		*carrier;	/* SMPP test */
} fake;

struct event_base *engine_base(struct engine *e) { (void)e; return fake.base; }
struct clock *engine_clock(struct engine *e) { (void)e; return fake.clock; }
int64_t
engine_elapsed(struct engine *e)
{
	(void)e;
	return clock_now(fake.clock) - fake.start;
}
struct carrier *
engine_carrier(struct engine *e, const char *name)
{
	(void)e;
	return fake.carrier != NULL && strcmp(name,
	    carrier_name(fake.carrier)) == 0 ? fake.carrier : NULL;
}
const char *
engine_sink_url(struct engine *e)
{
	(void)e;
	return "http://127.0.0.1:9/status";
}
/* As the engine does: the host carrierlab.sink is the sink. */
char *
engine_sink_resolve(struct engine *e, const char *url)
{
	const char *host = strstr(url, "://carrierlab.sink");
	char *out;

	(void)e;
	if (host == NULL)
		return xstrdup(url);
	xasprintf(&out, "%s%s", engine_sink_url(e),
	    host + strlen("://carrierlab.sink"));
	return out;
}
void engine_hold(struct engine *e) { (void)e; fake.holds++; }
void engine_release(struct engine *e) { (void)e; fake.holds--; }

void
engine_note(struct engine *e, const char *kind, const char *fmt, ...)
{
	va_list ap;

	(void)e;
	ck_assert_str_eq(kind, "traffic");
	ck_assert_uint_lt(fake.nnotes, 64);
	va_start(ap, fmt);
	vsnprintf(fake.notes[fake.nnotes++], sizeof fake.notes[0], fmt, ap);
	va_end(ap);
}

void
engine_form_add(struct evbuffer *buf, const char *name, const char *value)
{
	char *enc = evhttp_uriencode(value, -1, 0);

	evbuffer_add_printf(buf, "%s%s=%s", evbuffer_get_length(buf) > 0 ?
	    "&" : "", name, enc);
	free(enc);
}

/* 201 with a sid, except that every third To... ends in 3: 400, 21610. */
static void
fake_answer(size_t i)
{
	struct fake_request	*q = &fake.req[i];
	const char		*to = evhttp_find_header(&q->form, "To");
	json_t			*body;
	char			 sid[40];
	int			 status = 201;

	ck_assert(!q->answered);
	q->answered = 1;
	fake.out--;
	if (to != NULL && to[strlen(to) - 1] == '3') {
		status = 400;
		body = json_pack("{s:i,s:s}", "code", 21610, "message", "stop");
	} else {
		snprintf(sid, sizeof sid, "SM%032zx", i);
		body = json_pack("{s:s}", "sid", sid);
	}
	q->cb(status, body, NULL, q->arg);
	json_decref(body);
}

void
engine_api_request(struct engine *e, const char *method, const char *path,
    const char *account, const char *token, const char *form,
    engine_http_cb cb, void *arg)
{
	struct fake_request *q;

	(void)e;
	ck_assert_uint_lt(fake.nreq, FAKE_MAX);
	ck_assert_str_eq(method, "POST");
	q = &fake.req[fake.nreq];
	q->at = clock_now(fake.clock) - fake.start;
	snprintf(q->path, sizeof q->path, "%s", path);
	snprintf(q->account, sizeof q->account, "%s", account);
	snprintf(q->token, sizeof q->token, "%s", token);
	TAILQ_INIT(&q->form);
	ck_assert_int_eq(evhttp_parse_query_str(form, &q->form), 0);
	q->cb = cb;
	q->arg = arg;
	fake.nreq++;
	if (++fake.out > fake.max_out)
		fake.max_out = fake.out;
	if (fake.mode == FAKE_ANSWER_NOW)
		fake_answer(fake.nreq - 1);
}

static void
fake_setup(enum clock_mode mode)
{
	memset(&fake, 0, sizeof fake);
	fake.base = event_base_new();
	fake.clock = clock_new(fake.base, mode, mode == CLOCK_MODE_VIRTUAL ?
	    T0 : 0, 1.0);
	fake.start = clock_now(fake.clock);
}

static void
fake_teardown(void)
{
	size_t i;

	for (i = 0; i < fake.nreq; i++)
		evhttp_clear_headers(&fake.req[i].form);
	clock_free(fake.clock);
	event_base_free(fake.base);
}

/* Steps the virtual clock until the traffic is done or nothing is
 * armed; at most steps steps. */
static void
run_virtual(struct traffic *tr, int steps)
{
	while (!traffic_done(tr) && steps-- > 0) {
		event_base_loop(fake.base, EVLOOP_NONBLOCK);
		if (clock_virtual_step(fake.clock) == 0)
			break;
	}
}

static const char *
form(size_t i, const char *name)
{
	return evhttp_find_header(&fake.req[i].form, name);
}

/* ---- the runtime, API ---- */

/* rate 20/s: a request every 50 ms from "at", answers counted by code. */
START_TEST(test_api_paced)
{
	struct scenario			 s;
	struct traffic			*tr;
	const struct traffic_result	*r;
	size_t				 n, i;

	fake_setup(CLOCK_MODE_VIRTUAL);
	scnfx_load_ok(TRAFFIC("{'name': 'otp', 'at': '2s', 'count': 9, "
	    "'rate': 20, 'to': {'range': ['+14155550001', '+14155550009']}, "
	    "'service': '" MG0 "', 'body': 'Code {seq} of {count}', "
	    "'media': ['https://m.test/1.png', 'https://m.test/2.png'], "
	    "'smart_encoding': true, 'validity_period': 60}"), &s);
	fake.mode = FAKE_ANSWER_NOW;
	tr = traffic_start(NULL, &s);
	ck_assert_int_eq(fake.holds, 1);
	ck_assert_uint_eq(fake.nreq, 0);	/* nothing from inside */
	run_virtual(tr, 100);
	ck_assert(traffic_done(tr));
	ck_assert_int_eq(fake.holds, 0);
	ck_assert_uint_eq(fake.nreq, 9);
	for (i = 0; i < 9; i++)
		ck_assert_int_eq(fake.req[i].at,
		    2 * SEC + (int64_t)i * 50 * MS);
	ck_assert_str_eq(fake.req[0].path,
	    "/2010-04-01/Accounts/" AC0 "/Messages.json");
	ck_assert_str_eq(fake.req[0].account, AC0);
	ck_assert_str_eq(fake.req[0].token, "t0");
	ck_assert_str_eq(form(0, "To"), "+14155550001");
	ck_assert_str_eq(form(4, "To"), "+14155550005");
	ck_assert_str_eq(form(4, "Body"), "Code 5 of 9");
	ck_assert_str_eq(form(0, "MessagingServiceSid"), MG0);
	ck_assert_ptr_null(form(0, "From"));
	ck_assert_str_eq(form(0, "MediaUrl"), "https://m.test/1.png");
	ck_assert_str_eq(form(0, "StatusCallback"),
	    "http://127.0.0.1:9/status/otp");
	ck_assert_str_eq(form(0, "SmartEncoded"), "true");
	ck_assert_ptr_null(form(0, "ShortenUrls"));
	ck_assert_str_eq(form(0, "ValidityPeriod"), "60");
	r = traffic_results(tr, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(r[0].t, &s.traffic[0]);
	ck_assert_uint_eq(r[0].requested, 9);
	ck_assert_uint_eq(r[0].answered, 9);
	ck_assert_uint_eq(r[0].accepted, 8);
	ck_assert_uint_eq(r[0].refused, 1);		/* ...0003 */
	ck_assert_uint_eq(r[0].failed, 0);
	ck_assert_uint_eq(r[0].ncodes, 1);
	ck_assert_uint_eq(r[0].codes[0].code, 21610);
	ck_assert_uint_eq(r[0].codes[0].count, 1);
	ck_assert_uint_eq(r[0].nsids, 8);
	ck_assert_str_eq(r[0].sids[0], "SM00000000000000000000000000000000");
	ck_assert_int_eq(r[0].done, 1);
	ck_assert_uint_eq(fake.nnotes, 2);
	ck_assert_str_eq(fake.notes[0],
	    "traffic otp started: 9 messages at 20/s");
	ck_assert_str_eq(fake.notes[1],
	    "traffic otp done: 8 accepted, 1 refused (21610 x1)");
	traffic_free(tr);
	scenario_release(&s);
	fake_teardown();
}
END_TEST

/* A burst of 1000 has at most 256 requests out; the rest go as answers
 * come, all at the start's instant. */
START_TEST(test_api_burst_cap)
{
	struct scenario			 s;
	struct traffic			*tr;
	const struct traffic_result	*r;
	size_t				 n, i, answered = 0;

	fake_setup(CLOCK_MODE_VIRTUAL);
	scnfx_load_ok(TRAFFIC("{'name': 'storm', 'count': 1000, 'to': "
	    "['+14155550001', '+14155550002', '+14155550003', '+14155550004'],"
	    " 'from': 'ALPHA', 'status_callback': '', 'shorten_urls': false}"),
	    &s);
	fake.mode = FAKE_ANSWER_LATER;
	tr = traffic_start(NULL, &s);
	run_virtual(tr, 10);
	ck_assert_uint_eq(fake.nreq, TRAFFIC_OUTSTANDING_MAX);
	ck_assert(!traffic_done(tr));
	ck_assert_int_eq(fake.holds, 1);
	while (answered < fake.nreq) {
		fake_answer(answered++);
		ck_assert_uint_le(fake.out, TRAFFIC_OUTSTANDING_MAX);
	}
	ck_assert_uint_eq(answered, 1000);
	ck_assert_uint_eq(fake.max_out, TRAFFIC_OUTSTANDING_MAX);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(fake.req[i].at, 0);
	ck_assert_str_eq(form(5, "To"), "+14155550002");
	ck_assert_str_eq(form(5, "From"), "ALPHA");
	ck_assert_str_eq(form(5, "Body"), "Hello from carrierlab");
	ck_assert_ptr_null(form(5, "StatusCallback"));
	ck_assert_ptr_null(form(5, "MessagingServiceSid"));
	ck_assert_str_eq(form(5, "ShortenUrls"), "false");
	ck_assert(traffic_done(tr));
	ck_assert_int_eq(fake.holds, 0);
	r = traffic_results(tr, &n);
	ck_assert_uint_eq(r[0].accepted, 750);
	ck_assert_uint_eq(r[0].refused, 250);
	ck_assert_uint_eq(r[0].nsids, 750);
	ck_assert_str_eq(fake.notes[0],
	    "traffic storm started: 1000 messages at once");
	ck_assert_str_eq(fake.notes[1],
	    "traffic storm done: 750 accepted, 250 refused (21610 x250)");
	traffic_free(tr);
	scenario_release(&s);
	fake_teardown();
}
END_TEST

/* A URL on the host carrierlab.sink is the run's sink, path kept. */
START_TEST(test_api_sink_host)
{
	struct scenario	 s;
	struct traffic	*tr;

	fake_setup(CLOCK_MODE_VIRTUAL);
	scnfx_load_ok(TRAFFIC("{'count': 1, 'to': '+14155550001', 'from': "
	    "'ALPHA', 'status_callback': 'http://carrierlab.sink/mine?x=1'}"),
	    &s);
	fake.mode = FAKE_ANSWER_NOW;
	tr = traffic_start(NULL, &s);
	run_virtual(tr, 10);
	ck_assert_uint_eq(fake.nreq, 1);
	ck_assert_str_eq(form(0, "StatusCallback"),
	    "http://127.0.0.1:9/status/mine?x=1");
	ck_assert(traffic_done(tr));
	traffic_free(tr);
	scenario_release(&s);
	fake_teardown();
}
END_TEST

/* No answer (status 0) is failed; a refusal without a code counts by
 * its HTTP status; an answer after traffic_free() is dropped. */
START_TEST(test_api_failures)
{
	struct scenario			 s;
	struct traffic			*tr;
	const struct traffic_result	*r;
	json_t				*body = json_pack("{s:s}", "x",
					    "y");
	size_t				 n;

	fake_setup(CLOCK_MODE_VIRTUAL);
	scnfx_load_ok(TRAFFIC("{'name': 'a', 'count': 3, 'to': '+1'}, "
	    "{'name': 'b', 'at': '1s', 'count': 1, 'to': '+1'}, "
	    "{'name': 'c', 'at': '1h', 'count': 1, 'to': '+1'}"), &s);
	fake.mode = FAKE_ANSWER_LATER;
	tr = traffic_start(NULL, &s);
	ck_assert_int_eq(fake.holds, 3);
	clock_virtual_advance(fake.clock, 2 * SEC);
	ck_assert_uint_eq(fake.nreq, 4);
	fake.req[0].answered = fake.req[1].answered = 1;
	fake.out -= 2;
	fake.req[0].cb(0, NULL, "connection refused", fake.req[0].arg);
	fake.req[1].cb(503, body, NULL, fake.req[1].arg);
	fake_answer(2);
	r = traffic_results(tr, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r[0].failed, 1);
	ck_assert_uint_eq(r[0].answered, 2);
	ck_assert_uint_eq(r[0].refused, 1);
	ck_assert_uint_eq(r[0].codes[0].code, 503);
	ck_assert_uint_eq(r[0].accepted, 1);
	ck_assert_int_eq(r[0].done, 1);
	ck_assert_int_eq(r[1].done, 0);
	ck_assert_int_eq(fake.holds, 2);
	ck_assert_str_eq(fake.notes[2],
	    "traffic a done: 1 accepted, 1 refused (503 x1), 1 failed");
	ck_assert(!traffic_done(tr));
	traffic_free(tr);
	fake_answer(3);		/* b's, after the free: dropped */
	json_decref(body);
	scenario_release(&s);
	fake_teardown();
}
END_TEST

/* ---- the runtime, SMPP against a real carrier ---- */

START_TEST(test_smpp_real_carrier)
{
	struct scenario			 s;
	struct carrier_store		*store;
	struct carrier_env		 env;
	struct traffic			*tr;
	const struct traffic_result	*r;
	char				 err[256];
	size_t				 n;
	int64_t				 deadline;

	fake_setup(CLOCK_MODE_REAL);
	scnfx_load_ok("{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:0'], "
	    "'receipt_delay': '5ms', 'accounts': [{'system_id': 'esme', "
	    "'password': 'pw'}]}], 'traffic': [{'name': 'bulk', 'via': "
	    "'smpp', 'carrier': 'a', 'count': 20, 'to': {'range': "
	    "['+14155550000', '+14155550009']}, 'body': 'hello'}]}", &s);
	store = carrier_store_open(":memory:", err, sizeof err);
	ck_assert_msg(store != NULL, "%s", err);
	env = (struct carrier_env){ .base = fake.base, .clock = fake.clock,
	    .store = store, .seed = 1 };
	fake.carrier = carrier_start(&env, &s.carriers[0], err, sizeof err);
	ck_assert_msg(fake.carrier != NULL, "%s", err);
	tr = traffic_start(NULL, &s);
	deadline = clock_now(fake.clock) + 10 * SEC;
	while (!traffic_done(tr) && clock_now(fake.clock) < deadline)
		event_base_loop(fake.base, EVLOOP_ONCE);
	ck_assert_msg(traffic_done(tr), "not done within 10 s");
	ck_assert_int_eq(fake.holds, 0);
	r = traffic_results(tr, &n);
	ck_assert_uint_eq(r[0].requested, 20);
	ck_assert_uint_eq(r[0].answered, 20);
	ck_assert_uint_eq(r[0].accepted, 20);
	ck_assert_uint_eq(r[0].refused, 0);
	ck_assert_uint_eq(r[0].failed, 0);
	ck_assert_uint_eq(r[0].receipts, 20);
	ck_assert_uint_eq(r[0].receipts_delivered, 20);
	ck_assert_ptr_nonnull(strstr(fake.notes[0],
	    "traffic bulk started: 20 messages over SMPP to a (127.0.0.1:"));
	ck_assert_str_eq(fake.notes[fake.nnotes - 1],
	    "traffic bulk done: 20 accepted, 0 refused");
	traffic_free(tr);
	carrier_free(fake.carrier);
	carrier_store_close(store);
	scenario_release(&s);
	fake_teardown();
}
END_TEST

/* A carrier that is not running: every message failed, noted. */
START_TEST(test_smpp_no_carrier)
{
	struct scenario			 s;
	struct traffic			*tr;
	const struct traffic_result	*r;
	size_t				 n;

	fake_setup(CLOCK_MODE_VIRTUAL);
	scnfx_load_ok(TRAFFIC("{'name': 'x', 'via': 'smpp', 'carrier': 'a', "
	    "'count': 5, 'to': '+1'}"), &s);
	tr = traffic_start(NULL, &s);
	run_virtual(tr, 10);
	ck_assert(traffic_done(tr));
	r = traffic_results(tr, &n);
	ck_assert_uint_eq(r[0].failed, 5);
	ck_assert_int_eq(fake.holds, 0);
	ck_assert_str_eq(fake.notes[0],
	    "traffic x failed: carrier a is not running");
	traffic_free(tr);
	scenario_release(&s);
	fake_teardown();
}
END_TEST

static Suite *
traffic_suite(void)
{
	Suite	*s = suite_create("traffic");
	TCase	*tc = tcase_create("traffic");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_load_api_keys);
	tcase_add_test(tc, test_load_defaults);
	tcase_add_test(tc, test_load_smpp);
	tcase_add_test(tc, test_load_explain_round_trip);
	tcase_add_loop_test(tc, test_load_bad, 0, sizeof bad / sizeof bad[0]);
	tcase_add_loop_test(tc, test_body_expand, 0,
	    sizeof bodies / sizeof bodies[0]);
	tcase_add_test(tc, test_body_expand_cut);
	tcase_add_test(tc, test_to_cycling);
	tcase_add_test(tc, test_api_paced);
	tcase_add_test(tc, test_api_burst_cap);
	tcase_add_test(tc, test_api_sink_host);
	tcase_add_test(tc, test_api_failures);
	tcase_add_test(tc, test_smpp_real_carrier);
	tcase_add_test(tc, test_smpp_no_carrier);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(traffic_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
