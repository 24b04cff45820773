/*
 * The gateway's routes on the /sim/ listener (scenarios/sim-gateway.h).
 */
#include "config.h"

#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "gateway/gateway.h"
#include "scenarios/sim-gateway.h"
#include "scenarios/sim-http.h"

#define SIM_GATEWAY_MAX_HEADERS	(64 * 1024)	/* request line + headers */

/* Paths outside /sim/ and /metrics: the API, or 404 JSON. */
static void
sim_gateway_api(struct evhttp_request *req, void *arg)
{
	struct gateway	**gwp = arg;
	struct evbuffer	 *body;

	if (gateway_http_handle(*gwp, req) == 0)
		return;
	body = evbuffer_new();
	evbuffer_add_printf(body, "{\"code\": 20404, \"message\": \"The "
	    "requested resource was not found\", \"more_info\": "
	    "\"https://www.twilio.com/docs/errors/20404\", \"status\": 404}");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply(req, 404, "Not Found", body);
	evbuffer_free(body);
}

static void
sim_gateway_metrics(struct evbuffer *out, void *arg)
{
	struct gateway **gwp = arg;

	gateway_metrics(*gwp, out);
}

/* GET /sim/messages/{sid}: a message and its history. */
static json_t *
sim_gateway_message(const char *sid, void *arg)
{
	struct gateway **gwp = arg;

	return gateway_message_debug(*gwp, sid);
}

/* GET and PUT /sim/services/{MG}/opt-out. */
static json_t *
sim_gateway_optout(const char *sid, const json_t *put, int *status,
    char *err, size_t errlen, void *arg)
{
	struct gateway **gwp = arg;

	if (put == NULL)
		return gateway_optout_get(*gwp, sid, status, err, errlen);
	return gateway_optout_put(*gwp, sid, put, status, err, errlen);
}

static void
sim_gateway_link_outage(int on, void *arg)
{
	struct gateway **gwp = arg;

	gateway_links_set_outage(*gwp, on);
}

static json_t *
sim_gateway_link_click(const char *code, const char *user_agent, void *arg)
{
	struct gateway **gwp = arg;

	return gateway_links_click(*gwp, code, user_agent);
}

static const struct sim_links_hooks sim_gateway_links_hooks = {
	.outage = sim_gateway_link_outage,
	.click = sim_gateway_link_click,
};

void
sim_gateway_attach(struct sim_http *sh, struct gateway **gwp,
    size_t max_body)
{
	struct evhttp *http = sim_http_evhttp(sh);

	/* Twice the API's limit: a body over max_body must reach the API,
	 * which answers Twilio's 413 body, instead of libevent's own page.
	 * The /sim/ routes check their own limit. */
	evhttp_set_max_body_size(http, (ev_ssize_t)max_body * 2);
	evhttp_set_max_headers_size(http, SIM_GATEWAY_MAX_HEADERS);
	sim_http_set_fallback(sh, sim_gateway_api, gwp);
	sim_http_set_metrics_hook(sh, sim_gateway_metrics, gwp);
	sim_http_set_message_hook(sh, sim_gateway_message, gwp);
	sim_http_set_optout_hook(sh, sim_gateway_optout, gwp);
	sim_http_set_links_hooks(sh, &sim_gateway_links_hooks, gwp);
}
