/*
 * libFuzzer target for gateway/twiml. The input is handed over exactly as
 * libFuzzer gives it (not NUL-terminated, in a buffer of exactly that
 * size), so AddressSanitizer catches any read past len.
 *
 * Invariants checked, besides "no crash, no undefined behaviour, no
 * leak":
 * - an error leaves nothing in out and a non-empty "line N: ..." or size
 *   message;
 * - a success holds at most 10 messages of at most 10 media each, every
 *   body non-NULL, every string NUL-terminated within the input's size
 *   (entities only shrink text), every media URL non-empty.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/webhook.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_twiml.c:%d: invariant failed: %s\n",
		    line, what);
		abort();
	}
}
#define CHECK(e)	fuzz_check((e) != 0, #e, __LINE__)

static void
fuzz_string(const char *s, size_t size, int may_be_null)
{
	if (s == NULL) {
		CHECK(may_be_null);
		return;
	}
	CHECK(strlen(s) <= size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_twiml		 t;
	char			 err[256];
	size_t			 i, j;
	int			 rv;

	rv = gw_twiml_parse((const char *)data, size, &t, err, sizeof err);
	if (rv == -1) {
		CHECK(t.nmessages == 0);
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL);
		CHECK(strncmp(err, "line ", 5) == 0 ||
		    strncmp(err, "TwiML response body too large", 29) == 0);
		return 0;
	}
	CHECK(rv == 0);
	CHECK(t.nmessages <= GW_TWIML_MAX_MESSAGES);
	for (i = 0; i < t.nmessages; i++) {
		const struct gw_twiml_message *m = &t.messages[i];

		fuzz_string(m->body, size, 0);
		fuzz_string(m->to, size, 1);
		fuzz_string(m->from, size, 1);
		fuzz_string(m->status_callback, size, 1);
		CHECK(m->nmedia <= GW_TWIML_MAX_MEDIA);
		for (j = 0; j < m->nmedia; j++) {
			fuzz_string(m->media[j], size, 0);
			CHECK(m->media[j][0] != '\0');
		}
	}
	gw_twiml_clear(&t);
	CHECK(t.nmessages == 0);
	return 0;
}
