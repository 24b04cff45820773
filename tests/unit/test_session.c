/*
 * smpp/session.c over real sockets: an ESME-role and an SMSC-role session
 * on the two ends of a socketpair, or one session against raw octets
 * written and read on the other end. Time is virtual: the loop runs
 * without blocking until the sockets are quiet, and clock_virtual_step()
 * jumps to the next timer, so timeouts take no wall time and nothing
 * sleeps. The TLS cases make a self-signed certificate with the OpenSSL
 * API and run the same sessions over bufferevent_openssl.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/clock.h"
#include "common/hex.h"
#include "smpp/pdu.h"
#include "smpp/session.h"

#define T0	INT64_C(1767225600000000)
#define SEC	CLOCK_USEC_PER_SEC
#define NLOG	64

struct harness;
struct result;

/* What one end's owner saw. */
struct side {
	struct harness		*h;
	struct smpp_session	*s;	/* NULL once closed */
	struct bufferevent	*bev;
	int			 closed;
	char			 reason[200];
	int			 auto_answer;	/* answer requests at once */
	uint32_t		 answer_status;
	int			 close_in_request;
	struct result		*send_in_trace;	/* enquire_link from trace */
	uint32_t		 req_id[NLOG], req_seq[NLOG];
	int			 nreq;
	uint32_t		 in_id[NLOG], out_id[NLOG];
	int			 nin, nout, nin_undecoded;
	enum smpp_session_state	 states[NLOG];
	int			 nstates;
	int			 writable;
};

struct harness {
	struct event_base	*base;
	struct clock		*clock;
	struct side		 a;	/* the ESME, or the one raw-tested */
	struct side		 b;	/* the SMSC */
	int			 raw;	/* the peer's fd in raw tests */
	uint8_t			 rbuf[8192];
	size_t			 rlen;
	int			 raw_eof;
	int			 in_send;
};

/* One request's outcome, as its smpp_response_cb saw it. */
struct result {
	struct side			*side;
	int				 calls;
	enum smpp_session_failure	 fail;
	uint32_t			 command_id, status, seq;
	char				 message_id[65];
	int				 closed_before;
};

/* ---- PDUs ---- */

static struct smpp_pdu *
pdu_new(uint32_t command_id, uint32_t seq)
{
	struct smpp_pdu *p = malloc(sizeof *p);

	ck_assert_ptr_nonnull(p);
	smpp_pdu_init(p, command_id, seq);
	return p;
}

static void
pdu_free(struct smpp_pdu *p)
{
	smpp_pdu_release(p);
	free(p);
}

static void
pdu_fill_request(struct smpp_pdu *p)
{
	switch (p->command_id) {
	case SMPP_CMD_bind_transceiver:
		strcpy(p->u.bind_transceiver.system_id, "alpha");
		strcpy(p->u.bind_transceiver.password, "secret");
		p->u.bind_transceiver.interface_version = SMPP_VERSION_34;
		break;
	case SMPP_CMD_bind_transmitter:
		strcpy(p->u.bind_transmitter.system_id, "alpha");
		p->u.bind_transmitter.interface_version = SMPP_VERSION_34;
		break;
	case SMPP_CMD_bind_receiver:
		strcpy(p->u.bind_receiver.system_id, "alpha");
		p->u.bind_receiver.interface_version = SMPP_VERSION_34;
		break;
	case SMPP_CMD_submit_sm:
		strcpy(p->u.submit_sm.source_addr, "12345");
		strcpy(p->u.submit_sm.destination_addr, "4670000000");
		p->u.submit_sm.sm_length = 5;
		memcpy(p->u.submit_sm.short_message, "hello", 5);
		break;
	case SMPP_CMD_deliver_sm:
		strcpy(p->u.deliver_sm.source_addr, "4670000000");
		strcpy(p->u.deliver_sm.destination_addr, "12345");
		break;
	case SMPP_CMD_data_sm:
		strcpy(p->u.data_sm.source_addr, "1");
		strcpy(p->u.data_sm.destination_addr, "2");
		ck_assert_int_eq(smpp_pdu_add_tlv(p, SMPP_TLV_message_payload,
		    "hi", 2), 0);
		break;
	}
}

/* The owner's answer: a body when the status is 0, none otherwise. */
static void
answer(struct side *d, uint32_t req_id, uint32_t seq, uint32_t status)
{
	struct smpp_pdu *p = pdu_new(smpp_response_id(req_id), seq);

	p->command_status = status;
	p->has_body = status == 0;
	switch (req_id) {
	case SMPP_CMD_bind_transceiver:
		strcpy(p->u.bind_transceiver_resp.system_id, "smsc");
		break;
	case SMPP_CMD_bind_transmitter:
		strcpy(p->u.bind_transmitter_resp.system_id, "smsc");
		break;
	case SMPP_CMD_bind_receiver:
		strcpy(p->u.bind_receiver_resp.system_id, "smsc");
		break;
	case SMPP_CMD_submit_sm:
		snprintf(p->u.submit_sm_resp.message_id, 65, "m%u", seq);
		break;
	case SMPP_CMD_data_sm:
		snprintf(p->u.data_sm_resp.message_id, 65, "d%u", seq);
		break;
	}
	ck_assert_int_eq(smpp_session_respond(d->s, p), 0);
	pdu_free(p);
}

/* ---- callbacks ---- */

static void
on_request(struct smpp_session *s, const struct smpp_pdu *req, void *arg)
{
	struct side *d = arg;

	ck_assert_ptr_eq(d->s, s);
	ck_assert_int_lt(d->nreq, NLOG);
	d->req_id[d->nreq] = req->command_id;
	d->req_seq[d->nreq++] = req->sequence_number;
	if (d->close_in_request)
		smpp_session_close(s, "owner closed");
	else if (d->auto_answer)
		answer(d, req->command_id, req->sequence_number,
		    d->answer_status);
}

static void
on_state(struct smpp_session *s, enum smpp_session_state from,
    enum smpp_session_state to, void *arg)
{
	struct side *d = arg;

	ck_assert_int_ne(from, to);
	ck_assert_int_eq(smpp_session_state(s), to);
	if (d->nstates < NLOG)
		d->states[d->nstates++] = to;
}

static uint32_t
raw_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void trace_send(struct side *, struct smpp_session *);

static void
on_trace(struct smpp_session *s, enum smpp_direction dir, const uint8_t *raw,
    size_t len, const struct smpp_pdu *pdu, void *arg)
{
	struct side	*d = arg;
	uint32_t	 id = len >= 8 ? raw_get32(raw + 4) : 0;

	ck_assert_ptr_eq(d->s, s);
	ck_assert_uint_ge(len, 4);
	if (pdu != NULL)
		ck_assert_uint_eq(pdu->command_id, id);
	if (dir == SMPP_DIR_OUT && id == SMPP_CMD_submit_sm &&
	    d->send_in_trace != NULL) {
		trace_send(d, s);
		/* Our octets are intact after the nested write. */
		ck_assert_uint_eq(raw_get32(raw + 4), id);
		ck_assert_uint_eq(raw_get32(raw), len);
	}
	if (dir == SMPP_DIR_OUT) {
		ck_assert_ptr_nonnull(pdu);
		if (d->nout < NLOG)
			d->out_id[d->nout++] = id;
		return;
	}
	if (pdu == NULL)
		d->nin_undecoded++;
	if (d->nin < NLOG)
		d->in_id[d->nin++] = id;
}

static void
on_writable(struct smpp_session *s, void *arg)
{
	struct side *d = arg;

	ck_assert_ptr_eq(d->s, s);
	ck_assert(!d->h->in_send);
	d->writable++;
}

static void
on_closed(struct smpp_session *s, const char *reason, void *arg)
{
	struct side *d = arg;

	ck_assert_ptr_eq(d->s, s);
	ck_assert(!d->h->in_send);
	ck_assert_int_eq(smpp_session_state(s), SMPP_STATE_CLOSED);
	ck_assert_int_eq(smpp_session_outstanding(s), 0);
	d->closed++;
	snprintf(d->reason, sizeof d->reason, "%s", reason);
	d->s = NULL;
	d->bev = NULL;
}

static const struct smpp_session_callbacks callbacks = {
	.request = on_request,
	.state = on_state,
	.trace = on_trace,
	.writable = on_writable,
	.closed = on_closed,
};

static void
on_result(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct result *r = arg;

	ck_assert_ptr_eq(r->side->s, s);
	ck_assert(!r->side->h->in_send);	/* never from inside send() */
	r->calls++;
	r->fail = fail;
	r->closed_before = r->side->closed;
	ck_assert(resp != NULL || fail == SMPP_FAIL_TIMEOUT ||
	    fail == SMPP_FAIL_CLOSED);
	if (resp == NULL)
		return;
	r->command_id = resp->command_id;
	r->status = resp->command_status;
	r->seq = resp->sequence_number;
	if (resp->command_id == SMPP_CMD_submit_sm_resp && resp->has_body)
		snprintf(r->message_id, sizeof r->message_id, "%s",
		    resp->u.submit_sm_resp.message_id);
	if (resp->command_id == SMPP_CMD_data_sm_resp && resp->has_body)
		snprintf(r->message_id, sizeof r->message_id, "%s",
		    resp->u.data_sm_resp.message_id);
}

/* Sends a filled request of command_id; *seq gets its number. */
static int
send_cmd(struct side *d, uint32_t command_id, struct result *r,
    uint32_t *seq)
{
	struct smpp_pdu	*p = pdu_new(command_id, 0);
	int		 rc;

	pdu_fill_request(p);
	memset(r, 0, sizeof *r);
	r->side = d;
	d->h->in_send = 1;
	rc = smpp_session_send(d->s, p, on_result, r);
	d->h->in_send = 0;
	if (seq != NULL)
		*seq = p->sequence_number;
	pdu_free(p);
	return rc;
}

static void
trace_send(struct side *d, struct smpp_session *s)
{
	struct smpp_pdu	*p = pdu_new(SMPP_CMD_enquire_link, 0);
	struct result	*r = d->send_in_trace;

	d->send_in_trace = NULL;
	memset(r, 0, sizeof *r);
	r->side = d;
	ck_assert_int_eq(smpp_session_send(s, p, on_result, r), 0);
	pdu_free(p);
}

/* ---- the loop and the harness ---- */

/* Runs the loop without blocking until the sockets have gone quiet. */
static void
pump(struct harness *h)
{
	int i;

	for (i = 0; i < 64; i++)
		event_base_loop(h->base, EVLOOP_NONBLOCK);
}

static void
pump_until(struct harness *h, int *flag)
{
	int i;

	for (i = 0; i < 5000 && !*flag; i++)
		event_base_loop(h->base, EVLOOP_NONBLOCK);
	ck_assert_msg(*flag, "condition not reached");
}

/* Jumps virtual time to the next timer, then lets the sockets settle. */
static void
step(struct harness *h)
{
	ck_assert_int_gt(clock_virtual_step(h->clock), 0);
	pump(h);
}

/* A config with every timer off; tests turn on what they exercise. */
static void
config_quiet(struct smpp_session_config *cfg)
{
	smpp_session_config_default(cfg);
	cfg->response_timeout = 0;
	cfg->enquire_link_interval = 0;
	cfg->inactivity_timeout = 0;
	cfg->session_init_timeout = 0;
}

static void
harness_base(struct harness *h, int fds[2])
{
	memset(h, 0, sizeof *h);
	h->base = event_base_new();
	ck_assert_ptr_nonnull(h->base);
	h->clock = clock_new(h->base, CLOCK_MODE_VIRTUAL, T0, 1.0);
	h->a.h = h->b.h = h;
	h->raw = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	ck_assert_int_eq(evutil_make_socket_nonblocking(fds[0]), 0);
	ck_assert_int_eq(evutil_make_socket_nonblocking(fds[1]), 0);
}

static void
side_start(struct harness *h, struct side *d, struct bufferevent *bev,
    enum smpp_session_role role, const struct smpp_session_config *cfg,
    const char *id)
{
	ck_assert_ptr_nonnull(bev);
	d->bev = bev;
	d->s = smpp_session_new(h->clock, bev, role, cfg, &callbacks, d, id);
	ck_assert_int_eq(smpp_session_state(d->s), SMPP_STATE_OPEN);
	ck_assert_ptr_eq(smpp_session_arg(d->s), d);
	ck_assert_str_eq(smpp_session_id(d->s), id);
}

/* An ESME (a) and an SMSC (b) on the two ends of a socketpair. */
static void
harness_pair(struct harness *h, const struct smpp_session_config *cfg_a,
    const struct smpp_session_config *cfg_b)
{
	int fds[2];

	harness_base(h, fds);
	side_start(h, &h->a, bufferevent_socket_new(h->base, fds[0],
	    BEV_OPT_CLOSE_ON_FREE), SMPP_ROLE_ESME, cfg_a, "esme");
	side_start(h, &h->b, bufferevent_socket_new(h->base, fds[1],
	    BEV_OPT_CLOSE_ON_FREE), SMPP_ROLE_SMSC, cfg_b, "smsc");
}

/* One session (a) in role; the test plays the peer on h->raw. */
static void
harness_raw(struct harness *h, enum smpp_session_role role,
    const struct smpp_session_config *cfg)
{
	int fds[2];

	harness_base(h, fds);
	h->raw = fds[1];
	side_start(h, &h->a, bufferevent_socket_new(h->base, fds[0],
	    BEV_OPT_CLOSE_ON_FREE), role, cfg, "raw");
}

static void
harness_free(struct harness *h)
{
	if (h->a.s != NULL)
		smpp_session_close(h->a.s, "test over");
	if (h->b.s != NULL)
		smpp_session_close(h->b.s, "test over");
	if (h->raw != -1)
		close(h->raw);
	pump(h);
	while (h->a.s != NULL || h->b.s != NULL)
		step(h);	/* lingering on a peer that does not read */
	ck_assert_int_le(h->a.closed, 1);
	ck_assert_int_le(h->b.closed, 1);
	ck_assert_uint_eq(clock_timers_armed(h->clock), 0);
	clock_free(h->clock);
	event_base_free(h->base);
}

/* Binds a to b with command_id; both end up in the bound state. */
static void
bind_pair(struct harness *h, uint32_t command_id)
{
	struct result r;

	h->b.auto_answer = 1;
	h->b.answer_status = SMPP_ESME_ROK;
	ck_assert_int_eq(send_cmd(&h->a, command_id, &r, NULL), 0);
	pump(h);
	h->b.auto_answer = 0;
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.status, SMPP_ESME_ROK);
	ck_assert(smpp_session_state(h->a.s) != SMPP_STATE_OPEN);
	ck_assert_int_eq(smpp_session_state(h->a.s),
	    smpp_session_state(h->b.s));
}

/* ---- the raw peer ---- */

static void
raw_write(struct harness *h, const uint8_t *buf, size_t len)
{
	ck_assert_int_eq(write(h->raw, buf, len), (ssize_t)len);
}

static void
raw_write_hex(struct harness *h, const char *hex)
{
	uint8_t	buf[512];
	size_t	len;

	ck_assert_int_eq(hex_decode(hex, strlen(hex), buf, sizeof buf, &len,
	    NULL), 0);
	raw_write(h, buf, len);
}

static void
raw_send(struct harness *h, const struct smpp_pdu *p)
{
	uint8_t	buf[1024];
	size_t	len;

	ck_assert_int_eq(smpp_pdu_encode(p, buf, sizeof buf, &len, NULL),
	    SMPP_OK);
	raw_write(h, buf, len);
}

static void
raw_fill(struct harness *h)
{
	ssize_t n;

	for (;;) {
		n = read(h->raw, h->rbuf + h->rlen, sizeof h->rbuf - h->rlen);
		if (n > 0) {
			h->rlen += (size_t)n;
			continue;
		}
		if (n == 0)
			h->raw_eof = 1;
		else
			ck_assert_int_eq(errno, EAGAIN);
		return;
	}
}

/* The next PDU the session wrote: 1 and decoded into p, or 0. */
static int
raw_next(struct harness *h, struct smpp_pdu *p)
{
	uint32_t len;

	pump(h);
	raw_fill(h);
	if (h->rlen < SMPP_HEADER_LEN ||
	    h->rlen < (len = raw_get32(h->rbuf)))
		return 0;
	ck_assert_int_eq(smpp_pdu_decode(p, h->rbuf, len, NULL, NULL),
	    SMPP_OK);
	memmove(h->rbuf, h->rbuf + len, h->rlen - len);
	h->rlen -= len;
	return 1;
}

static void
raw_expect(struct harness *h, uint32_t command_id, uint32_t status,
    uint32_t seq)
{
	struct smpp_pdu *p = pdu_new(0, 0);

	ck_assert_msg(raw_next(h, p), "no PDU from the session");
	ck_assert_msg(p->command_id == command_id, "got %s, want %s",
	    smpp_command_name(p->command_id), smpp_command_name(command_id));
	ck_assert_uint_eq(p->command_status, status);
	ck_assert_uint_eq(p->sequence_number, seq);
	pdu_free(p);
}

/* A raw ESME binds as transceiver to the SMSC-role session a. */
static const char raw_bind_trx[] =
    "0000001E 00000009 00000000 00000001"
    "616c706861 00 707700 00 34 00 00 00";

static void
raw_bind(struct harness *h)
{
	h->a.auto_answer = 1;
	raw_write_hex(h, raw_bind_trx);
	raw_expect(h, SMPP_CMD_bind_transceiver_resp, SMPP_ESME_ROK, 1);
	h->a.auto_answer = 0;
	ck_assert_int_eq(smpp_session_state(h->a.s), SMPP_STATE_BOUND_TRX);
}

/* ---- binding ---- */

static const struct bind_case {
	uint32_t		 command_id;
	uint32_t		 status;
	enum smpp_session_state	 state;
} bind_cases[] = {
	{ SMPP_CMD_bind_transmitter, SMPP_ESME_ROK, SMPP_STATE_BOUND_TX },
	{ SMPP_CMD_bind_receiver, SMPP_ESME_ROK, SMPP_STATE_BOUND_RX },
	{ SMPP_CMD_bind_transceiver, SMPP_ESME_ROK, SMPP_STATE_BOUND_TRX },
	{ SMPP_CMD_bind_transceiver, SMPP_ESME_RINVPASWD, SMPP_STATE_OPEN },
};

/* ESME binds to SMSC: the SMSC's owner answers, both sessions follow. */
START_TEST(test_bind)
{
	const struct bind_case	*c = &bind_cases[_i];
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 r;
	const struct smpp_pdu	*bp;

	config_quiet(&cfg);
	harness_pair(&h, &cfg, &cfg);
	h.b.auto_answer = 1;
	h.b.answer_status = c->status;
	ck_assert_int_eq(send_cmd(&h.a, c->command_id, &r, NULL), 0);
	ck_assert_int_eq(r.calls, 0);
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 1);
	pump(&h);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.fail, SMPP_FAIL_NONE);
	ck_assert_uint_eq(r.command_id, smpp_response_id(c->command_id));
	ck_assert_uint_eq(r.status, c->status);
	ck_assert_int_eq(h.b.nreq, 1);
	ck_assert_uint_eq(h.b.req_id[0], c->command_id);
	ck_assert_int_eq(smpp_session_state(h.a.s), c->state);
	ck_assert_int_eq(smpp_session_state(h.b.s), c->state);
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 0);
	ck_assert_int_eq(smpp_session_unanswered(h.b.s), 0);
	ck_assert_str_eq(smpp_session_peer(h.a.s), "");	/* AF_UNIX */
	if (c->state == SMPP_STATE_OPEN) {
		ck_assert_ptr_null(smpp_session_bind_pdu(h.b.s));
		ck_assert_int_eq(h.a.nstates, 0);
		/* Refused: the ESME may try again. */
		bind_pair(&h, SMPP_CMD_bind_transceiver);
	} else {
		bp = smpp_session_bind_pdu(h.b.s);
		ck_assert_ptr_nonnull(bp);
		ck_assert_uint_eq(bp->command_id, c->command_id);
		ck_assert_ptr_nonnull(smpp_session_bind_pdu(h.a.s));
		ck_assert_int_eq(h.a.nstates, 1);
		ck_assert_int_eq(h.a.states[0], c->state);
		ck_assert_int_eq(h.b.states[0], c->state);
	}
	harness_free(&h);
}
END_TEST

/* submit_sm out and its response back; deliver_sm the other way. */
START_TEST(test_submit_round_trip)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 r, d;
	uint32_t		 seq;
	struct smpp_pdu		*p;

	config_quiet(&cfg);
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r, &seq), 0);
	ck_assert_uint_eq(seq, 2);
	pump(&h);
	ck_assert_int_eq(h.b.nreq, 2);
	ck_assert_uint_eq(h.b.req_id[1], SMPP_CMD_submit_sm);
	ck_assert_int_eq(smpp_session_unanswered(h.b.s), 1);
	ck_assert(smpp_session_busy(h.b.s));
	ck_assert_int_eq(r.calls, 0);
	/* A wrong answer is refused and changes nothing. */
	p = pdu_new(SMPP_CMD_deliver_sm_resp, seq);
	ck_assert_int_eq(smpp_session_respond(h.b.s, p), -1);
	ck_assert_int_eq(errno, EPROTO);
	p->command_id = SMPP_CMD_submit_sm_resp;
	p->sequence_number = seq + 7;
	ck_assert_int_eq(smpp_session_respond(h.b.s, p), -1);
	ck_assert_int_eq(errno, EPROTO);
	pdu_free(p);
	answer(&h.b, SMPP_CMD_submit_sm, seq, SMPP_ESME_ROK);
	ck_assert_int_eq(smpp_session_unanswered(h.b.s), 0);
	pump(&h);
	ck_assert(!smpp_session_busy(h.b.s));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.fail, SMPP_FAIL_NONE);
	ck_assert_uint_eq(r.seq, seq);
	ck_assert_str_eq(r.message_id, "m2");
	/* The SMSC delivers; the ESME's owner answers at once. */
	h.a.auto_answer = 1;
	ck_assert_int_eq(send_cmd(&h.b, SMPP_CMD_deliver_sm, &d, &seq), 0);
	ck_assert_uint_eq(seq, 1);	/* each direction has its series */
	pump(&h);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_uint_eq(d.command_id, SMPP_CMD_deliver_sm_resp);
	/* What a role may not send, or nobody sends as a request. */
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_deliver_sm, &d, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(send_cmd(&h.b, SMPP_CMD_submit_sm, &d, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm_resp, &d, NULL),
	    -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_unbind, &d, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_bind_transceiver, &d, NULL),
	    -1);
	ck_assert_int_eq(errno, EPROTO);
	harness_free(&h);
}
END_TEST

/* At most window requests; the next is refused until one is answered. */
START_TEST(test_window)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 r[4];
	uint32_t		 seq[4];
	int			 i;

	config_quiet(&cfg);
	cfg.window = 2;
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transmitter);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r[i],
		    &seq[i]), 0);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r[2], NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 2);
	pump(&h);
	ck_assert_int_eq(h.a.writable, 0);
	answer(&h.b, SMPP_CMD_submit_sm, seq[1], SMPP_ESME_RTHROTTLED);
	pump(&h);
	ck_assert_int_eq(r[1].calls, 1);
	ck_assert_uint_eq(r[1].status, SMPP_ESME_RTHROTTLED);
	ck_assert_int_eq(h.a.writable, 1);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r[2], &seq[2]),
	    0);
	pump(&h);
	answer(&h.b, SMPP_CMD_submit_sm, seq[0], SMPP_ESME_ROK);
	answer(&h.b, SMPP_CMD_submit_sm, seq[2], SMPP_ESME_ROK);
	pump(&h);
	ck_assert_int_eq(r[0].calls + r[2].calls, 2);
	ck_assert_int_eq(h.a.writable, 1);	/* only after a refusal */
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 0);
	harness_free(&h);
}
END_TEST

/* No answer within response_timeout: SMPP_FAIL_TIMEOUT; a late answer
 * is dropped. */
START_TEST(test_response_timeout)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 r;
	uint32_t		 seq;

	config_quiet(&cfg);
	cfg.response_timeout = 5 * SEC;
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r, &seq), 0);
	pump(&h);
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 5 * SEC);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.fail, SMPP_FAIL_TIMEOUT);
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 0);
	answer(&h.b, SMPP_CMD_submit_sm, seq, SMPP_ESME_ROK);
	pump(&h);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(smpp_session_state(h.a.s), SMPP_STATE_BOUND_TRX);
	harness_free(&h);
}
END_TEST

/*
 * Each request times out at its own deadline, whatever was answered
 * before it: the first answered, the second and third fail at 5 s after
 * each was sent, in virtual time exactly (not at the first's deadline).
 */
START_TEST(test_response_timeouts_in_order)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 r[3];
	uint32_t		 seq[3];

	config_quiet(&cfg);
	cfg.response_timeout = 5 * SEC;
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r[0], &seq[0]),
	    0);
	clock_virtual_advance(h.clock, 2 * SEC);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r[1], &seq[1]),
	    0);
	clock_virtual_advance(h.clock, 1 * SEC);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r[2], &seq[2]),
	    0);
	pump(&h);
	answer(&h.b, SMPP_CMD_submit_sm, seq[0], SMPP_ESME_ROK);
	pump(&h);
	ck_assert_int_eq(r[0].calls, 1);
	ck_assert_int_eq(r[0].fail, SMPP_FAIL_NONE);

	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 7 * SEC);
	ck_assert_int_eq(r[1].calls, 1);
	ck_assert_int_eq(r[1].fail, SMPP_FAIL_TIMEOUT);
	ck_assert_int_eq(r[2].calls, 0);
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 8 * SEC);
	ck_assert_int_eq(r[2].calls, 1);
	ck_assert_int_eq(r[2].fail, SMPP_FAIL_TIMEOUT);
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 0);
	/* Nothing outstanding: no timer left for the requests. */
	ck_assert_uint_eq(clock_timers_armed(h.clock), 0);
	harness_free(&h);
}
END_TEST

/* Both ends idle for enquire_link_interval: each probes, each answers
 * the other's probe itself, and nothing reaches the owners. */
START_TEST(test_enquire_link_idle)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	int			 i, sent = 0, answered = 0;

	config_quiet(&cfg);
	cfg.enquire_link_interval = 10 * SEC;
	cfg.response_timeout = 3 * SEC;
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	h.a.nout = h.a.nin = 0;
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 10 * SEC);
	for (i = 0; i < h.a.nout; i++)
		sent += h.a.out_id[i] == SMPP_CMD_enquire_link;
	for (i = 0; i < h.a.nin; i++)
		answered += h.a.in_id[i] == SMPP_CMD_enquire_link_resp;
	ck_assert_int_eq(sent, 1);
	ck_assert_int_eq(answered, 1);
	ck_assert_int_eq(h.a.nreq + h.b.nreq, 1);	/* the bind only */
	/* The probes were answered: no timeout follows, another probe does. */
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 20 * SEC);
	ck_assert_int_eq(smpp_session_state(h.a.s), SMPP_STATE_BOUND_TRX);
	ck_assert_int_eq(smpp_session_state(h.b.s), SMPP_STATE_BOUND_TRX);
	ck_assert_int_eq(h.a.closed + h.b.closed, 0);
	harness_free(&h);
}
END_TEST

/* A peer that reads but never answers our enquire_link. */
START_TEST(test_enquire_link_timeout)
{
	struct smpp_session_config cfg;
	struct harness		 h;

	config_quiet(&cfg);
	cfg.enquire_link_interval = 10 * SEC;
	cfg.response_timeout = 3 * SEC;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	step(&h);
	raw_expect(&h, SMPP_CMD_enquire_link, 0, 1);
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 13 * SEC);
	ck_assert_int_eq(h.a.closed, 1);
	ck_assert_str_eq(h.a.reason, "enquire_link timeout");
	raw_fill(&h);
	ck_assert(h.raw_eof);
	harness_free(&h);
}
END_TEST

/* A peer's enquire_link is answered in OPEN and bound alike. */
START_TEST(test_enquire_link_answered)
{
	struct smpp_session_config cfg;
	struct harness		 h;

	config_quiet(&cfg);
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	raw_write_hex(&h, "00000010 00000015 00000000 00000007");
	raw_expect(&h, SMPP_CMD_enquire_link_resp, SMPP_ESME_ROK, 7);
	raw_bind(&h);
	raw_write_hex(&h, "00000010 00000015 00000000 7FFFFFFF");
	raw_expect(&h, SMPP_CMD_enquire_link_resp, SMPP_ESME_ROK, SMPP_SEQ_MAX);
	ck_assert_int_eq(h.a.nreq, 1);		/* the bind only */
	ck_assert_int_eq(smpp_session_unanswered(h.a.s), 0);
	harness_free(&h);
}
END_TEST

static void
noop_timer(struct clock_timer *t, void *arg)
{
	(void)t;
	(void)arg;
}

/* Nothing received for inactivity_timeout closes; receiving resets it. */
START_TEST(test_inactivity_timeout)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct clock_timer	*t;

	config_quiet(&cfg);
	cfg.inactivity_timeout = 20 * SEC;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	t = clock_timer_new(h.clock, noop_timer, NULL);
	clock_timer_add(t, 15 * SEC);
	step(&h);
	raw_write_hex(&h, "00000010 00000015 00000000 00000001");
	raw_expect(&h, SMPP_CMD_enquire_link_resp, SMPP_ESME_ROK, 1);
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 35 * SEC);
	ck_assert_int_eq(h.a.closed, 1);
	ck_assert_str_eq(h.a.reason, "inactivity timeout");
	clock_timer_free(t);
	harness_free(&h);
}
END_TEST

/* OPEN for session_init_timeout closes; a bound session has no such
 * timer left. */
START_TEST(test_session_init_timeout)
{
	struct smpp_session_config cfg;
	struct harness		 h;

	config_quiet(&cfg);
	cfg.session_init_timeout = 10 * SEC;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 10 * SEC);
	ck_assert_int_eq(h.a.closed, 1);
	ck_assert_str_eq(h.a.reason, "session init timeout");
	harness_free(&h);

	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	ck_assert_uint_eq(clock_timers_armed(h.clock), 0);
	harness_free(&h);
}
END_TEST

/* Either end unbinds: the other answers and both close; a request still
 * outstanding fails with SMPP_FAIL_CLOSED before cb->closed. */
START_TEST(test_unbind)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct side		*from, *to;
	struct result		 r, late;

	config_quiet(&cfg);
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	from = _i == 0 ? &h.a : &h.b;
	to = _i == 0 ? &h.b : &h.a;
	ck_assert_int_eq(send_cmd(from, SMPP_CMD_data_sm, &r, NULL), 0);
	ck_assert_int_eq(smpp_session_unbind(from->s), 0);
	ck_assert_int_eq(smpp_session_state(from->s), SMPP_STATE_UNBOUND);
	ck_assert_int_eq(smpp_session_unbind(from->s), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(send_cmd(from, SMPP_CMD_data_sm, &late, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	pump(&h);
	ck_assert_int_eq(from->closed, 1);
	ck_assert_int_eq(to->closed, 1);
	ck_assert_str_eq(from->reason, "unbound");
	ck_assert_str_eq(to->reason, "unbound by peer");
	ck_assert_int_eq(to->nreq, _i == 0 ? 2 : 1);	/* data_sm reached */
	ck_assert_int_eq(to->states[to->nstates - 2], SMPP_STATE_UNBOUND);
	ck_assert_int_eq(to->states[to->nstates - 1], SMPP_STATE_CLOSED);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.fail, SMPP_FAIL_CLOSED);
	ck_assert_int_eq(r.closed_before, 0);
	harness_free(&h);
}
END_TEST

/* Our unbind unanswered for unbind_timeout; unbind before bind refused. */
START_TEST(test_unbind_timeout)
{
	struct smpp_session_config cfg;
	struct harness		 h;

	config_quiet(&cfg);
	cfg.unbind_timeout = 2 * SEC;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	ck_assert_int_eq(smpp_session_unbind(h.a.s), -1);
	ck_assert_int_eq(errno, EPROTO);
	raw_bind(&h);
	ck_assert_int_eq(smpp_session_unbind(h.a.s), 0);
	raw_expect(&h, SMPP_CMD_unbind, 0, 1);
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 2 * SEC);
	ck_assert_int_eq(h.a.closed, 1);
	ck_assert_str_eq(h.a.reason, "unbind timeout");
	harness_free(&h);
}
END_TEST

/* ---- raw octets into an SMSC-role session ---- */

static const struct raw_case {
	const char	*name;
	int		 bound;		/* bind first */
	const char	*in;		/* hex */
	uint32_t	 reply_id;	/* 0: no reply */
	uint32_t	 status;
	uint32_t	 seq;
	int		 closes;
	int		 requests;	/* reached the owner (after a bind) */
} raw_cases[] = {
	{ "submit_sm before bind", 0,
	  "00000023 00000004 00000000 00000002 00 0000 3100 0000 3200"
	  "000000 00 00 00000000 00",
	  SMPP_CMD_submit_sm_resp, SMPP_ESME_RINVBNDSTS, 2, 0, 0 },
	{ "unknown command_id", 0, "00000010 00000099 00000000 00000003",
	  SMPP_CMD_generic_nack, SMPP_ESME_RINVCMDID, 3, 0, 0 },
	{ "deliver_sm from an ESME", 1,
	  "00000023 00000005 00000000 00000004 00 0000 3100 0000 3200"
	  "000000 00 00 00000000 00",
	  SMPP_CMD_generic_nack, SMPP_ESME_RINVCMDID, 4, 0, 0 },
	{ "outbind from an ESME", 0,
	  "00000012 0000000B 00000000 00000004 00 00",
	  SMPP_CMD_generic_nack, SMPP_ESME_RINVCMDID, 4, 0, 0 },
	{ "unbind before bind", 0, "00000010 00000006 00000000 00000006",
	  SMPP_CMD_unbind_resp, SMPP_ESME_RINVBNDSTS, 6, 0, 0 },
	{ "bind with a long system_id", 0,
	  "0000002B 00000009 00000000 00000007"
	  "4141414141414141414141414141414141414141 00 00 00 34 00 00 00",
	  SMPP_CMD_bind_transceiver_resp, SMPP_ESME_RINVSYSID, 7, 0, 0 },
	{ "enquire_link with trailing octets", 0,
	  "00000014 00000015 00000000 00000008 DEADBEEF",
	  SMPP_CMD_generic_nack, SMPP_ESME_RINVCMDLEN, 8, 0, 0 },
	{ "generic_nack for nothing", 0,
	  "00000010 80000000 00000003 00000009", 0, 0, 0, 0, 0 },
	{ "response for nothing", 1,
	  "00000011 80000005 00000000 00000063 00", 0, 0, 0, 0, 0 },
	{ "command_length 8", 0, "00000008 00000015 00000000 00000001",
	  SMPP_CMD_generic_nack, SMPP_ESME_RINVCMDLEN, 0, 1, 0 },
	{ "command_length above max_pdu", 0,
	  "00010000 00000004 00000000 00000001",
	  SMPP_CMD_generic_nack, SMPP_ESME_RINVCMDLEN, 0, 1, 0 },
	{ "submit_sm when bound", 1,
	  "00000023 00000004 00000000 00000002 00 0000 3100 0000 3200"
	  "000000 00 00 00000000 00",
	  SMPP_CMD_submit_sm_resp, SMPP_ESME_ROK, 2, 0, 1 },
	{ "second bind", 1,
	  "0000001E 00000002 00000000 00000003"
	  "616c706861 00 707700 00 34 00 00 00",
	  SMPP_CMD_bind_transmitter_resp, SMPP_ESME_RALYBND, 3, 0, 0 },
	{ "deliver_sm_resp for nothing", 1,
	  "00000010 80000005 00000008 00000005", 0, 0, 0, 0, 0 },
};

START_TEST(test_raw)
{
	const struct raw_case	*c = &raw_cases[_i];
	struct smpp_session_config cfg;
	struct harness		 h;
	struct smpp_pdu		*p = pdu_new(0, 0);

	config_quiet(&cfg);
	cfg.max_pdu = 4096;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	if (c->bound)
		raw_bind(&h);
	h.a.auto_answer = 1;
	raw_write_hex(&h, c->in);
	if (c->reply_id != 0)
		raw_expect(&h, c->reply_id, c->status, c->seq);
	ck_assert_msg(!raw_next(&h, p), "%s: unexpected %s", c->name,
	    smpp_command_name(p->command_id));
	ck_assert_int_eq(h.a.nreq, c->bound + c->requests);
	raw_fill(&h);
	ck_assert_int_eq(h.raw_eof, c->closes);
	ck_assert_int_eq(h.a.closed, c->closes);
	if (c->closes) {
		ck_assert_msg(strncmp(h.a.reason, "bad frame", 9) == 0,
		    "reason %s", h.a.reason);
		ck_assert_int_eq(h.a.nin_undecoded, 1);
	} else {
		/* Still framing: the next PDU is answered. */
		raw_write_hex(&h, "00000010 00000015 00000000 00000042");
		raw_expect(&h, SMPP_CMD_enquire_link_resp, 0, 0x42);
	}
	pdu_free(p);
	harness_free(&h);
}
END_TEST

/*
 * The raw cases again, muted: nothing the session would answer itself is
 * written, requests still reach the owner, whose answers are written; a
 * bad frame still closes, without the nack. Unmuted, it answers again.
 */
START_TEST(test_mute)
{
	const struct raw_case	*c = &raw_cases[_i];
	struct smpp_session_config cfg;
	struct harness		 h;
	struct smpp_pdu		*p = pdu_new(0, 0);

	config_quiet(&cfg);
	cfg.max_pdu = 4096;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	if (c->bound)
		raw_bind(&h);
	ck_assert(!smpp_session_muted(h.a.s));
	smpp_session_set_mute(h.a.s, 1);
	ck_assert(smpp_session_muted(h.a.s));
	h.a.auto_answer = 1;
	raw_write_hex(&h, c->in);
	if (c->requests > 0)
		raw_expect(&h, c->reply_id, c->status, c->seq);
	ck_assert_msg(!raw_next(&h, p), "%s: muted, yet wrote %s", c->name,
	    smpp_command_name(p->command_id));
	ck_assert_int_eq(h.a.nreq, c->bound + c->requests);
	raw_fill(&h);
	ck_assert_int_eq(h.raw_eof, c->closes);
	ck_assert_int_eq(h.a.closed, c->closes);
	if (!c->closes) {
		raw_write_hex(&h, "00000010 00000015 00000000 00000042");
		ck_assert(!raw_next(&h, p));
		smpp_session_set_mute(h.a.s, 0);
		raw_write_hex(&h, "00000010 00000015 00000000 00000043");
		raw_expect(&h, SMPP_CMD_enquire_link_resp, 0, 0x43);
	}
	pdu_free(p);
	harness_free(&h);
}
END_TEST

/*
 * Muted and bound: an unbind is dropped and changes nothing, our own
 * enquire_link is not sent when due; what the owner sends still goes.
 */
START_TEST(test_mute_own_traffic)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct smpp_pdu		*p = pdu_new(0, 0);
	struct result		 r;

	config_quiet(&cfg);
	cfg.enquire_link_interval = 10 * SEC;
	cfg.response_timeout = 3 * SEC;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	raw_bind(&h);
	smpp_session_set_mute(h.a.s, 1);
	raw_write_hex(&h, "00000010 00000006 00000000 00000005");
	ck_assert(!raw_next(&h, p));
	ck_assert_int_eq(smpp_session_state(h.a.s), SMPP_STATE_BOUND_TRX);
	step(&h);
	ck_assert_int_eq(clock_now(h.clock), T0 + 10 * SEC);
	ck_assert_msg(!raw_next(&h, p), "muted, yet wrote %s",
	    smpp_command_name(p->command_id));
	ck_assert_int_eq(h.a.closed, 0);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_deliver_sm, &r, NULL), 0);
	raw_expect(&h, SMPP_CMD_deliver_sm, 0, 1);
	pdu_free(p);
	harness_free(&h);
}
END_TEST

/* An ESME-role session against a raw SMSC: generic_nack fails the
 * request it names; a mismatched response is dropped; a bind from the
 * SMSC side is refused. */
START_TEST(test_esme_raw)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 b, r, q;
	uint32_t		 seq;
	struct smpp_pdu		*p = pdu_new(0, 0);

	config_quiet(&cfg);
	harness_raw(&h, SMPP_ROLE_ESME, &cfg);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_bind_receiver, &b, &seq), 0);
	ck_assert_int_eq(raw_next(&h, p), 1);
	ck_assert_uint_eq(p->command_id, SMPP_CMD_bind_receiver);
	smpp_pdu_init(p, SMPP_CMD_bind_receiver_resp, seq);
	strcpy(p->u.bind_receiver_resp.system_id, "raw");
	raw_send(&h, p);
	pump(&h);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(smpp_session_state(h.a.s), SMPP_STATE_BOUND_RX);
	/* RX may not submit; data_sm it may. */
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r, NULL), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_data_sm, &r, &seq), 0);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_enquire_link, &q, NULL), 0);
	raw_expect(&h, SMPP_CMD_data_sm, 0, seq);
	raw_expect(&h, SMPP_CMD_enquire_link, 0, seq + 1);
	/* Answered with the wrong command: dropped, still outstanding. */
	smpp_pdu_init(p, SMPP_CMD_submit_sm_resp, seq);
	raw_send(&h, p);
	smpp_pdu_init(p, SMPP_CMD_generic_nack, seq);
	p->command_status = SMPP_ESME_RTHROTTLED;
	raw_send(&h, p);
	pump(&h);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.fail, SMPP_FAIL_NACK);
	ck_assert_uint_eq(r.command_id, SMPP_CMD_generic_nack);
	ck_assert_uint_eq(r.status, SMPP_ESME_RTHROTTLED);
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 1);
	/* An SMSC does not bind to an ESME; deliver_sm goes to the owner. */
	raw_write_hex(&h, raw_bind_trx);
	raw_expect(&h, SMPP_CMD_generic_nack, SMPP_ESME_RINVCMDID, 1);
	h.a.auto_answer = 1;
	raw_write_hex(&h, "00000023 00000005 00000000 00000002 00 0000 3100"
	    "0000 3200 000000 00 00 00000000 00");
	raw_expect(&h, SMPP_CMD_deliver_sm_resp, SMPP_ESME_ROK, 2);
	pdu_free(p);
	harness_free(&h);
	ck_assert_int_eq(q.calls, 1);
	ck_assert_int_eq(q.fail, SMPP_FAIL_CLOSED);
}
END_TEST

/* alert_notification has no response: no callback, nothing unanswered;
 * a request with a response needs its callback. The owner may send from
 * inside the trace callback of another send. */
START_TEST(test_noresp_and_trace)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct smpp_pdu		*p = pdu_new(SMPP_CMD_alert_notification, 0);
	struct result		 r, e;

	config_quiet(&cfg);
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	strcpy(p->u.alert_notification.source_addr, "4670000000");
	strcpy(p->u.alert_notification.esme_addr, "12345");
	ck_assert_int_eq(smpp_session_send(h.b.s, p, NULL, NULL), 0);
	p->command_id = SMPP_CMD_enquire_link;
	ck_assert_int_eq(smpp_session_send(h.b.s, p, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	pump(&h);
	ck_assert_int_eq(h.a.nreq, 1);
	ck_assert_uint_eq(h.a.req_id[0], SMPP_CMD_alert_notification);
	ck_assert_int_eq(smpp_session_unanswered(h.a.s), 0);
	ck_assert_int_eq(smpp_session_outstanding(h.b.s), 0);
	h.a.send_in_trace = &e;
	h.b.auto_answer = 1;
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r, NULL), 0);
	ck_assert_int_eq(smpp_session_outstanding(h.a.s), 2);
	pump(&h);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(e.calls, 1);
	ck_assert_uint_eq(r.command_id, SMPP_CMD_submit_sm_resp);
	ck_assert_uint_eq(e.command_id, SMPP_CMD_enquire_link_resp);
	pdu_free(p);
	harness_free(&h);
}
END_TEST

/* The series wraps from 0x7FFFFFFF to 1. */
START_TEST(test_sequence_wrap)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 r[3];
	uint32_t		 seq[3];
	int			 i;

	config_quiet(&cfg);
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	smpp_session_set_next_sequence(h.a.s, SMPP_SEQ_MAX);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_enquire_link, &r[i],
		    &seq[i]), 0);
	ck_assert_uint_eq(seq[0], SMPP_SEQ_MAX);
	ck_assert_uint_eq(seq[1], 1);
	ck_assert_uint_eq(seq[2], 2);
	pump(&h);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(r[i].calls, 1);
		ck_assert_uint_eq(r[i].command_id, SMPP_CMD_enquire_link_resp);
		ck_assert_uint_eq(r[i].seq, seq[i]);
	}
	harness_free(&h);
}
END_TEST

/* The owner closes: nothing is called from inside close(); outstanding
 * requests fail CLOSED first, then cb->closed; the peer sees EOF. */
START_TEST(test_close_outstanding)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct result		 r, x;
	struct smpp_pdu		*p = pdu_new(SMPP_CMD_deliver_sm_resp, 1);

	config_quiet(&cfg);
	harness_pair(&h, &cfg, &cfg);
	bind_pair(&h, SMPP_CMD_bind_transceiver);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r, NULL), 0);
	h.in_send = 1;
	smpp_session_close(h.a.s, "owner closed");
	smpp_session_close(h.a.s, "twice");
	h.in_send = 0;
	ck_assert_int_eq(smpp_session_state(h.a.s), SMPP_STATE_CLOSED);
	ck_assert_int_eq(r.calls, 0);
	ck_assert_int_eq(h.a.closed, 0);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &x, NULL), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(smpp_session_respond(h.a.s, p), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(smpp_session_unbind(h.a.s), -1);
	ck_assert_int_eq(errno, EPIPE);
	pump(&h);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.fail, SMPP_FAIL_CLOSED);
	ck_assert_int_eq(r.closed_before, 0);
	ck_assert_int_eq(h.a.closed, 1);
	ck_assert_str_eq(h.a.reason, "owner closed");
	ck_assert_int_eq(h.b.closed, 1);
	ck_assert_str_eq(h.b.reason, "peer closed");
	pdu_free(p);
	harness_free(&h);
}
END_TEST

/* The owner closes from cb->request: PDUs already buffered behind that
 * one are not processed. */
START_TEST(test_close_in_callback)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	static const char	 submit[] =
	    "00000023 00000004 00000000 00000002 00 0000 3100 0000 3200"
	    "000000 00 00 00000000 00";
	char			 three[sizeof submit * 3];

	config_quiet(&cfg);
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	raw_bind(&h);
	snprintf(three, sizeof three, "%s%s%s", submit, submit, submit);
	h.a.close_in_request = 1;
	raw_write_hex(&h, three);
	pump(&h);
	ck_assert_int_eq(h.a.nreq, 2);		/* the bind, one submit */
	ck_assert_int_eq(h.a.closed, 1);
	ck_assert_str_eq(h.a.reason, "owner closed");
	harness_free(&h);
}
END_TEST

START_TEST(test_peer_closed)
{
	struct smpp_session_config cfg;
	struct harness		 h;

	config_quiet(&cfg);
	harness_raw(&h, SMPP_ROLE_ESME, &cfg);
	close(h.raw);
	h.raw = -1;
	pump(&h);
	ck_assert_int_eq(h.a.closed, 1);
	ck_assert_str_eq(h.a.reason, "peer closed");
	harness_free(&h);
}
END_TEST

/*
 * A peer that sends enquire_links and never reads: our answers pile up
 * above out_high and the session stops reading; once the peer reads
 * again, the session reads again and answers every one.
 */
START_TEST(test_backpressure)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	static uint8_t		 out[16 * 4000];
	size_t			 off = 0, got = 0, i;
	ssize_t			 n;
	int			 small = 4096, rounds, paused = 0;

	for (i = 0; i < sizeof out / 16; i++) {
		memcpy(out + 16 * i, "\0\0\0\x10\0\0\0\x15\0\0\0\0", 12);
		out[16 * i + 14] = (uint8_t)((i + 1) >> 8);
		out[16 * i + 15] = (uint8_t)(i + 1);
		out[16 * i + 12] = out[16 * i + 13] = 0;
	}
	config_quiet(&cfg);
	cfg.out_high = 2048;
	harness_raw(&h, SMPP_ROLE_SMSC, &cfg);
	ck_assert_int_eq(setsockopt(bufferevent_getfd(h.a.bev), SOL_SOCKET,
	    SO_SNDBUF, &small, sizeof small), 0);
	for (rounds = 0; rounds < 1000 && !paused; rounds++) {
		if (off < sizeof out &&
		    (n = write(h.raw, out + off, sizeof out - off)) > 0)
			off += (size_t)n;
		pump(&h);
		paused = !(bufferevent_get_enabled(h.a.bev) & EV_READ);
	}
	ck_assert_msg(paused, "reading never stopped");
	ck_assert_uint_gt(evbuffer_get_length(bufferevent_get_output(h.a.bev)),
	    cfg.out_high);
	ck_assert(smpp_session_busy(h.a.s));
	/* The peer reads again: everything it sent gets its answer. */
	for (rounds = 0; rounds < 100000 && got < sizeof out; rounds++) {
		if (off < sizeof out && (n = write(h.raw, out + off,
		    sizeof out - off)) > 0)
			off += (size_t)n;
		event_base_loop(h.base, EVLOOP_NONBLOCK);
		if ((n = read(h.raw, h.rbuf, sizeof h.rbuf)) > 0)
			got += (size_t)n;
	}
	ck_assert_uint_eq(got, sizeof out);
	ck_assert(bufferevent_get_enabled(h.a.bev) & EV_READ);
	ck_assert_int_eq(h.a.closed, 0);
	harness_free(&h);
}
END_TEST

/* ---- TLS ---- */

static EVP_PKEY *
tls_key(void)
{
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	EVP_PKEY	*key = NULL;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_keygen_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx,
	    NID_X9_62_prime256v1), 1);
	ck_assert_int_eq(EVP_PKEY_keygen(ctx, &key), 1);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* A self-signed certificate for CN=localhost, valid for an hour. */
static X509 *
tls_cert(EVP_PKEY *key)
{
	X509		*x = X509_new();
	X509_NAME	*name;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, name);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	return x;
}

struct tls {
	EVP_PKEY	*key, *other_key;
	X509		*cert, *other_cert;
	SSL_CTX		*server, *client;
};

/* The client trusts the server's certificate, or (wrong_ca) another. */
static void
tls_init(struct tls *t, int wrong_ca)
{
	t->key = tls_key();
	t->cert = tls_cert(t->key);
	t->other_key = tls_key();
	t->other_cert = tls_cert(t->other_key);
	t->server = SSL_CTX_new(TLS_server_method());
	t->client = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(t->server);
	ck_assert_ptr_nonnull(t->client);
	ck_assert_int_eq(SSL_CTX_use_certificate(t->server, t->cert), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(t->server, t->key), 1);
	SSL_CTX_set_verify(t->client, SSL_VERIFY_PEER, NULL);
	ck_assert_int_eq(X509_STORE_add_cert(SSL_CTX_get_cert_store(
	    t->client), wrong_ca ? t->other_cert : t->cert), 1);
}

static void
tls_free(struct tls *t)
{
	SSL_CTX_free(t->server);
	SSL_CTX_free(t->client);
	X509_free(t->cert);
	X509_free(t->other_cert);
	EVP_PKEY_free(t->key);
	EVP_PKEY_free(t->other_key);
}

static void
harness_tls(struct harness *h, struct tls *t,
    const struct smpp_session_config *cfg)
{
	int fds[2];

	harness_base(h, fds);
	side_start(h, &h->a, bufferevent_openssl_socket_new(h->base, fds[0],
	    SSL_new(t->client), BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE), SMPP_ROLE_ESME, cfg, "esme-tls");
	side_start(h, &h->b, bufferevent_openssl_socket_new(h->base, fds[1],
	    SSL_new(t->server), BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE), SMPP_ROLE_SMSC, cfg, "smsc-tls");
}

/* Bind, submit and unbind over TLS; the close is clean on both ends. */
START_TEST(test_tls)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct tls		 t;
	struct result		 b, r;

	tls_init(&t, 0);
	config_quiet(&cfg);
	harness_tls(&h, &t, &cfg);
	h.b.auto_answer = 1;
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_bind_transceiver, &b, NULL),
	    0);
	pump_until(&h, &b.calls);
	ck_assert_int_eq(b.status, SMPP_ESME_ROK);
	ck_assert_int_eq(smpp_session_state(h.a.s), SMPP_STATE_BOUND_TRX);
	ck_assert_int_eq(smpp_session_state(h.b.s), SMPP_STATE_BOUND_TRX);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_submit_sm, &r, NULL), 0);
	pump_until(&h, &r.calls);
	ck_assert_str_eq(r.message_id, "m2");
	ck_assert_int_eq(smpp_session_unbind(h.b.s), 0);
	pump_until(&h, &h.a.closed);
	pump_until(&h, &h.b.closed);
	ck_assert_str_eq(h.a.reason, "unbound by peer");
	ck_assert_str_eq(h.b.reason, "unbound");
	harness_free(&h);
	tls_free(&t);
}
END_TEST

/* A certificate the client does not trust: both ends close with the
 * OpenSSL reason. */
START_TEST(test_tls_untrusted)
{
	struct smpp_session_config cfg;
	struct harness		 h;
	struct tls		 t;
	struct result		 b;

	tls_init(&t, 1);
	config_quiet(&cfg);
	harness_tls(&h, &t, &cfg);
	ck_assert_int_eq(send_cmd(&h.a, SMPP_CMD_bind_transceiver, &b, NULL),
	    0);
	pump_until(&h, &h.a.closed);
	pump_until(&h, &h.b.closed);
	ck_assert_msg(strncmp(h.a.reason, "tls: ", 5) == 0, "%s", h.a.reason);
	ck_assert_msg(strstr(h.a.reason, "certificate") != NULL, "%s",
	    h.a.reason);
	ck_assert_msg(strncmp(h.b.reason, "tls: ", 5) == 0, "%s", h.b.reason);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.fail, SMPP_FAIL_CLOSED);
	harness_free(&h);
	tls_free(&t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("session");
	TCase	*tc = tcase_create("session");
	SRunner	*sr;
	int	 failed;

	signal(SIGPIPE, SIG_IGN);
	tcase_add_loop_test(tc, test_bind, 0,
	    sizeof bind_cases / sizeof bind_cases[0]);
	tcase_add_test(tc, test_submit_round_trip);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_response_timeout);
	tcase_add_test(tc, test_response_timeouts_in_order);
	tcase_add_test(tc, test_enquire_link_idle);
	tcase_add_test(tc, test_enquire_link_timeout);
	tcase_add_test(tc, test_enquire_link_answered);
	tcase_add_test(tc, test_inactivity_timeout);
	tcase_add_test(tc, test_session_init_timeout);
	tcase_add_loop_test(tc, test_unbind, 0, 2);
	tcase_add_test(tc, test_unbind_timeout);
	tcase_add_loop_test(tc, test_raw, 0,
	    sizeof raw_cases / sizeof raw_cases[0]);
	tcase_add_loop_test(tc, test_mute, 0,
	    sizeof raw_cases / sizeof raw_cases[0]);
	tcase_add_test(tc, test_mute_own_traffic);
	tcase_add_test(tc, test_esme_raw);
	tcase_add_test(tc, test_noresp_and_trace);
	tcase_add_test(tc, test_sequence_wrap);
	tcase_add_test(tc, test_close_outstanding);
	tcase_add_test(tc, test_close_in_callback);
	tcase_add_test(tc, test_peer_closed);
	tcase_add_test(tc, test_backpressure);
	tcase_add_test(tc, test_tls);
	tcase_add_test(tc, test_tls_untrusted);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
