/*
 * A test double of carriers/carrier.h for the unit tests of the /sim/
 * routes: canned JSON in the shapes docs/sim-api.md documents, no sockets,
 * no store. It implements only carrier.h, so tests drive it through the
 * real interface:
 *
 * - carrier_start() copies name, country and listeners from the profile;
 *   bind 1 exists and holds profile->capture_limit PDUs, indexes 1..N;
 * - message "m-1" exists, no other;
 * - carrier_mo_inject() refuses system_id "nobody" and a body of "\x01"
 *   (as the real one refuses text it cannot encode), else records the MO
 *   and returns count (a body is one segment here);
 * - carrier_state_json() adds "fake_mo": {"calls", "last"} so a test can
 *   see what the routes passed to carrier_mo_inject();
 * - faults refuse_binds and close_listener and the quirk message_id
 *   exist, no other; a "status" or "format" parameter that is not a
 *   string is refused as the real tables refuse it, naming it, and so is
 *   any other parameter but "for"; clearing close_listener fails (as a
 *   port taken meanwhile would make it). The parameters of what is on
 *   are kept as given and listed by carrier_faults_json().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "carriers/carrier.h"
#include "common/xmalloc.h"

struct carrier {
	struct carrier_profile	 profile;
	unsigned		 mo_calls;
	json_t			*last_mo;	/* NULL until the first MO */
	json_t			*on[2];		/* {name: params}: faults,
						   quirks */
};

static const char *const fake_names[2][3] = {
	{ "refuse_binds", "close_listener", NULL },
	{ "message_id", NULL },
};

struct carrier *
carrier_start(const struct carrier_env *env,
    const struct carrier_profile *profile, char *err, size_t errlen)
{
	struct carrier	*c = xcalloc(1, sizeof *c);

	/* Copied field by field: the rules' regex_t must not be shared. */
	memcpy(c->profile.name, profile->name, sizeof c->profile.name);
	memcpy(c->profile.country, profile->country,
	    sizeof c->profile.country);
	memcpy(c->profile.listen, profile->listen, sizeof c->profile.listen);
	c->profile.nlisten = profile->nlisten;
	c->profile.capture_limit = profile->capture_limit;
	c->on[0] = json_object();
	c->on[1] = json_object();
	return c;
}

void
carrier_free(struct carrier *c)
{
	if (c == NULL)
		return;
	json_decref(c->last_mo);
	json_decref(c->on[0]);
	json_decref(c->on[1]);
	free(c);
}

const char *
carrier_name(const struct carrier *c)
{
	return c->profile.name;
}

const struct carrier_profile *
carrier_profile(const struct carrier *c)
{
	return &c->profile;
}

unsigned
carrier_bound_count(const struct carrier *c)
{
	return 1;
}

int
carrier_busy(const struct carrier *c)
{
	return 0;
}

int
carrier_mo_inject(struct carrier *c, const struct carrier_mo *mo, char *err,
    size_t errlen)
{
	if (strcmp(mo->system_id, "nobody") == 0) {
		snprintf(err, errlen, "no account with system_id \"%s\"",
		    mo->system_id);
		return -1;
	}
	if (strcmp(mo->body, "\x01") == 0) {
		snprintf(err, errlen, "body: not encodable in %s",
		    mo->encoding);
		return -1;
	}
	json_decref(c->last_mo);
	c->last_mo = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:b, "
	    "s:b}", "from", mo->from, "to", mo->to, "body", mo->body,
	    "encoding", mo->encoding, "system_id", mo->system_id, "count",
	    (int)mo->count, "rate", mo->rate, "payload", mo->payload,
	    "as_data_sm", mo->as_data_sm);
	c->mo_calls++;
	return mo->count == 0 ? 1 : (int)mo->count;
}

/* ---- faults (kind 0) and quirks (kind 1) ---- */

static int
fake_known(int kind, const char *name, char *err, size_t errlen)
{
	size_t	i;

	for (i = 0; fake_names[kind][i] != NULL; i++)
		if (strcmp(fake_names[kind][i], name) == 0)
			return 1;
	snprintf(err, errlen, "no %s named \"%s\"", kind == 0 ? "fault" :
	    "quirk", name);
	return 0;
}

static int
fake_set(struct carrier *c, int kind, const char *name, json_t *params,
    char *err, size_t errlen)
{
	const char	*key;
	json_t		*v;

	if (!fake_known(kind, name, err, errlen))
		return CARRIER_SWITCH_UNKNOWN;
	json_object_foreach(params, key, v) {
		if ((strcmp(key, "status") == 0 || strcmp(key, "format") ==
		    0) && json_is_string(v))
			continue;
		if (strcmp(key, "for") == 0)
			continue;
		snprintf(err, errlen, "%s: must be a string", key);
		return CARRIER_SWITCH_INVALID;
	}
	json_object_set_new(c->on[kind], name, params != NULL ?
	    json_deep_copy(params) : json_object());
	return CARRIER_SWITCH_OK;
}

static int
fake_clear(struct carrier *c, int kind, const char *name, char *err,
    size_t errlen)
{
	if (!fake_known(kind, name, err, errlen))
		return CARRIER_SWITCH_UNKNOWN;
	if (json_object_get(c->on[kind], name) == NULL)
		return CARRIER_SWITCH_NOT_ON;
	if (strcmp(name, "close_listener") == 0) {
		snprintf(err, errlen, "listen 127.0.0.1:2775: Address already "
		    "in use");
		return CARRIER_SWITCH_FAILED;
	}
	json_object_del(c->on[kind], name);
	return CARRIER_SWITCH_OK;
}

static json_t *
fake_list(struct carrier *c, int kind)
{
	json_t		*list = json_array(), *params;
	const char	*name;

	json_object_foreach(c->on[kind], name, params)
		json_array_append_new(list, json_pack("{s:s, s:O, s:s, s:n}",
		    "name", name, "params", params, "since",
		    "2024-05-01T12:00:00.250Z", "until"));
	return list;
}

int
carrier_fault_set(struct carrier *c, const char *name, json_t *params,
    char *err, size_t errlen)
{
	return fake_set(c, 0, name, params, err, errlen);
}

int
carrier_fault_clear(struct carrier *c, const char *name, char *err,
    size_t errlen)
{
	return fake_clear(c, 0, name, err, errlen);
}

int
carrier_quirk_set(struct carrier *c, const char *name, json_t *params,
    char *err, size_t errlen)
{
	return fake_set(c, 1, name, params, err, errlen);
}

int
carrier_quirk_clear(struct carrier *c, const char *name, char *err,
    size_t errlen)
{
	return fake_clear(c, 1, name, err, errlen);
}

json_t *
carrier_faults_json(struct carrier *c)
{
	return fake_list(c, 0);
}

json_t *
carrier_quirks_json(struct carrier *c)
{
	return fake_list(c, 1);
}

/* The shapes follow carriers/carrier-json.c, trimmed. */
static json_t *
fake_bind_json(unsigned id, const char *state)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:n, "
	    "s:i, s:{s:i, s:i}}", "id", (int)id, "system_id", "test", "type",
	    "trx", "peer", "127.0.0.1:40000", "tls", 0, "state", state,
	    "opened_at", "2024-05-01T12:00:00.000Z", "bound_at",
	    "2024-05-01T12:00:00.010Z", "closed_at", "captured", 4,
	    "counters", "pdus_in", 2, "pdus_out", 2);
}

static json_t *
fake_listen_json(const struct carrier *c)
{
	json_t	*list = json_array();
	size_t	 i;

	for (i = 0; i < c->profile.nlisten; i++)
		json_array_append_new(list, json_pack("{s:s, s:b}",
		    "address", c->profile.listen[i].address, "tls",
		    c->profile.listen[i].tls));
	return list;
}

json_t *
carrier_state_json(struct carrier *c)
{
	json_t	*mo = json_pack("{s:i, s:O?}", "calls", (int)c->mo_calls,
	    "last", c->last_mo);

	return json_pack("{s:s, s:s, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:[o], "
	    "s:{s:i, s:i}, s:{s:i, s:i, s:i}, s:o}", "name", c->profile.name,
	    "country", c->profile.country, "listen", fake_listen_json(c),
	    "accepts", "short_code", 0, "long_code", 1, "toll_free", 0,
	    "alphanumeric", 0, "mms", 0, "binds", fake_bind_json(1,
	    "BOUND_TRX"), "counters", "pdus_in", 2, "pdus_out", 2, "outbox",
	    "pending", 0, "held", 0, "in_flight", 0, "fake_mo", mo);
}

json_t *
carrier_binds_json(struct carrier *c)
{
	return json_pack("[o]", fake_bind_json(1, "BOUND_TRX"));
}

json_t *
carrier_pdus_json(struct carrier *c, unsigned bind_id, uint64_t since,
    size_t limit)
{
	json_t		*list;
	uint64_t	 i;

	if (bind_id != 1)
		return NULL;
	list = json_array();
	for (i = since + 1; i <= c->profile.capture_limit &&
	    json_array_size(list) < limit; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, "
		    "s:{s:s, s:I}}", "index", (json_int_t)i, "time",
		    "2024-05-01T12:00:00.000Z", "dir", i % 2 ? "in" : "out",
		    "pdu", "command", "enquire_link", "sequence_number",
		    (json_int_t)i));
	return list;
}

json_t *
carrier_message_json(struct carrier *c, const char *id)
{
	if (strcmp(id, "m-1") != 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s}", "message_id", id,
	    "destination_addr", "14155550100", "state", "DELIVRD",
	    "final_state", "DELIVRD");
}

void
carrier_metrics_write(struct carrier *const *carriers, size_t n,
    struct evbuffer *out)
{
	size_t	i;

	evbuffer_add_printf(out, "# HELP carrierlab_binds Bound SMPP "
	    "sessions.\n# TYPE carrierlab_binds gauge\n");
	for (i = 0; i < n; i++)
		evbuffer_add_printf(out, "carrierlab_binds"
		    "{carrier=\"%s\"} %u\n", carrier_name(carriers[i]),
		    carrier_bound_count(carriers[i]));
}
