/*
 * Evaluating an "expect" item (expect_eval() in scenarios/run.h): one
 * evaluator per subject, each filling the result's actual value, its
 * verdict and, on failure, a few examples. The text is deterministic:
 * clock times relative to the start and message sids (which the seed
 * decides), never wall-clock values.
 *
 * Every evaluation but "send" is done at once and its done() is called
 * from the loop right after (a clock timer of 0), so that the caller sees
 * the same order of events whatever the subject; "send" calls done() when
 * the API has answered.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/expect-internal.h"
#include "scenarios/traffic.h"

struct expect_later {
	struct clock_timer	*timer;
	void			(*done)(void *);
	void			*arg;
};

static void
expect_later_fire(struct clock_timer *t, void *arg)
{
	struct expect_later *l = arg;

	clock_timer_free(l->timer);
	l->done(l->arg);
	free(l);
}

static void
expect_later(struct engine *e, void (*done)(void *), void *arg)
{
	struct expect_later *l = xcalloc(1, sizeof *l);

	l->done = done;
	l->arg = arg;
	l->timer = clock_timer_new(engine_clock(e), expect_later_fire, l);
	clock_timer_add(l->timer, 0);
}

int
expect_db_open(struct expect_ctx *ctx)
{
	const char *path = engine_gateway_db(ctx->e);

	engine_store_sync(ctx->e);
	if (path == NULL || sqlite3_open_v2(path, &ctx->db,
	    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(ctx->r->actual, sizeof ctx->r->actual, "cannot read "
		    "the gateway's store: %s", ctx->db != NULL ?
		    sqlite3_errmsg(ctx->db) : "no store");
		sqlite3_close(ctx->db);
		ctx->db = NULL;
		return -1;
	}
	sqlite3_busy_timeout(ctx->db, 5000);
	return 0;
}

const struct traffic_result *
expect_traffic_find(const struct traffic *traffic, const char *name)
{
	const struct traffic_result	*res;
	size_t				 i, n;

	if (traffic == NULL)
		return NULL;
	res = traffic_results(traffic, &n);
	for (i = 0; i < n; i++)
		if (res[i].t != NULL && strcmp(res[i].t->name, name) == 0)
			return &res[i];
	return NULL;
}

static int
sid_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

void
expect_sids_load(struct expect_ctx *ctx, const char *traffic)
{
	const struct traffic_result *r;

	if (traffic[0] == '\0' ||
	    (r = expect_traffic_find(ctx->traffic, traffic)) == NULL ||
	    r->nsids == 0)
		return;
	ctx->sids = xreallocarray(NULL, r->nsids, sizeof *ctx->sids);
	memcpy(ctx->sids, r->sids, r->nsids * sizeof *ctx->sids);
	ctx->nsids = r->nsids;
	qsort(ctx->sids, ctx->nsids, sizeof *ctx->sids, sid_cmp);
}

int
expect_sid_in(const struct expect_ctx *ctx, const char *sid)
{
	char key[40];

	if (ctx->nsids == 0)
		return 0;
	snprintf(key, sizeof key, "%s", sid);
	return bsearch(key, ctx->sids, ctx->nsids, sizeof *ctx->sids,
	    sid_cmp) != NULL;
}

/*
 * '*' is any run of characters; the rest must be equal. After a '*'
 * the text may be tried from any later position, so the last '*' seen
 * and where it started are enough to back up to (no recursion).
 */
int
expect_match_pattern(const char *pattern, const char *value)
{
	const char *star = NULL, *from = NULL;

	if (*pattern == '\0')
		return 1;
	while (*value != '\0') {
		if (*pattern == '*') {
			star = pattern++;
			from = value;
		} else if (*pattern == *value) {
			pattern++;
			value++;
		} else if (star != NULL) {
			pattern = star + 1;
			value = ++from;
		} else
			return 0;
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

int
expect_match_statuses(unsigned mask, const char *status)
{
	int st;

	if (mask == 0)
		return 1;
	return (st = gw_status_parse(status)) >= 0 && (mask & (1u << st));
}

int
expect_match_error(const struct expect_filter *f, int error_code)
{
	size_t i;

	if (f->nerror_codes == 0 && !f->error_none)
		return 1;
	if (error_code == 0)
		return f->error_none;
	for (i = 0; i < f->nerror_codes; i++)
		if (f->error_codes[i] == error_code)
			return 1;
	return 0;
}

void
expect_example(struct expect_ctx *ctx, const char *fmt, ...)
{
	char	*d = ctx->r->detail;
	size_t	 len = strlen(d);
	va_list	 ap;

	if (ctx->nexamples++ >= EXPECT_EXAMPLES || len + 1 >= sizeof
	    ctx->r->detail)
		return;
	if (len > 0)
		d[len++] = '\n';
	va_start(ap, fmt);
	vsnprintf(d + len, sizeof ctx->r->detail - len, fmt, ap);
	va_end(ap);
}

void
expect_judge_count(struct expect_ctx *ctx, uint64_t matched, uint64_t total)
{
	const struct scenario_expect	*x = ctx->x;
	struct expect_result		*r = ctx->r;
	double				 ratio;

	if (x->measure != EXPECT_MEASURE_RATIO) {
		r->passed = expect_cmp_holds(&x->cmp, (double)matched);
		snprintf(r->actual, sizeof r->actual, "%llu",
		    (unsigned long long)matched);
		return;
	}
	if (total == 0) {
		r->passed = 0;
		snprintf(r->actual, sizeof r->actual, "no %s matched",
		    x->subject == EXPECT_SUBJECT_CALLBACKS ? "callbacks" :
		    "messages");
		return;
	}
	ratio = (double)matched / (double)total;
	r->passed = expect_cmp_holds(&x->cmp, ratio);
	snprintf(r->actual, sizeof r->actual, "%.3f (%llu of %llu)", ratio,
	    (unsigned long long)matched, (unsigned long long)total);
}

void
expect_format_usec(int64_t usec, char *buf, size_t size)
{
	if (usec >= CLOCK_USEC_PER_SEC || usec <= -CLOCK_USEC_PER_SEC)
		snprintf(buf, size, "%.3fs", (double)usec / 1e6);
	else
		snprintf(buf, size, "%.3fms", (double)usec / 1e3);
}

/* ">= 0.9", "p95 <= 5s (created to delivered)", "no message lost". */
static int
expect_expected(const struct scenario_expect *x, char *buf, size_t size)
{
	static const char *const to_words[] = {
#define EXPECT_LATENCY_WORD(name, text) text,
		EXPECT_LATENCY_TO(EXPECT_LATENCY_WORD)
#undef EXPECT_LATENCY_WORD
	};
	char	cmp[40];
	size_t	i, len;

	expect_cmp_format(&x->cmp, cmp, sizeof cmp);
	switch (x->measure) {
	case EXPECT_MEASURE_LATENCY:
		expect_cmp_format(&x->latency.bound, cmp, sizeof cmp);
		return snprintf(buf, size, "latency p%g %s (%s to %s)",
		    x->latency.percentile, cmp, x->latency.from == 0 ?
		    "created" : "sent", to_words[x->latency.to]);
	case EXPECT_MEASURE_IN_ORDER:
		return snprintf(buf, size, "in order (0 messages out of "
		    "order)");
	case EXPECT_MEASURE_ANSWER:
		if (x->answer_code_set && x->answer_status_set)
			return snprintf(buf, size, "status %d, error_code %d",
			    x->answer_status, x->answer_code);
		if (x->answer_code_set)
			return snprintf(buf, size, "error_code %d",
			    x->answer_code);
		return snprintf(buf, size, "status %d", x->answer_status);
	case EXPECT_MEASURE_CODES:
		len = (size_t)snprintf(buf, size, "codes");
		for (i = 0; i < x->ncodes && len < size; i++) {
			expect_cmp_format(&x->codes[i].cmp, cmp, sizeof cmp);
			len += (size_t)snprintf(buf + len, size - len,
			    "%s %u %s", i > 0 ? "," : "", x->codes[i].code,
			    cmp);
		}
		return (int)len;
	case EXPECT_MEASURE_NONE:
		return snprintf(buf, size, "no message lost");
	default:
		return snprintf(buf, size, "%s %s",
		    expect_measure_name(x->measure), cmp);
	}
}

/* ---- send: a request to the API, answered later ---- */

struct expect_send_req {
	struct expect_result	*r;
	void			(*done)(void *);
	void			*arg;
};

static void
expect_send_answer(int status, json_t *body, const char *err, void *arg)
{
	struct expect_send_req		*q = arg;
	struct expect_result		*r = q->r;
	const struct scenario_expect	*x = r->x;
	json_t				*code = json_object_get(body, "code");
	const char			*sid;
	int				 ec = json_is_integer(code) ?
					    (int)json_integer_value(code) : 0;

	if (status == 0) {
		r->passed = 0;
		snprintf(r->actual, sizeof r->actual, "no answer: %s",
		    err != NULL ? err : "request failed");
	} else {
		r->passed = (!x->answer_code_set || ec == x->answer_code) &&
		    (!x->answer_status_set || status == x->answer_status);
		sid = json_string_value(json_object_get(body, "sid"));
		if (ec != 0)
			snprintf(r->actual, sizeof r->actual, "status %d, "
			    "error_code %d", status, ec);
		else
			snprintf(r->actual, sizeof r->actual, "status %d, no "
			    "error_code%s%s", status, sid != NULL ? ", " : "",
			    sid != NULL ? sid : "");
		if (!r->passed && json_is_string(json_object_get(body,
		    "message")))
			snprintf(r->detail, sizeof r->detail, "%s",
			    json_string_value(json_object_get(body,
			    "message")));
	}
	log_info("expect \"%s\" %s expected=\"%s\" actual=\"%s\"", r->what,
	    r->passed ? "passed" : "failed", r->expected, r->actual);
	q->done(q->arg);
	free(q);
}

static void
expect_send(struct engine *e, struct expect_result *r,
    void (*done)(void *), void *arg)
{
	const struct expect_send	*sd = &r->x->send;
	struct expect_send_req		*q = xcalloc(1, sizeof *q);
	struct evbuffer			*form = evbuffer_new();
	char				 path[128], *text;
	size_t				 len;

	q->r = r;
	q->done = done;
	q->arg = arg;
	engine_form_add(form, "To", sd->to);
	if (sd->service[0] != '\0')
		engine_form_add(form, "MessagingServiceSid", sd->service);
	if (sd->from[0] != '\0')
		engine_form_add(form, "From", sd->from);
	engine_form_add(form, "Body", sd->body);
	len = evbuffer_get_length(form);
	text = xmalloc(len + 1);
	evbuffer_remove(form, text, len);
	text[len] = '\0';
	evbuffer_free(form);
	snprintf(path, sizeof path, "/2010-04-01/Accounts/%s/Messages.json",
	    sd->account);
	engine_api_request(e, "POST", path, sd->account, sd->token, text,
	    expect_send_answer, q);
	free(text);
}

/* ---- the dispatch ---- */

static void
expect_run(struct expect_ctx *ctx)
{
	switch (ctx->x->subject) {
	case EXPECT_SUBJECT_MESSAGES:
		expect_eval_messages(ctx);
		break;
	case EXPECT_SUBJECT_NO_MESSAGE_LOST:
		expect_eval_lost(ctx);
		break;
	case EXPECT_SUBJECT_CALLBACKS:
		expect_eval_callbacks(ctx);
		break;
	case EXPECT_SUBJECT_PDUS:
		expect_eval_pdus(ctx);
		break;
	case EXPECT_SUBJECT_TRAFFIC:
		expect_eval_traffic(ctx);
		break;
	default:
		ctx->r->passed = 0;
		snprintf(ctx->r->actual, sizeof ctx->r->actual,
		    "not evaluated: no subject");
		break;
	}
}

void
expect_eval(struct engine *e, const struct traffic *traffic,
    const struct scenario_expect *x, struct expect_result *r,
    void (*done)(void *), void *arg)
{
	struct expect_ctx ctx = {
		.e = e, .traffic = traffic, .x = x, .r = r,
		.start = engine_start_time(e),
	};

	memset(r, 0, sizeof *r);
	r->x = x;
	r->at = engine_elapsed(e);
	snprintf(r->what, sizeof r->what, "%s", x->name);
	expect_expected(x, r->expected, sizeof r->expected);
	if (x->subject == EXPECT_SUBJECT_SEND) {
		expect_send(e, r, done, arg);
		return;
	}
	expect_run(&ctx);
	if (ctx.nexamples > EXPECT_EXAMPLES && !r->passed) {
		size_t len = strlen(r->detail);

		snprintf(r->detail + len, sizeof r->detail - len,
		    "\n... and %zu more", ctx.nexamples - EXPECT_EXAMPLES);
	}
	if (r->passed)
		r->detail[0] = '\0';
	sqlite3_close(ctx.db);
	free(ctx.sids);
	log_info("expect \"%s\" %s expected=\"%s\" actual=\"%s\"", r->what,
	    r->passed ? "passed" : "failed", r->expected, r->actual);
	expect_later(e, done, arg);
}
