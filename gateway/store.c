/*
 * The gateway's store: the connection, the statements kept for its
 * life, and group commit (see store.h).
 *
 * One connection used from the event loop only, so sqlite's mutexes are
 * off (SQLITE_OPEN_NOMUTEX). The batch is one transaction opened with
 * BEGIN IMMEDIATE by its first write (the write lock is taken up front,
 * not on an upgrade that could fail half-way) and committed by a
 * zero-delay libevent timer: that is a turn of the loop, not a span of
 * time, so it is not the carrierlab clock's business. Everything written
 * during one turn (every request read, every receipt decoded) lands in
 * one COMMIT, and its durability callbacks run after it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/store-internal.h"

#define GW_STORE_BUSY_TIMEOUT_MS	5000
/* Least time between two commits (usec): see gw_store_arm(). */
#define GW_STORE_COMMIT_GAP	2000

static const char *const gw_store_stmt_sql[] = {
#define GW_STORE_STMT_SQL(name, sql) [GW_STMT_##name] = sql,
	GW_STORE_STATEMENTS(GW_STORE_STMT_SQL)
#undef GW_STORE_STMT_SQL
};

static void	gw_store_commit_cb(evutil_socket_t, short, void *);

int
gw_store_failx(struct gw_store *s, const char *what, const char *reason)
{
	snprintf(s->error, sizeof(s->error), "%s: %s", what, reason);
	log_warnx("gw-store %s failed path=%s error=\"%s\"", what, s->path,
	    reason);
	return -1;
}

int
gw_store_fail(struct gw_store *s, const char *what)
{
	return gw_store_failx(s, what, s->db != NULL ?
	    sqlite3_errmsg(s->db) : "out of memory");
}

sqlite3_stmt *
gw_store_stmt(struct gw_store *s, enum gw_store_stmt which)
{
	sqlite3_stmt *st = s->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int
gw_store_step_done(struct gw_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		gw_store_fail(s, what);	/* before reset, which may clear it */
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

/*
 * Arms the commit (once per batch): on the next loop turn, but no
 * sooner than GW_STORE_COMMIT_GAP after the previous commit. Every
 * commit writes each page its batch touched to the WAL, so under load a
 * few larger batches cost far less than many small ones, while a lone
 * request still commits on the next turn.
 */
static void
gw_store_arm(struct gw_store *s)
{
	struct timeval now, tv = { 0, 0 };
	int64_t gap;

	if (evtimer_pending(s->commit_ev, NULL))
		return;
	event_base_gettimeofday_cached(s->base, &now);
	gap = s->last_commit + GW_STORE_COMMIT_GAP -
	    ((int64_t)now.tv_sec * 1000000 + now.tv_usec);
	if (gap > 0 && gap <= GW_STORE_COMMIT_GAP)
		tv.tv_usec = (suseconds_t)gap;
	evtimer_add(s->commit_ev, &tv);
}

/*
 * Some errors (disk full, I/O) make sqlite roll the whole transaction
 * back by itself: the batch's earlier writes are gone, so the batch must
 * not be reported durable even if later writes commit.
 */
int
gw_store_begin(struct gw_store *s)
{
	if (sqlite3_get_autocommit(s->db)) {
		if (s->batch_open)
			s->batch_lost = 1;
		if (gw_store_step_done(s, gw_store_stmt(s, GW_STMT_BEGIN),
		    "begin") == -1)
			return -1;
		s->batch_open = 1;
	}
	gw_store_arm(s);
	return 0;
}

static int
gw_store_exec(struct gw_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return gw_store_fail(s, what);
	return 0;
}

static int
gw_store_prepare(struct gw_store *s)
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
		if (sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) != SQLITE_OK)
			return gw_store_fail(s, "prepare");
	}
	return 0;
}

static int
gw_store_setup(struct gw_store *s, const char *path, int synchronous_full)
{
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		return gw_store_fail(s, "open");
	sqlite3_busy_timeout(s->db, GW_STORE_BUSY_TIMEOUT_MS);
	/* A put steps a cursor per index: let their small allocations come
	 * from the connection's lookaside rather than malloc. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 512, 2048);
	/* journal_mode answers "memory" for ":memory:", which is fine. */
	if (gw_store_exec(s, "PRAGMA journal_mode = WAL", "journal_mode") ||
	    gw_store_exec(s, synchronous_full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", "synchronous") ||
	    gw_store_exec(s, "PRAGMA foreign_keys = OFF", "foreign_keys") ||
	    gw_store_exec(s, "PRAGMA cache_size = -16384", "cache_size"))
		return -1;
	if (gw_store_migrate(s) == -1)
		return -1;
	if (gw_store_prepare(s) == -1)
		return -1;
	s->commit_ev = evtimer_new(s->base, gw_store_commit_cb, s);
	if (s->commit_ev == NULL)
		return gw_store_failx(s, "open", "cannot create the commit "
		    "timer");
	return 0;
}

struct gw_store *
gw_store_open(struct event_base *base, const char *path,
    int synchronous_full, char *err, size_t errlen)
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
	strlcpy(s->path, path, sizeof(s->path));
	if (gw_store_setup(s, path, synchronous_full) == -1) {
		if (errlen > 0)
			snprintf(err, errlen, "%s: %s", path, s->error);
		gw_store_close(s);
		return NULL;
	}
	log_info("gw-store open path=%s synchronous=%s schema=%d", s->path,
	    synchronous_full ? "full" : "normal", GW_STORE_SCHEMA_VERSION);
	return s;
}

/*
 * Commits the open batch (ROLLBACK when COMMIT fails, so the whole batch
 * goes) and runs the callbacks registered until now. The callbacks are
 * taken off the store first: those they register join the next batch,
 * and one of them may even close the store.
 */
static int
gw_store_commit_batch(struct gw_store *s)
{
	struct gw_store_durable *run = s->durable;
	size_t i, n = s->ndurable;
	struct timeval now;
	int ok = 1;

	evtimer_del(s->commit_ev);
	event_base_gettimeofday_cached(s->base, &now);
	s->last_commit = (int64_t)now.tv_sec * 1000000 + now.tv_usec;
	if (s->batch_open && sqlite3_get_autocommit(s->db))
		s->batch_lost = 1;
	if (s->batch_lost || (!sqlite3_get_autocommit(s->db) &&
	    gw_store_step_done(s, gw_store_stmt(s, GW_STMT_COMMIT),
	    "commit") == -1)) {
		ok = 0;
		if (!sqlite3_get_autocommit(s->db))
			gw_store_step_done(s, gw_store_stmt(s,
			    GW_STMT_ROLLBACK), "rollback");
		log_warnx("gw-store batch rolled back path=%s writes=%zu",
		    s->path, s->pending);
	}
	s->pending = 0;
	s->batch_open = s->batch_lost = 0;
	s->durable = NULL;
	s->ndurable = s->durable_cap = 0;
	for (i = 0; i < n; i++)
		run[i].cb(run[i].arg, ok);
	free(run);
	return ok ? 0 : -1;
}

static void
gw_store_commit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gw_store_commit_batch(arg);
}

int
gw_store_commit(struct gw_store *s)
{
	return gw_store_commit_batch(s);
}

void
gw_store_when_durable(struct gw_store *s, void (*cb)(void *, int),
    void *arg)
{
	if (s->ndurable == s->durable_cap) {
		s->durable_cap = s->durable_cap > 0 ? s->durable_cap * 2 : 16;
		s->durable = xreallocarray(s->durable, s->durable_cap,
		    sizeof(*s->durable));
	}
	s->durable[s->ndurable].cb = cb;
	s->durable[s->ndurable].arg = arg;
	s->ndurable++;
	gw_store_arm(s);
}

size_t
gw_store_pending(const struct gw_store *s)
{
	return s->pending;
}

const char *
gw_store_error(const struct gw_store *s)
{
	return s->error;
}

void
gw_store_close(struct gw_store *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->db != NULL && s->commit_ev != NULL)
		gw_store_commit_batch(s);
	if (s->commit_ev != NULL)
		event_free(s->commit_ev);
	for (i = 0; i < GW_STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (i = 0; i < GW_LIST_STMTS; i++)
		sqlite3_finalize(s->list_stmt[i]);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		gw_store_fail(s, "close");
	gw_json_free(&s->json[0]);
	gw_json_free(&s->json[1]);
	free(s->durable);
	free(s);
}
