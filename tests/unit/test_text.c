/*
 * Unit tests for smpp/text.h: GSM 03.38 (unpacked and packed), IA5,
 * Latin-1, UCS-2, strict UTF-8 and the Twilio-style encoding analysis.
 * The expected tables here are typed in independently of gsm7.c.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "smpp/text.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* The GSM basic table in code order, 0x1B (ESC) left out. */
static const char gsm_basic_utf8[] =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

static const struct {
	const char	*utf8;
	uint8_t		 code;
} gsm_extension_cases[] = {
	{ "\f", 0x0a }, { "^", 0x14 }, { "{", 0x28 }, { "}", 0x29 },
	{ "\\", 0x2f }, { "[", 0x3c }, { "~", 0x3d }, { "]", 0x3e },
	{ "|", 0x40 }, { "€", 0x65 },
};

static size_t
hex_parse(const char *hex, uint8_t *out)
{
	size_t	n = 0;

	while (hex[0] != '\0' && hex[1] != '\0') {
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

START_TEST(test_gsm_hellohello_packs)
{
	uint8_t		septets[16], packed[16], back[16], want[16];
	size_t		n, len, wlen;

	ck_assert_int_eq(smpp_gsm_encode("hellohello", 10, septets,
	    sizeof(septets), &n, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(smpp_gsm_pack(septets, n, 0, 0, packed,
	    sizeof(packed), &len, NULL), SMPP_TEXT_OK);
	wlen = hex_parse("E8329BFD4697D9EC37", want);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(packed, want, wlen);
	ck_assert_uint_eq(smpp_gsm_packed_length(10, 0), 9);

	ck_assert_int_eq(smpp_gsm_unpack(packed, len, 0,
	    SMPP_GSM_SEPTETS_FROM_LENGTH, 0, back, sizeof(back), &n),
	    SMPP_TEXT_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert_mem_eq(back, septets, 10);
}
END_TEST

/* Reference packer straight from the 23.038 formula, fill 0. */
static size_t
ref_pack(const uint8_t *s, size_t n, uint8_t *out)
{
	size_t	i, j, octets = (7 * n + 7) / 8;
	unsigned int r, lo, hi;

	for (i = 0; i < octets; i++) {
		j = 8 * i / 7;
		r = i % 7;
		lo = j < n ? s[j] : 0;
		hi = j + 1 < n ? s[j + 1] : 0;
		out[i] = (uint8_t)((lo >> r) | (hi << (7 - r)));
	}
	return octets;
}

/* _i is the fill bit count, 0..6. */
START_TEST(test_gsm_pack_fill_roundtrip)
{
	unsigned int	fill = (unsigned int)_i;
	uint8_t		s[40], packed[48], ref[48], back[48];
	size_t		n, i, len, rlen, got, spare;
	uint32_t	seed = 12345 + fill;

	for (n = 0; n <= 33; n++) {
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			s[i] = (uint8_t)(seed >> 16 & 0x7f);
		}
		ck_assert_int_eq(smpp_gsm_pack(s, n, fill, 0, packed,
		    sizeof(packed), &len, NULL), SMPP_TEXT_OK);
		ck_assert_uint_eq(len, n == 0 ? 0 : (fill + 7 * n + 7) / 8);

		/* Same bits as the fill-0 reference, shifted up by fill. */
		rlen = ref_pack(s, n, ref);
		for (i = 0; i < len; i++) {
			unsigned int want = (i < rlen ? ref[i] : 0) << fill;
			if (i > 0 && i - 1 < rlen)
				want |= ref[i - 1] >> (8 - fill);
			ck_assert_uint_eq(packed[i], want & 0xff);
		}
		if (len > 0)
			ck_assert_uint_eq(packed[0] & ((1u << fill) - 1), 0);

		ck_assert_int_eq(smpp_gsm_unpack(packed, len, fill, n, 0,
		    back, sizeof(back), &got), SMPP_TEXT_OK);
		ck_assert_uint_eq(got, n);
		ck_assert_mem_eq(back, s, n);

		/* Without a count: seven spare bits read as one more '@'. */
		ck_assert_int_eq(smpp_gsm_unpack(packed, len, fill,
		    SMPP_GSM_SEPTETS_FROM_LENGTH, 0, back, sizeof(back), &got),
		    SMPP_TEXT_OK);
		spare = 8 * len - fill - 7 * n;
		ck_assert_uint_eq(got, n + (n > 0 && spare == 7));
		ck_assert_mem_eq(back, s, n);
	}
}
END_TEST

START_TEST(test_gsm_fill_bits)
{
	ck_assert_uint_eq(smpp_gsm_fill_bits(0), 0);
	ck_assert_uint_eq(smpp_gsm_fill_bits(6), 1);
	ck_assert_uint_eq(smpp_gsm_fill_bits(7), 0);
	ck_assert_uint_eq(smpp_gsm_fill_bits(12), 2);
	ck_assert_uint_eq(smpp_gsm_fill_bits(1), 6);
	ck_assert_uint_eq(smpp_gsm_fill_bits(5), 2);
}
END_TEST

START_TEST(test_gsm_pad_cr)
{
	uint8_t	s[16], packed[16], back[16];
	size_t	n, len, got;

	/* 7 septets: seven spare bits get CR only when asked. */
	smpp_gsm_encode("1234567", 7, s, sizeof(s), &n, NULL);
	ck_assert_int_eq(smpp_gsm_pack(s, n, 0, 0, packed, sizeof(packed),
	    &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 7);
	ck_assert_uint_eq(packed[6] >> 1, 0x00);
	ck_assert_int_eq(smpp_gsm_pack(s, n, 0, SMPP_GSM_PAD_CR, packed,
	    sizeof(packed), &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 7);
	ck_assert_uint_eq(packed[6] >> 1, 0x0d);
	ck_assert_int_eq(smpp_gsm_unpack(packed, len, 0,
	    SMPP_GSM_SEPTETS_FROM_LENGTH, 0, back, sizeof(back), &got),
	    SMPP_TEXT_OK);
	ck_assert_uint_eq(got, 8);
	ck_assert_uint_eq(back[7], 0x0d);
	ck_assert_int_eq(smpp_gsm_unpack(packed, len, 0,
	    SMPP_GSM_SEPTETS_FROM_LENGTH, SMPP_GSM_PAD_CR, back, sizeof(back),
	    &got), SMPP_TEXT_OK);
	ck_assert_uint_eq(got, 7);
	ck_assert_mem_eq(back, s, 7);

	/* A wanted CR ending on an octet boundary is doubled. */
	smpp_gsm_encode("1234567\r", 8, s, sizeof(s), &n, NULL);
	ck_assert_int_eq(smpp_gsm_pack(s, n, 0, 0, packed, sizeof(packed),
	    &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 7);
	ck_assert_int_eq(smpp_gsm_pack(s, n, 0, SMPP_GSM_PAD_CR, packed,
	    sizeof(packed), &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(smpp_gsm_unpack(packed, len, 0,
	    SMPP_GSM_SEPTETS_FROM_LENGTH, SMPP_GSM_PAD_CR, back, sizeof(back),
	    &got), SMPP_TEXT_OK);
	ck_assert_uint_eq(got, 9);
	ck_assert_mem_eq(back, s, 8);
	ck_assert_uint_eq(back[8], 0x0d);

	/* Exactly full, last septet not CR: nothing to strip. */
	smpp_gsm_encode("12345678", 8, s, sizeof(s), &n, NULL);
	ck_assert_int_eq(smpp_gsm_pack(s, n, 0, SMPP_GSM_PAD_CR, packed,
	    sizeof(packed), &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 7);
	ck_assert_int_eq(smpp_gsm_unpack(packed, len, 0,
	    SMPP_GSM_SEPTETS_FROM_LENGTH, SMPP_GSM_PAD_CR, back, sizeof(back),
	    &got), SMPP_TEXT_OK);
	ck_assert_uint_eq(got, 8);
	ck_assert_mem_eq(back, s, 8);

	/* A final CR off the octet boundary is not doubled. */
	smpp_gsm_encode("12\r", 3, s, sizeof(s), &n, NULL);
	ck_assert_int_eq(smpp_gsm_pack(s, n, 0, SMPP_GSM_PAD_CR, packed,
	    sizeof(packed), &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(smpp_gsm_unpack(packed, len, 0,
	    SMPP_GSM_SEPTETS_FROM_LENGTH, SMPP_GSM_PAD_CR, back, sizeof(back),
	    &got), SMPP_TEXT_OK);
	ck_assert_uint_eq(got, 3);
	ck_assert_mem_eq(back, s, 3);

	/* With one fill bit, 8 septets leave the seven spare bits. */
	smpp_gsm_encode("12345678", 8, s, sizeof(s), &n, NULL);
	ck_assert_int_eq(smpp_gsm_pack(s, n, 1, SMPP_GSM_PAD_CR, packed,
	    sizeof(packed), &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(packed[7] >> 1, 0x0d);
	ck_assert_int_eq(smpp_gsm_unpack(packed, len, 1,
	    SMPP_GSM_SEPTETS_FROM_LENGTH, SMPP_GSM_PAD_CR, back, sizeof(back),
	    &got), SMPP_TEXT_OK);
	ck_assert_uint_eq(got, 8);
	ck_assert_mem_eq(back, s, 8);
}
END_TEST

START_TEST(test_gsm_pack_errors)
{
	uint8_t	s[4] = { 0x41, 0x80, 0x41, 0x41 }, out[8];
	size_t	len, off = 99;

	ck_assert_int_eq(smpp_gsm_pack(s, 4, 0, 0, out, sizeof(out), &len,
	    &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, 1);
	s[1] = 0x41;
	ck_assert_int_eq(smpp_gsm_pack(s, 4, 7, 0, out, sizeof(out), &len,
	    &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_int_eq(smpp_gsm_pack(s, 4, 0, 0, out, 3, &len, &off),
	    SMPP_TEXT_NO_ROOM);
	ck_assert_int_eq(smpp_gsm_pack(s, 4, 0, 0, NULL, 0, &len, &off),
	    SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(smpp_gsm_unpack(out, 2, 0, 3, 0, s, sizeof(s),
	    &len), SMPP_TEXT_BAD_INPUT);
	ck_assert_int_eq(smpp_gsm_unpack(out, 2, 0, 2, 0, s, 1, &len),
	    SMPP_TEXT_NO_ROOM);
}
END_TEST

START_TEST(test_gsm_basic_table_roundtrip)
{
	uint8_t		codes[160];
	char		back[512];
	size_t		n, len, i, k = 0, pos;
	uint32_t	cp;
	int		code;

	ck_assert_int_eq(smpp_gsm_encode(gsm_basic_utf8,
	    strlen(gsm_basic_utf8), codes, sizeof(codes), &n, NULL),
	    SMPP_TEXT_OK);
	ck_assert_uint_eq(n, 127);
	for (code = 0; code < 128; code++) {
		if (code == 0x1b)
			continue;
		ck_assert_uint_eq(codes[k], code);
		k++;
	}
	ck_assert_int_eq(smpp_gsm_decode(codes, n, back, sizeof(back), &len,
	    NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, strlen(gsm_basic_utf8));
	ck_assert_mem_eq(back, gsm_basic_utf8, len);

	/* One character at a time, so a swap cannot hide in the sum. */
	for (i = 0; i < n; i++) {
		char	one[8];
		uint8_t	again;
		size_t	olen, alen;

		ck_assert_int_eq(smpp_gsm_decode(&codes[i], 1, one,
		    sizeof(one), &olen, NULL), SMPP_TEXT_OK);
		ck_assert_int_eq(smpp_gsm_encode(one, olen, &again, 1, &alen,
		    NULL), SMPP_TEXT_OK);
		ck_assert_uint_eq(alen, 1);
		ck_assert_uint_eq(again, codes[i]);
		pos = 0;
		ck_assert_int_eq(smpp_utf8_next(one, olen, &pos, &cp), 0);
		ck_assert_uint_eq(pos, olen);
		ck_assert_int_eq(smpp_gsm_char_septets(cp), 1);
	}
}
END_TEST

/* _i indexes gsm_extension_cases. */
START_TEST(test_gsm_extension_roundtrip)
{
	const char	*u = gsm_extension_cases[_i].utf8;
	uint8_t		 s[4];
	char		 back[8];
	size_t		 n, len, pos = 0;
	uint32_t	 cp;

	ck_assert_int_eq(smpp_gsm_encode(u, strlen(u), s, sizeof(s), &n,
	    NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0], 0x1b);
	ck_assert_uint_eq(s[1], gsm_extension_cases[_i].code);
	ck_assert_int_eq(smpp_gsm_decode(s, n, back, sizeof(back), &len,
	    NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, strlen(u));
	ck_assert_mem_eq(back, u, len);
	ck_assert_int_eq(smpp_utf8_next(u, strlen(u), &pos, &cp), 0);
	ck_assert_int_eq(smpp_gsm_char_septets(cp), 2);
}
END_TEST

static const struct {
	const char	*hex;		/* unpacked septets */
	const char	*utf8;
} gsm_decode_cases[] = {
	{ "1B65", "€" },
	{ "1B41", "A" },		/* ESC + non-extension: base char */
	{ "1B0D", "\r" },		/* CR2 shows as CR */
	{ "1B1B", " " },		/* SS2 shows as a space */
	{ "411B", "A\xc2\xa0" },	/* lone trailing ESC */
	{ "1B", "\xc2\xa0" },
	{ "00", "@" },
	{ "1B281B29", "{}" },
	{ "", "" },
};

START_TEST(test_gsm_decode_escapes)
{
	uint8_t	in[8];
	char	out[16];
	size_t	n = hex_parse(gsm_decode_cases[_i].hex, in), len;

	ck_assert_int_eq(smpp_gsm_decode(in, n, out, sizeof(out), &len,
	    NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, strlen(gsm_decode_cases[_i].utf8));
	ck_assert_mem_eq(out, gsm_decode_cases[_i].utf8, len);
}
END_TEST

START_TEST(test_gsm_decode_errors)
{
	uint8_t	in[] = { 0x41, 0x42, 0x80 }, esc[] = { 0x1b, 0x90 };
	char	out[8];
	size_t	len, off;

	ck_assert_int_eq(smpp_gsm_decode(in, 3, out, sizeof(out), &len, &off),
	    SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, 2);
	ck_assert_uint_eq(len, 2);
	ck_assert_int_eq(smpp_gsm_decode(esc, 2, out, sizeof(out), &len,
	    &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, 1);
	/* '£' needs two octets; only one left. */
	in[0] = 0x41;
	in[1] = 0x01;
	ck_assert_int_eq(smpp_gsm_decode(in, 2, out, 2, &len, &off),
	    SMPP_TEXT_NO_ROOM);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(off, 1);
}
END_TEST

static const struct {
	const char	*utf8;
	enum smpp_text_status st;
	const char	*hex;		/* expected septets when OK */
	size_t		 off;		/* expected erroff otherwise */
} gsm_encode_cases[] = {
	{ "ç", SMPP_TEXT_OK, "09", 0 },
	{ "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", SMPP_TEXT_OK,
	    "41 42 45 5A 48 49 4B 4D 4E 4F 50 54 59 58", 0 },
	{ "ΔΦΓΛΩΠΨΣΘΞ", SMPP_TEXT_OK, "10 12 13 14 15 16 17 18 19 1A", 0 },
	{ "ab`", SMPP_TEXT_UNMAPPABLE, NULL, 2 },
	{ "x\xc2\xa0", SMPP_TEXT_UNMAPPABLE, NULL, 1 },	/* NBSP */
	{ "α", SMPP_TEXT_UNMAPPABLE, NULL, 0 },
	{ "ok\xe2\x80\x99", SMPP_TEXT_UNMAPPABLE, NULL, 2 },
	{ "ab\xff", SMPP_TEXT_BAD_INPUT, NULL, 2 },
};

START_TEST(test_gsm_encode_cases)
{
	const char	*u = gsm_encode_cases[_i].utf8;
	uint8_t		 out[32], want[32];
	size_t		 len, off = 999, wlen;

	ck_assert_int_eq(smpp_gsm_encode(u, strlen(u), out, sizeof(out),
	    &len, &off), gsm_encode_cases[_i].st);
	if (gsm_encode_cases[_i].st == SMPP_TEXT_OK) {
		wlen = hex_parse(gsm_encode_cases[_i].hex, want);
		ck_assert_uint_eq(len, wlen);
		ck_assert_mem_eq(out, want, wlen);
	} else {
		ck_assert_uint_eq(off, gsm_encode_cases[_i].off);
		ck_assert_uint_eq(len, gsm_encode_cases[_i].off);
	}
}
END_TEST

START_TEST(test_gsm_encode_no_room)
{
	uint8_t	out[8];
	size_t	len, off;

	ck_assert_int_eq(smpp_gsm_encode("ab€", 5, out, 3, &len, &off),
	    SMPP_TEXT_NO_ROOM);
	ck_assert_uint_eq(len, 2);
	ck_assert_uint_eq(off, 2);
	ck_assert_int_eq(smpp_gsm_encode("ab€", 5, NULL, 0, &len, &off),
	    SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 4);
}
END_TEST

static const struct {
	const char	*in;
	size_t		 len;
	int		 ok;
	size_t		 off;
} utf8_cases[] = {
	{ "plain", 5, 1, 0 },
	{ "\xf4\x8f\xbf\xbf", 4, 1, 0 },		/* U+10FFFF */
	{ "\xef\xbf\xbf", 3, 1, 0 },			/* U+FFFF */
	{ "\xed\x9f\xbf", 3, 1, 0 },			/* U+D7FF */
	{ "a\0b", 3, 1, 0 },				/* NUL is valid */
	{ "ab\xc0\x80", 4, 0, 2 },			/* overlong NUL */
	{ "\xc1\xbf", 2, 0, 0 },			/* overlong */
	{ "xy\xe0\x80\xaf", 5, 0, 2 },			/* overlong 3 */
	{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },		/* overlong 4 */
	{ "x\xed\xa0\x80", 4, 0, 1 },			/* U+D800 */
	{ "xyz\xed\xbf\xbf", 6, 0, 3 },			/* U+DFFF */
	{ "\xf4\x90\x80\x80", 4, 0, 0 },		/* U+110000 */
	{ "a\xf5\x80\x80\x80", 5, 0, 1 },
	{ "abc\x80", 4, 0, 3 },				/* stray continuation */
	{ "ab\xe2\x82", 4, 0, 2 },			/* truncated */
	{ "\xe2\x82\x41", 3, 0, 0 },			/* bad continuation */
	{ "\xc3\xa9\xff", 3, 0, 2 },
};

START_TEST(test_utf8_strict)
{
	const char	*in = utf8_cases[_i].in;
	size_t		 len = utf8_cases[_i].len, off = 999, olen;
	uint8_t		 out[32];
	struct smpp_text_analysis a;

	if (utf8_cases[_i].ok) {
		ck_assert_int_eq(smpp_utf8_validate(in, len, &off),
		    SMPP_TEXT_OK);
		ck_assert_int_eq(smpp_ucs2_encode(in, len, out, sizeof(out),
		    &olen, &off), SMPP_TEXT_OK);
		return;
	}
	ck_assert_int_eq(smpp_utf8_validate(in, len, &off),
	    SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, utf8_cases[_i].off);
	off = 999;
	ck_assert_int_eq(smpp_ucs2_encode(in, len, out, sizeof(out), &olen,
	    &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, utf8_cases[_i].off);
	off = 999;
	ck_assert_int_eq(smpp_text_analyze(in, len, 0, &a, &off),
	    SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, utf8_cases[_i].off);
	off = 999;
	ck_assert_int_eq(smpp_latin1_encode(in, len, out, sizeof(out), &olen,
	    &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, utf8_cases[_i].off);
}
END_TEST

START_TEST(test_utf8_put_roundtrip)
{
	static const uint32_t cps[] = { 0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff,
	    0xe000, 0xffff, 0x10000, 0x1f600, 0x10ffff };
	char		buf[4];
	size_t		i, n, pos;
	uint32_t	cp;

	for (i = 0; i < LEN(cps); i++) {
		n = smpp_utf8_put(cps[i], buf, sizeof(buf));
		ck_assert_uint_eq(n, smpp_utf8_put(cps[i], NULL, 0));
		ck_assert_uint_eq(smpp_utf8_put(cps[i], buf, n - 1), 0);
		pos = 0;
		ck_assert_int_eq(smpp_utf8_next(buf, n, &pos, &cp), 0);
		ck_assert_uint_eq(pos, n);
		ck_assert_uint_eq(cp, cps[i]);
	}
}
END_TEST

START_TEST(test_ucs2_roundtrip)
{
	const char	*u = "A€😀\xf4\x8f\xbf\xbf";
	uint8_t		 out[32], want[32];
	char		 back[32];
	size_t		 len, wlen, blen;

	ck_assert_int_eq(smpp_ucs2_encode(u, strlen(u), out, sizeof(out),
	    &len, NULL), SMPP_TEXT_OK);
	wlen = hex_parse("0041 20AC D83D DE00 DBFF DFFF", want);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(out, want, wlen);
	ck_assert_int_eq(smpp_ucs2_decode(out, len, back, sizeof(back), &blen,
	    NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(blen, strlen(u));
	ck_assert_mem_eq(back, u, blen);

	/* No room for the second half of a pair: the pair is not split. */
	ck_assert_int_eq(smpp_ucs2_encode(u, strlen(u), out, 6, &len, &wlen),
	    SMPP_TEXT_NO_ROOM);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(wlen, 4);
}
END_TEST

static const struct {
	const char	*hex;
	size_t		 off;
} ucs2_bad_cases[] = {
	{ "D83D 0041", 0 },		/* high not followed by low */
	{ "0041 DC00", 2 },		/* lone low */
	{ "0041 0042 D83D", 4 },	/* high at the end */
	{ "0041 00", 2 },		/* odd length */
	{ "DE00 D83D", 0 },		/* pair in the wrong order */
	{ "0041 D83D D83D DE00", 2 },
};

START_TEST(test_ucs2_bad)
{
	uint8_t	in[16];
	char	out[32];
	size_t	n = hex_parse(ucs2_bad_cases[_i].hex, in), len, off = 999;

	ck_assert_int_eq(smpp_ucs2_decode(in, n, out, sizeof(out), &len,
	    &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, ucs2_bad_cases[_i].off);
	ck_assert_int_eq(smpp_text_decode(0x08, in, n, out, sizeof(out), &len,
	    &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, ucs2_bad_cases[_i].off);
}
END_TEST

START_TEST(test_latin1_ascii)
{
	uint8_t	all[256], out[8];
	char	utf8[512];
	uint8_t	back[256];
	size_t	i, len, blen, off;

	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	ck_assert_int_eq(smpp_latin1_decode(all, 256, utf8, sizeof(utf8),
	    &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 128 + 2 * 128);
	ck_assert_int_eq(smpp_latin1_encode(utf8, len, back, sizeof(back),
	    &blen, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(blen, 256);
	ck_assert_mem_eq(back, all, 256);

	ck_assert_int_eq(smpp_latin1_encode("é", 2, out, sizeof(out), &len,
	    NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(out[0], 0xe9);
	ck_assert_int_eq(smpp_latin1_encode("a€", 4, out, sizeof(out), &len,
	    &off), SMPP_TEXT_UNMAPPABLE);
	ck_assert_uint_eq(off, 1);

	ck_assert_int_eq(smpp_ascii_decode(all, 128, utf8, sizeof(utf8),
	    &len, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 128);
	ck_assert_mem_eq(utf8, all, 128);
	ck_assert_int_eq(smpp_ascii_decode(all + 120, 10, utf8, sizeof(utf8),
	    &len, &off), SMPP_TEXT_BAD_INPUT);
	ck_assert_uint_eq(off, 8);
	ck_assert_int_eq(smpp_ascii_encode("ab~é", 5, out, sizeof(out), &len,
	    &off), SMPP_TEXT_UNMAPPABLE);
	ck_assert_uint_eq(off, 3);
	ck_assert_uint_eq(len, 3);
}
END_TEST

static const struct {
	uint8_t		 dc;
	const char	*hex;
	enum smpp_text_status st;
	const char	*utf8;
} decode_dispatch_cases[] = {
	{ 0x00, "48 69 1B 65", SMPP_TEXT_OK, "Hi€" },
	{ 0xf0, "48 69", SMPP_TEXT_OK, "Hi" },
	{ 0xf3, "00 01", SMPP_TEXT_OK, "@£" },
	{ 0x01, "48 69 7E", SMPP_TEXT_OK, "Hi~" },
	{ 0x03, "48 E9", SMPP_TEXT_OK, "Hé" },
	{ 0x08, "0048 20AC", SMPP_TEXT_OK, "H€" },
	{ 0x02, "48 69", SMPP_TEXT_NOT_TEXT, NULL },
	{ 0x04, "48 69", SMPP_TEXT_NOT_TEXT, NULL },
	{ 0xf4, "48 69", SMPP_TEXT_NOT_TEXT, NULL },
	{ 0xf7, "48 69", SMPP_TEXT_NOT_TEXT, NULL },
	{ 0x06, "48 69", SMPP_TEXT_NOT_TEXT, NULL },
	{ 0x00, "48 C8", SMPP_TEXT_BAD_INPUT, NULL },
};

START_TEST(test_text_decode_dispatch)
{
	uint8_t	in[16], again[16];
	char	out[32];
	size_t	n = hex_parse(decode_dispatch_cases[_i].hex, in), len, alen;

	ck_assert_int_eq(smpp_text_decode(decode_dispatch_cases[_i].dc, in, n,
	    out, sizeof(out), &len, NULL), decode_dispatch_cases[_i].st);
	if (decode_dispatch_cases[_i].st != SMPP_TEXT_OK)
		return;
	ck_assert_uint_eq(len, strlen(decode_dispatch_cases[_i].utf8));
	ck_assert_mem_eq(out, decode_dispatch_cases[_i].utf8, len);
	/* And back through the encoder for the same data_coding. */
	ck_assert_int_eq(smpp_text_encode(decode_dispatch_cases[_i].dc, out,
	    len, again, sizeof(again), &alen, NULL), SMPP_TEXT_OK);
	ck_assert_uint_eq(alen, n);
	ck_assert_mem_eq(again, in, n);
}
END_TEST

START_TEST(test_text_encode_dispatch)
{
	uint8_t	out[16];
	size_t	len, off;

	ck_assert_int_eq(smpp_text_encode(0x02, "x", 1, out, sizeof(out),
	    &len, &off), SMPP_TEXT_NOT_TEXT);
	ck_assert_int_eq(smpp_text_encode(0x00, "a😀", 5, out, sizeof(out),
	    &len, &off), SMPP_TEXT_UNMAPPABLE);
	ck_assert_uint_eq(off, 1);
	ck_assert_int_eq(smpp_text_encode(0x08, "a😀", 5, out, sizeof(out),
	    &len, &off), SMPP_TEXT_OK);
	ck_assert_uint_eq(len, 6);
	ck_assert_int_eq(smpp_text_charset(0x00), SMPP_CHARSET_GSM);
	ck_assert_int_eq(smpp_text_charset(0x08), SMPP_CHARSET_UCS2);
	ck_assert_int_eq(smpp_text_charset(0xe8), SMPP_CHARSET_BINARY);
	ck_assert_str_eq(smpp_text_status_name(SMPP_TEXT_NO_ROOM),
	    "output buffer too small");
	ck_assert_str_eq(smpp_text_status_name((enum smpp_text_status)99),
	    "unknown status");
}
END_TEST

/*
 * Analysis cases. A body is built from up to three runs: n1 copies of s1,
 * then n2 of s2, then n3 of s3.
 */
static const struct {
	const char	*name;
	const char	*s1; size_t n1;
	const char	*s2; size_t n2;
	const char	*s3; size_t n3;
	unsigned int	 flags;
	enum smpp_charset charset;
	size_t		 units, chars, segments;
} analysis_cases[] = {
	{ "empty", "", 0, NULL, 0, NULL, 0, 0, SMPP_CHARSET_GSM, 0, 0, 1 },
	{ "gsm 160", "a", 160, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 160, 160, 1 },
	{ "gsm 161", "a", 161, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 161, 161, 2 },
	{ "gsm 306", "a", 306, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 306, 306, 2 },
	{ "gsm 307", "a", 307, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 307, 307, 3 },
	{ "euro among 159", "a", 159, "€", 1, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 161, 160, 2 },
	{ "euro among 158 fits", "a", 158, "€", 1, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 160, 159, 1 },
	/* ESC pair at septets 153-154 moves whole: 152 + 153 + 1. */
	{ "escape not split", "a", 152, "€", 1, "a", 152, 0,
	    SMPP_CHARSET_GSM, 306, 305, 3 },
	{ "escape fits at 152", "a", 151, "€", 1, "a", 153, 0,
	    SMPP_CHARSET_GSM, 306, 305, 2 },
	{ "ucs2 70", "ж", 70, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 70, 70, 1 },
	{ "ucs2 71", "ж", 71, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 71, 71, 2 },
	{ "ucs2 134", "ж", 134, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 134, 134, 2 },
	{ "ucs2 135", "ж", 135, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 135, 135, 3 },
	/* Emoji at units 67-68 moves whole: 66 + 67 + 1. */
	{ "emoji straddles", "ж", 66, "😀", 1, "ж", 66, 0,
	    SMPP_CHARSET_UCS2, 134, 133, 3 },
	{ "emoji fits", "ж", 65, "😀", 1, "ж", 67, 0,
	    SMPP_CHARSET_UCS2, 134, 133, 2 },
	{ "35 emoji", "😀", 35, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 70, 35, 1 },
	{ "36 emoji", "😀", 36, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 72, 36, 2 },
	{ "backtick", "a", 10, "`", 1, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 11, 11, 1 },
	{ "curly quote", "it", 1, "\xe2\x80\x99", 1, "s", 1, 0,
	    SMPP_CHARSET_UCS2, 4, 4, 1 },
	{ "small c-cedilla not gsm", "ç", 1, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 1, 1, 1 },
	{ "greek alpha not gsm", "Α", 1, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_UCS2, 1, 1, 1 },
	{ "all extension", "{}[]~\\^|€\f", 16, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 320, 160, 3 },
	{ "forced ucs2", "hello", 1, NULL, 0, NULL, 0, SMPP_TEXT_FORCE_UCS2,
	    SMPP_CHARSET_UCS2, 5, 5, 1 },
	{ "forced ucs2 71", "a", 71, NULL, 0, NULL, 0, SMPP_TEXT_FORCE_UCS2,
	    SMPP_CHARSET_UCS2, 71, 71, 2 },
	{ "greek capitals in table", "ΔΦΓΛΩΠΨΣΘΞ", 16, NULL, 0, NULL, 0, 0,
	    SMPP_CHARSET_GSM, 160, 160, 1 },
};

static size_t
build_body(char *buf, size_t cap, const char *s1, size_t n1, const char *s2,
    size_t n2, const char *s3, size_t n3)
{
	const char	*s[3] = { s1, s2, s3 };
	size_t		 n[3] = { n1, n2, n3 }, len = 0, i, k, l;

	for (i = 0; i < 3; i++) {
		if (s[i] == NULL)
			continue;
		l = strlen(s[i]);
		for (k = 0; k < n[i]; k++) {
			ck_assert_uint_le(len + l, cap);
			memcpy(buf + len, s[i], l);
			len += l;
		}
	}
	return len;
}

START_TEST(test_analysis)
{
	char	body[4096];
	size_t	len;
	struct smpp_text_analysis a;

	len = build_body(body, sizeof(body), analysis_cases[_i].s1,
	    analysis_cases[_i].n1, analysis_cases[_i].s2, analysis_cases[_i].n2,
	    analysis_cases[_i].s3, analysis_cases[_i].n3);
	ck_assert_msg(smpp_text_analyze(body, len, analysis_cases[_i].flags,
	    &a, NULL) == SMPP_TEXT_OK, "%s", analysis_cases[_i].name);
	ck_assert_msg(a.charset == analysis_cases[_i].charset, "%s: charset",
	    analysis_cases[_i].name);
	ck_assert_uint_eq(a.data_coding,
	    analysis_cases[_i].charset == SMPP_CHARSET_GSM ? 0x00 : 0x08);
	ck_assert_msg(a.units == analysis_cases[_i].units, "%s: units %zu",
	    analysis_cases[_i].name, a.units);
	ck_assert_msg(a.chars == analysis_cases[_i].chars, "%s: chars %zu",
	    analysis_cases[_i].name, a.chars);
	ck_assert_msg(a.segments == analysis_cases[_i].segments,
	    "%s: segments %zu", analysis_cases[_i].name, a.segments);
}
END_TEST

START_TEST(test_analysis_non_gsm_offset)
{
	struct smpp_text_analysis a;

	ck_assert_int_eq(smpp_text_analyze("ab`c`", 5, 0, &a, NULL),
	    SMPP_TEXT_OK);
	ck_assert_uint_eq(a.non_gsm_offset, 2);
	ck_assert_int_eq(smpp_text_analyze("é€", 5, 0, &a, NULL),
	    SMPP_TEXT_OK);
	ck_assert_uint_eq(a.non_gsm_offset, SIZE_MAX);
	ck_assert_uint_eq(a.units, 3);
}
END_TEST

static Suite *
text_suite(void)
{
	Suite	*s = suite_create("text");
	TCase	*tc;

	tc = tcase_create("gsm");
	tcase_add_test(tc, test_gsm_hellohello_packs);
	tcase_add_loop_test(tc, test_gsm_pack_fill_roundtrip, 0, 7);
	tcase_add_test(tc, test_gsm_fill_bits);
	tcase_add_test(tc, test_gsm_pad_cr);
	tcase_add_test(tc, test_gsm_pack_errors);
	tcase_add_test(tc, test_gsm_basic_table_roundtrip);
	tcase_add_loop_test(tc, test_gsm_extension_roundtrip, 0,
	    LEN(gsm_extension_cases));
	tcase_add_loop_test(tc, test_gsm_decode_escapes, 0,
	    LEN(gsm_decode_cases));
	tcase_add_test(tc, test_gsm_decode_errors);
	tcase_add_loop_test(tc, test_gsm_encode_cases, 0,
	    LEN(gsm_encode_cases));
	tcase_add_test(tc, test_gsm_encode_no_room);
	suite_add_tcase(s, tc);

	tc = tcase_create("unicode");
	tcase_add_loop_test(tc, test_utf8_strict, 0, LEN(utf8_cases));
	tcase_add_test(tc, test_utf8_put_roundtrip);
	tcase_add_test(tc, test_ucs2_roundtrip);
	tcase_add_loop_test(tc, test_ucs2_bad, 0, LEN(ucs2_bad_cases));
	tcase_add_test(tc, test_latin1_ascii);
	tcase_add_loop_test(tc, test_text_decode_dispatch, 0,
	    LEN(decode_dispatch_cases));
	tcase_add_test(tc, test_text_encode_dispatch);
	suite_add_tcase(s, tc);

	tc = tcase_create("analysis");
	tcase_add_loop_test(tc, test_analysis, 0, LEN(analysis_cases));
	tcase_add_test(tc, test_analysis_non_gsm_offset);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(text_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
