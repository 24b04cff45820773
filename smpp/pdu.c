/*
 * The SMPP codec. The body decoders and encoders are generated from
 * commands.def; the field readers and writers below are the only code that
 * touches wire bytes, and each checks its bounds before it copies.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smpp/pdu.h"

struct rd {
	const uint8_t		*base;	/* start of the PDU */
	const uint8_t		*p;
	const uint8_t		*end;
	struct smpp_error	*err;
};

struct wr {
	uint8_t			*p;
	uint8_t			*end;
	int			 ok;
};

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void smpp_fail(struct smpp_error *, uint32_t status, const char *field,
    size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
smpp_fail(struct smpp_error *err, uint32_t status, const char *field,
    size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->status = status;
	err->field = field;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof err->reason, fmt, ap);
	va_end(ap);
}

/* ---- storage for TLV values and raw bodies ---- */

static uint8_t *
store_base(struct smpp_pdu *pdu)
{
	return pdu->store_heap != NULL ? pdu->store_heap : pdu->store_inline;
}

static const uint8_t *
store_cbase(const struct smpp_pdu *pdu)
{
	return pdu->store_heap != NULL ? pdu->store_heap : pdu->store_inline;
}

/* Makes room for need octets in total; keeps what is stored. */
static int
store_reserve(struct smpp_pdu *pdu, size_t need)
{
	uint8_t	*p;
	size_t	 cap;

	if (need <= SMPP_TLV_INLINE && pdu->store_heap == NULL)
		return 0;
	if (pdu->store_heap != NULL && need <= pdu->store_cap)
		return 0;
	if (need > UINT32_MAX / 2)
		return -1;
	cap = pdu->store_cap > SMPP_TLV_INLINE ? pdu->store_cap :
	    SMPP_TLV_INLINE * 2;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(pdu->store_heap, cap)) == NULL)
		return -1;
	if (pdu->store_heap == NULL)
		memcpy(p, pdu->store_inline, pdu->store_len);
	pdu->store_heap = p;
	pdu->store_cap = (uint32_t)cap;
	return 0;
}

/*
 * Octets of the union a command's body uses. Clearing only those keeps
 * smpp_pdu_init() cheap: the union is sized for submit_multi's 254
 * destinations, some 20 KB, while most bodies are a few hundred octets.
 */
static size_t
smpp_body_size(uint32_t command_id)
{
	switch (command_id) {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	case id: \
		return sizeof(struct smpp_body_##name);
#include "smpp/commands.def"
#undef SMPP_COMMAND
	}
	return sizeof(((struct smpp_pdu *)NULL)->u);
}

void
smpp_pdu_init(struct smpp_pdu *pdu, uint32_t command_id, uint32_t seq)
{
	pdu->command_length = 0;
	pdu->command_id = command_id;
	pdu->command_status = 0;
	pdu->sequence_number = seq;
	pdu->has_body = 1;
	pdu->raw_body = 0;
	pdu->raw_len = 0;
	pdu->ntlv = 0;
	pdu->store_len = 0;
	pdu->store_cap = 0;
	pdu->store_heap = NULL;
	memset(&pdu->u, 0, smpp_body_size(command_id));
}

void
smpp_pdu_release(struct smpp_pdu *pdu)
{
	free(pdu->store_heap);
	pdu->store_heap = NULL;
	pdu->store_cap = 0;
	pdu->store_len = 0;
	pdu->ntlv = 0;
}

int
smpp_pdu_copy(struct smpp_pdu *dst, const struct smpp_pdu *src)
{
	uint8_t		*heap = dst->store_heap;
	uint32_t	 cap = dst->store_cap;
	const uint8_t	*from = store_cbase(src);

	memcpy(dst, src, sizeof *dst);
	dst->store_heap = heap;
	dst->store_cap = cap;
	/* Small enough for the inline buffer: drop any heap of dst. */
	if (src->store_len <= SMPP_TLV_INLINE) {
		free(dst->store_heap);
		dst->store_heap = NULL;
		dst->store_cap = 0;
		memcpy(dst->store_inline, from, src->store_len);
		return 0;
	}
	dst->store_len = 0;
	if (store_reserve(dst, src->store_len) == -1)
		return -1;
	memcpy(dst->store_heap, from, src->store_len);
	dst->store_len = src->store_len;
	return 0;
}

/* ---- framing ---- */

enum smpp_result
smpp_frame(const uint8_t *buf, size_t avail, uint32_t max_pdu,
    uint32_t *pdu_len, struct smpp_error *err)
{
	uint32_t len;

	if (max_pdu == 0)
		max_pdu = SMPP_DEFAULT_MAX_PDU;
	if (avail < 4)
		return SMPP_NEED_MORE;
	len = get32(buf);
	if (len < SMPP_HEADER_LEN || len > max_pdu) {
		if (err != NULL) {
			err->reply = SMPP_REPLY_GENERIC_NACK;
			err->command_id = avail >= 8 ? get32(buf + 4) : 0;
			err->sequence_number = 0;
		}
		smpp_fail(err, SMPP_ESME_RINVCMDLEN, "command_length", 0,
		    "command_length %u outside %u..%u", len, SMPP_HEADER_LEN,
		    max_pdu);
		return SMPP_ERROR;
	}
	if (avail < len)
		return SMPP_NEED_MORE;
	*pdu_len = len;
	return SMPP_OK;
}

/* ---- field readers ---- */

static int
rd_truncated(struct rd *rd, const char *field)
{
	smpp_fail(rd->err, SMPP_ESME_RINVCMDLEN, field,
	    (size_t)(rd->p - rd->base),
	    "body ends before %s (command_length too short for the PDU)",
	    field);
	return 0;
}

static inline int
rd_int1(struct rd *rd, uint8_t *out, const char *field)
{
	if (rd->p >= rd->end)
		return rd_truncated(rd, field);
	*out = *rd->p++;
	return 1;
}

static inline int
rd_int4(struct rd *rd, uint32_t *out, const char *field)
{
	if (rd->end - rd->p < 4)
		return rd_truncated(rd, field);
	*out = get32(rd->p);
	rd->p += 4;
	return 1;
}

/*
 * Reads a C-Octet String of at most max octets including the NUL. Fields
 * are short (at most 65 octets), so one pass that copies while it looks for
 * the NUL beats a memchr() and a memcpy() call.
 */
static inline int
rd_coct(struct rd *rd, char *dst, size_t max, uint32_t status,
    const char *field)
{
	size_t		 avail = (size_t)(rd->end - rd->p);
	size_t		 lim = avail < max ? avail : max;
	const uint8_t	*p = rd->p;
	size_t		 i;

	for (i = 0; i < lim; i++) {
		if ((dst[i] = (char)p[i]) == '\0') {
			rd->p += i + 1;
			return 1;
		}
	}
	dst[lim < max ? lim : max - 1] = '\0';
	if (avail < max) {
		smpp_fail(rd->err, SMPP_ESME_RINVCMDLEN, field,
		    (size_t)(rd->p - rd->base),
		    "%s has no NUL terminator before the end of the PDU", field);
		return 0;
	}
	smpp_fail(rd->err, status, field, (size_t)(rd->p - rd->base),
	    "%s longer than %zu octets (no NUL within %zu)", field, max - 1,
	    max);
	return 0;
}

/*
 * An SMPP time is empty or YYMMDDhhmmsstnnp (16 characters). The field
 * layout is checked here; calendar ranges are checked by the time module
 * when the value is used.
 */
static int
smpp_time_shape_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	if (n != 16)
		return 0;
	for (i = 0; i < 15; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[15] == '+' || s[15] == '-' || s[15] == 'R';
}

static inline int
rd_time(struct rd *rd, char *dst, uint32_t status, const char *field)
{
	const uint8_t	*start = rd->p;
	size_t		 n;

	if (!rd_coct(rd, dst, 17, status, field))
		return 0;
	n = (size_t)(rd->p - start) - 1;
	if (!smpp_time_shape_ok(dst, n)) {
		smpp_fail(rd->err, status, field, (size_t)(start - rd->base),
		    "%s is not empty or YYMMDDhhmmsstnnp (%zu characters)",
		    field, n);
		return 0;
	}
	return 1;
}

static inline int
rd_sm(struct rd *rd, uint8_t *sm_length, uint8_t *sm)
{
	size_t avail;

	if (!rd_int1(rd, sm_length, "sm_length"))
		return 0;
	avail = (size_t)(rd->end - rd->p);
	if (*sm_length > avail) {
		smpp_fail(rd->err, SMPP_ESME_RINVMSGLEN, "short_message",
		    (size_t)(rd->p - rd->base),
		    "sm_length %u exceeds the %zu octets left", *sm_length,
		    avail);
		return 0;
	}
	memcpy(sm, rd->p, *sm_length);
	rd->p += *sm_length;
	return 1;
}

static int
rd_dests(struct rd *rd, uint8_t *count, struct smpp_dest_address *d)
{
	unsigned i;

	if (!rd_int1(rd, count, "number_of_dests"))
		return 0;
	if (*count == 0 || *count > SMPP_MAX_DESTS) {
		smpp_fail(rd->err, SMPP_ESME_RINVNUMDESTS, "number_of_dests",
		    (size_t)(rd->p - rd->base - 1),
		    "number_of_dests %u outside 1..%u", *count,
		    SMPP_MAX_DESTS);
		return 0;
	}
	for (i = 0; i < *count; i++, d++) {
		if (!rd_int1(rd, &d->dest_flag, "dest_flag"))
			return 0;
		d->dest_addr_ton = d->dest_addr_npi = 0;
		d->destination_addr[0] = d->dl_name[0] = '\0';
		switch (d->dest_flag) {
		case 1:
			if (!rd_int1(rd, &d->dest_addr_ton, "dest_addr_ton") ||
			    !rd_int1(rd, &d->dest_addr_npi, "dest_addr_npi") ||
			    !rd_coct(rd, d->destination_addr, 21,
			    SMPP_ESME_RINVDSTADR, "destination_addr"))
				return 0;
			break;
		case 2:
			if (!rd_coct(rd, d->dl_name, 21, SMPP_ESME_RINVDLNAME,
			    "dl_name"))
				return 0;
			break;
		default:
			smpp_fail(rd->err, SMPP_ESME_RINVDESTFLAG, "dest_flag",
			    (size_t)(rd->p - rd->base - 1),
			    "dest_flag %u of destination %u is neither 1 nor 2",
			    d->dest_flag, i + 1);
			return 0;
		}
	}
	return 1;
}

static int
rd_unsuccess(struct rd *rd, uint8_t *count, struct smpp_unsuccess_sme *u)
{
	unsigned i;

	if (!rd_int1(rd, count, "no_unsuccess"))
		return 0;
	if (*count > SMPP_MAX_DESTS) {
		smpp_fail(rd->err, SMPP_ESME_RINVNUMDESTS, "no_unsuccess",
		    (size_t)(rd->p - rd->base - 1),
		    "no_unsuccess %u above %u", *count, SMPP_MAX_DESTS);
		return 0;
	}
	for (i = 0; i < *count; i++, u++) {
		if (!rd_int1(rd, &u->dest_addr_ton, "dest_addr_ton") ||
		    !rd_int1(rd, &u->dest_addr_npi, "dest_addr_npi") ||
		    !rd_coct(rd, u->destination_addr, 21, SMPP_ESME_RINVDSTADR,
		    "destination_addr") ||
		    !rd_int4(rd, &u->error_status_code, "error_status_code"))
			return 0;
	}
	return 1;
}

/* Generated body decoders: decode_submit_sm() and so on. */
#define F_C(n, max, st)	ok = ok && rd_coct(rd, b->n, max, SMPP_##st, #n);
#define F_T(n, st)	ok = ok && rd_time(rd, b->n, SMPP_##st, #n);
#define F_1(n)		ok = ok && rd_int1(rd, &b->n, #n);
#define F_SM		ok = ok && rd_sm(rd, &b->sm_length, b->short_message);
#define F_DESTS		ok = ok && rd_dests(rd, &b->number_of_dests, \
			    b->dest_address);
#define F_UNSUCCESS	ok = ok && rd_unsuccess(rd, &b->no_unsuccess, \
			    b->unsuccess_sme);
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
static int \
decode_##name(struct rd *rd, struct smpp_body_##name *b) \
{ \
	int ok = 1; \
	(void)rd; \
	(void)b; \
	fields \
	return ok; \
}
#include "smpp/commands.def"
#undef SMPP_COMMAND

static int
decode_body(struct rd *rd, struct smpp_pdu *pdu)
{
	switch (pdu->command_id) {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	case id: return decode_##name(rd, &pdu->u.name);
#include "smpp/commands.def"
#undef SMPP_COMMAND
	default:
		return 0;
	}
}
#undef F_C
#undef F_T
#undef F_1
#undef F_SM
#undef F_DESTS
#undef F_UNSUCCESS

/* ---- TLVs ---- */

static int
tlv_check_value(struct rd *rd, const struct smpp_tlv_info *ti,
    struct smpp_tlv *t, const uint8_t *v, size_t off)
{
	if (t->length < ti->min_len || t->length > ti->max_len) {
		smpp_fail(rd->err, SMPP_ESME_RINVPARLEN, ti->name, off,
		    "TLV %s (0x%04x) length %u outside %u..%u", ti->name,
		    t->tag, t->length, ti->min_len, ti->max_len);
		return 0;
	}
	switch (ti->type) {
	case SMPP_TLV_TYPE_INT1:
		t->num = v[0];
		break;
	case SMPP_TLV_TYPE_INT2:
		t->num = get16(v);
		break;
	case SMPP_TLV_TYPE_INT4:
		t->num = get32(v);
		break;
	case SMPP_TLV_TYPE_COCT:
		if (v[t->length - 1] != '\0' ||
		    memchr(v, 0, t->length - 1) != NULL) {
			smpp_fail(rd->err, SMPP_ESME_RINVOPTPARAMVAL, ti->name,
			    off, "TLV %s (0x%04x) is not one NUL-terminated "
			    "string of %u octets", ti->name, t->tag,
			    t->length);
			return 0;
		}
		t->num = 0;
		break;
	default:
		t->num = 0;
		break;
	}
	return 1;
}

/*
 * Parses the TLV area [rd->p, rd->end): copies it into the PDU's storage,
 * then walks it. Unknown tags are kept as they came.
 */
static int
decode_tlvs(struct rd *rd, struct smpp_pdu *pdu)
{
	size_t			 area = (size_t)(rd->end - rd->p);
	size_t			 area_off = (size_t)(rd->p - rd->base);
	uint8_t			*s;
	size_t			 i = 0;

	if (store_reserve(pdu, area) == -1) {
		smpp_fail(rd->err, SMPP_ESME_RSYSERR, "tlvs", area_off,
		    "out of memory for %zu octets of TLVs", area);
		return 0;
	}
	s = store_base(pdu);
	memcpy(s, rd->p, area);
	pdu->store_len = (uint32_t)area;
	while (i < area) {
		const struct smpp_tlv_info	*ti;
		struct smpp_tlv			*t;

		if (area - i < 4) {
			smpp_fail(rd->err, SMPP_ESME_RINVOPTPARSTREAM, "tlvs",
			    area_off + i, "%zu stray octets after the last "
			    "TLV", area - i);
			return 0;
		}
		if (pdu->ntlv == SMPP_MAX_TLVS) {
			smpp_fail(rd->err, SMPP_ESME_RINVOPTPARSTREAM, "tlvs",
			    area_off + i, "more than %d TLVs", SMPP_MAX_TLVS);
			return 0;
		}
		t = &pdu->tlv[pdu->ntlv];
		t->tag = get16(s + i);
		t->length = get16(s + i + 2);
		ti = smpp_tlv_lookup(t->tag);
		if (t->length > area - i - 4) {
			smpp_fail(rd->err, SMPP_ESME_RINVOPTPARSTREAM,
			    ti != NULL ? ti->name : "tlvs", area_off + i,
			    "TLV 0x%04x length %u overruns the PDU by %zu "
			    "octets", t->tag, t->length,
			    t->length - (area - i - 4));
			return 0;
		}
		t->offset = (uint32_t)(i + 4);
		t->num = 0;
		if (ti != NULL && !tlv_check_value(rd, ti, t, s + i + 4,
		    area_off + i))
			return 0;
		pdu->ntlv++;
		i += 4 + (size_t)t->length;
	}
	rd->p = rd->end;
	return 1;
}

/* Rules that tie TLVs to each other and to the mandatory body. */
static int
check_tlv_rules(struct rd *rd, struct smpp_pdu *pdu)
{
	const struct smpp_tlv	*ref, *tot, *seq, *payload;
	uint8_t			 sm_length = 0, esm_class = 0;
	size_t			 off = SMPP_HEADER_LEN;

	ref = smpp_pdu_find_tlv(pdu, SMPP_TLV_sar_msg_ref_num);
	tot = smpp_pdu_find_tlv(pdu, SMPP_TLV_sar_total_segments);
	seq = smpp_pdu_find_tlv(pdu, SMPP_TLV_sar_segment_seqnum);
	if ((ref || tot || seq) && !(ref && tot && seq)) {
		smpp_fail(rd->err, SMPP_ESME_RMISSINGOPTPARAM,
		    !ref ? "sar_msg_ref_num" : !tot ? "sar_total_segments" :
		    "sar_segment_seqnum", off,
		    "the sar_* TLVs must come as a set of three");
		return 0;
	}
	if (tot && seq && (tot->num == 0 || seq->num == 0 ||
	    seq->num > tot->num)) {
		smpp_fail(rd->err, SMPP_ESME_RINVOPTPARAMVAL,
		    "sar_segment_seqnum", off,
		    "segment %u of %u is not a valid position", seq->num,
		    tot->num);
		return 0;
	}
	if ((smpp_pdu_find_tlv(pdu, SMPP_TLV_callback_num_pres_ind) ||
	    smpp_pdu_find_tlv(pdu, SMPP_TLV_callback_num_atag)) &&
	    !smpp_pdu_find_tlv(pdu, SMPP_TLV_callback_num)) {
		smpp_fail(rd->err, SMPP_ESME_RMISSINGOPTPARAM, "callback_num",
		    off, "callback_num_pres_ind/callback_num_atag need "
		    "callback_num");
		return 0;
	}
	payload = smpp_pdu_find_tlv(pdu, SMPP_TLV_message_payload);
	switch (pdu->command_id) {
	case SMPP_CMD_submit_sm:
		sm_length = pdu->u.submit_sm.sm_length;
		break;
	case SMPP_CMD_deliver_sm:
		sm_length = pdu->u.deliver_sm.sm_length;
		break;
	case SMPP_CMD_submit_multi:
		sm_length = pdu->u.submit_multi.sm_length;
		break;
	case SMPP_CMD_data_sm:
		esm_class = pdu->u.data_sm.esm_class;
		if (payload == NULL &&
		    (esm_class & SMPP_ESM_TYPE_MASK) == 0) {
			smpp_fail(rd->err, SMPP_ESME_RMISSINGOPTPARAM,
			    "message_payload", off,
			    "data_sm carries its text in message_payload, "
			    "which is missing");
			return 0;
		}
		break;
	}
	if (payload != NULL && sm_length > 0) {
		smpp_fail(rd->err, SMPP_ESME_ROPTPARNOTALLWD, "message_payload",
		    off, "message_payload and short_message (%u octets) must "
		    "not both carry data", sm_length);
		return 0;
	}
	return 1;
}

/* ---- decode ---- */

static enum smpp_reply
reply_for(uint32_t command_id, uint32_t status)
{
	const struct smpp_command_info *ci;

	if (smpp_is_response(command_id))
		return SMPP_REPLY_NONE;
	if (status == SMPP_ESME_RINVCMDLEN || status == SMPP_ESME_RINVCMDID)
		return SMPP_REPLY_GENERIC_NACK;
	ci = smpp_command_lookup(command_id);
	if (ci == NULL || (ci->flags & SMPP_CF_NORESP))
		return SMPP_REPLY_GENERIC_NACK;
	return SMPP_REPLY_RESPONSE;
}

static int
decode_after_header(struct rd *rd, struct smpp_pdu *pdu,
    const struct smpp_command_info *ci)
{
	if (!decode_body(rd, pdu))
		return 0;
	if (rd->p < rd->end) {
		if (!(ci->flags & SMPP_CF_TLV)) {
			smpp_fail(rd->err, SMPP_ESME_RINVCMDLEN,
			    "command_length", 0, "%zu trailing octets after "
			    "the %s body", (size_t)(rd->end - rd->p),
			    ci->name);
			return 0;
		}
		if (!decode_tlvs(rd, pdu))
			return 0;
	}
	if ((pdu->ntlv > 0 || pdu->command_id == SMPP_CMD_data_sm) &&
	    !check_tlv_rules(rd, pdu))
		return 0;
	return 1;
}

enum smpp_result
smpp_pdu_decode(struct smpp_pdu *pdu, const uint8_t *buf, size_t len,
    const struct smpp_limits *limits, struct smpp_error *err)
{
	const struct smpp_command_info	*ci;
	struct smpp_error		 scratch;
	struct rd			 rd;
	uint32_t			 max_pdu, cl;

	if (err == NULL)
		err = &scratch;
	err->field = NULL;
	err->reason[0] = '\0';
	err->command_id = 0;
	err->sequence_number = 0;
	err->offset = 0;
	max_pdu = limits != NULL && limits->max_pdu != 0 ? limits->max_pdu :
	    SMPP_DEFAULT_MAX_PDU;
	pdu->ntlv = 0;
	pdu->store_len = 0;
	pdu->raw_body = 0;
	pdu->raw_len = 0;
	pdu->has_body = 1;

	if (len < SMPP_HEADER_LEN) {
		err->reply = SMPP_REPLY_GENERIC_NACK;
		smpp_fail(err, SMPP_ESME_RINVCMDLEN, "command_length", 0,
		    "%zu octets is shorter than the 16-octet header", len);
		return SMPP_ERROR;
	}
	cl = get32(buf);
	pdu->command_length = cl;
	pdu->command_id = get32(buf + 4);
	pdu->command_status = get32(buf + 8);
	pdu->sequence_number = get32(buf + 12);
	err->command_id = pdu->command_id;
	err->sequence_number = pdu->sequence_number;
	if (cl < SMPP_HEADER_LEN || cl > max_pdu || cl != len) {
		err->reply = smpp_is_response(pdu->command_id) ?
		    SMPP_REPLY_NONE : SMPP_REPLY_GENERIC_NACK;
		if (cl < SMPP_HEADER_LEN || cl > max_pdu)
			smpp_fail(err, SMPP_ESME_RINVCMDLEN, "command_length", 0,
			    "command_length %u outside 16..%u", cl, max_pdu);
		else
			smpp_fail(err, SMPP_ESME_RINVCMDLEN, "command_length", 0,
			    "command_length %u but %zu octets given", cl, len);
		return SMPP_ERROR;
	}
	if ((ci = smpp_command_lookup(pdu->command_id)) == NULL) {
		err->reply = smpp_is_response(pdu->command_id) ?
		    SMPP_REPLY_NONE : SMPP_REPLY_GENERIC_NACK;
		smpp_fail(err, SMPP_ESME_RINVCMDID, "command_id", 4,
		    "unknown command_id 0x%08x", pdu->command_id);
		return SMPP_ERROR;
	}

	rd.base = buf;
	rd.p = buf + SMPP_HEADER_LEN;
	rd.end = buf + len;
	rd.err = err;

	/* A failed response may come without a body, or with junk. */
	if (smpp_is_response(pdu->command_id) && pdu->command_status != 0 &&
	    pdu->command_id != SMPP_CMD_generic_nack) {
		if (len == SMPP_HEADER_LEN) {
			pdu->has_body = 0;
			return SMPP_OK;
		}
		if (decode_after_header(&rd, pdu, ci))
			return SMPP_OK;
		pdu->ntlv = 0;
		if (store_reserve(pdu, len - SMPP_HEADER_LEN) == -1) {
			err->reply = SMPP_REPLY_NONE;
			smpp_fail(err, SMPP_ESME_RSYSERR, "body", 16,
			    "out of memory");
			return SMPP_ERROR;
		}
		memcpy(store_base(pdu), buf + SMPP_HEADER_LEN,
		    len - SMPP_HEADER_LEN);
		pdu->store_len = pdu->raw_len = (uint32_t)(len -
		    SMPP_HEADER_LEN);
		pdu->raw_body = 1;
		return SMPP_OK;
	}
	if (!decode_after_header(&rd, pdu, ci)) {
		err->reply = reply_for(pdu->command_id, err->status);
		return SMPP_ERROR;
	}
	return SMPP_OK;
}

/* ---- field writers ---- */

static inline void
wr_bytes(struct wr *w, const void *p, size_t n)
{
	if ((size_t)(w->end - w->p) < n) {
		w->ok = 0;
		return;
	}
	memcpy(w->p, p, n);
	w->p += n;
}

static inline void
wr_int1(struct wr *w, uint8_t v)
{
	if (w->p >= w->end) {
		w->ok = 0;
		return;
	}
	*w->p++ = v;
}

static inline void
wr_int4(struct wr *w, uint32_t v)
{
	if (w->end - w->p < 4) {
		w->ok = 0;
		return;
	}
	put32(w->p, v);
	w->p += 4;
}

struct enc {
	struct wr		 w;
	struct smpp_error	*err;
	int			 bad;	/* a field itself is invalid */
};

static inline void
wr_coct(struct enc *e, const char *s, size_t max, const char *field)
{
	size_t	 room = (size_t)(e->w.end - e->w.p);
	uint8_t	*p = e->w.p;
	size_t	 i;

	for (i = 0; i < max; i++) {
		if (i >= room) {
			e->w.ok = 0;
			return;
		}
		if ((p[i] = (uint8_t)s[i]) == '\0') {
			e->w.p += i + 1;
			return;
		}
	}
	if (!e->bad)
		smpp_fail(e->err, SMPP_ESME_RSYSERR, field, 0,
		    "%s is longer than %zu octets", field, max - 1);
	e->bad = 1;
}

static inline void
wr_time(struct enc *e, const char *s, const char *field)
{
	size_t n = strnlen(s, 17);

	if (n != 0 && n != 16) {
		if (!e->bad)
			smpp_fail(e->err, SMPP_ESME_RSYSERR, field, 0,
			    "%s must be empty or 16 characters, not %zu",
			    field, n);
		e->bad = 1;
		return;
	}
	wr_bytes(&e->w, s, n + 1);
}

static inline void
wr_sm(struct enc *e, uint8_t len, const uint8_t *sm)
{
	wr_int1(&e->w, len);
	wr_bytes(&e->w, sm, len);
}

static void
wr_dests(struct enc *e, uint8_t count, const struct smpp_dest_address *d)
{
	unsigned i;

	if (count == 0 || count > SMPP_MAX_DESTS) {
		if (!e->bad)
			smpp_fail(e->err, SMPP_ESME_RINVNUMDESTS,
			    "number_of_dests", 0, "number_of_dests %u outside "
			    "1..%u", count, SMPP_MAX_DESTS);
		e->bad = 1;
		return;
	}
	wr_int1(&e->w, count);
	for (i = 0; i < count; i++, d++) {
		wr_int1(&e->w, d->dest_flag);
		if (d->dest_flag == 1) {
			wr_int1(&e->w, d->dest_addr_ton);
			wr_int1(&e->w, d->dest_addr_npi);
			wr_coct(e, d->destination_addr, 21, "destination_addr");
		} else if (d->dest_flag == 2)
			wr_coct(e, d->dl_name, 21, "dl_name");
		else {
			if (!e->bad)
				smpp_fail(e->err, SMPP_ESME_RINVDESTFLAG,
				    "dest_flag", 0, "dest_flag %u of "
				    "destination %u is neither 1 nor 2",
				    d->dest_flag, i + 1);
			e->bad = 1;
		}
	}
}

static void
wr_unsuccess(struct enc *e, uint8_t count, const struct smpp_unsuccess_sme *u)
{
	unsigned i;

	if (count > SMPP_MAX_DESTS) {
		if (!e->bad)
			smpp_fail(e->err, SMPP_ESME_RINVNUMDESTS,
			    "no_unsuccess", 0, "no_unsuccess %u above %u",
			    count, SMPP_MAX_DESTS);
		e->bad = 1;
		return;
	}
	wr_int1(&e->w, count);
	for (i = 0; i < count; i++, u++) {
		wr_int1(&e->w, u->dest_addr_ton);
		wr_int1(&e->w, u->dest_addr_npi);
		wr_coct(e, u->destination_addr, 21, "destination_addr");
		wr_int4(&e->w, u->error_status_code);
	}
}

#define F_C(n, max, st)	wr_coct(e, b->n, max, #n);
#define F_T(n, st)	wr_time(e, b->n, #n);
#define F_1(n)		wr_int1(&e->w, b->n);
#define F_SM		wr_sm(e, b->sm_length, b->short_message);
#define F_DESTS		wr_dests(e, b->number_of_dests, b->dest_address);
#define F_UNSUCCESS	wr_unsuccess(e, b->no_unsuccess, b->unsuccess_sme);
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
static void \
encode_##name(struct enc *e, const struct smpp_body_##name *b) \
{ \
	(void)e; \
	(void)b; \
	fields \
}
#include "smpp/commands.def"
#undef SMPP_COMMAND

static void
encode_body(struct enc *e, const struct smpp_pdu *pdu)
{
	switch (pdu->command_id) {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	case id: encode_##name(e, &pdu->u.name); break;
#include "smpp/commands.def"
#undef SMPP_COMMAND
	}
}
#undef F_C
#undef F_T
#undef F_1
#undef F_SM
#undef F_DESTS
#undef F_UNSUCCESS

enum smpp_result
smpp_pdu_encode(const struct smpp_pdu *pdu, uint8_t *out, size_t cap,
    size_t *len, struct smpp_error *err)
{
	const struct smpp_command_info	*ci;
	const uint8_t			*s = store_cbase(pdu);
	struct smpp_error		 scratch;
	struct enc			 e;
	size_t				 n;
	uint16_t			 i;

	if (err == NULL)
		err = &scratch;
	err->command_id = pdu->command_id;
	err->sequence_number = pdu->sequence_number;
	err->reply = SMPP_REPLY_NONE;
	if ((ci = smpp_command_lookup(pdu->command_id)) == NULL) {
		smpp_fail(err, SMPP_ESME_RINVCMDID, "command_id", 4,
		    "unknown command_id 0x%08x", pdu->command_id);
		return SMPP_ERROR;
	}
	e.w.p = out + SMPP_HEADER_LEN;
	e.w.end = out + cap;
	e.w.ok = cap >= SMPP_HEADER_LEN;
	e.err = err;
	e.bad = 0;
	if (!e.w.ok)
		e.w.p = e.w.end = out;
	if (pdu->raw_body)
		wr_bytes(&e.w, s, pdu->raw_len);
	else if (pdu->has_body || !smpp_is_response(pdu->command_id) ||
	    pdu->command_status == 0) {
		encode_body(&e, pdu);
		if (pdu->ntlv > 0 && !(ci->flags & SMPP_CF_TLV) && !e.bad) {
			smpp_fail(err, SMPP_ESME_ROPTPARNOTALLWD, "tlvs", 0,
			    "%s takes no TLVs", ci->name);
			e.bad = 1;
		}
		for (i = 0; i < pdu->ntlv; i++) {
			const struct smpp_tlv *t = &pdu->tlv[i];

			if (e.w.end - e.w.p < 4) {
				e.w.ok = 0;
				break;
			}
			put16(e.w.p, t->tag);
			put16(e.w.p + 2, t->length);
			e.w.p += 4;
			wr_bytes(&e.w, s + t->offset, t->length);
		}
	}
	if (e.bad)
		return SMPP_ERROR;
	n = (size_t)(e.w.p - out);
	if (!e.w.ok) {
		smpp_fail(err, SMPP_ESME_RSYSERR, "command_length", 0,
		    "output buffer of %zu octets is too small", cap);
		return SMPP_ERROR;
	}
	if (n > UINT32_MAX) {
		smpp_fail(err, SMPP_ESME_RINVCMDLEN, "command_length", 0,
		    "PDU too long");
		return SMPP_ERROR;
	}
	put32(out, (uint32_t)n);
	put32(out + 4, pdu->command_id);
	put32(out + 8, pdu->command_status);
	put32(out + 12, pdu->sequence_number);
	*len = n;
	return SMPP_OK;
}

/* Generated size functions, mirroring the encoders. */
static size_t
size_dests(uint8_t count, const struct smpp_dest_address *d)
{
	size_t	 n = 1;
	unsigned i;

	for (i = 0; i < count && i < SMPP_MAX_DESTS; i++, d++)
		n += d->dest_flag == 1 ?
		    4 + strnlen(d->destination_addr, 21) :
		    2 + strnlen(d->dl_name, 21);
	return n;
}

static size_t
size_unsuccess(uint8_t count, const struct smpp_unsuccess_sme *u)
{
	size_t	 n = 1;
	unsigned i;

	for (i = 0; i < count && i < SMPP_MAX_DESTS; i++, u++)
		n += 7 + strnlen(u->destination_addr, 21);
	return n;
}

#define F_C(f, max, st)	n += strnlen(b->f, max) + 1;
#define F_T(f, st)	n += strnlen(b->f, 17) + 1;
#define F_1(f)		n += 1;
#define F_SM		n += 1 + (size_t)b->sm_length;
#define F_DESTS		n += size_dests(b->number_of_dests, b->dest_address);
#define F_UNSUCCESS	n += size_unsuccess(b->no_unsuccess, b->unsuccess_sme);
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
static size_t \
size_##name(const struct smpp_body_##name *b) \
{ \
	size_t n = 0; \
	(void)b; \
	fields \
	return n; \
}
#include "smpp/commands.def"
#undef SMPP_COMMAND

/*
 * Upper bound of the encoded size, exact for any PDU smpp_pdu_encode()
 * accepts (an over-long field counts as its maximum, and is refused there).
 */
size_t
smpp_pdu_size(const struct smpp_pdu *pdu)
{
	size_t	 n = SMPP_HEADER_LEN;
	uint16_t i;

	if (pdu->raw_body)
		return n + pdu->raw_len;
	if (!pdu->has_body && smpp_is_response(pdu->command_id) &&
	    pdu->command_status != 0)
		return n;
	switch (pdu->command_id) {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	case id: n += size_##name(&pdu->u.name); break;
#include "smpp/commands.def"
#undef SMPP_COMMAND
	}
	for (i = 0; i < pdu->ntlv; i++)
		n += 4 + (size_t)pdu->tlv[i].length;
	return n;
}
#undef F_C
#undef F_T
#undef F_1
#undef F_SM
#undef F_DESTS
#undef F_UNSUCCESS

/* ---- TLV access ---- */

int
smpp_pdu_add_tlv(struct smpp_pdu *pdu, uint16_t tag, const void *value,
    uint16_t length)
{
	const struct smpp_tlv_info	*ti;
	struct smpp_tlv			*t;
	const uint8_t			*v = value;

	if (pdu->ntlv == SMPP_MAX_TLVS || pdu->raw_body)
		return -1;
	if (store_reserve(pdu, (size_t)pdu->store_len + length) == -1)
		return -1;
	t = &pdu->tlv[pdu->ntlv];
	t->tag = tag;
	t->length = length;
	t->offset = pdu->store_len;
	t->num = 0;
	if (length > 0)
		memcpy(store_base(pdu) + pdu->store_len, value, length);
	pdu->store_len += length;
	if ((ti = smpp_tlv_lookup(tag)) != NULL) {
		if (ti->type == SMPP_TLV_TYPE_INT1 && length == 1)
			t->num = v[0];
		else if (ti->type == SMPP_TLV_TYPE_INT2 && length == 2)
			t->num = get16(v);
		else if (ti->type == SMPP_TLV_TYPE_INT4 && length == 4)
			t->num = get32(v);
	}
	pdu->ntlv++;
	return 0;
}

int
smpp_pdu_add_tlv_int(struct smpp_pdu *pdu, uint16_t tag, uint32_t value)
{
	const struct smpp_tlv_info	*ti = smpp_tlv_lookup(tag);
	uint8_t				 b[4];

	if (ti == NULL)
		return -1;
	switch (ti->type) {
	case SMPP_TLV_TYPE_INT1:
		b[0] = (uint8_t)value;
		return smpp_pdu_add_tlv(pdu, tag, b, 1);
	case SMPP_TLV_TYPE_INT2:
		put16(b, (uint16_t)value);
		return smpp_pdu_add_tlv(pdu, tag, b, 2);
	case SMPP_TLV_TYPE_INT4:
		put32(b, value);
		return smpp_pdu_add_tlv(pdu, tag, b, 4);
	default:
		return -1;
	}
}

int
smpp_pdu_add_tlv_str(struct smpp_pdu *pdu, uint16_t tag, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > UINT16_MAX)
		return -1;
	return smpp_pdu_add_tlv(pdu, tag, s, (uint16_t)n);
}

const struct smpp_tlv *
smpp_pdu_find_tlv(const struct smpp_pdu *pdu, uint16_t tag)
{
	uint16_t i;

	for (i = 0; i < pdu->ntlv; i++)
		if (pdu->tlv[i].tag == tag)
			return &pdu->tlv[i];
	return NULL;
}

const uint8_t *
smpp_tlv_value(const struct smpp_pdu *pdu, const struct smpp_tlv *t)
{
	return store_cbase(pdu) + t->offset;
}
