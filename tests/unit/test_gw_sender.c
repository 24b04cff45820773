/*
 * gateway/sender: the selection pipeline as a table of cases (a pool,
 * the carriers' routes, flags, country overrides and a To; the chosen
 * sender, the alert, the sticky flag, the error and the whole trace),
 * determinism per seed, the scaler's spread, and the built-in tables
 * generated from data/countries.csv and data/nanp-overlays.csv. The
 * gateway is a minimal struct gateway (routes, country overrides, rng,
 * the services registry).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/random.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/sender.h"
#include "gateway/sender-internal.h"
#include "gateway/services.h"
#include "gateway/store.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define DAY		(86400LL * 1000000)
#define NOW		((int64_t)1798761600 * 1000000)	/* 2027-01-01 */

#define LC	GATEWAY_SENDER_LONG_CODE
#define SC	GATEWAY_SENDER_SHORT_CODE
#define TF	GATEWAY_SENDER_TOLL_FREE
#define AL	GATEWAY_SENDER_ALPHANUMERIC
#define K(k)	(1u << (k))
#define SMS	GATEWAY_CAP_SMS
#define MMS	(GATEWAY_CAP_SMS | GATEWAY_CAP_MMS)

/* A pool member: sender, kind, country, capabilities, busy, mappings;
 * destination alpha senders give dest 1 and their country in iso. */
struct spec {
	const char	*sender;
	enum gateway_sender_kind kind;
	const char	*country;
	unsigned	 caps;
	unsigned	 busy;
	unsigned	 mappings;
	int		 dest;
	const char	*iso;
};

/* The default scenario's pool. */
#define POOL_DEFAULT \
	{ "55555",		SC, "US", SMS, 0, 0, 0, NULL }, \
	{ "+14155550100",	LC, "US", MMS, 0, 0, 0, NULL }, \
	{ "+12125550100",	LC, "US", MMS, 2, 0, 0, NULL }, \
	{ "+13125550100",	LC, "US", MMS, 1, 0, 0, NULL }, \
	{ "+16465550100",	LC, "US", MMS, 3, 0, 0, NULL }, \
	{ "+18885550100",	TF, "US", SMS, 4, 0, 0, NULL }, \
	{ "+447700900100",	LC, "GB", MMS, 0, 0, 0, NULL }, \
	{ "CARRIERLAB",		AL, "",   SMS, 0, 0, 0, NULL }

struct route_spec {
	const char	*name;
	const char	*prefixes[3];
	unsigned	 kinds;
	int		 mms;
};

/* The default scenario's carriers. */
static const struct route_spec routes_default[] = {
	{ "alpha-mobile",  { "+1" },		K(LC) | K(SC) | K(TF), 0 },
	{ "beta-wireless", { "+1" },		K(LC) | K(TF) | K(AL), 1 },
	{ "gamma-telecom", { "+44", "+49" },	K(LC) | K(AL), 1 },
	{ "delta-india",   { "+91" },		K(LC) | K(AL), 0 },
	{ "omega-ua",	   { "+380" },		K(LC) | K(AL), 0 },
	{ NULL, { NULL }, 0, 0 },
};

/* Only a carrier that takes no short codes serves +1. */
static const struct route_spec routes_no_short[] = {
	{ "beta-wireless", { "+1" },		K(LC) | K(TF) | K(AL), 1 },
	{ "gamma-telecom", { "+44", "+49" },	K(LC) | K(AL), 1 },
	{ NULL, { NULL }, 0, 0 },
};

/* The default scenario's: beta-wireless alone serves NYC and Chicago. */
static const struct route_spec routes_nyc[] = {
	{ "alpha-mobile",  { "+1" },		K(LC) | K(SC) | K(TF), 0 },
	{ "beta-wireless", { "+1", "+1212", "+1312" },
						K(LC) | K(TF) | K(AL), 1 },
	{ NULL, { NULL }, 0, 0 },
};

/* A GB carrier that takes long codes only. */
static const struct route_spec routes_long_only[] = {
	{ "epsilon-uk",	   { "+44" },		K(LC), 0 },
	{ NULL, { NULL }, 0, 0 },
};

struct country_spec {
	const char	*iso;
	int		 alpha;
	int		 prereg;
};

struct sel_case {
	const char	*name;
	struct spec	 pool[10];
	const struct route_spec *routes;
	struct country_spec countries[2];
	int		 sticky_on;
	int		 area_code;
	unsigned	 flags;
	const char	*to;
	unsigned	 media;
	/* A live mapping of to: the pool index it maps to (-1 none; 9: a
	 * sender no longer in the pool) and its age. */
	int		 mapped;
	int64_t		 mapped_age;
	/* What is expected. */
	const char	*chosen;		/* NULL: fails */
	const char	*route;
	int		 error;
	int		 alert;
	int		 sticky;
	const char	*trace;
};

static const struct sel_case cases[] = {
	{ "alpha wins in GB",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+447700900123", 0, -1, 0,
	  "CARRIERLAB", "gamma-telecom", 0, 0, 0,
	  "capable: 6 of 8 senders can send SMS to +447700900123 "
	  "(country GB)\n"
	  "alpha: country GB accepts alpha -> CARRIERLAB" },
	{ "US takes no alpha: the short code has priority",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+14155550123", 0, -1, 0,
	  "55555", "alpha-mobile", 0, 0, 0,
	  "capable: 8 of 8 senders can send SMS to +14155550123 "
	  "(country US)\n"
	  "alpha: country US does not accept alpha -> not CARRIERLAB\n"
	  "short code: 1 short code of US takes priority over long codes\n"
	  "scaler: 1 candidate, 55555" },
	{ "short code reroute: the carrier takes no short codes",
	  { POOL_DEFAULT }, routes_no_short, { { NULL, 0, 0 } }, 0, 1, 0,
	  "+14155550123", 0, -1, 0,
	  "+14155550100", "beta-wireless", 0, 0, 0,
	  "capable: 7 of 8 senders can send SMS to +14155550123 "
	  "(country US)\n"
	  "alpha: country US does not accept alpha -> not CARRIERLAB\n"
	  "short code: carrier beta-wireless of +14155550123 takes no short "
	  "codes -> reroute to a long code\n"
	  "country: 5 numbers of US\n"
	  "area code: 415 -> 1 number of 415\n"
	  "scaler: 1 candidate, +14155550100" },
	{ "short code reroute where one carrier alone serves the area code",
	  { POOL_DEFAULT }, routes_nyc, { { NULL, 0, 0 } }, 0, 1, 0,
	  "+12125550123", 0, -1, 0,
	  "+12125550100", "beta-wireless", 0, 0, 0,
	  "capable: 7 of 8 senders can send SMS to +12125550123 "
	  "(country US)\n"
	  "alpha: country US does not accept alpha -> not CARRIERLAB\n"
	  "short code: carrier beta-wireless of +12125550123 takes no short "
	  "codes -> reroute to a long code\n"
	  "country: 5 numbers of US\n"
	  "area code: 212 -> 1 number of 212\n"
	  "scaler: 1 candidate, +12125550100" },
	{ "sticky: a mapped short code the recipient's carrier cannot take",
	  { { "55555", SC, "US", SMS, 0, 1, 0, NULL },
	    { "+13125550100", LC, "US", SMS, 0, 0, 0, NULL } },
	  routes_nyc, { { NULL, 0, 0 } }, 1, 1, 0,
	  "+13125550123", 0, 0, 5 * DAY,
	  "+13125550100", "beta-wireless", 0, 0, 1,
	  "capable: 1 of 2 senders can send SMS to +13125550123 "
	  "(country US)\n"
	  "sticky: +13125550123 mapped to 55555 (5 days ago), which cannot "
	  "reach the destination: carrier beta-wireless takes no short "
	  "codes -> choosing again\n"
	  "short code: carrier beta-wireless of +13125550123 takes no short "
	  "codes -> reroute to a long code\n"
	  "country: 1 number of US\n"
	  "area code: 312 -> 1 number of 312\n"
	  "scaler: 1 candidate, +13125550100\n"
	  "sticky: +13125550123 now mapped to +13125550100" },
	{ "alpha: the recipient's carrier takes no alphanumeric senders",
	  { { "ACME", AL, "", SMS, 0, 0, 0, NULL },
	    { "+447700900100", LC, "GB", SMS, 0, 0, 0, NULL } },
	  routes_long_only, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+447700900123", 0, -1, 0,
	  "+447700900100", "epsilon-uk", 0, 0, 0,
	  "capable: 1 of 2 senders can send SMS to +447700900123 "
	  "(country GB)\n"
	  "alpha: ACME cannot reach the destination: carrier epsilon-uk "
	  "takes no alphanumeric senders -> not used\n"
	  "country: 1 number of GB\n"
	  "scaler: 1 candidate, +447700900100" },
	{ "MMS to GB: the alpha sender cannot send media",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+447700900123", 2, -1, 0,
	  "+447700900100", "gamma-telecom", 0, 0, 0,
	  "capable: 5 of 8 senders can send MMS to +447700900123 "
	  "(country GB)\n"
	  "alpha: CARRIERLAB cannot send MMS -> not used\n"
	  "country: 1 number of GB\n"
	  "scaler: 1 candidate, +447700900100" },
	{ "MMS: the short code cannot, least busy MMS number of US",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+14155550123", 1, -1, 0,
	  "+14155550100", "beta-wireless", 0, 0, 0,
	  "capable: 5 of 8 senders can send MMS to +14155550123 "
	  "(country US)\n"
	  "alpha: country US does not accept alpha -> not CARRIERLAB\n"
	  "short code: carrier alpha-mobile of +14155550123 takes no short "
	  "codes with media -> reroute to a long code\n"
	  "country: 4 numbers of US\n"
	  "scaler: 4 candidates, least busy (0) +14155550100" },
	{ "long code fallback: no alpha, no short code, area code 212",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 1,
	  GW_CHOOSE_NO_ALPHA | GW_CHOOSE_NO_SHORT_CODE,
	  "+12125550123", 0, -1, 0,
	  "+12125550100", "alpha-mobile", 0, 0, 0,
	  "capable: 8 of 8 senders can send SMS to +12125550123 "
	  "(country US)\n"
	  "country: 5 numbers of US\n"
	  "area code: 212 -> 1 number of 212\n"
	  "scaler: 1 candidate, +12125550100" },
	{ "area code overlay: 212 -> 646",
	  { { "+14155550100", LC, "US", SMS, 0, 0, 0, NULL },
	    { "+16465550100", LC, "US", SMS, 5, 0, 0, NULL },
	    { "+18885550100", TF, "US", SMS, 0, 0, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 0, 1, 0,
	  "+12125550123", 0, -1, 0,
	  "+16465550100", "alpha-mobile", 0, 0, 0,
	  "capable: 3 of 3 senders can send SMS to +12125550123 "
	  "(country US)\n"
	  "country: 3 numbers of US\n"
	  "area code: 212 -> overlay 646: +16465550100\n"
	  "scaler: 1 candidate, +16465550100" },
	{ "area code overlays: 917 -> 212 and 646, the least busy",
	  { { "+12125550100", LC, "US", SMS, 2, 0, 0, NULL },
	    { "+14155550100", LC, "US", SMS, 0, 0, 0, NULL },
	    { "+16465550100", LC, "US", SMS, 0, 0, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 0, 1, 0,
	  "+19175550123", 0, -1, 0,
	  "+16465550100", "alpha-mobile", 0, 0, 0,
	  "capable: 3 of 3 senders can send SMS to +19175550123 "
	  "(country US)\n"
	  "country: 3 numbers of US\n"
	  "area code: 917 -> overlays 212, 646: 2 numbers\n"
	  "scaler: 2 candidates, least busy (0) +16465550100" },
	{ "area code: neither 415 nor 628 -> any US/CA number",
	  { { "+12125550100", LC, "US", SMS, 1, 0, 0, NULL },
	    { "+18885550100", TF, "US", SMS, 0, 0, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 0, 1, 0,
	  "+14155550123", 0, -1, 0,
	  "+18885550100", "alpha-mobile", 0, 0, 0,
	  "capable: 2 of 2 senders can send SMS to +14155550123 "
	  "(country US)\n"
	  "country: 2 numbers of US\n"
	  "area code: no number of 415 or its overlays (628) -> any US/CA "
	  "number (2)\n"
	  "scaler: 2 candidates, least busy (0) +18885550100" },
	{ "Canada: a number of CA before US ones",
	  { { "+12125550100", LC, "US", SMS, 0, 0, 0, NULL },
	    { "+14375550100", LC, "CA", SMS, 3, 0, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 0, 1, 0,
	  "+14165550123", 0, -1, 0,
	  "+14375550100", "alpha-mobile", 0, 0, 0,
	  "capable: 2 of 2 senders can send SMS to +14165550123 "
	  "(country CA)\n"
	  "country: 1 number of CA\n"
	  "area code: 416 -> overlay 437: +14375550100\n"
	  "scaler: 1 candidate, +14375550100" },
	{ "Germany, no alpha asked: no number of DE -> US",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 0,
	  GW_CHOOSE_NO_ALPHA, "+4915112345678", 0, -1, 0,
	  "+14155550100", "gamma-telecom", 0, 0, 0,
	  "capable: 6 of 8 senders can send SMS to +4915112345678 "
	  "(country DE)\n"
	  "country: no number of DE -> 4 of US\n"
	  "scaler: 4 candidates, least busy (0) +14155550100" },
	{ "no number of DE or US: 21703",
	  { { "+447700900100", LC, "GB", SMS, 0, 0, 0, NULL },
	    { "CARRIERLAB", AL, "", SMS, 0, 0, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 0, 0, GW_CHOOSE_NO_ALPHA,
	  "+4915112345678", 0, -1, 0,
	  NULL, NULL, 21703, 0, 0,
	  "capable: 2 of 2 senders can send SMS to +4915112345678 "
	  "(country DE)\n"
	  "country: no number of DE or US can send to +4915112345678 (1 of "
	  "other countries)" },
	{ "no carrier takes anything from the pool: 21612",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+33612345678", 0, -1, 0,
	  NULL, NULL, 21612, 0, 0,
	  "capable: 0 of 8 senders can send SMS to +33612345678 "
	  "(country FR)" },
	{ "empty pool: 21704",
	  { { NULL, 0, NULL, 0, 0, 0, 0, NULL } }, routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+14155550123", 0, -1, 0,
	  NULL, NULL, 21704, 0, 0,
	  "capable: the pool of $MG is empty" },
	{ "India: alpha with pre-registration, alert 30018",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 1, 0, 0,
	  "+919812345678", 0, -1, 0,
	  "CARRIERLAB", "delta-india", 0, 30018, 0,
	  "capable: 6 of 8 senders can send SMS to +919812345678 "
	  "(country IN)\n"
	  "alpha: country IN accepts alpha (pre-registration required: "
	  "alert 30018) -> CARRIERLAB" },
	{ "scenario override: IN without pre-registration",
	  { POOL_DEFAULT }, routes_default, { { "in", 1, 0 } }, 0, 0, 0,
	  "+919812345678", 0, -1, 0,
	  "CARRIERLAB", "delta-india", 0, 0, 0,
	  "capable: 6 of 8 senders can send SMS to +919812345678 "
	  "(country IN)\n"
	  "alpha: country IN accepts alpha -> CARRIERLAB" },
	{ "scenario override: GB takes no alpha",
	  { POOL_DEFAULT }, routes_default, { { "GB", 0, 0 } }, 0, 0, 0,
	  "+447700900123", 0, -1, 0,
	  "+447700900100", "gamma-telecom", 0, 0, 0,
	  "capable: 6 of 8 senders can send SMS to +447700900123 "
	  "(country GB)\n"
	  "alpha: country GB does not accept alpha -> not CARRIERLAB\n"
	  "country: 1 number of GB\n"
	  "scaler: 1 candidate, +447700900100" },
	{ "unknown country: alpha, unregistered",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+380501234567", 0, -1, 0,
	  "CARRIERLAB", "omega-ua", 0, 0, 0,
	  "capable: 6 of 8 senders can send SMS to +380501234567 "
	  "(country (unknown))\n"
	  "alpha: country (unknown) accepts alpha -> CARRIERLAB" },
	{ "destination alpha of the country first",
	  { { "ACME", AL, "", SMS, 0, 0, 0, NULL },
	    { "ACMEALL", AL, "", SMS, 0, 0, 1, "" },
	    { "ACMEDE", AL, "", SMS, 0, 0, 1, "DE" } },
	  routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+4915112345678", 0, -1, 0,
	  "ACMEDE", "gamma-telecom", 0, 0, 0,
	  "capable: 3 of 3 senders can send SMS to +4915112345678 "
	  "(country DE)\n"
	  "alpha: country DE accepts alpha -> ACMEDE" },
	{ "destination alpha for all countries before an AlphaSender",
	  { { "ACME", AL, "", SMS, 0, 0, 0, NULL },
	    { "ACMEALL", AL, "", SMS, 0, 0, 1, "" },
	    { "ACMEDE", AL, "", SMS, 0, 0, 1, "DE" } },
	  routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+447700900123", 0, -1, 0,
	  "ACMEALL", "gamma-telecom", 0, 0, 0,
	  "capable: 3 of 3 senders can send SMS to +447700900123 "
	  "(country GB)\n"
	  "alpha: country GB accepts alpha -> ACMEALL" },
	{ "sticky: the live mapping wins and is refreshed",
	  { { "+14155550100", LC, "US", SMS, 0, 0, 0, NULL },
	    { "+12125550100", LC, "US", SMS, 9, 1, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 1, 1, 0,
	  "+14155550123", 0, 1, 2 * DAY,
	  "+12125550100", "alpha-mobile", 0, 0, 1,
	  "capable: 2 of 2 senders can send SMS to +14155550123 "
	  "(country US)\n"
	  "sticky: +14155550123 mapped to +12125550100 (2 days ago)" },
	{ "sticky: a mapping that cannot send MMS is replaced",
	  { { "+14155550100", LC, "US", MMS, 0, 0, 0, NULL },
	    { "+12125550100", LC, "US", SMS, 0, 1, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 1, 0, 0,
	  "+14155550123", 1, 1, 3600LL * 1000000,
	  "+14155550100", "beta-wireless", 0, 0, 1,
	  "capable: 1 of 2 senders can send MMS to +14155550123 "
	  "(country US)\n"
	  "sticky: +14155550123 mapped to +12125550100 (1 h ago), which "
	  "cannot send MMS -> choosing again\n"
	  "country: 1 number of US\n"
	  "scaler: 1 candidate, +14155550100\n"
	  "sticky: +14155550123 now mapped to +14155550100" },
	{ "sticky: a removed number loses its mapping",
	  { { "+14155550100", LC, "US", SMS, 0, 0, 0, NULL },
	    { "+12125550100", LC, "US", SMS, 0, 0, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 1, 1, 0,
	  "+14155550123", 0, 9, DAY,
	  "+14155550100", "alpha-mobile", 0, 0, 1,
	  "capable: 1 of 1 senders can send SMS to +14155550123 "
	  "(country US)\n"
	  "sticky: +14155550123 has no mapping yet\n"
	  "country: 1 number of US\n"
	  "area code: 415 -> 1 number of 415\n"
	  "scaler: 1 candidate, +14155550100\n"
	  "sticky: +14155550123 now mapped to +14155550100" },
	{ "sticky: a mapped short code when a long code is asked for",
	  { { "55555", SC, "US", SMS, 0, 1, 0, NULL },
	    { "+12125550100", LC, "US", SMS, 0, 0, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 1, 0, GW_CHOOSE_NO_SHORT_CODE,
	  "+14155550123", 0, 0, 30LL * 1000000,
	  "+12125550100", "alpha-mobile", 0, 0, 1,
	  "capable: 2 of 2 senders can send SMS to +14155550123 "
	  "(country US)\n"
	  "sticky: +14155550123 mapped to 55555 (30 s ago), which is a short "
	  "code and a long code is asked for -> choosing again\n"
	  "country: 1 number of US\n"
	  "scaler: 1 candidate, +12125550100\n"
	  "sticky: +14155550123 now mapped to +12125550100" },
	{ "sticky off: the mapping is kept but ignored",
	  { { "+14155550100", LC, "US", SMS, 0, 0, 0, NULL },
	    { "+12125550100", LC, "US", SMS, 1, 1, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 0, 0, 0,
	  "+14155550123", 0, 1, DAY,
	  "+14155550100", "alpha-mobile", 0, 0, 0,
	  "capable: 2 of 2 senders can send SMS to +14155550123 "
	  "(country US)\n"
	  "country: 2 numbers of US\n"
	  "scaler: 2 candidates, least busy (0) +14155550100" },
	{ "sticky scaler: fewest mappings before least busy",
	  { { "+14155550100", LC, "US", SMS, 0, 7, 0, NULL },
	    { "+12125550100", LC, "US", SMS, 4, 2, 0, NULL },
	    { "+13125550100", LC, "US", SMS, 1, 2, 0, NULL } },
	  routes_default, { { NULL, 0, 0 } }, 1, 0, 0,
	  "+15035550123", 0, -1, 0,
	  "+13125550100", "alpha-mobile", 0, 0, 1,
	  "capable: 3 of 3 senders can send SMS to +15035550123 "
	  "(country US)\n"
	  "sticky: +15035550123 has no mapping yet\n"
	  "country: 3 numbers of US\n"
	  "scaler: 3 candidates, fewest mappings (2) and least busy (1) "
	  "+13125550100\n"
	  "sticky: +15035550123 now mapped to +13125550100" },
	{ "alpha chosen under sticky sender: no mapping to an alpha",
	  { POOL_DEFAULT }, routes_default, { { NULL, 0, 0 } }, 1, 0, 0,
	  "+447700900123", 0, 6, DAY,
	  "CARRIERLAB", "gamma-telecom", 0, 0, 0,
	  "capable: 6 of 8 senders can send SMS to +447700900123 "
	  "(country GB)\n"
	  "alpha: country GB accepts alpha -> CARRIERLAB" },
};

/* ---- The registry: services and senders added as the API adds them. ---- */

#define AC		"AC00000000000000000000000000000000"
#define NUMBERS_MAX	320

struct reg_sender {
	const char	*sender;
	enum gateway_sender_kind kind;
	const char	*country;
	unsigned	 capabilities;
	int		 destination;
	const char	*iso_country_code;
};

/* The gateway's parts the registry reads: store, clock, configuration. */
struct reg {
	struct event_base *base;
	struct clock	*clock;
	struct gateway_account account;
	struct gateway_number *numbers;		/* NUMBERS_MAX */
};

static void
reg_open(struct gateway *gw, struct reg *r)
{
	char err[512] = "";

	log_set_level(LOG_LEVEL_ERROR);
	r->base = event_base_new();
	r->clock = clock_new(r->base, CLOCK_MODE_VIRTUAL, NOW, 1.0);
	r->numbers = xcalloc(NUMBERS_MAX, sizeof *r->numbers);
	snprintf(r->account.sid, sizeof r->account.sid, "%s", AC);
	gw->base = r->base;
	gw->clock = r->clock;
	gw->cfg.accounts = &r->account;
	gw->cfg.naccounts = 1;
	gw->cfg.numbers = r->numbers;
	gw->store = gw_store_open(r->base, ":memory:", 0, err, sizeof err);
	ck_assert_msg(gw->store != NULL, "%s", err);
	gw->services = gw_services_open(gw, 0, err, sizeof err);
	ck_assert_msg(gw->services != NULL, "%s", err);
}

static void
reg_close(struct gateway *gw, struct reg *r)
{
	gw_services_free(gw->services);
	gw_store_close(gw->store);
	clock_free(r->clock);
	event_base_free(r->base);
	free(r->numbers);
}

static struct gw_service *
reg_add_service(struct gateway *gw, int sticky, int area_code)
{
	struct gw_service tmpl, *s;
	struct gw_error e;

	memset(&tmpl, 0, sizeof tmpl);
	snprintf(tmpl.friendly_name, sizeof tmpl.friendly_name, "selection");
	snprintf(tmpl.usecase, sizeof tmpl.usecase, "undeclared");
	tmpl.sticky_sender = sticky;
	tmpl.area_code_geomatch = area_code;
	s = gw_services_create(gw->services, AC, &tmpl, &e);
	ck_assert_msg(s != NULL, "%d %s", e.code, e.message);
	return s;
}

/* A number of the account's (PN or SC), then into the pool; or an
 * alpha sender. */
static struct gw_sender *
reg_add_sender(struct gateway *gw, struct reg *r, struct gw_service *s,
    const struct reg_sender *rs)
{
	struct gateway_number *n;
	struct gw_sender *snd;
	struct gw_error e;

	if (rs->kind == GATEWAY_SENDER_ALPHANUMERIC) {
		snd = gw_services_add_alpha(gw->services, s, rs->sender,
		    rs->destination, rs->iso_country_code, &e);
		ck_assert_msg(snd != NULL, "%s: %d %s", rs->sender, e.code,
		    e.message);
		return snd;
	}
	ck_assert_uint_lt(gw->cfg.nnumbers, NUMBERS_MAX);
	n = &r->numbers[gw->cfg.nnumbers];
	snprintf(n->sid, sizeof n->sid, "%s%032zx",
	    rs->kind == GATEWAY_SENDER_SHORT_CODE ? "SC" : "PN",
	    gw->cfg.nnumbers + 1);
	snprintf(n->account_sid, sizeof n->account_sid, "%s", AC);
	snprintf(n->number, sizeof n->number, "%s", rs->sender);
	n->kind = rs->kind;
	snprintf(n->country, sizeof n->country, "%s", rs->country);
	n->capabilities = rs->capabilities;
	gw->cfg.nnumbers++;
	snd = gw_services_add_number(gw->services, s, n->sid, &e);
	ck_assert_msg(snd != NULL, "%s: %d %s", rs->sender, e.code,
	    e.message);
	return snd;
}

/* A mapping made at `at`; the case then says how many mappings each
 * sender has. */
static void
reg_map(struct gateway *gw, struct gw_service *s, const char *to,
    struct gw_sender *snd, int64_t at)
{
	uint64_t mappings = snd->mappings;

	gw_sticky_set(gw->services, s, to, snd, at);
	ck_assert_ptr_nonnull(gw_sticky_get(gw->services, s, to, at));
	snd->mappings = mappings;
}

/* ---- The minimal gateway and pool of a case. ---- */

struct fixture {
	struct gateway	 gw;
	struct reg	 reg;
	struct gateway_route routes[8];
	struct gateway_country countries[2];
	struct gw_service *s;
	struct gw_sender *senders[10];
	struct gw_message m;
};

static void
fixture_routes(struct fixture *f, const struct route_spec *r)
{
	size_t i, j;

	for (i = 0; r[i].name != NULL; i++) {
		snprintf(f->routes[i].name, sizeof f->routes[i].name, "%s",
		    r[i].name);
		f->routes[i].prefixes = xcalloc(3, GATEWAY_PREFIX_MAX);
		for (j = 0; j < 3 && r[i].prefixes[j] != NULL; j++)
			snprintf(f->routes[i].prefixes[j], GATEWAY_PREFIX_MAX,
			    "%s", r[i].prefixes[j]);
		f->routes[i].nprefixes = j;
		f->routes[i].accepts_kinds = r[i].kinds;
		f->routes[i].accepts_mms = r[i].mms;
	}
	f->gw.cfg.routes = f->routes;
	f->gw.cfg.nroutes = i;
}

static void
fixture_pool(struct fixture *f, const struct spec *p, size_t n)
{
	struct reg_sender rs;
	size_t i;

	for (i = 0; i < n && p[i].sender != NULL; i++) {
		memset(&rs, 0, sizeof rs);
		rs.sender = p[i].sender;
		rs.kind = p[i].kind;
		rs.country = p[i].country;
		rs.capabilities = p[i].caps;
		rs.destination = p[i].dest;
		rs.iso_country_code = p[i].iso;
		f->senders[i] = reg_add_sender(&f->gw, &f->reg, f->s, &rs);
		f->senders[i]->busy = p[i].busy;
		f->senders[i]->mappings = p[i].mappings;
	}
}

static void
fixture_init(struct fixture *f, const struct sel_case *tc, uint64_t seed)
{
	size_t i;

	memset(f, 0, sizeof *f);
	rng_seed(&f->gw.rng, seed);
	fixture_routes(f, tc->routes);
	for (i = 0; i < nitems(tc->countries) &&
	    tc->countries[i].iso != NULL; i++) {
		snprintf(f->countries[i].iso, sizeof f->countries[i].iso, "%s",
		    tc->countries[i].iso);
		f->countries[i].alpha = tc->countries[i].alpha;
		f->countries[i].alpha_preregistration =
		    tc->countries[i].prereg;
	}
	f->gw.cfg.countries = f->countries;
	f->gw.cfg.ncountries = i;
	reg_open(&f->gw, &f->reg);
	f->s = reg_add_service(&f->gw, tc->sticky_on, tc->area_code);
	fixture_pool(f, tc->pool, nitems(tc->pool));
	snprintf(f->m.to, sizeof f->m.to, "%s", tc->to);
	f->m.num_media = tc->media;
	if (tc->mapped == 9) {
		/* Mapped to the second, which then leaves the pool. */
		reg_map(&f->gw, f->s, tc->to, f->senders[1],
		    NOW - tc->mapped_age);
		ck_assert_int_eq(gw_services_remove_sender(f->gw.services,
		    f->s, f->senders[1]), 0);
		f->senders[1] = NULL;
	} else if (tc->mapped >= 0)
		reg_map(&f->gw, f->s, tc->to, f->senders[tc->mapped],
		    NOW - tc->mapped_age);
}

static void
fixture_free(struct fixture *f)
{
	size_t i;

	reg_close(&f->gw, &f->reg);
	for (i = 0; i < f->gw.cfg.nroutes; i++)
		free(f->routes[i].prefixes);
}

/* The expected trace with "$MG" replaced by the service's drawn sid. */
static void
trace_expand(char *out, size_t len, const char *trace, const char *sid)
{
	const char *at = strstr(trace, "$MG");

	if (at == NULL)
		snprintf(out, len, "%s", trace);
	else
		snprintf(out, len, "%.*s%s%s", (int)(at - trace), trace, sid,
		    at + 3);
}

START_TEST(test_case)
{
	const struct sel_case *tc = &cases[_i];
	char want[GW_TRACE_MAX];
	struct fixture f;
	struct gw_choice c;
	struct gw_error e;
	int rc;

	fixture_init(&f, tc, 1);
	memset(&e, 0, sizeof e);
	rc = gw_sender_choose(&f.gw, f.s, &f.m, tc->flags, NOW, &c, &e);
	trace_expand(want, sizeof want, tc->trace, f.s->sid);
	ck_assert_msg(strcmp(c.trace, want) == 0,
	    "%s: trace\n%s\nwanted\n%s", tc->name, c.trace, want);
	if (tc->chosen == NULL) {
		ck_assert_msg(rc == -1 && c.sender == NULL, "%s: chose %s",
		    tc->name, c.sender != NULL ? c.sender->sender : "?");
		ck_assert_msg(e.code == tc->error, "%s: error %d, wanted %d",
		    tc->name, e.code, tc->error);
		ck_assert_int_eq(e.http_status, 400);
	} else {
		ck_assert_msg(rc == 0 && c.sender != NULL &&
		    strcmp(c.sender->sender, tc->chosen) == 0,
		    "%s: chose %s, wanted %s", tc->name,
		    c.sender != NULL ? c.sender->sender : "nothing",
		    tc->chosen);
		ck_assert_msg(c.route >= 0 && strcmp(
		    f.gw.cfg.routes[c.route].name, tc->route) == 0,
		    "%s: route %d", tc->name, c.route);
	}
	ck_assert_msg(c.alert == tc->alert, "%s: alert %d", tc->name,
	    c.alert);
	ck_assert_msg(c.sticky == tc->sticky, "%s: sticky %d", tc->name,
	    c.sticky);
	fixture_free(&f);
}
END_TEST

/* Three numbers alike: the seeded rng alone decides. */
static const struct sel_case tie_case = {
	"three equal numbers",
	{ { "+14155550100", LC, "US", SMS, 0, 0, 0, NULL },
	  { "+14155550101", LC, "US", SMS, 0, 0, 0, NULL },
	  { "+14155550102", LC, "US", SMS, 0, 0, 0, NULL } },
	routes_default, { { NULL, 0, 0 } }, 0, 1, 0, "+14155550123", 0, -1, 0,
	NULL, NULL, 0, 0, 0, NULL,
};

/* The indexes of n choices from a fresh gateway seeded with seed. */
static void
choose_run(uint64_t seed, size_t *picks, size_t n)
{
	struct fixture f;
	struct gw_choice c;
	struct gw_error e;
	size_t i, j;

	fixture_init(&f, &tie_case, seed);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(gw_sender_choose(&f.gw, f.s, &f.m, 0, NOW,
		    &c, &e), 0);
		for (j = 0; j < 3 && f.senders[j] != c.sender; j++)
			;
		ck_assert_uint_lt(j, 3);
		picks[i] = j;
	}
	fixture_free(&f);
}

START_TEST(test_determinism)
{
	size_t a[64], b[64], other[64];

	choose_run(7, a, nitems(a));
	choose_run(7, b, nitems(b));
	ck_assert_msg(memcmp(a, b, sizeof a) == 0,
	    "seed 7 chose differently twice");
	choose_run(8, other, nitems(other));
	ck_assert_msg(memcmp(a, other, sizeof a) != 0,
	    "seeds 7 and 8 chose alike 64 times");
}
END_TEST

/* Equal numbers share the traffic; a busy one gets none while others
 * are idle. */
START_TEST(test_scaler_spread)
{
	struct fixture f;
	struct gw_choice c;
	struct gw_error e;
	size_t i, j, count[3] = { 0, 0, 0 };

	fixture_init(&f, &tie_case, 42);
	for (i = 0; i < 3000; i++) {
		ck_assert_int_eq(gw_sender_choose(&f.gw, f.s, &f.m, 0, NOW,
		    &c, &e), 0);
		for (j = 0; j < 3 && f.senders[j] != c.sender; j++)
			;
		ck_assert_uint_lt(j, 3);
		count[j]++;
	}
	for (j = 0; j < 3; j++)
		ck_assert_msg(count[j] > 850 && count[j] < 1150,
		    "sender %zu chosen %zu times of 3000", j, count[j]);
	f.senders[1]->busy = 1;
	memset(count, 0, sizeof count);
	for (i = 0; i < 300; i++) {
		ck_assert_int_eq(gw_sender_choose(&f.gw, f.s, &f.m, 0, NOW,
		    &c, &e), 0);
		for (j = 0; j < 3 && f.senders[j] != c.sender; j++)
			;
		count[j]++;
	}
	ck_assert_uint_eq(count[1], 0);
	ck_assert_uint_gt(count[0], 100);
	ck_assert_uint_gt(count[2], 100);
	fixture_free(&f);
}
END_TEST

/* A pool of 300 numbers: every one counted, the trace within bounds. */
START_TEST(test_large_pool)
{
	static const struct sel_case large_case = {
		"large", { { NULL, 0, NULL, 0, 0, 0, 0, NULL } }, routes_default,
		{ { NULL, 0, 0 } }, 1, 1, 0,
		"+14155550123", 0, -1, 0, NULL, NULL, 0, 0, 0, NULL,
	};
	struct fixture f;
	struct gw_choice c;
	struct gw_error e;
	char name[16];
	size_t i;

	fixture_init(&f, &large_case, 1);
	for (i = 0; i < 300; i++) {
		struct reg_sender rs = { 0 };

		snprintf(name, sizeof name, "+1212555%04zu", i);
		rs.sender = name;
		rs.kind = LC;
		rs.country = "US";
		rs.capabilities = SMS;
		reg_add_sender(&f.gw, &f.reg, f.s, &rs);
	}
	ck_assert_int_eq(gw_sender_choose(&f.gw, f.s, &f.m, 0, NOW, &c, &e),
	    0);
	ck_assert_uint_lt(strlen(c.trace), GW_TRACE_MAX);
	ck_assert_ptr_nonnull(strstr(c.trace, "capable: 300 of 300 senders"));
	ck_assert_ptr_nonnull(strstr(c.trace, "country: 300 numbers of US"));
	ck_assert_ptr_nonnull(strstr(c.trace, "scaler: 300 candidates"));
	ck_assert_int_eq(c.sticky, 1);
	fixture_free(&f);
}
END_TEST

/* ---- The built-in tables. ---- */

START_TEST(test_overlays)
{
	char out[16][4];
	size_t n;

	n = gw_nanp_overlays("212", out, 16);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(out[0], "646");
	ck_assert_str_eq(out[1], "332");
	ck_assert_str_eq(out[2], "917");
	/* 917 overlays Manhattan and the other boroughs. */
	n = gw_nanp_overlays("917", out, 16);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(out[0], "212");
	ck_assert_str_eq(out[3], "718");
	ck_assert_str_eq(out[5], "929");
	n = gw_nanp_overlays("415", out, 16);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0], "628");
	n = gw_nanp_overlays("872", out, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0], "312");
	ck_assert_str_eq(out[1], "773");
	/* The count is the table's, whatever the room. */
	ck_assert_uint_eq(gw_nanp_overlays("917", out, 1), 6);
	ck_assert_str_eq(out[0], "212");
	ck_assert_uint_eq(gw_nanp_overlays("907", out, 16), 0);
	ck_assert_uint_eq(gw_nanp_overlays("21", out, 16), 0);
	ck_assert_uint_eq(gw_nanp_overlays("2125", out, 16), 0);
	ck_assert_uint_eq(gw_nanp_overlays("12a", out, 16), 0);
	ck_assert_uint_eq(gw_nanp_overlays(NULL, out, 16), 0);
	ck_assert_uint_eq(gw_nanp_overlays("646", NULL, 0), 3);
}
END_TEST

START_TEST(test_countries)
{
	static const struct {
		const char	*iso;
		int		 alpha;
		int		 prereg;
	} want[] = {
		{ "US", 0, 0 }, { "CA", 0, 0 }, { "GB", 1, 0 },
		{ "DE", 1, 0 }, { "FR", 1, 0 }, { "ES", 1, 0 },
		{ "IT", 1, 0 }, { "NL", 1, 0 }, { "AU", 1, 0 },
		{ "IN", 1, 1 }, { "AE", 1, 1 }, { "SA", 1, 1 },
		{ "EG", 1, 1 }, { "TR", 1, 1 }, { "VN", 1, 1 },
		{ "ID", 1, 1 }, { "PH", 1, 1 }, { "gb", 1, 0 },
		/* Nobody lists them: alpha, unregistered. */
		{ "ZZ", 1, 0 }, { "", 1, 0 }, { "GBR", 1, 0 },
	};
	struct gw_country_rules r;
	struct gateway gw;
	struct gateway_country over = { "US", 1, 1 };
	size_t i;

	memset(&gw, 0, sizeof gw);
	for (i = 0; i < nitems(want); i++) {
		gw_country_rules(&gw, want[i].iso, &r);
		ck_assert_msg(r.alpha == want[i].alpha &&
		    r.alpha_preregistration == want[i].prereg,
		    "%s: alpha %d prereg %d", want[i].iso, r.alpha,
		    r.alpha_preregistration);
	}
	gw_country_rules(&gw, "gb", &r);
	ck_assert_str_eq(r.iso, "GB");
	gw_country_rules(NULL, NULL, &r);
	ck_assert_int_eq(r.alpha, 1);
	gw.cfg.countries = &over;
	gw.cfg.ncountries = 1;
	gw_country_rules(&gw, "us", &r);
	ck_assert(r.alpha == 1 && r.alpha_preregistration == 1);
	ck_assert_uint_gt(gw_country_table_len, 50);
}
END_TEST

START_TEST(test_destination_country)
{
	ck_assert_str_eq(gw_sender_country_of("+14165550123"), "CA");
	ck_assert_str_eq(gw_sender_country_of("+16045550123"), "CA");
	ck_assert_str_eq(gw_sender_country_of("+18675550123"), "CA");
	ck_assert_str_eq(gw_sender_country_of("+12125550123"), "US");
	ck_assert_str_eq(gw_sender_country_of("+447700900123"), "GB");
	ck_assert_str_eq(gw_sender_country_of("+1"), "US");
	ck_assert_str_eq(gw_sender_country_of("12345"), "");
}
END_TEST

static Suite *
sender_suite(void)
{
	Suite	*s = suite_create("gw_sender");
	TCase	*tc = tcase_create("pipeline");

	tcase_add_loop_test(tc, test_case, 0, nitems(cases));
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_scaler_spread);
	tcase_add_test(tc, test_large_pool);
	tcase_add_test(tc, test_overlays);
	tcase_add_test(tc, test_countries);
	tcase_add_test(tc, test_destination_country);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(sender_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
