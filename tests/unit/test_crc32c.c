/* test_crc32c.c - CRC-32C (crc32c.h) against known values and a bitwise
 * reference, in one piece and in chained pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32c.h"

/* One bit at a time, straight from the definition. */
static uint32_t
reference(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
	}
	return ~c;
}

static void
test_known_values(void **state)
{
	uint8_t zeros[32] = {0}, ones[32];

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	/* RFC 3720, appendix B.4, and the usual check value. */
	assert_int_equal(crc32c(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(crc32c(0, zeros, 32), 0x8a9136aau);
	assert_int_equal(crc32c(0, ones, 32), 0x62a8ab43u);
	assert_int_equal(crc32c(0, "", 0), 0);
}

static void
test_against_reference(void **state)
{
	uint8_t buf[1031];
	size_t len, i, cut;

	(void)state;
	srand(7);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (len = 0; len <= sizeof(buf); len += 1 + len / 3) {
		uint32_t want = reference(buf, len);
		assert_int_equal(crc32c(0, buf, len), want);
		/* Any split, at any alignment, chains to the same value. */
		for (cut = 0; cut <= len; cut += 1 + cut / 2)
			assert_int_equal(
			    crc32c(crc32c(0, buf, cut), buf + cut, len - cut),
			    want);
	}
}

static void
test_one_bit_changes_it(void **state)
{
	uint8_t buf[300];
	uint32_t base;
	size_t i;

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	base = crc32c(0, buf, sizeof(buf));
	for (i = 0; i < sizeof(buf) * 8; i += 13) {
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_not_equal(crc32c(0, buf, sizeof(buf)), base);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_values),
	    cmocka_unit_test(test_against_reference),
	    cmocka_unit_test(test_one_bit_changes_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
