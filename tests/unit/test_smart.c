/*
 * Unit tests for smpp/smart.h (Smart Encoding) and for the segment count
 * Twilio gives a body: smpp_text_analyze()'s count, which the gateway
 * reports as num_segments, must equal the parts smpp_segment_split()
 * makes of the encoded body, which the gateway sends.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "smpp/segment.h"
#include "smpp/smart.h"
#include "smpp/text.h"

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

enum smart_source {
	OFFICIAL,
	DEVED,
	DEVED_TWO_SPACES,
	DEVED_SEVEN_SPACES,
};

static const struct {
	unsigned long	 cp;
	const char	*replacement;
	enum smart_source source;
} smart_rows[] = {
#define SMPP_SMART(code, replacement, source) { code, replacement, source },
#include "smpp/smart.def"
#undef SMPP_SMART
};

/* pad times 'a', then s. */
static char *
padded(size_t pad, const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(pad + n + 1);

	ck_assert_ptr_nonnull(out);
	memset(out, 'a', pad);
	memcpy(out + pad, s, n + 1);
	return out;
}

/* n copies of unit, then mid, then m copies of unit. */
static char *
repeated(const char *unit, size_t n, const char *mid, size_t m)
{
	size_t u = strlen(unit), k = strlen(mid), i, o = 0;
	char *out = malloc(u * (n + m) + k + 1);

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++, o += u)
		memcpy(out + o, unit, u);
	memcpy(out + o, mid, k);
	o += k;
	for (i = 0; i < m; i++, o += u)
		memcpy(out + o, unit, u);
	out[o] = '\0';
	return out;
}

/*
 * Encodes body as analyze chose and splits it as the gateway does; the
 * parts must number a->segments, hold at most a part's units each, and
 * never end inside an ESC pair or a surrogate pair. Returns the first
 * part's units.
 */
static size_t
assert_split_agrees(const char *body, const struct smpp_text_analysis *a)
{
	struct smpp_segment_part parts[32];
	size_t len = strlen(body), enc_len, n, i, end, limit;
	enum smpp_segment_unit unit = smpp_segment_unit_for(a->data_coding);
	uint8_t *enc = malloc(2 * len + 1);

	ck_assert_ptr_nonnull(enc);
	ck_assert_int_eq(smpp_text_encode(a->data_coding, body, len, enc,
	    2 * len + 1, &enc_len, NULL), SMPP_TEXT_OK);
	ck_assert_int_eq(smpp_segment_split(enc, enc_len, unit,
	    SMPP_SPLIT_UDH8, 7, parts, LEN(parts), &n), SMPP_SEGMENT_OK);
	ck_assert_uint_eq(n, a->segments);
	limit = n == 1 ? (unit == SMPP_UNIT_UCS2 ? 70 : 160) :
	    (unit == SMPP_UNIT_UCS2 ? 67 : 153);
	for (i = 0; i < n; i++) {
		ck_assert_uint_le(parts[i].units, limit);
		ck_assert_uint_gt(parts[i].length, 0);
		end = parts[i].offset + parts[i].length;
		if (unit == SMPP_UNIT_SEPTET)
			ck_assert_uint_ne(enc[end - 1], 0x1b);
		else
			ck_assert_uint_ne(enc[end - 2] & 0xfc, 0xd8);
	}
	free(enc);
	return parts[0].units;
}

static void
analyze(const char *body, struct smpp_text_analysis *a)
{
	ck_assert_int_eq(smpp_text_analyze(body, strlen(body), 0, a, NULL),
	    SMPP_TEXT_OK);
}

/* ---- the table ---- */

START_TEST(test_table_rows)
{
	struct smpp_text_analysis a;
	unsigned long prev = 0;
	size_t i, official = 0;
	const char *r;

	ck_assert_uint_eq(LEN(smart_rows), 270);
	for (i = 0; i < LEN(smart_rows); i++) {
		if (i > 0)
			ck_assert_msg(smart_rows[i].cp > prev,
			    "row U+%04lX out of order", smart_rows[i].cp);
		prev = smart_rows[i].cp;
		/* A character already in GSM-7 would never be replaced. */
		ck_assert_int_eq(smpp_gsm_char_septets(
		    (uint32_t)smart_rows[i].cp), 0);
		r = smpp_smart_lookup(smart_rows[i].cp);
		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(r, smart_rows[i].replacement);
		analyze(r, &a);
		ck_assert_msg(a.charset == SMPP_CHARSET_GSM,
		    "replacement of U+%04lX is not GSM-7", smart_rows[i].cp);
		if (smart_rows[i].source == OFFICIAL)
			official++;
	}
	/* §9.3: the official list's readable rows, 12 '"' and 13 "'". */
	ck_assert_uint_eq(official, 25);
	ck_assert_ptr_null(smpp_smart_lookup('a'));
	ck_assert_ptr_null(smpp_smart_lookup(0x1F600));
	ck_assert_ptr_null(smpp_smart_lookup(0x110000));
}
END_TEST

/* Every row on its own between two GSM letters. */
START_TEST(test_table_each_row_encodes)
{
	char in[16], want[16];
	size_t outlen, replaced, n;
	char *out;

	/* A C string cannot hold U+0000; that row is there for the
	 * table's sake and checked by test_table_rows. */
	if (smart_rows[_i].cp == 0)
		return;
	n = smpp_utf8_put((uint32_t)smart_rows[_i].cp, in + 1, 8);
	in[0] = 'x';
	in[n + 1] = 'y';
	in[n + 2] = '\0';
	snprintf(want, sizeof want, "x%sy", smart_rows[_i].replacement);
	out = smpp_smart_encode(in, n + 2, &outlen, &replaced);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(outlen, strlen(want));
	ck_assert_uint_eq(replaced, 1);
	free(out);
}
END_TEST

/* ---- look-alike strings: text, encoding and segments ---- */

static const struct {
	const char	*name;
	size_t		 pad;		/* 'a's before in and out */
	const char	*in;
	const char	*out;
	size_t		 replaced;
	uint8_t		 dc_before;
	size_t		 segments_before;
	uint8_t		 dc_after;
	size_t		 segments_after;
} lookalike_cases[] = {
	{ "curly quotes", 0, "\xe2\x80\x9cHello\xe2\x80\x9d "
	  "\xe2\x80\x98world\xe2\x80\x99", "\"Hello\" 'world'", 4,
	  0x08, 1, 0x00, 1 },
	{ "apostrophe in a 152-character body", 150, "\xe2\x80\x99s",
	  "'s", 1, 0x08, 3, 0x00, 1 },
	{ "em and en dash", 0, "a\xe2\x80\x94" "b\xe2\x80\x93" "c",
	  "a-b-c", 2, 0x08, 1, 0x00, 1 },
	{ "ellipsis", 0, "Wait\xe2\x80\xa6", "Wait...", 1,
	  0x08, 1, 0x00, 1 },
	/* The ellipsis grows the body past 160 septets. */
	{ "ellipsis at 159 characters", 158, "\xe2\x80\xa6", "...", 1,
	  0x08, 3, 0x00, 2 },
	{ "fullwidth letters and digits", 0,
	  "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xef\xbc\x91\xef\xbc\x92"
	  "\xef\xbc\x93", "ABC123", 6, 0x08, 1, 0x00, 1 },
	{ "no-break space", 0, "10\xc2\xa0km", "10 km", 1,
	  0x08, 1, 0x00, 1 },
	{ "tab", 0, "a\tb", "a b", 1, 0x08, 1, 0x00, 1 },
	{ "zero width space removed", 0, "a\xe2\x80\x8b" "b", "ab", 1,
	  0x08, 1, 0x00, 1 },
	{ "one half and double exclamation", 0,
	  "\xc2\xbd off\xe2\x80\xbc", "1/2 off!!", 2, 0x08, 1, 0x00, 1 },
	/* An extension look-alike costs two septets after replacement. */
	{ "fullwidth circumflex to ^", 159, "\xef\xbc\xbe", "^", 1,
	  0x08, 3, 0x00, 2 },
	{ "emoji without a look-alike: nothing replaced", 0,
	  "Hi \xe2\x80\x9cthere\xe2\x80\x9d \xf0\x9f\x98\x80",
	  "Hi \xe2\x80\x9cthere\xe2\x80\x9d \xf0\x9f\x98\x80", 0,
	  0x08, 1, 0x08, 1 },
	{ "cyrillic without a look-alike", 0, "\xd0\x96\xe2\x80\x94",
	  "\xd0\x96\xe2\x80\x94", 0, 0x08, 1, 0x08, 1 },
	{ "plain GSM-7 untouched", 0, "Hello {world} \xe2\x82\xac",
	  "Hello {world} \xe2\x82\xac", 0, 0x00, 1, 0x00, 1 },
	{ "invalid UTF-8 copied through", 0, "a\xe2\x80", "a\xe2\x80", 0,
	  0xff, 0, 0xff, 0 },
};

START_TEST(test_lookalikes)
{
	struct smpp_text_analysis a;
	char *in = padded(lookalike_cases[_i].pad, lookalike_cases[_i].in);
	char *want = padded(lookalike_cases[_i].pad, lookalike_cases[_i].out);
	size_t outlen, replaced;
	char *out;

	out = smpp_smart_encode(in, strlen(in), &outlen, &replaced);
	ck_assert_msg(strcmp(out, want) == 0, "%s: got \"%s\"",
	    lookalike_cases[_i].name, out);
	ck_assert_uint_eq(outlen, strlen(want));
	ck_assert_uint_eq(replaced, lookalike_cases[_i].replaced);
	if (lookalike_cases[_i].dc_before != 0xff) {
		analyze(in, &a);
		ck_assert_uint_eq(a.data_coding,
		    lookalike_cases[_i].dc_before);
		ck_assert_uint_eq(a.segments,
		    lookalike_cases[_i].segments_before);
		assert_split_agrees(in, &a);
		analyze(out, &a);
		ck_assert_uint_eq(a.data_coding,
		    lookalike_cases[_i].dc_after);
		ck_assert_uint_eq(a.segments,
		    lookalike_cases[_i].segments_after);
		assert_split_agrees(out, &a);
	}
	free(out);
	free(want);
	free(in);
}
END_TEST

START_TEST(test_encode_out_params_optional)
{
	char *out = smpp_smart_encode("\xe2\x80\x99", 3, NULL, NULL);

	ck_assert_str_eq(out, "'");
	free(out);
	out = smpp_smart_encode("", 0, NULL, NULL);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* ---- segment boundaries ---- */

#define EURO	"\xe2\x82\xac"		/* GSM extension: 2 septets */
#define ZHE	"\xd0\x96"		/* Cyrillic: 1 UTF-16 unit */
#define GRIN	"\xf0\x9f\x98\x80"	/* U+1F600: a surrogate pair */

static const struct {
	const char	*name;
	const char	*unit;		/* n of these, mid, m of these */
	size_t		 n;
	const char	*mid;
	size_t		 m;
	uint8_t		 dc;
	size_t		 units;
	size_t		 segments;
	size_t		 first_part;	/* units in part 1 */
} boundary_cases[] = {
	/* GSM-7: 160 in one SMS, 153 per part, an ESC pair never split. */
	{ "160 septets, euro last", "a", 158, EURO, 0, 0x00, 160, 1, 160 },
	{ "161 septets, euro last", "a", 159, EURO, 0, 0x00, 161, 2, 153 },
	{ "euro ends part 1 at 153", "a", 151, EURO, 10, 0x00, 163, 2, 153 },
	{ "euro straddles 153: part 1 holds 152", "a", 152, EURO, 10,
	  0x00, 164, 2, 152 },
	{ "euro starts part 2 after 153", "a", 153, EURO, 10, 0x00, 165, 2,
	  153 },
	{ "306 septets but 3 parts: the pair moves", "a", 152, EURO, 152,
	  0x00, 306, 3, 152 },
	{ "306 septets in 2 parts", "a", 151, EURO, 153, 0x00, 306, 2, 153 },
	{ "all extension characters", "{", 80, "", 0, 0x00, 160, 1, 160 },
	{ "all extension characters, 162", "{", 81, "", 0, 0x00, 162, 2,
	  152 },
	/* UCS-2: 70 in one SMS, 67 per part, a surrogate pair never split. */
	{ "70 units, emoji last", ZHE, 68, GRIN, 0, 0x08, 70, 1, 70 },
	{ "71 units, emoji last", ZHE, 69, GRIN, 0, 0x08, 71, 2, 67 },
	{ "emoji ends part 1 at 67", ZHE, 65, GRIN, 10, 0x08, 77, 2, 67 },
	{ "emoji straddles 67: part 1 holds 66", ZHE, 66, GRIN, 10, 0x08,
	  78, 2, 66 },
	{ "emoji starts part 2 after 67", ZHE, 67, GRIN, 10, 0x08, 79, 2,
	  67 },
	{ "134 units but 3 parts: the pair moves", ZHE, 66, GRIN, 66, 0x08,
	  134, 3, 66 },
	{ "all emoji, 35", GRIN, 35, "", 0, 0x08, 70, 1, 70 },
	{ "all emoji, 36", GRIN, 36, "", 0, 0x08, 72, 2, 66 },
	/* One non-GSM character makes the whole body UCS-2. */
	{ "159 GSM letters and a curly quote", "a", 159, "\xe2\x80\x9d", 0,
	  0x08, 160, 3, 67 },
	/* 1,600 GSM characters: the longest body, 11 parts. */
	{ "1600 septets", "a", 1600, "", 0, 0x00, 1600, 11, 153 },
	{ "1600 UCS-2 units", ZHE, 1600, "", 0, 0x08, 1600, 24, 67 },
};

START_TEST(test_boundaries)
{
	char *body = repeated(boundary_cases[_i].unit, boundary_cases[_i].n,
	    boundary_cases[_i].mid, boundary_cases[_i].m);
	struct smpp_text_analysis a;

	analyze(body, &a);
	ck_assert_msg(a.data_coding == boundary_cases[_i].dc,
	    "%s: data_coding", boundary_cases[_i].name);
	ck_assert_msg(a.units == boundary_cases[_i].units, "%s: units %zu",
	    boundary_cases[_i].name, a.units);
	ck_assert_msg(a.segments == boundary_cases[_i].segments,
	    "%s: segments %zu", boundary_cases[_i].name, a.segments);
	ck_assert_uint_eq(assert_split_agrees(body, &a),
	    boundary_cases[_i].first_part);
	free(body);
}
END_TEST

static Suite *
smart_suite(void)
{
	Suite	*s = suite_create("smart");
	TCase	*tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_rows);
	tcase_add_loop_test(tc, test_table_each_row_encodes, 0,
	    LEN(smart_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_loop_test(tc, test_lookalikes, 0, LEN(lookalike_cases));
	tcase_add_test(tc, test_encode_out_params_optional);
	suite_add_tcase(s, tc);

	tc = tcase_create("segments");
	tcase_add_loop_test(tc, test_boundaries, 0, LEN(boundary_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(smart_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
