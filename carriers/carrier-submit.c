/*
 * Messages into the carrier: submit_sm, data_sm and submit_multi, and the
 * operations on stored messages (query_sm, cancel_sm, replace_sm).
 *
 * Each accepted destination gets a sequence number from the store, its
 * fate from the model (a pure function of seed and sequence), a stored
 * message row and outbox entries for the receipts registered_delivery
 * asks for. The response leaves after the fate's submit latency, and no
 * receipt is due before it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier-internal.h"
#include "smpp/receipt.h"
#include "smpp/segment.h"
#include "smpp/text.h"
#include "smpp/timefmt.h"

#define CARRIER_MMS_MEDIA_MAX	10	/* URLs in one MMS, as Twilio allows */

/* A message as it came, whatever PDU carried it. */
struct carrier_incoming {
	const char	*source_addr;
	uint8_t		 source_ton;
	uint8_t		 source_npi;
	const char	*destination_addr;
	uint8_t		 dest_ton;
	uint8_t		 dest_npi;
	uint8_t		 esm_class;
	uint8_t		 registered_delivery;
	uint8_t		 data_coding;
	const uint8_t	*body;
	size_t		 body_len;
	int		 payload;	/* body is message_payload */
	const char	*schedule;	/* SMPP time text, "" none */
	const char	*validity;
	int		 has_media;	/* an MMS: the media TLV came */
	const uint8_t	*media;		/* its value: URLs, '\n'-separated */
	size_t		 media_len;
};

/* seq in decimal, cut to fit as snprintf would: the plain id of every
 * message, so without printf. */
static void
carrier_decimal(uint64_t seq, char *out, size_t len)
{
	char digits[20];
	size_t n = 0, i;

	do {
		digits[n++] = (char)('0' + seq % 10);
		seq /= 10;
	} while (seq > 0);
	for (i = 0; i < n && i + 1 < len; i++)
		out[i] = digits[n - 1 - i];
	if (len > 0)
		out[i] = '\0';
}

void
carrier_message_id_format(const struct carrier *c, uint64_t seq, char *out,
    size_t len)
{
	const struct carrier_switch_args *q = carrier_quirk(c,
	    CARRIER_QUIRK_MESSAGE_ID);

	if (q == NULL)
		carrier_decimal(seq, out, len);
	else
		carrier_id_format(c->p, c->env.seed, q->format, q->width, seq,
		    out, len);
}

/* Resolves an SMPP time field to an instant; 0 when empty. */
static int
carrier_time(const char *text, int64_t now, int64_t *usec)
{
	struct smpp_time t;
	struct smpp_time_error terr;

	*usec = 0;
	if (text == NULL || text[0] == '\0')
		return 0;
	if (smpp_time_parse(text, strlen(text), &t, &terr) == -1)
		return -1;
	return smpp_time_resolve(&t, now, usec);
}

/* Segments a body costs: one per PDU, except a long message_payload
 * (an MMS is one message, however long its text). */
static unsigned
carrier_segments(const struct carrier_incoming *in)
{
	size_t n = 1;

	if (!in->payload || (in->esm_class & SMPP_ESM_UDHI) || in->has_media)
		return 1;
	if (smpp_segment_split(in->body, in->body_len,
	    smpp_segment_unit_for(in->data_coding), SMPP_SPLIT_UDH8, 0, NULL,
	    0, &n) != SMPP_SEGMENT_OK && n == 0)
		n = 1;
	return n > 0 ? (unsigned)n : 1;
}

/* The body as UTF-8 text for rules (binary and bad text: empty). */
static char *
carrier_text(const struct carrier_incoming *in)
{
	const uint8_t *p = in->body;
	size_t len = in->body_len, cap = in->body_len * 4 + 1, outlen = 0;
	struct smpp_udh udh;
	char *out = xmalloc(cap);

	if ((in->esm_class & SMPP_ESM_UDHI) &&
	    smpp_udh_parse(p, len, &udh) == SMPP_SEGMENT_OK &&
	    udh.length <= len) {
		p += udh.length;
		len -= udh.length;
	}
	if (smpp_text_decode(in->data_coding, p, len, out, cap - 1, &outlen,
	    NULL) != SMPP_TEXT_OK)
		outlen = 0;
	out[outlen] = '\0';
	return out;
}

static void
carrier_info(const struct carrier_incoming *in, const char *text,
    int64_t now, struct carrier_submit_info *info)
{
	memset(info, 0, sizeof *info);
	info->source_addr = in->source_addr;
	info->source_ton = in->source_ton;
	info->source_npi = in->source_npi;
	info->destination_addr = in->destination_addr;
	info->data_coding = in->data_coding;
	info->length = in->body_len;
	info->segments = carrier_segments(in);
	info->text = text;
	info->registered_delivery = in->registered_delivery;
	info->now = now;
}

/* Flow control: window first, then the carrier's and the bind's rate. */
static uint32_t
carrier_admit(struct carrier_bind *b, double segments)
{
	struct carrier *c = b->carrier;
	int64_t now = carrier_now(c);

	if (b->session != NULL &&
	    smpp_session_unanswered(b->session) > c->p->window) {
		b->n.window_full++;
		return c->p->on_window_full;
	}
	if (carrier_bucket_take(&c->bucket, now, segments) == -1) {
		b->n.throttled++;
		return SMPP_ESME_RTHROTTLED;
	}
	if (carrier_bucket_take(&b->bucket, now, segments) == -1) {
		c->bucket.tokens += segments;	/* not spent after all */
		b->n.throttled++;
		return SMPP_ESME_RTHROTTLED;
	}
	return 0;
}

static int
carrier_wants_receipt(uint8_t rd, int state)
{
	switch (rd & SMPP_RD_RECEIPT_MASK) {
	case 1:
		return 1;
	case 2:
		return carrier_state_is_failure(state);
	case 3:
		return !carrier_state_is_failure(state);
	default:
		return 0;
	}
}

static void
carrier_plan_receipt(struct carrier *c, const struct carrier_message *m,
    int state, int64_t due)
{
	struct carrier_outbox_item item;

	memset(&item, 0, sizeof item);
	strlcpy(item.carrier, c->p->name, sizeof item.carrier);
	strlcpy(item.system_id, m->system_id, sizeof item.system_id);
	item.kind = CARRIER_OUTBOX_RECEIPT;
	strlcpy(item.message_id, m->message_id, sizeof item.message_id);
	item.state = state;
	item.due = due;
	carrier_outbox_add_receipt(c, &item, m);
}

static void
carrier_message_fill(struct carrier_bind *b, const struct carrier_incoming
    *in, const struct carrier_fate *f, struct carrier_message *m)
{
	memset(m, 0, sizeof *m);
	strlcpy(m->carrier, b->carrier->p->name, sizeof m->carrier);
	strlcpy(m->system_id, b->system_id, sizeof m->system_id);
	strlcpy(m->source_addr, in->source_addr, sizeof m->source_addr);
	m->source_ton = in->source_ton;
	m->source_npi = in->source_npi;
	strlcpy(m->destination_addr, in->destination_addr,
	    sizeof m->destination_addr);
	m->dest_ton = in->dest_ton;
	m->dest_npi = in->dest_npi;
	m->esm_class = in->esm_class;
	m->data_coding = in->data_coding;
	m->registered_delivery = in->registered_delivery;
	m->sm_length = in->body_len > 255 ? 255 : (uint8_t)in->body_len;
	memcpy(m->short_message, in->body, m->sm_length);
	m->state = f->state;
	memcpy(m->err, f->err, sizeof m->err);
	m->has_nec = f->has_nec;
	m->nec_type = f->nec_type;
	m->nec_code = f->nec_code;
	m->expire_at = f->expire_at;
	m->done_at = f->done_at;
}

/* Stores the message and plans its receipts; none before floor. */
static void
carrier_message_commit(struct carrier *c, struct carrier_message *m,
    const struct carrier_fate *f, int64_t floor)
{
	if (m->done_at < floor)
		m->done_at = floor;
	if (carrier_store_message_put(c->env.store, m) == -1)
		log_warnx("%s store-failed message_id=%s error=\"%s\"",
		    c->p->name, m->message_id,
		    carrier_store_error(c->env.store));
	c->messages++;
	if (f->intermediate_state > 0 && (m->registered_delivery & 0x10))
		carrier_plan_receipt(c, m, f->intermediate_state,
		    f->intermediate_at > floor ? f->intermediate_at : floor);
	if (carrier_wants_receipt(m->registered_delivery, m->state))
		carrier_plan_receipt(c, m, m->state, m->done_at);
}

/* A receipt's timer due with its response's could fire first. */
#define CARRIER_RECEIPT_AFTER	INT64_C(1000)	/* usec after the response */

/*
 * When the receipts of a message may be due: after its response, which
 * leaves latency from now. Under receipt_before_response the message is
 * final at once, so its receipts are due now, and the response waits the
 * quirk's delay on top.
 */
static int64_t
carrier_receipt_first(struct carrier *c, struct carrier_fate *fate,
    int64_t now, int64_t *latency)
{
	const struct carrier_switch_args *q = carrier_quirk(c,
	    CARRIER_QUIRK_RECEIPT_BEFORE_RESPONSE);

	if (q == NULL)
		return *latency > 0 ? now + *latency + CARRIER_RECEIPT_AFTER :
		    now;
	fate->done_at = now;
	if (fate->intermediate_state > 0)
		fate->intermediate_at = now;
	*latency += q->delay;
	return now;
}

/*
 * Decides one destination. Returns the submit status; on 0 the message is
 * stored under id and *latency says when the response may leave (extra,
 * the latency fault's, included).
 */
static uint32_t
carrier_accept_one(struct carrier_bind *b, const struct carrier_incoming *in,
    const char *text, const char *id, uint64_t seq, int64_t extra,
    int64_t *latency)
{
	struct carrier *c = b->carrier;
	struct carrier_submit_info info;
	struct carrier_fate fate;
	struct carrier_message m;
	int64_t now = carrier_now(c), floor;

	carrier_info(in, text, now, &info);
	info.seq = seq;
	if (carrier_time(in->schedule, now, &info.schedule_at) == -1)
		return SMPP_ESME_RINVSCHED;
	if (carrier_time(in->validity, now, &info.expire_at) == -1)
		return SMPP_ESME_RINVEXPIRY;
	carrier_model_decide(c->p, c->env.seed, &info, &fate);
	*latency = fate.submit_latency + extra;
	if (fate.submit_status != 0)
		return fate.submit_status;
	floor = carrier_receipt_first(c, &fate, now, latency);
	carrier_message_fill(b, in, &fate, &m);
	strlcpy(m.message_id, id, sizeof m.message_id);
	m.seq = seq;
	m.submit_at = now;
	m.schedule_at = info.schedule_at;
	carrier_message_commit(c, &m, &fate, floor);
	if (in->has_media && carrier_store_media_put(c->env.store,
	    c->p->name, id, (const char *)in->media, in->media_len) == -1)
		log_warnx("%s store-failed message_id=%s what=media "
		    "error=\"%s\"", c->p->name, id,
		    carrier_store_error(c->env.store));
	return 0;
}

/* submit_errors: a share of the submits that passed flow control. */
static uint32_t
carrier_fault_refusal(struct carrier *c)
{
	const struct carrier_switch_args *f = carrier_fault(c,
	    CARRIER_FAULT_SUBMIT_ERRORS);

	if (f == NULL || !carrier_fault_dice(c, f->share))
		return 0;
	return f->status;
}

/*
 * An MMS (docs/sim-api.md, "MMS"): only a carrier whose profile takes MMS
 * accepts the media TLV, and only a well-formed one: 1 to 10 URLs of
 * printable ASCII separated by single '\n's. Anything else is
 * ESME_RINVOPTPARAMVAL, the status for an optional parameter whose value
 * the SMSC will not take.
 */
static uint32_t
carrier_media_check(const struct carrier *c,
    const struct carrier_incoming *in, char *reason, size_t len)
{
	size_t i, urls = 1, run = 0;

	if (!in->has_media)
		return 0;
	if (!c->p->mms) {
		snprintf(reason, len, "MMS: %s takes no MMS", c->p->name);
		return SMPP_ESME_RINVOPTPARAMVAL;
	}
	for (i = 0; i < in->media_len; i++) {
		if (in->media[i] == '\n' && run > 0) {
			urls++;
			run = 0;
		} else if (in->media[i] > ' ' && in->media[i] < 0x7f)
			run++;
		else
			break;
	}
	if (i < in->media_len || run == 0) {
		snprintf(reason, len, "MMS: media URL %zu is empty or holds "
		    "a space, control or non-ASCII octet", urls);
		return SMPP_ESME_RINVOPTPARAMVAL;
	}
	if (urls > CARRIER_MMS_MEDIA_MAX) {
		snprintf(reason, len, "MMS: %zu media URLs, at most %d",
		    urls, CARRIER_MMS_MEDIA_MAX);
		return SMPP_ESME_RINVOPTPARAMVAL;
	}
	return 0;
}

static uint32_t
carrier_check(struct carrier_bind *b, const struct carrier_incoming *in,
    const char *text, char *reason, size_t len)
{
	struct carrier_submit_info info;

	carrier_info(in, text, carrier_now(b->carrier), &info);
	return carrier_model_check(b->carrier->p, &info, reason, len);
}

static uint64_t
carrier_next_seq(struct carrier *c)
{
	uint64_t seq = 0;

	if (carrier_store_next_seq(c->env.store, c->p->name, &seq) == -1) {
		log_warnx("%s store-failed error=\"%s\"", c->p->name,
		    carrier_store_error(c->env.store));
		seq = c->messages + 1;
	}
	return seq;
}

/* submit_sm and data_sm: one destination, one response with an id. */
static void
carrier_submit_single(struct carrier_bind *b, const struct smpp_pdu *req,
    const struct carrier_incoming *in)
{
	struct carrier *c = b->carrier;
	struct smpp_pdu *resp;
	char id[65] = "", reason[128] = "";
	char *text;
	uint32_t status;
	int64_t extra = carrier_fault_latency(c), latency = extra;
	int64_t received = carrier_now(c);
	uint64_t seq;

	b->n.submits++;
	if ((status = carrier_admit(b, carrier_segments(in))) != 0) {
		carrier_respond_status_after(b, req, status, extra);
		return;
	}
	if ((status = carrier_fault_refusal(c)) != 0) {
		b->n.submits_refused++;
		carrier_respond_status_after(b, req, status, extra);
		return;
	}
	text = carrier_text(in);
	status = carrier_media_check(c, in, reason, sizeof reason);
	if (status == 0)
		status = carrier_check(b, in, text, reason, sizeof reason);
	if (status == 0) {
		seq = carrier_next_seq(c);
		carrier_message_id_format(c, seq, id, sizeof id);
		status = carrier_accept_one(b, in, text, id, seq, extra,
		    &latency);
	} else
		log_debug("%s refuse status=%s reason=\"%s\"", b->name,
		    smpp_status_name(status), reason);
	free(text);
	resp = carrier_pdu_get(b->carrier);
	smpp_pdu_init(resp, smpp_response_id(req->command_id),
	    req->sequence_number);
	resp->command_status = status;
	resp->has_body = status == 0;
	if (status == 0) {
		b->n.submits_ok++;
		/* submit_sm_resp and data_sm_resp: message_id first. */
		strlcpy(resp->u.submit_sm_resp.message_id, id,
		    sizeof resp->u.submit_sm_resp.message_id);
	} else
		b->n.submits_refused++;
	carrier_respond(b, resp, latency, received);
	carrier_pdu_put(b->carrier, resp);
}

/* The MMS media TLV, when the request carries one. */
static void
carrier_incoming_media(const struct smpp_pdu *req,
    struct carrier_incoming *in)
{
	const struct smpp_tlv *t = smpp_pdu_find_tlv(req,
	    SMPP_TLV_carrierlab_media_urls);

	if (t == NULL)
		return;
	in->has_media = 1;
	in->media = smpp_tlv_value(req, t);
	in->media_len = t->length;
}

static void
carrier_incoming_sm(const struct smpp_body_submit_sm *s,
    const struct smpp_pdu *req, struct carrier_incoming *in)
{
	const struct smpp_tlv *t;

	memset(in, 0, sizeof *in);
	in->source_addr = s->source_addr;
	in->source_ton = s->source_addr_ton;
	in->source_npi = s->source_addr_npi;
	in->destination_addr = s->destination_addr;
	in->dest_ton = s->dest_addr_ton;
	in->dest_npi = s->dest_addr_npi;
	in->esm_class = s->esm_class;
	in->registered_delivery = s->registered_delivery;
	in->data_coding = s->data_coding;
	in->body = s->short_message;
	in->body_len = s->sm_length;
	in->schedule = s->schedule_delivery_time;
	in->validity = s->validity_period;
	if (s->sm_length == 0 && (t = smpp_pdu_find_tlv(req,
	    SMPP_TLV_message_payload)) != NULL) {
		in->body = smpp_tlv_value(req, t);
		in->body_len = t->length;
		in->payload = 1;
	}
	carrier_incoming_media(req, in);
}

static void
carrier_incoming_data(const struct smpp_pdu *req,
    struct carrier_incoming *in)
{
	const struct smpp_body_data_sm *d = &req->u.data_sm;
	const struct smpp_tlv *t;
	static const uint8_t empty[1];

	memset(in, 0, sizeof *in);
	in->source_addr = d->source_addr;
	in->source_ton = d->source_addr_ton;
	in->source_npi = d->source_addr_npi;
	in->destination_addr = d->destination_addr;
	in->dest_ton = d->dest_addr_ton;
	in->dest_npi = d->dest_addr_npi;
	in->esm_class = d->esm_class;
	in->registered_delivery = d->registered_delivery;
	in->data_coding = d->data_coding;
	in->body = empty;
	in->payload = 1;
	in->schedule = "";
	in->validity = "";
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_payload)) != NULL) {
		in->body = smpp_tlv_value(req, t);
		in->body_len = t->length;
	}
	carrier_incoming_media(req, in);
}

/* ---- submit_multi ---- */

static void
carrier_multi_fail(struct smpp_body_submit_multi_resp *r,
    const struct smpp_dest_address *d, uint32_t status)
{
	struct smpp_unsuccess_sme *u = &r->unsuccess_sme[r->no_unsuccess++];

	u->dest_addr_ton = d->dest_addr_ton;
	u->dest_addr_npi = d->dest_addr_npi;
	strlcpy(u->destination_addr,
	    d->dest_flag == 1 ? d->destination_addr : d->dl_name,
	    sizeof u->destination_addr);
	u->error_status_code = status;
}

/* One destination of a submit_multi; the first accepted names them all. */
static void
carrier_multi_dest(struct carrier_bind *b, struct carrier_incoming *in,
    const char *text, const struct smpp_dest_address *d,
    struct smpp_body_submit_multi_resp *r, int64_t extra, int64_t *latency,
    unsigned *k)
{
	char id[65], reason[128];
	uint32_t status;
	uint64_t seq;
	int64_t lat = 0;

	if (d->dest_flag != 1) {
		/* The carrier keeps no distribution lists. */
		carrier_multi_fail(r, d, SMPP_ESME_RINVDLNAME);
		return;
	}
	in->destination_addr = d->destination_addr;
	in->dest_ton = d->dest_addr_ton;
	in->dest_npi = d->dest_addr_npi;
	if ((status = carrier_check(b, in, text, reason,
	    sizeof reason)) != 0) {
		carrier_multi_fail(r, d, status);
		return;
	}
	seq = carrier_next_seq(b->carrier);
	if (*k == 0)
		carrier_message_id_format(b->carrier, seq, r->message_id,
		    sizeof r->message_id);
	/* Receipts carry the submit_multi_resp id; rows keep their own. */
	if (*k == 0)
		strlcpy(id, r->message_id, sizeof id);
	else
		snprintf(id, sizeof id, "%s/%u", r->message_id, *k);
	status = carrier_accept_one(b, in, text, id, seq, extra, &lat);
	if (status != 0) {
		carrier_multi_fail(r, d, status);
		if (*k == 0)
			r->message_id[0] = '\0';
		return;
	}
	if (lat > *latency)
		*latency = lat;
	(*k)++;
}

static void
carrier_submit_multi(struct carrier_bind *b, const struct smpp_pdu *req)
{
	const struct smpp_body_submit_multi *sm = &req->u.submit_multi;
	struct smpp_pdu *resp;
	struct carrier_incoming in;
	int64_t extra = carrier_fault_latency(b->carrier), latency = extra;
	int64_t received = carrier_now(b->carrier);
	unsigned i, k = 0;
	uint32_t status;
	char *text, reason[128];

	b->n.submits++;
	/* The shared fields sit in the same order as submit_sm's. */
	memset(&in, 0, sizeof in);
	in.source_addr = sm->source_addr;
	in.source_ton = sm->source_addr_ton;
	in.source_npi = sm->source_addr_npi;
	in.esm_class = sm->esm_class;
	in.registered_delivery = sm->registered_delivery;
	in.data_coding = sm->data_coding;
	in.body = sm->short_message;
	in.body_len = sm->sm_length;
	in.schedule = sm->schedule_delivery_time;
	in.validity = sm->validity_period;
	carrier_incoming_media(req, &in);
	if ((status = carrier_admit(b, (double)carrier_segments(&in) *
	    (sm->number_of_dests > 0 ? sm->number_of_dests : 1))) != 0) {
		carrier_respond_status_after(b, req, status, extra);
		return;
	}
	if ((status = carrier_fault_refusal(b->carrier)) != 0 ||
	    (status = carrier_media_check(b->carrier, &in, reason,
	    sizeof reason)) != 0) {
		b->n.submits_refused++;
		carrier_respond_status_after(b, req, status, extra);
		return;
	}
	resp = carrier_pdu_get(b->carrier);
	smpp_pdu_init(resp, SMPP_CMD_submit_multi_resp, req->sequence_number);
	text = carrier_text(&in);
	for (i = 0; i < sm->number_of_dests; i++)
		carrier_multi_dest(b, &in, text, &sm->dest_address[i],
		    &resp->u.submit_multi_resp, extra, &latency, &k);
	free(text);
	if (k > 0)
		b->n.submits_ok++;
	else
		b->n.submits_refused++;
	carrier_respond(b, resp, latency, received);
	carrier_pdu_put(b->carrier, resp);
}

/* ---- query, cancel, replace ---- */

static int
carrier_find(struct carrier_bind *b, const char *id,
    struct carrier_message *m)
{
	if (id[0] == '\0')
		return -1;
	if (carrier_store_message_get(b->carrier->env.store,
	    b->carrier->p->name, id, m) != 0)
		return -1;
	return 0;
}

static void
carrier_query(struct carrier_bind *b, const struct smpp_pdu *req)
{
	const struct smpp_body_query_sm *q = &req->u.query_sm;
	struct smpp_body_query_sm_resp *r;
	struct carrier_message m;
	struct smpp_pdu *resp;
	int64_t now = carrier_now(b->carrier);

	if (carrier_find(b, q->message_id, &m) == -1) {
		carrier_respond_status_after(b, req, SMPP_ESME_RQUERYFAIL,
		    carrier_fault_latency(b->carrier));
		return;
	}
	resp = carrier_pdu_get(b->carrier);
	smpp_pdu_init(resp, SMPP_CMD_query_sm_resp, req->sequence_number);
	r = &resp->u.query_sm_resp;
	strlcpy(r->message_id, q->message_id, sizeof r->message_id);
	if (now >= m.done_at) {
		r->message_state = (uint8_t)m.state;
		smpp_time_format_absolute(m.done_at, 0, r->final_date,
		    sizeof r->final_date);
		r->error_code = m.has_nec ? (uint8_t)(m.nec_code & 0xff) : 0;
	} else
		r->message_state = SMPP_RECEIPT_STAT_ENROUTE;
	carrier_respond(b, resp, carrier_fault_latency(b->carrier), 0);
	carrier_pdu_put(b->carrier, resp);
}

/* A message still on its way that this bind's system_id sent. */
static int
carrier_find_pending(struct carrier_bind *b, const char *id,
    struct carrier_message *m)
{
	if (carrier_find(b, id, m) == -1)
		return -1;
	if (strcmp(m->system_id, b->system_id) != 0)
		return -1;
	if (carrier_now(b->carrier) >= m->done_at)
		return -1;
	return 0;
}

static void
carrier_replan(struct carrier *c, struct carrier_message *m)
{
	struct carrier_fate f;

	memset(&f, 0, sizeof f);
	carrier_outbox_cancel_message(c, m->message_id);
	carrier_message_commit(c, m, &f, 0);
	c->messages--;		/* the same message, not a new one */
}

static void
carrier_cancel_one(struct carrier_bind *b, struct carrier_message *m)
{
	m->state = SMPP_RECEIPT_STAT_DELETED;
	m->done_at = carrier_now(b->carrier);
	memcpy(m->err, "000", 4);
	m->has_nec = 0;
	carrier_replan(b->carrier, m);
	log_debug("%s cancel message_id=%s", b->name, m->message_id);
}

/*
 * Cancels a message, and every destination of a submit_multi: they are
 * stored as "id", "id/1", "id/2"... and share the id the ESME knows.
 */
static void
carrier_cancel(struct carrier_bind *b, const struct smpp_pdu *req)
{
	const struct smpp_body_cancel_sm *q = &req->u.cancel_sm;
	struct carrier_message m;
	char id[65 + 8];
	unsigned k, cancelled = 0;

	/* Cancelling by addresses alone (empty id) is not offered. */
	for (k = 0; k < SMPP_MAX_DESTS && q->message_id[0] != '\0'; k++) {
		if (k == 0)
			strlcpy(id, q->message_id, sizeof id);
		else
			snprintf(id, sizeof id, "%s/%u", q->message_id, k);
		if (carrier_find(b, id, &m) == -1)
			break;
		if (carrier_find_pending(b, id, &m) == 0) {
			carrier_cancel_one(b, &m);
			cancelled++;
		}
	}
	carrier_respond_status_after(b, req, cancelled > 0 ? 0 :
	    SMPP_ESME_RCANCELFAIL, carrier_fault_latency(b->carrier));
}

static void
carrier_replace(struct carrier_bind *b, const struct smpp_pdu *req)
{
	const struct smpp_body_replace_sm *q = &req->u.replace_sm;
	struct carrier_message m;
	int64_t now = carrier_now(b->carrier), sched, expire;
	int64_t extra = carrier_fault_latency(b->carrier);

	if (carrier_find_pending(b, q->message_id, &m) == -1) {
		carrier_respond_status_after(b, req, SMPP_ESME_RREPLACEFAIL,
		    extra);
		return;
	}
	if (carrier_time(q->schedule_delivery_time, now, &sched) == -1) {
		carrier_respond_status_after(b, req, SMPP_ESME_RINVSCHED,
		    extra);
		return;
	}
	if (carrier_time(q->validity_period, now, &expire) == -1) {
		carrier_respond_status_after(b, req, SMPP_ESME_RINVEXPIRY,
		    extra);
		return;
	}
	memcpy(m.short_message, q->short_message, q->sm_length);
	m.sm_length = q->sm_length;
	m.registered_delivery = q->registered_delivery;
	/* A later schedule moves delivery by as much. */
	if (sched > 0 && sched > m.schedule_at) {
		m.done_at += sched - (m.schedule_at > 0 ? m.schedule_at :
		    m.submit_at);
		m.schedule_at = sched;
	}
	if (expire > 0)
		m.expire_at = expire;
	if (m.expire_at > 0 && m.done_at > m.expire_at) {
		m.state = SMPP_RECEIPT_STAT_EXPIRED;
		m.done_at = m.expire_at > now ? m.expire_at : now;
	}
	carrier_replan(b->carrier, &m);
	carrier_respond_status_after(b, req, 0, extra);
}

void
carrier_submit_request(struct carrier_bind *b, const struct smpp_pdu *req)
{
	struct carrier_incoming in;

	switch (req->command_id) {
	case SMPP_CMD_submit_sm:
		carrier_incoming_sm(&req->u.submit_sm, req, &in);
		carrier_submit_single(b, req, &in);
		break;
	case SMPP_CMD_data_sm:
		carrier_incoming_data(req, &in);
		carrier_submit_single(b, req, &in);
		break;
	case SMPP_CMD_submit_multi:
		carrier_submit_multi(b, req);
		break;
	case SMPP_CMD_query_sm:
		carrier_query(b, req);
		break;
	case SMPP_CMD_cancel_sm:
		carrier_cancel(b, req);
		break;
	case SMPP_CMD_replace_sm:
		carrier_replace(b, req);
		break;
	}
}
