/*
 * test_query_json.c - kuska query's JSON (client/query_json.h): whatever
 * the consolidator's cells hold, the output parses, and each value is the
 * cell's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "query_json.h"

/* t's JSON, parsed (the test fails if it does not parse). */
static json_t *
parsed(const struct qtable *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t je;
	json_t *j;

	assert_non_null(f);
	query_json_write(f, t);
	assert_int_equal(fclose(f), 0);
	j = json_loads(buf, 0, &je);
	if (j == NULL)
		fail_msg("not JSON (%s): %s", je.text, buf);
	free(buf);
	return j;
}

/* The value of row i of j, parsed. */
static json_t *
value(json_t *j, size_t i)
{
	return json_object_get(json_array_get(j, i), "value");
}

/* A table of one column, "value", and one row per cell of cells. */
static void
one_column(struct qtable *t, const struct cell *cells, size_t n)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->n_cols = 1;
	snprintf(t->cols[0], sizeof(t->cols[0]), "value");
	t->n_rows = n;
	t->rows = calloc(n, sizeof(*t->rows));
	assert_non_null(t->rows);
	for (i = 0; i < n; i++)
		t->rows[i][0] = cells[i];
}

static struct cell
decimal(const char *s)
{
	struct cell c = {.kind = CELL_DECIMAL};

	snprintf(c.text, sizeof(c.text), "%s", s);
	return c;
}

/* Decimals as the consolidator writes them stay numbers. */
static void
test_decimals(void **state)
{
	static const char *const ok[] = {"12", "-0.5",	"66.67",
					 "0",  "0.125", "-3"};
	struct cell cells[6];
	struct qtable t;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_true(query_json_number(ok[i]));
		cells[i] = decimal(ok[i]);
	}
	one_column(&t, cells, 6);
	j = parsed(&t);
	assert_int_equal(json_array_size(j), 6);
	for (i = 0; i < 6; i++) {
		json_t *v = value(j, i);
		assert_true(json_is_number(v));
		assert_true(json_number_value(v) == strtod(ok[i], NULL));
	}
	json_decref(j);
	codec_qtable_clear(&t);
}

/*
 * A decimal that is no JSON number (a faulty consolidator's nan or inf,
 * a hostile one's text that would close the object and add a key) is
 * written as the string it is: the JSON still parses, each row keeps its
 * one key.
 */
static void
test_decimal_not_a_number(void **state)
{
	static const char *const bad[] = {"",
					  "nan",
					  "-inf",
					  "012",
					  ".5",
					  "1.",
					  "1e5",
					  "+1",
					  "-",
					  "1, \"victims\": 99",
					  "0\"}, {\"x\": 1",
					  "1\\",
					  "\x01"};
	enum { N = sizeof(bad) / sizeof(bad[0]) };
	struct cell cells[N];
	struct qtable t;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		assert_false(query_json_number(bad[i]));
		cells[i] = decimal(bad[i]);
	}
	one_column(&t, cells, N);
	j = parsed(&t);
	assert_int_equal(json_array_size(j), N);
	for (i = 0; i < N; i++) {
		json_t *v = value(j, i);
		assert_int_equal(json_object_size(json_array_get(j, i)), 1);
		assert_true(json_is_string(v));
		assert_string_equal(json_string_value(v), bad[i]);
	}
	json_decref(j);
	codec_qtable_clear(&t);
}

/* Counts, texts, withheld and empty cells, and no rows at all. */
static void
test_cells(void **state)
{
	struct cell cells[4] = {
	    {.kind = CELL_NUMBER, .number = -7},
	    {.kind = CELL_TEXT, .text = "a \"quoted\"\\ name\n"},
	    {.kind = CELL_SUPPRESSED},
	    {.kind = CELL_EMPTY},
	};
	struct qtable t;
	json_t *j;

	(void)state;
	one_column(&t, cells, 4);
	j = parsed(&t);
	assert_int_equal(json_array_size(j), 4);
	assert_int_equal(json_integer_value(value(j, 0)), -7);
	assert_string_equal(json_string_value(value(j, 1)),
			    "a \"quoted\"\\ name\n");
	assert_true(json_is_null(value(j, 2)));
	assert_true(json_is_null(value(j, 3)));
	json_decref(j);
	t.n_rows = 0;
	j = parsed(&t);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	codec_qtable_clear(&t);
}

/*
 * A text that is not UTF-8 (the codec passes any bytes): each byte of no
 * well-formed character is U+FFFD, which JSON can hold, and the
 * characters around it stay; a column's name too.
 */
static void
test_not_utf8(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"Pe\xffr\xc3\xba \xe2\x82\xac",
	     "Pe\xef\xbf\xbdr\xc3\xba \xe2\x82\xac"},
	    {"cut \xc3", "cut \xef\xbf\xbd"},
	    {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},
	    {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	    {"\xf4\x90\x80\x80x",
	     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx"},
	    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct cell cells[N];
	struct qtable t;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		memset(&cells[i], 0, sizeof(cells[i]));
		cells[i].kind = CELL_TEXT;
		snprintf(cells[i].text, sizeof(cells[i].text), "%s",
			 cases[i].in);
	}
	one_column(&t, cells, N);
	snprintf(t.cols[0], sizeof(t.cols[0]), "n\xfe");
	j = parsed(&t);
	assert_int_equal(json_array_size(j), N);
	for (i = 0; i < N; i++)
		assert_string_equal(json_string_value(json_object_get(
					json_array_get(j, i), "n\xef\xbf\xbd")),
				    cases[i].out);
	json_decref(j);
	codec_qtable_clear(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decimals),
	    cmocka_unit_test(test_decimal_not_a_number),
	    cmocka_unit_test(test_cells),
	    cmocka_unit_test(test_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
