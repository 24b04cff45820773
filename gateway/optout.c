/*
 * The registry of Advanced Opt-Out: who opted out of what (one red-black
 * tree keyed by account, scope and handset, so the check on every create
 * is O(log n)) and the settings each service answers keywords with.
 *
 * Store rows (objects, gateway/store.h):
 *   "optout"      key "SCOPE/HANDSET", parent SCOPE (a service's MG sid,
 *                 or the number for a number in no service); body
 *                 {scope, handset, keyword, date_created}.
 *   "optout_cfg"  key the MG sid; body {declaration, config}: settings
 *                 put through the admin API, with the hash of the
 *                 scenario's declaration they were put over. At start a
 *                 row whose hash still matches the scenario wins (the API
 *                 change survives a restart); a changed declaration
 *                 replaces it, as services do (services-store.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/tree.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/optout.h"
#include "gateway/services.h"
#include "gateway/store.h"

#define GW_OBJ_OPTOUT		"optout"
#define GW_OBJ_OPTOUT_CFG	"optout_cfg"
#define GW_SCOPE_SIZE		GATEWAY_SID_SIZE	/* MG sid or number */

struct gw_optout {
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 scope[GW_SCOPE_SIZE];
	char		 handset[GATEWAY_NUMBER_MAX];
	char		 keyword[GATEWAY_OPTOUT_KEYWORD_MAX];
	int64_t		 date_created;
	RB_ENTRY(gw_optout) entry;
};
RB_HEAD(gw_optout_tree, gw_optout);
int	gw_optout_cmp(const struct gw_optout *, const struct gw_optout *);
RB_PROTOTYPE(gw_optout_tree, gw_optout, entry, gw_optout_cmp);

/* A service's settings; cfg NULL: the defaults. */
struct gw_optout_service {
	char		 sid[GATEWAY_SID_SIZE];
	struct gateway_optout *cfg;
	uint64_t	 declaration;	/* hash of the scenario's */
	RB_ENTRY(gw_optout_service) entry;
};
RB_HEAD(gw_optout_services, gw_optout_service);
int	gw_optout_service_cmp(const struct gw_optout_service *,
	    const struct gw_optout_service *);
RB_PROTOTYPE(gw_optout_services, gw_optout_service, entry,
    gw_optout_service_cmp);

struct gw_optouts {
	struct gateway	*gw;
	struct gw_optout_tree optouts;
	size_t		 noptouts;
	struct gw_optout_services services;
};

int
gw_optout_cmp(const struct gw_optout *a, const struct gw_optout *b)
{
	int c;

	if ((c = strcmp(a->handset, b->handset)) != 0)
		return c;
	if ((c = strcmp(a->scope, b->scope)) != 0)
		return c;
	return strcmp(a->account_sid, b->account_sid);
}
RB_GENERATE(gw_optout_tree, gw_optout, entry, gw_optout_cmp);

int
gw_optout_service_cmp(const struct gw_optout_service *a,
    const struct gw_optout_service *b)
{
	return strcmp(a->sid, b->sid);
}
RB_GENERATE(gw_optout_services, gw_optout_service, entry,
    gw_optout_service_cmp);

/* o as compact JSON text with sorted keys; o is consumed. */
static char *
gw_optout_text(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(o);
	return text;
}

/* ---- Opt-outs. ---- */

static struct gw_optout *
gw_optout_find(struct gw_optouts *reg, const char *account_sid,
    const char *scope, const char *handset)
{
	struct gw_optout key;

	if (strlcpy(key.account_sid, account_sid, sizeof key.account_sid) >=
	    sizeof key.account_sid ||
	    strlcpy(key.scope, scope, sizeof key.scope) >= sizeof key.scope ||
	    strlcpy(key.handset, handset, sizeof key.handset) >=
	    sizeof key.handset)
		return NULL;
	return RB_FIND(gw_optout_tree, &reg->optouts, &key);
}

static void
gw_optout_key(const struct gw_optout *o, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", o->scope, o->handset);
}

/* Records an opt-out (persisted) unless there is one already. */
static void
gw_optout_add(struct gw_optouts *reg, const char *account_sid,
    const char *scope, const char *handset, const char *keyword)
{
	struct gw_optout *o;
	char key[GW_OBJECT_KEY_MAX], *body;

	if (gw_optout_find(reg, account_sid, scope, handset) != NULL)
		return;
	o = xcalloc(1, sizeof *o);
	strlcpy(o->account_sid, account_sid, sizeof o->account_sid);
	strlcpy(o->scope, scope, sizeof o->scope);
	strlcpy(o->handset, handset, sizeof o->handset);
	strlcpy(o->keyword, keyword, sizeof o->keyword);
	o->date_created = clock_now(reg->gw->clock);
	RB_INSERT(gw_optout_tree, &reg->optouts, o);
	reg->noptouts++;
	gw_optout_key(o, key, sizeof key);
	body = gw_optout_text(json_pack("{s:s, s:s, s:s, s:I}", "scope",
	    o->scope, "handset", o->handset, "keyword", o->keyword,
	    "date_created", (json_int_t)o->date_created));
	gw_store_put_object(reg->gw->store, GW_OBJ_OPTOUT, key, account_sid,
	    scope, o->date_created, body);
	free(body);
	log_info("optout %s added scope=%s keyword=%s", handset, scope,
	    keyword);
}

static void
gw_optout_remove(struct gw_optouts *reg, const char *account_sid,
    const char *scope, const char *handset)
{
	struct gw_optout *o = gw_optout_find(reg, account_sid, scope,
	    handset);
	char key[GW_OBJECT_KEY_MAX];

	if (o == NULL)
		return;
	gw_optout_key(o, key, sizeof key);
	gw_store_delete_object(reg->gw->store, GW_OBJ_OPTOUT, key);
	RB_REMOVE(gw_optout_tree, &reg->optouts, o);
	reg->noptouts--;
	log_info("optout %s removed scope=%s", handset, scope);
	free(o);
}

/* The service whose pool holds number (as the account owns it); NULL. */
static struct gw_service *
gw_optout_service_of(struct gw_optouts *reg, const char *account_sid,
    const char *number)
{
	if (number == NULL || *number == '\0')
		return NULL;
	return gw_services_of_number(reg->gw->services, account_sid, number);
}

/*
 * Blocked by an opt-out of the message's service, of the service the
 * sender is in (a From given without MessagingServiceSid still sends
 * from the pool) or of the sender alone (an opt-out recorded while the
 * number was in no service): at most three lookups.
 */
int
gw_optout_blocked(struct gw_optouts *reg, const char *account_sid,
    const char *service_sid, const char *sender, const char *handset)
{
	struct gw_service *s;

	if (reg == NULL || reg->noptouts == 0 || handset == NULL ||
	    account_sid == NULL)
		return 0;
	if (service_sid != NULL && *service_sid != '\0' &&
	    gw_optout_find(reg, account_sid, service_sid, handset) != NULL)
		return 1;
	if (sender == NULL || *sender == '\0')
		return 0;
	if (gw_optout_find(reg, account_sid, sender, handset) != NULL)
		return 1;
	s = gw_optout_service_of(reg, account_sid, sender);
	return s != NULL && (service_sid == NULL ||
	    strcmp(s->sid, service_sid) != 0) &&
	    gw_optout_find(reg, account_sid, s->sid, handset) != NULL;
}

size_t
gw_optout_count(const struct gw_optouts *reg)
{
	return reg != NULL ? reg->noptouts : 0;
}

/* ---- Settings per service. ---- */

static struct gw_optout_service *
gw_optout_service_find(struct gw_optouts *reg, const char *sid)
{
	struct gw_optout_service key;

	if (sid == NULL || strlcpy(key.sid, sid, sizeof key.sid) >=
	    sizeof key.sid)
		return NULL;
	return RB_FIND(gw_optout_services, &reg->services, &key);
}

static struct gw_optout_service *
gw_optout_service_get(struct gw_optouts *reg, const char *sid)
{
	struct gw_optout_service *e = gw_optout_service_find(reg, sid);

	if (e != NULL)
		return e;
	e = xcalloc(1, sizeof *e);
	strlcpy(e->sid, sid, sizeof e->sid);
	RB_INSERT(gw_optout_services, &reg->services, e);
	return e;
}

const struct gateway_optout *
gw_optout_config(struct gw_optouts *reg, const char *service_sid)
{
	struct gw_optout_service *e;

	if (reg == NULL || service_sid == NULL || *service_sid == '\0')
		return NULL;
	e = gw_optout_service_find(reg, service_sid);
	return e != NULL ? e->cfg : NULL;
}

/* FNV-1a of the declaration's JSON (sorted keys): 0 for none. */
static uint64_t
gw_optout_hash(const struct gateway_optout *cfg)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char *text, *p;

	if (cfg == NULL)
		return 0;
	text = gw_optout_text(gateway_optout_json(cfg));
	for (p = text; p != NULL && *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	free(text);
	return h != 0 ? h : 1;
}

/* Writes settings put through the API over the scenario's declaration. */
static void
gw_optout_service_store(struct gw_optouts *reg,
    const struct gw_optout_service *e, const char *account_sid)
{
	char hash[24], *body;

	snprintf(hash, sizeof hash, "%016llx",
	    (unsigned long long)e->declaration);
	body = gw_optout_text(json_pack("{s:s, s:o}", "declaration", hash,
	    "config", gateway_optout_json(e->cfg)));
	gw_store_put_object(reg->gw->store, GW_OBJ_OPTOUT_CFG, e->sid,
	    account_sid, NULL, clock_now(reg->gw->clock), body);
	free(body);
}

/* ---- Loading at start. ---- */

struct gw_optout_load {
	struct gw_optouts *reg;
	size_t		 bad;
};

static void
gw_optout_load_row(const struct gw_object_row *row, void *arg)
{
	struct gw_optout_load *ld = arg;
	struct gw_optout *o = xcalloc(1, sizeof *o);
	json_t *b = json_loads(row->body, 0, NULL);
	const char *scope = NULL, *handset = NULL, *keyword = "";

	if (json_unpack(b, "{s:s, s:s, s?s}", "scope", &scope, "handset",
	    &handset, "keyword", &keyword) == -1 ||
	    strlcpy(o->scope, scope, sizeof o->scope) >= sizeof o->scope ||
	    strlcpy(o->handset, handset, sizeof o->handset) >=
	    sizeof o->handset ||
	    RB_FIND(gw_optout_tree, &ld->reg->optouts, o) != NULL) {
		ld->bad++;
		free(o);
		json_decref(b);
		return;
	}
	strlcpy(o->account_sid, row->account_sid, sizeof o->account_sid);
	strlcpy(o->keyword, keyword, sizeof o->keyword);
	o->date_created = row->created;
	if (RB_INSERT(gw_optout_tree, &ld->reg->optouts, o) != NULL) {
		ld->bad++;
		free(o);
	} else
		ld->reg->noptouts++;
	json_decref(b);
}

static void
gw_optout_load_cfg(const struct gw_object_row *row, void *arg)
{
	struct gw_optout_load *ld = arg;
	struct gw_optout_service *e;
	struct gateway_optout *cfg;
	json_t *b = json_loads(row->body, 0, NULL);
	const char *hash = NULL;
	char path[128], err[256];

	if (json_unpack(b, "{s:s}", "declaration", &hash) == -1 ||
	    (cfg = gateway_optout_parse(json_object_get(b, "config"), path,
	    sizeof path, err, sizeof err)) == NULL) {
		log_warnx("optout %s stored settings unreadable, using the "
		    "declared ones", row->key);
		ld->bad++;
		json_decref(b);
		return;
	}
	e = gw_optout_service_get(ld->reg, row->key);
	gateway_optout_free(e->cfg);
	e->cfg = cfg;
	e->declaration = strtoull(hash, NULL, 16);
	json_decref(b);
}

/*
 * The scenario's settings, unless the store holds settings put over
 * this very declaration (then the API's change stands). A changed
 * declaration drops the stored row.
 */
static void
gw_optout_seed(struct gw_optouts *reg)
{
	const struct gateway_service *d;
	struct gw_optout_service *e;
	uint64_t h;
	size_t i;

	for (i = 0; i < reg->gw->cfg.nservices; i++) {
		d = &reg->gw->cfg.services[i];
		h = gw_optout_hash(d->opt_out);
		e = gw_optout_service_find(reg, d->sid);
		if (e != NULL && e->declaration == h)
			continue;
		if (e != NULL)
			gw_store_delete_object(reg->gw->store,
			    GW_OBJ_OPTOUT_CFG, d->sid);
		if (d->opt_out == NULL && e == NULL)
			continue;
		e = gw_optout_service_get(reg, d->sid);
		gateway_optout_free(e->cfg);
		e->cfg = gateway_optout_dup(d->opt_out);
		e->declaration = h;
	}
}

struct gw_optouts *
gw_optouts_open(struct gateway *gw, char *err, size_t errlen)
{
	struct gw_optouts *reg = xcalloc(1, sizeof *reg);
	struct gw_optout_load ld = { reg, 0 };

	reg->gw = gw;
	RB_INIT(&reg->optouts);
	RB_INIT(&reg->services);
	if (gw_store_load_objects(gw->store, GW_OBJ_OPTOUT,
	    gw_optout_load_row, &ld) == -1 ||
	    gw_store_load_objects(gw->store, GW_OBJ_OPTOUT_CFG,
	    gw_optout_load_cfg, &ld) == -1) {
		snprintf(err, errlen, "loading opt-outs: %s",
		    gw_store_error(gw->store));
		gw_optouts_free(reg);
		return NULL;
	}
	if (ld.bad > 0)
		log_warnx("optout load skipped=%zu reason=\"unreadable rows\"",
		    ld.bad);
	gw_optout_seed(reg);
	log_info("optout ready optouts=%zu", reg->noptouts);
	return reg;
}

void
gw_optouts_free(struct gw_optouts *reg)
{
	struct gw_optout *o, *onext;
	struct gw_optout_service *e, *enext;

	if (reg == NULL)
		return;
	RB_FOREACH_SAFE(o, gw_optout_tree, &reg->optouts, onext) {
		RB_REMOVE(gw_optout_tree, &reg->optouts, o);
		free(o);
	}
	RB_FOREACH_SAFE(e, gw_optout_services, &reg->services, enext) {
		RB_REMOVE(gw_optout_services, &reg->services, e);
		gateway_optout_free(e->cfg);
		free(e);
	}
	free(reg);
}

/* ---- Inbound keywords. ---- */

void
gw_optout_result_clear(struct gw_optout_result *r)
{
	free(r->reply);
	memset(r, 0, sizeof *r);
}

/* STOP opts out of the scope; START lifts the opt-out of the scope
 * and of the number alone, so the handset hears from it again. */
static void
gw_optout_apply(struct gw_optouts *reg, enum gw_optout_type t,
    const char *account_sid, const char *scope, const char *to,
    const char *handset, const char *keyword)
{
	switch (t) {
	case GW_OPTOUT_STOP:
		gw_optout_add(reg, account_sid, scope, handset, keyword);
		break;
	case GW_OPTOUT_START:
		gw_optout_remove(reg, account_sid, scope, handset);
		gw_optout_remove(reg, account_sid, to, handset);
		break;
	case GW_OPTOUT_HELP:
	case GW_OPTOUT_NONE:
		break;
	}
}

enum gw_optout_type
gw_optout_inbound(struct gw_optouts *reg, const char *account_sid,
    const char *service_sid, const char *to, const char *handset,
    const char *body, struct gw_optout_result *r)
{
	const struct gateway_optout *cfg;
	struct gw_service *s;
	const char *scope, *text;

	memset(r, 0, sizeof *r);
	if (reg == NULL || account_sid == NULL || to == NULL ||
	    handset == NULL)
		return r->type;
	if ((service_sid == NULL || *service_sid == '\0') &&
	    (s = gw_optout_service_of(reg, account_sid, to)) != NULL)
		service_sid = s->sid;
	scope = service_sid != NULL && *service_sid != '\0' ? service_sid : to;
	cfg = gw_optout_config(reg, service_sid);
	r->type = gw_optout_classify(cfg, body, r->keyword, r->language);
	if (r->type == GW_OPTOUT_NONE)
		return r->type;
	gw_optout_apply(reg, r->type, account_sid, scope, to, handset,
	    r->keyword);
	text = gw_optout_reply_text(cfg, r->type, r->language,
	    gw_country_of(handset));
	r->reply = text != NULL ? xstrdup(text) : NULL;
	log_info("optout %s keyword=%s type=%s scope=%s language=%s "
	    "reply=%s", handset, r->keyword, gw_optout_type_name(r->type),
	    scope, r->language, r->reply != NULL ? "yes" : "disabled");
	return r->type;
}

/* ---- The admin API. ---- */

/* The running service sid names (any account), or NULL with 404. */
static struct gw_service *
gw_optout_admin_service(struct gateway *gw, const char *sid, int *status,
    char *err, size_t errlen)
{
	struct gw_service *s = gw_service_find(gw, NULL, sid);

	if (s == NULL) {
		*status = 404;
		snprintf(err, errlen, "no Messaging Service \"%s\"", sid);
	}
	return s;
}

json_t *
gateway_optout_get(struct gateway *gw, const char *service_sid, int *status,
    char *err, size_t errlen)
{
	if (gw_optout_admin_service(gw, service_sid, status, err,
	    errlen) == NULL)
		return NULL;
	*status = 200;
	return gateway_optout_json(gw_optout_config(gw->optouts,
	    service_sid));
}

json_t *
gateway_optout_put(struct gateway *gw, const char *service_sid,
    const json_t *body, int *status, char *err, size_t errlen)
{
	struct gw_service *s;
	struct gw_optout_service *e;
	struct gateway_optout *cfg;
	char path[128], why[256];

	if ((s = gw_optout_admin_service(gw, service_sid, status, err,
	    errlen)) == NULL)
		return NULL;
	if ((cfg = gateway_optout_parse(body, path, sizeof path, why,
	    sizeof why)) == NULL) {
		*status = 400;
		snprintf(err, errlen, "%s%s%s", path, *path != '\0' ? ": " : "",
		    why);
		return NULL;
	}
	/* e->declaration is the scenario's (seeded at start; 0 for no
	 * declared settings): the row stands until that changes. */
	e = gw_optout_service_get(gw->optouts, s->sid);
	gateway_optout_free(e->cfg);
	e->cfg = cfg;
	gw_optout_service_store(gw->optouts, e, s->account_sid);
	log_info("optout %s settings put keywords=%zu removed=%zu", s->sid,
	    cfg->nkeywords, cfg->nremoved);
	*status = 200;
	return gateway_optout_json(cfg);
}
