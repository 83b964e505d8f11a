/*
 * test_expr.c - the indicator expression language (expr.h): precedence
 * and associativity, numbers, references and their filters checked
 * against the tables' shape (query_schema), division by zero, and every
 * refusal with its reason.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expr.h"
#include "query.h"

/* The value of text, with every reference worth ref (NAN: none). */
static int
value_of(const char *text, double ref, double *ret)
{
	double vals[EXPR_MAX_REFS];
	struct expr *e = NULL;
	char why[256];
	size_t i;
	int r;

	for (i = 0; i < EXPR_MAX_REFS; i++)
		vals[i] = ref;
	r = expr_parse(text, &e, why, sizeof(why));
	if (r != 0)
		fail_msg("\"%s\" refused: %s", text, why);
	r = expr_eval(e, vals, ret);
	expr_free(&e);
	assert_null(e);
	return r;
}

static void
expect_result(const char *text, double want)
{
	double got = -12345;

	assert_int_equal(value_of(text, 0, &got), 0);
	if (fabs(got - want) > 1e-12)
		fail_msg("\"%s\" = %g, want %g", text, got, want);
}

static void
test_expr_precedence(void **state)
{
	(void)state;
	expect_result("1 + 2 * 3", 7);
	expect_result("2 * 3 + 4 * 5", 26);
	expect_result("(1 + 2) * 3", 9);
	expect_result("8 - 3 - 2", 3); /* left to right */
	expect_result("8 / 4 / 2", 1); /* left to right */
	expect_result("8 / (4 / 2)", 4);
	expect_result("2 * 6 / 4", 3);
	expect_result("1 - 2 + 3", 2);
	expect_result("-2 * 3", -6);
	expect_result("2 - -1", 3);
	expect_result("-(1 + 2) * 2", -6);
	expect_result("- - 4", 4);
	expect_result("((((7))))", 7);
	expect_result("100*3/4", 75);
	expect_result("  12.5\t+ 0.25 ", 12.75);
	expect_result("0.1 + 0.2", 0.1 + 0.2);
	expect_result("10 / 4", 2.5);
}

static void
test_expr_division_by_zero(void **state)
{
	double v = 42;

	(void)state;
	assert_int_equal(value_of("1 / 0", 0, &v), -EDOM);
	assert_int_equal(value_of("0 / 0", 0, &v), -EDOM);
	assert_int_equal(value_of("1 / (2 - 2)", 0, &v), -EDOM);
	/* A reference worth 0 as divisor: no value either. */
	assert_int_equal(
	    value_of("100 * referrals.taken_up / referrals.sent", 0, &v),
	    -EDOM);
	/* A reference without a value gives none, whatever surrounds it. */
	assert_int_equal(value_of("0 * referrals.sent", NAN, &v), -EDOM);
	assert_int_equal(v, 42); /* untouched */
	assert_int_equal(
	    value_of("100 * referrals.taken_up / referrals.sent", 4, &v), 0);
	assert_true(v == 100);
}

static void
test_expr_references(void **state)
{
	struct expr *e = NULL;
	const struct expr_ref *r;
	double vals[EXPR_MAX_REFS] = {3, 4, 5};
	double v;
	char why[256];

	(void)state;
	assert_int_equal(
	    expr_parse("referrals.taken_up[ from = pnp , to=mimp ] * 2 + "
		       "identification.victims - "
		       "breakdown.victims[dimension=age_group,value=18+]",
		       &e, why, sizeof(why)),
	    0);
	assert_int_equal(expr_n_refs(e), 3);
	r = expr_ref_at(e, 0);
	assert_string_equal(r->table->table, "referrals");
	assert_string_equal(r->table->cols[r->column].name, "taken_up");
	assert_int_equal(r->n_filters, 2);
	assert_string_equal(r->table->cols[r->filters[0].column].name, "from");
	assert_string_equal(r->filters[0].value, "pnp");
	assert_string_equal(r->table->cols[r->filters[1].column].name, "to");
	assert_string_equal(r->filters[1].value, "mimp");
	r = expr_ref_at(e, 1);
	assert_string_equal(r->table->table, "identification");
	assert_int_equal(r->n_filters, 0);
	r = expr_ref_at(e, 2);
	assert_string_equal(r->filters[1].value, "18+");
	assert_null(expr_ref_at(e, 3));
	assert_int_equal(expr_eval(e, vals, &v), 0);
	assert_true(v == 3 * 2 + 4 - 5);
	expr_free(&e);
	expr_free(&e); /* NULL is fine */
}

/* Texts every table accepts: the values each dimension can take. */
static void
test_expr_valid_references(void **state)
{
	static const char *const ok[] = {
	    "identification.victims[institution=all]",
	    "identification.victims[institution=minsa]",
	    "overlap.victims[institutions=pnp+mimp+minsa]",
	    "overlap.victims[institutions=unlinkable]",
	    "breakdown.victims[dimension=sex,value=F]",
	    "breakdown.victims[value=0-5,dimension=age_group]",
	    "breakdown.victims[dimension=nationality,value=VE]",
	    "breakdown.victims[dimension=region,value=16]",
	    "breakdown.victims[dimension=exploitation,value=labour]",
	    "breakdown.victims[value=sexual]",
	    "referrals.median_days[from=pnp,to=mimp]",
	    "referrals.pending[from=mp]",
	    "protection.median_days[service=mental_health]",
	    "protection.victims",
	    "prosecution.persons[stage=conviction]",
	    "funnel.attrition[stage=accusation]",
	    ("durations.median_days[from_stage=complaint,"
	     "to_stage=preliminary_investigation]"),
	    "durations.median_days[to_stage=conviction,from_stage=trial]",
	    "timeliness.median_days[institution=mp]",
	    "timeliness.within_30_days_pct[institution=all]",
	    "timeliness.records",
	};
	struct expr *e = NULL;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (expr_parse(ok[i], &e, why, sizeof(why)) != 0)
			fail_msg("\"%s\" refused: %s", ok[i], why);
		expr_free(&e);
	}
}

/* Each refusal, and a piece of the reason it must give. */
static void
test_expr_refusals(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"", "expected a number, a cell reference or \"(\", found the "
		 "end (column 1)"},
	    {"1 +", "found the end (column 4)"},
	    {"1 2", "unexpected \"2\" (column 3)"},
	    {"(1 + 2", "expected \")\" to close the \"(\" at column 1"},
	    {"1 + 2)", "unexpected \")\""},
	    {"* 3", "found \"* 3\" (column 1)"},
	    {"1 % 3", "unexpected \"% 3\""},
	    {".5", "a number is written like 12 or 12.5"},
	    {"1.", "a number is written like 12 or 12.5"},
	    {"1.2.3", "a number is written like 12 or 12.5"},
	    {"1e5", "a number is written like 12 or 12.5"},
	    {"12345678901234567890123456", "number longer than"},
	    {"victims.count", "unknown table \"victims\" (tables: "
			      "identification, overlap"},
	    {"indicators.value", "unknown table \"indicators\""},
	    {"referrals", "expected \".\" and a column after referrals"},
	    {"referrals.", "expected a column"},
	    {"referrals.received", "referrals has no column \"received\" "
				   "(sent, taken_up, pending, median_days)"},
	    {"referrals.period", "referrals has no column \"period\""},
	    {"referrals.from", "referrals.from is a dimension, not a number"},
	    {"referrals.sent[", "expected a dimension, found the end"},
	    {"referrals.sent[]", "expected a dimension, found \"]\""},
	    {"referrals.sent[from]", "expected \"=\" after from"},
	    {"referrals.sent[from=]", "expected a value of from"},
	    {"referrals.sent[from=pnp", "expected \",\" or \"]\""},
	    {"referrals.sent[from=pnp;to=mimp]", "expected \",\" or \"]\""},
	    {"referrals.sent[sender=pnp]",
	     "referrals has no dimension \"sender\" (dimensions: from, to)"},
	    {"referrals.sent[sent=3]", "referrals has no dimension \"sent\""},
	    {"referrals.sent[from=pnp,from=mp]", "dimension from given twice"},
	    {"referrals.sent[from=police]",
	     "referrals.sent: \"police\" is not a value of from"},
	    {"referrals.sent[from=PNP]", "\"PNP\" is not a value of from"},
	    {"referrals.sent[from=pnp,to=pnp]", "\"pnp\" is not a value of to"},
	    {"referrals.sent[from=all]", "\"all\" is not a value of from"},
	    {"identification.victims[institution=everyone]",
	     "\"everyone\" is not a value of institution"},
	    {"overlap.victims[institutions=mimp+pnp]",
	     "\"mimp+pnp\" is not a value of institutions"},
	    {"overlap.victims[institutions=pnp+pnp]", "is not a value"},
	    {"overlap.victims[institutions=pnp+]", "is not a value"},
	    {"breakdown.victims[dimension=colour]",
	     "\"colour\" is not a value of dimension"},
	    {"breakdown.victims[dimension=sex,value=18+]",
	     "\"18+\" is not a value of value"},
	    {"breakdown.victims[dimension=region,value=26]",
	     "\"26\" is not a value of value"},
	    {"breakdown.victims[dimension=nationality,value=ZZ]",
	     "\"ZZ\" is not a value of value"},
	    {"protection.victims[service=therapy]",
	     "\"therapy\" is not a value of service"},
	    {"prosecution.cases[stage=arrest]",
	     "\"arrest\" is not a value of stage"},
	    {"durations.median_days[from_stage=complaint,to_stage=accusation]",
	     "\"accusation\" is not a value of to_stage"},
	    {"durations.median_days[from_stage=conviction,to_stage=trial]",
	     "\"conviction\" is not a value of from_stage"},
	    /* A median or a share must select exactly one row. */
	    {"referrals.median_days",
	     "referrals.median_days: a median must select exactly one row: "
	     "give every dimension (from, to)"},
	    {"referrals.median_days[to=mimp]",
	     "a median must select exactly one row"},
	    {"protection.median_days", "a median must select exactly one row"},
	    {"durations.median_days[from_stage=complaint]",
	     "a median must select exactly one row: give every dimension "
	     "(from_stage, to_stage)"},
	    {"timeliness.median_days", "a median must select exactly one row"},
	    {"funnel.attrition", "a share must select exactly one row"},
	    {"timeliness.within_30_days_pct",
	     "a share must select exactly one row"},
	    {"referrals.sent[from=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]",
	     "value of from longer than 39 characters"},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sent",
	     "a table longer than 31 characters"},
	};
	struct expr *e = NULL;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (expr_parse(bad[i].text, &e, why, sizeof(why)) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i].text);
		assert_null(e);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("\"%s\": reason \"%s\" lacks \"%s\"",
				 bad[i].text, why, bad[i].why);
	}
}

/* The caps on size: references, nodes, nesting. */
static void
test_expr_limits(void **state)
{
	struct expr *e = NULL;
	char text[1024], why[256];
	size_t i, used;

	(void)state;
	used = 0;
	for (i = 0; i <= EXPR_MAX_REFS; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "%sprotection.victims", i ? "+" : "");
	assert_int_equal(expr_parse(text, &e, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "more than 16 cell references"));

	used = 0;
	for (i = 0; i < EXPR_MAX_NODES; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "%s1", i ? "+" : "");
	assert_int_equal(expr_parse(text, &e, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "expression longer than 64"));

	memset(text, '(', EXPR_MAX_DEPTH + 1);
	snprintf(text + EXPR_MAX_DEPTH + 1, 8, "1");
	assert_int_equal(expr_parse(text, &e, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "nested deeper than 16"));
	memset(text, '-', 200);
	text[200] = '\0';
	assert_int_equal(expr_parse(text, &e, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "nested deeper than 16"));

	/* Just within the caps. */
	memset(text, '(', EXPR_MAX_DEPTH);
	snprintf(text + EXPR_MAX_DEPTH, 8, "1");
	memset(text + EXPR_MAX_DEPTH + 1, ')', EXPR_MAX_DEPTH);
	text[2 * EXPR_MAX_DEPTH + 1] = '\0';
	assert_int_equal(expr_parse(text, &e, why, sizeof(why)), 0);
	expr_free(&e);
}

/* The schema knows the shape of every table of EVENTS.md. */
static void
test_expr_schema(void **state)
{
	static const struct {
		const char *table, *cols;
	} want[] = {
	    {"identification", "period,institution,victims"},
	    {"overlap", "period,institutions,victims"},
	    {"breakdown", "period,dimension,value,victims"},
	    {"referrals", "period,from,to,sent,taken_up,pending,median_days"},
	    {"protection", "period,service,victims,median_days"},
	    {"prosecution", "period,stage,cases,persons"},
	    {"funnel", "period,stage,cases,attrition"},
	    {"durations", "period,from_stage,to_stage,median_days"},
	    {"timeliness",
	     "period,institution,records,median_days,within_30_days_pct"},
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct qschema *s = query_schema(want[i].table);
		char cols[256] = "";
		assert_non_null(s);
		for (j = 0; j < s->n_cols; j++) {
			strcat(cols, j ? "," : "");
			strcat(cols, s->cols[j].name);
		}
		assert_string_equal(cols, want[i].cols);
		assert_non_null(strstr(query_schema_names(), want[i].table));
	}
	assert_null(query_schema("indicators"));
	assert_null(query_schema("estimate"));
	assert_string_equal(query_schema("identification")->total_key,
			    "institution");
	assert_null(query_schema("referrals")->total_key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expr_precedence),
	    cmocka_unit_test(test_expr_division_by_zero),
	    cmocka_unit_test(test_expr_references),
	    cmocka_unit_test(test_expr_valid_references),
	    cmocka_unit_test(test_expr_refusals),
	    cmocka_unit_test(test_expr_limits),
	    cmocka_unit_test(test_expr_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
