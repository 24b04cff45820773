#include "config.h"

#include "common/hex.h"

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
hex_is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' ||
	    c == '-' || c == ',';
}

int
hex_decode(const char *text, size_t len, uint8_t *out, size_t cap,
    size_t *outlen, size_t *errpos)
{
	size_t	i = 0, n = 0;
	int	hi = -1, d;

	while (i < len) {
		char c = text[i];

		if (hex_is_separator(c)) {
			if (hi >= 0)
				goto fail;
			i++;
			continue;
		}
		if (hi < 0 && c == '0' && i + 1 < len &&
		    (text[i + 1] == 'x' || text[i + 1] == 'X') &&
		    (i == 0 || hex_is_separator(text[i - 1]))) {
			i += 2;
			continue;
		}
		if ((d = hex_digit(c)) < 0)
			goto fail;
		if (hi < 0)
			hi = d;
		else {
			if (n >= cap)
				goto fail;
			out[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
		i++;
	}
	if (hi >= 0)
		goto fail;
	*outlen = n;
	return 0;
fail:
	if (errpos != NULL)
		*errpos = i;
	*outlen = n;
	return -1;
}

void
hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}
