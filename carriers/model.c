/*
 * The carrier model: capability checks and the fate of each message.
 *
 * Every random draw for a message comes from streams seeded by a hash of
 * (scenario seed, profile seed, carrier name, message seq). Each decision
 * (submit latency, submit error, outcome, receipt delay, intermediate
 * delay) has a stream of its own, so changing one distribution in a
 * scenario does not reshuffle the others: the same seed keeps giving the
 * same outcomes when only, say, the receipt delay changed.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "carriers/model.h"
#include "common/hash.h"
#include "common/random.h"
#include "smpp/address.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"

/* The 99th percentile of the standard normal distribution. */
#define Z99		2.3263478740

/* short_message's limit, what max_length 0 stands for. */
#define DEFAULT_MAX_LENGTH	254

/* One stream per decision; the values only need to differ. */
enum model_stream {
	STREAM_LATENCY = 1,
	STREAM_SUBMIT_ERROR,
	STREAM_OUTCOME,
	STREAM_RECEIPT_DELAY,
	STREAM_INTERMEDIATE,
};

/* Sender kind (smpp/address.h) to CARRIER_SENDER_* bit. */
static const unsigned sender_bits[] = {
	[SMPP_ADDRESS_SHORT_CODE] = CARRIER_SENDER_SHORT_CODE,
	[SMPP_ADDRESS_LONG_CODE] = CARRIER_SENDER_LONG_CODE,
	[SMPP_ADDRESS_TOLL_FREE] = CARRIER_SENDER_TOLL_FREE,
	[SMPP_ADDRESS_ALPHANUMERIC] = CARRIER_SENDER_ALPHANUMERIC,
};

/* splitmix64's finaliser: a bijective 64-bit mix. */
static uint64_t
mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The key of one message: everything its dice may depend on. */
static uint64_t
message_key(const struct carrier_profile *p, uint64_t seed, uint64_t seq)
{
	uint64_t h = mix64(seed);

	h = mix64(h ^ p->seed);
	h = mix64(h ^ hash_str(HASH_FNV_OFFSET, p->name));
	return mix64(h ^ seq);
}

uint64_t
carrier_message_key(const struct carrier_profile *p, uint64_t seed,
    uint64_t seq)
{
	return message_key(p, seed, seq);
}

static void
stream_seed(struct rng *r, uint64_t key, enum model_stream stream)
{
	rng_seed(r, mix64(key ^ mix64((uint64_t)stream)));
}

static int64_t
clamp_usec(double x)
{
	if (!(x > 0))		/* negative or NaN */
		return 0;
	if (x >= 9.2e18)
		return INT64_MAX;
	return (int64_t)llround(x);
}

/* A standard normal deviate (Box-Muller, one of the pair). */
static double
normal(struct rng *r)
{
	double u1 = 1.0 - rng_unit(r);	/* (0, 1]: log() stays finite */
	double u2 = rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

int64_t
carrier_dist_sample(const struct carrier_dist *d, struct rng *r)
{
	uint64_t span;
	double sigma;

	switch (d->kind) {
	case CARRIER_DIST_UNIFORM:
		if (d->b <= d->a)
			return d->a > 0 ? d->a : 0;
		/* b - a + 1 in unsigned arithmetic: no signed overflow, and
		 * the one span that wraps to 0 takes a whole draw. */
		span = (uint64_t)d->b - (uint64_t)d->a + 1;
		return clamp_usec((double)d->a + (double)(span == 0 ?
		    rng_next(r) : rng_below(r, span)));
	case CARRIER_DIST_LOGNORMAL:
		if (d->a <= 0)
			return 0;
		sigma = d->b > d->a ? log((double)d->b / (double)d->a) / Z99 :
		    0.0;
		return clamp_usec((double)d->a * exp(sigma * normal(r)));
	case CARRIER_DIST_EXPONENTIAL:
		return clamp_usec(-(double)d->a * log(1.0 - rng_unit(r)));
	case CARRIER_DIST_FIXED:
	default:
		return d->a > 0 ? d->a : 0;
	}
}

int
carrier_state_is_failure(int state)
{
	switch (state) {
	case SMPP_RECEIPT_STAT_EXPIRED:
	case SMPP_RECEIPT_STAT_DELETED:
	case SMPP_RECEIPT_STAT_UNDELIV:
	case SMPP_RECEIPT_STAT_UNKNOWN:
	case SMPP_RECEIPT_STAT_REJECTD:
		return 1;
	default:
		return 0;
	}
}

/* Whether addr starts with prefix, a leading '+' ignored on both. */
static int
prefix_matches(const char *prefix, const char *addr)
{
	prefix += prefix[0] == '+';
	addr += addr[0] == '+';
	return strncmp(addr, prefix, strlen(prefix)) == 0;
}

static int
serves(const struct carrier_profile *p, const char *addr)
{
	size_t i;

	if (p->nserves == 0)
		return 1;
	for (i = 0; i < p->nserves && i < CARRIER_MAX_PREFIXES; i++)
		if (prefix_matches(p->serves[i], addr))
			return 1;
	return 0;
}

static const char *
str_or_empty(const char *s)
{
	return s != NULL ? s : "";
}

uint32_t
carrier_model_check(const struct carrier_profile *p,
    const struct carrier_submit_info *m, char *reason, size_t len)
{
	const char *src = str_or_empty(m->source_addr);
	const char *dst = str_or_empty(m->destination_addr);
	enum smpp_address_kind kind;
	unsigned max_length;

	kind = smpp_address_kind(m->source_ton, m->source_npi, src);
	if ((p->senders & sender_bits[kind]) == 0) {
		snprintf(reason, len, "%s sender not accepted",
		    smpp_address_kind_name(kind));
		return SMPP_ESME_RINVSRCADR;
	}
	if (!serves(p, dst)) {
		snprintf(reason, len, "destination not served");
		return SMPP_ESME_RINVDSTADR;
	}
	if (!carrier_profile_accepts_coding(p, m->data_coding)) {
		snprintf(reason, len, "data_coding 0x%02x not accepted",
		    m->data_coding);
		return SMPP_ESME_RINVDCS;
	}
	max_length = p->max_length != 0 ? p->max_length : DEFAULT_MAX_LENGTH;
	if (m->length > max_length) {
		snprintf(reason, len, "length %zu above %u", m->length,
		    max_length);
		return SMPP_ESME_RINVMSGLEN;
	}
	if (p->max_segments != 0 && m->segments > p->max_segments) {
		snprintf(reason, len, "%u segments above %u", m->segments,
		    p->max_segments);
		return SMPP_ESME_RINVMSGLEN;
	}
	if (len > 0)
		reason[0] = '\0';
	return 0;
}

static int
rule_matches(const struct carrier_rule *r,
    const struct carrier_submit_info *m)
{
	const char *dst = str_or_empty(m->destination_addr);

	if (r->to_prefix[0] != '\0' && !prefix_matches(r->to_prefix, dst))
		return 0;
	if (r->from_prefix[0] != '\0' && !prefix_matches(r->from_prefix,
	    str_or_empty(m->source_addr)))
		return 0;
	if (r->has_to_regex && regexec(&r->to_regex, dst, 0, NULL, 0) != 0)
		return 0;
	if (r->has_body_regex && regexec(&r->body_regex,
	    str_or_empty(m->text), 0, NULL, 0) != 0)
		return 0;
	return 1;
}

static int
first_rule(const struct carrier_profile *p,
    const struct carrier_submit_info *m)
{
	size_t i;

	for (i = 0; i < p->nrules && i < CARRIER_MAX_RULES; i++)
		if (rule_matches(&p->rules[i], m))
			return (int)i;
	return -1;
}

/* A submit_errors draw: the status, or 0 for "accepted". */
static uint32_t
draw_submit_error(const struct carrier_profile *p, uint64_t key)
{
	struct rng r;
	double u, sum = 0;
	size_t i;

	if (p->nsubmit_errors == 0)
		return 0;
	stream_seed(&r, key, STREAM_SUBMIT_ERROR);
	u = rng_unit(&r);
	for (i = 0; i < p->nsubmit_errors && i < CARRIER_MAX_SUBMIT_ERRORS;
	    i++) {
		sum += p->submit_errors[i].p;
		if (u < sum)
			return p->submit_errors[i].status;
	}
	return 0;
}

/*
 * The outcome dice. Rounding may leave the probabilities summing to a
 * hair under 1: a draw past the sum takes the last outcome. No outcomes
 * at all reads as "always DELIVRD".
 */
static const struct carrier_outcome *
draw_outcome(const struct carrier_profile *p, uint64_t key)
{
	static const struct carrier_outcome delivered = {
		.state = SMPP_RECEIPT_STAT_DELIVRD, .p = 1.0, .err = "000",
	};
	size_t i, n = p->noutcomes;
	struct rng r;
	double u, sum = 0;

	if (n > CARRIER_MAX_OUTCOMES)
		n = CARRIER_MAX_OUTCOMES;
	if (n == 0)
		return &delivered;
	stream_seed(&r, key, STREAM_OUTCOME);
	u = rng_unit(&r);
	for (i = 0; i < n - 1; i++) {
		sum += p->outcomes[i].p;
		if (u < sum)
			break;
	}
	return &p->outcomes[i];
}

static void
set_outcome(struct carrier_fate *f, const struct carrier_outcome *o)
{
	f->state = o->state;
	if (o->err[0] != '\0')
		memcpy(f->err, o->err, sizeof(f->err));
	else
		memcpy(f->err, "000", sizeof("000"));
	f->err[sizeof(f->err) - 1] = '\0';
	f->has_nec = o->has_nec;
	f->nec_type = o->nec_type;
	f->nec_code = o->nec_code;
}

/* The profile's EXPIRED outcome gives an expiry its err and NEC. */
static void
set_expired(const struct carrier_profile *p, struct carrier_fate *f)
{
	static const struct carrier_outcome expired = {
		.state = SMPP_RECEIPT_STAT_EXPIRED, .err = "000",
	};
	const struct carrier_outcome *o = &expired;
	size_t i;

	for (i = 0; i < p->noutcomes && i < CARRIER_MAX_OUTCOMES; i++)
		if (p->outcomes[i].state == SMPP_RECEIPT_STAT_EXPIRED) {
			o = &p->outcomes[i];
			break;
		}
	set_outcome(f, o);
	f->done_at = f->expire_at;
}

static int64_t
add_usec(int64_t t, int64_t d)
{
	return d > INT64_MAX - t ? INT64_MAX : t + d;
}

/*
 * When the final state is reached and until when the message is valid. A
 * default_validity of 0 or less means "never expires". A validity end
 * already past when the message could be delivered expires it; done_at
 * never lies before now.
 */
static void
decide_times(const struct carrier_profile *p,
    const struct carrier_submit_info *m, const struct carrier_rule *rule,
    uint64_t key, struct carrier_fate *f)
{
	int64_t start = m->schedule_at > m->now ? m->schedule_at : m->now;
	int64_t delay;
	struct rng r;

	if (rule != NULL && rule->has_delay)
		delay = rule->delay > 0 ? rule->delay : 0;
	else {
		stream_seed(&r, key, STREAM_RECEIPT_DELAY);
		delay = carrier_dist_sample(&p->receipt_delay, &r);
	}
	f->done_at = add_usec(start, delay);
	if (m->expire_at != 0)
		f->expire_at = m->expire_at;
	else if (p->default_validity > 0)
		f->expire_at = add_usec(m->now, p->default_validity);
	else
		f->expire_at = INT64_MAX;
	if (f->done_at > f->expire_at) {
		set_expired(p, f);
		if (f->done_at < m->now)
			f->done_at = m->now;
	}
}

/*
 * The receipts registered_delivery asks for. The intermediate ENROUTE
 * notification never comes after the final state: when its delay would
 * put it later it is sent at done_at, and the carrier sends it first.
 */
static void
decide_receipts(const struct carrier_profile *p,
    const struct carrier_submit_info *m, uint64_t key, struct carrier_fate *f)
{
	int failed = carrier_state_is_failure(f->state);
	struct rng r;

	switch (m->registered_delivery & SMPP_RD_RECEIPT_MASK) {
	case SMPP_RD_RECEIPT_ANY:
		f->final_receipt = 1;
		break;
	case SMPP_RD_RECEIPT_FAILURE:
		f->final_receipt = failed;
		break;
	case SMPP_RD_RECEIPT_SUCCESS:
		f->final_receipt = !failed;
		break;
	default:
		f->final_receipt = 0;
		break;
	}
	if ((m->registered_delivery & SMPP_RD_INTERMEDIATE) == 0)
		return;
	stream_seed(&r, key, STREAM_INTERMEDIATE);
	f->intermediate_state = SMPP_RECEIPT_STAT_ENROUTE;
	f->intermediate_at = add_usec(m->now,
	    carrier_dist_sample(&p->intermediate_delay, &r));
	if (f->intermediate_at > f->done_at)
		f->intermediate_at = f->done_at;
}

/*
 * Precedence: a matching rule's submit_status is deterministic and wins
 * over the submit_errors dice (a scenario that says "this number is
 * refused" means always); otherwise the dice may refuse the submit; an
 * accepted message then takes the rule's outcome when it has one, else
 * the outcome dice. A refused submit has no state and no receipts, and
 * fate->rule is -1 when the dice refused it.
 */
void
carrier_model_decide(const struct carrier_profile *p, uint64_t seed,
    const struct carrier_submit_info *m, struct carrier_fate *f)
{
	uint64_t key = message_key(p, seed, m->seq);
	const struct carrier_rule *rule = NULL;
	struct rng r;

	memset(f, 0, sizeof(*f));
	stream_seed(&r, key, STREAM_LATENCY);
	f->submit_latency = carrier_dist_sample(&p->submit_latency, &r);
	f->rule = first_rule(p, m);
	if (f->rule >= 0)
		rule = &p->rules[f->rule];
	if (rule != NULL && rule->submit_status != 0)
		f->submit_status = rule->submit_status;
	else if ((f->submit_status = draw_submit_error(p, key)) != 0)
		f->rule = -1;		/* the dice decided, not the rule */
	if (f->submit_status != 0)
		return;
	if (rule != NULL && rule->outcome.state > 0)
		set_outcome(f, &rule->outcome);
	else
		set_outcome(f, draw_outcome(p, key));
	decide_times(p, m, rule, key, f);
	decide_receipts(p, m, key, f);
}
