/*
 * Sticky sender mappings (recipient → sender, per service) and alerts.
 *
 * A mapping unused for sticky_ttl expires: gw_sticky_get() drops it when
 * it finds it expired, and a sweep on the clock drops the others so that
 * each sender's count of mappings (which the scaler reads) stays right.
 * The sweep runs when the oldest mapping expires, no more often than
 * every ttl/100 (at most an hour): under a year's ttl that is hourly.
 *
 * last_used is written to the store only when it moved by ttl/100 or
 * more (a year's ttl: 3.65 days): a mapping used by every message costs
 * no write per message, and expires at most 1% early after a restart.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/services-internal.h"
#include "gateway/store.h"

#define GW_SWEEP_MAX	(INT64_C(3600) * CLOCK_USEC_PER_SEC)

int
gw_sticky_cmp(const struct gw_sticky *a, const struct gw_sticky *b)
{
	return strcmp(a->to, b->to);
}

RB_GENERATE(gw_sticky_tree, gw_sticky, by_to, gw_sticky_cmp);

/* How far last_used may move before it is written again, and the
 * least gap between sweeps. */
static int64_t
gw_sticky_slack(const struct gw_services *reg)
{
	int64_t slack = reg->sticky_ttl / 100;

	if (slack > GW_SWEEP_MAX)
		slack = GW_SWEEP_MAX;
	return slack > 0 ? slack : 1;
}

static struct gw_sticky *
gw_sticky_find(struct gw_service *s, const char *to)
{
	struct gw_sticky key;

	if (strlcpy(key.to, to, sizeof(key.to)) >= sizeof(key.to))
		return NULL;
	return RB_FIND(gw_sticky_tree, &s->sticky, &key);
}

static void
gw_sticky_write(struct gw_services *reg, const struct gw_service *s,
    const struct gw_sticky *st)
{
	char key[GW_OBJECT_KEY_MAX], *text;
	json_t *o;

	if (reg->loading)
		return;
	o = json_object();
	json_object_set_new(o, "to", json_string(st->to));
	json_object_set_new(o, "sender_sid", json_string(st->sender_sid));
	json_object_set_new(o, "last_used", json_integer(st->last_used));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	gw_services_key(key, sizeof(key), s->sid, st->to);
	gw_store_put_object(reg->gw->store, GW_OBJ_STICKY, key,
	    s->account_sid, s->sid, st->last_used, text);
	free(text);
}

/* Counts a mapping to the sender with sid (when it is in the pool). */
static void
gw_sticky_count(struct gw_service *s, const char *sender_sid, int delta)
{
	struct gw_sender *snd = gw_service_sender_find(s, sender_sid);

	if (snd == NULL)
		return;
	if (delta > 0)
		snd->mappings++;
	else if (snd->mappings > 0)
		snd->mappings--;
}

void
gw_sticky_drop(struct gw_services *reg, struct gw_service *s,
    struct gw_sticky *st)
{
	char key[GW_OBJECT_KEY_MAX];

	RB_REMOVE(gw_sticky_tree, &s->sticky, st);
	s->nsticky--;
	reg->nsticky--;
	gw_sticky_count(s, st->sender_sid, -1);
	if (!reg->loading) {
		gw_services_key(key, sizeof(key), s->sid, st->to);
		gw_store_delete_object(reg->gw->store, GW_OBJ_STICKY, key);
	}
	free(st);
}

void
gw_sticky_drop_sender(struct gw_services *reg, struct gw_service *s,
    const struct gw_sender *snd)
{
	struct gw_sticky *st, *next;
	size_t n = 0;

	RB_FOREACH_SAFE(st, gw_sticky_tree, &s->sticky, next)
		if (strcmp(st->sender_sid, snd->sid) == 0) {
			gw_sticky_drop(reg, s, st);
			n++;
		}
	if (n > 0)
		log_info("service %s sticky-dropped sender=%s mappings=%zu",
		    s->sid, snd->sid, n);
}

void
gw_sticky_drop_country(struct gw_services *reg, struct gw_service *s,
    const char *country)
{
	struct gw_sticky *st, *next;
	size_t n = 0;

	RB_FOREACH_SAFE(st, gw_sticky_tree, &s->sticky, next)
		if (strcmp(gw_country_of(st->to), country) == 0) {
			gw_sticky_drop(reg, s, st);
			n++;
		}
	if (n > 0)
		log_info("service %s sticky-remapped country=%s mappings=%zu",
		    s->sid, country, n);
}

static struct gw_sticky *
gw_sticky_insert(struct gw_services *reg, struct gw_service *s,
    const char *to)
{
	struct gw_sticky *st = xcalloc(1, sizeof(*st));

	strlcpy(st->to, to, sizeof(st->to));
	RB_INSERT(gw_sticky_tree, &s->sticky, st);
	s->nsticky++;
	reg->nsticky++;
	return st;
}

void
gw_sticky_restore(struct gw_services *reg, struct gw_service *s,
    const char *to, const char *sender_sid, int64_t last_used)
{
	struct gw_sticky *st;
	char key[GW_OBJECT_KEY_MAX];

	if (gw_service_sender_find(s, sender_sid) == NULL ||
	    gw_services_now(reg) - last_used >= reg->sticky_ttl ||
	    strlen(to) >= sizeof(st->to) || gw_sticky_find(s, to) != NULL) {
		gw_services_key(key, sizeof(key), s->sid, to);
		gw_store_delete_object(reg->gw->store, GW_OBJ_STICKY, key);
		return;
	}
	st = gw_sticky_insert(reg, s, to);
	strlcpy(st->sender_sid, sender_sid, sizeof(st->sender_sid));
	st->last_used = last_used;
	gw_sticky_count(s, sender_sid, 1);
}

struct gw_sticky *
gw_sticky_get(struct gw_services *reg, struct gw_service *s, const char *to,
    int64_t now)
{
	struct gw_sticky *st = gw_sticky_find(s, to);

	if (st == NULL)
		return NULL;
	if (now - st->last_used >= reg->sticky_ttl) {
		log_info("service %s sticky-expired to=%s sender=%s", s->sid,
		    st->to, st->sender_sid);
		gw_sticky_drop(reg, s, st);
		return NULL;
	}
	return st;
}

void
gw_sticky_set(struct gw_services *reg, struct gw_service *s, const char *to,
    const struct gw_sender *snd, int64_t now)
{
	struct gw_sticky *st = gw_sticky_find(s, to);

	if (strlen(to) >= sizeof(st->to) ||
	    gw_service_sender_find(s, snd->sid) == NULL)
		return;
	if (st != NULL && strcmp(st->sender_sid, snd->sid) == 0 &&
	    now >= st->last_used && now - st->last_used <
	    gw_sticky_slack(reg))
		return;		/* recent enough: no write */
	if (st == NULL)
		st = gw_sticky_insert(reg, s, to);
	else
		gw_sticky_count(s, st->sender_sid, -1);
	strlcpy(st->sender_sid, snd->sid, sizeof(st->sender_sid));
	gw_sticky_count(s, st->sender_sid, 1);
	st->last_used = now;
	gw_sticky_write(reg, s, st);
	gw_sticky_sweep_arm(reg);
}

/* ---- the sweep ---- */

/* Drops the expired mappings; returns the earliest expiry left (0:
 * none). */
static int64_t
gw_sticky_sweep_run(struct gw_services *reg, int64_t now)
{
	struct gw_service *s;
	struct gw_sticky *st, *next;
	int64_t earliest = 0, at;
	size_t dropped = 0;

	RB_FOREACH(s, gw_service_tree, &reg->services)
		RB_FOREACH_SAFE(st, gw_sticky_tree, &s->sticky, next) {
			at = st->last_used + reg->sticky_ttl;
			if (at <= now) {
				gw_sticky_drop(reg, s, st);
				dropped++;
			} else if (earliest == 0 || at < earliest)
				earliest = at;
		}
	if (dropped > 0)
		log_info("services sticky-swept expired=%zu left=%llu",
		    dropped, (unsigned long long)reg->nsticky);
	return earliest;
}

static void
gw_sticky_sweep_arm_at(struct gw_services *reg, int64_t at)
{
	int64_t now = gw_services_now(reg), least = gw_sticky_slack(reg);

	if (reg->sweep == NULL)
		return;
	clock_timer_add(reg->sweep, at - now > least ? at - now : least);
}

static void
gw_sticky_sweep_cb(struct clock_timer *t, void *arg)
{
	struct gw_services *reg = arg;
	int64_t next;

	(void)t;
	next = gw_sticky_sweep_run(reg, gw_services_now(reg));
	if (next != 0)
		gw_sticky_sweep_arm_at(reg, next);
}

/* Armed only while mappings exist: a gateway without any keeps no timer
 * (virtual time steps from timer to timer). */
void
gw_sticky_sweep_arm(struct gw_services *reg)
{
	int64_t next;

	if (reg->nsticky == 0 || (reg->sweep != NULL &&
	    clock_timer_pending(reg->sweep)))
		return;
	if (reg->sweep == NULL)
		reg->sweep = clock_timer_new(reg->gw->clock,
		    gw_sticky_sweep_cb, reg);
	next = gw_sticky_sweep_run(reg, gw_services_now(reg));
	if (next != 0)
		gw_sticky_sweep_arm_at(reg, next);
}

/* ---- alerts ---- */

static char *
gw_alert_body(const struct gw_alert *a)
{
	json_t *o = json_object();
	char *text;

	json_object_set_new(o, "sid", json_string(a->sid));
	json_object_set_new(o, "account_sid", json_string(a->account_sid));
	json_object_set_new(o, "resource_sid", json_string(a->resource_sid));
	json_object_set_new(o, "service_sid", json_string(a->service_sid));
	json_object_set_new(o, "error_code", json_integer(a->error_code));
	json_object_set_new(o, "log_level", json_string(a->log_level));
	json_object_set_new(o, "alert_text", json_string(a->alert_text));
	json_object_set_new(o, "date_created", json_integer(a->date_created));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

void
gw_alert_add(struct gw_services *reg, const char *account_sid,
    int error_code, const char *resource_sid, const char *service_sid,
    const char *fmt, ...)
{
	struct gw_alert a;
	va_list ap;
	char *body;

	memset(&a, 0, sizeof(a));
	gw_sid_new(&reg->rng, "NO", a.sid);
	strlcpy(a.account_sid, account_sid, sizeof(a.account_sid));
	strlcpy(a.resource_sid, resource_sid != NULL ? resource_sid : "",
	    sizeof(a.resource_sid));
	strlcpy(a.service_sid, service_sid != NULL ? service_sid : "",
	    sizeof(a.service_sid));
	a.error_code = error_code;
	strlcpy(a.log_level, "warning", sizeof(a.log_level));
	va_start(ap, fmt);
	vsnprintf(a.alert_text, sizeof(a.alert_text), fmt, ap);
	va_end(ap);
	a.date_created = gw_services_now(reg);
	log_warnx("alert %s code=%d resource=%s service=%s text=\"%s\"",
	    a.sid, a.error_code, a.resource_sid[0] != '\0' ? a.resource_sid :
	    "-", a.service_sid[0] != '\0' ? a.service_sid : "-", a.alert_text);
	body = gw_alert_body(&a);
	gw_store_put_object(reg->gw->store, GW_OBJ_ALERT, a.sid,
	    a.account_sid, NULL, a.date_created, body);
	free(body);
}
