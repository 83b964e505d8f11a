/*
 * store.h - the consolidator's LMDB store (this module owns LMDB).
 *
 * Named tables, each a sorted key-value map. The envelope tables keep
 * the signed envelopes exactly as received, one table per institution
 * keyed by the 8-byte big-endian sequence number (so every put is an
 * append). Everything that answers queries is written in the same
 * transaction as the envelopes it derives from, so a crash leaves both
 * or neither.
 *
 * Pointers returned by store_get and passed to iterators point into the
 * map and stay valid only until the transaction ends.
 */
#ifndef KUSKA_STORE_H
#define KUSKA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum store_table {
	T_META = 0,  /* name -> value */
	T_INSTS,     /* institution (1 byte) -> struct inst_record */
	T_REFUSED,   /* institution, seq -> reason (1 byte) + text */
	T_CHANGES,   /* institution, target seq -> withdrawn, correction */
	T_ENV_FIRST, /* T_ENV_FIRST + institution - 1: seq -> envelope */
	T_ENV_LAST = T_ENV_FIRST + INST_COUNT - 1,
	T_STATS_FIRST, /* tables of the statistics module: 8 from here */
	/* T_ACCEPT_FIRST + institution - 1: seq -> the day (Peru time) the
	 * consolidator accepted the envelope, 4 bytes BE ^ 2^31 */
	T_ACCEPT_FIRST = T_STATS_FIRST + 8,
	T_ACCEPT_LAST = T_ACCEPT_FIRST + INST_COUNT - 1,
	T_COUNT = T_STATS_FIRST + 16,
};

#define STORE_APPEND 1u	     /* key is greater than every key in the table */
#define STORE_NOOVERWRITE 2u /* -EEXIST if the key is there */

struct store;
struct store_txn;

/*
 * store_open - opens (creating) the store in dir, with a map of
 * map_size bytes that may grow to max_size. Returns 0 and *ret, or
 * -errno.
 */
int store_open(const char *dir, size_t map_size, size_t max_size,
	       struct store **ret) __attribute__((warn_unused_result));
void store_close(struct store **st);

/* store_begin - a read (write = false) or the write transaction. */
int store_begin(struct store *st, bool write, struct store_txn **ret)
    __attribute__((warn_unused_result));
/* store_commit - commits durably; -ENOSPC when the map is full. */
int store_commit(struct store_txn **t) __attribute__((warn_unused_result));
void store_abort(struct store_txn **t);

/*
 * store_grow - doubles the map (up to the ceiling) with no transaction
 * open. Returns 0, or -ENOSPC at the ceiling.
 */
int store_grow(struct store *st) __attribute__((warn_unused_result));

/* store_set_max - sets the ceiling store_grow may reach. */
void store_set_max(struct store *st, size_t max_size);

/* store_map_size - the current map size in bytes. */
size_t store_map_size(struct store *st);

int store_get(struct store_txn *t, enum store_table tb, const void *k,
	      size_t klen, const void **ret_v, size_t *ret_vlen)
    __attribute__((warn_unused_result));
int store_put(struct store_txn *t, enum store_table tb, const void *k,
	      size_t klen, const void *v, size_t vlen, unsigned flags)
    __attribute__((warn_unused_result));
int store_del(struct store_txn *t, enum store_table tb, const void *k,
	      size_t klen);

/*
 * store_each - calls fn for every entry of tb whose key starts with
 * prefix (plen may be 0), in key order, until fn returns nonzero (which
 * store_each then returns). Returns 0 at the end or -errno.
 */
typedef int (*store_each_fn)(void *arg, const void *k, size_t klen,
			     const void *v, size_t vlen);
int store_each(struct store_txn *t, enum store_table tb, const void *prefix,
	       size_t plen, store_each_fn fn, void *arg);

/*
 * store_last - the last key/value of tb with the given prefix.
 * Returns 0, or -ENOENT.
 */
int store_last(struct store_txn *t, enum store_table tb, const void *prefix,
	       size_t plen, const void **ret_k, size_t *ret_klen,
	       const void **ret_v, size_t *ret_vlen);

/*
 * store_add - adds delta to the 8-byte big-endian counter under k in tb
 * (a missing counter is 0; one that reaches 0 is deleted; one that would
 * go below 0 stays at 0). One cursor descent per call; callers that add
 * many counters in key order get the best of it. Returns 0 or -errno.
 */
int store_add(struct store_txn *t, enum store_table tb, const void *k,
	      size_t klen, int64_t delta) __attribute__((warn_unused_result));

/* store_clear - empties tb (for a rebuild). */
int store_clear(struct store_txn *t, enum store_table tb)
    __attribute__((warn_unused_result));

/* Big-endian helpers for keys. */
void store_be64(uint8_t out[8], uint64_t v);
uint64_t store_get64(const uint8_t *p);
void store_be32(uint8_t out[4], uint32_t v);
uint32_t store_get32(const uint8_t *p);

#endif
