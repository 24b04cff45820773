/*
 * Time values in scenarios: durations ("250ms", "1.5s", "90d", or a bare
 * number of milliseconds), distributions of durations, and instants
 * written in RFC 3339 ("2026-01-01T00:00:00Z"). All become microseconds,
 * the unit of common/clock.h.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/calendar.h"
#include "common/duration.h"
#include "scenarios/scenario-internal.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)
#define USEC_PER_MS		1000.0

int
scn_get_duration(struct scn_ctx *c, json_t *v, int64_t *usec)
{
	double x;

	if (json_is_number(v)) {
		x = json_number_value(v) * USEC_PER_MS;
		if (x < 0)
			return scn_fail(c, "must not be negative");
	} else if (json_is_string(v)) {
		if (duration_parse(json_string_value(v), &x) == -1)
			return scn_fail(c, "\"%.40s\" is not a duration (a "
			    "number and a unit: 250ms, 1.5s, 5m, 4h, 90d)",
			    json_string_value(v));
	} else
		return scn_fail(c, "must be a duration such as \"250ms\" or "
		    "\"30s\", or a number of milliseconds");
	if (!(x <= (double)SCN_DURATION_MAX))
		return scn_fail(c, "must be at most 3650d");
	*usec = (int64_t)llround(x);
	return 0;
}

json_t *
scn_duration_json(int64_t usec)
{
	char	buf[32];

	duration_format(usec, buf, sizeof buf);
	return json_string(buf);
}

static int
duration_key_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	int64_t usec;

	if (scn_get_duration(c, v, &usec) == -1)
		return -1;
	if ((k->flags & SCN_POSITIVE) && usec == 0)
		return scn_fail(c, "must be more than 0");
	memcpy(FIELD(base, k), &usec, sizeof usec);
	return 0;
}

static json_t *
duration_show(const struct scn_key *k, const void *base)
{
	int64_t usec;

	memcpy(&usec, CFIELD(base, k), sizeof usec);
	return scn_duration_json(usec);
}

const struct scn_type scn_type_duration = {
	.name = "duration", .parse = duration_key_parse, .show = duration_show,
};

/* The members of the object forms, read by the same walker. */
static const struct scn_key dist_lognormal_keys[] = {
	{ .name = "median", .type = &scn_type_duration,
	  .off = offsetof(struct carrier_dist, a),
	  .flags = SCN_REQUIRED | SCN_POSITIVE },
	{ .name = "p99", .type = &scn_type_duration,
	  .off = offsetof(struct carrier_dist, b), .flags = SCN_REQUIRED },
	{ .name = NULL },
};

static const struct scn_key dist_exponential_keys[] = {
	{ .name = "mean", .type = &scn_type_duration,
	  .off = offsetof(struct carrier_dist, a),
	  .flags = SCN_REQUIRED | SCN_POSITIVE },
	{ .name = NULL },
};

static int
dist_uniform(struct scn_ctx *c, json_t *v, struct carrier_dist *d)
{
	size_t i;

	if (!json_is_array(v) || json_array_size(v) != 2)
		return scn_fail(c, "must be two durations [low, high]");
	for (i = 0; i < 2; i++) {
		int rc;

		scn_push_index(c, i);
		rc = scn_get_duration(c, json_array_get(v, i),
		    i == 0 ? &d->a : &d->b);
		scn_pop(c);
		if (rc == -1)
			return -1;
	}
	if (d->b < d->a)
		return scn_fail(c, "the low bound is above the high bound");
	return 0;
}

/* The kind is the object's one member; the path names it. */
static int
dist_member(struct scn_ctx *c, const char *kind, json_t *v,
    struct carrier_dist *d)
{
	if (strcmp(kind, "fixed") == 0) {
		d->kind = CARRIER_DIST_FIXED;
		return scn_get_duration(c, v, &d->a);
	}
	if (strcmp(kind, "uniform") == 0) {
		d->kind = CARRIER_DIST_UNIFORM;
		return dist_uniform(c, v, d);
	}
	if (strcmp(kind, "exponential") == 0) {
		d->kind = CARRIER_DIST_EXPONENTIAL;
		return scn_walk(c, dist_exponential_keys, v, d);
	}
	if (strcmp(kind, "lognormal") != 0)
		return scn_fail(c, "unknown distribution (fixed, uniform, "
		    "lognormal or exponential)");
	d->kind = CARRIER_DIST_LOGNORMAL;
	if (scn_walk(c, dist_lognormal_keys, v, d) == -1)
		return -1;
	if (d->b < d->a) {
		scn_push_key(c, "p99");
		scn_fail(c, "must be at least the median");
		scn_pop(c);
		return -1;
	}
	return 0;
}

static int
dist_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	struct carrier_dist	 d = { CARRIER_DIST_FIXED, 0, 0 };
	const char		*kind;
	json_t			*m;
	int			 rc = 0;

	if (!json_is_object(v))
		rc = scn_get_duration(c, v, &d.a);	/* fixed */
	else if (json_object_size(v) != 1)
		rc = scn_fail(c, "must have exactly one of fixed, uniform, "
		    "lognormal or exponential");
	else {
		json_object_foreach(v, kind, m) {
			scn_push_key(c, kind);
			rc = dist_member(c, kind, m, &d);
			scn_pop(c);
		}
	}
	if (rc == 0)
		memcpy(FIELD(base, k), &d, sizeof d);
	return rc;
}

static json_t *
dist_show(const struct scn_key *k, const void *base)
{
	struct carrier_dist d;

	memcpy(&d, CFIELD(base, k), sizeof d);
	switch (d.kind) {
	case CARRIER_DIST_UNIFORM:
		return json_pack("{s:[o,o]}", "uniform",
		    scn_duration_json(d.a), scn_duration_json(d.b));
	case CARRIER_DIST_LOGNORMAL:
		return json_pack("{s:{s:o,s:o}}", "lognormal", "median",
		    scn_duration_json(d.a), "p99", scn_duration_json(d.b));
	case CARRIER_DIST_EXPONENTIAL:
		return json_pack("{s:{s:o}}", "exponential", "mean",
		    scn_duration_json(d.a));
	default:
		return json_pack("{s:o}", "fixed", scn_duration_json(d.a));
	}
}

const struct scn_type scn_type_dist = {
	.name = "distribution", .parse = dist_parse, .show = dist_show,
};

/* Exactly n digits at *p, advancing it. */
static int
ts_digits(const char **p, int n, int *out)
{
	int i;

	*out = 0;
	for (i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*out = *out * 10 + (**p - '0');
	}
	return 0;
}

/* The fraction after the seconds and the zone; usec and offset out. */
static int
ts_tail(const char *p, int64_t *frac, int *offset_min)
{
	int64_t	scale = 100000;
	int	hh, mm, sign;

	*frac = 0;
	*offset_min = 0;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			*frac += scale * (*p - '0');
		if (p[-1] == '.')
			return -1;	/* a dot with no digits */
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (ts_digits(&p, 2, &hh) == -1 || *p++ != ':' ||
	    ts_digits(&p, 2, &mm) == -1 || *p != '\0' || hh > 23 || mm > 59)
		return -1;
	*offset_min = sign * (hh * 60 + mm);
	return 0;
}

/* "YYYY-MM-DD" then 'T', checked against the calendar. */
static int
ts_date(const char **p, int *y, int *mo, int *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap;

	if (ts_digits(p, 4, y) == -1 || *(*p)++ != '-' ||
	    ts_digits(p, 2, mo) == -1 || *(*p)++ != '-' ||
	    ts_digits(p, 2, d) == -1 || (**p != 'T' && **p != 't'))
		return -1;
	(*p)++;
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	if (*y < 1970 || *mo < 1 || *mo > 12 || *d < 1 ||
	    *d > mdays[*mo - 1] || (*mo == 2 && *d == 29 && !leap))
		return -1;
	return 0;
}

static int
ts_parse(const char *s, int64_t *usec)
{
	const char	*p = s;
	int		 y, mo, d, h, mi, se, off;
	int64_t		 frac, secs;

	if (ts_date(&p, &y, &mo, &d) == -1 || ts_digits(&p, 2, &h) == -1 ||
	    *p++ != ':' || ts_digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    ts_digits(&p, 2, &se) == -1 || ts_tail(p, &frac, &off) == -1 ||
	    h > 23 || mi > 59 || se > 59)
		return -1;
	secs = calendar_days_from_civil(y, mo, d) * 86400 +
	    h * 3600 + mi * 60 + se - off * 60;
	*usec = secs * 1000000 + frac;
	return *usec > 0 ? 0 : -1;
}

static int
timestamp_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	int64_t usec;

	if (!json_is_string(v) || ts_parse(json_string_value(v), &usec) == -1)
		return scn_fail(c, "must be a UTC time such as "
		    "\"2026-01-01T00:00:00Z\" (RFC 3339, 1970 or later)");
	memcpy(FIELD(base, k), &usec, sizeof usec);
	return 0;
}

/* 0 means "not given" (the wall clock): nothing to show. */
static json_t *
timestamp_show(const struct scn_key *k, const void *base)
{
	int64_t		usec;
	time_t		t;
	struct tm	tm;
	char		buf[64];
	size_t		n;

	memcpy(&usec, CFIELD(base, k), sizeof usec);
	if (usec == 0)
		return NULL;
	t = (time_t)(usec / 1000000);
	if (gmtime_r(&t, &tm) == NULL)
		return NULL;
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	if (usec % 1000000 != 0)
		n += (size_t)snprintf(buf + n, sizeof buf - n, ".%06lld",
		    (long long)(usec % 1000000));
	snprintf(buf + n, sizeof buf - n, "Z");
	return json_string(buf);
}

const struct scn_type scn_type_timestamp = {
	.name = "time", .parse = timestamp_parse, .show = timestamp_show,
};
