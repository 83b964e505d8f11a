/* test_store.c - the consolidator's LMDB store (store.h), in a temp dir. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "lmdbcheck.h"
#include "store.h"

#define MAP (8u << 20)

struct fixture {
	char dir[64];
	char db[96];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/kuska-store-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof(fx->db), "%s/db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static void
put_str(struct store_txn *t, enum store_table tb, const char *k, const char *v)
{
	assert_int_equal(store_put(t, tb, k, strlen(k), v, strlen(v), 0), 0);
}

static void
expect_str(struct store_txn *t, enum store_table tb, const char *k,
	   const char *v)
{
	const void *got;
	size_t len;

	if (v == NULL) {
		assert_int_equal(store_get(t, tb, k, strlen(k), &got, &len),
				 -ENOENT);
		return;
	}
	assert_int_equal(store_get(t, tb, k, strlen(k), &got, &len), 0);
	assert_int_equal(len, strlen(v));
	assert_memory_equal(got, v, len);
}

static void
test_be_helpers(void **state)
{
	uint8_t b[8];

	(void)state;
	store_be64(b, 0x0102030405060708ull);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[7], 8);
	assert_int_equal(store_get64(b), 0x0102030405060708ull);
	store_be64(b, UINT64_MAX);
	assert_int_equal(store_get64(b), UINT64_MAX);
	store_be32(b, 0xa1b2c3d4u);
	assert_int_equal(b[0], 0xa1);
	assert_int_equal(b[3], 0xd4);
	assert_int_equal(store_get32(b), 0xa1b2c3d4u);
}

static void
test_get_put_del(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	const void *v;
	size_t vl;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	expect_str(t, T_META, "a", NULL);
	put_str(t, T_META, "a", "1");
	put_str(t, T_META, "b", "two");
	/* Tables are separate. */
	put_str(t, T_INSTS, "a", "other");
	expect_str(t, T_META, "a", "1");
	expect_str(t, T_INSTS, "a", "other");
	/* Overwrite, and refuse to. */
	put_str(t, T_META, "a", "uno");
	assert_int_equal(
	    store_put(t, T_META, "a", 1, "x", 1, STORE_NOOVERWRITE), -EEXIST);
	expect_str(t, T_META, "a", "uno");
	/* An empty value. */
	assert_int_equal(store_put(t, T_META, "e", 1, "", 0, 0), 0);
	assert_int_equal(store_get(t, T_META, "e", 1, &v, &vl), 0);
	assert_int_equal(vl, 0);
	assert_int_equal(store_del(t, T_META, "b", 1), 0);
	assert_int_equal(store_del(t, T_META, "b", 1), -ENOENT);
	expect_str(t, T_META, "b", NULL);
	assert_int_equal(store_commit(&t), 0);
	assert_null(t);

	/* Reopened: what was committed. */
	store_close(&st);
	assert_null(st);
	store_close(&st);
	store_close(NULL);
	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, false, &t), 0);
	expect_str(t, T_META, "a", "uno");
	expect_str(t, T_META, "b", NULL);
	expect_str(t, T_INSTS, "a", "other");
	/* A read transaction does not write. */
	assert_true(store_put(t, T_META, "z", 1, "z", 1, 0) < 0);
	store_abort(&t);
	assert_null(t);
	store_abort(&t);
	store_abort(NULL);
	store_close(&st);
}

static void
test_commit_abort(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL, *r = NULL;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_META, "kept", "yes");
	assert_int_equal(store_commit(&t), 0);

	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_META, "dropped", "yes");
	assert_int_equal(store_del(t, T_META, "kept", 4), 0);
	/* A reader started before the commit sees the old state. */
	assert_int_equal(store_begin(st, false, &r), 0);
	expect_str(r, T_META, "kept", "yes");
	expect_str(r, T_META, "dropped", NULL);
	store_abort(&t);
	expect_str(r, T_META, "kept", "yes");
	store_abort(&r);

	assert_int_equal(store_begin(st, false, &r), 0);
	expect_str(r, T_META, "kept", "yes");
	expect_str(r, T_META, "dropped", NULL);
	store_abort(&r);
	store_close(&st);
}

static void
test_append_flag(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	uint8_t k[8];
	uint64_t s;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	for (s = 1; s <= 100; s++) {
		store_be64(k, s);
		assert_int_equal(
		    store_put(t, T_ENV_FIRST, k, 8, "e", 1, STORE_APPEND), 0);
	}
	/* Not after the last key: refused. */
	store_be64(k, 50);
	assert_true(store_put(t, T_ENV_FIRST, k, 8, "e", 1, STORE_APPEND) < 0);
	store_abort(&t);
	store_close(&st);
}

struct each_ctx {
	size_t n;
	char keys[64][16];
	size_t stop_at;
};

static int
each_fn(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct each_ctx *c = arg;

	(void)v;
	(void)vlen;
	assert_true(klen < 16);
	memcpy(c->keys[c->n], k, klen);
	c->keys[c->n][klen] = '\0';
	c->n++;
	if (c->stop_at != 0 && c->n == c->stop_at)
		return 7;
	return 0;
}

static void
test_each_last(void **state)
{
	struct fixture *fx = *state;
	static const char *const keys[] = {
	    "a", "ab", "abc", "abd", "ac", "b", "b\xff", "b\xff\xff", "c"};
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct each_ctx c;
	const void *k, *v;
	size_t kl, vl, i;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	/* Empty table. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, NULL, 0, each_fn, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(store_last(t, T_CHANGES, NULL, 0, &k, &kl, &v, &vl),
			 -ENOENT);
	assert_int_equal(store_last(t, T_CHANGES, "a", 1, &k, &kl, &v, &vl),
			 -ENOENT);
	/* Inserted out of order. */
	for (i = sizeof(keys) / sizeof(keys[0]); i-- > 0;)
		put_str(t, T_CHANGES, keys[i], keys[i]);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, NULL, 0, each_fn, &c), 0);
	assert_int_equal(c.n, 9);
	for (i = 0; i < 9; i++)
		assert_string_equal(c.keys[i], keys[i]);

	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, "ab", 2, each_fn, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.keys[0], "ab");
	assert_string_equal(c.keys[2], "abd");
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, "b", 1, each_fn, &c), 0);
	assert_int_equal(c.n, 3);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, "zz", 2, each_fn, &c), 0);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, "aa", 2, each_fn, &c), 0);
	assert_int_equal(c.n, 0);
	/* The callback's nonzero value stops the walk and is returned. */
	memset(&c, 0, sizeof(c));
	c.stop_at = 2;
	assert_int_equal(store_each(t, T_CHANGES, "a", 1, each_fn, &c), 7);
	assert_int_equal(c.n, 2);

	/* Last with a prefix. */
	assert_int_equal(store_last(t, T_CHANGES, NULL, 0, &k, &kl, &v, &vl),
			 0);
	assert_int_equal(kl, 1);
	assert_memory_equal(k, "c", 1);
	assert_int_equal(store_last(t, T_CHANGES, "a", 1, &k, &kl, &v, &vl), 0);
	assert_int_equal(kl, 2);
	assert_memory_equal(k, "ac", 2);
	assert_int_equal(vl, 2);
	assert_memory_equal(v, "ac", 2);
	assert_int_equal(store_last(t, T_CHANGES, "ab", 2, &k, &kl, &v, &vl),
			 0);
	assert_memory_equal(k, "abd", 3);
	assert_int_equal(store_last(t, T_CHANGES, "\xff", 1, &k, &kl, &v, &vl),
			 -ENOENT);
	/* The last key overall matches the prefix. */
	assert_int_equal(store_last(t, T_CHANGES, "c", 1, &k, &kl, &v, &vl), 0);
	assert_memory_equal(k, "c", 1);
	/* No key with the prefix, between others. */
	assert_int_equal(store_last(t, T_CHANGES, "aa", 2, &k, &kl, &v, &vl),
			 -ENOENT);
	assert_int_equal(store_last(t, T_CHANGES, "bb", 2, &k, &kl, &v, &vl),
			 -ENOENT);
	assert_int_equal(store_last(t, T_CHANGES, "0", 1, &k, &kl, &v, &vl),
			 -ENOENT);
	assert_int_equal(store_last(t, T_CHANGES, "d", 1, &k, &kl, &v, &vl),
			 -ENOENT);
	/* Prefixes over 64 bytes are refused. */
	{
		char p[65];
		memset(p, 'a', sizeof(p));
		assert_int_equal(
		    store_last(t, T_CHANGES, p, 65, &k, &kl, &v, &vl), -EINVAL);
	}

	/* Clear empties one table only. */
	put_str(t, T_META, "m", "1");
	assert_int_equal(store_clear(t, T_CHANGES), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, NULL, 0, each_fn, &c), 0);
	assert_int_equal(c.n, 0);
	expect_str(t, T_META, "m", "1");
	put_str(t, T_CHANGES, "new", "1");
	assert_int_equal(store_commit(&t), 0);
	assert_int_equal(store_begin(st, false, &t), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_each(t, T_CHANGES, NULL, 0, each_fn, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.keys[0], "new");
	store_abort(&t);
	store_close(&st);
}

/*
 * store_last with a prefix whose last byte is 0xff: the seek key is the
 * prefix "plus one" with the carry, but keeps the prefix's length, so
 * for prefix "b\xff" it seeks "c\x00" rather than "c". A key "c" then
 * sits between the two and the real last key "b\xff\xff" is missed.
 */
static void
test_last_prefix_carry(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	const void *k, *v;
	size_t kl, vl;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_CHANGES, "b\xff\xff", "x");
	put_str(t, T_CHANGES, "c", "y");
	assert_int_equal(store_last(t, T_CHANGES, "b\xff", 2, &k, &kl, &v, &vl),
			 0);
	assert_int_equal(kl, 3);
	assert_memory_equal(k, "b\xff\xff", 3);
	store_abort(&t);
	store_close(&st);
}

static int64_t
counter(struct store_txn *t, enum store_table tb, const char *k)
{
	const void *v;
	size_t vl;
	int r = store_get(t, tb, k, strlen(k), &v, &vl);

	if (r == -ENOENT)
		return -1; /* absent */
	assert_int_equal(r, 0);
	assert_int_equal(vl, 8);
	return (int64_t)store_get64(v);
}

static void
add(struct store_txn *t, enum store_table tb, const char *k, int64_t d)
{
	assert_int_equal(store_add(t, tb, k, strlen(k), d), 0);
}

static void
test_add(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	enum store_table c = (enum store_table)(T_STATS_FIRST + 1);

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	add(t, c, "x", 5);
	assert_int_equal(counter(t, c, "x"), 5);
	add(t, c, "x", 3);
	assert_int_equal(counter(t, c, "x"), 8);
	add(t, c, "x", -8); /* reaches zero: deleted */
	assert_int_equal(counter(t, c, "x"), -1);
	add(t, c, "x", -4); /* never negative, never created */
	assert_int_equal(counter(t, c, "x"), -1);
	add(t, c, "y", 2);
	add(t, c, "y", -10); /* would go below zero: gone */
	assert_int_equal(counter(t, c, "y"), -1);
	add(t, c, "z", 0); /* zero on a missing counter: nothing */
	assert_int_equal(counter(t, c, "z"), -1);
	add(t, c, "big", INT64_MAX - 1);
	add(t, c, "big", 1);
	assert_int_equal(counter(t, c, "big"), INT64_MAX);

	/* Interleaved with other tables and with puts and deletes on the
	 * same one: the cached cursor keeps up. */
	add(t, c, "a", 1);
	add(t, T_META, "a", 10);
	add(t, c, "b", 1);
	put_str(t, c, "aa", "01234567");
	add(t, c, "a", 1);
	assert_int_equal(store_del(t, c, "b", 1), 0);
	add(t, c, "b", 4);
	add(t, T_META, "a", 1);
	assert_int_equal(counter(t, c, "a"), 2);
	assert_int_equal(counter(t, c, "b"), 4);
	assert_int_equal(counter(t, T_META, "a"), 11);
	/* Many counters, in and out of key order. */
	{
		char k[8];
		int i;
		for (i = 0; i < 300; i++) {
			snprintf(k, sizeof(k), "k%03d", (i * 7) % 300);
			add(t, c, k, i % 5 + 1);
		}
		for (i = 0; i < 300; i++) {
			snprintf(k, sizeof(k), "k%03d", (i * 7) % 300);
			add(t, c, k, -(i % 5 + 1));
		}
		for (i = 0; i < 300; i++) {
			snprintf(k, sizeof(k), "k%03d", i);
			assert_int_equal(counter(t, c, k), -1);
		}
	}
	/* store_clear with the add cursor open on that table. */
	add(t, c, "q", 3);
	assert_int_equal(store_clear(t, c), 0);
	assert_int_equal(counter(t, c, "q"), -1);
	add(t, c, "q", 2);
	assert_int_equal(counter(t, c, "q"), 2);
	assert_int_equal(store_commit(&t), 0);

	assert_int_equal(store_begin(st, false, &t), 0);
	assert_int_equal(counter(t, c, "q"), 2);
	assert_int_equal(counter(t, c, "a"), -1); /* cleared */
	assert_int_equal(counter(t, T_META, "a"), 11);
	store_abort(&t);

	/* Aborted adds are forgotten. */
	assert_int_equal(store_begin(st, true, &t), 0);
	add(t, c, "q", 100);
	store_abort(&t);
	assert_int_equal(store_begin(st, false, &t), 0);
	assert_int_equal(counter(t, c, "q"), 2);
	store_abort(&t);
	store_close(&st);
}

/* Fills the store in transactions of 20 puts of vlen bytes until
 * -EFBIG; returns the number of transactions committed. */
static int
fill(struct store *st, size_t vlen, int start)
{
	struct store_txn *t = NULL;
	uint8_t *v = malloc(vlen);
	uint8_t k[8];
	int n, i, r = 0;

	assert_non_null(v);
	for (n = start; n < start + 100000; n++) {
		assert_int_equal(store_begin(st, true, &t), 0);
		for (i = 0; i < 20; i++) {
			memset(v, n + i, vlen);
			store_be64(k, (uint64_t)n * 20 + (uint64_t)i);
			r = store_put(t, T_ENV_FIRST, k, 8, v, vlen,
				      STORE_APPEND);
			if (r != 0)
				break;
		}
		if (r != 0) {
			assert_int_equal(r, -EFBIG);
			store_abort(&t);
			break;
		}
		r = store_commit(&t);
		assert_null(t);
		if (r != 0) {
			assert_int_equal(r, -EFBIG);
			break;
		}
	}
	free(v);
	assert_int_equal(r, -EFBIG);
	return n - start;
}

struct count_ctx {
	size_t n;
	size_t vlen;
};

static int
count_fn(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct count_ctx *c = arg;
	uint64_t key;
	uint8_t want;
	size_t i;

	assert_int_equal(klen, 8);
	key = store_get64(k);
	assert_int_equal(key, c->n);
	assert_int_equal(vlen, c->vlen);
	/* Every value whole: written by transaction key / 20. */
	want = (uint8_t)(key / 20 + key % 20);
	for (i = 0; i < vlen; i++)
		if (((const uint8_t *)v)[i] != want)
			fail_msg("key %llu byte %zu", (unsigned long long)key,
				 i);
	c->n++;
	return 0;
}

static size_t
count_entries(struct store *st, size_t vlen)
{
	struct store_txn *t = NULL;
	struct count_ctx c = {0, vlen};

	assert_int_equal(store_begin(st, false, &t), 0);
	assert_int_equal(store_each(t, T_ENV_FIRST, NULL, 0, count_fn, &c), 0);
	store_abort(&t);
	return c.n;
}

/* A small map fills; nothing half-written; growing makes room. */
static void
test_full_and_grow(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	size_t size0;
	int done, more;

	assert_int_equal(store_open(fx->db, 256 * 1024, 1024 * 1024, &st), 0);
	size0 = store_map_size(st);
	assert_true(size0 >= 256 * 1024);
	done = fill(st, 300, 0);
	assert_true(done > 0);
	/* Exactly the committed transactions are there. */
	assert_int_equal(count_entries(st, 300), (size_t)done * 20);

	/* Grow to the ceiling, filling each time. */
	assert_int_equal(store_grow(st), 0);
	assert_int_equal(store_map_size(st), 2 * size0);
	more = fill(st, 300, done);
	assert_true(more > 0);
	done += more;
	assert_int_equal(count_entries(st, 300), (size_t)done * 20);
	assert_int_equal(store_grow(st), 0);
	assert_int_equal(store_map_size(st), 1024 * 1024);
	more = fill(st, 300, done);
	assert_true(more > 0);
	done += more;
	assert_int_equal(store_grow(st), -EFBIG);
	assert_int_equal(store_map_size(st), 1024 * 1024);
	assert_int_equal(count_entries(st, 300), (size_t)done * 20);
	store_close(&st);

	/* Reopened asking for less: the map still holds all the data
	 * (LMDB keeps at least what is used), and nothing is lost. */
	assert_int_equal(store_open(fx->db, 256 * 1024, 256 * 1024, &st), 0);
	assert_true(store_map_size(st) > 256 * 1024);
	assert_int_equal(count_entries(st, 300), (size_t)done * 20);
	/* The ceiling is never below the map. */
	assert_int_equal(store_grow(st), -EFBIG);
	store_close(&st);
	/* A ceiling raised at run time (SIGHUP) lets it grow; one below
	 * the map is the map. */
	assert_int_equal(store_open(fx->db, 256 * 1024, 256 * 1024, &st), 0);
	store_set_max(st, 1);
	assert_int_equal(store_grow(st), -EFBIG);
	store_set_max(st, 2 * store_map_size(st));
	assert_int_equal(store_grow(st), 0);
	assert_int_equal(store_grow(st), -EFBIG);
	more = fill(st, 300, done);
	assert_true(more > 0);
	done += more;
	assert_int_equal(count_entries(st, 300), (size_t)done * 20);
	store_close(&st);
	/* Reopened with a higher ceiling, it can grow and take more. */
	assert_int_equal(store_open(fx->db, 256 * 1024, 4096 * 1024, &st), 0);
	assert_int_equal(store_grow(st), 0);
	more = fill(st, 300, done);
	assert_true(more > 0);
	done += more;
	assert_int_equal(count_entries(st, 300), (size_t)done * 20);
	store_close(&st);
}

/* One value bigger than the whole map. */
static void
test_full_one_value(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	uint8_t *big = calloc(1, 512 * 1024);
	const void *v;
	size_t vl;
	int r;

	assert_non_null(big);
	assert_int_equal(store_open(fx->db, 128 * 1024, 128 * 1024, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_META, "before", "1");
	assert_int_equal(store_commit(&t), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_META, "with", "1");
	r = store_put(t, T_META, "big", 3, big, 512 * 1024, 0);
	if (r == 0)
		r = store_commit(&t);
	else
		store_abort(&t);
	assert_int_equal(r, -EFBIG);
	assert_int_equal(store_begin(st, false, &t), 0);
	assert_int_equal(store_get(t, T_META, "before", 6, &v, &vl), 0);
	assert_int_equal(store_get(t, T_META, "with", 4, &v, &vl), -ENOENT);
	assert_int_equal(store_get(t, T_META, "big", 3, &v, &vl), -ENOENT);
	store_abort(&t);
	store_close(&st);
	free(big);
}

/* Overwrites every occurrence of pat in dir/data.mdb; returns how many. */
static int
damage_file(const char *dir, const char *pat)
{
	char path[160];
	FILE *f;
	uint8_t *buf;
	long size, i;
	size_t pl = strlen(pat);
	int n = 0;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	for (i = 0; i + (long)pl <= size; i++)
		if (memcmp(buf + i, pat, pl) == 0) {
			buf[i] ^= 0x20;
			n++;
		}
	rewind(f);
	assert_int_equal(fwrite(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	free(buf);
	return n;
}

static int
count_each(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	(void)k;
	(void)klen;
	(void)v;
	(void)vlen;
	(*(int *)arg)++;
	return 0;
}

/* A value damaged on disk: found by store_check, never served. */
static void
test_checksum_damage(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct store_report rep;
	const void *v;
	size_t vl;
	uint8_t k[8];
	int n = 0;

	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_true(store_sound(&rep)); /* nothing there yet */
	store_report_clear(&rep);
	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_true(store_checked(st));
	assert_string_equal(store_dir(st), fx->db);
	assert_int_equal(store_begin(st, true, &t), 0);
	store_be64(k, 7);
	assert_int_equal(store_put(t, T_ENV_FIRST, k, 8, "seven-UNIQUE-env", 16,
				   STORE_APPEND),
			 0);
	put_str(t, T_META, "m", "an intact value");
	assert_int_equal(store_add(t, T_INSTS, "c", 1, 5), 0);
	assert_int_equal(store_commit(&t), 0);
	store_close(&st);
	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_true(store_sound(&rep));
	assert_true(rep.entries >= 4); /* and the format mark */
	assert_false(rep.unchecked);
	store_report_clear(&rep);

	assert_true(damage_file(fx->db, "UNIQUE") >= 1);
	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_false(store_sound(&rep));
	assert_false(rep.unreadable);
	assert_int_equal(rep.n_damaged, 1);
	assert_int_equal(rep.n_listed, 1);
	assert_int_equal(rep.damaged[0].tb, T_ENV_FIRST);
	assert_int_equal(rep.damaged[0].klen, 8);
	assert_int_equal(store_get64(rep.damaged[0].key), 7);
	assert_int_equal(rep.damaged_in[T_ENV_FIRST], 1);

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, false, &t), 0);
	assert_int_equal(store_get(t, T_ENV_FIRST, k, 8, &v, &vl), -EUCLEAN);
	assert_int_equal(store_each(t, T_ENV_FIRST, NULL, 0, count_each, &n),
			 -EUCLEAN);
	expect_str(t, T_META, "m", "an intact value");
	store_abort(&t);
	/* Dropped, it is gone and the store sound again. */
	assert_int_equal(store_begin(st, true, &t), 0);
	assert_int_equal(store_drop_damaged(t, &rep), 0);
	assert_int_equal(store_commit(&t), 0);
	store_close(&st);
	store_report_clear(&rep);
	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_true(store_sound(&rep));
	store_report_clear(&rep);
}

/* A file cut short: named, refused, set aside for an empty one. */
static void
test_truncated(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct store_report rep;
	char path[160], moved[200];
	uint8_t k[8], v[900];
	uint64_t i;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	memset(v, 'v', sizeof(v));
	for (i = 1; i <= 200; i++) {
		store_be64(k, i);
		assert_int_equal(
		    store_put(t, T_ENV_FIRST, k, 8, v, sizeof(v), STORE_APPEND),
		    0);
	}
	assert_int_equal(store_commit(&t), 0);
	store_close(&st);
	snprintf(path, sizeof(path), "%s/data.mdb", fx->db);
	{
		FILE *f = fopen(path, "r+b");
		long size;
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		assert_int_equal(ftruncate(fileno(f), size / 2), 0);
		fclose(f);
	}
	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_true(rep.unreadable);
	assert_non_null(strstr(rep.why, "truncated: the data file holds "));
	assert_non_null(strstr(rep.why, " bytes, the store needs "));
	store_report_clear(&rep);
	assert_int_equal(store_open(fx->db, MAP, MAP, &st), -EUCLEAN);
	assert_null(st);
	assert_int_equal(store_set_aside(fx->db, moved, sizeof(moved)), 0);
	assert_non_null(strstr(moved, "data.mdb.damaged-"));
	assert_int_equal(access(moved, F_OK), 0);
	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	store_close(&st);
	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_true(store_sound(&rep));
	store_report_clear(&rep);
}

/*
 * A meta page whose page size (offset 40) has its bits flipped: LMDB says
 * only "Invalid argument". The check says the file is damaged, which
 * file, and where its repair is told.
 */
static void
test_meta_flipped(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct store_report rep;
	char path[160];
	uint8_t b[4];
	FILE *f;
	int i;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_META, "m", "a value");
	assert_int_equal(store_commit(&t), 0);
	store_close(&st);
	snprintf(path, sizeof(path), "%s/data.mdb", fx->db);
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, 40, SEEK_SET), 0);
	assert_int_equal(fread(b, 1, sizeof(b), f), sizeof(b));
	for (i = 0; i < 4; i++)
		b[i] ^= 0xff;
	assert_int_equal(fseek(f, 40, SEEK_SET), 0);
	assert_int_equal(fwrite(b, 1, sizeof(b), f), sizeof(b));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_true(rep.unreadable);
	assert_non_null(strstr(rep.why, "damaged: "));
	assert_non_null(strstr(rep.why, path));
	assert_non_null(strstr(rep.why, "OPERATIONS.md section 10"));
	store_report_clear(&rep);
}

/* The bytes this process's address space spans (RLIMIT_AS counts them). */
static unsigned long long
vm_bytes(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &pages), 1);
	fclose(f);
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/*
 * The check's child cannot map the store (its address space is capped
 * below the store's map size, as memory running out would do): the
 * check says it could not check, -ENOMEM, and not that the store is
 * damaged, which exits 78 and has --repair set the whole store aside.
 */
static void
test_check_no_memory(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct store_report rep;
	struct rlimit old, cap;
	size_t big = (size_t)1 << 30;
	int r;

	assert_int_equal(store_open(fx->db, big, big, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_META, "m", "a value");
	assert_int_equal(store_commit(&t), 0);
	store_close(&st);

	assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
	cap.rlim_cur = vm_bytes() + (64u << 20); /* well short of 1 GiB */
	cap.rlim_max = old.rlim_max;
	if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < cap.rlim_cur)
		skip();
	assert_int_equal(setrlimit(RLIMIT_AS, &cap), 0);
	r = store_check(fx->db, &rep);
	assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
	assert_int_equal(r, -ENOMEM);
	assert_false(rep.unreadable);
	assert_false(store_sound(&rep) && rep.entries > 0);
	assert_non_null(strstr(rep.why, "could not check the store: "));
	assert_non_null(strstr(rep.why, strerror(ENOMEM)));
	store_report_clear(&rep);
	/* With room, the same store is sound. */
	assert_int_equal(store_check(fx->db, &rep), 0);
	assert_true(store_sound(&rep));
	assert_true(rep.entries >= 1);
	store_report_clear(&rep);
}

static int signal_raised; /* the signal check_raise raises */

/* An entry read in the check's child: the child dies of signal_raised. */
static void
check_raise(int fd, size_t table, bool tagged, const MDB_val *k, MDB_val *v)
{
	(void)fd;
	(void)table;
	(void)tagged;
	(void)k;
	(void)v;
	raise(signal_raised);
}

static int
no_damage(void *arg, const uint8_t *rec)
{
	(void)arg;
	(void)rec;
	return 0;
}

/* lmdbcheck_run on fx's store, its child dying of sig on an entry. */
static int
check_dying(const struct fixture *fx, int sig, struct lmdbcheck_result *res)
{
	char names[T_COUNT][8];
	const char *tables[T_COUNT];
	struct lmdbcheck c = {
	    .dir = fx->db,
	    .tables = tables,
	    .n_tables = T_COUNT,
	    .meta = T_META,
	    .format_key = "format",
	    .other_table = "outbox",
	    .what = "store",
	    .entry = check_raise,
	    .damaged_len = 1,
	    .damaged = no_damage,
	};
	int i;

	for (i = 0; i < T_COUNT; i++) {
		snprintf(names[i], sizeof(names[i]), "t%02d", i);
		tables[i] = names[i];
	}
	signal_raised = sig;
	return lmdbcheck_run(&c, res);
}

/*
 * The check's child killed (SIGKILL: the out-of-memory killer; SIGTERM:
 * a stop) says nothing of the file: -EINTR, why saying so, not damage.
 * One that crashes (SIGSEGV, SIGBUS: a wild pointer LMDB followed) is.
 */
static void
test_check_killed(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct lmdbcheck_result res;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	put_str(t, T_META, "m", "a value");
	assert_int_equal(store_commit(&t), 0);
	store_close(&st);

	assert_int_equal(check_dying(fx, SIGKILL, &res), -EINTR);
	assert_false(res.unreadable);
	assert_non_null(strstr(res.why, "could not check the store: "));
	assert_non_null(strstr(res.why, strsignal(SIGKILL)));
	assert_non_null(strstr(res.why, "not damage"));
	assert_int_equal(check_dying(fx, SIGTERM, &res), -EINTR);
	assert_false(res.unreadable);
	assert_non_null(strstr(res.why, strsignal(SIGTERM)));

	assert_int_equal(check_dying(fx, SIGSEGV, &res), 0);
	assert_true(res.unreadable);
	assert_non_null(strstr(res.why, "pages are damaged"));
	assert_int_equal(check_dying(fx, SIGBUS, &res), 0);
	assert_true(res.unreadable);
}

/* store_del_from: a key and what sorts after it, within a prefix. */
static void
test_del_from(void **state)
{
	struct fixture *fx = *state;
	struct store *st = NULL;
	struct store_txn *t = NULL;
	uint8_t k[9];
	uint64_t i;
	int n = 0;

	assert_int_equal(store_open(fx->db, MAP, MAP, &st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	for (i = 1; i <= 13; i++) {
		k[0] = i <= 10 ? 1 : 2;
		store_be64(k + 1, i <= 10 ? i : i - 10);
		assert_int_equal(store_put(t, T_REFUSED, k, 9, "x", 1, 0), 0);
	}
	k[0] = 1;
	store_be64(k + 1, 5);
	assert_int_equal(store_del_from(t, T_REFUSED, k, 9, 1), 6);
	assert_int_equal(store_del_from(t, T_REFUSED, k, 9, 1), 0);
	assert_int_equal(store_each(t, T_REFUSED, k, 1, count_each, &n), 0);
	assert_int_equal(n, 4);
	n = 0;
	k[0] = 2;
	assert_int_equal(store_each(t, T_REFUSED, k, 1, count_each, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_commit(&t), 0);
	store_close(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_be_helpers),
	    cmocka_unit_test_setup_teardown(test_get_put_del, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_commit_abort, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_each_last, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_prefix_carry, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_add, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_and_grow, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_checksum_damage, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_meta_flipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_no_memory, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_check_killed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_del_from, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_one_value, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
