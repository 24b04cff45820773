/*
 * GET /sim/messages/{sid}: what the gateway knows of a message, for a
 * person debugging a test: the API's resource, the route, every part as
 * it went on the wire, and every status change with its time.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gateway/api.h"
#include "gateway/gateway-internal.h"
#include "gateway/store.h"

#define GW_DEBUG_EVENTS_MAX	256

static const char *const gw_part_states[] = {
	[GW_PART_PENDING] = "pending",
	[GW_PART_SUBMITTED] = "submitted",
	[GW_PART_ACCEPTED] = "accepted",
	[GW_PART_DELIVERED] = "delivered",
	[GW_PART_UNDELIVERED] = "undelivered",
	[GW_PART_FAILED] = "failed",
};

static json_t *
gw_debug_parts(const struct gw_message *m)
{
	json_t *a = json_array();
	const struct gw_part *p;
	char at[40];
	size_t i;

	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		at[0] = '\0';
		if (p->done_at != 0)
			gw_date_iso8601(p->done_at, at, sizeof at);
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, "
		    "s:o, s:s*}", "part", (json_int_t)i + 1, "state",
		    (unsigned)p->state < sizeof gw_part_states /
		    sizeof *gw_part_states ? gw_part_states[p->state] : "?",
		    "smsc_id", p->smsc_id, "stat", p->stat, "err", p->err,
		    "error_code", p->error_code != 0 ?
		    json_integer(p->error_code) : json_null(),
		    "done_at", at[0] != '\0' ? at : NULL));
	}
	return a;
}

static json_t *
gw_debug_events(struct gateway *gw, const char *sid)
{
	struct gw_event_row *ev = calloc(GW_DEBUG_EVENTS_MAX, sizeof *ev);
	json_t *a = json_array();
	char at[40];
	int i, n;

	if (ev == NULL)
		return a;
	n = gw_store_list_events(gw->store, sid, ev, GW_DEBUG_EVENTS_MAX);
	for (i = 0; i < n; i++) {
		gw_date_iso8601(ev[i].at, at, sizeof at);
		json_array_append_new(a, json_pack("{s:s, s:o, s:s, s:I, "
		    "s:s}", "status", ev[i].status, "error_code",
		    ev[i].error_code != 0 ? json_integer(ev[i].error_code) :
		    json_null(), "at", at, "at_usec", (json_int_t)ev[i].at,
		    "detail", ev[i].detail));
	}
	free(ev);
	return a;
}

/* The lines of the sender selection's trace (lifecycle-select.c). */
static json_t *
gw_debug_selection(const struct gw_message *m)
{
	json_t *a = json_array();
	const char *p, *nl;

	for (p = m->selection; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL) {
			json_array_append_new(a, json_string(p));
			break;
		}
		json_array_append_new(a, json_stringn(p, (size_t)(nl - p)));
	}
	return a;
}

json_t *
gateway_message_debug(struct gateway *gw, const char *sid)
{
	struct gw_message *m;
	json_t *o;

	if (gw_store_get_message(gw->store, NULL, sid, &m) != 1)
		return NULL;
	o = json_pack("{s:o, s:s, s:b, s:o, s:o, s:o}", "message",
	    gw_api_message_json(gw, m), "route", m->route, "active",
	    gw_active_find(gw, sid) != NULL, "parts", gw_debug_parts(m),
	    "events", gw_debug_events(gw, sid), "sender_selection",
	    gw_debug_selection(m));
	gw_message_free(m);
	return o;
}
