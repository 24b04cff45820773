/*
 * The "traffic" array of a scenario: one generator per item, read by the
 * rows of scn_traffic_keys. What an item says of itself (a key that only
 * one "via" takes, a template where SMPP sends fixed text) is checked as
 * the item is read; what it says of the rest of the file (its service,
 * account, From number, carrier, a name used twice) once the whole file
 * is, by scn_traffic_finish().
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/load.h"
#include "scenarios/scenario-internal.h"
#include "scenarios/traffic.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)
#define TR(f)			offsetof(struct scenario_traffic, f)
#define TRSIZE(f)		sizeof(((struct scenario_traffic *)0)->f)
#define SEC			INT64_C(1000000)
#define TRAFFIC_GENERATORS_MAX	1000
#define TRAFFIC_RANGE_DIGITS	15	/* E.164 */
#define TRAFFIC_SMPP_ADDRESS_MAX 20	/* destination_addr, octets */
/* Slower than this, message 10000000 would be due past int64 usec. */
#define TRAFFIC_RATE_MIN	0.001

static const char *const via_words[] = {
#define TRAFFIC_VIA_WORD(name, word)	word,
	TRAFFIC_VIAS(TRAFFIC_VIA_WORD)
#undef TRAFFIC_VIA_WORD
	NULL,
};

const char *
traffic_via_name(enum traffic_via v)
{
	return (size_t)v < sizeof via_words / sizeof via_words[0] - 1 ?
	    via_words[v] : "?";
}

static const char *const ac_prefix[] = { "AC", NULL };
static const char *const mg_prefix[] = { "MG", NULL };
static const char *const encoding_words[] = {
#define TRAFFIC_ENCODING_WORD(name, word, dc)	word,
	LOAD_ENCODINGS(TRAFFIC_ENCODING_WORD)
#undef TRAFFIC_ENCODING_WORD
	NULL,
};

const struct scenario_traffic scn_traffic_default = {
	.via = TRAFFIC_VIA_API,
	.body = "Hello from carrierlab",
	.status_callback = "sink",
	.shorten_urls = TRAFFIC_FLAG_UNSET,
	.smart_encoding = TRAFFIC_FLAG_UNSET,
	.encoding = "auto",
	.window = 10,
	.sessions = 1,
	.receipts = 1,
	.receipt_timeout = 600 * SEC,
};

/* ---- value types of a generator ---- */

_Static_assert(TRAFFIC_FLAG_UNSET == SCN_UNSET,
    "scn_type_tristate leaves TRAFFIC_FLAG_UNSET out of --explain");

static int
via_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	size_t i;

	for (i = 0; json_is_string(v) && via_words[i] != NULL; i++) {
		if (strcmp(json_string_value(v), via_words[i]) == 0) {
			enum traffic_via via = (enum traffic_via)i;

			memcpy(FIELD(base, k), &via, sizeof via);
			return 0;
		}
	}
	return scn_fail(c, "must be \"api\" or \"smpp\"");
}

static json_t *
via_show(const struct scn_key *k, const void *base)
{
	enum traffic_via via;

	memcpy(&via, CFIELD(base, k), sizeof via);
	return json_string(traffic_via_name(via));
}

static const struct scn_type traffic_type_via = {
	.name = "string", .parse = via_parse, .show = via_show,
};

static int
url_valid(const char *s)
{
	const char *host;

	if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return 0;
	return host[0] != '\0' && host[0] != '/';
}

/* "sink", an http(s) URL, or "" for none. */
static int
callback_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	char *s = FIELD(base, k);

	if (scn_get_string(c, k, v, s, k->size) == -1)
		return -1;
	if (s[0] != '\0' && strcmp(s, "sink") != 0 && !url_valid(s))
		return scn_fail(c, "\"%.60s\" is not \"sink\", \"\" or an "
		    "http:// or https:// URL", s);
	return 0;
}

static const struct scn_type traffic_type_callback = {
	.name = "string", .parse = callback_parse,
	.show = scn_string_show,
};

static int
media_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	(void)k;
	(void)v;
	if (!url_valid(item))
		return scn_fail(c, "\"%.60s\" is not an http:// or https:// "
		    "URL", (const char *)item);
	return 0;
}

/* ---- "to": "+1...", ["+1...", ...] or {"range": [FIRST, LAST]} ---- */

static void
to_grow(struct traffic_to *to, size_t n)
{
	to->list = xreallocarray(to->list, n, sizeof *to->list);
}

static int
to_number(struct scn_ctx *c, json_t *v, struct traffic_to *to)
{
	const char *s = json_string_value(v);

	if (s == NULL || s[0] == '\0' || json_string_length(v) >=
	    GATEWAY_NUMBER_MAX || strlen(s) != json_string_length(v))
		return scn_fail(c, "must be a number of 1 to %d characters",
		    GATEWAY_NUMBER_MAX - 1);
	memcpy(to->list[to->nlist++], s, json_string_length(v) + 1);
	return 0;
}

static int
to_list_one(struct scn_ctx *c, size_t i, json_t *v, void *arg)
{
	(void)i;
	return to_number(c, v, arg);
}

/* '+' and 1..15 digits. */
static int
to_range_number(struct scn_ctx *c, json_t *v, struct traffic_to *to)
{
	const char	*s = json_string_value(v);
	size_t		 n = s != NULL ? strlen(s) : 0;

	if (s == NULL || s[0] != '+' || n < 2 || n > 1 + TRAFFIC_RANGE_DIGITS ||
	    strspn(s + 1, "0123456789") != n - 1)
		return scn_fail(c, "must be '+' and 1 to %d digits",
		    TRAFFIC_RANGE_DIGITS);
	memcpy(to->list[to->nlist++], s, n + 1);
	return 0;
}

static int
to_range_item(struct scn_ctx *c, size_t i, json_t *v, void *arg)
{
	struct traffic_to	*to = arg;
	const char		*first;

	if (to_range_number(c, v, to) == -1)
		return -1;
	if (i == 0)
		return 0;
	first = to->list[0];
	if (strlen(to->list[1]) != strlen(first))
		return scn_fail(c, "has %zu digits, FIRST has %zu",
		    strlen(to->list[1]) - 1, strlen(first) - 1);
	if (strcmp(to->list[1], first) < 0)
		return scn_fail(c, "is below FIRST (%s)", first);
	return 0;
}

static int
to_range(struct scn_ctx *c, json_t *v, struct traffic_to *to)
{
	json_t	*r = json_object_get(v, "range");
	int	 rc;

	if (json_object_size(v) != 1 || r == NULL)
		return scn_fail(c, "must be a number, an array of numbers or "
		    "{\"range\": [FIRST, LAST]}");
	to->kind = TRAFFIC_TO_RANGE;
	to_grow(to, 2);
	scn_push_key(c, "range");
	if (!json_is_array(r) || json_array_size(r) != 2)
		rc = scn_fail(c, "must be [FIRST, LAST]");
	else
		rc = scn_walk_array(c, r, 2, 2, "numbers", to_range_item, to);
	scn_pop(c);
	return rc;
}

static int
to_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	struct traffic_to *to = (struct traffic_to *)FIELD(base, k);

	free(to->list);
	to->list = NULL;
	to->nlist = 0;
	if (json_is_string(v)) {
		to->kind = TRAFFIC_TO_ONE;
		to_grow(to, 1);
		return to_number(c, v, to);
	}
	if (json_is_object(v))
		return to_range(c, v, to);
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > TRAFFIC_TO_LIST_MAX)
		return scn_fail(c, "must be a number, an array of 1 to %d "
		    "numbers or {\"range\": [FIRST, LAST]}",
		    TRAFFIC_TO_LIST_MAX);
	to->kind = TRAFFIC_TO_LIST;
	to_grow(to, json_array_size(v));
	return scn_walk_array(c, v, 1, TRAFFIC_TO_LIST_MAX, "numbers",
	    to_list_one, to);
}

static json_t *
to_show(const struct scn_key *k, const void *base)
{
	const struct traffic_to	*to = (const struct traffic_to *)
				    CFIELD(base, k);
	json_t			*a;
	size_t			 i;

	if (to->nlist == 0)
		return NULL;
	if (to->kind == TRAFFIC_TO_ONE)
		return json_string(to->list[0]);
	a = json_array();
	for (i = 0; i < to->nlist; i++)
		json_array_append_new(a, json_string(to->list[i]));
	if (to->kind == TRAFFIC_TO_LIST)
		return a;
	return json_pack("{s:o}", "range", a);
}

static const struct scn_type traffic_type_to = {
	.name = "string, array or {range}", .parse = to_parse,
	.show = to_show,
};

/* ---- the rows ---- */

const struct scn_key scn_traffic_keys[] = {
	{ .name = "name", .type = &scn_type_string, .off = TR(name),
	  .size = TRSIZE(name), .min = 1, .range = "1-63 characters, unique",
	  .help = "Names the generator in notes, expectations and the "
	  "callback path; none: \"traffic[i]\"" },
	{ .name = "at", .type = &scn_type_duration, .off = TR(at),
	  .size = TRSIZE(at), .help = "When it starts, after the start of "
	  "the run" },
	{ .name = "via", .type = &traffic_type_via, .off = TR(via),
	  .range = "\"api\" or \"smpp\"",
	  .help = "Through the gateway's HTTP API, as an application, or "
	  "SMPP straight to a carrier, as an ESME" },
	{ .name = "count", .type = &scn_type_uint, .off = TR(count),
	  .size = TRSIZE(count), .min = 1, .max = TRAFFIC_COUNT_MAX,
	  .flags = SCN_REQUIRED, .help = "Messages to send" },
	{ .name = "rate", .type = &scn_type_number, .off = TR(rate),
	  .min = 0, .max = 1000000,
	  .help = "Messages per second, paced on the run's clock; 0: all at "
	  "once (a burst)" },
	{ .name = "to", .type = &traffic_type_to, .off = TR(to),
	  .flags = SCN_REQUIRED,
	  .range = "a number, up to 10000 numbers, or {\"range\": [FIRST, "
	  "LAST]}",
	  .help = "Destinations, taken in turn; a range (\"+\" and digits, "
	  "the same number of them) is counted through from FIRST" },
	{ .name = "from", .type = &scn_type_string, .off = TR(from),
	  .size = TRSIZE(from), .range = "up to 31 characters",
	  .help = "API: a number of \"numbers\" of the account, or an "
	  "alphanumeric sender; \"\": none (the service picks). SMPP: the "
	  "source_addr; \"\": \"carrierlab\"" },
	{ .name = "body", .type = &scn_type_string, .off = TR(body),
	  .size = TRSIZE(body), .range = "up to 4095 octets",
	  .help = "The text; API: {seq} (1, 2, ...), {count} and {to} are "
	  "replaced; SMPP: fixed text" },
	{ .name = "length", .type = &scn_type_uint, .off = TR(length),
	  .size = TRSIZE(length), .max = TRAFFIC_LENGTH_MAX,
	  .help = "Characters: the body is repeated and cut to this length "
	  "(long messages); 0: as it is" },
	{ .name = "account", .type = &scn_type_sid, .off = TR(account),
	  .choices = ac_prefix, .range = "a sid of accounts",
	  .help = "API: whose request (Basic auth with its auth_token); "
	  "none: the service's, else the From number's, else the first "
	  "account" },
	{ .name = "service", .type = &scn_type_sid, .off = TR(service),
	  .choices = mg_prefix, .range = "a sid of services",
	  .help = "API: MessagingServiceSid; with from, both are sent" },
	{ .name = "media", .type = &scn_type_strings, .off = TR(media),
	  .count_off = TR(nmedia), .size = TRAFFIC_URL_MAX,
	  .max = TRAFFIC_MEDIA_MAX, .item_check = media_check,
	  .range = "up to 10 http(s) URLs", .help = "API: MediaUrl" },
	{ .name = "status_callback", .type = &traffic_type_callback,
	  .off = TR(status_callback), .size = TRSIZE(status_callback),
	  .range = "\"sink\", an http(s) URL or \"\"",
	  .help = "API: StatusCallback; \"sink\": the run's sink, path "
	  "/status/NAME (a URL on the host carrierlab.sink is the sink "
	  "too); \"\": none (the number's or service's)" },
	{ .name = "shorten_urls", .type = &scn_type_tristate,
	  .off = TR(shorten_urls), .help = "API: ShortenUrls; none: not sent" },
	{ .name = "smart_encoding", .type = &scn_type_tristate,
	  .off = TR(smart_encoding),
	  .help = "API: SmartEncoded; none: not sent (the service decides)" },
	{ .name = "validity_period", .type = &scn_type_opt_uint,
	  .off = TR(validity_period), .size = TRSIZE(validity_period),
	  .min = 1, .max = TRAFFIC_VALIDITY_MAX,
	  .range = "1-36000",
	  .help = "API: ValidityPeriod in seconds; none: not sent" },
	{ .name = "carrier", .type = &scn_type_string, .off = TR(carrier),
	  .size = TRSIZE(carrier), .range = "a carrier's name",
	  .help = "SMPP: the carrier to bind to (its first listener that is "
	  "not TLS, else its first); required for SMPP" },
	{ .name = "system_id", .type = &scn_type_string,
	  .off = TR(system_id), .size = TRSIZE(system_id),
	  .range = "up to 15 characters",
	  .help = "SMPP: the bind's system_id; \"\": the carrier's first "
	  "account's" },
	{ .name = "password", .type = &scn_type_string, .off = TR(password),
	  .size = TRSIZE(password), .range = "up to 8 characters",
	  .help = "SMPP: the bind's password; \"\" with no system_id: the "
	  "carrier's first account's" },
	{ .name = "encoding", .type = &scn_type_choice, .off = TR(encoding),
	  .size = TRSIZE(encoding), .choices = encoding_words,
	  .range = "auto, gsm7, ucs2 or latin1",
	  .help = "SMPP: data_coding of the text; auto: GSM-7 when it fits, "
	  "else UCS-2" },
	{ .name = "window", .type = &scn_type_uint, .off = TR(window),
	  .size = TRSIZE(window), .min = 1, .max = 10000,
	  .help = "SMPP: unanswered submits per session" },
	{ .name = "sessions", .type = &scn_type_uint, .off = TR(sessions),
	  .size = TRSIZE(sessions), .min = 1, .max = 64,
	  .help = "SMPP: transceiver sessions" },
	{ .name = "receipts", .type = &scn_type_bool, .off = TR(receipts),
	  .help = "SMPP: ask for delivery receipts and wait for them" },
	{ .name = "receipt_timeout", .type = &scn_type_duration,
	  .off = TR(receipt_timeout), .size = TRSIZE(receipt_timeout),
	  .flags = SCN_POSITIVE,
	  .help = "SMPP: a receipt not in by then after the submit counts as "
	  "missing" },
	{ .name = "comment", .type = &scn_type_string, .off = TR(comment),
	  .size = TRSIZE(comment), .range = "up to 1023 characters",
	  .help = "Free text for the reader; ignored" },
	{ .name = NULL },
};

/* ---- one item, by itself ---- */

/* Keys that only the other "via" reads are refused, not ignored; unless
 * they hold the default, as --explain prints every key. */
static int
item_keys_check(struct scn_ctx *c, json_t *v, enum traffic_via via)
{
	static const char *const api_only[] = { "account", "service",
		"media", "status_callback", "shorten_urls", "smart_encoding",
		"validity_period", NULL };
	static const char *const smpp_only[] = { "carrier", "system_id",
		"password", "encoding", "window", "sessions", "receipts",
		"receipt_timeout", NULL };
	const char *const *other = via == TRAFFIC_VIA_API ? smpp_only :
	    api_only;

	const struct scn_key *k;
	json_t *given, *def;
	size_t i;
	int same;

	for (i = 0; other[i] != NULL; i++) {
		if ((given = json_object_get(v, other[i])) == NULL)
			continue;
		k = scn_key_find(scn_traffic_keys, other[i]);
		def = k->type->show(k, &scn_traffic_default);
		same = def != NULL && json_equal(def, given);
		json_decref(def);
		if (!same)
			return scn_fail_at(c, other[i], "only for \"via\": "
			    "\"%s\"", via == TRAFFIC_VIA_API ? "smpp" : "api");
	}
	return 0;
}

static int
item_smpp_check(struct scn_ctx *c, struct scenario_traffic *t)
{
	if (t->carrier[0] == '\0')
		return scn_fail_at(c, "carrier", "required for \"via\": \"%s\"",
		    "smpp");
	if (t->to.kind == TRAFFIC_TO_LIST)
		return scn_fail_at(c, "to", "SMPP traffic takes one number or "
		    "a range, not a list");
	if (t->to.kind == TRAFFIC_TO_ONE && (strlen(t->to.list[0]) >
	    TRAFFIC_SMPP_ADDRESS_MAX || strspn(t->to.list[0] + (t->to.list[0][0]
	    == '+'), "0123456789") != strlen(t->to.list[0] + (t->to.list[0][0]
	    == '+'))))
		return scn_fail_at(c, "to", "an SMPP destination is digits, "
		    "after an optional '+', %d characters at most",
		    TRAFFIC_SMPP_ADDRESS_MAX);
	if (traffic_body_is_template(t->body))
		return scn_fail_at(c, "body", "templates ({seq}, {count}, "
		    "{to}) are for \"via\": \"api\"; SMPP sends one fixed "
		    "text");
	return 0;
}

static int
item_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	struct scenario_traffic *t = item;

	(void)k;
	if (t->name[0] == '\0')
		snprintf(t->name, sizeof t->name, "traffic[%zu]",
		    c->segs[c->nsegs - 1].index);
	if (item_keys_check(c, v, t->via) == -1)
		return -1;
	if (t->rate > 0 && t->rate < TRAFFIC_RATE_MIN)
		return scn_fail_at(c, "rate", "must be 0 (a burst) or at least "
		    "%g", TRAFFIC_RATE_MIN);
	if (t->body[0] == '\0' && t->nmedia == 0)
		return scn_fail_at(c, "body", "empty, and no media: give one "
		    "or the other");
	if (t->body[0] == '\0' && t->length > 0)
		return scn_fail_at(c, "length", "needs a body to repeat");
	return t->via == TRAFFIC_VIA_SMPP ? item_smpp_check(c, t) : 0;
}

/* ---- the top-level array ---- */

static const struct scn_key traffic_list_key = {
	.name = "generators", .type = &scn_type_list,
	.sub = scn_traffic_keys,
	.off = offsetof(struct scenario, traffic),
	.count_off = offsetof(struct scenario, ntraffic),
	.size = sizeof(struct scenario_traffic),
	.max = TRAFFIC_GENERATORS_MAX, .item_default = &scn_traffic_default,
	.item_check = item_check,
};

static int
traffic_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	(void)k;
	return scn_type_list.parse(c, &traffic_list_key, v, base);
}

static json_t *
traffic_show(const struct scn_key *k, const void *base)
{
	(void)k;
	return scn_type_list.show(&traffic_list_key, base);
}

const struct scn_type scn_type_traffic = {
	.name = "array", .parse = traffic_parse, .show = traffic_show,
};

/* ---- across the file ---- */

/* Fails at traffic[i].key (key NULL: traffic[i]). */
static int
fail_at(struct scn_ctx *c, size_t i, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail_at(struct scn_ctx *c, size_t i, const char *key, const char *fmt, ...)
{
	size_t	depth = c->nsegs;
	char	reason[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	scn_push_key(c, "traffic");
	scn_push_index(c, i);
	if (key != NULL)
		scn_push_key(c, key);
	scn_fail(c, "%s", reason);
	c->nsegs = depth;
	return -1;
}

static const struct gateway_number *
number_find(const struct gateway_config *g, const char *number)
{
	size_t i;

	for (i = 0; i < g->nnumbers; i++)
		if (strcmp(g->numbers[i].number, number) == 0 ||
		    strcmp(g->numbers[i].sid, number) == 0)
			return &g->numbers[i];
	return NULL;
}

/* The account: given, else the service's, the From number's, the first. */
static int
api_account(struct scn_ctx *c, const struct gateway_config *g, size_t i,
    struct scenario_traffic *t, const struct gateway_service *sv,
    const struct gateway_number *n)
{
	const char *sid = NULL;

	if (t->account[0] != '\0') {
		if (scn_account_find(g, t->account) == NULL)
			return fail_at(c, i, "account", "no account %s in "
			    "\"accounts\"", t->account);
		return 0;
	}
	if (sv != NULL)
		sid = sv->account_sid;
	else if (n != NULL)
		sid = n->account_sid;
	else if (g->naccounts > 0)
		sid = g->accounts[0].sid;
	if (sid == NULL)
		return fail_at(c, i, NULL, "no account to send as: give "
		    "\"accounts\"");
	snprintf(t->account, sizeof t->account, "%s", sid);
	return 0;
}

static int
api_finish(struct scn_ctx *c, const struct gateway_config *g, size_t i,
    struct scenario_traffic *t)
{
	const struct gateway_service	*sv = NULL;
	const struct gateway_number	*n = NULL;

	if (t->service[0] != '\0' && (sv = scn_service_find(g, t->service)) ==
	    NULL)
		return fail_at(c, i, "service", "no service %s in \"services\"",
		    t->service);
	if (t->from[0] != '\0' && (n = number_find(g, t->from)) == NULL &&
	    gw_sender_kind(t->from) != GATEWAY_SENDER_ALPHANUMERIC)
		return fail_at(c, i, "from", "\"%s\" is not a number of "
		    "\"numbers\" nor an alphanumeric sender", t->from);
	if (api_account(c, g, i, t, sv, n) == -1)
		return -1;
	if (sv != NULL && strcmp(sv->account_sid, t->account) != 0)
		return fail_at(c, i, "service", "belongs to account %s, the "
		    "traffic's is %s", sv->account_sid, t->account);
	if (n != NULL && strcmp(n->account_sid, t->account) != 0)
		return fail_at(c, i, "from", "\"%s\" belongs to account %s, "
		    "the traffic's is %s", t->from, n->account_sid, t->account);
	return 0;
}

static int
smpp_finish(struct scn_ctx *c, const struct scenario *s, size_t i,
    struct scenario_traffic *t)
{
	const struct carrier_profile	*p = NULL;
	size_t				 j;

	for (j = 0; j < s->ncarriers && p == NULL; j++)
		if (strcmp(s->carriers[j].name, t->carrier) == 0)
			p = &s->carriers[j];
	if (p == NULL)
		return fail_at(c, i, "carrier", "no carrier \"%s\" in "
		    "\"carriers\"", t->carrier);
	if (t->system_id[0] == '\0') {
		snprintf(t->system_id, sizeof t->system_id, "%s",
		    p->naccounts > 0 ? p->accounts[0].system_id :
		    "carrierlab");
		if (t->password[0] == '\0' && p->naccounts > 0)
			snprintf(t->password, sizeof t->password, "%s",
			    p->accounts[0].password);
	}
	return 0;
}

int
scn_traffic_finish(struct scn_ctx *c, struct scenario *s)
{
	size_t	i, j;
	int	rc;

	for (i = 0; i < s->ntraffic; i++) {
		struct scenario_traffic *t = &s->traffic[i];

		for (j = 0; j < i; j++)
			if (strcmp(t->name, s->traffic[j].name) == 0)
				return fail_at(c, i, "name", "duplicate name "
				    "\"%s\" (also traffic[%zu])", t->name, j);
		rc = t->via == TRAFFIC_VIA_API ? api_finish(c, &s->gateway, i,
		    t) : smpp_finish(c, s, i, t);
		if (rc == -1)
			return -1;
	}
	return 0;
}

void
scn_traffic_release(struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->ntraffic; i++) {
		free(s->traffic[i].to.list);
		free(s->traffic[i].media);
	}
	free(s->traffic);
	s->traffic = NULL;
	s->ntraffic = 0;
}
