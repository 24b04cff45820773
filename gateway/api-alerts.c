/*
 * /v1/Alerts: the account's alerts (services.h: sender ID
 * pre-registration and the like) as Twilio's Monitor API shows them,
 * newest first, filtered by LogLevel, StartDate and EndDate, and one
 * alert by its NO sid. They live in the store (objects of kind
 * "alert"), so a list is a keyset page read from it: a PageToken
 * "PA<sid>" reads on after that alert, "PB<sid>" the page before it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/clock.h"
#include "gateway/api-internal.h"
#include "gateway/services.h"
#include "gateway/store.h"

#define GW_ALERT_KIND	"alert"

/* The alert a row's body describes; -1 when it is unreadable. */
static int
gw_api_alert_read(const struct gw_object_row *row, struct gw_alert *a)
{
	json_t *o = json_loads(row->body, 0, NULL);
	const char *v;

	memset(a, 0, sizeof(*a));
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	strlcpy(a->sid, row->key, sizeof(a->sid));
	strlcpy(a->account_sid, row->account_sid, sizeof(a->account_sid));
#define GW_COPY(field) do {						\
	v = json_string_value(json_object_get(o, #field));		\
	strlcpy(a->field, v != NULL ? v : "", sizeof(a->field));	\
} while (0)
	GW_COPY(resource_sid);
	GW_COPY(service_sid);
	GW_COPY(log_level);
	GW_COPY(alert_text);
#undef GW_COPY
	a->error_code = (int)json_integer_value(json_object_get(o,
	    "error_code"));
	a->date_created = row->created;
	json_decref(o);
	return 0;
}

struct gw_api_alerts_page {
	const char	*base;
	json_t		*items;
	char		 first[GATEWAY_SID_SIZE];
	char		 last[GATEWAY_SID_SIZE];
};

static void
gw_api_alerts_row(const struct gw_object_row *row, void *arg)
{
	struct gw_api_alerts_page *p = arg;
	struct gw_alert a;

	if (gw_api_alert_read(row, &a) == -1)
		return;
	if (p->first[0] == '\0')
		strlcpy(p->first, a.sid, sizeof(p->first));
	strlcpy(p->last, a.sid, sizeof(p->last));
	json_array_append_new(p->items, gw_api_alert_json(p->base, &a, 0));
}

/* A date filter: YYYY-MM-DD means the whole day (EndDate: through its
 * end), a time means that instant. */
static int
gw_api_alerts_date(struct gw_api_request *r, const char *name, int end,
    int64_t *out, struct evbuffer *filters)
{
	const char *v = gw_form_get(&r->query, name);
	int64_t usec;

	if (v == NULL)
		return 0;
	if (gw_api_date_parse(v, &usec) == -1) {
		gw_api_fail(r, 20001, "Invalid parameter %s: '%.64s' is not "
		    "a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)", name, v);
		return -1;
	}
	if (end)
		usec += strlen(v) == 10 ? 86400 * CLOCK_USEC_PER_SEC : 1;
	*out = usec;
	evbuffer_add_printf(filters, "%s=", name);
	gw_uri_encode(filters, v);
	evbuffer_add(filters, "&", 1);
	return 0;
}

static int
gw_api_alerts_filters(struct gw_api_request *r, struct gw_object_query *q,
    struct evbuffer *filters)
{
	const char *level = gw_form_get(&r->query, "LogLevel");

	if (level != NULL) {
		if (strcmp(level, "error") != 0 && strcmp(level, "warning") !=
		    0 && strcmp(level, "notice") != 0 && strcmp(level,
		    "debug") != 0) {
			gw_api_fail(r, 20001, "Invalid parameter LogLevel: "
			    "'%.32s' is not error, warning, notice or debug",
			    level);
			return -1;
		}
		q->body_path = "$.log_level";
		q->body_value = level;
		evbuffer_add_printf(filters, "LogLevel=%s&", level);
	}
	return gw_api_alerts_date(r, "StartDate", 0, &q->created_after,
	    filters) == -1 || gw_api_alerts_date(r, "EndDate", 1,
	    &q->created_before, filters) == -1 ? -1 : 0;
}

/* The keyset of a PageToken's alert; -1 after answering. */
static int
gw_api_alerts_token(struct gw_api_request *r, struct gw_object_query *q,
    const char *token, int backward)
{
	struct gw_object_row row;
	int rc;

	rc = gw_store_get_object(r->gw->store, GW_ALERT_KIND, token + 2, &row);
	if (rc == -1) {
		gw_api_fail(r, 20500, "The store failed");
		return -1;
	}
	if (rc == 0 || strcmp(row.account_sid, r->account->sid) != 0) {
		free(row.body);
		gw_api_fail(r, 20001, "Invalid PageToken: %s no longer "
		    "exists", token + 2);
		return -1;
	}
	free(row.body);
	if (backward) {
		q->before_created = row.created;
		strlcpy(q->before_key, token + 2, sizeof(q->before_key));
	} else {
		q->after_created = row.created;
		strlcpy(q->after_key, token + 2, sizeof(q->after_key));
	}
	return 0;
}

static void
gw_api_alerts_reply(struct gw_api_request *r, struct gw_api_page *pg,
    struct gw_api_alerts_page *p, int backward, int more)
{
	char next[40], prev[40];

	if (pg->n > 0) {
		snprintf(next, sizeof(next), "PA%s", p->last);
		snprintf(prev, sizeof(prev), "PB%s", p->first);
		pg->next_token = next;
		pg->prev_token = prev;
		/* Forward, the store says whether rows follow; backward,
		 * whether rows precede, and the token's row follows. */
		pg->has_next = backward ? 1 : more;
		pg->has_prev = backward ? more : pg->token != NULL;
	}
	gw_api_v1_reply_list(r, "alerts", p->items, pg);
}

void
gw_api_alerts_list(struct gw_api_request *r)
{
	struct gw_api_alerts_page p = { r->base_url, NULL, "", "" };
	struct evbuffer *filters = evbuffer_new();
	struct gw_object_query q = { 0 };
	struct gw_api_page pg = { 0 };
	int backward, more = 0, n;

	q.kind = GW_ALERT_KIND;
	q.account_sid = r->account->sid;
	if (gw_api_page_parse(r, &pg.page, &pg.page_size) == -1 ||
	    gw_api_alerts_filters(r, &q, filters) == -1 ||
	    gw_api_v1_token(r, "NO", &pg.token, &backward) == -1 ||
	    (pg.token != NULL && gw_api_alerts_token(r, &q, pg.token,
	    backward) == -1))
		goto out;
	q.page_size = pg.page_size;
	p.items = json_array();
	if ((n = gw_store_list_objects(r->gw->store, &q, gw_api_alerts_row,
	    &p, &more)) == -1) {
		json_decref(p.items);
		gw_api_fail(r, 20500, "The store failed");
		goto out;
	}
	pg.n = json_array_size(p.items);
	evbuffer_add(filters, "", 1);
	pg.filters = (const char *)evbuffer_pullup(filters, -1);
	gw_api_alerts_reply(r, &pg, &p, backward, more);
out:
	evbuffer_free(filters);
}

void
gw_api_alerts_fetch(struct gw_api_request *r)
{
	struct gw_object_row row;
	struct gw_alert a;
	int rc;

	rc = gw_store_get_object(r->gw->store, GW_ALERT_KIND, r->sids[0],
	    &row);
	if (rc == -1) {
		gw_api_fail(r, 20500, "The store failed");
		return;
	}
	if (rc == 0 || strcmp(row.account_sid, r->account->sid) != 0 ||
	    gw_api_alert_read(&row, &a) == -1) {
		free(row.body);
		gw_api_fail(r, 20404, "The requested resource %s was not found",
		    r->path);
		return;
	}
	free(row.body);
	gw_api_reply_resource(r, 200, gw_api_alert_json(r->base_url, &a, 1),
	    NULL);
}
