/*
 * A scenario's "traffic": generators of messages, through the gateway's
 * HTTP API as an application sends them or over SMPP straight to a
 * carrier as an ESME does. The loader (scenario-traffic.c) fills struct
 * scenario_traffic, every default set and every name checked against the
 * rest of the file; the runtime (traffic.c, its interface in
 * scenarios/run.h) sends what it says.
 *
 * The pure parts the two share, and the tests call, are here: the body
 * template and the destination of the i-th message.
 */
#ifndef CARRIERLAB_SCENARIOS_TRAFFIC_H
#define CARRIERLAB_SCENARIOS_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/gateway.h"

#define TRAFFIC_NAME_MAX	64	/* with the NUL */
#define TRAFFIC_BODY_MAX	4096	/* template octets, NUL too */
#define TRAFFIC_URL_MAX		512
#define TRAFFIC_LENGTH_MAX	10000	/* characters of a body */
#define TRAFFIC_COUNT_MAX	10000000
#define TRAFFIC_TO_LIST_MAX	10000
#define TRAFFIC_MEDIA_MAX	10	/* MediaUrl per message (Twilio) */
#define TRAFFIC_VALIDITY_MAX	36000	/* ValidityPeriod, seconds */
/* Requests to the API in flight per generator; the rest wait their turn
 * so that a burst does not open a connection per message. */
#define TRAFFIC_OUTSTANDING_MAX	256

#define TRAFFIC_VIAS(X)							\
	X(API,	"api")						\
	X(SMPP,	"smpp")

enum traffic_via {
#define TRAFFIC_VIA_ENUM(name, word)	TRAFFIC_VIA_##name,
	TRAFFIC_VIAS(TRAFFIC_VIA_ENUM)
#undef TRAFFIC_VIA_ENUM
};

/* "to": one number, numbers taken in turn, or a range counted through. */
enum traffic_to_kind {
	TRAFFIC_TO_ONE,
	TRAFFIC_TO_LIST,
	TRAFFIC_TO_RANGE,
};

struct traffic_to {
	enum traffic_to_kind kind;
	/* ONE: list[0]; LIST: every item; RANGE: list[0] and list[1],
	 * "+" and the same number of digits, first <= last. */
	char		(*list)[GATEWAY_NUMBER_MAX];
	size_t		 nlist;
};

/* "shorten_urls", "smart_encoding": left out of the request unless
 * given, so the service's own setting holds. */
#define TRAFFIC_FLAG_UNSET	(-1)

struct scenario_traffic {
	char		 name[TRAFFIC_NAME_MAX];	/* "traffic[i]" */
	int64_t		 at;		/* usec after the start */
	enum traffic_via via;
	uint64_t	 count;		/* 1..TRAFFIC_COUNT_MAX */
	double		 rate;		/* per second; 0: at once */
	char		 comment[1024];

	/* Both kinds. */
	struct traffic_to to;
	char		 from[GATEWAY_NUMBER_MAX];	/* "": below */
	char		 body[TRAFFIC_BODY_MAX];	/* template (API) */
	unsigned	 length;	/* 0: the body as it expands */

	/* API. account is settled by the loader (the service's, else the
	 * From number's, else the first account). */
	char		 account[GATEWAY_SID_SIZE];
	char		 service[GATEWAY_SID_SIZE];	/* "" : none */
	char		(*media)[TRAFFIC_URL_MAX];
	size_t		 nmedia;
	/* "sink" (the engine's sink + "/" + name), a URL, or "" (none). */
	char		 status_callback[TRAFFIC_URL_MAX];
	int		 shorten_urls;	/* TRAFFIC_FLAG_UNSET, 0, 1 */
	int		 smart_encoding;
	unsigned	 validity_period;	/* seconds; 0: not sent */

	/* SMPP. from "" is "carrierlab"; system_id "" is the carrier's
	 * first account's (its password too, unless given). */
	char		 carrier[64];
	char		 system_id[16];
	char		 password[9];
	int		 password_set;
	char		 encoding[8];	/* auto, gsm7, ucs2, latin1 */
	unsigned	 window;
	unsigned	 sessions;
	int		 receipts;
	int64_t		 receipt_timeout;
};

const char	*traffic_via_name(enum traffic_via);

/*
 * The body of message seq (1-based) of t: {seq}, {count} and {to}
 * replaced (other braces kept as they are), then, with t->length,
 * repeated and cut to that many characters (UTF-8 code points). Returns
 * the length written to out (NUL included in size; the text is cut at a
 * character boundary when it does not fit).
 */
size_t		 traffic_body_expand(const struct scenario_traffic *t,
		    uint64_t seq, const char *to, char *out, size_t size);
/* 1 when body holds a template word ({seq}, {count}, {to}). */
int		 traffic_body_is_template(const char *body);
/* The destination of message seq (1-based): the one number, the list's
 * ((seq - 1) mod n)-th, or first + ((seq - 1) mod the range's size),
 * with the range's '+' and digits. out holds GATEWAY_NUMBER_MAX. */
void		 traffic_to_at(const struct traffic_to *, uint64_t seq,
		    char out[GATEWAY_NUMBER_MAX]);

#endif
