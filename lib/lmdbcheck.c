/* lmdbcheck.c - the whole-store check in a child; see lmdbcheck.h. */
#include "lmdbcheck.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "crc32c.h"
#include "daemon.h"
#include "guard.h"
#include "lmdbwalk.h"

/* Records the child writes for the parent, each starting with its kind
 * (and LMDBCHECK_DAMAGED, the caller's). */
#define REC_UNREADABLE 'U' /* text length, text */
#define REC_SUMMARY 'S'	   /* entries (8), unchecked (1) */
#define REC_OTHER 'X'	   /* the other daemon's tables */
#define SUMMARY_LEN 10

uint32_t
lmdbcheck_tag(const void *k, size_t klen, const void *v, size_t vlen)
{
	return crc32c(crc32c(0, k, klen), v, vlen);
}

int
lmdbcheck_untag(bool tagged, const MDB_val *k, MDB_val *v)
{
	const uint8_t *p;

	if (!tagged)
		return 0;
	if (v->mv_size < LMDBCHECK_TAG_LEN)
		return -EUCLEAN;
	v->mv_size -= LMDBCHECK_TAG_LEN;
	p = (const uint8_t *)v->mv_data + v->mv_size;
	if (bytes_get_be32(p) !=
	    lmdbcheck_tag(k->mv_data, k->mv_size, v->mv_data, v->mv_size))
		return -EUCLEAN;
	return 0;
}

int
lmdbcheck_length(MDB_env *env, const char *what, char *why, size_t cap)
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
			 "truncated: the data file holds %llu bytes, the %s "
			 "needs %llu",
			 (unsigned long long)sb.st_size, what,
			 (unsigned long long)need);
	return -EUCLEAN;
}

struct walk_ctx {
	const struct lmdbcheck *c;
	size_t table;
	bool tagged;
	int fd;
};

static void
walk_entry(void *arg, const MDB_val *k, MDB_val *v)
{
	const struct walk_ctx *w = arg;

	w->c->entry(w->fd, w->table, w->tagged, k, v);
}

/*
 * Opens c's tables in txn (0 for one not made yet); *ret_any: one has
 * entries. Returns 0 or an LMDB error code.
 */
static int
open_tables(const struct lmdbcheck *c, MDB_txn *txn, MDB_dbi *dbi,
	    bool *ret_any)
{
	MDB_stat ms;
	size_t i;
	int rc;

	*ret_any = false;
	for (i = 0; i < c->n_tables; i++) {
		rc = mdb_dbi_open(txn, c->tables[i], 0, &dbi[i]);
		if (rc == MDB_NOTFOUND) {
			dbi[i] = 0;
			continue;
		}
		if (rc != 0)
			return rc;
		if (mdb_stat(txn, dbi[i], &ms) == 0 && ms.ms_entries > 0)
			*ret_any = true;
	}
	return 0;
}

/* Walks every table of c in txn; a table that stops the walk is said. */
static uint64_t
walk_tables(const struct lmdbcheck *c, MDB_txn *txn, const MDB_dbi *dbi,
	    bool tagged, int fd)
{
	uint64_t entries = 0;
	size_t i;
	int rc;

	for (i = 0; i < c->n_tables; i++) {
		struct walk_ctx w = {c, i, tagged, fd};

		if (dbi[i] == 0)
			continue;
		rc = lmdbwalk_table(txn, dbi[i], walk_entry, &w, &entries);
		if (rc != 0) {
			(void)guard_write_text(fd, REC_UNREADABLE,
					       "table %s: %s", c->tables[i],
					       mdb_strerror(rc));
			break;
		}
	}
	return entries;
}

static void
emit_summary(int fd, uint64_t entries, bool unchecked)
{
	uint8_t rec[SUMMARY_LEN] = {REC_SUMMARY};

	bytes_put_be64(rec + 1, entries);
	rec[9] = unchecked;
	(void)guard_write(fd, rec, sizeof(rec));
}

/*
 * Why LMDB could not read c's file (rc, from opening it, or from its
 * first transaction or tables). Codes that mean its pages are not what
 * LMDB wrote (a damaged meta page reads as EINVAL, "Invalid argument")
 * name the file as damaged and where the way out is documented.
 */
static void
say_unreadable(int fd, const struct lmdbcheck *c, int rc, const char *part)
{
	if (rc == EINVAL || rc == MDB_INVALID || rc == MDB_CORRUPTED ||
	    rc == MDB_PAGE_NOTFOUND || rc == MDB_VERSION_MISMATCH)
		(void)guard_write_text(
		    fd, REC_UNREADABLE,
		    "damaged: LMDB cannot read the %s of %s/data.mdb (%s); "
		    "to repair the %s, see OPERATIONS.md section 10, 'A "
		    "damaged file'",
		    part, c->dir, mdb_strerror(rc), c->what);
	else
		(void)guard_write_text(fd, REC_UNREADABLE, "%s",
				       mdb_strerror(rc));
}

static int
check_child(void *arg, int fd)
{
	const struct lmdbcheck *c = arg;
	char path[4096], why[256];
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi[LMDBCHECK_MAX_TABLES], other;
	MDB_val fk = {strlen(c->format_key), (void *)c->format_key}, fv;
	const char *odd, *part;
	uint8_t x = REC_OTHER;
	uint64_t entries;
	bool tagged, any;
	int rc;

	snprintf(path, sizeof(path), "%s/data.mdb", c->dir);
	if (access(path, F_OK) != 0) {
		emit_summary(fd, 0, false); /* nothing stored yet */
		return 0;
	}
	if ((odd = daemon_data_file_odd(path)) != NULL) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", odd);
		return 0;
	}
	part = "header";
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, (MDB_dbi)c->n_tables + 4)) != 0 ||
	    (rc = mdb_env_open(env, c->dir, MDB_RDONLY | MDB_NOTLS, 0600)) != 0)
		goto unreadable;
	part = "tables";
	if (lmdbcheck_length(env, c->what, why, sizeof(why)) != 0) {
		(void)guard_write_text(fd, REC_UNREADABLE, "%s", why);
		mdb_env_close(env);
		return 0;
	}
	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0)
		goto unreadable;
	if (mdb_dbi_open(txn, c->other_table, 0, &other) == 0) {
		(void)guard_write(fd, &x, 1);
		mdb_txn_abort(txn);
		mdb_env_close(env);
		return 0;
	}
	if ((rc = open_tables(c, txn, dbi, &any)) != 0)
		goto unreadable;
	tagged = dbi[c->meta] != 0 && mdb_get(txn, dbi[c->meta], &fk, &fv) == 0;
	entries = walk_tables(c, txn, dbi, tagged, fd);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	emit_summary(fd, entries, !tagged && any);
	return 0;
unreadable:
	say_unreadable(fd, c, rc, part);
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (env != NULL)
		mdb_env_close(env);
	return 0;
}

/* Reads the child's records into ret and c->damaged; 0 or as in .h. */
static int
read_records(const struct lmdbcheck *c, const uint8_t *out, size_t len,
	     struct lmdbcheck_result *ret)
{
	size_t i = 0;
	int r = 0;

	while (i < len) {
		if (out[i] == LMDBCHECK_DAMAGED && i + c->damaged_len <= len) {
			r = c->damaged(c->arg, out + i);
			if (r != 0)
				break;
			i += c->damaged_len;
		} else if (out[i] == REC_UNREADABLE && i + 2 <= len &&
			   i + 2 + out[i + 1] <= len) {
			if (!ret->unreadable) /* the first cause */
				snprintf(ret->why, sizeof(ret->why), "%.*s",
					 (int)out[i + 1],
					 (const char *)out + i + 2);
			ret->unreadable = true;
			i += 2 + out[i + 1];
		} else if (out[i] == REC_SUMMARY && i + SUMMARY_LEN <= len) {
			ret->entries = bytes_get_be64(out + i + 1);
			ret->unchecked = out[i + 9] != 0;
			i += SUMMARY_LEN;
		} else if (out[i] == REC_OTHER) {
			r = -EXDEV;
			break;
		} else {
			break;
		}
	}
	return r;
}

/* DIR/data.mdb exists. */
static bool
has_data_file(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	return access(path, F_OK) == 0;
}

int
lmdbcheck_run(const struct lmdbcheck *c, struct lmdbcheck_result *ret)
{
	uint8_t *out;
	size_t len;
	int r, sig;

	assert(c->n_tables <= LMDBCHECK_MAX_TABLES && c->meta < c->n_tables);
	memset(ret, 0, sizeof(*ret));
	if ((r = daemon_data_access(c->dir)) != 0)
		return r; /* not the daemon's file: not damage */
	/* No room for a lock.mdb (removed, as a restore does): the child
	 * would die of SIGBUS, which says "damaged". */
	if (has_data_file(c->dir) && (r = daemon_reserve_lock(c->dir)) != 0)
		return r;
	r = guard_run(check_child, (void *)c, &out, &len, &sig);
	if (r < 0)
		return r;
	if (r == GUARD_CRASHED) {
		ret->unreadable = true;
		snprintf(ret->why, sizeof(ret->why),
			 "reading it crashed LMDB (%s): pages are damaged",
			 strsignal(sig));
	}
	r = read_records(c, out, len, ret);
	free(out);
	return r;
}
