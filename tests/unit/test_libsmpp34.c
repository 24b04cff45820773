/*
 * Differential test: carrierlab's codec against libsmpp34 (the
 * c-open-smpp3.4 library Osmocom maintains) on every file in
 * tests/vectors/pdu/. Both decode the same bytes; the header, every
 * mandatory field, the submit_multi destination and unsuccess lists and
 * every TLV (tag, length and value, in wire order) must agree, and
 * libsmpp34's pack of what it unpacked must give the octets carrierlab
 * encodes.
 *
 * The field lists below are written from libsmpp34's
 * def_frame/<command>.frame, not generated from smpp/commands.def, so a
 * field missing on our side is a compile error here rather than a
 * comparison that silently shrinks.
 *
 * libsmpp34 is a 3.4 codec with validation opinions of its own. A vector it
 * refuses is skipped only when a rule in l34_refusals[] explains the
 * refusal and says why carrierlab is right (smpp-facts 1.3, 7.1, 7.6); an
 * unexplained refusal fails, so every new vector is either compared or
 * judged.
 */
#include "config.h"

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "common/hex.h"
#include "smpp/pdu.h"

/* After ours: these define U32, TLV, Reserved and such as macros. */
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#define MIN_COMPARED	20
/*
 * libsmpp34 measures a C-Octet String with strlen() before it checks the
 * octets left, so on a PDU that ends early it reads past the end. Zero
 * octets after every vector stop it there.
 */
#define L34_PAD		16
#define PDU_MAX		SMPP_DEFAULT_MAX_PDU

struct vector {
	char		*name;
	uint8_t		*bytes;		/* len octets, then L34_PAD zeros */
	size_t		 len;
};

static struct vector	*vectors;
static size_t		 nvectors;

/*
 * TLVs libsmpp34 keeps as host-order integers (value.val16, value.val32),
 * per its def_frame/<command>.tlv. It keeps every other TLV as octets in
 * value.octet; a 1-octet integer (value.val08) shares that storage, so it
 * compares as octets too.
 */
struct l34_int_tlv {
	uint16_t	 tag;
	uint8_t		 width;
};

static const struct l34_int_tlv sm_ints[] = {	/* submit_sm, submit_multi */
	{ SMPP_TLV_user_message_reference, 2 },
	{ SMPP_TLV_source_port, 2 },
	{ SMPP_TLV_destination_port, 2 },
	{ SMPP_TLV_sar_msg_ref_num, 2 },
	{ SMPP_TLV_sms_signal, 2 },
	{ SMPP_TLV_its_session_info, 2 },
	{ 0, 0 },
};

static const struct l34_int_tlv deliver_sm_ints[] = {
	{ SMPP_TLV_user_message_reference, 2 },
	{ SMPP_TLV_source_port, 2 },
	{ SMPP_TLV_destination_port, 2 },
	{ SMPP_TLV_sar_msg_ref_num, 2 },
	{ SMPP_TLV_its_session_info, 2 },
	{ 0, 0 },
};

static const struct l34_int_tlv data_sm_ints[] = {
	{ SMPP_TLV_source_port, 2 },
	{ SMPP_TLV_destination_port, 2 },
	{ SMPP_TLV_dest_telematics_id, 2 },
	{ SMPP_TLV_sar_msg_ref_num, 2 },
	{ SMPP_TLV_user_message_reference, 2 },
	{ SMPP_TLV_sms_signal, 2 },
	{ SMPP_TLV_its_session_info, 2 },
	{ SMPP_TLV_qos_time_to_live, 4 },
	{ 0, 0 },
};

static const struct l34_int_tlv no_ints[] = {
	{ 0, 0 },
};

/* ---- field comparisons ---- */

static void
same_str(const char *v, const char *field, const char *ours,
    const uint8_t *theirs)
{
	ck_assert_msg(strcmp(ours, (const char *)theirs) == 0,
	    "%s: %s: carrierlab \"%s\", libsmpp34 \"%s\"", v, field, ours,
	    (const char *)theirs);
}

static void
same_int(const char *v, const char *field, uint32_t ours, uint32_t theirs)
{
	ck_assert_msg(ours == theirs, "%s: %s: carrierlab %u, libsmpp34 %u",
	    v, field, ours, theirs);
}

static void
same_bytes(const char *v, const char *field, const uint8_t *ours,
    const uint8_t *theirs, size_t len)
{
	ck_assert_msg(memcmp(ours, theirs, len) == 0,
	    "%s: %s: the %zu octets differ", v, field, len);
}

/* "dest_address[2].dl_name" and such, for the messages. */
static const char *
item(char *buf, size_t len, const char *list, unsigned i, const char *f)
{
	snprintf(buf, len, "%s[%u].%s", list, i, f);
	return buf;
}

static void
same_dests(const char *v, const struct smpp_body_submit_multi *o,
    const dad_t *d)
{
	const struct smpp_dest_address	*a = o->dest_address;
	unsigned			 i;
	char				 f[64];

	for (i = 0; i < o->number_of_dests; i++, a++, d = d->next) {
		ck_assert_msg(d != NULL, "%s: libsmpp34 has %u of %u "
		    "destinations", v, i, o->number_of_dests);
		same_int(v, item(f, sizeof f, "dest_address", i, "dest_flag"),
		    a->dest_flag, d->dest_flag);
		if (a->dest_flag == 2) {
			same_str(v, item(f, sizeof f, "dest_address", i,
			    "dl_name"), a->dl_name, d->value.dl_name);
			continue;
		}
		same_int(v, item(f, sizeof f, "dest_address", i,
		    "dest_addr_ton"), a->dest_addr_ton,
		    d->value.sme.dest_addr_ton);
		same_int(v, item(f, sizeof f, "dest_address", i,
		    "dest_addr_npi"), a->dest_addr_npi,
		    d->value.sme.dest_addr_npi);
		same_str(v, item(f, sizeof f, "dest_address", i,
		    "destination_addr"), a->destination_addr,
		    d->value.sme.destination_addr);
	}
	ck_assert_msg(d == NULL, "%s: libsmpp34 has more destinations", v);
}

static void
same_unsuccess(const char *v, const struct smpp_body_submit_multi_resp *o,
    const udad_t *u)
{
	const struct smpp_unsuccess_sme	*a = o->unsuccess_sme;
	unsigned			 i;
	char				 f[64];

	for (i = 0; i < o->no_unsuccess; i++, a++, u = u->next) {
		ck_assert_msg(u != NULL, "%s: libsmpp34 has %u of %u "
		    "unsuccess_sme", v, i, o->no_unsuccess);
		same_int(v, item(f, sizeof f, "unsuccess_sme", i,
		    "dest_addr_ton"), a->dest_addr_ton, u->dest_addr_ton);
		same_int(v, item(f, sizeof f, "unsuccess_sme", i,
		    "dest_addr_npi"), a->dest_addr_npi, u->dest_addr_npi);
		same_str(v, item(f, sizeof f, "unsuccess_sme", i,
		    "destination_addr"), a->destination_addr,
		    u->destination_addr);
		same_int(v, item(f, sizeof f, "unsuccess_sme", i,
		    "error_status_code"), a->error_status_code,
		    u->error_status_code);
	}
	ck_assert_msg(u == NULL, "%s: libsmpp34 has more unsuccess_sme", v);
}

#define SAME_STR(f)	same_str(v, #f, o->f, l->f);
#define SAME_INT(f)	same_int(v, #f, o->f, l->f);
#define SAME_SM		SAME_INT(sm_length) \
			same_bytes(v, "short_message", o->short_message, \
			    l->short_message, o->sm_length);

#define BIND_FIELDS \
	SAME_STR(system_id) SAME_STR(password) SAME_STR(system_type) \
	SAME_INT(interface_version) SAME_INT(addr_ton) SAME_INT(addr_npi) \
	SAME_STR(address_range)

#define SM_FIELDS \
	SAME_STR(service_type) \
	SAME_INT(source_addr_ton) SAME_INT(source_addr_npi) \
	SAME_STR(source_addr) \
	SAME_INT(dest_addr_ton) SAME_INT(dest_addr_npi) \
	SAME_STR(destination_addr) \
	SAME_INT(esm_class) SAME_INT(protocol_id) SAME_INT(priority_flag) \
	SAME_STR(schedule_delivery_time) SAME_STR(validity_period) \
	SAME_INT(registered_delivery) SAME_INT(replace_if_present_flag) \
	SAME_INT(data_coding) SAME_INT(sm_default_msg_id) \
	SAME_SM

/* cmp_NAME(): our body of NAME against libsmpp34's NAME_t. */
#define COMPARE(name, fields) \
static void \
cmp_##name(const char *v, const struct smpp_pdu *p, const void *tt) \
{ \
	const struct smpp_body_##name	*o = &p->u.name; \
	const name##_t			*l = tt; \
	fields \
}

COMPARE(bind_receiver, BIND_FIELDS)
COMPARE(bind_transmitter, BIND_FIELDS)
COMPARE(bind_transceiver, BIND_FIELDS)
COMPARE(bind_receiver_resp, SAME_STR(system_id))
COMPARE(bind_transmitter_resp, SAME_STR(system_id))
COMPARE(bind_transceiver_resp, SAME_STR(system_id))
COMPARE(outbind, SAME_STR(system_id) SAME_STR(password))
COMPARE(submit_sm, SM_FIELDS)
COMPARE(deliver_sm, SM_FIELDS)
COMPARE(submit_sm_resp, SAME_STR(message_id))
COMPARE(deliver_sm_resp, SAME_STR(message_id))
COMPARE(data_sm_resp, SAME_STR(message_id))
COMPARE(query_sm,
	SAME_STR(message_id)
	SAME_INT(source_addr_ton) SAME_INT(source_addr_npi)
	SAME_STR(source_addr))
COMPARE(query_sm_resp,
	SAME_STR(message_id) SAME_STR(final_date)
	SAME_INT(message_state) SAME_INT(error_code))
COMPARE(cancel_sm,
	SAME_STR(service_type) SAME_STR(message_id)
	SAME_INT(source_addr_ton) SAME_INT(source_addr_npi)
	SAME_STR(source_addr)
	SAME_INT(dest_addr_ton) SAME_INT(dest_addr_npi)
	SAME_STR(destination_addr))
COMPARE(replace_sm,
	SAME_STR(message_id)
	SAME_INT(source_addr_ton) SAME_INT(source_addr_npi)
	SAME_STR(source_addr)
	SAME_STR(schedule_delivery_time) SAME_STR(validity_period)
	SAME_INT(registered_delivery) SAME_INT(sm_default_msg_id)
	SAME_SM)
COMPARE(submit_multi,
	SAME_STR(service_type)
	SAME_INT(source_addr_ton) SAME_INT(source_addr_npi)
	SAME_STR(source_addr)
	SAME_INT(number_of_dests)
	same_dests(v, o, l->dest_addr_def);
	SAME_INT(esm_class) SAME_INT(protocol_id) SAME_INT(priority_flag)
	SAME_STR(schedule_delivery_time) SAME_STR(validity_period)
	SAME_INT(registered_delivery) SAME_INT(replace_if_present_flag)
	SAME_INT(data_coding) SAME_INT(sm_default_msg_id)
	SAME_SM)
COMPARE(submit_multi_resp,
	SAME_STR(message_id)
	SAME_INT(no_unsuccess)
	same_unsuccess(v, o, l->unsuccess_smes);)
COMPARE(alert_notification,
	SAME_INT(source_addr_ton) SAME_INT(source_addr_npi)
	SAME_STR(source_addr)
	SAME_INT(esme_addr_ton) SAME_INT(esme_addr_npi)
	SAME_STR(esme_addr))
COMPARE(data_sm,
	SAME_STR(service_type)
	SAME_INT(source_addr_ton) SAME_INT(source_addr_npi)
	SAME_STR(source_addr)
	SAME_INT(dest_addr_ton) SAME_INT(dest_addr_npi)
	SAME_STR(destination_addr)
	SAME_INT(esm_class) SAME_INT(registered_delivery)
	SAME_INT(data_coding))

/* ---- the command table ---- */

/*
 * One row per command libsmpp34 knows. tlv, dad and udad are the offsets
 * of its TLV, dest_address and unsuccess_sme lists in its struct, 0 where
 * it has none (the header is at offset 0). A header-only PDU has no
 * compare function: the header is compared for every row.
 */
struct l34_command {
	uint32_t		 id;
	size_t			 size;
	void			(*compare)(const char *,
				    const struct smpp_pdu *, const void *);
	size_t			 tlv, dad, udad;
	const struct l34_int_tlv *ints;
};

#define NONE		0
#define LIST(name, f)	offsetof(name##_t, f)
#define ROW(name, cmp, tlv, dad, udad, ints) \
	{ SMPP_CMD_##name, sizeof(name##_t), cmp, tlv, dad, udad, ints }

static const struct l34_command l34_commands[] = {
	ROW(generic_nack, NULL, NONE, NONE, NONE, no_ints),
	ROW(bind_receiver, cmp_bind_receiver, NONE, NONE, NONE, no_ints),
	ROW(bind_receiver_resp, cmp_bind_receiver_resp,
	    LIST(bind_receiver_resp, tlv), NONE, NONE, no_ints),
	ROW(bind_transmitter, cmp_bind_transmitter, NONE, NONE, NONE,
	    no_ints),
	ROW(bind_transmitter_resp, cmp_bind_transmitter_resp,
	    LIST(bind_transmitter_resp, tlv), NONE, NONE, no_ints),
	ROW(query_sm, cmp_query_sm, NONE, NONE, NONE, no_ints),
	ROW(query_sm_resp, cmp_query_sm_resp, NONE, NONE, NONE, no_ints),
	ROW(submit_sm, cmp_submit_sm, LIST(submit_sm, tlv), NONE, NONE,
	    sm_ints),
	ROW(submit_sm_resp, cmp_submit_sm_resp, NONE, NONE, NONE, no_ints),
	ROW(deliver_sm, cmp_deliver_sm, LIST(deliver_sm, tlv), NONE, NONE,
	    deliver_sm_ints),
	ROW(deliver_sm_resp, cmp_deliver_sm_resp, NONE, NONE, NONE, no_ints),
	ROW(unbind, NULL, NONE, NONE, NONE, no_ints),
	ROW(unbind_resp, NULL, NONE, NONE, NONE, no_ints),
	ROW(replace_sm, cmp_replace_sm, NONE, NONE, NONE, no_ints),
	ROW(replace_sm_resp, NULL, NONE, NONE, NONE, no_ints),
	ROW(cancel_sm, cmp_cancel_sm, NONE, NONE, NONE, no_ints),
	ROW(cancel_sm_resp, NULL, NONE, NONE, NONE, no_ints),
	ROW(bind_transceiver, cmp_bind_transceiver, NONE, NONE, NONE,
	    no_ints),
	ROW(bind_transceiver_resp, cmp_bind_transceiver_resp,
	    LIST(bind_transceiver_resp, tlv), NONE, NONE, no_ints),
	ROW(outbind, cmp_outbind, NONE, NONE, NONE, no_ints),
	ROW(enquire_link, NULL, NONE, NONE, NONE, no_ints),
	ROW(enquire_link_resp, NULL, NONE, NONE, NONE, no_ints),
	ROW(submit_multi, cmp_submit_multi, LIST(submit_multi, tlv),
	    LIST(submit_multi, dest_addr_def), NONE, sm_ints),
	ROW(submit_multi_resp, cmp_submit_multi_resp, NONE, NONE,
	    LIST(submit_multi_resp, unsuccess_smes), no_ints),
	ROW(alert_notification, cmp_alert_notification,
	    LIST(alert_notification, tlv), NONE, NONE, no_ints),
	ROW(data_sm, cmp_data_sm, LIST(data_sm, tlv), NONE, NONE,
	    data_sm_ints),
	ROW(data_sm_resp, cmp_data_sm_resp, NONE, NONE, NONE, no_ints),
};

static const struct l34_command *
l34_command_lookup(uint32_t id)
{
	size_t i;

	for (i = 0; i < sizeof l34_commands / sizeof l34_commands[0]; i++)
		if (l34_commands[i].id == id)
			return &l34_commands[i];
	return NULL;
}

/* ---- what libsmpp34 refuses ---- */

/* The PDU carries TLVs where libsmpp34's struct has no list for them. */
static int
tlvs_where_none(const struct smpp_pdu *p)
{
	return p->ntlv > 0 && l34_command_lookup(p->command_id)->tlv == NONE;
}

/*
 * An error response whose body is there or not against libsmpp34's rule:
 * it never reads submit_sm_resp's body after a non-zero command_status,
 * and always reads the body of every other response that has one (the
 * rows with a compare function).
 */
static int
error_response_body(const struct smpp_pdu *p)
{
	if (!smpp_is_response(p->command_id) || p->command_status == 0)
		return 0;
	if (p->command_id == SMPP_CMD_submit_sm_resp)
		return p->command_length > SMPP_HEADER_LEN;
	return p->command_length == SMPP_HEADER_LEN &&
	    l34_command_lookup(p->command_id)->compare != NULL;
}

static int
sequence_zero(const struct smpp_pdu *p)
{
	return p->sequence_number == 0;
}

static int
bind_not_34(const struct smpp_pdu *p)
{
	return (p->command_id == SMPP_CMD_bind_transmitter &&
	    p->u.bind_transmitter.interface_version != SMPP_VERSION_34) ||
	    (p->command_id == SMPP_CMD_bind_transceiver &&
	    p->u.bind_transceiver.interface_version != SMPP_VERSION_34);
}

/* Why libsmpp34 refuses a PDU that carrierlab reads, and who is right. */
static const struct l34_refusal {
	int		(*applies)(const struct smpp_pdu *);
	const char	*why;
} l34_refusals[] = {
	{ tlvs_where_none, "it takes no TLVs in this PDU; SPEC34 Table 4-21 "
	    "gives data_sm_resp four, and SPEC50 2.9 allows congestion_state "
	    "on any response" },
	{ error_response_body, "it reads an error response's body by its own "
	    "rule (submit_sm_resp's never, every other's always); error "
	    "responses carry no body, and a receiver ignores one that comes "
	    "(SPEC50 3.2.1.3)" },
	{ sequence_zero, "it refuses sequence_number 0, which SPEC34 Table "
	    "4-9 keeps for a generic_nack to an unusable header" },
	{ bind_not_34, "it wants interface_version 0x34 in bind_transmitter "
	    "and bind_transceiver; SPEC34's own example (p.41) sends 0x00, "
	    "and 0x50 is 5.0" },
};

static const struct l34_refusal *
l34_refusal_explain(const struct smpp_pdu *p)
{
	size_t i;

	for (i = 0; i < sizeof l34_refusals / sizeof l34_refusals[0]; i++)
		if (l34_refusals[i].applies(p))
			return &l34_refusals[i];
	return NULL;
}

/* ---- libsmpp34's lists ---- */

#define LIST_AT(tt, off, type)	((type **)(void *)((char *)(tt) + (off)))

#define REVERSE(type) \
static void \
reverse_##type(type **head) \
{ \
	type *prev = NULL, *next, *p = *head; \
\
	while (p != NULL) { \
		next = p->next; \
		p->next = prev; \
		prev = p; \
		p = next; \
	} \
	*head = prev; \
}

REVERSE(tlv_t)
REVERSE(dad_t)
REVERSE(udad_t)

/*
 * libsmpp34's unpack prepends every TLV, dest_address and unsuccess_sme to
 * its list, and pack writes a list in list order: lists come back reversed.
 * This puts them in wire order, as a libsmpp34 user building a PDU with
 * build_tlv() (which prepends too) must.
 */
static void
l34_wire_order(const struct l34_command *row, void *tt)
{
	if (row->tlv != NONE)
		reverse_tlv_t(LIST_AT(tt, row->tlv, tlv_t));
	if (row->dad != NONE)
		reverse_dad_t(LIST_AT(tt, row->dad, dad_t));
	if (row->udad != NONE)
		reverse_udad_t(LIST_AT(tt, row->udad, udad_t));
}

static void
l34_free(const struct l34_command *row, void *tt)
{
	if (row->tlv != NONE)
		destroy_tlv(*LIST_AT(tt, row->tlv, tlv_t));
	if (row->dad != NONE)
		destroy_dad(*LIST_AT(tt, row->dad, dad_t));
	if (row->udad != NONE)
		destroy_udad(*LIST_AT(tt, row->udad, udad_t));
	free(tt);
}

/* ---- TLVs ---- */

static unsigned
l34_int_width(const struct l34_int_tlv *ints, uint16_t tag)
{
	for (; ints->tag != 0; ints++)
		if (ints->tag == tag)
			return ints->width;
	return 0;
}

static uint32_t
be_value(const uint8_t *p, size_t len)
{
	uint32_t v = 0;

	while (len-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* One TLV's value: octets, or libsmpp34's integer against the wire. */
static void
same_tlv_value(const char *v, const struct smpp_pdu *p,
    const struct smpp_tlv *t, const tlv_t *l, const struct l34_int_tlv *ints)
{
	const struct smpp_tlv_info	*ti = smpp_tlv_lookup(t->tag);
	const uint8_t			*val = smpp_tlv_value(p, t);
	uint32_t			 theirs;
	char				 field[48];

	snprintf(field, sizeof field, "TLV 0x%04x", t->tag);
	switch (l34_int_width(ints, t->tag)) {
	case 2:
		theirs = l->value.val16;
		same_int(v, field, be_value(val, t->length), theirs);
		break;
	case 4:
		theirs = l->value.val32;
		same_int(v, field, be_value(val, t->length), theirs);
		break;
	default:
		same_bytes(v, field, val, l->value.octet, t->length);
		theirs = be_value(l->value.octet, t->length < 4 ? t->length :
		    4);
		break;
	}
	/* Where we type the TLV as an integer, our number must match too. */
	if (ti != NULL && (ti->type == SMPP_TLV_TYPE_INT1 ||
	    ti->type == SMPP_TLV_TYPE_INT2 || ti->type == SMPP_TLV_TYPE_INT4))
		same_int(v, field, t->num, theirs);
}

static void
same_tlvs(const char *v, const struct smpp_pdu *p, const tlv_t *l,
    const struct l34_int_tlv *ints)
{
	uint16_t i;

	for (i = 0; i < p->ntlv; i++, l = l->next) {
		const struct smpp_tlv *t = &p->tlv[i];

		ck_assert_msg(l != NULL, "%s: libsmpp34 has %u TLVs, "
		    "carrierlab %u", v, i, p->ntlv);
		ck_assert_msg(l->tag == t->tag, "%s: TLV %u: tag carrierlab "
		    "0x%04x, libsmpp34 0x%04x", v, i, t->tag, l->tag);
		ck_assert_msg(l->length == t->length, "%s: TLV 0x%04x: "
		    "length carrierlab %u, libsmpp34 %u", v, t->tag,
		    t->length, l->length);
		same_tlv_value(v, p, t, l, ints);
	}
	ck_assert_msg(l == NULL, "%s: libsmpp34 has more than %u TLVs", v,
	    p->ntlv);
}

/* ---- one vector ---- */

static void
same_header(const char *v, const struct smpp_pdu *p, const void *tt)
{
	generic_nack_t h;	/* every libsmpp34 struct starts so */

	memcpy(&h, tt, sizeof h);
	same_int(v, "command_length", p->command_length, h.command_length);
	same_int(v, "command_id", p->command_id, h.command_id);
	same_int(v, "command_status", p->command_status, h.command_status);
	same_int(v, "sequence_number", p->sequence_number,
	    h.sequence_number);
}

static void
same_decoded(const char *v, const struct l34_command *row,
    const struct smpp_pdu *p, const void *tt)
{
	same_header(v, p, tt);
	/*
	 * carrierlab keeps an error response's body it cannot read as raw
	 * octets (pdu.h), with no fields to compare; libsmpp34 reads what it
	 * can. The packed octets are still compared.
	 */
	if (p->raw_body) {
		fprintf(stderr, "%s: note: error response with an unreadable "
		    "body; fields not compared\n", v);
		return;
	}
	if (row->compare != NULL)
		row->compare(v, p, tt);
	if (row->tlv != NONE)
		same_tlvs(v, p, *LIST_AT(tt, row->tlv, tlv_t), row->ints);
	else
		ck_assert_msg(p->ntlv == 0, "%s: carrierlab has %u TLVs, "
		    "libsmpp34 takes none here", v, p->ntlv);
}

static int
l34_pack(const struct l34_command *row, void *tt, uint8_t *out, int *len)
{
	return smpp34_pack(row->id, out, PDU_MAX, len, tt);
}

/*
 * Packs libsmpp34's struct as unpacked; a difference is a known libsmpp34
 * limitation (reversed lists, see l34_wire_order()) and only reported.
 */
static void
note_pack_as_unpacked(const struct vector *vec,
    const struct l34_command *row, void *tt, const uint8_t *ours,
    size_t olen)
{
	uint8_t	out[PDU_MAX];
	int	len;

	if (l34_pack(row, tt, out, &len) != 0 || (size_t)len != olen ||
	    memcmp(out, ours, olen) != 0)
		fprintf(stderr, "%s: note: libsmpp34 does not pack its own "
		    "unpack back to these octets (its lists come out "
		    "reversed)\n", vec->name);
}

/*
 * Decodes vec with both codecs. Returns 1 when both did, 0 when libsmpp34
 * refused it for a reason l34_refusals[] explains (or lacks the command),
 * saying why on stderr when asked to, and fails the test for any other
 * refusal.
 */
static int
decode_both(const struct vector *vec, struct smpp_pdu *pdu,
    const struct l34_command **row, void **tt, int say_why)
{
	const struct l34_refusal	*refusal;
	struct smpp_error		 err;

	smpp_pdu_init(pdu, 0, 0);
	ck_assert_msg(smpp_pdu_decode(pdu, vec->bytes, vec->len, NULL,
	    &err) == SMPP_OK, "%s: carrierlab: %s", vec->name, err.reason);
	if ((*row = l34_command_lookup(pdu->command_id)) == NULL) {
		if (say_why)
			fprintf(stderr, "%s: skipped: libsmpp34 has no %s\n",
			    vec->name, smpp_command_name(pdu->command_id));
		return 0;
	}
	*tt = calloc(1, (*row)->size);
	if (smpp34_unpack((*row)->id, *tt, vec->bytes, (int)vec->len) == 0)
		return 1;
	refusal = l34_refusal_explain(pdu);
	ck_assert_msg(refusal != NULL, "%s: libsmpp34 refuses it: %s; judge "
	    "who is right and explain it in l34_refusals[]", vec->name,
	    smpp34_strerror);
	if (say_why)
		fprintf(stderr, "%s: skipped: libsmpp34 refuses it: %s\n",
		    vec->name, refusal->why);
	l34_free(*row, *tt);
	return 0;
}

START_TEST(test_vector)
{
	const struct vector		*vec = &vectors[_i];
	const struct l34_command	*row;
	struct smpp_pdu			*pdu = malloc(sizeof *pdu);
	struct smpp_error		 err;
	uint8_t				 ours[PDU_MAX], theirs[PDU_MAX];
	size_t				 olen;
	int				 tlen;
	void				*tt;

	if (decode_both(vec, pdu, &row, &tt, 1)) {
		ck_assert(smpp_pdu_encode(pdu, ours, sizeof ours, &olen,
		    &err) == SMPP_OK);
		note_pack_as_unpacked(vec, row, tt, ours, olen);
		l34_wire_order(row, tt);
		same_decoded(vec->name, row, pdu, tt);
		ck_assert_msg(l34_pack(row, tt, theirs, &tlen) == 0,
		    "%s: libsmpp34 pack: %s", vec->name, smpp34_strerror);
		ck_assert_msg((size_t)tlen == olen &&
		    memcmp(theirs, ours, olen) == 0, "%s: libsmpp34 packs %d "
		    "octets, carrierlab encodes %zu, and they differ",
		    vec->name, tlen, olen);
		l34_free(row, tt);
	}
	smpp_pdu_release(pdu);
	free(pdu);
}
END_TEST

/* The comparison means little if libsmpp34 sits most vectors out. */
START_TEST(test_enough_compared)
{
	const struct l34_command	*row;
	struct smpp_pdu			*pdu = malloc(sizeof *pdu);
	size_t				 i, compared = 0;
	void				*tt;

	for (i = 0; i < nvectors; i++) {
		if (decode_both(&vectors[i], pdu, &row, &tt, 0)) {
			compared++;
			l34_free(row, tt);
		}
		smpp_pdu_release(pdu);
	}
	free(pdu);
	fprintf(stderr, "libsmpp34: %zu of %zu vectors compared\n", compared,
	    nvectors);
	ck_assert_msg(compared >= MIN_COMPARED, "only %zu vectors compared, "
	    "want at least %d", compared, MIN_COMPARED);
}
END_TEST

/* ---- loading ---- */

static const char *
srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d != NULL ? d : ".";
}

/* A vector file: '#' lines are comments, the rest is hex. */
static int
load_vector(const char *dir, const char *file, struct vector *vec)
{
	char	 path[2048], *line = NULL, *text = NULL;
	size_t	 cap = 0, tlen = 0, n;
	ssize_t	 l;
	FILE	*f;
	int	 rc;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while ((l = getline(&line, &cap, f)) != -1) {
		if (line[0] == '#')
			continue;
		text = realloc(text, tlen + (size_t)l + 1);
		memcpy(text + tlen, line, (size_t)l);
		tlen += (size_t)l;
	}
	free(line);
	fclose(f);
	vec->bytes = calloc(1, tlen / 2 + L34_PAD);
	rc = hex_decode(text != NULL ? text : "", tlen, vec->bytes, tlen / 2,
	    &n, NULL);
	free(text);
	vec->len = n;
	vec->name = strndup(file, strlen(file) - 4);
	return rc == 0 && n >= SMPP_HEADER_LEN ? 0 : -1;
}

static int
cmp_vector(const void *a, const void *b)
{
	return strcmp(((const struct vector *)a)->name,
	    ((const struct vector *)b)->name);
}

static void
load_vectors(void)
{
	char		 dir[1024];
	DIR		*d;
	struct dirent	*de;

	snprintf(dir, sizeof dir, "%s/tests/vectors/pdu", srcdir());
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "cannot open %s\n", dir);
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l <= 4 || strcmp(de->d_name + l - 4, ".hex") != 0)
			continue;
		vectors = realloc(vectors, (nvectors + 1) * sizeof *vectors);
		if (load_vector(dir, de->d_name, &vectors[nvectors]) == -1) {
			fprintf(stderr, "%s/%s: not a hex PDU\n", dir,
			    de->d_name);
			exit(1);
		}
		nvectors++;
	}
	closedir(d);
	qsort(vectors, nvectors, sizeof *vectors, cmp_vector);
}

int
main(void)
{
	Suite	*s = suite_create("libsmpp34");
	TCase	*tc = tcase_create("differential");
	SRunner	*sr;
	int	 failed;
	size_t	 i;

	load_vectors();
	tcase_add_loop_test(tc, test_vector, 0, (int)nvectors);
	tcase_add_test(tc, test_enough_compared);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < nvectors; i++) {
		free(vectors[i].name);
		free(vectors[i].bytes);
	}
	free(vectors);
	return failed == 0 ? 0 : 1;
}
