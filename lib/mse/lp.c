/*
 * lp.c - the owner of GLPK; see lp.h. GLPK aborts the process on memory
 * exhaustion and on a malformed problem: the problem built here is
 * well-formed by construction and small (at most 1023 + 56 rows).
 */
#include <errno.h>
#include <stdlib.h>

#include <glpk.h>

#include "lp.h"

/* An optimum at or below this is zero: the counts are whole numbers. */
#define LP_ZERO 1e-7

int
mse_lp_interior(const double *x, size_t n_rows, size_t n_cols, const double *y,
		bool *ret_interior)
{
	glp_prob *lp;
	glp_smcp parm;
	int *ia = NULL, *ja = NULL, nz = 0, r = 0;
	double *ar = NULL, s;
	size_t i, j, cap = n_rows * n_cols + 2 * n_rows + 1;

	ia = malloc(cap * sizeof(int));
	ja = malloc(cap * sizeof(int));
	ar = malloc(cap * sizeof(double));
	if (ia == NULL || ja == NULL || ar == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* GLPK writes to stdout unless told not to (per thread). */
	glp_term_out(GLP_OFF);
	lp = glp_create_prob();
	glp_set_obj_dir(lp, GLP_MAX);
	/* Rows 1..n_cols: x'v = x'y; then v_i - s >= 0 for each history. */
	glp_add_rows(lp, (int)(n_cols + n_rows));
	glp_add_cols(lp, (int)(n_rows + 1));
	for (j = 0; j < n_cols; j++) {
		double t = 0.0;
		for (i = 0; i < n_rows; i++)
			if (x[i * n_cols + j] != 0.0) {
				t += y[i];
				nz++;
				ia[nz] = (int)(j + 1);
				ja[nz] = (int)(i + 1);
				ar[nz] = x[i * n_cols + j];
			}
		glp_set_row_bnds(lp, (int)(j + 1), GLP_FX, t, t);
	}
	for (i = 0; i < n_rows; i++) {
		int row = (int)(n_cols + i + 1);
		glp_set_row_bnds(lp, row, GLP_LO, 0.0, 0.0);
		glp_set_col_bnds(lp, (int)(i + 1), GLP_LO, 0.0, 0.0);
		nz++;
		ia[nz] = row;
		ja[nz] = (int)(i + 1);
		ar[nz] = 1.0;
		nz++;
		ia[nz] = row;
		ja[nz] = (int)(n_rows + 1);
		ar[nz] = -1.0;
	}
	glp_set_col_bnds(lp, (int)(n_rows + 1), GLP_LO, 0.0, 0.0);
	glp_set_obj_coef(lp, (int)(n_rows + 1), 1.0);
	glp_load_matrix(lp, nz, ia, ja, ar);
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;
	if (glp_simplex(lp, &parm) != 0 || glp_get_status(lp) != GLP_OPT) {
		r = -EDOM;
	} else {
		s = glp_get_obj_val(lp);
		*ret_interior = s > LP_ZERO;
	}
	glp_delete_prob(lp);
out:
	free(ia);
	free(ja);
	free(ar);
	return r;
}
