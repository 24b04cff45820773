/*
 * The HTML report of `carrierlab run --report FILE.html`: one page that
 * needs nothing but itself (inline style and SVG, no script), with per
 * run its header, the timeline charts (report-chart.c), the timeline's
 * notes, the expectations and the final counts. Every string from the
 * scenario, the gateway or the carriers goes through report_escape().
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "scenarios/report.h"
#include "scenarios/run.h"

static const char report_html_style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;"
    "max-width:900px;color:#212121;padding:0 1em}\n"
    "h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccc}\n"
    "h3{font-size:1.05em;margin-top:1.5em}\n"
    ".verdict{padding:0 .4em;border-radius:3px;color:#fff;"
    "font-weight:bold}\n"
    ".verdict.PASS,tr.pass td.result{background:#2e7d32;color:#fff}\n"
    ".verdict.FAIL,tr.fail td.result{background:#c62828;color:#fff}\n"
    ".verdict.ERROR{background:#6a1b9a}\n"
    "dl.meta{display:grid;grid-template-columns:max-content auto;"
    "gap:0 1em}dl.meta dt{font-weight:bold}dl.meta dd{margin:0}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;"
    "vertical-align:top}\n"
    "td.result{font-weight:bold;text-align:center}\n"
    "pre{margin:0;white-space:pre-wrap;font-size:.9em}\n"
    "figure.chart{margin:.5em 0}figcaption{font-weight:bold}\n"
    "svg{max-width:100%;height:auto;font-size:11px}\n"
    "svg .axis,svg .tick{stroke:#555}\n"
    "svg .note line{stroke:#6a1b9a;stroke-dasharray:4 3}\n"
    "svg .note line.hit{stroke:transparent;stroke-width:8;"
    "stroke-dasharray:none}\n"
    "ul.legend{list-style:none;padding:0}ul.legend li{display:inline;"
    "margin-right:1em}\n"
    ".swatch{display:inline-block;width:.9em;height:.9em;"
    "margin-right:.3em;vertical-align:middle}\n"
    ".error{color:#c62828;font-weight:bold}\n";

static void
report_html_meta(FILE *f, const char *term, const char *value)
{
	fprintf(f, "<dt>%s</dt><dd>", term);
	report_escape(f, value, 0);
	fputs("</dd>\n", f);
}

static void
report_html_header(FILE *f, const struct report *r, size_t index)
{
	char	buf[128], dur[64];

	fprintf(f, "<section class=\"run\" id=\"run-%zu\">\n<h2>", index + 1);
	report_escape(f, r->name, 0);
	fprintf(f, " <span class=\"verdict %s\">%s</span></h2>\n",
	    report_verdict(r), report_verdict(r));
	if (r->description != NULL && r->description[0] != '\0') {
		fputs("<p class=\"description\">", f);
		report_escape(f, r->description, 0);
		fputs("</p>\n", f);
	}
	fputs("<dl class=\"meta\">\n", f);
	report_html_meta(f, "file", r->file != NULL && r->file[0] != '\0' ?
	    r->file : "built-in default");
	snprintf(buf, sizeof(buf), "%" PRIu64, r->seed);
	report_html_meta(f, "seed", buf);
	report_human(r->duration, dur, sizeof(dur));
	snprintf(buf, sizeof(buf), "%s, %s of %s time%s%s%s", report_clock(r),
	    dur, report_clock(r), r->ended != NULL ? " (ended: " : "",
	    r->ended != NULL ? r->ended : "", r->ended != NULL ? ")" : "");
	report_html_meta(f, "clock", buf);
	snprintf(buf, sizeof(buf), "%zu of %zu passed",
	    r->nresults - report_failures(r), r->nresults);
	report_html_meta(f, "expectations", buf);
	fputs("</dl>\n", f);
	if (r->error != NULL) {
		fputs("<p class=\"error\">The run did not complete: ", f);
		report_escape(f, r->error, 0);
		fputs("</p>\n", f);
	}
}

static void
report_html_notes(FILE *f, const struct report *r)
{
	char	at[64];
	size_t	i;

	fputs("<h3>Timeline</h3>\n", f);
	if (r->nnotes == 0) {
		fputs("<p>Nothing happened on the timeline.</p>\n", f);
		return;
	}
	fputs("<table class=\"notes\">\n<thead><tr><th>at</th><th>kind</th>"
	    "<th>what</th></tr></thead>\n<tbody>\n", f);
	for (i = 0; i < r->nnotes; i++) {
		report_human(r->notes[i].at, at, sizeof(at));
		fprintf(f, "<tr><td>%s</td><td>", at);
		report_escape(f, r->notes[i].kind, 0);
		fputs("</td><td>", f);
		report_escape(f, r->notes[i].text, 0);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void
report_html_result(FILE *f, const struct report *r, size_t i)
{
	const struct expect_result *x = &r->results[i];

	fprintf(f, "<tr class=\"%s\"><td class=\"result\">%s</td><td>",
	    x->passed ? "pass" : "fail", x->passed ? "PASS" : "FAIL");
	report_escape(f, x->what, 0);
	fputs("</td><td>", f);
	report_escape(f, x->expected, 0);
	fputs("</td><td>", f);
	report_escape(f, x->actual, 0);
	fputs("</td><td>", f);
	if (!x->passed && x->detail[0] != '\0') {
		fputs("<pre>", f);
		report_escape(f, x->detail, 0);
		fputs("</pre>", f);
	}
	if (!x->passed && report_why(r, i)[0] != '\0') {
		fputs("<p>why: ", f);
		report_escape(f, report_why(r, i), 0);
		fputs("</p>", f);
	}
	fputs("</td></tr>\n", f);
}

static void
report_html_results(FILE *f, const struct report *r)
{
	size_t i;

	fputs("<h3>Expectations</h3>\n", f);
	if (r->nresults == 0) {
		fputs("<p>The scenario expects nothing.</p>\n", f);
		return;
	}
	fputs("<table class=\"expect\">\n<thead><tr><th>result</th>"
	    "<th>expectation</th><th>expected</th><th>actual</th>"
	    "<th>detail</th></tr></thead>\n<tbody>\n", f);
	for (i = 0; i < r->nresults; i++)
		report_html_result(f, r, i);
	fputs("</tbody>\n</table>\n", f);
}

static void
report_html_totals(FILE *f, const struct report *r)
{
	const char	**keys;
	size_t		  i, n;

	if (r->totals == NULL || !json_is_object(r->totals) ||
	    json_object_size(r->totals) == 0)
		return;
	fputs("<h3>Messages at the end</h3>\n<table class=\"totals\">\n"
	    "<tbody>\n", f);
	keys = report_total_keys(r->totals, &n);
	for (i = 0; i < n; i++) {
		fputs("<tr><td>", f);
		report_escape(f, keys[i], 0);
		fprintf(f, "</td><td>%" JSON_INTEGER_FORMAT "</td></tr>\n",
		    json_integer_value(json_object_get(r->totals, keys[i])));
	}
	free(keys);
	fputs("</tbody>\n</table>\n", f);
}

static void
report_html_run(FILE *f, const struct report *r, size_t index)
{
	report_html_header(f, r, index);
	fputs("<h3>Messages per status over time</h3>\n", f);
	report_chart_write(f, r);
	report_html_notes(f, r);
	report_html_results(f, r);
	report_html_totals(f, r);
	fputs("</section>\n", f);
}

/* The page's title and the list of runs with their verdicts. */
static void
report_html_top(FILE *f, const struct report *const *reports, size_t n)
{
	size_t	i, passed = 0;

	for (i = 0; i < n; i++)
		passed += strcmp(report_verdict(reports[i]), "PASS") == 0;
	fprintf(f, "<title>carrierlab: %zu of %zu scenarios passed</title>\n"
	    "<style>\n%s</style>\n</head>\n<body>\n<h1>carrierlab: %zu of "
	    "%zu scenarios passed</h1>\n<ul class=\"runs\">\n", passed, n,
	    report_html_style, passed, n);
	for (i = 0; i < n; i++) {
		fprintf(f, "<li><a href=\"#run-%zu\">", i + 1);
		report_escape(f, reports[i]->name, 0);
		fprintf(f, "</a> <span class=\"verdict %s\">%s</span></li>\n",
		    report_verdict(reports[i]), report_verdict(reports[i]));
	}
	fputs("</ul>\n", f);
}

int
report_html(FILE *f, const struct report *const *reports, size_t n)
{
	size_t i;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n", f);
	report_html_top(f, reports, n);
	for (i = 0; i < n; i++)
		report_html_run(f, reports[i], i);
	fputs("</body>\n</html>\n", f);
	if (fflush(f) == EOF || ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
