/*
 * carrierlab serve and the webhook receiver as child processes of an
 * end-to-end test, and the Twilio API as a client sees it: see gwtest.h.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>

#include "common/xmalloc.h"
#include "tests/integration/gwtest.h"

#define GWT_READY_MS	20000	/* a ready file must appear */
#define GWT_STOP_MS	20000	/* SIGTERM to exit */

static char gwt_base[PATH_MAX - 64];	/* the run's directory, or "" */

/* ---- files and processes ---- */

static int
gwt_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
gwt_rmdir(const char *dir)
{
	const char *keep = getenv("CARRIERLAB_KEEP_TMP");

	if (dir[0] == '\0')
		return;
	if (keep != NULL && keep[0] != '\0') {
		fprintf(stderr, "gwtest: kept %s\n", dir);
		return;
	}
	nftw(dir, gwt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
gwt_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap * 2 + 8192;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static int
gwt_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* The child's side of a fork: output to log, dies with its parent. */
static void
gwt_exec(const char *log, const char *const *argv, pid_t parent)
{
	int fd, i;

#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != parent)
		_exit(126);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) != -1) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	for (i = 3; i < 1024; i++)
		close(i);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static pid_t
gwt_spawn(const char *log, const char *const *argv)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		gwt_exec(log, argv, parent);
	return pid;
}

static void
gwt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * Waits for path to appear while pid runs: 0 when it did, -1 when the
 * process exited first (*status set) or the deadline passed.
 */
static int
gwt_wait_file(pid_t pid, const char *path, int *status, int wait_ms)
{
	double end = test_now_ms() + wait_ms;

	*status = -1;
	while (test_now_ms() < end) {
		if (access(path, R_OK) == 0)
			return 0;
		if (waitpid(pid, status, WNOHANG) == pid)
			return -1;
		gwt_sleep_ms(GWT_POLL_MS);
	}
	return -1;
}

/* Waits up to wait_ms for pid to exit: 0 and *status, or -1. */
static int
gwt_wait_exit(pid_t pid, int *status, int wait_ms)
{
	double end = test_now_ms() + wait_ms;

	do {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		gwt_sleep_ms(GWT_POLL_MS);
	} while (test_now_ms() < end);
	return -1;
}

static void
gwt_dump(const char *title, const char *path)
{
	char *text = gwt_read_file(path, NULL);
	size_t len;

	if (text == NULL)
		return;
	len = strlen(text);
	fprintf(stderr, "---- %s: %s ----\n%s%s", title, path,
	    len > 16384 ? text + len - 16384 : text,
	    len > 0 && text[len - 1] != '\n' ? "\n" : "");
	free(text);
}

/* ---- the receiver ---- */

static void
gwt_receiver_start(struct gwt *t)
{
	const char *src = getenv("top_srcdir");
	char script[PATH_MAX], tokarg[200];
	const char *argv[16];
	json_t *ready;
	int status;
	size_t n = 0;

	snprintf(script, sizeof script, "%s/tests/integration/"
	    "webhook-receiver.py", src != NULL && src[0] != '\0' ? src : ".");
	snprintf(tokarg, sizeof tokarg, "%s=%s", t->account, t->token);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--ready-file";
	argv[n++] = t->rx_ready;
	argv[n++] = "--log";
	argv[n++] = t->rx_log;
	argv[n++] = "--control";
	argv[n++] = t->rx_control;
	argv[n++] = "--token";
	argv[n++] = tokarg;
	argv[n] = NULL;
	t->rx_pid = gwt_spawn(t->rx_stderr, argv);
	ck_assert_msg(t->rx_pid > 0, "fork: %s", strerror(errno));
	if (gwt_wait_file(t->rx_pid, t->rx_ready, &status,
	    GWT_READY_MS) == -1)
		ck_abort_msg("webhook-receiver.py wrote no ready file (status "
		    "0x%x; its stderr is printed at the end)",
		    (unsigned)status);
	ready = json_load_file(t->rx_ready, 0, NULL);
	ck_assert_msg(json_is_string(json_object_get(ready, "url")),
	    "receiver ready file without url");
	snprintf(t->rx_url, sizeof t->rx_url, "%s",
	    json_string_value(json_object_get(ready, "url")));
	json_decref(ready);
}

void
gwt_receiver_answer(struct gwt *t, int status)
{
	char text[16];

	snprintf(text, sizeof text, "%d\n", status == 0 ? 200 : status);
	ck_assert_msg(gwt_write_file(t->rx_control, text) == 0, "%s: %s",
	    t->rx_control, strerror(errno));
}

static void
gwt_receiver_stop(struct gwt *t)
{
	int status;

	if (t->rx_pid <= 0)
		return;
	kill(t->rx_pid, SIGTERM);
	if (gwt_wait_exit(t->rx_pid, &status, GWT_STOP_MS) == -1) {
		kill(t->rx_pid, SIGKILL);
		waitpid(t->rx_pid, &status, 0);
	}
	t->rx_pid = 0;
}

/* ---- the test's directory ---- */

void
gwt_begin(struct gwt *t, const char *account, const char *token)
{
	const char *tmp = getenv("TMPDIR");

	memset(t, 0, sizeof *t);
	if (gwt_base[0] != '\0')
		snprintf(t->dir, sizeof t->dir, "%s/serve.XXXXXX", gwt_base);
	else
		snprintf(t->dir, sizeof t->dir, "%s/carrierlab-serve.XXXXXX",
		    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	ck_assert_msg(mkdtemp(t->dir) != NULL, "mkdtemp %s: %s", t->dir,
	    strerror(errno));
	snprintf(t->account, sizeof t->account, "%s", account);
	snprintf(t->token, sizeof t->token, "%s", token);
	snprintf(t->rx_ready, sizeof t->rx_ready, "%s/receiver.ready",
	    t->dir);
	snprintf(t->rx_log, sizeof t->rx_log, "%s/receiver.jsonl", t->dir);
	snprintf(t->rx_control, sizeof t->rx_control, "%s/receiver.control",
	    t->dir);
	snprintf(t->rx_stderr, sizeof t->rx_stderr, "%s/receiver.log",
	    t->dir);
	snprintf(t->serve.dir, sizeof t->serve.dir, "%s", t->dir);
	snprintf(t->serve.scenario, sizeof t->serve.scenario,
	    "%s/scenario.json", t->dir);
	snprintf(t->serve.db, sizeof t->serve.db, "%s/gateway.db", t->dir);
	snprintf(t->smsc_db, sizeof t->smsc_db, "%s/smsc.db", t->dir);
	snprintf(t->serve.ready, sizeof t->serve.ready, "%s/ready.json",
	    t->dir);
	snprintf(t->serve.log, sizeof t->serve.log, "%s/serve.log", t->dir);
	gwt_receiver_start(t);
}

/* The scenario file with the receiver's URL in place of the placeholder. */
static char *
gwt_scenario_text(const struct gwt *t, const char *name)
{
	const char *src = getenv("top_srcdir");
	char path[PATH_MAX], *text, *out, *p, *hit;
	size_t plen = strlen(GWT_RECEIVER_URL), n = 0, len;

	snprintf(path, sizeof path, "%s/tests/scenarios/%s",
	    src != NULL && src[0] != '\0' ? src : ".", name);
	text = gwt_read_file(path, &len);
	ck_assert_msg(text != NULL, "%s: %s", path, strerror(errno));
	for (p = text; (hit = strstr(p, GWT_RECEIVER_URL)) != NULL;
	    p = hit + plen)
		n++;
	out = xmalloc(len + n * strlen(t->rx_url) + 1);
	out[0] = '\0';
	for (p = text; (hit = strstr(p, GWT_RECEIVER_URL)) != NULL;
	    p = hit + plen) {
		strncat(out, p, (size_t)(hit - p));
		strcat(out, t->rx_url);
	}
	strcat(out, p);
	free(text);
	return out;
}

static int
gwt_parse_ready(struct gwt *t)
{
	struct smsc_proc *p = &t->serve;
	const char *http;

	json_decref(p->ready_json);
	if ((p->ready_json = json_load_file(p->ready, 0, NULL)) == NULL)
		return -1;
	http = json_string_value(json_object_get(p->ready_json, "http"));
	snprintf(p->http, sizeof p->http, "%s", http != NULL ? http : "");
	return p->http[0] != '\0' ? 0 : -1;
}

static void
gwt_launch(struct gwt *t, const char *const *extra)
{
	const char *top = getenv("top_builddir");
	const char *argv[48];
	char bin[PATH_MAX];
	size_t n = 0;
	int status;

	snprintf(bin, sizeof bin, "%s/carrierlab", top != NULL &&
	    top[0] != '\0' ? top : ".");
	argv[n++] = bin;
	argv[n++] = "serve";
	argv[n++] = t->serve.scenario;
	argv[n++] = "--http";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--db";
	argv[n++] = t->serve.db;
	argv[n++] = "--smsc-db";
	argv[n++] = t->smsc_db;
	argv[n++] = "--ready-file";
	argv[n++] = t->serve.ready;
	argv[n++] = "--log-level";
	argv[n++] = "debug";
	for (; extra != NULL && *extra != NULL && n < 47; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	unlink(t->serve.ready);
	t->serve.pid = gwt_spawn(t->serve.log, argv);
	ck_assert_msg(t->serve.pid > 0, "fork: %s", strerror(errno));
	if (gwt_wait_file(t->serve.pid, t->serve.ready, &status,
	    GWT_READY_MS) == -1) {
		if (status != -1)
			t->serve.pid = 0;
		if (status == -1)
			ck_abort_msg("carrierlab serve wrote no ready file "
			    "within %d ms", GWT_READY_MS);
		ck_abort_msg("carrierlab serve ended (status 0x%x) before "
		    "writing its ready file", (unsigned)status);
	}
	ck_assert_msg(gwt_parse_ready(t) == 0, "serve's ready file %s has "
	    "no \"http\" address", t->serve.ready);
}

void
gwt_serve(struct gwt *t, const char *name, const char *const *extra)
{
	char *text = gwt_scenario_text(t, name);

	ck_assert_msg(gwt_write_file(t->serve.scenario, text) == 0, "%s: %s",
	    t->serve.scenario, strerror(errno));
	free(text);
	gwt_launch(t, extra);
}

void
gwt_serve_again(struct gwt *t, const char *const *extra)
{
	ck_assert_msg(t->serve.pid == 0, "serve is still running");
	gwt_launch(t, extra);
}

void
gwt_kill(struct gwt *t)
{
	ck_assert_msg(t->serve.pid > 0, "serve is not running");
	kill(t->serve.pid, SIGKILL);
	waitpid(t->serve.pid, &t->serve.exit_status, 0);
	t->serve.pid = 0;
}

void
gwt_stop(struct gwt *t)
{
	int status = -1;
	pid_t pid = t->serve.pid;

	ck_assert_msg(pid > 0, "serve is not running");
	kill(pid, SIGTERM);
	if (gwt_wait_exit(pid, &status, GWT_STOP_MS) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		t->serve.pid = 0;
		ck_abort_msg("carrierlab serve still running %d ms after "
		    "SIGTERM", GWT_STOP_MS);
	}
	t->serve.pid = 0;
	t->serve.exit_status = status;
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "carrierlab serve ended with status 0x%x after SIGTERM, not exit "
	    "0%s", (unsigned)status, WIFSIGNALED(status) ? " (killed by a "
	    "signal)" : "");
}

void
gwt_end(struct gwt *t)
{
	if (t->serve.pid > 0)
		gwt_stop(t);
	gwt_receiver_stop(t);
	json_decref(t->serve.ready_json);
	t->serve.ready_json = NULL;
	gwt_rmdir(t->dir);
	t->dir[0] = '\0';
}

/* ---- the API ---- */

/* "Basic base64(user:pass)" in out. */
static void
gwt_basic_auth(char *out, size_t cap, const char *user, const char *pass)
{
	char plain[512], b64[700];

	snprintf(plain, sizeof plain, "%s:%s", user, pass);
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain,
	    (int)strlen(plain));
	snprintf(out, cap, "Basic %s", b64);
}

static enum evhttp_cmd_type
gwt_method(const char *method)
{
	if (strcmp(method, "POST") == 0)
		return EVHTTP_REQ_POST;
	if (strcmp(method, "DELETE") == 0)
		return EVHTTP_REQ_DELETE;
	if (strcmp(method, "PUT") == 0)
		return EVHTTP_REQ_PUT;
	return EVHTTP_REQ_GET;
}

int
gwt_api_as(struct gwt *t, const char *user, const char *pass,
    const char *method, const char *path, const char *form, json_t **body)
{
	char auth[720], *text = NULL;
	const char *headers[] = { "Accept", "application/json",
	    "Authorization", auth, NULL };
	size_t len = 0;
	int status;

	if (body != NULL)
		*body = NULL;
	if (user != NULL)
		gwt_basic_auth(auth, sizeof auth, user, pass);
	else
		headers[2] = NULL;
	status = http_exchange(t->serve.http, gwt_method(method), path,
	    headers, form != NULL ? "application/x-www-form-urlencoded" :
	    NULL, form, form != NULL ? strlen(form) : 0, &text, &len);
	if (body != NULL && text != NULL)
		*body = json_loadb(text, len, 0, NULL);
	free(text);
	return status;
}

int
gwt_api(struct gwt *t, const char *method, const char *path,
    const char *form, json_t **body)
{
	return gwt_api_as(t, t->account, t->token, method, path, form, body);
}

char *
gwt_form(const char *name, ...)
{
	struct evbuffer *b = evbuffer_new();
	const char *value;
	char *k, *v, *out;
	va_list ap;
	size_t len;

	va_start(ap, name);
	for (; name != NULL; name = va_arg(ap, const char *)) {
		value = va_arg(ap, const char *);
		k = evhttp_uriencode(name, -1, 1);
		v = evhttp_uriencode(value, -1, 1);
		evbuffer_add_printf(b, "%s%s=%s", evbuffer_get_length(b) > 0 ?
		    "&" : "", k, v);
		free(k);
		free(v);
	}
	va_end(ap);
	len = evbuffer_get_length(b);
	out = xmalloc(len + 1);
	evbuffer_remove(b, out, len);
	out[len] = '\0';
	evbuffer_free(b);
	return out;
}

json_t *
gwt_create(struct gwt *t, const char *form)
{
	char path[128], health[64], *text;
	json_t *body = NULL;
	int code;

	snprintf(path, sizeof path, "/2010-04-01/Accounts/%s/Messages.json",
	    t->account);
	code = gwt_api(t, "POST", path, form, &body);
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	ck_assert_msg(code == 201, "POST %s [%s]: %d, not 201: %s (%s)", path,
	    form, code, text != NULL ? text : "(no JSON)",
	    smsc_health(&t->serve, health, sizeof health));
	free(text);
	ck_assert_msg(json_is_string(json_object_get(body, "sid")),
	    "created message without sid");
	return body;
}

json_t *
gwt_fetch(struct gwt *t, const char *sid)
{
	char path[160], health[64];
	json_t *body = NULL;
	int code;

	snprintf(path, sizeof path,
	    "/2010-04-01/Accounts/%s/Messages/%s.json", t->account, sid);
	code = gwt_api(t, "GET", path, NULL, &body);
	ck_assert_msg(code == 200 && body != NULL, "GET %s: %d (%s)", path,
	    code, smsc_health(&t->serve, health, sizeof health));
	return body;
}

static int
gwt_terminal(const char *status)
{
	static const char *const final[] = { "delivered", "undelivered",
	    "failed", "received", "canceled", "read", NULL };
	size_t i;

	for (i = 0; final[i] != NULL; i++)
		if (strcmp(status, final[i]) == 0)
			return 1;
	return 0;
}

json_t *
gwt_wait_status(struct gwt *t, const char *sid, const char *want,
    int wait_ms)
{
	double end = test_now_ms() + wait_ms;
	const char *status = "";
	json_t *m = NULL;

	do {
		json_decref(m);
		m = gwt_fetch(t, sid);
		status = json_string_value(json_object_get(m, "status"));
		ck_assert_msg(status != NULL, "%s: no status", sid);
		if (strcmp(status, want) == 0)
			return m;
		ck_assert_msg(!gwt_terminal(status), "%s is %s (error_code "
		    "%lld), not %s", sid, status, (long long)json_integer_value(
		    json_object_get(m, "error_code")), want);
		gwt_sleep_ms(GWT_POLL_MS * 2);
	} while (test_now_ms() < end);
	ck_abort_msg("%s is still %s after %d ms, not %s", sid, status,
	    wait_ms, want);
	return NULL;
}

/* ---- what the receiver recorded ---- */

const char *
gwt_param(json_t *request, const char *name)
{
	json_t *v = json_object_get(json_object_get(request, "params"), name);

	if (v == NULL)
		v = json_object_get(json_object_get(request, "query"), name);
	return json_string_value(json_array_get(v, 0));
}

static int
gwt_matches(json_t *r, const char *path, const char *name, const char *value)
{
	const char *p = json_string_value(json_object_get(r, "path"));
	const char *v;

	if (path != NULL && (p == NULL || strcmp(p, path) != 0))
		return 0;
	if (name == NULL)
		return 1;
	v = gwt_param(r, name);
	return v != NULL && strcmp(v, value) == 0;
}

json_t *
gwt_received(struct gwt *t, const char *path, const char *name,
    const char *value)
{
	char *text = gwt_read_file(t->rx_log, NULL), *line, *nl;
	json_t *all = json_array(), *r;

	/* Lines are written whole and flushed; a torn last one is skipped
	 * until the next read. */
	for (line = text; line != NULL && *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((r = json_loads(line, 0, NULL)) == NULL)
			continue;
		if (gwt_matches(r, path, name, value))
			json_array_append(all, r);
		json_decref(r);
	}
	free(text);
	return all;
}

json_t *
gwt_wait_received(struct gwt *t, const char *path, const char *name,
    const char *value, size_t n, int wait_ms)
{
	double end = test_now_ms() + wait_ms;
	json_t *got;

	for (;;) {
		got = gwt_received(t, path, name, value);
		if (json_array_size(got) >= n)
			return got;
		if (test_now_ms() >= end)
			break;
		json_decref(got);
		gwt_sleep_ms(GWT_POLL_MS);
	}
	ck_abort_msg("the receiver got %zu requests%s%s%s%s%s, not %zu, "
	    "within %d ms", json_array_size(got), path != NULL ? " to " : "",
	    path != NULL ? path : "", name != NULL ? " with " : "",
	    name != NULL ? name : "", name != NULL ? "=value" : "", n,
	    wait_ms);
	return NULL;
}

json_t *
gwt_wait_callback(struct gwt *t, const char *path, const char *sid,
    const char *status, int wait_ms)
{
	double end = test_now_ms() + wait_ms;
	json_t *got, *hits, *r;
	const char *st;
	size_t i;

	for (;;) {
		got = gwt_received(t, path, "MessageSid", sid);
		hits = json_array();
		json_array_foreach(got, i, r) {
			st = gwt_param(r, "MessageStatus");
			if (st != NULL && strcmp(st, status) == 0)
				json_array_append(hits, r);
		}
		json_decref(got);
		if (json_array_size(hits) > 0)
			return hits;
		json_decref(hits);
		ck_assert_msg(test_now_ms() < end, "no %s callback of %s "
		    "within %d ms", status, sid, wait_ms);
		gwt_sleep_ms(GWT_POLL_MS);
	}
}

void
gwt_poll_pause(void)
{
	gwt_sleep_ms(GWT_POLL_MS);
}

void
gwt_assert_signed(struct gwt *t)
{
	json_t *all = gwt_received(t, NULL, NULL, NULL), *r;
	size_t i;

	json_array_foreach(all, i, r) {
		const char *sig = json_string_value(json_object_get(r,
		    "signature"));

		ck_assert_msg(json_is_true(json_object_get(r, "signature_ok")),
		    "request %zu to %s: X-Twilio-Signature %s, expected %s "
		    "(HMAC-SHA1 with the account's token over %s and the "
		    "sorted parameters)", i, json_string_value(json_object_get(
		    r, "path")), sig != NULL ? sig : "missing",
		    json_string_value(json_object_get(r,
		    "expected_signature")), json_string_value(
		    json_object_get(r, "url")));
	}
	json_decref(all);
}

/* ---- the run ---- */

static void
gwt_dump_leftovers(void)
{
	char path[PATH_MAX + 300];
	struct dirent *d;
	DIR *dir;

	if ((dir = opendir(gwt_base)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (strncmp(d->d_name, "serve.", 6) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s/scenario.json", gwt_base,
		    d->d_name);
		gwt_dump("scenario", path);
		snprintf(path, sizeof path, "%s/%s/serve.log", gwt_base,
		    d->d_name);
		gwt_dump("serve log", path);
		snprintf(path, sizeof path, "%s/%s/receiver.jsonl", gwt_base,
		    d->d_name);
		gwt_dump("requests the receiver got", path);
		snprintf(path, sizeof path, "%s/%s/receiver.log", gwt_base,
		    d->d_name);
		gwt_dump("receiver stderr", path);
	}
	closedir(dir);
}

/* Whether name is an executable file in a directory of PATH. */
static int
gwt_in_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *colon;
	char file[PATH_MAX];
	size_t len;

	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p = colon +
	    (*colon != '\0')) {
		if ((colon = strchr(p, ':')) == NULL)
			colon = p + strlen(p);
		len = (size_t)(colon - p);
		snprintf(file, sizeof file, "%.*s/%s", (int)len, len > 0 ? p :
		    ".", name);
		if (access(file, X_OK) == 0)
			return 1;
	}
	return 0;
}

int
gwt_suite_run(Suite *s)
{
	const char *tmp = getenv("TMPDIR");
	const char *req = getenv("CARRIERLAB_REQUIRE_INTEROP");
	int rc;

	if (!gwt_in_path("python3")) {
		fprintf(stderr, "gwtest: python3 is not installed: the webhook "
		    "receiver needs it (apt-get install python3)\n");
		/* 77: automake's SKIP, unless a missing peer must fail. */
		return req != NULL && req[0] != '\0' ? EXIT_FAILURE : 77;
	}

	snprintf(gwt_base, sizeof gwt_base, "%s/carrierlab-serve.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(gwt_base) == NULL) {
		fprintf(stderr, "gwtest: mkdtemp %s: %s\n", gwt_base,
		    strerror(errno));
		return EXIT_FAILURE;
	}
	rc = smsc_suite_run(s);
	gwt_dump_leftovers();
	gwt_rmdir(gwt_base);
	return rc;
}

const char *
gwt_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int
gwt_str_is(json_t *o, const char *key, const char *want)
{
	const char *got = gwt_str(o, key);

	return got != NULL && strcmp(got, want) == 0;
}

void
gwt_assert_str(json_t *o, const char *key, const char *want)
{
	const char *got = gwt_str(o, key);

	ck_assert_msg(gwt_str_is(o, key, want),
	    "%s is %s, not \"%s\"", key, got != NULL ? got : "not a string",
	    want);
}
