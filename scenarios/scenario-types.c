/*
 * The plain value types of the key tables: objects of more keys, strings,
 * names, addresses, paths, integers, numbers, flags, words, JSON objects
 * kept as given and SMPP statuses; the opt_ variants are left out of
 * --explain when not given. Each is a parse and a show function
 * (scenario-internal.h); time values live in scenario-time.c, carrier
 * structures in scenario-carrier.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scenarios/scenario-internal.h"
#include "smpp/smpp.h"

#define FIELD(base, k)		((char *)(base) + (k)->off)
#define CFIELD(base, k)		((const char *)(base) + (k)->off)

/* Members go into the same struct as the key itself (accepts, session). */
static int
object_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return scn_walk(c, k->sub, v, base);
}

static json_t *
object_show(const struct scn_key *k, const void *base)
{
	return scn_show_table(k->sub, base);
}

const struct scn_type scn_type_object = {
	.name = "object", .parse = object_parse, .show = object_show,
};

static int
string_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return scn_get_string(c, k, v, FIELD(base, k), k->size);
}

json_t *
scn_string_show(const struct scn_key *k, const void *base)
{
	return json_string(CFIELD(base, k));
}

json_t *
scn_nonempty_show(const struct scn_key *k, const void *base)
{
	const char *s = CFIELD(base, k);

	return s[0] == '\0' ? NULL : json_string(s);
}

const struct scn_type scn_type_string = {
	.name = "string", .parse = string_parse, .show = scn_string_show,
};

const struct scn_type scn_type_opt_string = {
	.name = "string", .parse = string_parse, .show = scn_nonempty_show,
};

/* One of k->choices, kept as the string itself. */
static int
choice_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	size_t i;

	for (i = 0; json_is_string(v) && k->choices[i] != NULL; i++) {
		if (strcmp(json_string_value(v), k->choices[i]) == 0) {
			snprintf(FIELD(base, k), k->size, "%s", k->choices[i]);
			return 0;
		}
	}
	return scn_fail(c, "must be %s", k->range);
}

const struct scn_type scn_type_choice = {
	.name = "string", .parse = choice_parse, .show = scn_string_show,
};

const struct scn_type scn_type_method = {
	.name = "string", .parse = choice_parse, .show = scn_string_show,
};

const struct scn_type scn_type_opt_choice = {
	.name = "string", .parse = choice_parse, .show = scn_nonempty_show,
};

/* The object is kept as given, to be read once the whole file is. */
static int
json_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	json_t *copy;

	if (!json_is_object(v))
		return scn_fail(c, "must be an object");
	copy = json_deep_copy(v);
	memcpy(&v, FIELD(base, k), sizeof v);
	json_decref(v);
	memcpy(FIELD(base, k), &copy, sizeof copy);
	return 0;
}

static json_t *
json_show(const struct scn_key *k, const void *base)
{
	json_t *v;

	memcpy(&v, CFIELD(base, k), sizeof v);
	return v != NULL ? json_deep_copy(v) : NULL;
}

const struct scn_type scn_type_json = {
	.name = "object", .parse = json_parse, .show = json_show,
};

/* Carrier names end up in logs, metrics labels and URLs: keep them tame. */
static int
name_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	char	*s = FIELD(base, k);
	size_t	 i;

	if (scn_get_string(c, k, v, s, k->size) == -1)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) ==
		    NULL)
			return scn_fail(c, "\"%s\": only letters, digits, "
			    "'.', '_' and '-' are allowed", s);
	}
	return 0;
}

const struct scn_type scn_type_name = {
	.name = "string", .parse = name_parse, .show = scn_string_show,
};

static int
country_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	const char	*given = json_string_value(v);
	char		*s = FIELD(base, k);

	if (given == NULL)
		return scn_fail(c, "must be a string");
	if (given[0] != '\0' && (!isalpha((unsigned char)given[0]) ||
	    !isalpha((unsigned char)given[1]) || given[2] != '\0'))
		return scn_fail(c, "\"%.40s\" is not a two-letter country "
		    "code", given);
	s[0] = (char)toupper((unsigned char)given[0]);
	s[1] = given[0] == '\0' ? '\0' : (char)toupper((unsigned char)given[1]);
	s[2] = '\0';
	return 0;
}

const struct scn_type scn_type_country = {
	.name = "string", .parse = country_parse, .show = scn_string_show,
};

/*
 * "host:port" with port 0-65535 (0: any free port, for tests); an IPv6
 * host is written in brackets. The host is not resolved here.
 */
static int
hostport_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	char		*s = FIELD(base, k), *colon, *end;
	unsigned long	 port;

	if (scn_get_string(c, k, v, s, k->size) == -1)
		return -1;
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s || (strchr(s, ':') != colon &&
	    (s[0] != '[' || colon[-1] != ']')))
		return scn_fail(c, "\"%s\" is not host:port", s);
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' ||
	    port > 65535 || errno != 0)
		return scn_fail(c, "\"%s\": the port must be 0 to 65535", s);
	return 0;
}

const struct scn_type scn_type_hostport = {
	.name = "host:port", .parse = hostport_parse, .show = scn_string_show,
};

/*
 * A file name relative to the scenario's directory, stored resolved so
 * that the modules never need to know where the scenario was.
 */
static int
path_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	char		*s = FIELD(base, k);
	const char	*given;
	int		 n;

	if (!json_is_string(v))
		return scn_fail(c, "must be a string");
	given = json_string_value(v);
	if (given[0] == '\0') {
		if (k->flags & SCN_READABLE)
			return scn_fail(c, "must not be empty");
		s[0] = '\0';
		return 0;
	}
	if (given[0] == '/' || c->dir == NULL || strcmp(c->dir, ".") == 0)
		n = snprintf(s, k->size, "%s", given);
	else
		n = snprintf(s, k->size, "%s/%s", c->dir, given);
	if (n < 0 || (size_t)n >= k->size)
		return scn_fail(c, "the path is longer than %zu characters",
		    k->size - 1);
	/* Certificates are read at start; say now if they cannot be. */
	if ((k->flags & SCN_READABLE) && access(s, R_OK) == -1)
		return scn_fail(c, "cannot read %s: %s", s, strerror(errno));
	return 0;
}

const struct scn_type scn_type_path = {
	.name = "path", .parse = path_parse, .show = scn_string_show,
};

/* Unsigned integers of any width: k->size says which. */
static int
uint_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	long long	x;
	uint64_t	u;
	char		*p = FIELD(base, k);

	if (scn_get_int(c, v, (long long)k->min, k->max >= 9e18 ? LLONG_MAX :
	    (long long)k->max, &x) == -1)
		return -1;
	u = (uint64_t)x;
	switch (k->size) {
	case 1: { uint8_t y = (uint8_t)u; memcpy(p, &y, 1); break; }
	case 2: { uint16_t y = (uint16_t)u; memcpy(p, &y, 2); break; }
	case 4: { uint32_t y = (uint32_t)u; memcpy(p, &y, 4); break; }
	default: memcpy(p, &u, 8); break;
	}
	return 0;
}

static uint64_t
uint_get(const struct scn_key *k, const void *base)
{
	const char	*p = CFIELD(base, k);
	uint64_t	 u;

	switch (k->size) {
	case 1: { uint8_t y; memcpy(&y, p, 1); u = y; break; }
	case 2: { uint16_t y; memcpy(&y, p, 2); u = y; break; }
	case 4: { uint32_t y; memcpy(&y, p, 4); u = y; break; }
	default: memcpy(&u, p, 8); break;
	}
	return u;
}

static json_t *
uint_show(const struct scn_key *k, const void *base)
{
	return json_integer((json_int_t)uint_get(k, base));
}

const struct scn_type scn_type_uint = {
	.name = "integer", .parse = uint_parse, .show = uint_show,
};

static json_t *
opt_uint_show(const struct scn_key *k, const void *base)
{
	uint64_t u = uint_get(k, base);

	return u == 0 ? NULL : json_integer((json_int_t)u);
}

const struct scn_type scn_type_opt_uint = {
	.name = "integer", .parse = uint_parse, .show = opt_uint_show,
};

static int
number_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	double x;

	if (!json_is_number(v))
		return scn_fail(c, "must be a number");
	x = json_number_value(v);
	if ((k->flags & SCN_POSITIVE) && !(x > 0))
		return scn_fail(c, "must be more than 0");
	if (!(x >= k->min && x <= k->max))
		return scn_fail(c, "must be between %.15g and %.15g", k->min,
		    k->max);
	memcpy(FIELD(base, k), &x, sizeof x);
	return 0;
}

static json_t *
number_show(const struct scn_key *k, const void *base)
{
	double x;

	memcpy(&x, CFIELD(base, k), sizeof x);
	return json_real(x);
}

const struct scn_type scn_type_number = {
	.name = "number", .parse = number_parse, .show = number_show,
};

static int
bool_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	int b;

	if (!json_is_boolean(v))
		return scn_fail(c, "must be true or false");
	b = json_is_true(v);
	memcpy(FIELD(base, k), &b, sizeof b);
	return 0;
}

static json_t *
bool_show(const struct scn_key *k, const void *base)
{
	int b;

	memcpy(&b, CFIELD(base, k), sizeof b);
	return json_boolean(b);
}

const struct scn_type scn_type_bool = {
	.name = "boolean", .parse = bool_parse, .show = bool_show,
};

static json_t *
flag_show(const struct scn_key *k, const void *base)
{
	int b;

	memcpy(&b, CFIELD(base, k), sizeof b);
	return b ? json_true() : NULL;
}

const struct scn_type scn_type_flag = {
	.name = "boolean", .parse = bool_parse, .show = flag_show,
};

static json_t *
tristate_show(const struct scn_key *k, const void *base)
{
	int b;

	memcpy(&b, CFIELD(base, k), sizeof b);
	return b == SCN_UNSET ? NULL : json_boolean(b);
}

const struct scn_type scn_type_tristate = {
	.name = "boolean", .parse = bool_parse, .show = tristate_show,
};

/* A boolean kept as k->mask in an unsigned set of flags. */
static int
bit_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	unsigned u;

	if (!json_is_boolean(v))
		return scn_fail(c, "must be true or false");
	memcpy(&u, FIELD(base, k), sizeof u);
	u = json_is_true(v) ? (u | k->mask) : (u & ~k->mask);
	memcpy(FIELD(base, k), &u, sizeof u);
	return 0;
}

static json_t *
bit_show(const struct scn_key *k, const void *base)
{
	unsigned u;

	memcpy(&u, CFIELD(base, k), sizeof u);
	return json_boolean((u & k->mask) != 0);
}

const struct scn_type scn_type_bit = {
	.name = "boolean", .parse = bit_parse, .show = bit_show,
};

/* One of k->choices, stored as its index in an int (an enum). */
static int
word_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	int i;

	for (i = 0; json_is_string(v) && k->choices[i] != NULL; i++) {
		if (strcmp(k->choices[i], json_string_value(v)) == 0) {
			memcpy(FIELD(base, k), &i, sizeof i);
			return 0;
		}
	}
	return scn_fail(c, "must be %s", k->range);
}

static json_t *
word_show(const struct scn_key *k, const void *base)
{
	int i;

	memcpy(&i, CFIELD(base, k), sizeof i);
	return json_string(k->choices[i]);
}

const struct scn_type scn_type_word = {
	.name = "string", .parse = word_parse, .show = word_show,
};

static json_t *
opt_word_show(const struct scn_key *k, const void *base)
{
	int i;

	memcpy(&i, CFIELD(base, k), sizeof i);
	return i == SCN_UNSET ? NULL : json_string(k->choices[i]);
}

const struct scn_type scn_type_opt_word = {
	.name = "string", .parse = word_parse, .show = opt_word_show,
};

/*
 * A command_status by name (smpp/status.def): one of k->choices if the
 * key has them, else any error status (not ESME_ROK).
 */
static int
status_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	uint32_t	st;
	size_t		i;

	if (!json_is_string(v) || smpp_status_parse(json_string_value(v),
	    &st) == -1)
		return scn_fail(c, "must be an SMPP status name such as "
		    "ESME_RSYSERR");
	if (k->choices != NULL) {
		for (i = 0; k->choices[i] != NULL; i++)
			if (strcmp(k->choices[i], json_string_value(v)) == 0)
				break;
		if (k->choices[i] == NULL)
			return scn_fail(c, "must be %s", k->range);
	} else if (st == SMPP_ESME_ROK)
		return scn_fail(c, "ESME_ROK is not an error status");
	memcpy(FIELD(base, k), &st, sizeof st);
	return 0;
}

/* A status as its name, or in hex when it has none (vendor codes). */
json_t *
scn_status_json(uint32_t st)
{
	char		 hex[16];
	const char	*name = smpp_status_name(st);

	if (name == NULL || strncmp(name, "vendor_", 7) == 0) {
		snprintf(hex, sizeof hex, "0x%08X", st);
		return json_string(hex);
	}
	return json_string(name);
}

static json_t *
status_show(const struct scn_key *k, const void *base)
{
	uint32_t st;

	memcpy(&st, CFIELD(base, k), sizeof st);
	return st == 0 ? NULL : scn_status_json(st);
}

const struct scn_type scn_type_status = {
	.name = "status", .parse = status_parse, .show = status_show,
};

/* Keys of a later version: the walker refuses them before parse. */
static int
reserved_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return scn_fail(c, "not supported in this version");
}

static json_t *
reserved_show(const struct scn_key *k, const void *base)
{
	return NULL;
}

const struct scn_type scn_type_reserved = {
	.name = "—", .parse = reserved_parse, .show = reserved_show,
};
