/* lmdbcheck.c - the whole-store check in a child; see lmdbcheck.h. */
#include "lmdbcheck.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
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
#define REC_FAILED 'F'	   /* could not check: text length, text */
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

/*
 * An LMDB code that says the file's pages are not what LMDB wrote (a
 * damaged meta page reads as EINVAL, "Invalid argument"), not that the
 * reading failed (no memory, an I/O error, no reader slot): damage.
 */
static bool
damage_code(int rc)
{
	return rc == EINVAL || rc == MDB_INVALID || rc == MDB_CORRUPTED ||
	       rc == MDB_PAGE_NOTFOUND || rc == MDB_VERSION_MISMATCH ||
	       rc == MDB_INCOMPATIBLE;
}

/* The child's result for rc, a failure that is not damage: its errno,
 * or EIO for LMDB's own codes. */
static int
failed_status(int rc)
{
	return rc > 0 && rc < 256 ? -rc : -EIO;
}

/*
 * Walks every table of c in txn; a table that stops the walk is said.
 * Returns 0, or the child's result when the walk failed for a reason
 * other than damage.
 */
static int
walk_tables(const struct lmdbcheck *c, MDB_txn *txn, const MDB_dbi *dbi,
	    bool tagged, int fd, uint64_t *entries)
{
	size_t i;
	int rc;

	*entries = 0;
	for (i = 0; i < c->n_tables; i++) {
		struct walk_ctx w = {c, i, tagged, fd};

		if (dbi[i] == 0)
			continue;
		rc = lmdbwalk_table(txn, dbi[i], walk_entry, &w, entries);
		if (rc == 0)
			continue;
		if (!damage_code(rc)) {
			(void)guard_write_text(fd, REC_FAILED, "table %s: %s",
					       c->tables[i], mdb_strerror(rc));
			return failed_status(rc);
		}
		/* Said as say_unreadable says a damaged header: LMDB's
		 * "Requested page not found" alone does not say the file is
		 * damaged. */
		(void)guard_write_text(fd, REC_UNREADABLE,
				       "damaged: LMDB cannot read table %s of "
				       "%s/data.mdb (%s)",
				       c->tables[i], c->dir, mdb_strerror(rc));
		return 0;
	}
	return 0;
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
 * first transaction or tables), and the child's result. Damage
 * (damage_code) names the file and where the way out is documented;
 * anything else (no memory, an I/O error) says only that the reading
 * failed, and the child fails with it: the file is not called damaged,
 * nor repaired, for it.
 */
static int
say_unreadable(int fd, const struct lmdbcheck *c, int rc, const char *part)
{
	if (!damage_code(rc)) {
		(void)guard_write_text(fd, REC_FAILED,
				       "LMDB could not read the %s of "
				       "%s/data.mdb: %s",
				       part, c->dir, mdb_strerror(rc));
		return failed_status(rc);
	}
	(void)guard_write_text(
	    fd, REC_UNREADABLE,
	    "damaged: LMDB cannot read the %s of %s/data.mdb (%s); to "
	    "repair the %s, see OPERATIONS.md section 10, 'A damaged file'",
	    part, c->dir, mdb_strerror(rc), c->what);
	return 0;
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
	struct stat sb;
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
	/* LMDB says only "Is a directory", and of data.mdb: lock.mdb is
	 * named, and the file is not called damaged for it. */
	snprintf(path, sizeof(path), "%s/lock.mdb", c->dir);
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		(void)guard_write_text(fd, REC_FAILED,
				       "%s is not a regular file (a directory, "
				       "pipe or device): remove it (LMDB makes "
				       "it anew)",
				       path);
		return -EISDIR;
	}
	part = "header";
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, (MDB_dbi)c->n_tables + 4)) != 0 ||
	    (rc = mdb_env_open(env, c->dir, MDB_RDONLY | MDB_NOTLS, 0600)) != 0)
		goto unreadable;
	part = "tables";
	if ((rc = lmdbcheck_length(env, c->what, why, sizeof(why))) != 0) {
		if (rc == -EUCLEAN)
			(void)guard_write_text(fd, REC_UNREADABLE, "%s", why);
		else
			(void)guard_write_text(fd, REC_FAILED,
					       "cannot tell the length of "
					       "%s/data.mdb: %s",
					       c->dir, strerror(-rc));
		mdb_env_close(env);
		return rc == -EUCLEAN ? 0 : rc;
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
	rc = walk_tables(c, txn, dbi, tagged, fd, &entries);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	if (rc == 0)
		emit_summary(fd, entries, !tagged && any);
	return rc;
unreadable:
	rc = say_unreadable(fd, c, rc, part);
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (env != NULL)
		mdb_env_close(env);
	return rc;
}

/* What read_records found besides ret's fields. */
struct records {
	bool summary;	  /* the child's last record: it read to the end */
	char failed[256]; /* why it could not check (REC_FAILED), or "" */
};

/* The text of the record at out[i] (kind, length, text) into buf. */
static void
record_text(const uint8_t *out, size_t i, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.*s", (int)out[i + 1], (const char *)out + i + 2);
}

/* Reads the child's records into ret, rs and c->damaged; 0 or as in .h. */
static int
read_records(const struct lmdbcheck *c, const uint8_t *out, size_t len,
	     struct lmdbcheck_result *ret, struct records *rs)
{
	size_t i = 0;
	int r = 0;

	while (i < len) {
		if (out[i] == LMDBCHECK_DAMAGED && i + c->damaged_len <= len) {
			r = c->damaged(c->arg, out + i);
			if (r != 0)
				break;
			i += c->damaged_len;
		} else if ((out[i] == REC_UNREADABLE || out[i] == REC_FAILED) &&
			   i + 2 <= len && i + 2 + out[i + 1] <= len) {
			if (out[i] == REC_FAILED)
				record_text(out, i, rs->failed,
					    sizeof(rs->failed));
			else if (!ret->unreadable) /* the first cause */
				record_text(out, i, ret->why, sizeof(ret->why));
			ret->unreadable |= out[i] == REC_UNREADABLE;
			i += 2 + out[i + 1];
		} else if (out[i] == REC_SUMMARY && i + SUMMARY_LEN <= len) {
			ret->entries = bytes_get_be64(out + i + 1);
			ret->unchecked = out[i + 9] != 0;
			rs->summary = true;
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

/*
 * The signals of a child that met what LMDB cannot read: a wild pointer
 * (SIGSEGV, SIGILL, SIGFPE), a page past the file's end (SIGBUS), its
 * own assertion (SIGABRT). Any other (SIGKILL of the out-of-memory
 * killer, SIGTERM of a stop) says nothing of the file.
 */
static bool
crash_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	       sig == SIGFPE || sig == SIGABRT;
}

/* DIR/data.mdb exists. */
static bool
has_data_file(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	return access(path, F_OK) == 0;
}

void
lmdbcheck_start(const struct lmdbcheck *c, struct lmdbcheck_job *job)
{
	assert(c->n_tables <= LMDBCHECK_MAX_TABLES && c->meta < c->n_tables);
	job->child.pid = -1;
	job->child.fd = -1;
	job->forked = false;
	if ((job->refused = daemon_data_access(c->dir)) != 0)
		return; /* not the daemon's file: not damage */
	/* No room for a lock.mdb (removed, as a restore does): the child
	 * would die of SIGBUS, which says "damaged". */
	if (has_data_file(c->dir) &&
	    (job->refused = daemon_reserve_lock(c->dir)) != 0)
		return;
	job->no_child = guard_start(check_child, (void *)c, &job->child);
	job->forked = job->no_child == 0;
}

int
lmdbcheck_run(const struct lmdbcheck *c, struct lmdbcheck_result *ret)
{
	struct lmdbcheck_job job;

	lmdbcheck_start(c, &job);
	return lmdbcheck_finish(c, &job, ret);
}

int
lmdbcheck_finish(const struct lmdbcheck *c, struct lmdbcheck_job *job,
		 struct lmdbcheck_result *ret)
{
	struct records rs = {0};
	uint8_t *out = NULL;
	size_t len = 0;
	int r, r2, sig = 0;

	memset(ret, 0, sizeof(*ret));
	if (job->refused != 0)
		return job->refused;
	r = job->forked ? guard_wait(&job->child, &out, &len, &sig)
			: job->no_child;
	job->forked = false;
	r2 = read_records(c, out, len, ret, &rs);
	free(out);
	if (r2 == -EXDEV)
		return r2;
	if (r == GUARD_CRASHED && !crash_signal(sig)) {
		snprintf(ret->why, sizeof(ret->why),
			 "could not check the %s: the check was killed by %s "
			 "(not damage: out of memory, or a stop)",
			 c->what, strsignal(sig));
		r = -EINTR;
	} else if (r < 0) { /* no child, or it could not read the file */
		snprintf(ret->why, sizeof(ret->why),
			 "could not check the %s: %.200s", c->what,
			 rs.failed[0] != '\0' ? rs.failed : strerror(-r));
	} else if (r2 != 0) { /* c->damaged's own failure */
		snprintf(ret->why, sizeof(ret->why),
			 "could not check the %s: %s", c->what, strerror(-r2));
		r = r2;
	} else if (r == GUARD_CRASHED) {
		ret->unreadable = true;
		snprintf(ret->why, sizeof(ret->why),
			 "reading it crashed LMDB (%s): pages are damaged",
			 strsignal(sig));
	} else if (!ret->unreadable && !rs.summary) {
		snprintf(ret->why, sizeof(ret->why),
			 "could not check the %s: the check ended before "
			 "reading it all",
			 c->what);
		r = -EIO;
	}
	if (r < 0) {
		ret->unreadable = false; /* nothing is said of the file */
		return r;
	}
	return 0;
}
