/*
 * libFuzzer target for smpp/smart (Smart Encoding). The input is handed
 * over exactly as libFuzzer gives it (not NUL-terminated, in a buffer of
 * exactly that size), so AddressSanitizer catches any read past len.
 *
 * Invariants checked, besides "no crash, no undefined behaviour, no
 * leak":
 * - the output is NUL-terminated at *outlen, and *outlen is its strlen
 *   when the input holds no NUL (a body from the API never does; one
 *   inside is copied through like any other octet);
 * - valid UTF-8 in gives valid UTF-8 out (smpp_text_analyze accepts it);
 * - a body with replacements analyses as GSM-7 (data_coding 0), since
 *   Smart Encoding is all or nothing;
 * - a body without replacements comes back byte for byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smpp/smart.h"
#include "smpp/text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_smart.c:%d: invariant failed: %s\n",
		    line, what);
		abort();
	}
}
#define CHECK(e)	fuzz_check((e) != 0, #e, __LINE__)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smpp_text_analysis a;
	size_t			 outlen = (size_t)-1, replaced = (size_t)-1;
	size_t			 erroff;
	int			 valid;
	char			*out;

	valid = smpp_text_analyze((const char *)data, size, 0, &a,
	    &erroff) == SMPP_TEXT_OK;
	out = smpp_smart_encode((const char *)data, size, &outlen, &replaced);
	CHECK(out != NULL);
	CHECK(outlen != (size_t)-1 && replaced != (size_t)-1);
	CHECK(out[outlen] == '\0');
	if (memchr(data, '\0', size) == NULL)
		CHECK(strlen(out) == outlen);
	if (valid)
		CHECK(smpp_text_analyze(out, outlen, 0, &a, &erroff) ==
		    SMPP_TEXT_OK);
	if (replaced > 0) {
		CHECK(valid);
		CHECK(smpp_text_analyze(out, outlen, 0, &a, &erroff) ==
		    SMPP_TEXT_OK);
		CHECK(a.data_coding == 0);
	} else {
		CHECK(outlen == size);
		CHECK(memcmp(out, data, size) == 0);
	}
	free(out);
	/* The optional outputs may be NULL. */
	out = smpp_smart_encode((const char *)data, size, NULL, NULL);
	CHECK(out != NULL && out[outlen] == '\0');
	free(out);
	return 0;
}
