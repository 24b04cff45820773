/*
 * The run's report (scenarios/report*.c) over reports built by hand
 * (report_sample.c): the text table's exact layout, escaping of hostile
 * strings in every output, the structure of the JUnit XML and the HTML
 * page, write errors, and the transitions read back from a store made
 * with the gateway's own schema. report_parse.sh parses the same outputs
 * with real XML and HTML parsers.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "gateway/store.h"
#include "scenarios/report.h"
#include "scenarios/run.h"
#include "tests/unit/gw_fixture.h"
#include "tests/unit/report_sample.h"

/* What one writer puts out, in a malloc'd NUL-terminated string. */
struct out {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

static void
out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	ck_assert_ptr_nonnull(o->f);
}

static char *
out_close(struct out *o)
{
	ck_assert_int_eq(fclose(o->f), 0);
	return o->buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static char *
text_of(enum report_sample_kind kind, int timing)
{
	struct report_sample	s;
	struct out		o;

	report_sample_init(&s, kind);
	out_open(&o);
	report_text(o.f, &s.r, timing);
	report_sample_free(&s);
	return out_close(&o);
}

START_TEST(test_text_layout)
{
	static const char want[] =
	    "scenario: long-code-fallback (long-code-fallback.json)\n"
	    "seed: 7\n"
	    "clock: virtual, 1m 30s of virtual time\n"
	    "\n"
	    "      EXPECTATION                    EXPECTED  ACTUAL\n"
	    "PASS  messages count                 == 10     10\n"
	    "FAIL  messages{status=queued} count  == 0      3\n"
	    "      detail: SM0001 queued\n"
	    "              SM0002 queued\n"
	    "              SM0003 queued\n"
	    "      why: nothing stuck\n"
	    "FAIL  callbacks{out_of_order} count  == 0      1\n"
	    "      detail: SM0004: sent after delivered\n"
	    "\n"
	    "messages: queued 3, delivered 7 (10 in all)\n"
	    "\n"
	    "FAIL: 2 of 3 expectations failed\n";
	char *got = text_of(REPORT_SAMPLE_FAIL, 0);

	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* The wall-clock line is the only difference timing makes, and the
 * verdict stays the last line. */
START_TEST(test_text_timing)
{
	char	*plain = text_of(REPORT_SAMPLE_PASS, 0);
	char	*timed = text_of(REPORT_SAMPLE_PASS, 1);
	char	*line = strstr(timed, "wall clock: 0.250s\n");
	size_t	 at;

	ck_assert_ptr_nonnull(line);
	at = (size_t)(line - timed);
	memmove(line, line + strlen("wall clock: 0.250s\n"),
	    strlen(line + strlen("wall clock: 0.250s\n")) + 1);
	ck_assert_str_eq(plain, timed);
	ck_assert_str_eq(plain + at, "PASS: 2 of 2 expectations\n");
	ck_assert_ptr_nonnull(strstr(plain,
	    "clock: virtual, 4h 0m 12s of virtual time\n"));
	ck_assert_ptr_nonnull(strstr(plain, "messages: delivered 1906, "
	    "undelivered 60, failed 34 (2000 in all)\n"));
	free(plain);
	free(timed);
}
END_TEST

START_TEST(test_text_error)
{
	char *got = text_of(REPORT_SAMPLE_ERROR, 0);

	ck_assert_ptr_nonnull(strstr(got, "scenario: default (built-in "
	    "default)\n"));
	ck_assert_ptr_nonnull(strstr(got, "error: cannot listen on "
	    "127.0.0.1:2775: Address in use\n"));
	ck_assert_str_eq(got + strlen(got) -
	    strlen("ERROR: the run did not complete\n"),
	    "ERROR: the run did not complete\n");
	free(got);
}
END_TEST

/* Controls and broken UTF-8 never reach the terminal; the columns count
 * characters, not bytes. */
START_TEST(test_text_hostile)
{
	char	*got = text_of(REPORT_SAMPLE_HOSTILE, 0);
	size_t	 i;

	for (i = 0; got[i] != '\0'; i++)
		ck_assert_msg((unsigned char)got[i] >= 0x20 || got[i] == '\n',
		    "control 0x%02x at %zu", (unsigned char)got[i], i);
	ck_assert_ptr_null(strstr(got, "\xff"));
	ck_assert_ptr_nonnull(strstr(got, "description: ]]> & <!-- ??[31m "
	    "red ?? end\n"));
	ck_assert_ptr_nonnull(strstr(got,
	    "FAIL  <b>bold</b> & \"q\" 'a'  ]]>       ??????\n"));
	ck_assert_ptr_nonnull(strstr(got,
	    "PASS  \xc3\xa9t\xc3\xa9 \xf0\x9f\x93\xb1                  ok  "));
	free(got);
}
END_TEST

static const struct {
	const char	*in;
	int		 attr;
	const char	*want;
} escape_rows[] = {
	{ "</script>", 0, "&lt;/script&gt;" },
	{ "]]>", 0, "]]&gt;" },
	{ "a & b", 0, "a &amp; b" },
	{ "\"it's\"", 1, "&quot;it&#39;s&quot;" },
	{ "a\x01" "b\x1b" "c\x7f", 0, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\x7f" },
	{ "tab\tnl\ncr\r", 0, "tab\tnl\ncr&#13;" },
	{ "tab\tnl\ncr\r", 1, "tab&#9;nl&#10;cr&#13;" },
	{ "\xff", 0, "\xef\xbf\xbd" },
	{ "\xc3", 0, "\xef\xbf\xbd" },		/* truncated */
	{ "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong */
	{ "\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xef\xbf\xbf", 0, "\xef\xbf\xbd" },	/* U+FFFF */
	{ "\xf4\x90\x80\x80", 0,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xc3\xa9\xf0\x9f\x93\xb1", 0, "\xc3\xa9\xf0\x9f\x93\xb1" },
	{ "", 0, "" },
};

START_TEST(test_escape)
{
	struct out	o;
	char		*got;

	out_open(&o);
	report_escape(o.f, escape_rows[_i].in, escape_rows[_i].attr);
	got = out_close(&o);
	ck_assert_str_eq(got, escape_rows[_i].want);
	free(got);
}
END_TEST

static const struct {
	int64_t		 usec;
	const char	*want;
} human_rows[] = {
	{ 0, "0s" },
	{ 250000, "250ms" },
	{ 1500, "1.500ms" },
	{ 1250000, "1.25s" },
	{ 12000000, "12s" },
	{ 90000000, "1m 30s" },
	{ INT64_C(14412000000), "4h 0m 12s" },
	{ INT64_C(172805000000), "2d 0h 0m 5s" },
	{ -5, "0s" },
};

START_TEST(test_human)
{
	char buf[64];

	report_human(human_rows[_i].usec, buf, sizeof(buf));
	ck_assert_str_eq(buf, human_rows[_i].want);
}
END_TEST

/* The four samples: 2 + 3 + 2 expectations and one run that could not
 * run. */
static char *
junit_of_samples(void)
{
	struct report_sample	 s[4];
	const struct report	*r[4];
	struct out		 o;
	int			 i;

	for (i = 0; i < 4; i++) {
		report_sample_init(&s[i], (enum report_sample_kind)i);
		r[i] = &s[i].r;
	}
	out_open(&o);
	ck_assert_int_eq(report_junit(o.f, r, 4), 0);
	for (i = 0; i < 4; i++)
		report_sample_free(&s[i]);
	return out_close(&o);
}

START_TEST(test_junit)
{
	char *x = junit_of_samples();

	ck_assert_ptr_eq(strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\""
	    "?>\n<testsuites name=\"carrierlab\" tests=\"8\" failures=\"3\" "
	    "errors=\"1\" time=\"14503.500\">\n"), x);
	ck_assert_uint_eq(count(x, "<testsuite "), 4);
	ck_assert_uint_eq(count(x, "<testcase "), 8);
	ck_assert_uint_eq(count(x, "<failure "), 3);
	ck_assert_uint_eq(count(x, "<error "), 1);
	ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"long-code-fallback"
	    "\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\" "
	    "time=\"90.000\">"));
	ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"long-code-"
	    "fallback\" name=\"messages{status=queued} count\" time=\"0\">\n"
	    "      <failure type=\"expectation\" message=\"expected == 0, "
	    "got 3\">SM0001 queued\nSM0002 queued\nSM0003 queued\nwhy: "
	    "nothing stuck</failure>"));
	/* The hostile strings, all escaped. */
	ck_assert_ptr_null(strstr(x, "<script"));
	ck_assert_ptr_null(strstr(x, "<b>"));
	ck_assert_ptr_null(strstr(x, "]]>"));
	ck_assert_ptr_null(strstr(x, "<!["));
	ck_assert_ptr_null(strstr(x, "\r"));
	ck_assert_ptr_null(strstr(x, "\x07"));
	ck_assert_ptr_nonnull(strstr(x, "classname=\"&lt;x&gt;&amp;&quot;\" "
	    "name=\"&lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot; "
	    "&#39;a&#39;\""));
	free(x);
}
END_TEST

static char *
html_of(enum report_sample_kind kind)
{
	struct report_sample	 s;
	const struct report	*r = &s.r;
	struct out		 o;

	report_sample_init(&s, kind);
	out_open(&o);
	ck_assert_int_eq(report_html(o.f, &r, 1), 0);
	report_sample_free(&s);
	return out_close(&o);
}

START_TEST(test_html_pass)
{
	char *h = html_of(REPORT_SAMPLE_PASS);

	ck_assert_ptr_eq(strstr(h, "<!DOCTYPE html>\n"), h);
	/* All routes, then alpha-mobile, beta-tel and the failed messages
	 * that never had one. */
	ck_assert_uint_eq(count(h, "<figure class=\"chart\">"), 4);
	ck_assert_ptr_nonnull(strstr(h, "<figcaption>all routes</figcaption>"));
	ck_assert_ptr_nonnull(strstr(h, "<figcaption>(no route)</figcaption>"));
	ck_assert_ptr_nonnull(strstr(h,
	    "<figcaption>alpha-mobile</figcaption>"));
	/* Each note on each chart, and listed once. */
	ck_assert_uint_eq(count(h, "<g class=\"note\">"), 2 * 4);
	ck_assert_uint_eq(count(h, "<title>1m 0s fault: alpha-mobile fault "
	    "refuse_binds on for 10m</title>"), 4);
	ck_assert_uint_eq(count(h, "<td>alpha-mobile fault refuse_binds off"
	    "</td>"), 1);
	ck_assert_uint_eq(count(h, "<tr class=\"pass\">"), 2);
	ck_assert_uint_eq(count(h, "<tr class=\"fail\">"), 0);
	ck_assert_ptr_nonnull(strstr(h, "<span class=\"verdict PASS\">PASS"));
	/* Axis labels in human units over 4h. */
	ck_assert_ptr_nonnull(strstr(h, ">1h</text>"));
	ck_assert_ptr_nonnull(strstr(h, ">3h 30m</text>"));
	ck_assert_ptr_null(strstr(h, "<script"));
	ck_assert_ptr_null(strstr(h, "src="));
	free(h);
}
END_TEST

START_TEST(test_html_hostile)
{
	char *h = html_of(REPORT_SAMPLE_HOSTILE);

	ck_assert_ptr_null(strstr(h, "<script"));
	ck_assert_ptr_null(strstr(h, "<svg onload"));
	ck_assert_ptr_null(strstr(h, "<b>"));
	ck_assert_ptr_null(strstr(h, "<kind>"));
	ck_assert_ptr_null(strstr(h, "</td></tr></table>"));
	ck_assert_ptr_null(strstr(h, "\xff"));
	ck_assert_ptr_null(strstr(h, "\x1b"));
	ck_assert_ptr_nonnull(strstr(h, "<figcaption>&lt;svg onload=alert(1)"
	    "&gt;</figcaption>"));
	ck_assert_ptr_nonnull(strstr(h, "<title>500ms &lt;kind&gt;: "
	    "&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title>"));
	ck_assert_uint_eq(count(h, "<tr class=\"fail\">"), 1);
	ck_assert_uint_eq(count(h, "<tr class=\"pass\">"), 1);
	free(h);
}
END_TEST

/* 100k transitions make a page of the same size as a hundred: the time
 * axis has 200 steps whatever the number of points. */
START_TEST(test_html_big)
{
	char *h = html_of(REPORT_SAMPLE_BIG);

	/* All routes, the three and (no route). */
	ck_assert_uint_eq(count(h, "<figure class=\"chart\">"), 5);
	ck_assert_uint_lt(strlen(h), 300 * 1024);
	free(h);
}
END_TEST

/*
 * One message, queued at 0 and delivered at 5s of 10s: the queued band
 * is one message high (half the axis, whose top is 2) until the middle
 * step and flat after it, the delivered band the other way round. The
 * plot spans x 56..748 and y 126 (none) to 10 (the top).
 */
START_TEST(test_chart_counts)
{
	struct report_point	 p[2];
	struct report		 r;
	const struct report	*rp = &r;
	struct out		 o;
	char			*h, *queued, *delivered;

	memset(&r, 0, sizeof(r));
	memset(p, 0, sizeof(p));
	r.name = r.file = "one";
	r.clock = "virtual";
	r.duration = 10000000;
	strcpy(p[0].carrier, "r");
	strcpy(p[0].status, "queued");
	p[1] = p[0];
	p[1].at = 5000000;
	strcpy(p[1].from, "queued");
	strcpy(p[1].status, "delivered");
	r.points = p;
	r.npoints = 2;
	out_open(&o);
	ck_assert_int_eq(report_html(o.f, &rp, 1), 0);
	h = out_close(&o);
	/* The first chart is all routes. */
	queued = strstr(h, "<polygon fill=\"#90caf9\" points=\"");
	delivered = strstr(h, "<polygon fill=\"#43a047\" points=\"");
	ck_assert_ptr_nonnull(queued);
	ck_assert_ptr_nonnull(delivered);
	ck_assert_ptr_eq(strstr(queued, "points=\"56.0,68.0 59.5,68.0 "),
	    strstr(queued, "points="));
	ck_assert_ptr_nonnull(strstr(queued, " 398.5,68.0 402.0,126.0 "));
	ck_assert_ptr_nonnull(strstr(queued, " 748.0,126.0 748.0,126.0 "));
	/* Stacked on queued: its top is one message throughout, its
	 * bottom queued's top. */
	ck_assert_ptr_eq(strstr(delivered, "points=\"56.0,68.0 "),
	    strstr(delivered, "points="));
	ck_assert_ptr_nonnull(strstr(delivered, " 748.0,68.0 748.0,126.0 "));
	ck_assert_ptr_nonnull(strstr(delivered, " 402.0,126.0 398.5,68.0 "));
	ck_assert_ptr_nonnull(strstr(h, "text-anchor=\"end\">2</text>"));
	ck_assert_ptr_nonnull(strstr(h, "text-anchor=\"middle\">4s</text>"));
	free(h);
}
END_TEST

START_TEST(test_write_error)
{
	struct report_sample	 s;
	const struct report	*r = &s.r;
	FILE			*f = fopen("/dev/full", "w");

	if (f == NULL)
		return;		/* no /dev/full here */
	report_sample_init(&s, REPORT_SAMPLE_PASS);
	errno = 0;
	ck_assert_int_eq(report_junit(f, &r, 1), -1);
	ck_assert_int_eq(errno, ENOSPC);
	clearerr(f);
	errno = 0;
	ck_assert_int_eq(report_html(f, &r, 1), -1);
	ck_assert_int_eq(errno, ENOSPC);
	fclose(f);
	report_sample_free(&s);
}
END_TEST

/* ---- the transitions from a store ---- */

static void
db_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK,
	    "%s: %s", sql, err != NULL ? err : "?");
}

static void
db_message(sqlite3 *db, const char *sid, const char *route)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "INSERT INTO messages (sid, account_sid,"
	    " \"to\", \"from\", body, status, direction, date_created,"
	    " date_updated, validity_period, num_segments, num_media, media,"
	    " data_coding, smart_encoded, attempt, route, parts) VALUES"
	    " ('%s', 'AC1', '+1', '+2', 'hi', 'sent', 'outbound-api', 0, 0,"
	    " 0, 1, 0, '[]', 0, 0, 0, %s%s%s, '[]')", sid,
	    route != NULL ? "'" : "", route != NULL ? route : "NULL",
	    route != NULL ? "'" : "");
	db_exec(db, sql);
}

static void
db_event(sqlite3 *db, int id, const char *sid, const char *status,
    long long at)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO message_events (id, sid,"
	    " status, at) VALUES (%d, '%s', '%s', %lld)", id, sid, status, at);
	db_exec(db, sql);
}

/* A store made by the gateway (its schema, as migrated), with events
 * added out of time order and two at one time. */
static void
db_make(const char *path)
{
	struct event_base	*base = event_base_new();
	struct gw_store		*st;
	sqlite3			*db;
	char			 err[256];

	ck_assert_ptr_nonnull(base);
	st = gw_store_open(base, path, GATEWAY_SYNC_NORMAL, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	gw_store_close(st);
	event_base_free(base);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	db_message(db, "SM1", "alpha-mobile");
	db_message(db, "SM2", NULL);
	db_event(db, 1, "SM1", "queued", 1000000);
	db_event(db, 2, "SM2", "queued", 1000000);
	db_event(db, 3, "SM1", "sending", 1500000);
	db_event(db, 5, "SM2", "failed", 1200000);
	db_event(db, 6, "SM1", "sent", 1500000);
	db_event(db, 7, "SM1", "partially_delivered", 9000000);
	db_event(db, 8, "SM3", "received", 2000000);	/* no message row */
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

START_TEST(test_points_load)
{
	static const struct {
		int64_t		 at;
		const char	*carrier, *from, *status;
	} want[] = {
		{ 0, "alpha-mobile", "", "queued" },
		{ 0, "", "", "queued" },
		{ 200000, "", "queued", "failed" },
		{ 500000, "alpha-mobile", "queued", "sending" },
		{ 500000, "alpha-mobile", "sending", "sent" },
		{ 1000000, "", "", "received" },
		{ 8000000, "alpha-mobile", "sent", "partially_delivered" },
	};
	struct report_point	*p;
	char			 dir[256], db[512], err[512];
	size_t			 n, i;

	gwfx_tmpdir("test_report", dir, sizeof(dir), db, sizeof(db));
	db_make(db);
	ck_assert_msg(report_points_load(db, 1000000, &p, &n, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(p[i].at, want[i].at);
		ck_assert_str_eq(p[i].carrier, want[i].carrier);
		ck_assert_str_eq(p[i].from, want[i].from);
		ck_assert_str_eq(p[i].status, want[i].status);
	}
	free(p);
	gwfx_tmpdir_remove(dir, db);
}
END_TEST

START_TEST(test_points_load_errors)
{
	struct report_point	*p = (struct report_point *)1;
	char			 dir[256], db[512], err[512];
	size_t			 n = 1;
	sqlite3			*h;

	gwfx_tmpdir("test_report", dir, sizeof(dir), db, sizeof(db));
	/* No file: read-only never creates one. */
	ck_assert_int_eq(report_points_load(db, 0, &p, &n, err, sizeof(err)),
	    -1);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_eq(strstr(err, db), err);
	ck_assert_ptr_nonnull(strstr(err, "reading the message events"));
	/* A database that is not a gateway's. */
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	db_exec(h, "CREATE TABLE other (x)");
	sqlite3_close(h);
	ck_assert_int_eq(report_points_load(db, 0, &p, &n, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "no such table"));
	gwfx_tmpdir_remove(dir, db);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("report");
	TCase	*tc = tcase_create("report");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_text_layout);
	tcase_add_test(tc, test_text_timing);
	tcase_add_test(tc, test_text_error);
	tcase_add_test(tc, test_text_hostile);
	tcase_add_loop_test(tc, test_escape, 0,
	    sizeof(escape_rows) / sizeof(escape_rows[0]));
	tcase_add_loop_test(tc, test_human, 0,
	    sizeof(human_rows) / sizeof(human_rows[0]));
	tcase_add_test(tc, test_junit);
	tcase_add_test(tc, test_html_pass);
	tcase_add_test(tc, test_html_hostile);
	tcase_add_test(tc, test_html_big);
	tcase_add_test(tc, test_chart_counts);
	tcase_add_test(tc, test_write_error);
	tcase_add_test(tc, test_points_load);
	tcase_add_test(tc, test_points_load_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
