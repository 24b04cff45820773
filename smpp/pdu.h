/*
 * The SMPP 3.4 PDU codec.
 *
 * A struct smpp_pdu holds one PDU: the header, the mandatory body of its
 * command (a generated struct per command, in the union u), and its TLVs in
 * wire order. Decoding copies everything it keeps into the struct, so the
 * input buffer may be reused at once; TLV values live in a small buffer
 * inside the struct and spill to the heap only when the TLV area is larger
 * than SMPP_TLV_INLINE octets (a long message_payload), so decoding an
 * ordinary PDU allocates nothing. Reuse one struct across decodes; call
 * smpp_pdu_release() when done with it.
 *
 * Decoding is strict: every length is checked against the bytes present and
 * the field's maximum before anything is copied, and every failure is
 * reported in a struct smpp_error that names the field and says which
 * command_status a session must answer with, and how (generic_nack, the
 * command's own response, or nothing for responses). Encoding a decoded PDU
 * gives back the original bytes.
 *
 * The codec does no I/O and no logging.
 */
#ifndef CARRIERLAB_SMPP_PDU_H
#define CARRIERLAB_SMPP_PDU_H

#include <stddef.h>
#include <stdint.h>

#include "smpp/smpp.h"

#define SMPP_TLV_INLINE		512

enum smpp_result {
	SMPP_OK = 0,
	SMPP_NEED_MORE,		/* framing: not a whole PDU yet */
	SMPP_ERROR,		/* see struct smpp_error */
};

/* How a session must answer a PDU that failed to decode. */
enum smpp_reply {
	SMPP_REPLY_GENERIC_NACK,	/* header unusable or command unknown */
	SMPP_REPLY_RESPONSE,		/* the command's own response */
	SMPP_REPLY_NONE,		/* a response or generic_nack: never answer */
};

struct smpp_error {
	uint32_t	 status;	/* command_status to answer with */
	enum smpp_reply	 reply;
	uint32_t	 command_id;	/* 0 when the header was unreadable */
	uint32_t	 sequence_number;
	const char	*field;		/* "command_length", "source_addr", ... */
	size_t		 offset;	/* octet offset of the field in the PDU */
	char		 reason[112];
};

struct smpp_dest_address {
	uint8_t		 dest_flag;	/* 1 SME address, 2 distribution list */
	uint8_t		 dest_addr_ton;
	uint8_t		 dest_addr_npi;
	char		 destination_addr[21];
	char		 dl_name[21];
};

struct smpp_unsuccess_sme {
	uint8_t		 dest_addr_ton;
	uint8_t		 dest_addr_npi;
	char		 destination_addr[21];
	uint32_t	 error_status_code;
};

/* Body structs, one per command: struct smpp_body_submit_sm and so on. */
#define F_C(name, max, status)	char name[max];
#define F_T(name, status)	char name[17];
#define F_1(name)		uint8_t name;
#define F_SM			uint8_t sm_length; \
				uint8_t short_message[SMPP_MAX_SM];
#define F_DESTS			uint8_t number_of_dests; \
				struct smpp_dest_address dest_address[SMPP_MAX_DESTS];
#define F_UNSUCCESS		uint8_t no_unsuccess; \
				struct smpp_unsuccess_sme unsuccess_sme[SMPP_MAX_DESTS];
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	struct smpp_body_##name { fields uint8_t body_end_; };
#include "smpp/commands.def"
#undef SMPP_COMMAND
#undef F_C
#undef F_T
#undef F_1
#undef F_SM
#undef F_DESTS
#undef F_UNSUCCESS

/*
 * One TLV. Integer types carry their value in num; COCT and OCT values are
 * length octets at offset in the PDU's TLV storage (smpp_tlv_value()); a
 * COCT value includes its NUL.
 */
struct smpp_tlv {
	uint16_t	 tag;
	uint16_t	 length;
	uint32_t	 offset;
	uint32_t	 num;
};

struct smpp_pdu {
	uint32_t	 command_length;	/* as decoded; encode computes */
	uint32_t	 command_id;
	uint32_t	 command_status;
	uint32_t	 sequence_number;
	/*
	 * A response with a non-zero status normally has no body. has_body
	 * says whether one is present; when it is present but unreadable it is
	 * kept as raw octets (raw_body) and re-encoded as it came.
	 */
	uint8_t		 has_body;
	uint8_t		 raw_body;
	uint16_t	 ntlv;
	uint32_t	 raw_len;
	struct smpp_tlv	 tlv[SMPP_MAX_TLVS];
	uint32_t	 store_len;		/* octets used in the storage */
	uint32_t	 store_cap;
	uint8_t		*store_heap;		/* NULL while inline suffices */
	uint8_t		 store_inline[SMPP_TLV_INLINE];
	union {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
		struct smpp_body_##name name;
#include "smpp/commands.def"
#undef SMPP_COMMAND
	} u;
};

struct smpp_limits {
	uint32_t	 max_pdu;	/* default SMPP_DEFAULT_MAX_PDU */
};

/*
 * Prepares an empty PDU of command_id with the given sequence number: the
 * header set, no TLVs, and the body of that command zeroed (the other
 * members of the union are left as they were, so write the body of the
 * command given here).
 */
void	smpp_pdu_init(struct smpp_pdu *, uint32_t command_id, uint32_t seq);
/* Frees heap storage; the struct may then be reused or discarded. */
void	smpp_pdu_release(struct smpp_pdu *);
/* Deep copy: dst must be initialised or released. Returns -1 on ENOMEM. */
int	smpp_pdu_copy(struct smpp_pdu *dst, const struct smpp_pdu *src);

/*
 * Framing. Looks at the first bytes of a stream: SMPP_NEED_MORE until
 * the 4-octet length and then the whole PDU are present; SMPP_OK with
 * *pdu_len set when one is; SMPP_ERROR when the length is outside
 * 16..max_pdu (checked before any body byte is needed, so nothing is
 * buffered on a bogus length). max_pdu 0 means the default.
 */
enum smpp_result smpp_frame(const uint8_t *buf, size_t avail,
	    uint32_t max_pdu, uint32_t *pdu_len, struct smpp_error *);

/*
 * Decodes exactly one PDU of len octets. pdu is overwritten (its heap
 * storage is reused). limits may be NULL. On SMPP_ERROR, err says why;
 * the header fields of pdu are set whenever the header was readable.
 */
enum smpp_result smpp_pdu_decode(struct smpp_pdu *, const uint8_t *buf,
	    size_t len, const struct smpp_limits *, struct smpp_error *);

/* Encoded size (exact for every PDU smpp_pdu_encode() accepts). */
size_t	smpp_pdu_size(const struct smpp_pdu *);
/*
 * Encodes into out (cap octets), setting *len. Fails with err set when a
 * field is unterminated or too long, a count is out of range, or cap is too
 * small.
 */
enum smpp_result smpp_pdu_encode(const struct smpp_pdu *, uint8_t *out,
	    size_t cap, size_t *len, struct smpp_error *);

/* TLVs. Adding keeps wire order; returns -1 on ENOMEM or too many. */
int	smpp_pdu_add_tlv(struct smpp_pdu *, uint16_t tag, const void *value,
	    uint16_t length);
/* Adds an integer TLV with the width its table row gives (1, 2 or 4). */
int	smpp_pdu_add_tlv_int(struct smpp_pdu *, uint16_t tag, uint32_t value);
/* Adds a COCT TLV from a C string (the NUL is included). */
int	smpp_pdu_add_tlv_str(struct smpp_pdu *, uint16_t tag, const char *);
/* First TLV with tag, or NULL. */
const struct smpp_tlv *smpp_pdu_find_tlv(const struct smpp_pdu *,
	    uint16_t tag);
const uint8_t *smpp_tlv_value(const struct smpp_pdu *,
	    const struct smpp_tlv *);

/* Response id for a request id (bit 31 set). */
static inline uint32_t
smpp_response_id(uint32_t command_id)
{
	return command_id | SMPP_RESP_BIT;
}

static inline int
smpp_is_response(uint32_t command_id)
{
	return (command_id & SMPP_RESP_BIT) != 0;
}

#endif
