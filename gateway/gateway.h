/*
 * The gateway: a Twilio-compatible Messages API in front of outbound SMPP
 * sessions to carriers (simulated or real), with the message store, the
 * message lifecycle, status callbacks and inbound messages.
 *
 * The gateway never includes a carriers/ header: it reaches carriers only
 * over SMPP, as it would a real SMSC. scenarios/ fills struct
 * gateway_config from a scenario file; nothing here parses one.
 *
 * Every timer and timestamp goes through the struct clock given to
 * gateway_new(), so virtual time drives the gateway too.
 */
#ifndef CARRIERLAB_GATEWAY_GATEWAY_H
#define CARRIERLAB_GATEWAY_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct clock;
struct event_base;
struct evbuffer;
struct evhttp_request;
struct gateway;

#define GATEWAY_SID_LEN		34	/* "AC" + 32 hex digits */
#define GATEWAY_SID_SIZE	35	/* with the NUL */
#define GATEWAY_TOKEN_MAX	128	/* auth token or API key secret */
#define GATEWAY_NUMBER_MAX	32	/* "+14155550100", "55555", alpha */
#define GATEWAY_URL_MAX		4096	/* Twilio's limit for callback URLs */
#define GATEWAY_NAME_MAX	64	/* friendly names, route names */
#define GATEWAY_ADDR_MAX	80	/* "127.0.0.1:2775" */
#define GATEWAY_PREFIX_MAX	22	/* "+1415", with the NUL */
#define GATEWAY_METHOD_MAX	8	/* "POST", "GET" */

/* An API key (SK...) that authenticates as its account. */
struct gateway_api_key {
	char		 sid[GATEWAY_SID_SIZE];		/* SK + 32 hex */
	char		 secret[GATEWAY_TOKEN_MAX];
	char		 friendly_name[GATEWAY_NAME_MAX];
};

struct gateway_account {
	char		 sid[GATEWAY_SID_SIZE];		/* AC + 32 hex */
	char		 token[GATEWAY_TOKEN_MAX];	/* auth token */
	char		 friendly_name[GATEWAY_NAME_MAX];
	struct gateway_api_key *keys;
	size_t		 nkeys;
};

/* What kind of sender a number is (smpp/address.h has the wire side). */
enum gateway_sender_kind {
	GATEWAY_SENDER_LONG_CODE,
	GATEWAY_SENDER_SHORT_CODE,
	GATEWAY_SENDER_TOLL_FREE,
	GATEWAY_SENDER_ALPHANUMERIC,
};
const char	*gateway_sender_kind_name(enum gateway_sender_kind);

#define GATEWAY_CAP_SMS		0x01
#define GATEWAY_CAP_MMS		0x02
#define GATEWAY_CAP_VOICE	0x04

/*
 * A sender the account owns: a phone number (PN...), a short code (SC...)
 * or an alphanumeric sender (AI...). Shown by IncomingPhoneNumbers.json
 * (phone numbers and toll-free) and used as From.
 */
struct gateway_number {
	char		 sid[GATEWAY_SID_SIZE];
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 number[GATEWAY_NUMBER_MAX];	/* E.164, digits, alpha */
	enum gateway_sender_kind kind;
	char		 country[3];			/* ISO 3166 alpha-2 */
	unsigned	 capabilities;			/* GATEWAY_CAP_* */
	char		 friendly_name[GATEWAY_NAME_MAX];
	char		 sms_url[GATEWAY_URL_MAX];	/* inbound webhook */
	char		 sms_method[GATEWAY_METHOD_MAX];
	char		 sms_fallback_url[GATEWAY_URL_MAX];
	char		 sms_fallback_method[GATEWAY_METHOD_MAX];
	char		 status_callback[GATEWAY_URL_MAX];
	int64_t		 date_created;			/* usec; 0: start */
};

/* A DestinationAlphaSender of a service: alpha for one country ("" all). */
struct gateway_destination_alpha {
	char		 alpha[GATEWAY_NUMBER_MAX];
	char		 iso_country_code[3];
};

/*
 * Advanced Opt-Out settings of a service (gateway/optout.h; the JSON
 * shape is docs/scenarios.md's "Advanced Opt-Out"). Keywords are kept
 * upper case; a class's reply is its text (NULL: Twilio's default), then
 * overrides per keyword language and per handset country.
 */
enum gateway_optout_class {
	GATEWAY_OPTOUT_OPT_OUT,		/* STOP and the like */
	GATEWAY_OPTOUT_OPT_IN,		/* START and the like */
	GATEWAY_OPTOUT_HELP,		/* HELP, INFO */
	GATEWAY_OPTOUT_CLASSES,
};
#define GATEWAY_OPTOUT_KEYWORD_MAX	32	/* bytes, with the NUL */
#define GATEWAY_OPTOUT_LANGUAGE_MAX	8	/* "en", "pt-BR", "zh-Hant" */
#define GATEWAY_OPTOUT_KEYWORDS_MAX	100	/* custom keywords */
#define GATEWAY_OPTOUT_OVERRIDES_MAX	100	/* per class and kind */
#define GATEWAY_OPTOUT_TEXT_MAX		1600	/* characters of a reply */

struct gateway_optout_keyword {
	char		 keyword[GATEWAY_OPTOUT_KEYWORD_MAX];
	enum gateway_optout_class cls;
	char		 language[GATEWAY_OPTOUT_LANGUAGE_MAX];
};

/* A reply for one language ("fr") or one country ("FR"). */
struct gateway_optout_override {
	char		 key[GATEWAY_OPTOUT_LANGUAGE_MAX];
	char		*text;
};

struct gateway_optout_reply {
	int		 enabled;	/* 0: no reply is sent */
	char		*text;		/* NULL: Twilio's default */
	struct gateway_optout_override *languages;
	size_t		 nlanguages;
	struct gateway_optout_override *countries;
	size_t		 ncountries;
};

struct gateway_optout {
	struct gateway_optout_keyword *keywords;	/* custom */
	size_t		 nkeywords;
	/* Default keywords removed (never STOP, START, HELP). */
	char		(*removed)[GATEWAY_OPTOUT_KEYWORD_MAX];
	size_t		 nremoved;
	struct gateway_optout_reply replies[GATEWAY_OPTOUT_CLASSES];
};

/* The defaults: Twilio's keywords and replies. */
struct gateway_optout *gateway_optout_new(void);
/*
 * Reads the JSON object o (scenario key services[].opt_out, body of PUT
 * /sim/services/{MG}/opt-out). NULL on a mistake, with path the key path
 * inside o ("keywords[2].class", "" for o itself) and err the reason.
 */
struct gateway_optout *gateway_optout_parse(const json_t *o, char *path,
		    size_t pathlen, char *err, size_t errlen);
/* The settings as JSON that parses back to them (NULL: the defaults). */
json_t		*gateway_optout_json(const struct gateway_optout *);
struct gateway_optout *gateway_optout_dup(const struct gateway_optout *);
void		 gateway_optout_free(struct gateway_optout *);

/*
 * A Messaging Service as the scenario declares it (gateway/services.h has
 * the running ones, API-made included).
 */
struct gateway_service {
	char		 sid[GATEWAY_SID_SIZE];		/* MG + 32 hex */
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 friendly_name[GATEWAY_NAME_MAX];
	char		 inbound_request_url[GATEWAY_URL_MAX];
	char		 inbound_method[GATEWAY_METHOD_MAX];
	char		 fallback_url[GATEWAY_URL_MAX];
	char		 fallback_method[GATEWAY_METHOD_MAX];
	char		 status_callback[GATEWAY_URL_MAX];
	int		 sticky_sender;
	int		 mms_converter;
	int		 smart_encoding;
	int		 area_code_geomatch;
	int		 fallback_to_long_code;
	int		 use_inbound_webhook_on_number;
	unsigned	 validity_period;		/* s, 1..36000 */
	char		 usecase[32];
	/* Pool members: numbers' sids (PN/SC/AI) of gateway_config.numbers. */
	char		(*senders)[GATEWAY_SID_SIZE];
	size_t		 nsenders;
	struct gateway_destination_alpha *destination_alphas;
	size_t		 ndestination_alphas;
	struct gateway_optout *opt_out;		/* NULL: the defaults */
};

/*
 * A Link Shortening domain as the scenario declares it (gateway/links.h
 * has the running ones, API-made included): its name, its Domain
 * Config and the services that shorten on it.
 */
#define GATEWAY_DOMAIN_MAX	256	/* a host name, with the NUL */

struct gateway_link_domain {
	char		 sid[GATEWAY_SID_SIZE];		/* DN + 32 hex */
	char		 account_sid[GATEWAY_SID_SIZE];	/* "": the first
							   service's */
	char		 domain[GATEWAY_DOMAIN_MAX];	/* "links.example.com" */
	char		 fallback_url[GATEWAY_URL_MAX];
	char		 callback_url[GATEWAY_URL_MAX];	/* click events */
	int		 continue_on_failure;
	int		 disable_https;
	char		(*services)[GATEWAY_SID_SIZE];	/* MG sids */
	size_t		 nservices;
};

/* A country's rules for alphanumeric senders, overriding the built-in
 * table (data/countries.csv). */
struct gateway_country {
	char		 iso[3];			/* "GB" */
	int		 alpha;				/* accepts alpha */
	int		 alpha_preregistration;		/* 30018 alert */
};

/*
 * One rule of the carrier-outcome → Twilio error table. A rule matches
 * when every field it sets matches: kind says what it looks at.
 */
enum gateway_outcome_kind {
	GATEWAY_OUTCOME_SUBMIT,		/* submit_sm_resp command_status */
	GATEWAY_OUTCOME_RECEIPT,	/* receipt stat word (+ err) */
	GATEWAY_OUTCOME_NETWORK,	/* network_error_code TLV */
};

struct gateway_error_rule {
	enum gateway_outcome_kind kind;
	uint32_t	 command_status;	/* SUBMIT */
	char		 stat[16];		/* RECEIPT: "UNDELIV"; "" any */
	char		 err[8];		/* RECEIPT: "001"; "" any */
	int		 network_type;		/* NETWORK: 1..3; -1 any */
	int		 network_code;		/* NETWORK: -1 any */
	int		 error_code;		/* Twilio code, 0: none */
	int		 status;		/* enum gw_status (failed or
						   undelivered); -1: the
						   default for the kind */
	int		 retry;			/* SUBMIT: 1 = retry later
						   (throttled, queue full) */
};

/* Outbound sessions to one carrier (simulated or real). */
#define GATEWAY_BIND_TX		0x01
#define GATEWAY_BIND_RX		0x02
#define GATEWAY_BIND_TRX	0x04

struct gateway_route {
	char		 name[GATEWAY_NAME_MAX];	/* "alpha-mobile" */
	char		 address[GATEWAY_ADDR_MAX];	/* host:port */
	int		 tls;
	int		 tls_verify;
	char		 tls_ca[1024];			/* "" : system */
	char		 system_id[16];
	char		 password[9];
	char		 system_type[13];
	unsigned	 bind;				/* one GATEWAY_BIND_* */
	unsigned	 sessions;			/* pool size, >= 1 */
	unsigned	 window;			/* per session */
	double		 throughput;			/* submits/s, 0: none */
	int64_t		 response_timeout;		/* usec */
	int64_t		 enquire_link;			/* usec */
	int64_t		 reconnect_min;			/* usec */
	int64_t		 reconnect_max;			/* usec */
	unsigned	 submit_retries;		/* after a timeout */
	int64_t		 retry_pause;			/* throttled: usec */
	/* Destination prefixes this route serves ("+1", "+4420"). */
	char		(*prefixes)[GATEWAY_PREFIX_MAX];
	size_t		 nprefixes;
	/* What the carrier takes: bit (1 << enum gateway_sender_kind) per
	 * sender kind, and mms. */
	unsigned	 accepts_kinds;
	int		 accepts_mms;
	/* Overrides, tried before the default table. */
	struct gateway_error_rule *error_rules;
	size_t		 nerror_rules;
};

/*
 * sqlite's synchronous setting for the gateway's store (WAL). Every
 * level writes a batch to the operating system before its COMMIT
 * returns, so a 201 survives kill -9 at all of them. NORMAL adds fsyncs
 * at WAL checkpoints (the file survives an OS crash uncorrupted, though
 * the last commits may roll back); FULL an fsync per commit (nothing
 * acknowledged is lost to a power loss). The checkpoint fsyncs stall the
 * worker for tens of milliseconds, hence OFF by default.
 */
#define GATEWAY_SYNC_OFF	0
#define GATEWAY_SYNC_NORMAL	1
#define GATEWAY_SYNC_FULL	2

struct gateway_config {
	struct gateway_account *accounts;
	size_t		 naccounts;
	struct gateway_number *numbers;
	size_t		 nnumbers;
	struct gateway_service *services;
	size_t		 nservices;
	struct gateway_route *routes;
	size_t		 nroutes;
	uint64_t	 seed;
	int		 synchronous;		/* GATEWAY_SYNC_* */
	int64_t		 callback_timeout;	/* usec, per attempt */
	unsigned	 callback_retries;	/* attempts after the first */
	int64_t		 callback_backoff;	/* usec, doubles each retry */
	int64_t		 callback_backoff_max;	/* usec */
	unsigned	 callback_connections;	/* kept alive per host */
	unsigned	 callback_memory_max;	/* status callbacks held in
						   memory, the rest only in
						   the outbox; 0: 20000 */
	int		 callback_tls_verify;	/* https: check certificates */
	char		 callback_tls_ca[1024];	/* PEM CA file; "": system */
	int		 callback_in_loop;	/* webhooks' HTTP on the event
						   loop, not its own thread
						   (virtual time always) */
	struct gateway_country *countries;
	size_t		 ncountries;
	int64_t		 sticky_ttl;		/* usec; unused sticky mappings
						   expire (default a year) */
	/* Twilio codes of an undelivered short-code message that send it
	 * again from a long code (fallback_to_long_code); 0-terminated,
	 * empty: the default list of docs/sender-selection.md. */
	int		 fallback_codes[16];
	struct gateway_link_domain *link_domains;
	size_t		 nlink_domains;
	int		 link_shortener_outage;	/* links sent unshortened */
	size_t		 max_body;		/* request body limit */
	unsigned	 api_max_pending;	/* creates awaiting their commit
						   before 20429 */
};

/* Fills the defaults of everything but the arrays. */
void	gateway_config_defaults(struct gateway_config *);

/*
 * Opens the store at db_path (":memory:" allowed; created and migrated
 * as needed), loads accounts, numbers and services, resumes every message
 * that was not terminal when the store was last closed (or killed) and
 * every pending status callback, and starts connecting the routes.
 * cfg is copied. Returns NULL with err filled on failure.
 */
struct gateway	*gateway_new(struct event_base *, struct clock *,
		    const struct gateway_config *cfg, const char *db_path,
		    char *err, size_t errlen);

/*
 * Serves one HTTP request of the Twilio API (/2010-04-01/..., /v1/...).
 * Returns 0 when the request was taken (answered now or later), -1 when
 * the path is none of the gateway's (the caller answers 404).
 */
int	gateway_http_handle(struct gateway *, struct evhttp_request *);

/*
 * The base of the links the gateway serves itself (MMS Converter's
 * BASE/m/CODE): "http://127.0.0.1:8080" until serve sets its listener's.
 */
void	gateway_set_public_url(struct gateway *, const char *url);

/* Link shortener outage (admin API, scenario): while on, links are sent
 * as they are. */
void	gateway_links_set_outage(struct gateway *, int on);

/*
 * Clicks a link as a handset would (the admin API): code is a shortened
 * link's (ten characters) or a media link's (seven). Returns {"code",
 * "status": 302 or 404, "location" (null for 404), "clicked": whether a
 * click event was queued, "expired"}; the caller decrefs.
 */
json_t	*gateway_links_click(struct gateway *, const char *code,
		    const char *user_agent);

/*
 * A message for debugging: {"message": the API's resource, "route",
 * "parts": [{state, smsc_id, stat, err, error_code}], "events":
 * [{status, error_code, at, detail}], "sender_selection": [the trace's
 * lines, docs/sender-selection.md]}, from the store (any account);
 * NULL when there is no such message. The caller decrefs.
 */
json_t	*gateway_message_debug(struct gateway *, const char *sid);

/*
 * The admin API of Advanced Opt-Out (GET and PUT /sim/services/{MG}/
 * opt-out): the service's settings as gateway_optout_json() shows them,
 * or NULL with *status (404 no such service, 400 a bad body) and err
 * ("keywords[0].class: ..."). put replaces every setting (persisted;
 * they survive a restart unless the scenario's declaration changed).
 * The caller decrefs.
 */
json_t	*gateway_optout_get(struct gateway *, const char *service_sid,
	    int *status, char *err, size_t errlen);
json_t	*gateway_optout_put(struct gateway *, const char *service_sid,
	    const json_t *body, int *status, char *err, size_t errlen);

/*
 * The route called name now takes these sender kinds (a bit per enum
 * gateway_sender_kind) and MMS or not: what a carrier announced it
 * changed (a scenario's timeline). Sender selection sees it from the next
 * message on. Returns -1 when there is no such route.
 */
int	gateway_route_accepts(struct gateway *, const char *name,
	    unsigned kinds, int mms);

/*
 * Commits every write made so far and runs what waited for it (answers,
 * submits, callbacks), as the loop would have next: after it, another
 * sqlite connection to the store sees all of it. 0, or -1 when a batch
 * failed (logged).
 */
int	gateway_sync(struct gateway *);

/*
 * Work the event loop cannot see is under way (the store's worker is
 * committing): a virtual clock must not jump now (common/vloop.h).
 */
int	gateway_busy(const struct gateway *);

/* Appends the gateway's metrics in Prometheus text format. */
void	gateway_metrics(struct gateway *, struct evbuffer *out);

/*
 * Graceful stop: refuses new API requests (503), commits the store,
 * unbinds every session; done(arg) is called from the loop when every
 * session is closed (or after a bounded wait).
 */
void	gateway_shutdown(struct gateway *, void (*done)(void *), void *arg);

/* Commits and frees everything at once; no callback is called. */
void	gateway_free(struct gateway *);

#endif
