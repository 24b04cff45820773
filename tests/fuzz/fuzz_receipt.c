/*
 * libFuzzer target for smpp/receipt and smpp/timefmt. The input is handed
 * over exactly as libFuzzer gives it (not NUL-terminated, in a buffer of
 * exactly that size), so AddressSanitizer catches any read past len.
 *
 * Invariants checked, besides "no crash, no undefined behaviour":
 * - a parsed receipt is well formed (terminated strings, bits and
 *   problems consistent, stat word and state agree);
 * - a parsed receipt, built again, parses to the same fields;
 * - a parsed time formats back to itself, an absolute time survives the
 *   trip through UTC, a relative one resolves to no earlier than now;
 * - a parsed receipt date formats back to the same digits;
 * - message id matching is reflexive and symmetric.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smpp/receipt.h"
#include "smpp/timefmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ALL_FIELDS	((1u << SMPP_RECEIPT_FIELD_OTHER) - 1)

/* Like assert(), but never compiled out by NDEBUG. */
static void
fuzz_check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_receipt.c:%d: invariant failed: %s\n",
		    line, what);
		abort();
	}
}
#define CHECK(e)	fuzz_check((e) != 0, #e, __LINE__)

static int
fuzz_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static int
fuzz_has_space(const char *s)
{
	return strpbrk(s, " \t\r\n\v\f") != NULL;
}

static void
fuzz_receipt_wellformed(const struct smpp_receipt *r,
    enum smpp_receipt_result rv)
{
	size_t	i, n;

	CHECK((rv == SMPP_RECEIPT_OK) == (r->present != 0));
	CHECK((r->present & ~FUZZ_ALL_FIELDS) == 0);
	CHECK((r->problem_fields & ~((1u << SMPP_RECEIPT_FIELD_COUNT) - 1)) ==
	    0);
	CHECK(fuzz_terminated(r->id, sizeof(r->id)));
	CHECK(fuzz_terminated(r->sub, sizeof(r->sub)));
	CHECK(fuzz_terminated(r->dlvrd, sizeof(r->dlvrd)));
	CHECK(fuzz_terminated(r->stat, sizeof(r->stat)));
	CHECK(fuzz_terminated(r->err, sizeof(r->err)));
	CHECK(fuzz_terminated(r->text, sizeof(r->text)));
	CHECK(fuzz_terminated(r->submit_date.digits,
	    sizeof(r->submit_date.digits)));
	CHECK(fuzz_terminated(r->done_date.digits,
	    sizeof(r->done_date.digits)));
	CHECK(!fuzz_has_space(r->id) && !fuzz_has_space(r->sub) &&
	    !fuzz_has_space(r->dlvrd) && !fuzz_has_space(r->stat) &&
	    !fuzz_has_space(r->err));
	n = strlen(r->text);
	CHECK(n == 0 || (r->text[n - 1] != '\r' && r->text[n - 1] != '\n'));

	CHECK(r->state == smpp_receipt_stat_state(r->stat, strlen(r->stat)));
	if (r->state != SMPP_RECEIPT_STAT_UNRECOGNISED)
		CHECK(r->present & (1u << SMPP_RECEIPT_FIELD_STAT));
	if (r->submit_date.valid) {
		n = strlen(r->submit_date.digits);
		CHECK(n == 10 || n == 12 || n == 14);
	}
	if (r->done_date.valid) {
		n = strlen(r->done_date.digits);
		CHECK(n == 10 || n == 12 || n == 14);
	}

	CHECK(r->nproblems <= SMPP_RECEIPT_PROBLEMS_MAX);
	CHECK((r->nproblems == 0) == (r->problem_fields == 0) ||
	    r->nproblems == SMPP_RECEIPT_PROBLEMS_MAX);
	for (i = 0; i < r->nproblems; i++) {
		CHECK(r->problems[i].field < SMPP_RECEIPT_FIELD_COUNT);
		CHECK(r->problem_fields & (1u << r->problems[i].field));
		CHECK(fuzz_terminated(r->problems[i].reason,
		    sizeof(r->problems[i].reason)));
		CHECK(r->problems[i].reason[0] != '\0');
	}
}

static void
fuzz_date_same(const struct smpp_receipt_date *a,
    const struct smpp_receipt_date *b)
{
	if (a->valid) {
		CHECK(b->valid && b->usec == a->usec);
	} else if (a->digits[0] != '\0') {
		CHECK(!b->valid && strcmp(a->digits, b->digits) == 0);
	} else
		CHECK(!b->valid && strcmp(b->digits, "00000000000000") == 0);
}

/* Builds r losslessly, parses it again, and compares. */
static void
fuzz_receipt_roundtrip(const struct smpp_receipt *r)
{
	static const struct smpp_receipt_format	fmt = {
		.date_digits = 14,
		.text_chars = SMPP_RECEIPT_TEXT_MAX,
	};
	struct smpp_receipt			p;
	const char				*word;
	char					out[1024];
	size_t					len;
	enum smpp_receipt_result		rv;

	rv = smpp_receipt_build(r, &fmt, out, sizeof(out), &len);
	if (r->id[0] == '\0' || (r->stat[0] == '\0' &&
	    r->state == SMPP_RECEIPT_STAT_UNRECOGNISED)) {
		CHECK(rv == SMPP_RECEIPT_BAD_FIELD);
		return;
	}
	CHECK(rv == SMPP_RECEIPT_OK);
	CHECK(len == strlen(out));
	CHECK(smpp_receipt_parse(out, len, &p) == SMPP_RECEIPT_OK);
	fuzz_receipt_wellformed(&p, SMPP_RECEIPT_OK);

	CHECK(p.present == FUZZ_ALL_FIELDS);
	CHECK((p.problem_fields & ~r->problem_fields) == 0);
	CHECK(strcmp(p.id, r->id) == 0);
	CHECK(strcmp(p.sub, r->sub[0] ? r->sub : "001") == 0);
	CHECK(strcmp(p.dlvrd, r->dlvrd[0] ? r->dlvrd : "001") == 0);
	CHECK(strcmp(p.err, r->err[0] ? r->err : "000") == 0);
	word = r->stat[0] ? r->stat : smpp_receipt_stat_word(r->state);
	CHECK(strcmp(p.stat, word) == 0);
	CHECK(p.state == r->state);
	CHECK(strcmp(p.text, r->text) == 0);
	fuzz_date_same(&r->submit_date, &p.submit_date);
	fuzz_date_same(&r->done_date, &p.done_date);

	/* The Appendix B form loses detail but must still read back. */
	if (smpp_receipt_build(r, NULL, out, sizeof(out), &len) ==
	    SMPP_RECEIPT_OK) {
		CHECK(smpp_receipt_parse(out, len, &p) == SMPP_RECEIPT_OK);
		CHECK(strcmp(p.id, r->id) == 0 && p.state == r->state);
	}
}

static void
fuzz_time(const char *s, size_t len)
{
	static const int64_t	nows[] = { 0, INT64_C(1709164800123456),
	    -INT64_C(1009843200000000), INT64_C(2145916799999999) };
	struct smpp_time	t, u;
	struct smpp_time_error	err;
	char			out[SMPP_TIME_SIZE], again[SMPP_TIME_SIZE];
	int64_t			usec, when;
	size_t			i;

	if (smpp_time_parse(s, len, &t, &err) == -1) {
		CHECK(err.part != SMPP_TIME_PART_NONE);
		CHECK(err.pos < SMPP_TIME_LEN);
		CHECK(fuzz_terminated(err.reason, sizeof(err.reason)));
		CHECK(err.reason[0] != '\0');
		CHECK(t.kind == SMPP_TIME_NONE);
		return;
	}
	CHECK(smpp_time_format(&t, out, sizeof(out)) == 0);
	CHECK(smpp_time_parse(out, strlen(out), &u, NULL) == 0);
	CHECK(memcmp(&t, &u, sizeof(t)) == 0);

	switch (t.kind) {
	case SMPP_TIME_NONE:
		CHECK(out[0] == '\0');
		CHECK(smpp_time_resolve(&t, 0, &usec) == -1);
		break;
	case SMPP_TIME_ABSOLUTE:
		CHECK(memcmp(s, out, SMPP_TIME_LEN - 1) == 0);
		CHECK(smpp_time_to_usec(&t, &usec) == 0);
		CHECK(smpp_time_from_usec(usec, t.offset, &u) == 0);
		CHECK(memcmp(&t, &u, sizeof(t)) == 0);
		CHECK(smpp_time_format_absolute(usec, t.offset, again,
		    sizeof(again)) == 0);
		CHECK(strcmp(again, out) == 0);
		CHECK(smpp_time_resolve(&t, 0, &when) == 0 && when == usec);
		break;
	case SMPP_TIME_RELATIVE:
		CHECK(memcmp(s, out, SMPP_TIME_LEN) == 0);
		for (i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
			CHECK(smpp_time_resolve(&t, nows[i], &when) == 0);
			CHECK(when >= nows[i]);
		}
		break;
	}
}

static void
fuzz_digits(const char *s, size_t len)
{
	struct smpp_time_error	err;
	const char		*nul = memchr(s, '\0', len);
	char			out[16];
	int64_t			usec;

	if (smpp_time_parse_digits(s, len, &usec, &err) == -1) {
		CHECK(err.part != SMPP_TIME_PART_NONE);
		CHECK(err.reason[0] != '\0');
		return;
	}
	if (nul != NULL)
		len = (size_t)(nul - s);
	CHECK(len == 10 || len == 12 || len == 14);
	CHECK(smpp_time_format_digits(usec, (int)len, out, sizeof(out)) == 0);
	CHECK(memcmp(out, s, len) == 0);
}

static void
fuzz_ids(const char *s, size_t len)
{
	const char	*a, *b;
	size_t		 alen, blen;
	int		 ab, ba;

	if (len == 0)
		return;
	alen = (unsigned char)s[0] % len;	/* < len: fits after s[0] */
	a = s + 1;
	b = a + alen;
	blen = len - 1 - alen;

	ab = smpp_receipt_id_match(a, alen, b, blen, SMPP_ID_MATCH_ANY);
	ba = smpp_receipt_id_match(b, blen, a, alen, SMPP_ID_MATCH_ANY);
	CHECK((ab == SMPP_ID_DIFFERENT) == (ba == SMPP_ID_DIFFERENT));
	/* The readings that do not cross bases are symmetric. */
	if (ab <= SMPP_ID_HEX_HEX || ba <= SMPP_ID_HEX_HEX)
		CHECK(ab == ba);
	ab = smpp_receipt_id_match(a, alen, b, blen, 0);
	CHECK(ab == SMPP_ID_DIFFERENT || ab == SMPP_ID_SAME);
	if (alen > 0 && memchr(a, '\0', alen) != a)
		CHECK(smpp_receipt_id_match(a, alen, a, alen, 0) ==
		    SMPP_ID_SAME);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data;
	struct smpp_receipt	 r;
	enum smpp_receipt_result rv;

	rv = smpp_receipt_parse(s, size, &r);
	fuzz_receipt_wellformed(&r, rv);
	fuzz_receipt_roundtrip(&r);
	(void)smpp_receipt_stat_state(s, size);

	/* Time texts: the whole input and its leading 16 bytes. */
	fuzz_time(s, size);
	if (size > SMPP_TIME_LEN)
		fuzz_time(s, SMPP_TIME_LEN);
	fuzz_digits(s, size);
	if (size > 14) {
		fuzz_digits(s, 10);
		fuzz_digits(s, 12);
		fuzz_digits(s, 14);
	}
	fuzz_ids(s, size);
	return 0;
}
