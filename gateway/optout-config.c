/*
 * Advanced Opt-Out's settings: Twilio's defaults (optout.def), the one
 * reader of the JSON shape that the scenario and the admin API share,
 * and the two pure decisions made from it, what an inbound body means
 * and which reply answers it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/xmalloc.h"
#include "gateway/names.h"
#include "gateway/optout.h"

static const struct gw_optout_class_row {
	enum gw_optout_type type;
	const char	*name;
	const char	*reply;
} gw_optout_classes[GATEWAY_OPTOUT_CLASSES] = {
#define GW_OPTOUT_CLASS(cls, type, name, reply) [cls] = { type, name, reply },
#include "gateway/optout.def"
#undef GW_OPTOUT_CLASS
};

static const struct gw_optout_default {
	const char	*word;
	enum gateway_optout_class cls;
	int		 fixed;
} gw_optout_defaults[] = {
#define GW_OPTOUT_KEYWORD(word, cls, fixed) { word, cls, fixed },
#include "gateway/optout.def"
#undef GW_OPTOUT_KEYWORD
};
#define GW_OPTOUT_NDEFAULTS \
	(sizeof gw_optout_defaults / sizeof gw_optout_defaults[0])

const char *
gw_optout_type_name(enum gw_optout_type t)
{
	switch (t) {
	case GW_OPTOUT_STOP:	return "STOP";
	case GW_OPTOUT_START:	return "START";
	case GW_OPTOUT_HELP:	return "HELP";
	case GW_OPTOUT_NONE:	break;
	}
	return NULL;
}

const char *
gw_optout_class_name(enum gateway_optout_class c)
{
	if ((unsigned)c >= GATEWAY_OPTOUT_CLASSES)
		return NULL;
	return gw_optout_classes[c].name;
}

int
gw_optout_class_parse(const char *name)
{
	int c;

	for (c = 0; c < GATEWAY_OPTOUT_CLASSES; c++)
		if (strcmp(gw_optout_classes[c].name, name) == 0)
			return c;
	return -1;
}

static const struct gw_optout_default *
gw_optout_default_find(const char *word)
{
	size_t i;

	for (i = 0; i < GW_OPTOUT_NDEFAULTS; i++)
		if (strcmp(gw_optout_defaults[i].word, word) == 0)
			return &gw_optout_defaults[i];
	return NULL;
}

/* ---- Settings: new, copy, free. ---- */

struct gateway_optout *
gateway_optout_new(void)
{
	struct gateway_optout *o = xcalloc(1, sizeof *o);
	int c;

	for (c = 0; c < GATEWAY_OPTOUT_CLASSES; c++)
		o->replies[c].enabled = 1;
	return o;
}

static struct gateway_optout_override *
gw_overrides_dup(const struct gateway_optout_override *src, size_t n)
{
	struct gateway_optout_override *dst;
	size_t i;

	if (n == 0)
		return NULL;
	dst = xcalloc(n, sizeof *dst);
	for (i = 0; i < n; i++) {
		memcpy(dst[i].key, src[i].key, sizeof dst[i].key);
		dst[i].text = xstrdup(src[i].text);
	}
	return dst;
}

static void
gw_overrides_free(struct gateway_optout_override *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

struct gateway_optout *
gateway_optout_dup(const struct gateway_optout *src)
{
	struct gateway_optout *o;
	const struct gateway_optout_reply *r;
	int c;

	if (src == NULL)
		return NULL;
	o = xcalloc(1, sizeof *o);
	o->nkeywords = src->nkeywords;
	if (src->nkeywords > 0) {
		o->keywords = xcalloc(src->nkeywords, sizeof *o->keywords);
		memcpy(o->keywords, src->keywords,
		    src->nkeywords * sizeof *o->keywords);
	}
	o->nremoved = src->nremoved;
	if (src->nremoved > 0) {
		o->removed = xcalloc(src->nremoved, sizeof *o->removed);
		memcpy(o->removed, src->removed,
		    src->nremoved * sizeof *o->removed);
	}
	for (c = 0; c < GATEWAY_OPTOUT_CLASSES; c++) {
		r = &src->replies[c];
		o->replies[c].enabled = r->enabled;
		o->replies[c].text = r->text != NULL ? xstrdup(r->text) : NULL;
		o->replies[c].languages = gw_overrides_dup(r->languages,
		    r->nlanguages);
		o->replies[c].nlanguages = r->nlanguages;
		o->replies[c].countries = gw_overrides_dup(r->countries,
		    r->ncountries);
		o->replies[c].ncountries = r->ncountries;
	}
	return o;
}

void
gateway_optout_free(struct gateway_optout *o)
{
	int c;

	if (o == NULL)
		return;
	for (c = 0; c < GATEWAY_OPTOUT_CLASSES; c++) {
		free(o->replies[c].text);
		gw_overrides_free(o->replies[c].languages,
		    o->replies[c].nlanguages);
		gw_overrides_free(o->replies[c].countries,
		    o->replies[c].ncountries);
	}
	free(o->keywords);
	free(o->removed);
	free(o);
}

/* ---- Settings as JSON. ---- */

static json_t *
gw_overrides_json(const struct gateway_optout_override *v, size_t n)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(o, v[i].key, json_string(v[i].text));
	return o;
}

static json_t *
gw_reply_json(const struct gateway_optout *cfg, int c)
{
	const struct gateway_optout_reply *r = cfg != NULL ?
	    &cfg->replies[c] : NULL;

	return json_pack("{s:b, s:s, s:o, s:o}",
	    "enabled", r != NULL ? r->enabled : 1,
	    "text", r != NULL && r->text != NULL ? r->text :
	    gw_optout_classes[c].reply,
	    "languages", r != NULL ? gw_overrides_json(r->languages,
	    r->nlanguages) : json_object(),
	    "countries", r != NULL ? gw_overrides_json(r->countries,
	    r->ncountries) : json_object());
}

json_t *
gateway_optout_json(const struct gateway_optout *cfg)
{
	json_t *keywords = json_array(), *removed = json_array();
	json_t *replies = json_object();
	const struct gateway_optout_keyword *k;
	size_t i;
	int c;

	for (i = 0; cfg != NULL && i < cfg->nkeywords; i++) {
		k = &cfg->keywords[i];
		json_array_append_new(keywords, json_pack("{s:s, s:s, s:s}",
		    "keyword", k->keyword, "class", gw_optout_class_name(k->cls),
		    "language", k->language));
	}
	for (i = 0; cfg != NULL && i < cfg->nremoved; i++)
		json_array_append_new(removed, json_string(cfg->removed[i]));
	for (c = 0; c < GATEWAY_OPTOUT_CLASSES; c++)
		json_object_set_new(replies, gw_optout_classes[c].name,
		    gw_reply_json(cfg, c));
	return json_pack("{s:o, s:o, s:o}", "keywords", keywords, "removed",
	    removed, "replies", replies);
}

/* ---- Reading the JSON: every mistake names its key path. ---- */

struct gw_optout_reader {
	char		*path;
	size_t		 pathlen;
	char		*err;
	size_t		 errlen;
};

static int gw_optout_fail(struct gw_optout_reader *, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
gw_optout_fail(struct gw_optout_reader *rd, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	snprintf(rd->path, rd->pathlen, "%s", path);
	va_start(ap, fmt);
	vsnprintf(rd->err, rd->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
gw_is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\f' || ch == '\v';
}

static int
gw_is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
gw_is_alnum(int ch)
{
	return gw_is_alpha(ch) || (ch >= '0' && ch <= '9');
}

static int
gw_upper(int ch)
{
	return ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch;
}

/* "en", "pt-BR", "zh-Hant": 2-3 letters, then "-" and 2-4 letters or
 * digits; the primary subtag lower case. 0 or -1. */
static int
gw_language_norm(const char *in, char out[GATEWAY_OPTOUT_LANGUAGE_MAX])
{
	size_t i, n = strcspn(in, "-"), m;

	if (n < 2 || n > 3 || strlen(in) >= GATEWAY_OPTOUT_LANGUAGE_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (!gw_is_alpha(in[i]))
			return -1;
		out[i] = (char)(gw_upper(in[i]) - 'A' + 'a');
	}
	if (in[n] == '-') {
		m = strlen(in + n + 1);
		if (m < 2 || m > 4)
			return -1;
		for (i = n + 1; in[i] != '\0'; i++)
			if (!gw_is_alnum(in[i]))
				return -1;
	}
	memcpy(out + n, in + n, strlen(in + n) + 1);
	return 0;
}

/* Two letters, upper case. 0 or -1. */
static int
gw_country_norm(const char *in, char out[3])
{
	if (strlen(in) != 2 || !gw_is_alpha(in[0]) || !gw_is_alpha(in[1]))
		return -1;
	out[0] = (char)gw_upper(in[0]);
	out[1] = (char)gw_upper(in[1]);
	out[2] = '\0';
	return 0;
}

/* A keyword as stored: one word, upper case, no trailing '.' or '!'
 * (the trim would take them off any body). 0 or -1 with why. */
static int
gw_keyword_norm(const char *in, char out[GATEWAY_OPTOUT_KEYWORD_MAX],
    const char **why)
{
	size_t i, n = strlen(in);

	if (n == 0 || n >= GATEWAY_OPTOUT_KEYWORD_MAX) {
		*why = "must be 1 to 31 bytes";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (gw_is_space(in[i]) || (unsigned char)in[i] < 0x20) {
			*why = "must be a single word (no spaces)";
			return -1;
		}
		out[i] = (char)gw_upper(in[i]);
	}
	out[n] = '\0';
	if (in[n - 1] == '.' || in[n - 1] == '!') {
		*why = "must not end with '.' or '!' (they are trimmed off "
		    "messages)";
		return -1;
	}
	return 0;
}

static int
gw_text_check(struct gw_optout_reader *rd, const char *path, const json_t *v)
{
	size_t n;

	if (!json_is_string(v))
		return gw_optout_fail(rd, path, "must be a string");
	n = gw_utf8_count(json_string_value(v));
	if (n == 0 || n > GATEWAY_OPTOUT_TEXT_MAX)
		return gw_optout_fail(rd, path, "must be 1 to %d characters",
		    GATEWAY_OPTOUT_TEXT_MAX);
	return 0;
}

static int
gw_keyword_read(struct gw_optout_reader *rd, size_t idx, const json_t *v,
    struct gateway_optout_keyword *k)
{
	char path[96];
	const char *name, *why;
	json_t *m;
	int c;

	snprintf(path, sizeof path, "keywords[%zu]", idx);
	if (!json_is_object(v))
		return gw_optout_fail(rd, path, "must be an object {keyword, "
		    "class, language}");
	json_object_foreach((json_t *)v, name, m) {
		snprintf(path, sizeof path, "keywords[%zu].%s", idx, name);
		if (strcmp(name, "keyword") == 0) {
			if (!json_is_string(m))
				return gw_optout_fail(rd, path,
				    "must be a string");
			if (gw_keyword_norm(json_string_value(m), k->keyword,
			    &why) == -1)
				return gw_optout_fail(rd, path, "%s", why);
		} else if (strcmp(name, "class") == 0) {
			if (!json_is_string(m) || (c = gw_optout_class_parse(
			    json_string_value(m))) == -1)
				return gw_optout_fail(rd, path, "must be "
				    "\"opt_out\", \"opt_in\" or \"help\"");
			k->cls = (enum gateway_optout_class)c;
		} else if (strcmp(name, "language") == 0) {
			if (!json_is_string(m) || gw_language_norm(
			    json_string_value(m), k->language) == -1)
				return gw_optout_fail(rd, path, "must be a "
				    "language tag (\"fr\", \"pt-BR\")");
		} else
			return gw_optout_fail(rd, path, "unknown key (keyword, "
			    "class or language)");
	}
	snprintf(path, sizeof path, "keywords[%zu]", idx);
	if (k->keyword[0] == '\0' || (int)k->cls == -1)
		return gw_optout_fail(rd, path, "needs keyword and class");
	return 0;
}

/* A custom keyword may replace a default (it takes the keyword's
 * language), but no default may change class if it is fixed, and no word
 * may be listed twice. */
static int
gw_keyword_check(struct gw_optout_reader *rd, const struct gateway_optout *o,
    size_t idx)
{
	const struct gateway_optout_keyword *k = &o->keywords[idx];
	const struct gw_optout_default *d = gw_optout_default_find(k->keyword);
	char path[96];
	size_t i;

	snprintf(path, sizeof path, "keywords[%zu].keyword", idx);
	for (i = 0; i < idx; i++)
		if (strcmp(o->keywords[i].keyword, k->keyword) == 0)
			return gw_optout_fail(rd, path, "%s is listed twice "
			    "(also keywords[%zu])", k->keyword, i);
	if (d != NULL && d->fixed && d->cls != k->cls)
		return gw_optout_fail(rd, path, "%s is always an %s keyword",
		    k->keyword, gw_optout_class_name(d->cls));
	return 0;
}

static int
gw_keywords_read(struct gw_optout_reader *rd, const json_t *v,
    struct gateway_optout *o)
{
	size_t i, n;

	if (!json_is_array(v) ||
	    (n = json_array_size(v)) > GATEWAY_OPTOUT_KEYWORDS_MAX)
		return gw_optout_fail(rd, "keywords", "must be an array of at "
		    "most %d keywords", GATEWAY_OPTOUT_KEYWORDS_MAX);
	o->keywords = xcalloc(n + 1, sizeof *o->keywords);
	for (i = 0; i < n; i++) {
		o->keywords[i].cls = (enum gateway_optout_class)-1;
		strlcpy(o->keywords[i].language, "en",
		    sizeof o->keywords[i].language);
		o->nkeywords = i + 1;
		if (gw_keyword_read(rd, i, json_array_get(v, i),
		    &o->keywords[i]) == -1 || gw_keyword_check(rd, o, i) == -1)
			return -1;
	}
	return 0;
}

static int
gw_removed_read(struct gw_optout_reader *rd, const json_t *v,
    struct gateway_optout *o)
{
	const struct gw_optout_default *d;
	char path[64], word[GATEWAY_OPTOUT_KEYWORD_MAX];
	const char *why;
	size_t i, n;

	if (!json_is_array(v) || (n = json_array_size(v)) > GW_OPTOUT_NDEFAULTS)
		return gw_optout_fail(rd, "removed", "must be an array of "
		    "default keywords");
	o->removed = xcalloc(n + 1, sizeof *o->removed);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "removed[%zu]", i);
		if (!json_is_string(json_array_get(v, i)))
			return gw_optout_fail(rd, path, "must be a string");
		if (gw_keyword_norm(json_string_value(json_array_get(v, i)),
		    word, &why) == -1 || (d = gw_optout_default_find(word)) ==
		    NULL)
			return gw_optout_fail(rd, path, "\"%s\" is not a default "
			    "keyword", json_string_value(json_array_get(v, i)));
		if (d->fixed)
			return gw_optout_fail(rd, path, "%s cannot be removed "
			    "(STOP, START and HELP always work)", word);
		memcpy(o->removed[o->nremoved++], word, sizeof word);
	}
	return 0;
}

/* {"fr": "text", ...} as overrides; country keys when countries. */
static int
gw_overrides_read(struct gw_optout_reader *rd, const char *base,
    const json_t *v, int countries, struct gateway_optout_override **out,
    size_t *nout)
{
	char path[128], key[GATEWAY_OPTOUT_LANGUAGE_MAX];
	const char *name;
	json_t *m;

	if (!json_is_object(v) || json_object_size(v) >
	    GATEWAY_OPTOUT_OVERRIDES_MAX)
		return gw_optout_fail(rd, base, "must be an object of at most "
		    "%d %s", GATEWAY_OPTOUT_OVERRIDES_MAX, countries ?
		    "{\"FR\": text}" : "{\"fr\": text}");
	*out = xcalloc(json_object_size(v) + 1, sizeof **out);
	json_object_foreach((json_t *)v, name, m) {
		snprintf(path, sizeof path, "%s.%s", base, name);
		if (countries ? gw_country_norm(name, key) == -1 :
		    gw_language_norm(name, key) == -1)
			return gw_optout_fail(rd, path, "%s", countries ?
			    "must be a two-letter country code" :
			    "must be a language tag (\"fr\", \"pt-BR\")");
		if (gw_text_check(rd, path, m) == -1)
			return -1;
		memcpy((*out)[*nout].key, key, sizeof key);
		(*out)[(*nout)++].text = xstrdup(json_string_value(m));
	}
	return 0;
}

static int
gw_reply_read(struct gw_optout_reader *rd, const char *cname,
    const json_t *v, struct gateway_optout_reply *r)
{
	char path[96];
	const char *name;
	json_t *m;

	snprintf(path, sizeof path, "replies.%s", cname);
	if (!json_is_object(v))
		return gw_optout_fail(rd, path, "must be an object {enabled, "
		    "text, languages, countries}");
	json_object_foreach((json_t *)v, name, m) {
		snprintf(path, sizeof path, "replies.%s.%s", cname, name);
		if (strcmp(name, "enabled") == 0) {
			if (!json_is_boolean(m))
				return gw_optout_fail(rd, path,
				    "must be true or false");
			r->enabled = json_is_true(m);
		} else if (strcmp(name, "text") == 0) {
			if (gw_text_check(rd, path, m) == -1)
				return -1;
			free(r->text);
			r->text = xstrdup(json_string_value(m));
		} else if (strcmp(name, "languages") == 0) {
			if (gw_overrides_read(rd, path, m, 0, &r->languages,
			    &r->nlanguages) == -1)
				return -1;
		} else if (strcmp(name, "countries") == 0) {
			if (gw_overrides_read(rd, path, m, 1, &r->countries,
			    &r->ncountries) == -1)
				return -1;
		} else
			return gw_optout_fail(rd, path, "unknown key (enabled, "
			    "text, languages or countries)");
	}
	return 0;
}

static int
gw_replies_read(struct gw_optout_reader *rd, const json_t *v,
    struct gateway_optout *o)
{
	char path[64];
	const char *name;
	json_t *m;
	int c;

	if (!json_is_object(v))
		return gw_optout_fail(rd, "replies", "must be an object "
		    "{opt_out, opt_in, help}");
	json_object_foreach((json_t *)v, name, m) {
		if ((c = gw_optout_class_parse(name)) == -1) {
			snprintf(path, sizeof path, "replies.%s", name);
			return gw_optout_fail(rd, path, "unknown class "
			    "(opt_out, opt_in or help)");
		}
		if (gw_reply_read(rd, name, m, &o->replies[c]) == -1)
			return -1;
	}
	return 0;
}

/* A removed default that is also a custom keyword says two things. */
static int
gw_optout_cross_check(struct gw_optout_reader *rd,
    const struct gateway_optout *o)
{
	char path[64];
	size_t i, j;

	for (i = 0; i < o->nremoved; i++)
		for (j = 0; j < o->nkeywords; j++)
			if (strcmp(o->removed[i], o->keywords[j].keyword) ==
			    0) {
				snprintf(path, sizeof path, "removed[%zu]", i);
				return gw_optout_fail(rd, path, "%s is also "
				    "keywords[%zu]", o->removed[i], j);
			}
	return 0;
}

struct gateway_optout *
gateway_optout_parse(const json_t *v, char *path, size_t pathlen, char *err,
    size_t errlen)
{
	struct gw_optout_reader rd = { path, pathlen, err, errlen };
	struct gateway_optout *o;
	const char *name;
	json_t *m;
	int rc = 0;

	if (!json_is_object(v)) {
		gw_optout_fail(&rd, "", "must be an object {keywords, removed, "
		    "replies}");
		return NULL;
	}
	o = gateway_optout_new();
	json_object_foreach((json_t *)v, name, m) {
		if (strcmp(name, "keywords") == 0)
			rc = gw_keywords_read(&rd, m, o);
		else if (strcmp(name, "removed") == 0)
			rc = gw_removed_read(&rd, m, o);
		else if (strcmp(name, "replies") == 0)
			rc = gw_replies_read(&rd, m, o);
		else
			rc = gw_optout_fail(&rd, name, "unknown key (keywords, "
			    "removed or replies)");
		if (rc == -1)
			break;
	}
	if (rc == 0)
		rc = gw_optout_cross_check(&rd, o);
	if (rc == -1) {
		gateway_optout_free(o);
		return NULL;
	}
	return o;
}

/* ---- The decisions. ---- */

/* body without surrounding white space and trailing '.' and '!':
 * *len bytes from the returned pointer. */
static const char *
gw_optout_trim(const char *body, size_t *len)
{
	size_t n;

	while (gw_is_space((unsigned char)*body))
		body++;
	n = strlen(body);
	while (n > 0 && (gw_is_space((unsigned char)body[n - 1]) ||
	    body[n - 1] == '.' || body[n - 1] == '!'))
		n--;
	*len = n;
	return body;
}

static int
gw_optout_removed(const struct gateway_optout *cfg, const char *word)
{
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->nremoved; i++)
		if (strcmp(cfg->removed[i], word) == 0)
			return 1;
	return 0;
}

enum gw_optout_type
gw_optout_classify(const struct gateway_optout *cfg, const char *body,
    char keyword[GATEWAY_OPTOUT_KEYWORD_MAX],
    char language[GATEWAY_OPTOUT_LANGUAGE_MAX])
{
	char word[GATEWAY_OPTOUT_KEYWORD_MAX];
	const struct gw_optout_default *d;
	const char *p;
	size_t i, n;

	keyword[0] = language[0] = '\0';
	p = gw_optout_trim(body != NULL ? body : "", &n);
	if (n == 0 || n >= sizeof word)
		return GW_OPTOUT_NONE;
	for (i = 0; i < n; i++) {
		if (gw_is_space((unsigned char)p[i]))
			return GW_OPTOUT_NONE;
		word[i] = (char)gw_upper((unsigned char)p[i]);
	}
	word[n] = '\0';
	for (i = 0; cfg != NULL && i < cfg->nkeywords; i++)
		if (strcmp(cfg->keywords[i].keyword, word) == 0) {
			memcpy(keyword, word, n + 1);
			strlcpy(language, cfg->keywords[i].language,
			    GATEWAY_OPTOUT_LANGUAGE_MAX);
			return gw_optout_classes[cfg->keywords[i].cls].type;
		}
	if ((d = gw_optout_default_find(word)) == NULL ||
	    gw_optout_removed(cfg, word))
		return GW_OPTOUT_NONE;
	memcpy(keyword, word, n + 1);
	strlcpy(language, "en", GATEWAY_OPTOUT_LANGUAGE_MAX);
	return gw_optout_classes[d->cls].type;
}

/* The override for key: exact (case aside), then by the primary
 * subtag alone when prefix is set. */
static const char *
gw_override_find(const struct gateway_optout_override *v, size_t n,
    const char *key, int prefix)
{
	size_t i, plen = strcspn(key, "-");

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i].key, key) == 0)
			return v[i].text;
	for (i = 0; prefix && i < n; i++)
		if (strlen(v[i].key) == plen &&
		    strncasecmp(v[i].key, key, plen) == 0)
			return v[i].text;
	return NULL;
}

const char *
gw_optout_reply_text(const struct gateway_optout *cfg, enum gw_optout_type t,
    const char *language, const char *country)
{
	const struct gateway_optout_reply *r;
	const char *text = NULL;
	int c;

	for (c = 0; c < GATEWAY_OPTOUT_CLASSES; c++)
		if (gw_optout_classes[c].type == t)
			break;
	if (t == GW_OPTOUT_NONE || c == GATEWAY_OPTOUT_CLASSES)
		return NULL;
	if (cfg == NULL)
		return gw_optout_classes[c].reply;
	r = &cfg->replies[c];
	if (!r->enabled)
		return NULL;
	if (language != NULL && *language != '\0')
		text = gw_override_find(r->languages, r->nlanguages, language,
		    1);
	if (text == NULL && country != NULL && *country != '\0')
		text = gw_override_find(r->countries, r->ncountries, country,
		    0);
	if (text == NULL)
		text = r->text != NULL ? r->text : gw_optout_classes[c].reply;
	return text;
}
