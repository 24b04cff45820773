/*
 * The registry in the store's objects table, and where its services come
 * from at start.
 *
 * Rows: "service" (key: the MG sid; body: the settings, the dates and the
 * hash of the declaration it was written from), "sender" (key "MG…/PN…",
 * parent the service), "sticky" (key "MG…/+1415…", parent the service;
 * body: the sender's sid and the last use), "deleted" (a declared service
 * deleted through the API, with the hash of its declaration then).
 *
 * The scenario's services are applied after the store's: one whose
 * declaration hashes as the store's copy says is left as the store has it
 * (changes made through the API survive a restart); a new or changed
 * declaration is written over it, settings and pool, keeping the
 * mappings of the senders that stay.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/services-internal.h"
#include "gateway/store.h"

enum gw_field_type {
	GW_FIELD_STR,
	GW_FIELD_BOOL,
	GW_FIELD_UINT,
	GW_FIELD_TIME,
};

/* The service's settings and dates as its row's body has them. */
static const struct gw_service_field {
	const char	*name;
	enum gw_field_type type;
	size_t		 off;
	size_t		 size;
} gw_service_fields[] = {
#define F(name, type) { #name, GW_FIELD_##type,				\
	offsetof(struct gw_service, name),				\
	sizeof(((struct gw_service *)0)->name) }
	F(friendly_name, STR),
	F(inbound_request_url, STR),
	F(inbound_method, STR),
	F(fallback_url, STR),
	F(fallback_method, STR),
	F(status_callback, STR),
	F(sticky_sender, BOOL),
	F(mms_converter, BOOL),
	F(smart_encoding, BOOL),
	F(area_code_geomatch, BOOL),
	F(fallback_to_long_code, BOOL),
	F(use_inbound_webhook_on_number, BOOL),
	F(synchronous_validation, BOOL),
	F(scan_message_content, STR),
	F(validity_period, UINT),
	F(usecase, STR),
	F(date_created, TIME),
	F(date_updated, TIME),
#undef F
};

#define GW_NFIELDS	(sizeof(gw_service_fields) / sizeof(*gw_service_fields))

void
gw_services_key(char *out, size_t size, const char *service, const char *name)
{
	snprintf(out, size, "%s/%s", service, name);
}

/* body: json_dumps of o (consumed), freed by the caller. */
static char *
gw_json_text(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	return text;
}

void
gw_service_write(struct gw_services *reg, const struct gw_service *s)
{
	const struct gw_service_field *f;
	const char *p = (const char *)s;
	json_t *o = json_object();
	char hash[24], *text;
	size_t i;

	if (reg->loading)
		return;
	for (i = 0; i < GW_NFIELDS; i++) {
		f = &gw_service_fields[i];
		switch (f->type) {
		case GW_FIELD_STR:
			json_object_set_new(o, f->name, json_string(p + f->off));
			break;
		case GW_FIELD_BOOL:
			json_object_set_new(o, f->name,
			    json_boolean(*(const int *)(p + f->off)));
			break;
		case GW_FIELD_UINT:
			json_object_set_new(o, f->name,
			    json_integer(*(const unsigned *)(p + f->off)));
			break;
		case GW_FIELD_TIME:
			json_object_set_new(o, f->name,
			    json_integer(*(const int64_t *)(p + f->off)));
			break;
		}
	}
	snprintf(hash, sizeof(hash), "%016llx",
	    (unsigned long long)s->declaration);
	json_object_set_new(o, "declaration", json_string(hash));
	text = gw_json_text(o);
	gw_store_put_object(reg->gw->store, GW_OBJ_SERVICE, s->sid,
	    s->account_sid, NULL, s->date_created, text);
	free(text);
}

/* The settings of a service row's body; -1 when it is not an object. */
static int
gw_service_read(struct gw_service *s, const char *body)
{
	const struct gw_service_field *f;
	char *p = (char *)s;
	json_t *o, *v;
	size_t i;

	if ((o = json_loads(body, 0, NULL)) == NULL || !json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	for (i = 0; i < GW_NFIELDS; i++) {
		f = &gw_service_fields[i];
		if ((v = json_object_get(o, f->name)) == NULL)
			continue;
		if (f->type == GW_FIELD_STR && json_is_string(v))
			strlcpy(p + f->off, json_string_value(v), f->size);
		else if (f->type == GW_FIELD_BOOL)
			*(int *)(p + f->off) = json_is_true(v);
		else if (f->type == GW_FIELD_UINT)
			*(unsigned *)(p + f->off) =
			    (unsigned)json_integer_value(v);
		else if (f->type == GW_FIELD_TIME)
			*(int64_t *)(p + f->off) = json_integer_value(v);
	}
	v = json_object_get(o, "declaration");
	s->declaration = json_is_string(v) ?
	    strtoull(json_string_value(v), NULL, 16) : 0;
	json_decref(o);
	return 0;
}

void
gw_sender_write(struct gw_services *reg, const struct gw_sender *snd)
{
	char key[GW_OBJECT_KEY_MAX], *text;
	json_t *o = json_object();

	if (reg->loading)
		return;
	json_object_set_new(o, "sid", json_string(snd->sid));
	json_object_set_new(o, "kind",
	    json_string(gateway_sender_kind_name(snd->kind)));
	json_object_set_new(o, "sender", json_string(snd->sender));
	json_object_set_new(o, "country", json_string(snd->country));
	json_object_set_new(o, "destination", json_boolean(snd->destination));
	json_object_set_new(o, "iso_country_code",
	    json_string(snd->iso_country_code));
	json_object_set_new(o, "capabilities",
	    json_integer(snd->capabilities));
	json_object_set_new(o, "date_created", json_integer(snd->date_created));
	json_object_set_new(o, "date_updated", json_integer(snd->date_updated));
	text = gw_json_text(o);
	gw_services_key(key, sizeof(key), snd->service_sid, snd->sid);
	gw_store_put_object(reg->gw->store, GW_OBJ_SENDER, key,
	    snd->account_sid, snd->service_sid, snd->date_created, text);
	free(text);
}

static const char *
gw_json_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

static int
gw_sender_kind_parse(const char *name)
{
	int k;

	for (k = GATEWAY_SENDER_LONG_CODE; k <= GATEWAY_SENDER_ALPHANUMERIC;
	    k++)
		if (strcmp(gateway_sender_kind_name(k), name) == 0)
			return k;
	return -1;
}

/* A sender row as a pool member; NULL when the body is unreadable. */
static struct gw_sender *
gw_sender_read(const char *body)
{
	struct gw_sender *snd;
	json_t *o;
	int kind;

	if ((o = json_loads(body, 0, NULL)) == NULL || !json_is_object(o) ||
	    (kind = gw_sender_kind_parse(gw_json_str(o, "kind"))) == -1 ||
	    !gw_sid_valid(gw_json_str(o, "sid"), kind ==
	    GATEWAY_SENDER_ALPHANUMERIC ? "AI" : gw_json_str(o, "sid"))) {
		json_decref(o);
		return NULL;
	}
	snd = xcalloc(1, sizeof(*snd));
	strlcpy(snd->sid, gw_json_str(o, "sid"), sizeof(snd->sid));
	snd->kind = (enum gateway_sender_kind)kind;
	strlcpy(snd->sender, gw_json_str(o, "sender"), sizeof(snd->sender));
	strlcpy(snd->country, gw_json_str(o, "country"), sizeof(snd->country));
	snd->destination = json_is_true(json_object_get(o, "destination"));
	strlcpy(snd->iso_country_code, gw_json_str(o, "iso_country_code"),
	    sizeof(snd->iso_country_code));
	snd->capabilities = (unsigned)json_integer_value(json_object_get(o,
	    "capabilities"));
	snd->date_created = json_integer_value(json_object_get(o,
	    "date_created"));
	snd->date_updated = json_integer_value(json_object_get(o,
	    "date_updated"));
	json_decref(o);
	return snd;
}

/* ---- load ---- */

struct gw_load {
	struct gw_services *reg;
	size_t		 skipped;
};

static void
gw_load_service(const struct gw_object_row *row, void *arg)
{
	struct gw_load *l = arg;
	struct gw_service *s = gw_service_alloc();

	if (!gw_sid_valid(row->key, "MG") || gw_service_read(s,
	    row->body) == -1 || gw_services_find(l->reg, NULL,
	    row->key) != NULL) {
		log_warnx("services load-skipped kind=service key=%s "
		    "reason=\"unreadable row\"", row->key);
		l->skipped++;
		free(s);
		return;
	}
	strlcpy(s->sid, row->key, sizeof(s->sid));
	strlcpy(s->account_sid, row->account_sid, sizeof(s->account_sid));
	gw_service_insert(l->reg, s);
}

/* A number of a stored pool takes what the configuration says of it
 * now; 0 when the configuration no longer has it (or another pool
 * does), and then it leaves the pool. */
static int
gw_load_refresh(struct gw_services *reg, struct gw_service *s,
    struct gw_sender *snd)
{
	const struct gateway_number *n;

	if (snd->kind == GATEWAY_SENDER_ALPHANUMERIC)
		return gw_service_sender_find(s, snd->sid) == NULL;
	n = gw_services_number(reg, s->account_sid, snd->sid);
	if (n == NULL || n->kind == GATEWAY_SENDER_ALPHANUMERIC ||
	    gw_services_of_number(reg, NULL, n->sid) != NULL)
		return 0;
	snd->kind = n->kind;
	strlcpy(snd->sender, n->number, sizeof(snd->sender));
	strlcpy(snd->country, n->country, sizeof(snd->country));
	snd->capabilities = n->capabilities;
	return 1;
}

static void
gw_load_sender(const struct gw_object_row *row, void *arg)
{
	struct gw_load *l = arg;
	struct gw_service *s = gw_services_find(l->reg, NULL, row->parent);
	struct gw_sender *snd = gw_sender_read(row->body);

	if (s == NULL || snd == NULL || !gw_load_refresh(l->reg, s, snd)) {
		log_warnx("services load-dropped kind=sender key=%s "
		    "reason=\"%s\"", row->key, s == NULL ? "no such service" :
		    snd == NULL ? "unreadable row" : "not a number of the "
		    "account's configuration any more");
		gw_store_delete_object(l->reg->gw->store, GW_OBJ_SENDER,
		    row->key);
		l->skipped++;
		free(snd);
		return;
	}
	gw_pool_attach(l->reg, s, snd);
}

static void
gw_load_sticky(const struct gw_object_row *row, void *arg)
{
	struct gw_load *l = arg;
	struct gw_service *s = gw_services_find(l->reg, NULL, row->parent);
	json_t *o = json_loads(row->body, 0, NULL);

	if (s == NULL || o == NULL || !json_is_object(o)) {
		gw_store_delete_object(l->reg->gw->store, GW_OBJ_STICKY,
		    row->key);
		l->skipped++;
	} else
		gw_sticky_restore(l->reg, s, gw_json_str(o, "to"),
		    gw_json_str(o, "sender_sid"), json_integer_value(
		    json_object_get(o, "last_used")));
	json_decref(o);
}

int
gw_services_load(struct gw_services *reg, char *err, size_t errlen)
{
	struct gw_load l = { reg, 0 };
	struct gw_store *store = reg->gw->store;

	reg->loading = 1;
	if (gw_store_load_objects(store, GW_OBJ_SERVICE, gw_load_service,
	    &l) == -1 || gw_store_load_objects(store, GW_OBJ_SENDER,
	    gw_load_sender, &l) == -1 || gw_store_load_objects(store,
	    GW_OBJ_STICKY, gw_load_sticky, &l) == -1) {
		reg->loading = 0;
		snprintf(err, errlen, "services: %s", gw_store_error(store));
		return -1;
	}
	reg->loading = 0;
	return 0;
}

/* ---- the scenario's services ---- */

static void
gw_hash_add(uint64_t *h, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void
gw_hash_str(uint64_t *h, const char *s)
{
	gw_hash_add(h, s, strlen(s) + 1);	/* the NUL separates */
}

static void
gw_hash_int(uint64_t *h, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	gw_hash_str(h, buf);
}

/* FNV-1a of every field of the declaration; never 0 (0: API-made). */
static uint64_t
gw_declaration_hash(const struct gateway_service *d)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	gw_hash_str(&h, d->account_sid);
	gw_hash_str(&h, d->friendly_name);
	gw_hash_str(&h, d->inbound_request_url);
	gw_hash_str(&h, d->inbound_method);
	gw_hash_str(&h, d->fallback_url);
	gw_hash_str(&h, d->fallback_method);
	gw_hash_str(&h, d->status_callback);
	gw_hash_int(&h, d->sticky_sender);
	gw_hash_int(&h, d->mms_converter);
	gw_hash_int(&h, d->smart_encoding);
	gw_hash_int(&h, d->area_code_geomatch);
	gw_hash_int(&h, d->fallback_to_long_code);
	gw_hash_int(&h, d->use_inbound_webhook_on_number);
	gw_hash_int(&h, d->validity_period);
	gw_hash_str(&h, d->usecase);
	for (i = 0; i < d->nsenders; i++)
		gw_hash_str(&h, d->senders[i]);
	gw_hash_str(&h, "|");
	for (i = 0; i < d->ndestination_alphas; i++) {
		gw_hash_str(&h, d->destination_alphas[i].alpha);
		gw_hash_str(&h, d->destination_alphas[i].iso_country_code);
	}
	return h != 0 ? h : 1;
}

/* A DestinationAlphaSender's sid: from the seed, the service and the
 * alpha, so the same file and seed give the same sids. */
static void
gw_destination_sid(const struct gw_services *reg,
    const struct gateway_service *d, const struct gateway_destination_alpha
    *da, char out[GATEWAY_SID_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	char text[256];
	size_t i;

	snprintf(text, sizeof(text), "%llu/%s/%s/%s",
	    (unsigned long long)reg->gw->cfg.seed, d->sid, da->alpha,
	    da->iso_country_code);
	SHA256((const unsigned char *)text, strlen(text), md);
	out[0] = 'A';
	out[1] = 'I';
	for (i = 0; i < 16; i++) {
		out[2 + 2 * i] = digits[md[i] >> 4];
		out[3 + 2 * i] = digits[md[i] & 0xf];
	}
	out[GATEWAY_SID_LEN] = '\0';
}

static void
gw_seed_settings(struct gw_service *s, const struct gateway_service *d)
{
	strlcpy(s->friendly_name, d->friendly_name, sizeof(s->friendly_name));
	strlcpy(s->inbound_request_url, d->inbound_request_url,
	    sizeof(s->inbound_request_url));
	strlcpy(s->inbound_method, d->inbound_method[0] != '\0' ?
	    d->inbound_method : "POST", sizeof(s->inbound_method));
	strlcpy(s->fallback_url, d->fallback_url, sizeof(s->fallback_url));
	strlcpy(s->fallback_method, d->fallback_method[0] != '\0' ?
	    d->fallback_method : "POST", sizeof(s->fallback_method));
	strlcpy(s->status_callback, d->status_callback,
	    sizeof(s->status_callback));
	s->sticky_sender = d->sticky_sender;
	s->mms_converter = d->mms_converter;
	s->smart_encoding = d->smart_encoding;
	s->area_code_geomatch = d->area_code_geomatch;
	s->fallback_to_long_code = d->fallback_to_long_code;
	s->use_inbound_webhook_on_number = d->use_inbound_webhook_on_number;
	s->validity_period = d->validity_period;
	strlcpy(s->usecase, d->usecase[0] != '\0' ? d->usecase : "undeclared",
	    sizeof(s->usecase));
}

/* 1 when snd is one of the declaration's members. */
static int
gw_seed_declared(const struct gw_services *reg,
    const struct gateway_service *d, const struct gw_sender *snd)
{
	char sid[GATEWAY_SID_SIZE];
	size_t i;

	if (snd->destination) {
		for (i = 0; i < d->ndestination_alphas; i++) {
			gw_destination_sid(reg, d, &d->destination_alphas[i],
			    sid);
			if (strcmp(sid, snd->sid) == 0)
				return 1;
		}
		return 0;
	}
	for (i = 0; i < d->nsenders; i++)
		if (strcmp(d->senders[i], snd->sid) == 0)
			return 1;
	return 0;
}

/* The declared members s lacks, added as the API would add them. */
static int
gw_seed_add(struct gw_services *reg, struct gw_service *s,
    const struct gateway_service *d, struct gw_error *e)
{
	const struct gateway_number *n;
	char sid[GATEWAY_SID_SIZE];
	size_t i;

	for (i = 0; i < d->nsenders; i++) {
		if (gw_service_sender_find(s, d->senders[i]) != NULL)
			continue;
		n = gw_services_number(reg, s->account_sid, d->senders[i]);
		if (n != NULL && n->kind == GATEWAY_SENDER_ALPHANUMERIC) {
			if (gw_pool_add_alpha(reg, s, n->sid, n->number, 0,
			    NULL, e) == NULL)
				return -1;
		} else if (gw_services_add_number(reg, s, d->senders[i],
		    e) == NULL)
			return -1;
	}
	for (i = 0; i < d->ndestination_alphas; i++) {
		gw_destination_sid(reg, d, &d->destination_alphas[i], sid);
		if (gw_service_sender_find(s, sid) == NULL &&
		    gw_pool_add_alpha(reg, s, sid,
		    d->destination_alphas[i].alpha, 1,
		    d->destination_alphas[i].iso_country_code, e) == NULL)
			return -1;
	}
	return 0;
}

static int
gw_seed_pool(struct gw_services *reg, struct gw_service *s,
    const struct gateway_service *d, struct gw_error *e)
{
	struct gw_sender *snd, *next;

	TAILQ_FOREACH_SAFE(snd, &s->senders, entry, next)
		if (!gw_seed_declared(reg, d, snd))
			gw_services_remove_sender(reg, s, snd);
	return gw_seed_add(reg, s, d, e);
}

/* 1 when the service was deleted through the API while its declaration
 * was the one hashed h. */
static int
gw_seed_deleted(struct gw_services *reg, const char *sid, uint64_t h)
{
	struct gw_object_row row;
	json_t *o;
	int same = 0;

	if (gw_store_get_object(reg->gw->store, GW_OBJ_DELETED, sid,
	    &row) != 1)
		return 0;
	if ((o = json_loads(row.body, 0, NULL)) != NULL)
		same = strtoull(gw_json_str(o, "declaration"), NULL, 16) == h;
	json_decref(o);
	free(row.body);
	return same;
}

static int
gw_seed_one(struct gw_services *reg, const struct gateway_service *d,
    struct gw_error *e)
{
	uint64_t h = gw_declaration_hash(d);
	struct gw_service *s = gw_services_find(reg, NULL, d->sid);

	if (s != NULL && s->declaration == h)
		return 0;	/* the store's state wins */
	if (s == NULL && gw_seed_deleted(reg, d->sid, h))
		return 0;
	if (s != NULL && strcmp(s->account_sid, d->account_sid) != 0) {
		gw_error_set(e, 20404, "the store has %s for account %s",
		    d->sid, s->account_sid);
		return -1;
	}
	if (s == NULL) {
		s = gw_service_alloc();
		strlcpy(s->sid, d->sid, sizeof(s->sid));
		strlcpy(s->account_sid, d->account_sid, sizeof(s->account_sid));
		s->date_created = gw_services_now(reg);
		gw_service_insert(reg, s);
	}
	gw_seed_settings(s, d);
	s->declaration = h;
	s->date_updated = gw_services_now(reg);
	gw_service_write(reg, s);
	gw_store_delete_object(reg->gw->store, GW_OBJ_DELETED, s->sid);
	log_info("service %s declared account=%s hash=%016llx", s->sid,
	    s->account_sid, (unsigned long long)h);
	return gw_seed_pool(reg, s, d, e);
}

int
gw_services_seed(struct gw_services *reg, char *err, size_t errlen)
{
	const struct gateway_config *cfg = &reg->gw->cfg;
	struct gw_error e;
	size_t i;

	for (i = 0; i < cfg->nservices; i++)
		if (gw_seed_one(reg, &cfg->services[i], &e) == -1) {
			snprintf(err, errlen, "services[%zu] (%s): %s", i,
			    cfg->services[i].sid, e.message);
			return -1;
		}
	return 0;
}
