/*
 * Serving links: a request whose Host is a registered domain (any path
 * but the API's), or /l/CODE and /m/CODE on any host, answers 302 to the
 * link while it lives; an expired or unknown short link goes to its
 * domain's fallback URL, or 404 (30105) when there is none.
 *
 * 302 rather than 301: a browser keeps a 301 and would never come back,
 * so later clicks would be neither counted nor sent to the domain's
 * callback URL, nor sent to the fallback once the link expired.
 *
 * Each redirect of a live short link queues one click event to the
 * domain's CallbackUrl through the webhook outbox: a row of kind
 * "click", handed to the webhooks once its batch is durable as a row
 * read back from the outbox would be (gw_webhook_resume), so it is
 * signed, retried, spilled and resumed after a restart like a status
 * callback, in the FIFO of its message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/links-internal.h"
#include "gateway/store.h"
#include "gateway/webhook-internal.h"
#include "gateway/webhook.h"

/* A click event waiting for its batch. */
struct gw_links_click_row {
	struct gw_links		*links;
	struct gw_callback_row	 row;
};

/* What a visit to a code comes to. */
struct gw_link_visit {
	int		 status;		/* 302, 404 or 503 */
	int		 error_code;		/* 404: 30105 or 20404 */
	char		*location;		/* 302: heap */
	int		 clicked;		/* a click event queued */
	int		 expired;
};

/* The message's From when the link was made before it was chosen. */
static void
gw_links_from(struct gw_links *links, const struct gw_link *l, char *out,
    size_t size)
{
	struct gw_message *m = NULL;

	strlcpy(out, l->from, size);
	if (out[0] != '\0' || gw_store_get_message(links->gw->store, NULL,
	    l->message_sid, &m) != 1)
		return;
	strlcpy(out, m->from, size);
	gw_message_free(m);
}

/* The click's batch committed (ok) or rolled back. */
static void
gw_links_click_durable(void *arg, int ok)
{
	struct gw_links_click_row *c = arg;

	if (ok)
		gw_webhook_resume(c->links->gw->webhooks, &c->row);
	else
		log_warnx("links %s click event lost: the store's batch was "
		    "rolled back", c->row.message_sid);
	gw_callback_row_clear(&c->row);
	free(c);
}

/* A row of the outbox (kind "click"), sent once durable. */
static void
gw_links_click_queue(struct gw_links *links, const struct gw_link *l,
    const char *url, char *params)
{
	struct gw_links_click_row *c = xcalloc(1, sizeof *c);

	c->links = links;
	strlcpy(c->row.kind, "click", sizeof c->row.kind);
	strlcpy(c->row.message_sid, l->message_sid,
	    sizeof c->row.message_sid);
	strlcpy(c->row.account_sid, l->account_sid,
	    sizeof c->row.account_sid);
	c->row.url = xstrdup(url);
	strlcpy(c->row.method, "POST", sizeof c->row.method);
	c->row.params = params;
	c->row.created_at = c->row.next_at = clock_now(links->gw->clock);
	if (gw_store_add_callback(links->gw->store, &c->row) == -1) {
		log_warnx("links %s click event lost: the store refused it",
		    l->message_sid);
		gw_callback_row_clear(&c->row);
		free(c);
		return;
	}
	gw_store_when_durable(links->gw->store, gw_links_click_durable, c);
}

/* Queues the click event of l; 1 when the domain has a callback URL. */
static int
gw_links_click_event(struct gw_links *links, const struct gw_link *l,
    const char *user_agent)
{
	struct gw_link_domain *d = gw_links_domain_find(links, NULL,
	    l->domain_sid);
	struct evbuffer *b;
	char from[GATEWAY_NUMBER_MAX], at[32], *params;

	if (d == NULL || !d->has_config || d->callback_url[0] == '\0')
		return 0;
	gw_links_from(links, l, from, sizeof from);
	gw_date_iso8601(clock_now(links->gw->clock), at, sizeof at);
	if ((b = evbuffer_new()) == NULL)
		fatalx("links evbuffer_new failed");
	gw_http_form_add(b, "event_type", "click");
	gw_http_form_add(b, "sms_sid", l->message_sid);
	gw_http_form_add(b, "to", l->to);
	gw_http_form_add(b, "from", from);
	gw_http_form_add(b, "link", l->url);
	gw_http_form_add(b, "shortened_link", l->shortened);
	gw_http_form_add(b, "clicked_at", at);
	gw_http_form_add(b, "messaging_service_sid", l->service_sid);
	gw_http_form_add(b, "account_sid", l->account_sid);
	gw_http_form_add(b, "user_agent", user_agent);
	params = gw_http_form_take(b);
	evbuffer_free(b);
	gw_links_click_queue(links, l, d->callback_url, params);
	return 1;
}

/* Where an expired or unknown short link of d goes. */
static void
gw_links_fallback(const struct gw_link_domain *d, struct gw_link_visit *v)
{
	if (d != NULL && d->has_config && d->fallback_url[0] != '\0') {
		v->status = 302;
		v->location = xstrdup(d->fallback_url);
		return;
	}
	v->status = 404;
	v->error_code = d != NULL ? 30105 : 20404;
}

/*
 * Visits code: a media link (media) or a short link, reached through
 * the domain via (by Host) or by path (via NULL: the link's own domain
 * is the fallback's).
 */
static void
gw_links_visit(struct gw_links *links, struct gw_link_domain *via,
    int media, const char *code, const char *user_agent,
    struct gw_link_visit *v)
{
	struct gw_link l;
	size_t want = media ? GW_LINK_MEDIA_CODE_LEN : GW_LINK_SHORT_CODE_LEN;
	int found = 0;

	memset(v, 0, sizeof *v);
	if (strlen(code) == want &&
	    (found = gw_link_load(links, code, &l)) == -1) {
		v->status = 503;
		return;
	}
	/* A code of another domain is no code of this one. */
	if (found == 1 && via != NULL && strcmp(l.domain_sid, via->sid) != 0) {
		gw_link_clear(&l);
		found = 0;
	}
	if (found == 1 && clock_now(links->gw->clock) < l.expires) {
		v->status = 302;
		v->location = xstrdup(l.url);
		if (!media)
			v->clicked = gw_links_click_event(links, &l,
			    user_agent);
		log_info("links %s click code=%s to=%s clicked=%d",
		    l.message_sid, code, l.to, v->clicked);
		gw_link_clear(&l);
		return;
	}
	if (found == 1) {
		v->expired = 1;
		if (via == NULL && !media)
			via = gw_links_domain_find(links, NULL, l.domain_sid);
		gw_link_clear(&l);
	}
	if (media) {
		v->status = 404;
		v->error_code = 20404;
		return;
	}
	gw_links_fallback(via, v);
	log_info("links visit code=%.16s expired=%d status=%d", code,
	    v->expired, v->status);
}

static void
gw_links_reply(struct evhttp_request *req, const struct gw_link_visit *v)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evbuffer_new();
	struct gw_error e;

	if (body == NULL)
		fatalx("links evbuffer_new failed");
	if (v->status == 302) {
		evhttp_add_header(h, "Location", v->location);
		evhttp_add_header(h, "Cache-Control", "no-store");
		evhttp_add_header(h, "Content-Type", "text/plain");
		evbuffer_add_printf(body, "Redirecting to %s\n", v->location);
		evhttp_send_reply(req, 302, "Found", body);
		evbuffer_free(body);
		return;
	}
	if (v->status == 503)
		gw_error_set(&e, 20503, "The link store cannot be read");
	else
		gw_error_set(&e, v->error_code, v->error_code == 20404 ?
		    "No such link" : NULL);
	evhttp_add_header(h, "Content-Type", "application/json");
	evbuffer_add_printf(body, "{\"code\": %d, \"message\": \"%s\", "
	    "\"more_info\": \"https://www.twilio.com/docs/errors/%d\", "
	    "\"status\": %d}", e.code, e.message, e.code, v->status);
	evhttp_send_reply(req, v->status, NULL, body);
	evbuffer_free(body);
}

/* The request's host name without its port, in out ("" when none). */
static void
gw_links_host(struct evhttp_request *req, char *out, size_t size)
{
	const char *h = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Host");
	char *colon;

	strlcpy(out, h != NULL ? h : "", size);
	if ((colon = strrchr(out, ':')) != NULL && strchr(out, ']') == NULL)
		*colon = '\0';
}

static int
gw_links_api_path(const char *path)
{
	return strncmp(path, "/v1/", 4) == 0 || strcmp(path, "/v1") == 0 ||
	    strncmp(path, "/2010-04-01", 11) == 0;
}

int
gw_links_http_handle(struct gw_links *links, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct gw_link_domain *via = NULL;
	struct gw_link_visit v;
	const char *code, *ua;
	char host[GATEWAY_DOMAIN_MAX];
	int media = 0, method = evhttp_request_get_command(req);

	if (path == NULL)
		return -1;
	if (strncmp(path, "/l/", 3) == 0 || strncmp(path, "/m/", 3) == 0) {
		media = path[1] == 'm';
		code = path + 3;
	} else {
		/* The API's paths go by before a look at the Host. */
		if (gw_links_api_path(path))
			return -1;
		gw_links_host(req, host, sizeof host);
		if ((via = gw_links_domain_by_name(links, host)) == NULL)
			return -1;
		code = path + 1;
	}
	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		evhttp_send_reply(req, 405, "Method Not Allowed", NULL);
		return 0;
	}
	ua = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "User-Agent");
	gw_links_visit(links, via, media, code, ua != NULL ? ua : "", &v);
	gw_links_reply(req, &v);
	free(v.location);
	return 0;
}

json_t *
gw_links_click(struct gw_links *links, const char *code,
    const char *user_agent)
{
	struct gw_link_visit v;
	json_t *o;

	gw_links_visit(links, NULL, strlen(code) == GW_LINK_MEDIA_CODE_LEN,
	    code, user_agent != NULL ? user_agent : "", &v);
	o = json_pack("{s:s, s:i, s:s?, s:b, s:b}", "code", code, "status",
	    v.status, "location", v.location, "clicked", v.clicked,
	    "expired", v.expired);
	free(v.location);
	return o;
}
