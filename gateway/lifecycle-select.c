/*
 * Where the lifecycle meets the sender pool: the choice of From and
 * route (a From given by the caller, or the service's pipeline of
 * gateway/sender.c), what a choice leaves behind (the sticky mapping,
 * the 30018 alert, the trace kept with the message), the scaler's busy
 * counts, and the fallback to a long code after an undelivered short
 * code.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/lifecycle-internal.h"
#include "gateway/outbound.h"
#include "gateway/sender.h"
#include "gateway/services.h"
#include "gateway/store.h"

/* Undelivered short-code errors worth a long code's try when the
 * scenario lists none (docs/sender-selection.md): the handset or its
 * carrier did not take it, which a long code may change; a filtered
 * message (30007) would be filtered again. */
static const int gw_fallback_default[] = { 30003, 30005, 30006, 30008, 0 };

static int
gw_select_from(struct gateway *gw, struct gw_message *m,
    const struct gateway_number **np, struct gw_error *e)
{
	const struct gateway_number *n;
	int mms = m->num_media > 0 && !m->mms_converted;

	n = gw_number_find(gw, m->account_sid, m->from);
	if (n == NULL || (n->capabilities & GATEWAY_CAP_SMS) == 0) {
		gw_error_set(e, 21606, "The 'From' phone number provided "
		    "(%s) is not a valid message-capable Twilio phone number "
		    "for this destination.", m->from);
		return -1;
	}
	if (mms && (n->capabilities & GATEWAY_CAP_MMS) == 0) {
		gw_error_set(e, 21621, "The 'From' number %s has not been "
		    "enabled for MMS", m->from);
		return -1;
	}
	if (n->kind == GATEWAY_SENDER_SHORT_CODE &&
	    strcmp(n->country, gw_country_of(m->to)) != 0) {
		gw_error_set(e, 21659, "Short code %s cannot send to %s: "
		    "country mismatch", m->from, m->to);
		return -1;
	}
	*np = n;
	return 0;
}

/* A From the caller gave: the account's, capable, with a route. */
static int
gw_select_given(struct gateway *gw, struct gw_message *m, struct gw_error *e)
{
	const struct gateway_number *n;
	int route;

	if (gw_select_from(gw, m, &n, e) == -1)
		return -1;
	if (!gw_route_serves(gw, m->to)) {
		gw_error_set(e, 21408, "Permission to send an SMS has not "
		    "been enabled for the region indicated by the 'To' "
		    "number: %s.", m->to);
		return -1;
	}
	route = gw_route_pick(gw, m->to, n->kind, m->num_media > 0 &&
	    !m->mms_converted);
	if (route < 0) {
		gw_error_set(e, 21612, "Message cannot be sent with the "
		    "current combination of 'To' (%s) and 'From' (%s) "
		    "parameters", m->to, n->number);
		return -1;
	}
	strlcpy(m->from, n->number, sizeof m->from);
	strlcpy(m->route, gw->cfg.routes[route].name, sizeof m->route);
	return 0;
}

/* Appends lines to m's trace. */
static void
gw_trace_append(struct gw_message *m, const char *lines)
{
	size_t had = m->selection != NULL ? strlen(m->selection) : 0;
	size_t add = strlen(lines);
	char *t;

	if (add == 0)
		return;
	t = xmalloc(had + add + 2);
	if (had > 0) {
		memcpy(t, m->selection, had);
		t[had++] = '\n';
	}
	memcpy(t + had, lines, add + 1);
	free(m->selection);
	m->selection = t;
}

/* What a choice leaves behind once the message really goes. */
static void
gw_choice_apply(struct gateway *gw, struct gw_service *s,
    struct gw_message *m, const struct gw_choice *c)
{
	int64_t now = clock_now(gw->clock);

	strlcpy(m->from, c->sender->sender, sizeof m->from);
	strlcpy(m->route, gw->cfg.routes[c->route].name, sizeof m->route);
	gw_trace_append(m, c->trace);
	log_info("%s sender service=%s from=%s route=%s selection=\"%s\"",
	    m->sid, s->sid, m->from, m->route, c->trace);
	if (c->sticky)
		gw_sticky_set(gw->services, s, m->to, c->sender, now);
	if (c->alert != 0)
		gw_alert_add(gw->services, m->account_sid, c->alert, m->sid,
		    s->sid, "Sender ID %s to %s: the destination country "
		    "requires pre-registration of alphanumeric senders",
		    m->from, m->to);
}

/* The pool's choice; apply 0: only whether there is one (at create). */
static int
gw_select_pool(struct gateway *gw, struct gw_message *m, unsigned flags,
    int apply, struct gw_error *e)
{
	struct gw_service *s;
	struct gw_choice c;

	s = gw_services_find(gw->services, m->account_sid, m->service_sid);
	if (s == NULL) {
		gw_error_set(e, 21701, NULL);
		return -1;
	}
	if (gw_sender_choose(gw, s, m, flags, clock_now(gw->clock), &c,
	    e) == -1) {
		if (apply)
			log_info("%s sender-none service=%s code=%d "
			    "selection=\"%s\"", m->sid, s->sid, e->code,
			    c.trace);
		return -1;
	}
	if (apply)
		gw_choice_apply(gw, s, m, &c);
	else {
		strlcpy(m->from, c.sender->sender, sizeof m->from);
		strlcpy(m->route, gw->cfg.routes[c.route].name, sizeof m->route);
	}
	return 0;
}

int
gw_select(struct gateway *gw, struct gw_message *m, int apply,
    struct gw_error *e)
{
	if (m->from[0] != '\0')
		return gw_select_given(gw, m, e);
	return gw_select_pool(gw, m, 0, apply, e);
}

/* The pool sender m goes from, or NULL (a From of no pool). */
static struct gw_sender *
gw_pool_sender(struct gateway *gw, const struct gw_message *m)
{
	struct gw_service *s;
	struct gw_sender *snd;

	if (m->service_sid[0] == '\0' || (s = gw_services_find(gw->services,
	    m->account_sid, m->service_sid)) == NULL)
		return NULL;
	TAILQ_FOREACH(snd, &s->senders, entry)
		if (strcmp(snd->sender, m->from) == 0)
			return snd;
	return NULL;
}

void
gw_busy_take(struct gateway *gw, struct gw_message *m)
{
	struct gw_sender *snd;

	if (m->busy || (snd = gw_pool_sender(gw, m)) == NULL)
		return;
	snd->busy++;
	m->busy = 1;
}

void
gw_busy_release(struct gateway *gw, struct gw_message *m)
{
	struct gw_sender *snd;

	if (!m->busy)
		return;
	m->busy = 0;
	if ((snd = gw_pool_sender(gw, m)) != NULL && snd->busy > 0)
		snd->busy--;
}

static int
gw_fallback_code(const struct gateway *gw, int code)
{
	const int *list = gw->cfg.fallback_codes[0] != 0 ?
	    gw->cfg.fallback_codes : gw_fallback_default;
	size_t i;

	for (i = 0; list[i] != 0; i++)
		if (list[i] == code)
			return 1;
	return 0;
}

/* The service that owes m a long code's try, or NULL. */
static struct gw_service *
gw_fallback_service(struct gateway *gw, const struct gw_message *m, int code)
{
	struct gw_service *s;

	if (m->fallbacks > 0 || m->service_sid[0] == '\0' ||
	    m->direction == GW_DIR_INBOUND ||
	    gw_sender_kind(m->from) != GATEWAY_SENDER_SHORT_CODE ||
	    !gw_fallback_code(gw, code))
		return NULL;
	if ((s = gw_services_find(gw->services, m->account_sid,
	    m->service_sid)) == NULL || !s->fallback_to_long_code)
		return NULL;
	if (m->valid_until > 0 && clock_now(gw->clock) >= m->valid_until)
		return NULL;
	return s;
}

int
gw_fallback(struct gateway *gw, struct gw_message *m, int code,
    const char *raw_dlr)
{
	struct gw_service *s;
	struct gw_outbound *out;
	struct gw_choice c;
	struct gw_error e;
	char line[160];
	size_t i;

	if ((s = gw_fallback_service(gw, m, code)) == NULL)
		return 0;
	if (gw_sender_choose(gw, s, m, GW_CHOOSE_NO_SHORT_CODE |
	    GW_CHOOSE_NO_ALPHA, clock_now(gw->clock), &c, &e) == -1) {
		log_info("%s fallback-none code=%d reason=\"%s\"", m->sid,
		    e.code, e.message);
		return 0;
	}
	/* The short code's attempt ends as Twilio reports it: undelivered,
	 * with its error, From the short code. */
	gw_report(gw, m, GW_STATUS_UNDELIVERED, code,
	    "undelivered from a short code: fallback to a long code",
	    raw_dlr);
	gw_busy_release(gw, m);
	if ((out = gw_route_outbound(gw, m->route)) != NULL)
		gw_outbound_remove(out, m);
	snprintf(line, sizeof line, "fallback: short code %s undelivered "
	    "(%d) -> long code", m->from, code);
	gw_trace_append(m, line);
	for (i = 0; i < m->nparts; i++)
		memset(&m->parts[i], 0, sizeof m->parts[i]);
	m->fallbacks++;
	m->date_sent = 0;
	m->error_code = 0;
	/* With sticky sender the recipient is now mapped to the long code
	 * (the trace says so): its next message goes from the sender that
	 * can reach it rather than failing from the short code again. */
	gw_choice_apply(gw, s, m, &c);
	gw_store_put_message(gw->store, m);
	gw_dispatch(gw, m);
	return 1;
}
