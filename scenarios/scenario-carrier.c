/*
 * Value types of a carrier's reach: its listeners (plain or TLS), its
 * accounts and their bind types, the data codings it takes and the
 * number prefixes it serves. What happens to a message once taken is in
 * scenario-fate.c.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "scenarios/scenario-internal.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)

/* TLS: true (self-signed at start), false, or {"cert", "key"}. */
static int
tls_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	struct carrier_listen *l = base;

	l->cert[0] = l->key[0] = '\0';
	if (json_is_boolean(v)) {
		l->tls = json_is_true(v);
		return 0;
	}
	if (!json_is_object(v))
		return scn_fail(c, "must be true, false or {\"cert\": PATH, "
		    "\"key\": PATH}");
	l->tls = 1;
	if (scn_walk(c, k->sub, v, base) == -1)
		return -1;
	if ((l->cert[0] == '\0') != (l->key[0] == '\0'))
		return scn_fail(c, "give both cert and key, or neither for a "
		    "self-signed certificate");
	return 0;
}

static json_t *
tls_show(const struct scn_key *k, const void *base)
{
	const struct carrier_listen *l = base;

	if (!l->tls || l->cert[0] == '\0')
		return json_boolean(l->tls);
	return scn_show_table(k->sub, base);
}

const struct scn_type scn_type_tls = {
	.name = "boolean or object", .parse = tls_parse, .show = tls_show,
};

/* One listener: "host:port" or an object of k->sub's keys. */
static int
listen_item(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    struct carrier_listen *l)
{
	const struct scn_key *address = scn_key_find(k->sub, "address");

	memcpy(l, k->item_default, sizeof *l);
	if (json_is_string(v))
		return address->type->parse(c, address, v, l);
	if (!json_is_object(v))
		return scn_fail(c, "must be \"host:port\" or an object with "
		    "\"address\"");
	return scn_walk(c, k->sub, v, l);
}

static int
listen_one(struct scn_ctx *c, size_t i, json_t *item, void *arg)
{
	struct scn_item_arg *a = arg;

	if (listen_item(c, a->k, item, &a->p->listen[i]) == -1)
		return -1;
	a->p->nlisten = i + 1;
	return 0;
}

static int
listen_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scn_item_arg a = { k, base };

	a.p->nlisten = 0;
	return scn_walk_array(c, v, 1, CARRIER_MAX_LISTEN, "listeners",
	    listen_one, &a);
}

/* Plain listeners as the short "host:port" form they can be written in. */
static json_t *
listen_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	json_t				*a = json_array();
	size_t				 i;

	for (i = 0; i < p->nlisten; i++) {
		const struct carrier_listen *l = &p->listen[i];

		if (l->tls)
			json_array_append_new(a, scn_show_table(k->sub, l));
		else
			json_array_append_new(a, json_string(l->address));
	}
	return a;
}

const struct scn_type scn_type_listen = {
	.name = "array", .parse = listen_parse, .show = listen_show,
};

static const struct {
	const char	*word;
	unsigned	 bit;
} bind_words[] = {
	{ "tx", CARRIER_BIND_TX },
	{ "rx", CARRIER_BIND_RX },
	{ "trx", CARRIER_BIND_TRX },
};

#define NBIND_WORDS (sizeof bind_words / sizeof bind_words[0])

static int
bind_types_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	unsigned	 mask = 0;
	size_t		 i, j;
	json_t		*w;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return scn_fail(c, "must be a non-empty array of \"tx\", "
		    "\"rx\" and \"trx\"");
	json_array_foreach(v, i, w) {
		for (j = 0; j < NBIND_WORDS; j++)
			if (json_is_string(w) && strcmp(json_string_value(w),
			    bind_words[j].word) == 0)
				break;
		if (j == NBIND_WORDS) {
			scn_push_index(c, i);
			scn_fail(c, "must be \"tx\", \"rx\" or \"trx\"");
			scn_pop(c);
			return -1;
		}
		mask |= bind_words[j].bit;
	}
	memcpy(FIELD(base, k), &mask, sizeof mask);
	return 0;
}

static json_t *
bind_types_show(const struct scn_key *k, const void *base)
{
	json_t		*a = json_array();
	unsigned	 mask;
	size_t		 j;

	memcpy(&mask, CFIELD(base, k), sizeof mask);
	for (j = 0; j < NBIND_WORDS; j++)
		if (mask & bind_words[j].bit)
			json_array_append_new(a,
			    json_string(bind_words[j].word));
	return a;
}

const struct scn_type scn_type_bind_types = {
	.name = "array", .parse = bind_types_parse, .show = bind_types_show,
};

/* Two accounts with one system_id would make binds ambiguous. */
static int
accounts_unique(struct scn_ctx *c, const struct carrier_profile *p, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++) {
		if (strcmp(p->accounts[j].system_id,
		    p->accounts[i].system_id) == 0) {
			scn_push_key(c, "system_id");
			scn_fail(c, "duplicate system_id \"%s\" (also "
			    "accounts[%zu])", p->accounts[i].system_id, j);
			scn_pop(c);
			return -1;
		}
	}
	return 0;
}

static int
accounts_one(struct scn_ctx *c, size_t i, json_t *item, void *arg)
{
	struct scn_item_arg *a = arg;
	struct carrier_profile *p = a->p;

	memcpy(&p->accounts[i], a->k->item_default, sizeof p->accounts[i]);
	if (scn_walk(c, a->k->sub, item, &p->accounts[i]) == -1 ||
	    accounts_unique(c, p, i) == -1)
		return -1;
	p->naccounts = i + 1;
	return 0;
}

static int
accounts_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scn_item_arg a = { k, base };

	a.p->naccounts = 0;
	return scn_walk_array(c, v, 1, CARRIER_MAX_ACCOUNTS, "accounts",
	    accounts_one, &a);
}

static json_t *
accounts_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	json_t				*a = json_array();
	size_t				 i;

	for (i = 0; i < p->naccounts; i++)
		json_array_append_new(a, scn_show_table(k->sub,
		    &p->accounts[i]));
	return a;
}

const struct scn_type scn_type_accounts = {
	.name = "array", .parse = accounts_parse, .show = accounts_show,
};

/* The data_coding values taken; the list replaces the default set. */
static int
codings_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct carrier_profile	*p = base;
	long long		 dc;
	json_t			*item;
	size_t			 i;
	int			 rc;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return scn_fail(c, "must be a non-empty array of data_coding "
		    "values 0 to 255");
	memset(p->data_codings, 0, sizeof p->data_codings);
	json_array_foreach(v, i, item) {
		scn_push_index(c, i);
		rc = scn_get_int(c, item, 0, 255, &dc);
		scn_pop(c);
		if (rc == -1)
			return -1;
		carrier_profile_allow_coding(p, (uint8_t)dc);
	}
	return 0;
}

static json_t *
codings_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	json_t				*a = json_array();
	unsigned			 dc;

	for (dc = 0; dc < 256; dc++)
		if (carrier_profile_accepts_coding(p, (uint8_t)dc))
			json_array_append_new(a, json_integer(dc));
	return a;
}

const struct scn_type scn_type_codings = {
	.name = "array", .parse = codings_parse, .show = codings_show,
};

/* A number prefix: "+1415" or "1415", digits after an optional '+'. */
static int
prefix_check(struct scn_ctx *c, const char *s)
{
	size_t i = s[0] == '+';

	if (s[i] == '\0')
		return scn_fail(c, "\"%s\" is not a number prefix (digits "
		    "after an optional '+')", s);
	for (; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return scn_fail(c, "\"%s\" is not a number prefix "
			    "(digits after an optional '+')", s);
	return 0;
}

static int
prefix_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	char *s = FIELD(base, k);

	if (scn_get_string(c, k, v, s, CARRIER_PREFIX_MAX) == -1)
		return -1;
	return prefix_check(c, s);
}

const struct scn_type scn_type_prefix = {
	.name = "prefix", .parse = prefix_parse, .show = scn_nonempty_show,
};

static int
prefixes_one(struct scn_ctx *c, size_t i, json_t *item, void *arg)
{
	struct scn_item_arg *a = arg;
	struct scn_key one = { .name = a->k->name, .min = 1 };

	if (scn_get_string(c, &one, item, a->p->serves[i],
	    CARRIER_PREFIX_MAX) == -1 || prefix_check(c, a->p->serves[i]) == -1)
		return -1;
	a->p->nserves = i + 1;
	return 0;
}

static int
prefixes_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scn_item_arg a = { k, base };

	a.p->nserves = 0;
	return scn_walk_array(c, v, 0, CARRIER_MAX_PREFIXES, "prefixes",
	    prefixes_one, &a);
}

static json_t *
prefixes_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	json_t				*a = json_array();
	size_t				 i;

	for (i = 0; i < p->nserves; i++)
		json_array_append_new(a, json_string(p->serves[i]));
	return a;
}

const struct scn_type scn_type_prefixes = {
	.name = "array", .parse = prefixes_parse, .show = prefixes_show,
};
