/*
 * The scenario keys of Link Shortening (gateway/links.h): the domains a
 * scenario declares, each with its name, its Domain Config and the
 * services that shorten on it. The shortener's outage switch is a row of
 * the gateway keys (scenario-keys.c). What the gateway checks against
 * the running services (the services exist, belong to the account) it
 * checks at start: gw_links_open().
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/names.h"
#include "scenarios/scenario-internal.h"

#define GL(f)		offsetof(struct gateway_link_domain, f)
#define GLSIZE(f)	sizeof(((struct gateway_link_domain *)0)->f)

static const char *const dn_prefix[] = { "DN", NULL };
static const char *const ac_prefix[] = { "AC", NULL };

/* A service of a domain: an MG sid. */
static int
scn_link_service_check(struct scn_ctx *c, const struct scn_key *k,
    json_t *v, void *item)
{
	(void)k;
	(void)v;
	if (!gw_sid_valid(item, "MG"))
		return scn_fail(c, "\"%.40s\" is not a Messaging Service sid (MG "
		    "and 32 hex digits)", (const char *)item);
	return 0;
}

/* The name is a host name: letters, digits, '-' and dots. */
int
scn_link_domain_check(struct scn_ctx *c, const struct scn_key *k,
    json_t *v, void *item)
{
	const struct gateway_link_domain *d = item;
	size_t len = strlen(d->domain);

	(void)k;
	(void)v;
	if (strchr(d->domain, '.') == NULL || d->domain[0] == '.' ||
	    d->domain[0] == '-' || d->domain[len - 1] == '.' ||
	    d->domain[strspn(d->domain, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")] != '\0')
		return scn_fail(c, "domain \"%.60s\" is not a host name "
		    "(\"links.example.com\")", d->domain);
	return 0;
}

/* What an item starts as: no account, no URLs, https, no services. */
const struct gateway_link_domain scn_link_domain_default = { .nservices = 0 };

const struct scn_key scn_link_domain_keys[] = {
	{ .name = "sid", .type = &scn_type_sid, .off = GL(sid),
	  .choices = dn_prefix, .flags = SCN_REQUIRED,
	  .range = "DN and 32 hex digits, unique",
	  .help = "The domain's sid: DomainSid of the LinkShortening API" },
	{ .name = "account", .type = &scn_type_sid, .off = GL(account_sid),
	  .choices = ac_prefix, .range = "a sid of accounts",
	  .help = "The owner; none: the first service's account, else the "
	  "first account" },
	{ .name = "domain", .type = &scn_type_string, .off = GL(domain),
	  .size = GLSIZE(domain), .min = 3, .flags = SCN_REQUIRED,
	  .range = "a host name, unique",
	  .help = "Shortened links are https://DOMAIN/CODE; requests with "
	  "this Host are redirected" },
	{ .name = "fallback_url", .type = &scn_type_url,
	  .off = GL(fallback_url), .size = GLSIZE(fallback_url),
	  .range = "http(s) URL",
	  .help = "Where expired and unknown links of the domain go; none: "
	  "404" },
	{ .name = "callback_url", .type = &scn_type_url,
	  .off = GL(callback_url), .size = GLSIZE(callback_url),
	  .range = "http(s) URL",
	  .help = "Receives a click event (POST) for every click" },
	{ .name = "continue_on_failure", .type = &scn_type_bool,
	  .off = GL(continue_on_failure),
	  .help = "As the Domain Config shows it" },
	{ .name = "disable_https", .type = &scn_type_bool,
	  .off = GL(disable_https),
	  .help = "Shortened links start with http:// instead of https://" },
	{ .name = "services", .type = &scn_type_strings, .off = GL(services),
	  .count_off = GL(nservices), .size = GATEWAY_SID_SIZE, .max = 1000,
	  .item_check = scn_link_service_check,
	  .range = "MG sids of services, each on one domain",
	  .help = "The Messaging Services that shorten links on this domain" },
	{ .name = NULL },
};


void
scn_link_domains_release(struct gateway_config *g)
{
	size_t i;

	for (i = 0; i < g->nlink_domains; i++)
		free(g->link_domains[i].services);
	free(g->link_domains);
	g->link_domains = NULL;
	g->nlink_domains = 0;
}
