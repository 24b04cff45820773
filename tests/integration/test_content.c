/*
 * A message's content end to end (issue 7): the real `carrierlab serve` on
 * tests/scenarios/serve-content.json, driven through the Twilio API and
 * /sim/, with click events going to tests/integration/webhook-receiver.py.
 *
 * The scenario has two carriers that make the content visible from
 * outside: mms-us (+1) takes MMS and keeps its URLs ("media" of
 * /sim/carriers/mms-us/messages/{id}), sms-gb (+44) takes none, so media
 * to it go through the MMS Converter. MG..01 has Smart Encoding and the
 * converter on and shortens links on links.test; MG..02 has both off.
 *
 * What the carrier got is read from the carrier's side: the message id
 * comes from the gateway's part (/sim/messages/{sid} parts[].smsc_id),
 * the carrier's record from /sim/carriers/{name}/messages/{id}, and its
 * text from the submit_sm captured on the carrier's binds. Redirects are
 * read with a plain socket, so that nothing follows them and the
 * Location header can be checked.
 *
 * Waits poll against deadlines (gwtest.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "tests/integration/gwtest.h"

#define ACCOUNT		"AC0123456789abcdef0123456789abcdef"
#define TOKEN		"e2e-token-Zq9"
#define CONTENT		"MG00000000000000000000000000000001"
#define PLAIN		"MG00000000000000000000000000000002"
#define MESSAGES	"/2010-04-01/Accounts/" ACCOUNT "/Messages.json"
#define SCENARIO	"serve-content.json"
#define DOMAIN		"links.test"
#define WAIT		GWT_WAIT_MS
#define TCASE_TIMEOUT	120

#define SENDER		"+14155550100"
#define US_TO		"+14155550123"
#define US_TO_ADDR	"14155550123"	/* destination_addr: no + */
#define GB_TO		"+447700900123"
#define MEDIA_URL	"https://media.example/cat.jpg"

static struct gwt t;

/* ---- JSON ---- */

static void
start(void)
{
	gwt_begin(&t, ACCOUNT, TOKEN);
	gwt_serve(&t, SCENARIO, NULL);
}

/* ---- messages ---- */

/* A create through service (NULL-terminated extra name, value pairs
 * after the body); the 201 resource. */
static json_t *
create(const char *service, const char *to, const char *body,
    const char *name, const char *value)
{
	char *form = gwt_form("To", to, "MessagingServiceSid", service,
	    "Body", body, name, value, (char *)NULL);
	json_t *m = gwt_create(&t, form);

	free(form);
	return m;
}

/* The same create must fail: 400 and its code. */
static int
create_error(const char *service, const char *to, const char *body,
    const char *name, const char *value)
{
	char *form = gwt_form("To", to, "MessagingServiceSid", service,
	    "Body", body, name, value, (char *)NULL);
	json_t *b = NULL;
	int status, code;

	status = gwt_api(&t, "POST", MESSAGES, form, &b);
	free(form);
	ck_assert_msg(status == 400, "POST Messages.json (%s to %s): %d, not "
	    "400", service, to, status);
	code = (int)json_integer_value(json_object_get(b, "code"));
	json_decref(b);
	return code;
}

/* Created, then delivered: the final resource. */
static json_t *
send_delivered(const char *service, const char *to, const char *body,
    const char *name, const char *value)
{
	json_t *m = create(service, to, body, name, value), *f;

	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	json_decref(m);
	return f;
}

/* ---- the carrier's side ---- */

/*
 * The carrier's record of message sid (one part): the route must be
 * carrier, its smsc_id the carrier's message id.
 */
static json_t *
carrier_message(const char *sid, const char *carrier)
{
	char path[160];
	json_t *o, *parts, *m;
	const char *id;

	snprintf(path, sizeof path, "/sim/messages/%s", sid);
	o = smsc_get_ok(&t.serve, path);
	ck_assert_msg(gwt_str_is(o, "route", carrier), "%s went by route %s, "
	    "not %s", sid, gwt_str(o, "route") != NULL ? gwt_str(o, "route") :
	    "null", carrier);
	parts = json_object_get(o, "parts");
	ck_assert_msg(json_array_size(parts) == 1, "%s has %zu parts, not 1",
	    sid, json_array_size(parts));
	id = gwt_str(json_array_get(parts, 0), "smsc_id");
	ck_assert_msg(id != NULL && id[0] != '\0', "%s: part 1 has no "
	    "smsc_id", sid);
	snprintf(path, sizeof path, "/sim/carriers/%s/messages/%s", carrier,
	    id);
	json_decref(o);
	m = smsc_get_ok(&t.serve, path);
	return m;
}

/* The sequence number of the submit_sm_resp that answered message_id
 * (-1: none among pdus). */
static json_int_t
answered_seq(json_t *pdus, const char *message_id)
{
	json_t *p, *pdu;
	size_t i;

	json_array_foreach(pdus, i, p) {
		pdu = json_object_get(p, "pdu");
		if (gwt_str_is(p, "dir", "out") &&
		    gwt_str_is(pdu, "command", "submit_sm_resp") &&
		    gwt_str_is(pdu, "message_id", message_id))
			return json_integer_value(json_object_get(pdu,
			    "sequence_number"));
	}
	return -1;
}

/*
 * The submit_sm the carrier answered with message_id, as captured on one
 * of its binds (a new reference to its decoded "pdu"), or NULL. The
 * carrier's "seq" is its own count, not the PDU's: the submit is the one
 * whose submit_sm_resp carries the id.
 */
static json_t *
carrier_submit(const char *carrier, const char *message_id)
{
	char path[160];
	json_t *binds, *b, *pdus, *p, *pdu, *found = NULL;
	json_int_t seq;
	size_t i, j;

	snprintf(path, sizeof path, "/sim/carriers/%s/binds", carrier);
	binds = smsc_get_ok(&t.serve, path);
	json_array_foreach(json_object_get(binds, "binds"), i, b) {
		snprintf(path, sizeof path, "/sim/carriers/%s/binds/%lld/pdus?"
		    "since=0&limit=10000", carrier, (long long)
		    json_integer_value(json_object_get(b, "id")));
		pdus = smsc_get_ok(&t.serve, path);
		seq = answered_seq(json_object_get(pdus, "pdus"), message_id);
		json_array_foreach(json_object_get(pdus, "pdus"), j, p) {
			pdu = json_object_get(p, "pdu");
			if (seq != -1 && found == NULL && gwt_str(p, "dir") !=
			    NULL && strcmp(gwt_str(p, "dir"), "in") == 0 &&
			    gwt_str(pdu, "command") != NULL &&
			    strcmp(gwt_str(pdu, "command"), "submit_sm") == 0 &&
			    json_integer_value(json_object_get(pdu,
			    "sequence_number")) == seq)
				found = json_incref(pdu);
		}
		json_decref(pdus);
	}
	json_decref(binds);
	return found;
}

/* ---- redirects, not followed ---- */

/*
 * GET path on the gateway's listener with this Host and User-Agent,
 * HTTP/1.0 over a plain socket: the status (-1: no answer) and the
 * Location header in location ("" when none).
 */
static int
raw_get(const char *path, const char *host, const char *agent,
    char *location, size_t len)
{
	struct sockaddr_in sa;
	struct timeval tv = { 10, 0 };
	char req[512], resp[8192], *p, *e;
	size_t got = 0;
	ssize_t n;
	int fd, status = -1;

	location[0] = '\0';
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(strrchr(t.serve.http, ':') +
	    1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0,
	    "connect %s", t.serve.http);
	n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n"
	    "User-Agent: %s\r\n\r\n", path, host, agent);
	ck_assert_msg(write(fd, req, (size_t)n) == n, "write %s", path);
	while (got < sizeof resp - 1 && (n = read(fd, resp + got,
	    sizeof resp - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	resp[got] = '\0';
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	for (p = strstr(resp, "\r\n"); p != NULL && p[2] != '\r';
	    p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, "Location:", 9) == 0) {
			p += 11;
			while (*p == ' ')
				p++;
			if ((e = strstr(p, "\r\n")) != NULL)
				snprintf(location, len, "%.*s", (int)(e - p),
				    p);
			break;
		}
	return status;
}

/* The redirect must be a 302 to want. */
static void
expect_redirect(const char *path, const char *host, const char *agent,
    const char *want)
{
	char location[512];
	int status;

	status = raw_get(path, host, agent, location, sizeof location);
	ck_assert_msg(status == 302, "GET %s (Host %s): %d, not 302", path,
	    host, status);
	ck_assert_msg(strcmp(location, want) == 0, "GET %s (Host %s): "
	    "Location \"%s\", not \"%s\"", path, host, location, want);
}

/* ---- 1. Smart Encoding ---- */

/* “Hello” — it’s here: curly quotes, an em dash, a curly apostrophe. */
#define SMART_BODY	"\xe2\x80\x9cHello\xe2\x80\x9d \xe2\x80\x94 " \
			"it\xe2\x80\x99s here"
#define SMART_SENT	"\"Hello\" - it's here"

/*
 * Through the service with smart_encoding on, the look-alikes are
 * replaced: one GSM-7 segment, the body as sent is ASCII, and the carrier
 * got data_coding 0 with that text. Through the service with it off, the
 * same body goes as UCS-2, unchanged.
 */
START_TEST(test_smart_encoding)
{
	json_t *m, *f, *cm, *pdu;

	start();
	m = create(CONTENT, US_TO, SMART_BODY, NULL, NULL);
	gwt_assert_str(m, "body", SMART_SENT);
	gwt_assert_str(m, "num_segments", "1");
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	gwt_assert_str(f, "body", SMART_SENT);
	gwt_assert_str(f, "num_segments", "1");
	cm = carrier_message(gwt_str(f, "sid"), "mms-us");
	ck_assert_int_eq(json_integer_value(json_object_get(cm,
	    "data_coding")), 0);
	gwt_assert_str(cm, "destination_addr", US_TO_ADDR);
	ck_assert_int_eq(json_array_size(json_object_get(cm, "media")), 0);
	pdu = carrier_submit("mms-us", gwt_str(cm, "message_id"));
	ck_assert_msg(pdu != NULL, "no submit_sm answered with message_id "
	    "%s captured on mms-us", gwt_str(cm, "message_id"));
	gwt_assert_str(pdu, "text", SMART_SENT);
	json_decref(pdu);
	json_decref(cm);
	json_decref(f);
	json_decref(m);

	f = send_delivered(PLAIN, US_TO, SMART_BODY, NULL, NULL);
	gwt_assert_str(f, "body", SMART_BODY);
	cm = carrier_message(gwt_str(f, "sid"), "mms-us");
	ck_assert_int_eq(json_integer_value(json_object_get(cm,
	    "data_coding")), 8);
	json_decref(cm);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 2. MMS to a carrier that takes it ---- */

/* An MMS to +1: delivered as MMS, one segment, the carrier keeps the
 * URL. */
START_TEST(test_mms)
{
	json_t *f, *cm, *media;

	start();
	f = send_delivered(CONTENT, US_TO, "a picture", "MediaUrl",
	    MEDIA_URL);
	gwt_assert_str(f, "body", "a picture");
	gwt_assert_str(f, "num_media", "1");
	gwt_assert_str(f, "num_segments", "1");
	cm = carrier_message(gwt_str(f, "sid"), "mms-us");
	media = json_object_get(cm, "media");
	ck_assert_msg(json_array_size(media) == 1 && strcmp(
	    json_string_value(json_array_get(media, 0)) != NULL ?
	    json_string_value(json_array_get(media, 0)) : "", MEDIA_URL) == 0,
	    "mms-us's message has %zu media, not [\"%s\"]",
	    json_array_size(media), MEDIA_URL);
	json_decref(cm);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

/* ---- 3. the MMS Converter ---- */

/* The body's last line must be http://127.0.0.1:PORT/m/ + 7 characters;
 * its path in path. */
static void
expect_media_link(const char *body, char *path, size_t len)
{
	char prefix[160];
	const char *link = strrchr(body, '\n');
	size_t i;

	snprintf(prefix, sizeof prefix, "http://%s/m/", t.serve.http);
	ck_assert_msg(link != NULL, "converted body \"%s\" has no link line",
	    body);
	link++;
	ck_assert_msg(strncmp(link, prefix, strlen(prefix)) == 0 &&
	    strlen(link) == strlen(prefix) + 7, "converted body ends with "
	    "\"%s\", not %s + 7 characters", link, prefix);
	for (i = strlen(prefix); link[i] != '\0'; i++)
		ck_assert_msg(isalnum((unsigned char)link[i]), "media link "
		    "%s: code is not alphanumeric", link);
	snprintf(path, len, "%s", link + strlen("http://") +
	    strlen(t.serve.http));
}

/*
 * Media to +44 (sms-gb takes no MMS) through the service with the
 * converter: the body gets a link to the media on the gateway's
 * listener, the message goes as SMS (the carrier keeps no media) and is
 * delivered; the link answers 302 to the media. Through the service
 * without the converter the create fails with 30011.
 */
START_TEST(test_mms_converter)
{
	char path[64];
	json_t *m, *f, *cm;

	start();
	m = create(CONTENT, GB_TO, "a picture", "MediaUrl", MEDIA_URL);
	expect_media_link(gwt_str(m, "body"), path, sizeof path);
	ck_assert_msg(strncmp(gwt_str(m, "body"), "a picture\n", 10) == 0,
	    "converted body \"%s\" lost its text", gwt_str(m, "body"));
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	gwt_assert_str(f, "body", gwt_str(m, "body"));
	cm = carrier_message(gwt_str(f, "sid"), "sms-gb");
	ck_assert_msg(json_is_array(json_object_get(cm, "media")) &&
	    json_array_size(json_object_get(cm, "media")) == 0,
	    "sms-gb's copy has media");
	ck_assert_int_eq(json_integer_value(json_object_get(cm,
	    "data_coding")), 0);
	expect_redirect(path, "127.0.0.1", "e2e-media", MEDIA_URL);
	json_decref(cm);
	json_decref(f);
	json_decref(m);

	ck_assert_int_eq(create_error(PLAIN, GB_TO, "a picture", "MediaUrl",
	    MEDIA_URL), 30011);
	gwt_end(&t);
}
END_TEST

/* ---- 4. Link Shortening and clicks ---- */

#define LINK_A		"https://example.com/sale?id=1"
#define LINK_B		"http://example.org/path/b"

/* The codes of the body's https://links.test/ links (two expected). */
static void
short_codes(const char *body, char codes[2][16])
{
	const char *prefix = "https://" DOMAIN "/", *p = body;
	size_t n = 0, i;

	while ((p = strstr(p, prefix)) != NULL) {
		p += strlen(prefix);
		ck_assert_msg(n < 2, "more than two short links in \"%s\"",
		    body);
		for (i = 0; i < 10; i++)
			ck_assert_msg(isalnum((unsigned char)p[i]), "short "
			    "link %.40s: not 10 alphanumerics", p);
		ck_assert_msg(!isalnum((unsigned char)p[10]), "short link "
		    "%.40s: longer than 10", p);
		snprintf(codes[n++], sizeof codes[0], "%.10s", p);
	}
	ck_assert_msg(n == 2, "%zu short links in \"%s\", not 2", n, body);
	ck_assert_msg(strcmp(codes[0], codes[1]) != 0, "both links got code "
	    "%s", codes[0]);
}

/* One click event of message sid on link code with this user agent. */
static void
expect_click(const char *sid, const char *code, const char *link,
    const char *agent)
{
	char shortened[64];
	json_t *got, *r;

	snprintf(shortened, sizeof shortened, "https://" DOMAIN "/%s", code);
	got = gwt_wait_received(&t, "/clicks", "user_agent", agent, 1, WAIT);
	ck_assert_msg(json_array_size(got) == 1, "%zu click events by %s",
	    json_array_size(got), agent);
	r = json_array_get(got, 0);
	ck_assert_str_eq(gwt_str(r, "method"), "POST");
	ck_assert_str_eq(gwt_param(r, "event_type"), "click");
	ck_assert_str_eq(gwt_param(r, "sms_sid"), sid);
	ck_assert_str_eq(gwt_param(r, "to"), US_TO);
	ck_assert_str_eq(gwt_param(r, "from"), SENDER);
	ck_assert_str_eq(gwt_param(r, "link"), link);
	ck_assert_str_eq(gwt_param(r, "shortened_link"), shortened);
	ck_assert_str_eq(gwt_param(r, "messaging_service_sid"), CONTENT);
	ck_assert_str_eq(gwt_param(r, "account_sid"), ACCOUNT);
	ck_assert_msg(gwt_param(r, "clicked_at") != NULL,
	    "click event without clicked_at");
	json_decref(got);
}

/* ---- click events ---- */

/* want click events arrived, and every request recorded carries a valid
 * signature (the receiver checks click events by their account_sid). */
static void
assert_clicks_signed(size_t want)
{
	json_t *all = gwt_received(&t, "/clicks", NULL, NULL);

	ck_assert_msg(json_array_size(all) == want, "%zu click events, not "
	    "%zu", json_array_size(all), want);
	json_decref(all);
	gwt_assert_signed(&t);
}

/*
 * ShortenUrls=true through the service on links.test: both links of the
 * body become https://links.test/ + ten alphanumerics, two codes. Each
 * redirects to its link by /l/CODE and by Host links.test; each redirect
 * and the simulated handset click post a signed click event.
 */
START_TEST(test_link_shortening)
{
	char codes[2][16], path[64];
	json_t *m, *f, *req, *ans = NULL;
	int status;

	start();
	m = create(CONTENT, US_TO, "Sale: " LINK_A " and " LINK_B ".",
	    "ShortenUrls", "true");
	short_codes(gwt_str(m, "body"), codes);
	ck_assert_msg(strstr(gwt_str(m, "body"), "example.") == NULL,
	    "an original link is left in \"%s\"", gwt_str(m, "body"));
	ck_assert_msg(gwt_str(m, "body")[strlen(gwt_str(m, "body")) - 1] == '.',
	    "the trailing dot was taken into the link: \"%s\"",
	    gwt_str(m, "body"));
	f = gwt_wait_status(&t, gwt_str(m, "sid"), "delivered", WAIT);
	gwt_assert_str(f, "body", gwt_str(m, "body"));

	snprintf(path, sizeof path, "/l/%s", codes[0]);
	expect_redirect(path, "127.0.0.1", "e2e-path", LINK_A);
	snprintf(path, sizeof path, "/%s", codes[1]);
	expect_redirect(path, DOMAIN, "e2e-host", LINK_B);
	snprintf(path, sizeof path, "/sim/links/%s/click", codes[0]);
	req = json_pack("{s:s}", "user_agent", "e2e");
	status = smsc_http_post(&t.serve, path, req, &ans);
	json_decref(req);
	ck_assert_msg(status == 200, "POST %s: %d", path, status);
	gwt_assert_str(ans, "location", LINK_A);
	ck_assert_msg(json_is_true(json_object_get(ans, "clicked")),
	    "POST %s: not clicked", path);
	json_decref(ans);

	expect_click(gwt_str(f, "sid"), codes[0], LINK_A, "e2e-path");
	expect_click(gwt_str(f, "sid"), codes[1], LINK_B, "e2e-host");
	expect_click(gwt_str(f, "sid"), codes[0], LINK_A, "e2e");
	/* Three redirects, three events: nothing more once serve stops. */
	gwt_stop(&t);
	assert_clicks_signed(3);
	json_decref(f);
	json_decref(m);
	gwt_end(&t);
}
END_TEST

/* ---- 5. the shortener's outage ---- */

static void
outage(int on)
{
	json_t *req = json_pack("{s:b}", "on", on), *ans = NULL;
	int status;

	status = smsc_http_put(&t.serve, "/sim/link-shortener/outage", req,
	    &ans);
	json_decref(req);
	ck_assert_msg(status == 200, "PUT /sim/link-shortener/outage: %d",
	    status);
	ck_assert_msg(json_is_boolean(json_object_get(ans, "on")) &&
	    json_is_true(json_object_get(ans, "on")) == on,
	    "PUT /sim/link-shortener/outage answers \"on\" %s",
	    json_is_true(json_object_get(ans, "on")) ? "true" : "not true");
	json_decref(ans);
}

/* In outage, ShortenUrls sends the links as they are; once it is over,
 * they are shortened again. */
START_TEST(test_outage)
{
	char codes[2][16];
	json_t *f;

	start();
	outage(1);
	f = send_delivered(CONTENT, US_TO, LINK_A " " LINK_B, "ShortenUrls",
	    "true");
	gwt_assert_str(f, "body", LINK_A " " LINK_B);
	json_decref(f);
	outage(0);
	f = send_delivered(CONTENT, US_TO, LINK_A " " LINK_B, "ShortenUrls",
	    "true");
	short_codes(gwt_str(f, "body"), codes);
	json_decref(f);
	gwt_end(&t);
}
END_TEST

static Suite *
content_suite(void)
{
	Suite *s = suite_create("content");

	tcase_add_test(smsc_tcase(s, "smart_encoding", TCASE_TIMEOUT),
	    test_smart_encoding);
	tcase_add_test(smsc_tcase(s, "mms", TCASE_TIMEOUT), test_mms);
	tcase_add_test(smsc_tcase(s, "mms_converter", TCASE_TIMEOUT),
	    test_mms_converter);
	tcase_add_test(smsc_tcase(s, "link_shortening", TCASE_TIMEOUT),
	    test_link_shortening);
	tcase_add_test(smsc_tcase(s, "outage", TCASE_TIMEOUT), test_outage);
	return s;
}

int
main(void)
{
	return gwt_suite_run(content_suite());
}
