/*
 * carrierlab smsc: the simulated carrier SMSCs of a scenario, alone, for
 * testing an SMPP client, with the /sim/ control routes and /metrics.
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

#include <event2/event.h>
#include <jansson.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier.h"
#include "carriers/store.h"
#include "scenarios/cmd.h"
#include "scenarios/scenario.h"
#include "scenarios/sim-http.h"

#define SMSC_DEFAULT_DB		"carrierlab.db"
#define SMSC_FLUSH_USEC		20000	/* group commit interval */

struct smsc_opts {
	const char	*file;
	const char	*http;
	const char	*db;
	const char	*ready_file;
	const char	*clock_start;
	double		 speed;
	int		 have_seed;
	uint64_t	 seed;
};

struct smsc {
	struct event_base	*base;
	struct clock		*clock;
	struct carrier_store	*store;
	struct carrier		**carriers;
	size_t			 ncarriers;
	struct sim_http		*http;
	struct event		*flush;
	struct event		*sigint;
	struct event		*sigterm;
	char			 http_address[CARRIER_ADDR_MAX + 8];
};

static const struct option smsc_longopts[] = {
	{ "http",		required_argument,	NULL, 'H' },
	{ "db",			required_argument,	NULL, 'd' },
	{ "seed",		required_argument,	NULL, 's' },
	{ "ready-file",		required_argument,	NULL, 'r' },
	{ "clock-start",	required_argument,	NULL, 'c' },
	{ "speed",		required_argument,	NULL, 'x' },
	{ "log-level",		required_argument,	NULL, 'l' },
	{ NULL,			0,			NULL, 0 },
};

/* Sets the log threshold from a name; -1 for an unknown one. */
static int
smsc_log_level(const char *s)
{
	enum log_level level;

	if (log_level_parse(s, &level) == -1)
		return -1;
	log_set_level(level);
	return 0;
}

static int
smsc_parse(int argc, char **argv, struct smsc_opts *o)
{
	char *end;
	int ch;

	memset(o, 0, sizeof *o);
	o->speed = 1.0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", smsc_longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': o->http = optarg; break;
		case 'd': o->db = optarg; break;
		case 'r': o->ready_file = optarg; break;
		case 'c': o->clock_start = optarg; break;
		case 's':
			errno = 0;
			o->seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg) {
				fprintf(stderr, "carrierlab smsc: --seed: "
				    "\"%s\" is not a number\n", optarg);
				return -1;
			}
			o->have_seed = 1;
			break;
		case 'x':
			o->speed = strtod(optarg, &end);
			if (*end != '\0' || !(o->speed > 0)) {
				fprintf(stderr, "carrierlab smsc: --speed: "
				    "must be a number above 0\n");
				return -1;
			}
			break;
		case 'l':
			if (smsc_log_level(optarg) == -1) {
				fprintf(stderr, "carrierlab smsc: --log-level:"
				    " error, warn, info or debug\n");
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "carrierlab smsc: one scenario at most\n");
		return -1;
	}
	o->file = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* "2026-01-01T00:00:00Z" to microseconds. */
static int
smsc_time(const char *s, int64_t *usec)
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
smsc_load(const struct smsc_opts *o, struct scenario *s)
{
	struct scenario_error err;
	char buf[1024];
	int rc;

	if (o->file != NULL)
		rc = scenario_load_file(o->file, s, &err);
	else
		rc = scenario_load_default(s, &err);
	if (rc == -1) {
		scenario_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "carrierlab smsc: %s\n", buf);
		return -1;
	}
	if (o->have_seed)
		s->seed = o->seed;
	if (o->clock_start != NULL && smsc_time(o->clock_start,
	    &s->clock_start) == -1) {
		fprintf(stderr, "carrierlab smsc: --clock-start: \"%s\" is not "
		    "YYYY-MM-DDThh:mm:ssZ\n", o->clock_start);
		scenario_release(s);
		return -1;
	}
	if (s->clock == CLOCK_MODE_VIRTUAL)
		log_info("smsc clock mode=real reason=\"outside clients attach "
		    "in real time; virtual time is for carrierlab run\"");
	return 0;
}

/* The ready file: written whole, then renamed, so a reader never sees
 * half of it. */
static int
smsc_ready(struct smsc *m, const char *path)
{
	json_t *o = json_object(), *cs = json_array(), *ls;
	const char *addr[CARRIER_MAX_LISTEN];
	int tls[CARRIER_MAX_LISTEN];
	size_t i, j, n;
	char tmp[4096];
	int rc;

	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "http", m->http != NULL ?
	    json_string(m->http_address) : json_null());
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
		fprintf(stderr, "carrierlab smsc: --ready-file %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
smsc_flush(evutil_socket_t fd, short what, void *arg)
{
	struct smsc *m = arg;

	(void)fd;
	(void)what;
	if (carrier_store_flush(m->store) == -1)
		log_warnx("smsc store-flush-failed error=\"%s\"",
		    carrier_store_error(m->store));
}

static void
smsc_signal(evutil_socket_t sig, short what, void *arg)
{
	struct smsc *m = arg;

	(void)what;
	log_info("smsc stop signal=%d", (int)sig);
	event_base_loopbreak(m->base);
}

static int
smsc_start_carriers(struct smsc *m, const struct scenario *s)
{
	struct carrier_env env = { m->base, m->clock, m->store, s->seed };
	char err[512];
	size_t i;

	m->carriers = xcalloc(s->ncarriers, sizeof *m->carriers);
	for (i = 0; i < s->ncarriers; i++) {
		m->carriers[i] = carrier_start(&env, &s->carriers[i], err,
		    sizeof err);
		if (m->carriers[i] == NULL) {
			fprintf(stderr, "carrierlab smsc: carrier %s: %s\n",
			    s->carriers[i].name, err);
			return -1;
		}
		m->ncarriers++;
	}
	return 0;
}

static int
smsc_start_http(struct smsc *m, const struct scenario *s, const char *addr)
{
	char err[512], host[CARRIER_ADDR_MAX];
	char *colon;

	if (strcmp(addr, "none") == 0)
		return 0;
	m->http = sim_http_start(m->base, m->clock, addr, s->admin_token,
	    m->carriers, m->ncarriers, err, sizeof err);
	if (m->http == NULL) {
		fprintf(stderr, "carrierlab smsc: http: %s\n", err);
		return -1;
	}
	snprintf(host, sizeof host, "%s", addr);
	if ((colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	snprintf(m->http_address, sizeof m->http_address, "%s:%d", host,
	    sim_http_port(m->http));
	return 0;
}

static int
smsc_start(struct smsc *m, const struct smsc_opts *o, const struct scenario *s)
{
	const char *db = o->db != NULL ? o->db :
	    s->state[0] != '\0' ? s->state : SMSC_DEFAULT_DB;
	struct timeval tv = { 0, SMSC_FLUSH_USEC };
	char err[512];

	m->base = event_base_new();
	m->clock = clock_new(m->base, CLOCK_MODE_REAL, s->clock_start,
	    o->speed != 1.0 ? o->speed : s->speed);
	if ((m->store = carrier_store_open(db, err, sizeof err)) == NULL) {
		fprintf(stderr, "carrierlab smsc: --db %s: %s\n", db, err);
		return -1;
	}
	if (smsc_start_carriers(m, s) == -1 ||
	    smsc_start_http(m, s, o->http != NULL ? o->http : s->http) == -1)
		return -1;
	/* Group commit: every write of the last interval in one commit. */
	m->flush = event_new(m->base, -1, EV_PERSIST, smsc_flush, m);
	event_add(m->flush, &tv);
	m->sigint = evsignal_new(m->base, SIGINT, smsc_signal, m);
	m->sigterm = evsignal_new(m->base, SIGTERM, smsc_signal, m);
	event_add(m->sigint, NULL);
	event_add(m->sigterm, NULL);
	log_info("smsc ready carriers=%zu http=%s db=%s seed=%llu",
	    m->ncarriers, m->http != NULL ? m->http_address : "none", db,
	    (unsigned long long)s->seed);
	if (o->ready_file != NULL && smsc_ready(m, o->ready_file) == -1)
		return -1;
	return 0;
}

static void
smsc_stop(struct smsc *m)
{
	size_t i;

	sim_http_free(m->http);
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
cmd_smsc_exec(int argc, char **argv)
{
	struct smsc_opts o;
	struct scenario s;
	struct smsc m;
	int rc = 1;

	if (smsc_parse(argc, argv, &o) == -1)
		return 2;
	if (smsc_load(&o, &s) == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	log_route_libevent();
	memset(&m, 0, sizeof m);
	if (smsc_start(&m, &o, &s) == 0) {
		event_base_dispatch(m.base);
		rc = 0;
	}
	smsc_stop(&m);
	scenario_release(&s);
	return rc;
}

const struct cmd_entry cmd_smsc_entry = {
	.name = "smsc",
	.usage = "[OPTIONS] [SCENARIO]",
	.summary = "run the simulated carrier SMSCs only",
	.help =
	    "Runs the simulated carrier SMSCs of SCENARIO (a JSON file, see\n"
	    "docs/scenarios.md), or of the embedded default scenario, for "
	    "testing an SMPP\nclient, with the control routes /sim/ and "
	    "/metrics on the HTTP listener.\nSee docs/smsc.md.\n\n"
	    "Options:\n"
	    "  --http ADDR         HTTP control listener, host:port (port 0: "
	    "any free port),\n"
	    "                      or \"none\"; default: the scenario's, "
	    "127.0.0.1:8080\n"
	    "  --db PATH           sqlite file for messages and pending "
	    "receipts;\n"
	    "                      default: the scenario's \"state\", else "
	    "./carrierlab.db;\n"
	    "                      \":memory:\" keeps nothing\n"
	    "  --seed N            override the scenario's seed\n"
	    "  --ready-file PATH   when every listener is up, write the bound "
	    "addresses\n"
	    "                      there as JSON (for scripts using port 0)\n"
	    "  --clock-start TIME  start the clock at TIME "
	    "(YYYY-MM-DDThh:mm:ssZ) so\n"
	    "                      receipts' dates repeat run after run\n"
	    "  --speed X           clock speed factor (default 1)\n"
	    "  --log-level LEVEL   error, warn, info (default) or debug\n\n"
	    "SIGINT or SIGTERM stops it; what is pending stays in the "
	    "database.\n",
	.exec = cmd_smsc_exec,
};
