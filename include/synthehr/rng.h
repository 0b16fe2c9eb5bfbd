/* synthehr — GPL-3.0-or-later.
 * Seeded pseudo-random generator (xoshiro256**, seeded through splitmix64).
 * Every random draw in synthehr comes from one of these, passed explicitly. */
#ifndef SYNTHEHR_RNG_H
#define SYNTHEHR_RNG_H

#include <stdint.h>
#include <stddef.h>

struct rng {
	uint64_t s[4];
	int have_spare;   /* Box–Muller keeps its second value */
	double spare;
};

void rng_seed(struct rng *r, uint64_t seed);
/* Derive an independent stream: seed mixed with a stream id. */
void rng_seed_stream(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0,1) with 53 bits. */
double rng_uniform(struct rng *r);
/* Uniform float in [0,1) with 24 bits. */
float rng_uniformf(struct rng *r);
/* Uniform integer in [0, n), unbiased. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Standard normal. */
double rng_normal(struct rng *r);
/* Fill n floats with N(0,1). */
void rng_normal_fill(struct rng *r, float *out, size_t n);
/* Fisher–Yates shuffle of n size_t indices. */
void rng_shuffle(struct rng *r, size_t *idx, size_t n);

#endif
