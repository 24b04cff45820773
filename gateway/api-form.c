/*
 * Forms and queries of the API: the application/x-www-form-urlencoded
 * parser (WHATWG's: it never fails on odd bytes, so a client's Body
 * arrives as sent), value checks shared by the handlers, and the
 * percent-encoding of the uri fields.
 *
 * evhttp_parse_query_str() is not used: it refuses values with a bare
 * newline, which a message Body may well hold.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

#include "common/clock.h"
#include "common/xmalloc.h"
#include "gateway/api-internal.h"

static int
gw_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t
gw_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (s[0] > 0 && s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;		/* NUL, continuation, 0xc0/c1, > f4 */
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Decodes s[0..len) to out: '+', %XX into raw (scratch of len bytes),
 * then the UTF-8 repair from raw into out (room for 3 * len + 1).
 * Returns the bytes written, the NUL not counted.
 */
static size_t
gw_form_decode(const char *s, size_t len, unsigned char *raw, char *out)
{
	size_t i, n = 0, o = 0, seq;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			raw[n++] = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    (hi = gw_hex(s[i + 1])) != -1 &&
		    (lo = gw_hex(s[i + 2])) != -1) {
			raw[n++] = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else
			raw[n++] = (unsigned char)s[i];
	}
	/* Each bad byte becomes the 3 bytes of U+FFFD. */
	for (i = 0; i < n; i += seq) {
		if ((seq = gw_utf8_seq(raw + i, n - i)) == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			seq = 1;
			continue;
		}
		memcpy(out + o, raw + i, seq);
		o += seq;
	}
	out[o] = '\0';
	return o;
}

/*
 * Two allocations a form whatever its size: the pairs, and one text
 * holding the scratch of the %-decoding and then every key and value
 * with its NUL. (Two strings a pair and a growing array were 15 of the
 * loop's 100 allocations a message in bench (b).)
 */
int
gw_form_parse(struct gw_form *f, const char *s, size_t len)
{
	const char *p, *end = s + len, *amp, *eq;
	unsigned char *raw;
	char *out;
	size_t n = 0;

	memset(f, 0, sizeof *f);
	for (p = s; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p && ++n > GW_FORM_MAX_PAIRS)
			return -1;
	}
	if (n == 0)
		return 0;
	f->pairs = xcalloc(n, sizeof *f->pairs);
	/* Scratch (len), then at most 3 bytes a byte and a NUL a string. */
	f->text = xmalloc(len + 3 * len + 2 * n);
	raw = (unsigned char *)f->text;
	out = f->text + len;
	for (p = s; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		f->pairs[f->npairs].key = out;
		out += gw_form_decode(p, (size_t)(eq - p), raw, out) + 1;
		f->pairs[f->npairs].value = out;
		if (eq < amp)
			out += gw_form_decode(eq + 1, (size_t)(amp - eq - 1),
			    raw, out) + 1;
		else
			*out++ = '\0';
		f->npairs++;
	}
	return 0;
}

void
gw_form_free(struct gw_form *f)
{
	free(f->pairs);
	free(f->text);
	memset(f, 0, sizeof *f);
}

const char *
gw_form_get(const struct gw_form *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->npairs; i++)
		if (strcmp(f->pairs[i].key, key) == 0)
			return f->pairs[i].value;
	return NULL;
}

size_t
gw_form_all(const struct gw_form *f, const char *key, const char **out,
    size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < f->npairs; i++) {
		if (strcmp(f->pairs[i].key, key) != 0)
			continue;
		if (n < cap)
			out[n] = f->pairs[i].value;
		n++;
	}
	return n;
}

int
gw_form_bool(const char *v, int *out)
{
	if (strcasecmp(v, "true") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

int
gw_form_ulong(const char *v, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long n = 0;
	size_t i;

	if (v[0] == '\0' || strlen(v) > 10)
		return -1;
	for (i = 0; v[i] != '\0'; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		n = n * 10 + (unsigned long)(v[i] - '0');
	}
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* host[:port] of an authority without its userinfo. */
static int
gw_url_host(const char *h, size_t len, int underscore_ok)
{
	size_t i, hostlen = len;
	const char *colon = memchr(h, ':', len);
	unsigned long port = 0;

	if (len > 0 && h[0] == '[') {		/* IPv6 literal */
		const char *close = memchr(h, ']', len);

		if (close == NULL || close == h + 1)
			return 0;
		for (i = 1; h + i < close; i++)
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' &&
			    h[i] != '.')
				return 0;
		colon = close + 1 < h + len ? close + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return 0;
		hostlen = (size_t)(close + 1 - h);
	} else {
		if (colon != NULL)
			hostlen = (size_t)(colon - h);
		if (hostlen == 0)
			return 0;
		for (i = 0; i < hostlen; i++)
			if (!isalnum((unsigned char)h[i]) && h[i] != '-' &&
			    h[i] != '.' && !(underscore_ok && h[i] == '_'))
				return 0;
	}
	if (colon == NULL)
		return 1;
	for (i = (size_t)(colon + 1 - h); i < len; i++) {
		if (!isdigit((unsigned char)h[i]) || port > 65535)
			return 0;
		port = port * 10 + (unsigned long)(h[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

int
gw_url_http(const char *url, int underscore_ok)
{
	const char *auth, *end, *at;
	size_t i;

	if (strncasecmp(url, "http://", 7) == 0)
		auth = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		auth = url + 8;
	else
		return 0;
	for (i = 0; url[i] != '\0'; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return 0;
	end = auth + strcspn(auth, "/?#");
	for (at = end; at > auth && at[-1] != '@'; at--)
		;
	if (at > auth)
		auth = at;
	return gw_url_host(auth, (size_t)(end - auth), underscore_ok);
}

void
gw_uri_encode(struct evbuffer *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			evbuffer_add(out, s, 1);
		else
			evbuffer_add_printf(out, "%%%c%c", hex[c >> 4],
			    hex[c & 0xf]);
	}
}

/* US zone names of Twilio's "06/11/2019 22:05:25 MST" example. */
static int
gw_api_zone(const char *z, long *east)
{
	static const struct {
		const char	*name;
		int		 hours;
	} zones[] = {
		{ "", 0 }, { "GMT", 0 }, { "UTC", 0 }, { "UT", 0 },
		{ "Z", 0 }, { "EST", -5 }, { "EDT", -4 }, { "CST", -6 },
		{ "CDT", -5 }, { "MST", -7 }, { "MDT", -6 }, { "PST", -8 },
		{ "PDT", -7 },
	};
	size_t i;

	while (*z == ' ')
		z++;
	for (i = 0; i < sizeof zones / sizeof *zones; i++)
		if (strcasecmp(z, zones[i].name) == 0) {
			*east = zones[i].hours * 3600L;
			return 0;
		}
	return -1;
}

int
gw_api_date_parse(const char *s, int64_t *usec)
{
	static const char *const forms[] = {
		"%m/%d/%Y %H:%M:%S",
		"%m/%d/%Y",
	};
	struct tm tm;
	const char *end;
	long east;
	size_t i;

	if (gw_date_parse(s, usec) == 0)
		return 0;
	for (i = 0; i < sizeof forms / sizeof *forms; i++) {
		memset(&tm, 0, sizeof tm);
		if ((end = strptime(s, forms[i], &tm)) == NULL ||
		    gw_api_zone(end, &east) == -1)
			continue;
		*usec = ((int64_t)timegm(&tm) - east) * CLOCK_USEC_PER_SEC;
		return 0;
	}
	return -1;
}
