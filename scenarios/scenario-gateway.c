/*
 * The "gateway" object of a scenario: the outbound routes (SMPP sessions
 * to carriers, simulated or real), their carrier-outcome → Twilio error
 * overrides, status callback retries and the store's durability. When a
 * file gives no gateway.routes, each simulated carrier gets a route.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/names.h"
#include "scenarios/scenario-internal.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)

#define KIB			((size_t)1024)
#define SIZE_MIN_BYTES		KIB
#define SIZE_MAX_BYTES		(KIB * KIB * KIB)	/* 1 GiB */

static const struct {
	const char	*unit;
	size_t		 bytes;
} size_units[] = {
	{ "GiB", KIB * KIB * KIB }, { "MiB", KIB * KIB }, { "KiB", KIB },
	{ "GB", 1000 * 1000 * 1000 }, { "MB", 1000 * 1000 }, { "kB", 1000 },
	{ "B", 1 },
};

/* "1MiB", "512KiB", "64kB", or a bare integer of bytes; too large a
 * value reads as SIZE_MAX, for the range check to refuse. */
static int
size_text(const char *s, size_t *bytes)
{
	unsigned long long	 n;
	char			*end;
	size_t			 i;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		n = ULLONG_MAX;
	for (i = 0; i < sizeof size_units / sizeof *size_units; i++)
		if (strcmp(end, size_units[i].unit) == 0)
			break;
	if (i == sizeof size_units / sizeof *size_units) {
		if (*end != '\0')
			return -1;
		i--;				/* "B" */
	}
	*bytes = n > SIZE_MAX_BYTES / size_units[i].bytes ? SIZE_MAX :
	    (size_t)n * size_units[i].bytes;
	return 0;
}

static int
size_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	size_t bytes = 0;

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		bytes = json_integer_value(v) > (json_int_t)SIZE_MAX_BYTES ?
		    SIZE_MAX : (size_t)json_integer_value(v);
	else if (!json_is_string(v) || size_text(json_string_value(v),
	    &bytes) == -1)
		return scn_fail(c, "must be a size such as \"1MiB\", \"512KiB\" "
		    "or a number of bytes");
	if (bytes < SIZE_MIN_BYTES || bytes > SIZE_MAX_BYTES)
		return scn_fail(c, "must be between 1KiB and 1GiB");
	memcpy(FIELD(base, k), &bytes, sizeof bytes);
	return 0;
}

/* In the largest binary unit that shows it exactly. */
static json_t *
size_show(const struct scn_key *k, const void *base)
{
	size_t	bytes, i;
	char	buf[32];

	memcpy(&bytes, CFIELD(base, k), sizeof bytes);
	for (i = 0; i < 3; i++)
		if (bytes % size_units[i].bytes == 0)
			break;
	if (i == 3)
		return json_integer((json_int_t)bytes);
	snprintf(buf, sizeof buf, "%zu%s", bytes / size_units[i].bytes,
	    size_units[i].unit);
	return json_string(buf);
}

const struct scn_type scn_type_size = {
	.name = "size", .parse = size_parse, .show = size_show,
};

/* "trx": one transceiver per session; "tx+rx": a transmitter and a
 * receiver per session. */
static int
bind_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	unsigned bind;

	if (json_is_string(v) && strcmp(json_string_value(v), "trx") == 0)
		bind = GATEWAY_BIND_TRX;
	else if (json_is_string(v) && strcmp(json_string_value(v), "tx+rx") ==
	    0)
		bind = GATEWAY_BIND_TX | GATEWAY_BIND_RX;
	else
		return scn_fail(c, "must be %s", k->range);
	memcpy(FIELD(base, k), &bind, sizeof bind);
	return 0;
}

static json_t *
bind_show(const struct scn_key *k, const void *base)
{
	unsigned bind;

	memcpy(&bind, CFIELD(base, k), sizeof bind);
	return json_string(bind == GATEWAY_BIND_TRX ? "trx" : "tx+rx");
}

const struct scn_type scn_type_route_bind = {
	.name = "string", .parse = bind_parse, .show = bind_show,
};

/* A rule's message status: "undelivered" or "failed"; -1: the kind's. */
static int
rstatus_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	int st = json_is_string(v) ? gw_status_parse(json_string_value(v)) :
	    -1;

	if (st != GW_STATUS_UNDELIVERED && st != GW_STATUS_FAILED)
		return scn_fail(c, "must be %s", k->range);
	memcpy(FIELD(base, k), &st, sizeof st);
	return 0;
}

static json_t *
rstatus_show(const struct scn_key *k, const void *base)
{
	int st;

	memcpy(&st, CFIELD(base, k), sizeof st);
	return st < 0 ? NULL : json_string(gw_status_name(st));
}

const struct scn_type scn_type_route_status = {
	.name = "string", .parse = rstatus_parse, .show = rstatus_show,
};

/* An int between k->min and k->max; left out (-1) it matches any. */
static int
any_int_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	long long	x;
	int		i;

	if (scn_get_int(c, v, (long long)k->min, (long long)k->max, &x) == -1)
		return -1;
	i = (int)x;
	memcpy(FIELD(base, k), &i, sizeof i);
	return 0;
}

static json_t *
any_int_show(const struct scn_key *k, const void *base)
{
	int i;

	memcpy(&i, CFIELD(base, k), sizeof i);
	return i < 0 ? NULL : json_integer(i);
}

const struct scn_type scn_type_any_int = {
	.name = "integer", .parse = any_int_parse, .show = any_int_show,
};

/* The matchers of a rule are shown only for the rule's kind. */
static int
rule_object_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return scn_walk(c, k->sub, v, base);
}

static json_t *
rule_receipt_show(const struct scn_key *k, const void *base)
{
	const struct gateway_error_rule *r = base;

	return r->kind != GATEWAY_OUTCOME_RECEIPT ? NULL :
	    scn_show_table(k->sub, base);
}

const struct scn_type scn_type_rule_receipt = {
	.name = "object", .parse = rule_object_parse,
	.show = rule_receipt_show,
};

static json_t *
rule_network_show(const struct scn_key *k, const void *base)
{
	const struct gateway_error_rule *r = base;

	return r->kind != GATEWAY_OUTCOME_NETWORK ? NULL :
	    scn_show_table(k->sub, base);
}

const struct scn_type scn_type_rule_network = {
	.name = "object", .parse = rule_object_parse,
	.show = rule_network_show,
};

/* What a rule looks at: exactly one of its three matchers. */
int
scn_error_rule_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	struct gateway_error_rule	*r = item;
	int				 submit, receipt, network;

	submit = json_object_get(v, "submit_status") != NULL;
	receipt = json_object_get(v, "receipt") != NULL;
	network = json_object_get(v, "network_error_code") != NULL;
	if (submit + receipt + network != 1)
		return scn_fail(c, "needs exactly one of submit_status, "
		    "receipt and network_error_code");
	r->kind = submit ? GATEWAY_OUTCOME_SUBMIT : receipt ?
	    GATEWAY_OUTCOME_RECEIPT : GATEWAY_OUTCOME_NETWORK;
	if (r->retry && !submit) {
		scn_push_key(c, "retry");
		scn_fail(c, "only goes with submit_status");
		scn_pop(c);
		return -1;
	}
	return 0;
}

/* A CA file to verify a carrier with; none: the system's. */
static int
ca_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	return scn_type_path.parse(c, k, v, base);
}

const struct scn_type scn_type_ca_path = {
	.name = "path", .parse = ca_parse, .show = scn_nonempty_show,
};

/* A receipt's stat word as the carrier writes it: no space, no ':'. */
static int
stat_word_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	char *s = FIELD(base, k);

	if (scn_get_string(c, k, v, s, k->size) == -1)
		return -1;
	if (strpbrk(s, " :") != NULL)
		return scn_fail(c, "\"%s\": a stat word has no space or ':'",
		    s);
	return 0;
}

const struct scn_type scn_type_stat_word = {
	.name = "string", .parse = stat_word_parse, .show = scn_nonempty_show,
};

/* A destination prefix: '+' and up to 20 digits ("+" alone: any). */
int
scn_route_prefix_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	const char	*s = item;
	size_t		 i;

	if (s[0] != '+')
		return scn_fail(c, "\"%s\" must start with '+' (an E.164 "
		    "prefix such as \"+1\" or \"+4420\")", s);
	for (i = 1; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return scn_fail(c, "\"%s\": only digits may follow "
			    "the '+'", s);
	return 0;
}

int
scn_route_check(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *item)
{
	const struct gateway_route *r = item;

	if (r->reconnect_max < r->reconnect_min) {
		scn_push_key(c, "reconnect");
		scn_fail(c, "max is below min");
		scn_pop(c);
		return -1;
	}
	if (r->tls_ca[0] != '\0' && !r->tls) {
		scn_push_key(c, "tls_ca");
		scn_fail(c, "only goes with \"tls\": true");
		scn_pop(c);
		return -1;
	}
	return 0;
}

/* Given routes replace the ones made from the carriers. */
static int
routes_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scenario *s = base;

	s->gateway_routes_derived = 0;
	return scn_type_list.parse(c, k, v, base);
}

static json_t *
routes_show(const struct scn_key *k, const void *base)
{
	return scn_type_list.show(k, base);
}

const struct scn_type scn_type_routes = {
	.name = "array", .parse = routes_parse, .show = routes_show,
};

/* ---- Routes made from the simulated carriers. ---- */

/* The account a gateway binds with: the one named "gateway", else the
 * first. */
static const struct carrier_account *
derive_account(const struct carrier_profile *p)
{
	size_t i;

	for (i = 0; i < p->naccounts; i++)
		if (strcmp(p->accounts[i].system_id, "gateway") == 0)
			return &p->accounts[i];
	return p->naccounts > 0 ? &p->accounts[0] : NULL;
}

/* A wildcard listen host is reached on loopback. */
static void
derive_address(const char *listen, char *out, size_t size)
{
	const char *port = strrchr(listen, ':');

	if (strncmp(listen, "0.0.0.0:", 8) == 0)
		snprintf(out, size, "127.0.0.1%s", port);
	else if (strncmp(listen, "[::]:", 5) == 0)
		snprintf(out, size, "[::1]%s", port);
	else
		snprintf(out, size, "%s", listen);
}

/* The first plain listener; else the first, over TLS, not verified (its
 * certificate is self-signed or the scenario's own). */
static void
derive_connect(const struct carrier_profile *p, struct gateway_route *r)
{
	size_t i;

	for (i = 0; i < p->nlisten; i++)
		if (!p->listen[i].tls)
			break;
	if (i == p->nlisten) {
		i = 0;
		r->tls = 1;
		r->tls_verify = 0;
	}
	derive_address(p->listen[i].address, r->address, sizeof r->address);
}

static const struct {
	unsigned			carrier;
	enum gateway_sender_kind	gateway;
} sender_bits[] = {
	{ CARRIER_SENDER_SHORT_CODE, GATEWAY_SENDER_SHORT_CODE },
	{ CARRIER_SENDER_LONG_CODE, GATEWAY_SENDER_LONG_CODE },
	{ CARRIER_SENDER_TOLL_FREE, GATEWAY_SENDER_TOLL_FREE },
	{ CARRIER_SENDER_ALPHANUMERIC, GATEWAY_SENDER_ALPHANUMERIC },
};

static void
derive_route(const struct carrier_profile *p, const struct gateway_route *def,
    struct gateway_route *r)
{
	const struct carrier_account	*a = derive_account(p);
	size_t				 i;

	*r = *def;
	r->prefixes = NULL;
	r->error_rules = NULL;
	snprintf(r->name, sizeof r->name, "%s", p->name);
	derive_connect(p, r);
	if (a != NULL) {
		snprintf(r->system_id, sizeof r->system_id, "%s", a->system_id);
		snprintf(r->password, sizeof r->password, "%s", a->password);
	}
	/* A carrier that serves every destination gets "+": any. */
	r->nprefixes = p->nserves > 0 ? p->nserves : 1;
	r->prefixes = xcalloc(r->nprefixes, sizeof *r->prefixes);
	for (i = 0; i < p->nserves; i++)
		snprintf(r->prefixes[i], sizeof r->prefixes[i], "%s%s",
		    p->serves[i][0] == '+' ? "" : "+", p->serves[i]);
	if (p->nserves == 0)
		snprintf(r->prefixes[0], sizeof r->prefixes[0], "+");
	scenario_route_accepts(p, &r->accepts_kinds, &r->accepts_mms);
}

void
scenario_route_accepts(const struct carrier_profile *p, unsigned *kinds,
    int *mms)
{
	size_t i;

	*kinds = 0;
	for (i = 0; i < sizeof sender_bits / sizeof *sender_bits; i++)
		if (p->senders & sender_bits[i].carrier)
			*kinds |= 1u << sender_bits[i].gateway;
	*mms = p->mms;
}

void
scn_routes_derive(struct scenario *s)
{
	const struct scn_key	*gw = scn_key_find(scn_top_keys, "gateway");
	const struct scn_key	*routes = scn_key_find(gw->sub, "routes");
	struct gateway_config	*g = &s->gateway;
	size_t			 i;

	g->routes = xcalloc(s->ncarriers > 0 ? s->ncarriers : 1,
	    sizeof *g->routes);
	for (i = 0; i < s->ncarriers; i++) {
		derive_route(&s->carriers[i], routes->item_default,
		    &g->routes[i]);
		g->nroutes = i + 1;
	}
}
