/*
 * Expectations over the gateway's messages: count, ratio and latency of
 * the messages a filter matches, and "no message lost". The store is
 * read row by row and the filter applied here rather than in SQL: some
 * keys are not columns (the sender kind of From, a reroute or a fallback
 * in the selection trace, a traffic generator's sids), and one reader
 * for all keys keeps count and ratio the same set by construction.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/expect-internal.h"
#include "scenarios/traffic.h"

/* One message as the filter sees it. */
struct expect_row {
	char		 sid[40];
	char		 status[24];
	int		 error_code;	/* 0: NULL */
	char		 direction[24];
	char		 from[GATEWAY_NUMBER_MAX];
	char		 to[GATEWAY_NUMBER_MAX];
	char		 body[6404];	/* 1600 characters of UTF-8 */
	char		 route[GATEWAY_NAME_MAX];
	char		 service[GATEWAY_SID_SIZE];
	int64_t		 created;
	int64_t		 sent;		/* 0: not sent */
	int		 data_coding;
	int		 segments;
	int		 media;
	int		 rerouted;
	int		 fallback;
	int		 shortened;	/* a short link, or converted */
	int		 converted;	/* the MMS Converter sent it as SMS */
	char		 callback[256];	/* status_callback; "" none */
};

/*
 * A link the gateway shortened is an object "link" whose parent is the
 * message; the MMS Converter's link to the media is a "media_link".
 */
#define EXPECT_ROW_SQL							\
	"SELECT sid, status, error_code, direction, \"from\", \"to\", "	\
	"route, service_sid, date_created, date_sent, data_coding, "	\
	"num_segments, num_media, selection, status_callback, "		\
	"EXISTS (SELECT 1 FROM objects o WHERE o.kind = 'link' AND "	\
	"o.parent = m.sid), EXISTS (SELECT 1 FROM objects o WHERE "	\
	"o.kind = 'media_link' AND o.parent = m.sid), body "		\
	"FROM messages m"

static void
col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

/* A line of the trace starting with step that holds word. */
static int
trace_has(const char *trace, const char *step, const char *word)
{
	const char	*line = trace, *end;
	size_t		 n = strlen(step);

	while (line != NULL && *line != '\0') {
		end = strchr(line, '\n');
		if (strncmp(line, step, n) == 0 && (word == NULL ||
		    (strstr(line, word) != NULL && (end == NULL ||
		    strstr(line, word) < end))))
			return 1;
		line = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

static void
row_read(sqlite3_stmt *st, struct expect_row *w)
{
	const unsigned char *trace;

	col_text(st, 0, w->sid, sizeof w->sid);
	col_text(st, 1, w->status, sizeof w->status);
	w->error_code = sqlite3_column_int(st, 2);
	col_text(st, 3, w->direction, sizeof w->direction);
	col_text(st, 4, w->from, sizeof w->from);
	col_text(st, 5, w->to, sizeof w->to);
	col_text(st, 6, w->route, sizeof w->route);
	col_text(st, 7, w->service, sizeof w->service);
	w->created = sqlite3_column_int64(st, 8);
	w->sent = sqlite3_column_int64(st, 9);
	w->data_coding = sqlite3_column_int(st, 10);
	w->segments = sqlite3_column_int(st, 11);
	w->media = sqlite3_column_int(st, 12);
	trace = sqlite3_column_text(st, 13);
	w->rerouted = trace != NULL && trace_has((const char *)trace,
	    "short code:", "reroute");
	w->fallback = trace != NULL && trace_has((const char *)trace,
	    "fallback:", NULL);
	col_text(st, 14, w->callback, sizeof w->callback);
	w->converted = sqlite3_column_int(st, 16);
	w->shortened = sqlite3_column_int(st, 15) || w->converted;
	col_text(st, 17, w->body, sizeof w->body);
}

static int
match_bool(int want, int have)
{
	return want == EXPECT_ANY || (want != 0) == (have != 0);
}

static int
match_window(const struct expect_window *w, int64_t at, int64_t start)
{
	return !w->set || (at != 0 && at - start >= w->from &&
	    at - start <= w->to);
}

/* Every key but status and error_code. */
static int
row_match_base(const struct expect_ctx *ctx, const struct expect_filter *f,
    const struct expect_row *w)
{
	int kind;

	if (f->direction != EXPECT_ANY && (f->direction == 0) !=
	    (strncmp(w->direction, "outbound", 8) == 0))
		return 0;
	if ((unsigned)f->sender_kind <= GATEWAY_SENDER_ALPHANUMERIC &&
	    ((kind = gw_sender_kind(w->from)) < 0 ||
	    kind != (int)f->sender_kind))
		return 0;
	if ((f->carrier[0] != '\0' && strcmp(f->carrier, w->route) != 0) ||
	    (f->service[0] != '\0' && strcmp(f->service, w->service) != 0) ||
	    !expect_match_pattern(f->from, w->from) ||
	    !expect_match_pattern(f->to, w->to) ||
	    !expect_match_pattern(f->body, w->body))
		return 0;
	if (f->traffic[0] != '\0' && !expect_sid_in(ctx, w->sid))
		return 0;
	if (!match_bool(f->rerouted, w->rerouted) ||
	    !match_bool(f->fallback, w->fallback) ||
	    !match_bool(f->media, w->media > 0 && !w->converted) ||
	    !match_bool(f->shortened, w->shortened))
		return 0;
	if (!match_window(&f->created, w->created, ctx->start) ||
	    !match_window(&f->sent, w->sent, ctx->start))
		return 0;
	if (f->encoding != EXPECT_ANY && f->encoding !=
	    (w->data_coding == 0x08))
		return 0;
	return f->segments == 0 || f->segments == w->segments;
}

static int
row_match(const struct expect_filter *f, const struct expect_row *w)
{
	return expect_match_statuses(f->statuses, w->status) &&
	    expect_match_error(f, w->error_code);
}

static void
row_example(struct expect_ctx *ctx, const struct expect_row *w)
{
	if (w->error_code != 0)
		expect_example(ctx, "%s: %s %d", w->sid, w->status,
		    w->error_code);
	else
		expect_example(ctx, "%s: %s", w->sid, w->status);
}

/* Calls each(ctx, row, arg) for every message of the base filter. */
static int
rows_foreach(struct expect_ctx *ctx,
    void (*each)(struct expect_ctx *, const struct expect_row *, void *),
    void *arg)
{
	sqlite3_stmt		*st;
	struct expect_row	 w;
	int			 rc;

	if (sqlite3_prepare_v2(ctx->db, EXPECT_ROW_SQL " ORDER BY "
	    "date_created, sid", -1, &st, NULL) != SQLITE_OK) {
		snprintf(ctx->r->actual, sizeof ctx->r->actual, "cannot read "
		    "the gateway's store: %s", sqlite3_errmsg(ctx->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_read(st, &w);
		if (row_match_base(ctx, &ctx->x->filter, &w))
			each(ctx, &w, arg);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(ctx->r->actual, sizeof ctx->r->actual, "cannot read "
		    "the gateway's store: %s", sqlite3_errmsg(ctx->db));
		return -1;
	}
	return 0;
}

/* ---- count and ratio ---- */

struct expect_tally {
	uint64_t	matched;
	uint64_t	total;
};

/*
 * Examples: for a ratio the messages that did not match (what keeps
 * the ratio down), for a count those that did (what a "== 0" found).
 */
static void
count_one(struct expect_ctx *ctx, const struct expect_row *w, void *arg)
{
	struct expect_tally	*t = arg;
	int			 m = row_match(&ctx->x->filter, w);

	t->total++;
	t->matched += m;
	if (m == (ctx->x->measure != EXPECT_MEASURE_RATIO))
		row_example(ctx, w);
}

/* ---- latency ---- */

struct expect_latency_set {
	int64_t		*v;
	char		(*sid)[40];
	size_t		 n;
	size_t		 cap;
	uint64_t	 total;
	sqlite3_stmt	*events;
};

/* The time of the message's last callback of status at the sink, in
 * clock time; 0 when none arrived. */
static int64_t
callback_time(const struct expect_ctx *ctx, const char *sid,
    const char *status)
{
	const struct engine_callback	*cb;
	size_t				 i, n = 0;
	int64_t				 at = 0;

	cb = engine_callbacks(ctx->e, &n);
	for (i = 0; i < n; i++)
		if (strcmp(cb[i].message_sid, sid) == 0 &&
		    strcmp(cb[i].status, status) == 0)
			at = ctx->start + cb[i].at;
	return at;
}

/* The first event of status (NULL: the last terminal one); 0: none. */
static int64_t
event_time(struct expect_latency_set *ls, const char *sid,
    const char *status)
{
	int64_t	at = 0;
	int	st;

	sqlite3_reset(ls->events);
	sqlite3_bind_text(ls->events, 1, sid, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(ls->events) == SQLITE_ROW) {
		st = gw_status_parse((const char *)sqlite3_column_text(
		    ls->events, 1));
		if (status == NULL ? (st >= 0 &&
		    gw_status_terminal((enum gw_status)st)) :
		    (st >= 0 && strcmp(gw_status_name((enum gw_status)st),
		    status) == 0)) {
			at = sqlite3_column_int64(ls->events, 0);
			if (status != NULL)
				break;
		}
	}
	return at;
}

static int64_t
latency_end(struct expect_ctx *ctx, struct expect_latency_set *ls,
    const struct expect_row *w)
{
	int st = gw_status_parse(w->status);

	switch (ctx->x->latency.to) {
	case EXPECT_LATENCY_SENT:
		return w->sent;
	case EXPECT_LATENCY_DELIVERED:
		return event_time(ls, w->sid, "delivered");
	case EXPECT_LATENCY_FINAL:
		return st >= 0 && gw_status_terminal((enum gw_status)st) ?
		    event_time(ls, w->sid, NULL) : 0;
	default:
		return st >= 0 && gw_status_terminal((enum gw_status)st) ?
		    callback_time(ctx, w->sid, w->status) : 0;
	}
}

static void
latency_one(struct expect_ctx *ctx, const struct expect_row *w, void *arg)
{
	struct expect_latency_set	*ls = arg;
	int64_t				 from, to;

	if (!row_match(&ctx->x->filter, w))
		return;
	ls->total++;
	from = ctx->x->latency.from == 0 ? w->created : w->sent;
	if (from == 0 || (to = latency_end(ctx, ls, w)) == 0)
		return;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap > 0 ? 2 * ls->cap : 256;
		ls->v = xreallocarray(ls->v, ls->cap, sizeof *ls->v);
		ls->sid = xreallocarray(ls->sid, ls->cap, sizeof *ls->sid);
	}
	ls->v[ls->n] = to - from;
	snprintf(ls->sid[ls->n], sizeof ls->sid[ls->n], "%s", w->sid);
	ls->n++;
}

static int
int64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The slowest messages, for a latency that failed. */
static void
latency_examples(struct expect_ctx *ctx, struct expect_latency_set *ls,
    int64_t bound)
{
	char	t[32];
	size_t	i;

	for (i = 0; i < ls->n; i++) {
		if (expect_cmp_holds(&ctx->x->latency.bound,
		    (double)ls->v[i]) ||
		    ls->v[i] < bound)
			continue;
		expect_format_usec(ls->v[i], t, sizeof t);
		expect_example(ctx, "%s: %s", ls->sid[i], t);
	}
}

static void
latency_judge(struct expect_ctx *ctx, struct expect_latency_set *ls)
{
	static const char *const to_words[] = {
#define EXPECT_LATENCY_WORD(name, text) text,
		EXPECT_LATENCY_TO(EXPECT_LATENCY_WORD)
#undef EXPECT_LATENCY_WORD
	};
	struct expect_result	*r = ctx->r;
	int64_t			*sorted, value;
	size_t			 rank;
	char			 t[32];

	if (ls->n == 0) {
		r->passed = 0;
		snprintf(r->actual, sizeof r->actual, ls->total == 0 ?
		    "no messages matched" : "none of %llu messages reached %s",
		    (unsigned long long)ls->total,
		    to_words[ctx->x->latency.to]);
		return;
	}
	sorted = xreallocarray(NULL, ls->n, sizeof *sorted);
	memcpy(sorted, ls->v, ls->n * sizeof *sorted);
	qsort(sorted, ls->n, sizeof *sorted, int64_cmp);
	/* p * n first: exact for whole percentiles, so p95 of 20 is the
	 * 19th and not, by a rounding error, the 20th. */
	rank = (size_t)ceil(ctx->x->latency.percentile * (double)ls->n /
	    100.0);
	value = sorted[rank > 0 ? rank - 1 : 0];
	free(sorted);
	r->passed = expect_cmp_holds(&ctx->x->latency.bound, (double)value);
	expect_format_usec(value, t, sizeof t);
	snprintf(r->actual, sizeof r->actual, "p%g %s (%zu of %llu messages "
	    "reached %s)", ctx->x->latency.percentile, t, ls->n,
	    (unsigned long long)ls->total, to_words[ctx->x->latency.to]);
	if (!r->passed)
		latency_examples(ctx, ls, value);
}

static void
eval_latency(struct expect_ctx *ctx)
{
	struct expect_latency_set ls = { .v = NULL };

	if (sqlite3_prepare_v2(ctx->db, "SELECT at, status FROM "
	    "message_events WHERE sid = ? ORDER BY id", -1, &ls.events,
	    NULL) != SQLITE_OK) {
		snprintf(ctx->r->actual, sizeof ctx->r->actual, "cannot read "
		    "the gateway's store: %s", sqlite3_errmsg(ctx->db));
		return;
	}
	if (rows_foreach(ctx, latency_one, &ls) == 0)
		latency_judge(ctx, &ls);
	sqlite3_finalize(ls.events);
	free(ls.v);
	free(ls.sid);
}

void
expect_eval_messages(struct expect_ctx *ctx)
{
	struct expect_tally t = { 0, 0 };

	if (expect_db_open(ctx) == -1)
		return;
	expect_sids_load(ctx, ctx->x->filter.traffic);
	if (ctx->x->measure == EXPECT_MEASURE_LATENCY) {
		eval_latency(ctx);
		return;
	}
	if (rows_foreach(ctx, count_one, &t) == 0)
		expect_judge_count(ctx, t.matched, t.total);
}

/* ---- no message lost ---- */

struct expect_lost {
	uint64_t	checked;
	uint64_t	lost;
};

/* Did the message's callbacks go to the sink (its own URL, else the
 * gateway's outbox rows for it)? */
static int
went_to_sink(struct expect_ctx *ctx, sqlite3_stmt *outbox,
    const struct expect_row *w)
{
	const char	*sink = engine_sink_url(ctx->e);
	size_t		 n = sink != NULL ? strlen(sink) : 0;
	int		 found = 0;

	if (n == 0)
		return 0;
	if (strncmp(w->callback, sink, n) == 0)
		return 1;
	sqlite3_reset(outbox);
	sqlite3_bind_text(outbox, 1, w->sid, -1, SQLITE_TRANSIENT);
	while (!found && sqlite3_step(outbox) == SQLITE_ROW)
		found = strncmp((const char *)sqlite3_column_text(outbox, 0),
		    sink, n) == 0;
	return found;
}

/* Why the message of sid counts as lost, or NULL. */
static const char *
lost_why(struct expect_ctx *ctx, sqlite3_stmt *one, sqlite3_stmt *outbox,
    struct expect_row *w)
{
	int st;

	sqlite3_reset(one);
	sqlite3_bind_text(one, 1, w->sid, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(one) != SQLITE_ROW)
		return "not in the store";
	row_read(one, w);
	st = gw_status_parse(w->status);
	if (st < 0 || !gw_status_terminal((enum gw_status)st))
		return "not final";
	if (went_to_sink(ctx, outbox, w) &&
	    callback_time(ctx, w->sid, w->status) == 0)
		return "no final status callback";
	return NULL;
}

static void
lost_check(struct expect_ctx *ctx, const struct traffic_result *res,
    sqlite3_stmt *one, sqlite3_stmt *outbox, struct expect_lost *l)
{
	struct expect_row	 w;
	const char		*why;
	size_t			 i;

	for (i = 0; i < res->nsids; i++) {
		memset(&w, 0, sizeof w);
		snprintf(w.sid, sizeof w.sid, "%s", res->sids[i]);
		l->checked++;
		if ((why = lost_why(ctx, one, outbox, &w)) == NULL)
			continue;
		l->lost++;
		if (w.status[0] != '\0')
			expect_example(ctx, "%s: %s (%s)", w.sid, why,
			    w.status);
		else
			expect_example(ctx, "%s: %s", w.sid, why);
	}
}

void
expect_eval_lost(struct expect_ctx *ctx)
{
	const struct traffic_result	*res = NULL;
	struct expect_lost		 l = { 0, 0 };
	sqlite3_stmt			*one = NULL, *outbox = NULL;
	size_t				 i, n = 0;

	if (expect_db_open(ctx) == -1)
		return;
	if (sqlite3_prepare_v2(ctx->db, EXPECT_ROW_SQL " WHERE sid = ?", -1,
	    &one, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ctx->db, "SELECT url FROM callbacks WHERE "
	    "message_sid = ?", -1, &outbox, NULL) != SQLITE_OK) {
		snprintf(ctx->r->actual, sizeof ctx->r->actual, "cannot read "
		    "the gateway's store: %s", sqlite3_errmsg(ctx->db));
		goto out;
	}
	if (ctx->traffic != NULL)
		res = traffic_results(ctx->traffic, &n);
	for (i = 0; i < n; i++)
		lost_check(ctx, &res[i], one, outbox, &l);
	ctx->r->passed = l.checked > 0 && l.lost == 0;
	if (l.checked == 0)
		snprintf(ctx->r->actual, sizeof ctx->r->actual,
		    "no messages matched (no message accepted by the API)");
	else
		snprintf(ctx->r->actual, sizeof ctx->r->actual,
		    "%llu lost of %llu accepted", (unsigned long long)l.lost,
		    (unsigned long long)l.checked);
out:
	sqlite3_finalize(one);
	sqlite3_finalize(outbox);
}
