/*
 * Concatenated short messages: splitting an encoded body into SMPP parts,
 * reading the User Data Header at the start of short_message, and putting
 * parts back together.
 *
 * Ownership. smpp_segment_split() and smpp_udh_parse() only read the
 * caller's buffers and write the caller's structs; a part descriptor
 * refers to the body by offset, so it stays valid as long as the caller
 * keeps the body. A struct smpp_reasm copies part octets into a buffer the
 * caller lends it at smpp_reasm_init() and must keep until it is done with
 * the struct; the struct holds no pointer into the parts handed to
 * smpp_reasm_add(). The multi-message table (struct smpp_reasm_table) is
 * the one allocating object: it owns its entries and their buffers, and a
 * struct smpp_reasm it hands out stays valid until the next call that
 * removes that entry (take, remove, expire, free).
 *
 * Sizes (TS 23.040, 140-octet user data):
 *                 single   6-octet UDH (IE 0x00)   7-octet UDH (IE 0x08)
 *   GSM septets     160          153                     152
 *   octets          140          134                     133
 *   UCS-2 units      70           67                      66
 * An ESC pair (GSM) and a surrogate pair (UCS-2) are never split, so a part
 * may hold one unit less than the column says.
 */
#ifndef CARRIERLAB_SMPP_SEGMENT_H
#define CARRIERLAB_SMPP_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#define SMPP_SEGMENT_MAX_PARTS	255
#define SMPP_UDH_MAX		7	/* octets of the UDH split() writes */
#define SMPP_PAYLOAD_MAX	65535	/* message_payload TLV length limit */

#define SMPP_SEGMENT_STATUS_TABLE(X)					\
	X(OK,		"ok")						\
	X(BAD_INPUT,	"malformed body")				\
	X(TOO_MANY_PARTS, "more than 255 parts")			\
	X(TOO_LONG,	"body longer than message_payload allows")	\
	X(NO_ROOM,	"part array too small")				\
	X(UDH_TRUNCATED, "UDH length exceeds the message")		\
	X(UDH_BAD_IE,	"information element runs past the UDH")

enum smpp_segment_status {
#define SMPP_SEGMENT_STATUS_ENUM(name, text) SMPP_SEGMENT_##name,
	SMPP_SEGMENT_STATUS_TABLE(SMPP_SEGMENT_STATUS_ENUM)
#undef SMPP_SEGMENT_STATUS_ENUM
};

/* Returns a short English description; never NULL. */
const char	*smpp_segment_status_name(enum smpp_segment_status);

/* What one unit of the encoded body is. */
enum smpp_segment_unit {
	SMPP_UNIT_SEPTET,	/* GSM unpacked, one septet per octet */
	SMPP_UNIT_OCTET,	/* ASCII, Latin-1, binary */
	SMPP_UNIT_UCS2,		/* UTF-16BE, two octets per unit */
};

/*
 * The unit for a data_coding: septets for GSM (0x00, 0xF0-0xF3), UCS-2
 * for 0x08, octets for everything else (IA5 included: it is carried as
 * one octet per character and sized as 8-bit data).
 */
enum smpp_segment_unit smpp_segment_unit_for(uint8_t data_coding);

enum smpp_segment_method {
	SMPP_SPLIT_UDH8,	/* UDH 05 00 03 RR TT SS; set esm_class UDHI */
	SMPP_SPLIT_UDH16,	/* UDH 06 08 04 RR RR TT SS; set UDHI */
	SMPP_SPLIT_SAR,		/* no UDH; caller sends sar_msg_ref_num,
				   sar_total_segments, sar_segment_seqnum */
	SMPP_SPLIT_PAYLOAD,	/* one part for the message_payload TLV */
};

struct smpp_segment_part {
	uint8_t		udh[SMPP_UDH_MAX];	/* goes before the text */
	uint8_t		udh_len;		/* 0, 6 or 7 */
	uint8_t		seq;			/* 1..total */
	uint8_t		total;
	uint16_t	ref;			/* as sent; UDH8: 8 bits */
	size_t		offset;			/* into the encoded body */
	size_t		length;			/* octets of body */
	size_t		units;			/* septets, octets or units */
};

/*
 * Splits body (len octets of the given unit) into parts. A body that fits
 * one SMS (160 septets, 140 octets, 70 units) becomes a single part with
 * no UDH and total 1, whatever the method; then no UDH and no sar_* TLVs
 * should be sent. SMPP_SPLIT_PAYLOAD always yields one part (TOO_LONG past
 * SMPP_PAYLOAD_MAX octets). UDH8 uses ref & 0xff. SAR parts are sized like
 * UDH8 parts, since the SMSC adds the same header on the air.
 *
 * Writes up to cap descriptors and stores the number of parts the body
 * needs in *nparts; with parts NULL it only counts. Returns TOO_MANY_PARTS
 * past 255, NO_ROOM when cap is smaller than the count, BAD_INPUT for an
 * odd-length UCS-2 body or a septet above 0x7F.
 */
enum smpp_segment_status smpp_segment_split(const uint8_t *body, size_t len,
	    enum smpp_segment_unit unit, enum smpp_segment_method method,
	    uint16_t ref, struct smpp_segment_part *parts, size_t cap,
	    size_t *nparts);

/*
 * What a UDH says. concat is set only for a valid concatenation IE; one
 * present but unusable (IEDL wrong, total 0, seq 0, seq > total; TS 23.040
 * says to ignore it) sets concat_invalid instead. When an IE is repeated
 * the last one counts. ports is 8 or 16 for an application port IE (0x04,
 * 0x05) and 0 otherwise.
 */
struct smpp_udh {
	size_t		length;		/* UDHL + 1: where the text starts */
	unsigned int	fill_bits;	/* packed GSM: zero bits before text */
	size_t		septets;	/* packed GSM: septets UDH + fill use */
	unsigned int	ie_count;
	int		concat;
	int		concat_invalid;
	int		ref16;		/* the concatenation IE was 0x08 */
	uint16_t	ref;
	uint8_t		total;
	uint8_t		seq;
	int		ports;
	int		ports_invalid;
	uint16_t	dest_port;
	uint16_t	orig_port;
};

/*
 * Parses the UDH at the start of sm (short_message or message_payload
 * when esm_class has UDHI 0x40). Checks that the UDHL octet exists and
 * that UDHL fits in len (else UDH_TRUNCATED), walks every IE (one running
 * past the UDH is UDH_BAD_IE) and fills *udh. Unknown IEs are skipped.
 */
enum smpp_segment_status smpp_udh_parse(const uint8_t *sm, size_t len,
	    struct smpp_udh *udh);

/*
 * Reassembly of one message. Part octets are copied into the caller's
 * buffer in arrival order and indexed by seq; smpp_reasm_concat() writes
 * them in seq order. For packed GSM the caller unpacks each part (its
 * fill bits differ) before adding it. Fields are readable; change them
 * only through these functions.
 */
#define SMPP_REASM_STATUS_TABLE(X)					\
	X(OK,		"ok")						\
	X(DUPLICATE,	"part already held with identical content")	\
	X(CONFLICT,	"part already held with different content")	\
	X(OUT_OF_RANGE,	"seq or total is 0, or seq exceeds total")	\
	X(TOTAL_MISMATCH, "total differs from earlier parts")		\
	X(NO_ROOM,	"buffer too small")				\
	X(INCOMPLETE,	"parts are missing")				\
	X(NOT_FOUND,	"no such message")				\
	X(TABLE_FULL,	"too many messages in progress")		\
	X(NO_MEMORY,	"out of memory")

enum smpp_reasm_status {
#define SMPP_REASM_STATUS_ENUM(name, text) SMPP_REASM_##name,
	SMPP_REASM_STATUS_TABLE(SMPP_REASM_STATUS_ENUM)
#undef SMPP_REASM_STATUS_ENUM
};

const char	*smpp_reasm_status_name(enum smpp_reasm_status);

struct smpp_reasm {
	uint8_t		*buf;		/* lent by the caller */
	size_t		 cap;
	size_t		 used;
	uint8_t		 total;		/* 0 until the first part */
	uint8_t		 count;		/* distinct parts held */
	uint8_t		 present[32];	/* bit seq set when held */
	struct {
		uint32_t offset;
		uint32_t length;
	}		 part[SMPP_SEGMENT_MAX_PARTS];
};

/* Empties r and lends it buf (cap octets; buf may be NULL if cap is 0). */
void		smpp_reasm_init(struct smpp_reasm *r, uint8_t *buf, size_t cap);

/*
 * Adds part seq of total. The first part fixes total; a later one with a
 * different total is TOTAL_MISMATCH. A seq already held is DUPLICATE when
 * the octets are identical and CONFLICT when not; either way the first
 * copy stays. NO_ROOM when the lent buffer cannot take the octets. Only
 * SMPP_REASM_OK changes r.
 */
enum smpp_reasm_status smpp_reasm_add(struct smpp_reasm *r, uint8_t seq,
	    uint8_t total, const uint8_t *data, size_t len);

/* 1 when every part 1..total is held, 0 otherwise (0 before any part). */
int		smpp_reasm_complete(const struct smpp_reasm *r);

/*
 * Writes up to cap missing seqs, ascending, to seqs and returns how many
 * are missing in all (0 before any part, when total is unknown).
 */
size_t		smpp_reasm_missing(const struct smpp_reasm *r, uint8_t *seqs,
		    size_t cap);

/* Octets the concatenated message has (the sum of the parts held). */
size_t		smpp_reasm_length(const struct smpp_reasm *r);

/*
 * Writes the parts in seq order to out and their length to *outlen.
 * INCOMPLETE if any part is missing, NO_ROOM if cap is too small; out is
 * then untouched.
 */
enum smpp_reasm_status smpp_reasm_concat(const struct smpp_reasm *r,
	    uint8_t *out, size_t cap, size_t *outlen);

/*
 * A table of messages being reassembled, keyed by (source address,
 * destination address, ref). Lookup is a hash; entries are also kept in
 * order of last activity so expiry is cheap. It allocates with malloc and
 * reports failure as SMPP_REASM_NO_MEMORY. "now" is in whatever unit the
 * caller uses consistently (e.g. milliseconds).
 */
struct smpp_reasm_table;

/*
 * Creates a table holding at most max_messages messages of at most
 * max_message_octets octets each.
 */
enum smpp_reasm_status smpp_reasm_table_create(struct smpp_reasm_table **tp,
	    size_t max_messages, size_t max_message_octets);
void		smpp_reasm_table_free(struct smpp_reasm_table *t);
size_t		smpp_reasm_table_count(const struct smpp_reasm_table *t);

/*
 * Adds a part, creating the entry on its first part (TABLE_FULL if that
 * would exceed max_messages). Returns what smpp_reasm_add() returns, or
 * NO_ROOM past max_message_octets, or NO_MEMORY. If msg is not NULL and
 * the entry exists after the call, *msg points at its state (else NULL),
 * so the caller can test smpp_reasm_complete() and then take it.
 */
enum smpp_reasm_status smpp_reasm_table_add(struct smpp_reasm_table *t,
	    const char *source, const char *destination, uint16_t ref,
	    uint8_t seq, uint8_t total, const uint8_t *data, size_t len,
	    uint64_t now, const struct smpp_reasm **msg);

/* Looks a message up; NULL if absent. */
const struct smpp_reasm *smpp_reasm_table_find(
	    const struct smpp_reasm_table *t, const char *source,
	    const char *destination, uint16_t ref);

/*
 * Concatenates a complete message into out and removes it. NOT_FOUND,
 * INCOMPLETE or NO_ROOM leave the table unchanged.
 */
enum smpp_reasm_status smpp_reasm_table_take(struct smpp_reasm_table *t,
	    const char *source, const char *destination, uint16_t ref,
	    uint8_t *out, size_t cap, size_t *outlen);

/* Removes a message, complete or not. NOT_FOUND if absent. */
enum smpp_reasm_status smpp_reasm_table_remove(struct smpp_reasm_table *t,
	    const char *source, const char *destination, uint16_t ref);

/*
 * Removes every message whose last part arrived before "before", oldest
 * first, calling fn (if not NULL) on each just before it goes so the
 * caller can report what was missing. Returns how many were removed.
 */
typedef void	smpp_reasm_expire_cb(const char *source,
		    const char *destination, uint16_t ref,
		    const struct smpp_reasm *r, void *arg);
size_t		smpp_reasm_table_expire(struct smpp_reasm_table *t,
		    uint64_t before, smpp_reasm_expire_cb *fn, void *arg);

#endif
