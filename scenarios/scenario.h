/*
 * Scenario files: the one place that reads them. A scenario is JSON; this
 * module checks every key against the key tables and fills the typed
 * configuration structs each module defines (struct carrier_profile, ...).
 * Nothing else in carrierlab parses a scenario.
 *
 * Errors name the key's path and the reason, as a user would write it:
 *   carriers[1].outcomes.DELIVRD: must be between 0 and 1
 * with the line and column of that key in the text (JSON syntax errors:
 * where the parser stopped). The keys, their types, ranges and help are
 * one table (scenarios/scenario-keys.c) that also prints the manual's.
 */
#ifndef CARRIERLAB_SCENARIOS_SCENARIO_H
#define CARRIERLAB_SCENARIOS_SCENARIO_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "common/clock.h"
#include "carriers/profile.h"
#include "gateway/gateway.h"

#define SCENARIO_PATH_MAX	1024

struct scenario_error {
	char		 file[SCENARIO_PATH_MAX];	/* "" for strings */
	char		 path[256];	/* "carriers[1].outcomes.DELIVRD" */
	char		 reason[512];
	int		 line;		/* of the syntax error or of the key
					   at path; 0: none (unreadable
					   file) */
	int		 column;	/* in characters, from 1 */
};

struct scenario {
	char		 name[128];
	char		 description[512];
	uint64_t	 seed;
	enum clock_mode	 clock;		/* "real" (default) or "virtual" */
	int64_t		 clock_start;	/* usec since epoch; 0: wall clock */
	double		 speed;		/* real mode factor, default 1 */
	char		 http[CARRIER_ADDR_MAX];	/* "127.0.0.1:8080" */
	char		 admin_token[128];	/* "" : none */
	char		 state[SCENARIO_PATH_MAX];	/* sqlite file */
	char		 dir[SCENARIO_PATH_MAX];	/* relative paths */
	struct carrier_profile *carriers;
	size_t		 ncarriers;
	/*
	 * The gateway's accounts, numbers, services, routes and settings
	 * (top-level "accounts", "numbers", "services" and "gateway"),
	 * every default filled; seed is the scenario's. Freed by
	 * scenario_release().
	 */
	struct gateway_config gateway;
	/* 1 when the file gave no gateway.routes and the routes were made
	 * from the carriers: one per carrier, named after it, to its first
	 * listener (which `serve` rewrites once a port 0 is bound). */
	int		 gateway_routes_derived;

	/*
	 * What `carrierlab run` drives (scenarios/run.h): the timeline's
	 * actions in file order (scenarios/timeline.h), the traffic
	 * generators (scenarios/traffic.h) and the expectations
	 * (scenarios/expect.h). Each part's loader fills its array and its
	 * release function frees it (scenario_release() calls them).
	 */
	struct scenario_action	*timeline;
	size_t			 ntimeline;
	struct scenario_traffic	*traffic;
	size_t			 ntraffic;
	struct scenario_expect	*expect;
	size_t			 nexpect;
	/* "duration": the run lasts exactly this long (clock time); 0: until
	 * it has settled (nothing held, timeline over, every message final,
	 * no callback pending), at most max_duration. */
	int64_t			 duration;
	int64_t			 max_duration;	/* default 1d */
	char			 comment[4096];	/* for the reader */
};

/* Returns 0, or -1 with err filled; on error s holds nothing to free. */
int	scenario_load_file(const char *path, struct scenario *s,
	    struct scenario_error *err);
/*
 * Checks a file reporting every error it can, not only the first: a bad
 * top-level key does not stop the reading of the next, nor a bad item of
 * a top-level list the next item (within an item the first error ends
 * it; the checks across lists, which need every key read, run only on a
 * file without other errors).
 * Up to cap errors in file order go into errs, *n of them; 0 when the
 * file is valid. errs[i].file is path for each.
 */
#define SCENARIO_ERRORS_MAX	50
int	scenario_check_file(const char *path, struct scenario_error *errs,
	    size_t cap, size_t *n);
int	scenario_check_string(const char *json, const char *dir,
	    struct scenario_error *errs, size_t cap, size_t *n);
/* Every error of file on f, one "file:line:column: path: reason" a line
 * (scenario_check_file()), and a last line when there were more than
 * SCENARIO_ERRORS_MAX. */
void	scenario_print_errors(FILE *f, const char *file);
/* dir resolves relative paths (TLS files); NULL means ".". */
int	scenario_load_string(const char *json, const char *dir,
	    struct scenario *s, struct scenario_error *err);
/* The embedded default scenario (scenarios/default.json). */
int	scenario_load_default(struct scenario *s, struct scenario_error *err);
const char *scenario_default_json(void);
void	scenario_release(struct scenario *s);

/* What a route derived from carrier p takes: a bit (1 << enum
 * gateway_sender_kind) per sender kind, and MMS. */
void	scenario_route_accepts(const struct carrier_profile *p,
	    unsigned *kinds, int *mms);

/* "file:line:column: path: reason" in buf; empty parts left out. */
void	scenario_error_format(const struct scenario_error *, char *buf,
	    size_t len);

/*
 * The effective configuration of s as indented JSON, every default filled
 * in; it loads back to the same scenario. NULL on allocation failure;
 * the caller frees it.
 */
char	*scenario_explain(const struct scenario *s);
/* The key tables of docs/scenarios.md, as markdown; the caller frees it. */
char	*scenario_keys_markdown(void);
/* The tables of faults and quirks and their parameters, the same way. */
char	*scenario_switches_markdown(void);

#endif
