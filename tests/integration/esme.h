/*
 * The integration tests' side of the wire: a small blocking ESME on the
 * project's own session layer, and helpers that run `carrierlab smsc` as
 * a child process and talk to its /sim/ control routes.
 *
 * The ESME. Each struct esme owns an event_base, a real-time clock and
 * one ESME-role smpp_session. Nothing runs in the background: every call
 * that waits runs that base with EVLOOP_ONCE until its condition holds or
 * its deadline (an evtimer that calls event_base_loopexit()) passes, so a
 * test never sleeps. While a wait runs, deliver_sm and data_sm from the
 * SMSC are queued for esme_wait_deliver() and answered at once with the
 * status set by esme_set_deliver_status() (ESME_NO_ANSWER: left
 * unanswered, to make the SMSC resend).
 *
 * PDUs handed out (esme_wait_deliver(), esme_pdu_new()) are heap
 * allocated (a struct smpp_pdu is about 20 KB) and freed with
 * esme_pdu_free().
 *
 * The SMSC process. smsc_start() makes a temporary directory, writes the
 * scenario there, starts "$top_builddir/carrierlab smsc" with --http
 * 127.0.0.1:0, --db and --ready-file in that directory and waits (20 s at
 * most) for the ready file. A test that fails half way does not leave
 * its smsc running: on Linux the child gets SIGTERM when the test process
 * dies (check ends a failed test with _exit()), an atexit handler stops
 * what a test process that exits normally left, and smsc_suite_end()
 * reaps the rest and prints their logs.
 */
#ifndef CARRIERLAB_TESTS_INTEGRATION_ESME_H
#define CARRIERLAB_TESTS_INTEGRATION_ESME_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/http.h>
#include <jansson.h>

#include "smpp/pdu.h"
#include "smpp/session.h"

#define ESME_NO_ANSWER		UINT32_MAX	/* esme_set_deliver_status() */
#define ESME_WAIT_MS		5000		/* a default for waits */

struct esme;

/*
 * Connects to host_port ("127.0.0.1:2775"), with TLS when tls is set (the
 * certificate is not verified), and starts an ESME session on the
 * connection. Returns NULL when the connection or the TLS handshake
 * fails within ESME_WAIT_MS.
 */
struct esme	*esme_connect(const char *host_port, int tls);
/* Frees the session at once (no unbind) and everything else. */
void		 esme_close(struct esme *);
/*
 * Connects to host_port and closes at once, without SMPP: 0 when the
 * connection was accepted, else the connect's errno (ECONNREFUSED when
 * nothing listens there).
 */
int		 esme_probe_connect(const char *host_port);

/*
 * Binds: command_id is SMPP_CMD_bind_transmitter, _receiver or
 * _transceiver. Returns the bind_resp's command_status, or -1 when no
 * response came (timeout, generic_nack, closed).
 */
long		 esme_bind(struct esme *, uint32_t command_id,
		    const char *system_id, const char *password);
/* The last bind response (NULL before one arrived). */
const struct smpp_pdu *esme_bind_resp(const struct esme *);

/*
 * Sends req (its sequence number is set) and waits for the response; a
 * copy goes into resp (an initialised or released PDU, may be NULL).
 * Returns 0 when a response (or generic_nack) came, -1 otherwise.
 */
int		 esme_request(struct esme *, struct smpp_pdu *req,
		    struct smpp_pdu *resp, int timeout_ms);

/*
 * Sends without waiting: returns a handle (>= 0) for esme_wait_response(),
 * or -1 when the session refused to send.
 */
int		 esme_send_async(struct esme *, struct smpp_pdu *req);
/*
 * Waits for the response of handle; returns it (owned by the esme, valid
 * until esme_close()) or NULL on timeout or failure.
 */
const struct smpp_pdu *esme_wait_response(struct esme *, int handle,
		    int timeout_ms);
/* Waits until every request sent so far is answered or failed: 0 / -1. */
int		 esme_wait_all(struct esme *, int timeout_ms);
/*
 * Arrival order: every response and every deliver_sm/data_sm from the
 * SMSC is numbered from 1 as it is read. The number of handle's
 * response (0: none yet), and of the PDU esme_wait_deliver() last
 * returned.
 */
unsigned	 esme_response_arrival(const struct esme *, int handle);
unsigned	 esme_deliver_arrival(const struct esme *);

/*
 * The next deliver_sm or data_sm received, in arrival order, or NULL
 * when none comes within timeout_ms (0: only what is already here or
 * readable now). The caller owns it: esme_pdu_free().
 */
struct smpp_pdu	*esme_wait_deliver(struct esme *, int timeout_ms);
/* How later deliver_sm and data_sm are answered (ESME_NO_ANSWER: not). */
void		 esme_set_deliver_status(struct esme *, uint32_t status);
/* Answers a request received unanswered; 0 or -1. */
int		 esme_respond(struct esme *, const struct smpp_pdu *req,
		    uint32_t status);
/* Runs the loop for up to timeout_ms without waiting for anything. */
void		 esme_pump(struct esme *, int timeout_ms);

/* Sends unbind and waits for the session to end: 0 if unbind_resp came. */
int		 esme_unbind(struct esme *, int timeout_ms);
/* Waits until the session ends (the peer closed): 0, or -1 on timeout. */
int		 esme_wait_closed(struct esme *, int timeout_ms);
int		 esme_is_closed(const struct esme *);
const char	*esme_close_reason(const struct esme *);
enum smpp_session_state esme_state(const struct esme *);

/* A heap PDU of command_id (smpp_pdu_init'ed), and its release. */
struct smpp_pdu	*esme_pdu_new(uint32_t command_id);
void		 esme_pdu_free(struct smpp_pdu *);

/* ---- the carrierlab smsc process ---- */

/*
 * Around srunner_run_all(), in the runner process. check ends a failed
 * test with _exit(), so neither atexit handlers nor teardowns of the test
 * process run: its smsc gets SIGTERM from the kernel (Linux) and is left
 * to the runner. smsc_suite_begin() makes one directory for the run,
 * under which every smsc_start() makes its own, and (Linux) makes the
 * runner the reaper of orphaned children. smsc_suite_end() waits for the
 * orphans, prints the log and scenario of every smsc whose directory was
 * not cleaned up (those of failed tests) and removes the run directory
 * unless CARRIERLAB_KEEP_TMP is set. Both return 0 or -1.
 */
int		 smsc_suite_begin(void);
int		 smsc_suite_end(void);

/*
 * The suites' common frame: a TCase added to s with the given timeout
 * (seconds), and a main() body that runs a suite between
 * smsc_suite_begin() and smsc_suite_end() with warnings logged and
 * returns the exit status.
 */
struct Suite;
struct TCase	*smsc_tcase(struct Suite *, const char *name, int timeout);
int		 smsc_suite_run(struct Suite *);


struct smsc_proc {
	pid_t		 pid;		/* 0: not running */
	char		 dir[PATH_MAX];	/* temporary, removed at the end */
	char		 scenario[PATH_MAX + 32];
	char		 db[PATH_MAX + 32];
	char		 ready[PATH_MAX + 32];
	char		 log[PATH_MAX + 32];	/* the child's stderr */
	char		 http[128];	/* "127.0.0.1:PORT" */
	json_t		*ready_json;	/* the parsed ready file */
	int		 exit_status;	/* of the last smsc_stop() */
};

/*
 * Starts carrierlab smsc on scenario_json in a new temporary directory.
 * extra_args is NULL or a NULL-terminated list of further arguments
 * ("--seed", "42"). Returns 0 when the ready file appeared, -1 otherwise
 * (the child's log is then copied to stderr).
 */
int		 smsc_start(struct smsc_proc *, const char *scenario_json,
		    const char *const *extra_args);
/*
 * Starts it again, after smsc_stop(), in the same directory and on the
 * same --db, with a new scenario.
 */
int		 smsc_restart(struct smsc_proc *, const char *scenario_json,
		    const char *const *extra_args);
/*
 * SIGTERM, then waits (20 s at most, then SIGKILL). Returns 0 when the
 * process exited with status 0, else -1; exit_status holds the raw
 * status.
 */
int		 smsc_stop(struct smsc_proc *);
/*
 * "running", or how the process ended ("killed by signal 11") when it
 * ended on its own: for the messages of failed assertions.
 */
const char	*smsc_health(struct smsc_proc *, char *buf, size_t len);
/* Stops it if still running and removes the directory. */
void		 smsc_cleanup(struct smsc_proc *);

/* The address of listener index of carrier, from the ready file. */
const char	*smsc_listen(const struct smsc_proc *, const char *carrier,
		    size_t index);
int		 smsc_listen_tls(const struct smsc_proc *, const char *carrier,
		    size_t index);

/*
 * A blocking HTTP exchange with address (host:port), on a loop of its
 * own: extra request headers as NULL-terminated name, value pairs (NULL:
 * none), a body of len octets when content_type is not NULL, the
 * answer's body in *text (NUL-terminated, the caller frees it; NULL: not
 * wanted). Returns the status, or -1 without an answer in ESME_WAIT_MS.
 */
int		 http_exchange(const char *address, enum evhttp_cmd_type,
		    const char *path, const char *const *headers,
		    const char *content_type, const char *body, size_t len,
		    char **text, size_t *textlen);

/*
 * A blocking HTTP exchange with the smsc's control listener. Returns the
 * status code, or -1 when there was no answer within ESME_WAIT_MS; *body
 * (if body is not NULL) gets the response parsed as JSON, or NULL.
 */
int		 smsc_http_get(const struct smsc_proc *, const char *path,
		    json_t **body);
int		 smsc_http_post(const struct smsc_proc *, const char *path,
		    json_t *request, json_t **body);
int		 smsc_http_put(const struct smsc_proc *, const char *path,
		    json_t *request, json_t **body);
int		 smsc_http_delete(const struct smsc_proc *, const char *path,
		    json_t **body);
/* A GET whose body is text (/metrics): *text is the caller's to free. */
int		 smsc_http_get_text(const struct smsc_proc *, const char *path,
		    char **text);

/*
 * Assertions the suites share (they end the test with a check failure).
 * smsc_get_ok: GET path must answer 200 with JSON (a new reference).
 * smsc_stop_ok: SIGTERM must end the smsc with exit 0; cleans up.
 * smsc_carrier_number: section.key of /sim/carriers/CARRIER.
 * smsc_wait_number: polls that until it is want, running e's loop (or
 * sleeping when e is NULL) between polls, for at most wait_ms.
 * test_json: JSON written with ' for " (readable in C strings).
 * test_status_name: a command_status or -1 ("no response") as text.
 */
json_t		*smsc_get_ok(struct smsc_proc *, const char *path);
void		 smsc_stop_ok(struct smsc_proc *);
json_int_t	 smsc_carrier_number(struct smsc_proc *, const char *carrier,
		    const char *section, const char *key);
void		 smsc_wait_number(struct smsc_proc *, struct esme *,
		    const char *carrier, const char *section, const char *key,
		    json_int_t want, int wait_ms);
json_t		*test_json(const char *text);
const char	*test_status_name(long status);
double		 test_now_ms(void);

#endif
