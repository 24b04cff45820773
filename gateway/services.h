/*
 * Messaging Services as the gateway runs them: the services of every
 * account with their sender pools, the sticky sender mappings and the
 * alerts (twilio-api.md §7, §10). One registry per gateway, in memory,
 * written through to the store (gateway/store.h, the "objects" table) so
 * that services, pools, mappings and alerts survive a restart.
 *
 * Where a service comes from: the scenario file (struct gateway_service
 * in gateway.h) or the v1 API. A service the scenario declares is
 * written to the store on the first start with that database, and again
 * whenever its declaration in the file changes (a hash of the declaration
 * is kept with it); otherwise the store's state wins, so changes made
 * through the API survive a restart (a crash in a scenario's timeline
 * included). A service created through the API lives only in the store.
 *
 * Every time is clock time in microseconds (virtual time drives expiry).
 */
#ifndef CARRIERLAB_GATEWAY_SERVICES_H
#define CARRIERLAB_GATEWAY_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include "common/tree.h"
#include "gateway/gateway.h"

struct gateway;
struct gw_error;

#define GW_POOL_MAX		400	/* numbers + short codes (21714) */
#define GW_SERVICES_MAX		10000	/* per account (30995) */
#define GW_STICKY_TTL_DEFAULT	(365LL * 86400 * 1000000)	/* usec */

/*
 * One member of a pool. For PhoneNumbers and ShortCodes the sid is the
 * account's number's (PN…/SC…, as Twilio's sub-resources use the
 * number's sid); AlphaSenders and DestinationAlphaSenders get an AI… sid
 * of their own.
 */
struct gw_sender {
	char		 sid[GATEWAY_SID_SIZE];
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 service_sid[GATEWAY_SID_SIZE];
	enum gateway_sender_kind kind;
	char		 sender[GATEWAY_NUMBER_MAX];	/* "+1415…", "55555",
							   "ACME" */
	char		 country[3];		/* ISO alpha-2; alpha: "" */
	int		 destination;		/* a DestinationAlphaSender */
	char		 iso_country_code[3];	/* destination alpha: for
						   this country; "" all */
	unsigned	 capabilities;		/* GATEWAY_CAP_* */
	int64_t		 date_created;
	int64_t		 date_updated;
	/* Kept by the lifecycle and the selection, not stored. */
	unsigned	 busy;			/* messages of this sender
						   handed to a carrier and
						   not yet answered */
	uint64_t	 mappings;		/* sticky mappings to it */
	TAILQ_ENTRY(gw_sender) entry;
};
TAILQ_HEAD(gw_sender_list, gw_sender);

/* A sticky sender mapping: recipient → sender, per service. */
struct gw_sticky {
	char		 to[GATEWAY_NUMBER_MAX];
	char		 sender_sid[GATEWAY_SID_SIZE];
	int64_t		 last_used;
	RB_ENTRY(gw_sticky) by_to;
};
RB_HEAD(gw_sticky_tree, gw_sticky);
int		 gw_sticky_cmp(const struct gw_sticky *,
		    const struct gw_sticky *);
RB_PROTOTYPE(gw_sticky_tree, gw_sticky, by_to, gw_sticky_cmp);

/*
 * A service. The settings have the names and meanings of struct
 * gateway_service (and of twilio-api.md §7.2); validity_period 0 means
 * the default (36,000 s).
 */
#define GW_SERVICE_NAME_MAX	(64 * 4 + 1)	/* 64 characters of UTF-8 */

struct gw_service {
	char		 sid[GATEWAY_SID_SIZE];
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 friendly_name[GW_SERVICE_NAME_MAX];
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
	int		 synchronous_validation;
	char		 scan_message_content[16];	/* inherit|enable|
							   disable */
	unsigned	 validity_period;
	char		 usecase[32];
	int64_t		 date_created;
	int64_t		 date_updated;
	uint64_t	 declaration;		/* hash of the scenario's
						   declaration it was last
						   written from; 0: made
						   through the API */
	struct gw_sender_list senders;		/* oldest first */
	size_t		 nsenders;		/* numbers + short codes
						   + alpha senders */
	struct gw_sticky_tree sticky;
	size_t		 nsticky;
	RB_ENTRY(gw_service) by_sid;
};
RB_HEAD(gw_service_tree, gw_service);
int		 gw_service_cmp(const struct gw_service *,
		    const struct gw_service *);
RB_PROTOTYPE(gw_service_tree, gw_service, by_sid, gw_service_cmp);

struct gw_services;

/*
 * Loads the registry: the store's services, pools, mappings (those
 * unused for longer than sticky_ttl are dropped), then the scenario's
 * services of cfg as described above. The registry, or NULL with err
 * filled (an unknown number in a declared pool, a store failure).
 */
struct gw_services *gw_services_open(struct gateway *,
		    int64_t sticky_ttl, char *err, size_t errlen);
void		 gw_services_free(struct gw_services *);

/* Lookups; NULL when absent. account_sid NULL matches any account. */
struct gw_service *gw_services_find(struct gw_services *,
		    const char *account_sid, const char *sid);
/* The service whose pool holds the number (PN/SC sid or sender string,
 * as the account owns it), or NULL. */
struct gw_service *gw_services_of_number(struct gw_services *,
		    const char *account_sid, const char *number);
struct gw_sender *gw_service_sender_find(struct gw_service *,
		    const char *sid);
/* The account's services in creation order (date_created, sid), for
 * lists: calls cb for each; stops when cb returns non-zero. */
void		 gw_services_each(struct gw_services *,
		    const char *account_sid,
		    int (*cb)(struct gw_service *, void *), void *arg);

/*
 * Writes. Each validates as Twilio does and returns 0, or -1 with e
 * filled (the code and HTTP status of twilio-api.md §4.3: 21710-21715,
 * 30995, 20404, 21709 ...); a write is in memory at once and in the
 * store's open batch.
 */
/* The settings' checks of create and update (FriendlyName given,
 * ValidityPeriod 0 or 1..36,000, a Usecase Twilio knows): 0, or -1. */
int		 gw_services_check(const struct gw_service *tmpl,
		    struct gw_error *e);
/* A new service from the settings of tmpl (sid drawn here). */
struct gw_service *gw_services_create(struct gw_services *,
		    const char *account_sid, const struct gw_service *tmpl,
		    struct gw_error *e);
/* After the caller changed s's settings. */
int		 gw_services_updated(struct gw_services *,
		    struct gw_service *s);
/* Deletes the service, its pool and its mappings. */
int		 gw_services_delete(struct gw_services *,
		    struct gw_service *s);
/* Adds the account's number with that sid (PN… or SC…) to the pool. */
struct gw_sender *gw_services_add_number(struct gw_services *,
		    struct gw_service *s, const char *number_sid,
		    struct gw_error *e);
/* Adds an alpha sender (destination: a DestinationAlphaSender for
 * iso_country, "" or NULL: every country). */
struct gw_sender *gw_services_add_alpha(struct gw_services *,
		    struct gw_service *s, const char *alpha, int destination,
		    const char *iso_country, struct gw_error *e);
/* Removes a sender and every mapping to it. */
int		 gw_services_remove_sender(struct gw_services *,
		    struct gw_service *s, struct gw_sender *snd);

/*
 * Sticky sender. get: the live mapping of to (NULL: none, or expired:
 * then it is removed); set: maps to → snd at now (persisted; replaces an
 * earlier mapping; keeps snd->mappings counts right).
 */
struct gw_sticky *gw_sticky_get(struct gw_services *, struct gw_service *s,
		    const char *to, int64_t now);
void		 gw_sticky_set(struct gw_services *, struct gw_service *s,
		    const char *to, const struct gw_sender *snd, int64_t now);

/*
 * Alerts (Twilio's Monitor Alerts: NO… sids, /v1/Alerts): a warning
 * recorded with its code (30018 sender ID pre-registration, ...), text,
 * the message it is about and the service. Persisted and logged.
 */
struct gw_alert {
	char		 sid[GATEWAY_SID_SIZE];		/* NO + 32 hex */
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 resource_sid[GATEWAY_SID_SIZE];	/* SM… */
	char		 service_sid[GATEWAY_SID_SIZE];		/* "" none */
	int		 error_code;
	char		 log_level[8];			/* "warning" */
	char		 alert_text[512];
	int64_t		 date_created;
};
void		 gw_alert_add(struct gw_services *, const char *account_sid,
		    int error_code, const char *resource_sid,
		    const char *service_sid, const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));

#endif
