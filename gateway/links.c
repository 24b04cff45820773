/*
 * The registry of Link Shortening domains: the store's rows first, then
 * the scenario's declarations (link_domains). A declared domain whose
 * declaration hashes as its row says is left as the store has it (what
 * the API changed survives a restart); a new or changed declaration is
 * written over it: name, config and services. A domain's row keeps its
 * config, certificate and services in one JSON body.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/links-internal.h"
#include "gateway/services.h"
#include "gateway/store.h"

struct gw_link_domain *
gw_links_domain_find(struct gw_links *links, const char *account_sid,
    const char *sid)
{
	struct gw_link_domain *d;

	TAILQ_FOREACH(d, &links->domains, entry)
		if (strcmp(d->sid, sid) == 0 && (account_sid == NULL ||
		    strcmp(d->account_sid, account_sid) == 0))
			return d;
	return NULL;
}

struct gw_link_domain *
gw_links_domain_by_name(struct gw_links *links, const char *host)
{
	struct gw_link_domain *d;

	TAILQ_FOREACH(d, &links->domains, entry)
		if (d->domain[0] != '\0' && strcasecmp(d->domain, host) == 0)
			return d;
	return NULL;
}

struct gw_link_domain *
gw_links_domain_of_service(struct gw_links *links, const char *service_sid)
{
	struct gw_link_domain *d;
	size_t i;

	TAILQ_FOREACH(d, &links->domains, entry)
		for (i = 0; i < d->nservices; i++)
			if (strcmp(d->services[i], service_sid) == 0)
				return d;
	return NULL;
}

struct gw_link_domain *
gw_links_domain_add(struct gw_links *links, const char *account_sid,
    const char *sid)
{
	struct gw_link_domain *d = xcalloc(1, sizeof *d);

	strlcpy(d->sid, sid, sizeof d->sid);
	strlcpy(d->account_sid, account_sid, sizeof d->account_sid);
	d->created = clock_now(links->gw->clock);
	TAILQ_INSERT_TAIL(&links->domains, d, entry);
	return d;
}

int
gw_links_host_valid(const char *h)
{
	size_t len = strlen(h);

	return len > 0 && len < GATEWAY_DOMAIN_MAX && strchr(h, '.') != NULL &&
	    h[0] != '.' && h[0] != '-' && h[len - 1] != '.' &&
	    h[strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")] == '\0';
}

static void
gw_links_service_remove(struct gw_link_domain *d, size_t i)
{
	memmove(&d->services[i], &d->services[i + 1],
	    (d->nservices - i - 1) * sizeof d->services[0]);
	d->nservices--;
}

int
gw_links_domain_dissociate(struct gw_links *links, struct gw_link_domain *d,
    const char *service_sid)
{
	size_t i;

	for (i = 0; i < d->nservices; i++)
		if (strcmp(d->services[i], service_sid) == 0) {
			gw_links_service_remove(d, i);
			gw_links_domain_save(links, d);
			return 0;
		}
	return -1;
}

static void
gw_links_service_push(struct gw_link_domain *d, const char *service_sid)
{
	d->services = xreallocarray(d->services, d->nservices + 1,
	    sizeof d->services[0]);
	strlcpy(d->services[d->nservices++], service_sid,
	    sizeof d->services[0]);
}

int
gw_links_domain_associate(struct gw_links *links, struct gw_link_domain *d,
    const char *service_sid)
{
	struct gw_link_domain *old;

	if ((old = gw_links_domain_of_service(links, service_sid)) == d)
		return 0;
	if (old != NULL)
		return -1;
	gw_links_service_push(d, service_sid);
	gw_links_domain_save(links, d);
	return 0;
}

/* The row's body. */
static json_t *
gw_links_domain_json(const struct gw_link_domain *d)
{
	json_t *services = json_array();
	char decl[24];
	size_t i;

	for (i = 0; i < d->nservices; i++)
		json_array_append_new(services, json_string(d->services[i]));
	snprintf(decl, sizeof decl, "%016llx",
	    (unsigned long long)d->declaration);
	return json_pack("{s:s, s:s, s:I, s:b, s:s, s:s, s:s, s:b, s:b, s:I, "
	    "s:I, s:b, s:b, s:s, s:I, s:I, s:I, s:o}",
	    "domain", d->domain, "declaration", decl, "created",
	    (json_int_t)d->created, "has_config", d->has_config,
	    "config_sid", d->config_sid, "fallback_url", d->fallback_url,
	    "callback_url", d->callback_url, "continue_on_failure",
	    d->continue_on_failure, "disable_https", d->disable_https,
	    "config_created", (json_int_t)d->config_created,
	    "config_updated", (json_int_t)d->config_updated,
	    "has_cert", d->has_cert, "managed", d->managed,
	    "cert_sid", d->cert_sid, "cert_expires",
	    (json_int_t)d->cert_expires, "cert_created",
	    (json_int_t)d->cert_created, "cert_updated",
	    (json_int_t)d->cert_updated, "services", services);
}

void
gw_links_domain_save(struct gw_links *links, const struct gw_link_domain *d)
{
	json_t *o = gw_links_domain_json(d);
	char *body;

	if (o == NULL) {
		log_warnx("links domain=%s not-saved reason=\"not UTF-8\"",
		    d->sid);
		return;
	}
	body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	gw_store_put_object(links->gw->store, GW_LINK_OBJ_DOMAIN, d->sid,
	    d->account_sid, NULL, d->created, body);
	free(body);
	json_decref(o);
}

static void
gw_links_json_str(json_t *o, const char *key, char *out, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));

	strlcpy(out, v != NULL ? v : "", size);
}

/* A row read back at start. */
static void
gw_links_domain_row(const struct gw_object_row *row, void *arg)
{
	struct gw_links *links = arg;
	struct gw_link_domain *d;
	json_t *o = json_loads(row->body, 0, NULL), *svc, *v;
	char decl[24];
	size_t i;

	if (o == NULL || !json_is_object(o) || !gw_sid_valid(row->key, "DN")) {
		log_warnx("links domain=%s row-unreadable (skipped)", row->key);
		json_decref(o);
		return;
	}
	d = gw_links_domain_add(links, row->account_sid, row->key);
	d->created = row->created;
	gw_links_json_str(o, "domain", d->domain, sizeof d->domain);
	gw_links_json_str(o, "declaration", decl, sizeof decl);
	d->declaration = strtoull(decl, NULL, 16);
	d->has_config = json_is_true(json_object_get(o, "has_config"));
	gw_links_json_str(o, "config_sid", d->config_sid,
	    sizeof d->config_sid);
	gw_links_json_str(o, "fallback_url", d->fallback_url,
	    sizeof d->fallback_url);
	gw_links_json_str(o, "callback_url", d->callback_url,
	    sizeof d->callback_url);
	d->continue_on_failure = json_is_true(json_object_get(o,
	    "continue_on_failure"));
	d->disable_https = json_is_true(json_object_get(o, "disable_https"));
	d->config_created = json_integer_value(json_object_get(o,
	    "config_created"));
	d->config_updated = json_integer_value(json_object_get(o,
	    "config_updated"));
	d->has_cert = json_is_true(json_object_get(o, "has_cert"));
	d->managed = json_is_true(json_object_get(o, "managed"));
	gw_links_json_str(o, "cert_sid", d->cert_sid, sizeof d->cert_sid);
	d->cert_expires = json_integer_value(json_object_get(o,
	    "cert_expires"));
	d->cert_created = json_integer_value(json_object_get(o,
	    "cert_created"));
	d->cert_updated = json_integer_value(json_object_get(o,
	    "cert_updated"));
	svc = json_object_get(o, "services");
	json_array_foreach(svc, i, v)
		if (json_is_string(v) && gw_sid_valid(json_string_value(v),
		    "MG"))
			gw_links_service_push(d, json_string_value(v));
	json_decref(o);
}

/* A nonzero hash of everything a declaration says. */
static uint64_t
gw_links_declaration_hash(const struct gateway_link_domain *decl)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	json_t *services = json_array(), *o;
	uint64_t h = 0;
	char *text;
	size_t i;

	for (i = 0; i < decl->nservices; i++)
		json_array_append_new(services, json_string(decl->services[i]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:o}", "account",
	    decl->account_sid, "domain", decl->domain, "fallback_url",
	    decl->fallback_url, "callback_url", decl->callback_url,
	    "continue_on_failure", decl->continue_on_failure,
	    "disable_https", decl->disable_https, "services", services);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	SHA256((const unsigned char *)text, strlen(text), md);
	free(text);
	json_decref(o);
	for (i = 0; i < 8; i++)
		h = h << 8 | md[i];
	return h != 0 ? h : 1;
}

/* The account a declaration belongs to: its own, its first service's,
 * else the first account. */
static const char *
gw_links_declaration_account(struct gateway *gw,
    const struct gateway_link_domain *decl)
{
	struct gw_service *svc;

	if (decl->account_sid[0] != '\0')
		return decl->account_sid;
	if (decl->nservices > 0 &&
	    (svc = gw_service_find(gw, NULL, decl->services[0])) != NULL)
		return svc->account_sid;
	return gw->cfg.naccounts > 0 ? gw->cfg.accounts[0].sid : "";
}

/* Checks a declaration against the accounts, services and names. */
static int
gw_links_declaration_check(struct gw_links *links,
    const struct gateway_link_domain *decl, const char *account, char *err,
    size_t errlen)
{
	struct gw_link_domain *other;
	struct gw_service *svc;
	size_t i;

	if (gw_account_find(links->gw, account) == NULL) {
		snprintf(err, errlen, "link domain %s: no account %s", decl->sid,
		    account[0] != '\0' ? account : "(none declared)");
		return -1;
	}
	if (!gw_links_host_valid(decl->domain)) {
		snprintf(err, errlen, "link domain %s: \"%s\" is not a host "
		    "name", decl->sid, decl->domain);
		return -1;
	}
	other = gw_links_domain_by_name(links, decl->domain);
	if (other != NULL && strcmp(other->sid, decl->sid) != 0) {
		snprintf(err, errlen, "link domain %s: %s is the name of %s "
		    "already", decl->sid, decl->domain, other->sid);
		return -1;
	}
	for (i = 0; i < decl->nservices; i++) {
		svc = gw_service_find(links->gw, account, decl->services[i]);
		if (svc == NULL) {
			snprintf(err, errlen, "link domain %s: %s is no service "
			    "of account %s", decl->sid, decl->services[i],
			    account);
			return -1;
		}
	}
	return 0;
}

/* Writes a new or changed declaration over the domain's state. */
static void
gw_links_declaration_apply(struct gw_links *links, struct gw_link_domain *d,
    const struct gateway_link_domain *decl, uint64_t hash)
{
	int64_t now = clock_now(links->gw->clock);
	struct gw_link_domain *old;
	size_t i;

	strlcpy(d->domain, decl->domain, sizeof d->domain);
	if (!d->has_config) {
		gw_sid_new(&links->gw->rng, "ZK", d->config_sid);
		d->config_created = now;
	}
	d->has_config = 1;
	d->config_updated = now;
	strlcpy(d->fallback_url, decl->fallback_url, sizeof d->fallback_url);
	strlcpy(d->callback_url, decl->callback_url, sizeof d->callback_url);
	d->continue_on_failure = decl->continue_on_failure;
	d->disable_https = decl->disable_https;
	d->nservices = 0;
	for (i = 0; i < decl->nservices; i++) {
		/* The declaration wins over an association made since. */
		if ((old = gw_links_domain_of_service(links,
		    decl->services[i])) != NULL && old != d)
			gw_links_domain_dissociate(links, old,
			    decl->services[i]);
		gw_links_domain_associate(links, d, decl->services[i]);
	}
	d->declaration = hash;
	gw_links_domain_save(links, d);
	log_info("links domain=%s declared name=%s services=%zu", d->sid,
	    d->domain, d->nservices);
}

static int
gw_links_declare(struct gw_links *links,
    const struct gateway_link_domain *decl, char *err, size_t errlen)
{
	const char *account = gw_links_declaration_account(links->gw, decl);
	uint64_t hash = gw_links_declaration_hash(decl);
	struct gw_link_domain *d;

	/* Unchanged: the store's state stands, even a service of it
	 * deleted through the API since. */
	if ((d = gw_links_domain_find(links, NULL, decl->sid)) != NULL &&
	    d->declaration == hash && strcmp(d->account_sid, account) == 0)
		return 0;
	if (gw_links_declaration_check(links, decl, account, err,
	    errlen) == -1)
		return -1;
	if (d != NULL && strcmp(d->account_sid, account) != 0) {
		snprintf(err, errlen, "link domain %s: the store has it for "
		    "account %s", decl->sid, d->account_sid);
		return -1;
	}
	if (d == NULL)
		d = gw_links_domain_add(links, account, decl->sid);
	gw_links_declaration_apply(links, d, decl, hash);
	return 0;
}

struct gw_links *
gw_links_open(struct gateway *gw, char *err, size_t errlen)
{
	struct gw_links *links = xcalloc(1, sizeof *links);
	size_t i;

	rng_fork(&links->rng, &gw->rng, 0x6c696e6b73ULL);	/* "links" */
	links->gw = gw;
	TAILQ_INIT(&links->domains);
	TAILQ_INIT(&links->rates);
	links->outage = gw->cfg.link_shortener_outage;
	if (gw_store_load_objects(gw->store, GW_LINK_OBJ_DOMAIN,
	    gw_links_domain_row, links) == -1) {
		snprintf(err, errlen, "link domains: %s",
		    gw_store_error(gw->store));
		gw_links_free(links);
		return NULL;
	}
	for (i = 0; i < gw->cfg.nlink_domains; i++)
		if (gw_links_declare(links, &gw->cfg.link_domains[i], err,
		    errlen) == -1) {
			gw_links_free(links);
			return NULL;
		}
	return links;
}

void
gw_links_free(struct gw_links *links)
{
	struct gw_link_domain *d;
	struct gw_link_rate *r;

	if (links == NULL)
		return;
	/* Click events waiting for their batch go to the webhooks now,
	 * while both exist. */
	if (links->gw->store != NULL && gw_store_pending(links->gw->store) > 0)
		gw_store_commit(links->gw->store);
	while ((d = TAILQ_FIRST(&links->domains)) != NULL) {
		TAILQ_REMOVE(&links->domains, d, entry);
		free(d->services);
		free(d);
	}
	while ((r = TAILQ_FIRST(&links->rates)) != NULL) {
		TAILQ_REMOVE(&links->rates, r, entry);
		free(r);
	}
	free(links);
}

void
gw_links_set_outage(struct gw_links *links, int on)
{
	links->outage = on != 0;
	log_info("links shortener outage=%s", links->outage ? "on" : "off");
}

int
gw_links_outage(const struct gw_links *links)
{
	return links->outage;
}
