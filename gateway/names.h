/*
 * What the gateway's names and numbers are, shared with whoever reads a
 * configuration for it (scenarios/): message statuses and directions in
 * Twilio's words, sids, dates, and what a phone number or sender string
 * is. Pure functions over strings; no gateway state.
 */
#ifndef CARRIERLAB_GATEWAY_NAMES_H
#define CARRIERLAB_GATEWAY_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/random.h"
#include "gateway/gateway.h"

/*
 * Message statuses in Twilio's names. The third column says whether the
 * status is terminal (no further change but redaction and delete).
 */
#define GW_STATUSES(X)							\
	X(ACCEPTED,		"accepted",		0)		\
	X(SCHEDULED,		"scheduled",		0)		\
	X(QUEUED,		"queued",		0)		\
	X(SENDING,		"sending",		0)		\
	X(SENT,			"sent",			0)		\
	X(DELIVERED,		"delivered",		1)		\
	X(UNDELIVERED,		"undelivered",		1)		\
	X(FAILED,		"failed",		1)		\
	X(RECEIVING,		"receiving",		0)		\
	X(RECEIVED,		"received",		1)		\
	X(CANCELED,		"canceled",		1)		\
	X(READ,			"read",			1)		\
	X(PARTIALLY_DELIVERED,	"partially_delivered",	1)

enum gw_status {
#define GW_STATUS_ENUM(name, text, terminal) GW_STATUS_##name,
	GW_STATUSES(GW_STATUS_ENUM)
#undef GW_STATUS_ENUM
	GW_STATUS_COUNT
};

const char	*gw_status_name(enum gw_status);
/* -1 for an unknown name. */
int		 gw_status_parse(const char *name);
int		 gw_status_terminal(enum gw_status);

#define GW_DIRECTIONS(X)						\
	X(INBOUND,		"inbound")				\
	X(OUTBOUND_API,		"outbound-api")				\
	X(OUTBOUND_CALL,	"outbound-call")			\
	X(OUTBOUND_REPLY,	"outbound-reply")

enum gw_direction {
#define GW_DIRECTION_ENUM(name, text) GW_DIR_##name,
	GW_DIRECTIONS(GW_DIRECTION_ENUM)
#undef GW_DIRECTION_ENUM
};

const char	*gw_direction_name(enum gw_direction);
int		 gw_direction_parse(const char *name);

/* util.c */
/* prefix + 32 lowercase hex digits from rng (deterministic per seed). */
void		 gw_sid_new(struct rng *, const char *prefix,
		    char out[GATEWAY_SID_SIZE]);
/* ISO 3166 alpha-2 of an E.164 number's country code ("US" for +1,
 * "GB" for +44, ...), or "" when the table does not know it. */
const char	*gw_country_of(const char *e164);
/* The same, its first 12 digits the low 48 bits of serial in hex, so
 * sids drawn with a rising serial sort in the order they were drawn. */
void		 gw_sid_serial(struct rng *, uint64_t serial,
		    const char *prefix, char out[GATEWAY_SID_SIZE]);
/* The decimal digits of v written leftwards, the last just before end (no
 * NUL); returns the first. The hot paths' integers (JSON numbers, the
 * 201's counts, the price) without snprintf's format machinery. */
char		*gw_decimal(char *end, uint64_t v);
/* 1 when s is prefix + 32 hex digits. */
int		 gw_sid_valid(const char *s, const char *prefix);
/*
 * strlcpy(dst, src, GATEWAY_SID_SIZE) on the loop's hot paths (a lookup
 * key, an op's sid): libbsd's strlcpy goes a byte at a time, about 8
 * instructions a byte, and sid copies were 3% of the loop's work in
 * bench (b).
 */
static inline void
gw_sid_copy(char dst[GATEWAY_SID_SIZE], const char *src)
{
	size_t n = strnlen(src, GATEWAY_SID_SIZE - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}
/* RFC 2822 in GMT: "Thu, 24 Aug 2023 05:01:45 +0000". */
void		 gw_date_rfc2822(int64_t usec, char *out, size_t cap);
/* HTTP's Date of now by the wall clock (RFC 9110's IMF-fixdate, "Thu,
 * 24 Aug 2023 05:01:45 GMT"), made once a second; the loop's own. */
const char	*gw_date_http(void);
/* ISO 8601: "2015-07-30T20:12:31Z". */
void		 gw_date_iso8601(int64_t usec, char *out, size_t cap);
/* Parses ISO 8601 (with Z or offset), RFC 2822 and "YYYY-MM-DD";
 * -1 when unreadable. */
int		 gw_date_parse(const char *s, int64_t *usec);
/* Characters (code points) of valid UTF-8 text, as Twilio counts a
 * body's or a name's length. */
size_t		 gw_utf8_count(const char *s);
/* E.164: '+' and 8..15 digits (first not 0). */
int		 gw_e164_valid(const char *s);
/* The kind of a sender string ("+1415...", "55555", "CARRIERLAB"), or -1
 * when it is none. */
int		 gw_sender_kind(const char *s);

#endif
