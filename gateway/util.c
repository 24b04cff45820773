/*
 * Small things the gateway's files share: sids, the two date formats of
 * Twilio's APIs, and what a phone number or sender string is.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "gateway/gateway-internal.h"

static const char *const gw_sender_kinds[] = {
	[GATEWAY_SENDER_LONG_CODE] = "long_code",
	[GATEWAY_SENDER_SHORT_CODE] = "short_code",
	[GATEWAY_SENDER_TOLL_FREE] = "toll_free",
	[GATEWAY_SENDER_ALPHANUMERIC] = "alphanumeric",
};

const char *
gateway_sender_kind_name(enum gateway_sender_kind k)
{
	if ((unsigned)k >= sizeof gw_sender_kinds / sizeof *gw_sender_kinds)
		return "unknown";
	return gw_sender_kinds[k];
}

void
gw_sid_new(struct rng *rng, const char *prefix, char out[GATEWAY_SID_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	uint64_t r = 0;
	size_t i;

	out[0] = prefix[0];
	out[1] = prefix[1];
	for (i = 0; i < 32; i++) {
		if (i % 16 == 0)
			r = rng_next(rng);
		out[2 + i] = digits[r & 0xf];
		r >>= 4;
	}
	out[GATEWAY_SID_LEN] = '\0';
}

void
gw_sid_serial(struct rng *rng, uint64_t serial, const char *prefix,
    char out[GATEWAY_SID_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	gw_sid_new(rng, prefix, out);
	/* The first twelve digits count up: rows keyed by sid are then
	 * appended in order, instead of landing on a random page each. */
	for (i = 11; i >= 0; i--) {
		out[2 + i] = digits[serial & 0xf];
		serial >>= 4;
	}
}

char *
gw_decimal(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

int
gw_sid_valid(const char *s, const char *prefix)
{
	size_t i;

	if (s == NULL || strncmp(s, prefix, 2) != 0 ||
	    strlen(s) != GATEWAY_SID_LEN)
		return 0;
	for (i = 2; i < GATEWAY_SID_LEN; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

void
gw_date_rfc2822(int64_t usec, char *out, size_t cap)
{
	/* The C locale's names; strftime's %a/%b would follow LC_TIME. */
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	/* A message's dates mostly share their second with the dates
	 * written just before (three a 201): the last one is kept. */
	static _Thread_local time_t last_t;
	static _Thread_local char last[64];	/* "": none yet */
	time_t t = (time_t)(usec / CLOCK_USEC_PER_SEC);
	struct tm tm;

	if (last[0] == '\0' || t != last_t) {
		gmtime_r(&t, &tm);
		snprintf(last, sizeof last, "%s, %02d %s %04d %02d:%02d:%02d "
		    "+0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		last_t = t;
	}
	strlcpy(out, last, cap);
}

const char *
gw_date_http(void)
{
	static _Thread_local time_t last_t;
	static _Thread_local char last[64];
	time_t t = time(NULL);

	/* evhttp would add the same header, through gmtime and snprintf
	 * for every response. */
	if (last[0] == '\0' || t != last_t) {
		gw_date_rfc2822((int64_t)t * CLOCK_USEC_PER_SEC, last,
		    sizeof last);
		memcpy(last + strlen(last) - 5, "GMT", 4);	/* "+0000" */
		last_t = t;
	}
	return last;
}

void
gw_date_iso8601(int64_t usec, char *out, size_t cap)
{
	time_t t = (time_t)(usec / CLOCK_USEC_PER_SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* "+hh:mm", "+hhmm", "-hh", "Z", "GMT", "UT": seconds east of UTC. */
static int
gw_date_zone(const char *s, long *east)
{
	int h, m = 0, n = 0;

	while (*s == ' ')
		s++;
	if (*s == '\0' || strcmp(s, "Z") == 0 || strcmp(s, "GMT") == 0 ||
	    strcmp(s, "UT") == 0 || strcmp(s, "UTC") == 0) {
		*east = 0;
		return 0;
	}
	if ((*s != '+' && *s != '-') || !isdigit((unsigned char)s[1]))
		return -1;
	if (sscanf(s + 1, "%2d:%2d%n", &h, &m, &n) == 2 ||
	    (n = 0, sscanf(s + 1, "%2d%2d%n", &h, &m, &n) == 2) ||
	    (n = 0, sscanf(s + 1, "%2d%n", &h, &n) == 1)) {
		if (s[1 + n] != '\0' || h > 23 || m > 59)
			return -1;
		*east = (h * 3600L + m * 60L) * (*s == '-' ? -1 : 1);
		return 0;
	}
	return -1;
}

int
gw_date_parse(const char *s, int64_t *usec)
{
	static const char *const forms[] = {
		"%Y-%m-%dT%H:%M:%S",		/* ISO 8601 */
		"%Y-%m-%d %H:%M:%S",
		"%a, %d %b %Y %H:%M:%S",	/* RFC 2822 */
		"%d %b %Y %H:%M:%S",
		"%Y-%m-%d",
	};
	struct tm tm;
	const char *end;
	long east;
	size_t i;

	for (i = 0; i < sizeof forms / sizeof *forms; i++) {
		memset(&tm, 0, sizeof tm);
		if ((end = strptime(s, forms[i], &tm)) == NULL)
			continue;
		if (*end == '.') {		/* fractions are dropped */
			end++;
			while (isdigit((unsigned char)*end))
				end++;
		}
		if (gw_date_zone(end, &east) == -1)
			continue;
		*usec = ((int64_t)timegm(&tm) - east) * CLOCK_USEC_PER_SEC;
		return 0;
	}
	return -1;
}

int
gw_e164_valid(const char *s)
{
	size_t n;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	for (n = 1; s[n] != '\0'; n++)
		if (!isdigit((unsigned char)s[n]))
			return 0;
	return n - 1 >= 8 && n - 1 <= 15;
}

/* North American toll-free area codes. */
static int
gw_toll_free(const char *e164)
{
	static const char *const codes[] = { "800", "833", "844", "855",
	    "866", "877", "888" };
	size_t i;

	if (strncmp(e164, "+1", 2) != 0)
		return 0;
	for (i = 0; i < sizeof codes / sizeof *codes; i++)
		if (strncmp(e164 + 2, codes[i], 3) == 0)
			return 1;
	return 0;
}

int
gw_sender_kind(const char *s)
{
	size_t n = strlen(s), i, digits = 0, letters = 0;

	if (gw_e164_valid(s))
		return gw_toll_free(s) ? GATEWAY_SENDER_TOLL_FREE :
		    GATEWAY_SENDER_LONG_CODE;
	if (n == 0 || n > 11)
		return -1;
	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (isalpha((unsigned char)s[i]))
			letters++;
		else if (strchr(" -+_&", s[i]) == NULL)
			return -1;
	}
	if (digits == n)
		return n >= 3 && n <= 8 ? GATEWAY_SENDER_SHORT_CODE : -1;
	return letters > 0 ? GATEWAY_SENDER_ALPHANUMERIC : -1;
}

const char *
gw_country_of(const char *e164)
{
	/* Longest codes first where they share digits with shorter ones. */
	static const struct {
		const char	*prefix;
		const char	*country;
	} codes[] = {
		{ "+1", "US" }, { "+44", "GB" }, { "+49", "DE" },
		{ "+33", "FR" }, { "+34", "ES" }, { "+39", "IT" },
		{ "+31", "NL" }, { "+32", "BE" }, { "+41", "CH" },
		{ "+43", "AT" }, { "+45", "DK" }, { "+46", "SE" },
		{ "+47", "NO" }, { "+48", "PL" }, { "+351", "PT" },
		{ "+353", "IE" }, { "+358", "FI" }, { "+61", "AU" },
		{ "+64", "NZ" }, { "+65", "SG" }, { "+81", "JP" },
		{ "+82", "KR" }, { "+86", "CN" }, { "+91", "IN" },
		{ "+52", "MX" }, { "+55", "BR" }, { "+27", "ZA" },
		{ "+971", "AE" }, { "+972", "IL" },
	};
	size_t i, len, best = 0;
	const char *c = "";

	for (i = 0; e164 != NULL && i < sizeof codes / sizeof *codes; i++) {
		len = strlen(codes[i].prefix);
		if (len > best && strncmp(e164, codes[i].prefix, len) == 0) {
			best = len;
			c = codes[i].country;
		}
	}
	/* Canada shares +1: its area codes are not told apart here. */
	return c;
}

size_t
gw_utf8_count(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}
