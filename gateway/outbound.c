/*
 * Outbound SMPP to one route (outbound.h): the object, the entry points
 * the lifecycle calls, and the route's metrics. The sessions are
 * outbound-pool.c's, the sending outbound-submit.c's, receipts
 * outbound-receipt.c's and MO outbound-mo.c's.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/outbound-internal.h"
#include "gateway/outbound.h"
#include "smpp/smpp.h"

static int
gw_ob_msg_cmp(struct gw_ob_msg *a, struct gw_ob_msg *b)
{
	return strcmp(a->sid, b->sid);
}

static int
gw_ob_pdu_count_cmp(struct gw_ob_pdu_count *a, struct gw_ob_pdu_count *b)
{
	if (a->out != b->out)
		return a->out < b->out ? -1 : 1;
	if (a->command_id != b->command_id)
		return a->command_id < b->command_id ? -1 : 1;
	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	return 0;
}

TREE_GENERATE_STATIC(gw_ob_msgs, gw_ob_msg, entry, gw_ob_msg_cmp)
TREE_GENERATE_STATIC(gw_ob_pdu_counts, gw_ob_pdu_count, entry,
    gw_ob_pdu_count_cmp)

static void
gw_ob_done_event(evutil_socket_t fd, short what, void *arg)
{
	struct gw_outbound *ob = arg;
	void (*done)(void *) = ob->done;

	(void)fd;
	(void)what;
	ob->done = NULL;
	if (done != NULL)
		done(ob->done_arg);
}

struct gw_outbound *
gw_outbound_new(struct gateway *gw, size_t route)
{
	struct gw_outbound *ob = xcalloc(1, sizeof *ob);

	ob->gw = gw;
	ob->idx = route;
	ob->route = &gw->cfg.routes[route];
	TAILQ_INIT(&ob->queue);
	RB_INIT(&ob->msgs);
	RB_INIT(&ob->strs);
	RB_INIT(&ob->nums);
	RB_INIT(&ob->pdus);
	LIST_INIT(&ob->submits);
	ob->tokens = 1;
	ob->tokens_at = clock_now(gw->clock);
	ob->t_pump = clock_timer_new(gw->clock, gw_ob_pump_timer, ob);
	ob->ev_pump = event_new(gw->base, -1, 0, gw_ob_pump_event, ob);
	ob->ev_done = event_new(gw->base, -1, 0, gw_ob_done_event, ob);
	ob->submit_latency = xmalloc(sizeof *ob->submit_latency);
	ob->receipt_latency = xmalloc(sizeof *ob->receipt_latency);
	histogram_init(ob->submit_latency);
	histogram_init(ob->receipt_latency);
	ob->resp = xmalloc(sizeof *ob->resp);
	smpp_pdu_init(ob->resp, SMPP_CMD_deliver_sm_resp, 0);
	gw_ob_mo_init(ob);
	gw_ob_early_init(ob);
	gw_ob_pool_start(ob);
	return ob;
}

static void
gw_ob_msg_free(struct gw_outbound *ob, struct gw_ob_msg *om)
{
	struct gw_ob_submit *s;
	size_t i;

	for (i = 0; i < om->nparts; i++)
		gw_ob_index_del(ob, om, i);
	while ((s = LIST_FIRST(&om->submits)) != NULL) {
		LIST_REMOVE(s, by_msg);
		s->msg = NULL;		/* its response is only counted */
	}
	RB_REMOVE(gw_ob_msgs, &ob->msgs, om);
	gw_ob_encoding_free(om->enc);
	free(om->parts);
	free(om);
}

void
gw_outbound_free(struct gw_outbound *ob)
{
	struct gw_ob_msg *om;
	struct gw_ob_submit *s;
	struct gw_ob_pdu_count *c;
	struct gw_message *m;

	if (ob == NULL)
		return;
	gw_ob_pool_free(ob);		/* no callback is called any more */
	while ((m = TAILQ_FIRST(&ob->queue)) != NULL)
		gw_ob_queue_take(ob, m);
	while ((om = RB_MIN(gw_ob_msgs, &ob->msgs)) != NULL)
		gw_ob_msg_free(ob, om);
	while ((s = LIST_FIRST(&ob->submits)) != NULL) {
		LIST_REMOVE(s, all);
		free(s);
	}
	while ((c = RB_MIN(gw_ob_pdu_counts, &ob->pdus)) != NULL) {
		RB_REMOVE(gw_ob_pdu_counts, &ob->pdus, c);
		free(c);
	}
	gw_ob_mo_free(ob);
	gw_ob_early_free(ob);
	clock_timer_free(ob->t_pump);
	event_free(ob->ev_pump);
	event_free(ob->ev_done);
	free(ob->submit_latency);
	free(ob->receipt_latency);
	smpp_pdu_release(ob->resp);
	free(ob->resp);
	SSL_CTX_free(ob->ssl);
	free(ob);
}

void
gw_outbound_shutdown(struct gw_outbound *ob, void (*done)(void *),
    void *arg)
{
	ob->done = done;
	ob->done_arg = arg;
	ob->stopping = 1;
	clock_timer_del(ob->t_pump);
	log_info("%s shutdown queued=%zu in_flight=%u", ob->route->name,
	    ob->queue_depth, ob->in_flight);
	gw_ob_pool_shutdown(ob);
	gw_ob_check_done(ob);
}

void
gw_ob_check_done(struct gw_outbound *ob)
{
	unsigned i;

	if (!ob->stopping)
		return;
	for (i = 0; i < ob->nsessions; i++)
		if (ob->sessions[i].state != GW_OB_SESSION_STOPPED)
			return;
	event_active(ob->ev_done, EV_TIMEOUT, 0);
}

struct gw_ob_msg *
gw_ob_msg_find(struct gw_outbound *ob, const char *sid)
{
	struct gw_ob_msg find;

	gw_sid_copy(find.sid, sid);
	return RB_FIND(gw_ob_msgs, &ob->msgs, &find);
}

/* The outbound's record of m, made on first sight. */
static struct gw_ob_msg *
gw_ob_msg_get(struct gw_outbound *ob, struct gw_message *m)
{
	struct gw_ob_msg *om;

	if ((om = gw_ob_msg_find(ob, m->sid)) != NULL) {
		om->m = m;
		return om;
	}
	om = xcalloc(1, sizeof *om);
	gw_sid_copy(om->sid, m->sid);
	om->m = m;
	LIST_INIT(&om->submits);
	RB_INSERT(gw_ob_msgs, &ob->msgs, om);
	return om;
}

/* Per-part state for m's parts (m->nparts set). */
static void
gw_ob_msg_parts(struct gw_ob_msg *om)
{
	size_t i;

	if (om->nparts == om->m->nparts)
		return;
	for (i = 0; i < om->nparts; i++)
		if (om->parts[i].indexed)
			return;		/* never resized under the index */
	free(om->parts);
	om->nparts = om->m->nparts;
	om->parts = xcalloc(om->nparts, sizeof *om->parts);
}

void
gw_outbound_enqueue(struct gw_outbound *ob, struct gw_message *m)
{
	struct gw_ob_msg *om = gw_ob_msg_get(ob, m);

	if (m->nparts == 0 && gw_ob_parts_build(ob, om) == -1)
		return;			/* failed; m may be gone */
	gw_ob_msg_parts(om);
	log_debug("%s enqueue sid=%s parts=%zu", ob->route->name, m->sid,
	    m->nparts);
	gw_ob_queue_put(ob, m, 0);
	gw_ob_kick(ob);
}

void
gw_outbound_track(struct gw_outbound *ob, struct gw_message *m)
{
	struct gw_ob_msg *om = gw_ob_msg_get(ob, m);
	size_t i;

	gw_ob_msg_parts(om);
	om->sending = 1;
	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].state == GW_PART_ACCEPTED &&
		    m->parts[i].smsc_id[0] != '\0')
			gw_ob_index_add(ob, om, i);
}

void
gw_outbound_remove(struct gw_outbound *ob, struct gw_message *m)
{
	struct gw_ob_msg *om;

	if (m->queued)
		gw_ob_queue_take(ob, m);
	if ((om = gw_ob_msg_find(ob, m->sid)) != NULL)
		gw_ob_msg_free(ob, om);
}

const char *
gw_outbound_name(const struct gw_outbound *ob)
{
	return ob->route->name;
}

size_t
gw_outbound_queue_depth(const struct gw_outbound *ob)
{
	return ob->queue_depth;
}

unsigned
gw_outbound_bound(const struct gw_outbound *ob)
{
	return gw_ob_pool_count(ob, GW_OB_SESSION_BOUND);
}

unsigned
gw_outbound_in_flight(const struct gw_outbound *ob)
{
	return ob->in_flight;
}

void
gw_ob_pdu_count(struct gw_outbound *ob, int out, uint32_t command_id,
    uint32_t status)
{
	struct gw_ob_pdu_count find, *c;

	find.out = out;
	find.command_id = command_id;
	find.status = status;
	if ((c = RB_FIND(gw_ob_pdu_counts, &ob->pdus, &find)) == NULL) {
		c = xcalloc(1, sizeof *c);
		*c = find;
		c->n = 0;
		RB_INSERT(gw_ob_pdu_counts, &ob->pdus, c);
	}
	c->n++;
}

/* ---- metrics ---- */

/* Bucket bounds of the latency histograms, in seconds. */
static const double gw_ob_latency_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
	5, 10, 30, 60, 300, 1800, 3600,
};

/* Samples of h at or below usec (to the histogram's resolution). */
static uint64_t
gw_ob_histogram_below(const struct histogram *h, int64_t usec)
{
	unsigned b, last = histogram_bucket(usec);
	int64_t lo, hi;
	uint64_t n = 0;

	for (b = 0; b <= last && b < HISTOGRAM_BUCKETS; b++) {
		histogram_bucket_range(b, &lo, &hi);
		if (hi <= usec || b < last)
			n += h->bucket[b];
	}
	return n;
}

/* The histogram of ob named by which (0 submit, 1 receipt). */
static const struct histogram *
gw_ob_latency(const struct gw_outbound *ob, int which)
{
	return which == 0 ? ob->submit_latency : ob->receipt_latency;
}

static void
gw_ob_metrics_histogram(struct gw_outbound *const *obs, size_t n,
    struct evbuffer *out, const char *name, const char *help, int which)
{
	const struct histogram *h;
	const char *c;
	size_t i, k;

	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s histogram\n",
	    name, help, name);
	for (k = 0; k < n; k++) {
		h = gw_ob_latency(obs[k], which);
		c = obs[k]->route->name;
		for (i = 0; i < sizeof gw_ob_latency_bounds /
		    sizeof gw_ob_latency_bounds[0]; i++)
			evbuffer_add_printf(out, "%s_bucket{carrier=\"%s\","
			    "le=\"%g\"} %" PRIu64 "\n", name, c,
			    gw_ob_latency_bounds[i], gw_ob_histogram_below(h,
			    (int64_t)(gw_ob_latency_bounds[i] * 1e6)));
		evbuffer_add_printf(out, "%s_bucket{carrier=\"%s\",le=\"+Inf\"}"
		    " %" PRIu64 "\n%s_sum{carrier=\"%s\"} %.6f\n"
		    "%s_count{carrier=\"%s\"} %" PRIu64 "\n", name, c,
		    histogram_count(h), name, c, h->sum / 1e6, name, c,
		    histogram_count(h));
	}
}

static void
gw_ob_metrics_pdus(const struct gw_outbound *ob, struct evbuffer *out)
{
	struct gw_ob_pdu_count *p;
	const char *status;
	char hex[16];

	RB_FOREACH(p, gw_ob_pdu_counts, (struct gw_ob_pdu_counts *)&ob->pdus) {
		if ((status = smpp_status_name(p->status)) == NULL) {
			snprintf(hex, sizeof hex, "0x%08" PRIX32, p->status);
			status = hex;
		}
		evbuffer_add_printf(out,
		    "carrierlab_gateway_smpp_pdus_total{carrier=\"%s\","
		    "direction=\"%s\",command=\"%s\",status=\"%s\"} %" PRIu64
		    "\n", ob->route->name, p->out ? "out" : "in",
		    smpp_command_name(p->command_id), status, p->n);
	}
}

static void
gw_ob_metrics_sessions(const struct gw_outbound *ob, struct evbuffer *out)
{
	unsigned i;

	for (i = 0; i < GW_OB_SESSION_NSTATES; i++)
		evbuffer_add_printf(out, "carrierlab_gateway_sessions{carrier="
		    "\"%s\",state=\"%s\"} %u\n", ob->route->name,
		    gw_ob_session_state_name(i), gw_ob_pool_count(ob, i));
}

static void
gw_ob_metrics_receipts(const struct gw_outbound *ob, struct evbuffer *out)
{
	unsigned i;

	for (i = 0; i < GW_OB_MATCH_COUNT; i++)
		evbuffer_add_printf(out, "carrierlab_gateway_receipts_total{"
		    "carrier=\"%s\",match=\"%s\"} %" PRIu64 "\n",
		    ob->route->name, gw_ob_match_name(i), ob->matched[i]);
	evbuffer_add_printf(out, "carrierlab_gateway_receipts_total{"
	    "carrier=\"%s\",match=\"none\"} %" PRIu64 "\n", ob->route->name,
	    ob->receipts_unmatched);
}

static void
gw_ob_metrics_family(struct gw_outbound *const *obs, size_t n,
    struct evbuffer *out, const char *name, const char *type,
    const char *help, void (*each)(const struct gw_outbound *,
    struct evbuffer *))
{
	size_t k;

	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
	for (k = 0; k < n; k++)
		each(obs[k], out);
}

static void
gw_ob_metrics_queue(const struct gw_outbound *ob, struct evbuffer *out)
{
	evbuffer_add_printf(out, "carrierlab_gateway_queue_depth{carrier="
	    "\"%s\"} %zu\n", ob->route->name, ob->queue_depth);
}

static void
gw_ob_metrics_in_flight(const struct gw_outbound *ob, struct evbuffer *out)
{
	evbuffer_add_printf(out, "carrierlab_gateway_submits_in_flight{"
	    "carrier=\"%s\"} %u\n", ob->route->name, ob->in_flight);
}

void
gw_outbound_metrics_all(struct gw_outbound *const *obs, size_t n,
    struct evbuffer *out)
{
	gw_ob_metrics_family(obs, n, out, "carrierlab_gateway_smpp_pdus_total",
	    "counter", "SMPP PDUs exchanged with the carrier.",
	    gw_ob_metrics_pdus);
	gw_ob_metrics_family(obs, n, out, "carrierlab_gateway_sessions",
	    "gauge", "Outbound SMPP sessions by state.",
	    gw_ob_metrics_sessions);
	gw_ob_metrics_family(obs, n, out, "carrierlab_gateway_queue_depth",
	    "gauge", "Messages waiting for a window slot.",
	    gw_ob_metrics_queue);
	gw_ob_metrics_family(obs, n, out,
	    "carrierlab_gateway_submits_in_flight", "gauge",
	    "Submits awaiting their response.", gw_ob_metrics_in_flight);
	gw_ob_metrics_family(obs, n, out, "carrierlab_gateway_receipts_total",
	    "counter", "Receipts by how their id matched a submit's.",
	    gw_ob_metrics_receipts);
	gw_ob_metrics_histogram(obs, n, out,
	    "carrierlab_gateway_submit_response_seconds",
	    "Time from submit_sm to its submit_sm_resp.", 0);
	gw_ob_metrics_histogram(obs, n, out,
	    "carrierlab_gateway_submit_receipt_seconds",
	    "Time from the accepted submit_sm to its final receipt.", 1);
}

void
gw_outbound_metrics(const struct gw_outbound *ob, struct evbuffer *out)
{
	struct gw_outbound *one = (struct gw_outbound *)ob;

	gw_outbound_metrics_all(&one, 1, out);
}
