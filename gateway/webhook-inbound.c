/*
 * Inbound-message webhooks (twilio-api.md §5.2): the message's parameters
 * to the number's or the service's URL, signed; on any failure
 * (connection, timeout, non-2xx, an answer that is not TwiML) once to the
 * fallback URL; the TwiML of the answer is parsed and handed to the
 * caller, which sends the replies. Not persisted: a reply needs the
 * caller's callback, which a restart cannot bring back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/webhook-internal.h"
#include "gateway/webhook.h"

struct wh_inbound {
	struct gw_webhooks	*wh;
	struct gw_message	*in;		/* our copy */
	char			*url;
	char			 method[GATEWAY_METHOD_MAX];
	char			*fallback_url;	/* "" none */
	char			 fallback_method[GATEWAY_METHOD_MAX];
	char			*params;
	int			 on_fallback;
	gw_inbound_reply_cb	 reply;
	void			*arg;
	TAILQ_ENTRY(wh_inbound)	 entry;
};

/* The fields of a message the webhook and the reply need. */
static struct gw_message *
wh_message_copy(const struct gw_message *m)
{
	struct gw_message	*c = gw_message_new();
	size_t			 i;

	memcpy(c->sid, m->sid, sizeof c->sid);
	memcpy(c->account_sid, m->account_sid, sizeof c->account_sid);
	memcpy(c->service_sid, m->service_sid, sizeof c->service_sid);
	memcpy(c->to, m->to, sizeof c->to);
	memcpy(c->from, m->from, sizeof c->from);
	gw_message_set_body(c, m->body);
	c->status = m->status;
	c->direction = m->direction;
	c->error_code = m->error_code;
	c->date_created = m->date_created;
	c->date_updated = m->date_updated;
	c->date_sent = m->date_sent;
	c->num_segments = m->num_segments;
	memcpy(c->route, m->route, sizeof c->route);
	if (m->num_media > 0) {
		c->media = xreallocarray(NULL, m->num_media, sizeof *c->media);
		for (i = 0; i < m->num_media; i++)
			c->media[i] = xstrdup(m->media[i]);
		c->num_media = m->num_media;
	}
	return c;
}

/* Best effort, from the URL's extension: Twilio reports the real type. */
static const char *
wh_media_type(const char *url)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".png", "image/png" }, { ".gif", "image/gif" },
		{ ".mp4", "video/mp4" }, { ".mp3", "audio/mpeg" },
		{ ".pdf", "application/pdf" }, { ".vcf", "text/vcard" },
	};
	size_t	 i, len = strcspn(url, "?#"), elen;

	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		elen = strlen(types[i].ext);
		if (len >= elen && strncasecmp(url + len - elen, types[i].ext,
		    elen) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

static void
wh_inbound_geo(struct evbuffer *b, const char *side, const char *country)
{
	static const char *const fields[] = { "City", "State", "Zip" };
	char	name[16];
	size_t	i;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		snprintf(name, sizeof name, "%s%s", side, fields[i]);
		gw_http_form_add(b, name, "");
	}
	snprintf(name, sizeof name, "%sCountry", side);
	gw_http_form_add(b, name, country);
}

/* twilio-api.md §5.2, in the order of Twilio's own capture. */
static char *
wh_inbound_params(struct gateway *gw, const struct gw_message *m,
    const char *opt_out_type)
{
	const struct gateway_number	*n;
	struct evbuffer			*b = evbuffer_new();
	char				 name[32], num[16];
	char				*text;
	size_t				 i;

	if (b == NULL)
		fatalx("webhook evbuffer_new failed");
	n = gw_number_find(gw, m->account_sid, m->to);
	wh_inbound_geo(b, "To", n != NULL ? n->country :
	    m->to[0] == '+' ? gw_country_of(m->to) : "");
	gw_http_form_add(b, "SmsMessageSid", m->sid);
	snprintf(num, sizeof num, "%u", m->num_media);
	gw_http_form_add(b, "NumMedia", num);
	gw_http_form_add(b, "SmsSid", m->sid);
	gw_http_form_add(b, "SmsStatus", "received");
	gw_http_form_add(b, "Body", m->body);
	wh_inbound_geo(b, "From", m->from[0] == '+' ?
	    gw_country_of(m->from) : "");
	gw_http_form_add(b, "To", m->to);
	snprintf(num, sizeof num, "%u", m->num_segments > 0 ?
	    m->num_segments : 1);
	gw_http_form_add(b, "NumSegments", num);
	gw_http_form_add(b, "MessageSid", m->sid);
	gw_http_form_add(b, "AccountSid", m->account_sid);
	if (m->service_sid[0] != '\0')
		gw_http_form_add(b, "MessagingServiceSid", m->service_sid);
	gw_http_form_add(b, "From", m->from);
	gw_http_form_add(b, "ApiVersion", "2010-04-01");
	/* Advanced Opt-Out: keyword messages still reach the webhook. */
	if (opt_out_type != NULL)
		gw_http_form_add(b, "OptOutType", opt_out_type);
	for (i = 0; i < m->num_media; i++) {
		snprintf(name, sizeof name, "MediaContentType%zu", i);
		gw_http_form_add(b, name, wh_media_type(m->media[i]));
		snprintf(name, sizeof name, "MediaUrl%zu", i);
		gw_http_form_add(b, name, m->media[i]);
	}
	text = gw_http_form_take(b);
	evbuffer_free(b);
	return text;
}

static void
wh_inbound_free(struct wh_inbound *ib)
{
	gw_message_free(ib->in);
	free(ib->url);
	free(ib->fallback_url);
	free(ib->params);
	free(ib);
}

/* Calls the reply once and forgets ib. */
static void
wh_inbound_end(struct wh_inbound *ib, const struct gw_twiml *twiml)
{
	struct gw_webhooks *wh = ib->wh;

	TAILQ_REMOVE(&wh->inbound, ib, entry);
	wh->ninbound--;
	if (ib->reply != NULL)
		ib->reply(wh->gw, ib->in, twiml != NULL &&
		    twiml->nmessages > 0 ? twiml : NULL, ib->arg);
	wh_inbound_free(ib);
}

static int
wh_xml_type(const char *type)
{
	size_t len = strcspn(type, "; \t");

	return (len == 8 && strncasecmp(type, "text/xml", len) == 0) ||
	    (len == 15 && strncasecmp(type, "application/xml", len) == 0);
}

/*
 * The TwiML of a 2xx answer: 0 with *twiml filled (nmessages 0 for an
 * empty body), or -1 with why.
 */
static int
wh_inbound_twiml(const struct gw_http_result *r, struct gw_twiml *twiml,
    char *why, size_t whylen)
{
	char	err[200];
	size_t	i;

	memset(twiml, 0, sizeof *twiml);
	for (i = 0; i < r->body_len; i++)
		if (strchr(" \t\r\n", r->body[i]) == NULL)
			break;
	if (i == r->body_len)
		return 0;
	if (!wh_xml_type(r->content_type)) {
		snprintf(why, whylen, "Content-Type \"%s\" is not TwiML "
		    "(12300)", r->content_type);
		return -1;
	}
	if (gw_twiml_parse(r->body, r->body_len, twiml, err, sizeof err) ==
	    -1) {
		snprintf(why, whylen, "TwiML does not parse (12100): %s", err);
		return -1;
	}
	return 0;
}

static void	wh_inbound_send(struct wh_inbound *);
static void	wh_inbound_failed(struct wh_inbound *, const char *,
	    const char *);

static void
wh_inbound_done(const struct gw_http_result *r, void *arg)
{
	struct wh_inbound	*ib = arg;
	struct gw_twiml		 twiml;
	char			 why[300];
	const char		*url = ib->on_fallback ? ib->fallback_url :
				    ib->url;

	if (r->status == 0)
		snprintf(why, sizeof why, "%s", r->error);
	else if (r->status < 200 || r->status > 299)
		snprintf(why, sizeof why, "HTTP %d (11200)", r->status);
	else if (wh_inbound_twiml(r, &twiml, why, sizeof why) == 0) {
		log_info("webhook %s inbound answered url=%s status=%d "
		    "replies=%zu", ib->in->sid, url, r->status,
		    twiml.nmessages);
		wh_inbound_end(ib, &twiml);
		gw_twiml_clear(&twiml);
		return;
	}
	ib->wh->gw->metrics.callbacks_failed++;
	wh_inbound_failed(ib, url, why);
}

static void
wh_inbound_send(struct wh_inbound *ib)
{
	const struct gateway_account	*acct;
	struct gw_http_request		 r;
	char				 err[256];

	acct = gw_account_find(ib->wh->gw, ib->in->account_sid);
	r.method = ib->on_fallback ? ib->fallback_method : ib->method;
	r.url = ib->on_fallback ? ib->fallback_url : ib->url;
	r.params = ib->params;
	r.token = acct != NULL ? acct->token : NULL;
	r.idempotency = NULL;
	if (acct == NULL)
		log_warnx("webhook %s inbound unsigned: account %s unknown",
		    ib->in->sid, ib->in->account_sid);
	if (gw_http_client_send(ib->wh->client, &r, wh_inbound_done, ib, err,
	    sizeof err) == 0)
		return;
	wh_inbound_failed(ib, r.url, err);
}

/* One attempt failed: the fallback URL once, else the end, no reply. */
static void
wh_inbound_failed(struct wh_inbound *ib, const char *url, const char *why)
{
	log_warnx("webhook %s inbound failed url=%s reason=\"%s\"",
	    ib->in->sid, url, why);
	if (!ib->on_fallback && ib->fallback_url[0] != '\0') {
		ib->on_fallback = 1;
		wh_inbound_send(ib);
		return;
	}
	wh_inbound_end(ib, NULL);
}

static void
wh_method_copy(char out[GATEWAY_METHOD_MAX], const char *method)
{
	snprintf(out, GATEWAY_METHOD_MAX, "%s", method != NULL &&
	    strcasecmp(method, "GET") == 0 ? "GET" : "POST");
}

void
gw_webhook_inbound(struct gw_webhooks *wh, const struct gw_message *in,
    const struct gw_inbound_target *t, gw_inbound_reply_cb reply, void *arg)
{
	struct wh_inbound *ib;

	ib = xcalloc(1, sizeof *ib);
	ib->wh = wh;
	ib->in = wh_message_copy(in);
	ib->url = xstrdup(t->url != NULL ? t->url : "");
	ib->fallback_url = xstrdup(t->fallback_url != NULL ?
	    t->fallback_url : "");
	wh_method_copy(ib->method, t->method);
	wh_method_copy(ib->fallback_method, t->fallback_method);
	ib->reply = reply;
	ib->arg = arg;
	TAILQ_INSERT_TAIL(&wh->inbound, ib, entry);
	wh->ninbound++;
	if (ib->url[0] == '\0') {
		log_info("webhook %s inbound dropped: no URL", in->sid);
		wh_inbound_end(ib, NULL);
		return;
	}
	ib->params = wh_inbound_params(wh->gw, ib->in, t->opt_out_type);
	wh_inbound_send(ib);
}

void
gw_webhook_inbound_free_all(struct gw_webhooks *wh)
{
	struct wh_inbound *ib;

	while ((ib = TAILQ_FIRST(&wh->inbound)) != NULL) {
		TAILQ_REMOVE(&wh->inbound, ib, entry);
		wh_inbound_free(ib);
	}
	wh->ninbound = 0;
}
