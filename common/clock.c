#include "config.h"

#include <sys/time.h>

#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/tree.h"
#include "common/xmalloc.h"

struct clock_timer {
	RB_ENTRY(clock_timer)	 entry;		/* virtual mode queue */
	struct clock		*clock;
	struct event		*ev;		/* real mode */
	clock_timer_cb		 cb;
	void			*arg;
	int64_t			 deadline;
	int64_t			 ev_deadline;	/* real mode: ev's, <= deadline */
	uint64_t		 order;		/* ties fire in arming order */
	int			 armed;
};

RB_HEAD(clock_queue, clock_timer);

struct clock {
	struct event_base	*base;
	enum clock_mode		 mode;
	double			 speed;
	int64_t			 real_origin;	/* wall time at creation */
	int64_t			 real_start;	/* clock time at creation */
	int64_t			 virtual_now;
	uint64_t		 next_order;
	unsigned		 armed;
	struct clock_queue	 queue;
};

static int
clock_timer_cmp(struct clock_timer *a, struct clock_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return 0;
}

TREE_GENERATE_STATIC(clock_queue, clock_timer, entry, clock_timer_cmp)

static int64_t
clock_wall_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * CLOCK_USEC_PER_SEC + ts.tv_nsec / 1000;
}

struct clock *
clock_new(struct event_base *base, enum clock_mode mode, int64_t start_usec,
    double speed)
{
	struct clock *c = xcalloc(1, sizeof *c);

	c->base = base;
	c->mode = mode;
	c->speed = speed > 0 ? speed : 1.0;
	c->real_origin = clock_wall_usec();
	c->real_start = start_usec != 0 ? start_usec : c->real_origin;
	c->virtual_now = start_usec;
	RB_INIT(&c->queue);
	return c;
}

void
clock_free(struct clock *c)
{
	free(c);
}

enum clock_mode
clock_mode(const struct clock *c)
{
	return c->mode;
}

/* Real mode: the clock's time at wall-clock time wall. */
static int64_t
clock_at_wall(const struct clock *c, int64_t wall)
{
	if (c->speed == 1.0)
		return c->real_start + (wall - c->real_origin);
	return c->real_start + (int64_t)((double)(wall - c->real_origin) *
	    c->speed);
}

int64_t
clock_now(const struct clock *c)
{
	if (c->mode == CLOCK_MODE_VIRTUAL)
		return c->virtual_now;
	return clock_at_wall(c, clock_wall_usec());
}

/*
 * Real mode: the loop's cached time (taken when its last wait returned),
 * which libevent measures its own timeouts from. Reading the clock again
 * for every timer armed inside one callback bought no precision libevent
 * would honour.
 */
int64_t
clock_now_cached(const struct clock *c)
{
	struct timeval tv;

	if (c->mode == CLOCK_MODE_VIRTUAL)
		return c->virtual_now;
	if (event_base_gettimeofday_cached(c->base, &tv) == -1)
		return clock_now(c);
	return clock_at_wall(c, (int64_t)tv.tv_sec * CLOCK_USEC_PER_SEC +
	    tv.tv_usec);
}

static void
clock_timer_evtimer_add(struct clock_timer *t, int64_t delay_usec)
{
	struct timeval	tv;
	int64_t		real_delay;

	real_delay = (int64_t)((double)delay_usec / t->clock->speed);
	tv.tv_sec = real_delay / CLOCK_USEC_PER_SEC;
	tv.tv_usec = real_delay % CLOCK_USEC_PER_SEC;
	evtimer_add(t->ev, &tv);
}

static void
clock_timer_fire_real(evutil_socket_t fd, short what, void *arg)
{
	struct clock_timer	*t = arg;
	int64_t			 left;

	/* Pushed back while armed (see clock_timer_add): not yet. */
	if (t->deadline > t->ev_deadline &&
	    (left = t->deadline - clock_now_cached(t->clock)) > 0) {
		t->ev_deadline = t->deadline;
		clock_timer_evtimer_add(t, left);
		return;
	}
	t->armed = 0;
	t->clock->armed--;
	t->cb(t, t->arg);
}

struct clock_timer *
clock_timer_new(struct clock *c, clock_timer_cb cb, void *arg)
{
	struct clock_timer *t = xcalloc(1, sizeof *t);

	t->clock = c;
	t->cb = cb;
	t->arg = arg;
	if (c->mode == CLOCK_MODE_REAL &&
	    (t->ev = evtimer_new(c->base, clock_timer_fire_real, t)) == NULL)
		fatalx("clock evtimer_new failed");
	return t;
}

/*
 * Real mode: a timer armed again for later than its libevent timer (an
 * idle timer pushed back by every PDU, the common case) only moves its
 * deadline; when the libevent timer fires early, it is set again for
 * what is left. That saves a heap removal and insertion, and a read of
 * the clock, per re-arm.
 */
void
clock_timer_add(struct clock_timer *t, int64_t delay_usec)
{
	struct clock	*c = t->clock;
	int64_t		 deadline;

	if (delay_usec < 0)
		delay_usec = 0;
	deadline = clock_now_cached(c) + delay_usec;
	if (c->mode == CLOCK_MODE_REAL && t->armed &&
	    deadline >= t->ev_deadline) {
		t->deadline = deadline;
		return;
	}
	clock_timer_del(t);
	t->deadline = deadline;
	t->order = c->next_order++;
	t->armed = 1;
	c->armed++;
	if (c->mode == CLOCK_MODE_VIRTUAL) {
		RB_INSERT(clock_queue, &c->queue, t);
		return;
	}
	t->ev_deadline = deadline;
	clock_timer_evtimer_add(t, delay_usec);
}

void
clock_timer_del(struct clock_timer *t)
{
	if (!t->armed)
		return;
	t->armed = 0;
	t->clock->armed--;
	if (t->clock->mode == CLOCK_MODE_VIRTUAL)
		RB_REMOVE(clock_queue, &t->clock->queue, t);
	else
		evtimer_del(t->ev);
}

int
clock_timer_pending(const struct clock_timer *t)
{
	return t->armed;
}

int64_t
clock_timer_deadline(const struct clock_timer *t)
{
	return t->deadline;
}

void
clock_timer_free(struct clock_timer *t)
{
	if (t == NULL)
		return;
	clock_timer_del(t);
	if (t->ev != NULL)
		event_free(t->ev);
	free(t);
}

int
clock_virtual_step(struct clock *c)
{
	struct clock_timer	*t;
	int64_t			 when;
	int			 fired = 0;

	if (c->mode != CLOCK_MODE_VIRTUAL)
		return 0;
	if ((t = RB_MIN(clock_queue, &c->queue)) == NULL)
		return 0;
	when = t->deadline;
	if (when > c->virtual_now)
		c->virtual_now = when;
	/* Timers armed by these callbacks for "now" run in this step too. */
	while ((t = RB_MIN(clock_queue, &c->queue)) != NULL &&
	    t->deadline <= c->virtual_now) {
		RB_REMOVE(clock_queue, &c->queue, t);
		t->armed = 0;
		c->armed--;
		t->cb(t, t->arg);
		fired++;
	}
	return fired;
}

int
clock_virtual_advance(struct clock *c, int64_t usec)
{
	struct clock_timer	*t;
	int64_t			 until;
	int			 fired = 0;

	if (c->mode != CLOCK_MODE_VIRTUAL || usec < 0)
		return 0;
	until = c->virtual_now + usec;
	while ((t = RB_MIN(clock_queue, &c->queue)) != NULL &&
	    t->deadline <= until)
		fired += clock_virtual_step(c);
	if (c->virtual_now < until)
		c->virtual_now = until;
	return fired;
}

int64_t
clock_next_deadline(const struct clock *c)
{
	struct clock_timer *t;

	if (c->mode != CLOCK_MODE_VIRTUAL ||
	    (t = RB_MIN(clock_queue, (struct clock_queue *)&c->queue)) == NULL)
		return INT64_MAX;
	return t->deadline;
}

unsigned
clock_timers_armed(const struct clock *c)
{
	return c->armed;
}
