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
#include "scenarios/run.h"
#include "scenarios/scenario.h"
#include "scenarios/sim-gateway.h"
#include "scenarios/sim-http.h"

#define SERVE_DEFAULT_SMSC_DB	"carrierlab-smsc.db"

struct serve {
	struct cmd_sim		 sim;
	const char		*smsc_db;	/* --smsc-db */
	struct gateway		*gateway;
	struct scenario		*scenario;
	const char		*db;
	struct engine		*engine;	/* the timeline, if any */
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

/* The shared listener, with the API behind /sim/ and /metrics. */
static int
serve_start_http(struct serve *m, const struct scenario *s)
{
	if (cmd_sim_start_http(&m->sim, s) == -1)
		return -1;
	sim_gateway_attach(m->sim.http, &m->gateway, s->gateway.max_body);
	return 0;
}

/* The timeline's gateway crash: no shutdown, then a start on the same
 * store, as a supervisor would after a kill -9. */
static int
serve_restart(void *arg, char *err, size_t errlen)
{
	struct serve	*m = arg;
	char		 api[CARRIER_ADDR_MAX + 16], why[512];

	gateway_free(m->gateway);
	m->gateway = gateway_new(m->sim.base, m->sim.clock,
	    &m->scenario->gateway, m->db, why, sizeof why);
	if (m->gateway == NULL) {
		snprintf(err, errlen, "the gateway did not start again: %s",
		    why);
		log_warnx("serve stop reason=\"%s\"", err);
		event_base_loopbreak(m->sim.base);
		return -1;
	}
	snprintf(api, sizeof api, "http://%s", m->sim.http_address);
	gateway_set_public_url(m->gateway, api);
	return 0;
}

/* A scenario with a timeline plays it from now on serve's stack. */
static void
serve_start_timeline(struct serve *m, struct scenario *s)
{
	if (s->ntimeline == 0)
		return;
	m->scenario = s;
	m->engine = engine_attach(s, m->sim.base, m->sim.clock,
	    m->sim.carriers, m->sim.ncarriers, &m->gateway, m->db,
	    m->sim.http_address, serve_restart, m);
	engine_attach_start(m->engine);
	log_info("serve timeline actions=%zu", s->ntimeline);
	if (s->ntraffic > 0 || s->nexpect > 0)
		log_info("serve traffic=%zu expect=%zu reason=\"serve runs "
		    "the timeline for an application to drive; carrierlab "
		    "run plays the traffic and checks the expectations\"",
		    s->ntraffic, s->nexpect);
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
	m->db = db;
	m->scenario = s;
	serve_start_timeline(m, s);
	return cmd_sim_ready(&m->sim, json_pack("{s:s}", "api", api));
}

/* The gateway goes after the listener that calls into it and before
 * the carriers it is bound to. */
static void
serve_stop(void *arg)
{
	struct serve *m = arg;

	engine_free(m->engine);
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
