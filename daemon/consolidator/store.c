/* store.c - the consolidator's LMDB store; see store.h. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "log.h"

struct store {
	MDB_env *env;
	MDB_dbi dbi[T_COUNT];
	size_t map_size, max_size;
};

struct store_txn {
	struct store *st;
	MDB_txn *txn;
	MDB_cursor *add_cur; /* store_add's cursor, on add_tb */
	enum store_table add_tb;
};

static int
mdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return -ENOSPC;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_MAP_RESIZED:
		return -EAGAIN;
	default:
		if (rc > 0)
			return -rc; /* an errno value */
		return -EIO;
	}
}

void
store_be64(uint8_t out[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t
store_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void
store_be32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

uint32_t
store_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int
store_open(const char *dir, size_t map_size, size_t max_size,
	   struct store **ret)
{
	struct store *st;
	MDB_txn *txn;
	MDB_envinfo info;
	int rc, i;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	if ((rc = mdb_env_create(&st->env)) != 0) {
		free(st);
		return mdb_err(rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->env, T_COUNT + 4)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, map_size)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)) != 0)
		goto fail;
	/* An existing store may be larger than asked: keep its size. */
	mdb_env_info(st->env, &info);
	st->map_size = info.me_mapsize;
	st->max_size = max_size > st->map_size ? max_size : st->map_size;
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0)
		goto fail;
	for (i = 0; i < T_COUNT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%02d", i);
		if ((rc = mdb_dbi_open(txn, name, MDB_CREATE, &st->dbi[i])) !=
		    0) {
			mdb_txn_abort(txn);
			goto fail;
		}
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	*ret = st;
	return 0;
fail:
	mdb_env_close(st->env);
	free(st);
	return mdb_err(rc);
}

void
store_close(struct store **st)
{
	if (st == NULL || *st == NULL)
		return;
	mdb_env_close((*st)->env);
	free(*st);
	*st = NULL;
}

int
store_begin(struct store *st, bool write, struct store_txn **ret)
{
	struct store_txn *t = calloc(1, sizeof(*t));
	int rc;

	if (t == NULL)
		return -ENOMEM;
	rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc != 0) {
		free(t);
		return mdb_err(rc);
	}
	t->st = st;
	*ret = t;
	return 0;
}

int
store_commit(struct store_txn **t)
{
	int rc;

	if ((*t)->add_cur != NULL)
		mdb_cursor_close((*t)->add_cur);
	rc = mdb_txn_commit((*t)->txn);

	free(*t);
	*t = NULL;
	return mdb_err(rc);
}

void
store_abort(struct store_txn **t)
{
	if (t == NULL || *t == NULL)
		return;
	if ((*t)->add_cur != NULL)
		mdb_cursor_close((*t)->add_cur);
	mdb_txn_abort((*t)->txn);
	free(*t);
	*t = NULL;
}

int
store_grow(struct store *st)
{
	size_t want = st->map_size * 2;
	int rc;

	if (st->map_size >= st->max_size)
		return -ENOSPC;
	if (want > st->max_size)
		want = st->max_size;
	rc = mdb_env_set_mapsize(st->env, want);
	if (rc != 0)
		return mdb_err(rc);
	log_info("event=store_grown map_size_kib=%zu map_size_mb=%zu",
		 want >> 10, want >> 20);
	st->map_size = want;
	return 0;
}

void
store_set_max(struct store *st, size_t max_size)
{
	st->max_size = max_size > st->map_size ? max_size : st->map_size;
}

size_t
store_map_size(struct store *st)
{
	return st->map_size;
}

int
store_get(struct store_txn *t, enum store_table tb, const void *k, size_t klen,
	  const void **ret_v, size_t *ret_vlen)
{
	MDB_val key = {klen, (void *)k}, val;
	int rc = mdb_get(t->txn, t->st->dbi[tb], &key, &val);

	if (rc != 0)
		return mdb_err(rc);
	*ret_v = val.mv_data;
	*ret_vlen = val.mv_size;
	return 0;
}

int
store_put(struct store_txn *t, enum store_table tb, const void *k, size_t klen,
	  const void *v, size_t vlen, unsigned flags)
{
	MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
	unsigned f = 0;

	if (flags & STORE_APPEND)
		f |= MDB_APPEND;
	if (flags & STORE_NOOVERWRITE)
		f |= MDB_NOOVERWRITE;
	return mdb_err(mdb_put(t->txn, t->st->dbi[tb], &key, &val, f));
}

int
store_del(struct store_txn *t, enum store_table tb, const void *k, size_t klen)
{
	MDB_val key = {klen, (void *)k};

	return mdb_err(mdb_del(t->txn, t->st->dbi[tb], &key, NULL));
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
		return mdb_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0) {
		if (plen > 0 &&
		    (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		r = fn(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
		if (r != 0)
			break;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (r != 0)
		return r;
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : mdb_err(rc);
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
		return mdb_err(rc);
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
		return mdb_err(rc);
	*ret_k = k.mv_data;
	*ret_klen = k.mv_size;
	*ret_v = v.mv_data;
	*ret_vlen = v.mv_size;
	return 0;
}

int
store_add(struct store_txn *t, enum store_table tb, const void *k, size_t klen,
	  int64_t delta)
{
	MDB_val key = {klen, (void *)k}, val;
	uint8_t b[8];
	int64_t cur = 0;
	int rc;

	if (t->add_cur == NULL || t->add_tb != tb) {
		if (t->add_cur != NULL)
			mdb_cursor_close(t->add_cur);
		t->add_cur = NULL;
		rc = mdb_cursor_open(t->txn, t->st->dbi[tb], &t->add_cur);
		if (rc != 0)
			return mdb_err(rc);
		t->add_tb = tb;
	}
	rc = mdb_cursor_get(t->add_cur, &key, &val, MDB_SET_KEY);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return mdb_err(rc);
	if (rc == 0 && val.mv_size == 8)
		cur = (int64_t)store_get64(val.mv_data);
	if (cur < 0)
		cur = INT64_MAX; /* not written by us: keep it saturated */
	if (delta > 0 && cur > INT64_MAX - delta)
		cur = INT64_MAX;
	else
		cur += delta;
	if (cur <= 0)
		return rc == 0 ? mdb_err(mdb_cursor_del(t->add_cur, 0)) : 0;
	store_be64(b, (uint64_t)cur);
	val.mv_size = 8;
	val.mv_data = b;
	/* An existing counter keeps its size: overwrite it in place. */
	return mdb_err(
	    mdb_cursor_put(t->add_cur, &key, &val, rc == 0 ? MDB_CURRENT : 0));
}

int
store_clear(struct store_txn *t, enum store_table tb)
{
	return mdb_err(mdb_drop(t->txn, t->st->dbi[tb], 0));
}
