/*
 * The callback outbox: status callbacks and inbound webhooks waiting to
 * be sent or retried. A row lives from the event that made it until the
 * attempt that succeeded or the last one; ids are sqlite's rowids, so
 * oldest first is id order.
 */
#include "config.h"

#include <stdlib.h>

#include <sqlite3.h>

#include "common/xmalloc.h"
#include "gateway/store-internal.h"

int
gw_store_add_callback(struct gw_store *s, struct gw_callback_row *row)
{
	sqlite3_stmt *st;

	if (gw_store_begin(s) == -1)
		return -1;
	st = gw_store_stmt(s, GW_STMT_CB_ADD);
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
	if (gw_store_step_done(s, st, "add callback") == -1)
		return -1;
	row->id = sqlite3_last_insert_rowid(s->db);
	s->pending++;
	return 0;
}

int
gw_store_update_callback(struct gw_store *s, int64_t id, unsigned attempts,
    int64_t next_at)
{
	sqlite3_stmt *st;

	if (gw_store_begin(s) == -1)
		return -1;
	st = gw_store_stmt(s, GW_STMT_CB_UPDATE);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, attempts);
	sqlite3_bind_int64(st, 3, next_at);
	if (gw_store_step_done(s, st, "update callback") == -1)
		return -1;
	s->pending++;
	return 0;
}

int
gw_store_delete_callback(struct gw_store *s, int64_t id)
{
	sqlite3_stmt *st;

	if (gw_store_begin(s) == -1)
		return -1;
	st = gw_store_stmt(s, GW_STMT_CB_DELETE);
	sqlite3_bind_int64(st, 1, id);
	if (gw_store_step_done(s, st, "delete callback") == -1)
		return -1;
	s->pending++;
	return 0;
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

/*
 * Rows are read before the first callback, which may update or delete
 * them (a statement left stepping would see its own writes).
 */
int
gw_store_load_callbacks(struct gw_store *s,
    void (*cb)(struct gw_callback_row *, void *), void *arg)
{
	sqlite3_stmt *st = gw_store_stmt(s, GW_STMT_CB_LOAD);
	struct gw_callback_row *all = NULL;
	size_t i, n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			all = xreallocarray(all, cap, sizeof(*all));
		}
		gw_callback_read(st, &all[n++]);
	}
	if (rc != SQLITE_DONE)
		gw_store_fail(s, "load callbacks");
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		for (i = 0; i < n; i++)
			gw_callback_row_clear(&all[i]);
		free(all);
		return -1;
	}
	for (i = 0; i < n; i++)
		cb(&all[i], arg);
	free(all);
	return (int)n;
}
