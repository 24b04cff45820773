/*
 * Messaging v1 Services (twilio-api.md §7.1-§7.4): create, list, fetch,
 * update and delete the account's services, and add, list, fetch and
 * remove the members of their pools (PhoneNumbers, ShortCodes,
 * AlphaSenders, DestinationAlphaSenders). The registry (services.h)
 * holds them and validates as Twilio does; here the form is read, its
 * values checked (20001 for a missing or malformed parameter, as
 * Twilio's v1 API answers) and the resource rendered. Lists carry v1's
 * "meta" paging object with absolute URLs.
 *
 * Deleting a service whose messages are still on their way is allowed,
 * as Twilio allows it: those messages keep the sender they were given.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "gateway/api-internal.h"
#include "gateway/services.h"

/* Indexes the order of enum gw_api_sender_list in api.c. */
static const struct {
	const char	*key;		/* the list's meta key */
	const char	*param;		/* what POST takes */
	int		 kinds;		/* bit (1 << enum gateway_sender_kind) */
	int		 destination;
} gw_api_sender_lists[] = {
	{ "phone_numbers", "PhoneNumberSid",
	  (1 << GATEWAY_SENDER_LONG_CODE) | (1 << GATEWAY_SENDER_TOLL_FREE),
	  0 },
	{ "short_codes", "ShortCodeSid", 1 << GATEWAY_SENDER_SHORT_CODE, 0 },
	{ "alpha_senders", "AlphaSender", 1 << GATEWAY_SENDER_ALPHANUMERIC,
	  0 },
	{ "destination_alpha_senders", "AlphaSender",
	  1 << GATEWAY_SENDER_ALPHANUMERIC, 1 },
};

/* ---- v1 paging ---- */

void
gw_api_v1_reply_list(struct gw_api_request *r, const char *key,
    json_t *items, const struct gw_api_page *pg)
{
	json_t *o = json_object(), *meta = json_object();

	json_object_set_new(o, key, items);
	json_object_set_new(meta, "page", json_integer(pg->page));
	json_object_set_new(meta, "page_size", json_integer(pg->page_size));
	json_object_set_new(meta, "first_page_url",
	    gw_api_page_link(r->base_url, r->path, pg, 0, NULL));
	json_object_set_new(meta, "previous_page_url", pg->has_prev ?
	    gw_api_page_link(r->base_url, r->path, pg,
	    pg->page > 0 ? pg->page - 1 : 0, pg->prev_token) : json_null());
	json_object_set_new(meta, "url", gw_api_page_link(r->base_url,
	    r->path, pg, pg->page, pg->token));
	json_object_set_new(meta, "next_page_url", pg->has_next ?
	    gw_api_page_link(r->base_url, r->path, pg,
	    pg->page + 1, pg->next_token) : json_null());
	json_object_set_new(meta, "key", json_string(key));
	json_object_set_new(o, "meta", meta);
	gw_api_reply_resource(r, 200, o, NULL);
}

int
gw_api_v1_token(struct gw_api_request *r, const char *prefix,
    const char **token, int *backward)
{
	const char *t = gw_form_get(&r->query, "PageToken");

	*token = NULL;
	*backward = 0;
	if (t == NULL)
		return 0;
	if (strlen(t) != 2 + GATEWAY_SID_LEN || t[0] != 'P' ||
	    (t[1] != 'A' && t[1] != 'B') || !gw_sid_valid(t + 2, prefix)) {
		gw_api_fail(r, 20001, "Invalid PageToken: %.64s", t);
		return -1;
	}
	*token = t;
	*backward = t[1] == 'B';
	return 0;
}

/*
 * A page of a list held in memory (every item has its "sid"): by Page,
 * or after (PA<sid>) or before (PB<sid>) the item of a PageToken, so a
 * page stays put while items come and go before it.
 */
static void
gw_api_v1_slice(struct gw_api_request *r, const char *key, json_t *all,
    const char *prefix, const char *filters)
{
	struct gw_api_page pg = { 0 };
	size_t first, end, total = json_array_size(all), i = 0;
	char next[40], prev[40];
	const char *sid;
	json_t *items;
	int backward;

	if (gw_api_page_parse(r, &pg.page, &pg.page_size) == -1 ||
	    gw_api_v1_token(r, prefix, &pg.token, &backward) == -1) {
		json_decref(all);
		return;
	}
	first = (size_t)pg.page * pg.page_size;
	if (pg.token != NULL) {
		for (i = 0; i < total; i++) {
			sid = json_string_value(json_object_get(
			    json_array_get(all, i), "sid"));
			if (sid != NULL && strcmp(sid, pg.token + 2) == 0)
				break;
		}
		if (i == total) {
			json_decref(all);
			gw_api_fail(r, 20001, "Invalid PageToken: %s no longer "
			    "exists", pg.token + 2);
			return;
		}
		first = backward ? (i >= pg.page_size ? i - pg.page_size : 0) :
		    i + 1;
	}
	end = first + pg.page_size < total ? first + pg.page_size : total;
	if (pg.token != NULL && backward)
		end = i;
	items = json_array();
	for (i = first; i < end; i++)
		json_array_append(items, json_array_get(all, i));
	pg.n = end > first ? end - first : 0;
	pg.filters = filters;
	pg.has_next = end < total;
	pg.has_prev = first > 0 && first <= total;
	if (pg.n > 0) {
		snprintf(next, sizeof(next), "PA%s", json_string_value(
		    json_object_get(json_array_get(items, pg.n - 1), "sid")));
		snprintf(prev, sizeof(prev), "PB%s", json_string_value(
		    json_object_get(json_array_get(items, 0), "sid")));
		pg.next_token = next;
		pg.prev_token = prev;
	}
	json_decref(all);
	gw_api_v1_reply_list(r, key, items, &pg);
}

/* ---- the service's parameters ---- */

static int
gw_api_bad_param(struct gw_api_request *r, const char *name,
    const char *value, const char *why)
{
	gw_api_fail(r, 20001, "Invalid parameter %s: '%.64s' %s", name, value,
	    why);
	return -1;
}

/* A URL parameter: "" clears it. */
static int
gw_api_param_url(struct gw_api_request *r, const char *name, char *out,
    size_t size)
{
	const char *v = gw_form_get(&r->form, name);

	if (v == NULL)
		return 0;
	if (v[0] != '\0' && (strlen(v) >= size || !gw_url_http(v, 1)))
		return gw_api_bad_param(r, name, v, "is not an http(s) URL");
	strlcpy(out, v, size);
	return 0;
}

static int
gw_api_param_word(struct gw_api_request *r, const char *name,
    const char *const *words, char *out, size_t size)
{
	const char *v = gw_form_get(&r->form, name);
	size_t i;

	if (v == NULL)
		return 0;
	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(v, words[i]) == 0) {
			strlcpy(out, words[i], size);
			return 0;
		}
	return gw_api_bad_param(r, name, v, "is not one of the values "
	    "allowed");
}

static int
gw_api_param_bool(struct gw_api_request *r, const char *name, int *out)
{
	const char *v = gw_form_get(&r->form, name);

	if (v == NULL || gw_form_bool(v, out) == 0)
		return 0;
	return gw_api_bad_param(r, name, v, "is not true or false");
}

static int
gw_api_param_strings(struct gw_api_request *r, struct gw_service *t)
{
	static const char *const methods[] = { "GET", "POST", NULL };
	static const char *const scan[] = { "inherit", "enable", "disable",
	    NULL };
	const char *v;

	if ((v = gw_form_get(&r->form, "FriendlyName")) != NULL) {
		if (v[0] == '\0' || gw_utf8_count(v) > 64 ||
		    strlen(v) >= sizeof(t->friendly_name))
			return gw_api_bad_param(r, "FriendlyName", v, "must be "
			    "1 to 64 characters");
		strlcpy(t->friendly_name, v, sizeof(t->friendly_name));
	}
	if ((v = gw_form_get(&r->form, "Usecase")) != NULL) {
		if (strlen(v) >= sizeof(t->usecase))
			return gw_api_bad_param(r, "Usecase", v, "is too long");
		strlcpy(t->usecase, v, sizeof(t->usecase));
	}
	return gw_api_param_url(r, "InboundRequestUrl", t->inbound_request_url,
	    sizeof(t->inbound_request_url)) == -1 ||
	    gw_api_param_url(r, "FallbackUrl", t->fallback_url,
	    sizeof(t->fallback_url)) == -1 ||
	    gw_api_param_url(r, "StatusCallback", t->status_callback,
	    sizeof(t->status_callback)) == -1 ||
	    gw_api_param_word(r, "InboundMethod", methods, t->inbound_method,
	    sizeof(t->inbound_method)) == -1 ||
	    gw_api_param_word(r, "FallbackMethod", methods, t->fallback_method,
	    sizeof(t->fallback_method)) == -1 ||
	    gw_api_param_word(r, "ScanMessageContent", scan,
	    t->scan_message_content,
	    sizeof(t->scan_message_content)) == -1 ? -1 : 0;
}

/* Every parameter of §7.2 given in the form, onto t. */
static int
gw_api_service_params(struct gw_api_request *r, struct gw_service *t)
{
	const char *v;
	unsigned long n;

	if (gw_api_param_strings(r, t) == -1 ||
	    gw_api_param_bool(r, "StickySender", &t->sticky_sender) == -1 ||
	    gw_api_param_bool(r, "MmsConverter", &t->mms_converter) == -1 ||
	    gw_api_param_bool(r, "SmartEncoding", &t->smart_encoding) == -1 ||
	    gw_api_param_bool(r, "FallbackToLongCode",
	    &t->fallback_to_long_code) == -1 ||
	    gw_api_param_bool(r, "AreaCodeGeomatch",
	    &t->area_code_geomatch) == -1 ||
	    gw_api_param_bool(r, "SynchronousValidation",
	    &t->synchronous_validation) == -1 ||
	    gw_api_param_bool(r, "UseInboundWebhookOnNumber",
	    &t->use_inbound_webhook_on_number) == -1)
		return -1;
	if ((v = gw_form_get(&r->form, "ValidityPeriod")) != NULL) {
		if (gw_form_ulong(v, 1, 36000, &n) == -1)
			return gw_api_bad_param(r, "ValidityPeriod", v,
			    "must be an integer from 1 to 36000");
		t->validity_period = (unsigned)n;
	}
	return 0;
}

/* What a service made through the API starts with (Twilio's
 * defaults). */
static void
gw_api_service_defaults(struct gw_service *t)
{
	memset(t, 0, sizeof(*t));
	strlcpy(t->inbound_method, "POST", sizeof(t->inbound_method));
	strlcpy(t->fallback_method, "POST", sizeof(t->fallback_method));
	strlcpy(t->scan_message_content, "inherit",
	    sizeof(t->scan_message_content));
	strlcpy(t->usecase, "undeclared", sizeof(t->usecase));
	t->sticky_sender = 1;
	t->mms_converter = 1;
	t->smart_encoding = 1;
	t->fallback_to_long_code = 1;
	t->area_code_geomatch = 1;
	t->synchronous_validation = 1;
	t->validity_period = 36000;
}

/* ---- services ---- */

void
gw_api_services_create(struct gw_api_request *r)
{
	struct gw_service tmpl, *s;
	struct gw_error e;

	gw_api_service_defaults(&tmpl);
	if (gw_form_get(&r->form, "FriendlyName") == NULL) {
		gw_api_fail(r, 20001, "Missing required parameter FriendlyName "
		    "in the post body");
		return;
	}
	if (gw_api_service_params(r, &tmpl) == -1)
		return;
	if ((s = gw_services_create(r->gw->services, r->account->sid, &tmpl,
	    &e)) == NULL) {
		gw_api_reply_error(r, &e);
		return;
	}
	gw_api_reply_resource(r, 201, gw_api_service_json(r->base_url, s),
	    NULL);
}

struct gw_api_services_all {
	const char	*base;
	json_t		*all;
};

static int
gw_api_services_add(struct gw_service *s, void *arg)
{
	struct gw_api_services_all *l = arg;

	json_array_append_new(l->all, gw_api_service_json(l->base, s));
	return 0;
}

void
gw_api_services_list(struct gw_api_request *r)
{
	struct gw_api_services_all l = { r->base_url, json_array() };

	gw_services_each(r->gw->services, r->account->sid,
	    gw_api_services_add, &l);
	gw_api_v1_slice(r, "services", l.all, "MG", "");
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

/*
 * The parameters go onto a copy, checked whole before s changes: a
 * request with one bad value changes nothing. The copy is s's bytes
 * (its list heads and tree links included) until it is copied back,
 * and nothing else runs in between.
 */
void
gw_api_services_update(struct gw_api_request *r)
{
	struct gw_service *s, tmpl;
	struct gw_error e;

	if ((s = gw_api_service(r)) == NULL)
		return;
	memcpy(&tmpl, s, sizeof(tmpl));
	if (gw_api_service_params(r, &tmpl) == -1)
		return;
	if (gw_services_check(&tmpl, &e) == -1) {
		gw_api_reply_error(r, &e);
		return;
	}
	memcpy(s, &tmpl, sizeof(*s));
	if (gw_services_updated(r->gw->services, s) == -1) {
		gw_api_fail(r, 20500, "The service could not be updated");
		return;
	}
	gw_api_reply_resource(r, 200, gw_api_service_json(r->base_url, s),
	    NULL);
}

void
gw_api_services_delete(struct gw_api_request *r)
{
	struct gw_service *s;

	if ((s = gw_api_service(r)) == NULL)
		return;
	gw_services_delete(r->gw->services, s);
	gw_api_reply_empty(r, 204);
}

/* ---- the pool's sub-resources ---- */

/* snd when it belongs to the route's list. */
static int
gw_api_sender_listed(const struct gw_api_request *r,
    const struct gw_sender *snd)
{
	return ((1 << snd->kind) & gw_api_sender_lists[r->arg].kinds) != 0 &&
	    snd->destination == gw_api_sender_lists[r->arg].destination;
}

/* IsoCountryCode: two letters, upper-cased into out; "" when absent. */
static int
gw_api_iso_param(struct gw_api_request *r, const struct gw_form *f,
    char out[3])
{
	const char *v = gw_form_get(f, "IsoCountryCode");

	out[0] = '\0';
	if (v == NULL)
		return 0;
	if (strlen(v) != 2 || !isalpha((unsigned char)v[0]) ||
	    !isalpha((unsigned char)v[1]))
		return gw_api_bad_param(r, "IsoCountryCode", v, "is not an "
		    "ISO 3166-1 alpha-2 country code");
	out[0] = (char)toupper((unsigned char)v[0]);
	out[1] = (char)toupper((unsigned char)v[1]);
	out[2] = '\0';
	return 0;
}

void
gw_api_service_senders_create(struct gw_api_request *r)
{
	const char *param = gw_api_sender_lists[r->arg].param;
	const char *v = gw_form_get(&r->form, param);
	struct gw_sender *snd;
	struct gw_service *s;
	struct gw_error e;
	char iso[3];

	if ((s = gw_api_service(r)) == NULL)
		return;
	if (v == NULL) {
		gw_api_fail(r, 20001, "Missing required parameter %s in the "
		    "post body", param);
		return;
	}
	if (r->arg == GW_API_PHONE_NUMBERS || r->arg == GW_API_SHORT_CODES) {
		if (!gw_sid_valid(v, r->arg == GW_API_PHONE_NUMBERS ? "PN" :
		    "SC")) {
			gw_api_bad_param(r, param, v, "is not a sid of the "
			    "right kind");
			return;
		}
		snd = gw_services_add_number(r->gw->services, s, v, &e);
	} else {
		if (gw_api_iso_param(r, &r->form, iso) == -1)
			return;
		snd = gw_services_add_alpha(r->gw->services, s, v,
		    gw_api_sender_lists[r->arg].destination, iso, &e);
	}
	if (snd == NULL) {
		gw_api_reply_error(r, &e);
		return;
	}
	gw_api_reply_resource(r, 201, gw_api_sender_json(r->base_url, s, snd),
	    NULL);
}

void
gw_api_service_senders_list(struct gw_api_request *r)
{
	const struct gw_sender *snd;
	struct gw_service *s;
	char iso[3], filters[32] = "";
	json_t *all;

	if ((s = gw_api_service(r)) == NULL ||
	    (r->arg == GW_API_DESTINATION_ALPHA_SENDERS &&
	    gw_api_iso_param(r, &r->query, iso) == -1))
		return;
	if (r->arg != GW_API_DESTINATION_ALPHA_SENDERS)
		iso[0] = '\0';
	if (iso[0] != '\0')
		snprintf(filters, sizeof(filters), "IsoCountryCode=%s&", iso);
	all = json_array();
	TAILQ_FOREACH(snd, &s->senders, entry)
		if (gw_api_sender_listed(r, snd) && (iso[0] == '\0' ||
		    strcmp(snd->iso_country_code, iso) == 0))
			json_array_append_new(all,
			    gw_api_sender_json(r->base_url, s, snd));
	gw_api_v1_slice(r, gw_api_sender_lists[r->arg].key, all,
	    r->arg == GW_API_SHORT_CODES ? "SC" : r->arg ==
	    GW_API_PHONE_NUMBERS ? "PN" : "AI", filters);
}

/* The path's member (sids[1]) of the route's list, or NULL after
 * answering 404. */
static struct gw_sender *
gw_api_sender(struct gw_api_request *r, struct gw_service **sp)
{
	struct gw_sender *snd;

	if ((*sp = gw_api_service(r)) == NULL)
		return NULL;
	snd = gw_service_sender_find(*sp, r->sids[1]);
	if (snd == NULL || !gw_api_sender_listed(r, snd)) {
		gw_api_fail(r, 20404, "The requested resource %s was not found",
		    r->path);
		return NULL;
	}
	return snd;
}

void
gw_api_service_senders_fetch(struct gw_api_request *r)
{
	struct gw_service *s;
	struct gw_sender *snd;

	if ((snd = gw_api_sender(r, &s)) != NULL)
		gw_api_reply_resource(r, 200,
		    gw_api_sender_json(r->base_url, s, snd), NULL);
}

void
gw_api_service_senders_delete(struct gw_api_request *r)
{
	struct gw_service *s;
	struct gw_sender *snd;

	if ((snd = gw_api_sender(r, &s)) == NULL)
		return;
	gw_services_remove_sender(r->gw->services, s, snd);
	gw_api_reply_empty(r, 204);
}
