/*
 * What the three writers of a run's report share (scenarios/report.c,
 * report-html.c, report-chart.c); the interface is in scenarios/run.h.
 */
#ifndef CARRIERLAB_SCENARIOS_REPORT_H
#define CARRIERLAB_SCENARIOS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct report;

/*
 * Writes s escaped for XML 1.0 and HTML: & < > " ' as references, bytes
 * that are not UTF-8 and characters XML forbids (controls but tab and
 * newline, U+FFFE, U+FFFF) as U+FFFD. In an attribute (attr) tab, newline
 * and carriage return are references too, so they survive attribute
 * normalisation. NULL writes nothing.
 */
void		 report_escape(FILE *, const char *s, int attr);
/* "4h 0m 12s", "2d 0h 0m 5s", "12s", "1.25s", "250ms", "0s": clock time
 * for a person. */
void		 report_human(int64_t usec, char *buf, size_t len);
/* The i-th result's "why", "" for none. */
const char	*report_why(const struct report *, size_t i);
size_t		 report_failures(const struct report *);
/* r->clock as "real" or "virtual" (NULL or anything else: virtual), so
 * no caller's string reaches the output unchecked. */
const char	*report_clock(const struct report *);
/* "PASS", "FAIL" or "ERROR" (r->error). */
const char	*report_verdict(const struct report *);
/* The basename of r->file without ".json"; "default" for the built-in
 * scenario. */
void		 report_file_name(const struct report *, char *buf,
		    size_t len);
/* The keys of the totals object: the gateway's statuses in their order,
 * then any other in byte order; *n of them, in a malloc'd array. */
const char	**report_total_keys(const json_t *totals, size_t *n);

/* The timeline charts of one run, as inline SVG (report-chart.c). */
void		 report_chart_write(FILE *, const struct report *);

#endif
