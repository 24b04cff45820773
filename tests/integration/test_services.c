/*
 * Messaging Services end to end: the real `carrierlab serve` on
 * tests/scenarios/serve-services.json, driven through the Twilio API, the
 * v1 Services and Alerts resources and /sim/, with status callbacks and
 * inbound webhooks going to tests/integration/webhook-receiver.py.
 *
 * The scenario's carriers make each selection step visible from outside:
 * us-short takes only short codes and us-long only long codes (both +1),
 * us-nyc is the only carrier of four New York area codes and takes no
 * short codes, intl serves GB, DE and IN and takes alpha senders. Which
 * sender a message went from is read from its resource; why, from the
 * trace of /sim/messages/{sid} ("sender_selection"), whose lines begin
 * with the step's name. The tests check that prefix and the numbers in a
 * line, never the wording, which is the pipeline's to change.
 *
 * One test per feature (short code priority, reroute and area code,
 * country geomatch, alpha with its pre-registration alert, sticky sender,
 * geomatch remapping sticky mappings, fallback to long code, incoming
 * handling), then their interplay over two separate runs: the same seed
 * and the same creates give the same senders.
 *
 * Each message is waited for (delivered) before the next is created, so
 * no sender is busy when the next choice is made and the choices depend
 * on the seed and the sequence only. Waits poll against deadlines
 * (gwtest.h); the only waits that must see nothing happen are bounded
 * (QUIET_MS).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "tests/integration/gwtest.h"

#define ACCOUNT		"AC0123456789abcdef0123456789abcdef"
#define TOKEN		"e2e-token-Zq9"
#define POOL		"MG00000000000000000000000000000001"
#define DROPS		"MG00000000000000000000000000000002"
#define INBOUND		"MG00000000000000000000000000000003"
#define ON_NUMBER	"MG00000000000000000000000000000004"
#define ACCOUNTS	"/2010-04-01/Accounts/" ACCOUNT
#define MESSAGES	ACCOUNTS "/Messages.json"
#define SCENARIO	"serve-services.json"
#define WAIT		GWT_WAIT_MS
#define QUIET_MS	500
#define TCASE_TIMEOUT	120

/* The senders of the scenario. */
#define SHORT_CODE	"55555"
#define SF		"+14155550100"
#define NYC_212		"+12125550100"
#define NYC_646		"+16465550100"
#define CHICAGO_DROPS	"+13125550100"
#define CHICAGO_SVC	"+13125550111"
#define CHICAGO_NUMBER	"+13125550122"
#define LONDON		"+447700900100"
#define ALPHA		"ACME"
/* us-short answers UNDELIV err 001 (30005) for this recipient. */
#define UNDELIV_TO	"+14155550199"
#define UNDELIV_CODE	30005

static struct gwt t;

/* ---- messages ---- */

/*
 * A message of the pool service to `to` (no From: the pipeline chooses),
 * waited for until delivered; its final resource (a new reference).
 */
static json_t *
send_pool(const char *to)
{
	char *form = gwt_form("To", to, "MessagingServiceSid", POOL, "Body",
	    "from the pool", (char *)NULL);
	json_t *m = gwt_create(&t, form), *f;

	free(form);
	gwt_assert_str(m, "status", "accepted");
	gwt_assert_str(m, "messaging_service_sid", POOL);
	/* A message that falls back is undelivered for a moment, which
	 * gwt_wait_status() would take for its end: its delivered callback
	 * comes once it is delivered. */
	if (strcmp(to, UNDELIV_TO) == 0)
		json_decref(gwt_wait_callback(&t, "/pool-status",
		    gwt_str(m, "sid"), "delivered", WAIT));
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	json_decref(m);
	return f;
}

/* The same, and its From must be want. */
static json_t *
send_from(const char *to, const char *want)
{
	json_t *f = send_pool(to);

	ck_assert_msg(gwt_str_is(f, "from", want), "message %s to %s went "
	    "from %s, not %s", gwt_str(f, "sid"), to, gwt_str(f, "from") !=
	    NULL ? gwt_str(f, "from") : "null", want);
	return f;
}

/* ---- the selection trace (/sim/messages/{sid}) ---- */

/* GET /sim/messages/{sid}: 200 and the whole answer (a new reference). */
static json_t *
sim_message(const char *sid)
{
	char path[96];

	snprintf(path, sizeof path, "/sim/messages/%s", sid);
	return smsc_get_ok(&t.serve, path);
}

/* The trace joined for failure messages. */
static void
trace_text(json_t *lines, char *out, size_t len)
{
	json_t *l;
	size_t i;

	out[0] = '\0';
	json_array_foreach(lines, i, l) {
		strncat(out, " | ", len - strlen(out) - 1);
		strncat(out, json_string_value(l) != NULL ?
		    json_string_value(l) : "(not a string)",
		    len - strlen(out) - 1);
	}
}

/* The sender_selection lines of the message (a new reference). */
static json_t *
selection(const char *sid)
{
	json_t *o = sim_message(sid), *lines = json_object_get(o,
	    "sender_selection"), *l;
	size_t i;

	ck_assert_msg(json_is_array(lines) && json_array_size(lines) > 0,
	    "/sim/messages/%s has no sender_selection lines", sid);
	json_array_foreach(lines, i, l)
		ck_assert_msg(json_is_string(l), "/sim/messages/%s: "
		    "sender_selection[%zu] is not a string", sid, i);
	json_incref(lines);
	json_decref(o);
	return lines;
}

/*
 * The trace of message sid has a line beginning with prefix that
 * contains every string of the NULL-terminated list that follows.
 */
static void
expect_line(const char *sid, const char *prefix, ...)
{
	json_t *lines = selection(sid), *l;
	char all[2048];
	const char *want;
	va_list ap;
	size_t i;
	int ok = 0;

	trace_text(lines, all, sizeof all);
	json_array_foreach(lines, i, l) {
		if (strncmp(json_string_value(l), prefix, strlen(prefix)) != 0)
			continue;
		ok = 1;
		va_start(ap, prefix);
		while ((want = va_arg(ap, const char *)) != NULL)
			if (strstr(json_string_value(l), want) == NULL)
				ok = 0;
		va_end(ap);
		if (ok)
			break;
	}
	ck_assert_msg(ok, "message %s: no \"%s\" line with the expected "
	    "numbers in its selection:%s", sid, prefix, all);
	json_decref(lines);
}

/* Whether the trace has a line beginning with prefix (and containing
 * what, unless NULL). */
static int
trace_has(json_t *lines, const char *prefix, const char *what)
{
	json_t *l;
	size_t i;

	json_array_foreach(lines, i, l)
		if (strncmp(json_string_value(l), prefix, strlen(prefix)) ==
		    0 && (what == NULL || strstr(json_string_value(l), what) !=
		    NULL))
			return 1;
	return 0;
}

/*
 * The sticky mapping decided: a "sticky:" line names the sender, and the
 * pipeline stopped there (the live mapping wins, so no later step ran:
 * no "scaler:" line).
 */
static void
expect_sticky_hit(const char *sid, const char *sender)
{
	json_t *lines = selection(sid);
	char all[2048];

	trace_text(lines, all, sizeof all);
	ck_assert_msg(trace_has(lines, "sticky:", sender) &&
	    !trace_has(lines, "scaler:", NULL), "message %s: not sent from "
	    "its sticky mapping to %s:%s", sid, sender, all);
	json_decref(lines);
}

/* A new choice: no live mapping decided, the pipeline ran to the
 * scaler. */
static void
expect_new_choice(const char *sid)
{
	json_t *lines = selection(sid);
	char all[2048];

	trace_text(lines, all, sizeof all);
	ck_assert_msg(trace_has(lines, "scaler:", NULL), "message %s: not a "
	    "new choice (no \"scaler:\" line):%s", sid, all);
	json_decref(lines);
}

/* ---- the pool through /v1/Services/{MG}/PhoneNumbers ---- */

/* The PN sid of one of the account's numbers (IncomingPhoneNumbers). */
static void
number_sid(const char *number, char *sid, size_t len)
{
	json_t *body = NULL, *n;
	size_t i;
	int code;

	code = gwt_api(&t, "GET", ACCOUNTS "/IncomingPhoneNumbers.json?"
	    "PageSize=1000", NULL, &body);
	ck_assert_msg(code == 200, "GET IncomingPhoneNumbers.json: %d", code);
	sid[0] = '\0';
	json_array_foreach(json_object_get(body, "incoming_phone_numbers"),
	    i, n)
		if (gwt_str(n, "phone_number") != NULL &&
		    strcmp(gwt_str(n, "phone_number"), number) == 0)
			snprintf(sid, len, "%s", gwt_str(n, "sid"));
	json_decref(body);
	ck_assert_msg(strncmp(sid, "PN", 2) == 0, "%s is not listed by "
	    "IncomingPhoneNumbers.json", number);
}

static void
pool_add(const char *number)
{
	char sid[40], path[128], *form;
	json_t *body = NULL;
	int code;

	number_sid(number, sid, sizeof sid);
	snprintf(path, sizeof path, "/v1/Services/%s/PhoneNumbers", POOL);
	form = gwt_form("PhoneNumberSid", sid, (char *)NULL);
	code = gwt_api(&t, "POST", path, form, &body);
	free(form);
	ck_assert_msg(code == 201, "POST %s PhoneNumberSid=%s (%s): %d", path,
	    sid, number, code);
	gwt_assert_str(body, "sid", sid);
	gwt_assert_str(body, "phone_number", number);
	json_decref(body);
}

static void
pool_remove(const char *number)
{
	char sid[40], path[160];
	int code;

	number_sid(number, sid, sizeof sid);
	snprintf(path, sizeof path, "/v1/Services/%s/PhoneNumbers/%s", POOL,
	    sid);
	code = gwt_api(&t, "DELETE", path, NULL, NULL);
	ck_assert_msg(code == 204, "DELETE %s (%s): %d", path, number, code);
}

static void
start(void)
{
	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, SCENARIO, NULL);
}

static int
is_one_of(const char *s, const char *a, const char *b)
{
	return s != NULL && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

/* ---- 1. short code priority ---- */

/* A US recipient whose carrier takes short codes gets the pool's US short
 * code over its long codes, even the one in the recipient's area code. */
START_TEST(test_short_code_priority)
{
	json_t *f;

	start();
	f = send_from("+14155550111", SHORT_CODE);
	expect_line(gwt_str(f, "sid"), "short code:", (char *)NULL);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 2. short code reroute, area code and overlay ---- */

/*
 * New York is us-nyc's alone, and us-nyc takes no short codes: the short
 * code is passed over for a long code, the one of the recipient's area
 * code; a 917 recipient (no 917 number in the pool) gets a number of an
 * overlay of 917.
 */
START_TEST(test_reroute_area_code)
{
	char npa[4];
	json_t *f;

	start();
	f = send_from("+12125550111", NYC_212);
	expect_line(gwt_str(f, "sid"), "short code:", (char *)NULL);
	expect_line(gwt_str(f, "sid"), "area code:", "212", (char *)NULL);
	json_decref(f);

	f = send_pool("+19175550111");
	ck_assert_msg(is_one_of(gwt_str(f, "from"), NYC_212, NYC_646), "a 917 "
	    "recipient got %s, not the 212 or 646 overlay", gwt_str(f, "from"));
	expect_line(gwt_str(f, "sid"), "short code:", (char *)NULL);
	snprintf(npa, sizeof npa, "%.3s", gwt_str(f, "from") + 2);
	expect_line(gwt_str(f, "sid"), "area code:", "917", npa, (char *)NULL);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 3. country geomatch ---- */

/* A GB recipient gets the GB number once it is in the pool; a DE one, with
 * no DE number, one of the US long codes. */
START_TEST(test_country_geomatch)
{
	const char *from;
	json_t *f;

	start();
	pool_add(LONDON);
	f = send_from("+447700900555", LONDON);
	expect_line(gwt_str(f, "sid"), "country:", (char *)NULL);
	json_decref(f);

	f = send_pool("+4930555010");
	from = gwt_str(f, "from");
	ck_assert_msg(from != NULL && (strcmp(from, SF) == 0 ||
	    strcmp(from, NYC_212) == 0 || strcmp(from, NYC_646) == 0),
	    "a DE recipient got %s, not a US long code of the pool",
	    from != NULL ? from : "null");
	expect_line(gwt_str(f, "sid"), "country:", (char *)NULL);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 4. alpha sender and the pre-registration alert ---- */

/* The alert of message sid in /v1/Alerts' list at index i. */
static void
expect_alert(json_t *alerts, size_t i, const char *sid)
{
	json_t *a = json_array_get(alerts, i);

	ck_assert_msg(a != NULL, "no alert %zu of %zu", i,
	    json_array_size(alerts));
	gwt_assert_str(a, "resource_sid", sid);
	gwt_assert_str(a, "error_code", "30018");
	gwt_assert_str(a, "log_level", "warning");
	gwt_assert_str(a, "account_sid", ACCOUNT);
	ck_assert_msg(gwt_str(a, "sid") != NULL && strncmp(gwt_str(a, "sid"),
	    "NO", 2) == 0, "alert sid %s", gwt_str(a, "sid"));
}

/*
 * India takes alpha senders only pre-registered (the scenario's
 * countries): the destination alpha sender for IN wins, the message is
 * still sent and delivered, and each message leaves a 30018 warning in
 * /v1/Alerts, newest first.
 */
START_TEST(test_alpha_alert)
{
	json_t *f1, *f2, *body = NULL, *alerts;
	int code;

	start();
	f1 = send_from("+919876543210", ALPHA);
	expect_line(gwt_str(f1, "sid"), "alpha:", ALPHA, (char *)NULL);
	f2 = send_from("+919876543211", ALPHA);
	code = gwt_api(&t, "GET", "/v1/Alerts", NULL, &body);
	ck_assert_msg(code == 200, "GET /v1/Alerts: %d", code);
	ck_assert_msg(json_is_object(json_object_get(body, "meta")),
	    "/v1/Alerts has no meta");
	alerts = json_object_get(body, "alerts");
	ck_assert_msg(json_is_array(alerts) && json_array_size(alerts) == 2,
	    "/v1/Alerts lists %zu alerts, not 2", json_array_size(alerts));
	expect_alert(alerts, 0, gwt_str(f2, "sid"));
	expect_alert(alerts, 1, gwt_str(f1, "sid"));
	json_decref(body);
	json_decref(f1);
	json_decref(f2);
	gwt_end(&t);
}
END_TEST

/* ---- 5. sticky sender ---- */

/*
 * A recipient keeps its sender: the rerouted 212 long code of a New York
 * recipient, the short code of a San Francisco one, across a restart
 * too. Removing the 212 number from the pool drops the mappings to it:
 * the New York recipient gets a new choice (the 646 overlay), which then
 * sticks, while the other mapping stays. Adding a number of a country the
 * pool already has (the 212 number again) keeps the mappings; and a
 * number removed and added back has lost its mappings for good.
 */
START_TEST(test_sticky)
{
	json_t *f;

	start();
	f = send_from("+12125550122", NYC_212);
	expect_new_choice(gwt_str(f, "sid"));
	json_decref(f);
	f = send_from("+14155550122", SHORT_CODE);
	json_decref(f);
	f = send_from("+12125550122", NYC_212);
	expect_sticky_hit(gwt_str(f, "sid"), NYC_212);
	json_decref(f);

	gwt_stop(&t);
	gwt_serve_again(&t, NULL);
	f = send_from("+14155550122", SHORT_CODE);
	expect_sticky_hit(gwt_str(f, "sid"), SHORT_CODE);
	json_decref(f);

	pool_remove(NYC_212);
	f = send_from("+12125550122", NYC_646);
	expect_new_choice(gwt_str(f, "sid"));
	expect_line(gwt_str(f, "sid"), "area code:", "212", "646",
	    (char *)NULL);
	json_decref(f);
	f = send_from("+12125550122", NYC_646);
	expect_sticky_hit(gwt_str(f, "sid"), NYC_646);
	json_decref(f);

	pool_add(NYC_212);
	f = send_from("+12125550122", NYC_646);
	expect_sticky_hit(gwt_str(f, "sid"), NYC_646);
	json_decref(f);
	f = send_from("+12125550133", NYC_212);
	json_decref(f);
	pool_remove(NYC_212);
	pool_add(NYC_212);
	f = send_from("+12125550133", NYC_212);
	expect_new_choice(gwt_str(f, "sid"));
	json_decref(f);
	f = send_from("+14155550122", SHORT_CODE);
	expect_sticky_hit(gwt_str(f, "sid"), SHORT_CODE);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 6. geomatch and sticky mappings ---- */

/*
 * With no GB number, a GB recipient is mapped to a US long code, and
 * keeps it. A GB number added to the pool (a country no pool number had)
 * drops the GB mappings: the next message goes from the GB number, and
 * stays with it. A DE recipient's mapping is not touched.
 */
START_TEST(test_geomatch_remaps_sticky)
{
	char us[32], de[32];
	json_t *f;

	start();
	f = send_pool("+447700900666");
	snprintf(us, sizeof us, "%s", gwt_str(f, "from"));
	ck_assert_msg(strcmp(us, SF) == 0 || strcmp(us, NYC_212) == 0 ||
	    strcmp(us, NYC_646) == 0, "a GB recipient with no GB number in "
	    "the pool got %s, not a US long code", us);
	expect_line(gwt_str(f, "sid"), "country:", (char *)NULL);
	json_decref(f);
	f = send_pool("+4930555066");
	snprintf(de, sizeof de, "%s", gwt_str(f, "from"));
	json_decref(f);
	f = send_from("+447700900666", us);
	expect_sticky_hit(gwt_str(f, "sid"), us);
	json_decref(f);

	pool_add(LONDON);
	f = send_from("+447700900666", LONDON);
	expect_new_choice(gwt_str(f, "sid"));
	expect_line(gwt_str(f, "sid"), "country:", (char *)NULL);
	json_decref(f);
	f = send_from("+447700900666", LONDON);
	expect_sticky_hit(gwt_str(f, "sid"), LONDON);
	json_decref(f);
	f = send_from("+4930555066", de);
	expect_sticky_hit(gwt_str(f, "sid"), de);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 7. fallback to long code ---- */

/* The events of /sim/messages/{sid} with this status. */
static size_t
count_events(json_t *events, const char *status, int error_code)
{
	json_t *ev;
	size_t i, n = 0;

	json_array_foreach(events, i, ev)
		if (gwt_str_is(ev, "status", status) &&
		    (error_code == 0 || json_integer_value(
		    json_object_get(ev, "error_code")) == error_code))
			n++;
	return n;
}

/*
 * The callbacks of the message at the pool's status_callback: exactly
 * want (NULL-terminated) in that order, the first `attempt1` of them from
 * the short code and the rest from the long code, the undelivered one
 * with the carrier's code.
 */
static void
expect_fallback_callbacks(const char *sid, const char *const *want,
    size_t attempt1)
{
	json_t *got, *r;
	char list[256] = "", code[16];
	const char *status, *from, *v;
	size_t i, n = 0;

	while (want[n] != NULL)
		n++;
	got = gwt_wait_received(&t, "/pool-status", "MessageSid", sid, n,
	    WAIT);
	json_array_foreach(got, i, r) {
		strncat(list, " ", sizeof list - strlen(list) - 1);
		v = gwt_param(r, "MessageStatus");
		strncat(list, v != NULL ? v : "?", sizeof list -
		    strlen(list) - 1);
	}
	ck_assert_msg(json_array_size(got) == n, "%s: %zu callbacks (%s), "
	    "expected %zu", sid, json_array_size(got), list, n);
	snprintf(code, sizeof code, "%d", UNDELIV_CODE);
	json_array_foreach(got, i, r) {
		status = gwt_param(r, "MessageStatus");
		from = gwt_param(r, "From");
		ck_assert_msg(status != NULL && strcmp(status, want[i]) == 0,
		    "%s: callbacks in the order%s", sid, list);
		ck_assert_msg(from != NULL && strcmp(from, i < attempt1 ?
		    SHORT_CODE : SF) == 0, "%s: the %s callback (%zu) is "
		    "from %s, not %s", sid, status, i, from != NULL ? from :
		    "nobody", i < attempt1 ? SHORT_CODE : SF);
		ck_assert_str_eq(gwt_param(r, "MessagingServiceSid"), POOL);
		ck_assert_str_eq(gwt_param(r, "To"), UNDELIV_TO);
		if (strcmp(status, "undelivered") == 0) {
			v = gwt_param(r, "ErrorCode");
			ck_assert_msg(v != NULL && strcmp(v, code) == 0,
			    "%s: undelivered callback's ErrorCode %s, not %s",
			    sid, v != NULL ? v : "missing", code);
		}
	}
	json_decref(got);
}

/*
 * us-short undelivers the short code's message (err 001: 30005, on the
 * default fallback list): the service sends it again from a long code
 * through us-long, and it ends delivered from the long code. Both
 * attempts show in the callbacks, in order, and in /sim/.
 */
START_TEST(test_fallback_to_long_code)
{
	static const char *const want[] = { "queued", "sending", "sent",
	    "undelivered", "queued", "sending", "sent", "delivered", NULL };
	json_t *f, *o, *events;
	const char *sid;

	start();
	f = send_from(UNDELIV_TO, SF);
	sid = gwt_str(f, "sid");
	expect_line(sid, "fallback:", (char *)NULL);
	o = sim_message(sid);
	events = json_object_get(o, "events");
	ck_assert_msg(count_events(events, "undelivered", UNDELIV_CODE) == 1,
	    "%s: %zu undelivered events with %d, not 1", sid,
	    count_events(events, "undelivered", UNDELIV_CODE), UNDELIV_CODE);
	ck_assert_msg(count_events(events, "sent", 0) == 2, "%s: %zu sent "
	    "events, not one per attempt", sid, count_events(events, "sent",
	    0));
	ck_assert_msg(count_events(events, "delivered", 0) == 1, "%s: %zu "
	    "delivered events", sid, count_events(events, "delivered", 0));
	json_decref(o);
	expect_fallback_callbacks(sid, want, 4);
	/* Nothing more comes once serve has stopped. */
	gwt_stop(&t);
	expect_fallback_callbacks(sid, want, 4);
	gwt_assert_signed(&t);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 8. incoming ---- */

static void
mo(const char *from, const char *to, const char *body)
{
	json_t *req = json_pack("{s:s,s:s,s:s}", "from", from, "to", to,
	    "body", body), *answer = NULL;
	int code;

	code = smsc_http_post(&t.serve, "/sim/carriers/us-long/mo", req,
	    &answer);
	ck_assert_msg(code == 202, "POST /sim/carriers/us-long/mo: %d", code);
	json_decref(req);
	json_decref(answer);
}

/* How many messages the list filtered by To holds. */
static size_t
listed_to(const char *to)
{
	char *q = gwt_form("To", to, "PageSize", "50", (char *)NULL);
	char path[256];
	json_t *body = NULL;
	size_t n;
	int code;

	snprintf(path, sizeof path, "%s?%s", MESSAGES, q);
	free(q);
	code = gwt_api(&t, "GET", path, NULL, &body);
	ck_assert_msg(code == 200, "GET %s: %d", path, code);
	ck_assert_msg(json_is_array(json_object_get(body, "messages")),
	    "GET %s: no messages array", path);
	n = json_array_size(json_object_get(body, "messages"));
	json_decref(body);
	return n;
}

static void
expect_inbound(json_t *r, const char *from, const char *to,
    const char *body, const char *service)
{
	ck_assert_str_eq(gwt_str(r, "method"), "POST");
	ck_assert_str_eq(gwt_param(r, "From"), from);
	ck_assert_str_eq(gwt_param(r, "To"), to);
	ck_assert_str_eq(gwt_param(r, "Body"), body);
	ck_assert_str_eq(gwt_param(r, "AccountSid"), ACCOUNT);
	ck_assert_str_eq(gwt_param(r, "SmsStatus"), "received");
	ck_assert_str_eq(gwt_param(r, "MessagingServiceSid"), service);
}

/*
 * Three pool numbers: of a service without inbound_request_url (dropped:
 * not stored, nobody called, not even the number's own sms_url); of a
 * service with one (posted there, stored); of a service that defers to
 * the number's sms_url (posted there, not to the service's URL).
 */
START_TEST(test_incoming)
{
	double quiet_end;
	json_t *got, *in;

	start();
	smsc_wait_number(&t.serve, NULL, "us-long", "counters", "bound", 1,
	    WAIT);
	mo("+14155550901", CHICAGO_DROPS, "nobody hears this");
	mo("+14155550902", CHICAGO_SVC, "to the service");
	mo("+14155550903", CHICAGO_NUMBER, "to the number");

	got = gwt_wait_received(&t, "/service-inbound", NULL, NULL, 1, WAIT);
	expect_inbound(json_array_get(got, 0), "+14155550902", CHICAGO_SVC,
	    "to the service", INBOUND);
	in = gwt_fetch(&t, gwt_param(json_array_get(got, 0), "MessageSid"));
	gwt_assert_str(in, "direction", "inbound");
	gwt_assert_str(in, "messaging_service_sid", INBOUND);
	json_decref(in);
	json_decref(got);
	got = gwt_wait_received(&t, "/number-sms", NULL, NULL, 1, WAIT);
	expect_inbound(json_array_get(got, 0), "+14155550903",
	    CHICAGO_NUMBER, "to the number", ON_NUMBER);
	json_decref(got);

	/* Every MO was acknowledged to the carrier: the gateway has handled
	 * the dropped one too. */
	smsc_wait_number(&t.serve, NULL, "us-long", "outbox", "pending", 0,
	    WAIT);
	quiet_end = test_now_ms() + QUIET_MS;
	do {
		got = gwt_received(&t, NULL, NULL, NULL);
		ck_assert_msg(json_array_size(got) == 2, "%zu webhook "
		    "requests, not 2: the dropped message or the service's "
		    "unused URL was called", json_array_size(got));
		json_decref(got);
		ck_assert_msg(listed_to(CHICAGO_DROPS) == 0, "the message "
		    "to %s (service %s, no inbound_request_url) was stored",
		    CHICAGO_DROPS, DROPS);
		gwt_poll_pause();
	} while (test_now_ms() < quiet_end);
	ck_assert_msg(listed_to(CHICAGO_SVC) == 1, "the message to %s is "
	    "not listed", CHICAGO_SVC);
	gwt_stop(&t);
	gwt_assert_signed(&t);
	gwt_end(&t);
}
END_TEST

/* ---- 8b. Advanced Opt-Out through the carrier ---- */

/* The reply the handset got: the outbound-reply to it, delivered. */
static void
expect_reply(const char *handset, const char *text)
{
	char *q = gwt_form("To", handset, "PageSize", "50", (char *)NULL);
	char path[256];
	json_t *body = NULL, *list, *m, *f;
	int64_t deadline = test_now_ms() + WAIT;
	size_t i;
	const char *sid = NULL;

	snprintf(path, sizeof path, "%s?%s", MESSAGES, q);
	free(q);
	for (;;) {
		ck_assert_int_eq(gwt_api(&t, "GET", path, NULL, &body), 200);
		list = json_object_get(body, "messages");
		for (i = 0; sid == NULL && i < json_array_size(list); i++) {
			m = json_array_get(list, i);
			if (strcmp(gwt_str(m, "direction"), "outbound-reply") ==
			    0 && strstr(gwt_str(m, "body"), text) != NULL)
				sid = gwt_str(m, "sid");
		}
		if (sid != NULL || test_now_ms() > deadline)
			break;
		json_decref(body);
		gwt_poll_pause();
	}
	ck_assert_msg(sid != NULL, "no reply \"%s\" to %s", text, handset);
	/* Delivered: the carrier took the submit_sm and receipted it. */
	f = gwt_wait_status(&t, sid, "delivered", WAIT);
	gwt_assert_str(f, "from", CHICAGO_SVC);
	json_decref(f);
	json_decref(body);
}

/* The create's error code (400 expected). */
static int
create_code(const char *from, const char *to)
{
	char *form = gwt_form("To", to, "From", from, "Body", "hello",
	    (char *)NULL);
	json_t *body = NULL;
	int code, status;

	status = gwt_api(&t, "POST", MESSAGES, form, &body);
	free(form);
	if (status == 201) {
		json_decref(body);
		return 0;
	}
	ck_assert_int_eq(status, 400);
	code = (int)json_integer_value(json_object_get(body, "code"));
	json_decref(body);
	return code;
}

/*
 * STOP from a handset: the webhook still gets it (OptOutType=STOP), the
 * handset gets Twilio's confirmation through the carrier, and creates to
 * it fail with 21610; HELP is answered; START lifts it. A custom French
 * keyword gets the French reply.
 */
START_TEST(test_opt_out)
{
	json_t *got;

	start();
	smsc_wait_number(&t.serve, NULL, "us-long", "counters", "bound", 1,
	    WAIT);
	mo("+14155550904", CHICAGO_SVC, "Stop");
	got = gwt_wait_received(&t, "/service-inbound", "OptOutType", "STOP",
	    1, WAIT);
	ck_assert_str_eq(gwt_param(json_array_get(got, 0), "Body"), "Stop");
	json_decref(got);
	expect_reply("+14155550904", "successfully been unsubscribed");
	ck_assert_int_eq(create_code(CHICAGO_SVC, "+14155550904"), 21610);
	mo("+14155550904", CHICAGO_SVC, "help");
	expect_reply("+14155550904", "Reply STOP to unsubscribe");
	ck_assert_int_eq(create_code(CHICAGO_SVC, "+14155550904"), 21610);
	mo("+14155550904", CHICAGO_SVC, "START");
	expect_reply("+14155550904", "re-subscribed");
	ck_assert_int_eq(create_code(CHICAGO_SVC, "+14155550904"), 0);
	/* The keyword's language picks the reply. */
	mo("+14155550905", CHICAGO_SVC, "arret");
	expect_reply("+14155550905", "Vous ne recevrez plus");
	ck_assert_int_eq(create_code(CHICAGO_SVC, "+14155550905"), 21610);
	gwt_stop(&t);
	gwt_assert_signed(&t);
	gwt_end(&t);
}
END_TEST

/* ---- 9. interplay: determinism across runs ---- */

/* Recipients whose choices the seed breaks ties for, mixed with every
 * step: DE (scaler over the US long codes), 917 (overlay 212 or 646),
 * short code, reroute, alpha, a sticky repeat and a fallback. */
static const char *const sequence[] = {
	"+4930555020", "+4930555021", "+4930555022", "+19175550120",
	"+19175550121", "+14155550120", "+12125550120", "+919876543220",
	"+4930555020", UNDELIV_TO, "+4930555023", "+19175550122",
};

#define NSEQUENCE	(sizeof sequence / sizeof sequence[0])

static void
run_sequence(char (*from)[32])
{
	json_t *f;
	size_t i;

	start();
	for (i = 0; i < NSEQUENCE; i++) {
		f = send_pool(sequence[i]);
		ck_assert_msg(gwt_str(f, "from") != NULL, "%s: no from",
		    sequence[i]);
		snprintf(from[i], sizeof from[i], "%s", gwt_str(f, "from"));
		json_decref(f);
	}
	gwt_end(&t);
}

START_TEST(test_determinism)
{
	char a[NSEQUENCE][32], b[NSEQUENCE][32];
	size_t i;

	run_sequence(a);
	run_sequence(b);
	for (i = 0; i < NSEQUENCE; i++)
		ck_assert_msg(strcmp(a[i], b[i]) == 0, "message %zu to %s: "
		    "from %s in the first run, %s in the second", i,
		    sequence[i], a[i], b[i]);
	/* With sticky sender the scaler takes the number with the fewest
	 * mappings: three new DE recipients, three different numbers. */
	ck_assert_msg(strcmp(a[0], a[1]) != 0 && strcmp(a[0], a[2]) != 0 &&
	    strcmp(a[1], a[2]) != 0, "three DE recipients got %s, %s, %s",
	    a[0], a[1], a[2]);
	ck_assert_msg(is_one_of(a[3], NYC_212, NYC_646) &&
	    is_one_of(a[4], NYC_212, NYC_646), "two 917 recipients got %s "
	    "and %s, not an overlay's numbers", a[3], a[4]);
	ck_assert_str_eq(a[5], SHORT_CODE);
	ck_assert_str_eq(a[6], NYC_212);
	ck_assert_str_eq(a[7], ALPHA);
	ck_assert_str_eq(a[8], a[0]);
	ck_assert_str_eq(a[9], SF);
}
END_TEST

static Suite *
services_suite(void)
{
	Suite *s = suite_create("services");

	tcase_add_test(smsc_tcase(s, "short_code_priority", TCASE_TIMEOUT),
	    test_short_code_priority);
	tcase_add_test(smsc_tcase(s, "reroute_area_code", TCASE_TIMEOUT),
	    test_reroute_area_code);
	tcase_add_test(smsc_tcase(s, "country_geomatch", TCASE_TIMEOUT),
	    test_country_geomatch);
	tcase_add_test(smsc_tcase(s, "alpha_alert", TCASE_TIMEOUT),
	    test_alpha_alert);
	tcase_add_test(smsc_tcase(s, "sticky", TCASE_TIMEOUT), test_sticky);
	tcase_add_test(smsc_tcase(s, "geomatch_remaps_sticky",
	    TCASE_TIMEOUT), test_geomatch_remaps_sticky);
	tcase_add_test(smsc_tcase(s, "fallback_to_long_code", TCASE_TIMEOUT),
	    test_fallback_to_long_code);
	tcase_add_test(smsc_tcase(s, "incoming", TCASE_TIMEOUT),
	    test_incoming);
	tcase_add_test(smsc_tcase(s, "opt_out", TCASE_TIMEOUT),
	    test_opt_out);
	tcase_add_test(smsc_tcase(s, "determinism", TCASE_TIMEOUT),
	    test_determinism);
	return s;
}

int
main(void)
{
	return gwt_suite_run(services_suite());
}
