/*
 * The body of POST /sim/carriers/{c}/mo: its fields, checked one table row
 * each, into a struct carrier_mo. JSON and form bodies arrive here alike,
 * as a JSON object (form values are strings).
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "carriers/carrier.h"
#include "scenarios/sim-internal.h"

#define SIM_MO_COUNT_MAX	100000
#define SIM_MO_BODY_MAX		65536	/* octets; far beyond 255 segments */

enum sim_mo_kind {
	SIM_MO_TEXT,	/* copied into a char array of the struct */
	SIM_MO_BODY,	/* borrowed pointer into the parsed body */
	SIM_MO_COUNT,	/* unsigned, min..max */
	SIM_MO_RATE,	/* double, >= 0 */
	SIM_MO_FLAG,	/* int, 0 or 1 */
};

struct sim_mo_field {
	const char		*name;
	enum sim_mo_kind	 kind;
	int			 required;
	size_t			 min;		/* length or value */
	size_t			 max;
	const char *const	*choices;	/* NULL: any text */
	size_t			 offset;	/* in struct carrier_mo */
};

static const char *const sim_mo_encodings[] = {
	"auto", "gsm7", "ucs2", "latin1", NULL
};

#define SIM_MO_AT(f)	offsetof(struct carrier_mo, f)
static const struct sim_mo_field sim_mo_fields[] = {
	{ .name = "from", .kind = SIM_MO_TEXT, .required = 1, .min = 1,
	  .max = 20, .offset = SIM_MO_AT(from) },
	{ .name = "to", .kind = SIM_MO_TEXT, .required = 1, .min = 1,
	  .max = 20, .offset = SIM_MO_AT(to) },
	{ .name = "body", .kind = SIM_MO_BODY, .required = 1, .min = 0,
	  .max = SIM_MO_BODY_MAX, .offset = SIM_MO_AT(body) },
	{ .name = "encoding", .kind = SIM_MO_TEXT, .min = 1, .max = 7,
	  .choices = sim_mo_encodings, .offset = SIM_MO_AT(encoding) },
	{ .name = "system_id", .kind = SIM_MO_TEXT, .min = 0, .max = 15,
	  .offset = SIM_MO_AT(system_id) },
	{ .name = "count", .kind = SIM_MO_COUNT, .min = 1,
	  .max = SIM_MO_COUNT_MAX, .offset = SIM_MO_AT(count) },
	{ .name = "rate", .kind = SIM_MO_RATE, .offset = SIM_MO_AT(rate) },
	{ .name = "payload", .kind = SIM_MO_FLAG,
	  .offset = SIM_MO_AT(payload) },
	{ .name = "as_data_sm", .kind = SIM_MO_FLAG,
	  .offset = SIM_MO_AT(as_data_sm) },
};
#define SIM_MO_NFIELDS	(sizeof sim_mo_fields / sizeof sim_mo_fields[0])

/* The text rows' max must leave room for the NUL in carrier.h's arrays. */
#define SIM_MO_ROOM(f)	sizeof(((struct carrier_mo *)0)->f)
_Static_assert(SIM_MO_ROOM(from) > 20 && SIM_MO_ROOM(to) > 20 &&
    SIM_MO_ROOM(encoding) > 7 && SIM_MO_ROOM(system_id) > 15,
    "struct carrier_mo arrays shorter than sim_mo_fields allows");

static int
sim_mo_choice_ok(const struct sim_mo_field *f, const char *s)
{
	const char *const	*c;

	if (f->choices == NULL)
		return 1;
	for (c = f->choices; *c != NULL; c++)
		if (strcmp(*c, s) == 0)
			return 1;
	return 0;
}

/* "encoding must be one of auto, gsm7, ucs2, latin1, not \"x\"" */
static void
sim_mo_choices_error(const struct sim_mo_field *f, const char *s, char *err,
    size_t errlen)
{
	const char *const	*c;

	snprintf(err, errlen, "%s must be one of ", f->name);
	for (c = f->choices; *c != NULL; c++) {
		strlcat(err, *c, errlen);
		strlcat(err, c[1] != NULL ? ", " : ", not \"", errlen);
	}
	strlcat(err, s, errlen);
	strlcat(err, "\"", errlen);
}

static int
sim_mo_set_text(const struct sim_mo_field *f, json_t *v,
    struct carrier_mo *mo, char *err, size_t errlen)
{
	const char	*s = json_string_value(v);
	size_t		 len = json_string_length(v);

	if (!json_is_string(v) || len < f->min || len > f->max ||
	    strlen(s) != len) {
		snprintf(err, errlen, "%s must be a string of %zu to %zu "
		    "octets", f->name, f->min, f->max);
		return -1;
	}
	if (!sim_mo_choice_ok(f, s)) {
		sim_mo_choices_error(f, s, err, errlen);
		return -1;
	}
	if (f->kind == SIM_MO_BODY)
		*(const char **)(void *)((char *)mo + f->offset) = s;
	else
		memcpy((char *)mo + f->offset, s, len + 1);
	return 0;
}

/* In a form every value is text; in JSON numbers must be numbers. */
static int
sim_mo_set_count(const struct sim_mo_field *f, json_t *v, int form,
    struct carrier_mo *mo, char *err, size_t errlen)
{
	uint64_t	n = 0;
	int		ok;

	if (form)
		ok = sim_parse_u64(json_string_value(v), f->max, &n) == 0;
	else if ((ok = json_is_integer(v) && json_integer_value(v) >= 0))
		n = (uint64_t)json_integer_value(v);
	if (!ok || n < f->min || n > f->max) {
		snprintf(err, errlen, "%s must be an integer %zu..%zu",
		    f->name, f->min, f->max);
		return -1;
	}
	*(unsigned *)(void *)((char *)mo + f->offset) = (unsigned)n;
	return 0;
}

static int
sim_mo_set_rate(const struct sim_mo_field *f, json_t *v, int form,
    struct carrier_mo *mo, char *err, size_t errlen)
{
	const char	*s = json_string_value(v);
	char		*end = NULL;
	double		 d = 0;
	int		 ok;

	if (form) {
		d = strtod(s, &end);
		ok = *s != '\0' && *end == '\0';
	} else if ((ok = json_is_number(v)))
		d = json_number_value(v);
	if (!ok || !isfinite(d) || d < 0) {
		snprintf(err, errlen, "%s must be a number >= 0 (messages "
		    "per second, 0: all at once)", f->name);
		return -1;
	}
	*(double *)(void *)((char *)mo + f->offset) = d;
	return 0;
}

static int
sim_mo_set_flag(const struct sim_mo_field *f, json_t *v, int form,
    struct carrier_mo *mo, char *err, size_t errlen)
{
	const char	*s = json_string_value(v);
	int		 b;

	if (form && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0))
		b = 1;
	else if (form && (strcmp(s, "false") == 0 || strcmp(s, "0") == 0))
		b = 0;
	else if (!form && json_is_boolean(v))
		b = json_is_true(v);
	else {
		snprintf(err, errlen, "%s must be true or false", f->name);
		return -1;
	}
	*(int *)(void *)((char *)mo + f->offset) = b;
	return 0;
}

static int
sim_mo_set(const struct sim_mo_field *f, json_t *v, int form,
    struct carrier_mo *mo, char *err, size_t errlen)
{
	switch (f->kind) {
	case SIM_MO_TEXT:
	case SIM_MO_BODY:
		return sim_mo_set_text(f, v, mo, err, errlen);
	case SIM_MO_COUNT:
		return sim_mo_set_count(f, v, form, mo, err, errlen);
	case SIM_MO_RATE:
		return sim_mo_set_rate(f, v, form, mo, err, errlen);
	case SIM_MO_FLAG:
		return sim_mo_set_flag(f, v, form, mo, err, errlen);
	}
	return -1;
}

/*
 * Fills mo from the fields of o (strings only when form is set). mo's
 * body points into o. Unknown fields are refused so a typo ("form") is
 * not silently ignored.
 */
int
sim_mo_from_json(json_t *o, int form, struct carrier_mo *mo, char *err,
    size_t errlen)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	memset(mo, 0, sizeof *mo);
	strlcpy(mo->encoding, "auto", sizeof mo->encoding);
	mo->count = 1;
	json_object_foreach(o, key, v) {
		for (i = 0; i < SIM_MO_NFIELDS; i++)
			if (strcmp(sim_mo_fields[i].name, key) == 0)
				break;
		if (i == SIM_MO_NFIELDS) {
			snprintf(err, errlen, "unknown field \"%s\"", key);
			return -1;
		}
	}
	for (i = 0; i < SIM_MO_NFIELDS; i++) {
		v = json_object_get(o, sim_mo_fields[i].name);
		if (v == NULL && sim_mo_fields[i].required) {
			snprintf(err, errlen, "%s is required",
			    sim_mo_fields[i].name);
			return -1;
		}
		if (v != NULL && sim_mo_set(&sim_mo_fields[i], v, form, mo,
		    err, errlen) == -1)
			return -1;
	}
	return 0;
}

