/*
 * libFuzzer target for the Advanced Opt-Out settings reader
 * (gateway_optout_parse, gateway.h), the reader of the admin API's PUT
 * /sim/services/{MG}/opt-out and of the scenario's services[].opt_out.
 * The input is parsed as JSON by jansson's json_loadb from a buffer of
 * exactly its size (not NUL-terminated), as the admin API reads a body.
 *
 * Invariants checked, besides "no crash, no undefined behaviour, no
 * leak":
 * - text that is not JSON fails with jansson's message (the API's
 *   "JSON" error), never reaching the reader;
 * - a refusal has a non-empty reason and a key path: "" only for a
 *   value that is not an object (or its unknown key ""), else under keywords, removed or
 *   replies, or a key of the object (an unknown one, maybe truncated);
 * - accepted settings round-trip: gateway_optout_json parses back and
 *   shows the same JSON again, and so does gateway_optout_dup;
 * - STOP, START and HELP are never removed: each still classifies as
 *   its own type.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gateway/gateway.h"
#include "gateway/optout.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_optout.c:%d: invariant failed: %s\n",
		    line, what);
		abort();
	}
}
#define CHECK(e)	fuzz_check((e) != 0, #e, __LINE__)

/* path names a place in v: a section, or a key of v (maybe cut short). */
static int
fuzz_path_known(const json_t *v, const char *path)
{
	const char	*name;
	json_t		*m;

	if (*path == '\0')	/* v itself, or its key "" (unknown) */
		return !json_is_object(v) || json_object_get(v, "") != NULL;
	if (strncmp(path, "keywords", 8) == 0 ||
	    strncmp(path, "removed", 7) == 0 ||
	    strncmp(path, "replies", 7) == 0)
		return 1;
	json_object_foreach((json_t *)v, name, m)
		if (strncmp(name, path, strlen(path)) == 0)
			return 1;
	return 0;
}

static void
fuzz_fixed(const struct gateway_optout *o)
{
	static const struct {
		const char		*word;
		enum gw_optout_type	 type;
	} fixed[] = {
		{ "STOP", GW_OPTOUT_STOP },
		{ "START", GW_OPTOUT_START },
		{ "HELP", GW_OPTOUT_HELP },
	};
	char	 keyword[GATEWAY_OPTOUT_KEYWORD_MAX];
	char	 language[GATEWAY_OPTOUT_LANGUAGE_MAX];
	size_t	 i, j;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		for (j = 0; j < o->nremoved; j++)
			CHECK(strcmp(o->removed[j], fixed[i].word) != 0);
		CHECK(gw_optout_classify(o, fixed[i].word, keyword,
		    language) == fixed[i].type);
		CHECK(strcmp(keyword, fixed[i].word) == 0);
	}
}

/* o shown as JSON, read back and shown again: the same JSON. */
static void
fuzz_round_trip(const struct gateway_optout *o)
{
	struct gateway_optout	*back, *dup;
	json_t			*j1, *j2, *j3;
	char			 path[128], err[256];

	j1 = gateway_optout_json(o);
	CHECK(j1 != NULL);
	back = gateway_optout_parse(j1, path, sizeof path, err, sizeof err);
	if (back == NULL)
		fprintf(stderr, "round trip refused: %s: %s\n", path, err);
	CHECK(back != NULL);
	j2 = gateway_optout_json(back);
	CHECK(json_equal(j1, j2));
	dup = gateway_optout_dup(o);
	j3 = gateway_optout_json(dup);
	CHECK(json_equal(j1, j3));
	json_decref(j1);
	json_decref(j2);
	json_decref(j3);
	gateway_optout_free(back);
	gateway_optout_free(dup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gateway_optout	*o;
	json_error_t		 je;
	json_t			*v;
	char			 path[128], err[256];

	if ((v = json_loadb((const char *)data, size, 0, &je)) == NULL) {
		CHECK(je.text[0] != '\0');
		return 0;
	}
	path[0] = err[0] = '\0';
	o = gateway_optout_parse(v, path, sizeof path, err, sizeof err);
	if (o == NULL) {
		CHECK(err[0] != '\0');
		CHECK(memchr(path, '\0', sizeof path) != NULL);
		CHECK(fuzz_path_known(v, path));
	} else {
		fuzz_fixed(o);
		fuzz_round_trip(o);
		gateway_optout_free(o);
	}
	json_decref(v);
	return 0;
}
