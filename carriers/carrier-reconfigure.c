/*
 * A running carrier taking a new profile (a scenario's timeline "set"):
 * the model, the capability checks, the submit window and the receipt
 * schedule read c->p for each message, so swapping the pointer is most of
 * it; what was derived from the profile when the carrier or a bind
 * started follows here: the carrier's and each bind's throughput bucket.
 *
 * What a running carrier cannot follow is refused rather than half
 * applied: its name and seed (every message's dice derive from them),
 * its listeners and accounts (sockets are open, ESMEs bound), the
 * session settings (each session copied them when it connected) and the
 * capture ring's size.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "carriers/carrier-internal.h"

/* The first member of the profile that may not change, or NULL. */
static const char *
reconfigure_fixed(const struct carrier_profile *a,
    const struct carrier_profile *b)
{
	if (strcmp(a->name, b->name) != 0)
		return "name";
	if (strcmp(a->country, b->country) != 0)
		return "country";
	if (a->seed != b->seed)
		return "seed";
	if (a->nlisten != b->nlisten ||
	    memcmp(a->listen, b->listen, a->nlisten * sizeof a->listen[0]))
		return "listen";
	if (a->naccounts != b->naccounts || memcmp(a->accounts, b->accounts,
	    a->naccounts * sizeof a->accounts[0]))
		return "accounts";
	if (a->enquire_link_interval != b->enquire_link_interval ||
	    a->inactivity_timeout != b->inactivity_timeout ||
	    a->session_init_timeout != b->session_init_timeout ||
	    a->response_timeout != b->response_timeout ||
	    a->deliver_window != b->deliver_window)
		return "session";
	if (a->capture_limit != b->capture_limit)
		return "capture_limit";
	return NULL;
}

/* A bucket at a new rate keeps no more than the new burst. */
static void
reconfigure_bucket(struct carrier_bucket *b, double rate)
{
	double burst = rate > 1 ? rate : 1;

	b->rate = rate;
	if (b->tokens > burst)
		b->tokens = burst;
}

int
carrier_reconfigure(struct carrier *c, const struct carrier_profile *p,
    char *err, size_t errlen)
{
	struct carrier_bind *b;
	const char *fixed;

	if ((fixed = reconfigure_fixed(c->p, p)) != NULL) {
		snprintf(err, errlen, "%s cannot change while the carrier runs",
		    fixed);
		return -1;
	}
	c->p = p;
	reconfigure_bucket(&c->bucket, p->max_mps);
	TAILQ_FOREACH(b, &c->binds, entry)
		reconfigure_bucket(&b->bucket, p->max_mps_bind);
	log_info("%s reconfigure window=%u max_mps=%g max_mps_bind=%g "
	    "outcomes=%zu submit_errors=%zu", p->name, p->window, p->max_mps,
	    p->max_mps_bind, p->noutcomes, p->nsubmit_errors);
	return 0;
}
