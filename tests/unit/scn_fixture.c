/*
 * Scenario loading for the unit tests (scn_fixture.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tests/unit/scn_fixture.h"

char *
scnfx_json(const char *q)
{
	char *s = strdup(q), *p;

	ck_assert_ptr_nonnull(s);
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

int
scnfx_load(const char *q, struct scenario *s, struct scenario_error *err)
{
	char	*json = scnfx_json(q);
	int	 rc;

	rc = scenario_load_string(json, NULL, s, err);
	free(json);
	return rc;
}

void
scnfx_fail_with(const struct scenario_error *err, const char *what)
{
	char msg[2048];

	scenario_error_format(err, msg, sizeof msg);
	ck_abort_msg("%s: %s", what, msg);
}

void
scnfx_load_ok(const char *q, struct scenario *s)
{
	struct scenario_error err;

	if (scnfx_load(q, s, &err) == -1)
		scnfx_fail_with(&err, q);
}

void
scnfx_load_fails(const char *q, const char *path, const char *reason)
{
	struct scenario		 s;
	struct scenario_error	 err;
	char			*want = scnfx_json(reason);

	ck_assert_msg(scnfx_load(q, &s, &err) == -1, "%s loaded", q);
	ck_assert_str_eq(err.path, path);
	ck_assert_str_eq(err.reason, want);
	free(want);
}

void
scnfx_load_bad(const char *q, struct scenario *s, struct scenario_error *err,
    const char *path)
{
	ck_assert_msg(scnfx_load(q, s, err) == -1, "loaded: %s", q);
	ck_assert_msg(strcmp(err->path, path) == 0,
	    "%s: path \"%s\", want \"%s\" (%s)", q, err->path, path,
	    err->reason);
}

void
scnfx_explain_round_trip(const struct scenario *s, struct scenario *again)
{
	struct scenario_error	 err;
	char			*one = scenario_explain(s), *two;

	ck_assert_ptr_nonnull(one);
	if (scenario_load_string(one, NULL, again, &err) == -1)
		scnfx_fail_with(&err, one);
	two = scenario_explain(again);
	ck_assert_str_eq(one, two);
	free(one);
	free(two);
}
