/* sdg_table.c - SDG indicator 16.2.2; see sdg_table.h. */
#include "sdg_table.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate_table.h"
#include "period.h"
#include "query.h"

enum col {
	COL_PERIOD,
	COL_SEX,
	COL_AGE,
	COL_POPULATION,
	COL_VICTIMS,
	COL_RATE,
	COL_ESTIMATE,
	COL_ESTIMATE_RATE,
	COL_NOTE,
	COL_SOURCE,
};

/* Rows are sex F, M, all by age group 0-17, 18+, all. */
#define ALL 2
#define N_ROWS 9

static const char *const sex_names[3] = {"F", "M", "all"};
static const char *const age_names[3] = {"0-17", "18+", "all"};
/* The breakdown's age groups that make up 0-17. */
static const char *const child_groups[] = {"0-5", "6-11", "12-13", "14-17"};
#define N_CHILD_GROUPS 4

/* The population figures in force (sdg_set_population). */
static const struct popset *population_in_force;

const struct popset *
sdg_set_population(const struct popset *set)
{
	const struct popset *was = population_in_force;

	population_in_force = set;
	return was;
}

/* A figure as the role sees it. */
struct fig {
	bool shown;
	int64_t v;
};

/* What the table is made of, as the role sees the tables. */
struct parts {
	struct fig victims[3][3]; /* [sex][age], ALL for both */
	struct fig estimate;	  /* the stepwise row's, unlinkable added */
	struct fig observed;	  /* the stepwise row's observed victims */
	int64_t unlinkable;	  /* the victims added to the estimate */
	double exact;		  /* the analyst's, before rounding, or NAN */
	char estimate_note[512];
	bool ident_closed;     /* identification refused at this level */
	bool breakdown_closed; /* breakdown refused at this level */
};

/* ---- reading the tables ---------------------------------------------------
 */

/* Runs query_run for table as who; *ret_open false (and 0 returned) when
 * the table is closed to the role, which hides everything of it. */
static int
ask(struct store *st, const struct query_req *req, const char *table,
    const struct reg_party *who, unsigned k, struct qtable *ret, bool *ret_open)
{
	struct query_req q;
	int r;

	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "%s", table);
	memcpy(q.period, req->period, sizeof(q.period));
	q.region = req->region;
	r = query_run(st, &q, who, k, ret);
	*ret_open = r == 0;
	if (r != 0)
		codec_qtable_clear(ret);
	return r == -EINVAL ? 0 : r;
}

static int
column(const struct qtable *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_cols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return (int)i;
	return -1;
}

static bool
text_is(const struct qtable *t, size_t row, int col, const char *s)
{
	return col >= 0 && t->rows[row][col].kind == CELL_TEXT &&
	       strcmp(codec_cell_str(&t->rows[row][col]), s) == 0;
}

/* The count of the row whose key columns hold k1 (and k2, unless NULL):
 * absent is 0, shown; a hidden cell is not shown. */
static struct fig
count_of(const struct qtable *t, const char *c1, const char *k1, const char *c2,
	 const char *k2, const char *value_col)
{
	int a = column(t, c1), b = c2 != NULL ? column(t, c2) : -1,
	    v = column(t, value_col);
	struct fig f = {.shown = true, .v = 0};
	size_t i;

	if (a < 0 || v < 0 || (c2 != NULL && b < 0))
		return (struct fig){0};
	for (i = 0; i < t->n_rows; i++) {
		if (!text_is(t, i, a, k1) ||
		    (c2 != NULL && !text_is(t, i, b, k2)))
			continue;
		if (t->rows[i][v].kind != CELL_NUMBER)
			return (struct fig){0};
		f.v = t->rows[i][v].number;
	}
	return f;
}

/* From identification: the victims of all ages and sexes. */
static void
from_identification(const struct qtable *t, struct parts *p)
{
	p->victims[ALL][ALL] =
	    count_of(t, "institution", "all", NULL, NULL, "victims");
}

/* From breakdown: by sex, and by age group (0-17 summed). */
static void
from_breakdown(const struct qtable *t, struct parts *p)
{
	struct fig child = {.shown = true, .v = 0}, adult, total;
	int s, i;

	for (s = 0; s < 2; s++)
		p->victims[s][ALL] = count_of(t, "dimension", "sex", "value",
					      sex_names[s], "victims");
	adult =
	    count_of(t, "dimension", "age_group", "value", "18+", "victims");
	for (i = 0; i < N_CHILD_GROUPS; i++) {
		struct fig g = count_of(t, "dimension", "age_group", "value",
					child_groups[i], "victims");
		child.shown = child.shown && g.shown;
		child.v += g.v;
	}
	/* Age groups partition the victims: with a part hidden, 0-17 is
	 * still known to whoever sees the total and 18+. */
	total = p->victims[ALL][ALL];
	if (!child.shown && total.shown && adult.shown) {
		child.shown = true;
		child.v = total.v - adult.v;
	}
	p->victims[ALL][0] = child;
	p->victims[ALL][1] = adult;
}

/* From estimate: the stepwise row's estimate, or why there is none. */
static void
from_estimate(const struct qtable *t, struct parts *p)
{
	int m = column(t, "method"), e = column(t, "estimate"),
	    o = column(t, "observed"), n = column(t, "note");
	size_t i;

	for (i = 0; i < t->n_rows; i++) {
		if (!text_is(t, i, m, "stepwise"))
			continue;
		if (e >= 0 && t->rows[i][e].kind == CELL_NUMBER) {
			p->estimate.shown = true;
			p->estimate.v = t->rows[i][e].number;
		}
		if (o >= 0 && t->rows[i][o].kind == CELL_NUMBER) {
			p->observed.shown = true;
			p->observed.v = t->rows[i][o].number;
		}
		if (n >= 0 && t->rows[i][n].kind == CELL_TEXT)
			snprintf(p->estimate_note, sizeof(p->estimate_note),
				 "%s", codec_cell_str(&t->rows[i][n]));
	}
}

/*
 * Why the estimate table refused, as a note for the estimate row. Its
 * refusal of a region to the secretariat tells the client to ask without
 * --region, an instruction about that table, not a reason for this row.
 */
static void
from_estimate_refusal(const struct qtable *t, const struct query_req *req,
		      const struct reg_party *who, struct parts *p)
{
	const char *why = t->error;

	if (who->role == ROLE_SECRETARIAT && req->region != 0)
		why = "not given by region to the secretariat";
	snprintf(p->estimate_note, sizeof(p->estimate_note), "%s", why);
}

/*
 * The analyst's stepwise estimate before it is rounded to the whole
 * victim, into p->exact, for its rate: a rate of the rounded figure is
 * off by up to half a victim over the population, 0.07 per 100,000 in a
 * region of 700,000, in the digits the table prints. The secretariat's
 * rate stays that of the estimate it is shown, rounded to the nearest
 * 10: a rate of the exact one would give it back to within a few
 * victims (docs/DISCLOSURE.md, "The estimate").
 */
static int
exact_estimate(struct store *st, const struct query_req *req,
	       struct parts *p)
{
	struct estimate_input in;
	struct mse_estimate e;
	char err[256];
	int r = estimate_overlap(st, req, &in, err, sizeof(err));

	if (r != 0 || in.table.k == 0)
		return r == -EINVAL ? 0 : r;
	r = mse_estimate(&in.table, MSE_STEPWISE, &e);
	if (r != 0)
		return r;
	/* The same fit as the estimate table's row, which it rounded. */
	if (e.status == MSE_ESTIMATED && isfinite(e.estimate) &&
	    llround(e.estimate) == p->estimate.v)
		p->exact = e.estimate;
	return 0;
}

/*
 * The estimate table models the linkable victims only: its estimate can
 * fall below the victims identified, who count the unlinkable ones too
 * (EVENTS.md: each is a victim of its own). Every victim, detected or
 * not, is that estimate plus the unlinkable victims it leaves out: the
 * victims identified less the estimate's observed ones, both figures
 * the role is shown, so the sum tells it nothing it could not work out.
 * Without them shown there is no such sum to give.
 */
static void
add_unlinkable(struct parts *p)
{
	const struct fig *total = &p->victims[ALL][ALL];

	if (!total->shown || !p->observed.shown || total->v < p->observed.v) {
		p->estimate.shown = false;
		snprintf(p->estimate_note, sizeof(p->estimate_note),
			 "the victims identified, that the unlinkable ones "
			 "are added from, are not shown");
		return;
	}
	p->unlinkable = total->v - p->observed.v;
	p->estimate.v += p->unlinkable;
	if (!isnan(p->exact))
		p->exact += (double)p->unlinkable;
}

static int
gather(struct store *st, const struct query_req *req,
       const struct reg_party *who, unsigned k, struct parts *p)
{
	struct qtable t;
	bool open;
	int r;

	memset(p, 0, sizeof(*p));
	p->exact = NAN;
	r = ask(st, req, "identification", who, k, &t, &open);
	if (r == 0 && open)
		from_identification(&t, p);
	p->ident_closed = r == 0 && !open;
	codec_qtable_clear(&t);
	if (r == 0)
		r = ask(st, req, "breakdown", who, k, &t, &open);
	if (r == 0 && open)
		from_breakdown(&t, p);
	p->breakdown_closed = r == 0 && !open;
	codec_qtable_clear(&t);
	/* Sex by age crossed: exact counts in no table under disclosure
	 * control, so the secretariat gets them suppressed. */
	if (r == 0 && who->role == ROLE_ANALYST) {
		int64_t n[2][2];
		int s, a;
		r = query_sex_age(st, req, who, n);
		for (s = 0; r == 0 && s < 2; s++)
			for (a = 0; a < 2; a++)
				p->victims[s][a] =
				    (struct fig){.shown = true, .v = n[s][a]};
	}
	if (r == 0)
		r = ask(st, req, "estimate", who, k, &t, &open);
	if (r == 0 && open)
		from_estimate(&t, p);
	else if (r == 0)
		from_estimate_refusal(&t, req, who, p);
	codec_qtable_clear(&t);
	if (r == 0 && p->estimate.shown && who->role == ROLE_ANALYST)
		r = exact_estimate(st, req, p);
	if (r == 0 && p->estimate.shown)
		add_unlinkable(p);
	return r;
}

/* ---- the table ------------------------------------------------------------
 */

static void
set_text(struct cell *c, const char *s)
{
	c->kind = CELL_TEXT;
	snprintf(c->text, sizeof(c->text), "%s", s);
}

static void
set_number(struct cell *c, int64_t v)
{
	c->kind = CELL_NUMBER;
	c->number = v;
}

/* A rate per 100,000 with two decimals. */
static void
set_rate(struct cell *c, double v, uint64_t population)
{
	c->kind = CELL_DECIMAL;
	snprintf(c->text, sizeof(c->text), "%.2f",
		 v * 100000.0 / (double)population);
}

static uint64_t
population_of(const struct pop_entry *e, int sex, int age)
{
	uint64_t sum = 0;
	int s, a;

	for (s = 0; s < 2; s++)
		for (a = 0; a < 2; a++)
			if ((sex == ALL || sex == s) &&
			    (age == ALL || age == a))
				sum += e->count[s][a];
	return sum;
}

/* The note of a row without an estimate, in the estimate table's pattern:
 * "no estimate: REASON", or "suppressed: ..." as that table says it. */
static void
why_no_estimate(const struct parts *p, char *note, size_t cap)
{
	const char *why = p->estimate_note;

	if (why[0] == '\0')
		why = "see the estimate table";
	if (strncmp(why, "no estimate: ", 13) == 0 ||
	    strncmp(why, "suppressed: ", 12) == 0)
		snprintf(note, cap, "%s", why);
	else
		snprintf(note, cap, "no estimate: %s", why);
}

/*
 * Why a count of victims is hidden, when not for its size: a figure
 * crossing sex with age group is in no table under disclosure control;
 * one whose table the role is refused at this level (the breakdown by
 * region, the identification by region for a semester or a quarter) is
 * hidden whatever its size, and "<10" alone would read as 1 to 9.
 */
static const char *
why_hidden(const struct parts *p, int sex, int age)
{
	if (sex != ALL && age != ALL)
		return "withheld from the secretariat whatever the number: no "
		       "figure it is given crosses sex with age group";
	if (p->breakdown_closed && (sex != ALL || age != ALL))
		return "withheld from the secretariat whatever the number: no "
		       "figure it is given splits a region by sex or age group";
	if (p->ident_closed)
		return "withheld from the secretariat whatever the number: it "
		       "is given a region's victims by year only";
	return "";
}

static int
fill_row(struct cell *row, const char *period, int sex, int age,
	 const struct pop_entry *pop, const struct parts *p)
{
	uint64_t people = population_of(pop, sex, age);
	const struct fig *v = &p->victims[sex][age];
	const char *hidden = v->shown ? "" : why_hidden(p, sex, age);
	char note[CODEC_MAX_LONG_TEXT] = "";

	set_text(&row[COL_PERIOD], period);
	set_text(&row[COL_SEX], sex_names[sex]);
	set_text(&row[COL_AGE], age_names[age]);
	set_number(&row[COL_POPULATION], (int64_t)people);
	if (v->shown) {
		set_number(&row[COL_VICTIMS], v->v);
		if (people > 0)
			set_rate(&row[COL_RATE], (double)v->v, people);
	} else {
		row[COL_VICTIMS].kind = CELL_SUPPRESSED;
		snprintf(note, sizeof(note), "%s", hidden);
	}
	if (sex == ALL && age == ALL) {
		if (p->estimate.shown) {
			set_number(&row[COL_ESTIMATE], p->estimate.v);
			set_rate(&row[COL_ESTIMATE_RATE],
				 isnan(p->exact) ? (double)p->estimate.v
						 : p->exact,
				 people);
			char added[96] = "", sparse[160] = "";
			const char *sp = strstr(p->estimate_note, "sparse: ");
			/* The estimate's warning goes with its rate. */
			if (sp != NULL)
				snprintf(sparse, sizeof(sparse), "; %.*s",
					 (int)strcspn(sp, ";"), sp);
			if (p->unlinkable > 0)
				snprintf(added, sizeof(added),
					 "; the unlinkable victims added back: "
					 "%" PRId64,
					 p->unlinkable);
			snprintf(
			    note, sizeof(note),
			    "estimate: every victim, detected or not, "
			    "both sexes and all ages (stepwise, as the "
			    "estimate table, which leaves out the "
			    "unlinkable identifications)%s%s; none is made "
			    "by sex or age group",
			    added, sparse);
		} else {
			char why[sizeof(p->estimate_note) + 16];
			why_no_estimate(p, why, sizeof(why));
			snprintf(note, sizeof(note), "%s%s%s", hidden,
				 hidden[0] != '\0' ? "; " : "", why);
		}
	}
	return codec_cell_set_long(&row[COL_NOTE], note);
}

static int
refuse(struct qtable *ret, const char *why)
{
	snprintf(ret->error, sizeof(ret->error), "%s", why);
	return -EINVAL;
}

int
sdg_table(struct store *st, const struct query_req *req,
	  const struct reg_party *who, unsigned k, struct qtable *ret)
{
	char cols[] = SDG_COLUMNS, *tok, *save = NULL, why[200];
	char period[PERIOD_NAME_MAX];
	const struct pop_entry *pop;
	struct parts *p = NULL;
	uint32_t code;
	int r, sex, age;

	memset(ret, 0, sizeof(*ret));
	ret->k = k;
	snprintf(ret->role, sizeof(ret->role), "%s", role_name(who->role));
	if (who->role == ROLE_NONE)
		return refuse(ret, "not authorised to query");
	if (who->role == ROLE_INSTITUTION)
		return refuse(ret, "the sdg16_2_2 table is not open to an "
				   "institution (it holds the estimate)");
	if (period_parse(req->period, &code) != 0) {
		snprintf(why, sizeof(why),
			 "bad period \"%.20s\": give a year (2026), a "
			 "semester (2026H1) or a quarter (2026Q3)",
			 req->period);
		return refuse(ret, why);
	}
	if (req->region > 25)
		return refuse(ret, "bad region: INEI codes run 01 to 25");
	if (population_in_force == NULL)
		return refuse(ret, "no population figures: the consolidator's "
				   "configuration names no population file "
				   "(population = FILE, kuska.conf(5))");
	pop = popset_find(population_in_force, code / 10, req->region);
	if (pop == NULL) {
		if (req->region == 0)
			snprintf(why, sizeof(why),
				 "the population file has no figures for %u "
				 "for the country (region 00)",
				 code / 10);
		else
			snprintf(why, sizeof(why),
				 "the population file has no figures for %u "
				 "for region %02u",
				 code / 10, req->region);
		return refuse(ret, why);
	}
	p = malloc(sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	r = gather(st, req, who, k, p);
	if (r != 0)
		goto out;
	period_name(code, period);
	for (tok = strtok_r(cols, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(ret->cols[ret->n_cols++], sizeof(ret->cols[0]), "%s",
			 tok);
	ret->rows = calloc(N_ROWS, sizeof(*ret->rows));
	if (ret->rows == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (sex = 0; sex < 3 && r == 0; sex++)
		for (age = 0; age < 3 && r == 0; age++) {
			r = fill_row(ret->rows[ret->n_rows], period, sex, age,
				     pop, p);
			ret->n_rows++;
		}
	/* Where the figures come from, as the file says: once, on the row
	 * of the whole population. */
	if (r == 0 && population_in_force->source[0] != '\0')
		set_text(&ret->rows[N_ROWS - 1][COL_SOURCE],
			 population_in_force->source);
out:
	free(p);
	if (r != 0)
		codec_qtable_clear(ret);
	return r;
}
