/*
 * Reports built by hand; see report_sample.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "scenarios/run.h"
#include "tests/unit/report_sample.h"

#define SEC	INT64_C(1000000)

static void
sample_result(struct expect_result *x, int passed, const char *what,
    const char *expected, const char *actual, const char *detail)
{
	x->passed = passed;
	snprintf(x->what, sizeof(x->what), "%s", what);
	snprintf(x->expected, sizeof(x->expected), "%s", expected);
	snprintf(x->actual, sizeof(x->actual), "%s", actual);
	snprintf(x->detail, sizeof(x->detail), "%s", detail);
}

static void
sample_note(struct engine_note *n, int64_t at, const char *kind,
    const char *text)
{
	n->at = at;
	snprintf(n->kind, sizeof(n->kind), "%s", kind);
	snprintf(n->text, sizeof(n->text), "%s", text);
}

static void
sample_point(struct report_point *p, int64_t at, const char *carrier,
    const char *from, const char *status)
{
	p->at = at;
	snprintf(p->carrier, sizeof(p->carrier), "%s", carrier);
	snprintf(p->from, sizeof(p->from), "%s", from);
	snprintf(p->status, sizeof(p->status), "%s", status);
}

static int
sample_point_cmp(const void *a, const void *b)
{
	const struct report_point *pa = a, *pb = b;

	return pa->at < pb->at ? -1 : pa->at > pb->at;
}

/*
 * nmsg messages created evenly over span on the routes, each queued,
 * sending, sent, then delivered 30s later (every tenth undelivered);
 * every seventh fails before a route is chosen. Sorted by time.
 */
static void
sample_points(struct report_sample *s, size_t nmsg, int64_t span,
    const char *const *routes, size_t nroutes)
{
	struct report_point	*p;
	size_t			 i;
	int64_t			 t;

	s->points = p = calloc(nmsg * 4, sizeof(*p));
	if (p == NULL)
		abort();
	for (i = 0; i < nmsg; i++) {
		t = (int64_t)i * (span / 2) / (int64_t)nmsg;
		if (i % 7 == 6) {
			sample_point(p++, t, "", "", "queued");
			sample_point(p++, t + SEC, "", "queued", "failed");
			continue;
		}
		sample_point(p++, t, routes[i % nroutes], "", "queued");
		sample_point(p++, t + SEC, routes[i % nroutes], "queued",
		    "sending");
		sample_point(p++, t + 2 * SEC, routes[i % nroutes], "sending",
		    "sent");
		sample_point(p++, t + 30 * SEC, routes[i % nroutes], "sent",
		    i % 10 == 9 ? "undelivered" : "delivered");
	}
	s->r.points = s->points;
	s->r.npoints = (size_t)(p - s->points);
	qsort(s->points, s->r.npoints, sizeof(*p), sample_point_cmp);
}

static void
sample_pass(struct report_sample *s)
{
	static const char *const routes[] = { "alpha-mobile", "beta-tel" };

	s->r.file = "scenarios/short-code-outage.json";
	s->r.name = "short-code-outage";
	s->r.description = "alpha-mobile refuses binds for 10m; traffic "
	    "moves to beta-tel";
	s->r.duration = 4 * 3600 * SEC + 12 * SEC;
	sample_result(&s->results[0], 1, "messages{status=delivered} ratio",
	    ">= 0.9", "0.953 (1906 of 2000)", "");
	sample_result(&s->results[1], 1, "messages{route=beta-tel} count",
	    ">= 1", "1000", "");
	s->r.nresults = 2;
	sample_note(&s->notes[0], 60 * SEC, "fault",
	    "alpha-mobile fault refuse_binds on for 10m");
	sample_note(&s->notes[1], 660 * SEC, "fault",
	    "alpha-mobile fault refuse_binds off");
	s->r.nnotes = 2;
	sample_points(s, 60, s->r.duration, routes, 2);
	json_object_set_new(s->r.totals, "delivered", json_integer(1906));
	json_object_set_new(s->r.totals, "undelivered", json_integer(60));
	json_object_set_new(s->r.totals, "failed", json_integer(34));
}

static void
sample_fail(struct report_sample *s)
{
	s->r.file = "long-code-fallback.json";
	s->r.name = "long-code-fallback";
	s->r.seed = 7;
	s->r.duration = 90 * SEC;
	sample_result(&s->results[0], 1, "messages count", "== 10", "10", "");
	sample_result(&s->results[1], 0, "messages{status=queued} count",
	    "== 0", "3", "SM0001 queued\nSM0002 queued\nSM0003 queued");
	sample_result(&s->results[2], 0, "callbacks{out_of_order} count",
	    "== 0", "1", "SM0004: sent after delivered");
	s->why[1] = "nothing stuck";
	s->r.nresults = 3;
	json_object_set_new(s->r.totals, "queued", json_integer(3));
	json_object_set_new(s->r.totals, "delivered", json_integer(7));
}

static void
sample_hostile(struct report_sample *s)
{
	static const char *const routes[] = { "<svg onload=alert(1)>",
	    "a&b\"c'd" };
	struct report_point *p;

	s->r.file = "dir/<x>&\".json";
	s->r.name = "</script><script>alert(1)</script>";
	s->r.description = "]]> & <!-- \x01\x1b[31m red \xff\xfe end";
	s->r.clock = "real";
	s->r.duration = 1500 * 1000;
	sample_result(&s->results[0], 0, "<b>bold</b> & \"q\" 'a'",
	    "]]>", "\x07\x08\x0c\xed\xa0\x80",
	    "<![CDATA[ ]]> </failure> \r\n\t tab");
	sample_result(&s->results[1], 1, "\xc3\xa9t\xc3\xa9 \xf0\x9f\x93\xb1",
	    "ok", "\xef\xbf\xbf", "");
	s->why[0] = "</td></tr></table>";
	s->r.nresults = 2;
	sample_note(&s->notes[0], 500 * 1000, "<kind>",
	    "</title><script>alert(2)</script>");
	s->r.nnotes = 1;
	sample_points(s, 10, s->r.duration, routes, 2);
	p = &s->points[0];
	snprintf(p->status, sizeof(p->status), "<weird>&");
	json_object_set_new(s->r.totals, "<weird>&", json_integer(1));
}

static void
sample_error(struct report_sample *s)
{
	s->r.file = "";
	s->r.name = "default";
	s->r.error = "cannot listen on 127.0.0.1:2775: Address in use";
}

static void
sample_big(struct report_sample *s)
{
	static const char *const routes[] = { "alpha-mobile", "beta-tel",
	    "gamma" };

	s->r.file = "big.json";
	s->r.name = "big";
	s->r.duration = 4 * 3600 * SEC;
	sample_points(s, 27000, s->r.duration, routes, 3);
}

void
report_sample_init(struct report_sample *s, enum report_sample_kind kind)
{
	memset(s, 0, sizeof(*s));
	s->r.seed = 42;
	s->r.clock = "virtual";
	s->r.description = "";
	s->r.results = s->results;
	s->r.notes = s->notes;
	s->r.why = s->why;
	s->r.wall_seconds = 0.25;
	s->r.totals = json_object();
	switch (kind) {
	case REPORT_SAMPLE_PASS:	sample_pass(s); break;
	case REPORT_SAMPLE_FAIL:	sample_fail(s); break;
	case REPORT_SAMPLE_HOSTILE:	sample_hostile(s); break;
	case REPORT_SAMPLE_ERROR:	sample_error(s); break;
	case REPORT_SAMPLE_BIG:		sample_big(s); break;
	}
}

void
report_sample_free(struct report_sample *s)
{
	json_decref(s->r.totals);
	free(s->points);
}
