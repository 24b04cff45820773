/*
 * A JSON writer for the gateway's hot paths (json.c): the store's JSON
 * columns and the API's 201 for a created message. Objects, arrays,
 * strings, integers and literals straight into one growing buffer, in
 * the bytes jansson's JSON_COMPACT writes for the same values; reading,
 * and everything off the hot paths, goes through jansson.
 */
#ifndef CARRIERLAB_GATEWAY_JSON_H
#define CARRIERLAB_GATEWAY_JSON_H

#include <stddef.h>
#include <stdint.h>

/* A JSON text being written; buf is NUL-ended. Zero is an empty one. */
struct gw_json {
	char		*buf;
	size_t		 len;
	size_t		 cap;
};

/* Empties j (allocating its buffer on first use). */
void		 gw_json_reset(struct gw_json *);
/* Appends text as it is ("[", "{", ",", "null"). */
void		 gw_json_raw(struct gw_json *, const char *text);
void		 gw_json_int(struct gw_json *, int64_t);
/* Appends a quoted, escaped string of at most max bytes. */
void		 gw_json_string(struct gw_json *, const char *, size_t max);
/* Appends an object member's key (with the comma unless first); the
 * key is the caller's literal, written as it is: no escaping. */
void		 gw_json_key(struct gw_json *, const char *key, int first);
void		 gw_json_free(struct gw_json *);

#endif
