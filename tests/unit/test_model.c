/*
 * carriers/model, carriers/profile and smpp/address: duration samples,
 * the dice and their reproducibility, capability refusals, rules, expiry,
 * scheduling, receipts, sender kinds. Statistical checks use fixed seeds
 * and tolerances of several standard errors, so they are deterministic.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carriers/model.h"
#include "carriers/profile.h"
#include "common/random.h"
#include "smpp/address.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define MSEC		INT64_C(1000)
#define SEC		(1000 * MSEC)
#define T0		INT64_C(1700000000000000)	/* 2023-11-14 */
#define SEED		UINT64_C(42)
#define STATS_N		100000

#define DELIVRD		SMPP_RECEIPT_STAT_DELIVRD
#define EXPIRED		SMPP_RECEIPT_STAT_EXPIRED
#define UNDELIV		SMPP_RECEIPT_STAT_UNDELIV
#define REJECTD		SMPP_RECEIPT_STAT_REJECTD
#define ENROUTE		SMPP_RECEIPT_STAT_ENROUTE

/* A submit every check below starts from and changes one thing of. */
static struct carrier_submit_info
base_info(void)
{
	struct carrier_submit_info m = {
		.seq = 1,
		.source_addr = "+14155550100", .source_ton = 1,
		.source_npi = 1,
		.destination_addr = "+14155550199",
		.data_coding = SMPP_DC_DEFAULT,
		.length = 5, .segments = 1, .text = "hello",
		.registered_delivery = SMPP_RD_RECEIPT_ANY,
		.now = T0,
	};

	return m;
}

static struct carrier_profile *
new_profile(void)
{
	struct carrier_profile *p = malloc(sizeof(*p));

	ck_assert_ptr_nonnull(p);
	carrier_profile_default(p);
	memcpy(p->name, "acme", sizeof("acme"));
	return p;
}

static void
free_profile(struct carrier_profile *p)
{
	carrier_profile_release(p);
	free(p);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* ---- Profile defaults. ---- */

START_TEST(test_profile_defaults)
{
	struct carrier_profile *p = new_profile();
	static const uint8_t on[] = { 0, 1, 2, 3, 4, 8 };
	static const uint8_t off[] = { 5, 6, 7, 9, 0xF0, 0xFF };
	size_t i;

	ck_assert_uint_eq(p->naccounts, 1);
	ck_assert_str_eq(p->accounts[0].system_id, "test");
	ck_assert_str_eq(p->accounts[0].password, "test");
	ck_assert_uint_eq(p->accounts[0].bind_types, CARRIER_BIND_ALL);
	ck_assert_uint_eq(p->too_many_binds, SMPP_ESME_RALYBND);
	ck_assert_uint_eq(p->senders, CARRIER_SENDER_ALL);
	for (i = 0; i < nitems(on); i++)
		ck_assert(carrier_profile_accepts_coding(p, on[i]));
	for (i = 0; i < nitems(off); i++)
		ck_assert(!carrier_profile_accepts_coding(p, off[i]));
	ck_assert_uint_eq(p->max_length, 65535);
	ck_assert_uint_eq(p->window, 100);
	ck_assert_uint_eq(p->on_window_full, SMPP_ESME_RMSGQFUL);
	ck_assert_uint_eq(p->noutcomes, 1);
	ck_assert_int_eq(p->outcomes[0].state, DELIVRD);
	ck_assert_str_eq(p->outcomes[0].err, "000");
	ck_assert_int_eq(p->receipt_delay.a, 100 * MSEC);
	ck_assert_int_eq(p->intermediate_delay.a, 50 * MSEC);
	ck_assert_int_eq(p->default_validity, 48 * 3600 * SEC);
	ck_assert_int_eq(p->resend_initial, 1 * SEC);
	ck_assert_int_eq(p->resend_max, 60 * SEC);
	ck_assert_int_eq(p->enquire_link_interval, 30 * SEC);
	ck_assert_int_eq(p->session_init_timeout, 60 * SEC);
	ck_assert_int_eq(p->response_timeout, 10 * SEC);
	ck_assert_uint_eq(p->deliver_window, 10);
	ck_assert_uint_eq(p->capture_limit, 1000);
	ck_assert_uint_eq(p->nlisten, 0);
	carrier_profile_deny_coding(p, 8);
	ck_assert(!carrier_profile_accepts_coding(p, 8));
	ck_assert(carrier_profile_accepts_coding(p, 4));
	carrier_profile_release(p);	/* twice is harmless */
	free_profile(p);
}
END_TEST

/* ---- Distributions. ---- */

struct dist_case {
	const char		*name;
	struct carrier_dist	 d;
	int64_t			 min, max;	/* every sample within */
	double			 mean;		/* 0: not checked */
	double			 median;	/* 0: not checked */
	double			 p99;		/* 0: not checked */
	double			 tol;		/* relative */
};

static const struct dist_case dist_cases[] = {
	{ "fixed", { CARRIER_DIST_FIXED, 5000, 0 }, 5000, 5000, 5000, 5000,
	    5000, 0 },
	{ "fixed negative is 0", { CARRIER_DIST_FIXED, -5, 0 }, 0, 0, 0, 0, 0,
	    0 },
	{ "uniform", { CARRIER_DIST_UNIFORM, 1000, 2000 }, 1000, 2000, 1500,
	    1500, 1990, 0.01 },
	{ "uniform below 0 is 0", { CARRIER_DIST_UNIFORM, -1000, 1000 }, 0,
	    1000, 0, 0, 0, 0 },
	{ "uniform b < a is a", { CARRIER_DIST_UNIFORM, 700, 100 }, 700, 700,
	    700, 0, 0, 0 },
	{ "lognormal", { CARRIER_DIST_LOGNORMAL, 100000, 1000000 }, 0,
	    INT64_MAX, 0, 100000, 1000000, 0.04 },
	{ "lognormal b == a is fixed", { CARRIER_DIST_LOGNORMAL, 300, 300 },
	    300, 300, 300, 0, 0, 0 },
	{ "lognormal a 0 is 0", { CARRIER_DIST_LOGNORMAL, 0, 1000 }, 0, 0, 0,
	    0, 0, 0 },
	/* Median mean * ln 2, p99 mean * ln 100. */
	{ "exponential", { CARRIER_DIST_EXPONENTIAL, 50000, 0 }, 0,
	    INT64_MAX, 50000, 50000 * M_LN2, 50000 * 4.605170186, 0.03 },
};

START_TEST(test_dist)
{
	const struct dist_case *c = &dist_cases[_i];
	int64_t *v = malloc(STATS_N * sizeof(*v));
	struct rng r;
	double sum = 0, tol;
	size_t i;

	ck_assert_ptr_nonnull(v);
	rng_seed(&r, SEED);
	for (i = 0; i < STATS_N; i++) {
		v[i] = carrier_dist_sample(&c->d, &r);
		ck_assert_msg(v[i] >= c->min && v[i] <= c->max,
		    "%s: sample %lld", c->name, (long long)v[i]);
		sum += (double)v[i];
	}
	qsort(v, STATS_N, sizeof(*v), cmp_i64);
	tol = c->tol;
	if (c->mean != 0)
		ck_assert_msg(fabs(sum / STATS_N - c->mean) <= c->mean * tol,
		    "%s: mean %f", c->name, sum / STATS_N);
	if (c->median != 0)
		ck_assert_msg(fabs((double)v[STATS_N / 2] - c->median) <=
		    c->median * tol, "%s: median %lld", c->name,
		    (long long)v[STATS_N / 2]);
	if (c->p99 != 0)
		ck_assert_msg(fabs((double)v[STATS_N * 99 / 100] - c->p99) <=
		    c->p99 * tol, "%s: p99 %lld", c->name,
		    (long long)v[STATS_N * 99 / 100]);
	free(v);
}
END_TEST

/* ---- The dice. ---- */

static void
three_outcomes(struct carrier_profile *p)
{
	static const struct carrier_outcome o[] = {
		{ .state = DELIVRD, .p = 0.7, .err = "000" },
		{ .state = UNDELIV, .p = 0.2, .err = "001", .has_nec = 1,
		    .nec_type = 3, .nec_code = 0x22 },
		{ .state = REJECTD, .p = 0.1, .err = "002" },
	};

	memcpy(p->outcomes, o, sizeof(o));
	p->noutcomes = nitems(o);
}

START_TEST(test_outcome_frequencies)
{
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate f;
	unsigned counts[9] = { 0 }, refused = 0;
	size_t i;

	three_outcomes(p);
	p->submit_errors[0] = (struct carrier_submit_error){
	    SMPP_ESME_RTHROTTLED, 0.05 };
	p->nsubmit_errors = 1;
	for (i = 0; i < STATS_N; i++) {
		m.seq = i + 1;
		carrier_model_decide(p, SEED, &m, &f);
		if (f.submit_status != 0) {
			ck_assert_uint_eq(f.submit_status,
			    SMPP_ESME_RTHROTTLED);
			ck_assert_int_eq(f.state, 0);
			ck_assert_int_eq(f.final_receipt, 0);
			refused++;
			continue;
		}
		ck_assert(f.state > 0 && f.state < 9);
		counts[f.state]++;
		if (f.state == UNDELIV) {
			ck_assert_str_eq(f.err, "001");
			ck_assert(f.has_nec && f.nec_type == 3 &&
			    f.nec_code == 0x22);
		}
	}
	/* Standard errors are 0.0007 (refused) and 0.0015 (outcomes). */
	ck_assert(fabs(refused / (double)STATS_N - 0.05) < 0.004);
	ck_assert(fabs(counts[DELIVRD] / (double)(STATS_N - refused) - 0.7) <
	    0.008);
	ck_assert(fabs(counts[UNDELIV] / (double)(STATS_N - refused) - 0.2) <
	    0.008);
	ck_assert(fabs(counts[REJECTD] / (double)(STATS_N - refused) - 0.1) <
	    0.008);
	free_profile(p);
}
END_TEST

static int
fates_equal(const struct carrier_fate *a, const struct carrier_fate *b)
{
	return a->submit_status == b->submit_status &&
	    a->submit_latency == b->submit_latency && a->rule == b->rule &&
	    a->state == b->state && strcmp(a->err, b->err) == 0 &&
	    a->has_nec == b->has_nec && a->nec_type == b->nec_type &&
	    a->nec_code == b->nec_code && a->done_at == b->done_at &&
	    a->expire_at == b->expire_at &&
	    a->intermediate_state == b->intermediate_state &&
	    a->intermediate_at == b->intermediate_at &&
	    a->final_receipt == b->final_receipt;
}

static void
random_profile(struct carrier_profile *p)
{
	three_outcomes(p);
	p->submit_latency = (struct carrier_dist){
	    CARRIER_DIST_EXPONENTIAL, 20 * MSEC, 0 };
	p->receipt_delay = (struct carrier_dist){
	    CARRIER_DIST_LOGNORMAL, 2 * SEC, 30 * SEC };
	p->intermediate_delay = (struct carrier_dist){
	    CARRIER_DIST_UNIFORM, 0, 1 * SEC };
}

START_TEST(test_determinism)
{
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate a, b;
	unsigned same_state = 0, same_delay = 0;
	uint64_t seq;

	random_profile(p);
	m.registered_delivery = SMPP_RD_RECEIPT_ANY | SMPP_RD_INTERMEDIATE;
	for (seq = 1; seq <= 1000; seq++) {
		m.seq = seq;
		carrier_model_decide(p, SEED, &m, &a);
		carrier_model_decide(p, SEED, &m, &b);
		ck_assert(fates_equal(&a, &b));
		m.seq = seq + 1;
		carrier_model_decide(p, SEED, &m, &b);
		same_state += a.state == b.state;
		same_delay += a.done_at == b.done_at;
	}
	/* Neighbours agree on the state about as often as chance says:
	 * 0.7^2 + 0.2^2 + 0.1^2 = 0.54. */
	ck_assert_msg(same_state > 480 && same_state < 600, "%u", same_state);
	ck_assert_uint_lt(same_delay, 5);
	free_profile(p);
}
END_TEST

/* What the dice depend on: each of these changes every fate. */
START_TEST(test_dice_inputs)
{
	struct carrier_profile *p = new_profile(), *q = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate a, b;
	unsigned seed_same = 0, name_same = 0, pseed_same = 0;
	uint64_t seq;

	random_profile(p);
	random_profile(q);
	for (seq = 1; seq <= 200; seq++) {
		m.seq = seq;
		carrier_model_decide(p, SEED, &m, &a);
		carrier_model_decide(p, SEED + 1, &m, &b);
		seed_same += a.done_at == b.done_at;
		memcpy(q->name, "other", sizeof("other"));
		carrier_model_decide(q, SEED, &m, &b);
		name_same += a.done_at == b.done_at;
		memcpy(q->name, "acme", sizeof("acme"));
		q->seed = 7;
		carrier_model_decide(q, SEED, &m, &b);
		pseed_same += a.done_at == b.done_at;
		q->seed = 0;
	}
	ck_assert_uint_lt(seed_same, 3);
	ck_assert_uint_lt(name_same, 3);
	ck_assert_uint_lt(pseed_same, 3);
	free_profile(p);
	free_profile(q);
}
END_TEST

/* Each decision has its own stream: a new delay keeps the outcomes. */
START_TEST(test_streams_independent)
{
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate a, b;
	uint64_t seq;

	random_profile(p);
	for (seq = 1; seq <= 500; seq++) {
		m.seq = seq;
		p->receipt_delay.kind = CARRIER_DIST_LOGNORMAL;
		carrier_model_decide(p, SEED, &m, &a);
		p->receipt_delay.kind = CARRIER_DIST_EXPONENTIAL;
		carrier_model_decide(p, SEED, &m, &b);
		ck_assert_int_eq(a.state, b.state);
		ck_assert_int_eq(a.submit_latency, b.submit_latency);
	}
	free_profile(p);
}
END_TEST

/* ---- Capability refusals. ---- */

struct check_case {
	const char	*name;
	void		(*setup)(struct carrier_profile *);
	const char	*source;	/* NULL: base_info()'s */
	uint8_t		 source_ton;
	const char	*dest;		/* NULL: base_info()'s */
	int		 data_coding;	/* -1: base_info()'s */
	size_t		 length;	/* 0: base_info()'s */
	unsigned	 segments;	/* 0: base_info()'s */
	uint32_t	 status;
};

static void setup_none(struct carrier_profile *p) { (void)p; }
static void setup_long_only(struct carrier_profile *p)
{ p->senders = CARRIER_SENDER_LONG_CODE; }
static void setup_no_alpha(struct carrier_profile *p)
{ p->senders = CARRIER_SENDER_ALL & ~CARRIER_SENDER_ALPHANUMERIC; }
static void setup_no_toll_free(struct carrier_profile *p)
{ p->senders = CARRIER_SENDER_ALL & ~CARRIER_SENDER_TOLL_FREE; }
static void setup_no_long(struct carrier_profile *p)
{ p->senders = CARRIER_SENDER_ALL & ~CARRIER_SENDER_LONG_CODE; }
static void setup_serves_1415(struct carrier_profile *p)
{
	memcpy(p->serves[0], "+1415", sizeof("+1415"));
	memcpy(p->serves[1], "44", sizeof("44"));
	p->nserves = 2;
}
static void setup_no_ucs2(struct carrier_profile *p)
{ carrier_profile_deny_coding(p, SMPP_DC_UCS2); }
static void setup_len_0(struct carrier_profile *p) { p->max_length = 0; }
static void setup_len_160(struct carrier_profile *p) { p->max_length = 160; }
static void setup_seg_2(struct carrier_profile *p) { p->max_segments = 2; }

#define CHK(n, fn, src, ton, dst, dc, len, seg, st) \
	{ n, fn, src, ton, dst, dc, len, seg, st }

static const struct check_case check_cases[] = {
	CHK("defaults accept", setup_none, NULL, 0, NULL, -1, 0, 0, 0),
	CHK("short code refused", setup_long_only, "55555", 0, NULL, -1, 0,
	    0, SMPP_ESME_RINVSRCADR),
	CHK("long code accepted", setup_long_only, NULL, 0, NULL, -1, 0, 0,
	    0),
	CHK("alphanumeric refused", setup_no_alpha, "ACME", 5, NULL, -1, 0,
	    0, SMPP_ESME_RINVSRCADR),
	CHK("toll-free refused", setup_no_toll_free, "+18885550100", 1, NULL,
	    -1, 0, 0, SMPP_ESME_RINVSRCADR),
	CHK("long code refused", setup_no_long, NULL, 0, NULL, -1, 0, 0,
	    SMPP_ESME_RINVSRCADR),
	CHK("served prefix", setup_serves_1415, NULL, 0, "+14155550100", -1,
	    0, 0, 0),
	CHK("served prefix without +", setup_serves_1415, NULL, 0,
	    "14155550100", -1, 0, 0, 0),
	CHK("served prefix, + on the address only", setup_serves_1415, NULL,
	    0, "+447700900123", -1, 0, 0, 0),
	CHK("not served", setup_serves_1415, NULL, 0, "+12125550100", -1, 0,
	    0, SMPP_ESME_RINVDSTADR),
	CHK("UCS-2 accepted by default", setup_none, NULL, 0, NULL,
	    SMPP_DC_UCS2, 0, 0, 0),
	CHK("UCS-2 refused", setup_no_ucs2, NULL, 0, NULL, SMPP_DC_UCS2, 0,
	    0, SMPP_ESME_RINVDCS),
	CHK("0xF0 refused by default", setup_none, NULL, 0, NULL, 0xF0, 0, 0,
	    SMPP_ESME_RINVDCS),
	CHK("long payload accepted by default", setup_none, NULL, 0, NULL,
	    -1, 1000, 0, 0),
	CHK("max_length 0 means 254", setup_len_0, NULL, 0, NULL, -1, 254, 0,
	    0),
	CHK("max_length 0 refuses 255", setup_len_0, NULL, 0, NULL, -1, 255,
	    0, SMPP_ESME_RINVMSGLEN),
	CHK("above max_length", setup_len_160, NULL, 0, NULL, -1, 161, 0,
	    SMPP_ESME_RINVMSGLEN),
	CHK("at max_segments", setup_seg_2, NULL, 0, NULL, -1, 0, 2, 0),
	CHK("above max_segments", setup_seg_2, NULL, 0, NULL, -1, 0, 3,
	    SMPP_ESME_RINVMSGLEN),
};

START_TEST(test_check)
{
	const struct check_case *c = &check_cases[_i];
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	char reason[128] = "junk";
	uint32_t st;

	c->setup(p);
	if (c->source != NULL) {
		m.source_addr = c->source;
		m.source_ton = c->source_ton;
	}
	if (c->dest != NULL)
		m.destination_addr = c->dest;
	if (c->data_coding >= 0)
		m.data_coding = (uint8_t)c->data_coding;
	if (c->length != 0)
		m.length = c->length;
	if (c->segments != 0)
		m.segments = c->segments;
	st = carrier_model_check(p, &m, reason, sizeof(reason));
	ck_assert_msg(st == c->status, "%s: status 0x%x (%s)", c->name, st,
	    reason);
	if (st == 0)
		ck_assert_str_eq(reason, "");
	else
		ck_assert_msg(reason[0] != '\0', "%s: no reason", c->name);
	free_profile(p);
}
END_TEST

/* ---- Rules. ---- */

static void
add_rule(struct carrier_profile *p, const char *prefix, const char *to_re,
    const char *body_re, uint32_t submit_status, int state)
{
	struct carrier_rule *r = &p->rules[p->nrules++];

	if (prefix != NULL)
		memcpy(r->to_prefix, prefix, strlen(prefix) + 1);
	if (to_re != NULL) {
		ck_assert_int_eq(regcomp(&r->to_regex, to_re,
		    REG_EXTENDED | REG_NOSUB), 0);
		r->has_to_regex = 1;
	}
	if (body_re != NULL) {
		ck_assert_int_eq(regcomp(&r->body_regex, body_re,
		    REG_EXTENDED | REG_NOSUB), 0);
		r->has_body_regex = 1;
	}
	r->submit_status = submit_status;
	r->outcome.state = state;
}

/* Rules 0-3 of rule_profile(). */
static void
rule_profile(struct carrier_profile *p)
{
	add_rule(p, "+1555", NULL, NULL, 0, UNDELIV);
	memcpy(p->rules[0].outcome.err, "011", 4);
	p->rules[0].outcome.has_nec = 1;
	p->rules[0].outcome.nec_type = 3;
	p->rules[0].outcome.nec_code = 0x0123;
	add_rule(p, NULL, "^\\+?44", NULL, 0, REJECTD);
	add_rule(p, NULL, NULL, "(^| )STOP( |$)", SMPP_ESME_RSUBMITFAIL, 0);
	add_rule(p, "1212", NULL, "slow", 0, 0);
	p->rules[3].has_delay = 1;
	p->rules[3].delay = 5 * SEC;
	add_rule(p, "+1415", NULL, NULL, 0, UNDELIV);
	memcpy(p->rules[4].from_prefix, "55555", 6);
}

struct rule_case {
	const char	*name;
	const char	*dest;
	const char	*text;
	int		 rule;
	uint32_t	 submit_status;
	int		 state;
	const char	*err;
	int64_t		 delay;		/* done_at - now */
	const char	*src;		/* source_addr; NULL: base_info's */
};

static const struct rule_case rule_cases[] = {
	{ "prefix", "15555550100", "hi", 0, 0, UNDELIV, "011", 100 * MSEC,
	    NULL },
	{ "prefix with +", "+15555550100", "hi", 0, 0, UNDELIV, "011",
	    100 * MSEC, NULL },
	{ "to regex", "447700900123", "hi", 1, 0, REJECTD, "000",
	    100 * MSEC, NULL },
	{ "body regex refuses", "+14155550100", "please STOP now", 2,
	    SMPP_ESME_RSUBMITFAIL, 0, "", 0, NULL },
	{ "body regex no match", "+14155550100", "STOPPED", -1, 0, DELIVRD,
	    "000", 100 * MSEC, NULL },
	{ "first rule wins", "+15555550100", "STOP", 0, 0, UNDELIV, "011",
	    100 * MSEC, NULL },
	{ "delay only, dice decide", "+12125550100", "slow one", 3, 0,
	    DELIVRD, "000", 5 * SEC, NULL },
	{ "both conditions needed", "+12125550100", "fast", -1, 0, DELIVRD,
	    "000", 100 * MSEC, NULL },
	{ "no rule", "+14155550100", "hi", -1, 0, DELIVRD, "000",
	    100 * MSEC, NULL },
	{ "from the short code", "+14155550100", "hi", 4, 0, UNDELIV, "000",
	    100 * MSEC, "55555" },
	{ "from a long code", "+14155550100", "hi", -1, 0, DELIVRD, "000",
	    100 * MSEC, "+14155550101" },
};

START_TEST(test_rules)
{
	const struct rule_case *c = &rule_cases[_i];
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate f;

	rule_profile(p);
	m.destination_addr = c->dest;
	m.text = c->text;
	if (c->src != NULL)
		m.source_addr = c->src;
	carrier_model_decide(p, SEED, &m, &f);
	ck_assert_msg(f.rule == c->rule, "%s: rule %d", c->name, f.rule);
	ck_assert_uint_eq(f.submit_status, c->submit_status);
	ck_assert_int_eq(f.state, c->state);
	if (c->submit_status == 0) {
		ck_assert_str_eq(f.err, c->err);
		ck_assert_int_eq(f.done_at - m.now, c->delay);
	}
	if (c->rule == 0)
		ck_assert(f.has_nec && f.nec_type == 3 &&
		    f.nec_code == 0x0123);
	free_profile(p);
}
END_TEST

/* A rule's submit_status beats the dice; the dice beat a rule outcome. */
START_TEST(test_rule_precedence)
{
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate f;

	rule_profile(p);
	p->submit_errors[0] = (struct carrier_submit_error){
	    SMPP_ESME_RSYSERR, 1.0 };
	p->nsubmit_errors = 1;
	m.text = "STOP";
	carrier_model_decide(p, SEED, &m, &f);
	ck_assert_uint_eq(f.submit_status, SMPP_ESME_RSUBMITFAIL);
	ck_assert_int_eq(f.rule, 2);
	m.text = "hi";
	m.destination_addr = "+15555550100";
	carrier_model_decide(p, SEED, &m, &f);
	ck_assert_uint_eq(f.submit_status, SMPP_ESME_RSYSERR);
	ck_assert_int_eq(f.rule, -1);
	ck_assert_int_eq(f.state, 0);
	ck_assert_int_eq(f.final_receipt, 0);
	free_profile(p);
}
END_TEST

/* ---- Times: expiry and scheduling. ---- */

struct time_case {
	const char	*name;
	int64_t		 delay;		/* receipt_delay, fixed */
	int64_t		 validity;	/* profile default_validity */
	int		 expired_err;	/* add an EXPIRED outcome, err "005" */
	int64_t		 schedule_at;	/* relative to T0; 0: none */
	int64_t		 expire_at;	/* relative to T0; 0: none */
	int		 state;
	const char	*err;
	int64_t		 done_at;	/* relative to T0 */
	int64_t		 fate_expire_at; /* relative; -1: INT64_MAX */
};

static const struct time_case time_cases[] = {
	{ "delivered in time", 1 * SEC, 60 * SEC, 0, 0, 0, DELIVRD, "000",
	    1 * SEC, 60 * SEC },
	{ "expire_at before done", 10 * SEC, 60 * SEC, 0, 0, 5 * SEC,
	    EXPIRED, "000", 5 * SEC, 5 * SEC },
	{ "expiry takes the EXPIRED outcome's err", 10 * SEC, 60 * SEC, 1, 0,
	    5 * SEC, EXPIRED, "005", 5 * SEC, 5 * SEC },
	{ "default validity", 2 * SEC, 1 * SEC, 0, 0, 0, EXPIRED, "000",
	    1 * SEC, 1 * SEC },
	{ "validity 0 never expires", 1000 * SEC, 0, 0, 0, 0, DELIVRD, "000",
	    1000 * SEC, -1 },
	{ "done exactly at expiry", 5 * SEC, 60 * SEC, 0, 0, 5 * SEC,
	    DELIVRD, "000", 5 * SEC, 5 * SEC },
	{ "expire_at in the past", 1 * SEC, 60 * SEC, 0, 0, -5 * SEC,
	    EXPIRED, "000", 0, -5 * SEC },
	{ "scheduled", 100 * MSEC, 0, 0, 60 * SEC, 0, DELIVRD, "000",
	    60 * SEC + 100 * MSEC, -1 },
	{ "schedule in the past", 100 * MSEC, 0, 0, -60 * SEC, 0, DELIVRD,
	    "000", 100 * MSEC, -1 },
	{ "scheduled past validity", 100 * MSEC, 30 * SEC, 0, 60 * SEC, 0,
	    EXPIRED, "000", 30 * SEC, 30 * SEC },
};

START_TEST(test_times)
{
	const struct time_case *c = &time_cases[_i];
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate f;

	p->receipt_delay = (struct carrier_dist){ CARRIER_DIST_FIXED,
	    c->delay, 0 };
	p->default_validity = c->validity;
	if (c->expired_err) {
		p->outcomes[0].p = 1.0;
		p->outcomes[1] = (struct carrier_outcome){ .state = EXPIRED,
		    .p = 0.0, .err = "005" };
		p->noutcomes = 2;
	}
	if (c->schedule_at != 0)
		m.schedule_at = T0 + c->schedule_at;
	if (c->expire_at != 0)
		m.expire_at = T0 + c->expire_at;
	carrier_model_decide(p, SEED, &m, &f);
	ck_assert_msg(f.state == c->state, "%s: state %d", c->name, f.state);
	ck_assert_str_eq(f.err, c->err);
	ck_assert_int_eq(f.done_at, T0 + c->done_at);
	if (c->fate_expire_at == -1)
		ck_assert_int_eq(f.expire_at, INT64_MAX);
	else
		ck_assert_int_eq(f.expire_at, T0 + c->fate_expire_at);
	free_profile(p);
}
END_TEST

/* ---- Receipts. ---- */

struct receipt_case {
	uint8_t		 rd;
	int		 state;
	int		 final_receipt;
	int		 intermediate;
};

static const struct receipt_case receipt_cases[] = {
	{ 0x00, DELIVRD, 0, 0 }, { 0x00, UNDELIV, 0, 0 },
	{ 0x01, DELIVRD, 1, 0 }, { 0x01, UNDELIV, 1, 0 },
	{ 0x02, DELIVRD, 0, 0 }, { 0x02, UNDELIV, 1, 0 },
	{ 0x02, EXPIRED, 1, 0 }, { 0x02, REJECTD, 1, 0 },
	{ 0x03, DELIVRD, 1, 0 }, { 0x03, UNDELIV, 0, 0 },
	{ 0x03, SMPP_RECEIPT_STAT_ACCEPTD, 1, 0 },
	{ 0x10, DELIVRD, 0, 1 }, { 0x11, DELIVRD, 1, 1 },
	{ 0x12, DELIVRD, 0, 1 }, { 0x13, UNDELIV, 0, 1 },
	{ 0x1C, DELIVRD, 0, 1 },	/* other bits do not matter */
};

START_TEST(test_receipts)
{
	const struct receipt_case *c = &receipt_cases[_i];
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate f;

	p->outcomes[0].state = c->state;
	m.registered_delivery = c->rd;
	carrier_model_decide(p, SEED, &m, &f);
	ck_assert_int_eq(f.state, c->state);
	ck_assert_msg(f.final_receipt == c->final_receipt, "rd 0x%02x state "
	    "%d: final %d", c->rd, c->state, f.final_receipt);
	if (c->intermediate) {
		ck_assert_int_eq(f.intermediate_state, ENROUTE);
		ck_assert_int_eq(f.intermediate_at, T0 + 50 * MSEC);
	} else {
		ck_assert_int_eq(f.intermediate_state, 0);
		ck_assert_int_eq(f.intermediate_at, 0);
	}
	free_profile(p);
}
END_TEST

/* The intermediate notification never comes after the final state. */
START_TEST(test_intermediate_before_final)
{
	struct carrier_profile *p = new_profile();
	struct carrier_submit_info m = base_info();
	struct carrier_fate f;

	p->intermediate_delay.a = 10 * SEC;
	m.registered_delivery = SMPP_RD_INTERMEDIATE | SMPP_RD_RECEIPT_ANY;
	carrier_model_decide(p, SEED, &m, &f);
	ck_assert_int_eq(f.done_at, T0 + 100 * MSEC);
	ck_assert_int_eq(f.intermediate_at, f.done_at);
	free_profile(p);
}
END_TEST

struct failure_case {
	int	state;
	int	failure;
};

static const struct failure_case failure_cases[] = {
	{ SMPP_RECEIPT_STAT_ENROUTE, 0 }, { SMPP_RECEIPT_STAT_DELIVRD, 0 },
	{ SMPP_RECEIPT_STAT_EXPIRED, 1 }, { SMPP_RECEIPT_STAT_DELETED, 1 },
	{ SMPP_RECEIPT_STAT_UNDELIV, 1 }, { SMPP_RECEIPT_STAT_ACCEPTD, 0 },
	{ SMPP_RECEIPT_STAT_UNKNOWN, 1 }, { SMPP_RECEIPT_STAT_REJECTD, 1 },
};

START_TEST(test_state_is_failure)
{
	const struct failure_case *c = &failure_cases[_i];

	ck_assert_int_eq(carrier_state_is_failure(c->state), c->failure);
}
END_TEST

/* ---- smpp/address. ---- */

struct address_case {
	const char		*addr;
	uint8_t			 ton;
	enum smpp_address_kind	 kind;
};

#define SHORT	SMPP_ADDRESS_SHORT_CODE
#define LONG	SMPP_ADDRESS_LONG_CODE
#define TOLL	SMPP_ADDRESS_TOLL_FREE
#define ALPHA	SMPP_ADDRESS_ALPHANUMERIC

static const struct address_case address_cases[] = {
	{ "55555", 0, SHORT },
	{ "555", 3, SHORT },
	{ "12345678", 0, SHORT },
	{ "55555", 1, LONG },		/* international: a number */
	{ "+55555", 0, LONG },
	{ "12", 0, LONG },
	{ "123456789", 0, LONG },
	{ "1234", 6, SHORT },		/* abbreviated */
	{ "123456789", 6, SHORT },
	{ "+14155550100", 1, LONG },
	{ "14155550100", 1, LONG },
	{ "+18885550100", 1, TOLL },
	{ "18005550100", 1, TOLL },
	{ "18005550100", 0, TOLL },
	{ "+18335550100", 0, TOLL },
	{ "+18445550100", 1, TOLL },
	{ "+18555550100", 1, TOLL },
	{ "+18665550100", 1, TOLL },
	{ "+18775550100", 1, TOLL },
	{ "+18225550100", 1, LONG },	/* not (yet) toll-free */
	{ "+1800555010", 1, LONG },	/* one digit short */
	{ "8005550100", 2, LONG },	/* no country code: unknown */
	{ "+448005550100", 1, LONG },
	{ "ACME", 5, ALPHA },
	{ "ACME", 0, ALPHA },
	{ "12345", 5, ALPHA },
	{ "+1800555010x", 1, ALPHA },
	{ "555 55", 0, ALPHA },
	{ "+447700900123", 1, LONG },
	{ "", 0, LONG },
	{ NULL, 0, LONG },
};

START_TEST(test_address_kind)
{
	const struct address_case *c = &address_cases[_i];
	enum smpp_address_kind k = smpp_address_kind(c->ton, 1, c->addr);

	ck_assert_msg(k == c->kind, "%s ton %u: %s", c->addr ? c->addr : "NULL",
	    c->ton, smpp_address_kind_name(k));
}
END_TEST

START_TEST(test_address_kind_names)
{
	ck_assert_str_eq(smpp_address_kind_name(SHORT), "short_code");
	ck_assert_str_eq(smpp_address_kind_name(LONG), "long_code");
	ck_assert_str_eq(smpp_address_kind_name(TOLL), "toll_free");
	ck_assert_str_eq(smpp_address_kind_name(ALPHA), "alphanumeric");
	ck_assert_str_eq(smpp_address_kind_name((enum smpp_address_kind)9),
	    "unknown");
}
END_TEST

static Suite *
model_suite(void)
{
	Suite	*s = suite_create("model");
	TCase	*tc = tcase_create("model");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_profile_defaults);
	tcase_add_loop_test(tc, test_dist, 0, nitems(dist_cases));
	tcase_add_test(tc, test_outcome_frequencies);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_dice_inputs);
	tcase_add_test(tc, test_streams_independent);
	tcase_add_loop_test(tc, test_check, 0, nitems(check_cases));
	tcase_add_loop_test(tc, test_rules, 0, nitems(rule_cases));
	tcase_add_test(tc, test_rule_precedence);
	tcase_add_loop_test(tc, test_times, 0, nitems(time_cases));
	tcase_add_loop_test(tc, test_receipts, 0, nitems(receipt_cases));
	tcase_add_test(tc, test_intermediate_before_final);
	tcase_add_loop_test(tc, test_state_is_failure, 0,
	    nitems(failure_cases));
	tcase_add_loop_test(tc, test_address_kind, 0, nitems(address_cases));
	tcase_add_test(tc, test_address_kind_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(model_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
