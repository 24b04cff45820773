/*
 * What kind of sender an SMPP address is: a short code, a long code (an
 * ordinary phone number), a North American toll-free number or an
 * alphanumeric sender id. Carriers accept or refuse senders by kind, and
 * the gateway routes by it, so both classify addresses the same way here.
 *
 * Pure libc: no allocation, no state, no I/O.
 */
#ifndef CARRIERLAB_SMPP_ADDRESS_H
#define CARRIERLAB_SMPP_ADDRESS_H

#include <stdint.h>

/* In this order: carriers/profile.h's CARRIER_SENDER_* bits are 1 << kind. */
enum smpp_address_kind {
	SMPP_ADDRESS_SHORT_CODE,
	SMPP_ADDRESS_LONG_CODE,
	SMPP_ADDRESS_TOLL_FREE,
	SMPP_ADDRESS_ALPHANUMERIC,
};

/*
 * Classifies addr (NUL-terminated; NULL reads as ""), first rule that
 * applies:
 *  - ton 5 (alphanumeric), or any character other than a digit (a
 *    leading '+' aside): alphanumeric;
 *  - ton 6 (abbreviated), digits only: short code;
 *  - 3 to 8 digits, no '+' and ton not 1 (international): short code;
 *  - a North American number, "+1" and ten digits or "1" and ten digits,
 *    whose area code is 800, 833, 844, 855, 866, 877 or 888: toll free;
 *  - anything else, the empty address included: long code.
 * npi does not change the answer today; it is taken so callers need not
 * change when a plan gets a rule of its own.
 */
enum smpp_address_kind smpp_address_kind(uint8_t ton, uint8_t npi,
	    const char *addr);

/* "short_code", "long_code", "toll_free", "alphanumeric"; "unknown" for
 * a value outside the enum. */
const char	*smpp_address_kind_name(enum smpp_address_kind);

#endif
