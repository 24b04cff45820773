/*
 * The gateway's Twilio-compatible HTTP API over evhttp: the 2010-04-01
 * Messages, Media, IncomingPhoneNumbers, SMS/ShortCodes and Account
 * resources, and the read-only Messaging v1 Services (twilio-api.md §1-§4,
 * §7). gateway.c owns the evhttp and hands every request to
 * gw_api_handle().
 *
 * What the owner of the evhttp must set for the answers here to be the
 * API's own (Twilio bodies) rather than libevent's plain pages:
 * evhttp_set_max_body_size() above cfg.max_body (413 comes from here),
 * evhttp_set_max_headers_size() of at least 16 KiB (414 for URLs over
 * 8 KiB comes from here), and GET, POST and DELETE allowed.
 */
#ifndef CARRIERLAB_GATEWAY_API_H
#define CARRIERLAB_GATEWAY_API_H

#include <stddef.h>

#include <jansson.h>

struct evhttp_request;
struct gateway;
struct gw_json;
struct gw_message;

/*
 * Serves req when its path is under /2010-04-01/ or /v1/ (Host is not
 * looked at): answers now, or later for a create (once the store has
 * committed the message). Returns 0 when req was taken, -1 when the path
 * is not the API's (the caller answers it).
 *
 * A client that goes away before a pending create is answered is safe:
 * the connection's close callback (evhttp_connection_set_closecb) is the
 * API's for as long as the create is pending.
 */
int		 gw_api_handle(struct gateway *, struct evhttp_request *);

/* Frees what the API keeps between requests (a message's JSON writer,
 * the authentication digests); the gateway's end. */
void		 gw_api_free_scratch(struct gateway *);

/* The message resource of twilio-api.md §2.3 (fields in Twilio's order);
 * the caller owns the reference. */
json_t		*gw_api_message_json(const struct gateway *,
		    const struct gw_message *);
/* The same, appended to j as JSON text (the bytes jansson's compact
 * dump of gw_api_message_json's object would be). */
void		 gw_api_message_write(struct gw_json *,
		    const struct gw_message *);

/* errors.c: row i of errors.def (for tests); NULL past the end. */
const char	*gw_error_table_row(size_t i, int *code, int *http_status);

#endif
