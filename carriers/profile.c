/*
 * Carrier profile defaults. Each default below is what a scenario gets
 * for a key it leaves out; docs/scenarios.md lists them from here, so a
 * change to one is a change to the documented behaviour of every
 * scenario that omits it. The defaults describe a well-behaved carrier
 * that accepts anything the protocol allows and delivers everything
 * quickly: scenarios add the faults and limits they want to test.
 */
#include "config.h"

#include <string.h>

#include "carriers/profile.h"
#include "smpp/smpp.h"
#include "smpp/receipt.h"

#define MSEC	INT64_C(1000)
#define SEC	(1000 * MSEC)
#define HOUR	(3600 * SEC)

/* The codings a default carrier takes: text and both binary values. */
static const uint8_t default_codings[] = {
	SMPP_DC_DEFAULT,	/* 0: GSM 03.38 (SMSC default alphabet) */
	SMPP_DC_IA5,		/* 1: IA5 / ASCII */
	SMPP_DC_BINARY,		/* 2: 8-bit binary */
	SMPP_DC_LATIN1,		/* 3: Latin-1 */
	SMPP_DC_BINARY4,	/* 4: 8-bit binary */
	SMPP_DC_UCS2,		/* 8: UCS-2 */
};

static void
default_account(struct carrier_profile *p)
{
	struct carrier_account *a = &p->accounts[0];

	/* One account, test/test, any bind type, any number of binds. */
	memcpy(a->system_id, "test", sizeof("test"));
	memcpy(a->password, "test", sizeof("test"));
	a->bind_types = CARRIER_BIND_ALL;
	a->max_binds = 0;
	p->naccounts = 1;
	/* A bind beyond max_binds: "already bound", as most SMSCs say. */
	p->too_many_binds = SMPP_ESME_RALYBND;
}

static void
default_capabilities(struct carrier_profile *p)
{
	size_t i;

	p->senders = CARRIER_SENDER_ALL;	/* every sender kind */
	p->mms = 0;				/* SMS only */
	for (i = 0; i < sizeof(default_codings); i++)
		carrier_profile_allow_coding(p, default_codings[i]);
	p->max_segments = 0;			/* no limit */
	/*
	 * 65535: no limit of the carrier's own. short_message cannot carry
	 * more than 254 octets anyway, and message_payload is then allowed
	 * up to its TLV's limit; a scenario that wants the classic
	 * 254-octet carrier sets max_length 254 (and 0 also means 254).
	 */
	p->max_length = 65535;
	p->nserves = 0;				/* every destination */
}

static void
default_flow(struct carrier_profile *p)
{
	p->window = 100;			/* unanswered submits a bind */
	p->on_window_full = SMPP_ESME_RMSGQFUL;
	p->max_mps_bind = 0;			/* no rate limit per bind */
	p->max_mps = 0;				/* nor per carrier */
}

static void
default_fate(struct carrier_profile *p)
{
	struct carrier_outcome *o = &p->outcomes[0];

	p->submit_latency = (struct carrier_dist){ CARRIER_DIST_FIXED, 0, 0 };
	p->nsubmit_errors = 0;			/* every submit accepted */
	/* Every message delivered, err 000, no network_error_code. */
	o->state = SMPP_RECEIPT_STAT_DELIVRD;
	o->p = 1.0;
	memcpy(o->err, "000", sizeof("000"));
	o->has_nec = 0;
	p->noutcomes = 1;
	p->receipt_delay = (struct carrier_dist){
	    CARRIER_DIST_FIXED, 100 * MSEC, 0 };
	p->intermediate_delay = (struct carrier_dist){
	    CARRIER_DIST_FIXED, 50 * MSEC, 0 };
	p->nrules = 0;
	/* Validity when the submit gives none: 48 hours, a common SMSC
	 * default. */
	p->default_validity = 48 * HOUR;
}

static void
default_sessions(struct carrier_profile *p)
{
	/* Receipt and MO resend backoff: 1 s doubling to 60 s, forever. */
	p->resend_initial = 1 * SEC;
	p->resend_max = 60 * SEC;
	p->resend_attempts = 0;
	p->enquire_link_interval = 30 * SEC;
	p->inactivity_timeout = 0;		/* idle binds are kept */
	p->session_init_timeout = 60 * SEC;	/* connect to bind */
	p->response_timeout = 10 * SEC;		/* deliver_sm_resp wait */
	p->deliver_window = 10;			/* our outstanding deliver_sm */
	p->capture_limit = 1000;		/* PDUs kept per bind */
}

/*
 * Everything not set above is zero: no name (the scenario names each
 * carrier), no country, seed 0, no listener, no rules.
 */
void
carrier_profile_default(struct carrier_profile *p)
{
	memset(p, 0, sizeof(*p));
	default_account(p);
	default_capabilities(p);
	default_flow(p);
	default_fate(p);
	default_sessions(p);
}

void
carrier_profile_release(struct carrier_profile *p)
{
	size_t i;

	for (i = 0; i < p->nrules && i < CARRIER_MAX_RULES; i++) {
		struct carrier_rule *r = &p->rules[i];

		if (r->has_to_regex)
			regfree(&r->to_regex);
		if (r->has_body_regex)
			regfree(&r->body_regex);
		r->has_to_regex = 0;
		r->has_body_regex = 0;
	}
}

void
carrier_profile_allow_coding(struct carrier_profile *p, uint8_t dc)
{
	p->data_codings[dc / 8] |= (uint8_t)(1u << (dc % 8));
}

void
carrier_profile_deny_coding(struct carrier_profile *p, uint8_t dc)
{
	p->data_codings[dc / 8] &= (uint8_t)~(1u << (dc % 8));
}

int
carrier_profile_accepts_coding(const struct carrier_profile *p, uint8_t dc)
{
	return (p->data_codings[dc / 8] >> (dc % 8)) & 1;
}
