/*
 * A message's Media (twilio-api.md §2.1): list, fetch, delete. A media
 * item is one of the message's MediaUrl; its sid is derived from the
 * message sid and the item's index (gw_api_media_sid), so it is the same
 * on every read and needs no column of its own.
 *
 * Delete keeps the indexes (and so the other items' sids) stable: the
 * URL is replaced by "" in the stored message, and lists skip it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "common/xmalloc.h"
#include "gateway/api-internal.h"
#include "gateway/store.h"

#define GW_DAY	(86400 * INT64_C(1000000))

/* The index of the path's media sid, or -1. */
static long
gw_api_media_index(const struct gw_message *m, const char *sid)
{
	char me[GATEWAY_SID_SIZE];
	size_t i;

	for (i = 0; i < m->num_media; i++) {
		gw_api_media_sid(m->sid, i, me);
		if (strcasecmp(me, sid) == 0 && m->media[i][0] != '\0')
			return (long)i;
	}
	return -1;
}

/* DateCreated, DateCreated<, DateCreated> against the message's date
 * (every item shares it): 1 kept, 0 filtered out, -1 answered. */
static int
gw_api_media_filter(struct gw_api_request *r, const struct gw_message *m)
{
	static const char *const keys[] = { "DateCreated", "DateCreated<",
	    "DateCreated>" };
	int64_t day = m->date_created - m->date_created % GW_DAY, t;
	const char *v;
	size_t i;
	int keep = 1;

	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		if ((v = gw_form_get(&r->query, keys[i])) == NULL)
			continue;
		if (gw_api_date_parse(v, &t) == -1 || t < 0) {
			gw_api_fail(r, 400, "Invalid value for %s: %.64s",
			    keys[i], v);
			return -1;
		}
		t -= t % GW_DAY;
		if ((i == 0 && day != t) || (i == 1 && day > t) ||
		    (i == 2 && day < t))
			keep = 0;
	}
	return keep;
}

void
gw_api_media_list(struct gw_api_request *r)
{
	struct gw_api_page pg = { .filters = "" };
	struct gw_message *m;
	json_t *items;
	size_t i, seen = 0, first;
	int keep;

	if (gw_api_page_parse(r, &pg.page, &pg.page_size) == -1 ||
	    !gw_api_message_get(r, &m))
		return;
	if ((keep = gw_api_media_filter(r, m)) == -1) {
		gw_message_free(m);
		return;
	}
	items = json_array();
	first = (size_t)pg.page * pg.page_size;
	for (i = 0; keep && i < m->num_media; i++) {
		if (m->media[i][0] == '\0')
			continue;
		if (seen >= first && seen < first + pg.page_size)
			json_array_append_new(items, gw_api_media_json(m, i));
		seen++;
	}
	pg.n = json_array_size(items);
	pg.has_next = seen > first + pg.page_size;
	pg.has_prev = pg.page > 0;
	gw_api_reply_list(r, gw_api_list_body(r->path, "media_list", items,
	    &pg), "media_list", "MediaList", "Media");
	gw_message_free(m);
}

/* The path's media item of the account's message: 1 with *m (the
 * caller frees it) and *i, or 0 after answering. */
static int
gw_api_media_find(struct gw_api_request *r, struct gw_message **m, long *i)
{
	if (!gw_api_message_get(r, m))
		return 0;
	if ((*i = gw_api_media_index(*m, r->sids[2])) != -1)
		return 1;
	gw_api_fail(r, 20404, "The requested resource %s was not found",
	    r->path);
	gw_message_free(*m);
	return 0;
}

void
gw_api_media_fetch(struct gw_api_request *r)
{
	struct gw_message *m;
	long i;

	if (!gw_api_media_find(r, &m, &i))
		return;
	gw_api_reply_resource(r, 200, gw_api_media_json(m, (size_t)i),
	    "Media");
	gw_message_free(m);
}

void
gw_api_media_delete(struct gw_api_request *r)
{
	struct gw_message *m;
	long i;

	if (!gw_api_media_find(r, &m, &i))
		return;
	if (!gw_status_terminal(m->status))
		gw_api_fail(r, 20009, "Cannot delete this resource before it "
		    "is complete: the message is %s",
		    gw_status_name(m->status));
	else {
		free(m->media[i]);
		m->media[i] = xstrdup("");
		if (gw_store_put_message(r->gw->store, m) == -1)
			gw_api_fail(r, 20500, "The message store failed");
		else
			gw_api_reply_empty(r, 204);
	}
	gw_message_free(m);
}
