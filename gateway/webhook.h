/*
 * Webhooks: status callbacks (persisted in the store's outbox, retried
 * with backoff, none lost across a restart) and inbound-message webhooks
 * (with the fallback URL on failure, and the TwiML reply parsed), both
 * signed with X-Twilio-Signature.
 *
 * HTTP client: evhttp_connection per scheme://host:port, kept alive and
 * reused, a few connections per host so one slow request does not hold
 * the rest; https through bufferevent_openssl. Each attempt has
 * cfg.callback_timeout; a 2xx answer is success; anything else (refused,
 * timeout, non-2xx) is a failure, retried after cfg.callback_backoff
 * doubling to cfg.callback_backoff_max, cfg.callback_retries times, then
 * dropped (logged, counted).
 */
#ifndef CARRIERLAB_GATEWAY_WEBHOOK_H
#define CARRIERLAB_GATEWAY_WEBHOOK_H

#include <stddef.h>

struct evkeyvalq;
struct gateway;
struct gw_callback_row;
struct gw_message;
struct gw_webhooks;

struct gw_webhooks *gw_webhooks_new(struct gateway *);
void		 gw_webhooks_free(struct gw_webhooks *);

/*
 * Queues the status callback for m's current status to url: the
 * parameters of twilio-api.md §5.1 (MessageSid, SmsSid, MessageStatus,
 * SmsStatus, AccountSid, From, To, ApiVersion, MessagingServiceSid when
 * set, ErrorCode and ErrorMessage when set, RawDlrDoneDate for
 * delivered/undelivered when known), written to the outbox in the store's
 * open batch and sent once that batch is durable.
 */
void		 gw_webhook_status(struct gw_webhooks *,
		    const struct gw_message *m, const char *url,
		    const char *raw_dlr_done_date);
/* Recovery: a row of the outbox; takes its strings. Rows must come
 * oldest first: beyond cfg.callback_memory_max of them in memory, a row
 * stays in the outbox only (counted as pending) and is read again in
 * its turn. */
void		 gw_webhook_resume(struct gw_webhooks *,
		    struct gw_callback_row *row);

/* Callbacks not yet answered 2xx (for quiescence and metrics). */
size_t		 gw_webhooks_pending(const struct gw_webhooks *);
/* HTTP requests queued or on the wire (virtual time's quiescence). */
size_t		 gw_webhooks_in_flight(const struct gw_webhooks *);

/* One <Message> of a TwiML reply. */
#define GW_TWIML_MAX_MESSAGES	10
#define GW_TWIML_MAX_MEDIA	10

struct gw_twiml_message {
	char		*to;		/* NULL: reply to the sender */
	char		*from;		/* NULL: from the number called */
	char		*body;		/* never NULL ("" allowed) */
	char		*media[GW_TWIML_MAX_MEDIA];
	size_t		 nmedia;
	char		*status_callback;
};

struct gw_twiml {
	struct gw_twiml_message messages[GW_TWIML_MAX_MESSAGES];
	size_t		 nmessages;
};

/*
 * Parses a TwiML document (<Response> with <Message> verbs, each with
 * attributes to, from, statusCallback and either text or <Body>/<Media>
 * children; other verbs are skipped). Entities &lt; &gt; &amp; &quot;
 * &apos; and numeric references are decoded. Returns 0, or -1 with err
 * filled ("line 3: <Message> not closed"); out holds nothing to free on
 * error. Untrusted input: a fuzz target covers it.
 */
int		 gw_twiml_parse(const char *xml, size_t len,
		    struct gw_twiml *out, char *err, size_t errlen);
void		 gw_twiml_clear(struct gw_twiml *);

/* Where an inbound message goes. url "" : nowhere (dropped). */
struct gw_inbound_target {
	const char	*url;
	const char	*method;		/* "POST" or "GET" */
	const char	*fallback_url;		/* "" none */
	const char	*fallback_method;
	const char	*opt_out_type;		/* OptOutType parameter
						   ("STOP", "START", "HELP");
						   NULL: not a keyword */
};

typedef void (*gw_inbound_reply_cb)(struct gateway *,
		    const struct gw_message *in, const struct gw_twiml *reply,
		    void *arg);

/*
 * Sends the inbound-message webhook for in (twilio-api.md §5.2
 * parameters, SmsStatus=received), signed with the account's token; on
 * failure (connection, timeout, non-2xx, unparseable TwiML) once to the
 * fallback URL. reply is called once with the parsed TwiML (NULL when
 * both failed or the answer had no TwiML or an empty <Response/>); at
 * once, before this returns, when t->url is "" or no URL can be called.
 * in is copied.
 */
void		 gw_webhook_inbound(struct gw_webhooks *,
		    const struct gw_message *in,
		    const struct gw_inbound_target *t, gw_inbound_reply_cb reply,
		    void *arg);

/*
 * X-Twilio-Signature: base64(HMAC-SHA1(token, url + for each parameter
 * name in byte order, name + value)); form is the POST body as sent
 * (application/x-www-form-urlencoded), NULL for a GET. out receives the
 * NUL-terminated base64 text (28 characters). A signer keeps each
 * token's HMAC keyed between calls; one thread's only.
 */
struct gw_signer;

struct gw_signer *gw_signer_new(void);
void		 gw_signer_free(struct gw_signer *);
void		 gw_signer_sign(struct gw_signer *, const char *token,
		    const char *url, const char *form, char out[29]);

#endif
