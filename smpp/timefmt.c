#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/calendar.h"
#include "smpp/timefmt.h"

#define TIME_USEC_PER_SEC	INT64_C(1000000)
#define TIME_USEC_PER_TENTH	INT64_C(100000)
#define TIME_SEC_PER_QUARTER	900
#define TIME_SEC_PER_DAY	86400
/*
 * Instants further than this from the epoch (about 12,000 years) are
 * refused before any arithmetic, so nothing below can overflow.
 */
#define TIME_USEC_LIMIT		INT64_C(400000000000000000)

/* Where each part sits in a text layout. */
struct time_slot {
	enum smpp_time_part	part;
	size_t			pos;
	size_t			width;
};

static const struct time_slot time_layout_field[] = {
	{ SMPP_TIME_PART_YEAR, 0, 2 },
	{ SMPP_TIME_PART_MONTH, 2, 2 },
	{ SMPP_TIME_PART_DAY, 4, 2 },
	{ SMPP_TIME_PART_HOUR, 6, 2 },
	{ SMPP_TIME_PART_MINUTE, 8, 2 },
	{ SMPP_TIME_PART_SECOND, 10, 2 },
	{ SMPP_TIME_PART_TENTHS, 12, 1 },
	{ SMPP_TIME_PART_OFFSET, 13, 2 },
};
#define TIME_SIGN_POS	15

static const struct time_slot time_layout_digits4[] = {
	{ SMPP_TIME_PART_YEAR, 0, 4 },
	{ SMPP_TIME_PART_MONTH, 4, 2 },
	{ SMPP_TIME_PART_DAY, 6, 2 },
	{ SMPP_TIME_PART_HOUR, 8, 2 },
	{ SMPP_TIME_PART_MINUTE, 10, 2 },
	{ SMPP_TIME_PART_SECOND, 12, 2 },
};

static const char *const time_part_names[] = {
	[SMPP_TIME_PART_NONE] = "none",
	[SMPP_TIME_PART_LENGTH] = "length",
	[SMPP_TIME_PART_YEAR] = "year",
	[SMPP_TIME_PART_MONTH] = "month",
	[SMPP_TIME_PART_DAY] = "day",
	[SMPP_TIME_PART_HOUR] = "hour",
	[SMPP_TIME_PART_MINUTE] = "minute",
	[SMPP_TIME_PART_SECOND] = "second",
	[SMPP_TIME_PART_TENTHS] = "tenths",
	[SMPP_TIME_PART_OFFSET] = "offset",
	[SMPP_TIME_PART_SIGN] = "sign",
};

const char *
smpp_time_part_name(enum smpp_time_part part)
{
	if ((size_t)part >=
	    sizeof(time_part_names) / sizeof(time_part_names[0]))
		return "unknown";
	return time_part_names[part];
}

static int time_fail(struct smpp_time_error *, enum smpp_time_part, size_t,
    const char *, ...) __attribute__((format(printf, 4, 5)));

/* Fills *err (if any) and returns -1, so callers can `return time_fail()`. */
static int
time_fail(struct smpp_time_error *err, enum smpp_time_part part, size_t pos,
    const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return -1;
	err->part = part;
	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static void
time_error_clear(struct smpp_time_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

/* Length of the text: up to len, or up to a NUL inside it. */
static size_t
time_textlen(const char *s, size_t len)
{
	const char	*nul;

	if (s == NULL)
		return 0;
	nul = memchr(s, '\0', len);
	return nul != NULL ? (size_t)(nul - s) : len;
}

/* Copies n bytes of s into out as printable ASCII ('?' for the rest). */
static void
time_quote(char *out, size_t cap, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

/* Reads width decimal digits; -1 if any is not a digit. */
static int
time_digits(const char *s, size_t width, int *value)
{
	size_t	i;
	int	v = 0;

	for (i = 0; i < width; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return 0;
}

static int
time_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
time_days_in_month(int year, int month)
{
	static const int days[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 31;
	if (month == 2 && time_leap(year))
		return 29;
	return days[month - 1];
}

static int
time_pivot(int yy)
{
	return yy < 38 ? 2000 + yy : 1900 + yy;
}

/*
 * Stores one part in *t after checking it against the range its kind
 * allows; parts must come in layout order (a day is checked against the
 * year and month already stored). offset is the signed quarter hours.
 */
static int
time_set(struct smpp_time *t, enum smpp_time_part part, int value,
    size_t pos, struct smpp_time_error *err)
{
	int		 rel = t->kind == SMPP_TIME_RELATIVE;
	int		 lo = 0, hi = rel ? 99 : 59, width = 2;
	int		 shown = value;
	const char	*name = smpp_time_part_name(part);

	switch (part) {
	case SMPP_TIME_PART_YEAR:
		if (!rel) {
			lo = 1000;
			hi = 9999;
			width = 4;
		}
		t->year = value;
		break;
	case SMPP_TIME_PART_MONTH:
		if (!rel) {
			lo = 1;
			hi = 12;
		}
		t->month = value;
		break;
	case SMPP_TIME_PART_DAY:
		if (!rel) {
			lo = 1;
			hi = time_days_in_month(t->year, t->month);
			if (value < lo || value > hi)
				return time_fail(err, part, pos,
				    "day %02d not in 01-%02d for %04d-%02d",
				    value, hi, t->year, t->month);
		}
		t->day = value;
		break;
	case SMPP_TIME_PART_HOUR:
		if (!rel)
			hi = 23;
		t->hour = value;
		break;
	case SMPP_TIME_PART_MINUTE:
		t->minute = value;
		break;
	case SMPP_TIME_PART_SECOND:
		t->second = value;
		break;
	case SMPP_TIME_PART_TENTHS:
		if (rel && value != 0)
			return time_fail(err, part, pos,
			    "tenths %d must be 0 in a relative time", value);
		hi = 9;
		width = 1;
		t->tenths = value;
		break;
	case SMPP_TIME_PART_OFFSET:
		shown = value < 0 ? -value : value;
		if (rel && value != 0)
			return time_fail(err, part, pos,
			    "offset %02d must be 00 in a relative time", shown);
		hi = SMPP_TIME_OFFSET_MAX;
		t->offset = value;
		if (shown > hi)
			return time_fail(err, part, pos,
			    "offset %02d not in 00-%02d", shown, hi);
		return 0;
	default:
		return time_fail(err, part, pos, "%s is no time part", name);
	}
	if (value < lo || value > hi)
		return time_fail(err, part, pos, "%s %0*d not in %0*d-%0*d",
		    name, width, value, width, lo, width, hi);
	return 0;
}

/* Reads and checks the parts in a layout, in order. */
static int
time_read_layout(const char *s, const struct time_slot *slot, size_t n,
    int sign, struct smpp_time *t, struct smpp_time_error *err)
{
	char	quoted[8];
	size_t	i;
	int	v;

	for (i = 0; i < n; i++) {
		if (time_digits(s + slot[i].pos, slot[i].width, &v) == -1) {
			time_quote(quoted, sizeof(quoted), s + slot[i].pos,
			    slot[i].width);
			return time_fail(err, slot[i].part, slot[i].pos,
			    "%s '%s' is not decimal",
			    smpp_time_part_name(slot[i].part), quoted);
		}
		if (slot[i].part == SMPP_TIME_PART_YEAR &&
		    t->kind == SMPP_TIME_ABSOLUTE && slot[i].width == 2)
			v = time_pivot(v);
		if (slot[i].part == SMPP_TIME_PART_OFFSET)
			v *= sign;
		if (time_set(t, slot[i].part, v, slot[i].pos, err) == -1)
			return -1;
	}
	return 0;
}

int
smpp_time_parse(const char *s, size_t len, struct smpp_time *t,
    struct smpp_time_error *err)
{
	char	p;

	memset(t, 0, sizeof(*t));
	time_error_clear(err);
	len = time_textlen(s, len);
	if (len == 0) {
		t->kind = SMPP_TIME_NONE;
		return 0;
	}
	if (len != SMPP_TIME_LEN)
		return time_fail(err, SMPP_TIME_PART_LENGTH, 0,
		    "length %zu, want 16 or empty", len);

	/* The sign decides the ranges, but is reported after the parts. */
	p = s[TIME_SIGN_POS];
	t->kind = p == 'R' ? SMPP_TIME_RELATIVE : SMPP_TIME_ABSOLUTE;
	if (time_read_layout(s, time_layout_field,
	    sizeof(time_layout_field) / sizeof(time_layout_field[0]),
	    p == '-' ? -1 : 1, t, err) == -1)
		goto fail;
	if (p != '+' && p != '-' && p != 'R') {
		char	quoted[2];

		time_quote(quoted, sizeof(quoted), &p, 1);
		time_fail(err, SMPP_TIME_PART_SIGN, TIME_SIGN_POS,
		    "sign '%s' not '+', '-' or 'R'", quoted);
		goto fail;
	}
	return 0;

fail:
	memset(t, 0, sizeof(*t));
	return -1;
}

/* Checks every part of *t by replaying it through time_set(). */
static int
time_check(const struct smpp_time *t)
{
	struct smpp_time	c;

	memset(&c, 0, sizeof(c));
	c.kind = t->kind;
	if (t->kind != SMPP_TIME_ABSOLUTE && t->kind != SMPP_TIME_RELATIVE)
		return -1;
	if (t->kind == SMPP_TIME_ABSOLUTE &&
	    (t->year < SMPP_TIME_YEAR_MIN || t->year > SMPP_TIME_YEAR_MAX))
		return -1;
	if (time_set(&c, SMPP_TIME_PART_YEAR, t->year, 0, NULL) == -1 ||
	    time_set(&c, SMPP_TIME_PART_MONTH, t->month, 0, NULL) == -1 ||
	    time_set(&c, SMPP_TIME_PART_DAY, t->day, 0, NULL) == -1 ||
	    time_set(&c, SMPP_TIME_PART_HOUR, t->hour, 0, NULL) == -1 ||
	    time_set(&c, SMPP_TIME_PART_MINUTE, t->minute, 0, NULL) == -1 ||
	    time_set(&c, SMPP_TIME_PART_SECOND, t->second, 0, NULL) == -1 ||
	    time_set(&c, SMPP_TIME_PART_TENTHS, t->tenths, 0, NULL) == -1 ||
	    time_set(&c, SMPP_TIME_PART_OFFSET, t->offset, 0, NULL) == -1)
		return -1;
	return 0;
}

int
smpp_time_format(const struct smpp_time *t, char *out, size_t cap)
{
	char	p;

	if (cap == 0)
		return -1;
	out[0] = '\0';
	if (t->kind == SMPP_TIME_NONE)
		return 0;
	if (cap < SMPP_TIME_SIZE || time_check(t) == -1)
		return -1;
	if (t->kind == SMPP_TIME_RELATIVE)
		p = 'R';
	else
		p = t->offset < 0 ? '-' : '+';
	snprintf(out, cap, "%02d%02d%02d%02d%02d%02d%d%02d%c",
	    t->year % 100, t->month, t->day, t->hour, t->minute, t->second,
	    t->tenths, t->offset < 0 ? -t->offset : t->offset, p);
	return 0;
}

/* UTC seconds of the calendar fields, taken as UTC (common/calendar.h:
 * timegm() was 700 instructions, and a receipt has two dates). */
static int64_t
time_fields_to_sec(int year, int month, int day, int hour, int minute,
    int second)
{
	return calendar_days_from_civil(year, month, day) * TIME_SEC_PER_DAY +
	    hour * 3600 + minute * 60 + second;
}

/* Breaks UTC seconds into a struct tm's calendar fields (year, month,
 * day, hour, minute, second); -1 outside the supported range. */
static int
time_sec_to_tm(int64_t sec, struct tm *tm)
{
	int64_t	days, secs, year;
	int	month, day;

	if (sec > TIME_USEC_LIMIT / TIME_USEC_PER_SEC ||
	    sec < -TIME_USEC_LIMIT / TIME_USEC_PER_SEC)
		return -1;
	days = calendar_floor_div(sec, TIME_SEC_PER_DAY);
	secs = sec - days * TIME_SEC_PER_DAY;
	calendar_civil_from_days(days, &year, &month, &day);
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = (int)(year - 1900);
	tm->tm_mon = month - 1;
	tm->tm_mday = day;
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	return 0;
}

int
smpp_time_to_usec(const struct smpp_time *t, int64_t *usec)
{
	int64_t	sec;

	if (t->kind != SMPP_TIME_ABSOLUTE || time_check(t) == -1)
		return -1;
	sec = time_fields_to_sec(t->year, t->month, t->day, t->hour,
	    t->minute, t->second);
	/* Local is ahead of UTC by offset quarters: UTC = local - offset. */
	sec -= (int64_t)t->offset * TIME_SEC_PER_QUARTER;
	*usec = sec * TIME_USEC_PER_SEC + t->tenths * TIME_USEC_PER_TENTH;
	return 0;
}

int
smpp_time_to_sec(const struct smpp_time *t, int64_t *sec)
{
	int64_t	usec;

	if (smpp_time_to_usec(t, &usec) == -1)
		return -1;
	*sec = calendar_floor_div(usec, TIME_USEC_PER_SEC);
	return 0;
}

int
smpp_time_from_usec(int64_t usec, int offset, struct smpp_time *t)
{
	struct tm	tm;
	int64_t		local, sec;

	memset(t, 0, sizeof(*t));
	if (offset < -SMPP_TIME_OFFSET_MAX || offset > SMPP_TIME_OFFSET_MAX ||
	    usec > TIME_USEC_LIMIT || usec < -TIME_USEC_LIMIT)
		return -1;
	local = usec + (int64_t)offset * TIME_SEC_PER_QUARTER *
	    TIME_USEC_PER_SEC;
	sec = calendar_floor_div(local, TIME_USEC_PER_SEC);
	if (time_sec_to_tm(sec, &tm) == -1)
		return -1;
	if (tm.tm_year + 1900 < SMPP_TIME_YEAR_MIN ||
	    tm.tm_year + 1900 > SMPP_TIME_YEAR_MAX)
		return -1;
	t->kind = SMPP_TIME_ABSOLUTE;
	t->year = tm.tm_year + 1900;
	t->month = tm.tm_mon + 1;
	t->day = tm.tm_mday;
	t->hour = tm.tm_hour;
	t->minute = tm.tm_min;
	t->second = tm.tm_sec;
	t->tenths = (int)((local - sec * TIME_USEC_PER_SEC) /
	    TIME_USEC_PER_TENTH);
	t->offset = offset;
	return 0;
}

int
smpp_time_resolve(const struct smpp_time *t, int64_t now_usec, int64_t *usec)
{
	struct tm	tm;
	int64_t		now_sec, frac, sec;
	int		year, month0, day, last;

	if (t->kind == SMPP_TIME_ABSOLUTE)
		return smpp_time_to_usec(t, usec);
	if (t->kind != SMPP_TIME_RELATIVE || time_check(t) == -1)
		return -1;
	if (now_usec > TIME_USEC_LIMIT || now_usec < -TIME_USEC_LIMIT)
		return -1;
	now_sec = calendar_floor_div(now_usec, TIME_USEC_PER_SEC);
	frac = now_usec - now_sec * TIME_USEC_PER_SEC;
	if (time_sec_to_tm(now_sec, &tm) == -1)
		return -1;

	month0 = tm.tm_mon + t->month;
	year = tm.tm_year + 1900 + t->year + month0 / 12;
	month0 %= 12;
	last = time_days_in_month(year, month0 + 1);
	day = tm.tm_mday > last ? last : tm.tm_mday;
	sec = time_fields_to_sec(year, month0 + 1, day, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	sec += (((int64_t)t->day * 24 + t->hour) * 60 + t->minute) * 60 +
	    t->second;
	*usec = sec * TIME_USEC_PER_SEC + frac;
	return 0;
}

int
smpp_time_format_absolute(int64_t usec, int offset, char *out, size_t cap)
{
	struct smpp_time	t;

	if (cap > 0)
		out[0] = '\0';
	if (smpp_time_from_usec(usec, offset, &t) == -1)
		return -1;
	return smpp_time_format(&t, out, cap);
}

int
smpp_time_format_relative(int64_t seconds, char *out, size_t cap)
{
	int64_t	days;

	if (cap > 0)
		out[0] = '\0';
	if (cap < SMPP_TIME_SIZE || seconds < 0 ||
	    seconds >= INT64_C(100) * TIME_SEC_PER_DAY)
		return -1;
	days = seconds / TIME_SEC_PER_DAY;
	seconds %= TIME_SEC_PER_DAY;
	snprintf(out, cap, "0000%02d%02d%02d%02d000R", (int)days,
	    (int)(seconds / 3600), (int)(seconds / 60 % 60),
	    (int)(seconds % 60));
	return 0;
}

int
smpp_time_format_digits(int64_t usec, int digits, char *out, size_t cap)
{
	struct tm	tm;
	int		year, v[7], n = 0, i;

	if (cap > 0)
		out[0] = '\0';
	if ((digits != 10 && digits != 12 && digits != 14) ||
	    cap < (size_t)digits + 1)
		return -1;
	if (usec > TIME_USEC_LIMIT || usec < -TIME_USEC_LIMIT ||
	    time_sec_to_tm(calendar_floor_div(usec, TIME_USEC_PER_SEC),
	    &tm) == -1)
		return -1;
	year = tm.tm_year + 1900;
	if (digits == 14) {
		if (year < 1000 || year > 9999)
			return -1;
		v[n++] = year / 100;
	} else if (year < SMPP_TIME_YEAR_MIN || year > SMPP_TIME_YEAR_MAX)
		return -1;
	v[n++] = year % 100;
	v[n++] = tm.tm_mon + 1;
	v[n++] = tm.tm_mday;
	v[n++] = tm.tm_hour;
	v[n++] = tm.tm_min;
	if (digits != 10)
		v[n++] = tm.tm_sec;
	/* Two digits a field, written by hand: receipts call this twice
	 * each, and printf's machinery showed in the SMSC's profile. */
	for (i = 0; i < n; i++) {
		out[2 * i] = (char)('0' + v[i] / 10);
		out[2 * i + 1] = (char)('0' + v[i] % 10);
	}
	out[2 * n] = '\0';
	return 0;
}

int
smpp_time_parse_digits(const char *s, size_t len, int64_t *usec,
    struct smpp_time_error *err)
{
	struct smpp_time	 t;
	const struct time_slot	*layout = time_layout_field;
	size_t			 n;

	time_error_clear(err);
	len = time_textlen(s, len);
	switch (len) {
	case 10:
		n = 5;
		break;
	case 12:
		n = 6;
		break;
	case 14:
		layout = time_layout_digits4;
		n = 6;
		break;
	default:
		return time_fail(err, SMPP_TIME_PART_LENGTH, 0,
		    "%zu digits, want 10, 12 or 14", len);
	}
	memset(&t, 0, sizeof(t));
	t.kind = SMPP_TIME_ABSOLUTE;
	if (time_read_layout(s, layout, n, 1, &t, err) == -1)
		return -1;
	*usec = time_fields_to_sec(t.year, t.month, t.day, t.hour, t.minute,
	    t.second) * TIME_USEC_PER_SEC;
	return 0;
}
