/*
 * gateway/outbound against a real simulated carrier (carriers/) in the
 * same loop, on an ephemeral loopback port, in real time with short
 * timers: bind and submit, segmentation, UCS-2, receipts whose id is in
 * another format, throttling, reconnect, submit timeouts and MO. The
 * lifecycle calls outbound makes are recorded here instead of being
 * made; each test waits on what it expects with a deadline.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "carriers/carrier.h"
#include "carriers/store.h"
#include "common/clock.h"
#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/outbound-internal.h"
#include "gateway/outbound.h"
#include "smpp/segment.h"
#include "smpp/smpp.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MSEC		INT64_C(1000)
#define MAX_CALLS	64
#define DEADLINE	(5000 * MSEC)

/* ---- the lifecycle, recorded ---- */

enum call_kind {
	CALL_SENDING,
	CALL_ACCEPTED,
	CALL_REJECTED,
	CALL_FAILED,
	CALL_RECEIPT,
	CALL_INBOUND,
};

struct call {
	enum call_kind	 kind;
	char		 sid[GATEWAY_SID_SIZE];
	size_t		 part;
	char		 smsc_id[66];
	uint32_t	 status;
	int		 code;
	struct gw_receipt receipt;
	char		 from[32];
	char		 to[32];
	char		*body;
	unsigned	 segments;
};

static struct call	calls[MAX_CALLS];
static size_t		ncalls;

static struct call *
call_add(enum call_kind kind, const struct gw_message *m, size_t part)
{
	struct call *c;

	ck_assert_uint_lt(ncalls, MAX_CALLS);
	c = &calls[ncalls++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->part = part;
	if (m != NULL)
		snprintf(c->sid, sizeof c->sid, "%s", m->sid);
	return c;
}

void
gw_lifecycle_sending(struct gateway *gw, struct gw_message *m)
{
	(void)gw;
	call_add(CALL_SENDING, m, 0);
}

void
gw_lifecycle_part_accepted(struct gateway *gw, struct gw_message *m,
    size_t part, const char *smsc_id)
{
	(void)gw;
	snprintf(call_add(CALL_ACCEPTED, m, part)->smsc_id, 66, "%s", smsc_id);
}

void
gw_lifecycle_part_rejected(struct gateway *gw, struct gw_message *m,
    size_t part, uint32_t command_status)
{
	(void)gw;
	call_add(CALL_REJECTED, m, part)->status = command_status;
}

void
gw_lifecycle_part_failed(struct gateway *gw, struct gw_message *m,
    size_t part, int error_code)
{
	(void)gw;
	call_add(CALL_FAILED, m, part)->code = error_code;
}

void
gw_lifecycle_receipt(struct gateway *gw, struct gw_message *m, size_t part,
    const struct gw_receipt *r)
{
	(void)gw;
	call_add(CALL_RECEIPT, m, part)->receipt = *r;
}

void
gw_lifecycle_inbound(struct gateway *gw, const char *route, const char *from,
    const char *to, const char *body, unsigned num_segments)
{
	struct call *c = call_add(CALL_INBOUND, NULL, 0);

	(void)gw;
	(void)route;
	snprintf(c->from, sizeof c->from, "%s", from);
	snprintf(c->to, sizeof c->to, "%s", to);
	c->body = strdup(body);
	c->segments = num_segments;
}

static size_t
count(enum call_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < ncalls; i++)
		n += calls[i].kind == kind;
	return n;
}

/* The nth (from 0) call of kind, or NULL. */
static const struct call *
nth(enum call_kind kind, size_t n)
{
	size_t i;

	for (i = 0; i < ncalls; i++)
		if (calls[i].kind == kind && n-- == 0)
			return &calls[i];
	return NULL;
}

/* ---- the fixture ---- */

static struct {
	struct event_base	*base;
	struct clock		*clock;
	struct carrier_store	*store;
	struct carrier_profile	*profile;
	struct carrier		*carrier;
	struct gateway		 gw;
	struct gateway_route	 route;
	struct gw_outbound	*ob;
	struct gw_message	*msgs[16];
	size_t			 nmsgs;
} fx;

static void
fx_carrier(int tls)
{
	struct carrier_env env = { fx.base, fx.clock, fx.store, 7 };
	struct carrier_profile *p = fx.profile;
	const char *addr[1];
	int tls_on[1];
	char err[256];

	carrier_profile_default(p);
	snprintf(p->name, sizeof p->name, "alpha");
	snprintf(p->listen[0].address, sizeof p->listen[0].address,
	    "127.0.0.1:0");
	p->listen[0].tls = tls;		/* a self-signed certificate */
	p->nlisten = 1;
	p->receipt_delay = (struct carrier_dist){ CARRIER_DIST_FIXED,
	    10 * MSEC, 0 };
	p->resend_initial = 50 * MSEC;
	fx.carrier = carrier_start(&env, p, err, sizeof err);
	ck_assert_msg(fx.carrier != NULL, "%s", err);
	ck_assert_uint_eq(carrier_listen_addresses(fx.carrier, addr, tls_on,
	    1), 1);
	ck_assert_int_eq(tls_on[0], tls);
	snprintf(fx.route.address, sizeof fx.route.address, "%s", addr[0]);
}

static void
setup(void)
{
	char err[256];

	signal(SIGPIPE, SIG_IGN);
	memset(&fx, 0, sizeof fx);
	ncalls = 0;
	log_set_level(getenv("TEST_DEBUG") != NULL ? LOG_LEVEL_DEBUG :
	    LOG_LEVEL_WARN);
	fx.base = event_base_new();
	fx.clock = clock_new(fx.base, CLOCK_MODE_REAL, 0, 1.0);
	fx.store = carrier_store_open(":memory:", err, sizeof err);
	ck_assert_msg(fx.store != NULL, "%s", err);
	fx.profile = calloc(1, sizeof *fx.profile);
	fx_carrier(0);

	snprintf(fx.route.name, sizeof fx.route.name, "alpha");
	snprintf(fx.route.system_id, sizeof fx.route.system_id, "test");
	snprintf(fx.route.password, sizeof fx.route.password, "test");
	fx.route.bind = GATEWAY_BIND_TRX;
	fx.route.sessions = 1;
	fx.route.window = 10;
	fx.route.response_timeout = 150 * MSEC;
	fx.route.enquire_link = 0;
	fx.route.reconnect_min = 20 * MSEC;
	fx.route.reconnect_max = 100 * MSEC;
	fx.route.submit_retries = 2;
	fx.route.retry_pause = 30 * MSEC;
	fx.gw.base = fx.base;
	fx.gw.clock = fx.clock;
	fx.gw.cfg.routes = &fx.route;
	fx.gw.cfg.nroutes = 1;
	rng_seed(&fx.gw.rng, 42);
}

static void
teardown(void)
{
	size_t i;

	gw_outbound_free(fx.ob);
	for (i = 0; i < fx.nmsgs; i++)
		gw_message_free(fx.msgs[i]);
	for (i = 0; i < ncalls; i++)
		free(calls[i].body);
	carrier_free(fx.carrier);
	carrier_profile_release(fx.profile);
	free(fx.profile);
	carrier_store_close(fx.store);
	clock_free(fx.clock);
	event_base_free(fx.base);
}

/* ---- waiting ---- */

static void
deadline_fire(struct clock_timer *t, void *arg)
{
	(void)t;
	*(int *)arg = 1;
}

/* Runs the loop until pred(arg) holds or usec pass; returns pred. */
static int
wait_for(int (*pred)(void *), void *arg, int64_t usec)
{
	int expired = 0;
	struct clock_timer *t = clock_timer_new(fx.clock, deadline_fire,
	    &expired);

	clock_timer_add(t, usec);
	while (!pred(arg) && !expired)
		event_base_loop(fx.base, EVLOOP_ONCE);
	clock_timer_free(t);
	return pred(arg);
}

struct want {
	enum call_kind	 kind;
	size_t		 n;
};

static int
have_calls(void *arg)
{
	struct want *w = arg;

	return count(w->kind) >= w->n;
}

static void
wait_calls(enum call_kind kind, size_t n)
{
	struct want w = { kind, n };

	ck_assert_msg(wait_for(have_calls, &w, DEADLINE),
	    "waited for %zu calls of kind %d, have %zu", n, (int)kind,
	    count(kind));
}

static int
is_bound(void *arg)
{
	(void)arg;
	return gw_outbound_bound(fx.ob) > 0;
}

static int
never(void *arg)
{
	(void)arg;
	return 0;
}

/* Lets the loop run for usec. */
static void
run_for(int64_t usec)
{
	wait_for(never, NULL, usec);
}

/* ---- helpers ---- */

static struct gw_message *
message(const char *body, uint8_t data_coding)
{
	struct gw_message *m = gw_message_new();

	gw_sid_new(&fx.gw.rng, "SM", m->sid);
	snprintf(m->to, sizeof m->to, "+14155550100");
	snprintf(m->from, sizeof m->from, "+14155550199");
	gw_message_set_body(m, body);
	m->data_coding = data_coding;
	m->status = GW_STATUS_QUEUED;
	ck_assert_uint_lt(fx.nmsgs, nitems(fx.msgs));
	fx.msgs[fx.nmsgs++] = m;
	return m;
}

static void
start(void)
{
	fx.ob = gw_outbound_new(&fx.gw, 0);
	ck_assert_ptr_nonnull(fx.ob);
}

static void
fault(const char *name, const char *params)
{
	json_t *j = params != NULL ? json_loads(params, 0, NULL) : NULL;
	char err[256];

	ck_assert_msg(carrier_fault_set(fx.carrier, name, j, err,
	    sizeof err) == CARRIER_SWITCH_OK, "%s: %s", name, err);
	json_decref(j);
}

static void
fault_clear(const char *name)
{
	char err[256];

	ck_assert_int_eq(carrier_fault_clear(fx.carrier, name, err,
	    sizeof err), CARRIER_SWITCH_OK);
}

static void
quirk(const char *name, const char *params)
{
	json_t *j = json_loads(params, 0, NULL);
	char err[256];

	ck_assert_ptr_nonnull(j);
	ck_assert_msg(carrier_quirk_set(fx.carrier, name, j, err,
	    sizeof err) == CARRIER_SWITCH_OK, "%s: %s", name, err);
	json_decref(j);
}

/* The submit_sm the carrier captured on bind 1, in order. */
static json_t *
captured_submits(void)
{
	json_t *pdus = carrier_pdus_json(fx.carrier, 1, 0, 1000), *out, *e;
	size_t i;

	ck_assert_ptr_nonnull(pdus);
	out = json_array();
	json_array_foreach(pdus, i, e) {
		json_t *pdu = json_object_get(e, "pdu");
		const char *cmd = json_string_value(json_object_get(pdu,
		    "command"));

		if (cmd != NULL && strcmp(cmd, "submit_sm") == 0)
			json_array_append(out, pdu);
	}
	json_decref(pdus);
	return out;
}

static json_int_t
field_int(json_t *pdu, const char *name)
{
	return json_integer_value(json_object_get(pdu, name));
}

/* ---- tests ---- */

/* Bind, one GSM part, accepted, DELIVRD receipt for that part. */
/* The carrier again, listening with TLS only. */
static void
fx_carrier_tls(void)
{
	carrier_free(fx.carrier);
	carrier_profile_release(fx.profile);
	memset(fx.profile, 0, sizeof *fx.profile);
	fx_carrier(1);
	fx.route.tls = 1;
}

/* SMPP over TLS: bound and delivered without verification; with it, the
 * carrier's self-signed certificate is refused and nothing binds. */
START_TEST(test_tls)
{
	struct gw_message *m = message("over TLS", 0x00);

	fx_carrier_tls();
	fx.route.tls_verify = 0;
	start();
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_RECEIPT, 1);
	ck_assert_str_eq(nth(CALL_RECEIPT, 0)->receipt.stat, "DELIVRD");
	ck_assert_uint_eq(gw_outbound_bound(fx.ob), 1);
	gw_outbound_free(fx.ob);

	fx.route.tls_verify = 1;
	start();
	run_for(300 * MSEC);
	ck_assert_uint_eq(gw_outbound_bound(fx.ob), 0);
}
END_TEST

START_TEST(test_submit_and_receipt)
{
	struct gw_message *m = message("Hello from carrierlab", 0x00);
	const struct call *a, *r;
	struct evbuffer *metrics;
	json_t *submits, *sm;
	char *text;

	start();
	gw_outbound_enqueue(fx.ob, m);
	ck_assert_uint_eq(gw_outbound_queue_depth(fx.ob), 1);
	wait_calls(CALL_RECEIPT, 1);
	ck_assert_uint_eq(count(CALL_SENDING), 1);
	ck_assert_uint_eq(count(CALL_ACCEPTED), 1);
	a = nth(CALL_ACCEPTED, 0);
	r = nth(CALL_RECEIPT, 0);
	ck_assert_str_eq(a->sid, m->sid);
	ck_assert_uint_eq(a->part, 0);
	ck_assert_str_ne(a->smsc_id, "");
	ck_assert_str_eq(m->parts[0].smsc_id, a->smsc_id);
	ck_assert_str_eq(r->sid, m->sid);
	ck_assert_uint_eq(r->part, 0);
	ck_assert_str_eq(r->receipt.stat, "DELIVRD");
	ck_assert_str_eq(r->receipt.err, "000");
	ck_assert_uint_eq(m->nparts, 1);
	ck_assert_uint_eq(gw_outbound_queue_depth(fx.ob), 0);
	ck_assert_uint_eq(gw_outbound_in_flight(fx.ob), 0);

	submits = captured_submits();
	ck_assert_uint_eq(json_array_size(submits), 1);
	sm = json_array_get(submits, 0);
	ck_assert_str_eq(json_string_value(json_object_get(sm,
	    "destination_addr")), "14155550100");
	ck_assert_int_eq(field_int(sm, "source_addr_ton"), 1);
	ck_assert_int_eq(field_int(sm, "registered_delivery"), 1);
	ck_assert_int_eq(field_int(sm, "data_coding"), 0);
	ck_assert_int_eq(field_int(sm, "esm_class"), 0);
	json_decref(submits);

	metrics = evbuffer_new();
	gw_outbound_metrics(fx.ob, metrics);
	evbuffer_add(metrics, "", 1);
	text = (char *)evbuffer_pullup(metrics, -1);
	ck_assert_ptr_nonnull(strstr(text, "carrierlab_gateway_smpp_pdus_total"
	    "{carrier=\"alpha\",direction=\"out\",command=\"submit_sm\","
	    "status=\"ESME_ROK\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "carrierlab_gateway_sessions{"
	    "carrier=\"alpha\",state=\"bound\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "carrierlab_gateway_queue_depth{"
	    "carrier=\"alpha\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "carrierlab_gateway_submit_"
	    "response_seconds_count{carrier=\"alpha\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "carrierlab_gateway_submit_"
	    "receipt_seconds_bucket{carrier=\"alpha\",le=\"+Inf\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "carrierlab_gateway_receipts_total{"
	    "carrier=\"alpha\",match=\"same\"} 1\n"));
	evbuffer_free(metrics);
}
END_TEST

/* 400 GSM characters: three parts, one UDH reference, data_coding 0. */
START_TEST(test_long_message)
{
	char body[401];
	struct gw_message *m;
	json_t *submits, *sm;
	const char *hex, *ref = NULL;
	size_t i;

	memset(body, 'a', 400);
	body[400] = '\0';
	m = message(body, 0x00);
	start();
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_RECEIPT, 3);
	ck_assert_uint_eq(m->nparts, 3);
	ck_assert_uint_eq(count(CALL_ACCEPTED), 3);
	ck_assert_uint_eq(count(CALL_SENDING), 1);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(nth(CALL_ACCEPTED, i)->part, i);
	submits = captured_submits();
	ck_assert_uint_eq(json_array_size(submits), 3);
	json_array_foreach(submits, i, sm) {
		ck_assert_int_eq(field_int(sm, "esm_class"), SMPP_ESM_UDHI);
		ck_assert_int_eq(field_int(sm, "data_coding"), 0);
		hex = json_string_value(json_object_get(sm, "short_message"));
		ck_assert_ptr_nonnull(hex);
		/* 05 00 03 ref total seq */
		ck_assert_int_eq(strncmp(hex, "050003", 6), 0);
		if (ref == NULL)
			ref = hex + 6;
		ck_assert_int_eq(strncmp(hex + 6, ref, 2), 0);
		ck_assert_int_eq(strncmp(hex + 8, "03", 2), 0);
		ck_assert_int_eq(hex[11], (char)('1' + i));
	}
	json_decref(submits);
}
END_TEST

/* A body outside GSM 03.38 goes as UCS-2. */
START_TEST(test_ucs2)
{
	struct gw_message *m = message("Привет, мир", 0x08);
	json_t *submits, *sm;

	start();
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_RECEIPT, 1);
	submits = captured_submits();
	sm = json_array_get(submits, 0);
	ck_assert_int_eq(field_int(sm, "data_coding"), 8);
	ck_assert_int_eq(field_int(sm, "sm_length"), 22);
	json_decref(submits);
	ck_assert_str_eq(nth(CALL_RECEIPT, 0)->receipt.stat, "DELIVRD");
}
END_TEST

/* Ids in another format in the receipt than in the response. */
static const struct {
	const char	*message_id;	/* the submit response's format */
	const char	*receipt_id;	/* the receipt's */
	const char	*match;		/* the rule counted */
} id_cases[] = {
	{ "{\"format\": \"decimal\"}", "{\"format\": \"hex\"}", "dec_hex" },
	{ "{\"format\": \"decimal\"}", "{\"format\": \"HEX\"}", "dec_hex" },
	{ "{\"format\": \"decimal\"}",
	    "{\"format\": \"padded\", \"width\": 12}", "dec_dec" },
	{ "{\"format\": \"hex\"}", "{\"format\": \"HEX\"}", "case" },
	{ "{\"format\": \"hex\"}", "{\"format\": \"decimal\"}", "hex_dec" },
	{ "{\"format\": \"HEX\"}", "{\"format\": \"padded\"}", "hex_dec" },
};

/* The receipt_before_response quirk: the receipt comes before the
 * submit_sm_resp that names its id; it is held and matched then. */
START_TEST(test_receipt_before_response)
{
	struct gw_message *m[3];
	size_t i;

	quirk("receipt_before_response", "{\"delay\": \"50ms\"}");
	for (i = 0; i < nitems(m); i++)
		m[i] = message("receipt first", 0x00);
	start();
	for (i = 0; i < nitems(m); i++)
		gw_outbound_enqueue(fx.ob, m[i]);
	wait_calls(CALL_RECEIPT, nitems(m));
	for (i = 0; i < nitems(m); i++)
		ck_assert_str_eq(nth(CALL_RECEIPT, i)->receipt.stat, "DELIVRD");
	ck_assert_uint_eq(count(CALL_ACCEPTED), nitems(m));
	ck_assert_uint_eq(fx.gw.metrics.receipts_unmatched, 0);
	ck_assert_uint_eq(fx.ob->early_matched, nitems(m));
}
END_TEST

START_TEST(test_receipt_id_formats)
{
	struct gw_message *m[12];
	struct evbuffer *metrics;
	char want[160], *text;
	size_t i;

	quirk("message_id", id_cases[_i].message_id);
	quirk("receipt_id_format", id_cases[_i].receipt_id);
	/* Enough messages that ids 10 to 12 read differently in hex. */
	for (i = 0; i < nitems(m); i++)
		m[i] = message("id formats", 0x00);
	start();
	for (i = 0; i < nitems(m); i++)
		gw_outbound_enqueue(fx.ob, m[i]);
	wait_calls(CALL_RECEIPT, nitems(m));
	for (i = 0; i < nitems(m); i++) {
		const struct call *r = nth(CALL_RECEIPT, i);
		size_t j;

		for (j = 0; j < nitems(m); j++)
			if (strcmp(m[j]->sid, r->sid) == 0)
				break;
		ck_assert_uint_lt(j, nitems(m));
		ck_assert_str_eq(r->receipt.stat, "DELIVRD");
	}
	ck_assert_uint_eq(fx.gw.metrics.receipts_unmatched, 0);
	metrics = evbuffer_new();
	gw_outbound_metrics(fx.ob, metrics);
	evbuffer_add(metrics, "", 1);
	text = (char *)evbuffer_pullup(metrics, -1);
	snprintf(want, sizeof want, "carrierlab_gateway_receipts_total{"
	    "carrier=\"alpha\",match=\"%s\"} ", id_cases[_i].match);
	if (strstr(text, want) == NULL ||
	    strncmp(strstr(text, want) + strlen(want), "0\n", 2) == 0)
		fprintf(stderr, "%s", strstr(text, "# HELP carrierlab_gateway_"
		    "receipts_total"));
	ck_assert_msg(strstr(text, want) != NULL &&
	    strncmp(strstr(text, want) + strlen(want), "0\n", 2) != 0,
	    "no receipt matched by %s", id_cases[_i].match);
	evbuffer_free(metrics);
}
END_TEST

/* ESME_RTHROTTLED for a while: resent after the pause, then accepted. */
START_TEST(test_throttled)
{
	struct gw_message *m = message("slow down", 0x00);

	fault("submit_errors", "{\"status\": \"ESME_RTHROTTLED\", "
	    "\"share\": 1, \"for\": \"150ms\"}");
	start();
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_ACCEPTED, 1);
	ck_assert_uint_eq(count(CALL_REJECTED), 0);
	ck_assert_uint_eq(count(CALL_FAILED), 0);
	ck_assert_uint_gt(m->parts[0].attempts, 1);
	wait_calls(CALL_RECEIPT, 1);
}
END_TEST

/* A refused submit goes to the lifecycle with its status. */
START_TEST(test_rejected)
{
	struct gw_message *m = message("nope", 0x00);

	fault("submit_errors", "{\"status\": \"ESME_RINVDSTADR\", "
	    "\"share\": 1}");
	start();
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_REJECTED, 1);
	ck_assert_uint_eq(nth(CALL_REJECTED, 0)->status, SMPP_ESME_RINVDSTADR);
	ck_assert_uint_eq(m->parts[0].attempts, 1);
}
END_TEST

/* Binds refused, then the listener closed: queued messages wait and go
 * out once a reconnect binds. */
START_TEST(test_reconnect)
{
	struct gw_message *m1 = message("before", 0x00);
	struct gw_message *m2 = message("after", 0x00);

	fault("refuse_binds", NULL);
	start();
	gw_outbound_enqueue(fx.ob, m1);
	run_for(150 * MSEC);
	ck_assert_uint_eq(gw_outbound_bound(fx.ob), 0);
	ck_assert_uint_eq(gw_outbound_queue_depth(fx.ob), 1);
	ck_assert_uint_eq(count(CALL_SENDING), 0);
	fault_clear("refuse_binds");
	wait_calls(CALL_ACCEPTED, 1);
	ck_assert_str_eq(nth(CALL_ACCEPTED, 0)->sid, m1->sid);

	/* The listener closes and every bind drops. */
	fault("close_listener", NULL);
	fault("drop_connections", NULL);
	ck_assert(wait_for(never, NULL, 100 * MSEC) == 0);
	ck_assert_uint_eq(gw_outbound_bound(fx.ob), 0);
	gw_outbound_enqueue(fx.ob, m2);
	run_for(100 * MSEC);
	ck_assert_uint_eq(count(CALL_ACCEPTED), 1);
	fault_clear("close_listener");
	ck_assert(wait_for(is_bound, NULL, DEADLINE));
	wait_calls(CALL_ACCEPTED, 2);
	ck_assert_str_eq(nth(CALL_ACCEPTED, 1)->sid, m2->sid);
}
END_TEST

/* The carrier answers nothing: 1 + submit_retries submits, then 30410. */
START_TEST(test_blackhole)
{
	struct gw_message *m = message("into the void", 0x00);

	start();
	ck_assert(wait_for(is_bound, NULL, DEADLINE));
	fault("blackhole", NULL);
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_FAILED, 1);
	ck_assert_int_eq(nth(CALL_FAILED, 0)->code, 30410);
	ck_assert_str_eq(nth(CALL_FAILED, 0)->sid, m->sid);
	ck_assert_uint_eq(m->parts[0].attempts, 1 + fx.route.submit_retries);
	ck_assert_uint_eq(count(CALL_ACCEPTED), 0);
}
END_TEST

/* MO from the carrier, one part and concatenated, GSM and UCS-2. */
static const struct {
	const char	*body;
	const char	*encoding;
	unsigned	 segments;
} mo_cases[] = {
	{ "STOP", "auto", 1 },
	{ "Привет", "auto", 1 },
	{ "This is a long message from a handset that will not fit in one "
	    "short message, so the carrier sends it in parts with a user data "
	    "header, and the gateway joins them before the webhook sees it.",
	    "gsm7", 2 },
	{ "Длинное сообщение от абонента, которое не помещается в одно SMS "
	    "и потому идёт частями.", "ucs2", 2 },
};

START_TEST(test_mo)
{
	struct carrier_mo mo;
	const struct call *c;
	char err[256];

	start();
	ck_assert(wait_for(is_bound, NULL, DEADLINE));
	memset(&mo, 0, sizeof mo);
	snprintf(mo.from, sizeof mo.from, "+14155550100");
	snprintf(mo.to, sizeof mo.to, "+14155550199");
	snprintf(mo.encoding, sizeof mo.encoding, "%s", mo_cases[_i].encoding);
	mo.body = mo_cases[_i].body;
	ck_assert_msg(carrier_mo_inject(fx.carrier, &mo, err, sizeof err) > 0,
	    "%s", err);
	wait_calls(CALL_INBOUND, 1);
	c = nth(CALL_INBOUND, 0);
	ck_assert_str_eq(c->body, mo_cases[_i].body);
	ck_assert_str_eq(c->from, "+14155550100");
	ck_assert_str_eq(c->to, "+14155550199");
	ck_assert_uint_eq(c->segments, mo_cases[_i].segments);
}
END_TEST

/* Shutdown unbinds and reports once every session closed. */
static void
on_done(void *arg)
{
	*(int *)arg = 1;
}

static int
flag_set(void *arg)
{
	return *(int *)arg;
}

START_TEST(test_shutdown)
{
	int done = 0;

	start();
	ck_assert(wait_for(is_bound, NULL, DEADLINE));
	gw_outbound_shutdown(fx.ob, on_done, &done);
	ck_assert(wait_for(flag_set, &done, DEADLINE));
	ck_assert_uint_eq(gw_outbound_bound(fx.ob), 0);
}
END_TEST

/* The receipt-id index alone: many parts, every format, ambiguity. */
START_TEST(test_remove_forgets)
{
	struct gw_message *m = message("gone", 0x00);

	start();
	ck_assert(wait_for(is_bound, NULL, DEADLINE));
	fault("latency", "{\"add\": \"50ms\"}");
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_SENDING, 1);
	ck_assert_uint_eq(gw_outbound_in_flight(fx.ob), 1);
	gw_outbound_remove(fx.ob, m);
	run_for(200 * MSEC);
	ck_assert_uint_eq(count(CALL_ACCEPTED), 0);
	ck_assert_uint_eq(count(CALL_RECEIPT), 0);
	ck_assert_uint_eq(gw_outbound_in_flight(fx.ob), 0);
	/* Its receipt came and matched nothing. */
	ck_assert_uint_eq(fx.gw.metrics.receipts_unmatched, 1);
}
END_TEST

/* A message with one ACCEPTED part per id, tracked as after a restart. */
static struct gw_message *
tracked(const char *const *ids, size_t n)
{
	struct gw_message *m = gw_message_new();
	size_t i;

	gw_sid_new(&fx.gw.rng, "SM", m->sid);
	m->parts = calloc(n, sizeof *m->parts);
	m->nparts = n;
	for (i = 0; i < n; i++) {
		m->parts[i].state = GW_PART_ACCEPTED;
		snprintf(m->parts[i].smsc_id, sizeof m->parts[i].smsc_id,
		    "%s", ids[i]);
	}
	gw_outbound_track(fx.ob, m);
	return m;
}

/* The index on its own: which part each receipt id finds, and how. */
static const char *const index_ids[] = { "10", "16", "00ff", "AbC-1" };

static const struct {
	const char	*receipt;
	int		 part;		/* -1: none */
	const char	*how;
} index_cases[] = {
	{ "10",		0,	"same" },	/* exact beats 16 in hex */
	{ "0010",	0,	"dec_dec" },
	{ "a",		0,	"dec_hex" },
	{ "22",		1,	"hex_dec" },	/* "16" read as hex */
	{ "00FF",	2,	"case" },
	{ "ff",		2,	"hex_hex" },
	{ "255",	2,	"hex_dec" },
	{ "abc-1",	3,	"case" },
	{ "AbC-1",	3,	"same" },
	{ "11",		-1,	NULL },		/* neither 11 nor 0x11 */
	{ "nope",	-1,	NULL },
	{ "",		-1,	NULL },
};

START_TEST(test_index_rules)
{
	struct gw_message *m;
	struct gw_ob_msg *om;
	enum gw_ob_match how;
	size_t part, i;

	snprintf(fx.route.address, sizeof fx.route.address, "nowhere");
	start();
	m = tracked(index_ids, nitems(index_ids));
	for (i = 0; i < nitems(index_cases); i++) {
		om = gw_ob_index_find(fx.ob, index_cases[i].receipt, &part,
		    &how);
		if (index_cases[i].part < 0) {
			ck_assert_msg(om == NULL, "%s found", index_cases[i].
			    receipt);
			continue;
		}
		ck_assert_msg(om != NULL, "%s not found",
		    index_cases[i].receipt);
		ck_assert_msg(part == (size_t)index_cases[i].part &&
		    strcmp(gw_ob_match_name(how), index_cases[i].how) == 0,
		    "%s: part %zu by %s", index_cases[i].receipt, part,
		    gw_ob_match_name(how));
	}
	gw_outbound_remove(fx.ob, m);
	ck_assert_ptr_null(gw_ob_index_find(fx.ob, "10", &part, &how));
	gw_message_free(m);
}
END_TEST

/*
 * A route whose receipts matched across bases (decimal submit ids, hex
 * receipts) GW_OB_LEARN_CROSS times tries that first: its receipt "10"
 * is for accepted 16 -- unless same-base rules told otherwise more often.
 */
START_TEST(test_index_learns)
{
	static const char *const ids[] = { "10", "16" };
	struct gw_message *m;
	struct gw_ob_msg *om;
	enum gw_ob_match how;
	size_t part;

	snprintf(fx.route.address, sizeof fx.route.address, "nowhere");
	start();
	m = tracked(ids, nitems(ids));
	fx.ob->matched[GW_OB_MATCH_DEC_HEX] = GW_OB_LEARN_CROSS - 1;
	om = gw_ob_index_find(fx.ob, "10", &part, &how);
	ck_assert_ptr_nonnull(om);
	ck_assert_uint_eq(part, 0);
	ck_assert_int_eq(how, GW_OB_MATCH_SAME);
	fx.ob->matched[GW_OB_MATCH_DEC_HEX] = GW_OB_LEARN_CROSS;
	om = gw_ob_index_find(fx.ob, "10", &part, &how);
	ck_assert_ptr_nonnull(om);
	ck_assert_uint_eq(part, 1);
	ck_assert_int_eq(how, GW_OB_MATCH_DEC_HEX);
	/* Not hex: the learned rule finds nothing, the others go on. */
	om = gw_ob_index_find(fx.ob, "AbC", &part, &how);
	ck_assert_ptr_null(om);
	fx.ob->matched[GW_OB_MATCH_HEX_HEX] = GW_OB_LEARN_CROSS;
	om = gw_ob_index_find(fx.ob, "10", &part, &how);
	ck_assert_uint_eq(part, 0);
	ck_assert_int_eq(how, GW_OB_MATCH_SAME);
	/* Exact matches count against the habit too: a few receipts that
	 * matched only across bases do not teach a route whose ids agree. */
	fx.ob->matched[GW_OB_MATCH_HEX_HEX] = 0;
	fx.ob->matched[GW_OB_MATCH_SAME] = 1000;
	om = gw_ob_index_find(fx.ob, "10", &part, &how);
	ck_assert_uint_eq(part, 0);
	ck_assert_int_eq(how, GW_OB_MATCH_SAME);
	gw_outbound_remove(fx.ob, m);
	gw_message_free(m);
}
END_TEST

/* A deliver_sm receipt for id, its fields in the text only. */
static void
receipt_pdu(struct smpp_pdu *pdu, const char *id)
{
	int n;

	smpp_pdu_init(pdu, SMPP_CMD_deliver_sm, 1);
	pdu->u.deliver_sm.esm_class = SMPP_ESM_TYPE_RECEIPT;
	n = snprintf((char *)pdu->u.deliver_sm.short_message,
	    sizeof pdu->u.deliver_sm.short_message, "id:%s sub:001 dlvrd:001 "
	    "submit date:2611271200 done date:2611271200 stat:DELIVRD err:000 "
	    "text:", id);
	pdu->u.deliver_sm.sm_length = (uint8_t)n;
}

/*
 * A receipt that comes before its submit_sm_resp (on another session,
 * or from a receipt-first SMSC) while another message is accepted: its
 * decimal id "16" reads as the other's hex "10". It is not given to that
 * message while a submit is unanswered; its own response matches it.
 * Only once every submit in flight at its arrival was answered does the
 * cross-base reading stand (a carrier that really writes the id in
 * another base). Seen under load as a handful of messages a run that
 * stayed "sent": the wrong message took the receipt, its own came after
 * and matched nothing.
 */
START_TEST(test_receipt_early_not_cross)
{
	static const char *const ten[] = { "10" }, *const sixteen[] = { "16" };
	struct gw_message *a, *b;
	struct smpp_pdu pdu;

	snprintf(fx.route.address, sizeof fx.route.address, "nowhere");
	start();
	a = tracked(ten, 1);
	receipt_pdu(&pdu, "16");
	fx.ob->in_flight = 2;			/* "16"'s submit, and another */
	gw_ob_receipt(fx.ob, &pdu);
	ck_assert_uint_eq(count(CALL_RECEIPT), 0);
	ck_assert_uint_eq(fx.ob->nearly, 1);
	/* Its response: "16" is accepted and takes its receipt. */
	b = tracked(sixteen, 1);
	fx.ob->in_flight--;
	fx.ob->responses++;
	gw_ob_early_match(fx.ob);
	ck_assert_uint_eq(count(CALL_RECEIPT), 1);
	ck_assert_str_eq(nth(CALL_RECEIPT, 0)->sid, b->sid);
	ck_assert_uint_eq(fx.ob->nearly, 0);
	ck_assert_uint_eq(fx.ob->matched[GW_OB_MATCH_HEX_DEC], 0);

	/* Another receipt "16", and this time no "16" is accepted: once
	 * both submits in flight at its arrival are answered, the
	 * cross-base reading stands and "10" takes it. */
	receipt_pdu(&pdu, "16");
	fx.ob->in_flight = 2;
	gw_ob_receipt(fx.ob, &pdu);
	ck_assert_uint_eq(fx.ob->nearly, 1);
	fx.ob->in_flight--;
	fx.ob->responses++;
	gw_ob_early_match(fx.ob);		/* one of two answered */
	ck_assert_uint_eq(count(CALL_RECEIPT), 1);
	ck_assert_uint_eq(fx.ob->nearly, 1);
	fx.ob->responses++;			/* the second; another */
	gw_ob_early_match(fx.ob);		/* submit still in flight */
	ck_assert_uint_eq(count(CALL_RECEIPT), 2);
	ck_assert_str_eq(nth(CALL_RECEIPT, 1)->sid, a->sid);
	ck_assert_uint_eq(fx.ob->matched[GW_OB_MATCH_HEX_DEC], 1);
	ck_assert_uint_eq(fx.ob->nearly, 0);
	fx.ob->in_flight = 0;
	gw_outbound_remove(fx.ob, a);
	gw_outbound_remove(fx.ob, b);
	gw_message_free(a);
	gw_message_free(b);
}
END_TEST

/* 200k outstanding parts: each lookup is a few tree descents. */
START_TEST(test_index_many)
{
	enum { N = 200000 };
	struct gw_message *m = gw_message_new();
	struct gw_ob_msg *om;
	enum gw_ob_match how;
	char id[32];
	size_t i, part;

	snprintf(fx.route.address, sizeof fx.route.address, "nowhere");
	start();
	gw_sid_new(&fx.gw.rng, "SM", m->sid);
	m->parts = calloc(N, sizeof *m->parts);
	m->nparts = N;
	for (i = 0; i < N; i++) {
		m->parts[i].state = GW_PART_ACCEPTED;
		snprintf(m->parts[i].smsc_id, sizeof m->parts[i].smsc_id,
		    "%zx", i + 0x100000);
	}
	gw_outbound_track(fx.ob, m);
	for (i = 0; i < N; i += 7) {
		snprintf(id, sizeof id, "%zu", i + 0x100000);
		om = gw_ob_index_find(fx.ob, id, &part, &how);
		ck_assert_ptr_nonnull(om);
		ck_assert_uint_eq(part, i);
		ck_assert_int_eq(how, GW_OB_MATCH_HEX_DEC);
	}
	gw_outbound_remove(fx.ob, m);
	gw_message_free(m);
}
END_TEST

/* ---- MMS ---- */

static const char *const mms_urls[] = {
	"https://media.example.com/cat.jpg",
	"http://media.example.com/a/b.png?size=2&x=%20",
};
#define MMS_URLS_HEX							\
	"68747470733a2f2f6d656469612e6578616d706c652e636f6d2f6361742e6a7067" \
	"0a"								\
	"687474703a2f2f6d656469612e6578616d706c652e636f6d2f612f622e706e67" \
	"3f73697a653d3226783d253230"

static char long_body[401];

/*
 * Which messages go as MMS (docs/sim-api.md, "MMS"): media, a route to a
 * carrier that takes MMS, and no MMS Converter. An MMS is one submit_sm,
 * short_message empty, the whole text in message_payload and the URLs in
 * carrierlab_media_urls; anything else goes as SMS, split as usual.
 */
static const struct {
	const char	*name;
	const char	*body;		/* NULL: long_body */
	uint8_t		 dc;
	int		 route_mms;
	int		 converted;
	int		 mms;		/* expected on the wire */
	size_t		 submits;
} mms_cases[] = {
	{ "MMS with text", "Look at this", 0x00, 1, 0, 1, 1 },
	{ "400 characters: still one submit", NULL, 0x00, 1, 0, 1, 1 },
	{ "UCS-2 text", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
	  "\xf0\x9f\x98\x80", 0x08, 1, 0, 1, 1 },
	{ "media only", "", 0x00, 1, 0, 1, 1 },
	{ "converted by the MMS Converter: SMS", NULL, 0x00, 1, 1, 0, 3 },
	{ "route without MMS: SMS", NULL, 0x00, 0, 0, 0, 3 },
};

static json_t *
tlv_named(json_t *pdu, const char *name)
{
	json_t *tlvs = json_object_get(pdu, "tlvs"), *t;
	size_t i;

	json_array_foreach(tlvs, i, t) {
		const char *n = json_string_value(json_object_get(t, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return t;
	}
	return NULL;
}

static struct gw_message *
mms_message(size_t i)
{
	const char *body = mms_cases[i].body != NULL ? mms_cases[i].body :
	    long_body;
	struct gw_message *m = message(body, mms_cases[i].dc);
	size_t k;

	memcpy(m->sid, "MM", 2);
	m->num_media = nitems(mms_urls);
	m->media = calloc(m->num_media, sizeof *m->media);
	ck_assert_ptr_nonnull(m->media);
	for (k = 0; k < m->num_media; k++)
		m->media[k] = strdup(mms_urls[k]);
	m->mms_converted = mms_cases[i].converted;
	return m;
}

/* What the carrier stored: the media URLs in /sim's message view. */
static void
assert_carrier_media(const char *smsc_id, int mms)
{
	json_t *view = carrier_message_json(fx.carrier, smsc_id), *media;
	size_t k;

	ck_assert_ptr_nonnull(view);
	media = json_object_get(view, "media");
	ck_assert(json_is_array(media));
	ck_assert_uint_eq(json_array_size(media), mms ? nitems(mms_urls) : 0);
	for (k = 0; mms && k < nitems(mms_urls); k++)
		ck_assert_str_eq(json_string_value(json_array_get(media, k)),
		    mms_urls[k]);
	json_decref(view);
}

START_TEST(test_mms)
{
	struct gw_message *m;
	json_t *submits, *sm, *payload, *urls;
	const char *body;
	size_t k;

	memset(long_body, 'a', 400);
	m = mms_message(_i);
	body = m->body;
	fx.profile->mms = 1;
	fx.route.accepts_mms = mms_cases[_i].route_mms;
	start();
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_RECEIPT, mms_cases[_i].submits);
	ck_assert_uint_eq(m->nparts, mms_cases[_i].submits);
	ck_assert_str_eq(nth(CALL_RECEIPT, 0)->receipt.stat, "DELIVRD");
	submits = captured_submits();
	ck_assert_uint_eq(json_array_size(submits), mms_cases[_i].submits);
	json_array_foreach(submits, k, sm) {
		urls = tlv_named(sm, "carrierlab_media_urls");
		payload = tlv_named(sm, "message_payload");
		ck_assert_int_eq(field_int(sm, "data_coding"),
		    mms_cases[_i].dc);
		assert_carrier_media(nth(CALL_ACCEPTED, k)->smsc_id,
		    mms_cases[_i].mms);
		if (!mms_cases[_i].mms) {
			ck_assert_ptr_null(urls);
			ck_assert_ptr_null(payload);
			ck_assert_int_gt(field_int(sm, "sm_length"), 0);
			continue;
		}
		ck_assert_int_eq(field_int(sm, "sm_length"), 0);
		ck_assert_int_eq(field_int(sm, "esm_class"), 0);
		ck_assert_ptr_nonnull(urls);
		ck_assert_str_eq(json_string_value(json_object_get(urls,
		    "tag")), "0x1a4d");
		ck_assert_str_eq(json_string_value(json_object_get(urls,
		    "value")), MMS_URLS_HEX);
		ck_assert_ptr_nonnull(payload);
		ck_assert_str_eq(json_string_value(json_object_get(payload,
		    "text")), body);
	}
	json_decref(submits);
}
END_TEST

/* Media URLs that cannot fit one TLV: the message fails with 30019. */
START_TEST(test_mms_too_large)
{
	struct gw_message *m = mms_message(0);
	size_t k;

	free(m->media[0]);
	m->media[0] = malloc(SMPP_PAYLOAD_MAX);
	ck_assert_ptr_nonnull(m->media[0]);
	memcpy(m->media[0], "https://a.example/", 18);
	for (k = 18; k < SMPP_PAYLOAD_MAX - 1; k++)
		m->media[0][k] = 'x';
	m->media[0][k] = '\0';
	fx.profile->mms = 1;
	fx.route.accepts_mms = 1;
	start();
	gw_outbound_enqueue(fx.ob, m);
	wait_calls(CALL_FAILED, 1);
	ck_assert_int_eq(nth(CALL_FAILED, 0)->code, 30019);
	ck_assert_uint_eq(count(CALL_SENDING), 0);
}
END_TEST

static Suite *
outbound_suite(void)
{
	Suite	*s = suite_create("gw_outbound");
	TCase	*tc = tcase_create("outbound");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_submit_and_receipt);
	tcase_add_test(tc, test_long_message);
	tcase_add_test(tc, test_ucs2);
	tcase_add_test(tc, test_receipt_before_response);
	tcase_add_test(tc, test_tls);
	tcase_add_loop_test(tc, test_receipt_id_formats, 0, nitems(id_cases));
	tcase_add_test(tc, test_throttled);
	tcase_add_test(tc, test_rejected);
	tcase_add_test(tc, test_reconnect);
	tcase_add_test(tc, test_blackhole);
	tcase_add_loop_test(tc, test_mo, 0, nitems(mo_cases));
	tcase_add_test(tc, test_shutdown);
	tcase_add_test(tc, test_remove_forgets);
	tcase_add_test(tc, test_index_rules);
	tcase_add_test(tc, test_index_many);
	tcase_add_test(tc, test_index_learns);
	tcase_add_test(tc, test_receipt_early_not_cross);
	tcase_add_loop_test(tc, test_mms, 0, nitems(mms_cases));
	tcase_add_test(tc, test_mms_too_large);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(outbound_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
