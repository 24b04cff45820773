/*
 * Inside the load engine, shared by its three files and nothing else:
 * load-message.c builds the message templates, load-track.c keeps what
 * became of each message, load.c runs the sessions and the schedule.
 */
#ifndef CARRIERLAB_SCENARIOS_LOAD_INTERNAL_H
#define CARRIERLAB_SCENARIOS_LOAD_INTERNAL_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "common/tree.h"
#include "scenarios/load.h"
#include "smpp/pdu.h"
#include "smpp/session.h"

struct bufferevent;
struct clock_timer;
struct event;
struct smpp_session;

/* An address, or a range of numbers cycled through one by one. */
struct load_address {
	uint8_t		 ton;
	uint8_t		 npi;
	char		 text[21];	/* a single address, as sent */
	int		 range;		/* text unused: first + i % count */
	uint64_t	 first;
	uint64_t	 count;
	int		 width;		/* digits, zero-padded */
};

/*
 * The submit_sm of every part of the message, built once. Before part k of
 * message i is sent, load_message_pdu() writes i's destination and
 * concatenation reference into the templates if they hold another
 * message's; nothing else changes between messages.
 */
struct load_message {
	struct load_message_info info;
	enum load_segmenting	 segmenting;
	struct load_address	 to;
	struct smpp_pdu		**part;		/* info.parts templates */
	uint64_t		 current;	/* whose fields they hold */
	int			 have_current;
};

/* Builds the templates for cfg; -1 with a one-line reason in err. */
int	 load_message_prepare(struct load_message *,
	    const struct load_config *cfg, char *err, size_t errlen);
/* Part k of message index, ready to send. */
struct smpp_pdu *load_message_pdu(struct load_message *, uint64_t index,
	    unsigned k);
void	 load_message_release(struct load_message *);

/*
 * Parses "+14155550100", "12345", "Carrierlab" or, with allow_range, a
 * range "+14155550000-+14155559999" of numbers of equal width. Sets ton
 * and npi from the form: '+' is international/E.164 (the '+' is not sent),
 * a letter makes it alphanumeric, digits alone are unknown/E.164.
 */
int	 load_address_parse(struct load_address *, const char *s,
	    int allow_range, char *err, size_t errlen);
/* The address of message index, NUL-terminated, into out[21]. */
void	 load_address_format(const struct load_address *, uint64_t index,
	    char *out);

/* ---- the engine's state (load.c, load-track.c) ---- */

#define LOAD_ID_INLINE		24	/* shorter ids stay in the slot */
#define LOAD_ID_MAX		64	/* message_id is C-Octet 65 */

#define LOAD_SESSION_STATES(X)						\
	X(CONNECTING)		/* TCP (and TLS) under way */		\
	X(BINDING)		/* bind sent */				\
	X(BOUND)							\
	X(UNBINDING)		/* the end: unbind or close under way */ \
	X(CLOSED)

enum load_session_state {
#define LOAD_SESSION_STATE_ENUM(name)	LOAD_SESSION_##name,
	LOAD_SESSION_STATES(LOAD_SESSION_STATE_ENUM)
#undef LOAD_SESSION_STATE_ENUM
};

enum load_part_state {
	LOAD_PART_UNSENT,
	LOAD_PART_SENT,		/* awaiting its response */
	LOAD_PART_WAITING,	/* accepted, awaiting its receipt */
	LOAD_PART_DONE,
};

struct load;
struct load_msg;

struct load_part {
	RB_ENTRY(load_part)	 entry;		/* in ids while WAITING */
	struct load_part	*same;		/* more parts given this id */
	struct load_msg		*msg;
	int64_t			 sent;
	char			*id;		/* canonical; idbuf or heap */
	uint64_t		 hash;		/* of id: the tree compares it first */
	enum load_part_state	 state;
	char			 idbuf[LOAD_ID_INLINE];
};

struct load_msg {
	TAILQ_ENTRY(load_msg)	 live;		/* before its deadline */
	struct load_msg		*free_next;
	uint64_t		 index;
	int64_t			 sent;		/* its first part */
	unsigned		 nparts;	/* to be sent */
	unsigned		 ndone;		/* resolved */
	unsigned		 nok;		/* accepted */
	int			 in_live;
	int			 expired;	/* past its receipt deadline */
	struct load_part	 part[];
};

/* A receipt that came before its submit_sm_resp (or never matched). */
struct load_early {
	RB_ENTRY(load_early)	 entry;
	TAILQ_ENTRY(load_early)	 order;
	int64_t			 at;
	char			 id[LOAD_ID_MAX + 1];
};

struct load_session {
	struct load		*load;
	char			 id[32];
	int			 receiver;	/* bind_receiver only */
	enum load_session_state	 state;
	struct bufferevent	*bev;		/* until the session owns it */
	struct smpp_session	*smpp;
	struct load_msg		*cur;		/* begun, parts left to send */
	unsigned		 next_part;
	int			 blocked;	/* window full: wait writable */
};

RB_HEAD(load_ids, load_part);
RB_HEAD(load_earlies, load_early);
TAILQ_HEAD(load_live, load_msg);
TAILQ_HEAD(load_early_order, load_early);

struct load {
	struct event_base	*base;
	struct clock		*clock;
	struct load_config	 cfg;
	struct load_message	 msg;
	struct sockaddr_storage	 addr;
	int			 addrlen;
	char			 host[256];
	SSL_CTX			*ssl;

	struct load_session	*sessions;	/* senders, then receivers */
	unsigned		 nsessions;
	unsigned		 nsenders;
	unsigned		 open;		/* not CLOSED */
	unsigned		 rr;		/* pacing: who goes first */

	struct smpp_pdu		*bind;		/* built per session */
	struct smpp_pdu		*resp;		/* our deliver_sm_resp */
	struct clock_timer	*t_tick;
	struct clock_timer	*t_expire;
	struct clock_timer	*t_connect;
	struct event		*ev_done;

	size_t			 slot_size;
	char			**chunks;
	size_t			 nchunks;
	struct load_msg		*free;
	uint64_t		 in_use;

	struct load_live	 live;
	struct load_ids		 ids;
	struct load_earlies	 early;
	struct load_early_order	 early_order;

	uint64_t		 next_index;	/* messages begun */
	uint64_t		 outstanding;	/* parts awaiting a response */
	int			 started;	/* every session bound */
	int			 stopping;	/* begin nothing more */
	int			 finishing;
	int			 done_fired;
	void			(*done)(struct load *, void *);
	void			*done_arg;
	struct load_stats	 st;
};

/* load-track.c */
void	 load_msg_begin(struct load *, struct load_session *);
/* Part p of m went out at now: counts it, and starts m's deadline. */
void	 load_part_sent(struct load *, struct load_msg *, struct load_part *,
	    int64_t now);
/* The session cannot send the rest of its message: left unsent. */
void	 load_msg_abandon(struct load *, struct load_session *);
/* Gives up on m's receipts (missing); later accepts count as missing. */
void	 load_msg_expire(struct load *, struct load_msg *);
void	 load_expire_arm(struct load *);
void	 load_expire_fire(struct clock_timer *, void *);
/* smpp_response_cb of every submit_sm; arg is its struct load_part. */
void	 load_response(struct smpp_session *, const struct smpp_pdu *,
	    enum smpp_session_failure, void *);
/* A deliver_sm or data_sm that is a receipt (already answered). */
void	 load_receipt(struct load *, const struct smpp_pdu *,
	    uint8_t esm_class);
/* Counts the receipts still held for unknown ids as unmatched. */
void	 load_early_flush(struct load *);
/* Frees the slots, the ids and the held receipts. */
void	 load_track_release(struct load *);

/* load.c: ends the run once every message is resolved. */
void	 load_check_done(struct load *);

#endif
