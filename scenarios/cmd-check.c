/*
 * carrierlab check: validates scenario files before anything runs them,
 * shows what a scenario means once every default is filled in, and
 * prints the key tables the manual is made from.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "scenarios/cmd.h"
#include "scenarios/scenario.h"

struct check_opts {
	int	explain;
	int	keys;
	int	faults;
	int	use_default;
};

/* One scenario: a file, or the embedded default when file is NULL. */
static int
check_one(const char *file, const struct check_opts *opts)
{
	struct scenario		 s;
	struct scenario_error	*err = xcalloc(1, sizeof *err);
	char			 msg[SCENARIO_PATH_MAX + 600], *text;
	int			 rc;

	rc = file != NULL ? scenario_load_file(file, &s, err) :
	    scenario_load_default(&s, err);
	if (rc == -1) {
		/* A file gets every error it has, not only the first. */
		if (file != NULL)
			scenario_print_errors(stderr, file);
		else {
			scenario_error_format(err, msg, sizeof msg);
			fprintf(stderr, "%s\n", msg);
		}
		free(err);
		return 1;
	}
	free(err);
	if (opts->explain) {
		if ((text = scenario_explain(&s)) == NULL) {
			fprintf(stderr, "carrierlab check: out of memory\n");
			rc = 1;
		} else
			puts(text);
		free(text);
	} else
		printf("%s: ok (%zu carrier%s, %zu timeline action%s, %zu "
		    "traffic generator%s, %zu expectation%s)\n",
		    file != NULL ? file : "default scenario", s.ncarriers,
		    s.ncarriers == 1 ? "" : "s", s.ntimeline,
		    s.ntimeline == 1 ? "" : "s", s.ntraffic,
		    s.ntraffic == 1 ? "" : "s", s.nexpect,
		    s.nexpect == 1 ? "" : "s");
	scenario_release(&s);
	return rc;
}

static int
check_keys(int faults)
{
	char *text = faults ? scenario_switches_markdown() :
	    scenario_keys_markdown();

	if (text == NULL) {
		fprintf(stderr, "carrierlab check: out of memory\n");
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}

static int
cmd_check_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "default", no_argument, NULL, 'd' },
		{ "explain", no_argument, NULL, 'e' },
		{ "keys", no_argument, NULL, 'k' },
		{ "faults", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_opts	opts = { 0, 0, 0, 0 };
	int			ch, i, failed = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "dekf", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': opts.use_default = 1; break;
		case 'e': opts.explain = 1; break;
		case 'k': opts.keys = 1; break;
		case 'f': opts.faults = 1; break;
		default:
			fprintf(stderr, "usage: carrierlab check [--explain] "
			    "[--keys] [--faults] [--default] [FILE...]\n");
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if ((opts.keys || opts.faults) && argc == 0 && !opts.use_default)
		return (opts.keys && check_keys(0) != 0) ||
		    (opts.faults && check_keys(1) != 0) ? 1 : 0;
	if (opts.keys && check_keys(0) != 0)
		return 1;
	if (opts.faults && check_keys(1) != 0)
		return 1;
	/* Nothing named: the scenario `carrierlab serve` would run. */
	if (opts.use_default || argc == 0)
		failed += check_one(NULL, &opts);
	for (i = 0; i < argc; i++)
		failed += check_one(argv[i], &opts);
	/* 2 for an invalid file, as `carrierlab run` exits for one. */
	return failed > 0 ? 2 : 0;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "[--explain] [--keys] [--faults] [--default] [FILE...]",
	.summary = "validate scenario files",
	.help =
	    "Loads each scenario FILE as `carrierlab run` and `serve` would "
	    "and prints\n\"FILE: ok (N carriers)\", or the first error as\n"
	    "\"FILE:LINE:COLUMN: key.path: reason\" on stderr. With no FILE, "
	    "or with\n--default, checks the embedded default scenario. The "
	    "exit status is 1 if\nany scenario has an error, 2 for a bad "
	    "option.\n\n"
	    "Options:\n"
	    "  --explain   print each scenario as JSON with every default "
	    "filled in\n"
	    "              (relative paths shown resolved); the output loads "
	    "back\n"
	    "              to the same scenario\n"
	    "  --keys      print the tables of scenario keys (name, type, "
	    "range,\n"
	    "              default, meaning) as markdown, as in "
	    "docs/scenarios.md\n"
	    "  --faults    print the tables of faults and quirks and their "
	    "parameters\n"
	    "              the same way\n"
	    "  --default   check (or explain) the embedded default scenario "
	    "too\n\n"
	    "Examples:\n"
	    "  carrierlab check outage.json\n"
	    "  carrierlab check --explain > effective.json\n"
	    "  carrierlab check --keys\n"
	    "  carrierlab check --faults\n",
	.exec = cmd_check_exec,
};
