/*
 * sim_rng.c - the random numbers of "kuska sim": splitmix64 seeds
 * xoshiro256**, so that one seed gives one stream on any machine.
 */
#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

/* splitmix64 - advances *x and returns the next well-mixed value. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rng_seed - sets r to the stream of seed (any value, zero included). */
void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

/* rotl - x rotated left by k bits (0 < k < 64). */
static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* rng_next - the next 64 random bits (xoshiro256**). */
uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* rng_below - a uniform value in 0..n-1; n must be at least 1. */
uint32_t
rng_below(struct rng *r, uint32_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = rng_next(r);
	while (x >= limit);
	return (uint32_t)(x % n);
}

/* rng_chance - true with probability pct percent. */
bool
rng_chance(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/*
 * rng_weighted - an index into w[0..n-1] drawn with probability
 * proportional to the weights (at least one non-zero).
 */
size_t
rng_weighted(struct rng *r, const unsigned *w, size_t n)
{
	unsigned total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += w[i];
	x = rng_below(r, total);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}
