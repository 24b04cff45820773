/*
 * smpp/receipt: delivery receipt text, parsed as real SMSCs send it and
 * built as carrierlab's carriers send it. Instants: 2306151234 is
 * 2023-06-15T12:34Z = 1686832440 s (computed independently).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smpp/receipt.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define F(x)		(1u << SMPP_RECEIPT_FIELD_##x)
#define ALL		(F(ID) | F(SUB) | F(DLVRD) | F(SUBMIT_DATE) | \
			    F(DONE_DATE) | F(STAT) | F(ERR) | F(TEXT))
#define NOSTATE		SMPP_RECEIPT_STAT_UNRECOGNISED

#define T1234		INT64_C(1686832440000000) /* 2023-06-15T12:34Z */
#define T1236		INT64_C(1686832560000000) /* 2023-06-15T12:36Z */
#define T123456		INT64_C(1686832496000000) /* ...T12:34:56Z */
#define T123658		INT64_C(1686832618000000) /* ...T12:36:58Z */

struct parse_case {
	const char		*name;
	const char		*in;
	size_t			 len;		/* 0: strlen(in) */
	enum smpp_receipt_result result;
	unsigned		 present;
	const char		*id, *sub, *dlvrd, *stat, *err, *text;
	const char		*submit, *done;	/* digits as sent */
	int64_t			 submit_usec;	/* 0: no instant */
	int64_t			 done_usec;
	enum smpp_receipt_stat	 state;
	unsigned		 problem_fields;
	const char		*problems[SMPP_RECEIPT_PROBLEMS_MAX];
};

static const struct parse_case parse_cases[] = {
	{
		.name = "smpp-facts 5.3 recommended form",
		.in = "id:0123456789 sub:001 dlvrd:001 submit date:2306151234 "
		    "done date:2306151236 stat:DELIVRD err:000 "
		    "text:Hello world",
		.present = ALL, .id = "0123456789", .sub = "001",
		.dlvrd = "001", .stat = "DELIVRD", .err = "000",
		.text = "Hello world", .submit = "2306151234",
		.done = "2306151236", .submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_DELIVRD,
	},
	{
		.name = "Appendix B example: Text: and a one-digit err",
		.in = "id:1234567890 sub:001 dlvrd:001 submit date:2306151234 "
		    "done date:2306151236 stat:DELIVRD err:0 Text:Hi",
		.present = ALL, .id = "1234567890", .sub = "001",
		.dlvrd = "001", .stat = "DELIVRD", .err = "0", .text = "Hi",
		.submit = "2306151234", .done = "2306151236",
		.submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_DELIVRD,
	},
	{
		.name = "all lower case (cloudhopper lower-cases the text)",
		.in = "id:7af3b2c1 sub:001 dlvrd:000 submit date:2306151234 "
		    "done date:2306151236 stat:undeliv err:001 text:",
		.present = ALL, .id = "7af3b2c1", .sub = "001",
		.dlvrd = "000", .stat = "undeliv", .err = "001", .text = "",
		.submit = "2306151234", .done = "2306151236",
		.submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_UNDELIV,
	},
	{
		.name = "all upper case field names",
		.in = "ID:7AF3B2C1 SUB:001 DLVRD:001 SUBMIT DATE:2306151234 "
		    "DONE DATE:2306151236 STAT:EXPIRED ERR:000 TEXT:X",
		.present = ALL, .id = "7AF3B2C1", .sub = "001",
		.dlvrd = "001", .stat = "EXPIRED", .err = "000", .text = "X",
		.submit = "2306151234", .done = "2306151236",
		.submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_EXPIRED,
	},
	{
		.name = "jasmin: UUID id, no sub, dlvrd or text",
		.in = "id:4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a4f submit date:"
		    "2306151234 done date:2306151236 stat:ACCEPTD err:000",
		.present = F(ID) | F(SUBMIT_DATE) | F(DONE_DATE) | F(STAT) |
		    F(ERR),
		.id = "4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a4f",
		.stat = "ACCEPTD", .err = "000",
		.submit = "2306151234", .done = "2306151236",
		.submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_ACCEPTD,
	},
	{
		.name = "12-digit dates (OpenMarket, smppcenter)",
		.in = "id:12345678901234567890 sub:001 dlvrd:001 submit date:"
		    "230615123456 done date:230615123658 stat:DELIVRD err:000 "
		    "text:ok",
		.present = ALL, .id = "12345678901234567890", .sub = "001",
		.dlvrd = "001", .stat = "DELIVRD", .err = "000", .text = "ok",
		.submit = "230615123456", .done = "230615123658",
		.submit_usec = T123456, .done_usec = T123658,
		.state = SMPP_RECEIPT_STAT_DELIVRD,
	},
	{
		.name = "14-digit dates (cloudhopper yyyyMMddHHmmss)",
		.in = "id:1 sub:001 dlvrd:001 submit date:20230615123456 "
		    "done date:20230615123658 stat:DELIVRD err:000 text:ok",
		.present = ALL, .id = "1", .sub = "001", .dlvrd = "001",
		.stat = "DELIVRD", .err = "000", .text = "ok",
		.submit = "20230615123456", .done = "20230615123658",
		.submit_usec = T123456, .done_usec = T123658,
		.state = SMPP_RECEIPT_STAT_DELIVRD,
	},
	{
		.name = "submitdate:/donedate: without the space (OpenMarket)",
		.in = "id:A-1 submitdate:2306151234 donedate:2306151236 "
		    "stat:DELIVRD",
		.present = F(ID) | F(SUBMIT_DATE) | F(DONE_DATE) | F(STAT),
		.id = "A-1", .stat = "DELIVRD",
		.submit = "2306151234", .done = "2306151236",
		.submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_DELIVRD,
	},
	{
		.name = "submit_date:/Done_Date:, tabs and double blanks",
		.in = "id:9\tsubmit_date:2306151234  Done_Date:2306151236\t\t"
		    "stat:ENROUTE  submit   date:2306151236",
		.present = F(ID) | F(SUBMIT_DATE) | F(DONE_DATE) | F(STAT),
		.id = "9", .stat = "ENROUTE",
		.submit = "2306151234", .done = "2306151236",
		.submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_ENROUTE,
		.problem_fields = F(SUBMIT_DATE),
		.problems = { "submit date: given twice, first kept" },
	},
	{
		.name = "fields in another order, text with colons and blanks",
		.in = "stat:REJECTD err:069 id:42 done date:2306151236 "
		    "text:Your code: 1234 stat:DELIVRD id:7",
		.present = F(STAT) | F(ERR) | F(ID) | F(DONE_DATE) | F(TEXT),
		.id = "42", .stat = "REJECTD", .err = "069",
		.text = "Your code: 1234 stat:DELIVRD id:7",
		.done = "2306151236", .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_REJECTD,
	},
	{
		.name = "Nexmo text:none",
		.in = "id:0B00000012345678 sub:001 dlvrd:001 submit date:"
		    "2306151234 done date:2306151236 stat:DELIVRD err:000 "
		    "text:none",
		.present = ALL, .id = "0B00000012345678", .sub = "001",
		.dlvrd = "001", .stat = "DELIVRD", .err = "000",
		.text = "none", .submit = "2306151234", .done = "2306151236",
		.submit_usec = T1234, .done_usec = T1236,
		.state = SMPP_RECEIPT_STAT_DELIVRD,
	},
	{
		.name = "cloudhopper zeros for unknown dates, BADSTAT",
		.in = "id:0000000001 sub:001 dlvrd:000 submit date:0000000000 "
		    "done date:0000000000 stat:BADSTAT err:000 text:",
		.present = ALL, .id = "0000000001", .sub = "001",
		.dlvrd = "000", .stat = "BADSTAT", .err = "000", .text = "",
		.submit = "0000000000", .done = "0000000000",
		.state = NOSTATE, .problem_fields = F(STAT),
		.problems = { "stat: unknown word BADSTAT" },
	},
	{
		.name = "err longer than 3, date of 11 digits",
		.in = "id:5 done date:23061512345 stat:UNDELIV err:00012",
		.present = F(ID) | F(DONE_DATE) | F(STAT) | F(ERR),
		.id = "5", .stat = "UNDELIV", .err = "00012",
		.done = "23061512345", .state = SMPP_RECEIPT_STAT_UNDELIV,
		.problem_fields = F(DONE_DATE) | F(ERR),
		.problems = { "done date: 11 digits", "err: longer than 3" },
	},
	{
		.name = "dates that are no dates",
		.in = "submit date:2313151234 done date:23-06-15 stat:DELETED "
		    "sub:0x1 dlvrd:1234",
		.present = F(SUBMIT_DATE) | F(DONE_DATE) | F(STAT) | F(SUB) |
		    F(DLVRD),
		.stat = "DELETED", .sub = "0x1", .dlvrd = "1234",
		.submit = "2313151234", .done = "23-06-15",
		.state = SMPP_RECEIPT_STAT_DELETED,
		.problem_fields = F(SUBMIT_DATE) | F(DONE_DATE) | F(SUB) |
		    F(DLVRD),
		.problems = { "submit date: month 13 not in 01-12",
		    "done date: '23-06-15' not decimal",
		    "sub: '0x1' not decimal", "dlvrd: longer than 3" },
	},
	{
		.name = "empty values, unknown fields, stray words",
		.in = "id: stat: imsi:310150123456789 hello err:",
		.present = F(ID) | F(STAT) | F(ERR),
		.state = NOSTATE,
		.problem_fields = F(ID) | F(STAT) | F(OTHER) | F(ERR),
		.problems = { "id: empty", "stat: empty",
		    "unknown field 'imsi'", "unexpected text 'hello'",
		    "err: empty" },
	},
	{
		.name = "an id longer than 64 and a stat longer than 16",
		.in = "id:0123456789012345678901234567890123456789012345678901"
		    "234567890123456789 stat:DELIVEREDSUCCESSFULLY",
		.present = F(ID) | F(STAT),
		.id = "0123456789012345678901234567890123456789012345678901"
		    "234567890123",
		.stat = "DELIVEREDSUCCESS", .state = NOSTATE,
		.problem_fields = F(ID) | F(STAT),
		.problems = { "id: longer than 64, cut",
		    "stat: longer than 16, cut" },
	},
	{
		.name = "NUL inside the length ends the text; CR LF trimmed",
		.in = "id:77 text:two words\r\n\0 err:999",
		.len = 31,
		.present = F(ID) | F(TEXT), .id = "77", .text = "two words",
		.state = NOSTATE,
	},
	{
		.name = "trailing white space after fields",
		.in = "  \r\nid:77 stat:UNKNOWN \r\n",
		.present = F(ID) | F(STAT), .id = "77", .stat = "UNKNOWN",
		.state = SMPP_RECEIPT_STAT_UNKNOWN,
	},
	{
		.name = "a mobile-originated message is no receipt",
		.in = "Hello there, see you at 10:30",
		.result = SMPP_RECEIPT_NOT_RECEIPT, .state = NOSTATE,
		.problem_fields = F(OTHER),
		.problems = { "unexpected text 'Hello'",
		    "unexpected text 'there,'", "unexpected text 'see'",
		    "unexpected text 'you'", "unexpected text 'at'",
		    "unknown field '10'" },
	},
	{
		.name = "empty input",
		.in = "",
		.result = SMPP_RECEIPT_NOT_RECEIPT, .state = NOSTATE,
	},
	{
		.name = "a label must start a word",
		.in = "xid:1 substat:DELIVRD",
		.result = SMPP_RECEIPT_NOT_RECEIPT, .state = NOSTATE,
		.problem_fields = F(OTHER),
		.problems = { "unknown field 'xid'",
		    "unknown field 'substat'" },
	},
};

static void
check_str(const char *what, const char *got, const char *want, int i)
{
	if (want == NULL)
		want = "";
	ck_assert_msg(strcmp(got, want) == 0, "case %d (%s): \"%s\", want "
	    "\"%s\"", i, what, got, want);
}

static void
check_date(const char *what, const struct smpp_receipt_date *d,
    const char *digits, int64_t usec, int i)
{
	check_str(what, d->digits, digits, i);
	ck_assert_msg(d->valid == (usec != 0), "case %d (%s): valid %d", i,
	    what, d->valid);
	if (usec != 0)
		ck_assert_msg(d->usec == usec, "case %d (%s): %lld, want %lld",
		    i, what, (long long)d->usec, (long long)usec);
}

START_TEST(test_parse)
{
	const struct parse_case	*c = &parse_cases[_i];
	struct smpp_receipt	 r;
	size_t			 len, n, k;
	char			*copy;

	/* An exact-size heap copy, so reading past len is caught by ASan. */
	len = c->len ? c->len : strlen(c->in);
	copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, c->in, len);
	memset(&r, 0xa5, sizeof(r));
	ck_assert_msg(smpp_receipt_parse(copy, len, &r) == c->result,
	    "case %d (%s): result", _i, c->name);
	free(copy);

	ck_assert_msg(r.present == c->present, "case %d (%s): present %#x, "
	    "want %#x", _i, c->name, r.present, c->present);
	check_str("id", r.id, c->id, _i);
	check_str("sub", r.sub, c->sub, _i);
	check_str("dlvrd", r.dlvrd, c->dlvrd, _i);
	check_str("stat", r.stat, c->stat, _i);
	check_str("err", r.err, c->err, _i);
	check_str("text", r.text, c->text, _i);
	check_date("submit date", &r.submit_date, c->submit, c->submit_usec,
	    _i);
	check_date("done date", &r.done_date, c->done, c->done_usec, _i);
	ck_assert_msg(r.state == c->state, "case %d (%s): state %d, want %d",
	    _i, c->name, r.state, c->state);
	ck_assert_msg(r.problem_fields == c->problem_fields, "case %d (%s): "
	    "problem fields %#x, want %#x (first: %s)", _i, c->name,
	    r.problem_fields, c->problem_fields,
	    r.nproblems ? r.problems[0].reason : "none");
	for (n = 0; n < nitems(c->problems) && c->problems[n] != NULL; n++)
		;
	ck_assert_msg(r.nproblems == n, "case %d (%s): %zu problems, want %zu",
	    _i, c->name, r.nproblems, n);
	for (k = 0; k < n; k++) {
		check_str("problem", r.problems[k].reason, c->problems[k], _i);
		ck_assert(r.problem_fields & (1u << r.problems[k].field));
	}
}
END_TEST

/* Problem kinds, for the code that acts on them rather than logs them. */
START_TEST(test_problem_kinds)
{
	static const char	 in[] = "id: id:2 sub:x done date:1 "
	    "submit date:2302290000 stat:FOO err:1234 junk";
	static const enum smpp_receipt_problem_kind want[] = {
		SMPP_RECEIPT_PROBLEM_EMPTY, SMPP_RECEIPT_PROBLEM_TWICE,
		SMPP_RECEIPT_PROBLEM_NOT_DECIMAL, SMPP_RECEIPT_PROBLEM_LENGTH,
		SMPP_RECEIPT_PROBLEM_DATE, SMPP_RECEIPT_PROBLEM_WORD,
		SMPP_RECEIPT_PROBLEM_LENGTH, SMPP_RECEIPT_PROBLEM_STRAY,
	};
	struct smpp_receipt	 r;
	size_t			 i;

	ck_assert_int_eq(smpp_receipt_parse(in, strlen(in), &r),
	    SMPP_RECEIPT_OK);
	ck_assert_uint_eq(r.nproblems, nitems(want));
	for (i = 0; i < nitems(want); i++)
		ck_assert_msg(r.problems[i].kind == want[i], "%zu: %s", i,
		    r.problems[i].reason);
	ck_assert_str_eq(r.problems[4].reason,
	    "submit date: day 29 not in 01-28 for 2023-02");
	ck_assert_int_eq(r.problems[4].field, SMPP_RECEIPT_FIELD_SUBMIT_DATE);
}
END_TEST

/* Past SMPP_RECEIPT_PROBLEMS_MAX, problems only set their bit. */
START_TEST(test_problem_overflow)
{
	static const char	in[] = "a b c d e f g h i j k l id:1 err:1234";
	struct smpp_receipt	r;

	ck_assert_int_eq(smpp_receipt_parse(in, strlen(in), &r),
	    SMPP_RECEIPT_OK);
	ck_assert_uint_eq(r.nproblems, SMPP_RECEIPT_PROBLEMS_MAX);
	ck_assert_uint_eq(r.problem_fields, F(OTHER) | F(ERR));
	ck_assert_str_eq(r.problems[SMPP_RECEIPT_PROBLEMS_MAX - 1].reason,
	    "unexpected text 'h'");
	ck_assert_str_eq(r.id, "1");
}
END_TEST

START_TEST(test_parse_text_cut)
{
	char			in[5 + 300];
	struct smpp_receipt	r;

	memcpy(in, "text:", 5);
	memset(in + 5, 'x', 300);
	ck_assert_int_eq(smpp_receipt_parse(in, sizeof(in), &r),
	    SMPP_RECEIPT_OK);
	ck_assert_uint_eq(strlen(r.text), SMPP_RECEIPT_TEXT_MAX);
	ck_assert_uint_eq(r.problem_fields, F(TEXT));
	ck_assert_str_eq(r.problems[0].reason, "text: longer than 255, cut");
	ck_assert_int_eq(smpp_receipt_parse(NULL, 10, &r),
	    SMPP_RECEIPT_NOT_RECEIPT);
}
END_TEST

/* Every stat word, both ways, in either case. */
static const struct {
	const char		*word;
	enum smpp_receipt_stat	 state;
	int			 message_state;	/* smpp-facts 4.6 */
} stat_cases[] = {
	{ "ENROUTE", SMPP_RECEIPT_STAT_ENROUTE, 1 },
	{ "DELIVRD", SMPP_RECEIPT_STAT_DELIVRD, 2 },
	{ "EXPIRED", SMPP_RECEIPT_STAT_EXPIRED, 3 },
	{ "DELETED", SMPP_RECEIPT_STAT_DELETED, 4 },
	{ "UNDELIV", SMPP_RECEIPT_STAT_UNDELIV, 5 },
	{ "ACCEPTD", SMPP_RECEIPT_STAT_ACCEPTD, 6 },
	{ "UNKNOWN", SMPP_RECEIPT_STAT_UNKNOWN, 7 },
	{ "REJECTD", SMPP_RECEIPT_STAT_REJECTD, 8 },
};

START_TEST(test_stat_words)
{
	char			 lower[16], text[160];
	const char		*word = stat_cases[_i].word;
	struct smpp_receipt	 r;
	size_t			 i;

	ck_assert_int_eq(stat_cases[_i].state, stat_cases[_i].message_state);
	ck_assert_int_eq(smpp_receipt_stat_state(word, strlen(word)),
	    stat_cases[_i].state);
	for (i = 0; word[i] != '\0'; i++)
		lower[i] = (char)(word[i] - 'A' + 'a');
	lower[i] = '\0';
	ck_assert_int_eq(smpp_receipt_stat_state(lower, strlen(lower)),
	    stat_cases[_i].state);
	ck_assert_str_eq(smpp_receipt_stat_word(stat_cases[_i].state), word);

	/* Built from the state alone, read back as the same word. */
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "1");
	r.state = stat_cases[_i].state;
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, text, sizeof(text),
	    NULL), SMPP_RECEIPT_OK);
	ck_assert_int_eq(smpp_receipt_parse(text, strlen(text), &r),
	    SMPP_RECEIPT_OK);
	ck_assert_str_eq(r.stat, word);
	ck_assert_int_eq(r.state, stat_cases[_i].state);
	ck_assert_uint_eq(r.problem_fields, 0);
}
END_TEST

START_TEST(test_stat_unknown)
{
	static const char *const words[] = { "BADSTAT", "DELIVERED",
	    "DELIVRDX", "DELIVR", "ACKED", "BUFFRED", "SCHEDULED", "" };
	size_t	i;

	for (i = 0; i < nitems(words); i++)
		ck_assert_msg(smpp_receipt_stat_state(words[i],
		    strlen(words[i])) == SMPP_RECEIPT_STAT_UNRECOGNISED, "%s",
		    words[i]);
	/* The length bounds the word: "DELIVRD" cut short is not DELIVRD. */
	ck_assert_int_eq(smpp_receipt_stat_state("DELIVRD", 6),
	    SMPP_RECEIPT_STAT_UNRECOGNISED);
	ck_assert_ptr_null(smpp_receipt_stat_word(0));
	ck_assert_ptr_null(smpp_receipt_stat_word(9));
	ck_assert_ptr_null(smpp_receipt_stat_word(
	    SMPP_RECEIPT_STAT_UNRECOGNISED));
	ck_assert_str_eq(smpp_receipt_field_name(SMPP_RECEIPT_FIELD_DONE_DATE),
	    "done date");
	ck_assert_str_eq(smpp_receipt_field_name(SMPP_RECEIPT_FIELD_COUNT),
	    "unknown");
}
END_TEST

/* The receipt most build cases start from. */
static void
sample_receipt(struct smpp_receipt *r)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->id, "0123456789");
	r->submit_date.valid = 1;
	r->submit_date.usec = T123456;
	r->done_date.valid = 1;
	r->done_date.usec = T123658 + 999999;
	r->state = SMPP_RECEIPT_STAT_DELIVRD;
	strcpy(r->text, "Hello, this is a long message body");
}

static const struct {
	const char			*name;
	struct smpp_receipt_format	 fmt;
	const char			*out;
} build_cases[] = {
	{ "zeroed format: smpp-facts 5.3",
	    { 0 },
	    "id:0123456789 sub:001 dlvrd:001 submit date:2306151234 "
	    "done date:2306151236 stat:DELIVRD err:000 "
	    "text:Hello, this is a lon" },
	{ "12 digits, Text:",
	    { .date_digits = 12, .capital_text = 1 },
	    "id:0123456789 sub:001 dlvrd:001 submit date:230615123456 "
	    "done date:230615123658 stat:DELIVRD err:000 "
	    "Text:Hello, this is a lon" },
	{ "14 digits, submit_date:",
	    { .date_digits = 14,
	    .date_label = SMPP_RECEIPT_DATE_LABEL_UNDERSCORE },
	    "id:0123456789 sub:001 dlvrd:001 submit_date:20230615123456 "
	    "done_date:20230615123658 stat:DELIVRD err:000 "
	    "text:Hello, this is a lon" },
	{ "jasmin: no sub, dlvrd, text; submitdate:",
	    { .omit = F(SUB) | F(DLVRD) | F(TEXT),
	    .date_label = SMPP_RECEIPT_DATE_LABEL_JOINED },
	    "id:0123456789 submitdate:2306151234 donedate:2306151236 "
	    "stat:DELIVRD err:000" },
	{ "whole text",
	    { .text_chars = SMPP_RECEIPT_TEXT_MAX, .omit = ALL & ~F(TEXT) },
	    "text:Hello, this is a long message body" },
	{ "three characters",
	    { .text_chars = 3, .omit = ALL & ~F(TEXT) },
	    "text:Hel" },
};

START_TEST(test_build)
{
	struct smpp_receipt	r;
	char			out[256];
	size_t			len = 7;

	sample_receipt(&r);
	ck_assert_int_eq(smpp_receipt_build(&r, &build_cases[_i].fmt, out,
	    sizeof(out), &len), SMPP_RECEIPT_OK);
	ck_assert_str_eq(out, build_cases[_i].out);
	ck_assert_uint_eq(len, strlen(out));
}
END_TEST

START_TEST(test_build_values)
{
	struct smpp_receipt		r;
	struct smpp_receipt_format	fmt = { .date_digits = 12 };
	char				out[256];

	/* Raw values are written as they are, missing dates as zeros. */
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "abc-DEF");
	strcpy(r.sub, "005");
	strcpy(r.dlvrd, "003");
	strcpy(r.submit_date.digits, "0000000000");
	strcpy(r.stat, "BADSTAT");
	strcpy(r.err, "0x1F");
	ck_assert_int_eq(smpp_receipt_build(&r, &fmt, out, sizeof(out), NULL),
	    SMPP_RECEIPT_OK);
	ck_assert_str_eq(out, "id:abc-DEF sub:005 dlvrd:003 submit date:"
	    "0000000000 done date:000000000000 stat:BADSTAT err:0x1F text:");

	/* UTF-8 text is cut at characters, not bytes. */
	sample_receipt(&r);
	strcpy(r.text, "h\xc3\xa9llo w\xc3\xb6rld");
	fmt.text_chars = 7;
	fmt.omit = ALL & ~F(TEXT);
	ck_assert_int_eq(smpp_receipt_build(&r, &fmt, out, sizeof(out), NULL),
	    SMPP_RECEIPT_OK);
	ck_assert_str_eq(out, "text:h\xc3\xa9llo w");
}
END_TEST

START_TEST(test_build_refuses)
{
	struct smpp_receipt		r;
	struct smpp_receipt_format	fmt = { 0 };
	char				out[256];
	size_t				len = 7, need;

	sample_receipt(&r);
	r.id[0] = '\0';
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, sizeof(out), &len),
	    SMPP_RECEIPT_BAD_FIELD);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(len, 0);

	sample_receipt(&r);
	strcpy(r.id, "12 34");
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, sizeof(out), NULL),
	    SMPP_RECEIPT_BAD_FIELD);

	sample_receipt(&r);
	r.state = SMPP_RECEIPT_STAT_UNRECOGNISED;
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, sizeof(out), NULL),
	    SMPP_RECEIPT_BAD_FIELD);
	strcpy(r.stat, "DELIVRD");
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, sizeof(out), NULL),
	    SMPP_RECEIPT_OK);

	sample_receipt(&r);
	strcpy(r.err, "0 1");
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, sizeof(out), NULL),
	    SMPP_RECEIPT_BAD_FIELD);

	/* 2099 cannot be written in ten digits, but can in fourteen. */
	sample_receipt(&r);
	r.done_date.usec = INT64_C(4102358400000000);
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, sizeof(out), NULL),
	    SMPP_RECEIPT_BAD_FIELD);
	fmt.date_digits = 14;
	ck_assert_int_eq(smpp_receipt_build(&r, &fmt, out, sizeof(out), NULL),
	    SMPP_RECEIPT_OK);

	sample_receipt(&r);
	fmt.date_digits = 11;
	ck_assert_int_eq(smpp_receipt_build(&r, &fmt, out, sizeof(out), NULL),
	    SMPP_RECEIPT_BAD_FIELD);
	fmt.date_digits = 0;
	fmt.date_label = (enum smpp_receipt_date_label)7;
	ck_assert_int_eq(smpp_receipt_build(&r, &fmt, out, sizeof(out), NULL),
	    SMPP_RECEIPT_BAD_FIELD);

	/* Room for everything but the NUL is not enough. */
	sample_receipt(&r);
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, sizeof(out), &len),
	    SMPP_RECEIPT_OK);
	need = len + 1;
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, need - 1, &len),
	    SMPP_RECEIPT_NO_SPACE);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, need, &len),
	    SMPP_RECEIPT_OK);
	ck_assert_uint_eq(len, need - 1);
	ck_assert_int_eq(smpp_receipt_build(&r, NULL, out, 0, NULL),
	    SMPP_RECEIPT_NO_SPACE);
}
END_TEST

/* build -> parse gives the fields back, in every format. */
static const struct smpp_receipt_format roundtrip_formats[] = {
	{ 0 },
	{ .date_digits = 12, .capital_text = 1 },
	{ .date_digits = 14,
	    .date_label = SMPP_RECEIPT_DATE_LABEL_UNDERSCORE },
	{ .date_digits = 10, .date_label = SMPP_RECEIPT_DATE_LABEL_JOINED,
	    .text_chars = SMPP_RECEIPT_TEXT_MAX },
};

START_TEST(test_roundtrip)
{
	const struct smpp_receipt_format	*fmt = &roundtrip_formats[_i];
	struct smpp_receipt			 r, p;
	char					 out[512];
	int64_t					 unit;
	size_t					 len;

	sample_receipt(&r);
	strcpy(r.id, "4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a4f");
	strcpy(r.sub, "002");
	strcpy(r.dlvrd, "001");
	strcpy(r.err, "069");
	strcpy(r.text, "Your code: 1234 (valid 5 min)");
	r.state = SMPP_RECEIPT_STAT_UNDELIV;
	ck_assert_int_eq(smpp_receipt_build(&r, fmt, out, sizeof(out), &len),
	    SMPP_RECEIPT_OK);
	ck_assert_int_eq(smpp_receipt_parse(out, len, &p), SMPP_RECEIPT_OK);

	ck_assert_uint_eq(p.present, ALL);
	ck_assert_uint_eq(p.problem_fields, 0);
	ck_assert_str_eq(p.id, r.id);
	ck_assert_str_eq(p.sub, "002");
	ck_assert_str_eq(p.dlvrd, "001");
	ck_assert_str_eq(p.stat, "UNDELIV");
	ck_assert_int_eq(p.state, SMPP_RECEIPT_STAT_UNDELIV);
	ck_assert_str_eq(p.err, "069");
	if (fmt->text_chars == 0)
		ck_assert_str_eq(p.text, "Your code: 1234 (val");
	else
		ck_assert_str_eq(p.text, r.text);
	/* Dates come back truncated to the unit the format writes. */
	unit = fmt->date_digits == 0 || fmt->date_digits == 10 ?
	    INT64_C(60000000) : INT64_C(1000000);
	ck_assert(p.submit_date.valid && p.done_date.valid);
	ck_assert_int_eq(p.submit_date.usec,
	    r.submit_date.usec / unit * unit);
	ck_assert_int_eq(p.done_date.usec, r.done_date.usec / unit * unit);
}
END_TEST

/* Message id matching across bases, leading zeros and case. */
static const struct {
	const char		*a, *b;
	unsigned		 rules;
	enum smpp_id_match	 want;
} id_cases[] = {
	{ "0000001A", "26", SMPP_ID_MATCH_ANY, SMPP_ID_HEX_DEC },
	{ "26", "0000001A", SMPP_ID_MATCH_ANY, SMPP_ID_DEC_HEX },
	{ "0000001a", "26", SMPP_ID_HEX_DEC, SMPP_ID_HEX_DEC },
	{ "0000001A", "26", SMPP_ID_DEC_HEX, SMPP_ID_DIFFERENT },
	{ "0000001A", "26", SMPP_ID_DEC_DEC | SMPP_ID_HEX_HEX,
	    SMPP_ID_DIFFERENT },
	{ "12345", "12345", 0, SMPP_ID_SAME },
	{ "12345", "12345", SMPP_ID_MATCH_ANY, SMPP_ID_SAME },
	{ "12345", "12346", SMPP_ID_MATCH_ANY, SMPP_ID_DIFFERENT },
	{ "0000012345", "12345", SMPP_ID_MATCH_ANY, SMPP_ID_DEC_DEC },
	{ "0000012345", "12345", 0, SMPP_ID_DIFFERENT },
	{ "00ff", "FF", SMPP_ID_MATCH_ANY, SMPP_ID_HEX_HEX },
	{ "7af3b2c1", "7AF3B2C1", SMPP_ID_MATCH_ANY, SMPP_ID_CASE },
	{ "7af3b2c1", "7AF3B2C1", SMPP_ID_HEX_HEX, SMPP_ID_HEX_HEX },
	{ "7af3b2c1", "7AF3B2C1", 0, SMPP_ID_DIFFERENT },
	/* The ambiguity a gateway must settle by configuration. */
	{ "16", "10", SMPP_ID_MATCH_ANY, SMPP_ID_DEC_HEX },
	{ "16", "10", SMPP_ID_DEC_DEC | SMPP_ID_HEX_HEX, SMPP_ID_DIFFERENT },
	{ "4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a4f",
	    "4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a4f", 0, SMPP_ID_SAME },
	{ "4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a4f",
	    "4F3C7A2E-9B1D-4C2E-8F5A-0D6E1B2C3A4F", SMPP_ID_MATCH_ANY,
	    SMPP_ID_CASE },
	{ "4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a4f",
	    "4f3c7a2e-9b1d-4c2e-8f5a-0d6e1b2c3a40", SMPP_ID_MATCH_ANY,
	    SMPP_ID_DIFFERENT },
	/* Largest 64-bit number in both bases; one past it matches nothing. */
	{ "18446744073709551615", "FFFFFFFFFFFFFFFF", SMPP_ID_MATCH_ANY,
	    SMPP_ID_DEC_HEX },
	{ "18446744073709551616", "10000000000000000", SMPP_ID_MATCH_ANY,
	    SMPP_ID_DIFFERENT },
	{ "0x1A", "26", SMPP_ID_MATCH_ANY, SMPP_ID_DIFFERENT },
	{ "-1", "1", SMPP_ID_MATCH_ANY, SMPP_ID_DIFFERENT },
	{ "", "", SMPP_ID_MATCH_ANY, SMPP_ID_DIFFERENT },
	{ "0", "", SMPP_ID_MATCH_ANY, SMPP_ID_DIFFERENT },
	{ "0", "000", SMPP_ID_MATCH_ANY, SMPP_ID_DEC_DEC },
};

START_TEST(test_id_match)
{
	const char	*a = id_cases[_i].a, *b = id_cases[_i].b;
	int		 got;

	got = smpp_receipt_id_match(a, strlen(a), b, strlen(b),
	    id_cases[_i].rules);
	ck_assert_msg(got == (int)id_cases[_i].want, "\"%s\" vs \"%s\" rules "
	    "%#x: %#x, want %#x", a, b, id_cases[_i].rules, got,
	    id_cases[_i].want);
}
END_TEST

START_TEST(test_id_match_bounds)
{
	/* Lengths bound the ids: "123" of "1234", and a NUL ends one. */
	ck_assert_int_eq(smpp_receipt_id_match("1234", 3, "123", 3, 0),
	    SMPP_ID_SAME);
	ck_assert_int_eq(smpp_receipt_id_match("12\0" "9", 4, "12", 2, 0),
	    SMPP_ID_SAME);
	ck_assert_int_eq(smpp_receipt_id_match(NULL, 5, "1", 1,
	    SMPP_ID_MATCH_ANY), SMPP_ID_DIFFERENT);
}
END_TEST

static Suite *
receipt_suite(void)
{
	Suite	*s = suite_create("receipt");
	TCase	*tc = tcase_create("receipt");

	tcase_add_loop_test(tc, test_parse, 0, nitems(parse_cases));
	tcase_add_test(tc, test_problem_kinds);
	tcase_add_test(tc, test_problem_overflow);
	tcase_add_test(tc, test_parse_text_cut);
	tcase_add_loop_test(tc, test_stat_words, 0, nitems(stat_cases));
	tcase_add_test(tc, test_stat_unknown);
	tcase_add_loop_test(tc, test_build, 0, nitems(build_cases));
	tcase_add_test(tc, test_build_values);
	tcase_add_test(tc, test_build_refuses);
	tcase_add_loop_test(tc, test_roundtrip, 0, nitems(roundtrip_formats));
	tcase_add_loop_test(tc, test_id_match, 0, nitems(id_cases));
	tcase_add_test(tc, test_id_match_bounds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(receipt_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
