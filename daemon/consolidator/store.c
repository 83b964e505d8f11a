/*
 * store.c - the consolidator's LMDB store: its environment, format and
 * map, and its transactions; the entries read and written in them are
 * store_entry.c's, the check and repair store_check.c's. See store.h.
 */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "daemon.h"
#include "log.h"
#include "store_int.h"

#define FORMAT_VALUE "kuska-store-2 (values checksummed)"
/* A failed write with less than this free is a full disk. */
#define DISK_LOW_BYTES (16u << 20)

/* Stores opened by this process: each one's number (store_txn_state). */
static _Atomic uint64_t n_opened;

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

int
store_err(int rc)
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
		/* The kernel's "file too large" (a file size limit, the file
		 * system's largest file) is a write that failed, not the
		 * map's ceiling, which -EFBIG means here: growing the map
		 * would not help. */
		if (rc == EFBIG)
			return -EIO;
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

/*
 * Decides, in a write transaction, whether values carry checksums: yes
 * when the format key says so or the store is new (the key is then
 * written); no for a store with data and no key (an older kuska).
 */
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
	return store_write_format(st, txn);
}

/* Marks the store as one whose values carry checksums. */
int
store_write_format(struct store *st, MDB_txn *txn)
{
	MDB_val k = {strlen(FORMAT_KEY), FORMAT_KEY}, v;
	uint8_t buf[sizeof(FORMAT_VALUE) - 1 + LMDBCHECK_TAG_LEN];

	st->tagged = true;
	memcpy(buf, FORMAT_VALUE, sizeof(FORMAT_VALUE) - 1);
	store_be32(buf + sizeof(FORMAT_VALUE) - 1,
		   lmdbcheck_tag(FORMAT_KEY, strlen(FORMAT_KEY), FORMAT_VALUE,
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
	if ((rc = daemon_reserve_lock(dir)) != 0) {
		pthread_rwlock_destroy(&st->remap);
		free(st->dir);
		free(st);
		return rc;
	}
	if ((rc = mdb_env_create(&st->env)) != 0) {
		pthread_rwlock_destroy(&st->remap);
		free(st->dir);
		free(st);
		return store_err(rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->env, T_COUNT + 4)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, map_size)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)) != 0)
		goto fail;
	if (lmdbcheck_length(st->env, "store", NULL, 0) != 0) {
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
	st->opened = ++n_opened;
	*ret = st;
	return 0;
fail:
	mdb_env_close(st->env);
	pthread_rwlock_destroy(&st->remap);
	free(st->dir);
	free(st);
	return store_err(rc);
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
		return store_err(rc);
	}
	t->st = st;
	t->write = write;
	*ret = t;
	return 0;
}

struct store_state
store_txn_state(const struct store_txn *t)
{
	struct store_state s = {0, 0};

	if (!t->write) {
		s.opened = t->st->opened;
		s.commit = mdb_txn_id(t->txn);
	}
	return s;
}

bool
store_state_same(struct store_state a, struct store_state b)
{
	return a.opened != 0 && a.opened == b.opened && a.commit == b.commit;
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
	return write_error(st, store_err(rc));
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
		return store_err(rc);
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
