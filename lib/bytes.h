/*
 * bytes.h - big-endian integers in byte arrays, for LMDB keys and values:
 * big-endian so that LMDB's byte order is the numbers' order, and the
 * same on disk whatever the machine. The consolidator's store (store.h
 * names them store_be64 ...) and the node's outbox use them.
 */
#ifndef KUSKA_BYTES_H
#define KUSKA_BYTES_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

/* Inline, one byte swap each: the writer lays out some forty keys and
 * counters an event with them. */
static inline void
bytes_put_be64(uint8_t out[8], uint64_t v)
{
	v = htobe64(v);
	memcpy(out, &v, 8);
}

static inline uint64_t
bytes_get_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static inline void
bytes_put_be32(uint8_t out[4], uint32_t v)
{
	v = htobe32(v);
	memcpy(out, &v, 4);
}

static inline uint32_t
bytes_get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

#endif
