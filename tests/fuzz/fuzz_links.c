/*
 * libFuzzer target for the link finder of gateway/links-shorten.c
 * (gw_link_find_next, links-internal.h), walked over a body the way
 * gw_links_shorten walks it. A body is a C string: the input is copied
 * into a buffer of exactly size + 1 octets with a NUL at the end, so
 * AddressSanitizer catches any read past it.
 *
 * Invariants checked, besides "no crash, no undefined behaviour":
 * - every link lies within the body (up to its first NUL), starts with
 *   http:// or https:// (any case) and has something after the scheme;
 * - no link holds white space, is glued to a letter or digit before it,
 *   or ends in . , ; : ! ? );
 * - links do not overlap and come in increasing order;
 * - "none" is reported as the offset of the terminating NUL.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/links-internal.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_links.c:%d: invariant failed: %s\n",
		    line, what);
		abort();
	}
}
#define CHECK(e)	fuzz_check((e) != 0, #e, __LINE__)

static void
fuzz_link(const char *body, size_t start, size_t len)
{
	const char	*l = body + start;
	size_t		 scheme, i;

	if (strncasecmp(l, "http://", 7) == 0)
		scheme = 7;
	else {
		CHECK(strncasecmp(l, "https://", 8) == 0);
		scheme = 8;
	}
	CHECK(len > scheme);
	CHECK(start == 0 || !isalnum((unsigned char)body[start - 1]));
	for (i = 0; i < len; i++)
		CHECK(l[i] != '\0' && strchr(" \t\r\n\f\v", l[i]) == NULL);
	CHECK(strchr(".,;:!?)", l[len - 1]) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*body;
	const char	*s;
	size_t		 blen, at, len, end = 0, n = 0;

	body = malloc(size + 1);
	CHECK(body != NULL);
	memcpy(body, data, size);
	body[size] = '\0';
	blen = strlen(body);
	s = body;
	for (;;) {
		len = (size_t)-1;
		at = gw_link_find_next(s, &len);
		CHECK(at <= strlen(s));
		if (s[at] == '\0') {
			CHECK(at == strlen(s) && len == 0);
			break;
		}
		/* Absolute offsets: within the body, after the last link. */
		at += (size_t)(s - body);
		CHECK(at >= end);
		CHECK(len > 0 && at + len <= blen);
		fuzz_link(body, at, len);
		end = at + len;
		s = body + end;
		CHECK(++n <= blen / 8);
	}
	free(body);
	return 0;
}
