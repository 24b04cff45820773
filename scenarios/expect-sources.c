/*
 * Expectations over what the engine collected rather than the store:
 * the status callbacks the sink received (count, ratio, in_order), the
 * PDUs the carriers captured (count) and a traffic generator's own
 * counts (accepted, refused, codes).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carriers/carrier.h"
#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/expect-internal.h"
#include "scenarios/scenario.h"
#include "scenarios/traffic.h"
#include "smpp/smpp.h"

/* ---- callbacks ---- */

static const char *
param(const struct engine_callback *cb, const char *name)
{
	const char *v = json_string_value(json_object_get(cb->params, name));

	return v != NULL ? v : "";
}

/*
 * A status callback names its message MessageSid and its numbers To and
 * From; a link click event (Link Shortening) says sms_sid, to and from.
 */
static const char *
callback_sid(const struct engine_callback *cb)
{
	return cb->message_sid[0] != '\0' ? cb->message_sid :
	    param(cb, "sms_sid");
}

static const char *
param2(const struct engine_callback *cb, const char *a, const char *b)
{
	return json_object_get(cb->params, a) != NULL ? param(cb, a) :
	    param(cb, b);
}

/* 0 a status callback, 1 a click event, -1 neither. */
static int
callback_event(const struct engine_callback *cb)
{
	if (strcmp(param(cb, "event_type"), "click") == 0)
		return 1;
	return cb->status[0] != '\0' ? 0 : -1;
}

static void
callback_example(struct expect_ctx *ctx, const struct engine_callback *cb)
{
	if (callback_event(cb) == 1)
		expect_example(ctx, "%s: click", callback_sid(cb));
	else if (cb->error_code != 0)
		expect_example(ctx, "%s: %s %d", callback_sid(cb), cb->status,
		    cb->error_code);
	else
		expect_example(ctx, "%s: %s", callback_sid(cb), cb->status);
}

/* Every key but status and error_code. */
static int
callback_match_base(const struct expect_ctx *ctx,
    const struct engine_callback *cb)
{
	const struct expect_filter *f = &ctx->x->filter;

	if (f->event != EXPECT_ANY && callback_event(cb) != f->event)
		return 0;
	if (f->traffic[0] != '\0' && !expect_sid_in(ctx, callback_sid(cb)))
		return 0;
	if (f->signed_ok != EXPECT_ANY && cb->signature_ok != f->signed_ok)
		return 0;
	return expect_match_pattern(f->to, param2(cb, "To", "to")) &&
	    expect_match_pattern(f->from, param2(cb, "From", "from"));
}

/*
 * A status's place in a message's life. A message's callbacks are in
 * order when each is not before the one that came before it; the one
 * exception is the long-code fallback, whose second attempt starts again
 * at queued after the short code's undelivered.
 */
static int
lifecycle_rank(const char *status)
{
	static const struct {
		const char	*status;
		int		 rank;
	} ranks[] = {
		{ "accepted", 0 }, { "scheduled", 0 }, { "queued", 1 },
		{ "sending", 2 }, { "sent", 3 }, { "delivered", 4 },
		{ "undelivered", 4 }, { "failed", 4 }, { "canceled", 4 },
		{ "partially_delivered", 4 }, { "read", 5 },
		{ "receiving", 0 }, { "received", 4 },
	};
	size_t i;

	for (i = 0; i < sizeof ranks / sizeof ranks[0]; i++)
		if (strcmp(ranks[i].status, status) == 0)
			return ranks[i].rank;
	return -1;
}

static int
in_order(const char *prev, const char *next)
{
	if (strcmp(prev, "undelivered") == 0 && strcmp(next, "queued") == 0)
		return 1;
	return lifecycle_rank(next) >= lifecycle_rank(prev);
}

struct cb_ref {
	const struct engine_callback	*cb;
	size_t				 index;	/* arrival order */
};

/* By message, then in the order they arrived. */
static int
cb_ref_cmp(const void *a, const void *b)
{
	const struct cb_ref	*x = a, *y = b;
	int			 c = strcmp(x->cb->message_sid,
				    y->cb->message_sid);

	if (c != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/* Messages whose matching callbacks came out of order. */
static void
eval_in_order(struct expect_ctx *ctx, const struct engine_callback *cbs,
    size_t n)
{
	struct cb_ref	*refs = xreallocarray(NULL, n > 0 ? n : 1,
			    sizeof *refs);
	size_t		 i, nrefs = 0, messages = 0, bad = 0;
	int		 flagged = 0;

	/* Only status callbacks have a place in a message's life. */
	for (i = 0; i < n; i++)
		if (callback_event(&cbs[i]) == 0 &&
		    callback_match_base(ctx, &cbs[i]))
			refs[nrefs++] = (struct cb_ref){ &cbs[i], i };
	qsort(refs, nrefs, sizeof *refs, cb_ref_cmp);
	for (i = 0; i < nrefs; i++) {
		if (i == 0 || strcmp(refs[i - 1].cb->message_sid,
		    refs[i].cb->message_sid) != 0) {
			messages++;
			flagged = 0;
			continue;
		}
		if (flagged || in_order(refs[i - 1].cb->status,
		    refs[i].cb->status))
			continue;
		flagged = 1;
		bad++;
		expect_example(ctx, "%s: %s after %s", refs[i].cb->message_sid,
		    refs[i].cb->status, refs[i - 1].cb->status);
	}
	free(refs);
	ctx->r->passed = messages > 0 && bad == 0;
	if (messages == 0)
		snprintf(ctx->r->actual, sizeof ctx->r->actual,
		    "no callbacks matched");
	else
		snprintf(ctx->r->actual, sizeof ctx->r->actual, "%zu of %zu "
		    "messages out of order", bad, messages);
}

void
expect_eval_callbacks(struct expect_ctx *ctx)
{
	const struct expect_filter	*f = &ctx->x->filter;
	const struct engine_callback	*cbs;
	size_t				 i, n = 0;
	uint64_t			 matched = 0, total = 0;
	int				 m;

	expect_sids_load(ctx, f->traffic);
	cbs = engine_callbacks(ctx->e, &n);
	if (ctx->x->measure == EXPECT_MEASURE_IN_ORDER) {
		eval_in_order(ctx, cbs, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!callback_match_base(ctx, &cbs[i]))
			continue;
		total++;
		m = expect_match_statuses(f->statuses, cbs[i].status) &&
		    expect_match_error(f, cbs[i].error_code);
		matched += m;
		if (m == (ctx->x->measure != EXPECT_MEASURE_RATIO))
			callback_example(ctx, &cbs[i]);
	}
	expect_judge_count(ctx, matched, total);
}

/* ---- PDUs ---- */

static int
pdu_match(const struct expect_pdu_filter *p, json_t *cap)
{
	json_t		*pdu = json_object_get(cap, "pdu");
	const char	*dir = json_string_value(json_object_get(cap, "dir"));
	const char	*cmd = json_string_value(json_object_get(pdu,
			    "command"));
	const char	*st = json_string_value(json_object_get(pdu,
			    "command_status"));
	uint32_t	 status;

	if (p->dir != EXPECT_ANY && (dir == NULL ||
	    strcmp(dir, p->dir == 0 ? "in" : "out") != 0))
		return 0;
	if (p->command[0] != '\0' && (cmd == NULL ||
	    strcmp(cmd, p->command) != 0))
		return 0;
	if (p->status_set && (st == NULL || smpp_status_parse(st,
	    &status) == -1 || status != p->status))
		return 0;
	return 1;
}

/* Matching PDUs of every bind (open, then the recent closed ones). */
static uint64_t
pdus_count(struct expect_ctx *ctx, struct carrier *c, const char *name)
{
	json_t		*binds = carrier_binds_json(c), *b, *caps, *cap;
	size_t		 i, j;
	uint64_t	 n = 0;
	json_int_t	 id;

	json_array_foreach(binds, i, b) {
		id = json_integer_value(json_object_get(b, "id"));
		if ((caps = carrier_pdus_json(c, (unsigned)id, 0,
		    SIZE_MAX)) == NULL)
			continue;
		json_array_foreach(caps, j, cap) {
			if (!pdu_match(&ctx->x->pdus, cap))
				continue;
			n++;
			expect_example(ctx, "%s bind %lld capture %lld", name,
			    (long long)id, (long long)json_integer_value(
			    json_object_get(cap, "index")));
		}
		json_decref(caps);
	}
	json_decref(binds);
	return n;
}

void
expect_eval_pdus(struct expect_ctx *ctx)
{
	const struct scenario	*s = engine_scenario(ctx->e);
	const char		*want = ctx->x->pdus.carrier;
	struct carrier		*c;
	uint64_t		 n = 0;
	size_t			 i;

	for (i = 0; i < engine_ncarriers(ctx->e); i++) {
		if (i >= s->ncarriers || (want[0] != '\0' &&
		    strcmp(want, s->carriers[i].name) != 0))
			continue;
		if ((c = engine_carrier_at(ctx->e, i)) != NULL)
			n += pdus_count(ctx, c, s->carriers[i].name);
	}
	expect_judge_count(ctx, n, n);
}

/* ---- a traffic generator's counts ---- */

static uint64_t
code_count(const struct traffic_result *res, uint32_t code)
{
	size_t i;

	for (i = 0; i < res->ncodes; i++)
		if (res->codes[i].code == code)
			return res->codes[i].count;
	return 0;
}

static void
eval_codes(struct expect_ctx *ctx, const struct traffic_result *res)
{
	const struct scenario_expect	*x = ctx->x;
	struct expect_result		*r = ctx->r;
	size_t				 i, len = 0;
	uint64_t			 n;

	r->passed = 1;
	for (i = 0; i < x->ncodes && len < sizeof r->actual; i++) {
		n = code_count(res, x->codes[i].code);
		if (!expect_cmp_holds(&x->codes[i].cmp, (double)n))
			r->passed = 0;
		len += (size_t)snprintf(r->actual + len, sizeof r->actual - len,
		    "%s%u x%llu", i > 0 ? ", " : "", x->codes[i].code,
		    (unsigned long long)n);
	}
	for (i = 0; !r->passed && i < res->ncodes; i++)
		expect_example(ctx, "refused %u x%llu", res->codes[i].code,
		    (unsigned long long)res->codes[i].count);
}

void
expect_eval_traffic(struct expect_ctx *ctx)
{
	const struct scenario_expect	*x = ctx->x;
	const struct traffic_result	*res;
	uint64_t			 n;

	if ((res = expect_traffic_find(ctx->traffic, x->traffic)) == NULL) {
		ctx->r->passed = 0;
		snprintf(ctx->r->actual, sizeof ctx->r->actual,
		    "traffic \"%s\" did not run", x->traffic);
		return;
	}
	if (x->measure == EXPECT_MEASURE_CODES) {
		eval_codes(ctx, res);
		return;
	}
	n = x->measure == EXPECT_MEASURE_ACCEPTED ? res->accepted :
	    res->refused;
	ctx->r->passed = expect_cmp_holds(&x->cmp, (double)n);
	snprintf(ctx->r->actual, sizeof ctx->r->actual, "%llu of %llu "
	    "requested (%llu accepted, %llu refused, %llu failed)",
	    (unsigned long long)n, (unsigned long long)res->requested,
	    (unsigned long long)res->accepted,
	    (unsigned long long)res->refused,
	    (unsigned long long)res->failed);
}
