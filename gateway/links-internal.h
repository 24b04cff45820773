/*
 * What the links files share and api-links.c reads: the running
 * domains, the link rows, the certificate check.
 *
 *   links.c           the registry of domains, their rows in the store,
 *                     the scenario's declarations, the outage switch
 *   links-shorten.c   codes, shortening a body, media links, rate limit
 *   links-redirect.c  redirects and click events
 *   links-cert.c      the TlsCert check (OpenSSL)
 */
#ifndef CARRIERLAB_GATEWAY_LINKS_INTERNAL_H
#define CARRIERLAB_GATEWAY_LINKS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include "common/random.h"
#include "gateway/gateway-internal.h"
#include "gateway/links.h"

#define GW_LINK_OBJ_DOMAIN	"link_domain"
#define GW_LINK_OBJ_SHORT	"link"
#define GW_LINK_OBJ_MEDIA	"media_link"
#define GW_LINK_RATE_MAX	10	/* shortening requests a second */
#define GW_LINK_CODE_TRIES	8	/* draws before giving up (30103) */
#define GW_LINK_CERT_TTL	(90LL * 86400 * 1000000)	/* managed */

/* A Link Shortening domain (DN), its config (ZK) and certificate (CW). */
struct gw_link_domain {
	char		 sid[GATEWAY_SID_SIZE];
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 domain[GATEWAY_DOMAIN_MAX];	/* "" : no name yet */
	uint64_t	 declaration;			/* hash of the scenario's
							   declaration; 0: API */
	int64_t		 created;
	/* Domain Config. */
	int		 has_config;
	char		 config_sid[GATEWAY_SID_SIZE];
	char		 fallback_url[GATEWAY_URL_MAX];
	char		 callback_url[GATEWAY_URL_MAX];
	int		 continue_on_failure;
	int		 disable_https;
	int64_t		 config_created;
	int64_t		 config_updated;
	/* Certificate (uploaded or managed). */
	int		 has_cert;
	int		 managed;
	char		 cert_sid[GATEWAY_SID_SIZE];
	int64_t		 cert_expires;
	int64_t		 cert_created;
	int64_t		 cert_updated;
	/* Services that shorten on it (each in one domain at most). */
	char		(*services)[GATEWAY_SID_SIZE];
	size_t		 nservices;
	TAILQ_ENTRY(gw_link_domain) entry;
};
TAILQ_HEAD(gw_link_domain_list, gw_link_domain);

/* The last shortening requests of an account (a ring). */
struct gw_link_rate {
	char		 account_sid[GATEWAY_SID_SIZE];
	int64_t		 at[GW_LINK_RATE_MAX];
	size_t		 n;
	size_t		 next;
	TAILQ_ENTRY(gw_link_rate) entry;
};

struct gw_links {
	struct gateway		*gw;
	/* Codes in virtual time (gw_link_code_draw()); seeded from the
	 * gateway's rng. */
	struct rng		 rng;
	struct gw_link_domain_list domains;
	TAILQ_HEAD(, gw_link_rate) rates;
	int			 outage;
};

/* A link row of the store: short (kind "link") or media. */
struct gw_link {
	char		 code[GW_LINK_SHORT_CODE_LEN + 1];
	int		 media;
	char		*url;			/* the long link, heap */
	char		*shortened;		/* as put in the body, heap */
	char		 domain_sid[GATEWAY_SID_SIZE];	/* "" media */
	char		 message_sid[GATEWAY_SID_SIZE];
	char		 account_sid[GATEWAY_SID_SIZE];
	char		 service_sid[GATEWAY_SID_SIZE];
	char		 to[GATEWAY_NUMBER_MAX];
	char		 from[GATEWAY_NUMBER_MAX];
	int64_t		 created;
	int64_t		 expires;
};

/* links.c: lookups (NULL when absent); account NULL matches any. */
struct gw_link_domain *gw_links_domain_find(struct gw_links *,
		    const char *account_sid, const char *sid);
/* By host name (case-insensitive, no port). */
struct gw_link_domain *gw_links_domain_by_name(struct gw_links *,
		    const char *host);
struct gw_link_domain *gw_links_domain_of_service(struct gw_links *,
		    const char *service_sid);
/* A new, empty domain of the account (not yet saved). */
struct gw_link_domain *gw_links_domain_add(struct gw_links *,
		    const char *account_sid, const char *sid);
/* Writes d's row (the open batch). */
void		 gw_links_domain_save(struct gw_links *,
		    const struct gw_link_domain *);
/* Associates service to d (saved): 0 (also when it was on d), or -1
 * when it is on another domain (30130). */
int		 gw_links_domain_associate(struct gw_links *,
		    struct gw_link_domain *, const char *service_sid);
/* 0, or -1 when service was not on d. */
int		 gw_links_domain_dissociate(struct gw_links *,
		    struct gw_link_domain *, const char *service_sid);
/* A host name of letters, digits, '-' and '.', with a dot: 1, else 0. */
int		 gw_links_host_valid(const char *);

/* links-shorten.c */
/* Reads the link of code (short when len is 10, media when 7): 1 with
 * l filled (free with gw_link_clear), 0 none, -1 store error. */
int		 gw_link_load(struct gw_links *, const char *code,
		    struct gw_link *l);
void		 gw_link_clear(struct gw_link *);
/*
 * The next link of the body s: its offset (strlen(s) when none) and
 * *len. A link starts with http:// or https:// (any case) not glued to a
 * word before it, runs up to whitespace, and leaves trailing
 * . , ; : ! ? ) out. Shortening calls it again after each link.
 */
size_t		 gw_link_find_next(const char *s, size_t *len);

/* links-cert.c: what a valid TlsCert says. */
struct gw_link_cert {
	char		 common_name[GATEWAY_DOMAIN_MAX];
	int64_t		 not_after;		/* usec */
};
/*
 * pem holds a certificate and its PKCS#8 private key, in any order.
 * 0 with out filled, or -1 with err ("the private key does not match
 * the certificate"): a part missing or unreadable, a key that is not
 * PKCS#8 or not the certificate's, Subject Alternative Names, no CN.
 */
int		 gw_link_cert_check(const char *pem, struct gw_link_cert *out,
		    char *err, size_t errlen);

#endif
