/*
 * SMPP time fields (smpp-facts 4.9): schedule_delivery_time,
 * validity_period and final_date, plus the digit-only dates of delivery
 * receipts.
 *
 * Absolute:  YYMMDDhhmmsstnnp  p '+' or '-', nn quarter hours from UTC
 * Relative:  YYMMDDhhmmss000R  a duration from "now" at the SMSC
 * Receipt:   YYMMDDhhmm, YYMMDDhhmmss or YYYYMMDDhhmmss, read as UTC
 *
 * Instants are int64_t microseconds (or seconds where the name says so)
 * since the Unix epoch, UTC, like common/clock. Nothing here depends on
 * the TZ environment or the process locale. Two-digit years follow the
 * SPEC34 Appendix C pivot: 00-37 are 2000-2037, 38-99 are 1938-1999.
 *
 * Every function works on the caller's memory only: no allocation, no
 * static state, safe from any thread. Input text is (pointer, length),
 * need not be NUL-terminated and is never read past its length; a NUL
 * inside the length ends the text, as it ends a C-Octet String.
 */
#ifndef CARRIERLAB_SMPP_TIMEFMT_H
#define CARRIERLAB_SMPP_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define SMPP_TIME_LEN		16	/* characters of a time field */
#define SMPP_TIME_SIZE		17	/* the same with its NUL */
#define SMPP_TIME_REASON_SIZE	64	/* room for smpp_time_error.reason */
#define SMPP_TIME_OFFSET_MAX	48	/* |nn|, quarter hours */
#define SMPP_TIME_YEAR_MIN	1938	/* range of a two-digit year */
#define SMPP_TIME_YEAR_MAX	2037

enum smpp_time_kind {
	SMPP_TIME_NONE,		/* the field was empty: "not given" */
	SMPP_TIME_ABSOLUTE,
	SMPP_TIME_RELATIVE,
};

/* The parts of a time, in the order they appear; names the bad one. */
enum smpp_time_part {
	SMPP_TIME_PART_NONE,
	SMPP_TIME_PART_LENGTH,
	SMPP_TIME_PART_YEAR,
	SMPP_TIME_PART_MONTH,
	SMPP_TIME_PART_DAY,
	SMPP_TIME_PART_HOUR,
	SMPP_TIME_PART_MINUTE,
	SMPP_TIME_PART_SECOND,
	SMPP_TIME_PART_TENTHS,
	SMPP_TIME_PART_OFFSET,
	SMPP_TIME_PART_SIGN,
};

/*
 * A parsed time. Absolute: year is the full year (1938-2037), month
 * 1-12, day valid for that month, hour 0-23, minute and second 0-59,
 * tenths 0-9, offset the signed quarter hours by which the local time
 * written is ahead of UTC (-48..48). Relative: every field from year to
 * second is a count 0-99 and tenths and offset are 0. NONE: all zero.
 */
struct smpp_time {
	enum smpp_time_kind	kind;
	int			year;
	int			month;
	int			day;
	int			hour;
	int			minute;
	int			second;
	int			tenths;
	int			offset;
};

/* Why a parse failed: the first bad part from the left, and where. */
struct smpp_time_error {
	enum smpp_time_part	part;
	size_t			pos;	/* offset of that part in the input */
	char			reason[SMPP_TIME_REASON_SIZE];
				/* e.g. "month 13 not in 01-12" */
};

/*
 * Parses a 16-character time field. An empty text (s NULL or len 0, or a
 * NUL first) gives kind NONE. Every part is checked against its range,
 * days against the month and leap years, and a relative time must have
 * tenths 0 and nn 00. Returns 0, or -1 with *err (if not NULL) naming
 * the first bad part; *t is then all zero.
 */
int	smpp_time_parse(const char *s, size_t len, struct smpp_time *t,
	    struct smpp_time_error *err);

/*
 * Writes t as 16 characters and a NUL (NONE writes only the NUL). An
 * offset of 0 is written "00+". Returns 0, or -1 when a field is outside
 * the ranges smpp_time_parse() accepts or cap is too small (then out, if
 * cap > 0, holds an empty string). The result re-parses to *t.
 */
int	smpp_time_format(const struct smpp_time *t, char *out, size_t cap);

/*
 * Absolute time to UTC. Tenths are kept in the microseconds and dropped
 * by the seconds form (which rounds toward minus infinity). Returns -1
 * unless t is ABSOLUTE.
 */
int	smpp_time_to_usec(const struct smpp_time *t, int64_t *usec);
int	smpp_time_to_sec(const struct smpp_time *t, int64_t *sec);

/*
 * The absolute time that shows the UTC instant usec as local time at
 * offset quarter hours (-48..48); tenths are truncated from usec.
 * Returns -1 if the offset is out of range or the local year falls
 * outside 1938-2037, which two digits cannot carry.
 */
int	smpp_time_from_usec(int64_t usec, int offset, struct smpp_time *t);

/*
 * Instant of t given the SMSC's now (UTC usec). ABSOLUTE: as
 * smpp_time_to_usec(). RELATIVE: years and months are added to now's UTC
 * calendar date, a day past the end of the new month becomes its last
 * day (Jan 31 + 1 month = Feb 28 or 29), then days, hours, minutes and
 * seconds are added as elapsed time; now's fraction of a second is kept.
 * Returns -1 for NONE (the caller chooses its default).
 */
int	smpp_time_resolve(const struct smpp_time *t, int64_t now_usec,
	    int64_t *usec);

/* "YYMMDDhhmmsstnnp" for the instant at offset: from_usec() + format(). */
int	smpp_time_format_absolute(int64_t usec, int offset, char *out,
	    size_t cap);

/*
 * "0000DDhhmmss000R" for a duration of seconds >= 0, in days, hours,
 * minutes and seconds (a day is 86400 s; years and months, whose length
 * depends on the date, are never used). Returns -1 for a negative
 * duration or one of 100 days or more.
 */
int	smpp_time_format_relative(int64_t seconds, char *out, size_t cap);

/*
 * Receipt dates, UTC. digits is 10 (YYMMDDhhmm), 12 (YYMMDDhhmmss) or 14
 * (YYYYMMDDhhmmss). Formatting truncates to the minute or second and
 * writes digits characters and a NUL; it fails (-1) if cap is too small
 * or the year does not fit (1938-2037 for two digits, 1000-9999 for
 * four). Parsing takes exactly 10, 12 or 14 digits, checks every part as
 * smpp_time_parse() does and returns the instant, or -1 with *err.
 */
int	smpp_time_format_digits(int64_t usec, int digits, char *out,
	    size_t cap);
int	smpp_time_parse_digits(const char *s, size_t len, int64_t *usec,
	    struct smpp_time_error *err);

/* "month", "tenths", ...; never NULL. */
const char *smpp_time_part_name(enum smpp_time_part);

#endif
