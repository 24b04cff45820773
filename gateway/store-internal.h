/*
 * What the store's files share and nothing else may touch. Two sides:
 * the worker's (struct gw_store_db: the connection and the statements
 * prepared once and kept; only the worker thread uses it once started)
 * and the loop's (the open batch, the queue towards the worker, the
 * batches coming back with their durability callbacks). They meet at one
 * mutex in struct gw_store; nothing else is shared.
 */
#ifndef CARRIERLAB_GATEWAY_STORE_INTERNAL_H
#define CARRIERLAB_GATEWAY_STORE_INTERNAL_H

#include <sys/queue.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/tree.h"
#include "common/wakepipe.h"
#include "gateway/gateway-internal.h"
#include "gateway/json.h"
#include "gateway/store.h"

struct event;

#define GW_STORE_ERROR_MAX	512
#define GW_STORE_PATH_MAX	256
#define GW_STORE_SQL_MAX	4096

/*
 * The messages columns, in the order of the INSERT and the SELECT. The
 * second column is the SQL name (quoted where it is a keyword); bind
 * index is MCOL_x + 1, column index MCOL_x.
 */
#define GW_MESSAGE_COLUMNS(X)						\
	X(SID,			"sid")					\
	X(ACCOUNT_SID,		"account_sid")				\
	X(SERVICE_SID,		"service_sid")				\
	X(TO,			"\"to\"")				\
	X(FROM,			"\"from\"")				\
	X(BODY,			"body")					\
	X(STATUS,		"status")				\
	X(DIRECTION,		"direction")				\
	X(ERROR_CODE,		"error_code")				\
	X(DATE_CREATED,		"date_created")				\
	X(DATE_UPDATED,		"date_updated")				\
	X(DATE_SENT,		"date_sent")				\
	X(SEND_AT,		"send_at")				\
	X(VALID_UNTIL,		"valid_until")				\
	X(VALIDITY_PERIOD,	"validity_period")			\
	X(NUM_SEGMENTS,		"num_segments")				\
	X(NUM_MEDIA,		"num_media")				\
	X(MEDIA,		"media")				\
	X(STATUS_CALLBACK,	"status_callback")			\
	X(DATA_CODING,		"data_coding")				\
	X(SMART_ENCODED,	"smart_encoded")			\
	X(ATTEMPT,		"attempt")				\
	X(ROUTE,		"route")				\
	X(PRICE,		"price")				\
	X(PARTS,		"parts")					\
	X(SELECTION,		"selection")

enum gw_message_column {
#define GW_MCOL_ENUM(name, sql) MCOL_##name,
	GW_MESSAGE_COLUMNS(GW_MCOL_ENUM)
#undef GW_MCOL_ENUM
	MCOL_COUNT
};

#define GW_CALLBACK_COLUMNS						\
	"id, kind, message_sid, account_sid, url, method, params,"	\
	" attempts, next_at, created_at"

#define GW_OBJECT_COLUMNS						\
	"kind, key, account_sid, parent, created, body"

/*
 * The messages still on their way (the statuses GW_STATUSES does not
 * call terminal): the messages_active index's WHERE and MSG_ACTIVE's,
 * the same words, so sqlite sees the query is the index's. OR, not IN:
 * see schema version 3. test_active_index checks it against
 * gw_status_terminal.
 */
#define GW_SQL_ACTIVE							\
	"(status = 'accepted' OR status = 'scheduled'"			\
	" OR status = 'queued' OR status = 'sending' OR status = 'sent'"	\
	" OR status = 'receiving')"

/*
 * A batch's status events go in as rows of one INSERT, 16 or 4 at a
 * time and the rest one by one (gw_store_db_add_events): a statement's
 * step, reset and binding cost about as much as the row it inserts.
 */
#define GW_EVENT_INSERT							\
	"INSERT INTO message_events (sid, status, error_code, at, detail)"	\
	" VALUES "
#define GW_EVENT_ROW	"(?, ?, ?, ?, ?)"
#define GW_EVENT_ROWS4							\
	GW_EVENT_ROW ", " GW_EVENT_ROW ", " GW_EVENT_ROW ", " GW_EVENT_ROW
#define GW_EVENT_COLUMNS	5
#define GW_EVENT_ROWS_MAX	16

/*
 * Statements prepared at open and kept. NULL sql: built by
 * gw_store_message_sql() from GW_MESSAGE_COLUMNS.
 */
#define GW_STORE_STATEMENTS(X)						\
	X(BEGIN, "BEGIN IMMEDIATE")					\
	X(COMMIT, "COMMIT")						\
	X(ROLLBACK, "ROLLBACK")						\
	X(MSG_PUT, NULL)						\
	X(MSG_GET, NULL)						\
	X(MSG_ACTIVE, NULL)						\
	X(MSG_UPDATE, "UPDATE messages SET status = ?2,"		\
	    " error_code = ?3, date_updated = ?4, date_sent = ?5,"	\
	    " route = ?6, price = ?7, parts = ?8, num_segments = ?9"	\
	    " WHERE sid = ?1")						\
	X(MSG_DELETE, "DELETE FROM messages WHERE sid = ?1"		\
	    " AND (?2 IS NULL OR account_sid = ?2)")			\
	X(MSG_COUNT, "SELECT status, count(*) FROM messages"		\
	    " GROUP BY status")						\
	X(EVENT_ADD, GW_EVENT_INSERT GW_EVENT_ROW)			\
	X(EVENT_ADD4, GW_EVENT_INSERT GW_EVENT_ROWS4)			\
	X(EVENT_ADD16, GW_EVENT_INSERT GW_EVENT_ROWS4 ", " GW_EVENT_ROWS4	\
	    ", " GW_EVENT_ROWS4 ", " GW_EVENT_ROWS4)			\
	X(EVENT_LIST, "SELECT status, error_code, at, detail"		\
	    " FROM message_events WHERE sid = ?1 ORDER BY id LIMIT ?2")	\
	X(EVENT_DELETE, "DELETE FROM message_events WHERE sid = ?1")	\
	X(CB_ADD, "INSERT INTO callbacks (kind, message_sid,"		\
	    " account_sid, url, method, params, attempts, next_at,"	\
	    " created_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"	\
	    " ?9, ?10)")							\
	X(CB_MAX_ID, "SELECT coalesce(max(id), 0) FROM callbacks")	\
	X(CB_UPDATE, "UPDATE callbacks SET attempts = ?2, next_at = ?3"	\
	    " WHERE id = ?1")						\
	X(CB_DELETE, "DELETE FROM callbacks WHERE id = ?1")		\
	X(CB_LOAD, "SELECT " GW_CALLBACK_COLUMNS " FROM callbacks"	\
	    " ORDER BY id")						\
	X(CFG_CLEAR_ACCOUNTS, "DELETE FROM accounts")			\
	X(CFG_CLEAR_NUMBERS, "DELETE FROM numbers")			\
	X(CFG_CLEAR_SERVICES, "DELETE FROM services")			\
	X(CFG_ACCOUNT, "INSERT OR REPLACE INTO accounts"		\
	    " (sid, friendly_name, api_keys) VALUES (?1, ?2, ?3)")	\
	X(CFG_NUMBER, "INSERT OR REPLACE INTO numbers (sid,"		\
	    " account_sid, number, kind, country, capabilities,"	\
	    " friendly_name, sms_url, sms_method, sms_fallback_url,"	\
	    " sms_fallback_method, status_callback, date_created)"	\
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"	\
	    " ?12, ?13)")						\
	X(CFG_SERVICE, "INSERT OR REPLACE INTO services (sid,"		\
	    " account_sid, friendly_name, inbound_request_url,"		\
	    " inbound_method, fallback_url, fallback_method,"		\
	    " status_callback, sticky_sender, mms_converter,"		\
	    " smart_encoding, area_code_geomatch,"			\
	    " fallback_to_long_code, use_inbound_webhook_on_number,"	\
	    " validity_period, usecase, senders) VALUES (?1, ?2, ?3,"	\
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"	\
	    " ?16, ?17)")						\
	X(OBJ_PUT, "INSERT OR REPLACE INTO objects (kind, key,"	\
	    " account_sid, parent, created, body) VALUES (?1, ?2, ?3,"	\
	    " ?4, ?5, ?6)")						\
	X(OBJ_DELETE, "DELETE FROM objects WHERE kind = ?1"		\
	    " AND key = ?2")						\
	X(OBJ_DELETE_PARENT, "DELETE FROM objects WHERE kind = ?1"	\
	    " AND parent = ?2")						\
	X(OBJ_LOAD, "SELECT " GW_OBJECT_COLUMNS " FROM objects"	\
	    " WHERE kind = ?1 ORDER BY created, key")

enum gw_store_stmt {
#define GW_STORE_STMT_ENUM(name, sql) GW_STMT_##name,
	GW_STORE_STATEMENTS(GW_STORE_STMT_ENUM)
#undef GW_STORE_STMT_ENUM
	GW_STMT_COUNT
};

/*
 * List statements, one per combination of the filters given and the
 * paging direction, prepared on first use and kept: a filter that is
 * absent is absent from the SQL, so the planner picks the index that
 * fits (an "?x IS NULL OR" clause would hide it).
 */
#define GW_LIST_ACCOUNT		0x01
#define GW_LIST_TO		0x02
#define GW_LIST_FROM		0x04
#define GW_LIST_SENT_AFTER	0x08
#define GW_LIST_SENT_BEFORE	0x10
#define GW_LIST_AFTER_KEY	0x20
#define GW_LIST_BEFORE_KEY	0x40
#define GW_LIST_STMTS		0x80

/* The worker's side: the only connection (the opener's until the worker
 * starts, so open, migrate and prepare run before it). */
struct gw_store_db {
	sqlite3		*db;
	sqlite3_stmt	*stmt[GW_STMT_COUNT];
	sqlite3_stmt	*list_stmt[GW_LIST_STMTS];
	char		 path[GW_STORE_PATH_MAX];
	char		 error[GW_STORE_ERROR_MAX];
	struct gw_json	 json[2];	/* scratch of a put's JSON columns */
};

/*
 * One write, as the loop copied it: the worker runs it in its batch's
 * transaction. PUT and UPDATE own a heap message (an UPDATE's holds only
 * what gw_store_update_message writes); the batch indexes them by sid to
 * fold later updates of the same message into them.
 */
enum gw_store_op_kind {
	GW_OP_PUT,
	GW_OP_UPDATE,
	GW_OP_DELETE,
	GW_OP_EVENT,
	GW_OP_CB_ADD,
	GW_OP_CB_UPDATE,
	GW_OP_CB_DELETE,
	GW_OP_OBJ_PUT,
	GW_OP_OBJ_DELETE,
	GW_OP_OBJ_DELETE_PARENT,
};

struct gw_store_op {
	TAILQ_ENTRY(gw_store_op) entry;
	RB_ENTRY(gw_store_op) by_sid;	/* PUT, UPDATE */
	enum gw_store_op_kind kind;
	struct gw_message *m;		/* PUT: its own; UPDATE: &update */
	struct gw_message update;	/* UPDATE: sid, the moved fields and
					   parts (owned) */
	struct gw_callback_row cb;	/* CB_*: url, params owned */
	char		 sid[35];	/* DELETE, EVENT */
	char		 account_sid[35];	/* DELETE; "" any */
	char		 status[24];	/* EVENT */
	int		 error_code;
	int64_t		 at;
	char		*detail;	/* EVENT; NULL none */
	struct gw_object_row obj;	/* OBJ_*: body owned */
	/* Carrying status moves over (gw_store_batch_carry): */
	struct gw_store_op *owner;	/* EVENT: its sid's PUT or UPDATE in
					   the batch when written; NULL none */
	int		 pinned;	/* UPDATE: goes with its batch (a
					   callback's row or a DELETE of its
					   sid followed it) */
	int64_t		 carried_at;	/* UPDATE: monotonic usec of its first
					   carry; 0 not carried */
	int		 indexed;	/* in its batch's by_sid */
};
TAILQ_HEAD(gw_store_op_list, gw_store_op);
RB_HEAD(gw_store_op_tree, gw_store_op);

/* A callback waiting for the commit of its batch. */
struct gw_store_durable {
	void		(*cb)(void *, int);
	void		*arg;
};

/*
 * What the worker does next: commit a batch (its ops in one
 * transaction; the loop then runs its durability callbacks), answer a
 * call (fn on the connection while the loop waits), or close and stop.
 */
enum gw_store_job_kind {
	GW_JOB_BATCH,
	GW_JOB_CALL,
	GW_JOB_QUIT,
};

struct gw_store_job {
	TAILQ_ENTRY(gw_store_job) entry;
	enum gw_store_job_kind kind;
	/* BATCH: filled by the loop until handed over. */
	struct gw_store_op_list ops;
	struct gw_store_op_tree by_sid;
	size_t		 nops;		/* ops after folding */
	size_t		 writes;	/* write calls, for pending */
	struct gw_store_durable *durable;
	size_t		 ndurable;
	size_t		 durable_cap;
	size_t		 next_durable;	/* the next to run, once back */
	int		 urgent;	/* a waiter is in a hurry */
	/* CALL */
	int		 (*fn)(struct gw_store_db *, void *);
	void		*arg;
	/* Set by the worker. */
	int		 rc;		/* 0, or -1 with error */
	int		 done;		/* CALL, QUIT: the caller's again */
	char		 error[GW_STORE_ERROR_MAX];
};
TAILQ_HEAD(gw_store_job_list, gw_store_job);

struct gw_store {
	/* The loop's. */
	struct event_base *base;
	struct event	*commit_ev;	/* the next loop turn, or linger */
	struct timeval	 linger;	/* see gw_store_set_linger */
	int		 lingering;	/* commit_ev is set to linger */
	struct event	*done_ev;	/* notify readable */
	char		 path[GW_STORE_PATH_MAX];
	char		 error[GW_STORE_ERROR_MAX];
	struct gw_store_job *cur;	/* the open batch; NULL none */
	struct gw_store_job_list ready;	/* back, callbacks to run */
	size_t		 handed;	/* batches handed over, not back */
	size_t		 handed_writes;
	int64_t		 next_callback_id;
	int		 running;	/* the worker was started */
	struct gw_store_op_list spare;	/* ops of batches back, for reuse */
	size_t		 nspare;
	pthread_t	 worker;
	struct wakepipe	 notify;	/* the worker finished a batch; its
					   notified is under mu */

	/* Shared, under mu. */
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* jobs has one more, for the worker */
	pthread_cond_t	 done;		/* a job is done, for the loop */
	struct gw_store_job_list jobs;
	struct gw_store_job_list finished;	/* batches committed (or not) */
	size_t		 nfinished;

	/* The worker's once started; before, the opener's. */
	struct gw_store_db w;
};

/* store-batch.c: the loop's side of the write calls. */
/*
 * A zeroed op, from the ops of batches back when there are (a message
 * writes about seven, each about 1 KB: too large for malloc's fast
 * bins, so each allocation and each free of a batch's worth was a walk
 * of its bins). At most GW_STORE_SPARE_OPS are kept: 4 MB at most.
 */
#define GW_STORE_SPARE_OPS	4096
struct gw_store_op *gw_store_op_alloc(struct gw_store *,
		    enum gw_store_op_kind);
/* Appends a filled op to the open batch. */
void		 gw_store_op_add(struct gw_store *, struct gw_store_op *);
/* A new empty batch. */
struct gw_store_job *gw_store_job_new(void);
/*
 * Splits job as it goes on its turn (see store.c's top): returns a new
 * batch with what must go now (its ops in order, job's durability
 * callbacks and urgency) and leaves in job the status moves that nothing
 * else in it needs and that were first carried less than span usec
 * before now (monotonic); NULL when there are none (job goes whole).
 */
struct gw_store_job *gw_store_batch_carry(struct gw_store_job *job,
		    int64_t now, int64_t span);

/* store.c: the loop's side. */
/* The open batch, made if none. */
struct gw_store_job *gw_store_batch(struct gw_store *);
/* Counts one more write call in the open batch (its op added, or
 * folded into one there); hands the batch over when it is large. */
void		 gw_store_wrote(struct gw_store *);
/* Runs fn on the connection behind every write made so far, waiting
 * for it; -1 copies the worker's error into s->error and logs it. */
int		 gw_store_call(struct gw_store *,
		    int (*fn)(struct gw_store_db *, void *), void *arg);
/* Records and logs a failure that is not sqlite's; returns -1. */
int		 gw_store_loop_failx(struct gw_store *, const char *what,
		    const char *reason);

/* store.c: the worker's side (or the opener's). */
/* Records what failed with sqlite's message; returns -1. */
int		 gw_store_fail(struct gw_store_db *, const char *what);
/* Records a failure that is not sqlite's; returns -1. */
int		 gw_store_failx(struct gw_store_db *, const char *what,
		    const char *reason);
/* A kept statement, reset and unbound for its next use. */
sqlite3_stmt	*gw_store_stmt(struct gw_store_db *, enum gw_store_stmt);
/* Steps a statement that returns no row, then resets it. */
int		 gw_store_step_done(struct gw_store_db *, sqlite3_stmt *,
		    const char *what);
/* Binds text; NULL, and "" when empty_null, bind SQL NULL. */
int		 gw_store_bind_text(sqlite3_stmt *, int i, const char *,
		    int empty_null);
/* Binds an integer; 0 binds SQL NULL when zero_null. */
int		 gw_store_bind_i64(sqlite3_stmt *, int i, int64_t,
		    int zero_null);
/* A TEXT column into a char array, cut to fit; NULL reads "". */
void		 gw_store_column_copy(sqlite3_stmt *, int i, char *out,
		    size_t size);
/* A TEXT column as a heap string (xstrdup); NULL reads NULL. */
char		*gw_store_column_strdup(sqlite3_stmt *, int i);

/* store-batch.c */
/* Runs a batch's ops in one transaction and commits; 0 or -1 (then
 * none of it is kept). */
int		 gw_store_db_batch(struct gw_store_db *,
		    struct gw_store_job *);
/* Frees a batch and its ops (not its durability callbacks' args). */
void		 gw_store_batch_free(struct gw_store *, struct gw_store_job *);
/* Frees the spare ops (at close). */
void		 gw_store_spare_free(struct gw_store *);

/* store-schema.c */
/* Creates or migrates the schema; refuses a newer one. */
int		 gw_store_migrate(struct gw_store_db *);

/* store-messages.c */
/* The SQL of a statement built from GW_MESSAGE_COLUMNS. */
void		 gw_store_message_sql(enum gw_store_stmt, char *out,
		    size_t size);
/* Builds the SQL of list statement slot (GW_LIST_* bits). */
void		 gw_store_list_sql(unsigned slot, char *out, size_t size);
/* The row st is on (a GW_MESSAGE_COLUMNS select) as a heap message;
 * NULL (error set) when the row is corrupt. */
struct gw_message *gw_store_read_message(struct gw_store_db *,
		    sqlite3_stmt *);
/* A heap copy of m's stored fields (not its lifecycle links). */
struct gw_message *gw_store_message_dup(const struct gw_message *);
/* Copies what gw_store_update_message writes from m into into. */
void		 gw_store_message_moved(struct gw_message *into,
		    const struct gw_message *m);
/* The worker's statements of the write calls. */
int		 gw_store_db_put_message(struct gw_store_db *,
		    const struct gw_message *);
int		 gw_store_db_update_message(struct gw_store_db *,
		    const struct gw_message *);
int		 gw_store_db_delete_message(struct gw_store_db *,
		    const char *account_sid, const char *sid);
int		 gw_store_db_add_events(struct gw_store_db *,
		    const struct gw_store_op *const *, size_t);

/* store-objects.c: the worker's statements of the object writes. */
int		 gw_store_db_put_object(struct gw_store_db *,
		    const struct gw_object_row *);
int		 gw_store_db_delete_object(struct gw_store_db *,
		    const struct gw_object_row *);
int		 gw_store_db_delete_objects(struct gw_store_db *,
		    const struct gw_object_row *);

/* store-callbacks.c */
int		 gw_store_db_add_callback(struct gw_store_db *,
		    const struct gw_callback_row *);
int		 gw_store_db_update_callback(struct gw_store_db *,
		    int64_t id, unsigned attempts, int64_t next_at);
int		 gw_store_db_delete_callback(struct gw_store_db *,
		    int64_t id);
/* The largest id in the outbox (0: none), for the loop's counter. */
int		 gw_store_db_callback_max_id(struct gw_store_db *,
		    int64_t *);

#endif
