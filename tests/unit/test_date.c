/* test_date.c - calendar arithmetic in Peru time (lib/date.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"

static void
test_parse_format_round_trip(void **state)
{
	static const char *const days[] = {
	    "1970-01-01", "2000-01-01", "2000-02-29", "2024-02-29",
	    "2025-12-31", "2026-11-29", "2100-03-01", "1999-12-31"};
	char out[11];
	int32_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		assert_int_equal(date_parse(days[i], 10, &d), 0);
		assert_string_equal(date_format(d, out), days[i]);
	}
	assert_int_equal(date_parse("1970-01-01", 10, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(date_parse("2000-01-01", 10, &d), 0);
	assert_int_equal(d, 10957);
}

static void
test_parse_refuses(void **state)
{
	static const char *const bad[] = {
	    "2025-02-29", "2100-02-29",	 "2025-13-01", "2025-00-10",
	    "2025-04-31", "2025-1-01",	 "2025/01/01", "25-01-01",
	    "2025-01-0a", "2025-01-01T", "",	       "0000-01-01"};
	int32_t d = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(date_parse(bad[i], strlen(bad[i]), &d),
				 -EINVAL);
		assert_int_equal(d, 42); /* untouched on failure */
	}
}

static void
test_age(void **state)
{
	int32_t b, d;

	(void)state;
	assert_int_equal(date_parse("2010-06-15", 10, &b), 0);
	assert_int_equal(date_parse("2025-06-14", 10, &d), 0);
	assert_int_equal(date_age_years(b, d), 14);
	assert_int_equal(date_parse("2025-06-15", 10, &d), 0);
	assert_int_equal(date_age_years(b, d), 15);
	/* Born on 29 February: a year older on 1 March of common years. */
	assert_int_equal(date_parse("2012-02-29", 10, &b), 0);
	assert_int_equal(date_parse("2025-02-28", 10, &d), 0);
	assert_int_equal(date_age_years(b, d), 12);
	assert_int_equal(date_parse("2025-03-01", 10, &d), 0);
	assert_int_equal(date_age_years(b, d), 13);
	assert_true(date_age_years(d, b) < 0);
}

static void
test_periods(void **state)
{
	int32_t d;

	(void)state;
	assert_int_equal(date_parse("2025-03-31", 10, &d), 0);
	assert_int_equal(date_year(d), 2025);
	assert_int_equal(date_quarter_code(d), 20251);
	assert_int_equal(date_quarter_code(d + 1), 20252);
	assert_int_equal(date_parse("2025-12-31", 10, &d), 0);
	assert_int_equal(date_quarter_code(d), 20254);
	assert_int_equal(date_quarter_code(d + 1), 20261);
}

static void
test_today_is_peru(void **state)
{
	uint64_t ms = date_now_ms();
	int32_t utc_day = (int32_t)(ms / 86400000);
	int32_t today = date_today();

	(void)state;
	/* Peru is UTC-5: today is the UTC day or the one before. */
	assert_true(today == utc_day || today == utc_day - 1);
	assert_true(date_mono_ms() > 0);
}

/* The shape of the stamp, not its time. */
static void
test_stamp(void **state)
{
	char out[DATE_STAMP_SIZE];
	size_t i;

	(void)state;
	assert_ptr_equal(date_stamp(out), out);
	assert_int_equal(strlen(out), DATE_STAMP_SIZE - 1);
	for (i = 0; i < DATE_STAMP_SIZE - 1; i++)
		if (i == 8)
			assert_int_equal(out[i], 'T');
		else if (i == 15)
			assert_int_equal(out[i], 'Z');
		else
			assert_true(out[i] >= '0' && out[i] <= '9');
}

/* A peer's clock reading may be any 64 bits: no overflow, either way. */
static void
test_skew(void **state)
{
	const int64_t cap = (int64_t)1 << 53;

	(void)state;
	assert_int_equal(date_skew_ms(1000, 400), 600);
	assert_int_equal(date_skew_ms(400, 1000), -600);
	assert_int_equal(date_skew_ms(UINT64_MAX, 0), cap);
	assert_int_equal(date_skew_ms((uint64_t)1 << 63, 0), cap);
	assert_int_equal(date_skew_ms(0, UINT64_MAX), -cap);
	assert_int_equal(date_skew_ms(UINT64_MAX, UINT64_MAX), 0);
}

static void
test_skew_words(void **state)
{
	char out[32];

	(void)state;
	/* 60 days measured a millisecond short, or some seconds late. */
	assert_string_equal(
	    date_skew_words(60LL * 86400000 - 1, out, sizeof(out)), "60 days");
	assert_string_equal(
	    date_skew_words(-(30LL * 86400000 - 5000), out, sizeof(out)),
	    "30 days");
	assert_string_equal(
	    date_skew_words(60LL * 86400000 + 1, out, sizeof(out)), "60 days");
	assert_string_equal(
	    date_skew_words(5LL * 3600000 - 20, out, sizeof(out)), "5 h");
	assert_string_equal(date_skew_words(-12 * 60000 + 1, out, sizeof(out)),
			    "12 min");
	/* The unit is the one the length reaches 2 of, as before. */
	assert_string_equal(
	    date_skew_words(2LL * 86400000 - 1, out, sizeof(out)), "48 h");
	assert_string_equal(date_skew_words(90499, out, sizeof(out)), "90 s");
	assert_string_equal(date_skew_words(0, out, sizeof(out)), "0 s");
	/* No positive twin: still a length, not a negative number. */
	assert_string_equal(date_skew_words(INT64_MIN, out, sizeof(out)),
			    "106751991167 days");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_format_round_trip),
	    cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_age),
	    cmocka_unit_test(test_periods),
	    cmocka_unit_test(test_today_is_peru),
	    cmocka_unit_test(test_stamp),
	    cmocka_unit_test(test_skew),
	    cmocka_unit_test(test_skew_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
