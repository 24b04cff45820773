/*
 * /v1/LinkShortening (twilio-api.md §7.5): a domain's Config and
 * Certificate, RequestManagedCert, ValidateDns, the association of
 * Messaging Services, and a service's Domain and DomainConfig.
 *
 * A domain (DN) is the account's once the scenario declares it for the
 * account or once the account posts a Config or a Certificate for a DN
 * sid nobody has used; other accounts see 20404. Values are checked
 * whole before anything changes: a request with one bad value changes
 * nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/api-internal.h"
#include "gateway/links-internal.h"

#define GW_LS	"/v1/LinkShortening"

static json_t *
gw_api_links_url(const struct gw_api_request *r, const char *fmt,
    const char *sid, const char *tail)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s" GW_LS "%s%s%s", r->base_url, fmt, sid,
	    tail);
	return json_string(buf);
}

static json_t *
gw_api_links_config_json(const struct gw_api_request *r,
    const struct gw_link_domain *d, const char *service_sid)
{
	json_t *o = json_object();

	json_object_set_new(o, "domain_sid", json_string(d->sid));
	json_object_set_new(o, "config_sid", json_string(d->config_sid));
	if (service_sid != NULL)
		json_object_set_new(o, "messaging_service_sid",
		    json_string(service_sid));
	json_object_set_new(o, "fallback_url",
	    gw_json_str(d->fallback_url));
	json_object_set_new(o, "callback_url",
	    gw_json_str(d->callback_url));
	json_object_set_new(o, "continue_on_failure",
	    json_boolean(d->continue_on_failure));
	json_object_set_new(o, "disable_https",
	    json_boolean(d->disable_https));
	json_object_set_new(o, "date_created",
	    gw_json_iso(d->config_created));
	json_object_set_new(o, "date_updated",
	    gw_json_iso(d->config_updated));
	json_object_set_new(o, "url", service_sid != NULL ?
	    gw_api_links_url(r, "/MessagingService/", service_sid,
	    "/DomainConfig") :
	    gw_api_links_url(r, "/Domains/", d->sid, "/Config"));
	return o;
}

static json_t *
gw_api_links_cert_json(const struct gw_api_request *r,
    const struct gw_link_domain *d, int managed_fields)
{
	json_t *o = json_object();

	json_object_set_new(o, "certificate_sid", json_string(d->cert_sid));
	json_object_set_new(o, "domain_name", gw_json_str(d->domain));
	json_object_set_new(o, "domain_sid", json_string(d->sid));
	json_object_set_new(o, "date_expires",
	    gw_json_iso(d->cert_expires));
	json_object_set_new(o, "date_created",
	    gw_json_iso(d->cert_created));
	json_object_set_new(o, "date_updated",
	    gw_json_iso(d->cert_updated));
	json_object_set_new(o, "url", managed_fields ?
	    gw_api_links_url(r, "/Domains/", d->sid, "/RequestManagedCert") :
	    gw_api_links_url(r, "/Domains/", d->sid, "/Certificate"));
	if (managed_fields) {
		json_object_set_new(o, "managed", json_boolean(d->managed));
		/* Issued at once: never still requesting. */
		json_object_set_new(o, "requesting", json_false());
	} else
		/* Checked at upload: nothing is left in validation. */
		json_object_set_new(o, "cert_in_validation", json_null());
	return o;
}

static json_t *
gw_api_links_association_json(const struct gw_api_request *r,
    const struct gw_link_domain *d, const char *service_sid, int by_service)
{
	char tail[128];

	snprintf(tail, sizeof tail, "/MessagingServices/%s", service_sid);
	return json_pack("{s:s, s:s, s:o}", "domain_sid", d->sid,
	    "messaging_service_sid", service_sid, "url", by_service ?
	    gw_api_links_url(r, "/MessagingServices/", service_sid,
	    "/Domain") : gw_api_links_url(r, "/Domains/", d->sid, tail));
}

/* The path's domain of the account, or NULL after answering 20404. */
static struct gw_link_domain *
gw_api_links_domain(struct gw_api_request *r)
{
	struct gw_link_domain *d = gw_links_domain_find(r->gw->links,
	    r->account->sid, r->sids[0]);

	if (d == NULL)
		gw_api_fail(r, 20404, "The requested resource %s was not found",
		    r->path);
	return d;
}

/*
 * For a POST that may make the domain: 0 with *d the account's domain
 * (NULL when no account has the sid yet), or -1 after answering 20404
 * (another account's).
 */
static int
gw_api_links_domain_maybe(struct gw_api_request *r,
    struct gw_link_domain **d)
{
	*d = NULL;
	if (gw_links_domain_find(r->gw->links, NULL, r->sids[0]) == NULL)
		return 0;
	return (*d = gw_api_links_domain(r)) != NULL ? 0 : -1;
}

static struct gw_link_domain *
gw_api_links_domain_make(struct gw_api_request *r)
{
	log_info("api link-domain created domain=%s account=%s", r->sids[0],
	    r->account->sid);
	return gw_links_domain_add(r->gw->links, r->account->sid, r->sids[0]);
}

static int
gw_api_links_bad(struct gw_api_request *r, const char *name,
    const char *value, const char *why)
{
	gw_api_fail(r, 20001, "Invalid parameter %s: '%.64s' %s", name, value,
	    why);
	return -1;
}

static int
gw_api_links_param_url(struct gw_api_request *r, const char *name,
    char *out, size_t size)
{
	const char *v = gw_form_get(&r->form, name);

	if (v == NULL)
		return 0;
	if (v[0] != '\0' && (strlen(v) >= size || !gw_url_http(v, 1)))
		return gw_api_links_bad(r, name, v, "is not an http(s) URL");
	strlcpy(out, v, size);
	return 0;
}

static int
gw_api_links_param_bool(struct gw_api_request *r, const char *name,
    int *out)
{
	const char *v = gw_form_get(&r->form, name);

	if (v != NULL && gw_form_bool(v, out) == -1)
		return gw_api_links_bad(r, name, v, "is not true or false");
	return 0;
}

void
gw_api_links_config_fetch(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_domain(r)) == NULL)
		return;
	if (!d->has_config) {
		gw_api_fail(r, 20404, "The domain %s has no Config", d->sid);
		return;
	}
	gw_api_reply_resource(r, 200, gw_api_links_config_json(r, d, NULL),
	    NULL);
}

/* Config's parameters onto tmpl: 0, or -1 after answering. */
static int
gw_api_links_config_params(struct gw_api_request *r,
    struct gw_link_domain *tmpl)
{
	if (gw_api_links_param_url(r, "FallbackUrl", tmpl->fallback_url,
	    sizeof tmpl->fallback_url) == -1 ||
	    gw_api_links_param_url(r, "CallbackUrl", tmpl->callback_url,
	    sizeof tmpl->callback_url) == -1 ||
	    gw_api_links_param_bool(r, "ContinueOnFailure",
	    &tmpl->continue_on_failure) == -1 ||
	    gw_api_links_param_bool(r, "DisableHttps",
	    &tmpl->disable_https) == -1)
		return -1;
	return 0;
}

void
gw_api_links_config_update(struct gw_api_request *r)
{
	struct gw_link_domain *d, *tmpl;
	int64_t now = clock_now(r->gw->clock);
	int created;

	if (gw_api_links_domain_maybe(r, &d) == -1)
		return;
	/* The values on a copy first (two URLs: on the heap). */
	tmpl = xcalloc(1, sizeof *tmpl);
	if (d != NULL)
		memcpy(tmpl, d, sizeof *tmpl);
	if (gw_api_links_config_params(r, tmpl) == -1) {
		free(tmpl);
		return;
	}
	if (d == NULL)
		d = gw_api_links_domain_make(r);
	if ((created = !d->has_config)) {
		gw_sid_new(&r->gw->rng, "ZK", d->config_sid);
		d->config_created = now;
		d->has_config = 1;
	}
	strlcpy(d->fallback_url, tmpl->fallback_url, sizeof d->fallback_url);
	strlcpy(d->callback_url, tmpl->callback_url, sizeof d->callback_url);
	d->continue_on_failure = tmpl->continue_on_failure;
	d->disable_https = tmpl->disable_https;
	d->config_updated = now;
	free(tmpl);
	gw_links_domain_save(r->gw->links, d);
	log_info("api link-domain config domain=%s config=%s", d->sid,
	    d->config_sid);
	gw_api_reply_resource(r, created ? 201 : 200,
	    gw_api_links_config_json(r, d, NULL), NULL);
}

/* The path's domain when it has a Certificate; else answered (404). */
static struct gw_link_domain *
gw_api_links_cert_domain(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_domain(r)) == NULL)
		return NULL;
	if (!d->has_cert) {
		gw_api_fail(r, 20404, "The domain %s has no Certificate",
		    d->sid);
		return NULL;
	}
	return d;
}

void
gw_api_links_cert_fetch(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_cert_domain(r)) == NULL)
		return;
	gw_api_reply_resource(r, 200, gw_api_links_cert_json(r, d, 0), NULL);
}

/* The certificate's name against the domain's and the other domains':
 * 0, or -1 after answering 400. */
static int
gw_api_links_cert_name(struct gw_api_request *r,
    const struct gw_link_domain *d, const char *cn)
{
	struct gw_link_domain *other = gw_links_domain_by_name(r->gw->links,
	    cn);

	if (d != NULL && d->declaration != 0 &&
	    strcasecmp(d->domain, cn) != 0) {
		gw_api_fail(r, 400, "The certificate is for %s; the domain %s is "
		    "%s", cn, d->sid, d->domain);
		return -1;
	}
	if (other != NULL && other != d) {
		gw_api_fail(r, 400, "The domain name %s belongs to another "
		    "domain", cn);
		return -1;
	}
	return 0;
}

void
gw_api_links_cert_update(struct gw_api_request *r)
{
	const char *pem = gw_form_get(&r->form, "TlsCert");
	struct gw_link_domain *d = NULL;
	struct gw_link_cert cert;
	int64_t now = clock_now(r->gw->clock);
	char err[256];
	int created;

	if (gw_api_links_domain_maybe(r, &d) == -1)
		return;
	if (pem == NULL || pem[0] == '\0') {
		gw_api_fail(r, 400, "Missing required parameter TlsCert: a PEM "
		    "certificate and its PKCS#8 private key");
		return;
	}
	if (gw_link_cert_check(pem, &cert, err, sizeof err) == -1) {
		gw_api_fail(r, 400, "Invalid TlsCert: %s", err);
		return;
	}
	if (gw_api_links_cert_name(r, d, cert.common_name) == -1)
		return;
	if (d == NULL)
		d = gw_api_links_domain_make(r);
	if ((created = !d->has_cert)) {
		gw_sid_new(&r->gw->rng, "CW", d->cert_sid);
		d->cert_created = now;
		d->has_cert = 1;
	}
	d->managed = 0;
	d->cert_updated = now;
	d->cert_expires = cert.not_after;
	strlcpy(d->domain, cert.common_name, sizeof d->domain);
	gw_links_domain_save(r->gw->links, d);
	log_info("api link-domain certificate domain=%s name=%s", d->sid,
	    d->domain);
	gw_api_reply_resource(r, created ? 201 : 200,
	    gw_api_links_cert_json(r, d, 0), NULL);
}

void
gw_api_links_cert_delete(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_cert_domain(r)) == NULL)
		return;
	d->has_cert = d->managed = 0;
	d->cert_sid[0] = '\0';
	d->cert_expires = d->cert_created = d->cert_updated = 0;
	/* A declared name stays: the scenario said it. */
	if (d->declaration == 0)
		d->domain[0] = '\0';
	gw_links_domain_save(r->gw->links, d);
	gw_api_reply_empty(r, 204);
}

void
gw_api_links_managed_cert(struct gw_api_request *r)
{
	struct gw_link_domain *d;
	int64_t now = clock_now(r->gw->clock);

	if ((d = gw_api_links_domain(r)) == NULL)
		return;
	if (d->domain[0] == '\0') {
		gw_api_fail(r, 400, "The domain %s has no name: declare it in "
		    "the scenario or upload a Certificate", d->sid);
		return;
	}
	if (!d->has_cert) {
		gw_sid_new(&r->gw->rng, "CW", d->cert_sid);
		d->cert_created = now;
		d->has_cert = 1;
	}
	d->managed = 1;
	d->cert_updated = now;
	d->cert_expires = now + GW_LINK_CERT_TTL;
	gw_links_domain_save(r->gw->links, d);
	gw_api_reply_resource(r, 200, gw_api_links_cert_json(r, d, 1), NULL);
}

void
gw_api_links_validate_dns(struct gw_api_request *r)
{
	struct gw_link_domain *d;
	const char *reason = NULL;

	if ((d = gw_api_links_domain(r)) == NULL)
		return;
	if (!d->has_config)
		reason = "The domain has no Config";
	else if (d->domain[0] == '\0')
		reason = "The domain has no name (no Certificate)";
	gw_api_reply_resource(r, 200, json_pack("{s:s, s:b, s:o, s:o}",
	    "domain_sid", d->sid, "is_valid", reason == NULL, "reason",
	    reason != NULL ? json_string(reason) : json_null(), "url",
	    gw_api_links_url(r, "/Domains/", d->sid, "/ValidateDns")), NULL);
}

/* The path's service of the account (sids[i]), or NULL after 20404. */
static struct gw_service *
gw_api_links_service(struct gw_api_request *r, size_t i)
{
	struct gw_service *s = gw_service_find(r->gw, r->account->sid,
	    r->sids[i]);

	if (s == NULL)
		gw_api_fail(r, 20404, "The Messaging Service %s was not found",
		    r->sids[i]);
	return s;
}

void
gw_api_links_service_add(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_domain(r)) == NULL ||
	    gw_api_links_service(r, 1) == NULL)
		return;
	if (gw_links_domain_associate(r->gw->links, d, r->sids[1]) == -1) {
		gw_api_fail(r, 30130, "The Messaging Service %s belongs to the "
		    "domain %s", r->sids[1], gw_links_domain_of_service(
		    r->gw->links, r->sids[1])->sid);
		return;
	}
	gw_api_reply_resource(r, 201,
	    gw_api_links_association_json(r, d, r->sids[1], 0), NULL);
}

void
gw_api_links_service_remove(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_domain(r)) == NULL)
		return;
	if (gw_links_domain_dissociate(r->gw->links, d, r->sids[1]) == -1) {
		gw_api_fail(r, 20404, "The Messaging Service %s is not on the "
		    "domain %s", r->sids[1], d->sid);
		return;
	}
	gw_api_reply_empty(r, 204);
}

/* The domain of the path's service (sids[0]), or NULL after 20404. */
static struct gw_link_domain *
gw_api_links_service_domain(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if (gw_api_links_service(r, 0) == NULL)
		return NULL;
	d = gw_links_domain_of_service(r->gw->links, r->sids[0]);
	if (d == NULL || strcmp(d->account_sid, r->account->sid) != 0) {
		gw_api_fail(r, 20404, "The Messaging Service %s has no Link "
		    "Shortening domain", r->sids[0]);
		return NULL;
	}
	return d;
}

void
gw_api_links_service_fetch_domain(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_service_domain(r)) != NULL)
		gw_api_reply_resource(r, 200,
		    gw_api_links_association_json(r, d, r->sids[0], 1), NULL);
}

void
gw_api_links_service_fetch_config(struct gw_api_request *r)
{
	struct gw_link_domain *d;

	if ((d = gw_api_links_service_domain(r)) == NULL)
		return;
	if (!d->has_config) {
		gw_api_fail(r, 20404, "The domain %s has no Config", d->sid);
		return;
	}
	gw_api_reply_resource(r, 200,
	    gw_api_links_config_json(r, d, r->sids[0]), NULL);
}
