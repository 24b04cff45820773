/*
 * Loading a scenario: the file or string, JSON syntax, the top-level
 * keys (clock, carriers), the checks that span carriers (unique names
 * and ports) and then those that span the gateway's lists
 * (scenario-accounts.c). The rows of every key are in scenario-keys.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "scenarios/scenario-internal.h"

/* "real" or "virtual" alone, or {mode, start, speed}. */
static int
clock_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	const struct scn_key *mode = scn_key_find(k->sub, "mode");

	if (json_is_string(v))
		return mode->type->parse(c, mode, v, base);
	if (!json_is_object(v))
		return scn_fail(c, "must be \"real\", \"virtual\" or "
		    "{\"mode\": ..., \"start\": ..., \"speed\": ...}");
	return scn_walk(c, k->sub, v, base);
}

static json_t *
clock_show(const struct scn_key *k, const void *base)
{
	const struct scenario	*s = base;
	const struct scn_key	*mode = scn_key_find(k->sub, "mode");

	if (s->clock_start == 0 && s->speed == 1)
		return mode->type->show(mode, base);
	return scn_show_table(k->sub, base);
}

const struct scn_type scn_type_clock = {
	.name = "string or object", .parse = clock_parse, .show = clock_show,
};

static int
carrier_name_unique(struct scn_ctx *c, const struct scenario *s, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++) {
		if (strcmp(s->carriers[j].name, s->carriers[i].name) == 0) {
			scn_push_key(c, "name");
			scn_fail(c, "duplicate carrier name \"%s\" (also "
			    "carriers[%zu])", s->carriers[i].name, j);
			scn_pop(c);
			return -1;
		}
	}
	return 0;
}

/* Each carrier starts from carrier_profile_default(), then its keys. */
static int
carriers_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct scenario	*s = base;
	json_t		*item;
	size_t		 i;
	int		 rc, failed = 0;

	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > SCN_MAX_CARRIERS)
		return scn_fail(c, "must be an array of 1 to %d carriers",
		    SCN_MAX_CARRIERS);
	s->carriers = xcalloc(json_array_size(v), sizeof *s->carriers);
	json_array_foreach(v, i, item) {
		carrier_profile_default(&s->carriers[i]);
		s->ncarriers = i + 1;
		scn_push_index(c, i);
		rc = scn_walk(c, scn_carrier_keys, item, &s->carriers[i]);
		if (rc == 0)
			rc = carrier_name_unique(c, s, i);
		scn_pop(c);
		if (rc == -1 && !scn_collect_here(c, 1))
			return -1;
		failed |= rc == -1;
	}
	return failed ? -1 : 0;
}

static json_t *
carriers_show(const struct scn_key *k, const void *base)
{
	const struct scenario	*s = base;
	json_t			*a = json_array();
	size_t			 i;

	for (i = 0; i < s->ncarriers; i++)
		json_array_append_new(a, scn_show_table(scn_carrier_keys,
		    &s->carriers[i]));
	return a;
}

const struct scn_type scn_type_carriers = {
	.name = "array", .parse = carriers_parse, .show = carriers_show,
};

/* The port of a checked "host:port". */
static unsigned
port_of(const char *address)
{
	return (unsigned)strtoul(strrchr(address, ':') + 1, NULL, 10);
}

/*
 * Is the port of carriers[i].listen[j] taken by http or an earlier
 * listener? Port 0 (any free port) never collides. Hosts are not
 * compared: one scenario normally runs on one host.
 */
static int
port_taken(struct scn_ctx *c, const struct scenario *s, size_t i, size_t j)
{
	unsigned	port = port_of(s->carriers[i].listen[j].address);
	size_t		ci, lj;

	if (port == 0)
		return 0;
	if (port == port_of(s->http))
		return scn_fail(c, "port %u is also the http port", port);
	for (ci = 0; ci <= i; ci++) {
		for (lj = 0; lj < s->carriers[ci].nlisten; lj++) {
			if (ci == i && lj == j)
				return 0;
			if (port_of(s->carriers[ci].listen[lj].address) ==
			    port)
				return scn_fail(c, "port %u is also used by "
				    "carriers[%zu].listen[%zu]", port, ci, lj);
		}
	}
	return 0;
}

static int
ports_unique(struct scn_ctx *c, const struct scenario *s)
{
	size_t	i, j;
	int	rc = 0;

	for (i = 0; i < s->ncarriers && rc == 0; i++) {
		for (j = 0; j < s->carriers[i].nlisten && rc == 0; j++) {
			scn_push_key(c, "carriers");
			scn_push_index(c, i);
			scn_push_key(c, "listen");
			scn_push_index(c, j);
			rc = port_taken(c, s, i, j);
			scn_pop(c);
			scn_pop(c);
			scn_pop(c);
			scn_pop(c);
		}
	}
	return rc;
}

/* Parses c->text into s; on error s holds nothing to free. */
static int
scn_load(struct scn_ctx *c, struct scenario *s)
{
	json_error_t	 jerr;
	json_t		*root;
	int		 rc;

	scn_scenario_defaults(s);
	snprintf(s->dir, sizeof s->dir, "%s", c->dir != NULL ? c->dir : ".");
	root = json_loadb(c->text, c->textlen, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(c->err->reason, sizeof c->err->reason, "%s",
		    jerr.text);
		/* jansson says column 0 at the end of an empty text. */
		c->err->line = jerr.line > 0 ? jerr.line : 0;
		c->err->column = jerr.column > 0 ? jerr.column : 1;
		return -1;
	}
	rc = scn_walk(c, scn_top_keys, root, s);
	if (rc == 0)
		rc = ports_unique(c, s);
	if (rc == 0)
		rc = scn_gateway_finish(c, s);
	if (rc == 0)
		rc = scn_timeline_finish(c, s);
	if (rc == 0)
		rc = scn_traffic_finish(c, s);
	if (rc == 0)
		rc = scn_expect_finish(c, s);
	/* The path points into root's strings: errors are written by now. */
	json_decref(root);
	if (rc == -1 && c->nerrs > 0)
		*c->err = c->errs[0];	/* the first, as without collecting */
	if (rc == -1)
		scenario_release(s);
	return rc;
}

int
scenario_load_string(const char *json, const char *dir, struct scenario *s,
    struct scenario_error *err)
{
	struct scn_ctx c = { .err = err, .text = json, .dir = dir };

	memset(err, 0, sizeof *err);
	c.textlen = strlen(json);
	return scn_load(&c, s);
}

/* After a collecting load: the errors, the one before any key first. */
static int
check_done(int rc, struct scenario *s, const struct scenario_error *first,
    struct scenario_error *errs, size_t cap, size_t *n)
{
	if (rc == 0) {
		scenario_release(s);
		return 0;
	}
	/* Syntax and read errors come before any key is walked. */
	if (*n == 0 && cap > 0) {
		errs[0] = *first;
		*n = 1;
	}
	return -1;
}

int
scenario_check_string(const char *json, const char *dir,
    struct scenario_error *errs, size_t cap, size_t *n)
{
	struct scenario_error	first;
	struct scenario		s;
	struct scn_ctx		c = { .err = &first, .text = json,
				    .dir = dir, .errs = errs, .errcap = cap };
	int			rc;

	memset(&first, 0, sizeof first);
	c.textlen = strlen(json);
	rc = scn_load(&c, &s);
	*n = c.nerrs;
	return check_done(rc, &s, &first, errs, cap, n);
}

/* Reads all of f; NULL with errno set, or ERANGE when too large. */
static char *
read_all(FILE *f, size_t *len)
{
	char	*buf = NULL;
	size_t	 cap = 0, n;

	*len = 0;
	for (;;) {
		if (cap - *len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
		if (*len > SCN_TEXT_MAX || ferror(f)) {
			errno = ferror(f) ? EIO : EFBIG;
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
	}
	buf[*len] = '\0';
	return buf;
}

/* A file, stopping at its first error (errs NULL) or collecting them. */
static int
load_file(const char *path, struct scenario *s, struct scenario_error *err,
    struct scenario_error *errs, size_t cap, size_t *nerrs)
{
	struct scn_ctx	 c = { .err = err, .errs = errs, .errcap = cap };
	char		 dir[SCENARIO_PATH_MAX], *slash;
	FILE		*f;
	int		 rc;

	memset(err, 0, sizeof *err);
	memset(s, 0, sizeof *s);
	snprintf(err->file, sizeof err->file, "%s", path);
	if ((f = fopen(path, "r")) == NULL || (c.text = read_all(f,
	    &c.textlen)) == NULL) {
		snprintf(err->reason, sizeof err->reason, "cannot read: %s",
		    strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	/* Relative paths in the file start where the file is. */
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		slash[slash == dir] = '\0';
	c.dir = dir;
	rc = scn_load(&c, s);
	free((char *)c.text);
	if (nerrs != NULL)
		*nerrs = c.nerrs;
	return rc;
}

int
scenario_load_file(const char *path, struct scenario *s,
    struct scenario_error *err)
{
	return load_file(path, s, err, NULL, 0, NULL);
}

int
scenario_check_file(const char *path, struct scenario_error *errs,
    size_t cap, size_t *n)
{
	struct scenario		s;
	struct scenario_error	first;
	int			rc;

	*n = 0;
	rc = load_file(path, &s, &first, errs, cap, n);
	return check_done(rc, &s, &first, errs, cap, n);
}

const char *
scenario_default_json(void)
{
	return (const char *)scenario_default_bytes;
}

int
scenario_load_default(struct scenario *s, struct scenario_error *err)
{
	int rc = scenario_load_string(scenario_default_json(), NULL, s, err);

	if (rc == -1)
		snprintf(err->file, sizeof err->file, "(default scenario)");
	return rc;
}

void
scenario_release(struct scenario *s)
{
	size_t i;

	scn_timeline_release(s);
	scn_traffic_release(s);
	scn_expect_release(s);
	for (i = 0; i < s->ncarriers; i++)
		carrier_profile_release(&s->carriers[i]);
	free(s->carriers);
	s->carriers = NULL;
	s->ncarriers = 0;
	scn_gateway_release(&s->gateway);
}

void
scenario_error_format(const struct scenario_error *e, char *buf, size_t len)
{
	char	where[SCENARIO_PATH_MAX + 32] = "", path[sizeof e->path + 2];

	if (e->file[0] != '\0' && e->line > 0)
		snprintf(where, sizeof where, "%s:%d:%d: ", e->file, e->line,
		    e->column);
	else if (e->file[0] != '\0')
		snprintf(where, sizeof where, "%s: ", e->file);
	else if (e->line > 0)
		snprintf(where, sizeof where, "%d:%d: ", e->line, e->column);
	snprintf(path, sizeof path, "%s%s", e->path, e->path[0] != '\0' ?
	    ": " : "");
	snprintf(buf, len, "%s%s%s", where, path, e->reason);
}

void
scenario_print_errors(FILE *f, const char *file)
{
	struct scenario_error	*errs;
	char			 msg[SCENARIO_PATH_MAX + 1024];
	size_t			 i, n;

	errs = xcalloc(SCENARIO_ERRORS_MAX, sizeof *errs);
	if (scenario_check_file(file, errs, SCENARIO_ERRORS_MAX, &n) == 0)
		n = 0;
	for (i = 0; i < n; i++) {
		scenario_error_format(&errs[i], msg, sizeof msg);
		fprintf(f, "%s\n", msg);
	}
	if (n == SCENARIO_ERRORS_MAX)
		fprintf(f, "%s: more errors not shown (the first %d are)\n",
		    file, SCENARIO_ERRORS_MAX);
	free(errs);
}
