/*
 * The objects table: what other modules keep running (Messaging
 * Services, their senders, sticky mappings, alerts) as one JSON body
 * per (kind, key). The store never reads a body; it knows a row's
 * account, parent and creation time, enough to load a kind at start,
 * drop a parent's rows and list an account's rows a page at a time.
 *
 * Writes join the open batch like a message's; reads hand the worker a
 * call and wait for it (store.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/xmalloc.h"
#include "gateway/store-internal.h"

#define GW_OBJECT_PAGE_MAX	1000

/* Copies the row's names into op->obj; -1 (logged) when one is too
 * long for the row. */
static int
gw_object_names(struct gw_store *s, struct gw_store_op *op, const char *kind,
    const char *key, const char *account_sid, const char *parent)
{
	struct gw_object_row *o = &op->obj;

	if (strlcpy(o->kind, kind, sizeof(o->kind)) >= sizeof(o->kind) ||
	    strlcpy(o->key, key != NULL ? key : "", sizeof(o->key)) >=
	    sizeof(o->key) ||
	    strlcpy(o->account_sid, account_sid != NULL ? account_sid : "",
	    sizeof(o->account_sid)) >= sizeof(o->account_sid) ||
	    strlcpy(o->parent, parent != NULL ? parent : "",
	    sizeof(o->parent)) >= sizeof(o->parent)) {
		free(op);
		return gw_store_loop_failx(s, "object", "kind, key, account "
		    "or parent too long");
	}
	return 0;
}

int
gw_store_put_object(struct gw_store *s, const char *kind, const char *key,
    const char *account_sid, const char *parent, int64_t created,
    const char *body)
{
	struct gw_store_op *op = gw_store_op_alloc(s, GW_OP_OBJ_PUT);

	if (gw_object_names(s, op, kind, key, account_sid, parent) == -1)
		return -1;
	op->obj.created = created;
	op->obj.body = xstrdup(body != NULL ? body : "{}");
	gw_store_op_add(s, op);
	return 0;
}

int
gw_store_delete_object(struct gw_store *s, const char *kind, const char *key)
{
	struct gw_store_op *op = gw_store_op_alloc(s, GW_OP_OBJ_DELETE);

	if (gw_object_names(s, op, kind, key, NULL, NULL) == -1)
		return -1;
	gw_store_op_add(s, op);
	return 0;
}

int
gw_store_delete_objects(struct gw_store *s, const char *kind,
    const char *parent)
{
	struct gw_store_op *op = gw_store_op_alloc(s, GW_OP_OBJ_DELETE_PARENT);

	if (gw_object_names(s, op, kind, NULL, NULL, parent) == -1)
		return -1;
	gw_store_op_add(s, op);
	return 0;
}

/* ---- the worker's side ---- */

int
gw_store_db_put_object(struct gw_store_db *d, const struct gw_object_row *o)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_OBJ_PUT);

	sqlite3_bind_text(st, 1, o->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->account_sid, -1, SQLITE_STATIC);
	gw_store_bind_text(st, 4, o->parent, 1);
	sqlite3_bind_int64(st, 5, o->created);
	sqlite3_bind_text(st, 6, o->body, -1, SQLITE_STATIC);
	return gw_store_step_done(d, st, "put object");
}

int
gw_store_db_delete_object(struct gw_store_db *d,
    const struct gw_object_row *o)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_OBJ_DELETE);

	sqlite3_bind_text(st, 1, o->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->key, -1, SQLITE_STATIC);
	return gw_store_step_done(d, st, "delete object");
}

int
gw_store_db_delete_objects(struct gw_store_db *d,
    const struct gw_object_row *o)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_OBJ_DELETE_PARENT);

	sqlite3_bind_text(st, 1, o->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->parent, -1, SQLITE_STATIC);
	return gw_store_step_done(d, st, "delete objects");
}

/* The row st is on (GW_OBJECT_COLUMNS), body a heap copy. */
static void
gw_object_read(sqlite3_stmt *st, struct gw_object_row *o)
{
	gw_store_column_copy(st, 0, o->kind, sizeof(o->kind));
	gw_store_column_copy(st, 1, o->key, sizeof(o->key));
	gw_store_column_copy(st, 2, o->account_sid, sizeof(o->account_sid));
	gw_store_column_copy(st, 3, o->parent, sizeof(o->parent));
	o->created = sqlite3_column_int64(st, 4);
	o->body = gw_store_column_strdup(st, 5);
	if (o->body == NULL)
		o->body = xstrdup("{}");
}

/* Rows read by the worker, handed to the loop's callback after. */
struct gw_object_rows {
	struct gw_object_row *rows;
	size_t		 n;
	size_t		 cap;
};

static void
gw_object_rows_add(struct gw_object_rows *r, sqlite3_stmt *st)
{
	if (r->n == r->cap) {
		r->cap = r->cap > 0 ? r->cap * 2 : 64;
		r->rows = xreallocarray(r->rows, r->cap, sizeof(*r->rows));
	}
	gw_object_read(st, &r->rows[r->n++]);
}

/* Runs cb over the rows (from first to last, or backwards), then frees
 * them. */
static void
gw_object_rows_deliver(struct gw_object_rows *r, int backwards,
    void (*cb)(const struct gw_object_row *, void *), void *arg)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (cb != NULL)
			cb(&r->rows[backwards ? r->n - 1 - i : i], arg);
	}
	for (i = 0; i < r->n; i++)
		free(r->rows[i].body);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

struct gw_object_load_call {
	const char	*kind;
	struct gw_object_rows rows;
};

static int
gw_store_db_load_objects(struct gw_store_db *d, void *arg)
{
	struct gw_object_load_call *c = arg;
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_OBJ_LOAD);
	int rc;

	sqlite3_bind_text(st, 1, c->kind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		gw_object_rows_add(&c->rows, st);
	if (rc != SQLITE_DONE)
		gw_store_fail(d, "load objects");
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every row is read before the first callback: the callback may
 * write. */
int
gw_store_load_objects(struct gw_store *s, const char *kind,
    void (*cb)(const struct gw_object_row *, void *), void *arg)
{
	struct gw_object_load_call c;
	int rc, n;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	rc = gw_store_call(s, gw_store_db_load_objects, &c);
	n = (int)c.rows.n;
	gw_object_rows_deliver(&c.rows, 0, rc == 0 ? cb : NULL, arg);
	return rc == 0 ? n : -1;
}

/* The SQL of a list page: the clauses of the filters given only. */
static void
gw_object_list_sql(const struct gw_object_query *q, char *out, size_t size)
{
	int backward = q->before_key[0] != '\0';

	snprintf(out, size, "SELECT " GW_OBJECT_COLUMNS " FROM objects"
	    " WHERE kind = ?1 AND account_sid = ?2%s%s%s%s ORDER BY"
	    " created %s, key %s LIMIT ?9",
	    q->created_after != 0 ? " AND created >= ?3" : "",
	    q->created_before != 0 ? " AND created < ?4" : "",
	    q->body_path != NULL ? " AND json_extract(body, ?5) = ?6" : "",
	    backward ? " AND (created, key) > (?7, ?8)" :
	    q->after_key[0] != '\0' ? " AND (created, key) < (?7, ?8)" : "",
	    backward ? "ASC" : "DESC", backward ? "ASC" : "DESC");
}

static void
gw_object_list_bind(sqlite3_stmt *st, const struct gw_object_query *q)
{
	int backward = q->before_key[0] != '\0';
	const char *key = backward ? q->before_key : q->after_key;

	sqlite3_bind_text(st, 1, q->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->account_sid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, q->created_after);
	sqlite3_bind_int64(st, 4, q->created_before);
	if (q->body_path != NULL) {
		sqlite3_bind_text(st, 5, q->body_path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, q->body_value != NULL ?
		    q->body_value : "", -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 7, backward ? q->before_created :
	    q->after_created);
	/* The key comes from a PageToken: bounded, maybe unended. */
	sqlite3_bind_text(st, 8, key, (int)strnlen(key, GW_OBJECT_KEY_MAX),
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t)q->page_size + 1);
}

struct gw_object_list_call {
	const struct gw_object_query *q;
	struct gw_object_rows rows;
	int		*more;
};

static int
gw_store_db_list_objects(struct gw_store_db *d, void *arg)
{
	struct gw_object_list_call *c = arg;
	char sql[GW_STORE_SQL_MAX];
	sqlite3_stmt *st;
	int rc;

	gw_object_list_sql(c->q, sql, sizeof(sql));
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return gw_store_fail(d, "list objects");
	gw_object_list_bind(st, c->q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->rows.n == c->q->page_size) {
			*c->more = 1;
			break;
		}
		gw_object_rows_add(&c->rows, st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		gw_store_fail(d, "list objects");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
gw_store_list_objects(struct gw_store *s, const struct gw_object_query *q,
    void (*cb)(const struct gw_object_row *, void *), void *arg, int *more)
{
	struct gw_object_list_call c;
	int rc, n;

	*more = 0;
	if (q->page_size < 1 || q->page_size > GW_OBJECT_PAGE_MAX)
		return gw_store_loop_failx(s, "list objects", "page size "
		    "not in 1..1000");
	if (q->kind == NULL || q->account_sid == NULL)
		return gw_store_loop_failx(s, "list objects", "no kind or "
		    "account");
	memset(&c, 0, sizeof(c));
	c.q = q;
	c.more = more;
	rc = gw_store_call(s, gw_store_db_list_objects, &c);
	n = (int)c.rows.n;
	if (rc == -1)
		*more = 0;
	/* A backward page is read nearest first: delivered in list order. */
	gw_object_rows_deliver(&c.rows, q->before_key[0] != '\0',
	    rc == 0 ? cb : NULL, arg);
	return rc == 0 ? n : -1;
}

struct gw_object_get_call {
	const char	*kind;
	const char	*key;
	struct gw_object_row *row;
	int		 found;
};

static int
gw_store_db_get_object(struct gw_store_db *d, void *arg)
{
	struct gw_object_get_call *c = arg;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(d->db, "SELECT " GW_OBJECT_COLUMNS " FROM "
	    "objects WHERE kind = ?1 AND key = ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return gw_store_fail(d, "get object");
	sqlite3_bind_text(st, 1, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gw_object_read(st, c->row);
		c->found = 1;
	} else if (rc != SQLITE_DONE)
		gw_store_fail(d, "get object");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
gw_store_get_object(struct gw_store *s, const char *kind, const char *key,
    struct gw_object_row *row)
{
	struct gw_object_get_call c = { kind, key, row, 0 };

	memset(row, 0, sizeof(*row));
	if (gw_store_call(s, gw_store_db_get_object, &c) == -1)
		return -1;
	return c.found;
}
