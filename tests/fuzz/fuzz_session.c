/*
 * libFuzzer target for the SMPP session (smpp/session.c): the bytes a peer
 * sends, fed through a real socketpair into a session on a virtual clock.
 * The first input octet picks the role: even, we are the SMSC and answer
 * every request the session hands us (binds included, so the rest of the
 * input meets a bound session); odd, we are an ESME that has just sent a
 * bind_transceiver and a submit_sm, so responses, generic_nacks and
 * SMSC-issued requests are exercised too. Timers are run by stepping the
 * virtual clock. Besides "no crash, no undefined behaviour, no leak", the
 * session must end (closed callback) once the peer has hung up.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "smpp/session.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_state {
	int		 closed;
	unsigned	 requests;
};

static void
fuzz_check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_session.c:%d: invariant failed: %s\n",
		    line, what);
		abort();
	}
}
#define CHECK(e)	fuzz_check((e) != 0, #e, __LINE__)

static void
fuzz_request(struct smpp_session *s, const struct smpp_pdu *req, void *arg)
{
	struct fuzz_state *st = arg;
	struct smpp_pdu *resp = malloc(sizeof *resp);

	st->requests++;
	if (resp == NULL)
		return;
	smpp_pdu_init(resp, smpp_response_id(req->command_id),
	    req->sequence_number);
	/* Alternate success and refusal, to walk both bind outcomes. */
	resp->command_status = (st->requests % 3 == 0) ?
	    SMPP_ESME_RSYSERR : 0;
	resp->has_body = resp->command_status == 0;
	(void)smpp_session_respond(s, resp);
	smpp_pdu_release(resp);
	free(resp);
}

static void
fuzz_response(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	(void)s;
	(void)arg;
	CHECK(fail != SMPP_FAIL_NONE || resp != NULL);
}

static void
fuzz_closed(struct smpp_session *s, const char *reason, void *arg)
{
	struct fuzz_state *st = arg;

	(void)s;
	CHECK(reason != NULL && reason[0] != '\0');
	st->closed = 1;
}

static const struct smpp_session_callbacks fuzz_cbs = {
	.request = fuzz_request,
	.closed = fuzz_closed,
};

/* The ESME role's opening: a bind and a submit awaiting answers. */
static void
fuzz_esme_open(struct smpp_session *s)
{
	struct smpp_pdu *pdu = calloc(1, sizeof *pdu);

	if (pdu == NULL)
		return;
	smpp_pdu_init(pdu, SMPP_CMD_bind_transceiver, 0);
	snprintf(pdu->u.bind_transceiver.system_id,
	    sizeof pdu->u.bind_transceiver.system_id, "fuzz");
	pdu->u.bind_transceiver.interface_version = SMPP_VERSION_34;
	(void)smpp_session_send(s, pdu, fuzz_response, NULL);
	smpp_pdu_release(pdu);
	free(pdu);
}

static void
fuzz_run(struct event_base *base, struct clock *clock, int steps)
{
	int i;

	for (i = 0; i < steps; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (clock_virtual_step(clock) == 0)
			event_base_loop(base, EVLOOP_NONBLOCK);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct event_base *base;
	static struct clock *clock;
	struct smpp_session_config cfg;
	struct fuzz_state st = { 0, 0 };
	struct smpp_session *s;
	struct bufferevent *bev;
	int fds[2], i;

	if (len == 0)
		return 0;
	if (base == NULL) {
		log_set_level(LOG_LEVEL_ERROR);
		base = event_base_new();
		clock = clock_new(base, CLOCK_MODE_VIRTUAL, 1, 1.0);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == -1)
		return 0;
	evutil_make_socket_nonblocking(fds[0]);
	evutil_make_socket_nonblocking(fds[1]);
	bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
	smpp_session_config_default(&cfg);
	cfg.window = 4;
	s = smpp_session_new(clock, bev, data[0] & 1 ? SMPP_ROLE_ESME :
	    SMPP_ROLE_SMSC, &cfg, &fuzz_cbs, &st, "fuzz");
	if (data[0] & 1)
		fuzz_esme_open(s);
	if (write(fds[1], data + 1, len - 1) == -1 && errno != EAGAIN)
		abort();
	fuzz_run(base, clock, 4);
	close(fds[1]);
	for (i = 0; i < 64 && !st.closed; i++)
		fuzz_run(base, clock, 1);
	CHECK(st.closed);
	/* Drain what is left of the clock for the next input. */
	while (clock_virtual_step(clock) > 0)
		event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}
