/*
 * The message lifecycle: creation, the choice of sender and route, the
 * schedule and validity timers, and the one function every status change
 * goes through (gw_transition), which stores the row and the event,
 * counts, queues the status callback and retires terminal messages.
 *
 * Statuses move as Twilio documents: queued (accepted with a service,
 * scheduled with SendAt) → sending → sent → delivered | undelivered |
 * failed; scheduled → canceled. The calls outbound makes as parts move on
 * the wire are in lifecycle-wire.c.
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
#include "gateway/optout.h"
#include "gateway/outbound.h"
#include "gateway/services.h"
#include "gateway/store.h"
#include "gateway/webhook.h"

struct gw_message *
gw_active_find(struct gateway *gw, const char *sid)
{
	struct gw_message key;

	if (strlen(sid) >= sizeof key.sid)
		return NULL;
	memcpy(key.sid, sid, strlen(sid) + 1);
	return RB_FIND(gw_message_tree, &gw->active, &key);
}

void
gw_active_add(struct gateway *gw, struct gw_message *m)
{
	RB_INSERT(gw_message_tree, &gw->active, m);
	gw->nactive++;
}

void
gw_retire(struct gateway *gw, struct gw_message *m)
{
	struct gw_outbound *out;

	if (m->route[0] != '\0' &&
	    (out = gw_route_outbound(gw, m->route)) != NULL)
		gw_outbound_remove(out, m);
	if (m->timer != NULL)
		clock_timer_free(m->timer);
	m->timer = NULL;
	RB_REMOVE(gw_message_tree, &gw->active, m);
	gw->nactive--;
	gw_message_free(m);
}

/* The URL status callbacks of m go to: the message's own, else its
 * service's; NULL for none. */
static const char *
gw_callback_url(const struct gateway *gw, const struct gw_message *m)
{
	const struct gw_service *s;

	if (m->status_callback != NULL && m->status_callback[0] != '\0')
		return m->status_callback;
	if (m->service_sid[0] != '\0' && (s = gw_service_find(gw,
	    m->account_sid, m->service_sid)) != NULL &&
	    s->status_callback[0] != '\0')
		return s->status_callback;
	return NULL;
}

void
gw_report(struct gateway *gw, struct gw_message *m, enum gw_status status,
    int error_code, const char *detail, const char *raw_dlr)
{
	const char *url;
	enum gw_status from = m->status;

	m->status = status;
	m->error_code = error_code;
	m->date_updated = clock_now(gw->clock);
	gw_store_update_message(gw->store, m);
	gw_store_add_event(gw->store, m->sid, gw_status_name(status),
	    error_code, m->date_updated, detail);
	gw->metrics.by_status[status]++;
	log_debug("%s status from=%s to=%s error=%d detail=\"%s\"", m->sid,
	    gw_status_name(from), gw_status_name(status), error_code,
	    detail != NULL ? detail : "");
	if ((url = gw_callback_url(gw, m)) != NULL &&
	    m->direction != GW_DIR_INBOUND)
		gw_webhook_status(gw->webhooks, m, url, raw_dlr);
}

void
gw_transition(struct gateway *gw, struct gw_message *m,
    enum gw_status status, int error_code, const char *detail,
    const char *raw_dlr)
{
	gw_report(gw, m, status, error_code, detail, raw_dlr);
	/* The scaler counts a sender busy until the carrier took the
	 * message (or it ended). */
	if (status == GW_STATUS_SENT || gw_status_terminal(status))
		gw_busy_release(gw, m);
	if (gw_status_terminal(status))
		gw_retire(gw, m);
}

static void gw_timer_fire(struct clock_timer *, void *);

void
gw_timer_arm(struct gateway *gw, struct gw_message *m, int64_t at)
{
	int64_t now = clock_now(gw->clock);

	if (m->timer == NULL)
		m->timer = clock_timer_new(gw->clock, gw_timer_fire, m);
	clock_timer_add(m->timer, at > now ? at - now : 0);
}

void
gw_dispatch(struct gateway *gw, struct gw_message *m)
{
	struct gw_outbound *out;
	struct gw_error e;

	if (m->from[0] == '\0' || m->route[0] == '\0') {
		if (gw_select(gw, m, 1, &e) == -1) {
			gw_transition(gw, m, GW_STATUS_FAILED, e.code,
			    e.message, NULL);
			return;
		}
		/* From is not among the columns a status change writes. */
		gw_store_put_message(gw->store, m);
	}
	gw_busy_take(gw, m);
	if (m->status != GW_STATUS_QUEUED)
		gw_transition(gw, m, GW_STATUS_QUEUED, 0, m->route, NULL);
	if (m->valid_until > 0)
		gw_timer_arm(gw, m, m->valid_until);
	if ((out = gw_route_outbound(gw, m->route)) == NULL) {
		gw_transition(gw, m, GW_STATUS_FAILED, 30008, "no such route",
		    NULL);
		return;
	}
	gw_outbound_enqueue(out, m);
}

static void
gw_timer_fire(struct clock_timer *t, void *arg)
{
	struct gw_message *m = arg;
	struct gateway *gw = NULL;
	struct gw_outbound *out;

	(void)t;
	gw = m->gw;
	switch (m->status) {
	case GW_STATUS_SCHEDULED:
		gw_dispatch(gw, m);
		break;
	case GW_STATUS_ACCEPTED:
	case GW_STATUS_QUEUED:
		/* A timer may fire a little early (libevent counts a timer
		 * added inside a callback from the start of that pass). */
		if (clock_now(gw->clock) < m->valid_until) {
			gw_timer_arm(gw, m, m->valid_until);
			break;
		}
		if ((out = gw_route_outbound(gw, m->route)) != NULL)
			gw_outbound_remove(out, m);
		gw_transition(gw, m, GW_STATUS_FAILED, 30036,
		    "validity period expired", NULL);
		break;
	default:
		/* Handed to the carrier: the validity period went with it. */
		break;
	}
}

/* Fills m from the request; the checks that need no state were done by
 * the API. */
static void
gw_create_fill(struct gateway *gw, struct gw_message *m,
    const struct gw_create_request *req)
{
	const struct gw_service *s = NULL;
	size_t i;
	unsigned validity;

	gw_sid_serial(&gw->rng, ++gw->sid_serial, req->nmedia > 0 ? "MM" :
	    "SM", m->sid);
	gw_sid_copy(m->account_sid, req->account_sid);
	if (req->service_sid != NULL) {
		gw_sid_copy(m->service_sid, req->service_sid);
		s = gw_service_find(gw, req->account_sid, req->service_sid);
	}
	strlcpy(m->to, req->to, sizeof m->to);
	if (req->from != NULL)
		strlcpy(m->from, req->from, sizeof m->from);
	gw_message_set_body(m, req->body);
	m->num_media = req->nmedia;
	if (req->nmedia > 0)
		m->media = xcalloc(req->nmedia, sizeof *m->media);
	for (i = 0; i < req->nmedia; i++)
		m->media[i] = xstrdup(req->media[i]);
	if (req->status_callback != NULL)
		m->status_callback = xstrdup(req->status_callback);
	m->direction = req->direction;
	m->attempt = req->attempt;
	m->date_created = m->date_updated = clock_now(gw->clock);
	m->send_at = req->schedule_fixed ? req->send_at : 0;
	validity = req->validity_period != 0 ? req->validity_period :
	    s != NULL && s->validity_period != 0 ? s->validity_period :
	    GW_VALIDITY_DEFAULT;
	m->validity_period = validity;
	m->valid_until = (m->send_at != 0 ? m->send_at : m->date_created) +
	    (int64_t)validity * CLOCK_USEC_PER_SEC;
	m->status = m->send_at != 0 ? GW_STATUS_SCHEDULED :
	    req->service_sid != NULL && req->from == NULL ?
	    GW_STATUS_ACCEPTED : GW_STATUS_QUEUED;
}

struct gw_pending_create {
	struct gateway	*gw;
	char		 sid[GATEWAY_SID_SIZE];
	gw_created_cb	 done;
	void		*arg;
};

static void
gw_create_durable(void *arg, int ok)
{
	struct gw_pending_create *pc = arg;
	struct gateway *gw = pc->gw;
	struct gw_message *m = gw_active_find(gw, pc->sid);

	if (m == NULL) {		/* cannot happen: nobody knew the sid */
		log_warnx("%s create-lost", pc->sid);
		free(pc);
		return;
	}
	pc->done(gw, m, ok, pc->arg);
	free(pc);
	if (!ok) {
		gw_retire(gw, m);
		return;
	}
	if (m->status == GW_STATUS_SCHEDULED)
		gw_timer_arm(gw, m, m->send_at);
	else
		gw_dispatch(gw, m);
}

int
gw_lifecycle_create(struct gateway *gw, const struct gw_create_request *req,
    struct gw_error *e, gw_created_cb done, void *arg)
{
	struct gw_pending_create *pc;
	struct gw_message *m = gw_message_new();

	m->gw = gw;
	gw_create_fill(gw, m, req);
	if (gw_content_prepare(gw, m, req, m->service_sid[0] != '\0' ?
	    gw_service_find(gw, m->account_sid, m->service_sid) : NULL,
	    e) == -1) {
		gw_message_free(m);
		return -1;
	}
	if (!req->optout_reply && gw_optout_blocked(gw->optouts,
	    m->account_sid, m->service_sid, m->from, m->to)) {
		gw_error_set(e, 21610, "Attempt to send to unsubscribed "
		    "recipient %s", m->to);
		gw_message_free(m);
		return -1;
	}
	/* The sender and route are checked now so that a message nobody can
	 * send is refused at once; a pool's choice shows from the queued
	 * status on, as Twilio's does. */
	if (gw_select(gw, m, 0, e) == -1) {
		gw_message_free(m);
		return -1;
	}
	if (m->status == GW_STATUS_ACCEPTED ||
	    (m->status == GW_STATUS_SCHEDULED && req->from == NULL)) {
		m->from[0] = '\0';
		m->route[0] = '\0';
	}
	gw_active_add(gw, m);
	gw_store_put_message(gw->store, m);
	gw_store_add_event(gw->store, m->sid, gw_status_name(m->status), 0,
	    m->date_created, "created");
	gw->metrics.created++;
	gw->metrics.by_status[m->status]++;
	log_debug("%s created status=%s to=%s from=%s segments=%u", m->sid,
	    gw_status_name(m->status), m->to, m->from, m->num_segments);
	pc = xcalloc(1, sizeof *pc);
	pc->gw = gw;
	memcpy(pc->sid, m->sid, sizeof pc->sid);
	pc->done = done;
	pc->arg = arg;
	gw_store_when_durable(gw->store, gw_create_durable, pc);
	return 0;
}
