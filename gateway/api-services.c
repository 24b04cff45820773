/*
 * Messaging v1 Services, read-only for now (twilio-api.md §7.1, §7.3,
 * §7.4): the account's services and each service's PhoneNumbers,
 * ShortCodes and AlphaSenders, from the configuration. Lists carry v1's
 * "meta" paging object with absolute URLs. Writes (POST, DELETE) are not
 * routed yet and answer 404.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/api-internal.h"
#include "gateway/services.h"

struct gw_service_json_list {
	const char	*base;
	json_t		*all;
};

static int
gw_api_services_add(struct gw_service *s, void *arg)
{
	struct gw_service_json_list *l = arg;

	json_array_append_new(l->all, gw_api_service_json(l->base, s));
	return 0;
}

/* Indexes the order of enum gw_api_sender_list in api.c. */
static const struct {
	const char	*key;
	int		 kinds;		/* bit (1 << enum gateway_sender_kind) */
} gw_api_sender_lists[] = {
	{ "phone_numbers", (1 << GATEWAY_SENDER_LONG_CODE) |
	    (1 << GATEWAY_SENDER_TOLL_FREE) },
	{ "short_codes", 1 << GATEWAY_SENDER_SHORT_CODE },
	{ "alpha_senders", 1 << GATEWAY_SENDER_ALPHANUMERIC },
};

static json_t *
gw_api_v1_url(const struct gw_api_request *r, unsigned page_size,
    unsigned page)
{
	char buf[1024];

	snprintf(buf, sizeof buf, "%s%s?PageSize=%u&Page=%u", r->base_url,
	    r->path, page_size, page);
	return json_string(buf);
}

/* { key: items, "meta": {...} }; items holds every match, sliced here. */
static void
gw_api_v1_list(struct gw_api_request *r, const char *key, json_t *all,
    unsigned page, unsigned page_size)
{
	json_t *o = json_object(), *meta = json_object(), *items;
	size_t first = (size_t)page * page_size, total = json_array_size(all);
	size_t i;

	items = json_array();
	for (i = first; i < total && i < first + page_size; i++)
		json_array_append(items, json_array_get(all, i));
	json_decref(all);
	json_object_set_new(o, key, items);
	json_object_set_new(meta, "page", json_integer(page));
	json_object_set_new(meta, "page_size", json_integer(page_size));
	json_object_set_new(meta, "first_page_url",
	    gw_api_v1_url(r, page_size, 0));
	json_object_set_new(meta, "previous_page_url", page > 0 ?
	    gw_api_v1_url(r, page_size, page - 1) : json_null());
	json_object_set_new(meta, "next_page_url", total > first + page_size ?
	    gw_api_v1_url(r, page_size, page + 1) : json_null());
	json_object_set_new(meta, "key", json_string(key));
	json_object_set_new(meta, "url", gw_api_v1_url(r, page_size, page));
	json_object_set_new(o, "meta", meta);
	gw_api_reply_resource(r, 200, o, NULL);
}

void
gw_api_services_list(struct gw_api_request *r)
{
	struct gw_service_json_list l;
	unsigned page, page_size;

	if (gw_api_page_parse(r, &page, &page_size) == -1)
		return;
	l.base = r->base_url;
	l.all = json_array();
	gw_services_each(r->gw->services, r->account->sid,
	    gw_api_services_add, &l);
	gw_api_v1_list(r, "services", l.all, page, page_size);
}

/* The path's service of the account, or NULL after answering 404. */
static struct gw_service *
gw_api_service(struct gw_api_request *r)
{
	struct gw_service *s = gw_service_find(r->gw, r->account->sid,
	    r->sids[0]);

	if (s == NULL)
		gw_api_fail(r, 20404, "The requested resource %s was not found",
		    r->path);
	return s;
}

void
gw_api_services_fetch(struct gw_api_request *r)
{
	struct gw_service *s;

	if ((s = gw_api_service(r)) != NULL)
		gw_api_reply_resource(r, 200,
		    gw_api_service_json(r->base_url, s), NULL);
}

/* snd when it is of the list's kind, else NULL. */
static const struct gw_sender *
gw_api_sender(struct gw_api_request *r, const struct gw_sender *snd)
{
	if (((1 << snd->kind) & gw_api_sender_lists[r->arg].kinds) == 0)
		return NULL;
	return snd;
}

void
gw_api_service_senders_list(struct gw_api_request *r)
{
	const struct gw_sender *snd;
	struct gw_service *s;
	unsigned page, page_size;
	json_t *all;

	if (gw_api_page_parse(r, &page, &page_size) == -1 ||
	    (s = gw_api_service(r)) == NULL)
		return;
	all = json_array();
	TAILQ_FOREACH(snd, &s->senders, entry)
		if (gw_api_sender(r, snd) != NULL)
			json_array_append_new(all,
			    gw_api_sender_json(r->base_url, s, snd));
	gw_api_v1_list(r, gw_api_sender_lists[r->arg].key, all, page,
	    page_size);
}

void
gw_api_service_senders_fetch(struct gw_api_request *r)
{
	const struct gw_sender *snd;
	struct gw_service *s;

	if ((s = gw_api_service(r)) == NULL)
		return;
	TAILQ_FOREACH(snd, &s->senders, entry)
		if (gw_api_sender(r, snd) != NULL &&
		    strcmp(snd->sid, r->sids[1]) == 0) {
			gw_api_reply_resource(r, 200,
			    gw_api_sender_json(r->base_url, s, snd), NULL);
			return;
		}
	gw_api_fail(r, 20404, "The requested resource %s was not found",
	    r->path);
}
