/*
 * Hex text to bytes and back, for PDU dumps pasted from logs.
 */
#ifndef CARRIERLAB_COMMON_HEX_H
#define CARRIERLAB_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses hex digits from text, ignoring whitespace, ':' and '-' separators
 * and "0x"/"0X" prefixes before any group. Writes at most cap bytes to out
 * and the count to *outlen. Returns 0 on success, -1 on a non-hex
 * character, an odd number of digits or too little room; *errpos then
 * holds the offending offset in text.
 */
int	hex_decode(const char *text, size_t len, uint8_t *out, size_t cap,
	    size_t *outlen, size_t *errpos);

/* Writes 2 * len lower-case digits and a NUL; out must hold 2 * len + 1. */
void	hex_encode(const uint8_t *in, size_t len, char *out);

#endif
