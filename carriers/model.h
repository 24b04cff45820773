/*
 * The carrier model: what a carrier decides about one message, as a pure
 * function of its profile, the scenario seed and the message. No I/O, no
 * clock reads: times come in and go out as values.
 *
 * Reproducibility: each message's dice come from a stream derived from
 * (seed, carrier name, message sequence number) alone, so the same seed and
 * the same submits give the same fates whatever else happens in between
 * (other binds, retries, timing).
 */
#ifndef CARRIERLAB_CARRIERS_MODEL_H
#define CARRIERLAB_CARRIERS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "carriers/profile.h"

struct rng;

/* What the model needs to know of a submitted message. */
struct carrier_submit_info {
	uint64_t	 seq;		/* carrier's message sequence, from 1 */
	const char	*source_addr;
	uint8_t		 source_ton;
	uint8_t		 source_npi;
	const char	*destination_addr;
	uint8_t		 data_coding;
	size_t		 length;	/* octets of short_message/payload */
	unsigned	 segments;	/* 1 unless UDH/SAR says otherwise */
	const char	*text;		/* body decoded to UTF-8, NUL-ended */
	uint8_t		 registered_delivery;
	int64_t		 now;		/* submit time, clock usec */
	int64_t		 schedule_at;	/* 0: deliver now */
	int64_t		 expire_at;	/* 0: profile default_validity */
};

/* The fate of a message. */
struct carrier_fate {
	uint32_t	 submit_status;	/* 0: accepted */
	int64_t		 submit_latency;	/* before submit_sm_resp */
	int		 rule;		/* index of the rule that decided, -1 */
	int		 state;		/* final SMPP_RECEIPT_STAT_* */
	char		 err[4];
	int		 has_nec;
	uint8_t		 nec_type;
	uint16_t	 nec_code;
	int64_t		 done_at;	/* when the final state is reached */
	int64_t		 expire_at;	/* effective validity end */
	/* Intermediate notification (registered_delivery bit 0x10). */
	int		 intermediate_state;	/* 0: none; else ENROUTE or
						   ACCEPTD */
	int64_t		 intermediate_at;
	/* Whether the final receipt is sent, from registered_delivery &
	 * 0x03: 1 always, 2 on failure only, 3 on success only (5.0). */
	int		 final_receipt;
};

/*
 * Checks a submit against the carrier's capabilities: sender kind,
 * served destination prefixes, data_coding, length and segments. Returns
 * 0 or the command_status to refuse with (ESME_RINVSRCADR,
 * ESME_RINVDSTADR, ESME_RINVDCS, ESME_RINVMSGLEN), with a short reason.
 */
uint32_t carrier_model_check(const struct carrier_profile *,
	    const struct carrier_submit_info *, char *reason, size_t len);

/*
 * Decides the fate: submit status and latency (submit_errors), then the
 * first matching rule or the outcome dice, the receipt delay counted from
 * schedule_at (or now), expiry (a final state later than expire_at becomes
 * EXPIRED at expire_at), and the receipts registered_delivery asks for.
 * A matching rule's submit_status wins over the submit_errors dice. A
 * refused submit (submit_status != 0) has state 0 and no receipts.
 */
void	carrier_model_decide(const struct carrier_profile *, uint64_t seed,
	    const struct carrier_submit_info *, struct carrier_fate *);

/*
 * The key every stream of message seq derives from: a hash of the
 * scenario seed, the profile's seed and name, and seq. For draws outside
 * the model that must repeat with the seed too (uuid message ids).
 */
uint64_t carrier_message_key(const struct carrier_profile *, uint64_t seed,
	    uint64_t seq);

/* Draws a duration (usec, >= 0) from d. */
int64_t	carrier_dist_sample(const struct carrier_dist *, struct rng *);

/* Whether a final state counts as a failure for registered_delivery. */
int	carrier_state_is_failure(int state);

#endif
