/* indicators.c - indicator values, progress and status; see indicators.h. */
#include "indicators.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "period.h"
#include "query.h"

/* Thresholds of INDICATORS.md, as shares of the elapsed time. */
#define ON_TRACK 0.95
#define ACCELERATION 0.6
/* Room for rounding when a progress lands exactly on a threshold. */
#define SLACK 1e-9

static const char *const status_names[] = {
    [IND_NO_DATA] = "no_data",
    [IND_ACHIEVED] = "achieved",
    [IND_ON_TRACK] = "on_track",
    [IND_ACCELERATION_NEEDED] = "acceleration_needed",
    [IND_LIMITED] = "limited",
    [IND_DETERIORATING] = "deteriorating",
    [IND_SUPPRESSED] = "suppressed",
};

const char *
ind_status_name(enum ind_status s)
{
	if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
		return NULL;
	return status_names[s];
}

/* A value as the table writes it: rounded to IND_DECIMALS. */
static double
as_written(double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", IND_DECIMALS, v);
	return strtod(buf, NULL);
}

/*
 * Whether the value has reached the target, in its direction, compared
 * as the table writes both: a value written 66.67 beside a target of
 * 66.67 has reached it, whatever decimals the division left. The file
 * gives the target with at most IND_DECIMALS decimals (indfile.c), as
 * the table writes it.
 */
static bool
reached(const struct indicator *ind, double value)
{
	double v = as_written(value), t = ind->target;

	return ind->direction == IND_INCREASE ? v >= t : v <= t;
}

void
indicators_judge(const struct indicator *ind, uint32_t period, bool has_value,
		 double value, struct ind_result *ret)
{
	int base_end = period_end_semesters(ind->baseline_period);
	int span = period_end_semesters(ind->target_period) - base_end;
	int since = period_end_semesters(period) - base_end;
	double th;

	memset(ret, 0, sizeof(*ret));
	ret->has_value = has_value;
	ret->value = has_value ? value : 0;
	ret->status = IND_NO_DATA;
	/* The file guarantees span > 0; a quarter (-1) has no progress. */
	if (!has_value || span <= 0 || period_end_semesters(period) < 0 ||
	    since < 0)
		return;
	ret->has_progress = true;
	ret->elapsed = (double)since / (double)span;
	ret->progress = (value - ind->baseline) / (ind->target - ind->baseline);
	th = ret->elapsed;
	if (reached(ind, value))
		ret->status = IND_ACHIEVED;
	else if (ret->progress >= ON_TRACK * th - SLACK)
		ret->status = IND_ON_TRACK;
	else if (ret->progress >= ACCELERATION * th - SLACK)
		ret->status = IND_ACCELERATION_NEEDED;
	else if (ret->progress >= 0)
		ret->status = IND_LIMITED;
	else
		ret->status = IND_DETERIORATING;
}

/* ---- reading the tables ------------------------------------------------ */

/* Each reference's worth, for every indicator of the set. */
struct work {
	struct store_txn *t; /* every table is read in it: one state */
	const struct indset *set;
	double (*values)[EXPR_MAX_REFS]; /* per indicator, per reference */
	bool *suppressed;		 /* per indicator */
};

/* The column of qt named like column c of schema s, or -1. */
static int
table_column(const struct qtable *qt, const struct qschema *s, int c)
{
	size_t i;

	for (i = 0; i < qt->n_cols; i++)
		if (strcmp(qt->cols[i], s->cols[c].name) == 0)
			return (int)i;
	return -1;
}

/* Whether row r of qt is one that ref selects. */
static bool
row_matches(const struct qtable *qt, size_t r, const struct expr_ref *ref,
	    bool own_view)
{
	const struct qschema *s = ref->table;
	bool total_named = false;
	size_t i;
	int c;

	for (i = 0; i < ref->n_filters; i++) {
		const struct cell *cell;
		c = table_column(qt, s, ref->filters[i].column);
		if (c < 0)
			return false;
		/* An institution's "all" is its own rows: all of its view. */
		if (own_view &&
		    strcmp(s->cols[ref->filters[i].column].name,
			   s->total_key) == 0 &&
		    strcmp(ref->filters[i].value, "all") == 0)
			continue;
		cell = &qt->rows[r][c];
		if (cell->kind != CELL_TEXT ||
		    strcmp(cell->text, ref->filters[i].value) != 0)
			return false;
		if (s->total_key != NULL &&
		    strcmp(s->cols[ref->filters[i].column].name,
			   s->total_key) == 0)
			total_named = true;
	}
	if (s->total_key == NULL || total_named)
		return true;
	/* Without a filter on it, a sum leaves the total row out. */
	c = table_column(qt, s, query_schema_column(s, s->total_key));
	return c < 0 || qt->rows[r][c].kind != CELL_TEXT ||
	       strcmp(qt->rows[r][c].text, "all") != 0;
}

/*
 * Whether qt, a table with a total row (identification, timeliness), is
 * an institution's own view, which has none: its rows are all of it.
 */
static bool
own_view_of(const struct qtable *qt, const struct qschema *s)
{
	size_t r;
	int c;

	if (s->total_key == NULL)
		return false;
	c = table_column(qt, s, query_schema_column(s, s->total_key));
	if (c < 0)
		return false;
	for (r = 0; r < qt->n_rows; r++)
		if (qt->rows[r][c].kind == CELL_TEXT &&
		    strcmp(qt->rows[r][c].text, "all") == 0)
			return false;
	return true;
}

/* A number of a cell, or NAN when it shows none. */
static double
cell_number(const struct cell *c)
{
	char *end;
	double v;

	switch (c->kind) {
	case CELL_NUMBER:
		return (double)c->number;
	case CELL_DECIMAL:
		v = strtod(c->text, &end);
		return end != c->text && *end == '\0' ? v : NAN;
	default:
		return NAN;
	}
}

/*
 * What ref is worth in qt, the table as who sees it; plain, when not
 * NULL, is the same table unsuppressed (the secretariat's case), which
 * tells a median or share hidden by disclosure control (shown empty)
 * from one there is nothing to take. Both are read in one transaction,
 * so their rows are the same, in the same order; the row count check
 * only keeps a mistake from reading past plain. Sets *suppressed when
 * ref touches a hidden cell. An empty count not hidden is one that does
 * not apply to the institution asking (a stage it may not record): a
 * sum leaves it out, and a sum of nothing but such counts is no value.
 * In an institution's view of a table with a total row (own_view_of),
 * "all" names its own rows, and another institution's row no value.
 */
static double
ref_value(const struct qtable *qt, const struct qtable *plain,
	  const struct expr_ref *ref, bool *suppressed)
{
	int c = table_column(qt, ref->table, ref->column);
	bool sum = ref->table->cols[ref->column].kind == QCOL_COUNT;
	bool own_view = own_view_of(qt, ref->table);
	double total = 0, one = NAN;
	size_t r, matched = 0, empty = 0;

	if (c < 0)
		return NAN;
	if (plain != NULL && plain->n_rows != qt->n_rows)
		plain = NULL;
	for (r = 0; r < qt->n_rows; r++) {
		const struct cell *cell = &qt->rows[r][c];
		if (!row_matches(qt, r, ref, own_view))
			continue;
		matched++;
		if (cell->kind == CELL_SUPPRESSED ||
		    (cell->kind == CELL_EMPTY && plain != NULL &&
		     plain->rows[r][c].kind != CELL_EMPTY)) {
			*suppressed = true;
			continue;
		}
		if (sum && cell->kind == CELL_EMPTY) {
			empty++;
			continue;
		}
		one = cell_number(cell);
		total += one;
	}
	/* Another institution's row is not in an institution's view: no
	 * value, not 0. */
	if (sum)
		return (matched > 0 && empty == matched) ||
			       (own_view && matched == 0)
			   ? NAN
			   : total;
	return matched == 1 ? one : NAN;
}

/* Runs query_run_in for table as who (and, plain, as an analyst). */
static int
ask(struct store_txn *t, const struct query_req *req, const char *table,
    const struct reg_party *who, unsigned k, struct qtable *ret)
{
	struct query_req q = *req;

	snprintf(q.table, sizeof(q.table), "%s", table);
	return query_run_in(t, &q, who, k, ret);
}

/* Marks every indicator that refers to table s suppressed. */
static void
suppress_table(const struct qschema *s, struct work *w)
{
	size_t i, j;

	for (i = 0; i < w->set->n; i++)
		for (j = 0; j < expr_n_refs(w->set->items[i].value); j++)
			if (expr_ref_at(w->set->items[i].value, j)->table == s)
				w->suppressed[i] = true;
}

/*
 * Works out every reference into table s of every indicator. A table
 * that query_run does not know yet, or that the role may not see, leaves
 * them without a value; for the secretariat, a table the analyst is given
 * but it is not at this level (a breakdown by region) withholds them:
 * they are suppressed, as on a hidden cell, not without data.
 */
static int
resolve_table(const struct query_req *req, const struct reg_party *who,
	      unsigned k, const struct qschema *s, struct work *w)
{
	static const struct reg_party analyst = {.role = ROLE_ANALYST};
	struct qtable qt, plain;
	bool have_plain = false;
	size_t i, j;
	int r, mine;

	memset(&plain, 0, sizeof(plain));
	mine = ask(w->t, req, s->table, who, k, &qt);
	if (mine != 0 && mine != -EINVAL) {
		codec_qtable_clear(&qt);
		return mine;
	}
	r = 0;
	if (who->role == ROLE_SECRETARIAT) {
		r = ask(w->t, req, s->table, &analyst, k, &plain);
		if (r != 0 && r != -EINVAL)
			goto out;
		have_plain = r == 0;
		r = 0;
	}
	/* -EINVAL: unknown table, or closed to this role. */
	if (mine != 0) {
		if (have_plain)
			suppress_table(s, w);
		goto out;
	}
	for (i = 0; i < w->set->n; i++) {
		const struct expr *e = w->set->items[i].value;
		for (j = 0; j < expr_n_refs(e); j++) {
			const struct expr_ref *ref = expr_ref_at(e, j);
			if (ref->table != s)
				continue;
			w->values[i][j] =
			    ref_value(&qt, have_plain ? &plain : NULL, ref,
				      &w->suppressed[i]);
		}
	}
out:
	codec_qtable_clear(&qt);
	codec_qtable_clear(&plain);
	return r;
}

/* indicators_evaluate in the read transaction t, which the caller owns. */
static int
evaluate_in(struct store_txn *t, const struct indset *set,
	    const struct query_req *req, const struct reg_party *who,
	    unsigned k, struct ind_result *results, char *err, size_t errlen)
{
	const struct qschema *done[EXPR_MAX_REFS * 4];
	size_t n_done = 0, i, j, d;
	struct work w = {.t = t, .set = set};
	uint32_t period;
	int r = 0;

	if (period_parse(req->period, &period) != 0 ||
	    period_kind(period) == PERIOD_QUARTER) {
		snprintf(err, errlen,
			 "bad period \"%.20s\": indicators are measured by "
			 "year (2026) or semester (2026H1)",
			 req->period);
		return -EINVAL;
	}
	if (set == NULL || set->n == 0)
		return 0;
	w.values = calloc(set->n, sizeof(*w.values));
	w.suppressed = calloc(set->n, sizeof(*w.suppressed));
	if (w.values == NULL || w.suppressed == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < set->n; i++)
		for (j = 0; j < EXPR_MAX_REFS; j++)
			w.values[i][j] = NAN; /* until a table says */
	/* One query (two for the secretariat) per table referred to, all
	 * of one state of the store (t): a commit meanwhile must not set
	 * the secretariat's view of a table beside another state's. */
	for (i = 0; i < set->n && r == 0; i++) {
		const struct expr *e = set->items[i].value;
		for (j = 0; j < expr_n_refs(e) && r == 0; j++) {
			const struct qschema *s = expr_ref_at(e, j)->table;
			for (d = 0; d < n_done && done[d] != s; d++)
				;
			if (d < n_done)
				continue;
			if (n_done < sizeof(done) / sizeof(done[0]))
				done[n_done++] = s;
			r = resolve_table(req, who, k, s, &w);
		}
	}
	if (r != 0) {
		snprintf(err, errlen, "store: %s", strerror(-r));
		goto out;
	}
	for (i = 0; i < set->n; i++) {
		const struct indicator *ind = &set->items[i];
		double v = 0;
		bool has;
		if (w.suppressed[i]) {
			memset(&results[i], 0, sizeof(results[i]));
			results[i].status = IND_SUPPRESSED;
			continue;
		}
		has = expr_eval(ind->value, w.values[i], &v) == 0;
		indicators_judge(ind, period, has, v, &results[i]);
	}
out:
	free(w.values);
	free(w.suppressed);
	return r;
}

int
indicators_evaluate(struct store *st, const struct indset *set,
		    const struct query_req *req, const struct reg_party *who,
		    unsigned k, struct ind_result *results, char *err,
		    size_t errlen)
{
	struct store_txn *t = NULL;
	int r;

	r = store_begin(st, false, &t);
	if (r != 0) {
		snprintf(err, errlen, "store: %s", strerror(-r));
		return r;
	}
	r = evaluate_in(t, set, req, who, k, results, err, errlen);
	store_abort(&t);
	return r;
}

/* ---- the table --------------------------------------------------------- */

/* A number with up to `decimals` decimals, trailing zeros dropped. */
static void
set_decimal(struct cell *c, double v, int decimals, bool trim)
{
	char *dot, *end;

	if (fabs(v) < 0.5 * pow(10, -decimals))
		v = 0; /* never "-0" */
	c->kind = CELL_DECIMAL;
	snprintf(c->text, sizeof(c->text), "%.*f", decimals, v);
	dot = strchr(c->text, '.');
	if (!trim || dot == NULL)
		return;
	end = c->text + strlen(c->text) - 1;
	while (end > dot && *end == '0')
		*end-- = '\0';
	if (end == dot)
		*dot = '\0';
}

static void
set_text(struct cell *c, const char *s)
{
	c->kind = CELL_TEXT;
	snprintf(c->text, sizeof(c->text), "%s", s != NULL ? s : "");
}

static void
fill_row(struct cell *row, const char *period, const struct indicator *ind,
	 const struct ind_result *res)
{
	char tp[PERIOD_NAME_MAX];

	set_text(&row[0], period);
	set_text(&row[1], ind->id);
	set_text(&row[2], ind->name);
	set_text(&row[3], ind_level_name(ind->level));
	set_text(&row[4], ind_component_name(ind->component));
	set_text(&row[5], ind->key ? "yes" : "no");
	set_text(&row[6], ind_unit_name(ind->unit));
	if (res->has_value)
		set_decimal(&row[7], res->value, IND_DECIMALS, true);
	set_decimal(&row[8], ind->baseline, IND_DECIMALS, true);
	set_decimal(&row[9], ind->target, IND_DECIMALS, true);
	set_text(&row[10], period_name(ind->target_period, tp));
	if (res->has_progress)
		set_decimal(&row[11], res->progress, 3, false);
	set_text(&row[12], ind_status_name(res->status));
}

/*
 * The destinations (bit 1 << institution) whose take-ups some indicator of
 * set reads: a reference to referrals other than sent, or to
 * referrals_unmatched, filtered on to, or on no to (every destination).
 */
static uint32_t
takeups_read(const struct indset *set)
{
	uint32_t m = 0, all = (1u << (INST_COUNT + 1)) - 2;
	size_t i, j, f;

	for (i = 0; set != NULL && i < set->n; i++) {
		const struct expr *e = set->items[i].value;
		for (j = 0; j < expr_n_refs(e); j++) {
			const struct expr_ref *ref = expr_ref_at(e, j);
			const struct qschema *s = ref->table;
			uint32_t to = all;
			if (strcmp(s->table, "referrals_unmatched") != 0 &&
			    (strcmp(s->table, "referrals") != 0 ||
			     strcmp(s->cols[ref->column].name, "sent") == 0))
				continue;
			for (f = 0; f < ref->n_filters; f++)
				if (strcmp(s->cols[ref->filters[f].column].name,
					   "to") == 0)
					to = 1u << institution_from_name(
						 ref->filters[f].value);
			m |= to & all;
		}
	}
	return m;
}

/* ret->no_takeups: the destinations with no take-up on record (query.h)
 * that some indicator of set reads the take-ups of, read in t: the read
 * transaction the values were worked out in, so that the note is of the
 * same state of the store as the figures beside it. Returns 0 or -errno
 * of the store. */
static int
note_takeups(struct store_txn *t, const struct indset *set,
	     const struct reg_party *who, struct qtable *ret)
{
	uint32_t m = takeups_read(set), none = 0;
	int r;

	if (m == 0)
		return 0;
	r = query_no_takeups(
	    t, who->role == ROLE_INSTITUTION ? (uint8_t)who->inst : 0, &none);
	ret->no_takeups = r == 0 ? m & none : 0;
	return r;
}

int
indicators_table(struct store *st, const struct indset *set,
		 const struct query_req *req, const struct reg_party *who,
		 unsigned k, struct qtable *ret)
{
	struct ind_result *res = NULL;
	struct store_txn *t = NULL;
	char period[PERIOD_NAME_MAX], cols[] = INDICATORS_COLUMNS, *tok,
				      *save = NULL;
	uint32_t code;
	size_t i, n = set != NULL ? set->n : 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->k = k;
	snprintf(ret->role, sizeof(ret->role), "%s", role_name(who->role));
	if (who->role == ROLE_NONE) {
		snprintf(ret->error, sizeof(ret->error),
			 "not authorised to query");
		return -EINVAL;
	}
	if (req->region > 25) {
		snprintf(ret->error, sizeof(ret->error),
			 "bad region: INEI codes run 01 to 25");
		return -EINVAL;
	}
	for (tok = strtok_r(cols, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(ret->cols[ret->n_cols++], sizeof(ret->cols[0]), "%s",
			 tok);
	res = calloc(n > 0 ? n : 1, sizeof(*res));
	ret->rows = calloc(n > 0 ? n : 1, sizeof(*ret->rows));
	if (res == NULL || ret->rows == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* The values and the note on them of one state of the store. */
	r = store_begin(st, false, &t);
	if (r != 0) {
		snprintf(ret->error, sizeof(ret->error), "store: %s",
			 strerror(-r));
		goto out;
	}
	r = evaluate_in(t, set, req, who, k, res, ret->error,
			sizeof(ret->error));
	if (r != 0)
		goto out;
	code = 0;
	if (period_parse(req->period, &code) != 0)
		code = 0; /* cannot happen: evaluate checked it */
	period_name(code, period);
	for (i = 0; i < n; i++)
		fill_row(ret->rows[i], period, &set->items[i], &res[i]);
	ret->n_rows = n;
	r = note_takeups(t, set, who, ret);
	if (r != 0)
		snprintf(ret->error, sizeof(ret->error), "store: %s",
			 strerror(-r));
out:
	store_abort(&t);
	free(res);
	if (r != 0)
		codec_qtable_clear(ret); /* keeps ret->error */
	return r;
}

/* Fills the column names of ret from a comma-separated list. */
static void
set_columns(struct qtable *ret, const char *list)
{
	char cols[512], *tok, *save = NULL;

	snprintf(cols, sizeof(cols), "%s", list);
	for (tok = strtok_r(cols, ",", &save);
	     tok != NULL && ret->n_cols < CODEC_MAX_COLUMNS;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(ret->cols[ret->n_cols++], sizeof(ret->cols[0]), "%s",
			 tok);
}

int
indicators_definitions(const struct indset *set, const struct reg_party *who,
		       unsigned k, struct qtable *ret)
{
	size_t i, n = set != NULL ? set->n : 0;
	char p[PERIOD_NAME_MAX];

	memset(ret, 0, sizeof(*ret));
	ret->k = k;
	snprintf(ret->role, sizeof(ret->role), "%s", role_name(who->role));
	if (who->role == ROLE_NONE) {
		snprintf(ret->error, sizeof(ret->error),
			 "not authorised to query");
		return -EINVAL;
	}
	set_columns(ret, INDICATOR_DEFINITIONS_COLUMNS);
	ret->rows = calloc(n > 0 ? n : 1, sizeof(*ret->rows));
	if (ret->rows == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct indicator *ind = &set->items[i];
		struct cell *row = ret->rows[i];
		ret->n_rows = i + 1;
		set_text(&row[0], ind->id);
		set_text(&row[1], ind->name);
		set_text(&row[2], ind_unit_name(ind->unit));
		set_text(&row[3], ind_direction_name(ind->direction));
		set_text(&row[4], ind_frequency_name(ind->frequency));
		set_text(&row[5], period_name(ind->baseline_period, p));
		set_decimal(&row[6], ind->baseline, IND_DECIMALS, true);
		set_text(&row[7], period_name(ind->target_period, p));
		set_decimal(&row[8], ind->target, IND_DECIMALS, true);
		if (codec_cell_set_long(&row[9], ind->value_text) != 0 ||
		    codec_cell_set_long(&row[10], ind->basis) != 0) {
			codec_qtable_clear(ret);
			return -ENOMEM;
		}
		set_text(&row[11], ind->name_es);
		set_text(&row[12], ind->name_en);
	}
	return 0;
}
