/*
 * scenarios/expect: reading "expect" items (each subject and measure,
 * each kind of error with its exact message and path) and evaluating
 * them against a real gateway store file filled with rows, a fake
 * engine on a virtual clock (its callbacks, its API answering canned
 * JSON) and a fake traffic generator's counts.
 *
 * JSON in this file is written with ' for " (see scnfx_json()).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <sqlite3.h>

#include "carriers/carrier.h"
#include "carriers/store.h"
#include "common/clock.h"
#include "gateway/store.h"
#include "scenarios/expect-internal.h"
#include "scenarios/expect.h"
#include "scenarios/run.h"
#include "scenarios/scenario.h"
#include "scenarios/traffic.h"
#include "tests/unit/gw_fixture.h"
#include "tests/unit/scn_fixture.h"

#define MS	INT64_C(1000)
#define SEC	(1000 * MS)
#define MIN	(60 * SEC)
#define START	(INT64_C(1767225600) * SEC)
#define SINK	"http://127.0.0.1:9/status"

#define AC0	"AC00000000000000000000000000000000"
#define MG0	"MG00000000000000000000000000000000"
/* One carrier "a", one account, one service, a traffic generator
 * "otp", then the expect items x. */
#define SCN(x) \
	"{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']}], " \
	"'accounts': [{'sid': '" AC0 "', 'auth_token': 'tok'}], " \
	"'numbers': [{'number': '+14155550100', 'account': '" AC0 "'}], " \
	"'services': [{'sid': '" MG0 "', 'account': '" AC0 "', " \
	"'senders': ['+14155550100']}], " \
	"'traffic': [{'name': 'otp', 'count': 5, 'service': '" MG0 "', " \
	"'to': '+14155550123', 'body': 'code {seq}'}], 'expect': [" x "]}"

/* ---- the loader ---- */

START_TEST(test_load_messages_ratio)
{
	struct scenario			 s;
	const struct scenario_expect	*x;

	scnfx_load_ok(SCN("{'messages': {'status': 'delivered'}, "
	    "'ratio': '>= 0.9', 'why': 'most arrive'}"), &s);
	ck_assert_uint_eq(s.nexpect, 1);
	x = &s.expect[0];
	ck_assert_int_eq(x->at, EXPECT_AT_END);
	ck_assert_int_eq(x->subject, EXPECT_SUBJECT_MESSAGES);
	ck_assert_int_eq(x->measure, EXPECT_MEASURE_RATIO);
	ck_assert_int_eq(x->cmp.op, EXPECT_OP_GE);
	ck_assert_double_eq(x->cmp.value, 0.9);
	ck_assert_uint_eq(x->filter.statuses, 1u << 5);	/* delivered */
	ck_assert_str_eq(x->name, "messages{status=delivered} ratio");
	ck_assert_str_eq(x->why, "most arrive");
	scenario_release(&s);
}
END_TEST

START_TEST(test_load_filter_keys)
{
	struct scenario			 s;
	const struct expect_filter	*f;

	scnfx_load_ok(SCN("{'at': '6m', 'messages': {'status': ['queued', "
	    "'sending'], 'error_code': [30003, null], 'direction': "
	    "'outbound', 'sender_kind': 'short_code', 'carrier': 'a', "
	    "'service': '" MG0 "', 'from': '55555', 'to': '+1415*', "
	    "'traffic': 'otp', 'rerouted': true, 'fallback': false, "
	    "'created_between': ['1m', '11m'], 'sent_between': ['0s', "
	    "'2h'], 'encoding': 'UCS-2', 'segments': 2, 'media': false, "
	    "'shortened': true}, 'count': 0}"), &s);
	f = &s.expect[0].filter;
	ck_assert_int_eq(s.expect[0].at, 6 * MIN);
	ck_assert_uint_eq(f->statuses, (1u << 2) | (1u << 3));
	ck_assert_uint_eq(f->nerror_codes, 1);
	ck_assert_int_eq(f->error_codes[0], 30003);
	ck_assert_int_eq(f->error_none, 1);
	ck_assert_int_eq(f->direction, 0);
	ck_assert_int_eq(f->sender_kind, GATEWAY_SENDER_SHORT_CODE);
	ck_assert_str_eq(f->carrier, "a");
	ck_assert_str_eq(f->service, MG0);
	ck_assert_str_eq(f->to, "+1415*");
	ck_assert_int_eq(f->rerouted, 1);
	ck_assert_int_eq(f->fallback, 0);
	ck_assert_int_eq(f->created.set, 1);
	ck_assert_int_eq(f->created.from, 1 * MIN);
	ck_assert_int_eq(f->created.to, 11 * MIN);
	ck_assert_int_eq(f->sent.to, 120 * MIN);
	ck_assert_int_eq(f->encoding, 1);
	ck_assert_int_eq(f->segments, 2);
	ck_assert_int_eq(f->media, 0);
	ck_assert_int_eq(f->shortened, 1);
	ck_assert_int_eq(s.expect[0].cmp.op, EXPECT_OP_EQ);
	ck_assert_double_eq(s.expect[0].cmp.value, 0);
	/* The made name says every key, cut to fit. */
	ck_assert_uint_eq(strlen(s.expect[0].name), EXPECT_NAME_MAX - 1);
	ck_assert_msg(strncmp(s.expect[0].name, "messages{status=queued|"
	    "sending,error_code=30003|null,direction=outbound,sender_kind="
	    "short_code,carrier=a,service=" MG0 ",from=55555,to=+1415*,"
	    "traffic=otp,rerouted=true,fallback=false,created_between=1m..11m,"
	    "sent_between=0s..2h,encoding=UCS-2", 231) == 0, "%s",
	    s.expect[0].name);
	scenario_release(&s);
}
END_TEST

START_TEST(test_load_other_subjects)
{
	struct scenario			 s;
	const struct scenario_expect	*x;

	scnfx_load_ok(SCN("{'messages': {}, 'latency': {'to': 'delivered', "
	    "'percentile': 95}, 'value': '<= 5s'}, "
	    "{'callbacks': {'traffic': 'otp'}, 'in_order': true}, "
	    "{'pdus': {'carrier': 'a', 'command': 'submit_sm_resp', "
	    "'status': 'ESME_RTHROTTLED', 'dir': 'out'}, 'count': '>= 1'}, "
	    "{'traffic': 'otp', 'codes': {'21610': '>= 1', '21211': 0}}, "
	    "{'at': '6m', 'send': {'to': '+14155550123', 'service': '" MG0
	    "'}, 'error_code': 21610, 'status': 400}, "
	    "{'no_message_lost': true, 'name': 'nothing lost'}"), &s);
	ck_assert_uint_eq(s.nexpect, 6);
	x = &s.expect[0];
	ck_assert_int_eq(x->measure, EXPECT_MEASURE_LATENCY);
	ck_assert_int_eq(x->latency.to, EXPECT_LATENCY_DELIVERED);
	ck_assert_double_eq(x->latency.percentile, 95);
	ck_assert_int_eq(x->latency.bound.op, EXPECT_OP_LE);
	ck_assert_double_eq(x->latency.bound.value, 5 * SEC);
	ck_assert_str_eq(x->name, "messages latency");
	x = &s.expect[1];
	ck_assert_int_eq(x->measure, EXPECT_MEASURE_IN_ORDER);
	ck_assert_str_eq(x->name, "callbacks{traffic=otp} in_order");
	x = &s.expect[2];
	ck_assert_int_eq(x->subject, EXPECT_SUBJECT_PDUS);
	ck_assert_str_eq(x->pdus.command, "submit_sm_resp");
	ck_assert_int_eq(x->pdus.status_set, 1);
	ck_assert_uint_eq(x->pdus.status, 0x58);
	ck_assert_int_eq(x->pdus.dir, 1);
	ck_assert_str_eq(x->name, "pdus{carrier=a,command=submit_sm_resp,"
	    "status=ESME_RTHROTTLED,dir=out} count");
	x = &s.expect[3];
	ck_assert_uint_eq(x->ncodes, 2);
	ck_assert_uint_eq(x->codes[0].code, 21610);
	ck_assert_uint_eq(x->codes[1].code, 21211);
	ck_assert_str_eq(x->name, "traffic{name=otp} codes");
	x = &s.expect[4];
	ck_assert_int_eq(x->measure, EXPECT_MEASURE_ANSWER);
	ck_assert_int_eq(x->answer_code, 21610);
	ck_assert_int_eq(x->answer_status, 400);
	/* The service's account, and its token for the request. */
	ck_assert_str_eq(x->send.account, AC0);
	ck_assert_str_eq(x->send.token, "tok");
	ck_assert_str_eq(x->send.body, "carrierlab expect");
	ck_assert_str_eq(x->name, "send{to=+14155550123,service=" MG0 "} "
	    "error_code,status");
	ck_assert_int_eq(s.expect[5].subject, EXPECT_SUBJECT_NO_MESSAGE_LOST);
	ck_assert_str_eq(s.expect[5].name, "nothing lost");
	scenario_release(&s);
}
END_TEST

/* --explain's JSON of the expect items loads back to the same items. */
START_TEST(test_load_explain_round_trip)
{
	struct scenario	s, t;
	size_t		i;

	scnfx_load_ok(SCN("{'messages': {'status': 'delivered', "
	    "'error_code': null, 'created_between': ['1m', '2m']}, "
	    "'ratio': 0.5}, "
	    "{'messages': {'to': '+1*'}, 'latency': {}, 'value': '< 250ms'}, "
	    "{'traffic': 'otp', 'refused': '!= 3'}, "
	    "{'send': {'to': '+14155550123', 'from': '+14155550100'}, "
	    "'status': 201}, {'pdus': {}, 'count': '> 2'}"), &s);
	scnfx_explain_round_trip(&s, &t);
	ck_assert_uint_eq(t.nexpect, s.nexpect);
	for (i = 0; i < s.nexpect; i++) {
		ck_assert_str_eq(t.expect[i].name, s.expect[i].name);
		ck_assert_int_eq(t.expect[i].cmp.op, s.expect[i].cmp.op);
		ck_assert_double_eq(t.expect[i].cmp.value,
		    s.expect[i].cmp.value);
		ck_assert_int_eq(t.expect[i].measure, s.expect[i].measure);
	}
	scenario_release(&t);
	scenario_release(&s);
}
END_TEST

static const struct {
	const char	*items;
	const char	*path;
	const char	*reason;
} load_errors[] = {
	{ "{'count': 1}", "expect[0]", "needs a subject: messages, callbacks, "
	  "pdus, traffic, send or no_message_lost" },
	{ "{'messages': {}}", "expect[0]", "needs a measure for messages: "
	  "count, ratio, latency" },
	{ "{'messages': {}, 'callbacks': {}, 'count': 1}",
	  "expect[0].callbacks", "an expectation has one subject (it already "
	  "has 'messages')" },
	{ "{'messages': {}, 'count': 1, 'ratio': 1}", "expect[0].ratio",
	  "an expectation has one measure (it already has 'count')" },
	{ "{'pdus': {'carrier': 'a'}, 'ratio': '>= 0.5'}", "expect[0].ratio",
	  "does not apply to pdus (count does)" },
	{ "{'traffic': 'otp', 'count': 1}", "expect[0].count",
	  "does not apply to traffic (accepted, refused, codes do)" },
	{ "{'messages': {}, 'in_order': true}", "expect[0].in_order",
	  "does not apply to messages (count, ratio, latency do)" },
	{ "{'send': {'to': '+1', 'from': '+14155550100'}, 'count': 1}",
	  "expect[0].count", "does not apply to send (error_code, status do)" },
	{ "{'messages': {'status': 'deliverd'}, 'count': 1}",
	  "expect[0].messages.status", "'deliverd' is not a message status "
	  "(accepted, scheduled, queued, sending, sent, delivered, "
	  "undelivered, failed, receiving, received, canceled, read, "
	  "partially_delivered)" },
	{ "{'messages': {'status': ['sent', 7]}, 'count': 1}",
	  "expect[0].messages.status[1]", "must be a message status (accepted, "
	  "scheduled, queued, sending, sent, delivered, undelivered, failed, "
	  "receiving, received, canceled, read, partially_delivered)" },
	{ "{'messages': {'stauts': 'sent'}, 'count': 1}",
	  "expect[0].messages.stauts", "unknown key (did you mean 'status'?)" },
	{ "{'messages': {'error_code': 'x'}, 'count': 1}",
	  "expect[0].messages.error_code", "must be an integer between 1 and "
	  "99999" },
	{ "{'messages': {'sender_kind': 'long'}, 'count': 1}",
	  "expect[0].messages.sender_kind", "must be long_code, short_code, "
	  "toll_free or alphanumeric" },
	{ "{'messages': {'direction': 'out'}, 'count': 1}",
	  "expect[0].messages.direction", "must be 'outbound' or 'inbound'" },
	{ "{'messages': {'sent_between': ['2m', '1m']}, 'count': 1}",
	  "expect[0].messages.sent_between", "the window ends before it "
	  "starts" },
	{ "{'messages': {'created_between': ['1m']}, 'count': 1}",
	  "expect[0].messages.created_between", "must be two durations "
	  "[from, to] after the start" },
	{ "{'messages': {'carrier': 'zz'}, 'count': 1}",
	  "expect[0].messages.carrier", "'zz' is not a route or carrier of "
	  "this scenario" },
	{ "{'messages': {'service': 'MG11111111111111111111111111111111'}, "
	  "'count': 1}", "expect[0].messages.service",
	  "MG11111111111111111111111111111111 is not a service of this "
	  "scenario" },
	{ "{'callbacks': {'traffic': 'nope'}, 'count': 1}",
	  "expect[0].callbacks.traffic", "'nope' is not a traffic generator "
	  "of this scenario" },
	{ "{'traffic': 'nope', 'accepted': 1}", "expect[0].traffic",
	  "'nope' is not a traffic generator of this scenario" },
	{ "{'pdus': {'carrier': 'b'}, 'count': 1}", "expect[0].pdus.carrier",
	  "'b' is not a carrier of this scenario" },
	{ "{'pdus': {'command': 'submit'}, 'count': 1}",
	  "expect[0].pdus.command", "'submit' is not an SMPP command (such as "
	  "submit_sm or submit_sm_resp)" },
	{ "{'pdus': {'status': 'THROTTLED'}, 'count': 1}",
	  "expect[0].pdus.status", "must be an SMPP status name such as "
	  "ESME_RTHROTTLED" },
	{ "{'messages': {}, 'count': '>> 1'}", "expect[0].count",
	  "'>> 1': the value must be a number" },
	{ "{'messages': {}, 'count': 'lots'}", "expect[0].count",
	  "'lots': not a comparison (an operator ==, !=, >=, <=, > or < and "
	  "a value)" },
	{ "{'messages': {}, 'count': true}", "expect[0].count",
	  "must be a comparison such as '>= 0.9'" },
	{ "{'messages': {}, 'ratio': '>= 1.5'}", "expect[0].ratio",
	  "a ratio is between 0 and 1" },
	{ "{'messages': {}, 'latency': {'to': 'sent'}}",
	  "expect[0]", "a latency needs 'value', its bound ('<= 5s')" },
	{ "{'messages': {}, 'count': 1, 'value': '<= 5s'}",
	  "expect[0].value", "only a latency has a value ('count' holds its "
	  "own comparison)" },
	{ "{'messages': {}, 'latency': {}, 'value': '<= 5'}",
	  "expect[0].value", "'<= 5': the value must be a duration "
	  "such as 5s or 250ms" },
	{ "{'messages': {}, 'latency': {'to': 'read'}, 'value': '<= 5s'}",
	  "expect[0].latency.to", "must be 'sent', 'delivered', 'final' or "
	  "'callback'" },
	{ "{'messages': {}, 'latency': {'percentile': 10}, 'value': '<= 5s'}",
	  "expect[0].latency.percentile", "must be between 50 and 100" },
	{ "{'at': 'soon', 'messages': {}, 'count': 1}", "expect[0].at",
	  "'soon' is not a duration (a number and a unit: 250ms, 1.5s, 5m, 4h, "
	  "90d)" },
	{ "{'at': true, 'messages': {}, 'count': 1}", "expect[0].at",
	  "must be 'end' or a duration such as '6m'" },
	{ "{'no_message_lost': false}", "expect[0].no_message_lost",
	  "must be true (leave the key out for no such check)" },
	{ "{'no_message_lost': true, 'count': 1}", "expect[0].count",
	  "no_message_lost is its own measure: leave out 'count'" },
	{ "{'send': {'to': '+14155550123'}, 'error_code': 21610}",
	  "expect[0].send", "needs one of 'service' and 'from'" },
	{ "{'send': {'from': '+14155550100'}, 'error_code': 21610}",
	  "expect[0].send.to", "required" },
	{ "{'send': {'to': '+1', 'from': '+1', 'account': "
	  "'AC11111111111111111111111111111111'}, 'status': 400}",
	  "expect[0].send.account", "AC11111111111111111111111111111111 is not "
	  "an account of this scenario" },
	{ "{'send': {'to': '+1', 'from': '+1'}, 'status': 99}",
	  "expect[0].status", "must be an integer between 100 and 599" },
	{ "{'traffic': 'otp', 'codes': {'x': 1}}", "expect[0].codes.x",
	  "must be an error code: a Twilio error code or an SMPP "
	  "command_status, in decimal" },
	{ "{'traffic': 'otp', 'codes': {}}", "expect[0].codes",
	  "must be an object of codes and comparisons, such as {'21610': "
	  "'>= 1'}" },
	{ "{'callbacks': {}, 'in_order': false}", "expect[0].in_order",
	  "must be true (leave the key out for no such check)" },
	{ "{'messages': {}, 'count': 1, 'whatever': 1}", "expect[0].whatever",
	  "unknown key" },
};

START_TEST(test_load_errors)
{
	char *q;

	ck_assert_int_ne(asprintf(&q, SCN("%s"), load_errors[_i].items), -1);
	scnfx_load_fails(q, load_errors[_i].path, load_errors[_i].reason);
	free(q);
}
END_TEST

START_TEST(test_match_pattern)
{
	ck_assert_int_eq(expect_match_pattern("", "anything"), 1);
	ck_assert_int_eq(expect_match_pattern("+1415*", "+14155550100"), 1);
	ck_assert_int_eq(expect_match_pattern("+1415*", "+14165550100"), 0);
	ck_assert_int_eq(expect_match_pattern("*abc", "ababc"), 1);
	ck_assert_int_eq(expect_match_pattern("a*b*c", "axxbyyc"), 1);
	ck_assert_int_eq(expect_match_pattern("a*b*c", "axxbyy"), 0);
	ck_assert_int_eq(expect_match_pattern("*", ""), 1);
	ck_assert_int_eq(expect_match_pattern("a*", ""), 0);
	ck_assert_int_eq(expect_match_pattern("ab", "abc"), 0);
	ck_assert_int_eq(expect_match_pattern("abc", "ab"), 0);
}
END_TEST

START_TEST(test_cmp_parse)
{
	struct expect_cmp	cmp;
	char			why[128], text[64];

	ck_assert_int_eq(expect_cmp_parse(" >=0.9 ", 0, &cmp, why, sizeof why),
	    0);
	ck_assert_int_eq(cmp.op, EXPECT_OP_GE);
	ck_assert_int_eq(expect_cmp_holds(&cmp, 0.9), 1);
	ck_assert_int_eq(expect_cmp_holds(&cmp, 0.89), 0);
	expect_cmp_format(&cmp, text, sizeof text);
	ck_assert_str_eq(text, ">= 0.9");
	ck_assert_int_eq(expect_cmp_parse("7", 0, &cmp, why, sizeof why), 0);
	ck_assert_int_eq(cmp.op, EXPECT_OP_EQ);
	ck_assert_int_eq(expect_cmp_parse("< 1.5s", 1, &cmp, why, sizeof why),
	    0);
	ck_assert_double_eq(cmp.value, 1500 * MS);
	expect_cmp_format(&cmp, text, sizeof text);
	ck_assert_str_eq(text, "< 1500ms");
	ck_assert_int_eq(expect_cmp_parse("!= 2", 0, &cmp, why, sizeof why),
	    0);
	ck_assert_int_eq(expect_cmp_holds(&cmp, 2), 0);
	ck_assert_int_eq(expect_cmp_parse(">", 0, &cmp, why, sizeof why), -1);
	ck_assert_str_eq(why, "a value must follow the operator");
	ck_assert_int_eq(expect_cmp_parse("== nan", 0, &cmp, why, sizeof why),
	    -1);
}
END_TEST

/* ---- the fake engine ---- */

struct traffic {
	struct traffic_result	 res[1];
	struct scenario_traffic	 t;
	char			 sids[8][40];
};

struct engine {
	struct event_base	*base;
	struct clock		*clock;
	struct scenario		 s;
	char			 dir[512];
	char			 db[600];
	struct engine_callback	 cbs[32];
	size_t			 ncbs;
	/* The API: what it was asked, what it answers. */
	int			 api_status;
	const char		*api_body;
	char			 api_path[256];
	char			 api_form[512];
	char			 api_account[64];
	char			 api_token[64];
	int			 api_calls;
	struct traffic		 traffic;
	struct carrier		*carrier;	/* NULL: none runs */
};

static struct engine E;

struct clock *
engine_clock(struct engine *e)
{
	return e->clock;
}

const struct scenario *
engine_scenario(struct engine *e)
{
	return &e->s;
}

int64_t
engine_start_time(struct engine *e)
{
	return START;
}

int64_t
engine_elapsed(struct engine *e)
{
	return clock_now(e->clock) - START;
}

size_t
engine_ncarriers(struct engine *e)
{
	return e->carrier != NULL ? 1 : 0;
}

struct carrier *
engine_carrier_at(struct engine *e, size_t i)
{
	return i == 0 ? e->carrier : NULL;
}

const char *
engine_gateway_db(struct engine *e)
{
	return e->db;
}

void
engine_store_sync(struct engine *e)
{
}

const char *
engine_sink_url(struct engine *e)
{
	return SINK;
}

const struct engine_callback *
engine_callbacks(struct engine *e, size_t *n)
{
	*n = e->ncbs;
	return e->cbs;
}

void
engine_form_add(struct evbuffer *buf, const char *name, const char *value)
{
	char *enc = evhttp_uriencode(value, -1, 1);

	evbuffer_add_printf(buf, "%s%s=%s", evbuffer_get_length(buf) > 0 ?
	    "&" : "", name, enc);
	free(enc);
}

struct api_call {
	struct clock_timer	*timer;
	engine_http_cb		 cb;
	void			*arg;
};

/* The answer comes from the loop, as a real request's would. */
static void
api_answer(struct clock_timer *t, void *arg)
{
	struct api_call	*call = arg;
	json_t		*body = json_loads(E.api_body, 0, NULL);

	clock_timer_free(call->timer);
	call->cb(E.api_status, body, E.api_status == 0 ? "refused" : NULL,
	    call->arg);
	json_decref(body);
	free(call);
}

void
engine_api_request(struct engine *e, const char *method, const char *path,
    const char *account, const char *token, const char *form,
    engine_http_cb cb, void *arg)
{
	struct api_call *call = calloc(1, sizeof *call);

	ck_assert_str_eq(method, "POST");
	snprintf(e->api_path, sizeof e->api_path, "%s", path);
	snprintf(e->api_form, sizeof e->api_form, "%s", form);
	snprintf(e->api_account, sizeof e->api_account, "%s", account);
	snprintf(e->api_token, sizeof e->api_token, "%s", token);
	e->api_calls++;
	call->cb = cb;
	call->arg = arg;
	call->timer = clock_timer_new(e->clock, api_answer, call);
	clock_timer_add(call->timer, 20 * MS);
}

const struct traffic_result *
traffic_results(const struct traffic *t, size_t *n)
{
	*n = 1;
	return t->res;
}

/* ---- the store ---- */

static void
sql(const char *q)
{
	sqlite3	*db;
	char	*err = NULL;

	ck_assert_int_eq(sqlite3_open(E.db, &db), SQLITE_OK);
	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
		ck_abort_msg("%s: %s", q, err);
	sqlite3_close(db);
}

#define SID(n)	"SM0000000000000000000000000000000" #n

/* A message created at created seconds after the start. */
static void
message(const char *sid, const char *status, int error, const char *from,
    int64_t created, int64_t sent, const char *extra_cols,
    const char *extra_vals)
{
	char *q, err[16];

	snprintf(err, sizeof err, error != 0 ? "%d" : "NULL", error);
	ck_assert_int_ne(asprintf(&q, "INSERT INTO messages (sid, "
	    "account_sid, service_sid, \"to\", \"from\", body, status, "
	    "direction, error_code, date_created, date_updated, date_sent, "
	    "validity_period, num_segments, num_media, media, data_coding, "
	    "smart_encoded, attempt, route, parts%s) VALUES ('%s', '" AC0 "', "
	    "'" MG0 "', '+14155550123', '%s', 'hi', '%s', 'outbound-api', %s, "
	    "%lld, %lld, %s, 36000, 1, 0, '[]', 0, 0, 0, 'a', '[]'%s)",
	    extra_cols, sid, from, status, err, (long long)(START + created),
	    (long long)(START + created), sent == 0 ? "NULL" : "?",
	    extra_vals), -1);
	if (sent != 0) {
		char *p = strstr(q, "?"), *r;

		*p = '\0';
		ck_assert_int_ne(asprintf(&r, "%s%lld%s", q,
		    (long long)(START + sent), p + 1), -1);
		free(q);
		q = r;
	}
	sql(q);
	free(q);
}

static void
event(const char *sid, const char *status, int64_t at)
{
	char *q;

	ck_assert_int_ne(asprintf(&q, "INSERT INTO message_events (sid, "
	    "status, at) VALUES ('%s', '%s', %lld)", sid, status,
	    (long long)(START + at)), -1);
	sql(q);
	free(q);
}

static void
callback(const char *sid, const char *status, int error, int64_t at)
{
	struct engine_callback *cb = &E.cbs[E.ncbs++];

	snprintf(cb->message_sid, sizeof cb->message_sid, "%s", sid);
	snprintf(cb->status, sizeof cb->status, "%s", status);
	cb->error_code = error;
	cb->at = at;
	cb->params = json_pack("{s:s, s:s}", "To", "+14155550123", "From",
	    "+14155550100");
}

static void
cb_click(const char *sid, int64_t at)
{
	struct engine_callback *cb = &E.cbs[E.ncbs++];

	cb->at = at;
	cb->params = json_pack("{s:s, s:s, s:s, s:s}", "event_type", "click",
	    "sms_sid", sid, "to", "+14155550123", "from", "+14155550100");
}

/*
 * Five messages of generator "otp":
 *   1 delivered, long code, created 1s, sent 2s, delivered 3s
 *   2 delivered, long code, created 1s, sent 2s, delivered 11s
 *   3 undelivered 30003, short code, created 2s, sent 3s
 *   4 failed 30007 after a reroute, created 2s, never sent
 *   5 sending after a fallback, UCS-2, 2 segments, media, a short link
 * (and 2 an MMS converted to SMS, 3's body "You are unsubscribed").
 */
static void
store_fill(void)
{
	message(SID(1), "delivered", 0, "+14155550100", 1 * SEC, 2 * SEC,
	    ", status_callback", ", '" SINK "/otp'");
	message(SID(2), "delivered", 0, "+14155550100", 1 * SEC, 2 * SEC,
	    "", "");
	message(SID(3), "undelivered", 30003, "55555", 2 * SEC, 3 * SEC, "",
	    "");
	sql("UPDATE messages SET body = 'You are unsubscribed' WHERE sid = '"
	    SID(3) "'");
	/* 2 was an MMS the MMS Converter sent as an SMS with a link. */
	sql("UPDATE messages SET num_media = 1 WHERE sid = '" SID(2) "';"
	    "INSERT INTO objects (kind, key, account_sid, parent, created, "
	    "body) VALUES ('media_link', 'm1', '" AC0 "', '" SID(2) "', 0, "
	    "'{}')");
	message(SID(4), "failed", 30007, "+14155550100", 2 * SEC, 0,
	    ", selection", ", 'capable: 2 of 2\nshort code: carrier a of "
	    "+14155550123 takes no short codes -> reroute to a long code'");
	message(SID(5), "sending", 0, "+14155550100", 3 * SEC, 0,
	    ", selection", ", 'scaler: 1 candidate\nfallback: short code 55555 "
	    "undelivered (30003) -> long code'");
	sql("UPDATE messages SET data_coding = 8, num_segments = 2, "
	    "num_media = 1 WHERE sid = '" SID(5) "';"
	    "INSERT INTO objects (kind, key, account_sid, parent, created, "
	    "body) VALUES ('link', 'abc', '" AC0 "', '" SID(5) "', 0, '{}')");
	event(SID(1), "queued", 1 * SEC);
	event(SID(1), "sent", 2 * SEC);
	event(SID(1), "delivered", 3 * SEC);
	event(SID(2), "sent", 2 * SEC);
	event(SID(2), "delivered", 11 * SEC);
	event(SID(3), "sent", 3 * SEC);
	event(SID(3), "undelivered", 4 * SEC);
	event(SID(4), "failed", 2500 * MS);
	event(SID(5), "sending", 3 * SEC);
}

static void
traffic_fill(void)
{
	struct traffic_result	*r = &E.traffic.res[0];
	int			 i;

	snprintf(E.traffic.t.name, sizeof E.traffic.t.name, "otp");
	r->t = &E.traffic.t;
	for (i = 0; i < 5; i++)
		snprintf(E.traffic.sids[i], sizeof E.traffic.sids[i],
		    "SM000000000000000000000000000000%02d", i + 1);
	r->sids = E.traffic.sids;
	r->nsids = 5;
	r->requested = 7;
	r->answered = 7;
	r->accepted = 5;
	r->refused = 2;
	r->codes[0].code = 21610;
	r->codes[0].count = 2;
	r->ncodes = 1;
	r->done = 1;
}

static void
engine_setup(void)
{
	char		 err[256];
	struct gw_store	*st;

	memset(&E, 0, sizeof E);
	E.base = event_base_new();
	E.clock = clock_new(E.base, CLOCK_MODE_VIRTUAL, START + 60 * SEC, 1);
	gwfx_tmpdir("test_expect", E.dir, sizeof E.dir, E.db, sizeof E.db);
	/* The gateway's own schema, then rows written straight in. */
	st = gw_store_open(E.base, E.db, 0, err, sizeof err);
	ck_assert_msg(st != NULL, "%s", err);
	gw_store_close(st);
	store_fill();
	traffic_fill();
}

static void
engine_teardown(void)
{
	size_t i;

	for (i = 0; i < E.ncbs; i++)
		json_decref(E.cbs[i].params);
	clock_free(E.clock);
	event_base_free(E.base);
	gwfx_tmpdir_remove(E.dir, E.db);
}

static void
done_cb(void *arg)
{
	(*(int *)arg)++;
}

/* Loads the one item q, evaluates it and waits for done (in virtual
 * time, a bounded number of steps). */
static void
eval(const char *q, struct expect_result *r)
{
	char	*scn;
	int	 done = 0, steps;

	ck_assert_int_ne(asprintf(&scn, SCN("%s"), q), -1);
	scnfx_load_ok(scn, &E.s);
	free(scn);
	expect_eval(&E, &E.traffic, &E.s.expect[0], r, done_cb, &done);
	ck_assert_int_eq(done, 0);	/* from the loop, not from here */
	for (steps = 0; done == 0 && steps < 10; steps++)
		clock_virtual_step(E.clock);
	ck_assert_int_eq(done, 1);
	ck_assert_ptr_eq(r->x, &E.s.expect[0]);
	scenario_release(&E.s);
}

/* ---- evaluation ---- */

START_TEST(test_eval_ratio)
{
	struct expect_result r;

	eval("{'messages': {'status': 'delivered'}, 'ratio': '>= 0.9'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_int_eq(r.at, 60 * SEC);
	ck_assert_str_eq(r.what, "messages{status=delivered} ratio");
	ck_assert_str_eq(r.expected, "ratio >= 0.9");
	ck_assert_str_eq(r.actual, "0.400 (2 of 5)");
	ck_assert_str_eq(r.detail, SID(3) ": undelivered 30003\n"
	    SID(4) ": failed 30007\n" SID(5) ": sending");
	eval("{'messages': {'status': 'delivered'}, 'ratio': '>= 0.4'}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.detail, "");
	/* 0 of 0 is no ratio at all. */
	eval("{'messages': {'to': '+1999*', 'status': 'delivered'}, "
	    "'ratio': '>= 0'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "no messages matched");
}
END_TEST

static const struct {
	const char	*filter;
	const char	*count;
} count_cases[] = {
	{ "{}", "5" },
	{ "{'status': ['queued', 'sending']}", "1" },
	{ "{'error_code': null}", "3" },
	{ "{'error_code': [30003, 30007]}", "2" },
	{ "{'status': 'delivered', 'error_code': null}", "2" },
	{ "{'direction': 'outbound'}", "5" },
	{ "{'direction': 'inbound'}", "0" },
	{ "{'sender_kind': 'short_code'}", "1" },
	{ "{'sender_kind': 'long_code'}", "4" },
	{ "{'carrier': 'a'}", "5" },
	{ "{'service': '" MG0 "'}", "5" },
	{ "{'from': '5555*'}", "1" },
	{ "{'to': '+14155550123'}", "5" },
	{ "{'to': '+1416*'}", "0" },
	{ "{'traffic': 'otp'}", "5" },
	{ "{'rerouted': true}", "1" },
	{ "{'rerouted': false}", "4" },
	{ "{'fallback': true}", "1" },
	{ "{'created_between': ['0s', '1500ms']}", "2" },
	{ "{'sent_between': ['2s', '2s']}", "2" },
	{ "{'sent_between': ['0s', '1h']}", "3" },
	{ "{'encoding': 'UCS-2'}", "1" },
	{ "{'encoding': 'GSM-7'}", "4" },
	{ "{'segments': 2}", "1" },
	{ "{'media': true}", "1" },
	{ "{'media': false}", "4" },
	{ "{'shortened': true}", "2" },
	{ "{'shortened': false, 'status': 'delivered'}", "1" },
	{ "{'body': '*unsubscribed*'}", "1" },
	{ "{'body': 'hi'}", "4" },
	{ "{'body': '*'}", "5" },
};

START_TEST(test_eval_count)
{
	struct expect_result	 r;
	char			*q;

	ck_assert_int_ne(asprintf(&q, "{'messages': %s, 'count': '>= 0'}",
	    count_cases[_i].filter), -1);
	eval(q, &r);
	free(q);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, count_cases[_i].count);
}
END_TEST

START_TEST(test_eval_count_fails)
{
	struct expect_result r;

	eval("{'messages': {'status': ['queued', 'sending']}, 'count': 0, "
	    "'why': 'nothing stuck'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.expected, "count == 0");
	ck_assert_str_eq(r.actual, "1");
	ck_assert_str_eq(r.detail, SID(5) ": sending");
	/* Zero matched satisfies "== 0". */
	eval("{'messages': {'status': 'queued'}, 'count': '== 0'}", &r);
	ck_assert_int_eq(r.passed, 1);
}
END_TEST

START_TEST(test_eval_latency)
{
	struct expect_result r;

	eval("{'messages': {'status': 'delivered'}, 'latency': {'to': "
	    "'delivered', 'percentile': 50}, 'value': '<= 5s'}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.expected, "latency p50 <= 5s (created to "
	    "delivered)");
	ck_assert_str_eq(r.actual, "p50 2.000s (2 of 2 messages reached "
	    "delivered)");
	eval("{'messages': {}, 'latency': {'to': 'delivered'}, 'value': "
	    "'<= 5s'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "p100 10.000s (2 of 5 messages reached "
	    "delivered)");
	ck_assert_str_eq(r.detail, SID(2) ": 10.000s");
	eval("{'messages': {}, 'latency': {'to': 'sent'}, 'value': '< 1500ms'}",
	    &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "p100 1.000s (3 of 5 messages reached "
	    "sent)");
	/* final: the last terminal event of a message that is final. */
	eval("{'messages': {}, 'latency': {'to': 'final', 'from': 'created'}, "
	    "'value': '<= 500ms'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "p100 10.000s (4 of 5 messages reached "
	    "final)");
	eval("{'messages': {'status': 'sending'}, 'latency': {'to': "
	    "'delivered'}, 'value': '<= 5s'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "none of 1 messages reached delivered");
	/* Nearest rank over 0.5s, 2s, 2s, 10s: p75 is the third, p80 the
	 * fourth. */
	eval("{'messages': {}, 'latency': {'percentile': 75}, 'value': "
	    "'<= 2s'}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "p75 2.000s (4 of 5 messages reached "
	    "final)");
	eval("{'messages': {}, 'latency': {'percentile': 80}, 'value': "
	    "'<= 2s'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "p80 10.000s (4 of 5 messages reached "
	    "final)");
}
END_TEST

START_TEST(test_eval_latency_callback)
{
	struct expect_result r;

	/* Callback times are since the start; message 1 created at 1s. */
	callback(SID(1), "sent", 0, 2 * SEC);
	callback(SID(1), "delivered", 0, 4 * SEC);
	eval("{'messages': {'status': 'delivered'}, 'latency': {'to': "
	    "'callback'}, 'value': '<= 3s'}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "p100 3.000s (1 of 2 messages reached "
	    "callback)");
}
END_TEST

START_TEST(test_eval_callbacks)
{
	struct expect_result r;

	callback(SID(1), "queued", 0, 1 * SEC);
	callback(SID(3), "sent", 0, 2 * SEC);
	callback(SID(1), "sent", 0, 2 * SEC);
	callback(SID(3), "undelivered", 30003, 3 * SEC);
	/* The fallback's second attempt starts again at queued. */
	callback(SID(3), "queued", 0, 3 * SEC);
	callback(SID(1), "delivered", 0, 3 * SEC);
	eval("{'callbacks': {}, 'in_order': true}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "0 of 2 messages out of order");
	callback(SID(3), "sending", 0, 4 * SEC);
	callback(SID(3), "queued", 0, 5 * SEC);
	callback(SID(3), "sent", 0, 5 * SEC);
	eval("{'callbacks': {}, 'in_order': true}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "1 of 2 messages out of order");
	ck_assert_str_eq(r.detail, SID(3) ": queued after sending");
	eval("{'callbacks': {'status': ['delivered', 'undelivered']}, "
	    "'count': 2}", &r);
	ck_assert_int_eq(r.passed, 1);
	eval("{'callbacks': {'error_code': 30003, 'traffic': 'otp'}, "
	    "'ratio': '>= 0.5'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "0.111 (1 of 9)");
	eval("{'callbacks': {'to': '+1999*'}, 'ratio': '>= 0.5'}", &r);
	ck_assert_str_eq(r.actual, "no callbacks matched");
	/* A link click event: sms_sid, to, from; no place in the order. */
	cb_click(SID(1), 6 * SEC);
	eval("{'callbacks': {'event_type': 'click', 'traffic': 'otp', "
	    "'to': '+1415*'}, 'count': 1}", &r);
	ck_assert_int_eq(r.passed, 1);
	eval("{'callbacks': {'event_type': 'status'}, 'count': 9}", &r);
	ck_assert_int_eq(r.passed, 1);
	eval("{'callbacks': {'event_type': 'click'}, 'count': 0}", &r);
	ck_assert_str_eq(r.detail, SID(1) ": click");
	eval("{'callbacks': {}, 'in_order': true}", &r);
	ck_assert_str_eq(r.actual, "1 of 2 messages out of order");
	/* The sink's own check of X-Twilio-Signature. */
	E.cbs[0].signature_ok = 1;
	eval("{'callbacks': {'signed': true}, 'count': 1}", &r);
	ck_assert_int_eq(r.passed, 1);
	eval("{'callbacks': {'signed': false}, 'count': 0}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "9");
	ck_assert_str_eq(r.what, "callbacks{signed=false} count");
}
END_TEST

START_TEST(test_eval_no_message_lost)
{
	struct expect_result r;

	eval("{'no_message_lost': true}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.expected, "no message lost");
	ck_assert_str_eq(r.actual, "2 lost of 5 accepted");
	/* 1 went to the sink and its delivered callback never came. */
	ck_assert_str_eq(r.detail, SID(1) ": no final status callback "
	    "(delivered)\n" SID(5) ": not final (sending)");
	callback(SID(1), "delivered", 0, 4 * SEC);
	sql("UPDATE messages SET status = 'delivered' WHERE sid = '" SID(5)
	    "'");
	eval("{'no_message_lost': true}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "0 lost of 5 accepted");
	/* A sid the store never had. */
	snprintf(E.traffic.sids[5], sizeof E.traffic.sids[5], "%s", SID(9));
	E.traffic.res[0].nsids = 6;
	eval("{'no_message_lost': true}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.detail, SID(9) ": not in the store");
}
END_TEST

START_TEST(test_eval_send)
{
	struct expect_result r;

	E.api_status = 400;
	E.api_body = "{\"code\": 21610, \"message\": \"Attempt to send to "
	    "unsubscribed recipient\", \"status\": 400}";
	eval("{'at': '6m', 'send': {'to': '+14155550123', 'service': '" MG0
	    "', 'body': 'again?'}, 'error_code': 21610}", &r);
	ck_assert_int_eq(E.api_calls, 1);
	ck_assert_str_eq(E.api_path, "/2010-04-01/Accounts/" AC0
	    "/Messages.json");
	ck_assert_str_eq(E.api_form, "To=%2B14155550123&MessagingServiceSid="
	    MG0 "&Body=again%3F");
	ck_assert_str_eq(E.api_account, AC0);
	ck_assert_str_eq(E.api_token, "tok");
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.expected, "error_code 21610");
	ck_assert_str_eq(r.actual, "status 400, error_code 21610");
	eval("{'send': {'to': '+14155550123', 'from': '+14155550100'}, "
	    "'status': 201}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.detail, "Attempt to send to unsubscribed "
	    "recipient");
	E.api_status = 201;
	E.api_body = "{\"sid\": \"" SID(7) "\", \"status\": \"accepted\"}";
	eval("{'send': {'to': '+14155550123', 'from': '+14155550100'}, "
	    "'status': 201, 'error_code': 0}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "status 201, no error_code, " SID(7));
	E.api_status = 0;
	E.api_body = "";
	eval("{'send': {'to': '+14155550123', 'from': '+14155550100'}, "
	    "'status': 201}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "no answer: refused");
}
END_TEST

START_TEST(test_eval_traffic)
{
	struct expect_result r;

	eval("{'traffic': 'otp', 'accepted': '>= 5'}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "5 of 7 requested (5 accepted, 2 refused, "
	    "0 failed)");
	eval("{'traffic': 'otp', 'refused': 0}", &r);
	ck_assert_int_eq(r.passed, 0);
	eval("{'traffic': 'otp', 'codes': {'21610': '>= 1', '21211': 0}}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.expected, "codes 21610 >= 1, 21211 == 0");
	ck_assert_str_eq(r.actual, "21610 x2, 21211 x0");
	eval("{'traffic': 'otp', 'codes': {'21610': 1}}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.detail, "refused 21610 x2");
}
END_TEST

START_TEST(test_eval_pdus_none)
{
	struct expect_result r;

	/* The fake engine runs no carrier: nothing captured. */
	eval("{'pdus': {'command': 'submit_sm_resp'}, 'count': '>= 1'}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "0");
}
END_TEST

/* bind_transceiver as system_id "test" with password pw (4 letters). */
static void
bind_send(struct bufferevent *bev, const char *pw, uint32_t seq)
{
	unsigned char	pdu[31] = {
		0, 0, 0, 31, 0, 0, 0, 9, 0, 0, 0, 0,
		(unsigned char)(seq >> 24), (unsigned char)(seq >> 16),
		(unsigned char)(seq >> 8), (unsigned char)seq,
		't', 'e', 's', 't', 0, 0, 0, 0, 0, 0, 0, 0x34, 0, 0, 0,
	};

	memcpy(pdu + 21, pw, 4);
	bufferevent_write(bev, pdu, sizeof pdu);
}

static int64_t
captured(void)
{
	json_t		*binds = carrier_binds_json(E.carrier), *b;
	size_t		 i;
	int64_t		 n = 0;

	json_array_foreach(binds, i, b)
		n += json_integer_value(json_object_get(b, "captured"));
	json_decref(binds);
	return n;
}

static void
deadline_fire(struct clock_timer *t, void *arg)
{
	*(int *)arg = 1;
}

/* A real carrier on loopback, two binds to it (one with a wrong
 * password): the PDUs it captured, counted by the expectation. */
START_TEST(test_eval_pdus_carrier)
{
	struct carrier_store	*store;
	struct carrier_profile	*p = calloc(1, sizeof *p);
	struct carrier_env	 env = { E.base, E.clock, NULL, 7 };
	struct bufferevent	*bev[2];
	struct clock		*real = clock_new(E.base, CLOCK_MODE_REAL, 0,
				    1);
	struct clock_timer	*t;
	struct expect_result	 r;
	struct sockaddr_storage	 ss;
	const char		*addr[1];
	char			 err[256];
	int			 tls[1], sslen = sizeof ss, expired = 0, i;

	store = carrier_store_open(":memory:", err, sizeof err);
	ck_assert_msg(store != NULL, "%s", err);
	env.store = store;
	carrier_profile_default(p);
	snprintf(p->name, sizeof p->name, "a");
	snprintf(p->listen[0].address, sizeof p->listen[0].address,
	    "127.0.0.1:0");
	p->nlisten = 1;
	E.carrier = carrier_start(&env, p, err, sizeof err);
	ck_assert_msg(E.carrier != NULL, "%s", err);
	ck_assert_uint_eq(carrier_listen_addresses(E.carrier, addr, tls, 1),
	    1);
	ck_assert_int_eq(evutil_parse_sockaddr_port(addr[0],
	    (struct sockaddr *)&ss, &sslen), 0);
	for (i = 0; i < 2; i++) {
		bev[i] = bufferevent_socket_new(E.base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
		ck_assert_int_eq(bufferevent_socket_connect(bev[i],
		    (struct sockaddr *)&ss, sslen), 0);
		bind_send(bev[i], i == 0 ? "test" : "nope", (uint32_t)i + 1);
	}
	/* Two binds in, two answers out; a real deadline of 5 s. */
	t = clock_timer_new(real, deadline_fire, &expired);
	clock_timer_add(t, 5 * SEC);
	while (captured() < 4 && !expired)
		event_base_loop(E.base, EVLOOP_ONCE);
	ck_assert_int_eq(captured(), 4);
	eval("{'pdus': {'carrier': 'a', 'command': "
	    "'bind_transceiver_resp', 'dir': 'out'}, 'count': 2}", &r);
	ck_assert_int_eq(r.passed, 1);
	eval("{'pdus': {'status': 'ESME_RINVPASWD'}, 'count': '>= 1'}", &r);
	ck_assert_int_eq(r.passed, 1);
	ck_assert_str_eq(r.actual, "1");
	eval("{'pdus': {'dir': 'in'}, 'count': 0}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "2");
	/* Bound binds are listed before closed ones, whichever came first. */
	ck_assert_ptr_nonnull(strstr(r.detail, "a bind 1 capture 1"));
	ck_assert_ptr_nonnull(strstr(r.detail, "a bind 2 capture 1"));
	eval("{'pdus': {'status': 'ESME_RTHROTTLED'}, 'count': '>= 1'}", &r);
	ck_assert_int_eq(r.passed, 0);
	for (i = 0; i < 2; i++)
		bufferevent_free(bev[i]);
	clock_timer_free(t);
	carrier_free(E.carrier);
	E.carrier = NULL;
	carrier_profile_release(p);
	free(p);
	carrier_store_close(store);
	clock_free(real);
}
END_TEST

START_TEST(test_eval_store_missing)
{
	struct expect_result r;

	snprintf(E.db, sizeof E.db, "%s/nothing/here.db", E.dir);
	eval("{'messages': {}, 'count': 1}", &r);
	ck_assert_int_eq(r.passed, 0);
	ck_assert_str_eq(r.actual, "cannot read the gateway's store: unable "
	    "to open database file");
	snprintf(E.db, sizeof E.db, "%s/gateway.db", E.dir);
}
END_TEST

static Suite *
expect_suite(void)
{
	Suite	*s = suite_create("expect");
	TCase	*tc = tcase_create("load");
	TCase	*ev = tcase_create("eval");

	tcase_add_test(tc, test_load_messages_ratio);
	tcase_add_test(tc, test_load_filter_keys);
	tcase_add_test(tc, test_load_other_subjects);
	tcase_add_test(tc, test_load_explain_round_trip);
	tcase_add_loop_test(tc, test_load_errors, 0,
	    sizeof load_errors / sizeof load_errors[0]);
	tcase_add_test(tc, test_cmp_parse);
	tcase_add_test(tc, test_match_pattern);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ev, engine_setup, engine_teardown);
	tcase_add_test(ev, test_eval_ratio);
	tcase_add_loop_test(ev, test_eval_count, 0,
	    sizeof count_cases / sizeof count_cases[0]);
	tcase_add_test(ev, test_eval_count_fails);
	tcase_add_test(ev, test_eval_latency);
	tcase_add_test(ev, test_eval_latency_callback);
	tcase_add_test(ev, test_eval_callbacks);
	tcase_add_test(ev, test_eval_no_message_lost);
	tcase_add_test(ev, test_eval_send);
	tcase_add_test(ev, test_eval_traffic);
	tcase_add_test(ev, test_eval_pdus_none);
	tcase_add_test(ev, test_eval_pdus_carrier);
	tcase_add_test(ev, test_eval_store_missing);
	suite_add_tcase(s, ev);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(expect_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
