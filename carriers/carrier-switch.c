/*
 * Switching a carrier's faults and quirks on and off, by /sim/ request,
 * from the scenario at start, or when a "for" runs out. Every switch goes
 * through carrier_switch_on() and carrier_switch_off(): the one place that
 * sets the bit the per-message code tests, runs the descriptor's apply or
 * undo, arms the "for" timer, logs and counts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier-internal.h"

#define SWITCH_RETRY_USEC	CLOCK_USEC_PER_SEC	/* undo failed */

static struct carrier_switch_state *
switch_state(struct carrier *c, const struct carrier_switch *sw)
{
	return sw->kind == CARRIER_SWITCH_FAULT ? &c->faults[sw->id] :
	    &c->quirks[sw->id];
}

static unsigned *
switch_mask(struct carrier *c, const struct carrier_switch *sw)
{
	return sw->kind == CARRIER_SWITCH_FAULT ? &c->fault_on : &c->quirk_on;
}

/* " status=ESME_RBINDFAIL share=0.5 for=5s": the parameters for a log
 * line, strings bare unless they need quotes. */
static void
switch_log_params(const struct carrier_switch *sw,
    const struct carrier_switch_args *args, char *buf, size_t len)
{
	json_t *o = carrier_switch_show(sw, args), *v;
	const char *key, *s;
	char *text;

	buf[0] = '\0';
	json_object_foreach(o, key, v) {
		s = json_string_value(v);
		if (s != NULL && s[0] != '\0' && strpbrk(s, " \"=") == NULL)
			text = xstrdup(s);
		else
			text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		strlcat(buf, " ", len);
		strlcat(buf, key, len);
		strlcat(buf, "=", len);
		strlcat(buf, text != NULL ? text : "?", len);
		free(text);
	}
	json_decref(o);
}

static void
switch_expire(struct clock_timer *t, void *arg)
{
	struct carrier_switch_state *st = arg;
	char err[256];

	if (carrier_switch_off(st->carrier, st->sw, "expired", err,
	    sizeof err) == CARRIER_SWITCH_FAILED)
		clock_timer_add(t, SWITCH_RETRY_USEC);
}

int
carrier_switch_on(struct carrier *c, const struct carrier_switch *sw,
    const struct carrier_switch_args *args, char *err, size_t errlen)
{
	struct carrier_switch_state *st = switch_state(c, sw);
	const char *kind = carrier_switch_kind_name(sw->kind);
	char params[512];
	int was = st->on;

	switch_log_params(sw, args, params, sizeof params);
	if (!sw->oneshot) {
		st->args = *args;
		st->on = 1;
		*switch_mask(c, sw) |= 1u << sw->id;
		if (!was)
			st->since = carrier_now(c);
		st->until = args->for_usec > 0 ? carrier_now(c) +
		    args->for_usec : 0;
		if (args->for_usec > 0)
			clock_timer_add(st->timer, args->for_usec);
		else
			clock_timer_del(st->timer);
	}
	log_info("%s %s-%s name=%s%s", c->p->name, kind, was ? "update" :
	    "on", sw->name, params);
	if (!was)
		st->switched_on++;
	if (sw->apply != NULL && sw->apply(c, args, err, errlen) == -1)
		return CARRIER_SWITCH_FAILED;
	return CARRIER_SWITCH_OK;
}

int
carrier_switch_off(struct carrier *c, const struct carrier_switch *sw,
    const char *reason, char *err, size_t errlen)
{
	struct carrier_switch_state *st = switch_state(c, sw);
	const char *kind = carrier_switch_kind_name(sw->kind);

	if (!st->on)
		return CARRIER_SWITCH_NOT_ON;
	/* Off first: undo may send what the switch held back. */
	st->on = 0;
	*switch_mask(c, sw) &= ~(1u << sw->id);
	if (sw->undo != NULL && sw->undo(c, err, errlen) == -1) {
		st->on = 1;
		*switch_mask(c, sw) |= 1u << sw->id;
		log_warnx("%s %s-off-failed name=%s reason=\"%s\"", c->p->name,
		    kind, sw->name, err);
		return CARRIER_SWITCH_FAILED;
	}
	clock_timer_del(st->timer);
	st->until = 0;
	st->switched_off++;
	log_info("%s %s-off name=%s reason=%s", c->p->name, kind, sw->name,
	    reason);
	return CARRIER_SWITCH_OK;
}

/* "refuse_binds, close_listener, ...": for an unknown name. */
void
carrier_switch_names(enum carrier_switch_kind kind, int settable, char *buf,
    size_t len)
{
	const struct carrier_switch *t;
	size_t n, i;

	buf[0] = '\0';
	t = carrier_switch_table(kind, &n);
	for (i = 0; i < n; i++) {
		if (settable && t[i].oneshot)
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ", ", len);
		strlcat(buf, t[i].name, len);
	}
}

static int
switch_set(struct carrier *c, enum carrier_switch_kind kind,
    const char *name, json_t *params, char *err, size_t errlen)
{
	const struct carrier_switch *sw = carrier_switch_find(kind, name);
	struct carrier_switch_args *args;
	struct carrier_param_error perr;
	char names[512];
	int rc;

	if (sw == NULL) {
		carrier_switch_names(kind, 0, names, sizeof names);
		snprintf(err, errlen, "no %s named \"%s\" (%ss: %s)",
		    carrier_switch_kind_name(kind), name,
		    carrier_switch_kind_name(kind), names);
		return CARRIER_SWITCH_UNKNOWN;
	}
	args = xmalloc(sizeof *args);
	if (carrier_switch_parse(sw, params, args, &perr) == -1) {
		carrier_param_error_format(&perr, err, errlen);
		free(args);
		return CARRIER_SWITCH_INVALID;
	}
	rc = carrier_switch_on(c, sw, args, err, errlen);
	free(args);
	return rc;
}

static int
switch_clear(struct carrier *c, enum carrier_switch_kind kind,
    const char *name, char *err, size_t errlen)
{
	const struct carrier_switch *sw = carrier_switch_find(kind, name);
	char names[512];

	if (sw == NULL) {
		carrier_switch_names(kind, 0, names, sizeof names);
		snprintf(err, errlen, "no %s named \"%s\" (%ss: %s)",
		    carrier_switch_kind_name(kind), name,
		    carrier_switch_kind_name(kind), names);
		return CARRIER_SWITCH_UNKNOWN;
	}
	return carrier_switch_off(c, sw, "cleared", err, errlen);
}

int
carrier_fault_set(struct carrier *c, const char *name, json_t *params,
    char *err, size_t errlen)
{
	return switch_set(c, CARRIER_SWITCH_FAULT, name, params, err, errlen);
}

int
carrier_fault_clear(struct carrier *c, const char *name, char *err,
    size_t errlen)
{
	return switch_clear(c, CARRIER_SWITCH_FAULT, name, err, errlen);
}

int
carrier_quirk_set(struct carrier *c, const char *name, json_t *params,
    char *err, size_t errlen)
{
	return switch_set(c, CARRIER_SWITCH_QUIRK, name, params, err, errlen);
}

int
carrier_quirk_clear(struct carrier *c, const char *name, char *err,
    size_t errlen)
{
	return switch_clear(c, CARRIER_SWITCH_QUIRK, name, err, errlen);
}

/* ---- life cycle ---- */

static void
switches_init_kind(struct carrier *c, enum carrier_switch_kind kind,
    struct carrier_switch_state *states)
{
	const struct carrier_switch *t;
	size_t n, i;

	t = carrier_switch_table(kind, &n);
	for (i = 0; i < n; i++) {
		states[i].carrier = c;
		states[i].sw = &t[i];
		states[i].timer = clock_timer_new(c->env.clock, switch_expire,
		    &states[i]);
	}
}

void
carrier_switches_init(struct carrier *c)
{
	switches_init_kind(c, CARRIER_SWITCH_FAULT, c->faults);
	switches_init_kind(c, CARRIER_SWITCH_QUIRK, c->quirks);
}

static void
switches_start_kind(struct carrier *c, enum carrier_switch_kind kind,
    const struct carrier_switch_setting *set, size_t nset)
{
	const struct carrier_switch *t;
	char err[256];
	size_t n, i;

	t = carrier_switch_table(kind, &n);
	for (i = 0; i < nset; i++)
		if (set[i].id < n && carrier_switch_on(c, &t[set[i].id],
		    &set[i].args, err, sizeof err) != CARRIER_SWITCH_OK)
			log_warnx("%s %s-failed name=%s reason=\"%s\"",
			    c->p->name, carrier_switch_kind_name(kind),
			    t[set[i].id].name, err);
}

void
carrier_switches_start(struct carrier *c)
{
	switches_start_kind(c, CARRIER_SWITCH_QUIRK, c->p->quirks,
	    c->p->nquirks);
	switches_start_kind(c, CARRIER_SWITCH_FAULT, c->p->faults,
	    c->p->nfaults);
}

void
carrier_switches_free(struct carrier *c)
{
	size_t i;

	for (i = 0; i < CARRIER_NFAULTS; i++) {
		clock_timer_free(c->faults[i].timer);
		c->faults[i].timer = NULL;
	}
	for (i = 0; i < CARRIER_NQUIRKS; i++) {
		clock_timer_free(c->quirks[i].timer);
		c->quirks[i].timer = NULL;
	}
}
