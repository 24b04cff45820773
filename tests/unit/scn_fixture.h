/*
 * What the scenario loader's unit tests do alike: scenarios written in C
 * strings with ' for " (so that they read without escapes), loaded and
 * expected to load, or to fail at a key path with a reason.
 */
#ifndef CARRIERLAB_TESTS_UNIT_SCN_FIXTURE_H
#define CARRIERLAB_TESTS_UNIT_SCN_FIXTURE_H

#include "scenarios/scenario.h"

/* The JSON of q, with every ' turned into "; the caller frees it. */
char	*scnfx_json(const char *q);
/* Loads q into s as scenario_load_string() does. */
int	 scnfx_load(const char *q, struct scenario *,
	    struct scenario_error *);
/* Fails the test with err written out after what. */
void	 scnfx_fail_with(const struct scenario_error *, const char *what);
/* Loads q into s, or fails the test with the error. */
void	 scnfx_load_ok(const char *q, struct scenario *s);
/* Loading q fails at path with exactly reason (' for " in both). */
void	 scnfx_load_fails(const char *q, const char *path,
	    const char *reason);
/* Loading q fails at path; err keeps the reason for the caller. */
void	 scnfx_load_bad(const char *q, struct scenario *s,
	    struct scenario_error *err, const char *path);
/* Loads the --explain text of s into again (the caller releases it), which
 * must explain to the same text. */
void	 scnfx_explain_round_trip(const struct scenario *s,
	    struct scenario *again);

#endif
