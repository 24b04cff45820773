/*
 * The timeline charts of a run's HTML page: how many messages are in
 * each status over the run's clock time, one chart for all routes and
 * one per route, with the timeline's notes as vertical lines.
 *
 * A message is in the status of its latest transition, so a transition
 * moves one message from its "from" status to its new one. The time axis
 * is cut into REPORT_CHART_STEPS steps and the counts sampled at each
 * step's end: the page stays the same size whether the run made a
 * hundred transitions or a hundred thousand.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/report.h"
#include "scenarios/run.h"

#define REPORT_CHART_STEPS	200
#define REPORT_CHART_EXTRA	16	/* statuses the gateway does not name */
#define REPORT_CHART_STATUSES	(GW_STATUS_COUNT + REPORT_CHART_EXTRA + 1)
#define REPORT_CHART_ROUTES	24	/* charts per run, the last "other" */

/* Geometry of one chart, in SVG user units. */
#define CHART_W		760
#define CHART_H		150
#define CHART_LEFT	56
#define CHART_RIGHT	12
#define CHART_TOP	10
#define CHART_BOTTOM	24
#define PLOT_W		(CHART_W - CHART_LEFT - CHART_RIGHT)
#define PLOT_H		(CHART_H - CHART_TOP - CHART_BOTTOM)

/* Colours of the gateway's statuses; any other takes one of the
 * palette's, in the order they are met. */
static const struct {
	const char	*status;
	const char	*colour;
} report_chart_colours[] = {
	{ .status = "accepted",		.colour = "#9e9e9e" },
	{ .status = "scheduled",	.colour = "#b39ddb" },
	{ .status = "queued",		.colour = "#90caf9" },
	{ .status = "sending",		.colour = "#42a5f5" },
	{ .status = "sent",		.colour = "#1565c0" },
	{ .status = "delivered",	.colour = "#43a047" },
	{ .status = "undelivered",	.colour = "#fb8c00" },
	{ .status = "failed",		.colour = "#e53935" },
	{ .status = "receiving",	.colour = "#80deea" },
	{ .status = "received",		.colour = "#00897b" },
	{ .status = "canceled",		.colour = "#616161" },
	{ .status = "read",		.colour = "#1b5e20" },
	{ .status = "partially_delivered", .colour = "#c0ca33" },
};
static const char *const report_chart_palette[] = {
	"#8d6e63", "#ec407a", "#7e57c2", "#26a69a", "#ffca28", "#5c6bc0",
};

struct report_chart {
	int64_t		 span;		/* usec the time axis covers */
	const char	*status[REPORT_CHART_STATUSES];
	size_t		 nstatus;	/* the gateway's, extras, "other" */
	const char	*route[REPORT_CHART_ROUTES];
	size_t		 nroute;	/* the last may be "other routes" */
	int		 route_other;	/* routes beyond the charts' */
	/* count[(route * nstatus + status) * (STEPS + 1) + step]; route
	 * nroute is every route. */
	int64_t		*count;
};

static size_t
chart_cell(const struct report_chart *c, size_t route, size_t status,
    size_t step)
{
	return (route * REPORT_CHART_STATUSES + status) *
	    (REPORT_CHART_STEPS + 1) + step;
}

/* The index of status name, adding it when it is new and there is
 * room; "other" when there is none. */
static size_t
chart_status(struct report_chart *c, const char *name)
{
	int	known = gw_status_parse(name);
	size_t	i;

	if (known >= 0)
		return (size_t)known;
	for (i = GW_STATUS_COUNT; i < c->nstatus - 1; i++)
		if (strcmp(c->status[i], name) == 0)
			return i;
	if (c->nstatus == REPORT_CHART_STATUSES)
		return c->nstatus - 1;
	c->status[c->nstatus - 1] = name;
	c->status[c->nstatus] = "other";
	return c->nstatus++ - 1;
}

static void
chart_statuses_init(struct report_chart *c)
{
	size_t i;

	for (i = 0; i < GW_STATUS_COUNT; i++)
		c->status[i] = gw_status_name((enum gw_status)i);
	c->status[i] = "other";
	c->nstatus = GW_STATUS_COUNT + 1;
}

static int
chart_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The routes of the points, sorted; beyond REPORT_CHART_ROUTES - 1 of
 * them the rest share one chart. */
static void
chart_routes_init(struct report_chart *c, const struct report *r)
{
	const char	**all;
	size_t		  i, n = 0;

	all = xcalloc(r->npoints + 1, sizeof(*all));
	for (i = 0; i < r->npoints; i++)
		all[i] = r->points[i].carrier;
	qsort(all, r->npoints, sizeof(*all), chart_str_cmp);
	for (i = 0; i < r->npoints; i++) {
		if (n > 0 && strcmp(all[i], c->route[n - 1]) == 0)
			continue;
		if (n == REPORT_CHART_ROUTES - 1) {
			c->route_other = 1;
			c->route[n++] = "other routes";
			break;
		}
		c->route[n++] = all[i];
	}
	c->nroute = n;
	free(all);
}

static size_t
chart_route(const struct report_chart *c, const char *carrier)
{
	size_t n = c->nroute - (size_t)c->route_other;
	const char *const *p;

	p = bsearch(&carrier, c->route, n, sizeof(*c->route), chart_str_cmp);
	return p != NULL ? (size_t)(p - c->route) : c->nroute - 1;
}

/* Points in time order; the store gives them so, a caller need not. */
static int
chart_point_cmp(const void *a, const void *b)
{
	const struct report_point *const *pa = a, *const *pb = b;

	if ((*pa)->at != (*pb)->at)
		return (*pa)->at < (*pb)->at ? -1 : 1;
	return *pa < *pb ? -1 : *pa > *pb;
}

static void
chart_apply(struct report_chart *c, int64_t *cur,
    const struct report_point *p)
{
	size_t route = chart_route(c, p->carrier);

	if (p->from[0] != '\0')
		cur[route * REPORT_CHART_STATUSES + chart_status(c,
		    p->from)]--;
	cur[route * REPORT_CHART_STATUSES + chart_status(c, p->status)]++;
}

/* Sweeps the points once, sampling every route's counts at the end of
 * each step, and sums the routes into the last chart. */
static void
chart_sample(struct report_chart *c, const struct report_point **order,
    size_t n)
{
	int64_t	*cur, t;
	size_t	 i = 0, k, route, s;

	cur = xcalloc((c->nroute + 1) * REPORT_CHART_STATUSES, sizeof(*cur));
	for (k = 0; k <= REPORT_CHART_STEPS; k++) {
		t = c->span / REPORT_CHART_STEPS * (int64_t)k +
		    c->span % REPORT_CHART_STEPS * (int64_t)k /
		    REPORT_CHART_STEPS;
		for (; i < n && order[i]->at <= t; i++)
			chart_apply(c, cur, order[i]);
		for (route = 0; route < c->nroute; route++)
			for (s = 0; s < REPORT_CHART_STATUSES; s++) {
				int64_t v = cur[route *
				    REPORT_CHART_STATUSES + s];

				c->count[chart_cell(c, route, s, k)] = v;
				c->count[chart_cell(c, c->nroute, s, k)] += v;
			}
	}
	free(cur);
}

static void
chart_build(struct report_chart *c, const struct report *r)
{
	const struct report_point	**order;
	size_t				  i;

	memset(c, 0, sizeof(*c));
	chart_statuses_init(c);
	chart_routes_init(c, r);
	c->span = r->duration;
	order = xcalloc(r->npoints + 1, sizeof(*order));
	for (i = 0; i < r->npoints; i++)
		order[i] = &r->points[i];
	qsort(order, r->npoints, sizeof(*order), chart_point_cmp);
	if (r->npoints > 0 && order[r->npoints - 1]->at > c->span)
		c->span = order[r->npoints - 1]->at;
	if (c->span <= 0)
		c->span = 1000000;
	c->count = xcalloc((c->nroute + 1) * REPORT_CHART_STATUSES *
	    (REPORT_CHART_STEPS + 1), sizeof(*c->count));
	chart_sample(c, order, r->npoints);
	free(order);
}

/* ---- drawing ---- */

static const char *
chart_colour(const struct report_chart *c, size_t status)
{
	size_t i;

	for (i = 0; i < sizeof(report_chart_colours) /
	    sizeof(report_chart_colours[0]); i++)
		if (strcmp(report_chart_colours[i].status, c->status[status]) ==
		    0)
			return report_chart_colours[i].colour;
	if (status == c->nstatus - 1)
		return "#bdbdbd";
	return report_chart_palette[(status - GW_STATUS_COUNT) %
	    (sizeof(report_chart_palette) / sizeof(report_chart_palette[0]))];
}

static double
chart_x(const struct report_chart *c, int64_t t)
{
	if (t < 0)
		t = 0;
	if (t > c->span)
		t = c->span;
	return CHART_LEFT + (double)t / (double)c->span * PLOT_W;
}

/* "1h 30m", "45s", "250ms", "0": a tick's label, its non-zero units. */
static void
chart_tick_label(int64_t usec, char *buf, size_t len)
{
	static const struct { int64_t usec; const char *unit; } units[] = {
		{ INT64_C(86400000000), "d" }, { INT64_C(3600000000), "h" },
		{ INT64_C(60000000), "m" }, { INT64_C(1000000), "s" },
		{ INT64_C(1000), "ms" },
	};
	size_t	i, off = 0;
	int	w;

	buf[0] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]) && off < len; i++) {
		if (usec / units[i].usec == 0)
			continue;
		w = snprintf(buf + off, len - off, "%s%" PRId64 "%s",
		    off > 0 ? " " : "", usec / units[i].usec, units[i].unit);
		off += w > 0 ? (size_t)w : 0;
		usec %= units[i].usec;
	}
	if (off == 0)
		snprintf(buf, len, "0");
}

/* The step between ticks: the first of the round values that leaves at
 * most eight ticks on the axis. */
static int64_t
chart_tick_step(int64_t span)
{
	static const int64_t steps[] = {
		1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000,
		500000, 1000000, 2000000, 5000000, 10000000, 15000000,
		30000000, 60000000, 120000000, 300000000, 600000000,
		900000000, 1800000000, INT64_C(3600000000),
		INT64_C(7200000000), INT64_C(10800000000),
		INT64_C(21600000000), INT64_C(43200000000),
		INT64_C(86400000000), INT64_C(172800000000),
		INT64_C(604800000000), INT64_C(2592000000000),
	};
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span / steps[i] <= 8)
			return steps[i];
	return span / 8;
}

static void
chart_axes(FILE *f, const struct report_chart *c, int64_t ymax)
{
	int64_t	step = chart_tick_step(c->span), t;
	char	label[64];
	int	i;

	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", CHART_LEFT, CHART_TOP + PLOT_H,
	    CHART_LEFT + PLOT_W, CHART_TOP + PLOT_H);
	for (t = 0; t <= c->span; t += step) {
		chart_tick_label(t, label, sizeof(label));
		fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" "
		    "x2=\"%.1f\" y2=\"%d\"/><text x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%s</text>\n", chart_x(c, t),
		    CHART_TOP + PLOT_H, chart_x(c, t), CHART_TOP + PLOT_H + 4,
		    chart_x(c, t), CHART_H - 6, label);
	}
	for (i = 0; i <= 2; i++)
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%"
		    PRId64 "</text>\n", CHART_LEFT - 6, CHART_TOP + PLOT_H -
		    PLOT_H * i / 2.0 + 4, ymax * i / 2);
}

/* One status's band: its top edge left to right, then the top of the
 * bands below it right to left. */
static void
chart_band(FILE *f, const struct report_chart *c, const int64_t *below,
    const int64_t *top, int64_t ymax, size_t status)
{
	int k;

	fprintf(f, "<polygon fill=\"%s\" points=\"", chart_colour(c, status));
	for (k = 0; k <= REPORT_CHART_STEPS; k++)
		fprintf(f, "%.1f,%.1f ", CHART_LEFT + (double)PLOT_W * k /
		    REPORT_CHART_STEPS, CHART_TOP + PLOT_H -
		    (double)top[k] / (double)ymax * PLOT_H);
	for (k = REPORT_CHART_STEPS; k >= 0; k--)
		fprintf(f, "%.1f,%.1f%s", CHART_LEFT + (double)PLOT_W * k /
		    REPORT_CHART_STEPS, CHART_TOP + PLOT_H -
		    (double)below[k] / (double)ymax * PLOT_H, k > 0 ? " " : "");
	fputs("\"><title>", f);
	report_escape(f, c->status[status], 0);
	fputs("</title></polygon>\n", f);
}

/* The notes as vertical lines, their text on hover. */
static void
chart_notes(FILE *f, const struct report_chart *c, const struct report *r)
{
	char	at[64];
	size_t	i;

	for (i = 0; i < r->nnotes; i++) {
		const struct engine_note *n = &r->notes[i];
		double x = chart_x(c, n->at);

		report_human(n->at, at, sizeof(at));
		fprintf(f, "<g class=\"note\"><title>%s ", at);
		report_escape(f, n->kind, 0);
		fputs(": ", f);
		report_escape(f, n->text, 0);
		fprintf(f, "</title><line class=\"hit\" x1=\"%.1f\" y1=\"%d\" "
		    "x2=\"%.1f\" y2=\"%d\"/><line x1=\"%.1f\" y1=\"%d\" "
		    "x2=\"%.1f\" y2=\"%d\"/></g>\n", x, CHART_TOP, x,
		    CHART_TOP + PLOT_H, x, CHART_TOP, x, CHART_TOP + PLOT_H);
	}
}

/* The largest stack of the chart for route, at least 1. */
static int64_t
chart_ymax(const struct report_chart *c, size_t route)
{
	int64_t	max = 1, sum, v;
	size_t	k, s;

	for (k = 0; k <= REPORT_CHART_STEPS; k++) {
		sum = 0;
		for (s = 0; s < c->nstatus; s++)
			if ((v = c->count[chart_cell(c, route, s, k)]) > 0)
				sum += v;
		if (sum > max)
			max = sum;
	}
	return max + max % 2;
}

static void
chart_one(FILE *f, const struct report_chart *c, const struct report *r,
    size_t route)
{
	int64_t	below[REPORT_CHART_STEPS + 1] = { 0 };
	int64_t	top[REPORT_CHART_STEPS + 1], ymax = chart_ymax(c, route), v;
	size_t	k, s;
	int	any;

	fputs("<figure class=\"chart\"><figcaption>", f);
	report_escape(f, route == c->nroute ? "all routes" :
	    c->route[route][0] == '\0' ? "(no route)" : c->route[route], 0);
	fprintf(f, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">\n",
	    CHART_W, CHART_H, CHART_W, CHART_H);
	for (s = 0; s < c->nstatus; s++) {
		any = 0;
		for (k = 0; k <= REPORT_CHART_STEPS; k++) {
			v = c->count[chart_cell(c, route, s, k)];
			top[k] = below[k] + (v > 0 ? v : 0);
			any |= v > 0;
		}
		if (!any)
			continue;
		chart_band(f, c, below, top, ymax, s);
		memcpy(below, top, sizeof(below));
	}
	chart_axes(f, c, ymax);
	chart_notes(f, c, r);
	fputs("</svg></figure>\n", f);
}

/* The statuses the run's messages were ever in, with their colours. */
static void
chart_legend(FILE *f, const struct report_chart *c)
{
	size_t	k, s;

	fputs("<ul class=\"legend\">", f);
	for (s = 0; s < c->nstatus; s++)
		for (k = 0; k <= REPORT_CHART_STEPS; k++) {
			if (c->count[chart_cell(c, c->nroute, s, k)] <= 0)
				continue;
			fprintf(f, "<li><span class=\"swatch\" style=\""
			    "background:%s\"></span>", chart_colour(c, s));
			report_escape(f, c->status[s], 0);
			fputs("</li>", f);
			break;
		}
	fputs("</ul>\n", f);
}

void
report_chart_write(FILE *f, const struct report *r)
{
	struct report_chart	c;
	size_t			route;

	chart_build(&c, r);
	chart_legend(f, &c);
	chart_one(f, &c, r, c.nroute);
	for (route = 0; route < c.nroute; route++)
		chart_one(f, &c, r, route);
	free(c.count);
}
