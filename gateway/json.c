/*
 * The JSON the gateway writes on its hot paths (json.h): the store's
 * text columns (media, parts, api keys, pool senders) and the API's 201
 * for a created message. A message's put and its 201 come once a
 * message each, and a jansson tree for either (an allocation per member
 * and per string, then a dump that calls back per token) cost more
 * than the work it fed. Reading goes through jansson.
 *
 * Strings are escaped per RFC 8259 as jansson's writer does (", \, the
 * short escapes \b \f \n \r \t, other control bytes as \u00XX in
 * capitals; "/" and non-ASCII as they are). Bytes that are not valid
 * UTF-8 (an SMSC's message id is only bytes) become U+FFFD, so what is
 * written always parses back.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/json.h"
#include "gateway/names.h"

static void
gw_json_reserve(struct gw_json *j, size_t more)
{
	size_t cap = j->cap > 0 ? j->cap : 256;

	if (j->len + more + 1 <= j->cap)
		return;
	while (cap < j->len + more + 1)
		cap *= 2;
	j->buf = xreallocarray(j->buf, cap, 1);
	j->cap = cap;
}

void
gw_json_reset(struct gw_json *j)
{
	gw_json_reserve(j, 0);
	j->len = 0;
	j->buf[0] = '\0';
}

void
gw_json_raw(struct gw_json *j, const char *text)
{
	size_t n = strlen(text);

	gw_json_reserve(j, n);
	memcpy(j->buf + j->len, text, n + 1);
	j->len += n;
}

void
gw_json_int(struct gw_json *j, int64_t v)
{
	/* Without snprintf: a message's parts are four integers each,
	 * written at every status change. */
	char tmp[24], *end = tmp + sizeof(tmp), *p;
	size_t n;

	p = gw_decimal(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	n = (size_t)(end - p);
	gw_json_reserve(j, n);
	memcpy(j->buf + j->len, p, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t
gw_json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		lo = s[0] == 0xE0 ? 0xA0 : 0x80;	/* overlong */
		hi = s[0] == 0xED ? 0x9F : 0xBF;	/* surrogates */
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		lo = s[0] == 0xF0 ? 0x90 : 0x80;
		hi = s[0] == 0xF4 ? 0x8F : 0xBF;	/* above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

/* The two-character escape of control byte c, as jansson writes it;
 * 0 for \u00XX. */
static char
gw_json_short(unsigned char c)
{
	switch (c) {
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	}
	return 0;
}

/* 1 for the bytes a string run copies as they are: ASCII from space on but
 * '"' and '\\'. */
static const unsigned char gw_json_plain[256] = {
	[0x20 ... 0x21] = 1,		/* '"' is 0x22 */
	[0x23 ... 0x5b] = 1,		/* '\\' is 0x5c */
	[0x5d ... 0x7f] = 1,
};

void
gw_json_string(struct gw_json *j, const char *text, size_t max)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strnlen(text, max), i = 0, len;
	char esc;

	/* Worst case: every byte becomes \ufffd or \u00XX (6 bytes). */
	gw_json_reserve(j, 6 * n + 2);
	j->buf[j->len++] = '"';
	while (i < n) {
		/* A run of printable ASCII, most of any text, in one copy;
		 * the table makes the test of a byte one load. */
		for (len = 0; i + len < n && gw_json_plain[s[i + len]]; len++)
			continue;
		if (len > 0) {
			memcpy(j->buf + j->len, s + i, len);
			j->len += len;
			i += len;
			continue;
		}
		if (s[i] == '"' || s[i] == '\\') {
			j->buf[j->len++] = '\\';
			j->buf[j->len++] = (char)s[i++];
		} else if (s[i] < 0x20 && (esc = gw_json_short(s[i])) != 0) {
			j->buf[j->len++] = '\\';
			j->buf[j->len++] = esc;
			i++;
		} else if (s[i] < 0x20) {
			j->len += (size_t)snprintf(j->buf + j->len, 7,
			    "\\u%04X", s[i++]);
		} else if ((len = gw_json_utf8_len(s + i, n - i)) == 0) {
			memcpy(j->buf + j->len, "\\ufffd", 6);
			j->len += 6;
			i++;
		} else {
			memcpy(j->buf + j->len, s + i, len);
			j->len += len;
			i += len;
		}
	}
	j->buf[j->len++] = '"';
	j->buf[j->len] = '\0';
}

/* ,"key": before a member (no comma before the first). */
void
gw_json_key(struct gw_json *j, const char *key, int first)
{
	size_t n = strlen(key);

	/* Keys are ours, plain ASCII: no escaping to look for. */
	gw_json_reserve(j, n + 4);
	if (!first)
		j->buf[j->len++] = ',';
	j->buf[j->len++] = '"';
	memcpy(j->buf + j->len, key, n);
	j->len += n;
	memcpy(j->buf + j->len, "\":", 3);	/* and the NUL */
	j->len += 2;
}

void
gw_json_free(struct gw_json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}
