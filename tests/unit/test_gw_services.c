/*
 * gateway/services: the registry of Messaging Services with a file
 * database in a temporary directory and a virtual clock. Seeding from
 * the configuration and the hash rule across reopen (a change made
 * through the API survives, a changed declaration is applied again),
 * the pool's limits and Twilio's codes, sticky mappings (set, get,
 * expiry lazily and by the sweep, remap on a new country, removal),
 * alerts in the store, and the schema migration from version 1.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sqlite3.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/services-internal.h"
#include "gateway/services.h"
#include "gateway/store.h"
#include "tests/unit/gw_fixture.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define T0	(INT64_C(1714564800) * CLOCK_USEC_PER_SEC)
#define SEC	CLOCK_USEC_PER_SEC
#define TTL	(100 * SEC)
#define AC1	"AC11111111111111111111111111111111"
#define AC2	"AC22222222222222222222222222222222"
#define MG1	"MG11111111111111111111111111111111"
#define PN_US	"PN00000000000000000000000000000001"
#define PN_GB	"PN00000000000000000000000000000002"
#define PN_NOSMS "PN00000000000000000000000000000003"
#define PN_US2	"PN00000000000000000000000000000004"
#define PN_AC2	"PN00000000000000000000000000000005"
#define SC_US	"SC00000000000000000000000000000006"
#define AI_CFG	"AI00000000000000000000000000000007"
#define NFIXED	7
#define NMANY	(GW_POOL_MAX + 1)

static struct {
	char		 dir[PATH_MAX];
	char		 db[PATH_MAX + 16];
	struct event_base *base;
	struct clock	*clock;
	struct gateway	 gw;
	struct gateway_account accounts[2];
	struct gateway_number numbers[NFIXED + NMANY];
	struct gateway_service service;
	char		 pool[3][GATEWAY_SID_SIZE];
	struct gateway_destination_alpha dalpha;
	struct gw_services *reg;
} fx;

static void
number(size_t i, const char *sid, const char *account, const char *num,
    enum gateway_sender_kind kind, const char *country, unsigned caps)
{
	gwfx_number(&fx.numbers[i], sid, account, num, kind, country, caps);
}

static void
config_init(struct gateway_config *cfg)
{
	char sid[GATEWAY_SID_SIZE], num[GATEWAY_NUMBER_MAX];
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	strlcpy(fx.accounts[0].sid, AC1, sizeof(fx.accounts[0].sid));
	strlcpy(fx.accounts[1].sid, AC2, sizeof(fx.accounts[1].sid));
	number(0, PN_US, AC1, "+14155550100", GATEWAY_SENDER_LONG_CODE, "US",
	    GATEWAY_CAP_SMS | GATEWAY_CAP_MMS);
	number(1, PN_GB, AC1, "+447700900100", GATEWAY_SENDER_LONG_CODE, "GB",
	    GATEWAY_CAP_SMS);
	number(2, PN_NOSMS, AC1, "+14155550101", GATEWAY_SENDER_LONG_CODE,
	    "US", GATEWAY_CAP_VOICE);
	number(3, PN_US2, AC1, "+12125550100", GATEWAY_SENDER_LONG_CODE, "US",
	    GATEWAY_CAP_SMS);
	number(4, PN_AC2, AC2, "+12125550199", GATEWAY_SENDER_LONG_CODE, "US",
	    GATEWAY_CAP_SMS);
	number(5, SC_US, AC1, "55555", GATEWAY_SENDER_SHORT_CODE, "US",
	    GATEWAY_CAP_SMS);
	number(6, AI_CFG, AC1, "ACME", GATEWAY_SENDER_ALPHANUMERIC, "",
	    GATEWAY_CAP_SMS);
	for (i = 0; i < NMANY; i++) {
		snprintf(sid, sizeof(sid), "PN%032zx", 0x1000 + i);
		snprintf(num, sizeof(num), "+1303555%04zu", i);
		number(NFIXED + i, sid, AC1, num, GATEWAY_SENDER_LONG_CODE,
		    "US", GATEWAY_CAP_SMS);
	}
	strlcpy(fx.service.sid, MG1, sizeof(fx.service.sid));
	strlcpy(fx.service.account_sid, AC1, sizeof(fx.service.account_sid));
	strlcpy(fx.service.friendly_name, "Declared",
	    sizeof(fx.service.friendly_name));
	strlcpy(fx.service.usecase, "marketing", sizeof(fx.service.usecase));
	fx.service.sticky_sender = 1;
	fx.service.validity_period = 600;
	strlcpy(fx.pool[0], PN_US, sizeof(fx.pool[0]));
	strlcpy(fx.pool[1], SC_US, sizeof(fx.pool[1]));
	strlcpy(fx.pool[2], AI_CFG, sizeof(fx.pool[2]));
	fx.service.senders = fx.pool;
	fx.service.nsenders = 3;
	strlcpy(fx.dalpha.alpha, "ACMEUK", sizeof(fx.dalpha.alpha));
	strlcpy(fx.dalpha.iso_country_code, "GB",
	    sizeof(fx.dalpha.iso_country_code));
	fx.service.destination_alphas = &fx.dalpha;
	fx.service.ndestination_alphas = 1;
	cfg->accounts = fx.accounts;
	cfg->naccounts = 2;
	cfg->numbers = fx.numbers;
	cfg->nnumbers = nitems(fx.numbers);
	cfg->services = &fx.service;
	cfg->nservices = 1;
	cfg->seed = 42;
}

/* Opens the store and the registry as gateway_new() does. */
static void
reg_open(void)
{
	char err[512] = "";

	fx.gw.store = gw_store_open(fx.base, fx.db, 0, err, sizeof(err));
	ck_assert_msg(fx.gw.store != NULL, "%s", err);
	rng_seed(&fx.gw.rng, fx.gw.cfg.seed);
	fx.reg = gw_services_open(&fx.gw, TTL, err, sizeof(err));
	ck_assert_msg(fx.reg != NULL, "%s", err);
	fx.gw.services = fx.reg;
}

static void
reg_close(void)
{
	ck_assert_int_eq(gw_store_commit(fx.gw.store), 0);
	gw_services_free(fx.reg);
	gw_store_close(fx.gw.store);
	fx.reg = NULL;
	fx.gw.store = NULL;
}

static void
setup(void)
{
	log_set_level(LOG_LEVEL_ERROR);
	memset(&fx, 0, sizeof(fx));
	gwfx_tmpdir("test_gw_services", fx.dir, sizeof(fx.dir), fx.db,
	    sizeof(fx.db));
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_VIRTUAL, T0, 1.0);
	fx.gw.base = fx.base;
	fx.gw.clock = fx.clock;
	config_init(&fx.gw.cfg);
}

static void
teardown(void)
{
	if (fx.reg != NULL)
		reg_close();
	gwfx_tmpdir_remove(fx.dir, fx.db);
	clock_free(fx.clock);
	event_base_free(fx.base);
}

/* Moves virtual time to now + usec, running the timers due on the way. */
static void
advance(int64_t usec)
{
	clock_virtual_advance(fx.clock, usec);
}

static struct gw_service *
svc(const char *sid)
{
	return gw_services_find(fx.reg, AC1, sid);
}

/* A new service of AC1 through the registry, as the API makes it. */
static struct gw_service *
create(const char *name)
{
	struct gw_service tmpl;
	struct gw_service *s;
	struct gw_error e;

	memset(&tmpl, 0, sizeof(tmpl));
	strlcpy(tmpl.friendly_name, name, sizeof(tmpl.friendly_name));
	strlcpy(tmpl.usecase, "undeclared", sizeof(tmpl.usecase));
	s = gw_services_create(fx.reg, AC1, &tmpl, &e);
	ck_assert_msg(s != NULL, "%d %s", e.code, e.message);
	return s;
}

/* ---- seeding and the hash rule ---- */

START_TEST(test_seed)
{
	struct gw_service *s;
	struct gw_sender *snd, *dest = NULL;
	char dest_sid[GATEWAY_SID_SIZE];
	int kinds = 0;

	reg_open();
	s = svc(MG1);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(gw_services_find(fx.reg, AC2, MG1));
	ck_assert_str_eq(s->friendly_name, "Declared");
	ck_assert_str_eq(s->usecase, "marketing");
	ck_assert_uint_eq(s->validity_period, 600);
	ck_assert_int_eq(s->date_created, T0);
	ck_assert_uint_ne(s->declaration, 0);
	ck_assert_uint_eq(s->nsenders, 4);
	TAILQ_FOREACH(snd, &s->senders, entry) {
		kinds |= 1 << snd->kind;
		if (snd->destination)
			dest = snd;
	}
	ck_assert_int_eq(kinds, (1 << GATEWAY_SENDER_LONG_CODE) |
	    (1 << GATEWAY_SENDER_SHORT_CODE) |
	    (1 << GATEWAY_SENDER_ALPHANUMERIC));
	snd = gw_service_sender_find(s, AI_CFG);
	ck_assert_ptr_nonnull(snd);
	ck_assert_str_eq(snd->sender, "ACME");
	ck_assert_int_eq(snd->destination, 0);
	ck_assert_ptr_nonnull(dest);
	ck_assert(gw_sid_valid(dest->sid, "AI"));
	ck_assert_str_eq(dest->iso_country_code, "GB");
	ck_assert_str_eq(dest->sender, "ACMEUK");
	strlcpy(dest_sid, dest->sid, sizeof(dest_sid));
	/* Lookups by number sid, number and alpha. */
	ck_assert_ptr_eq(gw_services_of_number(fx.reg, AC1, PN_US), s);
	ck_assert_ptr_eq(gw_services_of_number(fx.reg, AC1, "+14155550100"),
	    s);
	ck_assert_ptr_eq(gw_services_of_number(fx.reg, NULL, "55555"), s);
	ck_assert_ptr_eq(gw_services_of_number(fx.reg, AC1, "acme"), s);
	ck_assert_ptr_null(gw_services_of_number(fx.reg, AC2, PN_US));
	ck_assert_ptr_null(gw_services_of_number(fx.reg, AC1, PN_GB));
	reg_close();
	/* A fresh database, the same file and seed: the same sid. */
	gwfx_db_remove(fx.db);
	reg_open();
	dest = NULL;
	TAILQ_FOREACH(snd, &svc(MG1)->senders, entry)
		if (snd->destination)
			dest = snd;
	ck_assert_ptr_nonnull(dest);
	ck_assert_str_eq(dest->sid, dest_sid);
}
END_TEST

START_TEST(test_hash_rule)
{
	struct gw_service *s, *made;
	struct gw_error e;
	char made_sid[GATEWAY_SID_SIZE];

	reg_open();
	s = svc(MG1);
	strlcpy(s->friendly_name, "Renamed", sizeof(s->friendly_name));
	ck_assert_int_eq(gw_services_updated(fx.reg, s), 0);
	ck_assert_ptr_nonnull(gw_services_add_number(fx.reg, s, PN_GB, &e));
	made = create("Made");
	strlcpy(made_sid, made->sid, sizeof(made_sid));
	ck_assert_ptr_nonnull(gw_services_add_number(fx.reg, made, PN_US2,
	    &e));
	reg_close();
	/* Same declaration: the store wins. */
	advance(10 * SEC);
	reg_open();
	s = svc(MG1);
	ck_assert_str_eq(s->friendly_name, "Renamed");
	ck_assert_ptr_nonnull(gw_service_sender_find(s, PN_GB));
	ck_assert_uint_eq(s->nsenders, 5);
	made = svc(made_sid);
	ck_assert_ptr_nonnull(made);
	ck_assert_str_eq(made->friendly_name, "Made");
	ck_assert_uint_eq(made->declaration, 0);
	ck_assert_ptr_eq(gw_services_of_number(fx.reg, AC1, PN_US2), made);
	reg_close();
	/* The file changes: its declaration is written over, pool too. */
	strlcpy(fx.service.friendly_name, "Declared again",
	    sizeof(fx.service.friendly_name));
	fx.service.nsenders = 1;		/* PN_US only */
	reg_open();
	s = svc(MG1);
	ck_assert_str_eq(s->friendly_name, "Declared again");
	ck_assert_int_eq(s->date_created, T0);
	ck_assert_int_eq(s->date_updated, T0 + 10 * SEC);
	ck_assert_uint_eq(s->nsenders, 2);	/* PN_US + the GB alpha */
	ck_assert_ptr_null(gw_service_sender_find(s, PN_GB));
	ck_assert_ptr_nonnull(svc(made_sid));
	/* A declared service deleted through the API stays deleted... */
	ck_assert_int_eq(gw_services_delete(fx.reg, s), 0);
	ck_assert_ptr_null(svc(MG1));
	reg_close();
	reg_open();
	ck_assert_ptr_null(svc(MG1));
	reg_close();
	/* ... until its declaration changes. */
	fx.service.validity_period = 700;
	reg_open();
	ck_assert_ptr_nonnull(svc(MG1));
	ck_assert_uint_eq(svc(MG1)->validity_period, 700);
}
END_TEST

START_TEST(test_seed_errors)
{
	char err[512] = "";

	/* A declared pool member the account does not own. */
	strlcpy(fx.pool[0], PN_AC2, sizeof(fx.pool[0]));
	fx.gw.store = gw_store_open(fx.base, fx.db, 0, err, sizeof(err));
	ck_assert_ptr_nonnull(fx.gw.store);
	ck_assert_ptr_null(gw_services_open(&fx.gw, TTL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "services[0] (" MG1 ")") != NULL, "%s",
	    err);
	gw_store_close(fx.gw.store);
	fx.gw.store = NULL;
}
END_TEST

/* ---- pools and Twilio's codes ---- */

static void
assert_code(const void *p, const struct gw_error *e, int code)
{
	ck_assert_ptr_null(p);
	ck_assert_msg(e->code == code, "code %d (%s), expected %d", e->code,
	    e->message, code);
	ck_assert_int_eq(e->http_status, code == 20404 ? 404 : 400);
}

START_TEST(test_pool_codes)
{
	struct gw_service *s, *other, tmpl;
	struct gw_error e;
	size_t i;

	reg_open();
	s = svc(MG1);
	other = create("Other");
	assert_code(gw_services_add_number(fx.reg, s, PN_US, &e), &e, 21710);
	assert_code(gw_services_add_number(fx.reg, other, PN_US, &e), &e,
	    21712);
	assert_code(gw_services_add_number(fx.reg, other, PN_NOSMS, &e), &e,
	    21715);
	assert_code(gw_services_add_number(fx.reg, other, PN_AC2, &e), &e,
	    20404);
	assert_code(gw_services_add_number(fx.reg, other,
	    "PNffffffffffffffffffffffffffffffff", &e), &e, 20404);
	assert_code(gw_services_add_number(fx.reg, other, AI_CFG, &e), &e,
	    20404);
	assert_code(gw_services_add_alpha(fx.reg, other, "12345", 0, NULL,
	    &e), &e, 21709);
	assert_code(gw_services_add_alpha(fx.reg, other, "TWELVECHARSX", 0,
	    NULL, &e), &e, 21709);
	assert_code(gw_services_add_alpha(fx.reg, other, "Bad!", 0, NULL,
	    &e), &e, 21709);
	ck_assert_ptr_nonnull(gw_services_add_alpha(fx.reg, other,
	    "Acme & Co", 0, NULL, &e));
	assert_code(gw_services_add_alpha(fx.reg, other, "Other", 0, NULL,
	    &e), &e, 21710);
	ck_assert_ptr_nonnull(gw_services_add_alpha(fx.reg, other, "AcmeFR",
	    1, "FR", &e));
	assert_code(gw_services_add_alpha(fx.reg, other, "AcmeFR2", 1, "FR",
	    &e), &e, 21710);
	/* 400 numbers and short codes; the alphas do not count. */
	for (i = 0; i < GW_POOL_MAX; i++)
		ck_assert_msg(gw_services_add_number(fx.reg, other,
		    fx.numbers[NFIXED + i].sid, &e) != NULL, "%zu: %s", i,
		    e.message);
	assert_code(gw_services_add_number(fx.reg, other,
	    fx.numbers[NFIXED + GW_POOL_MAX].sid, &e), &e, 21714);
	ck_assert_uint_eq(other->nsenders, GW_POOL_MAX + 2);
	/* Settings. */
	memset(&tmpl, 0, sizeof(tmpl));
	strlcpy(tmpl.usecase, "undeclared", sizeof(tmpl.usecase));
	assert_code(gw_services_create(fx.reg, AC1, &tmpl, &e), &e, 20001);
	strlcpy(tmpl.friendly_name, "x", sizeof(tmpl.friendly_name));
	strlcpy(tmpl.usecase, "spam", sizeof(tmpl.usecase));
	assert_code(gw_services_create(fx.reg, AC1, &tmpl, &e), &e, 21713);
	strlcpy(tmpl.usecase, "poll", sizeof(tmpl.usecase));
	tmpl.validity_period = 36001;
	assert_code(gw_services_create(fx.reg, AC1, &tmpl, &e), &e, 20001);
	s->validity_period = 0;
	strlcpy(s->usecase, "nope", sizeof(s->usecase));
	ck_assert_int_eq(gw_services_updated(fx.reg, s), -1);
}
END_TEST

static int
count_cb(struct gw_service *s, void *arg)
{
	(void)s;
	(*(size_t *)arg)++;
	return 0;
}

START_TEST(test_services_max)
{
	struct gw_service tmpl;
	struct gw_error e;
	size_t i, n = 0;

	reg_open();
	memset(&tmpl, 0, sizeof(tmpl));
	strlcpy(tmpl.friendly_name, "many", sizeof(tmpl.friendly_name));
	strlcpy(tmpl.usecase, "undeclared", sizeof(tmpl.usecase));
	for (i = 1; i < GW_SERVICES_MAX; i++)	/* MG1 is one */
		ck_assert_ptr_nonnull(gw_services_create(fx.reg, AC1, &tmpl,
		    &e));
	assert_code(gw_services_create(fx.reg, AC1, &tmpl, &e), &e, 30995);
	ck_assert_ptr_nonnull(gw_services_create(fx.reg, AC2, &tmpl, &e));
	gw_services_each(fx.reg, AC1, count_cb, &n);
	ck_assert_uint_eq(n, GW_SERVICES_MAX);
}
END_TEST

/* ---- sticky sender ---- */

START_TEST(test_sticky)
{
	struct gw_service *s;
	struct gw_sender *us, *sc;
	struct gw_sticky *st;

	reg_open();
	s = svc(MG1);
	us = gw_service_sender_find(s, PN_US);
	sc = gw_service_sender_find(s, SC_US);
	ck_assert_ptr_null(gw_sticky_get(fx.reg, s, "+14155550999", T0));
	gw_sticky_set(fx.reg, s, "+14155550999", us, T0);
	gw_sticky_set(fx.reg, s, "+14155550998", us, T0);
	ck_assert_uint_eq(us->mappings, 2);
	ck_assert_uint_eq(s->nsticky, 2);
	st = gw_sticky_get(fx.reg, s, "+14155550999", T0 + TTL - 1);
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(st->sender_sid, PN_US);
	/* Moving to another sender keeps the counts right. */
	gw_sticky_set(fx.reg, s, "+14155550998", sc, T0 + 5 * SEC);
	ck_assert_uint_eq(us->mappings, 1);
	ck_assert_uint_eq(sc->mappings, 1);
	/* Lazy expiry: unused for the ttl. */
	ck_assert_ptr_null(gw_sticky_get(fx.reg, s, "+14155550999",
	    T0 + TTL));
	ck_assert_uint_eq(us->mappings, 0);
	ck_assert_uint_eq(s->nsticky, 1);
	/* The sweep on the clock drops the other one when it expires. */
	advance(6 * SEC + TTL);
	ck_assert_uint_eq(s->nsticky, 0);
	ck_assert_uint_eq(sc->mappings, 0);
	ck_assert_uint_eq(fx.reg->nsticky, 0);
	/* Persisted: a mapping survives a restart, its counts too. */
	gw_sticky_set(fx.reg, s, "+14155550997", us, clock_now(fx.clock));
	reg_close();
	reg_open();
	s = svc(MG1);
	st = gw_sticky_get(fx.reg, s, "+14155550997", clock_now(fx.clock));
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(st->sender_sid, PN_US);
	ck_assert_uint_eq(gw_service_sender_find(s, PN_US)->mappings, 1);
	reg_close();
	/* ... and is gone after the ttl, from the store as well. */
	advance(TTL);
	reg_open();
	ck_assert_uint_eq(svc(MG1)->nsticky, 0);
}
END_TEST

START_TEST(test_sticky_sparing)
{
	struct gw_service *s;
	struct gw_sender *us;
	struct gw_sticky *st;

	reg_open();
	s = svc(MG1);
	us = gw_service_sender_find(s, PN_US);
	gw_sticky_set(fx.reg, s, "+14155550999", us, T0);
	ck_assert_int_eq(gw_store_commit(fx.gw.store), 0);
	/* Within ttl/100 (1 s here) a use writes nothing. */
	gw_sticky_set(fx.reg, s, "+14155550999", us, T0 + SEC / 2);
	ck_assert_uint_eq(gw_store_pending(fx.gw.store), 0);
	st = gw_sticky_get(fx.reg, s, "+14155550999", T0 + SEC / 2);
	ck_assert_int_eq(st->last_used, T0);
	gw_sticky_set(fx.reg, s, "+14155550999", us, T0 + 2 * SEC);
	ck_assert_uint_eq(gw_store_pending(fx.gw.store), 1);
	ck_assert_int_eq(st->last_used, T0 + 2 * SEC);
	ck_assert_uint_eq(us->mappings, 1);
}
END_TEST

START_TEST(test_sticky_remap_and_removal)
{
	struct gw_service *s;
	struct gw_sender *us, *sc;
	struct gw_error e;

	reg_open();
	s = svc(MG1);
	us = gw_service_sender_find(s, PN_US);
	sc = gw_service_sender_find(s, SC_US);
	gw_sticky_set(fx.reg, s, "+14155550999", us, T0);
	gw_sticky_set(fx.reg, s, "+447700900999", us, T0);
	gw_sticky_set(fx.reg, s, "+447700900998", us, T0);
	gw_sticky_set(fx.reg, s, "+12125550999", sc, T0);
	ck_assert_uint_eq(us->mappings, 3);
	/* A number of a country the pool had none of: that country's
	 * mappings go, to be made again with it. */
	ck_assert_ptr_nonnull(gw_services_add_number(fx.reg, s, PN_GB, &e));
	ck_assert_ptr_null(gw_sticky_get(fx.reg, s, "+447700900999", T0));
	ck_assert_ptr_nonnull(gw_sticky_get(fx.reg, s, "+14155550999", T0));
	ck_assert_uint_eq(us->mappings, 1);
	/* Another US number: a country the pool has, nothing moves. */
	ck_assert_ptr_nonnull(gw_services_add_number(fx.reg, s, PN_US2, &e));
	ck_assert_uint_eq(s->nsticky, 2);
	/* Removing a sender drops its mappings. */
	ck_assert_int_eq(gw_services_remove_sender(fx.reg, s, sc), 0);
	ck_assert_ptr_null(gw_sticky_get(fx.reg, s, "+12125550999", T0));
	ck_assert_uint_eq(s->nsticky, 1);
	ck_assert_ptr_null(gw_services_of_number(fx.reg, AC1, SC_US));
	reg_close();
	reg_open();
	s = svc(MG1);
	ck_assert_uint_eq(s->nsticky, 1);
	ck_assert_ptr_null(gw_service_sender_find(s, SC_US));
	ck_assert_ptr_nonnull(gw_service_sender_find(s, PN_GB));
	/* Deleting the service takes pool and mappings with it. */
	ck_assert_int_eq(gw_services_delete(fx.reg, s), 0);
	ck_assert_ptr_null(gw_services_of_number(fx.reg, AC1, PN_GB));
	ck_assert_uint_eq(fx.reg->nsticky, 0);
}
END_TEST

/* ---- alerts ---- */

struct alerts {
	json_t		*rows[8];
	size_t		 n;
};

static void
alert_cb(const struct gw_object_row *row, void *arg)
{
	struct alerts *a = arg;

	ck_assert_uint_lt(a->n, nitems(a->rows));
	a->rows[a->n++] = json_loads(row->body, 0, NULL);
}

START_TEST(test_alerts)
{
	struct gw_object_query q;
	struct alerts a;
	int more = 0;

	reg_open();
	gw_alert_add(fx.reg, AC1, 30018, "SM00000000000000000000000000000001",
	    MG1, "GB requires pre-registration of %s", "ACME");
	advance(SEC);
	gw_alert_add(fx.reg, AC1, 30018, "SM00000000000000000000000000000002",
	    NULL, "second");
	gw_alert_add(fx.reg, AC2, 30018, NULL, NULL, "other account");
	reg_close();
	reg_open();
	memset(&q, 0, sizeof(q));
	memset(&a, 0, sizeof(a));
	q.kind = GW_OBJ_ALERT;
	q.account_sid = AC1;
	q.page_size = 1;
	ck_assert_int_eq(gw_store_list_objects(fx.gw.store, &q, alert_cb, &a,
	    &more), 1);
	ck_assert_int_eq(more, 1);
	ck_assert_str_eq(json_string_value(json_object_get(a.rows[0],
	    "alert_text")), "second");	/* newest first */
	q.page_size = 10;
	q.body_path = "$.service_sid";
	q.body_value = MG1;
	ck_assert_int_eq(gw_store_list_objects(fx.gw.store, &q, alert_cb, &a,
	    &more), 1);
	ck_assert_int_eq(more, 0);
	ck_assert_str_eq(json_string_value(json_object_get(a.rows[1],
	    "alert_text")), "GB requires pre-registration of ACME");
	ck_assert_int_eq(json_integer_value(json_object_get(a.rows[1],
	    "error_code")), 30018);
	ck_assert(gw_sid_valid(json_string_value(json_object_get(a.rows[1],
	    "sid")), "NO"));
	q.body_path = NULL;
	q.created_after = T0 + SEC;
	ck_assert_int_eq(gw_store_list_objects(fx.gw.store, &q, alert_cb, &a,
	    &more), 1);
	while (a.n > 0)
		json_decref(a.rows[--a.n]);
}
END_TEST

/* ---- the schema migration ---- */

/* Version 1 as it was shipped, trimmed to the tables version 2 touches
 * and those gw_store_open prepares statements on. */
static const char v1_ddl[] =
	"CREATE TABLE messages (sid TEXT PRIMARY KEY, account_sid TEXT NOT "
	"NULL, service_sid TEXT, \"to\" TEXT NOT NULL, \"from\" TEXT NOT "
	"NULL, body TEXT NOT NULL, status TEXT NOT NULL, direction TEXT NOT "
	"NULL, error_code INTEGER, date_created INTEGER NOT NULL, "
	"date_updated INTEGER NOT NULL, date_sent INTEGER, send_at INTEGER, "
	"valid_until INTEGER, validity_period INTEGER NOT NULL, num_segments "
	"INTEGER NOT NULL, num_media INTEGER NOT NULL, media TEXT NOT NULL, "
	"status_callback TEXT, data_coding INTEGER NOT NULL, smart_encoded "
	"INTEGER NOT NULL, attempt INTEGER NOT NULL, route TEXT, price TEXT, "
	"parts TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX messages_list ON messages (account_sid, date_created "
	"DESC, sid DESC);"
	"CREATE INDEX messages_active ON messages (status) WHERE status IN "
	"('accepted', 'scheduled', 'queued', 'sending', 'sent', 'receiving');"
	"CREATE TABLE message_events (id INTEGER PRIMARY KEY, sid TEXT NOT "
	"NULL, status TEXT NOT NULL, error_code INTEGER, at INTEGER NOT NULL, "
	"detail TEXT);"
	"CREATE TABLE callbacks (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
	"message_sid TEXT NOT NULL, account_sid TEXT NOT NULL, url TEXT NOT "
	"NULL, method TEXT NOT NULL, params TEXT NOT NULL, attempts INTEGER "
	"NOT NULL, next_at INTEGER NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE TABLE accounts (sid TEXT PRIMARY KEY, friendly_name TEXT NOT "
	"NULL, api_keys TEXT NOT NULL);"
	"CREATE TABLE numbers (sid TEXT PRIMARY KEY, account_sid TEXT NOT "
	"NULL, number TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT "
	"NULL, capabilities INTEGER NOT NULL, friendly_name TEXT NOT NULL, "
	"sms_url TEXT NOT NULL, sms_method TEXT NOT NULL, sms_fallback_url "
	"TEXT NOT NULL, sms_fallback_method TEXT NOT NULL, status_callback "
	"TEXT NOT NULL, date_created INTEGER NOT NULL);"
	"CREATE TABLE services (sid TEXT PRIMARY KEY, account_sid TEXT NOT "
	"NULL, friendly_name TEXT NOT NULL, inbound_request_url TEXT NOT "
	"NULL, inbound_method TEXT NOT NULL, fallback_url TEXT NOT NULL, "
	"fallback_method TEXT NOT NULL, status_callback TEXT NOT NULL, "
	"sticky_sender INTEGER NOT NULL, mms_converter INTEGER NOT NULL, "
	"smart_encoding INTEGER NOT NULL, area_code_geomatch INTEGER NOT "
	"NULL, fallback_to_long_code INTEGER NOT NULL, "
	"use_inbound_webhook_on_number INTEGER NOT NULL, validity_period "
	"INTEGER NOT NULL, usecase TEXT NOT NULL, senders TEXT NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO messages VALUES ('SM00000000000000000000000000000001', "
	"'" AC1 "', NULL, '+14155550999', '+14155550100', 'kept', "
	"'delivered', 'outbound-api', NULL, 1714564800000000, "
	"1714564800000000, NULL, NULL, NULL, 36000, 1, 0, '[]', NULL, 0, 0, "
	"0, NULL, NULL, '[]');"
	"INSERT INTO message_events (sid, status, at) VALUES "
	"('SM00000000000000000000000000000001', 'queued', 1);"
	"INSERT INTO meta VALUES ('generation', '3');"
	"PRAGMA application_id = 1129072471;"
	"PRAGMA user_version = 1;";

static int
sql_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;

	ck_assert_int_eq(sqlite3_open(fx.db, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

START_TEST(test_migrate_v1)
{
	struct gw_message *m = NULL;
	struct gw_event_row ev[4];
	uint64_t generation = 0;
	sqlite3 *db;
	char *err = NULL;

	ck_assert_int_eq(sqlite3_open(fx.db, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, v1_ddl, NULL, NULL, &err) ==
	    SQLITE_OK, "%s", err != NULL ? err : "");
	sqlite3_close(db);
	reg_open();
	ck_assert_ptr_nonnull(svc(MG1));	/* objects written */
	ck_assert_int_eq(gw_store_get_message(fx.gw.store, NULL,
	    "SM00000000000000000000000000000001", &m), 1);
	ck_assert_str_eq(m->body, "kept");
	ck_assert_ptr_null(m->selection);
	ck_assert_int_eq(gw_store_list_events(fx.gw.store,
	    "SM00000000000000000000000000000001", ev, 4), 1);
	ck_assert_int_eq(gw_store_start_generation(fx.gw.store, &generation),
	    0);
	ck_assert_uint_eq(generation, 4);
	/* The new column is written and read. */
	m->selection = xstrdup("alpha: country GB accepts alpha -> ACME");
	ck_assert_int_eq(gw_store_put_message(fx.gw.store, m), 0);
	gw_message_free(m);
	m = NULL;
	ck_assert_int_eq(gw_store_get_message(fx.gw.store, AC1,
	    "SM00000000000000000000000000000001", &m), 1);
	ck_assert_str_eq(m->selection,
	    "alpha: country GB accepts alpha -> ACME");
	gw_message_free(m);
	reg_close();
	ck_assert_int_eq(sql_int("PRAGMA user_version"),
	    GW_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM objects WHERE kind = "
	    "'service'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('objects_parent', 'objects_list')"), 2);
	/* 2 -> 3: the active index lost its IN list. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'messages_active' AND sql NOT LIKE '% IN %' AND sql LIKE "
	    "'%status = ''receiving''%'"), 1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("gw_services");
	TCase	*tc = tcase_create("services");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_seed);
	tcase_add_test(tc, test_hash_rule);
	tcase_add_test(tc, test_seed_errors);
	tcase_add_test(tc, test_pool_codes);
	tcase_add_test(tc, test_services_max);
	tcase_add_test(tc, test_sticky);
	tcase_add_test(tc, test_sticky_sparing);
	tcase_add_test(tc, test_sticky_remap_and_removal);
	tcase_add_test(tc, test_alerts);
	tcase_add_test(tc, test_migrate_v1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
