/*
 * The Messages resource (twilio-api.md §2): create, list, fetch, update
 * (redact, cancel) and delete.
 *
 * Create checks the form's syntax here, in Twilio's order, and leaves
 * what needs the gateway's state (the sender, the service, routes) to
 * gw_lifecycle_create(). The 201 leaves only once the store has
 * committed the message; until then the request waits in a struct
 * gw_api_pending, and the connection's close callback tells it when the
 * client is gone so the late answer never touches a freed request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/api-internal.h"
#include "gateway/api.h"
#include "gateway/store.h"

#define GW_API_CALLBACK_MAX	4000	/* StatusCallback length */
#define GW_API_VALIDITY_MAX	36000
#define GW_API_SEND_AT_MIN	(300 * CLOCK_USEC_PER_SEC)
#define GW_API_SEND_AT_MAX	(35 * 86400 * CLOCK_USEC_PER_SEC)
#define GW_API_ATTEMPT_MAX	1000000
#define GW_DAY			(86400 * CLOCK_USEC_PER_SEC)

/* A create waiting for its commit. */
struct gw_api_pending {
	struct gateway		*gw;
	struct evhttp_request	*req;	/* NULL: freed with its connection */
	struct evhttp_connection *evcon; /* NULL: gone */
	enum gw_api_format	 format;
};

/* The Body, MediaUrl and ContentSid checks, in Twilio's order. */
static int
gw_api_create_content(struct gw_api_request *r, struct gw_create_request *cr,
    struct gw_error *e)
{
	const char *content = gw_form_get(&r->form, "ContentSid");
	size_t i, n;

	if (cr->body != NULL && cr->body[0] == '\0')
		cr->body = NULL;
	if (content != NULL && content[0] != '\0') {
		/* No Content API templates exist in the simulator. */
		gw_error_set(e, 21655, "The ContentSid %.40s is invalid: no "
		    "content templates exist here", content);
		return -1;
	}
	if (gw_form_get(&r->form, "ContentVariables") != NULL) {
		gw_error_set(e, 21654, "ContentVariables requires a ContentSid");
		return -1;
	}
	n = gw_form_all(&r->form, "MediaUrl", cr->media, GW_MAX_MEDIA);
	if (cr->body == NULL && n == 0) {
		gw_error_set(e, 21602, "Message body is required.");
		return -1;
	}
	if (cr->body != NULL && gw_utf8_count(cr->body) > GW_API_BODY_CHARS) {
		gw_error_set(e, 21617, "The concatenated message body exceeds "
		    "the %d character limit.", GW_API_BODY_CHARS);
		return -1;
	}
	if (n > GW_MAX_MEDIA) {
		gw_error_set(e, 21623, "Number of media files exceeds allowed "
		    "limit (%d): %zu given.", GW_MAX_MEDIA, n);
		return -1;
	}
	cr->nmedia = n;
	for (i = 0; i < n; i++)
		if (!gw_url_http(cr->media[i], 1)) {
			gw_error_set(e, 21620, "Invalid media URL(s): %.300s",
			    cr->media[i]);
			return -1;
		}
	return 0;
}

/* To, From and MessagingServiceSid. */
static int
gw_api_create_addresses(struct gw_api_request *r,
    struct gw_create_request *cr, struct gw_error *e)
{
	cr->to = gw_form_get(&r->form, "To");
	cr->from = gw_form_get(&r->form, "From");
	cr->service_sid = gw_form_get(&r->form, "MessagingServiceSid");
	if (cr->from != NULL && cr->from[0] == '\0')
		cr->from = NULL;
	if (cr->service_sid != NULL && cr->service_sid[0] == '\0')
		cr->service_sid = NULL;
	if (cr->to == NULL || cr->to[0] == '\0') {
		gw_error_set(e, 21604, "A 'To' phone number is required.");
		return -1;
	}
	/* Channel addresses ("whatsapp:+1...") are not served yet. */
	if (!gw_e164_valid(cr->to)) {
		gw_error_set(e, 21211, "The 'To' number %.64s is not a valid "
		    "phone number.", cr->to);
		return -1;
	}
	if (cr->from == NULL && cr->service_sid == NULL) {
		gw_error_set(e, 21603, "A 'From' or 'MessagingServiceSid' "
		    "parameter is required to send a message");
		return -1;
	}
	if (cr->from != NULL && gw_sender_kind(cr->from) == -1) {
		gw_error_set(e, 21212, "The 'From' number %.64s is not a valid "
		    "phone number, shortcode, or alphanumeric sender ID.",
		    cr->from);
		return -1;
	}
	return 0;
}

/* ScheduleType, SendAt: fixed needs SendAt in the window and a service. */
static int
gw_api_create_schedule(struct gw_api_request *r,
    struct gw_create_request *cr, struct gw_error *e)
{
	const char *type = gw_form_get(&r->form, "ScheduleType");
	const char *at = gw_form_get(&r->form, "SendAt");
	int64_t when, ahead;

	if (type == NULL)
		return 0;		/* SendAt alone schedules nothing */
	if (strcmp(type, "fixed") != 0) {
		gw_error_set(e, 35126, "ScheduleType %.40s is not supported; "
		    "the only value is 'fixed'", type);
		return -1;
	}
	if (at == NULL || at[0] == '\0') {
		gw_error_set(e, 35111, "SendAt timestamp is missing");
		return -1;
	}
	ahead = gw_date_parse(at, &when) == 0 ?
	    when - clock_now(r->gw->clock) : -1;
	if (ahead < GW_API_SEND_AT_MIN || ahead > GW_API_SEND_AT_MAX) {
		gw_error_set(e, 35114, "SendAt %.64s: scheduling needs a time "
		    "between 300 seconds and 35 days ahead", at);
		return -1;
	}
	if (cr->service_sid == NULL) {
		gw_error_set(e, 35118,
		    "MessagingServiceSid is required to schedule a message");
		return -1;
	}
	cr->schedule_fixed = 1;
	cr->send_at = when;
	return 0;
}

/* The boolean and enum parameters: one table row each. */
static int
gw_api_create_flags(struct gw_api_request *r, struct gw_create_request *cr,
    struct gw_error *e)
{
	static const struct {
		const char	*name;
		const char	*values;	/* "|a|b|"; NULL: boolean */
	} params[] = {
		{ "SmartEncoded", NULL }, { "ShortenUrls", NULL },
		{ "ProvideFeedback", NULL }, { "ForceDelivery", NULL },
		{ "SendAsMms", NULL },
		{ "ContentRetention", "|retain|discard|" },
		{ "AddressRetention", "|retain|obfuscate|" },
		{ "TrafficType", "|free|" },
		{ "RiskCheck", "|enable|disable|" },
	};
	const char *v;
	char bar[64];
	size_t i;
	int b = 0;

	for (i = 0; i < sizeof params / sizeof *params; i++) {
		if ((v = gw_form_get(&r->form, params[i].name)) == NULL)
			continue;
		snprintf(bar, sizeof bar, "|%s|", v);
		if (params[i].values == NULL ? gw_form_bool(v, &b) == -1 :
		    strlen(v) > 40 || strstr(params[i].values, bar) == NULL) {
			gw_error_set(e, 400, "Invalid value for %s: %.40s",
			    params[i].name, v);
			return -1;
		}
		if (strcmp(params[i].name, "SmartEncoded") == 0)
			cr->smart_encoded = b;
		else if (strcmp(params[i].name, "ShortenUrls") == 0)
			cr->shorten_urls = b;
	}
	return 0;
}

/* StatusCallback, ValidityPeriod, the schedule, flags and Attempt. */
static int
gw_api_create_options(struct gw_api_request *r,
    struct gw_create_request *cr, struct gw_error *e)
{
	const char *v;
	unsigned long n;

	cr->status_callback = gw_form_get(&r->form, "StatusCallback");
	if (cr->status_callback != NULL && cr->status_callback[0] == '\0')
		cr->status_callback = NULL;
	if (cr->status_callback != NULL &&
	    (strlen(cr->status_callback) > GW_API_CALLBACK_MAX ||
	    !gw_url_http(cr->status_callback, 0))) {
		gw_error_set(e, 21609, "The StatusCallback URL %.300s is not "
		    "a valid URL: http or https, a host without '_', at most "
		    "%d characters", cr->status_callback, GW_API_CALLBACK_MAX);
		return -1;
	}
	if ((v = gw_form_get(&r->form, "ValidityPeriod")) != NULL) {
		if (gw_form_ulong(v, 1, GW_API_VALIDITY_MAX, &n) == -1) {
			gw_error_set(e, 90007, "Invalid validity period value "
			    "%.40s: an integer of 1 to %d seconds", v,
			    GW_API_VALIDITY_MAX);
			return -1;
		}
		cr->validity_period = (unsigned)n;
	}
	if (gw_api_create_schedule(r, cr, e) == -1 ||
	    gw_api_create_flags(r, cr, e) == -1)
		return -1;
	if ((v = gw_form_get(&r->form, "Attempt")) != NULL) {
		if (gw_form_ulong(v, 1, GW_API_ATTEMPT_MAX, &n) == -1) {
			gw_error_set(e, 400, "Invalid value for Attempt: %.40s",
			    v);
			return -1;
		}
		cr->attempt = (unsigned)n;
	}
	return 0;
}

/* The client's connection is being freed while its create waits. */
static void
gw_api_pending_closed(struct evhttp_connection *evcon, void *arg)
{
	struct gw_api_pending *p = arg;

	/* Still attached: libevent frees the request right after this. A
	 * request detached on EOF or timeout outlives the connection; the
	 * late evhttp_send_reply() frees it. */
	if (p->req != NULL && evhttp_request_get_connection(p->req) == evcon)
		p->req = NULL;
	p->evcon = NULL;
	log_debug("api client-gone pending create");
}

static void
gw_api_created(struct gateway *gw, struct gw_message *m, int durable,
    void *arg)
{
	struct gw_api_pending *p = arg;
	struct gw_error e;

	gw->api_pending--;
	if (p->evcon != NULL)
		evhttp_connection_set_closecb(p->evcon, NULL, NULL);
	if (p->req != NULL && durable)
		gw_api_send_message(gw, p->req, p->format, 201, m);
	else if (p->req != NULL) {
		gw->metrics.api_errors++;
		gw_error_set(&e, 20503, "The message could not be stored; "
		    "try again");
		gw_api_send_error(p->req, p->format, &e);
	}
	free(p);
}

void
gw_api_messages_create(struct gw_api_request *r)
{
	struct gw_create_request cr;
	struct gw_api_pending *p;
	struct gw_error e;

	if (r->gw->cfg.api_max_pending != 0 &&
	    r->gw->api_pending >= r->gw->cfg.api_max_pending) {
		gw_api_fail(r, 20429, "Too many requests: %u creates are "
		    "waiting to be stored", r->gw->api_pending);
		return;
	}
	memset(&cr, 0, sizeof cr);
	cr.account_sid = r->account->sid;
	cr.body = gw_form_get(&r->form, "Body");
	cr.smart_encoded = -1;
	cr.direction = GW_DIR_OUTBOUND_API;
	if (gw_api_create_addresses(r, &cr, &e) == -1 ||
	    gw_api_create_content(r, &cr, &e) == -1 ||
	    gw_api_create_options(r, &cr, &e) == -1) {
		gw_api_reply_error(r, &e);
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->gw = r->gw;
	p->req = r->req;
	p->format = r->format;
	p->evcon = evhttp_request_get_connection(r->req);
	if (p->evcon != NULL)
		evhttp_connection_set_closecb(p->evcon, gw_api_pending_closed,
		    p);
	r->gw->api_pending++;
	/* done may run before this returns: p is not touched after 0. */
	if (gw_lifecycle_create(r->gw, &cr, &e, gw_api_created, p) == -1) {
		r->gw->api_pending--;
		if (p->evcon != NULL)
			evhttp_connection_set_closecb(p->evcon, NULL, NULL);
		free(p);
		gw_api_reply_error(r, &e);
	}
}

/* One date filter: the GMT day of v as [day, day + 1 day). */
static int
gw_api_day(struct gw_api_request *r, const char *key, int64_t *day)
{
	const char *v = gw_form_get(&r->query, key);
	int64_t t;

	if (v == NULL)
		return 0;
	if (gw_api_date_parse(v, &t) == -1 || t < 0) {
		gw_api_fail(r, 400, "Invalid value for %s: %.64s", key, v);
		return -1;
	}
	*day = t - t % GW_DAY;
	return 1;
}

/* To, From, DateSent, DateSent<, DateSent> into q and the encoded
 * filters of the uri fields. 0, or -1 after answering. */
static int
gw_api_list_filters(struct gw_api_request *r, struct gw_list_query *q,
    struct evbuffer *filters)
{
	static const char *const keys[] = { "To", "From", "DateSent",
	    "DateSent<", "DateSent>" };
	int64_t on = 0, upto = 0, from = 0;
	const char *v;
	size_t i;
	int a, b, c;

	q->to = gw_form_get(&r->query, "To");
	q->from = gw_form_get(&r->query, "From");
	if ((a = gw_api_day(r, "DateSent", &on)) == -1 ||
	    (b = gw_api_day(r, "DateSent<", &upto)) == -1 ||
	    (c = gw_api_day(r, "DateSent>", &from)) == -1)
		return -1;
	/* "DateSent<" is on or before the day, "DateSent>" on or after. */
	if (a)
		q->sent_after = on, q->sent_before = on + GW_DAY;
	if (b && (q->sent_before == 0 || upto + GW_DAY < q->sent_before))
		q->sent_before = upto + GW_DAY;
	if (c && from > q->sent_after)
		q->sent_after = from;
	/* A message not sent yet (date_sent 0) matches no date filter. */
	if ((a || b || c) && q->sent_after == 0)
		q->sent_after = 1;
	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		if ((v = gw_form_get(&r->query, keys[i])) == NULL)
			continue;
		gw_uri_encode(filters, keys[i]);
		evbuffer_add(filters, "=", 1);
		gw_uri_encode(filters, v);
		evbuffer_add(filters, "&", 1);
	}
	return 0;
}

/* PageToken "PA<sid>" (rows after sid) or "PB<sid>" (rows before it):
 * the keyset comes from the message's date_created. */
static int
gw_api_list_token(struct gw_api_request *r, struct gw_list_query *q,
    const char *token)
{
	struct gw_message *m = NULL;
	const char *sid = token + 2;
	int rc;

	if (strlen(token) != 2 + GATEWAY_SID_LEN || token[0] != 'P' ||
	    (token[1] != 'A' && token[1] != 'B') ||
	    (!gw_sid_valid(sid, "SM") && !gw_sid_valid(sid, "MM"))) {
		gw_api_fail(r, 400, "Invalid PageToken: %.64s", token);
		return -1;
	}
	rc = gw_store_get_message(r->gw->store, r->account->sid, sid, &m);
	if (rc == -1) {
		gw_api_fail(r, 20500, "The message store failed");
		return -1;
	}
	if (rc == 0) {
		gw_api_fail(r, 400, "Invalid PageToken: message %s no longer "
		    "exists", sid);
		return -1;
	}
	if (token[1] == 'A') {
		q->after_created = m->date_created;
		strlcpy(q->after_sid, sid, sizeof q->after_sid);
	} else {
		q->before_created = m->date_created;
		strlcpy(q->before_sid, sid, sizeof q->before_sid);
	}
	gw_message_free(m);
	return 0;
}

/* Where the page sits: neighbours and their tokens. */
static void
gw_api_list_neighbours(struct gw_api_page *pg, const char *token, int more,
    struct gw_message **ms, char next[40], char prev[40])
{
	int backward = token != NULL && token[1] == 'B';

	if (pg->n == 0)
		return;			/* nothing to page from */
	snprintf(next, 40, "PA%s", ms[pg->n - 1]->sid);
	snprintf(prev, 40, "PB%s", ms[0]->sid);
	pg->next_token = next;
	pg->prev_token = prev;
	/* Forward, the store tells whether rows follow; backward, whether
	 * rows precede, and the row we came from follows. */
	pg->has_next = backward ? 1 : more;
	pg->has_prev = backward ? more : token != NULL;
}

void
gw_api_messages_list(struct gw_api_request *r)
{
	struct gw_api_page pg = { 0 };
	struct gw_list_query q = { 0 };
	struct evbuffer *filters = evbuffer_new();
	struct gw_message **ms = NULL;
	const char *token = gw_form_get(&r->query, "PageToken");
	char next[40], prev[40];
	json_t *items;
	size_t i, n = 0;
	int more = 0;

	q.account_sid = r->account->sid;
	if (gw_api_page_parse(r, &pg.page, &pg.page_size) == -1 ||
	    gw_api_list_filters(r, &q, filters) == -1 ||
	    (token != NULL && gw_api_list_token(r, &q, token) == -1))
		goto out;
	q.page_size = pg.page_size;
	ms = xcalloc(pg.page_size, sizeof *ms);
	if (gw_store_list_messages(r->gw->store, &q, ms, &n, &more) == -1) {
		gw_api_fail(r, 20500, "The message store failed");
		goto out;
	}
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, gw_api_message_json(r->gw, ms[i]));
	pg.n = n;
	evbuffer_add(filters, "", 1);
	pg.filters = (const char *)evbuffer_pullup(filters, -1);
	pg.token = token;
	gw_api_list_neighbours(&pg, token, more, ms, next, prev);
	gw_api_reply_list(r, gw_api_list_body(r->path, "messages", items, &pg),
	    "messages", "Messages", "Message");
out:
	for (i = 0; i < n; i++)
		gw_message_free(ms[i]);
	free(ms);
	evbuffer_free(filters);
}

int
gw_api_message_get(struct gw_api_request *r, struct gw_message **m)
{
	int rc = gw_store_get_message(r->gw->store, r->account->sid,
	    r->sids[1], m);

	if (rc == 1)
		return 1;
	if (rc == 0)
		gw_api_fail(r, 20404, "The requested resource %s was not found",
		    r->path);
	else
		gw_api_fail(r, 20500, "The message store failed");
	return 0;
}

void
gw_api_messages_fetch(struct gw_api_request *r)
{
	struct gw_message *m;

	if (!gw_api_message_get(r, &m))
		return;
	gw_api_reply_message(r, 200, m);
	gw_message_free(m);
}

/* Body="" redacts, Status=canceled cancels; anything else is 30400. */
void
gw_api_messages_update(struct gw_api_request *r)
{
	const char *body = gw_form_get(&r->form, "Body");
	const char *status = gw_form_get(&r->form, "Status");
	struct gw_message *m;
	struct gw_error e;
	int rc;

	if ((body == NULL) == (status == NULL) ||
	    (body != NULL && body[0] != '\0') ||
	    (status != NULL && strcmp(status, "canceled") != 0)) {
		gw_api_fail(r, 30400, "Parameters are not valid: give Body "
		    "as an empty string to redact, or Status=canceled");
		return;
	}
	rc = body != NULL ?
	    gw_lifecycle_redact(r->gw, r->account->sid, r->sids[1], &e) :
	    gw_lifecycle_cancel(r->gw, r->account->sid, r->sids[1], &e);
	if (rc == -1) {
		gw_api_reply_error(r, &e);
		return;
	}
	if (gw_api_message_get(r, &m)) {
		gw_api_reply_message(r, 200, m);
		gw_message_free(m);
	}
}

void
gw_api_messages_delete(struct gw_api_request *r)
{
	struct gw_error e;

	if (gw_lifecycle_delete(r->gw, r->account->sid, r->sids[1], &e) == -1)
		gw_api_reply_error(r, &e);
	else
		gw_api_reply_empty(r, 204);
}
