/*
 * carrierlab load, end to end: the real binary run as a child process
 * against a real `carrierlab smsc` (tests/integration/esme.c starts it)
 * whose scenario fixes every outcome, so the counts in the JSON report
 * can be asserted exactly: refusals by a submit rule, UNDELIV by a
 * destination rule, receipts held back past the receipt timeout.
 *
 * The child's output is read through pipes with poll() until both close,
 * against a deadline; nothing sleeps. Timing is only asserted one way:
 * a paced run cannot finish before its schedule allows.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "tests/integration/esme.h"

#define CARRIER		"alpha"
#define RUN_MS		60000	/* one carrierlab load run at most */
#define TCASE_TIMEOUT	120
#define MAX_ARGS	64

static struct smsc_proc smsc;

/* ---- the carrierlab load process ---- */

struct load_proc {
	pid_t	 pid;
	int	 fd[2];		/* stdout, stderr; -1 once closed */
	char	*buf[2];
	size_t	 len[2];
	int	 status;	/* exit status, -1 for a signal */
	json_t	*json;		/* stdout parsed, if it was JSON */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
load_spawn(struct load_proc *p, const char *const *args)
{
	const char *top = getenv("top_builddir");
	const char *argv[MAX_ARGS + 3];
	char bin[4096];
	int out[2], err[2], i;
	sigset_t none;
	size_t n = 0;

	memset(p, 0, sizeof *p);
	snprintf(bin, sizeof bin, "%s/carrierlab", top != NULL &&
	    top[0] != '\0' ? top : ".");
	argv[n++] = bin;
	argv[n++] = "load";
	for (; *args != NULL && n < MAX_ARGS + 2; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	ck_assert(pipe(out) == 0 && pipe(err) == 0);
	fflush(NULL);
	p->pid = fork();
	ck_assert_int_ne(p->pid, -1);
	if (p->pid == 0) {
		/* The runner may block or ignore signals; we send one. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		for (i = 3; i < 1024; i++)
			close(i);
		signal(SIGPIPE, SIG_DFL);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	p->fd[0] = out[0];
	p->fd[1] = err[0];
}

/* Reads what the child writes for up to ms; 1 once both pipes closed. */
static int
load_pump(struct load_proc *p, int ms)
{
	struct pollfd pfd[2];
	char chunk[4096];
	ssize_t got;
	int i, which[2], n = 0;

	for (i = 0; i < 2; i++)
		if (p->fd[i] != -1) {
			pfd[n].fd = p->fd[i];
			pfd[n].events = POLLIN;
			which[n++] = i;
		}
	if (n == 0)
		return 1;
	if (poll(pfd, (nfds_t)n, ms) <= 0)
		return 0;
	while (n-- > 0) {
		i = which[n];
		if (pfd[n].revents == 0)
			continue;
		got = read(p->fd[i], chunk, sizeof chunk);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
			continue;
		}
		p->buf[i] = xreallocarray(p->buf[i], p->len[i] + (size_t)got +
		    1, 1);
		memcpy(p->buf[i] + p->len[i], chunk, (size_t)got);
		p->len[i] += (size_t)got;
		p->buf[i][p->len[i]] = '\0';
	}
	return p->fd[0] == -1 && p->fd[1] == -1;
}

static void
load_reap(struct load_proc *p, int ms)
{
	int64_t deadline = now_ms() + ms;
	json_error_t jerr;
	int st;

	while (!load_pump(p, 200))
		if (now_ms() > deadline) {
			kill(p->pid, SIGKILL);
			ck_abort_msg("carrierlab load ran longer than %d ms; "
			    "stderr:\n%s", ms, p->buf[1] != NULL ? p->buf[1] :
			    "");
		}
	ck_assert_int_eq(waitpid(p->pid, &st, 0), p->pid);
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (p->buf[0] != NULL && p->buf[0][0] == '{')
		p->json = json_loads(p->buf[0], 0, &jerr);
}

static void
load_release(struct load_proc *p)
{
	free(p->buf[0]);
	free(p->buf[1]);
	json_decref(p->json);
}

/* Runs carrierlab load ARGS... --json to the end. */
static void
load_run(struct load_proc *p, const char *const *args)
{
	load_spawn(p, args);
	load_reap(p, RUN_MS);
}

/* ---- reading the report ---- */

/* The value at "a.b.c" (object members only). */
static json_t *
jget(json_t *root, const char *path)
{
	char key[128];
	const char *dot;
	json_t *v = root;

	while (v != NULL && *path != '\0') {
		dot = strchr(path, '.');
		snprintf(key, sizeof key, "%.*s", dot != NULL ?
		    (int)(dot - path) : (int)strlen(path), path);
		v = json_object_get(v, key);
		path = dot != NULL ? dot + 1 : "";
	}
	return v;
}

static long long
jint(const struct load_proc *p, const char *path)
{
	json_t *v = jget(p->json, path);

	ck_assert_msg(json_is_integer(v), "report has no integer %s:\n%s",
	    path, p->buf[0] != NULL ? p->buf[0] : "(nothing)");
	return (long long)json_integer_value(v);
}

static double
jnum(const struct load_proc *p, const char *path)
{
	json_t *v = jget(p->json, path);

	ck_assert_msg(json_is_number(v), "report has no number %s", path);
	return json_number_value(v);
}

#define ck_assert_report(p, path, want) do {				\
	long long got_ = jint((p), (path));				\
	ck_assert_msg(got_ == (long long)(want), "%s: %lld, expected %lld;" \
	    " report:\n%s\nstderr:\n%s", (path), got_, (long long)(want), \
	    (p)->buf[0], (p)->buf[1] != NULL ? (p)->buf[1] : "");	\
} while (0)

/* min <= p50 <= p90 <= p99 <= p99.9 <= max, and count as given. */
static void
check_latency(const struct load_proc *p, const char *which,
    long long count)
{
	static const char *const keys[] = { "min", "p50", "p90", "p99",
	    "p99_9", "max" };
	char path[128];
	double prev = 0, v;
	size_t i;

	snprintf(path, sizeof path, "latency_ms.%s.count", which);
	ck_assert_report(p, path, count);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(path, sizeof path, "latency_ms.%s.%s", which, keys[i]);
		v = jnum(p, path);
		ck_assert_msg(v >= prev, "%s = %g below the one before (%g)",
		    path, v, prev);
		prev = v;
	}
	if (count > 0)
		ck_assert_msg(prev > 0, "%s: max latency 0", which);
}

/* ---- the SMSC ---- */

/*
 * One carrier "alpha", account test/test, receipts after 10 ms, a
 * window large enough for every run here, with the members of extra (a
 * JSON object, single quotes for double) over these.
 */
static void
start_smsc(const char *extra)
{
	json_t *c = json_pack("{s:s, s:[s], s:[{s:s, s:s}], s:s, s:i, s:i}",
	    "name", CARRIER, "listen", "127.0.0.1:0", "accounts", "system_id",
	    "test", "password", "test", "receipt_delay", "10ms",
	    "capture_limit", 0, "window", 1000);
	char *s, *q, *text;
	json_error_t err;
	json_t *top, *x;

	if (extra != NULL) {
		s = xstrdup(extra);
		for (q = s; *q != '\0'; q++)
			if (*q == '\'')
				*q = '"';
		x = json_loads(s, 0, &err);
		ck_assert_msg(x != NULL, "test JSON: %s: %s", err.text, s);
		json_object_update(c, x);
		json_decref(x);
		free(s);
	}
	top = json_pack("{s:i, s:[o]}", "seed", 7, "carriers", c);
	text = json_dumps(top, JSON_INDENT(2));
	json_decref(top);
	ck_assert_msg(smsc_start(&smsc, text, NULL) == 0,
	    "carrierlab smsc did not start on:\n%s", text);
	free(text);
}

static void
stop_smsc(void)
{
	ck_assert_msg(smsc_stop(&smsc) == 0, "smsc did not exit 0 on SIGTERM");
	smsc_cleanup(&smsc);
}

static const char *
addr(void)
{
	const char *a = smsc_listen(&smsc, CARRIER, 0);

	ck_assert_ptr_nonnull(a);
	return a;
}

/* ---- tests ---- */

/*
 * 200 messages over 100 destinations (each used twice): the one
 * destination a submit rule refuses with ESME_RSYSERR, the ten that end in
 * 9 UNDELIV by a rule, every other DELIVRD. Exact counts, exit 0.
 */
START_TEST(test_exact_outcomes)
{
	const char *args[] = { "--connect", NULL, "--count", "200",
	    "--to", "+14155550100-+14155550199", "--json", NULL };
	struct load_proc p;

	start_smsc("{'rules': ["
	    "{'to': '+14155550142', 'submit_status': 'ESME_RSYSERR'},"
	    "{'to_matches': '9$', 'outcome': 'UNDELIV', 'err': '001'}]}");
	args[1] = addr();
	load_run(&p, args);
	ck_assert_msg(p.json != NULL, "no JSON report; stderr:\n%s",
	    p.buf[1]);
	ck_assert_report(&p, "exit_status", 0);
	ck_assert_int_eq(p.status, 0);
	ck_assert_report(&p, "messages.submitted", 200);
	ck_assert_report(&p, "messages.accepted", 198);
	ck_assert_report(&p, "submit_sm.sent", 200);
	ck_assert_report(&p, "submit_sm.responses", 200);
	ck_assert_report(&p, "submit_sm.no_response", 0);
	ck_assert_report(&p, "submit_sm.by_status.ESME_ROK", 198);
	ck_assert_report(&p, "submit_sm.by_status.ESME_RSYSERR", 2);
	ck_assert_int_eq(json_object_size(jget(p.json, "submit_sm.by_status")),
	    2);
	ck_assert_report(&p, "receipts.expected", 198);
	ck_assert_report(&p, "receipts.matched", 198);
	ck_assert_report(&p, "receipts.received", 198);
	ck_assert_report(&p, "receipts.missing", 0);
	ck_assert_report(&p, "receipts.unmatched", 0);
	ck_assert_report(&p, "receipts.by_stat.DELIVRD", 178);
	ck_assert_report(&p, "receipts.by_stat.UNDELIV", 20);
	ck_assert_report(&p, "receipts.by_stat.EXPIRED", 0);
	check_latency(&p, "submit_response", 200);
	check_latency(&p, "submit_receipt", 198);
	ck_assert(jnum(&p, "throughput.submit_sm_per_s") > 0);
	ck_assert(jnum(&p, "throughput.receipts_per_s") > 0);
	ck_assert(jnum(&p, "elapsed_s") >= jnum(&p, "submit_elapsed_s"));
	ck_assert(json_is_null(jget(p.json, "error")));
	load_release(&p);
	stop_smsc();
}
END_TEST

/*
 * Receipts that never come in time: a rule delays those of one
 * destination by an hour; with a 1 s receipt timeout they are missing,
 * the rest arrive, and the exit status is 1.
 */
START_TEST(test_receipt_timeout)
{
	const char *args[] = { "--connect", NULL, "--count", "20",
	    "--to", "+14155550100-+14155550109", "--receipt-timeout", "1s",
	    "--json", NULL };
	struct load_proc p;

	start_smsc("{'rules': [{'to': '+14155550107', 'outcome': 'DELIVRD',"
	    " 'delay': '1h'}]}");
	args[1] = addr();
	load_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_report(&p, "exit_status", 1);
	ck_assert_report(&p, "submit_sm.by_status.ESME_ROK", 20);
	ck_assert_report(&p, "receipts.expected", 20);
	ck_assert_report(&p, "receipts.matched", 18);
	ck_assert_report(&p, "receipts.missing", 2);
	ck_assert_report(&p, "receipts.by_stat.DELIVRD", 18);
	ck_assert(jnum(&p, "elapsed_s") >= 1.0);
	load_release(&p);
	stop_smsc();
}
END_TEST

/* Paced: 20 messages at 40/s cannot take less than 19/40 s. */
START_TEST(test_rate)
{
	const char *args[] = { "--connect", NULL, "--count", "20",
	    "--rate", "40", "--no-receipts", "--json", NULL };
	struct load_proc p;

	start_smsc(NULL);
	args[1] = addr();
	load_run(&p, args);
	ck_assert_int_eq(p.status, 0);
	ck_assert_report(&p, "submit_sm.by_status.ESME_ROK", 20);
	ck_assert_report(&p, "receipts.expected", 0);
	ck_assert_msg(jnum(&p, "elapsed_s") >= 19.0 / 40 * 0.95,
	    "elapsed %g s", jnum(&p, "elapsed_s"));
	ck_assert_msg(jnum(&p, "config.rate") == 40, "rate not reported");
	load_release(&p);
	stop_smsc();
}
END_TEST

/* A long text, split each of the three ways: parts and receipts. */
static const struct {
	const char	*segments;
	int		 pdus;		/* submit_sm per message */
} seg_rows[] = {
	{ "udh",	3 },
	{ "sar",	3 },
	{ "payload",	1 },
};

START_TEST(test_segments)
{
	const char *args[] = { "--connect", NULL, "--count", "10",
	    "--length", "400", "--segments", seg_rows[_i].segments, "--json",
	    NULL };
	int n = seg_rows[_i].pdus;
	struct load_proc p;

	start_smsc(NULL);
	args[1] = addr();
	load_run(&p, args);
	ck_assert_int_eq(p.status, 0);
	ck_assert_report(&p, "config.message.parts", n);
	ck_assert_report(&p, "config.message.sms", 3);
	ck_assert_report(&p, "messages.submitted", 10);
	ck_assert_report(&p, "messages.accepted", 10);
	ck_assert_report(&p, "submit_sm.sent", 10 * n);
	ck_assert_report(&p, "submit_sm.by_status.ESME_ROK", 10 * n);
	ck_assert_report(&p, "receipts.matched", 10 * n);
	ck_assert_report(&p, "receipts.missing", 0);
	load_release(&p);
	stop_smsc();
}
END_TEST

/*
 * Several sessions with small windows; then, on the same SMSC, a
 * transmitter with a receiver.
 */
START_TEST(test_sessions_and_binds)
{
	const char *multi[] = { "--connect", NULL, "--count", "90",
	    "--sessions", "3", "--window", "4", "--json", NULL };
	const char *tx[] = { "--connect", NULL, "--count", "30",
	    "--bind", "tx", "--rx-sessions", "1", "--json", NULL };
	struct load_proc p;

	start_smsc(NULL);
	multi[1] = tx[1] = addr();
	load_run(&p, multi);
	ck_assert_int_eq(p.status, 0);
	ck_assert_report(&p, "submit_sm.by_status.ESME_ROK", 90);
	ck_assert_report(&p, "receipts.matched", 90);
	ck_assert_report(&p, "sessions.opened", 3);
	load_release(&p);
	/* Had the first run left its last receipt unanswered (answering it
	 * after the unbind it triggers), the SMSC would resend it here. */
	load_run(&p, tx);
	ck_assert_int_eq(p.status, 0);
	ck_assert_report(&p, "receipts.matched", 30);
	ck_assert_report(&p, "receipts.received", 30);
	ck_assert_report(&p, "receipts.unmatched", 0);
	ck_assert_report(&p, "sessions.opened", 2);
	ck_assert_report(&p, "sessions.lost", 0);
	load_release(&p);
	stop_smsc();
}
END_TEST

/* UCS-2 chosen for text GSM-7 cannot carry; over TLS. */
START_TEST(test_ucs2_over_tls)
{
	const char *args[] = { "--connect", NULL, "--tls", "--count", "5",
	    "--text", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	    "--json", NULL };
	struct load_proc p;

	start_smsc("{'listen': [{'address': '127.0.0.1:0', 'tls': true}]}");
	args[1] = addr();
	ck_assert(smsc_listen_tls(&smsc, CARRIER, 0));
	load_run(&p, args);
	ck_assert_msg(p.status == 0, "status %d, stderr:\n%s", p.status,
	    p.buf[1]);
	ck_assert_str_eq(json_string_value(jget(p.json,
	    "config.message.encoding")), "ucs2");
	ck_assert_report(&p, "config.message.data_coding", 8);
	ck_assert_report(&p, "config.message.octets", 12);
	ck_assert_report(&p, "receipts.matched", 5);
	load_release(&p);
	stop_smsc();
}
END_TEST

/* A wrong password: exit 1 and the refusal named in the report. */
START_TEST(test_bind_refused)
{
	const char *args[] = { "--connect", NULL, "--password", "wrong",
	    "--json", NULL };
	struct load_proc p;
	const char *error;

	start_smsc(NULL);
	args[1] = addr();
	load_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	error = json_string_value(jget(p.json, "error"));
	ck_assert_msg(error != NULL && strstr(error, "ESME_RINVPASWD") != NULL,
	    "error: %s", error != NULL ? error : "(null)");
	ck_assert_report(&p, "messages.submitted", 0);
	load_release(&p);
	stop_smsc();
}
END_TEST

/* Nobody listening: exit 1 with the reason. */
START_TEST(test_connect_refused)
{
	const char *args[] = { "--connect", NULL, "--json", NULL };
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	struct load_proc p;
	char where[64];
	int fd;

	/* A port that was free a moment ago, and is closed now. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	close(fd);
	snprintf(where, sizeof where, "127.0.0.1:%u", ntohs(sin.sin_port));
	args[1] = where;
	load_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_ptr_nonnull(json_string_value(jget(p.json, "error")));
	load_release(&p);
}
END_TEST

/* Usage errors exit 2 before connecting anywhere. */
static const char *const usage_rows[][5] = {
	{ "--count", "0", NULL },
	{ "--bind", "rx", NULL },
	{ "--bind", "tx", "--receipts", NULL },
	{ "--encoding", "gsm7", "--text", "\xe4\xb8\xad", NULL },
	{ "--to", "+1415-12", NULL },
	{ "--text", "a", "--length", "5", NULL },
	{ "--receipt-timeout", "soon", NULL },
	{ "--receipt-timeout", "30", NULL },	/* a unit is required */
	{ "--no-such-option", NULL },
	{ "--length", "70000", NULL },
};

START_TEST(test_usage)
{
	const char *args[8] = { "--connect", "127.0.0.1:1" };
	struct load_proc p;
	size_t i;

	for (i = 0; usage_rows[_i][i] != NULL; i++)
		args[i + 2] = usage_rows[_i][i];
	args[i + 2] = NULL;
	load_run(&p, args);
	ck_assert_msg(p.status == 2, "row %d: status %d, stderr:\n%s", _i,
	    p.status, p.buf[1]);
	ck_assert_msg(p.buf[1] != NULL && strstr(p.buf[1], "carrierlab load")
	    != NULL, "row %d: no message", _i);
	load_release(&p);
}
END_TEST

/*
 * SIGINT once the run is under way (its progress line says so): it stops
 * sending, reports what it has, marked interrupted, and exits 1. The
 * SMSC answers slowly and sends no receipt for an hour, and the window is
 * 1, so a message is always waiting for room when the signal comes: it
 * must not be sent and then waited for (the receipt timeout is far beyond
 * the reap deadline).
 */
START_TEST(test_interrupt)
{
	const char *args[] = { "--connect", NULL, "--count", "100000",
	    "--window", "1", "--receipt-timeout", "1h", "--progress",
	    "--json", NULL };
	int64_t deadline;
	struct load_proc p;

	start_smsc("{'submit_latency': '20ms', 'receipt_delay': '1h'}");
	args[1] = addr();
	load_spawn(&p, args);
	deadline = now_ms() + RUN_MS;
	while (p.buf[1] == NULL || strstr(p.buf[1], " sent, ") == NULL) {
		ck_assert_msg(now_ms() < deadline, "no progress line");
		ck_assert_msg(!load_pump(&p, 200), "exited early:\n%s",
		    p.buf[1]);
	}
	kill(p.pid, SIGINT);
	load_reap(&p, 20000);
	ck_assert_int_eq(p.status, 1);
	ck_assert(json_is_true(jget(p.json, "interrupted")));
	ck_assert(jint(&p, "messages.submitted") > 0);
	ck_assert(jint(&p, "messages.submitted") < 100000);
	ck_assert_report(&p, "submit_sm.no_response", 0);
	ck_assert_report(&p, "submit_sm.unsent", 0);
	ck_assert_int_eq(jint(&p, "submit_sm.responses"),
	    jint(&p, "submit_sm.sent"));
	ck_assert_int_eq(jint(&p, "receipts.matched") +
	    jint(&p, "receipts.missing"), jint(&p, "receipts.expected"));
	load_release(&p);
	stop_smsc();
}
END_TEST

static Suite *
load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *tc;

	tc = smsc_tcase(s, "counts", TCASE_TIMEOUT);
	tcase_add_test(tc, test_exact_outcomes);
	tcase_add_test(tc, test_receipt_timeout);
	tcase_add_loop_test(tc, test_segments, 0,
	    sizeof seg_rows / sizeof seg_rows[0]);
	tc = smsc_tcase(s, "sessions", TCASE_TIMEOUT);
	tcase_add_test(tc, test_sessions_and_binds);
	tcase_add_test(tc, test_ucs2_over_tls);
	tcase_add_test(tc, test_rate);
	tc = smsc_tcase(s, "failures", TCASE_TIMEOUT);
	tcase_add_test(tc, test_bind_refused);
	tcase_add_test(tc, test_connect_refused);
	tcase_add_loop_test(tc, test_usage, 0,
	    sizeof usage_rows / sizeof usage_rows[0]);
	tcase_add_test(tc, test_interrupt);
	return s;
}

int
main(void)
{
	return smsc_suite_run(load_suite());
}
