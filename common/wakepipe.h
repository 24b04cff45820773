/*
 * A pipe that wakes an event loop from another thread, the way the
 * gateway's store worker and its webhooks thread hand work back and
 * forth: a list guarded by a mutex, and one byte in the pipe, written
 * only while the reader has not yet looked (notified), so a burst of
 * hand-overs costs one write and one wake-up.
 *
 * The writer, holding the list's mutex: append, then wakepipe_signal.
 * The reader, on its loop's EV_READ: wakepipe_drain first, then under
 * the mutex take the list and wakepipe_rearm. A byte written after the
 * take is then never eaten by the drain.
 */
#ifndef CARRIERLAB_COMMON_WAKEPIPE_H
#define CARRIERLAB_COMMON_WAKEPIPE_H

struct wakepipe {
	int	fd[2];		/* [0] the reader's, [1] the writer's; -1 */
	int	notified;	/* under the list's mutex */
};

/* Not open yet: what wakepipe_close leaves alone. */
#define WAKEPIPE_CLOSED	((struct wakepipe){ { -1, -1 }, 0 })

/* Both ends non-blocking and close-on-exec; 0, or -1 with errno. */
int	wakepipe_open(struct wakepipe *);
/* The writer, under the mutex: one byte unless one waits already. */
void	wakepipe_signal(struct wakepipe *);
/* The reader, before taking the list: empties the pipe. */
void	wakepipe_drain(const struct wakepipe *);
/* The reader, under the mutex, the list taken: signals write again. */
void	wakepipe_rearm(struct wakepipe *);
/* Closes what is open (WAKEPIPE_CLOSED after). */
void	wakepipe_close(struct wakepipe *);

#endif
