/*
 * The callback outbox: status callbacks and inbound webhooks waiting to
 * be sent or retried. A row lives from the event that made it until the
 * attempt that succeeded or the last one. Ids are the loop's (one more
 * than the largest at open, counting up), given at once and inserted as
 * the rowid, so oldest first is id order.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/xmalloc.h"
#include "gateway/store-internal.h"

int
gw_store_db_add_callback(struct gw_store_db *d,
    const struct gw_callback_row *row)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_CB_ADD);

	sqlite3_bind_text(st, 1, row->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->message_sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->account_sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->url != NULL ? row->url : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, row->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, row->params != NULL ? row->params : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, row->attempts);
	sqlite3_bind_int64(st, 8, row->next_at);
	sqlite3_bind_int64(st, 9, row->created_at);
	sqlite3_bind_int64(st, 10, row->id);
	return gw_store_step_done(d, st, "add callback");
}

int
gw_store_db_update_callback(struct gw_store_db *d, int64_t id,
    unsigned attempts, int64_t next_at)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_CB_UPDATE);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, attempts);
	sqlite3_bind_int64(st, 3, next_at);
	return gw_store_step_done(d, st, "update callback");
}

int
gw_store_db_delete_callback(struct gw_store_db *d, int64_t id)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_CB_DELETE);

	sqlite3_bind_int64(st, 1, id);
	return gw_store_step_done(d, st, "delete callback");
}

int
gw_store_db_callback_max_id(struct gw_store_db *d, int64_t *max)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_CB_MAX_ID);
	int rc = sqlite3_step(st);

	*max = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW)
		gw_store_fail(d, "callback ids");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

void
gw_callback_row_clear(struct gw_callback_row *row)
{
	free(row->url);
	free(row->params);
	row->url = NULL;
	row->params = NULL;
}

/* The row st is on; url and params on the heap, never NULL. */
static void
gw_callback_read(sqlite3_stmt *st, struct gw_callback_row *row)
{
	row->id = sqlite3_column_int64(st, 0);
	gw_store_column_copy(st, 1, row->kind, sizeof(row->kind));
	gw_store_column_copy(st, 2, row->message_sid,
	    sizeof(row->message_sid));
	gw_store_column_copy(st, 3, row->account_sid,
	    sizeof(row->account_sid));
	if ((row->url = gw_store_column_strdup(st, 4)) == NULL)
		row->url = xstrdup("");
	gw_store_column_copy(st, 5, row->method, sizeof(row->method));
	if ((row->params = gw_store_column_strdup(st, 6)) == NULL)
		row->params = xstrdup("");
	row->attempts = (unsigned)sqlite3_column_int64(st, 7);
	row->next_at = sqlite3_column_int64(st, 8);
	row->created_at = sqlite3_column_int64(st, 9);
}

struct gw_cb_load_call {
	struct gw_callback_row *all;
	size_t		 n;
};

static int
gw_store_db_load_callbacks(struct gw_store_db *d, void *arg)
{
	struct gw_cb_load_call *c = arg;
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_CB_LOAD);
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			c->all = xreallocarray(c->all, cap, sizeof(*c->all));
		}
		gw_callback_read(st, &c->all[c->n++]);
	}
	if (rc != SQLITE_DONE)
		gw_store_fail(d, "load callbacks");
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Gives each row read to cb (who takes its strings), or frees them all
 * when the read failed (rc -1). Returns the count or -1. */
static int
gw_cb_hand_out(int rc, struct gw_callback_row *all, size_t n,
    void (*cb)(struct gw_callback_row *, void *), void *arg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rc == -1)
			gw_callback_row_clear(&all[i]);
		else
			cb(&all[i], arg);
	}
	free(all);
	return rc == -1 ? -1 : (int)n;
}

/*
 * Rows are read (by the worker) before the first callback, which may
 * update or delete them.
 */
int
gw_store_load_callbacks(struct gw_store *s,
    void (*cb)(struct gw_callback_row *, void *), void *arg)
{
	struct gw_cb_load_call c = { NULL, 0 };
	int rc = gw_store_call(s, gw_store_db_load_callbacks, &c);

	return gw_cb_hand_out(rc, c.all, c.n, cb, arg);
}

/* A page of the outbox: rows after an id, oldest first. */
struct gw_cb_page_call {
	int64_t		 after_id;
	size_t		 limit;
	struct gw_callback_row *all;
	size_t		 n;
};

/*
 * Paging reads are rare (the webhooks reload their backlog a page at a
 * time), so their statements are prepared per call rather than kept.
 */
static int
gw_store_db_load_callbacks_after(struct gw_store_db *d, void *arg)
{
	struct gw_cb_page_call *c = arg;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(d->db, "SELECT " GW_CALLBACK_COLUMNS
	    " FROM callbacks WHERE id > ?1 ORDER BY id LIMIT ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return gw_store_fail(d, "load callbacks after");
	sqlite3_bind_int64(st, 1, c->after_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)c->limit);
	c->all = xreallocarray(NULL, c->limit > 0 ? c->limit : 1,
	    sizeof(*c->all));
	while (c->n < c->limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		gw_callback_read(st, &c->all[c->n++]);
	if (c->n == c->limit)
		rc = SQLITE_DONE;
	if (rc != SQLITE_DONE)
		gw_store_fail(d, "load callbacks after");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
gw_store_load_callbacks_after(struct gw_store *s, int64_t after_id,
    size_t limit, void (*cb)(struct gw_callback_row *, void *), void *arg)
{
	struct gw_cb_page_call c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.after_id = after_id;
	c.limit = limit;
	if (limit > INT32_MAX)
		c.limit = INT32_MAX;
	if (limit == 0)
		return 0;
	rc = gw_store_call(s, gw_store_db_load_callbacks_after, &c);
	return gw_cb_hand_out(rc, c.all, c.n, cb, arg);
}
