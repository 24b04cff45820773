/*
 * A run's report: the transitions read back from the gateway's store, the
 * summary table `carrierlab run` prints and the JUnit XML for CI. The
 * HTML page is in report-html.c and its charts in report-chart.c.
 *
 * Everything written here but the wall-clock line is a function of the
 * report alone, so two runs with one seed give the same bytes.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/report.h"
#include "scenarios/run.h"

#define REPORT_BUSY_TIMEOUT_MS	5000

/* ---- shared helpers (scenarios/report.h) ---- */

/* The length of the UTF-8 sequence at s (1 to 4) with its code point in
 * *cp, or 0 when s does not start one (overlong, surrogate, > U+10FFFF,
 * truncated). */
static size_t
report_utf8(const unsigned char *s, uint32_t *cp)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, *cp = s[0] & 0x07;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return len;
}

/* The reference for c when it needs one in XML or HTML, else NULL. */
static const char *
report_entity(uint32_t c, int attr)
{
	switch (c) {
	case '&':	return "&amp;";
	case '<':	return "&lt;";
	case '>':	return "&gt;";
	case '"':	return "&quot;";
	case '\'':	return "&#39;";
	case '\t':	return attr ? "&#9;" : NULL;
	case '\n':	return attr ? "&#10;" : NULL;
	case '\r':	return "&#13;";
	default:	return NULL;
	}
}

void
report_escape(FILE *f, const char *s, int attr)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*ent;
	uint32_t		 c;
	size_t			 len;

	if (s == NULL)
		return;
	while (*p != '\0') {
		if ((len = report_utf8(p, &c)) == 0) {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
			p++;
			continue;
		}
		if ((ent = report_entity(c, attr)) != NULL)
			fputs(ent, f);
		else if ((c < 0x20 && c != '\t' && c != '\n') ||
		    c == 0xfffe || c == 0xffff)
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(p, 1, len, f);
		p += len;
	}
}

/* "1.25s": seconds to the millisecond, without trailing zeros. */
static void
report_seconds(int64_t usec, char *buf, size_t len)
{
	int64_t	ms = usec / 1000;
	int	frac = (int)(ms % 1000), digits = 3;

	while (frac % 10 == 0 && digits > 0) {
		frac /= 10;
		digits--;
	}
	if (digits == 0)
		snprintf(buf, len, "%" PRId64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRId64 ".%0*ds", ms / 1000, digits,
		    frac);
}

void
report_human(int64_t usec, char *buf, size_t len)
{
	int64_t s;

	if (usec < 0)
		usec = 0;
	if (usec < 1000000) {
		if (usec % 1000 == 0)
			snprintf(buf, len, "%" PRId64 "%s", usec / 1000,
			    usec == 0 ? "s" : "ms");
		else
			snprintf(buf, len, "%.3fms", usec / 1000.0);
		return;
	}
	if (usec < 60 * INT64_C(1000000) && usec % 1000000 != 0) {
		report_seconds(usec, buf, len);
		return;
	}
	s = usec / 1000000;
	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h %" PRId64 "m %" PRId64 "s",
		    s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%" PRId64 "d %" PRId64 "h %" PRId64 "m %"
		    PRId64 "s", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
}

const char *
report_why(const struct report *r, size_t i)
{
	if (r->why == NULL || i >= r->nresults || r->why[i] == NULL)
		return "";
	return r->why[i];
}

size_t
report_failures(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nresults; i++)
		if (!r->results[i].passed)
			n++;
	return n;
}

const char *
report_clock(const struct report *r)
{
	return r->clock != NULL && strcmp(r->clock, "real") == 0 ? "real" :
	    "virtual";
}

const char *
report_verdict(const struct report *r)
{
	if (r->error != NULL)
		return "ERROR";
	return report_failures(r) > 0 ? "FAIL" : "PASS";
}

void
report_file_name(const struct report *r, char *buf, size_t len)
{
	const char	*base;
	size_t		 n;

	if (r->file == NULL || r->file[0] == '\0') {
		snprintf(buf, len, "default");
		return;
	}
	base = strrchr(r->file, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : r->file;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	snprintf(buf, len, "%.*s", (int)n, base);
}

/* ---- the transitions from the store ---- */

/*
 * Each event with the status before it (lag over the message's events
 * in the order they were written) and the message's route.
 */
static const char report_points_sql[] =
    "SELECT e.at, coalesce(m.route, ''), e.status,"
    " coalesce(lag(e.status) OVER (PARTITION BY e.sid ORDER BY e.id), '')"
    " FROM message_events e LEFT JOIN messages m ON m.sid = e.sid"
    " ORDER BY e.at, e.id";

static void
report_column(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	strlcpy(buf, t != NULL ? (const char *)t : "", len);
}

static int
report_points_read(sqlite3_stmt *st, int64_t start,
    struct report_point **points, size_t *n)
{
	struct report_point	*p;
	size_t			 cap = 0;
	int			 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			*points = xreallocarray(*points, cap, sizeof(**points));
		}
		p = &(*points)[(*n)++];
		p->at = sqlite3_column_int64(st, 0) - start;
		report_column(st, 1, p->carrier, sizeof(p->carrier));
		report_column(st, 2, p->status, sizeof(p->status));
		report_column(st, 3, p->from, sizeof(p->from));
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

int
report_points_load(const char *db, int64_t start,
    struct report_point **points, size_t *n, char *err, size_t errlen)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*points = NULL;
	*n = 0;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(h, REPORT_BUSY_TIMEOUT_MS);
	if (sqlite3_prepare_v2(h, report_points_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		goto out;
	rc = report_points_read(st, start, points, n);
out:
	if (rc == -1) {
		snprintf(err, errlen, "%s: reading the message events: %s",
		    db, h != NULL ? sqlite3_errmsg(h) : "out of memory");
		free(*points);
		*points = NULL;
		*n = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return rc;
}

/* ---- the summary table ---- */

/* Writes s with control characters (C0, DEL, C1) and bytes that are not
 * UTF-8 as '?', tab as a space: a hostile string must not drive the
 * terminal. Then spaces up to width characters. */
static void
report_text_cell(FILE *f, const char *s, size_t width)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c;
	size_t			 len, n = 0;

	for (; *p != '\0'; p += len, n++) {
		if ((len = report_utf8(p, &c)) == 0) {
			fputc('?', f);
			len = 1;
		} else if (c == '\t')
			fputc(' ', f);
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			fputc('?', f);
		else
			fwrite(p, 1, len, f);
	}
	for (; n < width; n++)
		fputc(' ', f);
}

/* Characters in s as report_text_cell() writes them. */
static size_t
report_text_width(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c;
	size_t			 len, n = 0;

	for (; *p != '\0'; p += len ? len : 1, n++)
		len = report_utf8(p, &c);
	return n;
}

/* "label: " then text one line at a time, each indented like the
 * first. */
static void
report_text_lines(FILE *f, const char *indent, const char *label,
    const char *text)
{
	const char	*nl;
	char		 line[1024];
	int		 first = 1;

	while (*text != '\0') {
		nl = strchr(text, '\n');
		snprintf(line, sizeof(line), "%.*s", (int)(nl != NULL ?
		    (size_t)(nl - text) : strlen(text)), text);
		fprintf(f, "%s%s%*s", indent, first ? label : "",
		    first ? 0 : (int)strlen(label), "");
		report_text_cell(f, line, 0);
		fputc('\n', f);
		first = 0;
		text = nl != NULL ? nl + 1 : "";
	}
}

static void
report_text_header(FILE *f, const struct report *r)
{
	char	dur[64];

	report_human(r->duration, dur, sizeof(dur));
	fputs("scenario: ", f);
	report_text_cell(f, r->name != NULL ? r->name : "", 0);
	fputs(" (", f);
	report_text_cell(f, r->file != NULL && r->file[0] != '\0' ? r->file :
	    "built-in default", 0);
	fputs(")\n", f);
	if (r->description != NULL && r->description[0] != '\0')
		report_text_lines(f, "", "description: ", r->description);
	fprintf(f, "seed: %" PRIu64 "\n", r->seed);
	fprintf(f, "clock: %s, %s of %s time", report_clock(r), dur,
	    report_clock(r));
	if (r->ended != NULL)
		fprintf(f, " (ended: %s)", r->ended);
	fputc('\n', f);
	if (r->error != NULL)
		report_text_lines(f, "", "error: ", r->error);
}

static void
report_text_table(FILE *f, const struct report *r)
{
	const struct expect_result	*x;
	size_t				 w[2], i;

	w[0] = strlen("EXPECTATION");
	w[1] = strlen("EXPECTED");
	for (i = 0; i < r->nresults; i++) {
		x = &r->results[i];
		if (report_text_width(x->what) > w[0])
			w[0] = report_text_width(x->what);
		if (report_text_width(x->expected) > w[1])
			w[1] = report_text_width(x->expected);
	}
	fputs("\n      ", f);
	report_text_cell(f, "EXPECTATION", w[0] + 2);
	report_text_cell(f, "EXPECTED", w[1] + 2);
	fputs("ACTUAL\n", f);
	for (i = 0; i < r->nresults; i++) {
		x = &r->results[i];
		fputs(x->passed ? "PASS  " : "FAIL  ", f);
		report_text_cell(f, x->what, w[0] + 2);
		report_text_cell(f, x->expected, w[1] + 2);
		report_text_cell(f, x->actual, 0);
		fputc('\n', f);
		if (x->passed)
			continue;
		report_text_lines(f, "      ", "detail: ", x->detail);
		report_text_lines(f, "      ", "why: ", report_why(r, i));
	}
}

static int
report_key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **
report_total_keys(const json_t *totals, size_t *n)
{
	static const char *const statuses[] = {
#define REPORT_STATUS_NAME(name, text, terminal) text,
		GW_STATUSES(REPORT_STATUS_NAME)
#undef REPORT_STATUS_NAME
	};
	const char	**keys;
	const char	 *key;
	json_t		 *v;
	size_t		  i, nother;

	*n = 0;
	keys = xcalloc(json_object_size(totals) + 1, sizeof(*keys));
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (json_object_get(totals, statuses[i]) != NULL)
			keys[(*n)++] = statuses[i];
	nother = *n;
	json_object_foreach((json_t *)totals, key, v) {
		if (gw_status_parse(key) == -1)
			keys[(*n)++] = key;
	}
	qsort(keys + nother, *n - nother, sizeof(*keys), report_key_cmp);
	return keys;
}

static void
report_text_totals(FILE *f, const struct report *r)
{
	const char	**keys;
	json_int_t	  sum = 0;
	size_t		  i, n;

	fputs("\nmessages:", f);
	keys = report_total_keys(r->totals, &n);
	for (i = 0; i < n; i++) {
		json_int_t v = json_integer_value(json_object_get(r->totals,
		    keys[i]));

		fprintf(f, "%s ", i > 0 ? "," : "");
		report_text_cell(f, keys[i], 0);
		fprintf(f, " %" JSON_INTEGER_FORMAT, v);
		sum += v;
	}
	if (n == 0)
		fputs(" none", f);
	else
		fprintf(f, " (%" JSON_INTEGER_FORMAT " in all)", sum);
	fputc('\n', f);
	free(keys);
}

void
report_text(FILE *f, const struct report *r, int timing)
{
	size_t failed = report_failures(r);

	report_text_header(f, r);
	if (r->nresults > 0)
		report_text_table(f, r);
	if (r->totals != NULL && json_is_object(r->totals))
		report_text_totals(f, r);
	fputc('\n', f);
	if (timing)
		fprintf(f, "wall clock: %.3fs\n", r->wall_seconds);
	if (r->error != NULL && r->nresults > 0)
		fprintf(f, "ERROR: the run did not complete (%zu of %zu "
		    "expectations failed)\n", failed, r->nresults);
	else if (r->error != NULL)
		fputs("ERROR: the run did not complete\n", f);
	else if (failed > 0)
		fprintf(f, "FAIL: %zu of %zu expectations failed\n", failed,
		    r->nresults);
	else
		fprintf(f, "PASS: %zu of %zu expectations\n", r->nresults,
		    r->nresults);
}

/* ---- JUnit XML ---- */

static void
report_junit_case(FILE *f, const struct report *r, const char *cls,
    size_t i)
{
	const struct expect_result *x = &r->results[i];

	fputs("    <testcase classname=\"", f);
	report_escape(f, cls, 1);
	fputs("\" name=\"", f);
	report_escape(f, x->what, 1);
	fputs("\" time=\"0\"", f);
	if (x->passed) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n      <failure type=\"expectation\" message=\"expected ", f);
	report_escape(f, x->expected, 1);
	fputs(", got ", f);
	report_escape(f, x->actual, 1);
	fputs("\">", f);
	report_escape(f, x->detail, 0);
	if (report_why(r, i)[0] != '\0') {
		fputs(x->detail[0] != '\0' ? "\nwhy: " : "why: ", f);
		report_escape(f, report_why(r, i), 0);
	}
	fputs("</failure>\n    </testcase>\n", f);
}

static void
report_junit_property(FILE *f, const char *name, const char *value)
{
	fprintf(f, "      <property name=\"%s\" value=\"", name);
	report_escape(f, value, 1);
	fputs("\"/>\n", f);
}

static void
report_junit_suite(FILE *f, const struct report *r)
{
	char	cls[256], seed[32];
	size_t	i;

	report_file_name(r, cls, sizeof(cls));
	fputs("  <testsuite name=\"", f);
	report_escape(f, r->name, 1);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" "
	    "skipped=\"0\" time=\"%.3f\">\n", r->nresults +
	    (r->error != NULL), report_failures(r), r->error != NULL,
	    r->duration / 1e6);
	fputs("    <properties>\n", f);
	report_junit_property(f, "file", r->file);
	snprintf(seed, sizeof(seed), "%" PRIu64, r->seed);
	report_junit_property(f, "seed", seed);
	report_junit_property(f, "clock", report_clock(r));
	fputs("    </properties>\n", f);
	if (r->error != NULL) {
		fputs("    <testcase classname=\"", f);
		report_escape(f, cls, 1);
		fputs("\" name=\"run\" time=\"0\">\n      <error "
		    "type=\"run\" message=\"", f);
		report_escape(f, r->error, 1);
		fputs("\"/>\n    </testcase>\n", f);
	}
	for (i = 0; i < r->nresults; i++)
		report_junit_case(f, r, cls, i);
	fputs("  </testsuite>\n", f);
}

int
report_junit(FILE *f, const struct report *const *reports, size_t n)
{
	size_t	i, tests = 0, failures = 0, errors = 0;
	double	time = 0;

	for (i = 0; i < n; i++) {
		tests += reports[i]->nresults + (reports[i]->error != NULL);
		failures += report_failures(reports[i]);
		errors += reports[i]->error != NULL;
		time += reports[i]->duration / 1e6;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"carrierlab\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", tests,
	    failures, errors, time);
	for (i = 0; i < n; i++)
		report_junit_suite(f, reports[i]);
	fputs("</testsuites>\n", f);
	if (fflush(f) == EOF || ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
