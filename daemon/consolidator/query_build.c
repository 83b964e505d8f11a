/* query_build.c - a table's rows from the counters; see query_int.h. */
#include "query_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "stats.h"

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

int64_t
qb_counter(const struct qb *b, uint8_t table, const uint8_t *dims, size_t ndims)
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
int64_t
qb_national(struct qb *b, uint8_t table, const uint8_t *dims, size_t ndims)
{
	uint8_t scope = b->scope;
	int64_t v;

	b->scope = 0;
	v = qb_counter(b, table, dims, ndims);
	b->scope = scope;
	return v;
}

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
days_under(const struct qb *b, uint8_t table, const uint8_t *dims, size_t ndims,
	   struct days_list *l)
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
struct hist
qb_median(const struct qb *b, uint8_t table, const uint8_t *dims, size_t ndims)
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
struct hist
qb_median_merged(const struct qb *b, uint8_t table, const uint8_t *dims,
		 size_t n)
{
	struct days_list l = {0};
	size_t i;

	for (i = 0; i < n && l.err == 0; i++)
		days_under(b, table, &dims[i], 1, &l);
	return list_median(&l);
}

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
void
qb_find_all(const struct qb *b, uint8_t table, const uint8_t *dims, size_t nd,
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
void
qb_free_rows(struct qb *b)
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
 * row -1 land in b->spill (qb_cell_at, qb_qcell_at) and the table is refused.
 */
int
qb_add_row(struct qb *b)
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

int
qb_cell_index(int row, int col)
{
	return row * CODEC_MAX_COLUMNS + col;
}

struct cell *
qb_cell_at(struct qb *b, int row, int col)
{
	return row < 0 ? &b->spill[col] : &b->out->rows[row][col];
}

struct qcell *
qb_qcell_at(struct qb *b, int row, int col)
{
	return row < 0 ? &b->spill_qc[col] : &b->qc[qb_cell_index(row, col)];
}

void
qb_set_text(struct qb *b, int row, int col, const char *s)
{
	struct cell *c = qb_cell_at(b, row, col);

	c->kind = CELL_TEXT;
	snprintf(c->text, sizeof(c->text), "%.39s", s);
}

/* A count: shown exactly, or hidden for the secretariat. */
int
qb_set_count(struct qb *b, int row, int col, int64_t v)
{
	struct cell *c = qb_cell_at(b, row, col);

	c->kind = CELL_NUMBER;
	c->number = v;
	qb_qcell_at(b, row, col)->count = true;
	return row < 0 ? -1 : qb_cell_index(row, col);
}

/* A median h, depending on count cell dep (-1: none). */
void
qb_set_median_of(struct qb *b, int row, int col, struct hist h, int dep)
{
	struct cell *c = qb_cell_at(b, row, col);
	struct qcell *q = qb_qcell_at(b, row, col);

	if (!h.found)
		return; /* CELL_EMPTY */
	c->kind = CELL_NUMBER;
	c->number = h.median;
	q->n = h.n;
	q->dep[0] = dep;
}

/* The median of counter table `table` under dims, depending on count
 * cell dep (-1: none). */
void
qb_set_median(struct qb *b, int row, int col, uint8_t table,
	      const uint8_t *dims, size_t ndims, int dep)
{
	if (b->counts_only)
		return;
	qb_set_median_of(b, row, col, qb_median(b, table, dims, ndims), dep);
}

void
qb_columns(struct qb *b, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL && i < CODEC_MAX_COLUMNS; i++)
		snprintf(b->out->cols[i], sizeof(b->out->cols[i]), "%s",
			 names[i]);
	b->out->n_cols = i;
}
