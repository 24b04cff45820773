/*
 * The gateway's store: the connection and its worker thread, the queue
 * between the loop and the worker, and group commit (see store.h).
 *
 * One worker thread owns the only connection (so ":memory:" works, and
 * sqlite's mutexes stay off: SQLITE_OPEN_NOMUTEX, one thread at a time).
 * The loop opens, migrates and prepares before the worker starts, and
 * never touches the connection after.
 *
 * The loop and the worker meet at one mutex: a FIFO of jobs towards the
 * worker (batches, reads, the close) and the batches coming back. A
 * finished batch wakes the loop through a pipe read by a libevent event;
 * the loop then runs its durability callbacks, batch after batch in the
 * order handed over, so callbacks run in the order registered.
 *
 * When to hand a batch over: at the next turn of the loop after its
 * first write (a zero-delay libevent timer: a turn, not a span of time,
 * so not the carrierlab clock's business), but not while the worker
 * still has GW_STORE_DEPTH of them: then the batch grows until one comes
 * back. (A least gap between handovers, 2 ms, only added latency once
 * the worker had its own thread: p50 create 2.8 ms against 0.4 ms at
 * 1,000/s.) The timer is urgent (common/evbase.h), as the wake-up: at
 * the default priority it ran behind every connection ready in the
 * same turn, and the worker, idle, waited for the whole turn (2 ms and
 * more at 64 connections) instead of its first EVBASE_MAX_CALLBACKS
 * callbacks. Under load each COMMIT (which writes every page its batch
 * touched to the WAL) thus carries as much as arrived meanwhile; a lone
 * request still commits on the next turn. A batch of GW_STORE_BATCH_MAX
 * ops goes at once.
 *
 * Two, not one: with one batch at a time the worker, done, waited for
 * the loop to notice (a wake-up, then the rest of the loop's turn), to
 * answer the batch's requests and only then to hand over the next one,
 * and sat idle for about half of a closed-loop run; with a second
 * batch queued it goes straight on. For the same reason the batch that
 * comes back is followed at once by the open one (when someone waits on
 * it) before its durability callbacks run, and the wake-up is an urgent
 * event of the loop (common/evbase.h).
 *
 * All that is for a batch someone waits on (a create's 201, a click's
 * redirect). A batch nobody waits on (status changes, events, the
 * outbox's rows and deletions) may linger (gw_store_set_linger, real
 * time only) until the next urgent write takes it along or the linger
 * ends: at 1,000 messages/s the worker had committed six batches a
 * message, one per status change and callback, each a transaction and
 * a wake-up of two threads.
 *
 * Under a steady stream of creates every batch is urgent, so a
 * message's moves after its create (sending, sent, delivered, a few
 * turns apart) went in two or three batches, an UPDATE of its row each
 * (1.9 a message in the gateway benchmark's (b)). So when an urgent
 * batch goes on its turn and lingering is on, the status moves in it
 * that nothing there needs are carried over into the next open batch
 * (store-batch.c says which), where the later moves fold into them.
 * A move is carried for a linger at most (from its first carry): then
 * it goes with the next urgent batch, or on the linger's timer when no
 * create comes. A read, gw_store_commit() and the close hand everything
 * over.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "gateway/store-internal.h"

#define GW_STORE_BUSY_TIMEOUT_MS	5000
/* Ops in the open batch beyond which it goes at once. */
#define GW_STORE_BATCH_MAX	4096
/* Batches with the worker (committing or queued) before the open one
 * waits for one to come back (see the top). */
#define GW_STORE_DEPTH		2
/* Batches handed over and not back beyond which the loop waits: it
 * slows down rather than queue without bound. */
#define GW_STORE_HANDED_MAX	4

static const char *const gw_store_stmt_sql[] = {
#define GW_STORE_STMT_SQL(name, sql) [GW_STMT_##name] = sql,
	GW_STORE_STATEMENTS(GW_STORE_STMT_SQL)
#undef GW_STORE_STMT_SQL
};

static void	gw_store_commit_cb(evutil_socket_t, short, void *);
static void	gw_store_done_cb(evutil_socket_t, short, void *);

/* ---- sqlite helpers (the worker's, or the opener's before it) ---- */

/* The loop logs the worker's failures when their job comes back. */
int
gw_store_failx(struct gw_store_db *d, const char *what, const char *reason)
{
	snprintf(d->error, sizeof(d->error), "%s: %s", what, reason);
	return -1;
}

int
gw_store_fail(struct gw_store_db *d, const char *what)
{
	return gw_store_failx(d, what, d->db != NULL ?
	    sqlite3_errmsg(d->db) : "out of memory");
}

int
gw_store_loop_failx(struct gw_store *s, const char *what, const char *reason)
{
	snprintf(s->error, sizeof(s->error), "%s: %s", what, reason);
	log_warnx("gw-store %s failed path=%s error=\"%s\"", what, s->path,
	    reason);
	return -1;
}

sqlite3_stmt *
gw_store_stmt(struct gw_store_db *d, enum gw_store_stmt which)
{
	sqlite3_stmt *st = d->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int
gw_store_step_done(struct gw_store_db *d, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		gw_store_fail(d, what);	/* before reset, which may clear it */
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
gw_store_bind_text(sqlite3_stmt *st, int i, const char *text,
    int empty_null)
{
	if (text == NULL || (empty_null && text[0] == '\0'))
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

int
gw_store_bind_i64(sqlite3_stmt *st, int i, int64_t v, int zero_null)
{
	if (v == 0 && zero_null)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int64(st, i, v);
}

void
gw_store_column_copy(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const unsigned char *text = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	if (text == NULL)
		n = 0;
	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(out, text, n);
	out[n] = '\0';
}

char *
gw_store_column_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *text = sqlite3_column_text(st, i);

	if (text == NULL)
		return NULL;
	return xstrndup((const char *)text,
	    (size_t)sqlite3_column_bytes(st, i));
}

static int
gw_store_exec(struct gw_store_db *d, const char *sql, const char *what)
{
	if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return gw_store_fail(d, what);
	return 0;
}

static int
gw_store_prepare(struct gw_store_db *d)
{
	char built[GW_STORE_SQL_MAX];
	const char *sql;
	int i;

	for (i = 0; i < GW_STMT_COUNT; i++) {
		sql = gw_store_stmt_sql[i];
		if (sql == NULL) {
			gw_store_message_sql(i, built, sizeof(built));
			sql = built;
		}
		if (sqlite3_prepare_v3(d->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &d->stmt[i], NULL) != SQLITE_OK)
			return gw_store_fail(d, "prepare");
	}
	return 0;
}

/* "PRAGMA synchronous = X" for a GATEWAY_SYNC_* level (see gateway.h);
 * the name starts at offset 21. */
static const char *
gw_store_sync_pragma(int level)
{
	return level == GATEWAY_SYNC_FULL ? "PRAGMA synchronous = FULL" :
	    level == GATEWAY_SYNC_NORMAL ? "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = OFF";
}

static int
gw_store_db_setup(struct gw_store_db *d, const char *path,
    int synchronous, int64_t *max_callback_id)
{
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		return gw_store_fail(d, "open");
	sqlite3_busy_timeout(d->db, GW_STORE_BUSY_TIMEOUT_MS);
	/* A put steps a cursor per index: let their small allocations come
	 * from the connection's lookaside rather than malloc, where sqlite
	 * has one (Debian's is built with SQLITE_OMIT_LOOKASIDE: no-op). */
	sqlite3_db_config(d->db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 512, 2048);
	/*
	 * A new file's page size; an existing one keeps its own. A batch's
	 * COMMIT writes each page it touched to the WAL (two pwrites a
	 * page): the tails of the tables and of their indexes, which a page
	 * twice as large leaves half as often, and a page of the "to" index
	 * per message. 8 KiB took the worker 36-40 us a message in the
	 * gateway benchmark's (b) against 40-44 us at sqlite's default 4
	 * KiB (seven alternated pairs); 16 KiB was no better than 4 KiB.
	 * journal_mode answers "memory" for ":memory:", which is fine.
	 */
	if (gw_store_exec(d, "PRAGMA page_size = 8192", "page_size") ||
	    gw_store_exec(d, "PRAGMA journal_mode = WAL", "journal_mode") ||
	    gw_store_exec(d, gw_store_sync_pragma(synchronous),
	    "synchronous") ||
	    gw_store_exec(d, "PRAGMA foreign_keys = OFF", "foreign_keys") ||
	    gw_store_exec(d, "PRAGMA cache_size = -16384", "cache_size"))
		return -1;
	if (gw_store_migrate(d) == -1 || gw_store_prepare(d) == -1)
		return -1;
	return gw_store_db_callback_max_id(d, max_callback_id);
}

static void
gw_store_db_close(struct gw_store_db *d)
{
	size_t i;

	for (i = 0; i < GW_STMT_COUNT; i++) {
		sqlite3_finalize(d->stmt[i]);
		d->stmt[i] = NULL;
	}
	for (i = 0; i < GW_LIST_STMTS; i++) {
		sqlite3_finalize(d->list_stmt[i]);
		d->list_stmt[i] = NULL;
	}
	if (d->db != NULL && sqlite3_close(d->db) != SQLITE_OK)
		gw_store_fail(d, "close");
	d->db = NULL;
	gw_json_free(&d->json[0]);
	gw_json_free(&d->json[1]);
}

/* ---- the worker ---- */

static void *
gw_store_worker(void *arg)
{
	struct gw_store *s = arg;
	struct gw_store_job *job;
	int quit = 0;

	/* Named for top -H, perf and the benchmarks' CPU split. */
	pthread_setname_np(pthread_self(), "gw-store");
	pthread_mutex_lock(&s->mu);
	while (!quit) {
		while ((job = TAILQ_FIRST(&s->jobs)) == NULL)
			pthread_cond_wait(&s->work, &s->mu);
		TAILQ_REMOVE(&s->jobs, job, entry);
		pthread_mutex_unlock(&s->mu);

		s->w.error[0] = '\0';
		switch (job->kind) {
		case GW_JOB_BATCH:
			job->rc = gw_store_db_batch(&s->w, job);
			break;
		case GW_JOB_CALL:
			job->rc = job->fn(&s->w, job->arg);
			break;
		case GW_JOB_QUIT:
			gw_store_db_close(&s->w);
			job->rc = s->w.error[0] != '\0' ? -1 : 0;
			quit = 1;
			break;
		}
		if (job->rc == -1)
			memcpy(job->error, s->w.error, sizeof(job->error));

		pthread_mutex_lock(&s->mu);
		if (job->kind == GW_JOB_BATCH) {
			TAILQ_INSERT_TAIL(&s->finished, job, entry);
			s->nfinished++;
			wakepipe_signal(&s->notify);	/* the loop looks */
		} else
			job->done = 1;	/* the caller's now: hands off */
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- the loop's side ---- */

struct gw_store_job *
gw_store_job_new(void)
{
	struct gw_store_job *job = xcalloc(1, sizeof(*job));

	job->kind = GW_JOB_BATCH;
	TAILQ_INIT(&job->ops);
	RB_INIT(&job->by_sid);
	return job;
}

struct gw_store_job *
gw_store_batch(struct gw_store *s)
{
	if (s->cur == NULL)
		s->cur = gw_store_job_new();
	return s->cur;
}

/* Someone waits on the open batch, or nothing may linger: it goes on
 * the next loop turn. */
static int
gw_store_due(const struct gw_store *s)
{
	return s->cur->urgent || !timerisset(&s->linger);
}

/*
 * Arms the handover of the open batch (see the top): not while the
 * worker has GW_STORE_DEPTH (a return arms it again), else on the next
 * loop turn, or after the linger when nobody waits on the batch.
 */
static void
gw_store_arm(struct gw_store *s)
{
	static const struct timeval zero = { 0, 0 };
	int pending;

	if (s->cur == NULL || s->handed >= GW_STORE_DEPTH)
		return;
	pending = evtimer_pending(s->commit_ev, NULL);
	if (gw_store_due(s)) {
		if (pending && !s->lingering)
			return;
		evtimer_add(s->commit_ev, &zero);
		s->lingering = 0;
	} else if (!pending) {
		evtimer_add(s->commit_ev, &s->linger);
		s->lingering = 1;
	}
}

/* Queues a job for the worker; the caller holds mu. */
static void
gw_store_enqueue(struct gw_store *s, struct gw_store_job *job)
{
	TAILQ_INSERT_TAIL(&s->jobs, job, entry);
	pthread_cond_signal(&s->work);
}

/* What goes of an urgent job on its turn when job keeps status moves
 * (see the top), or NULL: all of it goes. */
static struct gw_store_job *
gw_store_carry(struct gw_store *s, struct gw_store_job *job)
{
	struct timespec ts;

	if (!job->urgent || !timerisset(&s->linger))
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return gw_store_batch_carry(job, (int64_t)ts.tv_sec * 1000000 +
	    ts.tv_nsec / 1000, (int64_t)s->linger.tv_sec * 1000000 +
	    s->linger.tv_usec);
}

/* Hands the open batch to the worker (carry: on its turn, see the top);
 * waits while the worker is far behind. */
static void
gw_store_handover(struct gw_store *s, int carry)
{
	struct gw_store_job *job = s->cur, *out;

	if (job == NULL)
		return;
	s->cur = NULL;
	if (carry && (out = gw_store_carry(s, job)) != NULL) {
		s->cur = job;		/* open, with the carried moves */
		job = out;
	}
	evtimer_del(s->commit_ev);
	s->lingering = 0;
	s->handed++;
	s->handed_writes += job->writes;
	pthread_mutex_lock(&s->mu);
	gw_store_enqueue(s, job);
	while (s->handed - s->nfinished > GW_STORE_HANDED_MAX)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

/* One more write call in the open batch: it goes when it is large. */
void
gw_store_wrote(struct gw_store *s)
{
	struct gw_store_job *job = gw_store_batch(s);

	job->writes++;
	if (job->nops >= GW_STORE_BATCH_MAX)
		gw_store_handover(s, 0);
	else
		gw_store_arm(s);
}

/*
 * Takes the batches the worker gave back onto ready, in order; -1 if
 * one of them failed (logged).
 */
static int
gw_store_take_back(struct gw_store *s)
{
	struct gw_store_job_list back;
	struct gw_store_job *job;
	int rc = 0;

	TAILQ_INIT(&back);
	pthread_mutex_lock(&s->mu);
	TAILQ_CONCAT(&back, &s->finished, entry);
	s->handed -= s->nfinished;
	s->nfinished = 0;
	wakepipe_rearm(&s->notify);
	pthread_mutex_unlock(&s->mu);
	while ((job = TAILQ_FIRST(&back)) != NULL) {
		TAILQ_REMOVE(&back, job, entry);
		s->handed_writes -= job->writes;
		if (job->rc == -1) {
			rc = -1;
			memcpy(s->error, job->error, sizeof(s->error));
			log_warnx("gw-store batch rolled back path=%s "
			    "writes=%zu error=\"%s\"", s->path, job->writes,
			    job->error);
		}
		gw_store_batch_free(s, job);	/* ops only: the job stays */
		TAILQ_INSERT_TAIL(&s->ready, job, entry);
	}
	return rc;
}

/*
 * Runs the durability callbacks of the batches back, oldest first. The
 * cursor lives in the batch, so a callback that commits (and so runs
 * callbacks itself) keeps the order; those it registers join a later
 * batch. A callback must not close the store.
 */
static void
gw_store_run_ready(struct gw_store *s)
{
	struct gw_store_job *job;
	struct gw_store_durable *d;

	while ((job = TAILQ_FIRST(&s->ready)) != NULL) {
		if (job->next_durable < job->ndurable) {
			d = &job->durable[job->next_durable++];
			d->cb(d->arg, job->rc == 0);
			continue;
		}
		TAILQ_REMOVE(&s->ready, job, entry);
		free(job->durable);
		free(job);
	}
}

static void
gw_store_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gw_store *s = arg;

	(void)fd, (void)what;
	wakepipe_drain(&s->notify);
	gw_store_take_back(s);
	if (s->cur != NULL && s->handed < GW_STORE_DEPTH && gw_store_due(s))
		gw_store_handover(s, 1);	/* before the callbacks: see
						   the top */
	gw_store_run_ready(s);
	gw_store_arm(s);
}

static void
gw_store_commit_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gw_store *s = arg;

	(void)fd;
	(void)what;
	if (s->handed < GW_STORE_DEPTH) {
		gw_store_handover(s, 1);
		gw_store_arm(s);	/* what was carried over */
	}
}

/* Waits until every batch handed over is back; -1 if one failed. */
static int
gw_store_wait_all(struct gw_store *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->nfinished < s->handed)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return gw_store_take_back(s);
}

int
gw_store_call(struct gw_store *s, int (*fn)(struct gw_store_db *, void *),
    void *arg)
{
	struct gw_store_job job;

	if (!s->running)
		return gw_store_loop_failx(s, "call", "the store is closed");
	gw_store_handover(s, 0);
	memset(&job, 0, sizeof(job));
	job.kind = GW_JOB_CALL;
	job.fn = fn;
	job.arg = arg;
	pthread_mutex_lock(&s->mu);
	gw_store_enqueue(s, &job);
	while (!job.done)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
	if (job.rc == -1) {
		memcpy(s->error, job.error, sizeof(s->error));
		log_warnx("gw-store read failed path=%s error=\"%s\"",
		    s->path, job.error);
	}
	return job.rc;
}

static int
gw_store_start(struct gw_store *s, int synchronous)
{
	if (gw_store_db_setup(&s->w, s->path, synchronous,
	    &s->next_callback_id) == -1) {
		memcpy(s->error, s->w.error, sizeof(s->error));
		return -1;
	}
	s->next_callback_id++;
	if (wakepipe_open(&s->notify) == -1)
		return gw_store_loop_failx(s, "open", strerror(errno));
	s->commit_ev = evtimer_new(s->base, gw_store_commit_cb, s);
	s->done_ev = event_new(s->base, s->notify.fd[0], EV_READ | EV_PERSIST,
	    gw_store_done_cb, s);
	if (s->commit_ev == NULL || s->done_ev == NULL ||
	    event_priority_set(s->done_ev, 0) == -1 ||
	    event_priority_set(s->commit_ev, 0) == -1 ||
	    event_add(s->done_ev, NULL) == -1)
		return gw_store_loop_failx(s, "open", "cannot create the "
		    "store's events");
	if (pthread_create(&s->worker, NULL, gw_store_worker, s) != 0)
		return gw_store_loop_failx(s, "open", "cannot start the "
		    "store's thread");
	s->running = 1;
	return 0;
}

struct gw_store *
gw_store_open(struct event_base *base, const char *path,
    int synchronous, char *err, size_t errlen)
{
	struct gw_store *s;

	if (base == NULL || path == NULL) {
		if (errlen > 0)
			snprintf(err, errlen, "gw-store: no event base or "
			    "path");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->notify = WAKEPIPE_CLOSED;
	strlcpy(s->path, path, sizeof(s->path));
	strlcpy(s->w.path, path, sizeof(s->w.path));
	TAILQ_INIT(&s->ready);
	TAILQ_INIT(&s->jobs);
	TAILQ_INIT(&s->spare);
	TAILQ_INIT(&s->finished);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	if (gw_store_start(s, synchronous) == -1) {
		if (errlen > 0)
			snprintf(err, errlen, "%s: %s", path, s->error);
		gw_store_close(s);
		return NULL;
	}
	log_info("gw-store open path=%s synchronous=%s schema=%d", s->path,
	    gw_store_sync_pragma(synchronous) + 21, GW_STORE_SCHEMA_VERSION);
	return s;
}

int
gw_store_commit(struct gw_store *s)
{
	int rc;

	if (!s->running)
		return gw_store_loop_failx(s, "commit", "the store is closed");
	gw_store_handover(s, 0);
	rc = gw_store_wait_all(s);
	gw_store_run_ready(s);
	return rc;
}

static void
gw_store_durable_add(struct gw_store *s, void (*cb)(void *, int),
    void *arg, int urgent)
{
	struct gw_store_job *job = gw_store_batch(s);

	if (job->ndurable == job->durable_cap) {
		job->durable_cap = job->durable_cap > 0 ?
		    job->durable_cap * 2 : 16;
		job->durable = xreallocarray(job->durable, job->durable_cap,
		    sizeof(*job->durable));
	}
	job->durable[job->ndurable].cb = cb;
	job->durable[job->ndurable].arg = arg;
	job->ndurable++;
	if (urgent)
		job->urgent = 1;
	gw_store_arm(s);
}

void
gw_store_when_durable(struct gw_store *s, void (*cb)(void *, int),
    void *arg)
{
	gw_store_durable_add(s, cb, arg, 1);
}

void
gw_store_when_durable_later(struct gw_store *s, void (*cb)(void *, int),
    void *arg)
{
	gw_store_durable_add(s, cb, arg, 0);
}

void
gw_store_set_linger(struct gw_store *s, int64_t usec)
{
	s->linger.tv_sec = (time_t)(usec / 1000000);
	s->linger.tv_usec = (suseconds_t)(usec % 1000000);
	if (s->lingering && s->cur != NULL) {	/* again, with the new one */
		evtimer_del(s->commit_ev);
		s->lingering = 0;
		gw_store_arm(s);
	}
}

size_t
gw_store_pending(const struct gw_store *s)
{
	return s->handed_writes + (s->cur != NULL ? s->cur->writes : 0);
}

int
gw_store_busy(const struct gw_store *s)
{
	return s->cur != NULL || s->handed > 0 || !TAILQ_EMPTY(&s->ready);
}

const char *
gw_store_error(const struct gw_store *s)
{
	return s->error;
}

/* Hands everything over, lets the worker commit and close, joins it. */
static void
gw_store_stop(struct gw_store *s)
{
	struct gw_store_job quit;

	gw_store_handover(s, 0);
	memset(&quit, 0, sizeof(quit));
	quit.kind = GW_JOB_QUIT;
	pthread_mutex_lock(&s->mu);
	gw_store_enqueue(s, &quit);
	while (!quit.done)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->worker, NULL);
	s->running = 0;
	if (quit.rc == -1)
		log_warnx("gw-store close path=%s error=\"%s\"", s->path,
		    quit.error);
	gw_store_take_back(s);
	gw_store_run_ready(s);
}

void
gw_store_close(struct gw_store *s)
{
	if (s == NULL)
		return;
	if (s->running)
		gw_store_stop(s);
	else
		gw_store_db_close(&s->w);
	if (s->cur != NULL) {
		log_warnx("gw-store closed with writes after its last commit "
		    "path=%s writes=%zu", s->path, s->cur->writes);
		gw_store_batch_free(s, s->cur);
		free(s->cur->durable);
		free(s->cur);
	}
	gw_store_spare_free(s);
	if (s->commit_ev != NULL)
		event_free(s->commit_ev);
	if (s->done_ev != NULL)
		event_free(s->done_ev);
	wakepipe_close(&s->notify);
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
