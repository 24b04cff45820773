/*
 * Short links the gateway makes and serves (twilio-api.md §7.5, §9.4):
 *  - Link Shortening: with ShortenUrls=true and a service that has a
 *    domain (Domain Config + Certificate + MessagingServices association
 *    of the v1 LinkShortening API), every http(s) link of a body becomes
 *    https://DOMAIN/ + ten alphanumeric characters, unique per link,
 *    message and recipient, never reused; kept 90 days on the clock, then
 *    the domain's fallback URL; each click posts a click event to the
 *    domain's callback URL (retried like status callbacks).
 *  - MMS Converter: a media URL becomes BASE/m/ + seven characters,
 *    kept 365 days.
 * Redirects are served on the gateway's listener: by Host (the
 * registered domain) or, for local testing, by path (/l/{code} for
 * shortened links, /m/{code} for media links). Links, domains and
 * configs are persisted in the store's objects ("link_domain": key the
 * DN sid; "link" and "media_link": key the code, parent the message).
 *
 * A domain exists when the scenario declares it (link_domains) or when
 * a Domain Config or a Certificate is posted for a DN sid the account
 * has not used yet; it can shorten once it has a name (the scenario's,
 * or the certificate's CN), a config and services associated.
 */
#ifndef CARRIERLAB_GATEWAY_LINKS_H
#define CARRIERLAB_GATEWAY_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct evhttp_request;
struct gateway;
struct gw_error;
struct gw_links;
struct gw_message;

#define GW_LINK_SHORT_CODE_LEN	10	/* shortened links */
#define GW_LINK_MEDIA_CODE_LEN	7	/* MMS converter */
#define GW_LINK_SHORT_TTL	(90LL * 86400 * 1000000)	/* usec */
#define GW_LINK_MEDIA_TTL	(365LL * 86400 * 1000000)

struct gw_links *gw_links_open(struct gateway *, char *err, size_t errlen);
void		 gw_links_free(struct gw_links *);

/*
 * ShortenUrls: rewrites m->body (gw_message_set_body) with every http(s)
 * link of it shortened on the domain of m's service. Returns 0 (also
 * when nothing was to shorten, or the shortener is in outage: then the
 * original links stay, logged), or -1 with e: 20429 over ten shortening
 * requests (messages with links) a second for the account, 30101 when m
 * has no service or its service no usable domain (a name and a config),
 * 30103 when no unused code could be drawn. Called before segments are
 * counted; m->sid, to, account and service are set (from when known).
 */
int		 gw_links_shorten(struct gw_links *, struct gw_message *m,
		    struct gw_error *e);

/*
 * MMS Converter: a link to media_url for m's recipient, kept 365 days,
 * written into out ("http://127.0.0.1:8080/m/Ab3dE7x"). base_url is the
 * gateway's public URL (gw->public_url). 0, or -1 when out is too small.
 */
int		 gw_links_media(struct gw_links *, const struct gw_message *m,
		    const char *media_url, char *out, size_t cap);

/* Serves a redirect (or its 404/fallback): 0 when the request was a
 * link's (answered), -1 when not (the caller goes on). */
int		 gw_links_http_handle(struct gw_links *,
		    struct evhttp_request *);

/* Outage switch: while on, gw_links_shorten leaves links alone. */
void		 gw_links_set_outage(struct gw_links *, int on);
int		 gw_links_outage(const struct gw_links *);

/* A click as a handset makes it (gateway_links_click in gateway.h). */
json_t		*gw_links_click(struct gw_links *, const char *code,
		    const char *user_agent);

#endif
