/*
 * gateway/store: messages, events, the callback outbox and the
 * configuration in sqlite, on a file in a fresh temporary directory (and
 * on ":memory:"); group commit by the store's worker thread, driven by a
 * real event loop; a child killed right after a commit loses nothing it
 * was told was durable.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "common/evbase.h"
#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/store-internal.h"
#include "gateway/store.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define DEADLINE_SEC	10
#define T0		INT64_C(1700000000000000)
#define ACCOUNT_A	"AC0000000000000000000000000000000a"
#define ACCOUNT_B	"AC0000000000000000000000000000000b"

static int	sql_int(const char *, const char *);

static char	tmpdir[PATH_MAX];
static char	dbpath[PATH_MAX + 16];
static struct event_base *base;

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_gw_store.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/gateway.db", tmpdir);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	log_set_level(LOG_LEVEL_ERROR);
}

static void
teardown(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm",
	    "-journal" };
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < nitems(suffixes); i++) {
		snprintf(path, sizeof(path), "%s%s", dbpath, suffixes[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	event_base_free(base);
}

static struct gw_store *
open_store(const char *path)
{
	char err[512] = "";
	struct gw_store *s = gw_store_open(base, path, 0, err, sizeof(err));

	ck_assert_msg(s != NULL, "open %s: %s", path, err);
	return s;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Turns the loop until *flag, or fails at the deadline. */
static void
run_until(struct event_base *b, const int *flag)
{
	double deadline = now_sec() + DEADLINE_SEC;

	while (!*flag) {
		ck_assert_msg(now_sec() < deadline, "deadline passed");
		event_base_loop(b, EVLOOP_ONCE);
	}
}

static void
make_sid(char *out, const char *prefix, unsigned n)
{
	snprintf(out, GATEWAY_SID_SIZE, "%s%032x", prefix, n);
}

/* A message with every field set to something distinct. */
static struct gw_message *
full_message(unsigned n)
{
	struct gw_message *m = gw_message_new();
	size_t i;

	make_sid(m->sid, "MM", n);
	strlcpy(m->account_sid, ACCOUNT_A, sizeof(m->account_sid));
	make_sid(m->service_sid, "MG", 7);
	strlcpy(m->to, "+14155550100", sizeof(m->to));
	strlcpy(m->from, "+14155550199", sizeof(m->from));
	gw_message_set_body(m, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\"quoted\" \\ new\nline");
	m->status = GW_STATUS_SENT;
	m->direction = GW_DIR_OUTBOUND_API;
	m->error_code = 30003;
	m->date_created = T0 + 1;
	m->date_updated = T0 + 2;
	m->date_sent = T0 + 3;
	m->send_at = T0 + 4;
	m->valid_until = T0 + 5;
	m->validity_period = 14400;
	m->num_segments = 2;
	m->num_media = 2;
	m->media = calloc(2, sizeof(*m->media));
	m->media[0] = strdup("https://example.com/a.png?x=1&y=\"2\"");
	m->media[1] = strdup("https://example.com/b.jpg");
	m->status_callback = strdup("https://cb.example.com/status");
	m->data_coding = 0x08;
	m->smart_encoded = 1;
	m->attempt = 3;
	strlcpy(m->route, "alpha-mobile", sizeof(m->route));
	strlcpy(m->price, "-0.00790", sizeof(m->price));
	m->nparts = 2;
	m->parts = calloc(2, sizeof(*m->parts));
	for (i = 0; i < 2; i++) {
		m->parts[i].state = i == 0 ? GW_PART_DELIVERED :
		    GW_PART_UNDELIVERED;
		snprintf(m->parts[i].smsc_id, sizeof(m->parts[i].smsc_id),
		    "smsc-%zu\"\\", i);
		strlcpy(m->parts[i].stat, i == 0 ? "DELIVRD" : "UNDELIV",
		    sizeof(m->parts[i].stat));
		strlcpy(m->parts[i].err, i == 0 ? "000" : "001",
		    sizeof(m->parts[i].err));
		m->parts[i].error_code = i == 0 ? 0 : 30003;
		m->parts[i].done_at = T0 + 10 + (int64_t)i;
		m->parts[i].attempts = 1 + (unsigned)i;
	}
	return m;
}

/* A plain message of account, created at created. */
static struct gw_message *
plain_message(unsigned n, const char *account, int64_t created,
    enum gw_status status)
{
	struct gw_message *m = gw_message_new();

	make_sid(m->sid, "SM", n);
	strlcpy(m->account_sid, account, sizeof(m->account_sid));
	snprintf(m->to, sizeof(m->to), "+1415555%04u", n % 3);
	snprintf(m->from, sizeof(m->from), "+1212555%04u", n % 2);
	gw_message_set_body(m, "hi");
	m->status = status;
	m->direction = GW_DIR_OUTBOUND_API;
	m->date_created = created;
	m->date_updated = created;
	m->date_sent = n % 4 == 0 ? 0 : created + 1;
	m->num_segments = 1;
	return m;
}

static void
assert_same_message(const struct gw_message *a, const struct gw_message *b)
{
	size_t i;

	ck_assert_str_eq(a->sid, b->sid);
	ck_assert_str_eq(a->account_sid, b->account_sid);
	ck_assert_str_eq(a->service_sid, b->service_sid);
	ck_assert_str_eq(a->to, b->to);
	ck_assert_str_eq(a->from, b->from);
	ck_assert_str_eq(a->body, b->body);
	ck_assert_int_eq(a->status, b->status);
	ck_assert_int_eq(a->direction, b->direction);
	ck_assert_int_eq(a->error_code, b->error_code);
	ck_assert_int_eq(a->date_created, b->date_created);
	ck_assert_int_eq(a->date_updated, b->date_updated);
	ck_assert_int_eq(a->date_sent, b->date_sent);
	ck_assert_int_eq(a->send_at, b->send_at);
	ck_assert_int_eq(a->valid_until, b->valid_until);
	ck_assert_uint_eq(a->validity_period, b->validity_period);
	ck_assert_uint_eq(a->num_segments, b->num_segments);
	ck_assert_uint_eq(a->num_media, b->num_media);
	for (i = 0; i < a->num_media; i++)
		ck_assert_str_eq(a->media[i], b->media[i]);
	if (a->status_callback == NULL)
		ck_assert_ptr_null(b->status_callback);
	else
		ck_assert_str_eq(a->status_callback, b->status_callback);
	ck_assert_uint_eq(a->data_coding, b->data_coding);
	ck_assert_int_eq(a->smart_encoded, b->smart_encoded);
	ck_assert_uint_eq(a->attempt, b->attempt);
	ck_assert_str_eq(a->route, b->route);
	ck_assert_str_eq(a->price, b->price);
	ck_assert_uint_eq(a->nparts, b->nparts);
	for (i = 0; i < a->nparts; i++) {
		ck_assert_int_eq(a->parts[i].state, b->parts[i].state);
		ck_assert_str_eq(a->parts[i].smsc_id, b->parts[i].smsc_id);
		ck_assert_str_eq(a->parts[i].stat, b->parts[i].stat);
		ck_assert_str_eq(a->parts[i].err, b->parts[i].err);
		ck_assert_int_eq(a->parts[i].error_code,
		    b->parts[i].error_code);
		ck_assert_int_eq(a->parts[i].done_at, b->parts[i].done_at);
		ck_assert_uint_eq(a->parts[i].attempts, b->parts[i].attempts);
	}
}

START_TEST(test_open_close)
{
	static const char *const paths[] = { NULL, ":memory:" };
	struct gw_store *s;
	size_t i;

	for (i = 0; i < nitems(paths); i++) {
		s = open_store(paths[i] != NULL ? paths[i] : dbpath);
		ck_assert_uint_eq(gw_store_pending(s), 0);
		ck_assert_str_eq(gw_store_error(s), "");
		gw_store_close(s);
	}
	gw_store_close(NULL);
	s = open_store(dbpath);		/* reopened: no migration twice */
	gw_store_close(s);
	ck_assert_int_eq(sql_int(dbpath, "PRAGMA page_size"), 8192);
}
END_TEST

START_TEST(test_open_failure)
{
	char err[512] = "", path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", tmpdir);
	ck_assert_ptr_null(gw_store_open(base, path, 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, path) != NULL, "err: %s", err);
	ck_assert_ptr_null(gw_store_open(NULL, dbpath, 0, err, sizeof(err)));
}
END_TEST

START_TEST(test_message_roundtrip)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_message *in = full_message(1), *out = NULL;

	ck_assert_int_eq(gw_store_put_message(s, in), 0);
	ck_assert_uint_eq(gw_store_pending(s), 1);
	/* Reads see the open batch. */
	ck_assert_int_eq(gw_store_get_message(s, ACCOUNT_A, in->sid, &out),
	    1);
	assert_same_message(in, out);
	gw_message_free(out);
	ck_assert_int_eq(gw_store_commit(s), 0);
	ck_assert_uint_eq(gw_store_pending(s), 0);
	gw_store_close(s);

	s = open_store(dbpath);
	ck_assert_int_eq(gw_store_get_message(s, NULL, in->sid, &out), 1);
	assert_same_message(in, out);
	gw_message_free(out);
	ck_assert_int_eq(gw_store_get_message(s, ACCOUNT_B, in->sid, &out),
	    0);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(gw_store_get_message(s, NULL, "SMnope", &out), 0);
	gw_store_close(s);
	gw_message_free(in);
}
END_TEST

/* Empty strings and zeros read back as such (NULL columns in sqlite). */
START_TEST(test_message_nulls)
{
	struct gw_store *s = open_store(":memory:");
	struct gw_message *in = plain_message(4, ACCOUNT_A, T0,
	    GW_STATUS_ACCEPTED), *out = NULL;

	gw_message_set_body(in, "");
	ck_assert_int_eq(gw_store_put_message(s, in), 0);
	ck_assert_int_eq(gw_store_get_message(s, ACCOUNT_A, in->sid, &out),
	    1);
	assert_same_message(in, out);
	ck_assert_ptr_null(out->media);
	ck_assert_ptr_null(out->parts);
	gw_message_free(out);
	gw_message_free(in);
	gw_store_close(s);
}
END_TEST

START_TEST(test_message_update_delete)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_message *m = full_message(2), *out = NULL;
	uint64_t counts[GW_STATUS_COUNT];

	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	ck_assert_int_eq(gw_store_add_event(s, m->sid, "sent", 0, T0, NULL),
	    0);
	m->status = GW_STATUS_DELIVERED;
	m->error_code = 0;
	gw_message_set_body(m, "");
	m->parts[1].state = GW_PART_DELIVERED;
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out), 1);
	assert_same_message(m, out);
	gw_message_free(out);
	ck_assert_int_eq(gw_store_count_by_status(s, counts), 0);
	ck_assert_uint_eq(counts[GW_STATUS_DELIVERED], 1);
	ck_assert_uint_eq(counts[GW_STATUS_SENT], 0);

	/* Another account's delete touches nothing. */
	ck_assert_int_eq(gw_store_delete_message(s, ACCOUNT_B, m->sid), 0);
	ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out), 1);
	gw_message_free(out);
	ck_assert_int_eq(gw_store_delete_message(s, ACCOUNT_A, m->sid), 0);
	ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out), 0);
	ck_assert_int_eq(gw_store_list_events(s, m->sid, NULL, 0), 0);
	gw_store_close(s);
	gw_message_free(m);
}
END_TEST

START_TEST(test_events)
{
	static const struct {
		const char	*status;
		int		 error_code;
		const char	*detail;
	} steps[] = {
		{ "accepted", 0, NULL },
		{ "queued", 0, "route=alpha" },
		{ "sending", 0, NULL },
		{ "sent", 0, "smsc_id=abc" },
		{ "undelivered", 30003, "stat=UNDELIV err=001" },
	};
	struct gw_store *s = open_store(dbpath);
	struct gw_event_row rows[8];
	char sid[GATEWAY_SID_SIZE], other[GATEWAY_SID_SIZE];
	size_t i;

	make_sid(sid, "SM", 1);
	make_sid(other, "SM", 2);
	for (i = 0; i < nitems(steps); i++) {
		ck_assert_int_eq(gw_store_add_event(s, sid, steps[i].status,
		    steps[i].error_code, T0 - (int64_t)i, steps[i].detail), 0);
		ck_assert_int_eq(gw_store_add_event(s, other, "failed", 1, T0,
		    "x"), 0);
	}
	gw_store_close(s);
	s = open_store(dbpath);
	ck_assert_int_eq(gw_store_list_events(s, sid, rows, nitems(rows)),
	    (int)nitems(steps));
	for (i = 0; i < nitems(steps); i++) {
		ck_assert_str_eq(rows[i].status, steps[i].status);
		ck_assert_int_eq(rows[i].error_code, steps[i].error_code);
		ck_assert_int_eq(rows[i].at, T0 - (int64_t)i);
		ck_assert_str_eq(rows[i].detail, steps[i].detail != NULL ?
		    steps[i].detail : "");
	}
	ck_assert_int_eq(gw_store_list_events(s, sid, rows, 2), 2);
	ck_assert_str_eq(rows[1].status, "queued");
	gw_store_close(s);
}
END_TEST

/*
 * One batch of 37 events of two messages, interleaved, then the second
 * message's deletion and two more of its events: the batch inserts its
 * events 16 and 4 to a statement (and the rest one by one), in their
 * order, and those gathered before the deletion go in before it, so it
 * removes them.
 */
START_TEST(test_events_rows)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_message *gone = full_message(3);
	struct gw_event_row rows[32];
	char sid[GATEWAY_SID_SIZE], status[16], detail[16];
	unsigned i, na = 0, nb = 0;

	make_sid(sid, "SM", 4);
	ck_assert_int_eq(gw_store_put_message(s, gone), 0);
	ck_assert_int_eq(gw_store_commit(s), 0);
	for (i = 0; i < 37; i++) {
		if (i % 3 == 1) {
			snprintf(status, sizeof(status), "b%u", nb++);
			ck_assert_int_eq(gw_store_add_event(s, gone->sid,
			    status, 0, T0, "x"), 0);
			continue;
		}
		snprintf(status, sizeof(status), "a%u", na);
		snprintf(detail, sizeof(detail), "d%u", na);
		ck_assert_int_eq(gw_store_add_event(s, sid, status,
		    na % 2 ? 30000 + (int)na : 0, T0 + na,
		    na % 4 == 0 ? NULL : detail), 0);
		na++;
	}
	ck_assert_int_eq(gw_store_delete_message(s, ACCOUNT_A, gone->sid), 0);
	ck_assert_int_eq(gw_store_add_event(s, gone->sid, "after0", 0, T0,
	    NULL), 0);
	ck_assert_int_eq(gw_store_add_event(s, gone->sid, "after1", 0, T0,
	    NULL), 0);
	ck_assert_uint_eq(gw_store_pending(s), 40);
	ck_assert_int_eq(gw_store_commit(s), 0);

	ck_assert_int_eq(gw_store_list_events(s, sid, rows, nitems(rows)),
	    (int)na);
	for (i = 0; i < na; i++) {
		snprintf(status, sizeof(status), "a%u", i);
		snprintf(detail, sizeof(detail), "d%u", i);
		ck_assert_str_eq(rows[i].status, status);
		ck_assert_int_eq(rows[i].error_code, i % 2 ? 30000 + (int)i :
		    0);
		ck_assert_int_eq(rows[i].at, T0 + i);
		ck_assert_str_eq(rows[i].detail, i % 4 == 0 ? "" : detail);
	}
	ck_assert_int_eq(gw_store_list_events(s, gone->sid, rows,
	    nitems(rows)), 2);
	ck_assert_str_eq(rows[0].status, "after0");
	ck_assert_str_eq(rows[1].status, "after1");
	gw_message_free(gone);
	gw_store_close(s);
}
END_TEST

/*
 * The ops of a committed batch are kept for the next ones, zeroed when
 * reused, and no more than GW_STORE_SPARE_OPS of them.
 */
START_TEST(test_spare_ops)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_event_row rows[2];
	char sid[GATEWAY_SID_SIZE];
	struct gw_store_op *op;
	unsigned i;

	make_sid(sid, "SM", 5);
	ck_assert_uint_eq(s->nspare, 0);
	ck_assert_int_eq(gw_store_add_event(s, sid, "queued", 30001, T0,
	    "detail"), 0);
	ck_assert_int_eq(gw_store_add_event(s, sid, "sent", 0, T0 + 1, NULL),
	    0);
	ck_assert_int_eq(gw_store_commit(s), 0);
	ck_assert_uint_eq(s->nspare, 2);
	op = TAILQ_FIRST(&s->spare);
	ck_assert_ptr_eq(gw_store_op_alloc(s, GW_OP_EVENT), op);
	ck_assert_uint_eq(s->nspare, 1);
	ck_assert_ptr_null(op->detail);
	ck_assert_str_eq(op->sid, "");
	ck_assert_int_eq(op->error_code, 0);
	free(op);

	/* A reused op writes what it is given, nothing of before. */
	ck_assert_int_eq(gw_store_add_event(s, sid, "delivered", 0, T0 + 2,
	    NULL), 0);
	ck_assert_int_eq(gw_store_commit(s), 0);
	ck_assert_int_eq(gw_store_list_events(s, sid, rows, nitems(rows)), 2);
	ck_assert_str_eq(rows[0].status, "queued");
	ck_assert_str_eq(rows[0].detail, "detail");
	ck_assert_str_eq(rows[1].status, "sent");

	for (i = 0; i < GW_STORE_SPARE_OPS + 10; i++)
		ck_assert_int_eq(gw_store_add_event(s, sid, "sent", 0, T0, NULL),
		    0);
	ck_assert_int_eq(gw_store_commit(s), 0);
	ck_assert_uint_eq(s->nspare, GW_STORE_SPARE_OPS);
	gw_store_close(s);
}
END_TEST

struct loaded_callbacks {
	size_t		 n;
	struct gw_callback_row rows[8];
};

static void
collect_callback(struct gw_callback_row *row, void *arg)
{
	struct loaded_callbacks *l = arg;

	ck_assert_uint_lt(l->n, nitems(l->rows));
	l->rows[l->n++] = *row;
}

START_TEST(test_callbacks)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_callback_row rows[3];
	struct loaded_callbacks l;
	size_t i;

	memset(rows, 0, sizeof(rows));
	for (i = 0; i < nitems(rows); i++) {
		strlcpy(rows[i].kind, i == 2 ? "inbound" : "status",
		    sizeof(rows[i].kind));
		make_sid(rows[i].message_sid, "SM", (unsigned)i);
		strlcpy(rows[i].account_sid, ACCOUNT_A,
		    sizeof(rows[i].account_sid));
		rows[i].url = strdup("https://cb.example.com/s?a=1");
		strlcpy(rows[i].method, i == 1 ? "GET" : "POST",
		    sizeof(rows[i].method));
		rows[i].params = strdup("MessageStatus=sent&Body=h%C3%A9");
		rows[i].next_at = T0 + (int64_t)i;
		rows[i].created_at = T0 - (int64_t)i;
		ck_assert_int_eq(gw_store_add_callback(s, &rows[i]), 0);
		ck_assert_int_gt(rows[i].id, 0);
		if (i > 0)
			ck_assert_int_gt(rows[i].id, rows[i - 1].id);
	}
	ck_assert_int_eq(gw_store_update_callback(s, rows[0].id, 2,
	    T0 + 100), 0);
	ck_assert_int_eq(gw_store_delete_callback(s, rows[1].id), 0);
	gw_store_close(s);

	s = open_store(dbpath);
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(gw_store_load_callbacks(s, collect_callback, &l), 2);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.rows[0].id, rows[0].id);
	ck_assert_uint_eq(l.rows[0].attempts, 2);
	ck_assert_int_eq(l.rows[0].next_at, T0 + 100);
	ck_assert_int_eq(l.rows[1].id, rows[2].id);
	for (i = 0; i < 2; i++) {
		const struct gw_callback_row *want = &rows[i == 0 ? 0 : 2];

		ck_assert_str_eq(l.rows[i].kind, want->kind);
		ck_assert_str_eq(l.rows[i].message_sid, want->message_sid);
		ck_assert_str_eq(l.rows[i].account_sid, want->account_sid);
		ck_assert_str_eq(l.rows[i].url, want->url);
		ck_assert_str_eq(l.rows[i].method, want->method);
		ck_assert_str_eq(l.rows[i].params, want->params);
		ck_assert_int_eq(l.rows[i].created_at, want->created_at);
		gw_callback_row_clear(&l.rows[i]);
		ck_assert_ptr_null(l.rows[i].url);
	}
	for (i = 0; i < nitems(rows); i++)
		gw_callback_row_clear(&rows[i]);
	gw_store_close(s);
}
END_TEST

/* Paging the outbox: rows after an id, oldest first, up to a limit,
 * seeing writes not yet committed. */
START_TEST(test_callbacks_after)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_callback_row rows[6];
	struct loaded_callbacks l;
	size_t i;

	memset(rows, 0, sizeof(rows));
	for (i = 0; i < nitems(rows); i++) {
		strlcpy(rows[i].kind, "status", sizeof(rows[i].kind));
		make_sid(rows[i].message_sid, "SM", (unsigned)i);
		strlcpy(rows[i].account_sid, ACCOUNT_A,
		    sizeof(rows[i].account_sid));
		rows[i].url = strdup("https://cb.example.com/s");
		strlcpy(rows[i].method, "POST", sizeof(rows[i].method));
		rows[i].params = strdup("MessageStatus=sent");
		ck_assert_int_eq(gw_store_add_callback(s, &rows[i]), 0);
	}
	ck_assert_int_eq(gw_store_delete_callback(s, rows[2].id), 0);
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(gw_store_load_callbacks_after(s, rows[0].id, 3,
	    collect_callback, &l), 3);
	ck_assert_int_eq(l.rows[0].id, rows[1].id);
	ck_assert_int_eq(l.rows[1].id, rows[3].id);
	ck_assert_int_eq(l.rows[2].id, rows[4].id);
	ck_assert_str_eq(l.rows[2].params, "MessageStatus=sent");
	for (i = 0; i < l.n; i++)
		gw_callback_row_clear(&l.rows[i]);
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(gw_store_load_callbacks_after(s, rows[4].id, 3,
	    collect_callback, &l), 1);
	ck_assert_int_eq(l.rows[0].id, rows[5].id);
	gw_callback_row_clear(&l.rows[0]);
	ck_assert_int_eq(gw_store_load_callbacks_after(s, rows[5].id, 3,
	    collect_callback, &l), 0);
	ck_assert_int_eq(gw_store_load_callbacks_after(s, 0, 0,
	    collect_callback, &l), 0);
	for (i = 0; i < nitems(rows); i++)
		gw_callback_row_clear(&rows[i]);
	gw_store_close(s);
}
END_TEST

/* Durability callbacks: order of registration, and outcome. */
struct durable_log {
	int		 order[8];
	int		 ok[8];
	size_t		 n;
	int		 done;		/* set by the last expected one */
	size_t		 expect;
	int		 in_call;	/* set while a store call runs */
	int		 ran_in_call;
};

struct durable_arg {
	struct durable_log *log;
	int		 id;
};

static void
durable_cb(void *arg, int ok)
{
	struct durable_arg *a = arg;
	struct durable_log *l = a->log;

	if (l->in_call)
		l->ran_in_call = 1;
	ck_assert_uint_lt(l->n, nitems(l->order));
	l->order[l->n] = a->id;
	l->ok[l->n] = ok;
	if (++l->n == l->expect)
		l->done = 1;
}

/* An empty log, and args 0..n-1 writing to it. */
static void
durable_log_init(struct durable_log *l, struct durable_arg *a, size_t n)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < n; i++) {
		a[i].log = l;
		a[i].id = (int)i;
	}
}

START_TEST(test_durable_order)
{
	struct gw_store *s = open_store(dbpath);
	struct durable_log l;
	struct durable_arg a[4];
	struct gw_message *m;
	size_t i;

	durable_log_init(&l, a, nitems(a));
	l.expect = 3;
	/* Nothing pending: still called back, on a later turn. */
	l.in_call = 1;
	gw_store_when_durable(s, durable_cb, &a[0]);
	l.in_call = 0;
	ck_assert_uint_eq(l.n, 0);
	m = plain_message(1, ACCOUNT_A, T0, GW_STATUS_QUEUED);
	l.in_call = 1;
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	gw_store_when_durable(s, durable_cb, &a[1]);
	ck_assert_int_eq(gw_store_add_event(s, m->sid, "queued", 0, T0,
	    NULL), 0);
	gw_store_when_durable(s, durable_cb, &a[2]);
	l.in_call = 0;
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(gw_store_pending(s), 2);
	run_until(base, &l.done);
	ck_assert_int_eq(l.ran_in_call, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(l.order[i], (int)i);
		ck_assert_int_eq(l.ok[i], 1);
	}
	ck_assert_uint_eq(gw_store_pending(s), 0);

	/* gw_store_commit() commits and calls back at once. */
	l.done = 0;
	l.expect = 4;
	ck_assert_int_eq(gw_store_delete_message(s, NULL, m->sid), 0);
	gw_store_when_durable(s, durable_cb, &a[3]);
	ck_assert_int_eq(gw_store_commit(s), 0);
	ck_assert_int_eq(l.done, 1);
	ck_assert_int_eq(l.order[3], 3);
	gw_message_free(m);
	gw_store_close(s);
}
END_TEST

/*
 * The linger: a batch nobody waits on stays open over many turns; a
 * shorter linger hands it over; an urgent callback takes a lingering
 * batch along at once, the callbacks in the order registered.
 */
START_TEST(test_durable_linger)
{
	struct gw_store *s = open_store(dbpath);
	struct durable_log l;
	struct durable_arg a[3];
	struct gw_message *m;
	int i;

	durable_log_init(&l, a, nitems(a));
	gw_store_set_linger(s, 3600 * INT64_C(1000000));
	m = plain_message(1, ACCOUNT_A, T0, GW_STATUS_QUEUED);
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	l.expect = 1;
	gw_store_when_durable_later(s, durable_cb, &a[0]);
	for (i = 0; i < 100; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_ptr_nonnull(s->cur);		/* still open: lingering */
	ck_assert_uint_eq(s->handed, 0);
	ck_assert_uint_eq(l.n, 0);
	gw_store_set_linger(s, 0);		/* the next turn, then */
	run_until(base, &l.done);
	ck_assert_int_eq(l.ok[0], 1);

	gw_store_set_linger(s, 3600 * INT64_C(1000000));
	l.done = 0;
	l.expect = 3;
	ck_assert_int_eq(gw_store_add_event(s, m->sid, "sending", 0, T0,
	    NULL), 0);
	gw_store_when_durable_later(s, durable_cb, &a[1]);
	for (i = 0; i < 100; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_ptr_nonnull(s->cur);
	gw_store_when_durable(s, durable_cb, &a[2]);	/* urgent */
	run_until(base, &l.done);
	ck_assert_int_eq(l.order[1], 1);
	ck_assert_int_eq(l.order[2], 2);
	ck_assert_int_eq(l.ok[2], 1);
	gw_message_free(m);
	gw_store_close(s);
}
END_TEST

/* Puts message n with an urgent callback and turns the loop until the
 * batch is back. */
static void
put_durably(struct gw_store *s, unsigned n)
{
	struct gw_message *m = plain_message(n, ACCOUNT_A, T0 + n,
	    GW_STATUS_QUEUED);
	struct durable_log l;
	struct durable_arg a[1];

	durable_log_init(&l, a, nitems(a));
	l.expect = 1;
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	gw_store_when_durable(s, durable_cb, &a[0]);
	run_until(base, &l.done);
	ck_assert_int_eq(l.ok[0], 1);
	gw_message_free(m);
}

/* Message n's status and events as the database file has them now. */
static int
file_status(unsigned n, char *status, size_t size)
{
	char sid[GATEWAY_SID_SIZE], sql[256];
	sqlite3 *db;
	sqlite3_stmt *st;
	int events;

	make_sid(sid, "SM", n);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "SELECT status, (SELECT count(*) FROM"
	    " message_events WHERE sid = '%s') FROM messages WHERE sid ="
	    " '%s'", sid, sid);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	status[0] = '\0';
	events = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		strlcpy(status, (const char *)sqlite3_column_text(st, 0),
		    size);
		events = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return events;
}

/* A status move of message n as the lifecycle writes one. */
static void
move(struct gw_store *s, unsigned n, enum gw_status status)
{
	struct gw_message *m = plain_message(n, ACCOUNT_A, T0 + n, status);

	ck_assert_int_eq(gw_store_update_message(s, m), 0);
	ck_assert_int_eq(gw_store_add_event(s, m->sid, gw_status_name(status),
	    0, T0 + n, NULL), 0);
	gw_message_free(m);
}

/*
 * Carrying over, with the loop: a status move written before a create's
 * urgent callback stays behind while the create goes (the linger is an
 * hour, so nothing but a read or a commit takes it), the next move of
 * the same message folds into it, and a read hands it over, events in
 * order. A callback's row, a DELETE or a PUT of the sid pin its move to
 * the batch.
 */
START_TEST(test_carry_over)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_event_row rows[4];
	struct gw_callback_row cb;
	struct gw_message *got, *m;
	char status[24], sid[GATEWAY_SID_SIZE];

	gw_store_set_linger(s, 3600 * INT64_C(1000000));
	put_durably(s, 1);
	put_durably(s, 2);
	put_durably(s, 3);
	put_durably(s, 4);

	move(s, 1, GW_STATUS_SENDING);
	put_durably(s, 10);
	ck_assert_int_eq(file_status(10, status, sizeof(status)), 0);
	ck_assert_int_eq(file_status(1, status, sizeof(status)), 0);
	ck_assert_str_eq(status, "queued");	/* carried */
	ck_assert_ptr_nonnull(s->cur);
	ck_assert_uint_eq(s->cur->nops, 2);
	move(s, 1, GW_STATUS_SENT);
	put_durably(s, 11);
	ck_assert_int_eq(file_status(1, status, sizeof(status)), 0);
	ck_assert_str_eq(status, "queued");
	ck_assert_uint_eq(s->cur->nops, 3);	/* one UPDATE, two events */
	ck_assert_uint_eq(gw_store_pending(s), 3);

	/* Pinned: a callback's row about the message. */
	move(s, 2, GW_STATUS_SENDING);
	memset(&cb, 0, sizeof(cb));
	strlcpy(cb.kind, "status", sizeof(cb.kind));
	make_sid(cb.message_sid, "SM", 2);
	strlcpy(cb.account_sid, ACCOUNT_A, sizeof(cb.account_sid));
	strlcpy(cb.method, "POST", sizeof(cb.method));
	ck_assert_int_eq(gw_store_add_callback(s, &cb), 0);
	/* A DELETE: its events must not come back after it. */
	move(s, 3, GW_STATUS_SENDING);
	make_sid(sid, "SM", 3);
	ck_assert_int_eq(gw_store_delete_message(s, NULL, sid), 0);
	/* A PUT: the whole row goes. */
	move(s, 4, GW_STATUS_SENDING);
	m = plain_message(4, ACCOUNT_A, T0 + 4, GW_STATUS_SENT);
	gw_message_set_body(m, "put again");
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	gw_message_free(m);
	put_durably(s, 12);
	ck_assert_int_eq(file_status(2, status, sizeof(status)), 1);
	ck_assert_str_eq(status, "sending");
	ck_assert_int_eq(file_status(3, status, sizeof(status)), -1);
	ck_assert_int_eq(sql_int(dbpath, "SELECT count(*) FROM"
	    " message_events WHERE sid = 'SM00000000000000000000000000000003'"),
	    0);
	ck_assert_int_eq(file_status(4, status, sizeof(status)), 1);
	ck_assert_str_eq(status, "sent");
	ck_assert_int_eq(file_status(1, status, sizeof(status)), 0);
	ck_assert_str_eq(status, "queued");	/* still carried */

	/* A read sees every write: it hands the carried batch over. */
	make_sid(sid, "SM", 1);
	ck_assert_int_eq(gw_store_get_message(s, ACCOUNT_A, sid, &got), 1);
	ck_assert_int_eq(got->status, GW_STATUS_SENT);
	gw_message_free(got);
	ck_assert_ptr_null(s->cur);
	ck_assert_int_eq(gw_store_list_events(s, sid, rows, nitems(rows)),
	    2);
	ck_assert_str_eq(rows[0].status, "sending");
	ck_assert_str_eq(rows[1].status, "sent");
	gw_store_close(s);
}
END_TEST

/* "U1" (UPDATE of SM..1), "P6", "Esent1" (event), "C" (outbox row). */
static void
op_name(const struct gw_store_op *op, char *out, size_t size)
{
	if (op->kind == GW_OP_EVENT)
		snprintf(out, size, "E%s%c", op->status, op->sid[33]);
	else if (op->kind == GW_OP_CB_ADD)
		snprintf(out, size, "C");
	else
		snprintf(out, size, "%c%c", op->kind == GW_OP_PUT ? 'P' : 'U',
		    op->m->sid[33]);
}

/*
 * Which ops a batch carries over, with the clock given: a move and its
 * events (in their order), for at most span from its first carry; never
 * a PUT, a pinned move, an event whose sid had no move open, nor the
 * outbox's rows.
 */
START_TEST(test_carry_split)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_store_job *job, *out;
	struct gw_callback_row cb;
	struct gw_store_op *op;
	struct gw_message *m;
	struct durable_log l;
	struct durable_arg a[1];
	const char *want_job[] = { "U1", "Esending1", "Esent1" };
	const char *want_out[] = { "Equeued5", "P6", "Equeued6", "U7",
	    "Esending7", "C" };
	char name[32], sid[GATEWAY_SID_SIZE];
	size_t i;

	make_sid(sid, "SM", 5);		/* no move of it open: stays */
	ck_assert_int_eq(gw_store_add_event(s, sid, "queued", 0, T0, NULL),
	    0);
	move(s, 1, GW_STATUS_SENDING);
	m = plain_message(6, ACCOUNT_A, T0, GW_STATUS_QUEUED);
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	ck_assert_int_eq(gw_store_add_event(s, m->sid, "queued", 0, T0, NULL),
	    0);
	gw_message_free(m);
	move(s, 7, GW_STATUS_SENDING);
	move(s, 1, GW_STATUS_SENT);
	memset(&cb, 0, sizeof(cb));
	make_sid(cb.message_sid, "SM", 7);
	ck_assert_int_eq(gw_store_add_callback(s, &cb), 0);
	job = s->cur;
	ck_assert_uint_eq(job->nops, 9);

	durable_log_init(&l, a, nitems(a));
	gw_store_when_durable(s, durable_cb, &a[0]);
	out = gw_store_batch_carry(job, 1000, 500);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_eq(s->cur, job);
	ck_assert_uint_eq(job->nops, nitems(want_job));
	ck_assert_uint_eq(out->nops, nitems(want_out));
	/* The waiter and the hurry go with what goes. */
	ck_assert_uint_eq(out->ndurable, 1);
	ck_assert_int_eq(out->urgent, 1);
	ck_assert_uint_eq(job->ndurable, 0);
	ck_assert_int_eq(job->urgent, 0);
	i = 0;
	TAILQ_FOREACH(op, &job->ops, entry) {
		ck_assert_uint_lt(i, nitems(want_job));
		op_name(op, name, sizeof(name));
		ck_assert_str_eq(name, want_job[i++]);
	}
	i = 0;
	TAILQ_FOREACH(op, &out->ops, entry) {
		ck_assert_uint_lt(i, nitems(want_out));
		op_name(op, name, sizeof(name));
		ck_assert_str_eq(name, want_out[i++]);
	}
	/* Only the carried UPDATE is left in the tree. */
	ck_assert_ptr_eq(RB_ROOT(&job->by_sid), TAILQ_FIRST(&job->ops));
	ck_assert_ptr_null(RB_LEFT(TAILQ_FIRST(&job->ops), by_sid));
	ck_assert_ptr_null(RB_RIGHT(TAILQ_FIRST(&job->ops), by_sid));
	gw_store_batch_free(s, out);
	free(out->durable);
	free(out);

	/* Carried again within the span (nothing goes), not once it has
	 * passed. */
	out = gw_store_batch_carry(job, 1499, 500);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(out->nops, 0);
	ck_assert_uint_eq(job->nops, 3);
	free(out);
	ck_assert_ptr_null(gw_store_batch_carry(job, 1500, 500));
	ck_assert_uint_eq(job->nops, 3);
	gw_store_close(s);
}
END_TEST

/*
 * The pipeline: with the worker stuck on the first batch (another
 * connection holds the write lock), a second is handed over behind it
 * and a third stays open. When the first comes back the open one is
 * handed over before the first's callbacks run, so the worker never
 * waits on them.
 */
struct depth_arg {
	struct durable_arg a;
	struct gw_store	*s;
	int		 cur_open;	/* s->cur when the callback ran */
};

static void
depth_cb(void *arg, int ok)
{
	struct depth_arg *d = arg;

	d->cur_open = d->s->cur != NULL;
	durable_cb(&d->a, ok);
}

START_TEST(test_durable_depth)
{
	struct gw_store *s = open_store(dbpath);
	struct durable_log l;
	struct durable_arg a[3];
	struct depth_arg d[3];
	struct gw_message *m;
	sqlite3 *lock;
	size_t i;
	int turn;

	durable_log_init(&l, a, nitems(a));
	l.expect = nitems(a);
	ck_assert_int_eq(sqlite3_open(dbpath, &lock), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	for (i = 0; i < nitems(d); i++) {
		d[i].a = a[i];
		d[i].s = s;
		d[i].cur_open = -1;
		m = plain_message((unsigned)i + 1, ACCOUNT_A, T0,
		    GW_STATUS_QUEUED);
		ck_assert_int_eq(gw_store_put_message(s, m), 0);
		gw_store_when_durable(s, depth_cb, &d[i]);
		gw_message_free(m);
		for (turn = 0; turn < 10; turn++)
			event_base_loop(base, EVLOOP_NONBLOCK);
		ck_assert_uint_eq(s->handed, i < 2 ? i + 1 : 2);
	}
	ck_assert_ptr_nonnull(s->cur);		/* the third waits */
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(sqlite3_exec(lock, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	run_until(base, &l.done);
	for (i = 0; i < nitems(a); i++) {
		ck_assert_int_eq(l.order[i], (int)i);
		ck_assert_int_eq(l.ok[i], 1);
	}
	ck_assert_int_eq(d[0].cur_open, 0);
	ck_assert_uint_eq(gw_store_pending(s), 0);
	sqlite3_close(lock);
	gw_store_close(s);
}
END_TEST

/*
 * The handover is urgent: a create made by the first of many callbacks
 * of one loop turn (64 connections ready at once) reaches the worker
 * after at most EVBASE_MAX_CALLBACKS of them, not after the whole turn.
 */
#define HANDOVER_EVENTS	(4 * EVBASE_MAX_CALLBACKS)

struct handover_turn {
	struct gw_store	*s;
	int		 ran;		/* callbacks so far */
	int		 handed_after;	/* ran when the batch was handed */
	struct durable_arg a;
};

static void
handover_turn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct handover_turn *t = arg;
	struct gw_message *m;

	(void)fd, (void)what;
	if (t->ran++ == 0) {
		m = plain_message(1, ACCOUNT_A, T0, GW_STATUS_QUEUED);
		ck_assert_int_eq(gw_store_put_message(t->s, m), 0);
		gw_store_when_durable(t->s, durable_cb, &t->a);
		gw_message_free(m);
		return;
	}
	if (t->handed_after == -1 && t->s->cur == NULL)
		t->handed_after = t->ran - 1;
}

START_TEST(test_handover_urgent)
{
	struct event_base *b = evbase_new();
	struct durable_log l;
	struct handover_turn t;
	struct event *ev[HANDOVER_EVENTS];
	char err[512] = "";
	int i;

	memset(&l, 0, sizeof(l));
	l.expect = 1;
	t.s = gw_store_open(b, dbpath, 0, err, sizeof(err));
	ck_assert_msg(t.s != NULL, "open: %s", err);
	t.ran = 0;
	t.handed_after = -1;
	t.a.log = &l;
	t.a.id = 0;
	for (i = 0; i < HANDOVER_EVENTS; i++) {
		ev[i] = event_new(b, -1, 0, handover_turn_cb, &t);
		event_active(ev[i], EV_TIMEOUT, 0);
	}
	while (t.ran < HANDOVER_EVENTS)
		event_base_loop(b, EVLOOP_ONCE);
	ck_assert_int_ge(t.handed_after, 1);
	ck_assert_int_le(t.handed_after, EVBASE_MAX_CALLBACKS);
	run_until(b, &l.done);
	ck_assert_int_eq(l.ok[0], 1);
	gw_store_close(t.s);
	for (i = 0; i < HANDOVER_EVENTS; i++)
		event_free(ev[i]);
	event_base_free(b);
}
END_TEST

/* gw_store_close() commits and runs what waits. */
START_TEST(test_durable_close)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_message *m = plain_message(9, ACCOUNT_A, T0,
	    GW_STATUS_QUEUED), *out = NULL;
	struct durable_log l;
	struct durable_arg a = { &l, 7 };

	memset(&l, 0, sizeof(l));
	l.expect = 1;
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	gw_store_when_durable(s, durable_cb, &a);
	gw_store_close(s);
	ck_assert_int_eq(l.done, 1);
	ck_assert_int_eq(l.ok[0], 1);
	s = open_store(dbpath);
	ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out), 1);
	gw_message_free(out);
	gw_message_free(m);
	gw_store_close(s);
}
END_TEST

static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/*
 * A failing batch is reported not durable as a whole, and none of it is
 * kept: a write that fails (a trigger's ABORT, from another connection)
 * and one that makes sqlite roll the transaction back by itself (as it
 * may on a full disk or an I/O error: a trigger's ROLLBACK), each with
 * a good write in the same batch. The next batch is a fresh one.
 */
START_TEST(test_durable_lost_batch)
{
	static const char *const raises[] = { "ABORT", "ROLLBACK" };
	struct gw_store *s;
	struct gw_message *a = plain_message(1, ACCOUNT_A, T0,
	    GW_STATUS_QUEUED), *b = plain_message(2, ACCOUNT_A, T0,
	    GW_STATUS_QUEUED), *out = NULL;
	struct durable_log l;
	struct durable_arg arg[2] = { { &l, 0 }, { &l, 1 } };
	char sql[256];
	size_t i;

	gw_message_set_body(a, "boom");
	for (i = 0; i < nitems(raises); i++) {
		s = open_store(dbpath);
		snprintf(sql, sizeof(sql), "CREATE TRIGGER boom BEFORE INSERT "
		    "ON messages WHEN NEW.body = 'boom' BEGIN SELECT "
		    "RAISE(%s, 'boom'); END", raises[i]);
		sql_exec(dbpath, sql);
		memset(&l, 0, sizeof(l));
		l.expect = 2;
		ck_assert_int_eq(gw_store_put_message(s, b), 0);
		gw_store_when_durable(s, durable_cb, &arg[0]);
		ck_assert_int_eq(gw_store_put_message(s, a), 0);
		gw_store_when_durable(s, durable_cb, &arg[1]);
		run_until(base, &l.done);
		ck_assert_int_eq(l.ok[0], 0);
		ck_assert_int_eq(l.ok[1], 0);
		ck_assert_msg(strstr(gw_store_error(s), "boom") != NULL ||
		    strstr(gw_store_error(s), "rolled") != NULL,
		    "error: %s", gw_store_error(s));
		ck_assert_uint_eq(gw_store_pending(s), 0);
		ck_assert_int_eq(gw_store_get_message(s, NULL, a->sid, &out),
		    0);
		ck_assert_int_eq(gw_store_get_message(s, NULL, b->sid, &out),
		    0);

		l.done = 0;
		l.expect = 3;
		sql_exec(dbpath, "DROP TRIGGER boom");
		ck_assert_int_eq(gw_store_put_message(s, b), 0);
		gw_store_when_durable(s, durable_cb, &arg[0]);
		ck_assert_int_eq(gw_store_commit(s), 0);
		ck_assert_int_eq(l.ok[2], 1);
		ck_assert_int_eq(gw_store_get_message(s, NULL, b->sid, &out),
		    1);
		gw_message_free(out);
		gw_store_close(s);
		teardown();
		setup();
	}
	gw_message_free(a);
	gw_message_free(b);
}
END_TEST

/*
 * Callbacks run in the order registered across batches: batches handed
 * over one after another (a read hands the open one over at once), and
 * callbacks registered from inside a callback, run after those before.
 */
struct order_ctx {
	struct gw_store	*s;
	struct durable_log *log;
	struct durable_arg late;
	int		 registered;	/* callbacks so far */
	int		 late_at;	/* their count when late came */
};

static void
order_first_cb(void *arg, int ok)
{
	struct order_ctx *c = arg;
	struct durable_arg self = { c->log, 0 };

	durable_cb(&self, ok);
	c->late_at = c->registered++;
	gw_store_when_durable(c->s, durable_cb, &c->late);
}

#define ORDER_BATCHES	6

START_TEST(test_durable_across_batches)
{
	struct gw_store *s = open_store(dbpath);
	struct durable_log l;
	struct durable_arg a[ORDER_BATCHES];
	struct order_ctx ctx;
	struct gw_message *m, *out;
	unsigned i;

	memset(&l, 0, sizeof(l));
	l.expect = ORDER_BATCHES + 1;
	ctx.s = s;
	ctx.log = &l;
	ctx.late.log = &l;
	ctx.late.id = -1;
	ctx.registered = 1;
	gw_store_when_durable(s, order_first_cb, &ctx);
	for (i = 1; i < ORDER_BATCHES; i++) {
		a[i].log = &l;
		a[i].id = (int)i;
		m = plain_message(i, ACCOUNT_A, T0 + i, GW_STATUS_QUEUED);
		ck_assert_int_eq(gw_store_put_message(s, m), 0);
		gw_store_when_durable(s, durable_cb, &a[i]);
		ctx.registered++;
		if (i % 2 == 0) {	/* hands the batch over */
			ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid,
			    &out), 1);
			gw_message_free(out);
		} else
			event_base_loop(base, EVLOOP_NONBLOCK);
		gw_message_free(m);
	}
	run_until(base, &l.done);
	/* The one registered from a callback comes where it was made. */
	ck_assert_int_eq(l.order[ctx.late_at], -1);
	for (i = 0; i <= ORDER_BATCHES; i++) {
		if ((int)i != ctx.late_at)
			ck_assert_int_eq(l.order[i], (int)i -
			    ((int)i > ctx.late_at));
		ck_assert_int_eq(l.ok[i], 1);
	}
	ck_assert_uint_eq(gw_store_pending(s), 0);
	gw_store_close(s);
}
END_TEST

/*
 * A read right after writes sees them, though none is committed yet:
 * several status moves of one message (folded into one write), its
 * events, the delete of another, the outbox.
 */
START_TEST(test_read_after_writes)
{
	static const enum gw_status moves[] = { GW_STATUS_SENDING,
	    GW_STATUS_SENT, GW_STATUS_DELIVERED };
	struct gw_store *s = open_store(dbpath);
	struct gw_message *m = full_message(3), *gone = plain_message(8,
	    ACCOUNT_A, T0, GW_STATUS_QUEUED), *out = NULL;
	struct gw_event_row rows[8];
	uint64_t counts[GW_STATUS_COUNT];
	int pass;
	size_t i;

	ck_assert_int_eq(gw_store_put_message(s, gone), 0);
	ck_assert_int_eq(gw_store_commit(s), 0);
	/* Pass 0: a put and its updates in one batch; pass 1: updates of
	 * a row committed before. */
	for (pass = 0; pass < 2; pass++) {
		m->status = GW_STATUS_QUEUED;
		if (pass == 0)
			ck_assert_int_eq(gw_store_put_message(s, m), 0);
		for (i = 0; i < nitems(moves); i++) {
			m->status = moves[i];
			m->date_updated = T0 + 100 * pass + (int64_t)i;
			m->parts[0].attempts = 10 * (unsigned)pass +
			    (unsigned)i;
			snprintf(m->price, sizeof(m->price), "-0.0%zu", i);
			ck_assert_int_eq(gw_store_update_message(s, m), 0);
			ck_assert_int_eq(gw_store_add_event(s, m->sid,
			    gw_status_name(moves[i]), 0, T0, NULL), 0);
		}
		if (pass == 0)
			ck_assert_int_eq(gw_store_delete_message(s, NULL,
			    gone->sid), 0);
		ck_assert_uint_eq(gw_store_pending(s), (pass == 0 ? 2 : 0) +
		    2 * nitems(moves));
		ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out),
		    1);
		assert_same_message(m, out);
		gw_message_free(out);
		ck_assert_int_eq(gw_store_get_message(s, NULL, gone->sid,
		    &out), 0);
		ck_assert_int_eq(gw_store_list_events(s, m->sid, rows,
		    nitems(rows)), (int)nitems(moves) * (pass + 1));
		ck_assert_int_eq(gw_store_count_by_status(s, counts), 0);
		ck_assert_uint_eq(counts[GW_STATUS_DELIVERED], 1);
		ck_assert_uint_eq(counts[GW_STATUS_QUEUED], 0);
		ck_assert_int_eq(gw_store_commit(s), 0);
	}
	gw_store_close(s);
	s = open_store(dbpath);
	ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out), 1);
	assert_same_message(m, out);
	gw_message_free(out);
	gw_store_close(s);
	gw_message_free(m);
	gw_message_free(gone);
}
END_TEST

/* Close with writes handed over and not: all committed, none lost. */
START_TEST(test_close_pending)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_message *m, *out;
	unsigned i;

	for (i = 0; i < 3000; i++) {
		m = plain_message(i, ACCOUNT_A, T0 + i, GW_STATUS_QUEUED);
		ck_assert_int_eq(gw_store_put_message(s, m), 0);
		ck_assert_int_eq(gw_store_add_event(s, m->sid, "queued", 0,
		    T0, NULL), 0);
		gw_message_free(m);
		if (i == 1000)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
	ck_assert_uint_gt(gw_store_pending(s), 0);
	gw_store_close(s);
	s = open_store(dbpath);
	for (i = 0; i < 3000; i += 499) {
		char sid[GATEWAY_SID_SIZE];

		make_sid(sid, "SM", i);
		ck_assert_int_eq(gw_store_get_message(s, NULL, sid, &out), 1);
		gw_message_free(out);
	}
	gw_store_close(s);
}
END_TEST

/*
 * Kill safety. A child writes, waits for the durability callback, writes
 * once more (never committed), and dies at once from inside the
 * callback: by _exit(), or by SIGKILL. The parent finds every message
 * the child was told was durable, and not the last one.
 */
#define KILL_MESSAGES	500

struct kill_child {
	struct gw_store	*s;
	int		 by_signal;
};

static void
kill_child_durable(void *arg, int ok)
{
	struct kill_child *k = arg;
	struct gw_message *m;

	if (!ok)
		_exit(2);
	m = plain_message(KILL_MESSAGES, ACCOUNT_A, T0, GW_STATUS_QUEUED);
	if (gw_store_put_message(k->s, m) == -1)
		_exit(3);
	if (k->by_signal)
		raise(SIGKILL);
	_exit(0);
}

static void
kill_child_run(int by_signal)
{
	struct event_base *b = event_base_new();
	struct kill_child k;
	struct gw_message *m;
	char err[512];
	unsigned i;
	int never = 0;

	k.by_signal = by_signal;
	if (b == NULL || (k.s = gw_store_open(b, dbpath, 0, err,
	    sizeof(err))) == NULL)
		_exit(4);
	for (i = 0; i < KILL_MESSAGES; i++) {
		m = plain_message(i, ACCOUNT_A, T0 + i, GW_STATUS_QUEUED);
		if (gw_store_put_message(k.s, m) == -1)
			_exit(5);
		gw_message_free(m);
	}
	gw_store_when_durable(k.s, kill_child_durable, &k);
	while (!never)
		event_base_loop(b, EVLOOP_ONCE);
	_exit(6);
}

START_TEST(test_kill_safety)
{
	struct gw_store *s;
	struct gw_message *out;
	char sid[GATEWAY_SID_SIZE];
	unsigned i;
	int by_signal, status;
	pid_t pid;

	for (by_signal = 0; by_signal < 2; by_signal++) {
		s = open_store(dbpath);	/* the schema exists before */
		gw_store_close(s);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			kill_child_run(by_signal);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		if (by_signal)
			ck_assert(WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL);
		else
			ck_assert(WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0);
		s = open_store(dbpath);
		for (i = 0; i <= KILL_MESSAGES; i++) {
			make_sid(sid, "SM", i);
			ck_assert_int_eq(gw_store_get_message(s, ACCOUNT_A, sid,
			    &out), i < KILL_MESSAGES ? 1 : 0);
			gw_message_free(out);
		}
		gw_store_close(s);
		teardown();
		setup();
	}
}
END_TEST

static int
sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

START_TEST(test_migration)
{
	struct gw_store *s;
	char err[512] = "";

	/* An old database: version 0, something of the user's, no tables,
	 * sqlite's default page size, which it keeps. */
	sql_exec(dbpath, "PRAGMA page_size = 4096; PRAGMA user_version = 0;"
	    " CREATE TABLE unrelated (x)");
	s = open_store(dbpath);
	gw_store_close(s);
	ck_assert_int_eq(sql_int(dbpath, "PRAGMA page_size"), 4096);
	ck_assert_int_eq(sql_int(dbpath, "PRAGMA user_version"),
	    GW_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(sql_int(dbpath, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name IN ('messages', 'message_events',"
	    " 'callbacks', 'accounts', 'numbers', 'services', 'meta',"
	    " 'objects')"), 8);

	/* A newer one is refused and left alone. */
	sql_exec(dbpath, "PRAGMA user_version = 7");
	ck_assert_ptr_null(gw_store_open(base, dbpath, 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, "database schema version 7 is newer than "
	    "this carrierlab (3)") != NULL, "err: %s", err);
	ck_assert_msg(strstr(err, dbpath) != NULL, "err: %s", err);
	ck_assert_int_eq(sql_int(dbpath, "PRAGMA user_version"), 7);
}
END_TEST

/* Whether sqlite's program for sql (on the store at path) has opcode. */
static int
sql_has_opcode(sqlite3 *db, const char *sql, const char *opcode)
{
	char explain[4096];
	sqlite3_stmt *st;
	int found = 0;

	snprintf(explain, sizeof(explain), "EXPLAIN %s", sql);
	ck_assert_msg(sqlite3_prepare_v2(db, explain, -1, &st, NULL) ==
	    SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(st, 1),
		    opcode) == 0)
			found = 1;
	sqlite3_finalize(st);
	return found;
}

/*
 * Schema 3: the index of unfinished messages is kept without a
 * temporary B-tree on every put and update (an IN list of six built
 * one each time), recovery's query still uses it, and its statuses are
 * exactly the ones names.h does not call terminal.
 */
START_TEST(test_active_index)
{
#define SQL_OF(name, sql) [GW_STMT_##name] = sql,
	static const char *const stmts[] = { GW_STORE_STATEMENTS(SQL_OF) };
#undef SQL_OF
	char sql[4096], term[64], plan[512] = "";
	sqlite3_stmt *st;
	sqlite3 *db;
	int i;

	for (i = 0; i < GW_STATUS_COUNT; i++) {
		snprintf(term, sizeof(term), "status = '%s'",
		    gw_status_name(i));
		ck_assert_msg((strstr(GW_SQL_ACTIVE, term) != NULL) ==
		    !gw_status_terminal(i), "%s", term);
	}
	gw_store_close(open_store(dbpath));
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	gw_store_message_sql(GW_STMT_MSG_PUT, sql, sizeof(sql));
	ck_assert(!sql_has_opcode(db, sql, "OpenEphemeral"));
	ck_assert(!sql_has_opcode(db, stmts[GW_STMT_MSG_UPDATE],
	    "OpenEphemeral"));
	ck_assert(!sql_has_opcode(db, stmts[GW_STMT_MSG_DELETE],
	    "OpenEphemeral"));

	memcpy(sql, "EXPLAIN QUERY PLAN ", 19);
	gw_store_message_sql(GW_STMT_MSG_ACTIVE, sql + 19, sizeof(sql) - 19);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(plan + strlen(plan), sizeof(plan) - strlen(plan),
		    "%s; ", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	ck_assert_msg(strstr(plan, "USING INDEX messages_active") != NULL,
	    "plan: %s", plan);
	sqlite3_close(db);
}
END_TEST

/* The file says whose it is: the carriers' database is refused, ours is
 * marked; each start counts one generation. */
START_TEST(test_application_and_generation)
{
	struct gw_store *s;
	char err[512] = "";
	uint64_t g = 0;

	sql_exec(dbpath, "PRAGMA application_id = 1129075533");	/* CLSM */
	ck_assert_ptr_null(gw_store_open(base, dbpath, 0, err, sizeof(err)));
	ck_assert_msg(strstr(err, "carriers' database") != NULL, "err: %s",
	    err);
	sql_exec(dbpath, "PRAGMA application_id = 0");
	s = open_store(dbpath);
	ck_assert_int_eq(gw_store_start_generation(s, &g), 0);
	ck_assert_uint_eq(g, 1);
	gw_store_close(s);
	ck_assert_int_eq(sql_int(dbpath, "PRAGMA application_id"),
	    0x434c4757);
	s = open_store(dbpath);
	ck_assert_int_eq(gw_store_start_generation(s, &g), 0);
	ck_assert_uint_eq(g, 2);
	gw_store_close(s);
}
END_TEST

/* 25 messages of A (created two per usec, so sid breaks ties), 5 of B. */
static void
fill_list(struct gw_store *s)
{
	struct gw_message *m;
	unsigned i;

	for (i = 0; i < 30; i++) {
		m = plain_message(i, i < 25 ? ACCOUNT_A : ACCOUNT_B,
		    T0 + i / 2, GW_STATUS_SENT);
		ck_assert_int_eq(gw_store_put_message(s, m), 0);
		gw_message_free(m);
	}
}

/* The sids of a page as the numbers of plain_message(). */
static void
page_numbers(struct gw_message **page, size_t n, unsigned *nums)
{
	size_t i;

	for (i = 0; i < n; i++) {
		nums[i] = (unsigned)strtoul(page[i]->sid + 2, NULL, 16);
		gw_message_free(page[i]);
	}
}

static void
list_page(struct gw_store *s, struct gw_list_query *q, unsigned *nums,
    size_t *n, int *more, int64_t *first_created, char *first_sid,
    int64_t *last_created, char *last_sid)
{
	struct gw_message *page[10];

	ck_assert_uint_le(q->page_size, nitems(page));
	ck_assert_int_eq(gw_store_list_messages(s, q, page, n, more), 0);
	ck_assert_uint_gt(*n, 0);
	*first_created = page[0]->date_created;
	strlcpy(first_sid, page[0]->sid, GATEWAY_SID_SIZE);
	*last_created = page[*n - 1]->date_created;
	strlcpy(last_sid, page[*n - 1]->sid, GATEWAY_SID_SIZE);
	page_numbers(page, *n, nums);
}

START_TEST(test_list_paging)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_list_query q;
	unsigned nums[10], want = 24;
	int64_t fc[3], lc[3];
	char fs[3][GATEWAY_SID_SIZE], ls[3][GATEWAY_SID_SIZE];
	size_t n, i, p;
	int more;

	fill_list(s);
	memset(&q, 0, sizeof(q));
	q.account_sid = ACCOUNT_A;
	q.page_size = 10;
	/* Forwards: 24..15, 14..5, 4..0. */
	for (p = 0; p < 3; p++) {
		list_page(s, &q, nums, &n, &more, &fc[p], fs[p], &lc[p],
		    ls[p]);
		ck_assert_uint_eq(n, p < 2 ? 10 : 5);
		ck_assert_int_eq(more, p < 2);
		for (i = 0; i < n; i++)
			ck_assert_uint_eq(nums[i], want--);
		q.after_created = lc[p];
		strlcpy(q.after_sid, ls[p], sizeof(q.after_sid));
	}
	/* Backwards from page 3's first row: page 2, then page 1. */
	q.after_sid[0] = '\0';
	for (p = 2; p > 0; p--) {
		int64_t c0, c1;
		char s0[GATEWAY_SID_SIZE], s1[GATEWAY_SID_SIZE];

		q.before_created = fc[p];
		strlcpy(q.before_sid, fs[p], sizeof(q.before_sid));
		list_page(s, &q, nums, &n, &more, &c0, s0, &c1, s1);
		ck_assert_uint_eq(n, 10);
		ck_assert_str_eq(s0, fs[p - 1]);
		ck_assert_str_eq(s1, ls[p - 1]);
		ck_assert_int_eq(more, p == 2);
		for (i = 0; i < n; i++)
			ck_assert_uint_eq(nums[i], 24 - (p - 1) * 10 - i);
	}
	gw_store_close(s);
}
END_TEST

START_TEST(test_list_filters)
{
	static const struct {
		const char	*to;
		const char	*from;
		int64_t		 sent_after;
		int64_t		 sent_before;
		unsigned	 page_size;
		size_t		 n;
		int		 more;
		unsigned	 first;
	} cases[] = {
		/* to +14155550000: i % 3 == 0 of 0..24: 9 rows. */
		{ "+14155550000", NULL, 0, 0, 10, 9, 0, 24 },
		{ "+14155550000", NULL, 0, 0, 4, 4, 1, 24 },
		/* from +12125550001: odd i: 12 rows. */
		{ NULL, "+12125550001", 0, 0, 10, 10, 1, 23 },
		{ "+14155550001", "+12125550001", 0, 0, 10, 4, 0, 19 },
		/* date_sent = T0 + i/2 + 1, none when i % 4 == 0. */
		{ NULL, NULL, T0 + 9, 0, 10, 6, 0, 23 },
		{ NULL, NULL, T0 + 10, T0 + 12, 10, 3, 0, 21 },
		{ NULL, NULL, 0, T0 + 3, 10, 3, 0, 3 },
		{ NULL, NULL, 0, T0 + 3, 2, 2, 1, 3 },
		{ "+19999999999", NULL, 0, 0, 10, 0, 0, 0 },
	};
	struct gw_store *s = open_store(":memory:");
	struct gw_message *page[10];
	struct gw_list_query q;
	unsigned nums[10];
	size_t i, n;
	int more;

	fill_list(s);
	for (i = 0; i < nitems(cases); i++) {
		memset(&q, 0, sizeof(q));
		q.account_sid = ACCOUNT_A;
		q.to = cases[i].to;
		q.from = cases[i].from;
		q.sent_after = cases[i].sent_after;
		q.sent_before = cases[i].sent_before;
		q.page_size = cases[i].page_size;
		ck_assert_int_eq(gw_store_list_messages(s, &q, page, &n,
		    &more), 0);
		ck_assert_msg(n == cases[i].n, "case %zu: n %zu", i, n);
		ck_assert_msg(more == cases[i].more, "case %zu: more", i);
		if (n > 0)
			ck_assert_str_eq(page[0]->account_sid, ACCOUNT_A);
		page_numbers(page, n, nums);
		if (n > 0)
			ck_assert_msg(nums[0] == cases[i].first,
			    "case %zu: first %u", i, nums[0]);
	}
	q.page_size = 0;
	ck_assert_int_eq(gw_store_list_messages(s, &q, page, &n, &more), -1);
	ck_assert_str_ne(gw_store_error(s), "");
	gw_store_close(s);
}
END_TEST

struct loaded_messages {
	size_t		 n;
	unsigned	 nums[16];
};

static void
collect_message(struct gw_message *m, void *arg)
{
	struct loaded_messages *l = arg;

	ck_assert_uint_lt(l->n, nitems(l->nums));
	ck_assert_int_eq(gw_status_terminal(m->status), 0);
	l->nums[l->n++] = (unsigned)strtoul(m->sid + 2, NULL, 16);
	gw_message_free(m);
}

START_TEST(test_load_active)
{
	struct gw_store *s = open_store(dbpath);
	struct loaded_messages l;
	uint64_t counts[GW_STATUS_COUNT];
	struct gw_message *m;
	size_t want = 0;
	int st;

	for (st = 0; st < GW_STATUS_COUNT; st++) {
		m = plain_message((unsigned)st, ACCOUNT_A, T0 + st, st);
		ck_assert_int_eq(gw_store_put_message(s, m), 0);
		gw_message_free(m);
		want += !gw_status_terminal(st);
	}
	gw_store_close(s);
	s = open_store(dbpath);
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(gw_store_load_active(s, collect_message, &l),
	    (int)want);
	ck_assert_uint_eq(l.n, want);
	ck_assert_uint_eq(l.nums[0], GW_STATUS_ACCEPTED);
	ck_assert_uint_eq(l.nums[want - 1], GW_STATUS_RECEIVING);
	ck_assert_int_eq(gw_store_count_by_status(s, counts), 0);
	for (st = 0; st < GW_STATUS_COUNT; st++)
		ck_assert_uint_eq(counts[st], 1);
	gw_store_close(s);
}
END_TEST

/*
 * Bytes that are not UTF-8 (an SMSC's message id is only bytes) are
 * stored as U+FFFD and read back; a row made corrupt behind the store's
 * back is an error for get, and is skipped (logged) by recovery.
 */
START_TEST(test_bad_bytes)
{
	struct gw_store *s = open_store(dbpath);
	struct gw_message *m = full_message(5), *out = NULL;
	struct loaded_messages l;

	strlcpy(m->parts[0].smsc_id, "id\xff\xc3(\x01", sizeof(m->parts[0].smsc_id));
	m->status = GW_STATUS_QUEUED;
	ck_assert_int_eq(gw_store_put_message(s, m), 0);
	ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out), 1);
	ck_assert_str_eq(out->parts[0].smsc_id,
	    "id\xef\xbf\xbd\xef\xbf\xbd(\x01");
	gw_message_free(out);
	gw_store_close(s);

	sql_exec(dbpath, "UPDATE messages SET parts = '[{\"state\": 1,'");
	s = open_store(dbpath);
	ck_assert_int_eq(gw_store_get_message(s, NULL, m->sid, &out), -1);
	ck_assert_ptr_null(out);
	ck_assert_msg(strstr(gw_store_error(s), "corrupt parts") != NULL,
	    "error: %s", gw_store_error(s));
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(gw_store_load_active(s, collect_message, &l), 0);
	gw_store_close(s);
	gw_message_free(m);
}
END_TEST

START_TEST(test_put_config)
{
	struct gateway_api_key key = { .sid = "SK1", .secret = "s3cret",
	    .friendly_name = "ci" };
	struct gateway_account acct = { .sid = ACCOUNT_A, .token = "tok",
	    .friendly_name = "main", .keys = &key, .nkeys = 1 };
	struct gateway_number nums[2] = {
		{ .sid = "PN1", .account_sid = ACCOUNT_A,
		    .number = "+14155550100", .kind = GATEWAY_SENDER_LONG_CODE,
		    .country = "US", .capabilities = GATEWAY_CAP_SMS },
		{ .sid = "SC1", .account_sid = ACCOUNT_A, .number = "55555",
		    .kind = GATEWAY_SENDER_SHORT_CODE, .country = "US" },
	};
	char senders[2][GATEWAY_SID_SIZE] = { "PN1", "SC1" };
	struct gateway_service svc = { .sid = "MG1", .account_sid = ACCOUNT_A,
	    .validity_period = 600, .senders = senders, .nsenders = 2 };
	struct gateway_config cfg;
	struct gw_store *s = open_store(dbpath);

	memset(&cfg, 0, sizeof(cfg));
	cfg.accounts = &acct;
	cfg.naccounts = 1;
	cfg.numbers = nums;
	cfg.nnumbers = 2;
	cfg.services = &svc;
	cfg.nservices = 1;
	ck_assert_int_eq(gw_store_put_config(s, &cfg), 0);
	ck_assert_int_eq(gw_store_put_config(s, &cfg), 0);	/* replaces */
	cfg.nnumbers = 1;
	ck_assert_int_eq(gw_store_put_config(s, &cfg), 0);
	gw_store_close(s);
	ck_assert_int_eq(sql_int(dbpath, "SELECT count(*) FROM numbers"), 1);
	ck_assert_int_eq(sql_int(dbpath, "SELECT count(*) FROM services"
	    " WHERE senders = '[\"PN1\",\"SC1\"]'"), 1);
	ck_assert_int_eq(sql_int(dbpath, "SELECT count(*) FROM accounts"
	    " WHERE api_keys LIKE '%SK1%' AND api_keys NOT LIKE '%s3cret%'"),
	    1);
}
END_TEST

static Suite *
gw_store_suite(void)
{
	Suite	*s = suite_create("gw_store");
	TCase	*tc = tcase_create("gw_store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_close);
	tcase_add_test(tc, test_open_failure);
	tcase_add_test(tc, test_message_roundtrip);
	tcase_add_test(tc, test_message_nulls);
	tcase_add_test(tc, test_message_update_delete);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_events_rows);
	tcase_add_test(tc, test_spare_ops);
	tcase_add_test(tc, test_callbacks);
	tcase_add_test(tc, test_callbacks_after);
	tcase_add_test(tc, test_durable_order);
	tcase_add_test(tc, test_durable_linger);
	tcase_add_test(tc, test_carry_over);
	tcase_add_test(tc, test_carry_split);
	tcase_add_test(tc, test_durable_depth);
	tcase_add_test(tc, test_handover_urgent);
	tcase_add_test(tc, test_durable_close);
	tcase_add_test(tc, test_durable_lost_batch);
	tcase_add_test(tc, test_durable_across_batches);
	tcase_add_test(tc, test_read_after_writes);
	tcase_add_test(tc, test_close_pending);
	tcase_add_test(tc, test_kill_safety);
	tcase_add_test(tc, test_migration);
	tcase_add_test(tc, test_active_index);
	tcase_add_test(tc, test_application_and_generation);
	tcase_add_test(tc, test_list_paging);
	tcase_add_test(tc, test_list_filters);
	tcase_add_test(tc, test_load_active);
	tcase_add_test(tc, test_bad_bytes);
	tcase_add_test(tc, test_put_config);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(gw_store_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
