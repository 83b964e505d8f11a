/*
 * store_int.h - what store.c (the environment and its transactions),
 * store_entry.c (the entries read and written in a transaction) and
 * store_check.c (the check of a store not open, its repair) share:
 * internal to the three, the only files that see LMDB.
 */
#ifndef KUSKA_STORE_INT_H
#define KUSKA_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "lmdbcheck.h"
#include "store.h"

#define FORMAT_KEY "store_format"

struct store {
	MDB_env *env;
	MDB_dbi dbi[T_COUNT];
	/* Held shared by every open transaction, exclusively by store_grow:
	 * LMDB remaps the file only with no transaction open in the process,
	 * whichever thread opened it. */
	pthread_rwlock_t remap;
	atomic_size_t map_size, max_size;
	bool tagged; /* values carry a checksum */
	char *dir;
	uint64_t opened; /* this process's store_open count when opened */
};

struct store_txn {
	struct store *st;
	MDB_txn *txn;
	bool write;
	MDB_cursor *add_cur; /* store_add's cursor, on add_tb */
	enum store_table add_tb;
	/* STORE_APPEND's, one a table: left on the last entry, the next
	 * append finds its place without a descent from the root. */
	MDB_cursor *app_cur[T_COUNT];
	/* The other puts', one a table: left where the last put went, a
	 * key that falls in the same page finds its place without a
	 * descent (a batch's LIVE records, one institution's in seq order). */
	MDB_cursor *put_cur[T_COUNT];
};

/* store_err - LMDB's codes onto ours (0 or -errno). */
int store_err(int rc);

/*
 * store_write_format - marks st, in the write transaction txn, as a store
 * whose values carry checksums. Returns 0 or an LMDB error.
 */
int store_write_format(struct store *st, MDB_txn *txn);

#endif
