/* lmdbwalk.c - a key-ordered walk over one LMDB table; see lmdbwalk.h. */
#include "lmdbwalk.h"

#include <stdbool.h>
#include <string.h>

int
lmdbwalk_table(MDB_txn *txn, MDB_dbi dbi, lmdbwalk_fn fn, void *arg,
	       uint64_t *entries)
{
	MDB_cursor *cur;
	MDB_val k, v;
	uint8_t prev[512];
	size_t prev_len = 0;
	bool first = true;
	int rc;

	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		size_t m = k.mv_size < prev_len ? k.mv_size : prev_len;
		int c = m > 0 ? memcmp(k.mv_data, prev, m) : 0;

		if (k.mv_size > sizeof(prev) ||
		    (!first && (c < 0 || (c == 0 && k.mv_size <= prev_len)))) {
			rc = MDB_CORRUPTED; /* keys out of order */
			break;
		}
		memcpy(prev, k.mv_data, k.mv_size);
		prev_len = k.mv_size;
		first = false;
		(*entries)++;
		fn(arg, &k, &v);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}
