/*
 * The carriers' sqlite store. The event loop keeps the recent writes in
 * memory; one worker thread owns the sqlite connection and does every
 * statement, so the loop never waits on sqlite for a write.
 *
 * Write-behind: sequence counters, message rows and outbox items wait in
 * the loop's memory (RB trees, and a FIFO each in the order written). At
 * the CARRIER_STORE_DEFER_FLUSHES-th flush after they were written (or
 * sooner, past CARRIER_STORE_PENDING_MAX rows) they are handed to the
 * worker in one batch, which it writes in one transaction (BEGIN
 * IMMEDIATE, so the write lock is taken up front; WAL, synchronous
 * NORMAL). Changes to rows already handed over (an outbox update or
 * delete, cancel_sm's delete) ride the next batch, in the order made.
 * An outbox item acknowledged while still in memory (a receipt at a
 * working ESME) never touches the database; a receipt built from a
 * recent message reads it from memory.
 *
 * The worker and the loop meet at one mutex: a FIFO of jobs towards the
 * worker (batches, and the rare read that memory cannot answer), and the
 * finished batches coming back, whose message nodes the loop reuses.
 * A read goes to the worker as a job queued behind every batch handed
 * over before it, so it sees every write; the loop waits for its answer.
 * The worker owns the only connection, which is also what ":memory:"
 * needs. Nothing else is shared.
 *
 * The price of write-behind: a crash (kill -9, power) loses what was
 * written in the last CARRIER_STORE_DEFER_FLUSHES flushes (one second when
 * the owner flushes every 20 ms) and the batch the worker is writing; a
 * clean stop (carrier_store_close) hands everything over and waits for
 * the worker to commit it, so it loses nothing.
 *
 * Schema changes are migrations: migrations[v] takes a database from
 * user_version v to v + 1, in one transaction with the version bump.
 */
#include "config.h"

#include <sys/queue.h>

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "carriers/store.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/tree.h"
#include "common/xmalloc.h"

#define STORE_BUSY_TIMEOUT_MS	5000
#define STORE_ERROR_MAX		256
#define STORE_SQL_MAX		1024
/* Rows handed to the worker and not yet written beyond which a flush
 * waits for it: the loop slows down rather than grow without bound. */
#define STORE_QUEUED_MAX	(4 * CARRIER_STORE_PENDING_MAX)
/* Message nodes kept for reuse once the worker has written them. */
#define STORE_SPARE_MAX		8192

static const char *const migrations[] = {
	/*
	 * 0 -> 1: the first schema. messages is WITHOUT ROWID: one B-tree
	 * keyed by (carrier, message_id) rather than a table and an index,
	 * which halves the work of the one INSERT every message costs.
	 */
	"CREATE TABLE IF NOT EXISTS carrier_seq ("
	"  carrier TEXT PRIMARY KEY,"
	"  next INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS messages ("
	"  carrier TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  system_id TEXT NOT NULL,"
	"  source_addr TEXT NOT NULL,"
	"  source_ton INTEGER NOT NULL,"
	"  source_npi INTEGER NOT NULL,"
	"  destination_addr TEXT NOT NULL,"
	"  dest_ton INTEGER NOT NULL,"
	"  dest_npi INTEGER NOT NULL,"
	"  esm_class INTEGER NOT NULL,"
	"  data_coding INTEGER NOT NULL,"
	"  registered_delivery INTEGER NOT NULL,"
	"  short_message BLOB,"
	"  submit_at INTEGER NOT NULL,"
	"  schedule_at INTEGER NOT NULL,"
	"  expire_at INTEGER NOT NULL,"
	"  done_at INTEGER NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  err TEXT NOT NULL,"
	"  has_nec INTEGER NOT NULL,"
	"  nec_type INTEGER NOT NULL,"
	"  nec_code INTEGER NOT NULL,"
	"  PRIMARY KEY (carrier, message_id)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  carrier TEXT NOT NULL,"
	"  system_id TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  due INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  pdu BLOB);"
	"CREATE INDEX IF NOT EXISTS outbox_due ON outbox (carrier, due, id);"
	/* cancel_sm deletes a message's receipts without a full scan. */
	"CREATE INDEX IF NOT EXISTS outbox_message "
	"  ON outbox (carrier, message_id);",
	/*
	 * 1 -> 2: the media URLs of MMS messages, beside their rows rather
	 * than in them, so that an SMS row (nearly all of them) stays as
	 * small as it was and replace_sm, which rewrites a row, keeps them.
	 */
	"CREATE TABLE IF NOT EXISTS media ("
	"  carrier TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  urls TEXT NOT NULL,"
	"  PRIMARY KEY (carrier, message_id)) WITHOUT ROWID;",
};
#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * The messages columns and the struct carrier_message member each holds,
 * written once: the INSERT and SELECT are built from this table, and
 * binding and reading walk it.
 */
enum column_type {
	COL_TEXT,	/* char array, NUL-terminated */
	COL_SM,		/* short_message with sm_length, as a BLOB */
	COL_U8,
	COL_U16,
	COL_INT,
	COL_I64,
	COL_U64,	/* stored as its int64 bit pattern */
};

struct column {
	const char	*name;
	enum column_type type;
	size_t		 off;
	size_t		 size;
};

#define MSG_COLUMN(member, type) { #member, type,			\
	offsetof(struct carrier_message, member),			\
	sizeof(((struct carrier_message *)0)->member) }

static const struct column message_columns[] = {
	MSG_COLUMN(carrier, COL_TEXT),
	MSG_COLUMN(message_id, COL_TEXT),
	MSG_COLUMN(seq, COL_U64),
	MSG_COLUMN(system_id, COL_TEXT),
	MSG_COLUMN(source_addr, COL_TEXT),
	MSG_COLUMN(source_ton, COL_U8),
	MSG_COLUMN(source_npi, COL_U8),
	MSG_COLUMN(destination_addr, COL_TEXT),
	MSG_COLUMN(dest_ton, COL_U8),
	MSG_COLUMN(dest_npi, COL_U8),
	MSG_COLUMN(esm_class, COL_U8),
	MSG_COLUMN(data_coding, COL_U8),
	MSG_COLUMN(registered_delivery, COL_U8),
	MSG_COLUMN(short_message, COL_SM),
	MSG_COLUMN(submit_at, COL_I64),
	MSG_COLUMN(schedule_at, COL_I64),
	MSG_COLUMN(expire_at, COL_I64),
	MSG_COLUMN(done_at, COL_I64),
	MSG_COLUMN(state, COL_INT),
	MSG_COLUMN(err, COL_TEXT),
	MSG_COLUMN(has_nec, COL_INT),
	MSG_COLUMN(nec_type, COL_U8),
	MSG_COLUMN(nec_code, COL_U16),
};
#define NMESSAGE_COLUMNS \
	(sizeof(message_columns) / sizeof(message_columns[0]))

#define OUTBOX_COLUMNS \
	"id, carrier, system_id, kind, message_id, state, due, attempts, pdu"

/* Statements prepared at open; NULL sql: built from message_columns. */
#define STORE_STATEMENTS(X)						\
	X(BEGIN, "BEGIN IMMEDIATE")					\
	X(COMMIT, "COMMIT")						\
	X(SEQ_INSERT, "INSERT OR IGNORE INTO carrier_seq (carrier, next)" \
	    " VALUES (?1, 1)")						\
	X(SEQ_GET, "SELECT next FROM carrier_seq WHERE carrier = ?1")	\
	X(SEQ_BUMP, "UPDATE carrier_seq SET next = next + 1"		\
	    " WHERE carrier = ?1")					\
	X(MSG_PUT, NULL)						\
	X(MSG_GET, NULL)						\
	X(MSG_COUNT, "SELECT count(*) FROM messages WHERE carrier = ?1") \
	X(OUT_ADD, "INSERT INTO outbox (carrier, system_id, kind,"	\
	    " message_id, state, due, attempts, pdu, id)"		\
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")		\
	X(OUT_MAX_ID, "SELECT coalesce(max(id), 0) FROM outbox")	\
	X(SEQ_SET, "UPDATE carrier_seq SET next = ?2 WHERE carrier = ?1") \
	X(OUT_UPDATE, "UPDATE outbox SET due = ?2, attempts = ?3"	\
	    " WHERE id = ?1")						\
	X(OUT_DELETE, "DELETE FROM outbox WHERE id = ?1")		\
	X(OUT_DELETE_MSG, "DELETE FROM outbox WHERE carrier = ?1"	\
	    " AND message_id = ?2 AND kind = 1")			\
	X(OUT_LIST, "SELECT " OUTBOX_COLUMNS " FROM outbox"		\
	    " WHERE carrier = ?1 ORDER BY due, id")			\
	X(MEDIA_PUT, "INSERT OR REPLACE INTO media (carrier, message_id,"	\
	    " urls) VALUES (?1, ?2, ?3)")				\
	X(MEDIA_GET, "SELECT urls FROM media WHERE carrier = ?1"	\
	    " AND message_id = ?2")

enum store_stmt {
#define STORE_STMT_ENUM(name, sql) STMT_##name,
	STORE_STATEMENTS(STORE_STMT_ENUM)
#undef STORE_STMT_ENUM
	STMT_COUNT
};

static const char *const stmt_sql[] = {
#define STORE_STMT_SQL(name, sql) [STMT_##name] = sql,
	STORE_STATEMENTS(STORE_STMT_SQL)
#undef STORE_STMT_SQL
};

/* The worker's side: the connection, its statements, its last error. */
struct store_db {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT_COUNT];
	char		 error[STORE_ERROR_MAX];
};

/* A carrier's next sequence number, handed over at the flush when dirty. */
struct store_seq {
	RB_ENTRY(store_seq) entry;
	char		 carrier[64];
	uint64_t	 next;
	int		 dirty;
};
RB_HEAD(store_seq_tree, store_seq);

/* A message row not yet handed over; then in a batch; then spare. */
struct store_msg {
	RB_ENTRY(store_msg) entry;
	TAILQ_ENTRY(store_msg) fifo;
	uint64_t	 gen;		/* flush count when first written */
	uint64_t	 hash;		/* of (carrier, message_id) */
	struct carrier_message m;
};
RB_HEAD(store_msg_tree, store_msg);
TAILQ_HEAD(store_msg_fifo, store_msg);

/* An outbox item not yet handed over; its id is already assigned. */
struct store_out {
	RB_ENTRY(store_out) entry;
	TAILQ_ENTRY(store_out) fifo;
	uint64_t	 gen;
	struct carrier_outbox_item it;
};
RB_HEAD(store_out_tree, store_out);
TAILQ_HEAD(store_out_fifo, store_out);

/* A change to rows already handed over, or a counter. */
enum store_op_type {
	OP_SEQ_SET,
	OP_OUT_UPDATE,
	OP_OUT_DELETE,
	OP_OUT_DELETE_MSG,
};

struct store_op {
	enum store_op_type type;
	int64_t		 id;
	int64_t		 due;
	unsigned	 attempts;
	uint64_t	 next;
	char		 carrier[64];
	char		 message_id[65];
};

/*
 * What the worker does next: write a batch (ops first, in the order made,
 * then message rows, then outbox items, all in one transaction), answer a
 * call (fn on the connection; the caller waits), or close and stop.
 */
enum store_job_kind {
	JOB_BATCH,
	JOB_CALL,
	JOB_QUIT,
};

struct store_job {
	TAILQ_ENTRY(store_job) entry;
	enum store_job_kind kind;
	struct store_op	*ops;		/* BATCH */
	size_t		 nops;
	struct store_msg_fifo msgs;
	struct store_out_fifo outs;
	size_t		 rows;
	int		 (*fn)(struct store_db *, void *);	/* CALL */
	void		*arg;
	int		 rc;		/* CALL, QUIT: set by the worker */
	int		 done;
	char		 error[STORE_ERROR_MAX];
};
TAILQ_HEAD(store_job_list, store_job);

struct carrier_store {
	/* The loop's. */
	char		 error[STORE_ERROR_MAX];
	struct store_seq_tree seqs;
	struct store_msg_tree msgs;
	struct store_msg_fifo msg_fifo;
	struct store_out_tree outs;
	struct store_out_fifo out_fifo;
	struct store_msg_fifo spare;	/* written nodes, for reuse */
	size_t		 nspare;
	struct store_op	*ops;		/* for the next batch */
	size_t		 nops;
	size_t		 opscap;
	int64_t		 next_out_id;
	uint64_t	 gen;		/* flushes so far */
	size_t		 nmsgs;		/* pending rows, for the cap */
	size_t		 nouts;
	int		 running;	/* the worker was started */
	pthread_t	 worker;

	/* Shared, under mu. */
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* jobs has one more, for the worker */
	pthread_cond_t	 done;		/* a job is done, for the loop */
	struct store_job_list jobs;
	struct store_job_list finished;	/* batches written */
	size_t		 queued;	/* rows in jobs */
	char		 failed[STORE_ERROR_MAX];	/* "": none */

	/* The worker's, once started; before, the opener's. */
	struct store_db	 w;
};

static int
store_seq_cmp(struct store_seq *a, struct store_seq *b)
{
	return strcmp(a->carrier, b->carrier);
}

/* By hash first: at tens of thousands of rows, string compares along
 * every path were the largest single cost of a submit. */
static int
store_msg_cmp(struct store_msg *a, struct store_msg *b)
{
	int c;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	c = strcmp(a->m.carrier, b->m.carrier);
	return c != 0 ? c : strcmp(a->m.message_id, b->m.message_id);
}

static int
store_out_cmp(struct store_out *a, struct store_out *b)
{
	return a->it.id < b->it.id ? -1 : a->it.id > b->it.id;
}

TREE_GENERATE_STATIC(store_seq_tree, store_seq, entry, store_seq_cmp)
TREE_GENERATE_STATIC(store_msg_tree, store_msg, entry, store_msg_cmp)
TREE_GENERATE_STATIC(store_out_tree, store_out, entry, store_out_cmp)

/* FNV-1a over carrier, a NUL, and message_id. */
static uint64_t
store_msg_hash(const char *carrier, const char *message_id)
{
	/* The NUL between the two, as FNV-1a takes a zero octet. */
	return hash_str(hash_str(HASH_FNV_OFFSET, carrier) * HASH_FNV_PRIME,
	    message_id);
}

/* ---- the worker's side: sqlite ---- */

/* Records what failed with sqlite's message; returns -1. */
static int
db_fail(struct store_db *d, const char *what)
{
	snprintf(d->error, sizeof(d->error), "%s: %s", what,
	    sqlite3_errmsg(d->db));
	return -1;
}

/* A kept statement, reset and unbound for its next use. */
static sqlite3_stmt *
stmt_get(struct store_db *d, enum store_stmt which)
{
	sqlite3_stmt *st = d->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Runs a statement that returns no row; resets it after. */
static int
stmt_done(struct store_db *d, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		db_fail(d, what);	/* before reset, which may clear it */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Opens the group transaction unless one is open. */
static int
db_begin(struct store_db *d)
{
	if (!sqlite3_get_autocommit(d->db))
		return 0;
	return stmt_done(d, stmt_get(d, STMT_BEGIN), "begin");
}

/*
 * Commits the open transaction, if any. If COMMIT fails (SQLITE_BUSY) the
 * transaction stays open and the next batch tries again; sqlite decides
 * whether it was rolled back, so the open state is read from it.
 */
static int
db_commit(struct store_db *d)
{
	if (sqlite3_get_autocommit(d->db))
		return 0;
	return stmt_done(d, stmt_get(d, STMT_COMMIT), "commit");
}

/*
 * Binds without a copy: every bound buffer (a row of a batch) stays put
 * until the statement has run, and each use binds every parameter anew.
 */
static int
bind_text(sqlite3_stmt *st, int i, const char *text, size_t size)
{
	return sqlite3_bind_text(st, i, text, (int)strnlen(text, size),
	    SQLITE_STATIC);
}

/* Copies a TEXT column into a char array, cut to fit and NUL-ended. */
static void
read_text(sqlite3_stmt *st, int i, char *out, size_t size)
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

/*
 * SQL built from message_columns: "INSERT OR REPLACE INTO messages (a, b)
 * VALUES (?, ?)" or "SELECT a, b FROM messages WHERE ...".
 */
static void
build_message_sql(char *out, size_t size, int insert)
{
	size_t i, len;

	len = (size_t)snprintf(out, size, "%s", insert ?
	    "INSERT OR REPLACE INTO messages (" : "SELECT ");
	for (i = 0; i < NMESSAGE_COLUMNS && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s",
		    i > 0 ? ", " : "", message_columns[i].name);
	for (i = 0; insert && i < NMESSAGE_COLUMNS && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s",
		    i > 0 ? ", ?" : ") VALUES (?");
	if (len < size)
		snprintf(out + len, size - len, "%s", insert ? ")" :
		    " FROM messages WHERE carrier = ?1 AND message_id = ?2");
}

static int
db_prepare(struct store_db *d)
{
	char built[STORE_SQL_MAX];
	const char *sql;
	int i;

	for (i = 0; i < STMT_COUNT; i++) {
		sql = stmt_sql[i];
		if (i == STMT_MSG_PUT || i == STMT_MSG_GET) {
			build_message_sql(built, sizeof(built),
			    i == STMT_MSG_PUT);
			sql = built;
		}
		if (sqlite3_prepare_v3(d->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &d->stmt[i], NULL) != SQLITE_OK)
			return db_fail(d, "prepare");
	}
	return 0;
}

static int
db_exec(struct store_db *d, const char *sql, const char *what)
{
	if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(d, what);
	return 0;
}

static int
schema_version(struct store_db *d, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(d->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return db_fail(d, "user_version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(d, "user_version");
	return 0;
}

/*
 * PRAGMA application_id says whose database a file is: the carriers'
 * ("CLSM") or the gateway's ("CLGW"), so that `carrierlab smsc --db` on
 * the gateway's file (both default to carrierlab.db in their commands)
 * is refused instead of misread. Files from before the id have none.
 */
#define STORE_APPLICATION_ID	0x434c534d	/* "CLSM" */
#define GATEWAY_APPLICATION_ID	0x434c4757	/* "CLGW" */

static int
db_application_check(struct store_db *d, int version)
{
	sqlite3_stmt *st;
	int id = 0, gateway = 0;

	if (sqlite3_prepare_v2(d->db, "PRAGMA application_id", -1, &st,
	    NULL) != SQLITE_OK)
		return db_fail(d, "application_id");
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (id == 0 && version > 0 && sqlite3_prepare_v2(d->db,
	    "SELECT 1 FROM sqlite_master WHERE name = 'message_events'", -1,
	    &st, NULL) == SQLITE_OK) {
		gateway = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	if (id == GATEWAY_APPLICATION_ID || gateway) {
		snprintf(d->error, sizeof(d->error), "this is the gateway's "
		    "database (carrierlab serve --db), not a carriers' one: "
		    "name another file");
		return -1;
	}
	if (id != 0 && id != STORE_APPLICATION_ID) {
		snprintf(d->error, sizeof(d->error), "not a carrierlab "
		    "carriers' database (application_id 0x%08x)",
		    (unsigned)id);
		return -1;
	}
	return id == 0 ? db_exec(d, "PRAGMA application_id = 1129075533",
	    "application_id") : 0;
}

/* Brings the schema to SCHEMA_VERSION, one migration per transaction. */
static int
db_migrate(struct store_db *d)
{
	char bump[64];
	int v;

	if (schema_version(d, &v) == -1 || db_application_check(d, v) == -1)
		return -1;
	if (v > SCHEMA_VERSION) {
		snprintf(d->error, sizeof(d->error), "schema version %d is "
		    "newer than this program's %d", v, SCHEMA_VERSION);
		return -1;
	}
	for (; v < SCHEMA_VERSION; v++) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d;",
		    v + 1);
		if (db_exec(d, "BEGIN IMMEDIATE", "migrate") == -1)
			return -1;
		if (db_exec(d, migrations[v], "migrate") == -1 ||
		    db_exec(d, bump, "migrate") == -1 ||
		    db_exec(d, "COMMIT", "migrate") == -1) {
			sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

/* Outbox ids are handed out in memory, from above the highest stored. */
static int
db_max_id(struct store_db *d, int64_t *next)
{
	sqlite3_stmt *st = d->stmt[STMT_OUT_MAX_ID];
	int rc;

	sqlite3_reset(st);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*next = sqlite3_column_int64(st, 0) + 1;
	else
		db_fail(d, "outbox max id");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
db_setup(struct store_db *d, const char *path, int64_t *next_out_id)
{
	/* One connection, used by one thread at a time (the opener, then
	 * the worker): sqlite's own mutexes are waste. */
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		if (d->db == NULL) {
			snprintf(d->error, sizeof(d->error), "open %s: out of "
			    "memory", path);
			return -1;
		}
		return db_fail(d, path);
	}
	sqlite3_busy_timeout(d->db, STORE_BUSY_TIMEOUT_MS);
	/* journal_mode answers "memory" for ":memory:", which is fine. */
	if (db_exec(d, "PRAGMA journal_mode = WAL", "journal_mode") == -1 ||
	    db_exec(d, "PRAGMA synchronous = NORMAL", "synchronous") == -1 ||
	    db_exec(d, "PRAGMA cache_size = -16384", "cache_size") == -1)
		return -1;
	if (db_migrate(d) == -1)
		return -1;
	if (db_prepare(d) == -1)
		return -1;
	return db_max_id(d, next_out_id);
}

static void
db_close(struct store_db *d)
{
	int i;

	for (i = 0; i < STMT_COUNT; i++) {
		sqlite3_finalize(d->stmt[i]);
		d->stmt[i] = NULL;
	}
	sqlite3_close(d->db);
	d->db = NULL;
}

static int
bind_column(sqlite3_stmt *st, int i, const struct column *c,
    const struct carrier_message *m)
{
	const char *p = (const char *)m + c->off;
	uint64_t u64;
	uint16_t u16;
	int64_t i64;
	int n;

	switch (c->type) {
	case COL_TEXT:
		return bind_text(st, i, p, c->size);
	case COL_SM:
		return sqlite3_bind_blob(st, i, m->short_message,
		    m->sm_length, SQLITE_STATIC);
	case COL_U8:
		return sqlite3_bind_int(st, i, *(const uint8_t *)p);
	case COL_U16:
		memcpy(&u16, p, sizeof(u16));
		return sqlite3_bind_int(st, i, u16);
	case COL_INT:
		memcpy(&n, p, sizeof(n));
		return sqlite3_bind_int(st, i, n);
	case COL_I64:
		memcpy(&i64, p, sizeof(i64));
		return sqlite3_bind_int64(st, i, i64);
	case COL_U64:
	default:
		memcpy(&u64, p, sizeof(u64));
		return sqlite3_bind_int64(st, i, (int64_t)u64);
	}
}

static void
read_column(sqlite3_stmt *st, int i, const struct column *c,
    struct carrier_message *m)
{
	char *p = (char *)m + c->off;
	uint64_t u64;
	uint16_t u16;
	int64_t i64;
	size_t n;
	int v;

	switch (c->type) {
	case COL_TEXT:
		read_text(st, i, p, c->size);
		break;
	case COL_SM:
		n = (size_t)sqlite3_column_bytes(st, i);
		if (n > sizeof(m->short_message))
			n = sizeof(m->short_message);
		if (n > 0)
			memcpy(m->short_message, sqlite3_column_blob(st, i),
			    n);
		m->sm_length = (uint8_t)n;
		break;
	case COL_U8:
		*(uint8_t *)p = (uint8_t)sqlite3_column_int(st, i);
		break;
	case COL_U16:
		u16 = (uint16_t)sqlite3_column_int(st, i);
		memcpy(p, &u16, sizeof(u16));
		break;
	case COL_INT:
		v = sqlite3_column_int(st, i);
		memcpy(p, &v, sizeof(v));
		break;
	case COL_I64:
		i64 = sqlite3_column_int64(st, i);
		memcpy(p, &i64, sizeof(i64));
		break;
	case COL_U64:
	default:
		u64 = (uint64_t)sqlite3_column_int64(st, i);
		memcpy(p, &u64, sizeof(u64));
		break;
	}
}

static int
db_message_put(struct store_db *d, const struct carrier_message *m)
{
	sqlite3_stmt *st = stmt_get(d, STMT_MSG_PUT);
	size_t i;

	for (i = 0; i < NMESSAGE_COLUMNS; i++)
		if (bind_column(st, (int)i + 1, &message_columns[i], m) !=
		    SQLITE_OK)
			return db_fail(d, "message_put");
	return stmt_done(d, st, "message_put");
}

static int
db_outbox_add(struct store_db *d, const struct carrier_outbox_item *it)
{
	sqlite3_stmt *st = stmt_get(d, STMT_OUT_ADD);

	bind_text(st, 1, it->carrier, sizeof(it->carrier));
	bind_text(st, 2, it->system_id, sizeof(it->system_id));
	sqlite3_bind_int(st, 3, (int)it->kind);
	bind_text(st, 4, it->message_id, sizeof(it->message_id));
	sqlite3_bind_int(st, 5, it->state);
	sqlite3_bind_int64(st, 6, it->due);
	sqlite3_bind_int64(st, 7, it->attempts);
	if (it->pdu != NULL && it->pdu_len > 0 &&
	    sqlite3_bind_blob64(st, 8, it->pdu, it->pdu_len,
	    SQLITE_STATIC) != SQLITE_OK)
		return db_fail(d, "outbox_add");
	sqlite3_bind_int64(st, 9, it->id);
	return stmt_done(d, st, "outbox_add");
}

static int
db_op(struct store_db *d, const struct store_op *op)
{
	sqlite3_stmt *st;

	switch (op->type) {
	case OP_SEQ_SET:
		st = stmt_get(d, STMT_SEQ_SET);
		sqlite3_bind_text(st, 1, op->carrier, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)op->next);
		return stmt_done(d, st, "next_seq");
	case OP_OUT_UPDATE:
		st = stmt_get(d, STMT_OUT_UPDATE);
		sqlite3_bind_int64(st, 1, op->id);
		sqlite3_bind_int64(st, 2, op->due);
		sqlite3_bind_int64(st, 3, op->attempts);
		return stmt_done(d, st, "outbox_update");
	case OP_OUT_DELETE:
		st = stmt_get(d, STMT_OUT_DELETE);
		sqlite3_bind_int64(st, 1, op->id);
		return stmt_done(d, st, "outbox_delete");
	case OP_OUT_DELETE_MSG:
	default:
		st = stmt_get(d, STMT_OUT_DELETE_MSG);
		sqlite3_bind_text(st, 1, op->carrier, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, op->message_id, -1,
		    SQLITE_TRANSIENT);
		return stmt_done(d, st, "outbox_delete_message");
	}
}

/*
 * Writes a batch in one transaction. A write that fails is skipped, the
 * rest go on, and the first failure is reported (at the loop's next
 * flush); a failed COMMIT is tried again with the next batch.
 */
static int
db_batch(struct store_db *d, struct store_job *job)
{
	struct store_msg *m;
	struct store_out *o;
	size_t i;
	int rc = 0;

	if (db_begin(d) == -1)
		return -1;
	for (i = 0; i < job->nops; i++)
		if (db_op(d, &job->ops[i]) == -1 && rc == 0) {
			rc = -1;
			memcpy(job->error, d->error, sizeof(job->error));
		}
	TAILQ_FOREACH(m, &job->msgs, fifo)
		if (db_message_put(d, &m->m) == -1 && rc == 0) {
			rc = -1;
			memcpy(job->error, d->error, sizeof(job->error));
		}
	TAILQ_FOREACH(o, &job->outs, fifo)
		if (db_outbox_add(d, &o->it) == -1 && rc == 0) {
			rc = -1;
			memcpy(job->error, d->error, sizeof(job->error));
		}
	if (db_commit(d) == -1)
		return -1;
	if (rc == -1)
		memcpy(d->error, job->error, sizeof(d->error));
	return rc;
}

static void *
store_worker(void *arg)
{
	struct carrier_store *s = arg;
	struct store_job *job;
	int quit = 0;

	/* Named for top -H, perf and the benchmarks' CPU split. */
	pthread_setname_np(pthread_self(), "carrier-store");

	pthread_mutex_lock(&s->mu);
	while (!quit) {
		while ((job = TAILQ_FIRST(&s->jobs)) == NULL)
			pthread_cond_wait(&s->work, &s->mu);
		TAILQ_REMOVE(&s->jobs, job, entry);
		pthread_mutex_unlock(&s->mu);

		switch (job->kind) {
		case JOB_BATCH:
			job->rc = db_batch(&s->w, job);
			break;
		case JOB_CALL:
			job->rc = job->fn(&s->w, job->arg);
			break;
		case JOB_QUIT:
			job->rc = db_commit(&s->w);
			db_close(&s->w);
			quit = 1;
			break;
		}
		if (job->rc == -1)
			memcpy(job->error, s->w.error, sizeof(job->error));

		pthread_mutex_lock(&s->mu);
		if (job->kind == JOB_BATCH) {
			s->queued -= job->rows;
			if (job->rc == -1 && s->failed[0] == '\0')
				memcpy(s->failed, job->error,
				    sizeof(s->failed));
			TAILQ_INSERT_TAIL(&s->finished, job, entry);
		} else
			job->done = 1;	/* the caller's now: hands off */
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- the loop's side ---- */

/* Queues a job for the worker; the caller holds mu. */
static void
store_enqueue(struct carrier_store *s, struct store_job *job)
{
	TAILQ_INSERT_TAIL(&s->jobs, job, entry);
	s->queued += job->rows;
	pthread_cond_signal(&s->work);
}

/* Runs fn on the connection, behind every batch handed over, and waits. */
static int
store_call(struct carrier_store *s, int (*fn)(struct store_db *, void *),
    void *arg)
{
	struct store_job job;

	memset(&job, 0, sizeof(job));
	job.kind = JOB_CALL;
	job.fn = fn;
	job.arg = arg;
	pthread_mutex_lock(&s->mu);
	store_enqueue(s, &job);
	while (!job.done)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
	if (job.rc == -1)
		memcpy(s->error, job.error, sizeof(s->error));
	return job.rc;
}

static struct store_op *
store_op_new(struct carrier_store *s, enum store_op_type type)
{
	struct store_op *op;

	if (s->nops == s->opscap) {
		s->opscap = s->opscap > 0 ? 2 * s->opscap : 16;
		s->ops = xreallocarray(s->ops, s->opscap, sizeof(*s->ops));
	}
	op = &s->ops[s->nops++];
	memset(op, 0, sizeof(*op));
	op->type = type;
	return op;
}

static void
store_out_drop(struct carrier_store *s, struct store_out *o)
{
	RB_REMOVE(store_out_tree, &s->outs, o);
	TAILQ_REMOVE(&s->out_fifo, o, fifo);
	s->nouts--;
	carrier_outbox_item_release(&o->it);
	free(o);
}

/*
 * Hands the worker one batch: the changes made since the last, the dirty
 * counters, and the rows that have waited CARRIER_STORE_DEFER_FLUSHES
 * flushes (all of them with all). Waits while the worker is far behind.
 */
static void
store_handover(struct carrier_store *s, int all)
{
	uint64_t cutoff = s->gen >= CARRIER_STORE_DEFER_FLUSHES ?
	    s->gen - CARRIER_STORE_DEFER_FLUSHES : 0;
	struct store_job *job;
	struct store_seq *q;
	struct store_msg *m;
	struct store_out *o;
	struct store_op *op;

	RB_FOREACH(q, store_seq_tree, &s->seqs) {
		if (!q->dirty)
			continue;
		op = store_op_new(s, OP_SEQ_SET);
		memcpy(op->carrier, q->carrier, sizeof(op->carrier));
		op->next = q->next;
		q->dirty = 0;
	}
	job = xcalloc(1, sizeof(*job));
	job->kind = JOB_BATCH;
	TAILQ_INIT(&job->msgs);
	TAILQ_INIT(&job->outs);
	job->ops = s->ops;
	job->nops = s->nops;
	s->ops = NULL;
	s->nops = s->opscap = 0;
	while ((m = TAILQ_FIRST(&s->msg_fifo)) != NULL && (all ||
	    m->gen <= cutoff || s->nmsgs > CARRIER_STORE_PENDING_MAX)) {
		TAILQ_REMOVE(&s->msg_fifo, m, fifo);
		RB_REMOVE(store_msg_tree, &s->msgs, m);
		s->nmsgs--;
		TAILQ_INSERT_TAIL(&job->msgs, m, fifo);
		job->rows++;
	}
	while ((o = TAILQ_FIRST(&s->out_fifo)) != NULL && (all ||
	    o->gen <= cutoff || s->nouts > CARRIER_STORE_PENDING_MAX)) {
		TAILQ_REMOVE(&s->out_fifo, o, fifo);
		RB_REMOVE(store_out_tree, &s->outs, o);
		s->nouts--;
		TAILQ_INSERT_TAIL(&job->outs, o, fifo);
		job->rows++;
	}
	if (job->nops == 0 && job->rows == 0) {
		free(job->ops);
		free(job);
		return;
	}
	pthread_mutex_lock(&s->mu);
	store_enqueue(s, job);
	while (s->queued > STORE_QUEUED_MAX)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

/* Frees a written batch, keeping message nodes for reuse. */
static void
store_job_free(struct carrier_store *s, struct store_job *job)
{
	struct store_msg *m;
	struct store_out *o;

	while ((m = TAILQ_FIRST(&job->msgs)) != NULL) {
		TAILQ_REMOVE(&job->msgs, m, fifo);
		if (s->nspare < STORE_SPARE_MAX) {
			TAILQ_INSERT_HEAD(&s->spare, m, fifo);
			s->nspare++;
		} else
			free(m);
	}
	while ((o = TAILQ_FIRST(&job->outs)) != NULL) {
		TAILQ_REMOVE(&job->outs, o, fifo);
		carrier_outbox_item_release(&o->it);
		free(o);
	}
	free(job->ops);
	free(job);
}

/* Takes back the batches written; -1 with the error if one failed. */
static int
store_reclaim(struct carrier_store *s)
{
	struct store_job_list done;
	struct store_job *job;
	int rc = 0;

	TAILQ_INIT(&done);
	pthread_mutex_lock(&s->mu);
	TAILQ_CONCAT(&done, &s->finished, entry);
	if (s->failed[0] != '\0') {
		memcpy(s->error, s->failed, sizeof(s->error));
		s->failed[0] = '\0';
		rc = -1;
	}
	pthread_mutex_unlock(&s->mu);
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		store_job_free(s, job);
	}
	return rc;
}

struct carrier_store *
carrier_store_open(const char *path, char *err, size_t errlen)
{
	struct carrier_store *s = xcalloc(1, sizeof(*s));

	RB_INIT(&s->seqs);
	RB_INIT(&s->msgs);
	RB_INIT(&s->outs);
	TAILQ_INIT(&s->msg_fifo);
	TAILQ_INIT(&s->out_fifo);
	TAILQ_INIT(&s->spare);
	TAILQ_INIT(&s->jobs);
	TAILQ_INIT(&s->finished);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	if (db_setup(&s->w, path, &s->next_out_id) == -1)
		memcpy(s->error, s->w.error, sizeof(s->error));
	else if (pthread_create(&s->worker, NULL, store_worker, s) != 0)
		snprintf(s->error, sizeof(s->error), "cannot start the "
		    "store's thread");
	else
		s->running = 1;
	if (!s->running) {
		if (errlen > 0)
			snprintf(err, errlen, "%s", s->error);
		carrier_store_close(s);
		return NULL;
	}
	return s;
}

static void
store_drop_pending(struct carrier_store *s)
{
	struct store_seq *q;
	struct store_msg *m;
	struct store_out *o;

	while ((q = RB_ROOT(&s->seqs)) != NULL) {
		RB_REMOVE(store_seq_tree, &s->seqs, q);
		free(q);
	}
	while ((m = TAILQ_FIRST(&s->msg_fifo)) != NULL) {
		TAILQ_REMOVE(&s->msg_fifo, m, fifo);
		RB_REMOVE(store_msg_tree, &s->msgs, m);
		s->nmsgs--;
		free(m);
	}
	while ((o = TAILQ_FIRST(&s->out_fifo)) != NULL)
		store_out_drop(s, o);
	while ((m = TAILQ_FIRST(&s->spare)) != NULL) {
		TAILQ_REMOVE(&s->spare, m, fifo);
		free(m);
	}
	free(s->ops);
}

/* Hands everything over, lets the worker commit and close, joins it. */
static void
store_stop(struct carrier_store *s)
{
	struct store_job quit;

	store_handover(s, 1);
	memset(&quit, 0, sizeof(quit));
	quit.kind = JOB_QUIT;
	pthread_mutex_lock(&s->mu);
	store_enqueue(s, &quit);
	while (!quit.done)
		pthread_cond_wait(&s->done, &s->mu);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->worker, NULL);
	s->running = 0;
	if (store_reclaim(s) == -1)
		log_warnx("store close: %s", s->error);
	if (quit.rc == -1)
		log_warnx("store close: %s", quit.error);
}

void
carrier_store_close(struct carrier_store *s)
{
	if (s == NULL)
		return;
	if (s->running)
		store_stop(s);
	else
		db_close(&s->w);
	store_drop_pending(s);
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

int
carrier_store_flush(struct carrier_store *s)
{
	s->gen++;
	store_handover(s, 0);
	return store_reclaim(s);
}

static int
db_sync(struct store_db *d, void *arg)
{
	(void)arg;
	return db_commit(d);
}

int
carrier_store_sync(struct carrier_store *s)
{
	if (store_call(s, db_sync, NULL) == -1)
		return -1;
	return store_reclaim(s);
}

const char *
carrier_store_error(const struct carrier_store *s)
{
	return s->error;
}

struct seq_call {
	const char	*carrier;
	uint64_t	 next;
};

/* Reads a carrier's counter, creating it at 1 (in the open transaction). */
static int
db_seq_load(struct store_db *d, void *arg)
{
	struct seq_call *a = arg;
	sqlite3_stmt *st;
	int rc;

	if (db_begin(d) == -1)
		return -1;
	st = stmt_get(d, STMT_SEQ_INSERT);
	sqlite3_bind_text(st, 1, a->carrier, -1, SQLITE_TRANSIENT);
	if (stmt_done(d, st, "next_seq") == -1)
		return -1;
	st = stmt_get(d, STMT_SEQ_GET);
	sqlite3_bind_text(st, 1, a->carrier, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		a->next = (uint64_t)sqlite3_column_int64(st, 0);
	else
		db_fail(d, "next_seq");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
carrier_store_next_seq(struct carrier_store *s, const char *carrier,
    uint64_t *seq)
{
	struct store_seq key, *q;
	struct seq_call a;

	strlcpy(key.carrier, carrier, sizeof key.carrier);
	if ((q = RB_FIND(store_seq_tree, &s->seqs, &key)) == NULL) {
		a.carrier = key.carrier;
		if (store_call(s, db_seq_load, &a) == -1)
			return -1;
		q = xcalloc(1, sizeof(*q));
		memcpy(q->carrier, key.carrier, sizeof q->carrier);
		q->next = a.next;
		RB_INSERT(store_seq_tree, &s->seqs, q);
	}
	*seq = q->next++;
	q->dirty = 1;
	return 0;
}

int
carrier_store_message_put(struct carrier_store *s,
    const struct carrier_message *m)
{
	struct store_msg *n, *old;

	if ((n = TAILQ_FIRST(&s->spare)) != NULL) {
		TAILQ_REMOVE(&s->spare, n, fifo);
		s->nspare--;
	} else
		n = xmalloc(sizeof(*n));
	n->m = *m;
	n->gen = s->gen;
	n->hash = store_msg_hash(m->carrier, m->message_id);
	if ((old = RB_INSERT(store_msg_tree, &s->msgs, n)) != NULL) {
		old->m = *m;
		TAILQ_INSERT_HEAD(&s->spare, n, fifo);
		s->nspare++;
	} else {
		TAILQ_INSERT_TAIL(&s->msg_fifo, n, fifo);
		s->nmsgs++;
	}
	return 0;
}

struct msg_call {
	const char	*carrier;
	const char	*message_id;
	struct carrier_message *m;
};

/* 0 found, 1 not found, -1 error. */
static int
db_message_get(struct store_db *d, void *arg)
{
	struct msg_call *a = arg;
	sqlite3_stmt *st = stmt_get(d, STMT_MSG_GET);
	size_t i;
	int rc;

	sqlite3_bind_text(st, 1, a->carrier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, a->message_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(a->m, 0, sizeof(*a->m));
		for (i = 0; i < NMESSAGE_COLUMNS; i++)
			read_column(st, (int)i, &message_columns[i], a->m);
	} else if (rc != SQLITE_DONE)
		db_fail(d, "message_get");
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	return rc == SQLITE_ROW ? 0 : -1;
}

int
carrier_store_message_get(struct carrier_store *s, const char *carrier,
    const char *message_id, struct carrier_message *m)
{
	struct store_msg key;	/* only the key fields are set */
	struct store_msg *n;
	struct msg_call a = { carrier, message_id, m };

	strlcpy(key.m.carrier, carrier, sizeof key.m.carrier);
	strlcpy(key.m.message_id, message_id, sizeof key.m.message_id);
	key.hash = store_msg_hash(key.m.carrier, key.m.message_id);
	n = RB_FIND(store_msg_tree, &s->msgs, &key);
	if (n != NULL) {
		*m = n->m;
		return 0;
	}
	return store_call(s, db_message_get, &a);
}

/* ---- media of MMS messages ---- */

struct media_call {
	const char	*carrier;
	const char	*message_id;
	const char	*urls;		/* put */
	size_t		 len;
	char		*found;		/* get: heap, NUL-terminated */
};

/* Joins the group transaction when one is open, else commits alone. */
static int
db_media_put(struct store_db *d, void *arg)
{
	struct media_call *a = arg;
	sqlite3_stmt *st = stmt_get(d, STMT_MEDIA_PUT);

	sqlite3_bind_text(st, 1, a->carrier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, a->message_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, a->urls, (int)a->len, SQLITE_TRANSIENT);
	return stmt_done(d, st, "media_put");
}

/* 0 found, 1 not found, -1 error. */
static int
db_media_get(struct store_db *d, void *arg)
{
	struct media_call *a = arg;
	sqlite3_stmt *st = stmt_get(d, STMT_MEDIA_GET);
	const unsigned char *text;
	size_t n;
	int rc;

	sqlite3_bind_text(st, 1, a->carrier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, a->message_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		text = sqlite3_column_text(st, 0);
		n = text != NULL ? (size_t)sqlite3_column_bytes(st, 0) : 0;
		a->found = xmalloc(n + 1);
		if (n > 0)
			memcpy(a->found, text, n);
		a->found[n] = '\0';
	} else if (rc != SQLITE_DONE)
		db_fail(d, "media_get");
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	return rc == SQLITE_ROW ? 0 : -1;
}

int
carrier_store_media_put(struct carrier_store *s, const char *carrier,
    const char *message_id, const char *urls, size_t len)
{
	struct media_call a = { carrier, message_id, urls, len, NULL };

	return store_call(s, db_media_put, &a);
}

int
carrier_store_media_get(struct carrier_store *s, const char *carrier,
    const char *message_id, char **urls)
{
	struct media_call a = { carrier, message_id, NULL, 0, NULL };
	int rc = store_call(s, db_media_get, &a);

	*urls = rc == 0 ? a.found : NULL;
	return rc;
}

struct count_call {
	const char	*carrier;
	uint64_t	 count;
};

static int
db_message_count(struct store_db *d, void *arg)
{
	struct count_call *a = arg;
	sqlite3_stmt *st = stmt_get(d, STMT_MSG_COUNT);
	int rc;

	sqlite3_bind_text(st, 1, a->carrier, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		a->count = (uint64_t)sqlite3_column_int64(st, 0);
	else
		db_fail(d, "message_count");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
carrier_store_message_count(struct carrier_store *s, const char *carrier,
    uint64_t *count)
{
	struct count_call a = { carrier, 0 };

	store_handover(s, 1);
	if (store_call(s, db_message_count, &a) == -1)
		return -1;
	*count = a.count;
	return 0;
}

int
carrier_store_outbox_add(struct carrier_store *s,
    struct carrier_outbox_item *it)
{
	struct store_out *o = xcalloc(1, sizeof(*o));

	it->id = s->next_out_id++;
	o->gen = s->gen;
	o->it = *it;
	if (it->pdu != NULL && it->pdu_len > 0) {
		o->it.pdu = xmalloc(it->pdu_len);
		memcpy(o->it.pdu, it->pdu, it->pdu_len);
	} else {
		o->it.pdu = NULL;
		o->it.pdu_len = 0;
	}
	RB_INSERT(store_out_tree, &s->outs, o);
	TAILQ_INSERT_TAIL(&s->out_fifo, o, fifo);
	s->nouts++;
	return 0;
}

static struct store_out *
store_out_find(struct carrier_store *s, int64_t id)
{
	struct store_out key;

	key.it.id = id;
	return RB_FIND(store_out_tree, &s->outs, &key);
}

int
carrier_store_outbox_update(struct carrier_store *s, int64_t id,
    int64_t due, unsigned attempts)
{
	struct store_out *o = store_out_find(s, id);
	struct store_op *op;

	if (o != NULL) {
		o->it.due = due;
		o->it.attempts = attempts;
		return 0;
	}
	op = store_op_new(s, OP_OUT_UPDATE);
	op->id = id;
	op->due = due;
	op->attempts = attempts;
	return 0;
}

int
carrier_store_outbox_delete(struct carrier_store *s, int64_t id)
{
	struct store_out *o = store_out_find(s, id);

	if (o != NULL)
		store_out_drop(s, o);
	else
		store_op_new(s, OP_OUT_DELETE)->id = id;
	return 0;
}

int
carrier_store_outbox_delete_message(struct carrier_store *s,
    const char *carrier, const char *message_id)
{
	struct store_out *o, *next;
	struct store_op *op;

	TAILQ_FOREACH_SAFE(o, &s->out_fifo, fifo, next)
		if (o->it.kind == CARRIER_OUTBOX_RECEIPT &&
		    strcmp(o->it.carrier, carrier) == 0 &&
		    strcmp(o->it.message_id, message_id) == 0)
			store_out_drop(s, o);
	op = store_op_new(s, OP_OUT_DELETE_MSG);
	strlcpy(op->carrier, carrier, sizeof op->carrier);
	strlcpy(op->message_id, message_id, sizeof op->message_id);
	return 0;
}

static void
read_item(sqlite3_stmt *st, struct carrier_outbox_item *it)
{
	const void *pdu;

	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(st, 0);
	read_text(st, 1, it->carrier, sizeof(it->carrier));
	read_text(st, 2, it->system_id, sizeof(it->system_id));
	it->kind = (enum carrier_outbox_kind)sqlite3_column_int(st, 3);
	read_text(st, 4, it->message_id, sizeof(it->message_id));
	it->state = sqlite3_column_int(st, 5);
	it->due = sqlite3_column_int64(st, 6);
	it->attempts = (unsigned)sqlite3_column_int64(st, 7);
	pdu = sqlite3_column_blob(st, 8);
	it->pdu_len = (size_t)sqlite3_column_bytes(st, 8);
	if (pdu != NULL && it->pdu_len > 0) {
		it->pdu = xmalloc(it->pdu_len);
		memcpy(it->pdu, pdu, it->pdu_len);
	} else
		it->pdu_len = 0;
}

struct list_call {
	const char	*carrier;
	struct carrier_outbox_item *items;
	size_t		 n;
	size_t		 cap;
};

static int
db_outbox_list(struct store_db *d, void *arg)
{
	struct list_call *a = arg;
	sqlite3_stmt *st = stmt_get(d, STMT_OUT_LIST);
	int rc;

	sqlite3_bind_text(st, 1, a->carrier, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (a->n == a->cap) {
			a->cap = a->cap != 0 ? 2 * a->cap : 16;
			a->items = xreallocarray(a->items, a->cap,
			    sizeof(*a->items));
		}
		read_item(st, &a->items[a->n++]);
	}
	if (rc != SQLITE_DONE)
		db_fail(d, "outbox_foreach");
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Everything waiting is handed over, and the items are read into memory
 * before fn runs, so fn sees the outbox as it was when foreach started and
 * may call any store function, adding, updating or deleting items (even
 * foreach) without upsetting the walk.
 */
int
carrier_store_outbox_foreach(struct carrier_store *s, const char *carrier,
    void (*fn)(const struct carrier_outbox_item *, void *), void *arg)
{
	struct list_call a = { carrier, NULL, 0, 0 };
	size_t i;
	int rc;

	store_handover(s, 1);
	rc = store_call(s, db_outbox_list, &a);
	for (i = 0; rc == 0 && i < a.n; i++)
		fn(&a.items[i], arg);
	for (i = 0; i < a.n; i++)
		carrier_outbox_item_release(&a.items[i]);
	free(a.items);
	return rc;
}

void
carrier_outbox_item_release(struct carrier_outbox_item *it)
{
	free(it->pdu);
	it->pdu = NULL;
	it->pdu_len = 0;
}
