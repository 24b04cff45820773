/*
 * cmd-sim: the start-up the commands that run a scenario's simulated
 * carriers share (`carrierlab smsc`, `carrierlab serve`): their common
 * options, loading the scenario with the command line's overrides, the
 * event base and clock, the carriers with their store and its group
 * commit, the /sim/ HTTP listener, the ready file, the stop signals and
 * the teardown. A command describes what is its own in a struct
 * cmd_sim_command (serve: --smsc-db, the gateway and its graceful
 * shutdown) and hands it to cmd_sim_main().
 *
 * Every message names the command: name "smsc" prints
 * "carrierlab smsc: ..." on stderr and logs "smsc ..." lines.
 */
#ifndef CARRIERLAB_SCENARIOS_CMD_SIM_H
#define CARRIERLAB_SCENARIOS_CMD_SIM_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "carriers/carrier.h"

struct clock;
struct carrier_store;
struct scenario;
struct sim_http;

#define CMD_SIM_DEFAULT_DB	"carrierlab.db"

/*
 * The shared long options, for a command's getopt_long() table. The
 * command's own options go between --db and --seed (where serve's
 * --smsc-db always stood, so getopt's lists of possibilities for an
 * ambiguous abbreviation read as before); the table ends with
 * { NULL, 0, NULL, 0 } after this. Their short values are 'H', 'd', 's',
 * 'r', 'c', 'x' and 'l'; a command's own must differ.
 */
#define CMD_SIM_LONGOPTS(...)					\
	{ "http",	 required_argument, NULL, 'H' },	\
	{ "db",		 required_argument, NULL, 'd' },	\
	__VA_ARGS__						\
	{ "seed",	 required_argument, NULL, 's' },	\
	{ "ready-file",	 required_argument, NULL, 'r' },	\
	{ "clock-start", required_argument, NULL, 'c' },	\
	{ "speed",	 required_argument, NULL, 'x' },	\
	{ "log-level",	 required_argument, NULL, 'l' }

struct cmd_sim_opts {
	const char	*file;		/* NULL: the default scenario */
	const char	*http;		/* NULL: the scenario's */
	const char	*db;		/* NULL: the command's default */
	const char	*ready_file;
	const char	*clock_start;
	double		 speed;		/* 1: the scenario's */
	int		 have_seed;
	uint64_t	 seed;
};

struct cmd_sim {
	const char		*name;		/* "smsc", "serve" */
	struct cmd_sim_opts	 opts;
	struct event_base	*base;
	struct clock		*clock;
	struct carrier_store	*store;
	struct carrier		**carriers;
	size_t			 ncarriers;
	struct sim_http		*http;		/* NULL: "none" */
	struct event		*flush;
	struct event		*sigint;
	struct event		*sigterm;
	char			 http_address[CARRIER_ADDR_MAX + 8];
};

/* What a command adds to the shared start-up; arg is its own state. */
struct cmd_sim_command {
	const char		*name;
	const struct option	*longopts;	/* CMD_SIM_LONGOPTS(...) */
	/* One of its own options (NULL: none): 0 when taken, -1 after a
	 * message or for an option it does not know either. */
	int	(*option)(void *arg, int ch, const char *value);
	/* After the command line (NULL: nothing): -1 after a message. */
	int	(*parsed)(void *arg, const struct cmd_sim_opts *o);
	/* Starts it on the loaded scenario: 0 to run the event loop, -1
	 * after a message. */
	int	(*start)(void *arg, struct scenario *s);
	/* Frees what start made, even after a failure, and calls
	 * cmd_sim_stop() (NULL: cmd_sim_stop() alone). */
	void	(*stop)(void *arg);
};

/*
 * Runs cmd: zeroes and names sim, parses argv (argv[0] the command's
 * name) into sim->opts, loads the scenario, starts, runs the event loop
 * until a stop and frees everything. Returns the exit status: 2 for a
 * bad command line, 1 when loading or starting failed, 0 after the loop.
 */
int	cmd_sim_main(const struct cmd_sim_command *cmd, struct cmd_sim *sim,
	    int argc, char **argv, void *arg);

/* One shared option (getopt's ch, optarg as value) into sim->opts: 0
 * when taken, -1 after a message, 1 when it is not a shared option. */
int	cmd_sim_option(struct cmd_sim *sim, int ch, const char *value);
/*
 * Loads the scenario of sim->opts (or the default one) into s and
 * applies --seed (the carriers' and the gateway's) and --clock-start.
 * -1 after a message, with s released.
 */
int	cmd_sim_load(struct cmd_sim *sim, struct scenario *s);

/*
 * Makes sim's event base and real-time clock and opens the carriers'
 * store at store_path; a failure's message names option, the option
 * that chose the path ("--db"). cmd_sim_stop() frees whatever was made,
 * even after a failure.
 */
/* --db, else the scenario's "state", else CMD_SIM_DEFAULT_DB. */
const char *cmd_sim_db(const struct cmd_sim *sim, const struct scenario *s);
int	cmd_sim_open(struct cmd_sim *sim, const struct scenario *s,
	    const char *store_path, const char *option);
int	cmd_sim_start_carriers(struct cmd_sim *sim,
	    const struct scenario *s);
/* The /sim/ and /metrics listener at --http, else the scenario's
 * ("none": no listener); sets http_address to the bound host:port. */
int	cmd_sim_start_http(struct cmd_sim *sim, const struct scenario *s);
/*
 * Starts the store's group commit and the SIGINT and SIGTERM handlers:
 * on_signal(sig, what, arg), or, with on_signal NULL, one that logs and
 * leaves the event loop.
 */
void	cmd_sim_start_events(struct cmd_sim *sim,
	    event_callback_fn on_signal, void *arg);
/*
 * Writes the ready file at --ready-file (none: nothing to do): pid, http
 * (null without a listener), the members of extra (NULL: none; its
 * reference is taken), and every carrier's listen addresses. Written
 * whole then renamed, so a reader never sees half of it.
 */
int	cmd_sim_ready(struct cmd_sim *sim, json_t *extra);

/* Frees the HTTP listener alone, for a command that must free what the
 * listener calls into before the carriers go. */
void	cmd_sim_stop_http(struct cmd_sim *sim);
/* Frees the listener, the carriers (their store flushed), the events,
 * the clock and the base. */
void	cmd_sim_stop(struct cmd_sim *sim);

#endif
