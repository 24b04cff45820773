/*
 * The interop quirks of a carrier: things real SMSCs do that gateways
 * break on, one descriptor each. All are flags with parameters, read
 * where message ids are made (carrier-submit.c) and where receipts are
 * built (carrier-outbox.c) with one bit test; none needs apply or undo.
 * What a client sees of each is in docs/scenarios.md.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "carriers/fault.h"
#include "carriers/model.h"
#include "common/random.h"
#include "smpp/receipt.h"

#define A(f)	offsetof(struct carrier_switch_args, f)
#define WORD(state)	A(words[state])

/* In the order of enum carrier_id_format. */
static const char *const id_formats[] = {
	"decimal", "hex", "HEX", "padded", "uuid", NULL,
};

static const struct carrier_param message_id_params[] = {
	{ .name = "format", .type = CARRIER_PARAM_CHOICE, .off = A(format),
	  .choices = id_formats, .def = "\"decimal\"",
	  .help = "decimal 17, hex 11, HEX 1F, padded 0000000017, uuid" },
	{ .name = "width", .type = CARRIER_PARAM_UINT, .off = A(width),
	  .min = 1, .max = 64, .def = "10",
	  .help = "Digits of a padded id" },
	{ .name = NULL },
};

static const struct carrier_param receipt_id_params[] = {
	{ .name = "format", .type = CARRIER_PARAM_CHOICE, .off = A(format),
	  .choices = id_formats, .def = "\"hex\"",
	  .help = "The id's format in receipts (as for message_id)" },
	{ .name = "width", .type = CARRIER_PARAM_UINT, .off = A(width),
	  .min = 1, .max = 64, .def = "10",
	  .help = "Digits of a padded id" },
	{ .name = NULL },
};

static const struct carrier_param receipt_first_params[] = {
	{ .name = "delay", .type = CARRIER_PARAM_DURATION, .off = A(delay),
	  .def = "\"100ms\"",
	  .help = "Added to the response's time, after the receipt" },
	{ .name = NULL },
};

static const struct carrier_param vendor_tlvs_params[] = {
	{ .name = "tlvs", .type = CARRIER_PARAM_TLVS, .off = A(tlvs),
	  .def = "[{\"tag\": \"0x1403\", \"value\": \"01\"}]",
	  .help = "TLVs added to every receipt, after the standard ones" },
	{ .name = NULL },
};

#define STAT_WORD(w)							\
	{ .name = #w, .type = CARRIER_PARAM_WORD,			\
	  .off = WORD(SMPP_RECEIPT_STAT_##w), .def = "\"" #w "\"",	\
	  .help = "The stat: word of " #w " receipts" }

static const struct carrier_param stat_words_params[] = {
	STAT_WORD(ENROUTE),
	STAT_WORD(DELIVRD),
	STAT_WORD(EXPIRED),
	STAT_WORD(DELETED),
	STAT_WORD(UNDELIV),
	STAT_WORD(ACCEPTD),
	STAT_WORD(UNKNOWN),
	STAT_WORD(REJECTD),
	{ .name = NULL },
};

const struct carrier_switch carrier_quirks[CARRIER_NQUIRKS] = {
	[CARRIER_QUIRK_MESSAGE_ID] = {
		.name = "message_id", .kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_MESSAGE_ID, .params = message_id_params,
		.summary = "New message ids take this format in the submit "
		    "responses, in receipts, and as query_sm, cancel_sm and "
		    "replace_sm want them",
	},
	[CARRIER_QUIRK_RECEIPT_ID_FORMAT] = {
		.name = "receipt_id_format", .kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_RECEIPT_ID_FORMAT,
		.params = receipt_id_params,
		.summary = "Receipts name the message in this format, in the "
		    "text's id: and in receipted_message_id, whatever format "
		    "the submit response used",
	},
	[CARRIER_QUIRK_RECEIPT_BEFORE_RESPONSE] = {
		.name = "receipt_before_response",
		.kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_RECEIPT_BEFORE_RESPONSE,
		.params = receipt_first_params,
		.summary = "The message reaches its final state when it is "
		    "accepted, so its receipt is due at once, and the submit "
		    "response waits delay more: the receipt comes first",
	},
	[CARRIER_QUIRK_RECEIPTS_AS_DATA_SM] = {
		.name = "receipts_as_data_sm", .kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_RECEIPTS_AS_DATA_SM,
		.summary = "Receipts are data_sm instead of deliver_sm: the "
		    "same esm_class and TLVs, the text in message_payload",
	},
	[CARRIER_QUIRK_VENDOR_TLVS] = {
		.name = "vendor_tlvs", .kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_VENDOR_TLVS, .params = vendor_tlvs_params,
		.summary = "Receipts carry these vendor TLVs too (SMPPSim "
		    "sent 0x1403)",
	},
	[CARRIER_QUIRK_ERROR_RESPONSE_BODY] = {
		.name = "error_response_body", .kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_ERROR_RESPONSE_BODY,
		.summary = "A submit_sm_resp, data_sm_resp or "
		    "submit_multi_resp with an error status carries a body "
		    "(an empty message_id) instead of none",
	},
	[CARRIER_QUIRK_STAT_WORDS] = {
		.name = "stat_words", .kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_STAT_WORDS, .params = stat_words_params,
		.summary = "Receipt texts use these stat: words (members left "
		    "out keep Appendix B's); message_state TLVs keep the "
		    "standard values",
	},
	[CARRIER_QUIRK_NO_RECEIPT_TLVS] = {
		.name = "no_receipt_tlvs", .kind = CARRIER_SWITCH_QUIRK,
		.id = CARRIER_QUIRK_NO_RECEIPT_TLVS,
		.summary = "Receipts carry no receipted_message_id, "
		    "message_state or network_error_code TLV: the id is in "
		    "the text only",
	},
};

/*
 * A version 4 UUID whose 122 random bits come from the message's own key,
 * so the same seed and submits give the same ids.
 */
static void
id_uuid(const struct carrier_profile *p, uint64_t seed, uint64_t seq,
    char *out, size_t len)
{
	struct rng r;
	uint64_t hi, lo;

	rng_seed(&r, carrier_message_key(p, seed, seq) ^
	    UINT64_C(0x75756964));		/* "uuid" */
	hi = rng_next(&r);
	lo = rng_next(&r);
	hi = (hi & ~UINT64_C(0xF000)) | UINT64_C(0x4000);
	lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
	snprintf(out, len, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04"
	    PRIx64 "-%012" PRIx64, hi >> 32, (hi >> 16) & 0xFFFF,
	    hi & 0xFFFF, lo >> 48, lo & UINT64_C(0xFFFFFFFFFFFF));
}

void
carrier_id_format(const struct carrier_profile *p, uint64_t seed, int format,
    unsigned width, uint64_t seq, char *out, size_t len)
{
	switch (format) {
	case CARRIER_ID_HEX:
		snprintf(out, len, "%" PRIx64, seq);
		break;
	case CARRIER_ID_HEX_UPPER:
		snprintf(out, len, "%" PRIX64, seq);
		break;
	case CARRIER_ID_PADDED:
		snprintf(out, len, "%0*" PRIu64, (int)(width > 64 ? 64 :
		    width), seq);
		break;
	case CARRIER_ID_UUID:
		id_uuid(p, seed, seq, out, len);
		break;
	case CARRIER_ID_DECIMAL:
	default:
		snprintf(out, len, "%" PRIu64, seq);
		break;
	}
}
