/* test_log.c - quoting untrusted text and fingerprints (lib/log.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

static void
test_quote(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_quote("pnp", 3, out, sizeof(out)), "\"pnp\"");
	assert_string_equal(log_quote("a\"b\\c", 5, out, sizeof(out)),
			    "\"a\\\"b\\\\c\"");
	assert_string_equal(log_quote("\n\x01\xc3\xb1", 4, out, sizeof(out)),
			    "\"\\x0a\\x01\\xc3\\xb1\"");
	/* Too long: cut, marked, still quoted and NUL-ended. */
	log_quote("abcdefghijklmnopqrstuvwxyz", 26, out, 12);
	assert_true(strlen(out) < 12);
	assert_non_null(strstr(out, "..."));
	assert_int_equal(out[strlen(out) - 1], '"');
	assert_string_equal(log_quote("x", 1, out, 2), "");
}

static void
test_hex8(void **state)
{
	static const uint8_t key[8] = {0x00, 0x01, 0xab, 0xcd,
				       0xef, 0x10, 0x99, 0xff};
	char out[17];

	(void)state;
	assert_string_equal(log_hex8(key, out), "0001abcdef1099ff");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quote),
	    cmocka_unit_test(test_hex8),
	};

	log_init("test_log", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
