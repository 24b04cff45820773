/*
 * Fault modes and interop quirks of a simulated carrier, as data.
 *
 * A fault is something going wrong (binds refused, the listener closed,
 * receipts stopped); a quirk is something a real SMSC does differently
 * (hex message ids, receipts as data_sm, vendor TLVs). Both are "switches":
 * one descriptor each in a table (carriers/fault.c, carriers/quirk.c) with
 * its name, its parameters and what switching it on and off does. The
 * parameters are rows of name, type, range, default and help, and that one
 * description validates the JSON of /sim/ requests, validates the
 * scenario keys "faults" and "quirks", shows the parameters back as JSON
 * (state, --explain) and prints the docs tables.
 *
 * Every switch also takes "for", a duration after which it clears itself
 * (not the one-shot drop_connections). The runtime side (switching a
 * carrier's faults on and off) is in carriers/carrier.h.
 */
#ifndef CARRIERLAB_CARRIERS_FAULT_H
#define CARRIERLAB_CARRIERS_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "carriers/profile.h"

struct carrier;

enum carrier_switch_kind {
	CARRIER_SWITCH_FAULT,
	CARRIER_SWITCH_QUIRK,
};

/* The faults, in table order (the index of their row in fault.c). */
enum carrier_fault_id {
	CARRIER_FAULT_REFUSE_BINDS,
	CARRIER_FAULT_CLOSE_LISTENER,
	CARRIER_FAULT_DROP_CONNECTIONS,
	CARRIER_FAULT_DROP_AFTER_BIND,
	CARRIER_FAULT_BLACKHOLE,
	CARRIER_FAULT_SUBMIT_ERRORS,
	CARRIER_FAULT_LATENCY,
	CARRIER_FAULT_STOP_RECEIPTS,
	CARRIER_FAULT_DUPLICATE_RECEIPTS,
	CARRIER_NFAULTS
};

/* The quirks, in table order (quirk.c). */
enum carrier_quirk_id {
	CARRIER_QUIRK_MESSAGE_ID,
	CARRIER_QUIRK_RECEIPT_ID_FORMAT,
	CARRIER_QUIRK_RECEIPT_BEFORE_RESPONSE,
	CARRIER_QUIRK_RECEIPTS_AS_DATA_SM,
	CARRIER_QUIRK_VENDOR_TLVS,
	CARRIER_QUIRK_ERROR_RESPONSE_BODY,
	CARRIER_QUIRK_STAT_WORDS,
	CARRIER_QUIRK_NO_RECEIPT_TLVS,
	CARRIER_NQUIRKS
};

/* Types of parameter values. */
enum carrier_param_type {
	CARRIER_PARAM_STATUS,	/* an error command_status name -> status */
	CARRIER_PARAM_SHARE,	/* a number 0..1 -> share */
	CARRIER_PARAM_DURATION,	/* "250ms", or a number of ms -> int64 */
	CARRIER_PARAM_DIST,	/* a duration or a distribution -> add */
	CARRIER_PARAM_CHOICE,	/* one of choices -> int (its index) */
	CARRIER_PARAM_UINT,	/* an integer min..max -> unsigned */
	CARRIER_PARAM_WORD,	/* 1-15 of printable ASCII, no space or ':' */
	CARRIER_PARAM_TLVS,	/* [{"tag", "value"}] -> tlvs, ntlvs */
};

struct carrier_param {
	const char		*name;
	enum carrier_param_type	 type;
	size_t			 off;	/* in struct carrier_switch_args */
	double			 min;	/* UINT */
	double			 max;
	const char *const	*choices;	/* CHOICE, NULL-ended */
	const char		*def;	/* the default, as JSON text */
	const char		*help;
};

/*
 * One fault or quirk. apply runs when it is switched on (and again when
 * it is set anew while on, so it must bear that); undo runs when it is
 * cleared, and may fail (-1, err set: the switch then stays on). Either
 * may be NULL: most switches are flags read where the carrier works.
 * A oneshot switch acts once when set and is never "on" (no "for", no
 * undo).
 */
struct carrier_switch {
	const char		*name;
	enum carrier_switch_kind kind;
	unsigned		 id;
	int			 oneshot;
	const struct carrier_param *params;	/* NULL-named end */
	int			(*apply)(struct carrier *,
				    const struct carrier_switch_args *,
				    char *err, size_t errlen);
	int			(*undo)(struct carrier *, char *err,
				    size_t errlen);
	const char		*summary;	/* docs: what it does */
};

/* The tables (fault.c, quirk.c), indexed by their enums. */
extern const struct carrier_switch carrier_faults[CARRIER_NFAULTS];
extern const struct carrier_switch carrier_quirks[CARRIER_NQUIRKS];

/* A switch by kind and name, or NULL. */
const struct carrier_switch *carrier_switch_find(enum carrier_switch_kind,
	    const char *name);
/* The names of a table, comma separated, into buf (for an error);
 * settable leaves out the one-shot actions a scenario cannot hold on. */
void	carrier_switch_names(enum carrier_switch_kind, int settable,
	    char *buf, size_t len);
/* The table of a kind and its size. */
const struct carrier_switch *carrier_switch_table(enum carrier_switch_kind,
	    size_t *n);
const char	*carrier_switch_kind_name(enum carrier_switch_kind);

/*
 * Why parameters were refused, and where: the path of the value from the
 * params object down (tlvs, [1], tag; depth 0 for params itself). Keys
 * point into the descriptor tables or into the params JSON, so the error
 * is good while params lives.
 */
#define CARRIER_PARAM_DEPTH	4

struct carrier_param_error {
	struct {
		const char	*key;		/* NULL: an array index */
		size_t		 index;
	}		 path[CARRIER_PARAM_DEPTH];
	size_t		 depth;
	char		 reason[256];	/* "must be between 0 and 1" */
};

/*
 * Reads params (a JSON object, NULL for {}) into *args: every parameter
 * starts at its default, "for" at 0. Returns 0, or -1 with *err filled;
 * an unknown member is an error that lists what the switch takes.
 */
int	carrier_switch_parse(const struct carrier_switch *, json_t *params,
	    struct carrier_switch_args *args, struct carrier_param_error *err);
/* "tlvs[1].tag: must be a vendor TLV tag ..." */
void	carrier_param_error_format(const struct carrier_param_error *,
	    char *buf, size_t len);
/* The parameters of args as JSON (all of them, "for" when set): a new
 * reference that carrier_switch_parse() reads back to the same args. */
json_t	*carrier_switch_show(const struct carrier_switch *,
	    const struct carrier_switch_args *);

/* Docs words for a parameter: its type ("status") and range. */
const char	*carrier_param_type_name(enum carrier_param_type);
void		 carrier_param_range(const struct carrier_param *, char *buf,
		    size_t len);

/*
 * A message id for seq in format (width digits for CARRIER_ID_PADDED),
 * for carrier profile p under scenario seed: uuid ids are derived from
 * (seed, p, seq) alone, so a run repeats them. out holds 65 octets.
 */
void	carrier_id_format(const struct carrier_profile *p, uint64_t seed,
	    int format, unsigned width, uint64_t seq, char *out, size_t len);

#endif
