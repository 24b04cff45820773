/*
 * scenarios/load-message.c: the addresses `carrierlab load` sends to and
 * from, the encoding of its text, and the submit_sm templates of each
 * way of splitting it, down to the octets of the UDH and the sar_* TLVs
 * after a message's reference is written in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "scenarios/load-internal.h"
#include "smpp/smpp.h"

/* ---- addresses ---- */

static const struct {
	const char	*in;
	int		 range;		/* allowed */
	int		 ok;
	uint8_t		 ton;
	uint8_t		 npi;
	const char	*first;		/* load_address_format(.., 0) */
	uint64_t	 count;		/* 0: a single address */
} address_rows[] = {
	{ "+14155550100", 0, 1, 1, 1, "14155550100", 0 },
	{ "12345", 0, 1, 0, 1, "12345", 0 },
	{ "Carrierlab", 0, 1, 5, 0, "Carrierlab", 0 },
	{ "+14155550000-+14155550009", 1, 1, 1, 1, "14155550000", 10 },
	{ "0100-0199", 1, 1, 0, 1, "0100", 100 },
	{ "555", 1, 1, 0, 1, "555", 0 },
	{ "+1415abc", 0, 0, 0, 0, NULL, 0 },
	{ "", 0, 0, 0, 0, NULL, 0 },
	{ "123456789012345678901", 0, 0, 0, 0, NULL, 0 },
	{ "+1415-1416", 1, 0, 0, 0, NULL, 0 },		/* '+' on one side */
	{ "20-10", 1, 0, 0, 0, NULL, 0 },			/* backwards */
	{ "100-1000", 1, 0, 0, 0, NULL, 0 },		/* widths differ */
	{ "1-12345678901234567890", 1, 0, 0, 0, NULL, 0 },
};

START_TEST(test_address)
{
	struct load_address a;
	char err[200], out[21];
	int rc;

	rc = load_address_parse(&a, address_rows[_i].in, address_rows[_i].range,
	    err, sizeof err);
	if (!address_rows[_i].ok) {
		ck_assert_int_eq(rc, -1);
		ck_assert(strstr(err, address_rows[_i].in) != NULL);
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(a.ton, address_rows[_i].ton);
	ck_assert_uint_eq(a.npi, address_rows[_i].npi);
	ck_assert_int_eq(a.range, address_rows[_i].count > 0);
	if (a.range)
		ck_assert_uint_eq(a.count, address_rows[_i].count);
	load_address_format(&a, 0, out);
	ck_assert_str_eq(out, address_rows[_i].first);
}
END_TEST

/* A range is used in turn and starts again; zeros are kept. */
START_TEST(test_address_cycle)
{
	static const char *const want[] = { "0098", "0099", "0100", "0098",
	    "0099" };
	struct load_address a;
	char err[200], out[21];
	size_t i;

	ck_assert_int_eq(load_address_parse(&a, "0098-0100", 1, err,
	    sizeof err), 0);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		load_address_format(&a, i, out);
		ck_assert_str_eq(out, want[i]);
	}
	load_address_format(&a, UINT64_C(3000000000), out);
	ck_assert_str_eq(out, "0098");		/* 3e9 % 3 == 0 */
}
END_TEST

/* ---- text and parts ---- */

static void
config(struct load_config *c, const char *text, size_t length,
    enum load_encoding enc, enum load_segmenting seg)
{
	load_config_default(c);
	c->text = text;
	c->length = length;
	c->encoding = enc;
	c->segmenting = seg;
	c->to = "+14155550100-+14155550199";
}

static const struct {
	const char		*text;
	enum load_encoding	 asked;
	enum load_encoding	 got;
	uint8_t			 data_coding;
	size_t			 octets;
	size_t			 characters;
} encoding_rows[] = {
	{ "hello", LOAD_ENCODING_AUTO, LOAD_ENCODING_GSM7, 0x00, 5, 5 },
	{ "\xe2\x82\xac", LOAD_ENCODING_AUTO, LOAD_ENCODING_GSM7, 0x00, 2, 1 },
	{ "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	    LOAD_ENCODING_AUTO, LOAD_ENCODING_UCS2, 0x08, 12, 6 },
	{ "hello", LOAD_ENCODING_UCS2, LOAD_ENCODING_UCS2, 0x08, 10, 5 },
	{ "caf\xc3\xa9", LOAD_ENCODING_LATIN1, LOAD_ENCODING_LATIN1, 0x03, 4,
	    4 },
	{ "\xf0\x9f\x91\x8b", LOAD_ENCODING_AUTO, LOAD_ENCODING_UCS2, 0x08, 4,
	    1 },
};

START_TEST(test_encoding)
{
	struct load_message m;
	struct load_config c;
	struct smpp_pdu *pdu;
	char err[200];

	config(&c, encoding_rows[_i].text, 0, encoding_rows[_i].asked,
	    LOAD_SEGMENTING_UDH);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), 0);
	ck_assert_int_eq(m.info.encoding, encoding_rows[_i].got);
	ck_assert_uint_eq(m.info.data_coding, encoding_rows[_i].data_coding);
	ck_assert_uint_eq(m.info.octets, encoding_rows[_i].octets);
	ck_assert_uint_eq(m.info.characters, encoding_rows[_i].characters);
	ck_assert_uint_eq(m.info.parts, 1);
	pdu = load_message_pdu(&m, 0, 0);
	ck_assert_uint_eq(pdu->u.submit_sm.data_coding,
	    encoding_rows[_i].data_coding);
	ck_assert_uint_eq(pdu->u.submit_sm.sm_length, m.info.octets);
	ck_assert_uint_eq(pdu->u.submit_sm.esm_class, 0);
	ck_assert_uint_eq(pdu->ntlv, 0);
	load_message_release(&m);
}
END_TEST

/* What cannot be sent is refused with the reason. */
START_TEST(test_refused)
{
	struct load_message m;
	struct load_config c;
	char err[200];

	config(&c, "\xe4\xb8\xad", 0, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_UDH);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), -1);
	ck_assert(strstr(err, "gsm7") != NULL);
	config(&c, "\xe4\xb8\xad", 0, LOAD_ENCODING_LATIN1,
	    LOAD_SEGMENTING_UDH);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), -1);
	config(&c, "\xff", 0, LOAD_ENCODING_AUTO, LOAD_SEGMENTING_UDH);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), -1);
	ck_assert(strstr(err, "UTF-8") != NULL);
	/* 256 parts of UCS-2, and 131070 octets for message_payload. */
	config(&c, NULL, 67 * 255 + 1, LOAD_ENCODING_UCS2,
	    LOAD_SEGMENTING_UDH);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), -1);
	config(&c, NULL, 65535, LOAD_ENCODING_UCS2, LOAD_SEGMENTING_PAYLOAD);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), -1);
	config(&c, "hi", 0, LOAD_ENCODING_AUTO, LOAD_SEGMENTING_UDH);
	c.from = "+12ab";
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), -1);
	ck_assert(strstr(err, "--from") != NULL);
}
END_TEST

/* How many submit_sm (and SMS) a length takes, each way. */
static const struct {
	size_t			 length;
	enum load_encoding	 enc;
	enum load_segmenting	 seg;
	unsigned		 parts;
	size_t			 sms;
} split_rows[] = {
	{ 160, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_UDH, 1, 1 },
	{ 161, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_UDH, 2, 2 },
	{ 400, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_UDH, 3, 3 },
	{ 400, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_SAR, 3, 3 },
	{ 400, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_PAYLOAD, 1, 3 },
	{ 70, LOAD_ENCODING_UCS2, LOAD_SEGMENTING_UDH, 1, 1 },
	{ 71, LOAD_ENCODING_UCS2, LOAD_SEGMENTING_UDH, 2, 2 },
	{ 140, LOAD_ENCODING_LATIN1, LOAD_SEGMENTING_SAR, 1, 1 },
	{ 141, LOAD_ENCODING_LATIN1, LOAD_SEGMENTING_SAR, 2, 2 },
};

START_TEST(test_split_counts)
{
	struct load_message m;
	struct load_config c;
	char err[200];

	config(&c, NULL, split_rows[_i].length, split_rows[_i].enc,
	    split_rows[_i].seg);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), 0);
	ck_assert_uint_eq(m.info.parts, split_rows[_i].parts);
	ck_assert_uint_eq(m.info.sms, split_rows[_i].sms);
	load_message_release(&m);
}
END_TEST

/* The text of every part, put back together, is the whole body. */
static size_t
body_of(struct load_message *m, uint64_t index, size_t udh, uint8_t *out)
{
	struct smpp_body_submit_sm *b;
	size_t n = 0;
	unsigned k;

	for (k = 0; k < m->info.parts; k++) {
		b = &load_message_pdu(m, index, k)->u.submit_sm;
		memcpy(out + n, b->short_message + udh, b->sm_length - udh);
		n += b->sm_length - udh;
	}
	return n;
}

/* UDH: 05 00 03 ref total seq, UDHI set, ref from the message index. */
START_TEST(test_udh_parts)
{
	struct smpp_body_submit_sm *b;
	struct load_message m;
	struct load_config c;
	uint8_t body[400];
	char err[200];
	unsigned k;

	config(&c, NULL, 400, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_UDH);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), 0);
	for (k = 0; k < 3; k++) {
		b = &load_message_pdu(&m, 300, k)->u.submit_sm;
		ck_assert_uint_eq(b->esm_class, SMPP_ESM_UDHI);
		ck_assert_uint_eq(b->registered_delivery, 1);
		ck_assert_mem_eq(b->short_message, "\x05\x00\x03", 3);
		ck_assert_uint_eq(b->short_message[3], (301 & 0xff));
		ck_assert_uint_eq(b->short_message[4], 3);
		ck_assert_uint_eq(b->short_message[5], k + 1);
		ck_assert_str_eq(b->destination_addr, "14155550100");
		ck_assert_uint_eq(b->dest_addr_ton, 1);
	}
	ck_assert_uint_eq(body_of(&m, 300, 6, body), 400);
	ck_assert_mem_eq(body, "The quick brown fox", 19);
	b = &load_message_pdu(&m, 7, 2)->u.submit_sm;
	ck_assert_uint_eq(b->short_message[3], 8);
	ck_assert_str_eq(b->destination_addr, "14155550107");
	load_message_release(&m);
}
END_TEST

static uint32_t
tlv(const struct smpp_pdu *pdu, uint16_t tag)
{
	const struct smpp_tlv *t = smpp_pdu_find_tlv(pdu, tag);

	ck_assert_ptr_nonnull(t);
	return t->num;
}

/* SAR: no UDH, the three TLVs, the reference 16 bits wide. */
START_TEST(test_sar_parts)
{
	struct smpp_pdu *pdu;
	struct load_message m;
	struct load_config c;
	uint8_t body[400];
	char err[200];
	unsigned k;

	config(&c, NULL, 400, LOAD_ENCODING_GSM7, LOAD_SEGMENTING_SAR);
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), 0);
	for (k = 0; k < 3; k++) {
		pdu = load_message_pdu(&m, 70000, k);
		ck_assert_uint_eq(pdu->u.submit_sm.esm_class, 0);
		ck_assert_uint_eq(pdu->ntlv, 3);
		ck_assert_uint_eq(tlv(pdu, SMPP_TLV_sar_msg_ref_num),
		    70001 & 0xffff);
		ck_assert_uint_eq(tlv(pdu, SMPP_TLV_sar_total_segments), 3);
		ck_assert_uint_eq(tlv(pdu, SMPP_TLV_sar_segment_seqnum), k + 1);
	}
	ck_assert_uint_eq(body_of(&m, 70000, 0, body), 400);
	load_message_release(&m);
}
END_TEST

/* Payload: one submit_sm, empty short_message, the body in the TLV. */
START_TEST(test_payload)
{
	const struct smpp_tlv *t;
	struct smpp_pdu *pdu;
	struct load_message m;
	struct load_config c;
	char err[200];

	config(&c, NULL, 400, LOAD_ENCODING_UCS2, LOAD_SEGMENTING_PAYLOAD);
	c.receipts = 0;
	ck_assert_int_eq(load_message_prepare(&m, &c, err, sizeof err), 0);
	pdu = load_message_pdu(&m, 5, 0);
	ck_assert_uint_eq(pdu->u.submit_sm.sm_length, 0);
	ck_assert_uint_eq(pdu->u.submit_sm.registered_delivery, 0);
	ck_assert_uint_eq(pdu->u.submit_sm.data_coding, 0x08);
	ck_assert_ptr_nonnull(t = smpp_pdu_find_tlv(pdu,
	    SMPP_TLV_message_payload));
	ck_assert_uint_eq(t->length, 800);
	ck_assert_mem_eq(smpp_tlv_value(pdu, t), "\x00T\x00h\x00" "e", 6);
	ck_assert_str_eq(pdu->u.submit_sm.destination_addr, "14155550105");
	load_message_release(&m);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(load_bind_name(LOAD_BIND_TX), "tx");
	ck_assert_int_eq(load_bind_parse("trx"), LOAD_BIND_TRX);
	ck_assert_int_eq(load_bind_parse("rx"), -1);
	ck_assert_int_eq(load_encoding_parse("latin1"), LOAD_ENCODING_LATIN1);
	ck_assert_str_eq(load_encoding_name(LOAD_ENCODING_AUTO), "auto");
	ck_assert_int_eq(load_segmenting_parse("payload"),
	    LOAD_SEGMENTING_PAYLOAD);
	ck_assert_str_eq(load_segmenting_name((enum load_segmenting)9),
	    "unknown");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("load_message");
	TCase	*tc = tcase_create("load_message");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_address, 0,
	    sizeof address_rows / sizeof address_rows[0]);
	tcase_add_test(tc, test_address_cycle);
	tcase_add_loop_test(tc, test_encoding, 0,
	    sizeof encoding_rows / sizeof encoding_rows[0]);
	tcase_add_test(tc, test_refused);
	tcase_add_loop_test(tc, test_split_counts, 0,
	    sizeof split_rows / sizeof split_rows[0]);
	tcase_add_test(tc, test_udh_parts);
	tcase_add_test(tc, test_sar_parts);
	tcase_add_test(tc, test_payload);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
