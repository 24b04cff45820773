/*
 * carrierlab smsc's fault modes and interop quirks, as a client sees
 * them: the real binary on ephemeral loopback ports (esme.c), switched
 * through /sim/ while clients are bound, or from the scenario. Each test
 * asserts what arrives on the wire, in what order and with what status:
 * bind refusals, refused connects, dropped and silenced sessions, error
 * responses, delays, held and duplicated receipts, message id formats,
 * receipt text and TLV octets. Clients reconnect through refuse_binds
 * and drop_connections as a gateway would.
 *
 * No test sleeps: waits run an event loop until something happens or a
 * deadline passes; a wait that must see nothing is bounded well past the
 * time the scenario gives the SMSC to act (QUIET_MS).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <event2/util.h>
#include <jansson.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "smpp/pdu.h"
#include "smpp/receipt.h"
#include "smpp/smpp.h"
#include "smpp/text.h"
#include "tests/integration/esme.h"

#define CARRIER		"alpha"
#define SIM		"/sim/carriers/" CARRIER
#define WAIT		ESME_WAIT_MS
#define QUIET_MS	600	/* "nothing comes": receipts take 100 ms */
#define TCASE_TIMEOUT	60

#define TX		SMPP_CMD_bind_transmitter
#define RX		SMPP_CMD_bind_receiver
#define TRX		SMPP_CMD_bind_transceiver

/* Receipt dates repeat when the clock starts here. */
static const char *const fixed_clock[] = { "--clock-start",
    "2026-01-01T00:00:00Z", NULL };

static struct smsc_proc smsc;

/* The shared helpers of esme.h, on this suite's smsc and carrier. */
#define get_json(path)		smsc_get_ok(&smsc, (path))
#define stop()			smsc_stop_ok(&smsc)
#define jq(text)		test_json(text)
#define status_name(st)		test_status_name(st)
#define now_ms()		test_now_ms()
#define carrier_number(s, k)	smsc_carrier_number(&smsc, CARRIER, (s), (k))
#define wait_number(e, s, k, w)	\
	smsc_wait_number(&smsc, (e), CARRIER, (s), (k), (w), WAIT)


/* ---- scenarios ---- */

/* Carrier "alpha", account test/secret, receipts after 100 ms, with the
 * members of extra over these. */
static void
start(const char *extra, const char *const *args)
{
	json_t *c = jq("{'name': 'alpha', 'listen': ['127.0.0.1:0'], "
	    "'accounts': [{'system_id': 'test', 'password': 'secret'}], "
	    "'receipt_delay': '100ms'}");
	json_t *top, *x;
	char *text;

	if (extra != NULL) {
		x = jq(extra);
		json_object_update(c, x);
		json_decref(x);
	}
	top = json_pack("{s:i, s:[o]}", "seed", 11, "carriers", c);
	text = json_dumps(top, JSON_INDENT(2));
	json_decref(top);
	ck_assert_msg(smsc_start(&smsc, text, args) == 0,
	    "carrierlab smsc did not start on:\n%s", text);
	free(text);
}

/* ---- the control routes ---- */

/* PUT path with params (quoted JSON, NULL: no body): the status, and the
 * error message in msg when there is one. */
static int
put(const char *path, const char *params, char *msg, size_t len)
{
	json_t *req = params != NULL ? jq(params) : NULL, *body = NULL;
	int code = smsc_http_put(&smsc, path, req, &body);

	if (msg != NULL)
		snprintf(msg, len, "%s", json_string_value(json_object_get(
		    body, "message")) != NULL ? json_string_value(
		    json_object_get(body, "message")) : "");
	json_decref(req);
	json_decref(body);
	return code;
}

/* Switches on: fault_on("refuse_binds", "{'status': ...}"). */
static void
switch_on(const char *kind, const char *name, const char *params)
{
	char path[160], msg[512];
	int code;

	snprintf(path, sizeof path, SIM "/%s/%s", kind, name);
	code = put(path, params, msg, sizeof msg);
	ck_assert_msg(code == 200, "PUT %s %s: %d %s", path,
	    params != NULL ? params : "", code, msg);
}

static void
switch_off(const char *kind, const char *name)
{
	char path[160];
	json_t *body = NULL;
	int code;

	snprintf(path, sizeof path, SIM "/%s/%s", kind, name);
	code = smsc_http_delete(&smsc, path, &body);
	ck_assert_msg(code == 200, "DELETE %s: %d %s", path, code,
	    json_string_value(json_object_get(body, "message")));
	json_decref(body);
}

#define fault_on(n, p)	switch_on("faults", n, p)
#define fault_off(n)	switch_off("faults", n)
#define quirk_on(n, p)	switch_on("quirks", n, p)
#define quirk_off(n)	switch_off("quirks", n)

/* The names of what is on: "refuse_binds,latency" (the caller frees). */
static char *
active(const char *kind)
{
	char path[128], *out = xstrdup("");
	json_t *o, *a, *v;
	size_t i;

	snprintf(path, sizeof path, SIM "/%s", kind);
	o = get_json(path);
	a = json_object_get(o, kind);
	ck_assert_msg(json_is_array(a), "GET %s: no %s array", path, kind);
	json_array_foreach(a, i, v) {
		char *next;

		xasprintf(&next, "%s%s%s", out, i > 0 ? "," : "",
		    json_string_value(json_object_get(v, "name")));
		free(out);
		out = next;
	}
	json_decref(o);
	return out;
}

/* Polls section.key of the carrier until it is want, running e's loop
 * (NULL: none) between polls. */
static void
metrics_have(const char *line)
{
	char *text = NULL;
	int code = smsc_http_get_text(&smsc, "/metrics", &text);

	ck_assert_int_eq(code, 200);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, line) != NULL, "/metrics lacks \"%s\"",
	    line);
	free(text);
}

/* The bind id of the latest bind in /sim/ (the highest). */
static unsigned
last_bind_id(void)
{
	json_t *o = get_json(SIM "/binds"), *b;
	unsigned id = 0, x;
	size_t i;

	json_array_foreach(json_object_get(o, "binds"), i, b) {
		x = (unsigned)json_integer_value(json_object_get(b, "id"));
		if (x > id)
			id = x;
	}
	json_decref(o);
	return id;
}

/* "in bind_transceiver, out bind_transceiver_resp ESME_RBINDFAIL": the
 * captures of a bind, as a line per PDU (the caller frees). */
static char *
captures(unsigned bind_id)
{
	char path[128], *out = xstrdup(""), *next;
	json_t *o, *c, *pdu;
	size_t i;

	snprintf(path, sizeof path, SIM "/binds/%u/pdus", bind_id);
	o = get_json(path);
	json_array_foreach(json_object_get(o, "pdus"), i, c) {
		pdu = json_object_get(c, "pdu");
		xasprintf(&next, "%s%s %s %s\n", out,
		    json_string_value(json_object_get(c, "dir")),
		    json_string_value(json_object_get(pdu, "command")),
		    json_string_value(json_object_get(pdu,
		    "command_status")));
		free(out);
		out = next;
	}
	json_decref(o);
	return out;
}

/* ---- binds ---- */

static struct esme *
dial(void)
{
	const char *addr = smsc_listen(&smsc, CARRIER, 0);
	struct esme *e;

	ck_assert_ptr_nonnull(addr);
	e = esme_connect(addr, 0);
	ck_assert_msg(e != NULL, "cannot connect to %s", addr);
	return e;
}

static struct esme *
bind_as(uint32_t cmd)
{
	struct esme *e = dial();
	long st = esme_bind(e, cmd, "test", "secret");

	ck_assert_msg(st == SMPP_ESME_ROK, "%s: %s", smpp_command_name(cmd),
	    status_name(st));
	return e;
}

/*
 * A gateway's reconnect loop: connect and bind as test/secret every
 * 50 ms until a bind succeeds or WAIT passes. Returns the bound ESME;
 * *refused counts the attempts refused with want_refusal on the way.
 */
static struct esme *
reconnect(uint32_t want_refusal, unsigned *refused)
{
	const char *addr = smsc_listen(&smsc, CARRIER, 0);
	struct esme *e;
	long st;
	int i;

	*refused = 0;
	for (i = 0; i < WAIT / 50; i++) {
		if ((e = esme_connect(addr, 0)) != NULL) {
			st = esme_bind(e, TRX, "test", "secret");
			if (st == SMPP_ESME_ROK)
				return e;
			ck_assert_msg(st == (long)want_refusal, "bind "
			    "refused with %s, not %s", status_name(st),
			    status_name(want_refusal));
			(*refused)++;
			esme_pump(e, 50);
			esme_close(e);
		} else
			usleep(50000);
	}
	ck_abort_msg("no bind within %d ms", WAIT);
	return NULL;
}

/* ---- submits ---- */

static struct smpp_pdu *
submit_pdu(const char *dst, const char *text, uint8_t rd)
{
	struct smpp_pdu *p = esme_pdu_new(SMPP_CMD_submit_sm);
	struct smpp_body_submit_sm *s = &p->u.submit_sm;

	snprintf(s->source_addr, sizeof s->source_addr, "55555");
	s->source_addr_npi = 1;
	snprintf(s->destination_addr, sizeof s->destination_addr, "%s", dst);
	s->dest_addr_ton = 1;
	s->dest_addr_npi = 1;
	s->registered_delivery = rd;
	s->sm_length = (uint8_t)strlen(text);
	memcpy(s->short_message, text, s->sm_length);
	return p;
}

/* Sends req (freed here), waits for its response; a copy, or NULL when
 * none came within ms. */
static struct smpp_pdu *
exchange(struct esme *e, struct smpp_pdu *req, int ms)
{
	struct smpp_pdu *resp = esme_pdu_new(0);
	int rc = esme_request(e, req, resp, ms);

	esme_pdu_free(req);
	if (rc == -1) {
		esme_pdu_free(resp);
		return NULL;
	}
	return resp;
}

/* A submit_sm's status, and its message_id in id. */
static uint32_t
submit(struct esme *e, const char *text, uint8_t rd, char *id, size_t len)
{
	struct smpp_pdu *r = exchange(e, submit_pdu("14155550100", text, rd),
	    WAIT);
	uint32_t st;

	ck_assert_msg(r != NULL, "no submit_sm_resp");
	ck_assert_uint_eq(r->command_id, SMPP_CMD_submit_sm_resp);
	st = r->command_status;
	if (id != NULL)
		snprintf(id, len, "%s", r->u.submit_sm_resp.message_id);
	esme_pdu_free(r);
	return st;
}

static void
submit_ok(struct esme *e, const char *text, uint8_t rd, char *id,
    size_t len)
{
	uint32_t st = submit(e, text, rd, id, len);

	ck_assert_msg(st == SMPP_ESME_ROK, "submit_sm: %s", status_name(st));
}

static struct smpp_pdu *
query_pdu(const char *id)
{
	struct smpp_pdu *q = esme_pdu_new(SMPP_CMD_query_sm);

	snprintf(q->u.query_sm.message_id, sizeof q->u.query_sm.message_id,
	    "%s", id);
	snprintf(q->u.query_sm.source_addr, sizeof q->u.query_sm.source_addr,
	    "55555");
	q->u.query_sm.source_addr_npi = 1;
	return q;
}

/* ---- receipts ---- */

/* A receipt's text: short_message, or message_payload of a data_sm. */
static void
rcpt_text(const struct smpp_pdu *d, char *out, size_t len)
{
	const struct smpp_tlv *t;

	if (d->command_id == SMPP_CMD_data_sm) {
		t = smpp_pdu_find_tlv(d, SMPP_TLV_message_payload);
		ck_assert_ptr_nonnull(t);
		snprintf(out, len, "%.*s", (int)t->length,
		    (const char *)smpp_tlv_value(d, t));
	} else
		snprintf(out, len, "%.*s", (int)d->u.deliver_sm.sm_length,
		    (const char *)d->u.deliver_sm.short_message);
}

/* The id in the text ("id:17 ..."). */
static void
rcpt_text_id(const struct smpp_pdu *d, char *out, size_t len)
{
	struct smpp_receipt r;
	char text[300];

	rcpt_text(d, text, sizeof text);
	ck_assert_int_eq(smpp_receipt_parse(text, strlen(text), &r),
	    SMPP_RECEIPT_OK);
	snprintf(out, len, "%s", r.id);
}

static const char *
tlv_string(const struct smpp_pdu *d, uint16_t tag, char *out, size_t len)
{
	const struct smpp_tlv *t = smpp_pdu_find_tlv(d, tag);

	if (t == NULL)
		return NULL;
	snprintf(out, len, "%.*s", (int)t->length,
	    (const char *)smpp_tlv_value(d, t));
	return out;
}

/* Every TLV of d as hex, "001e0003313700 04270001 02": tag, length,
 * value (the caller frees). */
static char *
tlv_hex(const struct smpp_pdu *d)
{
	char *out = xstrdup(""), *next, part[600];
	const uint8_t *v;
	uint16_t i, j;
	size_t n;

	for (i = 0; i < d->ntlv; i++) {
		const struct smpp_tlv *t = &d->tlv[i];

		n = (size_t)snprintf(part, sizeof part, "%04x%04x", t->tag,
		    t->length);
		v = smpp_tlv_value(d, t);
		for (j = 0; j < t->length && n + 3 < sizeof part; j++)
			n += (size_t)snprintf(part + n, sizeof part - n,
			    "%02x", v[j]);
		xasprintf(&next, "%s%s%s", out, i > 0 ? " " : "", part);
		free(out);
		out = next;
	}
	return out;
}

/* Text as lower-case hex (the caller frees). */
static char *
hex_of(const char *s)
{
	size_t n = strlen(s), i;
	char *out = xmalloc(2 * n + 1);

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)s[i]);
	out[2 * n] = '\0';
	return out;
}

static struct smpp_pdu *
deliver_must(struct esme *e, const char *what)
{
	struct smpp_pdu *d = esme_wait_deliver(e, WAIT);

	ck_assert_msg(d != NULL, "no %s within %d ms", what, WAIT);
	return d;
}

static void
no_deliver(struct esme *e, int ms, const char *what)
{
	struct smpp_pdu *d = esme_wait_deliver(e, ms);

	ck_assert_msg(d == NULL, "unexpected %s (%s)", d != NULL ?
	    smpp_command_name(d->command_id) : "", what);
}

static int
matches(const char *s, const char *pattern)
{
	regex_t re;
	int rc;

	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return rc;
}

/* ================================================================ */
/* Faults                                                           */
/* ================================================================ */

/*
 * refuse_binds: every new bind gets the status, even with a wrong
 * password; a session bound before keeps working; the captures show the
 * refusal. Cleared, binds work again. No body: the default status.
 */
START_TEST(test_refuse_binds)
{
	struct esme *bound, *e;
	char *cap, *on;
	unsigned id;

	start(NULL, NULL);
	bound = bind_as(TRX);
	fault_on("refuse_binds", "{'status': 'ESME_RSYSERR'}");
	e = dial();
	ck_assert_int_eq(esme_bind(e, TX, "test", "secret"), SMPP_ESME_RSYSERR);
	ck_assert_int_eq(esme_bind_resp(e)->has_body, 0);
	ck_assert_int_eq(esme_bind(e, RX, "test", "wrong"), SMPP_ESME_RSYSERR);
	id = last_bind_id();
	cap = captures(id);
	ck_assert_str_eq(cap, "in bind_transmitter ESME_ROK\n"
	    "out bind_transmitter_resp ESME_RSYSERR\n"
	    "in bind_receiver ESME_ROK\n"
	    "out bind_receiver_resp ESME_RSYSERR\n");
	free(cap);
	esme_close(e);
	submit_ok(bound, "still bound", 0, NULL, 0);
	on = active("faults");
	ck_assert_str_eq(on, "refuse_binds");
	free(on);
	fault_off("refuse_binds");
	e = bind_as(TX);
	esme_close(e);
	fault_on("refuse_binds", NULL);
	e = dial();
	ck_assert_int_eq(esme_bind(e, TRX, "test", "secret"),
	    SMPP_ESME_RBINDFAIL);
	esme_close(e);
	esme_close(bound);
	stop();
}
END_TEST

/*
 * refuse_binds with "for": a client reconnecting every 50 ms is refused
 * until the fault clears itself, then binds; the switches are counted.
 */
START_TEST(test_refuse_binds_for)
{
	struct esme *e;
	unsigned refused;
	char *on;

	start(NULL, NULL);
	fault_on("refuse_binds", "{'status': 'ESME_RBINDFAIL', 'for': "
	    "'800ms'}");
	metrics_have("carrierlab_fault_active{carrier=\"alpha\",fault="
	    "\"refuse_binds\"} 1\n");
	e = reconnect(SMPP_ESME_RBINDFAIL, &refused);
	ck_assert_msg(refused >= 2, "bound after %u refusals", refused);
	submit_ok(e, "through", 0, NULL, 0);
	on = active("faults");
	ck_assert_str_eq(on, "");
	free(on);
	metrics_have("carrierlab_fault_switches_total{carrier=\"alpha\","
	    "fault=\"refuse_binds\",action=\"on\"} 1\n");
	metrics_have("carrierlab_fault_switches_total{carrier=\"alpha\","
	    "fault=\"refuse_binds\",action=\"off\"} 1\n");
	metrics_have("carrierlab_fault_active{carrier=\"alpha\",fault="
	    "\"refuse_binds\"} 0\n");
	esme_close(e);
	stop();
}
END_TEST

/* From the scenario: on at start, off after its "for". */
START_TEST(test_scenario_faults)
{
	struct esme *e;
	unsigned refused;
	char id[65], *on;

	start("{'faults': [{'name': 'refuse_binds', 'status': "
	    "'ESME_RINVSYSID', 'for': '1500ms'}], 'quirks': {'message_id': "
	    "{'format': 'padded', 'width': 6}}}", NULL);
	on = active("quirks");
	ck_assert_str_eq(on, "message_id");
	free(on);
	e = reconnect(SMPP_ESME_RINVSYSID, &refused);
	ck_assert_uint_ge(refused, 1);
	submit_ok(e, "padded", 0, id, sizeof id);
	ck_assert_str_eq(id, "000001");
	esme_close(e);
	stop();
}
END_TEST

/*
 * close_listener: connect is refused (ECONNREFUSED) while it is on, a
 * session opened before keeps working; cleared, the same address
 * accepts again.
 */
START_TEST(test_close_listener)
{
	const char *addr;
	struct esme *bound, *e;
	json_t *o;

	start(NULL, NULL);
	addr = smsc_listen(&smsc, CARRIER, 0);
	bound = bind_as(TRX);
	fault_on("close_listener", NULL);
	ck_assert_int_eq(esme_probe_connect(addr), ECONNREFUSED);
	o = get_json(SIM);
	ck_assert(json_is_false(json_object_get(json_array_get(
	    json_object_get(o, "listen"), 0), "open")));
	json_decref(o);
	submit_ok(bound, "still here", 0, NULL, 0);
	fault_off("close_listener");
	ck_assert_int_eq(esme_probe_connect(addr), 0);
	e = bind_as(TX);
	submit_ok(e, "again", 0, NULL, 0);
	esme_close(e);
	esme_close(bound);
	stop();
}
END_TEST

/*
 * Clearing close_listener when the port was taken meanwhile: 409 and the
 * fault stays on; once the port is free, clearing works.
 */
START_TEST(test_close_listener_port_taken)
{
	struct sockaddr_storage ss;
	int len = sizeof ss, fd, one = 1;
	char msg[512];
	json_t *body = NULL;
	const char *addr;
	char *on;

	start(NULL, NULL);
	addr = smsc_listen(&smsc, CARRIER, 0);
	fault_on("close_listener", NULL);
	memset(&ss, 0, sizeof ss);
	ck_assert_int_eq(evutil_parse_sockaddr_port(addr,
	    (struct sockaddr *)&ss, &len), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, (socklen_t)len), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(smsc_http_delete(&smsc, SIM "/faults/close_listener",
	    &body), 409);
	snprintf(msg, sizeof msg, "%s", json_string_value(json_object_get(
	    body, "message")));
	json_decref(body);
	ck_assert_msg(strstr(msg, "Address already in use") != NULL, "%s",
	    msg);
	on = active("faults");
	ck_assert_str_eq(on, "close_listener");
	free(on);
	close(fd);
	fault_off("close_listener");
	ck_assert_int_eq(esme_probe_connect(addr), 0);
	stop();
}
END_TEST

/*
 * drop_connections in the middle of a full window: submits held back by
 * the latency fault are never answered; every connection (TRX, RX, and
 * one not bound yet) is closed without unbind; the fault acts once and
 * is never on. The client reconnects and works.
 */
START_TEST(test_drop_connections)
{
	struct esme *e, *rx, *idle;
	struct smpp_pdu *req;
	int h[3], i;
	unsigned refused;
	char *on;

	start("{'window': 3}", NULL);
	e = bind_as(TRX);
	rx = bind_as(RX);
	idle = dial();
	fault_on("latency", "{'add': '20s'}");
	for (i = 0; i < 3; i++) {
		req = submit_pdu("14155550100", "in the window", 0);
		h[i] = esme_send_async(e, req);
		esme_pdu_free(req);
		ck_assert_int_ge(h[i], 0);
	}
	wait_number(e, "counters", "messages", 3);
	fault_on("drop_connections", NULL);
	ck_assert_msg(esme_wait_closed(e, WAIT) == 0, "TRX not dropped");
	ck_assert_msg(esme_wait_closed(rx, WAIT) == 0, "RX not dropped");
	ck_assert_msg(esme_wait_closed(idle, WAIT) == 0, "open connection "
	    "not dropped");
	for (i = 0; i < 3; i++)
		ck_assert_msg(esme_wait_response(e, h[i], 0) == NULL,
		    "submit %d answered before the drop", i);
	ck_assert_uint_eq(esme_response_arrival(e, h[0]), 0);
	on = active("faults");
	ck_assert_str_eq(on, "latency");
	free(on);
	metrics_have("carrierlab_fault_switches_total{carrier=\"alpha\","
	    "fault=\"drop_connections\",action=\"on\"} 1\n");
	metrics_have("carrierlab_fault_active{carrier=\"alpha\",fault="
	    "\"drop_connections\"} 0\n");
	esme_close(e);
	esme_close(rx);
	esme_close(idle);
	fault_off("latency");
	e = reconnect(0, &refused);
	ck_assert_uint_eq(refused, 0);
	submit_ok(e, "after the drop", 0, NULL, 0);
	esme_close(e);
	stop();
}
END_TEST

/*
 * drop_after_bind: bind_resp ESME_ROK, then the line is closed (at once,
 * or after "after"); sessions bound before stay. Cleared, binds stay up.
 */
START_TEST(test_drop_after_bind)
{
	struct esme *before, *e;
	double t0;

	start(NULL, NULL);
	before = bind_as(TRX);
	fault_on("drop_after_bind", NULL);
	e = bind_as(TRX);
	ck_assert_msg(esme_wait_closed(e, WAIT) == 0, "not dropped");
	esme_close(e);
	fault_on("drop_after_bind", "{'after': '300ms'}");
	t0 = now_ms();
	e = bind_as(TRX);
	submit_ok(e, "in time", 0, NULL, 0);
	ck_assert_msg(esme_wait_closed(e, WAIT) == 0, "not dropped after");
	ck_assert_msg(now_ms() - t0 >= 250, "dropped after %.0f ms",
	    now_ms() - t0);
	esme_close(e);
	submit_ok(before, "bound before", 0, NULL, 0);
	fault_off("drop_after_bind");
	e = bind_as(TRX);
	esme_pump(e, 400);
	ck_assert(!esme_is_closed(e));
	esme_close(e);
	esme_close(before);
	stop();
}
END_TEST

/*
 * blackhole: a bound session's enquire_link and submit_sm go unanswered;
 * a new connection is accepted but its bind never answered, which its
 * captures show (PDUs in, none out). Cleared, the silenced sessions are
 * closed and a new one works.
 */
START_TEST(test_blackhole)
{
	struct esme *a, *b, *c;
	struct smpp_pdu *req;
	json_t *o, *b_json;
	size_t i;
	int h;
	char *cap;

	start(NULL, NULL);
	a = bind_as(TRX);
	fault_on("blackhole", NULL);
	ck_assert_ptr_null(exchange(a, esme_pdu_new(SMPP_CMD_enquire_link),
	    QUIET_MS));
	ck_assert_ptr_null(exchange(a, submit_pdu("14155550100", "void", 1),
	    QUIET_MS));
	b = dial();
	req = esme_pdu_new(SMPP_CMD_bind_transceiver);
	snprintf(req->u.bind_transceiver.system_id,
	    sizeof req->u.bind_transceiver.system_id, "test");
	snprintf(req->u.bind_transceiver.password,
	    sizeof req->u.bind_transceiver.password, "secret");
	h = esme_send_async(b, req);
	esme_pdu_free(req);
	ck_assert_ptr_null(esme_wait_response(b, h, QUIET_MS));
	ck_assert_int_eq(esme_state(b), SMPP_STATE_OPEN);
	cap = captures(last_bind_id());
	ck_assert_str_eq(cap, "in bind_transceiver ESME_ROK\n");
	free(cap);
	o = get_json(SIM "/binds");
	json_array_foreach(json_object_get(o, "binds"), i, b_json)
		ck_assert(json_is_true(json_object_get(b_json, "muted")));
	ck_assert_uint_eq(i, 2);
	json_decref(o);
	fault_off("blackhole");
	ck_assert_msg(esme_wait_closed(a, WAIT) == 0, "a silenced bind was "
	    "kept");
	ck_assert_msg(esme_wait_closed(b, WAIT) == 0, "a silenced "
	    "connection was kept");
	c = bind_as(TRX);
	req = exchange(c, esme_pdu_new(SMPP_CMD_enquire_link), WAIT);
	ck_assert_ptr_nonnull(req);
	ck_assert_uint_eq(req->command_id, SMPP_CMD_enquire_link_resp);
	esme_pdu_free(req);
	esme_close(a);
	esme_close(b);
	esme_close(c);
	stop();
}
END_TEST

static struct smpp_pdu *
data_sm_pdu(const char *text)
{
	struct smpp_pdu *p = esme_pdu_new(SMPP_CMD_data_sm);
	struct smpp_body_data_sm *d = &p->u.data_sm;

	snprintf(d->source_addr, sizeof d->source_addr, "55555");
	d->source_addr_npi = 1;
	snprintf(d->destination_addr, sizeof d->destination_addr,
	    "14155550100");
	d->dest_addr_ton = 1;
	d->dest_addr_npi = 1;
	d->registered_delivery = 1;
	smpp_pdu_add_tlv(p, SMPP_TLV_message_payload, text,
	    (uint16_t)strlen(text));
	return p;
}

static struct smpp_pdu *
multi_pdu(const char *text)
{
	struct smpp_pdu *p = esme_pdu_new(SMPP_CMD_submit_multi);
	struct smpp_body_submit_multi *m = &p->u.submit_multi;

	snprintf(m->source_addr, sizeof m->source_addr, "55555");
	m->source_addr_npi = 1;
	m->number_of_dests = 1;
	m->dest_address[0].dest_flag = 1;
	m->dest_address[0].dest_addr_ton = 1;
	m->dest_address[0].dest_addr_npi = 1;
	snprintf(m->dest_address[0].destination_addr,
	    sizeof m->dest_address[0].destination_addr, "14155550100");
	m->registered_delivery = 1;
	m->sm_length = (uint8_t)strlen(text);
	memcpy(m->short_message, text, m->sm_length);
	return p;
}

/*
 * submit_errors: submit_sm, data_sm and submit_multi all answered with
 * the status and no body, no receipt after; with share 0.5 some pass and
 * some do not; cleared, all pass.
 */
START_TEST(test_submit_errors)
{
	struct smpp_pdu *r;
	struct esme *e;
	int i, refused = 0;
	uint32_t st;

	start(NULL, NULL);
	e = bind_as(TRX);
	fault_on("submit_errors", "{'status': 'ESME_RTHROTTLED'}");
	r = exchange(e, submit_pdu("14155550100", "no", 1), WAIT);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_RTHROTTLED);
	ck_assert_uint_eq(r->command_length, 16);
	esme_pdu_free(r);
	r = exchange(e, data_sm_pdu("no"), WAIT);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->command_id, SMPP_CMD_data_sm_resp);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_RTHROTTLED);
	esme_pdu_free(r);
	r = exchange(e, multi_pdu("no"), WAIT);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->command_id, SMPP_CMD_submit_multi_resp);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_RTHROTTLED);
	esme_pdu_free(r);
	no_deliver(e, QUIET_MS, "a receipt of a refused submit");
	ck_assert_int_eq(carrier_number("counters", "messages"), 0);
	fault_on("submit_errors", "{'status': 'ESME_RSYSERR', 'share': 0.5}");
	for (i = 0; i < 40; i++) {
		st = submit(e, "maybe", 0, NULL, 0);
		ck_assert_msg(st == SMPP_ESME_ROK || st == SMPP_ESME_RSYSERR,
		    "%s", status_name(st));
		refused += st != SMPP_ESME_ROK;
	}
	ck_assert_msg(refused >= 8 && refused <= 32, "share 0.5 refused %d of "
	    "40", refused);
	fault_off("submit_errors");
	submit_ok(e, "yes", 0, NULL, 0);
	esme_close(e);
	stop();
}
END_TEST

/*
 * latency: submit_sm_resp and query_sm_resp come "add" later; the
 * receipt still comes after its response; cleared, answers are prompt.
 */
START_TEST(test_latency)
{
	struct smpp_pdu *req, *r, *d;
	struct esme *e;
	double t0;
	char id[65];
	int h;

	start(NULL, NULL);
	e = bind_as(TRX);
	fault_on("latency", "{'add': {'uniform': ['400ms', '500ms']}}");
	t0 = now_ms();
	req = submit_pdu("14155550100", "slow", 1);
	h = esme_send_async(e, req);
	esme_pdu_free(req);
	r = (struct smpp_pdu *)esme_wait_response(e, h, WAIT);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(now_ms() - t0 >= 390, "answered after %.0f ms",
	    now_ms() - t0);
	snprintf(id, sizeof id, "%s", r->u.submit_sm_resp.message_id);
	d = deliver_must(e, "the receipt");
	ck_assert_uint_gt(esme_deliver_arrival(e), esme_response_arrival(e,
	    h));
	esme_pdu_free(d);
	t0 = now_ms();
	r = exchange(e, query_pdu(id), WAIT);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_ROK);
	ck_assert_msg(now_ms() - t0 >= 390, "query answered after %.0f ms",
	    now_ms() - t0);
	esme_pdu_free(r);
	fault_off("latency");
	t0 = now_ms();
	submit_ok(e, "fast", 0, NULL, 0);
	ck_assert_msg(now_ms() - t0 < 300, "answered after %.0f ms",
	    now_ms() - t0);
	esme_close(e);
	stop();
}
END_TEST

/*
 * stop_receipts: receipts and MO fall due and are held (the outbox says
 * so); cleared, they arrive in the order they fell due: the receipts by
 * submit, then the MO injected after them.
 */
START_TEST(test_stop_receipts)
{
	char ids[5][65], got[65], text[64];
	struct smpp_pdu *d;
	struct esme *e;
	json_t *mo, *resp = NULL;
	int i;

	start(NULL, NULL);
	e = bind_as(TRX);
	fault_on("stop_receipts", NULL);
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof text, "held %d", i);
		submit_ok(e, text, 1, ids[i], sizeof ids[i]);
	}
	no_deliver(e, QUIET_MS, "a receipt while stopped");
	mo = json_pack("{s:s, s:s, s:s}", "from", "+14155550123", "to",
	    "55555", "body", "STOP");
	ck_assert_int_eq(smsc_http_post(&smsc, SIM "/mo", mo, &resp), 202);
	json_decref(mo);
	json_decref(resp);
	wait_number(e, "outbox", "held", 6);
	no_deliver(e, 200, "the MO while stopped");
	fault_off("stop_receipts");
	for (i = 0; i < 5; i++) {
		d = deliver_must(e, "a released receipt");
		ck_assert_uint_eq(d->command_id, SMPP_CMD_deliver_sm);
		ck_assert_uint_eq(d->u.deliver_sm.esm_class,
		    SMPP_ESM_TYPE_RECEIPT);
		rcpt_text_id(d, got, sizeof got);
		ck_assert_str_eq(got, ids[i]);
		esme_pdu_free(d);
	}
	d = deliver_must(e, "the released MO");
	ck_assert_uint_eq(d->u.deliver_sm.esm_class, 0);
	ck_assert_int_eq(d->u.deliver_sm.sm_length, 4);
	ck_assert_mem_eq(d->u.deliver_sm.short_message, "STOP", 4);
	esme_pdu_free(d);
	wait_number(e, "outbox", "pending", 0);
	esme_close(e);
	stop();
}
END_TEST

/* duplicate_receipts: the same receipt twice, octet for octet but the
 * sequence number; share 0: once. */
START_TEST(test_duplicate_receipts)
{
	struct smpp_pdu *a, *b;
	struct esme *e;
	char *ta, *tb, sa[300], sb[300];

	start(NULL, NULL);
	e = bind_as(TRX);
	fault_on("duplicate_receipts", NULL);
	submit_ok(e, "twice", 1, NULL, 0);
	a = deliver_must(e, "the receipt");
	b = deliver_must(e, "its duplicate");
	ck_assert_uint_ne(a->sequence_number, b->sequence_number);
	rcpt_text(a, sa, sizeof sa);
	rcpt_text(b, sb, sizeof sb);
	ck_assert_str_eq(sa, sb);
	ta = tlv_hex(a);
	tb = tlv_hex(b);
	ck_assert_str_eq(ta, tb);
	free(ta);
	free(tb);
	esme_pdu_free(a);
	esme_pdu_free(b);
	no_deliver(e, QUIET_MS, "a third copy");
	wait_number(e, "counters", "receipts_duplicated", 1);
	fault_on("duplicate_receipts", "{'share': 0}");
	submit_ok(e, "once", 1, NULL, 0);
	esme_pdu_free(deliver_must(e, "the receipt"));
	no_deliver(e, QUIET_MS, "a duplicate at share 0");
	esme_close(e);
	stop();
}
END_TEST

/* Bad input never reaches the carrier as a switch: 400 naming the
 * parameter, 404 for a name no table has. */
START_TEST(test_bad_switches)
{
	static const struct {
		const char	*path;
		const char	*params;
		int		 code;
		const char	*part;
	} cases[] = {
		{ SIM "/faults/nope", NULL, 404, "no fault named \"nope\"" },
		{ SIM "/quirks/refuse_binds", NULL, 404,
		  "no quirk named \"refuse_binds\"" },
		{ "/sim/carriers/zeta/faults/blackhole", NULL, 404,
		  "no carrier named \"zeta\"" },
		{ SIM "/faults/submit_errors", "{'share': 2}", 400,
		  "share: must be a number between 0 and 1" },
		{ SIM "/faults/submit_errors", "{'status': 'ESME_ROK'}", 400,
		  "status: ESME_ROK is not an error status" },
		{ SIM "/faults/submit_errors", "{'status': 'NOPE'}", 400,
		  "status: must be an SMPP status name" },
		{ SIM "/faults/refuse_binds", "{'colour': 1}", 400,
		  "colour: unknown parameter (refuse_binds takes status, "
		  "for)" },
		{ SIM "/faults/refuse_binds", "{'for': '0s'}", 400,
		  "for: must be more than 0" },
		{ SIM "/faults/refuse_binds", "{'for': '5 parsecs'}", 400,
		  "for: \"5 parsecs\" is not a duration" },
		{ SIM "/faults/drop_connections", "{'for': '1s'}", 400,
		  "for: drop_connections acts once" },
		{ SIM "/faults/latency", "{'add': {'uniform': ['2s', '1s']}}",
		  400, "add.uniform: the low bound is above the high bound" },
		{ SIM "/faults/latency", "{'add': {'gauss': 1}}", 400,
		  "add.gauss: unknown distribution" },
		{ SIM "/faults/latency", "[1]", 400,
		  "the body must be a JSON object" },
		{ SIM "/quirks/message_id", "{'format': 'octal'}", 400,
		  "format: must be \"decimal\", \"hex\", \"HEX\", \"padded\" "
		  "or \"uuid\"" },
		{ SIM "/quirks/message_id", "{'width': 65}", 400,
		  "width: must be an integer between 1 and 64" },
		{ SIM "/quirks/vendor_tlvs", "{'tlvs': [{'tag': '0x0423', "
		  "'value': '01'}]}", 400, "tlvs[0].tag: must be a vendor TLV "
		  "tag" },
		{ SIM "/quirks/vendor_tlvs", "{'tlvs': [{'tag': 5123, "
		  "'value': 'xyz'}]}", 400, "tlvs[0].value: must be hex" },
		{ SIM "/quirks/vendor_tlvs", "{'tlvs': [{'tag': 5123}]}", 400,
		  "tlvs[0].value: required" },
		{ SIM "/quirks/stat_words", "{'DELIVRD': 'DELIVERED OK'}", 400,
		  "DELIVRD: \"DELIVERED OK\": only printable ASCII" },
	};
	char msg[512], *on;
	json_t *body = NULL;
	size_t i;
	int code;

	start(NULL, NULL);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		code = put(cases[i].path, cases[i].params, msg, sizeof msg);
		ck_assert_msg(code == cases[i].code && strstr(msg,
		    cases[i].part) != NULL, "PUT %s %s: %d \"%s\", want %d "
		    "\"%s\"", cases[i].path, cases[i].params != NULL ?
		    cases[i].params : "", code, msg, cases[i].code,
		    cases[i].part);
	}
	on = active("faults");
	ck_assert_str_eq(on, "");
	free(on);
	on = active("quirks");
	ck_assert_str_eq(on, "");
	free(on);
	/* Clearing what is off is no error; an unknown name is. */
	ck_assert_int_eq(smsc_http_delete(&smsc, SIM "/faults/blackhole",
	    NULL), 200);
	ck_assert_int_eq(smsc_http_delete(&smsc, SIM "/faults/nope", NULL),
	    404);
	/* POST sets as PUT does; GET is not a route there. */
	ck_assert_int_eq(smsc_http_post(&smsc, SIM "/quirks/no_receipt_tlvs",
	    NULL, &body), 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(body, "quirks"), 0), "name")), "no_receipt_tlvs");
	json_decref(body);
	ck_assert_int_eq(smsc_http_get(&smsc, SIM "/quirks/no_receipt_tlvs",
	    NULL), 405);
	stop();
}
END_TEST

/* ================================================================ */
/* Quirks                                                           */
/* ================================================================ */

static uint32_t
operation(struct esme *e, struct smpp_pdu *req)
{
	struct smpp_pdu *r = exchange(e, req, WAIT);
	uint32_t st;

	ck_assert_ptr_nonnull(r);
	st = r->command_status;
	esme_pdu_free(r);
	return st;
}

static struct smpp_pdu *
cancel_pdu(const char *id)
{
	struct smpp_pdu *q = esme_pdu_new(SMPP_CMD_cancel_sm);

	snprintf(q->u.cancel_sm.message_id, sizeof q->u.cancel_sm.message_id,
	    "%s", id);
	snprintf(q->u.cancel_sm.source_addr, sizeof q->u.cancel_sm.source_addr,
	    "55555");
	q->u.cancel_sm.source_addr_npi = 1;
	return q;
}

static struct smpp_pdu *
replace_pdu(const char *id)
{
	struct smpp_pdu *q = esme_pdu_new(SMPP_CMD_replace_sm);

	snprintf(q->u.replace_sm.message_id, sizeof q->u.replace_sm.message_id,
	    "%s", id);
	snprintf(q->u.replace_sm.source_addr,
	    sizeof q->u.replace_sm.source_addr, "55555");
	q->u.replace_sm.source_addr_npi = 1;
	q->u.replace_sm.registered_delivery = 1;
	q->u.replace_sm.sm_length = 3;
	memcpy(q->u.replace_sm.short_message, "new", 3);
	return q;
}

/*
 * message_id in each format: the response's id has it, query_sm,
 * replace_sm and cancel_sm take it, and the receipt (DELETED, after the
 * cancel) names the message by it, in its text and its TLV.
 */
START_TEST(test_message_id_formats)
{
	static const struct {
		const char	*params;
		const char	*want;		/* regex of the id */
	} f[] = {
		{ "{'format': 'hex'}", "^1a$" },
		{ "{'format': 'HEX'}", "^1B$" },
		{ "{'format': 'padded', 'width': 12}", "^000000000028$" },
		{ "{'format': 'uuid'}", "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
		  "[89ab][0-9a-f]{3}-[0-9a-f]{12}$" },
		{ "{'format': 'decimal'}", "^30$" },
	};
	char id[65], got[65], tlv[70];
	struct smpp_pdu *d;
	struct esme *e;
	size_t i;

	start("{'receipt_delay': '30s'}", NULL);
	e = bind_as(TRX);
	for (i = 0; i < 25; i++)
		submit_ok(e, "filler", 0, id, sizeof id);
	ck_assert_str_eq(id, "25");
	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		quirk_on("message_id", f[i].params);
		submit_ok(e, "formatted", 2, id, sizeof id);
		ck_assert_msg(matches(id, f[i].want), "%s: id \"%s\"",
		    f[i].params, id);
		ck_assert_uint_eq(operation(e, query_pdu(id)), SMPP_ESME_ROK);
		ck_assert_uint_eq(operation(e, replace_pdu(id)),
		    SMPP_ESME_ROK);
		ck_assert_uint_eq(operation(e, cancel_pdu(id)), SMPP_ESME_ROK);
		d = deliver_must(e, "the DELETED receipt");
		rcpt_text_id(d, got, sizeof got);
		ck_assert_str_eq(got, id);
		ck_assert_str_eq(tlv_string(d, SMPP_TLV_receipted_message_id,
		    tlv, sizeof tlv), id);
		esme_pdu_free(d);
	}
	esme_close(e);
	stop();
}
END_TEST

/*
 * receipt_id_format: the response says one thing, the receipt another,
 * in its text and in receipted_message_id.
 */
START_TEST(test_receipt_id_format)
{
	char id[65], got[65], tlv[70];
	struct smpp_pdu *d;
	struct esme *e;
	int i;

	start(NULL, NULL);
	e = bind_as(TRX);
	for (i = 0; i < 10; i++)
		submit_ok(e, "filler", 0, id, sizeof id);
	quirk_on("receipt_id_format", "{'format': 'HEX'}");
	submit_ok(e, "eleven", 1, id, sizeof id);
	ck_assert_str_eq(id, "11");
	d = deliver_must(e, "the receipt");
	rcpt_text_id(d, got, sizeof got);
	ck_assert_str_eq(got, "B");
	ck_assert_str_eq(tlv_string(d, SMPP_TLV_receipted_message_id, tlv,
	    sizeof tlv), "B");
	esme_pdu_free(d);
	quirk_on("message_id", "{'format': 'hex'}");
	quirk_on("receipt_id_format", "{'format': 'padded', 'width': 10}");
	submit_ok(e, "twelve", 1, id, sizeof id);
	ck_assert_str_eq(id, "c");
	d = deliver_must(e, "the receipt");
	rcpt_text_id(d, got, sizeof got);
	ck_assert_str_eq(got, "0000000012");
	esme_pdu_free(d);
	quirk_off("receipt_id_format");
	submit_ok(e, "thirteen", 1, id, sizeof id);
	d = deliver_must(e, "the receipt");
	rcpt_text_id(d, got, sizeof got);
	ck_assert_str_eq(got, "d");
	esme_pdu_free(d);
	esme_close(e);
	stop();
}
END_TEST

/* receipt_before_response: the final receipt reaches the client before
 * the submit_sm_resp of its message. */
START_TEST(test_receipt_before_response)
{
	struct smpp_pdu *req, *d;
	const struct smpp_pdu *r;
	struct esme *e;
	char got[65];
	int h;

	start("{'receipt_delay': '5s'}", NULL);
	e = bind_as(TRX);
	quirk_on("receipt_before_response", "{'delay': '200ms'}");
	req = submit_pdu("14155550100", "early", 1);
	h = esme_send_async(e, req);
	esme_pdu_free(req);
	d = deliver_must(e, "the early receipt");
	r = esme_wait_response(e, h, WAIT);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_ROK);
	ck_assert_uint_lt(esme_deliver_arrival(e), esme_response_arrival(e,
	    h));
	rcpt_text_id(d, got, sizeof got);
	ck_assert_str_eq(got, r->u.submit_sm_resp.message_id);
	ck_assert_uint_eq(d->u.deliver_sm.esm_class, SMPP_ESM_TYPE_RECEIPT);
	esme_pdu_free(d);
	esme_close(e);
	stop();
}
END_TEST

/*
 * receipts_as_data_sm: a data_sm with esm_class 0x04, the text in
 * message_payload and the usual TLVs; the client's data_sm_resp
 * acknowledges it.
 */
START_TEST(test_receipts_as_data_sm)
{
	char id[65], text[300], want[300], *hex, *wanthex, *expect;
	struct smpp_pdu *d;
	struct esme *e;

	start(NULL, fixed_clock);
	e = bind_as(TRX);
	quirk_on("receipts_as_data_sm", NULL);
	submit_ok(e, "as data", 1, id, sizeof id);
	d = deliver_must(e, "the receipt");
	ck_assert_uint_eq(d->command_id, SMPP_CMD_data_sm);
	ck_assert_uint_eq(d->u.data_sm.esm_class, SMPP_ESM_TYPE_RECEIPT);
	ck_assert_str_eq(d->u.data_sm.source_addr, "14155550100");
	ck_assert_str_eq(d->u.data_sm.destination_addr, "55555");
	rcpt_text(d, text, sizeof text);
	snprintf(want, sizeof want, "id:%s sub:001 dlvrd:001 submit "
	    "date:2601010000 done date:2601010000 stat:DELIVRD err:000 "
	    "text:as data", id);
	ck_assert_str_eq(text, want);
	hex = tlv_hex(d);
	wanthex = hex_of(want);
	xasprintf(&expect, "0424%04zx%s 001e00023100 0427000102",
	    strlen(want), wanthex);
	ck_assert_str_eq(hex, expect);
	free(hex);
	free(wanthex);
	free(expect);
	esme_pdu_free(d);
	wait_number(e, "outbox", "pending", 0);
	esme_close(e);
	stop();
}
END_TEST

/* vendor_tlvs: after the standard TLVs, these, octet for octet. */
START_TEST(test_vendor_tlvs)
{
	struct smpp_pdu *d;
	struct esme *e;
	char *hex;

	start(NULL, NULL);
	e = bind_as(TRX);
	quirk_on("vendor_tlvs", "{'tlvs': [{'tag': '0x1403', 'value': "
	    "'0102'}, {'tag': 5125, 'value': 'ff'}]}");
	submit_ok(e, "vendor", 1, NULL, 0);
	d = deliver_must(e, "the receipt");
	hex = tlv_hex(d);
	/* receipted_message_id "1", message_state 2, then the vendors'. */
	ck_assert_str_eq(hex, "001e00023100 0427000102 140300020102 "
	    "14050001ff");
	free(hex);
	esme_pdu_free(d);
	/* The default: SMPPSim's 0x1403. */
	quirk_on("vendor_tlvs", NULL);
	submit_ok(e, "vendor", 1, NULL, 0);
	d = deliver_must(e, "the receipt");
	hex = tlv_hex(d);
	ck_assert_str_eq(hex, "001e00023200 0427000102 1403000101");
	free(hex);
	esme_pdu_free(d);
	esme_close(e);
	stop();
}
END_TEST

/* error_response_body: an error response carries a body, an empty
 * message_id (one NUL octet); without it, a bare header. */
START_TEST(test_error_response_body)
{
	struct smpp_pdu *r, *req;
	struct esme *e;

	start(NULL, NULL);
	e = bind_as(TRX);
	fault_on("submit_errors", "{'status': 'ESME_RSYSERR'}");
	r = exchange(e, submit_pdu("14155550100", "x", 0), WAIT);
	ck_assert_uint_eq(r->command_length, 16);
	ck_assert_int_eq(r->has_body, 0);
	esme_pdu_free(r);
	quirk_on("error_response_body", NULL);
	r = exchange(e, submit_pdu("14155550100", "x", 0), WAIT);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_RSYSERR);
	ck_assert_uint_eq(r->command_length, 17);
	ck_assert_int_eq(r->has_body, 1);
	ck_assert_str_eq(r->u.submit_sm_resp.message_id, "");
	esme_pdu_free(r);
	r = exchange(e, data_sm_pdu("x"), WAIT);
	ck_assert_uint_eq(r->command_id, SMPP_CMD_data_sm_resp);
	ck_assert_uint_eq(r->command_length, 17);
	esme_pdu_free(r);
	/* A refusal of the carrier's own (capabilities) too. */
	fault_off("submit_errors");
	req = submit_pdu("14155550100", "x", 0);
	req->u.submit_sm.data_coding = 0x05;
	r = exchange(e, req, WAIT);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_RINVDCS);
	ck_assert_uint_eq(r->command_length, 17);
	esme_pdu_free(r);
	esme_close(e);
	stop();
}
END_TEST

/* stat_words: the text says DELIVERED, message_state still says 2. */
START_TEST(test_stat_words)
{
	char id[65], text[300], want[300];
	const struct smpp_tlv *t;
	struct smpp_pdu *d;
	struct esme *e;

	start(NULL, fixed_clock);
	e = bind_as(TRX);
	quirk_on("stat_words", "{'DELIVRD': 'DELIVERED', 'UNDELIV': "
	    "'FAILED'}");
	submit_ok(e, "worded", 1, id, sizeof id);
	d = deliver_must(e, "the receipt");
	rcpt_text(d, text, sizeof text);
	snprintf(want, sizeof want, "id:%s sub:001 dlvrd:001 submit "
	    "date:2601010000 done date:2601010000 stat:DELIVERED err:000 "
	    "text:worded", id);
	ck_assert_str_eq(text, want);
	t = smpp_pdu_find_tlv(d, SMPP_TLV_message_state);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->num, SMPP_RECEIPT_STAT_DELIVRD);
	esme_pdu_free(d);
	esme_close(e);
	stop();
}
END_TEST

/* no_receipt_tlvs: no TLV at all; the id is in the text. */
START_TEST(test_no_receipt_tlvs)
{
	char id[65], got[65];
	struct smpp_pdu *d;
	struct esme *e;

	start(NULL, NULL);
	e = bind_as(TRX);
	quirk_on("no_receipt_tlvs", NULL);
	submit_ok(e, "bare", 1, id, sizeof id);
	d = deliver_must(e, "the receipt");
	ck_assert_uint_eq(d->ntlv, 0);
	rcpt_text_id(d, got, sizeof got);
	ck_assert_str_eq(got, id);
	esme_pdu_free(d);
	quirk_off("no_receipt_tlvs");
	submit_ok(e, "dressed", 1, id, sizeof id);
	d = deliver_must(e, "the receipt");
	ck_assert_uint_eq(d->ntlv, 2);
	esme_pdu_free(d);
	metrics_have("carrierlab_quirk_switches_total{carrier=\"alpha\","
	    "quirk=\"no_receipt_tlvs\",action=\"off\"} 1\n");
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */

static Suite *
faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc;

	tc = smsc_tcase(s, "binds", TCASE_TIMEOUT);
	tcase_add_test(tc, test_refuse_binds);
	tcase_add_test(tc, test_refuse_binds_for);
	tcase_add_test(tc, test_scenario_faults);
	tcase_add_test(tc, test_close_listener);
	tcase_add_test(tc, test_close_listener_port_taken);

	tc = smsc_tcase(s, "sessions", TCASE_TIMEOUT);
	tcase_add_test(tc, test_drop_connections);
	tcase_add_test(tc, test_drop_after_bind);
	tcase_add_test(tc, test_blackhole);

	tc = smsc_tcase(s, "messages", TCASE_TIMEOUT);
	tcase_add_test(tc, test_submit_errors);
	tcase_add_test(tc, test_latency);
	tcase_add_test(tc, test_stop_receipts);
	tcase_add_test(tc, test_duplicate_receipts);
	tcase_add_test(tc, test_bad_switches);

	tc = smsc_tcase(s, "quirks", TCASE_TIMEOUT);
	tcase_add_test(tc, test_message_id_formats);
	tcase_add_test(tc, test_receipt_id_format);
	tcase_add_test(tc, test_receipt_before_response);
	tcase_add_test(tc, test_receipts_as_data_sm);
	tcase_add_test(tc, test_vendor_tlvs);
	tcase_add_test(tc, test_error_response_body);
	tcase_add_test(tc, test_stat_words);
	tcase_add_test(tc, test_no_receipt_tlvs);
	return s;
}

int
main(void)
{
	return smsc_suite_run(faults_suite());
}
