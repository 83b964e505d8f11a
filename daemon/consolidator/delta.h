/*
 * delta.h - a batch's changes to the counters (stats.c), added up by key
 * in memory and then given back in key order, so that the store takes
 * each counter once per batch and its cursor moves forward only.
 *
 * A batch makes tens of adds per event, most of them to keys it has
 * already seen (the same victim taken off and counted again, the same
 * breakdown row): an open-addressing table of fixed-size slots takes them
 * at the cost of one hash and, mostly, one cache line. Keys are byte
 * strings of 1 to DELTA_KEY_MAX bytes; key order is that of memcmp, a
 * shorter key before a longer one it begins.
 */
#ifndef KUSKA_DELTA_H
#define KUSKA_DELTA_H

#include <stddef.h>
#include <stdint.h>

#define DELTA_KEY_MAX 15

struct delta_table;

/* delta_new - an empty table; NULL when out of memory. */
struct delta_table *delta_new(void);

/* delta_free - frees d (NULL allowed) and clears the pointer. */
void delta_free(struct delta_table **d);

/* delta_clear - forgets every key (keeps the memory for the next batch). */
void delta_clear(struct delta_table *d);

/*
 * delta_add - adds v to the delta of key (len 1..DELTA_KEY_MAX bytes).
 * Returns 0, -EINVAL for a length out of range, or -ENOMEM (growing
 * failed: some adds are lost, clear the table).
 */
int delta_add(struct delta_table *d, const uint8_t *key, size_t len, int64_t v)
    __attribute__((warn_unused_result));

/*
 * delta_add_padded - delta_add of a key already laid out as the table
 * keeps it, for callers that add many: its len bytes, zeros up to byte
 * 14, len in byte 15. Returns as delta_add.
 */
int delta_add_padded(struct delta_table *d, const uint8_t k[16], int64_t v)
    __attribute__((warn_unused_result));

/*
 * delta_merge - adds every delta of src to dst and clears src. Returns 0
 * or -ENOMEM (dst then holds some of src's deltas, src all of them).
 */
int delta_merge(struct delta_table *dst, struct delta_table *src)
    __attribute__((warn_unused_result));

/* delta_count - how many keys the table holds (their deltas may be 0). */
size_t delta_count(struct delta_table *d);

/*
 * delta_each - calls fn for each key whose delta is not 0, in key order,
 * with the key (valid during the call), its length and the delta, until
 * fn returns nonzero, which delta_each then returns. Returns 0 at the
 * end or -ENOMEM. The table is unchanged.
 */
typedef int (*delta_each_fn)(void *arg, const uint8_t *key, size_t len,
			     int64_t v);
int delta_each(struct delta_table *d, delta_each_fn fn, void *arg);

#endif
