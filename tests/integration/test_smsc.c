/*
 * carrierlab smsc, end to end: the real binary started on ephemeral
 * loopback ports (tests/integration/esme.c), driven by an ESME built on
 * the project's own session layer and by the /sim/ control routes.
 *
 * Every test starts its own smsc process in its own temporary directory,
 * so tests share nothing and may run beside other test programs. No test
 * sleeps: each wait runs an event loop until the thing awaited happens
 * or a deadline passes; a wait that must see nothing ("no receipt for
 * registered_delivery 0") is bounded by a deadline well past the time
 * the scenario gives the SMSC to act.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <jansson.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "smpp/pdu.h"
#include "smpp/receipt.h"
#include "smpp/segment.h"
#include "smpp/smpp.h"
#include "smpp/text.h"
#include "tests/integration/esme.h"

#define CARRIER		"alpha"
#define WAIT		ESME_WAIT_MS
#define QUIET_MS	1000	/* "nothing more comes" */
#define TCASE_TIMEOUT	60

#define TX		SMPP_CMD_bind_transmitter
#define RX		SMPP_CMD_bind_receiver
#define TRX		SMPP_CMD_bind_transceiver

/* Relative validity of one second (SMPP "YYMMDDhhmmss000R"). */
#define VALIDITY_1S	"000000000001000R"

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

/* One carrier "alpha", account test/secret, receipts after 100 ms, with
 * the members of extra (a JSON object) over these. */
static char *
scenario_with_listen(const char *extra, const char *listen)
{
	json_t *c = jq("{'name': 'alpha', 'accounts': [{'system_id': 'test', "
	    "'password': 'secret'}], 'receipt_delay': '100ms'}");
	json_t *top, *x;
	char *text;

	json_object_set_new(c, "listen", json_pack("[s]", listen));
	if (extra != NULL) {
		x = jq(extra);
		json_object_update(c, x);
		json_decref(x);
	}
	top = json_pack("{s:i, s:[o]}", "seed", 7, "carriers", c);
	text = json_dumps(top, JSON_INDENT(2));
	json_decref(top);
	return text;
}

static char *
scenario(const char *extra)
{
	return scenario_with_listen(extra, "127.0.0.1:0");
}

static void
start(const char *extra, const char *const *args)
{
	char *text = scenario(extra);

	ck_assert_msg(smsc_start(&smsc, text, args) == 0,
	    "carrierlab smsc did not start on:\n%s", text);
	free(text);
}

/* ---- binds ---- */

static struct esme *
dial(void)
{
	const char *addr = smsc_listen(&smsc, CARRIER, 0);
	struct esme *e;

	ck_assert_ptr_nonnull(addr);
	e = esme_connect(addr, smsc_listen_tls(&smsc, CARRIER, 0));
	ck_assert_msg(e != NULL, "cannot connect to %s", addr);
	return e;
}

static struct esme *
bind_as(uint32_t cmd, const char *system_id, const char *password)
{
	struct esme *e = dial();
	long st = esme_bind(e, cmd, system_id, password);

	ck_assert_msg(st == SMPP_ESME_ROK, "%s as %s: %s",
	    smpp_command_name(cmd), system_id, status_name(st));
	return e;
}

static enum smpp_session_state
bound_state(uint32_t cmd)
{
	switch (cmd) {
	case TX:
		return SMPP_STATE_BOUND_TX;
	case RX:
		return SMPP_STATE_BOUND_RX;
	default:
		return SMPP_STATE_BOUND_TRX;
	}
}

/* ---- submits ---- */

/* "+1415..." international, digits unknown, else alphanumeric. */
static void
addr_set(const char *addr, char *out, size_t len, uint8_t *ton,
    uint8_t *npi)
{
	if (addr[0] == '+') {
		*ton = 1;
		*npi = 1;
		snprintf(out, len, "%s", addr + 1);
	} else if (addr[0] != '\0' && strspn(addr, "0123456789") ==
	    strlen(addr)) {
		*ton = 0;
		*npi = 1;
		snprintf(out, len, "%s", addr);
	} else {
		*ton = 5;
		*npi = 0;
		snprintf(out, len, "%s", addr);
	}
}

static struct smpp_pdu *
submit_pdu(const char *src, const char *dst, uint8_t dc, const char *text,
    uint8_t rd)
{
	struct smpp_pdu *p = esme_pdu_new(SMPP_CMD_submit_sm);
	struct smpp_body_submit_sm *s = &p->u.submit_sm;
	size_t len = 0;

	addr_set(src, s->source_addr, sizeof s->source_addr,
	    &s->source_addr_ton, &s->source_addr_npi);
	addr_set(dst, s->destination_addr, sizeof s->destination_addr,
	    &s->dest_addr_ton, &s->dest_addr_npi);
	s->registered_delivery = rd;
	s->data_coding = dc;
	ck_assert_int_eq(smpp_text_encode(dc, text, strlen(text),
	    s->short_message, sizeof s->short_message, &len, NULL),
	    SMPP_TEXT_OK);
	s->sm_length = (uint8_t)len;
	return p;
}

/* Sends req (freed here), waits for the response: its status, and the
 * message_id in id when given. */
static uint32_t
submit(struct esme *e, struct smpp_pdu *req, char *id, size_t idlen)
{
	struct smpp_pdu *resp = esme_pdu_new(0);
	uint32_t cmd = req->command_id, st;

	ck_assert_msg(esme_request(e, req, resp, WAIT) == 0, "no response to "
	    "%s", smpp_command_name(cmd));
	ck_assert_msg(resp->command_id == smpp_response_id(cmd), "%s "
	    "answered with %s", smpp_command_name(cmd),
	    smpp_command_name(resp->command_id));
	st = resp->command_status;
	if (id != NULL)
		snprintf(id, idlen, "%s", st != SMPP_ESME_ROK ? "" :
		    cmd == SMPP_CMD_data_sm ? resp->u.data_sm_resp.message_id :
		    resp->u.submit_sm_resp.message_id);
	esme_pdu_free(resp);
	esme_pdu_free(req);
	return st;
}

/* A submit_sm from the short code 55555 that must be accepted. */
static void
submit_ok(struct esme *e, const char *dst, const char *text, uint8_t rd,
    char *id, size_t idlen)
{
	uint32_t st = submit(e, submit_pdu("55555", dst, 0, text, rd), id,
	    idlen);

	ck_assert_msg(st == SMPP_ESME_ROK, "submit to %s: %s", dst,
	    status_name(st));
	ck_assert_msg(id == NULL || id[0] != '\0', "submit_sm_resp without "
	    "message_id");
}

/* ---- receipts ---- */

struct rcpt {
	uint8_t		 esm_class;
	uint8_t		 data_coding;
	char		 source[22];
	char		 dest[22];
	char		 sm[256];		/* short_message, as text */
	uint8_t		 sm_len;
	struct smpp_receipt r;
	char		 tlv_id[65];		/* receipted_message_id */
	int		 state;			/* message_state, -1: none */
	int		 has_nec;
	uint8_t		 nec[3];
	uint8_t		 tlvs[1024];		/* tag, length, value... */
	size_t		 tlvs_len;
};

static void
rcpt_tlvs(const struct smpp_pdu *d, struct rcpt *out)
{
	const struct smpp_tlv *t;
	uint16_t i;

	out->tlvs_len = 0;
	for (i = 0; i < d->ntlv; i++) {
		t = &d->tlv[i];
		ck_assert_uint_le(out->tlvs_len + 4 + t->length,
		    sizeof out->tlvs);
		out->tlvs[out->tlvs_len++] = (uint8_t)(t->tag >> 8);
		out->tlvs[out->tlvs_len++] = (uint8_t)t->tag;
		out->tlvs[out->tlvs_len++] = (uint8_t)(t->length >> 8);
		out->tlvs[out->tlvs_len++] = (uint8_t)t->length;
		memcpy(out->tlvs + out->tlvs_len, smpp_tlv_value(d, t),
		    t->length);
		out->tlvs_len += t->length;
	}
}

/* The Appendix B layout, field by field, as the SMSC must write it. */
static void
rcpt_check_layout(const struct rcpt *c)
{
	const struct smpp_receipt *r = &c->r;
	char want[512];

	ck_assert_msg(strlen(r->submit_date.digits) == 10 &&
	    r->submit_date.valid, "submit date \"%s\"", r->submit_date.digits);
	ck_assert_msg(strlen(r->done_date.digits) == 10 && r->done_date.valid,
	    "done date \"%s\"", r->done_date.digits);
	ck_assert_msg(strlen(r->err) == 3, "err \"%s\"", r->err);
	snprintf(want, sizeof want, "id:%s sub:001 dlvrd:%s submit date:%s "
	    "done date:%s stat:%s err:%s text:%s", r->id, r->dlvrd,
	    r->submit_date.digits, r->done_date.digits, r->stat, r->err,
	    r->text);
	ck_assert_str_eq(c->sm, want);
}

static void
rcpt_read(const struct smpp_pdu *d, struct rcpt *out)
{
	const struct smpp_body_deliver_sm *b = &d->u.deliver_sm;
	const struct smpp_tlv *t;

	memset(out, 0, sizeof *out);
	ck_assert_msg(d->command_id == SMPP_CMD_deliver_sm, "a receipt came "
	    "as %s", smpp_command_name(d->command_id));
	out->esm_class = b->esm_class;
	out->data_coding = b->data_coding;
	snprintf(out->source, sizeof out->source, "%s", b->source_addr);
	snprintf(out->dest, sizeof out->dest, "%s", b->destination_addr);
	memcpy(out->sm, b->short_message, b->sm_length);
	out->sm[b->sm_length] = '\0';
	out->sm_len = b->sm_length;
	ck_assert_msg(smpp_receipt_parse(out->sm, out->sm_len, &out->r) ==
	    SMPP_RECEIPT_OK, "not a receipt: \"%s\"", out->sm);
	ck_assert_msg(out->r.nproblems == 0, "receipt \"%s\": %s", out->sm,
	    out->r.problems[0].reason);
	t = smpp_pdu_find_tlv(d, SMPP_TLV_receipted_message_id);
	ck_assert_msg(t != NULL, "receipt without receipted_message_id");
	snprintf(out->tlv_id, sizeof out->tlv_id, "%.*s", (int)t->length,
	    (const char *)smpp_tlv_value(d, t));
	t = smpp_pdu_find_tlv(d, SMPP_TLV_message_state);
	out->state = t != NULL ? (int)t->num : -1;
	if ((t = smpp_pdu_find_tlv(d, SMPP_TLV_network_error_code)) != NULL) {
		ck_assert_uint_eq(t->length, 3);
		out->has_nec = 1;
		memcpy(out->nec, smpp_tlv_value(d, t), 3);
	}
	rcpt_tlvs(d, out);
	ck_assert_str_eq(out->tlv_id, out->r.id);
	ck_assert_int_eq(out->state, (int)out->r.state);
	rcpt_check_layout(out);
}

/* 0 and *out filled when a receipt came within ms, -1 when none did. */
static int
rcpt_wait(struct esme *e, int ms, struct rcpt *out)
{
	struct smpp_pdu *d = esme_wait_deliver(e, ms);

	if (d == NULL)
		return -1;
	rcpt_read(d, out);
	esme_pdu_free(d);
	return 0;
}

static void
rcpt_must(struct esme *e, int ms, struct rcpt *out, const char *what)
{
	ck_assert_msg(rcpt_wait(e, ms, out) == 0, "no receipt for %s within "
	    "%d ms", what, ms);
}

static void
no_deliver(struct esme *e, int ms, const char *what)
{
	struct smpp_pdu *d = esme_wait_deliver(e, ms);

	ck_assert_msg(d == NULL, "unexpected %s (%s): \"%.*s\"",
	    d != NULL ? smpp_command_name(d->command_id) : "", what,
	    d != NULL ? (int)d->u.deliver_sm.sm_length : 0,
	    d != NULL ? (const char *)d->u.deliver_sm.short_message : "");
}

/* A final receipt: stat word, err, message_state, no intermediate bit. */
static void
rcpt_expect(const struct rcpt *c, const char *id, const char *stat,
    const char *err)
{
	ck_assert_str_eq(c->r.id, id);
	ck_assert_str_eq(c->r.stat, stat);
	ck_assert_str_eq(c->r.err, err);
	ck_assert_uint_eq(c->esm_class, SMPP_ESM_TYPE_RECEIPT);
	ck_assert_int_eq(c->state, (int)smpp_receipt_stat_state(stat,
	    strlen(stat)));
	ck_assert_str_eq(c->r.sub, "001");
	ck_assert_str_eq(c->r.dlvrd, strcmp(stat, "DELIVRD") == 0 ? "001" :
	    "000");
}

/* ---- the control routes ---- */

static void	post_mo(const char *body, int want_queued);

/* Polls /sim/carriers/alpha until section.key is want, running e's loop
 * between polls. */
/* ================================================================ */
/* The process                                                      */
/* ================================================================ */

static void
ready_listener(json_t *l, int tls)
{
	const char *addr = json_string_value(json_object_get(l, "address"));

	ck_assert_ptr_nonnull(addr);
	ck_assert_msg(strncmp(addr, "127.0.0.1:", 10) == 0 &&
	    atoi(addr + 10) > 0, "listener address \"%s\"", addr);
	ck_assert_int_eq(json_is_true(json_object_get(l, "tls")), tls);
}

/*
 * The ready file names the process, the control listener and every
 * carrier's listeners as bound (port 0 resolved), TLS ones marked; each
 * of them answers.
 */
START_TEST(test_ready_file)
{
	json_t *cs, *c, *all;
	struct esme *e;
	char *text;

	text = xstrdup("{\"seed\": 3, \"carriers\": ["
	    "{\"name\": \"alpha\", \"listen\": [\"127.0.0.1:0\"]},"
	    "{\"name\": \"beta\", \"listen\": [\"127.0.0.1:0\", "
	    "{\"address\": \"127.0.0.1:0\", \"tls\": true}]}]}");
	ck_assert_int_eq(smsc_start(&smsc, text, NULL), 0);
	free(text);
	ck_assert_int_eq(json_integer_value(json_object_get(smsc.ready_json,
	    "pid")), smsc.pid);
	ck_assert_msg(strncmp(smsc.http, "127.0.0.1:", 10) == 0 &&
	    atoi(smsc.http + 10) > 0, "http \"%s\"", smsc.http);
	cs = json_object_get(smsc.ready_json, "carriers");
	ck_assert_uint_eq(json_array_size(cs), 2);
	c = json_array_get(cs, 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")),
	    "alpha");
	ck_assert_uint_eq(json_array_size(json_object_get(c, "listen")), 1);
	ready_listener(json_array_get(json_object_get(c, "listen"), 0), 0);
	c = json_array_get(cs, 1);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")),
	    "beta");
	ck_assert_uint_eq(json_array_size(json_object_get(c, "listen")), 2);
	ready_listener(json_array_get(json_object_get(c, "listen"), 0), 0);
	ready_listener(json_array_get(json_object_get(c, "listen"), 1), 1);
	all = get_json("/sim/carriers");
	ck_assert_uint_eq(json_array_size(json_object_get(all, "carriers")),
	    2);
	json_decref(all);
	/* The default account, test/test, on every listener. */
	e = esme_connect(smsc_listen(&smsc, "beta", 1), 1);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(esme_bind(e, TRX, "test", "test"), SMPP_ESME_ROK);
	esme_close(e);
	e = esme_connect(smsc_listen(&smsc, "alpha", 0), 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(esme_bind(e, TX, "test", "test"), SMPP_ESME_ROK);
	esme_close(e);
	stop();
}
END_TEST

static const char *
capture_field(json_t *pdus, size_t i, const char *key)
{
	json_t *c = json_array_get(pdus, i);
	const char *v = json_string_value(strcmp(key, "dir") == 0 ?
	    json_object_get(c, "dir") : json_object_get(json_object_get(c,
	    "pdu"), key));

	return v != NULL ? v : "";
}

/* An enquire_link of the carrier's answered by the ESME, in captures. */
static int
enquire_pair(json_t *pdus)
{
	size_t i;

	for (i = 0; i + 1 < json_array_size(pdus); i++)
		if (strcmp(capture_field(pdus, i, "dir"), "out") == 0 &&
		    strcmp(capture_field(pdus, i, "command"),
		    "enquire_link") == 0 &&
		    strcmp(capture_field(pdus, i + 1, "command"),
		    "enquire_link_resp") == 0)
			return 1;
	return 0;
}

/* A connection never bound is closed after session_init_timeout; an
 * idle bind is probed with enquire_link after session.enquire_link. */
START_TEST(test_session_timers)
{
	struct esme *idle, *e;
	struct smpp_pdu *req, *resp;
	json_t *binds, *o;
	unsigned bind_id = 0;
	int seen = 0, k;
	char path[128];
	size_t i;

	start("{'session': {'session_init_timeout': '300ms', "
	    "'enquire_link': '200ms'}}", NULL);
	idle = dial();
	ck_assert_msg(esme_wait_closed(idle, 3000) == 0, "an unbound "
	    "connection was kept past session_init_timeout");
	esme_close(idle);
	e = bind_as(TRX, "test", "secret");
	binds = get_json("/sim/carriers/" CARRIER "/binds");
	json_array_foreach(json_object_get(binds, "binds"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "state")),
		    "BOUND_TRX") == 0)
			bind_id = (unsigned)json_integer_value(
			    json_object_get(o, "id"));
	json_decref(binds);
	ck_assert_uint_ne(bind_id, 0);
	snprintf(path, sizeof path, "/sim/carriers/" CARRIER "/binds/%u/pdus",
	    bind_id);
	for (k = 0; k < WAIT / 50 && !seen; k++) {
		esme_pump(e, 50);
		o = get_json(path);
		seen = enquire_pair(json_object_get(o, "pdus"));
		json_decref(o);
	}
	ck_assert_msg(seen, "no enquire_link and its response on an idle "
	    "bind");
	ck_assert_int_eq(esme_state(e), SMPP_STATE_BOUND_TRX);
	/* And the carrier answers ours. */
	req = esme_pdu_new(SMPP_CMD_enquire_link);
	resp = esme_pdu_new(0);
	ck_assert_int_eq(esme_request(e, req, resp, WAIT), 0);
	ck_assert_uint_eq(resp->command_id, SMPP_CMD_enquire_link_resp);
	ck_assert_uint_eq(resp->command_status, SMPP_ESME_ROK);
	esme_pdu_free(req);
	esme_pdu_free(resp);
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */
/* Binds                                                            */
/* ================================================================ */

#define BIND_ACCOUNTS							\
	"{'accounts': ["						\
	"{'system_id': 'test', 'password': 'secret'},"			\
	"{'system_id': 'txonly', 'password': 'pw', 'bind_types': ['tx']},"\
	"{'system_id': 'rxonly', 'password': 'pw', 'bind_types': ['rx']},"\
	"{'system_id': 'trxonly', 'password': 'pw', 'bind_types': ['trx']}"\
	"]}"

static const struct bind_row {
	const char	*system_id;
	const char	*password;
	uint32_t	 cmd;
	uint32_t	 status;
} bind_rows[] = {
	{ "test", "secret", TX, SMPP_ESME_ROK },
	{ "test", "secret", RX, SMPP_ESME_ROK },
	{ "test", "secret", TRX, SMPP_ESME_ROK },
	{ "nobody", "secret", TRX, SMPP_ESME_RINVSYSID },
	{ "", "secret", TX, SMPP_ESME_RINVSYSID },
	{ "TEST", "secret", TX, SMPP_ESME_RINVSYSID },
	{ "test", "wrong", TX, SMPP_ESME_RINVPASWD },
	{ "test", "", RX, SMPP_ESME_RINVPASWD },
	{ "txonly", "pw", TX, SMPP_ESME_ROK },
	{ "txonly", "pw", RX, SMPP_ESME_RBINDFAIL },
	{ "txonly", "pw", TRX, SMPP_ESME_RBINDFAIL },
	{ "rxonly", "pw", RX, SMPP_ESME_ROK },
	{ "rxonly", "pw", TX, SMPP_ESME_RBINDFAIL },
	{ "rxonly", "pw", TRX, SMPP_ESME_RBINDFAIL },
	{ "trxonly", "pw", TRX, SMPP_ESME_ROK },
	{ "trxonly", "pw", TX, SMPP_ESME_RBINDFAIL },
	/* The password is checked before the bind type. */
	{ "txonly", "bad", RX, SMPP_ESME_RINVPASWD },
};
#define NBIND_ROWS	((int)(sizeof bind_rows / sizeof bind_rows[0]))

START_TEST(test_bind_matrix)
{
	const struct bind_row *row = &bind_rows[_i];
	const struct smpp_pdu *resp;
	const struct smpp_tlv *t;
	struct esme *e;
	long st;

	start(BIND_ACCOUNTS, NULL);
	e = dial();
	st = esme_bind(e, row->cmd, row->system_id, row->password);
	ck_assert_msg(st == (long)row->status, "row %d: %s as \"%s\"/\"%s\": "
	    "%s, expected %s", _i, smpp_command_name(row->cmd),
	    row->system_id, row->password, status_name(st),
	    status_name(row->status));
	resp = esme_bind_resp(e);
	ck_assert_uint_eq(resp->command_id, smpp_response_id(row->cmd));
	if (row->status == SMPP_ESME_ROK) {
		/* The carrier names itself; 3.4 is announced. */
		ck_assert_str_eq(resp->u.bind_transmitter_resp.system_id,
		    CARRIER);
		t = smpp_pdu_find_tlv(resp, SMPP_TLV_sc_interface_version);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(t->num, SMPP_VERSION_34);
		ck_assert_int_eq(esme_state(e), bound_state(row->cmd));
		ck_assert_int_eq(esme_unbind(e, WAIT), 0);
	} else
		ck_assert_int_eq(esme_state(e), SMPP_STATE_OPEN);
	esme_close(e);
	stop();
}
END_TEST

/* A refused bind leaves the session open for another try. */
START_TEST(test_bind_retry_after_refusal)
{
	struct esme *e;

	start(NULL, NULL);
	e = dial();
	ck_assert_int_eq(esme_bind(e, TRX, "test", "nope"),
	    SMPP_ESME_RINVPASWD);
	ck_assert_int_eq(esme_state(e), SMPP_STATE_OPEN);
	ck_assert_int_eq(esme_bind(e, TRX, "test", "secret"), SMPP_ESME_ROK);
	ck_assert_int_eq(esme_state(e), SMPP_STATE_BOUND_TRX);
	ck_assert_int_eq(esme_unbind(e, WAIT), 0);
	ck_assert_str_eq(esme_close_reason(e), "unbound");
	esme_close(e);
	stop();
}
END_TEST

static const struct {
	const char	*word;
	uint32_t	 status;
} too_many[] = {
	{ "ESME_RALYBND", SMPP_ESME_RALYBND },
	{ "ESME_RBINDFAIL", SMPP_ESME_RBINDFAIL },
};

/*
 * max_binds 2: a third bind of the account is refused with
 * on_too_many_binds while another account still binds; after an unbind
 * the account binds again.
 */
START_TEST(test_max_binds)
{
	struct esme *a, *b, *c, *d, *f;
	char extra[512];

	snprintf(extra, sizeof extra, "{'accounts': [{'system_id': 'test', "
	    "'password': 'secret', 'max_binds': 2}, {'system_id': 'other', "
	    "'password': 'pw'}], 'on_too_many_binds': '%s'}",
	    too_many[_i].word);
	start(extra, NULL);
	a = bind_as(TRX, "test", "secret");
	b = bind_as(TX, "test", "secret");
	c = dial();
	ck_assert_msg(esme_bind(c, RX, "test", "secret") ==
	    (long)too_many[_i].status, "third bind: %s, expected %s",
	    status_name(esme_bind_resp(c) != NULL ?
	    (long)esme_bind_resp(c)->command_status : -1), too_many[_i].word);
	d = bind_as(TRX, "other", "pw");
	ck_assert_int_eq(esme_unbind(a, WAIT), 0);
	wait_number(b, "counters", "bound", 2);
	f = bind_as(RX, "test", "secret");
	esme_close(a);
	esme_close(b);
	esme_close(c);
	esme_close(d);
	esme_close(f);
	stop();
}
END_TEST

/* ================================================================ */
/* Flow control                                                     */
/* ================================================================ */

static const struct {
	const char	*word;
	uint32_t	 status;
} window_full[] = {
	{ "ESME_RMSGQFUL", SMPP_ESME_RMSGQFUL },
	{ "ESME_RTHROTTLED", SMPP_ESME_RTHROTTLED },
};

/*
 * window 2 with 500 ms of submit latency: the third unanswered submit is
 * refused at once with on_window_full while the first two still wait
 * for their latency; once they are answered the window takes more.
 */
START_TEST(test_window_full)
{
	const struct smpp_pdu *r;
	struct smpp_pdu *req;
	struct esme *e;
	char extra[256], id[65];
	int h[3], i;

	snprintf(extra, sizeof extra, "{'submit_latency': '500ms', "
	    "'window': 2, 'on_window_full': '%s'}", window_full[_i].word);
	start(extra, NULL);
	e = bind_as(TX, "test", "secret");
	for (i = 0; i < 3; i++) {
		req = submit_pdu("55555", "+14155550100", 0, "window", 0);
		h[i] = esme_send_async(e, req);
		esme_pdu_free(req);
		ck_assert_int_ge(h[i], 0);
	}
	r = esme_wait_response(e, h[2], WAIT);
	ck_assert_msg(r != NULL, "no response to the third submit");
	ck_assert_msg(r->command_status == window_full[_i].status,
	    "third submit: %s, expected %s", status_name(r->command_status),
	    window_full[_i].word);
	ck_assert_msg(esme_wait_response(e, h[0], 0) == NULL, "the first "
	    "submit was answered before its 500 ms latency");
	ck_assert_int_eq(esme_wait_all(e, WAIT), 0);
	for (i = 0; i < 2; i++) {
		r = esme_wait_response(e, h[i], 0);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->command_status == SMPP_ESME_ROK, "submit %d: "
		    "%s", i, status_name(r->command_status));
		snprintf(id, sizeof id, "%d", i + 1);
		ck_assert_str_eq(r->u.submit_sm_resp.message_id, id);
	}
	submit_ok(e, "+14155550100", "after", 0, id, sizeof id);
	ck_assert_str_eq(id, "3");
	esme_close(e);
	stop();
}
END_TEST

/* max_mps_bind 5: of 20 submits sent at once the first 5 pass (the
 * burst is one second of rate), most of the rest are throttled. */
START_TEST(test_throughput_bind)
{
	const struct smpp_pdu *r;
	struct smpp_pdu *req;
	struct esme *e;
	int h[20], i, ok = 0, throttled = 0;

	start("{'max_mps_bind': 5}", NULL);
	e = bind_as(TX, "test", "secret");
	for (i = 0; i < 20; i++) {
		req = submit_pdu("55555", "+14155550100", 0, "rate", 0);
		h[i] = esme_send_async(e, req);
		esme_pdu_free(req);
		ck_assert_int_ge(h[i], 0);
	}
	ck_assert_int_eq(esme_wait_all(e, WAIT), 0);
	for (i = 0; i < 20; i++) {
		r = esme_wait_response(e, h[i], 0);
		ck_assert_ptr_nonnull(r);
		if (i < 5)
			ck_assert_msg(r->command_status == SMPP_ESME_ROK,
			    "submit %d: %s", i, status_name(r->command_status));
		if (r->command_status == SMPP_ESME_ROK)
			ok++;
		else if (r->command_status == SMPP_ESME_RTHROTTLED)
			throttled++;
		else
			ck_abort_msg("submit %d: %s", i,
			    status_name(r->command_status));
	}
	ck_assert_msg(throttled >= 10, "only %d of 20 throttled (%d ok)",
	    throttled, ok);
	esme_close(e);
	stop();
}
END_TEST

/* max_mps 5 is the carrier's: one bind's burst leaves none to another. */
START_TEST(test_throughput_carrier)
{
	const struct smpp_pdu *r;
	struct smpp_pdu *req;
	struct esme *a, *b;
	int h[5], i, throttled = 0;
	char id[65];

	start("{'max_mps': 5}", NULL);
	a = bind_as(TX, "test", "secret");
	b = bind_as(TX, "test", "secret");
	for (i = 0; i < 5; i++)
		submit_ok(a, "+14155550100", "first bind", 0, id, sizeof id);
	for (i = 0; i < 5; i++) {
		req = submit_pdu("55555", "+14155550100", 0, "second bind", 0);
		h[i] = esme_send_async(b, req);
		esme_pdu_free(req);
	}
	ck_assert_int_eq(esme_wait_all(b, WAIT), 0);
	for (i = 0; i < 5; i++) {
		r = esme_wait_response(b, h[i], 0);
		ck_assert_ptr_nonnull(r);
		if (r->command_status == SMPP_ESME_RTHROTTLED)
			throttled++;
	}
	ck_assert_msg(throttled >= 4, "only %d of 5 throttled on the second "
	    "bind", throttled);
	esme_close(a);
	esme_close(b);
	stop();
}
END_TEST

/* A submit_sm with a message_payload of 400 GSM characters. */
static struct smpp_pdu *
payload_pdu(size_t chars)
{
	struct smpp_pdu *p = submit_pdu("55555", "+14155550100", 0, "", 0);
	uint8_t body[1024];

	ck_assert_uint_le(chars, sizeof body);
	memset(body, 'p', chars);
	p->u.submit_sm.sm_length = 0;
	ck_assert_int_eq(smpp_pdu_add_tlv(p, SMPP_TLV_message_payload, body,
	    (uint16_t)chars), 0);
	return p;
}

/* Throughput is counted in segments: a 400-character payload costs 3 of
 * max_mps_bind's 5, so a second one does not fit but a short one does. */
START_TEST(test_throughput_segments)
{
	struct esme *e;
	char id[65];

	start("{'max_mps_bind': 5}", NULL);
	e = bind_as(TX, "test", "secret");
	ck_assert_uint_eq(submit(e, payload_pdu(400), id, sizeof id),
	    SMPP_ESME_ROK);
	ck_assert_uint_eq(submit(e, payload_pdu(400), NULL, 0),
	    SMPP_ESME_RTHROTTLED);
	submit_ok(e, "+14155550100", "one segment", 0, id, sizeof id);
	esme_close(e);
	stop();
}
END_TEST

/* A receipt never overtakes its submit_sm_resp: with 300 ms of submit
 * latency and a 10 ms receipt delay, the response still comes first. */
START_TEST(test_receipt_after_response)
{
	const struct smpp_pdu *r;
	struct smpp_pdu *req, *d;
	struct esme *e;
	struct rcpt c;
	int h;

	start("{'submit_latency': '300ms', 'receipt_delay': '10ms', "
	    "'intermediate_delay': '0s'}", NULL);
	e = bind_as(TRX, "test", "secret");
	req = submit_pdu("55555", "+14155550100", 0, "slow answer", 0x11);
	h = esme_send_async(e, req);
	esme_pdu_free(req);
	ck_assert_int_ge(h, 0);
	d = esme_wait_deliver(e, WAIT);
	ck_assert_msg(d != NULL, "no receipt");
	r = esme_wait_response(e, h, 0);
	ck_assert_msg(r != NULL, "a receipt came before its submit_sm_resp");
	ck_assert_uint_eq(r->command_status, SMPP_ESME_ROK);
	rcpt_read(d, &c);
	esme_pdu_free(d);
	ck_assert_str_eq(c.r.id, r->u.submit_sm_resp.message_id);
	ck_assert_str_eq(c.r.stat, "ENROUTE");
	rcpt_must(e, WAIT, &c, "the final state");
	ck_assert_str_eq(c.r.stat, "DELIVRD");
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */
/* Outcomes and registered_delivery                                 */
/* ================================================================ */

static const struct outcome_row {
	const char	*to;
	const char	*stat;
	const char	*err;
	int		 nec;		/* 03 00 01 expected */
} outcome_rows[] = {
	{ "+14155550001", "DELIVRD", "000", 0 },
	{ "+14155550002", "UNDELIV", "011", 1 },
	{ "+14155550003", "REJECTD", "002", 0 },
	{ "+14155550004", "UNKNOWN", "003", 0 },
	{ "+14155550005", "ACCEPTD", "000", 0 },
};
#define NOUTCOME_ROWS	(sizeof outcome_rows / sizeof outcome_rows[0])

/* Rules by destination decide every final outcome; each receipt says so
 * in its text and its TLVs, and goes back to the sender. */
START_TEST(test_outcomes_by_rule)
{
	char ids[NOUTCOME_ROWS][65], text[64];
	struct rcpt c;
	struct esme *e;
	size_t i, j, seen = 0;

	start("{'rules': ["
	    "{'to': '+14155550001', 'outcome': 'DELIVRD'},"
	    "{'to': '+14155550002', 'outcome': 'UNDELIV', 'err': '011', "
	    "'network_error_code': {'type': 3, 'code': 1}},"
	    "{'to': '+14155550003', 'outcome': 'REJECTD', 'err': '002'},"
	    "{'to': '+14155550004', 'outcome': 'UNKNOWN', 'err': '003'},"
	    "{'to': '+14155550005', 'outcome': 'ACCEPTD'}]}", NULL);
	e = bind_as(TRX, "test", "secret");
	for (i = 0; i < NOUTCOME_ROWS; i++) {
		snprintf(text, sizeof text, "Outcome number %zu for a test", i);
		submit_ok(e, outcome_rows[i].to, text, 1, ids[i],
		    sizeof ids[i]);
	}
	/* Message ids: the carrier's decimal sequence from 1. */
	ck_assert_str_eq(ids[0], "1");
	ck_assert_str_eq(ids[4], "5");
	for (j = 0; j < NOUTCOME_ROWS; j++) {
		rcpt_must(e, WAIT, &c, "a rule outcome");
		for (i = 0; i < NOUTCOME_ROWS; i++)
			if (strcmp(ids[i], c.r.id) == 0)
				break;
		ck_assert_msg(i < NOUTCOME_ROWS, "receipt for unknown id %s",
		    c.r.id);
		ck_assert_msg((seen & (1u << i)) == 0, "two receipts for %s",
		    c.r.id);
		seen |= 1u << i;
		rcpt_expect(&c, ids[i], outcome_rows[i].stat,
		    outcome_rows[i].err);
		snprintf(text, sizeof text, "Outcome number %zu for a test", i);
		ck_assert_msg(strncmp(c.r.text, text, 20) == 0 &&
		    strlen(c.r.text) == 20, "text:\"%s\"", c.r.text);
		ck_assert_str_eq(c.source, outcome_rows[i].to + 1);
		ck_assert_str_eq(c.dest, "55555");
		ck_assert_int_eq(c.has_nec, outcome_rows[i].nec);
		if (c.has_nec) {
			ck_assert_uint_eq(c.nec[0], 3);
			ck_assert_uint_eq(c.nec[1], 0);
			ck_assert_uint_eq(c.nec[2], 1);
		}
	}
	no_deliver(e, QUIET_MS, "a sixth receipt");
	esme_close(e);
	stop();
}
END_TEST

/* A validity period that ends before the receipt would: EXPIRED at the
 * end of the validity, not at the receipt delay; without one,
 * default_validity applies. */
START_TEST(test_outcome_expired)
{
	struct smpp_pdu *req;
	struct esme *e;
	struct rcpt c;
	char id[65], id2[65];
	double t0;

	start("{'receipt_delay': '8s', 'default_validity': '1500ms'}", NULL);
	e = bind_as(TRX, "test", "secret");
	req = submit_pdu("55555", "+14155550100", 0, "expires soon", 1);
	snprintf(req->u.submit_sm.validity_period,
	    sizeof req->u.submit_sm.validity_period, "%s", VALIDITY_1S);
	t0 = now_ms();
	ck_assert_uint_eq(submit(e, req, id, sizeof id), SMPP_ESME_ROK);
	submit_ok(e, "+14155550100", "default validity", 1, id2, sizeof id2);
	rcpt_must(e, 5000, &c, "an expired message");
	ck_assert_msg(now_ms() - t0 >= 800, "EXPIRED came before the validity "
	    "ended");
	rcpt_expect(&c, id, "EXPIRED", "000");
	ck_assert_int_eq(c.state, SMPP_STATE_EXPIRED);
	ck_assert_int_eq(c.has_nec, 0);
	rcpt_must(e, 5000, &c, "a message past default_validity");
	ck_assert_msg(now_ms() - t0 >= 1300, "EXPIRED came before "
	    "default_validity ended");
	rcpt_expect(&c, id2, "EXPIRED", "000");
	esme_close(e);
	stop();
}
END_TEST

/* cancel_sm of a pending message: DELETED at once, then it is final. */
START_TEST(test_outcome_deleted)
{
	struct smpp_pdu *q, *resp;
	struct esme *e;
	struct rcpt c;
	char id[65];

	start("{'receipt_delay': '20s'}", NULL);
	e = bind_as(TRX, "test", "secret");
	submit_ok(e, "+14155550100", "cancel me", 1, id, sizeof id);
	q = esme_pdu_new(SMPP_CMD_cancel_sm);
	snprintf(q->u.cancel_sm.message_id, sizeof q->u.cancel_sm.message_id,
	    "%s", id);
	snprintf(q->u.cancel_sm.source_addr, sizeof q->u.cancel_sm.source_addr,
	    "55555");
	q->u.cancel_sm.source_addr_npi = 1;
	resp = esme_pdu_new(0);
	ck_assert_int_eq(esme_request(e, q, resp, WAIT), 0);
	ck_assert_uint_eq(resp->command_id, SMPP_CMD_cancel_sm_resp);
	ck_assert_uint_eq(resp->command_status, SMPP_ESME_ROK);
	rcpt_must(e, 3000, &c, "a cancelled message");
	rcpt_expect(&c, id, "DELETED", "000");
	ck_assert_int_eq(c.state, SMPP_STATE_DELETED);
	/* Final now: a second cancel fails. */
	smpp_pdu_release(resp);
	ck_assert_int_eq(esme_request(e, q, resp, WAIT), 0);
	ck_assert_uint_eq(resp->command_status, SMPP_ESME_RCANCELFAIL);
	no_deliver(e, QUIET_MS, "a second receipt after cancel");
	esme_pdu_free(q);
	esme_pdu_free(resp);
	esme_close(e);
	stop();
}
END_TEST

struct rd_row {
	const char	*name;
	const char	*to;
	uint8_t		 rd;
	const char	*want;		/* stat words in order, "" none */
};

#define RD_OK		"+14155550100"
#define RD_FAIL		"+14155550199"

static const struct rd_row rd_rows[] = {
	{ "rd0 ok", RD_OK, 0x00, "" },
	{ "rd1 ok", RD_OK, 0x01, "DELIVRD" },
	{ "rd1 fail", RD_FAIL, 0x01, "UNDELIV" },
	{ "rd2 ok", RD_OK, 0x02, "" },
	{ "rd2 fail", RD_FAIL, 0x02, "UNDELIV" },
	{ "rd3 ok", RD_OK, 0x03, "DELIVRD" },
	{ "rd3 fail", RD_FAIL, 0x03, "" },
	{ "rd0x11 ok", RD_OK, 0x11, "ENROUTE DELIVRD" },
	{ "rd0x10 ok", RD_OK, 0x10, "ENROUTE" },
	{ "rd0x12 fail", RD_FAIL, 0x12, "ENROUTE UNDELIV" },
};
#define NRD_ROWS	(sizeof rd_rows / sizeof rd_rows[0])

/* An intermediate notification: esm_class 0x20, ENROUTE, err 000. */
static void
rcpt_check_intermediate(const struct rcpt *c)
{
	ck_assert_uint_eq(c->esm_class, SMPP_ESM_TYPE_INTERMEDIATE);
	ck_assert_int_eq(c->state, SMPP_STATE_ENROUTE);
	ck_assert_str_eq(c->r.err, "000");
	ck_assert_str_eq(c->r.dlvrd, "000");
}

/*
 * registered_delivery & 3: 0 none, 1 always, 2 failure only, 3 success
 * only; 0x10 adds an ENROUTE notification that comes before the final.
 */
START_TEST(test_registered_delivery)
{
	char ids[NRD_ROWS][65], got[NRD_ROWS][64];
	size_t i, want = 0, n;
	struct rcpt c;
	struct esme *e;
	const char *p;

	start("{'receipt_delay': '200ms', 'intermediate_delay': '20ms', "
	    "'rules': [{'to': '" RD_FAIL "', 'outcome': 'UNDELIV', "
	    "'err': '001'}]}", NULL);
	e = bind_as(TRX, "test", "secret");
	for (i = 0; i < NRD_ROWS; i++) {
		submit_ok(e, rd_rows[i].to, rd_rows[i].name, rd_rows[i].rd,
		    ids[i], sizeof ids[i]);
		got[i][0] = '\0';
		for (p = rd_rows[i].want; *p != '\0'; p++)
			if (p == rd_rows[i].want || p[-1] == ' ')
				want++;
	}
	for (n = 0; n < want; n++) {
		rcpt_must(e, WAIT, &c, "registered_delivery");
		for (i = 0; i < NRD_ROWS; i++)
			if (strcmp(ids[i], c.r.id) == 0)
				break;
		ck_assert_msg(i < NRD_ROWS, "receipt for unknown id %s",
		    c.r.id);
		if (strcmp(c.r.stat, "ENROUTE") == 0)
			rcpt_check_intermediate(&c);
		else
			ck_assert_uint_eq(c.esm_class, SMPP_ESM_TYPE_RECEIPT);
		if (got[i][0] != '\0')
			strlcat(got[i], " ", sizeof got[i]);
		strlcat(got[i], c.r.stat, sizeof got[i]);
	}
	no_deliver(e, QUIET_MS, "more receipts than registered_delivery "
	    "asked for");
	for (i = 0; i < NRD_ROWS; i++)
		ck_assert_msg(strcmp(got[i], rd_rows[i].want) == 0,
		    "%s (registered_delivery 0x%02x): got \"%s\", expected "
		    "\"%s\"", rd_rows[i].name, rd_rows[i].rd, got[i],
		    rd_rows[i].want);
	esme_close(e);
	stop();
}
END_TEST

/* A relative schedule_delivery_time: the receipt delay counts from it,
 * and query_sm says ENROUTE until then. */
START_TEST(test_scheduled_delivery)
{
	struct smpp_pdu *req, *r;
	struct esme *e;
	struct rcpt c;
	char id[65];
	double t0;

	start(NULL, NULL);
	e = bind_as(TRX, "test", "secret");
	req = submit_pdu("55555", "+14155550100", 0, "later", 1);
	snprintf(req->u.submit_sm.schedule_delivery_time,
	    sizeof req->u.submit_sm.schedule_delivery_time,
	    "000000000002000R");
	t0 = now_ms();
	ck_assert_uint_eq(submit(e, req, id, sizeof id), SMPP_ESME_ROK);
	r = esme_pdu_new(SMPP_CMD_query_sm);
	snprintf(r->u.query_sm.message_id, sizeof r->u.query_sm.message_id,
	    "%s", id);
	snprintf(r->u.query_sm.source_addr, sizeof r->u.query_sm.source_addr,
	    "55555");
	ck_assert_int_eq(esme_request(e, r, r, WAIT), 0);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_ROK);
	ck_assert_uint_eq(r->u.query_sm_resp.message_state,
	    SMPP_STATE_ENROUTE);
	esme_pdu_free(r);
	rcpt_must(e, 5000, &c, "a scheduled message");
	ck_assert_msg(now_ms() - t0 >= 1900, "the receipt came %.0f ms after "
	    "the submit, before the 2 s schedule", now_ms() - t0);
	rcpt_expect(&c, id, "DELIVRD", "000");
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */
/* Capabilities and rules                                           */
/* ================================================================ */

static const struct cap_row {
	const char	*src;
	const char	*dst;
	uint8_t		 dc;
	size_t		 len;		/* 0: the text as is */
	const char	*text;
	uint32_t	 status;
} cap_rows[] = {
	{ "55555", "+14155550100", 0, 0, "short code", SMPP_ESME_ROK },
	{ "+14155550199", "+14155550100", 0, 0, "long code",
	  SMPP_ESME_RINVSRCADR },
	{ "ACME", "+14155550100", 0, 0, "alphanumeric", SMPP_ESME_RINVSRCADR },
	{ "+18005550100", "+14155550100", 0, 0, "toll free",
	  SMPP_ESME_RINVSRCADR },
	{ "55555", "+442071234567", 0, 0, "not served", SMPP_ESME_RINVDSTADR },
	{ "55555", "14155550100", 0, 0, "served, no plus", SMPP_ESME_ROK },
	{ "55555", "+14155550100", 3, 0, "latin-1", SMPP_ESME_RINVDCS },
	{ "55555", "+14155550100", 8, 0, "h\xc3\xa9llo UCS-2", SMPP_ESME_ROK },
	{ "55555", "+14155550100", 0, 140, NULL, SMPP_ESME_ROK },
	{ "55555", "+14155550100", 0, 141, NULL, SMPP_ESME_RINVMSGLEN },
};
#define NCAP_ROWS	(sizeof cap_rows / sizeof cap_rows[0])

/* What a carrier takes: sender kinds, served prefixes, data_coding,
 * length; each refusal with its status. */
START_TEST(test_capabilities)
{
	const struct cap_row *row;
	char text[256], id[65];
	struct esme *e;
	uint32_t st;
	size_t i;

	start("{'accepts': {'short_code': true, 'long_code': false, "
	    "'toll_free': false, 'alphanumeric': false, 'mms': false}, "
	    "'serves': ['+1415'], 'data_codings': [0, 8], "
	    "'max_length': 140}", NULL);
	e = bind_as(TX, "test", "secret");
	for (i = 0; i < NCAP_ROWS; i++) {
		row = &cap_rows[i];
		if (row->text != NULL)
			snprintf(text, sizeof text, "%s", row->text);
		else {
			memset(text, 'x', row->len);
			text[row->len] = '\0';
		}
		st = submit(e, submit_pdu(row->src, row->dst, row->dc, text, 0),
		    id, sizeof id);
		ck_assert_msg(st == row->status, "row %zu (%s -> %s, dc %u, "
		    "%zu octets): %s, expected %s", i, row->src, row->dst,
		    row->dc, strlen(text), status_name(st),
		    status_name(row->status));
	}
	esme_close(e);
	stop();
}
END_TEST

/* A body regex decides the outcome (case-insensitively with "(?i)"), a
 * destination rule refuses the submit itself. */
START_TEST(test_rules_body_and_submit_status)
{
	char id1[65], id2[65], id3[65];
	struct esme *e;
	struct rcpt c;
	int i;

	start("{'rules': [{'body_matches': '(?i)lottery', 'outcome': "
	    "'REJECTD', 'err': '069'}, {'to': '+1999', 'submit_status': "
	    "'ESME_RSYSERR'}]}", NULL);
	e = bind_as(TRX, "test", "secret");
	submit_ok(e, "+14155550100", "You won the LOTTERY", 1, id1,
	    sizeof id1);
	submit_ok(e, "+14155550100", "a lottery ticket", 1, id2, sizeof id2);
	submit_ok(e, "+14155550100", "hello there", 1, id3, sizeof id3);
	ck_assert_uint_eq(submit(e, submit_pdu("55555", "+19995550100", 0,
	    "refused", 1), NULL, 0), SMPP_ESME_RSYSERR);
	for (i = 0; i < 3; i++) {
		rcpt_must(e, WAIT, &c, "a body rule");
		if (strcmp(c.r.id, id3) == 0)
			rcpt_expect(&c, id3, "DELIVRD", "000");
		else
			rcpt_expect(&c, strcmp(c.r.id, id1) == 0 ? id1 : id2,
			    "REJECTD", "069");
	}
	no_deliver(e, QUIET_MS, "a receipt for a refused submit");
	esme_close(e);
	stop();
}
END_TEST

/* submit_errors drawn with probability 1: every submit is refused. */
START_TEST(test_submit_errors)
{
	struct esme *e;
	int i;

	start("{'submit_errors': {'ESME_RSUBMITFAIL': 1.0}}", NULL);
	e = bind_as(TRX, "test", "secret");
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(submit(e, submit_pdu("55555",
		    "+14155550100", 0, "refused", 1), NULL, 0),
		    SMPP_ESME_RSUBMITFAIL);
	no_deliver(e, QUIET_MS, "a receipt for a refused submit");
	esme_close(e);
	stop();
}
END_TEST

/* Unreadable times: ESME_RINVSCHED and ESME_RINVEXPIRY. */
START_TEST(test_bad_times)
{
	struct smpp_pdu *req;
	struct esme *e;

	start(NULL, NULL);
	e = bind_as(TX, "test", "secret");
	req = submit_pdu("55555", "+14155550100", 0, "bad schedule", 0);
	snprintf(req->u.submit_sm.schedule_delivery_time,
	    sizeof req->u.submit_sm.schedule_delivery_time,
	    "261399250000000+");
	ck_assert_uint_eq(submit(e, req, NULL, 0), SMPP_ESME_RINVSCHED);
	req = submit_pdu("55555", "+14155550100", 0, "bad validity", 0);
	snprintf(req->u.submit_sm.validity_period,
	    sizeof req->u.submit_sm.validity_period, "26010100000000X+");
	ck_assert_uint_eq(submit(e, req, NULL, 0), SMPP_ESME_RINVEXPIRY);
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */
/* Receipts: held, durable, resent                                  */
/* ================================================================ */

/*
 * A receipt is due while only a transmitter of its system_id is bound
 * (and a receiver of another system_id): it is held, and goes out on the
 * next RX bind of its own system_id.
 */
START_TEST(test_receipt_held_until_rx)
{
	struct esme *tx, *other, *rx;
	struct rcpt c;
	char id[65];

	start("{'accounts': [{'system_id': 'test', 'password': 'secret'}, "
	    "{'system_id': 'other', 'password': 'pw'}]}", NULL);
	other = bind_as(RX, "other", "pw");
	tx = bind_as(TX, "test", "secret");
	submit_ok(tx, "+14155550100", "held for a while", 1, id, sizeof id);
	wait_number(tx, "outbox", "held", 1);
	no_deliver(other, 300, "another system_id's receipt");
	rx = bind_as(RX, "test", "secret");
	rcpt_must(rx, WAIT, &c, "a held receipt");
	rcpt_expect(&c, id, "DELIVRD", "000");
	wait_number(rx, "outbox", "pending", 0);
	esme_close(tx);
	esme_close(other);
	esme_close(rx);
	stop();
}
END_TEST

/*
 * SIGTERM before the receipt is due keeps it in --db; the smsc started
 * again on the same port and database sends it on the first RX bind, and
 * message ids go on from where they were.
 */
START_TEST(test_receipt_survives_restart)
{
	char addr[128], id[65], id2[65], *text;
	struct esme *tx, *rx;
	struct rcpt c;

	start("{'receipt_delay': '1s'}", NULL);
	snprintf(addr, sizeof addr, "%s", smsc_listen(&smsc, CARRIER, 0));
	tx = bind_as(TX, "test", "secret");
	submit_ok(tx, "+14155550100", "survives a restart", 1, id, sizeof id);
	esme_close(tx);
	ck_assert_msg(smsc_stop(&smsc) == 0, "smsc did not exit 0 on SIGTERM");
	text = scenario_with_listen("{'receipt_delay': '1s'}", addr);
	ck_assert_msg(smsc_restart(&smsc, text, NULL) == 0, "restart on %s "
	    "failed", addr);
	free(text);
	ck_assert_str_eq(smsc_listen(&smsc, CARRIER, 0), addr);
	rx = bind_as(TRX, "test", "secret");
	rcpt_must(rx, WAIT, &c, "a receipt kept across a restart");
	rcpt_expect(&c, id, "DELIVRD", "000");
	ck_assert_str_eq(c.r.text, "survives a restart");
	submit_ok(rx, "+14155550100", "after the restart", 0, id2,
	    sizeof id2);
	ck_assert_msg(strtoull(id2, NULL, 10) > strtoull(id, NULL, 10),
	    "message id %s after the restart, %s before", id2, id);
	no_deliver(rx, QUIET_MS, "the kept receipt twice");
	esme_close(rx);
	stop();
}
END_TEST

/* MO posted while no receiver is bound survives a restart too. */
START_TEST(test_mo_survives_restart)
{
	char addr[128], *text;
	struct smpp_pdu *d;
	struct esme *rx;

	start(NULL, NULL);
	snprintf(addr, sizeof addr, "%s", smsc_listen(&smsc, CARRIER, 0));
	post_mo("kept across a restart", 1);
	ck_assert_msg(smsc_stop(&smsc) == 0, "smsc did not exit 0 on SIGTERM");
	text = scenario_with_listen(NULL, addr);
	ck_assert_msg(smsc_restart(&smsc, text, NULL) == 0, "restart on %s "
	    "failed", addr);
	free(text);
	rx = bind_as(RX, "test", "secret");
	d = esme_wait_deliver(rx, WAIT);
	ck_assert_msg(d != NULL, "the MO was lost in the restart");
	ck_assert_uint_eq(d->command_id, SMPP_CMD_deliver_sm);
	ck_assert_uint_eq(d->u.deliver_sm.sm_length, 21);
	ck_assert_mem_eq(d->u.deliver_sm.short_message,
	    "kept across a restart", 21);
	esme_pdu_free(d);
	no_deliver(rx, QUIET_MS, "the kept MO twice");
	esme_close(rx);
	stop();
}
END_TEST

/* The same receipt again, byte for byte, after the backoff. */
static void
resend_check(struct esme *e, uint32_t first_answer)
{
	struct rcpt c1, c2;
	char id[65];
	double t1;

	esme_set_deliver_status(e, first_answer);
	submit_ok(e, "+14155550100", "resend me", 1, id, sizeof id);
	rcpt_must(e, WAIT, &c1, "the first attempt");
	t1 = now_ms();
	esme_set_deliver_status(e, SMPP_ESME_ROK);
	rcpt_must(e, WAIT, &c2, "the second attempt");
	ck_assert_msg(now_ms() - t1 >= 150, "resent after %.0f ms, before "
	    "the 200 ms backoff", now_ms() - t1);
	rcpt_expect(&c1, id, "DELIVRD", "000");
	ck_assert_str_eq(c2.sm, c1.sm);
	ck_assert_str_eq(c2.tlv_id, c1.tlv_id);
	ck_assert_uint_eq(c2.tlvs_len, c1.tlvs_len);
	ck_assert_mem_eq(c2.tlvs, c1.tlvs, c1.tlvs_len);
	no_deliver(e, 1500, "a third attempt after an accepted one");
	wait_number(e, "outbox", "pending", 0);
}

/* An error deliver_sm_resp (ESME_RX_T_APPN) makes the SMSC resend. */
START_TEST(test_receipt_resend_after_error)
{
	struct esme *e;

	start("{'receipt_retry': {'initial': '200ms', 'max': '1s', "
	    "'attempts': 5}}", NULL);
	e = bind_as(TRX, "test", "secret");
	resend_check(e, SMPP_ESME_RX_T_APPN);
	esme_close(e);
	stop();
}
END_TEST

/* No deliver_sm_resp within response_timeout: resent too. */
START_TEST(test_receipt_resend_after_timeout)
{
	struct esme *e;

	start("{'receipt_retry': {'initial': '200ms', 'max': '1s', "
	    "'attempts': 5}, 'session': {'response_timeout': '300ms'}}", NULL);
	e = bind_as(TRX, "test", "secret");
	resend_check(e, ESME_NO_ANSWER);
	esme_close(e);
	stop();
}
END_TEST

/* receipt_retry.attempts 2: two sends refused, then the receipt is
 * dropped and counted. */
START_TEST(test_receipt_attempts_exhausted)
{
	struct esme *e;
	struct rcpt c;
	char id[65];

	start("{'receipt_retry': {'initial': '200ms', 'max': '1s', "
	    "'attempts': 2}}", NULL);
	e = bind_as(TRX, "test", "secret");
	esme_set_deliver_status(e, SMPP_ESME_RX_P_APPN);
	submit_ok(e, "+14155550100", "never taken", 1, id, sizeof id);
	rcpt_must(e, WAIT, &c, "the first attempt");
	rcpt_expect(&c, id, "DELIVRD", "000");
	rcpt_must(e, WAIT, &c, "the second attempt");
	ck_assert_str_eq(c.r.id, id);
	no_deliver(e, 1500, "a third attempt past receipt_retry.attempts");
	ck_assert_int_eq(carrier_number("counters", "receipts_dropped"), 1);
	ck_assert_int_eq(carrier_number("outbox", "pending"), 0);
	esme_close(e);
	stop();
}
END_TEST

/* Receipts are shared round robin by the receivers of the system_id. */
START_TEST(test_receipts_round_robin)
{
	struct esme *tx, *rx1, *rx2;
	char ids[4][65];
	struct rcpt c;
	int i, k, n1 = 0, n2 = 0;

	start(NULL, NULL);
	rx1 = bind_as(RX, "test", "secret");
	rx2 = bind_as(TRX, "test", "secret");
	tx = bind_as(TX, "test", "secret");
	for (i = 0; i < 4; i++)
		submit_ok(tx, "+14155550100", "shared", 1, ids[i],
		    sizeof ids[i]);
	/* Each ESME's loop runs only while it is waited on: alternate. */
	for (k = 0; n1 + n2 < 4 && k < WAIT / 100; k++) {
		if (rcpt_wait(rx1, 50, &c) == 0)
			n1++;
		if (rcpt_wait(rx2, 50, &c) == 0)
			n2++;
	}
	ck_assert_int_eq(n1, 2);
	ck_assert_int_eq(n2, 2);
	no_deliver(rx1, 300, "a fifth receipt");
	no_deliver(rx2, 300, "a fifth receipt");
	esme_close(tx);
	esme_close(rx1);
	esme_close(rx2);
	stop();
}
END_TEST

/* ================================================================ */
/* query_sm, cancel_sm, replace_sm, submit_multi, data_sm           */
/* ================================================================ */

static struct smpp_pdu *
query(struct esme *e, const char *id)
{
	struct smpp_pdu *q = esme_pdu_new(SMPP_CMD_query_sm);
	struct smpp_pdu *resp = esme_pdu_new(0);

	snprintf(q->u.query_sm.message_id, sizeof q->u.query_sm.message_id,
	    "%s", id);
	snprintf(q->u.query_sm.source_addr, sizeof q->u.query_sm.source_addr,
	    "55555");
	q->u.query_sm.source_addr_npi = 1;
	ck_assert_int_eq(esme_request(e, q, resp, WAIT), 0);
	ck_assert_uint_eq(resp->command_id, SMPP_CMD_query_sm_resp);
	esme_pdu_free(q);
	return resp;
}

/* query_sm: ENROUTE while pending; the final state, final_date and the
 * error code once final; ESME_RQUERYFAIL for an unknown id. */
START_TEST(test_query_sm)
{
	struct smpp_pdu *r;
	struct esme *e;
	struct rcpt c;
	char pending[65], fin[65], path[128];
	json_t *m;

	start("{'receipt_delay': '20s', 'rules': [{'to': '+14155550002', "
	    "'outcome': 'UNDELIV', 'err': '005', 'network_error_code': "
	    "{'type': 3, 'code': 7}, 'delay': '50ms'}]}", NULL);
	e = bind_as(TRX, "test", "secret");
	submit_ok(e, "+14155550001", "pending", 0, pending, sizeof pending);
	submit_ok(e, "+14155550002", "final", 1, fin, sizeof fin);
	r = query(e, pending);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_ROK);
	ck_assert_str_eq(r->u.query_sm_resp.message_id, pending);
	ck_assert_uint_eq(r->u.query_sm_resp.message_state,
	    SMPP_STATE_ENROUTE);
	ck_assert_str_eq(r->u.query_sm_resp.final_date, "");
	esme_pdu_free(r);
	rcpt_must(e, WAIT, &c, "the rule's 50 ms outcome");
	rcpt_expect(&c, fin, "UNDELIV", "005");
	r = query(e, fin);
	ck_assert_uint_eq(r->command_status, SMPP_ESME_ROK);
	ck_assert_uint_eq(r->u.query_sm_resp.message_state,
	    SMPP_STATE_UNDELIVERABLE);
	ck_assert_uint_eq(strlen(r->u.query_sm_resp.final_date), 16);
	ck_assert_uint_eq(r->u.query_sm_resp.error_code, 7);
	esme_pdu_free(r);
	r = query(e, "987654");
	ck_assert_uint_eq(r->command_status, SMPP_ESME_RQUERYFAIL);
	esme_pdu_free(r);
	/* The same through /sim/. */
	snprintf(path, sizeof path, "/sim/carriers/" CARRIER "/messages/%s",
	    fin);
	m = get_json(path);
	ck_assert_str_eq(json_string_value(json_object_get(m, "state")),
	    "UNDELIV");
	ck_assert_str_eq(json_string_value(json_object_get(m,
	    "sender_kind")), "short_code");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(m,
	    "network_error_code"), "code")), 7);
	json_decref(m);
	snprintf(path, sizeof path, "/sim/carriers/" CARRIER "/messages/%s",
	    pending);
	m = get_json(path);
	ck_assert_str_eq(json_string_value(json_object_get(m, "state")),
	    "ENROUTE");
	json_decref(m);
	esme_close(e);
	stop();
}
END_TEST

static uint32_t
cancel(struct esme *e, const char *id)
{
	struct smpp_pdu *q = esme_pdu_new(SMPP_CMD_cancel_sm);

	snprintf(q->u.cancel_sm.message_id, sizeof q->u.cancel_sm.message_id,
	    "%s", id);
	snprintf(q->u.cancel_sm.source_addr, sizeof q->u.cancel_sm.source_addr,
	    "55555");
	q->u.cancel_sm.source_addr_npi = 1;
	return submit(e, q, NULL, 0);
}

/* cancel_sm: unknown, final and another system_id's messages fail. */
START_TEST(test_cancel_failures)
{
	struct esme *e, *o;
	struct rcpt c;
	char fin[65], theirs[65];

	start("{'accounts': [{'system_id': 'test', 'password': 'secret'}, "
	    "{'system_id': 'other', 'password': 'pw'}], "
	    "'receipt_delay': '20s', 'rules': [{'to': '+14155550002', "
	    "'outcome': 'DELIVRD', 'delay': '50ms'}]}", NULL);
	e = bind_as(TRX, "test", "secret");
	o = bind_as(TX, "other", "pw");
	submit_ok(e, "+14155550002", "final soon", 1, fin, sizeof fin);
	submit_ok(o, "+14155550001", "not yours", 0, theirs, sizeof theirs);
	rcpt_must(e, WAIT, &c, "the rule's 50 ms outcome");
	ck_assert_uint_eq(cancel(e, fin), SMPP_ESME_RCANCELFAIL);
	ck_assert_uint_eq(cancel(e, "424242"), SMPP_ESME_RCANCELFAIL);
	ck_assert_uint_eq(cancel(e, theirs), SMPP_ESME_RCANCELFAIL);
	ck_assert_uint_eq(cancel(o, theirs), SMPP_ESME_ROK);
	esme_close(e);
	esme_close(o);
	stop();
}
END_TEST

static uint32_t
replace(struct esme *e, const char *id, const char *text, uint8_t rd)
{
	struct smpp_pdu *q = esme_pdu_new(SMPP_CMD_replace_sm);
	struct smpp_body_replace_sm *b = &q->u.replace_sm;
	size_t len = 0;

	snprintf(b->message_id, sizeof b->message_id, "%s", id);
	snprintf(b->source_addr, sizeof b->source_addr, "55555");
	b->source_addr_npi = 1;
	b->registered_delivery = rd;
	ck_assert_int_eq(smpp_text_encode(0, text, strlen(text),
	    b->short_message, sizeof b->short_message, &len, NULL),
	    SMPP_TEXT_OK);
	b->sm_length = (uint8_t)len;
	return submit(e, q, NULL, 0);
}

/* replace_sm changes a pending message (its receipt quotes the new
 * text); a final or unknown one gives ESME_RREPLACEFAIL. */
START_TEST(test_replace_sm)
{
	struct esme *e;
	struct rcpt c;
	char id[65];

	start("{'receipt_delay': '1s'}", NULL);
	e = bind_as(TRX, "test", "secret");
	submit_ok(e, "+14155550100", "the original text", 1, id, sizeof id);
	ck_assert_uint_eq(replace(e, id, "the replaced text", 1),
	    SMPP_ESME_ROK);
	rcpt_must(e, WAIT, &c, "a replaced message");
	rcpt_expect(&c, id, "DELIVRD", "000");
	ck_assert_str_eq(c.r.text, "the replaced text");
	ck_assert_uint_eq(replace(e, id, "too late", 1),
	    SMPP_ESME_RREPLACEFAIL);
	ck_assert_uint_eq(replace(e, "555555", "unknown", 1),
	    SMPP_ESME_RREPLACEFAIL);
	no_deliver(e, QUIET_MS, "a second receipt for a replaced message");
	esme_close(e);
	stop();
}
END_TEST

/* replace_sm with a validity that ends first: EXPIRED then. */
START_TEST(test_replace_validity)
{
	struct smpp_pdu *q;
	struct esme *e;
	struct rcpt c;
	char id[65];
	size_t len = 0;

	start("{'receipt_delay': '20s'}", NULL);
	e = bind_as(TRX, "test", "secret");
	submit_ok(e, "+14155550100", "will expire", 1, id, sizeof id);
	q = esme_pdu_new(SMPP_CMD_replace_sm);
	snprintf(q->u.replace_sm.message_id, sizeof q->u.replace_sm.message_id,
	    "%s", id);
	snprintf(q->u.replace_sm.source_addr,
	    sizeof q->u.replace_sm.source_addr, "55555");
	q->u.replace_sm.source_addr_npi = 1;
	q->u.replace_sm.registered_delivery = 1;
	snprintf(q->u.replace_sm.validity_period,
	    sizeof q->u.replace_sm.validity_period, "%s", VALIDITY_1S);
	ck_assert_int_eq(smpp_text_encode(0, "will expire", 11,
	    q->u.replace_sm.short_message,
	    sizeof q->u.replace_sm.short_message, &len, NULL), SMPP_TEXT_OK);
	q->u.replace_sm.sm_length = (uint8_t)len;
	ck_assert_uint_eq(submit(e, q, NULL, 0), SMPP_ESME_ROK);
	rcpt_must(e, 4000, &c, "a message whose validity was cut");
	rcpt_expect(&c, id, "EXPIRED", "000");
	esme_close(e);
	stop();
}
END_TEST

static void
multi_dest(struct smpp_body_submit_multi *m, uint8_t flag, const char *addr)
{
	struct smpp_dest_address *d = &m->dest_address[m->number_of_dests++];

	d->dest_flag = flag;
	if (flag == 1)
		addr_set(addr, d->destination_addr, sizeof d->destination_addr,
		    &d->dest_addr_ton, &d->dest_addr_npi);
	else
		snprintf(d->dl_name, sizeof d->dl_name, "%s", addr);
}

/*
 * submit_multi: one message_id; the destination outside serves and the
 * distribution list come back in unsuccess_sme; a receipt per accepted
 * destination, each with that message_id.
 */
START_TEST(test_submit_multi)
{
	const struct smpp_body_submit_multi_resp *mr;
	struct smpp_body_submit_multi *m;
	struct smpp_pdu *req, *resp;
	char id[65], got[2][22];
	struct esme *e;
	struct rcpt c;
	size_t len = 0;
	int i;

	start("{'serves': ['+1415']}", NULL);
	e = bind_as(TRX, "test", "secret");
	req = esme_pdu_new(SMPP_CMD_submit_multi);
	m = &req->u.submit_multi;
	snprintf(m->source_addr, sizeof m->source_addr, "55555");
	m->source_addr_npi = 1;
	multi_dest(m, 1, "+14155550001");
	multi_dest(m, 1, "+442071234567");
	multi_dest(m, 1, "+14155550002");
	multi_dest(m, 2, "friends");
	m->registered_delivery = 1;
	ck_assert_int_eq(smpp_text_encode(0, "to many", 7, m->short_message,
	    sizeof m->short_message, &len, NULL), SMPP_TEXT_OK);
	m->sm_length = (uint8_t)len;
	resp = esme_pdu_new(0);
	ck_assert_int_eq(esme_request(e, req, resp, WAIT), 0);
	ck_assert_uint_eq(resp->command_id, SMPP_CMD_submit_multi_resp);
	ck_assert_uint_eq(resp->command_status, SMPP_ESME_ROK);
	mr = &resp->u.submit_multi_resp;
	ck_assert_str_ne(mr->message_id, "");
	snprintf(id, sizeof id, "%s", mr->message_id);
	ck_assert_uint_eq(mr->no_unsuccess, 2);
	ck_assert_str_eq(mr->unsuccess_sme[0].destination_addr,
	    "442071234567");
	ck_assert_uint_eq(mr->unsuccess_sme[0].error_status_code,
	    SMPP_ESME_RINVDSTADR);
	ck_assert_str_eq(mr->unsuccess_sme[1].destination_addr, "friends");
	ck_assert_uint_eq(mr->unsuccess_sme[1].error_status_code,
	    SMPP_ESME_RINVDLNAME);
	for (i = 0; i < 2; i++) {
		rcpt_must(e, WAIT, &c, "a submit_multi destination");
		rcpt_expect(&c, id, "DELIVRD", "000");
		ck_assert_str_eq(c.r.text, "to many");
		snprintf(got[i], sizeof got[i], "%s", c.source);
	}
	ck_assert_msg((strcmp(got[0], "14155550001") == 0 &&
	    strcmp(got[1], "14155550002") == 0) ||
	    (strcmp(got[1], "14155550001") == 0 &&
	    strcmp(got[0], "14155550002") == 0), "receipts from %s and %s",
	    got[0], got[1]);
	no_deliver(e, QUIET_MS, "a receipt for a refused destination");
	esme_pdu_free(req);
	esme_pdu_free(resp);
	esme_close(e);
	stop();
}
END_TEST

/*
 * cancel_sm with a submit_multi's message_id, while every destination is
 * pending: the id names the whole submission, so no destination may
 * still end DELIVRD after the cancel succeeded.
 */
START_TEST(test_submit_multi_cancel)
{
	struct smpp_body_submit_multi *m;
	struct smpp_pdu *req, *resp;
	struct esme *e;
	struct rcpt c;
	char id[65];
	size_t len = 0;
	int i;

	start("{'receipt_delay': '2s'}", NULL);
	e = bind_as(TRX, "test", "secret");
	req = esme_pdu_new(SMPP_CMD_submit_multi);
	m = &req->u.submit_multi;
	snprintf(m->source_addr, sizeof m->source_addr, "55555");
	m->source_addr_npi = 1;
	multi_dest(m, 1, "+14155550001");
	multi_dest(m, 1, "+14155550002");
	m->registered_delivery = 1;
	ck_assert_int_eq(smpp_text_encode(0, "cancel all", 10,
	    m->short_message, sizeof m->short_message, &len, NULL),
	    SMPP_TEXT_OK);
	m->sm_length = (uint8_t)len;
	resp = esme_pdu_new(0);
	ck_assert_int_eq(esme_request(e, req, resp, WAIT), 0);
	ck_assert_uint_eq(resp->command_status, SMPP_ESME_ROK);
	ck_assert_uint_eq(resp->u.submit_multi_resp.no_unsuccess, 0);
	snprintf(id, sizeof id, "%s", resp->u.submit_multi_resp.message_id);
	ck_assert_uint_eq(cancel(e, id), SMPP_ESME_ROK);
	for (i = 0; i < 2; i++) {
		rcpt_must(e, WAIT, &c, "a cancelled submit_multi destination");
		ck_assert_msg(strcmp(c.r.stat, "DELETED") == 0, "destination "
		    "%s of cancelled message %s ended %s", c.source, id,
		    c.r.stat);
	}
	esme_pdu_free(req);
	esme_pdu_free(resp);
	esme_close(e);
	stop();
}
END_TEST

/* data_sm from the ESME is a submit with message_payload. */
START_TEST(test_data_sm)
{
	const char *body = "hello via data_sm, a payload";
	struct smpp_body_data_sm *d;
	uint8_t payload[64];
	size_t len = 0;
	struct smpp_pdu *req;
	struct esme *e;
	struct rcpt c;
	char id[65];

	start(NULL, NULL);
	e = bind_as(TRX, "test", "secret");
	req = esme_pdu_new(SMPP_CMD_data_sm);
	d = &req->u.data_sm;
	snprintf(d->source_addr, sizeof d->source_addr, "55555");
	d->source_addr_npi = 1;
	addr_set("+14155550100", d->destination_addr,
	    sizeof d->destination_addr, &d->dest_addr_ton, &d->dest_addr_npi);
	d->registered_delivery = 1;
	/* data_coding 0: the payload is GSM ('_' is 0x11, not ASCII 0x5F). */
	ck_assert_int_eq(smpp_text_encode(0, body, strlen(body), payload,
	    sizeof payload, &len, NULL), SMPP_TEXT_OK);
	ck_assert_int_eq(smpp_pdu_add_tlv(req, SMPP_TLV_message_payload,
	    payload, (uint16_t)len), 0);
	ck_assert_uint_eq(submit(e, req, id, sizeof id), SMPP_ESME_ROK);
	ck_assert_str_ne(id, "");
	rcpt_must(e, WAIT, &c, "a data_sm");
	rcpt_expect(&c, id, "DELIVRD", "000");
	ck_assert_str_eq(c.r.text, "hello via data_sm, a");
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */
/* MMS                                                              */
/* ================================================================ */

/* An MMS as the gateway sends it (docs/sim-api.md, "MMS"): short_message
 * empty, the text in message_payload, the URLs in the vendor TLV. */
static struct smpp_pdu *
mms_pdu(const char *text, const char *urls, size_t urls_len)
{
	struct smpp_pdu *p = submit_pdu("+14155550199", "+14155550100", 0, "",
	    1);
	uint8_t payload[256];
	size_t len = 0;

	ck_assert_int_eq(smpp_text_encode(0, text, strlen(text), payload,
	    sizeof payload, &len, NULL), SMPP_TEXT_OK);
	ck_assert_int_eq(smpp_pdu_add_tlv(p, SMPP_TLV_message_payload,
	    payload, (uint16_t)len), 0);
	ck_assert_int_eq(smpp_pdu_add_tlv(p, SMPP_TLV_carrierlab_media_urls,
	    urls, (uint16_t)urls_len), 0);
	return p;
}

#define MMS_URLS	"https://media.example.com/cat.jpg\n" \
			"http://media.example.com/b.png?x=1"

/* Media TLVs an MMS carrier refuses: empty URLs, spaces, 11 URLs. */
static const char *const mms_bad_urls[] = {
	"https://a.example/1\n",
	"\nhttps://a.example/1",
	"https://a.example/1\n\nhttps://a.example/2",
	"https://a.example/with space",
	"https://a.example/\x01",
	"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk",
};

/* A carrier with mms true takes the MMS, keeps its URLs (shown by
 * /sim/carriers/{name}/messages/{id}), sends a receipt as for an SMS, and
 * counts one segment however long the text; a malformed media TLV is
 * ESME_RINVOPTPARAMVAL. An SMS beside it shows "media": []. */
START_TEST(test_mms_accepted)
{
	char id[65], sms_id[65], path[128];
	json_t *m, *media;
	struct esme *e;
	struct rcpt c;
	size_t i;

	start("{'accepts': {'mms': true}}", NULL);
	e = bind_as(TRX, "test", "secret");
	ck_assert_uint_eq(submit(e, mms_pdu("Look at this", MMS_URLS,
	    strlen(MMS_URLS)), id, sizeof id), SMPP_ESME_ROK);
	rcpt_must(e, WAIT, &c, "an MMS");
	rcpt_expect(&c, id, "DELIVRD", "000");
	snprintf(path, sizeof path, "/sim/carriers/" CARRIER "/messages/%s",
	    id);
	m = get_json(path);
	media = json_object_get(m, "media");
	ck_assert_uint_eq(json_array_size(media), 2);
	ck_assert_str_eq(json_string_value(json_array_get(media, 0)),
	    "https://media.example.com/cat.jpg");
	ck_assert_str_eq(json_string_value(json_array_get(media, 1)),
	    "http://media.example.com/b.png?x=1");
	json_decref(m);

	ck_assert_uint_eq(submit(e, submit_pdu("+14155550199",
	    "+14155550100", 0, "plain SMS", 1), sms_id, sizeof sms_id),
	    SMPP_ESME_ROK);
	rcpt_must(e, WAIT, &c, "an SMS");
	snprintf(path, sizeof path, "/sim/carriers/" CARRIER "/messages/%s",
	    sms_id);
	m = get_json(path);
	ck_assert(json_is_array(json_object_get(m, "media")));
	ck_assert_uint_eq(json_array_size(json_object_get(m, "media")), 0);
	json_decref(m);

	for (i = 0; i < sizeof mms_bad_urls / sizeof *mms_bad_urls; i++)
		ck_assert_msg(submit(e, mms_pdu("bad", mms_bad_urls[i],
		    strlen(mms_bad_urls[i])), NULL, 0) ==
		    SMPP_ESME_RINVOPTPARAMVAL, "media TLV %zu accepted", i);
	no_deliver(e, 300, "a refused MMS");
	esme_close(e);
	stop();
}
END_TEST

/* A carrier without MMS (the default) refuses the media TLV with
 * ESME_RINVOPTPARAMVAL and stores nothing: the gateway never routes MMS
 * there, an outside ESME might. */
START_TEST(test_mms_refused)
{
	struct smpp_pdu *resp = esme_pdu_new(0);
	struct smpp_pdu *req;
	struct esme *e;
	json_t *st;

	start(NULL, NULL);
	e = bind_as(TRX, "test", "secret");
	req = mms_pdu("Look at this", MMS_URLS, strlen(MMS_URLS));
	ck_assert_int_eq(esme_request(e, req, resp, WAIT), 0);
	esme_pdu_free(req);
	ck_assert_uint_eq(resp->command_id, SMPP_CMD_submit_sm_resp);
	ck_assert_uint_eq(resp->command_status, 0xC4);
	ck_assert_uint_eq(resp->command_status, SMPP_ESME_RINVOPTPARAMVAL);
	esme_pdu_free(resp);
	no_deliver(e, 300, "a refused MMS");
	ck_assert_int_eq(smsc_http_get(&smsc, "/sim/carriers/" CARRIER
	    "/messages/1", &st), 404);
	json_decref(st);
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */
/* MO                                                               */
/* ================================================================ */

/* POSTs an MO; the status, after saying why there was none. */
static int
post_mo_json(json_t *req, json_t **resp)
{
	char health[64];
	int code = smsc_http_post(&smsc, "/sim/carriers/" CARRIER "/mo", req,
	    resp);

	ck_assert_msg(code != -1, "POST /sim/carriers/" CARRIER "/mo: no "
	    "answer (%s)", smsc_health(&smsc, health, sizeof health));
	return code;
}

static void
post_mo(const char *body, int want_queued)
{
	json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
	    "from", "+14155550123", "to", "55555", "body", body,
	    "encoding", "auto", "system_id", "test", "count", 1, "rate", 0);
	json_t *resp = NULL;
	int code;

	code = post_mo_json(req, &resp);
	ck_assert_int_eq(code, 202);
	ck_assert_ptr_nonnull(resp);
	ck_assert_int_eq(json_integer_value(json_object_get(resp, "queued")),
	    want_queued);
	json_decref(req);
	json_decref(resp);
}

/*
 * Receives an MO of nparts deliver_sm: data_coding dc, UDH 05 00 03 with
 * one reference and seq 1..n in order when n > 1; returns the body.
 */
static char *
mo_receive(struct esme *e, size_t nparts, uint8_t dc)
{
	uint8_t all[4096];
	size_t len = 0, off, i, outlen = 0;
	const struct smpp_body_deliver_sm *b;
	struct smpp_pdu *d;
	struct smpp_udh udh;
	uint16_t ref = 0;
	char *text = xmalloc(sizeof all * 2);

	for (i = 0; i < nparts; i++) {
		d = esme_wait_deliver(e, WAIT);
		ck_assert_msg(d != NULL, "MO part %zu of %zu missing", i + 1,
		    nparts);
		ck_assert_uint_eq(d->command_id, SMPP_CMD_deliver_sm);
		b = &d->u.deliver_sm;
		ck_assert_uint_eq(b->data_coding, dc);
		ck_assert_str_eq(b->source_addr, "14155550123");
		ck_assert_uint_eq(b->source_addr_ton, 1);
		ck_assert_str_eq(b->destination_addr, "55555");
		ck_assert_uint_eq(b->esm_class & SMPP_ESM_TYPE_MASK, 0);
		off = 0;
		if (nparts > 1) {
			ck_assert_uint_eq(b->esm_class & SMPP_ESM_UDHI,
			    SMPP_ESM_UDHI);
			ck_assert_int_eq(smpp_udh_parse(b->short_message,
			    b->sm_length, &udh), SMPP_SEGMENT_OK);
			ck_assert_uint_eq(udh.length, 6);
			ck_assert_mem_eq(b->short_message, "\x05\x00\x03", 3);
			ck_assert_int_eq(udh.concat, 1);
			ck_assert_int_eq(udh.ref16, 0);
			ck_assert_uint_eq(udh.total, nparts);
			ck_assert_uint_eq(udh.seq, i + 1);
			if (i == 0)
				ref = udh.ref;
			ck_assert_uint_eq(udh.ref, ref);
			off = udh.length;
		} else
			ck_assert_uint_eq(b->esm_class & SMPP_ESM_UDHI, 0);
		ck_assert_uint_le(len + b->sm_length - off, sizeof all);
		memcpy(all + len, b->short_message + off, b->sm_length - off);
		len += b->sm_length - off;
		esme_pdu_free(d);
	}
	ck_assert_int_eq(smpp_text_decode(dc, all, len, text,
	    sizeof all * 2 - 1, &outlen, NULL), SMPP_TEXT_OK);
	text[outlen] = '\0';
	return text;
}

/* Segments a UTF-8 body costs, as the carrier will split it. */
static size_t
segments(const char *body, uint8_t *dc)
{
	struct smpp_text_analysis a;

	ck_assert_int_eq(smpp_text_analyze(body, strlen(body), 0, &a, NULL),
	    SMPP_TEXT_OK);
	*dc = a.data_coding;
	return a.segments;
}

/* A long GSM body arrives as concatenated deliver_sm, in order. */
START_TEST(test_mo_concatenated_gsm)
{
	static const char words[] = "The quick brown fox jumps over the "
	    "lazy dog 0123456789. ";
	char body[401], *got;
	struct esme *e;
	size_t i, n;
	uint8_t dc;

	for (i = 0; i < 400; i++)
		body[i] = words[i % (sizeof words - 1)];
	body[400] = '\0';
	n = segments(body, &dc);
	ck_assert_uint_eq(dc, 0);
	ck_assert_uint_eq(n, 3);
	start(NULL, NULL);
	e = bind_as(RX, "test", "secret");
	post_mo(body, 3);
	got = mo_receive(e, n, 0);
	ck_assert_str_eq(got, body);
	free(got);
	no_deliver(e, QUIET_MS, "a fourth part");
	esme_close(e);
	stop();
}
END_TEST

/* Bodies outside GSM go as UCS-2, short or concatenated; MO posted while
 * no receiver is bound waits for the bind. */
START_TEST(test_mo_ucs2)
{
	static const char phrase[] = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0"
	    "\xb5\xd1\x82, \xd0\xbc\xd0\xb8\xd1\x80! ";	/* "Privet, mir! " */
	const char *shortb = "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1"
	    "\x82 \xe2\x82\xac \xf0\x9f\x99\x82";	/* with a surrogate pair */
	char longb[1024], *got;
	struct esme *e;
	size_t n, i;
	uint8_t dc;

	longb[0] = '\0';
	for (i = 0; i < 12; i++)
		strlcat(longb, phrase, sizeof longb);
	n = segments(longb, &dc);
	ck_assert_uint_eq(dc, SMPP_DC_UCS2);
	ck_assert_uint_ge(n, 2);
	ck_assert_uint_eq(segments(shortb, &dc), 1);
	ck_assert_uint_eq(dc, SMPP_DC_UCS2);
	start(NULL, NULL);
	post_mo(shortb, 1);
	post_mo(longb, (int)n);
	e = bind_as(TRX, "test", "secret");
	got = mo_receive(e, 1, SMPP_DC_UCS2);
	ck_assert_str_eq(got, shortb);
	free(got);
	got = mo_receive(e, n, SMPP_DC_UCS2);
	ck_assert_str_eq(got, longb);
	free(got);
	esme_close(e);
	stop();
}
END_TEST

/* A body longer than short_message can hold. */
#ifndef MO_PAYLOAD_CHARS
#define MO_PAYLOAD_CHARS	400
#endif

/* payload: one deliver_sm with message_payload; as_data_sm: data_sm;
 * count: copies. */
START_TEST(test_mo_payload_and_data_sm)
{
	char body[MO_PAYLOAD_CHARS + 1], out[2 * MO_PAYLOAD_CHARS];
	const struct smpp_tlv *t;
	struct smpp_pdu *d;
	struct esme *e;
	json_t *req, *resp = NULL;
	size_t i, outlen = 0;

	for (i = 0; i < MO_PAYLOAD_CHARS; i++)
		body[i] = (char)('a' + i % 26);
	body[MO_PAYLOAD_CHARS] = '\0';
	start(NULL, NULL);
	e = bind_as(RX, "test", "secret");
	req = json_pack("{s:s, s:s, s:s, s:b, s:i}", "from", "+14155550123",
	    "to", "55555", "body", body, "payload", 1, "count", 2);
	ck_assert_int_eq(post_mo_json(req, &resp), 202);
	ck_assert_int_eq(json_integer_value(json_object_get(resp, "queued")),
	    2);
	json_decref(req);
	json_decref(resp);
	req = json_pack("{s:s, s:s, s:s, s:b}", "from", "+14155550123",
	    "to", "55555", "body", body, "as_data_sm", 1);
	ck_assert_int_eq(post_mo_json(req, NULL), 202);
	json_decref(req);
	for (i = 0; i < 3; i++) {
		d = esme_wait_deliver(e, WAIT);
		ck_assert_msg(d != NULL, "MO %zu of 3 missing", i + 1);
		ck_assert_uint_eq(d->command_id, i < 2 ? SMPP_CMD_deliver_sm :
		    SMPP_CMD_data_sm);
		if (i < 2)
			ck_assert_uint_eq(d->u.deliver_sm.sm_length, 0);
		t = smpp_pdu_find_tlv(d, SMPP_TLV_message_payload);
		ck_assert_ptr_nonnull(t);
		ck_assert_int_eq(smpp_text_decode(0, smpp_tlv_value(d, t),
		    t->length, out, sizeof out - 1, &outlen, NULL),
		    SMPP_TEXT_OK);
		out[outlen] = '\0';
		ck_assert_str_eq(out, body);
		esme_pdu_free(d);
	}
	no_deliver(e, QUIET_MS, "a fourth MO");
	esme_close(e);
	stop();
}
END_TEST

/* An MO goes to receivers of its system_id only; without one, to the
 * carrier's first account. */
START_TEST(test_mo_routing)
{
	struct esme *test, *other;
	json_t *req;
	struct smpp_pdu *d;

	start("{'accounts': [{'system_id': 'test', 'password': 'secret'}, "
	    "{'system_id': 'other', 'password': 'pw'}]}", NULL);
	test = bind_as(RX, "test", "secret");
	other = bind_as(RX, "other", "pw");
	req = json_pack("{s:s, s:s, s:s, s:s}", "from", "+14155550123",
	    "to", "55555", "body", "for other", "system_id", "other");
	ck_assert_int_eq(post_mo_json(req, NULL), 202);
	json_decref(req);
	req = json_pack("{s:s, s:s, s:s}", "from", "+14155550123",
	    "to", "55555", "body", "for the first account");
	ck_assert_int_eq(post_mo_json(req, NULL), 202);
	json_decref(req);
	req = json_pack("{s:s, s:s, s:s, s:s}", "from", "+14155550123",
	    "to", "55555", "body", "nobody", "system_id", "nobody");
	ck_assert_int_eq(post_mo_json(req, NULL), 400);
	json_decref(req);
	d = esme_wait_deliver(other, WAIT);
	ck_assert_ptr_nonnull(d);
	ck_assert_mem_eq(d->u.deliver_sm.short_message, "for other", 9);
	esme_pdu_free(d);
	d = esme_wait_deliver(test, WAIT);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->u.deliver_sm.sm_length, 21);
	ck_assert_mem_eq(d->u.deliver_sm.short_message,
	    "for the first account", 21);
	esme_pdu_free(d);
	no_deliver(test, 300, "another account's MO");
	no_deliver(other, 300, "another account's MO");
	esme_close(test);
	esme_close(other);
	stop();
}
END_TEST

/* ================================================================ */
/* TLS                                                              */
/* ================================================================ */

START_TEST(test_tls)
{
	struct esme *e, *plain;
	json_t *binds;
	struct rcpt c;
	char id[65];

	start("{'listen': [{'address': '127.0.0.1:0', 'tls': true}]}", NULL);
	ck_assert_int_eq(smsc_listen_tls(&smsc, CARRIER, 0), 1);
	e = bind_as(TRX, "test", "secret");
	submit_ok(e, "+14155550100", "over TLS", 1, id, sizeof id);
	rcpt_must(e, WAIT, &c, "a TLS submit");
	rcpt_expect(&c, id, "DELIVRD", "000");
	binds = get_json("/sim/carriers/" CARRIER "/binds");
	ck_assert(json_is_true(json_object_get(json_array_get(
	    json_object_get(binds, "binds"), 0), "tls")));
	json_decref(binds);
	ck_assert_int_eq(esme_unbind(e, WAIT), 0);
	esme_close(e);
	/* Plain SMPP on the TLS port binds nothing. */
	plain = esme_connect(smsc_listen(&smsc, CARRIER, 0), 0);
	ck_assert_ptr_nonnull(plain);
	ck_assert_int_eq(esme_bind(plain, TRX, "test", "secret"), -1);
	esme_close(plain);
	stop();
}
END_TEST

/* ================================================================ */
/* /sim/ captures                                                   */
/* ================================================================ */

static json_t *
wait_pdus(struct esme *e, unsigned bind_id, size_t want)
{
	char path[128];
	json_t *o;
	int i;

	snprintf(path, sizeof path, "/sim/carriers/" CARRIER "/binds/%u/pdus",
	    bind_id);
	for (i = 0; i < WAIT / 20; i++) {
		o = get_json(path);
		if (json_array_size(json_object_get(o, "pdus")) >= want)
			return o;
		json_decref(o);
		esme_pump(e, 20);
	}
	ck_abort_msg("%s: fewer than %zu PDUs after %d ms", path, want, WAIT);
	return NULL;
}

START_TEST(test_sim_captures)
{
	static const struct {
		const char	*dir;
		const char	*command;
	} want[] = {
		{ "in", "bind_transceiver" },
		{ "out", "bind_transceiver_resp" },
		{ "in", "submit_sm" },
		{ "out", "submit_sm_resp" },
		{ "out", "deliver_sm" },
		{ "in", "deliver_sm_resp" },
	};
	json_t *binds, *b, *o, *pdus, *p;
	struct esme *e;
	struct rcpt c;
	char id[65], path[128];
	unsigned bind_id;
	size_t i;

	start(NULL, NULL);
	e = bind_as(TRX, "test", "secret");
	submit_ok(e, "+14155550100", "captured", 1, id, sizeof id);
	rcpt_must(e, WAIT, &c, "a captured submit");
	binds = get_json("/sim/carriers/" CARRIER "/binds");
	ck_assert_uint_eq(json_array_size(json_object_get(binds, "binds")), 1);
	b = json_array_get(json_object_get(binds, "binds"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(b, "system_id")),
	    "test");
	ck_assert_str_eq(json_string_value(json_object_get(b, "type")), "trx");
	ck_assert_str_eq(json_string_value(json_object_get(b, "state")),
	    "BOUND_TRX");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(b,
	    "counters"), "submits")), 1);
	bind_id = (unsigned)json_integer_value(json_object_get(b, "id"));
	json_decref(binds);

	o = wait_pdus(e, bind_id, 6);
	pdus = json_object_get(o, "pdus");
	ck_assert_uint_eq(json_array_size(pdus), 6);
	for (i = 0; i < 6; i++) {
		p = json_array_get(pdus, i);
		ck_assert_str_eq(json_string_value(json_object_get(p, "dir")),
		    want[i].dir);
		ck_assert_str_eq(json_string_value(json_object_get(
		    json_object_get(p, "pdu"), "command")), want[i].command);
	}
	p = json_object_get(json_array_get(pdus, 2), "pdu");
	ck_assert_str_eq(json_string_value(json_object_get(p,
	    "destination_addr")), "14155550100");
	p = json_object_get(json_array_get(pdus, 3), "pdu");
	ck_assert_str_eq(json_string_value(json_object_get(p, "message_id")),
	    id);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "next")),
	    json_integer_value(json_object_get(json_array_get(pdus, 5),
	    "index")));
	json_decref(o);

	/* since= skips what was seen. */
	snprintf(path, sizeof path, "/sim/carriers/" CARRIER "/binds/%u/pdus"
	    "?since=%d", bind_id, 4);
	o = get_json(path);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "pdus")), 2);
	json_decref(o);
	ck_assert_int_eq(smsc_http_get(&smsc, "/sim/carriers/nope/binds",
	    NULL), 404);
	ck_assert_int_eq(smsc_http_get(&smsc,
	    "/sim/carriers/" CARRIER "/binds/999/pdus", NULL), 404);
	esme_close(e);
	stop();
}
END_TEST

/* ================================================================ */
/* Determinism                                                      */
/* ================================================================ */

#define DET_N		10

struct det_run {
	char		 id[DET_N][65];
	struct rcpt	 rcpt[DET_N];	/* by submit order */
};

static void
det_run(const char *seed, struct det_run *run)
{
	const char *args[] = { "--seed", seed, "--clock-start",
	    "2026-01-01T00:00:00Z", NULL };
	char to[32], text[64];
	struct esme *e;
	struct rcpt c;
	size_t i, n;

	memset(run, 0, sizeof *run);
	start("{'outcomes': {'DELIVRD': 0.5, 'UNDELIV': {'p': 0.3, 'err': "
	    "'001', 'network_error_code': {'type': 3, 'code': 1}}, "
	    "'REJECTD': 0.2}, 'receipt_delay': '200ms'}", args);
	e = bind_as(TRX, "test", "secret");
	for (i = 0; i < DET_N; i++) {
		snprintf(to, sizeof to, "+1415555%04zu", i);
		snprintf(text, sizeof text, "Deterministic message %zu", i);
		submit_ok(e, to, text, 1, run->id[i], sizeof run->id[i]);
	}
	for (n = 0; n < DET_N; n++) {
		rcpt_must(e, WAIT, &c, "a deterministic run");
		for (i = 0; i < DET_N; i++)
			if (strcmp(run->id[i], c.r.id) == 0)
				break;
		ck_assert_msg(i < DET_N, "receipt for unknown id %s", c.r.id);
		ck_assert_uint_eq(run->rcpt[i].sm_len, 0);
		run->rcpt[i] = c;
		/* The fixed clock start: this short run is in its minute. */
		ck_assert_str_eq(c.r.submit_date.digits, "2601010000");
		ck_assert_str_eq(c.r.done_date.digits, "2601010000");
	}
	esme_close(e);
	stop();
}

/* The same seed, clock start and submits give the same receipts, byte
 * for byte; another seed other outcomes. */
START_TEST(test_determinism)
{
	struct det_run *a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b);
	int stats = 0, differ = 0;
	size_t i;

	det_run("42", a);
	det_run("42", b);
	for (i = 0; i < DET_N; i++) {
		ck_assert_str_eq(a->id[i], b->id[i]);
		ck_assert_uint_eq(a->rcpt[i].sm_len, b->rcpt[i].sm_len);
		ck_assert_mem_eq(a->rcpt[i].sm, b->rcpt[i].sm,
		    a->rcpt[i].sm_len);
		ck_assert_uint_eq(a->rcpt[i].tlvs_len, b->rcpt[i].tlvs_len);
		ck_assert_mem_eq(a->rcpt[i].tlvs, b->rcpt[i].tlvs,
		    a->rcpt[i].tlvs_len);
		ck_assert_uint_eq(a->rcpt[i].esm_class, b->rcpt[i].esm_class);
		stats |= 1 << a->rcpt[i].state;
	}
	ck_assert_msg(__builtin_popcount((unsigned)stats) >= 2, "seed 42 gave "
	    "one outcome to all %d messages", DET_N);
	det_run("43", b);
	for (i = 0; i < DET_N; i++)
		if (strcmp(a->rcpt[i].r.stat, b->rcpt[i].r.stat) != 0)
			differ++;
	ck_assert_msg(differ > 0, "seeds 42 and 43 gave the same %d outcomes",
	    DET_N);
	free(a);
	free(b);
}
END_TEST

/* ================================================================ */

static Suite *
smsc_suite(void)
{
	Suite *s = suite_create("smsc");
	TCase *tc;

	tc = smsc_tcase(s, "process", TCASE_TIMEOUT);
	tcase_add_test(tc, test_ready_file);
	tcase_add_test(tc, test_session_timers);

	tc = smsc_tcase(s, "bind", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_bind_matrix, 0, NBIND_ROWS);
	tcase_add_test(tc, test_bind_retry_after_refusal);
	tcase_add_loop_test(tc, test_max_binds, 0, 2);

	tc = smsc_tcase(s, "flow", TCASE_TIMEOUT);
	tcase_add_loop_test(tc, test_window_full, 0, 2);
	tcase_add_test(tc, test_throughput_bind);
	tcase_add_test(tc, test_throughput_carrier);
	tcase_add_test(tc, test_throughput_segments);
	tcase_add_test(tc, test_receipt_after_response);

	tc = smsc_tcase(s, "outcomes", TCASE_TIMEOUT);
	tcase_add_test(tc, test_outcomes_by_rule);
	tcase_add_test(tc, test_outcome_expired);
	tcase_add_test(tc, test_outcome_deleted);
	tcase_add_test(tc, test_registered_delivery);
	tcase_add_test(tc, test_scheduled_delivery);

	tc = smsc_tcase(s, "capabilities", TCASE_TIMEOUT);
	tcase_add_test(tc, test_capabilities);
	tcase_add_test(tc, test_rules_body_and_submit_status);
	tcase_add_test(tc, test_submit_errors);
	tcase_add_test(tc, test_bad_times);

	tc = smsc_tcase(s, "receipts", TCASE_TIMEOUT);
	tcase_add_test(tc, test_receipt_held_until_rx);
	tcase_add_test(tc, test_receipt_survives_restart);
	tcase_add_test(tc, test_mo_survives_restart);
	tcase_add_test(tc, test_receipt_resend_after_error);
	tcase_add_test(tc, test_receipt_resend_after_timeout);
	tcase_add_test(tc, test_receipt_attempts_exhausted);
	tcase_add_test(tc, test_receipts_round_robin);

	tc = smsc_tcase(s, "operations", TCASE_TIMEOUT);
	tcase_add_test(tc, test_query_sm);
	tcase_add_test(tc, test_cancel_failures);
	tcase_add_test(tc, test_replace_sm);
	tcase_add_test(tc, test_replace_validity);
	tcase_add_test(tc, test_submit_multi);
	tcase_add_test(tc, test_submit_multi_cancel);
	tcase_add_test(tc, test_data_sm);
	tcase_add_test(tc, test_mms_accepted);
	tcase_add_test(tc, test_mms_refused);

	tc = smsc_tcase(s, "mo", TCASE_TIMEOUT);
	tcase_add_test(tc, test_mo_concatenated_gsm);
	tcase_add_test(tc, test_mo_ucs2);
	tcase_add_test(tc, test_mo_payload_and_data_sm);
	tcase_add_test(tc, test_mo_routing);

	tc = smsc_tcase(s, "tls", TCASE_TIMEOUT);
	tcase_add_test(tc, test_tls);

	tc = smsc_tcase(s, "sim", TCASE_TIMEOUT);
	tcase_add_test(tc, test_sim_captures);

	tc = smsc_tcase(s, "determinism", TCASE_TIMEOUT);
	tcase_add_test(tc, test_determinism);
	return s;
}

int
main(void)
{
	return smsc_suite_run(smsc_suite());
}
