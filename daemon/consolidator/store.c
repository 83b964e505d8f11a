/* store.c - the consolidator's LMDB store; see store.h. */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "crc32c.h"
#include "daemon.h"
#include "guard.h"
#include "lmdbwalk.h"
#include "log.h"

#define TAG_LEN 4 /* CRC-32C of key and value, after the value */
#define FORMAT_KEY "store_format"
#define FORMAT_VALUE "kuska-store-2 (values checksummed)"
/* A failed write with less than this free is a full disk. */
#define DISK_LOW_BYTES (16u << 20)

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
};

struct store_txn {
	struct store *st;
	MDB_txn *txn;
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

/* Closes t's cursors (before its transaction ends). */
static void
close_cursors(struct store_txn *t)
{
	int i;

	if (t->add_cur != NULL)
		mdb_cursor_close(t->add_cur);
	for (i = 0; i < T_COUNT; i++) {
		if (t->app_cur[i] != NULL)
			mdb_cursor_close(t->app_cur[i]);
		if (t->put_cur[i] != NULL)
			mdb_cursor_close(t->put_cur[i]);
	}
}

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
		return -EFBIG;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_MAP_RESIZED:
		return -EAGAIN;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return -EUCLEAN;
	default:
		if (rc > 0)
			return -rc; /* an errno value */
		return -EIO;
	}
}

/*
 * LMDB's own key order (memcmp's, a key before the longer ones it
 * begins), compared eight bytes a step instead of through memcmp: a
 * counter update compares its key some eight times on the way down, and
 * the library's compare and memcmp were 8% of the writer's instructions.
 * The order is the same, so the same pages: a store written before or
 * read by anything using the default order is the same store.
 */
static int
key_cmp(const MDB_val *a, const MDB_val *b)
{
	const uint8_t *p = a->mv_data, *q = b->mv_data;
	size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
	uint64_t x, y;
	uint32_t x4, y4;
	uint16_t x2, y2;

	for (; n >= 8; n -= 8, p += 8, q += 8) {
		memcpy(&x, p, 8);
		memcpy(&y, q, 8);
		if (x != y)
			goto differ;
	}
	/* The last n < 8 bytes, read big-endian into one number each. */
	x = y = 0;
	if (n & 4) {
		memcpy(&x4, p, 4);
		memcpy(&y4, q, 4);
		x = be32toh(x4);
		y = be32toh(y4);
		p += 4;
		q += 4;
	}
	if (n & 2) {
		memcpy(&x2, p, 2);
		memcpy(&y2, q, 2);
		x = x << 16 | be16toh(x2);
		y = y << 16 | be16toh(y2);
		p += 2;
		q += 2;
	}
	if (n & 1) {
		x = x << 8 | *p;
		y = y << 8 | *q;
	}
	if (x != y)
		return x < y ? -1 : 1;
	if (a->mv_size != b->mv_size)
		return a->mv_size < b->mv_size ? -1 : 1;
	return 0;
differ:
	return be64toh(x) < be64toh(y) ? -1 : 1;
}

static uint32_t
tag_of(const void *k, size_t klen, const void *v, size_t vlen)
{
	return crc32c(crc32c(0, k, klen), v, vlen);
}

/*
 * The value of an entry without its checksum, or -EUCLEAN when the
 * checksum does not match (or there is none where one must be).
 */
static int
untag(const struct store *st, const MDB_val *k, MDB_val *v)
{
	if (!st->tagged)
		return 0;
	if (v->mv_size < TAG_LEN)
		return -EUCLEAN;
	v->mv_size -= TAG_LEN;
	if (store_get32((const uint8_t *)v->mv_data + v->mv_size) !=
	    tag_of(k->mv_data, k->mv_size, v->mv_data, v->mv_size))
		return -EUCLEAN;
	return 0;
}

/*
 * Whether the data file holds every page the store says it has: reading
 * past its end raises SIGBUS. why gets the figures when it does not.
 */
static int
check_length(MDB_env *env, char *why, size_t cap)
{
	MDB_envinfo info;
	MDB_stat stat;
	struct stat sb;
	int fd;
	uint64_t need;

	if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &stat) != 0 ||
	    mdb_env_get_fd(env, &fd) != 0)
		return -EIO;
	if (fstat(fd, &sb) != 0)
		return -errno;
	need = ((uint64_t)info.me_last_pgno + 1) * stat.ms_psize;
	if ((uint64_t)sb.st_size >= need)
		return 0;
	if (why != NULL)
		snprintf(why, cap,
			 "truncated: the data file holds %llu bytes, the store "
			 "needs %llu",
			 (unsigned long long)sb.st_size,
			 (unsigned long long)need);
	return -EUCLEAN;
}

/*
 * Decides, in a write transaction, whether values carry checksums: yes
 * when the format key says so or the store is new (the key is then
 * written); no for a store with data and no key (an older kuska).
 */
static int write_format(struct store *st, MDB_txn *txn);

static int
settle_format(struct store *st, MDB_txn *txn)
{
	MDB_val k = {strlen(FORMAT_KEY), FORMAT_KEY}, v;
	MDB_stat ms;
	int i, rc;

	rc = mdb_get(txn, st->dbi[T_META], &k, &v);
	if (rc == 0) {
		st->tagged = true;
		return 0;
	}
	if (rc != MDB_NOTFOUND)
		return rc;
	for (i = 0; i < T_COUNT; i++)
		if (mdb_stat(txn, st->dbi[i], &ms) == 0 && ms.ms_entries > 0) {
			st->tagged = false;
			return 0;
		}
	return write_format(st, txn);
}

/* Marks the store as one whose values carry checksums. */
static int
write_format(struct store *st, MDB_txn *txn)
{
	MDB_val k = {strlen(FORMAT_KEY), FORMAT_KEY}, v;
	uint8_t buf[sizeof(FORMAT_VALUE) - 1 + TAG_LEN];

	st->tagged = true;
	memcpy(buf, FORMAT_VALUE, sizeof(FORMAT_VALUE) - 1);
	store_be32(buf + sizeof(FORMAT_VALUE) - 1,
		   tag_of(FORMAT_KEY, strlen(FORMAT_KEY), FORMAT_VALUE,
			  sizeof(FORMAT_VALUE) - 1));
	v.mv_size = sizeof(buf);
	v.mv_data = buf;
	return mdb_put(txn, st->dbi[T_META], &k, &v, 0);
}

const char *
store_dir(const struct store *st)
{
	return st->dir;
}

bool
store_checked(const struct store *st)
{
	return st->tagged;
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
	st->dir = strdup(dir);
	if (st->dir == NULL) {
		free(st);
		return -ENOMEM;
	}
	if ((rc = pthread_rwlock_init(&st->remap, NULL)) != 0) {
		free(st->dir);
		free(st);
		return -rc;
	}
	if ((rc = mdb_env_create(&st->env)) != 0) {
		pthread_rwlock_destroy(&st->remap);
		free(st->dir);
		free(st);
		return mdb_err(rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->env, T_COUNT + 4)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, map_size)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)) != 0)
		goto fail;
	if (check_length(st->env, NULL, 0) != 0) {
		rc = MDB_CORRUPTED;
		goto fail;
	}
	/* A reader that died (a crashed check) must not pin old pages. */
	(void)mdb_reader_check(st->env, NULL);
	/* An existing store may be larger than asked: keep its size. */
	mdb_env_info(st->env, &info);
	st->map_size = info.me_mapsize;
	st->max_size = max_size > info.me_mapsize ? max_size : info.me_mapsize;
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0)
		goto fail;
	for (i = 0; i < T_COUNT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%02d", i);
		if ((rc = mdb_dbi_open(txn, name, MDB_CREATE, &st->dbi[i])) !=
			0 ||
		    (rc = mdb_set_compare(txn, st->dbi[i], key_cmp)) != 0) {
			mdb_txn_abort(txn);
			goto fail;
		}
	}
	if ((rc = settle_format(st, txn)) != 0) {
		mdb_txn_abort(txn);
		goto fail;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	*ret = st;
	return 0;
fail:
	mdb_env_close(st->env);
	pthread_rwlock_destroy(&st->remap);
	free(st->dir);
	free(st);
	return mdb_err(rc);
}

void
store_close(struct store **st)
{
	if (st == NULL || *st == NULL)
		return;
	mdb_env_close((*st)->env);
	pthread_rwlock_destroy(&(*st)->remap);
	free((*st)->dir);
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
	pthread_rwlock_rdlock(&st->remap);
	rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc != 0) {
		pthread_rwlock_unlock(&st->remap);
		free(t);
		return mdb_err(rc);
	}
	t->st = st;
	*ret = t;
	return 0;
}

/*
 * A write that failed for lack of room: LMDB reports a short write as
 * EIO, so ask the file system how much is left.
 */
static int
write_error(const struct store *st, int err)
{
	struct statvfs vfs;

	if (err != -EIO && err != -ENOSPC)
		return err;
	if (statvfs(st->dir, &vfs) != 0)
		return err;
	if ((uint64_t)vfs.f_bavail * vfs.f_frsize < DISK_LOW_BYTES)
		return -ENOSPC;
	return err;
}

int
store_commit(struct store_txn **t)
{
	struct store *st = (*t)->st;
	int rc;

	close_cursors(*t);
	rc = mdb_txn_commit((*t)->txn);
	pthread_rwlock_unlock(&st->remap);
	free(*t);
	*t = NULL;
	return write_error(st, mdb_err(rc));
}

void
store_abort(struct store_txn **t)
{
	if (t == NULL || *t == NULL)
		return;
	close_cursors(*t);
	mdb_txn_abort((*t)->txn);
	pthread_rwlock_unlock(&(*t)->st->remap);
	free(*t);
	*t = NULL;
}

int
store_grow(struct store *st)
{
	size_t have = st->map_size, max = st->max_size, want = have * 2;
	int rc;

	if (have >= max)
		return -EFBIG;
	if (want > max)
		want = max;
	/* Waits for the other threads' transactions to end. */
	pthread_rwlock_wrlock(&st->remap);
	rc = mdb_env_set_mapsize(st->env, want);
	pthread_rwlock_unlock(&st->remap);
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
	size_t have = st->map_size;

	st->max_size = max_size > have ? max_size : have;
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
	if (untag(t->st, &key, &val) != 0)
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
		val.mv_size = vlen + TAG_LEN;
		val.mv_data = NULL;
		f |= MDB_RESERVE;
	}
	cur = flags & STORE_APPEND ? &t->app_cur[tb] : &t->put_cur[tb];
	if (*cur == NULL &&
	    (rc = mdb_cursor_open(t->txn, t->st->dbi[tb], cur)) != 0)
		return mdb_err(rc);
	rc = mdb_cursor_put(*cur, &key, &val, f);
	if (rc != 0 || !t->st->tagged)
		return mdb_err(rc);
	if (vlen > 0)
		memcpy(val.mv_data, v, vlen);
	store_be32((uint8_t *)val.mv_data + vlen, tag_of(k, klen, v, vlen));
	return 0;
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
		if (untag(t->st, &k, &v) != 0) {
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
	if (untag(t->st, &k, &v) != 0)
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
	uint8_t b[8 + TAG_LEN];
	MDB_val val = {8, b};

	store_be64(b, (uint64_t)delta);
	if (t->st->tagged) {
		store_be32(b + 8, tag_of(key->mv_data, key->mv_size, b, 8));
		val.mv_size += TAG_LEN;
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
	uint8_t b[8 + TAG_LEN];
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
	/* Mostly a counter goes up, and in a young store it is often new:
	 * then one descent inserts it. When it is there, the cursor is read
	 * back on it (checked: the API does not promise where a refused
	 * put leaves the cursor) or, failing that, set on it. */
	if (delta > 0) {
		rc = add_new(t, &key, delta);
		if (rc == 0)
			return 0;
		if (rc != MDB_KEYEXIST)
			return mdb_err(rc);
		rc = cursor_on(t->add_cur, &key, &val)
			 ? 0
			 : mdb_cursor_get(t->add_cur, &key, &val, MDB_SET_KEY);
	} else {
		rc = mdb_cursor_get(t->add_cur, &key, &val, MDB_SET_KEY);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		return mdb_err(rc);
	if (rc == 0 && untag(t->st, &key, &val) != 0)
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
		return rc == 0 ? mdb_err(mdb_cursor_del(t->add_cur, 0)) : 0;
	store_be64(b, (uint64_t)cur);
	val.mv_size = 8;
	val.mv_data = b;
	if (t->st->tagged) {
		store_be32(b + 8, tag_of(key.mv_data, key.mv_size, b, 8));
		val.mv_size += TAG_LEN;
	}
	/* An existing counter keeps its size: overwrite it in place. */
	return mdb_err(
	    mdb_cursor_put(t->add_cur, &key, &val, rc == 0 ? MDB_CURRENT : 0));
}

int
store_clear(struct store_txn *t, enum store_table tb)
{
	return mdb_err(mdb_drop(t->txn, t->st->dbi[tb], 0));
}

/* ---- the whole-store check, run in a child (guard.h) ------------------ */

/* Records the child writes for the parent, each starting with its kind. */
#define REC_DAMAGED 'D'	   /* table, key length, 16 key bytes */
#define REC_UNREADABLE 'U' /* text length, text */
#define REC_SUMMARY 'S'	   /* entries (8 bytes), unchecked (1 byte) */
#define REC_OTHER 'X'	   /* a node's tables */
#define DAMAGED_REC_LEN (3 + STORE_KEY_LISTED)

static void
emit_damaged(int fd, int tb, const MDB_val *k)
{
	uint8_t rec[DAMAGED_REC_LEN] = {REC_DAMAGED, (uint8_t)tb};
	size_t kl =
	    k->mv_size < STORE_KEY_LISTED ? k->mv_size : STORE_KEY_LISTED;

	rec[2] = (uint8_t)(k->mv_size > 255 ? 255 : k->mv_size);
	memcpy(rec + 3, k->mv_data, kl);
	(void)guard_write(fd, rec, sizeof(rec));
}

static void
emit_summary(int fd, uint64_t entries, bool unchecked)
{
	uint8_t rec[10] = {REC_SUMMARY};

	store_be64(rec + 1, entries);
	rec[9] = unchecked;
	(void)guard_write(fd, rec, sizeof(rec));
}

struct check_ctx {
	const struct store *st;
	int tb;
	int fd;
};

/* An entry of a table: its checksum. */
static void
check_entry(void *arg, const MDB_val *k, MDB_val *v)
{
	const struct check_ctx *c = arg;

	if (untag(c->st, k, v) != 0)
		emit_damaged(c->fd, c->tb, k);
}

static int
check_child(void *arg, int fd)
{
	struct store st = {.dir = arg};
	char path[4096], why[256];
	MDB_txn *txn = NULL;
	MDB_val fk = {strlen(FORMAT_KEY), FORMAT_KEY}, fv;
	MDB_stat ms;
	const char *odd;
	uint64_t entries = 0;
	bool any = false;
	int i, rc;

	snprintf(path, sizeof(path), "%s/data.mdb", st.dir);
	if (access(path, F_OK) != 0) {
		emit_summary(fd, 0, false); /* nothing stored yet */
		return 0;
	}
	if ((odd = daemon_data_file_odd(path)) != NULL) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", odd);
		return 0;
	}
	if ((rc = mdb_env_create(&st.env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st.env, T_COUNT + 4)) != 0 ||
	    (rc = mdb_env_open(st.env, st.dir, MDB_RDONLY | MDB_NOTLS, 0600)) !=
		0) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s",
				       mdb_strerror(rc));
		return 0;
	}
	if (check_length(st.env, why, sizeof(why)) != 0) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", why);
		return 0;
	}
	if ((rc = mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn)) != 0)
		goto unreadable;
	/* A node's outbox (a data_dir mistyped): never "repaired". */
	{
		MDB_dbi other;
		if (mdb_dbi_open(txn, "outbox", 0, &other) == 0) {
			uint8_t x = REC_OTHER;
			(void)guard_write(fd, &x, 1);
			mdb_txn_abort(txn);
			mdb_env_close(st.env);
			return 0;
		}
	}
	for (i = 0; i < T_COUNT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%02d", i);
		rc = mdb_dbi_open(txn, name, 0, &st.dbi[i]);
		if (rc == MDB_NOTFOUND) {
			st.dbi[i] = 0; /* not made yet */
			continue;
		}
		if (rc != 0)
			goto unreadable;
		if (mdb_stat(txn, st.dbi[i], &ms) == 0 && ms.ms_entries > 0)
			any = true;
	}
	st.tagged =
	    st.dbi[T_META] != 0 && mdb_get(txn, st.dbi[T_META], &fk, &fv) == 0;
	for (i = 0; i < T_COUNT; i++) {
		if (st.dbi[i] == 0)
			continue;
		struct check_ctx c = {&st, i, fd};

		rc = lmdbwalk_table(txn, st.dbi[i], check_entry, &c, &entries);
		if (rc != 0) {
			(void)guard_write_text(fd, REC_UNREADABLE,
					       "table t%02d: %s", i,
					       mdb_strerror(rc));
			break;
		}
	}
	mdb_txn_abort(txn);
	mdb_env_close(st.env);
	emit_summary(fd, entries, !st.tagged && any);
	return 0;
unreadable:
	(void)guard_write_text(fd, REC_UNREADABLE, "%s", mdb_strerror(rc));
	if (txn != NULL)
		mdb_txn_abort(txn);
	mdb_env_close(st.env);
	return 0;
}

static int
report_add(struct store_report *r, const uint8_t *rec)
{
	struct store_damage *d;

	if (rec[1] >= T_COUNT)
		return 0;
	r->n_damaged++;
	r->damaged_in[rec[1]]++;
	if (r->n_listed == STORE_MAX_LISTED)
		return 0;
	if (r->damaged == NULL) {
		r->damaged = calloc(STORE_MAX_LISTED, sizeof(*r->damaged));
		if (r->damaged == NULL)
			return -ENOMEM;
	}
	d = &r->damaged[r->n_listed++];
	d->tb = (enum store_table)rec[1];
	d->klen = rec[2];
	memcpy(d->key, rec + 3,
	       d->klen < STORE_KEY_LISTED ? d->klen : STORE_KEY_LISTED);
	return 0;
}

int
store_check(const char *dir, struct store_report *ret)
{
	uint8_t *out;
	size_t len, i = 0;
	int r, sig;

	memset(ret, 0, sizeof(*ret));
	if ((r = daemon_data_access(dir)) != 0)
		return r; /* not the daemon's file: not damage */
	r = guard_run(check_child, (void *)dir, &out, &len, &sig);
	if (r < 0)
		return r;
	if (r == GUARD_CRASHED) {
		ret->unreadable = true;
		snprintf(ret->why, sizeof(ret->why),
			 "reading it crashed LMDB (%s): pages are damaged",
			 strsignal(sig));
	}
	while (i < len) {
		if (out[i] == REC_DAMAGED && i + DAMAGED_REC_LEN <= len) {
			r = report_add(ret, out + i);
			if (r != 0)
				break;
			i += DAMAGED_REC_LEN;
		} else if (out[i] == REC_UNREADABLE && i + 2 <= len &&
			   i + 2 + out[i + 1] <= len) {
			if (!ret->unreadable) /* the first cause */
				snprintf(ret->why, sizeof(ret->why), "%.*s",
					 (int)out[i + 1],
					 (const char *)out + i + 2);
			ret->unreadable = true;
			i += 2 + out[i + 1];
		} else if (out[i] == REC_SUMMARY && i + 10 <= len) {
			ret->entries = store_get64(out + i + 1);
			ret->unchecked = out[i + 9] != 0;
			i += 10;
		} else if (out[i] == REC_OTHER) {
			r = -EXDEV;
			break;
		} else {
			break;
		}
	}
	free(out);
	return r < 0 ? r : 0;
}

void
store_report_clear(struct store_report *r)
{
	free(r->damaged);
	memset(r, 0, sizeof(*r));
}

bool
store_sound(const struct store_report *r)
{
	return !r->unreadable && r->n_damaged == 0;
}

int
store_set_aside(const char *dir, char *moved_to, size_t cap)
{
	char from[4096], lock[4096], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(from, sizeof(from), "%s/data.mdb", dir);
	snprintf(moved_to, cap, "%s/data.mdb.damaged-%s", dir, stamp);
	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	if (rename(from, moved_to) != 0)
		return -errno;
	if (unlink(lock) != 0 && errno != ENOENT)
		return -errno;
	return 0;
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
		return mdb_err(rc);
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
		return mdb_err(rc);
	return n;
}

int
store_drop_damaged(struct store_txn *t, const struct store_report *r)
{
	size_t i;
	int rc;

	for (i = 0; i < r->n_listed; i++) {
		const struct store_damage *d = &r->damaged[i];
		MDB_val k = {d->klen, (void *)d->key};
		if (d->klen > STORE_KEY_LISTED)
			continue;
		rc = mdb_del(t->txn, t->st->dbi[d->tb], &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return mdb_err(rc);
		if (d->tb == T_META && d->klen == strlen(FORMAT_KEY) &&
		    memcmp(d->key, FORMAT_KEY, d->klen) == 0) {
			rc = write_format(t->st, t->txn);
			if (rc != 0)
				return mdb_err(rc);
		}
	}
	return 0;
}
