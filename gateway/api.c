/*
 * The API's front door: which paths are the API's, the routing table
 * (method + path pattern → handler), HTTP Basic authentication, the
 * request limits, and the replies (JSON, or XML on 2010 paths without
 * ".json"; errors always in Twilio's body).
 *
 * Order of checks: the path is ours (else -1); URL length (414); the
 * gateway is not stopping (503); credentials (401); the route (404, 405);
 * the path's account is the authenticated one (401); body size (413);
 * then the handler. Authenticating before routing keeps the shape of the
 * API hidden from callers without credentials.
 *
 * A path whose AccountSid is another account's answers 401 (20003), as
 * for wrong credentials: it tells nothing about which accounts exist.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/api-internal.h"
#include "gateway/api.h"

#define GW_API_2010	"/2010-04-01"
#define GW_API_V1	"/v1"
#define GW_API_MAX_SEGMENTS	12
#define GW_API_AUTH_MAX		512	/* base64 credentials */

/*
 * A route: the path is matched segment by segment after the version
 * prefix and, on 2010 paths, after ".json"/".xml" is taken off the last
 * segment. "{XX}" matches a sid with prefix XX ("{SM}" also takes MM).
 */
struct gw_api_route {
	int		 method;		/* EVHTTP_REQ_* */
	int		 v1;			/* under /v1, JSON only */
	const char	*path;
	gw_api_handler	 handler;
	int		 arg;			/* given to the handler */
};

#define GW_ACC	"/Accounts/{AC}"
#define GW_MSG	GW_ACC "/Messages/{SM}"
#define GW_SVC	"/Services/{MG}"

/* A pool's sub-resource: add and list, fetch and remove. */
#define GW_SENDER_ROUTES(list, one, which)				\
	{ .method = EVHTTP_REQ_POST, .v1 = 1, .path = GW_SVC list,	\
	  .handler = gw_api_service_senders_create, .arg = which },	\
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = GW_SVC list,	\
	  .handler = gw_api_service_senders_list, .arg = which },	\
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = GW_SVC one,	\
	  .handler = gw_api_service_senders_fetch, .arg = which },	\
	{ .method = EVHTTP_REQ_DELETE, .v1 = 1, .path = GW_SVC one,	\
	  .handler = gw_api_service_senders_delete, .arg = which }

/* Link Shortening (api-links.c). */
#define GW_DN	"/LinkShortening/Domains/{DN}"
#define GW_LINKS_ROUTES							\
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = GW_DN "/Config",	\
	  .handler = gw_api_links_config_fetch },			\
	{ .method = EVHTTP_REQ_POST, .v1 = 1, .path = GW_DN "/Config",	\
	  .handler = gw_api_links_config_update },			\
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = GW_DN "/Certificate", \
	  .handler = gw_api_links_cert_fetch },				\
	{ .method = EVHTTP_REQ_POST, .v1 = 1, .path = GW_DN "/Certificate", \
	  .handler = gw_api_links_cert_update },			\
	{ .method = EVHTTP_REQ_DELETE, .v1 = 1,				\
	  .path = GW_DN "/Certificate",					\
	  .handler = gw_api_links_cert_delete },			\
	{ .method = EVHTTP_REQ_POST, .v1 = 1,				\
	  .path = GW_DN "/RequestManagedCert",				\
	  .handler = gw_api_links_managed_cert },			\
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = GW_DN "/ValidateDns", \
	  .handler = gw_api_links_validate_dns },			\
	{ .method = EVHTTP_REQ_POST, .v1 = 1,				\
	  .path = GW_DN "/MessagingServices/{MG}",			\
	  .handler = gw_api_links_service_add },			\
	{ .method = EVHTTP_REQ_DELETE, .v1 = 1,				\
	  .path = GW_DN "/MessagingServices/{MG}",			\
	  .handler = gw_api_links_service_remove },			\
	{ .method = EVHTTP_REQ_GET, .v1 = 1,				\
	  .path = "/LinkShortening/MessagingServices/{MG}/Domain",	\
	  .handler = gw_api_links_service_fetch_domain },		\
	{ .method = EVHTTP_REQ_GET, .v1 = 1,				\
	  .path = "/LinkShortening/MessagingService/{MG}/DomainConfig", \
	  .handler = gw_api_links_service_fetch_config }

static const struct gw_api_route gw_api_routes[] = {
	{ .method = EVHTTP_REQ_GET, .path = GW_ACC,
	  .handler = gw_api_account_fetch },
	{ .method = EVHTTP_REQ_POST, .path = GW_ACC "/Messages",
	  .handler = gw_api_messages_create },
	{ .method = EVHTTP_REQ_GET, .path = GW_ACC "/Messages",
	  .handler = gw_api_messages_list },
	{ .method = EVHTTP_REQ_GET, .path = GW_MSG,
	  .handler = gw_api_messages_fetch },
	{ .method = EVHTTP_REQ_POST, .path = GW_MSG,
	  .handler = gw_api_messages_update },
	{ .method = EVHTTP_REQ_DELETE, .path = GW_MSG,
	  .handler = gw_api_messages_delete },
	{ .method = EVHTTP_REQ_GET, .path = GW_MSG "/Media",
	  .handler = gw_api_media_list },
	{ .method = EVHTTP_REQ_GET, .path = GW_MSG "/Media/{ME}",
	  .handler = gw_api_media_fetch },
	{ .method = EVHTTP_REQ_DELETE, .path = GW_MSG "/Media/{ME}",
	  .handler = gw_api_media_delete },
	{ .method = EVHTTP_REQ_GET, .path = GW_ACC "/IncomingPhoneNumbers",
	  .handler = gw_api_numbers_list },
	{ .method = EVHTTP_REQ_GET,
	  .path = GW_ACC "/IncomingPhoneNumbers/{PN}",
	  .handler = gw_api_numbers_fetch },
	{ .method = EVHTTP_REQ_GET, .path = GW_ACC "/SMS/ShortCodes",
	  .handler = gw_api_short_codes_list },
	{ .method = EVHTTP_REQ_GET, .path = GW_ACC "/SMS/ShortCodes/{SC}",
	  .handler = gw_api_short_codes_fetch },
	{ .method = EVHTTP_REQ_POST, .v1 = 1, .path = "/Services",
	  .handler = gw_api_services_create },
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = "/Services",
	  .handler = gw_api_services_list },
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = GW_SVC,
	  .handler = gw_api_services_fetch },
	{ .method = EVHTTP_REQ_POST, .v1 = 1, .path = GW_SVC,
	  .handler = gw_api_services_update },
	{ .method = EVHTTP_REQ_DELETE, .v1 = 1, .path = GW_SVC,
	  .handler = gw_api_services_delete },
	GW_SENDER_ROUTES("/PhoneNumbers", "/PhoneNumbers/{PN}",
	    GW_API_PHONE_NUMBERS),
	GW_SENDER_ROUTES("/ShortCodes", "/ShortCodes/{SC}",
	    GW_API_SHORT_CODES),
	GW_SENDER_ROUTES("/AlphaSenders", "/AlphaSenders/{AI}",
	    GW_API_ALPHA_SENDERS),
	GW_SENDER_ROUTES("/DestinationAlphaSenders",
	    "/DestinationAlphaSenders/{AI}", GW_API_DESTINATION_ALPHA_SENDERS),
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = "/Alerts",
	  .handler = gw_api_alerts_list },
	GW_LINKS_ROUTES,
	{ .method = EVHTTP_REQ_GET, .v1 = 1, .path = "/Alerts/{NO}",
	  .handler = gw_api_alerts_fetch },
};

#define GW_API_NROUTES	(sizeof gw_api_routes / sizeof gw_api_routes[0])

/* The request's path split into segments (in buf, a copy of the path
 * after the version, sized to it: the 8 KiB the longest path may have,
 * allocated and cleared per request, had been 3% of the loop). */
struct gw_api_path {
	char		*buf;
	char		*seg[GW_API_MAX_SEGMENTS];
	size_t		 nseg;
	int		 v1;
	enum gw_api_format format;
};

/* Splits path when it is the API's: 0, or -1 for any other path. */
static int
gw_api_path_split(const char *path, struct gw_api_path *p)
{
	size_t plen, len;
	char *s, *dot;

	memset(p, 0, sizeof *p);
	if (strncmp(path, GW_API_2010, (plen = strlen(GW_API_2010))) == 0 &&
	    (path[plen] == '\0' || path[plen] == '/'))
		p->format = GW_API_XML;
	else if (strncmp(path, GW_API_V1, (plen = strlen(GW_API_V1))) == 0 &&
	    (path[plen] == '\0' || path[plen] == '/'))
		p->v1 = 1, p->format = GW_API_JSON;
	else
		return -1;
	if ((len = strlen(path + plen)) > GW_API_URL_MAX) {
		p->nseg = GW_API_MAX_SEGMENTS + 1;	/* matches nothing */
		return 0;
	}
	p->buf = xstrndup(path + plen, len);
	dot = strrchr(p->buf, '.');
	if (!p->v1 && dot != NULL && strchr(dot, '/') == NULL) {
		if (strcmp(dot, ".json") == 0)
			p->format = GW_API_JSON, *dot = '\0';
		else if (strcmp(dot, ".xml") == 0)
			*dot = '\0';
	}
	for (s = p->buf; len > 0 && *s == '/'; ) {
		*s++ = '\0';
		if (*s == '\0' || *s == '/' ||
		    p->nseg == GW_API_MAX_SEGMENTS) {
			p->nseg = GW_API_MAX_SEGMENTS + 1;
			return 0;
		}
		p->seg[p->nseg++] = s;
		s += strcspn(s, "/");
	}
	return 0;
}

/* 1 when the path matches the route's pattern; its sids go to r. */
static int
gw_api_route_match(const struct gw_api_route *route,
    const struct gw_api_path *p, struct gw_api_request *r)
{
	const char *pat = route->path, *end;
	size_t i = 0, len, nsids = 0;
	char prefix[3];

	if (route->v1 != p->v1 || p->nseg > GW_API_MAX_SEGMENTS)
		return 0;
	for (; *pat == '/'; pat = end, i++) {
		pat++;
		end = pat + strcspn(pat, "/");
		len = (size_t)(end - pat);
		if (i == p->nseg)
			return 0;
		if (*pat != '{') {
			if (strlen(p->seg[i]) != len ||
			    strncmp(p->seg[i], pat, len) != 0)
				return 0;
			continue;
		}
		memcpy(prefix, pat + 1, 2);
		prefix[2] = '\0';
		if (!gw_sid_valid(p->seg[i], prefix) &&
		    !(strcmp(prefix, "SM") == 0 &&
		    gw_sid_valid(p->seg[i], "MM")))
			return 0;
		if (r != NULL && nsids < GW_API_PATH_SIDS)
			strlcpy(r->sids[nsids++], p->seg[i],
			    sizeof r->sids[0]);
	}
	if (i != p->nseg)
		return 0;
	if (r != NULL)
		r->nsids = nsids;
	return 1;
}

static const char *
gw_api_method_name(int method)
{
	switch (method) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	default:
		return "?";
	}
}

/*
 * The route for the request, or NULL after answering 404 or 405 (with
 * Allow listing the methods the path takes). HEAD is served as GET.
 */
static const struct gw_api_route *
gw_api_route_find(struct gw_api_request *r, const struct gw_api_path *p)
{
	int method = r->method == EVHTTP_REQ_HEAD ? EVHTTP_REQ_GET :
	    r->method;
	char allow[64] = "";
	size_t i;

	for (i = 0; i < GW_API_NROUTES; i++) {
		if (!gw_api_route_match(&gw_api_routes[i], p, NULL))
			continue;
		if (gw_api_routes[i].method == method) {
			gw_api_route_match(&gw_api_routes[i], p, r);
			return &gw_api_routes[i];
		}
		if (allow[0] != '\0')
			strlcat(allow, ", ", sizeof allow);
		strlcat(allow, gw_api_method_name(gw_api_routes[i].method),
		    sizeof allow);
	}
	if (allow[0] == '\0') {
		gw_api_fail(r, 20404, "The requested resource %s was not found",
		    r->path);
		return NULL;
	}
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow",
	    allow);
	gw_api_fail(r, 20004, "Method %s not allowed on %s",
	    gw_api_method_name(r->method), r->path);
	return NULL;
}

/*
 * What authentication keeps between requests: SHA-256 fetched once, one
 * digest context, and the digest of the secret last expected, so a
 * request of the same account hashes only what it was given (OpenSSL's
 * one-shot SHA256() fetched the algorithm and made a context per call,
 * twice a request: 3% of the loop).
 */
struct gw_api_auth {
	EVP_MD		*sha256;
	EVP_MD_CTX	*ctx;
	char		*expected;		/* NULL: none yet */
	unsigned char	 expected_md[SHA256_DIGEST_LENGTH];
};

static int
gw_api_sha256(struct gw_api_auth *a, const char *s,
    unsigned char md[SHA256_DIGEST_LENGTH])
{
	return EVP_DigestInit_ex2(a->ctx, a->sha256, NULL) == 1 &&
	    EVP_DigestUpdate(a->ctx, s, strlen(s)) == 1 &&
	    EVP_DigestFinal_ex(a->ctx, md, NULL) == 1 ? 0 : -1;
}

/*
 * Equal-length digests compared in constant time: neither the secret's
 * length nor the first differing byte shows in the timing. (Whether the
 * expected digest was cached depends only on the secrets we hold, never
 * on what was given.)
 */
static int
gw_api_secret_equal(struct gateway *gw, const char *given,
    const char *expected)
{
	struct gw_api_auth *a = gw->api_auth;
	unsigned char md[SHA256_DIGEST_LENGTH];

	if (a == NULL) {
		a = gw->api_auth = xcalloc(1, sizeof *a);
		if ((a->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
		    (a->ctx = EVP_MD_CTX_new()) == NULL)
			fatalx("api auth: no SHA-256 in OpenSSL");
	}
	if (a->expected == NULL || strcmp(a->expected, expected) != 0) {
		free(a->expected);
		a->expected = NULL;
		if (gw_api_sha256(a, expected, a->expected_md) == -1) {
			log_warnx("api auth: SHA-256 failed");
			return 0;
		}
		a->expected = xstrdup(expected);
	}
	if (gw_api_sha256(a, given, md) == -1) {
		log_warnx("api auth: SHA-256 failed");
		return 0;
	}
	return CRYPTO_memcmp(md, a->expected_md, sizeof md) == 0;
}

void
gw_api_free_scratch(struct gateway *gw)
{
	struct gw_api_auth *a = gw->api_auth;

	gw_json_free(&gw->api_json);
	if (a != NULL) {
		EVP_MD_CTX_free(a->ctx);
		EVP_MD_free(a->sha256);
		free(a->expected);
		free(a);
		gw->api_auth = NULL;
	}
}

/* "Basic base64(user:password)" into user (raw is the buffer). */
static int
gw_api_basic_decode(const char *h, unsigned char *raw, size_t cap,
    char **password)
{
	size_t len;
	int n;
	char *colon;

	if (strncasecmp(h, "Basic ", 6) != 0)
		return -1;
	for (h += 6; *h == ' '; h++)
		;
	len = strlen(h);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 >= cap)
		return -1;
	if ((n = EVP_DecodeBlock(raw, (const unsigned char *)h,
	    (int)len)) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	n -= (h[len - 1] == '=') + (h[len - 2] == '=');
	raw[n] = '\0';
	if (memchr(raw, '\0', (size_t)n) != NULL ||
	    (colon = strchr((char *)raw, ':')) == NULL)
		return -1;
	*colon = '\0';
	*password = colon + 1;
	return 0;
}

/* AccountSid:AuthToken, or SKsid:secret of one of the account's keys. */
static const struct gateway_account *
gw_api_authenticate(struct gw_api_request *r)
{
	const char *h = evhttp_find_header(
	    evhttp_request_get_input_headers(r->req), "Authorization");
	const struct gateway_account *account = NULL;
	const struct gateway_api_key *key;
	const char *expected = NULL;
	unsigned char raw[GW_API_AUTH_MAX];
	char *user, *password;

	if (h == NULL) {
		gw_api_fail(r, 20003,
		    "Authentication Error - No credentials provided");
		return NULL;
	}
	if (gw_api_basic_decode(h, raw, sizeof raw, &password) == -1) {
		gw_api_fail(r, 20003, "Authentication Error - invalid "
		    "credentials");
		return NULL;
	}
	user = (char *)raw;
	if (gw_sid_valid(user, "AC") &&
	    (account = gw_account_find(r->gw, user)) != NULL)
		expected = account->token;
	else if (gw_sid_valid(user, "SK") &&
	    (key = gw_api_key_find(r->gw, user, &account)) != NULL)
		expected = key->secret;
	/* An unknown user costs the same digest work as a known one. */
	if (!gw_api_secret_equal(r->gw, password,
	    expected != NULL ? expected : "") ||
	    expected == NULL) {
		log_info("api auth-failed user=%.40s path=%s", user, r->path);
		gw_api_fail(r, 20003, "Authenticate");
		return NULL;
	}
	return account;
}

static void
gw_api_send(struct evhttp_request *req, int status, const char *type,
    struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Date", gw_date_http());
	evhttp_send_reply(req, status, NULL, body);
}

/*
 * jansson's writer into the response's own buffer, through a run of
 * stack: the writer hands over a fragment per token (a key, a quote, a
 * comma), and a list page is thousands of them; a run makes them a few
 * evbuffer_adds. (A message alone goes by gw_api_send_message.)
 */
struct gw_api_json_run {
	struct evbuffer	*buf;
	size_t		 len;
	char		 run[4096];
};

static int
gw_api_json_flush(struct gw_api_json_run *w)
{
	int rc = w->len > 0 ? evbuffer_add(w->buf, w->run, w->len) : 0;

	w->len = 0;
	return rc;
}

static int
gw_api_json_out(const char *s, size_t len, void *arg)
{
	struct gw_api_json_run *w = arg;

	if (w->len + len > sizeof w->run) {
		if (gw_api_json_flush(w) == -1)
			return -1;
		if (len > sizeof w->run)
			return evbuffer_add(w->buf, s, len);
	}
	memcpy(w->run + w->len, s, len);
	w->len += len;
	return 0;
}

static void
gw_api_send_json(struct evhttp_request *req, int status, const json_t *o)
{
	struct gw_api_json_run w;

	w.buf = evhttp_request_get_output_buffer(req);
	w.len = 0;
	if (json_dump_callback(o, gw_api_json_out, &w,
	    JSON_PRESERVE_ORDER | JSON_COMPACT) == -1 ||
	    gw_api_json_flush(&w) == -1)
		fatalx("api: out of memory writing a JSON body");
	gw_api_send(req, status, "application/json", NULL);
}

static void
gw_api_send_xml(struct evhttp_request *req, int status,
    struct evbuffer *buf)
{
	gw_api_send(req, status, "application/xml", buf);
	evbuffer_free(buf);
}

void
gw_api_send_error(struct evhttp_request *req, enum gw_api_format format,
    const struct gw_error *e)
{
	struct evbuffer *buf;
	json_t *o;

	if (e->code == 20003)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Basic realm=\"Twilio API\"");
	if (format == GW_API_XML) {
		buf = evbuffer_new();
		gw_api_xml_error(buf, e);
		gw_api_send_xml(req, e->http_status, buf);
		return;
	}
	o = gw_api_error_json(e);
	gw_api_send_json(req, e->http_status, o);
	json_decref(o);
}

void
gw_api_send_resource(struct evhttp_request *req, enum gw_api_format format,
    int status, json_t *body, const char *element)
{
	struct evbuffer *buf;

	if (format == GW_API_XML) {
		buf = evbuffer_new();
		gw_api_xml_resource(buf, body, element);
		gw_api_send_xml(req, status, buf);
	} else
		gw_api_send_json(req, status, body);
	json_decref(body);
}

void
gw_api_send_message(struct gateway *gw, struct evhttp_request *req,
    enum gw_api_format format, int status, const struct gw_message *m)
{
	if (format == GW_API_XML) {
		gw_api_send_resource(req, format, status,
		    gw_api_message_json(gw, m), "Message");
		return;
	}
	gw_json_reset(&gw->api_json);
	gw_api_message_write(&gw->api_json, m);
	if (evbuffer_add(evhttp_request_get_output_buffer(req),
	    gw->api_json.buf, gw->api_json.len) == -1)
		fatalx("api: out of memory writing a JSON body");
	gw_api_send(req, status, "application/json", NULL);
}

void
gw_api_reply_message(struct gw_api_request *r, int status,
    const struct gw_message *m)
{
	gw_api_send_message(r->gw, r->req, r->format, status, m);
}

void
gw_api_reply_error(struct gw_api_request *r, const struct gw_error *e)
{
	r->gw->metrics.api_errors++;
	log_debug("api error method=%s path=%s code=%d status=%d",
	    gw_api_method_name(r->method), r->path, e->code, e->http_status);
	gw_api_send_error(r->req, r->format, e);
}

void
gw_api_fail(struct gw_api_request *r, int code, const char *fmt, ...)
{
	struct gw_error e;
	va_list ap;

	gw_error_set(&e, code, NULL);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(e.message, sizeof e.message, fmt, ap);
		va_end(ap);
	}
	gw_api_reply_error(r, &e);
}

void
gw_api_reply_resource(struct gw_api_request *r, int status, json_t *body,
    const char *element)
{
	gw_api_send_resource(r->req, r->format, status, body, element);
}

void
gw_api_reply_list(struct gw_api_request *r, json_t *body, const char *key,
    const char *list_element, const char *item_element)
{
	struct evbuffer *buf;

	if (r->format == GW_API_XML) {
		buf = evbuffer_new();
		gw_api_xml_list(buf, body, key, list_element, item_element);
		gw_api_send_xml(r->req, 200, buf);
	} else
		gw_api_send_json(r->req, 200, body);
	json_decref(body);
}

void
gw_api_reply_empty(struct gw_api_request *r, int status)
{
	evhttp_send_reply(r->req, status, NULL, NULL);
}

int
gw_api_page_parse(struct gw_api_request *r, unsigned *page,
    unsigned *page_size)
{
	const char *v;
	unsigned long n;

	*page = 0;
	*page_size = GW_API_PAGE_SIZE;
	if ((v = gw_form_get(&r->query, "PageSize")) != NULL) {
		if (gw_form_ulong(v, 1, ~0UL, &n) == -1) {
			gw_api_fail(r, 400, "Invalid PageSize: %.40s", v);
			return -1;
		}
		if (n > GW_API_PAGE_SIZE_MAX) {
			gw_api_fail(r, 20007, "Page size too large: %lu "
			    "(maximum %d)", n, GW_API_PAGE_SIZE_MAX);
			return -1;
		}
		*page_size = (unsigned)n;
	}
	if ((v = gw_form_get(&r->query, "Page")) != NULL) {
		if (gw_form_ulong(v, 0, 1000000000UL, &n) == -1) {
			gw_api_fail(r, 400, "Invalid Page: %.40s", v);
			return -1;
		}
		*page = (unsigned)n;
	}
	return 0;
}

json_t *
gw_api_page_link(const char *base, const char *path,
    const struct gw_api_page *pg, unsigned page, const char *token)
{
	struct evbuffer *b = evbuffer_new();
	json_t *s;

	evbuffer_add_printf(b, "%s%s?%sPageSize=%u&Page=%u", base, path,
	    pg->filters, pg->page_size, page);
	if (token != NULL) {
		evbuffer_add_printf(b, "&PageToken=");
		gw_uri_encode(b, token);
	}
	s = json_stringn((const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b));
	evbuffer_free(b);
	return s;
}

json_t *
gw_api_list_body(const char *path, const char *key, json_t *items,
    const struct gw_api_page *pg)
{
	/* The fixed fields in alphabetical order; key goes in between. */
	struct {
		const char	*name;
		json_t		*value;
	} f[9];
	unsigned start = pg->page * pg->page_size;
	json_t *o = json_object();
	size_t i, n = 0;
	int placed = 0;

#define GW_FIELD(k, v)	do {						\
	if (!placed && strcmp(key, k) < 0) {				\
		f[n].name = key, f[n++].value = items;			\
		placed = 1;						\
	}								\
	f[n].name = k, f[n++].value = (v);				\
} while (0)
	GW_FIELD("end", json_integer(pg->n > 0 ? start + pg->n - 1 : start));
	GW_FIELD("first_page_uri", gw_api_page_link("", path, pg, 0, NULL));
	GW_FIELD("next_page_uri", pg->has_next ? gw_api_page_link("", path,
	    pg, pg->page + 1, pg->next_token) : json_null());
	GW_FIELD("page", json_integer(pg->page));
	GW_FIELD("page_size", json_integer(pg->page_size));
	GW_FIELD("previous_page_uri", pg->has_prev ? gw_api_page_link("",
	    path, pg, pg->page > 0 ? pg->page - 1 : 0, pg->prev_token) :
	    json_null());
	GW_FIELD("start", json_integer(start));
	GW_FIELD("uri", gw_api_page_link("", path, pg, pg->page, pg->token));
#undef GW_FIELD
	if (!placed)
		f[n].name = key, f[n++].value = items;
	for (i = 0; i < n; i++)
		json_object_set_new(o, f[i].name, f[i].value);
	return o;
}

/* Absolute URLs of v1 answers point back at this listener when the Host
 * header is a plain host[:port], so helper libraries page through us. */
static void
gw_api_base_url(struct gw_api_request *r)
{
	const char *host = evhttp_find_header(
	    evhttp_request_get_input_headers(r->req), "Host");

	if (host == NULL || host[0] == '\0' || strlen(host) > 255 ||
	    host[strspn(host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")] != '\0')
		strlcpy(r->base_url, "https://messaging.twilio.com",
		    sizeof r->base_url);
	else
		snprintf(r->base_url, sizeof r->base_url, "http://%s", host);
}

/* The body as a form (any other Content-Type is no parameters). */
static int
gw_api_read_body(struct gw_api_request *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t len = evbuffer_get_length(in), max = r->gw->cfg.max_body;
	const char *type = evhttp_find_header(
	    evhttp_request_get_input_headers(r->req), "Content-Type");

	if (max == 0)
		max = GW_API_BODY_DEFAULT;
	if (len > max) {
		gw_api_fail(r, 20413, "The request body is %zu bytes; the "
		    "limit is %zu", len, max);
		return -1;
	}
	if (len == 0 || (type != NULL && strncasecmp(type,
	    "application/x-www-form-urlencoded", 33) != 0))
		return 0;
	if (gw_form_parse(&r->form, (const char *)evbuffer_pullup(in, -1),
	    len) == -1) {
		gw_api_fail(r, 400, "More than %d parameters",
		    GW_FORM_MAX_PAIRS);
		return -1;
	}
	return 0;
}

/* Everything between the path test and the handler; 0 to run it. */
static int
gw_api_admit(struct gw_api_request *r, const struct gw_api_path *p,
    const struct gw_api_route **route)
{
	const char *query;

	if (strlen(evhttp_request_get_uri(r->req)) > GW_API_URL_MAX) {
		gw_api_fail(r, 20414, "The request URL is longer than %d bytes",
		    GW_API_URL_MAX);
		return -1;
	}
	if (r->gw->stopping) {
		gw_api_fail(r, 20503, "The gateway is shutting down");
		return -1;
	}
	if ((r->account = gw_api_authenticate(r)) == NULL ||
	    (*route = gw_api_route_find(r, p)) == NULL)
		return -1;
	if (!(*route)->v1 && strcmp(r->sids[0], r->account->sid) != 0) {
		log_info("api account-mismatch auth=%s path=%s",
		    r->account->sid, r->path);
		gw_api_fail(r, 20003, "Authenticate");
		return -1;
	}
	if (r->method == EVHTTP_REQ_POST && gw_api_read_body(r) == -1)
		return -1;
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
	if (query != NULL &&
	    gw_form_parse(&r->query, query, strlen(query)) == -1) {
		gw_api_fail(r, 400, "More than %d query parameters",
		    GW_FORM_MAX_PAIRS);
		return -1;
	}
	return 0;
}

int
gw_api_handle(struct gateway *gw, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const struct gw_api_route *route = NULL;
	struct gw_api_request r;
	struct gw_api_path path, *p = &path;

	if (uri == NULL || evhttp_uri_get_path(uri) == NULL)
		return -1;
	if (gw_api_path_split(evhttp_uri_get_path(uri), p) == -1)
		return -1;
	memset(&r, 0, sizeof r);
	r.gw = gw;
	r.req = req;
	r.method = evhttp_request_get_command(req);
	r.format = p->format;
	r.path = evhttp_uri_get_path(uri);
	gw->metrics.api_requests++;
	if (p->v1)
		gw_api_base_url(&r);
	if (gw_api_admit(&r, p, &route) == 0) {
		r.arg = route->arg;
		route->handler(&r);
	}
	gw_form_free(&r.form);
	gw_form_free(&r.query);
	free(p->buf);
	return 0;
}
