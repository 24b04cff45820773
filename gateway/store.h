/*
 * The gateway's store: one sqlite database (WAL) with a versioned schema.
 *
 * Group commit behind one worker thread, which owns the only connection:
 * the event loop never waits on sqlite for a write. A write call copies
 * what it writes into the open batch (in memory) and returns at once;
 * the batch goes to the worker on the next turn of the event loop (not
 * while the worker has two, the one it commits and the next: then it
 * grows until one is back; at once when it is large, or when
 * gw_store_commit() is called). The worker runs a
 * batch in one transaction (a message's later status moves folded into
 * its earlier write of the batch) and commits. Then, on the loop,
 * callbacks registered with gw_store_when_durable() run, never inside
 * the call that registered them, batch after batch in the order they
 * were registered, with ok 1, or 0 when the batch failed: a batch is all
 * or nothing, the first write that fails rolls all of it back (the
 * reason in gw_store_error()). A committed batch survives kill -9 of the
 * process at every synchronous level (GATEWAY_SYNC_* in gateway.h: the
 * batch is in the operating system when COMMIT returns); FULL also
 * survives power loss, at an fsync per batch.
 *
 * Reads see every write made before them: they hand the open batch
 * over, queue behind it and wait for the worker's answer (the loop
 * blocks for that long: reads are not on the hot path). So do
 * gw_store_put_config() and gw_store_start_generation(), which write at
 * once, outside any batch.
 *
 * Tables (schema version 3): messages (one row per message, parts and
 * media as JSON text columns, the sender selection's trace), objects
 * (the running state of other modules, one JSON body per row: Messaging
 * Services, their senders, sticky mappings, alerts), message_events (every status transition
 * with its clock time and error code), callbacks (the status-callback
 * and inbound-webhook outbox), accounts, numbers, services (the
 * configuration as last loaded, for inspection), meta (key/value:
 * schema_version is PRAGMA user_version).
 *
 * All times are microseconds of clock time. Text is copied: the caller's
 * structs may change after a call returns.
 */
#ifndef CARRIERLAB_GATEWAY_STORE_H
#define CARRIERLAB_GATEWAY_STORE_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct gateway_config;
struct gw_message;
struct gw_store;

#define GW_STORE_SCHEMA_VERSION	3

/*
 * Opens (creating and migrating) the database at path; ":memory:" keeps
 * nothing. Returns NULL with err filled (the reason and the path).
 */
struct gw_store	*gw_store_open(struct event_base *, const char *path,
		    int synchronous, char *err, size_t errlen);
/* Commits what is pending (running its durability callbacks), stops
 * the worker and closes; NULL is allowed. A durability callback must not
 * close the store. */
void		 gw_store_close(struct gw_store *);
/* The last sqlite error message. */
const char	*gw_store_error(const struct gw_store *);

/* Writes: they join the open batch and return 0 at once (-1 only for an
 * argument the store cannot hold, logged); a failure in sqlite fails
 * the batch, see above. */
/* Inserts or replaces the whole row of m, parts and media included. */
int		 gw_store_put_message(struct gw_store *,
		    const struct gw_message *m);
/*
 * Writes only what moves as a message travels (status, error code,
 * dates updated and sent, route, price, parts, segments): an UPDATE that
 * leaves the other indexes alone. The row must exist (a put came first).
 */
int		 gw_store_update_message(struct gw_store *,
		    const struct gw_message *m);
int		 gw_store_delete_message(struct gw_store *,
		    const char *account_sid, const char *sid);
/* One status transition: appended to message_events. */
int		 gw_store_add_event(struct gw_store *, const char *sid,
		    const char *status, int error_code, int64_t at,
		    const char *detail);
/* Replaces accounts, numbers and services with cfg's, committed before
 * it returns (in a transaction of its own: on failure, -1, the previous
 * configuration stays). */
int		 gw_store_put_config(struct gw_store *,
		    const struct gateway_config *cfg);

/* A callback in the outbox. */
struct gw_callback_row {
	int64_t		 id;		/* set by gw_store_add_callback */
	char		 kind[16];	/* "status", "inbound" */
	char		 message_sid[35];
	char		 account_sid[35];
	char		*url;
	char		 method[8];	/* "POST" or "GET" */
	char		*params;	/* form-encoded, signed as is */
	unsigned	 attempts;	/* made so far */
	int64_t		 next_at;	/* clock usec of the next attempt */
	int64_t		 created_at;
};

/* Sets row->id at once: the store counts ids up from the largest in the
 * outbox at open. */
int		 gw_store_add_callback(struct gw_store *,
		    struct gw_callback_row *row);
int		 gw_store_update_callback(struct gw_store *, int64_t id,
		    unsigned attempts, int64_t next_at);
int		 gw_store_delete_callback(struct gw_store *, int64_t id);
/* Frees url and params (not the row itself). */
void		 gw_callback_row_clear(struct gw_callback_row *);

/*
 * Objects: rows of a kind ("service", "sender", "sticky", "alert") keyed
 * by (kind, key), with the account they belong to, an optional parent
 * key (a sender's service) and a creation time for lists; body is the
 * owner's JSON text, which the store never reads.
 */
#define GW_OBJECT_KIND_MAX	16
#define GW_OBJECT_KEY_MAX	80

struct gw_object_row {
	char		 kind[GW_OBJECT_KIND_MAX];
	char		 key[GW_OBJECT_KEY_MAX];
	char		 account_sid[35];
	char		 parent[GW_OBJECT_KEY_MAX];	/* "" none (NULL) */
	int64_t		 created;
	char		*body;
};

/* Writes joining the open batch, as the others. put inserts or replaces
 * the row (kind, key); -1 for a kind or key too long (logged). */
int		 gw_store_put_object(struct gw_store *, const char *kind,
		    const char *key, const char *account_sid,
		    const char *parent, int64_t created, const char *body);
int		 gw_store_delete_object(struct gw_store *, const char *kind,
		    const char *key);
/* Every row of kind whose parent is parent. */
int		 gw_store_delete_objects(struct gw_store *, const char *kind,
		    const char *parent);
/* Every row of kind, oldest first (created, key), for start-up: cb
 * gets a row valid during the call. Returns the count or -1. */
int		 gw_store_load_objects(struct gw_store *, const char *kind,
		    void (*cb)(const struct gw_object_row *, void *),
		    void *arg);

/*
 * A page of an account's rows of kind, newest first (created desc, key
 * desc): keyset paging as gw_store_list_messages, with created bounds
 * and one optional equality on a member of the JSON body.
 */
struct gw_object_query {
	const char	*kind;
	const char	*account_sid;
	int64_t		 created_after;		/* >=; 0: none */
	int64_t		 created_before;	/* <  ; 0: none */
	const char	*body_path;		/* "$.log_level"; NULL none */
	const char	*body_value;
	unsigned	 page_size;		/* 1..1000 */
	/* After this key (next pages), or before it (previous pages,
	 * returned in list order); "" : first page. */
	int64_t		 after_created;
	char		 after_key[GW_OBJECT_KEY_MAX];
	int64_t		 before_created;
	char		 before_key[GW_OBJECT_KEY_MAX];
};

/* Calls cb for each row of the page in list order; *more as in
 * gw_store_list_messages. Returns the count or -1. */
int		 gw_store_list_objects(struct gw_store *,
		    const struct gw_object_query *q,
		    void (*cb)(const struct gw_object_row *, void *),
		    void *arg, int *more);
/* 1 and row filled (body: heap, the caller frees) when (kind, key)
 * exists, 0 when not, -1 on error. */
int		 gw_store_get_object(struct gw_store *, const char *kind,
		    const char *key, struct gw_object_row *row);

/* Durability: cb runs once every write made before it is committed.
 * Someone waits on it (a response): the batch goes on the next turn.
 * With a linger set, the exception: a message's status moves (UPDATEs
 * and their events) that nothing else in the batch touches may be
 * carried over into the next batch (see store.c), so a create's 201
 * waits for its own row, not for other messages' moves. */
void		 gw_store_when_durable(struct gw_store *,
		    void (*cb)(void *arg, int ok), void *arg);
/* The same for work nobody waits on (a status callback's row before it
 * is sent): its batch may linger like writes without a callback. */
void		 gw_store_when_durable_later(struct gw_store *,
		    void (*cb)(void *arg, int ok), void *arg);
/* How long a batch nobody waits on may stay open for more work before
 * it is handed over anyway; 0 (the default): the next turn, as an
 * urgent one. An urgent write or callback takes it along at once. For
 * real time: libevent's clock, not carrierlab's. */
void		 gw_store_set_linger(struct gw_store *, int64_t usec);
/* Hands the open batch over, waits until every batch is committed and
 * runs their callbacks; 0, or -1 if one of them failed. Callbacks those
 * register join a later batch. */
int		 gw_store_commit(struct gw_store *);
/* Write calls not yet committed, in the open batch or with the worker
 * (for metrics and quiescence). */
size_t		 gw_store_pending(const struct gw_store *);
/* A batch is open, with the worker or back with callbacks to run: the
 * loop will hear from the store (virtual time must not jump). */
int		 gw_store_busy(const struct gw_store *);

/* Reads (they see every write made before them, see above). */
/* 1 found (m filled: free its strings with gw_message_free on a heap
 * message, see gw_message_new), 0 not found, -1 error. account_sid NULL
 * matches any account. */
int		 gw_store_get_message(struct gw_store *,
		    const char *account_sid, const char *sid,
		    struct gw_message **out);

/* List filters of twilio-api.md §2.4; NULL / 0 means not given. Dates
 * are usec bounds on date_sent (inclusive, whole GMT days as the API
 * turns them). */
struct gw_list_query {
	const char	*account_sid;
	const char	*to;
	const char	*from;
	int64_t		 sent_after;	/* >=; 0: none */
	int64_t		 sent_before;	/* <  ; 0: none */
	unsigned	 page_size;	/* 1..1000 */
	/* Keyset paging: the (date_created, sid) of the last row of the
	 * previous page, from the PageToken; after_sid "" : first page. */
	int64_t		 after_created;
	char		 after_sid[35];
	/* Backwards (previous page): rows before this key, nearest first,
	 * returned in list order. before_sid "" : not used. */
	int64_t		 before_created;
	char		 before_sid[35];
};

/* Newest first (date_created desc, sid desc). Fills out[] with up to
 * q->page_size heap messages, *n with the count, *more with 1 when
 * another row follows the last. A backward page (before_sid) is in the
 * same list order, and its *more says whether another row precedes its
 * first (rows after its last always exist: the page it came from).
 * Returns 0 or -1. */
int		 gw_store_list_messages(struct gw_store *,
		    const struct gw_list_query *q, struct gw_message **out,
		    size_t *n, int *more);

/* One transition as stored. */
struct gw_event_row {
	char		 status[24];
	int		 error_code;
	int64_t		 at;
	char		 detail[256];
};
/* Up to cap events of sid, oldest first; returns the count or -1. */
int		 gw_store_list_events(struct gw_store *, const char *sid,
		    struct gw_event_row *out, size_t cap);

/* Recovery: calls cb with every message whose status is not terminal
 * (a heap message; cb owns it). Returns the count or -1. */
int		 gw_store_load_active(struct gw_store *,
		    void (*cb)(struct gw_message *, void *), void *arg);
/* Every callback in the outbox, oldest first (cb owns the row's
 * strings, see gw_callback_row_clear). */
int		 gw_store_load_callbacks(struct gw_store *,
		    void (*cb)(struct gw_callback_row *, void *), void *arg);
/* A page of the outbox: up to limit rows with an id above after_id,
 * oldest first (cb owns the row's strings). Returns the count or -1. */
int		 gw_store_load_callbacks_after(struct gw_store *,
		    int64_t after_id, size_t limit,
		    void (*cb)(struct gw_callback_row *, void *), void *arg);

/*
 * Counts the starts of a gateway on this database: 1 on a new one, and
 * one more on each call (written at once, outside any batch). Mixed
 * into the seed of sids, so that a restart never draws a sid again while
 * a fresh database gives the same sids for the same seed.
 */
int		 gw_store_start_generation(struct gw_store *,
		    uint64_t *generation);

/* Counts by status for /metrics and tests: counts[GW_STATUS_COUNT]. */
int		 gw_store_count_by_status(struct gw_store *,
		    uint64_t *counts);

#endif
