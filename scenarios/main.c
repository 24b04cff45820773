/*
 * carrierlab: the command line. Each subcommand is a struct cmd_entry;
 * this file only finds the entry and prints help.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "scenarios/cmd.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_serve_entry,
	&cmd_smsc_entry,
	&cmd_load_entry,
	&cmd_run_entry,
	&cmd_check_entry,
	&cmd_pdu_entry,
};

#define CMD_COUNT (sizeof cmd_table / sizeof cmd_table[0])

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: carrierlab [--help] [--version] COMMAND [ARGS]\n\n"
	    "carrierlab simulates carrier SMSCs and a Twilio-compatible SMS "
	    "gateway.\n\nCommands:\n");
	for (i = 0; i < CMD_COUNT; i++)
		fprintf(f, "  %-6s %-12s %s\n", cmd_table[i]->name,
		    cmd_table[i]->usage, cmd_table[i]->summary);
	fprintf(f, "\nRun `carrierlab COMMAND --help` for a command's "
	    "options.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	/*
	 * sqlite counts every allocation for sqlite3_memory_used(), which
	 * nothing here reads, under a process-wide mutex: a lock and an
	 * unlock per malloc and free on both stores' worker threads. Off,
	 * before sqlite initializes.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			for (i = 0; i < CMD_COUNT; i++)
				if (strcmp(argv[2], cmd_table[i]->name) == 0) {
					fputs(cmd_table[i]->help, stdout);
					return 0;
				}
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("carrierlab %s\nallocator: %s (%s)\n", PACKAGE_VERSION,
		    CARRIERLAB_ALLOCATOR, CARRIERLAB_ALLOCATOR_VERSION);
		return 0;
	}
	for (i = 0; i < CMD_COUNT; i++) {
		const struct cmd_entry *ce = cmd_table[i];

		if (strcmp(argv[1], ce->name) != 0)
			continue;
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
		    strcmp(argv[2], "-h") == 0)) {
			printf("usage: carrierlab %s %s\n\n", ce->name,
			    ce->usage);
			fputs(ce->help, stdout);
			return 0;
		}
		return ce->exec(argc - 1, argv + 1);
	}
	fprintf(stderr, "carrierlab: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
