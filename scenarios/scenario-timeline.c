/*
 * The top-level "timeline": an array of actions, each {"at", optionally
 * "for" and "comment", and exactly one action}. The rows below read each
 * item's members; the item check then settles which action it is and
 * refuses what does not go with it. What names other parts of the file
 * (carriers, switches and their parameters, services, senders) is
 * checked by scn_timeline_finish() once the whole file is read, since
 * JSON does not order "timeline" after "carriers" or "services"; its
 * errors still name the key path (timeline[3].params.share) with its
 * line and column.
 *
 * A carrier's "set" is read by the carrier key rows themselves onto a
 * copy of that carrier's profile, so every check of a carrier key holds
 * (timeline[2].set.outcomes.DELIVRD: must be between 0 and 1); only the
 * keys a running carrier can follow are allowed.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "scenarios/scenario-internal.h"
#include "scenarios/timeline.h"

#define CFIELD(base, k)		((const char *)(base) + (k)->off)
#define SA(f)			offsetof(struct scenario_action, f)
#define SASIZE(f)		sizeof(((struct scenario_action *)0)->f)
#define TIMELINE_MAX		10000

/* ---- the kinds ---- */

static const struct {
	const char	*key;
	const char	*note;
	int		 undoable;
} action_kinds[SCENARIO_NACTIONS] = {
	[SCENARIO_ACTION_NONE] = { "", "", 0 },
#define X(e, k, n, u) [SCENARIO_ACTION_##e] = { k, n, u },
	SCENARIO_ACTIONS(X)
#undef X
};

const char *
scenario_action_key(enum scenario_action_kind kind)
{
	return kind < SCENARIO_NACTIONS ? action_kinds[kind].key : "";
}

const char *
scenario_action_note(enum scenario_action_kind kind)
{
	return kind < SCENARIO_NACTIONS ? action_kinds[kind].note : "";
}

int
scenario_action_undoable(enum scenario_action_kind kind)
{
	return kind < SCENARIO_NACTIONS && action_kinds[kind].undoable;
}

const char *
scenario_sender_list(enum gateway_sender_kind kind)
{
	switch (kind) {
	case GATEWAY_SENDER_SHORT_CODE:
		return "ShortCodes";
	case GATEWAY_SENDER_ALPHANUMERIC:
		return "AlphaSenders";
	default:
		return "PhoneNumbers";
	}
}

const char *
scenario_sender_param(enum gateway_sender_kind kind)
{
	switch (kind) {
	case GATEWAY_SENDER_SHORT_CODE:
		return "ShortCodeSid";
	case GATEWAY_SENDER_ALPHANUMERIC:
		return "AlphaSender";
	default:
		return "PhoneNumberSid";
	}
}

/* ---- value types of an action's members ---- */

/* "for": shown only when the action is undone. */
static int
for_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	return scn_type_duration.parse(c, k, v, base);
}

static json_t *
for_show(const struct scn_key *k, const void *base)
{
	int64_t usec;

	memcpy(&usec, CFIELD(base, k), sizeof usec);
	return usec > 0 ? scn_duration_json(usec) : NULL;
}

static const struct scn_type action_for = {
	.name = "duration", .parse = for_parse, .show = for_show,
};

/* The members of mo, remove_sender, click: shown for that kind only
 * (k->mask is the kind). */
static int
part_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	return scn_walk(c, k->sub, v, base);
}

static json_t *
part_show(const struct scn_key *k, const void *base)
{
	const struct scenario_action *a = base;

	return a->kind == k->mask ? scn_show_table(k->sub, base) : NULL;
}

static const struct scn_type action_part = {
	.name = "object", .parse = part_parse, .show = part_show,
};

/* The service of a service's set (remove_sender's is inside it). */
static int
service_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return scn_type_sid.parse(c, k, v, base);
}

static json_t *
service_show(const struct scn_key *k, const void *base)
{
	const struct scenario_action *a = base;

	return a->kind == SCENARIO_ACTION_SERVICE_SET ?
	    scn_nonempty_show(k, base) : NULL;
}

static const struct scn_type action_service = {
	.name = "sid", .parse = service_parse, .show = service_show,
};

/* ---- the rows ---- */

static const char *const gateway_words[] = { "restart", NULL };
static const char *const shortener_words[] = { "outage", NULL };
static const char *const encoding_words[] = { "auto", "gsm7", "ucs2",
	"latin1", NULL };
static const char *const mg_prefix[] = { "MG", NULL };

static const struct scn_key mo_keys[] = {
	{ .name = "carrier", .type = &scn_type_string, .off = SA(mo_carrier),
	  .size = SASIZE(mo_carrier), .min = 1, .flags = SCN_REQUIRED,
	  .range = "a name of carriers",
	  .help = "The carrier the handset is on" },
	{ .name = "from", .type = &scn_type_string, .off = SA(mo.from),
	  .size = SASIZE(mo.from), .min = 1, .flags = SCN_REQUIRED,
	  .range = "up to 20 characters",
	  .help = "The handset's number (source_addr)" },
	{ .name = "to", .type = &scn_type_string, .off = SA(mo.to),
	  .size = SASIZE(mo.to), .min = 1, .flags = SCN_REQUIRED,
	  .range = "up to 20 characters",
	  .help = "The number it texts (destination_addr)" },
	{ .name = "body", .type = &scn_type_string, .off = SA(mo_body),
	  .size = SASIZE(mo_body), .flags = SCN_REQUIRED,
	  .range = "up to 1600 octets of UTF-8", .help = "The text" },
	{ .name = "encoding", .type = &scn_type_choice, .off = SA(mo.encoding),
	  .size = SASIZE(mo.encoding), .choices = encoding_words,
	  .range = "\"auto\", \"gsm7\", \"ucs2\" or \"latin1\"",
	  .help = "auto: GSM 7-bit when every character has a code, else "
	  "UCS-2" },
	{ .name = "count", .type = &scn_type_uint, .off = SA(mo.count),
	  .size = SASIZE(mo.count), .min = 1, .max = 100000,
	  .help = "Copies sent" },
	{ .name = "rate", .type = &scn_type_number, .off = SA(mo.rate),
	  .min = 0, .max = 10000,
	  .help = "Copies per second; 0: all at once" },
	{ .name = "system_id", .type = &scn_type_string,
	  .off = SA(mo.system_id), .size = SASIZE(mo.system_id),
	  .range = "an account of the carrier, or \"\"",
	  .help = "Whose receivers get it; \"\": the carrier's first "
	  "account" },
	{ .name = "payload", .type = &scn_type_bool, .off = SA(mo.payload),
	  .help = "A long text as one PDU with message_payload instead of "
	  "concatenated parts" },
	{ .name = "as_data_sm", .type = &scn_type_bool,
	  .off = SA(mo.as_data_sm), .help = "data_sm instead of deliver_sm" },
	{ .name = NULL },
};

static const struct scn_key remove_sender_keys[] = {
	{ .name = "service", .type = &scn_type_sid, .off = SA(pool),
	  .choices = mg_prefix, .flags = SCN_REQUIRED,
	  .range = "a sid of services", .help = "The pool" },
	{ .name = "sender", .type = &scn_type_string, .off = SA(sender),
	  .size = SASIZE(sender), .min = 1, .flags = SCN_REQUIRED,
	  .range = "a number or sid of the pool",
	  .help = "The sender that leaves it (\"+14155550100\", \"55555\", "
	  "an alphanumeric sender, or its PN/SC/AI sid)" },
	{ .name = NULL },
};

static const struct scn_key click_keys[] = {
	{ .name = "to", .type = &scn_type_string, .off = SA(click_to),
	  .size = SASIZE(click_to), .min = 1, .flags = SCN_REQUIRED,
	  .range = "up to 31 characters",
	  .help = "The recipient whose latest message's links are clicked" },
	{ .name = NULL },
};

const struct scn_key scn_timeline_keys[] = {
	{ .name = "at", .type = &scn_type_duration, .off = SA(at),
	  .flags = SCN_REQUIRED, .range = "0 or more",
	  .help = "When, from the start of the run" },
	{ .name = "for", .type = &action_for, .off = SA(for_usec),
	  .range = "0 or more",
	  .help = "Undone this long after \"at\"; 0: never (not with mo, "
	  "gateway, click)" },
	{ .name = "comment", .type = &scn_type_opt_string, .off = SA(comment),
	  .size = SASIZE(comment), .range = "up to 1023 characters",
	  .help = "Free text for the reader; ignored" },
	{ .name = "carrier", .type = &scn_type_opt_string, .off = SA(carrier),
	  .size = SASIZE(carrier), .min = 1, .range = "a name of carriers",
	  .help = "The carrier of fault, quirk or set" },
	{ .name = "fault", .type = &scn_type_opt_string, .off = SA(fault),
	  .size = SASIZE(fault), .min = 1, .range = "see Faults",
	  .help = "Action: switches the carrier's fault on (off with "
	  "\"off\")" },
	{ .name = "quirk", .type = &scn_type_opt_string, .off = SA(quirk),
	  .size = SASIZE(quirk), .min = 1, .range = "see Quirks",
	  .help = "Action: switches the carrier's quirk on (off with "
	  "\"off\")" },
	{ .name = "params", .type = &scn_type_json, .off = SA(params),
	  .range = "the switch's parameters",
	  .help = "The parameters of fault or quirk; none: their defaults" },
	{ .name = "off", .type = &scn_type_flag, .off = SA(off),
	  .help = "With fault or quirk: switches it off instead" },
	{ .name = "set", .type = &scn_type_json, .off = SA(set),
	  .range = "carrier keys, or v1 Services parameters",
	  .help = "Action: with carrier, changes the running carrier's "
	  "keys; with service, POSTs the service's parameters" },
	{ .name = "service", .type = &action_service, .off = SA(service),
	  .choices = mg_prefix, .range = "a sid of services",
	  .help = "The service of set" },
	{ .name = "mo", .type = &action_part, .sub = mo_keys,
	  .mask = SCENARIO_ACTION_MO,
	  .help = "Action: a handset sends a message through a carrier" },
	{ .name = "remove_sender", .type = &action_part,
	  .sub = remove_sender_keys, .mask = SCENARIO_ACTION_REMOVE_SENDER,
	  .help = "Action: a sender leaves a service's pool (back after "
	  "\"for\")" },
	{ .name = "gateway", .type = &scn_type_opt_choice, .off = SA(gateway),
	  .size = SASIZE(gateway), .choices = gateway_words,
	  .range = "\"restart\"",
	  .help = "Action: the gateway crashes and starts again on its "
	  "store" },
	{ .name = "click", .type = &action_part, .sub = click_keys,
	  .mask = SCENARIO_ACTION_CLICK,
	  .help = "Action: a handset opens the links of its latest "
	  "message" },
	{ .name = "link_shortener", .type = &scn_type_opt_choice,
	  .off = SA(link_shortener), .size = SASIZE(link_shortener),
	  .choices = shortener_words, .range = "\"outage\"",
	  .help = "Action: the link shortener fails (links sent as they "
	  "are)" },
	{ .name = NULL },
};

const struct scenario_action scn_action_default = {
	.kind = SCENARIO_ACTION_NONE,
	.mo = { .encoding = "auto", .count = 1 },
};

/* ---- one item ---- */

/* The action members of an item, in the order of the kinds. */
static const char *const action_members[] = { "fault", "quirk", "set",
	"mo", "remove_sender", "gateway", "click", "link_shortener", NULL };

/* Which action the item holds; -1 after a fail when none or two. */
static int
item_kind(struct scn_ctx *c, json_t *v, struct scenario_action *a)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; action_members[i] != NULL; i++) {
		if (json_object_get(v, action_members[i]) == NULL)
			continue;
		if (found != NULL)
			return scn_fail(c, "two actions, \"%s\" and \"%s\": an "
			    "item holds one", found, action_members[i]);
		found = action_members[i];
	}
	if (found == NULL)
		return scn_fail(c, "no action: give one of fault, quirk, set, "
		    "mo, remove_sender, gateway, click, link_shortener");
	if (strcmp(found, "set") == 0) {
		if (a->carrier[0] != '\0' && a->service[0] != '\0')
			return scn_fail_at(c, "set", "with \"carrier\" or "
			    "\"service\", not both");
		if (a->carrier[0] == '\0' && a->service[0] == '\0')
			return scn_fail_at(c, "set", "needs \"carrier\" or "
			    "\"service\" next to it");
		a->kind = a->carrier[0] != '\0' ? SCENARIO_ACTION_CARRIER_SET :
		    SCENARIO_ACTION_SERVICE_SET;
		return 0;
	}
	for (i = SCENARIO_ACTION_NONE + 1; i < SCENARIO_NACTIONS; i++)
		if (strcmp(action_kinds[i].key, found) == 0)
			a->kind = (enum scenario_action_kind)i;
	return 0;
}

/* Members that belong to some actions only. */
static int
item_members(struct scn_ctx *c, const struct scenario_action *a)
{
	int sw = a->kind == SCENARIO_ACTION_FAULT ||
	    a->kind == SCENARIO_ACTION_QUIRK;
	char reason[128];

	if (sw && a->carrier[0] == '\0')
		return scn_fail_at(c, "carrier", "required with fault and "
		    "quirk");
	if (a->carrier[0] != '\0' && !sw &&
	    a->kind != SCENARIO_ACTION_CARRIER_SET)
		return scn_fail_at(c, "carrier", "only with fault, quirk or "
		    "set (mo names its carrier inside)");
	if (a->service[0] != '\0' && a->kind != SCENARIO_ACTION_SERVICE_SET)
		return scn_fail_at(c, "service", "only with set (remove_sender "
		    "names its service inside)");
	if (a->params != NULL && !sw)
		return scn_fail_at(c, "params", "only with fault or quirk");
	if (a->off && !sw)
		return scn_fail_at(c, "off", "only with fault or quirk");
	if (a->off && a->params != NULL)
		return scn_fail_at(c, "params", "switching off takes no "
		    "parameters");
	if (a->off && a->for_usec > 0)
		return scn_fail_at(c, "for", "switching off is not undone: no "
		    "\"for\"");
	if (a->for_usec > 0 && !scenario_action_undoable(a->kind)) {
		snprintf(reason, sizeof reason, "%s acts once: it takes no "
		    "\"for\"", scenario_action_key(a->kind));
		return scn_fail_at(c, "for", "%s", reason);
	}
	return 0;
}

static int
item_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	struct scenario_action *a = item;

	(void)k;
	if (item_kind(c, v, a) == -1)
		return -1;
	return item_members(c, a);
}

/* ---- the array ---- */

static int
timeline_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scn_key list = *k;

	list.name = "actions";
	list.type = &scn_type_list;
	list.off = offsetof(struct scenario, timeline);
	list.count_off = offsetof(struct scenario, ntimeline);
	list.size = sizeof(struct scenario_action);
	list.min = 0;
	list.max = TIMELINE_MAX;
	list.item_check = item_check;
	scn_timeline_release(base);
	return scn_type_list.parse(c, &list, v, base);
}

static json_t *
timeline_show(const struct scn_key *k, const void *base)
{
	const struct scenario	*s = base;
	json_t			*a = json_array();
	size_t			 i;

	for (i = 0; i < s->ntimeline; i++)
		json_array_append_new(a, scn_show_table(k->sub,
		    &s->timeline[i]));
	return a;
}

const struct scn_type scn_type_timeline = {
	.name = "array", .parse = timeline_parse, .show = timeline_show,
};

void
scn_timeline_release(struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->ntimeline; i++) {
		json_decref(s->timeline[i].params);
		json_decref(s->timeline[i].set);
		free(s->timeline[i].service_params);
		/* The copy shares the scenario profile's regexes. */
		free(s->timeline[i].profile);
	}
	free(s->timeline);
	s->timeline = NULL;
	s->ntimeline = 0;
}

/* ---- after the whole file: what the actions name ---- */

/*
 * The keys of a carrier that a running carrier follows (carrier.h,
 * carrier_reconfigure): read per message, per submit or per bind. Each
 * names the members of the profile it fills, which a set copies onto the
 * running carrier's profile (scenario_action_profile()).
 */
#define CP(f)		offsetof(struct carrier_profile, f)
#define CPSIZE(f)	sizeof(((struct carrier_profile *)0)->f)
#define M(f)		{ CP(f), CPSIZE(f) }

static const struct {
	const char	*key;
	struct { size_t off, size; } m[3];	/* size 0: none */
} carrier_settable[] = {
	{ "accepts", { M(senders), M(mms) } },
	{ "data_codings", { M(data_codings) } },
	{ "max_length", { M(max_length) } },
	{ "max_segments", { M(max_segments) } },
	{ "serves", { M(serves), M(nserves) } },
	{ "window", { M(window) } },
	{ "on_window_full", { M(on_window_full) } },
	{ "max_mps_bind", { M(max_mps_bind) } },
	{ "max_mps", { M(max_mps) } },
	{ "submit_latency", { M(submit_latency) } },
	{ "submit_errors", { M(submit_errors), M(nsubmit_errors) } },
	{ "outcomes", { M(outcomes), M(noutcomes) } },
	{ "receipt_delay", { M(receipt_delay) } },
	{ "intermediate_delay", { M(intermediate_delay) } },
	{ "default_validity", { M(default_validity) } },
	{ "receipt_retry", { M(resend_initial), M(resend_max),
	    M(resend_attempts) } },
	{ "on_too_many_binds", { M(too_many_binds) } },
};
#define NSETTABLE	(sizeof carrier_settable / sizeof carrier_settable[0])

void
scenario_action_profile(const struct scenario_action *a,
    const struct carrier_profile *running, struct carrier_profile *out)
{
	const char *key;
	json_t *v;
	size_t i, j;

	*out = *running;
	json_object_foreach(a->set, key, v) {
		for (i = 0; i < NSETTABLE; i++) {
			if (strcmp(carrier_settable[i].key, key) != 0)
				continue;
			for (j = 0; j < 3 && carrier_settable[i].m[j].size > 0;
			    j++)
				memcpy((char *)out + carrier_settable[i].m[j].off,
				    (const char *)a->profile +
				    carrier_settable[i].m[j].off,
				    carrier_settable[i].m[j].size);
		}
	}
}

/* The v1 Services parameters the gateway takes (gateway/api-services.c)
 * and what their values are. */
enum service_value { SV_BOOL, SV_UINT, SV_TEXT, SV_URL, SV_WORD };

static const char *const method_words[] = { "GET", "POST", NULL };
static const char *const scan_words[] = { "inherit", "enable", "disable",
	NULL };

static const struct {
	const char		*name;
	enum service_value	 type;
	const char *const	*words;
} service_params[] = {
	{ "FriendlyName", SV_TEXT, NULL },
	{ "Usecase", SV_TEXT, NULL },
	{ "InboundRequestUrl", SV_URL, NULL },
	{ "InboundMethod", SV_WORD, method_words },
	{ "FallbackUrl", SV_URL, NULL },
	{ "FallbackMethod", SV_WORD, method_words },
	{ "StatusCallback", SV_URL, NULL },
	{ "ScanMessageContent", SV_WORD, scan_words },
	{ "StickySender", SV_BOOL, NULL },
	{ "MmsConverter", SV_BOOL, NULL },
	{ "SmartEncoding", SV_BOOL, NULL },
	{ "FallbackToLongCode", SV_BOOL, NULL },
	{ "AreaCodeGeomatch", SV_BOOL, NULL },
	{ "SynchronousValidation", SV_BOOL, NULL },
	{ "UseInboundWebhookOnNumber", SV_BOOL, NULL },
	{ "ValidityPeriod", SV_UINT, NULL },
};
#define NSERVICE_PARAMS	(sizeof service_params / sizeof service_params[0])

/* "a, b, c" of the carriers' names. */
static void
carrier_names(const struct scenario *s, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < s->ncarriers; i++) {
		if (i > 0)
			strlcat(buf, ", ", len);
		strlcat(buf, s->carriers[i].name, len);
	}
}

/* The carrier called name, or NULL after a fail at member key. */
static const struct carrier_profile *
carrier_named(struct scn_ctx *c, const struct scenario *s, const char *key,
    const char *name)
{
	char names[512], reason[768];
	size_t i;

	for (i = 0; i < s->ncarriers; i++)
		if (strcmp(s->carriers[i].name, name) == 0)
			return &s->carriers[i];
	carrier_names(s, names, sizeof names);
	snprintf(reason, sizeof reason, "unknown carrier \"%.64s\" (carriers: "
	    "%s)", name, names);
	scn_fail_at(c, key, "%s", reason);
	return NULL;
}

/* Parameters of sw, an error naming the parameter under params. */
static int
switch_params(struct scn_ctx *c, struct scenario_action *a)
{
	int rc;

	scn_push_key(c, "params");
	if (a->params != NULL && json_object_get(a->params, "for") != NULL)
		rc = scn_fail_at(c, "for", "give \"for\" to the action: the "
		    "timeline undoes it");
	else
		rc = scn_switch_params(c, a->sw, a->params, &a->args);
	scn_pop(c);
	return rc;
}

static int
finish_switch(struct scn_ctx *c, const struct scenario *s,
    struct scenario_action *a)
{
	enum carrier_switch_kind kind = a->kind == SCENARIO_ACTION_FAULT ?
	    CARRIER_SWITCH_FAULT : CARRIER_SWITCH_QUIRK;
	const char *kn = carrier_switch_kind_name(kind);
	const char *name = kind == CARRIER_SWITCH_FAULT ? a->fault : a->quirk;
	char names[512], reason[768];

	if (carrier_named(c, s, "carrier", a->carrier) == NULL)
		return -1;
	if ((a->sw = carrier_switch_find(kind, name)) == NULL) {
		carrier_switch_names(kind, 0, names, sizeof names);
		snprintf(reason, sizeof reason, "unknown %s \"%.40s\" (%ss: %s)",
		    kn, name, kn, names);
		return scn_fail_at(c, kn, "%s", reason);
	}
	if (a->sw->oneshot && a->for_usec > 0) {
		snprintf(reason, sizeof reason, "%s acts once: it takes no "
		    "\"for\"", a->sw->name);
		return scn_fail_at(c, "for", "%s", reason);
	}
	if (a->sw->oneshot && a->off) {
		snprintf(reason, sizeof reason, "%s acts once: it is never on "
		    "to switch off", a->sw->name);
		return scn_fail_at(c, "off", "%s", reason);
	}
	return a->off ? 0 : switch_params(c, a);
}

static int
settable(const char *key)
{
	size_t i;

	for (i = 0; i < NSETTABLE; i++)
		if (strcmp(carrier_settable[i].key, key) == 0)
			return 1;
	return 0;
}

/* One member of a carrier's set, read by its carrier key row. */
static int
carrier_set_member(struct scn_ctx *c, const char *key, json_t *v,
    struct carrier_profile *p)
{
	const struct scn_key *k = scn_key_find(scn_carrier_keys, key);
	char names[512];
	size_t i;

	if (k == NULL || !settable(key)) {
		names[0] = '\0';
		for (i = 0; i < NSETTABLE; i++) {
			if (i > 0)
				strlcat(names, ", ", sizeof names);
			strlcat(names, carrier_settable[i].key, sizeof names);
		}
		return scn_fail(c, "%s while the carrier runs (set "
		    "takes: %s)", k == NULL ? "not a carrier key" :
		    "cannot change", names);
	}
	if (k->type->parse(c, k, v, p) == -1)
		return -1;
	return k->check != NULL ? k->check(c, k, p) : 0;
}

static int
finish_carrier_set(struct scn_ctx *c, const struct scenario *s,
    struct scenario_action *a)
{
	const struct carrier_profile *from;
	const char *key;
	json_t *v;
	int rc = 0;

	if ((from = carrier_named(c, s, "carrier", a->carrier)) == NULL)
		return -1;
	free(a->profile);
	a->profile = xmalloc(sizeof *a->profile);
	*a->profile = *from;
	scn_push_key(c, "set");
	json_object_foreach(a->set, key, v) {
		scn_push_key(c, key);
		rc = carrier_set_member(c, key, v, a->profile);
		scn_pop(c);
		if (rc == -1)
			break;
	}
	scn_pop(c);
	return rc;
}

static int
finish_mo(struct scn_ctx *c, const struct scenario *s,
    struct scenario_action *a)
{
	const struct carrier_profile *p;
	size_t i;
	int rc;

	scn_push_key(c, "mo");
	p = carrier_named(c, s, "carrier", a->mo_carrier);
	rc = p == NULL ? -1 : 0;
	if (p != NULL && a->mo.system_id[0] != '\0') {
		for (i = 0; i < p->naccounts; i++)
			if (strcmp(p->accounts[i].system_id,
			    a->mo.system_id) == 0)
				break;
		if (i == p->naccounts)
			rc = scn_fail_at(c, "system_id", "not an account of "
			    "the carrier");
	}
	scn_pop(c);
	return rc;
}

/* The service of sid with its account's sid and token into a; NULL
 * after a fail at member key. */
static const struct gateway_service *
service_named(struct scn_ctx *c, const struct scenario *s, const char *key,
    const char *sid, struct scenario_action *a)
{
	const struct gateway_service *sv = scn_service_find(&s->gateway, sid);
	const struct gateway_account *ac = sv == NULL ? NULL :
	    scn_account_find(&s->gateway, sv->account_sid);

	if (ac == NULL) {
		scn_fail_at(c, key, "not a sid of services");
		return NULL;
	}
	strlcpy(a->service, sid, sizeof a->service);
	strlcpy(a->account_sid, ac->sid, sizeof a->account_sid);
	strlcpy(a->token, ac->token, sizeof a->token);
	return sv;
}

/* A value of a Services parameter as its form text. */
static int
service_value(struct scn_ctx *c, size_t t, json_t *v, char *out, size_t len)
{
	const char *str = json_string_value(v);
	size_t i;

	switch (service_params[t].type) {
	case SV_BOOL:
		if (json_is_boolean(v) || (str != NULL &&
		    (strcmp(str, "true") == 0 || strcmp(str, "false") == 0))) {
			strlcpy(out, json_is_true(v) || (str != NULL &&
			    str[0] == 't') ? "true" : "false", len);
			return 0;
		}
		return scn_fail(c, "must be true or false");
	case SV_UINT:
		if (json_is_integer(v) && json_integer_value(v) >= 1 &&
		    json_integer_value(v) <= 36000) {
			snprintf(out, len, "%lld",
			    (long long)json_integer_value(v));
			return 0;
		}
		return scn_fail(c, "must be an integer between 1 and 36000");
	case SV_WORD:
		for (i = 0; str != NULL && service_params[t].words[i] != NULL;
		    i++)
			if (strcmp(str, service_params[t].words[i]) == 0)
				break;
		if (str == NULL || service_params[t].words[i] == NULL)
			return scn_fail(c, "must be %s", service_params[t].words
			    == method_words ? "\"GET\" or \"POST\"" :
			    "\"inherit\", \"enable\" or \"disable\"");
		break;
	case SV_URL:
		if (str != NULL && str[0] != '\0' &&
		    strncmp(str, "http://", 7) != 0 &&
		    strncmp(str, "https://", 8) != 0)
			return scn_fail(c, "must be an http:// or https:// URL, "
			    "or \"\"");
		break;
	case SV_TEXT:
		break;
	}
	if (str == NULL)
		return scn_fail(c, "must be a string");
	if (strlen(str) >= len)
		return scn_fail(c, "must be at most %zu characters", len - 1);
	strlcpy(out, str, len);
	return 0;
}

static int
service_member(struct scn_ctx *c, const char *key, json_t *v,
    struct scenario_action *a)
{
	struct scenario_service_param *sp;
	char names[512];
	size_t t;

	for (t = 0; t < NSERVICE_PARAMS; t++)
		if (strcmp(service_params[t].name, key) == 0)
			break;
	if (t == NSERVICE_PARAMS) {
		names[0] = '\0';
		for (t = 0; t < NSERVICE_PARAMS; t++) {
			if (t > 0)
				strlcat(names, ", ", sizeof names);
			strlcat(names, service_params[t].name, sizeof names);
		}
		return scn_fail(c, "not a Messaging Service parameter (%s)",
		    names);
	}
	sp = &a->service_params[a->nservice_params];
	strlcpy(sp->name, key, sizeof sp->name);
	if (service_value(c, t, v, sp->value, sizeof sp->value) == -1)
		return -1;
	a->nservice_params++;
	return 0;
}

static int
finish_service_set(struct scn_ctx *c, const struct scenario *s,
    struct scenario_action *a)
{
	const char *key;
	json_t *v;
	int rc = 0;

	if (service_named(c, s, "service", a->service, a) == NULL)
		return -1;
	if (json_object_size(a->set) == 0)
		return scn_fail_at(c, "set", "must name at least one "
		    "parameter");
	free(a->service_params);
	a->service_params = xcalloc(json_object_size(a->set),
	    sizeof *a->service_params);
	a->nservice_params = 0;
	scn_push_key(c, "set");
	json_object_foreach(a->set, key, v) {
		scn_push_key(c, key);
		rc = service_member(c, key, v, a);
		scn_pop(c);
		if (rc == -1)
			break;
	}
	scn_pop(c);
	return rc;
}

static const struct gateway_number *
number_of_sid(const struct gateway_config *g, const char *sid)
{
	size_t i;

	for (i = 0; i < g->nnumbers; i++)
		if (strcmp(g->numbers[i].sid, sid) == 0)
			return &g->numbers[i];
	return NULL;
}

/* The sender of a's pool that a->sender names (its number or sid). */
static int
finish_sender(struct scn_ctx *c, const struct gateway_config *g,
    const struct gateway_service *svc, struct scenario_action *a)
{
	const struct gateway_number *n;
	char pool[512], reason[768];
	size_t i;

	pool[0] = '\0';
	for (i = 0; i < svc->nsenders; i++) {
		if ((n = number_of_sid(g, svc->senders[i])) == NULL)
			continue;
		if (strcmp(n->number, a->sender) == 0 ||
		    strcmp(n->sid, a->sender) == 0) {
			strlcpy(a->sender_sid, n->sid, sizeof a->sender_sid);
			strlcpy(a->sender_number, n->number,
			    sizeof a->sender_number);
			a->sender_kind = n->kind;
			return 0;
		}
		if (pool[0] != '\0')
			strlcat(pool, ", ", sizeof pool);
		strlcat(pool, n->number, sizeof pool);
	}
	snprintf(reason, sizeof reason, "\"%.31s\" is not in the pool of %s "
	    "(pool: %s)", a->sender, svc->sid, pool[0] != '\0' ? pool :
	    "empty");
	return scn_fail_at(c, "sender", "%s", reason);
}

static int
finish_remove_sender(struct scn_ctx *c, const struct scenario *s,
    struct scenario_action *a)
{
	const struct gateway_service *svc;
	int rc;

	scn_push_key(c, "remove_sender");
	svc = service_named(c, s, "service", a->pool, a);
	rc = svc == NULL ? -1 : finish_sender(c, &s->gateway, svc, a);
	scn_pop(c);
	return rc;
}

static int
finish_one(struct scn_ctx *c, const struct scenario *s,
    struct scenario_action *a)
{
	switch (a->kind) {
	case SCENARIO_ACTION_FAULT:
	case SCENARIO_ACTION_QUIRK:
		return finish_switch(c, s, a);
	case SCENARIO_ACTION_CARRIER_SET:
		return finish_carrier_set(c, s, a);
	case SCENARIO_ACTION_MO:
		return finish_mo(c, s, a);
	case SCENARIO_ACTION_SERVICE_SET:
		return finish_service_set(c, s, a);
	case SCENARIO_ACTION_REMOVE_SENDER:
		return finish_remove_sender(c, s, a);
	default:
		return 0;
	}
}

int
scn_timeline_finish(struct scn_ctx *c, struct scenario *s)
{
	size_t i;
	int rc = 0;

	scn_push_key(c, "timeline");
	for (i = 0; i < s->ntimeline && rc == 0; i++) {
		scn_push_index(c, i);
		rc = finish_one(c, s, &s->timeline[i]);
		scn_pop(c);
	}
	scn_pop(c);
	return rc;
}
