/*
 * estimate.h - one model's population estimate and its model-conditional
 * interval (SparseMSE's estimatepopulation.0), shared by the stepwise
 * selection and the bootstrap.
 */
#ifndef KUSKA_MSE_ESTIMATE_H
#define KUSKA_MSE_ESTIMATE_H

#include "design.h"

/*
 * mse_estimate_fill - fits the main effects plus the pairs in model
 * (already checked) and sets e's status, figures and reason; leaves
 * e->method, e->pairs and e->n_pairs alone. On return w->design and
 * w->mu are the fitted model's. Returns 0 (a fit that fails to converge
 * is a status, not an error).
 */
int mse_estimate_fill(struct mse_work *w, const struct mse_table *t,
		      uint64_t model, struct mse_estimate *e);

/*
 * mse_estimate_model - mse_check_model, then mse_estimate_fill when the
 * model passes, else e's status and reason say which check failed.
 */
int mse_estimate_model(struct mse_work *w, const struct mse_table *t,
		       uint64_t model, struct mse_estimate *e);

/*
 * mse_estimate_run - mse_estimate's work for MSE_MAIN or MSE_STEPWISE on
 * t with w made (or reset) for t; *ret is overwritten.
 */
int mse_estimate_run(struct mse_work *w, const struct mse_table *t,
		     enum mse_method method, struct mse_estimate *ret);

/*
 * mse_estimate_trivial - for a table with fewer than two lists or no case
 * sets ret's status and reason and returns true; else false.
 */
bool mse_estimate_trivial(const struct mse_table *t, enum mse_method method,
			  struct mse_estimate *ret);

/*
 * mse_select_stepwise - SparseMSE's stepwisefit (select.c): from the main
 * effects, adds the pair with the smallest Poisson p-value while it is
 * below MSE_PTHRESH, a pair whose model fails the checks counting as
 * p = 1. Fills ret as mse_estimate does.
 */
int mse_select_stepwise(struct mse_work *w, const struct mse_table *t,
			struct mse_estimate *ret);

#endif
