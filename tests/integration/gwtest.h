/*
 * The end-to-end tests' world: one `carrierlab serve` (carriers, gateway
 * and API in one process) and one webhook receiver
 * (tests/integration/webhook-receiver.py) per test, in a temporary
 * directory of their own, on ephemeral loopback ports.
 *
 * The serve process is a struct smsc_proc of esme.h, so the /sim/ helpers
 * (smsc_http_get(), smsc_listen(), smsc_health(), smsc_stop()) work on it
 * unchanged; its `db` is the gateway's --db and gwt.smsc_db the carriers'
 * --smsc-db. The scenario is a file of tests/scenarios/ in which every
 * "http://receiver.invalid" becomes the receiver's base URL.
 *
 * Cleanup. The children get SIGTERM when the test process dies (Linux,
 * PR_SET_PDEATHSIG): check ends a failed test with _exit(). gwt_suite_run()
 * runs the suite between smsc_suite_begin() and smsc_suite_end() of esme.h
 * (which reap the orphans), then prints the scenario, the serve log and the
 * receiver's log of every test directory left behind (failed tests) and
 * removes the run directory unless CARRIERLAB_KEEP_TMP is set.
 *
 * Waits poll a condition every GWT_POLL_MS against a deadline; nothing
 * sleeps a fixed time in place of a wait.
 */
#ifndef CARRIERLAB_TESTS_INTEGRATION_GWTEST_H
#define CARRIERLAB_TESTS_INTEGRATION_GWTEST_H

#include <sys/types.h>

#include <limits.h>

#include <jansson.h>

#include "tests/integration/esme.h"

#define GWT_POLL_MS		20
#define GWT_WAIT_MS		20000	/* default deadline of a wait */
#define GWT_RECEIVER_URL	"http://receiver.invalid"

struct Suite;

struct gwt {
	char		 dir[PATH_MAX];
	struct smsc_proc serve;		/* carrierlab serve */
	char		 smsc_db[PATH_MAX + 32];
	char		 account[40];	/* Basic auth: AccountSid */
	char		 token[128];	/* and AuthToken */
	/* The receiver. */
	pid_t		 rx_pid;
	char		 rx_url[64];	/* "http://127.0.0.1:PORT" */
	char		 rx_ready[PATH_MAX + 32];
	char		 rx_log[PATH_MAX + 32];
	char		 rx_control[PATH_MAX + 32];
	char		 rx_stderr[PATH_MAX + 32];
};

/*
 * Makes the test's directory and starts the receiver, which checks
 * signatures with token (account's auth token, also used for the API).
 * Fails the test when it cannot.
 */
void		 gwt_begin(struct gwt *, const char *account, const char *token);
/*
 * Starts `carrierlab serve` on tests/scenarios/NAME (the receiver's URL
 * substituted) with --http 127.0.0.1:0, --db, --smsc-db, --ready-file and
 * extra_args (NULL-terminated, may be NULL); fails the test when no ready
 * file comes within 20 s.
 */
void		 gwt_serve(struct gwt *, const char *scenario_name,
		    const char *const *extra_args);
/* Starts it again on the same files (after gwt_kill() or smsc_stop()). */
void		 gwt_serve_again(struct gwt *, const char *const *extra_args);
/* SIGKILL, and reaps it. */
void		 gwt_kill(struct gwt *);
/* SIGTERM must end serve with status 0 within 20 s. */
void		 gwt_stop(struct gwt *);
/* SIGTERM must end serve with status 0; then stops the receiver and
 * removes the directory. */
void		 gwt_end(struct gwt *);

/*
 * The Twilio API with Basic auth as the test's account. form is
 * "Name=value&..." already encoded (NULL: none); method "GET", "POST" or
 * "DELETE"; path is "/2010-04-01/..." or "/v1/...". Returns the status
 * (-1: no answer) and the body parsed as JSON (NULL when not JSON) in
 * *body if body is not NULL.
 */
int		 gwt_api(struct gwt *, const char *method, const char *path,
		    const char *form, json_t **body);
/* The same with other credentials (user NULL: no Authorization). */
int		 gwt_api_as(struct gwt *, const char *user, const char *pass,
		    const char *method, const char *path, const char *form,
		    json_t **body);
/* "Name=value&..." from NULL-terminated name, value pairs, URL-encoded.
 * The caller frees it. */
char		*gwt_form(const char *name, ...);

/* POST Messages.json: must answer 201; the message resource. */
json_t		*gwt_create(struct gwt *, const char *form);
/* GET Messages/SID.json: must answer 200. */
json_t		*gwt_fetch(struct gwt *, const char *sid);
/*
 * Polls the message until its status is want (its resource is returned)
 * or wait_ms pass; a terminal status other than want fails the test at
 * once, with the message's error_code.
 */
json_t		*gwt_wait_status(struct gwt *, const char *sid,
		    const char *want, int wait_ms);

/*
 * What the receiver recorded, in arrival order (a new reference to an
 * array of objects), optionally only those whose form parameter name
 * equals value (name NULL: all; path NULL: any path).
 */
json_t		*gwt_received(struct gwt *, const char *path,
		    const char *name, const char *value);
/* Polls until at least n such requests are recorded; returns them. */
json_t		*gwt_wait_received(struct gwt *, const char *path,
		    const char *name, const char *value, size_t n,
		    int wait_ms);
/* The first value of form parameter name of a recorded request, or NULL. */
const char	*gwt_param(json_t *request, const char *name);
/* The callbacks of message sid with MessageStatus status at path, once
 * at least one arrived (polls; fails the test after wait_ms). */
json_t		*gwt_wait_callback(struct gwt *, const char *path,
		    const char *sid, const char *status, int wait_ms);
/* The pause between two polls of a condition (GWT_POLL_MS). */
void		 gwt_poll_pause(void);
/* Every request recorded so far carries a valid X-Twilio-Signature. */
void		 gwt_assert_signed(struct gwt *);
/* The receiver answers status (0: 200 again) until told otherwise. */
void		 gwt_receiver_answer(struct gwt *, int status);

/* The string member key of o, or NULL. */
const char	*gwt_str(json_t *o, const char *key);
/* 1 when member key of o is the string want. */
int		 gwt_str_is(json_t *o, const char *key, const char *want);
/* Fails the test unless member key of o is the string want. */
void		 gwt_assert_str(json_t *o, const char *key, const char *want);

/* Runs the suite (see above); returns the exit status for main(). */
int		 gwt_suite_run(struct Suite *);

#endif
