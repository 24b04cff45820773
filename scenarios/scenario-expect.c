/*
 * Reading a scenario's "expect" items (scenarios/expect.h): one row per
 * key, as everywhere in the loader. A subject key (messages, callbacks,
 * pdus, traffic, send, no_message_lost) and a measure key (count, ratio,
 * latency, in_order, error_code/status, accepted, refused, codes) each
 * record which they are as they are read; the item check then says
 * whether the item has exactly one of each and whether they fit, and
 * scn_expect_finish() checks the names against the rest of the file.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/expect.h"
#include "scenarios/scenario-internal.h"
#include "scenarios/traffic.h"
#include "smpp/smpp.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)
#define XO(f)			offsetof(struct scenario_expect, f)
#define XSIZE(f)		sizeof(((struct scenario_expect *)0)->f)
#define FO(f)			offsetof(struct expect_filter, f)
#define FSIZE(f)		sizeof(((struct expect_filter *)0)->f)
#define PO(f)			offsetof(struct expect_pdu_filter, f)
#define PSIZE(f)		sizeof(((struct expect_pdu_filter *)0)->f)
#define SO(f)			offsetof(struct expect_send, f)
#define SSIZE(f)		sizeof(((struct expect_send *)0)->f)
#define EXPECT_MAX		1000
/* A sender kind not given (the enum's values are 0..3). */
#define EXPECT_KIND_ANY		((enum gateway_sender_kind)4)

/* ---- subjects and measures: which one an item has ---- */

static int
expect_set_subject(struct scn_ctx *c, struct scenario_expect *x,
    enum expect_subject s)
{
	if (x->subject != EXPECT_SUBJECT_NONE && x->subject != s)
		return scn_fail(c, "an expectation has one subject (it "
		    "already has \"%s\")", expect_subject_name(x->subject));
	x->subject = s;
	return 0;
}

static int
expect_set_measure(struct scn_ctx *c, struct scenario_expect *x,
    enum expect_measure m)
{
	if (x->measure != EXPECT_MEASURE_NONE && x->measure != m)
		return scn_fail(c, "an expectation has one measure (it "
		    "already has \"%s\")", expect_measure_name(x->measure));
	x->measure = m;
	return 0;
}

/* An object subject: k->mask says which, its members go to k->off. */
static int
subject_object_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	if (expect_set_subject(c, base, (enum expect_subject)k->mask) == -1)
		return -1;
	return scn_walk(c, k->sub, v, FIELD(base, k));
}

static json_t *
subject_object_show(const struct scn_key *k, const void *base)
{
	const struct scenario_expect *x = base;

	if (x->subject != (enum expect_subject)k->mask)
		return NULL;
	return scn_show_table(k->sub, CFIELD(base, k));
}

static const struct scn_type expect_type_subject = {
	.name = "object", .parse = subject_object_parse,
	.show = subject_object_show,
};

static int
subject_traffic_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	if (expect_set_subject(c, base, EXPECT_SUBJECT_TRAFFIC) == -1)
		return -1;
	return scn_get_string(c, k, v, FIELD(base, k), k->size);
}

static json_t *
subject_traffic_show(const struct scn_key *k, const void *base)
{
	const struct scenario_expect *x = base;

	return x->subject == EXPECT_SUBJECT_TRAFFIC ?
	    json_string(CFIELD(base, k)) : NULL;
}

static const struct scn_type expect_type_traffic_name = {
	.name = "string", .parse = subject_traffic_parse,
	.show = subject_traffic_show,
};

/* no_message_lost and in_order: only true means anything. */
static int
subject_flag_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	if (!json_is_true(v))
		return scn_fail(c, "must be true (leave the key out for "
		    "no such check)");
	return expect_set_subject(c, base, EXPECT_SUBJECT_NO_MESSAGE_LOST);
}

static json_t *
subject_flag_show(const struct scn_key *k, const void *base)
{
	const struct scenario_expect *x = base;

	return x->subject == EXPECT_SUBJECT_NO_MESSAGE_LOST ? json_true() :
	    NULL;
}

static const struct scn_type expect_type_lost = {
	.name = "boolean", .parse = subject_flag_parse,
	.show = subject_flag_show,
};

/* ---- comparisons ---- */

static int
cmp_get(struct scn_ctx *c, json_t *v, int durations, struct expect_cmp *cmp)
{
	char why[160];

	if (json_is_number(v) && !durations) {
		cmp->set = 1;
		cmp->op = EXPECT_OP_EQ;
		cmp->value = json_number_value(v);
		cmp->duration = 0;
		return 0;
	}
	if (!json_is_string(v))
		return scn_fail(c, "must be a comparison such as \"%s\"",
		    durations ? "<= 5s" : ">= 0.9");
	if (expect_cmp_parse(json_string_value(v), durations, cmp, why,
	    sizeof why) == -1)
		return scn_fail(c, "\"%.40s\": %s", json_string_value(v), why);
	return 0;
}

static json_t *
cmp_json(const struct expect_cmp *cmp)
{
	char buf[64];

	if (!cmp->set)
		return NULL;
	expect_cmp_format(cmp, buf, sizeof buf);
	return json_string(buf);
}

/* count, ratio, accepted, refused: k->mask is the measure. */
static int
measure_cmp_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	if (expect_set_measure(c, base, (enum expect_measure)k->mask) == -1)
		return -1;
	return cmp_get(c, v, 0, (struct expect_cmp *)FIELD(base, k));
}

static json_t *
measure_cmp_show(const struct scn_key *k, const void *base)
{
	const struct scenario_expect *x = base;

	if (x->measure != (enum expect_measure)k->mask)
		return NULL;
	return cmp_json((const struct expect_cmp *)CFIELD(base, k));
}

static const struct scn_type expect_type_cmp = {
	.name = "comparison", .parse = measure_cmp_parse,
	.show = measure_cmp_show,
};

/* latency.value: a comparison of durations. */
static int
duration_cmp_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return cmp_get(c, v, 1, (struct expect_cmp *)FIELD(base, k));
}

static json_t *
duration_cmp_show(const struct scn_key *k, const void *base)
{
	return cmp_json((const struct expect_cmp *)CFIELD(base, k));
}

static const struct scn_type expect_type_duration_cmp = {
	.name = "comparison", .parse = duration_cmp_parse,
	.show = duration_cmp_show,
};

/* latency: an object whose members live in the item itself. */
static int
measure_object_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	if (expect_set_measure(c, base, (enum expect_measure)k->mask) == -1)
		return -1;
	return scn_walk(c, k->sub, v, base);
}

static json_t *
measure_object_show(const struct scn_key *k, const void *base)
{
	const struct scenario_expect *x = base;

	if (x->measure != (enum expect_measure)k->mask)
		return NULL;
	return scn_show_table(k->sub, base);
}

static const struct scn_type expect_type_measure_object = {
	.name = "object", .parse = measure_object_parse,
	.show = measure_object_show,
};

static int
in_order_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scenario_expect *x = base;

	if (!json_is_true(v))
		return scn_fail(c, "must be true (leave the key out for "
		    "no such check)");
	x->in_order = 1;
	return expect_set_measure(c, base, EXPECT_MEASURE_IN_ORDER);
}

static json_t *
in_order_show(const struct scn_key *k, const void *base)
{
	const struct scenario_expect *x = base;

	return x->measure == EXPECT_MEASURE_IN_ORDER ? json_true() : NULL;
}

static const struct scn_type expect_type_in_order = {
	.name = "boolean", .parse = in_order_parse, .show = in_order_show,
};

/*
 * The send measures: what the API answered. error_code 0 is "no error"
 * (a 201). The flag that says the value was given follows the value.
 */
static int
answer_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	long long	n;
	int		one = 1, value;

	if (expect_set_measure(c, base, EXPECT_MEASURE_ANSWER) == -1)
		return -1;
	if (scn_get_int(c, v, (long long)k->min, (long long)k->max, &n) == -1)
		return -1;
	value = (int)n;
	memcpy(FIELD(base, k), &value, sizeof value);
	memcpy(FIELD(base, k) + sizeof(int), &one, sizeof one);
	return 0;
}

static json_t *
answer_show(const struct scn_key *k, const void *base)
{
	int value, set;

	memcpy(&value, CFIELD(base, k), sizeof value);
	memcpy(&set, CFIELD(base, k) + sizeof(int), sizeof set);
	return set ? json_integer(value) : NULL;
}

static const struct scn_type expect_type_answer = {
	.name = "integer", .parse = answer_parse, .show = answer_show,
};

_Static_assert(offsetof(struct scenario_expect, answer_code_set) ==
    offsetof(struct scenario_expect, answer_code) + sizeof(int),
    "answer_parse: the flag follows the value");
_Static_assert(offsetof(struct scenario_expect, answer_status_set) ==
    offsetof(struct scenario_expect, answer_status) + sizeof(int),
    "answer_parse: the flag follows the value");

/* codes: {"21610": ">= 1", ...}. */
static int
code_one(struct scn_ctx *c, struct scenario_expect *x, const char *name,
    json_t *v)
{
	struct expect_code_cmp	*cc;
	char			*end;
	unsigned long		 code;

	code = strtoul(name, &end, 10);
	if (!isdigit((unsigned char)name[0]) || *end != '\0' ||
	    code > UINT32_MAX)
		return scn_fail(c, "must be an error code: a Twilio error "
		    "code or an SMPP command_status, in decimal");
	if (x->ncodes == EXPECT_CODES_MAX)
		return scn_fail(c, "at most %d codes", EXPECT_CODES_MAX);
	cc = &x->codes[x->ncodes++];
	cc->code = (uint32_t)code;
	return cmp_get(c, v, 0, &cc->cmp);
}

static int
codes_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scenario_expect	*x = base;
	const char		*name;
	json_t			*m;
	int			 rc;

	if (expect_set_measure(c, base, EXPECT_MEASURE_CODES) == -1)
		return -1;
	if (!json_is_object(v) || json_object_size(v) == 0)
		return scn_fail(c, "must be an object of codes and "
		    "comparisons, such as {\"21610\": \">= 1\"}");
	x->ncodes = 0;
	json_object_foreach(v, name, m) {
		scn_push_key(c, name);
		rc = code_one(c, x, name, m);
		scn_pop(c);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static json_t *
codes_show(const struct scn_key *k, const void *base)
{
	const struct scenario_expect	*x = base;
	json_t				*o;
	char				 name[16];
	size_t				 i;

	if (x->measure != EXPECT_MEASURE_CODES)
		return NULL;
	o = json_object();
	for (i = 0; i < x->ncodes; i++) {
		snprintf(name, sizeof name, "%u", x->codes[i].code);
		json_object_set_new(o, name, cmp_json(&x->codes[i].cmp));
	}
	return o;
}

static const struct scn_type expect_type_codes = {
	.name = "object", .parse = codes_parse, .show = codes_show,
};

/* ---- when ---- */

static int
at_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	int64_t at;

	if (json_is_string(v) && strcmp(json_string_value(v), "end") == 0)
		at = EXPECT_AT_END;
	else if (json_is_string(v) || json_is_number(v)) {
		if (scn_get_duration(c, v, &at) == -1)
			return -1;
	} else
		return scn_fail(c, "must be \"end\" or a duration such as "
		    "\"6m\"");
	memcpy(FIELD(base, k), &at, sizeof at);
	return 0;
}

static json_t *
at_show(const struct scn_key *k, const void *base)
{
	int64_t at;

	memcpy(&at, CFIELD(base, k), sizeof at);
	return at == EXPECT_AT_END ? json_string("end") :
	    scn_duration_json(at);
}

static const struct scn_type expect_type_at = {
	.name = "\"end\" or duration", .parse = at_parse, .show = at_show,
};

/* ---- filter values ---- */

_Static_assert(EXPECT_ANY == SCN_UNSET,
    "scn_type_tristate and scn_type_opt_word leave EXPECT_ANY out");

static const char *
status_list(void)
{
	return "accepted, scheduled, queued, sending, sent, delivered, "
	    "undelivered, failed, receiving, received, canceled, read, "
	    "partially_delivered";
}

static int
status_one(struct scn_ctx *c, json_t *v, unsigned *mask)
{
	int st;

	if (!json_is_string(v))
		return scn_fail(c, "must be a message status (%s)",
		    status_list());
	if ((st = gw_status_parse(json_string_value(v))) < 0)
		return scn_fail(c, "\"%.40s\" is not a message status (%s)",
		    json_string_value(v), status_list());
	*mask |= 1u << st;
	return 0;
}

static int
statuses_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	unsigned	 mask = 0;
	size_t		 i;
	json_t		*m;
	int		 rc;

	if (!json_is_array(v))
		rc = status_one(c, v, &mask);
	else if (json_array_size(v) == 0)
		rc = scn_fail(c, "must be a status or a non-empty list of "
		    "statuses");
	else {
		rc = 0;
		json_array_foreach(v, i, m) {
			scn_push_index(c, i);
			rc = status_one(c, m, &mask);
			scn_pop(c);
			if (rc == -1)
				break;
		}
	}
	if (rc == 0)
		memcpy(FIELD(base, k), &mask, sizeof mask);
	return rc;
}

static json_t *
statuses_show(const struct scn_key *k, const void *base)
{
	unsigned	 mask;
	json_t		*a;
	int		 st;

	memcpy(&mask, CFIELD(base, k), sizeof mask);
	if (mask == 0)
		return NULL;
	a = json_array();
	for (st = 0; st < GW_STATUS_COUNT; st++)
		if (mask & (1u << st))
			json_array_append_new(a, json_string(
			    gw_status_name((enum gw_status)st)));
	return a;
}

static const struct scn_type expect_type_statuses = {
	.name = "string or array", .parse = statuses_parse,
	.show = statuses_show,
};

/* error_code: 30003, [30003, 30005], or null for "none". */
static int
error_one(struct scn_ctx *c, json_t *v, struct expect_filter *f)
{
	long long n;

	if (json_is_null(v)) {
		f->error_none = 1;
		return 0;
	}
	if (f->nerror_codes == EXPECT_CODES_MAX)
		return scn_fail(c, "at most %d error codes", EXPECT_CODES_MAX);
	if (scn_get_int(c, v, 1, 99999, &n) == -1)
		return -1;
	f->error_codes[f->nerror_codes++] = (int)n;
	return 0;
}

static int
errors_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct expect_filter	*f = base;
	size_t			 i;
	json_t			*m;
	int			 rc = 0;

	f->nerror_codes = 0;
	f->error_none = 0;
	if (!json_is_array(v))
		return error_one(c, v, f);
	if (json_array_size(v) == 0)
		return scn_fail(c, "must be an error code, null or a "
		    "non-empty list of them");
	json_array_foreach(v, i, m) {
		scn_push_index(c, i);
		rc = error_one(c, m, f);
		scn_pop(c);
		if (rc == -1)
			break;
	}
	return rc;
}

static json_t *
errors_show(const struct scn_key *k, const void *base)
{
	const struct expect_filter	*f = base;
	json_t				*a;
	size_t				 i;

	if (f->nerror_codes == 0 && !f->error_none)
		return NULL;
	if (f->nerror_codes == 0)
		return json_null();
	if (f->nerror_codes == 1 && !f->error_none)
		return json_integer(f->error_codes[0]);
	a = json_array();
	for (i = 0; i < f->nerror_codes; i++)
		json_array_append_new(a, json_integer(f->error_codes[i]));
	if (f->error_none)
		json_array_append_new(a, json_null());
	return a;
}

/* The row's off is unused: the filter is the base. */
static const struct scn_type expect_type_errors = {
	.name = "integer, null or array", .parse = errors_parse,
	.show = errors_show,
};

/* created_between, sent_between: [from, to], offsets from the start. */
static int
window_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct expect_window	w = { .set = 1 };
	int64_t			*ends[2] = { &w.from, &w.to };
	size_t			i;

	if (!json_is_array(v) || json_array_size(v) != 2)
		return scn_fail(c, "must be two durations [from, to] after "
		    "the start");
	for (i = 0; i < 2; i++) {
		int rc;

		scn_push_index(c, i);
		rc = scn_get_duration(c, json_array_get(v, i), ends[i]);
		scn_pop(c);
		if (rc == -1)
			return -1;
	}
	if (w.to < w.from)
		return scn_fail(c, "the window ends before it starts");
	memcpy(FIELD(base, k), &w, sizeof w);
	return 0;
}

static json_t *
window_show(const struct scn_key *k, const void *base)
{
	struct expect_window w;

	memcpy(&w, CFIELD(base, k), sizeof w);
	if (!w.set)
		return NULL;
	return json_pack("[o, o]", scn_duration_json(w.from),
	    scn_duration_json(w.to));
}

static const struct scn_type expect_type_window = {
	.name = "array", .parse = window_parse, .show = window_show,
};

static int
command_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	if (scn_get_string(c, k, v, FIELD(base, k), k->size) == -1)
		return -1;
	if (smpp_command_by_name(FIELD(base, k)) == NULL)
		return scn_fail(c, "\"%s\" is not an SMPP command (such as "
		    "submit_sm or submit_sm_resp)", FIELD(base, k));
	return 0;
}

static const struct scn_type expect_type_command = {
	.name = "string", .parse = command_parse, .show = scn_nonempty_show,
};

/* Any command_status, ESME_ROK included; the flag follows the value. */
static int
pdu_status_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	uint32_t	st;
	int		one = 1;

	if (!json_is_string(v) || smpp_status_parse(json_string_value(v),
	    &st) == -1)
		return scn_fail(c, "must be an SMPP status name such as "
		    "ESME_RTHROTTLED");
	memcpy(FIELD(base, k), &st, sizeof st);
	memcpy(FIELD(base, k) + sizeof(uint32_t), &one, sizeof one);
	return 0;
}

static json_t *
pdu_status_show(const struct scn_key *k, const void *base)
{
	uint32_t	st;
	int		set;

	memcpy(&st, CFIELD(base, k), sizeof st);
	memcpy(&set, CFIELD(base, k) + sizeof(uint32_t), sizeof set);
	return set ? scn_status_json(st) : NULL;
}

static const struct scn_type expect_type_pdu_status = {
	.name = "status", .parse = pdu_status_parse, .show = pdu_status_show,
};

_Static_assert(offsetof(struct expect_pdu_filter, status_set) ==
    offsetof(struct expect_pdu_filter, status) + sizeof(uint32_t),
    "pdu_status_parse: the flag follows the value");

/* ---- the rows ---- */

static const char *const mg_prefix[] = { "MG", NULL };
static const char *const ac_prefix[] = { "AC", NULL };
static const char *const direction_words[] = { "outbound", "inbound", NULL };
static const char *const encoding_words[] = { "GSM-7", "UCS-2", NULL };
static const char *const dir_words[] = { "in", "out", NULL };
static const char *const event_words[] = { "status", "click", NULL };
static const char *const from_words[] = { "created", "sent", NULL };
static const char *const to_words[] = {
#define EXPECT_LATENCY_WORD(name, text) text,
	EXPECT_LATENCY_TO(EXPECT_LATENCY_WORD)
#undef EXPECT_LATENCY_WORD
	NULL
};

#define FILTER_STATUS \
	{ .name = "status", .type = &expect_type_statuses, \
	  .off = FO(statuses), \
	  .help = "Twilio status, or a list of them (any of)" }
#define FILTER_ERROR \
	{ .name = "error_code", .type = &expect_type_errors, \
	  .help = "Twilio error code, a list of them, or null: no error " \
	  "code" }
#define FILTER_STRING(n, f, h) \
	{ .name = n, .type = &scn_type_opt_string, .off = FO(f), \
	  .size = FSIZE(f), .help = h }
#define FILTER_TO	FILTER_STRING("to", to, "Exact, or a pattern where " \
	"\"*\" is any characters (\"+1415*\")")
#define FILTER_FROM	FILTER_STRING("from", from, "Exact, or a pattern " \
	"where \"*\" is any characters")
#define FILTER_TRAFFIC	FILTER_STRING("traffic", traffic, "The messages " \
	"a traffic generator (by name) created")

static const struct scn_key filter_keys[] = {
	FILTER_STATUS,
	FILTER_ERROR,
	{ .name = "direction", .type = &scn_type_opt_word, .off = FO(direction),
	  .choices = direction_words,
	  .range = "\"outbound\" or \"inbound\"",
	  .help = "outbound (outbound-api, outbound-reply) or inbound" },
	{ .name = "sender_kind", .type = &scn_type_sender_kind,
	  .off = FO(sender_kind),
	  .range = "long_code, short_code, toll_free or alphanumeric",
	  .help = "The kind of the From the message went with" },
	FILTER_STRING("carrier", carrier, "The route that carried it (a "
	    "route's or carrier's name)"),
	{ .name = "service", .type = &scn_type_sid, .off = FO(service),
	  .choices = mg_prefix, .range = "a sid of services",
	  .help = "MessagingServiceSid" },
	FILTER_FROM,
	FILTER_TO,
	FILTER_STRING("body", body, "Exact, or a pattern where \"*\" is any "
	    "characters (\"*unsubscribed*\")"),
	FILTER_TRAFFIC,
	{ .name = "rerouted", .type = &scn_type_tristate,
	  .off = FO(rerouted),
	  .help = "The sender selection rerouted from a short code" },
	{ .name = "fallback", .type = &scn_type_tristate,
	  .off = FO(fallback),
	  .help = "A second attempt from a long code happened" },
	{ .name = "created_between", .type = &expect_type_window,
	  .off = FO(created), .range = "[duration, duration]",
	  .help = "date_created in this window after the start" },
	{ .name = "sent_between", .type = &expect_type_window,
	  .off = FO(sent), .range = "[duration, duration]",
	  .help = "date_sent in this window after the start" },
	{ .name = "encoding", .type = &scn_type_opt_word, .off = FO(encoding),
	  .choices = encoding_words, .range = "\"GSM-7\" or \"UCS-2\"",
	  .help = "The data coding it went with" },
	{ .name = "segments", .type = &scn_type_opt_uint,
	  .off = FO(segments), .size = FSIZE(segments), .min = 1, .max = 255,
	  .range = "1-255", .help = "num_segments" },
	{ .name = "media", .type = &scn_type_tristate, .off = FO(media),
	  .help = "Went with media (an MMS the MMS Converter sent as an SMS "
	  "with a link did not)" },
	{ .name = "shortened", .type = &scn_type_tristate,
	  .off = FO(shortened),
	  .help = "The body holds a short link (Link Shortening, or the MMS "
	  "Converter's link to the media)" },
	{ .name = NULL },
};

static const struct scn_key callback_filter_keys[] = {
	{ .name = "event_type", .type = &scn_type_opt_word, .off = FO(event),
	  .choices = event_words, .range = "\"status\" or \"click\"",
	  .help = "A status callback, or a link click event; both when left "
	  "out" },
	FILTER_STATUS,
	FILTER_ERROR,
	FILTER_TRAFFIC,
	FILTER_TO,
	FILTER_FROM,
	{ .name = "signed", .type = &scn_type_tristate,
	  .off = FO(signed_ok),
	  .help = "Its X-Twilio-Signature checks with the account's auth "
	  "token (the sink's own HMAC); false: it does not" },
	{ .name = NULL },
};

static const struct scn_key pdu_keys[] = {
	{ .name = "carrier", .type = &scn_type_opt_string, .off = PO(carrier),
	  .size = PSIZE(carrier),
	  .help = "The carrier that captured them; every carrier when left "
	  "out" },
	{ .name = "command", .type = &expect_type_command, .off = PO(command),
	  .size = PSIZE(command), .help = "An SMPP command: submit_sm_resp" },
	{ .name = "status", .type = &expect_type_pdu_status, .off = PO(status),
	  .help = "command_status: ESME_RTHROTTLED" },
	{ .name = "dir", .type = &scn_type_opt_word, .off = PO(dir),
	  .choices = dir_words, .range = "\"in\" or \"out\"",
	  .help = "As the carrier sees it: in (from the gateway) or out" },
	{ .name = NULL },
};

static const struct scn_key send_keys[] = {
	{ .name = "to", .type = &scn_type_string, .off = SO(to),
	  .size = SSIZE(to), .min = 1, .flags = SCN_REQUIRED,
	  .help = "To" },
	{ .name = "service", .type = &scn_type_sid, .off = SO(service),
	  .choices = mg_prefix, .range = "a sid of services",
	  .help = "MessagingServiceSid (this or from)" },
	{ .name = "from", .type = &scn_type_opt_string, .off = SO(from),
	  .size = SSIZE(from), .min = 1, .help = "From (this or service)" },
	{ .name = "body", .type = &scn_type_string, .off = SO(body),
	  .size = SSIZE(body), .min = 1, .help = "Body" },
	{ .name = "account", .type = &scn_type_sid, .off = SO(account),
	  .choices = ac_prefix, .range = "a sid of accounts",
	  .help = "Whose API; default: the service's or the number's, else "
	  "the first account" },
	{ .name = NULL },
};

static const struct scn_key latency_keys[] = {
	{ .name = "from", .type = &scn_type_word, .off = XO(latency.from),
	  .choices = from_words, .range = "\"created\" or \"sent\"",
	  .help = "Where each message's time starts" },
	{ .name = "to", .type = &scn_type_word, .off = XO(latency.to),
	  .choices = to_words,
	  .range = "\"sent\", \"delivered\", \"final\" or \"callback\"",
	  .help = "Where it ends: date_sent, the delivered event, the last "
	  "final event, or the final status callback's arrival at the sink" },
	{ .name = "percentile", .type = &scn_type_number,
	  .off = XO(latency.percentile), .min = 50, .max = 100,
	  .help = "Of the messages that got there (nearest rank)" },
	{ .name = NULL },
};

/* The subject rows' docs show their members' defaults from these. */
const struct scn_key scn_expect_keys[] = {
	{ .name = "at", .type = &expect_type_at, .off = XO(at),
	  .help = "When it is evaluated: \"end\" or a time after the start" },
	{ .name = "name", .type = &scn_type_opt_string, .off = XO(name),
	  .size = XSIZE(name), .range = "up to 255 characters",
	  .help = "In the report; default: made from the subject and "
	  "measure" },
	{ .name = "why", .type = &scn_type_opt_string, .off = XO(why),
	  .size = XSIZE(why), .range = "up to 511 characters",
	  .help = "Shown when it fails" },
	{ .name = "comment", .type = &scn_type_opt_string, .off = XO(comment),
	  .size = XSIZE(comment), .range = "up to 1023 characters",
	  .help = "Free text for the reader; ignored" },
	{ .name = "messages", .type = &expect_type_subject, .off = XO(filter),
	  .mask = EXPECT_SUBJECT_MESSAGES, .sub = filter_keys,
	  .item_default = &scn_expect_default.filter,
	  .help = "Subject: the gateway's messages that match" },
	{ .name = "callbacks", .type = &expect_type_subject, .off = XO(filter),
	  .mask = EXPECT_SUBJECT_CALLBACKS, .sub = callback_filter_keys,
	  .item_default = &scn_expect_default.filter,
	  .help = "Subject: the status callbacks the sink received" },
	{ .name = "pdus", .type = &expect_type_subject, .off = XO(pdus),
	  .mask = EXPECT_SUBJECT_PDUS, .sub = pdu_keys,
	  .item_default = &scn_expect_default.pdus,
	  .help = "Subject: PDUs the carriers captured" },
	{ .name = "traffic", .type = &expect_type_traffic_name,
	  .off = XO(traffic), .size = XSIZE(traffic),
	  .help = "Subject: a traffic generator's own counts" },
	{ .name = "send", .type = &expect_type_subject, .off = XO(send),
	  .mask = EXPECT_SUBJECT_SEND, .sub = send_keys,
	  .item_default = &scn_expect_default.send,
	  .help = "Subject: an API request made at \"at\"" },
	{ .name = "no_message_lost", .type = &expect_type_lost,
	  .help = "Subject and measure: every message the API took is in "
	  "the store, final, and its final callback arrived" },
	{ .name = "count", .type = &expect_type_cmp, .off = XO(cmp),
	  .mask = EXPECT_MEASURE_COUNT,
	  .help = "Measure: how many match (messages, callbacks, pdus)" },
	{ .name = "ratio", .type = &expect_type_cmp, .off = XO(cmp),
	  .mask = EXPECT_MEASURE_RATIO, .range = "0-1",
	  .help = "Measure: matching over matching without status and "
	  "error_code (messages, callbacks)" },
	{ .name = "latency", .type = &expect_type_measure_object,
	  .mask = EXPECT_MEASURE_LATENCY, .sub = latency_keys,
	  .help = "Measure: a percentile of a time per message (messages)" },
	{ .name = "value", .type = &expect_type_duration_cmp,
	  .off = XO(latency.bound),
	  .help = "The bound of a latency: \"<= 5s\"" },
	{ .name = "in_order", .type = &expect_type_in_order,
	  .help = "Measure: each message's callbacks came in lifecycle "
	  "order (callbacks)" },
	{ .name = "error_code", .type = &expect_type_answer,
	  .off = XO(answer_code), .min = 0, .max = 99999, .range = "0-99999",
	  .help = "Measure: the API answered this error code; 0: none "
	  "(send)" },
	{ .name = "status", .type = &expect_type_answer,
	  .off = XO(answer_status), .min = 100, .max = 599, .range = "100-599",
	  .help = "Measure: the API answered this HTTP status (send)" },
	{ .name = "accepted", .type = &expect_type_cmp, .off = XO(cmp),
	  .mask = EXPECT_MEASURE_ACCEPTED,
	  .help = "Measure: requests answered 201 (traffic)" },
	{ .name = "refused", .type = &expect_type_cmp, .off = XO(cmp),
	  .mask = EXPECT_MEASURE_REFUSED,
	  .help = "Measure: requests answered with an error (traffic)" },
	{ .name = "codes", .type = &expect_type_codes,
	  .help = "Measure: refusals by code, {\"21610\": \">= 1\"} "
	  "(traffic)" },
	{ .name = NULL },
};

const struct scenario_expect scn_expect_default = {
	.at = EXPECT_AT_END,
	.filter = {
		.direction = EXPECT_ANY,
		.sender_kind = EXPECT_KIND_ANY,
		.rerouted = EXPECT_ANY,
		.fallback = EXPECT_ANY,
		.media = EXPECT_ANY,
		.shortened = EXPECT_ANY,
		.signed_ok = EXPECT_ANY,
		.encoding = EXPECT_ANY,
		.event = EXPECT_ANY,
	},
	.pdus = { .dir = EXPECT_ANY },
	.send = { .body = "carrierlab expect" },
	.latency = {
		.from = 0,
		.to = EXPECT_LATENCY_FINAL,
		.percentile = 100,
	},
};

/* ---- an item as a whole ---- */

/* "count or ratio": the measures that fit s, for the error. */
static void
measures_for(enum expect_subject s, char *buf, size_t size)
{
	enum expect_measure	m;
	size_t			len = 0, n = 0;

	buf[0] = '\0';
	for (m = EXPECT_MEASURE_COUNT; m <= EXPECT_MEASURE_CODES; m++) {
		if (!expect_measure_fits(m, s))
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0,
		    "%s%s", n > 0 ? ", " : "", m == EXPECT_MEASURE_ANSWER ?
		    "error_code, status" : expect_measure_name(m));
		n++;
		if (len >= size)
			break;
	}
}

/* The key that set x's measure, for the path of an error about it. */
static const char *
measure_key(const struct scenario_expect *x)
{
	if (x->measure == EXPECT_MEASURE_ANSWER && !x->answer_code_set)
		return "status";
	return expect_measure_name(x->measure);
}

/* "value" is a latency's bound, and a latency needs one. */
static int
latency_value_check(struct scn_ctx *c, const struct scenario_expect *x)
{
	char why[128];

	if (x->measure == EXPECT_MEASURE_LATENCY && !x->latency.bound.set)
		return scn_fail(c, "a latency needs \"value\", its bound "
		    "(\"<= 5s\")");
	if (x->measure != EXPECT_MEASURE_LATENCY && x->latency.bound.set) {
		snprintf(why, sizeof why, "only a latency has a value (\"%s\" "
		    "holds its own comparison)", measure_key(x));
		return scn_fail_at(c, "value", "%s", why);
	}
	return 0;
}

static int
item_measure_check(struct scn_ctx *c, struct scenario_expect *x)
{
	char fits[128], why[256];

	measures_for(x->subject, fits, sizeof fits);
	if (x->subject == EXPECT_SUBJECT_NO_MESSAGE_LOST) {
		if (x->measure == EXPECT_MEASURE_NONE)
			return 0;
		snprintf(why, sizeof why, "no_message_lost is its own "
		    "measure: leave out \"%s\"", measure_key(x));
		return scn_fail_at(c, measure_key(x), "%s", why);
	}
	if (x->measure == EXPECT_MEASURE_NONE)
		return scn_fail(c, "needs a measure for %s: %s",
		    expect_subject_name(x->subject), fits);
	if (!expect_measure_fits(x->measure, x->subject)) {
		snprintf(why, sizeof why, "does not apply to %s (%s do%s)",
		    expect_subject_name(x->subject), fits,
		    strchr(fits, ',') != NULL ? "" : "es");
		return scn_fail_at(c, measure_key(x), "%s", why);
	}
	if (x->measure == EXPECT_MEASURE_RATIO &&
	    !(x->cmp.value >= 0 && x->cmp.value <= 1))
		return scn_fail_at(c, "ratio", "a ratio is between 0 and 1");
	return latency_value_check(c, x);
}

static int
expect_item_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	struct scenario_expect *x = item;

	if (x->subject == EXPECT_SUBJECT_NONE)
		return scn_fail(c, "needs a subject: messages, callbacks, "
		    "pdus, traffic, send or no_message_lost");
	if (x->subject == EXPECT_SUBJECT_SEND &&
	    (x->send.service[0] == '\0') == (x->send.from[0] == '\0')) {
		scn_push_key(c, "send");
		scn_fail(c, "needs one of \"service\" and \"from\"");
		scn_pop(c);
		return -1;
	}
	return item_measure_check(c, x);
}

static const struct scn_key expect_list_key = {
	.name = "expectations", .type = &scn_type_list,
	.off = offsetof(struct scenario, expect),
	.count_off = offsetof(struct scenario, nexpect),
	.size = sizeof(struct scenario_expect), .max = EXPECT_MAX,
	.sub = scn_expect_keys, .item_default = &scn_expect_default,
	.item_check = expect_item_check,
};

static int
expect_list_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return scn_type_list.parse(c, &expect_list_key, v, base);
}

static json_t *
expect_list_show(const struct scn_key *k, const void *base)
{
	return scn_type_list.show(&expect_list_key, base);
}

const struct scn_type scn_type_expect = {
	.name = "array", .parse = expect_list_parse, .show = expect_list_show,
};

/* ---- across the file ---- */

/* Fails at expect[i].a.b (b NULL: expect[i].a). */
static int __attribute__((format(printf, 5, 6)))
fail_path(struct scn_ctx *c, size_t i, const char *a, const char *b,
    const char *fmt, ...)
{
	char	reason[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	scn_push_key(c, "expect");
	scn_push_index(c, i);
	scn_push_key(c, a);
	if (b != NULL)
		scn_push_key(c, b);
	scn_fail(c, "%s", reason);
	if (b != NULL)
		scn_pop(c);
	scn_pop(c);
	scn_pop(c);
	scn_pop(c);
	return -1;
}

static int
carrier_known(const struct scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ncarriers; i++)
		if (strcmp(s->carriers[i].name, name) == 0)
			return 1;
	return 0;
}

static int
route_known(const struct scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->gateway.nroutes; i++)
		if (strcmp(s->gateway.routes[i].name, name) == 0)
			return 1;
	return carrier_known(s, name);
}

static int
traffic_known(const struct scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntraffic; i++)
		if (strcmp(s->traffic[i].name, name) == 0)
			return 1;
	return 0;
}

static int
filter_finish(struct scn_ctx *c, const struct scenario *s, size_t i,
    const struct scenario_expect *x)
{
	const struct expect_filter	*f = &x->filter;
	const char			*key = expect_subject_name(x->subject);

	if (f->carrier[0] != '\0' && !route_known(s, f->carrier))
		return fail_path(c, i, key, "carrier", "\"%s\" is not a route "
		    "or carrier of this scenario", f->carrier);
	if (f->service[0] != '\0' && scn_service_find(&s->gateway,
	    f->service) == NULL)
		return fail_path(c, i, key, "service", "%s is not a service "
		    "of this scenario", f->service);
	if (f->traffic[0] != '\0' && !traffic_known(s, f->traffic))
		return fail_path(c, i, key, "traffic", "\"%s\" is not a "
		    "traffic generator of this scenario", f->traffic);
	return 0;
}

/* The account of the From number, or NULL. */
static const char *
number_account(const struct scenario *s, const char *from)
{
	size_t i;

	for (i = 0; i < s->gateway.nnumbers; i++)
		if (strcmp(s->gateway.numbers[i].number, from) == 0)
			return s->gateway.numbers[i].account_sid;
	return NULL;
}

/* The account the request goes as, and its token for Basic auth. */
static int
send_finish(struct scn_ctx *c, const struct scenario *s, size_t i,
    struct scenario_expect *x)
{
	struct expect_send		*sd = &x->send;
	const struct gateway_service	*svc = NULL;
	const struct gateway_account	*ac;
	const char			*sid = NULL;

	if (sd->service[0] != '\0' &&
	    (svc = scn_service_find(&s->gateway, sd->service)) == NULL)
		return fail_path(c, i, "send", "service", "%s is not a service "
		    "of this scenario", sd->service);
	if (sd->account[0] != '\0')
		sid = sd->account;
	else if (svc != NULL)
		sid = svc->account_sid;
	else if ((sid = number_account(s, sd->from)) == NULL &&
	    s->gateway.naccounts > 0)
		sid = s->gateway.accounts[0].sid;
	if (sid == NULL)
		return fail_path(c, i, "send", NULL, "the scenario has no "
		    "account to send as");
	if ((ac = scn_account_find(&s->gateway, sid)) == NULL)
		return fail_path(c, i, "send", "account", "%s is not an "
		    "account of this scenario", sid);
	snprintf(sd->account, sizeof sd->account, "%s", ac->sid);
	snprintf(sd->token, sizeof sd->token, "%s", ac->token);
	return 0;
}

static int
item_finish(struct scn_ctx *c, struct scenario *s, size_t i)
{
	struct scenario_expect *x = &s->expect[i];

	switch (x->subject) {
	case EXPECT_SUBJECT_MESSAGES:
	case EXPECT_SUBJECT_CALLBACKS:
		if (filter_finish(c, s, i, x) == -1)
			return -1;
		break;
	case EXPECT_SUBJECT_PDUS:
		if (x->pdus.carrier[0] != '\0' &&
		    !carrier_known(s, x->pdus.carrier))
			return fail_path(c, i, "pdus", "carrier", "\"%s\" is "
			    "not a carrier of this scenario", x->pdus.carrier);
		break;
	case EXPECT_SUBJECT_TRAFFIC:
		if (!traffic_known(s, x->traffic))
			return fail_path(c, i, "traffic", NULL, "\"%s\" is not "
			    "a traffic generator of this scenario",
			    x->traffic);
		break;
	case EXPECT_SUBJECT_SEND:
		if (send_finish(c, s, i, x) == -1)
			return -1;
		break;
	default:
		break;
	}
	if (x->name[0] == '\0')
		expect_describe(x, x->name, sizeof x->name);
	return 0;
}

int
scn_expect_finish(struct scn_ctx *c, struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->nexpect; i++)
		if (item_finish(c, s, i) == -1)
			return -1;
	return 0;
}

/* Items own no memory of their own: the array is all. */
void
scn_expect_release(struct scenario *s)
{
	free(s->expect);
	s->expect = NULL;
	s->nexpect = 0;
}
