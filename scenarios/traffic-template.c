/*
 * What a traffic generator sends as its i-th message: the body its
 * template makes and the destination it takes in turn. Pure functions,
 * shared by the loader (which refuses templates for SMPP) and the
 * runtime, and tested on their own.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "scenarios/traffic.h"

static const char *const template_words[] = { "{seq}", "{count}", "{to}",
	NULL };

int
traffic_body_is_template(const char *body)
{
	size_t i;

	for (i = 0; template_words[i] != NULL; i++)
		if (strstr(body, template_words[i]) != NULL)
			return 1;
	return 0;
}

/* Appends n octets of s at *len, as much as fits before the NUL, never
 * cutting a UTF-8 sequence; 0 when it had to cut. */
static int
body_append(char *out, size_t size, size_t *len, const char *s, size_t n)
{
	int whole = *len + n < size;

	if (!whole) {
		n = size - 1 - *len;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return whole;
}

/* The template with its words replaced. */
static size_t
body_substitute(const struct scenario_traffic *t, uint64_t seq,
    const char *to, char *out, size_t size)
{
	const char	*p = t->body, *next, *piece;
	char		 num[24];
	size_t		 len = 0, i, n;
	int		 whole = 1;

	out[0] = '\0';
	while (*p != '\0' && whole) {
		for (i = 0; template_words[i] != NULL; i++)
			if (strncmp(p, template_words[i],
			    strlen(template_words[i])) == 0)
				break;
		if (template_words[i] == NULL) {
			/* Text up to the next brace, which may open a word. */
			next = strchr(p + 1, '{');
			n = next != NULL ? (size_t)(next - p) : strlen(p);
			whole = body_append(out, size, &len, p, n);
			p += n;
			continue;
		}
		piece = to;
		if (i != 2) {
			snprintf(num, sizeof num, "%" PRIu64, i == 0 ? seq :
			    t->count);
			piece = num;
		}
		whole = body_append(out, size, &len, piece, strlen(piece));
		p += strlen(template_words[i]);
	}
	return len;
}

/* Octets of the first n code points of s (len octets). */
static size_t
utf8_prefix(const char *s, size_t len, size_t n, size_t *chars)
{
	size_t i = 0;

	for (*chars = 0; i < len && *chars < n; (*chars)++) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

size_t
traffic_body_expand(const struct scenario_traffic *t, uint64_t seq,
    const char *to, char *out, size_t size)
{
	char	*once;
	size_t	 len, chars, total = 0, cut, olen = 0;

	if (size == 0)
		return 0;
	len = body_substitute(t, seq, to, out, size);
	if (t->length == 0 || len == 0)
		return len;
	once = xstrndup(out, len);
	out[0] = '\0';
	do {
		cut = utf8_prefix(once, len, t->length - total, &chars);
		total += chars;
	} while (body_append(out, size, &olen, once, cut) &&
	    total < t->length);
	free(once);
	return olen;
}

void
traffic_to_at(const struct traffic_to *to, uint64_t seq,
    char out[GATEWAY_NUMBER_MAX])
{
	uint64_t	first, last, span;
	size_t		digits;

	out[0] = '\0';
	if (to->nlist == 0 || seq == 0)
		return;
	if (to->kind != TRAFFIC_TO_RANGE) {
		memcpy(out, to->list[(seq - 1) % to->nlist],
		    GATEWAY_NUMBER_MAX);
		return;
	}
	first = strtoull(to->list[0] + 1, NULL, 10);
	last = strtoull(to->list[1] + 1, NULL, 10);
	digits = strlen(to->list[0]) - 1;
	span = last - first + 1;	/* 15 digits: no overflow */
	snprintf(out, GATEWAY_NUMBER_MAX, "+%0*" PRIu64, (int)digits,
	    first + (seq - 1) % span);
}
