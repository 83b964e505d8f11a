/* query_tables.c - the tables built from the counters; see query_int.h. */
#include "query_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "release.h"
#include "stats.h"

/* ---- the tables ------------------------------------------------------- */

/*
 * Whether a count v of events of kind (and, for a case stage, of stage
 * st) applies to the view b is built for: always to the national view;
 * to an institution's own view when the registry lets it record such
 * events (release_may_record), or when it holds some anyway (recorded
 * under other grants). A count that does not apply is left empty, as is
 * every figure taken from it: pnp records no trial, and a 0 there would
 * read as every case dropped before trial.
 */
static bool
applies(const struct qb *b, enum kind kind, enum stage st, int64_t v)
{
	return b->scope == 0 || v != 0 ||
	       release_may_record((enum institution)b->scope, kind, st);
}

static void
t_identification(struct qb *b)
{
	static const char *const cols[] = {"period", "institution", "victims",
					   NULL};
	int i, row;
	uint8_t d;

	qb_columns(b, cols);
	for (i = 1; i <= INST_COUNT; i++) {
		if (b->scope != 0 && b->scope != i)
			continue;
		int64_t v;
		d = (uint8_t)i;
		v = qb_national(b, C_ID_INST, &d, 1);
		row = qb_add_row(b);
		qb_set_text(b, row, 1, institution_name((enum institution)i));
		if (applies(b, KIND_IDENTIFICATION, STAGE_NONE, v))
			qb_set_count(b, row, 2, v);
	}
	if (b->scope != 0)
		return;
	row = qb_add_row(b);
	qb_set_text(b, row, 1, "all");
	qb_set_count(b, row, 2, qb_counter(b, C_ID_TOTAL, NULL, 0));
}

static int
popcount8(unsigned v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Sets in output order: by size, then by their institutions in order. */
static int
set_cmp(unsigned a, unsigned b)
{
	int i;

	if (popcount8(a) != popcount8(b))
		return popcount8(a) - popcount8(b);
	for (i = 1; i <= INST_COUNT; i++) {
		unsigned x = a & (1u << i), y = b & (1u << i);
		if (x != y)
			return x ? -1 : 1;
	}
	return 0;
}

static void
t_overlap(struct qb *b)
{
	static const char *const cols[] = {"period", "institutions", "victims",
					   NULL};
	unsigned present = 0, sets[32], s;
	size_t i, j, n = 0;
	int row;

	qb_columns(b, cols);
	/* The institutions that identified anyone in the period, linkable
	 * or not (an unlinkable victim's overlap row is "unlinkable"). */
	for (i = 1; i <= INST_COUNT; i++) {
		uint8_t d = (uint8_t)i;
		if (qb_counter(b, C_ID_INST, &d, 1) > 0)
			present |= 1u << i;
	}
	/* Every combination of the institutions that identified anyone. */
	for (s = 2; s < 64; s += 2)
		if ((s & present) == s)
			sets[n++] = s;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && set_cmp(sets[j], sets[j - 1]) < 0; j--) {
			unsigned tmp = sets[j];
			sets[j] = sets[j - 1];
			sets[j - 1] = tmp;
		}
	for (i = 0; i <= n; i++) {
		char name[64] = "";
		uint8_t d = i < n ? (uint8_t)sets[i] : 0;
		row = qb_add_row(b);
		if (i == n) {
			snprintf(name, sizeof(name), "unlinkable");
		} else {
			int k;
			for (k = 1; k <= INST_COUNT; k++) {
				if (!(sets[i] & (1u << k)))
					continue;
				if (name[0] != '\0')
					strcat(name, "+");
				strcat(name,
				       institution_name((enum institution)k));
			}
		}
		qb_set_text(b, row, 1, name);
		qb_set_count(b, row, 2, qb_counter(b, C_OVERLAP, &d, 1));
	}
}

/* Breakdown values, sorted for output: names alphabetically, except age
 * groups (in age order) and regions (by code). */
struct bval {
	char name[24];
	int64_t v;
	int order;
};

static int
bval_cmp(const void *x, const void *y)
{
	const struct bval *a = x, *c = y;

	if (a->order != c->order)
		return a->order - c->order;
	return strcmp(a->name, c->name);
}

static void
breakdown_dim(struct qb *b, uint8_t dim, const char *dim_name)
{
	struct found *f = malloc(sizeof(*f));
	struct bval vals[256];
	size_t i, n = 0;

	if (f == NULL)
		return;
	if (dim == DIM_REGION && b->region != 0) {
		/* Within one region its row is everyone: the sum by sex. */
		uint8_t sex = DIM_SEX;
		int64_t total = 0;
		qb_find_all(b, C_BREAKDOWN, &sex, 1, f);
		for (i = 0; i < f->n; i++)
			total += f->v[i];
		f->n = 0;
		if (total > 0) {
			f->dims[0][0] = 0;
			f->dims[0][1] = b->region;
			f->v[0] = total;
			f->n = 1;
		}
	} else {
		qb_find_all(b, C_BREAKDOWN, &dim, 1, f);
	}
	for (i = 0; i < f->n; i++) {
		const uint8_t *d = f->dims[i];
		const char *name = NULL;
		struct bval *v = &vals[n];
		memset(v, 0, sizeof(*v));
		switch (dim) {
		case DIM_SEX:
			name = sex_name((enum sex)d[1]);
			break;
		case DIM_AGE_GROUP:
			name = age_group_name((enum age_group)d[1]);
			v->order = d[1];
			break;
		case DIM_NATIONALITY:
			snprintf(v->name, sizeof(v->name), "%c%c", d[0], d[1]);
			break;
		case DIM_REGION:
			snprintf(v->name, sizeof(v->name), "%02u", d[1]);
			break;
		default:
			name = exploitation_name((enum exploitation)d[1]);
		}
		if (name != NULL)
			snprintf(v->name, sizeof(v->name), "%s", name);
		if (v->name[0] == '\0')
			continue;
		v->v = f->v[i];
		n++;
	}
	free(f);
	qsort(vals, n, sizeof(vals[0]), bval_cmp);
	for (i = 0; i < n; i++) {
		int row = qb_add_row(b);
		qb_set_text(b, row, 1, dim_name);
		qb_set_text(b, row, 2, vals[i].name);
		qb_set_count(b, row, 3, vals[i].v);
	}
}

static void
t_breakdown(struct qb *b)
{
	static const char *const cols[] = {"period", "dimension", "value",
					   "victims", NULL};

	qb_columns(b, cols);
	breakdown_dim(b, DIM_SEX, "sex");
	breakdown_dim(b, DIM_AGE_GROUP, "age_group");
	breakdown_dim(b, DIM_NATIONALITY, "nationality");
	breakdown_dim(b, DIM_REGION, "region");
	breakdown_dim(b, DIM_EXPLOITATION, "exploitation");
}

static void
t_referrals(struct qb *b)
{
	static const char *const cols[] = {"period",	  "from",     "to",
					   "sent",	  "taken_up", "pending",
					   "median_days", NULL};
	struct found *f = malloc(sizeof(*f));
	size_t i;

	uint8_t scope = b->scope;

	qb_columns(b, cols);
	if (f == NULL)
		return;
	/* Referral counters are national; an institution gets the rows it
	 * sent or received. */
	b->scope = 0;
	qb_find_all(b, C_REF_SENT, NULL, 0, f);
	/* Keys sort by (from, to): already institution order. */
	for (i = 0; i < f->n; i++) {
		uint8_t d[2] = {f->dims[i][0], f->dims[i][1]};
		int64_t sent = f->v[i], taken;
		int row, ct;
		if (scope != 0 && scope != d[0] && scope != d[1])
			continue;
		taken = qb_counter(b, C_REF_TAKEN, d, 2);
		row = qb_add_row(b);
		qb_set_text(b, row, 1,
			    institution_name((enum institution)d[0]));
		qb_set_text(b, row, 2,
			    institution_name((enum institution)d[1]));
		qb_set_count(b, row, 3, sent);
		ct = qb_set_count(b, row, 4, taken);
		qb_set_count(b, row, 5, sent - taken);
		qb_set_median(b, row, 6, C_REF_DAYS, d, 2, ct);
	}
	b->scope = scope;
	free(f);
}

/*
 * Take-ups (by the destination) of referrals the sender has no record of,
 * per (from, to), dated and placed by the earliest take-up: why a row of
 * referrals may show a low uptake. The same rows are open to an
 * institution as in referrals.
 */
static void
t_referrals_unmatched(struct qb *b)
{
	static const char *const cols[] = {"period", "from", "to",
					   "takeups_unmatched", NULL};
	struct found *f = malloc(sizeof(*f));
	uint8_t scope = b->scope;
	size_t i;

	qb_columns(b, cols);
	if (f == NULL)
		return;
	b->scope = 0;
	qb_find_all(b, C_REF_UNMATCHED, NULL, 0, f);
	for (i = 0; i < f->n; i++) {
		uint8_t from = f->dims[i][0], to = f->dims[i][1];
		int row;
		if (scope != 0 && scope != from && scope != to)
			continue;
		row = qb_add_row(b);
		qb_set_text(b, row, 1,
			    institution_name((enum institution)from));
		qb_set_text(b, row, 2, institution_name((enum institution)to));
		qb_set_count(b, row, 3, f->v[i]);
	}
	b->scope = scope;
	free(f);
}

/*
 * Cases no complaint names, per institution of the case's earliest event,
 * dated and placed by it: the cases the funnel cannot follow (a court
 * stage whose case number the prosecutor wrote otherwise). An institution
 * sees its own row.
 */
static void
t_cases_unmatched(struct qb *b)
{
	static const char *const cols[] = {"period", "institution", "cases",
					   NULL};
	struct found *f = malloc(sizeof(*f));
	uint8_t scope = b->scope;
	size_t i;

	qb_columns(b, cols);
	if (f == NULL)
		return;
	b->scope = 0;
	qb_find_all(b, C_CASE_UNMATCHED, NULL, 0, f);
	for (i = 0; i < f->n; i++) {
		uint8_t inst = f->dims[i][0];
		int row;
		if (scope != 0 && scope != inst)
			continue;
		row = qb_add_row(b);
		qb_set_text(b, row, 1,
			    institution_name((enum institution)inst));
		qb_set_count(b, row, 2, f->v[i]);
	}
	b->scope = scope;
	free(f);
}

static void
t_protection(struct qb *b)
{
	static const char *const cols[] = {"period", "service", "victims",
					   "median_days", NULL};
	static const uint8_t order[] = {
	    SERVICE_LEGAL_AID,	      SERVICE_MEDICAL,
	    SERVICE_MENTAL_HEALTH,    SERVICE_REINTEGRATION,
	    SERVICE_RESIDENTIAL_CARE, SERVICE_SPECIAL_PROTECTION};
	size_t i;

	qb_columns(b, cols);
	for (i = 0; i < sizeof(order); i++) {
		int row = qb_add_row(b), c;
		int64_t v = qb_counter(b, C_PROT, &order[i], 1);
		qb_set_text(b, row, 1, service_name((enum service)order[i]));
		if (!applies(b, KIND_SERVICE, STAGE_NONE, v))
			continue;
		c = qb_set_count(b, row, 2, v);
		qb_set_median(b, row, 3, C_PROT_DAYS, &order[i], 1, c);
	}
}

static void
t_prosecution(struct qb *b)
{
	static const char *const cols[] = {"period", "stage", "cases",
					   "persons", NULL};
	uint8_t st;

	qb_columns(b, cols);
	for (st = 1; st <= STAGE_COUNT; st++) {
		int row = qb_add_row(b);
		int64_t v = qb_counter(b, C_PROS_CASES, &st, 1);
		qb_set_text(b, row, 1, stage_name((enum stage)st));
		if (!applies(b, KIND_CASE_STAGE, (enum stage)st, v))
			continue;
		qb_set_count(b, row, 2, v);
		qb_set_count(b, row, 3, qb_counter(b, C_PROS_PERSONS, &st, 1));
	}
}

/*
 * An institution's funnel starts from its own complaints and counts the
 * stages it records: one that records none has no funnel (every row
 * empty), and a stage it may not record, nor the attrition into it or
 * out of it, has no value (applies).
 */
static void
t_funnel(struct qb *b)
{
	static const char *const cols[] = {"period", "stage", "cases",
					   "attrition", NULL};
	int64_t prev = 0;
	int prev_cell = -1;
	bool from = false, prev_ok = false;
	uint8_t st;

	qb_columns(b, cols);
	for (st = 1; st <= STAGE_COUNT; st++) {
		int row = qb_add_row(b);
		int64_t v = qb_counter(b, C_FUNNEL, &st, 1);
		bool ok = applies(b, KIND_CASE_STAGE, (enum stage)st, v);
		int c;
		qb_set_text(b, row, 1, stage_name((enum stage)st));
		if (st == STAGE_COMPLAINT)
			from = ok;
		ok = ok && from;
		if (!ok) {
			prev_ok = false;
			continue;
		}
		c = qb_set_count(b, row, 2, v);
		if (st > STAGE_COMPLAINT && st <= STAGE_MAIN_LAST && prev_ok &&
		    prev > 0) {
			struct cell *a = qb_cell_at(b, row, 3);
			struct qcell *q = qb_qcell_at(b, row, 3);
			a->kind = CELL_DECIMAL;
			snprintf(a->text, sizeof(a->text), "%.3f",
				 (double)(prev - v) / (double)prev);
			q->dep[0] = prev_cell;
			q->dep[1] = c;
		}
		prev = v;
		prev_cell = c;
		prev_ok = true;
	}
}

static void
t_durations(struct qb *b)
{
	static const char *const cols[] = {"period", "from_stage", "to_stage",
					   "median_days", NULL};
	uint8_t st;

	qb_columns(b, cols);
	for (st = STAGE_COMPLAINT; st < STAGE_MAIN_LAST; st++) {
		int row = qb_add_row(b);
		qb_set_text(b, row, 1, stage_name((enum stage)st));
		qb_set_text(b, row, 2, stage_name((enum stage)(st + 1)));
		qb_set_median(b, row, 3, C_DUR_DAYS, &st, 1, -1);
	}
}

/* What the answers are computed from: the events the consolidator has
 * accepted from each institution, all periods (the period is ignored). */
static void
t_sources(struct qb *b)
{
	static const char *const cols[] = {"institution", "events", NULL};
	struct inst_status s;
	int i, row;

	qb_columns(b, cols);
	for (i = 1; i <= INST_COUNT; i++) {
		if (b->scope != 0 && b->scope != i)
			continue;
		(void)ingest_inst_status(b->t, i, &s);
		row = qb_add_row(b);
		qb_set_text(b, row, 0, institution_name((enum institution)i));
		qb_set_count(b, row, 1, (int64_t)s.accepted);
	}
}

/*
 * How fresh each institution's records are: records dated in the period,
 * the median days from their date to the day the consolidator first
 * accepted them, and the share accepted within 30 days. The counters are
 * national; an institution gets its own row. The counts the share gives
 * away (within 30 days, later) are count cells past the last column.
 */
static void
t_timeliness(struct qb *b)
{
	static const char *const cols[] = {
	    "period",	   "institution",	 "records",
	    "median_days", "within_30_days_pct", NULL};
	static const uint8_t insts[INST_COUNT] = {INST_PNP, INST_MP, INST_PJ,
						  INST_MIMP, INST_MINSA};
	uint8_t scope = b->scope;
	int64_t all_n = 0, all_within = 0;
	int i;

	qb_columns(b, cols);
	snprintf(b->out->cols[5], sizeof(b->out->cols[5]), "within");
	snprintf(b->out->cols[6], sizeof(b->out->cols[6]), "late");
	/* Counters are national: read them so whatever the role. */
	b->scope = 0;
	for (i = 1; i <= INST_COUNT + 1; i++) {
		uint8_t d = (uint8_t)(i <= INST_COUNT ? i : 0);
		int64_t n, within;
		int row, c, w;
		if (scope != 0 && d != scope)
			continue;
		/* The last row, all, sums the institutions' rows. */
		n = d != 0 ? qb_counter(b, C_TIME_RECORDS, &d, 1) : all_n;
		within =
		    d != 0 ? qb_counter(b, C_TIME_WITHIN, &d, 1) : all_within;
		all_n += n;
		all_within += within;
		row = qb_add_row(b);
		qb_set_text(b, row, 1,
			    d != 0 ? institution_name((enum institution)d)
				   : "all");
		c = qb_set_count(b, row, 2, n);
		w = qb_set_count(b, row, 5, within);
		(void)qb_set_count(b, row, 6, n - within);
		if (!b->counts_only)
			qb_set_median_of(
			    b, row, 3,
			    d != 0 ? qb_median(b, C_TIME_DAYS, &d, 1)
				   : qb_median_merged(b, C_TIME_DAYS, insts,
						      INST_COUNT),
			    c);
		if (n > 0) {
			struct cell *p = qb_cell_at(b, row, 4);
			struct qcell *q = qb_qcell_at(b, row, 4);
			p->kind = CELL_DECIMAL;
			snprintf(p->text, sizeof(p->text), "%.1f",
				 100.0 * (double)within / (double)n);
			q->dep[0] = c;
			q->dep[1] = w;
		}
	}
	b->scope = scope;
}

/* ---- destinations with no take-up on record ---------------------------- */

/* What no_takeups_seen gathers: the (from, to) pairs open to scope that
 * hold a take-up, as bits 1 << to. */
struct takeups_seen {
	uint8_t scope;
	uint32_t to;
};

static int
takeups_seen(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct takeups_seen *s = arg;
	const uint8_t *key = k;
	uint8_t from, to;

	/* table, scope 0, period (4), region, from, to: the nation's. */
	if (klen != COUNTER_PREFIX_LEN + 2 || key[6] != 0 || vlen != 8 ||
	    (int64_t)store_get64(v) <= 0)
		return 0;
	from = key[COUNTER_PREFIX_LEN];
	to = key[COUNTER_PREFIX_LEN + 1];
	if (to >= 1 && to <= INST_COUNT &&
	    (s->scope == 0 || s->scope == from || s->scope == to))
		s->to |= 1u << to;
	return 0;
}

int
query_no_takeups(struct store_txn *t, uint8_t scope, uint32_t *ret)
{
	/* Matched take-ups count under their referral's quarter, unmatched
	 * ones under their own: every live take-up is in one or the other,
	 * at some date. */
	static const uint8_t tables[] = {C_REF_TAKEN, C_REF_UNMATCHED};
	struct takeups_seen s = {.scope = scope, .to = 0};
	uint8_t prefix[2];
	size_t i;
	int r;

	for (i = 0; i < sizeof(tables); i++) {
		prefix[0] = tables[i];
		prefix[1] = 0; /* referral counters are national */
		r = store_each(t, T_COUNTERS, prefix, sizeof(prefix),
			       takeups_seen, &s);
		if (r != 0)
			return r;
	}
	*ret = ((1u << (INST_COUNT + 1)) - 2) & ~s.to;
	return 0;
}

/* ---- the tables and who may see what -------------------------------- */
const struct table_def query_defs[] = {
    {t_identification, RT_IDENTIFICATION, RG_YEAR, true},
    {t_overlap, RT_OVERLAP, RG_YEAR, false},
    {t_breakdown, RT_BREAKDOWN, RG_YEAR, false},
    {t_referrals, RT_REFERRALS, RG_YEAR, true},
    {t_referrals_unmatched, RT_REFERRALS_UNMATCHED, RG_YEAR, true},
    {t_protection, RT_PROTECTION, RG_YEAR, true},
    {t_prosecution, RT_PROSECUTION, RG_YEAR, true},
    {t_cases_unmatched, RT_CASES_UNMATCHED, RG_YEAR, true},
    /* Not by region to the secretariat: where a region's cases stay in
     * it, its prosecution table over the years bounds its funnels and
     * pins a hidden count (docs/DISCLOSURE.md, "By region across
     * years"). */
    {t_funnel, RT_FUNNEL, RG_YEAR, false},
    {t_durations, -1, -1, true},
    /* Not by region to the secretariat: a region's records bound the
     * sum of everything recorded there (release_relate_records), and a
     * region with few records gives its small counts away. */
    {t_timeliness, RT_TIMELINESS, RG_YEAR, false},
    /* Events accepted per institution, of all time: at least the
     * records of every year, which each year's release takes as known
     * (release_relate_years); primary suppression alone for its own. */
    {t_sources, -1, -1, true},
    /* Answered by indicators.c from what query_run answers the same
     * role for the tables it refers to: hidden cells stay hidden. */
    {NULL, -1, -1, true},
    {NULL, -1, -1, true},
    /* Model output, answered by estimate_table.h and sdg_table.h from
     * the secretariat's own view of the tables they are made from. */
    {NULL, -1, -1, true},
    {NULL, -1, -1, true},
    /* When each institution last delivered: deliveries.h. */
    {NULL, -1, -1, true},
};
_Static_assert(sizeof(query_defs) / sizeof(query_defs[0]) ==
		   sizeof(query_tables) / sizeof(query_tables[0]) - 1,
	       "a table_def for every table");
