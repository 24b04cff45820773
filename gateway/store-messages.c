/*
 * Messages and their status events in the store: one row per message
 * (media and parts as JSON text), written with an upsert so a status
 * change touches only the indexes whose columns changed.
 *
 * The columns are GW_MESSAGE_COLUMNS: the INSERT, the SELECTs and the
 * list statements are built from that one table, and binding and reading
 * name the columns by their MCOL_ index.
 *
 * gw_store_db_* run on the worker; the reads hand the worker a call and
 * wait for its answer (store.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/store-internal.h"

/* More parts than any concatenated SMS can have: a corrupt row. */
#define GW_STORE_MAX_PARTS	255

static const char *const gw_message_column_names[] = {
#define GW_MCOL_NAME(name, sql) sql,
	GW_MESSAGE_COLUMNS(GW_MCOL_NAME)
#undef GW_MCOL_NAME
};

/* Appends printf-style to out (size), keeping it NUL-ended. */
static void __attribute__((format(printf, 4, 5)))
gw_sql_add(char *out, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

/* "SELECT a, b, ... FROM messages" */
static void
gw_sql_select(char *out, size_t size, size_t *len)
{
	size_t i;

	gw_sql_add(out, size, len, "SELECT ");
	for (i = 0; i < MCOL_COUNT; i++)
		gw_sql_add(out, size, len, "%s%s", i > 0 ? ", " : "",
		    gw_message_column_names[i]);
	gw_sql_add(out, size, len, " FROM messages");
}

/* INSERT ... ON CONFLICT (sid) DO UPDATE SET every other column. */
static void
gw_sql_upsert(char *out, size_t size, size_t *len)
{
	size_t i;

	gw_sql_add(out, size, len, "INSERT INTO messages (");
	for (i = 0; i < MCOL_COUNT; i++)
		gw_sql_add(out, size, len, "%s%s", i > 0 ? ", " : "",
		    gw_message_column_names[i]);
	gw_sql_add(out, size, len, ") VALUES (");
	for (i = 0; i < MCOL_COUNT; i++)
		gw_sql_add(out, size, len, "%s?%zu", i > 0 ? ", " : "", i + 1);
	gw_sql_add(out, size, len, ") ON CONFLICT (sid) DO UPDATE SET ");
	for (i = 1; i < MCOL_COUNT; i++)
		gw_sql_add(out, size, len, "%s%s = excluded.%s",
		    i > 1 ? ", " : "", gw_message_column_names[i],
		    gw_message_column_names[i]);
}

void
gw_store_message_sql(enum gw_store_stmt which, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	switch (which) {
	case GW_STMT_MSG_PUT:
		gw_sql_upsert(out, size, &len);
		break;
	case GW_STMT_MSG_GET:
		gw_sql_select(out, size, &len);
		gw_sql_add(out, size, &len, " WHERE sid = ?1"
		    " AND (?2 IS NULL OR account_sid = ?2)");
		break;
	case GW_STMT_MSG_ACTIVE:
		gw_sql_select(out, size, &len);
		gw_sql_add(out, size, &len, " WHERE " GW_SQL_ACTIVE
		    " ORDER BY date_created, sid");
		break;
	default:
		break;
	}
}

/*
 * A list statement: the filters present in slot, then the key of the
 * page. Parameters keep fixed numbers whichever are present.
 */
void
gw_store_list_sql(unsigned slot, char *out, size_t size)
{
	size_t len = 0;
	int backward = (slot & GW_LIST_BEFORE_KEY) != 0;

	out[0] = '\0';
	gw_sql_select(out, size, &len);
	gw_sql_add(out, size, &len, " WHERE 1");
	if (slot & GW_LIST_ACCOUNT)
		gw_sql_add(out, size, &len, " AND account_sid = ?1");
	if (slot & GW_LIST_TO)
		gw_sql_add(out, size, &len, " AND \"to\" = ?2");
	if (slot & GW_LIST_FROM)
		gw_sql_add(out, size, &len, " AND \"from\" = ?3");
	if (slot & GW_LIST_SENT_AFTER)
		gw_sql_add(out, size, &len, " AND date_sent >= ?4");
	if (slot & GW_LIST_SENT_BEFORE)
		gw_sql_add(out, size, &len, " AND date_sent < ?5");
	if (slot & GW_LIST_AFTER_KEY)
		gw_sql_add(out, size, &len,
		    " AND (date_created, sid) < (?6, ?7)");
	if (backward)
		gw_sql_add(out, size, &len,
		    " AND (date_created, sid) > (?6, ?7)");
	gw_sql_add(out, size, &len, " ORDER BY date_created %s, sid %s"
	    " LIMIT ?8", backward ? "ASC" : "DESC", backward ? "ASC" : "DESC");
}

/* The media URLs as a JSON array, in j. */
static const char *
gw_media_json(struct gw_json *j, const struct gw_message *m)
{
	size_t i;

	gw_json_reset(j);
	gw_json_raw(j, "[");
	for (i = 0; i < m->num_media; i++) {
		if (i > 0)
			gw_json_raw(j, ",");
		gw_json_string(j, m->media[i] != NULL ? m->media[i] : "",
		    SIZE_MAX);
	}
	gw_json_raw(j, "]");
	return j->buf;
}

/* The parts as a JSON array of objects with every gw_part field. */
static const char *
gw_parts_json(struct gw_json *j, const struct gw_message *m)
{
	const struct gw_part *p;
	size_t i;

	gw_json_reset(j);
	gw_json_raw(j, "[");
	for (i = 0; i < m->nparts; i++) {
		p = &m->parts[i];
		gw_json_raw(j, i > 0 ? ",{" : "{");
		gw_json_key(j, "state", 1);
		gw_json_int(j, p->state);
		gw_json_key(j, "smsc_id", 0);
		gw_json_string(j, p->smsc_id, sizeof(p->smsc_id));
		gw_json_key(j, "stat", 0);
		gw_json_string(j, p->stat, sizeof(p->stat));
		gw_json_key(j, "err", 0);
		gw_json_string(j, p->err, sizeof(p->err));
		gw_json_key(j, "error_code", 0);
		gw_json_int(j, p->error_code);
		gw_json_key(j, "done_at", 0);
		gw_json_int(j, p->done_at);
		gw_json_key(j, "attempts", 0);
		gw_json_int(j, p->attempts);
		gw_json_raw(j, "}");
	}
	gw_json_raw(j, "]");
	return j->buf;
}

/*
 * Text bound without a copy: the message, the status table and the
 * store's JSON scratch outlive the step. "" binds NULL when empty_null.
 */
static void
gw_bind_static(sqlite3_stmt *st, int i, const char *v, int empty_null)
{
	if (empty_null && v[0] == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
gw_bind_message(struct gw_store_db *s, sqlite3_stmt *st,
    const struct gw_message *m)
{
#define B_TEXT(col, v, null)	gw_bind_static(st, MCOL_##col + 1, v, null)
#define B_INT(col, v, null)	gw_store_bind_i64(st, MCOL_##col + 1, v, null)
	B_TEXT(SID, m->sid, 0);
	B_TEXT(ACCOUNT_SID, m->account_sid, 0);
	B_TEXT(SERVICE_SID, m->service_sid, 1);
	B_TEXT(TO, m->to, 0);
	B_TEXT(FROM, m->from, 0);
	B_TEXT(BODY, m->body != NULL ? m->body : "", 0);
	B_TEXT(STATUS, gw_status_name(m->status), 0);
	B_TEXT(DIRECTION, gw_direction_name(m->direction), 0);
	B_INT(ERROR_CODE, m->error_code, 1);
	B_INT(DATE_CREATED, m->date_created, 0);
	B_INT(DATE_UPDATED, m->date_updated, 0);
	B_INT(DATE_SENT, m->date_sent, 1);
	B_INT(SEND_AT, m->send_at, 1);
	B_INT(VALID_UNTIL, m->valid_until, 1);
	B_INT(VALIDITY_PERIOD, m->validity_period, 0);
	B_INT(NUM_SEGMENTS, m->num_segments, 0);
	B_INT(NUM_MEDIA, m->num_media, 0);
	B_TEXT(MEDIA, gw_media_json(&s->json[0], m), 0);
	gw_store_bind_text(st, MCOL_STATUS_CALLBACK + 1, m->status_callback,
	    0);
	B_INT(DATA_CODING, m->data_coding, 0);
	B_INT(SMART_ENCODED, m->smart_encoded, 0);
	B_INT(ATTEMPT, m->attempt, 0);
	B_TEXT(ROUTE, m->route, 1);
	B_TEXT(PRICE, m->price, 1);
	B_TEXT(PARTS, gw_parts_json(&s->json[1], m), 0);
	gw_store_bind_text(st, MCOL_SELECTION + 1, m->selection, 0);
#undef B_TEXT
#undef B_INT
}

/* Deep copies of what the worker writes (never the lifecycle's links). */
static struct gw_part *
gw_parts_dup(const struct gw_message *m)
{
	struct gw_part *p;

	if (m->nparts == 0)
		return NULL;
	p = xreallocarray(NULL, m->nparts, sizeof(*p));
	memcpy(p, m->parts, m->nparts * sizeof(*p));
	return p;
}

struct gw_message *
gw_store_message_dup(const struct gw_message *m)
{
	struct gw_message *c = xmalloc(sizeof(*c));
	size_t i;

	memcpy(c, m, sizeof(*c));
	c->body = xstrdup(m->body != NULL ? m->body : "");
	c->media = m->num_media > 0 ? xcalloc(m->num_media,
	    sizeof(*c->media)) : NULL;
	for (i = 0; i < m->num_media; i++)
		c->media[i] = xstrdup(m->media[i] != NULL ? m->media[i] : "");
	c->status_callback = m->status_callback != NULL ?
	    xstrdup(m->status_callback) : NULL;
	c->parts = gw_parts_dup(m);
	c->selection = m->selection != NULL ? xstrdup(m->selection) : NULL;
	c->gw = NULL;
	c->timer = NULL;
	c->queued = 0;
	return c;
}

void
gw_store_message_moved(struct gw_message *into, const struct gw_message *m)
{
	into->status = m->status;
	into->error_code = m->error_code;
	into->date_updated = m->date_updated;
	into->date_sent = m->date_sent;
	memcpy(into->route, m->route, sizeof(into->route));
	memcpy(into->price, m->price, sizeof(into->price));
	into->num_segments = m->num_segments;
	/* A change folded into an update before it mostly keeps the count
	 * of parts: the same allocation then. */
	if (m->nparts == 0) {
		free(into->parts);
		into->parts = NULL;
	} else {
		into->parts = xreallocarray(into->parts, m->nparts,
		    sizeof(*into->parts));
		memcpy(into->parts, m->parts, m->nparts * sizeof(*m->parts));
	}
	into->nparts = m->nparts;
}

int
gw_store_db_put_message(struct gw_store_db *d, const struct gw_message *m)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_MSG_PUT);

	gw_bind_message(d, st, m);
	return gw_store_step_done(d, st, "put message");
}

int
gw_store_db_update_message(struct gw_store_db *d, const struct gw_message *m)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_MSG_UPDATE);

	gw_bind_static(st, 1, m->sid, 0);
	gw_bind_static(st, 2, gw_status_name(m->status), 0);
	gw_store_bind_i64(st, 3, m->error_code, 1);
	gw_store_bind_i64(st, 4, m->date_updated, 0);
	gw_store_bind_i64(st, 5, m->date_sent, 1);
	gw_bind_static(st, 6, m->route, 1);
	gw_bind_static(st, 7, m->price, 1);
	gw_bind_static(st, 8, gw_parts_json(&d->json[1], m), 0);
	gw_store_bind_i64(st, 9, m->num_segments, 0);
	return gw_store_step_done(d, st, "update message");
}

/* A JSON array column, parsed; NULL (error set) when it is none. */
static json_t *
gw_column_json_array(struct gw_store_db *s, sqlite3_stmt *st, int col,
    const char *sid)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	char what[96];
	json_t *a;

	a = json_loads(text != NULL ? text : "", JSON_REJECT_DUPLICATES,
	    NULL);
	if (a != NULL && json_is_array(a) &&
	    json_array_size(a) <= GW_STORE_MAX_PARTS * 4)
		return a;
	json_decref(a);
	snprintf(what, sizeof(what), "read message sid=%s", sid);
	gw_store_failx(s, what, col == MCOL_MEDIA ? "corrupt media column" :
	    "corrupt parts column");
	return NULL;
}

static int
gw_read_media(struct gw_store_db *s, sqlite3_stmt *st, struct gw_message *m)
{
	json_t *a = gw_column_json_array(s, st, MCOL_MEDIA, m->sid);
	const char *url;
	size_t i, n;

	if (a == NULL)
		return -1;
	n = json_array_size(a);
	m->media = n > 0 ? xcalloc(n, sizeof(*m->media)) : NULL;
	for (i = 0; i < n; i++) {
		url = json_string_value(json_array_get(a, i));
		m->media[i] = xstrdup(url != NULL ? url : "");
	}
	m->num_media = (unsigned)n;
	json_decref(a);
	return 0;
}

static void
gw_read_part(json_t *o, struct gw_part *p)
{
	const char *text;
	json_int_t state;

	state = json_integer_value(json_object_get(o, "state"));
	p->state = state >= GW_PART_PENDING && state <= GW_PART_FAILED ?
	    (enum gw_part_state)state : GW_PART_FAILED;
	text = json_string_value(json_object_get(o, "smsc_id"));
	strlcpy(p->smsc_id, text != NULL ? text : "", sizeof(p->smsc_id));
	text = json_string_value(json_object_get(o, "stat"));
	strlcpy(p->stat, text != NULL ? text : "", sizeof(p->stat));
	text = json_string_value(json_object_get(o, "err"));
	strlcpy(p->err, text != NULL ? text : "", sizeof(p->err));
	p->error_code = (int)json_integer_value(json_object_get(o,
	    "error_code"));
	p->done_at = json_integer_value(json_object_get(o, "done_at"));
	p->attempts = (unsigned)json_integer_value(json_object_get(o,
	    "attempts"));
}

static int
gw_read_parts(struct gw_store_db *s, sqlite3_stmt *st, struct gw_message *m)
{
	json_t *a = gw_column_json_array(s, st, MCOL_PARTS, m->sid);
	size_t i, n;

	if (a == NULL)
		return -1;
	n = json_array_size(a);
	if (n > GW_STORE_MAX_PARTS) {
		json_decref(a);
		return gw_store_failx(s, "read message", "too many parts");
	}
	m->parts = n > 0 ? xcalloc(n, sizeof(*m->parts)) : NULL;
	m->nparts = n;
	for (i = 0; i < n; i++)
		gw_read_part(json_array_get(a, i), &m->parts[i]);
	json_decref(a);
	return 0;
}

/* Status and direction by name; -1 (error set) for a name unknown. */
static int
gw_read_names(struct gw_store_db *s, sqlite3_stmt *st, struct gw_message *m)
{
	const char *status, *direction;
	char what[96];
	int sv, dv;

	status = (const char *)sqlite3_column_text(st, MCOL_STATUS);
	direction = (const char *)sqlite3_column_text(st, MCOL_DIRECTION);
	sv = gw_status_parse(status != NULL ? status : "");
	dv = gw_direction_parse(direction != NULL ? direction : "");
	if (sv == -1 || dv == -1) {
		snprintf(what, sizeof(what), "read message sid=%s", m->sid);
		return gw_store_failx(s, what, sv == -1 ? "unknown status" :
		    "unknown direction");
	}
	m->status = (enum gw_status)sv;
	m->direction = (enum gw_direction)dv;
	return 0;
}

struct gw_message *
gw_store_read_message(struct gw_store_db *s, sqlite3_stmt *st)
{
	struct gw_message *m = gw_message_new();

#define R_TEXT(col, out) gw_store_column_copy(st, MCOL_##col, out, sizeof(out))
#define R_INT(col)	sqlite3_column_int64(st, MCOL_##col)
	R_TEXT(SID, m->sid);
	R_TEXT(ACCOUNT_SID, m->account_sid);
	R_TEXT(SERVICE_SID, m->service_sid);
	R_TEXT(TO, m->to);
	R_TEXT(FROM, m->from);
	free(m->body);
	m->body = gw_store_column_strdup(st, MCOL_BODY);
	if (m->body == NULL)
		m->body = xstrdup("");
	m->error_code = (int)R_INT(ERROR_CODE);
	m->date_created = R_INT(DATE_CREATED);
	m->date_updated = R_INT(DATE_UPDATED);
	m->date_sent = R_INT(DATE_SENT);
	m->send_at = R_INT(SEND_AT);
	m->valid_until = R_INT(VALID_UNTIL);
	m->validity_period = (unsigned)R_INT(VALIDITY_PERIOD);
	m->num_segments = (unsigned)R_INT(NUM_SEGMENTS);
	m->status_callback = gw_store_column_strdup(st, MCOL_STATUS_CALLBACK);
	m->data_coding = (uint8_t)R_INT(DATA_CODING);
	m->smart_encoded = (int)R_INT(SMART_ENCODED);
	m->attempt = (unsigned)R_INT(ATTEMPT);
	R_TEXT(ROUTE, m->route);
	R_TEXT(PRICE, m->price);
	m->selection = gw_store_column_strdup(st, MCOL_SELECTION);
#undef R_TEXT
#undef R_INT
	if (gw_read_names(s, st, m) == -1 || gw_read_media(s, st, m) == -1 ||
	    gw_read_parts(s, st, m) == -1) {
		gw_message_free(m);
		return NULL;
	}
	return m;
}

struct gw_get_call {
	const char	*account_sid;
	const char	*sid;
	struct gw_message *out;
};

static int
gw_store_db_get_message(struct gw_store_db *d, void *arg)
{
	struct gw_get_call *c = arg;
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_MSG_GET);
	int rc;

	gw_store_bind_text(st, 1, c->sid, 0);
	gw_store_bind_text(st, 2, c->account_sid, 0);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		c->out = gw_store_read_message(d, st);
	else if (rc != SQLITE_DONE)
		gw_store_fail(d, "get message");
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return c->out != NULL ? 1 : -1;
}

int
gw_store_get_message(struct gw_store *s, const char *account_sid,
    const char *sid, struct gw_message **out)
{
	struct gw_get_call c = { account_sid, sid, NULL };
	int rc = gw_store_call(s, gw_store_db_get_message, &c);

	*out = c.out;
	return rc;
}

/* The message goes with its events: nothing may show them after. */
int
gw_store_db_delete_message(struct gw_store_db *d, const char *account_sid,
    const char *sid)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_MSG_DELETE);

	gw_store_bind_text(st, 1, sid, 0);
	gw_store_bind_text(st, 2, account_sid, 0);
	if (gw_store_step_done(d, st, "delete message") == -1)
		return -1;
	if (sqlite3_changes(d->db) == 0)
		return 0;
	st = gw_store_stmt(d, GW_STMT_EVENT_DELETE);
	gw_store_bind_text(st, 1, sid, 0);
	return gw_store_step_done(d, st, "delete events");
}

/* Inserts ops[0..n) (GW_OP_EVENT, n of 1, 4 or GW_EVENT_ROWS_MAX) with
 * one statement, in their order. */
static int
gw_store_db_event_rows(struct gw_store_db *d,
    const struct gw_store_op *const *ops, size_t n)
{
	sqlite3_stmt *st = gw_store_stmt(d, n == GW_EVENT_ROWS_MAX ?
	    GW_STMT_EVENT_ADD16 : n == 4 ? GW_STMT_EVENT_ADD4 :
	    GW_STMT_EVENT_ADD);
	const struct gw_store_op *op;
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		op = ops[i];
		c = (int)i * GW_EVENT_COLUMNS;
		gw_bind_static(st, c + 1, op->sid, 0);
		gw_bind_static(st, c + 2, op->status, 0);
		gw_store_bind_i64(st, c + 3, op->error_code, 1);
		gw_store_bind_i64(st, c + 4, op->at, 0);
		if (op->detail != NULL)
			gw_bind_static(st, c + 5, op->detail, 1);
	}
	return gw_store_step_done(d, st, "add event");
}

int
gw_store_db_add_events(struct gw_store_db *d,
    const struct gw_store_op *const *ops, size_t n)
{
	size_t rows;

	while (n > 0) {
		rows = n >= GW_EVENT_ROWS_MAX ? GW_EVENT_ROWS_MAX :
		    n >= 4 ? 4 : 1;
		if (gw_store_db_event_rows(d, ops, rows) == -1)
			return -1;
		ops += rows;
		n -= rows;
	}
	return 0;
}

struct gw_events_call {
	const char	*sid;
	struct gw_event_row *out;
	size_t		 cap;
};

static int
gw_store_db_list_events(struct gw_store_db *d, void *arg)
{
	struct gw_events_call *c = arg;
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_EVENT_LIST);
	struct gw_event_row *out = c->out;
	size_t n = 0;
	int rc = SQLITE_DONE;

	gw_store_bind_text(st, 1, c->sid, 0);
	sqlite3_bind_int64(st, 2, (int64_t)c->cap);
	while (n < c->cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		gw_store_column_copy(st, 0, out[n].status,
		    sizeof(out[n].status));
		out[n].error_code = sqlite3_column_int(st, 1);
		out[n].at = sqlite3_column_int64(st, 2);
		gw_store_column_copy(st, 3, out[n].detail,
		    sizeof(out[n].detail));
		n++;
	}
	if (n < c->cap && rc != SQLITE_DONE) {
		gw_store_fail(d, "list events");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return (int)n;
}

int
gw_store_list_events(struct gw_store *s, const char *sid,
    struct gw_event_row *out, size_t cap)
{
	struct gw_events_call c = { sid, out, cap };

	return gw_store_call(s, gw_store_db_list_events, &c);
}

static int
gw_store_db_count_by_status(struct gw_store_db *d, void *arg)
{
	sqlite3_stmt *st = gw_store_stmt(d, GW_STMT_MSG_COUNT);
	uint64_t *counts = arg;
	const char *name;
	int rc, i;

	memset(counts, 0, GW_STATUS_COUNT * sizeof(*counts));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		i = gw_status_parse(name != NULL ? name : "");
		if (i >= 0)
			counts[i] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	if (rc != SQLITE_DONE)
		gw_store_fail(d, "count by status");
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
gw_store_count_by_status(struct gw_store *s, uint64_t *counts)
{
	return gw_store_call(s, gw_store_db_count_by_status, counts);
}
