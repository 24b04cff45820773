/*
 * What happens to a message as its parts move on the wire: outbound
 * calls these as submits go out, responses come back and receipts
 * arrive. Per-part states fold into one message status: sent once every
 * part is accepted, and a final status once every part has its receipt
 * (delivered only when every part was).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/lifecycle-internal.h"
#include "gateway/store.h"

static const struct gateway_route *
gw_message_route(const struct gateway *gw, const struct gw_message *m)
{
	size_t i;

	for (i = 0; i < gw->cfg.nroutes; i++)
		if (strcmp(gw->cfg.routes[i].name, m->route) == 0)
			return &gw->cfg.routes[i];
	return NULL;
}

void
gw_lifecycle_sending(struct gateway *gw, struct gw_message *m)
{
	if (m->status == GW_STATUS_QUEUED)
		gw_transition(gw, m, GW_STATUS_SENDING, 0, m->route, NULL);
}

static int
gw_part_final(const struct gw_part *p)
{
	return p->state == GW_PART_DELIVERED ||
	    p->state == GW_PART_UNDELIVERED || p->state == GW_PART_FAILED;
}

/*
 * The price as Twilio writes it, "-0.00790": a negative amount with five
 * decimals, from integer 1e-5 units (printf's "%.5f" of a double was 1%
 * of the loop in bench (b)).
 */
static void
gw_price(char out[16], unsigned long units)
{
	char tmp[32], *end = tmp + sizeof tmp, *p;
	size_t len;

	/* The five decimals as the digits of 100000 + them, whose leading
	 * 1 becomes the point; then the whole part and the sign. */
	p = gw_decimal(end, 100000 + units % 100000);
	*p = '.';
	p = gw_decimal(p, units / 100000);
	*--p = '-';
	/* Cut short as snprintf would (255 parts take 8 bytes). */
	if ((len = (size_t)(end - p)) > 15)
		len = 15;
	memcpy(out, p, len);
	out[len] = '\0';
}

static void
gw_sent(struct gateway *gw, struct gw_message *m)
{
	m->date_sent = clock_now(gw->clock);
	gw_price(m->price, GW_PRICE_PER_SEGMENT *
	    (unsigned long)(m->nparts > 0 ? m->nparts : 1));
	gw_transition(gw, m, GW_STATUS_SENT, 0, m->route, NULL);
}

/*
 * When every part has its receipt: the message's final status, the
 * worst of its parts' (failed over undelivered over delivered), with
 * the first such part's error code.
 */
static int
gw_fold(struct gateway *gw, struct gw_message *m, const char *raw_dlr)
{
	enum gw_status status = GW_STATUS_DELIVERED;
	int code = 0;
	size_t i;

	for (i = 0; i < m->nparts; i++)
		if (!gw_part_final(&m->parts[i]))
			return 0;
	for (i = 0; i < m->nparts; i++) {
		if (m->parts[i].state == GW_PART_FAILED &&
		    status != GW_STATUS_FAILED) {
			status = GW_STATUS_FAILED;
			code = m->parts[i].error_code;
		} else if (m->parts[i].state == GW_PART_UNDELIVERED &&
		    status == GW_STATUS_DELIVERED) {
			status = GW_STATUS_UNDELIVERED;
			code = m->parts[i].error_code;
		}
	}
	if (m->status == GW_STATUS_SENDING)
		gw_sent(gw, m);
	if (status == GW_STATUS_UNDELIVERED && gw_fallback(gw, m, code,
	    raw_dlr))
		return 1;		/* sent again: written there */
	gw_transition(gw, m, status, code, "receipt", raw_dlr);
	return 1;			/* m is gone */
}

void
gw_lifecycle_part_accepted(struct gateway *gw, struct gw_message *m,
    size_t part, const char *smsc_id)
{
	struct gw_part *p;
	size_t i;

	if (part >= m->nparts)
		return;
	p = &m->parts[part];
	snprintf(p->smsc_id, sizeof p->smsc_id, "%s", smsc_id);
	if (!gw_part_final(p))
		p->state = GW_PART_ACCEPTED;
	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].state < GW_PART_ACCEPTED)
			break;
	if (i < m->nparts || m->status != GW_STATUS_SENDING) {
		/* The id must be in the store before a restart needs it. */
		gw_store_update_message(gw->store, m);
		return;
	}
	gw_sent(gw, m);
}

static void
gw_fail(struct gateway *gw, struct gw_message *m, size_t part, int code,
    enum gw_status status, const char *detail)
{
	if (part < m->nparts) {
		m->parts[part].state = GW_PART_FAILED;
		m->parts[part].error_code = code;
	}
	gw_transition(gw, m, status, code, detail, NULL);
}

void
gw_lifecycle_part_rejected(struct gateway *gw, struct gw_message *m,
    size_t part, uint32_t command_status)
{
	int status = GW_STATUS_FAILED, retry = 0, code;
	char detail[64];

	code = gw_errmap_submit(gw_message_route(gw, m), command_status,
	    &status, &retry);
	snprintf(detail, sizeof detail, "submit_sm_resp 0x%08x",
	    command_status);
	gw_fail(gw, m, part, code != 0 ? code : 30008,
	    status == GW_STATUS_UNDELIVERED ? GW_STATUS_UNDELIVERED :
	    GW_STATUS_FAILED, detail);
}

void
gw_lifecycle_part_failed(struct gateway *gw, struct gw_message *m,
    size_t part, int error_code)
{
	gw_fail(gw, m, part, error_code, GW_STATUS_FAILED,
	    error_code == 30410 ? "submit timed out" : "not sent");
}

void
gw_lifecycle_receipt(struct gateway *gw, struct gw_message *m, size_t part,
    const struct gw_receipt *r)
{
	struct gw_part *p;
	int status = -1, code;

	if (part >= m->nparts)
		return;
	code = gw_errmap_receipt(gw_message_route(gw, m), r, &status);
	if (status < 0)
		return;			/* ENROUTE, ACCEPTD: not final */
	p = &m->parts[part];
	strlcpy(p->stat, r->stat, sizeof p->stat);
	strlcpy(p->err, r->err, sizeof p->err);
	p->error_code = code;
	p->done_at = r->done_at;
	p->state = status == GW_STATUS_DELIVERED ? GW_PART_DELIVERED :
	    status == GW_STATUS_FAILED ? GW_PART_FAILED : GW_PART_UNDELIVERED;
	if (m->status != GW_STATUS_SENDING && m->status != GW_STATUS_SENT) {
		gw_store_update_message(gw->store, m);
		return;
	}
	/* Not folded: some part still waits; keep what this one said. */
	if (gw_fold(gw, m, r->done_raw[0] != '\0' ? r->done_raw : NULL) == 0)
		gw_store_update_message(gw->store, m);
}
