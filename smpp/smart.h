/*
 * Smart Encoding as Twilio's Messaging Services apply it
 * (twilio-api.md §9.3): Unicode characters that have a GSM-7 look-alike
 * (curly quotes, dashes, fullwidth forms, ellipsis, odd spaces, ...) are
 * replaced by it before the encoding is chosen, so that a body written
 * in a word processor still goes as GSM-7 and costs fewer segments.
 * Characters without a look-alike stay as they are (the body then goes
 * as UCS-2 as before). The table is smpp/smart.def.
 */
#ifndef CARRIERLAB_SMPP_SMART_H
#define CARRIERLAB_SMPP_SMART_H

#include <stddef.h>

/*
 * The UTF-8 body in (len octets) with every look-alike replaced: a new
 * NUL-terminated string (free it), its length in *outlen (may be NULL)
 * and the number of characters replaced in *replaced (may be NULL).
 * Invalid UTF-8 is copied through unchanged. Never fails (aborts on
 * memory exhaustion, as xmalloc does).
 */
char	*smpp_smart_encode(const char *in, size_t len, size_t *outlen,
	    size_t *replaced);

/* The replacement of code point cp ("\"", "...", "" for a removed
 * character), or NULL when cp has none. */
const char *smpp_smart_lookup(unsigned long cp);

#endif
