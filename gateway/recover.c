/*
 * Start-up: the messages a previous run left unfinished become active
 * again, and the callback outbox resumes. A crash may have struck at any
 * point after a commit, so each status is resumed by what it promises:
 *   accepted, queued   dispatched again (or failed 30036 when their
 *                      validity period ended meanwhile);
 *   scheduled          the timer is armed again (sent at once if due);
 *   sending            parts without an id are submitted again (the
 *                      carrier may see those twice: at least once beats
 *                      never); parts with an id await their receipts;
 *   sent               every part awaits its receipt.
 * The callback outbox resumes first, a page at a time, at most the
 * webhooks' memory limit of it kept in memory (see webhook.c).
 */
#include "config.h"

#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/lifecycle-internal.h"
#include "gateway/outbound.h"
#include "gateway/store.h"
#include "gateway/webhook.h"

/* Outbox rows read at once at start-up. */
#define GW_RECOVER_PAGE	1024

struct gw_recovery {
	struct gateway	*gw;
	size_t		 resumed;
	size_t		 expired;
};

/* Parts that were in flight lost their submit with the process. */
static int
gw_recover_parts(struct gw_message *m)
{
	size_t i;
	int pending = 0;

	for (i = 0; i < m->nparts; i++) {
		if (m->parts[i].state == GW_PART_SUBMITTED)
			m->parts[i].state = GW_PART_PENDING;
		if (m->parts[i].state == GW_PART_PENDING)
			pending = 1;
	}
	return pending;
}

static void
gw_recover_one(struct gw_message *m, void *arg)
{
	struct gw_recovery *r = arg;
	struct gateway *gw = r->gw;
	struct gw_outbound *out;
	int64_t now = clock_now(gw->clock);

	m->gw = gw;
	gw_active_add(gw, m);
	r->resumed++;
	out = m->route[0] != '\0' ? gw_route_outbound(gw, m->route) : NULL;
	switch (m->status) {
	case GW_STATUS_SCHEDULED:
		gw_timer_arm(gw, m, m->send_at);
		break;
	case GW_STATUS_ACCEPTED:
	case GW_STATUS_QUEUED:
		if (m->valid_until > 0 && now >= m->valid_until) {
			r->expired++;
			gw_transition(gw, m, GW_STATUS_FAILED, 30036,
			    "validity period expired while stopped", NULL);
			break;
		}
		gw_dispatch(gw, m);
		break;
	case GW_STATUS_SENDING:
	case GW_STATUS_SENT:
		if (out == NULL) {
			gw_transition(gw, m, GW_STATUS_FAILED, 30008,
			    "route gone after restart", NULL);
			break;
		}
		gw_outbound_track(out, m);
		if (gw_recover_parts(m))
			gw_outbound_enqueue(out, m);
		break;
	default:
		/* RECEIVING and the like: nothing left to do. */
		break;
	}
}

struct gw_recover_outbox {
	struct gateway	*gw;
	int64_t		 last_id;
	size_t		 n;
};

static void
gw_recover_callback(struct gw_callback_row *row, void *arg)
{
	struct gw_recover_outbox *o = arg;

	o->last_id = row->id;
	o->n++;
	gw_webhook_resume(o->gw->webhooks, row);
}

/*
 * The outbox a page at a time, oldest first: the webhooks keep as many
 * rows as their memory limit allows and count the rest, which stay in
 * the store until their turn, so a large outbox never sits in memory.
 */
static int
gw_recover_outbox(struct gateway *gw, size_t *n)
{
	struct gw_recover_outbox o = { gw, 0, 0 };
	int got;

	do {
		if ((got = gw_store_load_callbacks_after(gw->store, o.last_id,
		    GW_RECOVER_PAGE, gw_recover_callback, &o)) == -1)
			return -1;
	} while (got == GW_RECOVER_PAGE);
	*n = o.n;
	return 0;
}

/*
 * The outbox resumes first: a message recovered below may add callbacks
 * (ids above every row there), which then queue behind its older ones.
 */
int
gw_recover(struct gateway *gw)
{
	struct gw_recovery r = { gw, 0, 0 };
	size_t callbacks;

	if (gw_recover_outbox(gw, &callbacks) == -1)
		return -1;
	if (gw_store_load_active(gw->store, gw_recover_one, &r) == -1)
		return -1;
	if (r.resumed > 0 || callbacks > 0)
		log_info("gateway recovered messages=%zu expired=%zu "
		    "callbacks=%zu", r.resumed, r.expired, callbacks);
	return 0;
}
