/*
 * SMPP constants and protocol tables: command ids, command_status codes and
 * TLV tags, each generated from its .def file, and the lookups between
 * values, names and descriptions. Nothing here does I/O.
 */
#ifndef CARRIERLAB_SMPP_SMPP_H
#define CARRIERLAB_SMPP_SMPP_H

#include <stddef.h>
#include <stdint.h>

#define SMPP_HEADER_LEN		16
#define SMPP_RESP_BIT		0x80000000U
#define SMPP_SEQ_MAX		0x7FFFFFFFU
#define SMPP_DEFAULT_MAX_PDU	65536U
#define SMPP_MAX_DESTS		254	/* number_of_dests in 3.4 */
#define SMPP_MAX_SM		255	/* sm_length octet */
#define SMPP_MAX_TLVS		64	/* per PDU; more is treated as corrupt */
#define SMPP_VERSION_34		0x34
#define SMPP_VERSION_50		0x50

/* Session states a PDU may be sent in (bit mask). */
#define SMPP_S_OPEN		0x01
#define SMPP_S_TX		0x02
#define SMPP_S_RX		0x04
#define SMPP_S_TRX		0x08
#define SMPP_S_BOUND		(SMPP_S_TX | SMPP_S_RX | SMPP_S_TRX)
#define SMPP_S_ANY		(SMPP_S_OPEN | SMPP_S_BOUND)

/* Who issues a request. */
enum smpp_issuer {
	SMPP_ISSUER_ESME = 1,
	SMPP_ISSUER_SMSC = 2,
	SMPP_ISSUER_BOTH = 3,
};

/* Command flags. */
#define SMPP_CF_TLV		0x01	/* TLVs may follow the mandatory body */
#define SMPP_CF_NORESP		0x02	/* no response PDU exists */

enum smpp_command_id {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	SMPP_CMD_##name = id,
#include "smpp/commands.def"
#undef SMPP_COMMAND
};

enum smpp_status {
#define SMPP_STATUS(name, value, desc) SMPP_##name = value,
#include "smpp/status.def"
#undef SMPP_STATUS
};

enum smpp_tlv_tag {
#define SMPP_TLV(name, tag, type, min, max) SMPP_TLV_##name = tag,
#include "smpp/tlv.def"
#undef SMPP_TLV
};

enum smpp_tlv_type {
	SMPP_TLV_TYPE_INT1,
	SMPP_TLV_TYPE_INT2,
	SMPP_TLV_TYPE_INT4,
	SMPP_TLV_TYPE_COCT,
	SMPP_TLV_TYPE_OCT,
	SMPP_TLV_TYPE_UNKNOWN,	/* vendor or reserved tag: kept as octets */
};

/* esm_class */
#define SMPP_ESM_MODE_MASK	0x03
#define SMPP_ESM_TYPE_MASK	0x3C
#define SMPP_ESM_TYPE_RECEIPT	0x04
#define SMPP_ESM_TYPE_SME_ACK	0x08
#define SMPP_ESM_TYPE_USER_ACK	0x10
#define SMPP_ESM_TYPE_INTERMEDIATE 0x20
#define SMPP_ESM_UDHI		0x40
#define SMPP_ESM_REPLY_PATH	0x80

/* registered_delivery */
#define SMPP_RD_RECEIPT_MASK	0x03
#define SMPP_RD_RECEIPT_ANY	0x01
#define SMPP_RD_RECEIPT_FAILURE	0x02
#define SMPP_RD_RECEIPT_SUCCESS	0x03	/* 5.0 */
#define SMPP_RD_INTERMEDIATE	0x10

/* data_coding values the text layer understands. */
#define SMPP_DC_DEFAULT		0x00
#define SMPP_DC_IA5		0x01
#define SMPP_DC_BINARY		0x02
#define SMPP_DC_LATIN1		0x03
#define SMPP_DC_BINARY4		0x04
#define SMPP_DC_UCS2		0x08

/* message_state (receipts, query_sm_resp). */
enum smpp_message_state {
	SMPP_STATE_SCHEDULED = 0,	/* 5.0 */
	SMPP_STATE_ENROUTE = 1,
	SMPP_STATE_DELIVERED = 2,
	SMPP_STATE_EXPIRED = 3,
	SMPP_STATE_DELETED = 4,
	SMPP_STATE_UNDELIVERABLE = 5,
	SMPP_STATE_ACCEPTED = 6,
	SMPP_STATE_UNKNOWN = 7,
	SMPP_STATE_REJECTED = 8,
	SMPP_STATE_SKIPPED = 9,		/* 5.0 */
};

struct smpp_command_info {
	const char	*name;
	uint32_t	 id;
	enum smpp_issuer issuer;
	unsigned	 states;
	unsigned	 flags;
};

struct smpp_tlv_info {
	const char	*name;
	uint16_t	 tag;
	enum smpp_tlv_type type;
	uint16_t	 min_len;
	uint16_t	 max_len;
};

/* Table row for a command id, or NULL for an unknown id. */
const struct smpp_command_info *smpp_command_lookup(uint32_t id);
const struct smpp_command_info *smpp_command_by_name(const char *);
/* Name of a command id; "unknown" for ids not in the table. */
const char	*smpp_command_name(uint32_t id);

/* Name of a status ("ESME_RTHROTTLED"), or NULL for a value not listed. */
const char	*smpp_status_name(uint32_t status);
const char	*smpp_status_description(uint32_t status);
/*
 * Parses a status name (3.4 or 5.0 spelling), or a number in decimal or
 * 0x hex. Returns 0 and sets *status, or -1.
 */
int		 smpp_status_parse(const char *, uint32_t *status);

/* Table row for a TLV tag, or NULL for a vendor or reserved tag. */
const struct smpp_tlv_info *smpp_tlv_lookup(uint16_t tag);
const struct smpp_tlv_info *smpp_tlv_by_name(const char *);

/* "DELIVERED" etc. for message_state values 0-9, else NULL. */
const char	*smpp_message_state_name(unsigned);

#endif
