/*
 * What the API's resources look like: the JSON of twilio-api.md §2.3
 * (messages), the media, number, short code and account resources of the
 * 2010 API, the v1 service and sender resources of §7, Twilio's error
 * body, and the XML the 2010 API answers on paths without ".json".
 *
 * Fields come in Twilio's order (alphabetical in the 2010 examples, the
 * schema's order in v1); jansson keeps insertion order.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <openssl/sha.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/api-internal.h"
#include "gateway/api.h"
#include "gateway/services.h"

#define GW_API_VERSION	"2010-04-01"
#define GW_API_ACCOUNTS	"/2010-04-01/Accounts/"

/* A date in one of the API's formats; 0 is JSON null. */
static json_t *
gw_json_time(int64_t usec, void (*format)(int64_t, char *, size_t))
{
	char buf[64];

	if (usec == 0)
		return json_null();
	format(usec, buf, sizeof buf);
	return json_string(buf);
}

static json_t *
gw_json_date(int64_t usec)
{
	return gw_json_time(usec, gw_date_rfc2822);
}

json_t *
gw_json_iso(int64_t usec)
{
	return gw_json_time(usec, gw_date_iso8601);
}

json_t *
gw_json_str(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
gw_json_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
gw_json_fmt(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return json_string(buf);
}

/* "key": a date in RFC 2822, or null for 0. */
static void
gw_api_write_date(struct gw_json *j, const char *key, int64_t usec)
{
	char buf[64];

	gw_json_key(j, key, 0);
	if (usec == 0) {
		gw_json_raw(j, "null");
		return;
	}
	gw_date_rfc2822(usec, buf, sizeof buf);
	gw_json_string(j, buf, SIZE_MAX);
}

/* "key": s, or null for NULL and "". */
static void
gw_api_write_str(struct gw_json *j, const char *key, const char *s)
{
	gw_json_key(j, key, 0);
	if (s == NULL || s[0] == '\0')
		gw_json_raw(j, "null");
	else
		gw_json_string(j, s, SIZE_MAX);
}

/* "key": "n", a count as Twilio writes it (num_media, num_segments: a
 * string). */
static void
gw_api_write_count(struct gw_json *j, const char *key, unsigned n)
{
	char buf[16];

	buf[sizeof buf - 1] = '\0';
	gw_json_key(j, key, 0);
	gw_json_string(j, gw_decimal(buf + sizeof buf - 1, n), SIZE_MAX);
}

/* Appends text at *len in buf (cap bytes), truncating as strlcat. */
static void
gw_api_uri_add(char *buf, size_t cap, size_t *len, const char *text)
{
	size_t n = strlen(text);

	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(buf + *len, text, n);
	*len += n;
	buf[*len] = '\0';
}

static void
gw_api_write_uri(struct gw_json *j, const char *key, int first,
    const struct gw_message *m, const char *sub)
{
	char buf[256];
	size_t len = 0;

	/* Joined piece by piece, each copied once: snprintf reading its
	 * format, then strlcat finding the end again for every piece, were
	 * each about 1% of the loop in bench (b). */
	gw_api_uri_add(buf, sizeof buf, &len, GW_API_ACCOUNTS);
	gw_api_uri_add(buf, sizeof buf, &len, m->account_sid);
	gw_api_uri_add(buf, sizeof buf, &len, "/Messages/");
	gw_api_uri_add(buf, sizeof buf, &len, m->sid);
	gw_api_uri_add(buf, sizeof buf, &len, sub);
	gw_api_uri_add(buf, sizeof buf, &len, ".json");
	gw_json_key(j, key, first);
	gw_json_string(j, buf, len);
}

/*
 * The message resource, written: the one place its fields are, for the
 * 201 of a create (once a message: straight into the response) and,
 * read back by jansson, for everything else.
 */
void
gw_api_message_write(struct gw_json *j, const struct gw_message *m)
{
	gw_json_raw(j, "{");
	gw_json_key(j, "account_sid", 1);
	gw_json_string(j, m->account_sid, SIZE_MAX);
	gw_json_key(j, "api_version", 0);
	gw_json_string(j, GW_API_VERSION, SIZE_MAX);
	gw_json_key(j, "body", 0);
	gw_json_string(j, m->body, SIZE_MAX);
	gw_api_write_date(j, "date_created", m->date_created);
	gw_api_write_date(j, "date_sent", m->date_sent);
	gw_api_write_date(j, "date_updated", m->date_updated);
	gw_json_key(j, "direction", 0);
	gw_json_string(j, gw_direction_name(m->direction), SIZE_MAX);
	gw_json_key(j, "error_code", 0);
	if (m->error_code != 0)
		gw_json_int(j, m->error_code);
	else
		gw_json_raw(j, "null");
	gw_api_write_str(j, "error_message", m->error_code != 0 ?
	    gw_error_description(m->error_code) : NULL);
	gw_api_write_str(j, "from", m->from);
	gw_api_write_str(j, "messaging_service_sid", m->service_sid);
	gw_api_write_count(j, "num_media", m->num_media);
	gw_api_write_count(j, "num_segments", m->num_segments);
	gw_api_write_str(j, "price", m->price);
	gw_api_write_str(j, "price_unit", "USD");
	gw_api_write_str(j, "sid", m->sid);
	gw_api_write_str(j, "status", gw_status_name(m->status));
	gw_json_key(j, "subresource_uris", 0);
	gw_json_raw(j, "{");
	gw_api_write_uri(j, "media", 1, m, "/Media");
	gw_api_write_uri(j, "feedback", 0, m, "/Feedback");
	gw_json_raw(j, "}");
	gw_api_write_str(j, "to", m->to);
	gw_api_write_uri(j, "uri", 0, m, "");
	gw_json_raw(j, "}");
}

json_t *
gw_api_message_json(const struct gateway *gw, const struct gw_message *m)
{
	struct gw_json j = { NULL, 0, 0 };
	json_error_t e;
	json_t *o;

	(void)gw;
	gw_json_reset(&j);
	gw_api_message_write(&j, m);
	if ((o = json_loadb(j.buf, j.len, 0, &e)) == NULL)
		fatalx("api: message %s written as JSON that does not parse: "
		    "%s", m->sid, e.text);
	gw_json_free(&j);
	return o;
}

void
gw_api_media_sid(const char *message_sid, size_t index,
    char out[GATEWAY_SID_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	char in[64];
	int len;
	size_t i;

	len = snprintf(in, sizeof in, "%s/%zu", message_sid, index);
	SHA256((const unsigned char *)in, (size_t)len, md);
	out[0] = 'M';
	out[1] = 'E';
	for (i = 0; i < 16; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 0xf];
	}
	out[GATEWAY_SID_LEN] = '\0';
}

const char *
gw_api_media_type(const char *url)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
		{ "png", "image/png" }, { "gif", "image/gif" },
		{ "mp4", "video/mp4" }, { "mp3", "audio/mpeg" },
		{ "pdf", "application/pdf" },
	};
	const char *scheme = strstr(url, "://"), *path;
	size_t end = strcspn(url, "?#"), i, dot;

	/* The last path segment's extension; a host's dots do not count. */
	path = scheme != NULL ? strchr(scheme + 3, '/') : url;
	if (path == NULL || (size_t)(path - url) >= end)
		return "application/octet-stream";
	for (dot = end; url + dot > path && url[dot - 1] != '.' &&
	    url[dot - 1] != '/'; dot--)
		;
	if (url[dot - 1] != '.' || url[dot - 2] == '/')
		return "application/octet-stream";
	for (i = 0; i < sizeof types / sizeof *types; i++)
		if (strlen(types[i].ext) == end - dot &&
		    strncasecmp(url + dot, types[i].ext, end - dot) == 0)
			return types[i].type;
	return "application/octet-stream";
}

json_t *
gw_api_media_json(const struct gw_message *m, size_t index)
{
	char sid[GATEWAY_SID_SIZE];
	json_t *o = json_object();

	gw_api_media_sid(m->sid, index, sid);
	json_object_set_new(o, "account_sid", json_string(m->account_sid));
	json_object_set_new(o, "content_type",
	    json_string(gw_api_media_type(m->media[index])));
	json_object_set_new(o, "date_created", gw_json_date(m->date_created));
	json_object_set_new(o, "date_updated", gw_json_date(m->date_updated));
	json_object_set_new(o, "parent_sid", json_string(m->sid));
	json_object_set_new(o, "sid", json_string(sid));
	json_object_set_new(o, "uri", gw_json_fmt(GW_API_ACCOUNTS
	    "%s/Messages/%s/Media/%s.json", m->account_sid, m->sid, sid));
	return o;
}

json_t *
gw_api_account_json(const struct gateway_account *a)
{
	json_t *o = json_object(), *sub = json_object();

	json_object_set_new(o, "auth_token", json_string(a->token));
	json_object_set_new(o, "date_created", json_null());
	json_object_set_new(o, "date_updated", json_null());
	json_object_set_new(o, "friendly_name", json_string(
	    a->friendly_name[0] != '\0' ? a->friendly_name : a->sid));
	json_object_set_new(o, "owner_account_sid", json_string(a->sid));
	json_object_set_new(o, "sid", json_string(a->sid));
	json_object_set_new(o, "status", json_string("active"));
	json_object_set_new(sub, "incoming_phone_numbers", gw_json_fmt(
	    GW_API_ACCOUNTS "%s/IncomingPhoneNumbers.json", a->sid));
	json_object_set_new(sub, "messages", gw_json_fmt(
	    GW_API_ACCOUNTS "%s/Messages.json", a->sid));
	json_object_set_new(sub, "short_codes", gw_json_fmt(
	    GW_API_ACCOUNTS "%s/SMS/ShortCodes.json", a->sid));
	json_object_set_new(o, "subresource_uris", sub);
	json_object_set_new(o, "type", json_string("Full"));
	json_object_set_new(o, "uri", gw_json_fmt(GW_API_ACCOUNTS "%s.json",
	    a->sid));
	return o;
}

static const char *
gw_method_or_post(const char *m)
{
	return m[0] != '\0' ? m : "POST";
}

/* The inbound webhook fields numbers and short codes share. */
static void
gw_json_sms_webhooks(json_t *o, const struct gateway_number *n)
{
	json_object_set_new(o, "sms_fallback_method",
	    json_string(gw_method_or_post(n->sms_fallback_method)));
	json_object_set_new(o, "sms_fallback_url",
	    json_string(n->sms_fallback_url));
	json_object_set_new(o, "sms_method",
	    json_string(gw_method_or_post(n->sms_method)));
	json_object_set_new(o, "sms_url", json_string(n->sms_url));
}

json_t *
gw_api_number_json(const struct gateway_number *n)
{
	json_t *o = json_object(), *caps = json_object();

	json_object_set_new(o, "account_sid", json_string(n->account_sid));
	json_object_set_new(o, "address_requirements", json_string("none"));
	json_object_set_new(o, "api_version", json_string(GW_API_VERSION));
	json_object_set_new(o, "beta", json_false());
	json_object_set_new(caps, "fax", json_false());
	json_object_set_new(caps, "mms",
	    json_boolean(n->capabilities & GATEWAY_CAP_MMS));
	json_object_set_new(caps, "sms",
	    json_boolean(n->capabilities & GATEWAY_CAP_SMS));
	json_object_set_new(caps, "voice",
	    json_boolean(n->capabilities & GATEWAY_CAP_VOICE));
	json_object_set_new(o, "capabilities", caps);
	json_object_set_new(o, "date_created", gw_json_date(n->date_created));
	json_object_set_new(o, "date_updated", gw_json_date(n->date_created));
	json_object_set_new(o, "friendly_name", json_string(
	    n->friendly_name[0] != '\0' ? n->friendly_name : n->number));
	json_object_set_new(o, "origin", json_string("twilio"));
	json_object_set_new(o, "phone_number", json_string(n->number));
	json_object_set_new(o, "sid", json_string(n->sid));
	json_object_set_new(o, "sms_application_sid", json_null());
	gw_json_sms_webhooks(o, n);
	json_object_set_new(o, "status", json_string("in-use"));
	json_object_set_new(o, "status_callback",
	    json_string(n->status_callback));
	json_object_set_new(o, "status_callback_method", json_string("POST"));
	json_object_set_new(o, "uri", gw_json_fmt(GW_API_ACCOUNTS
	    "%s/IncomingPhoneNumbers/%s.json", n->account_sid, n->sid));
	return o;
}

json_t *
gw_api_short_code_json(const struct gateway_number *n)
{
	json_t *o = json_object();

	json_object_set_new(o, "account_sid", json_string(n->account_sid));
	json_object_set_new(o, "api_version", json_string(GW_API_VERSION));
	json_object_set_new(o, "date_created", gw_json_date(n->date_created));
	json_object_set_new(o, "date_updated", gw_json_date(n->date_created));
	json_object_set_new(o, "friendly_name", json_string(
	    n->friendly_name[0] != '\0' ? n->friendly_name : n->number));
	json_object_set_new(o, "short_code", json_string(n->number));
	json_object_set_new(o, "sid", json_string(n->sid));
	gw_json_sms_webhooks(o, n);
	json_object_set_new(o, "uri", gw_json_fmt(GW_API_ACCOUNTS
	    "%s/SMS/ShortCodes/%s.json", n->account_sid, n->sid));
	return o;
}

json_t *
gw_api_service_json(const char *base, const struct gw_service *s)
{
	static const struct {
		const char	*key;
		const char	*path;
	} links[] = {
		{ "phone_numbers", "PhoneNumbers" },
		{ "short_codes", "ShortCodes" },
		{ "alpha_senders", "AlphaSenders" },
		{ "messages", "Messages" },
		{ "us_app_to_person", "Compliance/Usa2p" },
		{ "us_app_to_person_usecases", "Compliance/Usa2p/Usecases" },
		{ "channel_senders", "ChannelSenders" },
		{ "destination_alpha_senders", "DestinationAlphaSenders" },
	};
	json_t *o = json_object(), *l = json_object();
	size_t i;

	json_object_set_new(o, "sid", json_string(s->sid));
	json_object_set_new(o, "account_sid", json_string(s->account_sid));
	json_object_set_new(o, "friendly_name", json_string(s->friendly_name));
	json_object_set_new(o, "date_created", gw_json_iso(s->date_created));
	json_object_set_new(o, "date_updated", gw_json_iso(s->date_updated));
	json_object_set_new(o, "inbound_request_url",
	    gw_json_str(s->inbound_request_url));
	json_object_set_new(o, "inbound_method",
	    json_string(gw_method_or_post(s->inbound_method)));
	json_object_set_new(o, "fallback_url", gw_json_str(s->fallback_url));
	json_object_set_new(o, "fallback_method",
	    json_string(gw_method_or_post(s->fallback_method)));
	json_object_set_new(o, "status_callback",
	    gw_json_str(s->status_callback));
	json_object_set_new(o, "sticky_sender", json_boolean(s->sticky_sender));
	json_object_set_new(o, "mms_converter", json_boolean(s->mms_converter));
	json_object_set_new(o, "smart_encoding",
	    json_boolean(s->smart_encoding));
	json_object_set_new(o, "scan_message_content", json_string(
	    s->scan_message_content[0] != '\0' ? s->scan_message_content :
	    "inherit"));
	json_object_set_new(o, "fallback_to_long_code",
	    json_boolean(s->fallback_to_long_code));
	json_object_set_new(o, "area_code_geomatch",
	    json_boolean(s->area_code_geomatch));
	json_object_set_new(o, "synchronous_validation",
	    json_boolean(s->synchronous_validation));
	json_object_set_new(o, "validity_period",
	    json_integer(s->validity_period != 0 ? s->validity_period : 36000));
	json_object_set_new(o, "url", gw_json_fmt("%s/v1/Services/%s", base,
	    s->sid));
	for (i = 0; i < sizeof links / sizeof *links; i++)
		json_object_set_new(l, links[i].key, gw_json_fmt(
		    "%s/v1/Services/%s/%s", base, s->sid, links[i].path));
	json_object_set_new(o, "links", l);
	json_object_set_new(o, "usecase", json_string(
	    s->usecase[0] != '\0' ? s->usecase : "undeclared"));
	json_object_set_new(o, "us_app_to_person_registered", json_false());
	json_object_set_new(o, "use_inbound_webhook_on_number",
	    json_boolean(s->use_inbound_webhook_on_number));
	return o;
}

const char *
gw_api_sender_path(const struct gw_sender *snd)
{
	if (snd->kind == GATEWAY_SENDER_SHORT_CODE)
		return "ShortCodes";
	if (snd->kind != GATEWAY_SENDER_ALPHANUMERIC)
		return "PhoneNumbers";
	return snd->destination ? "DestinationAlphaSenders" : "AlphaSenders";
}

json_t *
gw_api_sender_json(const char *base, const struct gw_service *s,
    const struct gw_sender *snd)
{
	json_t *o = json_object(), *caps = json_array();
	const char *key;

	switch (snd->kind) {
	case GATEWAY_SENDER_SHORT_CODE:
		key = "short_code";
		break;
	case GATEWAY_SENDER_ALPHANUMERIC:
		key = "alpha_sender";
		break;
	default:
		key = "phone_number";
		break;
	}
	json_object_set_new(o, "sid", json_string(snd->sid));
	json_object_set_new(o, "account_sid", json_string(snd->account_sid));
	json_object_set_new(o, "service_sid", json_string(s->sid));
	json_object_set_new(o, "date_created", gw_json_iso(snd->date_created));
	json_object_set_new(o, "date_updated", gw_json_iso(snd->date_updated));
	json_object_set_new(o, key, json_string(snd->sender));
	if (snd->kind != GATEWAY_SENDER_ALPHANUMERIC)
		json_object_set_new(o, "country_code",
		    json_string(snd->country));
	if (snd->destination)
		json_object_set_new(o, "iso_country_code",
		    json_string(snd->iso_country_code));
	if (snd->capabilities & GATEWAY_CAP_MMS)
		json_array_append_new(caps, json_string("MMS"));
	if (snd->capabilities & GATEWAY_CAP_SMS)
		json_array_append_new(caps, json_string("SMS"));
	if (snd->capabilities & GATEWAY_CAP_VOICE)
		json_array_append_new(caps, json_string("Voice"));
	json_object_set_new(o, "capabilities", caps);
	json_object_set_new(o, "url", gw_json_fmt("%s/v1/Services/%s/%s/%s",
	    base, s->sid, gw_api_sender_path(snd), snd->sid));
	return o;
}

/*
 * Twilio's Monitor Alert (monitor.v1.alert): the list shows every field
 * but the request and response details, which only a fetch (full)
 * carries. The gateway's alerts come from no HTTP exchange: those are
 * null, and the API version is the Messages API's.
 */
json_t *
gw_api_alert_json(const char *base, const struct gw_alert *a, int full)
{
	json_t *o = json_object();

	json_object_set_new(o, "account_sid", json_string(a->account_sid));
	json_object_set_new(o, "alert_text", json_string(a->alert_text));
	json_object_set_new(o, "api_version", json_string(GW_API_VERSION));
	json_object_set_new(o, "date_created", gw_json_iso(a->date_created));
	json_object_set_new(o, "date_generated", gw_json_iso(a->date_created));
	json_object_set_new(o, "date_updated", gw_json_iso(a->date_created));
	json_object_set_new(o, "error_code", gw_json_fmt("%d", a->error_code));
	json_object_set_new(o, "log_level", json_string(a->log_level));
	json_object_set_new(o, "more_info", gw_json_fmt(
	    "https://www.twilio.com/docs/errors/%d", a->error_code));
	json_object_set_new(o, "request_method", json_null());
	json_object_set_new(o, "request_url", json_null());
	if (full) {
		json_object_set_new(o, "request_variables", json_null());
		json_object_set_new(o, "response_body", json_null());
		json_object_set_new(o, "response_headers", json_null());
		json_object_set_new(o, "request_headers", json_null());
	}
	json_object_set_new(o, "resource_sid", gw_json_str(a->resource_sid));
	json_object_set_new(o, "service_sid", gw_json_str(a->service_sid));
	json_object_set_new(o, "sid", json_string(a->sid));
	json_object_set_new(o, "url", gw_json_fmt("%s/v1/Alerts/%s", base,
	    a->sid));
	return o;
}

json_t *
gw_api_error_json(const struct gw_error *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "code", json_integer(e->code));
	if (e->code == 20003)
		json_object_set_new(o, "detail", json_string(
		    "Your AccountSid or AuthToken was incorrect."));
	json_object_set_new(o, "message", json_string(e->message));
	json_object_set_new(o, "more_info", gw_json_fmt(
	    "https://www.twilio.com/docs/errors/%d", e->code));
	json_object_set_new(o, "status", json_integer(e->http_status));
	return o;
}

/* "account_sid" → "AccountSid": the 2010 API's XML element names. */
static void
gw_xml_name(char *out, size_t cap, const char *key)
{
	size_t o = 0;
	int up = 1;

	for (; *key != '\0' && o + 1 < cap; key++) {
		if (*key == '_') {
			up = 1;
			continue;
		}
		out[o++] = up ? (char)toupper((unsigned char)*key) : *key;
		up = 0;
	}
	out[o] = '\0';
}

/* Text for XML 1.0: the five entities, and characters XML cannot carry
 * (C0 controls but tab, LF, CR) as U+FFFD. */
static void
gw_xml_text(struct evbuffer *out, const char *s)
{
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '&')
			evbuffer_add(out, "&amp;", 5);
		else if (c == '<')
			evbuffer_add(out, "&lt;", 4);
		else if (c == '>')
			evbuffer_add(out, "&gt;", 4);
		else if (c == '"')
			evbuffer_add(out, "&quot;", 6);
		else if (c == '\'')
			evbuffer_add(out, "&apos;", 6);
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			evbuffer_add(out, "\xef\xbf\xbd", 3);
		else
			evbuffer_add(out, s, 1);
	}
}

static void gw_xml_value(struct evbuffer *, const char *, const json_t *);

static void
gw_xml_fields(struct evbuffer *out, const json_t *o)
{
	const char *key;
	json_t *v;
	char name[128];

	json_object_foreach((json_t *)o, key, v) {
		gw_xml_name(name, sizeof name, key);
		gw_xml_value(out, name, v);
	}
}

static void
gw_xml_value(struct evbuffer *out, const char *name, const json_t *v)
{
	size_t i;

	switch (json_typeof(v)) {
	case JSON_NULL:
		evbuffer_add_printf(out, "<%s/>", name);
		return;
	case JSON_OBJECT:
		evbuffer_add_printf(out, "<%s>", name);
		gw_xml_fields(out, v);
		break;
	case JSON_ARRAY:
		evbuffer_add_printf(out, "<%s>", name);
		for (i = 0; i < json_array_size(v); i++)
			gw_xml_value(out, "Item", json_array_get(v, i));
		break;
	case JSON_STRING:
		evbuffer_add_printf(out, "<%s>", name);
		gw_xml_text(out, json_string_value(v));
		break;
	case JSON_INTEGER:
		evbuffer_add_printf(out, "<%s>%" JSON_INTEGER_FORMAT, name,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		evbuffer_add_printf(out, "<%s>%g", name, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		evbuffer_add_printf(out, "<%s>%s", name,
		    json_is_true(v) ? "true" : "false");
		break;
	}
	evbuffer_add_printf(out, "</%s>", name);
}

#define GW_XML_HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
			"<TwilioResponse>"
#define GW_XML_TAIL	"</TwilioResponse>\n"

void
gw_api_xml_resource(struct evbuffer *out, const json_t *o,
    const char *element)
{
	evbuffer_add_printf(out, GW_XML_HEAD);
	gw_xml_value(out, element, o);
	evbuffer_add_printf(out, GW_XML_TAIL);
}

/* Paging fields become attributes named without '_' ("pagesize"), as in
 * Twilio's XML lists. */
void
gw_api_xml_list(struct evbuffer *out, const json_t *o, const char *key,
    const char *list_element, const char *item_element)
{
	const char *k;
	json_t *v, *items = json_object_get(o, key);
	size_t i;

	evbuffer_add_printf(out, GW_XML_HEAD "<%s", list_element);
	json_object_foreach((json_t *)o, k, v) {
		if (strcmp(k, key) == 0)
			continue;
		evbuffer_add_printf(out, " ");
		for (i = 0; k[i] != '\0'; i++)
			if (k[i] != '_')
				evbuffer_add(out, k + i, 1);
		evbuffer_add_printf(out, "=\"");
		if (json_is_string(v))
			gw_xml_text(out, json_string_value(v));
		else if (json_is_integer(v))
			evbuffer_add_printf(out, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		evbuffer_add_printf(out, "\"");
	}
	evbuffer_add_printf(out, ">");
	for (i = 0; i < json_array_size(items); i++)
		gw_xml_value(out, item_element, json_array_get(items, i));
	evbuffer_add_printf(out, "</%s>" GW_XML_TAIL, list_element);
}

void
gw_api_xml_error(struct evbuffer *out, const struct gw_error *e)
{
	json_t *o = gw_api_error_json(e);

	gw_api_xml_resource(out, o, "RestException");
	json_decref(o);
}
