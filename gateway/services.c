/*
 * The registry of Messaging Services (services.h): every account's
 * services in one tree by sid, each with its pool (a list, oldest
 * first) and its sticky mappings; the pools' numbers indexed by sid for
 * the inbound lookup. Every change is made in memory and written to the
 * store's open batch at once (services-store.c has the rows).
 *
 * Validation follows Twilio (twilio-api.md §4.3, §7): 21710 a member
 * already in this service, 21712 a number in another service, 21714 a
 * pool of GW_POOL_MAX numbers and short codes, 21715 a number that
 * cannot send SMS, 21713 an unknown use case, 21709 a bad alpha sender,
 * 30995 GW_SERVICES_MAX services of one account, 20404 a sid the account
 * does not own.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/services-internal.h"
#include "gateway/store.h"

#define GW_ALPHA_MAX	11	/* characters of an alpha sender */

static const char *const gw_usecases[] = {
	"notifications", "marketing", "verification", "discussion", "poll",
	"undeclared",
};

int
gw_service_cmp(const struct gw_service *a, const struct gw_service *b)
{
	return strcmp(a->sid, b->sid);
}

RB_GENERATE(gw_service_tree, gw_service, by_sid, gw_service_cmp);

static int
gw_number_ref_cmp(const struct gw_number_ref *a, const struct gw_number_ref *b)
{
	return strcmp(a->sid, b->sid);
}

TREE_GENERATE_STATIC(gw_number_index, gw_number_ref, by_sid,
    gw_number_ref_cmp);

int64_t
gw_services_now(const struct gw_services *reg)
{
	return clock_now(reg->gw->clock);
}

struct gw_service *
gw_service_alloc(void)
{
	struct gw_service *s = xcalloc(1, sizeof(*s));

	TAILQ_INIT(&s->senders);
	RB_INIT(&s->sticky);
	strlcpy(s->inbound_method, "POST", sizeof(s->inbound_method));
	strlcpy(s->fallback_method, "POST", sizeof(s->fallback_method));
	strlcpy(s->scan_message_content, "inherit",
	    sizeof(s->scan_message_content));
	strlcpy(s->usecase, "undeclared", sizeof(s->usecase));
	s->synchronous_validation = 1;
	return s;
}

void
gw_service_insert(struct gw_services *reg, struct gw_service *s)
{
	RB_INSERT(gw_service_tree, &reg->services, s);
	reg->nservices++;
}

const struct gateway_number *
gw_services_number(const struct gw_services *reg, const char *account_sid,
    const char *sid)
{
	const struct gateway_config *cfg = &reg->gw->cfg;
	size_t i;

	for (i = 0; sid != NULL && i < cfg->nnumbers; i++)
		if (strcmp(cfg->numbers[i].sid, sid) == 0 &&
		    (account_sid == NULL || strcmp(cfg->numbers[i].account_sid,
		    account_sid) == 0))
			return &cfg->numbers[i];
	return NULL;
}

static int
gw_sender_is_number(const struct gw_sender *snd)
{
	return snd->kind != GATEWAY_SENDER_ALPHANUMERIC;
}

void
gw_pool_attach(struct gw_services *reg, struct gw_service *s,
    struct gw_sender *snd)
{
	struct gw_number_ref *ref;

	strlcpy(snd->service_sid, s->sid, sizeof(snd->service_sid));
	strlcpy(snd->account_sid, s->account_sid, sizeof(snd->account_sid));
	TAILQ_INSERT_TAIL(&s->senders, snd, entry);
	s->nsenders++;
	if (!gw_sender_is_number(snd))
		return;
	ref = xcalloc(1, sizeof(*ref));
	strlcpy(ref->sid, snd->sid, sizeof(ref->sid));
	ref->s = s;
	ref->snd = snd;
	if (RB_INSERT(gw_number_index, &reg->numbers, ref) != NULL)
		free(ref);	/* the callers checked 21712 */
}

size_t
gw_pool_numbers(const struct gw_service *s)
{
	const struct gw_sender *snd;
	size_t n = 0;

	TAILQ_FOREACH(snd, &s->senders, entry)
		n += gw_sender_is_number(snd);
	return n;
}

static struct gw_number_ref *
gw_number_ref_find(const struct gw_services *reg, const char *sid)
{
	struct gw_number_ref key;

	if (strlcpy(key.sid, sid, sizeof(key.sid)) >= sizeof(key.sid))
		return NULL;
	return RB_FIND(gw_number_index,
	    (struct gw_number_index *)&reg->numbers, &key);
}

/* ---- lookups ---- */

struct gw_service *
gw_services_find(struct gw_services *reg, const char *account_sid,
    const char *sid)
{
	struct gw_service key, *s;

	if (reg == NULL || sid == NULL ||
	    strlcpy(key.sid, sid, sizeof(key.sid)) >= sizeof(key.sid))
		return NULL;
	s = RB_FIND(gw_service_tree, &reg->services, &key);
	if (s != NULL && account_sid != NULL &&
	    strcmp(s->account_sid, account_sid) != 0)
		return NULL;
	return s;
}

/* An alpha sender string: the services whose pool has it (any case). */
static struct gw_service *
gw_services_of_alpha(struct gw_services *reg, const char *account_sid,
    const char *alpha)
{
	struct gw_service *s;
	struct gw_sender *snd;

	RB_FOREACH(s, gw_service_tree, &reg->services) {
		if (account_sid != NULL &&
		    strcmp(s->account_sid, account_sid) != 0)
			continue;
		TAILQ_FOREACH(snd, &s->senders, entry)
			if (!gw_sender_is_number(snd) &&
			    (strcmp(snd->sid, alpha) == 0 ||
			    strcasecmp(snd->sender, alpha) == 0))
				return s;
	}
	return NULL;
}

struct gw_service *
gw_services_of_number(struct gw_services *reg, const char *account_sid,
    const char *number)
{
	const struct gateway_config *cfg;
	struct gw_number_ref *ref;
	size_t i;

	if (reg == NULL || number == NULL)
		return NULL;
	if ((ref = gw_number_ref_find(reg, number)) == NULL) {
		cfg = &reg->gw->cfg;
		for (i = 0; i < cfg->nnumbers && ref == NULL; i++)
			if (strcmp(cfg->numbers[i].number, number) == 0 &&
			    (account_sid == NULL || strcmp(
			    cfg->numbers[i].account_sid, account_sid) == 0))
				ref = gw_number_ref_find(reg,
				    cfg->numbers[i].sid);
	}
	if (ref == NULL)
		return gw_services_of_alpha(reg, account_sid, number);
	if (account_sid != NULL && strcmp(ref->s->account_sid,
	    account_sid) != 0)
		return NULL;
	return ref->s;
}

struct gw_sender *
gw_service_sender_find(struct gw_service *s, const char *sid)
{
	struct gw_sender *snd;

	TAILQ_FOREACH(snd, &s->senders, entry)
		if (strcmp(snd->sid, sid) == 0)
			return snd;
	return NULL;
}

static int
gw_service_order(const void *a, const void *b)
{
	const struct gw_service *x = *(struct gw_service *const *)a;
	const struct gw_service *y = *(struct gw_service *const *)b;

	if (x->date_created != y->date_created)
		return x->date_created < y->date_created ? -1 : 1;
	return strcmp(x->sid, y->sid);
}

void
gw_services_each(struct gw_services *reg, const char *account_sid,
    int (*cb)(struct gw_service *, void *), void *arg)
{
	struct gw_service **all, *s;
	size_t i, n = 0;

	all = xreallocarray(NULL, reg->nservices + 1, sizeof(*all));
	RB_FOREACH(s, gw_service_tree, &reg->services)
		if (account_sid == NULL ||
		    strcmp(s->account_sid, account_sid) == 0)
			all[n++] = s;
	qsort(all, n, sizeof(*all), gw_service_order);
	for (i = 0; i < n; i++)
		if (cb(all[i], arg) != 0)
			break;
	free(all);
}

/* ---- services ---- */

static size_t
gw_services_count(struct gw_services *reg, const char *account_sid)
{
	struct gw_service *s;
	size_t n = 0;

	RB_FOREACH(s, gw_service_tree, &reg->services)
		n += strcmp(s->account_sid, account_sid) == 0;
	return n;
}

int
gw_services_check(const struct gw_service *s, struct gw_error *e)
{
	size_t i;

	if (s->friendly_name[0] == '\0') {
		gw_error_set(e, 20001, "Missing required parameter "
		    "FriendlyName in the post body");
		return -1;
	}
	if (s->validity_period > 36000) {
		gw_error_set(e, 20001, "ValidityPeriod must be between 1 and "
		    "36000 seconds");
		return -1;
	}
	for (i = 0; i < sizeof(gw_usecases) / sizeof(*gw_usecases); i++)
		if (strcmp(s->usecase, gw_usecases[i]) == 0)
			return 0;
	gw_error_set(e, 21713, "Messaging Service Use Case is Invalid: %.32s",
	    s->usecase);
	return -1;
}

struct gw_service *
gw_services_create(struct gw_services *reg, const char *account_sid,
    const struct gw_service *tmpl, struct gw_error *e)
{
	struct gw_service *s;

	if (gw_services_check(tmpl, e) == -1)
		return NULL;
	if (gw_services_count(reg, account_sid) >= GW_SERVICES_MAX) {
		gw_error_set(e, 30995, "Messaging Service size limit reached: "
		    "%d services per account", GW_SERVICES_MAX);
		return NULL;
	}
	s = gw_service_alloc();
	memcpy(s, tmpl, sizeof(*s));
	TAILQ_INIT(&s->senders);
	RB_INIT(&s->sticky);
	s->nsenders = s->nsticky = 0;
	s->declaration = 0;
	do
		gw_sid_new(&reg->rng, "MG", s->sid);
	while (gw_services_find(reg, NULL, s->sid) != NULL);
	strlcpy(s->account_sid, account_sid, sizeof(s->account_sid));
	s->date_created = s->date_updated = gw_services_now(reg);
	gw_service_insert(reg, s);
	gw_service_write(reg, s);
	log_info("service %s created account=%s name=\"%s\"", s->sid,
	    s->account_sid, s->friendly_name);
	return s;
}

int
gw_services_updated(struct gw_services *reg, struct gw_service *s)
{
	struct gw_error e;

	if (gw_services_check(s, &e) == -1) {
		log_warnx("service %s update-refused reason=\"%s\"", s->sid,
		    e.message);
		return -1;
	}
	s->date_updated = gw_services_now(reg);
	gw_service_write(reg, s);
	log_info("service %s updated", s->sid);
	return 0;
}

int
gw_services_delete(struct gw_services *reg, struct gw_service *s)
{
	struct gw_sender *snd;
	struct gw_sticky *st;
	char hash[64];

	/* In memory one by one, in the store by parent. */
	reg->loading = 1;
	while ((st = RB_ROOT(&s->sticky)) != NULL)
		gw_sticky_drop(reg, s, st);
	while ((snd = TAILQ_FIRST(&s->senders)) != NULL)
		gw_services_remove_sender(reg, s, snd);
	reg->loading = 0;
	gw_store_delete_objects(reg->gw->store, GW_OBJ_STICKY, s->sid);
	gw_store_delete_objects(reg->gw->store, GW_OBJ_SENDER, s->sid);
	gw_store_delete_object(reg->gw->store, GW_OBJ_SERVICE, s->sid);
	if (s->declaration != 0) {
		snprintf(hash, sizeof(hash), "{\"declaration\":\"%016llx\"}",
		    (unsigned long long)s->declaration);
		gw_store_put_object(reg->gw->store, GW_OBJ_DELETED, s->sid,
		    s->account_sid, NULL, gw_services_now(reg), hash);
	}
	RB_REMOVE(gw_service_tree, &reg->services, s);
	reg->nservices--;
	log_info("service %s deleted account=%s", s->sid, s->account_sid);
	free(s);
	return 0;
}

/* ---- pools ---- */

/* The checks of a number joining s: ownership, capability, where it is
 * already, room. */
static const struct gateway_number *
gw_pool_check_number(struct gw_services *reg, struct gw_service *s,
    const char *number_sid, struct gw_error *e)
{
	const struct gateway_number *n;
	struct gw_number_ref *ref;

	n = gw_services_number(reg, s->account_sid, number_sid);
	if (n == NULL || n->kind == GATEWAY_SENDER_ALPHANUMERIC) {
		gw_error_set(e, 20404, "The requested resource %s was not "
		    "found", number_sid != NULL ? number_sid : "");
		return NULL;
	}
	if ((n->capabilities & GATEWAY_CAP_SMS) == 0) {
		gw_error_set(e, 21715, "Phone Number %s Does Not Have Correct "
		    "Messaging Service Capabilities (SMS)", n->number);
		return NULL;
	}
	if ((ref = gw_number_ref_find(reg, n->sid)) != NULL) {
		if (ref->s == s)
			gw_error_set(e, 21710, "Phone Number %s Already Exists "
			    "in Messaging Service %s", n->number, s->sid);
		else
			gw_error_set(e, 21712, "Phone Number %s is associated "
			    "with another Messaging Service (%s)", n->number,
			    ref->s->sid);
		return NULL;
	}
	if (gw_pool_numbers(s) >= GW_POOL_MAX) {
		gw_error_set(e, 21714, "Messaging Service Number Pool size "
		    "limit reached (%d)", GW_POOL_MAX);
		return NULL;
	}
	return n;
}

/* 1 when a number or short code of s is of country. */
static int
gw_pool_has_country(const struct gw_service *s, const char *country)
{
	const struct gw_sender *snd;

	TAILQ_FOREACH(snd, &s->senders, entry)
		if (gw_sender_is_number(snd) &&
		    strcmp(snd->country, country) == 0)
			return 1;
	return 0;
}

struct gw_sender *
gw_services_add_number(struct gw_services *reg, struct gw_service *s,
    const char *number_sid, struct gw_error *e)
{
	const struct gateway_number *n;
	struct gw_sender *snd;

	if ((n = gw_pool_check_number(reg, s, number_sid, e)) == NULL)
		return NULL;
	/* A country the pool had no number of: its recipients' mappings
	 * were made without one, so the selection makes them again. */
	if (n->country[0] != '\0' && !gw_pool_has_country(s, n->country))
		gw_sticky_drop_country(reg, s, n->country);
	snd = xcalloc(1, sizeof(*snd));
	strlcpy(snd->sid, n->sid, sizeof(snd->sid));
	snd->kind = n->kind;
	strlcpy(snd->sender, n->number, sizeof(snd->sender));
	strlcpy(snd->country, n->country, sizeof(snd->country));
	snd->capabilities = n->capabilities;
	snd->date_created = snd->date_updated = gw_services_now(reg);
	gw_pool_attach(reg, s, snd);
	gw_sender_write(reg, snd);
	log_info("service %s sender-added sid=%s sender=%s kind=%s", s->sid,
	    snd->sid, snd->sender, gateway_sender_kind_name(snd->kind));
	return snd;
}

/* Twilio's rule: up to 11 of A-Z a-z 0-9 space - + _ &, not only
 * digits (and not only spaces). */
static int
gw_alpha_valid(const char *alpha)
{
	size_t i, len = strlen(alpha);
	int letter = 0;

	if (len == 0 || len > GW_ALPHA_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)alpha[i]) &&
		    strchr(" -+_&", alpha[i]) == NULL)
			return 0;
		letter |= isalpha((unsigned char)alpha[i]) != 0;
	}
	return letter;
}

/* The member that an alpha joining s would repeat: the alpha sender
 * (one per service), or the destination alpha of that country. */
static struct gw_sender *
gw_pool_alpha_twin(struct gw_service *s, int destination, const char *iso)
{
	struct gw_sender *snd;

	TAILQ_FOREACH(snd, &s->senders, entry) {
		if (gw_sender_is_number(snd) ||
		    snd->destination != destination)
			continue;
		if (!destination || strcmp(snd->iso_country_code, iso) == 0)
			return snd;
	}
	return NULL;
}

struct gw_sender *
gw_pool_add_alpha(struct gw_services *reg, struct gw_service *s,
    const char *sid, const char *alpha, int destination,
    const char *iso_country, struct gw_error *e)
{
	const char *iso = iso_country != NULL ? iso_country : "";
	struct gw_sender *snd;

	if (alpha == NULL || !gw_alpha_valid(alpha)) {
		gw_error_set(e, 21709, "Alpha Sender ID '%.32s' is Invalid: "
		    "up to 11 letters, digits, spaces, '-', '+', '_' and "
		    "'&', not digits only", alpha != NULL ? alpha : "");
		return NULL;
	}
	if (strlen(iso) > 2 || (snd = gw_pool_alpha_twin(s, destination,
	    iso)) != NULL) {
		gw_error_set(e, 21710, "The Messaging Service %s already has %s"
		    " alpha sender%s%s", s->sid, destination ? "a destination" :
		    "an", iso[0] != '\0' ? " for " : "", iso);
		return NULL;
	}
	snd = xcalloc(1, sizeof(*snd));
	if (sid != NULL)
		strlcpy(snd->sid, sid, sizeof(snd->sid));
	else
		gw_sid_new(&reg->rng, "AI", snd->sid);
	snd->kind = GATEWAY_SENDER_ALPHANUMERIC;
	strlcpy(snd->sender, alpha, sizeof(snd->sender));
	snd->destination = destination;
	strlcpy(snd->iso_country_code, iso, sizeof(snd->iso_country_code));
	snd->capabilities = GATEWAY_CAP_SMS;
	snd->date_created = snd->date_updated = gw_services_now(reg);
	gw_pool_attach(reg, s, snd);
	gw_sender_write(reg, snd);
	log_info("service %s sender-added sid=%s sender=%s kind=%s%s%s",
	    s->sid, snd->sid, snd->sender, destination ?
	    "destination-alpha" : "alpha", iso[0] != '\0' ? " country=" : "",
	    iso);
	return snd;
}

struct gw_sender *
gw_services_add_alpha(struct gw_services *reg, struct gw_service *s,
    const char *alpha, int destination, const char *iso_country,
    struct gw_error *e)
{
	return gw_pool_add_alpha(reg, s, NULL, alpha, destination,
	    iso_country, e);
}

int
gw_services_remove_sender(struct gw_services *reg, struct gw_service *s,
    struct gw_sender *snd)
{
	struct gw_number_ref *ref;
	char key[GW_OBJECT_KEY_MAX];

	gw_sticky_drop_sender(reg, s, snd);
	if (gw_sender_is_number(snd) &&
	    (ref = gw_number_ref_find(reg, snd->sid)) != NULL &&
	    ref->snd == snd) {
		RB_REMOVE(gw_number_index, &reg->numbers, ref);
		free(ref);
	}
	TAILQ_REMOVE(&s->senders, snd, entry);
	s->nsenders--;
	if (!reg->loading) {
		gw_services_key(key, sizeof(key), s->sid, snd->sid);
		gw_store_delete_object(reg->gw->store, GW_OBJ_SENDER, key);
	}
	log_info("service %s sender-removed sid=%s sender=%s", s->sid,
	    snd->sid, snd->sender);
	free(snd);
	return 0;
}

/* ---- the registry ---- */

struct gw_services *
gw_services_open(struct gateway *gw, int64_t sticky_ttl, char *err,
    size_t errlen)
{
	struct gw_services *reg = xcalloc(1, sizeof(*reg));

	reg->gw = gw;
	reg->sticky_ttl = sticky_ttl > 0 ? sticky_ttl : GW_STICKY_TTL_DEFAULT;
	/* Its own stream: drawing sids here moves no other choice. */
	rng_fork(&reg->rng, &gw->rng, 0x736572766963ULL);
	RB_INIT(&reg->services);
	RB_INIT(&reg->numbers);
	if (gw_services_load(reg, err, errlen) == -1 ||
	    gw_services_seed(reg, err, errlen) == -1) {
		gw_services_free(reg);
		return NULL;
	}
	gw_sticky_sweep_arm(reg);
	log_info("services ready services=%zu mappings=%llu", reg->nservices,
	    (unsigned long long)reg->nsticky);
	return reg;
}

void
gw_services_free(struct gw_services *reg)
{
	struct gw_service *s, *snext;
	struct gw_number_ref *ref, *rnext;
	struct gw_sender *snd;
	struct gw_sticky *st, *tnext;

	if (reg == NULL)
		return;
	if (reg->sweep != NULL)
		clock_timer_free(reg->sweep);
	RB_FOREACH_SAFE(ref, gw_number_index, &reg->numbers, rnext) {
		RB_REMOVE(gw_number_index, &reg->numbers, ref);
		free(ref);
	}
	RB_FOREACH_SAFE(s, gw_service_tree, &reg->services, snext) {
		RB_REMOVE(gw_service_tree, &reg->services, s);
		RB_FOREACH_SAFE(st, gw_sticky_tree, &s->sticky, tnext) {
			RB_REMOVE(gw_sticky_tree, &s->sticky, st);
			free(st);
		}
		while ((snd = TAILQ_FIRST(&s->senders)) != NULL) {
			TAILQ_REMOVE(&s->senders, snd, entry);
			free(snd);
		}
		free(s);
	}
	free(reg);
}
