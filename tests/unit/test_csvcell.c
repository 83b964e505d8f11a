/* test_csvcell.c - a CSV field (csvcell.h): quoted when it must be, and a
 * value a spreadsheet would read as a formula quoted after a '. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csvcell.h"

/* What csvcell_write (or _plain) writes of s. */
static const char *
written(const char *s, bool plain)
{
	static char out[256];
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	if (plain)
		csvcell_write_plain(f, s);
	else
		csvcell_write(f, s);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void
test_plain_values(void **state)
{
	(void)state;
	assert_string_equal(written("", false), "");
	assert_string_equal(written("PNP-2025-0001", false), "PNP-2025-0001");
	assert_string_equal(written("a,b", false), "\"a,b\"");
	assert_string_equal(written("say \"hi\"", false), "\"say \"\"hi\"\"\"");
	assert_string_equal(written("two\nlines", false), "\"two\nlines\"");
	assert_string_equal(written("cr\rin", false), "\"cr\rin\"");
	/* A formula's character later in the value is no formula. */
	assert_string_equal(written("a=1+2", false), "a=1+2");
}

/* OWASP: each of = + - @ tab CR first makes the cell a formula. */
static void
test_formulas(void **state)
{
	(void)state;
	assert_string_equal(written("=HYPERLINK(\"http://x\",\"y\")", false),
			    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_string_equal(written("+1", false), "\"'+1\"");
	assert_string_equal(written("-2+3", false), "\"'-2+3\"");
	assert_string_equal(written("@SUM(A1)", false), "\"'@SUM(A1)\"");
	assert_string_equal(written("\t=1", false), "\"'\t=1\"");
	assert_string_equal(written("\r=1", false), "\"'\r=1\"");
	assert_true(csvcell_formula("=1"));
	assert_false(csvcell_formula(""));
	assert_false(csvcell_formula("'=1"));
	/* A value beginning with ' gets another, so that "'=1" (the value
	 * =1) and a value '=1 are not the same field: a reader takes the
	 * value after the first ' of any field that begins with one. */
	assert_string_equal(written("'=1", false), "\"''=1\"");
	assert_string_equal(written("'abc", false), "\"''abc\"");
	assert_string_equal(written("'", false), "\"''\"");
	assert_string_equal(written("a'b", false), "a'b");
	/* UTF-8 after the mark, and a cell that needed quotes anyway. */
	assert_string_equal(written("=Ñuñoa,\"x\"", false),
			    "\"'=Ñuñoa,\"\"x\"\"\"");
	/* A negative-looking ref is text, quoted as any other formula. */
	assert_string_equal(written("-5", false), "\"'-5\"");
	/* _plain, for numbers: a negative one stays a number. */
	assert_string_equal(written("-2", true), "-2");
}

/* What csvcell_write_value writes of s. */
static const char *
value_written(const char *s)
{
	static char out[256];
	FILE *f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	csvcell_write_value(f, s);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* A cell of kuska query's CSV: a number (a negative one too) stays a
 * number, a text beginning as a formula is quoted after a '. */
static void
test_values(void **state)
{
	(void)state;
	assert_true(csvcell_number("0"));
	assert_true(csvcell_number("-3"));
	assert_true(csvcell_number("-0.5"));
	assert_true(csvcell_number("12.250"));
	assert_false(csvcell_number(""));
	assert_false(csvcell_number("-"));
	assert_false(csvcell_number("-.5"));
	assert_false(csvcell_number("1."));
	assert_false(csvcell_number("+1"));
	assert_false(csvcell_number("-2+3"));
	assert_false(csvcell_number("-inf"));
	assert_false(csvcell_number("1e5"));
	assert_string_equal(value_written("-3"), "-3");
	assert_string_equal(value_written("-0.5"), "-0.5");
	assert_string_equal(value_written("42"), "42");
	assert_string_equal(value_written("<10"), "<10");
	assert_string_equal(value_written("pnp+mp"), "pnp+mp");
	assert_string_equal(value_written("-2+3"), "\"'-2+3\"");
	assert_string_equal(value_written("-inf"), "\"'-inf\"");
	assert_string_equal(value_written("=1+2"), "\"'=1+2\"");
	assert_string_equal(value_written("@SUM(A1)"), "\"'@SUM(A1)\"");
	assert_string_equal(value_written("'x"), "\"''x\"");
	assert_string_equal(value_written("a,b"), "\"a,b\"");
}

/* Codes a spreadsheet would read as another number or a date are quoted,
 * so that LibreOffice's "Format quoted field as text" keeps them; a
 * number that reads as itself, and any text with a letter, is not. */
static void
test_misread(void **state)
{
	(void)state;
	assert_false(csvcell_number("01"));
	assert_false(csvcell_number("-007"));
	assert_false(csvcell_number("00.5"));
	assert_true(csvcell_number("0.5"));
	assert_true(csvcell_misread("01"));
	assert_true(csvcell_misread("6-11"));
	assert_true(csvcell_misread("18+"));
	assert_true(csvcell_misread("1e5"));
	assert_true(csvcell_misread("2025-11"));
	assert_true(csvcell_misread("16-2-2"));
	assert_true(csvcell_misread("12:30"));
	assert_true(csvcell_misread("1/2"));
	assert_true(csvcell_misread(".5"));
	assert_false(csvcell_misread(""));
	assert_false(csvcell_misread("2025"));
	assert_false(csvcell_misread("15"));
	assert_false(csvcell_misread("0"));
	assert_false(csvcell_misread("64.11"));
	assert_false(csvcell_misread("2025H2"));
	assert_false(csvcell_misread("2026-01-06T15:00Z"));
	assert_false(csvcell_misread("<10"));
	assert_false(csvcell_misread("pnp+mp"));
	assert_false(csvcell_misread("e5"));
	/* Written: quoted, with no ' (they are no formula). */
	assert_string_equal(value_written("01"), "\"01\"");
	assert_string_equal(value_written("0-5"), "\"0-5\"");
	assert_string_equal(value_written("6-11"), "\"6-11\"");
	assert_string_equal(value_written("18+"), "\"18+\"");
	assert_string_equal(value_written("1e5"), "\"1e5\"");
	assert_string_equal(value_written("2025"), "2025");
	assert_string_equal(value_written("16"), "16");
	assert_string_equal(written("0012345", false), "\"0012345\"");
	assert_string_equal(written("2025-11-003", false), "\"2025-11-003\"");
	assert_string_equal(written("PNP-2025-0001", false), "PNP-2025-0001");
	/* A formula stays a formula's ' case, whatever it holds after. */
	assert_string_equal(value_written("-01"), "\"'-01\"");
}

/* A ref that reads as a number a spreadsheet does not show as written is
 * quoted too: past 15 significant digits it keeps 15 (a ref of 17 digits
 * becomes 12345678901234500), and it drops a fraction's trailing zeros.
 * A number of the consolidator's stays a number. */
static void
test_misread_digits(void **state)
{
	(void)state;
	assert_false(csvcell_misread("123456789012345"));
	assert_true(csvcell_misread("1234567890123456"));
	assert_true(csvcell_misread("12345678901234567"));
	assert_false(csvcell_misread("0.000000000000000123"));
	assert_false(csvcell_misread("1234567.89012345"));
	assert_true(csvcell_misread("1234567.890123456"));
	assert_true(csvcell_misread("1.50"));
	assert_true(csvcell_misread("12.0"));
	assert_false(csvcell_misread("10"));
	assert_false(csvcell_misread("0"));
	assert_string_equal(written("12345678901234567", false),
			    "\"12345678901234567\"");
	assert_string_equal(written("1.50", false), "\"1.50\"");
	assert_string_equal(written("123456789012345", false),
			    "123456789012345");
	assert_string_equal(value_written("12.250"), "12.250");
	assert_string_equal(value_written("12345678901234567"),
			    "12345678901234567");
}

/* What csvcell_write_code writes of s. */
static const char *
code_written(const char *s)
{
	static char out[256];
	FILE *f;

	/* fmemopen writes no NUL when nothing is written. */
	memset(out, 0, sizeof(out));
	f = fmemopen(out, sizeof(out), "w");
	assert_non_null(f);
	csvcell_write_code(f, s);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* A column of codes is text in every cell: region 16 quoted as 01 is, so
 * that a spreadsheet does not hold numbers for 10 to 25 and text for 01
 * to 09 in one column; a formula still gets its '. */
static void
test_codes(void **state)
{
	(void)state;
	assert_string_equal(code_written("16"), "\"16\"");
	assert_string_equal(code_written("01"), "\"01\"");
	assert_string_equal(code_written("18+"), "\"18+\"");
	assert_string_equal(code_written("F"), "\"F\"");
	assert_string_equal(code_written("PNP-2025-0001"), "\"PNP-2025-0001\"");
	assert_string_equal(code_written("a\"b"), "\"a\"\"b\"");
	assert_string_equal(code_written("=1+2"), "\"'=1+2\"");
	assert_string_equal(code_written("-5"), "\"'-5\"");
	assert_string_equal(code_written("'x"), "\"''x\"");
	assert_string_equal(code_written(""), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_values),
	    cmocka_unit_test(test_formulas),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_misread),
	    cmocka_unit_test(test_misread_digits),
	    cmocka_unit_test(test_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
