/* test_period.c - years, semesters and quarters (period.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "period.h"

static void
test_period_year(void **state)
{
	uint32_t code = 0;
	char out[8];

	(void)state;
	assert_int_equal(period_parse("2026", &code), 0);
	assert_int_equal(code, 20260);
	assert_string_equal(period_name(code, out), "2026");
	assert_ptr_equal(period_name(code, out), out);
	assert_int_equal(period_parse("2000", &code), 0);
	assert_int_equal(code, 20000);
	assert_string_equal(period_name(code, out), "2000");
	assert_int_equal(period_parse("2999", &code), 0);
	assert_string_equal(period_name(code, out), "2999");
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
		assert_int_equal(period_parse(names[q - 1], &code), 0);
		assert_int_equal(code, 20260u + (uint32_t)q);
		assert_string_equal(period_name(code, out), names[q - 1]);
	}
}

static void
test_period_semesters(void **state)
{
	uint32_t code = 0;
	char out[PERIOD_NAME_MAX];

	(void)state;
	assert_int_equal(period_parse("2026H1", &code), 0);
	assert_int_equal(code, 20265);
	assert_int_equal(period_kind(code), PERIOD_SEMESTER);
	assert_string_equal(period_name(code, out), "2026H1");
	assert_int_equal(period_parse("2026H2", &code), 0);
	assert_int_equal(code, 20266);
	assert_string_equal(period_name(code, out), "2026H2");
	assert_int_equal(period_kind(20260), PERIOD_YEAR);
	assert_int_equal(period_kind(20263), PERIOD_QUARTER);
}

/* A day lies in its year, its semester and its quarter, and in no
 * other period; the bounds of each period agree. */
static void
test_period_days(void **state)
{
	int32_t jun30 = date_from_ymd(2026, 6, 30), jul1 = jun30 + 1;
	uint32_t ps[PERIODS_PER_DAY];

	(void)state;
	period_codes_of(jun30, ps);
	assert_int_equal(ps[0], 20260);
	assert_int_equal(ps[1], 20265);
	assert_int_equal(ps[2], 20262);
	period_codes_of(jul1, ps);
	assert_int_equal(ps[1], 20266);
	assert_int_equal(ps[2], 20263);
	assert_true(period_contains(20265, jun30));
	assert_false(period_contains(20265, jul1));
	assert_true(period_contains(20260, jul1));
	assert_false(period_contains(20250, jul1));
	assert_int_equal(period_first_day(20266), jul1);
	assert_int_equal(period_last_day(20265), jun30);
	assert_int_equal(period_last_day(20262), jun30);
	assert_int_equal(period_first_day(20260), date_from_ymd(2026, 1, 1));
	assert_int_equal(period_last_day(20260), date_from_ymd(2026, 12, 31));
	assert_int_equal(period_last_day(20264), date_from_ymd(2026, 12, 31));
	assert_int_equal(period_first_day(20264), date_from_ymd(2026, 10, 1));
}

/* Semesters between period ends: a year is two. */
static void
test_period_end_semesters(void **state)
{
	(void)state;
	assert_int_equal(
	    period_end_semesters(20265) - period_end_semesters(20240), 3);
	assert_int_equal(period_end_semesters(20266),
			 period_end_semesters(20260));
	assert_int_equal(period_end_semesters(20262), -1);
}

/* Every period of the accepted range reads back from its name. */
static void
test_period_round_trip_all(void **state)
{
	unsigned y, q;

	(void)state;
	for (y = 2000; y <= 2999; y++) {
		for (q = 0; q <= 6; q++) {
			uint32_t code = y * 10 + q, back = 0;
			char out[8];
			period_name(code, out);
			assert_int_equal(period_parse(out, &back), 0);
			assert_int_equal(back, code);
		}
	}
}

/* Typed by hand, a period's letter in lower case names the same period,
 * and reads back in the tables' form. */
static void
test_period_lower_case(void **state)
{
	static const struct {
		const char *in, *name;
		uint32_t code;
	} cases[] = {
	    {"2025h1", "2025H1", 20255}, {"2025h2", "2025H2", 20256},
	    {"2026q1", "2026Q1", 20261}, {"2026q4", "2026Q4", 20264},
	    {"2000q1", "2000Q1", 20001}, {"2999h2", "2999H2", 29996},
	};
	char out[PERIOD_NAME_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t code = 0, upper = 1;
		assert_int_equal(period_parse(cases[i].in, &code), 0);
		assert_int_equal(code, cases[i].code);
		assert_int_equal(period_parse(cases[i].name, &upper), 0);
		assert_int_equal(code, upper);
		assert_string_equal(period_name(code, out), cases[i].name);
	}
}

static void
test_period_refused(void **state)
{
	static const char *const bad[] = {
	    "2026Q5", "26",	 "2026q5", "1999",    "2026Q0",	 "3000",
	    "",	      "202",	 "20261",  "2026Q",   "2026Q1x", "2026 ",
	    " 2026",  "2026-Q1", "2O26",   "20260",   "-2026",	 "2026Q9",
	    "99999",  "1999Q4",	 "3000Q1", "2026Q10", "2026H0",	 "2026H3",
	    "2026h3", "2026S1",	 "2026H",  "2026H12", "2026s1",	 "2026h",
	    "1999h2", "2026q0"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t code = 12345;
		assert_int_equal(period_parse(bad[i], &code), -EINVAL);
		/* Refused input leaves the output alone. */
		assert_int_equal(code, 12345);
	}
}

/* What kuska query and report say of a period they cannot ask for. */
static void
test_period_problem(void **state)
{
	int32_t today = date_from_ymd(2026, 12, 1);
	char out[200];

	(void)state;
	assert_null(
	    period_problem("2025", today, "--period", out, sizeof(out)));
	assert_null(
	    period_problem("2026Q4", today, "--period", out, sizeof(out)));
	assert_null(
	    period_problem("2000H1", today, "--period", out, sizeof(out)));
	assert_string_equal(
	    period_problem("2030", today, "--period", out, sizeof(out)),
	    "--period 2030 has not begun (today is 2026-12-01, Peru time): "
	    "no record is dated after today");
	assert_non_null(
	    period_problem("2027Q1", today, "--period", out, sizeof(out)));
	assert_string_equal(
	    period_problem("1990", today, "--period", out, sizeof(out)),
	    "--period 1990: before 2000: no record is dated before "
	    "2000-01-01");
	assert_non_null(strstr(
	    period_problem("1999H2", today, "--period", out, sizeof(out)),
	    "before 2000"));
	assert_string_equal(
	    period_problem("2025s2", today, "--period", out, sizeof(out)),
	    "bad --period \"2025s2\": a year (2026), a semester (2026H1) or "
	    "a quarter (2026Q3)");
	/* Lower case is the same period, judged as such. */
	assert_null(
	    period_problem("2025h2", today, "--period", out, sizeof(out)));
	assert_null(
	    period_problem("2026q4", today, "--period", out, sizeof(out)));
	assert_string_equal(
	    period_problem("2027q1", today, "--period", out, sizeof(out)),
	    "--period 2027q1 has not begun (today is 2026-12-01, Peru time): "
	    "no record is dated after today");
	assert_non_null(strstr(
	    period_problem("1999h2", today, "--period", out, sizeof(out)),
	    "before 2000"));
	assert_non_null(strstr(
	    period_problem("", today, "--period", out, sizeof(out)), "bad"));
	/* A month, as an officer who loaded one asks for it: its quarter
	 * and semester are named. */
	assert_string_equal(
	    period_problem("2026-11", today, "--period", out, sizeof(out)),
	    "bad --period \"2026-11\": a month is not a period of the "
	    "tables, which are by year (2026), semester (2026H1) or quarter "
	    "(2026Q3): 2026-11 is in 2026Q4 and 2026H2");
	assert_non_null(strstr(
	    period_problem("2025-01", today, "--period", out, sizeof(out)),
	    "2025-01 is in 2025Q1 and 2025H1"));
	assert_string_equal(
	    period_problem("2025-13", today, "--period", out, sizeof(out)),
	    "bad --period \"2025-13\": a year (2026), a semester (2026H1) or "
	    "a quarter (2026Q3)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_period_year),
	    cmocka_unit_test(test_period_quarters),
	    cmocka_unit_test(test_period_semesters),
	    cmocka_unit_test(test_period_days),
	    cmocka_unit_test(test_period_end_semesters),
	    cmocka_unit_test(test_period_round_trip_all),
	    cmocka_unit_test(test_period_lower_case),
	    cmocka_unit_test(test_period_refused),
	    cmocka_unit_test(test_period_problem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
