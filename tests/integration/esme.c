/*
 * A blocking test ESME on smpp/session, and the carrierlab smsc process
 * helpers: see esme.h.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "tests/integration/esme.h"

#define SMSC_READY_MS		20000	/* the ready file must appear */
#define SMSC_STOP_MS		20000	/* SIGTERM to exit */
#define SMSC_POLL_MS		10	/* child and ready file checks */
#define SMSC_MAX_LIVE		16

/* One request of ours: done once the session called back. */
struct esme_req {
	struct esme		*esme;
	int			 done;
	enum smpp_session_failure fail;
	struct smpp_pdu		*resp;		/* NULL without a response */
	unsigned		 arrival;	/* of resp, 0: none */
};

struct esme {
	struct event_base	*base;
	struct clock		*clock;
	SSL_CTX			*ssl;
	struct bufferevent	*bev;		/* until the session owns it */
	int			 handshake;	/* 1 done, -1 failed */
	struct smpp_session	*session;	/* NULL once closed */
	int			 closed;
	char			 reason[200];
	uint32_t		 deliver_status;
	struct esme_req		**reqs;
	size_t			 nreqs;
	struct smpp_pdu		**delivers;	/* FIFO */
	unsigned		*darrival;	/* arrival of each */
	size_t			 dhead;
	size_t			 dcount;
	unsigned		 arrivals;	/* PDUs numbered so far */
	unsigned		 last_deliver;	/* arrival of the last taken */
	struct smpp_pdu		*bind_resp;
};

/* ---- waiting on a loop ---- */

struct loop_wait {
	struct event_base	*base;
	int			 expired;
};

static void
loop_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct loop_wait *w = arg;

	(void)fd;
	(void)what;
	w->expired = 1;
	event_base_loopexit(w->base, NULL);
}

/*
 * Runs base one iteration at a time until cond(arg) holds or timeout_ms
 * pass; cond NULL never holds. Returns 0 if cond held, else -1.
 */
static int
loop_until(struct event_base *base, int (*cond)(void *), void *arg,
    int timeout_ms)
{
	struct loop_wait w = { base, 0 };
	struct timeval tv;
	struct event *t;

	if (cond != NULL && cond(arg))
		return 0;
	if (timeout_ms <= 0) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		return cond != NULL && cond(arg) ? 0 : -1;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	t = evtimer_new(base, loop_deadline, &w);
	evtimer_add(t, &tv);
	while (!w.expired && !(cond != NULL && cond(arg)))
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
	return cond != NULL && cond(arg) ? 0 : -1;
}

/* ---- PDUs ---- */

struct smpp_pdu *
esme_pdu_new(uint32_t command_id)
{
	struct smpp_pdu *pdu = xmalloc(sizeof *pdu);

	smpp_pdu_init(pdu, command_id, 0);
	return pdu;
}

void
esme_pdu_free(struct smpp_pdu *pdu)
{
	if (pdu == NULL)
		return;
	smpp_pdu_release(pdu);
	free(pdu);
}

static struct smpp_pdu *
esme_pdu_dup(const struct smpp_pdu *src)
{
	struct smpp_pdu *pdu = esme_pdu_new(0);

	if (smpp_pdu_copy(pdu, src) == -1) {
		fprintf(stderr, "esme: out of memory copying a PDU\n");
		abort();
	}
	return pdu;
}

/* ---- session callbacks ---- */

static void
esme_queue_deliver(struct esme *e, const struct smpp_pdu *req)
{
	if (e->dhead > 0 && e->dhead == e->dcount) {
		e->dhead = 0;
		e->dcount = 0;
	}
	e->delivers = xreallocarray(e->delivers, e->dcount + 1,
	    sizeof *e->delivers);
	e->darrival = xreallocarray(e->darrival, e->dcount + 1,
	    sizeof *e->darrival);
	e->darrival[e->dcount] = ++e->arrivals;
	e->delivers[e->dcount++] = esme_pdu_dup(req);
}

static void
esme_session_request(struct smpp_session *s, const struct smpp_pdu *req,
    void *arg)
{
	struct esme *e = arg;

	(void)s;
	if (req->command_id == SMPP_CMD_deliver_sm ||
	    req->command_id == SMPP_CMD_data_sm) {
		esme_queue_deliver(e, req);
		if (e->deliver_status != ESME_NO_ANSWER)
			esme_respond(e, req, e->deliver_status);
		return;
	}
	/* Nothing else is expected from an SMSC. */
	esme_respond(e, req, SMPP_ESME_RINVCMDID);
}

static void
esme_session_closed(struct smpp_session *s, const char *reason, void *arg)
{
	struct esme *e = arg;

	(void)s;
	e->closed = 1;
	e->session = NULL;
	snprintf(e->reason, sizeof e->reason, "%s", reason);
}

static const struct smpp_session_callbacks esme_cbs = {
	.request = esme_session_request,
	.closed = esme_session_closed,
};

static void
esme_response(struct smpp_session *s, const struct smpp_pdu *resp,
    enum smpp_session_failure fail, void *arg)
{
	struct esme_req *r = arg;

	(void)s;
	r->done = 1;
	r->fail = fail;
	if (resp != NULL) {
		r->resp = esme_pdu_dup(resp);
		r->arrival = ++r->esme->arrivals;
	}
}

/* ---- connecting ---- */

int
esme_probe_connect(const char *host_port)
{
	struct sockaddr_storage ss;
	int len = sizeof ss, error = 0;
	evutil_socket_t fd;

	memset(&ss, 0, sizeof ss);
	if (evutil_parse_sockaddr_port(host_port, (struct sockaddr *)&ss,
	    &len) == -1)
		return EINVAL;
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		return errno;
	if (connect(fd, (struct sockaddr *)&ss, (socklen_t)len) == -1)
		error = errno;
	close(fd);
	return error;
}

/* A blocking connect: loopback answers at once. */
static evutil_socket_t
esme_socket(const char *host_port)
{
	struct sockaddr_storage ss;
	int len = sizeof ss, one = 1;
	evutil_socket_t fd;

	memset(&ss, 0, sizeof ss);
	if (evutil_parse_sockaddr_port(host_port, (struct sockaddr *)&ss,
	    &len) == -1) {
		fprintf(stderr, "esme: \"%s\" is not host:port\n", host_port);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, (socklen_t)len) == -1) {
		fprintf(stderr, "esme: connect %s: %s\n", host_port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	evutil_make_socket_nonblocking(fd);
	return fd;
}

static void
esme_tls_event(struct bufferevent *bev, short what, void *arg)
{
	struct esme *e = arg;
	unsigned long err;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		e->handshake = 1;
		return;
	}
	while ((err = bufferevent_get_openssl_error(e->bev)) != 0)
		fprintf(stderr, "esme: tls: %s\n",
		    ERR_reason_error_string(err));
	e->handshake = -1;
}

static int
esme_handshake_over(void *arg)
{
	return ((struct esme *)arg)->handshake != 0;
}

static struct bufferevent *
esme_tls_bev(struct esme *e, evutil_socket_t fd)
{
	SSL *ssl;

	if ((e->ssl = SSL_CTX_new(TLS_client_method())) == NULL ||
	    (ssl = SSL_new(e->ssl)) == NULL) {
		close(fd);
		return NULL;
	}
	SSL_CTX_set_verify(e->ssl, SSL_VERIFY_NONE, NULL);
	e->bev = bufferevent_openssl_socket_new(e->base, fd, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (e->bev == NULL) {
		SSL_free(ssl);
		close(fd);
		return NULL;
	}
	bufferevent_setcb(e->bev, NULL, NULL, esme_tls_event, e);
	bufferevent_enable(e->bev, EV_READ | EV_WRITE);
	if (loop_until(e->base, esme_handshake_over, e, ESME_WAIT_MS) == -1 ||
	    e->handshake != 1) {
		fprintf(stderr, "esme: tls handshake failed\n");
		bufferevent_free(e->bev);
		e->bev = NULL;
		return NULL;
	}
	return e->bev;
}

struct esme *
esme_connect(const char *host_port, int tls)
{
	struct smpp_session_config cfg;
	struct esme *e = xcalloc(1, sizeof *e);
	struct bufferevent *bev;
	evutil_socket_t fd;

	signal(SIGPIPE, SIG_IGN);
	e->base = event_base_new();
	e->clock = clock_new(e->base, CLOCK_MODE_REAL, 0, 1.0);
	e->deliver_status = SMPP_ESME_ROK;
	if ((fd = esme_socket(host_port)) == -1)
		goto fail;
	if (tls)
		bev = esme_tls_bev(e, fd);
	else
		bev = bufferevent_socket_new(e->base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		if (!tls)	/* esme_tls_bev() closed it */
			close(fd);
		goto fail;
	}
	smpp_session_config_default(&cfg);
	cfg.window = 0;				/* tests fill SMSC windows */
	cfg.response_timeout = 20 * CLOCK_USEC_PER_SEC;
	e->session = smpp_session_new(e->clock, bev, SMPP_ROLE_ESME, &cfg,
	    &esme_cbs, e, tls ? "esme-tls" : "esme");
	e->bev = NULL;
	return e;
fail:
	esme_close(e);
	return NULL;
}

void
esme_close(struct esme *e)
{
	size_t i;

	if (e == NULL)
		return;
	if (e->session != NULL)
		smpp_session_free(e->session);
	if (e->bev != NULL)
		bufferevent_free(e->bev);
	for (i = 0; i < e->nreqs; i++) {
		esme_pdu_free(e->reqs[i]->resp);
		free(e->reqs[i]);
	}
	free(e->reqs);
	for (i = e->dhead; i < e->dcount; i++)
		esme_pdu_free(e->delivers[i]);
	free(e->delivers);
	free(e->darrival);
	esme_pdu_free(e->bind_resp);
	clock_free(e->clock);
	event_base_free(e->base);
	SSL_CTX_free(e->ssl);
	free(e);
}

/* ---- requests ---- */

int
esme_send_async(struct esme *e, struct smpp_pdu *req)
{
	struct esme_req *r;

	if (e->session == NULL)
		return -1;
	r = xcalloc(1, sizeof *r);
	r->esme = e;
	if (smpp_session_send(e->session, req, esme_response, r) == -1) {
		fprintf(stderr, "esme: send %s: %s\n",
		    smpp_command_name(req->command_id), strerror(errno));
		free(r);
		return -1;
	}
	e->reqs = xreallocarray(e->reqs, e->nreqs + 1, sizeof *e->reqs);
	e->reqs[e->nreqs] = r;
	return (int)e->nreqs++;
}

static int
esme_req_done(void *arg)
{
	return ((struct esme_req *)arg)->done;
}

const struct smpp_pdu *
esme_wait_response(struct esme *e, int handle, int timeout_ms)
{
	struct esme_req *r;

	if (handle < 0 || (size_t)handle >= e->nreqs)
		return NULL;
	r = e->reqs[handle];
	if (loop_until(e->base, esme_req_done, r, timeout_ms) == -1)
		return NULL;
	return r->resp;
}

static int
esme_all_done(void *arg)
{
	struct esme *e = arg;
	size_t i;

	for (i = 0; i < e->nreqs; i++)
		if (!e->reqs[i]->done)
			return 0;
	return 1;
}

int
esme_wait_all(struct esme *e, int timeout_ms)
{
	return loop_until(e->base, esme_all_done, e, timeout_ms);
}

unsigned
esme_response_arrival(const struct esme *e, int handle)
{
	if (handle < 0 || (size_t)handle >= e->nreqs)
		return 0;
	return e->reqs[handle]->arrival;
}

unsigned
esme_deliver_arrival(const struct esme *e)
{
	return e->last_deliver;
}

int
esme_request(struct esme *e, struct smpp_pdu *req, struct smpp_pdu *resp,
    int timeout_ms)
{
	const struct smpp_pdu *r;
	int h;

	if ((h = esme_send_async(e, req)) == -1)
		return -1;
	if ((r = esme_wait_response(e, h, timeout_ms)) == NULL)
		return -1;
	if (resp != NULL && smpp_pdu_copy(resp, r) == -1)
		return -1;
	return 0;
}

/* The three bind bodies share one layout; fill the one of command_id. */
#define ESME_BIND_FILL(b, sid, pw) do {					\
	snprintf((b).system_id, sizeof (b).system_id, "%s", (sid));	\
	snprintf((b).password, sizeof (b).password, "%s", (pw));	\
	(b).interface_version = SMPP_VERSION_34;			\
} while (0)

long
esme_bind(struct esme *e, uint32_t command_id, const char *system_id,
    const char *password)
{
	struct smpp_pdu *req = esme_pdu_new(command_id);
	const struct smpp_pdu *resp;
	long status = -1;
	int h;

	switch (command_id) {
	case SMPP_CMD_bind_transmitter:
		ESME_BIND_FILL(req->u.bind_transmitter, system_id, password);
		break;
	case SMPP_CMD_bind_receiver:
		ESME_BIND_FILL(req->u.bind_receiver, system_id, password);
		break;
	default:
		ESME_BIND_FILL(req->u.bind_transceiver, system_id, password);
		break;
	}
	h = esme_send_async(e, req);
	esme_pdu_free(req);
	if (h == -1 || (resp = esme_wait_response(e, h, ESME_WAIT_MS)) ==
	    NULL || resp->command_id == SMPP_CMD_generic_nack)
		return -1;
	esme_pdu_free(e->bind_resp);
	e->bind_resp = esme_pdu_dup(resp);
	status = (long)resp->command_status;
	return status;
}

const struct smpp_pdu *
esme_bind_resp(const struct esme *e)
{
	return e->bind_resp;
}

/* ---- traffic from the SMSC ---- */

static int
esme_have_deliver(void *arg)
{
	struct esme *e = arg;

	return e->dhead < e->dcount;
}

struct smpp_pdu *
esme_wait_deliver(struct esme *e, int timeout_ms)
{
	if (loop_until(e->base, esme_have_deliver, e, timeout_ms) == -1)
		return NULL;
	e->last_deliver = e->darrival[e->dhead];
	return e->delivers[e->dhead++];
}

void
esme_set_deliver_status(struct esme *e, uint32_t status)
{
	e->deliver_status = status;
}

int
esme_respond(struct esme *e, const struct smpp_pdu *req, uint32_t status)
{
	uint32_t id = smpp_response_id(req->command_id);
	struct smpp_pdu *resp;
	int rc;

	if (e->session == NULL)
		return -1;
	if (smpp_command_lookup(id) == NULL)
		id = SMPP_CMD_generic_nack;
	resp = esme_pdu_new(id);
	resp->sequence_number = req->sequence_number;
	resp->command_status = status;
	resp->has_body = status == SMPP_ESME_ROK;
	rc = smpp_session_respond(e->session, resp);
	esme_pdu_free(resp);
	return rc;
}

void
esme_pump(struct esme *e, int timeout_ms)
{
	loop_until(e->base, NULL, NULL, timeout_ms);
}

/* ---- the end of a session ---- */

static int
esme_closed_cond(void *arg)
{
	return ((struct esme *)arg)->closed;
}

int
esme_wait_closed(struct esme *e, int timeout_ms)
{
	return loop_until(e->base, esme_closed_cond, e, timeout_ms);
}

int
esme_unbind(struct esme *e, int timeout_ms)
{
	if (e->session == NULL || smpp_session_unbind(e->session) == -1)
		return -1;
	if (esme_wait_closed(e, timeout_ms) == -1)
		return -1;
	return strcmp(e->reason, "unbound") == 0 ? 0 : -1;
}

int
esme_is_closed(const struct esme *e)
{
	return e->closed;
}

const char *
esme_close_reason(const struct esme *e)
{
	return e->reason;
}

enum smpp_session_state
esme_state(const struct esme *e)
{
	return e->session != NULL ? smpp_session_state(e->session) :
	    SMPP_STATE_CLOSED;
}

/* ---- the smsc process: bookkeeping for the atexit cleanup ---- */

static char smsc_base[1024];	/* the run's directory, or "" */

static struct {
	int	 used;
	pid_t	 pid;
	char	 dir[PATH_MAX];
	char	 log[PATH_MAX + 32];
} smsc_live[SMSC_MAX_LIVE];
static int smsc_atexit_set;

static int
smsc_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
smsc_rmdir(const char *dir)
{
	const char *keep = getenv("CARRIERLAB_KEEP_TMP");

	if (dir[0] == '\0')
		return;
	if (keep != NULL && keep[0] != '\0') {
		fprintf(stderr, "smsc: kept %s\n", dir);
		return;
	}
	nftw(dir, smsc_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The last octets of the child's log, to stderr. */
static void
smsc_dump_log(const char *log)
{
	char buf[8192];
	ssize_t n;
	off_t size;
	int fd;

	if ((fd = open(log, O_RDONLY)) == -1)
		return;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > (off_t)sizeof buf ? size - (off_t)sizeof buf : 0,
	    SEEK_SET);
	fprintf(stderr, "---- %s (end) ----\n", log);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
	fprintf(stderr, "---- end of %s ----\n", log);
	close(fd);
}

/* A test that failed half way exits: stop what it left running. */
static void
smsc_atexit(void)
{
	size_t i;

	for (i = 0; i < SMSC_MAX_LIVE; i++) {
		if (!smsc_live[i].used)
			continue;
		if (smsc_live[i].pid > 0) {
			kill(smsc_live[i].pid, SIGKILL);
			waitpid(smsc_live[i].pid, NULL, 0);
			smsc_dump_log(smsc_live[i].log);
		}
		smsc_rmdir(smsc_live[i].dir);
		smsc_live[i].used = 0;
	}
}

static int
smsc_slot(const char *dir)
{
	size_t i;

	for (i = 0; i < SMSC_MAX_LIVE; i++)
		if (smsc_live[i].used && strcmp(smsc_live[i].dir, dir) == 0)
			return (int)i;
	return -1;
}

static void
smsc_register(const struct smsc_proc *p)
{
	int i = smsc_slot(p->dir);
	size_t j;

	if (!smsc_atexit_set) {
		atexit(smsc_atexit);
		smsc_atexit_set = 1;
	}
	for (j = 0; i == -1 && j < SMSC_MAX_LIVE; j++)
		if (!smsc_live[j].used)
			i = (int)j;
	if (i == -1)
		return;
	smsc_live[i].used = 1;
	smsc_live[i].pid = p->pid;
	snprintf(smsc_live[i].dir, sizeof smsc_live[i].dir, "%s", p->dir);
	snprintf(smsc_live[i].log, sizeof smsc_live[i].log, "%s", p->log);
}

/* ---- the smsc process ---- */

static int
smsc_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

static void
smsc_child(const struct smsc_proc *p, const char *bin, const char **argv,
    pid_t parent)
{
	int fd, i;

#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != parent)
		_exit(126);
	if ((fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0644)) != -1) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	for (i = 3; i < 1024; i++)
		close(i);
	signal(SIGPIPE, SIG_DFL);
	execv(bin, (char *const *)argv);
	fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
	_exit(127);
}

static int
smsc_spawn(struct smsc_proc *p, const char *const *extra)
{
	const char *top = getenv("top_builddir");
	const char *argv[64];
	char bin[PATH_MAX];
	size_t n = 0;
	pid_t parent = getpid();

	snprintf(bin, sizeof bin, "%s/carrierlab", top != NULL &&
	    top[0] != '\0' ? top : ".");
	argv[n++] = bin;
	argv[n++] = "smsc";
	argv[n++] = p->scenario;
	argv[n++] = "--http";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--db";
	argv[n++] = p->db;
	argv[n++] = "--ready-file";
	argv[n++] = p->ready;
	argv[n++] = "--log-level";
	argv[n++] = "debug";
	for (; extra != NULL && *extra != NULL && n < 63; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	unlink(p->ready);
	fflush(NULL);
	if ((p->pid = fork()) == -1) {
		p->pid = 0;
		return -1;
	}
	if (p->pid == 0)
		smsc_child(p, bin, argv, parent);
	smsc_register(p);
	return 0;
}

struct smsc_wait {
	struct smsc_proc	*p;
	int			 exited;
	int			 ready;
};

/* Polled: the child died, or the ready file is there. */
static void
smsc_ready_tick(evutil_socket_t fd, short what, void *arg)
{
	struct smsc_wait *w = arg;
	int status;

	(void)fd;
	(void)what;
	if (waitpid(w->p->pid, &status, WNOHANG) == w->p->pid) {
		w->exited = 1;
		w->p->exit_status = status;
		return;
	}
	if (access(w->p->ready, R_OK) == 0)
		w->ready = 1;
}

static int
smsc_ready_over(void *arg)
{
	struct smsc_wait *w = arg;

	return w->exited || w->ready;
}

static int
smsc_parse_ready(struct smsc_proc *p)
{
	json_error_t err;
	const char *http;

	json_decref(p->ready_json);
	if ((p->ready_json = json_load_file(p->ready, 0, &err)) == NULL) {
		fprintf(stderr, "smsc: %s: %s\n", p->ready, err.text);
		return -1;
	}
	http = json_string_value(json_object_get(p->ready_json, "http"));
	snprintf(p->http, sizeof p->http, "%s", http != NULL ? http : "");
	if (json_integer_value(json_object_get(p->ready_json, "pid")) !=
	    (json_int_t)p->pid)
		fprintf(stderr, "smsc: ready file pid is not %ld\n",
		    (long)p->pid);
	return 0;
}

static int
smsc_wait_ready(struct smsc_proc *p)
{
	struct smsc_wait w = { p, 0, 0 };
	struct event_base *base = event_base_new();
	struct timeval tv = { 0, SMSC_POLL_MS * 1000 };
	struct event *tick;

	tick = event_new(base, -1, EV_PERSIST, smsc_ready_tick, &w);
	event_add(tick, &tv);
	loop_until(base, smsc_ready_over, &w, SMSC_READY_MS);
	event_free(tick);
	event_base_free(base);
	if (w.ready && smsc_parse_ready(p) == 0)
		return 0;
	if (w.exited) {
		fprintf(stderr, "smsc: exited with status 0x%x before it was "
		    "ready\n", (unsigned)p->exit_status);
		p->pid = 0;
		smsc_register(p);
	} else
		fprintf(stderr, "smsc: no ready file after %d ms\n",
		    SMSC_READY_MS);
	return -1;
}

static int
smsc_launch(struct smsc_proc *p, const char *scenario_json,
    const char *const *extra_args)
{
	if (smsc_write_file(p->scenario, scenario_json) == -1) {
		fprintf(stderr, "smsc: %s: %s\n", p->scenario,
		    strerror(errno));
		return -1;
	}
	if (smsc_spawn(p, extra_args) == -1)
		return -1;
	return smsc_wait_ready(p);
}

static const char *
smsc_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp";
}

int
smsc_start(struct smsc_proc *p, const char *scenario_json,
    const char *const *extra_args)
{
	memset(p, 0, sizeof *p);
	if (smsc_base[0] != '\0')
		snprintf(p->dir, sizeof p->dir, "%s/smsc.XXXXXX", smsc_base);
	else
		snprintf(p->dir, sizeof p->dir, "%s/carrierlab-it.XXXXXX",
		    smsc_tmpdir());
	if (mkdtemp(p->dir) == NULL) {
		fprintf(stderr, "smsc: mkdtemp %s: %s\n", p->dir,
		    strerror(errno));
		p->dir[0] = '\0';
		return -1;
	}
	snprintf(p->scenario, sizeof p->scenario, "%s/scenario.json", p->dir);
	snprintf(p->db, sizeof p->db, "%s/smsc.db", p->dir);
	snprintf(p->ready, sizeof p->ready, "%s/ready.json", p->dir);
	snprintf(p->log, sizeof p->log, "%s/smsc.log", p->dir);
	smsc_register(p);
	return smsc_launch(p, scenario_json, extra_args);
}

int
smsc_restart(struct smsc_proc *p, const char *scenario_json,
    const char *const *extra_args)
{
	if (p->pid != 0 || p->dir[0] == '\0')
		return -1;
	json_decref(p->ready_json);
	p->ready_json = NULL;
	p->http[0] = '\0';
	return smsc_launch(p, scenario_json, extra_args);
}

static int
smsc_exited(void *arg)
{
	struct smsc_wait *w = arg;

	return w->exited;
}

/* Waits up to ms for the process to end on its own: 0 if it did. */
static int
smsc_wait_exit(struct smsc_proc *p, int ms)
{
	struct smsc_wait w = { p, 0, 0 };
	struct event_base *base = event_base_new();
	struct timeval tv = { 0, SMSC_POLL_MS * 1000 };
	struct event *tick;

	tick = event_new(base, -1, EV_PERSIST, smsc_ready_tick, &w);
	event_add(tick, &tv);
	smsc_ready_tick(-1, 0, &w);
	loop_until(base, smsc_exited, &w, ms);
	event_free(tick);
	event_base_free(base);
	return w.exited ? 0 : -1;
}

int
smsc_stop(struct smsc_proc *p)
{
	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	if (smsc_wait_exit(p, SMSC_STOP_MS) == -1) {
		fprintf(stderr, "smsc: pid %ld ignored SIGTERM for %d ms\n",
		    (long)p->pid, SMSC_STOP_MS);
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &p->exit_status, 0);
	}
	p->pid = 0;
	smsc_register(p);
	if (WIFEXITED(p->exit_status) && WEXITSTATUS(p->exit_status) == 0)
		return 0;
	fprintf(stderr, "smsc: stopped with status 0x%x\n",
	    (unsigned)p->exit_status);
	return -1;
}

const char *
smsc_health(struct smsc_proc *p, char *buf, size_t len)
{
	int status;

	/* A crash may take a moment (a core dump) to end the process. */
	if (p->pid > 0 && smsc_wait_exit(p, 1000) == 0) {
		status = p->exit_status;
		p->pid = 0;
		smsc_register(p);
		if (WIFSIGNALED(status))
			snprintf(buf, len, "smsc killed by signal %d",
			    WTERMSIG(status));
		else
			snprintf(buf, len, "smsc exited with status %d",
			    WEXITSTATUS(status));
	} else
		snprintf(buf, len, p->pid > 0 ? "smsc running" :
		    "smsc not running");
	return buf;
}

void
smsc_cleanup(struct smsc_proc *p)
{
	int i;

	if (p->pid > 0)
		smsc_stop(p);
	json_decref(p->ready_json);
	p->ready_json = NULL;
	smsc_rmdir(p->dir);
	if ((i = smsc_slot(p->dir)) != -1)
		smsc_live[i].used = 0;
	p->dir[0] = '\0';
}

static json_t *
smsc_listener(const struct smsc_proc *p, const char *carrier, size_t index)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(p->ready_json, "carriers"), i, c) {
		const char *name = json_string_value(json_object_get(c,
		    "name"));

		if (name != NULL && strcmp(name, carrier) == 0)
			return json_array_get(json_object_get(c, "listen"),
			    index);
	}
	return NULL;
}

const char *
smsc_listen(const struct smsc_proc *p, const char *carrier, size_t index)
{
	return json_string_value(json_object_get(smsc_listener(p, carrier,
	    index), "address"));
}

int
smsc_listen_tls(const struct smsc_proc *p, const char *carrier, size_t index)
{
	return json_is_true(json_object_get(smsc_listener(p, carrier, index),
	    "tls"));
}

/* ---- the control listener ---- */

struct http_call {
	int		 done;
	int		 status;
	char		*body;
	size_t		 len;
};

static void
http_done(struct evhttp_request *req, void *arg)
{
	struct http_call *c = arg;
	struct evbuffer *in;

	c->done = 1;
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		c->status = -1;
		return;
	}
	c->status = evhttp_request_get_response_code(req);
	in = evhttp_request_get_input_buffer(req);
	c->len = evbuffer_get_length(in);
	c->body = xmalloc(c->len + 1);
	evbuffer_copyout(in, c->body, c->len);
	c->body[c->len] = '\0';
}

static int
http_over(void *arg)
{
	return ((struct http_call *)arg)->done;
}

int
http_exchange(const char *address, enum evhttp_cmd_type type,
    const char *path, const char *const *headers, const char *content_type,
    const char *body, size_t len, char **text_out, size_t *len_out)
{
	struct http_call c = { 0, -1, NULL, 0 };
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	struct event_base *base;
	struct evkeyvalq *h;
	char host[128], *colon;
	size_t i;

	if (text_out != NULL)
		*text_out = NULL;
	snprintf(host, sizeof host, "%s", address);
	if ((colon = strrchr(host, ':')) == NULL)
		return -1;
	*colon = '\0';
	base = event_base_new();
	conn = evhttp_connection_base_new(base, NULL, host,
	    (unsigned short)atoi(colon + 1));
	req = evhttp_request_new(http_done, &c);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", address);
	evhttp_add_header(h, "Connection", "close");
	for (i = 0; headers != NULL && headers[i] != NULL; i += 2)
		evhttp_add_header(h, headers[i], headers[i + 1]);
	if (content_type != NULL) {
		evhttp_add_header(h, "Content-Type", content_type);
		evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	}
	if (evhttp_make_request(conn, req, type, path) == 0)
		loop_until(base, http_over, &c, ESME_WAIT_MS);
	evhttp_connection_free(conn);
	event_base_free(base);
	if (text_out != NULL) {
		*text_out = c.body;
		*len_out = c.len;
	} else
		free(c.body);
	return c.done ? c.status : -1;
}

/* One exchange with the control listener, JSON in. */
static int
smsc_http_raw(const struct smsc_proc *p, enum evhttp_cmd_type type,
    const char *path, json_t *request, char **text_out, size_t *len_out)
{
	char *text = request != NULL ? json_dumps(request, JSON_COMPACT) :
	    NULL;
	int status;

	status = http_exchange(p->http, type, path, NULL, text != NULL ?
	    "application/json" : NULL, text, text != NULL ? strlen(text) : 0,
	    text_out, len_out);
	free(text);
	return status;
}

static int
smsc_http(const struct smsc_proc *p, enum evhttp_cmd_type type,
    const char *path, json_t *request, json_t **body)
{
	char *text = NULL;
	size_t len = 0;
	int status;

	if (body != NULL)
		*body = NULL;
	status = smsc_http_raw(p, type, path, request, &text, &len);
	if (body != NULL && text != NULL)
		*body = json_loadb(text, len, 0, NULL);
	free(text);
	return status;
}

int
smsc_http_get(const struct smsc_proc *p, const char *path, json_t **body)
{
	return smsc_http(p, EVHTTP_REQ_GET, path, NULL, body);
}

int
smsc_http_post(const struct smsc_proc *p, const char *path, json_t *request,
    json_t **body)
{
	return smsc_http(p, EVHTTP_REQ_POST, path, request, body);
}

int
smsc_http_put(const struct smsc_proc *p, const char *path, json_t *request,
    json_t **body)
{
	return smsc_http(p, EVHTTP_REQ_PUT, path, request, body);
}

int
smsc_http_delete(const struct smsc_proc *p, const char *path, json_t **body)
{
	return smsc_http(p, EVHTTP_REQ_DELETE, path, NULL, body);
}

int
smsc_http_get_text(const struct smsc_proc *p, const char *path, char **text)
{
	size_t len;

	return smsc_http_raw(p, EVHTTP_REQ_GET, path, NULL, text, &len);
}

/* ---- the run ---- */

int
smsc_suite_begin(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(smsc_base, sizeof smsc_base, "%s/carrierlab-it.XXXXXX",
	    smsc_tmpdir());
	if (mkdtemp(smsc_base) == NULL) {
		fprintf(stderr, "smsc: mkdtemp %s: %s\n", smsc_base,
		    strerror(errno));
		smsc_base[0] = '\0';
		return -1;
	}
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
	return 0;
}

struct smsc_orphans {
	int	 none;
};

static void
smsc_orphans_tick(evutil_socket_t fd, short what, void *arg)
{
	struct smsc_orphans *o = arg;
	pid_t pid;

	(void)fd;
	(void)what;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		continue;
	if (pid == -1 && errno == ECHILD)
		o->none = 1;
}

static int
smsc_orphans_gone(void *arg)
{
	return ((struct smsc_orphans *)arg)->none;
}

/* Orphaned smsc processes got SIGTERM when their test died: reap them. */
static void
smsc_reap_orphans(void)
{
	struct smsc_orphans o = { 0 };
	struct event_base *base = event_base_new();
	struct timeval tv = { 0, SMSC_POLL_MS * 1000 };
	struct event *tick;

	tick = event_new(base, -1, EV_PERSIST, smsc_orphans_tick, &o);
	event_add(tick, &tv);
	smsc_orphans_tick(-1, 0, &o);
	if (loop_until(base, smsc_orphans_gone, &o, SMSC_STOP_MS) == -1)
		fprintf(stderr, "smsc: children still running after %d ms\n",
		    SMSC_STOP_MS);
	event_free(tick);
	event_base_free(base);
}

static void
smsc_dump_file(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return;
	fprintf(stderr, "---- %s ----\n", path);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stderr);
	fprintf(stderr, "\n");
	fclose(f);
}

/* What a failed test left: its scenario and the smsc's log. */
static void
smsc_dump_leftovers(void)
{
	char path[sizeof smsc_base + 256 + 32];
	struct dirent *d;
	DIR *dir;

	if ((dir = opendir(smsc_base)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, "smsc.", 5) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s/scenario.json", smsc_base,
		    d->d_name);
		smsc_dump_file(path);
		snprintf(path, sizeof path, "%s/%s/smsc.log", smsc_base,
		    d->d_name);
		smsc_dump_log(path);
	}
	closedir(dir);
}

int
smsc_suite_end(void)
{
	if (smsc_base[0] == '\0')
		return -1;
	smsc_reap_orphans();
	smsc_dump_leftovers();
	smsc_rmdir(smsc_base);
	smsc_base[0] = '\0';
	return 0;
}

TCase *
smsc_tcase(Suite *s, const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

int
smsc_suite_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	/* The session layer logs every bind and unbind: keep warnings. */
	log_set_level(LOG_LEVEL_WARN);
	if (smsc_suite_begin() == -1) {
		srunner_free(sr);
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	smsc_suite_end();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

json_t *
smsc_get_ok(struct smsc_proc *p, const char *path)
{
	char health[64];
	json_t *body = NULL;
	int code = smsc_http_get(p, path, &body);

	ck_assert_msg(code == 200, "GET %s: %d (%s)", path, code,
	    smsc_health(p, health, sizeof health));
	ck_assert_msg(body != NULL, "GET %s: no JSON", path);
	return body;
}

void
smsc_stop_ok(struct smsc_proc *p)
{
	ck_assert_msg(smsc_stop(p) == 0, "smsc did not exit 0 on SIGTERM "
	    "(status 0x%x)", (unsigned)p->exit_status);
	smsc_cleanup(p);
}

json_int_t
smsc_carrier_number(struct smsc_proc *p, const char *carrier,
    const char *section, const char *key)
{
	char path[128];
	json_t *o;
	json_int_t n;

	snprintf(path, sizeof path, "/sim/carriers/%s", carrier);
	o = smsc_get_ok(p, path);
	n = json_integer_value(json_object_get(json_object_get(o, section),
	    key));
	json_decref(o);
	return n;
}

void
smsc_wait_number(struct smsc_proc *p, struct esme *e, const char *carrier,
    const char *section, const char *key, json_int_t want, int wait_ms)
{
	json_int_t n = -1;
	int i;

	for (i = 0; i < wait_ms / 20; i++) {
		if ((n = smsc_carrier_number(p, carrier, section, key)) == want)
			return;
		if (e != NULL)
			esme_pump(e, 20);
		else
			usleep(20000);
	}
	ck_abort_msg("%s.%s is %" PRId64 ", not %" PRId64 " after %d ms",
	    section, key, (int64_t)n, (int64_t)want, wait_ms);
}

json_t *
test_json(const char *text)
{
	char *s = xstrdup(text), *p;
	json_error_t err;
	json_t *v;

	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, JSON_DECODE_ANY, &err);
	ck_assert_msg(v != NULL, "test JSON: %s: %s", err.text, s);
	free(s);
	return v;
}

const char *
test_status_name(long status)
{
	const char *name;

	if (status < 0)
		return "no response";
	name = smpp_status_name((uint32_t)status);
	return name != NULL ? name : "unnamed status";
}

double
test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
