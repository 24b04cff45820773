/*
 * carrierlab smsc: the simulated carrier SMSCs of a scenario, alone, for
 * testing an SMPP client, with the /sim/ control routes and /metrics.
 */
#include "config.h"

#include "common/log.h"
#include "scenarios/cmd.h"
#include "scenarios/cmd-sim.h"
#include "scenarios/scenario.h"

static const struct option smsc_longopts[] = {
	CMD_SIM_LONGOPTS(),
	{ NULL,			0,			NULL, 0 },
};

static int
smsc_start(void *arg, struct scenario *s)
{
	struct cmd_sim *m = arg;
	const char *db = cmd_sim_db(m, s);

	if (cmd_sim_open(m, s, db, "--db") == -1 ||
	    cmd_sim_start_carriers(m, s) == -1 ||
	    cmd_sim_start_http(m, s) == -1)
		return -1;
	cmd_sim_start_events(m, NULL, NULL);
	log_info("smsc ready carriers=%zu http=%s db=%s seed=%llu",
	    m->ncarriers, m->http != NULL ? m->http_address : "none", db,
	    (unsigned long long)s->seed);
	return cmd_sim_ready(m, NULL);
}

static const struct cmd_sim_command smsc_command = {
	.name = "smsc",
	.longopts = smsc_longopts,
	.start = smsc_start,
};

static int
cmd_smsc_exec(int argc, char **argv)
{
	struct cmd_sim m;

	return cmd_sim_main(&smsc_command, &m, argc, argv, &m);
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
