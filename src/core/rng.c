/* synthehr — GPL-3.0-or-later.
 * xoshiro256** (Blackman & Vigna) seeded with splitmix64. */
#include "config.h"

#include <math.h>

#include "synthehr/rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->have_spare = 0;
	r->spare = 0;
}

void
rng_seed_stream(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = stream * 0xd1342543de82ef95ULL + 1;

	rng_seed(r, seed ^ splitmix64(&x));
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
rng_uniform(struct rng *r)
{
	return (rng_u64(r) >> 11) * 0x1.0p-53;
}

float
rng_uniformf(struct rng *r)
{
	return (float)(rng_u64(r) >> 40) * 0x1.0p-24f;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	uint64_t x, lim;

	if (n <= 1)
		return 0;
	lim = -n % n;   /* 2^64 mod n */
	do
		x = rng_u64(r);
	while (x < lim);
	return x % n;
}

double
rng_normal(struct rng *r)
{
	double u, v, s;

	if (r->have_spare) {
		r->have_spare = 0;
		return r->spare;
	}
	do {
		u = 2.0 * rng_uniform(r) - 1.0;
		v = 2.0 * rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	s = sqrt(-2.0 * log(s) / s);
	r->spare = v * s;
	r->have_spare = 1;
	return u * s;
}

void
rng_normal_fill(struct rng *r, float *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (float)rng_normal(r);
}

void
rng_shuffle(struct rng *r, size_t *idx, size_t n)
{
	size_t i, j, t;

	for (i = n; i > 1; i--) {
		j = rng_below(r, i);
		t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}
