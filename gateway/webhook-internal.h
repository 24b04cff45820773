/*
 * What the webhook files share: the HTTP client pool (webhook-client.c)
 * and the webhooks object (webhook.c, webhook-inbound.c).
 *
 * The client keeps, per scheme://host:port, up to its pool size (GW_HTTP_POOL_DEFAULT)
 * keep-alive connections (https through bufferevent_openssl, with SNI and
 * certificate and host name verification on by default). A request goes
 * to an idle connection, or waits in the host's queue while all are busy.
 * Each attempt has the client's timeout. Completions are delivered from
 * a deferred event of the loop, never from inside libevent's HTTP code,
 * so a completion callback may send again or free what it likes.
 */
#ifndef CARRIERLAB_GATEWAY_WEBHOOK_INTERNAL_H
#define CARRIERLAB_GATEWAY_WEBHOOK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include "common/tree.h"

struct event_base;
struct evbuffer;
struct gateway;
struct gw_http_client;

/* Status callbacks kept in memory: gateway.callback_memory_max, 0
 * meaning the default. */
#define GW_WEBHOOK_MEMORY_MAX	20000

/* Connections kept per host: gateway.callbacks.connections, 0 meaning
 * the default. */
#define GW_HTTP_POOL_DEFAULT	8
#define GW_HTTP_POOL_MAX	256
/* Bodies of answers beyond this fail the attempt (TwiML's 11750). */
#define GW_HTTP_MAX_BODY	65536
#define GW_HTTP_USER_AGENT	"TwilioProxy/1.1"

/* How an attempt ended. Strings are valid during the callback only. */
struct gw_http_result {
	int		 status;	/* HTTP status; 0: no answer */
	const char	*error;		/* why there was no answer; "" */
	const char	*content_type;	/* "" when absent */
	const char	*body;		/* NUL-terminated */
	size_t		 body_len;
};

typedef void (*gw_http_done_cb)(const struct gw_http_result *, void *arg);

/* One signed form request. */
struct gw_http_request {
	const char	*method;	/* "POST" or "GET" */
	const char	*url;		/* http or https, signed as called */
	const char	*params;	/* form-encoded; "" none */
	const char	*token;		/* signing key; NULL: unsigned */
	const char	*idempotency;	/* I-Twilio-Idempotency-Token; NULL */
};

/* timeout: usec per attempt (<= 0: 15 s, Twilio's default). */
struct gw_http_client *gw_http_client_new(struct event_base *,
		    int64_t timeout, unsigned pool);
/*
 * From the first send on, the connections live on an event base of their
 * own, run by a thread ("webhooks"); sends and completions stay on the
 * caller's loop. Before the first send and before any TLS setting that
 * is to apply. Real time only: virtual time needs every socket on the
 * loop it drives.
 */
void		 gw_http_client_use_thread(struct gw_http_client *);
/* Drops every request without calling its callback; NULL is allowed
 * (stops the thread first). */
void		 gw_http_client_free(struct gw_http_client *);
/* TLS: verify 0 accepts any certificate; ca_file NULL: system roots.
 * -1 once the thread runs. */
int		 gw_http_client_set_tls(struct gw_http_client *, int verify,
		    const char *ca_file, char *err, size_t errlen);
/*
 * Queues r (copied). Returns 0 and calls done exactly once later, or -1
 * with err filled when r cannot be sent at all (bad URL or method).
 */
int		 gw_http_client_send(struct gw_http_client *,
		    const struct gw_http_request *r, gw_http_done_cb done,
		    void *arg, char *err, size_t errlen);
/* Requests queued or on the wire. */
size_t		 gw_http_client_in_flight(const struct gw_http_client *);
/* TCP connections opened so far (for tests and metrics). */
uint64_t	 gw_http_client_connects(const struct gw_http_client *);

/* Appends name=value form-encoded ('&' first unless out is empty). */
void		 gw_http_form_add(struct evbuffer *out, const char *name,
		    const char *value);
/* The heap NUL-terminated text of a form buffer (drains it). */
char		*gw_http_form_take(struct evbuffer *);

/* The webhooks object. */
struct wh_callback;
struct wh_inbound;

/* Status callbacks of one message, oldest first: only the head is sent. */
struct wh_fifo {
	char			 message_sid[35];
	TAILQ_HEAD(, wh_callback) callbacks;
	RB_ENTRY(wh_fifo)	 entry;
};
RB_HEAD(wh_fifo_tree, wh_fifo);

struct gw_webhooks {
	struct gateway		*gw;
	struct gw_http_client	*client;
	struct wh_fifo_tree	 fifos;
	size_t			 ncallbacks;	/* status callbacks in memory */
	size_t			 ncallbacks_peak; /* the most so far */
	/*
	 * At most memory_max status callbacks live in memory; the rest wait
	 * only in the store's outbox ("spilled"): once one spills, every
	 * later one does too, until the reload (a page at a time, in id
	 * order, after loaded_to, when memory drains to half) finds the
	 * outbox empty beyond loaded_to. Ids count up in creation order, so
	 * a message's callbacks stay in order.
	 */
	size_t			 memory_max;
	int			 spilling;
	size_t			 nspilled;	/* in the outbox only */
	int64_t			 loaded_to;	/* highest id in memory yet */
	struct clock_timer	*reload;
	TAILQ_HEAD(, wh_inbound) inbound;	/* inbound webhooks alive */
	size_t			 ninbound;
	int			 freeing;
};

/* webhook-inbound.c: frees the inbound webhooks in flight, no reply. */
void		 gw_webhook_inbound_free_all(struct gw_webhooks *);

#endif
