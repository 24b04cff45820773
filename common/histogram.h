/*
 * A histogram of non-negative integer samples (latencies in microseconds,
 * say) that answers percentiles in O(buckets) and records in O(1) with no
 * allocation: the tail of a million samples costs the same 30 KiB as the
 * tail of ten.
 *
 * Buckets are log-linear, in the manner of HdrHistogram: every value below
 * HISTOGRAM_LINEAR has a bucket of its own (exact), and each power of two
 * above it is cut into HISTOGRAM_SUB buckets of equal width, so a bucket
 * is never wider than 1/HISTOGRAM_SUB of the values it holds. In
 * microseconds: exact to 1 ms, then within 0.4% (half a bucket) up to
 * 2^32 us, about 71 minutes; larger samples share the last bucket. min,
 * max, count and the sum are kept exactly.
 *
 * A struct histogram is plain memory: declare it, histogram_init() it, and
 * drop it; nothing to free. Not thread-safe; no state outside the struct.
 */
#ifndef CARRIERLAB_COMMON_HISTOGRAM_H
#define CARRIERLAB_COMMON_HISTOGRAM_H

#include <stdint.h>

#define HISTOGRAM_LINEAR_BITS	10	/* exact below 1024 */
#define HISTOGRAM_SUB_BITS	7	/* 128 buckets per power of two */
#define HISTOGRAM_TOP_BITS	32	/* the last bucket ends at 2^32 */

#define HISTOGRAM_LINEAR	(1 << HISTOGRAM_LINEAR_BITS)
#define HISTOGRAM_SUB		(1 << HISTOGRAM_SUB_BITS)
#define HISTOGRAM_BUCKETS	(HISTOGRAM_LINEAR + \
	(HISTOGRAM_TOP_BITS - HISTOGRAM_LINEAR_BITS) * HISTOGRAM_SUB)

struct histogram {
	uint64_t	count;
	int64_t		min;		/* valid when count > 0 */
	int64_t		max;
	double		sum;		/* for the mean */
	uint64_t	bucket[HISTOGRAM_BUCKETS];
};

void	 histogram_init(struct histogram *);
/* Records one sample; a negative one counts as 0. */
void	 histogram_add(struct histogram *, int64_t value);
/* Adds every sample of src to dst. */
void	 histogram_merge(struct histogram *dst, const struct histogram *src);

uint64_t histogram_count(const struct histogram *);
/* 0 for an empty histogram, as are the mean and every percentile. */
int64_t	 histogram_min(const struct histogram *);
int64_t	 histogram_max(const struct histogram *);
double	 histogram_mean(const struct histogram *);

/*
 * The value at percentile p (0 to 100): the smallest recorded value v such
 * that at least p% of the samples are <= v, to the bucket's resolution
 * (the bucket's middle, kept within [min, max]). p 0 gives min, p 100
 * gives max exactly.
 */
int64_t	 histogram_percentile(const struct histogram *, double p);

/* The bucket a value falls in, and the range [lo, hi] a bucket holds
 * (for tests and for printing the distribution). */
unsigned histogram_bucket(int64_t value);
void	 histogram_bucket_range(unsigned bucket, int64_t *lo, int64_t *hi);

#endif
