/*
 * The carriers' sqlite store. One connection, used from the event loop
 * only; every statement is prepared once at open and kept.
 *
 * Group commit: a write first opens a transaction (BEGIN IMMEDIATE, so
 * the write lock is taken up front rather than on an upgrade that could
 * fail with SQLITE_BUSY half-way), later writes join it, and
 * carrier_store_flush() commits. With WAL and synchronous=NORMAL a commit
 * costs no fsync; a power cut may lose the last commits, a process crash
 * loses only the open transaction.
 *
 * Schema changes are migrations: migrations[v] takes a database from
 * user_version v to v + 1, in one transaction with the version bump.
 *
 * Write-behind: sequence counters, message rows and outbox items wait in
 * memory (RB trees, and a FIFO each in the order written) and reach
 * sqlite at the CARRIER_STORE_DEFER_FLUSHES-th flush after they were written, and
 * all of them at close and before any read that goes to sqlite for a
 * whole set (count, foreach). Every read sees the pending writes. An
 * outbox item acknowledged in the meantime (a receipt at a working ESME)
 * never touches the database, and a receipt built from a recent message
 * reads it from memory; this keeps a carrier near one INSERT per message
 * at tens of thousands of messages a second. The price: a crash (kill -9,
 * power) loses what was written in the last CARRIER_STORE_DEFER_FLUSHES flushes
 * (one second when the owner flushes every 20 ms); a clean stop loses
 * nothing.
 */
#include "config.h"

#include <sys/queue.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "carriers/store.h"
#include "common/log.h"
#include "common/tree.h"
#include "common/xmalloc.h"

#define STORE_BUSY_TIMEOUT_MS	5000
#define STORE_ERROR_MAX		256
#define STORE_SQL_MAX		1024

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
	    " WHERE carrier = ?1 ORDER BY due, id")

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

/* A carrier's next sequence number, written at the flush when dirty. */
struct store_seq {
	RB_ENTRY(store_seq) entry;
	char		 carrier[64];
	uint64_t	 next;
	int		 dirty;
};
RB_HEAD(store_seq_tree, store_seq);

/* A message row not yet written. */
struct store_msg {
	RB_ENTRY(store_msg) entry;
	TAILQ_ENTRY(store_msg) fifo;
	uint64_t	 gen;		/* flush count when first written */
	struct carrier_message m;
};
RB_HEAD(store_msg_tree, store_msg);
TAILQ_HEAD(store_msg_fifo, store_msg);

/* An outbox item not yet written; its id is already assigned. */
struct store_out {
	RB_ENTRY(store_out) entry;
	TAILQ_ENTRY(store_out) fifo;
	uint64_t	 gen;
	struct carrier_outbox_item it;
};
RB_HEAD(store_out_tree, store_out);
TAILQ_HEAD(store_out_fifo, store_out);

struct carrier_store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT_COUNT];
	char		 error[STORE_ERROR_MAX];
	struct store_seq_tree seqs;
	struct store_msg_tree msgs;
	struct store_msg_fifo msg_fifo;
	struct store_out_tree outs;
	struct store_out_fifo out_fifo;
	int64_t		 next_out_id;
	uint64_t	 gen;		/* flushes so far */
	size_t		 nmsgs;		/* pending rows, for the cap */
	size_t		 nouts;
};

static int
store_seq_cmp(struct store_seq *a, struct store_seq *b)
{
	return strcmp(a->carrier, b->carrier);
}

static int
store_msg_cmp(struct store_msg *a, struct store_msg *b)
{
	int c = strcmp(a->m.carrier, b->m.carrier);

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

static int	store_write_pending(struct carrier_store *, int all);
static void	store_out_drop(struct carrier_store *, struct store_out *);

/* Records what failed with sqlite's message; returns -1. */
static int
store_fail(struct carrier_store *s, const char *what)
{
	snprintf(s->error, sizeof(s->error), "%s: %s", what,
	    sqlite3_errmsg(s->db));
	return -1;
}

/* A kept statement, reset and unbound for its next use. */
static sqlite3_stmt *
stmt_get(struct carrier_store *s, enum store_stmt which)
{
	sqlite3_stmt *st = s->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Runs a statement that returns no row; resets it after. */
static int
stmt_done(struct carrier_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		store_fail(s, what);	/* before reset, which may clear it */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Opens the group transaction unless one is open. */
static int
store_begin(struct carrier_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	return stmt_done(s, stmt_get(s, STMT_BEGIN), "begin");
}

static int
bind_text(sqlite3_stmt *st, int i, const char *text, size_t size)
{
	return sqlite3_bind_text(st, i, text, (int)strnlen(text, size),
	    SQLITE_TRANSIENT);
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
store_prepare(struct carrier_store *s)
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
		if (sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) != SQLITE_OK)
			return store_fail(s, "prepare");
	}
	return 0;
}

static int
store_exec(struct carrier_store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, what);
	return 0;
}

static int
schema_version(struct carrier_store *s, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, "user_version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, "user_version");
	return 0;
}

/* Brings the schema to SCHEMA_VERSION, one migration per transaction. */
static int
store_migrate(struct carrier_store *s)
{
	char bump[64];
	int v;

	if (schema_version(s, &v) == -1)
		return -1;
	if (v > SCHEMA_VERSION) {
		snprintf(s->error, sizeof(s->error), "schema version %d is "
		    "newer than this program's %d", v, SCHEMA_VERSION);
		return -1;
	}
	for (; v < SCHEMA_VERSION; v++) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d;",
		    v + 1);
		if (store_exec(s, "BEGIN IMMEDIATE", "migrate") == -1)
			return -1;
		if (store_exec(s, migrations[v], "migrate") == -1 ||
		    store_exec(s, bump, "migrate") == -1 ||
		    store_exec(s, "COMMIT", "migrate") == -1) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}

/* Outbox ids are handed out in memory, from above the highest stored. */
static int
store_load_max_id(struct carrier_store *s)
{
	sqlite3_stmt *st = s->stmt[STMT_OUT_MAX_ID];
	int rc;

	sqlite3_reset(st);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		s->next_out_id = sqlite3_column_int64(st, 0) + 1;
	else
		store_fail(s, "outbox max id");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
store_setup(struct carrier_store *s, const char *path)
{
	/* One connection, one thread: sqlite's own mutexes are waste. */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_NOMUTEX |
	    SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		if (s->db == NULL) {
			snprintf(s->error, sizeof(s->error), "open %s: out of "
			    "memory", path);
			return -1;
		}
		return store_fail(s, path);
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	/* journal_mode answers "memory" for ":memory:", which is fine. */
	if (store_exec(s, "PRAGMA journal_mode = WAL", "journal_mode") == -1 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL", "synchronous") == -1 ||
	    store_exec(s, "PRAGMA cache_size = -16384", "cache_size") == -1)
		return -1;
	if (store_migrate(s) == -1)
		return -1;
	if (store_prepare(s) == -1)
		return -1;
	return store_load_max_id(s);
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
	if (store_setup(s, path) == -1) {
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
}

void
carrier_store_close(struct carrier_store *s)
{
	int i;

	if (s == NULL)
		return;
	if (s->db != NULL && (store_write_pending(s, 1) == -1 ||
	    carrier_store_flush(s) == -1))
		log_warnx("store close: %s", s->error);
	store_drop_pending(s);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s);
}

/*
 * Commits the group transaction. If COMMIT fails (SQLITE_BUSY) the
 * transaction stays open and the next flush tries again; sqlite decides
 * whether it was rolled back, so the open state is read from it.
 */
int
carrier_store_flush(struct carrier_store *s)
{
	s->gen++;
	if (store_write_pending(s, 0) == -1)
		return -1;
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return stmt_done(s, stmt_get(s, STMT_COMMIT), "commit");
}

const char *
carrier_store_error(const struct carrier_store *s)
{
	return s->error;
}

/* Reads a carrier's counter from the database, creating it at 1. */
static int
sql_seq_load(struct carrier_store *s, const char *carrier, uint64_t *next)
{
	sqlite3_stmt *st;
	int rc;

	if (store_begin(s) == -1)
		return -1;
	st = stmt_get(s, STMT_SEQ_INSERT);
	sqlite3_bind_text(st, 1, carrier, -1, SQLITE_TRANSIENT);
	if (stmt_done(s, st, "next_seq") == -1)
		return -1;
	st = stmt_get(s, STMT_SEQ_GET);
	sqlite3_bind_text(st, 1, carrier, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*next = (uint64_t)sqlite3_column_int64(st, 0);
	else
		store_fail(s, "next_seq");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
carrier_store_next_seq(struct carrier_store *s, const char *carrier,
    uint64_t *seq)
{
	struct store_seq key, *q;

	snprintf(key.carrier, sizeof key.carrier, "%s", carrier);
	if ((q = RB_FIND(store_seq_tree, &s->seqs, &key)) == NULL) {
		q = xcalloc(1, sizeof(*q));
		memcpy(q->carrier, key.carrier, sizeof q->carrier);
		if (sql_seq_load(s, carrier, &q->next) == -1) {
			free(q);
			return -1;
		}
		RB_INSERT(store_seq_tree, &s->seqs, q);
	}
	*seq = q->next++;
	q->dirty = 1;
	return 0;
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
		    m->sm_length, SQLITE_TRANSIENT);
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
sql_message_put(struct carrier_store *s, const struct carrier_message *m)
{
	sqlite3_stmt *st;
	size_t i;

	if (store_begin(s) == -1)
		return -1;
	st = stmt_get(s, STMT_MSG_PUT);
	for (i = 0; i < NMESSAGE_COLUMNS; i++)
		if (bind_column(st, (int)i + 1, &message_columns[i], m) !=
		    SQLITE_OK)
			return store_fail(s, "message_put");
	return stmt_done(s, st, "message_put");
}

int
carrier_store_message_put(struct carrier_store *s,
    const struct carrier_message *m)
{
	struct store_msg *n = xmalloc(sizeof(*n)), *old;

	n->m = *m;
	n->gen = s->gen;
	if ((old = RB_INSERT(store_msg_tree, &s->msgs, n)) != NULL) {
		old->m = *m;
		free(n);
	} else {
		TAILQ_INSERT_TAIL(&s->msg_fifo, n, fifo);
		s->nmsgs++;
	}
	return 0;
}

int
carrier_store_message_get(struct carrier_store *s, const char *carrier,
    const char *message_id, struct carrier_message *m)
{
	sqlite3_stmt *st;
	struct store_msg *key = xmalloc(sizeof(*key)), *n;
	size_t i;
	int rc;

	snprintf(key->m.carrier, sizeof key->m.carrier, "%s", carrier);
	snprintf(key->m.message_id, sizeof key->m.message_id, "%s",
	    message_id);
	n = RB_FIND(store_msg_tree, &s->msgs, key);
	free(key);
	if (n != NULL) {
		*m = n->m;
		return 0;
	}
	st = stmt_get(s, STMT_MSG_GET);
	sqlite3_bind_text(st, 1, carrier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, message_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(m, 0, sizeof(*m));
		for (i = 0; i < NMESSAGE_COLUMNS; i++)
			read_column(st, (int)i, &message_columns[i], m);
	} else if (rc != SQLITE_DONE)
		store_fail(s, "message_get");
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 1;
	return rc == SQLITE_ROW ? 0 : -1;
}

int
carrier_store_message_count(struct carrier_store *s, const char *carrier,
    uint64_t *count)
{
	sqlite3_stmt *st;
	int rc;

	if (store_write_pending(s, 1) == -1)
		return -1;
	st = stmt_get(s, STMT_MSG_COUNT);
	sqlite3_bind_text(st, 1, carrier, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = (uint64_t)sqlite3_column_int64(st, 0);
	else
		store_fail(s, "message_count");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
sql_outbox_add(struct carrier_store *s, const struct carrier_outbox_item *it)
{
	sqlite3_stmt *st;

	if (store_begin(s) == -1)
		return -1;
	st = stmt_get(s, STMT_OUT_ADD);
	bind_text(st, 1, it->carrier, sizeof(it->carrier));
	bind_text(st, 2, it->system_id, sizeof(it->system_id));
	sqlite3_bind_int(st, 3, (int)it->kind);
	bind_text(st, 4, it->message_id, sizeof(it->message_id));
	sqlite3_bind_int(st, 5, it->state);
	sqlite3_bind_int64(st, 6, it->due);
	sqlite3_bind_int64(st, 7, it->attempts);
	if (it->pdu != NULL && it->pdu_len > 0 &&
	    sqlite3_bind_blob64(st, 8, it->pdu, it->pdu_len,
	    SQLITE_TRANSIENT) != SQLITE_OK)
		return store_fail(s, "outbox_add");
	sqlite3_bind_int64(st, 9, it->id);
	return stmt_done(s, st, "outbox_add");
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

static void
store_out_drop(struct carrier_store *s, struct store_out *o)
{
	RB_REMOVE(store_out_tree, &s->outs, o);
	TAILQ_REMOVE(&s->out_fifo, o, fifo);
	s->nouts--;
	carrier_outbox_item_release(&o->it);
	free(o);
}

/* Runs a keyed UPDATE or DELETE: 1 when no row had the key. */
static int
stmt_change(struct carrier_store *s, sqlite3_stmt *st, const char *what)
{
	if (stmt_done(s, st, what) == -1)
		return -1;
	return sqlite3_changes(s->db) == 0 ? 1 : 0;
}

/* Returns 1 if no item has that id. */
int
carrier_store_outbox_update(struct carrier_store *s, int64_t id,
    int64_t due, unsigned attempts)
{
	struct store_out *o = store_out_find(s, id);
	sqlite3_stmt *st;

	if (o != NULL) {
		o->it.due = due;
		o->it.attempts = attempts;
		return 0;
	}
	if (store_begin(s) == -1)
		return -1;
	st = stmt_get(s, STMT_OUT_UPDATE);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, due);
	sqlite3_bind_int64(st, 3, attempts);
	return stmt_change(s, st, "outbox_update");
}

/* Returns 1 if no item has that id. */
int
carrier_store_outbox_delete(struct carrier_store *s, int64_t id)
{
	struct store_out *o = store_out_find(s, id);
	sqlite3_stmt *st;

	if (o != NULL) {
		store_out_drop(s, o);
		return 0;
	}
	if (store_begin(s) == -1)
		return -1;
	st = stmt_get(s, STMT_OUT_DELETE);
	sqlite3_bind_int64(st, 1, id);
	return stmt_change(s, st, "outbox_delete");
}

/* Returns 0 whether or not the message had receipts pending. */
int
carrier_store_outbox_delete_message(struct carrier_store *s,
    const char *carrier, const char *message_id)
{
	struct store_out *o, *next;
	sqlite3_stmt *st;

	RB_FOREACH_SAFE(o, store_out_tree, &s->outs, next)
		if (o->it.kind == CARRIER_OUTBOX_RECEIPT &&
		    strcmp(o->it.carrier, carrier) == 0 &&
		    strcmp(o->it.message_id, message_id) == 0)
			store_out_drop(s, o);
	if (store_begin(s) == -1)
		return -1;
	st = stmt_get(s, STMT_OUT_DELETE_MSG);
	sqlite3_bind_text(st, 1, carrier, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, message_id, -1, SQLITE_TRANSIENT);
	return stmt_done(s, st, "outbox_delete_message");
}

/*
 * Writes what waits in memory into the open transaction: all of it, or
 * what has waited CARRIER_STORE_DEFER_FLUSHES flushes. Counters always go.
 */
static int
store_write_pending(struct carrier_store *s, int all)
{
	uint64_t cutoff = s->gen >= CARRIER_STORE_DEFER_FLUSHES ?
	    s->gen - CARRIER_STORE_DEFER_FLUSHES : 0;
	struct store_seq *q;
	struct store_msg *m;
	struct store_out *o;
	sqlite3_stmt *st;

	RB_FOREACH(q, store_seq_tree, &s->seqs) {
		if (!q->dirty)
			continue;
		if (store_begin(s) == -1)
			return -1;
		st = stmt_get(s, STMT_SEQ_SET);
		sqlite3_bind_text(st, 1, q->carrier, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)q->next);
		if (stmt_done(s, st, "next_seq") == -1)
			return -1;
		q->dirty = 0;
	}
	while ((m = TAILQ_FIRST(&s->msg_fifo)) != NULL && (all ||
	    m->gen <= cutoff || s->nmsgs > CARRIER_STORE_PENDING_MAX)) {
		if (sql_message_put(s, &m->m) == -1)
			return -1;
		TAILQ_REMOVE(&s->msg_fifo, m, fifo);
		RB_REMOVE(store_msg_tree, &s->msgs, m);
		s->nmsgs--;
		free(m);
	}
	while ((o = TAILQ_FIRST(&s->out_fifo)) != NULL && (all ||
	    o->gen <= cutoff || s->nouts > CARRIER_STORE_PENDING_MAX)) {
		if (sql_outbox_add(s, &o->it) == -1)
			return -1;
		store_out_drop(s, o);
	}
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

/*
 * The items are read into memory before fn runs, so fn sees the outbox as
 * it was when foreach started and may call any store function, adding,
 * updating or deleting items (even foreach) without upsetting the walk.
 */
int
carrier_store_outbox_foreach(struct carrier_store *s, const char *carrier,
    void (*fn)(const struct carrier_outbox_item *, void *), void *arg)
{
	sqlite3_stmt *st;
	struct carrier_outbox_item *items = NULL;
	size_t i, n = 0, cap = 0;
	int rc;

	if (store_write_pending(s, 1) == -1)
		return -1;
	st = stmt_get(s, STMT_OUT_LIST);
	sqlite3_bind_text(st, 1, carrier, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap != 0 ? 2 * cap : 16;
			items = xreallocarray(items, cap, sizeof(*items));
		}
		read_item(st, &items[n++]);
	}
	if (rc != SQLITE_DONE)
		store_fail(s, "outbox_foreach");
	sqlite3_reset(st);
	for (i = 0; rc == SQLITE_DONE && i < n; i++)
		fn(&items[i], arg);
	for (i = 0; i < n; i++)
		carrier_outbox_item_release(&items[i]);
	free(items);
	return rc == SQLITE_DONE ? 0 : -1;
}

void
carrier_outbox_item_release(struct carrier_outbox_item *it)
{
	free(it->pdu);
	it->pdu = NULL;
	it->pdu_len = 0;
}
