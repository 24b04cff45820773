/*
 * gateway/lifecycle: creation and its refusals, the choice of sender and
 * route, the status sequence and the callbacks it queues, part folding,
 * schedule and validity timers in virtual time, cancel/redact/delete, and
 * recovery from the store after a restart. The real store (a temporary
 * file) is used; outbound and webhooks are fakes defined here that
 * record what the lifecycle asks of them.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/xmalloc.h"
#include "gateway/api.h"
#include "gateway/gateway-internal.h"
#include "gateway/outbound.h"
#include "gateway/services.h"
#include "gateway/store.h"
#include "gateway/webhook.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define AC	"AC00000000000000000000000000000000"
#define MG	"MG00000000000000000000000000000000"
#define START	((int64_t)1798761600 * CLOCK_USEC_PER_SEC) /* 2027-01-01 */

/* ---- Fakes: outbound and webhooks record, nothing goes on a wire. ---- */

struct gw_outbound {
	struct gateway	*gw;
	size_t		 route;
	char		 queued[64][GATEWAY_SID_SIZE];
	size_t		 nqueued;
	size_t		 tracked;
};

struct gw_webhooks {
	char		 log[64][128];		/* "SM...:status:code" */
	size_t		 n;
	size_t		 inbound;		/* inbound webhooks */
	char		 opt_out_type[8];	/* the last one's */
};

static struct gw_outbound *outs[4];

struct gw_outbound *
gw_outbound_new(struct gateway *gw, size_t route)
{
	struct gw_outbound *o = xcalloc(1, sizeof *o);

	o->gw = gw;
	o->route = route;
	outs[route] = o;
	return o;
}

void
gw_outbound_free(struct gw_outbound *o)
{
	outs[o->route] = NULL;
	free(o);
}

void
gw_outbound_shutdown(struct gw_outbound *o, void (*done)(void *), void *a)
{
	(void)o;
	done(a);
}

void
gw_outbound_enqueue(struct gw_outbound *o, struct gw_message *m)
{
	size_t i;

	if (m->nparts == 0) {
		m->nparts = m->num_segments;
		m->parts = xcalloc(m->nparts, sizeof *m->parts);
	}
	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].state == GW_PART_SUBMITTED)
			m->parts[i].state = GW_PART_PENDING;
	if (o->nqueued < nitems(o->queued))
		memcpy(o->queued[o->nqueued++], m->sid, GATEWAY_SID_SIZE);
	m->queued = 1;
}

void
gw_outbound_track(struct gw_outbound *o, struct gw_message *m)
{
	(void)m;
	o->tracked++;
}

void
gw_outbound_remove(struct gw_outbound *o, struct gw_message *m)
{
	(void)o;
	m->queued = 0;
}

const char *gw_outbound_name(const struct gw_outbound *o)
{ return o->gw->cfg.routes[o->route].name; }
size_t gw_outbound_queue_depth(const struct gw_outbound *o)
{ return o->nqueued; }
unsigned gw_outbound_bound(const struct gw_outbound *o)
{ (void)o; return 1; }
unsigned gw_outbound_in_flight(const struct gw_outbound *o)
{ (void)o; return 0; }
void gw_outbound_metrics(const struct gw_outbound *o, struct evbuffer *b)
{ (void)o; (void)b; }
void gw_outbound_metrics_all(struct gw_outbound *const *o, size_t n,
    struct evbuffer *b)
{ (void)o; (void)n; (void)b; }

static struct gw_webhooks *hooks;

struct gw_webhooks *
gw_webhooks_new(struct gateway *gw)
{
	(void)gw;
	hooks = xcalloc(1, sizeof *hooks);
	return hooks;
}

void
gw_webhooks_free(struct gw_webhooks *w)
{
	free(w);
	hooks = NULL;
}

void
gw_webhook_status(struct gw_webhooks *w, const struct gw_message *m,
    const char *url, const char *raw)
{
	(void)url;
	(void)raw;
	if (w->n < nitems(w->log))
		snprintf(w->log[w->n++], sizeof w->log[0], "%s:%d",
		    gw_status_name(m->status), m->error_code);
}

void
gw_webhook_resume(struct gw_webhooks *w, struct gw_callback_row *row)
{
	(void)w;
	gw_callback_row_clear(row);
}

size_t gw_webhooks_pending(const struct gw_webhooks *w)
{ (void)w; return 0; }

void
gw_webhook_inbound(struct gw_webhooks *w, const struct gw_message *in,
    const struct gw_inbound_target *t, gw_inbound_reply_cb reply, void *arg)
{
	(void)in; (void)reply; (void)arg;
	snprintf(w->opt_out_type, sizeof w->opt_out_type, "%s",
	    t->opt_out_type != NULL ? t->opt_out_type : "");
	w->inbound++;
}

int gw_api_handle(struct gateway *gw, struct evhttp_request *r)
{ (void)gw; (void)r; return -1; }

void gw_api_free_scratch(struct gateway *gw)
{ (void)gw; }

/* ---- Fixture. ---- */

static char tmpdir[PATH_MAX];
static char dbpath[PATH_MAX + 16];
static struct event_base *base;
static struct clock *clk;
static struct gateway *gw;
static struct gateway_config cfg;
static struct gateway_number numbers[6];
static struct gateway_service service;
static char senders[6][GATEWAY_SID_SIZE];
static struct gateway_route routes[2];
static char us_prefix[1][GATEWAY_PREFIX_MAX] = { "+1" };
static char gb_prefix[1][GATEWAY_PREFIX_MAX] = { "+44" };
static struct gateway_account account;

static void
number(size_t i, const char *sid, const char *num, enum gateway_sender_kind k,
    const char *country, unsigned caps)
{
	struct gateway_number *n = &numbers[i];

	memset(n, 0, sizeof *n);
	snprintf(n->sid, sizeof n->sid, "%s", sid);
	snprintf(n->account_sid, sizeof n->account_sid, AC);
	snprintf(n->number, sizeof n->number, "%s", num);
	n->kind = k;
	snprintf(n->country, sizeof n->country, "%s", country);
	n->capabilities = caps;
	memcpy(senders[i], n->sid, GATEWAY_SID_SIZE);
}

static void
route(size_t i, const char *name, char (*prefix)[GATEWAY_PREFIX_MAX],
    unsigned kinds)
{
	memset(&routes[i], 0, sizeof routes[i]);
	snprintf(routes[i].name, sizeof routes[i].name, "%s", name);
	routes[i].prefixes = prefix;
	routes[i].nprefixes = 1;
	routes[i].accepts_kinds = kinds;
}

static void
start(void)
{
	char err[256] = "";

	gw = gateway_new(base, clk, &cfg, dbpath, err, sizeof err);
	ck_assert_msg(gw != NULL, "gateway_new: %s", err);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/test_gw_lifecycle.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/gw.db", tmpdir);
	base = event_base_new();
	clk = clock_new(base, CLOCK_MODE_VIRTUAL, START, 1.0);
	gateway_config_defaults(&cfg);
	memset(&account, 0, sizeof account);
	snprintf(account.sid, sizeof account.sid, AC);
	snprintf(account.token, sizeof account.token, "test");
	cfg.accounts = &account;
	cfg.naccounts = 1;
	number(0, "SC00000000000000000000000000000001", "55555",
	    GATEWAY_SENDER_SHORT_CODE, "US", GATEWAY_CAP_SMS);
	number(1, "PN00000000000000000000000000000002", "+14155550100",
	    GATEWAY_SENDER_LONG_CODE, "US", GATEWAY_CAP_SMS | GATEWAY_CAP_MMS);
	number(2, "PN00000000000000000000000000000003", "+447700900100",
	    GATEWAY_SENDER_LONG_CODE, "GB", GATEWAY_CAP_SMS);
	number(3, "AI00000000000000000000000000000004", "CARRIERLAB",
	    GATEWAY_SENDER_ALPHANUMERIC, "", GATEWAY_CAP_SMS);
	cfg.numbers = numbers;
	cfg.nnumbers = 4;
	memset(&service, 0, sizeof service);
	snprintf(service.sid, sizeof service.sid, MG);
	snprintf(service.account_sid, sizeof service.account_sid, AC);
	snprintf(service.status_callback, sizeof service.status_callback,
	    "http://127.0.0.1:9/status");
	service.senders = senders;
	service.nsenders = 4;
	cfg.services = &service;
	cfg.nservices = 1;
	/* US: short and long codes; GB: long codes only, no alpha. */
	route(0, "us", us_prefix, 1u << GATEWAY_SENDER_SHORT_CODE |
	    1u << GATEWAY_SENDER_LONG_CODE);
	route(1, "gb", gb_prefix, 1u << GATEWAY_SENDER_LONG_CODE);
	cfg.routes = routes;
	cfg.nroutes = 2;
	start();
}

static void
stop(void)
{
	gateway_free(gw);
	gw = NULL;
}

/* The scaler's busy count of the pool sender `sender` of MG. */
static unsigned
busy_of(const char *sender)
{
	struct gw_service *s = gw_services_find(gw->services, AC, MG);
	struct gw_sender *snd;

	ck_assert_ptr_nonnull(s);
	TAILQ_FOREACH(snd, &s->senders, entry)
		if (strcmp(snd->sender, sender) == 0)
			return snd->busy;
	ck_abort_msg("%s is not in the pool", sender);
	return 0;
}

static void
teardown(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[PATH_MAX + 32];
	size_t i;

	if (gw != NULL)
		stop();
	clock_free(clk);
	event_base_free(base);
	for (i = 0; i < nitems(suffixes); i++) {
		snprintf(path, sizeof path, "%s%s", dbpath, suffixes[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

struct created {
	int		 called;
	int		 durable;
	char		 sid[GATEWAY_SID_SIZE];
	enum gw_status	 status;
	char		 from[GATEWAY_NUMBER_MAX];
};

static void
on_created(struct gateway *g, struct gw_message *m, int durable, void *arg)
{
	struct created *c = arg;

	(void)g;
	c->called++;
	c->durable = durable;
	memcpy(c->sid, m->sid, sizeof c->sid);
	c->status = m->status;
	snprintf(c->from, sizeof c->from, "%s", m->from);
}

/* Runs the loop until c is called: the store commits on its worker
 * thread, after the next loop turn. */
static void
wait_created(struct created *c)
{
	int i;

	for (i = 0; i < 1000 && c->called == 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(c->called, 1);
}

/* A create request as the API makes it (SmartEncoded not given). */
static void
request_init(struct gw_create_request *req, const char *to,
    const char *from, const char *svc, const char *body)
{
	memset(req, 0, sizeof *req);
	req->account_sid = AC;
	req->to = to;
	req->from = from;
	req->service_sid = svc;
	req->body = body;
	req->smart_encoded = -1;
	req->direction = GW_DIR_OUTBOUND_API;
}

/* Creates req; it must be taken and committed. */
static void
create_request_ok(const struct gw_create_request *req, struct created *c)
{
	struct gw_error e;

	memset(c, 0, sizeof *c);
	ck_assert_msg(gw_lifecycle_create(gw, req, &e, on_created, c) == 0,
	    "%d %s", e.code, e.message);
	wait_created(c);
}

static int
create(const char *to, const char *from, const char *svc, const char *body,
    struct created *c, struct gw_error *e)
{
	struct gw_create_request req;

	request_init(&req, to, from, svc, body);
	memset(c, 0, sizeof *c);
	return gw_lifecycle_create(gw, &req, e, on_created, c);
}

static struct gw_message *
created_ok(const char *to, const char *from, const char *svc,
    const char *body, struct created *c)
{
	struct gw_error e;

	memset(&e, 0, sizeof e);
	ck_assert_msg(create(to, from, svc, body, c, &e) == 0, "%d %s",
	    e.code, e.message);
	ck_assert_int_eq(c->called, 0);		/* never inside the call */
	wait_created(c);
	ck_assert_int_eq(c->durable, 1);
	return gw_active_find(gw, c->sid);
}

static enum gw_status
stored_status(const char *sid, int *code)
{
	struct gw_message *m;
	enum gw_status s;

	ck_assert_int_eq(gw_store_get_message(gw->store, AC, sid, &m), 1);
	s = m->status;
	if (code != NULL)
		*code = m->error_code;
	gw_message_free(m);
	return s;
}

START_TEST(test_refusals)
{
	static const struct {
		const char	*to, *from, *svc;
		int		 code;
	} cases[] = {
		{ "+14155550111", "+14155559999", NULL, 21606 },
		{ "+14155550111", NULL, "MG0000000000000000000000000000dead", 21701 },
		{ "+33612345678", "+14155550100", NULL, 21408 },
		{ "+447700900111", "55555", NULL, 21659 },
		{ "+447700900111", "CARRIERLAB", NULL, 21612 },
	};
	struct created c;
	struct gw_error e;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		memset(&e, 0, sizeof e);
		ck_assert_int_eq(create(cases[i].to, cases[i].from,
		    cases[i].svc, "hi", &c, &e), -1);
		ck_assert_msg(e.code == cases[i].code, "case %zu: %d %s", i,
		    e.code, e.message);
		ck_assert_int_ne(e.http_status, 0);
		ck_assert_str_ne(e.message, "");
	}
	ck_assert_uint_eq(gw->nactive, 0);
}
END_TEST

/* 21621: media from a number not enabled for MMS (the short code and the
 * GB number are SMS only); nothing is created. */
START_TEST(test_media_from_sms_only)
{
	static const char *const froms[] = { "55555", "+447700900100" };
	const char *media[1] = { "https://media.example.com/cat.jpg" };
	struct gw_create_request req;
	struct created c;
	struct gw_error e;
	size_t i;

	/* The US carrier takes MMS: the media go as they are, so the From
	 * must be MMS-capable (with none, the MMS Converter would send the
	 * picture as a link from any number). */
	stop();
	routes[0].accepts_mms = 1;
	start();
	for (i = 0; i < nitems(froms); i++) {
		request_init(&req, "+14155550111", froms[i], NULL,
		    "a picture");
		req.media[0] = media[0];
		req.nmedia = 1;
		memset(&c, 0, sizeof c);
		memset(&e, 0, sizeof e);
		ck_assert_int_eq(gw_lifecycle_create(gw, &req, &e, on_created,
		    &c), -1);
		ck_assert_msg(e.code == 21621, "from %s: %d %s", froms[i],
		    e.code, e.message);
		ck_assert_int_eq(e.http_status, 400);
		ck_assert_ptr_nonnull(strstr(e.message, froms[i]));
	}
	ck_assert_uint_eq(gw->nactive, 0);
}
END_TEST

START_TEST(test_empty_pool)
{
	struct created c;
	struct gw_error e;

	stop();
	service.nsenders = 0;
	start();
	ck_assert_int_eq(create("+14155550111", NULL, MG, "hi", &c, &e), -1);
	ck_assert_int_eq(e.code, 21704);
}
END_TEST

START_TEST(test_queued_without_service)
{
	struct created c;
	struct gw_message *m;

	m = created_ok("+14155550111", "+14155550100", NULL, "hello", &c);
	ck_assert_int_eq(c.status, GW_STATUS_QUEUED);
	ck_assert_str_eq(c.from, "+14155550100");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->route, "us");
	ck_assert_int_eq(m->queued, 1);
	ck_assert_uint_eq(outs[0]->nqueued, 1);
	ck_assert_uint_eq(m->num_segments, 1);
	ck_assert_int_eq(m->data_coding, 0x00);
}
END_TEST

START_TEST(test_service_pool_choice)
{
	struct created c;
	struct gw_message *m;

	/* US: the short code comes first in the pool. */
	m = created_ok("+14155550111", NULL, MG, "hello", &c);
	ck_assert_int_eq(c.status, GW_STATUS_ACCEPTED);
	ck_assert_str_eq(c.from, "");		/* chosen after the 201 */
	ck_assert_str_eq(m->from, "55555");
	ck_assert_int_eq(m->status, GW_STATUS_QUEUED);
	ck_assert_uint_eq(hooks->n, 1);
	ck_assert_str_eq(hooks->log[0], "queued:0");
	ck_assert_ptr_nonnull(m->selection);
	ck_assert_ptr_nonnull(strstr(m->selection, "short code:"));
	ck_assert_uint_eq(busy_of("55555"), 1);
	/* GB: not the US short code (its country only), nor the alpha
	 * sender (the gb carrier takes none): country geomatch. */
	m = created_ok("+447700900111", NULL, MG, "hello", &c);
	ck_assert_str_eq(m->from, "+447700900100");
	ck_assert_str_eq(m->route, "gb");
	ck_assert_ptr_nonnull(strstr(m->selection, "country:"));
	/* Accepted by the carrier: the scaler no longer counts it busy. */
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "g1");
	ck_assert_uint_eq(busy_of("+447700900100"), 0);
	ck_assert_uint_eq(busy_of("55555"), 1);
}
END_TEST

/* A short code's UNDELIV (30005) goes again from a long code: the
 * undelivered attempt is reported, then the long code's path. */
START_TEST(test_fallback_long_code)
{
	struct gw_receipt undeliv = { "UNDELIV", "001", -1, -1, 0, "" };
	struct gw_receipt ok = { "DELIVRD", "000", -1, -1, 0, "" };
	static const char *const want[] = { "queued:0", "sending:0",
	    "sent:0", "undelivered:30005", "queued:0", "sending:0", "sent:0",
	    "delivered:0" };
	struct gw_event_row ev[16];
	struct gw_message *m;
	struct created c;
	char sid[GATEWAY_SID_SIZE];
	int code = -1, n;
	size_t i;

	stop();
	service.fallback_to_long_code = 1;
	start();
	m = created_ok("+14155550111", NULL, MG, "hello", &c);
	memcpy(sid, m->sid, sizeof sid);
	ck_assert_str_eq(m->from, "55555");
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "s1");
	gw_lifecycle_receipt(gw, m, 0, &undeliv);
	ck_assert_ptr_eq(gw_active_find(gw, sid), m);
	ck_assert_str_eq(m->from, "+14155550100");
	ck_assert_str_eq(m->route, "us");
	ck_assert_uint_eq(m->fallbacks, 1);
	ck_assert_int_eq(m->status, GW_STATUS_QUEUED);
	ck_assert_int_eq(m->parts[0].state, GW_PART_PENDING);
	ck_assert_ptr_nonnull(strstr(m->selection, "fallback: short code "
	    "55555 undelivered (30005)"));
	ck_assert_uint_eq(busy_of("55555"), 0);
	ck_assert_uint_eq(busy_of("+14155550100"), 1);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "l1");
	gw_lifecycle_receipt(gw, m, 0, &ok);
	ck_assert_ptr_null(gw_active_find(gw, sid));
	ck_assert_int_eq(stored_status(sid, &code), GW_STATUS_DELIVERED);
	ck_assert_int_eq(code, 0);
	ck_assert_uint_eq(hooks->n, sizeof want / sizeof want[0]);
	for (i = 0; i < hooks->n; i++)
		ck_assert_str_eq(hooks->log[i], want[i]);
	n = gw_store_list_events(gw->store, sid, ev, 16);
	ck_assert_int_eq(n, 9);		/* accepted first, no callback */
	ck_assert_str_eq(ev[4].status, "undelivered");
	ck_assert_int_eq(ev[4].error_code, 30005);
	ck_assert_str_eq(ev[8].status, "delivered");
}
END_TEST

/* No fallback: a long code's UNDELIV, an ineligible code, the service
 * setting off. */
START_TEST(test_fallback_not_taken)
{
	struct gw_receipt rejectd = { "REJECTD", "000", -1, -1, 0, "" };
	struct gw_receipt undeliv = { "UNDELIV", "001", -1, -1, 0, "" };
	struct gw_message *m;
	struct created c;
	char sid[GATEWAY_SID_SIZE];
	int code = 0;

	stop();
	service.fallback_to_long_code = 1;
	cfg.fallback_codes[0] = 30003;		/* 30005 is not eligible */
	start();
	m = created_ok("+14155550111", NULL, MG, "hello", &c);
	memcpy(sid, m->sid, sizeof sid);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "s1");
	gw_lifecycle_receipt(gw, m, 0, &undeliv);
	ck_assert_int_eq(stored_status(sid, &code), GW_STATUS_UNDELIVERED);
	ck_assert_int_eq(code, 30005);
	/* Failed (REJECTD) is not undelivered: no second try either. */
	stop();
	cfg.fallback_codes[0] = 0;
	start();
	m = created_ok("+14155550112", NULL, MG, "hello", &c);
	memcpy(sid, m->sid, sizeof sid);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "s2");
	gw_lifecycle_receipt(gw, m, 0, &rejectd);
	ck_assert_ptr_null(gw_active_find(gw, sid));
	ck_assert_int_ne(stored_status(sid, &code), GW_STATUS_DELIVERED);
	/* Setting off. */
	stop();
	service.fallback_to_long_code = 0;
	start();
	m = created_ok("+14155550113", NULL, MG, "hello", &c);
	memcpy(sid, m->sid, sizeof sid);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "s3");
	gw_lifecycle_receipt(gw, m, 0, &undeliv);
	ck_assert_ptr_null(gw_active_find(gw, sid));
	ck_assert_int_eq(stored_status(sid, &code), GW_STATUS_UNDELIVERED);
}
END_TEST

START_TEST(test_delivered_sequence)
{
	struct gw_receipt r = { "DELIVRD", "000", -1, -1, 0, "2701010000" };
	struct created c;
	struct gw_message *m;
	char sid[GATEWAY_SID_SIZE];
	int code = -1;

	/* Two parts: 200 GSM characters. */
	m = created_ok("+14155550111", NULL, MG, "0123456789012345678901234"
	    "5678901234567890123456789012345678901234567890123456789012345678"
	    "9012345678901234567890123456789012345678901234567890123456789012"
	    "34567890123456789012345678901234567890123", &c);
	memcpy(sid, m->sid, sizeof sid);
	ck_assert_uint_eq(m->nparts, 2);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "1");
	ck_assert_int_eq(m->status, GW_STATUS_SENDING);
	gw_lifecycle_part_accepted(gw, m, 1, "2");
	ck_assert_int_eq(m->status, GW_STATUS_SENT);
	ck_assert_int_ne(m->date_sent, 0);
	ck_assert_str_eq(m->price, "-0.01580");
	gw_lifecycle_receipt(gw, m, 0, &r);
	ck_assert_int_eq(m->status, GW_STATUS_SENT);
	gw_lifecycle_receipt(gw, m, 1, &r);
	ck_assert_ptr_null(gw_active_find(gw, sid));
	ck_assert_int_eq(stored_status(sid, &code), GW_STATUS_DELIVERED);
	ck_assert_int_eq(code, 0);
	ck_assert_uint_eq(hooks->n, 4);
	ck_assert_str_eq(hooks->log[0], "queued:0");
	ck_assert_str_eq(hooks->log[1], "sending:0");
	ck_assert_str_eq(hooks->log[2], "sent:0");
	ck_assert_str_eq(hooks->log[3], "delivered:0");
}
END_TEST

START_TEST(test_worst_part_wins)
{
	struct gw_receipt ok = { "DELIVRD", "000", -1, -1, 0, "" };
	struct gw_receipt bad = { "UNDELIV", "001", -1, -1, 0, "" };
	struct gw_message *m;
	struct created c;
	char sid[GATEWAY_SID_SIZE], body[400];
	int code = 0;

	memset(body, 'x', 300);
	body[300] = '\0';
	m = created_ok("+14155550111", "+14155550100", NULL, body, &c);
	memcpy(sid, m->sid, sizeof sid);
	ck_assert_uint_eq(m->nparts, 2);
	gw_lifecycle_sending(gw, m);
	/* A receipt before the last response still folds in order. */
	gw_lifecycle_part_accepted(gw, m, 0, "a1");
	gw_lifecycle_receipt(gw, m, 0, &bad);
	gw_lifecycle_part_accepted(gw, m, 1, "a2");
	gw_lifecycle_receipt(gw, m, 1, &ok);
	ck_assert_int_eq(stored_status(sid, &code), GW_STATUS_UNDELIVERED);
	ck_assert_int_ne(code, 0);
}
END_TEST

START_TEST(test_submit_rejected)
{
	struct gw_message *m;
	struct created c;
	char sid[GATEWAY_SID_SIZE];
	int code = 0;

	m = created_ok("+14155550111", "+14155550100", NULL, "x", &c);
	memcpy(sid, m->sid, sizeof sid);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_rejected(gw, m, 0, 0x0000000B); /* RINVDSTADR */
	ck_assert_int_eq(stored_status(sid, &code), GW_STATUS_FAILED);
	ck_assert_int_ne(code, 0);
	ck_assert_ptr_null(gw_active_find(gw, sid));
}
END_TEST

START_TEST(test_validity_expiry)
{
	struct gw_create_request req;
	struct created c;
	int code = 0;

	request_init(&req, "+14155550111", "+14155550100", NULL, "late");
	req.validity_period = 5;
	create_request_ok(&req, &c);
	/* Nobody sends it: the carrier is down. Jump five seconds. */
	while (clock_now(clk) < START + 5 * CLOCK_USEC_PER_SEC &&
	    clock_virtual_step(clk) > 0)
		;
	ck_assert_int_eq(stored_status(c.sid, &code), GW_STATUS_FAILED);
	ck_assert_int_eq(code, 30036);
}
END_TEST

/* The service's validity period when the message gives none; the
 * message's own wins over it. */
/* Smart Encoding: the request's SmartEncoded, else the service's
 * smart_encoding; the body as sent, its encoding and segments. */
START_TEST(test_smart_encoding)
{
	static const char word[] = "\u201cHello\u201d \u2014 it\u2019s "
	    "here\u2026";
	struct gw_create_request req;
	struct created c;
	struct gw_message *m;

	request_init(&req, "+14155550111", "+14155550100", NULL, word);
	req.smart_encoded = 1;
	create_request_ok(&req, &c);
	m = gw_active_find(gw, c.sid);
	ck_assert_str_eq(m->body, "\"Hello\" - it's here...");
	ck_assert_int_eq(m->data_coding, 0x00);
	ck_assert_int_eq(m->smart_encoded, 1);
	/* Not asked, service off: UCS-2 as written. */
	m = created_ok("+14155550112", NULL, MG, word, &c);
	ck_assert_str_eq(m->body, word);
	ck_assert_int_eq(m->data_coding, 0x08);
	/* The service's setting, and SmartEncoded=false over it. */
	stop();
	service.smart_encoding = 1;
	start();
	m = created_ok("+14155550113", NULL, MG, word, &c);
	ck_assert_int_eq(m->data_coding, 0x00);
	req.from = NULL;
	req.service_sid = MG;
	req.smart_encoded = 0;
	create_request_ok(&req, &c);
	ck_assert_int_eq(gw_active_find(gw, c.sid)->data_coding, 0x08);
}
END_TEST

static int
create_media(const char *to, const char *from, const char *svc,
    int shorten, struct created *c, struct gw_error *e)
{
	struct gw_create_request req;

	request_init(&req, to, from, svc, "see https://example.com/a.");
	memset(c, 0, sizeof *c);
	req.media[0] = "https://media.example/cat.png";
	req.nmedia = 1;
	req.shorten_urls = shorten;
	return gw_lifecycle_create(gw, &req, e, on_created, c);
}

/* No route of +1 takes MMS: with the converter of the From's (or the
 * pool's) service a 7-character link per medium is appended and the
 * message goes as SMS (still MM...); with it off, 30011. */
START_TEST(test_mms_converter)
{
	struct created c;
	struct gw_error e;
	struct gw_message *m;
	const char *link;

	/* From a pool number: its service's converter, off. */
	ck_assert_int_eq(create_media("+14155550111", "+14155550100", NULL, 0,
	    &c, &e), -1);
	ck_assert_int_eq(e.code, 30011);
	stop();
	service.mms_converter = 1;
	start();
	ck_assert_int_eq(create_media("+14155550111", "+14155550100", NULL, 0,
	    &c, &e), 0);
	wait_created(&c);
	m = gw_active_find(gw, c.sid);
	ck_assert_int_eq(strncmp(m->sid, "MM", 2), 0);
	ck_assert_int_eq(m->mms_converted, 1);
	ck_assert_uint_eq(m->num_media, 1);
	link = strstr(m->body, "\nhttp://127.0.0.1:8080/m/");
	ck_assert_ptr_nonnull(link);
	ck_assert_uint_eq(strlen(link + strlen("\nhttp://127.0.0.1:8080/m/")),
	    7);
	ck_assert_int_eq(m->data_coding, 0x00);
	ck_assert_uint_eq(m->num_segments, 1);
	ck_assert_str_eq(m->route, "us");
	/* Through the pool: the service's converter. */
	ck_assert_int_eq(create_media("+14155550112", NULL, MG, 0, &c, &e),
	    0);
	wait_created(&c);
	/* ShortenUrls with a service that has no link domain: 30101. */
	ck_assert_int_eq(create_media("+14155550113", NULL, MG, 1, &c, &e),
	    -1);
	ck_assert_int_eq(e.code, 30101);
}
END_TEST

START_TEST(test_validity_of_service)
{
	struct gw_message *m;
	struct created c, d;
	struct gw_create_request req;
	int code = 0;

	stop();
	service.validity_period = 3;
	start();
	m = created_ok("+14155550111", NULL, MG, "soon", &c);
	ck_assert_uint_eq(m->validity_period, 3);
	request_init(&req, "+14155550112", NULL, MG, "later");
	req.validity_period = 60;
	create_request_ok(&req, &d);
	while (clock_now(clk) < START + 3 * CLOCK_USEC_PER_SEC &&
	    clock_virtual_step(clk) > 0)
		;
	ck_assert_int_eq(stored_status(c.sid, &code), GW_STATUS_FAILED);
	ck_assert_int_eq(code, 30036);
	ck_assert_int_eq(stored_status(d.sid, &code), GW_STATUS_QUEUED);
	while (clock_now(clk) < START + 60 * CLOCK_USEC_PER_SEC &&
	    clock_virtual_step(clk) > 0)
		;
	ck_assert_int_eq(stored_status(d.sid, &code), GW_STATUS_FAILED);
	ck_assert_int_eq(code, 30036);
}
END_TEST

START_TEST(test_schedule_and_cancel)
{
	struct gw_create_request req;
	struct created c, d;
	struct gw_error e;
	struct gw_message *m;

	memset(&req, 0, sizeof req);
	req.account_sid = AC;
	req.to = "+14155550111";
	req.service_sid = MG;
	req.body = "later";
	req.schedule_fixed = 1;
	req.send_at = START + 3600 * CLOCK_USEC_PER_SEC;
	req.direction = GW_DIR_OUTBOUND_API;
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(gw_lifecycle_create(gw, &req, &e, on_created, &c), 0);
	wait_created(&c);
	ck_assert_int_eq(c.status, GW_STATUS_SCHEDULED);
	req.send_at += 60 * CLOCK_USEC_PER_SEC;
	memset(&d, 0, sizeof d);
	ck_assert_int_eq(gw_lifecycle_create(gw, &req, &e, on_created, &d), 0);
	wait_created(&d);
	ck_assert_int_eq(gw_lifecycle_cancel(gw, AC, d.sid, &e), 0);
	ck_assert_int_eq(stored_status(d.sid, NULL), GW_STATUS_CANCELED);
	ck_assert_int_eq(gw_lifecycle_cancel(gw, AC, d.sid, &e), -1);
	ck_assert_int_eq(e.code, 30409);
	ck_assert_int_eq(clock_virtual_step(clk), 1);
	m = gw_active_find(gw, c.sid);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->status, GW_STATUS_QUEUED);
	ck_assert_str_eq(m->from, "55555");
	ck_assert_int_eq(clock_now(clk), START + 3600 * CLOCK_USEC_PER_SEC);
	ck_assert_int_eq(gw_lifecycle_cancel(gw, AC, c.sid, &e), -1);
	ck_assert_int_eq(e.code, 30409);
}
END_TEST

START_TEST(test_redact_and_delete)
{
	struct gw_receipt ok = { "DELIVRD", "000", -1, -1, 0, "" };
	struct gw_message *m, *s;
	struct created c;
	struct gw_error e;
	char sid[GATEWAY_SID_SIZE];

	m = created_ok("+14155550111", "+14155550100", NULL, "secret", &c);
	memcpy(sid, m->sid, sizeof sid);
	ck_assert_int_eq(gw_lifecycle_delete(gw, AC, sid, &e), -1);
	ck_assert_int_eq(e.code, 20009);
	ck_assert_int_eq(gw_lifecycle_redact(gw, AC, sid, &e), 0);
	ck_assert_int_eq(gw_store_get_message(gw->store, AC, sid, &s), 1);
	ck_assert_str_eq(s->body, "");
	gw_message_free(s);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "9");
	gw_lifecycle_receipt(gw, m, 0, &ok);
	ck_assert_int_eq(gw_lifecycle_delete(gw, AC, sid, &e), 0);
	ck_assert_int_eq(gw_store_get_message(gw->store, AC, sid, &s), 0);
	ck_assert_int_eq(gw_lifecycle_delete(gw, AC, sid, &e), -1);
	ck_assert_int_eq(e.code, 20404);
}
END_TEST

START_TEST(test_recovery)
{
	struct gw_message *m;
	struct created a, b, x;
	char sent[GATEWAY_SID_SIZE], queued[GATEWAY_SID_SIZE];
	struct gw_create_request req;

	m = created_ok("+14155550111", "+14155550100", NULL, "one", &a);
	memcpy(queued, m->sid, sizeof queued);
	m = created_ok("+14155550112", "+14155550100", NULL, "two", &b);
	memcpy(sent, m->sid, sizeof sent);
	gw_lifecycle_sending(gw, m);
	gw_lifecycle_part_accepted(gw, m, 0, "77");
	/* A third expires while the gateway is down. */
	request_init(&req, "+14155550113", "+14155550100", NULL, "three");
	req.validity_period = 10;
	create_request_ok(&req, &x);
	stop();
	clock_free(clk);
	clk = clock_new(base, CLOCK_MODE_VIRTUAL, START + 60 *
	    CLOCK_USEC_PER_SEC, 1.0);
	start();
	ck_assert_uint_eq(gw->nactive, 2);
	m = gw_active_find(gw, queued);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->queued, 1);
	m = gw_active_find(gw, sent);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->status, GW_STATUS_SENT);
	ck_assert_str_eq(m->parts[0].smsc_id, "77");
	ck_assert_uint_eq(outs[0]->tracked, 1);
	ck_assert_int_eq(stored_status(x.sid, NULL), GW_STATUS_FAILED);
	/* The restart draws new sids, never the first run's again. */
	m = created_ok("+14155550114", "+14155550100", NULL, "four", &b);
	ck_assert_str_ne(b.sid, a.sid);
	ck_assert_str_ne(b.sid, sent);
}
END_TEST

/* Twilio's "drop": a service without inbound_request_url neither logs
 * nor receives; a number of no service keeps the message. */
START_TEST(test_inbound_dropped)
{
	struct gw_message *list[4];
	struct gw_list_query q;
	size_t n = 0, i;
	int more = 0;

	gw_lifecycle_inbound(gw, "us", "14155550199", "14155550100", "hi",
	    1);
	ck_assert_uint_eq(gw->metrics.inbound_dropped, 1);
	ck_assert_uint_eq(gw->metrics.inbound, 0);
	stop();
	service.nsenders = 1;			/* +1415... leaves the pool */
	start();
	gw_lifecycle_inbound(gw, "us", "14155550199", "14155550100", "hi",
	    1);
	ck_assert_uint_eq(gw->metrics.inbound_dropped, 0);
	memset(&q, 0, sizeof q);
	q.account_sid = AC;
	q.page_size = 4;
	ck_assert_int_eq(gw_store_list_messages(gw->store, &q, list, &n,
	    &more), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0]->service_sid, "");
	for (i = 0; i < n; i++)
		gw_message_free(list[i]);
}
END_TEST

/* The active outbound-reply to `to`, or NULL. */
static struct gw_message *
reply_to(const char *to)
{
	struct gw_message *m;

	RB_FOREACH(m, gw_message_tree, &gw->active)
		if (m->direction == GW_DIR_OUTBOUND_REPLY &&
		    strcmp(m->to, to) == 0)
			return m;
	return NULL;
}

/* STOP opts the handset out of the whole pool (21610 from any of its
 * senders), is confirmed from the number it was sent to, and still
 * reaches the webhook with OptOutType; START lifts it. */
START_TEST(test_optout_keywords)
{
	struct created c;
	struct gw_error e;
	struct gw_message *m;

	stop();
	snprintf(service.inbound_request_url,
	    sizeof service.inbound_request_url, "http://127.0.0.1:9/in");
	start();
	gw_lifecycle_inbound(gw, "us", "14155550199", "14155550100",
	    " stop ", 1);
	ck_assert_uint_eq(hooks->inbound, 1);
	ck_assert_str_eq(hooks->opt_out_type, "STOP");
	ck_assert_int_eq(gw_store_commit(gw->store), 0);
	ck_assert_ptr_nonnull(m = reply_to("+14155550199"));
	ck_assert_str_eq(m->from, "+14155550100");
	ck_assert_ptr_nonnull(strstr(m->body, "unsubscribed"));
	ck_assert_int_eq(create("+14155550199", NULL, MG, "hi", &c, &e), -1);
	ck_assert_int_eq(e.code, 21610);
	ck_assert_int_eq(create("+14155550199", "55555", NULL, "hi", &c, &e),
	    -1);
	ck_assert_int_eq(e.code, 21610);
	/* Another handset is not concerned. */
	ck_assert_ptr_nonnull(created_ok("+14155550198", NULL, MG, "hi",
	    &c));
	/* A sentence is not a keyword. */
	gw_lifecycle_inbound(gw, "us", "14155550198", "14155550100",
	    "stop it", 1);
	ck_assert_str_eq(hooks->opt_out_type, "");
	ck_assert_ptr_nonnull(created_ok("+14155550198", NULL, MG, "hi",
	    &c));
	gw_lifecycle_inbound(gw, "us", "14155550199", "55555", "START", 1);
	ck_assert_str_eq(hooks->opt_out_type, "START");
	ck_assert_ptr_nonnull(created_ok("+14155550199", NULL, MG, "hi",
	    &c));
}
END_TEST

START_TEST(test_inbound_stored)
{
	struct gw_message *list[4];
	struct gw_list_query q;
	size_t n = 0, i;
	int more = 0;

	/* The pool's service has an inbound webhook: kept and posted. */
	stop();
	snprintf(service.inbound_request_url,
	    sizeof service.inbound_request_url, "http://127.0.0.1:9/in");
	start();
	gw_lifecycle_inbound(gw, "us", "14155550199", "14155550100", "hello",
	    1);
	gw_lifecycle_inbound(gw, "us", "14155550199", "19995550100", "lost",
	    1);
	memset(&q, 0, sizeof q);
	q.account_sid = AC;
	q.page_size = 4;
	ck_assert_int_eq(gw_store_list_messages(gw->store, &q, list, &n,
	    &more), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0]->from, "+14155550199");
	ck_assert_str_eq(list[0]->to, "+14155550100");
	ck_assert_str_eq(list[0]->body, "hello");
	ck_assert_int_eq(list[0]->direction, GW_DIR_INBOUND);
	ck_assert_int_eq(list[0]->status, GW_STATUS_RECEIVED);
	ck_assert_str_eq(list[0]->service_sid, MG);
	for (i = 0; i < n; i++)
		gw_message_free(list[i]);
}
END_TEST

static Suite *
lifecycle_suite(void)
{
	Suite *s = suite_create("gw_lifecycle");
	TCase *tc = tcase_create("lifecycle");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_media_from_sms_only);
	tcase_add_test(tc, test_empty_pool);
	tcase_add_test(tc, test_queued_without_service);
	tcase_add_test(tc, test_service_pool_choice);
	tcase_add_test(tc, test_fallback_long_code);
	tcase_add_test(tc, test_fallback_not_taken);
	tcase_add_test(tc, test_delivered_sequence);
	tcase_add_test(tc, test_worst_part_wins);
	tcase_add_test(tc, test_submit_rejected);
	tcase_add_test(tc, test_validity_expiry);
	tcase_add_test(tc, test_validity_of_service);
	tcase_add_test(tc, test_smart_encoding);
	tcase_add_test(tc, test_mms_converter);
	tcase_add_test(tc, test_schedule_and_cancel);
	tcase_add_test(tc, test_redact_and_delete);
	tcase_add_test(tc, test_recovery);
	tcase_add_test(tc, test_inbound_stored);
	tcase_add_test(tc, test_inbound_dropped);
	tcase_add_test(tc, test_optout_keywords);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lifecycle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
