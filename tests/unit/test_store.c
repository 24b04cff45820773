/*
 * carriers/store: sequence numbers, messages and the outbox in sqlite,
 * on a file in a fresh temporary directory (and on ":memory:"). A second
 * connection to the same file shows what is committed.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "carriers/store.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_SEEN	16

static char	tmpdir[PATH_MAX];
static char	dbpath[PATH_MAX + 16];

static void
setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_store.XXXXXX",
	    base != NULL && base[0] != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/carriers.db", tmpdir);
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
}

static struct carrier_store *
open_store(const char *path)
{
	char err[256] = "";
	struct carrier_store *s = carrier_store_open(path, err, sizeof(err));

	ck_assert_msg(s != NULL, "open %s: %s", path, err);
	return s;
}

static uint64_t
next_seq(struct carrier_store *s, const char *carrier)
{
	uint64_t seq = 0;

	ck_assert_int_eq(carrier_store_next_seq(s, carrier, &seq), 0);
	return seq;
}

/* A message with every field set to something distinct. */
static void
fill_message(struct carrier_message *m, const char *carrier,
    const char *id, int state)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	snprintf(m->carrier, sizeof(m->carrier), "%s", carrier);
	snprintf(m->message_id, sizeof(m->message_id), "%s", id);
	m->seq = UINT64_MAX - 1;	/* above INT64_MAX: stored as bits */
	snprintf(m->system_id, sizeof(m->system_id), "%s", "gateway01");
	snprintf(m->source_addr, sizeof(m->source_addr), "%s", "ACME");
	m->source_ton = 5;
	m->source_npi = 0;
	snprintf(m->destination_addr, sizeof(m->destination_addr), "%s",
	    "+14155550100");
	m->dest_ton = 1;
	m->dest_npi = 1;
	m->esm_class = 0x40;
	m->data_coding = 8;
	m->registered_delivery = 0x11;
	m->sm_length = 255;
	for (i = 0; i < sizeof(m->short_message); i++)
		m->short_message[i] = (uint8_t)i;	/* NULs included */
	m->submit_at = INT64_C(1700000000000000);
	m->schedule_at = INT64_C(1700000060000000);
	m->expire_at = INT64_C(1700172800000000);
	m->done_at = -1;
	m->state = state;
	memcpy(m->err, "042", 4);
	m->has_nec = 1;
	m->nec_type = 3;
	m->nec_code = 0xBEEF;
}

START_TEST(test_seq)
{
	struct carrier_store *s = open_store(dbpath);

	ck_assert_uint_eq(next_seq(s, "acme"), 1);
	ck_assert_uint_eq(next_seq(s, "acme"), 2);
	ck_assert_uint_eq(next_seq(s, "other"), 1);
	ck_assert_uint_eq(next_seq(s, "acme"), 3);
	carrier_store_close(s);		/* commits */
	s = open_store(dbpath);
	ck_assert_uint_eq(next_seq(s, "acme"), 4);
	ck_assert_uint_eq(next_seq(s, "other"), 2);
	carrier_store_close(s);
}
END_TEST

START_TEST(test_message_roundtrip)
{
	struct carrier_store *s = open_store(dbpath);
	struct carrier_message in, out;
	uint64_t count = 99;

	fill_message(&in, "acme", "0123456789abcdef", 2);
	ck_assert_int_eq(carrier_store_message_put(s, &in), 0);
	memset(&out, 0xA5, sizeof(out));
	ck_assert_int_eq(carrier_store_message_get(s, "acme",
	    "0123456789abcdef", &out), 0);
	ck_assert_str_eq(out.message_id, "0123456789abcdef");
	ck_assert_uint_eq(out.seq, UINT64_MAX - 1);
	ck_assert_uint_eq(out.sm_length, 255);
	ck_assert_uint_eq(out.nec_code, 0xBEEF);
	ck_assert_int_eq(out.done_at, -1);
	ck_assert(memcmp(&in, &out, sizeof(in)) == 0);

	/* Not found: another id, or the same id at another carrier. */
	ck_assert_int_eq(carrier_store_message_get(s, "acme", "nope", &out),
	    1);
	ck_assert_int_eq(carrier_store_message_get(s, "other",
	    "0123456789abcdef", &out), 1);

	/* Put replaces. */
	in.state = 5;
	in.sm_length = 0;
	memset(in.short_message, 0, sizeof(in.short_message));
	ck_assert_int_eq(carrier_store_message_put(s, &in), 0);
	ck_assert_int_eq(carrier_store_message_get(s, "acme",
	    "0123456789abcdef", &out), 0);
	ck_assert(memcmp(&in, &out, sizeof(in)) == 0);
	ck_assert_int_eq(carrier_store_message_count(s, "acme", &count), 0);
	ck_assert_uint_eq(count, 1);
	fill_message(&in, "acme", "second", 2);
	ck_assert_int_eq(carrier_store_message_put(s, &in), 0);
	ck_assert_int_eq(carrier_store_message_count(s, "acme", &count), 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_int_eq(carrier_store_message_count(s, "other", &count), 0);
	ck_assert_uint_eq(count, 0);
	carrier_store_close(s);
}
END_TEST

/* An MMS's media URLs: kept beside the row, across a replace of the row
 * and a reopen; a message without media has none. */
START_TEST(test_media)
{
	struct carrier_store *s = open_store(dbpath);
	const char *urls = "https://a.example/1.jpg\nhttps://b.example/2";
	struct carrier_message m;
	char *got = (char *)1;
	sqlite3 *db;

	fill_message(&m, "acme", "mms1", 2);
	ck_assert_int_eq(carrier_store_message_put(s, &m), 0);
	ck_assert_int_eq(carrier_store_media_put(s, "acme", "mms1", urls,
	    strlen(urls)), 0);
	ck_assert_int_eq(carrier_store_media_get(s, "acme", "mms1", &got), 0);
	ck_assert_str_eq(got, urls);
	free(got);
	ck_assert_int_eq(carrier_store_media_get(s, "acme", "sms", &got), 1);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(carrier_store_media_get(s, "other", "mms1", &got),
	    1);
	/* replace_sm rewrites the row; the media stay. */
	m.state = 5;
	ck_assert_int_eq(carrier_store_message_put(s, &m), 0);
	carrier_store_close(s);

	s = open_store(dbpath);
	ck_assert_int_eq(carrier_store_media_get(s, "acme", "mms1", &got), 0);
	ck_assert_str_eq(got, urls);
	free(got);
	carrier_store_close(s);

	/* A schema 1 database (before media) is brought to 2. */
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE media; "
	    "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_store(dbpath);
	ck_assert_int_eq(carrier_store_message_get(s, "acme", "mms1", &m), 0);
	ck_assert_int_eq(carrier_store_media_get(s, "acme", "mms1", &got), 1);
	ck_assert_int_eq(carrier_store_media_put(s, "acme", "mms1", "u", 1),
	    0);
	ck_assert_int_eq(carrier_store_media_get(s, "acme", "mms1", &got), 0);
	ck_assert_str_eq(got, "u");
	free(got);
	carrier_store_close(s);
}
END_TEST

/* What foreach handed out, copied. */
struct seen {
	size_t			 n;
	struct carrier_outbox_item items[MAX_SEEN];
	uint8_t			 pdu[MAX_SEEN][8];
	struct carrier_store	*delete_from;	/* delete each item seen */
};

static void
collect(const struct carrier_outbox_item *it, void *arg)
{
	struct seen *seen = arg;

	ck_assert_uint_lt(seen->n, MAX_SEEN);
	seen->items[seen->n] = *it;
	seen->items[seen->n].pdu = NULL;
	if (it->pdu_len > 0) {
		ck_assert_uint_le(it->pdu_len, sizeof(seen->pdu[0]));
		memcpy(seen->pdu[seen->n], it->pdu, it->pdu_len);
	}
	if (seen->delete_from != NULL)
		ck_assert_int_eq(carrier_store_outbox_delete(seen->delete_from,
		    it->id), 0);
	seen->n++;
}

static void
add_item(struct carrier_store *s, const char *carrier, const char *id,
    enum carrier_outbox_kind kind, int64_t due, int64_t *out_id)
{
	static uint8_t pdu[] = { 0, 0, 0, 16, 0, 0, 0, 5 };
	struct carrier_outbox_item it;

	memset(&it, 0, sizeof(it));
	snprintf(it.carrier, sizeof(it.carrier), "%s", carrier);
	snprintf(it.system_id, sizeof(it.system_id), "%s", "gw");
	snprintf(it.message_id, sizeof(it.message_id), "%s", id);
	it.kind = kind;
	it.state = 2;
	it.due = due;
	if (kind == CARRIER_OUTBOX_PDU) {
		it.pdu = pdu;
		it.pdu_len = sizeof(pdu);
	}
	ck_assert_int_eq(carrier_store_outbox_add(s, &it), 0);
	ck_assert_int_gt(it.id, 0);
	*out_id = it.id;
}

/* The ids seen, in order, must be want[0..n). */
static void
expect_order(struct carrier_store *s, const char *carrier,
    const int64_t *want, size_t n)
{
	struct seen seen = { 0 };
	size_t i;

	ck_assert_int_eq(carrier_store_outbox_foreach(s, carrier, collect,
	    &seen), 0);
	ck_assert_uint_eq(seen.n, n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(seen.items[i].id, want[i]);
}

START_TEST(test_outbox)
{
	struct carrier_store *s = open_store(dbpath);
	struct seen seen = { 0 };
	int64_t id[5];

	add_item(s, "acme", "m1", CARRIER_OUTBOX_RECEIPT, 30, &id[0]);
	add_item(s, "acme", "m2", CARRIER_OUTBOX_RECEIPT, 10, &id[1]);
	add_item(s, "acme", "", CARRIER_OUTBOX_PDU, 20, &id[2]);
	add_item(s, "acme", "m1", CARRIER_OUTBOX_RECEIPT, 10, &id[3]);
	add_item(s, "other", "m1", CARRIER_OUTBOX_RECEIPT, 0, &id[4]);
	/* By due, then id; other carriers' items left out. */
	expect_order(s, "acme", (int64_t[]){ id[1], id[3], id[2], id[0] }, 4);
	expect_order(s, "other", (int64_t[]){ id[4] }, 1);
	expect_order(s, "nobody", NULL, 0);

	/* Every field comes back, the PDU too. */
	ck_assert_int_eq(carrier_store_outbox_foreach(s, "acme", collect,
	    &seen), 0);
	ck_assert_int_eq(seen.items[2].kind, CARRIER_OUTBOX_PDU);
	ck_assert_uint_eq(seen.items[2].pdu_len, 8);
	ck_assert_uint_eq(seen.pdu[2][3], 16);
	ck_assert_uint_eq(seen.pdu[2][7], 5);
	ck_assert_int_eq(seen.items[0].kind, CARRIER_OUTBOX_RECEIPT);
	ck_assert_uint_eq(seen.items[0].pdu_len, 0);
	ck_assert_str_eq(seen.items[0].message_id, "m2");
	ck_assert_str_eq(seen.items[0].system_id, "gw");
	ck_assert_str_eq(seen.items[0].carrier, "acme");
	ck_assert_int_eq(seen.items[0].state, 2);
	ck_assert_int_eq(seen.items[0].due, 10);

	/* Update moves an item and counts its attempts. */
	ck_assert_int_eq(carrier_store_outbox_update(s, id[1], 40, 3), 0);
	/* Rows already written change with the next batch: no answer. */
	ck_assert_int_eq(carrier_store_outbox_update(s, 9999, 40, 3), 0);
	expect_order(s, "acme", (int64_t[]){ id[3], id[2], id[0], id[1] }, 4);
	memset(&seen, 0, sizeof(seen));
	carrier_store_outbox_foreach(s, "acme", collect, &seen);
	ck_assert_uint_eq(seen.items[3].attempts, 3);
	ck_assert_int_eq(seen.items[3].due, 40);

	/* Delete one; a missing id is no error. */
	ck_assert_int_eq(carrier_store_outbox_delete(s, id[2]), 0);
	ck_assert_int_eq(carrier_store_outbox_delete(s, id[2]), 0);
	expect_order(s, "acme", (int64_t[]){ id[3], id[0], id[1] }, 3);

	/* cancel_sm: m1's receipts go, m2's and other carriers' stay. */
	add_item(s, "acme", "m1", CARRIER_OUTBOX_PDU, 50, &id[2]);
	ck_assert_int_eq(carrier_store_outbox_delete_message(s, "acme", "m1"),
	    0);
	ck_assert_int_eq(carrier_store_outbox_delete_message(s, "acme", "m9"),
	    0);
	expect_order(s, "acme", (int64_t[]){ id[1], id[2] }, 2);
	expect_order(s, "other", (int64_t[]){ id[4] }, 1);
	carrier_store_close(s);
}
END_TEST

/* fn may change the outbox while foreach walks it. */
START_TEST(test_outbox_foreach_deletes)
{
	struct carrier_store *s = open_store(dbpath);
	struct seen seen = { 0 };
	int64_t id;
	int i;

	for (i = 0; i < 5; i++)
		add_item(s, "acme", "m", CARRIER_OUTBOX_RECEIPT, 5 - i, &id);
	seen.delete_from = s;
	ck_assert_int_eq(carrier_store_outbox_foreach(s, "acme", collect,
	    &seen), 0);
	ck_assert_uint_eq(seen.n, 5);
	ck_assert_int_eq(seen.items[0].due, 1);
	ck_assert_int_eq(seen.items[4].due, 5);
	expect_order(s, "acme", NULL, 0);
	carrier_store_close(s);
}
END_TEST

static int
count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* WAL is a property of the file: a second connection sees it. */
static int
journal_is_wal(sqlite3 *db)
{
	sqlite3_stmt *st;
	int wal = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1,
	    &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		wal = strcmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

/*
 * Writes are grouped until flush; another connection sees them once the
 * worker has committed the flush's batch (carrier_store_sync waits).
 */
START_TEST(test_flush)
{
	struct carrier_store *s = open_store(dbpath);
	struct carrier_message m;
	sqlite3 *peek;
	int64_t id, gone;
	int i;

	ck_assert_int_eq(carrier_store_flush(s), 0);	/* nothing open */
	ck_assert_int_eq(sqlite3_open(dbpath, &peek), SQLITE_OK);
	fill_message(&m, "acme", "m1", 2);
	ck_assert_int_eq(carrier_store_message_put(s, &m), 0);
	add_item(s, "acme", "m1", CARRIER_OUTBOX_RECEIPT, 1, &id);
	next_seq(s, "acme");
	/* Our own connection reads its writes; others do not, yet. */
	ck_assert_int_eq(carrier_store_message_get(s, "acme", "m1", &m), 0);
	ck_assert_int_eq(count_rows(peek, "SELECT count(*) FROM messages"),
	    0);
	/* The counter goes at the next flush, rows after the deferral. */
	ck_assert_int_eq(carrier_store_flush(s), 0);
	ck_assert_int_eq(carrier_store_sync(s), 0);
	ck_assert_int_eq(count_rows(peek,
	    "SELECT next FROM carrier_seq WHERE carrier = 'acme'"), 2);
	ck_assert_int_eq(count_rows(peek, "SELECT count(*) FROM messages"),
	    0);
	for (i = 2; i < CARRIER_STORE_DEFER_FLUSHES; i++)
		ck_assert_int_eq(carrier_store_flush(s), 0);
	ck_assert_int_eq(carrier_store_sync(s), 0);
	ck_assert_int_eq(count_rows(peek, "SELECT count(*) FROM messages"),
	    0);
	ck_assert_int_eq(carrier_store_flush(s), 0);
	ck_assert_int_eq(carrier_store_sync(s), 0);
	ck_assert_int_eq(count_rows(peek, "SELECT count(*) FROM messages"),
	    1);
	ck_assert_int_eq(count_rows(peek, "SELECT count(*) FROM outbox"), 1);
	/* An item gone before its turn never reaches the database. */
	add_item(s, "acme", "m1", CARRIER_OUTBOX_RECEIPT, 1, &gone);
	ck_assert_int_eq(carrier_store_outbox_delete(s, gone), 0);
	for (i = 0; i <= CARRIER_STORE_DEFER_FLUSHES; i++)
		ck_assert_int_eq(carrier_store_flush(s), 0);
	ck_assert_int_eq(carrier_store_sync(s), 0);
	ck_assert_int_eq(count_rows(peek, "SELECT count(*) FROM outbox"), 1);
	ck_assert(journal_is_wal(peek));
	sqlite3_close(peek);
	carrier_store_close(s);

	s = open_store(dbpath);
	ck_assert_int_eq(carrier_store_message_get(s, "acme", "m1", &m), 0);
	ck_assert_int_eq(m.nec_code, 0xBEEF);
	expect_order(s, "acme", (int64_t[]){ id }, 1);
	carrier_store_close(s);
}
END_TEST

START_TEST(test_memory)
{
	struct carrier_store *s = open_store(":memory:");
	struct carrier_message in, out;
	int64_t id;

	ck_assert_uint_eq(next_seq(s, "acme"), 1);
	ck_assert_uint_eq(next_seq(s, "acme"), 2);
	fill_message(&in, "acme", "x", 8);
	ck_assert_int_eq(carrier_store_message_put(s, &in), 0);
	ck_assert_int_eq(carrier_store_flush(s), 0);
	ck_assert_int_eq(carrier_store_message_get(s, "acme", "x", &out), 0);
	ck_assert(memcmp(&in, &out, sizeof(in)) == 0);
	add_item(s, "acme", "x", CARRIER_OUTBOX_PDU, 7, &id);
	expect_order(s, "acme", (int64_t[]){ id }, 1);
	carrier_store_close(s);
	carrier_store_close(NULL);
}
END_TEST

/* Failures at open come back in err, and no store. */
static void
expect_open_fails(const char *path, const char *needle)
{
	char err[256] = "";

	ck_assert_ptr_null(carrier_store_open(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, needle) != NULL, "%s: %s", path, err);
}

START_TEST(test_open_failures)
{
	char path[PATH_MAX + 32];
	sqlite3 *db;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/missing/dir/x.db", tmpdir);
	expect_open_fails(path, "unable to open");

	/* A file that is not a database. */
	fp = fopen(dbpath, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("this is not an sqlite database, not even close, no.\n"
	    "padding padding padding padding padding padding padding\n", fp);
	fclose(fp);
	expect_open_fails(dbpath, "not a database");
	unlink(dbpath);

	/* A schema newer than this program. */
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_open_fails(dbpath, "schema version 99");
	unlink(dbpath);

	/* The gateway's database (carrierlab serve --db). */
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA application_id = "
	    "1129072471", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_open_fails(dbpath, "gateway's database");
}
END_TEST

static Suite *
store_suite(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_seq);
	tcase_add_test(tc, test_message_roundtrip);
	tcase_add_test(tc, test_media);
	tcase_add_test(tc, test_outbox);
	tcase_add_test(tc, test_outbox_foreach_deletes);
	tcase_add_test(tc, test_flush);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_open_failures);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(store_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
