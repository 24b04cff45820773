/*
 * libFuzzer target for the scenario loader (scenarios/), which reads files
 * users write by hand and tools generate. Besides "no crash, no undefined
 * behaviour, no leak", a file that loads must explain itself as JSON that
 * loads again to the same explanation, and an error must name a position
 * inside the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/scenario.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_scenario.c:%d: invariant failed: %s\n",
		    line, what);
		abort();
	}
}
#define CHECK(e)	fuzz_check((e) != 0, #e, __LINE__)

static void
fuzz_round_trip(const struct scenario *s)
{
	struct scenario again;
	struct scenario_error err;
	char *first = scenario_explain(s), *second;

	CHECK(first != NULL);
	CHECK(scenario_load_string(first, ".", &again, &err) == 0);
	second = scenario_explain(&again);
	CHECK(second != NULL && strcmp(first, second) == 0);
	free(first);
	free(second);
	scenario_release(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct scenario s;
	struct scenario_error err, errs[8];
	char *text = malloc(len + 1), buf[2048];
	size_t i, n;

	if (text == NULL)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	if (scenario_load_string(text, ".", &s, &err) == 0) {
		fuzz_round_trip(&s);
		scenario_release(&s);
		CHECK(scenario_check_string(text, ".", errs, 8, &n) == 0 &&
		    n == 0);
	} else {
		CHECK(err.reason[0] != '\0');
		CHECK(err.line >= 0 && err.column >= 0);
		scenario_error_format(&err, buf, sizeof buf);
		/* Collecting goes on past bad keys: it must find the same
		 * first error, and every error it finds is whole. */
		CHECK(scenario_check_string(text, ".", errs, 8, &n) == -1);
		CHECK(n >= 1 && n <= 8);
		CHECK(strcmp(errs[0].path, err.path) == 0 &&
		    strcmp(errs[0].reason, err.reason) == 0);
		for (i = 0; i < n; i++)
			CHECK(errs[i].reason[0] != '\0');
	}
	free(text);
	return 0;
}
