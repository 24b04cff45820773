/*
 * The parameters of faults and quirks: reading them from JSON by the rows
 * of their descriptor, showing them back, and the words the docs print.
 * One reader serves /sim/ requests and scenario files alike, so both
 * accept the same values and refuse the rest with the same words.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "carriers/fault.h"
#include "common/duration.h"
#include "common/hex.h"
#include "smpp/smpp.h"

#define FIELD(args, p)	((char *)(args) + (p)->off)
#define CFIELD(args, p)	((const char *)(args) + (p)->off)

#define VENDOR_TAG_MIN	0x1400		/* SPEC34 5.3.2: vendor specific */
#define VENDOR_TAG_MAX	0x3FFF

/* Where a value sits under the params object: keys and indexes. */
struct param_path {
	const char	*key[CARRIER_PARAM_DEPTH];	/* NULL: index */
	size_t		 index[CARRIER_PARAM_DEPTH];
	size_t		 n;
};

static const struct param_path path_top = { .n = 0 };

/* base.key; keys point into the tables or into the params JSON. */
static struct param_path
path_key(const struct param_path *base, const char *key)
{
	struct param_path p = *base;

	if (p.n < CARRIER_PARAM_DEPTH) {
		p.key[p.n] = key;
		p.index[p.n++] = 0;
	}
	return p;
}

/* base[i] */
static struct param_path
path_index(const struct param_path *base, size_t i)
{
	struct param_path p = *base;

	if (p.n < CARRIER_PARAM_DEPTH) {
		p.key[p.n] = NULL;
		p.index[p.n++] = i;
	}
	return p;
}

static int param_fail(struct carrier_param_error *,
    const struct param_path *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
param_fail(struct carrier_param_error *e, const struct param_path *path,
    const char *fmt, ...)
{
	va_list	ap;
	size_t	i;

	for (i = 0; i < path->n; i++) {
		e->path[i].key = path->key[i];
		e->path[i].index = path->index[i];
	}
	e->depth = path->n;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
	return -1;
}

void
carrier_param_error_format(const struct carrier_param_error *e, char *buf,
    size_t len)
{
	char	idx[32];
	size_t	i;

	buf[0] = '\0';
	for (i = 0; i < e->depth; i++) {
		if (e->path[i].key == NULL) {
			snprintf(idx, sizeof idx, "[%zu]", e->path[i].index);
			strlcat(buf, idx, len);
			continue;
		}
		if (i > 0)
			strlcat(buf, ".", len);
		strlcat(buf, e->path[i].key, len);
	}
	if (buf[0] != '\0')
		strlcat(buf, ": ", len);
	strlcat(buf, e->reason, len);
}

/* ---- the tables ---- */

const struct carrier_switch *
carrier_switch_table(enum carrier_switch_kind kind, size_t *n)
{
	if (kind == CARRIER_SWITCH_FAULT) {
		*n = CARRIER_NFAULTS;
		return carrier_faults;
	}
	*n = CARRIER_NQUIRKS;
	return carrier_quirks;
}

const struct carrier_switch *
carrier_switch_find(enum carrier_switch_kind kind, const char *name)
{
	const struct carrier_switch *t;
	size_t n, i;

	t = carrier_switch_table(kind, &n);
	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const char *
carrier_switch_kind_name(enum carrier_switch_kind kind)
{
	return kind == CARRIER_SWITCH_FAULT ? "fault" : "quirk";
}

/* ---- durations ---- */

static int
param_duration(struct carrier_param_error *e, const struct param_path *path,
    json_t *v, int64_t *usec)
{
	double x;

	if (json_is_number(v)) {
		x = json_number_value(v) * 1000.0;
		if (!(x >= 0))
			return param_fail(e, path, "must not be negative");
	} else if (json_is_string(v)) {
		if (duration_parse(json_string_value(v), &x) == -1)
			return param_fail(e, path, "\"%.40s\" is not a "
			    "duration (a number and a unit: 250ms, 1.5s, 5m, "
			    "4h, 90d)", json_string_value(v));
	} else
		return param_fail(e, path, "must be a duration such as "
		    "\"250ms\" or \"30s\", or a number of milliseconds");
	if (!(x <= (double)DURATION_MAX))
		return param_fail(e, path, "must be at most 3650d");
	*usec = (int64_t)llround(x);
	return 0;
}

static json_t *
duration_json(int64_t usec)
{
	char buf[32];

	duration_format(usec, buf, sizeof buf);
	return json_string(buf);
}

/* ---- one reader and one shower per type ---- */

static int
parse_status(struct carrier_param_error *e, const struct carrier_param *p, json_t *v,
    struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name);
	uint32_t st;

	if (!json_is_string(v) || smpp_status_parse(json_string_value(v),
	    &st) == -1)
		return param_fail(e, &at, "must be an SMPP status name "
		    "such as ESME_RSYSERR");
	if (st == SMPP_ESME_ROK)
		return param_fail(e, &at, "ESME_ROK is not an error "
		    "status");
	memcpy(FIELD(a, p), &st, sizeof st);
	return 0;
}

static json_t *
show_status(const struct carrier_param *p, const struct carrier_switch_args *a)
{
	const char *name;
	char hex[16];
	uint32_t st;

	memcpy(&st, CFIELD(a, p), sizeof st);
	name = smpp_status_name(st);
	if (name == NULL || strncmp(name, "vendor_", 7) == 0) {
		snprintf(hex, sizeof hex, "0x%08X", st);
		return json_string(hex);
	}
	return json_string(name);
}

static int
parse_share(struct carrier_param_error *e, const struct carrier_param *p, json_t *v,
    struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name);
	double x;

	if (!json_is_number(v) || !((x = json_number_value(v)) >= 0) ||
	    !(x <= 1))
		return param_fail(e, &at, "must be a number between 0 "
		    "and 1");
	memcpy(FIELD(a, p), &x, sizeof x);
	return 0;
}

static json_t *
show_share(const struct carrier_param *p, const struct carrier_switch_args *a)
{
	double x;

	memcpy(&x, CFIELD(a, p), sizeof x);
	return json_real(x);
}

static int
parse_duration(struct carrier_param_error *e, const struct carrier_param *p, json_t *v,
    struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name);
	int64_t usec;

	if (param_duration(e, &at, v, &usec) == -1)
		return -1;
	memcpy(FIELD(a, p), &usec, sizeof usec);
	return 0;
}

static json_t *
show_duration(const struct carrier_param *p,
    const struct carrier_switch_args *a)
{
	int64_t usec;

	memcpy(&usec, CFIELD(a, p), sizeof usec);
	return duration_json(usec);
}

/* A member of a distribution object: a duration, > 0 when positive. */
static int
dist_get(struct carrier_param_error *e, const struct param_path *base,
    json_t *o, const char *key, int positive, int64_t *usec)
{
	struct param_path at = path_key(base, key);
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		return param_fail(e, &at, "required");
	if (param_duration(e, &at, v, usec) == -1)
		return -1;
	if (positive && *usec == 0)
		return param_fail(e, &at, "must be more than 0");
	return 0;
}

/* Only the members a distribution kind knows. */
static int
dist_members(struct carrier_param_error *e, const struct param_path *base,
    json_t *o, const char *a, const char *b)
{
	struct param_path at;
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return param_fail(e, base, "must be an object");
	json_object_foreach(o, key, v) {
		if (strcmp(key, a) == 0 || (b != NULL && strcmp(key, b) == 0))
			continue;
		at = path_key(base, key);
		return param_fail(e, &at, "unknown key");
	}
	return 0;
}

static int
dist_uniform(struct carrier_param_error *e, const struct param_path *base,
    json_t *v, struct carrier_dist *d)
{
	struct param_path at;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) != 2)
		return param_fail(e, base, "must be two durations [low, "
		    "high]");
	for (i = 0; i < 2; i++) {
		at = path_index(base, i);
		if (param_duration(e, &at, json_array_get(v, i), i == 0 ?
		    &d->a : &d->b) == -1)
			return -1;
	}
	if (d->b < d->a)
		return param_fail(e, base, "the low bound is above the high "
		    "bound");
	return 0;
}

/* The object form's one member, kind, with its value m. */
static int
dist_kind(struct carrier_param_error *e, const struct param_path *at,
    const char *kind, json_t *m, struct carrier_dist *d)
{
	if (strcmp(kind, "fixed") == 0)
		return param_duration(e, at, m, &d->a);
	if (strcmp(kind, "uniform") == 0) {
		d->kind = CARRIER_DIST_UNIFORM;
		return dist_uniform(e, at, m, d);
	}
	if (strcmp(kind, "exponential") == 0) {
		d->kind = CARRIER_DIST_EXPONENTIAL;
		if (dist_members(e, at, m, "mean", NULL) == -1)
			return -1;
		return dist_get(e, at, m, "mean", 1, &d->a);
	}
	if (strcmp(kind, "lognormal") != 0)
		return param_fail(e, at, "unknown distribution (fixed, uniform, "
		    "lognormal or exponential)");
	d->kind = CARRIER_DIST_LOGNORMAL;
	if (dist_members(e, at, m, "median", "p99") == -1 ||
	    dist_get(e, at, m, "median", 1, &d->a) == -1 ||
	    dist_get(e, at, m, "p99", 0, &d->b) == -1)
		return -1;
	if (d->b < d->a)
		return param_fail(e, at, "p99 must be at least the median");
	return 0;
}

/* "300ms", or {"fixed"|"uniform"|"lognormal"|"exponential": ...}. */
static int
parse_dist(struct carrier_param_error *e, const struct carrier_param *p,
    json_t *v, struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name), kat;
	struct carrier_dist d = { CARRIER_DIST_FIXED, 0, 0 };
	const char *kind;
	json_t *m;

	if (!json_is_object(v)) {
		if (param_duration(e, &at, v, &d.a) == -1)
			return -1;
	} else if (json_object_size(v) != 1)
		return param_fail(e, &at, "must have exactly one of "
		    "fixed, uniform, lognormal or exponential");
	else {
		json_object_foreach(v, kind, m) {
			kat = path_key(&at, kind);
			if (dist_kind(e, &kat, kind, m, &d) == -1)
				return -1;
		}
	}
	memcpy(FIELD(a, p), &d, sizeof d);
	return 0;
}

static json_t *
show_dist(const struct carrier_param *p, const struct carrier_switch_args *a)
{
	struct carrier_dist d;

	memcpy(&d, CFIELD(a, p), sizeof d);
	switch (d.kind) {
	case CARRIER_DIST_UNIFORM:
		return json_pack("{s:[o,o]}", "uniform", duration_json(d.a),
		    duration_json(d.b));
	case CARRIER_DIST_LOGNORMAL:
		return json_pack("{s:{s:o,s:o}}", "lognormal", "median",
		    duration_json(d.a), "p99", duration_json(d.b));
	case CARRIER_DIST_EXPONENTIAL:
		return json_pack("{s:{s:o}}", "exponential", "mean",
		    duration_json(d.a));
	case CARRIER_DIST_FIXED:
	default:
		return duration_json(d.a);
	}
}

static int
parse_choice(struct carrier_param_error *e, const struct carrier_param *p, json_t *v,
    struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name);
	char range[160];
	int i;

	for (i = 0; json_is_string(v) && p->choices[i] != NULL; i++) {
		if (strcmp(p->choices[i], json_string_value(v)) == 0) {
			memcpy(FIELD(a, p), &i, sizeof i);
			return 0;
		}
	}
	carrier_param_range(p, range, sizeof range);
	return param_fail(e, &at, "must be %s", range);
}

static json_t *
show_choice(const struct carrier_param *p, const struct carrier_switch_args *a)
{
	int i;

	memcpy(&i, CFIELD(a, p), sizeof i);
	return json_string(p->choices[i]);
}

static int
parse_uint(struct carrier_param_error *e, const struct carrier_param *p, json_t *v,
    struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name);
	unsigned u;

	if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)p->min
	    || json_integer_value(v) > (json_int_t)p->max)
		return param_fail(e, &at, "must be an integer between "
		    "%.0f and %.0f", p->min, p->max);
	u = (unsigned)json_integer_value(v);
	memcpy(FIELD(a, p), &u, sizeof u);
	return 0;
}

static json_t *
show_uint(const struct carrier_param *p, const struct carrier_switch_args *a)
{
	unsigned u;

	memcpy(&u, CFIELD(a, p), sizeof u);
	return json_integer(u);
}

/* A receipt stat word: what smpp_receipt_build() can write as stat. */
static int
parse_word(struct carrier_param_error *e, const struct carrier_param *p, json_t *v,
    struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name);
	const char *s = json_string_value(v);
	size_t i, n;

	if (s == NULL)
		return param_fail(e, &at, "must be a string");
	n = json_string_length(v);
	if (n == 0 || n >= CARRIER_STAT_WORD_MAX)
		return param_fail(e, &at, "must be 1 to %d characters",
		    CARRIER_STAT_WORD_MAX - 1);
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7F || s[i] == ':')
			return param_fail(e, &at, "\"%s\": only printable "
			    "ASCII, no space or ':'", s);
	memcpy(FIELD(a, p), s, n + 1);
	return 0;
}

static json_t *
show_word(const struct carrier_param *p, const struct carrier_switch_args *a)
{
	return json_string(CFIELD(a, p));
}

/* A tag: 5123, or "0x1403" as a TLV table writes it. */
static int
tlv_tag(struct carrier_param_error *e, const struct param_path *at, json_t *v,
    uint16_t *tag)
{
	const char *s = json_string_value(v);
	unsigned long x = 0;
	char *end = NULL;

	if (json_is_integer(v))
		x = json_integer_value(v) < 0 ? 0 :
		    (unsigned long)json_integer_value(v);
	else if (s != NULL && strncasecmp(s, "0x", 2) == 0 &&
	    isxdigit((unsigned char)s[2]))
		x = strtoul(s + 2, &end, 16);
	if ((!json_is_integer(v) && (end == NULL || *end != '\0')) ||
	    x < VENDOR_TAG_MIN || x > VENDOR_TAG_MAX)
		return param_fail(e, at, "must be a vendor TLV tag, 0x1400 "
		    "to 0x3FFF (an integer, or hex text such as \"0x1403\")");
	*tag = (uint16_t)x;
	return 0;
}

static int
tlv_one(struct carrier_param_error *e, const struct param_path *base,
    json_t *v, struct carrier_vendor_tlv *t)
{
	struct param_path at;
	const char *key, *hex;
	json_t *m;
	size_t len = 0, off = 0;

	if (!json_is_object(v))
		return param_fail(e, base, "must be {\"tag\": ..., \"value\": "
		    "\"hex\"}");
	json_object_foreach(v, key, m) {
		if (strcmp(key, "tag") != 0 && strcmp(key, "value") != 0) {
			at = path_key(base, key);
			return param_fail(e, &at, "unknown key (tag, value)");
		}
	}
	at = path_key(base, "tag");
	if ((m = json_object_get(v, "tag")) == NULL)
		return param_fail(e, &at, "required");
	if (tlv_tag(e, &at, m, &t->tag) == -1)
		return -1;
	at = path_key(base, "value");
	if ((m = json_object_get(v, "value")) == NULL)
		return param_fail(e, &at, "required");
	if ((hex = json_string_value(m)) == NULL || hex_decode(hex,
	    strlen(hex), t->value, sizeof t->value, &len, &off) == -1)
		return param_fail(e, &at, "must be hex text of at most %d "
		    "octets, such as \"0102\"", CARRIER_VENDOR_TLV_MAX);
	t->length = (uint8_t)len;
	return 0;
}

static int
parse_tlvs(struct carrier_param_error *e, const struct carrier_param *p,
    json_t *v, struct carrier_switch_args *a)
{
	struct param_path at = path_key(&path_top, p->name), iat;
	struct carrier_vendor_tlv *t = (void *)FIELD(a, p);
	json_t *item;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > CARRIER_MAX_VENDOR_TLVS)
		return param_fail(e, &at, "must be an array of at most %d "
		    "{\"tag\", \"value\"}", CARRIER_MAX_VENDOR_TLVS);
	json_array_foreach(v, i, item) {
		iat = path_index(&at, i);
		if (tlv_one(e, &iat, item, &t[i]) == -1)
			return -1;
	}
	a->ntlvs = json_array_size(v);
	return 0;
}

static json_t *
show_tlvs(const struct carrier_param *p, const struct carrier_switch_args *a)
{
	const struct carrier_vendor_tlv *t = (const void *)CFIELD(a, p);
	char tag[8], hex[2 * CARRIER_VENDOR_TLV_MAX + 1];
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < a->ntlvs; i++) {
		snprintf(tag, sizeof tag, "0x%04X", t[i].tag);
		hex_encode(t[i].value, t[i].length, hex);
		json_array_append_new(list, json_pack("{s:s, s:s}", "tag", tag,
		    "value", hex));
	}
	return list;
}

static const struct param_type {
	const char	*name;
	int		(*parse)(struct carrier_param_error *,
			    const struct carrier_param *, json_t *,
			    struct carrier_switch_args *);
	json_t		*(*show)(const struct carrier_param *,
			    const struct carrier_switch_args *);
} param_types[] = {
	[CARRIER_PARAM_STATUS] = { "status", parse_status, show_status },
	[CARRIER_PARAM_SHARE] = { "number", parse_share, show_share },
	[CARRIER_PARAM_DURATION] = { "duration", parse_duration,
	    show_duration },
	[CARRIER_PARAM_DIST] = { "distribution", parse_dist, show_dist },
	[CARRIER_PARAM_CHOICE] = { "string", parse_choice, show_choice },
	[CARRIER_PARAM_UINT] = { "integer", parse_uint, show_uint },
	[CARRIER_PARAM_WORD] = { "string", parse_word, show_word },
	[CARRIER_PARAM_TLVS] = { "array", parse_tlvs, show_tlvs },
};

const char *
carrier_param_type_name(enum carrier_param_type t)
{
	return param_types[t].name;
}

void
carrier_param_range(const struct carrier_param *p, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	switch (p->type) {
	case CARRIER_PARAM_STATUS:
		snprintf(buf, len, "an error status name");
		break;
	case CARRIER_PARAM_SHARE:
		snprintf(buf, len, "0-1");
		break;
	case CARRIER_PARAM_DURATION:
		snprintf(buf, len, "0 or more");
		break;
	case CARRIER_PARAM_DIST:
		snprintf(buf, len, "see Distributions");
		break;
	case CARRIER_PARAM_CHOICE:
		for (i = 0; p->choices[i] != NULL; i++) {
			if (i > 0)
				strlcat(buf, p->choices[i + 1] == NULL ?
				    " or " : ", ", len);
			strlcat(buf, "\"", len);
			strlcat(buf, p->choices[i], len);
			strlcat(buf, "\"", len);
		}
		break;
	case CARRIER_PARAM_UINT:
		snprintf(buf, len, "%.0f-%.0f", p->min, p->max);
		break;
	case CARRIER_PARAM_WORD:
		snprintf(buf, len, "1-%d characters, no space or ':'",
		    CARRIER_STAT_WORD_MAX - 1);
		break;
	case CARRIER_PARAM_TLVS:
		snprintf(buf, len, "up to %d {tag 0x1400-0x3FFF, value hex}",
		    CARRIER_MAX_VENDOR_TLVS);
		break;
	}
}

/* ---- a whole parameter object ---- */

static const struct carrier_param *
param_find(const struct carrier_switch *sw, const char *name)
{
	const struct carrier_param *p;

	for (p = sw->params; p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* "status, share and for": what a switch takes, for an unknown key. */
static void
param_names(const struct carrier_switch *sw, char *buf, size_t len)
{
	const struct carrier_param *p;

	buf[0] = '\0';
	for (p = sw->params; p != NULL && p->name != NULL; p++) {
		strlcat(buf, p->name, len);
		strlcat(buf, ", ", len);
	}
	if (sw->oneshot) {
		if (buf[0] == '\0')
			snprintf(buf, len, "nothing");
		else
			buf[strlen(buf) - 2] = '\0';
	} else
		strlcat(buf, "for", len);
}

/* Every parameter at its default. The defaults are checked by tests. */
static void
params_default(const struct carrier_switch *sw,
    struct carrier_switch_args *args)
{
	const struct carrier_param *p;
	struct carrier_param_error e;
	json_t *v;

	memset(args, 0, sizeof *args);
	for (p = sw->params; p != NULL && p->name != NULL; p++) {
		v = json_loads(p->def, JSON_DECODE_ANY, NULL);
		if (v != NULL)
			param_types[p->type].parse(&e, p, v, args);
		json_decref(v);
	}
}

int
carrier_switch_parse(const struct carrier_switch *sw, json_t *params,
    struct carrier_switch_args *args, struct carrier_param_error *e)
{
	const struct carrier_param *p;
	struct param_path at;
	const char *key;
	char names[160];
	json_t *v;

	memset(e, 0, sizeof *e);
	params_default(sw, args);
	if (params == NULL)
		return 0;
	if (!json_is_object(params))
		return param_fail(e, &path_top, "must be an object of "
		    "parameters");
	json_object_foreach(params, key, v) {
		at = path_key(&path_top, key);
		if (strcmp(key, "for") == 0) {
			if (sw->oneshot)
				return param_fail(e, &at, "%s acts once and "
				    "takes no \"for\"", sw->name);
			if (param_duration(e, &at, v, &args->for_usec) == -1)
				return -1;
			if (args->for_usec == 0)
				return param_fail(e, &at, "must be more than "
				    "0 (leave it out to stay on until "
				    "cleared)");
			continue;
		}
		if ((p = param_find(sw, key)) == NULL) {
			param_names(sw, names, sizeof names);
			return param_fail(e, &at, "unknown parameter (%s "
			    "takes %s)", sw->name, names);
		}
		if (param_types[p->type].parse(e, p, v, args) == -1)
			return -1;
	}
	return 0;
}

json_t *
carrier_switch_show(const struct carrier_switch *sw,
    const struct carrier_switch_args *args)
{
	const struct carrier_param *p;
	json_t *o = json_object();

	for (p = sw->params; p != NULL && p->name != NULL; p++)
		json_object_set_new(o, p->name, param_types[p->type].show(p,
		    args));
	if (args->for_usec > 0)
		json_object_set_new(o, "for", duration_json(args->for_usec));
	return o;
}
