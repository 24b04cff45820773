/*
 * The write calls: each copies what it writes into an op at the end of
 * the open batch and returns; the worker runs the batch's ops in order,
 * in one transaction.
 *
 * Folding: a message's status moves several times while a batch is open
 * (queued, sending, sent, delivered), and each move rewrites the same
 * columns. The batch keeps its latest PUT or UPDATE of each sid, and a
 * later UPDATE of that sid is folded into it (a PUT then UPDATEs is one
 * PUT of the last state; UPDATEs are the last UPDATE), and a later PUT
 * replaces it. Running the fold where the first op stood is the same as
 * running each op where it stood: between them nothing else writes that
 * row (a DELETE ends the op's reign over its sid, so a later write makes
 * a new op after the DELETE). Events and the outbox are rows of their
 * own and are never folded.
 *
 * Carrying over: when a batch goes for someone who waits (a create's
 * 201), the status moves in it that nobody needs yet (an UPDATE and the
 * events written with it) may stay behind in the next batch, where the
 * message's next moves fold into them (store.c's top says when). What
 * must go with the batch pins them: a PUT of the sid (the UPDATE becomes
 * one), a DELETE of it, a status callback's row about it (the callback
 * must not report a status the store could still lose). A message's
 * ops never split between two batches in the wrong order: the carried
 * ones are all its ops in the batch after the first carried one, since
 * an event belongs to the UPDATE of its sid that was open when it was
 * written, and anything else about the sid pins that UPDATE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/tree.h"
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/store-internal.h"

static int
gw_store_op_cmp(struct gw_store_op *a, struct gw_store_op *b)
{
	return strcmp(a->m->sid, b->m->sid);
}

TREE_GENERATE_STATIC(gw_store_op_tree, gw_store_op, by_sid,
    gw_store_op_cmp);

/* Frees the message op holds: a PUT's copy, or an UPDATE's parts. */
static void
gw_store_op_drop_message(struct gw_store_op *op)
{
	if (op->m == &op->update) {
		free(op->update.parts);
		op->update.parts = NULL;
		op->update.nparts = 0;
	} else
		gw_message_free(op->m);
	op->m = NULL;
}

/* Frees what op owns and keeps op as a spare (or frees it). */
static void
gw_store_op_free(struct gw_store *s, struct gw_store_op *op)
{
	gw_store_op_drop_message(op);
	gw_callback_row_clear(&op->cb);
	free(op->detail);
	free(op->obj.body);
	if (s->nspare >= GW_STORE_SPARE_OPS) {
		free(op);
		return;
	}
	TAILQ_INSERT_HEAD(&s->spare, op, entry);
	s->nspare++;
}

void
gw_store_batch_free(struct gw_store *s, struct gw_store_job *job)
{
	struct gw_store_op *op;

	while ((op = TAILQ_FIRST(&job->ops)) != NULL) {
		TAILQ_REMOVE(&job->ops, op, entry);
		gw_store_op_free(s, op);
	}
	RB_INIT(&job->by_sid);
	job->nops = 0;
}

void
gw_store_spare_free(struct gw_store *s)
{
	struct gw_store_op *op;

	while ((op = TAILQ_FIRST(&s->spare)) != NULL) {
		TAILQ_REMOVE(&s->spare, op, entry);
		free(op);
	}
	s->nspare = 0;
}

struct gw_store_op *
gw_store_op_alloc(struct gw_store *s, enum gw_store_op_kind kind)
{
	struct gw_store_op *op;

	if ((op = TAILQ_FIRST(&s->spare)) != NULL) {
		TAILQ_REMOVE(&s->spare, op, entry);
		s->nspare--;
		memset(op, 0, sizeof(*op));
	} else
		op = xcalloc(1, sizeof(*op));
	op->kind = kind;
	return op;
}

/* Appends a filled op to the open batch (which may then go at once:
 * nothing touches op after). */
void
gw_store_op_add(struct gw_store *s, struct gw_store_op *op)
{
	struct gw_store_job *job = gw_store_batch(s);

	TAILQ_INSERT_TAIL(&job->ops, op, entry);
	job->nops++;
	if (op->kind == GW_OP_PUT || op->kind == GW_OP_UPDATE) {
		RB_INSERT(gw_store_op_tree, &job->by_sid, op);
		op->indexed = 1;
	}
	gw_store_wrote(s);
}

/* The open batch's latest PUT or UPDATE of sid; NULL none. */
static struct gw_store_op *
gw_store_op_find(struct gw_store *s, const char *sid)
{
	struct gw_store_op key;
	struct gw_message m;

	if (s->cur == NULL)
		return NULL;
	gw_sid_copy(m.sid, sid);
	key.m = &m;
	return RB_FIND(gw_store_op_tree, &s->cur->by_sid, &key);
}

int
gw_store_put_message(struct gw_store *s, const struct gw_message *m)
{
	struct gw_store_op *op = gw_store_op_find(s, m->sid);

	if (op != NULL) {
		gw_store_op_drop_message(op);
		op->m = gw_store_message_dup(m);
		op->kind = GW_OP_PUT;
		gw_store_wrote(s);
		return 0;
	}
	op = gw_store_op_alloc(s, GW_OP_PUT);
	op->m = gw_store_message_dup(m);
	gw_store_op_add(s, op);
	return 0;
}

int
gw_store_update_message(struct gw_store *s, const struct gw_message *m)
{
	struct gw_store_op *op = gw_store_op_find(s, m->sid);

	if (op != NULL) {
		gw_store_message_moved(op->m, m);
		gw_store_wrote(s);
		return 0;
	}
	op = gw_store_op_alloc(s, GW_OP_UPDATE);
	op->m = &op->update;
	gw_sid_copy(op->m->sid, m->sid);
	gw_store_message_moved(op->m, m);
	gw_store_op_add(s, op);
	return 0;
}

int
gw_store_delete_message(struct gw_store *s, const char *account_sid,
    const char *sid)
{
	struct gw_store_op *op = gw_store_op_find(s, sid);

	if (op != NULL) {
		op->pinned = 1;
		RB_REMOVE(gw_store_op_tree, &s->cur->by_sid, op);
		op->indexed = 0;
	}
	op = gw_store_op_alloc(s, GW_OP_DELETE);
	strlcpy(op->sid, sid, sizeof(op->sid));
	if (account_sid != NULL)
		strlcpy(op->account_sid, account_sid,
		    sizeof(op->account_sid));
	gw_store_op_add(s, op);
	return 0;
}

int
gw_store_add_event(struct gw_store *s, const char *sid, const char *status,
    int error_code, int64_t at, const char *detail)
{
	struct gw_store_op *op;

	if (strlen(status) >= sizeof(((struct gw_store_op *)0)->status))
		return gw_store_loop_failx(s, "add event", "status too long");
	op = gw_store_op_alloc(s, GW_OP_EVENT);
	gw_sid_copy(op->sid, sid);
	memcpy(op->status, status, strlen(status) + 1);	/* fits: above */
	op->error_code = error_code;
	op->at = at;
	op->detail = detail != NULL ? xstrdup(detail) : NULL;
	op->owner = gw_store_op_find(s, sid);
	gw_store_op_add(s, op);
	return 0;
}

/* Ids are the loop's, so the caller has one at once. */
int
gw_store_add_callback(struct gw_store *s, struct gw_callback_row *row)
{
	struct gw_store_op *op;

	if (row->message_sid[0] != '\0' &&
	    (op = gw_store_op_find(s, row->message_sid)) != NULL)
		op->pinned = 1;
	op = gw_store_op_alloc(s, GW_OP_CB_ADD);
	row->id = s->next_callback_id++;
	op->cb = *row;
	op->cb.url = xstrdup(row->url != NULL ? row->url : "");
	op->cb.params = xstrdup(row->params != NULL ? row->params : "");
	gw_store_op_add(s, op);
	return 0;
}

int
gw_store_update_callback(struct gw_store *s, int64_t id, unsigned attempts,
    int64_t next_at)
{
	struct gw_store_op *op = gw_store_op_alloc(s, GW_OP_CB_UPDATE);

	op->cb.id = id;
	op->cb.attempts = attempts;
	op->cb.next_at = next_at;
	gw_store_op_add(s, op);
	return 0;
}

int
gw_store_delete_callback(struct gw_store *s, int64_t id)
{
	struct gw_store_op *op = gw_store_op_alloc(s, GW_OP_CB_DELETE);

	op->cb.id = id;
	gw_store_op_add(s, op);
	return 0;
}

/* Stays behind when its batch goes (see the top)? */
static int
gw_store_op_carried(const struct gw_store_op *op, int64_t now, int64_t span)
{
	if (op->kind == GW_OP_EVENT)
		op = op->owner;
	return op != NULL && op->kind == GW_OP_UPDATE && !op->pinned &&
	    (op->carried_at == 0 || now - op->carried_at < span);
}

/*
 * An event's owner comes before it in the batch, so the owner is judged
 * first, and the same way. What goes leaves the batch rather than what
 * stays: the carried ops are most of it under load, and stay put in its
 * list and tree, where the next moves find them.
 */
struct gw_store_job *
gw_store_batch_carry(struct gw_store_job *job, int64_t now, int64_t span)
{
	struct gw_store_job *out;
	struct gw_store_op *op, *tmp;
	size_t carried = 0;

	TAILQ_FOREACH(op, &job->ops, entry)
		if (gw_store_op_carried(op, now, span))
			break;
	if (op == NULL)
		return NULL;
	out = gw_store_job_new();
	TAILQ_FOREACH_SAFE(op, &job->ops, entry, tmp) {
		if (gw_store_op_carried(op, now, span)) {
			if (op->kind == GW_OP_UPDATE && op->carried_at == 0)
				op->carried_at = now;
			carried++;
			continue;
		}
		TAILQ_REMOVE(&job->ops, op, entry);
		TAILQ_INSERT_TAIL(&out->ops, op, entry);
		if (op->indexed) {
			RB_REMOVE(gw_store_op_tree, &job->by_sid, op);
			op->indexed = 0;
		}
	}
	out->nops = job->nops - carried;
	job->nops = carried;
	/* Write calls: one a carried op, near enough. */
	out->writes = job->writes > carried ? job->writes - carried : 0;
	job->writes = carried;
	out->durable = job->durable;
	out->ndurable = job->ndurable;
	out->durable_cap = job->durable_cap;
	out->urgent = job->urgent;
	job->durable = NULL;
	job->ndurable = job->durable_cap = 0;
	job->urgent = 0;
	return out;
}

/* ---- the worker's side ---- */

static int
gw_store_db_op(struct gw_store_db *d, const struct gw_store_op *op)
{
	switch (op->kind) {
	case GW_OP_PUT:
		return gw_store_db_put_message(d, op->m);
	case GW_OP_UPDATE:
		return gw_store_db_update_message(d, op->m);
	case GW_OP_DELETE:
		return gw_store_db_delete_message(d, op->account_sid[0] !=
		    '\0' ? op->account_sid : NULL, op->sid);
	case GW_OP_EVENT:
		break;		/* gathered by gw_store_db_batch */
	case GW_OP_CB_ADD:
		return gw_store_db_add_callback(d, &op->cb);
	case GW_OP_CB_UPDATE:
		return gw_store_db_update_callback(d, op->cb.id,
		    op->cb.attempts, op->cb.next_at);
	case GW_OP_CB_DELETE:
		return gw_store_db_delete_callback(d, op->cb.id);
	case GW_OP_OBJ_PUT:
		return gw_store_db_put_object(d, &op->obj);
	case GW_OP_OBJ_DELETE:
		return gw_store_db_delete_object(d, &op->obj);
	case GW_OP_OBJ_DELETE_PARENT:
		return gw_store_db_delete_objects(d, &op->obj);
	}
	return gw_store_failx(d, "batch", "unknown op");
}

/* Did sqlite end the transaction by itself (see below)? */
static int
gw_store_db_aborted(struct gw_store_db *d)
{
	if (!sqlite3_get_autocommit(d->db))
		return 0;
	gw_store_failx(d, "batch", "sqlite rolled the transaction back");
	return 1;
}

/* Inserts the events gathered so far, if any; 0, or -1. */
static int
gw_store_db_flush_events(struct gw_store_db *d,
    const struct gw_store_op **events, size_t *n)
{
	size_t count = *n;

	*n = 0;
	if (count == 0)
		return 0;
	return gw_store_db_add_events(d, events, count) == -1 ||
	    gw_store_db_aborted(d) ? -1 : 0;
}

/*
 * All or nothing: the first op that fails rolls the whole batch back,
 * so its durability callbacks all hear ok 0. Some errors (disk full,
 * I/O) make sqlite roll the transaction back by itself; the ops after
 * would then run outside it, so the batch stops there and fails too.
 *
 * Status events are gathered and inserted GW_EVENT_ROWS_MAX to a
 * statement, in their order. Nothing in a batch reads them but the
 * deletion of a message, which removes its events: those gathered go
 * in before one.
 */
int
gw_store_db_batch(struct gw_store_db *d, struct gw_store_job *job)
{
	const struct gw_store_op *events[GW_EVENT_ROWS_MAX];
	struct gw_store_op *op;
	size_t nevents = 0;
	int rc = 0;

	if (job->nops == 0)
		return 0;
	if (gw_store_step_done(d, gw_store_stmt(d, GW_STMT_BEGIN),
	    "begin") == -1)
		return -1;
	TAILQ_FOREACH(op, &job->ops, entry) {
		if (op->kind == GW_OP_EVENT) {
			events[nevents++] = op;
			if (nevents < GW_EVENT_ROWS_MAX)
				continue;
			rc = gw_store_db_flush_events(d, events, &nevents);
		} else {
			if (op->kind == GW_OP_DELETE)
				rc = gw_store_db_flush_events(d, events,
				    &nevents);
			if (rc == 0 && (gw_store_db_op(d, op) == -1 ||
			    gw_store_db_aborted(d)))
				rc = -1;
		}
		if (rc == -1)
			break;
	}
	if (rc == 0)
		rc = gw_store_db_flush_events(d, events, &nevents);
	if (rc == 0 && gw_store_step_done(d, gw_store_stmt(d,
	    GW_STMT_COMMIT), "commit") == 0)
		return 0;
	if (!sqlite3_get_autocommit(d->db))
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
