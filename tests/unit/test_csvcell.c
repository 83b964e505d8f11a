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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_values),
	    cmocka_unit_test(test_formulas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
