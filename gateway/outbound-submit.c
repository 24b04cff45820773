/*
 * Sending: a message's parts (encoded and split the first time a part
 * must go out), the queue, the throughput limit and the answers to each
 * submit_sm.
 *
 * The queue holds messages, oldest first; the head message's parts go
 * out in order, and it leaves the queue when none is PENDING. A part to
 * send again (throttled, timed out, its session gone) turns PENDING and
 * its message goes back to the head, so it is sent before anything
 * newer.
 *
 * Throughput: a token bucket refilled at route->throughput tokens a
 * second, holding at most a tenth of a second's worth (at least one), so
 * the rate holds over any window a carrier measures and a burst after a
 * pause stays small. Every submit takes a token, resubmits included.
 *
 * Counting: a part's submits are m->parts[i].attempts. Timeouts and
 * sessions that closed before the response both count as lost submits
 * (we cannot know whether the carrier took the part), and after
 * 1 + submit_retries lost submits the part fails with 30410. Throttling
 * answers do not count: the carrier said plainly that it took nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/outbound-internal.h"
#include "smpp/segment.h"
#include "smpp/smpp.h"
#include "smpp/text.h"

#define GW_OB_TIMEOUT_CODE	30410	/* Provider Timeout Error */
#define GW_OB_UNKNOWN_CODE	30008
#define GW_OB_TOO_LARGE_CODE	30019	/* Content size exceeds carrier limit */
/* What an MMS submit_sm may carry besides its two TLVs: the header, the
 * mandatory fields at their longest and the TLV headers. */
#define GW_OB_MMS_OVERHEAD	256

/* ---- the queue ---- */

void
gw_ob_queue_put(struct gw_outbound *ob, struct gw_message *m, int head)
{
	if (m->queued) {
		if (!head || TAILQ_FIRST(&ob->queue) == m)
			return;
		TAILQ_REMOVE(&ob->queue, m, queue);
		TAILQ_INSERT_HEAD(&ob->queue, m, queue);
		return;
	}
	if (head)
		TAILQ_INSERT_HEAD(&ob->queue, m, queue);
	else
		TAILQ_INSERT_TAIL(&ob->queue, m, queue);
	m->queued = 1;
	ob->queue_depth++;
}

void
gw_ob_queue_take(struct gw_outbound *ob, struct gw_message *m)
{
	if (!m->queued)
		return;
	TAILQ_REMOVE(&ob->queue, m, queue);
	m->queued = 0;
	ob->queue_depth--;
}

void
gw_ob_kick(struct gw_outbound *ob)
{
	if (!ob->stopping)
		event_active(ob->ev_pump, EV_TIMEOUT, 0);
}

void
gw_ob_pump_event(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gw_ob_pump(arg);
}

void
gw_ob_pump_timer(struct clock_timer *t, void *arg)
{
	(void)t;
	gw_ob_pump(arg);
}

/* ---- parts ---- */

void
gw_ob_encoding_free(struct gw_ob_encoding *e)
{
	if (e == NULL)
		return;
	free(e->body);
	free(e->parts);
	free(e);
}

/* The concatenation reference: from the sid, so it survives a restart. */
static uint16_t
gw_ob_ref(const char *sid)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *sid != '\0'; sid++)
		h = (h ^ (uint8_t)*sid) * 16777619u;
	return (uint16_t)(h ^ (h >> 16));
}

/*
 * An MMS goes as MMS to a carrier that takes it, unless the MMS Converter
 * made it an SMS with a link (m->mms_converted): then, and towards a
 * carrier without MMS, it goes as SMS. The convention on the wire is in
 * docs/sim-api.md, "MMS": one submit_sm, short_message empty, the text in
 * message_payload and the media URLs in SMPP_TLV_carrierlab_media_urls.
 */
static int
gw_ob_is_mms(const struct gw_outbound *ob, const struct gw_message *m)
{
	return m->num_media > 0 && !m->mms_converted &&
	    ob->route->accepts_mms;
}

/* Octets of m's media URLs joined by '\n'. */
static size_t
gw_ob_media_length(const struct gw_message *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->num_media; i++)
		n += strlen(m->media[i]) + (i > 0);
	return n;
}

/* The code a message that cannot be encoded fails with. */
static int
gw_ob_encode_failure(const struct gw_outbound *ob, const struct gw_message *m)
{
	return gw_ob_is_mms(ob, m) ? GW_OB_TOO_LARGE_CODE : GW_OB_UNKNOWN_CODE;
}

/* Encodes body in dc, split by method; NULL when it cannot be. */
static struct gw_ob_encoding *
gw_ob_encode(const char *body, uint8_t dc, const char *sid,
    enum smpp_segment_method method)
{
	struct gw_ob_encoding *e;
	size_t len = strlen(body), n;

	e = xcalloc(1, sizeof *e);
	e->data_coding = dc;
	e->body = xmalloc(2 * len + 1);
	if (smpp_text_encode(dc, body, len, e->body, 2 * len + 1, &e->len,
	    NULL) != SMPP_TEXT_OK ||
	    smpp_segment_split(e->body, e->len, smpp_segment_unit_for(dc),
	    method, gw_ob_ref(sid), NULL, 0, &n) != SMPP_SEGMENT_OK) {
		gw_ob_encoding_free(e);
		return NULL;
	}
	e->parts = xcalloc(n, sizeof *e->parts);
	e->nparts = n;
	smpp_segment_split(e->body, e->len, smpp_segment_unit_for(dc),
	    method, gw_ob_ref(sid), e->parts, n, &n);
	return e;
}

/* The encoding of om's body; NULL when it cannot be sent at all. A body
 * GSM cannot carry goes as UCS-2 rather than not at all. An MMS is one
 * part, whatever its length, and must fit one PDU with its media. */
static struct gw_ob_encoding *
gw_ob_encoding(struct gw_outbound *ob, struct gw_ob_msg *om)
{
	struct gw_message *m = om->m;
	uint8_t dc = m->data_coding == SMPP_DC_UCS2 ? SMPP_DC_UCS2 :
	    SMPP_DC_DEFAULT;
	enum smpp_segment_method method = gw_ob_is_mms(ob, m) ?
	    SMPP_SPLIT_PAYLOAD : SMPP_SPLIT_UDH8;

	if (om->enc != NULL)
		return om->enc;
	if (method == SMPP_SPLIT_PAYLOAD &&
	    gw_ob_media_length(m) > SMPP_PAYLOAD_MAX) {
		log_warnx("%s encoding-failed sid=%s media_octets=%zu "
		    "reason=\"media URLs exceed one TLV\"", ob->route->name,
		    m->sid, gw_ob_media_length(m));
		return NULL;
	}
	if ((om->enc = gw_ob_encode(m->body, dc, m->sid, method)) == NULL &&
	    dc == SMPP_DC_DEFAULT &&
	    (om->enc = gw_ob_encode(m->body, SMPP_DC_UCS2, m->sid,
	    method)) != NULL) {
		log_info("%s encoding sid=%s data_coding=0x08 reason=\"body "
		    "not GSM 03.38\"", ob->route->name, m->sid);
		m->data_coding = SMPP_DC_UCS2;
	}
	if (om->enc != NULL && m->nparts != 0 &&
	    om->enc->nparts != m->nparts) {
		log_warnx("%s encoding sid=%s parts=%zu want=%zu reason=\"the "
		    "body no longer splits as it did\"", ob->route->name,
		    m->sid, om->enc->nparts, m->nparts);
		gw_ob_encoding_free(om->enc);
		om->enc = NULL;
	}
	if (om->enc != NULL && method == SMPP_SPLIT_PAYLOAD &&
	    om->enc->len + gw_ob_media_length(m) + GW_OB_MMS_OVERHEAD >
	    SMPP_DEFAULT_MAX_PDU) {
		log_warnx("%s encoding-failed sid=%s octets=%zu reason=\"MMS "
		    "larger than one PDU\"", ob->route->name, m->sid,
		    om->enc->len + gw_ob_media_length(m));
		gw_ob_encoding_free(om->enc);
		om->enc = NULL;
	}
	return om->enc;
}

void
gw_ob_encoding_drop(struct gw_ob_msg *om)
{
	size_t k;

	for (k = 0; k < om->m->nparts; k++)
		if (om->m->parts[k].state == GW_PART_PENDING ||
		    om->m->parts[k].state == GW_PART_SUBMITTED)
			return;
	gw_ob_encoding_free(om->enc);
	om->enc = NULL;
}

int
gw_ob_parts_build(struct gw_outbound *ob, struct gw_ob_msg *om)
{
	struct gw_message *m = om->m;
	struct gw_ob_encoding *e = gw_ob_encoding(ob, om);

	m->nparts = e != NULL ? e->nparts : 1;
	free(m->parts);
	m->parts = xcalloc(m->nparts, sizeof *m->parts);
	if (m->num_segments == 0)
		m->num_segments = (unsigned)m->nparts;
	free(om->parts);
	om->nparts = m->nparts;
	om->parts = xcalloc(om->nparts, sizeof *om->parts);
	if (e != NULL)
		return 0;
	log_warnx("%s encoding-failed sid=%s reason=\"body cannot be "
	    "encoded\"", ob->route->name, m->sid);
	m->parts[0].state = GW_PART_FAILED;
	gw_lifecycle_part_failed(ob->gw, m, 0, gw_ob_encode_failure(ob, m));
	return -1;
}

/* ---- submit_sm ---- */

/* The address as SMPP carries it: TON/NPI by kind, no '+'. */
static void
gw_ob_source(const char *from, char *out, size_t cap, uint8_t *ton,
    uint8_t *npi)
{
	switch (gw_sender_kind(from)) {
	case GATEWAY_SENDER_ALPHANUMERIC:
		*ton = 5;
		*npi = 0;
		break;
	case GATEWAY_SENDER_SHORT_CODE:
		*ton = 3;
		*npi = 0;
		break;
	default:
		*ton = 1;
		*npi = 1;
		break;
	}
	strlcpy(out, from[0] == '+' ? from + 1 : from, cap);
}

/* The MMS TLVs: the whole text and the media URLs; -1 on ENOMEM. */
static int
gw_ob_submit_mms(struct smpp_pdu *p, const struct gw_message *m,
    const struct gw_ob_encoding *e)
{
	size_t len = gw_ob_media_length(m), o = 0, i, n;
	char *urls = xmalloc(len + 1);
	int rc;

	for (i = 0; i < m->num_media; i++) {
		if (i > 0)
			urls[o++] = '\n';
		n = strlen(m->media[i]);
		memcpy(urls + o, m->media[i], n);
		o += n;
	}
	/* Lengths were checked when the message was encoded. */
	rc = smpp_pdu_add_tlv(p, SMPP_TLV_message_payload, e->body,
	    (uint16_t)e->len) == -1 || smpp_pdu_add_tlv(p,
	    SMPP_TLV_carrierlab_media_urls, urls, (uint16_t)len) == -1 ?
	    -1 : 0;
	free(urls);
	return rc;
}

/* Part k of m as a submit_sm; -1 (ENOMEM) when it cannot be built. */
static int
gw_ob_submit_fill(struct smpp_pdu *p, const struct gw_message *m,
    const struct gw_ob_encoding *e, size_t k, int mms)
{
	struct smpp_body_submit_sm *b = &p->u.submit_sm;
	const struct smpp_segment_part *sp = &e->parts[k];

	smpp_pdu_init(p, SMPP_CMD_submit_sm, 0);
	gw_ob_source(m->from, b->source_addr, sizeof b->source_addr,
	    &b->source_addr_ton, &b->source_addr_npi);
	b->dest_addr_ton = 1;
	b->dest_addr_npi = 1;
	strlcpy(b->destination_addr, m->to[0] == '+' ? m->to + 1 : m->to,
	    sizeof b->destination_addr);
	b->esm_class = sp->udh_len > 0 ? SMPP_ESM_UDHI : 0;
	b->registered_delivery = SMPP_RD_RECEIPT_ANY;
	b->data_coding = e->data_coding;
	if (mms)
		return gw_ob_submit_mms(p, m, e);
	memcpy(b->short_message, sp->udh, sp->udh_len);
	memcpy(b->short_message + sp->udh_len, e->body + sp->offset,
	    sp->length);
	b->sm_length = (uint8_t)(sp->udh_len + sp->length);
	return 0;
}

static void gw_ob_response(struct smpp_session *, const struct smpp_pdu *,
    enum smpp_session_failure, void *);

/* Sends part k of om on s: 0, or -1 with errno (EAGAIN: window full). */
static int
gw_ob_send_part(struct gw_outbound *ob, struct gw_ob_session *s,
    struct gw_ob_msg *om, size_t k)
{
	struct smpp_pdu *p = xmalloc(sizeof *p);
	struct gw_ob_submit *sub = xcalloc(1, sizeof *sub);
	int rc, saved;

	if (gw_ob_submit_fill(p, om->m, om->enc, k,
	    gw_ob_is_mms(ob, om->m)) == -1) {
		smpp_pdu_release(p);
		free(p);
		free(sub);
		errno = ENOMEM;
		return -1;
	}
	sub->ob = ob;
	sub->session = s;
	sub->msg = om;
	sub->part = k;
	sub->sent_at = clock_now(ob->gw->clock);
	rc = smpp_session_send(s->smpp, p, gw_ob_response, sub);
	saved = errno;
	smpp_pdu_release(p);
	free(p);
	if (rc == -1) {
		free(sub);
		errno = saved;
		return -1;
	}
	LIST_INSERT_HEAD(&om->submits, sub, by_msg);
	LIST_INSERT_HEAD(&ob->submits, sub, all);
	ob->in_flight++;
	s->in_flight++;
	om->m->parts[k].state = GW_PART_SUBMITTED;
	om->m->parts[k].attempts++;
	om->parts[k].submitted_at = sub->sent_at;
	return 0;
}

/* The first PENDING part of m, or m->nparts. */
static size_t
gw_ob_next_part(const struct gw_message *m)
{
	size_t k;

	for (k = 0; k < m->nparts; k++)
		if (m->parts[k].state == GW_PART_PENDING)
			return k;
	return m->nparts;
}

/* ---- throughput ---- */

/* Takes a token: 1, or 0 with the pump timer armed for the next one. */
static int
gw_ob_token(struct gw_outbound *ob)
{
	double rate = ob->route->throughput, cap;
	int64_t now = clock_now(ob->gw->clock);

	if (now < ob->paused_until) {
		clock_timer_add(ob->t_pump, ob->paused_until - now);
		return 0;
	}
	if (rate <= 0)
		return 1;
	cap = rate / 10 > 1 ? rate / 10 : 1;
	ob->tokens += (double)(now - ob->tokens_at) * rate / 1e6;
	if (ob->tokens > cap)
		ob->tokens = cap;
	ob->tokens_at = now;
	if (ob->tokens >= 1) {
		ob->tokens -= 1;
		return 1;
	}
	clock_timer_add(ob->t_pump, (int64_t)((1 - ob->tokens) * 1e6 / rate) +
	    1);
	return 0;
}

/* Sends the head message's next part: 1 when something went out or the
 * queue changed, 0 when nothing more can go now. */
static int
gw_ob_pump_one(struct gw_outbound *ob)
{
	struct gw_message *m = TAILQ_FIRST(&ob->queue);
	struct gw_ob_session *s;
	struct gw_ob_msg *om;
	size_t k;

	if (m == NULL)
		return 0;
	om = gw_ob_msg_find(ob, m->sid);
	if (om == NULL || (k = gw_ob_next_part(m)) == m->nparts) {
		gw_ob_queue_take(ob, m);	/* every part is out */
		return 1;
	}
	if ((s = gw_ob_pool_pick(ob)) == NULL)
		return 0;
	if (gw_ob_encoding(ob, om) == NULL) {
		gw_ob_queue_take(ob, m);
		m->parts[k].state = GW_PART_FAILED;
		gw_lifecycle_part_failed(ob->gw, m, k,
		    gw_ob_encode_failure(ob, m));
		return 1;
	}
	if (!gw_ob_token(ob))
		return 0;
	if (gw_ob_send_part(ob, s, om, k) == -1) {
		/* Until writable or the session's end: a closing session
		 * refuses everything. */
		s->blocked = 1;
		if (errno != EAGAIN)
			log_warnx("%s submit-failed sid=%s part=%zu error=\"%s\"",
			    s->id, m->sid, k, strerror(errno));
		ob->tokens += 1;	/* nothing went out */
		return 1;
	}
	if (!om->sending) {
		om->sending = 1;
		gw_lifecycle_sending(ob->gw, m);
	}
	return 1;
}

void
gw_ob_pump(struct gw_outbound *ob)
{
	unsigned guard = 0;

	if (ob->stopping)
		return;
	/* Bounded so one pump cannot hold the loop: a full window or an
	 * empty bucket stops it sooner. */
	while (guard++ < 10000 && gw_ob_pump_one(ob))
		;
	if (guard > 10000)
		gw_ob_kick(ob);
}

/* ---- submit_sm_resp ---- */

/* Part k goes back to the head of the queue to be sent again. */
static void
gw_ob_resend(struct gw_outbound *ob, struct gw_ob_msg *om, size_t k)
{
	om->m->parts[k].state = GW_PART_PENDING;
	gw_ob_queue_put(ob, om->m, 1);
	gw_ob_kick(ob);
}

static void
gw_ob_lost(struct gw_outbound *ob, struct gw_ob_msg *om, size_t k,
    enum smpp_session_failure fail)
{
	struct gw_message *m = om->m;
	unsigned lost = ++om->parts[k].lost;

	log_info("%s submit-lost sid=%s part=%zu reason=%s lost=%u",
	    ob->route->name, m->sid, k, fail == SMPP_FAIL_TIMEOUT ?
	    "timeout" : "closed", lost);
	if (lost <= ob->route->submit_retries) {
		gw_ob_resend(ob, om, k);
		return;
	}
	m->parts[k].state = GW_PART_FAILED;
	gw_ob_encoding_drop(om);
	gw_lifecycle_part_failed(ob->gw, m, k, GW_OB_TIMEOUT_CODE);
}

static void
gw_ob_accepted(struct gw_outbound *ob, struct gw_ob_msg *om, size_t k,
    const struct smpp_pdu *resp)
{
	struct gw_message *m = om->m;
	const char *id = resp->u.submit_sm_resp.message_id;

	m->parts[k].state = GW_PART_ACCEPTED;
	snprintf(m->parts[k].smsc_id, sizeof m->parts[k].smsc_id, "%s", id);
	if (id[0] != '\0')
		gw_ob_index_add(ob, om, k);
	else
		log_warnx("%s submit-accepted sid=%s part=%zu reason=\"no "
		    "message_id: no receipt can match\"", ob->route->name,
		    m->sid, k);
	gw_ob_encoding_drop(om);
	gw_lifecycle_part_accepted(ob->gw, m, k, id);
}

static void
gw_ob_refused(struct gw_outbound *ob, struct gw_ob_msg *om, size_t k,
    uint32_t status)
{
	struct gw_message *m = om->m;
	const char *name = smpp_status_name(status);
	int st, retry;

	gw_errmap_submit(ob->route, status, &st, &retry);
	if (retry) {
		ob->paused_until = clock_now(ob->gw->clock) +
		    ob->route->retry_pause;
		log_info("%s submit-retry sid=%s part=%zu status=%s pause_ms="
		    "%lld", ob->route->name, m->sid, k, name != NULL ? name :
		    "unnamed", (long long)(ob->route->retry_pause / 1000));
		gw_ob_resend(ob, om, k);
		return;
	}
	log_info("%s submit-refused sid=%s part=%zu status=0x%08x (%s)",
	    ob->route->name, m->sid, k, (unsigned)status, name != NULL ?
	    name : "unnamed");
	m->parts[k].state = GW_PART_FAILED;
	gw_ob_encoding_drop(om);
	gw_lifecycle_part_rejected(ob->gw, m, k, status);
}

static void
gw_ob_response(struct smpp_session *ss, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct gw_ob_submit *sub = arg;
	struct gw_outbound *ob = sub->ob;
	struct gw_ob_msg *om = sub->msg;
	size_t k = sub->part;
	int left;

	(void)ss;
	LIST_REMOVE(sub, all);
	ob->in_flight--;
	ob->responses++;
	sub->session->in_flight--;
	if (resp != NULL)
		histogram_add(ob->submit_latency,
		    clock_now(ob->gw->clock) - sub->sent_at);
	if (om != NULL)
		LIST_REMOVE(sub, by_msg);
	free(sub);
	/* Unless the message left meanwhile. */
	left = om == NULL || k >= om->nparts ||
	    om->m->parts[k].state != GW_PART_SUBMITTED;
	if (left)
		log_debug("%s submit-answered-late part=%zu", ob->route->name,
		    k);
	else if (fail == SMPP_FAIL_TIMEOUT || fail == SMPP_FAIL_CLOSED)
		gw_ob_lost(ob, om, k, fail);
	else if (resp->command_status == SMPP_ESME_ROK &&
	    resp->command_id == SMPP_CMD_submit_sm_resp)
		gw_ob_accepted(ob, om, k, resp);
	else
		gw_ob_refused(ob, om, k, resp->command_status != 0 ?
		    resp->command_status : SMPP_ESME_RUNKNOWNERR);
	/* A held receipt may have waited for this id, or this answer. */
	if (ob->nearly > 0)
		gw_ob_early_match(ob);
	if (!left)
		gw_ob_kick(ob);
}
