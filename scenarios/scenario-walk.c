/*
 * Walking a JSON object by a key table: the key path, errors that name
 * it, unknown and missing keys, and the helpers every type uses to read
 * strings and integers with the same wording.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenarios/scenario-internal.h"

void
scn_push_key(struct scn_ctx *c, const char *key)
{
	/* Deeper paths than we track keep their last tracked prefix. */
	if (c->nsegs < SCN_DEPTH_MAX)
		c->segs[c->nsegs] = (struct scn_seg){ key, 0 };
	c->nsegs++;
}

void
scn_push_index(struct scn_ctx *c, size_t index)
{
	if (c->nsegs < SCN_DEPTH_MAX)
		c->segs[c->nsegs] = (struct scn_seg){ NULL, index };
	c->nsegs++;
}

void
scn_pop(struct scn_ctx *c)
{
	if (c->nsegs > 0)
		c->nsegs--;
}

/* "carriers[1].outcomes.DELIVRD", cut to fit. */
static void
scn_path_format(const struct scn_ctx *c, char *buf, size_t size)
{
	size_t	i, n = c->nsegs < SCN_DEPTH_MAX ? c->nsegs : SCN_DEPTH_MAX;
	size_t	len = 0;
	int	w;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++) {
		const struct scn_seg *s = &c->segs[i];

		if (s->key == NULL)
			w = snprintf(buf + len, size - len, "[%zu]", s->index);
		else
			w = snprintf(buf + len, size - len, "%s%s",
			    i == 0 ? "" : ".", s->key);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

int
scn_fail(struct scn_ctx *c, const char *fmt, ...)
{
	struct scenario_error	*e = c->err;
	size_t			 n;
	va_list			 ap;

	scn_path_format(c, e->path, sizeof e->path);
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
	e->line = e->column = 0;
	n = c->nsegs < SCN_DEPTH_MAX ? c->nsegs : SCN_DEPTH_MAX;
	if (c->text != NULL)
		scn_locate(c->text, c->textlen, c->segs, n, &e->line,
		    &e->column);
	if (c->errs != NULL && c->nerrs < c->errcap && (c->nerrs == 0 ||
	    strcmp(c->errs[c->nerrs - 1].path, e->path) != 0 ||
	    strcmp(c->errs[c->nerrs - 1].reason, e->reason) != 0))
		c->errs[c->nerrs++] = *e;
	return -1;
}

int
scn_fail_at(struct scn_ctx *c, const char *key, const char *fmt, ...)
{
	char	reason[sizeof c->err->reason];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	scn_push_key(c, key);
	scn_fail(c, "%s", reason);
	scn_pop(c);
	return -1;
}

/* Edit distance, for "did you mean"; names longer than 63 never match. */
static size_t
scn_distance(const char *a, const char *b)
{
	size_t	row[64], la = strlen(a), lb = strlen(b), i, j, prev, tmp;

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static int
scn_unknown_key(struct scn_ctx *c, const struct scn_key *table,
    const char *name)
{
	const struct scn_key	*k, *best = NULL;
	size_t			 d, bestd = 3;

	for (k = table; k->name != NULL; k++) {
		if ((k->flags & SCN_RESERVED) == 0 &&
		    (d = scn_distance(name, k->name)) < bestd) {
			best = k;
			bestd = d;
		}
	}
	if (best != NULL)
		return scn_fail(c, "unknown key (did you mean \"%s\"?)",
		    best->name);
	return scn_fail(c, "unknown key");
}

const struct scn_key *
scn_key_find(const struct scn_key *table, const char *name)
{
	const struct scn_key *k;

	for (k = table; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static int
scn_walk_member(struct scn_ctx *c, const struct scn_key *table,
    const char *name, json_t *v, void *base)
{
	const struct scn_key *k = scn_key_find(table, name);

	if (k == NULL)
		return scn_unknown_key(c, table, name);
	if (k->flags & SCN_RESERVED)
		return scn_fail(c, "not supported in this version");
	if (k->type->parse(c, k, v, base) == -1)
		return -1;
	return k->check != NULL ? k->check(c, k, base) : 0;
}

/*
 * Whether a collecting load goes on after an error at this depth: past a
 * top-level key (depth 0), and past an item of a top-level list (depth 1:
 * carriers[2], traffic[0]), whose items are read independently. Deeper, a
 * value's parts may depend on each other (a range's second number on its
 * first), so an error there ends that item as it would end the load.
 */
int
scn_collect_here(const struct scn_ctx *c, size_t depth)
{
	return c->errs != NULL && c->nsegs == depth;
}

int
scn_walk_array(struct scn_ctx *c, json_t *v, size_t min, size_t max,
    const char *what,
    int (*item)(struct scn_ctx *, size_t, json_t *, void *), void *arg)
{
	json_t	*value;
	size_t	 i;
	int	 rc, failed = 0;

	if (!json_is_array(v) || json_array_size(v) < min ||
	    json_array_size(v) > max)
		return min > 0 ?
		    scn_fail(c, "must be an array of %zu to %zu %s", min, max,
		    what) :
		    scn_fail(c, "must be an array of at most %zu %s", max,
		    what);
	json_array_foreach(v, i, value) {
		scn_push_index(c, i);
		rc = item(c, i, value, arg);
		scn_pop(c);
		if (rc == -1 && !scn_collect_here(c, 1))
			return -1;
		failed |= rc == -1;
	}
	return failed ? -1 : 0;
}

int
scn_walk(struct scn_ctx *c, const struct scn_key *table, json_t *v,
    void *base)
{
	const struct scn_key	*k;
	const char		*name;
	json_t			*m;
	int			 rc, failed = 0;

	if (!json_is_object(v))
		return scn_fail(c, "%s", c->nsegs == 0 ? "a scenario is a JSON "
		    "object" : "must be an object");
	/* Collecting, a bad top-level key does not hide the next one. */
	json_object_foreach(v, name, m) {
		scn_push_key(c, name);
		rc = scn_walk_member(c, table, name, m, base);
		scn_pop(c);
		if (rc == -1 && !scn_collect_here(c, 0))
			return -1;
		failed |= rc == -1;
	}
	for (k = table; k->name != NULL; k++) {
		if ((k->flags & SCN_REQUIRED) &&
		    json_object_get(v, k->name) == NULL) {
			scn_push_key(c, k->name);
			scn_fail(c, "required");
			scn_pop(c);
			if (!scn_collect_here(c, 0))
				return -1;
			failed = 1;
		}
	}
	return failed ? -1 : 0;
}

json_t *
scn_show_table(const struct scn_key *table, const void *base)
{
	const struct scn_key	*k;
	json_t			*o = json_object(), *v;

	for (k = table; k->name != NULL; k++) {
		if (k->flags & SCN_RESERVED)
			continue;
		if ((v = k->type->show(k, base)) != NULL)
			json_object_set_new(o, k->name, v);
	}
	return o;
}

int
scn_get_string(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    char *buf, size_t size)
{
	size_t	len, min = k->min > 0 ? (size_t)k->min : 0;

	if (!json_is_string(v))
		return scn_fail(c, "must be a string");
	len = json_string_length(v);
	if (strlen(json_string_value(v)) != len)
		return scn_fail(c, "must not hold a NUL character");
	if (len < min)
		return min == 1 ? scn_fail(c, "must not be empty") :
		    scn_fail(c, "must be at least %zu characters", min);
	if (len >= size)
		return scn_fail(c, "must be at most %zu characters", size - 1);
	memcpy(buf, json_string_value(v), len + 1);
	return 0;
}

int
scn_get_int(struct scn_ctx *c, json_t *v, long long lo, long long hi,
    long long *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi) {
		if (hi == LLONG_MAX)
			return scn_fail(c, "must be an integer of at least "
			    "%lld", lo);
		return scn_fail(c, "must be an integer between %lld and %lld",
		    lo, hi);
	}
	*out = json_integer_value(v);
	return 0;
}
