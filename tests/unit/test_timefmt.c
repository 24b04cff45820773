/*
 * smpp/timefmt: SMPP absolute and relative times and receipt dates.
 * Expected instants were computed independently (Python's datetime, UTC)
 * and are written next to their calendar form.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smpp/timefmt.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define ABS	SMPP_TIME_ABSOLUTE
#define REL	SMPP_TIME_RELATIVE
#define NONE	SMPP_TIME_NONE

struct parse_case {
	const char		*in;
	size_t			 len;		/* 0: strlen(in) */
	int			 rc;
	enum smpp_time_kind	 kind;
	int			 year, month, day, hour, minute, second;
	int			 tenths, offset;
	enum smpp_time_part	 part;		/* when rc == -1 */
	size_t			 pos;
	const char		*reason;
};

static const struct parse_case parse_cases[] = {
	/* Not given. */
	{ "", 0, 0, NONE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
	{ "\0" "30615123456700+", 16, 0, NONE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    NULL },

	/* Absolute, plain and at every upper and lower bound. */
	{ "230615123456700+", 0, 0, ABS, 2023, 6, 15, 12, 34, 56, 7, 0,
	    0, 0, NULL },
	{ "230615123456700+\0garbage", 25, 0, ABS, 2023, 6, 15, 12, 34, 56,
	    7, 0, 0, 0, NULL },
	{ "991231235959948+", 0, 0, ABS, 1999, 12, 31, 23, 59, 59, 9, 48,
	    0, 0, NULL },
	{ "000101000000048-", 0, 0, ABS, 2000, 1, 1, 0, 0, 0, 0, -48,
	    0, 0, NULL },
	{ "230615123456704-", 0, 0, ABS, 2023, 6, 15, 12, 34, 56, 7, -4,
	    0, 0, NULL },
	{ "230615123456700-", 0, 0, ABS, 2023, 6, 15, 12, 34, 56, 7, 0,
	    0, 0, NULL },

	/* Two-digit year pivot (SPEC34 Appendix C). */
	{ "370101000000000+", 0, 0, ABS, 2037, 1, 1, 0, 0, 0, 0, 0, 0, 0,
	    NULL },
	{ "380101000000000+", 0, 0, ABS, 1938, 1, 1, 0, 0, 0, 0, 0, 0, 0,
	    NULL },

	/* February 29th: 2000 and 2024 are leap years, 2023 and 1999 not. */
	{ "000229000000000+", 0, 0, ABS, 2000, 2, 29, 0, 0, 0, 0, 0, 0, 0,
	    NULL },
	{ "240229000000000+", 0, 0, ABS, 2024, 2, 29, 0, 0, 0, 0, 0, 0, 0,
	    NULL },
	{ "230229000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_DAY, 4, "day 29 not in 01-28 for 2023-02" },
	{ "990229000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_DAY, 4, "day 29 not in 01-28 for 1999-02" },
	{ "240230000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_DAY, 4, "day 30 not in 01-29 for 2024-02" },

	/* Each field just outside its range. */
	{ "230015000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_MONTH, 2, "month 00 not in 01-12" },
	{ "231315000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_MONTH, 2, "month 13 not in 01-12" },
	{ "230100000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_DAY, 4, "day 00 not in 01-31 for 2023-01" },
	{ "230132000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_DAY, 4, "day 32 not in 01-31 for 2023-01" },
	{ "230431000000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_DAY, 4, "day 31 not in 01-30 for 2023-04" },
	{ "230615240000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_HOUR, 6, "hour 24 not in 00-23" },
	{ "230615236000000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_MINUTE, 8, "minute 60 not in 00-59" },
	{ "230615235960000+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_SECOND, 10, "second 60 not in 00-59" },
	{ "230615235959049+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_OFFSET, 13, "offset 49 not in 00-48" },
	{ "230615235959049-", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_OFFSET, 13, "offset 49 not in 00-48" },

	/* Bad sign, bad digits, bad length. */
	{ "230615123456700x", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_SIGN, 15, "sign 'x' not '+', '-' or 'R'" },
	{ "230615123456700r", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_SIGN, 15, "sign 'r' not '+', '-' or 'R'" },
	{ "230615123456700\x01", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_SIGN, 15, "sign '?' not '+', '-' or 'R'" },
	{ "23a615123456700+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_MONTH, 2, "month 'a6' is not decimal" },
	{ "2306151234567 0+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_OFFSET, 13, "offset ' 0' is not decimal" },
	{ "23061512345670+", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_LENGTH, 0, "length 15, want 16 or empty" },
	{ "230615123456700+0", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_LENGTH, 0, "length 17, want 16 or empty" },
	/* The first bad part from the left is the one reported. */
	{ "231332250000050x", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_MONTH, 2, "month 13 not in 01-12" },

	/* Relative: the spec example, and the limits of a duration. */
	{ "020610233429000R", 0, 0, REL, 2, 6, 10, 23, 34, 29, 0, 0,
	    0, 0, NULL },
	{ "000000000000000R", 0, 0, REL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
	{ "999999999999000R", 0, 0, REL, 99, 99, 99, 99, 99, 99, 0, 0,
	    0, 0, NULL },
	{ "020610233429100R", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_TENTHS, 12,
	    "tenths 1 must be 0 in a relative time" },
	{ "020610233429004R", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_OFFSET, 13,
	    "offset 04 must be 00 in a relative time" },
	{ "0206102334x9000R", 0, -1, NONE, 0, 0, 0, 0, 0, 0, 0, 0,
	    SMPP_TIME_PART_SECOND, 10, "second 'x9' is not decimal" },
};

START_TEST(test_parse)
{
	const struct parse_case	*c = &parse_cases[_i];
	struct smpp_time	 t;
	struct smpp_time_error	 err;
	size_t			 len = c->len ? c->len : strlen(c->in);
	int			 rc;

	memset(&t, 0xa5, sizeof(t));
	rc = smpp_time_parse(c->in, len, &t, &err);
	ck_assert_msg(rc == c->rc, "case %d \"%s\": rc %d, want %d (%s)",
	    _i, c->in, rc, c->rc, err.reason);
	ck_assert_int_eq(t.kind, c->kind);
	ck_assert_int_eq(t.year, c->year);
	ck_assert_int_eq(t.month, c->month);
	ck_assert_int_eq(t.day, c->day);
	ck_assert_int_eq(t.hour, c->hour);
	ck_assert_int_eq(t.minute, c->minute);
	ck_assert_int_eq(t.second, c->second);
	ck_assert_int_eq(t.tenths, c->tenths);
	ck_assert_int_eq(t.offset, c->offset);
	if (c->rc == -1) {
		ck_assert_int_eq(err.part, c->part);
		ck_assert_uint_eq(err.pos, c->pos);
		ck_assert_str_eq(err.reason, c->reason);
	} else
		ck_assert_int_eq(err.part, SMPP_TIME_PART_NONE);
}
END_TEST

START_TEST(test_parse_null)
{
	struct smpp_time	t;

	ck_assert_int_eq(smpp_time_parse(NULL, 16, &t, NULL), 0);
	ck_assert_int_eq(t.kind, SMPP_TIME_NONE);
	/* A NULL error struct is allowed on failure too. */
	ck_assert_int_eq(smpp_time_parse("231315000000000+", 16, &t, NULL), -1);
}
END_TEST

/* Absolute time to UTC, offsets of both signs, tenths, pivot years. */
static const struct {
	const char	*in;
	int64_t		 usec;
	int64_t		 sec;
} usec_cases[] = {
	{ "700101000000000+", 0, 0 },
	/* 01:00 local at UTC+1h is midnight UTC, and back. */
	{ "700101010000004+", 0, 0 },
	{ "691231230000004-", 0, 0 },
	{ "700101000000004+", -INT64_C(3600000000), -3600 },
	{ "700101000000004-", INT64_C(3600000000), 3600 },
	/* 2023-06-15T12:34:56.7Z, then at +12h and -12h. */
	{ "230615123456700+", INT64_C(1686832496700000), 1686832496 },
	{ "230616003456748+", INT64_C(1686832496700000), 1686832496 },
	{ "230615003456748-", INT64_C(1686832496700000), 1686832496 },
	/* +05:45 (Nepal) is 23 quarters; -03:30 (Newfoundland) is 14. */
	{ "230615181956723+", INT64_C(1686832496700000), 1686832496 },
	{ "230615090456714-", INT64_C(1686832496700000), 1686832496 },
	/* 2000-02-29T00:00Z; 2037-12-31T23:59:59.9Z; 1938-01-01T00:00Z. */
	{ "000229000000000+", INT64_C(951782400000000), 951782400 },
	{ "371231235959900+", INT64_C(2145916799900000), 2145916799 },
	{ "380101000000000+", -INT64_C(1009843200000000), -1009843200 },
	/* 1999-12-31T23:59:59Z: "99" is 1999, not 2099. */
	{ "991231235959000+", INT64_C(946684799000000), 946684799 },
	/* 1969-12-31T23:59:59.5Z: seconds round toward minus infinity. */
	{ "691231235959500+", -INT64_C(500000), -1 },
};

START_TEST(test_to_usec)
{
	struct smpp_time	t;
	int64_t			usec = 0, sec = 0;

	ck_assert_int_eq(smpp_time_parse(usec_cases[_i].in, 16, &t, NULL), 0);
	ck_assert_int_eq(smpp_time_to_usec(&t, &usec), 0);
	ck_assert_msg(usec == usec_cases[_i].usec, "%s: %lld, want %lld",
	    usec_cases[_i].in, (long long)usec,
	    (long long)usec_cases[_i].usec);
	ck_assert_int_eq(smpp_time_to_sec(&t, &sec), 0);
	ck_assert_msg(sec == usec_cases[_i].sec, "%s: %lld s, want %lld",
	    usec_cases[_i].in, (long long)sec, (long long)usec_cases[_i].sec);
}
END_TEST

START_TEST(test_to_usec_refuses)
{
	struct smpp_time	t;
	int64_t			usec = 42;

	ck_assert_int_eq(smpp_time_parse("020610233429000R", 16, &t, NULL), 0);
	ck_assert_int_eq(smpp_time_to_usec(&t, &usec), -1);
	ck_assert_int_eq(smpp_time_parse("", 0, &t, NULL), 0);
	ck_assert_int_eq(smpp_time_to_usec(&t, &usec), -1);
	ck_assert_int_eq(smpp_time_to_sec(&t, &usec), -1);
	ck_assert_int_eq(usec, 42);
}
END_TEST

/* UTC instant to absolute text at an offset. */
static const struct {
	int64_t		 usec;
	int		 offset;
	const char	*out;		/* NULL: must fail */
} absolute_cases[] = {
	{ 0, 0, "700101000000000+" },
	{ 0, 4, "700101010000004+" },
	{ 0, -4, "691231230000004-" },
	{ INT64_C(1686832496700000), 0, "230615123456700+" },
	{ INT64_C(1686832496799999), 48, "230616003456748+" },
	{ INT64_C(1686832496700000), -48, "230615003456748-" },
	{ INT64_C(1686832496700000), 23, "230615181956723+" },
	{ INT64_C(1686832496700000), -14, "230615090456714-" },
	/* One microsecond before the epoch: tenths 9 of 23:59:59. */
	{ -1, 0, "691231235959900+" },
	{ INT64_C(2145916799900000), 0, "371231235959900+" },
	{ -INT64_C(1009843200000000), 0, "380101000000000+" },
	/* 2038-01-01 and 1937-12-31 cannot be written in two digits. */
	{ INT64_C(2145916800000000), 0, NULL },
	{ -INT64_C(1009843200000000), -1, NULL },
	/* ... and an offset moves the local year across the edge. */
	{ INT64_C(2145916799900000), 1, NULL },
	{ 0, 49, NULL },
	{ 0, -49, NULL },
	{ INT64_MAX, 0, NULL },
	{ INT64_MIN, 0, NULL },
};

START_TEST(test_format_absolute)
{
	char	out[SMPP_TIME_SIZE];
	int	rc;

	memset(out, 'X', sizeof(out));
	rc = smpp_time_format_absolute(absolute_cases[_i].usec,
	    absolute_cases[_i].offset, out, sizeof(out));
	if (absolute_cases[_i].out == NULL) {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(out, "");
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(out, absolute_cases[_i].out);
	}
}
END_TEST

/* Duration to relative text. */
static const struct {
	int64_t		 seconds;
	const char	*out;
} relative_cases[] = {
	{ 0, "000000000000000R" },
	{ 59, "000000000059000R" },
	{ 86399, "000000235959000R" },
	{ 90061, "000001010101000R" },
	{ INT64_C(7) * 86400, "000007000000000R" },
	{ INT64_C(99) * 86400 + 86399, "000099235959000R" },
	{ INT64_C(100) * 86400, NULL },
	{ -1, NULL },
};

START_TEST(test_format_relative)
{
	char		out[SMPP_TIME_SIZE];
	struct smpp_time t;
	int		rc;

	rc = smpp_time_format_relative(relative_cases[_i].seconds, out,
	    sizeof(out));
	if (relative_cases[_i].out == NULL) {
		ck_assert_int_eq(rc, -1);
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(out, relative_cases[_i].out);
	ck_assert_int_eq(smpp_time_parse(out, strlen(out), &t, NULL), 0);
	ck_assert_int_eq(t.kind, SMPP_TIME_RELATIVE);
}
END_TEST

/* Relative time resolved against "now". */
static const struct {
	int64_t		 now;
	const char	*in;
	int64_t		 want;
} resolve_cases[] = {
	/* 2024-01-31T10 + 1 month = 2024-02-29T10 (leap, clamped). */
	{ INT64_C(1706695200000000), "000100000000000R",
	    INT64_C(1709200800000000) },
	/* 2023-01-31T10 + 1 month = 2023-02-28T10. */
	{ INT64_C(1675159200000000), "000100000000000R",
	    INT64_C(1677578400000000) },
	/* 2024-02-29 + 1 year = 2025-02-28; + 4 years = 2028-02-29. */
	{ INT64_C(1709164800000000), "010000000000000R",
	    INT64_C(1740700800000000) },
	{ INT64_C(1709164800000000), "040000000000000R",
	    INT64_C(1835395200000000) },
	/* 2023-11-30 + 3 months 1 day = (2024-02-29) + 1 day = 2024-03-01. */
	{ INT64_C(1701302400000000), "000301000000000R",
	    INT64_C(1709251200000000) },
	/* 2024-02-28 + 1 day = 2024-02-29; 2023-02-28 + 1 day = 2023-03-01. */
	{ INT64_C(1709078400000000), "000001000000000R",
	    INT64_C(1709164800000000) },
	{ INT64_C(1677542400000000), "000001000000000R",
	    INT64_C(1677628800000000) },
	/* 2023-12-31T23:59:59.5 + 1 s = 2024-01-01T00:00:00.5. */
	{ INT64_C(1704067199500000), "000000000001000R",
	    INT64_C(1704067200500000) },
	/* 2023-12-31T20 + 14 months = 2025-02-28T20 (year carry, clamp). */
	{ INT64_C(1704052800000000), "001400000000000R",
	    INT64_C(1740772800000000) },
	/* The spec's example from 2000-01-01: 2002-07-11T23:34:29. */
	{ INT64_C(946684800000000), "020610233429000R",
	    INT64_C(1026430469000000) },
	/* 99 hours from 2023-01-01 = 2023-01-05T03. */
	{ INT64_C(1672531200000000), "000000990000000R",
	    INT64_C(1672887600000000) },
	/* 1969-12-31T23:59:59.5 + 1 s keeps the half second. */
	{ -INT64_C(500000), "000000000001000R", INT64_C(500000) },
	/* Absolute times ignore now. */
	{ INT64_C(1), "230615123456700+", INT64_C(1686832496700000) },
};

START_TEST(test_resolve)
{
	struct smpp_time	t;
	int64_t			got = 0;

	ck_assert_int_eq(smpp_time_parse(resolve_cases[_i].in, 16, &t, NULL),
	    0);
	ck_assert_int_eq(smpp_time_resolve(&t, resolve_cases[_i].now, &got),
	    0);
	ck_assert_msg(got == resolve_cases[_i].want, "%s from %lld: %lld, "
	    "want %lld", resolve_cases[_i].in, (long long)resolve_cases[_i].now,
	    (long long)got, (long long)resolve_cases[_i].want);
}
END_TEST

START_TEST(test_resolve_none)
{
	struct smpp_time	t;
	int64_t			got = 7;

	ck_assert_int_eq(smpp_time_parse("", 0, &t, NULL), 0);
	ck_assert_int_eq(smpp_time_resolve(&t, 0, &got), -1);
	ck_assert_int_eq(got, 7);
	ck_assert_int_eq(smpp_time_parse("000001000000000R", 16, &t, NULL), 0);
	ck_assert_int_eq(smpp_time_resolve(&t, INT64_MAX, &got), -1);
}
END_TEST

/* parse -> format gives the text back ("00-" is written "00+"). */
static const struct {
	const char	*in;
	const char	*out;
} roundtrip_cases[] = {
	{ "230615123456700+", "230615123456700+" },
	{ "230615123456748-", "230615123456748-" },
	{ "230615123456700-", "230615123456700+" },
	{ "000229000000000+", "000229000000000+" },
	{ "380101000000000+", "380101000000000+" },
	{ "020610233429000R", "020610233429000R" },
	{ "999999999999000R", "999999999999000R" },
	{ "", "" },
};

START_TEST(test_format_roundtrip)
{
	struct smpp_time	t, u;
	char			out[SMPP_TIME_SIZE];
	const char		*in = roundtrip_cases[_i].in;

	ck_assert_int_eq(smpp_time_parse(in, strlen(in), &t, NULL), 0);
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), 0);
	ck_assert_str_eq(out, roundtrip_cases[_i].out);
	ck_assert_int_eq(smpp_time_parse(out, strlen(out), &u, NULL), 0);
	ck_assert_mem_eq(&t, &u, sizeof(t));
}
END_TEST

START_TEST(test_format_refuses)
{
	struct smpp_time	t;
	char			out[SMPP_TIME_SIZE];

	ck_assert_int_eq(smpp_time_parse("240229000000000+", 16, &t, NULL), 0);
	/* Too small a buffer. */
	ck_assert_int_eq(smpp_time_format(&t, out, SMPP_TIME_LEN), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(smpp_time_format(&t, out, 0), -1);
	/* Fields no parse would produce. */
	t.year = 2023;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), -1);
	t.year = 2040;
	t.day = 1;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), -1);
	t.year = 2024;
	t.month = 13;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), -1);
	t.month = 1;
	t.offset = -49;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), -1);
	t.offset = 0;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "240101000000000+");
	t.kind = SMPP_TIME_RELATIVE;
	t.year = 100;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), -1);
	t.year = 1;
	t.tenths = 1;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), -1);
	t.kind = 7;
	ck_assert_int_eq(smpp_time_format(&t, out, sizeof(out)), -1);
}
END_TEST

/* Receipt dates: 10, 12, 14 digits, both ways. */
static const struct {
	const char	*in;
	int		 rc;
	int64_t		 usec;
	const char	*reason;
} digits_cases[] = {
	/* 2023-06-15T12:34Z, 12:34:56Z. */
	{ "2306151234", 0, INT64_C(1686832440000000), NULL },
	{ "230615123456", 0, INT64_C(1686832496000000), NULL },
	{ "20230615123456", 0, INT64_C(1686832496000000), NULL },
	/* Pivot applies to two digits only. */
	{ "9912312359", 0, INT64_C(946684740000000), NULL },
	{ "20991231000000", 0, INT64_C(4102358400000000), NULL },
	{ "2402290000", 0, INT64_C(1709164800000000), NULL },
	{ "2302290000", -1, 0, "day 29 not in 01-28 for 2023-02" },
	{ "2313151234", -1, 0, "month 13 not in 01-12" },
	{ "23061512345", -1, 0, "11 digits, want 10, 12 or 14" },
	{ "", -1, 0, "0 digits, want 10, 12 or 14" },
	{ "00000615123456", -1, 0, "year 0000 not in 1000-9999" },
	{ "230615126000", -1, 0, "minute 60 not in 00-59" },
	{ "2306151234x6", -1, 0, "second 'x6' is not decimal" },
};

START_TEST(test_parse_digits)
{
	struct smpp_time_error	err;
	int64_t			usec = 0;
	int			rc;

	rc = smpp_time_parse_digits(digits_cases[_i].in,
	    strlen(digits_cases[_i].in), &usec, &err);
	ck_assert_msg(rc == digits_cases[_i].rc, "%s: %d (%s)",
	    digits_cases[_i].in, rc, err.reason);
	if (rc == 0)
		ck_assert_msg(usec == digits_cases[_i].usec, "%s: %lld",
		    digits_cases[_i].in, (long long)usec);
	else
		ck_assert_str_eq(err.reason, digits_cases[_i].reason);
}
END_TEST

START_TEST(test_format_digits)
{
	char	out[16];
	/* 2023-06-15T12:34:56.7Z */
	int64_t	t = INT64_C(1686832496700000);

	ck_assert_int_eq(smpp_time_format_digits(t, 10, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "2306151234");
	ck_assert_int_eq(smpp_time_format_digits(t, 12, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "230615123456");
	ck_assert_int_eq(smpp_time_format_digits(t, 14, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "20230615123456");
	/* Exactly enough room, then one byte short. */
	ck_assert_int_eq(smpp_time_format_digits(t, 12, out, 13), 0);
	ck_assert_int_eq(smpp_time_format_digits(t, 12, out, 12), -1);
	ck_assert_int_eq(smpp_time_format_digits(t, 11, out, sizeof(out)), -1);
	/* 2099 needs four digits. */
	ck_assert_int_eq(smpp_time_format_digits(INT64_C(4102358400000000),
	    10, out, sizeof(out)), -1);
	ck_assert_int_eq(smpp_time_format_digits(INT64_C(4102358400000000),
	    14, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "20991231000000");
	/* Half a second before the epoch is 1969-12-31T23:59:59. */
	ck_assert_int_eq(smpp_time_format_digits(-500000, 12, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "691231235959");
}
END_TEST

/*
 * The calendar arithmetic against libc's gmtime_r and timegm: every day
 * from 1968 to 2102 (leap days, 2000, 2100) and every 13th from 1000 to
 * 9999, each at a different second of its day, formatted as 14 digits,
 * parsed back, and as an SMPP time (two-digit years: 1938-2037).
 */
START_TEST(test_calendar_libc)
{
	const int64_t first = INT64_C(-30610224000);	/* 1000-01-01 */
	const int64_t last = INT64_C(253402214400);	/* 9999-12-31 */
	const int64_t dense_from = INT64_C(-63158400);	/* 1968-01-01 */
	const int64_t dense_to = INT64_C(4197052800);	/* 2103-01-01 */
	struct smpp_time_error err;
	struct smpp_time st;
	struct tm tm;
	char ours[32], libc[32];
	int64_t day, sec, usec;
	time_t tt;
	unsigned n = 0;

	for (day = first / 86400; day * 86400 <= last;
	    day += day * 86400 >= dense_from && day * 86400 < dense_to ?
	    1 : 13) {
		sec = day * 86400 + (int64_t)(n++ * 7919 % 86400);
		tt = (time_t)sec;
		ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
		strftime(libc, sizeof(libc), "%Y%m%d%H%M%S", &tm);
		ck_assert_int_eq(smpp_time_format_digits(sec * 1000000, 14,
		    ours, sizeof(ours)), 0);
		ck_assert_str_eq(ours, libc);
		ck_assert_int_eq(smpp_time_parse_digits(libc, 14, &usec, &err),
		    0);
		ck_assert_int_eq(usec, (int64_t)timegm(&tm) * 1000000);
		if (tm.tm_year + 1900 < SMPP_TIME_YEAR_MIN ||
		    tm.tm_year + 1900 > SMPP_TIME_YEAR_MAX) {
			ck_assert_int_eq(smpp_time_from_usec(sec * 1000000, 0,
			    &st), -1);
			continue;
		}
		ck_assert_int_eq(smpp_time_from_usec(sec * 1000000, 0, &st),
		    0);
		ck_assert_int_eq(st.year, tm.tm_year + 1900);
		ck_assert_int_eq(st.month, tm.tm_mon + 1);
		ck_assert_int_eq(st.day, tm.tm_mday);
		ck_assert_int_eq(st.hour * 3600 + st.minute * 60 + st.second,
		    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	}
	ck_assert_uint_gt(n, 290000);
}
END_TEST

START_TEST(test_part_names)
{
	ck_assert_str_eq(smpp_time_part_name(SMPP_TIME_PART_MONTH), "month");
	ck_assert_str_eq(smpp_time_part_name(SMPP_TIME_PART_SIGN), "sign");
	ck_assert_str_eq(smpp_time_part_name((enum smpp_time_part)99),
	    "unknown");
}
END_TEST

static Suite *
timefmt_suite(void)
{
	Suite	*s = suite_create("timefmt");
	TCase	*tc = tcase_create("timefmt");

	tcase_add_loop_test(tc, test_parse, 0, nitems(parse_cases));
	tcase_add_test(tc, test_parse_null);
	tcase_add_loop_test(tc, test_to_usec, 0, nitems(usec_cases));
	tcase_add_test(tc, test_to_usec_refuses);
	tcase_add_loop_test(tc, test_format_absolute, 0,
	    nitems(absolute_cases));
	tcase_add_loop_test(tc, test_format_relative, 0,
	    nitems(relative_cases));
	tcase_add_loop_test(tc, test_resolve, 0, nitems(resolve_cases));
	tcase_add_test(tc, test_resolve_none);
	tcase_add_loop_test(tc, test_format_roundtrip, 0,
	    nitems(roundtrip_cases));
	tcase_add_test(tc, test_format_refuses);
	tcase_add_loop_test(tc, test_parse_digits, 0, nitems(digits_cases));
	tcase_add_test(tc, test_format_digits);
	tcase_add_test(tc, test_calendar_libc);
	tcase_add_test(tc, test_part_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(timefmt_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
