/*
 * carrierlab serve: the simulated carriers of a scenario, the gateway
 * bound to them over SMPP, and one HTTP listener for the gateway's
 * Twilio-compatible API, the /sim/ control routes and /metrics.
 *
 * The carriers start exactly as `carrierlab smsc` starts them (their own
 * store, --smsc-db); the gateway has its store (--db) and reaches the
 * carriers only through its routes, as it would reach real SMSCs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "common/log.h"
#include "carriers/carrier.h"
#include "gateway/gateway.h"
#include "scenarios/cmd.h"
#include "scenarios/cmd-sim.h"
#include "scenarios/scenario.h"
#include "scenarios/sim-http.h"

#define SERVE_DEFAULT_SMSC_DB	"carrierlab-smsc.db"
#define SERVE_MAX_HEADERS	(64 * 1024)	/* request line + headers */

struct serve {
	struct cmd_sim		 sim;
	const char		*smsc_db;	/* --smsc-db */
	struct gateway		*gateway;
	int			 stopping;
};

static const struct option serve_longopts[] = {
	CMD_SIM_LONGOPTS({ "smsc-db", required_argument, NULL, 'D' },),
	{ NULL,			0,			NULL, 0 },
};

/* serve's own option: --smsc-db. */
static int
serve_option(void *arg, int ch, const char *value)
{
	struct serve *m = arg;

	if (ch != 'D')
		return -1;
	m->smsc_db = value;
	return 0;
}

/* The API lives on the HTTP listener: serve cannot run without one. */
static int
serve_parsed(void *arg, const struct cmd_sim_opts *o)
{
	(void)arg;
	if (o->http != NULL && strcmp(o->http, "none") == 0) {
		fprintf(stderr, "carrierlab serve: --http: the API needs a "
		    "listener (`carrierlab smsc --http none` runs carriers "
		    "alone)\n");
		return -1;
	}
	return 0;
}

static void
serve_stopped(void *arg)
{
	struct serve *m = arg;

	log_info("serve stop reason=\"gateway stopped\"");
	event_base_loopbreak(m->sim.base);
}

/* The first signal stops the gateway gracefully (it refuses new
 * requests, commits and unbinds); a second one stops at once. */
static void
serve_signal(evutil_socket_t sig, short what, void *arg)
{
	struct serve *m = arg;

	(void)what;
	if (m->stopping) {
		log_info("serve stop signal=%d reason=\"second signal\"",
		    (int)sig);
		event_base_loopbreak(m->sim.base);
		return;
	}
	m->stopping = 1;
	log_info("serve stopping signal=%d", (int)sig);
	gateway_shutdown(m->gateway, serve_stopped, m);
}

/*
 * A route made from a carrier listening on port 0 learns the port now.
 * It was made from the carrier's first plain listener (else its first),
 * and carrier_listen_addresses() lists them in the profile's order.
 */
static void
serve_route_ports(struct serve *m, struct scenario *s)
{
	const char	*addr[CARRIER_MAX_LISTEN], *port;
	int		 tls[CARRIER_MAX_LISTEN];
	char		*colon;
	size_t		 i, j, n;

	if (!s->gateway_routes_derived)
		return;
	for (i = 0; i < s->gateway.nroutes && i < m->sim.ncarriers; i++) {
		struct gateway_route *r = &s->gateway.routes[i];

		colon = strrchr(r->address, ':');
		if (colon == NULL || strcmp(colon, ":0") != 0)
			continue;
		n = carrier_listen_addresses(m->sim.carriers[i], addr, tls,
		    CARRIER_MAX_LISTEN);
		for (j = 0; j < n && tls[j]; j++)
			;
		if (j == n)
			j = 0;
		if (n == 0 || (port = strrchr(addr[j], ':')) == NULL)
			continue;
		snprintf(colon, sizeof r->address - (size_t)(colon -
		    r->address), "%s", port);
		log_info("serve route=%s connect=%s", r->name, r->address);
	}
}

static int
serve_start_gateway(struct serve *m, struct scenario *s, const char *db)
{
	char err[512];

	serve_route_ports(m, s);
	m->gateway = gateway_new(m->sim.base, m->sim.clock, &s->gateway, db,
	    err, sizeof err);
	if (m->gateway == NULL) {
		fprintf(stderr, "carrierlab serve: gateway (--db %s): %s\n", db,
		    err);
		return -1;
	}
	return 0;
}

/* Paths outside /sim/ and /metrics: the API, or 404 JSON. */
static void
serve_api(struct evhttp_request *req, void *arg)
{
	struct serve	*m = arg;
	struct evbuffer	*body;

	if (gateway_http_handle(m->gateway, req) == 0)
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
serve_metrics(struct evbuffer *out, void *arg)
{
	struct serve *m = arg;

	gateway_metrics(m->gateway, out);
}

/* GET /sim/messages/{sid}: a message and its history. */
static json_t *
serve_message(const char *sid, void *arg)
{
	struct serve *m = arg;

	return gateway_message_debug(m->gateway, sid);
}

/* GET and PUT /sim/services/{MG}/opt-out. */
static json_t *
serve_optout(const char *sid, const json_t *put, int *status, char *err,
    size_t errlen, void *arg)
{
	struct serve *m = arg;

	if (put == NULL)
		return gateway_optout_get(m->gateway, sid, status, err, errlen);
	return gateway_optout_put(m->gateway, sid, put, status, err, errlen);
}

static void
serve_link_outage(int on, void *arg)
{
	struct serve *m = arg;

	gateway_links_set_outage(m->gateway, on);
}

static json_t *
serve_link_click(const char *code, const char *user_agent, void *arg)
{
	struct serve *m = arg;

	return gateway_links_click(m->gateway, code, user_agent);
}

static const struct sim_links_hooks serve_links_hooks = {
	.outage = serve_link_outage,
	.click = serve_link_click,
};

/* The shared listener, with the API behind /sim/ and /metrics. */
static int
serve_start_http(struct serve *m, const struct scenario *s)
{
	struct evhttp *http;

	if (cmd_sim_start_http(&m->sim, s) == -1)
		return -1;
	http = sim_http_evhttp(m->sim.http);
	/* Twice the API's limit: a body over max_body must reach the API,
	 * which answers Twilio's 413 body, instead of libevent's own page.
	 * The /sim/ routes check their own limit. */
	evhttp_set_max_body_size(http, (ev_ssize_t)s->gateway.max_body * 2);
	evhttp_set_max_headers_size(http, SERVE_MAX_HEADERS);
	sim_http_set_fallback(m->sim.http, serve_api, m);
	sim_http_set_metrics_hook(m->sim.http, serve_metrics, m);
	sim_http_set_message_hook(m->sim.http, serve_message, m);
	sim_http_set_optout_hook(m->sim.http, serve_optout, m);
	sim_http_set_links_hooks(m->sim.http, &serve_links_hooks, m);
	return 0;
}

static int
serve_start(void *arg, struct scenario *s)
{
	struct serve *m = arg;
	const char *db = cmd_sim_db(&m->sim, s);
	const char *smsc_db = m->smsc_db != NULL ? m->smsc_db :
	    SERVE_DEFAULT_SMSC_DB;
	char api[CARRIER_ADDR_MAX + 16];

	if (s->gateway.naccounts == 0)
		log_warnx("serve accounts=0 reason=\"the scenario has no "
		    "accounts: every API request is refused\"");
	if (cmd_sim_open(&m->sim, s, smsc_db, "--smsc-db") == -1 ||
	    cmd_sim_start_carriers(&m->sim, s) == -1 ||
	    serve_start_gateway(m, s, db) == -1 ||
	    serve_start_http(m, s) == -1)
		return -1;
	cmd_sim_start_events(&m->sim, serve_signal, m);
	log_info("serve ready carriers=%zu routes=%zu accounts=%zu http=%s "
	    "db=%s smsc_db=%s seed=%llu", m->sim.ncarriers, s->gateway.nroutes,
	    s->gateway.naccounts, m->sim.http_address, db, smsc_db,
	    (unsigned long long)s->seed);
	/* The ready file of `carrierlab smsc`, with the API's base URL,
	 * which is also the base of the gateway's own links (/m/). */
	snprintf(api, sizeof api, "http://%s", m->sim.http_address);
	gateway_set_public_url(m->gateway, api);
	return cmd_sim_ready(&m->sim, json_pack("{s:s}", "api", api));
}

/* The gateway goes after the listener that calls into it and before
 * the carriers it is bound to. */
static void
serve_stop(void *arg)
{
	struct serve *m = arg;

	cmd_sim_stop_http(&m->sim);
	gateway_free(m->gateway);
	cmd_sim_stop(&m->sim);
}

static const struct cmd_sim_command serve_command = {
	.name = "serve",
	.longopts = serve_longopts,
	.option = serve_option,
	.parsed = serve_parsed,
	.start = serve_start,
	.stop = serve_stop,
};

static int
cmd_serve_exec(int argc, char **argv)
{
	struct serve m;

	memset(&m, 0, sizeof m);
	return cmd_sim_main(&serve_command, &m.sim, argc, argv, &m);
}

const struct cmd_entry cmd_serve_entry = {
	.name = "serve",
	.usage = "[OPTIONS] [SCENARIO]",
	.summary = "run carriers, gateway and HTTP API",
	.help =
	    "Runs the simulated carriers of SCENARIO (a JSON file, see\n"
	    "docs/scenarios.md), or of the embedded default scenario, the "
	    "gateway bound\nto them over SMPP, and one HTTP listener for the "
	    "gateway's Twilio-compatible\nAPI (/2010-04-01/...), the control "
	    "routes /sim/ and /metrics. See\ndocs/serve.md.\n\n"
	    "Options:\n"
	    "  --http ADDR         HTTP listener, host:port (port 0: any free "
	    "port);\n"
	    "                      default: the scenario's, 127.0.0.1:8080\n"
	    "  --db PATH           the gateway's sqlite file (messages, "
	    "callbacks);\n"
	    "                      default: the scenario's \"state\", else "
	    "./carrierlab.db;\n"
	    "                      \":memory:\" keeps nothing\n"
	    "  --smsc-db PATH      the carriers' sqlite file; default "
	    "./carrierlab-smsc.db\n"
	    "  --seed N            override the scenario's seed\n"
	    "  --ready-file PATH   when every listener is up, write the bound "
	    "addresses\n"
	    "                      and the API's base URL there as JSON\n"
	    "  --clock-start TIME  start the clock at TIME "
	    "(YYYY-MM-DDThh:mm:ssZ)\n"
	    "  --speed X           clock speed factor (default 1)\n"
	    "  --log-level LEVEL   error, warn, info (default) or debug\n\n"
	    "The default scenario's account is AC00000000000000000000000000000000"
	    "\nwith auth token \"test\":\n"
	    "  curl -u AC00000000000000000000000000000000:test \\\n"
	    "    --data-urlencode To=+14155550123 --data-urlencode "
	    "From=+14155550100 \\\n"
	    "    --data-urlencode Body=hello \\\n"
	    "    http://127.0.0.1:8080/2010-04-01/Accounts/"
	    "AC00000000000000000000000000000000/Messages.json\n\n"
	    "SIGINT or SIGTERM stops it: the API refuses new requests, the "
	    "gateway\ncommits and unbinds, then the carriers stop; a second "
	    "signal stops at once.\nWhat is pending stays in the databases.\n",
	.exec = cmd_serve_exec,
};
