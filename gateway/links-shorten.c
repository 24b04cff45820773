/*
 * Making links: the codes (OpenSSL's RAND_bytes, not the seeded rng: a
 * code must not be guessable from the scenario's seed -- except in
 * virtual time, where every peer is in the process and a run must repeat
 * with its seed, so they come from the seeded stream), the shortening
 * of a body, the MMS Converter's media links, and the per-account rate
 * limit of the shortener.
 *
 * A code is drawn until the store has no link with it: rows are never
 * deleted, so a code is never given twice, expired or not.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/links-internal.h"
#include "gateway/store.h"

static const char gw_link_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* len random alphanumerics, uniform (bytes of 248 and above are drawn
 * again: 248 is the largest multiple of 62 below 256). 0 or -1. */
static int
gw_link_code_draw(struct gw_links *links, char *out, size_t len)
{
	unsigned char buf[32];
	size_t n = 0, i;
	uint64_t r;

	while (n < len) {
		if (clock_mode(links->gw->clock) == CLOCK_MODE_VIRTUAL) {
			for (i = 0; i < sizeof buf; i += sizeof r) {
				r = rng_next(&links->rng);
				memcpy(buf + i, &r, sizeof r);
			}
		} else if (RAND_bytes(buf, sizeof buf) != 1)
			return -1;
		for (i = 0; i < sizeof buf && n < len; i++)
			if (buf[i] < 248)
				out[n++] = gw_link_alphabet[buf[i] % 62];
	}
	out[len] = '\0';
	return 0;
}

/* A code of len that no link of kind ever had: 0, or -1. */
static int
gw_link_code_new(struct gw_links *links, const char *kind, size_t len,
    char *out)
{
	struct gw_object_row row;
	int tries, found;

	for (tries = 0; tries < GW_LINK_CODE_TRIES; tries++) {
		if (gw_link_code_draw(links, out, len) == -1)
			return -1;
		memset(&row, 0, sizeof row);
		found = gw_store_get_object(links->gw->store, kind, out, &row);
		free(row.body);
		if (found == 0)
			return 0;
		if (found == -1)
			return -1;
		log_info("links code-taken kind=%s code=%s (drawn again)", kind,
		    out);
	}
	return -1;
}

static void
gw_link_save(struct gw_links *links, const struct gw_link *l)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
	    "url", l->url, "shortened", l->shortened, "domain_sid",
	    l->domain_sid, "message_sid", l->message_sid, "account_sid",
	    l->account_sid, "service_sid", l->service_sid, "to", l->to,
	    "from", l->from, "expires", (json_int_t)l->expires);
	char *body;

	if (o == NULL) {
		log_warnx("links %s code=%s not-saved reason=\"not UTF-8\"",
		    l->message_sid, l->code);
		return;
	}
	body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	gw_store_put_object(links->gw->store, l->media ? GW_LINK_OBJ_MEDIA :
	    GW_LINK_OBJ_SHORT, l->code, l->account_sid, l->message_sid,
	    l->created, body);
	free(body);
	json_decref(o);
}

static void
gw_link_str(json_t *o, const char *key, char *out, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));

	strlcpy(out, v != NULL ? v : "", size);
}

int
gw_link_load(struct gw_links *links, const char *code, struct gw_link *l)
{
	struct gw_object_row row;
	size_t len = strlen(code);
	json_t *o;
	const char *v;
	int found;

	memset(l, 0, sizeof *l);
	if ((len != GW_LINK_SHORT_CODE_LEN && len != GW_LINK_MEDIA_CODE_LEN) ||
	    code[strspn(code, gw_link_alphabet)] != '\0')
		return 0;
	memset(&row, 0, sizeof row);
	found = gw_store_get_object(links->gw->store,
	    len == GW_LINK_MEDIA_CODE_LEN ? GW_LINK_OBJ_MEDIA :
	    GW_LINK_OBJ_SHORT, code, &row);
	if (found != 1)
		return found;
	o = json_loads(row.body, 0, NULL);
	free(row.body);
	if (o == NULL || (v = json_string_value(json_object_get(o,
	    "url"))) == NULL) {
		log_warnx("links code=%s row-unreadable", code);
		json_decref(o);
		return 0;
	}
	strlcpy(l->code, code, sizeof l->code);
	l->media = len == GW_LINK_MEDIA_CODE_LEN;
	l->url = xstrdup(v);
	v = json_string_value(json_object_get(o, "shortened"));
	l->shortened = xstrdup(v != NULL ? v : "");
	gw_link_str(o, "domain_sid", l->domain_sid, sizeof l->domain_sid);
	gw_link_str(o, "message_sid", l->message_sid, sizeof l->message_sid);
	gw_link_str(o, "account_sid", l->account_sid, sizeof l->account_sid);
	gw_link_str(o, "service_sid", l->service_sid, sizeof l->service_sid);
	gw_link_str(o, "to", l->to, sizeof l->to);
	gw_link_str(o, "from", l->from, sizeof l->from);
	l->created = row.created;
	l->expires = json_integer_value(json_object_get(o, "expires"));
	json_decref(o);
	return 1;
}

void
gw_link_clear(struct gw_link *l)
{
	free(l->url);
	free(l->shortened);
	memset(l, 0, sizeof *l);
}

/* 1 and the request counted when the account made fewer than ten in
 * the last second of the clock, else 0. */
static int
gw_links_rate_take(struct gw_links *links, const char *account_sid)
{
	int64_t now = clock_now(links->gw->clock);
	struct gw_link_rate *r;

	TAILQ_FOREACH(r, &links->rates, entry)
		if (strcmp(r->account_sid, account_sid) == 0)
			break;
	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		strlcpy(r->account_sid, account_sid, sizeof r->account_sid);
		TAILQ_INSERT_TAIL(&links->rates, r, entry);
	}
	/* at[next] is the oldest of the last ten once the ring is full. */
	if (r->n == GW_LINK_RATE_MAX &&
	    now - r->at[r->next] < CLOCK_USEC_PER_SEC)
		return 0;
	r->at[r->next] = now;
	r->next = (r->next + 1) % GW_LINK_RATE_MAX;
	if (r->n < GW_LINK_RATE_MAX)
		r->n++;
	return 1;
}

/* links-internal.h: the link finder (fuzzed by tests/fuzz/fuzz_links). */
size_t
gw_link_find_next(const char *s, size_t *len)
{
	size_t i, scheme, n;

	for (i = 0; s[i] != '\0'; i++) {
		if (strncasecmp(s + i, "http://", 7) == 0)
			scheme = 7;
		else if (strncasecmp(s + i, "https://", 8) == 0)
			scheme = 8;
		else
			continue;
		if (i > 0 && isalnum((unsigned char)s[i - 1]))
			continue;
		n = strcspn(s + i, " \t\r\n\f\v");
		while (n > scheme && strchr(".,;:!?)", s[i + n - 1]) != NULL)
			n--;
		if (n == scheme)
			continue;
		*len = n;
		return i;
	}
	*len = 0;
	return i;
}

/* The domain m shortens on, or NULL after filling e (30101). */
static struct gw_link_domain *
gw_links_domain_for(struct gw_links *links, const struct gw_message *m,
    struct gw_error *e)
{
	struct gw_link_domain *d = NULL;

	if (m->service_sid[0] == '\0') {
		gw_error_set(e, 30101, "ShortenUrls needs a Messaging Service "
		    "with a Link Shortening domain");
		return NULL;
	}
	d = gw_links_domain_of_service(links, m->service_sid);
	if (d == NULL || d->domain[0] == '\0' || !d->has_config) {
		gw_error_set(e, 30101, "The Messaging Service %s has no Link "
		    "Shortening domain with a name and a Domain Config",
		    m->service_sid);
		return NULL;
	}
	return d;
}

/* What a link of m keeps of its message: code, message, account,
 * service, recipient and sender, created now, expiring after ttl. */
static void
gw_link_fill(struct gw_links *links, struct gw_link *l,
    const struct gw_message *m, const char *code, int64_t ttl)
{
	memset(l, 0, sizeof *l);
	strlcpy(l->code, code, sizeof l->code);
	strlcpy(l->message_sid, m->sid, sizeof l->message_sid);
	strlcpy(l->account_sid, m->account_sid, sizeof l->account_sid);
	strlcpy(l->service_sid, m->service_sid, sizeof l->service_sid);
	strlcpy(l->to, m->to, sizeof l->to);
	strlcpy(l->from, m->from, sizeof l->from);
	l->created = clock_now(links->gw->clock);
	l->expires = l->created + ttl;
}
/* One link of m: its row written, the short form appended to out. */
static int
gw_links_shorten_one(struct gw_links *links, const struct gw_message *m,
    const struct gw_link_domain *d, const char *url, size_t len,
    struct evbuffer *out)
{
	struct gw_link l;
	char code[GW_LINK_SHORT_CODE_LEN + 1], *shortened;

	if (gw_link_code_new(links, GW_LINK_OBJ_SHORT, GW_LINK_SHORT_CODE_LEN,
	    code) == -1)
		return -1;
	xasprintf(&shortened, "%s://%s/%s", d->disable_https ? "http" :
	    "https", d->domain, code);
	gw_link_fill(links, &l, m, code, GW_LINK_SHORT_TTL);
	l.url = xstrndup(url, len);
	l.shortened = shortened;
	strlcpy(l.domain_sid, d->sid, sizeof l.domain_sid);
	gw_link_save(links, &l);
	evbuffer_add(out, shortened, strlen(shortened));
	log_debug("links %s shortened code=%s to=%s url=%s", m->sid, code,
	    m->to, l.url);
	gw_link_clear(&l);
	return 0;
}

int
gw_links_shorten(struct gw_links *links, struct gw_message *m,
    struct gw_error *e)
{
	struct gw_link_domain *d;
	struct evbuffer *out;
	const char *s = m->body;
	size_t at, len, n = 0;

	if (s[gw_link_find_next(s, &len)] == '\0')
		return 0;
	if (links->outage) {
		log_info("links %s not-shortened reason=\"shortener outage\"",
		    m->sid);
		return 0;
	}
	if ((d = gw_links_domain_for(links, m, e)) == NULL)
		return -1;
	if (!gw_links_rate_take(links, m->account_sid)) {
		gw_error_set(e, 20429, "Too many link shortening requests: at "
		    "most %d a second for account %s", GW_LINK_RATE_MAX,
		    m->account_sid);
		return -1;
	}
	if ((out = evbuffer_new()) == NULL)
		fatalx("links evbuffer_new failed");
	while (s[at = gw_link_find_next(s, &len)] != '\0') {
		evbuffer_add(out, s, at);
		if (gw_links_shorten_one(links, m, d, s + at, len, out) == -1) {
			evbuffer_free(out);
			gw_error_set(e, 30103, "No unused short code could be "
			    "drawn for %s", m->sid);
			return -1;
		}
		s += at + len;
		n++;
	}
	evbuffer_add(out, s, strlen(s));
	evbuffer_add(out, "", 1);
	gw_message_set_body(m, (const char *)evbuffer_pullup(out, -1));
	evbuffer_free(out);
	log_info("links %s shortened links=%zu domain=%s", m->sid, n,
	    d->domain);
	return 0;
}

int
gw_links_media(struct gw_links *links, const struct gw_message *m,
    const char *media_url, char *out, size_t cap)
{
	struct gw_link l;
	char code[GW_LINK_MEDIA_CODE_LEN + 1];
	int len;

	/* The length is known before the code: check before a row. */
	if (strlen(links->gw->public_url) + 3 + GW_LINK_MEDIA_CODE_LEN >= cap)
		return -1;
	if (gw_link_code_new(links, GW_LINK_OBJ_MEDIA, GW_LINK_MEDIA_CODE_LEN,
	    code) == -1)
		return -1;
	len = snprintf(out, cap, "%s/m/%s", links->gw->public_url, code);
	gw_link_fill(links, &l, m, code, GW_LINK_MEDIA_TTL);
	l.media = 1;
	l.url = xstrdup(media_url);
	l.shortened = xstrndup(out, (size_t)len);
	gw_link_save(links, &l);
	log_info("links %s media-link code=%s to=%s", m->sid, code, m->to);
	gw_link_clear(&l);
	return 0;
}
