/*
 * Reads of many messages: the API's list pages (keyset paging on
 * (date_created, sid), newest first) and the recovery of every message
 * that was not terminal when the process stopped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/store-internal.h"

#define GW_LIST_PAGE_MAX	1000

/* The kept statement of a slot, prepared on its first use. */
static sqlite3_stmt *
gw_list_stmt(struct gw_store_db *s, unsigned slot)
{
	char sql[GW_STORE_SQL_MAX];
	sqlite3_stmt *st = s->list_stmt[slot];

	if (st == NULL) {
		gw_store_list_sql(slot, sql, sizeof(sql));
		if (sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
			gw_store_fail(s, "prepare list");
			return NULL;
		}
		s->list_stmt[slot] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static unsigned
gw_list_slot(const struct gw_list_query *q)
{
	unsigned slot = 0;

	if (q->account_sid != NULL)
		slot |= GW_LIST_ACCOUNT;
	if (q->to != NULL)
		slot |= GW_LIST_TO;
	if (q->from != NULL)
		slot |= GW_LIST_FROM;
	if (q->sent_after != 0)
		slot |= GW_LIST_SENT_AFTER;
	if (q->sent_before != 0)
		slot |= GW_LIST_SENT_BEFORE;
	if (q->before_sid[0] != '\0')
		slot |= GW_LIST_BEFORE_KEY;
	else if (q->after_sid[0] != '\0')
		slot |= GW_LIST_AFTER_KEY;
	return slot;
}

static void
gw_list_bind(sqlite3_stmt *st, const struct gw_list_query *q,
    unsigned slot)
{
	const char *key;
	int64_t created;

	if (slot & GW_LIST_ACCOUNT)
		sqlite3_bind_text(st, 1, q->account_sid, -1, SQLITE_STATIC);
	if (slot & GW_LIST_TO)
		sqlite3_bind_text(st, 2, q->to, -1, SQLITE_STATIC);
	if (slot & GW_LIST_FROM)
		sqlite3_bind_text(st, 3, q->from, -1, SQLITE_STATIC);
	if (slot & GW_LIST_SENT_AFTER)
		sqlite3_bind_int64(st, 4, q->sent_after);
	if (slot & GW_LIST_SENT_BEFORE)
		sqlite3_bind_int64(st, 5, q->sent_before);
	if (slot & (GW_LIST_AFTER_KEY | GW_LIST_BEFORE_KEY)) {
		key = slot & GW_LIST_BEFORE_KEY ? q->before_sid : q->after_sid;
		created = slot & GW_LIST_BEFORE_KEY ? q->before_created :
		    q->after_created;
		sqlite3_bind_int64(st, 6, created);
		/* The key comes from a PageToken: bounded, maybe unended. */
		sqlite3_bind_text(st, 7, key, (int)strnlen(key,
		    sizeof(q->after_sid)), SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 8, (int64_t)q->page_size + 1);
}

static void
gw_list_reverse(struct gw_message **out, size_t n)
{
	struct gw_message *m;
	size_t i;

	for (i = 0; i < n / 2; i++) {
		m = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = m;
	}
}

struct gw_list_call {
	const struct gw_list_query *q;
	struct gw_message **out;
	size_t		*n;
	int		*more;
};

/*
 * Reads page_size + 1 rows: the extra one only says whether more
 * follow. A backward page is read nearest-first (ascending) and turned
 * into list order; its *more says whether rows precede its first.
 */
static int
gw_store_db_list_messages(struct gw_store_db *d, void *arg)
{
	struct gw_list_call *c = arg;
	const struct gw_list_query *q = c->q;
	unsigned slot = gw_list_slot(q);
	size_t *n = c->n;
	sqlite3_stmt *st;
	int rc;

	if ((st = gw_list_stmt(d, slot)) == NULL)
		return -1;
	gw_list_bind(st, q, slot);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == q->page_size) {
			*c->more = 1;
			break;
		}
		if ((c->out[*n] = gw_store_read_message(d, st)) == NULL)
			break;
		(*n)++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		gw_store_fail(d, "list messages");
	sqlite3_reset(st);
	if ((rc != SQLITE_ROW && rc != SQLITE_DONE) ||
	    (rc == SQLITE_ROW && !*c->more)) {
		while (*n > 0)
			gw_message_free(c->out[--(*n)]);
		*c->more = 0;
		return -1;
	}
	if (slot & GW_LIST_BEFORE_KEY)
		gw_list_reverse(c->out, *n);
	return 0;
}

int
gw_store_list_messages(struct gw_store *s, const struct gw_list_query *q,
    struct gw_message **out, size_t *n, int *more)
{
	struct gw_list_call c = { q, out, n, more };

	*n = 0;
	*more = 0;
	if (q->page_size < 1 || q->page_size > GW_LIST_PAGE_MAX)
		return gw_store_loop_failx(s, "list messages", "page size "
		    "not in 1..1000");
	return gw_store_call(s, gw_store_db_list_messages, &c);
}

struct gw_active_call {
	struct gw_message **all;
	size_t		 n;
	size_t		 corrupt;	/* rows left out */
	char		 error[GW_STORE_ERROR_MAX];	/* the last's */
};

static int
gw_store_db_load_active(struct gw_store_db *d, void *arg)
{
	struct gw_active_call *c = arg;
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_MSG_ACTIVE);
	struct gw_message *m;
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* A corrupt row must not keep the rest down. */
		if ((m = gw_store_read_message(d, st)) == NULL) {
			c->corrupt++;
			memcpy(c->error, d->error, sizeof(c->error));
			continue;
		}
		if (c->n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			c->all = xreallocarray(c->all, cap, sizeof(*c->all));
		}
		c->all[c->n++] = m;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		gw_store_fail(d, "load active");
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Every row is read (by the worker) before the first callback: the
 * callback may write (recovery moves messages on).
 */
int
gw_store_load_active(struct gw_store *s,
    void (*cb)(struct gw_message *, void *), void *arg)
{
	struct gw_active_call c;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = gw_store_call(s, gw_store_db_load_active, &c);
	if (rc == 0 && c.corrupt > 0)
		gw_store_loop_failx(s, "load active", c.error);
	if (rc == -1) {
		for (i = 0; i < c.n; i++)
			gw_message_free(c.all[i]);
		free(c.all);
		return -1;
	}
	for (i = 0; i < c.n; i++)
		cb(c.all[i], arg);
	free(c.all);
	return (int)c.n;
}
