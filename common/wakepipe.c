/* A pipe that wakes an event loop from another thread (wakepipe.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/wakepipe.h"

int
wakepipe_open(struct wakepipe *w)
{
	w->notified = 0;
	if (pipe2(w->fd, O_NONBLOCK | O_CLOEXEC) == -1) {
		w->fd[0] = w->fd[1] = -1;
		return -1;
	}
	return 0;
}

void
wakepipe_signal(struct wakepipe *w)
{
	char	b = 1;
	ssize_t	n;

	if (w->notified)
		return;
	do
		n = write(w->fd[1], &b, 1);
	while (n == -1 && errno == EINTR);
	w->notified = 1;	/* EAGAIN: full, a byte is there already */
}

void
wakepipe_drain(const struct wakepipe *w)
{
	char	buf[64];
	ssize_t	n;

	do
		n = read(w->fd[0], buf, sizeof buf);
	while (n > 0 || (n == -1 && errno == EINTR));
}

void
wakepipe_rearm(struct wakepipe *w)
{
	w->notified = 0;
}

void
wakepipe_close(struct wakepipe *w)
{
	int i;

	for (i = 0; i < 2; i++)
		if (w->fd[i] >= 0) {
			close(w->fd[i]);
			w->fd[i] = -1;
		}
}
