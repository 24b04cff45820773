/*
 * The store's schema and its migrations, and the configuration tables.
 *
 * gw_store_migrations[v] takes a database from PRAGMA user_version v to
 * v + 1, in one transaction with the version bump, so a crash half-way
 * leaves the older version whole. A database newer than this program is
 * refused rather than misread.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "gateway/gateway.h"
#include "gateway/store-internal.h"

#define GW_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const gw_store_migrations[] = {
	/*
	 * 0 -> 1: the first schema. Times are clock microseconds; NULL is
	 * Twilio's null (no error code, not sent yet, no route, no price).
	 * The listing index ends in (date_created DESC, sid DESC), the
	 * order of the API's pages, so a page is one index range.
	 */
	"CREATE TABLE messages ("
	"  sid TEXT PRIMARY KEY,"
	"  account_sid TEXT NOT NULL,"
	"  service_sid TEXT,"
	"  \"to\" TEXT NOT NULL,"
	"  \"from\" TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  direction TEXT NOT NULL,"
	"  error_code INTEGER,"
	"  date_created INTEGER NOT NULL,"
	"  date_updated INTEGER NOT NULL,"
	"  date_sent INTEGER,"
	"  send_at INTEGER,"
	"  valid_until INTEGER,"
	"  validity_period INTEGER NOT NULL,"
	"  num_segments INTEGER NOT NULL,"
	"  num_media INTEGER NOT NULL,"
	"  media TEXT NOT NULL,"		/* JSON array of URLs */
	"  status_callback TEXT,"
	"  data_coding INTEGER NOT NULL,"
	"  smart_encoded INTEGER NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  route TEXT,"
	"  price TEXT,"
	"  parts TEXT NOT NULL) WITHOUT ROWID;"	/* parts: JSON array */
	"CREATE INDEX messages_list ON messages"
	"  (account_sid, date_created DESC, sid DESC);"
	/*
	 * The filters' indexes are narrow (every index is one more B-tree
	 * each put walks): a number's or a day's messages are few enough
	 * to check the account on and sort. Unsent messages are left out
	 * of the date_sent index until they are sent.
	 */
	"CREATE INDEX messages_to ON messages (\"to\");"
	"CREATE INDEX messages_from ON messages (\"from\");"
	"CREATE INDEX messages_sent ON messages (date_sent)"
	"  WHERE date_sent IS NOT NULL;"
	/* Only messages still on their way: terminal ones leave it, so it
	 * stays small and a status change rarely walks it. */
	"CREATE INDEX messages_active ON messages (status) WHERE status IN"
	"  ('accepted', 'scheduled', 'queued', 'sending', 'sent',"
	"  'receiving');"
	"CREATE TABLE message_events ("
	"  id INTEGER PRIMARY KEY,"
	"  sid TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  error_code INTEGER,"
	"  at INTEGER NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX message_events_sid ON message_events (sid, id);"
	"CREATE TABLE callbacks ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  message_sid TEXT NOT NULL,"
	"  account_sid TEXT NOT NULL,"
	"  url TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  params TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	/* Secrets (auth tokens, key secrets) are not copied here. */
	"CREATE TABLE accounts ("
	"  sid TEXT PRIMARY KEY,"
	"  friendly_name TEXT NOT NULL,"
	"  api_keys TEXT NOT NULL);"		/* JSON [{sid, friendly_name}] */
	"CREATE TABLE numbers ("
	"  sid TEXT PRIMARY KEY,"
	"  account_sid TEXT NOT NULL,"
	"  number TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  country TEXT NOT NULL,"
	"  capabilities INTEGER NOT NULL,"
	"  friendly_name TEXT NOT NULL,"
	"  sms_url TEXT NOT NULL,"
	"  sms_method TEXT NOT NULL,"
	"  sms_fallback_url TEXT NOT NULL,"
	"  sms_fallback_method TEXT NOT NULL,"
	"  status_callback TEXT NOT NULL,"
	"  date_created INTEGER NOT NULL);"
	"CREATE TABLE services ("
	"  sid TEXT PRIMARY KEY,"
	"  account_sid TEXT NOT NULL,"
	"  friendly_name TEXT NOT NULL,"
	"  inbound_request_url TEXT NOT NULL,"
	"  inbound_method TEXT NOT NULL,"
	"  fallback_url TEXT NOT NULL,"
	"  fallback_method TEXT NOT NULL,"
	"  status_callback TEXT NOT NULL,"
	"  sticky_sender INTEGER NOT NULL,"
	"  mms_converter INTEGER NOT NULL,"
	"  smart_encoding INTEGER NOT NULL,"
	"  area_code_geomatch INTEGER NOT NULL,"
	"  fallback_to_long_code INTEGER NOT NULL,"
	"  use_inbound_webhook_on_number INTEGER NOT NULL,"
	"  validity_period INTEGER NOT NULL,"
	"  usecase TEXT NOT NULL,"
	"  senders TEXT NOT NULL);"		/* JSON array of sids */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/*
	 * 1 -> 2: Messaging Services. Every message keeps the trace of its
	 * sender selection (NULL: none, as every row of version 1). The
	 * objects table holds what other modules keep running (services,
	 * pools, sticky mappings, alerts) as JSON bodies: the store knows
	 * their keys, their account, their parent and their age, which is
	 * all it needs to load, delete and list them. Its indexes serve a
	 * service's rows (kind, parent) and an account's list pages
	 * (kind, account_sid, created DESC, key DESC).
	 */
	"ALTER TABLE messages ADD COLUMN selection TEXT;"
	"CREATE TABLE objects ("
	"  kind TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  account_sid TEXT NOT NULL,"
	"  parent TEXT,"
	"  created INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  PRIMARY KEY (kind, key)) WITHOUT ROWID;"
	"CREATE INDEX objects_parent ON objects (kind, parent);"
	"CREATE INDEX objects_list ON objects"
	"  (kind, account_sid, created DESC, key DESC);",
	/*
	 * 2 -> 3: the index of unfinished messages names its statuses with
	 * OR, not IN. sqlite checks a partial index's WHERE on every insert
	 * and update of a row, and an IN list of more than two values is a
	 * temporary B-tree it builds and frees each time: three times a
	 * message on the hot path. A chain of comparisons costs nothing of
	 * the kind, and MSG_ACTIVE, which says the same, still uses it.
	 */
	"DROP INDEX IF EXISTS messages_active;"
	"CREATE INDEX messages_active ON messages (status) WHERE " GW_SQL_ACTIVE ";",
};

static int
gw_store_db_start_generation(struct gw_store_db *s, void *arg)
{
	uint64_t *generation = arg;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_exec(s->db, "INSERT INTO meta (key, value) "
	    "VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE SET "
	    "value = CAST(value AS INTEGER) + 1", NULL, NULL,
	    NULL) != SQLITE_OK)
		return gw_store_fail(s, "generation");
	if (sqlite3_prepare_v2(s->db, "SELECT CAST(value AS INTEGER) FROM "
	    "meta WHERE key = 'generation'", -1, &st, NULL) != SQLITE_OK)
		return gw_store_fail(s, "generation");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*generation = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : gw_store_fail(s, "generation");
}

/* Written at once (a call on the worker, outside any batch). */
int
gw_store_start_generation(struct gw_store *s, uint64_t *generation)
{
	return gw_store_call(s, gw_store_db_start_generation, generation);
}

/* The migrations must reach the version the header promises. */
_Static_assert(GW_NELEM(gw_store_migrations) == GW_STORE_SCHEMA_VERSION,
    "one migration per schema version");

static int
gw_store_schema_version(struct gw_store_db *s, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return gw_store_fail(s, "user_version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else
		gw_store_fail(s, "user_version");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* One step, v -> v + 1, all or nothing. */
static int
gw_store_migrate_step(struct gw_store_db *s, int v)
{
	char bump[64];

	snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL) != SQLITE_OK)
		return gw_store_fail(s, "migrate begin");
	if (sqlite3_exec(s->db, gw_store_migrations[v], NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, bump, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		gw_store_fail(s, "migrate");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* PRAGMA application_id marks the file as the gateway's ("CLGW"), and
 * the carriers' store marks its own ("CLSM"): the two commands default
 * to the same file name, and each refuses the other's database. */
#define GW_STORE_APPLICATION_ID		0x434c4757	/* "CLGW" */
#define GW_STORE_CARRIERS_ID		0x434c534d	/* "CLSM" */

static int
gw_store_int_query(struct gw_store_db *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return gw_store_fail(s, "open");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    gw_store_fail(s, "open");
}

static int
gw_store_application_check(struct gw_store_db *s, int version)
{
	char reason[160];
	int id, ours = 1;

	if (gw_store_int_query(s, "PRAGMA application_id", &id) == -1)
		return -1;
	/* Before the id: ours when it has our events table. */
	if (id == 0 && version > 0 && gw_store_int_query(s, "SELECT count(*) "
	    "FROM sqlite_master WHERE name = 'message_events'", &ours) == -1)
		return -1;
	if (id == GW_STORE_CARRIERS_ID || (id == 0 && !ours))
		return gw_store_failx(s, "open", "this is the simulated "
		    "carriers' database (carrierlab smsc --db, serve "
		    "--smsc-db), not the gateway's: name another file");
	if (id != 0 && id != GW_STORE_APPLICATION_ID) {
		snprintf(reason, sizeof(reason), "not a carrierlab gateway "
		    "database (application_id 0x%08x)", (unsigned)id);
		return gw_store_failx(s, "open", reason);
	}
	if (id == 0 && sqlite3_exec(s->db, "PRAGMA application_id = "
	    "1129072471", NULL, NULL, NULL) != SQLITE_OK)
		return gw_store_fail(s, "open");
	return 0;
}

int
gw_store_migrate(struct gw_store_db *s)
{
	char reason[128];
	int v = 0;

	if (gw_store_schema_version(s, &v) == -1 ||
	    gw_store_application_check(s, v) == -1)
		return -1;
	if (v < 0) {
		snprintf(reason, sizeof(reason), "database schema version %d "
		    "is not one carrierlab wrote", v);
		return gw_store_failx(s, "open", reason);
	}
	if (v > GW_STORE_SCHEMA_VERSION) {
		snprintf(reason, sizeof(reason), "database schema version %d "
		    "is newer than this carrierlab (%d)", v,
		    GW_STORE_SCHEMA_VERSION);
		return gw_store_failx(s, "open", reason);
	}
	for (; v < GW_STORE_SCHEMA_VERSION; v++)
		if (gw_store_migrate_step(s, v) == -1)
			return -1;
	return 0;
}

static int
gw_store_put_account(struct gw_store_db *s, const struct gateway_account *a)
{
	sqlite3_stmt *st = gw_store_stmt(s, GW_STMT_CFG_ACCOUNT);
	struct gw_json *j = &s->json[0];
	size_t i;

	gw_json_reset(j);
	gw_json_raw(j, "[");
	for (i = 0; i < a->nkeys; i++) {
		gw_json_raw(j, i > 0 ? ",{" : "{");
		gw_json_key(j, "sid", 1);
		gw_json_string(j, a->keys[i].sid, sizeof(a->keys[i].sid));
		gw_json_key(j, "friendly_name", 0);
		gw_json_string(j, a->keys[i].friendly_name,
		    sizeof(a->keys[i].friendly_name));
		gw_json_raw(j, "}");
	}
	gw_json_raw(j, "]");
	gw_store_bind_text(st, 1, a->sid, 0);
	gw_store_bind_text(st, 2, a->friendly_name, 0);
	sqlite3_bind_text(st, 3, j->buf, -1, SQLITE_STATIC);
	return gw_store_step_done(s, st, "put account");
}

static int
gw_store_put_number(struct gw_store_db *s, const struct gateway_number *n)
{
	sqlite3_stmt *st = gw_store_stmt(s, GW_STMT_CFG_NUMBER);

	gw_store_bind_text(st, 1, n->sid, 0);
	gw_store_bind_text(st, 2, n->account_sid, 0);
	gw_store_bind_text(st, 3, n->number, 0);
	gw_store_bind_text(st, 4, gateway_sender_kind_name(n->kind), 0);
	gw_store_bind_text(st, 5, n->country, 0);
	gw_store_bind_i64(st, 6, n->capabilities, 0);
	gw_store_bind_text(st, 7, n->friendly_name, 0);
	gw_store_bind_text(st, 8, n->sms_url, 0);
	gw_store_bind_text(st, 9, n->sms_method, 0);
	gw_store_bind_text(st, 10, n->sms_fallback_url, 0);
	gw_store_bind_text(st, 11, n->sms_fallback_method, 0);
	gw_store_bind_text(st, 12, n->status_callback, 0);
	gw_store_bind_i64(st, 13, n->date_created, 0);
	return gw_store_step_done(s, st, "put number");
}

static int
gw_store_put_service(struct gw_store_db *s, const struct gateway_service *v)
{
	sqlite3_stmt *st = gw_store_stmt(s, GW_STMT_CFG_SERVICE);
	struct gw_json *j = &s->json[0];
	size_t i;

	gw_json_reset(j);
	gw_json_raw(j, "[");
	for (i = 0; i < v->nsenders; i++) {
		if (i > 0)
			gw_json_raw(j, ",");
		gw_json_string(j, v->senders[i], sizeof(v->senders[i]));
	}
	gw_json_raw(j, "]");
	gw_store_bind_text(st, 1, v->sid, 0);
	gw_store_bind_text(st, 2, v->account_sid, 0);
	gw_store_bind_text(st, 3, v->friendly_name, 0);
	gw_store_bind_text(st, 4, v->inbound_request_url, 0);
	gw_store_bind_text(st, 5, v->inbound_method, 0);
	gw_store_bind_text(st, 6, v->fallback_url, 0);
	gw_store_bind_text(st, 7, v->fallback_method, 0);
	gw_store_bind_text(st, 8, v->status_callback, 0);
	gw_store_bind_i64(st, 9, v->sticky_sender, 0);
	gw_store_bind_i64(st, 10, v->mms_converter, 0);
	gw_store_bind_i64(st, 11, v->smart_encoding, 0);
	gw_store_bind_i64(st, 12, v->area_code_geomatch, 0);
	gw_store_bind_i64(st, 13, v->fallback_to_long_code, 0);
	gw_store_bind_i64(st, 14, v->use_inbound_webhook_on_number, 0);
	gw_store_bind_i64(st, 15, v->validity_period, 0);
	gw_store_bind_text(st, 16, v->usecase, 0);
	sqlite3_bind_text(st, 17, j->buf, -1, SQLITE_STATIC);
	return gw_store_step_done(s, st, "put service");
}

static int
gw_store_put_config_rows(struct gw_store_db *s,
    const struct gateway_config *cfg)
{
	size_t i;

	if (gw_store_step_done(s, gw_store_stmt(s, GW_STMT_CFG_CLEAR_ACCOUNTS),
	    "clear accounts") == -1 ||
	    gw_store_step_done(s, gw_store_stmt(s, GW_STMT_CFG_CLEAR_NUMBERS),
	    "clear numbers") == -1 ||
	    gw_store_step_done(s, gw_store_stmt(s, GW_STMT_CFG_CLEAR_SERVICES),
	    "clear services") == -1)
		return -1;
	for (i = 0; i < cfg->naccounts; i++)
		if (gw_store_put_account(s, &cfg->accounts[i]) == -1)
			return -1;
	for (i = 0; i < cfg->nnumbers; i++)
		if (gw_store_put_number(s, &cfg->numbers[i]) == -1)
			return -1;
	for (i = 0; i < cfg->nservices; i++)
		if (gw_store_put_service(s, &cfg->services[i]) == -1)
			return -1;
	return 0;
}

/*
 * The configuration is written by the worker while the loop waits (it
 * is written once, at start: copying it into a batch would buy
 * nothing), in a transaction of its own after every batch handed over:
 * a failure half-way leaves the previous configuration, not a mix.
 */
struct gw_config_call {
	const struct gateway_config *cfg;
};

static int
gw_store_db_put_config(struct gw_store_db *s, void *arg)
{
	const struct gw_config_call *c = arg;

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL) != SQLITE_OK)
		return gw_store_fail(s, "put config");
	if (gw_store_put_config_rows(s, c->cfg) == -1) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		gw_store_fail(s, "put config");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int
gw_store_put_config(struct gw_store *s, const struct gateway_config *cfg)
{
	struct gw_config_call c = { cfg };

	return gw_store_call(s, gw_store_db_put_config, &c);
}
