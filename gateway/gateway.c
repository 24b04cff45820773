/*
 * The gateway object: the copy of its configuration, the lookups over
 * it, routing by destination prefix, metrics and the stop sequence. The
 * message lifecycle is in lifecycle.c, recovery in recover.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/api.h"
#include "gateway/gateway-internal.h"
#include "gateway/optout.h"
#include "gateway/links.h"
#include "gateway/outbound.h"
#include "gateway/services.h"
#include "gateway/store.h"
#include "gateway/webhook.h"

/* See gw_store_set_linger. */
#define GW_STORE_LINGER_USEC	5000

void
gateway_config_defaults(struct gateway_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->seed = 1;
	cfg->callback_timeout = 10 * CLOCK_USEC_PER_SEC;
	cfg->callback_retries = 5;
	cfg->callback_backoff = CLOCK_USEC_PER_SEC;
	cfg->callback_backoff_max = 300 * CLOCK_USEC_PER_SEC;
	cfg->callback_tls_verify = 1;
	cfg->callback_connections = 16;
	cfg->callback_memory_max = 20000;
	cfg->max_body = 1024 * 1024;
	cfg->api_max_pending = 10000;
	cfg->sticky_ttl = GW_STICKY_TTL_DEFAULT;
}

static void *
gw_dup(const void *p, size_t n, size_t size)
{
	void *q;

	if (n == 0)
		return NULL;
	q = xreallocarray(NULL, n, size);
	memcpy(q, p, n * size);
	return q;
}

/* A deep copy: the arrays of cfg, and the arrays inside their items. */
static void
gw_config_copy(struct gateway_config *dst, const struct gateway_config *src)
{
	size_t i;

	*dst = *src;
	dst->accounts = gw_dup(src->accounts, src->naccounts,
	    sizeof *src->accounts);
	for (i = 0; i < src->naccounts; i++)
		dst->accounts[i].keys = gw_dup(src->accounts[i].keys,
		    src->accounts[i].nkeys, sizeof *src->accounts[i].keys);
	dst->numbers = gw_dup(src->numbers, src->nnumbers,
	    sizeof *src->numbers);
	dst->services = gw_dup(src->services, src->nservices,
	    sizeof *src->services);
	for (i = 0; i < src->nservices; i++) {
		dst->services[i].senders = gw_dup(src->services[i].senders,
		    src->services[i].nsenders,
		    sizeof *src->services[i].senders);
		dst->services[i].destination_alphas = gw_dup(
		    src->services[i].destination_alphas,
		    src->services[i].ndestination_alphas,
		    sizeof *src->services[i].destination_alphas);
		dst->services[i].opt_out = gateway_optout_dup(
		    src->services[i].opt_out);
	}
	dst->countries = gw_dup(src->countries, src->ncountries,
	    sizeof *src->countries);
	dst->link_domains = gw_dup(src->link_domains, src->nlink_domains,
	    sizeof *src->link_domains);
	for (i = 0; i < src->nlink_domains; i++)
		dst->link_domains[i].services = gw_dup(
		    src->link_domains[i].services,
		    src->link_domains[i].nservices,
		    sizeof *src->link_domains[i].services);
	dst->routes = gw_dup(src->routes, src->nroutes, sizeof *src->routes);
	for (i = 0; i < src->nroutes; i++) {
		dst->routes[i].prefixes = gw_dup(src->routes[i].prefixes,
		    src->routes[i].nprefixes,
		    sizeof *src->routes[i].prefixes);
		dst->routes[i].error_rules = gw_dup(
		    src->routes[i].error_rules, src->routes[i].nerror_rules,
		    sizeof *src->routes[i].error_rules);
	}
}

static void
gw_config_free(struct gateway_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->naccounts; i++)
		free(cfg->accounts[i].keys);
	free(cfg->accounts);
	free(cfg->numbers);
	for (i = 0; i < cfg->nservices; i++) {
		free(cfg->services[i].senders);
		free(cfg->services[i].destination_alphas);
		gateway_optout_free(cfg->services[i].opt_out);
	}
	free(cfg->services);
	free(cfg->countries);
	for (i = 0; i < cfg->nlink_domains; i++)
		free(cfg->link_domains[i].services);
	free(cfg->link_domains);
	for (i = 0; i < cfg->nroutes; i++) {
		free(cfg->routes[i].prefixes);
		free(cfg->routes[i].error_rules);
	}
	free(cfg->routes);
	memset(cfg, 0, sizeof *cfg);
}

const struct gateway_account *
gw_account_find(const struct gateway *gw, const char *sid)
{
	size_t i;

	for (i = 0; sid != NULL && i < gw->cfg.naccounts; i++)
		if (strcmp(gw->cfg.accounts[i].sid, sid) == 0)
			return &gw->cfg.accounts[i];
	return NULL;
}

const struct gateway_api_key *
gw_api_key_find(const struct gateway *gw, const char *sid,
    const struct gateway_account **account)
{
	size_t i, j;

	for (i = 0; sid != NULL && i < gw->cfg.naccounts; i++)
		for (j = 0; j < gw->cfg.accounts[i].nkeys; j++)
			if (strcmp(gw->cfg.accounts[i].keys[j].sid, sid) == 0) {
				*account = &gw->cfg.accounts[i];
				return &gw->cfg.accounts[i].keys[j];
			}
	return NULL;
}

const struct gateway_number *
gw_number_find(const struct gateway *gw, const char *account_sid,
    const char *number)
{
	const struct gateway_number *n;
	size_t i;

	for (i = 0; number != NULL && i < gw->cfg.nnumbers; i++) {
		n = &gw->cfg.numbers[i];
		if (account_sid != NULL && strcmp(n->account_sid,
		    account_sid) != 0)
			continue;
		/* Alphanumeric senders match without regard to case. */
		if (strcmp(n->number, number) == 0 ||
		    (n->kind == GATEWAY_SENDER_ALPHANUMERIC &&
		    strcasecmp(n->number, number) == 0))
			return n;
	}
	return NULL;
}

const struct gateway_number *
gw_number_find_sid(const struct gateway *gw, const char *sid)
{
	size_t i;

	for (i = 0; sid != NULL && i < gw->cfg.nnumbers; i++)
		if (strcmp(gw->cfg.numbers[i].sid, sid) == 0)
			return &gw->cfg.numbers[i];
	return NULL;
}

/* The running services (services.h), API-made ones included. */
struct gw_service *
gw_service_find(const struct gateway *gw, const char *account_sid,
    const char *sid)
{
	return gw_services_find(gw->services, account_sid, sid);
}

struct gw_service *
gw_service_of_number(const struct gateway *gw,
    const struct gateway_number *n)
{
	if (n == NULL)
		return NULL;
	return gw_services_of_number(gw->services, n->account_sid, n->sid);
}

/* Length of the longest prefix of r that to starts with; 0: none. */
static size_t
gw_route_match(const struct gateway_route *r, const char *to)
{
	size_t i, len, best = 0;

	for (i = 0; i < r->nprefixes; i++) {
		len = strlen(r->prefixes[i]);
		if (len > best && strncmp(to, r->prefixes[i], len) == 0)
			best = len;
	}
	return best;
}

/*
 * The destination's carrier is the route with the longest prefix of to,
 * whatever the sender: a handset's carrier does not change with the
 * sender. Routes that share that longest prefix are alternatives (two
 * aggregators to one country): the first listed that takes the kind
 * (and MMS) carries it. None of them taking it is an answer: this
 * sender cannot reach to (a short code to a carrier without short
 * codes is rerouted by the pool, refused with a given From).
 */
int
gw_route_pick(const struct gateway *gw, const char *to,
    enum gateway_sender_kind kind, int mms)
{
	const struct gateway_route *r;
	size_t i, len, best = 0;
	int pick = -1;

	for (i = 0; i < gw->cfg.nroutes; i++) {
		r = &gw->cfg.routes[i];
		if ((len = gw_route_match(r, to)) == 0 || len < best)
			continue;
		if (len > best) {
			best = len;
			pick = -1;
		}
		if (pick == -1 && (r->accepts_kinds & (1u << kind)) != 0 &&
		    (!mms || r->accepts_mms))
			pick = (int)i;
	}
	return pick;
}

int
gw_route_takes_mms(const struct gateway *gw, const char *to)
{
	int kind;

	for (kind = 0; kind <= GATEWAY_SENDER_ALPHANUMERIC; kind++)
		if (gw_route_pick(gw, to, kind, 1) >= 0)
			return 1;
	return 0;
}

int
gw_route_serves(const struct gateway *gw, const char *to)
{
	size_t i;

	for (i = 0; i < gw->cfg.nroutes; i++)
		if (gw_route_match(&gw->cfg.routes[i], to) > 0)
			return 1;
	return 0;
}

struct gw_outbound *
gw_route_outbound(struct gateway *gw, const char *name)
{
	size_t i;

	for (i = 0; i < gw->cfg.nroutes; i++)
		if (strcmp(gw->cfg.routes[i].name, name) == 0)
			return gw->routes[i];
	return NULL;
}

struct gateway *
gateway_new(struct event_base *base, struct clock *clock,
    const struct gateway_config *cfg, const char *db_path, char *err,
    size_t errlen)
{
	struct gateway *gw = xcalloc(1, sizeof *gw);
	uint64_t generation = 1;
	size_t i;

	gw->base = base;
	gw->clock = clock;
	gw_config_copy(&gw->cfg, cfg);
	RB_INIT(&gw->active);
	gw->store = gw_store_open(base, db_path,
	    gw->cfg.synchronous, err, errlen);
	if (gw->store == NULL) {
		gw_config_free(&gw->cfg);
		free(gw);
		return NULL;
	}
	if (gw_store_start_generation(gw->store, &generation) == -1 ||
	    gw_store_put_config(gw->store, &gw->cfg) == -1) {
		snprintf(err, errlen, "%s: %s", db_path,
		    gw_store_error(gw->store));
		gw_store_close(gw->store);
		gw_config_free(&gw->cfg);
		free(gw);
		return NULL;
	}
	/* The seed and the start count: sids never repeat across restarts,
	 * yet a fresh database repeats its run. */
	rng_seed(&gw->rng, cfg->seed ^ 0x6761746577617921ULL ^
	    (generation * 0x9e3779b97f4a7c15ULL));
	/* 2^32 sids per start, each start's above the last's. */
	gw->sid_serial = (generation & 0xffff) << 32;
	/* In real time a batch nobody waits on (status changes, callbacks'
	 * rows) waits up to this long for the next create to take it
	 * along (store.c); virtual time commits every batch on the next
	 * turn, as its quiescence expects. */
	if (clock_mode(clock) == CLOCK_MODE_REAL)
		gw_store_set_linger(gw->store, GW_STORE_LINGER_USEC);
	gw->services = gw_services_open(gw, gw->cfg.sticky_ttl, err, errlen);
	if (gw->services == NULL) {
		gw_store_close(gw->store);
		gw_config_free(&gw->cfg);
		free(gw);
		return NULL;
	}
	gw->optouts = gw_optouts_open(gw, err, errlen);
	if (gw->optouts == NULL) {
		gw_services_free(gw->services);
		gw_store_close(gw->store);
		gw_config_free(&gw->cfg);
		free(gw);
		return NULL;
	}
	gw->webhooks = gw_webhooks_new(gw);
	strlcpy(gw->public_url, "http://127.0.0.1:8080",
	    sizeof gw->public_url);
	if ((gw->links = gw_links_open(gw, err, errlen)) == NULL) {
		gw_webhooks_free(gw->webhooks);
		gw_services_free(gw->services);
		gw_store_close(gw->store);
		gw_config_free(&gw->cfg);
		free(gw);
		return NULL;
	}
	gw->routes = xcalloc(gw->cfg.nroutes + 1, sizeof *gw->routes);
	for (i = 0; i < gw->cfg.nroutes; i++)
		gw->routes[i] = gw_outbound_new(gw, i);
	if (gw_recover(gw) == -1) {
		snprintf(err, errlen, "%s: recovery failed: %s", db_path,
		    gw_store_error(gw->store));
		gateway_free(gw);
		return NULL;
	}
	log_info("gateway ready accounts=%zu numbers=%zu services=%zu "
	    "routes=%zu db=%s active=%zu", gw->cfg.naccounts,
	    gw->cfg.nnumbers, gw->cfg.nservices, gw->cfg.nroutes, db_path,
	    gw->nactive);
	return gw;
}

/* The short links' redirects first: a registered domain's Host takes
 * every path but the API's. */
int
gateway_http_handle(struct gateway *gw, struct evhttp_request *req)
{
	if (gw_links_http_handle(gw->links, req) == 0)
		return 0;
	return gw_api_handle(gw, req);
}

void
gateway_set_public_url(struct gateway *gw, const char *url)
{
	size_t len;

	strlcpy(gw->public_url, url, sizeof gw->public_url);
	len = strlen(gw->public_url);
	while (len > 0 && gw->public_url[len - 1] == '/')
		gw->public_url[--len] = '\0';
	log_info("gateway public-url=%s", gw->public_url);
}

void
gateway_links_set_outage(struct gateway *gw, int on)
{
	gw_links_set_outage(gw->links, on);
}

json_t *
gateway_links_click(struct gateway *gw, const char *code,
    const char *user_agent)
{
	return gw_links_click(gw->links, code, user_agent);
}

static void
gw_metrics_messages(struct gateway *gw, struct evbuffer *out)
{
	uint64_t active[GW_STATUS_COUNT];
	struct gw_message *m;
	int s;

	memset(active, 0, sizeof active);
	RB_FOREACH(m, gw_message_tree, &gw->active)
		active[m->status]++;
	evbuffer_add_printf(out, "# HELP carrierlab_gateway_messages_total "
	    "Messages that entered each status.\n"
	    "# TYPE carrierlab_gateway_messages_total counter\n");
	for (s = 0; s < GW_STATUS_COUNT; s++)
		evbuffer_add_printf(out, "carrierlab_gateway_messages_total"
		    "{status=\"%s\"} %llu\n", gw_status_name(s),
		    (unsigned long long)gw->metrics.by_status[s]);
	evbuffer_add_printf(out, "# HELP carrierlab_gateway_messages_active "
	    "Messages in each non-terminal status now.\n"
	    "# TYPE carrierlab_gateway_messages_active gauge\n");
	for (s = 0; s < GW_STATUS_COUNT; s++)
		if (!gw_status_terminal(s))
			evbuffer_add_printf(out,
			    "carrierlab_gateway_messages_active"
			    "{status=\"%s\"} %llu\n", gw_status_name(s),
			    (unsigned long long)active[s]);
}

static void
gw_metric(struct evbuffer *out, const char *name, const char *type,
    const char *help, uint64_t value)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n",
	    name, help, name, type, name, (unsigned long long)value);
}

int
gateway_route_accepts(struct gateway *gw, const char *name, unsigned kinds,
    int mms)
{
	size_t i;

	for (i = 0; i < gw->cfg.nroutes; i++) {
		struct gateway_route *r = &gw->cfg.routes[i];

		if (strcmp(r->name, name) != 0)
			continue;
		r->accepts_kinds = kinds;
		r->accepts_mms = mms;
		log_info("gateway route=%s accepts=0x%x mms=%d", name, kinds,
		    mms);
		return 0;
	}
	return -1;
}

int
gateway_sync(struct gateway *gw)
{
	return gw_store_commit(gw->store);
}

int
gateway_busy(const struct gateway *gw)
{
	return gw_store_busy(gw->store);
}

void
gateway_metrics(struct gateway *gw, struct evbuffer *out)
{
	gw_metrics_messages(gw, out);
	gw_metric(out, "carrierlab_gateway_messages_created_total", "counter",
	    "Messages created through the API.", gw->metrics.created);
	gw_metric(out, "carrierlab_gateway_inbound_total", "counter",
	    "Inbound messages received from carriers.", gw->metrics.inbound);
	gw_metric(out, "carrierlab_gateway_inbound_dropped_total", "counter",
	    "Inbound messages to a service without inbound_request_url, "
	    "dropped.", gw->metrics.inbound_dropped);
	gw_metric(out, "carrierlab_gateway_api_requests_total", "counter",
	    "API requests served.", gw->metrics.api_requests);
	gw_metric(out, "carrierlab_gateway_api_errors_total", "counter",
	    "API requests answered with a Twilio error.",
	    gw->metrics.api_errors);
	gw_metric(out, "carrierlab_gateway_callbacks_sent_total", "counter",
	    "Webhooks answered 2xx.", gw->metrics.callbacks_sent);
	gw_metric(out, "carrierlab_gateway_callbacks_failed_total", "counter",
	    "Webhook attempts that failed.", gw->metrics.callbacks_failed);
	gw_metric(out, "carrierlab_gateway_callbacks_dropped_total", "counter",
	    "Status callbacks given up after every retry.",
	    gw->metrics.callbacks_dropped);
	gw_metric(out, "carrierlab_gateway_callbacks_pending", "gauge",
	    "Status callbacks waiting for a 2xx.",
	    gw_webhooks_pending(gw->webhooks));
	gw_metric(out, "carrierlab_gateway_receipts_unmatched_total",
	    "counter", "Receipts whose message id matched no message.",
	    gw->metrics.receipts_unmatched);
	gw_metric(out, "carrierlab_gateway_store_pending", "gauge",
	    "Store writes waiting for the next commit.",
	    gw_store_pending(gw->store));
	gw_outbound_metrics_all(gw->routes, gw->cfg.nroutes, out);
}

struct gw_shutdown {
	struct gateway	*gw;
	size_t		 waiting;
	void		(*done)(void *);
	void		*arg;
};

static void
gw_shutdown_route_done(void *arg)
{
	struct gw_shutdown *sd = arg;

	if (--sd->waiting > 0)
		return;
	gw_store_commit(sd->gw->store);
	log_info("gateway stopped active=%zu", sd->gw->nactive);
	sd->done(sd->arg);
	free(sd);
}

void
gateway_shutdown(struct gateway *gw, void (*done)(void *), void *arg)
{
	struct gw_shutdown *sd = xcalloc(1, sizeof *sd);
	size_t i;

	gw->stopping = 1;
	gw_store_commit(gw->store);
	sd->gw = gw;
	sd->done = done;
	sd->arg = arg;
	sd->waiting = gw->cfg.nroutes + 1;
	log_info("gateway stopping routes=%zu", gw->cfg.nroutes);
	for (i = 0; i < gw->cfg.nroutes; i++)
		gw_outbound_shutdown(gw->routes[i], gw_shutdown_route_done,
		    sd);
	gw_shutdown_route_done(sd);
}

void
gateway_free(struct gateway *gw)
{
	struct gw_message *m, *next;
	size_t i;

	if (gw == NULL)
		return;
	for (i = 0; gw->routes != NULL && i < gw->cfg.nroutes; i++)
		gw_outbound_free(gw->routes[i]);
	free(gw->routes);
	gw_links_free(gw->links);
	gw_webhooks_free(gw->webhooks);
	if (gw->store != NULL)
		gw_store_commit(gw->store);
	RB_FOREACH_SAFE(m, gw_message_tree, &gw->active, next) {
		RB_REMOVE(gw_message_tree, &gw->active, m);
		if (m->timer != NULL)
			clock_timer_free(m->timer);
		gw_message_free(m);
	}
	gw_optouts_free(gw->optouts);
	gw_services_free(gw->services);
	gw_store_close(gw->store);
	gw_api_free_scratch(gw);
	gw_config_free(&gw->cfg);
	free(gw);
}
