/*
 * test_query_print.c - kuska query's CSV (client/query_print.c): a column
 * of periods is quoted in every row, a year as a semester, so that a
 * spreadsheet taking quoted fields as text holds the column as one type;
 * counts stay bare; a table the consolidator does not know is said to be
 * of a later kuska than its; the indicators as text fit 100 columns.
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

/* What print writes of t on standard output (table, for the CSV); the
 * caller frees. */
static char *
printed(const struct qtable *t, const char *table,
	void (*print)(const struct qtable *))
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
	if (print != NULL)
		print(t);
	else
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

/* What query_print_csv writes of t, asked as table; the caller frees. */
static char *
csv_of(const struct qtable *t, const char *table)
{
	return printed(t, table, NULL);
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

static const char ind_cols[] =
    "period,indicator,name,level,component,key,unit,value,baseline,target,"
    "target_period,progress,status";

/* Row i of the indicators' table t: id, name, unit, value (NULL:
 * withheld), progress (NULL: none) and status; the rest fixed. */
static void
ind_row(struct qtable *t, size_t i, const char *id, const char *name,
	const char *unit, const char *value, const char *progress,
	const char *status)
{
	struct cell *r = t->rows[i];

	r[0] = text("2025");
	r[1] = text(id);
	r[2] = text(name);
	r[3] = text("assumption");
	r[4] = text("governance");
	r[5] = text("yes");
	r[6] = text(unit);
	if (value != NULL)
		r[7] = decimal(value);
	r[8] = decimal("50");
	r[9] = decimal("90");
	r[10] = text("2026H2");
	if (progress != NULL)
		r[11] = decimal(progress);
	r[12] = text(status);
}

/* What query_print_indicators writes of t; the caller frees. */
static char *
indicators_of(const struct qtable *t)
{
	return printed(t, "indicators", query_print_indicators);
}

/* What query_print_indicators writes of one indicator named name, of
 * days; the caller frees. */
static char *
named(const char *name)
{
	struct qtable t;
	char *out;

	table(&t, ind_cols, 1);
	ind_row(&t, 0, "a", name, "days", "6", "0.500", "on_track");
	out = indicators_of(&t);
	free(t.rows);
	return out;
}

/* The indicators as text: three lines an indicator within 100 columns
 * (as columns, the shipped ones made lines of 200 characters), the
 * figures aligned down the indicators, the name wrapped; a withheld
 * value left empty. */
static void
test_indicators_text(void **state)
{
	static const char longest[] =
	    "governance-timeliness-of-every-record-40"; /* 40, the most */
	static const char long_name[] =
	    "MINSA records of the community mental-health centres reaching "
	    "the consolidator within 30 days (%)";
	struct qtable t;
	char *out, *line, *save = NULL;

	(void)state;
	table(&t, ind_cols, 3);
	ind_row(&t, 0, "governance-timeliness", "Records within 30 days (%)",
		"percent", "65.7", "0.393", "acceleration_needed");
	ind_row(&t, 1, longest, long_name, "percent", "12345.67", "-0.081",
		"deteriorating");
	ind_row(&t, 2, "shared", "Shared", "percent", NULL, NULL, "suppressed");
	t.rows[2][7].kind = CELL_SUPPRESSED;
	out = indicators_of(&t);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		assert_in_range(strlen(line), 1, 100);
	free(out);
	/* The whole printout of the first and the third. */
	t.n_rows = 1;
	t.rows[1][0] = text("2025");
	t.rows[1][1] = text("shared");
	t.rows[1][2] = text("Shared");
	out = indicators_of(&t);
	assert_string_equal(
	    out, "period  indicator              key  level       component\n"
		 "        unit     value  baseline  target  target_period  "
		 "progress  status\n"
		 "        name\n"
		 "\n"
		 "2025    governance-timeliness  yes  assumption  governance\n"
		 "        percent   65.7        50      90  2026H2            "
		 "0.393  acceleration_needed\n"
		 "        Records within 30 days (%)\n");
	free(out);
	free(t.rows);
}

/* The long name wrapped at 100 columns, under the figures. */
static void
test_indicators_wrap(void **state)
{
	static const char name[] =
	    "A name of one hundred bytes that goes on and on about the "
	    "records and the days until it is wrapped here";
	char *out;

	(void)state;
	out = named(name);
	assert_non_null(strstr(out,
			       "        A name of one hundred bytes that goes "
			       "on and on about the records and the days "
			       "until it is\n        wrapped here\n"));
	free(out);
}

/* A Spanish name is wrapped by its characters, not its bytes (an accented
 * letter is two): 89 characters fit the 92 after the indent, the 94 bytes
 * would not, and neither would 93 characters. */
static void
test_indicators_wrap_accents(void **state)
{
	static const char name[] = "Mediana de días desde la derivación de "
				   "la PNP hasta su atención por el MIMP, "
				   "según región";
	static const char longer[] = "Mediana de días desde la derivación de "
				     "la PNP hasta su atención por el MIMP, "
				     "según región así";
	char *out;

	(void)state;
	out = named(name);
	assert_non_null(strstr(out, "\n        Mediana de días desde la "
				    "derivación de la PNP hasta su atención "
				    "por el MIMP, según región\n"));
	free(out);
	out = named(longer);
	assert_non_null(strstr(out, "\n        Mediana de días desde la "
				    "derivación de la PNP hasta su atención "
				    "por el MIMP, según región\n        "
				    "así\n"));
	free(out);
}

/* An answer with a column more (or fewer) than INDICATORS.md's, of a
 * consolidator of another kuska, goes as blocks, every column shown. */
static void
test_indicators_other(void **state)
{
	struct qtable t;
	char *out;

	(void)state;
	table(&t, "period,indicator,status", 1);
	t.rows[0][0] = text("2025");
	t.rows[0][1] = text("takeup");
	t.rows[0][2] = text("limited");
	out = indicators_of(&t);
	assert_string_equal(out, "period:    2025\n"
				 "indicator: takeup\n"
				 "status:    limited\n");
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
	    cmocka_unit_test(test_indicators_text),
	    cmocka_unit_test(test_indicators_wrap),
	    cmocka_unit_test(test_indicators_wrap_accents),
	    cmocka_unit_test(test_indicators_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
