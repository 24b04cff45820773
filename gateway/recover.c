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

static void
gw_recover_callback(struct gw_callback_row *row, void *arg)
{
	struct gateway *gw = arg;

	gw_webhook_resume(gw->webhooks, row);
}

int
gw_recover(struct gateway *gw)
{
	struct gw_recovery r = { gw, 0, 0 };
	int callbacks;

	if (gw_store_load_active(gw->store, gw_recover_one, &r) == -1)
		return -1;
	if ((callbacks = gw_store_load_callbacks(gw->store,
	    gw_recover_callback, gw)) == -1)
		return -1;
	if (r.resumed > 0 || callbacks > 0)
		log_info("gateway recovered messages=%zu expired=%zu "
		    "callbacks=%d", r.resumed, r.expired, callbacks);
	return 0;
}
