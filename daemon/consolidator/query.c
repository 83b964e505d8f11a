/* query.c - statistics tables from the counters; see query.h. */
#include "query.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliveries.h"
#include "estimate_table.h"
#include "indicators.h"
#include "ingest.h"
#include "period.h"
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

void
query_set_indicators(const struct indset *set)
{
	indicators_in_force = set;
}

#define MAX_CELLS (CODEC_MAX_ROWS * CODEC_MAX_COLUMNS)

/*
 * What disclosure control needs to know of a cell beside its value. A
 * count a printed share gives away but the table does not print (the
 * records accepted within 30 days and later, beside timeliness's share)
 * is a count cell past the table's last column, with its column name set
 * and n_cols left alone: the secretariat's audit counts it, the codec
 * never sends it.
 */
struct qcell {
	bool count; /* a count (primary and complementary suppression) */
	int dep[2]; /* a median or share: the counts it depends on, or -1 */
	int64_t n;  /* a median: how many values it is taken over */
};

/* A table being built. */
struct qb {
	struct store_txn *t;
	struct qtable *out;
	uint8_t scope;
	uint32_t period;
	uint8_t region;
	char period_name[PERIOD_NAME_MAX];
	struct qcell *qc; /* one per cell, row-major */
	size_t cap;	  /* rows that out->rows and qc have room for */
	int err;	  /* -ENOMEM, -E2BIG: a row could not be added */
	bool counts_only; /* skip medians: for the disclosure audit */
	/* Where a row that could not be added is written, and forgotten. */
	struct cell spill[CODEC_MAX_COLUMNS];
	struct qcell spill_qc[CODEC_MAX_COLUMNS];
};

/* ---- reading counters ------------------------------------------------- */

static void
counter_prefix(const struct qb *b, uint8_t table, uint8_t *k)
{
	k[0] = table;
	k[1] = b->scope;
	store_be32(k + 2, b->period);
	k[6] = b->region;
}

/*
 * The periods a counter of table is kept under for b's period: that
 * period, or, for a table kept by quarter (counter_by_quarter), the
 * quarters whose sum it is. Returns how many (1, 2 or 4).
 */
static size_t
kept_periods(const struct qb *b, uint8_t table, uint32_t out[4])
{
	uint32_t year = b->period / 10 * 10;
	unsigned first = 1;
	size_t i, n = 4;

	if (!counter_by_quarter(table) ||
	    period_kind(b->period) == PERIOD_QUARTER) {
		out[0] = b->period;
		return 1;
	}
	if (period_kind(b->period) == PERIOD_SEMESTER) {
		first = b->period % 10 == 5 ? 1 : 3;
		n = 2;
	}
	for (i = 0; i < n; i++)
		out[i] = year + first + (unsigned)i;
	return n;
}

/* The key prefix of table under period code p, and dims after it. */
static size_t
counter_key(const struct qb *b, uint8_t table, uint32_t p, const uint8_t *dims,
	    size_t ndims, uint8_t *k)
{
	counter_prefix(b, table, k);
	store_be32(k + 2, p);
	if (ndims > 0)
		memcpy(k + COUNTER_PREFIX_LEN, dims, ndims);
	return COUNTER_PREFIX_LEN + ndims;
}

static int64_t
counter(const struct qb *b, uint8_t table, const uint8_t *dims, size_t ndims)
{
	uint8_t k[COUNTER_KEY_MAX];
	uint32_t ps[4];
	size_t i, n = kept_periods(b, table, ps), len;
	const void *v;
	size_t vlen;
	int64_t sum = 0;

	for (i = 0; i < n; i++) {
		len = counter_key(b, table, ps[i], dims, ndims, k);
		if (store_get(b->t, T_COUNTERS, k, len, &v, &vlen) == 0 &&
		    vlen == 8)
			sum += (int64_t)store_get64(v);
	}
	return sum;
}

/* A national counter, whatever the scope of the request. */
static int64_t
national(struct qb *b, uint8_t table, const uint8_t *dims, size_t ndims)
{
	uint8_t scope = b->scope;
	int64_t v;

	b->scope = 0;
	v = counter(b, table, dims, ndims);
	b->scope = scope;
	return v;
}

/* A day histogram: the values and how often each occurs. */
struct hist {
	int64_t n;
	int64_t want; /* index of the lower middle value */
	int64_t seen;
	int32_t median;
	bool found;
};

static int
hist_count(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct hist *h = arg;

	(void)k;
	(void)klen;
	if (vlen == 8)
		h->n += (int64_t)store_get64(v);
	return 0;
}

static int
hist_find(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct hist *h = arg;

	if (vlen != 8 || klen < 4)
		return 0;
	h->seen += (int64_t)store_get64(v);
	if (h->seen > h->want) {
		h->median =
		    (int32_t)(store_get32((const uint8_t *)k + klen - 4) ^
			      DAYS_OFFSET);
		h->found = true;
		return 1;
	}
	return 0;
}

/* The values of one or more day histograms, merged. */
struct days_list {
	struct day_count {
		int32_t days;
		int64_t n;
	} * v;
	size_t n, cap;
	int err;
};

static int
days_collect(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct days_list *l = arg;

	if (vlen != 8 || klen < 4)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct day_count *nv = realloc(l->v, cap * sizeof(*nv));
		if (nv == NULL) {
			l->err = -ENOMEM;
			return 1;
		}
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].days =
	    (int32_t)(store_get32((const uint8_t *)k + klen - 4) ^ DAYS_OFFSET);
	l->v[l->n++].n = (int64_t)store_get64(v);
	return 0;
}

static int
day_count_cmp(const void *a, const void *b)
{
	const struct day_count *x = a, *y = b;

	return (x->days > y->days) - (x->days < y->days);
}

/* The lower median of the values collected, which it frees. */
static struct hist
list_median(struct days_list *l)
{
	struct hist h = {0};
	size_t i;

	if (l->err == 0 && l->n > 0) {
		qsort(l->v, l->n, sizeof(*l->v), day_count_cmp);
		for (i = 0; i < l->n; i++)
			h.n += l->v[i].n;
		h.want = (h.n - 1) / 2;
		for (i = 0; i < l->n && !h.found; i++) {
			h.seen += l->v[i].n;
			if (h.seen > h.want) {
				h.median = l->v[i].days;
				h.found = true;
			}
		}
	}
	free(l->v);
	l->v = NULL;
	return h;
}

/* Adds the values of table's histogram under dims, in b's period, to l. */
static void
days_under(const struct qb *b, uint8_t table, const uint8_t *dims,
	   size_t ndims, struct days_list *l)
{
	uint8_t k[COUNTER_KEY_MAX];
	uint32_t ps[4];
	size_t i, n = kept_periods(b, table, ps), len;

	for (i = 0; i < n && l->err == 0; i++) {
		len = counter_key(b, table, ps[i], dims, ndims, k);
		(void)store_each(b->t, T_COUNTERS, k, len, days_collect, l);
	}
}

/*
 * The lower median of a histogram (days are the key's last 4 bytes):
 * read in place when it is kept under one key prefix, else merged from
 * the quarters it is kept by.
 */
static struct hist
median(const struct qb *b, uint8_t table, const uint8_t *dims, size_t ndims)
{
	uint8_t k[COUNTER_KEY_MAX];
	uint32_t ps[4];
	struct days_list l = {0};
	struct hist h = {0};
	size_t len;

	if (kept_periods(b, table, ps) > 1) {
		days_under(b, table, dims, ndims, &l);
		return list_median(&l);
	}
	len = counter_key(b, table, ps[0], dims, ndims, k);
	(void)store_each(b->t, T_COUNTERS, k, len, hist_count, &h);
	if (h.n == 0)
		return h;
	h.want = (h.n - 1) / 2;
	(void)store_each(b->t, T_COUNTERS, k, len, hist_find, &h);
	return h;
}

/*
 * The lower median of the union of the histograms of table under each
 * one-byte dims value in dims[0..n-1] (for a row that sums others).
 */
static struct hist
median_merged(const struct qb *b, uint8_t table, const uint8_t *dims, size_t n)
{
	struct days_list l = {0};
	size_t i;

	for (i = 0; i < n && l.err == 0; i++)
		days_under(b, table, &dims[i], 1, &l);
	return list_median(&l);
}

/* Collects the dims and values of every counter under a prefix. */
struct found {
	size_t n;
	uint8_t dims[256][4];
	int64_t v[256];
	size_t skip; /* prefix length */
	bool merge;  /* add a row already found to it: quarters summed */
};

static int
collect(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct found *f = arg;
	size_t dl = klen - f->skip, i;
	uint8_t d[4] = {0};

	if (vlen != 8 || dl > 4)
		return 0;
	memcpy(d, (const uint8_t *)k + f->skip, dl);
	/* A later quarter's row adds to the same row of an earlier one. */
	for (i = 0; f->merge && i < f->n; i++)
		if (memcmp(f->dims[i], d, 4) == 0) {
			f->v[i] += (int64_t)store_get64(v);
			return 0;
		}
	/* Past 256 rows the first found are kept: merged, not the first in
	 * key order; a table read so (referrals: 20 pairs) never has that
	 * many. */
	if (f->n == 256)
		return 0;
	memcpy(f->dims[f->n], d, 4);
	f->v[f->n++] = (int64_t)store_get64(v);
	return 0;
}

/* Orders rows by their dims, as one prefix's keys come. */
static void
sort_found(struct found *f)
{
	size_t i, j;

	for (i = 1; i < f->n; i++)
		for (j = i; j > 0 && memcmp(f->dims[j - 1], f->dims[j], 4) > 0;
		     j--) {
			uint8_t d[4];
			int64_t v = f->v[j];
			memcpy(d, f->dims[j], 4);
			memcpy(f->dims[j], f->dims[j - 1], 4);
			memcpy(f->dims[j - 1], d, 4);
			f->v[j] = f->v[j - 1];
			f->v[j - 1] = v;
		}
}

/* Every row of table under dims in b's period, in key order, summed over
 * the quarters it is kept by (counter_by_quarter). */
static void
find_all(const struct qb *b, uint8_t table, const uint8_t *dims, size_t nd,
	 struct found *f)
{
	uint8_t k[COUNTER_KEY_MAX];
	uint32_t ps[4];
	size_t i, n = kept_periods(b, table, ps);

	f->n = 0;
	f->merge = n > 1;
	for (i = 0; i < n; i++) {
		f->skip = counter_key(b, table, ps[i], dims, nd, k);
		(void)store_each(b->t, T_COUNTERS, k, f->skip, collect, f);
	}
	if (f->merge)
		sort_found(f);
}

/* ---- building rows ---------------------------------------------------- */

/*
 * Room for one more row. The arrays grow as the table does: a table has
 * a few dozen rows, and the full CODEC_MAX_ROWS (1.2 MB) allocated for
 * every query went to the kernel and back each time (a fresh mapping
 * zeroed page by page, then unmapped on all processors), 3 ms of a
 * query's CPU under ingest against 0.1 ms.
 */
static int
grow_rows(struct qb *b)
{
	struct qtable *t = b->out;
	struct cell(*rows)[CODEC_MAX_COLUMNS];
	struct qcell *qc;
	size_t cap;

	if (t->n_rows < b->cap)
		return 0;
	if (b->cap == CODEC_MAX_ROWS)
		return -E2BIG;
	cap = b->cap == 0 ? 16 : b->cap * 2;
	if (cap > CODEC_MAX_ROWS)
		cap = CODEC_MAX_ROWS;
	rows = realloc(t->rows, cap * sizeof(*rows));
	if (rows == NULL)
		return -ENOMEM;
	t->rows = rows;
	qc = realloc(b->qc, cap * CODEC_MAX_COLUMNS * sizeof(*qc));
	if (qc == NULL)
		return -ENOMEM;
	b->qc = qc;
	b->cap = cap;
	return 0;
}

/* Frees what grow_rows allocated for a table built only to be read. */
static void
free_rows(struct qb *b)
{
	free(b->out->rows);
	b->out->rows = NULL;
	free(b->qc);
	b->qc = NULL;
	b->cap = 0;
}

/*
 * A new row, its cells empty, its first the period. Returns its index,
 * or -1 with b->err set when it cannot be had: the caller's writes to
 * row -1 land in b->spill (cell_at, qcell_at) and the table is refused.
 */
static int
add_row(struct qb *b)
{
	struct qtable *t = b->out;
	size_t i, r = t->n_rows;
	int e;

	if ((e = grow_rows(b)) != 0) {
		if (b->err == 0)
			b->err = e;
		return -1;
	}
	t->n_rows++;
	for (i = 0; i < CODEC_MAX_COLUMNS; i++) {
		struct qcell *q = &b->qc[r * CODEC_MAX_COLUMNS + i];
		memset(&t->rows[r][i], 0, sizeof(t->rows[r][i]));
		memset(q, 0, sizeof(*q));
		q->dep[0] = q->dep[1] = -1;
	}
	t->rows[r][0].kind = CELL_TEXT;
	snprintf(t->rows[r][0].text, sizeof(t->rows[r][0].text), "%s",
		 b->period_name);
	return (int)r;
}

static int
cell_index(int row, int col)
{
	return row * CODEC_MAX_COLUMNS + col;
}

static struct cell *
cell_at(struct qb *b, int row, int col)
{
	return row < 0 ? &b->spill[col] : &b->out->rows[row][col];
}

static struct qcell *
qcell_at(struct qb *b, int row, int col)
{
	return row < 0 ? &b->spill_qc[col] : &b->qc[cell_index(row, col)];
}

static void
set_text(struct qb *b, int row, int col, const char *s)
{
	struct cell *c = cell_at(b, row, col);

	c->kind = CELL_TEXT;
	snprintf(c->text, sizeof(c->text), "%.39s", s);
}

/* A count: shown exactly, or hidden for the secretariat. */
static int
set_count(struct qb *b, int row, int col, int64_t v)
{
	struct cell *c = cell_at(b, row, col);

	c->kind = CELL_NUMBER;
	c->number = v;
	qcell_at(b, row, col)->count = true;
	return row < 0 ? -1 : cell_index(row, col);
}

/* A median h, depending on count cell dep (-1: none). */
static void
set_median_of(struct qb *b, int row, int col, struct hist h, int dep)
{
	struct cell *c = cell_at(b, row, col);
	struct qcell *q = qcell_at(b, row, col);

	if (!h.found)
		return; /* CELL_EMPTY */
	c->kind = CELL_NUMBER;
	c->number = h.median;
	q->n = h.n;
	q->dep[0] = dep;
}

/* The median of counter table `table` under dims, depending on count
 * cell dep (-1: none). */
static void
set_median(struct qb *b, int row, int col, uint8_t table, const uint8_t *dims,
	   size_t ndims, int dep)
{
	if (b->counts_only)
		return;
	set_median_of(b, row, col, median(b, table, dims, ndims), dep);
}

static void
columns(struct qb *b, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL && i < CODEC_MAX_COLUMNS; i++)
		snprintf(b->out->cols[i], sizeof(b->out->cols[i]), "%s",
			 names[i]);
	b->out->n_cols = i;
}

/* ---- the tables ------------------------------------------------------- */

static void
t_identification(struct qb *b)
{
	static const char *const cols[] = {"period", "institution", "victims",
					   NULL};
	int i, row;
	uint8_t d;

	columns(b, cols);
	for (i = 1; i <= INST_COUNT; i++) {
		if (b->scope != 0 && b->scope != i)
			continue;
		d = (uint8_t)i;
		row = add_row(b);
		set_text(b, row, 1, institution_name((enum institution)i));
		set_count(b, row, 2, national(b, C_ID_INST, &d, 1));
	}
	if (b->scope != 0)
		return;
	row = add_row(b);
	set_text(b, row, 1, "all");
	set_count(b, row, 2, counter(b, C_ID_TOTAL, NULL, 0));
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

	columns(b, cols);
	/* The institutions that identified anyone in the period, linkable
	 * or not (an unlinkable victim's overlap row is "unlinkable"). */
	for (i = 1; i <= INST_COUNT; i++) {
		uint8_t d = (uint8_t)i;
		if (counter(b, C_ID_INST, &d, 1) > 0)
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
		row = add_row(b);
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
		set_text(b, row, 1, name);
		set_count(b, row, 2, counter(b, C_OVERLAP, &d, 1));
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
		find_all(b, C_BREAKDOWN, &sex, 1, f);
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
		find_all(b, C_BREAKDOWN, &dim, 1, f);
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
		int row = add_row(b);
		set_text(b, row, 1, dim_name);
		set_text(b, row, 2, vals[i].name);
		set_count(b, row, 3, vals[i].v);
	}
}

static void
t_breakdown(struct qb *b)
{
	static const char *const cols[] = {"period", "dimension", "value",
					   "victims", NULL};

	columns(b, cols);
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

	columns(b, cols);
	if (f == NULL)
		return;
	/* Referral counters are national; an institution gets the rows it
	 * sent or received. */
	b->scope = 0;
	find_all(b, C_REF_SENT, NULL, 0, f);
	/* Keys sort by (from, to): already institution order. */
	for (i = 0; i < f->n; i++) {
		uint8_t d[2] = {f->dims[i][0], f->dims[i][1]};
		int64_t sent = f->v[i], taken;
		int row, ct;
		if (scope != 0 && scope != d[0] && scope != d[1])
			continue;
		taken = counter(b, C_REF_TAKEN, d, 2);
		row = add_row(b);
		set_text(b, row, 1, institution_name((enum institution)d[0]));
		set_text(b, row, 2, institution_name((enum institution)d[1]));
		set_count(b, row, 3, sent);
		ct = set_count(b, row, 4, taken);
		set_count(b, row, 5, sent - taken);
		set_median(b, row, 6, C_REF_DAYS, d, 2, ct);
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

	columns(b, cols);
	if (f == NULL)
		return;
	b->scope = 0;
	find_all(b, C_REF_UNMATCHED, NULL, 0, f);
	for (i = 0; i < f->n; i++) {
		uint8_t from = f->dims[i][0], to = f->dims[i][1];
		int row;
		if (scope != 0 && scope != from && scope != to)
			continue;
		row = add_row(b);
		set_text(b, row, 1, institution_name((enum institution)from));
		set_text(b, row, 2, institution_name((enum institution)to));
		set_count(b, row, 3, f->v[i]);
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

	columns(b, cols);
	for (i = 0; i < sizeof(order); i++) {
		int row = add_row(b), c;
		set_text(b, row, 1, service_name((enum service)order[i]));
		c = set_count(b, row, 2, counter(b, C_PROT, &order[i], 1));
		set_median(b, row, 3, C_PROT_DAYS, &order[i], 1, c);
	}
}

static void
t_prosecution(struct qb *b)
{
	static const char *const cols[] = {"period", "stage", "cases",
					   "persons", NULL};
	uint8_t st;

	columns(b, cols);
	for (st = 1; st <= STAGE_COUNT; st++) {
		int row = add_row(b);
		set_text(b, row, 1, stage_name((enum stage)st));
		set_count(b, row, 2, counter(b, C_PROS_CASES, &st, 1));
		set_count(b, row, 3, counter(b, C_PROS_PERSONS, &st, 1));
	}
}

static void
t_funnel(struct qb *b)
{
	static const char *const cols[] = {"period", "stage", "cases",
					   "attrition", NULL};
	int64_t prev = 0;
	int prev_cell = -1;
	uint8_t st;

	columns(b, cols);
	for (st = 1; st <= STAGE_COUNT; st++) {
		int row = add_row(b);
		int64_t v = counter(b, C_FUNNEL, &st, 1);
		int c;
		set_text(b, row, 1, stage_name((enum stage)st));
		c = set_count(b, row, 2, v);
		if (st > STAGE_COMPLAINT && st <= STAGE_MAIN_LAST && prev > 0) {
			struct cell *a = cell_at(b, row, 3);
			struct qcell *q = qcell_at(b, row, 3);
			a->kind = CELL_DECIMAL;
			snprintf(a->text, sizeof(a->text), "%.3f",
				 (double)(prev - v) / (double)prev);
			q->dep[0] = prev_cell;
			q->dep[1] = c;
		}
		prev = v;
		prev_cell = c;
	}
}

static void
t_durations(struct qb *b)
{
	static const char *const cols[] = {"period", "from_stage", "to_stage",
					   "median_days", NULL};
	uint8_t st;

	columns(b, cols);
	for (st = STAGE_COMPLAINT; st < STAGE_MAIN_LAST; st++) {
		int row = add_row(b);
		set_text(b, row, 1, stage_name((enum stage)st));
		set_text(b, row, 2, stage_name((enum stage)(st + 1)));
		set_median(b, row, 3, C_DUR_DAYS, &st, 1, -1);
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

	columns(b, cols);
	for (i = 1; i <= INST_COUNT; i++) {
		if (b->scope != 0 && b->scope != i)
			continue;
		(void)ingest_inst_status(b->t, i, &s);
		row = add_row(b);
		set_text(b, row, 0, institution_name((enum institution)i));
		set_count(b, row, 1, (int64_t)s.accepted);
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

	columns(b, cols);
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
		n = d != 0 ? counter(b, C_TIME_RECORDS, &d, 1) : all_n;
		within = d != 0 ? counter(b, C_TIME_WITHIN, &d, 1) : all_within;
		all_n += n;
		all_within += within;
		row = add_row(b);
		set_text(b, row, 1,
			 d != 0 ? institution_name((enum institution)d)
				: "all");
		c = set_count(b, row, 2, n);
		w = set_count(b, row, 5, within);
		(void)set_count(b, row, 6, n - within);
		if (!b->counts_only)
			set_median_of(b, row, 3,
				      d != 0 ? median(b, C_TIME_DAYS, &d, 1)
					     : median_merged(b, C_TIME_DAYS,
							     insts, INST_COUNT),
				      c);
		if (n > 0) {
			struct cell *p = cell_at(b, row, 4);
			struct qcell *q = qcell_at(b, row, 4);
			p->kind = CELL_DECIMAL;
			snprintf(p->text, sizeof(p->text), "%.1f",
				 100.0 * (double)within / (double)n);
			q->dep[0] = c;
			q->dep[1] = w;
		}
	}
	b->scope = scope;
}

/* ---- the tables and who may see what -------------------------------- */

/*
 * Each table: how it is built, where its counts sit in the secretariat's
 * releases (release.h; -1: in no release - no counts, or counts no
 * relation ties to any other, which primary suppression alone protects),
 * and whether the secretariat may ask for it by region (always by year
 * only).
 */
struct table_def {
	void (*build)(struct qb *);
	int rtable; /* enum release_table, or -1 */
	int group;  /* enum release_group, or -1 */
	bool regional;
};

static const struct table_def defs[] = {
    {t_identification, RT_IDENTIFICATION, RG_VICTIMS, true},
    {t_overlap, RT_OVERLAP, RG_VICTIMS, false},
    {t_breakdown, RT_BREAKDOWN, RG_VICTIMS, false},
    {t_referrals, RT_REFERRALS, RG_REFERRALS, true},
    {t_referrals_unmatched, RT_REFERRALS_UNMATCHED, RG_REFERRALS, true},
    {t_protection, RT_PROTECTION, RG_PROTECTION, true},
    {t_prosecution, RT_PROSECUTION, RG_CASES, true},
    {t_funnel, RT_FUNNEL, RG_CASES, true},
    {t_durations, -1, -1, true},
    {t_timeliness, RT_TIMELINESS, RG_TIMELINESS, true},
    /* Events accepted per institution, of all time: no relation ties
     * them to the tables of a year. */
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
_Static_assert(sizeof(defs) / sizeof(defs[0]) ==
		   sizeof(query_tables) / sizeof(query_tables[0]) - 1,
	       "a table_def for every table");

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
	defs[ti].build(b);
}

/*
 * Every count cell of group g's tables in year, at every level the
 * secretariat can ask for, in a fixed order, into out. Returns 0 or
 * -ENOMEM.
 */
static int
gather(struct store_txn *t, int g, uint32_t year, struct rcells *out)
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
		if (defs[ti].group != g)
			continue;
		for (i = 0; i < RP_COUNT + REGIONS && r == 0; i++) {
			region = i < RP_COUNT ? 0 : i - RP_COUNT + 1;
			if (region > 0 && !defs[ti].regional)
				break;
			build_at(
			    &b, ti,
			    period_of_index(year, region > 0 ? RP_YEAR : i),
			    (uint8_t)region);
			r = b.err;
			for (row = 0; row < tab.n_rows && r == 0; row++)
				for (col = 0; col < CODEC_MAX_COLUMNS; col++) {
					struct rcell *c;
					if (!b.qc[cell_index((int)row,
							     (int)col)]
						 .count)
						continue;
					c = rcells_add(out);
					if (c == NULL) {
						r = -ENOMEM;
						break;
					}
					cell_key(&b, defs[ti].rtable, row, col,
						 c);
					c->value = tab.rows[row][col].number;
				}
		}
	}
	free_rows(&b);
	return r;
}

/*
 * Hides, in b's table, the counts the secretariat's release of their
 * component hides, then every median or share that depends on a hidden
 * count, and every median over fewer than k values. A hidden count
 * prints as suppressed; a hidden median or share is left empty, like one
 * there is nothing to take.
 */
static int
suppress(struct qb *b, int ti, unsigned k)
{
	const struct release *rel = NULL;
	struct qtable *t = b->out;
	bool *hid = NULL;
	size_t r, c;
	int err = 0;

	hid = calloc(MAX_CELLS, sizeof(*hid));
	if (hid == NULL)
		return -ENOMEM;
	if (defs[ti].group >= 0) {
		struct rcells cells = {0};
		uint32_t period = b->period, year = period / 10;
		uint8_t region = b->region;
		err = gather(b->t, defs[ti].group, year, &cells);
		b->period = period;
		b->region = region;
		if (err == 0)
			err = release_get((enum release_group)defs[ti].group,
					  year, k, &cells, &rel);
		rcells_clear(&cells);
		if (err != 0)
			goto out;
	}
	/* Counts past the last column are not printed but given away by a
	 * share printed beside them (see struct qcell): they have keys. */
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < CODEC_MAX_COLUMNS; c++) {
			int i = cell_index((int)r, (int)c);
			int64_t v = t->rows[r][c].number;
			struct rcell key;
			if (!b->qc[i].count)
				continue;
			if (rel == NULL) { /* primary suppression alone */
				hid[i] = v > 0 && v < (int64_t)k;
				continue;
			}
			cell_key(b, defs[ti].rtable, r, c, &key);
			hid[i] = release_hidden(rel, &key);
		}
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < t->n_cols; c++) {
			int i = cell_index((int)r, (int)c), d;
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
			const uint8_t d[2] = {
			    (uint8_t)(s == 0 ? SEX_F : SEX_M), (uint8_t)a};
			ret[s][a] = counter(&b, C_SEX_AGE, d, 2);
		}
	store_abort(&b.t);
	return 0;
}

int
query_overlap_shown(struct store_txn *t, uint32_t period, unsigned k,
		    bool *ret_shown)
{
	const struct release *rel = NULL;
	struct rcells cells = {0};
	struct qtable tab;
	struct qb b;
	size_t row;
	int r;

	*ret_shown = false;
	memset(&tab, 0, sizeof(tab));
	memset(&b, 0, sizeof(b));
	r = gather(t, RG_VICTIMS, period / 10, &cells);
	if (r == 0)
		r = release_get(RG_VICTIMS, period / 10, k, &cells, &rel);
	rcells_clear(&cells);
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
	free_rows(&b);
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
 * region, only for years, and not the overlap or breakdown.
 */
static int
secretariat_level(const struct query_req *req, int ti, uint32_t period,
		  struct qtable *ret)
{
	if (req->region == 0)
		return 0;
	if (!defs[ti].regional)
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

int
query_run(struct store *st, const struct query_req *req,
	  const struct reg_party *who, unsigned k, struct qtable *ret)
{
	struct qb b;
	int i, r;

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
	memset(&b, 0, sizeof(b));
	ret->k = k;
	snprintf(ret->role, sizeof(ret->role), "%s", role_name(who->role));
	i = table_index(req->table);
	if (i < 0)
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
	r = store_begin(st, false, &b.t);
	if (r != 0)
		goto out;
	defs[i].build(&b);
	r = b.err;
	if (r == 0 && who->role == ROLE_SECRETARIAT)
		r = suppress(&b, i, k);
	store_abort(&b.t);
out:
	free(b.qc);
	if (r != 0)
		codec_qtable_clear(ret);
	return r;
}
