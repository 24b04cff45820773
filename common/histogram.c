/*
 * Log-linear histogram: see histogram.h.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "common/histogram.h"

void
histogram_init(struct histogram *h)
{
	memset(h, 0, sizeof *h);
}

unsigned
histogram_bucket(int64_t value)
{
	uint64_t v = value < 0 ? 0 : (uint64_t)value;
	unsigned k;

	if (v < HISTOGRAM_LINEAR)
		return (unsigned)v;
	k = 63 - (unsigned)__builtin_clzll(v);	/* floor(log2 v), >= 10 */
	if (k >= HISTOGRAM_TOP_BITS)
		return HISTOGRAM_BUCKETS - 1;
	return HISTOGRAM_LINEAR + (k - HISTOGRAM_LINEAR_BITS) * HISTOGRAM_SUB +
	    (unsigned)((v >> (k - HISTOGRAM_SUB_BITS)) - HISTOGRAM_SUB);
}

void
histogram_bucket_range(unsigned bucket, int64_t *lo, int64_t *hi)
{
	unsigned j, k, sub;

	if (bucket < HISTOGRAM_LINEAR) {
		*lo = *hi = bucket;
		return;
	}
	if (bucket >= HISTOGRAM_BUCKETS)
		bucket = HISTOGRAM_BUCKETS - 1;
	j = bucket - HISTOGRAM_LINEAR;
	k = HISTOGRAM_LINEAR_BITS + j / HISTOGRAM_SUB;
	sub = j % HISTOGRAM_SUB;
	*lo = (int64_t)(HISTOGRAM_SUB + sub) << (k - HISTOGRAM_SUB_BITS);
	*hi = *lo + ((int64_t)1 << (k - HISTOGRAM_SUB_BITS)) - 1;
	if (bucket == HISTOGRAM_BUCKETS - 1)
		*hi = INT64_MAX;	/* everything beyond lands here */
}

void
histogram_add(struct histogram *h, int64_t value)
{
	if (value < 0)
		value = 0;
	if (h->count == 0 || value < h->min)
		h->min = value;
	if (h->count == 0 || value > h->max)
		h->max = value;
	h->count++;
	h->sum += (double)value;
	h->bucket[histogram_bucket(value)]++;
}

void
histogram_merge(struct histogram *dst, const struct histogram *src)
{
	size_t i;

	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (i = 0; i < HISTOGRAM_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t
histogram_count(const struct histogram *h)
{
	return h->count;
}

int64_t
histogram_min(const struct histogram *h)
{
	return h->count > 0 ? h->min : 0;
}

int64_t
histogram_max(const struct histogram *h)
{
	return h->count > 0 ? h->max : 0;
}

double
histogram_mean(const struct histogram *h)
{
	return h->count > 0 ? h->sum / (double)h->count : 0.0;
}

int64_t
histogram_percentile(const struct histogram *h, double p)
{
	uint64_t rank, seen = 0;
	int64_t lo, hi, v;
	double r;
	unsigned i;

	if (h->count == 0)
		return 0;
	if (!(p > 0))		/* NaN too */
		return h->min;
	if (p >= 100)
		return h->max;
	/* The rank-th smallest sample, 1-based: ceil(p% of count), forgiving
	 * the rounding of p (99.9 is not exact in binary). */
	r = p * (double)h->count / 100.0;
	rank = (uint64_t)ceil(r - r * 1e-12);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HISTOGRAM_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	histogram_bucket_range(i, &lo, &hi);
	v = lo + (hi - lo) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}
