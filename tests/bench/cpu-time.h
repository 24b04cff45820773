/*
 * The benchmark tools report their own CPU time, so the gateway
 * benchmark can say what each process on the machine cost a message.
 */
#ifndef CARRIERLAB_BENCH_CPU_TIME_H
#define CARRIERLAB_BENCH_CPU_TIME_H

#include <sys/resource.h>

/* CPU time this process used so far, user and system, in seconds. */
static inline double
bench_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#endif
