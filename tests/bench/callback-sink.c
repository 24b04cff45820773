/*
 * callback-sink: the webhook receiver of the gateway benchmark (issue 5,
 * docs/performance.md). An evhttp server that answers 200 to every
 * request and counts the status callbacks in them:
 *
 * - Twilio status callbacks (POST, form body): MessageStatus and
 *   MessageSid (SmsStatus and SmsSid when those are missing);
 * - Kannel delivery reports (the dlr-url http-load --kannel asks for,
 *   fetched with GET): id={n}&type=%d in the query, the type a DLR bit
 *   named below.
 *
 * A message reaches a final status with delivered, undelivered or failed;
 * the sink keeps the set of ids that did, so a duplicate final callback
 * is counted once, and can stop when --expect of them have arrived or
 * when --timeout passes. Times are epoch microseconds (the wall clock, as
 * http-load reports its start), so the script can compute first create to
 * last final callback across the two processes.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "common/clock.h"
#include "common/duration.h"
#include "common/evbase.h"
#include "common/log.h"
#include "common/tree.h"
#include "common/xmalloc.h"
#include "tests/bench/cpu-time.h"

#define SINK_JSON_VERSION	1
#define SINK_BODY_MAX		65536
#define SINK_VALUE_MAX		64	/* a Sid is 34, a status ~12 */
#define SINK_LABELS_MAX		32	/* distinct status names counted */
#define SINK_GRACE_USEC		(CLOCK_USEC_PER_SEC / 5)
#define SINK_USAGE_EXIT		2

#define SINK_HELP_INDENT "\n      "
#define SINK_OPTIONS(X)							\
	X(LISTEN, "listen", 1, " HOST:PORT",				\
	    "where to listen (default 127.0.0.1:0, a free port)")	\
	X(READY_FILE, "ready-file", 1, " PATH",				\
	    "write {\"address\": ..., \"url\": ...} here once listening") \
	X(EXPECT, "expect", 1, " N",					\
	    "stop once N distinct messages reached a final status")	\
	X(TIMEOUT, "timeout", 1, " DURATION",				\
	    "stop after this long in any case (default: never)")	\
	X(LOG, "log", 1, " PATH",					\
	    "append each request as a line: METHOD URI AUTHORIZATION BODY") \
	X(JSON, "json", 0, "", "the report as JSON on stdout")		\
	X(HELP, "help", 0, "", "this text")

enum sink_option {
	SINK_OPT_NONE = 256,
#define SINK_OPT_ENUM(id, name, arg, meta, help)	SINK_OPT_##id,
	SINK_OPTIONS(SINK_OPT_ENUM)
#undef SINK_OPT_ENUM
};

static const struct option sink_longopts[] = {
#define SINK_OPT_ROW(id, name, arg, meta, help) \
	{ name, arg ? required_argument : no_argument, NULL, SINK_OPT_##id },
	SINK_OPTIONS(SINK_OPT_ROW)
#undef SINK_OPT_ROW
	{ NULL, 0, NULL, 0 },
};

/* Kannel's DLR types (its %d escape) as the Twilio status they mean. */
#define SINK_KANNEL_TYPES(X)						\
	X(1, "delivered")	/* delivered to the phone */		\
	X(2, "undelivered")	/* not delivered to the phone */	\
	X(4, "queued")		/* queued on the SMSC */		\
	X(8, "sent")		/* accepted by the SMSC */		\
	X(16, "failed")		/* rejected by the SMSC */

#define SINK_FINALS(X)							\
	X("delivered") X("undelivered") X("failed")

struct sink_opts {
	const char	*listen;
	const char	*ready_file;
	const char	*log;
	uint64_t	 expect;
	int64_t		 timeout;
	int		 json;
};

struct sink_label {
	char		 name[SINK_VALUE_MAX];
	uint64_t	 count;
};

struct sink_final {
	RB_ENTRY(sink_final)	 entry;
	char			 id[SINK_VALUE_MAX];
};

RB_HEAD(sink_finals, sink_final);

static int
sink_final_cmp(const struct sink_final *a, const struct sink_final *b)
{
	return strcmp(a->id, b->id);
}

TREE_GENERATE_STATIC(sink_finals, sink_final, entry, sink_final_cmp)

struct sink_stats {
	uint64_t	 requests;
	uint64_t	 posts;
	uint64_t	 gets;
	uint64_t	 callbacks;	/* with a status and an id */
	uint64_t	 unparsed;	/* answered, but no status or id */
	uint64_t	 finals;	/* distinct ids */
	uint64_t	 duplicates;	/* final again for a final id */
	struct sink_label labels[SINK_LABELS_MAX];
	size_t		 nlabels;
	uint64_t	 other_labels;
	int64_t		 started_at;
	int64_t		 first_callback_at;
	int64_t		 last_callback_at;
	int64_t		 first_final_at;
	int64_t		 last_final_at;
};

struct sink {
	struct event_base	*base;
	struct clock		*clock;
	const struct sink_opts	*o;
	struct evhttp		*http;
	FILE			*log;
	char			 address[80];
	struct sink_finals	 finals;
	struct clock_timer	*t_stop;
	struct clock_timer	*t_timeout;
	struct event		*ev_int;
	struct event		*ev_term;
	int			 reached;
	struct sink_stats	 st;
};

/* ---- options ---- */

static int sink_usage(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

static int
sink_usage(const char *opt, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "callback-sink: --%s: ", opt);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static void
sink_help(void)
{
	printf("usage: callback-sink [options]\n\n"
	    "Answers 200 to every request and counts Twilio status callbacks\n"
	    "and Kannel delivery reports.\n\n");
#define SINK_OPT_HELP(id, name, arg, meta, help) \
	printf("  --%s%s\n      %s\n", name, meta, help);
	SINK_OPTIONS(SINK_OPT_HELP)
#undef SINK_OPT_HELP
}

static int
sink_parse_one(struct sink_opts *o, int ch, const char *opt, char *arg)
{
	double v;
	char *end;

	switch (ch) {
	case SINK_OPT_LISTEN: o->listen = arg; return 0;
	case SINK_OPT_READY_FILE: o->ready_file = arg; return 0;
	case SINK_OPT_LOG: o->log = arg; return 0;
	case SINK_OPT_JSON: o->json = 1; return 0;
	case SINK_OPT_EXPECT:
		errno = 0;
		o->expect = strtoull(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-')
			return sink_usage(opt, "\"%s\" is not a count", arg);
		return 0;
	case SINK_OPT_TIMEOUT:
		if (duration_parse(arg, &v) == -1 || v < 1 ||
		    v > (double)DURATION_MAX)
			return sink_usage(opt, "\"%s\" is not a duration "
			    "(500ms, 30s, 2m)", arg);
		o->timeout = (int64_t)llround(v);
		return 0;
	case SINK_OPT_HELP:
		sink_help();
		return 1;
	default:
		return -1;
	}
}

static int
sink_parse(int argc, char **argv, struct sink_opts *o)
{
	int ch, index, rc;

	memset(o, 0, sizeof *o);
	o->listen = "127.0.0.1:0";
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", sink_longopts, &index)) !=
	    -1) {
		if (ch == '?' || ch == ':') {
			fprintf(stderr, "callback-sink: %s: unknown option or "
			    "missing argument (see --help)\n",
			    argv[optind - 1]);
			return -1;
		}
		if ((rc = sink_parse_one(o, ch, sink_longopts[index].name,
		    optarg)) != 0)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "callback-sink: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	return 0;
}

/* ---- reading a form ---- */

/* URL-decodes s[0..len) into out (libevent's decoder, '+' as space);
 * -1 when it does not fit. */
static int
sink_decode(const char *s, size_t len, char *out, size_t outlen)
{
	char *raw = strndup(s, len), *dec = NULL;
	size_t n = 0;
	int rc = -1;

	if (raw != NULL && (dec = evhttp_uridecode(raw, 1, &n)) != NULL &&
	    n < outlen) {
		memcpy(out, dec, n + 1);
		rc = 0;
	}
	free(dec);
	free(raw);
	return rc;
}

/*
 * Finds key in a form (a=1&b=2) and decodes its first value into out.
 * 0 when found and decoded, -1 otherwise.
 */
static int
sink_form_get(const char *form, size_t len, const char *key, char *out,
    size_t outlen)
{
	size_t klen = strlen(key), i = 0, end;
	const char *amp;

	while (i < len) {
		amp = memchr(form + i, '&', len - i);
		end = amp != NULL ? (size_t)(amp - form) : len;
		if (end - i > klen && memcmp(form + i, key, klen) == 0 &&
		    form[i + klen] == '=')
			return sink_decode(form + i + klen + 1,
			    end - i - klen - 1, out, outlen);
		i = end + 1;
	}
	return -1;
}

/* ---- counting ---- */

static int
sink_is_final(const char *status)
{
#define SINK_FINAL_CMP(name)	if (strcmp(status, name) == 0) return 1;
	SINK_FINALS(SINK_FINAL_CMP)
#undef SINK_FINAL_CMP
	return 0;
}

static const char *
sink_kannel_status(const char *type)
{
	char *end;
	long t = strtol(type, &end, 10);

	if (end == type || *end != '\0')
		return NULL;
	switch (t) {
#define SINK_KANNEL_CASE(bit, name)	case bit: return name;
	SINK_KANNEL_TYPES(SINK_KANNEL_CASE)
#undef SINK_KANNEL_CASE
	default:
		return NULL;
	}
}

static void
sink_count_label(struct sink_stats *st, const char *status)
{
	size_t i;

	for (i = 0; i < st->nlabels; i++)
		if (strcmp(st->labels[i].name, status) == 0) {
			st->labels[i].count++;
			return;
		}
	if (st->nlabels == SINK_LABELS_MAX) {
		st->other_labels++;
		return;
	}
	snprintf(st->labels[st->nlabels].name, SINK_VALUE_MAX, "%s", status);
	st->labels[st->nlabels++].count = 1;
}

static void
sink_count_final(struct sink *s, const char *id, int64_t now)
{
	struct sink_final *f = xcalloc(1, sizeof *f);

	snprintf(f->id, sizeof f->id, "%s", id);
	if (RB_INSERT(sink_finals, &s->finals, f) != NULL) {
		free(f);
		s->st.duplicates++;
		return;
	}
	s->st.finals++;
	if (s->st.first_final_at == 0)
		s->st.first_final_at = now;
	s->st.last_final_at = now;
	if (s->o->expect > 0 && s->st.finals == s->o->expect && !s->reached) {
		s->reached = 1;
		/* Let the last replies leave before the loop stops. */
		clock_timer_add(s->t_stop, SINK_GRACE_USEC);
	}
}

/* A callback's id and status from a form: Twilio's, else Kannel's. */
static int
sink_callback(const char *form, size_t len, char *id, char *status)
{
	char type[SINK_VALUE_MAX];
	const char *name;

	if ((sink_form_get(form, len, "MessageSid", id, SINK_VALUE_MAX) == 0 ||
	    sink_form_get(form, len, "SmsSid", id, SINK_VALUE_MAX) == 0) &&
	    (sink_form_get(form, len, "MessageStatus", status,
	    SINK_VALUE_MAX) == 0 || sink_form_get(form, len, "SmsStatus",
	    status, SINK_VALUE_MAX) == 0))
		return id[0] != '\0' && status[0] != '\0' ? 0 : -1;
	if (sink_form_get(form, len, "id", id, SINK_VALUE_MAX) == 0 &&
	    sink_form_get(form, len, "type", type, sizeof type) == 0 &&
	    (name = sink_kannel_status(type)) != NULL && id[0] != '\0') {
		snprintf(status, SINK_VALUE_MAX, "%s", name);
		return 0;
	}
	return -1;
}

static void
sink_count(struct sink *s, const char *form, size_t len)
{
	char id[SINK_VALUE_MAX], status[SINK_VALUE_MAX];
	int64_t now = clock_now(s->clock);

	if (sink_callback(form, len, id, status) == -1) {
		s->st.unparsed++;
		return;
	}
	s->st.callbacks++;
	if (s->st.first_callback_at == 0)
		s->st.first_callback_at = now;
	s->st.last_callback_at = now;
	sink_count_label(&s->st, status);
	if (sink_is_final(status))
		sink_count_final(s, id, now);
}

/* ---- the server ---- */

/* One line per request, for tests and for looking at what a gateway
 * sends: the body's newlines would break the line, so they are escaped. */
static void
sink_log(struct sink *s, struct evhttp_request *req, const char *method,
    const char *body, size_t len)
{
	const char *auth = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Authorization");
	size_t i;

	fprintf(s->log, "%s %s %s ", method, evhttp_request_get_uri(req),
	    auth != NULL ? auth : "-");
	for (i = 0; i < len; i++) {
		if (body[i] == '\n')
			fputs("\\n", s->log);
		else
			fputc(body[i], s->log);
	}
	fputc('\n', s->log);
}

static void
sink_request_cb(struct evhttp_request *req, void *arg)
{
	struct sink *s = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	size_t len = evbuffer_get_length(in);
	const char *body = len > 0 ? (const char *)evbuffer_pullup(in, -1) :
	    "";
	const char *query;

	s->st.requests++;
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_POST:
		s->st.posts++;
		sink_count(s, body, len);
		break;
	case EVHTTP_REQ_GET:
		s->st.gets++;
		query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
		sink_count(s, query != NULL ? query : "",
		    query != NULL ? strlen(query) : 0);
		break;
	default:
		s->st.unparsed++;
		break;
	}
	if (s->log != NULL)
		sink_log(s, req, evhttp_request_get_command(req) ==
		    EVHTTP_REQ_POST ? "POST" : evhttp_request_get_command(req) ==
		    EVHTTP_REQ_GET ? "GET" : "OTHER", body, len);
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
sink_stop_cb(struct clock_timer *t, void *arg)
{
	struct sink *s = arg;

	(void)t;
	event_base_loopbreak(s->base);
}

static void
sink_signal_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sink *s = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(s->base);
}

static int
sink_write_ready(const struct sink *s, const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("callback-sink ready-file path=%s", tmp);
		return -1;
	}
	fprintf(f, "{\"address\": \"%s\", \"url\": \"http://%s/\"}\n",
	    s->address, s->address);
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		log_warn("callback-sink ready-file path=%s", path);
		return -1;
	}
	return 0;
}

static int
sink_listen(struct sink *s, const char *listen)
{
	const char *colon = strrchr(listen, ':');
	struct evhttp_bound_socket *bound;
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	char host[64];
	long port;
	char *end;

	port = colon != NULL ? strtol(colon + 1, &end, 10) : -1;
	if (colon == NULL || *end != '\0' || colon[1] == '\0' || port < 0 ||
	    port > 65535 || (size_t)(colon - listen) >= sizeof host) {
		fprintf(stderr, "callback-sink: --listen: \"%s\" is not "
		    "HOST:PORT\n", listen);
		return -1;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
	if ((bound = evhttp_bind_socket_with_handle(s->http, host,
	    (ev_uint16_t)port)) == NULL) {
		fprintf(stderr, "callback-sink: cannot listen on %s\n",
		    listen);
		return -1;
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &slen) == -1 || sin.sin_family != AF_INET)
		fatal("callback-sink getsockname");
	snprintf(s->address, sizeof s->address, "%s:%u",
	    inet_ntoa(sin.sin_addr), (unsigned)ntohs(sin.sin_port));
	return 0;
}

static int
sink_start(struct sink *s)
{
	RB_INIT(&s->finals);
	s->http = evhttp_new(s->base);
	evhttp_set_max_body_size(s->http, SINK_BODY_MAX);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT);
	evhttp_set_gencb(s->http, sink_request_cb, s);
	if (sink_listen(s, s->o->listen) == -1)
		return -1;
	if (s->o->log != NULL && (s->log = fopen(s->o->log, "a")) == NULL) {
		fprintf(stderr, "callback-sink: --log: %s: %s\n", s->o->log,
		    strerror(errno));
		return -1;
	}
	s->t_stop = clock_timer_new(s->clock, sink_stop_cb, s);
	s->t_timeout = clock_timer_new(s->clock, sink_stop_cb, s);
	if (s->o->timeout > 0)
		clock_timer_add(s->t_timeout, s->o->timeout);
	s->ev_int = evsignal_new(s->base, SIGINT, sink_signal_cb, s);
	s->ev_term = evsignal_new(s->base, SIGTERM, sink_signal_cb, s);
	event_add(s->ev_int, NULL);
	event_add(s->ev_term, NULL);
	s->st.started_at = clock_now(s->clock);
	if (s->o->ready_file != NULL &&
	    sink_write_ready(s, s->o->ready_file) == -1)
		return -1;
	return 0;
}

/* ---- the report ---- */

static double
sink_span(int64_t from, int64_t to)
{
	return from > 0 && to > from ? (double)(to - from) / 1e6 : 0;
}

static void
sink_report_json(const struct sink *s)
{
	const struct sink_stats *st = &s->st;
	json_t *by = json_object(), *j;
	size_t i;

	for (i = 0; i < st->nlabels; i++)
		json_object_set_new(by, st->labels[i].name,
		    json_integer((json_int_t)st->labels[i].count));
	if (st->other_labels > 0)
		json_object_set_new(by, "other",
		    json_integer((json_int_t)st->other_labels));
	j = json_pack("{s:i, s:s, s:I, s:{s:I, s:I}, s:I, s:I, s:o, "
	    "s:{s:I, s:I}, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:f}",
	    "version", SINK_JSON_VERSION, "address", s->address,
	    "requests", (json_int_t)st->requests,
	    "methods", "POST", (json_int_t)st->posts,
	    "GET", (json_int_t)st->gets,
	    "callbacks", (json_int_t)st->callbacks,
	    "unparsed", (json_int_t)st->unparsed,
	    "by_status", by,
	    "final", "distinct", (json_int_t)st->finals,
	    "duplicates", (json_int_t)st->duplicates,
	    "expect", (json_int_t)s->o->expect,
	    "reached", s->o->expect > 0 && st->finals >= s->o->expect,
	    "started_at", (json_int_t)st->started_at,
	    "first_callback_at", (json_int_t)st->first_callback_at,
	    "last_callback_at", (json_int_t)st->last_callback_at,
	    "first_final_at", (json_int_t)st->first_final_at,
	    "last_final_at", (json_int_t)st->last_final_at,
	    "callbacks_span_s", sink_span(st->first_callback_at,
	    st->last_final_at));
	/* Its own CPU, user and system, for the benchmark's budget. */
	json_object_set_new(j, "cpu_s", json_real(bench_cpu_seconds()));
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(j);
}

static void
sink_report_text(const struct sink *s)
{
	const struct sink_stats *st = &s->st;
	size_t i;

	printf("callback-sink %s: %" PRIu64 " requests, %" PRIu64
	    " callbacks, %" PRIu64 " unparsed\n", s->address, st->requests,
	    st->callbacks, st->unparsed);
	for (i = 0; i < st->nlabels; i++)
		printf("  %s: %" PRIu64 "\n", st->labels[i].name,
		    st->labels[i].count);
	printf("final: %" PRIu64 " messages (%" PRIu64 " duplicates)",
	    st->finals, st->duplicates);
	if (s->o->expect > 0)
		printf(", expected %" PRIu64 "%s", s->o->expect,
		    st->finals >= s->o->expect ? "" : " (NOT reached)");
	printf("\nfirst callback to last final: %.3f s\n",
	    sink_span(st->first_callback_at, st->last_final_at));
}

static void
sink_free(struct sink *s)
{
	struct sink_final *f, *next;

	RB_FOREACH_SAFE(f, sink_finals, &s->finals, next) {
		RB_REMOVE(sink_finals, &s->finals, f);
		free(f);
	}
	if (s->http != NULL)
		evhttp_free(s->http);
	if (s->log != NULL)
		fclose(s->log);
	clock_timer_free(s->t_stop);
	clock_timer_free(s->t_timeout);
	if (s->ev_int != NULL)
		event_free(s->ev_int);
	if (s->ev_term != NULL)
		event_free(s->ev_term);
}

int
main(int argc, char **argv)
{
	struct sink s;
	struct sink_opts o;
	int rc;

	log_set_level(LOG_LEVEL_WARN);
	if ((rc = sink_parse(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : SINK_USAGE_EXIT;
	memset(&s, 0, sizeof s);
	s.o = &o;
	s.base = evbase_new();
	if ((s.clock = clock_new(s.base, CLOCK_MODE_REAL, 0, 1.0)) == NULL)
		fatalx("callback-sink: no clock");
	if (sink_start(&s) == -1) {
		sink_free(&s);
		return SINK_USAGE_EXIT;
	}
	event_base_dispatch(s.base);
	if (o.json)
		sink_report_json(&s);
	else
		sink_report_text(&s);
	fflush(stdout);
	rc = o.expect == 0 || s.st.finals >= o.expect ? 0 : 1;
	sink_free(&s);
	clock_free(s.clock);
	event_base_free(s.base);
	return rc;
}
