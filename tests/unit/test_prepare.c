/*
 * test_prepare.c - the releases made before the secretariat asks
 * (prepare.h): the years a commit changed (stats_years), the list of
 * years waiting and when they are due, and query_prepare leaving the
 * release the first question of the year then finds cached.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "prepare.h"
#include "query.h"
#include "registry.h"
#include "release.h"
#include "stats.h"
#include "store.h"
#include "victim_fixture.h"

#define K 10
/* The consolidator's today in these tests: after every record. */
#define TODAY date_from_ymd(2026, 6, 1)

static const struct reg_party secretariat = {.role = ROLE_SECRETARIAT};

/* The list stays ascending and distinct; full, the earliest goes. */
static void
test_add_year(void **state)
{
	uint32_t ys[4];
	size_t n = 0;

	(void)state;
	prepare_add_year(ys, &n, 4, 2025);
	prepare_add_year(ys, &n, 4, 2023);
	prepare_add_year(ys, &n, 4, 2025);
	prepare_add_year(ys, &n, 4, 2024);
	assert_int_equal(n, 3);
	assert_int_equal(ys[0], 2023);
	assert_int_equal(ys[1], 2024);
	assert_int_equal(ys[2], 2025);
	prepare_add_year(ys, &n, 4, 2030);
	prepare_add_year(ys, &n, 4, 2027); /* full: 2023 goes */
	assert_int_equal(n, 4);
	assert_int_equal(ys[0], 2024);
	assert_int_equal(ys[1], 2025);
	assert_int_equal(ys[2], 2027);
	assert_int_equal(ys[3], 2030);
	prepare_add_year(ys, &n, 4, 2000); /* earlier than all: not kept */
	assert_int_equal(ys[0], 2024);
	assert_int_equal(n, 4);
}

/* Due the quiet time after the last commit, the latest year first; a
 * later commit restarts the wait; quiet 0 turns preparing off. */
static void
test_due(void **state)
{
	static const uint32_t ys[] = {2024, 2025};
	uint32_t y = 0;

	(void)state;
	prepare_forget();
	assert_int_equal(prepare_wait_ms(5000, 1000), -1);
	prepare_note(ys, 2, 1000);
	assert_int_equal(prepare_waiting(), 2);
	assert_int_equal(prepare_wait_ms(5000, 1000), 5000);
	assert_int_equal(prepare_wait_ms(0, 9000), -1);
	assert_false(prepare_take(5000, 5999, &y));
	prepare_note(NULL, 0, 3000); /* a commit of no counter */
	assert_int_equal(prepare_wait_ms(5000, 6000), 2000);
	assert_false(prepare_take(5000, 6000, &y));
	assert_true(prepare_take(5000, 8000, &y));
	assert_int_equal(y, 2025);
	assert_int_equal(prepare_waiting(), 2); /* 2025 being made */
	prepare_done();
	assert_int_equal(prepare_waiting(), 1);
	assert_true(prepare_take(5000, 8000, &y));
	assert_int_equal(y, 2024);
	prepare_done();
	assert_int_equal(prepare_waiting(), 0);
	assert_false(prepare_take(5000, 8000, &y));
	assert_int_equal(prepare_wait_ms(5000, 8000), -1);
	prepare_note(ys, 2, 9000);
	prepare_forget();
	assert_int_equal(prepare_waiting(), 0);
}

static void
identify(struct stats *s, uint64_t seq, unsigned v, int32_t date)
{
	struct event ev;

	victim_event(&ev, KIND_IDENTIFICATION, v, date, 15);
	assert_int_equal(stats_apply(s, INST_PNP, seq, &ev, date), 0);
}

/* Releases computed since start. */
static uint64_t
computed(void)
{
	uint64_t n;
	size_t kept, bytes;

	release_cache_counts(&n, &kept, &bytes);
	return n;
}

/*
 * A commit's years, prepared: the secretariat's first question of such
 * a year computes no release; a year prepared again with nothing changed
 * is found cached.
 */
static void
test_prepared_then_asked(void **state)
{
	char dir[] = "/tmp/kuska-prep-XXXXXX", cmd[64];
	uint32_t years[STATS_YEARS_MAX], y;
	struct store_txn *t;
	struct stats *s;
	struct store *st;
	struct query_req q;
	struct qtable tab;
	bool was_computed;
	uint64_t n;
	unsigned v;

	(void)state;
	release_cache_clear();
	prepare_forget();
	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(dir, 8u << 20, 64u << 20, &st), 0);
	s = stats_new();
	assert_non_null(s);
	assert_int_equal(stats_load(s, st), 0);
	assert_int_equal(store_begin(st, true, &t), 0);
	stats_begin(s, t);
	for (v = 1; v <= 14; v++)
		identify(s, v, v, date_from_ymd(2025, 1 + v % 12, 4));
	identify(s, 15, 15, date_from_ymd(2023, 5, 6));
	assert_int_equal(stats_flush(s), 0);
	assert_int_equal(store_commit(&t), 0);
	stats_committed(s);
	assert_int_equal(stats_years(s, years), 2);
	assert_int_equal(years[0], 2023);
	assert_int_equal(years[1], 2025);
	prepare_note(years, 2, 1000);
	n = computed();
	while (prepare_take(1, 2000, &y)) {
		assert_int_equal(
		    query_prepare(st, y, K, NULL, NULL, &was_computed), 0);
		assert_true(was_computed);
		prepare_done();
	}
	assert_int_equal(computed(), n + 2);
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "identification");
	snprintf(q.period, sizeof(q.period), "2025");
	assert_int_equal(query_run(st, &q, &secretariat, K, &tab), 0);
	assert_true(tab.n_rows > 0);
	codec_qtable_clear(&tab);
	snprintf(q.table, sizeof(q.table), "prosecution");
	snprintf(q.period, sizeof(q.period), "2023Q2");
	assert_int_equal(query_run(st, &q, &secretariat, K, &tab), 0);
	codec_qtable_clear(&tab);
	assert_int_equal(computed(), n + 2);
	assert_int_equal(query_prepare(st, 2025, K, NULL, NULL, &was_computed),
			 0);
	assert_false(was_computed);
	release_cache_clear();
	stats_free(&s);
	store_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * Counts its calls until it gives up, at the after-th; gives up from then
 * on. The audit runs on a thread of its own and the hook is asked every
 * few ms until it ends, given up or not (release_set_cancel): the asks
 * after the give-up, while the audit reaches its next integer programme,
 * are as many as that takes, and counted apart (later). Each ask is on
 * the thread that asked for the release (caller: that thread).
 */
struct give_up {
	unsigned calls, after;
	unsigned long later;
	pthread_t caller;
	bool elsewhere; /* asked on another thread */
};

static bool
give_up(void *arg)
{
	struct give_up *g = arg;

	if (!pthread_equal(pthread_self(), g->caller))
		g->elsewhere = true;
	if (g->calls >= g->after) {
		g->later++;
		return true;
	}
	return ++g->calls >= g->after;
}

/* A store of the data test_prepared_then_asked commits (14 victims of
 * 2025 and one of 2023) in dir, opened into *ret_st. */
static struct stats *
small_cells(char *dir, struct store **ret_st)
{
	struct store_txn *t;
	struct stats *s;
	unsigned v;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(store_open(dir, 8u << 20, 64u << 20, ret_st), 0);
	s = stats_new();
	assert_non_null(s);
	assert_int_equal(stats_load(s, *ret_st), 0);
	assert_int_equal(store_begin(*ret_st, true, &t), 0);
	stats_begin(s, t);
	for (v = 1; v <= 14; v++)
		identify(s, v, v, date_from_ymd(2025, 1 + v % 12, 4));
	identify(s, 15, 15, date_from_ymd(2023, 5, 6));
	assert_int_equal(stats_flush(s), 0);
	assert_int_equal(store_commit(&t), 0);
	stats_committed(s);
	return s;
}

static void
remove_dir(const char *dir)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * A preparation given up (a request waits: the hook says so) keeps
 * nothing: no release counted or cached, the year waiting again and due
 * only a quiet time after; asked for without a hook, the same year is
 * computed whole.
 */
static void
test_given_up(void **state)
{
	char dir[] = "/tmp/kuska-prep-XXXXXX";
	struct give_up g = {.after = 1, .caller = pthread_self()},
		       late = {.after = 3, .caller = pthread_self()};
	size_t kept0, kept1, bytes;
	uint64_t n0, n1;
	struct stats *s;
	struct store *st;
	bool was_computed = true;
	uint32_t y;

	(void)state;
	release_cache_clear();
	prepare_forget();
	s = small_cells(dir, &st);
	release_cache_counts(&n0, &kept0, &bytes);
	assert_int_equal(query_prepare(st, 2025, K, give_up, &g, &was_computed),
			 -ECANCELED);
	assert_true(g.calls >= 1);
	assert_false(was_computed);
	/* ... also when given up deep in the audit. */
	assert_int_equal(
	    query_prepare(st, 2025, K, give_up, &late, &was_computed),
	    -ECANCELED);
	assert_int_equal(late.calls, 3);
	assert_false(g.elsewhere);
	assert_false(late.elsewhere);
	release_cache_counts(&n1, &kept1, &bytes);
	assert_int_equal(n1, n0);
	assert_int_equal(kept1, kept0);
	/* Taken, given up at 5000: waiting again, due at 5000 + quiet. */
	prepare_note((const uint32_t[]){2025}, 1, 1000);
	assert_true(prepare_take(1000, 2000, &y));
	assert_int_equal(y, 2025);
	prepare_abandon(y, 5000);
	assert_int_equal(prepare_waiting(), 1);
	assert_int_equal(prepare_wait_ms(1000, 5500), 500);
	/* A request answered at 5800 puts it off again. */
	prepare_busy(5800);
	assert_false(prepare_take(1000, 6000, &y));
	assert_int_equal(prepare_wait_ms(1000, 6000), 800);
	assert_true(prepare_take(1000, 6800, &y));
	assert_int_equal(y, 2025);
	/* A query's audit has no hook: the next one is not given up. */
	assert_int_equal(query_prepare(st, 2025, K, NULL, NULL, &was_computed),
			 0);
	assert_true(was_computed);
	prepare_done();
	assert_int_equal(prepare_waiting(), 0);
	release_cache_counts(&n1, &kept1, &bytes);
	assert_int_equal(n1, n0 + 1);
	release_cache_clear();
	stats_free(&s);
	store_close(&st);
	remove_dir(dir);
}

/*
 * The years noted are the latest with data, whatever the commit changed:
 * a year's release takes every other year's totals as known, so a
 * delivery of 2024 changes 2025's release too (and of 2023 none of the
 * two latest is spared either).
 */
static void
test_years_with_data(void **state)
{
	char dir[] = "/tmp/kuska-prep-XXXXXX";
	uint32_t ys[PREPARE_YEARS_MAX], changed[STATS_YEARS_MAX];
	struct store_txn *t;
	struct stats *s;
	struct store *st;

	(void)state;
	s = small_cells(dir, &st);
	assert_int_equal(store_begin(st, false, &t), 0);
	assert_int_equal(prepare_years_in(t, TODAY, ys), 2);
	assert_int_equal(ys[0], 2023);
	assert_int_equal(ys[1], 2025);
	store_abort(&t);
	/* A commit of 2024 alone. */
	assert_int_equal(store_begin(st, true, &t), 0);
	stats_begin(s, t);
	identify(s, 16, 16, date_from_ymd(2024, 3, 3));
	assert_int_equal(stats_flush(s), 0);
	assert_int_equal(stats_years(s, changed), 1);
	assert_int_equal(changed[0], 2024);
	assert_int_equal(prepare_years_in(t, TODAY, ys), 2);
	assert_int_equal(ys[0], 2024);
	assert_int_equal(ys[1], 2025);
	assert_int_equal(store_commit(&t), 0);
	stats_committed(s);
	/* What a start notes: the same two. */
	prepare_forget();
	assert_int_equal(prepare_note_store(st, TODAY, 1000), 0);
	assert_int_equal(prepare_waiting(), 2);
	prepare_forget();
	stats_free(&s);
	store_close(&st);
	remove_dir(dir);
}

/*
 * A record dated far ahead (a node whose clock says 2090: the
 * consolidator accepts it, counting it created in the future) does not
 * make its year one of the latest: the years noted are bounded by the
 * consolidator's today and the day of slack intake allows, so that the
 * years the secretariat can ask for are the ones prepared.
 */
static void
test_years_bounded(void **state)
{
	char dir[] = "/tmp/kuska-prep-XXXXXX";
	uint32_t ys[PREPARE_YEARS_MAX], changed[STATS_YEARS_MAX], y = 0;
	struct store_txn *t;
	struct stats *s;
	struct store *st;

	(void)state;
	assert_int_equal(prepare_last_year(date_from_ymd(2025, 6, 1)), 2025);
	assert_int_equal(prepare_last_year(date_from_ymd(2025, 12, 31)), 2026);
	s = small_cells(dir, &st); /* 2023 and 2025 */
	assert_int_equal(store_begin(st, true, &t), 0);
	stats_begin(s, t);
	identify(s, 16, 16, date_from_ymd(2090, 3, 3));
	identify(s, 17, 17, date_from_ymd(2026, 1, 1));
	assert_int_equal(stats_flush(s), 0);
	assert_int_equal(stats_years(s, changed), 2);
	/* On 2025-06-01 neither 2026 nor 2090 has begun. */
	assert_int_equal(prepare_years_in(t, date_from_ymd(2025, 6, 1), ys), 2);
	assert_int_equal(ys[0], 2023);
	assert_int_equal(ys[1], 2025);
	/* On the last day of 2025, a record of the next day is within the
	 * slack: 2026 is the latest, 2090 still not. */
	assert_int_equal(prepare_years_in(t, date_from_ymd(2025, 12, 31), ys),
			 2);
	assert_int_equal(ys[0], 2025);
	assert_int_equal(ys[1], 2026);
	/* Once 2090 comes, it is. */
	assert_int_equal(prepare_years_in(t, date_from_ymd(2090, 3, 3), ys), 2);
	assert_int_equal(ys[0], 2026);
	assert_int_equal(ys[1], 2090);
	assert_int_equal(store_commit(&t), 0);
	stats_committed(s);
	/* What a start on 2026-06-01 notes: 2025 and 2026. */
	prepare_forget();
	assert_int_equal(prepare_note_store(st, TODAY, 1000), 0);
	assert_int_equal(prepare_waiting(), 2);
	assert_true(prepare_take(1, 2000, &y));
	assert_int_equal(y, 2026);
	prepare_done();
	assert_true(prepare_take(1, 2000, &y));
	assert_int_equal(y, 2025);
	prepare_done();
	prepare_forget();
	stats_free(&s);
	store_close(&st);
	remove_dir(dir);
}

/* Which requests take a year's release: the secretariat's of a counting
 * table, at a level it gets (a preparation of that year goes on for
 * them); not another role's, nor a table answered apart. */
static void
test_release_year(void **state)
{
	static const struct reg_party analyst = {.role = ROLE_ANALYST};
	struct query_req q;
	uint32_t y = 0;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "identification");
	snprintf(q.period, sizeof(q.period), "2025");
	assert_true(query_release_year(&q, &secretariat, &y));
	assert_int_equal(y, 2025);
	assert_false(query_release_year(&q, &analyst, &y));
	snprintf(q.period, sizeof(q.period), "2024Q3");
	assert_true(query_release_year(&q, &secretariat, &y));
	assert_int_equal(y, 2024);
	q.region = 5; /* regional by year only */
	assert_false(query_release_year(&q, &secretariat, &y));
	snprintf(q.period, sizeof(q.period), "2024");
	assert_true(query_release_year(&q, &secretariat, &y));
	snprintf(q.table, sizeof(q.table), "funnel"); /* not by region */
	assert_false(query_release_year(&q, &secretariat, &y));
	q.region = 0;
	assert_true(query_release_year(&q, &secretariat, &y));
	snprintf(q.table, sizeof(q.table), "deliveries");
	assert_false(query_release_year(&q, &secretariat, &y));
	snprintf(q.table, sizeof(q.table), "estimate");
	assert_false(query_release_year(&q, &secretariat, &y));
	snprintf(q.table, sizeof(q.table), "durations"); /* no counts */
	assert_false(query_release_year(&q, &secretariat, &y));
	snprintf(q.table, sizeof(q.table), "overlap");
	snprintf(q.period, sizeof(q.period), "20x5");
	assert_false(query_release_year(&q, &secretariat, &y));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_year),
	    cmocka_unit_test(test_due),
	    cmocka_unit_test(test_prepared_then_asked),
	    cmocka_unit_test(test_given_up),
	    cmocka_unit_test(test_years_with_data),
	    cmocka_unit_test(test_years_bounded),
	    cmocka_unit_test(test_release_year),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
