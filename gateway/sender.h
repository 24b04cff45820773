/*
 * How a Messaging Service chooses the sender of a message: one pipeline
 * of named steps (docs/sender-selection.md says the order and why), each
 * a small function that narrows the pool's candidates or picks one, and
 * writes one line of the trace that says what it decided ("alpha:
 * country GB accepts alpha -> ACME"). The trace is kept with the message
 * (gw_message.selection), logged, and shown by /sim/messages/{sid}.
 *
 * The tables the steps read: countries (whether a country takes
 * alphanumeric senders and whether it requires their pre-registration;
 * built in from data/countries.csv, overridden per country by the
 * scenario's gateway_config.countries) and the NANP area code overlays
 * (data/nanp-overlays.csv). Deterministic: ties are broken by the
 * gateway's seeded rng only.
 */
#ifndef CARRIERLAB_GATEWAY_SENDER_H
#define CARRIERLAB_GATEWAY_SENDER_H

#include <stddef.h>
#include <stdint.h>

struct gateway;
struct gw_error;
struct gw_message;
struct gw_sender;
struct gw_service;

#define GW_TRACE_MAX	1024	/* the whole trace, lines joined by '\n' */

/* What a country's regulations say of alphanumeric senders. */
struct gw_country_rules {
	char		 iso[3];
	int		 alpha;			/* takes alphanumeric senders */
	int		 alpha_preregistration;	/* ... only pre-registered:
						   30018 alert */
};

/* The rules of a country (the scenario's override, else the built-in
 * table); a country nobody lists takes alpha senders, unregistered. */
void		 gw_country_rules(const struct gateway *, const char *iso,
		    struct gw_country_rules *out);

/*
 * The area codes that overlay the NANP area code npa ("212" → "646",
 * "332", "917"): copies up to cap of them (3 digits + NUL each) into out
 * and returns how many the table has. npa itself is not listed.
 */
size_t		 gw_nanp_overlays(const char *npa, char (*out)[4],
		    size_t cap);

/* What the pipeline decided. */
struct gw_choice {
	struct gw_sender *sender;	/* NULL when -1 was returned */
	int		 route;		/* index of gw->cfg.routes */
	int		 alert;		/* 30018 to record, 0: none */
	int		 sticky;	/* 1: map to → sender now (sticky
					   sender on and the mapping is new,
					   changed or to be refreshed) */
	char		 trace[GW_TRACE_MAX];
};

/* Steps the caller can leave out: a fallback after an undelivered
 * short code asks for a long code. */
#define GW_CHOOSE_NO_SHORT_CODE	0x01
#define GW_CHOOSE_NO_ALPHA	0x02

/*
 * Chooses the sender of m (m->to, m->num_media) from s's pool at clock
 * time now. Returns 0 with c filled, or -1 with c->trace saying why and
 * e filled with the code Twilio uses (21703: no sender of the pool can
 * reach the destination; 21704: the pool is empty; 21612 when no
 * carrier takes anything from the pool for this destination). Changes
 * nothing: the caller sets the mapping (gw_sticky_set) and the alert.
 */
int		 gw_sender_choose(struct gateway *, struct gw_service *s,
		    const struct gw_message *m, unsigned flags, int64_t now,
		    struct gw_choice *c, struct gw_error *e);

#endif
