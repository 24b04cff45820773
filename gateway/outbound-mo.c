/*
 * MO messages from the carrier: deliver_sm or data_sm that are no
 * receipt. Concatenated parts (8- or 16-bit UDH, or the sar_* TLVs) are
 * joined in a smpp_reasm_table keyed by source, destination and
 * reference; the joined text is decoded to UTF-8 and handed to
 * gw_lifecycle_inbound(). Parts that never complete are dropped after
 * GW_OB_MO_HOLD and counted (Twilio's 30009, missing inbound segment).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/outbound-internal.h"
#include "smpp/segment.h"
#include "smpp/smpp.h"
#include "smpp/text.h"

#define GW_OB_MO_MESSAGES	4096		/* in reassembly at once */
#define GW_OB_MO_OCTETS		(SMPP_SEGMENT_MAX_PARTS * 140)
#define GW_OB_MO_HOLD		(300 * CLOCK_USEC_PER_SEC)
#define GW_OB_MO_SWEEP		(30 * CLOCK_USEC_PER_SEC)

/* What one MO PDU carries. */
struct gw_ob_mo_part {
	const char	*source;
	const char	*destination;
	uint8_t		 source_ton;
	uint8_t		 dest_ton;
	uint8_t		 data_coding;
	const uint8_t	*data;		/* text octets, UDH stripped */
	size_t		 len;
	int		 concat;
	uint16_t	 ref;
	uint8_t		 seq;
	uint8_t		 total;
};

static void
gw_ob_mo_sweep(struct clock_timer *t, void *arg)
{
	struct gw_outbound *ob = arg;
	int64_t now = clock_now(ob->gw->clock);
	size_t n;

	(void)t;
	n = smpp_reasm_table_expire(ob->reasm,
	    (uint64_t)(now - GW_OB_MO_HOLD), NULL, NULL);
	if (n > 0) {
		ob->mo_incomplete += n;
		log_warnx("%s mo-incomplete dropped=%zu reason=\"parts "
		    "missing after %llds\"", ob->route->name, n,
		    (long long)(GW_OB_MO_HOLD / CLOCK_USEC_PER_SEC));
	}
	if (smpp_reasm_table_count(ob->reasm) > 0)
		clock_timer_add(t, GW_OB_MO_SWEEP);
}

void
gw_ob_mo_init(struct gw_outbound *ob)
{
	if (smpp_reasm_table_create(&ob->reasm, GW_OB_MO_MESSAGES,
	    GW_OB_MO_OCTETS) != SMPP_REASM_OK)
		fatalx("%s reassembly table: out of memory", ob->route->name);
	ob->t_reasm = clock_timer_new(ob->gw->clock, gw_ob_mo_sweep, ob);
}

void
gw_ob_mo_free(struct gw_outbound *ob)
{
	smpp_reasm_table_free(ob->reasm);
	clock_timer_free(ob->t_reasm);
}

/*
 * An SMPP address as the gateway writes numbers: international (TON 1),
 * or digits too long for a short code, get their '+'; alphanumeric
 * senders and short codes stay as they are.
 */
static void
gw_ob_mo_address(const char *addr, uint8_t ton, char *out, size_t cap)
{
	size_t i, n = strlen(addr);
	int digits = n > 0;

	for (i = 0; i < n; i++)
		digits = digits && isdigit((unsigned char)addr[i]);
	if (digits && (ton == 1 || n > 8))
		snprintf(out, cap, "+%s", addr);
	else
		snprintf(out, cap, "%s", addr);
}

/* The concatenation information of the sar_* TLVs, if all three. */
static int
gw_ob_mo_sar(const struct smpp_pdu *req, struct gw_ob_mo_part *p)
{
	const struct smpp_tlv *ref, *total, *seq;

	ref = smpp_pdu_find_tlv(req, SMPP_TLV_sar_msg_ref_num);
	total = smpp_pdu_find_tlv(req, SMPP_TLV_sar_total_segments);
	seq = smpp_pdu_find_tlv(req, SMPP_TLV_sar_segment_seqnum);
	if (ref == NULL || total == NULL || seq == NULL)
		return 0;
	p->ref = (uint16_t)ref->num;
	p->total = (uint8_t)total->num;
	p->seq = (uint8_t)seq->num;
	return p->total > 1;
}

/* Reads req into p: 0, or -1 when its UDH is unreadable. */
static int
gw_ob_mo_read(const struct smpp_pdu *req, struct gw_ob_mo_part *p)
{
	const struct smpp_tlv *t;
	struct smpp_udh udh;
	uint8_t esm;

	memset(p, 0, sizeof *p);
	if (req->command_id == SMPP_CMD_data_sm) {
		p->source = req->u.data_sm.source_addr;
		p->source_ton = req->u.data_sm.source_addr_ton;
		p->destination = req->u.data_sm.destination_addr;
		p->dest_ton = req->u.data_sm.dest_addr_ton;
		p->data_coding = req->u.data_sm.data_coding;
		esm = req->u.data_sm.esm_class;
	} else {
		p->source = req->u.deliver_sm.source_addr;
		p->source_ton = req->u.deliver_sm.source_addr_ton;
		p->destination = req->u.deliver_sm.destination_addr;
		p->dest_ton = req->u.deliver_sm.dest_addr_ton;
		p->data_coding = req->u.deliver_sm.data_coding;
		p->data = req->u.deliver_sm.short_message;
		p->len = req->u.deliver_sm.sm_length;
		esm = req->u.deliver_sm.esm_class;
	}
	if ((t = smpp_pdu_find_tlv(req, SMPP_TLV_message_payload)) != NULL) {
		p->data = smpp_tlv_value(req, t);
		p->len = t->length;
	}
	if (esm & SMPP_ESM_UDHI) {
		if (smpp_udh_parse(p->data, p->len, &udh) != SMPP_SEGMENT_OK)
			return -1;
		p->data += udh.length;
		p->len -= udh.length;
		if (udh.concat && udh.total > 1) {
			p->concat = 1;
			p->ref = udh.ref;
			p->seq = udh.seq;
			p->total = udh.total;
		}
	}
	if (!p->concat)
		p->concat = gw_ob_mo_sar(req, p);
	return 0;
}

/* Decodes the joined text and hands it on. */
static void
gw_ob_mo_deliver(struct gw_outbound *ob, const struct gw_ob_mo_part *p,
    const uint8_t *data, size_t len, unsigned segments)
{
	char from[GATEWAY_NUMBER_MAX], to[GATEWAY_NUMBER_MAX];
	char *body = xmalloc(2 * len + 1);
	size_t outlen, erroff;
	enum smpp_text_status st;

	st = smpp_text_decode(p->data_coding, data, len, body, 2 * len + 1,
	    &outlen, &erroff);
	if (st != SMPP_TEXT_OK) {
		ob->mo_dropped++;
		log_warnx("%s mo-dropped from=%s to=%s data_coding=0x%02x "
		    "offset=%zu reason=\"%s\"", ob->route->name, p->source,
		    p->destination, p->data_coding, erroff,
		    smpp_text_status_name(st));
		free(body);
		return;
	}
	body[outlen] = '\0';
	gw_ob_mo_address(p->source, p->source_ton, from, sizeof from);
	gw_ob_mo_address(p->destination, p->dest_ton, to, sizeof to);
	log_info("%s mo from=%s to=%s segments=%u chars=%zu", ob->route->name,
	    from, to, segments, outlen);
	gw_lifecycle_inbound(ob->gw, ob->route->name, from, to, body,
	    segments);
	free(body);
}

/* Adds a part; delivers the message when it is whole. */
static void
gw_ob_mo_join(struct gw_outbound *ob, const struct gw_ob_mo_part *p)
{
	const struct smpp_reasm *r;
	enum smpp_reasm_status st;
	uint8_t *joined;
	size_t len;

	st = smpp_reasm_table_add(ob->reasm, p->source, p->destination,
	    p->ref, p->seq, p->total, p->data, p->len,
	    (uint64_t)clock_now(ob->gw->clock), &r);
	if (st != SMPP_REASM_OK) {
		log_warnx("%s mo-part from=%s ref=%u seq=%u/%u reason=\"%s\"",
		    ob->route->name, p->source, p->ref, p->seq, p->total,
		    smpp_reasm_status_name(st));
		return;
	}
	if (!clock_timer_pending(ob->t_reasm))
		clock_timer_add(ob->t_reasm, GW_OB_MO_SWEEP);
	if (r == NULL || !smpp_reasm_complete(r))
		return;
	len = smpp_reasm_length(r);
	joined = xmalloc(len > 0 ? len : 1);
	if (smpp_reasm_table_take(ob->reasm, p->source, p->destination,
	    p->ref, joined, len, &len) == SMPP_REASM_OK)
		gw_ob_mo_deliver(ob, p, joined, len, p->total);
	free(joined);
}

void
gw_ob_mo(struct gw_outbound *ob, const struct smpp_pdu *req)
{
	struct gw_ob_mo_part p;

	if (gw_ob_mo_read(req, &p) == -1) {
		ob->mo_dropped++;
		log_warnx("%s mo-dropped reason=\"unreadable UDH\"",
		    ob->route->name);
		return;
	}
	if (p.concat)
		gw_ob_mo_join(ob, &p);
	else
		gw_ob_mo_deliver(ob, &p, p.data, p.len, 1);
}
