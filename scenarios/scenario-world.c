/*
 * What a scenario says of the world outside the gateway: the rules of
 * countries for alphanumeric senders ("countries": {"IN": {"alpha":
 * true, "alpha_preregistration": true}}), overriding the gateway's
 * built-in table (data/countries.csv), and lists of Twilio error codes
 * (gateway.fallback_codes).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "scenarios/scenario-internal.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)
#define GC(f)			offsetof(struct gateway_country, f)
#define COUNTRIES_MAX		300

static const struct scn_key country_keys[] = {
	{ .name = "alpha", .type = &scn_type_bool, .off = GC(alpha),
	  .help = "The country's carriers take alphanumeric senders" },
	{ .name = "alpha_preregistration", .type = &scn_type_bool,
	  .off = GC(alpha_preregistration),
	  .help = "... only pre-registered ones: a 30018 alert per message" },
	{ .name = NULL },
};

static int
country_code_valid(const char *s)
{
	return isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
	    s[2] == '\0';
}

/* One member "GB": {...}; the built-in rule is where a key is left out
 * (the gateway's table is not known here: the defaults say "takes
 * alpha, unregistered", as for a country nobody lists). */
static int
country_one(struct scn_ctx *c, struct gateway_config *g, const char *iso,
    json_t *v)
{
	struct gateway_country *gc = &g->countries[g->ncountries];

	if (!country_code_valid(iso))
		return scn_fail(c, "\"%.20s\" is not an upper-case two-letter "
		    "country code", iso);
	memset(gc, 0, sizeof *gc);
	memcpy(gc->iso, iso, 3);
	gc->alpha = 1;
	g->ncountries++;
	return scn_walk(c, country_keys, v, gc);
}

static int
countries_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct gateway_config	*g = (struct gateway_config *)FIELD(base, k);
	const char		*iso;
	json_t			*m;
	int			 rc;

	if (!json_is_object(v))
		return scn_fail(c, "must be an object of country codes");
	if (json_object_size(v) > COUNTRIES_MAX)
		return scn_fail(c, "at most %d countries", COUNTRIES_MAX);
	free(g->countries);
	g->countries = xcalloc(json_object_size(v) + 1, sizeof *g->countries);
	g->ncountries = 0;
	json_object_foreach(v, iso, m) {
		scn_push_key(c, iso);
		rc = country_one(c, g, iso, m);
		scn_pop(c);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static json_t *
countries_show(const struct scn_key *k, const void *base)
{
	const struct gateway_config *g =
	    (const struct gateway_config *)CFIELD(base, k);
	json_t	*o;
	size_t	 i;

	if (g->ncountries == 0)
		return NULL;
	o = json_object();
	for (i = 0; i < g->ncountries; i++)
		json_object_set_new(o, g->countries[i].iso,
		    scn_show_table(country_keys, &g->countries[i]));
	return o;
}

/* k->off is that of the struct gateway_config. */
const struct scn_type scn_type_countries = {
	.name = "object", .parse = countries_parse, .show = countries_show,
};

/*
 * A 0-terminated int array of k->size bytes: Twilio codes between k->min
 * and k->max.
 */
static int
codes_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	int		*codes = (int *)(void *)FIELD(base, k);
	size_t		 cap = k->size / sizeof *codes - 1, i;
	long long	 code;
	int		 rc;

	if (!json_is_array(v) || json_array_size(v) > cap)
		return scn_fail(c, "must be an array of at most %zu error "
		    "codes", cap);
	memset(codes, 0, k->size);
	for (i = 0; i < json_array_size(v); i++) {
		scn_push_index(c, i);
		rc = scn_get_int(c, json_array_get(v, i), (long long)k->min,
		    (long long)k->max, &code);
		scn_pop(c);
		if (rc == -1)
			return -1;
		codes[i] = (int)code;
	}
	return 0;
}

static json_t *
codes_show(const struct scn_key *k, const void *base)
{
	const int	*codes = (const int *)(const void *)CFIELD(base, k);
	size_t		 cap = k->size / sizeof *codes, i;
	json_t		*a;

	if (codes[0] == 0)
		return NULL;
	a = json_array();
	for (i = 0; i < cap && codes[i] != 0; i++)
		json_array_append_new(a, json_integer(codes[i]));
	return a;
}

const struct scn_type scn_type_codes = {
	.name = "array", .parse = codes_parse, .show = codes_show,
};
