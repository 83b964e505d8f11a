/* query.c - a query's request and the secretariat's view; see query.h. */
#include "query.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliveries.h"
#include "estimate_table.h"
#include "indicators.h"
#include "ingest.h"
#include "period.h"
#include "query_int.h"
#include "release.h"
#include "sdg_table.h"
#include "stats.h"

/* In the order of query_run's builders; the tables answered apart
 * (indicators.h, estimate_table.h, sdg_table.h) stay last. */
const char *const query_tables[] = {
    "identification",
    "overlap",
    "breakdown",
    "referrals",
    "referrals_unmatched",
    "protection",
    "prosecution",
    "cases_unmatched",
    "funnel",
    "durations",
    "timeliness",
    "sources",
    "indicators",
    "indicator_definitions",
    "estimate",
    "sdg16_2_2",
    "deliveries",
    NULL,
};
_Static_assert(sizeof(query_tables) / sizeof(query_tables[0]) ==
		   QUERY_TABLES + 1,
	       "QUERY_TABLES counts query_tables");

/* The indicators in force (query_set_indicators). */
static const struct indset *indicators_in_force;

const struct indset *
query_set_indicators(const struct indset *set)
{
	const struct indset *was = indicators_in_force;

	indicators_in_force = set;
	return was;
}

/* Period index within its year (release.h): Y, H1, H2, Q1..Q4. */
static uint8_t
period_index(uint32_t code)
{
	static const uint8_t idx[7] = {0, 3, 4, 5, 6, 1, 2};

	return idx[code % 10 % 7];
}

static uint32_t
period_of_index(uint32_t year, int i)
{
	static const uint8_t suffix[RP_COUNT] = {0, 5, 6, 1, 2, 3, 4};

	return year * 10 + suffix[i];
}

/* ---- the secretariat's view ------------------------------------------ */

/* The key of cell (row, col) of b's table: its row's labels joined by
 * "|", its column's name. */
static void
cell_key(const struct qb *b, int rtable, size_t row, size_t col,
	 struct rcell *key)
{
	const struct qtable *t = b->out;
	size_t c, len = 0;

	memset(key, 0, sizeof(*key));
	key->table = (uint8_t)rtable;
	key->period = period_index(b->period);
	key->region = b->region;
	for (c = 1; c < t->n_cols; c++) {
		if (t->rows[row][c].kind != CELL_TEXT)
			break;
		len += (size_t)snprintf(key->row + len, sizeof(key->row) - len,
					"%s%s", c > 1 ? "|" : "",
					t->rows[row][c].text);
		if (len >= sizeof(key->row))
			len = sizeof(key->row) - 1;
	}
	snprintf(key->col, sizeof(key->col), "%s", t->cols[col]);
}

/* Builds table ti into b for (period, region), as the analyst sees it. */
static void
build_at(struct qb *b, int ti, uint32_t period, uint8_t region)
{
	b->out->n_rows = 0;
	b->out->n_cols = 0;
	b->period = period;
	b->region = region;
	period_name(period, b->period_name);
	query_defs[ti].build(b);
}

/* The year of the first counter key store_each shows (into arg). */
static int
first_year(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	(void)v;
	(void)vlen;
	if (klen >= 6)
		*(uint32_t *)arg = store_get32((const uint8_t *)k + 2) / 10;
	return 1;
}

/*
 * Whether a live record is dated in year y: the counters are kept by
 * quarter (a year's are summed when asked). Only such years are walked
 * by gather_others: one record a node's key dated 2999 must not cost
 * every secretariat query a thousand years of tables.
 */
static bool
dated_in(struct store_txn *t, uint32_t y)
{
	uint8_t prefix[6] = {C_TIME_RECORDS, 0};
	const void *k, *v;
	size_t klen, vlen;
	uint32_t q;

	for (q = 1; q <= 4; q++) {
		store_be32(prefix + 2, y * 10 + q);
		if (store_last(t, T_COUNTERS, prefix, sizeof(prefix), &k, &klen,
			       &v, &vlen) == 0)
			return true;
	}
	return false;
}

/* Adds the count cells of b's table, built, into out as cells of the
 * other years (RP_OTHER, the whole country), each summed with the one
 * of the same key at index from or after; of the sources table, not the
 * rows of the institutions in withheld (query_events_withheld). Returns
 * 0 or -ENOMEM. */
static int
add_other(const struct qb *b, int rtable, size_t from, unsigned withheld,
	  struct rcells *out)
{
	const struct qtable *tab = b->out;
	size_t row, col, i;

	for (row = 0; row < tab->n_rows; row++)
		for (col = 0; col < CODEC_MAX_COLUMNS; col++) {
			struct rcell key;
			if (!b->qc[qb_cell_index((int)row, (int)col)].count)
				continue;
			if (rtable == RT_SOURCES &&
			    (withheld & (1u << institution_from_name(
					     tab->rows[row][0].text))) != 0)
				continue;
			if (rtable == RT_SOURCES) { /* no period column */
				memset(&key, 0, sizeof(key));
				key.table = RT_SOURCES;
				snprintf(key.row, sizeof(key.row), "%.*s",
					 (int)sizeof(key.row) - 1,
					 tab->rows[row][0].text);
				snprintf(key.col, sizeof(key.col), "%s",
					 tab->cols[col]);
			} else {
				cell_key(b, rtable, row, col, &key);
			}
			key.period = RP_OTHER;
			key.region = 0;
			for (i = from; i < out->n; i++)
				if (memcmp(&out->c[i], &key,
					   offsetof(struct rcell, value)) == 0)
					break;
			if (i == out->n) {
				struct rcell *c = rcells_add(out);
				if (c == NULL)
					return -ENOMEM;
				*c = key;
				c->value = 0;
			}
			out->c[i].value += tab->rows[row][col].number;
		}
	return 0;
}

/* The first and last years a counter of records is kept for, into
 * *ret_y0 and *ret_y1 (0 and 0: none). */
static void
record_years(struct store_txn *t, uint32_t *ret_y0, uint32_t *ret_y1)
{
	const uint8_t prefix[2] = {C_TIME_RECORDS, 0};
	const void *k, *v;
	size_t klen, vlen;

	*ret_y0 = *ret_y1 = 0;
	(void)store_each(t, T_COUNTERS, prefix, sizeof(prefix), first_year,
			 ret_y0);
	if (store_last(t, T_COUNTERS, prefix, sizeof(prefix), &k, &klen, &v,
		       &vlen) == 0 &&
	    klen >= 6)
		*ret_y1 = store_get32((const uint8_t *)k + 2) / 10;
}

unsigned
query_events_withheld(struct store_txn *t, unsigned k)
{
	bool small[INST_COUNT + 1] = {false};
	struct inst_status s;
	uint32_t y0, y1, y;
	struct qb b;
	unsigned withheld = 0;
	uint8_t i;

	memset(&b, 0, sizeof(b));
	b.t = t;
	record_years(t, &y0, &y1);
	for (y = y0; y0 != 0 && y <= y1; y++) {
		if (!dated_in(t, y))
			continue;
		b.period = period_of_index(y, RP_YEAR);
		for (i = 1; i <= INST_COUNT; i++) {
			int64_t n = qb_counter(&b, C_TIME_RECORDS, &i, 1);
			if (n > 0 && n < (int64_t)k)
				small[i] = true;
		}
	}
	/* No events on record (a store older than the field, or a status
	 * row a repair dropped) is below the records: no relation, and no
	 * number to give away. */
	for (i = 1; i <= INST_COUNT; i++)
		if (small[i] && ingest_inst_status(t, i, &s) == 0 &&
		    s.accepted > 0)
			withheld |= 1u << i;
	return withheld;
}

/*
 * What the relations across years need for year's release at threshold
 * k, after its own cells in out (RP_OTHER): the whole country's yearly
 * counts of the tables those relations name, summed over every other
 * year a record is dated in (timeliness counts every live record), and
 * the sources table, but for the institutions whose events the
 * secretariat is not given (query_events_withheld). Returns 0 or -ENOMEM.
 */
static int
gather_others(struct qb *b, uint32_t year, unsigned k, struct rcells *out)
{
	static const int rts[] = {RT_IDENTIFICATION,	  RT_REFERRALS,
				  RT_REFERRALS_UNMATCHED, RT_PROTECTION,
				  RT_PROSECUTION,	  RT_FUNNEL,
				  RT_TIMELINESS};
	size_t from = out->n, j;
	uint32_t y0, y1, y;
	unsigned withheld = query_events_withheld(b->t, k);
	int ti, r = 0;

	record_years(b->t, &y0, &y1);
	for (y = y0; y0 != 0 && y <= y1 && r == 0; y++) {
		if (y == year || !dated_in(b->t, y))
			continue;
		for (j = 0; j < sizeof(rts) / sizeof(rts[0]) && r == 0; j++) {
			for (ti = 0; query_defs[ti].rtable != rts[j]; ti++)
				;
			build_at(b, ti, period_of_index(y, RP_YEAR), 0);
			r = b->err;
			if (r == 0)
				r = add_other(b, rts[j], from, 0, out);
		}
	}
	for (ti = 0; r == 0 && query_tables[ti] != NULL; ti++)
		if (strcmp(query_tables[ti], "sources") == 0) {
			build_at(b, ti, period_of_index(year, RP_YEAR), 0);
			r = b->err;
			if (r == 0)
				r = add_other(b, RT_SOURCES, from, withheld,
					      out);
			break;
		}
	return r;
}

/*
 * What gather_others gave for a year at one state of the store: every
 * secretariat query of that year, a cache hit of its release included,
 * needs it, and it is the same until the next commit. A few years are
 * kept (a report pages through them); the query thread's alone, like
 * release.h's cache.
 */
#define OTHERS_KEPT 8
static struct others {
	struct store_state state; /* opened 0: an empty slot */
	uint32_t year;
	unsigned k;	     /* the sources withheld depend on it */
	struct rcells cells; /* the RP_OTHER cells gather_others appended */
	uint64_t used;
} others[OTHERS_KEPT];
static uint64_t others_ticks;
static _Atomic uint64_t others_built;

uint64_t
query_others_built(void)
{
	return others_built;
}

/* gather_others, from the slot of year and k at t's state when there is
 * one, else built and kept. Returns 0 or -ENOMEM. */
static int
gather_others_kept(struct qb *b, uint32_t year, unsigned k, struct rcells *out)
{
	struct store_state now = store_txn_state(b->t);
	struct others *o = NULL;
	size_t from = out->n, i;
	int r;

	for (i = 0; i < OTHERS_KEPT; i++) {
		struct others *e = &others[i];
		if (now.opened != 0 && e->state.opened != 0 &&
		    !store_state_same(e->state, now)) {
			rcells_clear(&e->cells); /* of a state gone by */
			memset(&e->state, 0, sizeof(e->state));
		}
		if (store_state_same(e->state, now) && e->year == year &&
		    e->k == k)
			o = e;
	}
	if (o == NULL) {
		others_built++;
		r = gather_others(b, year, k, out);
		if (r != 0 || now.opened == 0)
			return r; /* the write transaction's: not kept */
		for (i = 0; i < OTHERS_KEPT; i++)
			if (o == NULL || others[i].used < o->used)
				o = &others[i];
		rcells_clear(&o->cells);
		memset(&o->state, 0, sizeof(o->state));
		for (i = from; i < out->n; i++) {
			struct rcell *c = rcells_add(&o->cells);
			if (c == NULL) {
				rcells_clear(&o->cells);
				return 0; /* not kept: built again next time */
			}
			*c = out->c[i];
		}
		o->state = now;
		o->year = year;
		o->k = k;
		o->used = ++others_ticks;
		return 0;
	}
	o->used = ++others_ticks;
	for (i = 0; i < o->cells.n; i++) {
		struct rcell *c = rcells_add(out);
		if (c == NULL)
			return -ENOMEM;
		*c = o->cells.c[i];
	}
	return 0;
}

/*
 * Every count cell of group g's tables in year, at every level the
 * secretariat can ask for, in a fixed order, into out, then what the
 * relations across years need (gather_others, kept for the state of the
 * store t reads). Returns 0 or -ENOMEM.
 */
static int
gather(struct store_txn *t, int g, uint32_t year, unsigned k,
       struct rcells *out)
{
	struct qtable tab;
	struct qb b;
	size_t row, col;
	int ti, i, region, r = 0;

	memset(&tab, 0, sizeof(tab));
	memset(&b, 0, sizeof(b));
	b.t = t;
	b.out = &tab;
	b.counts_only = true;
	for (ti = 0; query_tables[ti] != NULL && r == 0; ti++) {
		if (query_defs[ti].group != g)
			continue;
		for (i = 0; i < RP_COUNT + REGIONS && r == 0; i++) {
			region = i < RP_COUNT ? 0 : i - RP_COUNT + 1;
			if (region > 0 && !query_defs[ti].regional)
				break;
			build_at(
			    &b, ti,
			    period_of_index(year, region > 0 ? RP_YEAR : i),
			    (uint8_t)region);
			r = b.err;
			for (row = 0; row < tab.n_rows && r == 0; row++)
				for (col = 0; col < CODEC_MAX_COLUMNS; col++) {
					struct rcell *c;
					if (!b.qc[qb_cell_index((int)row,
								(int)col)]
						 .count)
						continue;
					c = rcells_add(out);
					if (c == NULL) {
						r = -ENOMEM;
						break;
					}
					cell_key(&b, query_defs[ti].rtable, row,
						 col, c);
					c->value = tab.rows[row][col].number;
				}
		}
	}
	if (r == 0)
		r = gather_others_kept(&b, year, k, out);
	qb_free_rows(&b);
	return r;
}

/*
 * The release of group g's year at threshold k that gather's cells at one
 * state of the store gave: every secretariat query of that year at that
 * state (a report asks dozens, and many come between two commits of a
 * busy ingest) is answered by it, so its cells need not be gathered,
 * folded and compared again. Kept by number (release_serial): when the
 * release cache let it go, it is gathered again. The query thread's
 * alone, like the caches it stands before.
 */
#define RELEASES_KEPT 8
static struct state_release {
	struct store_state state; /* opened 0: an empty slot */
	int g;
	uint32_t year;
	unsigned k;
	uint64_t serial;
	uint64_t used;
} state_releases[RELEASES_KEPT];
static uint64_t state_ticks;
static _Atomic uint64_t years_gathered;

uint64_t
query_years_gathered(void)
{
	return years_gathered;
}

void
query_forget_states(void)
{
	memset(state_releases, 0, sizeof(state_releases));
}

/*
 * The release of group g's year at threshold k for the state of the store
 * t reads (release_get of what gather gives), into *ret (valid until the
 * next release_get). Returns 0 or an error of gather or release_get.
 */
static int
year_release(struct store_txn *t, int g, uint32_t year, unsigned k,
	     const struct release **ret)
{
	struct store_state now = store_txn_state(t);
	struct state_release *o = NULL;
	struct rcells cells = {0};
	size_t i;
	int r;

	for (i = 0; i < RELEASES_KEPT; i++) {
		struct state_release *e = &state_releases[i];
		if (store_state_same(e->state, now) && e->g == g &&
		    e->year == year && e->k == k) {
			*ret = release_cached(e->serial);
			if (*ret != NULL) {
				e->used = ++state_ticks;
				return 0;
			}
		}
	}
	years_gathered++;
	r = gather(t, g, year, k, &cells);
	if (r == 0)
		r = release_get((enum release_group)g, year, k, &cells, ret);
	rcells_clear(&cells);
	if (r != 0 || now.opened == 0)
		return r; /* the write transaction's: not kept */
	for (i = 0; i < RELEASES_KEPT; i++) {
		struct state_release *e = &state_releases[i];
		if (e->state.opened != 0 && !store_state_same(e->state, now))
			memset(e, 0, sizeof(*e)); /* of a state gone by */
		if (o == NULL || e->used < o->used)
			o = e;
	}
	o->state = now;
	o->g = g;
	o->year = year;
	o->k = k;
	o->serial = release_serial(*ret);
	o->used = ++state_ticks;
	return 0;
}

/*
 * Hides, in b's table, the counts the secretariat's release of their
 * component hides (of the sources table, those from 1 to k-1 and the
 * events withheld, query_events_withheld), then every median or share
 * that depends on a hidden count, and every median over fewer than k
 * values. A hidden count prints as suppressed; a hidden median or share
 * is left empty, like one there is nothing to take.
 */
static int
suppress(struct qb *b, int ti, unsigned k)
{
	const struct release *rel = NULL;
	struct qtable *t = b->out;
	unsigned withheld = 0;
	bool *hid = NULL;
	size_t r, c;
	int err = 0;

	hid = calloc(t->n_rows * CODEC_MAX_COLUMNS + 1, sizeof(*hid));
	if (hid == NULL)
		return -ENOMEM;
	if (query_defs[ti].group >= 0) {
		err = year_release(b->t, query_defs[ti].group, b->period / 10,
				   k, &rel);
		if (err != 0)
			goto out;
	}
	if (strcmp(query_tables[ti], "sources") == 0)
		withheld = query_events_withheld(b->t, k);
	/* Counts past the last column are not printed but given away by a
	 * share printed beside them (see struct qcell): they have keys. */
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < CODEC_MAX_COLUMNS; c++) {
			int i = qb_cell_index((int)r, (int)c);
			int64_t v = t->rows[r][c].number;
			struct rcell key;
			if (!b->qc[i].count)
				continue;
			if (rel == NULL) { /* primary suppression alone */
				hid[i] =
				    (v > 0 && v < (int64_t)k) ||
				    (withheld & (1u << institution_from_name(
						     t->rows[r][0].text))) != 0;
				continue;
			}
			cell_key(b, query_defs[ti].rtable, r, c, &key);
			hid[i] = release_hidden(rel, &key);
		}
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < t->n_cols; c++) {
			int i = qb_cell_index((int)r, (int)c), d;
			const struct qcell *q = &b->qc[i];
			if (q->count) {
				if (hid[i])
					t->rows[r][c].kind = CELL_SUPPRESSED;
				continue;
			}
			for (d = 0; d < 2; d++)
				if (q->dep[d] >= 0 && hid[q->dep[d]])
					hid[i] = true;
			if (q->n > 0 && q->n < (int64_t)k)
				hid[i] = true;
			if (hid[i])
				t->rows[r][c].kind = CELL_EMPTY;
		}
out:
	free(hid);
	return err;
}

int
query_sex_age(struct store *st, const struct query_req *req,
	      const struct reg_party *who, int64_t ret[2][2])
{
	struct qb b;
	int s, a, r;

	memset(ret, 0, 4 * sizeof(ret[0][0]));
	if (who->role != ROLE_ANALYST)
		return -EPERM;
	memset(&b, 0, sizeof(b));
	if (period_parse(req->period, &b.period) != 0 || req->region > 25)
		return -EINVAL;
	b.region = (uint8_t)req->region;
	r = store_begin(st, false, &b.t);
	if (r != 0)
		return r;
	for (s = 0; s < 2; s++)
		for (a = 0; a < 2; a++) {
			const uint8_t d[2] = {(uint8_t)(s == 0 ? SEX_F : SEX_M),
					      (uint8_t)a};
			ret[s][a] = qb_counter(&b, C_SEX_AGE, d, 2);
		}
	store_abort(&b.t);
	return 0;
}

int
query_overlap_shown(struct store_txn *t, uint32_t period, unsigned k,
		    bool *ret_shown)
{
	const struct release *rel = NULL;
	struct qtable tab;
	struct qb b;
	size_t row;
	int r;

	*ret_shown = false;
	memset(&tab, 0, sizeof(tab));
	memset(&b, 0, sizeof(b));
	r = year_release(t, RG_YEAR, period / 10, k, &rel);
	if (r != 0)
		return r;
	b.t = t;
	b.out = &tab;
	b.counts_only = true;
	build_at(&b, 1 /* overlap */, period, 0);
	r = b.err;
	*ret_shown = r == 0;
	for (row = 0; r == 0 && row < tab.n_rows; row++) {
		struct rcell key;
		cell_key(&b, RT_OVERLAP, row, 2, &key);
		if (release_hidden(rel, &key))
			*ret_shown = false;
	}
	qb_free_rows(&b);
	return r;
}

int
query_prepare(struct store *st, uint32_t year, unsigned k,
	      bool (*cancelled)(void *), void *arg, bool *ret_computed)
{
	const struct release *rel;
	struct store_txn *t;
	uint64_t n0, n1;
	size_t kept, bytes;
	int r;

	*ret_computed = false;
	r = store_begin(st, false, &t);
	if (r != 0)
		return r;
	release_cache_counts(&n0, &kept, &bytes);
	release_set_cancel(cancelled, arg);
	r = year_release(t, RG_YEAR, year, k, &rel);
	release_set_cancel(NULL, NULL); /* a query's is never given up */
	release_cache_counts(&n1, &kept, &bytes);
	*ret_computed = n1 != n0;
	store_abort(&t);
	return r;
}

/* ---- the request ------------------------------------------------------ */

static int
fail(struct qtable *ret, const char *fmt, const char *arg)
{
	snprintf(ret->error, sizeof(ret->error), fmt, arg);
	return -EINVAL;
}

/* The index of table name in query_tables, or -1. */
static int
table_index(const char *name)
{
	int i;

	for (i = 0; query_tables[i] != NULL; i++)
		if (strcmp(name, query_tables[i]) == 0)
			return i;
	return -1;
}

/*
 * The levels the secretariat gets (docs/DISCLOSURE.md says why): every
 * table for the whole country, for years, semesters and quarters; by
 * region, only for years, and not the overlap, breakdown, funnel or
 * timeliness.
 */
static int
secretariat_level(const struct query_req *req, int ti, uint32_t period,
		  struct qtable *ret)
{
	if (req->region == 0)
		return 0;
	if (query_defs[ti].rtable == RT_FUNNEL) {
		/* Its stages are the prosecution's, placed at the complaint. */
		snprintf(ret->error, sizeof(ret->error),
			 "the secretariat gets the funnel table for the whole "
			 "country only: ask without --region, or for the "
			 "region's prosecution table (prosecution --period "
			 "%.4s --region %02u)",
			 req->period, req->region);
		return -EINVAL;
	}
	if (!query_defs[ti].regional)
		return fail(ret,
			    "the secretariat gets the %s table for the whole "
			    "country only: ask without --region",
			    query_tables[ti]);
	if (period_kind(period) != PERIOD_YEAR)
		return fail(ret,
			    "the secretariat gets regional tables by year "
			    "only: ask for --period %.4s with --region, or "
			    "for this period without --region",
			    req->period);
	return 0;
}

/*
 * Returns err, having said in ret why a table was not built through no
 * fault of the request (a client must not read an empty table as
 * "nothing counted"). Each table's builder clears ret first; a refusal
 * of the request has set its reason.
 */
static int
not_built(struct qtable *ret, int err)
{
	if (err == 0 || ret->error[0] != '\0')
		return err;
	if (err == -E2BIG)
		snprintf(ret->error, sizeof(ret->error),
			 "the table would have more than %d rows: none of it "
			 "is given (docs/LIMITS.md)",
			 CODEC_MAX_ROWS);
	else
		snprintf(ret->error, sizeof(ret->error),
			 "the consolidator could not build the table (%s): "
			 "ask again, and tell its operator if it lasts",
			 strerror(-err));
	return err;
}

/* query_run_in but for the reason of a table not built. */
static int
build_table(struct store_txn *t, const struct query_req *req,
	    const struct reg_party *who, unsigned k, struct qtable *ret)
{
	struct qb b;
	int i, r;

	memset(ret, 0, sizeof(*ret));
	memset(&b, 0, sizeof(b));
	ret->k = k;
	snprintf(ret->role, sizeof(ret->role), "%s", role_name(who->role));
	i = table_index(req->table);
	if (i < 0 || query_defs[i].build == NULL)
		return fail(ret, "unknown table \"%.40s\"", req->table);
	if (period_parse(req->period, &b.period) != 0)
		return fail(ret,
			    "bad period \"%.20s\": give a year (2026), a "
			    "semester (2026H1) or a quarter (2026Q3)",
			    req->period);
	if (req->region > 25)
		return fail(ret, "%s", "bad region: INEI codes run 01 to 25");
	if (who->role == ROLE_INSTITUTION && strcmp(req->table, "overlap") == 0)
		return fail(ret, "%s",
			    "the overlap table is not open to an "
			    "institution");
	if (who->role == ROLE_NONE)
		return fail(ret, "%s", "not authorised to query");
	if (who->role == ROLE_SECRETARIAT) {
		r = secretariat_level(req, i, b.period, ret);
		if (r != 0)
			return r;
	}
	b.scope = who->role == ROLE_INSTITUTION ? (uint8_t)who->inst : 0;
	b.region = (uint8_t)req->region;
	period_name(b.period, b.period_name);
	b.out = ret;
	b.t = t;
	query_defs[i].build(&b);
	r = b.err;
	if (r == 0 && who->role == ROLE_SECRETARIAT)
		r = suppress(&b, i, k);
	/* A 0 taken up from a destination that records no take-ups is a
	 * gap in the data: say which (kuska query and report note it). */
	if (r == 0 && (query_defs[i].rtable == RT_REFERRALS ||
		       query_defs[i].rtable == RT_REFERRALS_UNMATCHED))
		r = query_no_takeups(t, b.scope, &ret->no_takeups);
	free(b.qc);
	if (r != 0)
		codec_qtable_clear(ret);
	return r;
}

bool
query_release_year(const struct query_req *req, const struct reg_party *who,
		   uint32_t *ret_year)
{
	struct qtable refusal;
	uint32_t period;
	int i;

	if (who->role != ROLE_SECRETARIAT || req->boot != 0 || req->region > 25)
		return false;
	i = table_index(req->table);
	if (i < 0 || query_defs[i].build == NULL ||
	    query_defs[i].group != RG_YEAR ||
	    period_parse(req->period, &period) != 0)
		return false;
	memset(&refusal, 0, sizeof(refusal));
	if (secretariat_level(req, i, period, &refusal) != 0)
		return false;
	*ret_year = period / 10;
	return true;
}

bool
query_takes_release(const struct query_req *req, const struct reg_party *who,
		    uint32_t *ret_year)
{
	uint32_t period;

	if (query_release_year(req, who, ret_year))
		return true;
	/* The secretariat's indicators, estimate (a bootstrap's too) and
	 * sdg16_2_2 are made of its counting tables. */
	if (who->role != ROLE_SECRETARIAT || query_apart(req, who) ||
	    table_index(req->table) < 0 ||
	    (strcmp(req->table, "indicators") != 0 &&
	     strcmp(req->table, "estimate") != 0 &&
	     strcmp(req->table, "sdg16_2_2") != 0) ||
	    period_parse(req->period, &period) != 0)
		return false;
	*ret_year = period / 10;
	return true;
}

bool
query_apart(const struct query_req *req, const struct reg_party *who)
{
	/*
	 * Of the secretariat's tables, the counting tables are suppressed
	 * by a release (suppress), and the indicators, estimate and
	 * sdg16_2_2 are made of those (the release caches, the states'
	 * and others' caches, GLPK's audit state). Its deliveries and
	 * indicator_definitions are not: deliveries (deliveries_table)
	 * reads the institutions' statuses in a read transaction of its
	 * own and the last contacts, and withholds a count of 1 to k-1
	 * alone (primary suppression, no release, no audit); the
	 * definitions are the set in force alone, as below. A bootstrap
	 * (--boot) stays out: up to ESTIMATE_MAX_BOOT resamples, each a
	 * stepwise selection, take seconds, and it draws on the daemon's
	 * budget (estimate_table.c's static).
	 */
	if (req->boot != 0 || who->role == ROLE_NONE)
		return false;
	/*
	 * Nor is a question the secretariat may not ask at that level (a
	 * region for a quarter, the overlap of a region): refused before
	 * any table is built (build_table, run_table), it is answered
	 * at once rather than held behind an audit, which may run past
	 * its client's 15 s ("no answer" instead of what it may ask).
	 */
	if (who->role == ROLE_SECRETARIAT) {
		struct qtable refusal;
		uint32_t period;
		int i = table_index(req->table);
		if (strcmp(req->table, "deliveries") == 0 ||
		    strcmp(req->table, "indicator_definitions") == 0)
			return true;
		/* The estimate of a region: refused at once by
		 * estimate_table, before any overlap or release. */
		if (strcmp(req->table, "estimate") == 0)
			return req->region != 0;
		memset(&refusal, 0, sizeof(refusal));
		return i >= 0 && strcmp(req->table, "sdg16_2_2") != 0 &&
		       period_parse(req->period, &period) == 0 &&
		       req->region <= 25 &&
		       secretariat_level(req, i, period, &refusal) != 0;
	}
	if (who->role != ROLE_INSTITUTION && who->role != ROLE_ANALYST)
		return false;
	/*
	 * The analyst's and the institution's, each in read transactions
	 * of its own (none is the audit's), take no release: the counting
	 * tables (build_table without suppress); the indicators (those
	 * tables again, in one transaction, with the indicator set in
	 * force, which a reload replaces under conf_lock held for writing,
	 * the caller holds it for reading); their definitions (the set
	 * alone); deliveries (the institutions' statuses, and the last
	 * contacts, atomics of the main thread); the estimate (the
	 * overlap table, then lib/mse's main-effects and stepwise fits,
	 * a few ms on five lists at most: bench/README.md); sdg16_2_2
	 * (identification, breakdown, the sex-by-age counters, the
	 * estimate's fits, and the population in force, as the
	 * indicators'). The fits' GLPK simplex (lib/mse/lp.c) is on a
	 * problem of its own, made and freed in the call, in the query
	 * thread's GLPK environment; the audit runs on a thread of its
	 * own, in another (GLPK keeps one per thread, release.c's
	 * compute_watched). An institution's estimate and
	 * sdg16_2_2 are refusals. Each answer is bounded (at most five
	 * lists); a flood of them is paced by query_net_request_waits.
	 */
	return table_index(req->table) >= 0;
}

/* query_run but for the reason of a table not built. */
static int
run_table(struct store *st, const struct query_req *req,
	  const struct reg_party *who, unsigned k, struct qtable *ret)
{
	struct store_txn *t;
	int r;

	if (req->boot != 0 && strcmp(req->table, "estimate") != 0) {
		memset(ret, 0, sizeof(*ret));
		return fail(ret, "%s",
			    "a bootstrap (--boot) is for the estimate table "
			    "only");
	}
	if (strcmp(req->table, "estimate") == 0)
		return estimate_table(st, req, who, k, ret);
	if (strcmp(req->table, "sdg16_2_2") == 0)
		return sdg_table(st, req, who, k, ret);
	if (strcmp(req->table, "deliveries") == 0)
		return deliveries_table(st, req, who, k, ret);
	if (strcmp(req->table, "indicators") == 0) {
		uint32_t period;
		/* Not by region for a semester: the tables it would be
		 * computed from are not given so either. */
		memset(ret, 0, sizeof(*ret));
		if (who->role == ROLE_SECRETARIAT &&
		    period_parse(req->period, &period) == 0 &&
		    secretariat_level(req, table_index(req->table), period,
				      ret) != 0)
			return -EINVAL;
		return indicators_table(st, indicators_in_force, req, who, k,
					ret);
	}
	if (strcmp(req->table, "indicator_definitions") == 0)
		return indicators_definitions(indicators_in_force, who, k, ret);
	memset(ret, 0, sizeof(*ret));
	r = store_begin(st, false, &t);
	if (r != 0)
		return r;
	r = build_table(t, req, who, k, ret);
	store_abort(&t);
	return r;
}

int
query_run(struct store *st, const struct query_req *req,
	  const struct reg_party *who, unsigned k, struct qtable *ret)
{
	return not_built(ret, run_table(st, req, who, k, ret));
}

int
query_run_in(struct store_txn *t, const struct query_req *req,
	     const struct reg_party *who, unsigned k, struct qtable *ret)
{
	return not_built(ret, build_table(t, req, who, k, ret));
}
