/*
 * cmd-sim: the start-up `carrierlab smsc` and `carrierlab serve` share,
 * written once so the commands cannot drift apart (see cmd-sim.h).
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
#include "common/evbase.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "carriers/carrier.h"
#include "carriers/store.h"
#include "scenarios/cmd-sim.h"
#include "scenarios/scenario.h"
#include "scenarios/sim-http.h"

#define CMD_SIM_FLUSH_USEC	20000	/* the carriers' group commit */

/* --seed and --speed; -1 after a message. */
static int
cmd_sim_number(struct cmd_sim *sim, int ch, const char *value)
{
	struct cmd_sim_opts *o = &sim->opts;
	char *end;

	if (ch == 's') {
		errno = 0;
		o->seed = strtoull(value, &end, 10);
		/* strtoull() takes "-1" as 2^64-1: refused, not wrapped. */
		if (errno != 0 || *end != '\0' || end == value ||
		    value[0] == '-') {
			fprintf(stderr, "carrierlab %s: --seed: \"%s\" is not "
			    "a number\n", sim->name, value);
			return -1;
		}
		o->have_seed = 1;
		return 0;
	}
	o->speed = strtod(value, &end);
	if (*end != '\0' || end == value || !(o->speed > 0)) {
		fprintf(stderr, "carrierlab %s: --speed: must be a number "
		    "above 0\n", sim->name);
		return -1;
	}
	return 0;
}

int
cmd_sim_option(struct cmd_sim *sim, int ch, const char *value)
{
	struct cmd_sim_opts *o = &sim->opts;
	enum log_level level;

	switch (ch) {
	case 'H': o->http = value; return 0;
	case 'd': o->db = value; return 0;
	case 'r': o->ready_file = value; return 0;
	case 'c': o->clock_start = value; return 0;
	case 's':
	case 'x':
		return cmd_sim_number(sim, ch, value);
	case 'l':
		if (log_level_parse(value, &level) == -1) {
			fprintf(stderr, "carrierlab %s: --log-level: error, "
			    "warn, info or debug\n", sim->name);
			return -1;
		}
		log_set_level(level);
		return 0;
	default:
		return 1;
	}
}

/* The command line into sim->opts; -1 after a message. */
static int
cmd_sim_parse(const struct cmd_sim_command *cmd, struct cmd_sim *sim,
    int argc, char **argv, void *arg)
{
	struct cmd_sim_opts *o = &sim->opts;
	int ch, rc;

	o->speed = 1.0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", cmd->longopts, NULL)) !=
	    -1) {
		rc = cmd_sim_option(sim, ch, optarg);
		if (rc == 1 && cmd->option != NULL && ch != '?')
			rc = cmd->option(arg, ch, optarg);
		if (rc != 0)
			return -1;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "carrierlab %s: one scenario at most\n",
		    sim->name);
		return -1;
	}
	o->file = optind < argc ? argv[optind] : NULL;
	if (cmd->parsed != NULL)
		return cmd->parsed(arg, o);
	return 0;
}

/* "2026-01-01T00:00:00Z" to microseconds. */
static int
cmd_sim_time(const char *s, int64_t *usec)
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

int
cmd_sim_load(struct cmd_sim *sim, struct scenario *s)
{
	const struct cmd_sim_opts *o = &sim->opts;
	struct scenario_error err;
	char buf[2048];
	int rc;

	if (o->file != NULL)
		rc = scenario_load_file(o->file, s, &err);
	else
		rc = scenario_load_default(s, &err);
	if (rc == -1) {
		scenario_error_format(&err, buf, sizeof buf);
		fprintf(stderr, "carrierlab %s: %s\n", sim->name, buf);
		return -1;
	}
	if (o->have_seed)
		s->seed = s->gateway.seed = o->seed;
	if (o->clock_start != NULL && cmd_sim_time(o->clock_start,
	    &s->clock_start) == -1) {
		fprintf(stderr, "carrierlab %s: --clock-start: \"%s\" is not "
		    "YYYY-MM-DDThh:mm:ssZ\n", sim->name, o->clock_start);
		scenario_release(s);
		return -1;
	}
	if (s->clock == CLOCK_MODE_VIRTUAL)
		log_info("%s clock mode=real reason=\"outside clients attach "
		    "in real time; virtual time is for carrierlab run\"",
		    sim->name);
	return 0;
}

const char *
cmd_sim_db(const struct cmd_sim *sim, const struct scenario *s)
{
	if (sim->opts.db != NULL)
		return sim->opts.db;
	return s->state[0] != '\0' ? s->state : CMD_SIM_DEFAULT_DB;
}

int
cmd_sim_open(struct cmd_sim *sim, const struct scenario *s,
    const char *store_path, const char *option)
{
	const struct cmd_sim_opts *o = &sim->opts;
	char err[512];

	sim->base = evbase_new();
	sim->clock = clock_new(sim->base, CLOCK_MODE_REAL, s->clock_start,
	    o->speed != 1.0 ? o->speed : s->speed);
	sim->store = carrier_store_open(store_path, err, sizeof err);
	if (sim->store == NULL) {
		fprintf(stderr, "carrierlab %s: %s %s: %s\n", sim->name, option,
		    store_path, err);
		return -1;
	}
	return 0;
}

int
cmd_sim_start_carriers(struct cmd_sim *sim, const struct scenario *s)
{
	struct carrier_env env = { sim->base, sim->clock, sim->store, s->seed };
	char err[512];
	size_t i;

	sim->carriers = xcalloc(s->ncarriers, sizeof *sim->carriers);
	for (i = 0; i < s->ncarriers; i++) {
		sim->carriers[i] = carrier_start(&env, &s->carriers[i], err,
		    sizeof err);
		if (sim->carriers[i] == NULL) {
			fprintf(stderr, "carrierlab %s: carrier %s: %s\n",
			    sim->name, s->carriers[i].name, err);
			return -1;
		}
		sim->ncarriers++;
	}
	return 0;
}

int
cmd_sim_start_http(struct cmd_sim *sim, const struct scenario *s)
{
	const char *addr = sim->opts.http != NULL ? sim->opts.http : s->http;
	char err[512], host[CARRIER_ADDR_MAX];
	char *colon;

	if (strcmp(addr, "none") == 0)
		return 0;
	sim->http = sim_http_start(sim->base, sim->clock, addr, s->admin_token,
	    sim->carriers, sim->ncarriers, err, sizeof err);
	if (sim->http == NULL) {
		fprintf(stderr, "carrierlab %s: http: %s\n", sim->name, err);
		return -1;
	}
	/* The port asked for may be 0: the address says the bound one. */
	snprintf(host, sizeof host, "%s", addr);
	if ((colon = strrchr(host, ':')) != NULL)
		*colon = '\0';
	snprintf(sim->http_address, sizeof sim->http_address, "%s:%d", host,
	    sim_http_port(sim->http));
	return 0;
}

static void
cmd_sim_flush(evutil_socket_t fd, short what, void *arg)
{
	struct cmd_sim *sim = arg;

	(void)fd;
	(void)what;
	if (carrier_store_flush(sim->store) == -1)
		log_warnx("%s store-flush-failed error=\"%s\"", sim->name,
		    carrier_store_error(sim->store));
}

static void
cmd_sim_signal(evutil_socket_t sig, short what, void *arg)
{
	struct cmd_sim *sim = arg;

	(void)what;
	log_info("%s stop signal=%d", sim->name, (int)sig);
	event_base_loopbreak(sim->base);
}

void
cmd_sim_start_events(struct cmd_sim *sim, event_callback_fn on_signal,
    void *arg)
{
	struct timeval tv = { 0, CMD_SIM_FLUSH_USEC };

	if (on_signal == NULL) {
		on_signal = cmd_sim_signal;
		arg = sim;
	}
	/* Group commit: every carrier write of the interval in one. */
	sim->flush = event_new(sim->base, -1, EV_PERSIST, cmd_sim_flush, sim);
	event_add(sim->flush, &tv);
	sim->sigint = evsignal_new(sim->base, SIGINT, on_signal, arg);
	sim->sigterm = evsignal_new(sim->base, SIGTERM, on_signal, arg);
	event_add(sim->sigint, NULL);
	event_add(sim->sigterm, NULL);
}

/* Every carrier with its listen addresses, in the scenario's order. */
static json_t *
cmd_sim_ready_carriers(struct cmd_sim *sim)
{
	json_t *cs = json_array(), *ls;
	const char *addr[CARRIER_MAX_LISTEN];
	int tls[CARRIER_MAX_LISTEN];
	size_t i, j, n;

	for (i = 0; i < sim->ncarriers; i++) {
		ls = json_array();
		n = carrier_listen_addresses(sim->carriers[i], addr, tls,
		    CARRIER_MAX_LISTEN);
		for (j = 0; j < n; j++)
			json_array_append_new(ls, json_pack("{s:s, s:b}",
			    "address", addr[j], "tls", tls[j]));
		json_array_append_new(cs, json_pack("{s:s, s:o}", "name",
		    carrier_name(sim->carriers[i]), "listen", ls));
	}
	return cs;
}

int
cmd_sim_ready(struct cmd_sim *sim, json_t *extra)
{
	const char *path = sim->opts.ready_file;
	json_t *o;
	char tmp[4096];
	int rc;

	if (path == NULL) {
		json_decref(extra);
		return 0;
	}
	o = json_object();

	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "http", sim->http != NULL ?
	    json_string(sim->http_address) : json_null());
	if (extra != NULL) {
		json_object_update(o, extra);
		json_decref(extra);
	}
	json_object_set_new(o, "carriers", cmd_sim_ready_carriers(sim));
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	rc = json_dump_file(o, tmp, JSON_INDENT(2));
	json_decref(o);
	if (rc == -1 || rename(tmp, path) == -1) {
		fprintf(stderr, "carrierlab %s: --ready-file %s: %s\n",
		    sim->name, path, strerror(errno));
		return -1;
	}
	return 0;
}

void
cmd_sim_stop_http(struct cmd_sim *sim)
{
	sim_http_free(sim->http);
	sim->http = NULL;
}

void
cmd_sim_stop(struct cmd_sim *sim)
{
	size_t i;

	cmd_sim_stop_http(sim);
	for (i = 0; i < sim->ncarriers; i++)
		carrier_free(sim->carriers[i]);
	free(sim->carriers);
	if (sim->store != NULL)
		carrier_store_flush(sim->store);
	carrier_store_close(sim->store);
	if (sim->flush != NULL)
		event_free(sim->flush);
	if (sim->sigint != NULL)
		event_free(sim->sigint);
	if (sim->sigterm != NULL)
		event_free(sim->sigterm);
	if (sim->clock != NULL)
		clock_free(sim->clock);
	if (sim->base != NULL)
		event_base_free(sim->base);
}

int
cmd_sim_main(const struct cmd_sim_command *cmd, struct cmd_sim *sim,
    int argc, char **argv, void *arg)
{
	struct scenario s;
	int rc = 1;

	memset(sim, 0, sizeof *sim);
	sim->name = cmd->name;
	if (cmd_sim_parse(cmd, sim, argc, argv, arg) == -1)
		return 2;
	if (cmd_sim_load(sim, &s) == -1)
		return 1;
	/* A peer gone mid-write is an error on that connection, not the
	 * end of the process. */
	signal(SIGPIPE, SIG_IGN);
	log_route_libevent();
	if (cmd->start(arg, &s) == 0) {
		event_base_dispatch(sim->base);
		rc = 0;
	}
	if (cmd->stop != NULL)
		cmd->stop(arg);
	else
		cmd_sim_stop(sim);
	scenario_release(&s);
	return rc;
}
