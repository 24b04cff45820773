/*
 * The engine's view of the expectations array: its items' type is
 * scenarios/expect.h's, which the rest of the engine does not include.
 */
#include "config.h"

#include "scenarios/engine-internal.h"
#include "scenarios/expect.h"
#include "scenarios/scenario.h"

const struct scenario_expect *
engine_expect_item(const struct scenario *s, size_t i)
{
	return &s->expect[i];
}

int
engine_expect_at(const struct scenario_expect *x, int64_t *at)
{
	if (x->at == EXPECT_AT_END)
		return 1;
	*at = x->at;
	return 0;
}

const char *
engine_expect_why(const struct scenario_expect *x)
{
	return x->why;
}

