/*
 * The one clock. Every timer and timestamp in carrierlab goes through a
 * struct clock so a scenario can run in virtual time.
 *
 * Real mode: now is wall-clock time, optionally scaled by a speed factor
 * (speed 10 makes one real second count as ten), and timers are libevent
 * timers. Virtual mode: now only moves when clock_virtual_step() jumps it
 * to the earliest pending timer; the owner of the loop calls it whenever the
 * process is quiescent.
 *
 * Times are microseconds since the Unix epoch (int64_t).
 */
#ifndef CARRIERLAB_COMMON_CLOCK_H
#define CARRIERLAB_COMMON_CLOCK_H

#include <stdint.h>

struct event_base;
struct clock;
struct clock_timer;

enum clock_mode {
	CLOCK_MODE_REAL,
	CLOCK_MODE_VIRTUAL,
};

typedef void (*clock_timer_cb)(struct clock_timer *, void *arg);

#define CLOCK_USEC_PER_SEC	INT64_C(1000000)

/*
 * Creates a clock on base. In virtual mode start_usec is the initial now.
 * In real mode now starts at start_usec (0: the wall clock) and moves with
 * elapsed wall time scaled by speed (> 0); a fixed start makes the
 * timestamps of a short real-time run reproducible.
 */
struct clock	*clock_new(struct event_base *, enum clock_mode,
		    int64_t start_usec, double speed);
void		 clock_free(struct clock *);
enum clock_mode	 clock_mode(const struct clock *);
int64_t		 clock_now(const struct clock *);
/* Now as the loop last saw it (virtual mode: now): what timers are armed
 * from; cheaper than clock_now, and behind it by the callbacks run since
 * the loop last woke. */
int64_t		 clock_now_cached(const struct clock *);

/* A timer belongs to one clock; it is not armed until clock_timer_add(). */
struct clock_timer *clock_timer_new(struct clock *, clock_timer_cb, void *);
/* (Re)arms the timer to fire once, delay_usec of clock time from now. */
void		 clock_timer_add(struct clock_timer *, int64_t delay_usec);
void		 clock_timer_del(struct clock_timer *);
int		 clock_timer_pending(const struct clock_timer *);
/* When an armed timer fires, in clock time. */
int64_t		 clock_timer_deadline(const struct clock_timer *);
/* Disarms and frees; NULL is allowed. */
void		 clock_timer_free(struct clock_timer *);

/*
 * Virtual mode only: moves now to the earliest armed timer and runs every
 * timer due at that instant, in the order they were armed. Returns the number
 * of timers run, 0 when none is armed.
 */
int		 clock_virtual_step(struct clock *);
/*
 * Virtual mode only: moves now forward by usec, running on the way every
 * timer due by then (in deadline order, as clock_virtual_step() does),
 * and leaves now exactly usec later. Returns the number of timers run.
 */
int		 clock_virtual_advance(struct clock *, int64_t usec);
/* Virtual mode: when the earliest armed timer fires; INT64_MAX when none
 * is armed (and in real mode). */
int64_t		 clock_next_deadline(const struct clock *);
/* Number of armed timers (both modes). */
unsigned	 clock_timers_armed(const struct clock *);

#endif
