/*
 * store_entry.c - the entries of the store's tables, read and written in
 * a transaction: get, put, delete, walk, the last of a prefix, counters
 * added to; see store.h.
 */
#include "store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store_int.h"

int
store_get(struct store_txn *t, enum store_table tb, const void *k, size_t klen,
	  const void **ret_v, size_t *ret_vlen)
{
	MDB_val key = {klen, (void *)k}, val;
	int rc = mdb_get(t->txn, t->st->dbi[tb], &key, &val);

	if (rc != 0)
		return store_err(rc);
	if (lmdbcheck_untag(t->st->tagged, &key, &val) != 0)
		return -EUCLEAN;
	*ret_v = val.mv_data;
	*ret_vlen = val.mv_size;
	return 0;
}

int
store_put(struct store_txn *t, enum store_table tb, const void *k, size_t klen,
	  const void *v, size_t vlen, unsigned flags)
{
	MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
	MDB_cursor **cur;
	unsigned f = 0;
	int rc;

	if (flags & STORE_APPEND)
		f |= MDB_APPEND;
	if (flags & STORE_NOOVERWRITE)
		f |= MDB_NOOVERWRITE;
	if (t->st->tagged) {
		/* Room for value and checksum in the page itself: no copy. */
		val.mv_size = vlen + LMDBCHECK_TAG_LEN;
		val.mv_data = NULL;
		f |= MDB_RESERVE;
	}
	cur = flags & STORE_APPEND ? &t->app_cur[tb] : &t->put_cur[tb];
	if (*cur == NULL &&
	    (rc = mdb_cursor_open(t->txn, t->st->dbi[tb], cur)) != 0)
		return store_err(rc);
	rc = mdb_cursor_put(*cur, &key, &val, f);
	if (rc != 0 || !t->st->tagged)
		return store_err(rc);
	if (vlen > 0)
		memcpy(val.mv_data, v, vlen);
	store_be32((uint8_t *)val.mv_data + vlen,
		   lmdbcheck_tag(k, klen, v, vlen));
	return 0;
}

int
store_del(struct store_txn *t, enum store_table tb, const void *k, size_t klen)
{
	MDB_val key = {klen, (void *)k};

	return store_err(mdb_del(t->txn, t->st->dbi[tb], &key, NULL));
}

int
store_each(struct store_txn *t, enum store_table tb, const void *prefix,
	   size_t plen, store_each_fn fn, void *arg)
{
	MDB_cursor *cur;
	MDB_val k = {plen, (void *)prefix}, v;
	int rc, r = 0;

	rc = mdb_cursor_open(t->txn, t->st->dbi[tb], &cur);
	if (rc != 0)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0) {
		if (plen > 0 &&
		    (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if (lmdbcheck_untag(t->st->tagged, &k, &v) != 0) {
			r = -EUCLEAN;
			break;
		}
		r = fn(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
		if (r != 0)
			break;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (r != 0)
		return r;
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : store_err(rc);
}

int
store_last(struct store_txn *t, enum store_table tb, const void *prefix,
	   size_t plen, const void **ret_k, size_t *ret_klen,
	   const void **ret_v, size_t *ret_vlen)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;
	uint8_t next[64];
	size_t i;

	if (plen > sizeof(next))
		return -EINVAL;
	rc = mdb_cursor_open(t->txn, t->st->dbi[tb], &cur);
	if (rc != 0)
		return store_err(rc);
	if (plen == 0) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	} else {
		/* Seek past the prefix (prefix + 1), then step back. */
		memcpy(next, prefix, plen);
		for (i = plen; i > 0; i--)
			if (++next[i - 1] != 0)
				break;
		/* The smallest key past the prefix ends at the byte that
		 * took the carry ("b\xff" -> "c"). */
		k.mv_size = i;
		k.mv_data = next;
		rc = i == 0 ? MDB_NOTFOUND
			    : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc == 0)
			rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
		else if (rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		if (rc == 0 &&
		    (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			rc = MDB_NOTFOUND;
	}
	mdb_cursor_close(cur);
	if (rc != 0)
		return store_err(rc);
	if (lmdbcheck_untag(t->st->tagged, &k, &v) != 0)
		return -EUCLEAN;
	*ret_k = k.mv_data;
	*ret_klen = k.mv_size;
	*ret_v = v.mv_data;
	*ret_vlen = v.mv_size;
	return 0;
}

/*
 * Inserts the counter key at delta (> 0) with t->add_cur unless the key is
 * there. Returns 0, MDB_KEYEXIST or an LMDB error.
 */
static int
add_new(struct store_txn *t, MDB_val *key, int64_t delta)
{
	uint8_t b[8 + LMDBCHECK_TAG_LEN];
	MDB_val val = {8, b};

	store_be64(b, (uint64_t)delta);
	if (t->st->tagged) {
		store_be32(b + 8,
			   lmdbcheck_tag(key->mv_data, key->mv_size, b, 8));
		val.mv_size += LMDBCHECK_TAG_LEN;
	}
	return mdb_cursor_put(t->add_cur, key, &val, MDB_NOOVERWRITE);
}

/* Whether cur stands on key; then *val is its value. */
static bool
cursor_on(MDB_cursor *cur, const MDB_val *key, MDB_val *val)
{
	MDB_val at;

	return mdb_cursor_get(cur, &at, val, MDB_GET_CURRENT) == 0 &&
	       at.mv_size == key->mv_size &&
	       memcmp(at.mv_data, key->mv_data, at.mv_size) == 0;
}

int
store_add(struct store_txn *t, enum store_table tb, const void *k, size_t klen,
	  int64_t delta)
{
	MDB_val key = {klen, (void *)k}, val;
	uint8_t b[8 + LMDBCHECK_TAG_LEN];
	int64_t cur = 0;
	int rc;

	if (t->add_cur == NULL || t->add_tb != tb) {
		if (t->add_cur != NULL)
			mdb_cursor_close(t->add_cur);
		t->add_cur = NULL;
		rc = mdb_cursor_open(t->txn, t->st->dbi[tb], &t->add_cur);
		if (rc != 0)
			return store_err(rc);
		t->add_tb = tb;
	}
	/* Mostly a counter goes up, and in a young store it is often new:
	 * then one descent inserts it. When it is there, the cursor is read
	 * back on it (checked: the API does not promise where a refused
	 * put leaves the cursor) or, failing that, set on it. */
	if (delta > 0) {
		rc = add_new(t, &key, delta);
		if (rc == 0)
			return 0;
		if (rc != MDB_KEYEXIST)
			return store_err(rc);
		rc = cursor_on(t->add_cur, &key, &val)
			 ? 0
			 : mdb_cursor_get(t->add_cur, &key, &val, MDB_SET_KEY);
	} else {
		rc = mdb_cursor_get(t->add_cur, &key, &val, MDB_SET_KEY);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	if (rc == 0 && lmdbcheck_untag(t->st->tagged, &key, &val) != 0)
		return -EUCLEAN;
	if (rc == 0 && val.mv_size == 8)
		cur = (int64_t)store_get64(val.mv_data);
	if (cur < 0)
		cur = INT64_MAX; /* not written by us: keep it saturated */
	if (delta > 0 && cur > INT64_MAX - delta)
		cur = INT64_MAX;
	else
		cur += delta;
	if (cur <= 0)
		return rc == 0 ? store_err(mdb_cursor_del(t->add_cur, 0)) : 0;
	store_be64(b, (uint64_t)cur);
	val.mv_size = 8;
	val.mv_data = b;
	if (t->st->tagged) {
		store_be32(b + 8,
			   lmdbcheck_tag(key.mv_data, key.mv_size, b, 8));
		val.mv_size += LMDBCHECK_TAG_LEN;
	}
	/* An existing counter keeps its size: overwrite it in place. */
	return store_err(
	    mdb_cursor_put(t->add_cur, &key, &val, rc == 0 ? MDB_CURRENT : 0));
}

int
store_clear(struct store_txn *t, enum store_table tb)
{
	return store_err(mdb_drop(t->txn, t->st->dbi[tb], 0));
}

int
store_del_from(struct store_txn *t, enum store_table tb, const void *k,
	       size_t klen, size_t plen)
{
	MDB_cursor *cur;
	MDB_val key = {klen, (void *)k}, val;
	int rc, n = 0;

	rc = mdb_cursor_open(t->txn, t->st->dbi[tb], &cur);
	if (rc != 0)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (rc == 0 && key.mv_size >= plen &&
	       memcmp(key.mv_data, k, plen) == 0) {
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
		n++;
		key.mv_size = klen;
		key.mv_data = (void *)k;
		rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return store_err(rc);
	return n;
}
