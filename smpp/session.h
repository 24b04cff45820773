/*
 * The SMPP session: one connection, either role, on a libevent bufferevent.
 *
 * The session frames PDUs out of the input evbuffer (the 4-octet length is
 * peeked with evbuffer_copyout() and checked against max_pdu before a body
 * octet is buffered), decodes them with the codec, enforces the bind state
 * machine and hands the owner only what the owner must decide:
 *
 *   - requests from the peer that are allowed in the current state
 *     (bind_*, submit_sm, deliver_sm, query_sm, ...), through cb->request;
 *     the owner answers each, now or later, with smpp_session_respond();
 *   - responses to the owner's own requests, through the smpp_response_cb
 *     given to smpp_session_send();
 *   - state changes and the end of the session.
 *
 * The session itself (unless muted, see smpp_session_set_mute()) answers
 * enquire_link, answers and performs unbind,
 * answers an unreadable header with generic_nack, answers a PDU that failed
 * to decode with the reply the codec names (struct smpp_error), answers a
 * request not allowed in the current state with ESME_RINVBNDSTS (or with
 * generic_nack when the command has no response), keeps sequence numbers
 * (1..0x7FFFFFFF, wrapping to 1), the window of outstanding requests with a
 * response timer each, the enquire_link timer, the inactivity timer and the
 * session-init timer (OPEN too long), and backpressure: while the output
 * buffer holds more than out_high octets the session stops reading, and
 * reads again once it has drained below out_high / 2.
 *
 * Every timer runs on the struct clock given at creation, so virtual time
 * drives sessions too. TLS is the caller's choice of bufferevent: pass a
 * bufferevent_openssl and the session is a TLS session; nothing else
 * differs.
 *
 * Ownership: the session owns the bufferevent from smpp_session_new() on
 * and frees it; create it with BEV_OPT_CLOSE_ON_FREE so the socket (and
 * the SSL) go with it. A session ends (CLOSED) on unbind, on error, on a
 * timer or on smpp_session_close(); it stops reading at once, gives what
 * it already wrote (a refusal, an unbind_resp) a bounded time to reach the
 * peer, and then cb->closed is called once, from the event loop (never
 * from inside an API call), after every outstanding request's callback
 * has been called with resp NULL, and the session frees itself when
 * cb->closed returns. Owner pointers to it are dead from then on.
 *
 * Reentrancy: the owner may call any function here from inside any
 * callback. cb->state is the one callback that may run inside an API call
 * (smpp_session_respond() to a bind, smpp_session_unbind(),
 * smpp_session_close()), since it reports a change that call made.
 *
 * The process should ignore SIGPIPE: a peer that hangs up while we write
 * must end the session, not the program.
 */
#ifndef CARRIERLAB_SMPP_SESSION_H
#define CARRIERLAB_SMPP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "smpp/pdu.h"

struct bufferevent;
struct clock;
struct event_base;
struct smpp_session;

enum smpp_session_role {
	SMPP_ROLE_ESME,		/* we bind to an SMSC */
	SMPP_ROLE_SMSC,		/* we accept binds */
};

/*
 * States: name, the SMPP_S_* mask of commands.def that the state allows
 * (0: nothing may be sent or received but responses and generic_nack).
 */
#define SMPP_SESSION_STATES(X)						\
	X(OPEN,		SMPP_S_OPEN)					\
	X(BOUND_TX,	SMPP_S_TX)					\
	X(BOUND_RX,	SMPP_S_RX)					\
	X(BOUND_TRX,	SMPP_S_TRX)					\
	X(UNBOUND,	0)						\
	X(CLOSED,	0)

enum smpp_session_state {
#define SMPP_SESSION_STATE_ENUM(name, mask)	SMPP_STATE_##name,
	SMPP_SESSION_STATES(SMPP_SESSION_STATE_ENUM)
#undef SMPP_SESSION_STATE_ENUM
};

const char	*smpp_session_state_name(enum smpp_session_state);
/* The SMPP_S_* mask of a state. */
unsigned	 smpp_session_state_mask(enum smpp_session_state);

/*
 * Times are microseconds of clock time; 0 turns a timer off. Start from
 * smpp_session_config_default().
 */
struct smpp_session_config {
	uint32_t	 max_pdu;		/* largest PDU accepted */
	unsigned	 window;		/* outstanding requests we send;
						 * 0: no limit */
	int64_t		 response_timeout;	/* per request we send */
	/* Idle time before we probe; the probe waits response_timeout (one
	 * interval when that is 0) before the session closes. */
	int64_t		 enquire_link_interval;
	int64_t		 inactivity_timeout;	/* nothing received: close */
	int64_t		 session_init_timeout;	/* OPEN this long: close */
	/* unbind_resp wait; also how long a closing session lets its
	 * output drain (5 s when 0). */
	int64_t		 unbind_timeout;
	size_t		 out_high;		/* backpressure watermark */
};

/* max_pdu 64 KiB, window 10, response 30 s, enquire_link 30 s, inactivity
 * 0 (off), session init 60 s, unbind 5 s, out_high 1 MiB. */
void	smpp_session_config_default(struct smpp_session_config *);

/* Why a request of ours got no usable response. */
enum smpp_session_failure {
	SMPP_FAIL_NONE = 0,	/* resp is the response */
	SMPP_FAIL_TIMEOUT,	/* response_timeout passed */
	SMPP_FAIL_CLOSED,	/* the session ended first */
	SMPP_FAIL_NACK,		/* the peer answered generic_nack (resp set) */
};

/*
 * Called once per request sent with smpp_session_send(). resp is the
 * decoded response (or generic_nack), valid only during the call; NULL
 * for TIMEOUT and CLOSED.
 */
typedef void (*smpp_response_cb)(struct smpp_session *,
	    const struct smpp_pdu *resp, enum smpp_session_failure, void *arg);

enum smpp_direction {
	SMPP_DIR_IN,
	SMPP_DIR_OUT,
};

struct smpp_session_callbacks {
	/*
	 * A request from the peer, decoded and allowed in the current state
	 * (enquire_link and unbind never come here). req is valid only
	 * during the call: copy what is needed, keep sequence_number, and
	 * answer with smpp_session_respond(), now or later. An SMSC-role
	 * session receives bind_* here in OPEN; answering it with status 0
	 * moves the session to the bound state of that bind.
	 */
	void	(*request)(struct smpp_session *, const struct smpp_pdu *req,
		    void *arg);
	/* Every transition, after it happened (optional). */
	void	(*state)(struct smpp_session *, enum smpp_session_state from,
		    enum smpp_session_state to, void *arg);
	/*
	 * Every PDU as it crosses the wire, with its raw octets (optional;
	 * for captures and counters). pdu is NULL for octets that did not
	 * decode.
	 */
	void	(*trace)(struct smpp_session *, enum smpp_direction,
		    const uint8_t *raw, size_t len, const struct smpp_pdu *pdu,
		    void *arg);
	/* The window has room again after smpp_session_send() refused. */
	void	(*writable)(struct smpp_session *, void *arg);
	/* The end; reason is a short phrase ("peer closed", "unbound",
	 * "inactivity timeout", "tls: ..."). Required. */
	void	(*closed)(struct smpp_session *, const char *reason,
		    void *arg);
};

/*
 * Creates a session on an already connected bufferevent (plain or
 * openssl), in state OPEN, and starts reading. id prefixes the session's
 * log lines ("alpha-mobile/b3"). cbs must outlive the session; cfg is
 * copied.
 */
struct smpp_session *smpp_session_new(struct clock *, struct bufferevent *,
	    enum smpp_session_role, const struct smpp_session_config *,
	    const struct smpp_session_callbacks *cbs, void *arg,
	    const char *id);

/*
 * Sends a request: sets its sequence_number and encodes it. Returns 0, or
 * -1 with errno EAGAIN (window full: wait for cb->writable), EPROTO (not
 * allowed in this state, or a response id), EINVAL (did not encode) or
 * EPIPE (closing). When 0 is returned, cb is called exactly once, never
 * from inside this call; SMPP_CF_NORESP commands (outbind,
 * alert_notification) have no response, so their cb is never called and
 * may be NULL (for other commands a NULL cb is EINVAL).
 * An ESME-role session that sends bind_* moves to the bound state when a
 * bind_resp with status 0 arrives (before cb sees it). unbind goes through
 * smpp_session_unbind() (EPROTO here); enquire_link may be sent here too.
 * The session's own enquire_link and unbind are outside the window.
 */
int	smpp_session_send(struct smpp_session *, struct smpp_pdu *req,
	    smpp_response_cb cb, void *arg);

/*
 * Answers a request received through cb->request: resp must carry the
 * request's sequence_number and its response command_id (or generic_nack).
 * Returns 0, or -1 with errno EPROTO (no such request outstanding),
 * EINVAL (did not encode) or EPIPE (closed).
 */
int	smpp_session_respond(struct smpp_session *, struct smpp_pdu *resp);

/*
 * Starts the unbind handshake: sends unbind, enters UNBOUND, and closes
 * when unbind_resp arrives or unbind_timeout passes. Requests of ours
 * still outstanding get their responses first if they come.
 */
int	smpp_session_unbind(struct smpp_session *);

/* Ends the session now (no unbind); cb->closed follows from the loop.
 * Octets already written still get the linger time to leave. */
void	smpp_session_close(struct smpp_session *, const char *reason);

/*
 * Mutes the session (on non-zero) or lets it speak again. A muted session
 * writes nothing of its own accord: it does not answer enquire_link or
 * unbind, refuse a request for the state it came in, nack a command or a
 * PDU that did not decode, nor send an enquire_link of its own. Those
 * PDUs are read and dropped unanswered (an unbind leaves the state as it
 * was; a length that cannot be framed still closes the session, without
 * the nack). Requests for the owner still reach cb->request, and what the
 * owner sends or answers is still written: keeping quiet there is the
 * owner's part. Timers run as before (session_init_timeout closes an
 * unbound muted session). Unmuting answers nothing that was dropped. For
 * an SMSC that accepts and never answers (a blackhole).
 */
void	smpp_session_set_mute(struct smpp_session *, int on);
int	smpp_session_muted(const struct smpp_session *);

/*
 * The sequence number the next request of ours gets (0 or above
 * 0x7FFFFFFF mean 1): for tests of the wrap, and for resuming a series.
 */
void	smpp_session_set_next_sequence(struct smpp_session *, uint32_t);

/*
 * Frees the session and its bufferevent at once, calling no callback at
 * all (outstanding requests are dropped silently): for an owner shutting
 * down. Not to be called from inside the session's own callbacks.
 */
void	smpp_session_free(struct smpp_session *);

enum smpp_session_state smpp_session_state(const struct smpp_session *);
enum smpp_session_role smpp_session_role(const struct smpp_session *);
const char	*smpp_session_id(const struct smpp_session *);
/* Our requests awaiting a response. */
unsigned	 smpp_session_outstanding(const struct smpp_session *);
/* The peer's requests we have not answered yet. */
unsigned	 smpp_session_unanswered(const struct smpp_session *);
/* The bind request that bound the session (system_id etc.), or NULL. */
const struct smpp_pdu *smpp_session_bind_pdu(const struct smpp_session *);
/* "127.0.0.1:40312", or "" when unknown. */
const char	*smpp_session_peer(const struct smpp_session *);
/* Non-zero while the session holds octets it has not yet written or
 * requests it has not yet answered (for quiescence in virtual time). */
int		 smpp_session_busy(const struct smpp_session *);
void		*smpp_session_arg(const struct smpp_session *);

#endif
