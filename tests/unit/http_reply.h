/*
 * What the HTTP unit tests keep of an answer, filled by reply_cb (an
 * evhttp_request callback whose argument is the struct reply).
 */
#ifndef CARRIERLAB_TESTS_UNIT_HTTP_REPLY_H
#define CARRIERLAB_TESTS_UNIT_HTTP_REPLY_H

#include <event2/http.h>
#include <jansson.h>

struct reply {
	int		 done;
	int		 status;	/* -1: no answer */
	char		*body;
	char		*type;		/* the headers, or NULL */
	char		*allow;
	char		*www_auth;
	int		 ndate;		/* Date headers (one, or evhttp's and ours) */
	json_t		*json;		/* the body when it is JSON */
	struct evhttp_connection *evcon;	/* kept by some tests */
};

void	reply_cb(struct evhttp_request *req, void *reply);
/* Frees what reply_cb filled and zeroes r (evcon is the test's). */
void	reply_free(struct reply *r);

#endif
