/*
 * The simulator control API on evhttp: a table of routes, one dispatcher
 * that splits and URL-decodes the path, authorizes, checks the method and
 * resolves the carrier, and short handlers that turn carrier.h's JSON into
 * answers. Every answer leaves through sim_reply(), which counts it for
 * /metrics and logs it, so no route can forget either.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <jansson.h>

#include "carriers/carrier.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "scenarios/sim-http.h"
#include "scenarios/sim-internal.h"

#define SIM_HTTP_MAX_SEGMENTS	8	/* the longest route has 6 */
#define SIM_HTTP_MAX_ARGS	2	/* placeholders besides {carrier} */
#define SIM_HTTP_ADDR_MAX	80
#define SIM_PDUS_LIMIT_DEFAULT	100
#define SIM_PDUS_LIMIT_MAX	10000
#define SIM_ROUTE_NONE		SIZE_MAX	/* counts of unmatched paths */

struct sim_count {
	size_t		 route;		/* index in sim_routes or NONE */
	int		 status;
	uint64_t	 n;
};

struct sim_http {
	struct clock		*clock;
	struct evhttp		*http;
	struct evhttp_bound_socket *bound;
	char			 address[SIM_HTTP_ADDR_MAX + 8];
	int			 port;
	char			*admin_token;
	struct carrier		**carriers;
	size_t			 ncarriers;
	void			(*fallback)(struct evhttp_request *, void *);
	void			*fallback_arg;
	void			(*metrics_hook)(struct evbuffer *, void *);
	json_t			*(*message_hook)(const char *, void *);
	void			*message_arg;
	json_t			*(*optout_hook)(const char *, const json_t *,
				    int *, char *, size_t, void *);
	void			*optout_arg;
	struct sim_links_hooks	 links_hooks;	/* NULL members: none */
	void			*links_arg;
	void			*metrics_arg;
	struct sim_count	*counts;
	size_t			 ncounts;
};

/* The request path split at '/', each segment URL-decoded. */
struct sim_path {
	char		*seg[SIM_HTTP_MAX_SEGMENTS];
	size_t		 n;
	int		 bad;	/* too long, empty segment or NUL inside */
};

struct sim_route;

/* One request on its way through the dispatcher and a handler. */
struct sim_call {
	struct sim_http		*sh;
	struct evhttp_request	*req;
	const struct sim_route	*route;		/* of the path; NULL: none */
	const char		*carrier_name;	/* the {carrier} segment */
	struct carrier		*carrier;
	const char		*args[SIM_HTTP_MAX_ARGS];
};

struct sim_route {
	enum evhttp_cmd_type	 method;	/* GET rows also take HEAD */
	const char		*pattern;	/* {x}: any one segment */
	void			(*handler)(struct sim_call *);
};

static void	sim_get_carriers(struct sim_call *);
static void	sim_get_carrier(struct sim_call *);
static void	sim_get_binds(struct sim_call *);
static void	sim_get_pdus(struct sim_call *);
static void	sim_get_message(struct sim_call *);
static void	sim_get_gateway_message(struct sim_call *);
static void	sim_get_optout(struct sim_call *);
static void	sim_put_optout(struct sim_call *);
static void	sim_post_mo(struct sim_call *);
static void	sim_get_faults(struct sim_call *);
static void	sim_put_fault(struct sim_call *);
static void	sim_delete_fault(struct sim_call *);
static void	sim_get_quirks(struct sim_call *);
static void	sim_put_quirk(struct sim_call *);
static void	sim_delete_quirk(struct sim_call *);
static void	sim_get_clock(struct sim_call *);
static void	sim_get_metrics(struct sim_call *);
static void	sim_put_link_outage(struct sim_call *);
static void	sim_post_link_click(struct sim_call *);

/*
 * The routes. A {carrier} segment is looked up by the dispatcher (404 when
 * unknown); other placeholders reach the handler in call->args, in order.
 * The pattern is also the route label of carrierlab_http_requests_total
 * (one label for the rows of a pattern that differ in method only).
 */
static const struct sim_route sim_routes[] = {
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/carriers",
	  .handler = sim_get_carriers },
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/carriers/{carrier}",
	  .handler = sim_get_carrier },
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/carriers/{carrier}/binds",
	  .handler = sim_get_binds },
	{ .method = EVHTTP_REQ_GET,
	  .pattern = "/sim/carriers/{carrier}/binds/{id}/pdus",
	  .handler = sim_get_pdus },
	{ .method = EVHTTP_REQ_GET,
	  .pattern = "/sim/carriers/{carrier}/messages/{id}",
	  .handler = sim_get_message },
	{ .method = EVHTTP_REQ_POST, .pattern = "/sim/carriers/{carrier}/mo",
	  .handler = sim_post_mo },
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/carriers/{carrier}/faults",
	  .handler = sim_get_faults },
	{ .method = EVHTTP_REQ_PUT,
	  .pattern = "/sim/carriers/{carrier}/faults/{name}",
	  .handler = sim_put_fault },
	{ .method = EVHTTP_REQ_POST,
	  .pattern = "/sim/carriers/{carrier}/faults/{name}",
	  .handler = sim_put_fault },
	{ .method = EVHTTP_REQ_DELETE,
	  .pattern = "/sim/carriers/{carrier}/faults/{name}",
	  .handler = sim_delete_fault },
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/carriers/{carrier}/quirks",
	  .handler = sim_get_quirks },
	{ .method = EVHTTP_REQ_PUT,
	  .pattern = "/sim/carriers/{carrier}/quirks/{name}",
	  .handler = sim_put_quirk },
	{ .method = EVHTTP_REQ_POST,
	  .pattern = "/sim/carriers/{carrier}/quirks/{name}",
	  .handler = sim_put_quirk },
	{ .method = EVHTTP_REQ_DELETE,
	  .pattern = "/sim/carriers/{carrier}/quirks/{name}",
	  .handler = sim_delete_quirk },
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/clock",
	  .handler = sim_get_clock },
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/messages/{sid}",
	  .handler = sim_get_gateway_message },
	{ .method = EVHTTP_REQ_GET, .pattern = "/sim/services/{sid}/opt-out",
	  .handler = sim_get_optout },
	{ .method = EVHTTP_REQ_PUT, .pattern = "/sim/services/{sid}/opt-out",
	  .handler = sim_put_optout },
	{ .method = EVHTTP_REQ_PUT, .pattern = "/sim/link-shortener/outage",
	  .handler = sim_put_link_outage },
	{ .method = EVHTTP_REQ_POST, .pattern = "/sim/links/{code}/click",
	  .handler = sim_post_link_click },
	{ .method = EVHTTP_REQ_GET, .pattern = "/metrics",
	  .handler = sim_get_metrics },
};
#define SIM_NROUTES	(sizeof sim_routes / sizeof sim_routes[0])

/* ---- Answers: every one is counted and logged here. ---- */

static const char *
sim_method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:		return "GET";
	case EVHTTP_REQ_POST:		return "POST";
	case EVHTTP_REQ_HEAD:		return "HEAD";
	case EVHTTP_REQ_PUT:		return "PUT";
	case EVHTTP_REQ_DELETE:		return "DELETE";
	case EVHTTP_REQ_OPTIONS:	return "OPTIONS";
	case EVHTTP_REQ_TRACE:		return "TRACE";
	case EVHTTP_REQ_CONNECT:	return "CONNECT";
	case EVHTTP_REQ_PATCH:		return "PATCH";
	}
	return "?";
}

static void
sim_count(struct sim_http *sh, size_t route, int status)
{
	size_t	i;

	for (i = 0; i < sh->ncounts; i++) {
		if (sh->counts[i].route == route &&
		    sh->counts[i].status == status) {
			sh->counts[i].n++;
			return;
		}
	}
	sh->counts = xreallocarray(sh->counts, sh->ncounts + 1,
	    sizeof *sh->counts);
	sh->counts[sh->ncounts++] = (struct sim_count){ route, status, 1 };
}

/* The first row of a route's pattern: rows that differ in method only
 * are counted as one route. */
static size_t
sim_route_label(const struct sim_route *route)
{
	size_t	i;

	for (i = 0; i < SIM_NROUTES; i++)
		if (strcmp(sim_routes[i].pattern, route->pattern) == 0)
			return i;
	return SIM_ROUTE_NONE;
}

static void
sim_reply(struct sim_call *call, int status, const char *type,
    struct evbuffer *body)
{
	struct evhttp_connection *evcon;
	char			*host = NULL;
	ev_uint16_t		 port = 0;

	evcon = evhttp_request_get_connection(call->req);
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &host, &port);
	log_debug("http request peer=%s:%u method=%s uri=%s route=%s "
	    "status=%d", host != NULL ? host : "?", (unsigned)port,
	    sim_method_name(evhttp_request_get_command(call->req)),
	    evhttp_request_get_uri(call->req),
	    call->route != NULL ? call->route->pattern : "none", status);
	sim_count(call->sh, call->route != NULL ?
	    sim_route_label(call->route) : SIM_ROUTE_NONE, status);
	evhttp_add_header(evhttp_request_get_output_headers(call->req),
	    "Content-Type", type);
	evhttp_send_reply(call->req, status, NULL, body);
}

/* Sends o (a reference is stolen) as the body. */
static void
sim_reply_json(struct sim_call *call, int status, json_t *o)
{
	struct evbuffer	*buf = evbuffer_new();
	char		*s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	if (s == NULL) {
		/* The carrier gave no JSON: our fault, not the client's. */
		status = 500;
		evbuffer_add_printf(buf, "{\"code\":500,\"message\":"
		    "\"internal error: no JSON to send\",\"status\":500}\n");
	} else
		evbuffer_add_printf(buf, "%s\n", s);
	free(s);
	json_decref(o);
	sim_reply(call, status, "application/json", buf);
	evbuffer_free(buf);
}

/*
 * A JSON string of s even when s is not UTF-8 (it may quote a URL or a
 * form field): bytes of 0x80 and up become '?' rather than losing the
 * whole message.
 */
static json_t *
sim_json_text(char *s)
{
	json_t	*o = json_string(s);
	char	*p;

	if (o != NULL)
		return o;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return json_string(s);
}

static void sim_reply_error(struct sim_call *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* {"code": status, "message": ..., "status": status} */
static void
sim_reply_error(struct sim_call *call, int status, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sim_reply_json(call, status, json_pack("{s:i, s:o, s:i}", "code",
	    status, "message", sim_json_text(msg), "status", status));
}

/* ---- Access. ---- */

static int
sim_http_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (sa == NULL)
		return 0;
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return 1;
		/* A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d. */
		return IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127;
	case AF_UNIX:
		/* Only this host can reach it; file modes guard it. */
		return 1;
	}
	return 0;
}

/*
 * Compares in time that depends on the lengths only, so the admin token
 * cannot be guessed byte by byte from answer times.
 */
static int
sim_http_token_equal(const char *a, const char *b)
{
	size_t		la = strlen(a), lb = strlen(b), i;
	unsigned char	diff = la != lb;

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* "Bearer <token>", the scheme name case-insensitive (RFC 7235). */
static int
sim_http_bearer_ok(const char *authorization, const char *token)
{
	const char	*p = authorization;

	if (p == NULL || strncasecmp(p, "Bearer", 6) != 0 ||
	    (p[6] != ' ' && p[6] != '\t'))
		return 0;
	for (p += 6; *p == ' ' || *p == '\t'; p++)
		;
	return sim_http_token_equal(p, token);
}

int
sim_http_authorize(const struct sockaddr *peer, const char *authorization,
    const char *admin_token)
{
	if (sim_http_is_loopback(peer))
		return 0;
	if (admin_token != NULL && *admin_token != '\0' &&
	    sim_http_bearer_ok(authorization, admin_token))
		return 0;
	/*
	 * Accounts' Basic credentials (the gateway's accounts) will be
	 * checked here. Until then, with no admin token no credentials can
	 * succeed, so 403 rather than an invitation to retry.
	 */
	if (admin_token == NULL || *admin_token == '\0')
		return 403;
	return 401;
}

/* ---- Parsing helpers. ---- */

/* A decimal integer, digits only, 0..max. */
int
sim_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* A query parameter: absent gives def, else a decimal in min..max. */
static int
sim_query_u64(const struct evkeyvalq *q, const char *name, uint64_t def,
    uint64_t min, uint64_t max, uint64_t *out)
{
	const char	*v = evhttp_find_header(q, name);

	*out = def;
	if (v == NULL)
		return 0;
	if (sim_parse_u64(v, max, out) == -1 || *out < min)
		return -1;
	return 0;
}

static void
sim_path_clear(struct sim_path *path)
{
	size_t	i;

	for (i = 0; i < path->n; i++)
		free(path->seg[i]);
	path->n = 0;
}

/*
 * Splits raw (the path of the request URI, still encoded) so that an
 * encoded '/' (%2F) stays inside its segment. One trailing '/' is
 * ignored; an empty segment or a NUL after decoding marks the path bad.
 */
static void
sim_path_split(const char *raw, struct sim_path *path)
{
	char	*copy, *rest, *tok, *dec;
	size_t	 dlen;

	memset(path, 0, sizeof *path);
	copy = xstrdup(raw != NULL ? raw : "");
	rest = copy + (*copy == '/');
	/* Stops when rest is NULL (no more '/') or "" (a trailing '/'). */
	while (rest != NULL && *rest != '\0') {
		tok = strsep(&rest, "/");
		dec = NULL;
		if (*tok == '\0' || path->n == SIM_HTTP_MAX_SEGMENTS ||
		    (dec = evhttp_uridecode(tok, 0, &dlen)) == NULL ||
		    dlen != strlen(dec)) {
			free(dec);
			path->bad = 1;
			break;
		}
		path->seg[path->n++] = dec;
	}
	free(copy);
}

/* The first segments of our paths: /sim/... and /metrics alone. */
enum sim_root { SIM_ROOT_NONE, SIM_ROOT_SIM, SIM_ROOT_METRICS };

static enum sim_root
sim_root(const char *seg, size_t n)
{
	if (n == 3 && memcmp(seg, "sim", 3) == 0)
		return SIM_ROOT_SIM;
	if (n == 7 && memcmp(seg, "metrics", 7) == 0)
		return SIM_ROOT_METRICS;
	return SIM_ROOT_NONE;
}

/*
 * 1 when the raw path's first segment is plainly none of ours (no
 * %-escape that could spell one): the request is not ours and goes on
 * without a split, which costs an allocation a segment on every API
 * request.
 */
static int
sim_path_plainly_other(const char *raw)
{
	size_t n;

	if (raw == NULL)
		return 1;
	raw += *raw == '/';
	n = strcspn(raw, "/");
	return memchr(raw, '%', n) == NULL &&
	    sim_root(raw, n) == SIM_ROOT_NONE;
}

/* /sim/... and /metrics are ours even when no route matches. */
static int
sim_path_ours(const struct sim_path *path)
{
	enum sim_root r;

	if (path->n == 0)
		return 0;
	r = sim_root(path->seg[0], strlen(path->seg[0]));
	return r == SIM_ROOT_SIM || (r == SIM_ROOT_METRICS && path->n == 1);
}

/* ---- Dispatch. ---- */

static int
sim_route_match(const struct sim_route *route, const struct sim_path *path,
    struct sim_call *call)
{
	const char	*p = route->pattern;
	size_t		 i, len, nargs = 0;

	if (path->bad)
		return 0;
	call->carrier_name = NULL;
	for (i = 0; i < path->n; i++) {
		if (*p++ != '/')
			return 0;
		len = strcspn(p, "/");
		if (len == 9 && strncmp(p, "{carrier}", len) == 0)
			call->carrier_name = path->seg[i];
		else if (*p == '{' && nargs < SIM_HTTP_MAX_ARGS)
			call->args[nargs++] = path->seg[i];
		else if (strlen(path->seg[i]) != len ||
		    strncmp(path->seg[i], p, len) != 0)
			return 0;
		p += len;
	}
	return *p == '\0';
}

static int
sim_method_ok(const struct sim_route *route, enum evhttp_cmd_type m)
{
	return m == route->method ||
	    (m == EVHTTP_REQ_HEAD && route->method == EVHTTP_REQ_GET);
}

static struct carrier *
sim_find_carrier(struct sim_http *sh, const char *name)
{
	size_t	i;

	for (i = 0; i < sh->ncarriers; i++)
		if (strcmp(carrier_name(sh->carriers[i]), name) == 0)
			return sh->carriers[i];
	return NULL;
}

static void
sim_reply_denied(struct sim_call *call, int status)
{
	if (status == 401) {
		evhttp_add_header(evhttp_request_get_output_headers(call->req),
		    "WWW-Authenticate", "Bearer realm=\"carrierlab\"");
		sim_reply_error(call, 401, "authentication required: "
		    "Authorization: Bearer <admin token>");
	} else
		sim_reply_error(call, status, "the control API is only open "
		    "to loopback: the scenario sets no admin token");
}

/* Answers 405 naming the methods the path does take. */
static void
sim_reply_not_allowed(struct sim_call *call, const struct sim_path *path)
{
	struct sim_call	 probe = *call;
	char		 allow[64] = "";
	size_t		 i;

	for (i = 0; i < SIM_NROUTES; i++) {
		if (!sim_route_match(&sim_routes[i], path, &probe))
			continue;
		if (*allow != '\0')
			strlcat(allow, ", ", sizeof allow);
		strlcat(allow, sim_method_name(sim_routes[i].method),
		    sizeof allow);
		if (sim_routes[i].method == EVHTTP_REQ_GET)
			strlcat(allow, ", HEAD", sizeof allow);
	}
	evhttp_add_header(evhttp_request_get_output_headers(call->req),
	    "Allow", allow);
	sim_reply_error(call, 405, "method %s not allowed here; allowed: %s",
	    sim_method_name(evhttp_request_get_command(call->req)), allow);
}

/*
 * The route taking this path and method; else the first taking the path
 * with another method (*method_ok 0), so that even a refusal is counted
 * under its route; else NULL. call->args and carrier_name are filled.
 */
static const struct sim_route *
sim_route_find(struct sim_call *call, const struct sim_path *path,
    int *method_ok)
{
	enum evhttp_cmd_type	 m = evhttp_request_get_command(call->req);
	const struct sim_route	*r, *other = NULL;

	for (r = sim_routes; r < sim_routes + SIM_NROUTES; r++) {
		if (!sim_route_match(r, path, call))
			continue;
		if (sim_method_ok(r, m)) {
			*method_ok = 1;
			return r;
		}
		if (other == NULL)
			other = r;
	}
	*method_ok = 0;
	return other;
}

/* Routes a request in our namespace, already authorized. */
static void
sim_route(struct sim_call *call, const struct sim_path *path,
    int method_ok)
{
	if (call->route == NULL)
		sim_reply_error(call, 404, "no route for %s",
		    evhttp_request_get_uri(call->req));
	else if (!method_ok)
		sim_reply_not_allowed(call, path);
	else if (call->carrier_name != NULL && (call->carrier =
	    sim_find_carrier(call->sh, call->carrier_name)) == NULL)
		sim_reply_error(call, 404, "no carrier named \"%s\"",
		    call->carrier_name);
	else
		call->route->handler(call);
}

static void
sim_http_dispatch(struct evhttp_request *req, void *arg)
{
	struct sim_http	*sh = arg;
	struct sim_call	 call = { .sh = sh, .req = req };
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char	*raw;
	struct sim_path	 path;
	int		 status, method_ok;

	raw = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (!sim_path_plainly_other(raw))
		sim_path_split(raw, &path);
	else
		memset(&path, 0, sizeof path);
	if (!sim_path_ours(&path)) {
		sim_path_clear(&path);
		if (sh->fallback != NULL)
			sh->fallback(req, sh->fallback_arg);
		else
			sim_reply_error(&call, 404, "no route for %s",
			    evhttp_request_get_uri(req));
		return;
	}
	/* Found first only to label the answer; nothing runs before the
	 * access check. */
	call.route = sim_route_find(&call, &path, &method_ok);
	status = sim_http_authorize(evhttp_connection_get_addr(
	    evhttp_request_get_connection(req)), evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Authorization"),
	    sh->admin_token);
	if (status != 0)
		sim_reply_denied(&call, status);
	else
		sim_route(&call, &path, method_ok);
	sim_path_clear(&path);
}

/* ---- Handlers: carriers. ---- */

static void
sim_get_carriers(struct sim_call *call)
{
	json_t	*list = json_array();
	size_t	 i;

	for (i = 0; i < call->sh->ncarriers; i++)
		json_array_append_new(list,
		    carrier_state_json(call->sh->carriers[i]));
	sim_reply_json(call, 200, json_pack("{s:o}", "carriers", list));
}

static void
sim_get_carrier(struct sim_call *call)
{
	sim_reply_json(call, 200, carrier_state_json(call->carrier));
}

static void
sim_get_binds(struct sim_call *call)
{
	sim_reply_json(call, 200, json_pack("{s:o}", "binds",
	    carrier_binds_json(call->carrier)));
}

/* The index of the last PDU returned, or since when there is none, so a
 * poller can always pass "next" back as since. */
static json_int_t
sim_pdus_next(json_t *pdus, uint64_t since)
{
	size_t	n = json_array_size(pdus);

	if (n == 0)
		return (json_int_t)since;
	return json_integer_value(json_object_get(json_array_get(pdus, n - 1),
	    "index"));
}

static void
sim_get_pdus(struct sim_call *call)
{
	struct evkeyvalq q = TAILQ_HEAD_INITIALIZER(q);
	const char	*query;
	uint64_t	 id, since, limit;
	json_t		*pdus;

	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(call->req));
	if (sim_parse_u64(call->args[0], UINT_MAX, &id) == -1) {
		sim_reply_error(call, 400, "bind id must be an integer, not "
		    "\"%s\"", call->args[0]);
		return;
	}
	if (query != NULL && evhttp_parse_query_str(query, &q) == -1)
		sim_reply_error(call, 400, "malformed query string");
	else if (sim_query_u64(&q, "since", 0, 0, INT64_MAX, &since) == -1)
		sim_reply_error(call, 400, "since must be an integer "
		    "0..%" PRId64, INT64_MAX);
	else if (sim_query_u64(&q, "limit", SIM_PDUS_LIMIT_DEFAULT, 1,
	    SIM_PDUS_LIMIT_MAX, &limit) == -1)
		sim_reply_error(call, 400, "limit must be an integer 1..%d",
		    SIM_PDUS_LIMIT_MAX);
	else if ((pdus = carrier_pdus_json(call->carrier, (unsigned)id, since,
	    (size_t)limit)) == NULL)
		sim_reply_error(call, 404, "no bind %" PRIu64 " on carrier "
		    "\"%s\"", id, call->carrier_name);
	else
		sim_reply_json(call, 200, json_pack("{s:o, s:I}", "pdus",
		    pdus, "next", sim_pdus_next(pdus, since)));
	evhttp_clear_headers(&q);
}

static void
sim_get_message(struct sim_call *call)
{
	json_t	*o = carrier_message_json(call->carrier, call->args[0]);

	if (o == NULL)
		sim_reply_error(call, 404, "no message \"%s\" on carrier "
		    "\"%s\"", call->args[0], call->carrier_name);
	else
		sim_reply_json(call, 200, o);
}

/* A gateway message with its status history (carrierlab serve only). */
static void
sim_get_gateway_message(struct sim_call *call)
{
	json_t	*o;

	if (call->sh->message_hook == NULL) {
		sim_reply_error(call, 404, "no gateway runs here: gateway "
		    "messages are in carrierlab serve");
		return;
	}
	if ((o = call->sh->message_hook(call->args[0],
	    call->sh->message_arg)) == NULL)
		sim_reply_error(call, 404, "no message \"%s\"", call->args[0]);
	else
		sim_reply_json(call, 200, o);
}

/* Form fields as a JSON object of strings (the last of repeated names). */
static json_t *
sim_form_parse(const char *text, char *err, size_t errlen)
{
	struct evkeyvalq q = TAILQ_HEAD_INITIALIZER(q);
	struct evkeyval	*kv;
	json_t		*o = NULL, *s;

	if (evhttp_parse_query_str(text, &q) == -1) {
		snprintf(err, errlen, "malformed form body: expected "
		    "name=value pairs joined by &");
		goto out;
	}
	o = json_object();
	TAILQ_FOREACH(kv, &q, next) {
		if ((s = json_string(kv->value)) == NULL ||
		    json_object_set_new(o, kv->key, s) == -1) {
			snprintf(err, errlen, "form field %s is not UTF-8",
			    kv->key);
			json_decref(o);
			o = NULL;
			break;
		}
	}
out:
	evhttp_clear_headers(&q);
	return o;
}

static json_t *
sim_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t	 e;
	json_t		*o = json_loadb(text, len, 0, &e);

	if (o == NULL)
		snprintf(err, errlen, "invalid JSON at line %d column %d "
		    "(position %d): %s", e.line, e.column, e.position, e.text);
	else if (!json_is_object(o)) {
		snprintf(err, errlen, "the body must be a JSON object");
		json_decref(o);
		o = NULL;
	}
	return o;
}

/*
 * JSON when the Content-Type says so or when the body starts with '{'
 * (curl -d labels everything a form, and no form starts with a brace);
 * otherwise a form.
 */
static int
sim_body_is_json(struct evhttp_request *req, const char *text)
{
	const char	*type = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Content-Type");

	if (type != NULL && strncasecmp(type, "application/json", 16) == 0)
		return 1;
	text += strspn(text, " \t\r\n");
	return *text == '{';
}

/* The request body as a NUL-terminated string, or NULL when empty. */
static char *
sim_body_text(struct evhttp_request *req, size_t *len)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	char		*text;

	*len = evbuffer_get_length(in);
	if (*len == 0)
		return NULL;
	text = xmalloc(*len + 1);
	evbuffer_copyout(in, text, *len);
	text[*len] = '\0';
	return text;
}

/* A service's Advanced Opt-Out settings through the gateway's hook:
 * put is the PUT's body, NULL for a GET. */
static void
sim_optout(struct sim_call *call, const json_t *put)
{
	char	 err[512];
	int	 status = 500;
	json_t	*o;

	if (call->sh->optout_hook == NULL) {
		sim_reply_error(call, 404, "no gateway runs here: services are "
		    "in carrierlab serve");
		return;
	}
	err[0] = '\0';
	o = call->sh->optout_hook(call->args[0], put, &status, err,
	    sizeof err, call->sh->optout_arg);
	if (o == NULL)
		sim_reply_error(call, status, "%s", err);
	else
		sim_reply_json(call, 200, o);
}

static void
sim_get_optout(struct sim_call *call)
{
	sim_optout(call, NULL);
}

static void
sim_put_optout(struct sim_call *call)
{
	char	 err[512], *text;
	size_t	 len;
	json_t	*o;

	if ((text = sim_body_text(call->req, &len)) == NULL) {
		sim_reply_error(call, 400, "a body is required: the JSON "
		    "object {keywords, removed, replies}");
		return;
	}
	if ((o = sim_json_parse(text, len, err, sizeof err)) == NULL)
		sim_reply_error(call, 400, "%s", err);
	else
		sim_optout(call, o);
	json_decref(o);
	free(text);
}

static void
sim_post_mo(struct sim_call *call)
{
	struct carrier_mo mo;
	char		 err[256], *text;
	size_t		 len;
	json_t		*o;
	int		 form, n;

	if ((text = sim_body_text(call->req, &len)) == NULL) {
		sim_reply_error(call, 400, "a body is required: a JSON object "
		    "or form fields (from, to, body, ...)");
		return;
	}
	form = !sim_body_is_json(call->req, text);
	o = form ? sim_form_parse(text, err, sizeof err) :
	    sim_json_parse(text, len, err, sizeof err);
	if (o == NULL || sim_mo_from_json(o, form, &mo, err, sizeof err) == -1)
		sim_reply_error(call, 400, "%s", err);
	else if ((n = carrier_mo_inject(call->carrier, &mo, err,
	    sizeof err)) < 0)
		sim_reply_error(call, 400, "%s", err);
	else
		sim_reply_json(call, 202, json_pack("{s:i}", "queued", n));
	json_decref(o);
	free(text);
}

/* ---- Links of the gateway (carrierlab serve only). ---- */

/* The body as a JSON object (JSON or form), NULL for none; -1 after
 * answering 400. */
static int
sim_body_object(struct sim_call *call, json_t **out)
{
	char	 err[256], *text;
	size_t	 len;

	*out = NULL;
	if ((text = sim_body_text(call->req, &len)) == NULL)
		return 0;
	*out = sim_body_is_json(call->req, text) ?
	    sim_json_parse(text, len, err, sizeof err) :
	    sim_form_parse(text, err, sizeof err);
	free(text);
	if (*out == NULL) {
		sim_reply_error(call, 400, "%s", err);
		return -1;
	}
	return 0;
}

/* PUT {"on": true}: the link shortener's outage switch. */
static void
sim_put_link_outage(struct sim_call *call)
{
	json_t		*o, *on;
	const char	*s;
	int		 value;

	if (call->sh->links_hooks.outage == NULL) {
		sim_reply_error(call, 404, "no gateway runs here: the link "
		    "shortener is in carrierlab serve");
		return;
	}
	if (sim_body_object(call, &o) == -1)
		return;
	on = o != NULL ? json_object_get(o, "on") : NULL;
	s = json_string_value(on);
	if (json_is_boolean(on))
		value = json_is_true(on);
	else if (s != NULL && (strcmp(s, "true") == 0 ||
	    strcmp(s, "false") == 0))
		value = strcmp(s, "true") == 0;
	else {
		json_decref(o);
		sim_reply_error(call, 400, "the body must be {\"on\": true} or "
		    "{\"on\": false}");
		return;
	}
	json_decref(o);
	call->sh->links_hooks.outage(value, call->sh->links_arg);
	sim_reply_json(call, 200, json_pack("{s:b}", "on", value));
}

/* POST {"user_agent": ...}: a handset follows the link of {code}. */
static void
sim_post_link_click(struct sim_call *call)
{
	const char	*code = call->args[0], *ua = NULL;
	json_t		*o, *r;
	size_t		 len = strlen(code);

	if (call->sh->links_hooks.click == NULL) {
		sim_reply_error(call, 404, "no gateway runs here: links are "
		    "served by carrierlab serve");
		return;
	}
	if (len == 0 || len > 16 || code[strspn(code, "ABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZabcdefghijklmnopqrstuvwxyz0123456789")] != '\0') {
		sim_reply_error(call, 404, "no link \"%.40s\": codes are 7 or "
		    "10 letters and digits", code);
		return;
	}
	if (sim_body_object(call, &o) == -1)
		return;
	if (o != NULL)
		ua = json_string_value(json_object_get(o, "user_agent"));
	r = call->sh->links_hooks.click(code, ua != NULL ? ua :
	    SIM_HANDSET_USER_AGENT, call->sh->links_arg);
	json_decref(o);
	sim_reply_json(call, json_integer_value(json_object_get(r,
	    "status")) == 302 ? 200 : 404, r);
}

/* ---- Faults and quirks: the carrier validates by its own tables. ---- */

struct sim_switch_ops {
	const char	*kind;		/* "fault", for messages */
	int		(*set)(struct carrier *, const char *, json_t *,
			    char *, size_t);
	int		(*clear)(struct carrier *, const char *, char *,
			    size_t);
	json_t		*(*list)(struct carrier *);
	const char	*member;	/* "faults" */
};

static const struct sim_switch_ops sim_fault_ops = {
	"fault", carrier_fault_set, carrier_fault_clear, carrier_faults_json,
	"faults",
};

static const struct sim_switch_ops sim_quirk_ops = {
	"quirk", carrier_quirk_set, carrier_quirk_clear, carrier_quirks_json,
	"quirks",
};

/* {"faults": [...]}: what is on now, after any change. */
static void
sim_reply_switches(struct sim_call *call, const struct sim_switch_ops *ops)
{
	sim_reply_json(call, 200, json_pack("{s:o}", ops->member,
	    ops->list(call->carrier)));
}

/* The carrier's answer to a switch, as HTTP: 404 an unknown name, 400 a
 * bad parameter (named in err), 409 what could not be done now. */
static void
sim_reply_switch(struct sim_call *call, const struct sim_switch_ops *ops,
    int rc, const char *err)
{
	switch (rc) {
	case CARRIER_SWITCH_OK:
	case CARRIER_SWITCH_NOT_ON:
		sim_reply_switches(call, ops);
		break;
	case CARRIER_SWITCH_UNKNOWN:
		sim_reply_error(call, 404, "%s", err);
		break;
	case CARRIER_SWITCH_INVALID:
		sim_reply_error(call, 400, "%s", err);
		break;
	default:
		sim_reply_error(call, 409, "%s %s: %s", ops->kind,
		    call->args[0], err);
		break;
	}
}

static void
sim_switch_set(struct sim_call *call, const struct sim_switch_ops *ops)
{
	char	 err[512], *text;
	size_t	 len;
	json_t	*o = NULL;
	int	 rc;

	/* No body: every parameter at its default. */
	if ((text = sim_body_text(call->req, &len)) != NULL &&
	    (o = sim_json_parse(text, len, err, sizeof err)) == NULL) {
		sim_reply_error(call, 400, "%s", err);
		free(text);
		return;
	}
	rc = ops->set(call->carrier, call->args[0], o, err, sizeof err);
	sim_reply_switch(call, ops, rc, err);
	json_decref(o);
	free(text);
}

static void
sim_switch_clear(struct sim_call *call, const struct sim_switch_ops *ops)
{
	char	err[512];
	int	rc;

	rc = ops->clear(call->carrier, call->args[0], err, sizeof err);
	sim_reply_switch(call, ops, rc, err);
}

static void
sim_get_faults(struct sim_call *call)
{
	sim_reply_switches(call, &sim_fault_ops);
}

static void
sim_put_fault(struct sim_call *call)
{
	sim_switch_set(call, &sim_fault_ops);
}

static void
sim_delete_fault(struct sim_call *call)
{
	sim_switch_clear(call, &sim_fault_ops);
}

static void
sim_get_quirks(struct sim_call *call)
{
	sim_reply_switches(call, &sim_quirk_ops);
}

static void
sim_put_quirk(struct sim_call *call)
{
	sim_switch_set(call, &sim_quirk_ops);
}

static void
sim_delete_quirk(struct sim_call *call)
{
	sim_switch_clear(call, &sim_quirk_ops);
}

/* ---- Handlers: clock and metrics. ---- */

/* RFC 3339 in UTC with milliseconds: 2024-05-01T12:00:00.250Z */
static void
sim_format_time(int64_t usec, char *buf, size_t len)
{
	int64_t		sec = usec / CLOCK_USEC_PER_SEC;
	int64_t		rem = usec % CLOCK_USEC_PER_SEC;
	time_t		t;
	struct tm	tm;
	size_t		n;

	if (rem < 0) {
		rem += CLOCK_USEC_PER_SEC;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(rem / 1000));
}

static void
sim_get_clock(struct sim_call *call)
{
	int64_t	now = clock_now(call->sh->clock);
	char	text[64];

	sim_format_time(now, text, sizeof text);
	sim_reply_json(call, 200, json_pack("{s:s, s:I, s:s}", "now", text,
	    "now_usec", (json_int_t)now, "mode",
	    clock_mode(call->sh->clock) == CLOCK_MODE_VIRTUAL ? "virtual" :
	    "real"));
}

/*
 * This module's own families. Route labels are the patterns of the table
 * (no quote, backslash or newline), so they need no escaping.
 */
static void
sim_metrics_write(struct sim_http *sh, struct evbuffer *out)
{
	size_t	i;

	evbuffer_add_printf(out, "# HELP carrierlab_http_requests_total "
	    "Requests answered on the control listener, by route and "
	    "status.\n# TYPE carrierlab_http_requests_total counter\n");
	for (i = 0; i < sh->ncounts; i++)
		evbuffer_add_printf(out, "carrierlab_http_requests_total"
		    "{route=\"%s\",code=\"%d\"} %" PRIu64 "\n",
		    sh->counts[i].route == SIM_ROUTE_NONE ? "none" :
		    sim_routes[sh->counts[i].route].pattern,
		    sh->counts[i].status, sh->counts[i].n);
	evbuffer_add_printf(out, "# HELP carrierlab_build_info The running "
	    "carrierlab version and its allocator; the value is always 1.\n"
	    "# TYPE carrierlab_build_info gauge\n"
	    "carrierlab_build_info{version=\"%s\",allocator=\"%s\"} 1\n",
	    PACKAGE_VERSION, CARRIERLAB_ALLOCATOR);
}

static void
sim_get_metrics(struct sim_call *call)
{
	struct evbuffer	*buf = evbuffer_new();

	carrier_metrics_write(call->sh->carriers, call->sh->ncarriers, buf);
	sim_metrics_write(call->sh, buf);
	if (call->sh->metrics_hook != NULL)
		call->sh->metrics_hook(buf, call->sh->metrics_arg);
	sim_reply(call, 200, "text/plain; version=0.0.4; charset=utf-8", buf);
	evbuffer_free(buf);
}

/* ---- Life cycle. ---- */

/* "host:port" or "[v6]:port" into host (brackets dropped) and port. */
static int
sim_split_address(const char *address, char *host, size_t hostlen,
    uint16_t *port)
{
	const char	*colon = strrchr(address, ':');
	uint64_t	 p;
	size_t		 n;

	if (colon == NULL || colon == address ||
	    sim_parse_u64(colon + 1, 65535, &p) == -1)
		return -1;
	n = (size_t)(colon - address);
	if (address[0] == '[' && colon[-1] == ']') {
		address++;
		n -= 2;
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, address, n);
	host[n] = '\0';
	*port = (uint16_t)p;
	return 0;
}

/* The port the kernel gave the listener (asked for port 0 or not). */
static int
sim_bound_port(struct evhttp_bound_socket *bound)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	struct sockaddr		*sa = (struct sockaddr *)&ss;

	if (getsockname(evhttp_bound_socket_get_fd(bound), sa, &len) == -1)
		return -1;
	if (sa->sa_family == AF_INET)
		return ntohs(((struct sockaddr_in *)(void *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)(void *)sa)->sin6_port);
	return -1;
}

/* Binds; on failure leaves a reason in err and returns -1. */
static int
sim_http_listen(struct sim_http *sh, const char *address, char *err,
    size_t errlen)
{
	char		host[SIM_HTTP_ADDR_MAX];
	uint16_t	port;

	if (sim_split_address(address, host, sizeof host, &port) == -1) {
		snprintf(err, errlen, "listen %s: not host:port", address);
		return -1;
	}
	errno = 0;
	sh->bound = evhttp_bind_socket_with_handle(sh->http, host, port);
	if (sh->bound == NULL) {
		snprintf(err, errlen, "listen %s: %s", address, errno != 0 ?
		    strerror(errno) : "cannot bind");
		return -1;
	}
	sh->port = sim_bound_port(sh->bound);
	snprintf(sh->address, sizeof sh->address,
	    strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d", host, sh->port);
	return 0;
}

struct sim_http *
sim_http_start(struct event_base *base, struct clock *clock,
    const char *address, const char *admin_token,
    struct carrier *const *carriers, size_t ncarriers, char *err,
    size_t errlen)
{
	struct sim_http	*sh = xcalloc(1, sizeof *sh);

	sh->clock = clock;
	sh->admin_token = xstrdup(admin_token != NULL ? admin_token : "");
	sh->carriers = xreallocarray(NULL, ncarriers + 1, sizeof *carriers);
	if (ncarriers > 0)
		memcpy(sh->carriers, carriers, ncarriers * sizeof *carriers);
	sh->ncarriers = ncarriers;
	if ((sh->http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "listen %s: evhttp_new failed", address);
		sim_http_free(sh);
		return NULL;
	}
	evhttp_set_max_body_size(sh->http, SIM_HTTP_MAX_BODY);
	/* Read an oversized body to its end before answering 413, so the
	 * client sees the answer instead of a reset connection. */
	evhttp_set_flags(sh->http, EVHTTP_SERVER_LINGERING_CLOSE);
	/* Every method reaches the dispatcher, which answers 405 in JSON
	 * with an Allow header; libevent's own 405 has neither. */
	evhttp_set_allowed_methods(sh->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(sh->http, sim_http_dispatch, sh);
	if (sim_http_listen(sh, address, err, errlen) == -1) {
		sim_http_free(sh);
		return NULL;
	}
	log_info("http listen address=%s", sh->address);
	return sh;
}

void
sim_http_free(struct sim_http *sh)
{
	if (sh == NULL)
		return;
	if (sh->http != NULL)
		evhttp_free(sh->http);
	free(sh->admin_token);
	free(sh->carriers);
	free(sh->counts);
	free(sh);
}

struct evhttp *
sim_http_evhttp(struct sim_http *sh)
{
	return sh->http;
}

int
sim_http_port(struct sim_http *sh)
{
	return sh->port;
}

void
sim_http_set_fallback(struct sim_http *sh,
    void (*cb)(struct evhttp_request *, void *), void *arg)
{
	sh->fallback = cb;
	sh->fallback_arg = arg;
}

void
sim_http_set_message_hook(struct sim_http *sh,
    json_t *(*cb)(const char *, void *), void *arg)
{
	sh->message_hook = cb;
	sh->message_arg = arg;
}

void
sim_http_set_optout_hook(struct sim_http *sh,
    json_t *(*cb)(const char *, const json_t *, int *, char *, size_t,
    void *), void *arg)
{
	sh->optout_hook = cb;
	sh->optout_arg = arg;
}

void
sim_http_set_links_hooks(struct sim_http *sh,
    const struct sim_links_hooks *hooks, void *arg)
{
	memset(&sh->links_hooks, 0, sizeof sh->links_hooks);
	if (hooks != NULL)
		sh->links_hooks = *hooks;
	sh->links_arg = arg;
}

void
sim_http_set_metrics_hook(struct sim_http *sh,
    void (*cb)(struct evbuffer *, void *), void *arg)
{
	sh->metrics_hook = cb;
	sh->metrics_arg = arg;
}
