/*
 * The virtual-time driver: runs an event loop whose clock is virtual, and
 * jumps the clock to its next timer whenever the process is idle.
 *
 * Idle is detected the way libev's idle watchers work: one event at the
 * lowest priority of the base, always due (a timer of zero). libevent
 * runs only the highest-priority queue that has active events in each
 * loop iteration, and with a timer due it polls without blocking, so the
 * idle event runs only in an iteration where no socket was ready, no
 * other timer of libevent's was due and no other callback was pending. Loopback TCP
 * delivers in the sending call, so bytes in flight between two ends in
 * this process make the reading end ready in the same iteration: idle
 * means no PDU and no HTTP request is travelling.
 *
 * What the loop cannot see (a worker thread writing sqlite) the owner
 * reports through busy(): while it answers non-zero the driver does not
 * jump, and waits a little real time for the worker's wake-up instead.
 *
 * The base must have been given VLOOP_PRIORITIES priorities
 * (event_base_priority_init) before any event was added; events keep the
 * default, middle one.
 */
#ifndef CARRIERLAB_COMMON_VLOOP_H
#define CARRIERLAB_COMMON_VLOOP_H

#include <stdint.h>

struct clock;
struct event_base;
struct vloop;

#define VLOOP_PRIORITIES	3	/* 0: urgent, 1: default, 2: idle */

struct vloop_hooks {
	/* Work outside the loop is unfinished: do not jump yet. */
	int	(*busy)(void *arg);
	/*
	 * Called when idle, before the jump; may call vloop_stop(). next is
	 * the time of the earliest timer (INT64_MAX: none armed, so no jump
	 * can happen and, unless busy, the run can only stop).
	 */
	void	(*idle)(void *arg, int64_t next);
};

struct vloop	*vloop_new(struct event_base *, struct clock *,
		    const struct vloop_hooks *, void *arg);
/* Runs the loop until vloop_stop() or until nothing can happen (no
 * timer, not busy, idle hook did not stop it). Returns 0 when stopped,
 * 1 when it ran dry. */
int		 vloop_run(struct vloop *);
void		 vloop_stop(struct vloop *);
/* Jumps made so far. */
uint64_t	 vloop_jumps(const struct vloop *);
void		 vloop_free(struct vloop *);

#endif
