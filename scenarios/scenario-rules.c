/*
 * A carrier's rules: conditions on a message (destination prefix,
 * destination and body regexes) and the one effect that replaces the
 * dice for it (a submit status, or an outcome with its err, code and
 * delay). Regexes are compiled here, once, so a bad one is a load error.
 */
#include "config.h"

#include <regex.h>
#include <string.h>

#include "scenarios/scenario-internal.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)

/*
 * POSIX has no inline flags; "(?i)" in front, as users write it for
 * PCRE, is taken to mean REG_ICASE. The source is kept as written.
 */
static int
regex_store(struct scn_ctx *c, json_t *v, int *has, regex_t *re,
    char *source, size_t size)
{
	const char	*s;
	char		 msg[128];
	int		 flags = REG_EXTENDED | REG_NOSUB, rc;

	if (!json_is_string(v))
		return scn_fail(c, "must be a string (a POSIX extended "
		    "regular expression)");
	if (json_string_length(v) >= size)
		return scn_fail(c, "must be at most %zu characters", size - 1);
	memcpy(source, json_string_value(v), json_string_length(v) + 1);
	s = source;
	if (strncmp(s, "(?i)", 4) == 0) {
		flags |= REG_ICASE;
		s += 4;
	}
	if ((rc = regcomp(re, s, flags)) != 0) {
		regerror(rc, re, msg, sizeof msg);
		return scn_fail(c, "bad regex: %s", msg);
	}
	*has = 1;
	return 0;
}

static int
regex_to_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct carrier_rule *r = base;

	return regex_store(c, v, &r->has_to_regex, &r->to_regex,
	    r->to_source, sizeof r->to_source);
}

static json_t *
regex_to_show(const struct scn_key *k, const void *base)
{
	const struct carrier_rule *r = base;

	return r->has_to_regex ? json_string(r->to_source) : NULL;
}

const struct scn_type scn_type_regex_to = {
	.name = "regex", .parse = regex_to_parse, .show = regex_to_show,
};

static int
regex_body_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct carrier_rule *r = base;

	return regex_store(c, v, &r->has_body_regex, &r->body_regex,
	    r->body_source, sizeof r->body_source);
}

static json_t *
regex_body_show(const struct scn_key *k, const void *base)
{
	const struct carrier_rule *r = base;

	return r->has_body_regex ? json_string(r->body_source) : NULL;
}

const struct scn_type scn_type_regex_body = {
	.name = "regex", .parse = regex_body_parse, .show = regex_body_show,
};

static int
rule_delay_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct carrier_rule *r = base;

	if (scn_get_duration(c, v, &r->delay) == -1)
		return -1;
	r->has_delay = 1;
	return 0;
}

static json_t *
rule_delay_show(const struct scn_key *k, const void *base)
{
	const struct carrier_rule *r = base;

	return r->has_delay ? scn_duration_json(r->delay) : NULL;
}

const struct scn_type scn_type_rule_delay = {
	.name = "duration", .parse = rule_delay_parse,
	.show = rule_delay_show,
};

/* Names the first key of a rule that only an outcome rule may have. */
static const char *
rule_outcome_only_key(const struct carrier_rule *r)
{
	if (r->outcome.err[0] != '\0')
		return "err";
	if (r->outcome.has_nec)
		return "network_error_code";
	return r->has_delay ? "delay" : NULL;
}

/* A rule needs a condition and exactly one effect. */
static int
rule_check(struct scn_ctx *c, struct carrier_rule *r)
{
	const char *key;

	if (r->to_prefix[0] == '\0' && r->from_prefix[0] == '\0' &&
	    !r->has_to_regex && !r->has_body_regex)
		return scn_fail(c, "needs a condition: to, from, to_matches or "
		    "body_matches");
	if (r->submit_status != 0 && r->outcome.state != 0)
		return scn_fail(c, "has both submit_status and outcome; a "
		    "rule has one effect");
	if (r->submit_status == 0 && r->outcome.state == 0)
		return scn_fail(c, "needs an effect: submit_status or "
		    "outcome");
	if (r->submit_status != 0 && (key = rule_outcome_only_key(r))) {
		scn_push_key(c, key);
		scn_fail(c, "only goes with outcome, not submit_status");
		scn_pop(c);
		return -1;
	}
	if (r->outcome.state != 0) {
		r->outcome.p = 1;
		if (r->outcome.err[0] == '\0')
			memcpy(r->outcome.err, "000", 4);
	}
	return 0;
}

static int
rules_one(struct scn_ctx *c, size_t i, json_t *item, void *arg)
{
	struct scn_item_arg *a = arg;
	struct carrier_rule *r = &a->p->rules[i];

	memcpy(r, a->k->item_default, sizeof *r);
	/* Counted first, so that release frees a half-read rule. */
	a->p->nrules = i + 1;
	if (scn_walk(c, a->k->sub, item, r) == -1)
		return -1;
	return rule_check(c, r);
}

static int
rules_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scn_item_arg a = { k, base };

	carrier_profile_release(a.p);
	a.p->nrules = 0;
	return scn_walk_array(c, v, 0, CARRIER_MAX_RULES, "rules", rules_one,
	    &a);
}

static json_t *
rules_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	json_t				*a = json_array();
	size_t				 i;

	for (i = 0; i < p->nrules; i++)
		json_array_append_new(a, scn_show_table(k->sub, &p->rules[i]));
	return a;
}

const struct scn_type scn_type_rules = {
	.name = "array", .parse = rules_parse, .show = rules_show,
};
