/*
 * The virtual-time driver (common/vloop.h): an idle event at the lowest
 * priority, and a jump of the clock each time it runs with nothing busy.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <event2/event.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/vloop.h"
#include "common/xmalloc.h"

/* Real time to wait for a busy worker before looking again. */
#define VLOOP_BUSY_WAIT_USEC	100

struct vloop {
	struct event_base	*base;
	struct clock		*clock;
	struct vloop_hooks	 hooks;
	void			*arg;
	struct event		*idle;
	struct event		*wait;		/* real time: busy worker */
	uint64_t		 jumps;
	int			 stopped;
	int			 dry;
};

/*
 * The idle event is a timer due now rather than an event made active: an
 * event activated from its own callback would run again in the same pass
 * over its queue, before the loop polls the sockets.
 */
static void
vloop_arm(struct vloop *v)
{
	static const struct timeval now = { 0, 0 };

	event_add(v->idle, &now);
}

static void
vloop_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	static const struct timeval busy_wait = { 0, VLOOP_BUSY_WAIT_USEC };
	struct vloop	*v = arg;
	int64_t		 next;

	(void)fd;
	(void)what;
	if (v->hooks.busy != NULL && v->hooks.busy(v->arg)) {
		/* The worker's wake-up comes through the loop; this timer
		 * only bounds the wait if it does not. */
		event_add(v->wait, &busy_wait);
		return;
	}
	next = clock_next_deadline(v->clock);
	if (v->hooks.idle != NULL)
		v->hooks.idle(v->arg, next);
	if (v->stopped)
		return;
	/* The hook may have armed timers: look again. */
	next = clock_next_deadline(v->clock);
	if (next == INT64_MAX) {
		v->dry = 1;
		event_base_loopbreak(v->base);
		return;
	}
	clock_virtual_step(v->clock);
	v->jumps++;
	vloop_arm(v);
}

/* After a wait for the worker: idle again once the loop is. */
static void
vloop_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct vloop *v = arg;

	(void)fd;
	(void)what;
	vloop_arm(v);
}

struct vloop *
vloop_new(struct event_base *base, struct clock *clock,
    const struct vloop_hooks *hooks, void *arg)
{
	struct vloop *v = xcalloc(1, sizeof *v);

	v->base = base;
	v->clock = clock;
	v->hooks = *hooks;
	v->arg = arg;
	v->idle = evtimer_new(base, vloop_idle_cb, v);
	v->wait = evtimer_new(base, vloop_wait_cb, v);
	if (v->idle == NULL || v->wait == NULL ||
	    event_priority_set(v->idle, VLOOP_PRIORITIES - 1) == -1 ||
	    event_priority_set(v->wait, VLOOP_PRIORITIES - 1) == -1)
		fatalx("vloop: the base needs %d priorities",
		    VLOOP_PRIORITIES);
	return v;
}

int
vloop_run(struct vloop *v)
{
	v->stopped = 0;
	v->dry = 0;
	vloop_arm(v);
	while (!v->stopped && !v->dry)
		if (event_base_loop(v->base, EVLOOP_ONCE) == -1)
			fatalx("vloop: event_base_loop failed");
	event_del(v->wait);
	event_del(v->idle);
	return v->stopped ? 0 : 1;
}

void
vloop_stop(struct vloop *v)
{
	v->stopped = 1;
	event_base_loopbreak(v->base);
}

uint64_t
vloop_jumps(const struct vloop *v)
{
	return v->jumps;
}

void
vloop_free(struct vloop *v)
{
	if (v == NULL)
		return;
	event_free(v->idle);
	event_free(v->wait);
	free(v);
}
