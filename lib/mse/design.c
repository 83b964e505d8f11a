/* design.c - design matrices over the capture histories; see design.h. */
#include <stdlib.h>

#include "design.h"

struct mse_work *
mse_work_new(const struct mse_table *t)
{
	struct mse_work *w;
	size_t rows, cols, cells;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->k = t->k;
	rows = (1u << t->k) - 1;
	cols = 1 + t->k + mse_pair_count(t->k);
	cells = rows * cols;
	w->max_rows = rows;
	w->max_cols = cols;
	w->x = malloc(cells * sizeof(double));
	w->a = malloc(cells * sizeof(double));
	w->y = malloc(rows * sizeof(double));
	w->b = malloc(rows * sizeof(double));
	w->z = malloc(rows * sizeof(double));
	w->eta = malloc(rows * sizeof(double));
	w->mu = malloc(rows * sizeof(double));
	w->resid = malloc((rows > cols ? rows : cols) * sizeof(double));
	w->tau = malloc(cols * sizeof(double));
	w->norm = malloc(cols * sizeof(double));
	w->perm = malloc(cols * sizeof(size_t));
	if (w->x == NULL || w->a == NULL || w->y == NULL || w->b == NULL ||
	    w->z == NULL || w->eta == NULL || w->mu == NULL ||
	    w->resid == NULL || w->tau == NULL || w->norm == NULL ||
	    w->perm == NULL) {
		mse_work_free(&w);
		return NULL;
	}
	w->design.x = w->x;
	w->design.y = w->y;
	mse_work_reset(w, t);
	return w;
}

void
mse_work_reset(struct mse_work *w, const struct mse_table *t)
{
	unsigned a, b;

	for (a = 0; a < t->k; a++)
		for (b = a + 1; b < t->k; b++)
			w->overlap[mse_pair_index(t->k, a, b)] =
			    mse_table_overlap(t, a, b);
}

void
mse_work_free(struct mse_work **w)
{
	if (w == NULL || *w == NULL)
		return;
	free((*w)->x);
	free((*w)->a);
	free((*w)->y);
	free((*w)->b);
	free((*w)->z);
	free((*w)->eta);
	free((*w)->mu);
	free((*w)->resid);
	free((*w)->tau);
	free((*w)->norm);
	free((*w)->perm);
	free(*w);
	*w = NULL;
}

/* The histories a pair's two lists both belong to share these bits. */
static unsigned
pair_bits(unsigned k, unsigned p)
{
	unsigned a, b;

	mse_pair_lists(k, p, &a, &b);
	return (1u << a) | (1u << b);
}

const struct mse_design *
mse_design_build(struct mse_work *w, const struct mse_table *t, uint64_t model)
{
	struct mse_design *d = &w->design;
	unsigned k = t->k, n_pairs = mse_pair_count(k), p, h, c;
	unsigned empty_bits[MSE_MAX_PAIRS], n_empty = 0;
	unsigned col_bits[MSE_MAX_PAIRS], n_col = 0, i;

	d->k = k;
	d->model = model;
	d->empty = 0;
	for (p = 0; p < n_pairs; p++) {
		if (!(model & (UINT64_C(1) << p)))
			continue;
		if (w->overlap[p] == 0) {
			d->empty |= UINT64_C(1) << p;
			empty_bits[n_empty++] = pair_bits(k, p);
		} else {
			d->col_pair[n_col] = (uint8_t)p;
			col_bits[n_col++] = pair_bits(k, p);
		}
	}
	d->n_cols = 1 + k + n_col;
	d->n_rows = 0;
	for (h = 1; h < (1u << k); h++) {
		double *row;
		for (i = 0; i < n_empty; i++)
			if ((h & empty_bits[i]) == empty_bits[i])
				break;
		if (i < n_empty)
			continue;
		row = d->x + (size_t)d->n_rows * d->n_cols;
		row[0] = 1.0;
		for (c = 0; c < k; c++)
			row[1 + c] = (h >> c) & 1u ? 1.0 : 0.0;
		for (i = 0; i < n_col; i++)
			row[1 + k + i] =
			    (h & col_bits[i]) == col_bits[i] ? 1.0 : 0.0;
		d->history[d->n_rows] = (uint16_t)h;
		d->y[d->n_rows] = (double)t->count[h];
		d->n_rows++;
	}
	return d;
}
