/*
 * PDU <-> JSON, generated from commands.def. Decoding to JSON never fails
 * on a PDU the codec accepted; encoding from JSON checks every key's type
 * and range and names the key path when it refuses.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "smpp/json.h"
#include "smpp/segment.h"
#include "smpp/text.h"

/* ---- PDU to JSON ---- */

static json_t *
jhex(const uint8_t *p, size_t n)
{
	char	 small[512];
	char	*buf = n * 2 + 1 <= sizeof small ? small : malloc(n * 2 + 1);
	json_t	*v;

	if (buf == NULL)
		return json_null();
	hex_encode(p, n, buf);
	v = json_stringn(buf, n * 2);
	if (buf != small)
		free(buf);
	return v;
}

/* A C-Octet String: a JSON string when it is UTF-8, else {"hex": ...}. */
static json_t *
jcoct(const char *s, size_t n)
{
	json_t *v;

	if ((v = json_stringn(s, n)) != NULL)
		return v;
	return json_pack("{s:o}", "hex", jhex((const uint8_t *)s, n));
}

static json_t *
jstatus(uint32_t status)
{
	const char	*name = smpp_status_name(status);
	char		 buf[16];

	if (name != NULL)
		return json_string(name);
	snprintf(buf, sizeof buf, "0x%08x", status);
	return json_string(buf);
}

/*
 * Adds "text" (and "udh", "encoding") for user data, when it decodes as
 * text under data_coding.
 */
static const char *
charset_name(uint8_t data_coding)
{
	switch (smpp_text_charset(data_coding)) {
	case SMPP_CHARSET_GSM:
		return "gsm7";
	case SMPP_CHARSET_ASCII:
		return "ascii";
	case SMPP_CHARSET_LATIN1:
		return "latin1";
	case SMPP_CHARSET_UCS2:
		return "ucs2";
	default:
		return "binary";
	}
}

static void
jadd_text(json_t *o, const uint8_t *data, size_t len, uint8_t data_coding,
    uint8_t esm_class)
{
	struct smpp_udh	 udh;
	char		*out;
	size_t		 cap = len * 4 + 8, outlen = 0, erroff;
	size_t		 skip = 0;

	if (esm_class & SMPP_ESM_UDHI) {
		if (smpp_udh_parse(data, len, &udh) != SMPP_SEGMENT_OK)
			return;
		skip = udh.length;
		json_object_set_new(o, "udh", jhex(data, skip));
		if (udh.concat)
			json_object_set_new(o, "concat", json_pack(
			    "{s:i,s:i,s:i}", "ref", (int)udh.ref, "total",
			    (int)udh.total, "seq", (int)udh.seq));
	}
	json_object_set_new(o, "encoding",
	    json_string(charset_name(data_coding)));
	if ((out = malloc(cap)) == NULL)
		return;
	if (smpp_text_decode(data_coding, data + skip, len - skip, out, cap,
	    &outlen, &erroff) == SMPP_TEXT_OK) {
		json_t *t = json_stringn(out, outlen);

		if (t != NULL)
			json_object_set_new(o, "text", t);
	}
	free(out);
}

static json_t *
jdests(const struct smpp_dest_address *d, unsigned n)
{
	json_t		*a = json_array();
	unsigned	 i;

	for (i = 0; i < n; i++, d++) {
		json_t *o = json_object();

		json_object_set_new(o, "dest_flag", json_integer(d->dest_flag));
		if (d->dest_flag == 1) {
			json_object_set_new(o, "dest_addr_ton",
			    json_integer(d->dest_addr_ton));
			json_object_set_new(o, "dest_addr_npi",
			    json_integer(d->dest_addr_npi));
			json_object_set_new(o, "destination_addr",
			    jcoct(d->destination_addr,
			    strlen(d->destination_addr)));
		} else
			json_object_set_new(o, "dl_name",
			    jcoct(d->dl_name, strlen(d->dl_name)));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
junsuccess(const struct smpp_unsuccess_sme *u, unsigned n)
{
	json_t		*a = json_array();
	unsigned	 i;

	for (i = 0; i < n; i++, u++)
		json_array_append_new(a, json_pack("{s:i,s:i,s:o,s:o}",
		    "dest_addr_ton", u->dest_addr_ton,
		    "dest_addr_npi", u->dest_addr_npi,
		    "destination_addr", jcoct(u->destination_addr,
		    strlen(u->destination_addr)),
		    "error_status_code", jstatus(u->error_status_code)));
	return a;
}

#define F_C(f, max, st)	json_object_set_new(o, #f, jcoct(b->f, strlen(b->f)));
#define F_T(f, st)	json_object_set_new(o, #f, jcoct(b->f, strlen(b->f)));
#define F_1(f)		json_object_set_new(o, #f, json_integer(b->f));
#define F_SM		json_object_set_new(o, "sm_length", \
			    json_integer(b->sm_length)); \
			json_object_set_new(o, "short_message", \
			    jhex(b->short_message, b->sm_length));
#define F_DESTS		json_object_set_new(o, "number_of_dests", \
			    json_integer(b->number_of_dests)); \
			json_object_set_new(o, "dest_address", \
			    jdests(b->dest_address, b->number_of_dests));
#define F_UNSUCCESS	json_object_set_new(o, "no_unsuccess", \
			    json_integer(b->no_unsuccess)); \
			json_object_set_new(o, "unsuccess_sme", \
			    junsuccess(b->unsuccess_sme, b->no_unsuccess));
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
static void \
jbody_##name(json_t *o, const struct smpp_body_##name *b) \
{ \
	(void)o; \
	(void)b; \
	fields \
}
#include "smpp/commands.def"
#undef SMPP_COMMAND
#undef F_C
#undef F_T
#undef F_1
#undef F_SM
#undef F_DESTS
#undef F_UNSUCCESS

static void
jbody(json_t *o, const struct smpp_pdu *pdu)
{
	switch (pdu->command_id) {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	case id: jbody_##name(o, &pdu->u.name); break;
#include "smpp/commands.def"
#undef SMPP_COMMAND
	}
}

/*
 * data_coding, esm_class and short_message of the PDUs that carry user
 * data; 0 for the others.
 */
#define USER_DATA(cmd, dcv, esmv) \
	case SMPP_CMD_##cmd: \
		*dc = (dcv); \
		*esm = (esmv); \
		*sm = pdu->u.cmd.short_message; \
		*len = pdu->u.cmd.sm_length; \
		return 1;

static int
user_data(const struct smpp_pdu *pdu, uint8_t *dc, uint8_t *esm,
    const uint8_t **sm, uint8_t *len)
{
	switch (pdu->command_id) {
	USER_DATA(submit_sm, pdu->u.submit_sm.data_coding,
	    pdu->u.submit_sm.esm_class)
	USER_DATA(deliver_sm, pdu->u.deliver_sm.data_coding,
	    pdu->u.deliver_sm.esm_class)
	USER_DATA(submit_multi, pdu->u.submit_multi.data_coding,
	    pdu->u.submit_multi.esm_class)
	USER_DATA(replace_sm, SMPP_DC_DEFAULT, 0)
	case SMPP_CMD_data_sm:
		*dc = pdu->u.data_sm.data_coding;
		*esm = pdu->u.data_sm.esm_class;
		*sm = NULL;
		*len = 0;
		return 1;
	}
	return 0;
}
#undef USER_DATA

static json_t *
jtlv(const struct smpp_pdu *pdu, const struct smpp_tlv *t, int has_dc,
    uint8_t dc, uint8_t esm)
{
	const struct smpp_tlv_info	*ti = smpp_tlv_lookup(t->tag);
	const uint8_t			*v = smpp_tlv_value(pdu, t);
	json_t				*o = json_object();
	char				 tag[8];

	snprintf(tag, sizeof tag, "0x%04x", t->tag);
	json_object_set_new(o, "tag", json_string(tag));
	json_object_set_new(o, "name", json_string(ti != NULL ? ti->name :
	    t->tag >= 0x1400 && t->tag <= 0x3FFF ? "vendor" : "reserved"));
	if (ti == NULL) {
		json_object_set_new(o, "value", jhex(v, t->length));
		return o;
	}
	switch (ti->type) {
	case SMPP_TLV_TYPE_INT1:
	case SMPP_TLV_TYPE_INT2:
	case SMPP_TLV_TYPE_INT4:
		json_object_set_new(o, "value", json_integer(t->num));
		break;
	case SMPP_TLV_TYPE_COCT:
		json_object_set_new(o, "value", jcoct((const char *)v,
		    t->length - 1));
		break;
	default:
		json_object_set_new(o, "value", jhex(v, t->length));
		if (t->tag == SMPP_TLV_message_payload && has_dc)
			jadd_text(o, v, t->length, dc, esm);
		break;
	}
	if (t->tag == SMPP_TLV_message_state && smpp_message_state_name(t->num))
		json_object_set_new(o, "state",
		    json_string(smpp_message_state_name(t->num)));
	return o;
}

json_t *
smpp_json_from_pdu(const struct smpp_pdu *pdu)
{
	json_t	*o = json_object();
	char	 id[16];
	const uint8_t	*sm = NULL;
	uint8_t		 dc = 0, esm = 0, sm_len = 0;
	int		 has_dc;
	uint16_t	 i;

	snprintf(id, sizeof id, "0x%08x", pdu->command_id);
	json_object_set_new(o, "command",
	    json_string(smpp_command_name(pdu->command_id)));
	json_object_set_new(o, "command_id", json_string(id));
	json_object_set_new(o, "command_length",
	    json_integer(pdu->command_length));
	json_object_set_new(o, "command_status", jstatus(pdu->command_status));
	json_object_set_new(o, "sequence_number",
	    json_integer(pdu->sequence_number));
	if (pdu->raw_body) {
		json_object_set_new(o, "raw_body",
		    jhex(smpp_tlv_value(pdu, &(struct smpp_tlv){ .offset = 0 }),
		    pdu->raw_len));
		return o;
	}
	if (!pdu->has_body)
		return o;
	jbody(o, pdu);
	has_dc = user_data(pdu, &dc, &esm, &sm, &sm_len);
	if (has_dc && sm_len > 0)
		jadd_text(o, sm, sm_len, dc, esm);
	if (pdu->ntlv > 0) {
		json_t *a = json_array();

		for (i = 0; i < pdu->ntlv; i++)
			json_array_append_new(a, jtlv(pdu, &pdu->tlv[i], has_dc,
			    dc, esm));
		json_object_set_new(o, "tlvs", a);
	}
	return o;
}

json_t *
smpp_json_from_error(const struct smpp_error *err)
{
	json_t	*o = json_object();
	char	 buf[16];

	json_object_set_new(o, "error", json_string(err->reason));
	json_object_set_new(o, "field", json_string(err->field != NULL ?
	    err->field : ""));
	json_object_set_new(o, "offset", json_integer((json_int_t)err->offset));
	json_object_set_new(o, "status", jstatus(err->status));
	snprintf(buf, sizeof buf, "0x%08x", err->status);
	json_object_set_new(o, "status_code", json_string(buf));
	json_object_set_new(o, "reply", json_string(
	    err->reply == SMPP_REPLY_GENERIC_NACK ? "generic_nack" :
	    err->reply == SMPP_REPLY_RESPONSE ?
	    smpp_command_name(smpp_response_id(err->command_id)) : "none"));
	if (err->command_id != 0) {
		snprintf(buf, sizeof buf, "0x%08x", err->command_id);
		json_object_set_new(o, "command",
		    json_string(smpp_command_name(err->command_id)));
		json_object_set_new(o, "command_id", json_string(buf));
		json_object_set_new(o, "sequence_number",
		    json_integer(err->sequence_number));
	}
	return o;
}

/* ---- JSON to PDU ---- */

struct jin {
	char	*errbuf;
	size_t	 errlen;
	int	 failed;
};

static int jfail(struct jin *, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
jfail(struct jin *in, const char *path, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (in->failed)
		return 0;
	in->failed = 1;
	n = snprintf(in->errbuf, in->errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= in->errlen)
		return 0;
	va_start(ap, fmt);
	vsnprintf(in->errbuf + n, in->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

/* Decodes a hex string value into out (cap octets). */
static int
jget_hex(struct jin *in, json_t *v, const char *path, uint8_t *out,
    size_t cap, size_t *len)
{
	size_t errpos;

	if (!json_is_string(v))
		return jfail(in, path, "must be a hex string");
	if (hex_decode(json_string_value(v), json_string_length(v), out, cap,
	    len, &errpos) == -1)
		return jfail(in, path, "not hex of at most %zu octets "
		    "(at character %zu)", cap, errpos);
	return 1;
}

/* A C-Octet String: a string, or {"hex": ...}; absent means empty. */
static int
jget_coct(struct jin *in, json_t *o, const char *key, const char *path,
    char *dst, size_t max)
{
	json_t	*v = key != NULL ? json_object_get(o, key) : o;
	size_t	 n;

	if (v == NULL || json_is_null(v)) {
		dst[0] = '\0';
		return 1;
	}
	if (json_is_object(v)) {
		json_t *h = json_object_get(v, "hex");

		if (h == NULL)
			return jfail(in, path, "must be a string or "
			    "{\"hex\": ...}");
		if (!jget_hex(in, h, path, (uint8_t *)dst, max - 1, &n))
			return 0;
		if (memchr(dst, 0, n) != NULL)
			return jfail(in, path, "must not contain a NUL octet");
		dst[n] = '\0';
		return 1;
	}
	if (!json_is_string(v))
		return jfail(in, path, "must be a string");
	n = json_string_length(v);
	if (n > max - 1)
		return jfail(in, path, "longer than %zu octets", max - 1);
	if (memchr(json_string_value(v), 0, n) != NULL)
		return jfail(in, path, "must not contain a NUL character");
	memcpy(dst, json_string_value(v), n + 1);
	return 1;
}

static int
jget_int(struct jin *in, json_t *o, const char *key, const char *path,
    json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 1;
	if (json_is_string(v)) {
		const char	*s = json_string_value(v);
		char		*end;
		long long	 x = strtoll(s, &end, 0);

		if (*s == '\0' || *end != '\0')
			return jfail(in, path, "must be an integer 0..%lld",
			    (long long)max);
		*out = x;
	} else if (json_is_integer(v))
		*out = json_integer_value(v);
	else
		return jfail(in, path, "must be an integer 0..%lld",
		    (long long)max);
	if (*out < 0 || *out > max)
		return jfail(in, path, "must be an integer 0..%lld",
		    (long long)max);
	return 1;
}

static int
jget_u8(struct jin *in, json_t *o, const char *key, uint8_t *dst)
{
	json_int_t v;

	if (!jget_int(in, o, key, key, 255, &v))
		return 0;
	*dst = (uint8_t)v;
	return 1;
}

static int
jget_status(struct jin *in, json_t *v, const char *path, uint32_t *out)
{
	*out = 0;
	if (v == NULL || json_is_null(v))
		return 1;
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 0xFFFFFFFFLL) {
		*out = (uint32_t)json_integer_value(v);
		return 1;
	}
	if (json_is_string(v) && smpp_status_parse(json_string_value(v),
	    out) == 0)
		return 1;
	return jfail(in, path, "must be a status name (ESME_RTHROTTLED) or "
	    "a number");
}

/* short_message from "short_message" (hex) or, failing that, "text". */
static int
jget_sm(struct jin *in, json_t *o, uint8_t data_coding, uint8_t *len,
    uint8_t *sm)
{
	json_t	*hexv = json_object_get(o, "short_message");
	json_t	*text = json_object_get(o, "text");
	size_t	 n = 0;

	*len = 0;
	if (hexv != NULL && !json_is_null(hexv)) {
		if (!jget_hex(in, hexv, "short_message", sm, SMPP_MAX_SM, &n))
			return 0;
	} else if (text != NULL) {
		if (!json_is_string(text))
			return jfail(in, "text", "must be a string");
		size_t erroff;

		if (smpp_text_encode(data_coding, json_string_value(text),
		    json_string_length(text), sm, SMPP_MAX_SM, &n, &erroff) !=
		    SMPP_TEXT_OK)
			return jfail(in, "text", "cannot be encoded in at most "
			    "%d octets with data_coding %u", SMPP_MAX_SM,
			    data_coding);
	}
	*len = (uint8_t)n;
	return 1;
}

static int
jget_dests(struct jin *in, json_t *o, uint8_t *count,
    struct smpp_dest_address *d)
{
	json_t	*a = json_object_get(o, "dest_address");
	char	 path[64];
	size_t	 i;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > SMPP_MAX_DESTS)
		return jfail(in, "dest_address", "must be an array of 1..%d "
		    "destinations", SMPP_MAX_DESTS);
	*count = (uint8_t)json_array_size(a);
	for (i = 0; i < json_array_size(a); i++, d++) {
		json_t *e = json_array_get(a, i);

		memset(d, 0, sizeof *d);
		if (!json_is_object(e))
			return jfail(in, "dest_address", "entries must be "
			    "objects");
		if (!jget_u8(in, e, "dest_flag", &d->dest_flag))
			return 0;
		if (d->dest_flag == 0)
			d->dest_flag = json_object_get(e, "dl_name") ? 2 : 1;
		snprintf(path, sizeof path, "dest_address[%zu].%s", i,
		    d->dest_flag == 2 ? "dl_name" : "destination_addr");
		if (d->dest_flag == 2) {
			if (!jget_coct(in, e, "dl_name", path, d->dl_name, 21))
				return 0;
		} else if (!jget_u8(in, e, "dest_addr_ton", &d->dest_addr_ton) ||
		    !jget_u8(in, e, "dest_addr_npi", &d->dest_addr_npi) ||
		    !jget_coct(in, e, "destination_addr", path,
		    d->destination_addr, 21))
			return 0;
	}
	return 1;
}

static int
jget_unsuccess(struct jin *in, json_t *o, uint8_t *count,
    struct smpp_unsuccess_sme *u)
{
	json_t	*a = json_object_get(o, "unsuccess_sme");
	char	 path[64];
	size_t	 i;

	*count = 0;
	if (a == NULL)
		return 1;
	if (!json_is_array(a) || json_array_size(a) > SMPP_MAX_DESTS)
		return jfail(in, "unsuccess_sme", "must be an array of at most "
		    "%d entries", SMPP_MAX_DESTS);
	*count = (uint8_t)json_array_size(a);
	for (i = 0; i < json_array_size(a); i++, u++) {
		json_t *e = json_array_get(a, i);

		if (!json_is_object(e))
			return jfail(in, "unsuccess_sme", "entries must be "
			    "objects");
		snprintf(path, sizeof path, "unsuccess_sme[%zu]", i);
		if (!jget_u8(in, e, "dest_addr_ton", &u->dest_addr_ton) ||
		    !jget_u8(in, e, "dest_addr_npi", &u->dest_addr_npi) ||
		    !jget_coct(in, e, "destination_addr", path,
		    u->destination_addr, 21) ||
		    !jget_status(in, json_object_get(e, "error_status_code"),
		    path, &u->error_status_code))
			return 0;
	}
	return 1;
}

#define F_C(f, max, st)	ok = ok && jget_coct(in, o, #f, #f, b->f, max);
#define F_T(f, st)	ok = ok && jget_coct(in, o, #f, #f, b->f, 17);
#define F_1(f)		ok = ok && jget_u8(in, o, #f, &b->f);
#define F_SM		ok = ok && jget_sm(in, o, dc, &b->sm_length, \
			    b->short_message);
#define F_DESTS		ok = ok && jget_dests(in, o, &b->number_of_dests, \
			    b->dest_address);
#define F_UNSUCCESS	ok = ok && jget_unsuccess(in, o, &b->no_unsuccess, \
			    b->unsuccess_sme);
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
static int \
jin_##name(struct jin *in, json_t *o, struct smpp_body_##name *b, \
    uint8_t dc) \
{ \
	int ok = 1; \
	(void)in; (void)o; (void)b; (void)dc; \
	fields \
	return ok; \
}
#include "smpp/commands.def"
#undef SMPP_COMMAND
#undef F_C
#undef F_T
#undef F_1
#undef F_SM
#undef F_DESTS
#undef F_UNSUCCESS

static int
jin_body(struct jin *in, json_t *o, struct smpp_pdu *pdu, uint8_t dc)
{
	switch (pdu->command_id) {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	case id: return jin_##name(in, o, &pdu->u.name, dc);
#include "smpp/commands.def"
#undef SMPP_COMMAND
	}
	return jfail(in, "command", "unknown command");
}

static int
jin_tlv(struct jin *in, json_t *e, size_t idx, struct smpp_pdu *pdu,
    uint8_t dc)
{
	const struct smpp_tlv_info	*ti = NULL;
	json_t				*tagv = json_object_get(e, "tag");
	json_t				*namev = json_object_get(e, "name");
	json_t				*v = json_object_get(e, "value");
	char				 path[48];
	uint8_t				*buf;
	size_t				 n = 0;
	json_int_t			 tag = -1;
	int				 rc = 0;

	snprintf(path, sizeof path, "tlvs[%zu].tag", idx);
	if (tagv != NULL) {
		if (!jget_int(in, e, "tag", path, 0xFFFF, &tag))
			return 0;
		ti = smpp_tlv_lookup((uint16_t)tag);
	} else if (json_is_string(namev)) {
		if ((ti = smpp_tlv_by_name(json_string_value(namev))) == NULL)
			return jfail(in, path, "unknown TLV name \"%s\"; give "
			    "\"tag\"", json_string_value(namev));
		tag = ti->tag;
	} else
		return jfail(in, path, "each TLV needs \"tag\" or \"name\"");
	snprintf(path, sizeof path, "tlvs[%zu].value", idx);
	if (ti != NULL && ti->type <= SMPP_TLV_TYPE_INT4) {
		json_int_t	max = ti->type == SMPP_TLV_TYPE_INT1 ? 0xFF :
		    ti->type == SMPP_TLV_TYPE_INT2 ? 0xFFFF : 0xFFFFFFFFLL;
		json_int_t	x;

		if (!jget_int(in, e, "value", path, max, &x))
			return 0;
		if (smpp_pdu_add_tlv_int(pdu, (uint16_t)tag,
		    (uint32_t)x) == -1)
			return jfail(in, path, "too many TLVs");
		return 1;
	}
	if ((buf = malloc(65536)) == NULL)
		return jfail(in, path, "out of memory");
	if (ti != NULL && ti->type == SMPP_TLV_TYPE_COCT &&
	    !json_is_object(v)) {
		if (!json_is_string(v)) {
			jfail(in, path, "must be a string");
			goto out;
		}
		n = json_string_length(v);
		if (n + 1 > ti->max_len) {
			jfail(in, path, "longer than %u octets",
			    ti->max_len - 1);
			goto out;
		}
		memcpy(buf, json_string_value(v), n + 1);
		n++;
	} else if (json_is_object(v)) {
		if (!jget_hex(in, json_object_get(v, "hex"), path, buf, 65534,
		    &n))
			goto out;
		/* A text TLV shown as hex (not UTF-8) still ends in NUL. */
		if (ti != NULL && ti->type == SMPP_TLV_TYPE_COCT)
			buf[n++] = '\0';
	} else if (v == NULL && ti != NULL &&
	    ti->tag == SMPP_TLV_message_payload &&
	    json_is_string(json_object_get(e, "text"))) {
		json_t	*t = json_object_get(e, "text");
		size_t	 erroff;

		if (smpp_text_encode(dc, json_string_value(t),
		    json_string_length(t), buf, 65535, &n, &erroff) !=
		    SMPP_TEXT_OK) {
			jfail(in, path, "text cannot be encoded with "
			    "data_coding %u", dc);
			goto out;
		}
	} else if (v != NULL) {
		if (!jget_hex(in, v, path, buf, 65535, &n))
			goto out;
	}
	if (smpp_pdu_add_tlv(pdu, (uint16_t)tag, buf, (uint16_t)n) == -1)
		jfail(in, path, "too many TLVs");
	else
		rc = 1;
out:
	free(buf);
	return rc;
}

int
smpp_json_to_pdu(json_t *o, struct smpp_pdu *pdu, char *errbuf,
    size_t errlen)
{
	const struct smpp_command_info	*ci = NULL;
	struct jin			 in = { errbuf, errlen, 0 };
	json_t				*cmd, *tlvs, *raw;
	json_int_t			 seq;
	uint8_t				 dc = 0;
	size_t				 i;
	int				 body_keys = 0;
	const char			*key;
	json_t				*val;

	smpp_pdu_init(pdu, 0, 0);
	if (!json_is_object(o))
		return jfail(&in, "(top)", "must be a JSON object"), -1;
	cmd = json_object_get(o, "command");
	if (json_is_string(cmd))
		ci = smpp_command_by_name(json_string_value(cmd));
	else if (json_object_get(o, "command_id") != NULL) {
		json_int_t id;

		if (!jget_int(&in, o, "command_id", "command_id", 0xFFFFFFFFLL,
		    &id))
			return -1;
		ci = smpp_command_lookup((uint32_t)id);
	}
	if (ci == NULL)
		return jfail(&in, "command", "must name an SMPP 3.4 command "
		    "(\"submit_sm\", ...)"), -1;
	pdu->command_id = ci->id;
	if (!jget_status(&in, json_object_get(o, "command_status"),
	    "command_status", &pdu->command_status))
		return -1;
	if (!jget_int(&in, o, "sequence_number", "sequence_number",
	    0xFFFFFFFFLL, &seq))
		return -1;
	pdu->sequence_number = (uint32_t)seq;
	if ((raw = json_object_get(o, "raw_body")) != NULL) {
		size_t n;

		if (!json_is_string(raw) || json_string_length(raw) / 2 >
		    SMPP_TLV_INLINE)
			return jfail(&in, "raw_body", "must be a hex string of "
			    "at most %d octets", SMPP_TLV_INLINE), -1;
		if (!jget_hex(&in, raw, "raw_body", pdu->store_inline,
		    SMPP_TLV_INLINE, &n))
			return -1;
		pdu->raw_body = 1;
		pdu->raw_len = pdu->store_len = (uint32_t)n;
		return 0;
	}
	json_object_foreach(o, key, val) {
		if (strcmp(key, "command") != 0 &&
		    strcmp(key, "command_id") != 0 &&
		    strcmp(key, "command_length") != 0 &&
		    strcmp(key, "command_status") != 0 &&
		    strcmp(key, "sequence_number") != 0)
			body_keys++;
	}
	if (smpp_is_response(ci->id) && pdu->command_status != 0 &&
	    body_keys == 0) {
		pdu->has_body = 0;
		return 0;
	}
	if (json_object_get(o, "data_coding") != NULL &&
	    !jget_u8(&in, o, "data_coding", &dc))
		return -1;
	if (!jin_body(&in, o, pdu, dc))
		return -1;
	tlvs = json_object_get(o, "tlvs");
	if (tlvs != NULL && !json_is_array(tlvs))
		return jfail(&in, "tlvs", "must be an array"), -1;
	for (i = 0; tlvs != NULL && i < json_array_size(tlvs); i++) {
		if (!json_is_object(json_array_get(tlvs, i))) {
			char path[32];

			snprintf(path, sizeof path, "tlvs[%zu]", i);
			return jfail(&in, path, "must be an object"), -1;
		}
		if (!jin_tlv(&in, json_array_get(tlvs, i), i, pdu, dc)) {
			smpp_pdu_release(pdu);
			return -1;
		}
	}
	return 0;
}
