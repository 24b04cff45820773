/*
 * common/histogram: bucket edges, exact values below the linear limit,
 * the promised relative error above it, percentiles against a sorted
 * reference, merge, and the corner cases (empty, negative, huge).
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "common/histogram.h"
#include "common/random.h"

/* One row per edge: value, its bucket. */
static const struct {
	int64_t		value;
	unsigned	bucket;
} bucket_rows[] = {
	{ 0,			0 },
	{ 1,			1 },
	{ 1023,			1023 },
	{ 1024,			1024 },		/* 1024-1031 */
	{ 1031,			1024 },
	{ 1032,			1025 },
	{ 2047,			1024 + 127 },
	{ 2048,			1024 + 128 },	/* next power: width 16 */
	{ 2063,			1024 + 128 },
	{ 2064,			1024 + 129 },
	{ INT64_C(4294967295),	HISTOGRAM_BUCKETS - 1 },
	{ INT64_C(4294967296),	HISTOGRAM_BUCKETS - 1 },	/* clamped */
	{ INT64_MAX,		HISTOGRAM_BUCKETS - 1 },
	{ -5,			0 },
};

START_TEST(test_bucket_edges)
{
	int64_t lo, hi;

	ck_assert_uint_eq(histogram_bucket(bucket_rows[_i].value),
	    bucket_rows[_i].bucket);
	histogram_bucket_range(bucket_rows[_i].bucket, &lo, &hi);
	if (bucket_rows[_i].value >= 0 &&
	    bucket_rows[_i].value < INT64_C(4294967296)) {
		ck_assert_int_le(lo, bucket_rows[_i].value);
		ck_assert_int_ge(hi, bucket_rows[_i].value);
	}
}
END_TEST

/* Every bucket's range starts one past the previous one's end, and is at
 * most 1/HISTOGRAM_SUB of its lower edge wide. */
START_TEST(test_buckets_tile)
{
	int64_t lo, hi, prev_hi = -1;
	unsigned i;

	for (i = 0; i < HISTOGRAM_BUCKETS; i++) {
		histogram_bucket_range(i, &lo, &hi);
		ck_assert_int_eq(lo, prev_hi + 1);
		ck_assert_uint_eq(histogram_bucket(lo), i);
		if (i + 1 < HISTOGRAM_BUCKETS) {
			ck_assert_uint_eq(histogram_bucket(hi), i);
			if (lo >= HISTOGRAM_LINEAR)
				ck_assert_int_le((hi - lo + 1) * HISTOGRAM_SUB,
				    lo);
		}
		prev_hi = hi;
	}
	ck_assert_int_eq(prev_hi, INT64_MAX);
}
END_TEST

START_TEST(test_empty)
{
	struct histogram h;

	histogram_init(&h);
	ck_assert_uint_eq(histogram_count(&h), 0);
	ck_assert_int_eq(histogram_min(&h), 0);
	ck_assert_int_eq(histogram_max(&h), 0);
	ck_assert(histogram_mean(&h) == 0.0);
	ck_assert_int_eq(histogram_percentile(&h, 50), 0);
	ck_assert_int_eq(histogram_percentile(&h, 100), 0);
}
END_TEST

/* 1..1000: exact, so every percentile is the textbook one. */
START_TEST(test_exact_linear)
{
	struct histogram h;
	int64_t v;

	histogram_init(&h);
	for (v = 1000; v >= 1; v--)
		histogram_add(&h, v);
	ck_assert_uint_eq(histogram_count(&h), 1000);
	ck_assert_int_eq(histogram_min(&h), 1);
	ck_assert_int_eq(histogram_max(&h), 1000);
	ck_assert(fabs(histogram_mean(&h) - 500.5) < 1e-9);
	ck_assert_int_eq(histogram_percentile(&h, 0), 1);
	ck_assert_int_eq(histogram_percentile(&h, 50), 500);
	ck_assert_int_eq(histogram_percentile(&h, 90), 900);
	ck_assert_int_eq(histogram_percentile(&h, 99), 990);
	ck_assert_int_eq(histogram_percentile(&h, 99.9), 999);
	ck_assert_int_eq(histogram_percentile(&h, 100), 1000);
	ck_assert_int_eq(histogram_percentile(&h, 0.1), 1);
}
END_TEST

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A long-tailed sample (log-uniform from 1 us to an hour): every
 * percentile within half a bucket, 1/(2 * HISTOGRAM_SUB), of the exact
 * order statistic, and min/max exact.
 */
START_TEST(test_tail_accuracy)
{
	static const double ps[] = { 1, 10, 50, 90, 99, 99.9, 99.99 };
	enum { N = 100000 };
	struct histogram h;
	struct rng rng;
	int64_t *v = calloc(N, sizeof *v), exact, got;
	size_t i, rank;

	rng_seed(&rng, 12345);
	histogram_init(&h);
	for (i = 0; i < N; i++) {
		v[i] = (int64_t)exp(rng_unit(&rng) * log(3.6e9));
		histogram_add(&h, v[i]);
	}
	qsort(v, N, sizeof *v, cmp64);
	ck_assert_int_eq(histogram_min(&h), v[0]);
	ck_assert_int_eq(histogram_max(&h), v[N - 1]);
	for (i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		rank = (size_t)ceil(ps[i] / 100.0 * N - 1e-9);
		exact = v[rank - 1];
		got = histogram_percentile(&h, ps[i]);
		ck_assert_msg(fabs((double)(got - exact)) <=
		    (double)exact / (2.0 * HISTOGRAM_SUB) + 1.0,
		    "p%g: %lld, exact %lld", ps[i], (long long)got,
		    (long long)exact);
	}
	free(v);
}
END_TEST

/* Merging two halves gives the histogram of the whole. */
START_TEST(test_merge)
{
	struct histogram a, b, all;
	int64_t v;
	unsigned i;

	histogram_init(&a);
	histogram_init(&b);
	histogram_init(&all);
	for (v = 0; v < 5000; v += 7) {
		histogram_add(v % 2 ? &a : &b, v * 37);
		histogram_add(&all, v * 37);
	}
	histogram_merge(&a, &b);
	ck_assert_uint_eq(a.count, all.count);
	ck_assert_int_eq(a.min, all.min);
	ck_assert_int_eq(a.max, all.max);
	for (i = 0; i < HISTOGRAM_BUCKETS; i++)
		ck_assert_uint_eq(a.bucket[i], all.bucket[i]);
	ck_assert_int_eq(histogram_percentile(&a, 99),
	    histogram_percentile(&all, 99));
	histogram_init(&b);
	histogram_merge(&a, &b);		/* empty: no change */
	ck_assert_uint_eq(a.count, all.count);
	histogram_init(&b);
	histogram_merge(&b, &all);		/* into empty */
	ck_assert_int_eq(b.min, all.min);
}
END_TEST

/* A sample beyond the top is counted, lands in the last bucket, and is
 * still the exact max; percentiles stay within [min, max]. */
START_TEST(test_huge_and_negative)
{
	struct histogram h;

	histogram_init(&h);
	histogram_add(&h, -3);
	histogram_add(&h, INT64_C(10000000000000));
	ck_assert_int_eq(histogram_min(&h), 0);
	ck_assert_int_eq(histogram_max(&h), INT64_C(10000000000000));
	ck_assert_int_eq(histogram_percentile(&h, 50), 0);
	ck_assert_int_eq(histogram_percentile(&h, 99),
	    INT64_C(10000000000000));
	ck_assert_uint_eq(h.bucket[HISTOGRAM_BUCKETS - 1], 1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("histogram");
	TCase	*tc = tcase_create("histogram");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_bucket_edges, 0,
	    sizeof bucket_rows / sizeof bucket_rows[0]);
	tcase_add_test(tc, test_buckets_tile);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_exact_linear);
	tcase_add_test(tc, test_tail_accuracy);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_huge_and_negative);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
