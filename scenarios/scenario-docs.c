/*
 * The key tables as text: the markdown tables of docs/scenarios.md
 * (`carrierlab check --keys`) and a loaded scenario with every default
 * filled in (`carrierlab check --explain`). Both come from the rows the
 * parser reads by, and defaults come from the code that sets them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carriers/fault.h"
#include "common/xmalloc.h"
#include "scenarios/scenario-internal.h"

#define SCN_JSON_FLAGS	(JSON_COMPACT | JSON_ENCODE_ANY | \
	JSON_REAL_PRECISION(15))

/* A table cell: '|' would end it, so it is escaped. */
static void
md_cell(FILE *f, const char *s)
{
	fputs(" ", f);
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputs(" |", f);
}

static void
md_range(FILE *f, const struct scn_key *k)
{
	char buf[96];

	if (k->range != NULL)
		snprintf(buf, sizeof buf, "%s", k->range);
	else if (k->type == &scn_type_uint || k->type == &scn_type_number)
		snprintf(buf, sizeof buf, "%.15g-%.15g", k->min, k->max);
	else if (k->type == &scn_type_dist)
		snprintf(buf, sizeof buf, "see Distributions");
	else if (k->type == &scn_type_duration)
		snprintf(buf, sizeof buf, "%s", (k->flags & SCN_POSITIVE) ?
		    "more than 0" : "0 or more");
	else
		buf[0] = '\0';
	md_cell(f, buf);
}

/* The value base holds for k, which is the default when base is. */
static void
md_default(FILE *f, const struct scn_key *k, const void *base)
{
	json_t	*v;
	char	*text, *cell;

	if (k->flags & SCN_REQUIRED) {
		md_cell(f, "required");
		return;
	}
	if ((k->flags & SCN_RESERVED) || k->type == &scn_type_object) {
		md_cell(f, "");		/* nothing, or its members below */
		return;
	}
	if ((v = k->type->show(k, base)) == NULL) {
		md_cell(f, "none");
		return;
	}
	text = json_dumps(v, SCN_JSON_FLAGS);
	json_decref(v);
	xasprintf(&cell, "`%s`", text != NULL ? text : "");
	md_cell(f, cell);
	free(cell);
	free(text);
}

/* Rows of table, then the rows of each key's members, prefixed. */
static void
md_rows(FILE *f, const struct scn_key *table, const char *prefix,
    const void *base)
{
	const struct scn_key	*k;
	char			*name, *sub;

	for (k = table; k->name != NULL; k++) {
		xasprintf(&name, "`%s%s`", prefix, k->name);
		fputs("|", f);
		md_cell(f, name);
		md_cell(f, k->type->name);
		md_range(f, k);
		md_default(f, k, base);
		md_cell(f, k->help != NULL ? k->help : "");
		fputs("\n", f);
		free(name);
		if (k->sub == NULL)
			continue;
		xasprintf(&sub, "%s%s%s.", prefix, k->name,
		    k->item != NULL ? k->item : "");
		md_rows(f, k->sub, sub, k->item_default != NULL ?
		    k->item_default : base);
		free(sub);
	}
}

static void
md_table(FILE *f, const char *title, const struct scn_key *table,
    const void *base)
{
	fprintf(f, "### %s\n\n", title);
	fputs("| key | type | range | default | meaning |\n"
	    "|-----|------|-------|---------|---------|\n", f);
	md_rows(f, table, "", base);
}

void
scn_keys_markdown(FILE *f)
{
	struct scenario		 s;
	struct carrier_profile	*p = xcalloc(1, sizeof *p);

	scn_scenario_defaults(&s);
	carrier_profile_default(p);
	md_table(f, "Top-level keys", scn_top_keys, &s);
	fputs("\n", f);
	md_table(f, "Carrier keys", scn_carrier_keys, p);
	carrier_profile_release(p);
	free(p);
}

/* A parameter's default, as the JSON it is written in. */
static void
md_param_default(FILE *f, const struct carrier_param *p)
{
	json_t	*v = json_loads(p->def, JSON_DECODE_ANY, NULL);
	char	*text = v != NULL ? json_dumps(v, SCN_JSON_FLAGS) : NULL;
	char	*cell;

	xasprintf(&cell, "`%s`", text != NULL ? text : p->def);
	md_cell(f, cell);
	free(cell);
	free(text);
	json_decref(v);
}

/* One row for the switch (its summary), one per parameter. */
static void
md_switch(FILE *f, const struct carrier_switch *sw)
{
	const struct carrier_param	*p;
	char				*name, *param, range[160];

	xasprintf(&name, "`%s`", sw->name);
	fputs("|", f);
	md_cell(f, name);
	md_cell(f, "");
	md_cell(f, "");
	md_cell(f, "");
	md_cell(f, "");
	md_cell(f, sw->summary);
	fputs("\n", f);
	for (p = sw->params; p != NULL && p->name != NULL; p++) {
		xasprintf(&param, "`%s`", p->name);
		carrier_param_range(p, range, sizeof range);
		fputs("|", f);
		md_cell(f, name);
		md_cell(f, param);
		md_cell(f, carrier_param_type_name(p->type));
		md_cell(f, range);
		md_param_default(f, p);
		md_cell(f, p->help);
		fputs("\n", f);
		free(param);
	}
	free(name);
}

void
scn_switches_markdown(FILE *f)
{
	static const enum carrier_switch_kind kinds[] = {
		CARRIER_SWITCH_FAULT, CARRIER_SWITCH_QUIRK,
	};
	const struct carrier_switch	*t;
	size_t				 k, i, n;

	for (k = 0; k < 2; k++) {
		t = carrier_switch_table(kinds[k], &n);
		fprintf(f, "%s### %s\n\n", k > 0 ? "\n" : "",
		    kinds[k] == CARRIER_SWITCH_FAULT ? "Faults" : "Quirks");
		fprintf(f, "| %s | parameter | type | range | default | "
		    "meaning |\n|---|---|---|---|---|---|\n",
		    carrier_switch_kind_name(kinds[k]));
		for (i = 0; i < n; i++)
			md_switch(f, &t[i]);
	}
}

char *
scenario_switches_markdown(void)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	scn_switches_markdown(f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *
scenario_keys_markdown(void)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	scn_keys_markdown(f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *
scenario_explain(const struct scenario *s)
{
	json_t	*o = scn_show_table(scn_top_keys, s);
	char	*text;

	text = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(o);
	return text;
}
