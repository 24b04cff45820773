/*
 * Text encodings carried in short_message and message_payload: the GSM
 * 03.38 default alphabet with its basic extension table (unpacked, one
 * septet per octet as SMPP carries it, and packed 7-bit as the air
 * interface carries it), IA5/ASCII, Latin-1 and UCS-2 (UTF-16BE), all to
 * and from UTF-8; and the encoding choice and segment count a body costs.
 *
 * Contract shared by every conversion below:
 *  - Input is (pointer, length); nothing needs a NUL and none is written.
 *  - Output goes to the caller's buffer of cap octets. If out is NULL the
 *    function only measures: it checks the input the same way and stores
 *    in *outlen the octets a full conversion would write.
 *  - The return is a status. On SMPP_TEXT_OK *outlen holds the octets
 *    written. On SMPP_TEXT_BAD_INPUT and SMPP_TEXT_UNMAPPABLE *erroff holds
 *    the input octet offset where the offending sequence starts; on
 *    SMPP_TEXT_NO_ROOM it holds the offset of the first character that did
 *    not fit. In every non-OK case *outlen holds the octets of complete
 *    characters written before the stop. outlen and erroff may be NULL.
 *  - UTF-8 input is validated strictly: overlong forms, surrogate code
 *    points (U+D800-U+DFFF), values above U+10FFFF, stray continuation
 *    octets and truncated sequences are BAD_INPUT.
 *  - Sizing: decoding to UTF-8 never needs more than 2 * len octets, and
 *    encoding from UTF-8 (GSM unpacked, IA5, Latin-1, UCS-2) never more
 *    than 2 * len either.
 *  - Nothing allocates, nothing keeps state between calls; every function
 *    is reentrant.
 */
#ifndef CARRIERLAB_SMPP_TEXT_H
#define CARRIERLAB_SMPP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define SMPP_TEXT_STATUS_TABLE(X)					\
	X(OK,		"ok")						\
	X(BAD_INPUT,	"malformed input")				\
	X(UNMAPPABLE,	"character not representable in the encoding")	\
	X(NO_ROOM,	"output buffer too small")			\
	X(NOT_TEXT,	"data_coding is not a supported text encoding")

enum smpp_text_status {
#define SMPP_TEXT_STATUS_ENUM(name, text) SMPP_TEXT_##name,
	SMPP_TEXT_STATUS_TABLE(SMPP_TEXT_STATUS_ENUM)
#undef SMPP_TEXT_STATUS_ENUM
};

/* Returns a short English description; never NULL. */
const char	*smpp_text_status_name(enum smpp_text_status);

/* What a data_coding value means for text. */
enum smpp_charset {
	SMPP_CHARSET_GSM,	/* 0x00, 0xF0-0xF3: GSM 03.38, unpacked */
	SMPP_CHARSET_ASCII,	/* 0x01: IA5 / ASCII, 0x00-0x7F */
	SMPP_CHARSET_LATIN1,	/* 0x03: ISO-8859-1 */
	SMPP_CHARSET_UCS2,	/* 0x08: UTF-16BE, surrogate pairs allowed */
	SMPP_CHARSET_BINARY,	/* everything else: octets not read as text */
};

/* Maps a data_coding value; total (every value has an answer). */
enum smpp_charset smpp_text_charset(uint8_t data_coding);

/*
 * Decodes short_message (or message_payload) octets of the given
 * data_coding to UTF-8. SMPP_TEXT_NOT_TEXT for SMPP_CHARSET_BINARY codings
 * (0x02, 0x04, 0xF4-0xF7, reserved and unsupported national sets).
 * Octets not valid in the coding (GSM or ASCII above 0x7F, odd-length or
 * lone-surrogate UCS-2) are BAD_INPUT. The caller strips any UDH first.
 */
enum smpp_text_status smpp_text_decode(uint8_t data_coding, const uint8_t *in,
	    size_t len, char *out, size_t cap, size_t *outlen, size_t *erroff);

/*
 * Encodes UTF-8 to octets of the given data_coding, the reverse of
 * smpp_text_decode(). GSM output is unpacked. UNMAPPABLE names the first
 * character the coding cannot carry.
 */
enum smpp_text_status smpp_text_encode(uint8_t data_coding, const char *in,
	    size_t len, uint8_t *out, size_t cap, size_t *outlen,
	    size_t *erroff);

/*
 * Encoding choice and cost of a UTF-8 body, counted the way Twilio counts:
 * GSM-7 when every character is in the GSM basic or extension table
 * (extension characters cost two septets; the encoder's look-alike
 * substitutions such as small c-cedilla and Greek capitals do not count as
 * GSM here), otherwise UCS-2 counted in UTF-16 code units (characters
 * above U+FFFF cost two). A message of at most 160 septets / 70 units is
 * one segment; a longer one is split into parts of at most 153 septets /
 * 67 units, never splitting an ESC pair or a surrogate pair, so a part may
 * hold 152 septets or 66 units. An empty body is one segment.
 */
#define SMPP_TEXT_FORCE_UCS2	0x01	/* skip GSM-7 even when it would fit */

#define SMPP_TEXT_GSM_SINGLE	160	/* septets in an unsegmented SMS */
#define SMPP_TEXT_GSM_PART	153	/* septets per part, 6-octet UDH */
#define SMPP_TEXT_UCS2_SINGLE	70	/* UTF-16 units in an unsegmented SMS */
#define SMPP_TEXT_UCS2_PART	67	/* UTF-16 units per part, 6-octet UDH */

struct smpp_text_analysis {
	enum smpp_charset charset;	/* SMPP_CHARSET_GSM or _UCS2 */
	uint8_t		data_coding;	/* 0x00 or 0x08 */
	size_t		units;		/* septets (GSM) or UTF-16 units */
	size_t		chars;		/* Unicode code points */
	size_t		segments;	/* >= 1 */
	size_t		non_gsm_offset;	/* octet offset of the first character
					   outside GSM-7, or SIZE_MAX */
};

/*
 * Fills *a for the UTF-8 body. flags is 0 or SMPP_TEXT_FORCE_UCS2. Returns
 * SMPP_TEXT_OK or SMPP_TEXT_BAD_INPUT (invalid UTF-8, offset in *erroff;
 * *a is then unspecified).
 */
enum smpp_text_status smpp_text_analyze(const char *in, size_t len,
	    unsigned int flags, struct smpp_text_analysis *a, size_t *erroff);

/*
 * UTF-8 primitives. smpp_utf8_next() decodes the code point at s[*pos],
 * strictly as described above; on success it stores it in *cp, advances
 * *pos and returns 0, otherwise it returns -1 and leaves *pos alone.
 * smpp_utf8_put() writes cp (a Unicode scalar value) as UTF-8 and returns
 * its length, 1-4; it returns 0 and writes nothing if that exceeds cap.
 * With out NULL it only returns the length.
 */
int		 smpp_utf8_next(const char *s, size_t len, size_t *pos,
		    uint32_t *cp);
size_t		 smpp_utf8_put(uint32_t cp, char *out, size_t cap);
enum smpp_text_status smpp_utf8_validate(const char *s, size_t len,
	    size_t *erroff);

/*
 * GSM 03.38, unpacked (one septet per octet, value 0x00-0x7F, an
 * extension character as ESC 0x1B followed by its code).
 *
 * smpp_gsm_encode() maps the basic table and the basic extension table
 * (FF ^ { } \ [ ~ ] | and the euro sign); it also accepts small
 * c-cedilla as 0x09 and the Greek capitals that share a Latin glyph
 * (Alpha as 'A', Beta as 'B', ... Chi as 'X'). Anything else, NO-BREAK
 * SPACE included, is UNMAPPABLE.
 *
 * smpp_gsm_decode() maps each septet through the tables. ESC followed by a
 * code without an extension character yields the basic character of that
 * code (as 23.038 tells receivers to display it); ESC ESC (reserved SS2)
 * yields a space; an ESC as the last septet yields U+00A0. Octets above
 * 0x7F are BAD_INPUT.
 */
enum smpp_text_status smpp_gsm_encode(const char *in, size_t len,
	    uint8_t *out, size_t cap, size_t *outlen, size_t *erroff);
enum smpp_text_status smpp_gsm_decode(const uint8_t *in, size_t len,
	    char *out, size_t cap, size_t *outlen, size_t *erroff);

/*
 * Septets cp costs in GSM-7 as Twilio counts it: 1 in the basic table, 2
 * in the extension table, 0 when it is in neither (look-alike
 * substitutions excluded).
 */
int		 smpp_gsm_char_septets(uint32_t cp);

/*
 * Packed GSM 7-bit (23.038 6.1.2.1): septet k occupies bit-stream bits
 * fill_bits + 7k, octets filled least significant bit first. fill_bits
 * (0-6) are the zero bits that follow a UDH so the text starts on a
 * septet boundary; smpp_gsm_fill_bits() computes them from the UDH length
 * (UDHL octet included). Packing n septets writes
 * ceil((fill_bits + 7n) / 8) octets.
 *
 * With SMPP_GSM_PAD_CR, smpp_gsm_pack() applies both 23.038 padding rules:
 * seven spare bits at the end are filled with CR rather than zeros, and a
 * text whose last septet is a CR ending exactly on an octet boundary gets
 * a second CR (plus one zero bit), so the CR cannot be taken for padding.
 * smpp_gsm_unpack() with SMPP_GSM_PAD_CR drops a final CR that exactly
 * fills the last seven bits, which undoes the first rule.
 *
 * smpp_gsm_unpack() reads nseptets septets, or with
 * SMPP_GSM_SEPTETS_FROM_LENGTH as many as the octets hold,
 * floor((8 * len - fill_bits) / 7). A nseptets larger than that, or a
 * fill_bits above 6, is BAD_INPUT. Septets over 0x7F given to the packer
 * are BAD_INPUT with their offset.
 */
#define SMPP_GSM_PAD_CR			0x01
#define SMPP_GSM_SEPTETS_FROM_LENGTH	SIZE_MAX

unsigned int	 smpp_gsm_fill_bits(size_t udh_octets);
size_t		 smpp_gsm_packed_length(size_t nseptets,
		    unsigned int fill_bits);
enum smpp_text_status smpp_gsm_pack(const uint8_t *septets, size_t n,
	    unsigned int fill_bits, unsigned int flags, uint8_t *out,
	    size_t cap, size_t *outlen, size_t *erroff);
enum smpp_text_status smpp_gsm_unpack(const uint8_t *in, size_t len,
	    unsigned int fill_bits, size_t nseptets, unsigned int flags,
	    uint8_t *out, size_t cap, size_t *outlen);

/* IA5 / ASCII: code points 0-0x7F only, both ways. */
enum smpp_text_status smpp_ascii_encode(const char *in, size_t len,
	    uint8_t *out, size_t cap, size_t *outlen, size_t *erroff);
enum smpp_text_status smpp_ascii_decode(const uint8_t *in, size_t len,
	    char *out, size_t cap, size_t *outlen, size_t *erroff);

/* ISO-8859-1: code points 0-0xFF; every octet decodes. */
enum smpp_text_status smpp_latin1_encode(const char *in, size_t len,
	    uint8_t *out, size_t cap, size_t *outlen, size_t *erroff);
enum smpp_text_status smpp_latin1_decode(const uint8_t *in, size_t len,
	    char *out, size_t cap, size_t *outlen, size_t *erroff);

/*
 * UCS-2 as UTF-16BE: code points above U+FFFF travel as surrogate pairs.
 * The decoder reports an odd length (offset len - 1), a high surrogate
 * not followed by a low one, or a lone low surrogate as BAD_INPUT at the
 * offending unit.
 */
enum smpp_text_status smpp_ucs2_encode(const char *in, size_t len,
	    uint8_t *out, size_t cap, size_t *outlen, size_t *erroff);
enum smpp_text_status smpp_ucs2_decode(const uint8_t *in, size_t len,
	    char *out, size_t cap, size_t *outlen, size_t *erroff);

#endif
