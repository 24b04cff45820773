/*
 * Handset-originated messages: text in, encoded deliver_sm (or data_sm)
 * PDUs out, queued in the outbox like receipts so they are held while no
 * receiver is bound and survive a restart.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier-internal.h"
#include "smpp/segment.h"
#include "smpp/text.h"

/* '+' and digits: international; digits: unknown; else alphanumeric. */
static void
carrier_mo_address(const char *in, char *out, size_t len, uint8_t *ton,
    uint8_t *npi)
{
	const char *p = in[0] == '+' ? in + 1 : in;

	*ton = 0;
	*npi = 1;
	if (p[0] != '\0' && strspn(p, "0123456789") == strlen(p)) {
		if (in[0] == '+')
			*ton = 1;
		snprintf(out, len, "%s", p);
		return;
	}
	*ton = 5;
	*npi = 0;
	snprintf(out, len, "%s", in);
}

static int
carrier_mo_coding(const struct carrier_mo *mo, uint8_t *dc, char *err,
    size_t errlen)
{
	struct smpp_text_analysis a;
	size_t off = 0;

	if (mo->encoding[0] == '\0' || strcmp(mo->encoding, "auto") == 0) {
		if (smpp_text_analyze(mo->body, strlen(mo->body), 0, &a,
		    &off) != SMPP_TEXT_OK) {
			snprintf(err, errlen, "body: invalid UTF-8 at octet "
			    "%zu", off);
			return -1;
		}
		*dc = a.data_coding;
	} else if (strcmp(mo->encoding, "gsm7") == 0)
		*dc = 0x00;
	else if (strcmp(mo->encoding, "ucs2") == 0)
		*dc = 0x08;
	else if (strcmp(mo->encoding, "latin1") == 0)
		*dc = 0x03;
	else {
		snprintf(err, errlen, "encoding: \"%s\" is not auto, gsm7, "
		    "ucs2 or latin1", mo->encoding);
		return -1;
	}
	return 0;
}

/*
 * Fills the fields deliver_sm and data_sm share; they spell them alike but
 * size them differently, so one macro serves both structs.
 */
#define CARRIER_MO_FIELDS(d, mo, dc) do {				\
	carrier_mo_address((mo)->from, (d)->source_addr,		\
	    sizeof (d)->source_addr, &(d)->source_addr_ton,		\
	    &(d)->source_addr_npi);					\
	carrier_mo_address((mo)->to, (d)->destination_addr,		\
	    sizeof (d)->destination_addr, &(d)->dest_addr_ton,		\
	    &(d)->dest_addr_npi);					\
	(d)->data_coding = (dc);					\
} while (0)

static void
carrier_mo_init(struct smpp_pdu *pdu, const struct carrier_mo *mo,
    uint8_t dc)
{
	if (mo->as_data_sm) {
		smpp_pdu_init(pdu, SMPP_CMD_data_sm, 1);
		CARRIER_MO_FIELDS(&pdu->u.data_sm, mo, dc);
	} else {
		smpp_pdu_init(pdu, SMPP_CMD_deliver_sm, 1);
		CARRIER_MO_FIELDS(&pdu->u.deliver_sm, mo, dc);
	}
}

/*
 * One part into the PDU: the whole body as message_payload (that split
 * never has a UDH), or a UDH and its share of the text as short_message.
 */
static void
carrier_mo_body(struct smpp_pdu *pdu, const struct carrier_mo *mo,
    const uint8_t *text, const struct smpp_segment_part *part)
{
	struct smpp_body_deliver_sm *d = &pdu->u.deliver_sm;

	if (mo->as_data_sm || mo->payload) {
		smpp_pdu_add_tlv(pdu, SMPP_TLV_message_payload,
		    text + part->offset, (uint16_t)part->length);
		return;
	}
	memcpy(d->short_message, part->udh, part->udh_len);
	memcpy(d->short_message + part->udh_len, text + part->offset,
	    part->length);
	d->sm_length = (uint8_t)(part->udh_len + part->length);
	if (part->udh_len > 0)
		d->esm_class |= SMPP_ESM_UDHI;
}

static int
carrier_mo_queue(struct carrier *c, const char *system_id,
    struct smpp_pdu *pdu, int64_t due)
{
	struct carrier_outbox_item item;
	struct smpp_error err;
	size_t len = smpp_pdu_size(pdu);
	int rc;

	memset(&item, 0, sizeof item);
	snprintf(item.carrier, sizeof item.carrier, "%s", c->p->name);
	snprintf(item.system_id, sizeof item.system_id, "%s", system_id);
	item.kind = CARRIER_OUTBOX_PDU;
	item.due = due;
	item.pdu = xmalloc(len);
	if (smpp_pdu_encode(pdu, item.pdu, len, &item.pdu_len, &err) !=
	    SMPP_OK) {
		free(item.pdu);
		return -1;
	}
	rc = carrier_outbox_add(c, &item);
	free(item.pdu);
	return rc;
}

static const char *
carrier_mo_system_id(struct carrier *c, const struct carrier_mo *mo,
    char *err, size_t errlen)
{
	struct carrier_bind *b;
	size_t i;

	if (mo->system_id[0] == '\0') {
		if (c->p->naccounts == 0) {
			snprintf(err, errlen, "carrier has no accounts");
			return NULL;
		}
		/* Whoever can receive it now (a gateway bound as "gateway"
		 * in carrierlab serve), else the first account's queue. */
		TAILQ_FOREACH(b, &c->binds, entry)
			if (b->type & (CARRIER_BIND_RX | CARRIER_BIND_TRX))
				return b->system_id;
		return c->p->accounts[0].system_id;
	}
	for (i = 0; i < c->p->naccounts; i++)
		if (strcmp(c->p->accounts[i].system_id, mo->system_id) == 0)
			return mo->system_id;
	snprintf(err, errlen, "system_id: no account \"%s\" on %s",
	    mo->system_id, c->p->name);
	return NULL;
}

int
carrier_mo_inject(struct carrier *c, const struct carrier_mo *mo, char *err,
    size_t errlen)
{
	struct smpp_segment_part parts[255];
	struct smpp_pdu *pdu;
	const char *sid;
	uint8_t dc, *text;
	size_t len = 0, off = 0, nparts = 0, cap, i;
	unsigned k, count = mo->count > 0 ? mo->count : 1;
	int64_t now = carrier_now(c), due;
	int queued = 0;

	if ((sid = carrier_mo_system_id(c, mo, err, errlen)) == NULL ||
	    carrier_mo_coding(mo, &dc, err, errlen) == -1)
		return -1;
	cap = strlen(mo->body) * 2 + 2;
	text = xmalloc(cap);
	if (smpp_text_encode(dc, mo->body, strlen(mo->body), text, cap, &len,
	    &off) != SMPP_TEXT_OK) {
		snprintf(err, errlen, "body: character at octet %zu cannot be "
		    "sent in data_coding 0x%02x", off, dc);
		free(text);
		return -1;
	}
	if (smpp_segment_split(text, len, smpp_segment_unit_for(dc),
	    mo->payload || mo->as_data_sm ? SMPP_SPLIT_PAYLOAD :
	    SMPP_SPLIT_UDH8, ++c->mo_ref, parts, 255, &nparts) != SMPP_SEGMENT_OK) {
		snprintf(err, errlen, "body: too long (%zu parts)", nparts);
		free(text);
		return -1;
	}
	pdu = xmalloc(sizeof *pdu);
	for (k = 0; k < count; k++) {
		due = now + (mo->rate > 0 ? (int64_t)(k * 1e6 / mo->rate) : 0);
		for (i = 0; i < nparts; i++) {
			carrier_mo_init(pdu, mo, dc);
			carrier_mo_body(pdu, mo, text, &parts[i]);
			if (carrier_mo_queue(c, sid, pdu, due) == 0)
				queued++;
			smpp_pdu_release(pdu);
		}
	}
	free(pdu);
	free(text);
	log_info("%s mo from=%s to=%s system_id=%s parts=%zu count=%u",
	    c->p->name, mo->from, mo->to, sid, nparts, count);
	return queued;
}
