/*
 * test_query_print.c - kuska query's CSV (client/query_print.c): a column
 * of periods is quoted in every row, a year as a semester, so that a
 * spreadsheet taking quoted fields as text holds the column as one type;
 * counts stay bare; a table the consolidator does not know is said to be
 * of a later kuska than its.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "query_int.h"

/* What query_print_csv writes of t, asked as table; the caller frees. */
static char *
csv_of(const struct qtable *t, const char *table)
{
	FILE *tmp = tmpfile();
	char *out;
	long len;
	int saved;

	assert_non_null(tmp);
	assert_int_equal(fflush(stdout), 0);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	query_print_csv(t, table);
	assert_int_equal(fflush(stdout), 0);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	len = ftell(tmp);
	assert_true(len >= 0);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	rewind(tmp);
	assert_int_equal(fread(out, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return out;
}

static struct cell
text(const char *s)
{
	struct cell c = {.kind = CELL_TEXT};

	snprintf(c.text, sizeof(c.text), "%s", s);
	return c;
}

static struct cell
number(int64_t n)
{
	struct cell c = {.kind = CELL_NUMBER, .number = n};

	return c;
}

static struct cell
decimal(const char *s)
{
	struct cell c = {.kind = CELL_DECIMAL};

	snprintf(c.text, sizeof(c.text), "%s", s);
	return c;
}

/* A table of the columns named in cols (comma-separated), n_rows rows. */
static void
table(struct qtable *t, const char *cols, size_t n_rows)
{
	char names[256], *tok, *save = NULL;

	memset(t, 0, sizeof(*t));
	snprintf(names, sizeof(names), "%s", cols);
	for (tok = strtok_r(names, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(t->cols[t->n_cols++], sizeof(t->cols[0]), "%s", tok);
	t->n_rows = n_rows;
	t->rows = calloc(n_rows, sizeof(*t->rows));
	assert_non_null(t->rows);
	t->k = 10;
}

/* A year's period is quoted as a semester's and a quarter's; the counts,
 * and a count withheld, stay bare. */
static void
test_period(void **state)
{
	static const char *const periods[] = {"2025", "2025H2", "2025Q4"};
	struct qtable t;
	char *out;
	size_t i;

	(void)state;
	table(&t, "period,institution,victims", 3);
	for (i = 0; i < 3; i++) {
		t.rows[i][0] = text(periods[i]);
		t.rows[i][1] = text("pnp");
		t.rows[i][2] = number(2025);
	}
	t.rows[2][2].kind = CELL_SUPPRESSED;
	out = csv_of(&t, "identification");
	assert_string_equal(out, "period,institution,victims\n"
				 "\"2025\",pnp,2025\n"
				 "\"2025H2\",pnp,2025\n"
				 "\"2025Q4\",pnp,<10\n");
	free(out);
	free(t.rows);
}

/* An indicator's target_period, a year beside a semester, is quoted too;
 * none (no target) stays empty; a negative progress stays a number. */
static void
test_target_period(void **state)
{
	struct qtable t;
	char *out;

	(void)state;
	table(&t, "period,indicator,value,target_period,progress", 2);
	t.rows[0][0] = text("2025");
	t.rows[0][1] = text("convictions");
	t.rows[0][2] = decimal("0");
	t.rows[0][3] = text("2026");
	t.rows[0][4] = decimal("-3.333");
	t.rows[1][0] = text("2025");
	t.rows[1][1] = text("formalized");
	t.rows[1][2] = decimal("50");
	t.rows[1][3] = text("2026H2");
	out = csv_of(&t, "indicators");
	assert_string_equal(out,
			    "period,indicator,value,target_period,progress\n"
			    "\"2025\",\"convictions\",0,\"2026\",-3.333\n"
			    "\"2025\",\"formalized\",50,\"2026H2\",\n");
	free(out);
	free(t.rows);
}

/* indicator_definitions: its baseline_period and target_period; a
 * column whose name only holds "period" is no period. */
static void
test_definitions(void **state)
{
	struct qtable t;
	char *out;

	(void)state;
	table(&t, "indicator,baseline_period,baseline,target_period,periods",
	      1);
	t.rows[0][0] = text("victims");
	t.rows[0][1] = text("2024");
	t.rows[0][2] = decimal("120");
	t.rows[0][3] = text("2026H2");
	t.rows[0][4] = text("2");
	out = csv_of(&t, "indicator_definitions");
	assert_string_equal(
	    out, "indicator,baseline_period,baseline,target_period,periods\n"
		 "\"victims\",\"2024\",120,\"2026H2\",2\n");
	free(out);
	free(t.rows);
}

/* What query_print_refusal writes of error; the caller frees. */
static char *
refusal_of(const char *error)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	query_print_refusal(f, error);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* A table this kuska knows that the consolidator answers it does not
 * (one older than the client, as a consolidator rolled back or not yet
 * upgraded) says so and what to do; another refusal is said as it came. */
static void
test_refusal(void **state)
{
	char *out;

	(void)state;
	out = refusal_of("unknown table \"cases_unmatched\"");
	assert_string_equal(
	    out, "kuska query: unknown table \"cases_unmatched\": the "
		 "consolidator runs an older kuska than this one and has no "
		 "such table (upgrade it: docs/OPERATIONS.md section 7)\n");
	free(out);
	out = refusal_of("bad period \"2025Q1\"");
	assert_string_equal(out, "kuska query: bad period \"2025Q1\"\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_period),
	    cmocka_unit_test(test_target_period),
	    cmocka_unit_test(test_definitions),
	    cmocka_unit_test(test_refusal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
