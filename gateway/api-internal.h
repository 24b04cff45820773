/*
 * What the api*.c files share and nothing else touches: the request being
 * served, the form parser, the replies and the resource renderers.
 *
 *   api.c           routing table, authentication, limits, replies
 *   api-form.c      form and query parsing, value checks, URL checks
 *   api-messages.c  Messages: create, list, fetch, update, delete
 *   api-media.c     a message's Media
 *   api-numbers.c   the Account, IncomingPhoneNumbers, SMS/ShortCodes
 *   api-services.c  Messaging v1 Services and their pools, v1 paging
 *   api-alerts.c    Monitor v1 Alerts
 *   api-links.c     Messaging v1 LinkShortening (gateway/links.h)
 *   api-render.c    resource JSON, the XML of the 2010 API, error bodies
 */
#ifndef CARRIERLAB_GATEWAY_API_INTERNAL_H
#define CARRIERLAB_GATEWAY_API_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gateway/gateway-internal.h"

struct evbuffer;
struct evhttp_request;
struct gw_alert;
struct gw_sender;
struct gw_service;

#define GW_API_URL_MAX		8192	/* longer request URLs: 414 */
#define GW_API_BODY_DEFAULT	(1024 * 1024)	/* cfg.max_body 0 */
#define GW_FORM_MAX_PAIRS	1000	/* parameters per form or query */
#define GW_API_PAGE_SIZE	50	/* PageSize default */
#define GW_API_PAGE_SIZE_MAX	1000
#define GW_API_BODY_CHARS	1600	/* Body limit, code points */
#define GW_API_PATH_SIDS	4	/* sids captured from a path */

/* The 2010 API answers JSON for ".json", XML otherwise; v1 is JSON. */
enum gw_api_format {
	GW_API_JSON,
	GW_API_XML,
};

/* Decoded form or query parameters, in order, keys may repeat. */
struct gw_form_pair {
	char		*key;
	char		*value;
};

struct gw_form {
	struct gw_form_pair *pairs;
	size_t		 npairs;
	char		*text;		/* the pairs' strings, one allocation */
};

/* One request while its handler runs (on the stack of gw_api_handle). */
struct gw_api_request {
	struct gateway	*gw;
	struct evhttp_request *req;
	int		 method;		/* EVHTTP_REQ_* */
	enum gw_api_format format;
	const char	*path;			/* as sent, no query */
	const struct gateway_account *account;	/* authenticated */
	/* The path's sids in order ({AC}, {SM}, ...). */
	char		 sids[GW_API_PATH_SIDS][GATEWAY_SID_SIZE];
	size_t		 nsids;
	struct gw_form	 query;
	struct gw_form	 form;			/* POST body */
	int		 arg;			/* the route's arg */
	char		 base_url[300];		/* v1 absolute URLs */
};

typedef void	(*gw_api_handler)(struct gw_api_request *);

/* The arg of the pool's sub-resource routes. */
enum gw_api_sender_list {
	GW_API_PHONE_NUMBERS,
	GW_API_SHORT_CODES,
	GW_API_ALPHA_SENDERS,
	GW_API_DESTINATION_ALPHA_SENDERS,
};

/* api-form.c */
/* WHATWG application/x-www-form-urlencoded: '+' is a space, bad %-escapes
 * stay literal, bytes that are not UTF-8 (and NUL) become U+FFFD. -1 when
 * there are more than GW_FORM_MAX_PAIRS pairs (nothing to free then). */
int		 gw_form_parse(struct gw_form *, const char *s, size_t len);
void		 gw_form_free(struct gw_form *);
/* The first value of key, or NULL. */
const char	*gw_form_get(const struct gw_form *, const char *key);
/* Every value of key in order: fills up to cap, returns the count. */
size_t		 gw_form_all(const struct gw_form *, const char *key,
		    const char **out, size_t cap);
/* "true"/"false" in any case: 0, or -1. */
int		 gw_form_bool(const char *v, int *out);
/* Decimal digits only, min..max: 0, or -1. */
int		 gw_form_ulong(const char *v, unsigned long min,
		    unsigned long max, unsigned long *out);
/* "http(s)://[user@]host[:port][/...]" with a host of letters, digits,
 * '-' and '.' (and '_' when underscore_ok), nothing blank: 1, else 0. */
int		 gw_url_http(const char *url, int underscore_ok);
/* Percent-encodes s for a query component (unreserved kept). */
void		 gw_uri_encode(struct evbuffer *, const char *s);
/* Dates of list filters: gw_date_parse's forms and "MM/DD/YYYY[ hh:mm:ss
 * ZONE]" with US zone names. 0 or -1. */
int		 gw_api_date_parse(const char *s, int64_t *usec);

/* api.c: replies. Each counts the request (and an error) in metrics. */
void		 gw_api_reply_error(struct gw_api_request *,
		    const struct gw_error *);
/* code with the table's text, or fmt... */
void		 gw_api_fail(struct gw_api_request *, int code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* body is consumed. element names the XML of a resource ("Message"). */
void		 gw_api_reply_resource(struct gw_api_request *, int status,
		    json_t *body, const char *element);
/* A 2010 list: key ("messages") holds the items; XML as
 * <list_element ...><item_element>. body is consumed. */
void		 gw_api_reply_list(struct gw_api_request *, json_t *body,
		    const char *key, const char *list_element,
		    const char *item_element);
void		 gw_api_reply_empty(struct gw_api_request *, int status);
/* The same, for a reply after the handler returned. */
void		 gw_api_send_error(struct evhttp_request *, enum gw_api_format,
		    const struct gw_error *);
void		 gw_api_send_resource(struct evhttp_request *,
		    enum gw_api_format, int status, json_t *body,
		    const char *element);
/* A message resource (as XML, or the JSON written straight into the
 * response); gw_api_reply_message is the handler's. */
void		 gw_api_send_message(struct gateway *, struct evhttp_request *,
		    enum gw_api_format, int status, const struct gw_message *);
void		 gw_api_reply_message(struct gw_api_request *, int status,
		    const struct gw_message *);

/* Paging of lists kept in the configuration (numbers, services): Page
 * and PageSize; 0, or -1 after answering the error. */
int		 gw_api_page_parse(struct gw_api_request *, unsigned *page,
		    unsigned *page_size);
/* Where a 2010 list page sits and how to reach its neighbours. */
struct gw_api_page {
	unsigned	 page;			/* Page, as the client sent it */
	unsigned	 page_size;
	size_t		 n;			/* items on this page */
	const char	*filters;		/* encoded "To=...&" or "" */
	const char	*token;			/* this page's PageToken, NULL */
	int		 has_next;
	int		 has_prev;
	const char	*next_token;		/* NULL: paging by Page only */
	const char	*prev_token;
};
/* base + path + "?" + filters + PageSize, Page and PageToken (when
 * token is not NULL): a 2010 page URI (base "") or a v1 page URL. */
json_t		*gw_api_page_link(const char *base, const char *path,
		    const struct gw_api_page *pg, unsigned page,
		    const char *token);

/* The body of a 2010 list: items under key, and end, first_page_uri,
 * next_page_uri, page, page_size, previous_page_uri, start and uri, all
 * in Twilio's (alphabetical) order. items is consumed. */
json_t		*gw_api_list_body(const char *path, const char *key,
		    json_t *items, const struct gw_api_page *);

/* Handlers (one per route). */
void		 gw_api_account_fetch(struct gw_api_request *);
void		 gw_api_messages_create(struct gw_api_request *);
void		 gw_api_messages_list(struct gw_api_request *);
/* The path's message (sids[1]) of the account: 1 with *m (the caller
 * frees it), or 0 after answering 404 or 500. */
int		 gw_api_message_get(struct gw_api_request *, struct gw_message **m);
void		 gw_api_messages_fetch(struct gw_api_request *);
void		 gw_api_messages_update(struct gw_api_request *);
void		 gw_api_messages_delete(struct gw_api_request *);
void		 gw_api_media_list(struct gw_api_request *);
void		 gw_api_media_fetch(struct gw_api_request *);
void		 gw_api_media_delete(struct gw_api_request *);
void		 gw_api_numbers_list(struct gw_api_request *);
void		 gw_api_numbers_fetch(struct gw_api_request *);
void		 gw_api_short_codes_list(struct gw_api_request *);
void		 gw_api_short_codes_fetch(struct gw_api_request *);
void		 gw_api_services_create(struct gw_api_request *);
void		 gw_api_services_list(struct gw_api_request *);
void		 gw_api_services_fetch(struct gw_api_request *);
void		 gw_api_services_update(struct gw_api_request *);
void		 gw_api_services_delete(struct gw_api_request *);
void		 gw_api_service_senders_create(struct gw_api_request *);
void		 gw_api_service_senders_list(struct gw_api_request *);
void		 gw_api_service_senders_fetch(struct gw_api_request *);
void		 gw_api_service_senders_delete(struct gw_api_request *);
void		 gw_api_alerts_list(struct gw_api_request *);
void		 gw_api_alerts_fetch(struct gw_api_request *);
void		 gw_api_links_config_fetch(struct gw_api_request *);
void		 gw_api_links_config_update(struct gw_api_request *);
void		 gw_api_links_cert_fetch(struct gw_api_request *);
void		 gw_api_links_cert_update(struct gw_api_request *);
void		 gw_api_links_cert_delete(struct gw_api_request *);
void		 gw_api_links_managed_cert(struct gw_api_request *);
void		 gw_api_links_validate_dns(struct gw_api_request *);
void		 gw_api_links_service_add(struct gw_api_request *);
void		 gw_api_links_service_remove(struct gw_api_request *);
void		 gw_api_links_service_fetch_domain(struct gw_api_request *);
void		 gw_api_links_service_fetch_config(struct gw_api_request *);

/* api-services.c: v1 lists. The body {key: items, "meta": {page,
 * page_size, first_page_url, previous_page_url, url, next_page_url,
 * key}} with absolute URLs carrying pg's filters and tokens; items is
 * consumed. */
void		 gw_api_v1_reply_list(struct gw_api_request *, const char *key,
		    json_t *items, const struct gw_api_page *pg);
/* The query's PageToken ("PA" or "PB" + a sid of prefix): 0 with
 * *token (NULL: none), or -1 after answering 20001. */
int		 gw_api_v1_token(struct gw_api_request *, const char *prefix,
		    const char **token, int *backward);

/* api-render.c */
/* "ME" + the first 32 hex digits of SHA-256("<message sid>/<index>"). */
void		 gw_api_media_sid(const char *message_sid, size_t index,
		    char out[GATEWAY_SID_SIZE]);
const char	*gw_api_media_type(const char *url);
json_t		*gw_api_media_json(const struct gw_message *, size_t index);
json_t		*gw_api_account_json(const struct gateway_account *);
json_t		*gw_api_number_json(const struct gateway_number *);
json_t		*gw_api_short_code_json(const struct gateway_number *);
json_t		*gw_api_service_json(const char *base_url,
		    const struct gw_service *);
/* A v1 PhoneNumber, ShortCode, AlphaSender or DestinationAlphaSender
 * of a service, and the path segment of its list. */
json_t		*gw_api_sender_json(const char *base_url,
		    const struct gw_service *, const struct gw_sender *);
const char	*gw_api_sender_path(const struct gw_sender *);
/* A Monitor Alert; full: with the request and response fields that
 * only a fetch shows. */
json_t		*gw_api_alert_json(const char *base_url,
		    const struct gw_alert *, int full);
json_t		*gw_api_error_json(const struct gw_error *);
/* <TwilioResponse><element>...</element></TwilioResponse>. */
void		 gw_api_xml_resource(struct evbuffer *, const json_t *,
		    const char *element);
/* A 2010 list: the paging fields as attributes, each item an element. */
void		 gw_api_xml_list(struct evbuffer *, const json_t *,
		    const char *key, const char *list_element,
		    const char *item_element);
void		 gw_api_xml_error(struct evbuffer *, const struct gw_error *);

/* api-render.c: an ISO 8601 date, 0 as JSON null; a string, "" (or
 * NULL) as JSON null. */
json_t		*gw_json_iso(int64_t usec);
json_t		*gw_json_str(const char *s);

#endif
