/*
 * Smart Encoding: the look-alike table of smpp/smart.def applied to a
 * UTF-8 body, all or nothing.
 *
 * Twilio replaces look-alikes only when that makes the whole body GSM-7
 * ("if there are GSM7/ASCII alternatives and no characters that can't be
 * converted in the message, e.g. emoji", from the feature's launch
 * note): a body that keeps a character with neither a GSM-7 code nor a
 * look-alike goes as UCS-2 anyway, and then goes exactly as written. So
 * one walk decides, and a second writes.
 *
 * Part of the libc-only codec library: malloc, and abort() when it fails,
 * as xmalloc() does elsewhere.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smpp/smart.h"
#include "smpp/text.h"

const char *
smpp_smart_lookup(unsigned long cp)
{
	switch (cp) {
#define SMPP_SMART(code, replacement, source)				\
	case code:							\
		return replacement;
#include "smpp/smart.def"
#undef SMPP_SMART
	default:
		return NULL;
	}
}

/*
 * Octets the replaced body takes and how many characters change; -1 when
 * some character can be neither kept in GSM-7 nor replaced, or the input
 * is not UTF-8 (the body then goes as it is).
 */
static int
smart_measure(const char *in, size_t len, size_t *need, size_t *replaced)
{
	size_t pos = 0, start;
	const char *r;
	uint32_t cp;

	*need = 0;
	*replaced = 0;
	while (pos < len) {
		start = pos;
		if (smpp_utf8_next(in, len, &pos, &cp) == -1)
			return -1;
		if (smpp_gsm_char_septets(cp) > 0) {
			*need += pos - start;
			continue;
		}
		if ((r = smpp_smart_lookup(cp)) == NULL)
			return -1;
		*need += strlen(r);
		(*replaced)++;
	}
	return 0;
}

/* Writes the replaced body of a measured input; out has room. */
static void
smart_write(const char *in, size_t len, char *out)
{
	size_t pos = 0, start, o = 0, n;
	const char *r;
	uint32_t cp;

	while (pos < len) {
		start = pos;
		if (smpp_utf8_next(in, len, &pos, &cp) == -1)
			break;		/* measured: cannot happen */
		if (smpp_gsm_char_septets(cp) > 0) {
			memcpy(out + o, in + start, pos - start);
			o += pos - start;
			continue;
		}
		r = smpp_smart_lookup(cp);
		n = strlen(r);
		memcpy(out + o, r, n);
		o += n;
	}
	out[o] = '\0';
}

static char *
smart_alloc(size_t n)
{
	char *p = malloc(n);

	if (p == NULL)
		abort();
	return p;
}

char *
smpp_smart_encode(const char *in, size_t len, size_t *outlen,
    size_t *replaced)
{
	size_t need, n;
	char *out;

	if (smart_measure(in, len, &need, &n) == -1 || n == 0) {
		out = smart_alloc(len + 1);
		memcpy(out, in, len);
		out[len] = '\0';
		need = len;
		n = 0;
	} else {
		out = smart_alloc(need + 1);
		smart_write(in, len, out);
	}
	if (outlen != NULL)
		*outlen = need;
	if (replaced != NULL)
		*replaced = n;
	return out;
}
