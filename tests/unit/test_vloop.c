/*
 * common/vloop.c: the virtual clock jumps only when the loop is idle --
 * never while bytes travel on loopback or a worker is busy -- and hours
 * of timers run at once.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "common/clock.h"
#include "common/vloop.h"

#define HOUR	(INT64_C(3600) * CLOCK_USEC_PER_SEC)
#define SEC	CLOCK_USEC_PER_SEC

struct fix {
	struct event_base	*base;
	struct clock		*clock;
	struct vloop		*v;
	int64_t			 stop_at;	/* idle: stop once now >= */
	unsigned		 idles;
};

static void
fix_idle(void *arg, int64_t next)
{
	struct fix *f = arg;

	(void)next;
	f->idles++;
	if (clock_now(f->clock) >= f->stop_at)
		vloop_stop(f->v);
}

static void
fix_init(struct fix *f, const struct vloop_hooks *hooks)
{
	memset(f, 0, sizeof *f);
	f->base = event_base_new();
	ck_assert_int_eq(event_base_priority_init(f->base, VLOOP_PRIORITIES),
	    0);
	f->clock = clock_new(f->base, CLOCK_MODE_VIRTUAL, 0, 1);
	f->v = vloop_new(f->base, f->clock, hooks, f);
	f->stop_at = INT64_MAX;
}

static void
fix_free(struct fix *f)
{
	vloop_free(f->v);
	clock_free(f->clock);
	event_base_free(f->base);
}

static void
count_cb(struct clock_timer *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
}

START_TEST(hours_at_once)
{
	static const struct vloop_hooks hooks = { .idle = fix_idle };
	struct fix		 f;
	struct clock_timer	*a, *b;
	int			 fired = 0;

	fix_init(&f, &hooks);
	a = clock_timer_new(f.clock, count_cb, &fired);
	b = clock_timer_new(f.clock, count_cb, &fired);
	clock_timer_add(a, 4 * HOUR);
	clock_timer_add(b, 90 * 24 * HOUR);
	/* Nothing stops it: it runs dry once both have fired. */
	ck_assert_int_eq(vloop_run(f.v), 1);
	ck_assert_int_eq(fired, 2);
	ck_assert_int_eq(clock_now(f.clock), 90 * 24 * HOUR);
	ck_assert_uint_eq(vloop_jumps(f.v), 2);
	clock_timer_free(a);
	clock_timer_free(b);
	fix_free(&f);
}
END_TEST

/* ---- loopback: an echo server and a client in the same loop ---- */

struct echo {
	struct fix		 f;
	struct evconnlistener	*l;
	struct bufferevent	*client, *server;
	int64_t			 got_at;	/* clock time of the echo */
};

static void
echo_server_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	bufferevent_write_buffer(bev, bufferevent_get_input(bev));
}

static void
echo_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	struct echo *x = arg;

	(void)l;
	(void)sa;
	(void)len;
	x->server = bufferevent_socket_new(x->f.base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(x->server, echo_server_read, NULL, NULL, x);
	bufferevent_enable(x->server, EV_READ | EV_WRITE);
}

static void
echo_client_read(struct bufferevent *bev, void *arg)
{
	struct echo *x = arg;

	evbuffer_drain(bufferevent_get_input(bev), 4);
	x->got_at = clock_now(x->f.clock);
	vloop_stop(x->f.v);
}

static void
echo_send_cb(struct clock_timer *t, void *arg)
{
	struct echo *x = arg;

	(void)t;
	bufferevent_write(x->client, "ping", 4);
}

START_TEST(no_jump_while_bytes_travel)
{
	static const struct vloop_hooks hooks = { .idle = fix_idle };
	struct echo		 x;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	struct clock_timer	*send, *later;
	int			 fired = 0;

	memset(&x, 0, sizeof x);
	fix_init(&x.f, &hooks);
	x.f.v = (vloop_free(x.f.v), vloop_new(x.f.base, x.f.clock, &hooks,
	    &x.f));
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	x.l = evconnlistener_new_bind(x.f.base, echo_accept, &x,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof sin);
	ck_assert_ptr_nonnull(x.l);
	getsockname(evconnlistener_get_fd(x.l), (struct sockaddr *)&sin,
	    &slen);
	x.client = bufferevent_socket_new(x.f.base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(x.client, echo_client_read, NULL, NULL, &x);
	bufferevent_enable(x.client, EV_READ | EV_WRITE);
	ck_assert_int_eq(bufferevent_socket_connect(x.client,
	    (struct sockaddr *)&sin, sizeof sin), 0);
	send = clock_timer_new(x.f.clock, echo_send_cb, &x);
	later = clock_timer_new(x.f.clock, count_cb, &fired);
	clock_timer_add(send, 10 * SEC);
	clock_timer_add(later, 11 * SEC);
	/* Had the clock jumped while "ping" or its echo travelled, the
	 * echo would land at 11 s or later. */
	ck_assert_int_eq(vloop_run(x.f.v), 0);
	ck_assert_int_eq(x.got_at, 10 * SEC);
	ck_assert_int_eq(fired, 0);
	clock_timer_free(send);
	clock_timer_free(later);
	bufferevent_free(x.client);
	if (x.server != NULL)
		bufferevent_free(x.server);
	evconnlistener_free(x.l);
	fix_free(&x.f);
}
END_TEST

/* ---- a worker thread the loop cannot see ---- */

struct work {
	struct fix	 f;
	int		 pipe[2];
	struct event	*done_ev;
	volatile int	 busy;
	int64_t		 done_at;
};

static int
work_busy(void *arg)
{
	struct work *w = arg;

	return __atomic_load_n(&w->busy, __ATOMIC_ACQUIRE);
}

static void *
work_thread(void *arg)
{
	struct work	*w = arg;
	char		 c = 1;

	usleep(20000);	/* what a commit costs, more or less */
	__atomic_store_n(&w->busy, 0, __ATOMIC_RELEASE);
	if (write(w->pipe[1], &c, 1) != 1)
		abort();
	return NULL;
}

static void
work_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct work	*w = arg;
	char		 c;

	(void)what;
	if (read(fd, &c, 1) != 1)
		abort();
	w->done_at = clock_now(w->f.clock);
	w->f.stop_at = 0;
}

static void
work_idle(void *arg, int64_t next)
{
	struct work *w = arg;

	(void)next;
	if (w->done_at >= 0)
		vloop_stop(w->f.v);
}

START_TEST(no_jump_while_busy)
{
	static const struct vloop_hooks hooks = {
		.busy = work_busy, .idle = work_idle,
	};
	struct work		 w;
	struct clock_timer	*t;
	pthread_t		 th;
	int			 fired = 0;

	memset(&w, 0, sizeof w);
	w.done_at = -1;
	fix_init(&w.f, &hooks);
	vloop_free(w.f.v);
	w.f.v = vloop_new(w.f.base, w.f.clock, &hooks, &w);
	ck_assert_int_eq(pipe(w.pipe), 0);
	w.done_ev = event_new(w.f.base, w.pipe[0], EV_READ, work_done_cb, &w);
	event_add(w.done_ev, NULL);
	t = clock_timer_new(w.f.clock, count_cb, &fired);
	clock_timer_add(t, HOUR);
	w.busy = 1;
	ck_assert_int_eq(pthread_create(&th, NULL, work_thread, &w), 0);
	ck_assert_int_eq(vloop_run(w.f.v), 0);
	pthread_join(th, NULL);
	/* The hour-long timer waited for the worker. */
	ck_assert_int_eq(w.done_at, 0);
	ck_assert_int_eq(fired, 0);
	clock_timer_free(t);
	event_free(w.done_ev);
	close(w.pipe[0]);
	close(w.pipe[1]);
	fix_free(&w.f);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("vloop");
	TCase	*tc = tcase_create("vloop");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, hours_at_once);
	tcase_add_test(tc, no_jump_while_bytes_travel);
	tcase_add_test(tc, no_jump_while_busy);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
