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

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier.h"
#include "carriers/store.h"
#include "gateway/gateway.h"
#include "scenarios/cmd.h"
#include "scenarios/scenario.h"
#include "scenarios/sim-http.h"

#define SERVE_DEFAULT_DB	"carrierlab.db"
#define SERVE_DEFAULT_SMSC_DB	"carrierlab-smsc.db"
#define SERVE_FLUSH_USEC	20000		/* carriers' group commit */
#define SERVE_MAX_HEADERS	(64 * 1024)	/* request line + headers */

struct serve_opts {
	const char	*file;
	const char	*http;
	const char	*db;
	const char	*smsc_db;
	const char	*ready_file;
	const char	*clock_start;
	double		 speed;
	int		 have_seed;
	uint64_t	 seed;
};

struct serve {
	struct event_base	*base;
	struct clock		*clock;
	struct carrier_store	*store;
	struct carrier		**carriers;
	size_t			 ncarriers;
	struct gateway		*gateway;
	struct sim_http		*http;
	struct event		*flush;
	struct event		*sigint;
	struct event		*sigterm;
	int			 stopping;
	char			 http_address[CARRIER_ADDR_MAX + 8];
};

static const struct option serve_longopts[] = {
	{ "http",		required_argument,	NULL, 'H' },
	{ "db",			required_argument,	NULL, 'd' },
	{ "smsc-db",		required_argument,	NULL, 'D' },
	{ "seed",		required_argument,	NULL, 's' },
	{ "ready-file",		required_argument,	NULL, 'r' },
	{ "clock-start",	required_argument,	NULL, 'c' },
	{ "speed",		required_argument,	NULL, 'x' },
	{ "log-level",		required_argument,	NULL, 'l' },
	{ NULL,			0,			NULL, 0 },
};

/* The options that take a number or a level; -1 after a message. */
static int
serve_option_value(int ch, const char *arg, struct serve_opts *o)
{
	enum log_level	 level;
	char		*end;

	switch (ch) {
	case 's':
		errno = 0;
		o->seed = strtoull(arg, &end, 10);
		if (errno != 0 || *end != '\0' || end == arg || arg[0] == '-') {
			fprintf(stderr, "carrierlab serve: --seed: \"%s\" is "
			    "not a number\n", arg);
			return -1;
		}
		o->have_seed = 1;
		return 0;
	case 'x':
		o->speed = strtod(arg, &end);
		if (*end != '\0' || end == arg || !(o->speed > 0)) {
			fprintf(stderr, "carrierlab serve: --speed: must be a "
			    "number above 0\n");
			return -1;
		}
		return 0;
	default:	/* 'l' */
		if (log_level_parse(arg, &level) == -1) {
			fprintf(stderr, "carrierlab serve: --log-level: error, "
			    "warn, info or debug\n");
			return -1;
		}
		log_set_level(level);
		return 0;
	}
}

static int
serve_parse(int argc, char **argv, struct serve_opts *o)
{
	int ch;

	memset(o, 0, sizeof *o);
	o->speed = 1.0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", serve_longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'H': o->http = optarg; break;
		case 'd': o->db = optarg; break;
		case 'D': o->smsc_db = optarg; break;
		case 'r': o->ready_file = optarg; break;
		case 'c': o->clock_start = optarg; break;
		case 's':
		case 'x':
		case 'l':
			if (serve_option_value(ch, optarg, o) == -1)
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "carrierlab serve: one scenario at most\n");
		return -1;
	}
	if (o->http != NULL && strcmp(o->http, "none") == 0) {
		fprintf(stderr, "carrierlab serve: --http: the API needs a "
		    "listener (`carrierlab smsc --http none` runs carriers "
		    "alone)\n");
		return -1;
	}
	o->file = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* "2026-01-01T00:00:00Z" to microseconds. */
static int
serve_time(const char *s, int64_t *usec)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL || (strcmp(end, "Z") != 0 && *end != '\0'))
		return -1;
	*usec = (int64_t)timegm(&tm) * CLOCK_USEC_PER_SEC;
	return 0;
}

static int
serve_load(const struct serve_opts *o, struct scenario *s)
{
	struct scenario_error err;
	char buf[2048];
	int rc;

	if (o->file != NULL)
		rc = scenario_load_file(o->file, s, &err);
	else
		rc = scenario_load_default(s, &err);
	if (rc == -1) {
		scenario_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "carrierlab serve: %s\n", buf);
		return -1;
	}
	if (o->have_seed)
		s->seed = s->gateway.seed = o->seed;
	if (o->clock_start != NULL && serve_time(o->clock_start,
	    &s->clock_start) == -1) {
		fprintf(stderr, "carrierlab serve: --clock-start: \"%s\" is "
		    "not YYYY-MM-DDThh:mm:ssZ\n", o->clock_start);
		scenario_release(s);
		return -1;
	}
	if (s->clock == CLOCK_MODE_VIRTUAL)
		log_info("serve clock mode=real reason=\"outside clients "
		    "attach in real time; virtual time is for carrierlab "
		    "run\"");
	if (s->gateway.naccounts == 0)
		log_warnx("serve accounts=0 reason=\"the scenario has no "
		    "accounts: every API request is refused\"");
	return 0;
}

/* The ready file: written whole, then renamed, so a reader never sees
 * half of it. */
static int
serve_ready(struct serve *m, const char *path)
{
	json_t *o = json_object(), *cs = json_array(), *ls;
	const char *addr[CARRIER_MAX_LISTEN];
	int tls[CARRIER_MAX_LISTEN];
	char tmp[4096], api[CARRIER_ADDR_MAX + 16];
	size_t i, j, n;
	int rc;

	snprintf(api, sizeof api, "http://%s", m->http_address);
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "http", json_string(m->http_address));
	json_object_set_new(o, "api", json_string(api));
	for (i = 0; i < m->ncarriers; i++) {
		ls = json_array();
		n = carrier_listen_addresses(m->carriers[i], addr, tls,
		    CARRIER_MAX_LISTEN);
		for (j = 0; j < n; j++)
			json_array_append_new(ls, json_pack("{s:s, s:b}",
			    "address", addr[j], "tls", tls[j]));
		json_array_append_new(cs, json_pack("{s:s, s:o}", "name",
		    carrier_name(m->carriers[i]), "listen", ls));
	}
	json_object_set_new(o, "carriers", cs);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	rc = json_dump_file(o, tmp, JSON_INDENT(2));
	json_decref(o);
	if (rc == -1 || rename(tmp, path) == -1) {
		fprintf(stderr, "carrierlab serve: --ready-file %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
serve_flush(evutil_socket_t fd, short what, void *arg)
{
	struct serve *m = arg;

	(void)fd;
	(void)what;
	if (carrier_store_flush(m->store) == -1)
		log_warnx("serve store-flush-failed error=\"%s\"",
		    carrier_store_error(m->store));
}

static void
serve_stopped(void *arg)
{
	struct serve *m = arg;

	log_info("serve stop reason=\"gateway stopped\"");
	event_base_loopbreak(m->base);
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
		event_base_loopbreak(m->base);
		return;
	}
	m->stopping = 1;
	log_info("serve stopping signal=%d", (int)sig);
	gateway_shutdown(m->gateway, serve_stopped, m);
}

static int
serve_start_carriers(struct serve *m, const struct scenario *s)
{
	struct carrier_env env = { m->base, m->clock, m->store, s->seed };
	char err[512];
	size_t i;

	m->carriers = xcalloc(s->ncarriers, sizeof *m->carriers);
	for (i = 0; i < s->ncarriers; i++) {
		m->carriers[i] = carrier_start(&env, &s->carriers[i], err,
		    sizeof err);
		if (m->carriers[i] == NULL) {
			fprintf(stderr, "carrierlab serve: carrier %s: %s\n",
			    s->carriers[i].name, err);
			return -1;
		}
		m->ncarriers++;
	}
	return 0;
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
	for (i = 0; i < s->gateway.nroutes && i < m->ncarriers; i++) {
		struct gateway_route *r = &s->gateway.routes[i];

		colon = strrchr(r->address, ':');
		if (colon == NULL || strcmp(colon, ":0") != 0)
			continue;
		n = carrier_listen_addresses(m->carriers[i], addr, tls,
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
	m->gateway = gateway_new(m->base, m->clock, &s->gateway, db, err,
	    sizeof err);
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

static int
serve_start_http(struct serve *m, const struct scenario *s, const char *addr)
{
	char err[512], host[CARRIER_ADDR_MAX];
	char *colon;

	m->http = sim_http_start(m->base, m->clock, addr, s->admin_token,
	    m->carriers, m->ncarriers, err, sizeof err);
	if (m->http == NULL) {
		fprintf(stderr, "carrierlab serve: http: %s\n", err);
		return -1;
	}
	/* Twice the API's limit: a body over max_body must reach the API,
	 * which answers Twilio's 413 body, instead of libevent's own page.
	 * The /sim/ routes check their own limit. */
	evhttp_set_max_body_size(sim_http_evhttp(m->http),
	    (ev_ssize_t)s->gateway.max_body * 2);
	evhttp_set_max_headers_size(sim_http_evhttp(m->http),
	    SERVE_MAX_HEADERS);
	sim_http_set_fallback(m->http, serve_api, m);
	sim_http_set_metrics_hook(m->http, serve_metrics, m);
	snprintf(host, sizeof host, "%s", addr);
	if ((colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	snprintf(m->http_address, sizeof m->http_address, "%s:%d", host,
	    sim_http_port(m->http));
	return 0;
}

static void
serve_events(struct serve *m)
{
	struct timeval tv = { 0, SERVE_FLUSH_USEC };

	/* Group commit: every carrier write of the interval in one. */
	m->flush = event_new(m->base, -1, EV_PERSIST, serve_flush, m);
	event_add(m->flush, &tv);
	m->sigint = evsignal_new(m->base, SIGINT, serve_signal, m);
	m->sigterm = evsignal_new(m->base, SIGTERM, serve_signal, m);
	event_add(m->sigint, NULL);
	event_add(m->sigterm, NULL);
}

static int
serve_start(struct serve *m, const struct serve_opts *o, struct scenario *s)
{
	const char *db = o->db != NULL ? o->db :
	    s->state[0] != '\0' ? s->state : SERVE_DEFAULT_DB;
	const char *smsc_db = o->smsc_db != NULL ? o->smsc_db :
	    SERVE_DEFAULT_SMSC_DB;
	char err[512];

	m->base = event_base_new();
	m->clock = clock_new(m->base, CLOCK_MODE_REAL, s->clock_start,
	    o->speed != 1.0 ? o->speed : s->speed);
	if ((m->store = carrier_store_open(smsc_db, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "carrierlab serve: --smsc-db %s: %s\n", smsc_db,
		    err);
		return -1;
	}
	if (serve_start_carriers(m, s) == -1 ||
	    serve_start_gateway(m, s, db) == -1 ||
	    serve_start_http(m, s, o->http != NULL ? o->http : s->http) == -1)
		return -1;
	serve_events(m);
	log_info("serve ready carriers=%zu routes=%zu accounts=%zu http=%s "
	    "db=%s smsc_db=%s seed=%llu", m->ncarriers, s->gateway.nroutes,
	    s->gateway.naccounts, m->http_address, db, smsc_db,
	    (unsigned long long)s->seed);
	if (o->ready_file != NULL && serve_ready(m, o->ready_file) == -1)
		return -1;
	return 0;
}

static void
serve_stop(struct serve *m)
{
	size_t i;

	sim_http_free(m->http);
	gateway_free(m->gateway);
	for (i = 0; i < m->ncarriers; i++)
		carrier_free(m->carriers[i]);
	free(m->carriers);
	if (m->store != NULL)
		carrier_store_flush(m->store);
	carrier_store_close(m->store);
	if (m->flush != NULL)
		event_free(m->flush);
	if (m->sigint != NULL)
		event_free(m->sigint);
	if (m->sigterm != NULL)
		event_free(m->sigterm);
	if (m->clock != NULL)
		clock_free(m->clock);
	if (m->base != NULL)
		event_base_free(m->base);
}

static int
cmd_serve_exec(int argc, char **argv)
{
	struct serve_opts	o;
	struct scenario		s;
	struct serve		m;
	int			rc = 1;

	if (serve_parse(argc, argv, &o) == -1)
		return 2;
	if (serve_load(&o, &s) == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	log_route_libevent();
	memset(&m, 0, sizeof m);
	if (serve_start(&m, &o, &s) == 0) {
		event_base_dispatch(m.base);
		rc = 0;
	}
	serve_stop(&m);
	scenario_release(&s);
	return rc;
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
