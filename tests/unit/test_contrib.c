/*
 * test_contrib.c - what a victim adds to the counters
 * (stats_contrib_victim): random victims of 1 to 400 identifications and
 * services, spread over eight years, 25 regions and five institutions,
 * give the counters they gave at 829592d, where every (period, region) a
 * victim falls in was tested against each of her facts (recorded below
 * as a digest of every key and delta); the same in any order of her
 * facts; and taking her off (sign -1) leaves nothing. An unlinkable
 * victim's overlap rows are her own (institution set 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "date.h"
#include "delta.h"
#include "event.h"
#include "fact.h"
#include "period.h"
#include "stats.h"
#include "stats_contrib.h"

#define VICTIMS 60
#define MAX_FACTS 400

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Victim v's n facts: identifications (sex, age group, nationality,
 * exploitation) and services, of random institutions, days from 2019 to
 * 2026 and regions; two in five of them on a few days and in one region,
 * as a victim's records mostly are.
 */
static size_t
victim(uint64_t *rnd, struct fact *f)
{
	size_t n =
	    1 + xorshift(rnd) % (xorshift(rnd) % 4 == 0 ? MAX_FACTS : 12);
	int32_t base = date_from_ymd(2019, 1, 1);
	size_t i;

	for (i = 0; i < n; i++) {
		bool near = xorshift(rnd) % 5 < 2;
		memset(&f[i], 0, sizeof(f[i]));
		f[i].type = xorshift(rnd) % 3 == 0 ? F_SERVICE : F_IDENT;
		f[i].inst = (uint8_t)(1 + xorshift(rnd) % INST_COUNT);
		f[i].seq = 1 + i;
		f[i].date = base + (int32_t)(near ? 2000 + xorshift(rnd) % 5
						  : xorshift(rnd) % 2900);
		f[i].region = (uint8_t)(near ? 16 : 1 + xorshift(rnd) % 25);
		if (f[i].type == F_SERVICE) {
			f[i].a = (uint8_t)(1 + xorshift(rnd) % SERVICE_COUNT);
			continue;
		}
		f[i].a = (uint8_t)(1 + xorshift(rnd) % 2);
		f[i].b = (uint8_t)(1 + xorshift(rnd) % AGE_GROUP_COUNT);
		memcpy(f[i].nat, xorshift(rnd) % 3 ? "PE" : "VE", 2);
		f[i].x = (uint32_t)(xorshift(rnd) % (1u << EXPL_COUNT)) << 1;
	}
	return n;
}

/* Adds a key and its delta to the digest. */
static int
digest_one(void *arg, const uint8_t *key, size_t len, int64_t v)
{
	uint8_t l = (uint8_t)len, b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (8 * i));
	crypto_generichash_update(arg, &l, 1);
	crypto_generichash_update(arg, key, len);
	crypto_generichash_update(arg, b, 8);
	return 0;
}

/* Fails on any key with a delta (delta_each gives only those). */
static int
count_one(void *arg, const uint8_t *key, size_t len, int64_t v)
{
	(void)arg;
	(void)key;
	(void)len;
	(void)v;
	return 1;
}

/* The digest of d's keys and deltas, in key order, as 64 hex digits. */
static void
digest(struct delta_table *d, char hex[65])
{
	crypto_generichash_state st;
	uint8_t h[32];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	assert_int_equal(delta_each(d, digest_one, &st), 0);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* Shuffles f[0..n-1]. */
static void
shuffle(uint64_t *rnd, struct fact *f, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = xorshift(rnd) % i;
		struct fact t = f[i - 1];
		f[i - 1] = f[j];
		f[j] = t;
	}
}

static void
test_victims(void **state)
{
	static struct fact f[MAX_FACTS];
	struct delta_table *all = delta_new(), *one = delta_new();
	uint64_t rnd = 0x9e3779b97f4a7c15ULL;
	char hex[65], again[65];
	size_t v, n, total = 0;
	int err = 0;

	(void)state;
	assert_non_null(all);
	assert_non_null(one);
	for (v = 0; v < VICTIMS; v++) {
		n = victim(&rnd, f);
		total += n;
		stats_contrib_victim(all, f, n, false, +1, &err);
		/* Her alone, then her facts shuffled, then taken off. */
		stats_contrib_victim(one, f, n, false, +1, &err);
		digest(one, hex);
		delta_clear(one);
		shuffle(&rnd, f, n);
		stats_contrib_victim(one, f, n, false, +1, &err);
		digest(one, again);
		assert_string_equal(hex, again);
		stats_contrib_victim(one, f, n, false, -1, &err);
		assert_int_equal(delta_each(one, count_one, NULL), 0);
		delta_clear(one);
		assert_int_equal(err, 0);
	}
	digest(all, hex);
	printf("%zu facts of %d victims: %s\n", total, VICTIMS, hex);
	assert_string_equal(
	    hex,
	    "8d5c622d375ce3f832914d4c13a4d70443c569ffcd1ddf5211e4f2ad65321249");
	delta_free(&all);
	delta_free(&one);
}

/* The overlap rows delta_each gives: each one's institution set. */
struct overlap_rows {
	size_t n;
	uint8_t set[16];
};

static int
overlap_one(void *arg, const uint8_t *key, size_t len, int64_t v)
{
	struct overlap_rows *o = arg;

	if (key[0] != C_OVERLAP)
		return 0;
	assert_int_equal(len, COUNTER_PREFIX_LEN + 1);
	assert_int_equal(v, 1);
	assert_true(o->n < sizeof(o->set));
	o->set[o->n++] = key[COUNTER_PREFIX_LEN];
	return 0;
}

/*
 * One identification by the police, in region 16 on 2025-03-04: overlap
 * rows in its year, semester and quarter, nationally and in the region,
 * of the police's set, or of set 0 when the victim is unlinkable.
 */
static void
test_unlinkable(void **state)
{
	struct delta_table *d = delta_new();
	struct fact f = {.type = F_IDENT,
			 .inst = INST_PNP,
			 .seq = 7,
			 .region = 16,
			 .a = 1,
			 .b = AGE_12_13,
			 .nat = {'P', 'E'}};
	struct overlap_rows o;
	int err = 0, unlinkable;
	size_t i;

	(void)state;
	assert_non_null(d);
	f.date = date_from_ymd(2025, 3, 4);
	for (unlinkable = 0; unlinkable < 2; unlinkable++) {
		memset(&o, 0, sizeof(o));
		stats_contrib_victim(d, &f, 1, unlinkable, +1, &err);
		assert_int_equal(err, 0);
		assert_int_equal(delta_each(d, overlap_one, &o), 0);
		assert_int_equal(o.n, PERIODS_PER_DAY * 2);
		for (i = 0; i < o.n; i++)
			assert_int_equal(o.set[i],
					 unlinkable ? 0 : 1u << INST_PNP);
		delta_clear(d);
	}
	delta_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_victims),
	    cmocka_unit_test(test_unlinkable),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
