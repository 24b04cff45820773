/*
 * A scenario's "expect" items (docs/scenarios.md, Expectations): what is
 * looked at (the subject), how it is measured, and the comparison that
 * says pass or fail. scenario-expect.c reads them, expect.c evaluates
 * them at run time (expect_eval() in scenarios/run.h).
 *
 * Every item has exactly one subject and one measure that fits it
 * (checked when the file is read, so evaluation never meets a
 * combination it cannot judge).
 */
#ifndef CARRIERLAB_SCENARIOS_EXPECT_H
#define CARRIERLAB_SCENARIOS_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "gateway/gateway.h"

#define EXPECT_NAME_MAX		256
#define EXPECT_CODES_MAX	8	/* error codes in a filter, codes of
					   a traffic measure */
#define EXPECT_AT_END		INT64_C(-1)

#define EXPECT_SUBJECTS(X)						\
	X(NONE,			"")					\
	X(MESSAGES,		"messages")				\
	X(CALLBACKS,		"callbacks")				\
	X(PDUS,			"pdus")					\
	X(TRAFFIC,		"traffic")				\
	X(SEND,			"send")					\
	X(NO_MESSAGE_LOST,	"no_message_lost")

enum expect_subject {
#define EXPECT_SUBJECT_ENUM(name, text) EXPECT_SUBJECT_##name,
	EXPECT_SUBJECTS(EXPECT_SUBJECT_ENUM)
#undef EXPECT_SUBJECT_ENUM
};

/*
 * Measures, and the subjects each applies to (a bit per subject). The
 * send measures may come together (error_code and status), any other
 * measure alone; no_message_lost has its own, implicit, measure.
 */
#define EXPECT_BIT(s)	(1u << EXPECT_SUBJECT_##s)
#define EXPECT_MEASURES(X)						\
	X(NONE,		"",		0)				\
	X(COUNT,	"count",	EXPECT_BIT(MESSAGES) |		\
	    EXPECT_BIT(CALLBACKS) | EXPECT_BIT(PDUS))			\
	X(RATIO,	"ratio",	EXPECT_BIT(MESSAGES) |		\
	    EXPECT_BIT(CALLBACKS))					\
	X(LATENCY,	"latency",	EXPECT_BIT(MESSAGES))		\
	X(IN_ORDER,	"in_order",	EXPECT_BIT(CALLBACKS))		\
	X(ANSWER,	"error_code",	EXPECT_BIT(SEND))		\
	X(ACCEPTED,	"accepted",	EXPECT_BIT(TRAFFIC))		\
	X(REFUSED,	"refused",	EXPECT_BIT(TRAFFIC))		\
	X(CODES,	"codes",	EXPECT_BIT(TRAFFIC))

enum expect_measure {
#define EXPECT_MEASURE_ENUM(name, text, subjects) EXPECT_MEASURE_##name,
	EXPECT_MEASURES(EXPECT_MEASURE_ENUM)
#undef EXPECT_MEASURE_ENUM
};

const char	*expect_subject_name(enum expect_subject);
const char	*expect_measure_name(enum expect_measure);
/* 1 when measure m may be used with subject s. */
int		 expect_measure_fits(enum expect_measure m,
		    enum expect_subject s);

enum expect_op {
	EXPECT_OP_EQ, EXPECT_OP_NE, EXPECT_OP_GE, EXPECT_OP_LE, EXPECT_OP_GT,
	EXPECT_OP_LT,
};

/* "OP VALUE": a bare number means ==. Durations are kept in usec. */
struct expect_cmp {
	int		 set;
	enum expect_op	 op;
	double		 value;
	int		 duration;	/* value is a time: show it as one */
};

/*
 * Parses text ("<= 0.5", ">=1", "7", "<= 5s" when durations) into cmp;
 * -1 with a reason in why (why_size bytes).
 */
int		 expect_cmp_parse(const char *text, int durations,
		    struct expect_cmp *cmp, char *why, size_t why_size);
int		 expect_cmp_holds(const struct expect_cmp *, double actual);
/* ">= 0.9", "<= 5s": the form expect_cmp_parse() reads back. */
void		 expect_cmp_format(const struct expect_cmp *, char *buf,
		    size_t size);

/* [from, to] after the start (usec), when set. */
struct expect_window {
	int		 set;
	int64_t		 from;
	int64_t		 to;
};

/* A three-way boolean: the key left out matches either. */
#define EXPECT_ANY	(-1)

/*
 * Which messages (or callbacks) a subject looks at; every key given must
 * hold (AND). Statuses are a bit per enum gw_status; 0: any.
 */
struct expect_filter {
	unsigned	 statuses;
	int		 error_codes[EXPECT_CODES_MAX];
	size_t		 nerror_codes;	/* 0 and !error_none: any */
	int		 error_none;	/* null given: no error code */
	int		 direction;	/* EXPECT_ANY, 0 outbound, 1 inbound */
	enum gateway_sender_kind sender_kind;	/* > ALPHANUMERIC: any */
	char		 carrier[GATEWAY_NAME_MAX];	/* route; "": any */
	char		 service[GATEWAY_SID_SIZE];
	char		 from[GATEWAY_NUMBER_MAX];	/* "+1415*": prefix */
	char		 to[GATEWAY_NUMBER_MAX];
	char		 body[160];	/* "*unsubscribed*" */
	char		 traffic[64];	/* a generator's name */
	int		 event;		/* callbacks: EXPECT_ANY, 0 status,
					   1 click */
	int		 rerouted;	/* EXPECT_ANY, 0, 1 */
	int		 fallback;
	int		 media;
	int		 shortened;
	int		 signed_ok;	/* callbacks: EXPECT_ANY, 0 the
					   X-Twilio-Signature is wrong or
					   missing, 1 it checks */
	struct expect_window created;	/* date_created */
	struct expect_window sent;	/* date_sent */
	int		 encoding;	/* EXPECT_ANY, 0 GSM-7, 1 UCS-2 */
	long long	 segments;	/* 0: any */
};

/* PDUs captured by the carriers (every bind, as far as each bind's
 * capture_limit keeps them). */
struct expect_pdu_filter {
	char		 carrier[64];	/* "": every carrier */
	char		 command[32];	/* "submit_sm_resp"; "": any */
	uint32_t	 status;	/* command_status, when status_set */
	int		 status_set;
	int		 dir;		/* EXPECT_ANY, 0 in, 1 out */
};

/* A request to the API at the item's time. */
struct expect_send {
	char		 to[GATEWAY_NUMBER_MAX];
	char		 from[GATEWAY_NUMBER_MAX];
	char		 service[GATEWAY_SID_SIZE];
	char		 body[1600];
	char		 account[GATEWAY_SID_SIZE];	/* "": derived */
	char		 token[GATEWAY_TOKEN_MAX];	/* the account's */
};

#define EXPECT_LATENCY_TO(X)						\
	X(SENT,		"sent")						\
	X(DELIVERED,	"delivered")					\
	X(FINAL,	"final")					\
	X(CALLBACK,	"callback")

enum expect_latency_to {
#define EXPECT_LATENCY_ENUM(name, text) EXPECT_LATENCY_##name,
	EXPECT_LATENCY_TO(EXPECT_LATENCY_ENUM)
#undef EXPECT_LATENCY_ENUM
};

struct expect_latency {
	int		 from;		/* 0 created, 1 sent */
	int		 to;		/* enum expect_latency_to */
	double		 percentile;	/* 50..100 */
	struct expect_cmp bound;	/* the item's "value": "<= 5s" */
};

/* A traffic measure per refusal code: {"21610": ">= 1"}. */
struct expect_code_cmp {
	uint32_t	 code;
	struct expect_cmp cmp;
};

struct scenario_expect {
	int64_t		 at;		/* usec from the start; AT_END */
	char		 name[EXPECT_NAME_MAX];	/* "" until finish makes it */
	char		 why[512];
	char		 comment[1024];
	enum expect_subject subject;
	enum expect_measure measure;
	struct expect_filter filter;	/* messages, callbacks */
	struct expect_pdu_filter pdus;
	char		 traffic[64];	/* subject traffic: its name */
	struct expect_send send;
	/* The measures' values. */
	struct expect_cmp cmp;		/* count, ratio, accepted, refused */
	struct expect_latency latency;
	int		 in_order;
	int		 answer_code;	/* send: error_code; 0: none */
	int		 answer_code_set;
	int		 answer_status;	/* send: HTTP status */
	int		 answer_status_set;
	struct expect_code_cmp codes[EXPECT_CODES_MAX];
	size_t		 ncodes;
};

/* "messages{status=delivered,carrier=alpha} ratio": the default name. */
void		 expect_describe(const struct scenario_expect *, char *buf,
		    size_t size);

#endif
