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
 * Every value carries a checksum (CRC-32C over key and value, four bytes
 * after the value) that store_get, store_each, store_last and store_add
 * verify: a damaged value is -EUCLEAN, never served. Callers never see the
 * checksum. store_check reads the whole store once (in a child process,
 * so that LMDB meeting a damaged page cannot crash the caller) and names
 * what is damaged. A store written before checksums existed (no
 * "store_format" in T_META) is read and written without them.
 *
 * Errors: -ENOENT not found, -EEXIST (STORE_NOOVERWRITE), -EFBIG the map
 * is full (store_grow may help), -ENOSPC no space left on the device,
 * -EUCLEAN a damaged value or file.
 *
 * Pointers returned by store_get and passed to iterators point into the
 * map and stay valid only until the transaction ends.
 *
 * Threads: one store may be used from several threads, each transaction
 * by one thread at a time. Read transactions run beside the write
 * transaction (there is one at a time: store_begin waits for it).
 * store_grow waits until no transaction of any thread is open, so a
 * thread that calls it must hold none itself.
 */
#ifndef KUSKA_STORE_H
#define KUSKA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
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
	T_REFUSED_ENV = T_STATS_FIRST + 16, /* institution, seq -> envelope */
	T_COUNT,
};

#define STORE_APPEND 1u	     /* key is greater than every key in the table */
#define STORE_NOOVERWRITE 2u /* -EEXIST if the key is there */

struct store;
struct store_txn;

/*
 * store_open - opens (creating) the store in dir, with a map of
 * map_size bytes that may grow to max_size. Returns 0 and *ret, -EUCLEAN
 * when the data file is shorter than the store it holds (truncated), or
 * -errno.
 */
int store_open(const char *dir, size_t map_size, size_t max_size,
	       struct store **ret) __attribute__((warn_unused_result));
void store_close(struct store **st);

/* store_dir - the directory the store was opened in. */
const char *store_dir(const struct store *st);

/* store_checked - false for a store written before checksums existed. */
bool store_checked(const struct store *st);

#define STORE_MAX_LISTED 1000 /* damaged entries store_check lists */
#define STORE_KEY_LISTED 64   /* bytes of a damaged entry's key kept */

struct store_damage {
	enum store_table tb;
	uint8_t key[STORE_KEY_LISTED]; /* the key's first bytes */
	size_t klen;		       /* its length (255: 255 or more) */
};

struct store_report {
	bool unreadable;    /* LMDB cannot read the file: see why */
	char why[256];	    /* unreadable: truncated, crashed, ... */
	bool unchecked;	    /* no checksums (an older store) */
	uint64_t entries;   /* entries read */
	uint64_t n_damaged; /* entries whose checksum fails */
	size_t n_listed;    /* of which listed in damaged[] */
	struct store_damage *damaged;
	uint64_t damaged_in[T_COUNT]; /* by table */
};

/*
 * store_check - reads every entry of the store in dir (not open in this
 * process) and verifies its checksum, in a child process. Fills *ret (the
 * caller releases it with store_report_clear). A missing store is sound.
 * Returns 0 (the report says whether the store is sound), -EXDEV for a
 * node's outbox (daemon_store_error), or -errno when the check itself
 * could not run.
 */
int store_check(const char *dir, struct store_report *ret)
    __attribute__((warn_unused_result));

/*
 * store_check in two halves, for a process that will have threads: the
 * start forks the child before they exist (lmdbcheck.h), the finish
 * waits for it and returns as store_check, freeing *chk and setting it
 * to NULL. dir must stay until then, and a start be finished. A start
 * out of memory returns NULL, which the finish reads as -ENOMEM.
 */
struct store_checking;
struct store_checking *store_check_start(const char *dir);
int store_check_finish(struct store_checking **chk, struct store_report *ret)
    __attribute__((warn_unused_result));
void store_report_clear(struct store_report *r);

/* store_sound - the report found nothing wrong. */
bool store_sound(const struct store_report *r);

/*
 * store_set_aside - renames the data file of dir to data.mdb.damaged-TIME
 * (its name into moved_to) and removes the lock file, so that the next
 * store_open starts empty. Returns 0 or -errno.
 */
int store_set_aside(const char *dir, char *moved_to, size_t cap)
    __attribute__((warn_unused_result));

/* store_begin - a read (write = false) or the write transaction. */
int store_begin(struct store *st, bool write, struct store_txn **ret)
    __attribute__((warn_unused_result));
/* store_commit - commits durably; -EFBIG map full, -ENOSPC disk full. */
int store_commit(struct store_txn **t) __attribute__((warn_unused_result));
void store_abort(struct store_txn **t);

/*
 * The committed state a read transaction sees, for caches of what is
 * computed from it (store_txn_state): which store_open of this process,
 * and which commit of it. opened 0: no state to cache by.
 */
struct store_state {
	uint64_t opened;
	uint64_t commit;
};

/*
 * store_txn_state - the state read transaction t sees: two read
 * transactions of one open store that see the same commit have the same
 * state, and read the same data; any commit in between (of this process
 * or another) makes it differ, and so does closing and opening the
 * store again. The write transaction has no state (opened 0): what it
 * reads is not committed.
 */
struct store_state store_txn_state(const struct store_txn *t);

/* store_state_same - whether a and b are one state (never when opened
 * is 0). */
bool store_state_same(struct store_state a, struct store_state b);

/*
 * store_grow - doubles the map (up to the ceiling); waits until no
 * transaction is open (the caller holds none). Returns 0, or -EFBIG at
 * the ceiling.
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

/*
 * store_del_from - deletes every entry of tb whose key is k or sorts
 * after it and starts with k's first plen bytes, without reading the
 * values (which may be damaged). Returns the number deleted or -errno.
 */
int store_del_from(struct store_txn *t, enum store_table tb, const void *k,
		   size_t klen, size_t plen);

/*
 * store_drop_damaged - deletes, in t, every damaged entry r lists whose
 * whole key it kept (the caller rebuilds what they held), and writes the
 * store's format mark again if it was among them. Returns 0 or -errno.
 */
int store_drop_damaged(struct store_txn *t, const struct store_report *r)
    __attribute__((warn_unused_result));

/* store_clear - empties tb (for a rebuild). */
int store_clear(struct store_txn *t, enum store_table tb)
    __attribute__((warn_unused_result));

/* Big-endian keys and counters (lib/bytes.h), under the store's names. */
static inline void
store_be64(uint8_t out[8], uint64_t v)
{
	bytes_put_be64(out, v);
}

static inline uint64_t
store_get64(const uint8_t *p)
{
	return bytes_get_be64(p);
}

static inline void
store_be32(uint8_t out[4], uint32_t v)
{
	bytes_put_be32(out, v);
}

static inline uint32_t
store_get32(const uint8_t *p)
{
	return bytes_get_be32(p);
}

#endif
