/* test_stats.c - period codes of the statistics module (stats.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

static void
test_period_year(void **state)
{
	uint32_t code = 0;
	char out[8];

	(void)state;
	assert_int_equal(stats_parse_period("2026", &code), 0);
	assert_int_equal(code, 20260);
	assert_string_equal(stats_period_name(code, out), "2026");
	assert_ptr_equal(stats_period_name(code, out), out);
	assert_int_equal(stats_parse_period("2000", &code), 0);
	assert_int_equal(code, 20000);
	assert_string_equal(stats_period_name(code, out), "2000");
	assert_int_equal(stats_parse_period("2999", &code), 0);
	assert_string_equal(stats_period_name(code, out), "2999");
}

static void
test_period_quarters(void **state)
{
	static const char *const names[] = {"2026Q1", "2026Q2", "2026Q3",
					    "2026Q4"};
	char out[8];
	int q;

	(void)state;
	for (q = 1; q <= 4; q++) {
		uint32_t code = 0;
		assert_int_equal(stats_parse_period(names[q - 1], &code), 0);
		assert_int_equal(code, 20260u + (uint32_t)q);
		assert_string_equal(stats_period_name(code, out), names[q - 1]);
	}
}

/* Every year and quarter of the accepted range reads back from its name. */
static void
test_period_round_trip_all(void **state)
{
	unsigned y, q;

	(void)state;
	for (y = 2000; y <= 2999; y++) {
		for (q = 0; q <= 4; q++) {
			uint32_t code = y * 10 + q, back = 0;
			char out[8];
			stats_period_name(code, out);
			assert_int_equal(stats_parse_period(out, &back), 0);
			assert_int_equal(back, code);
		}
	}
}

static void
test_period_refused(void **state)
{
	static const char *const bad[] = {
	    "2026Q5", "26",	 "2026q1", "1999",   "2026Q0",	"3000",
	    "",	      "202",	 "20261",  "2026Q",  "2026Q1x", "2026 ",
	    " 2026",  "2026-Q1", "2O26",   "20260",  "-2026",	"2026Q9",
	    "99999",  "1999Q4",	 "3000Q1", "2026Q10"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t code = 12345;
		assert_int_equal(stats_parse_period(bad[i], &code), -EINVAL);
		/* Refused input leaves the output alone. */
		assert_int_equal(code, 12345);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_period_year),
	    cmocka_unit_test(test_period_quarters),
	    cmocka_unit_test(test_period_round_trip_all),
	    cmocka_unit_test(test_period_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
