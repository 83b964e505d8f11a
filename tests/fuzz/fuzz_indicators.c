/*
 * fuzz_indicators.c - the indicator file parser (indfile_parse) and the
 * expression parser (expr_parse) on arbitrary bytes: the whole input as
 * an indicator file, and each of its lines as an expression.
 *
 * Invariants (abort() when broken): a refused file has at least one
 * error and every message names the file, in line order; a loaded file
 * has no error, at most INDFILE_MAX_INDICATORS indicators, each with a
 * value that parses again from its text to the same references, a
 * target period ending after the baseline's and a status for any
 * period; an expression either parses (and evaluates to a finite number
 * or to no value) or is refused with a reason.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "indfile.h"
#include "indicators.h"
#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_set(const struct indset *set)
{
	static const char *const periods[] = {"2023", "2024H1", "2025",
					      "2026H2", "2030"};
	size_t i, j, p;

	if (set->n > INDFILE_MAX_INDICATORS)
		abort();
	for (i = 0; i < set->n; i++) {
		const struct indicator *ind = &set->items[i];
		struct expr *e = NULL;
		char why[256];
		if (expr_parse(ind->value_text, &e, why, sizeof(why)) != 0 ||
		    expr_n_refs(e) != expr_n_refs(ind->value))
			abort();
		for (j = 0; j < expr_n_refs(e); j++)
			if (expr_ref_at(e, j)->table !=
				expr_ref_at(ind->value, j)->table ||
			    expr_ref_at(e, j)->column !=
				expr_ref_at(ind->value, j)->column)
				abort();
		expr_free(&e);
		if (period_end_semesters(ind->target_period) <=
		    period_end_semesters(ind->baseline_period))
			abort();
		for (p = 0; p < sizeof(periods) / sizeof(periods[0]); p++) {
			struct ind_result r;
			uint32_t code;
			if (period_parse(periods[p], &code) != 0)
				abort();
			indicators_judge(ind, code, true, ind->baseline, &r);
			if (ind_status_name(r.status) == NULL)
				abort();
		}
	}
}

static void
check_msgs(const struct indfile_msgs *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (strncmp(m->items[i].text, "f.conf:", 7) != 0)
			abort();
		if (i > 0 && m->items[i].line < m->items[i - 1].line)
			abort();
	}
}

/* One line of the input as an expression, with every cell worth v. */
static void
try_expr(const char *text, double v)
{
	double vals[EXPR_MAX_REFS], out;
	struct expr *e = NULL;
	char why[256];
	size_t i;
	int r;

	why[0] = '\0';
	r = expr_parse(text, &e, why, sizeof(why));
	if (r != 0) {
		if (r != -EINVAL || why[0] == '\0' || e != NULL)
			abort();
		return;
	}
	for (i = 0; i < EXPR_MAX_REFS; i++)
		vals[i] = v;
	r = expr_eval(e, vals, &out);
	if ((r != 0 && r != -EDOM) || (r == 0 && !isfinite(out)))
		abort();
	expr_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct indfile_msgs m = {0};
	struct indset *set = NULL;
	char *text;
	size_t start, i;
	int r;

	r = indfile_parse("f.conf", (const char *)data, size, &set, &m);
	if (r == 0) {
		if (set == NULL || m.n_errors != 0)
			abort();
		check_set(set);
		indset_free(&set);
	} else if (r == -EINVAL) {
		if (set != NULL || m.n_errors == 0 || m.n == 0)
			abort();
	} else if (r != -ENOMEM) {
		abort();
	}
	check_msgs(&m);
	indfile_msgs_clear(&m);

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (start = 0, i = 0; i <= size; i++) {
		if (i < size && text[i] != '\n' && text[i] != '\0')
			continue;
		text[i] = '\0';
		if (i - start < 1024) {
			try_expr(text + start, 0);
			try_expr(text + start, 3);
		}
		start = i + 1;
	}
	free(text);
	return 0;
}
