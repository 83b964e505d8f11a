/* test_region.c - INEI department codes and names (region.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "region.h"

static void
test_region_parse(void **state)
{
	static const char *const bad[] = {"",	"0",   "6",   "00",  "26",
					  "99", "016", " 16", "16 ", "1a",
					  "-1", "+1",  "1.",  "ab"};
	uint32_t code = 77;
	char s[3];
	size_t i;

	(void)state;
	for (i = 1; i <= 25; i++) {
		snprintf(s, sizeof(s), "%02zu", i);
		assert_int_equal(region_parse(s, &code), 0);
		assert_int_equal(code, i);
	}
	code = 77;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(region_parse(bad[i], &code), -EINVAL);
		assert_int_equal(code, 77); /* left alone */
	}
}

static void
test_region_names(void **state)
{
	char out[REGION_LABEL_MAX];
	uint32_t i;

	(void)state;
	assert_string_equal(region_name(8), "Cusco");
	assert_string_equal(region_name(15), "Lima");
	assert_string_equal(region_name(16), "Loreto");
	assert_string_equal(region_name(17), "Madre de Dios");
	assert_string_equal(region_name(21), "Puno");
	assert_string_equal(region_name(2), "Áncash");
	assert_string_equal(region_name(25), "Ucayali");
	assert_null(region_name(0));
	assert_null(region_name(26));
	for (i = 1; i <= REGION_COUNT; i++)
		assert_non_null(region_name(i));
	assert_string_equal(region_label(16, out), "16 Loreto");
	assert_string_equal(region_label(1, out), "01 Amazonas");
	assert_ptr_equal(region_label(26, out), out);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_region_parse),
	    cmocka_unit_test(test_region_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
