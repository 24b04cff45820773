/*
 * What the registry's files share (services.h is the contract):
 *
 *   services.c         the registry: lookups, services, pools, validation
 *   services-store.c   the objects rows: bodies written and read back,
 *                      the load at start and the scenario's seeding
 *   services-sticky.c  sticky mappings, their expiry sweep, alerts
 */
#ifndef CARRIERLAB_GATEWAY_SERVICES_INTERNAL_H
#define CARRIERLAB_GATEWAY_SERVICES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/random.h"
#include "common/tree.h"
#include "gateway/gateway-internal.h"
#include "gateway/services.h"

struct clock_timer;

/* The objects kinds of the registry (store.h). */
#define GW_OBJ_SERVICE	"service"
#define GW_OBJ_SENDER	"sender"
#define GW_OBJ_STICKY	"sticky"
#define GW_OBJ_ALERT	"alert"
/* A declared service deleted through the API: the file's declaration
 * does not bring it back until it changes. */
#define GW_OBJ_DELETED	"deleted"

/* Phone numbers and short codes of every pool by sid: a number is in
 * one pool at most (21712), and inbound looks its service up per MO. */
struct gw_number_ref {
	char		 sid[GATEWAY_SID_SIZE];
	struct gw_service *s;
	struct gw_sender *snd;
	RB_ENTRY(gw_number_ref) by_sid;
};
RB_HEAD(gw_number_index, gw_number_ref);

struct gw_services {
	struct gateway	*gw;
	int64_t		 sticky_ttl;
	struct rng	 rng;		/* sids of services, senders, alerts */
	struct gw_service_tree services;
	size_t		 nservices;
	struct gw_number_index numbers;
	uint64_t	 nsticky;	/* mappings of every service */
	struct clock_timer *sweep;	/* expiry of unused mappings */
	int		 loading;	/* reading the store: no writes */
};

/* services.c */
int64_t		 gw_services_now(const struct gw_services *);
struct gw_service *gw_service_alloc(void);
void		 gw_service_insert(struct gw_services *, struct gw_service *);
/* The account's number (or alpha) of the configuration with sid. */
const struct gateway_number *gw_services_number(const struct gw_services *,
		    const char *account_sid, const char *sid);
/* Links snd (filled) into s's pool and the number index. */
void		 gw_pool_attach(struct gw_services *, struct gw_service *s,
		    struct gw_sender *snd);
/* The pool members that count towards GW_POOL_MAX. */
size_t		 gw_pool_numbers(const struct gw_service *);
/* Adds a pool member with the sid given (an AI sid derived from the
 * declaration, or drawn here when sid is NULL). */
struct gw_sender *gw_pool_add_alpha(struct gw_services *,
		    struct gw_service *s, const char *sid, const char *alpha,
		    int destination, const char *iso_country,
		    struct gw_error *e);

/* services-store.c */
void		 gw_service_write(struct gw_services *, const struct gw_service *);
void		 gw_sender_write(struct gw_services *, const struct gw_sender *);
/* The key of a sender's or a mapping's row: "<service sid>/<name>". */
void		 gw_services_key(char *out, size_t size, const char *service,
		    const char *name);
/* Reads services, senders and mappings back from the store. */
int		 gw_services_load(struct gw_services *, char *err,
		    size_t errlen);
/* Applies the scenario's services by the hash rule of services.h. */
int		 gw_services_seed(struct gw_services *, char *err,
		    size_t errlen);

/* services-sticky.c */
/* Removes a mapping (and its row unless loading). */
void		 gw_sticky_drop(struct gw_services *, struct gw_service *,
		    struct gw_sticky *);
/* Every mapping to snd; every mapping whose recipient is in country. */
void		 gw_sticky_drop_sender(struct gw_services *, struct gw_service *,
		    const struct gw_sender *);
void		 gw_sticky_drop_country(struct gw_services *,
		    struct gw_service *, const char *country);
/* A mapping read from the store (dropped when expired or dangling). */
void		 gw_sticky_restore(struct gw_services *, struct gw_service *,
		    const char *to, const char *sender_sid, int64_t last_used);
/* Arms the expiry sweep when mappings exist and it is not armed. */
void		 gw_sticky_sweep_arm(struct gw_services *);

#endif
