/*
 * lmdbwalk.h - a walk over one LMDB table that checks its key order, for
 * the daemons' offline checks of their stores (guard.h). Built apart
 * from lib/ (libkuska_lmdbwalk.a) so that only the daemons with an LMDB
 * store link LMDB.
 */
#ifndef KUSKA_LMDBWALK_H
#define KUSKA_LMDBWALK_H

#include <stdint.h>

#include <lmdb.h>

/*
 * lmdbwalk_fn - called with each entry, in key order; v may be changed
 * (it is the walk's copy). k and v are valid until it returns.
 */
typedef void (*lmdbwalk_fn)(void *arg, const MDB_val *k, MDB_val *v);

/*
 * lmdbwalk_table - calls fn(arg, key, value) on each entry of dbi in txn,
 * in key order, and adds one to *entries before each call. Keys longer
 * than 512 bytes, or not strictly increasing, stop the walk. Returns 0,
 * MDB_CORRUPTED for keys out of order, or another LMDB error code (left
 * as LMDB's, for mdb_strerror).
 */
int lmdbwalk_table(MDB_txn *txn, MDB_dbi dbi, lmdbwalk_fn fn, void *arg,
		   uint64_t *entries);

#endif
