/*
 * Sender address kinds. The rules are the ones US aggregators apply to
 * A2P traffic; outside North America everything numeric and long is
 * simply a long code.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "smpp/address.h"

#define TON_INTERNATIONAL	1
#define TON_ALPHANUMERIC	5
#define TON_ABBREVIATED		6

#define SHORT_CODE_MIN		3
#define SHORT_CODE_MAX		8
#define NANP_DIGITS		11	/* "1" + area code + 7 digits */

static const char *const address_kind_names[] = {
	[SMPP_ADDRESS_SHORT_CODE] = "short_code",
	[SMPP_ADDRESS_LONG_CODE] = "long_code",
	[SMPP_ADDRESS_TOLL_FREE] = "toll_free",
	[SMPP_ADDRESS_ALPHANUMERIC] = "alphanumeric",
};

/* NANP toll-free area codes (800 and the 8XX codes opened since). */
static const char *const toll_free_area_codes[] = {
	"800", "833", "844", "855", "866", "877", "888",
};

static int
all_digits(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* digits: the address without its '+', country code 1 first. */
static int
is_toll_free(const char *digits)
{
	size_t i;

	if (strlen(digits) != NANP_DIGITS || digits[0] != '1')
		return 0;
	for (i = 0; i < sizeof(toll_free_area_codes) /
	    sizeof(toll_free_area_codes[0]); i++)
		if (strncmp(digits + 1, toll_free_area_codes[i], 3) == 0)
			return 1;
	return 0;
}

enum smpp_address_kind
smpp_address_kind(uint8_t ton, uint8_t npi, const char *addr)
{
	const char *digits;
	size_t n;
	int plus;

	(void)npi;
	if (addr == NULL)
		addr = "";
	plus = addr[0] == '+';
	digits = addr + plus;
	if (ton == TON_ALPHANUMERIC || !all_digits(digits))
		return SMPP_ADDRESS_ALPHANUMERIC;
	n = strlen(digits);
	if (ton == TON_ABBREVIATED && n > 0)
		return SMPP_ADDRESS_SHORT_CODE;
	if (!plus && ton != TON_INTERNATIONAL && n >= SHORT_CODE_MIN &&
	    n <= SHORT_CODE_MAX)
		return SMPP_ADDRESS_SHORT_CODE;
	if (is_toll_free(digits))
		return SMPP_ADDRESS_TOLL_FREE;
	return SMPP_ADDRESS_LONG_CODE;
}

const char *
smpp_address_kind_name(enum smpp_address_kind kind)
{
	if ((size_t)kind >= sizeof(address_kind_names) /
	    sizeof(address_kind_names[0]))
		return "unknown";
	return address_kind_names[kind];
}
