/*
 * UTF-8, IA5, Latin-1 and UCS-2 conversions, the data_coding dispatch and
 * the Twilio-style encoding analysis. GSM 03.38 lives in gsm7.c.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "smpp/text.h"

static const char *const text_status_names[] = {
#define TEXT_STATUS_NAME(name, text) [SMPP_TEXT_##name] = text,
	SMPP_TEXT_STATUS_TABLE(TEXT_STATUS_NAME)
#undef TEXT_STATUS_NAME
};

const char *
smpp_text_status_name(enum smpp_text_status st)
{
	if ((size_t)st >= sizeof(text_status_names) /
	    sizeof(text_status_names[0]) || text_status_names[st] == NULL)
		return "unknown status";
	return text_status_names[st];
}

enum smpp_charset
smpp_text_charset(uint8_t data_coding)
{
	switch (data_coding) {
	case 0x00:
	case 0xf0:
	case 0xf1:
	case 0xf2:
	case 0xf3:
		return SMPP_CHARSET_GSM;
	case 0x01:
		return SMPP_CHARSET_ASCII;
	case 0x03:
		return SMPP_CHARSET_LATIN1;
	case 0x08:
		return SMPP_CHARSET_UCS2;
	default:
		return SMPP_CHARSET_BINARY;
	}
}

int
smpp_utf8_next(const char *s, size_t len, size_t *pos, uint32_t *cp)
{
	const uint8_t	*p;
	size_t		 left, n, i;
	uint32_t	 c, min;

	if (*pos >= len)
		return -1;
	p = (const uint8_t *)s + *pos;
	left = len - *pos;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		*pos += 1;
		return 0;
	}
	if (c < 0xc2)		/* continuation octet, or overlong C0/C1 */
		return -1;
	if (c < 0xe0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c < 0xf0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c < 0xf5) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return -1;
	if (left < n)
		return -1;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	*pos += n;
	return 0;
}

size_t
smpp_utf8_put(uint32_t cp, char *out, size_t cap)
{
	uint8_t	*o = (uint8_t *)out;
	size_t	 n;

	if (cp < 0x80)
		n = 1;
	else if (cp < 0x800)
		n = 2;
	else if (cp < 0x10000)
		n = 3;
	else
		n = 4;
	if (out == NULL)
		return n;
	if (cap < n)
		return 0;
	switch (n) {
	case 1:
		o[0] = (uint8_t)cp;
		break;
	case 2:
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		break;
	case 3:
		o[0] = (uint8_t)(0xe0 | cp >> 12);
		o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		break;
	default:
		o[0] = (uint8_t)(0xf0 | cp >> 18);
		o[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (uint8_t)(0x80 | (cp & 0x3f));
		break;
	}
	return n;
}

enum smpp_text_status
smpp_utf8_validate(const char *s, size_t len, size_t *erroff)
{
	size_t		pos = 0;
	uint32_t	cp;

	while (pos < len) {
		if (smpp_utf8_next(s, len, &pos, &cp) == -1) {
			if (erroff != NULL)
				*erroff = pos;
			return SMPP_TEXT_BAD_INPUT;
		}
	}
	return SMPP_TEXT_OK;
}

/*
 * UTF-8 to a single-octet charset whose code points 0..max map to
 * themselves (IA5 with max 0x7f, Latin-1 with max 0xff).
 */
static enum smpp_text_status
text_encode_identity(uint32_t max, const char *in, size_t len, uint8_t *out,
    size_t cap, size_t *outlen, size_t *erroff)
{
	enum smpp_text_status	 st = SMPP_TEXT_OK;
	size_t			 pos = 0, start = 0, o = 0;
	uint32_t		 cp;

	while (pos < len) {
		start = pos;
		if (smpp_utf8_next(in, len, &pos, &cp) == -1) {
			st = SMPP_TEXT_BAD_INPUT;
			break;
		}
		if (cp > max) {
			st = SMPP_TEXT_UNMAPPABLE;
			break;
		}
		if (out != NULL) {
			if (o == cap) {
				st = SMPP_TEXT_NO_ROOM;
				break;
			}
			out[o] = (uint8_t)cp;
		}
		o++;
	}
	if (outlen != NULL)
		*outlen = o;
	if (st != SMPP_TEXT_OK && erroff != NULL)
		*erroff = start;
	return st;
}

/* The reverse of text_encode_identity(): octets above max are BAD_INPUT. */
static enum smpp_text_status
text_decode_identity(uint32_t max, const uint8_t *in, size_t len, char *out,
    size_t cap, size_t *outlen, size_t *erroff)
{
	enum smpp_text_status	 st = SMPP_TEXT_OK;
	size_t			 i, o = 0, n;

	for (i = 0; i < len; i++) {
		if (in[i] > max) {
			st = SMPP_TEXT_BAD_INPUT;
			break;
		}
		if (out == NULL)
			n = smpp_utf8_put(in[i], NULL, 0);
		else if ((n = smpp_utf8_put(in[i], out + o, cap - o)) == 0) {
			st = SMPP_TEXT_NO_ROOM;
			break;
		}
		o += n;
	}
	if (outlen != NULL)
		*outlen = o;
	if (st != SMPP_TEXT_OK && erroff != NULL)
		*erroff = i;
	return st;
}

enum smpp_text_status
smpp_ascii_encode(const char *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	return text_encode_identity(0x7f, in, len, out, cap, outlen, erroff);
}

enum smpp_text_status
smpp_ascii_decode(const uint8_t *in, size_t len, char *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	return text_decode_identity(0x7f, in, len, out, cap, outlen, erroff);
}

enum smpp_text_status
smpp_latin1_encode(const char *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	return text_encode_identity(0xff, in, len, out, cap, outlen, erroff);
}

enum smpp_text_status
smpp_latin1_decode(const uint8_t *in, size_t len, char *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	return text_decode_identity(0xff, in, len, out, cap, outlen, erroff);
}

enum smpp_text_status
smpp_ucs2_encode(const char *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	enum smpp_text_status	 st = SMPP_TEXT_OK;
	size_t			 pos = 0, start = 0, o = 0, n;
	uint32_t		 cp, v;
	uint16_t		 unit[2];

	while (pos < len) {
		start = pos;
		if (smpp_utf8_next(in, len, &pos, &cp) == -1) {
			st = SMPP_TEXT_BAD_INPUT;
			break;
		}
		if (cp < 0x10000) {
			unit[0] = (uint16_t)cp;
			n = 2;
		} else {
			v = cp - 0x10000;
			unit[0] = (uint16_t)(0xd800 | v >> 10);
			unit[1] = (uint16_t)(0xdc00 | (v & 0x3ff));
			n = 4;
		}
		if (out != NULL) {
			if (cap - o < n) {
				st = SMPP_TEXT_NO_ROOM;
				break;
			}
			out[o] = (uint8_t)(unit[0] >> 8);
			out[o + 1] = (uint8_t)unit[0];
			if (n == 4) {
				out[o + 2] = (uint8_t)(unit[1] >> 8);
				out[o + 3] = (uint8_t)unit[1];
			}
		}
		o += n;
	}
	if (outlen != NULL)
		*outlen = o;
	if (st != SMPP_TEXT_OK && erroff != NULL)
		*erroff = start;
	return st;
}

enum smpp_text_status
smpp_ucs2_decode(const uint8_t *in, size_t len, char *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	enum smpp_text_status	 st = SMPP_TEXT_OK;
	size_t			 i = 0, o = 0, n, used;
	uint32_t		 cp, lo;

	while (i < len) {
		if (len - i < 2) {
			st = SMPP_TEXT_BAD_INPUT;
			break;
		}
		cp = (uint32_t)in[i] << 8 | in[i + 1];
		used = 2;
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			st = SMPP_TEXT_BAD_INPUT;
			break;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			lo = len - i >= 4 ?
			    (uint32_t)in[i + 2] << 8 | in[i + 3] : 0;
			if (lo < 0xdc00 || lo > 0xdfff) {
				st = SMPP_TEXT_BAD_INPUT;
				break;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10 | (lo - 0xdc00));
			used = 4;
		}
		if (out == NULL)
			n = smpp_utf8_put(cp, NULL, 0);
		else if ((n = smpp_utf8_put(cp, out + o, cap - o)) == 0) {
			st = SMPP_TEXT_NO_ROOM;
			break;
		}
		o += n;
		i += used;
	}
	if (outlen != NULL)
		*outlen = o;
	if (st != SMPP_TEXT_OK && erroff != NULL)
		*erroff = i;
	return st;
}

enum smpp_text_status
smpp_text_decode(uint8_t data_coding, const uint8_t *in, size_t len,
    char *out, size_t cap, size_t *outlen, size_t *erroff)
{
	switch (smpp_text_charset(data_coding)) {
	case SMPP_CHARSET_GSM:
		return smpp_gsm_decode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_ASCII:
		return smpp_ascii_decode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_LATIN1:
		return smpp_latin1_decode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_UCS2:
		return smpp_ucs2_decode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_BINARY:
		break;
	}
	if (outlen != NULL)
		*outlen = 0;
	if (erroff != NULL)
		*erroff = 0;
	return SMPP_TEXT_NOT_TEXT;
}

enum smpp_text_status
smpp_text_encode(uint8_t data_coding, const char *in, size_t len,
    uint8_t *out, size_t cap, size_t *outlen, size_t *erroff)
{
	switch (smpp_text_charset(data_coding)) {
	case SMPP_CHARSET_GSM:
		return smpp_gsm_encode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_ASCII:
		return smpp_ascii_encode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_LATIN1:
		return smpp_latin1_encode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_UCS2:
		return smpp_ucs2_encode(in, len, out, cap, outlen, erroff);
	case SMPP_CHARSET_BINARY:
		break;
	}
	if (outlen != NULL)
		*outlen = 0;
	if (erroff != NULL)
		*erroff = 0;
	return SMPP_TEXT_NOT_TEXT;
}

/* Units cp costs in the chosen encoding: septets for GSM, UTF-16 units. */
static size_t
text_cost(uint32_t cp, int gsm)
{
	if (gsm)
		return (size_t)smpp_gsm_char_septets(cp);
	return cp > 0xffff ? 2 : 1;
}

/*
 * Parts a valid UTF-8 body of the given total cost takes: greedy, a
 * character never straddles two parts.
 */
static size_t
text_count_segments(const char *in, size_t len, int gsm, size_t units)
{
	size_t		single, part, segments = 1, used = 0, pos = 0, c;
	uint32_t	cp;

	single = gsm ? SMPP_TEXT_GSM_SINGLE : SMPP_TEXT_UCS2_SINGLE;
	part = gsm ? SMPP_TEXT_GSM_PART : SMPP_TEXT_UCS2_PART;
	if (units <= single)
		return 1;
	while (smpp_utf8_next(in, len, &pos, &cp) == 0) {
		c = text_cost(cp, gsm);
		if (used + c > part) {
			segments++;
			used = 0;
		}
		used += c;
	}
	return segments;
}

enum smpp_text_status
smpp_text_analyze(const char *in, size_t len, unsigned int flags,
    struct smpp_text_analysis *a, size_t *erroff)
{
	size_t		pos = 0, start, septets = 0, units16 = 0, chars = 0;
	size_t		non_gsm = SIZE_MAX;
	uint32_t	cp;
	int		c, gsm;

	while (pos < len) {
		start = pos;
		if (smpp_utf8_next(in, len, &pos, &cp) == -1) {
			if (erroff != NULL)
				*erroff = start;
			return SMPP_TEXT_BAD_INPUT;
		}
		chars++;
		units16 += text_cost(cp, 0);
		if ((c = smpp_gsm_char_septets(cp)) == 0 && non_gsm == SIZE_MAX)
			non_gsm = start;
		septets += (size_t)c;
	}
	gsm = non_gsm == SIZE_MAX && !(flags & SMPP_TEXT_FORCE_UCS2);
	a->charset = gsm ? SMPP_CHARSET_GSM : SMPP_CHARSET_UCS2;
	a->data_coding = gsm ? 0x00 : 0x08;
	a->units = gsm ? septets : units16;
	a->chars = chars;
	a->non_gsm_offset = non_gsm;
	a->segments = text_count_segments(in, len, gsm, a->units);
	return SMPP_TEXT_OK;
}
