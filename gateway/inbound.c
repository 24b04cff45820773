/*
 * Inbound messages: an MO from a carrier becomes a message with
 * direction inbound and status received, stored, and goes to the
 * webhook Twilio would call: the service's inbound_request_url when the
 * number is in a service (unless the service defers to the number's own
 * webhook), else the number's sms_url. A service without an
 * inbound_request_url drops the message (not stored, as Twilio's
 * "drop" incoming handling); a number in no service without sms_url
 * keeps it and calls nobody. A TwiML <Message> in the answer is sent back as
 * an outbound-reply message.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/lifecycle-internal.h"
#include "gateway/optout.h"
#include "gateway/services.h"
#include "gateway/store.h"
#include "gateway/webhook.h"

/* Carriers write numbers as digits (TON international): "+" them. */
static void
gw_inbound_address(const char *in, char *out, size_t cap)
{
	size_t i, n = strlen(in);

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)in[i]))
			break;
	if (i == n && n >= 8)
		snprintf(out, cap, "+%s", in);
	else
		snprintf(out, cap, "%s", in);
}

static void
gw_inbound_target(const struct gateway_number *n,
    const struct gw_service *s, struct gw_inbound_target *t)
{
	if (s != NULL && !s->use_inbound_webhook_on_number) {
		t->url = s->inbound_request_url;
		t->method = s->inbound_method[0] != '\0' ? s->inbound_method :
		    "POST";
		t->fallback_url = s->fallback_url;
		t->fallback_method = s->fallback_method[0] != '\0' ?
		    s->fallback_method : "POST";
		return;
	}
	t->url = n->sms_url;
	t->method = n->sms_method[0] != '\0' ? n->sms_method : "POST";
	t->fallback_url = n->sms_fallback_url;
	t->fallback_method = n->sms_fallback_method[0] != '\0' ?
	    n->sms_fallback_method : "POST";
}

static void
gw_inbound_created(struct gateway *gw, struct gw_message *m, int durable,
    void *arg)
{
	(void)gw;
	(void)arg;
	if (durable)
		log_info("%s reply to=%s from=%s", m->sid, m->to, m->from);
}

/* Each <Message> of the TwiML answer becomes an outbound-reply. */
static void
gw_inbound_reply(struct gateway *gw, const struct gw_message *in,
    const struct gw_twiml *reply, void *arg)
{
	const struct gw_twiml_message *tm;
	struct gw_create_request req;
	struct gw_error e;
	size_t i, j;

	(void)arg;
	for (i = 0; reply != NULL && i < reply->nmessages; i++) {
		tm = &reply->messages[i];
		memset(&req, 0, sizeof req);
		req.account_sid = in->account_sid;
		req.to = tm->to != NULL ? tm->to : in->from;
		req.from = tm->from != NULL ? tm->from : in->to;
		req.body = tm->body;
		for (j = 0; j < tm->nmedia && j < GW_MAX_MEDIA; j++)
			req.media[req.nmedia++] = tm->media[j];
		req.status_callback = tm->status_callback;
		req.smart_encoded = -1;
		req.direction = GW_DIR_OUTBOUND_REPLY;
		if (gw_lifecycle_create(gw, &req, &e, gw_inbound_created,
		    NULL) == -1)
			log_warnx("%s reply-refused code=%d reason=\"%s\"",
			    in->sid, e.code, e.message);
	}
}

/*
 * Advanced Opt-Out's confirmation, from our number back to the handset
 * through the carrier. It is an outbound-reply like a TwiML <Message>,
 * but the opt-out it confirms does not stop it.
 */
static void
gw_inbound_optout_reply(struct gateway *gw, const struct gateway_number *n,
    const char *handset, const struct gw_optout_result *r)
{
	struct gw_create_request req;
	struct gw_error e;

	if (r->reply == NULL)
		return;
	memset(&req, 0, sizeof req);
	req.account_sid = n->account_sid;
	req.to = handset;
	req.from = n->number;
	req.body = r->reply;
	req.smart_encoded = -1;
	req.direction = GW_DIR_OUTBOUND_REPLY;
	req.optout_reply = 1;
	if (gw_lifecycle_create(gw, &req, &e, gw_inbound_created, NULL) == -1)
		log_warnx("gateway opt-out-reply-refused to=%s code=%d "
		    "reason=\"%s\"", handset, e.code, e.message);
}

/* Stores the inbound message and calls its webhook. */
static void
gw_inbound_receive(struct gateway *gw, const char *route,
    const struct gateway_number *n, const struct gw_service *s,
    const char *handset, const char *body, unsigned num_segments,
    const char *opt_out_type)
{
	struct gw_inbound_target t;
	struct gw_message *m;

	m = gw_message_new();
	m->gw = gw;
	gw_sid_serial(&gw->rng, ++gw->sid_serial, "SM", m->sid);
	snprintf(m->account_sid, sizeof m->account_sid, "%s", n->account_sid);
	if (s != NULL)
		snprintf(m->service_sid, sizeof m->service_sid, "%s", s->sid);
	snprintf(m->from, sizeof m->from, "%s", handset);
	snprintf(m->to, sizeof m->to, "%s", n->number);
	snprintf(m->route, sizeof m->route, "%s", route);
	gw_message_set_body(m, body);
	m->direction = GW_DIR_INBOUND;
	m->status = GW_STATUS_RECEIVED;
	m->num_segments = num_segments > 0 ? num_segments : 1;
	m->date_created = m->date_updated = m->date_sent =
	    clock_now(gw->clock);
	gw_store_put_message(gw->store, m);
	gw_store_add_event(gw->store, m->sid, "received", 0, m->date_created,
	    route);
	gw->metrics.inbound++;
	gw->metrics.by_status[GW_STATUS_RECEIVED]++;
	gw_inbound_target(n, s, &t);
	t.opt_out_type = opt_out_type;
	log_info("%s inbound from=%s to=%s route=%s webhook=%s%s%s", m->sid,
	    m->from, m->to, route, t.url[0] != '\0' ? t.url : "none",
	    opt_out_type != NULL ? " opt_out_type=" : "",
	    opt_out_type != NULL ? opt_out_type : "");
	if (t.url[0] != '\0')
		gw_webhook_inbound(gw->webhooks, m, &t, gw_inbound_reply,
		    NULL);
	gw_message_free(m);
}

void
gw_lifecycle_inbound(struct gateway *gw, const char *route,
    const char *from, const char *to, const char *body,
    unsigned num_segments)
{
	const struct gateway_number *n;
	const struct gw_service *s;
	struct gw_optout_result r;
	char dst[GATEWAY_NUMBER_MAX], handset[GATEWAY_NUMBER_MAX];

	gw_inbound_address(to, dst, sizeof dst);
	if ((n = gw_number_find(gw, NULL, dst)) == NULL) {
		log_info("gateway inbound-dropped route=%s to=%s reason=\"not "
		    "a number of any account\"", route, dst);
		return;
	}
	gw_inbound_address(from, handset, sizeof handset);
	s = gw_service_of_number(gw, n);
	/* Keywords count whatever the service does with the message. */
	memset(&r, 0, sizeof r);
	gw_optout_inbound(gw->optouts, n->account_sid, s != NULL ? s->sid :
	    "", n->number, handset, body, &r);
	/* Twilio: a service with no inbound_request_url has inbound
	 * receiving off; the message is neither logged nor received. */
	if (s != NULL && !s->use_inbound_webhook_on_number &&
	    s->inbound_request_url[0] == '\0') {
		gw->metrics.inbound_dropped++;
		log_info("gateway inbound-dropped route=%s to=%s service=%s "
		    "reason=\"the service has no inbound_request_url\"",
		    route, dst, s->sid);
	} else
		gw_inbound_receive(gw, route, n, s, handset, body,
		    num_segments, gw_optout_type_name(r.type));
	gw_inbound_optout_reply(gw, n, handset, &r);
	gw_optout_result_clear(&r);
}
