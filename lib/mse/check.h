/*
 * check.h - whether a model's maximum-likelihood estimate exists and is
 * identifiable (SparseMSE's checkident).
 */
#ifndef KUSKA_MSE_CHECK_H
#define KUSKA_MSE_CHECK_H

#include "design.h"

/*
 * mse_check_model - *ret_flags = 0 or an OR of MSE_CHECK_* for the main
 * effects plus the pairs in model, over t (w made for t). Rebuilds
 * w->design. Existence: when every history left in the design has a
 * case the counts themselves are a positive solution; otherwise the LP
 * decides (an LP that GLPK cannot solve counts as "does not exist").
 * Identifiability: the design's column rank. Returns 0 or -ENOMEM.
 */
int mse_check_model(struct mse_work *w, const struct mse_table *t,
		    uint64_t model, unsigned *ret_flags);

#endif
