/*
 * scenarios/: the scenario loader. Good files load with exact values; bad
 * inputs fail with the exact key path and a recognisable reason; the
 * embedded default has its three carriers; --explain output loads back
 * to itself; docs/scenarios.md carries every row of the key tables and of
 * the fault and quirk tables, whose defaults all parse and whose
 * parameters show back as they were read.
 *
 * JSON in this file is written with ' for " (see json_of()).
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "carriers/fault.h"
#include "scenarios/scenario.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"

#define MS	INT64_C(1000)
#define SEC	(1000 * MS)
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

/* A carrier with only its required keys, then x. */
#define CARRIER(x) \
	"{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']" x "}]}"
/* Two carriers, so paths say carriers[1]. */
#define CARRIER2(x) \
	"{'carriers': [{'name': 'a', 'listen': ['127.0.0.1:2775']}, " \
	"{'name': 'b', 'listen': ['127.0.0.1:2776']" x "}]}"

/* The JSON of q, with every ' turned into "; the caller frees it. */
static char *
json_of(const char *q)
{
	char *s = strdup(q), *p;

	ck_assert_ptr_nonnull(s);
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

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
fail_with(const struct scenario_error *err, const char *what)
{
	char msg[2048];

	scenario_error_format(err, msg, sizeof msg);
	ck_abort_msg("%s: %s", what, msg);
}

static void
load_ok(const char *q, struct scenario *s)
{
	struct scenario_error	err;
	char			*json = json_of(q);

	if (scenario_load_string(json, NULL, s, &err) == -1)
		fail_with(&err, q);
	free(json);
}

static void
load_full(struct scenario *s)
{
	struct scenario_error	 err;
	char			*path = src_path("tests/scenarios/full.json");

	if (scenario_load_file(path, s, &err) == -1)
		fail_with(&err, path);
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
	load_ok(q, &s);
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
	load_ok(q, &s);
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
	{ "{'gateway': {}, 'carriers': []}", "gateway",
	  "not supported in this version", 1, 2 },
	{ "{'timeline': [], 'carriers': []}", "timeline",
	  "not supported in this version", 0, 0 },
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
	struct scenario		 s;
	struct scenario_error	 err;
	char			*json = json_of(bad[_i].json);

	ck_assert_msg(scenario_load_string(json, NULL, &s, &err) == -1,
	    "loaded: %s", bad[_i].json);
	ck_assert_msg(strcmp(err.path, bad[_i].path) == 0,
	    "%s: path \"%s\", want \"%s\" (%s)", bad[_i].json, err.path,
	    bad[_i].path, err.reason);
	ck_assert_msg(strstr(err.reason, bad[_i].reason) != NULL,
	    "%s: reason \"%s\" lacks \"%s\"", bad[_i].json, err.reason,
	    bad[_i].reason);
	if (bad[_i].line != 0) {
		ck_assert_int_eq(err.line, bad[_i].line);
		ck_assert_int_eq(err.column, bad[_i].column);
	}
	ck_assert_ptr_null(s.carriers);
	free(json);
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
		fail_with(&err, "default");
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
	ck_assert_int_eq(g->mms, 1);
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
	struct scenario_error	 err;
	struct scenario		 again;
	char			*one = scenario_explain(s), *two;

	ck_assert_ptr_nonnull(one);
	if (scenario_load_string(one, NULL, &again, &err) == -1)
		fail_with(&err, one);
	two = scenario_explain(&again);
	ck_assert_str_eq(one, two);
	free(one);
	free(two);
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
	json = json_of("{'carriers': [{'name': 'a', 'listen': [{'address': "
	    "'127.0.0.1:3550', 'tls': {'cert': 'cert.pem', 'key': "
	    "'key.pem'}}]}]}");
	write_file(file, json);
	if (scenario_load_file(file, &s, &err) == -1)
		fail_with(&err, file);
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

	load_ok(CARRIER(", 'faults': [{'name': 'refuse_binds', 'status': "
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
	load_ok(CARRIER(""), &s);
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
