/*
 * The engine's two HTTP ends (scenarios/run.h): the client an application
 * would be (engine_api_request(), over a few keep-alive connections to
 * the run's listener) and the status callback sink, which records every
 * request and checks its X-Twilio-Signature with the account's auth token
 * -- computed here from Twilio's definition, not with the gateway's code,
 * so the check is independent.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/gateway.h"
#include "scenarios/engine-internal.h"
#include "scenarios/scenario.h"

#define ENGINE_SINK_BODY_MAX	(256 * 1024)

/* ---- the client ---- */

struct engine_req {
	TAILQ_ENTRY(engine_req) entry;
	struct engine	*e;
	engine_http_cb	 cb;
	void		*arg;
};

void
engine_form_add(struct evbuffer *buf, const char *name, const char *value)
{
	char *v = evhttp_encode_uri(value);

	evbuffer_add_printf(buf, "%s%s=%s",
	    evbuffer_get_length(buf) > 0 ? "&" : "", name, v);
	free(v);
}

void
engine_client_start(struct engine *e)
{
	char	host[96], *colon;
	size_t	i;
	int	port;

	snprintf(host, sizeof host, "%s", e->http_address);
	if ((colon = strrchr(host, ':')) == NULL)
		return;
	*colon = '\0';
	port = atoi(colon + 1);
	for (i = 0; i < ENGINE_CONNS; i++) {
		e->conns[i] = evhttp_connection_base_new(e->base, NULL, host,
		    (unsigned short)port);
		if (e->conns[i] == NULL)
			fatalx("engine: evhttp_connection_base_new failed");
		evhttp_connection_set_retries(e->conns[i], 0);
	}
}

static void
engine_req_done(struct evhttp_request *req, void *arg)
{
	struct engine_req	*r = arg;
	struct engine		*e = r->e;
	struct evbuffer		*in;
	json_t			*body = NULL;
	const char		*err = NULL;
	char			 why[256];
	int			 status = 0;

	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		snprintf(why, sizeof why, "no answer from %s (connection "
		    "failed or closed)", e->http_address);
		err = why;
	} else {
		status = evhttp_request_get_response_code(req);
		in = evhttp_request_get_input_buffer(req);
		body = json_loadb((const char *)evbuffer_pullup(in, -1),
		    evbuffer_get_length(in), 0, NULL);
	}
	TAILQ_REMOVE(&e->reqs, r, entry);
	r->cb(status, body, err, r->arg);
	json_decref(body);
	engine_release(e);
	free(r);
}

static void
engine_basic_auth(struct evkeyvalq *h, const char *account,
    const char *token)
{
	char	 plain[GATEWAY_SID_SIZE + GATEWAY_TOKEN_MAX + 2];
	char	 hdr[sizeof("Basic ") + ((sizeof plain + 2) / 3) * 4 + 1];
	int	 n;

	n = snprintf(plain, sizeof plain, "%s:%s", account, token);
	if (n < 0 || (size_t)n >= sizeof plain)
		return;
	memcpy(hdr, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)hdr + 6, (unsigned char *)plain, n);
	evhttp_add_header(h, "Authorization", hdr);
}

void
engine_api_request(struct engine *e, const char *method, const char *path,
    const char *account, const char *token, const char *form,
    engine_http_cb cb, void *arg)
{
	struct engine_req	*r = xcalloc(1, sizeof *r);
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	enum evhttp_cmd_type	 cmd = EVHTTP_REQ_GET;

	r->e = e;
	r->cb = cb;
	r->arg = arg;
	engine_hold(e);
	TAILQ_INSERT_TAIL(&e->reqs, r, entry);
	if (strcmp(method, "POST") == 0)
		cmd = EVHTTP_REQ_POST;
	else if (strcmp(method, "DELETE") == 0)
		cmd = EVHTTP_REQ_DELETE;
	req = evhttp_request_new(engine_req_done, r);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", e->http_address);
	evhttp_add_header(h, "User-Agent", "carrierlab-run/" PACKAGE_VERSION);
	if (account != NULL && token != NULL)
		engine_basic_auth(h, account, token);
	if (form != NULL) {
		evhttp_add_header(h, "Content-Type",
		    "application/x-www-form-urlencoded");
		evbuffer_add(evhttp_request_get_output_buffer(req), form,
		    strlen(form));
	}
	if (e->conns[0] == NULL ||
	    evhttp_make_request(e->conns[e->next_conn], req, cmd, path) != 0) {
		/* evhttp freed req on failure; answer from the loop would
		 * be nicer, but the caller is on it already. */
		engine_req_done(NULL, r);
		return;
	}
	e->next_conn = (e->next_conn + 1) % ENGINE_CONNS;
}

/* ---- the sink ---- */

static const char *
engine_token_of(struct engine *e, const char *account)
{
	const struct gateway_config *g = &e->s->gateway;
	size_t i;

	for (i = 0; account != NULL && i < g->naccounts; i++)
		if (strcmp(g->accounts[i].sid, account) == 0)
			return g->accounts[i].token;
	return NULL;
}

static int
engine_name_cmp(const void *a, const void *b)
{
	const struct evkeyval *x = *(const struct evkeyval *const *)a;
	const struct evkeyval *y = *(const struct evkeyval *const *)b;

	return strcmp(x->key, y->key);
}

/* Twilio's X-Twilio-Signature of url and the form fields in q. */
static int
engine_signature_ok(const char *token, const char *url,
    struct evkeyvalq *q, const char *given)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	char		 b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	struct evkeyval	*kv, **sorted;
	struct evbuffer	*data = evbuffer_new();
	unsigned	 maclen = 0;
	size_t		 n = 0, i;

	TAILQ_FOREACH(kv, q, next)
		n++;
	sorted = xcalloc(n > 0 ? n : 1, sizeof *sorted);
	n = 0;
	TAILQ_FOREACH(kv, q, next)
		sorted[n++] = kv;
	qsort(sorted, n, sizeof *sorted, engine_name_cmp);
	evbuffer_add(data, url, strlen(url));
	for (i = 0; i < n; i++) {
		evbuffer_add(data, sorted[i]->key, strlen(sorted[i]->key));
		evbuffer_add(data, sorted[i]->value,
		    strlen(sorted[i]->value));
	}
	HMAC(EVP_sha1(), token, (int)strlen(token), evbuffer_pullup(data, -1),
	    evbuffer_get_length(data), mac, &maclen);
	EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
	free(sorted);
	evbuffer_free(data);
	return given != NULL && strcmp(given, b64) == 0;
}

static struct engine_callback *
engine_callback_add(struct engine *e)
{
	struct engine_callback *cb;

	if (e->ncbs == e->cbs_cap) {
		e->cbs_cap = e->cbs_cap == 0 ? 256 : e->cbs_cap * 2;
		e->cbs = xreallocarray(e->cbs, e->cbs_cap, sizeof *e->cbs);
	}
	cb = &e->cbs[e->ncbs++];
	memset(cb, 0, sizeof *cb);
	cb->at = engine_elapsed(e);
	return cb;
}

static void
engine_sink_record(struct engine *e, struct evhttp_request *req,
    struct evkeyvalq *q)
{
	struct engine_callback	*cb = engine_callback_add(e);
	struct evkeyval		*kv;
	const char		*v, *token, *host;
	char			 url[2048];

	cb->params = json_object();
	TAILQ_FOREACH(kv, q, next)
		json_object_set_new(cb->params, kv->key,
		    json_string(kv->value));
	if ((v = evhttp_find_header(q, "MessageSid")) != NULL ||
	    (v = evhttp_find_header(q, "SmsSid")) != NULL)
		snprintf(cb->message_sid, sizeof cb->message_sid, "%s", v);
	if ((v = evhttp_find_header(q, "MessageStatus")) != NULL ||
	    (v = evhttp_find_header(q, "SmsStatus")) != NULL)
		snprintf(cb->status, sizeof cb->status, "%s", v);
	if ((v = evhttp_find_header(q, "ErrorCode")) != NULL)
		cb->error_code = atoi(v);
	snprintf(cb->path, sizeof cb->path, "%s", evhttp_request_get_uri(req));
	host = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Host");
	/* Status callbacks say AccountSid, click events account_sid. */
	if ((v = evhttp_find_header(q, "AccountSid")) == NULL)
		v = evhttp_find_header(q, "account_sid");
	token = engine_token_of(e, v);
	snprintf(url, sizeof url, "http://%s%s", host != NULL ? host : "",
	    evhttp_request_get_uri(req));
	cb->signature_ok = token != NULL && engine_signature_ok(token, url, q,
	    evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Twilio-Signature"));
}

static void
engine_sink_cb(struct evhttp_request *req, void *arg)
{
	struct engine	*e = arg;
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	struct evbuffer	*out = evbuffer_new();
	struct evkeyvalq q;
	char		*body;
	size_t		 len = evbuffer_get_length(in);

	TAILQ_INIT(&q);
	body = xmalloc(len + 1);
	evbuffer_remove(in, body, len);
	body[len] = '\0';
	if (evhttp_parse_query_str(body, &q) == 0)
		engine_sink_record(e, req, &q);
	evhttp_clear_headers(&q);
	free(body);
	/* An inbound message webhook gets empty TwiML; callbacks ignore
	 * the body. */
	evbuffer_add_printf(out, "<Response></Response>");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/xml");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

int
engine_sink_start(struct engine *e, char *err, size_t errlen)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 slen = sizeof sin;

	e->sink = evhttp_new(e->base);
	if (e->sink == NULL ||
	    (bs = evhttp_bind_socket_with_handle(e->sink, "127.0.0.1",
	    0)) == NULL) {
		snprintf(err, errlen, "cannot listen on 127.0.0.1");
		return -1;
	}
	evhttp_set_max_body_size(e->sink, ENGINE_SINK_BODY_MAX);
	evhttp_set_gencb(e->sink, engine_sink_cb, e);
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &slen) == -1) {
		snprintf(err, errlen, "getsockname failed");
		return -1;
	}
	snprintf(e->sink_url, sizeof e->sink_url, "http://127.0.0.1:%d/status",
	    ntohs(sin.sin_port));
	return 0;
}

void
engine_http_free(struct engine *e)
{
	size_t i;
	struct engine_req *r;

	/* Requests still out are dropped without their callbacks. */
	for (i = 0; i < ENGINE_CONNS; i++) {
		if (e->conns[i] != NULL)
			evhttp_connection_free(e->conns[i]);
		e->conns[i] = NULL;
	}
	while ((r = TAILQ_FIRST(&e->reqs)) != NULL) {
		TAILQ_REMOVE(&e->reqs, r, entry);
		free(r);
	}
	if (e->sink != NULL)
		evhttp_free(e->sink);
	e->sink = NULL;
}
