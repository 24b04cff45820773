/*
 * The message `carrierlab load` sends: its text encoded and split once,
 * one submit_sm template per part, and the addresses (load-internal.h);
 * the defaults and names of the engine's choices (load.h). Codec and libc only,
 * so the unit test links this file alone.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/xmalloc.h"
#include "scenarios/load-internal.h"
#include "smpp/segment.h"
#include "smpp/smpp.h"
#include "smpp/text.h"

#define LOAD_ADDRESS_MAX	20	/* octets of source/destination_addr */
#define LOAD_RANGE_DIGITS	19	/* what a uint64_t always holds */
#define LOAD_TON_UNKNOWN	0
#define LOAD_TON_INTERNATIONAL	1
#define LOAD_TON_ALPHANUMERIC	5
#define LOAD_NPI_UNKNOWN	0
#define LOAD_NPI_E164		1

/* The text of --length N: this, repeated and cut. Every character is in
 * GSM-7, Latin-1 and UCS-2 alike. */
static const char load_filler[] =
    "The quick brown fox jumps over the lazy dog. ";

static const uint8_t load_data_codings[] = {
#define LOAD_ENCODING_DC(name, word, dc)	dc,
	LOAD_ENCODINGS(LOAD_ENCODING_DC)
#undef LOAD_ENCODING_DC
};

/* ---- addresses ---- */

/* Digits of s[0..len), with an optional leading '+'. */
static int
load_number(const char *s, size_t len, int *plus, int *digits, uint64_t *v)
{
	size_t i = 0;

	*plus = len > 0 && s[0] == '+';
	i = (size_t)*plus;
	*digits = (int)(len - i);
	if (*digits < 1 || *digits > LOAD_RANGE_DIGITS)
		return -1;
	for (*v = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

static int
load_range_parse(struct load_address *a, const char *s, const char *dash,
    char *err, size_t errlen)
{
	int plus1, plus2, d1, d2;
	uint64_t v1, v2;

	if (load_number(s, (size_t)(dash - s), &plus1, &d1, &v1) == -1 ||
	    load_number(dash + 1, strlen(dash + 1), &plus2, &d2, &v2) == -1) {
		snprintf(err, errlen, "\"%s\": a range is two numbers of at "
		    "most %d digits, FIRST-LAST", s, LOAD_RANGE_DIGITS);
		return -1;
	}
	if (plus1 != plus2 || d1 != d2 || v1 > v2) {
		snprintf(err, errlen, "\"%s\": FIRST and LAST must have the "
		    "same form and number of digits, FIRST <= LAST", s);
		return -1;
	}
	a->range = 1;
	a->first = v1;
	a->count = v2 - v1 + 1;
	a->width = d1;
	a->ton = plus1 ? LOAD_TON_INTERNATIONAL : LOAD_TON_UNKNOWN;
	a->npi = LOAD_NPI_E164;
	return 0;
}

int
load_address_parse(struct load_address *a, const char *s, int allow_range,
    char *err, size_t errlen)
{
	const char *dash = allow_range && s[0] != '\0' ? strchr(s + 1, '-') :
	    NULL;
	const char *digits = s[0] == '+' ? s + 1 : s;
	size_t i, n = strlen(digits);
	int alpha = 0;

	memset(a, 0, sizeof *a);
	if (dash != NULL)
		return load_range_parse(a, s, dash, err, errlen);
	if (n == 0 || n > LOAD_ADDRESS_MAX) {
		snprintf(err, errlen, "\"%s\": an address has 1 to %d "
		    "characters", s, LOAD_ADDRESS_MAX);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (digits[i] < '0' || digits[i] > '9')
			alpha = 1;
	if (alpha && digits != s) {
		snprintf(err, errlen, "\"%s\": digits only after '+'", s);
		return -1;
	}
	memcpy(a->text, digits, n + 1);
	if (alpha) {
		a->ton = LOAD_TON_ALPHANUMERIC;
		a->npi = LOAD_NPI_UNKNOWN;
	} else {
		a->ton = digits != s ? LOAD_TON_INTERNATIONAL :
		    LOAD_TON_UNKNOWN;
		a->npi = LOAD_NPI_E164;
	}
	return 0;
}

void
load_address_format(const struct load_address *a, uint64_t index, char *out)
{
	uint64_t v;
	int i;

	if (!a->range) {
		memcpy(out, a->text, strlen(a->text) + 1);
		return;
	}
	v = a->first + index % a->count;
	out[a->width] = '\0';
	for (i = a->width - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

/* ---- the text ---- */

static char *
load_text(const struct load_config *cfg, size_t *len)
{
	size_t i, n = sizeof load_filler - 1;
	char *s;

	if (cfg->text != NULL) {
		*len = strlen(cfg->text);
		return xstrdup(cfg->text);
	}
	s = xmalloc(cfg->length + 1);
	for (i = 0; i < cfg->length; i++)
		s[i] = load_filler[i % n];
	s[cfg->length] = '\0';
	*len = cfg->length;
	return s;
}

static enum smpp_text_status
load_encode_as(enum load_encoding enc, const char *text, size_t len,
    uint8_t *out, size_t cap, size_t *outlen, size_t *erroff)
{
	switch (enc) {
	case LOAD_ENCODING_UCS2:
		return smpp_ucs2_encode(text, len, out, cap, outlen, erroff);
	case LOAD_ENCODING_LATIN1:
		return smpp_latin1_encode(text, len, out, cap, outlen, erroff);
	default:
		return smpp_gsm_encode(text, len, out, cap, outlen, erroff);
	}
}

/* Encodes the text; *body is the caller's to free. */
static int
load_encode(const struct load_config *cfg, struct load_message_info *info,
    uint8_t **body, char *err, size_t errlen)
{
	struct smpp_text_analysis a;
	enum load_encoding enc = cfg->encoding;
	enum smpp_text_status st;
	size_t len, erroff = 0;
	char *text = load_text(cfg, &len);

	if (smpp_text_analyze(text, len, 0, &a, &erroff) != SMPP_TEXT_OK) {
		snprintf(err, errlen, "--text: not UTF-8 (octet %zu)", erroff);
		free(text);
		return -1;
	}
	if (enc == LOAD_ENCODING_AUTO)
		enc = a.charset == SMPP_CHARSET_GSM ? LOAD_ENCODING_GSM7 :
		    LOAD_ENCODING_UCS2;
	*body = xmalloc(2 * len + 1);
	st = load_encode_as(enc, text, len, *body, 2 * len + 1, &info->octets,
	    &erroff);
	free(text);
	if (st != SMPP_TEXT_OK) {
		snprintf(err, errlen, "--text: the character at octet %zu "
		    "cannot be written in %s (%s); try --encoding ucs2", erroff,
		    load_encoding_name(enc), smpp_text_status_name(st));
		free(*body);
		*body = NULL;
		return -1;
	}
	info->encoding = enc;
	info->data_coding = load_data_codings[enc];
	info->characters = a.chars;
	return 0;
}

/* ---- the templates ---- */

static void
load_sar_tlvs(struct smpp_pdu *pdu, uint16_t ref, uint8_t total, uint8_t seq)
{
	/* The three are the template's only TLVs: start them afresh, as
	 * smpp_pdu_init() leaves a PDU, rather than search and patch. */
	pdu->ntlv = 0;
	pdu->store_len = 0;
	smpp_pdu_add_tlv_int(pdu, SMPP_TLV_sar_msg_ref_num, ref);
	smpp_pdu_add_tlv_int(pdu, SMPP_TLV_sar_total_segments, total);
	smpp_pdu_add_tlv_int(pdu, SMPP_TLV_sar_segment_seqnum, seq);
}

static struct smpp_pdu *
load_template(const struct load_config *cfg, const struct load_address *from,
    const struct load_message *m)
{
	struct smpp_pdu *pdu = xmalloc(sizeof *pdu);
	struct smpp_body_submit_sm *b = &pdu->u.submit_sm;

	smpp_pdu_init(pdu, SMPP_CMD_submit_sm, 0);
	b->source_addr_ton = from->ton;
	b->source_addr_npi = from->npi;
	memcpy(b->source_addr, from->text, sizeof from->text);
	b->dest_addr_ton = m->to.ton;
	b->dest_addr_npi = m->to.npi;
	load_address_format(&m->to, 0, b->destination_addr);
	b->registered_delivery = cfg->receipts ? SMPP_RD_RECEIPT_ANY : 0;
	b->data_coding = m->info.data_coding;
	return pdu;
}

/* The parts of a message longer than one SMS, split by UDH or SAR. */
static void
load_fill_parts(struct load_message *m, const struct load_config *cfg,
    const struct load_address *from, const uint8_t *body,
    const struct smpp_segment_part *parts, size_t nparts)
{
	struct smpp_body_submit_sm *b;
	size_t k;

	m->info.parts = (unsigned)nparts;
	m->part = xcalloc(nparts, sizeof *m->part);
	for (k = 0; k < nparts; k++) {
		m->part[k] = load_template(cfg, from, m);
		b = &m->part[k]->u.submit_sm;
		memcpy(b->short_message, parts[k].udh, parts[k].udh_len);
		memcpy(b->short_message + parts[k].udh_len,
		    body + parts[k].offset, parts[k].length);
		b->sm_length = (uint8_t)(parts[k].udh_len + parts[k].length);
		if (m->segmenting == LOAD_SEGMENTING_UDH)
			b->esm_class |= SMPP_ESM_UDHI;
		else
			load_sar_tlvs(m->part[k], 1, (uint8_t)nparts,
			    (uint8_t)(k + 1));
	}
}

/* One submit_sm: the text in short_message, or in message_payload. */
static void
load_fill_one(struct load_message *m, const struct load_config *cfg,
    const struct load_address *from, const uint8_t *body, int payload)
{
	struct smpp_body_submit_sm *b;

	m->info.parts = 1;
	m->part = xcalloc(1, sizeof *m->part);
	m->part[0] = load_template(cfg, from, m);
	b = &m->part[0]->u.submit_sm;
	if (payload) {
		/* Cannot fail: a fresh PDU, one TLV, at most 65535 octets. */
		smpp_pdu_add_tlv(m->part[0], SMPP_TLV_message_payload, body,
		    (uint16_t)m->info.octets);
		return;
	}
	memcpy(b->short_message, body, m->info.octets);
	b->sm_length = (uint8_t)m->info.octets;
}

static int
load_split(struct load_message *m, const struct load_config *cfg,
    const struct load_address *from, const uint8_t *body, char *err,
    size_t errlen)
{
	static const enum smpp_segment_method methods[] = {
		[LOAD_SEGMENTING_UDH] = SMPP_SPLIT_UDH8,
		[LOAD_SEGMENTING_SAR] = SMPP_SPLIT_SAR,
		[LOAD_SEGMENTING_PAYLOAD] = SMPP_SPLIT_PAYLOAD,
	};
	enum smpp_segment_method method = methods[m->segmenting];
	enum smpp_segment_unit unit = smpp_segment_unit_for(
	    m->info.data_coding);
	struct smpp_segment_part *parts;
	enum smpp_segment_status st;
	size_t nparts = 0, sms = 0;

	/* How many SMS it takes on the air, whatever carries it. */
	st = smpp_segment_split(body, m->info.octets, unit, SMPP_SPLIT_UDH8,
	    1, NULL, 0, &sms);
	if (st == SMPP_SEGMENT_OK && sms > 1)
		st = smpp_segment_split(body, m->info.octets, unit, method, 1,
		    NULL, 0, &nparts);
	if (st != SMPP_SEGMENT_OK && !(st == SMPP_SEGMENT_TOO_MANY_PARTS &&
	    m->segmenting == LOAD_SEGMENTING_PAYLOAD &&
	    m->info.octets <= SMPP_PAYLOAD_MAX)) {
		snprintf(err, errlen, "a message of %zu octets cannot be sent "
		    "with --segments %s: %s", m->info.octets,
		    load_segmenting_name(m->segmenting),
		    smpp_segment_status_name(st));
		return -1;
	}
	m->info.sms = sms;
	if (sms <= 1 || m->segmenting == LOAD_SEGMENTING_PAYLOAD) {
		load_fill_one(m, cfg, from, body, sms > 1);
		return 0;
	}
	parts = xcalloc(nparts, sizeof *parts);
	smpp_segment_split(body, m->info.octets, unit, method, 1, parts,
	    nparts, &nparts);
	load_fill_parts(m, cfg, from, body, parts, nparts);
	free(parts);
	return 0;
}

int
load_message_prepare(struct load_message *m, const struct load_config *cfg,
    char *err, size_t errlen)
{
	struct load_address from;
	uint8_t *body = NULL;
	char why[200];
	int rc;

	memset(m, 0, sizeof *m);
	m->segmenting = cfg->segmenting;
	if (load_address_parse(&from, cfg->from, 0, why, sizeof why) == -1) {
		snprintf(err, errlen, "--from %s", why);
		return -1;
	}
	if (load_address_parse(&m->to, cfg->to, 1, why, sizeof why) == -1) {
		snprintf(err, errlen, "--to %s", why);
		return -1;
	}
	if (load_encode(cfg, &m->info, &body, err, errlen) == -1)
		return -1;
	rc = load_split(m, cfg, &from, body, err, errlen);
	free(body);
	if (rc == -1)
		load_message_release(m);
	return rc;
}

struct smpp_pdu *
load_message_pdu(struct load_message *m, uint64_t index, unsigned k)
{
	struct smpp_body_submit_sm *b;
	uint16_t ref = (uint16_t)(index + 1);
	char to[LOAD_ADDRESS_MAX + 1];
	unsigned j;

	if (m->have_current && m->current == index)
		return m->part[k];
	/* One address and one part: the template never changes. */
	if (m->to.range || m->info.parts > 1) {
		load_address_format(&m->to, index, to);
		for (j = 0; j < m->info.parts; j++) {
			b = &m->part[j]->u.submit_sm;
			memcpy(b->destination_addr, to, sizeof to);
			if (m->info.parts == 1)
				continue;
			if (m->segmenting == LOAD_SEGMENTING_UDH)
				b->short_message[3] = (uint8_t)ref;
			else if (m->segmenting == LOAD_SEGMENTING_SAR)
				load_sar_tlvs(m->part[j], ref,
				    (uint8_t)m->info.parts, (uint8_t)(j + 1));
		}
	}
	m->current = index;
	m->have_current = 1;
	return m->part[k];
}

void
load_message_release(struct load_message *m)
{
	unsigned k;

	for (k = 0; m->part != NULL && k < m->info.parts; k++) {
		if (m->part[k] == NULL)
			continue;
		smpp_pdu_release(m->part[k]);
		free(m->part[k]);
	}
	free(m->part);
	m->part = NULL;
}

/* ---- defaults and names ---- */

void
load_config_default(struct load_config *c)
{
	memset(c, 0, sizeof *c);
	c->connect = "127.0.0.1:2775";
	c->system_id = "test";
	c->password = "test";
	c->bind = LOAD_BIND_TRX;
	c->sessions = 1;
	c->window = 100;
	c->count = 1000;
	c->from = "+14155550100";
	c->to = "+14155550000-+14155559999";
	c->text = "carrierlab load test message";
	c->encoding = LOAD_ENCODING_AUTO;
	c->segmenting = LOAD_SEGMENTING_UDH;
	c->receipts = 1;
	c->receipt_timeout = 30 * CLOCK_USEC_PER_SEC;
	c->response_timeout = 30 * CLOCK_USEC_PER_SEC;
	c->connect_timeout = 10 * CLOCK_USEC_PER_SEC;
}


static const char *const load_bind_names[] = {
#define LOAD_BIND_NAME(name, word)	word,
	LOAD_BINDS(LOAD_BIND_NAME)
#undef LOAD_BIND_NAME
};

static const char *const load_segmenting_names[] = {
#define LOAD_SEGMENTING_NAME(name, word)	word,
	LOAD_SEGMENTINGS(LOAD_SEGMENTING_NAME)
#undef LOAD_SEGMENTING_NAME
};

static const char *const load_encoding_names[] = {
#define LOAD_ENCODING_NAME(name, word, dc)	word,
	LOAD_ENCODINGS(LOAD_ENCODING_NAME)
#undef LOAD_ENCODING_NAME
};

#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

static const char *
load_name(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "unknown";
}

static int
load_name_parse(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
load_bind_name(enum load_bind v)
{
	return load_name(load_bind_names, NELEM(load_bind_names), (int)v);
}

const char *
load_encoding_name(enum load_encoding v)
{
	return load_name(load_encoding_names, NELEM(load_encoding_names),
	    (int)v);
}

const char *
load_segmenting_name(enum load_segmenting v)
{
	return load_name(load_segmenting_names, NELEM(load_segmenting_names),
	    (int)v);
}

int
load_bind_parse(const char *s)
{
	return load_name_parse(load_bind_names, NELEM(load_bind_names), s);
}

int
load_encoding_parse(const char *s)
{
	return load_name_parse(load_encoding_names,
	    NELEM(load_encoding_names), s);
}

int
load_segmenting_parse(const char *s)
{
	return load_name_parse(load_segmenting_names,
	    NELEM(load_segmenting_names), s);
}
