/*
 * release_victims.c - the relations a reader knows between the victims'
 * tables (identification, overlap, breakdown): institutions' victims
 * among all, unlinkable victims as latent terms, the same people across
 * periods and regions; see release_int.h.
 */
#include "release_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose.h"
#include "event.h"

#define ALL 0 /* "institution" all in L() */

static int
ident(const struct ctx *x, struct lvl l, int inst)
{
	return release_cell(
	    x, RT_IDENTIFICATION, l.p, l.r,
	    inst == ALL ? "all" : institution_name((enum institution)inst),
	    "victims");
}

/* Adds coef times the linkable victims of inst (or of all) at l: the
 * identification count less the unlinkable ones. */
static void
linkable(const struct ctx *x, struct ex *e, int64_t coef, struct lvl l,
	 int inst)
{
	int i;

	release_ex_add(e, ident(x, l, inst), coef);
	for (i = 1; i <= INST_COUNT; i++)
		if (inst == ALL || inst == i)
			release_ex_add(e, x->u[l.p][l.r][i], -coef);
}

/* At one level: the unlinkable victims of an institution are among its
 * victims; the total is at least each institution's and at most their
 * sum. */
static void
victims_level(struct ctx *x, struct lvl l)
{
	struct ex e = {.n = 0}, sum = {.n = 0};
	int i;

	for (i = 1; i <= INST_COUNT; i++) {
		linkable(x, &e, 1, l, i);
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
		linkable(x, &e, 1, l, ALL);
		linkable(x, &e, -1, l, i);
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
		release_ex_add(&sum, ident(x, l, i), -1);
	}
	release_ex_add(&sum, ident(x, l, ALL), 1);
	release_ex_rel(x, &sum, DISCLOSE_LE, 0);
}

/*
 * A level and its parts (semesters, quarters or regions): unlinkable
 * victims (one record each) add up; linkable ones are distinct people;
 * and the victims of an institution counted in two parts are among the
 * victims counted in two parts, whose number the totals give:
 *	L(whole, i) >= sum L(part, i) - (sum L(part, all) - L(whole, all)).
 */
static void
victims_family(struct ctx *x, struct lvl whole, const struct lvl *kid, size_t n)
{
	struct ex e = {.n = 0};
	size_t j;
	int i;

	for (i = 1; i <= INST_COUNT; i++) {
		release_ex_add(&e, x->u[whole.p][whole.r][i], 1);
		for (j = 0; j < n; j++)
			release_ex_add(&e, x->u[kid[j].p][kid[j].r][i], -1);
		release_ex_rel(x, &e, DISCLOSE_EQ, 0);
	}
	for (i = 0; i <= INST_COUNT; i++) {
		for (j = 0; j < n; j++) {
			linkable(x, &e, 1, whole, i);
			linkable(x, &e, -1, kid[j], i);
			release_ex_rel(x, &e, DISCLOSE_GE, 0);
		}
		linkable(x, &e, 1, whole, i);
		for (j = 0; j < n; j++)
			linkable(x, &e, -1, kid[j], i);
		release_ex_rel(x, &e, DISCLOSE_LE, 0);
		if (i == ALL)
			continue;
		linkable(x, &e, 1, whole, i);
		linkable(x, &e, -1, whole, ALL);
		for (j = 0; j < n; j++) {
			linkable(x, &e, -1, kid[j], i);
			linkable(x, &e, 1, kid[j], ALL);
		}
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
	}
}

/* The institutions of an overlap row as a bit set (1 << inst); 0 for
 * "unlinkable". */
static unsigned
set_of(const char *row)
{
	char buf[sizeof(((struct rcell *)0)->row)], *tok, *save = NULL;
	unsigned s = 0;

	snprintf(buf, sizeof(buf), "%s", row);
	for (tok = strtok_r(buf, "+", &save); tok != NULL;
	     tok = strtok_r(NULL, "+", &save)) {
		enum institution i = institution_from_name(tok);
		if (i != INST_NONE)
			s |= 1u << i;
	}
	return s;
}

/*
 * The overlap at period p: its rows add up to the total; each
 * institution's linkable victims are the rows containing it; the
 * unlinkable row is the sum of the institutions' unlinkable victims.
 */
static void
overlap_level(struct ctx *x, int p)
{
	struct ex e = {.n = 0};
	struct lvl l = {p, 0};
	size_t c;
	int i;

	release_ex_add(&e, ident(x, l, ALL), 1);
	for (c = 0; c < x->rel->n; c++) {
		const struct rcell *rc = &x->rel->cells[c];
		if (rc->table == RT_OVERLAP && rc->period == p)
			release_ex_add(&e, (int)c, -1);
	}
	release_ex_rel(x, &e, DISCLOSE_EQ, 0);
	for (i = 1; i <= INST_COUNT; i++)
		release_ex_add(&e, x->u[p][0][i], 1);
	release_ex_add(
	    &e, release_cell(x, RT_OVERLAP, p, 0, "unlinkable", "victims"), -1);
	release_ex_rel(x, &e, DISCLOSE_EQ, 0);
	for (i = 1; i <= INST_COUNT; i++) {
		linkable(x, &e, 1, l, i);
		for (c = 0; c < x->rel->n; c++) {
			const struct rcell *rc = &x->rel->cells[c];
			if (rc->table == RT_OVERLAP && rc->period == p &&
			    (set_of(rc->row) & (1u << i)))
				release_ex_add(&e, (int)c, -1);
		}
		release_ex_rel(x, &e, DISCLOSE_EQ, 0);
	}
}

/* Adds coef times the victims of period p whose set of institutions is
 * within s (within = true) or contains s. */
static void
sets(const struct ctx *x, struct ex *e, int64_t coef, int p, unsigned s,
     bool within)
{
	size_t c;

	for (c = 0; c < x->rel->n; c++) {
		const struct rcell *rc = &x->rel->cells[c];
		unsigned t;
		if (rc->table != RT_OVERLAP || rc->period != p)
			continue;
		t = set_of(rc->row);
		if (t != 0 && (within ? (t & ~s) == 0 : (t & s) == s))
			release_ex_add(e, (int)c, coef);
	}
}

/*
 * Overlap across a period and its two parts, for every set s of
 * institutions: victims whose institutions in the period lie within s
 * lie within s in each part where they appear (at most the sum, and at
 * least the sum less those seen in both parts); victims whose
 * institutions in a part contain s contain it in the period.
 */
static void
overlap_family(struct ctx *x, int pp, unsigned present)
{
	struct ex e = {.n = 0};
	int a = release_kids[pp][0], b = release_kids[pp][1];
	unsigned s;

	for (s = 2; s < (2u << INST_COUNT); s += 2) {
		if ((s & present) != s)
			continue;
		sets(x, &e, 1, pp, s, true);
		sets(x, &e, -1, a, s, true);
		sets(x, &e, -1, b, s, true);
		release_ex_rel(x, &e, DISCLOSE_LE, 0);
		sets(x, &e, 1, pp, s, true);
		sets(x, &e, -1, a, s, true);
		sets(x, &e, -1, b, s, true);
		linkable(x, &e, 1, (struct lvl){a, 0}, ALL);
		linkable(x, &e, 1, (struct lvl){b, 0}, ALL);
		linkable(x, &e, -1, (struct lvl){pp, 0}, ALL);
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
		sets(x, &e, 1, pp, s, false);
		sets(x, &e, -1, a, s, false);
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
		sets(x, &e, 1, pp, s, false);
		sets(x, &e, -1, b, s, false);
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
	}
}

static bool
dim_is(const char *row, const char *dim)
{
	size_t n = strlen(dim);

	return strncmp(row, dim, n) == 0 && row[n] == '|';
}

/*
 * The breakdown at period p: sex, age group, nationality and region each
 * split the victims; every victim has at least one form of exploitation
 * (so those rows add up to the total or more, each at most the total); a
 * region's row is at most that region's victims in the year.
 */
static void
breakdown_level(struct ctx *x, int p)
{
	static const char *const parts[] = {"sex", "age_group", "nationality",
					    "region"};
	struct ex e = {.n = 0};
	struct lvl l = {p, 0};
	size_t c, d;

	for (d = 0; d <= 4; d++) {
		release_ex_add(&e, ident(x, l, ALL), -1);
		for (c = 0; c < x->rel->n; c++) {
			const struct rcell *rc = &x->rel->cells[c];
			if (rc->table != RT_BREAKDOWN || rc->period != p ||
			    !dim_is(rc->row, d < 4 ? parts[d] : "exploitation"))
				continue;
			release_ex_add(&e, (int)c, 1);
		}
		release_ex_rel(x, &e, d < 4 ? DISCLOSE_EQ : DISCLOSE_GE, 0);
	}
	for (c = 0; c < x->rel->n; c++) {
		const struct rcell *rc = &x->rel->cells[c];
		if (rc->table != RT_BREAKDOWN || rc->period != p)
			continue;
		if (dim_is(rc->row, "exploitation")) {
			release_ex_add(&e, (int)c, 1);
			release_ex_add(&e, ident(x, l, ALL), -1);
			release_ex_rel(x, &e, DISCLOSE_LE, 0);
		} else if (dim_is(rc->row, "region")) {
			int r = atoi(rc->row + strlen("region|"));
			if (r < 1 || r > REGIONS)
				continue;
			release_ex_add(&e, (int)c, 1);
			release_ex_add(
			    &e, ident(x, (struct lvl){RP_YEAR, r}, ALL), -1);
			release_ex_rel(x, &e, DISCLOSE_LE, 0);
		}
	}
}

/*
 * A breakdown row across a period P and its parts A (earlier) and B. A
 * victim's attributes are those of its earliest identification in the
 * period, so a victim seen in A keeps its A attributes in P:
 *	B(A) <= B(P) <= B(A) + B(B),  B(P) >= B(A) + B(B) - both,
 *	B(P) - B(A) <= victims(P) - victims(A),
 * where both = victims(A) + victims(B) - victims(P) were seen in both.
 */
static void
breakdown_family(struct ctx *x, int pp, const char **rows, size_t n_rows)
{
	struct ex e = {.n = 0};
	struct lvl lp = {pp, 0}, la = {release_kids[pp][0], 0},
		   lb = {release_kids[pp][1], 0};
	size_t i;

	for (i = 0; i < n_rows; i++) {
		int tp =
		    release_cell(x, RT_BREAKDOWN, lp.p, 0, rows[i], "victims");
		int ta =
		    release_cell(x, RT_BREAKDOWN, la.p, 0, rows[i], "victims");
		int tb =
		    release_cell(x, RT_BREAKDOWN, lb.p, 0, rows[i], "victims");
		release_ex_add(&e, tp, 1);
		release_ex_add(&e, ta, -1);
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
		release_ex_add(&e, tp, 1);
		release_ex_add(&e, ta, -1);
		release_ex_add(&e, tb, -1);
		release_ex_rel(x, &e, DISCLOSE_LE, 0);
		release_ex_add(&e, tp, 1);
		release_ex_add(&e, ta, -1);
		release_ex_add(&e, tb, -1);
		release_ex_add(&e, ident(x, la, ALL), 1);
		release_ex_add(&e, ident(x, lb, ALL), 1);
		release_ex_add(&e, ident(x, lp, ALL), -1);
		release_ex_rel(x, &e, DISCLOSE_GE, 0);
		release_ex_add(&e, tp, 1);
		release_ex_add(&e, ta, -1);
		release_ex_add(&e, ident(x, lp, ALL), -1);
		release_ex_add(&e, ident(x, la, ALL), 1);
		release_ex_rel(x, &e, DISCLOSE_LE, 0);
	}
}

void
release_relate_victims(struct ctx *x, const char **rows)
{
	struct lvl kid[REGIONS];
	unsigned present = 0;
	size_t c, n;
	int p, r, i;

	for (p = 0; p < RP_COUNT; p++)
		for (r = 0; r <= REGIONS; r++)
			for (i = 1; i <= INST_COUNT; i++) {
				x->u[p][r][i] = -1;
				if (r > 0 && p != RP_YEAR)
					continue;
				x->u[p][r][i] = dfam_latent(x->f, -1);
				if (x->u[p][r][i] < 0)
					x->err = -ENOMEM;
			}
	for (c = 0; c < x->rel->n; c++)
		if (x->rel->cells[c].table == RT_OVERLAP)
			present |= set_of(x->rel->cells[c].row);
	for (p = 0; p < RP_COUNT; p++)
		victims_level(x, (struct lvl){p, 0});
	for (r = 1; r <= REGIONS; r++)
		victims_level(x, (struct lvl){RP_YEAR, r});
	for (p = 0; p < 3; p++) {
		n = release_children(p, false, kid);
		victims_family(x, (struct lvl){p, 0}, kid, n);
	}
	n = release_children(RP_YEAR, true, kid);
	victims_family(x, (struct lvl){RP_YEAR, 0}, kid, n);
	for (p = 0; p < RP_COUNT; p++) {
		overlap_level(x, p);
		breakdown_level(x, p);
	}
	n = release_rows_of(x, RT_BREAKDOWN, rows);
	for (p = 0; p < 3; p++) {
		overlap_family(x, p, present);
		breakdown_family(x, p, rows, n);
	}
}
