/*
 * design.h - the design matrix of a log-linear model over the capture
 * histories, and the scratch space every fit and check of one table
 * shares.
 */
#ifndef KUSKA_MSE_DESIGN_H
#define KUSKA_MSE_DESIGN_H

#include "mse.h"

#define MSE_MAX_COLS (1 + MSE_MAX_LISTS + MSE_MAX_PAIRS)

/*
 * A model's design: one row per history that takes part in the fit, one
 * column per parameter: the intercept, a main effect per list, then the
 * model's overlapping pairs in increasing number. Histories holding both
 * lists of a pair that never overlaps (an "empty" pair in the model, its
 * parameter at minus infinity) are left out: their expected count is 0.
 */
struct mse_design {
	unsigned k;
	uint64_t model; /* pairs in the model */
	uint64_t empty; /* of those, the non-overlapping */
	unsigned n_rows, n_cols;
	uint16_t history[MSE_MAX_HISTORIES]; /* of each row */
	uint8_t col_pair[MSE_MAX_PAIRS];     /* of column 1 + k + j */
	double *x;			     /* n_rows x n_cols, row-major */
	double *y; /* the observed counts of the rows */
};

/* Scratch for one table of k lists, sized for its largest model. */
struct mse_work {
	unsigned k;
	size_t max_rows, max_cols;
	uint64_t overlap[MSE_MAX_PAIRS]; /* cases on both lists of pair */
	struct mse_design design;
	double *x, *y;			      /* the design's arrays */
	double *a, *b, *z, *eta, *mu, *resid; /* the fit's */
	double *tau, *norm;
	size_t *perm;
};

/*
 * mse_work_new - scratch for t (2 <= t->k <= MSE_MAX_LISTS), with the
 * overlap of every pair counted. NULL without memory. The caller frees
 * it with mse_work_free (NULL allowed; clears the pointer).
 */
struct mse_work *mse_work_new(const struct mse_table *t);
void mse_work_free(struct mse_work **w);

/*
 * mse_work_reset - makes w serve t, a table of the same number of lists
 * as the one w was made for (counts the overlaps again).
 */
void mse_work_reset(struct mse_work *w, const struct mse_table *t);

/*
 * mse_design_build - w->design for the main effects plus the pairs in
 * model, over t (the table w was made for). Returns &w->design, valid
 * until the next build on w.
 */
const struct mse_design *
mse_design_build(struct mse_work *w, const struct mse_table *t, uint64_t model);

#endif
