/*
 * mix.h - the 64-bit finaliser of MurmurHash3 (fmix64): every input bit
 * reaches every output bit, so a table can take its index from the low
 * bits. The in-memory hash tables of the statistics, the deltas and the
 * linking graph use it; nothing stored or sent depends on it.
 */
#ifndef KUSKA_MIX_H
#define KUSKA_MIX_H

#include <stdint.h>

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

#endif
