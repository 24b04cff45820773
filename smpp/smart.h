/*
 * Smart Encoding as Twilio's Messaging Services apply it
 * (twilio-api.md §9.3): Unicode characters that have a GSM-7 look-alike
 * (curly quotes, dashes, fullwidth forms, ellipsis, odd spaces, ...) are
 * replaced by it before the encoding is chosen, so that a body written
 * in a word processor still goes as GSM-7 and costs fewer segments.
 * It is all or nothing, as Twilio describes the feature: when a body
 * keeps a character that has neither a GSM-7 code nor a look-alike (an
 * emoji, a CJK character), nothing is replaced and the body goes as
 * UCS-2 exactly as written. The table, and where each row comes from, is
 * smpp/smart.def.
 */
#ifndef CARRIERLAB_SMPP_SMART_H
#define CARRIERLAB_SMPP_SMART_H

#include <stddef.h>

/*
 * The UTF-8 body in (len octets) with every look-alike replaced: a new
 * NUL-terminated string (free it), its length in *outlen (may be NULL)
 * and the number of characters replaced in *replaced (may be NULL; 0
 * when the body is returned as it came). A body with a character that
 * cannot become GSM-7, or with invalid UTF-8, is copied through
 * unchanged. Never fails (aborts on memory exhaustion, as xmalloc does).
 */
char	*smpp_smart_encode(const char *in, size_t len, size_t *outlen,
	    size_t *replaced);

/* The replacement of code point cp ("\"", "...", "" for a removed
 * character), or NULL when cp has none. */
const char *smpp_smart_lookup(unsigned long cp);

#endif
