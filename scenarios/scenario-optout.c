/*
 * services[].opt_out: a service's Advanced Opt-Out settings. The value
 * is read by gateway_optout_parse(), the same reader as the admin API's
 * PUT /sim/services/{MG}/opt-out, so a file and a request cannot be held
 * to different rules; its mistakes come back with their key path, which
 * is pushed here so the error has the file's line and column too.
 *
 * The member rows below describe struct gateway_optout field by field for
 * the docs table (`carrierlab check --keys`): their defaults are shown
 * from scn_optout_default, which is what a service without opt_out gets.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"
#include "gateway/optout.h"
#include "scenarios/scenario-internal.h"

#define GO(f)		offsetof(struct gateway_optout, f)
#define GOK(f)		offsetof(struct gateway_optout_keyword, f)
#define GOKSIZE(f)	sizeof(((struct gateway_optout_keyword *)0)->f)
#define GOR(c, f)	(GO(replies) + (c) * \
	sizeof(struct gateway_optout_reply) + \
	offsetof(struct gateway_optout_reply, f))

#define FIELD(base, off)	((char *)(base) + (off))
#define CFIELD(base, off)	((const char *)(base) + (off))

/* ---- The key: its value through the gateway's reader. ---- */

/* "keywords[2].class" pushed as segments onto c's path; names (as long
 * as path) keeps the names alive while they are on it. Returns how many
 * were pushed. */
static size_t
optout_push_path(struct scn_ctx *c, const char *path, char *names)
{
	size_t n = 0, len;
	char *end;

	while (*path != '\0') {
		if (*path == '.') {
			path++;
			continue;
		}
		if (*path == '[') {
			scn_push_index(c, strtoul(path + 1, &end, 10));
			path = *end == ']' ? end + 1 : end;
			n++;
			continue;
		}
		len = strcspn(path, ".[");
		memcpy(names, path, len);
		names[len] = '\0';
		scn_push_key(c, names);
		names += len + 1;
		path += len;
		n++;
	}
	return n;
}

static int
optout_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	struct gateway_optout **slot = (struct gateway_optout **)FIELD(base,
	    k->off);
	struct gateway_optout *o;
	char path[256], names[256], err[256];
	size_t n;
	int rc;

	if ((o = gateway_optout_parse(v, path, sizeof path, err,
	    sizeof err)) == NULL) {
		n = optout_push_path(c, path, names);
		rc = scn_fail(c, "%s", err);
		while (n-- > 0)
			scn_pop(c);
		return rc;
	}
	gateway_optout_free(*slot);
	*slot = o;
	return 0;
}

static json_t *
optout_show(const struct scn_key *k, const void *base)
{
	const struct gateway_optout *o;

	memcpy(&o, CFIELD(base, k->off), sizeof o);
	return o != NULL ? gateway_optout_json(o) : NULL;
}

const struct scn_type scn_type_optout = {
	.name = "object", .parse = optout_parse, .show = optout_show,
};

/* ---- Member types, for the docs: never parsed on their own. ---- */

static int
optout_member_parse(struct scn_ctx *c, const struct scn_key *k, json_t *v,
    void *base)
{
	(void)k;
	(void)v;
	(void)base;
	return scn_fail(c, "read with services[].opt_out as a whole");
}

/* A reply's text: set, or Twilio's default for its class (whose index
 * the field's offset gives). */
static json_t *
optout_text_show(const struct scn_key *k, const void *base)
{
	const char *text;
	size_t c = (k->off - GOR(0, text)) /
	    sizeof(struct gateway_optout_reply);
	json_t *d, *v;

	memcpy(&text, CFIELD(base, k->off), sizeof text);
	if (text != NULL)
		return json_string(text);
	d = gateway_optout_json(NULL);
	v = json_object_get(json_object_get(json_object_get(d, "replies"),
	    gw_optout_class_name((enum gateway_optout_class)c)), "text");
	json_incref(v);
	json_decref(d);
	return v;
}

static const struct scn_type optout_type_text = {
	.name = "string", .parse = optout_member_parse,
	.show = optout_text_show,
};

/* {"fr": text}: the overrides at off, their count at count_off. */
static json_t *
optout_overrides_show(const struct scn_key *k, const void *base)
{
	const struct gateway_optout_override *v;
	json_t *o = json_object();
	size_t i, n;

	memcpy(&v, CFIELD(base, k->off), sizeof v);
	memcpy(&n, CFIELD(base, k->count_off), sizeof n);
	for (i = 0; i < n; i++)
		json_object_set_new(o, v[i].key, json_string(v[i].text));
	return o;
}

static const struct scn_type optout_type_overrides = {
	.name = "object", .parse = optout_member_parse,
	.show = optout_overrides_show,
};

/* ---- The rows. ---- */

static const char *const optout_class_words[] = {
	/* In the order of enum gateway_optout_class. */
	"opt_out", "opt_in", "help", NULL,
};

static const struct gateway_optout_keyword optout_keyword_default = {
	.language = "en",
};

const struct gateway_optout scn_optout_default = {
	.replies = { { .enabled = 1 }, { .enabled = 1 }, { .enabled = 1 } },
};

static const struct scn_key optout_keyword_keys[] = {
	{ .name = "keyword", .type = &scn_type_string, .off = GOK(keyword),
	  .size = GOKSIZE(keyword), .min = 1, .flags = SCN_REQUIRED,
	  .range = "one word, 1-31 bytes, any case",
	  .help = "What the handset sends (\"ARRET\"); matched without "
	  "regard to case, surrounding spaces or a trailing . or !" },
	{ .name = "class", .type = &scn_type_word, .off = GOK(cls),
	  .choices = optout_class_words, .flags = SCN_REQUIRED,
	  .range = "\"opt_out\", \"opt_in\" or \"help\"",
	  .help = "What it does: opt out (OptOutType STOP), opt back in "
	  "(START) or ask for help (HELP)" },
	{ .name = "language", .type = &scn_type_string, .off = GOK(language),
	  .size = GOKSIZE(language), .range = "a language tag: \"fr\", "
	  "\"pt-BR\"",
	  .help = "The keyword's language: its reply is the class's reply "
	  "in this language, when there is one" },
	{ .name = NULL },
};

#define OPTOUT_REPLY_KEYS(c, word)					\
	{ .name = "enabled", .type = &scn_type_bool,			\
	  .off = GOR(c, enabled),					\
	  .help = "false: no " word " reply is sent (the keywords still " \
	  "work)" },							\
	{ .name = "text", .type = &optout_type_text, .off = GOR(c, text), \
	  .range = "1-1600 characters",					\
	  .help = "The " word " reply" },				\
	{ .name = "languages", .type = &optout_type_overrides,		\
	  .off = GOR(c, languages), .count_off = GOR(c, nlanguages),	\
	  .range = "{\"fr\": text, ...}, up to 100",			\
	  .help = "The reply to a keyword of that language" },		\
	{ .name = "countries", .type = &optout_type_overrides,		\
	  .off = GOR(c, countries), .count_off = GOR(c, ncountries),	\
	  .range = "{\"FR\": text, ...}, up to 100",			\
	  .help = "The reply to a handset of that country, when no "	\
	  "language reply applies" },					\
	{ .name = NULL }

static const struct scn_key optout_reply_opt_out_keys[] = {
	OPTOUT_REPLY_KEYS(GATEWAY_OPTOUT_OPT_OUT, "opt-out"),
};
static const struct scn_key optout_reply_opt_in_keys[] = {
	OPTOUT_REPLY_KEYS(GATEWAY_OPTOUT_OPT_IN, "opt-in"),
};
static const struct scn_key optout_reply_help_keys[] = {
	OPTOUT_REPLY_KEYS(GATEWAY_OPTOUT_HELP, "help"),
};

static const struct scn_key optout_replies_keys[] = {
	{ .name = "opt_out", .type = &scn_type_object,
	  .sub = optout_reply_opt_out_keys,
	  .help = "The confirmation of an opt-out" },
	{ .name = "opt_in", .type = &scn_type_object,
	  .sub = optout_reply_opt_in_keys,
	  .help = "The confirmation of an opt-in" },
	{ .name = "help", .type = &scn_type_object,
	  .sub = optout_reply_help_keys,
	  .help = "The answer to a help keyword" },
	{ .name = NULL },
};

const struct scn_key scn_optout_keys[] = {
	{ .name = "keywords", .type = &scn_type_list,
	  .sub = optout_keyword_keys, .off = GO(keywords),
	  .count_off = GO(nkeywords),
	  .size = sizeof(struct gateway_optout_keyword), .max = 100,
	  .item = "[]", .item_default = &optout_keyword_default,
	  .range = "up to 100, each word once",
	  .help = "Custom keywords, tried before the defaults (STOP, STOPALL, "
	  "UNSUBSCRIBE, CANCEL, END, QUIT; START, YES, UNSTOP; HELP, INFO); "
	  "STOP, START and HELP keep their class" },
	{ .name = "removed", .type = &scn_type_strings, .off = GO(removed),
	  .count_off = GO(nremoved), .size = GATEWAY_OPTOUT_KEYWORD_MAX,
	  .max = 8, .range = "default keywords but STOP, START and HELP",
	  .help = "Default keywords that no longer do anything" },
	{ .name = "replies", .type = &scn_type_object,
	  .sub = optout_replies_keys,
	  .help = "Replies per class; which one: the keyword's language, "
	  "else the handset's country, else text" },
	{ .name = NULL },
};
