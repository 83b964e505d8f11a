/*
 * release_relate.c - how relations are written (expressions over a
 * family's terms, the cells they name, counts that add up or count
 * distinct people across periods and regions), and the relations of
 * every table group but the victims'; see release_int.h.
 */
#include "release_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose.h"
#include "event.h"
#include "log.h"

/* The semesters and quarters of each period that has any: Y -> H1, H2;
 * H1 -> Q1, Q2; H2 -> Q3, Q4 (by period index). */
const uint8_t release_kids[3][2] = {{1, 2}, {3, 4}, {5, 6}};

/* ---- writing relations ------------------------------------------------ */

void
release_ex_add(struct ex *e, int term, int64_t coef)
{
	size_t i;

	if (term < 0 || coef == 0)
		return;
	for (i = 0; i < e->n; i++)
		if (e->t[i] == term) {
			e->c[i] += coef;
			return;
		}
	if (e->n == EX_MAX) {
		e->over = true;
		return;
	}
	e->t[e->n] = term;
	e->c[e->n++] = coef;
}

/* Logs, at debug level, a relation the data break: which cells. */
static void
log_rel(const struct ctx *x, const struct ex *e, size_t n, enum disclose_op op,
	int64_t rhs)
{
	char buf[1024];
	size_t i, len = 0;

	for (i = 0; i < n && len < sizeof(buf) - 1; i++) {
		const struct rcell *c = (size_t)e->t[i] < x->rel->n_own
					    ? &x->rel->cells[e->t[i]]
					    : NULL;
		if (c != NULL)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						" %+lld*t%u/p%u/r%u/%s/%s=%lld",
						(long long)e->c[i], c->table,
						c->period, c->region, c->row,
						c->col, (long long)c->value);
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						" %+lld*latent%d",
						(long long)e->c[i], e->t[i]);
	}
	log_debug("event=release_relation_broken op=%s rhs=%lld terms=%s",
		  op == DISCLOSE_EQ   ? "eq"
		  : op == DISCLOSE_LE ? "le"
				      : "ge",
		  (long long)rhs, buf);
}

/* Adds "e OP rhs" to the family and clears e. */
void
release_ex_rel(struct ctx *x, struct ex *e, enum disclose_op op, int64_t rhs)
{
	size_t i, n = 0;
	int r;

	for (i = 0; i < e->n; i++)
		if (e->c[i] != 0) {
			e->t[n] = e->t[i];
			e->c[n++] = e->c[i];
		}
	if (e->over) {
		/* Cannot happen with 25 regions and 5 institutions; were
		 * it to, the audit would know less than a reader. */
		x->err = -E2BIG;
	} else if (n > 0) {
		r = dfam_rel(x->f, e->t, e->c, n, op, rhs);
		if (r == -EINVAL) {
			x->broken++;
			log_rel(x, e, n, op, rhs);
		} else if (r != 0)
			x->err = r;
	}
	e->n = 0;
	e->over = false;
}

/* The term of a cell, or -1 when the table has no such row there (a
 * count of 0). */
int
release_cell(const struct ctx *x, int table, int period, int region,
	     const char *row, const char *col)
{
	struct rcell key;

	memset(&key, 0, sizeof(key));
	key.table = (uint8_t)table;
	key.period = (uint8_t)period;
	key.region = (uint8_t)region;
	snprintf(key.row, sizeof(key.row), "%s", row);
	snprintf(key.col, sizeof(key.col), "%s", col);
	return release_find(x->rel, &key);
}

/* The distinct rows of table (any period, any region), in first-seen
 * order, into rows (room for rel->n); returns how many. */
size_t
release_rows_of(const struct ctx *x, int table, const char **rows)
{
	size_t i, j, n = 0;

	for (i = 0; i < x->rel->n; i++) {
		const struct rcell *c = &x->rel->cells[i];
		if (c->table != table)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(rows[j], c->row) == 0)
				break;
		if (j == n)
			rows[n++] = c->row;
	}
	return n;
}

/* The children of a level: semesters or quarters, or the regions. */
size_t
release_children(int parent_p, bool regions, struct lvl *out)
{
	size_t n = 0;
	int i;

	if (regions) {
		for (i = 1; i <= REGIONS; i++)
			out[n++] = (struct lvl){RP_YEAR, i};
	} else {
		out[n++] = (struct lvl){release_kids[parent_p][0], 0};
		out[n++] = (struct lvl){release_kids[parent_p][1], 0};
	}
	return n;
}

/*
 * A count placed once (at one date, in one region): the year is the sum
 * of its semesters, a semester of its quarters, the country of its
 * regions (when the table is open by region).
 */
static void
additive(struct ctx *x, int table, const char *row, const char *col,
	 bool regional)
{
	struct ex e = {.n = 0};
	struct lvl kid[REGIONS];
	size_t i, n;
	int fam;

	for (fam = 0; fam < 4; fam++) {
		bool regions = fam == 3;
		int pp = regions ? RP_YEAR : fam;
		if (regions && !regional)
			break;
		n = release_children(pp, regions, kid);
		release_ex_add(&e, release_cell(x, table, pp, 0, row, col), 1);
		for (i = 0; i < n; i++)
			release_ex_add(&e,
				       release_cell(x, table, kid[i].p,
						    kid[i].r, row, col),
				       -1);
		release_ex_rel(x, &e, DISCLOSE_EQ, 0);
	}
}

/*
 * A count of distinct people (a victim seen in two quarters or two
 * regions counts once in the year or the country): the whole is at least
 * each part and at most their sum.
 */
static void
distinct(struct ctx *x, int table, const char *row, const char *col,
	 bool regional)
{
	struct ex e = {.n = 0}, sum = {.n = 0};
	struct lvl kid[REGIONS];
	size_t i, n;
	int fam, whole;

	for (fam = 0; fam < 4; fam++) {
		bool regions = fam == 3;
		int pp = regions ? RP_YEAR : fam;
		if (regions && !regional)
			break;
		n = release_children(pp, regions, kid);
		whole = release_cell(x, table, pp, 0, row, col);
		release_ex_add(&sum, whole, 1);
		for (i = 0; i < n; i++) {
			int part = release_cell(x, table, kid[i].p, kid[i].r,
						row, col);
			release_ex_add(&e, whole, 1);
			release_ex_add(&e, part, -1);
			release_ex_rel(x, &e, DISCLOSE_GE, 0);
			release_ex_add(&sum, part, -1);
		}
		release_ex_rel(x, &sum, DISCLOSE_LE, 0);
	}
}

/* ---- the other groups ---------------------------------------------- */

void
release_relate_referrals(struct ctx *x, const char **rows)
{
	static const char *const cols[] = {"sent", "taken_up", "pending"};
	struct ex e = {.n = 0};
	size_t n = release_rows_of(x, RT_REFERRALS, rows), i, c;
	int p, r;

	for (i = 0; i < n; i++) {
		for (c = 0; c < 3; c++)
			additive(x, RT_REFERRALS, rows[i], cols[c], true);
		for (p = 0; p < RP_COUNT; p++)
			for (r = 0; r <= REGIONS; r++) {
				if (r > 0 && p != RP_YEAR)
					continue;
				release_ex_add(&e,
					       release_cell(x, RT_REFERRALS, p,
							    r, rows[i], "sent"),
					       1);
				release_ex_add(&e,
					       release_cell(x, RT_REFERRALS, p,
							    r, rows[i],
							    "taken_up"),
					       -1);
				release_ex_add(&e,
					       release_cell(x, RT_REFERRALS, p,
							    r, rows[i],
							    "pending"),
					       -1);
				release_ex_rel(x, &e, DISCLOSE_EQ, 0);
			}
	}
	/* Take-ups matching no referral record: each placed once. */
	n = release_rows_of(x, RT_REFERRALS_UNMATCHED, rows);
	for (i = 0; i < n; i++)
		additive(x, RT_REFERRALS_UNMATCHED, rows[i],
			 "takeups_unmatched", true);
}

void
release_relate_protection(struct ctx *x, const char **rows)
{
	size_t n = release_rows_of(x, RT_PROTECTION, rows), i;

	for (i = 0; i < n; i++)
		distinct(x, RT_PROTECTION, rows[i], "victims", true);
}

static unsigned stage_emitters(enum stage st);

/* The stages after the complaint (every one: set 0), or those an
 * institution of set may record, as bits 1 << enum stage. */
static unsigned
unnamed_stages(unsigned set)
{
	unsigned m = 0;
	int st;

	for (st = STAGE_COMPLAINT + 1; st <= STAGE_COUNT; st++)
		if (set == 0 || (stage_emitters((enum stage)st) & set) != 0)
			m |= 1u << st;
	return m;
}

/* The institutions with a row among rows[0..n-1] of cases_unmatched at
 * p and r, as bits 1 << enum institution (a row of no institution this
 * build knows sets none). */
static unsigned
unnamed_insts(struct ctx *x, const char **rows, size_t n, int p, int r)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (release_cell(x, RT_CASES_UNMATCHED, p, r, rows[i],
				 "cases") >= 0)
			m |= 1u << institution_from_name(rows[i]);
	return m & ~1u;
}

/* Into e: the prosecution's cases at p and r at the stages after the
 * complaint that an institution of set may record (every one: set 0),
 * less the rows of set (all: set 0) among rows[0..n-1] of
 * cases_unmatched. */
static void
unnamed_bound(struct ctx *x, struct ex *e, const char **rows, size_t n,
	      unsigned set, int p, int r)
{
	unsigned stages = unnamed_stages(set);
	size_t i;
	int st;

	for (i = 0; i < n; i++)
		if (set == 0 || (set & (1u << institution_from_name(rows[i]))))
			release_ex_add(e,
				       release_cell(x, RT_CASES_UNMATCHED, p, r,
						    rows[i], "cases"),
				       -1);
	for (st = STAGE_COMPLAINT + 1; st <= STAGE_COUNT; st++)
		if (stages & (1u << st))
			release_ex_add(e,
				       release_cell(x, RT_PROSECUTION, p, r,
						    stage_name((enum stage)st),
						    "cases"),
				       1);
}

/*
 * Cases no complaint names (cases_unmatched) are placed once, at their
 * earliest event, under its institution. That event is the case's first
 * record of its stage, which the prosecution counts at that stage (not a
 * complaint: a case with one is named) in the same period and region,
 * once for the case; and the institution may record that stage. So all
 * rows together are at most the prosecution's cases at the stages after
 * the complaint; and, for every set S of institutions, S's rows at most
 * the cases at the stages after the complaint some institution of S may
 * record, as the registry grants them (a reader knows it; a stage recorded
 * under other grants may break the relation, which is then left out and
 * logged): a court's row is at most the cases tried, convicted, acquitted
 * or dismissed. Only the sets of the institutions with a row there are
 * written, and of those only the ones whose stages are not every stage
 * after the complaint: the others follow from these and the bound on all
 * rows (a cell is never below 0), and writing the thirty sets everywhere
 * made the audit a third slower (bench_query).
 */
static void
cases_unnamed(struct ctx *x, const char **rows)
{
	struct ex e = {.n = 0};
	size_t n = release_rows_of(x, RT_CASES_UNMATCHED, rows), i;
	unsigned set, have, every = unnamed_stages(0);
	int p, r;

	for (i = 0; i < n; i++)
		additive(x, RT_CASES_UNMATCHED, rows[i], "cases", true);
	for (p = 0; p < RP_COUNT; p++)
		for (r = 0; r <= REGIONS; r++) {
			if (r > 0 && p != RP_YEAR)
				continue;
			unnamed_bound(x, &e, rows, n, 0, p, r);
			release_ex_rel(x, &e, DISCLOSE_GE, 0);
			have = unnamed_insts(x, rows, n, p, r);
			for (set = have; set != 0; set = (set - 1) & have) {
				if ((unnamed_stages(set) & every) == every)
					continue;
				unnamed_bound(x, &e, rows, n, set, p, r);
				release_ex_rel(x, &e, DISCLOSE_GE, 0);
			}
		}
}

/*
 * Case stages and the funnel are counted once per case, at the date and
 * region of one event: they add up. The funnel's complaint row is the
 * prosecution's complaint cases; each stage of the main line is reached
 * by no more cases than the one before; acquittals and dismissals are
 * among the complaints. The funnel is the whole country's only (not
 * given by region: query_tables.c); a region's cells are absent, which
 * release_cell would read as 0.
 */
void
release_relate_cases(struct ctx *x, const char **rows)
{
	struct ex e = {.n = 0};
	size_t n = release_rows_of(x, RT_PROSECUTION, rows), i;
	const char *complaint = stage_name(STAGE_COMPLAINT);
	const int r = 0; /* the funnel: the whole country only */
	int p, st;

	for (i = 0; i < n; i++) {
		additive(x, RT_PROSECUTION, rows[i], "cases", true);
		additive(x, RT_PROSECUTION, rows[i], "persons", true);
	}
	cases_unnamed(x, rows);
	n = release_rows_of(x, RT_FUNNEL, rows);
	for (i = 0; i < n; i++)
		additive(x, RT_FUNNEL, rows[i], "cases", false);
	for (p = 0; p < RP_COUNT; p++) {
		release_ex_add(
		    &e, release_cell(x, RT_FUNNEL, p, r, complaint, "cases"),
		    1);
		release_ex_add(
		    &e,
		    release_cell(x, RT_PROSECUTION, p, r, complaint, "cases"),
		    -1);
		release_ex_rel(x, &e, DISCLOSE_EQ, 0);
		for (st = STAGE_COMPLAINT + 1; st <= STAGE_COUNT; st++) {
			int prev =
			    st <= STAGE_MAIN_LAST ? st - 1 : STAGE_COMPLAINT;
			release_ex_add(
			    &e,
			    release_cell(x, RT_FUNNEL, p, r,
					 stage_name((enum stage)prev), "cases"),
			    1);
			release_ex_add(&e,
				       release_cell(x, RT_FUNNEL, p, r,
						    stage_name((enum stage)st),
						    "cases"),
				       -1);
			release_ex_rel(x, &e, DISCLOSE_GE, 0);
		}
	}
}

/*
 * Timeliness (for the whole country only): records are placed once, and
 * split into those accepted within 30 days and the rest (the share shows
 * both); the "all" row is the sum of the institutions'.
 */
void
release_relate_timeliness(struct ctx *x, const char **rows)
{
	static const char *const cols[] = {"records", "within", "late"};
	struct ex e = {.n = 0};
	size_t n = release_rows_of(x, RT_TIMELINESS, rows), i, c;
	const int r = 0; /* the whole country only (query_tables.c) */
	int p;

	for (i = 0; i < n; i++)
		for (c = 0; c < 3; c++)
			additive(x, RT_TIMELINESS, rows[i], cols[c], false);
	for (p = 0; p < RP_COUNT; p++) {
		for (i = 0; i < n; i++) {
			release_ex_add(&e,
				       release_cell(x, RT_TIMELINESS, p, r,
						    rows[i], "records"),
				       1);
			release_ex_add(&e,
				       release_cell(x, RT_TIMELINESS, p, r,
						    rows[i], "within"),
				       -1);
			release_ex_add(&e,
				       release_cell(x, RT_TIMELINESS, p, r,
						    rows[i], "late"),
				       -1);
			release_ex_rel(x, &e, DISCLOSE_EQ, 0);
		}
		for (c = 0; c < 3; c++) {
			release_ex_add(&e,
				       release_cell(x, RT_TIMELINESS, p, r,
						    "all", cols[c]),
				       1);
			for (i = 0; i < n; i++)
				if (strcmp(rows[i], "all") != 0)
					release_ex_add(
					    &e,
					    release_cell(x, RT_TIMELINESS, p, r,
							 rows[i], cols[c]),
					    -1);
			release_ex_rel(x, &e, DISCLOSE_EQ, 0);
		}
	}
}

/* ---- records: timeliness against the tables of the things recorded ---- */

/* The institution a referrals row "from|to" names at end (0: from, 1:
 * to), or INST_NONE. */
static enum institution
row_inst(const char *row, int end)
{
	const char *bar = strchr(row, '|');
	char name[16];

	if (bar == NULL)
		return INST_NONE;
	if (end == 1)
		return institution_from_name(bar + 1);
	snprintf(name, sizeof(name), "%.*s", (int)(bar - row), row);
	return institution_from_name(name);
}

/* The institutions that may record stage st (release_set_grants), as
 * bits 1 << enum institution. */
static unsigned
stage_emitters(enum stage st)
{
	const struct grants_by_inst *g = release_grants();
	unsigned m = 0;
	int i;

	for (i = 1; i <= INST_COUNT; i++)
		if (g->stages[i] & (1u << st))
			m |= 1u << i;
	return m;
}

static unsigned
service_emitters(void)
{
	const struct grants_by_inst *g = release_grants();
	unsigned m = 0;
	int i;

	for (i = 1; i <= INST_COUNT; i++)
		if (g->kinds[i] & (1u << KIND_SERVICE))
			m |= 1u << i;
	return m;
}

/* The rows of the tables the records relation names, side by side in
 * the room of rows (every cell's). */
struct rec_rows {
	const char **ref, **un, **prot;
	size_t n_ref, n_un, n_prot;
	unsigned serv, st_em[STAGE_COUNT + 1];
};

static void
rec_rows(struct ctx *x, const char **rows, struct rec_rows *rr)
{
	int st;

	rr->ref = rows;
	rr->n_ref = release_rows_of(x, RT_REFERRALS, rr->ref);
	rr->un = rr->ref + rr->n_ref;
	rr->n_un = release_rows_of(x, RT_REFERRALS_UNMATCHED, rr->un);
	rr->prot = rr->un + rr->n_un;
	rr->n_prot = release_rows_of(x, RT_PROTECTION, rr->prot);
	rr->serv = service_emitters();
	for (st = 1; st <= STAGE_COUNT; st++)
		rr->st_em[st] = stage_emitters((enum stage)st);
}

/* The value of the whole country's cell of that key at p, 0 when there
 * is none. */
static int64_t
value_at(const struct ctx *x, int table, int p, const char *row,
	 const char *col)
{
	int i = release_cell(x, table, p, 0, row, col);

	return i < 0 ? 0 : x->rel->cells[i].value;
}

/* Adds coef times the whole country's cell at p to e, or, with e NULL,
 * coef times its value to *k. */
static void
add_at(const struct ctx *x, struct ex *e, int64_t *k, int table, int p,
       const char *row, const char *col, int64_t coef)
{
	if (e == NULL)
		*k += coef * value_at(x, table, p, row, col);
	else
		release_ex_add(e, release_cell(x, table, p, 0, row, col), coef);
}

/* The records of set (bits 1 << enum institution) at p less what they
 * record (see release_relate_records), and, with taken, less the
 * referrals taken up by set; as terms in e, or, with e NULL, its value
 * added to *k. */
static void
records_less(const struct ctx *x, const struct rec_rows *rr, unsigned set,
	     int p, bool taken, struct ex *e, int64_t *k)
{
	/* as the other relations name it (a key holds 15 characters) */
	static const char *volatile unmatched_col = "takeups_unmatched";
	size_t i;
	int j, st;

	for (j = 1; j <= INST_COUNT; j++) {
		const char *name = institution_name((enum institution)j);
		if (!(set & (1u << j)))
			continue;
		add_at(x, e, k, RT_TIMELINESS, p, name, "records", 1);
		add_at(x, e, k, RT_IDENTIFICATION, p, name, "victims", -1);
	}
	for (i = 0; i < rr->n_ref; i++) {
		if (set & (1u << row_inst(rr->ref[i], 0)))
			add_at(x, e, k, RT_REFERRALS, p, rr->ref[i], "sent",
			       -1);
		if (taken && (set & (1u << row_inst(rr->ref[i], 1))))
			add_at(x, e, k, RT_REFERRALS, p, rr->ref[i], "taken_up",
			       -1);
	}
	for (i = 0; i < rr->n_un; i++)
		if (set & (1u << row_inst(rr->un[i], 1)))
			add_at(x, e, k, RT_REFERRALS_UNMATCHED, p, rr->un[i],
			       unmatched_col, -1);
	for (st = 1; st <= STAGE_COUNT; st++)
		if (rr->st_em[st] != 0 && (rr->st_em[st] & ~set) == 0)
			add_at(x, e, k, RT_PROSECUTION, p,
			       stage_name((enum stage)st), "cases", -1);
	for (i = 0; rr->serv != 0 && (rr->serv & ~set) == 0 && i < rr->n_prot;
	     i++)
		add_at(x, e, k, RT_PROTECTION, p, rr->prot[i], "victims", -1);
}

/*
 * Records against what they record: every victim an institution
 * identified in a period, every referral it sent (and every take-up of
 * its matching no referral), every case at a stage and every victim
 * with a service begun is at least one live record dated in that period
 * and placed in that region, each its own. So, for every set S of
 * institutions, the timeliness records of S are at least the victims S
 * identified, the referrals S sent, the unmatched take-ups by S, the
 * cases at each stage only S may record and the protection counts when
 * only S may record services (as the registry grants them: a reader
 * knows it; records made under other grants may break a relation, which
 * is then left out and logged). This ties every table group of a year into
 * one component. Timeliness is not given by region to the secretariat:
 * a region's few records would bound the sum of all its small counts,
 * which no hiding protects (docs/DISCLOSURE.md).
 */
void
release_relate_records(struct ctx *x, const char **rows)
{
	struct rec_rows rr;
	struct ex e = {.n = 0};
	unsigned set;
	int64_t k = 0;
	int p;

	rec_rows(x, rows, &rr);
	for (p = 0; p < RP_COUNT; p++)
		for (set = 2; set < 2u << INST_COUNT; set += 2) {
			records_less(x, &rr, set, p, false, &e, &k);
			release_ex_rel(x, &e, DISCLOSE_GE, 0);
		}
}

/*
 * The relations across years. The whole country's yearly counts tie the
 * year to the others:
 * - the funnel counts the cases whose complaint is dated in the year by
 *   the stages they have reached by now, which each did with an event of
 *   that stage or a later one of the main line (of that stage itself
 *   for acquittal and dismissal), dated in some year: over all years,
 *   the funnels' cases at a stage are at most the prosecution's cases at
 *   that stage and those after it;
 * - the events accepted from an institution, of all time (sources), are
 *   at least its records of every year;
 * - a referral taken up is a take-up record of its destination, dated
 *   in some year: over all years, the records of a set S of institutions
 *   are at least what the records relation of each year counts plus the
 *   referrals S took up.
 * By region nothing: the secretariat gets no funnel by region, which
 * a region's own prosecution over the years would bound wherever its
 * cases stay in it (docs/DISCLOSURE.md, "By region across years").
 * The reader is taken to know every other year's counts exactly (and
 * the sources table whole): each year's audit then protects its hidden
 * counts whatever the other years' releases hide, since the other years'
 * true counts are one way to fill those in. Each relation is then one
 * of the year's counts against its true value and the slack the
 * relation has over all years (release_slacks, as cells of RT_SOURCES
 * at RP_OTHER, column "slack"): at most SLACK_MAX of it,
 * which asks more of the year than the reader knows (a larger slack
 * only loosens the relation) and keeps the release as it is while the
 * other years change and the slack stays above that.
 */
#define SLACK_MAX 100

/* Appends the slack v of relation what (funnel, sources or records) of
 * row, as the cell (RT_SOURCES, RP_OTHER, "what|row", "slack"). */
static void
add_slack(struct rcells *out, const char *what, const char *row, int64_t v,
	  int *err)
{
	struct rcell *c;

	if (*err != 0)
		return;
	if ((c = rcells_add(out)) == NULL) {
		*err = -ENOMEM;
		return;
	}
	c->table = RT_SOURCES;
	c->period = RP_OTHER;
	snprintf(c->row, sizeof(c->row), "%s|%s", what, row);
	snprintf(c->col, sizeof(c->col), "slack");
	/* -1: the data break the relation (a slack below 0 says no more) */
	c->value = v < 0 ? -1 : v < SLACK_MAX ? v : SLACK_MAX;
}

int
release_slacks(const struct release *rel, struct rcells *out)
{
	struct ctx *x = calloc(1, sizeof(*x));
	const char **rows = malloc((rel->n + 1) * sizeof(*rows));
	static const int at[2] = {RP_YEAR, RP_OTHER};
	struct rec_rows rr;
	unsigned set;
	int64_t v;
	int j, st, s, p, err = 0;
	char name[16];

	if (x == NULL || rows == NULL) {
		err = -ENOMEM;
		goto out;
	}
	x->rel = rel;
	for (st = 1; st <= STAGE_COUNT; st++) {
		int last = st <= STAGE_MAIN_LAST ? STAGE_MAIN_LAST : st;
		const char *n = stage_name((enum stage)st);
		v = 0;
		for (p = 0; p < 2; p++) { /* the year, the others */
			for (s = st; s <= last; s++)
				v += value_at(x, RT_PROSECUTION, at[p],
					      stage_name((enum stage)s),
					      "cases");
			v -= value_at(x, RT_FUNNEL, at[p], n, "cases");
		}
		add_slack(out, "funnel", n, v, &err);
	}
	for (j = 1; j <= INST_COUNT; j++) {
		const char *n = institution_name((enum institution)j);
		if (release_cell(x, RT_SOURCES, RP_OTHER, 0, n, "events") < 0)
			continue;
		v = value_at(x, RT_SOURCES, RP_OTHER, n, "events") -
		    value_at(x, RT_TIMELINESS, RP_YEAR, n, "records") -
		    value_at(x, RT_TIMELINESS, RP_OTHER, n, "records");
		add_slack(out, "sources", n, v, &err);
	}
	rec_rows(x, rows, &rr);
	for (set = 2; set < 2u << INST_COUNT; set += 2) {
		v = 0;
		records_less(x, &rr, set, RP_YEAR, true, NULL, &v);
		records_less(x, &rr, set, RP_OTHER, true, NULL, &v);
		snprintf(name, sizeof(name), "%u", set);
		add_slack(out, "records", name, v, &err);
	}
out:
	free(x);
	free(rows);
	return err;
}

/* e OP its true value plus (LE) or less (GE) the slack of relation
 * what of row (add_slack); none without one. */
static void
rel_slack(struct ctx *x, struct ex *e, enum disclose_op op, const char *what,
	  const char *row)
{
	char key[sizeof(x->rel->cells->row)];
	int64_t v = 0;
	size_t j;
	int i;

	snprintf(key, sizeof(key), "%s|%s", what, row);
	i = release_cell(x, RT_SOURCES, RP_OTHER, 0, key, "slack");
	if (i < 0 || x->rel->cells[i].value < 0) {
		x->broken += i >= 0; /* left out, as release_ex_rel would */
		e->n = 0;
		e->over = false;
		return;
	}
	for (j = 0; j < e->n; j++)
		v += e->c[j] * x->rel->cells[e->t[j]].value;
	release_ex_rel(x, e, op,
		       op == DISCLOSE_LE ? v + x->rel->cells[i].value
					 : v - x->rel->cells[i].value);
}

void
release_relate_years(struct ctx *x, const char **rows)
{
	struct rec_rows rr;
	struct ex e = {.n = 0};
	unsigned set;
	int j, st, s;
	char name[16];

	for (st = 1; st <= STAGE_COUNT; st++) {
		int last = st <= STAGE_MAIN_LAST ? STAGE_MAIN_LAST : st;
		const char *n = stage_name((enum stage)st);
		release_ex_add(
		    &e, release_cell(x, RT_FUNNEL, RP_YEAR, 0, n, "cases"), 1);
		for (s = st; s <= last; s++)
			release_ex_add(
			    &e,
			    release_cell(x, RT_PROSECUTION, RP_YEAR, 0,
					 stage_name((enum stage)s), "cases"),
			    -1);
		rel_slack(x, &e, DISCLOSE_LE, "funnel", n);
	}
	for (j = 1; j <= INST_COUNT; j++) {
		const char *n = institution_name((enum institution)j);
		release_ex_add(
		    &e,
		    release_cell(x, RT_TIMELINESS, RP_YEAR, 0, n, "records"),
		    1);
		rel_slack(x, &e, DISCLOSE_LE, "sources", n);
	}
	rec_rows(x, rows, &rr);
	for (set = 2; set < 2u << INST_COUNT; set += 2) {
		int64_t k = 0;
		records_less(x, &rr, set, RP_YEAR, true, &e, &k);
		snprintf(name, sizeof(name), "%u", set);
		rel_slack(x, &e, DISCLOSE_GE, "records", name);
	}
}
