/*
 * What the loader and the evaluation of "expect" share (expect.h): the
 * names of subjects and measures, comparisons ("OP VALUE") and the name
 * an item gets when the file gives none. Pure functions over strings.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/duration.h"
#include "gateway/names.h"
#include "scenarios/expect.h"
#include "smpp/smpp.h"

static const char *const subject_names[] = {
#define EXPECT_SUBJECT_NAME(name, text) text,
	EXPECT_SUBJECTS(EXPECT_SUBJECT_NAME)
#undef EXPECT_SUBJECT_NAME
};

static const struct {
	const char	*name;
	unsigned	 subjects;
} measures[] = {
#define EXPECT_MEASURE_ROW(name, text, subjects) { text, subjects },
	EXPECT_MEASURES(EXPECT_MEASURE_ROW)
#undef EXPECT_MEASURE_ROW
};

#define NMEASURES	(sizeof measures / sizeof measures[0])
#define NSUBJECTS	(sizeof subject_names / sizeof subject_names[0])

const char *
expect_subject_name(enum expect_subject s)
{
	return (size_t)s < NSUBJECTS ? subject_names[s] : "";
}

const char *
expect_measure_name(enum expect_measure m)
{
	return (size_t)m < NMEASURES ? measures[m].name : "";
}

int
expect_measure_fits(enum expect_measure m, enum expect_subject s)
{
	return (size_t)m < NMEASURES && (measures[m].subjects & (1u << s));
}

/* Longest first, so ">=" is not read as ">". */
static const struct {
	const char	*text;
	enum expect_op	 op;
} ops[] = {
	{ "==", EXPECT_OP_EQ }, { "!=", EXPECT_OP_NE },
	{ ">=", EXPECT_OP_GE }, { "<=", EXPECT_OP_LE },
	{ ">", EXPECT_OP_GT }, { "<", EXPECT_OP_LT },
};

#define NOPS	(sizeof ops / sizeof ops[0])

static const char *
op_text(enum expect_op op)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (ops[i].op == op)
			return ops[i].text;
	return "?";
}

/* The value after the operator: a number, or a duration when allowed. */
static int
cmp_value(const char *p, int durations, double *value, char *why,
    size_t size)
{
	char	*end;
	double	 x;

	if (*p == '\0') {
		snprintf(why, size, "a value must follow the operator");
		return -1;
	}
	if (durations) {
		if (duration_parse(p, &x) == -1) {
			snprintf(why, size, "the value must be a duration "
			    "such as 5s or 250ms");
			return -1;
		}
		*value = x;
		return 0;
	}
	x = strtod(p, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (end == p || *end != '\0' || !isfinite(x)) {
		snprintf(why, size, "the value must be a number");
		return -1;
	}
	*value = x;
	return 0;
}

int
expect_cmp_parse(const char *text, int durations, struct expect_cmp *cmp,
    char *why, size_t size)
{
	const char	*p = text;
	enum expect_op	 op = EXPECT_OP_EQ;
	size_t		 i;

	while (isspace((unsigned char)*p))
		p++;
	for (i = 0; i < NOPS; i++) {
		if (strncmp(p, ops[i].text, strlen(ops[i].text)) == 0) {
			op = ops[i].op;
			p += strlen(ops[i].text);
			break;
		}
	}
	if (i == NOPS && !isdigit((unsigned char)*p) && *p != '-' &&
	    *p != '.') {
		snprintf(why, size, "not a comparison (an operator ==, !=, "
		    ">=, <=, > or < and a value)");
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (cmp_value(p, durations, &cmp->value, why, size) == -1)
		return -1;
	cmp->set = 1;
	cmp->op = op;
	cmp->duration = durations;
	return 0;
}

int
expect_cmp_holds(const struct expect_cmp *cmp, double actual)
{
	switch (cmp->op) {
	case EXPECT_OP_EQ:
		return actual == cmp->value;
	case EXPECT_OP_NE:
		return actual != cmp->value;
	case EXPECT_OP_GE:
		return actual >= cmp->value;
	case EXPECT_OP_LE:
		return actual <= cmp->value;
	case EXPECT_OP_GT:
		return actual > cmp->value;
	case EXPECT_OP_LT:
		return actual < cmp->value;
	}
	return 0;
}

void
expect_cmp_format(const struct expect_cmp *cmp, char *buf, size_t size)
{
	char value[32];

	if (cmp->duration)
		duration_format((int64_t)llround(cmp->value), value,
		    sizeof value);
	else
		snprintf(value, sizeof value, "%.15g", cmp->value);
	snprintf(buf, size, "%s %s", op_text(cmp->op), value);
}

/* Appends ",key=value" (the first without the comma). */
static void
describe_add(char *buf, size_t size, size_t *len, const char *key,
    const char *value)
{
	int n;

	if (*len >= size)
		return;
	n = snprintf(buf + *len, size - *len, "%s%s=%s",
	    buf[*len - 1] == '{' ? "" : ",", key, value);
	if (n > 0)
		*len += (size_t)n;
}

static void
describe_statuses(char *buf, size_t size, size_t *len, unsigned mask)
{
	char	value[160] = "";
	size_t	vl = 0;
	int	st;

	for (st = 0; st < GW_STATUS_COUNT && vl < sizeof value; st++)
		if (mask & (1u << st))
			vl += (size_t)snprintf(value + vl, sizeof value - vl,
			    "%s%s", vl > 0 ? "|" : "",
			    gw_status_name((enum gw_status)st));
	describe_add(buf, size, len, "status", value);
}

static void
describe_errors(char *buf, size_t size, size_t *len,
    const struct expect_filter *f)
{
	char	value[96] = "";
	size_t	i, vl = 0;

	for (i = 0; i < f->nerror_codes && vl < sizeof value; i++)
		vl += (size_t)snprintf(value + vl, sizeof value - vl, "%s%d",
		    vl > 0 ? "|" : "", f->error_codes[i]);
	if (f->error_none && vl < sizeof value)
		snprintf(value + vl, sizeof value - vl, "%snull",
		    vl > 0 ? "|" : "");
	describe_add(buf, size, len, "error_code", value);
}

static void
describe_bool(char *buf, size_t size, size_t *len, const char *key, int b)
{
	if (b != EXPECT_ANY)
		describe_add(buf, size, len, key, b ? "true" : "false");
}

static void
describe_window(char *buf, size_t size, size_t *len, const char *key,
    const struct expect_window *w)
{
	char a[32], b[32], value[72];

	if (!w->set)
		return;
	duration_format(w->from, a, sizeof a);
	duration_format(w->to, b, sizeof b);
	snprintf(value, sizeof value, "%s..%s", a, b);
	describe_add(buf, size, len, key, value);
}

/* The filter's given keys in row order; "" when none. */
static void
describe_filter(char *buf, size_t size, size_t *len,
    const struct expect_filter *f)
{
	char n[24];

	if (f->event != EXPECT_ANY)
		describe_add(buf, size, len, "event_type", f->event == 0 ?
		    "status" : "click");
	if (f->statuses != 0)
		describe_statuses(buf, size, len, f->statuses);
	if (f->nerror_codes > 0 || f->error_none)
		describe_errors(buf, size, len, f);
	if (f->direction != EXPECT_ANY)
		describe_add(buf, size, len, "direction", f->direction == 0 ?
		    "outbound" : "inbound");
	if ((unsigned)f->sender_kind <= GATEWAY_SENDER_ALPHANUMERIC)
		describe_add(buf, size, len, "sender_kind",
		    gateway_sender_kind_name(f->sender_kind));
	if (f->carrier[0] != '\0')
		describe_add(buf, size, len, "carrier", f->carrier);
	if (f->service[0] != '\0')
		describe_add(buf, size, len, "service", f->service);
	if (f->from[0] != '\0')
		describe_add(buf, size, len, "from", f->from);
	if (f->to[0] != '\0')
		describe_add(buf, size, len, "to", f->to);
	if (f->body[0] != '\0')
		describe_add(buf, size, len, "body", f->body);
	if (f->traffic[0] != '\0')
		describe_add(buf, size, len, "traffic", f->traffic);
	describe_bool(buf, size, len, "rerouted", f->rerouted);
	describe_bool(buf, size, len, "fallback", f->fallback);
	describe_window(buf, size, len, "created_between", &f->created);
	describe_window(buf, size, len, "sent_between", &f->sent);
	if (f->encoding != EXPECT_ANY)
		describe_add(buf, size, len, "encoding", f->encoding == 0 ?
		    "GSM-7" : "UCS-2");
	if (f->segments > 0) {
		snprintf(n, sizeof n, "%lld", f->segments);
		describe_add(buf, size, len, "segments", n);
	}
	describe_bool(buf, size, len, "media", f->media);
	describe_bool(buf, size, len, "shortened", f->shortened);
	describe_bool(buf, size, len, "signed", f->signed_ok);
}

static void
describe_pdus(char *buf, size_t size, size_t *len,
    const struct expect_pdu_filter *p)
{
	const char *st;

	if (p->carrier[0] != '\0')
		describe_add(buf, size, len, "carrier", p->carrier);
	if (p->command[0] != '\0')
		describe_add(buf, size, len, "command", p->command);
	if (p->status_set) {
		st = smpp_status_name(p->status);
		describe_add(buf, size, len, "status", st != NULL ? st : "?");
	}
	if (p->dir != EXPECT_ANY)
		describe_add(buf, size, len, "dir", p->dir == 0 ? "in" : "out");
}

/* "subject{keys}" into buf; the braces are left out when empty. */
static size_t
describe_subject(const struct scenario_expect *x, char *buf, size_t size)
{
	size_t len;

	snprintf(buf, size, "%s{", expect_subject_name(x->subject));
	len = strlen(buf);
	switch (x->subject) {
	case EXPECT_SUBJECT_MESSAGES:
	case EXPECT_SUBJECT_CALLBACKS:
		describe_filter(buf, size, &len, &x->filter);
		break;
	case EXPECT_SUBJECT_PDUS:
		describe_pdus(buf, size, &len, &x->pdus);
		break;
	case EXPECT_SUBJECT_TRAFFIC:
		describe_add(buf, size, &len, "name", x->traffic);
		break;
	case EXPECT_SUBJECT_SEND:
		describe_add(buf, size, &len, "to", x->send.to);
		if (x->send.service[0] != '\0')
			describe_add(buf, size, &len, "service",
			    x->send.service);
		else
			describe_add(buf, size, &len, "from", x->send.from);
		break;
	default:
		break;
	}
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '{')
		buf[--len] = '\0';
	else if (len + 1 < size) {
		buf[len++] = '}';
		buf[len] = '\0';
	}
	return len;
}

void
expect_describe(const struct scenario_expect *x, char *buf, size_t size)
{
	size_t		 len;
	const char	*m;

	if (size == 0)
		return;
	len = describe_subject(x, buf, size);
	if (x->subject == EXPECT_SUBJECT_NO_MESSAGE_LOST || len + 1 >= size)
		return;
	if (x->measure == EXPECT_MEASURE_ANSWER)
		m = x->answer_code_set ? (x->answer_status_set ?
		    "error_code,status" : "error_code") : "status";
	else
		m = expect_measure_name(x->measure);
	snprintf(buf + len, size - len, " %s", m);
}
