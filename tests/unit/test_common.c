/*
 * common/: the clock in virtual mode, seeded random streams, hex parsing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "common/clock.h"
#include "common/evbase.h"
#include "common/log.h"
#include "common/hex.h"
#include "common/random.h"
#include "common/vloop.h"
#include "common/wakepipe.h"

struct fired {
	int	order[8];
	int64_t	when[8];
	int	n;
	struct clock *clock;
};

struct tick {
	struct fired	*log;
	int		 id;
};

static void
record(struct clock_timer *t, void *arg)
{
	struct tick *tk = arg;

	tk->log->order[tk->log->n] = tk->id;
	tk->log->when[tk->log->n] = clock_now(tk->log->clock);
	tk->log->n++;
}

/* Our loops run epoll with the changelist (common/evbase.h). */
START_TEST(test_evbase_changelist)
{
	struct event_base *base = evbase_new();

	ck_assert_str_eq(event_base_get_method(base),
	    "epoll (with changelist)");
	event_base_free(base);
}
END_TEST

/*
 * A descriptor of urgent priority that becomes ready during a long turn
 * (here a pipe written by the turn's first callback) is polled and run
 * after at most EVBASE_MAX_CALLBACKS of the default priority's
 * callbacks, not after all of them.
 */
#define TURN_EVENTS	(4 * EVBASE_MAX_CALLBACKS)

struct turn_log {
	int		 pipe[2];
	int		 ran;		/* default callbacks so far */
	int		 urgent_after;	/* ran when the urgent one came */
};

static void
turn_default_cb(evutil_socket_t fd, short what, void *arg)
{
	struct turn_log *t = arg;

	(void)fd, (void)what;
	if (t->ran++ == 0)
		ck_assert_int_eq(write(t->pipe[1], "x", 1), 1);
}

static void
turn_urgent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct turn_log *t = arg;

	(void)fd, (void)what;
	t->urgent_after = t->ran;
}

START_TEST(test_evbase_urgent)
{
	struct event_base *base = evbase_new();
	struct turn_log t = { .urgent_after = -1 };
	struct event *ev[TURN_EVENTS], *urgent;
	int i;

	ck_assert_int_eq(event_base_get_npriorities(base), VLOOP_PRIORITIES);
	ck_assert_int_eq(pipe(t.pipe), 0);
	urgent = event_new(base, t.pipe[0], EV_READ, turn_urgent_cb, &t);
	ck_assert_int_eq(event_priority_set(urgent, 0), 0);
	ck_assert_int_eq(event_add(urgent, NULL), 0);
	for (i = 0; i < TURN_EVENTS; i++) {
		ev[i] = event_new(base, -1, 0, turn_default_cb, &t);
		event_active(ev[i], EV_TIMEOUT, 0);
	}
	while (t.ran < TURN_EVENTS || t.urgent_after == -1)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_ge(t.urgent_after, 1);
	ck_assert_int_le(t.urgent_after, EVBASE_MAX_CALLBACKS);
	for (i = 0; i < TURN_EVENTS; i++)
		event_free(ev[i]);
	event_free(urgent);
	close(t.pipe[0]);
	close(t.pipe[1]);
	event_base_free(base);
}
END_TEST

/* One byte however many signals until the reader drains and rearms;
 * then a signal is a byte again. */
START_TEST(test_wakepipe)
{
	struct wakepipe w = WAKEPIPE_CLOSED;
	char buf[8];
	int i;

	ck_assert_int_eq(wakepipe_open(&w), 0);
	ck_assert_int_eq(read(w.fd[0], buf, sizeof buf), -1);	/* empty */
	for (i = 0; i < 5; i++)
		wakepipe_signal(&w);
	ck_assert_int_eq(read(w.fd[0], buf, sizeof buf), 1);
	wakepipe_signal(&w);		/* not rearmed: nothing written */
	ck_assert_int_eq(read(w.fd[0], buf, sizeof buf), -1);
	wakepipe_rearm(&w);
	wakepipe_signal(&w);
	wakepipe_signal(&w);
	wakepipe_drain(&w);
	ck_assert_int_eq(read(w.fd[0], buf, sizeof buf), -1);
	wakepipe_close(&w);
	ck_assert_int_eq(w.fd[0], -1);
	ck_assert_int_eq(w.fd[1], -1);
	wakepipe_close(&w);		/* closed: left alone */
}
END_TEST

START_TEST(test_virtual_clock_order)
{
	struct event_base	*base = event_base_new();
	struct clock		*c = clock_new(base, CLOCK_MODE_VIRTUAL,
	    1000 * CLOCK_USEC_PER_SEC, 1.0);
	struct fired		 log = { .n = 0, .clock = c };
	struct tick		 t1 = { &log, 1 }, t2 = { &log, 2 },
				 t3 = { &log, 3 }, t4 = { &log, 4 };
	struct clock_timer	*a = clock_timer_new(c, record, &t1);
	struct clock_timer	*b = clock_timer_new(c, record, &t2);
	struct clock_timer	*d = clock_timer_new(c, record, &t3);
	struct clock_timer	*e = clock_timer_new(c, record, &t4);

	ck_assert_int_eq(clock_now(c), 1000 * CLOCK_USEC_PER_SEC);
	clock_timer_add(a, 3600 * CLOCK_USEC_PER_SEC);	/* an hour */
	clock_timer_add(b, 5);
	clock_timer_add(d, 5);		/* same instant: arming order */
	clock_timer_add(e, 10);
	clock_timer_del(e);		/* disarmed: never fires */
	ck_assert_uint_eq(clock_timers_armed(c), 3);
	ck_assert_int_eq(clock_virtual_step(c), 2);
	ck_assert_int_eq(log.order[0], 2);
	ck_assert_int_eq(log.order[1], 3);
	ck_assert_int_eq(log.when[0], 1000 * CLOCK_USEC_PER_SEC + 5);
	ck_assert_int_eq(clock_virtual_step(c), 1);
	ck_assert_int_eq(log.order[2], 1);
	ck_assert_int_eq(clock_now(c), 4600 * CLOCK_USEC_PER_SEC);
	ck_assert_int_eq(clock_virtual_step(c), 0);
	ck_assert_int_eq(log.n, 3);
	/* Re-arming moves a pending timer rather than adding a second one. */
	clock_timer_add(a, 10);
	clock_timer_add(a, 20);
	ck_assert_uint_eq(clock_timers_armed(c), 1);
	ck_assert_int_eq(clock_virtual_step(c), 1);
	ck_assert_int_eq(log.when[3], 4600 * CLOCK_USEC_PER_SEC + 20);
	clock_timer_free(a);
	clock_timer_free(b);
	clock_timer_free(d);
	clock_timer_free(e);
	clock_free(c);
	event_base_free(base);
}
END_TEST

/* Advancing runs what is due by then, in order, and stops exactly there;
 * a timer due later stays armed. */
START_TEST(test_virtual_clock_advance)
{
	struct event_base	*base = event_base_new();
	int64_t			 t0 = 1000 * CLOCK_USEC_PER_SEC;
	struct clock		*c = clock_new(base, CLOCK_MODE_VIRTUAL, t0, 1.0);
	struct fired		 log = { .n = 0, .clock = c };
	struct tick		 t1 = { &log, 1 }, t2 = { &log, 2 },
				 t3 = { &log, 3 };
	struct clock_timer	*a = clock_timer_new(c, record, &t1);
	struct clock_timer	*b = clock_timer_new(c, record, &t2);
	struct clock_timer	*d = clock_timer_new(c, record, &t3);

	clock_timer_add(a, 30);
	clock_timer_add(b, 10);
	clock_timer_add(d, 31);
	ck_assert_int_eq(clock_virtual_advance(c, 30), 2);
	ck_assert_int_eq(clock_now(c), t0 + 30);
	ck_assert_int_eq(log.order[0], 2);
	ck_assert_int_eq(log.when[0], t0 + 10);
	ck_assert_int_eq(log.order[1], 1);
	ck_assert(clock_timer_pending(d));
	ck_assert_int_eq(clock_virtual_advance(c, 0), 0);
	ck_assert_int_eq(clock_virtual_advance(c, 1000), 1);
	ck_assert_int_eq(log.when[2], t0 + 31);
	ck_assert_int_eq(clock_now(c), t0 + 1030);
	clock_timer_free(a);
	clock_timer_free(b);
	clock_timer_free(d);
	clock_free(c);
	event_base_free(base);
}
END_TEST

static void
stop_loop(struct clock_timer *t, void *arg)
{
	event_base_loopbreak(arg);
}

START_TEST(test_real_clock_timer_fires)
{
	struct event_base	*base = event_base_new();
	struct clock		*c = clock_new(base, CLOCK_MODE_REAL, 0, 1.0);
	struct clock_timer	*t = clock_timer_new(c, stop_loop, base);
	int64_t			 start = clock_now(c);

	clock_timer_add(t, 20000);
	ck_assert(clock_timer_pending(t));
	event_base_dispatch(base);
	ck_assert(!clock_timer_pending(t));
	/* libevent times timers with CLOCK_MONOTONIC_COARSE (a tick of a
	 * few milliseconds): one may fire up to a tick before the precise
	 * clock says it is due. */
	ck_assert_int_ge(clock_now(c) - start, 20000 - 5000);
	clock_timer_free(t);
	clock_free(c);
	event_base_free(base);
}
END_TEST

/*
 * A real timer armed again for later (the idle timers every PDU pushes
 * back) fires at the new deadline, once, not at the first; one armed
 * again for sooner fires sooner.
 */
struct pushback {
	struct clock		*c;
	struct clock_timer	*late;		/* pushed back */
	struct clock_timer	*soon;		/* pulled in */
	struct event_base	*base;
	int64_t			 start;
	int64_t			 pushed_at, late_at, soon_at;
	int			 late_fired, soon_fired;
};

static void
pushback_push(struct clock_timer *t, void *arg)
{
	struct pushback *pb = arg;

	pb->pushed_at = clock_now(pb->c);
	clock_timer_add(pb->late, 60000);
	ck_assert_uint_eq(clock_timers_armed(pb->c), 1);
	clock_timer_free(t);
}

static void
pushback_late(struct clock_timer *t, void *arg)
{
	struct pushback *pb = arg;

	pb->late_fired++;
	pb->late_at = clock_now(pb->c);
	event_base_loopbreak(pb->base);
}

static void
pushback_soon(struct clock_timer *t, void *arg)
{
	struct pushback *pb = arg;

	pb->soon_fired++;
	pb->soon_at = clock_now(pb->c);
}

START_TEST(test_real_clock_pushed_back)
{
	struct pushback		 pb = { 0 };
	struct clock_timer	*push;

	pb.base = event_base_new();
	pb.c = clock_new(pb.base, CLOCK_MODE_REAL, 0, 1.0);
	pb.late = clock_timer_new(pb.c, pushback_late, &pb);
	pb.soon = clock_timer_new(pb.c, pushback_soon, &pb);
	push = clock_timer_new(pb.c, pushback_push, &pb);
	pb.start = clock_now(pb.c);
	clock_timer_add(pb.late, 40000);
	clock_timer_add(pb.late, 45000);	/* later, before anything ran */
	clock_timer_add(pb.soon, 10 * CLOCK_USEC_PER_SEC);
	clock_timer_add(pb.soon, 10000);	/* sooner */
	clock_timer_add(push, 20000);
	ck_assert_uint_eq(clock_timers_armed(pb.c), 3);
	ck_assert_int_ge(clock_timer_deadline(pb.late),
	    clock_timer_deadline(pb.soon));
	event_base_dispatch(pb.base);

	ck_assert_int_eq(pb.soon_fired, 1);
	ck_assert_int_eq(pb.late_fired, 1);
	ck_assert_int_lt(pb.soon_at, pb.late_at);
	/* Not at 40 or 45 ms: 60 ms after the push (less a coarse tick). */
	ck_assert_int_ge(pb.late_at - pb.pushed_at, 60000 - 5000);
	ck_assert_uint_eq(clock_timers_armed(pb.c), 0);

	/* Pushed back, then disarmed: never fires. */
	clock_timer_add(pb.late, 20000);
	clock_timer_add(pb.late, 30000);
	clock_timer_del(pb.late);
	clock_timer_add(pb.soon, 50000);
	ck_assert_uint_eq(clock_timers_armed(pb.c), 1);
	event_base_dispatch(pb.base);		/* ends when nothing is left */
	ck_assert_int_eq(pb.late_fired, 1);
	ck_assert_int_eq(pb.soon_fired, 2);

	clock_timer_free(pb.late);
	clock_timer_free(pb.soon);
	clock_free(pb.c);
	event_base_free(pb.base);
}
END_TEST

/* A real clock with a fixed start reads that start plus elapsed time. */
START_TEST(test_real_clock_fixed_start)
{
	struct event_base	*base = event_base_new();
	int64_t			 start = INT64_C(1767225600000000);
	struct clock		*c = clock_new(base, CLOCK_MODE_REAL, start, 1.0);
	int64_t			 now = clock_now(c);

	ck_assert_int_ge(now, start);
	ck_assert_int_lt(now, start + 10 * CLOCK_USEC_PER_SEC);
	clock_free(c);
	event_base_free(base);
}
END_TEST

START_TEST(test_log_level_parse)
{
	enum log_level level = LOG_LEVEL_INFO;

	ck_assert_int_eq(log_level_parse("debug", &level), 0);
	ck_assert_int_eq(level, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(log_level_parse("error", &level), 0);
	ck_assert_int_eq(level, LOG_LEVEL_ERROR);
	ck_assert_int_eq(log_level_parse("loud", &level), -1);
	ck_assert_int_eq(log_level_parse("", &level), -1);
	ck_assert_int_eq(level, LOG_LEVEL_ERROR);
}
END_TEST

START_TEST(test_rng_deterministic)
{
	struct rng	a, b, child1, child2;
	int		i, counts[10] = { 0 };

	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(rng_next(&a), rng_next(&b));
	rng_seed(&b, 43);
	ck_assert_uint_ne(rng_next(&a), rng_next(&b));
	rng_seed(&a, 7);
	rng_seed(&b, 7);
	rng_fork(&child1, &a, 1);
	rng_fork(&child2, &b, 1);
	ck_assert_uint_eq(rng_next(&child1), rng_next(&child2));
	for (i = 0; i < 100000; i++) {
		double u = rng_unit(&a);

		ck_assert(u >= 0.0 && u < 1.0);
		counts[rng_below(&a, 10)]++;
	}
	for (i = 0; i < 10; i++)
		ck_assert_int_gt(counts[i], 9000);
}
END_TEST

START_TEST(test_hex)
{
	uint8_t	out[16];
	char	text[33];
	size_t	n, pos;

	ck_assert_int_eq(hex_decode("0x00 00 00 2F\n0X15:aB", 21, out,
	    sizeof out, &n, NULL), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(out[3], 0x2F);
	ck_assert_uint_eq(out[5], 0xAB);
	ck_assert_int_eq(hex_decode("0011zz", 6, out, sizeof out, &n, &pos),
	    -1);
	ck_assert_uint_eq(pos, 4);
	ck_assert_int_eq(hex_decode("001", 3, out, sizeof out, &n, &pos), -1);
	ck_assert_int_eq(hex_decode("0 1", 3, out, sizeof out, &n, &pos), -1);
	ck_assert_int_eq(hex_decode("0011", 4, out, 1, &n, &pos), -1);
	hex_encode((const uint8_t *)"\x00\xff\x10", 3, text);
	ck_assert_str_eq(text, "00ff10");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("common");
	TCase	*tc = tcase_create("common");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_evbase_changelist);
	tcase_add_test(tc, test_evbase_urgent);
	tcase_add_test(tc, test_wakepipe);
	tcase_add_test(tc, test_virtual_clock_order);
	tcase_add_test(tc, test_virtual_clock_advance);
	tcase_add_test(tc, test_real_clock_timer_fires);
	tcase_add_test(tc, test_real_clock_pushed_back);
	tcase_add_test(tc, test_real_clock_fixed_start);
	tcase_add_test(tc, test_log_level_parse);
	tcase_add_test(tc, test_rng_deterministic);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
