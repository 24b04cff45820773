/*
 * The sender selection pipeline (sender.h; docs/sender-selection.md says
 * the order and why). gw_sender_choose() runs the steps of sel_steps[] in
 * order over a candidate set that starts as the whole pool; each step
 * narrows the set, chooses, fails or passes, and writes one line of the
 * trace saying what it decided. Nothing here changes the registry: the
 * caller records the sticky mapping and the alert.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/random.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/sender.h"
#include "gateway/sender-internal.h"
#include "gateway/services.h"

#define USEC		1000000LL
#define GW_OVERLAYS_MAX	16	/* 917 has 6 */

enum sel_result {
	SEL_NEXT,		/* on to the next step */
	SEL_CHOSEN,		/* sel->chosen is the sender */
	SEL_FAILED,		/* e is filled */
};

/* The pipeline's state while one message's sender is chosen. */
struct sel {
	struct gateway		*gw;
	struct gw_service	*s;
	const struct gw_message	*m;
	unsigned		 flags;
	int64_t			 now;
	int			 mms;
	const char		*country;	/* the destination's; "" */
	struct gw_sender	**capable;	/* step 1's survivors */
	size_t			 ncapable;
	struct gw_sender	**cand;		/* what later steps narrow */
	size_t			 ncand;
	int			 short_codes;	/* cand are short codes */
	struct gw_sender	*mapped;	/* the live sticky mapping's
						   sender, usable now */
	struct gw_sender	*chosen;
	char			 why[128];	/* sel_unfit's words */
	struct gw_choice	*c;
	struct gw_error		*e;
};

/* Appends one line to the trace; a trace that would overflow ends in
 * "..." so that a reader sees it was cut. */
static void __attribute__((format(printf, 2, 3)))
sel_trace(struct sel *sel, const char *fmt, ...)
{
	char *t = sel->c->trace;
	size_t len = strlen(t);
	va_list ap;
	int n;

	if (len + 4 >= GW_TRACE_MAX)
		return;
	if (len > 0)
		t[len++] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(t + len, GW_TRACE_MAX - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		t[len] = '\0';
	else if ((size_t)n >= GW_TRACE_MAX - len)
		memcpy(t + GW_TRACE_MAX - 4, "...", 4);
}

static const char *
sel_country_name(const char *iso)
{
	return iso != NULL && iso[0] != '\0' ? iso : "(unknown)";
}

/* The recipient's carrier: the first route with the longest prefix of
 * to (as gw_route_pick sees it), for the trace; NULL when none. */
static const char *
sel_carrier_of(const struct gateway *gw, const char *to)
{
	const struct gateway_route *r;
	size_t i, j, len, best = 0;
	const char *name = NULL;

	for (i = 0; i < gw->cfg.nroutes; i++) {
		r = &gw->cfg.routes[i];
		for (j = 0; j < r->nprefixes; j++) {
			len = strlen(r->prefixes[j]);
			if (len > best && strncmp(to, r->prefixes[j], len) == 0) {
				best = len;
				name = r->name;
			}
		}
	}
	return name;
}

static const char *
sel_kind_plural(enum gateway_sender_kind kind)
{
	switch (kind) {
	case GATEWAY_SENDER_LONG_CODE:		return "long codes";
	case GATEWAY_SENDER_SHORT_CODE:		return "short codes";
	case GATEWAY_SENDER_TOLL_FREE:		return "toll-free numbers";
	case GATEWAY_SENDER_ALPHANUMERIC:	return "alphanumeric senders";
	}
	return "senders";
}

/*
 * Why snd cannot carry this message now (words that follow the sender
 * in a trace line), or NULL when it can. The route is the recipient's
 * carrier (gw_route_pick: the longest prefix of To).
 */
static const char *
sel_unfit(struct sel *sel, const struct gw_sender *snd)
{
	const char *carrier = sel_carrier_of(sel->gw, sel->m->to);

	if ((snd->capabilities & GATEWAY_CAP_SMS) == 0)
		return "cannot send SMS";
	if (sel->mms && (snd->capabilities & GATEWAY_CAP_MMS) == 0)
		return "cannot send MMS";
	if (gw_route_pick(sel->gw, sel->m->to, snd->kind, sel->mms) >= 0)
		return NULL;
	if (carrier == NULL)
		return "cannot reach the destination: no carrier serves it";
	snprintf(sel->why, sizeof sel->why, "cannot reach the destination: "
	    "carrier %s takes no %s%s", carrier, sel_kind_plural(snd->kind),
	    sel->mms ? " with media" : "");
	return sel->why;
}

/* 1. Capable: SMS (MMS with media) and some route for the kind. */
static enum sel_result
sel_capable(struct sel *sel)
{
	struct gw_sender *snd;
	size_t total = 0;

	TAILQ_FOREACH(snd, &sel->s->senders, entry) {
		total++;
		if (sel_unfit(sel, snd) == NULL)
			sel->capable[sel->ncapable++] = snd;
	}
	if (total == 0) {
		sel_trace(sel, "capable: the pool of %s is empty",
		    sel->s->sid);
		gw_error_set(sel->e, 21704, "The Messaging Service %s "
		    "contains no phone numbers", sel->s->sid);
		return SEL_FAILED;
	}
	sel_trace(sel, "capable: %zu of %zu senders can send %s to %s "
	    "(country %s)", sel->ncapable, total, sel->mms ? "MMS" : "SMS",
	    sel->m->to, sel_country_name(sel->country));
	if (sel->ncapable == 0) {
		gw_error_set(sel->e, 21612, "No sender of the Messaging "
		    "Service %s can send %s to %s: no carrier takes them",
		    sel->s->sid, sel->mms ? "MMS" : "SMS", sel->m->to);
		return SEL_FAILED;
	}
	memcpy(sel->cand, sel->capable, sel->ncapable * sizeof *sel->cand);
	sel->ncand = sel->ncapable;
	return SEL_NEXT;
}

/*
 * The pool's alpha sender for the destination: a DestinationAlphaSender
 * of its country, else one for every country, else an AlphaSender.
 */
static struct gw_sender *
sel_alpha_sender(const struct sel *sel)
{
	struct gw_sender *snd, *all = NULL, *plain = NULL;

	TAILQ_FOREACH(snd, &sel->s->senders, entry) {
		if (snd->kind != GATEWAY_SENDER_ALPHANUMERIC)
			continue;
		if (!snd->destination) {
			if (plain == NULL)
				plain = snd;
		} else if (snd->iso_country_code[0] == '\0') {
			if (all == NULL)
				all = snd;
		} else if (sel->country[0] != '\0' && strcasecmp(
		    snd->iso_country_code, sel->country) == 0)
			return snd;
	}
	return all != NULL ? all : plain;
}

/* 2. Alpha: wins outright where the country and a carrier take it. */
static enum sel_result
sel_alpha(struct sel *sel)
{
	struct gw_country_rules rules;
	struct gw_sender *alpha;
	const char *why;

	if (sel->flags & GW_CHOOSE_NO_ALPHA)
		return SEL_NEXT;
	if ((alpha = sel_alpha_sender(sel)) == NULL)
		return SEL_NEXT;
	gw_country_rules(sel->gw, sel->country, &rules);
	if (!rules.alpha) {
		sel_trace(sel, "alpha: country %s does not accept alpha -> "
		    "not %s", sel_country_name(sel->country), alpha->sender);
		return SEL_NEXT;
	}
	if ((why = sel_unfit(sel, alpha)) != NULL) {
		sel_trace(sel, "alpha: %s %s -> not used", alpha->sender, why);
		return SEL_NEXT;
	}
	if (rules.alpha_preregistration)
		sel->c->alert = 30018;
	sel_trace(sel, "alpha: country %s accepts alpha%s -> %s",
	    sel_country_name(sel->country), rules.alpha_preregistration ?
	    " (pre-registration required: alert 30018)" : "", alpha->sender);
	sel->chosen = alpha;
	return SEL_CHOSEN;
}

/* "2 days ago", for the sticky step's line. */
static void
sel_age(int64_t usec, char *buf, size_t len)
{
	int64_t s = usec > 0 ? usec / USEC : 0;

	if (s < 60)
		snprintf(buf, len, "%lld s ago", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lld min ago", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lld h ago", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lld day%s ago", (long long)(s / 86400),
		    s / 86400 == 1 ? "" : "s");
}

/* Why the mapped sender cannot be used for this message, or NULL. */
static const char *
sel_sticky_unusable(struct sel *sel, const struct gw_sender *snd)
{
	const char *why;

	if (snd->kind == GATEWAY_SENDER_ALPHANUMERIC)
		return "is alphanumeric";
	if ((why = sel_unfit(sel, snd)) != NULL)
		return why;
	if (snd->kind == GATEWAY_SENDER_SHORT_CODE) {
		if (sel->flags & GW_CHOOSE_NO_SHORT_CODE)
			return "is a short code and a long code is asked for";
		if (strcmp(snd->country, sel->country) != 0)
			return "is a short code of another country";
	}
	return NULL;
}

/* 3. Sticky: the recipient keeps the sender it had, while it can. */
static enum sel_result
sel_sticky(struct sel *sel)
{
	struct gw_sticky *st;
	struct gw_sender *snd;
	const char *why;
	char age[32];

	if (!sel->s->sticky_sender)
		return SEL_NEXT;
	st = gw_sticky_get(sel->gw->services, sel->s, sel->m->to, sel->now);
	if (st == NULL) {
		sel_trace(sel, "sticky: %s has no mapping yet", sel->m->to);
		return SEL_NEXT;
	}
	sel_age(sel->now - st->last_used, age, sizeof age);
	if ((snd = gw_service_sender_find(sel->s, st->sender_sid)) == NULL) {
		sel_trace(sel, "sticky: %s mapped to %s (%s), no longer in "
		    "the pool -> choosing again", sel->m->to, st->sender_sid,
		    age);
		return SEL_NEXT;
	}
	if ((why = sel_sticky_unusable(sel, snd)) != NULL) {
		sel_trace(sel, "sticky: %s mapped to %s (%s), which %s -> "
		    "choosing again", sel->m->to, snd->sender, age, why);
		return SEL_NEXT;
	}
	sel_trace(sel, "sticky: %s mapped to %s (%s)", sel->m->to,
	    snd->sender, age);
	sel->mapped = snd;
	sel->chosen = snd;
	return SEL_CHOSEN;
}

/* Keeps the candidates keep() says yes to; returns how many. */
static size_t
sel_filter(struct sel *sel, int (*keep)(const struct sel *,
    const struct gw_sender *, const void *), const void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < sel->ncand; i++)
		if (keep(sel, sel->cand[i], arg))
			sel->cand[n++] = sel->cand[i];
	sel->ncand = n;
	return n;
}

/* How many candidates keep() would keep. */
static size_t
sel_count(const struct sel *sel, int (*keep)(const struct sel *,
    const struct gw_sender *, const void *), const void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < sel->ncand; i++)
		n += keep(sel, sel->cand[i], arg) != 0;
	return n;
}

static int
keep_short_code(const struct sel *sel, const struct gw_sender *snd,
    const void *arg)
{
	(void)arg;
	return snd->kind == GATEWAY_SENDER_SHORT_CODE &&
	    strcmp(snd->country, sel->country) == 0;
}

/* The pool's short codes of the destination's country, capable or not. */
static size_t
sel_pool_short_codes(const struct sel *sel)
{
	const struct gw_sender *snd;
	size_t n = 0;

	TAILQ_FOREACH(snd, &sel->s->senders, entry)
		n += keep_short_code(sel, snd, NULL);
	return n;
}

/* 4. Short code priority, and the reroute when none can be used. */
static enum sel_result
sel_short_code(struct sel *sel)
{
	const char *carrier, *cc = sel_country_name(sel->country);
	size_t n;

	if (sel->flags & GW_CHOOSE_NO_SHORT_CODE)
		return SEL_NEXT;
	if (sel_pool_short_codes(sel) == 0)
		return SEL_NEXT;
	if (gw_route_pick(sel->gw, sel->m->to, GATEWAY_SENDER_SHORT_CODE,
	    sel->mms) < 0 &&
	    (carrier = sel_carrier_of(sel->gw, sel->m->to)) != NULL) {
		sel_trace(sel, "short code: carrier %s of %s takes no short "
		    "codes%s -> reroute to a long code", carrier, sel->m->to,
		    sel->mms ? " with media" : "");
		return SEL_NEXT;
	}
	if (sel_count(sel, keep_short_code, NULL) == 0) {
		sel_trace(sel, "short code: the pool's short codes of %s "
		    "cannot send %s -> reroute to a long code", cc,
		    sel->mms ? "MMS" : "SMS");
		return SEL_NEXT;
	}
	n = sel_filter(sel, keep_short_code, NULL);
	sel_trace(sel, "short code: %zu short code%s of %s take%s priority "
	    "over long codes", n, n == 1 ? "" : "s", cc, n == 1 ? "s" : "");
	sel->short_codes = 1;
	return SEL_NEXT;
}

static int
keep_number_of(const struct sel *sel, const struct gw_sender *snd,
    const void *country)
{
	(void)sel;
	return (snd->kind == GATEWAY_SENDER_LONG_CODE ||
	    snd->kind == GATEWAY_SENDER_TOLL_FREE) &&
	    strcmp(snd->country, country) == 0;
}

static int
keep_number(const struct sel *sel, const struct gw_sender *snd,
    const void *arg)
{
	(void)sel;
	(void)arg;
	return snd->kind == GATEWAY_SENDER_LONG_CODE ||
	    snd->kind == GATEWAY_SENDER_TOLL_FREE;
}

/* 5. Country geomatch: the recipient's country, else the US, else none. */
static enum sel_result
sel_country(struct sel *sel)
{
	const char *cc = sel_country_name(sel->country);
	size_t n;

	if (sel->short_codes)
		return SEL_NEXT;
	if (sel->country[0] != '\0' &&
	    (n = sel_count(sel, keep_number_of, sel->country)) > 0) {
		sel_filter(sel, keep_number_of, sel->country);
		sel_trace(sel, "country: %zu number%s of %s", n,
		    n == 1 ? "" : "s", cc);
		return SEL_NEXT;
	}
	if ((n = sel_count(sel, keep_number_of, "US")) > 0) {
		sel_filter(sel, keep_number_of, "US");
		sel_trace(sel, "country: no number of %s -> %zu of US", cc, n);
		return SEL_NEXT;
	}
	n = sel_count(sel, keep_number, NULL);
	sel_trace(sel, "country: no number of %s or US can send to %s (%zu "
	    "of other countries)", cc, sel->m->to, n);
	gw_error_set(sel->e, 21703, "The Messaging Service %s has no phone "
	    "number of %s or the US that can send to %s", sel->s->sid, cc,
	    sel->m->to);
	return SEL_FAILED;
}

static int
sender_is_nanp(const struct gw_sender *snd)
{
	return strncmp(snd->sender, "+1", 2) == 0 &&
	    strlen(snd->sender) >= 5;
}

static int
keep_area_code(const struct sel *sel, const struct gw_sender *snd,
    const void *npa)
{
	(void)sel;
	return snd->kind == GATEWAY_SENDER_LONG_CODE &&
	    sender_is_nanp(snd) && strncmp(snd->sender + 2, npa, 3) == 0;
}

/* The overlays of npa as "646, 332, 917" for the trace. */
static void
sel_overlay_list(char (*ovl)[4], size_t n, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
		    i > 0 ? ", " : "", ovl[i]);
}

/* The overlays of an area code, as a filter's argument. */
struct sel_overlays {
	char		(*npa)[4];
	size_t		 n;
};

static int
keep_overlay(const struct sel *sel, const struct gw_sender *snd,
    const void *arg)
{
	const struct sel_overlays *o = arg;
	size_t i;

	for (i = 0; i < o->n; i++)
		if (keep_area_code(sel, snd, o->npa[i]))
			return 1;
	return 0;
}

/* Keeps the candidates of every overlay, so that the scaler spreads the
 * recipients of an area code over all of them; lists in buf the
 * overlays that had some. Returns how many candidates are kept. */
static size_t
sel_overlay_filter(struct sel *sel, char (*ovl)[4], size_t novl,
    char *buf, size_t len)
{
	struct sel_overlays o = { ovl, novl };
	size_t i, n, at = 0;

	if ((n = sel_count(sel, keep_overlay, &o)) == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < novl && at < len; i++)
		if (sel_count(sel, keep_area_code, ovl[i]) > 0)
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
			    at > 0 ? ", " : "", ovl[i]);
	sel_filter(sel, keep_overlay, &o);
	return n;
}

/* 6. Area code geomatch (US/CA): same area code, an overlay, any. */
static enum sel_result
sel_area_code(struct sel *sel)
{
	char npa[4], ovl[GW_OVERLAYS_MAX][4], list[GW_OVERLAYS_MAX * 5];
	size_t n, novl;

	if (!sel->s->area_code_geomatch || sel->short_codes ||
	    strncmp(sel->m->to, "+1", 2) != 0 || strlen(sel->m->to) < 5)
		return SEL_NEXT;
	memcpy(npa, sel->m->to + 2, 3);
	npa[3] = '\0';
	if ((n = sel_count(sel, keep_area_code, npa)) > 0) {
		sel_filter(sel, keep_area_code, npa);
		sel_trace(sel, "area code: %s -> %zu number%s of %s", npa, n,
		    n == 1 ? "" : "s", npa);
		return SEL_NEXT;
	}
	novl = gw_nanp_overlays(npa, ovl, GW_OVERLAYS_MAX);
	if (novl > GW_OVERLAYS_MAX)
		novl = GW_OVERLAYS_MAX;
	if ((n = sel_overlay_filter(sel, ovl, novl, list, sizeof list)) > 0) {
		if (n == 1)
			sel_trace(sel, "area code: %s -> overlay %s: %s", npa,
			    list, sel->cand[0]->sender);
		else
			sel_trace(sel, "area code: %s -> overlay%s %s: %zu "
			    "numbers", npa, strchr(list, ',') != NULL ? "s" :
			    "", list, n);
		return SEL_NEXT;
	}
	sel_overlay_list(ovl, novl, list, sizeof list);
	sel_trace(sel, "area code: no number of %s%s%s%s -> any US/CA "
	    "number (%zu)", npa, novl > 0 ? " or its overlays (" : "", list,
	    novl > 0 ? ")" : "", sel->ncand);
	return SEL_NEXT;
}

static int
keep_mappings(const struct sel *sel, const struct gw_sender *snd,
    const void *least)
{
	(void)sel;
	return snd->mappings == *(const uint64_t *)least;
}

static int
keep_busy(const struct sel *sel, const struct gw_sender *snd,
    const void *least)
{
	(void)sel;
	return snd->busy == *(const unsigned *)least;
}

/* 7. Scaler: fewest sticky mappings (sticky on), then least busy, then
 * the seeded rng among equals. */
static enum sel_result
sel_scaler(struct sel *sel)
{
	uint64_t mappings = UINT64_MAX;
	unsigned busy = UINT_MAX;
	size_t i, total = sel->ncand, k;

	if (sel->s->sticky_sender) {
		for (i = 0; i < sel->ncand; i++)
			if (sel->cand[i]->mappings < mappings)
				mappings = sel->cand[i]->mappings;
		sel_filter(sel, keep_mappings, &mappings);
	}
	for (i = 0; i < sel->ncand; i++)
		if (sel->cand[i]->busy < busy)
			busy = sel->cand[i]->busy;
	sel_filter(sel, keep_busy, &busy);
	k = sel->ncand > 1 ? (size_t)rng_below(&sel->gw->rng, sel->ncand) : 0;
	sel->chosen = sel->cand[k];
	if (total == 1)
		sel_trace(sel, "scaler: 1 candidate, %s", sel->chosen->sender);
	else if (sel->s->sticky_sender)
		sel_trace(sel, "scaler: %zu candidates, fewest mappings (%llu) "
		    "and least busy (%u)%s %s", total,
		    (unsigned long long)mappings, busy, sel->ncand > 1 ?
		    ", drawn among equals:" : "", sel->chosen->sender);
	else
		sel_trace(sel, "scaler: %zu candidates, least busy (%u)%s %s",
		    total, busy, sel->ncand > 1 ?
		    ", drawn among equals:" : "", sel->chosen->sender);
	return SEL_CHOSEN;
}

static const struct sel_step {
	const char	 *name;
	enum sel_result	(*run)(struct sel *);
} sel_steps[] = {
	{ "capable",	sel_capable },
	{ "alpha",	sel_alpha },
	{ "sticky",	sel_sticky },
	{ "short code",	sel_short_code },
	{ "country",	sel_country },
	{ "area code",	sel_area_code },
	{ "scaler",	sel_scaler },
};

/* 8. The choice: its route, and whether the mapping is to be written. */
static void
sel_finish(struct sel *sel)
{
	struct gw_choice *c = sel->c;

	c->sender = sel->chosen;
	c->route = gw_route_pick(sel->gw, sel->m->to, sel->chosen->kind,
	    sel->mms);
	if (!sel->s->sticky_sender ||
	    sel->chosen->kind == GATEWAY_SENDER_ALPHANUMERIC)
		return;
	/* A new or changed mapping, or the live one used again (its
	 * last use moves, so that it does not expire). */
	c->sticky = 1;
	if (sel->mapped != sel->chosen)
		sel_trace(sel, "sticky: %s now mapped to %s", sel->m->to,
		    sel->chosen->sender);
}

int
gw_sender_choose(struct gateway *gw, struct gw_service *s,
    const struct gw_message *m, unsigned flags, int64_t now,
    struct gw_choice *c, struct gw_error *e)
{
	struct sel sel;
	enum sel_result r = SEL_NEXT;
	const struct gw_sender *snd;
	size_t i, n = 0;

	memset(c, 0, sizeof *c);
	c->route = -1;
	memset(&sel, 0, sizeof sel);
	sel.gw = gw;
	sel.s = s;
	sel.m = m;
	sel.flags = flags;
	sel.now = now;
	sel.mms = m->num_media > 0 && !m->mms_converted;
	sel.country = gw_sender_country_of(m->to);
	sel.c = c;
	sel.e = e;
	TAILQ_FOREACH(snd, &s->senders, entry)
		n++;
	sel.capable = xcalloc(n + 1, sizeof *sel.capable);
	sel.cand = xcalloc(n + 1, sizeof *sel.cand);
	for (i = 0; i < sizeof sel_steps / sizeof *sel_steps; i++)
		if ((r = sel_steps[i].run(&sel)) != SEL_NEXT)
			break;
	if (r == SEL_CHOSEN)
		sel_finish(&sel);
	free(sel.capable);
	free(sel.cand);
	return r == SEL_CHOSEN ? 0 : -1;
}
