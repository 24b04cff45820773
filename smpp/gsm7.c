/*
 * GSM 03.38 default alphabet and basic extension table, unpacked and
 * packed. The tables below are the only copy: the decoder's arrays and the
 * encoder's switch statements are both expanded from them.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "smpp/text.h"

#define GSM_ESC		0x1b
#define GSM_CR		0x0d
#define GSM_SPACE	0x20

/* Basic table, code -> Unicode (23.038 6.2.1; 0x1B is ESC, not listed). */
#define GSM_BASIC_TABLE(X)						\
	X(0x00, 0x0040) X(0x01, 0x00a3) X(0x02, 0x0024) X(0x03, 0x00a5)	\
	X(0x04, 0x00e8) X(0x05, 0x00e9) X(0x06, 0x00f9) X(0x07, 0x00ec)	\
	X(0x08, 0x00f2) X(0x09, 0x00c7) X(0x0a, 0x000a) X(0x0b, 0x00d8)	\
	X(0x0c, 0x00f8) X(0x0d, 0x000d) X(0x0e, 0x00c5) X(0x0f, 0x00e5)	\
	X(0x10, 0x0394) X(0x11, 0x005f) X(0x12, 0x03a6) X(0x13, 0x0393)	\
	X(0x14, 0x039b) X(0x15, 0x03a9) X(0x16, 0x03a0) X(0x17, 0x03a8)	\
	X(0x18, 0x03a3) X(0x19, 0x0398) X(0x1a, 0x039e)			\
	X(0x1c, 0x00c6) X(0x1d, 0x00e6) X(0x1e, 0x00df) X(0x1f, 0x00c9)	\
	X(0x20, 0x0020) X(0x21, 0x0021) X(0x22, 0x0022) X(0x23, 0x0023)	\
	X(0x24, 0x00a4) X(0x25, 0x0025) X(0x26, 0x0026) X(0x27, 0x0027)	\
	X(0x28, 0x0028) X(0x29, 0x0029) X(0x2a, 0x002a) X(0x2b, 0x002b)	\
	X(0x2c, 0x002c) X(0x2d, 0x002d) X(0x2e, 0x002e) X(0x2f, 0x002f)	\
	X(0x30, 0x0030) X(0x31, 0x0031) X(0x32, 0x0032) X(0x33, 0x0033)	\
	X(0x34, 0x0034) X(0x35, 0x0035) X(0x36, 0x0036) X(0x37, 0x0037)	\
	X(0x38, 0x0038) X(0x39, 0x0039) X(0x3a, 0x003a) X(0x3b, 0x003b)	\
	X(0x3c, 0x003c) X(0x3d, 0x003d) X(0x3e, 0x003e) X(0x3f, 0x003f)	\
	X(0x40, 0x00a1) X(0x41, 0x0041) X(0x42, 0x0042) X(0x43, 0x0043)	\
	X(0x44, 0x0044) X(0x45, 0x0045) X(0x46, 0x0046) X(0x47, 0x0047)	\
	X(0x48, 0x0048) X(0x49, 0x0049) X(0x4a, 0x004a) X(0x4b, 0x004b)	\
	X(0x4c, 0x004c) X(0x4d, 0x004d) X(0x4e, 0x004e) X(0x4f, 0x004f)	\
	X(0x50, 0x0050) X(0x51, 0x0051) X(0x52, 0x0052) X(0x53, 0x0053)	\
	X(0x54, 0x0054) X(0x55, 0x0055) X(0x56, 0x0056) X(0x57, 0x0057)	\
	X(0x58, 0x0058) X(0x59, 0x0059) X(0x5a, 0x005a) X(0x5b, 0x00c4)	\
	X(0x5c, 0x00d6) X(0x5d, 0x00d1) X(0x5e, 0x00dc) X(0x5f, 0x00a7)	\
	X(0x60, 0x00bf) X(0x61, 0x0061) X(0x62, 0x0062) X(0x63, 0x0063)	\
	X(0x64, 0x0064) X(0x65, 0x0065) X(0x66, 0x0066) X(0x67, 0x0067)	\
	X(0x68, 0x0068) X(0x69, 0x0069) X(0x6a, 0x006a) X(0x6b, 0x006b)	\
	X(0x6c, 0x006c) X(0x6d, 0x006d) X(0x6e, 0x006e) X(0x6f, 0x006f)	\
	X(0x70, 0x0070) X(0x71, 0x0071) X(0x72, 0x0072) X(0x73, 0x0073)	\
	X(0x74, 0x0074) X(0x75, 0x0075) X(0x76, 0x0076) X(0x77, 0x0077)	\
	X(0x78, 0x0078) X(0x79, 0x0079) X(0x7a, 0x007a) X(0x7b, 0x00e4)	\
	X(0x7c, 0x00f6) X(0x7d, 0x00f1) X(0x7e, 0x00fc) X(0x7f, 0x00e0)

/* Basic extension table, code after ESC -> Unicode (23.038 6.2.1.1). */
#define GSM_EXTENSION_TABLE(X)						\
	X(0x0a, 0x000c) X(0x14, 0x005e) X(0x28, 0x007b) X(0x29, 0x007d)	\
	X(0x2f, 0x005c) X(0x3c, 0x005b) X(0x3d, 0x007e) X(0x3e, 0x005d)	\
	X(0x40, 0x007c) X(0x65, 0x20ac)

/*
 * Encode-only look-alikes: small c-cedilla (the pre-v1.1 meaning of 0x09)
 * and the Greek capitals drawn like Latin ones. Twilio does not count
 * these as GSM, so smpp_gsm_char_septets() ignores them.
 */
#define GSM_ALIAS_TABLE(X)						\
	X(0x09, 0x00e7)							\
	X(0x41, 0x0391) X(0x42, 0x0392) X(0x45, 0x0395) X(0x5a, 0x0396)	\
	X(0x48, 0x0397) X(0x49, 0x0399) X(0x4b, 0x039a) X(0x4d, 0x039c)	\
	X(0x4e, 0x039d) X(0x4f, 0x039f) X(0x50, 0x03a1) X(0x54, 0x03a4)	\
	X(0x59, 0x03a5) X(0x58, 0x03a7)

#define GSM_DECODE_ENTRY(code, ucs)	[code] = ucs,
static const uint16_t gsm_basic_to_ucs[128] = {
	GSM_BASIC_TABLE(GSM_DECODE_ENTRY)
};
static const uint16_t gsm_extension_to_ucs[128] = {
	GSM_EXTENSION_TABLE(GSM_DECODE_ENTRY)
};
#undef GSM_DECODE_ENTRY

#define GSM_ENCODE_CASE(c, ucs)	case ucs: code = c; break;

/* Returns the basic-table code of cp, or -1. */
static int
gsm_basic_code(uint32_t cp)
{
	int	code;

	switch (cp) {
	GSM_BASIC_TABLE(GSM_ENCODE_CASE)
	default:
		code = -1;
		break;
	}
	return code;
}

/* Returns the extension code (the septet after ESC) of cp, or -1. */
static int
gsm_extension_code(uint32_t cp)
{
	int	code;

	switch (cp) {
	GSM_EXTENSION_TABLE(GSM_ENCODE_CASE)
	default:
		code = -1;
		break;
	}
	return code;
}

/* Returns the basic-table code a look-alike of cp maps to, or -1. */
static int
gsm_alias_code(uint32_t cp)
{
	int	code;

	switch (cp) {
	GSM_ALIAS_TABLE(GSM_ENCODE_CASE)
	default:
		code = -1;
		break;
	}
	return code;
}

#undef GSM_ENCODE_CASE

int
smpp_gsm_char_septets(uint32_t cp)
{
	if (gsm_basic_code(cp) >= 0)
		return 1;
	if (gsm_extension_code(cp) >= 0)
		return 2;
	return 0;
}

enum smpp_text_status
smpp_gsm_encode(const char *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	enum smpp_text_status	 st = SMPP_TEXT_OK;
	size_t			 pos = 0, start = 0, o = 0;
	uint32_t		 cp;
	uint8_t			 seq[2];
	size_t			 n;
	int			 code;

	while (pos < len) {
		start = pos;
		if (smpp_utf8_next(in, len, &pos, &cp) == -1) {
			st = SMPP_TEXT_BAD_INPUT;
			break;
		}
		if ((code = gsm_basic_code(cp)) >= 0 ||
		    (code = gsm_alias_code(cp)) >= 0) {
			seq[0] = (uint8_t)code;
			n = 1;
		} else if ((code = gsm_extension_code(cp)) >= 0) {
			seq[0] = GSM_ESC;
			seq[1] = (uint8_t)code;
			n = 2;
		} else {
			st = SMPP_TEXT_UNMAPPABLE;
			break;
		}
		if (out != NULL) {
			if (cap - o < n) {
				st = SMPP_TEXT_NO_ROOM;
				break;
			}
			out[o] = seq[0];
			if (n == 2)
				out[o + 1] = seq[1];
		}
		o += n;
	}
	if (outlen != NULL)
		*outlen = o;
	if (st != SMPP_TEXT_OK && erroff != NULL)
		*erroff = start;
	return st;
}

/*
 * Returns the code point septets in[i..] stand for and sets *used to how
 * many septets that took, or returns UINT32_MAX with *used at the offset
 * (from i) of an octet above 0x7F.
 */
static uint32_t
gsm_decode_one(const uint8_t *in, size_t len, size_t i, size_t *used)
{
	uint8_t	c = in[i], next;

	if (c > 0x7f) {
		*used = 0;
		return UINT32_MAX;
	}
	if (c != GSM_ESC) {
		*used = 1;
		return gsm_basic_to_ucs[c];
	}
	if (i + 1 == len) {
		*used = 1;
		return 0x00a0;
	}
	next = in[i + 1];
	if (next > 0x7f) {
		*used = 1;
		return UINT32_MAX;
	}
	*used = 2;
	if (gsm_extension_to_ucs[next] != 0)
		return gsm_extension_to_ucs[next];
	if (next == GSM_ESC)
		return GSM_SPACE;
	return gsm_basic_to_ucs[next];
}

enum smpp_text_status
smpp_gsm_decode(const uint8_t *in, size_t len, char *out, size_t cap,
    size_t *outlen, size_t *erroff)
{
	enum smpp_text_status	 st = SMPP_TEXT_OK;
	size_t			 i = 0, o = 0, used, n;
	uint32_t		 cp;

	while (i < len) {
		cp = gsm_decode_one(in, len, i, &used);
		if (cp == UINT32_MAX) {
			st = SMPP_TEXT_BAD_INPUT;
			i += used;
			break;
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

unsigned int
smpp_gsm_fill_bits(size_t udh_octets)
{
	return (unsigned int)((7 - (udh_octets * 8) % 7) % 7);
}

size_t
smpp_gsm_packed_length(size_t nseptets, unsigned int fill_bits)
{
	if (nseptets == 0)
		return 0;
	return (fill_bits + 7 * nseptets + 7) / 8;
}

enum smpp_text_status
smpp_gsm_pack(const uint8_t *septets, size_t n, unsigned int fill_bits,
    unsigned int flags, uint8_t *out, size_t cap, size_t *outlen,
    size_t *erroff)
{
	uint32_t	acc = 0;
	unsigned int	bits = fill_bits;
	size_t		i, o = 0, total = n, need;
	uint8_t		s;

	if (outlen != NULL)
		*outlen = 0;
	if (fill_bits > 6) {
		if (erroff != NULL)
			*erroff = 0;
		return SMPP_TEXT_BAD_INPUT;
	}
	for (i = 0; i < n; i++) {
		if (septets[i] > 0x7f) {
			if (erroff != NULL)
				*erroff = i;
			return SMPP_TEXT_BAD_INPUT;
		}
	}
	/* 23.038: a CR ending on an octet boundary gets a second CR. */
	if ((flags & SMPP_GSM_PAD_CR) && n > 0 && septets[n - 1] == GSM_CR &&
	    (fill_bits + 7 * n) % 8 == 0)
		total = n + 1;
	need = smpp_gsm_packed_length(total, fill_bits);
	if (out == NULL) {
		if (outlen != NULL)
			*outlen = need;
		return SMPP_TEXT_OK;
	}
	if (need > cap) {
		if (erroff != NULL)
			*erroff = 0;
		return SMPP_TEXT_NO_ROOM;
	}
	for (i = 0; i < total; i++) {
		s = i < n ? septets[i] : GSM_CR;
		acc |= (uint32_t)s << bits;
		bits += 7;
		while (bits >= 8) {
			out[o++] = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	if (total > 0 && bits > 0) {
		/* One bit used, seven spare: 23.038 fills them with CR. */
		if ((flags & SMPP_GSM_PAD_CR) && bits == 1)
			acc |= (uint32_t)GSM_CR << 1;
		out[o++] = (uint8_t)acc;
	}
	if (outlen != NULL)
		*outlen = o;
	return SMPP_TEXT_OK;
}

enum smpp_text_status
smpp_gsm_unpack(const uint8_t *in, size_t len, unsigned int fill_bits,
    size_t nseptets, unsigned int flags, uint8_t *out, size_t cap,
    size_t *outlen)
{
	size_t		avail, n, k, p, byte;
	unsigned int	r, v;

	if (outlen != NULL)
		*outlen = 0;
	if (fill_bits > 6)
		return SMPP_TEXT_BAD_INPUT;
	if (len > (SIZE_MAX - 7) / 8)
		return SMPP_TEXT_BAD_INPUT;
	avail = 8 * len < fill_bits ? 0 : (8 * len - fill_bits) / 7;
	if (nseptets == SMPP_GSM_SEPTETS_FROM_LENGTH) {
		n = avail;
		if ((flags & SMPP_GSM_PAD_CR) && n > 0 &&
		    fill_bits + 7 * n == 8 * len &&
		    (in[len - 1] >> 1) == GSM_CR)
			n--;
	} else if (nseptets > avail)
		return SMPP_TEXT_BAD_INPUT;
	else
		n = nseptets;
	if (out == NULL) {
		if (outlen != NULL)
			*outlen = n;
		return SMPP_TEXT_OK;
	}
	if (n > cap)
		return SMPP_TEXT_NO_ROOM;
	for (k = 0; k < n; k++) {
		p = fill_bits + 7 * k;
		byte = p / 8;
		r = p % 8;
		v = in[byte] >> r;
		if (r > 1)
			v |= (unsigned int)in[byte + 1] << (8 - r);
		out[k] = (uint8_t)(v & 0x7f);
	}
	if (outlen != NULL)
		*outlen = n;
	return SMPP_TEXT_OK;
}
