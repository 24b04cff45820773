/*
 * Value types of a message's fate at a carrier: submit errors drawn by
 * probability, receipt outcomes with their err and network_error_code,
 * and the deterministic rules that override the dice.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <string.h>

#include "scenarios/scenario-internal.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)
/* Probabilities are decimal fractions: allow for their binary sums. */
#define P_EPSILON		1e-9

#define FINAL_WORDS "DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, UNKNOWN " \
	"or ACCEPTD"

/* A final stat word's state, or -1; ENROUTE is not final. */
static int
stat_final(struct scn_ctx *c, const char *word, int *state)
{
	enum smpp_receipt_stat st;

	st = smpp_receipt_stat_state(word, strlen(word));
	if (st == SMPP_RECEIPT_STAT_ENROUTE)
		return scn_fail(c, "ENROUTE is not a final outcome");
	/* Exact words only: the lookup also takes lower case. */
	if (st == SMPP_RECEIPT_STAT_UNRECOGNISED ||
	    strcmp(word, smpp_receipt_stat_word(st)) != 0)
		return scn_fail(c, "\"%s\" is not an outcome (" FINAL_WORDS
		    ")", word);
	*state = (int)st;
	return 0;
}

static int
stat_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	int state;

	if (!json_is_string(v))
		return scn_fail(c, "must be one of " FINAL_WORDS);
	if (stat_final(c, json_string_value(v), &state) == -1)
		return -1;
	memcpy(FIELD(base, k), &state, sizeof state);
	return 0;
}

static json_t *
stat_show(const struct scn_key *k, const void *base)
{
	int state;

	memcpy(&state, CFIELD(base, k), sizeof state);
	return state == 0 ? NULL : json_string(smpp_receipt_stat_word(state));
}

const struct scn_type scn_type_stat = {
	.name = "string", .parse = stat_parse, .show = stat_show,
};

/* The receipt's err field: three digits, as Appendix B writes it. */
static int
err_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) != 3 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
		return scn_fail(c, "must be three digits such as \"001\"");
	memcpy(FIELD(base, k), s, 4);
	return 0;
}

const struct scn_type scn_type_err = {
	.name = "string", .parse = err_parse, .show = scn_nonempty_show,
};

/* "030001": the TLV's three octets in hex, type first. */
static int
nec_hex(const char *s, struct carrier_outcome *o)
{
	unsigned long	 x;
	char		*end;
	size_t		 i;

	for (i = 0; i < 6; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	if (s[6] != '\0')
		return -1;
	x = strtoul(s, &end, 16);
	o->nec_type = (uint8_t)(x >> 16);
	o->nec_code = (uint16_t)(x & 0xFFFF);
	return 0;
}

static const struct scn_key nec_keys[] = {
	{ .name = "type", .type = &scn_type_uint, .size = sizeof(uint8_t),
	  .off = offsetof(struct carrier_outcome, nec_type), .max = 255,
	  .flags = SCN_REQUIRED },
	{ .name = "code", .type = &scn_type_uint, .size = sizeof(uint16_t),
	  .off = offsetof(struct carrier_outcome, nec_code), .max = 65535,
	  .flags = SCN_REQUIRED },
	{ .name = NULL },
};

/* k->off is that of the struct carrier_outcome the code belongs to. */
static int
nec_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	struct carrier_outcome *o = (void *)FIELD(base, k);

	if (json_is_object(v)) {
		if (scn_walk(c, nec_keys, v, o) == -1)
			return -1;
	} else if (!json_is_string(v) || nec_hex(json_string_value(v), o) ==
	    -1)
		return scn_fail(c, "must be {\"type\": N, \"code\": N} or six "
		    "hex digits such as \"030001\"");
	o->has_nec = 1;
	return 0;
}

static json_t *
nec_show(const struct scn_key *k, const void *base)
{
	const struct carrier_outcome *o = (const void *)CFIELD(base, k);

	if (!o->has_nec)
		return NULL;
	return json_pack("{s:i,s:i}", "type", (int)o->nec_type, "code",
	    (int)o->nec_code);
}

const struct scn_type scn_type_nec = {
	.name = "object or hex", .parse = nec_parse, .show = nec_show,
};

static int
p_get(struct scn_ctx *c, json_t *v, double *p)
{
	if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
	    !(json_number_value(v) <= 1))
		return scn_fail(c, "must be between 0 and 1");
	*p = json_number_value(v);
	return 0;
}

static int
submit_error_one(struct scn_ctx *c, const char *name, json_t *v,
    struct carrier_submit_error *e)
{
	if (smpp_status_parse(name, &e->status) == -1)
		return scn_fail(c, "not an SMPP status name");
	if (e->status == SMPP_ESME_ROK)
		return scn_fail(c, "ESME_ROK is not an error status");
	return p_get(c, v, &e->p);
}

/* {"ESME_RSYSERR": 0.01, ...}: replaces the default (none). */
static int
submit_errors_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct carrier_profile	*p = base;
	const char		*name;
	json_t			*m;
	double			 sum = 0;
	int			 rc;

	if (!json_is_object(v) || json_object_size(v) >
	    CARRIER_MAX_SUBMIT_ERRORS)
		return scn_fail(c, "must be an object of at most %d "
		    "\"STATUS\": probability members",
		    CARRIER_MAX_SUBMIT_ERRORS);
	p->nsubmit_errors = 0;
	json_object_foreach(v, name, m) {
		scn_push_key(c, name);
		rc = submit_error_one(c, name, m,
		    &p->submit_errors[p->nsubmit_errors]);
		scn_pop(c);
		if (rc == -1)
			return -1;
		sum += p->submit_errors[p->nsubmit_errors++].p;
	}
	if (sum > 1 + P_EPSILON)
		return scn_fail(c, "the probabilities add up to %.15g, more "
		    "than 1", sum);
	return 0;
}

static json_t *
submit_errors_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	json_t				*o = json_object(), *name;
	size_t				 i;

	for (i = 0; i < p->nsubmit_errors; i++) {
		name = scn_status_json(p->submit_errors[i].status);
		json_object_set_new(o, json_string_value(name),
		    json_real(p->submit_errors[i].p));
		json_decref(name);
	}
	return o;
}

const struct scn_type scn_type_submit_errors = {
	.name = "object", .parse = submit_errors_parse,
	.show = submit_errors_show,
};

/* One member of outcomes: a probability, or an object of k->sub. */
static int
outcome_one(struct scn_ctx *c, const struct scn_key *k, const char *word,
    json_t *v, struct carrier_outcome *o)
{
	memcpy(o, k->item_default, sizeof *o);
	if (stat_final(c, word, &o->state) == -1)
		return -1;
	if (json_is_object(v))
		return scn_walk(c, k->sub, v, o);
	if (!json_is_number(v))
		return scn_fail(c, "must be a probability or {\"p\": ..., "
		    "\"err\": ..., \"network_error_code\": ...}");
	return p_get(c, v, &o->p);
}

/* Below 1 the rest is delivered: a scenario names only its failures. */
static void
outcomes_fill(struct carrier_profile *p, const struct carrier_outcome *dflt,
    double rest)
{
	size_t i;

	if (rest <= P_EPSILON)
		return;
	for (i = 0; i < p->noutcomes; i++) {
		if (p->outcomes[i].state == SMPP_RECEIPT_STAT_DELIVRD) {
			p->outcomes[i].p += rest;
			return;
		}
	}
	p->outcomes[p->noutcomes] = *dflt;
	p->outcomes[p->noutcomes].state = SMPP_RECEIPT_STAT_DELIVRD;
	p->outcomes[p->noutcomes++].p = rest;
}

static int
outcomes_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct carrier_profile	*p = base;
	const char		*word;
	json_t			*m;
	double			 sum = 0;
	int			 rc;

	/* Seven final words exist and duplicates are refused: they fit. */
	if (!json_is_object(v))
		return scn_fail(c, "must be an object of \"STAT\": "
		    "probability members");
	p->noutcomes = 0;
	json_object_foreach(v, word, m) {
		scn_push_key(c, word);
		rc = outcome_one(c, k, word, m, &p->outcomes[p->noutcomes]);
		scn_pop(c);
		if (rc == -1)
			return -1;
		sum += p->outcomes[p->noutcomes++].p;
	}
	if (sum > 1 + P_EPSILON)
		return scn_fail(c, "the probabilities add up to %.15g, more "
		    "than 1", sum);
	outcomes_fill(p, k->item_default, 1 - sum);
	return 0;
}

/* An outcome with the default err and no TLV is just its probability. */
static json_t *
outcomes_show(const struct scn_key *k, const void *base)
{
	const struct carrier_profile	*p = base;
	const struct carrier_outcome	*o;
	json_t				*obj = json_object(), *val;
	size_t				 i;

	for (i = 0; i < p->noutcomes; i++) {
		o = &p->outcomes[i];
		if (strcmp(o->err, "000") == 0 && !o->has_nec)
			val = json_real(o->p);
		else
			val = scn_show_table(k->sub, o);
		json_object_set_new(obj, smpp_receipt_stat_word(o->state), val);
	}
	return obj;
}

const struct scn_type scn_type_outcomes = {
	.name = "object", .parse = outcomes_parse, .show = outcomes_show,
};
