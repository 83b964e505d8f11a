/*
 * test_delta.c - the batch's counter deltas (delta.c): sums by key, keys
 * given back in memcmp order (a shorter key before a longer one it
 * begins), zero sums left out, merge and clear, against a plain list
 * summed and sorted with qsort.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "delta.h"

#define KEYS 3000
#define ADDS 60000

struct ref {
	uint8_t key[DELTA_KEY_MAX];
	size_t len;
	int64_t v;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	size_t l = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, l);

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* What delta_each gave, in order. */
struct seen {
	struct ref *r;
	size_t n, cap;
};

static int
collect(void *arg, const uint8_t *key, size_t len, int64_t v)
{
	struct seen *s = arg;

	assert_true(s->n < s->cap);
	assert_true(len >= 1 && len <= DELTA_KEY_MAX);
	memcpy(s->r[s->n].key, key, len);
	s->r[s->n].len = len;
	s->r[s->n].v = v;
	s->n++;
	return 0;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Keys that share prefixes, differ in length and include zero bytes. */
static void
make_keys(struct ref *keys, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		keys[i].len = 1 + next() % DELTA_KEY_MAX;
		for (j = 0; j < keys[i].len; j++)
			keys[i].key[j] = (uint8_t)(next() % 3);
	}
	/* Distinct keys only: the reference sums by index. */
	qsort(keys, n, sizeof(*keys), ref_cmp);
	for (i = 1, j = 0; i < n; i++)
		if (ref_cmp(&keys[i], &keys[j]) != 0)
			keys[++j] = keys[i];
	for (i = j + 1; i < n; i++)
		keys[i].len = 0; /* unused */
}

static size_t
check_against(struct delta_table *d, struct ref *keys, size_t n)
{
	struct seen s = {calloc(n, sizeof(struct ref)), 0, n};
	size_t i, m = 0;

	assert_non_null(s.r);
	assert_int_equal(delta_each(d, collect, &s), 0);
	for (i = 0; i < n; i++) {
		if (keys[i].len == 0 || keys[i].v == 0)
			continue;
		assert_true(m < s.n);
		assert_int_equal(s.r[m].len, keys[i].len);
		assert_memory_equal(s.r[m].key, keys[i].key, keys[i].len);
		assert_true(s.r[m].v == keys[i].v);
		m++;
	}
	assert_int_equal(m, s.n);
	free(s.r);
	return m;
}

static void
test_sums_in_key_order(void **state)
{
	struct ref *keys = calloc(KEYS, sizeof(*keys));
	struct delta_table *d = delta_new();
	size_t i, live = 0;

	(void)state;
	assert_non_null(keys);
	assert_non_null(d);
	make_keys(keys, KEYS);
	for (i = 0; i < KEYS; i++)
		live += keys[i].len > 0;
	for (i = 0; i < ADDS; i++) {
		struct ref *k = &keys[next() % live];
		int64_t v = (int64_t)(next() % 7) - 3;
		k->v += v;
		assert_int_equal(delta_add(d, k->key, k->len, v), 0);
	}
	/* Some sums back to zero: those keys are left out. */
	for (i = 0; i < live; i += 5) {
		assert_int_equal(
		    delta_add(d, keys[i].key, keys[i].len, -keys[i].v), 0);
		keys[i].v = 0;
	}
	assert_true(check_against(d, keys, KEYS) > 0);
	assert_true(delta_count(d) <= live);
	/* A second walk gives the same. */
	check_against(d, keys, KEYS);
	delta_clear(d);
	assert_int_equal(delta_count(d), 0);
	for (i = 0; i < KEYS; i++)
		keys[i].v = 0;
	check_against(d, keys, KEYS);
	delta_free(&d);
	assert_null(d);
	delta_free(&d);
	free(keys);
}

static void
test_merge(void **state)
{
	struct ref *keys = calloc(KEYS, sizeof(*keys));
	struct delta_table *d = delta_new(), *part = delta_new();
	size_t i, round, live = 0;

	(void)state;
	assert_non_null(keys);
	assert_true(d != NULL && part != NULL);
	make_keys(keys, KEYS);
	for (i = 0; i < KEYS; i++)
		live += keys[i].len > 0;
	/* Rounds of a few keys taken off and put back, plus a change. */
	for (round = 0; round < 500; round++) {
		for (i = 0; i < 40; i++) {
			struct ref *k = &keys[next() % live];
			assert_int_equal(delta_add(part, k->key, k->len, -1),
					 0);
			assert_int_equal(delta_add(part, k->key, k->len, 1), 0);
		}
		i = next() % live;
		assert_int_equal(delta_add(part, keys[i].key, keys[i].len, 2),
				 0);
		keys[i].v += 2;
		assert_int_equal(delta_merge(d, part), 0);
		assert_int_equal(delta_count(part), 0);
	}
	check_against(d, keys, KEYS);
	delta_free(&d);
	delta_free(&part);
	free(keys);
}

static int
stop_at_third(void *arg, const uint8_t *key, size_t len, int64_t v)
{
	int *n = arg;

	(void)key;
	(void)len;
	(void)v;
	return ++*n == 3 ? 42 : 0;
}

static void
test_bad_lengths_and_stop(void **state)
{
	struct delta_table *d = delta_new();
	uint8_t k[DELTA_KEY_MAX + 1] = {0};
	int n = 0, i;

	(void)state;
	assert_non_null(d);
	assert_int_equal(delta_add(d, k, 0, 1), -EINVAL);
	assert_int_equal(delta_add(d, k, DELTA_KEY_MAX + 1, 1), -EINVAL);
	/* A key of zero bytes and its shorter prefix are two keys. */
	assert_int_equal(delta_add(d, k, 1, 1), 0);
	assert_int_equal(delta_add(d, k, 2, 1), 0);
	for (i = 0; i < 5; i++) {
		k[0] = (uint8_t)(i + 1);
		assert_int_equal(delta_add(d, k, 4, 1), 0);
	}
	assert_int_equal(delta_count(d), 7);
	assert_int_equal(delta_each(d, stop_at_third, &n), 42);
	assert_int_equal(n, 3);
	delta_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sums_in_key_order),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_bad_lengths_and_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
