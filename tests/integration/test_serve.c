/*
 * carrierlab serve end to end: the real binary (carriers, gateway and API
 * in one process) on ephemeral loopback ports, driven through the Twilio
 * API and /sim/ as an application and a test harness would, with status
 * callbacks and inbound webhooks going to tests/integration/
 * webhook-receiver.py, which checks every X-Twilio-Signature with its own
 * implementation of Twilio's algorithm.
 *
 * Each test starts its own serve on a scenario of tests/scenarios/
 * (serve-outcomes.json: a carrier per fate; serve-down.json: a carrier
 * that refuses binds) and its own receiver, and ends with SIGTERM, which
 * must stop serve with status 0. What each test checks is the contract of
 * issue 5: the statuses a message goes through, the error code each
 * carrier outcome maps to, one callback per status change after the
 * first, retries of failed callbacks, inbound messages with and without
 * a webhook and the TwiML reply, and nothing lost across kill -9.
 *
 * Waits poll against deadlines (gwtest.h); the only waits that must see
 * nothing happen are bounded (QUIET_MS).
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "tests/integration/gwtest.h"

#define ACCOUNT		"AC0123456789abcdef0123456789abcdef"
#define TOKEN		"e2e-token-Zq9"
#define SERVICE		"MG0123456789abcdef0123456789abcdef"
#define FROM		"+14155550100"
#define MESSAGES	"/2010-04-01/Accounts/" ACCOUNT "/Messages.json"
#define OUTCOMES	"serve-outcomes.json"
#define DOWN		"serve-down.json"
#define WAIT		GWT_WAIT_MS
#define QUIET_MS	1500	/* "nothing happens": "delivers" acts at once */
#define TCASE_TIMEOUT	90

static struct gwt t;

/* ---- assertions on messages and callbacks ---- */

static void
assert_matches(const char *what, const char *text, const char *re)
{
	regex_t r;
	int rc;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = text != NULL ? regexec(&r, text, 0, NULL, 0) : REG_NOMATCH;
	regfree(&r);
	ck_assert_msg(rc == 0, "%s \"%s\" does not match %s", what,
	    text != NULL ? text : "(null)", re);
}

#define RFC2822	"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} " \
	"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} " \
	"[0-9]{2}:[0-9]{2}:[0-9]{2} \\+0000$"

/* The resource as Twilio shapes it (twilio-api.md 2.3). */
static void
assert_resource(json_t *m)
{
	const char *sid = gwt_str(m, "sid");
	char uri[160];

	assert_matches("sid", sid, "^(SM|MM)[0-9a-f]{32}$");
	gwt_assert_str(m, "account_sid", ACCOUNT);
	gwt_assert_str(m, "api_version", "2010-04-01");
	ck_assert_msg(json_is_string(json_object_get(m, "num_segments")),
	    "num_segments is not a string");
	ck_assert_msg(json_is_string(json_object_get(m, "num_media")),
	    "num_media is not a string");
	assert_matches("date_created", gwt_str(m, "date_created"), RFC2822);
	assert_matches("date_updated", gwt_str(m, "date_updated"), RFC2822);
	snprintf(uri, sizeof uri, "/2010-04-01/Accounts/%s/Messages/%s.json",
	    ACCOUNT, sid);
	gwt_assert_str(m, "uri", uri);
	snprintf(uri, sizeof uri, "/2010-04-01/Accounts/%s/Messages/%s/"
	    "Media.json", ACCOUNT, sid);
	gwt_assert_str(json_object_get(m, "subresource_uris"), "media", uri);
}

static json_t *
create(const char *to, const char *body, const char *extra_name,
    const char *extra_value)
{
	char cb[128], *form;
	json_t *m;

	snprintf(cb, sizeof cb, "%s/status", t.rx_url);
	form = gwt_form("To", to, "From", FROM, "Body", body,
	    "StatusCallback", cb, extra_name, extra_value, (char *)NULL);
	m = gwt_create(&t, form);
	free(form);
	assert_resource(m);
	gwt_assert_str(m, "status", "queued");
	gwt_assert_str(m, "direction", "outbound-api");
	gwt_assert_str(m, "to", to);
	gwt_assert_str(m, "from", FROM);
	ck_assert_msg(json_is_null(json_object_get(m, "error_code")),
	    "error_code of a new message is not null");
	return m;
}

/* The parameters of a status callback (twilio-api.md 5.1). */
static void
assert_callback(json_t *r, json_t *m, int error_code, const char *service)
{
	const char *status = gwt_param(r, "MessageStatus");
	const char *sid = gwt_str(m, "sid"), *v;
	char code[16];

	ck_assert_msg(status != NULL, "callback without MessageStatus");
	ck_assert_msg(strcmp(gwt_str(r, "method"), "POST") == 0,
	    "status callback by %s", gwt_str(r, "method"));
	ck_assert_msg(strncmp(gwt_str(r, "content_type"),
	    "application/x-www-form-urlencoded", 33) == 0,
	    "status callback's Content-Type is %s", gwt_str(r, "content_type"));
#define PARAM_IS(name, want) do {					\
	v = gwt_param(r, name);						\
	ck_assert_msg(v != NULL && strcmp(v, want) == 0,		\
	    "%s callback of %s: %s is %s, not %s", status, sid, name,	\
	    v != NULL ? v : "missing", want);				\
} while (0)
	PARAM_IS("MessageSid", sid);
	PARAM_IS("SmsSid", sid);
	PARAM_IS("SmsStatus", status);
	PARAM_IS("AccountSid", ACCOUNT);
	PARAM_IS("ApiVersion", "2010-04-01");
	PARAM_IS("To", gwt_str(m, "to"));
	if (gwt_str(m, "from") != NULL)
		PARAM_IS("From", gwt_str(m, "from"));
	if (service != NULL)
		PARAM_IS("MessagingServiceSid", service);
	if (strcmp(status, "failed") == 0 ||
	    strcmp(status, "undelivered") == 0) {
		snprintf(code, sizeof code, "%d", error_code);
		PARAM_IS("ErrorCode", code);
	}
	if (strcmp(status, "delivered") == 0 ||
	    strcmp(status, "undelivered") == 0)
		assert_matches("RawDlrDoneDate", gwt_param(r, "RawDlrDoneDate"),
		    "^[0-9]{10}$");
#undef PARAM_IS
}

/*
 * Waits for the callbacks of m at path, then checks there is exactly one
 * per status of want (NULL-terminated), that they arrived in that order
 * (Twilio does not promise an order; carrierlab sends one message's
 * callbacks in the order of its statuses, docs/gateway.md), and that each
 * carries the right parameters.
 */
static void
expect_callbacks(json_t *m, const char *path, const char *const *want,
    int error_code, const char *service)
{
	const char *sid = gwt_str(m, "sid");
	size_t n = 0, i, j, seen;
	json_t *got, *r;
	char list[256] = "";

	while (want[n] != NULL)
		n++;
	got = gwt_wait_received(&t, path, "MessageSid", sid, n, WAIT);
	json_array_foreach(got, i, r) {
		strncat(list, " ", sizeof list - strlen(list) - 1);
		strncat(list, gwt_param(r, "MessageStatus") != NULL ?
		    gwt_param(r, "MessageStatus") : "?",
		    sizeof list - strlen(list) - 1);
	}
	ck_assert_msg(json_array_size(got) == n, "%s: %zu callbacks (%s), "
	    "expected %zu", sid, json_array_size(got), list, n);
	for (j = 0; j < n; j++) {
		seen = 0;
		json_array_foreach(got, i, r) {
			if (strcmp(gwt_param(r, "MessageStatus"), want[j]) != 0)
				continue;
			seen++;
			assert_callback(r, m, error_code, service);
		}
		ck_assert_msg(seen == 1, "%s: %zu callbacks with status %s "
		    "(got:%s)", sid, seen, want[j], list);
		ck_assert_msg(strcmp(gwt_param(json_array_get(got, j),
		    "MessageStatus"), want[j]) == 0, "%s: callbacks arrived "
		    "in the order%s", sid, list);
	}
	json_decref(got);
}

/* Each status of want got exactly one callback answered 200. */
static void
expect_answered_once(json_t *m, const char *path, const char *const *want)
{
	json_t *got = gwt_received(&t, path, "MessageSid", gwt_str(m, "sid"));
	json_t *r;
	size_t i, j, n;

	for (j = 0; want[j] != NULL; j++) {
		n = 0;
		json_array_foreach(got, i, r)
			if (strcmp(gwt_param(r, "MessageStatus"), want[j]) ==
			    0 && json_integer_value(json_object_get(r,
			    "answered")) == 200)
				n++;
		ck_assert_msg(n == 1, "%s: %zu %s callbacks answered 200, not "
		    "1", gwt_str(m, "sid"), n, want[j]);
	}
	json_decref(got);
}

static const char *const delivered_path[] = { "sending", "sent",
    "delivered", NULL };

/* The error code of a fetched message, -1 when it is null. */
static long long
error_code(json_t *m)
{
	json_t *v = json_object_get(m, "error_code");

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* ---- delivered ---- */

START_TEST(test_delivered)
{
	json_t *m, *f;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	m = create("+14155550142", "hello from the end-to-end test", NULL,
	    NULL);
	gwt_assert_str(m, "num_segments", "1");
	gwt_assert_str(m, "num_media", "0");
	gwt_assert_str(m, "body", "hello from the end-to-end test");
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	assert_resource(f);
	assert_matches("date_sent", gwt_str(f, "date_sent"), RFC2822);
	ck_assert_int_eq(error_code(f), -1);
	expect_callbacks(m, "/status", delivered_path, 0, NULL);
	/* Once serve has stopped nothing more can come: still exactly one
	 * callback per status change after the first. */
	gwt_stop(&t);
	expect_callbacks(m, "/status", delivered_path, 0, NULL);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

/* With a Messaging Service and no From: accepted, then queued once the
 * pool's sender is chosen; callbacks go to the service's URL. */
START_TEST(test_delivered_service)
{
	static const char *const path[] = { "queued", "sending", "sent",
	    "delivered", NULL };
	char *form;
	json_t *m, *f;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	form = gwt_form("To", "+14155550143", "MessagingServiceSid", SERVICE,
	    "Body", "from the pool", (char *)NULL);
	m = gwt_create(&t, form);
	free(form);
	assert_resource(m);
	gwt_assert_str(m, "status", "accepted");
	gwt_assert_str(m, "messaging_service_sid", SERVICE);
	ck_assert_msg(json_is_null(json_object_get(m, "from")),
	    "from of an accepted service message is not null");
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	gwt_assert_str(f, "from", "+14155550133");
	gwt_assert_str(f, "messaging_service_sid", SERVICE);
	expect_callbacks(f, "/service-status", path, 0, SERVICE);
	gwt_stop(&t);
	expect_callbacks(f, "/service-status", path, 0, SERVICE);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

/* Three GSM-7 segments (153 + 153 + up to 153 septets), one status. */
START_TEST(test_long_message)
{
	char body[401];
	json_t *m, *f;

	memset(body, 'x', 400);
	body[400] = '\0';
	memcpy(body, "A long message ", 15);
	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	m = create("+14155550145", body, NULL, NULL);
	gwt_assert_str(m, "num_segments", "3");
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	gwt_assert_str(f, "num_segments", "3");
	gwt_assert_str(f, "body", body);
	/* The carrier stored one message per segment. */
	ck_assert_int_eq(smsc_carrier_number(&t.serve, "delivers", "counters",
	    "messages"), 3);
	expect_callbacks(m, "/status", delivered_path, 0, NULL);
	gwt_stop(&t);
	expect_callbacks(m, "/status", delivered_path, 0, NULL);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

/* ---- undelivered and failed ---- */

static const struct {
	const char	*to;
	const char	*why;		/* the carrier's outcome */
	const char	*status;
	int		 code;
} outcomes[] = {
	{ "+16285550100", "UNDELIV err 001, GSM MAP 1", "undelivered", 30005 },
	{ "+16285550103", "UNDELIV err 006", "undelivered", 30003 },
	{ "+16285550113", "UNDELIV, GSM MAP 6 (absent subscriber)",
	  "undelivered", 30003 },
	{ "+16285550104", "UNDELIV err 013", "undelivered", 30004 },
	{ "+16285550105", "UNDELIV err 000, GSM MAP 1 (unknown subscriber)",
	  "undelivered", 30005 },
	{ "+16285550106", "UNDELIV, GSM MAP 11 (teleservice not provisioned)",
	  "undelivered", 30006 },
	{ "+16285550107", "UNDELIV, SMPP error 0x65 (filtered)",
	  "undelivered", 30007 },
	{ "+16285550117", "REJECTD", "failed", 30007 },
};

#define NOUTCOMES	(sizeof outcomes / sizeof outcomes[0])

START_TEST(test_undelivered)
{
	const char *path[4] = { "sending", "sent", NULL, NULL };
	json_t *m[NOUTCOMES], *f;
	size_t i;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	for (i = 0; i < NOUTCOMES; i++)
		m[i] = create(outcomes[i].to, "will it arrive?", NULL, NULL);
	for (i = 0; i < NOUTCOMES; i++) {
		f = gwt_wait_status(&t, gwt_str(m[i], "sid"),
		    outcomes[i].status, WAIT);
		ck_assert_msg(error_code(f) == outcomes[i].code,
		    "%s (%s): error_code %lld, not %d", outcomes[i].to,
		    outcomes[i].why, error_code(f), outcomes[i].code);
		ck_assert_msg(json_is_string(json_object_get(f,
		    "error_message")), "%s: no error_message",
		    outcomes[i].to);
		json_decref(f);
	}
	/* Callbacks still on their way when serve stops would be sent by
	 * the next run: wait for them first, count them again after. */
	for (i = 0; i < NOUTCOMES; i++) {
		path[2] = outcomes[i].status;
		expect_callbacks(m[i], "/status", path, outcomes[i].code,
		    NULL);
	}
	gwt_stop(&t);
	for (i = 0; i < NOUTCOMES; i++) {
		path[2] = outcomes[i].status;
		expect_callbacks(m[i], "/status", path, outcomes[i].code,
		    NULL);
		json_decref(m[i]);
	}
	gwt_assert_signed(&t);
	gwt_end(&t);
}
END_TEST

/* The carrier refuses the submit (ESME_RINVDSTADR): failed, 30005,
 * never sent. */
START_TEST(test_failed_submit)
{
	static const char *const path[] = { "sending", "failed", NULL };
	json_t *m, *f;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	m = create("+16505550100", "refused at the door", NULL, NULL);
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "failed", WAIT);
	ck_assert_msg(error_code(f) == 30005, "error_code %lld, not 30005 "
	    "(ESME_RINVDSTADR)", error_code(f));
	expect_callbacks(m, "/status", path, 30005, NULL);
	gwt_stop(&t);
	expect_callbacks(m, "/status", path, 30005, NULL);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

/* The carrier refuses every bind: the message waits in the queue for its
 * ValidityPeriod, then fails with 30036. */
START_TEST(test_expired)
{
	static const char *const path[] = { "failed", NULL };
	double start;
	json_t *m, *f;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, DOWN, NULL);
	start = test_now_ms();
	m = create("+14155550146", "too late", "ValidityPeriod", "2");
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "failed", 10000);
	ck_assert_msg(test_now_ms() - start >= 1900, "failed after %.0f ms, "
	    "before its 2 s validity period", test_now_ms() - start);
	ck_assert_msg(error_code(f) == 30036, "error_code %lld, not 30036",
	    error_code(f));
	expect_callbacks(m, "/status", path, 30036, NULL);
	gwt_stop(&t);
	expect_callbacks(m, "/status", path, 30036, NULL);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

/* ---- a carrier down, then up ---- */

static void
sim_switch(const char *method, const char *path, const char *json)
{
	json_t *req = json != NULL ? test_json(json) : NULL, *body = NULL;
	int code = strcmp(method, "PUT") == 0 ?
	    smsc_http_put(&t.serve, path, req, &body) :
	    smsc_http_delete(&t.serve, path, &body);

	ck_assert_msg(code == 200 || code == 204, "%s %s: %d", method, path,
	    code);
	json_decref(req);
	json_decref(body);
}

START_TEST(test_carrier_down_then_up)
{
	double quiet_end;
	json_t *m, *f;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	/* Wait for the gateway's bind, so that the drop is what takes the
	 * carrier away from it. */
	smsc_wait_number(&t.serve, NULL, "delivers", "counters", "bound", 1,
	    WAIT);
	sim_switch("PUT", "/sim/carriers/delivers/faults/refuse_binds",
	    "{'status': 'ESME_RBINDFAIL'}");
	sim_switch("PUT", "/sim/carriers/delivers/faults/drop_connections",
	    "{}");
	smsc_wait_number(&t.serve, NULL, "delivers", "counters", "bound", 0,
	    WAIT);
	m = create("+14155550147", "are you there?", NULL, NULL);
	quiet_end = test_now_ms() + QUIET_MS;
	while (test_now_ms() < quiet_end) {
		f = gwt_fetch(&t, gwt_str(m, "sid"));
		gwt_assert_str(f, "status", "queued");
		json_decref(f);
		gwt_poll_pause();
	}
	sim_switch("DELETE", "/sim/carriers/delivers/faults/refuse_binds",
	    NULL);
	/* The gateway's reconnect waits double from 1 s: within 30 s it
	 * has tried again. */
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", 30000);
	expect_callbacks(m, "/status", delivered_path, 0, NULL);
	gwt_stop(&t);
	expect_callbacks(m, "/status", delivered_path, 0, NULL);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

/* ---- callbacks that fail are retried ---- */

START_TEST(test_callback_retried)
{
	double end;
	json_t *m, *f, *got, *r;
	size_t i, failed = 0, ok = 0;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_receiver_answer(&t, 503);
	gwt_serve(&t, OUTCOMES, NULL);
	m = create("+14155550148", "knock knock", NULL, NULL);
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	/* The first callback fails, and fails again when it is retried... */
	got = gwt_wait_received(&t, "/status", "MessageSid", gwt_str(m, "sid"),
	    3, WAIT);
	json_decref(got);
	gwt_receiver_answer(&t, 200);
	/* ...until the receiver answers 200: then each of the three status
	 * changes gets through once. */
	end = test_now_ms() + WAIT;
	for (;;) {
		got = gwt_received(&t, "/status", "MessageSid",
		    gwt_str(m, "sid"));
		ok = failed = 0;
		json_array_foreach(got, i, r) {
			if (json_integer_value(json_object_get(r,
			    "answered")) == 200)
				ok++;
			else
				failed++;
			assert_callback(r, m, 0, NULL);
		}
		json_decref(got);
		if (ok >= 3)
			break;
		ck_assert_msg(test_now_ms() < end, "%zu callbacks answered "
		    "200 within %d ms of the receiver's recovery, not 3", ok,
		    WAIT);
		gwt_poll_pause();
	}
	ck_assert_msg(failed >= 3, "%zu failed attempts, not 3 or more",
	    failed);
	gwt_stop(&t);
	expect_answered_once(m, "/status", delivered_path);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

/* ---- inbound ---- */

static void
mo(const char *carrier, const char *from, const char *to, const char *body)
{
	char path[128];
	json_t *req = json_pack("{s:s,s:s,s:s}", "from", from, "to", to,
	    "body", body), *answer = NULL;
	int code;

	snprintf(path, sizeof path, "/sim/carriers/%s/mo", carrier);
	code = smsc_http_post(&t.serve, path, req, &answer);
	ck_assert_msg(code == 202, "POST %s: %d", path, code);
	json_decref(req);
	json_decref(answer);
}

/* The messages of the list filtered by To (a new reference). */
static json_t *
list_to(const char *to)
{
	char *q = gwt_form("To", to, "PageSize", "50", (char *)NULL);
	char path[256];
	json_t *body = NULL, *msgs;
	int code;

	snprintf(path, sizeof path, "%s?%s", MESSAGES, q);
	free(q);
	code = gwt_api(&t, "GET", path, NULL, &body);
	ck_assert_msg(code == 200, "GET %s: %d", path, code);
	msgs = json_object_get(body, "messages");
	ck_assert_msg(json_is_array(msgs), "GET %s: no messages array", path);
	json_incref(msgs);
	json_decref(body);
	return msgs;
}

/* Polls the list until a message to `to` with this direction shows. */
static json_t *
wait_listed(const char *to, const char *direction, int wait_ms)
{
	double end = test_now_ms() + wait_ms;
	json_t *msgs, *m;
	size_t i;

	do {
		msgs = list_to(to);
		json_array_foreach(msgs, i, m) {
			if (gwt_str(m, "direction") != NULL &&
			    strcmp(gwt_str(m, "direction"), direction) == 0) {
				json_incref(m);
				json_decref(msgs);
				return m;
			}
		}
		json_decref(msgs);
		gwt_poll_pause();
	} while (test_now_ms() < end);
	ck_abort_msg("no %s message to %s listed within %d ms", direction, to,
	    wait_ms);
	return NULL;
}

/* Whether a submit_sm with this text reached carrier, on any bind. */
static int
carrier_got_submit(const char *carrier, const char *text)
{
	char path[160];
	json_t *binds, *b, *pdus, *p;
	size_t i, j;
	int found = 0;

	snprintf(path, sizeof path, "/sim/carriers/%s/binds", carrier);
	binds = smsc_get_ok(&t.serve, path);
	json_array_foreach(json_object_get(binds, "binds"), i, b) {
		snprintf(path, sizeof path, "/sim/carriers/%s/binds/%lld/pdus?"
		    "limit=10000", carrier, (long long)json_integer_value(
		    json_object_get(b, "id")));
		pdus = smsc_get_ok(&t.serve, path);
		json_array_foreach(json_object_get(pdus, "pdus"), j, p) {
			json_t *pdu = json_object_get(p, "pdu");

			if (gwt_str(pdu, "command") != NULL &&
			    strcmp(gwt_str(pdu, "command"), "submit_sm") == 0 &&
			    gwt_str(pdu, "text") != NULL &&
			    strcmp(gwt_str(pdu, "text"), text) == 0)
				found = 1;
		}
		json_decref(pdus);
	}
	json_decref(binds);
	return found;
}

START_TEST(test_inbound_webhook)
{
	json_t *got, *r, *in, *reply, *f;
	const char *sid;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	smsc_wait_number(&t.serve, NULL, "delivers", "counters", "bound", 1,
	    WAIT);
	mo("delivers", "+14155550999", "+14155550111", "Hello gateway");
	got = gwt_wait_received(&t, "/sms", NULL, NULL, 1, WAIT);
	r = json_array_get(got, 0);
	ck_assert_msg(strcmp(gwt_str(r, "method"), "POST") == 0, "inbound "
	    "webhook by %s", gwt_str(r, "method"));
	ck_assert_str_eq(gwt_param(r, "Body"), "Hello gateway");
	ck_assert_str_eq(gwt_param(r, "From"), "+14155550999");
	ck_assert_str_eq(gwt_param(r, "To"), "+14155550111");
	ck_assert_str_eq(gwt_param(r, "AccountSid"), ACCOUNT);
	ck_assert_str_eq(gwt_param(r, "SmsStatus"), "received");
	ck_assert_str_eq(gwt_param(r, "ApiVersion"), "2010-04-01");
	ck_assert_str_eq(gwt_param(r, "NumSegments"), "1");
	ck_assert_str_eq(gwt_param(r, "NumMedia"), "0");
	sid = gwt_param(r, "MessageSid");
	assert_matches("MessageSid", sid, "^SM[0-9a-f]{32}$");
	ck_assert_str_eq(gwt_param(r, "SmsSid"), sid);
	/* The inbound message is kept. */
	in = gwt_fetch(&t, sid);
	gwt_assert_str(in, "direction", "inbound");
	gwt_assert_str(in, "status", "received");
	gwt_assert_str(in, "body", "Hello gateway");
	gwt_assert_str(in, "from", "+14155550999");
	gwt_assert_str(in, "to", "+14155550111");
	/* The TwiML <Message>Thanks</Message> goes back to the handset. */
	reply = wait_listed("+14155550999", "outbound-reply", WAIT);
	gwt_assert_str(reply, "body", "Thanks");
	gwt_assert_str(reply, "from", "+14155550111");
	f = gwt_wait_status(&t, gwt_str(reply, "sid"), "delivered", WAIT);
	ck_assert_msg(carrier_got_submit("delivers", "Thanks"),
	    "no submit_sm with \"Thanks\" at the carrier");
	gwt_stop(&t);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(got);
	json_decref(in);
	json_decref(reply);
	json_decref(f);
}
END_TEST

/* A number without a webhook: the message is kept, nobody is called. */
START_TEST(test_inbound_no_webhook)
{
	double quiet_end;
	json_t *in, *got;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	smsc_wait_number(&t.serve, NULL, "delivers", "counters", "bound", 1,
	    WAIT);
	mo("delivers", "+14155550998", "+14155550122", "Anyone home?");
	in = wait_listed("+14155550122", "inbound", WAIT);
	gwt_assert_str(in, "status", "received");
	gwt_assert_str(in, "body", "Anyone home?");
	gwt_assert_str(in, "from", "+14155550998");
	/* The carrier's receipt of the deliver_sm was acknowledged. */
	smsc_wait_number(&t.serve, NULL, "delivers", "outbox", "pending", 0,
	    WAIT);
	quiet_end = test_now_ms() + QUIET_MS / 3;
	do {
		got = gwt_received(&t, NULL, NULL, NULL);
		ck_assert_msg(json_array_size(got) == 0, "the receiver was "
		    "called for a number without a webhook");
		json_decref(got);
		gwt_poll_pause();
	} while (test_now_ms() < quiet_end);
	gwt_stop(&t);
	gwt_end(&t);
	json_decref(in);
}
END_TEST

/* ---- kill -9 and restart ----
 *
 * The carrier "slow" answers each submit_sm after 2 s, so the kill comes
 * while every submit is in flight: the gateway must have stored each
 * message before its 201, and after the restart submit again what was
 * never answered. (A carrier may lose what it accepted in its last second
 * before a kill -9, docs/smsc.md; a message it accepted and then forgot
 * would stay "sent", as a Twilio message without a receipt does.)
 */

#define NKILL	20

START_TEST(test_kill9_restart)
{
	char to[32], sids[NKILL][40];
	json_t *m, *f, *got;
	size_t i;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	for (i = 0; i < NKILL; i++) {
		snprintf(to, sizeof to, "+131255501%02zu", i);
		m = create(to, "survive this", NULL, NULL);
		snprintf(sids[i], sizeof sids[i], "%s", gwt_str(m, "sid"));
		json_decref(m);
	}
	gwt_kill(&t);
	gwt_serve_again(&t, NULL);
	for (i = 0; i < NKILL; i++) {
		f = gwt_wait_status(&t, sids[i], "delivered", WAIT);
		json_decref(f);
	}
	/* Every message's final callback arrives (perhaps twice: a callback
	 * sent but not yet marked done when the process died goes again). */
	for (i = 0; i < NKILL; i++) {
		got = gwt_wait_callback(&t, "/status", sids[i], "delivered",
		    WAIT);
		json_decref(got);
	}
	gwt_stop(&t);
	gwt_assert_signed(&t);
	gwt_end(&t);
}
END_TEST

/* ---- API errors and SIGTERM ---- */

static void
expect_error(const char *form, int http, int code)
{
	json_t *body = NULL;
	char more[64];
	int got = gwt_api(&t, "POST", MESSAGES, form, &body);

	ck_assert_msg(got == http, "POST %s: %d, not %d", form, got, http);
	ck_assert_msg(json_integer_value(json_object_get(body, "code")) ==
	    code, "POST %s: code %lld, not %d", form, (long long)
	    json_integer_value(json_object_get(body, "code")), code);
	ck_assert_int_eq(json_integer_value(json_object_get(body, "status")),
	    http);
	ck_assert_msg(json_is_string(json_object_get(body, "message")),
	    "no message");
	snprintf(more, sizeof more, "https://www.twilio.com/docs/errors/%d",
	    code);
	gwt_assert_str(body, "more_info", more);
	json_decref(body);
}

START_TEST(test_create_errors)
{
	json_t *body = NULL;
	int code;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	expect_error("To=not-a-number&From=%2B14155550100&Body=x", 400, 21211);
	expect_error("From=%2B14155550100&Body=x", 400, 21604);
	expect_error("To=%2B14155550149&Body=x", 400, 21603);
	expect_error("To=%2B14155550149&From=%2B14155550100", 400, 21602);
	expect_error("To=%2B14155550149&From=%2B14155559876&Body=x", 400,
	    21606);
	code = gwt_api_as(&t, ACCOUNT, "wrong", "POST", MESSAGES,
	    "To=%2B14155550149&From=%2B14155550100&Body=x", &body);
	ck_assert_int_eq(code, 401);
	ck_assert_int_eq(json_integer_value(json_object_get(body, "code")),
	    20003);
	json_decref(body);
	code = gwt_api_as(&t, NULL, NULL, "GET", MESSAGES, NULL, &body);
	ck_assert_int_eq(code, 401);
	json_decref(body);
	gwt_stop(&t);
	gwt_end(&t);
}
END_TEST

/* SIGTERM while messages are on their way: exit 0, and a restart on the
 * same files still knows every message. */
START_TEST(test_sigterm)
{
	json_t *m, *f;

	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, OUTCOMES, NULL);
	m = create("+13125550150", "stop, please", NULL, NULL);
	gwt_stop(&t);
	gwt_serve_again(&t, NULL);
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	gwt_stop(&t);
	gwt_assert_signed(&t);
	gwt_end(&t);
	json_decref(m);
	json_decref(f);
}
END_TEST

static Suite *
serve_suite(void)
{
	Suite *s = suite_create("serve");

	tcase_add_test(smsc_tcase(s, "delivered", TCASE_TIMEOUT),
	    test_delivered);
	tcase_add_test(smsc_tcase(s, "delivered_service", TCASE_TIMEOUT),
	    test_delivered_service);
	tcase_add_test(smsc_tcase(s, "long_message", TCASE_TIMEOUT),
	    test_long_message);
	tcase_add_test(smsc_tcase(s, "undelivered", TCASE_TIMEOUT),
	    test_undelivered);
	tcase_add_test(smsc_tcase(s, "failed_submit", TCASE_TIMEOUT),
	    test_failed_submit);
	tcase_add_test(smsc_tcase(s, "expired", TCASE_TIMEOUT),
	    test_expired);
	tcase_add_test(smsc_tcase(s, "carrier_down_then_up", TCASE_TIMEOUT),
	    test_carrier_down_then_up);
	tcase_add_test(smsc_tcase(s, "callback_retried", TCASE_TIMEOUT),
	    test_callback_retried);
	tcase_add_test(smsc_tcase(s, "inbound_webhook", TCASE_TIMEOUT),
	    test_inbound_webhook);
	tcase_add_test(smsc_tcase(s, "inbound_no_webhook", TCASE_TIMEOUT),
	    test_inbound_no_webhook);
	tcase_add_test(smsc_tcase(s, "kill9_restart", TCASE_TIMEOUT),
	    test_kill9_restart);
	tcase_add_test(smsc_tcase(s, "create_errors", TCASE_TIMEOUT),
	    test_create_errors);
	tcase_add_test(smsc_tcase(s, "sigterm", TCASE_TIMEOUT), test_sigterm);
	return s;
}

int
main(void)
{
	return gwt_suite_run(serve_suite());
}
