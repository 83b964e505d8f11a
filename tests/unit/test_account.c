/*
 * test_account.c - the key holder's per-node allowances (account.h): a
 * full day's worth at first, a request over what is left refused whole
 * and taking nothing, a continuous refill capped at one day's worth, and
 * a lowered rate capping what was saved; the accounts file, which keeps
 * what was spent across a restart.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <stdlib.h>
#include <unistd.h>

#include "account.h"
#include "fail_fsync.h"

#define DAY_MS 86400000ull

static void
test_allowance(void **state)
{
	static struct accounts as;
	struct account *a, *b;

	(void)state;
	a = account_of(&as, "pnp", 1000, 5);
	assert_non_null(a);
	assert_string_equal(a->id, "pnp");
	assert_ptr_equal(account_of(&as, "pnp", 1000, 5), a);
	assert_int_equal(account_left(a, 1000, 5), 1000);
	assert_true(account_take(a, 1000, 600, 5));
	assert_int_equal(account_left(a, 1000, 5), 400);
	/* More than is left: refused whole, nothing taken. */
	assert_false(account_take(a, 1000, 401, 5));
	assert_int_equal(account_left(a, 1000, 5), 400);
	assert_true(account_take(a, 1000, 400, 5));
	assert_false(account_take(a, 1000, 1, 5));
	/* A tenth of a day gives back a tenth of the rate. */
	assert_int_equal(account_left(a, 1000, 5 + DAY_MS / 10), 100);
	/* Never more than one day's worth, however long it waits. */
	assert_int_equal(account_left(a, 1000, 5 + 7 * DAY_MS), 1000);
	assert_false(account_take(a, 1000, 1001, 5 + 7 * DAY_MS));
	/* A lower rate (a reload) caps what was saved. */
	assert_int_equal(account_left(a, 10, 5 + 7 * DAY_MS), 10);
	/* Each node its own account. */
	b = account_of(&as, "mimp", 1000, 0);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(account_left(b, 1000, 0), 1000);
	assert_int_equal(as.n, 2);
}

/* The keys of an event=evaluated line: up to four named in the order
 * first used, then +N counting the other keys, not their requests; the
 * next line starts afresh. */
static void
test_audit_keys(void **state)
{
	static struct accounts as;
	char buf[ACCOUNT_AUDIT_KEYS * KEYS_ID_MAX + 24], want[sizeof(buf)];
	char name[KEYS_ID_MAX];
	struct account *a;
	unsigned i, round;

	(void)state;
	a = account_of(&as, "mimp", 1000, 0);
	assert_non_null(a);
	account_audit_key(a, "mimp-1");
	account_audit_key(a, "mimp-1");
	assert_string_equal(account_audit_keys(a, buf, sizeof(buf)), "mimp-1");
	account_audit_key(a, "mimp-1");
	account_audit_key(a, "mimp-2027");
	account_audit_key(a, "mimp-1");
	assert_string_equal(account_audit_keys(a, buf, sizeof(buf)),
			    "mimp-1,mimp-2027");
	/* Seven keys taking turns, each asking ten times: three others. */
	for (round = 0; round < 10; round++)
		for (i = 0; i < 7; i++) {
			snprintf(name, sizeof(name), "mimp-%u", i);
			account_audit_key(a, name);
		}
	assert_string_equal(account_audit_keys(a, buf, sizeof(buf)),
			    "mimp-0,mimp-1,mimp-2,mimp-3,+3");
	/* As many as a registry holds, each of the longest name. */
	for (i = 0; i < ACCOUNT_AUDIT_SEEN; i++) {
		snprintf(name, sizeof(name), "%030u-", i);
		account_audit_key(a, name);
		account_audit_key(a, name);
	}
	snprintf(want, sizeof(want), "%030u-,%030u-,%030u-,%030u-,+%u", 0u, 1u,
		 2u, 3u, ACCOUNT_AUDIT_SEEN - 4);
	assert_string_equal(account_audit_keys(a, buf, sizeof(buf)), want);
	/* A short buffer is cut, never overrun. */
	account_audit_key(a, "mimp-1");
	account_audit_key(a, "mimp-2027");
	assert_string_equal(account_audit_keys(a, buf, 9), "mimp-1,m");
	assert_string_equal(account_audit_keys(a, buf, sizeof(buf)), "");
}

/* No more accounts than a registry may list parties. */
static void
test_full(void **state)
{
	static struct accounts as;
	char id[16];
	size_t i;

	(void)state;
	for (i = 0; i < ACCOUNT_MAX; i++) {
		snprintf(id, sizeof(id), "n%zu", i);
		assert_non_null(account_of(&as, id, 10, 0));
	}
	assert_null(account_of(&as, "one-more", 10, 0));
	assert_non_null(account_of(&as, "n3", 10, 0));
}

/* A fresh path in a temporary directory; the caller removes it. */
static void
tmp_path(char *dir, size_t cap, char *path, size_t pcap)
{
	snprintf(dir, cap, "/tmp/test_account.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, pcap, "%s/accounts", dir);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * What a node spent survives a restart: saved, then loaded by a fresh
 * process (a fresh struct, a monotonic clock of another origin), it has
 * what it had plus the refill of the wall-clock time in between. Before,
 * a restart gave every node a full day's allowance again.
 */
static void
test_saved(void **state)
{
	static struct accounts as, back;
	char dir[64], path[96], err[256];
	struct account *a;

	(void)state;
	tmp_path(dir, sizeof(dir), path, sizeof(path));
	/* No file yet: the first start, no account. */
	assert_int_equal(
	    account_load(&back, path, 1000, 7, 0, err, sizeof(err)), 0);
	assert_int_equal(back.n, 0);
	a = account_of(&as, "pnp", 1000, 5);
	assert_true(account_take(a, 1000, 990, 5));
	a->requests = 3;
	a->evaluations = 990;
	a->refused_rate = 12;
	a->last_request_ms = 1700000000000ULL;
	a->last_refusal_ms = 1700000000123ULL;
	assert_non_null(account_of(&as, "mimp", 1000, 5));
	fail_fsync(0);
	assert_int_equal(account_save(&as, path, 1000, 5, DAY_MS, NULL), 0);
	assert_int_equal(access(path, F_OK), 0);
	/* Synced, file and directory: before, a power cut could give back
	 * what was spent since the last write the disk kept. */
	assert_int_equal(fsynced_files(), 1);
	assert_int_equal(fsynced_dirs(), 1);

	/* Restarted at once: 10 left, not 1000. */
	assert_int_equal(
	    account_load(&back, path, 1000, 123456, DAY_MS, err, sizeof(err)),
	    0);
	assert_int_equal(back.n, 2);
	a = account_of(&back, "pnp", 1000, 123456);
	assert_int_equal(account_left(a, 1000, 123456), 10);
	assert_false(account_take(a, 1000, 11, 123456));
	assert_int_equal(a->requests, 3);
	assert_int_equal(a->evaluations, 990);
	assert_int_equal(a->refused_rate, 12);
	/* Its last request and refusal too: before, a restart lost them,
	 * and kuska status its warning of a sweep. */
	assert_int_equal(a->last_request_ms, 1700000000000ULL);
	assert_int_equal(a->last_refusal_ms, 1700000000123ULL);
	assert_int_equal(
	    account_left(account_of(&back, "mimp", 1000, 123456), 1000, 123456),
	    1000);

	/* Restarted a tenth of a day later: refilled by that much. */
	memset(&back, 0, sizeof(back));
	assert_int_equal(account_load(&back, path, 1000, 9,
				      DAY_MS + DAY_MS / 10, err, sizeof(err)),
			 0);
	assert_int_equal(
	    account_left(account_of(&back, "pnp", 1000, 9), 1000, 9), 110);
	/* A clock set back gives nothing. */
	memset(&back, 0, sizeof(back));
	assert_int_equal(
	    account_load(&back, path, 1000, 9, 1, err, sizeof(err)), 0);
	assert_int_equal(
	    account_left(account_of(&back, "pnp", 1000, 9), 1000, 9), 10);
	/* A file of version 1 (before the times were kept) is read, its
	 * times unknown; one of version 1 with version 2's lines is not. */
	write_file(path, "kuska-keyholder-accounts 1\npnp 10 5 3 990 12 0\n");
	memset(&back, 0, sizeof(back));
	assert_int_equal(
	    account_load(&back, path, 1000, 9, 5, err, sizeof(err)), 0);
	a = account_of(&back, "pnp", 1000, 9);
	assert_int_equal(account_left(a, 1000, 9), 10);
	assert_int_equal(a->refused_rate, 12);
	assert_int_equal(a->last_refusal_ms, 0);
	write_file(path,
		   "kuska-keyholder-accounts 1\npnp 10 5 3 990 12 0 1 2\n");
	memset(&back, 0, sizeof(back));
	assert_int_equal(
	    account_load(&back, path, 1000, 9, 5, err, sizeof(err)), -EBADMSG);
	unlink(path);
	rmdir(dir);
}

/*
 * A request's evaluations are charged in the file before they are made:
 * a file that could not be written gives them back (the request is
 * refused); one written whose directory could not be synced keeps them
 * (the file charges them at the next start). Before, that one gave them
 * back too, and the next start charged them all the same.
 */
static void
test_charge(void **state)
{
	static struct accounts as, back;
	char dir[64], path[96], err[256];
	struct account *a;
	int unsynced = 1;

	(void)state;
	tmp_path(dir, sizeof(dir), path, sizeof(path));
	a = account_of(&as, "pnp", 1000, 5);
	assert_true(account_take(a, 1000, 100, 5));
	assert_int_equal(
	    account_charge(&as, a, 100, path, 1000, 5, DAY_MS, &unsynced), 0);
	assert_int_equal(unsynced, 0);
	assert_int_equal(account_left(a, 1000, 5), 900);
	assert_int_equal(a->evaluations, 0); /* counted once made: */
	a->evaluations += 100;

	/* The file's sync fails: not written, the 100 given back. */
	assert_true(account_take(a, 1000, 100, 5));
	fail_fsync(1);
	assert_int_equal(
	    account_charge(&as, a, 100, path, 1000, 5, DAY_MS, &unsynced),
	    -EIO);
	assert_int_equal(account_left(a, 1000, 5), 900);

	/* Only the directory's sync fails: written, the 100 stay taken. */
	assert_true(account_take(a, 1000, 100, 5));
	fail_fsync(2);
	assert_int_equal(
	    account_charge(&as, a, 100, path, 1000, 5, DAY_MS, &unsynced), 0);
	fail_fsync(0);
	assert_int_equal(unsynced, -EIO);
	assert_int_equal(account_left(a, 1000, 5), 800);
	/* ... as the file says to the next start, with the reserve it
	 * charged ahead: 100 within the millisecond of the last write, a
	 * rate capped at 1000 / ACCOUNT_RESERVE_SHARE, 10. That reserve
	 * ends in memory, as after a failed write: a power cut may bring
	 * the old file back, so the next request writes (and syncs) again
	 * rather than take from it (before, it took the 10 unwritten). */
	assert_int_equal(a->reserve, 0);
	assert_int_equal(
	    account_load(&back, path, 1000, 9, DAY_MS, err, sizeof(err)), 0);
	assert_int_equal(
	    account_left(account_of(&back, "pnp", 1000, 9), 1000, 9), 790);
	assert_int_equal(account_of(&back, "pnp", 1000, 9)->evaluations, 210);
	/* A stop gives the reserve back: the file then says what was made. */
	a->evaluations += 100;
	account_release(&as);
	assert_int_equal(account_save(&as, path, 1000, 5, DAY_MS, NULL), 0);
	memset(&back, 0, sizeof(back));
	assert_int_equal(
	    account_load(&back, path, 1000, 9, DAY_MS, err, sizeof(err)), 0);
	assert_int_equal(
	    account_left(account_of(&back, "pnp", 1000, 9), 1000, 9), 800);
	assert_int_equal(account_of(&back, "pnp", 1000, 9)->evaluations, 200);
	unlink(path);
	rmdir(dir);
}

/*
 * A node asking one element at a time, a request a millisecond (a stolen
 * key's thief can ask as fast as the key holder answers): the file is
 * written about once a second, not once a request (before, 3,000 synced
 * writes in these 3 s; up to rate_per_day a day). And at every moment it
 * charges all that was taken, and counts it made: a kill gives nothing
 * back. A stop (account_release) writes exactly what was made. A write
 * that fails, or whose directory's sync fails, leaves no reserve: the
 * node's next request writes.
 */
static void
test_charge_coalesced(void **state)
{
	enum { RATE = 300000, REQUESTS = 3000 };
	static struct accounts as, back;
	char dir[64], path[96], err[256];
	struct account *a, *b;
	uint64_t ms;
	int r, unsynced;

	(void)state;
	tmp_path(dir, sizeof(dir), path, sizeof(path));
	a = account_of(&as, "pnp", RATE, 1);
	fail_fsync(0);
	for (ms = 1; ms <= REQUESTS; ms++) {
		assert_true(account_take(a, RATE, 1, ms));
		r = account_charge(&as, a, 1, path, RATE, ms, DAY_MS + ms,
				   &unsynced);
		assert_true(r == 0 || r == 1);
		assert_int_equal(unsynced, 0);
		a->evaluations++;
		if (ms % 97 != 0)
			continue;
		/* Killed now: the next start has no more than this run. */
		memset(&back, 0, sizeof(back));
		assert_int_equal(account_load(&back, path, RATE, 0, DAY_MS + ms,
					      err, sizeof(err)),
				 0);
		b = account_of(&back, "pnp", RATE, 0);
		assert_true(account_left(b, RATE, 0) <=
			    account_left(a, RATE, ms));
		assert_true(b->evaluations >= a->evaluations);
	}
	/* One at the first request, one that learns the rate, then one a
	 * second. */
	assert_true(fsynced_files() <= 5);
	assert_true(a->reserve > 0);
	/* Stopped: exact. */
	account_release(&as);
	assert_int_equal(
	    account_save(&as, path, RATE, REQUESTS, DAY_MS + REQUESTS, NULL),
	    0);
	memset(&back, 0, sizeof(back));
	assert_int_equal(account_load(&back, path, RATE, 0, DAY_MS + REQUESTS,
				      err, sizeof(err)),
			 0);
	b = account_of(&back, "pnp", RATE, 0);
	assert_int_equal(account_left(b, RATE, 0),
			 account_left(a, RATE, REQUESTS));
	assert_int_equal(b->evaluations, REQUESTS);
	/* A failed write: no reserve left, the next request writes. */
	assert_true(account_take(a, RATE, 1, REQUESTS + 1));
	a->charged_since = 1000; /* a reserve to charge */
	fail_fsync(1);
	assert_int_equal(account_charge(&as, a, 1, path, RATE, REQUESTS + 1,
					DAY_MS, &unsynced),
			 -EIO);
	assert_int_equal(a->reserve, 0);
	fail_fsync(0);
	assert_true(account_take(a, RATE, 1, REQUESTS + 2));
	assert_int_equal(account_charge(&as, a, 1, path, RATE, REQUESTS + 2,
					DAY_MS, &unsynced),
			 0);
	assert_int_equal(fsynced_files(), 1);
	/* A failed directory sync: written, but no reserve left either (a
	 * power cut may bring the old file back); the next request writes
	 * and syncs again. Before, its reserve of 3,000 stayed in use. */
	assert_true(account_take(a, RATE, 1, REQUESTS + 3));
	a->reserve = 0;		 /* the last write's, used up */
	a->charged_since = 1000; /* a reserve to charge */
	fail_fsync(2);
	assert_int_equal(account_charge(&as, a, 1, path, RATE, REQUESTS + 3,
					DAY_MS, &unsynced),
			 0);
	assert_int_equal(unsynced, -EIO);
	assert_int_equal(a->reserve, 0);
	fail_fsync(0);
	assert_true(account_take(a, RATE, 1, REQUESTS + 4));
	assert_int_equal(account_charge(&as, a, 1, path, RATE, REQUESTS + 4,
					DAY_MS, &unsynced),
			 0);
	assert_int_equal(unsynced, 0);
	assert_int_equal(fsynced_dirs(), 1);
	unlink(path);
	rmdir(dir);
}

/*
 * The node's allowance after a kill at wall time wall: what
 * the next start reads from path.
 */
static uint64_t
left_after_kill(const char *path, unsigned long rate, uint64_t wall)
{
	static struct accounts back;
	char err[256];

	memset(&back, 0, sizeof(back));
	assert_int_equal(
	    account_load(&back, path, rate, 0, wall, err, sizeof(err)), 0);
	return account_left(account_of(&back, "pnp", rate, 0), rate, 0);
}

/*
 * Two requests of 10 within a millisecond, at rate per day: a reserve
 * charged ahead, capped at rate / ACCOUNT_RESERVE_SHARE.
 */
static void
reserve_charged(struct accounts *as, struct account *a, const char *path,
		unsigned long rate)
{
	uint64_t ms;
	int unsynced;

	for (ms = 1; ms <= 2; ms++) {
		assert_true(account_take(a, rate, 10, ms));
		assert_int_equal(account_charge(as, a, 10, path, rate, ms,
						DAY_MS + ms, &unsynced),
				 0);
	}
	assert_int_equal(a->reserve, rate / ACCOUNT_RESERVE_SHARE);
}

/*
 * A reserve charged ahead with the node's bucket nearly full: the file's
 * allowance refills from the write on, as the node's does, but the node's
 * stops at rate_per_day (a full bucket, or a reload lowering the rate)
 * while the file's, the reserve taken from it, still has room to refill.
 * The reserve used after that, then a kill (which a node's key can force):
 * before, the next start gave the node back what it had used, up to the
 * reserve (300,000 a day: 3,000 a kill; a reload lowering the rate to
 * 1,000 and a kill: a second day's 1,000 at once). A full bucket now ends
 * the reserve: the next request writes.
 */
static void
test_charge_full_bucket(void **state)
{
	enum { RATE = 300000, LOW = 1000 };
	static struct accounts as;
	char dir[64], path[96];
	struct account *a;
	int r, unsynced;

	(void)state;
	tmp_path(dir, sizeof(dir), path, sizeof(path));
	fail_fsync(0);
	a = account_of(&as, "pnp", RATE, 1);
	reserve_charged(&as, a, path, RATE);
	/* A day later, the bucket full: the reserve's worth asked. */
	assert_true(account_take(a, RATE, 3000, 2 + DAY_MS));
	r = account_charge(&as, a, 3000, path, RATE, 2 + DAY_MS, 2 * DAY_MS + 2,
			   &unsynced);
	assert_true(r == 0 || r == 1);
	assert_int_equal(account_left(a, RATE, 2 + DAY_MS), RATE - 3000);
	assert_true(left_after_kill(path, RATE, 2 * DAY_MS + 2) <= RATE - 3000);
	unlink(path);

	/* Again, the rate lowered by a reload right after the reserve. */
	memset(&as, 0, sizeof(as));
	a = account_of(&as, "pnp", RATE, 1);
	reserve_charged(&as, a, path, RATE);
	assert_true(account_take(a, LOW, LOW, 3));
	r = account_charge(&as, a, LOW, path, LOW, 3, DAY_MS + 3, &unsynced);
	assert_true(r == 0 || r == 1);
	assert_int_equal(account_left(a, LOW, 3), 0);
	assert_int_equal(left_after_kill(path, LOW, DAY_MS + 3), 0);
	unlink(path);
	rmdir(dir);
}

/*
 * -n's check that the accounts could be written: a directory at the
 * path, a directory that is not there, a file where a directory should
 * be, one not writable, each said. Before, -n said "configuration OK" of
 * each, and the start exited.
 */
static void
test_check_path(void **state)
{
	char dir[64], path[96], under[128], why[256];
	FILE *f;

	(void)state;
	tmp_path(dir, sizeof(dir), path, sizeof(path));
	assert_int_equal(account_check_path(path, why, sizeof(why)), 0);
	assert_int_equal(account_check_path(dir, why, sizeof(why)), -EISDIR);
	assert_string_equal(why, "Is a directory");
	assert_int_equal(
	    account_check_path("/nonexistent/dir/accounts", why, sizeof(why)),
	    -ENOENT);
	assert_string_equal(why, "its directory /nonexistent/dir: No such "
				 "file or directory");
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(account_check_path(path, why, sizeof(why)), 0);
	snprintf(under, sizeof(under), "%s/accounts", path);
	assert_int_equal(account_check_path(under, why, sizeof(why)), -ENOTDIR);
	/* root may write whatever the mode says: only others are refused. */
	if (geteuid() != 0) {
		assert_int_equal(chmod(dir, 0500), 0);
		assert_int_equal(account_check_path(path, why, sizeof(why)),
				 -EACCES);
		assert_non_null(strstr(why, "cannot be written"));
		assert_int_equal(chmod(dir, 0700), 0);
	} else {
		/* -n run as root: the daemon's user is the directory's
		 * owner, and the file is weighed for it; access() said yes
		 * to root. */
		assert_int_equal(chown(dir, 4242, 4242), 0);
		assert_int_equal(account_check_path(path, why, sizeof(why)),
				 -EACCES);
		assert_non_null(strstr(why, "cannot be read and written for "
					    "uid 4242, the owner of "));
		assert_int_equal(chown(path, 4242, 4242), 0);
		assert_int_equal(account_check_path(path, why, sizeof(why)), 0);
		assert_int_equal(chmod(dir, 0500), 0);
		assert_int_equal(account_check_path(path, why, sizeof(why)),
				 -EACCES);
		assert_non_null(strstr(why, "cannot be written for uid 4242"));
		assert_int_equal(chmod(dir, 0700), 0);
	}
	unlink(path);
	rmdir(dir);
}

/* A file that is not an accounts file is refused with its line. */
static void
test_saved_bad(void **state)
{
	static struct accounts back;
	char dir[64], path[96], err[256];
	FILE *f;

	(void)state;
	tmp_path(dir, sizeof(dir), path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("kuska-keyholder-accounts 1\npnp 10 5 1 2 3 4\npnp 1\n", f);
	fclose(f);
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, ":3: "));
	assert_int_equal(back.n, 0);
	/* The same node twice. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("kuska-keyholder-accounts 1\npnp 10 5 1 2 3 4\n"
	      "pnp 10 5 1 2 3 4\n",
	      f);
	fclose(f);
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	/* Version 2 with a line of version 1 (its times missing), or of
	 * neither, and a version not known: refused with the line, nothing
	 * loaded. */
	write_file(path, "kuska-keyholder-accounts 2\npnp 10 5 1 2 3 4 7 8\n"
			 "mp 10 5 1 2 3 4\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, ":3: not a line of a key holder's"));
	assert_int_equal(back.n, 0);
	write_file(path, "kuska-keyholder-accounts 2\npnp 10 5 1 2 3 4 7\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, ":2: "));
	write_file(path, "kuska-keyholder-accounts 3\npnp 10 5 1 2 3 4 7 8\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, ":1: "));
	/* Numbers the key holder never writes (a damaged file, an edit):
	 * a sign, taken by %llu as 2^64 - 5, and a count past 63 bits,
	 * taken as ULLONG_MAX; refused, not loaded as counts. */
	write_file(path, "kuska-keyholder-accounts 2\npnp -5 5 1 2 3 4 7 8\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, ":2: not a line of a key holder's"));
	assert_non_null(strstr(err, "put back its copy from a backup"));
	write_file(path, "kuska-keyholder-accounts 2\n"
			 "pnp 10 5 99999999999999999999999 2 3 4 7 8\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	write_file(path, "kuska-keyholder-accounts 2\npnp 10 +5 1 2 3 4 7 8\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	write_file(path, "kuska-keyholder-accounts 2\npnp 10 5 1 2 3 4 7 8x\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	/* The largest it may write still reads. */
	write_file(path, "kuska-keyholder-accounts 2\n"
			 "pnp 10 5 9223372036854775807 2 3 4 7 8\n");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(back.n, 1);
	memset(&back, 0, sizeof(back));
	/* Cut to nothing: not a fresh start giving every node a full
	 * day's allowance. */
	write_file(path, "");
	assert_int_equal(
	    account_load(&back, path, 1000, 0, 0, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, ": empty, not a key holder's accounts"));
	assert_int_equal(back.n, 0);
	/* A directory named as the file: said so, not "read error". */
	assert_int_equal(account_load(&back, dir, 1000, 0, 0, err, sizeof(err)),
			 -EISDIR);
	assert_non_null(strstr(err, ": Is a directory"));
	/* A directory that is not there: cannot be written. */
	assert_int_not_equal(
	    account_save(&back, "/nonexistent/dir/accounts", 1000, 0, 0, NULL),
	    0);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_allowance),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_audit_keys),
	    cmocka_unit_test(test_saved),
	    cmocka_unit_test(test_charge),
	    cmocka_unit_test(test_charge_coalesced),
	    cmocka_unit_test(test_charge_full_bucket),
	    cmocka_unit_test(test_check_path),
	    cmocka_unit_test(test_saved_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
