/*
 * The value types of a carrier's "faults" and "quirks": which are on from
 * the start, with their parameters. The parameters are read by the same
 * descriptor rows as /sim/ requests (carriers/fault.h); this file only
 * places them in the scenario's key paths, so an error reads
 * "carriers[0].faults[1].share: must be a number between 0 and 1" with the
 * line and column of that key.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "carriers/fault.h"
#include "scenarios/scenario-internal.h"

/* Each quirk at most once (JSON keys are unique), so they always fit. */
_Static_assert(CARRIER_NQUIRKS <= CARRIER_MAX_SWITCHES,
    "more quirks than a profile holds");

int
scn_switch_params(struct scn_ctx *c, const struct carrier_switch *sw,
    json_t *params, struct carrier_switch_args *args)
{
	struct carrier_param_error	e;
	size_t				i;
	int				rc;

	if (carrier_switch_parse(sw, params, args, &e) == 0)
		return 0;
	for (i = 0; i < e.depth; i++) {
		if (e.path[i].key != NULL)
			scn_push_key(c, e.path[i].key);
		else
			scn_push_index(c, e.path[i].index);
	}
	rc = scn_fail(c, "%s", e.reason);
	for (i = 0; i < e.depth; i++)
		scn_pop(c);
	return rc;
}

/*
 * The switch name (NULL: not a string) stands for, at the current path;
 * NULL after a fail.
 */
static const struct carrier_switch *
switch_named(struct scn_ctx *c, enum carrier_switch_kind kind,
    const char *name)
{
	const struct carrier_switch *sw = NULL;
	const char *kn = carrier_switch_kind_name(kind);
	char names[512];

	if (name != NULL)
		sw = carrier_switch_find(kind, name);
	if (sw == NULL) {
		carrier_switch_names(kind, 1, names, sizeof names);
		if (name == NULL)
			scn_fail(c, "must be the name of a %s (%ss: %s)", kn,
			    kn, names);
		else
			scn_fail(c, "unknown %s \"%.40s\" (%ss: %s)", kn, name,
			    kn, names);
		return NULL;
	}
	if (sw->oneshot) {
		scn_fail(c, "%s acts once, when set through /sim/; it cannot "
		    "be on from the start", sw->name);
		return NULL;
	}
	return sw;
}

/* One fault: {"name": NAME, parameters...}. */
static int
fault_item(struct scn_ctx *c, json_t *item, struct carrier_profile *p,
    size_t i)
{
	const struct carrier_switch *sw;
	json_t *params;
	size_t j;
	int rc;

	if (!json_is_object(item))
		return scn_fail(c, "must be {\"name\": FAULT, and its "
		    "parameters}");
	scn_push_key(c, "name");
	if (json_object_get(item, "name") == NULL) {
		scn_fail(c, "required");
		sw = NULL;
	} else
		sw = switch_named(c, CARRIER_SWITCH_FAULT,
		    json_string_value(json_object_get(item, "name")));
	for (j = 0; sw != NULL && j < i; j++) {
		if (p->faults[j].id == sw->id) {
			scn_fail(c, "duplicate fault \"%s\" (also "
			    "faults[%zu])", sw->name, j);
			sw = NULL;
		}
	}
	scn_pop(c);
	if (sw == NULL)
		return -1;
	params = json_copy(item);
	json_object_del(params, "name");
	p->faults[i].id = sw->id;
	rc = scn_switch_params(c, sw, params, &p->faults[i].args);
	json_decref(params);
	return rc;
}

static int
faults_one(struct scn_ctx *c, size_t i, json_t *item, void *arg)
{
	struct scn_item_arg *a = arg;

	if (fault_item(c, item, a->p, i) == -1)
		return -1;
	a->p->nfaults = i + 1;
	return 0;
}

static int
faults_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scn_item_arg a = { k, base };

	a.p->nfaults = 0;
	return scn_walk_array(c, v, 0, CARRIER_MAX_SWITCHES, "faults, each "
	    "{\"name\": FAULT, and its parameters}", faults_one, &a);
}

static json_t *
faults_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	const struct carrier_switch	*sw;
	json_t				*a = json_array(), *o;
	size_t				 i;

	for (i = 0; i < p->nfaults; i++) {
		sw = &carrier_faults[p->faults[i].id];
		o = json_pack("{s:s}", "name", sw->name);
		json_object_update_new(o, carrier_switch_show(sw,
		    &p->faults[i].args));
		json_array_append_new(a, o);
	}
	return a;
}

const struct scn_type scn_type_faults = {
	.name = "array", .parse = faults_parse, .show = faults_show,
};

/* {"message_id": {"format": "hex"}, "no_receipt_tlvs": true, ...} */
static int
quirks_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct carrier_profile		*p = base;
	const struct carrier_switch	*sw;
	const char			*name;
	json_t				*params;
	size_t				 i = 0;
	int				 rc;

	if (!json_is_object(v))
		return scn_fail(c, "must be an object of {QUIRK: its "
		    "parameters, or true}");
	p->nquirks = 0;
	json_object_foreach(v, name, params) {
		scn_push_key(c, name);
		sw = switch_named(c, CARRIER_SWITCH_QUIRK, name);
		rc = -1;
		if (sw != NULL && !json_is_true(params) &&
		    !json_is_object(params))
			scn_fail(c, "must be true or an object of parameters");
		else if (sw != NULL) {
			p->quirks[i].id = sw->id;
			rc = scn_switch_params(c, sw, json_is_true(params) ?
			    NULL : params, &p->quirks[i].args);
		}
		scn_pop(c);
		if (rc == -1)
			return -1;
		p->nquirks = ++i;
	}
	return 0;
}

static json_t *
quirks_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	const struct carrier_switch	*sw;
	json_t				*o = json_object();
	size_t				 i;

	for (i = 0; i < p->nquirks; i++) {
		sw = &carrier_quirks[p->quirks[i].id];
		json_object_set_new(o, sw->name, carrier_switch_show(sw,
		    &p->quirks[i].args));
	}
	return o;
}

const struct scn_type scn_type_quirks = {
	.name = "object", .parse = quirks_parse, .show = quirks_show,
};
