/*
 * Group-commit throughput of the gateway's store: COUNT messages put in
 * batches of BATCH (one loop turn each, as the API's requests of one
 * turn would be), then the same messages put again as a status change.
 * Prints puts per second, and the event loop's own CPU per put (the
 * worker thread does the sqlite work); asserts nothing.
 *
 *   tests/bench/bench_gw_store [-n COUNT] [-b BATCH] [-e] [-f] [PATH]
 *
 * PATH defaults to a file in $TMPDIR (removed after); -e: a status
 * event with each put, as the lifecycle writes them; -f: synchronous
 * FULL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/store.h"

struct bench {
	struct gw_store	*s;
	struct gw_message *m;
	unsigned	 count;
	unsigned	 batch;
	unsigned	 next;
	int		 update;	/* second pass: status changes */
	int		 events;	/* an event with each put */
	int		 done;
};

static double
clock_sec(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_sec(void)
{
	return clock_sec(CLOCK_MONOTONIC);
}

static void
bench_fill(struct bench *b, unsigned i)
{
	struct gw_message *m = b->m;

	snprintf(m->sid, sizeof(m->sid), "SM%032x", i * 2654435761u);
	snprintf(m->to, sizeof(m->to), "+1415%07u", i % 1000);
	m->date_created = INT64_C(1700000000000000) + i;
	m->date_updated = m->date_created + (b->update ? 1000 : 0);
	m->status = b->update ? GW_STATUS_DELIVERED : GW_STATUS_QUEUED;
	m->date_sent = b->update ? m->date_created + 500 : 0;
	snprintf(m->parts[0].smsc_id, sizeof(m->parts[0].smsc_id), "%08x", i);
	m->parts[0].state = b->update ? GW_PART_DELIVERED : GW_PART_PENDING;
}

/* One loop turn's worth of puts, then wait for their commit. */
static void
bench_durable(void *arg, int ok)
{
	struct bench *b = arg;
	unsigned end;

	if (!ok) {
		fprintf(stderr, "commit failed: %s\n", gw_store_error(b->s));
		exit(1);
	}
	if (b->next == b->count) {
		b->done = 1;
		return;
	}
	end = b->next + b->batch < b->count ? b->next + b->batch : b->count;
	for (; b->next < end; b->next++) {
		bench_fill(b, b->next);
		if (gw_store_put_message(b->s, b->m) == -1 || (b->events &&
		    gw_store_add_event(b->s, b->m->sid,
		    gw_status_name(b->m->status), 0, b->m->date_updated,
		    NULL) == -1)) {
			fprintf(stderr, "put: %s\n", gw_store_error(b->s));
			exit(1);
		}
	}
	gw_store_when_durable(b->s, bench_durable, b);
}

/* Puts per second; *loop_us: the loop thread's CPU per put. */
static double
bench_pass(struct event_base *base, struct bench *b, double *loop_us)
{
	double t0 = now_sec(), c0 = clock_sec(CLOCK_THREAD_CPUTIME_ID);

	b->next = 0;
	b->done = 0;
	gw_store_when_durable(b->s, bench_durable, b);
	while (!b->done)
		event_base_loop(base, EVLOOP_ONCE);
	*loop_us = (clock_sec(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e6 /
	    (double)b->count;
	return (double)b->count / (now_sec() - t0);
}

static struct gw_message *
bench_message(void)
{
	struct gw_message *m = gw_message_new();

	strlcpy(m->account_sid, "AC00000000000000000000000000000000",
	    sizeof(m->account_sid));
	strlcpy(m->from, "+12125550100", sizeof(m->from));
	gw_message_set_body(m, "Your verification code is 123456. It expires "
	    "in 10 minutes.");
	m->direction = GW_DIR_OUTBOUND_API;
	m->num_segments = 1;
	m->validity_period = 14400;
	strlcpy(m->route, "alpha-mobile", sizeof(m->route));
	m->status_callback = strdup("https://example.com/status");
	m->nparts = 1;
	m->parts = calloc(1, sizeof(*m->parts));
	return m;
}

int
main(int argc, char **argv)
{
	char path[512], err[512];
	struct event_base *base;
	struct bench b;
	const char *tmp = getenv("TMPDIR");
	int c, full = 0, own = 0;
	double insert, update, insert_us, update_us;

	memset(&b, 0, sizeof(b));
	b.count = 100000;
	b.batch = 1000;
	while ((c = getopt(argc, argv, "n:b:ef")) != -1) {
		switch (c) {
		case 'n': b.count = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': b.batch = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'e': b.events = 1; break;
		case 'f': full = 1; break;
		default:
			fprintf(stderr, "usage: bench_gw_store [-n COUNT] "
			    "[-b BATCH] [-e] [-f] [PATH]\n");
			return 2;
		}
	}
	if (b.count == 0 || b.batch == 0)
		return 2;
	if (optind < argc)
		strlcpy(path, argv[optind], sizeof(path));
	else {
		snprintf(path, sizeof(path), "%s/bench_gw_store.%ld.db",
		    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", (long)getpid());
		own = 1;
	}
	log_set_level(LOG_LEVEL_WARN);
	base = event_base_new();
	if (base == NULL || (b.s = gw_store_open(base, path, full, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "open: %s\n", err);
		return 1;
	}
	b.m = bench_message();
	insert = bench_pass(base, &b, &insert_us);
	b.update = 1;
	update = bench_pass(base, &b, &update_us);
	printf("gw_store path=%s synchronous=%s count=%u batch=%u events=%d "
	    "insert_puts_per_s=%.0f update_puts_per_s=%.0f "
	    "loop_us_per_put=%.2f/%.2f\n", path, full ? "full" : "normal",
	    b.count, b.batch, b.events, insert, update, insert_us, update_us);
	gw_message_free(b.m);
	gw_store_close(b.s);
	event_base_free(base);
	if (own) {
		unlink(path);
		strlcat(path, "-wal", sizeof(path));
		unlink(path);
		path[strlen(path) - 4] = '\0';
		strlcat(path, "-shm", sizeof(path));
		unlink(path);
	}
	return 0;
}
