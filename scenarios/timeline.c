/*
 * The timeline at run time: every action of the scenario and its undo
 * ("for") are steps, sorted once by time (undos before actions due at the
 * same instant, then file order), and one clock timer walks them. Each
 * kind of action is a row of apply and undo functions. What goes through
 * the gateway's API (a service's settings, a pool's sender) is a request
 * whose answer comes later: the action is busy until then, and an undo
 * due meanwhile waits for it.
 *
 * Nothing here aborts the run: a step that cannot be done is noted with
 * the reason and counted (timeline_failures()). The timeline holds the
 * run from its start until the last step has run and the last answer
 * has come, which is also when timeline_done() says so.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <sqlite3.h>

#include "common/clock.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/links.h"
#include "scenarios/run.h"
#include "scenarios/scenario.h"
#include "scenarios/sim-http.h"
#include "scenarios/timeline.h"

struct timeline;

/* One time something is due: an action, or its undo. */
struct tl_step {
	int64_t		 at;		/* usec from the start */
	int		 undo;
	size_t		 index;		/* of the action */
};

/* What an action did, for its undo. */
struct tl_action {
	struct timeline	*tl;
	const struct scenario_action *a;
	int		 applied;	/* there is something to undo */
	unsigned	 busy;		/* requests out */
	int		 undo_due;	/* its undo waits for them */
	/* carrier set: the carrier while it is on, and when it came. */
	struct tl_carrier *set_on;
	uint64_t	 seq;
	char		*undo_form;	/* service set: the values before */
};

/* A carrier some set changed: its own profile and the one it runs
 * with while sets are on (malloc'd). */
struct tl_carrier {
	struct carrier	*carrier;
	const struct carrier_profile *base;
	struct carrier_profile *composite;
};

/* A request to the API, which may outlive the timeline (orphaned). */
struct tl_request {
	TAILQ_ENTRY(tl_request) entry;
	struct timeline	*tl;		/* NULL: orphaned by timeline_free */
	size_t		 index;
	void		(*done)(struct tl_action *, int status, json_t *body,
			    const char *err);
};
TAILQ_HEAD(tl_request_list, tl_request);

struct timeline {
	struct engine	*e;
	const struct scenario *s;
	struct tl_action *actions;
	size_t		 nactions;
	struct tl_step	*steps;
	size_t		 nsteps;
	size_t		 next;		/* the first step not run */
	struct clock_timer *timer;
	int64_t		 start;
	unsigned	 failures;
	struct tl_request_list requests;
	int		 held;
	struct tl_carrier *carriers;	/* that a set changed */
	size_t		 ncarriers;
	uint64_t	 seq;		/* sets applied */
};

static void	tl_arm(struct timeline *);

/* ---- notes ---- */

static void
tl_note(struct tl_action *ta, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tl_note(struct tl_action *ta, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	engine_note(ta->tl->e, scenario_action_note(ta->a->kind), "%s", text);
	log_info("timeline %s %s", scenario_action_note(ta->a->kind), text);
}

/* A step that could not be done: noted with why, and counted. */
static void
tl_failed(struct tl_action *ta, const char *what, const char *why)
{
	ta->tl->failures++;
	tl_note(ta, "%s failed: %s", what, why);
}

/* " (for 10m)" when the action is undone, else "". */
static void
tl_for(const struct scenario_action *a, char *buf, size_t len)
{
	char d[32];

	buf[0] = '\0';
	if (a->for_usec > 0) {
		duration_format(a->for_usec, d, sizeof d);
		snprintf(buf, len, " (for %s)", d);
	}
}

/* ---- faults and quirks ---- */

static struct carrier *
tl_carrier(struct tl_action *ta, const char *name, const char *what)
{
	struct carrier *c = engine_carrier(ta->tl->e, name);

	if (c == NULL)
		tl_failed(ta, what, "no such carrier running");
	return c;
}

static void
tl_switch_apply(struct tl_action *ta)
{
	const struct scenario_action *a = ta->a;
	int fault = a->kind == SCENARIO_ACTION_FAULT;
	char what[160], err[256], dur[48], *params = NULL;
	struct carrier *c;
	int rc;

	snprintf(what, sizeof what, "%s %s %s %s", a->carrier, fault ?
	    "fault" : "quirk", a->sw->name, a->off ? "off" : "on");
	if ((c = tl_carrier(ta, a->carrier, what)) == NULL)
		return;
	if (a->off)
		rc = fault ? carrier_fault_clear(c, a->sw->name, err,
		    sizeof err) : carrier_quirk_clear(c, a->sw->name, err,
		    sizeof err);
	else
		rc = fault ? carrier_fault_set(c, a->sw->name, a->params, err,
		    sizeof err) : carrier_quirk_set(c, a->sw->name, a->params,
		    err, sizeof err);
	if (rc < 0) {
		tl_failed(ta, what, err);
		return;
	}
	ta->applied = !a->off && !a->sw->oneshot;
	if (a->params != NULL && json_object_size(a->params) > 0)
		params = json_dumps(a->params, JSON_COMPACT | JSON_SORT_KEYS);
	tl_for(a, dur, sizeof dur);
	tl_note(ta, "%s%s%s%s%s", what, params != NULL ? " " : "",
	    params != NULL ? params : "", dur, rc == CARRIER_SWITCH_NOT_ON ?
	    " (it was not on)" : "");
	free(params);
}

static void
tl_switch_undo(struct tl_action *ta)
{
	const struct scenario_action *a = ta->a;
	int fault = a->kind == SCENARIO_ACTION_FAULT;
	char what[160], err[256];
	struct carrier *c;
	int rc;

	snprintf(what, sizeof what, "%s %s %s off", a->carrier, fault ?
	    "fault" : "quirk", a->sw->name);
	if ((c = tl_carrier(ta, a->carrier, what)) == NULL)
		return;
	rc = fault ? carrier_fault_clear(c, a->sw->name, err, sizeof err) :
	    carrier_quirk_clear(c, a->sw->name, err, sizeof err);
	if (rc < 0)
		tl_failed(ta, what, err);
	else
		tl_note(ta, "%s%s", what, rc == CARRIER_SWITCH_NOT_ON ?
		    " (it was already off)" : "");
}

/* ---- a carrier's settings ---- */

/* "max_mps, outcomes": the keys of set. */
static void
tl_set_keys(const struct scenario_action *a, char *buf, size_t len)
{
	const char *key;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(a->set, key, v) {
		if (buf[0] != '\0')
			strlcat(buf, ", ", len);
		strlcat(buf, key, len);
	}
}

/* The sets of one carrier, by the order they were applied. */
static int
tl_seq_cmp(const void *x, const void *y)
{
	const struct tl_action *a = *(struct tl_action *const *)x;
	const struct tl_action *b = *(struct tl_action *const *)y;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The state kept for carrier c, made when its first set applies. */
static struct tl_carrier *
tl_carrier_state(struct timeline *tl, struct carrier *c)
{
	size_t i;

	for (i = 0; i < tl->ncarriers; i++)
		if (tl->carriers[i].carrier == c)
			return &tl->carriers[i];
	/* Room for one per action was made at the start: the actions point
	 * here. */
	tl->carriers[tl->ncarriers] = (struct tl_carrier){ .carrier = c,
	    .base = carrier_profile(c), .composite = NULL };
	return &tl->carriers[tl->ncarriers++];
}

/*
 * What the carrier runs with is its own profile with the keys of every
 * set that is on applied over it in the order they came: made anew at
 * each apply and undo, so an undo takes back its keys only, whatever
 * order the sets end in.
 */
static int
tl_carrier_rebuild(struct timeline *tl, struct tl_carrier *tc, char *err,
    size_t errlen)
{
	struct tl_action **on = xcalloc(tl->nactions, sizeof *on);
	struct carrier_profile *p = NULL, *next;
	const struct carrier_profile *cur = tc->base;
	size_t i, n = 0;

	for (i = 0; i < tl->nactions; i++)
		if (tl->actions[i].set_on == tc)
			on[n++] = &tl->actions[i];
	qsort(on, n, sizeof *on, tl_seq_cmp);
	for (i = 0; i < n; i++) {
		next = xmalloc(sizeof *next);
		scenario_action_profile(on[i]->a, cur, next);
		free(p);
		cur = p = next;
	}
	free(on);
	if (carrier_reconfigure(tc->carrier, cur, err, errlen) == -1) {
		free(p);
		return -1;
	}
	free(tc->composite);
	tc->composite = p;
	/* The gateway learns what the carrier takes now (reroutes). */
	engine_carrier_changed(tl->e, tc->carrier);
	return 0;
}

static void
tl_carrier_set_apply(struct tl_action *ta)
{
	const struct scenario_action *a = ta->a;
	char what[160], keys[128], err[256], dur[48];
	struct tl_carrier *tc;
	struct carrier *c;

	tl_set_keys(a, keys, sizeof keys);
	snprintf(what, sizeof what, "%s set %s", a->carrier, keys);
	if ((c = tl_carrier(ta, a->carrier, what)) == NULL)
		return;
	tc = tl_carrier_state(ta->tl, c);
	ta->set_on = tc;
	ta->seq = ++ta->tl->seq;
	if (tl_carrier_rebuild(ta->tl, tc, err, sizeof err) == -1) {
		ta->set_on = NULL;
		tl_failed(ta, what, err);
		return;
	}
	ta->applied = 1;
	tl_for(a, dur, sizeof dur);
	tl_note(ta, "%s%s", what, dur);
}

static void
tl_carrier_set_undo(struct tl_action *ta)
{
	struct tl_carrier *tc = ta->set_on;
	char what[160], err[256];

	snprintf(what, sizeof what, "%s settings back", ta->a->carrier);
	ta->set_on = NULL;
	if (tl_carrier_rebuild(ta->tl, tc, err, sizeof err) == -1) {
		ta->set_on = tc;
		tl_failed(ta, what, err);
	} else
		tl_note(ta, "%s", what);
}

/* ---- MO, the gateway, the link shortener ---- */

static void
tl_mo_apply(struct tl_action *ta)
{
	const struct scenario_action *a = ta->a;
	struct carrier_mo mo = a->mo;
	char what[200], err[256];
	struct carrier *c;
	int n;

	mo.body = a->mo_body;
	snprintf(what, sizeof what, "%s mo %s -> %s \"%.40s\"", a->mo_carrier,
	    mo.from, mo.to, a->mo_body);
	if ((c = tl_carrier(ta, a->mo_carrier, what)) == NULL)
		return;
	if ((n = carrier_mo_inject(c, &mo, err, sizeof err)) == -1)
		tl_failed(ta, what, err);
	else
		tl_note(ta, "%s (%d PDU%s)", what, n, n == 1 ? "" : "s");
}

/*
 * The new gateway starts from the scenario's settings: a link shortener
 * outage the timeline holds on is switched on in it again.
 */
static void
tl_gateway_apply(struct tl_action *ta)
{
	struct timeline *tl = ta->tl;
	struct gateway *gw;
	char err[256];
	size_t i;

	if (engine_gateway_restart(tl->e, err, sizeof err) == -1) {
		tl_failed(ta, "gateway restart", err);
		return;
	}
	tl_note(ta, "gateway restart");
	for (i = 0; i < tl->nactions; i++)
		if (tl->actions[i].a->kind == SCENARIO_ACTION_LINK_SHORTENER &&
		    tl->actions[i].applied &&
		    (gw = engine_gateway(tl->e)) != NULL)
			gateway_links_set_outage(gw, 1);
}

/* The gateway now, or NULL after noting that there is none. */
static struct gateway *
tl_gateway(struct tl_action *ta, const char *what)
{
	struct gateway *gw = engine_gateway(ta->tl->e);

	if (gw == NULL)
		tl_failed(ta, what, "no gateway");
	return gw;
}

static void
tl_outage_apply(struct tl_action *ta)
{
	struct gateway *gw;
	char dur[48];

	if ((gw = tl_gateway(ta, "link shortener outage")) == NULL)
		return;
	gateway_links_set_outage(gw, 1);
	ta->applied = 1;
	tl_for(ta->a, dur, sizeof dur);
	tl_note(ta, "link shortener outage%s", dur);
}

static void
tl_outage_undo(struct tl_action *ta)
{
	struct gateway *gw;

	if ((gw = tl_gateway(ta, "link shortener back")) == NULL)
		return;
	gateway_links_set_outage(gw, 0);
	tl_note(ta, "link shortener back");
}

/* ---- link clicks ---- */

static int
tl_code_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The code of one link (scheme, host, path of len octets), or 0. */
static size_t
tl_link_code(const char *path, size_t len, char *code, size_t cap)
{
	const char *c = NULL;
	size_t n = 0;

	if (len == 1 + GW_LINK_SHORT_CODE_LEN)		/* /CODE10 */
		c = path + 1, n = GW_LINK_SHORT_CODE_LEN;
	else if (len == 3 + GW_LINK_SHORT_CODE_LEN &&
	    strncmp(path, "/l/", 3) == 0)
		c = path + 3, n = GW_LINK_SHORT_CODE_LEN;
	else if (len == 3 + GW_LINK_MEDIA_CODE_LEN &&
	    strncmp(path, "/m/", 3) == 0)
		c = path + 3, n = GW_LINK_MEDIA_CODE_LEN;
	if (c == NULL || n >= cap || !tl_code_chars(c, n))
		return 0;
	memcpy(code, c, n);
	code[n] = '\0';
	return n;
}

size_t
timeline_link_codes(const char *body, char (*codes)[TIMELINE_CODE_SIZE],
    size_t cap)
{
	const char *p = body, *end, *path;
	size_t n = 0, len;

	while (n < cap && (p = strstr(p, "http")) != NULL) {
		if (strncmp(p, "https://", 8) == 0)
			p += 8;
		else if (strncmp(p, "http://", 7) == 0)
			p += 7;
		else {
			p += 4;
			continue;
		}
		end = p + strcspn(p, " \t\r\n\"'<>");
		/* A link's end does not take the sentence's punctuation. */
		while (end > p && strchr(".,;:!?)", end[-1]) != NULL)
			end--;
		path = memchr(p, '/', (size_t)(end - p));
		len = path != NULL ? (size_t)(end - path) : 0;
		if (path != NULL && tl_link_code(path, len, codes[n],
		    TIMELINE_CODE_SIZE) > 0)
			n++;
		p = end;
	}
	return n;
}

/* The body of the latest outbound message to to, malloc'd, or NULL with
 * why. */
static char *
tl_latest_body(struct timeline *tl, const char *to, char *err, size_t len)
{
	static const char sql[] = "SELECT body FROM messages WHERE \"to\" = ?1 "
	    "AND direction LIKE 'outbound%' ORDER BY date_created DESC, "
	    "sid DESC LIMIT 1";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *body = NULL;
	int rc;

	if (clock_mode(engine_clock(tl->e)) == CLOCK_MODE_REAL)
		engine_store_sync(tl->e);
	rc = sqlite3_open_v2(engine_gateway_db(tl->e), &db,
	    SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(db, 1000);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		body = xstrdup((const char *)sqlite3_column_text(st, 0) != NULL ?
		    (const char *)sqlite3_column_text(st, 0) : "");
	else if (rc == SQLITE_DONE)
		snprintf(err, len, "no message to %s", to);
	else
		snprintf(err, len, "store: %s", db != NULL ?
		    sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return body;
}

static void
tl_click_apply(struct tl_action *ta)
{
	char codes[16][TIMELINE_CODE_SIZE], what[96], err[256];
	const char *to = ta->a->click_to;
	struct gateway *gw;
	char *body;
	json_t *r;
	size_t i, n;

	snprintf(what, sizeof what, "click %s", to);
	if (tl_gateway(ta, what) == NULL)
		return;
	if ((body = tl_latest_body(ta->tl, to, err, sizeof err)) == NULL) {
		tl_failed(ta, what, err);
		return;
	}
	n = timeline_link_codes(body, codes, 16);
	free(body);
	if (n == 0) {
		tl_failed(ta, what, "no link in the latest message");
		return;
	}
	for (i = 0; i < n; i++) {
		/* A click may restart nothing, but fetch the gateway anew. */
		if ((gw = tl_gateway(ta, what)) == NULL)
			return;
		r = gateway_links_click(gw, codes[i], SIM_HANDSET_USER_AGENT);
		/* Link codes come from RAND_bytes: the note leaves them out,
		 * so a run's events repeat with its seed. */
		tl_note(ta, "%s: link %zu of %zu -> %lld%s%s", what, i + 1, n,
		    (long long)json_integer_value(json_object_get(r,
		    "status")), json_is_true(json_object_get(r, "expired")) ?
		    " (expired)" : "", json_is_true(json_object_get(r,
		    "clicked")) ? ", click event queued" : "");
		json_decref(r);
	}
}

/* ---- the API: a service's settings, a pool's sender ---- */

static void
tl_answer(int status, json_t *body, const char *err, void *arg)
{
	struct tl_request *rq = arg;
	struct timeline *tl = rq->tl;
	struct tl_action *ta;

	if (tl == NULL) {		/* the timeline is gone */
		free(rq);
		return;
	}
	TAILQ_REMOVE(&tl->requests, rq, entry);
	ta = &tl->actions[rq->index];
	ta->busy--;
	rq->done(ta, status, body, err);
	free(rq);
	tl_arm(tl);
}

static void
tl_request(struct tl_action *ta, const char *method, const char *path,
    const char *form, void (*done)(struct tl_action *, int, json_t *,
    const char *))
{
	struct tl_request *rq = xcalloc(1, sizeof *rq);

	rq->tl = ta->tl;
	rq->index = (size_t)(ta - ta->tl->actions);
	rq->done = done;
	TAILQ_INSERT_TAIL(&ta->tl->requests, rq, entry);
	ta->busy++;
	engine_api_request(ta->tl->e, method, path, ta->a->account_sid,
	    ta->a->token, form, tl_answer, rq);
}

/* "HTTP 400: message" or the transport's reason. */
static void
tl_http_error(int status, json_t *body, const char *err, char *buf,
    size_t len)
{
	const char *m = json_string_value(json_object_get(body, "message"));

	if (status == 0)
		snprintf(buf, len, "%s", err != NULL ? err : "no answer");
	else
		snprintf(buf, len, "HTTP %d%s%s", status, m != NULL ? ": " : "",
		    m != NULL ? m : "");
}

/* The form of a's service parameters, or of the values kept for undo. */
static char *
tl_form(const struct scenario_service_param *p, size_t n)
{
	struct evbuffer *b = evbuffer_new();
	size_t i, len;
	char *s;

	for (i = 0; i < n; i++)
		engine_form_add(b, p[i].name, p[i].value);
	len = evbuffer_get_length(b);
	s = xmalloc(len + 1);
	evbuffer_remove(b, s, len);
	s[len] = '\0';
	evbuffer_free(b);
	return s;
}

/* "StickySender" -> "sticky_sender": the resource's member. */
static void
tl_snake(const char *name, char *out, size_t len)
{
	size_t o = 0;

	for (; *name != '\0' && o + 2 < len; name++) {
		if (isupper((unsigned char)*name) && o > 0)
			out[o++] = '_';
		out[o++] = (char)tolower((unsigned char)*name);
	}
	out[o] = '\0';
}

/*
 * The API's answer to an apply (the action is on: noted with its "for")
 * or to an undo (noted as it is); an error answer is a failure.
 */
static void
tl_answered(struct tl_action *ta, const char *what, int status,
    json_t *body, const char *err, int apply)
{
	char why[256], dur[48];

	if (status / 100 != 2) {
		tl_http_error(status, body, err, why, sizeof why);
		tl_failed(ta, what, why);
		return;
	}
	if (!apply) {
		tl_note(ta, "%s", what);
		return;
	}
	ta->applied = 1;
	tl_for(ta->a, dur, sizeof dur);
	tl_note(ta, "%s%s", what, dur);
}

static void
tl_service_posted(struct tl_action *ta, int status, json_t *body,
    const char *err)
{
	char what[160];

	snprintf(what, sizeof what, "%s set %s%s", ta->a->service,
	    ta->a->service_params[0].name, ta->a->nservice_params > 1 ?
	    ", ..." : "");
	tl_answered(ta, what, status, body, err, 1);
}

static void
tl_service_post(struct tl_action *ta)
{
	char path[96], *form = tl_form(ta->a->service_params,
	    ta->a->nservice_params);

	snprintf(path, sizeof path, "/v1/Services/%s", ta->a->service);
	tl_request(ta, "POST", path, form, tl_service_posted);
	free(form);
}

/* The values before, of the keys set, kept as a form for the undo. */
static void
tl_service_fetched(struct tl_action *ta, int status, json_t *body,
    const char *err)
{
	const struct scenario_action *a = ta->a;
	struct scenario_service_param *was;
	char key[64], why[256];
	json_t *v;
	size_t i;

	if (status != 200 || !json_is_object(body)) {
		tl_http_error(status, body, err, why, sizeof why);
		tl_failed(ta, "service fetch", why);
		return;
	}
	was = xcalloc(a->nservice_params, sizeof *was);
	for (i = 0; i < a->nservice_params; i++) {
		strlcpy(was[i].name, a->service_params[i].name,
		    sizeof was[i].name);
		tl_snake(was[i].name, key, sizeof key);
		v = json_object_get(body, key);
		if (json_is_boolean(v))
			strlcpy(was[i].value, json_is_true(v) ? "true" :
			    "false", sizeof was[i].value);
		else if (json_is_integer(v))
			snprintf(was[i].value, sizeof was[i].value, "%lld",
			    (long long)json_integer_value(v));
		else
			strlcpy(was[i].value, json_is_string(v) ?
			    json_string_value(v) : "", sizeof was[i].value);
	}
	free(ta->undo_form);
	ta->undo_form = tl_form(was, a->nservice_params);
	free(was);
	tl_service_post(ta);
}

static void
tl_service_apply(struct tl_action *ta)
{
	char path[96];

	if (ta->a->for_usec == 0) {
		tl_service_post(ta);
		return;
	}
	snprintf(path, sizeof path, "/v1/Services/%s", ta->a->service);
	tl_request(ta, "GET", path, NULL, tl_service_fetched);
}

static void
tl_service_restored(struct tl_action *ta, int status, json_t *body,
    const char *err)
{
	char what[96];

	snprintf(what, sizeof what, "%s settings back", ta->a->service);
	tl_answered(ta, what, status, body, err, 0);
}

static void
tl_service_undo(struct tl_action *ta)
{
	char path[96];

	snprintf(path, sizeof path, "/v1/Services/%s", ta->a->service);
	tl_request(ta, "POST", path, ta->undo_form, tl_service_restored);
}

static void
tl_sender_removed(struct tl_action *ta, int status, json_t *body,
    const char *err)
{
	char what[160];

	snprintf(what, sizeof what, "%s leaves %s", ta->a->sender_number,
	    ta->a->service);
	tl_answered(ta, what, status, body, err, 1);
}

static void
tl_sender_apply(struct tl_action *ta)
{
	const struct scenario_action *a = ta->a;
	char path[160];

	snprintf(path, sizeof path, "/v1/Services/%s/%s/%s", a->service,
	    scenario_sender_list(a->sender_kind), a->sender_sid);
	tl_request(ta, "DELETE", path, NULL, tl_sender_removed);
}

static void
tl_sender_added(struct tl_action *ta, int status, json_t *body,
    const char *err)
{
	char what[160];

	snprintf(what, sizeof what, "%s back in %s", ta->a->sender_number,
	    ta->a->service);
	tl_answered(ta, what, status, body, err, 0);
}

static void
tl_sender_undo(struct tl_action *ta)
{
	const struct scenario_action *a = ta->a;
	struct scenario_service_param p;
	char path[160], *form;

	strlcpy(p.name, scenario_sender_param(a->sender_kind), sizeof p.name);
	strlcpy(p.value, a->sender_kind == GATEWAY_SENDER_ALPHANUMERIC ?
	    a->sender_number : a->sender_sid, sizeof p.value);
	form = tl_form(&p, 1);
	snprintf(path, sizeof path, "/v1/Services/%s/%s", a->service,
	    scenario_sender_list(a->sender_kind));
	tl_request(ta, "POST", path, form, tl_sender_added);
	free(form);
}

/* ---- the kinds ---- */

static const struct tl_kind {
	void	(*apply)(struct tl_action *);
	void	(*undo)(struct tl_action *);
} tl_kinds[SCENARIO_NACTIONS] = {
	[SCENARIO_ACTION_FAULT] = { tl_switch_apply, tl_switch_undo },
	[SCENARIO_ACTION_QUIRK] = { tl_switch_apply, tl_switch_undo },
	[SCENARIO_ACTION_CARRIER_SET] = { tl_carrier_set_apply,
	    tl_carrier_set_undo },
	[SCENARIO_ACTION_MO] = { tl_mo_apply, NULL },
	[SCENARIO_ACTION_SERVICE_SET] = { tl_service_apply, tl_service_undo },
	[SCENARIO_ACTION_REMOVE_SENDER] = { tl_sender_apply, tl_sender_undo },
	[SCENARIO_ACTION_GATEWAY] = { tl_gateway_apply, NULL },
	[SCENARIO_ACTION_CLICK] = { tl_click_apply, NULL },
	[SCENARIO_ACTION_LINK_SHORTENER] = { tl_outage_apply, tl_outage_undo },
};

/* ---- the steps ---- */

static void
tl_undo(struct tl_action *ta)
{
	ta->undo_due = 0;
	if (!ta->applied)
		return;			/* the action failed: noted then */
	ta->applied = 0;
	tl_kinds[ta->a->kind].undo(ta);
}

static void
tl_step_run(struct timeline *tl, const struct tl_step *st)
{
	struct tl_action *ta = &tl->actions[st->index];

	if (!st->undo) {
		if (tl_kinds[ta->a->kind].apply != NULL)
			tl_kinds[ta->a->kind].apply(ta);
	} else if (ta->busy > 0)
		ta->undo_due = 1;	/* after the apply's answers */
	else
		tl_undo(ta);
}

static int
tl_waiting(const struct timeline *tl)
{
	return !TAILQ_EMPTY(&tl->requests);
}

/*
 * Runs undos whose action has its answers now, arms the timer for the
 * next step, and lets the run go once nothing is left.
 */
static void
tl_arm(struct timeline *tl)
{
	int64_t elapsed;
	size_t i;

	for (i = 0; i < tl->nactions; i++)
		if (tl->actions[i].undo_due && tl->actions[i].busy == 0)
			tl_undo(&tl->actions[i]);
	if (tl->next < tl->nsteps) {
		elapsed = clock_now(engine_clock(tl->e)) - tl->start;
		clock_timer_add(tl->timer, tl->steps[tl->next].at > elapsed ?
		    tl->steps[tl->next].at - elapsed : 0);
	} else if (tl->held && timeline_done(tl)) {
		tl->held = 0;
		engine_release(tl->e);
	}
}

static void
tl_fire(struct clock_timer *t, void *arg)
{
	struct timeline *tl = arg;
	int64_t elapsed = clock_now(engine_clock(tl->e)) - tl->start;

	(void)t;
	while (tl->next < tl->nsteps && tl->steps[tl->next].at <= elapsed)
		tl_step_run(tl, &tl->steps[tl->next++]);
	tl_arm(tl);
}

/* Time, then undos first, then file order. */
static int
tl_step_cmp(const void *x, const void *y)
{
	const struct tl_step *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->undo != b->undo)
		return a->undo ? -1 : 1;
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return 0;
}

struct timeline *
timeline_start(struct engine *e, const struct scenario *s)
{
	struct timeline *tl = xcalloc(1, sizeof *tl);
	const struct scenario_action *a;
	size_t i;

	tl->e = e;
	tl->s = s;
	TAILQ_INIT(&tl->requests);
	tl->nactions = s->ntimeline;
	tl->actions = xcalloc(s->ntimeline > 0 ? s->ntimeline : 1,
	    sizeof *tl->actions);
	tl->steps = xcalloc(s->ntimeline > 0 ? 2 * s->ntimeline : 1,
	    sizeof *tl->steps);
	tl->carriers = xcalloc(s->ntimeline > 0 ? s->ntimeline : 1,
	    sizeof *tl->carriers);
	for (i = 0; i < s->ntimeline; i++) {
		a = &s->timeline[i];
		tl->actions[i].tl = tl;
		tl->actions[i].a = a;
		tl->steps[tl->nsteps++] = (struct tl_step){ a->at, 0, i };
		if (a->for_usec > 0 && scenario_action_undoable(a->kind))
			tl->steps[tl->nsteps++] = (struct tl_step){
			    a->at + a->for_usec, 1, i };
	}
	qsort(tl->steps, tl->nsteps, sizeof *tl->steps, tl_step_cmp);
	tl->start = clock_now(engine_clock(e));
	tl->timer = clock_timer_new(engine_clock(e), tl_fire, tl);
	if (tl->nsteps > 0) {
		tl->held = 1;
		engine_hold(e);
	}
	tl_arm(tl);
	return tl;
}

int
timeline_done(const struct timeline *tl)
{
	size_t i;

	if (tl->next < tl->nsteps || tl_waiting(tl))
		return 0;
	for (i = 0; i < tl->nactions; i++)
		if (tl->actions[i].undo_due)
			return 0;
	return 1;
}

unsigned
timeline_failures(const struct timeline *tl)
{
	return tl->failures;
}

/* The carriers a set changed go back to their own profiles, since the
 * sets' profiles go with the timeline. */
static void
tl_carriers_restore(struct timeline *tl)
{
	struct tl_carrier *tc;
	char err[256];
	size_t i;

	for (i = 0; i < tl->ncarriers; i++) {
		tc = &tl->carriers[i];
		if (tc->composite == NULL)
			continue;
		/* Cannot fail (base was the carrier's own); if it did, the
		 * profile is left to it rather than freed under it. */
		if (carrier_reconfigure(tc->carrier, tc->base, err,
		    sizeof err) == -1)
			log_warnx("timeline %s settings-back-failed "
			    "reason=\"%s\"", carrier_name(tc->carrier), err);
		else
			free(tc->composite);
	}
	free(tl->carriers);
}

/*
 * Requests still out are orphaned: the engine answers them later (or
 * fails them when it stops) and their callback then only frees them.
 * The carriers must still run (a set's profile is taken back).
 */
void
timeline_free(struct timeline *tl)
{
	struct tl_request *rq;
	size_t i;

	if (tl == NULL)
		return;
	tl_carriers_restore(tl);
	while ((rq = TAILQ_FIRST(&tl->requests)) != NULL) {
		TAILQ_REMOVE(&tl->requests, rq, entry);
		rq->tl = NULL;
	}
	clock_timer_free(tl->timer);
	if (tl->held)
		engine_release(tl->e);
	for (i = 0; i < tl->nactions; i++)
		free(tl->actions[i].undo_form);
	free(tl->actions);
	free(tl->steps);
	free(tl);
}
