/*
 * The HTTP unit tests' answer; see http_reply.h.
 */
#include "config.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "tests/unit/http_reply.h"

static char *
header_dup(struct evhttp_request *req, const char *name)
{
	const char *v = evhttp_find_header(
	    evhttp_request_get_input_headers(req), name);

	return v != NULL ? strdup(v) : NULL;
}

void
reply_cb(struct evhttp_request *req, void *arg)
{
	struct reply *r = arg;
	struct evkeyval *h;
	struct evbuffer *in;
	size_t len;

	r->done = 1;
	r->status = req != NULL ? evhttp_request_get_response_code(req) : 0;
	if (r->status == 0) {
		r->status = -1;
		return;
	}
	r->type = header_dup(req, "Content-Type");
	r->allow = header_dup(req, "Allow");
	r->www_auth = header_dup(req, "WWW-Authenticate");
	TAILQ_FOREACH(h, evhttp_request_get_input_headers(req), next)
		if (evutil_ascii_strcasecmp(h->key, "Date") == 0)
			r->ndate++;
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	r->body = calloc(1, len + 1);
	if (r->body != NULL)
		evbuffer_remove(in, r->body, len);
	if (r->type != NULL && strcmp(r->type, "application/json") == 0)
		r->json = json_loads(r->body, 0, NULL);
}

void
reply_free(struct reply *r)
{
	free(r->body);
	free(r->type);
	free(r->allow);
	free(r->www_auth);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}
