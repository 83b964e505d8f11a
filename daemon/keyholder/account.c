/* account.c - per-node allowances of a key holder; see account.h. */
#include "account.h"

#include "daemon.h"
#include "file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY_MS 86400000.0

static void
refill(struct account *a, unsigned long rate_per_day, uint64_t mono_ms)
{
	if (mono_ms > a->refill_ms) {
		a->allowance += (double)(mono_ms - a->refill_ms) *
				(double)rate_per_day / DAY_MS;
		a->refill_ms = mono_ms;
	}
	/* A lowered rate (SIGHUP) caps what was saved up. The reserve
	 * then ends: the file's allowance, the reserve taken from it,
	 * refills on to the cap this one stops at, and what the reserve
	 * covered after that would be given back by a kill. */
	if (a->allowance > (double)rate_per_day) {
		a->allowance = (double)rate_per_day;
		a->reserve = 0;
	}
}

struct account *
account_of(struct accounts *as, const char *id, unsigned long rate_per_day,
	   uint64_t mono_ms)
{
	struct account *a;
	size_t i;

	for (i = 0; i < as->n; i++)
		if (strcmp(as->a[i].id, id) == 0)
			return &as->a[i];
	if (as->n == ACCOUNT_MAX)
		return NULL;
	a = &as->a[as->n++];
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	a->allowance = (double)rate_per_day;
	a->refill_ms = mono_ms;
	return a;
}

bool
account_take(struct account *a, unsigned long rate_per_day, size_t n,
	     uint64_t mono_ms)
{
	refill(a, rate_per_day, mono_ms);
	if ((double)n > a->allowance)
		return false;
	a->allowance -= (double)n;
	return true;
}

uint64_t
account_left(struct account *a, unsigned long rate_per_day, uint64_t mono_ms)
{
	refill(a, rate_per_day, mono_ms);
	return a->allowance > 0 ? (uint64_t)a->allowance : 0;
}

/* FNV-1a: a key's name told apart from the others of a line. */
static uint64_t
name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

void
account_audit_key(struct account *a, const char *key)
{
	uint64_t h = name_hash(key);
	unsigned i;

	for (i = 0; i < a->audit_n_seen; i++)
		if (a->audit_seen[i] == h)
			return;
	/* More keys than a registry holds (reloads within the line's
	 * minute): none remembered past them, each request with another
	 * counted as one more key. */
	if (a->audit_n_seen < ACCOUNT_AUDIT_SEEN)
		a->audit_seen[a->audit_n_seen++] = h;
	if (a->audit_n_keys < ACCOUNT_AUDIT_KEYS)
		snprintf(a->audit_keys[a->audit_n_keys++], KEYS_ID_MAX, "%s",
			 key);
	else
		a->audit_more_keys++;
}

const char *
account_audit_keys(struct account *a, char *buf, size_t cap)
{
	size_t len = 0;
	unsigned i;
	int n;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < a->audit_n_keys && len < cap; i++) {
		n = snprintf(buf + len, cap - len, "%s%s", i > 0 ? "," : "",
			     a->audit_keys[i]);
		len += n > 0 ? (size_t)n : 0;
	}
	if (a->audit_more_keys > 0 && len < cap)
		snprintf(buf + len, cap - len, ",+%u", a->audit_more_keys);
	a->audit_n_keys = 0;
	a->audit_n_seen = 0;
	a->audit_more_keys = 0;
	return buf;
}

/* Version 2 adds each node's last request and last refusal (wall ms),
 * so that kuska status still warns of a sweep after a restart; a file
 * of version 1 is read as before, its nodes' times unknown (0). */
#define ACCOUNT_FILE_HEAD "kuska-keyholder-accounts 2"
#define ACCOUNT_FILE_HEAD_V1 "kuska-keyholder-accounts 1"

int
account_save(struct accounts *as, const char *path, unsigned long rate_per_day,
	     uint64_t mono_ms, uint64_t wall_ms, int *ret_unsynced)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;
	int r = 0;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -errno;
	fprintf(f, "%s\n", ACCOUNT_FILE_HEAD);
	for (i = 0; i < as->n; i++) {
		struct account *a = &as->a[i];
		uint64_t left = account_left(a, rate_per_day, mono_ms);

		/* The reserve as if evaluated: a kill keeps it charged. */
		left = left > a->reserve ? left - a->reserve : 0;
		fprintf(f, "%s %llu %llu %llu %llu %llu %llu %llu %llu\n",
			a->id, (unsigned long long)left,
			(unsigned long long)wall_ms,
			(unsigned long long)a->requests,
			(unsigned long long)(a->evaluations + a->reserve),
			(unsigned long long)a->refused_rate,
			(unsigned long long)a->refused_other,
			(unsigned long long)a->last_request_ms,
			(unsigned long long)a->last_refusal_ms);
	}
	if (ferror(f))
		r = -ENOMEM;
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r == 0)
		r = file_replace(path, buf, len, 0600, ret_unsynced);
	free(buf);
	return r;
}

/*
 * The reserve a write at mono_ms charges ahead for a, after it took n:
 * ACCOUNT_RESERVE_MS at its rate since its last write (none for a first
 * write, little for a node that asks now and then), within the caps.
 */
static uint64_t
reserve_for(struct account *a, unsigned long rate_per_day, uint64_t mono_ms)
{
	uint64_t elapsed, want, cap = rate_per_day / ACCOUNT_RESERVE_SHARE;
	uint64_t left = account_left(a, rate_per_day, mono_ms);

	if (a->charged_ms == 0)
		return 0;
	elapsed = mono_ms > a->charged_ms ? mono_ms - a->charged_ms : 1;
	want = a->charged_since * ACCOUNT_RESERVE_MS / elapsed;
	if (want > cap)
		want = cap;
	return want < left ? want : left;
}

int
account_charge(struct accounts *as, struct account *a, size_t n,
	       const char *path, unsigned long rate_per_day, uint64_t mono_ms,
	       uint64_t wall_ms, int *ret_unsynced)
{
	int r, unsynced = 0;

	if (ret_unsynced != NULL)
		*ret_unsynced = 0;
	/* Charged already, by the write that charged the reserve. */
	if (n <= a->reserve) {
		a->reserve -= n;
		a->charged_since += n;
		return 1;
	}
	a->reserve = reserve_for(a, rate_per_day, mono_ms);
	a->evaluations += n; /* saved as made: they will be, or refused */
	r = account_save(as, path, rate_per_day, mono_ms, wall_ms, &unsynced);
	a->evaluations -= n;
	if (ret_unsynced != NULL)
		*ret_unsynced = unsynced;
	/* Only a file without them gives them back: one that has them
	 * charges them at the next start, evaluated or not. The reserve
	 * that file has (if any) stays charged; its next request writes. */
	if (r != 0) {
		a->allowance += (double)n;
		a->reserve = 0;
		return r;
	}
	a->charged_ms = mono_ms;
	a->charged_since = n;
	/* Written, but a power cut may bring the old file back: no reserve
	 * coasts on it, the next request writes (and syncs) again. */
	if (unsynced != 0)
		a->reserve = 0;
	return 0;
}

void
account_release(struct accounts *as)
{
	size_t i;

	for (i = 0; i < as->n; i++)
		as->a[i].reserve = 0;
}

/*
 * The next field of *p: a count or a time, decimal digits alone ("-5",
 * "+5" and "0x5", which strtoull and sscanf's %llu take, are not), that
 * fits in 63 bits; its end in *p. 0 or -EBADMSG.
 */
static int
load_number(const char **p, unsigned long long *ret)
{
	const char *s = *p;
	unsigned long long v = 0;

	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return -EBADMSG;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long long d = (unsigned long long)(*s - '0');

		if (v > ((unsigned long long)INT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	*p = s;
	*ret = v;
	return 0;
}

/*
 * One saved account's line (of a file of version v) into a fresh account
 * of as; 0 or -EBADMSG. A number out of reason (signed, past 63 bits: the
 * key holder writes none) is a damaged file, not a count to take.
 */
static int
load_line(struct accounts *as, const char *line, int v,
	  unsigned long rate_per_day, uint64_t mono_ms, uint64_t wall_ms)
{
	char id[64];
	unsigned long long n[8] = {0}, left, saved_ms, req, ev, rr, ro, lq, lr;
	struct account *a;
	const char *p;
	size_t i, fields = v == 1 ? 6 : 8;
	int used = 0;

	if (sscanf(line, "%63s%n", id, &used) != 1 || strlen(id) >= KEYS_ID_MAX)
		return -EBADMSG;
	p = line + used;
	for (i = 0; i < fields; i++)
		if (load_number(&p, &n[i]) != 0)
			return -EBADMSG;
	if (strcmp(p, "\n") != 0)
		return -EBADMSG;
	left = n[0], saved_ms = n[1], req = n[2], ev = n[3], rr = n[4];
	ro = n[5], lq = n[6], lr = n[7];
	for (i = 0; i < as->n; i++)
		if (strcmp(as->a[i].id, id) == 0)
			return -EBADMSG;
	a = account_of(as, id, rate_per_day, mono_ms);
	if (a == NULL)
		return -EBADMSG;
	a->allowance = (double)left;
	/* The refill of the time it was down, as if it had run. */
	if (wall_ms > saved_ms)
		a->allowance += (double)(wall_ms - saved_ms) *
				(double)rate_per_day / DAY_MS;
	if (a->allowance > (double)rate_per_day)
		a->allowance = (double)rate_per_day;
	a->requests = req;
	a->evaluations = ev;
	a->refused_rate = rr;
	a->refused_other = ro;
	a->last_request_ms = lq;
	a->last_refusal_ms = lr;
	return 0;
}

int
account_load(struct accounts *as, const char *path, unsigned long rate_per_day,
	     uint64_t mono_ms, uint64_t wall_ms, char *err, size_t cap)
{
	char line[256];
	unsigned lineno = 0;
	FILE *f;
	int r = 0, v = 2;

	f = fopen(path, "re");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(err, cap, "%s: %s", path, strerror(-r));
		return r;
	}
	errno = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (lineno == 1 && strcmp(line, ACCOUNT_FILE_HEAD_V1 "\n") == 0)
			v = 1;
		if (lineno == 1
			? v == 2 && strcmp(line, ACCOUNT_FILE_HEAD "\n") != 0
			: load_line(as, line, v, rate_per_day, mono_ms,
				    wall_ms) != 0) {
			r = -EBADMSG;
			snprintf(err, cap,
				 "%s:%u: not a line of a key holder's accounts "
				 "file",
				 path, lineno);
			break;
		}
	}
	/* fgets says why in errno: a directory read as "read error". */
	if (r == 0 && ferror(f)) {
		r = errno != 0 ? -errno : -EIO;
		snprintf(err, cap, "%s: %s", path, strerror(-r));
	} else if (r == 0 && lineno == 0) {
		/* Never written so (its first line is always there): cut
		 * short, not a fresh start that gives every node a full
		 * day's allowance. */
		r = -EBADMSG;
		snprintf(err, cap,
			 "%s: empty, not a key holder's accounts file", path);
	}
	if (r == -EBADMSG) {
		size_t len = strlen(err);

		snprintf(err + len, cap - len,
			 " (damaged?): put back its copy from a backup, the "
			 "key holder stopped; only if there is none, remove "
			 "it, which gives every node a full day's allowance "
			 "(OPERATIONS.md section 10)");
	}
	fclose(f);
	if (r != 0)
		memset(as, 0, sizeof(*as));
	return r;
}

int
account_check_path(const char *path, char *why, size_t cap)
{
	char dir[PATH_MAX], who[PATH_MAX + 96];
	struct stat st;
	uid_t user;
	int r;

	/* Written through a temporary beside it: the directory too. */
	file_dir_of(path, dir, sizeof(dir));
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(why, cap, "%s", strerror(EISDIR));
			return -EISDIR;
		}
		if ((r = daemon_may(path, dir, R_OK | W_OK, &user)) != 0) {
			snprintf(why, cap, "cannot be read and written%s: %s",
				 daemon_for_user(user, dir, who, sizeof(who)),
				 strerror(-r));
			return r;
		}
	} else if (errno != ENOENT) {
		r = -errno; /* a part of the path no directory, ... */
		snprintf(why, cap, "%s", strerror(-r));
		return r;
	}
	if (stat(dir, &st) != 0) {
		r = -errno;
		snprintf(why, cap, "its directory %s: %s", dir, strerror(-r));
		return r;
	}
	if ((r = daemon_may(dir, dir, W_OK | X_OK, &user)) != 0) {
		snprintf(why, cap, "its directory %s cannot be written%s: %s",
			 dir, daemon_for_user(user, dir, who, sizeof(who)),
			 strerror(-r));
		return r;
	}
	return 0;
}
