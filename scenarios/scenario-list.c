/*
 * Arrays whose length the file decides: of structs (accounts, numbers,
 * services, routes, error rules, API keys) and of fixed-size strings
 * (prefixes, senders). The row says where the array pointer and its count
 * live (k->off, k->count_off), how large an item is (k->size), how many
 * items may be given (k->min..k->max) and what to check once an item is
 * read (k->item_check).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "scenarios/scenario-internal.h"

#define FIELD(base, off)	((char *)(base) + (off))
#define CFIELD(base, off)	((const char *)(base) + (off))

/* What an item callback needs: the row and the struct holding the list. */
struct scn_list_arg {
	const struct scn_key	*k;
	void			*base;
};

static char *
list_items(const struct scn_key *k, const void *base)
{
	char *items;

	memcpy(&items, CFIELD(base, k->off), sizeof items);
	return items;
}

static size_t
list_count(const struct scn_key *k, const void *base)
{
	size_t n;

	memcpy(&n, CFIELD(base, k->count_off), sizeof n);
	return n;
}

/*
 * The count grows before an item is read, so that a failure half-way
 * through an item leaves whatever it allocated to the release.
 */
static int
list_one(struct scn_ctx *c, size_t i, json_t *v, void *arg)
{
	struct scn_list_arg	*a = arg;
	const struct scn_key	*k = a->k;
	char			*item = list_items(k, a->base) + i * k->size;
	size_t			 n = i + 1;

	if (k->item_default != NULL)
		memcpy(item, k->item_default, k->size);
	memcpy(FIELD(a->base, k->count_off), &n, sizeof n);
	if (scn_walk(c, k->sub, v, item) == -1)
		return -1;
	return k->item_check != NULL ? k->item_check(c, k, v, item) : 0;
}

/* Allocates room for every item of v; the caller checked it is small. */
static void
list_alloc(const struct scn_key *k, json_t *v, void *base)
{
	size_t	 n = json_is_array(v) ? json_array_size(v) : 0, zero = 0;
	char	*items = xcalloc(n > 0 ? n : 1, k->size);

	free(list_items(k, base));
	memcpy(FIELD(base, k->off), &items, sizeof items);
	memcpy(FIELD(base, k->count_off), &zero, sizeof zero);
}

static int
list_walk(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base,
    int (*item)(struct scn_ctx *, size_t, json_t *, void *))
{
	struct scn_list_arg	a = { k, base };
	size_t			max = (size_t)k->max;

	if (json_is_array(v) && json_array_size(v) <= max)
		list_alloc(k, v, base);
	return scn_walk_array(c, v, (size_t)k->min, max, k->name, item, &a);
}

static int
list_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v, void *base)
{
	return list_walk(c, k, v, base, list_one);
}

static json_t *
list_show(const struct scn_key *k, const void *base)
{
	const char	*items = list_items(k, base);
	size_t		 i, n = list_count(k, base);
	json_t		*a = json_array();

	for (i = 0; i < n; i++)
		json_array_append_new(a, scn_show_table(k->sub,
		    items + i * k->size));
	return a;
}

const struct scn_type scn_type_list = {
	.name = "array", .parse = list_parse, .show = list_show,
};

static int
strings_one(struct scn_ctx *c, size_t i, json_t *v, void *arg)
{
	struct scn_list_arg	*a = arg;
	const struct scn_key	*k = a->k;
	struct scn_key		 one = { .name = k->name, .min = 1 };
	char			*item = list_items(k, a->base) + i * k->size;
	size_t			 n = i + 1;

	memcpy(FIELD(a->base, k->count_off), &n, sizeof n);
	if (scn_get_string(c, &one, v, item, k->size) == -1)
		return -1;
	return k->item_check != NULL ? k->item_check(c, k, v, item) : 0;
}

static int
strings_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	return list_walk(c, k, v, base, strings_one);
}

static json_t *
strings_show(const struct scn_key *k, const void *base)
{
	const char	*items = list_items(k, base);
	size_t		 i, n = list_count(k, base);
	json_t		*a = json_array();

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(items + i * k->size));
	return a;
}

const struct scn_type scn_type_strings = {
	.name = "array", .parse = strings_parse, .show = strings_show,
};
