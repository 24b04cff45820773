/*
 * The Twilio side of a scenario: accounts and their API keys, the numbers
 * they own (phone numbers, short codes, alphanumeric senders) and their
 * Messaging Services. Values are read by the rows of scenario-keys.c;
 * what depends on other lists (a number's account, its derived sid, a
 * service's senders) is settled by scn_gateway_finish() once the whole
 * file is read, since JSON does not order "numbers" after "accounts".
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "gateway/names.h"
#include "scenarios/scenario-internal.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)
/* A number's kind before it is known (the enum's values are 0..3). */
#define SCN_KIND_UNSET		4

/* A sid: one of the prefixes in k->choices and 32 hex digits. */
static int
sid_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	const char	*s = json_string_value(v);
	size_t		 i;

	for (i = 0; s != NULL && k->choices[i] != NULL; i++) {
		if (gw_sid_valid(s, k->choices[i])) {
			memcpy(FIELD(base, k), s, GATEWAY_SID_SIZE);
			return 0;
		}
	}
	return scn_fail(c, "must be %s followed by 32 hex digits", k->range);
}

const struct scn_type scn_type_sid = {
	.name = "sid", .parse = sid_parse, .show = scn_nonempty_show,
};

/* A callback URL: http:// or https:// and more, or "" for none. */
static int
url_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	char *s = FIELD(base, k);

	if (scn_get_string(c, k, v, s, k->size) == -1)
		return -1;
	if (s[0] != '\0' && ((strncmp(s, "http://", 7) != 0 &&
	    strncmp(s, "https://", 8) != 0) || s[strcspn(s, ":") + 3] == '\0'))
		return scn_fail(c, "\"%.60s\" is not an http:// or https:// URL",
		    s);
	return 0;
}

const struct scn_type scn_type_url = {
	.name = "URL", .parse = url_parse, .show = scn_nonempty_show,
};

static int
kind_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	enum gateway_sender_kind kind;

	for (kind = 0; kind < SCN_KIND_UNSET; kind++) {
		if (json_is_string(v) && strcmp(json_string_value(v),
		    gateway_sender_kind_name(kind)) == 0) {
			memcpy(FIELD(base, k), &kind, sizeof kind);
			return 0;
		}
	}
	return scn_fail(c, "must be %s", k->range);
}

static json_t *
kind_show(const struct scn_key *k, const void *base)
{
	enum gateway_sender_kind kind;

	memcpy(&kind, CFIELD(base, k), sizeof kind);
	return kind >= SCN_KIND_UNSET ? NULL :
	    json_string(gateway_sender_kind_name(kind));
}

const struct scn_type scn_type_sender_kind = {
	.name = "string", .parse = kind_parse, .show = kind_show,
};

static const struct {
	const char	*word;
	unsigned	 bit;
} cap_words[] = {
	{ "SMS", GATEWAY_CAP_SMS },
	{ "MMS", GATEWAY_CAP_MMS },
	{ "Voice", GATEWAY_CAP_VOICE },
};

#define NCAP_WORDS (sizeof cap_words / sizeof cap_words[0])

static int
cap_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	unsigned	 caps = 0;
	size_t		 i, j;
	json_t		*w;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return scn_fail(c, "must be a non-empty array of \"SMS\", "
		    "\"MMS\" and \"Voice\"");
	json_array_foreach(v, i, w) {
		for (j = 0; j < NCAP_WORDS; j++)
			if (json_is_string(w) && strcmp(json_string_value(w),
			    cap_words[j].word) == 0)
				break;
		if (j == NCAP_WORDS) {
			scn_push_index(c, i);
			scn_fail(c, "must be \"SMS\", \"MMS\" or \"Voice\"");
			scn_pop(c);
			return -1;
		}
		caps |= cap_words[j].bit;
	}
	memcpy(FIELD(base, k), &caps, sizeof caps);
	return 0;
}

static json_t *
cap_show(const struct scn_key *k, const void *base)
{
	unsigned	 caps;
	json_t		*a;
	size_t		 j;

	memcpy(&caps, CFIELD(base, k), sizeof caps);
	if (caps == 0)
		return NULL;
	a = json_array();
	for (j = 0; j < NCAP_WORDS; j++)
		if (caps & cap_words[j].bit)
			json_array_append_new(a, json_string(cap_words[j].word));
	return a;
}

const struct scn_type scn_type_capabilities = {
	.name = "array", .parse = cap_parse, .show = cap_show,
};

/* Two letters, kept in upper case; left out, the number decides. */
static int
ncountry_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	const char	*s = json_string_value(v);
	char		*out = FIELD(base, k);

	if (s == NULL || !isalpha((unsigned char)s[0]) ||
	    !isalpha((unsigned char)s[1]) || s[2] != '\0')
		return scn_fail(c, "must be a two-letter country code (ISO "
		    "3166) such as \"US\"");
	out[0] = (char)toupper((unsigned char)s[0]);
	out[1] = (char)toupper((unsigned char)s[1]);
	out[2] = '\0';
	return 0;
}

const struct scn_type scn_type_number_country = {
	.name = "string", .parse = ncountry_parse, .show = scn_nonempty_show,
};

const struct gateway_account *
scn_account_find(const struct gateway_config *g, const char *sid)
{
	size_t i;

	for (i = 0; i < g->naccounts; i++)
		if (strcmp(g->accounts[i].sid, sid) == 0)
			return &g->accounts[i];
	return NULL;
}

const struct gateway_service *
scn_service_find(const struct gateway_config *g, const char *sid)
{
	size_t i;

	for (i = 0; i < g->nservices; i++)
		if (strcmp(g->services[i].sid, sid) == 0)
			return &g->services[i];
	return NULL;
}

/* The kind the file gave must fit the number (only E.164 numbers may say
 * long_code or toll_free either way: toll-free exists outside the NANP). */
static int
number_kind(struct scn_ctx *c, struct gateway_number *n)
{
	int	seen = gw_sender_kind(n->number);
	char	why[256];

	if (seen == -1)
		return scn_fail_at(c, "number", "must be an E.164 number "
		    "(\"+14155550100\"), a short code (3 to 8 digits) or an "
		    "alphanumeric sender (up to 11 letters, digits, spaces and "
		    "- + _ &, not only digits)");
	if ((unsigned)n->kind >= SCN_KIND_UNSET) {
		n->kind = (enum gateway_sender_kind)seen;
		return 0;
	}
	if ((enum gateway_sender_kind)seen == n->kind || (gw_e164_valid(
	    n->number) && (n->kind == GATEWAY_SENDER_LONG_CODE ||
	    n->kind == GATEWAY_SENDER_TOLL_FREE)))
		return 0;
	snprintf(why, sizeof why, "\"%s\" is a %s, not a %s", n->number,
	    gateway_sender_kind_name(seen), gateway_sender_kind_name(n->kind));
	return scn_fail_at(c, "kind", "%s", why);
}

static const char *
sid_prefix(enum gateway_sender_kind kind)
{
	switch (kind) {
	case GATEWAY_SENDER_SHORT_CODE:
		return "SC";
	case GATEWAY_SENDER_ALPHANUMERIC:
		return "AI";
	default:
		return "PN";
	}
}

static int
number_country(struct scn_ctx *c, struct gateway_number *n)
{
	const char	*cc;
	char		 why[256];

	if (n->country[0] != '\0')
		return 0;
	if (n->kind == GATEWAY_SENDER_SHORT_CODE ||
	    n->kind == GATEWAY_SENDER_ALPHANUMERIC) {
		snprintf(why, sizeof why, "required for %s",
		    n->kind == GATEWAY_SENDER_SHORT_CODE ? "a short code" :
		    "an alphanumeric sender");
		return scn_fail_at(c, "country", "%s", why);
	}
	if ((cc = gw_country_of(n->number))[0] == '\0') {
		snprintf(why, sizeof why, "required: no country is known for "
		    "the calling code of %s", n->number);
		return scn_fail_at(c, "country", "%s", why);
	}
	snprintf(n->country, sizeof n->country, "%s", cc);
	return 0;
}

/* MMS where Twilio has it: US and Canadian long codes and toll-free. */
static unsigned
number_default_caps(const struct gateway_number *n)
{
	if ((strcmp(n->country, "US") == 0 || strcmp(n->country, "CA") == 0) &&
	    (n->kind == GATEWAY_SENDER_LONG_CODE ||
	    n->kind == GATEWAY_SENDER_TOLL_FREE))
		return GATEWAY_CAP_SMS | GATEWAY_CAP_MMS;
	return GATEWAY_CAP_SMS;
}

/* What a number says of itself: its kind, country and capabilities. */
int
scn_number_item_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	struct gateway_number	*n = item;
	char			 why[256];

	if (number_kind(c, n) == -1 || number_country(c, n) == -1)
		return -1;
	if (n->sid[0] != '\0' && strncmp(n->sid, sid_prefix(n->kind), 2) != 0) {
		snprintf(why, sizeof why, "a %s's sid starts with %s",
		    gateway_sender_kind_name(n->kind), sid_prefix(n->kind));
		return scn_fail_at(c, "sid", "%s", why);
	}
	if (n->capabilities == 0)
		n->capabilities = number_default_caps(n);
	if (n->kind == GATEWAY_SENDER_ALPHANUMERIC &&
	    n->capabilities != GATEWAY_CAP_SMS)
		return scn_fail_at(c, "capabilities", "an alphanumeric sender "
		    "has SMS only");
	return 0;
}

/* ---- Across lists, once the file is read. ---- */

/* Pushes list[i].key (key NULL: list[i]); pop with scn_pop_n(). */
static void
scn_push_item(struct scn_ctx *c, const char *list, size_t i,
    const char *key, size_t j, int with_j)
{
	if (strchr(list, '.') != NULL) {	/* "gateway.routes" */
		scn_push_key(c, "gateway");
		scn_push_key(c, strchr(list, '.') + 1);
	} else
		scn_push_key(c, list);
	scn_push_index(c, i);
	if (key != NULL)
		scn_push_key(c, key);
	if (with_j)
		scn_push_index(c, j);
}

static int
fail_item(struct scn_ctx *c, const char *list, size_t i, const char *key,
    const char *reason)
{
	size_t depth = c->nsegs;

	scn_push_item(c, list, i, key, 0, 0);
	scn_fail(c, "%s", reason);
	c->nsegs = depth;
	return -1;
}

static int
fail_item_j(struct scn_ctx *c, const char *list, size_t i, const char *key,
    size_t j, const char *reason)
{
	size_t depth = c->nsegs;

	scn_push_item(c, list, i, key, j, 1);
	scn_fail(c, "%s", reason);
	c->nsegs = depth;
	return -1;
}

static int
accounts_finish(struct scn_ctx *c, const struct gateway_config *g)
{
	size_t	i, j, a, b;
	char	why[256];

	for (i = 0; i < g->naccounts; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(g->accounts[i].sid, g->accounts[j].sid) != 0)
				continue;
			snprintf(why, sizeof why, "duplicate sid %s (also "
			    "accounts[%zu])", g->accounts[i].sid, j);
			return fail_item(c, "accounts", i, "sid", why);
		}
	}
	/* API key sids are unique across accounts: a key names its account. */
	for (i = 0; i < g->naccounts; i++) {
		for (a = 0; a < g->accounts[i].nkeys; a++) {
			const char *sid = g->accounts[i].keys[a].sid;

			for (j = 0; j <= i; j++)
				for (b = 0; b < (j == i ? a :
				    g->accounts[j].nkeys); b++) {
					if (strcmp(sid, g->accounts[j].keys[b]
					    .sid) != 0)
						continue;
					snprintf(why, sizeof why, "duplicate "
					    "sid %s (also accounts[%zu]."
					    "api_keys[%zu])", sid, j, b);
					return fail_item_j(c, "accounts", i,
					    "api_keys", a, why);
				}
		}
	}
	return 0;
}

/* The account an item names, or the first one; -1 when there is none. */
static int
owner_finish(struct scn_ctx *c, const struct gateway_config *g,
    const char *list, size_t i, char account[GATEWAY_SID_SIZE])
{
	size_t	a;
	char	why[256];

	if (account[0] == '\0') {
		if (g->naccounts == 0)
			return fail_item(c, list, i, NULL, "no account to own "
			    "it: give \"accounts\" or this item's \"account\"");
		memcpy(account, g->accounts[0].sid, GATEWAY_SID_SIZE);
		return 0;
	}
	for (a = 0; a < g->naccounts; a++)
		if (strcmp(g->accounts[a].sid, account) == 0)
			return 0;
	snprintf(why, sizeof why, "no account %s in \"accounts\"", account);
	return fail_item(c, list, i, "account", why);
}

/* PN/SC/AI and the first 32 hex digits of SHA-256(account number): the
 * same number of the same account gets the same sid on every run. */
static void
number_derive_sid(struct gateway_number *n)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		md[SHA256_DIGEST_LENGTH];
	char			text[GATEWAY_SID_SIZE + GATEWAY_NUMBER_MAX + 2];
	size_t			i;

	snprintf(text, sizeof text, "%s %s", n->account_sid, n->number);
	SHA256((const unsigned char *)text, strlen(text), md);
	memcpy(n->sid, sid_prefix(n->kind), 2);
	for (i = 0; i < 16; i++) {
		n->sid[2 + 2 * i] = hex[md[i] >> 4];
		n->sid[3 + 2 * i] = hex[md[i] & 0xf];
	}
	n->sid[GATEWAY_SID_LEN] = '\0';
}

static int
numbers_finish(struct scn_ctx *c, struct gateway_config *g)
{
	size_t	i, j;
	char	why[256];

	for (i = 0; i < g->nnumbers; i++) {
		struct gateway_number *n = &g->numbers[i];

		if (owner_finish(c, g, "numbers", i, n->account_sid) == -1)
			return -1;
		if (n->sid[0] == '\0')
			number_derive_sid(n);
		for (j = 0; j < i; j++) {
			if (strcmp(n->number, g->numbers[j].number) == 0) {
				snprintf(why, sizeof why, "duplicate number "
				    "\"%s\" (also numbers[%zu])", n->number, j);
				return fail_item(c, "numbers", i, "number",
				    why);
			}
			if (strcmp(n->sid, g->numbers[j].sid) == 0) {
				snprintf(why, sizeof why, "duplicate sid %s "
				    "(also numbers[%zu])", n->sid, j);
				return fail_item(c, "numbers", i, "sid", why);
			}
		}
	}
	return 0;
}

int
scn_destination_alpha_check(struct scn_ctx *c, const struct scn_key *k,
    json_t *v, void *item)
{
	const struct gateway_destination_alpha *d = item;

	(void)k;
	(void)v;
	if (gw_sender_kind(d->alpha) != GATEWAY_SENDER_ALPHANUMERIC) {
		scn_push_key(c, "alpha_sender");
		scn_fail(c, "\"%s\" is not an alphanumeric sender: 1-11 of "
		    "A-Z a-z 0-9 space - + _ &, not only digits", d->alpha);
		scn_pop(c);
		return -1;
	}
	return 0;
}

/* The number a sender names, by number or by sid; -1 when none. */
static long
number_index(const struct gateway_config *g, const char *sender)
{
	size_t i;

	for (i = 0; i < g->nnumbers; i++)
		if (strcmp(g->numbers[i].number, sender) == 0 ||
		    strcmp(g->numbers[i].sid, sender) == 0)
			return (long)i;
	return -1;
}

/* Where sid already is in a pool: services[*si].senders[*sj]. */
static int
sender_taken(const struct gateway_config *g, size_t upto_i, size_t upto_j,
    const char *sid, size_t *si, size_t *sj)
{
	size_t i, j;

	for (i = 0; i <= upto_i; i++)
		for (j = 0; j < (i == upto_i ? upto_j :
		    g->services[i].nsenders); j++)
			if (strcmp(g->services[i].senders[j], sid) == 0) {
				*si = i;
				*sj = j;
				return 1;
			}
	return 0;
}

static int
senders_finish(struct scn_ctx *c, struct gateway_config *g, size_t i)
{
	struct gateway_service	*sv = &g->services[i];
	const struct gateway_number *n;
	size_t			 j, oi, oj;
	long			 x;
	char			 why[256];

	for (j = 0; j < sv->nsenders; j++) {
		if ((x = number_index(g, sv->senders[j])) == -1) {
			snprintf(why, sizeof why, "\"%s\" is not a number or "
			    "sid of \"numbers\"", sv->senders[j]);
			return fail_item_j(c, "services", i, "senders", j, why);
		}
		n = &g->numbers[x];
		if (strcmp(n->account_sid, sv->account_sid) != 0) {
			snprintf(why, sizeof why, "numbers[%ld] belongs to "
			    "account %s, the service to %s", x, n->account_sid,
			    sv->account_sid);
			return fail_item_j(c, "services", i, "senders", j, why);
		}
		memcpy(sv->senders[j], n->sid, GATEWAY_SID_SIZE);
		if (sender_taken(g, i, j, n->sid, &oi, &oj)) {
			snprintf(why, sizeof why, "\"%s\" is also "
			    "services[%zu].senders[%zu]; a number is in one "
			    "service at most", n->number, oi, oj);
			return fail_item_j(c, "services", i, "senders", j, why);
		}
	}
	return 0;
}

static int
services_finish(struct scn_ctx *c, struct gateway_config *g)
{
	size_t	i, j;
	char	why[256];

	for (i = 0; i < g->nservices; i++) {
		if (owner_finish(c, g, "services", i,
		    g->services[i].account_sid) == -1)
			return -1;
		for (j = 0; j < i; j++) {
			if (strcmp(g->services[i].sid, g->services[j].sid) !=
			    0)
				continue;
			snprintf(why, sizeof why, "duplicate sid %s (also "
			    "services[%zu])", g->services[i].sid, j);
			return fail_item(c, "services", i, "sid", why);
		}
		if (senders_finish(c, g, i) == -1)
			return -1;
	}
	return 0;
}

static int
routes_finish(struct scn_ctx *c, const struct gateway_config *g)
{
	size_t	i, j;
	char	why[256];

	for (i = 0; i < g->nroutes; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(g->routes[i].name, g->routes[j].name) != 0)
				continue;
			snprintf(why, sizeof why, "duplicate route name \"%s\" "
			    "(also gateway.routes[%zu])", g->routes[i].name, j);
			return fail_item(c, "gateway.routes", i, "name", why);
		}
	}
	return 0;
}

int
scn_gateway_finish(struct scn_ctx *c, struct scenario *s)
{
	struct gateway_config *g = &s->gateway;

	g->seed = s->seed;
	if (s->gateway_routes_derived)
		scn_routes_derive(s);
	if (accounts_finish(c, g) == -1 || numbers_finish(c, g) == -1 ||
	    services_finish(c, g) == -1 || routes_finish(c, g) == -1)
		return -1;
	return 0;
}

void
scn_gateway_release(struct gateway_config *g)
{
	size_t i;

	for (i = 0; i < g->naccounts; i++)
		free(g->accounts[i].keys);
	free(g->accounts);
	g->accounts = NULL;
	g->naccounts = 0;
	free(g->numbers);
	g->numbers = NULL;
	g->nnumbers = 0;
	for (i = 0; i < g->nservices; i++) {
		free(g->services[i].senders);
		free(g->services[i].destination_alphas);
		gateway_optout_free(g->services[i].opt_out);
	}
	free(g->countries);
	g->countries = NULL;
	g->ncountries = 0;
	free(g->services);
	g->services = NULL;
	g->nservices = 0;
	for (i = 0; i < g->nroutes; i++) {
		free(g->routes[i].prefixes);
		free(g->routes[i].error_rules);
	}
	free(g->routes);
	g->routes = NULL;
	g->nroutes = 0;
	scn_link_domains_release(g);
}
