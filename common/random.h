/*
 * Seeded pseudo-random numbers for simulation. Every random choice in a
 * scenario draws from a struct rng seeded from the scenario's seed, so the
 * same seed reproduces the same outcomes. Not for secrets: use OpenSSL's
 * RAND_bytes() for those.
 */
#ifndef CARRIERLAB_COMMON_RANDOM_H
#define CARRIERLAB_COMMON_RANDOM_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seeds the generator; the same seed always gives the same sequence. */
void	 rng_seed(struct rng *, uint64_t seed);
/* Derives an independent stream, e.g. one per carrier, from a parent. */
void	 rng_fork(struct rng *child, struct rng *parent, uint64_t label);
uint64_t rng_next(struct rng *);
/* Uniform integer in [0, bound), without modulo bias; bound must be > 0. */
uint64_t rng_below(struct rng *, uint64_t bound);
/* Uniform double in [0, 1). */
double	 rng_unit(struct rng *);

#endif
