/*
 * http-load: the load generator of the gateway benchmark (issue 5,
 * docs/performance.md). It creates messages through the Twilio Messages
 * API (POST .../Messages.json, form-encoded, HTTP Basic) or, with
 * --kannel, through Kannel's sendsms GET interface, over N keep-alive
 * connections, and reports the responses by HTTP status, the throughput
 * and the create latency percentiles.
 *
 * With --rate the load is open loop: request i is due at start + i/rate
 * whether or not earlier ones were answered, and its latency runs from
 * that scheduled time, so a server that stalls is charged for the
 * requests that queued behind the stall (no coordinated omission). A
 * due request waits for a free connection; each connection carries one
 * request at a time. Without --rate every connection sends its next
 * request as soon as the previous one is answered, and latency runs from
 * the send.
 *
 * The options are one table, HL_OPTIONS, from which the getopt table, the
 * option ids and --help come.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "common/cli.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/histogram.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "tests/bench/cpu-time.h"

#define HL_JSON_VERSION		1
#define HL_STATUS_MAX		600	/* HTTP codes 100..599 counted */
#define HL_ERROR_BODY_MAX	300	/* of the first non-2xx answer */
#define HL_NUMBER_MAX		32
#define HL_USAGE_EXIT		2

#define HL_HELP_INDENT "\n                      "
#define HL_OPTIONS(X)							\
	X(URL, "url", 1, " URL",					\
	    "the server (default http://127.0.0.1:8080, with --kannel"	\
	    HL_HELP_INDENT "http://127.0.0.1:13013)")			\
	X(AUTH, "auth", 1, " USER:PASS",				\
	    "AccountSid:AuthToken (or SK key:secret), sent as HTTP"	\
	    HL_HELP_INDENT "Basic; with --kannel the sendsms username and" \
	    HL_HELP_INDENT "password")					\
	X(ACCOUNT, "account", 1, " AC...",				\
	    "the account of the path (default: USER of --auth)")	\
	X(CONNECTIONS, "connections", 1, " N",				\
	    "keep-alive connections (default 16)")			\
	X(COUNT, "count", 1, " N", "requests to send (default 1000)")	\
	X(RATE, "rate", 1, " R",					\
	    "requests per second, open loop; 0 (the default) sends as" \
	    HL_HELP_INDENT "fast as the connections allow")		\
	X(DURATION, "duration", 1, " DURATION",				\
	    "with --rate: send for this long (count = rate x duration)") \
	X(TO, "to", 1, " NUMBER|FIRST-LAST",				\
	    "To, or a range of numbers used in turn"			\
	    HL_HELP_INDENT "(default +14155550000-+14155559999)")	\
	X(FROM, "from", 1, " NUMBER", "From (default +14155550100)")	\
	X(SERVICE, "messaging-service-sid", 1, " MG...",		\
	    "MessagingServiceSid, instead of or with From")		\
	X(BODY, "body", 1, " TEXT",					\
	    "Body; {n} stands for the request's number (default"	\
	    HL_HELP_INDENT "\"carrierlab bench {n}\")")			\
	X(STATUS_CALLBACK, "status-callback", 1, " URL",		\
	    "StatusCallback; with --kannel the dlr-url, to which"	\
	    HL_HELP_INDENT "?id={n}&type=%d is added")			\
	X(FORM, "form", 1, " KEY=VALUE",				\
	    "one more parameter (repeatable; {n} allowed in VALUE)")	\
	X(KANNEL, "kannel", 0, "",					\
	    "GET /cgi-bin/sendsms?username=..&to=..&text=.. instead")	\
	X(DLR_MASK, "dlr-mask", 1, " N",				\
	    "with --kannel and --status-callback (default 31)")	\
	X(TIMEOUT, "timeout", 1, " DURATION",				\
	    "a request unanswered this long fails (default 30s)")	\
	X(JSON, "json", 0, "", "the report as JSON on stdout")		\
	X(PROGRESS, "progress", 0, "", "a progress line on stderr each second") \
	X(HELP, "help", 0, "", "this text")

enum hl_option {
	HL_OPT_NONE = 256,
#define HL_OPT_ENUM(id, name, arg, meta, help)	HL_OPT_##id,
	HL_OPTIONS(HL_OPT_ENUM)
#undef HL_OPT_ENUM
};

static const struct option hl_longopts[] = {
#define HL_OPT_ROW(id, name, arg, meta, help) \
	{ name, arg ? required_argument : no_argument, NULL, HL_OPT_##id },
	HL_OPTIONS(HL_OPT_ROW)
#undef HL_OPT_ROW
	{ NULL, 0, NULL, 0 },
};

/* libevent's request errors, named for the report. */
#define HL_ERRORS(X)							\
	X(EVREQ_HTTP_TIMEOUT, "timeout")				\
	X(EVREQ_HTTP_EOF, "closed")					\
	X(EVREQ_HTTP_INVALID_HEADER, "invalid_header")			\
	X(EVREQ_HTTP_BUFFER_ERROR, "connect")				\
	X(EVREQ_HTTP_REQUEST_CANCEL, "canceled")			\
	X(EVREQ_HTTP_DATA_TOO_LONG, "too_long")

enum hl_error {
#define HL_ERR_ENUM(ev, name)	HL_ERR_##ev,
	HL_ERRORS(HL_ERR_ENUM)
#undef HL_ERR_ENUM
	HL_ERR_OTHER,
	HL_ERR_COUNT
};

static const char *const hl_error_names[HL_ERR_COUNT] = {
#define HL_ERR_NAME(ev, name)	name,
	HL_ERRORS(HL_ERR_NAME)
#undef HL_ERR_NAME
	"other",
};

/*
 * A request template: literal text (already URL-encoded) with slots
 * between the pieces. After piece i comes slot[i]: nothing, the request's
 * number or its To number.
 */
enum hl_slot {
	HL_SLOT_END,
	HL_SLOT_N,
	HL_SLOT_TO,
};

struct hl_piece {
	char		*text;
	size_t		 len;
	enum hl_slot	 slot;
};

struct hl_template {
	struct hl_piece	*pieces;
	size_t		 npieces;
};

struct hl_opts {
	const char	*url;
	const char	*auth;
	const char	*account;
	unsigned	 connections;
	uint64_t	 count;
	double		 rate;
	int64_t		 duration;	/* usec, 0: by count */
	const char	*to;
	const char	*from;
	const char	*service;
	const char	*body;
	const char	*status_callback;
	char	       **forms;
	size_t		 nforms;
	int		 kannel;
	unsigned	 dlr_mask;
	int64_t		 timeout;
	int		 json;
	int		 progress;
};

struct hl;

struct hl_conn {
	struct hl		*hl;
	struct evhttp_connection *evcon;
	uint64_t		 index;		/* of the request in flight */
	int64_t			 t0;		/* when it was due or sent */
	enum hl_error		 error;		/* set by the error callback */
	int			 failed;
	SLIST_ENTRY(hl_conn)	 free_entry;
};

struct hl_stats {
	uint64_t	 sent;
	uint64_t	 done;		/* answered or failed */
	uint64_t	 created;	/* 2xx */
	uint64_t	 behind;	/* sent > 1 ms after they were due */
	uint64_t	 status[HL_STATUS_MAX];
	uint64_t	 status_other;
	uint64_t	 errors[HL_ERR_COUNT];
	int64_t		 start;		/* epoch usec */
	int64_t		 first_response;
	int64_t		 end;
	int		 first_error_code;
	char		 first_error_body[HL_ERROR_BODY_MAX + 1];
	struct histogram latency;	/* usec */
};

struct hl {
	struct event_base	*base;
	struct clock		*clock;
	const struct hl_opts	*o;
	char			 host[256];
	int			 port;
	char			*path;		/* with the query in --kannel */
	char			*authorization;	/* "Basic ..." or NULL */
	struct hl_template	 tmpl;
	char			 to_prefix[HL_NUMBER_MAX];
	uint64_t		 to_first;
	uint64_t		 to_span;	/* numbers in the range */
	int			 to_width;	/* digits, zero-padded */
	struct hl_conn		*conns;
	SLIST_HEAD(, hl_conn)	 free;
	uint64_t		 due;		/* requests due so far */
	struct clock_timer	*t_schedule;
	struct clock_timer	*t_progress;
	struct hl_stats		 st;
};

static void	hl_pump(struct hl *);

/* ---- options ---- */

#define HL_PROG	"http-load"

static void
hl_help(void)
{
	printf("usage: http-load [options]\n\n"
	    "Creates messages over HTTP keep-alive connections and reports\n"
	    "responses, throughput and create latency.\n\n");
#define HL_OPT_HELP(id, name, arg, meta, help) \
	printf("  --%s%s\n      %s\n", name, meta, help);
	HL_OPTIONS(HL_OPT_HELP)
#undef HL_OPT_HELP
}

/* 0, 1 when --help was printed, -1 for a usage error (reported). */
static int
hl_parse_one(struct hl_opts *o, int ch, const char *opt, char *arg)
{
	uint64_t n;
	char *end;

	switch (ch) {
	case HL_OPT_URL: o->url = arg; return 0;
	case HL_OPT_AUTH: o->auth = arg; return 0;
	case HL_OPT_ACCOUNT: o->account = arg; return 0;
	case HL_OPT_TO: o->to = arg; return 0;
	case HL_OPT_FROM: o->from = arg; return 0;
	case HL_OPT_SERVICE: o->service = arg; return 0;
	case HL_OPT_BODY: o->body = arg; return 0;
	case HL_OPT_STATUS_CALLBACK: o->status_callback = arg; return 0;
	case HL_OPT_KANNEL: o->kannel = 1; return 0;
	case HL_OPT_JSON: o->json = 1; return 0;
	case HL_OPT_PROGRESS: o->progress = 1; return 0;
	case HL_OPT_FORM:
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			return cli_fail(HL_PROG, opt, "\"%s\" is not KEY=VALUE", arg);
		o->forms = xreallocarray(o->forms, o->nforms + 1,
		    sizeof *o->forms);
		o->forms[o->nforms++] = arg;
		return 0;
	case HL_OPT_CONNECTIONS:
		if (cli_u64(HL_PROG, opt, arg, 1, 10000, &n) == -1)
			return -1;
		o->connections = (unsigned)n;
		return 0;
	case HL_OPT_COUNT:
		return cli_u64(HL_PROG, opt, arg, 1, UINT64_C(1) << 40, &o->count);
	case HL_OPT_DLR_MASK:
		if (cli_u64(HL_PROG, opt, arg, 0, 255, &n) == -1)
			return -1;
		o->dlr_mask = (unsigned)n;
		return 0;
	case HL_OPT_RATE:
		o->rate = strtod(arg, &end);
		if (end == arg || *end != '\0' || !(o->rate >= 0) ||
		    o->rate > 1e7)
			return cli_fail(HL_PROG, opt, "\"%s\" is not a rate from 0 to "
			    "1e7", arg);
		return 0;
	case HL_OPT_DURATION:
		return cli_duration(HL_PROG, opt, arg, 1, &o->duration);
	case HL_OPT_TIMEOUT:
		return cli_duration(HL_PROG, opt, arg, 1, &o->timeout);
	case HL_OPT_HELP:
		hl_help();
		return 1;
	default:
		return -1;
	}
}

static int
hl_parse(int argc, char **argv, struct hl_opts *o)
{
	int ch, index, rc;

	memset(o, 0, sizeof *o);
	o->connections = 16;
	o->count = 1000;
	o->to = "+14155550000-+14155559999";
	o->from = "+14155550100";
	o->body = "carrierlab bench {n}";
	o->dlr_mask = 31;
	o->timeout = 30 * CLOCK_USEC_PER_SEC;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", hl_longopts, &index)) != -1) {
		if (ch == '?' || ch == ':') {
			fprintf(stderr, "http-load: %s: unknown option or "
			    "missing argument (see --help)\n",
			    argv[optind - 1]);
			return -1;
		}
		if ((rc = hl_parse_one(o, ch, hl_longopts[index].name,
		    optarg)) != 0)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "http-load: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	if (o->duration > 0) {
		if (o->rate == 0)
			return cli_fail(HL_PROG, "duration", "needs --rate");
		o->count = (uint64_t)llround(o->rate *
		    (double)o->duration / 1e6);
		if (o->count == 0)
			o->count = 1;
	}
	if (o->url == NULL)
		o->url = o->kannel ? "http://127.0.0.1:13013" :
		    "http://127.0.0.1:8080";
	return 0;
}

/* ---- setting up: the target, auth, the To range, the template ---- */

static int
hl_target(struct hl *hl, const char *url)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *scheme, *host;

	if (u == NULL || (scheme = evhttp_uri_get_scheme(u)) == NULL ||
	    strcmp(scheme, "http") != 0 ||
	    (host = evhttp_uri_get_host(u)) == NULL ||
	    strlen(host) >= sizeof hl->host) {
		fprintf(stderr, "http-load: --url: \"%s\" is not an "
		    "http://HOST[:PORT] URL\n", url);
		if (u != NULL)
			evhttp_uri_free(u);
		return -1;
	}
	snprintf(hl->host, sizeof hl->host, "%s", host);
	hl->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
	evhttp_uri_free(u);
	return 0;
}

static int
hl_authorization(struct hl *hl, const char *auth)
{
	size_t len = strlen(auth);
	unsigned char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock(b64, (const unsigned char *)auth, (int)len);
	xasprintf(&hl->authorization, "Basic %s", b64);
	free(b64);
	return 0;
}

/* "+14155550000" into prefix "+", value and width; -1 if not a number. */
static int
hl_number(const char *s, size_t len, char *prefix, uint64_t *value,
    int *width)
{
	size_t i = 0;

	if (len > 0 && s[0] == '+')
		i = 1;
	if (len - i < 1 || len - i > 18)
		return -1;
	snprintf(prefix, HL_NUMBER_MAX, "%.*s", (int)i, s);
	*value = 0;
	*width = (int)(len - i);
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*value = *value * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

static int
hl_to_range(struct hl *hl, const char *to)
{
	const char *dash = strchr(to + 1, '-');
	char prefix2[HL_NUMBER_MAX];
	uint64_t last;
	int width2;

	if (dash == NULL) {
		if (hl_number(to, strlen(to), hl->to_prefix, &hl->to_first,
		    &hl->to_width) == -1)
			goto bad;
		hl->to_span = 1;
		return 0;
	}
	if (hl_number(to, (size_t)(dash - to), hl->to_prefix, &hl->to_first,
	    &hl->to_width) == -1 || hl_number(dash + 1, strlen(dash + 1),
	    prefix2, &last, &width2) == -1 || last < hl->to_first ||
	    strcmp(prefix2, hl->to_prefix) != 0)
		goto bad;
	hl->to_span = last - hl->to_first + 1;
	return 0;
bad:
	fprintf(stderr, "http-load: --to: \"%s\" is not a number or a range "
	    "FIRST-LAST of numbers (+14155550000-+14155559999)\n", to);
	return -1;
}

static void
hl_piece_add(struct hl_template *t, const char *text, size_t len,
    enum hl_slot slot)
{
	struct hl_piece *p;

	t->pieces = xreallocarray(t->pieces, t->npieces + 1,
	    sizeof *t->pieces);
	p = &t->pieces[t->npieces++];
	p->text = xstrndup(text, len);
	p->len = len;
	p->slot = slot;
}

/* Appends literal text that is already encoded (a key, "=", "&"). */
static void
hl_tmpl_raw(struct hl_template *t, const char *text)
{
	struct hl_piece *p;
	size_t len = strlen(text);

	if (t->npieces == 0 || t->pieces[t->npieces - 1].slot != HL_SLOT_END) {
		hl_piece_add(t, text, len, HL_SLOT_END);
		return;
	}
	p = &t->pieces[t->npieces - 1];
	p->text = xreallocarray(p->text, p->len + len + 1, 1);
	memcpy(p->text + p->len, text, len + 1);
	p->len += len;
}

/* Appends a value, URL-encoded, with every "{n}" in it a slot. */
static void
hl_tmpl_value(struct hl_template *t, const char *value)
{
	const char *brace;
	char *piece, *enc;

	for (;;) {
		brace = strstr(value, "{n}");
		piece = xstrndup(value, brace != NULL ?
		    (size_t)(brace - value) : strlen(value));
		enc = evhttp_uriencode(piece, -1, 0);
		hl_tmpl_raw(t, enc);
		free(enc);
		free(piece);
		if (brace == NULL)
			return;
		t->pieces[t->npieces - 1].slot = HL_SLOT_N;
		value = brace + 3;
	}
}

static void
hl_tmpl_param(struct hl_template *t, const char *key, const char *value)
{
	if (t->npieces > 0)
		hl_tmpl_raw(t, "&");
	hl_tmpl_raw(t, key);
	hl_tmpl_raw(t, "=");
	hl_tmpl_value(t, value);
}

static void
hl_tmpl_to(struct hl_template *t, const char *key)
{
	if (t->npieces > 0)
		hl_tmpl_raw(t, "&");
	hl_tmpl_raw(t, key);
	hl_tmpl_raw(t, "=");
	t->pieces[t->npieces - 1].slot = HL_SLOT_TO;
}

static void
hl_tmpl_forms(struct hl_template *t, const struct hl_opts *o)
{
	char *key;
	size_t i;

	for (i = 0; i < o->nforms; i++) {
		key = xstrndup(o->forms[i], (size_t)(strchr(o->forms[i], '=') -
		    o->forms[i]));
		hl_tmpl_param(t, key, strchr(o->forms[i], '=') + 1);
		free(key);
	}
}

/* Kannel: the query of GET /cgi-bin/sendsms. */
static void
hl_tmpl_kannel(struct hl *hl, const struct hl_opts *o, const char *user,
    const char *pass)
{
	struct hl_template *t = &hl->tmpl;
	char *dlr, mask[16];

	hl_tmpl_raw(t, "/cgi-bin/sendsms?");
	hl_tmpl_raw(t, "username=");
	hl_tmpl_value(t, user);
	hl_tmpl_param(t, "password", pass);
	hl_tmpl_param(t, "from", o->from);
	hl_tmpl_to(t, "to");
	hl_tmpl_param(t, "text", o->body);
	if (o->status_callback != NULL) {
		snprintf(mask, sizeof mask, "%u", o->dlr_mask);
		hl_tmpl_param(t, "dlr-mask", mask);
		xasprintf(&dlr, "%s%cid={n}&type=%%d", o->status_callback,
		    strchr(o->status_callback, '?') != NULL ? '&' : '?');
		hl_tmpl_param(t, "dlr-url", dlr);
		free(dlr);
	}
	hl_tmpl_forms(t, o);
}

/* Twilio: the form body of the create. */
static void
hl_tmpl_twilio(struct hl *hl, const struct hl_opts *o)
{
	struct hl_template *t = &hl->tmpl;

	hl_tmpl_to(t, "To");
	if (o->from[0] != '\0')
		hl_tmpl_param(t, "From", o->from);
	if (o->service != NULL)
		hl_tmpl_param(t, "MessagingServiceSid", o->service);
	hl_tmpl_param(t, "Body", o->body);
	if (o->status_callback != NULL)
		hl_tmpl_param(t, "StatusCallback", o->status_callback);
	hl_tmpl_forms(t, o);
}

static int
hl_setup(struct hl *hl, const struct hl_opts *o)
{
	const char *colon = o->auth != NULL ? strchr(o->auth, ':') : NULL;
	char *user = NULL, *enc;

	if (hl_target(hl, o->url) == -1 || hl_to_range(hl, o->to) == -1)
		return -1;
	if (o->auth != NULL && colon == NULL) {
		fprintf(stderr, "http-load: --auth: \"%s\" is not USER:PASS\n",
		    o->auth);
		return -1;
	}
	if (colon != NULL)
		user = xstrndup(o->auth, (size_t)(colon - o->auth));
	if (o->kannel) {
		hl_tmpl_kannel(hl, o, user != NULL ? user : "",
		    colon != NULL ? colon + 1 : "");
		free(user);
		return 0;
	}
	if (o->account == NULL && user == NULL) {
		fprintf(stderr, "http-load: --auth AC...:TOKEN (or --account) "
		    "is needed for the Messages path\n");
		return -1;
	}
	enc = evhttp_uriencode(o->account != NULL ? o->account : user, -1, 0);
	xasprintf(&hl->path, "/2010-04-01/Accounts/%s/Messages.json", enc);
	free(enc);
	free(user);
	if (o->auth != NULL)
		hl_authorization(hl, o->auth);
	hl_tmpl_twilio(hl, o);
	return 0;
}

/* ---- requests ---- */

static void
hl_render(const struct hl *hl, uint64_t n, struct evbuffer *out)
{
	const struct hl_piece *p;
	size_t i;

	for (i = 0; i < hl->tmpl.npieces; i++) {
		p = &hl->tmpl.pieces[i];
		evbuffer_add(out, p->text, p->len);
		if (p->slot == HL_SLOT_N)
			evbuffer_add_printf(out, "%" PRIu64, n);
		else if (p->slot == HL_SLOT_TO)
			evbuffer_add_printf(out, "%s%0*" PRIu64,
			    hl->to_prefix[0] == '+' ? "%2B" : "",
			    hl->to_width, hl->to_first + n % hl->to_span);
	}
}

static int64_t
hl_due_at(const struct hl *hl, uint64_t i)
{
	return hl->st.start + (int64_t)llround((double)i * 1e6 /
	    hl->o->rate);
}

static void
hl_record_error(struct hl *hl, struct evhttp_request *req, int code)
{
	struct evbuffer *in;
	size_t len;

	if (hl->st.first_error_code != 0)
		return;
	hl->st.first_error_code = code;
	if (req == NULL)
		return;
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if (len > HL_ERROR_BODY_MAX)
		len = HL_ERROR_BODY_MAX;
	evbuffer_copyout(in, hl->st.first_error_body, len);
	hl->st.first_error_body[len] = '\0';
}

static void
hl_count_response(struct hl *hl, struct hl_conn *c,
    struct evhttp_request *req, int64_t now)
{
	struct hl_stats *st = &hl->st;
	int code = req != NULL ? evhttp_request_get_response_code(req) : 0;

	if (req == NULL || code == 0 || c->failed) {
		st->errors[c->failed ? c->error : HL_ERR_OTHER]++;
		hl_record_error(hl, NULL, 0);
		return;
	}
	if (st->first_response == 0)
		st->first_response = now;
	if (code >= 100 && code < HL_STATUS_MAX)
		st->status[code]++;
	else
		st->status_other++;
	if (code >= 200 && code < 300) {
		st->created++;
		histogram_add(&st->latency, now - c->t0);
	} else
		hl_record_error(hl, req, code);
}

static void
hl_done_cb(struct evhttp_request *req, void *arg)
{
	struct hl_conn *c = arg;
	struct hl *hl = c->hl;
	int64_t now = clock_now(hl->clock);

	hl_count_response(hl, c, req, now);
	hl->st.done++;
	c->failed = 0;
	SLIST_INSERT_HEAD(&hl->free, c, free_entry);
	if (hl->st.done == hl->o->count) {
		hl->st.end = now;
		event_base_loopbreak(hl->base);
		return;
	}
	hl_pump(hl);
}

static void
hl_error_cb(enum evhttp_request_error error, void *arg)
{
	struct hl_conn *c = arg;

	c->failed = 1;
	switch (error) {
#define HL_ERR_CASE(ev, name)	case ev: c->error = HL_ERR_##ev; break;
	HL_ERRORS(HL_ERR_CASE)
#undef HL_ERR_CASE
	default:
		c->error = HL_ERR_OTHER;
		break;
	}
}

static void
hl_send(struct hl *hl, struct hl_conn *c, uint64_t i, int64_t now)
{
	struct evhttp_request *req = evhttp_request_new(hl_done_cb, c);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *uri;
	char *path;

	c->index = i;
	c->t0 = hl->o->rate > 0 ? hl_due_at(hl, i) : now;
	if (hl->o->rate > 0 && now - c->t0 > 1000)
		hl->st.behind++;
	evhttp_request_set_error_cb(req, hl_error_cb);
	evhttp_add_header(h, "Host", hl->host);
	hl->st.sent++;
	if (hl->o->kannel) {
		uri = evbuffer_new();
		hl_render(hl, i, uri);
		evbuffer_add(uri, "", 1);
		path = (char *)evbuffer_pullup(uri, -1);
		evhttp_make_request(c->evcon, req, EVHTTP_REQ_GET, path);
		evbuffer_free(uri);
		return;
	}
	if (hl->authorization != NULL)
		evhttp_add_header(h, "Authorization", hl->authorization);
	evhttp_add_header(h, "Content-Type",
	    "application/x-www-form-urlencoded");
	hl_render(hl, i, evhttp_request_get_output_buffer(req));
	evhttp_make_request(c->evcon, req, EVHTTP_REQ_POST, hl->path);
}

/* Sends every due request that has a free connection. */
static void
hl_pump(struct hl *hl)
{
	struct hl_conn *c;
	int64_t now = clock_now(hl->clock);

	while (hl->st.sent < hl->due && (c = SLIST_FIRST(&hl->free)) != NULL) {
		SLIST_REMOVE_HEAD(&hl->free, free_entry);
		hl_send(hl, c, hl->st.sent, now);
	}
}

/* Open loop: moves `due` with the clock and sleeps until the next one. */
static void
hl_schedule_cb(struct clock_timer *t, void *arg)
{
	struct hl *hl = arg;
	int64_t now = clock_now(hl->clock);
	uint64_t due;

	due = (uint64_t)floor((double)(now - hl->st.start) * hl->o->rate /
	    1e6) + 1;
	hl->due = due < hl->o->count ? due : hl->o->count;
	hl_pump(hl);
	if (hl->due < hl->o->count)
		clock_timer_add(t, hl_due_at(hl, hl->due) - now);
}

static void
hl_progress_cb(struct clock_timer *t, void *arg)
{
	struct hl *hl = arg;

	fprintf(stderr, "http-load: sent %" PRIu64 " answered %" PRIu64
	    " created %" PRIu64 "\n", hl->st.sent, hl->st.done,
	    hl->st.created);
	clock_timer_add(t, CLOCK_USEC_PER_SEC);
}

static void
hl_start(struct hl *hl)
{
	unsigned i;

	SLIST_INIT(&hl->free);
	hl->conns = xcalloc(hl->o->connections, sizeof *hl->conns);
	for (i = 0; i < hl->o->connections; i++) {
		hl->conns[i].hl = hl;
		hl->conns[i].evcon = evhttp_connection_base_new(hl->base, NULL,
		    hl->host, (ev_uint16_t)hl->port);
		if (hl->conns[i].evcon == NULL)
			fatalx("http-load connection host=%s: cannot create",
			    hl->host);
		evhttp_connection_set_timeout(hl->conns[i].evcon,
		    (int)((hl->o->timeout + 999999) / CLOCK_USEC_PER_SEC));
		SLIST_INSERT_HEAD(&hl->free, &hl->conns[i], free_entry);
	}
	histogram_init(&hl->st.latency);
	hl->st.start = clock_now(hl->clock);
	if (hl->o->progress) {
		hl->t_progress = clock_timer_new(hl->clock, hl_progress_cb, hl);
		clock_timer_add(hl->t_progress, CLOCK_USEC_PER_SEC);
	}
	if (hl->o->rate > 0) {
		hl->t_schedule = clock_timer_new(hl->clock, hl_schedule_cb, hl);
		hl_schedule_cb(hl->t_schedule, hl);
		return;
	}
	hl->due = hl->o->count;
	hl_pump(hl);
}

/* ---- the report ---- */

static const double hl_percentiles[] = { 50, 90, 99, 99.9 };
static const char *const hl_percentile_keys[] = { "p50", "p90", "p99",
    "p99_9" };
#define HL_NPERCENTILES	(sizeof hl_percentiles / sizeof hl_percentiles[0])

static double
hl_seconds(const struct hl_stats *st)
{
	return st->end > st->start ? (double)(st->end - st->start) / 1e6 : 0;
}

static double
hl_per_second(uint64_t n, double seconds)
{
	return seconds > 0 ? (double)n / seconds : 0;
}

static uint64_t
hl_errors(const struct hl_stats *st)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < HL_ERR_COUNT; i++)
		n += st->errors[i];
	return n;
}

static json_t *
hl_json_latency(const struct histogram *h)
{
	json_t *o = json_object();
	size_t i;

	json_object_set_new(o, "count", json_integer(
	    (json_int_t)histogram_count(h)));
	json_object_set_new(o, "min", json_real(
	    (double)histogram_min(h) / 1000));
	json_object_set_new(o, "mean", json_real(histogram_mean(h) / 1000));
	for (i = 0; i < HL_NPERCENTILES; i++)
		json_object_set_new(o, hl_percentile_keys[i], json_real(
		    (double)histogram_percentile(h, hl_percentiles[i]) / 1000));
	json_object_set_new(o, "max", json_real(
	    (double)histogram_max(h) / 1000));
	return o;
}

static json_t *
hl_json_counts(const struct hl_stats *st)
{
	json_t *by = json_object(), *errors = json_object();
	char code[8];
	int i;

	for (i = 0; i < HL_STATUS_MAX; i++) {
		if (st->status[i] == 0)
			continue;
		snprintf(code, sizeof code, "%d", i);
		json_object_set_new(by, code, json_integer(
		    (json_int_t)st->status[i]));
	}
	if (st->status_other > 0)
		json_object_set_new(by, "other", json_integer(
		    (json_int_t)st->status_other));
	for (i = 0; i < HL_ERR_COUNT; i++)
		if (st->errors[i] > 0)
			json_object_set_new(errors, hl_error_names[i],
			    json_integer((json_int_t)st->errors[i]));
	return json_pack("{s:o, s:o}", "by_status", by, "errors", errors);
}

static void
hl_report_json(const struct hl *hl)
{
	const struct hl_stats *st = &hl->st;
	double s = hl_seconds(st);
	json_t *j, *counts = hl_json_counts(st);

	j = json_pack("{s:i, s:s, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:O, "
	    "s:O, s:I, s:I, s:I, s:f, s:{s:f, s:f}, s:o}",
	    "version", HL_JSON_VERSION,
	    "mode", hl->o->kannel ? "kannel" : "twilio",
	    "requests", (json_int_t)hl->o->count,
	    "connections", (json_int_t)hl->o->connections,
	    "rate", hl->o->rate,
	    "sent", (json_int_t)st->sent,
	    "responses", (json_int_t)(st->done - hl_errors(st)),
	    "created", (json_int_t)st->created,
	    "failed", (json_int_t)hl_errors(st),
	    "by_status", json_object_get(counts, "by_status"),
	    "errors", json_object_get(counts, "errors"),
	    "behind_schedule", (json_int_t)st->behind,
	    "started_at", (json_int_t)st->start,
	    "finished_at", (json_int_t)st->end,
	    "elapsed_s", s,
	    "throughput", "requests_per_s", hl_per_second(st->done, s),
	    "created_per_s", hl_per_second(st->created, s),
	    "latency_ms", hl_json_latency(&st->latency));
	json_decref(counts);
	/* Its own CPU, user and system, for the benchmark's budget. */
	json_object_set_new(j, "cpu_s", json_real(bench_cpu_seconds()));
	if (st->first_error_code != 0 || hl_errors(st) > 0)
		json_object_set_new(j, "first_error", json_pack("{s:i, s:s}",
		    "status", st->first_error_code,
		    "body", st->first_error_body));
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(j);
}

static void
hl_report_text(const struct hl *hl)
{
	const struct hl_stats *st = &hl->st;
	const struct histogram *h = &st->latency;
	double s = hl_seconds(st);
	size_t i;
	int code;

	printf("%s: %" PRIu64 " requests over %u connections in %.3f s",
	    hl->o->kannel ? "kannel sendsms" : "twilio create", st->done,
	    hl->o->connections, s);
	if (hl->o->rate > 0)
		printf(" (target %.0f/s, %" PRIu64 " sent behind schedule)",
		    hl->o->rate, st->behind);
	printf("\ncreated (2xx): %" PRIu64 ", %.1f/s; failed: %" PRIu64 "\n",
	    st->created, hl_per_second(st->created, s), hl_errors(st));
	for (code = 0; code < HL_STATUS_MAX; code++)
		if (st->status[code] > 0)
			printf("  HTTP %d: %" PRIu64 "\n", code,
			    st->status[code]);
	for (code = 0; code < HL_ERR_COUNT; code++)
		if (st->errors[code] > 0)
			printf("  error %s: %" PRIu64 "\n",
			    hl_error_names[code], st->errors[code]);
	if (st->first_error_code != 0)
		printf("first error: HTTP %d %s\n", st->first_error_code,
		    st->first_error_body);
	printf("create latency ms:");
	for (i = 0; i < HL_NPERCENTILES; i++)
		printf(" %s %.3f", hl_percentile_keys[i],
		    (double)histogram_percentile(h, hl_percentiles[i]) / 1000);
	printf(" max %.3f\n", (double)histogram_max(h) / 1000);
}

static void
hl_free(struct hl *hl)
{
	size_t i;

	for (i = 0; i < hl->o->connections && hl->conns != NULL; i++)
		evhttp_connection_free(hl->conns[i].evcon);
	for (i = 0; i < hl->tmpl.npieces; i++)
		free(hl->tmpl.pieces[i].text);
	free(hl->tmpl.pieces);
	free(hl->conns);
	free(hl->path);
	free(hl->authorization);
	clock_timer_free(hl->t_schedule);
	clock_timer_free(hl->t_progress);
}

int
main(int argc, char **argv)
{
	static struct hl hl;	/* the histogram is 30 KiB */
	struct event_config *cfg;
	struct hl_opts o;
	int rc;

	log_set_level(LOG_LEVEL_WARN);
	if ((rc = hl_parse(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : HL_USAGE_EXIT;
	hl.o = &o;
	if (hl_setup(&hl, &o) == -1)
		return HL_USAGE_EXIT;
	/* libevent's default timers run on CLOCK_MONOTONIC_COARSE, a tick
	 * of 4 ms here: the open-loop schedule needs better. The changelist
	 * folds a turn's read and write changes of a connection into one
	 * epoll_ctl: evhttp's client enables and disables them around every
	 * request, which cost a fifth of the generator's CPU (3 us of 17 a
	 * request, measured). */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER) == -1 ||
	    event_config_set_flag(cfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == -1 ||
	    (hl.base = event_base_new_with_config(cfg)) == NULL ||
	    (hl.clock = clock_new(hl.base, CLOCK_MODE_REAL, 0, 1.0)) == NULL)
		fatalx("http-load: no event base");
	event_config_free(cfg);
	hl_start(&hl);
	event_base_dispatch(hl.base);
	if (o.json)
		hl_report_json(&hl);
	else
		hl_report_text(&hl);
	rc = hl.st.created == o.count ? 0 : 1;
	hl_free(&hl);
	clock_free(hl.clock);
	event_base_free(hl.base);
	free(o.forms);
	return rc;
}
