/*
 * lp.h - the linear programme of the existence check (Fienberg and
 * Rinaldo, 2012, as SparseMSE's checkident sets it), the only file that
 * includes GLPK's header.
 */
#ifndef KUSKA_MSE_LP_H
#define KUSKA_MSE_LP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * mse_lp_interior - whether some strictly positive vector v of n_rows
 * values has x'v = x'y, for x (n_rows x n_cols, row-major, 0/1) and y
 * the observed counts: the LP maximises s subject to x'v = x'y and
 * v_i >= s >= 0; the maximum-likelihood estimate exists when the optimum
 * is positive. Returns 0 and sets *ret_interior, or -ENOMEM or -EDOM
 * (GLPK found no optimum, which a feasible LP like this one never does).
 */
int mse_lp_interior(const double *x, size_t n_rows, size_t n_cols,
		    const double *y, bool *ret_interior);

#endif
