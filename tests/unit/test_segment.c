/*
 * Unit tests for smpp/segment.h: splitting, UDH parsing, reassembly of one
 * message and the multi-message table.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "smpp/segment.h"
#include "smpp/text.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

static size_t
hex_parse(const char *hex, uint8_t *out)
{
	size_t	n = 0;

	while (hex[0] != '\0') {
		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		out[n++] = (uint8_t)strtoul((char[]){ hex[0], hex[1], 0 },
		    NULL, 16);
		hex += 2;
	}
	return n;
}

/* Fills a body of n units: GSM 'a', octet 0x5A, UCS-2 U+0416. */
static size_t
fill_units(uint8_t *buf, size_t n, enum smpp_segment_unit unit)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (unit == SMPP_UNIT_UCS2) {
			buf[2 * i] = 0x04;
			buf[2 * i + 1] = 0x16;
		} else
			buf[i] = unit == SMPP_UNIT_SEPTET ? 0x61 : 0x5a;
	}
	return unit == SMPP_UNIT_UCS2 ? 2 * n : n;
}

/*
 * Part sizes per unit and method: how many units a body has and what the
 * split must give. Lengths are in units.
 */
static const struct {
	enum smpp_segment_unit	 unit;
	enum smpp_segment_method method;
	size_t			 units;
	size_t			 nparts;
	size_t			 first, last;
	uint8_t			 udh_len;
} split_size_cases[] = {
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_UDH8, 160, 1, 160, 160, 0 },
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_UDH8, 161, 2, 153, 8, 6 },
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_UDH8, 306, 2, 153, 153, 6 },
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_UDH8, 307, 3, 153, 1, 6 },
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_UDH16, 161, 2, 152, 9, 7 },
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_UDH16, 305, 3, 152, 1, 7 },
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_SAR, 161, 2, 153, 8, 0 },
	{ SMPP_UNIT_SEPTET, SMPP_SPLIT_PAYLOAD, 1000, 1, 1000, 1000, 0 },
	{ SMPP_UNIT_OCTET, SMPP_SPLIT_UDH8, 140, 1, 140, 140, 0 },
	{ SMPP_UNIT_OCTET, SMPP_SPLIT_UDH8, 141, 2, 134, 7, 6 },
	{ SMPP_UNIT_OCTET, SMPP_SPLIT_UDH16, 141, 2, 133, 8, 7 },
	{ SMPP_UNIT_OCTET, SMPP_SPLIT_SAR, 269, 3, 134, 1, 0 },
	{ SMPP_UNIT_UCS2, SMPP_SPLIT_UDH8, 70, 1, 70, 70, 0 },
	{ SMPP_UNIT_UCS2, SMPP_SPLIT_UDH8, 71, 2, 67, 4, 6 },
	{ SMPP_UNIT_UCS2, SMPP_SPLIT_UDH8, 134, 2, 67, 67, 6 },
	{ SMPP_UNIT_UCS2, SMPP_SPLIT_UDH8, 135, 3, 67, 1, 6 },
	{ SMPP_UNIT_UCS2, SMPP_SPLIT_UDH16, 71, 2, 66, 5, 7 },
	{ SMPP_UNIT_UCS2, SMPP_SPLIT_SAR, 135, 3, 67, 1, 0 },
	{ SMPP_UNIT_UCS2, SMPP_SPLIT_PAYLOAD, 0, 1, 0, 0, 0 },
};

START_TEST(test_split_sizes)
{
	static uint8_t		 body[4096];
	struct smpp_segment_part parts[8];
	size_t			 len, n, i, uo, off = 0;

	uo = split_size_cases[_i].unit == SMPP_UNIT_UCS2 ? 2 : 1;
	len = fill_units(body, split_size_cases[_i].units,
	    split_size_cases[_i].unit);
	ck_assert_int_eq(smpp_segment_split(body, len,
	    split_size_cases[_i].unit, split_size_cases[_i].method, 0x1234,
	    parts, LEN(parts), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, split_size_cases[_i].nparts);
	ck_assert_uint_eq(parts[0].units, split_size_cases[_i].first);
	ck_assert_uint_eq(parts[0].length, split_size_cases[_i].first * uo);
	ck_assert_uint_eq(parts[n - 1].units, split_size_cases[_i].last);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(parts[i].seq, i + 1);
		ck_assert_uint_eq(parts[i].total, n);
		ck_assert_uint_eq(parts[i].offset, off);
		ck_assert_uint_eq(parts[i].udh_len,
		    split_size_cases[_i].udh_len);
		off += parts[i].length;
	}
	ck_assert_uint_eq(off, len);
}
END_TEST

START_TEST(test_split_udh_bytes)
{
	uint8_t			 body[400], want[8];
	struct smpp_segment_part p[4];
	size_t			 len = fill_units(body, 307, SMPP_UNIT_SEPTET);
	size_t			 n, wlen;

	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 0x1242, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 3);
	wlen = hex_parse("05 00 03 42 03 01", want);
	ck_assert_uint_eq(p[0].udh_len, wlen);
	ck_assert_mem_eq(p[0].udh, want, wlen);
	wlen = hex_parse("05 00 03 42 03 03", want);
	ck_assert_mem_eq(p[2].udh, want, wlen);
	ck_assert_uint_eq(p[2].ref, 0x42);

	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH16, 0xbeef, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 3);
	wlen = hex_parse("06 08 04 BE EF 03 02", want);
	ck_assert_uint_eq(p[1].udh_len, wlen);
	ck_assert_mem_eq(p[1].udh, want, wlen);
	ck_assert_uint_eq(p[1].ref, 0xbeef);

	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_SAR, 0xbeef, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(p[0].udh_len, 0);
	ck_assert_uint_eq(p[2].seq, 3);
	ck_assert_uint_eq(p[2].total, 3);
	ck_assert_uint_eq(p[2].ref, 0xbeef);
}
END_TEST

START_TEST(test_split_escape_not_split)
{
	uint8_t			 body[400];
	struct smpp_segment_part p[4];
	size_t			 n, len;

	/* 152 'a', ESC e, 10 'a': the pair would be septets 153-154. */
	len = fill_units(body, 152, SMPP_UNIT_SEPTET);
	body[len++] = 0x1b;
	body[len++] = 0x65;
	len += fill_units(body + len, 10, SMPP_UNIT_SEPTET);
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 1, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(p[0].length, 152);
	ck_assert_uint_eq(p[1].offset, 152);
	ck_assert_uint_eq(body[p[1].offset], 0x1b);
	ck_assert_uint_eq(p[1].length, 12);

	/* Same with the 7-octet UDH: pair at 152-153 moves. */
	len = fill_units(body, 151, SMPP_UNIT_SEPTET);
	body[len++] = 0x1b;
	body[len++] = 0x3c;
	len += fill_units(body + len, 10, SMPP_UNIT_SEPTET);
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH16, 1, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(p[0].length, 151);
	ck_assert_uint_eq(body[p[1].offset], 0x1b);

	/* One septet earlier it fits exactly. */
	len = fill_units(body, 151, SMPP_UNIT_SEPTET);
	body[len++] = 0x1b;
	body[len++] = 0x65;
	len += fill_units(body + len, 10, SMPP_UNIT_SEPTET);
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 1, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(p[0].length, 153);
}
END_TEST

START_TEST(test_split_surrogate_not_split)
{
	uint8_t			 body[400];
	struct smpp_segment_part p[4];
	size_t			 n, len;

	/* 66 units, then U+1F600 as D83D DE00 at units 67-68. */
	len = fill_units(body, 66, SMPP_UNIT_UCS2);
	body[len++] = 0xd8;
	body[len++] = 0x3d;
	body[len++] = 0xde;
	body[len++] = 0x00;
	len += fill_units(body + len, 10, SMPP_UNIT_UCS2);
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_UCS2,
	    SMPP_SPLIT_UDH8, 1, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(p[0].length, 132);
	ck_assert_uint_eq(p[0].units, 66);
	ck_assert_uint_eq(p[1].offset, 132);
	ck_assert_uint_eq(body[p[1].offset], 0xd8);
	ck_assert_uint_eq(p[1].units, 12);

	/* A lone high surrogate is just one unit. */
	len = fill_units(body, 66, SMPP_UNIT_UCS2);
	body[len++] = 0xd8;
	body[len++] = 0x3d;
	len += fill_units(body + len, 10, SMPP_UNIT_UCS2);
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_UCS2,
	    SMPP_SPLIT_UDH8, 1, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(p[0].units, 67);
}
END_TEST

START_TEST(test_split_limits)
{
	static uint8_t			body[255 * 153 + 1];
	static struct smpp_segment_part	p[256];
	size_t				n, len;

	len = fill_units(body, 255 * 153, SMPP_UNIT_SEPTET);
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 7, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 255);
	ck_assert_uint_eq(p[254].seq, 255);
	ck_assert_uint_eq(p[254].total, 255);
	ck_assert_uint_eq(p[254].udh[4], 255);
	ck_assert_uint_eq(p[254].udh[5], 255);

	len = fill_units(body, 255 * 153 + 1, SMPP_UNIT_SEPTET);
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 7, p, LEN(p), &n), SMPP_SEGMENT_TOO_MANY_PARTS);
	ck_assert_uint_eq(n, 256);
	/* UDH16 parts are smaller: 255 * 153 septets no longer fit. */
	ck_assert_int_eq(smpp_segment_split(body, 255 * 153, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH16, 7, NULL, 0, &n), SMPP_SEGMENT_TOO_MANY_PARTS);
	/* The payload method takes it whole. */
	ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_PAYLOAD, 7, p, LEN(p), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(p[0].length, len);

	/* Counting only, and a part array that is too small. */
	ck_assert_int_eq(smpp_segment_split(body, 400, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 7, NULL, 0, &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(smpp_segment_split(body, 400, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 7, p, 2, &n), SMPP_SEGMENT_NO_ROOM);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(p[1].seq, 2);
	ck_assert_uint_eq(p[1].total, 3);
}
END_TEST

START_TEST(test_split_bad_input)
{
	static uint8_t		 body[70000];
	struct smpp_segment_part p[2];
	size_t			 n;

	memset(body, 0x41, sizeof(body));
	ck_assert_int_eq(smpp_segment_split(body, 3, SMPP_UNIT_UCS2,
	    SMPP_SPLIT_UDH8, 0, p, 2, &n), SMPP_SEGMENT_BAD_INPUT);
	body[5] = 0x80;
	ck_assert_int_eq(smpp_segment_split(body, 10, SMPP_UNIT_SEPTET,
	    SMPP_SPLIT_UDH8, 0, p, 2, &n), SMPP_SEGMENT_BAD_INPUT);
	ck_assert_int_eq(smpp_segment_split(body, 10, SMPP_UNIT_OCTET,
	    SMPP_SPLIT_UDH8, 0, p, 2, &n), SMPP_SEGMENT_OK);
	ck_assert_int_eq(smpp_segment_split(body, 65536, SMPP_UNIT_OCTET,
	    SMPP_SPLIT_PAYLOAD, 0, p, 2, &n), SMPP_SEGMENT_TOO_LONG);
	ck_assert_int_eq(smpp_segment_split(body, 65535, SMPP_UNIT_OCTET,
	    SMPP_SPLIT_PAYLOAD, 0, p, 2, &n), SMPP_SEGMENT_OK);
	ck_assert_int_eq(smpp_segment_unit_for(0x00), SMPP_UNIT_SEPTET);
	ck_assert_int_eq(smpp_segment_unit_for(0xf1), SMPP_UNIT_SEPTET);
	ck_assert_int_eq(smpp_segment_unit_for(0x08), SMPP_UNIT_UCS2);
	ck_assert_int_eq(smpp_segment_unit_for(0x04), SMPP_UNIT_OCTET);
	ck_assert_int_eq(smpp_segment_unit_for(0x03), SMPP_UNIT_OCTET);
	ck_assert_str_eq(smpp_segment_status_name(
	    SMPP_SEGMENT_TOO_MANY_PARTS), "more than 255 parts");
}
END_TEST

/* The analysis and the splitter agree on the segment count. */
static const char *const agree_bodies[] = {
	"short",
	"€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€"
	"€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€"
	"€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€",
	"😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж"
	"😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж😀ж"
	"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
	"a{b}c[d]e~f\\g^h|i€j{b}c[d]e~f\\g^h|i€j{b}c[d]e~f\\g^h|i€j{b}c[d]e~f"
	"a{b}c[d]e~f\\g^h|i€j{b}c[d]e~f\\g^h|i€j{b}c[d]e~f\\g^h|i€j{b}c[d]e~f"
	"a{b}c[d]e~f\\g^h|i€j{b}c[d]e~f\\g^h|i€j{b}c[d]e~f\\g^h|i€j{b}c[d]e~f",
};

START_TEST(test_split_agrees_with_analysis)
{
	const char			*u = agree_bodies[_i];
	struct smpp_text_analysis	 a;
	uint8_t				 enc[2048];
	size_t				 len, n;

	ck_assert_int_eq(smpp_text_analyze(u, strlen(u), 0, &a, NULL),
	    SMPP_TEXT_OK);
	ck_assert_int_eq(smpp_text_encode(a.data_coding, u, strlen(u), enc,
	    sizeof(enc), &len, NULL), SMPP_TEXT_OK);
	ck_assert_int_eq(smpp_segment_split(enc, len,
	    smpp_segment_unit_for(a.data_coding), SMPP_SPLIT_UDH8, 0, NULL, 0,
	    &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, a.segments);
	ck_assert_uint_ge(n, _i == 0 ? 1 : 2);
}
END_TEST

static const struct {
	const char	*name;
	const char	*hex;
	enum smpp_segment_status st;
	size_t		 length;
	int		 concat, concat_invalid, ref16;
	uint16_t	 ref;
	uint8_t		 total, seq;
	int		 ports;
	uint16_t	 dest_port, orig_port;
	unsigned int	 ie_count;
} udh_cases[] = {
	{ "concat8", "05 00 03 42 03 02 41 42", SMPP_SEGMENT_OK, 6,
	    1, 0, 0, 0x42, 3, 2, 0, 0, 0, 1 },
	{ "concat16", "06 08 04 12 34 03 01 41", SMPP_SEGMENT_OK, 7,
	    1, 0, 1, 0x1234, 3, 1, 0, 0, 0, 1 },
	{ "udhl overrun", "05 00 03 42", SMPP_SEGMENT_UDH_TRUNCATED, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "udhl one past", "05 00 03 42 03", SMPP_SEGMENT_UDH_TRUNCATED, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "udhl exact", "05 00 03 42 03 01", SMPP_SEGMENT_OK, 6,
	    1, 0, 0, 0x42, 3, 1, 0, 0, 0, 1 },
	{ "empty", "", SMPP_SEGMENT_UDH_TRUNCATED, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "udhl only", "00 41", SMPP_SEGMENT_OK, 1,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "zero total", "05 00 03 42 00 01", SMPP_SEGMENT_OK, 6,
	    0, 1, 0, 0x42, 0, 1, 0, 0, 0, 1 },
	{ "zero seq", "05 00 03 42 02 00", SMPP_SEGMENT_OK, 6,
	    0, 1, 0, 0x42, 2, 0, 0, 0, 0, 1 },
	{ "seq > total", "05 00 03 42 02 03", SMPP_SEGMENT_OK, 6,
	    0, 1, 0, 0x42, 2, 3, 0, 0, 0, 1 },
	{ "concat wrong iedl", "06 00 04 01 02 03 04", SMPP_SEGMENT_OK, 7,
	    0, 1, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ "ie past udh", "04 00 05 01 02", SMPP_SEGMENT_UDH_BAD_IE, 5,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "ie header cut", "01 00 41 41", SMPP_SEGMENT_UDH_BAD_IE, 2,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "port8", "04 04 02 F5 F6 41", SMPP_SEGMENT_OK, 5,
	    0, 0, 0, 0, 0, 0, 8, 0xf5, 0xf6, 1 },
	{ "port16 + concat", "0B 05 04 0B 84 23 F0 00 03 AA 02 01",
	    SMPP_SEGMENT_OK, 12, 1, 0, 0, 0xaa, 2, 1, 16, 0x0b84, 0x23f0, 2 },
	{ "unknown ie skipped", "08 24 01 00 00 03 01 02 01", SMPP_SEGMENT_OK,
	    9, 1, 0, 0, 0x01, 2, 1, 0, 0, 0, 2 },
	{ "last concat wins", "0B 00 03 01 02 01 08 04 00 07 03 03",
	    SMPP_SEGMENT_OK, 12, 1, 0, 1, 0x0007, 3, 3, 0, 0, 0, 2 },
	{ "invalid after valid", "0A 00 03 01 02 01 00 03 05 00 01",
	    SMPP_SEGMENT_OK, 11, 0, 1, 0, 0x05, 0, 1, 0, 0, 0, 2 },
};

START_TEST(test_udh_parse)
{
	uint8_t		sm[64];
	size_t		n = hex_parse(udh_cases[_i].hex, sm);
	struct smpp_udh	u;
	const char	*name = udh_cases[_i].name;

	ck_assert_msg(smpp_udh_parse(sm, n, &u) == udh_cases[_i].st,
	    "%s: status", name);
	if (udh_cases[_i].st != SMPP_SEGMENT_OK)
		return;
	ck_assert_msg(u.length == udh_cases[_i].length, "%s: length", name);
	ck_assert_msg(u.concat == udh_cases[_i].concat, "%s: concat", name);
	ck_assert_msg(u.concat_invalid == udh_cases[_i].concat_invalid,
	    "%s: concat_invalid", name);
	ck_assert_msg(u.ie_count == udh_cases[_i].ie_count, "%s: ie_count",
	    name);
	ck_assert_msg(u.ports == udh_cases[_i].ports, "%s: ports", name);
	if (u.concat || u.concat_invalid) {
		ck_assert_msg(u.ref16 == udh_cases[_i].ref16, "%s: ref16",
		    name);
		ck_assert_msg(u.ref == udh_cases[_i].ref, "%s: ref", name);
		ck_assert_msg(u.total == udh_cases[_i].total, "%s: total",
		    name);
		ck_assert_msg(u.seq == udh_cases[_i].seq, "%s: seq", name);
	}
	if (u.ports) {
		ck_assert_uint_eq(u.dest_port, udh_cases[_i].dest_port);
		ck_assert_uint_eq(u.orig_port, udh_cases[_i].orig_port);
	}
	ck_assert_uint_eq(u.fill_bits, smpp_gsm_fill_bits(u.length));
}
END_TEST

/* A packed GSM short_message with a 6-octet UDH: 1 fill bit, 7 septets. */
START_TEST(test_udh_packed_gsm_text)
{
	uint8_t		sm[64], sept[16], back[16];
	size_t		n, plen, got;
	struct smpp_udh	u;

	n = hex_parse("05 00 03 01 02 01", sm);
	ck_assert_int_eq(smpp_gsm_encode("hellohello", 10, sept, sizeof(sept),
	    &got, NULL), SMPP_TEXT_OK);
	ck_assert_int_eq(smpp_gsm_pack(sept, 10, smpp_gsm_fill_bits(6), 0,
	    sm + n, sizeof(sm) - n, &plen, NULL), SMPP_TEXT_OK);
	ck_assert_int_eq(smpp_udh_parse(sm, n + plen, &u), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(u.fill_bits, 1);
	ck_assert_uint_eq(u.septets, 7);
	/* "h" (0x68) shifted up by the fill bit. */
	ck_assert_uint_eq(sm[u.length], 0xd0);
	ck_assert_int_eq(smpp_gsm_unpack(sm + u.length, n + plen - u.length,
	    u.fill_bits, 10, 0, back, sizeof(back), &got), SMPP_TEXT_OK);
	ck_assert_mem_eq(back, sept, 10);

	n = hex_parse("06 08 04 00 01 02 01", sm);
	ck_assert_int_eq(smpp_udh_parse(sm, n, &u), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(u.fill_bits, 0);
	ck_assert_uint_eq(u.septets, 8);
}
END_TEST

/* Five parts of different lengths and their concatenation. */
static const char *const five_parts[] = {
	"first-", "second--", "3", "", "fifth part!",
};
#define FIVE_JOINED "first-second--3fifth part!"

static void
add_in_order(struct smpp_reasm *r, const unsigned int *order)
{
	size_t	i;
	unsigned int seq;

	for (i = 0; i < LEN(five_parts); i++) {
		seq = order[i];
		ck_assert_int_eq(smpp_reasm_complete(r), 0);
		ck_assert_int_eq(smpp_reasm_add(r, (uint8_t)seq, 5,
		    (const uint8_t *)five_parts[seq - 1],
		    strlen(five_parts[seq - 1])), SMPP_REASM_OK);
	}
	ck_assert_int_eq(smpp_reasm_complete(r), 1);
}

START_TEST(test_reasm_orders)
{
	static const unsigned int orders[][5] = {
		{ 1, 2, 3, 4, 5 }, { 5, 4, 3, 2, 1 }, { 3, 1, 5, 2, 4 },
		{ 4, 5, 1, 3, 2 }, { 2, 4, 1, 5, 3 },
	};
	struct smpp_reasm r;
	uint8_t		  buf[64], out[64];
	size_t		  i, len;

	for (i = 0; i < LEN(orders); i++) {
		smpp_reasm_init(&r, buf, sizeof(buf));
		add_in_order(&r, orders[i]);
		ck_assert_uint_eq(smpp_reasm_length(&r), strlen(FIVE_JOINED));
		ck_assert_int_eq(smpp_reasm_concat(&r, out, sizeof(out), &len),
		    SMPP_REASM_OK);
		ck_assert_uint_eq(len, strlen(FIVE_JOINED));
		ck_assert_mem_eq(out, FIVE_JOINED, len);
		ck_assert_uint_eq(smpp_reasm_missing(&r, NULL, 0), 0);
	}
}
END_TEST

/* Every order of a 255-part message from a fixed pseudo-random shuffle. */
START_TEST(test_reasm_random_255)
{
	static struct smpp_reasm r;
	static uint8_t		 buf[255 * 2], out[255 * 2];
	uint8_t			 order[255], tmp, data[2];
	uint32_t		 seed = 99 + (uint32_t)_i;
	size_t			 i, j, len;

	for (i = 0; i < 255; i++)
		order[i] = (uint8_t)(i + 1);
	for (i = 254; i > 0; i--) {
		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	smpp_reasm_init(&r, buf, sizeof(buf));
	for (i = 0; i < 255; i++) {
		data[0] = order[i];
		data[1] = (uint8_t)~order[i];
		ck_assert_int_eq(smpp_reasm_add(&r, order[i], 255, data, 2),
		    SMPP_REASM_OK);
		ck_assert_uint_eq(smpp_reasm_missing(&r, NULL, 0), 254 - i);
	}
	ck_assert_int_eq(smpp_reasm_concat(&r, out, sizeof(out), &len),
	    SMPP_REASM_OK);
	ck_assert_uint_eq(len, 510);
	for (i = 0; i < 255; i++) {
		ck_assert_uint_eq(out[2 * i], i + 1);
		ck_assert_uint_eq(out[2 * i + 1], (uint8_t)~(i + 1));
	}
}
END_TEST

START_TEST(test_reasm_errors)
{
	struct smpp_reasm r;
	uint8_t		  buf[16], out[16], missing[8];
	size_t		  len;

	smpp_reasm_init(&r, buf, sizeof(buf));
	ck_assert_uint_eq(smpp_reasm_missing(&r, missing, LEN(missing)), 0);
	ck_assert_int_eq(smpp_reasm_concat(&r, out, sizeof(out), &len),
	    SMPP_REASM_INCOMPLETE);
	ck_assert_int_eq(smpp_reasm_add(&r, 0, 3, (const uint8_t *)"x", 1),
	    SMPP_REASM_OUT_OF_RANGE);
	ck_assert_int_eq(smpp_reasm_add(&r, 1, 0, (const uint8_t *)"x", 1),
	    SMPP_REASM_OUT_OF_RANGE);
	ck_assert_int_eq(smpp_reasm_add(&r, 4, 3, (const uint8_t *)"x", 1),
	    SMPP_REASM_OUT_OF_RANGE);
	ck_assert_uint_eq(r.total, 0);

	ck_assert_int_eq(smpp_reasm_add(&r, 2, 6, (const uint8_t *)"bb", 2),
	    SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_add(&r, 2, 6, (const uint8_t *)"bb", 2),
	    SMPP_REASM_DUPLICATE);
	ck_assert_int_eq(smpp_reasm_add(&r, 2, 6, (const uint8_t *)"bB", 2),
	    SMPP_REASM_CONFLICT);
	ck_assert_int_eq(smpp_reasm_add(&r, 2, 6, (const uint8_t *)"b", 1),
	    SMPP_REASM_CONFLICT);
	ck_assert_int_eq(smpp_reasm_add(&r, 3, 5, (const uint8_t *)"c", 1),
	    SMPP_REASM_TOTAL_MISMATCH);
	ck_assert_int_eq(smpp_reasm_add(&r, 7, 6, (const uint8_t *)"c", 1),
	    SMPP_REASM_OUT_OF_RANGE);
	ck_assert_int_eq(smpp_reasm_add(&r, 4, 6, (const uint8_t *)"dd", 2),
	    SMPP_REASM_OK);

	/* Missing: 1, 3, 5, 6; a short array gets the first ones. */
	ck_assert_uint_eq(smpp_reasm_missing(&r, missing, LEN(missing)), 4);
	ck_assert_uint_eq(missing[0], 1);
	ck_assert_uint_eq(missing[1], 3);
	ck_assert_uint_eq(missing[2], 5);
	ck_assert_uint_eq(missing[3], 6);
	memset(missing, 0, sizeof(missing));
	ck_assert_uint_eq(smpp_reasm_missing(&r, missing, 2), 4);
	ck_assert_uint_eq(missing[1], 3);
	ck_assert_uint_eq(missing[2], 0);
	ck_assert_int_eq(smpp_reasm_concat(&r, out, sizeof(out), &len),
	    SMPP_REASM_INCOMPLETE);

	/* The buffer holds 16: 4 used, 12 left. */
	ck_assert_int_eq(smpp_reasm_add(&r, 1, 6,
	    (const uint8_t *)"0123456789abc", 13), SMPP_REASM_NO_ROOM);
	ck_assert_int_eq(smpp_reasm_add(&r, 1, 6, (const uint8_t *)"a", 1),
	    SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_add(&r, 3, 6, (const uint8_t *)"c", 1),
	    SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_add(&r, 5, 6, (const uint8_t *)"", 0),
	    SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_add(&r, 6, 6, (const uint8_t *)"ff", 2),
	    SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_complete(&r), 1);
	ck_assert_int_eq(smpp_reasm_concat(&r, out, 7, &len),
	    SMPP_REASM_NO_ROOM);
	ck_assert_int_eq(smpp_reasm_concat(&r, out, 8, &len), SMPP_REASM_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(out, "abbcddff", 8);
	ck_assert_str_eq(smpp_reasm_status_name(SMPP_REASM_CONFLICT),
	    "part already held with different content");
}
END_TEST

/* Split, shuffle, parse each part's UDH, reassemble: the body returns. */
START_TEST(test_split_parse_reassemble)
{
	static const enum smpp_segment_method methods[] = {
		SMPP_SPLIT_UDH8, SMPP_SPLIT_UDH16,
	};
	static uint8_t			body[2000], pdu[200], buf[2000];
	static uint8_t			out[2000];
	struct smpp_segment_part	p[16];
	struct smpp_reasm		r;
	struct smpp_udh			u;
	size_t				len, n, i, k, olen;
	const char			*text = "Зд😀оровье! ";

	for (len = 0; len + strlen(text) * 2 < 1200; ) {
		size_t	l;

		ck_assert_int_eq(smpp_ucs2_encode(text, strlen(text),
		    body + len, sizeof(body) - len, &l, NULL), SMPP_TEXT_OK);
		len += l;
	}
	for (k = 0; k < LEN(methods); k++) {
		ck_assert_int_eq(smpp_segment_split(body, len, SMPP_UNIT_UCS2,
		    methods[k], 0x0abc, p, LEN(p), &n), SMPP_SEGMENT_OK);
		ck_assert_uint_gt(n, 2);
		smpp_reasm_init(&r, buf, sizeof(buf));
		for (i = 0; i < n; i++) {
			/* Odd parts first, then even ones backwards. */
			size_t j = i < (n + 1) / 2 ? 2 * i :
			    2 * (n - 1 - i) + 1;

			ck_assert_uint_lt(j, n);
			memcpy(pdu, p[j].udh, p[j].udh_len);
			memcpy(pdu + p[j].udh_len, body + p[j].offset,
			    p[j].length);
			ck_assert_int_eq(smpp_udh_parse(pdu,
			    p[j].udh_len + p[j].length, &u), SMPP_SEGMENT_OK);
			ck_assert_int_eq(u.concat, 1);
			ck_assert_uint_eq(u.ref, methods[k] == SMPP_SPLIT_UDH8 ?
			    0xbc : 0x0abc);
			ck_assert_int_eq(smpp_reasm_add(&r, u.seq, u.total,
			    pdu + u.length, p[j].udh_len + p[j].length -
			    u.length), SMPP_REASM_OK);
		}
		ck_assert_int_eq(smpp_reasm_concat(&r, out, sizeof(out),
		    &olen), SMPP_REASM_OK);
		ck_assert_uint_eq(olen, len);
		ck_assert_mem_eq(out, body, len);
	}
}
END_TEST

struct expired {
	size_t	calls;
	char	last_source[32];
	char	last_destination[32];
	uint16_t last_ref;
	size_t	last_missing;
};

static void
record_expired(const char *source, const char *destination, uint16_t ref,
    const struct smpp_reasm *r, void *arg)
{
	struct expired	*e = arg;

	e->calls++;
	strncpy(e->last_source, source, sizeof(e->last_source) - 1);
	strncpy(e->last_destination, destination,
	    sizeof(e->last_destination) - 1);
	e->last_ref = ref;
	e->last_missing = smpp_reasm_missing(r, NULL, 0);
}

START_TEST(test_reasm_table)
{
	struct smpp_reasm_table	*t;
	const struct smpp_reasm	*m;
	struct expired		 ex;
	uint8_t			 out[64];
	size_t			 len;

	ck_assert_int_eq(smpp_reasm_table_create(&t, 3, 32), SMPP_REASM_OK);

	/* Same ref from two sources stays apart. */
	ck_assert_int_eq(smpp_reasm_table_add(t, "111", "999", 7, 2, 2,
	    (const uint8_t *)"world", 5, 10, &m), SMPP_REASM_OK);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(smpp_reasm_complete(m), 0);
	ck_assert_int_eq(smpp_reasm_table_add(t, "222", "999", 7, 1, 2,
	    (const uint8_t *)"other ", 6, 11, &m), SMPP_REASM_OK);
	ck_assert_uint_eq(smpp_reasm_table_count(t), 2);
	/* Same source and ref, other destination: a third message. */
	ck_assert_ptr_null(smpp_reasm_table_find(t, "111", "998", 7));
	ck_assert_int_eq(smpp_reasm_table_add(t, "111", "998", 7, 1, 2,
	    (const uint8_t *)"x", 1, 11, &m), SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_table_remove(t, "111", "998", 7),
	    SMPP_REASM_OK);
	ck_assert_ptr_nonnull(smpp_reasm_table_find(t, "111", "999", 7));
	ck_assert_int_eq(smpp_reasm_table_take(t, "111", "999", 7, out,
	    sizeof(out), &len), SMPP_REASM_INCOMPLETE);
	ck_assert_int_eq(smpp_reasm_table_add(t, "111", "999", 7, 1, 2,
	    (const uint8_t *)"hello ", 6, 12, &m), SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_complete(m), 1);
	ck_assert_ptr_eq(m, smpp_reasm_table_find(t, "111", "999", 7));
	ck_assert_int_eq(smpp_reasm_table_add(t, "111", "999", 7, 1, 2,
	    (const uint8_t *)"HELLO ", 6, 12, &m), SMPP_REASM_CONFLICT);
	ck_assert_int_eq(smpp_reasm_table_take(t, "111", "999", 7, out, 5,
	    &len), SMPP_REASM_NO_ROOM);
	ck_assert_int_eq(smpp_reasm_table_take(t, "111", "999", 7, out,
	    sizeof(out), &len), SMPP_REASM_OK);
	ck_assert_uint_eq(len, 11);
	ck_assert_mem_eq(out, "hello world", 11);
	ck_assert_ptr_null(smpp_reasm_table_find(t, "111", "999", 7));
	ck_assert_int_eq(smpp_reasm_table_take(t, "111", "999", 7, out,
	    sizeof(out), &len), SMPP_REASM_NOT_FOUND);

	/* A failing first part leaves no entry behind. */
	ck_assert_int_eq(smpp_reasm_table_add(t, "333", "999", 1, 3, 2,
	    (const uint8_t *)"x", 1, 13, &m), SMPP_REASM_OUT_OF_RANGE);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(smpp_reasm_table_add(t, "333", "999", 1, 1, 2,
	    (const uint8_t *)"0123456789012345678901234567890123", 34, 13,
	    &m), SMPP_REASM_NO_ROOM);
	ck_assert_uint_eq(smpp_reasm_table_count(t), 1);

	/* Per-message octet limit across parts; growth keeps content. */
	ck_assert_int_eq(smpp_reasm_table_add(t, "444", "999", 9, 1, 3,
	    (const uint8_t *)"aaaaaaaaaa", 10, 14, &m), SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_table_add(t, "444", "999", 9, 2, 3,
	    (const uint8_t *)"bbbbbbbbbbbbbbbbbbbb", 20, 15, &m),
	    SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_table_add(t, "444", "999", 9, 3, 3,
	    (const uint8_t *)"ccc", 3, 16, &m), SMPP_REASM_NO_ROOM);
	ck_assert_int_eq(smpp_reasm_table_add(t, "444", "999", 9, 3, 3,
	    (const uint8_t *)"cc", 2, 16, &m), SMPP_REASM_OK);
	ck_assert_uint_le(m->cap, 32);
	ck_assert_uint_eq(m->used, 32);
	ck_assert_int_eq(smpp_reasm_table_take(t, "444", "999", 9, out,
	    sizeof(out), &len), SMPP_REASM_OK);
	ck_assert_uint_eq(len, 32);
	ck_assert_mem_eq(out, "aaaaaaaaaabbbbbbbbbbbbbbbbbbbbcc", 32);

	/* Capacity: three messages. */
	ck_assert_int_eq(smpp_reasm_table_add(t, "555", "999", 1, 1, 2,
	    (const uint8_t *)"x", 1, 20, &m), SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_table_add(t, "666", "999", 1, 1, 3,
	    (const uint8_t *)"x", 1, 30, &m), SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_table_add(t, "777", "999", 1, 1, 2,
	    (const uint8_t *)"x", 1, 40, &m), SMPP_REASM_TABLE_FULL);
	ck_assert_uint_eq(smpp_reasm_table_count(t), 3);

	/* Expiry goes by last activity: touching "222" keeps it. */
	ck_assert_int_eq(smpp_reasm_table_add(t, "222", "999", 7, 2, 3,
	    (const uint8_t *)"y", 1, 50, &m), SMPP_REASM_TOTAL_MISMATCH);
	ck_assert_int_eq(smpp_reasm_table_add(t, "222", "999", 7, 2, 2,
	    (const uint8_t *)"y", 1, 50, &m), SMPP_REASM_OK);
	memset(&ex, 0, sizeof(ex));
	ck_assert_uint_eq(smpp_reasm_table_expire(t, 30, record_expired, &ex),
	    1);
	ck_assert_uint_eq(ex.calls, 1);
	ck_assert_str_eq(ex.last_source, "555");
	ck_assert_str_eq(ex.last_destination, "999");
	ck_assert_uint_eq(ex.last_ref, 1);
	ck_assert_uint_eq(ex.last_missing, 1);
	ck_assert_uint_eq(smpp_reasm_table_expire(t, 31, record_expired, &ex),
	    1);
	ck_assert_str_eq(ex.last_source, "666");
	ck_assert_uint_eq(ex.last_missing, 2);
	ck_assert_ptr_nonnull(smpp_reasm_table_find(t, "222", "999", 7));
	ck_assert_int_eq(smpp_reasm_table_remove(t, "222", "999", 7),
	    SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_table_remove(t, "222", "999", 7),
	    SMPP_REASM_NOT_FOUND);
	ck_assert_uint_eq(smpp_reasm_table_count(t), 0);

	/* Leave some entries for free() to release. */
	ck_assert_int_eq(smpp_reasm_table_add(t, "888", "", 1, 1, 2,
	    (const uint8_t *)"x", 1, 60, NULL), SMPP_REASM_OK);
	ck_assert_int_eq(smpp_reasm_table_add(t, "", "888", 1, 1, 2,
	    (const uint8_t *)"y", 1, 60, NULL), SMPP_REASM_OK);
	ck_assert_uint_eq(smpp_reasm_table_count(t), 2);
	smpp_reasm_table_free(t);
}
END_TEST

START_TEST(test_reasm_table_many)
{
	struct smpp_reasm_table	*t;
	char			 src[16];
	uint8_t			 out[8];
	size_t			 i, len;

	ck_assert_int_eq(smpp_reasm_table_create(&t, 1000, 16), SMPP_REASM_OK);
	for (i = 0; i < 1000; i++) {
		snprintf(src, sizeof(src), "%zu", i);
		ck_assert_int_eq(smpp_reasm_table_add(t, src, "1", (uint16_t)i,
		    2, 2, (const uint8_t *)"b", 1, i, NULL), SMPP_REASM_OK);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(src, sizeof(src), "%zu", i);
		ck_assert_ptr_null(smpp_reasm_table_find(t, src, "1",
		    (uint16_t)(i + 1)));
		ck_assert_int_eq(smpp_reasm_table_add(t, src, "1", (uint16_t)i,
		    1, 2, (const uint8_t *)"a", 1, i, NULL), SMPP_REASM_OK);
		ck_assert_int_eq(smpp_reasm_table_take(t, src, "1",
		    (uint16_t)i, out, sizeof(out), &len), SMPP_REASM_OK);
		ck_assert_mem_eq(out, "ab", 2);
	}
	ck_assert_uint_eq(smpp_reasm_table_count(t), 0);
	smpp_reasm_table_free(t);
}
END_TEST

/*
 * 64 messages in a 64-message table, differing only in source (_i 0),
 * destination (1) or ref (2): many share a hash bucket, and each must
 * still get its own parts back.
 */
START_TEST(test_reasm_table_keys)
{
	struct smpp_reasm_table	*t;
	char			 a[16], b[16];
	uint8_t			 out[8], d;
	size_t			 i, pass, len;
	uint16_t		 ref;

	ck_assert_int_eq(smpp_reasm_table_create(&t, 64, 16), SMPP_REASM_OK);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 64; i++) {
			snprintf(a, sizeof(a), "%s%zu", _i == 0 ? "s" : "",
			    _i == 0 ? i : 1);
			snprintf(b, sizeof(b), "%zu", _i == 1 ? i : 2);
			ref = _i == 2 ? (uint16_t)(i * 257) : 5;
			d = (uint8_t)(i + 0x40 * pass);
			ck_assert_int_eq(smpp_reasm_table_add(t, a, b, ref,
			    (uint8_t)(pass + 1), 2, &d, 1, 0, NULL),
			    SMPP_REASM_OK);
		}
	}
	ck_assert_uint_eq(smpp_reasm_table_count(t), 64);
	for (i = 0; i < 64; i++) {
		snprintf(a, sizeof(a), "%s%zu", _i == 0 ? "s" : "",
		    _i == 0 ? i : 1);
		snprintf(b, sizeof(b), "%zu", _i == 1 ? i : 2);
		ref = _i == 2 ? (uint16_t)(i * 257) : 5;
		ck_assert_int_eq(smpp_reasm_table_take(t, a, b, ref, out,
		    sizeof(out), &len), SMPP_REASM_OK);
		ck_assert_uint_eq(len, 2);
		ck_assert_uint_eq(out[0], i);
		ck_assert_uint_eq(out[1], i + 0x40);
	}
	smpp_reasm_table_free(t);
}
END_TEST

static Suite *
segment_suite(void)
{
	Suite	*s = suite_create("segment");
	TCase	*tc;

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_split_sizes, 0, LEN(split_size_cases));
	tcase_add_test(tc, test_split_udh_bytes);
	tcase_add_test(tc, test_split_escape_not_split);
	tcase_add_test(tc, test_split_surrogate_not_split);
	tcase_add_test(tc, test_split_limits);
	tcase_add_test(tc, test_split_bad_input);
	tcase_add_loop_test(tc, test_split_agrees_with_analysis, 0,
	    LEN(agree_bodies));
	suite_add_tcase(s, tc);

	tc = tcase_create("udh");
	tcase_add_loop_test(tc, test_udh_parse, 0, LEN(udh_cases));
	tcase_add_test(tc, test_udh_packed_gsm_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("reassembly");
	tcase_add_test(tc, test_reasm_orders);
	tcase_add_loop_test(tc, test_reasm_random_255, 0, 4);
	tcase_add_test(tc, test_reasm_errors);
	tcase_add_test(tc, test_split_parse_reassemble);
	tcase_add_test(tc, test_reasm_table);
	tcase_add_test(tc, test_reasm_table_many);
	tcase_add_loop_test(tc, test_reasm_table_keys, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(segment_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
