/*
 * The account and its senders in the 2010 API: the Account resource
 * (helper libraries fetch it to check credentials), IncomingPhoneNumbers
 * (long codes and toll-free numbers) and SMS/ShortCodes, all read from
 * the configuration.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/xmalloc.h"
#include "gateway/api-internal.h"

/* Which configured senders a list or fetch shows. */
struct gw_api_number_view {
	int		 short_codes;		/* else phone numbers */
	const char	*number_filter;		/* "PhoneNumber", "ShortCode" */
	const char	*key;			/* list key */
	const char	*list_element;
	const char	*item_element;
	json_t		*(*render)(const struct gateway_number *);
};

static const struct gw_api_number_view gw_api_phone_numbers = {
	.short_codes = 0,
	.number_filter = "PhoneNumber",
	.key = "incoming_phone_numbers",
	.list_element = "IncomingPhoneNumbers",
	.item_element = "IncomingPhoneNumber",
	.render = gw_api_number_json,
};

static const struct gw_api_number_view gw_api_short_codes = {
	.short_codes = 1,
	.number_filter = "ShortCode",
	.key = "short_codes",
	.list_element = "ShortCodes",
	.item_element = "ShortCode",
	.render = gw_api_short_code_json,
};

void
gw_api_account_fetch(struct gw_api_request *r)
{
	gw_api_reply_resource(r, 200, gw_api_account_json(r->account),
	    "Account");
}

static int
gw_api_number_shown(const struct gw_api_request *r,
    const struct gw_api_number_view *v, const struct gateway_number *n)
{
	if (strcmp(n->account_sid, r->account->sid) != 0)
		return 0;
	if (v->short_codes)
		return n->kind == GATEWAY_SENDER_SHORT_CODE;
	return n->kind == GATEWAY_SENDER_LONG_CODE ||
	    n->kind == GATEWAY_SENDER_TOLL_FREE;
}

/* PhoneNumber / ShortCode match a part of the number (digits as given);
 * FriendlyName matches exactly. */
static int
gw_api_number_filtered(const struct gw_api_request *r,
    const struct gw_api_number_view *v, const struct gateway_number *n)
{
	const char *num = gw_form_get(&r->query, v->number_filter);
	const char *name = gw_form_get(&r->query, "FriendlyName");

	if (num != NULL && strstr(n->number, num) == NULL)
		return 0;
	if (name != NULL && strcmp(n->friendly_name, name) != 0 &&
	    !(n->friendly_name[0] == '\0' && strcmp(n->number, name) == 0))
		return 0;
	return 1;
}

static void
gw_api_number_list(struct gw_api_request *r,
    const struct gw_api_number_view *v)
{
	static const char *const keys[] = { "PhoneNumber", "ShortCode",
	    "FriendlyName" };
	const struct gateway_config *cfg = &r->gw->cfg;
	struct gw_api_page pg = { 0 };
	struct evbuffer *filters;
	json_t *items;
	size_t i, seen = 0, first;
	const char *val;

	if (gw_api_page_parse(r, &pg.page, &pg.page_size) == -1)
		return;
	items = json_array();
	first = (size_t)pg.page * pg.page_size;
	for (i = 0; i < cfg->nnumbers; i++) {
		if (!gw_api_number_shown(r, v, &cfg->numbers[i]) ||
		    !gw_api_number_filtered(r, v, &cfg->numbers[i]))
			continue;
		if (seen >= first && seen < first + pg.page_size)
			json_array_append_new(items,
			    v->render(&cfg->numbers[i]));
		seen++;
	}
	filters = evbuffer_new();
	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		if ((val = gw_form_get(&r->query, keys[i])) != NULL &&
		    (i != 0 || !v->short_codes) && (i != 1 || v->short_codes)) {
			evbuffer_add_printf(filters, "%s=", keys[i]);
			gw_uri_encode(filters, val);
			evbuffer_add(filters, "&", 1);
		}
	evbuffer_add(filters, "", 1);
	pg.filters = (const char *)evbuffer_pullup(filters, -1);
	pg.n = json_array_size(items);
	pg.has_next = seen > first + pg.page_size;
	pg.has_prev = pg.page > 0;
	gw_api_reply_list(r, gw_api_list_body(r->path, v->key, items, &pg),
	    v->key, v->list_element, v->item_element);
	evbuffer_free(filters);
}

static void
gw_api_number_fetch(struct gw_api_request *r,
    const struct gw_api_number_view *v)
{
	const struct gateway_number *n = gw_number_find_sid(r->gw, r->sids[1]);

	if (n == NULL || !gw_api_number_shown(r, v, n)) {
		gw_api_fail(r, 20404, "The requested resource %s was not found",
		    r->path);
		return;
	}
	gw_api_reply_resource(r, 200, v->render(n), v->item_element);
}

void
gw_api_numbers_list(struct gw_api_request *r)
{
	gw_api_number_list(r, &gw_api_phone_numbers);
}

void
gw_api_numbers_fetch(struct gw_api_request *r)
{
	gw_api_number_fetch(r, &gw_api_phone_numbers);
}

void
gw_api_short_codes_list(struct gw_api_request *r)
{
	gw_api_number_list(r, &gw_api_short_codes);
}

void
gw_api_short_codes_fetch(struct gw_api_request *r)
{
	gw_api_number_fetch(r, &gw_api_short_codes);
}
