/*
 * test_flood.c - the flood guard (flood.h): the max-th message in a row
 * not taken reaches the limit, one fewer does not, a message taken starts
 * the run again, and so does a cut; cuts are counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flood.h"

/* Notes n messages not taken; returns how many of them reached the
 * limit. */
static size_t
untaken(struct flood_guard *g, size_t n)
{
	size_t i, cuts = 0;

	for (i = 0; i < n; i++)
		if (flood_guard_note(g, false))
			cuts++;
	return cuts;
}

static void
test_limit(void **state)
{
	struct flood_guard g;

	(void)state;
	flood_guard_init(&g, 4096);
	assert_int_equal(untaken(&g, 4095), 0);
	assert_int_equal(g.cuts, 0);
	assert_true(flood_guard_note(&g, false)); /* the 4,096th */
	assert_int_equal(g.cuts, 1);
	assert_int_equal(g.untaken, 0);
}

static void
test_taken_starts_again(void **state)
{
	struct flood_guard g;

	(void)state;
	flood_guard_init(&g, 10);
	assert_int_equal(untaken(&g, 9), 0);
	assert_false(flood_guard_note(&g, true));
	assert_int_equal(g.untaken, 0);
	assert_int_equal(untaken(&g, 9), 0);
	assert_false(flood_guard_note(&g, true));
	assert_int_equal(g.cuts, 0);
	/* Three runs of 10 after a cut each start again. */
	assert_int_equal(untaken(&g, 30), 3);
	assert_int_equal(g.cuts, 3);
	assert_int_equal(untaken(&g, 9), 0);
	assert_int_equal(g.cuts, 3);
}

static void
test_init_clears(void **state)
{
	struct flood_guard g;

	(void)state;
	flood_guard_init(&g, 2);
	assert_int_equal(untaken(&g, 3), 1);
	g.log.held = 5;
	flood_guard_init(&g, 1);
	assert_int_equal(g.cuts, 0);
	assert_int_equal(g.untaken, 0);
	assert_int_equal(g.log.held, 0);
	assert_false(g.log.started);
	/* A limit of one: every message not taken is a cut. */
	assert_int_equal(untaken(&g, 3), 3);
	assert_false(flood_guard_note(&g, true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_taken_starts_again),
	    cmocka_unit_test(test_init_clears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
