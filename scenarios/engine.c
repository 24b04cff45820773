/*
 * The engine of `carrierlab run` (scenarios/run.h): the stack of a
 * scenario in one process and one loop -- carriers, gateway, HTTP
 * listener, callback sink -- the timeline, the traffic and the
 * expectations on it, and the end of the run.
 *
 * The run ends at "duration" when the scenario gives one; otherwise once
 * it has settled: no part holds it, the timeline is over, every timed
 * expectation has run, the gateway's store is idle, no message is in a
 * non-final status and no status callback is pending. A run that has not
 * settled by max_duration ends there (which does not bound "duration"). The "end" expectations are
 * evaluated then, one after the other, and the loop stops.
 *
 * Virtual time: common/vloop.c jumps the clock whenever the loop is idle;
 * the settled test runs at those moments, when everything done so far is
 * in the store. Real time: a timer looks every ENGINE_POLL_USEC.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "carriers/carrier.h"
#include "carriers/store.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/vloop.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "scenarios/engine-internal.h"
#include "scenarios/scenario.h"
#include "scenarios/sim-gateway.h"
#include "scenarios/sim-http.h"

#define ENGINE_POLL_USEC	(50 * 1000)	/* real time: settled? */
/* Virtual runs start here unless the scenario says otherwise, so their
 * timestamps repeat: 2026-01-01T00:00:00Z. */
#define ENGINE_VIRTUAL_EPOCH	(INT64_C(1767225600) * CLOCK_USEC_PER_SEC)
#define ENGINE_PROGRESS_USEC	(200 * 1000)	/* wall time between lines */

/* Statuses a message leaves by itself (gateway/names.h: terminal 0). */
static const char engine_unsettled_sql[] =
    "SELECT (SELECT count(*) FROM messages WHERE status IN ('accepted', "
    "'scheduled', 'queued', 'sending', 'sent', 'receiving')) + "
    "(SELECT count(*) FROM callbacks)";

static void	engine_end(struct engine *, const char *reason);

/* Why the run could not run (the first reason stays). */
static void __attribute__((format(printf, 2, 3)))
engine_fail(struct engine *e, const char *fmt, ...)
{
	va_list ap;

	if (e->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(e->error, sizeof e->error, fmt, ap);
	va_end(ap);
}

/* ---- what the parts see ---- */

struct event_base *
engine_base(struct engine *e)
{
	return e->base;
}

struct clock *
engine_clock(struct engine *e)
{
	return e->clock;
}

const struct scenario *
engine_scenario(struct engine *e)
{
	return e->s;
}

int64_t
engine_start_time(struct engine *e)
{
	return e->start;
}

int64_t
engine_elapsed(struct engine *e)
{
	return clock_now(e->clock) - e->start;
}

struct carrier *
engine_carrier(struct engine *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->ncarriers; i++)
		if (strcmp(carrier_name(e->carriers[i]), name) == 0)
			return e->carriers[i];
	return NULL;
}

size_t
engine_ncarriers(struct engine *e)
{
	return e->ncarriers;
}

struct carrier *
engine_carrier_at(struct engine *e, size_t i)
{
	return i < e->ncarriers ? e->carriers[i] : NULL;
}

struct gateway *
engine_gateway(struct engine *e)
{
	return *e->gwp;
}

const char *
engine_gateway_db(struct engine *e)
{
	return e->db;
}

const char *
engine_http_address(struct engine *e)
{
	return e->http_address;
}

const char *
engine_sink_url(struct engine *e)
{
	return e->sink_url;
}

void
engine_hold(struct engine *e)
{
	e->holds++;
}

void
engine_release(struct engine *e)
{
	if (e->holds == 0)
		fatalx("engine: release without a hold");
	e->holds--;
}

void
engine_note(struct engine *e, const char *kind, const char *fmt, ...)
{
	struct engine_note	*n;
	va_list			 ap;

	if (e->nnotes == e->notes_cap) {
		e->notes_cap = e->notes_cap == 0 ? 32 : e->notes_cap * 2;
		e->notes = xreallocarray(e->notes, e->notes_cap,
		    sizeof *e->notes);
	}
	n = &e->notes[e->nnotes++];
	memset(n, 0, sizeof *n);
	n->at = engine_elapsed(e);
	snprintf(n->kind, sizeof n->kind, "%s", kind);
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof n->text, fmt, ap);
	va_end(ap);
	log_info("run note at=%lld kind=%s text=\"%s\"", (long long)n->at,
	    n->kind, n->text);
}

const struct engine_note *
engine_notes(struct engine *e, size_t *n)
{
	*n = e->nnotes;
	return e->notes;
}

const struct engine_callback *
engine_callbacks(struct engine *e, size_t *n)
{
	*n = e->ncbs;
	return e->cbs;
}

/* Reads open their own connection to the store: what the gateway wrote
 * is committed first (in virtual time, the writes of this very instant). */
void
engine_store_sync(struct engine *e)
{
	if (*e->gwp != NULL && gateway_sync(*e->gwp) == -1)
		log_warnx("run store-sync failed: a batch of the gateway's "
		    "store did not commit");
}

void
engine_carrier_changed(struct engine *e, struct carrier *c)
{
	unsigned	kinds;
	int		mms;

	if (!e->s->gateway_routes_derived || *e->gwp == NULL)
		return;
	scenario_route_accepts(carrier_profile(c), &kinds, &mms);
	gateway_route_accepts(*e->gwp, carrier_name(c), kinds, mms);
}

/* A new gateway starts from the scenario's routes: what carriers changed
 * since is told again. */
static void
engine_resync_routes(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->ncarriers; i++)
		engine_carrier_changed(e, e->carriers[i]);
}

/* The base of the gateway's own links (/m/): the run's listener. */
static void
engine_public_url(struct engine *e)
{
	char url[128];

	snprintf(url, sizeof url, "http://%s", e->http_address);
	gateway_set_public_url(e->gw, url);
}

int
engine_gateway_restart(struct engine *e, char *err, size_t errlen)
{
	char why[512];

	if (!e->owned) {
		if (e->restart(e->restart_arg, err, errlen) == -1)
			return -1;
		engine_resync_routes(e);
		return 0;
	}
	gateway_free(e->gw);
	e->gw = gateway_new(e->base, e->clock, &e->s->gateway, e->db, why,
	    sizeof why);
	if (e->gw == NULL) {
		snprintf(err, errlen, "the gateway did not start again: %s",
		    why);
		engine_fail(e, "%s", err);
		e->phase = ENGINE_DONE;
		if (e->vloop != NULL)
			vloop_stop(e->vloop);
		event_base_loopbreak(e->base);
		return -1;
	}
	engine_public_url(e);
	engine_resync_routes(e);
	return 0;
}

/* ---- the stack of a run ---- */

static int
engine_dir(struct engine *e)
{
	char tmpl[] = "/tmp/carrierlab-run-XXXXXX";
	const char *tmp = getenv("TMPDIR");

	if (e->opts.dir != NULL) {
		if (mkdir(e->opts.dir, 0700) == -1 && errno != EEXIST) {
			engine_fail(e, "%s: %s",
			    e->opts.dir, strerror(errno));
			return -1;
		}
		snprintf(e->dir, sizeof e->dir, "%s", e->opts.dir);
	} else {
		if (tmp != NULL && tmp[0] != '\0')
			snprintf(e->dir, sizeof e->dir, "%s/carrierlab-run-"
			    "XXXXXX", tmp);
		else
			snprintf(e->dir, sizeof e->dir, "%s", tmpl);
		if (mkdtemp(e->dir) == NULL) {
			engine_fail(e, "a temporary "
			    "directory (%s): %s", e->dir, strerror(errno));
			return -1;
		}
		e->dir_made = 1;
	}
	snprintf(e->db, sizeof e->db, "%s/gateway.db", e->dir);
	snprintf(e->smsc_db, sizeof e->smsc_db, "%s/carriers.db", e->dir);
	return 0;
}

/*
 * Every listener moves to an ephemeral port of 127.0.0.1, so runs go in
 * parallel; the routes that named a listener follow it once bound.
 */
static int
engine_start_carriers(struct engine *e)
{
	struct scenario		*s = e->s;
	struct carrier_env	 env = { e->base, e->clock, e->cstore, s->seed };
	char			 (*orig)[CARRIER_MAX_LISTEN][CARRIER_ADDR_MAX];
	const char		*bound[CARRIER_MAX_LISTEN];
	int			 tls[CARRIER_MAX_LISTEN];
	char			 err[512];
	size_t			 i, j, k, n;

	orig = xcalloc(s->ncarriers, sizeof *orig);
	e->carriers = xcalloc(s->ncarriers, sizeof *e->carriers);
	for (i = 0; i < s->ncarriers; i++) {
		struct carrier_profile *p = &s->carriers[i];

		for (j = 0; j < p->nlisten; j++) {
			memcpy(orig[i][j], p->listen[j].address,
			    sizeof orig[i][j]);
			snprintf(p->listen[j].address,
			    sizeof p->listen[j].address, "127.0.0.1:0");
		}
		e->carriers[i] = carrier_start(&env, p, err, sizeof err);
		if (e->carriers[i] == NULL) {
			engine_fail(e, "carrier %s: %s",
			    p->name, err);
			free(orig);
			return -1;
		}
		e->ncarriers++;
		n = carrier_listen_addresses(e->carriers[i], bound, tls,
		    CARRIER_MAX_LISTEN);
		for (k = 0; k < s->gateway.nroutes; k++) {
			struct gateway_route *r = &s->gateway.routes[k];

			for (j = 0; j < n; j++)
				if (strcmp(r->address, orig[i][j]) == 0 ||
				    (s->gateway_routes_derived && k == i &&
				    j == 0 && !tls[0]))
					break;
			if (j < n) {
				snprintf(r->address, sizeof r->address, "%s",
				    bound[j]);
				r->tls = tls[j];
			}
		}
	}
	free(orig);
	return 0;
}

/*
 * URLs on the host carrierlab.sink are the run's callback sink: the
 * scenario cannot know its port. "http://carrierlab.sink/in" becomes
 * "http://127.0.0.1:PORT/status/in".
 */
static void
engine_sink_rewrite(struct engine *e, char *url, size_t size)
{
	static const char host[] = "://" ENGINE_SINK_HOST;
	const char	*p = strstr(url, host), *rest;
	char		 buf[GATEWAY_URL_MAX];

	if (p == NULL || (strncmp(url, "http", 4) != 0) ||
	    (p != url + 4 && p != url + 5))
		return;
	rest = p + sizeof host - 1;
	if (*rest != '\0' && *rest != '/' && *rest != '?')
		return;
	snprintf(buf, sizeof buf, "%s%s", e->sink_url, rest);
	snprintf(url, size, "%s", buf);
}

char *
engine_sink_resolve(struct engine *e, const char *url)
{
	char buf[GATEWAY_URL_MAX];

	snprintf(buf, sizeof buf, "%s", url);
	engine_sink_rewrite(e, buf, sizeof buf);
	return xstrdup(buf);
}

static void
engine_sink_urls(struct engine *e)
{
	struct gateway_config	*g = &e->s->gateway;
	size_t			 i;

#define REWRITE(f)	engine_sink_rewrite(e, (f), sizeof (f))
	for (i = 0; i < g->nnumbers; i++) {
		REWRITE(g->numbers[i].sms_url);
		REWRITE(g->numbers[i].sms_fallback_url);
		REWRITE(g->numbers[i].status_callback);
	}
	for (i = 0; i < g->nservices; i++) {
		REWRITE(g->services[i].inbound_request_url);
		REWRITE(g->services[i].fallback_url);
		REWRITE(g->services[i].status_callback);
	}
	for (i = 0; i < g->nlink_domains; i++) {
		REWRITE(g->link_domains[i].fallback_url);
		REWRITE(g->link_domains[i].callback_url);
	}
#undef REWRITE
}

static int
engine_start_stack(struct engine *e)
{
	char err[512];

	if (engine_dir(e) == -1)
		return -1;
	e->base = event_base_new();
	if (e->base == NULL ||
	    event_base_priority_init(e->base, VLOOP_PRIORITIES) == -1) {
		engine_fail(e, "event_base_new failed");
		return -1;
	}
	e->clock = clock_new(e->base, e->s->clock, e->s->clock_start != 0 ?
	    e->s->clock_start : e->s->clock == CLOCK_MODE_VIRTUAL ?
	    ENGINE_VIRTUAL_EPOCH : 0, e->s->speed);
	e->cstore = carrier_store_open(e->smsc_db, err, sizeof err);
	if (e->cstore == NULL) {
		engine_fail(e, "%s: %s", e->smsc_db, err);
		return -1;
	}
	if (engine_start_carriers(e) == -1)
		return -1;
	if (engine_sink_start(e, err, sizeof err) == -1) {
		engine_fail(e, "callback sink: %s", err);
		return -1;
	}
	engine_sink_urls(e);
	e->gw = gateway_new(e->base, e->clock, &e->s->gateway, e->db, err,
	    sizeof err);
	if (e->gw == NULL) {
		engine_fail(e, "gateway: %s", err);
		return -1;
	}
	e->http = sim_http_start(e->base, e->clock, "127.0.0.1:0", "",
	    e->carriers, e->ncarriers, err, sizeof err);
	if (e->http == NULL) {
		engine_fail(e, "http: %s", err);
		return -1;
	}
	sim_gateway_attach(e->http, e->gwp, e->s->gateway.max_body);
	snprintf(e->http_address, sizeof e->http_address, "127.0.0.1:%d",
	    sim_http_port(e->http));
	engine_public_url(e);
	engine_client_start(e);
	return 0;
}

/* ---- the end ---- */

/* 1 when the gateway's store says nothing is left to happen. */
static int
engine_store_settled(struct engine *e)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	int		 settled = 0;

	if (sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 1000);
	if (sqlite3_prepare_v2(db, engine_unsettled_sql, -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		settled = sqlite3_column_int64(st, 0) == 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return settled;
}

int
engine_settled(struct engine *e)
{
	size_t i;

	/* A request out holds the run too (engine_api_request()). */
	if (e->holds > 0 || e->evaluating > 0)
		return 0;
	if (e->timeline != NULL && !timeline_done(e->timeline))
		return 0;
	if (e->traffic != NULL && !traffic_done(e->traffic))
		return 0;
	for (i = 0; i < e->s->nexpect; i++)
		if (e->expect_timers[i] != NULL &&
		    clock_timer_pending(e->expect_timers[i]))
			return 0;
	if (gateway_busy(*e->gwp))
		return 0;
	return engine_store_settled(e);
}

static void
engine_stop_loop(struct engine *e)
{
	e->phase = ENGINE_DONE;
	if (e->vloop != NULL)
		vloop_stop(e->vloop);
	else
		event_base_loopbreak(e->base);
}

static void	engine_next_end(struct engine *);

static void
engine_timed_done(void *arg)
{
	struct engine *e = arg;

	e->evaluating--;
}

static void
engine_end_done(void *arg)
{
	struct engine *e = arg;

	e->evaluating--;
	engine_next_end(e);
}

/* The "end" expectations, one at a time (one may send a request). */
static void
engine_next_end(struct engine *e)
{
	const struct scenario_expect *x;

	while (e->next_end < e->s->nexpect) {
		size_t i = e->next_end++;

		if (e->expect_timers[i] != NULL)
			continue;	/* a timed one */
		x = engine_expect_item(e->s, i);
		e->evaluating++;
		expect_eval(e, e->traffic, x, &e->results[i], engine_end_done,
		    e);
		return;
	}
	engine_stop_loop(e);
}

static void
engine_end(struct engine *e, const char *reason)
{
	size_t i;

	if (e->phase != ENGINE_RUNNING)
		return;
	e->phase = ENGINE_ENDING;
	e->end_reason = reason;
	clock_timer_del(e->end_timer);
	if (e->poll_timer != NULL)
		clock_timer_del(e->poll_timer);
	/* Timed expectations the run ended before. */
	for (i = 0; i < e->s->nexpect; i++) {
		struct expect_result *r = &e->results[i];

		if (e->expect_timers[i] == NULL ||
		    !clock_timer_pending(e->expect_timers[i]))
			continue;
		clock_timer_del(e->expect_timers[i]);
		r->passed = 0;
		r->at = engine_elapsed(e);
		snprintf(r->actual, sizeof r->actual, "not evaluated: the run "
		    "ended first (%s)", reason);
	}
	engine_note(e, "end", "run ends: %s", reason);
	engine_next_end(e);
}

static void
engine_end_timer_cb(struct clock_timer *t, void *arg)
{
	struct engine *e = arg;

	(void)t;
	if (e->s->duration > 0) {
		engine_end(e, "duration");
		return;
	}
	engine_end(e, "max_duration: the run had not settled");
}

static void
engine_expect_timer_cb(struct clock_timer *t, void *arg)
{
	struct engine	*e = arg;
	size_t		 i;

	for (i = 0; i < e->s->nexpect; i++)
		if (e->expect_timers[i] == t)
			break;
	if (i == e->s->nexpect || e->phase != ENGINE_RUNNING)
		return;
	e->evaluating++;
	expect_eval(e, e->traffic, engine_expect_item(e->s, i),
	    &e->results[i], engine_timed_done, e);
}

/* ---- driving the loop ---- */

static void
engine_progress(struct engine *e)
{
	struct timespec	ts;
	uint64_t	wall;
	char		at[32];

	if (!e->opts.progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	wall = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	if (wall - e->progress_last < ENGINE_PROGRESS_USEC)
		return;
	e->progress_last = wall;
	duration_format(engine_elapsed(e), at, sizeof at);
	fprintf(stderr, "\r\033[K%s: %s, %zu events, %zu callbacks",
	    e->s->name[0] != '\0' ? e->s->name : "run", at, e->nnotes,
	    e->ncbs);
}

static int
engine_vbusy(void *arg)
{
	struct engine *e = arg;

	return gateway_busy(*e->gwp);
}

static void
engine_vidle(void *arg, int64_t next)
{
	struct engine *e = arg;

	(void)next;
	engine_progress(e);
	if (e->phase == ENGINE_RUNNING && e->s->duration == 0 &&
	    engine_settled(e))
		engine_end(e, "settled");
	if (e->phase == ENGINE_DONE)
		vloop_stop(e->vloop);
}

static const struct vloop_hooks engine_vloop_hooks = {
	.busy = engine_vbusy,
	.idle = engine_vidle,
};

/* Real time: look now and then. */
static void
engine_poll_cb(struct clock_timer *t, void *arg)
{
	struct engine *e = arg;

	engine_progress(e);
	if (e->phase == ENGINE_RUNNING && e->s->duration == 0 &&
	    engine_settled(e))
		engine_end(e, "settled");
	if (e->phase == ENGINE_RUNNING)
		clock_timer_add(t, ENGINE_POLL_USEC);
}

/* The parts start and the timed expectations are armed. */
static void
engine_start_parts(struct engine *e)
{
	const struct scenario	*s = e->s;
	int64_t			 at;
	size_t			 i;

	e->start = clock_now(e->clock);
	e->results = xcalloc(s->nexpect > 0 ? s->nexpect : 1,
	    sizeof *e->results);
	e->expect_timers = xcalloc(s->nexpect > 0 ? s->nexpect : 1,
	    sizeof *e->expect_timers);
	for (i = 0; i < s->nexpect; i++) {
		e->results[i].x = engine_expect_item(s, i);
		if (engine_expect_at(e->results[i].x, &at) == 1)
			continue;
		e->expect_timers[i] = clock_timer_new(e->clock,
		    engine_expect_timer_cb, e);
		clock_timer_add(e->expect_timers[i], at);
	}
	e->timeline = timeline_start(e, s);
	if (e->owned)
		e->traffic = traffic_start(e, s);
	e->end_timer = clock_timer_new(e->clock, engine_end_timer_cb, e);
	/* A duration is what the file asks for; max_duration only bounds
	 * the wait for a run to settle. */
	clock_timer_add(e->end_timer, s->duration > 0 ? s->duration :
	    s->max_duration);
}

struct engine *
engine_new(struct scenario *s, const struct engine_options *opts)
{
	struct engine *e = xcalloc(1, sizeof *e);

	e->s = s;
	e->owned = 1;
	e->opts = *opts;
	e->gwp = &e->gw;
	TAILQ_INIT(&e->reqs);
	return e;
}

int
engine_run(struct engine *e)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (engine_start_stack(e) == -1) {
		e->phase = ENGINE_DONE;
		return -1;
	}
	engine_start_parts(e);
	if (clock_mode(e->clock) == CLOCK_MODE_VIRTUAL) {
		e->vloop = vloop_new(e->base, e->clock, &engine_vloop_hooks,
		    e);
		if (vloop_run(e->vloop) == 1 && e->phase != ENGINE_DONE)
			engine_fail(e, "the run stopped "
			    "with nothing left to do before its end");
	} else {
		e->poll_timer = clock_timer_new(e->clock, engine_poll_cb, e);
		clock_timer_add(e->poll_timer, ENGINE_POLL_USEC);
		event_base_dispatch(e->base);
	}
	if (e->opts.progress)
		fputs("\r\033[K", stderr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	e->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	e->duration = engine_elapsed(e);
	/* The report reads the store as the run left it. */
	gateway_free(e->gw);
	e->gw = NULL;
	return e->error[0] != '\0' ? -1 : 0;
}

int
engine_verdict(const struct engine *e)
{
	size_t i;

	if (e->error[0] != '\0' || e->phase != ENGINE_DONE)
		return 1;
	if (e->timeline != NULL && timeline_failures(e->timeline) > 0)
		return 1;
	for (i = 0; i < e->s->nexpect; i++)
		if (!e->results[i].passed)
			return 1;
	return 0;
}

/* Final counts by status, from the store. */
static json_t *
engine_totals(struct engine *e)
{
	json_t		*o = json_object();
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;

	if (sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, "SELECT status, count(*) "
	    "FROM messages GROUP BY status ORDER BY status", -1, &st, NULL) ==
	    SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(o, (const char *)
			    sqlite3_column_text(st, 0),
			    json_integer(sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return o;
}

void
engine_report(struct engine *e, const char *file, struct report *r)
{
	char err[256];

	memset(r, 0, sizeof *r);
	r->file = file != NULL ? file : "";
	r->name = e->s->name;
	r->description = e->s->description;
	r->seed = e->s->seed;
	r->clock = e->s->clock == CLOCK_MODE_VIRTUAL ? "virtual" : "real";
	r->duration = e->duration;
	r->ended = e->end_reason;
	r->wall_seconds = e->wall_seconds;
	if (e->error[0] == '\0' && e->timeline != NULL &&
	    timeline_failures(e->timeline) > 0)
		engine_fail(e, "%u timeline action%s "
		    "failed (see the events)", timeline_failures(e->timeline),
		    timeline_failures(e->timeline) == 1 ? "" : "s");
	r->error = e->error[0] != '\0' ? e->error : NULL;
	r->results = e->results;
	r->nresults = e->results != NULL ? e->s->nexpect : 0;
	if (e->whys == NULL && r->nresults > 0) {
		size_t i;

		e->whys = xcalloc(r->nresults, sizeof *e->whys);
		for (i = 0; i < r->nresults; i++)
			e->whys[i] = engine_expect_why(e->results[i].x);
	}
	r->why = e->whys;
	r->notes = e->notes;
	r->nnotes = e->nnotes;
	if (e->points == NULL && e->db[0] != '\0' &&
	    access(e->db, R_OK) == 0 && report_points_load(e->db, e->start,
	    &e->points, &e->npoints, err, sizeof err) == -1)
		log_warnx("run report points error=\"%s\"", err);
	r->points = e->points;
	r->npoints = e->npoints;
	if (e->totals == NULL)
		e->totals = e->db[0] != '\0' && access(e->db, R_OK) == 0 ?
		    engine_totals(e) : json_object();
	r->totals = e->totals;
}

static int
engine_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
engine_free(struct engine *e)
{
	size_t i;

	if (e == NULL)
		return;
	timeline_free(e->timeline);
	traffic_free(e->traffic);
	for (i = 0; e->expect_timers != NULL && i < e->s->nexpect; i++)
		clock_timer_free(e->expect_timers[i]);
	free(e->expect_timers);
	clock_timer_free(e->end_timer);
	clock_timer_free(e->poll_timer);
	vloop_free(e->vloop);
	engine_http_free(e);
	if (e->owned) {
		sim_http_free(e->http);
		gateway_free(e->gw);
		for (i = 0; i < e->ncarriers; i++)
			carrier_free(e->carriers[i]);
		free(e->carriers);
		if (e->cstore != NULL) {
			carrier_store_flush(e->cstore);
			carrier_store_close(e->cstore);
		}
		if (e->clock != NULL)
			clock_free(e->clock);
		if (e->base != NULL)
			event_base_free(e->base);
		if (e->dir_made)
			nftw(e->dir, engine_rm, 8, FTW_DEPTH | FTW_PHYS);
	}
	for (i = 0; i < e->ncbs; i++)
		json_decref(e->cbs[i].params);
	free(e->cbs);
	free(e->notes);
	free(e->results);
	free(e->points);
	free(e->whys);
	json_decref(e->totals);
	free(e);
}

/* ---- serve FILE ---- */

struct engine *
engine_attach(struct scenario *s, struct event_base *base,
    struct clock *clock, struct carrier **carriers, size_t n,
    struct gateway **gwp, const char *db, const char *http_address,
    int (*restart)(void *, char *, size_t), void *restart_arg)
{
	struct engine *e = xcalloc(1, sizeof *e);

	e->s = s;
	e->base = base;
	e->clock = clock;
	e->carriers = carriers;
	e->ncarriers = n;
	e->gwp = gwp;
	snprintf(e->db, sizeof e->db, "%s", db);
	snprintf(e->http_address, sizeof e->http_address, "%s",
	    http_address);
	e->restart = restart;
	e->restart_arg = restart_arg;
	TAILQ_INIT(&e->reqs);
	return e;
}

void
engine_attach_start(struct engine *e)
{
	char err[256];

	if (engine_sink_start(e, err, sizeof err) == -1)
		log_warnx("serve sink error=\"%s\"", err);
	engine_client_start(e);
	e->start = clock_now(e->clock);
	e->timeline = timeline_start(e, e->s);
}
