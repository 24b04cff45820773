/*
 * gateway/optout: Advanced Opt-Out over a whole gateway (gateway_new,
 * no routes) with a file database in a temporary directory and a virtual
 * clock. Keyword classification as a table (case, trim, punctuation,
 * multi-word, a custom keyword in another language, removed defaults and
 * the three that cannot be removed), the scope of an opt-out (the
 * service's whole pool, or the number alone), persistence across a
 * reopen, the reply by language and by country, and the admin API's
 * settings (validation with the key path, GET after PUT, and a PUT that
 * survives a restart).
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/clock.h"
#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/gateway.h"
#include "gateway/optout.h"
#include "tests/unit/gw_fixture.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define T0	(INT64_C(1714564800) * CLOCK_USEC_PER_SEC)
#define AC1	"AC11111111111111111111111111111111"
#define MG1	"MG11111111111111111111111111111111"
#define MG2	"MG22222222222222222222222222222222"
#define PN_A	"PN00000000000000000000000000000001"
#define PN_B	"PN00000000000000000000000000000002"
#define PN_C	"PN00000000000000000000000000000003"
#define NUM_A	"+14155550100"
#define NUM_B	"+14155550101"
#define NUM_C	"+14155550102"
#define HANDSET	"+14155550999"
#define FR_HANDSET "+33612345678"

#define STOP_TEXT "You have successfully been unsubscribed. You will not " \
	"receive any more messages from this number. Reply START to " \
	"resubscribe."
#define START_TEXT "You have successfully been re-subscribed to messages " \
	"from this number. Reply HELP for help. Reply STOP to unsubscribe. " \
	"Msg&Data Rates May Apply."
#define HELP_TEXT "Reply STOP to unsubscribe. Msg&Data Rates May Apply."

/* The settings MG1 declares. */
static const char mg1_optout[] =
	"{\"keywords\": [{\"keyword\": \"arret\", \"class\": \"opt_out\", "
	"\"language\": \"fr\"}, {\"keyword\": \"AIDE\", \"class\": \"help\", "
	"\"language\": \"fr\"}, {\"keyword\": \"ALTO\", \"class\": \"opt_out\", "
	"\"language\": \"es\"}],"
	" \"removed\": [\"cancel\", \"YES\"],"
	" \"replies\": {\"opt_out\": {\"languages\": {\"fr\": \"Vous etes "
	"desabonne.\"}, \"countries\": {\"FR\": \"Desabonnement (FR).\"}},"
	" \"help\": {\"text\": \"Call us.\", \"languages\": {\"fr\": "
	"\"Appelez-nous.\"}}, \"opt_in\": {\"enabled\": false}}}";

static struct {
	char		 dir[PATH_MAX];
	char		 db[PATH_MAX + 16];
	struct event_base *base;
	struct clock	*clock;
	struct gateway	*gw;
	struct gateway_config cfg;
	struct gateway_account account;
	struct gateway_number numbers[3];
	struct gateway_service services[2];
	char		 pool1[2][GATEWAY_SID_SIZE];
} fx;

/* ---- the fixture ---- */

static void
number(size_t i, const char *sid, const char *num)
{
	gwfx_number(&fx.numbers[i], sid, AC1, num, GATEWAY_SENDER_LONG_CODE,
	    "US", GATEWAY_CAP_SMS);
}

static struct gateway_optout *
optout_from(const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	struct gateway_optout *cfg;
	char path[128], err[256];

	ck_assert_ptr_nonnull(o);
	cfg = gateway_optout_parse(o, path, sizeof(path), err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s: %s", path, err);
	json_decref(o);
	return cfg;
}

static void
service(size_t i, const char *sid, const char *name)
{
	struct gateway_service *s = &fx.services[i];

	strlcpy(s->sid, sid, sizeof(s->sid));
	strlcpy(s->account_sid, AC1, sizeof(s->account_sid));
	strlcpy(s->friendly_name, name, sizeof(s->friendly_name));
	strlcpy(s->inbound_method, "POST", sizeof(s->inbound_method));
	strlcpy(s->usecase, "undeclared", sizeof(s->usecase));
	s->validity_period = 36000;
}

static void
config_init(void)
{
	gateway_config_defaults(&fx.cfg);
	strlcpy(fx.account.sid, AC1, sizeof(fx.account.sid));
	strlcpy(fx.account.token, "test", sizeof(fx.account.token));
	number(0, PN_A, NUM_A);
	number(1, PN_B, NUM_B);
	number(2, PN_C, NUM_C);
	service(0, MG1, "Declared");
	strlcpy(fx.pool1[0], PN_A, sizeof(fx.pool1[0]));
	strlcpy(fx.pool1[1], PN_B, sizeof(fx.pool1[1]));
	fx.services[0].senders = fx.pool1;
	fx.services[0].nsenders = 2;
	fx.services[0].opt_out = optout_from(mg1_optout);
	service(1, MG2, "Plain");
	fx.cfg.accounts = &fx.account;
	fx.cfg.naccounts = 1;
	fx.cfg.numbers = fx.numbers;
	fx.cfg.nnumbers = nitems(fx.numbers);
	fx.cfg.services = fx.services;
	fx.cfg.nservices = nitems(fx.services);
}

static void
gateway_start(void)
{
	char err[512] = "";

	fx.gw = gateway_new(fx.base, fx.clock, &fx.cfg, fx.db, err,
	    sizeof(err));
	ck_assert_msg(fx.gw != NULL, "%s", err);
}

/* gateway_free commits the store: what was written is on disk. */
static void
gateway_restart(void)
{
	gateway_free(fx.gw);
	gateway_start();
}

static void
setup(void)
{
	log_set_level(LOG_LEVEL_ERROR);
	memset(&fx, 0, sizeof(fx));
	gwfx_tmpdir("test_gw_optout", fx.dir, sizeof(fx.dir), fx.db,
	    sizeof(fx.db));
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_VIRTUAL, T0, 1.0);
	config_init();
	gateway_start();
}

static void
teardown(void)
{
	gateway_free(fx.gw);
	gateway_optout_free(fx.services[0].opt_out);
	clock_free(fx.clock);
	event_base_free(fx.base);
	gwfx_tmpdir_remove(fx.dir, fx.db);
}

/* One inbound message; returns its type, reply copied into reply. */
static enum gw_optout_type
inbound(const char *to, const char *from, const char *body, char *reply,
    size_t len)
{
	struct gw_optout_result r;
	enum gw_optout_type t;

	t = gw_optout_inbound(fx.gw->optouts, AC1, "", to, from, body, &r);
	ck_assert_int_eq(t, r.type);
	snprintf(reply, len, "%s", r.reply != NULL ? r.reply : "(none)");
	gw_optout_result_clear(&r);
	return t;
}

/* ---- classification ---- */

static const struct {
	const char	*body;
	int		 custom;	/* under MG1's settings */
	enum gw_optout_type type;
	const char	*keyword;
	const char	*language;
} classify_cases[] = {
	{ "STOP", 0, GW_OPTOUT_STOP, "STOP", "en" },
	{ "stop", 0, GW_OPTOUT_STOP, "STOP", "en" },
	{ "  Stop \r\n", 0, GW_OPTOUT_STOP, "STOP", "en" },
	{ "STOP.", 0, GW_OPTOUT_STOP, "STOP", "en" },
	{ "stop!", 0, GW_OPTOUT_STOP, "STOP", "en" },
	{ "\tUnSubscribe!! ", 0, GW_OPTOUT_STOP, "UNSUBSCRIBE", "en" },
	{ "STOPALL", 0, GW_OPTOUT_STOP, "STOPALL", "en" },
	{ "cancel", 0, GW_OPTOUT_STOP, "CANCEL", "en" },
	{ "end", 0, GW_OPTOUT_STOP, "END", "en" },
	{ "quit", 0, GW_OPTOUT_STOP, "QUIT", "en" },
	{ "start", 0, GW_OPTOUT_START, "START", "en" },
	{ "Yes", 0, GW_OPTOUT_START, "YES", "en" },
	{ "unstop", 0, GW_OPTOUT_START, "UNSTOP", "en" },
	{ "help", 0, GW_OPTOUT_HELP, "HELP", "en" },
	{ "INFO?", 0, GW_OPTOUT_NONE, "", "" },
	{ "info", 0, GW_OPTOUT_HELP, "INFO", "en" },
	{ "STOP PLEASE", 0, GW_OPTOUT_NONE, "", "" },
	{ "please stop", 0, GW_OPTOUT_NONE, "", "" },
	{ "STO P", 0, GW_OPTOUT_NONE, "", "" },
	{ "STOPP", 0, GW_OPTOUT_NONE, "", "" },
	{ "", 0, GW_OPTOUT_NONE, "", "" },
	{ " . ", 0, GW_OPTOUT_NONE, "", "" },
	{ "ARRET", 0, GW_OPTOUT_NONE, "", "" },
	/* MG1: ARRET and AIDE in French, ALTO in Spanish, CANCEL and YES
	 * removed; STOP, START and HELP stay. */
	{ "arret", 1, GW_OPTOUT_STOP, "ARRET", "fr" },
	{ " Arret. ", 1, GW_OPTOUT_STOP, "ARRET", "fr" },
	{ "aide", 1, GW_OPTOUT_HELP, "AIDE", "fr" },
	{ "alto!", 1, GW_OPTOUT_STOP, "ALTO", "es" },
	{ "cancel", 1, GW_OPTOUT_NONE, "", "" },
	{ "yes", 1, GW_OPTOUT_NONE, "", "" },
	{ "quit", 1, GW_OPTOUT_STOP, "QUIT", "en" },
	{ "stop", 1, GW_OPTOUT_STOP, "STOP", "en" },
	{ "start", 1, GW_OPTOUT_START, "START", "en" },
	{ "help", 1, GW_OPTOUT_HELP, "HELP", "en" },
	{ "ARRET SVP", 1, GW_OPTOUT_NONE, "", "" },
};

START_TEST(test_classify)
{
	char keyword[GATEWAY_OPTOUT_KEYWORD_MAX];
	char language[GATEWAY_OPTOUT_LANGUAGE_MAX];
	size_t i;

	for (i = 0; i < nitems(classify_cases); i++) {
		ck_assert_msg(gw_optout_classify(classify_cases[i].custom ?
		    fx.services[0].opt_out : NULL, classify_cases[i].body,
		    keyword, language) == classify_cases[i].type,
		    "case %zu \"%s\"", i, classify_cases[i].body);
		ck_assert_str_eq(keyword, classify_cases[i].keyword);
		ck_assert_str_eq(language, classify_cases[i].language);
	}
	ck_assert_str_eq(gw_optout_type_name(GW_OPTOUT_STOP), "STOP");
	ck_assert_str_eq(gw_optout_type_name(GW_OPTOUT_START), "START");
	ck_assert_str_eq(gw_optout_type_name(GW_OPTOUT_HELP), "HELP");
	ck_assert_ptr_null(gw_optout_type_name(GW_OPTOUT_NONE));
}
END_TEST

/* ---- scope ---- */

/* STOP to one number of MG1 blocks the whole pool (and the service);
 * a number in no service blocks only itself; START lifts it. */
START_TEST(test_scope)
{
	char reply[2048];

	ck_assert_int_eq(inbound(NUM_A, HANDSET, "STOP", reply,
	    sizeof(reply)), GW_OPTOUT_STOP);
	ck_assert_str_eq(reply, STOP_TEXT);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG1, NUM_B,
	    HANDSET), 1);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG1, "",
	    HANDSET), 1);
	/* From a pool number without MessagingServiceSid: still the pool. */
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, "", NUM_B,
	    HANDSET), 1);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, "", NUM_C,
	    HANDSET), 0);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG2, NUM_C,
	    HANDSET), 0);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG1, NUM_A,
	    "+14155550998"), 0);
	/* A number alone. */
	ck_assert_int_eq(inbound(NUM_C, "+14155550998", "quit", reply,
	    sizeof(reply)), GW_OPTOUT_STOP);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, "", NUM_C,
	    "+14155550998"), 1);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG1, NUM_A,
	    "+14155550998"), 0);
	ck_assert_uint_eq(gw_optout_count(fx.gw->optouts), 2);
	/* HELP changes nothing; a second STOP records nothing more. */
	ck_assert_int_eq(inbound(NUM_B, HANDSET, "stop", reply,
	    sizeof(reply)), GW_OPTOUT_STOP);
	ck_assert_uint_eq(gw_optout_count(fx.gw->optouts), 2);
	ck_assert_int_eq(inbound(NUM_C, "+14155550998", "help", reply,
	    sizeof(reply)), GW_OPTOUT_HELP);
	ck_assert_str_eq(reply, HELP_TEXT);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, "", NUM_C,
	    "+14155550998"), 1);
	/* START through another pool number re-subscribes to the pool. */
	ck_assert_int_eq(inbound(NUM_B, HANDSET, "START", reply,
	    sizeof(reply)), GW_OPTOUT_START);
	ck_assert_str_eq(reply, "(none)");	/* MG1 disabled it */
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG1, NUM_A,
	    HANDSET), 0);
	ck_assert_int_eq(inbound(NUM_C, "+14155550998", "unstop", reply,
	    sizeof(reply)), GW_OPTOUT_START);
	ck_assert_str_eq(reply, START_TEXT);
	ck_assert_uint_eq(gw_optout_count(fx.gw->optouts), 0);
	/* Not a keyword: nothing. */
	ck_assert_int_eq(inbound(NUM_A, HANDSET, "stop it", reply,
	    sizeof(reply)), GW_OPTOUT_NONE);
	ck_assert_str_eq(reply, "(none)");
}
END_TEST

/* ---- persistence ---- */

START_TEST(test_persist)
{
	char reply[2048];

	inbound(NUM_A, HANDSET, "arret", reply, sizeof(reply));
	inbound(NUM_C, HANDSET, "end", reply, sizeof(reply));
	inbound(NUM_C, "+14155550998", "stop", reply, sizeof(reply));
	inbound(NUM_C, "+14155550998", "start", reply, sizeof(reply));
	gateway_restart();
	ck_assert_uint_eq(gw_optout_count(fx.gw->optouts), 2);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG1, NUM_B,
	    HANDSET), 1);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, "", NUM_C,
	    HANDSET), 1);
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, "", NUM_C,
	    "+14155550998"), 0);
	/* START after the restart: gone, and gone after the next one. */
	inbound(NUM_A, HANDSET, "start", reply, sizeof(reply));
	gateway_restart();
	ck_assert_int_eq(gw_optout_blocked(fx.gw->optouts, AC1, MG1, NUM_B,
	    HANDSET), 0);
	ck_assert_uint_eq(gw_optout_count(fx.gw->optouts), 1);
}
END_TEST

/* ---- replies ---- */

START_TEST(test_replies)
{
	const struct gateway_optout *cfg = fx.services[0].opt_out;
	char reply[2048];

	/* The keyword's language first. */
	ck_assert_int_eq(inbound(NUM_A, HANDSET, "ARRET", reply,
	    sizeof(reply)), GW_OPTOUT_STOP);
	ck_assert_str_eq(reply, "Vous etes desabonne.");
	/* Else the handset's country. */
	ck_assert_int_eq(inbound(NUM_A, FR_HANDSET, "STOP", reply,
	    sizeof(reply)), GW_OPTOUT_STOP);
	ck_assert_str_eq(reply, "Desabonnement (FR).");
	/* A French keyword from France: the language wins. */
	ck_assert_int_eq(inbound(NUM_A, FR_HANDSET, "arret", reply,
	    sizeof(reply)), GW_OPTOUT_STOP);
	ck_assert_str_eq(reply, "Vous etes desabonne.");
	/* Spanish with no Spanish reply, from the US: the default. */
	ck_assert_int_eq(inbound(NUM_A, HANDSET, "alto", reply,
	    sizeof(reply)), GW_OPTOUT_STOP);
	ck_assert_str_eq(reply, STOP_TEXT);
	/* The service's own help text, and its French one. */
	inbound(NUM_B, HANDSET, "help", reply, sizeof(reply));
	ck_assert_str_eq(reply, "Call us.");
	inbound(NUM_B, HANDSET, "aide", reply, sizeof(reply));
	ck_assert_str_eq(reply, "Appelez-nous.");
	/* Region tags find their language; disabled is NULL. */
	ck_assert_str_eq(gw_optout_reply_text(cfg, GW_OPTOUT_HELP, "fr-CA",
	    "US"), "Appelez-nous.");
	ck_assert_str_eq(gw_optout_reply_text(cfg, GW_OPTOUT_STOP, "de",
	    "fr"), "Desabonnement (FR).");
	ck_assert_ptr_null(gw_optout_reply_text(cfg, GW_OPTOUT_START, "en",
	    "US"));
	ck_assert_ptr_null(gw_optout_reply_text(cfg, GW_OPTOUT_NONE, "en",
	    "US"));
	ck_assert_str_eq(gw_optout_reply_text(NULL, GW_OPTOUT_START, "fr",
	    "FR"), START_TEXT);
	/* A number in no service: Twilio's texts. */
	inbound(NUM_C, FR_HANDSET, "stop", reply, sizeof(reply));
	ck_assert_str_eq(reply, STOP_TEXT);
}
END_TEST

/* ---- the admin API ---- */

static const struct {
	const char	*body;
	const char	*message;	/* the start of err */
} bad_puts[] = {
	{ "[]", "must be an object" },
	{ "{\"keyword\": []}", "keyword: unknown key" },
	{ "{\"keywords\": {}}", "keywords: must be an array" },
	{ "{\"keywords\": [{\"keyword\": \"ARRET\"}]}",
	  "keywords[0]: needs keyword and class" },
	{ "{\"keywords\": [{\"keyword\": \"A\", \"class\": \"opt_out\"}, "
	  "{\"keyword\": \"B\", \"class\": \"stop\"}]}",
	  "keywords[1].class: must be" },
	{ "{\"keywords\": [{\"keyword\": \"NO WAY\", \"class\": \"opt_out\"}]}",
	  "keywords[0].keyword: must be a single word" },
	{ "{\"keywords\": [{\"keyword\": \"NO!\", \"class\": \"opt_out\"}]}",
	  "keywords[0].keyword: must not end" },
	{ "{\"keywords\": [{\"keyword\": \"X\", \"class\": \"help\", "
	  "\"language\": \"french\"}]}", "keywords[0].language: must be" },
	{ "{\"keywords\": [{\"keyword\": \"x\", \"class\": \"help\"}, "
	  "{\"keyword\": \"X\", \"class\": \"opt_in\"}]}",
	  "keywords[1].keyword: X is listed twice" },
	{ "{\"keywords\": [{\"keyword\": \"stop\", \"class\": \"help\"}]}",
	  "keywords[0].keyword: STOP is always an opt_out keyword" },
	{ "{\"removed\": [\"STOP\"]}", "removed[0]: STOP cannot be removed" },
	{ "{\"removed\": [\"quit\", \"start\"]}",
	  "removed[1]: START cannot be removed" },
	{ "{\"removed\": [\"Help\"]}", "removed[0]: HELP cannot be removed" },
	{ "{\"removed\": [\"ARRET\"]}",
	  "removed[0]: \"ARRET\" is not a default keyword" },
	{ "{\"removed\": [\"QUIT\"], \"keywords\": [{\"keyword\": \"quit\", "
	  "\"class\": \"help\"}]}", "removed[0]: QUIT is also keywords[0]" },
	{ "{\"replies\": {\"stop\": {}}}", "replies.stop: unknown class" },
	{ "{\"replies\": {\"help\": {\"enabled\": 1}}}",
	  "replies.help.enabled: must be true or false" },
	{ "{\"replies\": {\"help\": {\"text\": \"\"}}}",
	  "replies.help.text: must be 1 to 1600 characters" },
	{ "{\"replies\": {\"opt_in\": {\"languages\": {\"fr\": 3}}}}",
	  "replies.opt_in.languages.fr: must be a string" },
	{ "{\"replies\": {\"opt_in\": {\"countries\": {\"FRA\": \"x\"}}}}",
	  "replies.opt_in.countries.FRA: must be a two-letter country code" },
	{ "{\"replies\": {\"opt_in\": {\"colour\": \"red\"}}}",
	  "replies.opt_in.colour: unknown key" },
};

START_TEST(test_admin_validation)
{
	char err[512];
	json_t *o, *before;
	size_t i;
	int status;

	before = gateway_optout_get(fx.gw, MG2, &status, err, sizeof(err));
	ck_assert_ptr_nonnull(before);
	for (i = 0; i < nitems(bad_puts); i++) {
		o = json_loads(bad_puts[i].body, JSON_DECODE_ANY, NULL);
		ck_assert_msg(o != NULL, "case %zu", i);
		status = 0;
		err[0] = '\0';
		ck_assert_msg(gateway_optout_put(fx.gw, MG2, o, &status, err,
		    sizeof(err)) == NULL, "case %zu accepted", i);
		ck_assert_int_eq(status, 400);
		ck_assert_msg(strncmp(err, bad_puts[i].message,
		    strlen(bad_puts[i].message)) == 0, "case %zu: \"%s\"", i,
		    err);
		json_decref(o);
	}
	/* Nothing changed. */
	o = gateway_optout_get(fx.gw, MG2, &status, err, sizeof(err));
	ck_assert(json_equal(o, before));
	json_decref(o);
	json_decref(before);
	/* An unknown service. */
	o = json_object();
	ck_assert_ptr_null(gateway_optout_put(fx.gw,
	    "MG99999999999999999999999999999999", o, &status, err,
	    sizeof(err)));
	ck_assert_int_eq(status, 404);
	ck_assert_ptr_null(gateway_optout_get(fx.gw, "nonsense", &status,
	    err, sizeof(err)));
	ck_assert_int_eq(status, 404);
	json_decref(o);
}
END_TEST

START_TEST(test_admin_round_trip)
{
	char err[512], reply[2048];
	json_t *put, *got, *defaults;
	int status;

	/* MG2 has the defaults: Twilio's texts, nothing custom. */
	got = gateway_optout_get(fx.gw, MG2, &status, err, sizeof(err));
	ck_assert_int_eq(status, 200);
	defaults = gateway_optout_json(NULL);
	ck_assert(json_equal(got, defaults));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(got, "replies"), "opt_out"), "text")), STOP_TEXT);
	json_decref(got);
	json_decref(defaults);
	/* MG1 shows what it declares. */
	got = gateway_optout_get(fx.gw, MG1, &status, err, sizeof(err));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(got, "keywords"), 0), "keyword")), "ARRET");
	json_decref(got);
	/* PUT, then GET gives it back, and the next PUT of that is equal. */
	put = json_loads("{\"keywords\": [{\"keyword\": \"Halt\", \"class\": "
	    "\"opt_out\", \"language\": \"de\"}], \"removed\": [\"END\"], "
	    "\"replies\": {\"opt_out\": {\"text\": \"Bye.\", \"languages\": "
	    "{\"de\": \"Tschuess.\"}}}}", 0, NULL);
	got = gateway_optout_put(fx.gw, MG2, put, &status, err, sizeof(err));
	ck_assert_msg(got != NULL, "%s", err);
	ck_assert_int_eq(status, 200);
	json_decref(put);
	put = gateway_optout_get(fx.gw, MG2, &status, err, sizeof(err));
	ck_assert(json_equal(put, got));
	json_decref(got);
	got = gateway_optout_put(fx.gw, MG2, put, &status, err, sizeof(err));
	ck_assert(json_equal(put, got));
	json_decref(got);
	/* In force at once, and after a restart. */
	ck_assert_int_eq(gw_optout_classify(gw_optout_config(fx.gw->optouts,
	    MG2), "end", reply, err), GW_OPTOUT_NONE);
	gateway_restart();
	got = gateway_optout_get(fx.gw, MG2, &status, err, sizeof(err));
	ck_assert(json_equal(put, got));
	json_decref(got);
	json_decref(put);
	ck_assert_int_eq(gw_optout_classify(gw_optout_config(fx.gw->optouts,
	    MG2), "halt", reply, err), GW_OPTOUT_STOP);
	ck_assert_str_eq(err, "de");
}
END_TEST

/* A PUT over a declared service survives a restart with the same
 * declaration, and yields to a changed one. */
START_TEST(test_admin_declaration)
{
	char err[512];
	json_t *put, *got;
	int status;

	put = json_loads("{\"removed\": [\"QUIT\"]}", 0, NULL);
	got = gateway_optout_put(fx.gw, MG1, put, &status, err, sizeof(err));
	ck_assert_ptr_nonnull(got);
	json_decref(got);
	gateway_restart();
	got = gateway_optout_get(fx.gw, MG1, &status, err, sizeof(err));
	ck_assert_uint_eq(json_array_size(json_object_get(got, "keywords")),
	    0);
	json_decref(got);
	/* The file changes: its settings win again. */
	gateway_optout_free(fx.services[0].opt_out);
	fx.services[0].opt_out = optout_from("{\"removed\": [\"END\"]}");
	gateway_restart();
	got = gateway_optout_get(fx.gw, MG1, &status, err, sizeof(err));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(got,
	    "removed"), 0)), "END");
	json_decref(got);
	json_decref(put);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("gw_optout");
	TCase	*tc = tcase_create("optout");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_scope);
	tcase_add_test(tc, test_persist);
	tcase_add_test(tc, test_replies);
	tcase_add_test(tc, test_admin_validation);
	tcase_add_test(tc, test_admin_round_trip);
	tcase_add_test(tc, test_admin_declaration);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
