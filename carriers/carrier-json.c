/*
 * What a carrier shows of itself: the JSON views behind /sim/ and the
 * Prometheus series behind /metrics. Nothing here changes state.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "common/xmalloc.h"
#include "carriers/carrier-internal.h"
#include "smpp/address.h"
#include "smpp/json.h"
#include "smpp/receipt.h"

/* RFC 3339 UTC with milliseconds, or JSON null for 0. */
static json_t *
carrier_json_time(int64_t usec)
{
	char buf[80];
	struct tm tm;
	time_t t;

	if (usec == 0)
		return json_null();
	t = (time_t)(usec / 1000000);
	gmtime_r(&t, &tm);
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(usec % 1000000 / 1000));
	return json_string(buf);
}

static json_t *
carrier_json_accepts(const struct carrier_profile *p)
{
	return json_pack("{s:b, s:b, s:b, s:b, s:b}",
	    "short_code", (p->senders & CARRIER_SENDER_SHORT_CODE) != 0,
	    "long_code", (p->senders & CARRIER_SENDER_LONG_CODE) != 0,
	    "toll_free", (p->senders & CARRIER_SENDER_TOLL_FREE) != 0,
	    "alphanumeric", (p->senders & CARRIER_SENDER_ALPHANUMERIC) != 0,
	    "mms", p->mms != 0);
}

static json_t *
carrier_json_bind_counters(const struct carrier_bind_counters *n)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:I}",
	    "pdus_in", (json_int_t)n->pdus_in,
	    "pdus_out", (json_int_t)n->pdus_out,
	    "submits", (json_int_t)n->submits,
	    "submits_ok", (json_int_t)n->submits_ok,
	    "submits_refused", (json_int_t)n->submits_refused,
	    "throttled", (json_int_t)n->throttled,
	    "window_full", (json_int_t)n->window_full,
	    "receipts_sent", (json_int_t)n->receipts_sent,
	    "receipts_acked", (json_int_t)n->receipts_acked,
	    "mo_sent", (json_int_t)n->mo_sent,
	    "deliver_failed", (json_int_t)n->deliver_failed);
}

static json_t *
carrier_json_bind(const struct carrier_bind *b)
{
	const char *state = b->session != NULL ?
	    smpp_session_state_name(smpp_session_state(b->session)) : "CLOSED";
	json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:b, s:s, s:o, s:o, s:o}",
	    "id", (int)b->id,
	    "system_id", b->system_id,
	    "type", carrier_bind_type_name(b->type),
	    "peer", b->peer,
	    "tls", b->tls,
	    "state", state,
	    "opened_at", carrier_json_time(b->opened_at),
	    "bound_at", carrier_json_time(b->bound_at),
	    "closed_at", carrier_json_time(b->closed_at));

	if (b->session == NULL)
		json_object_set_new(o, "close_reason",
		    json_string(b->close_reason));
	else {
		json_object_set_new(o, "outstanding", json_integer(
		    smpp_session_outstanding(b->session)));
		json_object_set_new(o, "unanswered", json_integer(
		    smpp_session_unanswered(b->session)));
	}
	json_object_set_new(o, "muted", json_boolean(b->muted));
	json_object_set_new(o, "captured", json_integer((json_int_t)
	    b->cap_next));
	json_object_set_new(o, "counters", carrier_json_bind_counters(&b->n));
	return o;
}

json_t *
carrier_binds_json(struct carrier *c)
{
	json_t *a = json_array();
	struct carrier_bind *b;

	TAILQ_FOREACH(b, &c->binds, entry)
		json_array_append_new(a, carrier_json_bind(b));
	TAILQ_FOREACH(b, &c->closed, entry)
		json_array_append_new(a, carrier_json_bind(b));
	return a;
}

static void
carrier_json_sum(const struct carrier_counter *n, void *arg)
{
	json_int_t *v = arg;

	v[n->dir == SMPP_DIR_IN ? 0 : 1] += (json_int_t)n->count;
}

json_t *
carrier_state_json(struct carrier *c)
{
	json_t *listen = json_array(), *o;
	json_int_t pdus[2] = { 0, 0 };
	size_t i;

	for (i = 0; i < c->nlisteners; i++)
		json_array_append_new(listen, json_pack("{s:s, s:b, s:b}",
		    "address", c->listeners[i].address,
		    "tls", c->listeners[i].tls,
		    "open", c->listeners[i].listener != NULL));
	carrier_counters_foreach(c, carrier_json_sum, pdus);
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I},"
	    " s:{s:I, s:I, s:I}}",
	    "name", c->p->name,
	    "country", c->p->country,
	    "listen", listen,
	    "accepts", carrier_json_accepts(c->p),
	    "binds", carrier_binds_json(c),
	    "counters",
	    "pdus_in", pdus[0], "pdus_out", pdus[1],
	    "messages", (json_int_t)c->messages,
	    "bound", (json_int_t)carrier_bound_count(c),
	    "receipts_dropped", (json_int_t)c->receipts_dropped,
	    "outbox",
	    "pending", (json_int_t)c->outbox_pending,
	    "held", (json_int_t)carrier_outbox_held(c),
	    "in_flight", (json_int_t)carrier_outbox_inflight(c));
	json_object_set_new(json_object_get(o, "counters"),
	    "receipts_duplicated", json_integer((json_int_t)
	    c->receipts_duplicated));
	json_object_set_new(o, "faults", carrier_faults_json(c));
	json_object_set_new(o, "quirks", carrier_quirks_json(c));
	return o;
}

/* ---- faults and quirks ---- */

static json_t *
carrier_json_switches(const struct carrier_switch_state *st, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		if (!st[i].on)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o}",
		    "name", st[i].sw->name,
		    "params", carrier_switch_show(st[i].sw, &st[i].args),
		    "since", carrier_json_time(st[i].since),
		    "until", carrier_json_time(st[i].until)));
	}
	return a;
}

json_t *
carrier_faults_json(struct carrier *c)
{
	return carrier_json_switches(c->faults, CARRIER_NFAULTS);
}

json_t *
carrier_quirks_json(struct carrier *c)
{
	return carrier_json_switches(c->quirks, CARRIER_NQUIRKS);
}

static json_t *
carrier_json_capture(const struct carrier_capture *cap)
{
	struct smpp_pdu *pdu = xmalloc(sizeof *pdu);
	struct smpp_error err;
	json_t *view;

	smpp_pdu_init(pdu, 0, 0);
	if (smpp_pdu_decode(pdu, cap->raw, cap->len, NULL, &err) == SMPP_OK)
		view = smpp_json_from_pdu(pdu);
	else
		view = smpp_json_from_error(&err);
	smpp_pdu_release(pdu);
	free(pdu);
	return json_pack("{s:I, s:o, s:s, s:o}",
	    "index", (json_int_t)cap->index,
	    "time", carrier_json_time(cap->time),
	    "dir", cap->dir == SMPP_DIR_IN ? "in" : "out",
	    "pdu", view);
}

json_t *
carrier_pdus_json(struct carrier *c, unsigned bind_id, uint64_t since,
    size_t limit)
{
	struct carrier_bind *b = carrier_bind_find(c, bind_id);
	size_t cap_limit = c->p->capture_limit;
	uint64_t first, i;
	json_t *a;

	if (b == NULL)
		return NULL;
	a = json_array();
	if (b->cap_count == 0)
		return a;
	/* The ring holds indexes (cap_next - cap_count, cap_next]. */
	first = b->cap_next - b->cap_count + 1;
	if (since + 1 > first)
		first = since + 1;
	for (i = first; i <= b->cap_next && json_array_size(a) < limit; i++)
		json_array_append_new(a, carrier_json_capture(
		    &b->cap[(i - 1) % cap_limit]));
	return a;
}

static json_t *
carrier_json_state_name(int state)
{
	const char *w = smpp_receipt_stat_word(state);

	return w != NULL ? json_string(w) : json_null();
}

/* An MMS's media URLs as an array; [] for an SMS. */
static json_t *
carrier_json_media(struct carrier *c, const char *id)
{
	json_t *a = json_array();
	char *urls, *line, *next;

	if (carrier_store_media_get(c->env.store, c->p->name, id,
	    &urls) != 0)
		return a;
	for (line = urls; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		json_array_append_new(a, json_string(line));
	}
	free(urls);
	return a;
}

json_t *
carrier_message_json(struct carrier *c, const char *id)
{
	struct carrier_message m;
	int64_t now = carrier_now(c);
	int final;

	if (carrier_store_message_get(c->env.store, c->p->name, id, &m) != 0)
		return NULL;
	final = now >= m.done_at;
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:o,"
	    " s:o, s:o, s:o, s:o, s:s, s:o, s:o}",
	    "message_id", m.message_id,
	    "seq", (json_int_t)m.seq,
	    "system_id", m.system_id,
	    "source_addr", m.source_addr,
	    "sender_kind", smpp_address_kind_name(smpp_address_kind(
	    m.source_ton, m.source_npi, m.source_addr)),
	    "destination_addr", m.destination_addr,
	    "data_coding", m.data_coding,
	    "registered_delivery", m.registered_delivery,
	    "submit_at", carrier_json_time(m.submit_at),
	    "schedule_at", carrier_json_time(m.schedule_at),
	    "expire_at", carrier_json_time(m.expire_at),
	    "done_at", carrier_json_time(m.done_at),
	    "state", final ? carrier_json_state_name(m.state) :
	    json_string("ENROUTE"),
	    "final_state", carrier_json_state_name(m.state),
	    "err", m.err,
	    "network_error_code", m.has_nec ? json_pack("{s:i, s:i}",
	    "type", m.nec_type, "code", m.nec_code) : json_null(),
	    "media", carrier_json_media(c, id));
}

/* ---- Prometheus ---- */

struct carrier_metrics_ctx {
	struct evbuffer	*out;
	const char	*carrier;
};

static void
carrier_metrics_pdu(const struct carrier_counter *n, void *arg)
{
	struct carrier_metrics_ctx *m = arg;
	const char *cmd = n->command_id != 0 ?
	    smpp_command_name(n->command_id) : NULL;

	evbuffer_add_printf(m->out, "carrierlab_smpp_pdus_total{carrier=\"%s\","
	    "direction=\"%s\",command=\"%s\",status=\"%s\"} %" PRIu64 "\n",
	    m->carrier, n->dir == SMPP_DIR_IN ? "in" : "out",
	    cmd != NULL ? cmd : "unreadable", smpp_status_name(n->status),
	    n->count);
}

static void
carrier_metrics_histogram(struct evbuffer *out, const char *family,
    const char *carrier, const struct carrier_histogram *h)
{
	size_t i;

	for (i = 0; i < CARRIER_HIST_BUCKETS; i++)
		evbuffer_add_printf(out, "%s_bucket{carrier=\"%s\",le=\"%g\"} "
		    "%" PRIu64 "\n", family, carrier, carrier_hist_bounds[i],
		    h->bucket[i]);
	evbuffer_add_printf(out, "%s_bucket{carrier=\"%s\",le=\"+Inf\"} %"
	    PRIu64 "\n%s_sum{carrier=\"%s\"} %.6f\n%s_count{carrier=\"%s\"} %"
	    PRIu64 "\n", family, carrier, h->count, family, carrier, h->sum,
	    family, carrier, h->count);
}

/* Switches of every carrier, one kind: counters of transitions and the
 * gauge of what is on, a series for each fault whether used or not. */
static void
carrier_metrics_switches(struct carrier *const *cs, size_t n,
    struct evbuffer *out, enum carrier_switch_kind kind)
{
	const char *k = carrier_switch_kind_name(kind);
	const struct carrier_switch_state *st;
	size_t i, j, m;

	carrier_switch_table(kind, &m);
	evbuffer_add_printf(out, "# HELP carrierlab_%s_switches_total %s "
	    "switched on and off.\n# TYPE carrierlab_%s_switches_total "
	    "counter\n", k, kind == CARRIER_SWITCH_FAULT ? "Fault modes" :
	    "Interop quirks", k);
	for (i = 0; i < n; i++) {
		st = kind == CARRIER_SWITCH_FAULT ? cs[i]->faults :
		    cs[i]->quirks;
		for (j = 0; j < m; j++)
			evbuffer_add_printf(out, "carrierlab_%s_switches_total"
			    "{carrier=\"%s\",%s=\"%s\",action=\"on\"} %"
			    PRIu64 "\ncarrierlab_%s_switches_total{carrier="
			    "\"%s\",%s=\"%s\",action=\"off\"} %" PRIu64
			    "\n", k, cs[i]->p->name, k, st[j].sw->name,
			    st[j].switched_on, k, cs[i]->p->name, k,
			    st[j].sw->name, st[j].switched_off);
	}
	evbuffer_add_printf(out, "# HELP carrierlab_%s_active Whether the "
	    "%s is on (1) or off (0).\n# TYPE carrierlab_%s_active gauge\n",
	    k, k, k);
	for (i = 0; i < n; i++) {
		st = kind == CARRIER_SWITCH_FAULT ? cs[i]->faults :
		    cs[i]->quirks;
		for (j = 0; j < m; j++)
			evbuffer_add_printf(out, "carrierlab_%s_active{carrier="
			    "\"%s\",%s=\"%s\"} %d\n", k, cs[i]->p->name, k,
			    st[j].sw->name, st[j].on);
	}
}

void
carrier_metrics_write(struct carrier *const *cs, size_t n,
    struct evbuffer *out)
{
	struct carrier_metrics_ctx m = { out, NULL };
	size_t i;

	evbuffer_add_printf(out, "# HELP carrierlab_smpp_pdus_total SMPP PDUs "
	    "by direction, command and status.\n# TYPE "
	    "carrierlab_smpp_pdus_total counter\n");
	for (i = 0; i < n; i++) {
		m.carrier = cs[i]->p->name;
		carrier_counters_foreach(cs[i], carrier_metrics_pdu, &m);
	}
	evbuffer_add_printf(out, "# HELP carrierlab_binds Bound SMPP "
	    "sessions.\n# TYPE carrierlab_binds gauge\n");
	for (i = 0; i < n; i++)
		evbuffer_add_printf(out, "carrierlab_binds{carrier=\"%s\"} %u\n",
		    cs[i]->p->name, carrier_bound_count(cs[i]));
	evbuffer_add_printf(out, "# HELP carrierlab_outbox_pending Receipts "
	    "and MO not yet acknowledged.\n# TYPE carrierlab_outbox_pending "
	    "gauge\n");
	for (i = 0; i < n; i++)
		evbuffer_add_printf(out, "carrierlab_outbox_pending{carrier="
		    "\"%s\"} %zu\n", cs[i]->p->name, cs[i]->outbox_pending);
	evbuffer_add_printf(out, "# HELP carrierlab_submit_latency_seconds "
	    "From submit_sm to its response.\n# TYPE "
	    "carrierlab_submit_latency_seconds histogram\n");
	for (i = 0; i < n; i++)
		carrier_metrics_histogram(out, "carrierlab_submit_latency_seconds",
		    cs[i]->p->name, &cs[i]->submit_latency);
	evbuffer_add_printf(out, "# HELP carrierlab_receipt_rtt_seconds From "
	    "deliver_sm to its response.\n# TYPE "
	    "carrierlab_receipt_rtt_seconds histogram\n");
	for (i = 0; i < n; i++)
		carrier_metrics_histogram(out, "carrierlab_receipt_rtt_seconds",
		    cs[i]->p->name, &cs[i]->receipt_rtt);
	carrier_metrics_switches(cs, n, out, CARRIER_SWITCH_FAULT);
	carrier_metrics_switches(cs, n, out, CARRIER_SWITCH_QUIRK);
}
