/*
 * scenarios/: the scenario loader. Good files load with exact values; bad
 * inputs fail with the exact key path and a recognisable reason; the
 * embedded default has its three carriers; --explain output loads back
 * to itself; docs/scenarios.md carries every row of the key tables and of
 * the fault and quirk tables, whose defaults all parse and whose
 * parameters show back as they were read.
 *
 * JSON in this file is written with ' for " (see scnfx_json()).
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "carriers/fault.h"
#include "gateway/names.h"
#include "scenarios/scenario.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"
#include "tests/unit/scn_fixture.h"

#define MS	INT64_C(1000)
#define SEC	(1000 * MS)
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

/* A carrier with only its required keys, then x. */
#define CARRIER(x) \
	"{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']" x "}]}"
/* A carrier, then the gateway's keys x. */
#define GW(x) \
	"{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']}], " x "}"
#define AC0	"AC00000000000000000000000000000000"
#define AC1	"AC11111111111111111111111111111111"
#define MG0	"MG00000000000000000000000000000000"
#define ACCOUNT	"'accounts': [{'sid': '" AC0 "', 'auth_token': 't'}]"
#define ACCOUNTS2 "'accounts': [{'sid': '" AC0 "', 'auth_token': 't'}, " \
	"{'sid': '" AC1 "', 'auth_token': 'u'}]"
/* A route with its required keys, then x. */
#define ROUTE(x) GW("'gateway': {'routes': [{'name': 'r', 'connect': " \
	"'127.0.0.1:1', 'system_id': 's'" x "}]}")

/* Two carriers, so paths say carriers[1]. */
#define CARRIER2(x) \
	"{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']}, " \
	"{'name': 'b', 'listen': ['127.0.0.1:2776']" x "}]}"

static char *
src_path(const char *rel)
{
	const char	*top = getenv("top_srcdir");
	char		*path;

	ck_assert_int_ne(asprintf(&path, "%s/%s", top != NULL ? top : ".",
	    rel), -1);
	return path;
}

static void
load_full(struct scenario *s)
{
	struct scenario_error	 err;
	char			*path = src_path("tests/scenarios/full.json");

	if (scenario_load_file(path, s, &err) == -1)
		scnfx_fail_with(&err, path);
	free(path);
}

START_TEST(test_full_top)
{
	struct scenario	 s;
	char		*want = src_path("tests/scenarios/run/state.db");

	load_full(&s);
	ck_assert_str_eq(s.name, "every key");
	ck_assert_uint_eq(s.seed, 42);
	ck_assert_int_eq(s.clock, CLOCK_MODE_VIRTUAL);
	ck_assert_int_eq(s.clock_start, INT64_C(1767225600) * SEC);
	ck_assert_double_eq(s.speed, 2.5);
	ck_assert_str_eq(s.http, "127.0.0.1:18080");
	ck_assert_str_eq(s.admin_token, "s3cret");
	/* Relative to the scenario file, not to the working directory. */
	ck_assert_str_eq(s.state, want);
	ck_assert_uint_eq(s.ncarriers, 2);
	free(want);
	scenario_release(&s);
}
END_TEST

START_TEST(test_full_listen_accounts)
{
	struct scenario		 s;
	struct carrier_profile	*p;

	load_full(&s);
	p = &s.carriers[0];
	ck_assert_str_eq(p->name, "alpha-mobile");
	ck_assert_str_eq(p->country, "US");
	ck_assert_uint_eq(p->seed, 7);
	ck_assert_uint_eq(p->nlisten, 3);
	ck_assert_str_eq(p->listen[0].address, "127.0.0.1:12775");
	ck_assert_int_eq(p->listen[0].tls, 0);
	ck_assert_str_eq(p->listen[1].address, "0.0.0.0:13550");
	ck_assert_int_eq(p->listen[1].tls, 1);
	ck_assert_str_eq(p->listen[1].cert, "");	/* self-signed */
	ck_assert_str_eq(p->listen[2].address, "[::1]:13551");
	ck_assert_int_eq(p->listen[2].tls, 0);
	ck_assert_uint_eq(p->naccounts, 3);
	ck_assert_str_eq(p->accounts[0].system_id, "gateway");
	ck_assert_str_eq(p->accounts[0].password, "secret");
	ck_assert_uint_eq(p->accounts[0].bind_types,
	    CARRIER_BIND_TX | CARRIER_BIND_RX);
	ck_assert_uint_eq(p->accounts[0].max_binds, 4);
	ck_assert_str_eq(p->accounts[1].password, "test");
	ck_assert_uint_eq(p->accounts[1].bind_types, CARRIER_BIND_ALL);
	ck_assert_uint_eq(p->accounts[1].max_binds, 0);
	ck_assert_str_eq(p->accounts[2].password, "");
	ck_assert_uint_eq(p->accounts[2].bind_types, CARRIER_BIND_RX);
	ck_assert_uint_eq(p->too_many_binds, SMPP_ESME_RBINDFAIL);
	scenario_release(&s);
}
END_TEST

START_TEST(test_full_capabilities)
{
	struct scenario		 s;
	struct carrier_profile	*p;

	load_full(&s);
	p = &s.carriers[0];
	/* accepts merges: only alphanumeric and mms were named. */
	ck_assert_uint_eq(p->senders,
	    CARRIER_SENDER_ALL & ~CARRIER_SENDER_ALPHANUMERIC);
	ck_assert_int_eq(p->mms, 1);
	ck_assert(carrier_profile_accepts_coding(p, 0));
	ck_assert(carrier_profile_accepts_coding(p, 8));
	ck_assert(!carrier_profile_accepts_coding(p, 1));
	ck_assert(!carrier_profile_accepts_coding(p, 3));
	ck_assert_uint_eq(p->max_length, 254);
	ck_assert_uint_eq(p->max_segments, 6);
	ck_assert_uint_eq(p->nserves, 2);
	ck_assert_str_eq(p->serves[0], "+1415");
	ck_assert_str_eq(p->serves[1], "1628");
	ck_assert_uint_eq(p->window, 10);
	ck_assert_uint_eq(p->on_window_full, SMPP_ESME_RTHROTTLED);
	ck_assert_double_eq(p->max_mps_bind, 10);
	ck_assert_double_eq(p->max_mps, 50.5);
	ck_assert_uint_eq(p->capture_limit, 0);
	scenario_release(&s);
}
END_TEST

static void
assert_outcome(const struct carrier_outcome *o, int state, double p,
    const char *err, int has_nec, unsigned type, unsigned code)
{
	ck_assert_int_eq(o->state, state);
	ck_assert_double_eq_tol(o->p, p, 1e-12);
	ck_assert_str_eq(o->err, err);
	ck_assert_int_eq(o->has_nec, has_nec);
	if (has_nec) {
		ck_assert_uint_eq(o->nec_type, type);
		ck_assert_uint_eq(o->nec_code, code);
	}
}

START_TEST(test_full_fate)
{
	struct scenario		 s;
	struct carrier_profile	*p;

	load_full(&s);
	p = &s.carriers[0];
	ck_assert_int_eq(p->submit_latency.kind, CARRIER_DIST_UNIFORM);
	ck_assert_int_eq(p->submit_latency.a, 1 * MS);
	ck_assert_int_eq(p->submit_latency.b, 5 * MS);
	ck_assert_uint_eq(p->nsubmit_errors, 2);
	ck_assert_uint_eq(p->submit_errors[0].status, SMPP_ESME_RSYSERR);
	ck_assert_double_eq(p->submit_errors[0].p, 0.01);
	ck_assert_uint_eq(p->submit_errors[1].status, SMPP_ESME_RTHROTTLED);
	/* In file order; the 0.02 left over goes to DELIVRD. */
	ck_assert_uint_eq(p->noutcomes, 4);
	assert_outcome(&p->outcomes[0], SMPP_RECEIPT_STAT_DELIVRD, 0.92,
	    "000", 0, 0, 0);
	assert_outcome(&p->outcomes[1], SMPP_RECEIPT_STAT_UNDELIV, 0.05,
	    "001", 1, 3, 1);
	assert_outcome(&p->outcomes[2], SMPP_RECEIPT_STAT_EXPIRED, 0.01,
	    "000", 0, 0, 0);
	assert_outcome(&p->outcomes[3], SMPP_RECEIPT_STAT_REJECTD, 0.02,
	    "000", 1, 3, 0x0102);
	ck_assert_int_eq(p->receipt_delay.kind, CARRIER_DIST_LOGNORMAL);
	ck_assert_int_eq(p->receipt_delay.a, 800 * MS);
	ck_assert_int_eq(p->receipt_delay.b, 6 * SEC);
	ck_assert_int_eq(p->intermediate_delay.kind,
	    CARRIER_DIST_EXPONENTIAL);
	ck_assert_int_eq(p->intermediate_delay.a, 1500 * MS);
	ck_assert_int_eq(p->default_validity, 4 * HOUR);
	scenario_release(&s);
}
END_TEST

START_TEST(test_full_rules)
{
	struct scenario			 s;
	const struct carrier_rule	*r;

	load_full(&s);
	ck_assert_uint_eq(s.carriers[0].nrules, 3);
	r = &s.carriers[0].rules[0];
	ck_assert_str_eq(r->to_prefix, "+14155550199");
	ck_assert(!r->has_to_regex && !r->has_body_regex);
	ck_assert_uint_eq(r->submit_status, 0);
	assert_outcome(&r->outcome, SMPP_RECEIPT_STAT_UNDELIV, 1, "011", 0,
	    0, 0);
	ck_assert(r->has_delay);
	ck_assert_int_eq(r->delay, 250 * MS);
	r = &s.carriers[0].rules[1];
	ck_assert(r->has_body_regex);
	ck_assert_str_eq(r->body_source, "(?i)lottery");
	/* "(?i)" means REG_ICASE. */
	ck_assert_int_eq(regexec(&r->body_regex, "You won the LOTTERY", 0,
	    NULL, 0), 0);
	ck_assert_int_ne(regexec(&r->body_regex, "lotto", 0, NULL, 0), 0);
	assert_outcome(&r->outcome, SMPP_RECEIPT_STAT_REJECTD, 1, "000", 1,
	    3, 5);
	ck_assert(!r->has_delay);
	r = &s.carriers[0].rules[2];
	ck_assert_str_eq(r->to_prefix, "+1628");
	ck_assert(r->has_to_regex);
	ck_assert_int_eq(regexec(&r->to_regex, "+16285551234", 0, NULL, 0),
	    0);
	ck_assert_int_ne(regexec(&r->to_regex, "+162855512345", 0, NULL, 0),
	    0);
	ck_assert_uint_eq(r->submit_status, SMPP_ESME_RINVDSTADR);
	ck_assert_int_eq(r->outcome.state, 0);
	scenario_release(&s);
}
END_TEST

START_TEST(test_full_sessions)
{
	struct scenario		 s;
	struct carrier_profile	*p;

	load_full(&s);
	p = &s.carriers[0];
	ck_assert_int_eq(p->resend_initial, 2 * SEC);
	ck_assert_int_eq(p->resend_max, 90 * DAY);
	ck_assert_uint_eq(p->resend_attempts, 5);
	ck_assert_int_eq(p->enquire_link_interval, 0);
	ck_assert_int_eq(p->inactivity_timeout, 5 * MIN);
	ck_assert_int_eq(p->session_init_timeout, 2500 * MS);
	ck_assert_int_eq(p->response_timeout, 1500 * MS);
	ck_assert_uint_eq(p->deliver_window, 3);
	scenario_release(&s);
}
END_TEST

/* What a carrier leaves out is carrier_profile_default()'s. */
START_TEST(test_full_defaults_kept)
{
	struct scenario		 s;
	struct carrier_profile	 d, *p;

	load_full(&s);
	carrier_profile_default(&d);
	p = &s.carriers[1];
	ck_assert_uint_eq(p->nlisten, 2);	/* two port 0: no clash */
	ck_assert_int_eq(p->submit_latency.kind, CARRIER_DIST_FIXED);
	ck_assert_int_eq(p->submit_latency.a, 30 * MS);
	ck_assert_int_eq(p->receipt_delay.a, 1500);	/* 1.5 ms */
	ck_assert_uint_eq(p->noutcomes, 2);
	assert_outcome(&p->outcomes[0], SMPP_RECEIPT_STAT_UNDELIV, 0.25,
	    "000", 0, 0, 0);
	assert_outcome(&p->outcomes[1], SMPP_RECEIPT_STAT_DELIVRD, 0.75,
	    "000", 0, 0, 0);
	ck_assert_uint_eq(p->naccounts, 1);
	ck_assert_str_eq(p->accounts[0].system_id, d.accounts[0].system_id);
	ck_assert_uint_eq(p->senders, d.senders);
	ck_assert_uint_eq(p->window, d.window);
	ck_assert_int_eq(p->enquire_link_interval, d.enquire_link_interval);
	ck_assert_int_eq(p->default_validity, d.default_validity);
	ck_assert_uint_eq(p->capture_limit, d.capture_limit);
	ck_assert_mem_eq(p->data_codings, d.data_codings,
	    sizeof d.data_codings);
	carrier_profile_release(&d);
	scenario_release(&s);
}
END_TEST

static const struct {
	const char	*text;
	int64_t		 usec;
} durations[] = {
	{ "'250ms'", 250 * MS },
	{ "'1.5s'", 1500 * MS },
	{ "'30s'", 30 * SEC },
	{ "'5m'", 5 * MIN },
	{ "'4h'", 4 * HOUR },
	{ "'90d'", 90 * DAY },
	{ "'0s'", 0 },
	{ "'10us'", 10 },
	{ "'0.5ms'", 500 },
	{ "250", 250 * MS },		/* a bare number is milliseconds */
	{ "1.5", 1500 },
};

START_TEST(test_durations)
{
	struct scenario	s;
	char		q[256];

	snprintf(q, sizeof q, CARRIER(", 'default_validity': %s"),
	    durations[_i].text);
	scnfx_load_ok(q, &s);
	ck_assert_int_eq(s.carriers[0].default_validity, durations[_i].usec);
	scenario_release(&s);
}
END_TEST

static const struct {
	const char		*text;
	enum carrier_dist_kind	 kind;
	int64_t			 a, b;
} dists[] = {
	{ "'30ms'", CARRIER_DIST_FIXED, 30 * MS, 0 },
	{ "{'fixed': '1s'}", CARRIER_DIST_FIXED, SEC, 0 },
	{ "{'uniform': ['1ms', 2]}", CARRIER_DIST_UNIFORM, MS, 2 * MS },
	{ "{'lognormal': {'median': 200, 'p99': '2s'}}",
	  CARRIER_DIST_LOGNORMAL, 200 * MS, 2 * SEC },
	{ "{'exponential': {'mean': '1m'}}", CARRIER_DIST_EXPONENTIAL,
	  MIN, 0 },
};

START_TEST(test_distributions)
{
	struct scenario	s;
	char		q[256];

	snprintf(q, sizeof q, CARRIER(", 'receipt_delay': %s"),
	    dists[_i].text);
	scnfx_load_ok(q, &s);
	ck_assert_int_eq(s.carriers[0].receipt_delay.kind, dists[_i].kind);
	ck_assert_int_eq(s.carriers[0].receipt_delay.a, dists[_i].a);
	ck_assert_int_eq(s.carriers[0].receipt_delay.b, dists[_i].b);
	scenario_release(&s);
}
END_TEST

/* Each bad input: the path the error names and words of its reason. */
static const struct {
	const char	*json;
	const char	*path;
	const char	*reason;
	int		 line, column;	/* 0: not checked */
} bad[] = {
	/* Syntax, shape and the top level. */
	{ "{\n  'carriers': [\n    {'name': 'a',, }\n  ]\n}", "",
	  "expected", 3, 18 },
	{ "{'name': 'x', 'name': 'y'}", "", "duplicate object key", 0, 0 },
	{ "['carriers']", "", "a scenario is a JSON object", 1, 1 },
	{ "{}", "carriers", "required", 0, 0 },
	{ "{'carriers': []}", "carriers", "1 to 64 carriers", 0, 0 },
	{ "{'expect': {}, 'carriers': []}", "expect",
	  "must be an array of at most 1000 expectations", 1, 2 },
	{ "{'timeline': 5, 'carriers': []}", "timeline",
	  "must be an array of at most 10000 actions", 0, 0 },
	{ "{'traffic': [{}], 'carriers': []}", "traffic[0].count",
	  "required", 1, 14 },
	{ "{'duration': '-1s', 'carriers': []}", "duration",
	  "is not a duration", 0, 0 },
	{ "{'max_duration': 0, 'carriers': []}", "max_duration",
	  "must be more than 0", 0, 0 },
	{ "{'seed': -1, 'carriers': []}", "seed", "at least 0", 0, 0 },
	{ "{'name': 5, 'carriers': []}", "name", "must be a string", 0, 0 },
	{ "{'clock': 'fast', 'carriers': []}", "clock",
	  "must be \"real\" or \"virtual\"", 0, 0 },
	{ "{'clock': {'mode': 'virtual', 'start': '2026-02-30T00:00:00Z'}}",
	  "clock.start", "UTC time", 0, 0 },
	{ "{'clock': {'speed': 0}}", "clock.speed", "more than 0", 0, 0 },
	{ "{'http': 'localhost', 'carriers': []}", "http",
	  "is not host:port", 0, 0 },
	{ "{'http': '127.0.0.1:2775', 'carriers': [{'name': 'a', "
	  "'listen': ['127.0.0.1:2775']}]}", "carriers[0].listen[0]",
	  "the http port", 0, 0 },
	/* Carrier identity and listeners. */
	{ "{'carriers': [{'name': 'a'}]}", "carriers[0].listen", "required",
	  1, 15 },
	{ "{'carriers': [{'listen': ['127.0.0.1:1']}]}", "carriers[0].name",
	  "required", 0, 0 },
	{ CARRIER2(", 'colour': 'red'"), "carriers[1].colour", "unknown key",
	  0, 0 },
	{ CARRIER(", 'recept_delay': 1"), "carriers[0].recept_delay",
	  "did you mean \"receipt_delay\"", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']}, "
	  "{'name': 'a', 'listen': ['127.0.0.1:2776']}]}",
	  "carriers[1].name", "duplicate carrier name \"a\"", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']}, "
	  "{'name': 'b', 'listen': ['127.0.0.1:2776', "
	  "{'address': '0.0.0.0:2775'}]}]}", "carriers[1].listen[1]",
	  "port 2775 is also used by carriers[0].listen[0]", 0, 0 },
	{ "{'carriers': [{'name': 'a b', 'listen': ['127.0.0.1:1']}]}",
	  "carriers[0].name", "only letters, digits", 0, 0 },
	{ "{'carriers': [{'name': "
	  "'a123456789012345678901234567890123456789012345678901234567890123',"
	  " 'listen': ['127.0.0.1:1']}]}", "carriers[0].name",
	  "at most 63 characters", 0, 0 },
	{ CARRIER(", 'country': 'USA'"), "carriers[0].country",
	  "two-letter country code", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': []}]}", "carriers[0].listen",
	  "1 to 8 listeners", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': ['localhost']}]}",
	  "carriers[0].listen[0]", "is not host:port", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:70000']}]}",
	  "carriers[0].listen[0]", "port must be 0 to 65535", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': [{'tls': true}]}]}",
	  "carriers[0].listen[0].address", "required", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': [{'address': '127.0.0.1:1',"
	  " 'tls': {'cert': '/dev/null'}}]}]}", "carriers[0].listen[0].tls",
	  "give both cert and key", 0, 0 },
	{ "{'carriers': [{'name': 'a', 'listen': [{'address': '127.0.0.1:1',"
	  " 'tls': {'cert': '/nonexistent/c.pem', 'key': '/dev/null'}}]}]}",
	  "carriers[0].listen[0].tls.cert", "cannot read /nonexistent/c.pem",
	  0, 0 },
	/* Accounts. */
	{ CARRIER(", 'accounts': [{'system_id': 'x'}, {'system_id': 'x'}]"),
	  "carriers[0].accounts[1].system_id", "duplicate system_id", 0, 0 },
	{ CARRIER(", 'accounts': [{'system_id': '0123456789abcdef'}]"),
	  "carriers[0].accounts[0].system_id", "at most 15 characters", 0,
	  0 },
	{ CARRIER(", 'accounts': [{'system_id': 'x', 'password': "
	  "'123456789'}]"), "carriers[0].accounts[0].password",
	  "at most 8 characters", 0, 0 },
	{ CARRIER(", 'accounts': [{'system_id': 'x', 'bind_types': "
	  "['tx', 'xx']}]"), "carriers[0].accounts[0].bind_types[1]",
	  "must be \"tx\", \"rx\" or \"trx\"", 0, 0 },
	{ CARRIER(", 'accounts': []"), "carriers[0].accounts",
	  "1 to 32 accounts", 0, 0 },
	{ CARRIER(", 'on_too_many_binds': 'ESME_RSYSERR'"),
	  "carriers[0].on_too_many_binds",
	  "must be ESME_RALYBND or ESME_RBINDFAIL", 0, 0 },
	/* Capabilities and flow. */
	{ CARRIER(", 'accepts': {'sms': true}"), "carriers[0].accepts.sms",
	  "unknown key", 0, 0 },
	{ CARRIER(", 'accepts': {'mms': 1}"), "carriers[0].accepts.mms",
	  "true or false", 0, 0 },
	{ CARRIER(", 'data_codings': [0, 256]"),
	  "carriers[0].data_codings[1]", "between 0 and 255", 0, 0 },
	{ CARRIER(", 'max_length': 0"), "carriers[0].max_length",
	  "between 1 and 65535", 0, 0 },
	{ CARRIER(", 'max_segments': 256"), "carriers[0].max_segments",
	  "between 0 and 255", 0, 0 },
	{ CARRIER(", 'serves': ['+1', '+1a']"), "carriers[0].serves[1]",
	  "not a number prefix", 0, 0 },
	{ CARRIER(", 'window': 0"), "carriers[0].window",
	  "between 1 and 100000", 0, 0 },
	{ CARRIER(", 'window': 1.5"), "carriers[0].window",
	  "must be an integer", 0, 0 },
	{ CARRIER(", 'on_window_full': 'ESME_RALYBND'"),
	  "carriers[0].on_window_full",
	  "must be ESME_RMSGQFUL or ESME_RTHROTTLED", 0, 0 },
	{ CARRIER(", 'max_mps': -1"), "carriers[0].max_mps",
	  "between 0 and", 0, 0 },
	{ CARRIER(", 'capture_limit': 1000001"), "carriers[0].capture_limit",
	  "between 0 and 1000000", 0, 0 },
	/* Durations and distributions. */
	{ CARRIER(", 'receipt_delay': '5 parsecs'"),
	  "carriers[0].receipt_delay", "\"5 parsecs\" is not a duration", 0,
	  0 },
	{ CARRIER(", 'default_validity': -5"), "carriers[0].default_validity",
	  "must not be negative", 0, 0 },
	{ CARRIER(", 'default_validity': true"),
	  "carriers[0].default_validity", "must be a duration", 0, 0 },
	{ CARRIER(", 'receipt_delay': {'lognormal': {'median': '2s', "
	  "'p99': '1s'}}"), "carriers[0].receipt_delay.lognormal.p99",
	  "at least the median", 0, 0 },
	{ CARRIER(", 'receipt_delay': {'lognormal': {'median': '2s'}}"),
	  "carriers[0].receipt_delay.lognormal.p99", "required", 0, 0 },
	{ CARRIER(", 'receipt_delay': {'lognormal': {'median': 0, "
	  "'p99': 1}}"), "carriers[0].receipt_delay.lognormal.median",
	  "more than 0", 0, 0 },
	{ CARRIER(", 'submit_latency': {'uniform': ['5ms', '1ms']}"),
	  "carriers[0].submit_latency.uniform", "low bound is above", 0, 0 },
	{ CARRIER(", 'submit_latency': {'uniform': ['5ms', 'x']}"),
	  "carriers[0].submit_latency.uniform[1]", "is not a duration", 0,
	  0 },
	{ CARRIER(", 'submit_latency': {'fixed': 1, 'uniform': [1, 2]}"),
	  "carriers[0].submit_latency", "exactly one of", 0, 0 },
	{ CARRIER(", 'submit_latency': {'gauss': 1}"),
	  "carriers[0].submit_latency.gauss", "unknown distribution", 0, 0 },
	{ CARRIER(", 'intermediate_delay': {'exponential': {'mean': 0}}"),
	  "carriers[0].intermediate_delay.exponential.mean", "more than 0",
	  0, 0 },
	/* Submit errors and outcomes. */
	{ CARRIER(", 'submit_errors': {'ESME_RNOPE': 0.1}"),
	  "carriers[0].submit_errors.ESME_RNOPE", "not an SMPP status", 0,
	  0 },
	{ CARRIER(", 'submit_errors': {'ESME_ROK': 0.1}"),
	  "carriers[0].submit_errors.ESME_ROK", "not an error status", 0, 0 },
	{ CARRIER(", 'submit_errors': {'ESME_RSYSERR': 0.6, "
	  "'ESME_RTHROTTLED': 0.5}"), "carriers[0].submit_errors",
	  "add up to 1.1, more than 1", 0, 0 },
	{ CARRIER2(", 'outcomes': {'DELIVRD': 1.5}"),
	  "carriers[1].outcomes.DELIVRD", "must be between 0 and 1", 0, 0 },
	{ "{\n  'carriers': [\n    {\n      'name': 'a',\n"
	  "      'listen': ['127.0.0.1:2775'],\n      'outcomes': {\n"
	  "        'DELIVRD': 2\n      }\n    }\n  ]\n}",
	  "carriers[0].outcomes.DELIVRD", "between 0 and 1", 7, 9 },
	{ CARRIER(", 'outcomes': {'UNDELIV': 0.6, 'EXPIRED': 0.5}"),
	  "carriers[0].outcomes", "more than 1", 0, 0 },
	{ CARRIER(", 'outcomes': {'ENROUTE': 0.5}"),
	  "carriers[0].outcomes.ENROUTE", "not a final outcome", 0, 0 },
	{ CARRIER(", 'outcomes': {'DELIVERED': 0.5}"),
	  "carriers[0].outcomes.DELIVERED", "is not an outcome", 0, 0 },
	{ CARRIER(", 'outcomes': {'UNDELIV': {'err': '001'}}"),
	  "carriers[0].outcomes.UNDELIV.p", "required", 0, 0 },
	{ CARRIER(", 'outcomes': {'UNDELIV': {'p': 0.1, 'err': '1'}}"),
	  "carriers[0].outcomes.UNDELIV.err", "three digits", 0, 0 },
	{ CARRIER(", 'outcomes': {'UNDELIV': {'p': 0.1, "
	  "'network_error_code': '03001'}}"),
	  "carriers[0].outcomes.UNDELIV.network_error_code", "six hex digits",
	  0, 0 },
	{ CARRIER(", 'outcomes': {'UNDELIV': {'p': 0.1, "
	  "'network_error_code': {'type': 256, 'code': 1}}}"),
	  "carriers[0].outcomes.UNDELIV.network_error_code.type",
	  "between 0 and 255", 0, 0 },
	/* Rules. */
	{ CARRIER(", 'rules': [{'body_matches': '(lottery', "
	  "'outcome': 'REJECTD'}]"), "carriers[0].rules[0].body_matches",
	  "bad regex", 0, 0 },
	{ CARRIER(", 'rules': [{'outcome': 'REJECTD'}]"),
	  "carriers[0].rules[0]", "needs a condition", 0, 0 },
	{ CARRIER(", 'rules': [{'to': '+1', 'outcome': 'REJECTD', "
	  "'submit_status': 'ESME_RSYSERR'}]"), "carriers[0].rules[0]",
	  "has both submit_status and outcome", 0, 0 },
	{ CARRIER(", 'rules': [{'to': '+1'}]"), "carriers[0].rules[0]",
	  "needs an effect", 0, 0 },
	{ CARRIER(", 'rules': [{'to': '+1', 'submit_status': 'ESME_RSYSERR', "
	  "'err': '001'}]"), "carriers[0].rules[0].err",
	  "only goes with outcome", 0, 0 },
	{ CARRIER(", 'rules': [{'to': '+1', 'submit_status': 'ESME_ROK'}]"),
	  "carriers[0].rules[0].submit_status", "not an error status", 0, 0 },
	{ CARRIER(", 'rules': [{'to': 'abc', 'outcome': 'UNDELIV'}]"),
	  "carriers[0].rules[0].to", "not a number prefix", 0, 0 },
	{ CARRIER(", 'rules': [{'to': '+1', 'outcome': 'ENROUTE'}]"),
	  "carriers[0].rules[0].outcome", "not a final outcome", 0, 0 },
	/* A compiled regex in carriers[0] must be freed (ASan watches). */
	{ "{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:1'], 'rules': "
	  "[{'to_matches': '^1', 'body_matches': 'x', 'outcome': 'UNDELIV'}"
	  "]}, {'name': 'b', 'listen': ['127.0.0.1:2'], 'rules': "
	  "[{'to_matches': '^1', 'outcome': 'UNDELIV'}, {'to_matches': '['"
	  ", 'outcome': 'UNDELIV'}]}]}", "carriers[1].rules[1].to_matches",
	  "bad regex", 0, 0 },
	/* Faults and quirks on from the start. */
	{ CARRIER(", 'faults': {}"), "carriers[0].faults",
	  "must be an array of at most 16 faults", 0, 0 },
	{ CARRIER(", 'faults': ['blackhole']"), "carriers[0].faults[0]",
	  "must be {\"name\": FAULT", 0, 0 },
	{ CARRIER(", 'faults': [{'status': 'ESME_RSYSERR'}]"),
	  "carriers[0].faults[0].name", "required", 0, 0 },
	{ CARRIER2(", 'faults': [{'name': 'blackhole'}, {'name': 'nope'}]"),
	  "carriers[1].faults[1].name", "unknown fault \"nope\" (faults: "
	  "refuse_binds, close_listener, drop_after_bind", 0, 0 },
	{ CARRIER(", 'faults': [{'name': 5}]"), "carriers[0].faults[0].name",
	  "must be the name of a fault", 0, 0 },
	{ CARRIER(", 'faults': [{'name': 'drop_connections'}]"),
	  "carriers[0].faults[0].name", "drop_connections acts once", 0, 0 },
	{ CARRIER(", 'faults': [{'name': 'latency'}, {'name': 'latency'}]"),
	  "carriers[0].faults[1].name", "duplicate fault \"latency\" (also "
	  "faults[0])", 0, 0 },
	{ CARRIER(", 'faults': [{'name': 'submit_errors', 'share': 1.5}]"),
	  "carriers[0].faults[0].share", "must be a number between 0 and 1",
	  0, 0 },
	{ CARRIER(", 'faults': [{'name': 'refuse_binds', 'status': "
	  "'ESME_RNOPE'}]"), "carriers[0].faults[0].status",
	  "must be an SMPP status name", 0, 0 },
	{ CARRIER(", 'faults': [{'name': 'refuse_binds', 'satus': 1}]"),
	  "carriers[0].faults[0].satus", "unknown parameter (refuse_binds "
	  "takes status, for)", 0, 0 },
	{ CARRIER(", 'faults': [{'name': 'blackhole', 'for': 0}]"),
	  "carriers[0].faults[0].for", "must be more than 0", 0, 0 },
	{ "{\n  'carriers': [{'name': 'a', 'listen': ['127.0.0.1:1'],\n"
	  "    'faults': [{'name': 'latency',\n"
	  "                'add': {'uniform': ['1s', 'x']}}]}]}",
	  "carriers[0].faults[0].add.uniform[1]", "\"x\" is not a duration",
	  4, 43 },
	{ CARRIER(", 'faults': [{'name': 'latency', 'add': {'lognormal': "
	  "{'median': '2s', 'p99': '1s'}}}]"),
	  "carriers[0].faults[0].add.lognormal", "p99 must be at least the "
	  "median", 0, 0 },
	{ CARRIER(", 'quirks': []"), "carriers[0].quirks",
	  "must be an object", 0, 0 },
	{ CARRIER(", 'quirks': {'message_ids': true}"),
	  "carriers[0].quirks.message_ids", "unknown quirk \"message_ids\" "
	  "(quirks: message_id, receipt_id_format", 0, 0 },
	{ CARRIER(", 'quirks': {'no_receipt_tlvs': false}"),
	  "carriers[0].quirks.no_receipt_tlvs", "must be true or an object",
	  0, 0 },
	{ CARRIER(", 'quirks': {'message_id': {'format': 'octal'}}"),
	  "carriers[0].quirks.message_id.format", "must be \"decimal\", "
	  "\"hex\", \"HEX\", \"padded\" or \"uuid\"", 0, 0 },
	{ CARRIER(", 'quirks': {'vendor_tlvs': {'tlvs': [{'tag': '0x1403', "
	  "'value': '01'}, {'tag': '0x0001', 'value': '01'}]}}"),
	  "carriers[0].quirks.vendor_tlvs.tlvs[1].tag", "must be a vendor "
	  "TLV tag, 0x1400 to 0x3FFF", 0, 0 },
	{ CARRIER(", 'quirks': {'vendor_tlvs': {'tlvs': [{'tag': 5123, "
	  "'value': '01', 'len': 1}]}}"),
	  "carriers[0].quirks.vendor_tlvs.tlvs[0].len", "unknown key", 0, 0 },
	{ CARRIER(", 'quirks': {'stat_words': {'DELIVRD': ''}}"),
	  "carriers[0].quirks.stat_words.DELIVRD", "must be 1 to 15 "
	  "characters", 0, 0 },
	{ CARRIER(", 'quirks': {'stat_words': {'DELIVERED': 'X'}}"),
	  "carriers[0].quirks.stat_words.DELIVERED", "unknown parameter", 0,
	  0 },
	/* A key that looks like a path is still one key. */
	{ CARRIER(", 'faults': [{'name': 'latency', 'add': {'a.b[1]': 1}}]"),
	  "carriers[0].faults[0].add.a.b[1]", "unknown distribution", 0, 0 },
	/* Accounts. */
	{ GW("'accounts': {}"), "accounts", "must be an array of at most 100 "
	  "accounts", 0, 0 },
	{ GW("'accounts': [{'auth_token': 't'}]"), "accounts[0].sid",
	  "required", 0, 0 },
	{ GW("'accounts': [{'sid': 'AC123', 'auth_token': 't'}]"),
	  "accounts[0].sid", "must be AC and 32 hex digits", 0, 0 },
	{ GW("'accounts': [{'sid': 'MG00000000000000000000000000000000', "
	  "'auth_token': 't'}]"), "accounts[0].sid", "must be AC", 0, 0 },
	{ GW("'accounts': [{'sid': '" AC0 "'}]"), "accounts[0].auth_token",
	  "required", 0, 0 },
	{ GW("'accounts': [{'sid': '" AC0 "', 'auth_token': ''}]"),
	  "accounts[0].auth_token", "must not be empty", 0, 0 },
	{ GW("'accounts': [{'sid': '" AC0 "', 'auth_token': 't'}, "
	  "{'sid': '" AC0 "', 'auth_token': 'u'}]"), "accounts[1].sid",
	  "duplicate sid " AC0 " (also accounts[0])", 0, 0 },
	{ GW("'accounts': [{'sid': '" AC0 "', 'auth_token': 't', "
	  "'friendly_name': 'x', 'colour': 1}]"), "accounts[0].colour",
	  "unknown key", 0, 0 },
	{ GW("'accounts': [{'sid': '" AC0 "', 'auth_token': 't', "
	  "'api_keys': [{'sid': 'SK00000000000000000000000000000000'}]}]"),
	  "accounts[0].api_keys[0].secret", "required", 0, 0 },
	{ GW("'accounts': [{'sid': '" AC0 "', 'auth_token': 't', "
	  "'api_keys': [{'sid': 'AC00000000000000000000000000000000', "
	  "'secret': 's'}]}]"), "accounts[0].api_keys[0].sid",
	  "must be SK and 32 hex digits", 0, 0 },
	{ GW("'accounts': [{'sid': '" AC0 "', 'auth_token': 't', "
	  "'api_keys': [{'sid': 'SK00000000000000000000000000000000', "
	  "'secret': 's'}]}, {'sid': '" AC1 "', 'auth_token': 'u', "
	  "'api_keys': [{'sid': 'SK00000000000000000000000000000000', "
	  "'secret': 's'}]}]"), "accounts[1].api_keys[0]",
	  "duplicate sid SK00000000000000000000000000000000 (also "
	  "accounts[0].api_keys[0])", 0, 0 },
	/* Numbers. */
	{ GW(ACCOUNT ", 'numbers': [{'kind': 'long_code'}]"),
	  "numbers[0].number", "required", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+1415555010a'}]"),
	  "numbers[0].number", "must be an E.164 number", 0, 0 },
	{ GW(ACCOUNT ", 'countries': {'gb': {}}"), "countries.gb",
	  "\"gb\" is not an upper-case two-letter country code", 0, 0 },
	{ GW(ACCOUNT ", 'countries': {'GB': {'alpha': 1}}"),
	  "countries.GB.alpha", "must be true or false", 0, 0 },
	{ GW(ACCOUNT ", 'countries': {'GB': {'alpha': true, 'regs': 1}}"),
	  "countries.GB.regs", "unknown key", 0, 0 },
	{ GW(ACCOUNT ", 'countries': ['GB']"), "countries",
	  "must be an object of country codes", 0, 0 },
	{ GW(ACCOUNT ", 'gateway': {'fallback_codes': [30003, 21610]}"),
	  "gateway.fallback_codes[1]", "between 30001 and 30999", 0, 0 },
	{ GW(ACCOUNT ", 'gateway': {'fallback_codes': 30003}"),
	  "gateway.fallback_codes", "array of at most 15 error codes", 0,
	  0 },
	{ GW(ACCOUNT ", 'gateway': {'sticky_ttl': '0s'}"),
	  "gateway.sticky_ttl", "more than 0", 0, 0 },
	{ GW(ACCOUNT ", 'services': [{'sid': "
	  "'MG00000000000000000000000000000001', "
	  "'destination_alpha_senders': [{'alpha_sender': '12345'}]}]"),
	  "services[0].destination_alpha_senders[0].alpha_sender",
	  "is not an alphanumeric sender", 0, 0 },
	{ GW(ACCOUNT ", 'services': [{'sid': "
	  "'MG00000000000000000000000000000001', "
	  "'destination_alpha_senders': [{'iso_country_code': 'IN'}]}]"),
	  "services[0].destination_alpha_senders[0].alpha_sender",
	  "required", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '12'}]"),
	  "numbers[0].number", "a short code (3 to 8 digits)", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': 'TOOLONGSENDER'}]"),
	  "numbers[0].number", "alphanumeric sender (up to 11", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'kind': 'short_code'}]"), "numbers[0].kind",
	  "\"+14155550100\" is a long_code, not a short_code", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'kind': 'mobile'}]"), "numbers[0].kind", "must be long_code, "
	  "short_code, toll_free or alphanumeric", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '55555'}]"),
	  "numbers[0].country", "required for a short code", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': 'ACME'}]"),
	  "numbers[0].country", "required for an alphanumeric sender", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+99955501000'}]"),
	  "numbers[0].country", "no country is known for the calling code "
	  "of +99955501000", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'country': 'USA'}]"), "numbers[0].country",
	  "two-letter country code", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'capabilities': ['SMS', 'Fax']}]"), "numbers[0].capabilities[1]",
	  "must be \"SMS\", \"MMS\" or \"Voice\"", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'capabilities': []}]"), "numbers[0].capabilities",
	  "non-empty array", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': 'ACME', 'country': 'GB', "
	  "'capabilities': ['SMS', 'MMS']}]"), "numbers[0].capabilities",
	  "an alphanumeric sender has SMS only", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'sid': 'SC00000000000000000000000000000000'}]"), "numbers[0].sid",
	  "a long_code's sid starts with PN", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'sid': 'PN0000'}]"), "numbers[0].sid", "must be PN, SC or AI", 0,
	  0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'sms_url': 'ftp://example.com/'}]"), "numbers[0].sms_url",
	  "is not an http:// or https:// URL", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'sms_url': 'https://'}]"), "numbers[0].sms_url",
	  "is not an http:// or https:// URL", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', "
	  "'sms_method': 'PUT'}]"), "numbers[0].sms_method",
	  "must be \"GET\" or \"POST\"", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100'}, "
	  "{'number': '+14155550100'}]"), "numbers[1].number",
	  "duplicate number \"+14155550100\" (also numbers[0])", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', 'sid': "
	  "'PN00000000000000000000000000000000'}, {'number': '+14155550101', "
	  "'sid': 'PN00000000000000000000000000000000'}]"), "numbers[1].sid",
	  "duplicate sid PN00000000000000000000000000000000 (also "
	  "numbers[0])", 0, 0 },
	{ GW("'numbers': [{'number': '+14155550100'}]"), "numbers[0]",
	  "no account to own it", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100', 'account': '"
	  AC1 "'}]"), "numbers[0].account", "no account " AC1 " in "
	  "\"accounts\"", 0, 0 },
	/* The path of a check across lists is found in the text too. */
	{ "{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']}],\n"
	  " 'numbers': [\n  {'number': '+14155550100',\n   'account': '"
	  AC1 "'}],\n " ACCOUNT "}", "numbers[0].account", "no account", 4,
	  4 },
	/* Services. */
	{ GW(ACCOUNT ", 'services': [{'friendly_name': 'x'}]"),
	  "services[0].sid", "required", 0, 0 },
	{ GW(ACCOUNT ", 'services': [{'sid': '" MG0 "', 'validity_period': "
	  "0}]"), "services[0].validity_period", "between 1 and 36000", 0,
	  0 },
	{ GW(ACCOUNT ", 'services': [{'sid': '" MG0 "', 'usecase': 'spam'}]"),
	  "services[0].usecase", "must be notifications, marketing", 0, 0 },
	{ GW(ACCOUNT ", 'services': [{'sid': '" MG0 "', 'sticky_sender': "
	  "'yes'}]"), "services[0].sticky_sender", "true or false", 0, 0 },
	{ GW(ACCOUNT ", 'services': [{'sid': '" MG0 "'}, {'sid': '" MG0
	  "'}]"), "services[1].sid", "duplicate sid " MG0, 0, 0 },
	{ GW(ACCOUNT ", 'services': [{'sid': '" MG0 "', 'account': '" AC1
	  "'}]"), "services[0].account", "no account " AC1, 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100'}], "
	  "'services': [{'sid': '" MG0 "', 'senders': ['+14155550100', "
	  "'+14155550199']}]"), "services[0].senders[1]",
	  "\"+14155550199\" is not a number or sid of \"numbers\"", 0, 0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100'}], "
	  "'services': [{'sid': '" MG0 "', 'senders': [5]}]"),
	  "services[0].senders[0]", "must be a string", 0, 0 },
	{ GW(ACCOUNTS2 ", 'numbers': [{'number': '+14155550100', "
	  "'account': '" AC1 "'}], 'services': [{'sid': '" MG0 "', "
	  "'senders': ['+14155550100']}]"), "services[0].senders[0]",
	  "numbers[0] belongs to account " AC1 ", the service to " AC0, 0,
	  0 },
	{ GW(ACCOUNT ", 'numbers': [{'number': '+14155550100'}], "
	  "'services': [{'sid': '" MG0 "', 'senders': ['+14155550100']}, "
	  "{'sid': 'MG11111111111111111111111111111111', 'senders': "
	  "['+14155550100']}]"), "services[1].senders[0]",
	  "is also services[0].senders[0]", 0, 0 },
	/* The gateway. */
	{ GW("'gateway': []"), "gateway", "must be an object", 0, 0 },
	{ GW("'gateway': {'route': []}"), "gateway.route",
	  "did you mean \"routes\"", 0, 0 },
	{ GW("'gateway': {'synchronous': 'extra'}"), "gateway.synchronous",
	  "must be \"off\", \"normal\" or \"full\"", 0, 0 },
	{ GW("'gateway': {'max_body': '1 MiB'}"), "gateway.max_body",
	  "must be a size such as", 0, 0 },
	{ GW("'gateway': {'max_body': 100}"), "gateway.max_body",
	  "between 1KiB and 1GiB", 0, 0 },
	{ GW("'gateway': {'max_body': '2GiB'}"), "gateway.max_body",
	  "between 1KiB and 1GiB", 0, 0 },
	{ GW("'gateway': {'api_max_pending': 0}"), "gateway.api_max_pending",
	  "between 1 and 1000000", 0, 0 },
	{ GW("'gateway': {'callbacks': {'timeout': 0}}"),
	  "gateway.callbacks.timeout", "more than 0", 0, 0 },
	{ GW("'gateway': {'callbacks': {'retries': 101}}"),
	  "gateway.callbacks.retries", "between 0 and 100", 0, 0 },
	{ GW("'gateway': {'callbacks': {'backoff': '10m'}}"),
	  "gateway.callbacks", "backoff_max is below backoff", 0, 0 },
	{ GW("'gateway': {'routes': {}}"), "gateway.routes",
	  "must be an array of at most 64 routes", 0, 0 },
	{ GW("'gateway': {'routes': [{'name': 'r', 'system_id': 's'}]}"),
	  "gateway.routes[0].connect", "required", 0, 0 },
	{ GW("'gateway': {'routes': [{'name': 'r', 'connect': '127.0.0.1:1'}"
	  "]}"), "gateway.routes[0].system_id", "required", 0, 0 },
	{ GW("'gateway': {'routes': [{'name': 'r', 'connect': 'nowhere', "
	  "'system_id': 's'}]}"), "gateway.routes[0].connect",
	  "is not host:port", 0, 0 },
	{ GW("'gateway': {'routes': [{'name': 'r', 'connect': '127.0.0.1:1', "
	  "'system_id': 's'}, {'name': 'r', 'connect': '127.0.0.1:2', "
	  "'system_id': 's'}]}"), "gateway.routes[1].name",
	  "duplicate route name \"r\" (also gateway.routes[0])", 0, 0 },
	{ ROUTE(", 'password': '123456789'"), "gateway.routes[0].password",
	  "at most 8 characters", 0, 0 },
	{ ROUTE(", 'bind': 'tx'"), "gateway.routes[0].bind",
	  "must be \"trx\" or \"tx+rx\"", 0, 0 },
	{ ROUTE(", 'sessions': 0"), "gateway.routes[0].sessions",
	  "between 1 and 64", 0, 0 },
	{ ROUTE(", 'window': 100001"), "gateway.routes[0].window",
	  "between 1 and 100000", 0, 0 },
	{ ROUTE(", 'throughput': -1"), "gateway.routes[0].throughput",
	  "between 0 and", 0, 0 },
	{ ROUTE(", 'response_timeout': 0"),
	  "gateway.routes[0].response_timeout", "more than 0", 0, 0 },
	{ ROUTE(", 'reconnect': {'min': '10s', 'max': '5s'}"),
	  "gateway.routes[0].reconnect", "max is below min", 0, 0 },
	{ ROUTE(", 'tls_ca': '/nonexistent/ca.pem', 'tls': true"),
	  "gateway.routes[0].tls_ca", "cannot read /nonexistent/ca.pem", 0,
	  0 },
	{ ROUTE(", 'tls_ca': '/dev/null'"), "gateway.routes[0].tls_ca",
	  "only goes with \"tls\": true", 0, 0 },
	{ ROUTE(", 'prefixes': ['+1', '44']"), "gateway.routes[0].prefixes[1]",
	  "\"44\" must start with '+'", 0, 0 },
	{ ROUTE(", 'prefixes': ['+1x']"), "gateway.routes[0].prefixes[0]",
	  "only digits may follow the '+'", 0, 0 },
	{ ROUTE(", 'prefixes': ['+123456789012345678901']"),
	  "gateway.routes[0].prefixes[0]", "at most 21 characters", 0, 0 },
	{ ROUTE(", 'accepts': {'fax': true}"), "gateway.routes[0].accepts.fax",
	  "unknown key", 0, 0 },
	{ ROUTE(", 'errors': [{'error_code': 30005}]"),
	  "gateway.routes[0].errors[0]", "needs exactly one of submit_status, "
	  "receipt and network_error_code", 0, 0 },
	{ ROUTE(", 'errors': [{'submit_status': 'ESME_RINVDSTADR', "
	  "'receipt': {'stat': 'UNDELIV'}}]"), "gateway.routes[0].errors[0]",
	  "needs exactly one of", 0, 0 },
	{ ROUTE(", 'errors': [{'submit_status': 'ESME_RNOPE'}]"),
	  "gateway.routes[0].errors[0].submit_status",
	  "must be an SMPP status name", 0, 0 },
	{ ROUTE(", 'errors': [{'receipt': {'err': '001'}}]"),
	  "gateway.routes[0].errors[0].receipt.stat", "required", 0, 0 },
	{ ROUTE(", 'errors': [{'receipt': {'stat': 'UN DELIV'}}]"),
	  "gateway.routes[0].errors[0].receipt.stat", "no space or ':'", 0,
	  0 },
	{ ROUTE(", 'errors': [{'receipt': {'stat': 'UNDELIV', 'err': '1'}}]"),
	  "gateway.routes[0].errors[0].receipt.err", "three digits", 0, 0 },
	{ ROUTE(", 'errors': [{'network_error_code': {'type': 256}}]"),
	  "gateway.routes[0].errors[0].network_error_code.type",
	  "between 0 and 255", 0, 0 },
	{ ROUTE(", 'errors': [{'submit_status': 'ESME_RSYSERR', "
	  "'error_code': 100000}]"), "gateway.routes[0].errors[0].error_code",
	  "between 0 and 99999", 0, 0 },
	{ ROUTE(", 'errors': [{'submit_status': 'ESME_RSYSERR', "
	  "'status': 'delivered'}]"), "gateway.routes[0].errors[0].status",
	  "must be \"undelivered\" or \"failed\"", 0, 0 },
	{ ROUTE(", 'errors': [{'receipt': {'stat': 'UNDELIV'}, 'retry': "
	  "true}]"), "gateway.routes[0].errors[0].retry",
	  "only goes with submit_status", 0, 0 },
	/* Retry and session. */
	{ CARRIER(", 'receipt_retry': {'initial': '10s', 'max': '5s'}"),
	  "carriers[0].receipt_retry", "max is below initial", 0, 0 },
	{ CARRIER(", 'receipt_retry': {'initial': '0s'}"),
	  "carriers[0].receipt_retry.initial", "more than 0", 0, 0 },
	{ CARRIER(", 'session': {'deliver_window': 0}"),
	  "carriers[0].session.deliver_window", "between 1 and 100000", 0,
	  0 },
	{ CARRIER(", 'session': {'enquire_link': '30 s'}"),
	  "carriers[0].session.enquire_link", "is not a duration", 0, 0 },
};

START_TEST(test_bad)
{
	struct scenario		s;
	struct scenario_error	err;

	scnfx_load_bad(bad[_i].json, &s, &err, bad[_i].path);
	ck_assert_msg(strstr(err.reason, bad[_i].reason) != NULL,
	    "%s: reason \"%s\" lacks \"%s\"", bad[_i].json, err.reason,
	    bad[_i].reason);
	if (bad[_i].line != 0) {
		ck_assert_int_eq(err.line, bad[_i].line);
		ck_assert_int_eq(err.column, bad[_i].column);
	}
	ck_assert_ptr_null(s.carriers);
	ck_assert_ptr_null(s.gateway.accounts);
	ck_assert_ptr_null(s.gateway.numbers);
	ck_assert_ptr_null(s.gateway.services);
	ck_assert_ptr_null(s.gateway.routes);
}
END_TEST

static const struct carrier_profile *
find_carrier(const struct scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ncarriers; i++)
		if (strcmp(s->carriers[i].name, name) == 0)
			return &s->carriers[i];
	ck_abort_msg("no carrier %s", name);
	return NULL;
}

START_TEST(test_default_scenario)
{
	static const char *ports[] = { "127.0.0.1:2775", "127.0.0.1:2776",
	    "127.0.0.1:2777" };
	const struct carrier_profile	*a, *b, *g;
	struct scenario_error		 err;
	struct scenario			 s;
	size_t				 i;

	if (scenario_load_default(&s, &err) == -1)
		scnfx_fail_with(&err, "default");
	ck_assert_str_eq(s.http, "127.0.0.1:8080");
	ck_assert_uint_eq(s.ncarriers, 3);
	for (i = 0; i < 3; i++) {
		const struct carrier_profile *p = &s.carriers[i];

		ck_assert_uint_eq(p->nlisten, 1);
		ck_assert_str_eq(p->listen[0].address, ports[i]);
		ck_assert_str_eq(p->accounts[0].system_id, "test");
		ck_assert_str_eq(p->accounts[0].password, "test");
		ck_assert_uint_eq(p->accounts[0].bind_types, CARRIER_BIND_ALL);
		ck_assert_str_eq(p->accounts[1].system_id, "gateway");
		ck_assert_uint_eq(p->window, 100);
		ck_assert_int_eq(p->receipt_delay.kind,
		    CARRIER_DIST_LOGNORMAL);
	}
	a = find_carrier(&s, "alpha-mobile");
	b = find_carrier(&s, "beta-wireless");
	g = find_carrier(&s, "gamma-telecom");
	/* Short codes, MMS and alpha senders each split the carriers. */
	ck_assert_uint_eq(a->senders, CARRIER_SENDER_SHORT_CODE |
	    CARRIER_SENDER_LONG_CODE | CARRIER_SENDER_TOLL_FREE);
	ck_assert_int_eq(a->mms, 0);
	ck_assert_uint_eq(b->senders, CARRIER_SENDER_LONG_CODE |
	    CARRIER_SENDER_TOLL_FREE | CARRIER_SENDER_ALPHANUMERIC);
	ck_assert_int_eq(b->mms, 1);
	ck_assert_uint_eq(g->senders, CARRIER_SENDER_LONG_CODE |
	    CARRIER_SENDER_ALPHANUMERIC);
	ck_assert_int_eq(g->mms, 0);	/* MMS abroad: the converter */
	ck_assert_str_eq(a->country, "US");
	ck_assert_str_eq(g->country, "GB");
	ck_assert_str_eq(a->serves[0], "+1");
	ck_assert_str_eq(g->serves[0], "+44");
	scenario_release(&s);
}
END_TEST

/* --explain output is a scenario that loads to the same explanation. */
static void
assert_explain_round_trip(struct scenario *s)
{
	struct scenario again;

	scnfx_explain_round_trip(s, &again);
	scenario_release(&again);
}

START_TEST(test_explain_round_trip)
{
	struct scenario_error	err;
	struct scenario		s;

	load_full(&s);
	assert_explain_round_trip(&s);
	scenario_release(&s);
	ck_assert_int_eq(scenario_load_default(&s, &err), 0);
	assert_explain_round_trip(&s);
	scenario_release(&s);
}
END_TEST

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* TLS files are found next to the scenario file, and must be readable. */
START_TEST(test_tls_files)
{
	char			 dir[] = "/tmp/test_scenario.XXXXXX";
	char			 cert[64], key[64], file[64], *json;
	struct scenario_error	 err;
	struct scenario		 s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert, sizeof cert, "%s/cert.pem", dir);
	snprintf(key, sizeof key, "%s/key.pem", dir);
	snprintf(file, sizeof file, "%s/s.json", dir);
	write_file(cert, "-----BEGIN CERTIFICATE-----\n");
	write_file(key, "-----BEGIN PRIVATE KEY-----\n");
	json = scnfx_json("{'carriers': [{'name': 'a', 'listen': [{'address': "
	    "'127.0.0.1:3550', 'tls': {'cert': 'cert.pem', 'key': "
	    "'key.pem'}}]}]}");
	write_file(file, json);
	if (scenario_load_file(file, &s, &err) == -1)
		scnfx_fail_with(&err, file);
	ck_assert_int_eq(s.carriers[0].listen[0].tls, 1);
	ck_assert_str_eq(s.carriers[0].listen[0].cert, cert);
	ck_assert_str_eq(s.carriers[0].listen[0].key, key);
	ck_assert_str_eq(s.dir, dir);
	scenario_release(&s);
	/* The same text from elsewhere finds no files. */
	ck_assert_int_eq(scenario_load_string(json, "/nonexistent", &s, &err),
	    -1);
	ck_assert_str_eq(err.path, "carriers[0].listen[0].tls.cert");
	free(json);
	unlink(file);
	unlink(cert);
	unlink(key);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_error_format)
{
	struct scenario_error	e = { .file = "x.json", .path = "carriers[0]."
	    "name", .reason = "required", .line = 3, .column = 5 };
	char			buf[2048];

	scenario_error_format(&e, buf, sizeof buf);
	ck_assert_str_eq(buf, "x.json:3:5: carriers[0].name: required");
	e.line = 0;
	scenario_error_format(&e, buf, sizeof buf);
	ck_assert_str_eq(buf, "x.json: carriers[0].name: required");
	e.file[0] = '\0';
	e.path[0] = '\0';
	e.line = 2;
	scenario_error_format(&e, buf, sizeof buf);
	ck_assert_str_eq(buf, "2:5: required");
	ck_assert_int_eq(scenario_load_file("/nonexistent/s.json",
	    &(struct scenario){ 0 }, &e), -1);
	scenario_error_format(&e, buf, sizeof buf);
	ck_assert_str_eq(buf, "/nonexistent/s.json: cannot read: No such "
	    "file or directory");
}
END_TEST

/* Faults and quirks from the start: their parameters, their defaults. */
START_TEST(test_faults_and_quirks)
{
	const struct carrier_profile	*p;
	struct scenario			 s;

	scnfx_load_ok(CARRIER(", 'faults': [{'name': 'refuse_binds', 'status': "
	    "'ESME_RINVSYSID', 'for': '30s'}, {'name': 'submit_errors', "
	    "'share': 0.25}, {'name': 'latency', 'add': {'uniform': "
	    "['10ms', '20ms']}}], 'quirks': {'message_id': {'format': "
	    "'padded', 'width': 12}, 'no_receipt_tlvs': true, 'vendor_tlvs': "
	    "{'tlvs': [{'tag': 5123, 'value': 'cafe'}]}, 'stat_words': "
	    "{'UNDELIV': 'FAILED'}}"), &s);
	p = &s.carriers[0];
	ck_assert_uint_eq(p->nfaults, 3);
	ck_assert_uint_eq(p->faults[0].id, CARRIER_FAULT_REFUSE_BINDS);
	ck_assert_uint_eq(p->faults[0].args.status, SMPP_ESME_RINVSYSID);
	ck_assert_int_eq(p->faults[0].args.for_usec, 30 * SEC);
	ck_assert_uint_eq(p->faults[1].id, CARRIER_FAULT_SUBMIT_ERRORS);
	ck_assert_uint_eq(p->faults[1].args.status, SMPP_ESME_RSYSERR);
	ck_assert(p->faults[1].args.share == 0.25);
	ck_assert_int_eq(p->faults[1].args.for_usec, 0);
	ck_assert_uint_eq(p->faults[2].id, CARRIER_FAULT_LATENCY);
	ck_assert_int_eq(p->faults[2].args.add.kind, CARRIER_DIST_UNIFORM);
	ck_assert_int_eq(p->faults[2].args.add.a, 10 * MS);
	ck_assert_int_eq(p->faults[2].args.add.b, 20 * MS);
	ck_assert_uint_eq(p->nquirks, 4);
	ck_assert_uint_eq(p->quirks[0].id, CARRIER_QUIRK_MESSAGE_ID);
	ck_assert_int_eq(p->quirks[0].args.format, CARRIER_ID_PADDED);
	ck_assert_uint_eq(p->quirks[0].args.width, 12);
	ck_assert_uint_eq(p->quirks[1].id, CARRIER_QUIRK_NO_RECEIPT_TLVS);
	ck_assert_uint_eq(p->quirks[2].id, CARRIER_QUIRK_VENDOR_TLVS);
	ck_assert_uint_eq(p->quirks[2].args.ntlvs, 1);
	ck_assert_uint_eq(p->quirks[2].args.tlvs[0].tag, 0x1403);
	ck_assert_uint_eq(p->quirks[2].args.tlvs[0].length, 2);
	ck_assert_mem_eq(p->quirks[2].args.tlvs[0].value, "\xca\xfe", 2);
	ck_assert_uint_eq(p->quirks[3].id, CARRIER_QUIRK_STAT_WORDS);
	ck_assert_str_eq(p->quirks[3].args.words[SMPP_RECEIPT_STAT_UNDELIV],
	    "FAILED");
	ck_assert_str_eq(p->quirks[3].args.words[SMPP_RECEIPT_STAT_DELIVRD],
	    "DELIVRD");
	assert_explain_round_trip(&s);
	scenario_release(&s);
	/* None by default. */
	scnfx_load_ok(CARRIER(""), &s);
	ck_assert_uint_eq(s.carriers[0].nfaults, 0);
	ck_assert_uint_eq(s.carriers[0].nquirks, 0);
	scenario_release(&s);
}
END_TEST

/* Each switch of a kind: its defaults parse, and what is shown of any
 * parameters reads back to them. */
static void
assert_switch_table(enum carrier_switch_kind kind)
{
	const struct carrier_switch	*t, *sw;
	const struct carrier_param	*p;
	struct carrier_switch_args	*a = calloc(1, sizeof *a);
	struct carrier_switch_args	*b = calloc(1, sizeof *b);
	struct carrier_param_error	 e;
	char				 msg[512], *text;
	json_t				*shown, *v;
	size_t				 n, i;

	t = carrier_switch_table(kind, &n);
	for (i = 0; i < n; i++) {
		sw = &t[i];
		ck_assert_uint_eq(sw->id, i);
		ck_assert_int_eq(sw->kind, kind);
		ck_assert_ptr_eq(carrier_switch_find(kind, sw->name), sw);
		ck_assert_ptr_nonnull(sw->summary);
		for (p = sw->params; p != NULL && p->name != NULL; p++) {
			v = json_loads(p->def, JSON_DECODE_ANY, NULL);
			ck_assert_msg(v != NULL, "%s.%s: default %s is not "
			    "JSON", sw->name, p->name, p->def);
			shown = json_pack("{s:O}", p->name, v);
			ck_assert_msg(carrier_switch_parse(sw, shown, a,
			    &e) == 0, "%s.%s: default %s: %s", sw->name,
			    p->name, p->def, e.reason);
			json_decref(shown);
			json_decref(v);
			ck_assert_ptr_nonnull(p->help);
		}
		ck_assert_int_eq(carrier_switch_parse(sw, NULL, a, &e), 0);
		if (!sw->oneshot)
			a->for_usec = 90 * SEC;
		shown = carrier_switch_show(sw, a);
		if (carrier_switch_parse(sw, shown, b, &e) == -1) {
			carrier_param_error_format(&e, msg, sizeof msg);
			ck_abort_msg("%s: %s", sw->name, msg);
		}
		text = json_dumps(shown, JSON_COMPACT);
		ck_assert_msg(memcmp(a, b, sizeof *a) == 0, "%s: %s does not "
		    "read back to the same parameters", sw->name, text);
		free(text);
		json_decref(shown);
	}
	free(a);
	free(b);
}

START_TEST(test_switch_tables)
{
	assert_switch_table(CARRIER_SWITCH_FAULT);
	assert_switch_table(CARRIER_SWITCH_QUIRK);
	ck_assert_ptr_null(carrier_switch_find(CARRIER_SWITCH_FAULT,
	    "message_id"));
	ck_assert_ptr_null(carrier_switch_find(CARRIER_SWITCH_QUIRK,
	    "blackhole"));
}
END_TEST

/* Message ids in each format; uuids repeat with the seed and differ by
 * message and by seed. */
START_TEST(test_id_formats)
{
	struct carrier_profile	*p = calloc(1, sizeof *p);
	char			 a[65], b[65];

	carrier_profile_default(p);
	snprintf(p->name, sizeof p->name, "alpha");
	carrier_id_format(p, 1, CARRIER_ID_DECIMAL, 0, 255, a, sizeof a);
	ck_assert_str_eq(a, "255");
	carrier_id_format(p, 1, CARRIER_ID_HEX, 0, 255, a, sizeof a);
	ck_assert_str_eq(a, "ff");
	carrier_id_format(p, 1, CARRIER_ID_HEX_UPPER, 0, 255, a, sizeof a);
	ck_assert_str_eq(a, "FF");
	carrier_id_format(p, 1, CARRIER_ID_PADDED, 8, 255, a, sizeof a);
	ck_assert_str_eq(a, "00000255");
	carrier_id_format(p, 1, CARRIER_ID_PADDED, 2, 255, a, sizeof a);
	ck_assert_str_eq(a, "255");
	carrier_id_format(p, 1, CARRIER_ID_UUID, 0, 255, a, sizeof a);
	ck_assert_uint_eq(strlen(a), 36);
	ck_assert(a[8] == '-' && a[13] == '-' && a[14] == '4' &&
	    a[18] == '-' && strchr("89ab", a[19]) != NULL && a[23] == '-');
	carrier_id_format(p, 1, CARRIER_ID_UUID, 0, 255, b, sizeof b);
	ck_assert_str_eq(a, b);
	carrier_id_format(p, 1, CARRIER_ID_UUID, 0, 256, b, sizeof b);
	ck_assert_str_ne(a, b);
	carrier_id_format(p, 2, CARRIER_ID_UUID, 0, 255, b, sizeof b);
	ck_assert_str_ne(a, b);
	carrier_profile_release(p);
	free(p);
}
END_TEST

START_TEST(test_full_accounts_numbers)
{
	const struct gateway_config	*g;
	const struct gateway_number	*n;
	struct scenario			 s;

	load_full(&s);
	g = &s.gateway;
	ck_assert_uint_eq(g->naccounts, 2);
	ck_assert_str_eq(g->accounts[0].sid,
	    "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_str_eq(g->accounts[0].token, "token-a");
	ck_assert_str_eq(g->accounts[0].friendly_name, "Acme");
	ck_assert_uint_eq(g->accounts[0].nkeys, 1);
	ck_assert_str_eq(g->accounts[0].keys[0].sid,
	    "SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_str_eq(g->accounts[0].keys[0].secret, "key-secret");
	ck_assert_str_eq(g->accounts[0].keys[0].friendly_name, "ci");
	ck_assert_uint_eq(g->accounts[1].nkeys, 0);
	ck_assert_uint_eq(g->nnumbers, 4);
	n = &g->numbers[0];
	ck_assert_str_eq(n->sid, "PN11111111111111111111111111111111");
	ck_assert_str_eq(n->account_sid, "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	ck_assert_str_eq(n->number, "+14155550100");
	ck_assert_int_eq(n->kind, GATEWAY_SENDER_LONG_CODE);
	ck_assert_str_eq(n->country, "US");
	ck_assert_uint_eq(n->capabilities, GATEWAY_CAP_SMS | GATEWAY_CAP_VOICE);
	ck_assert_str_eq(n->friendly_name, "main");
	ck_assert_str_eq(n->sms_url, "https://example.com/sms");
	ck_assert_str_eq(n->sms_method, "GET");
	ck_assert_str_eq(n->sms_fallback_url, "http://example.com/fallback");
	ck_assert_str_eq(n->sms_fallback_method, "GET");
	ck_assert_str_eq(n->status_callback, "https://example.com/status");
	/* Left out: the first account, the kind given, the calling code's
	 * country, SMS only outside the US and Canada. */
	n = &g->numbers[1];
	ck_assert_str_eq(n->account_sid, "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_int_eq(n->kind, GATEWAY_SENDER_TOLL_FREE);
	ck_assert_str_eq(n->country, "GB");
	ck_assert_uint_eq(n->capabilities, GATEWAY_CAP_SMS);
	ck_assert_int_eq(strncmp(n->sid, "PN", 2), 0);
	ck_assert_str_eq(n->sms_method, "POST");
	ck_assert_str_eq(n->sms_url, "");
	n = &g->numbers[2];
	ck_assert_int_eq(n->kind, GATEWAY_SENDER_SHORT_CODE);
	ck_assert_str_eq(n->country, "CA");
	ck_assert_int_eq(strncmp(n->sid, "SC", 2), 0);
	n = &g->numbers[3];
	ck_assert_int_eq(n->kind, GATEWAY_SENDER_ALPHANUMERIC);
	ck_assert_int_eq(strncmp(n->sid, "AI", 2), 0);
	ck_assert_uint_eq(n->capabilities, GATEWAY_CAP_SMS);
	scenario_release(&s);
}
END_TEST

START_TEST(test_full_services)
{
	const struct gateway_service	*v;
	struct scenario			 s;

	load_full(&s);
	ck_assert_uint_eq(s.gateway.nservices, 1);
	v = &s.gateway.services[0];
	ck_assert_str_eq(v->sid, "MGcccccccccccccccccccccccccccccccc");
	ck_assert_str_eq(v->account_sid, "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	ck_assert_str_eq(v->friendly_name, "alerts");
	ck_assert_str_eq(v->inbound_request_url, "https://example.com/in");
	ck_assert_str_eq(v->inbound_method, "GET");
	ck_assert_str_eq(v->fallback_url, "https://example.com/in-fallback");
	ck_assert_str_eq(v->fallback_method, "GET");
	ck_assert_str_eq(v->status_callback,
	    "https://example.com/service-status");
	ck_assert_int_eq(v->sticky_sender, 0);
	ck_assert_int_eq(v->mms_converter, 0);
	ck_assert_int_eq(v->smart_encoding, 0);
	ck_assert_int_eq(v->area_code_geomatch, 0);
	ck_assert_int_eq(v->fallback_to_long_code, 0);
	ck_assert_int_eq(v->use_inbound_webhook_on_number, 1);
	ck_assert_uint_eq(v->validity_period, 600);
	ck_assert_str_eq(v->usecase, "notifications");
	/* Senders named by number are kept as the numbers' sids. */
	ck_assert_uint_eq(v->nsenders, 3);
	ck_assert_str_eq(v->senders[0], s.gateway.numbers[1].sid);
	ck_assert_str_eq(v->senders[1], s.gateway.numbers[2].sid);
	ck_assert_str_eq(v->senders[2], s.gateway.numbers[3].sid);
	scenario_release(&s);
}
END_TEST

START_TEST(test_full_gateway)
{
	const struct gateway_config	*g;
	const struct gateway_route	*r;
	struct scenario			 s;

	load_full(&s);
	g = &s.gateway;
	ck_assert_uint_eq(g->seed, 42);
	ck_assert_int_eq(g->synchronous, GATEWAY_SYNC_FULL);
	ck_assert_int_eq(g->callback_timeout, 3 * SEC);
	ck_assert_uint_eq(g->callback_retries, 2);
	ck_assert_int_eq(g->callback_backoff, 250 * MS);
	ck_assert_int_eq(g->callback_backoff_max, 10 * SEC);
	ck_assert_int_eq(g->callback_tls_verify, 0);
	ck_assert_uint_eq(g->callback_connections, 4);
	ck_assert_uint_eq(g->callback_memory_max, 100);
	ck_assert_str_eq(g->callback_tls_ca, "");
	ck_assert_uint_eq(g->max_body, 64 * 1024);
	ck_assert_uint_eq(g->api_max_pending, 500);
	ck_assert_int_eq(s.gateway_routes_derived, 0);
	ck_assert_uint_eq(g->nroutes, 1);
	r = &g->routes[0];
	ck_assert_str_eq(r->name, "upstream");
	ck_assert_str_eq(r->address, "smpp.example.com:3550");
	ck_assert_int_eq(r->tls, 1);
	ck_assert_int_eq(r->tls_verify, 0);
	ck_assert_str_eq(r->tls_ca, "/dev/null");
	ck_assert_str_eq(r->system_id, "acme");
	ck_assert_str_eq(r->password, "pw");
	ck_assert_str_eq(r->system_type, "VMA");
	ck_assert_uint_eq(r->bind, GATEWAY_BIND_TX | GATEWAY_BIND_RX);
	ck_assert_uint_eq(r->sessions, 4);
	ck_assert_uint_eq(r->window, 50);
	ck_assert_double_eq(r->throughput, 25.5);
	ck_assert_int_eq(r->response_timeout, 5 * SEC);
	ck_assert_int_eq(r->enquire_link, 0);
	ck_assert_int_eq(r->reconnect_min, 500 * MS);
	ck_assert_int_eq(r->reconnect_max, 2 * MIN);
	ck_assert_uint_eq(r->submit_retries, 0);
	ck_assert_int_eq(r->retry_pause, 3 * SEC);
	ck_assert_uint_eq(r->nprefixes, 3);
	ck_assert_str_eq(r->prefixes[0], "+44");
	ck_assert_str_eq(r->prefixes[1], "+4420");
	ck_assert_str_eq(r->prefixes[2], "+");
	ck_assert_uint_eq(r->accepts_kinds, (1u << GATEWAY_SENDER_LONG_CODE) |
	    (1u << GATEWAY_SENDER_TOLL_FREE) |
	    (1u << GATEWAY_SENDER_ALPHANUMERIC));
	ck_assert_int_eq(r->accepts_mms, 1);
	ck_assert_uint_eq(r->nerror_rules, 4);
	ck_assert_int_eq(r->error_rules[0].kind, GATEWAY_OUTCOME_SUBMIT);
	ck_assert_uint_eq(r->error_rules[0].command_status, SMPP_ESME_RINVDSTADR);
	ck_assert_int_eq(r->error_rules[0].error_code, 21211);
	ck_assert_int_eq(r->error_rules[0].status, GW_STATUS_FAILED);
	ck_assert_int_eq(r->error_rules[0].retry, 0);
	ck_assert_uint_eq(r->error_rules[1].command_status,
	    SMPP_ESME_RTHROTTLED);
	ck_assert_int_eq(r->error_rules[1].retry, 1);
	ck_assert_int_eq(r->error_rules[1].status, -1);
	ck_assert_int_eq(r->error_rules[2].kind, GATEWAY_OUTCOME_RECEIPT);
	ck_assert_str_eq(r->error_rules[2].stat, "UNDELIV");
	ck_assert_str_eq(r->error_rules[2].err, "001");
	ck_assert_int_eq(r->error_rules[2].status, GW_STATUS_UNDELIVERED);
	ck_assert_int_eq(r->error_rules[3].kind, GATEWAY_OUTCOME_NETWORK);
	ck_assert_int_eq(r->error_rules[3].network_type, 3);
	ck_assert_int_eq(r->error_rules[3].network_code, 1);
	ck_assert_int_eq(r->error_rules[3].error_code, 30003);
	scenario_release(&s);
}
END_TEST

/* Sizes as people write them. */
static const struct {
	const char	*json;
	size_t		 bytes;
} sizes[] = {
	{ "'1MiB'", 1024 * 1024 },
	{ "'512KiB'", 512 * 1024 },
	{ "'64kB'", 64000 },
	{ "'2MB'", 2000000 },
	{ "'1GiB'", 1024 * 1024 * 1024 },
	{ "2048", 2048 },
	{ "'4096'", 4096 },
	{ "'1500B'", 1500 },
};

START_TEST(test_sizes)
{
	struct scenario	 s;
	char		*q;

	ck_assert_int_ne(asprintf(&q, GW("'gateway': {'max_body': %s}"),
	    sizes[_i].json), -1);
	scnfx_load_ok(q, &s);
	ck_assert_uint_eq(s.gateway.max_body, sizes[_i].bytes);
	scenario_release(&s);
	free(q);
}
END_TEST

/* With no gateway.routes, one route per carrier, from what it is. */
START_TEST(test_derived_routes)
{
	const struct gateway_route	*r;
	struct scenario			 s;

	scnfx_load_ok("{'carriers': [{'name': 'a', 'listen': [{'address': "
	    "'127.0.0.1:3550', 'tls': true}, '0.0.0.0:2775'], 'accounts': "
	    "[{'system_id': 'first', 'password': 'p1'}, {'system_id': "
	    "'gateway', 'password': 'p2'}], 'serves': ['1415', '+1628'], "
	    "'accepts': {'short_code': false, 'mms': true}}, {'name': 'b', "
	    "'listen': [{'address': '[::]:3551', 'tls': true}], 'accounts': "
	    "[{'system_id': 'only', 'password': 'p3'}]}]}", &s);
	ck_assert_int_eq(s.gateway_routes_derived, 1);
	ck_assert_uint_eq(s.gateway.nroutes, 2);
	r = &s.gateway.routes[0];
	ck_assert_str_eq(r->name, "a");
	ck_assert_str_eq(r->address, "127.0.0.1:2775");	/* plain first */
	ck_assert_int_eq(r->tls, 0);
	ck_assert_str_eq(r->system_id, "gateway");
	ck_assert_str_eq(r->password, "p2");
	ck_assert_uint_eq(r->nprefixes, 2);
	ck_assert_str_eq(r->prefixes[0], "+1415");
	ck_assert_str_eq(r->prefixes[1], "+1628");
	ck_assert_uint_eq(r->accepts_kinds, (1u << GATEWAY_SENDER_LONG_CODE) |
	    (1u << GATEWAY_SENDER_TOLL_FREE) |
	    (1u << GATEWAY_SENDER_ALPHANUMERIC));
	ck_assert_int_eq(r->accepts_mms, 1);
	ck_assert_uint_eq(r->window, 10);
	ck_assert_uint_eq(r->bind, GATEWAY_BIND_TRX);
	r = &s.gateway.routes[1];
	ck_assert_str_eq(r->address, "[::1]:3551");
	ck_assert_int_eq(r->tls, 1);
	ck_assert_int_eq(r->tls_verify, 0);
	ck_assert_str_eq(r->system_id, "only");
	ck_assert_uint_eq(r->nprefixes, 1);
	ck_assert_str_eq(r->prefixes[0], "+");
	scenario_release(&s);
	/* Routes given, even none, replace them. */
	scnfx_load_ok(GW("'gateway': {'routes': []}"), &s);
	ck_assert_int_eq(s.gateway_routes_derived, 0);
	ck_assert_uint_eq(s.gateway.nroutes, 0);
	scenario_release(&s);
}
END_TEST

START_TEST(test_default_gateway)
{
	static const struct {
		const char			*number;
		enum gateway_sender_kind	 kind;
		const char			*country;
		unsigned			 caps;
	} want[] = {
		{ "55555", GATEWAY_SENDER_SHORT_CODE, "US", GATEWAY_CAP_SMS },
		{ "+14155550100", GATEWAY_SENDER_LONG_CODE, "US",
		  GATEWAY_CAP_SMS | GATEWAY_CAP_MMS },
		{ "+12125550100", GATEWAY_SENDER_LONG_CODE, "US",
		  GATEWAY_CAP_SMS | GATEWAY_CAP_MMS },
		{ "+13125550100", GATEWAY_SENDER_LONG_CODE, "US",
		  GATEWAY_CAP_SMS | GATEWAY_CAP_MMS },
		{ "+16465550100", GATEWAY_SENDER_LONG_CODE, "US",
		  GATEWAY_CAP_SMS | GATEWAY_CAP_MMS },
		{ "+18885550100", GATEWAY_SENDER_TOLL_FREE, "US",
		  GATEWAY_CAP_SMS | GATEWAY_CAP_MMS },
		{ "+447700900100", GATEWAY_SENDER_LONG_CODE, "GB",
		  GATEWAY_CAP_SMS },
		{ "CARRIERLAB", GATEWAY_SENDER_ALPHANUMERIC, "GB",
		  GATEWAY_CAP_SMS },
	};
	static const char *routes[] = { "alpha-mobile", "beta-wireless",
	    "gamma-telecom" };
	const struct gateway_config	*g;
	const struct gateway_service	*v;
	struct scenario_error		 err;
	struct scenario			 s;
	size_t				 i;

	if (scenario_load_default(&s, &err) == -1)
		scnfx_fail_with(&err, "default");
	g = &s.gateway;
	ck_assert_uint_eq(g->naccounts, 1);
	ck_assert_str_eq(g->accounts[0].sid, AC0);
	ck_assert_str_eq(g->accounts[0].token, "test");
	ck_assert_uint_eq(g->nnumbers, sizeof want / sizeof want[0]);
	for (i = 0; i < g->nnumbers; i++) {
		ck_assert_str_eq(g->numbers[i].number, want[i].number);
		ck_assert_int_eq(g->numbers[i].kind, want[i].kind);
		ck_assert_str_eq(g->numbers[i].country, want[i].country);
		ck_assert_uint_eq(g->numbers[i].capabilities, want[i].caps);
		ck_assert_str_eq(g->numbers[i].account_sid, AC0);
	}
	/* Derived sids are part of the contract: the same on every run. */
	ck_assert_str_eq(g->numbers[1].sid,
	    "PN23cc7185f268e3dde7909d436d41c3ff");
	ck_assert_uint_eq(g->nservices, 1);
	v = &g->services[0];
	ck_assert_str_eq(v->sid, MG0);
	ck_assert_str_eq(v->account_sid, AC0);
	ck_assert_str_eq(v->friendly_name, "carrierlab default service");
	ck_assert_uint_eq(v->validity_period, 36000);
	ck_assert_int_eq(v->sticky_sender, 1);
	ck_assert_int_eq(v->area_code_geomatch, 1);
	ck_assert_int_eq(v->fallback_to_long_code, 1);
	/* Every number but the alpha sender, which goes to India only. */
	ck_assert_uint_eq(v->nsenders, g->nnumbers - 1);
	for (i = 0; i < v->nsenders; i++)
		ck_assert_str_eq(v->senders[i], g->numbers[i].sid);
	ck_assert_int_eq(g->numbers[g->nnumbers - 1].kind,
	    GATEWAY_SENDER_ALPHANUMERIC);
	ck_assert_uint_eq(v->ndestination_alphas, 1);
	ck_assert_str_eq(v->destination_alphas[0].alpha, "CARRIERLAB");
	ck_assert_str_eq(v->destination_alphas[0].iso_country_code, "IN");
	ck_assert_uint_eq(g->ncountries, 1);
	ck_assert_str_eq(g->countries[0].iso, "IN");
	ck_assert_int_eq(g->countries[0].alpha, 1);
	ck_assert_int_eq(g->countries[0].alpha_preregistration, 1);
	ck_assert_int_eq(g->sticky_ttl, INT64_C(365) * 86400 * 1000000);
	ck_assert_int_eq(s.gateway_routes_derived, 1);
	ck_assert_uint_eq(g->nroutes, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(g->routes[i].name, routes[i]);
		ck_assert_str_eq(g->routes[i].address,
		    s.carriers[i].listen[0].address);
		ck_assert_str_eq(g->routes[i].system_id, "gateway");
		ck_assert_str_eq(g->routes[i].password, "gateway");
	}
	ck_assert_str_eq(g->routes[2].prefixes[0], "+44");
	ck_assert_str_eq(g->routes[2].prefixes[1], "+49");
	ck_assert_uint_eq(g->max_body, 1024 * 1024);
	scenario_release(&s);
}
END_TEST

static char *
read_text(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*text;
	long	 n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

/* The manual's tables are `carrierlab check --keys`, row for row. */
START_TEST(test_docs_have_every_key)
{
	char	*path = src_path("docs/scenarios.md");
	char	*doc = read_text(path), *keys = scenario_keys_markdown();
	char	*line, *save = NULL, name[128];
	int	 rows = 0;

	ck_assert_ptr_nonnull(keys);
	for (line = strtok_r(keys, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "| `", 3) != 0)
			continue;
		rows++;
		sscanf(line, "| `%127[^`]`", name);
		ck_assert_msg(strstr(doc, name) != NULL, "docs/scenarios.md "
		    "does not mention the key %s", name);
		ck_assert_msg(strstr(doc, line) != NULL, "docs/scenarios.md "
		    "lacks the row of %s as `carrierlab check --keys` prints "
		    "it:\n%s", name, line);
	}
	ck_assert_int_gt(rows, 60);
	free(keys);
	free(doc);
	free(path);
}
END_TEST

/* The manual's fault and quirk tables are `carrierlab check --faults`,
 * row for row. */
START_TEST(test_docs_have_every_switch)
{
	char	*path = src_path("docs/scenarios.md");
	char	*doc = read_text(path), *rows = scenario_switches_markdown();
	char	*line, *save = NULL;
	int	 n = 0;

	ck_assert_ptr_nonnull(rows);
	for (line = strtok_r(rows, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "| `", 3) != 0)
			continue;
		n++;
		ck_assert_msg(strstr(doc, line) != NULL, "docs/scenarios.md "
		    "lacks this row of `carrierlab check --faults`:\n%s",
		    line);
	}
	ck_assert_int_ge(n, CARRIER_NFAULTS + CARRIER_NQUIRKS);
	free(rows);
	free(doc);
	free(path);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("scenario");
	TCase	*tc = tcase_create("scenario");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_full_top);
	tcase_add_test(tc, test_full_listen_accounts);
	tcase_add_test(tc, test_full_capabilities);
	tcase_add_test(tc, test_full_fate);
	tcase_add_test(tc, test_full_rules);
	tcase_add_test(tc, test_full_sessions);
	tcase_add_test(tc, test_full_defaults_kept);
	tcase_add_loop_test(tc, test_durations, 0,
	    sizeof durations / sizeof durations[0]);
	tcase_add_loop_test(tc, test_distributions, 0,
	    sizeof dists / sizeof dists[0]);
	tcase_add_loop_test(tc, test_bad, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, test_default_scenario);
	tcase_add_test(tc, test_full_accounts_numbers);
	tcase_add_test(tc, test_full_services);
	tcase_add_test(tc, test_full_gateway);
	tcase_add_loop_test(tc, test_sizes, 0, sizeof sizes / sizeof sizes[0]);
	tcase_add_test(tc, test_derived_routes);
	tcase_add_test(tc, test_default_gateway);
	tcase_add_test(tc, test_explain_round_trip);
	tcase_add_test(tc, test_tls_files);
	tcase_add_test(tc, test_error_format);
	tcase_add_test(tc, test_docs_have_every_key);
	tcase_add_test(tc, test_faults_and_quirks);
	tcase_add_test(tc, test_switch_tables);
	tcase_add_test(tc, test_id_formats);
	tcase_add_test(tc, test_docs_have_every_switch);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
