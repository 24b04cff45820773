/*
 * A carrier's profile: everything a scenario file (or the command line)
 * says about one simulated carrier SMSC. scenarios/ fills these structs;
 * carriers/ reads them and never parses a file. Every field has a default
 * set by carrier_profile_default(), documented in docs/scenarios.md.
 *
 * Durations are microseconds of clock time. Probabilities are 0..1.
 */
#ifndef CARRIERLAB_CARRIERS_PROFILE_H
#define CARRIERLAB_CARRIERS_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <regex.h>

#define CARRIER_NAME_MAX	64	/* with the NUL */
#define CARRIER_ADDR_MAX	80	/* "127.0.0.1:2775" */
#define CARRIER_PATH_MAX	1024
#define CARRIER_MAX_LISTEN	8
#define CARRIER_MAX_ACCOUNTS	32
#define CARRIER_MAX_PREFIXES	64
#define CARRIER_MAX_OUTCOMES	8
#define CARRIER_MAX_SUBMIT_ERRORS 8
#define CARRIER_MAX_RULES	32
#define CARRIER_PREFIX_MAX	22	/* "+1415", with the NUL */
#define CARRIER_MAX_SWITCHES	16	/* faults, and quirks, at start */
#define CARRIER_MAX_VENDOR_TLVS	8
#define CARRIER_VENDOR_TLV_MAX	64	/* octets of one vendor TLV value */
#define CARRIER_STAT_WORD_MAX	16	/* a receipt stat word, with NUL */
#define CARRIER_NSTATES		9	/* message_state 0..8 */

/*
 * A random duration, in microseconds: fixed a; uniform between a and b;
 * lognormal with median a and 99th percentile b (b >= a); exponential
 * with mean a. Samples are never negative.
 */
enum carrier_dist_kind {
	CARRIER_DIST_FIXED,
	CARRIER_DIST_UNIFORM,
	CARRIER_DIST_LOGNORMAL,
	CARRIER_DIST_EXPONENTIAL,
};

struct carrier_dist {
	enum carrier_dist_kind	 kind;
	int64_t			 a;
	int64_t			 b;
};

/* Bind types an account may use (bit mask). */
#define CARRIER_BIND_TX		0x01
#define CARRIER_BIND_RX		0x02
#define CARRIER_BIND_TRX	0x04
#define CARRIER_BIND_ALL	0x07

struct carrier_account {
	char		 system_id[16];		/* SMPP C-Octet 16 */
	char		 password[9];
	unsigned	 bind_types;		/* CARRIER_BIND_* */
	unsigned	 max_binds;		/* 0: no limit */
};

struct carrier_listen {
	char		 address[CARRIER_ADDR_MAX];	/* host:port */
	int		 tls;
	char		 cert[CARRIER_PATH_MAX];	/* PEM; empty: self-signed */
	char		 key[CARRIER_PATH_MAX];
};

/* Sender kinds (source_addr), see smpp/address.h. */
#define CARRIER_SENDER_SHORT_CODE	0x01
#define CARRIER_SENDER_LONG_CODE	0x02
#define CARRIER_SENDER_TOLL_FREE	0x04
#define CARRIER_SENDER_ALPHANUMERIC	0x08
#define CARRIER_SENDER_ALL		0x0F

/*
 * One receipt outcome: the Appendix B stat (message_state value, see
 * smpp/receipt.h), its probability, the err field and the
 * network_error_code TLV (type octet, then a 2-octet code; has_nec 0 means
 * the TLV is left out).
 */
struct carrier_outcome {
	int		 state;			/* SMPP_RECEIPT_STAT_* */
	double		 p;
	char		 err[4];		/* three digits */
	int		 has_nec;
	uint8_t		 nec_type;		/* 1 ANSI-136 ... 8 LTE? */
	uint16_t	 nec_code;
};

/* A submit_sm_resp error drawn with probability p. */
struct carrier_submit_error {
	uint32_t	 status;
	double		 p;
};

/*
 * A deterministic rule: the first rule whose conditions all match a
 * message decides instead of the dice. Conditions: destination prefix
 * (to_prefix, "+1415" matches "14155550100" too: a leading '+' is
 * ignored on both sides), source prefix (from_prefix, the same way: a
 * short code "55555"), destination regex, body regex (POSIX extended,
 * on the decoded text). Effects: a submit status (non-zero: the submit is
 * refused with it and nothing else happens), or an outcome (state > 0)
 * with its err and network_error_code, and optionally a fixed receipt
 * delay.
 */
struct carrier_rule {
	char		 to_prefix[CARRIER_PREFIX_MAX];
	char		 from_prefix[CARRIER_PREFIX_MAX];	/* source_addr */
	int		 has_to_regex;
	regex_t		 to_regex;
	int		 has_body_regex;
	regex_t		 body_regex;
	char		 to_source[256];		/* the regexes as written */
	char		 body_source[256];
	uint32_t	 submit_status;
	struct carrier_outcome outcome;		/* state 0: not set */
	int		 has_delay;
	int64_t		 delay;
};

/* Message id formats (the message_id and receipt_id_format quirks). */
enum carrier_id_format {
	CARRIER_ID_DECIMAL,		/* "17" */
	CARRIER_ID_HEX,			/* "11" */
	CARRIER_ID_HEX_UPPER,		/* "1F" */
	CARRIER_ID_PADDED,		/* "0000000017": decimal, width */
	CARRIER_ID_UUID,		/* random-looking, from seed and seq */
};

/* A TLV a quirk adds to receipts: tag and value octets. */
struct carrier_vendor_tlv {
	uint16_t	 tag;
	uint8_t		 length;
	uint8_t		 value[CARRIER_VENDOR_TLV_MAX];
};

/*
 * The parameters of one fault or quirk (carriers/fault.h describes which
 * of them each one reads, with their types, defaults and help). One
 * struct serves every fault and quirk: each uses only its own members.
 */
struct carrier_switch_args {
	int64_t		 for_usec;	/* clears itself after; 0: never */
	uint32_t	 status;	/* refuse_binds, submit_errors */
	double		 share;		/* 0..1 of submits or receipts */
	struct carrier_dist add;	/* latency: added to responses */
	int64_t		 delay;		/* drop_after_bind, ... */
	int		 format;	/* enum carrier_id_format */
	unsigned	 width;		/* CARRIER_ID_PADDED digits */
	struct carrier_vendor_tlv tlvs[CARRIER_MAX_VENDOR_TLVS];
	size_t		 ntlvs;
	/* stat_words: the word written for each message_state. */
	char		 words[CARRIER_NSTATES][CARRIER_STAT_WORD_MAX];
};

/* A fault or quirk on from the start: its table index and parameters. */
struct carrier_switch_setting {
	unsigned	 id;		/* CARRIER_FAULT_* or CARRIER_QUIRK_* */
	struct carrier_switch_args args;
};

struct carrier_profile {
	char		 name[CARRIER_NAME_MAX];
	char		 country[3];		/* ISO 3166 alpha-2, or "" */
	uint64_t	 seed;			/* mixed with the scenario seed */

	struct carrier_listen listen[CARRIER_MAX_LISTEN];
	size_t		 nlisten;
	struct carrier_account accounts[CARRIER_MAX_ACCOUNTS];
	size_t		 naccounts;
	uint32_t	 too_many_binds;	/* ESME_RALYBND or ESME_RBINDFAIL */

	/* Capabilities. */
	unsigned	 senders;		/* CARRIER_SENDER_* accepted */
	int		 mms;			/* takes MMS (for the gateway) */
	uint8_t		 data_codings[32];	/* bit per data_coding value */
	unsigned	 max_segments;		/* per message; 0: no limit */
	unsigned	 max_length;		/* octets of short_message or
						   message_payload; 0: 254 */
	char		 serves[CARRIER_MAX_PREFIXES][CARRIER_PREFIX_MAX];
	size_t		 nserves;		/* 0: every destination */

	/* Flow control. */
	unsigned	 window;		/* unanswered submits per bind */
	uint32_t	 on_window_full;	/* ESME_RMSGQFUL / ESME_RTHROTTLED */
	double		 max_mps_bind;		/* segments/s per bind; 0: none */
	double		 max_mps;		/* segments/s per carrier */

	/* The fate of each submit. */
	struct carrier_dist submit_latency;
	struct carrier_submit_error submit_errors[CARRIER_MAX_SUBMIT_ERRORS];
	size_t		 nsubmit_errors;
	struct carrier_outcome outcomes[CARRIER_MAX_OUTCOMES];
	size_t		 noutcomes;		/* p sum to 1 (checked) */
	struct carrier_dist receipt_delay;
	struct carrier_dist intermediate_delay;	/* ENROUTE/ACCEPTD steps */
	struct carrier_rule rules[CARRIER_MAX_RULES];
	size_t		 nrules;
	int64_t		 default_validity;	/* when the submit gives none */

	/* Receipts and MO towards the ESME. */
	int64_t		 resend_initial;	/* backoff after error/timeout */
	int64_t		 resend_max;		/* backoff ceiling */
	unsigned	 resend_attempts;	/* then dropped; 0: never */

	/* Sessions. */
	int64_t		 enquire_link_interval;
	int64_t		 inactivity_timeout;
	int64_t		 session_init_timeout;
	int64_t		 response_timeout;	/* deliver_sm_resp wait */
	unsigned	 deliver_window;	/* our outstanding deliver_sm */
	size_t		 capture_limit;		/* PDUs kept per bind */

	/* Faults and quirks on from the start (carriers/fault.h). */
	struct carrier_switch_setting faults[CARRIER_MAX_SWITCHES];
	size_t		 nfaults;
	struct carrier_switch_setting quirks[CARRIER_MAX_SWITCHES];
	size_t		 nquirks;
};

/* Fills every field with its documented default (one account test/test,
 * no listener). */
void	carrier_profile_default(struct carrier_profile *);
/* Frees the compiled regexes of the rules; calling it twice is harmless. */
void	carrier_profile_release(struct carrier_profile *);

/*
 * The data_codings bit of a data_coding value dc is bit (dc % 8) of
 * data_codings[dc / 8]. These set, clear and test it so no caller has to
 * know that.
 */
void	carrier_profile_allow_coding(struct carrier_profile *, uint8_t dc);
void	carrier_profile_deny_coding(struct carrier_profile *, uint8_t dc);
int	carrier_profile_accepts_coding(const struct carrier_profile *,
	    uint8_t dc);

#endif
