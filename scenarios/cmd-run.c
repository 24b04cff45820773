/*
 * carrierlab run: scenario files to a verdict. Every file is checked
 * first (an invalid one: its errors, exit 2, nothing runs); then each
 * runs in turn on its own stack (scenarios/engine.c), its summary table
 * goes to stdout, and --junit / --report write all of them at the end.
 * Exit 0 when every expectation of every file passed, 1 otherwise.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "scenarios/cmd.h"
#include "scenarios/run.h"
#include "scenarios/scenario.h"

#define RUN_EXIT_FAIL		1
#define RUN_EXIT_INVALID	2

struct run_opts {
	const char	*junit;
	const char	*html;
	const char	*dir;
	int		 have_seed;
	uint64_t	 seed;
	int		 timing;
	int		 quiet;
	int		 progress;	/* -1: when stderr is a terminal */
};

static const struct option run_longopts[] = {
	{ "seed",	required_argument,	NULL, 's' },
	{ "junit",	required_argument,	NULL, 'j' },
	{ "report",	required_argument,	NULL, 'R' },
	{ "dir",	required_argument,	NULL, 'D' },
	{ "timing",	no_argument,		NULL, 't' },
	{ "quiet",	no_argument,		NULL, 'q' },
	{ "progress",	no_argument,		NULL, 'p' },
	{ "no-progress", no_argument,		NULL, 'P' },
	{ "log-level",	required_argument,	NULL, 'l' },
	{ NULL,		0,			NULL, 0 },
};

static int
run_parse(int argc, char **argv, struct run_opts *o)
{
	enum log_level	 level;
	char		*end;
	int		 ch;

	memset(o, 0, sizeof *o);
	o->progress = -1;
	/* A scenario makes things fail on purpose: their warnings are the
	 * report's business, not the terminal's. */
	log_set_level(LOG_LEVEL_ERROR);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", run_longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			errno = 0;
			o->seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '-' ||
			    optarg[0] == '\0') {
				fprintf(stderr, "carrierlab run: --seed: \"%s\" "
				    "is not a number\n", optarg);
				return -1;
			}
			o->have_seed = 1;
			break;
		case 'j': o->junit = optarg; break;
		case 'R': o->html = optarg; break;
		case 'D': o->dir = optarg; break;
		case 't': o->timing = 1; break;
		case 'q': o->quiet = 1; break;
		case 'p': o->progress = 1; break;
		case 'P': o->progress = 0; break;
		case 'l':
			if (log_level_parse(optarg, &level) == -1) {
				fprintf(stderr, "carrierlab run: --log-level: "
				    "error, warn, info or debug\n");
				return -1;
			}
			log_set_level(level);
			break;
		default:
			return -1;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "carrierlab run: which scenario? (carrierlab "
		    "run FILE...)\n");
		return -1;
	}
	if (o->dir != NULL && argc - optind > 1) {
		fprintf(stderr, "carrierlab run: --dir keeps the stores of one "
		    "run: give one FILE\n");
		return -1;
	}
	if (o->progress == -1)
		o->progress = isatty(STDERR_FILENO);
	return 0;
}

/* Loads every file; on any error prints them all and returns -1. */
static int
run_load_all(char **files, size_t n, const struct run_opts *o,
    struct scenario *s)
{
	struct scenario_error	err;
	size_t			i;
	int			bad = 0;

	for (i = 0; i < n; i++) {
		if (scenario_load_file(files[i], &s[i], &err) == -1) {
			scenario_print_errors(stderr, files[i]);
			memset(&s[i], 0, sizeof s[i]);
			bad = 1;
			continue;
		}
		if (o->have_seed) {
			s[i].seed = o->seed;
			s[i].gateway.seed = o->seed;
		}
	}
	if (!bad)
		return 0;
	for (i = 0; i < n; i++)
		scenario_release(&s[i]);
	return -1;
}

static int
run_write(const char *path, const char *what,
    int (*write)(FILE *, const struct report *const *, size_t),
    const struct report *const *reports, size_t n)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || write(f, reports, n) == -1 || fclose(f) == EOF) {
		fprintf(stderr, "carrierlab run: %s %s: %s\n", what, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
cmd_run_exec(int argc, char **argv)
{
	struct run_opts		  o;
	struct engine_options	  eo;
	struct scenario		 *s;
	struct engine		**e;
	struct report		 *r;
	const struct report	**rp;
	size_t			  n, i;
	int			  rc = 0;

	if (run_parse(argc, argv, &o) == -1)
		return RUN_EXIT_INVALID;
	n = (size_t)(argc - optind);
	s = xcalloc(n, sizeof *s);
	if (run_load_all(argv + optind, n, &o, s) == -1) {
		free(s);
		return RUN_EXIT_INVALID;
	}
	signal(SIGPIPE, SIG_IGN);
	log_route_libevent();
	e = xcalloc(n, sizeof *e);
	r = xcalloc(n, sizeof *r);
	rp = xcalloc(n, sizeof *rp);
	memset(&eo, 0, sizeof eo);
	eo.dir = o.dir;
	eo.progress = o.progress;
	for (i = 0; i < n; i++) {
		e[i] = engine_new(&s[i], &eo);
		engine_run(e[i]);
		engine_report(e[i], argv[optind + i], &r[i]);
		rp[i] = &r[i];
		if (!o.quiet) {
			report_text(stdout, &r[i], o.timing);
			if (i + 1 < n)
				fputc('\n', stdout);
		}
		if (engine_verdict(e[i]) != 0)
			rc = RUN_EXIT_FAIL;
	}
	fflush(stdout);
	if (o.junit != NULL && run_write(o.junit, "--junit", report_junit, rp,
	    n) == -1)
		rc = RUN_EXIT_FAIL;
	if (o.html != NULL && run_write(o.html, "--report", report_html, rp,
	    n) == -1)
		rc = RUN_EXIT_FAIL;
	for (i = 0; i < n; i++) {
		engine_free(e[i]);
		scenario_release(&s[i]);
	}
	free(e);
	free(r);
	free(rp);
	free(s);
	return rc;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "[OPTIONS] FILE...",
	.summary = "run scenarios to a verdict",
	.help =
	    "Runs each scenario FILE (docs/scenarios.md) on its own carriers, "
	    "gateway and\nHTTP listener, on ephemeral ports of 127.0.0.1 and "
	    "stores in a temporary\ndirectory: its timeline, its traffic, "
	    "then its expectations. Prints a\nsummary table per file. "
	    "\"clock\": \"virtual\" runs hours of scenario time in\nseconds; "
	    "the same seed gives the same report.\n\n"
	    "Options:\n"
	    "  --seed N          override every file's seed\n"
	    "  --junit FILE      write JUnit XML (a testcase per "
	    "expectation)\n"
	    "  --report FILE     write one self-contained HTML page: timeline "
	    "charts and\n"
	    "                    the expectations\n"
	    "  --dir DIR         keep the stores (gateway.db, carriers.db) in "
	    "DIR (one FILE)\n"
	    "  --timing          add the wall-clock time to the summary\n"
	    "  --quiet           no summary table (the exit status and the "
	    "files say it)\n"
	    "  --progress, --no-progress\n"
	    "                    a progress line on stderr (default: when it "
	    "is a terminal)\n"
	    "  --log-level LEVEL error (default), warn, info or debug\n\n"
	    "Exit status: 0 every expectation passed, 1 one failed (or a run "
	    "could not\nrun), 2 a file is invalid (nothing runs) or the "
	    "command line is wrong.\n\n"
	    "Example:\n"
	    "  carrierlab run scenarios/shortcode-outage.json --junit "
	    "junit.xml \\\n"
	    "    --report report.html\n",
	.exec = cmd_run_exec,
};
