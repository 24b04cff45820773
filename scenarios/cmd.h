/*
 * carrierlab subcommands: one descriptor each, in the table in main.c.
 */
#ifndef CARRIERLAB_SCENARIOS_CMD_H
#define CARRIERLAB_SCENARIOS_CMD_H

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	const char	*summary;	/* one line for `carrierlab --help` */
	const char	*help;		/* the full text of `carrierlab CMD --help` */
	/* Runs with argv[0] = the command name; returns the exit status. */
	int		(*exec)(int argc, char **argv);
};

extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_pdu_entry;
extern const struct cmd_entry cmd_smsc_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_load_entry;
extern const struct cmd_entry cmd_run_entry;

#endif
