/*
 * release_relate.c - how relations are written (expressions over a
 * family's terms, the cells they name, counts that add up or count
 * distinct people across periods and regions), and the relations of
 * every table group but the victims'; see release_int.h.
 */
#include "release_int.h"

#include <errno.h>
#include <stdio.h>
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
		const struct rcell *c = (size_t)e->t[i] < x->rel->n
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

/*
 * Case stages and the funnel are counted once per case, at the date and
 * region of one event: they add up. The funnel's complaint row is the
 * prosecution's complaint cases; each stage of the main line is reached
 * by no more cases than the one before; acquittals and dismissals are
 * among the complaints.
 */
void
release_relate_cases(struct ctx *x, const char **rows)
{
	struct ex e = {.n = 0};
	size_t n = release_rows_of(x, RT_PROSECUTION, rows), i;
	const char *complaint = stage_name(STAGE_COMPLAINT);
	int p, r, st;

	for (i = 0; i < n; i++) {
		additive(x, RT_PROSECUTION, rows[i], "cases", true);
		additive(x, RT_PROSECUTION, rows[i], "persons", true);
	}
	n = release_rows_of(x, RT_FUNNEL, rows);
	for (i = 0; i < n; i++)
		additive(x, RT_FUNNEL, rows[i], "cases", true);
	for (p = 0; p < RP_COUNT; p++)
		for (r = 0; r <= REGIONS; r++) {
			if (r > 0 && p != RP_YEAR)
				continue;
			release_ex_add(&e,
				       release_cell(x, RT_FUNNEL, p, r,
						    complaint, "cases"),
				       1);
			release_ex_add(&e,
				       release_cell(x, RT_PROSECUTION, p, r,
						    complaint, "cases"),
				       -1);
			release_ex_rel(x, &e, DISCLOSE_EQ, 0);
			for (st = STAGE_COMPLAINT + 1; st <= STAGE_COUNT;
			     st++) {
				int prev = st <= STAGE_MAIN_LAST
					       ? st - 1
					       : STAGE_COMPLAINT;
				release_ex_add(
				    &e,
				    release_cell(x, RT_FUNNEL, p, r,
						 stage_name((enum stage)prev),
						 "cases"),
				    1);
				release_ex_add(
				    &e,
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
	/* as the other relations name it (a key holds 15 characters) */
	static const char *volatile unmatched_col = "takeups_unmatched";
	const char *name[INST_COUNT + 1];
	unsigned serv = service_emitters(), set, st_em[STAGE_COUNT + 1];
	size_t n_ref, n_un, n_prot, i;
	struct ex e = {.n = 0};
	const char **ref = rows, **un, **prot;
	const int r = 0; /* timeliness is given for the country only */
	int p, j, st;

	/* Three lists of rows side by side in rows (room for every cell). */
	n_ref = release_rows_of(x, RT_REFERRALS, ref);
	un = ref + n_ref;
	n_un = release_rows_of(x, RT_REFERRALS_UNMATCHED, un);
	prot = un + n_un;
	n_prot = release_rows_of(x, RT_PROTECTION, prot);
	for (j = 1; j <= INST_COUNT; j++)
		name[j] = institution_name((enum institution)j);
	for (st = 1; st <= STAGE_COUNT; st++)
		st_em[st] = stage_emitters((enum stage)st);
	for (p = 0; p < RP_COUNT; p++) {
		for (set = 2; set < 2u << INST_COUNT; set += 2) {
			for (j = 1; j <= INST_COUNT; j++) {
				if (!(set & (1u << j)))
					continue;
				release_ex_add(&e,
					       release_cell(x, RT_TIMELINESS, p,
							    r, name[j],
							    "records"),
					       1);
				release_ex_add(
				    &e,
				    release_cell(x, RT_IDENTIFICATION, p, r,
						 name[j], "victims"),
				    -1);
			}
			for (i = 0; i < n_ref; i++)
				if (set & (1u << row_inst(ref[i], 0)))
					release_ex_add(
					    &e,
					    release_cell(x, RT_REFERRALS, p, r,
							 ref[i], "sent"),
					    -1);
			for (i = 0; i < n_un; i++)
				if (set & (1u << row_inst(un[i], 1)))
					release_ex_add(
					    &e,
					    release_cell(
						x, RT_REFERRALS_UNMATCHED, p, r,
						un[i], unmatched_col),
					    -1);
			for (st = 1; st <= STAGE_COUNT; st++)
				if (st_em[st] != 0 && (st_em[st] & ~set) == 0)
					release_ex_add(
					    &e,
					    release_cell(
						x, RT_PROSECUTION, p, r,
						stage_name((enum stage)st),
						"cases"),
					    -1);
			for (i = 0;
			     serv != 0 && (serv & ~set) == 0 && i < n_prot; i++)
				release_ex_add(&e,
					       release_cell(x, RT_PROTECTION, p,
							    r, prot[i],
							    "victims"),
					       -1);
			release_ex_rel(x, &e, DISCLOSE_GE, 0);
		}
	}
}
