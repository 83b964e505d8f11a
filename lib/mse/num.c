/*
 * num.c - the owner of GSL; see num.h. GSL calls its error handler, which
 * aborts by default, on underflow in its special functions: the handler
 * is switched off once, for the process, and results are checked instead.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "num.h"

#define RANK_TOL 1e-7

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;

static void
handler_off(void)
{
	gsl_set_error_handler_off();
}

static void
num_init(void)
{
	pthread_once(&handler_once, handler_off);
}

int
mse_num_lssolve(double *a, size_t n, size_t p, const double *b, double *tau,
		double *resid, double *ret_beta, double *ret_var0)
{
	gsl_matrix_view qr = gsl_matrix_view_array(a, n, p);
	gsl_vector_view t = gsl_vector_view_array(tau, p);
	gsl_vector_const_view bv = gsl_vector_const_view_array(b, n);
	gsl_vector_view x = gsl_vector_view_array(ret_beta, p);
	gsl_vector_view r = gsl_vector_view_array(resid, n);
	size_t i;

	num_init();
	if (n < p || gsl_linalg_QR_decomp(&qr.matrix, &t.vector) != 0)
		return -EDOM;
	for (i = 0; i < p; i++)
		if (gsl_matrix_get(&qr.matrix, i, i) == 0.0)
			return -EDOM;
	if (gsl_linalg_QR_lssolve(&qr.matrix, &t.vector, &bv.vector, &x.vector,
				  &r.vector) != 0)
		return -EDOM;
	if (ret_var0 != NULL) {
		/*
		 * (a'a)^-1 = R^-1 R^-T, so its first diagonal entry is
		 * |u|^2 where R'u = e_0. resid is free again: use it.
		 */
		gsl_vector_view u = gsl_vector_view_array(resid, p);
		gsl_matrix_view rr =
		    gsl_matrix_submatrix(&qr.matrix, 0, 0, p, p);
		gsl_vector_set_basis(&u.vector, 0);
		if (gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit,
				   &rr.matrix, &u.vector) != 0)
			return -EDOM;
		*ret_var0 = gsl_blas_dnrm2(&u.vector);
		*ret_var0 *= *ret_var0;
	}
	return 0;
}

unsigned
mse_num_rank(double *a, size_t n, size_t p, double *tau, size_t *perm,
	     double *norm)
{
	gsl_matrix_view qr = gsl_matrix_view_array(a, n, p);
	size_t m = n < p ? n : p, i;
	gsl_vector_view t = gsl_vector_view_array(tau, m);
	gsl_vector_view nv = gsl_vector_view_array(norm, p);
	gsl_permutation pm = {p, perm};
	double top;
	unsigned rank = 0;
	int signum;

	num_init();
	if (m == 0 || gsl_linalg_QRPT_decomp(&qr.matrix, &t.vector, &pm,
					     &signum, &nv.vector) != 0)
		return 0;
	top = fabs(gsl_matrix_get(&qr.matrix, 0, 0));
	for (i = 0; i < m; i++)
		if (fabs(gsl_matrix_get(&qr.matrix, i, i)) > RANK_TOL * top)
			rank++;
	return rank;
}

double
mse_num_poisson_p(uint64_t x, double lambda)
{
	double lower, upper;

	num_init();
	if (!(lambda > 0.0))
		return x == 0 ? 1.0 : 0.0;
	if (x > UINT32_MAX - 1)
		return 0.0;
	lower = gsl_cdf_poisson_P((unsigned)x, lambda);
	upper = x == 0 ? 1.0 : gsl_cdf_poisson_Q((unsigned)x - 1, lambda);
	if (isnan(lower) || isnan(upper))
		return 0.0;
	return lower < upper ? lower : upper;
}

double
mse_num_norm_quantile(double p)
{
	num_init();
	return gsl_cdf_ugaussian_Pinv(p);
}

double
mse_num_norm_cdf(double z)
{
	num_init();
	return gsl_cdf_ugaussian_P(z);
}

struct mse_rng {
	gsl_rng *r;
};

struct mse_rng *
mse_num_rng_new(uint64_t seed)
{
	struct mse_rng *r;

	num_init();
	r = malloc(sizeof(*r));
	if (r == NULL)
		return NULL;
	r->r = gsl_rng_alloc(gsl_rng_mt19937);
	if (r->r == NULL) {
		free(r);
		return NULL;
	}
	/* Both halves of the seed count; MT19937 takes 32 bits. */
	gsl_rng_set(r->r, (unsigned long)(seed ^ (seed >> 32)) & 0xffffffffUL);
	return r;
}

void
mse_num_rng_free(struct mse_rng **r)
{
	if (r == NULL || *r == NULL)
		return;
	gsl_rng_free((*r)->r);
	free(*r);
	*r = NULL;
}

void
mse_num_multinomial(struct mse_rng *r, size_t k, unsigned total,
		    const double *p, unsigned *ret_n)
{
	gsl_ran_multinomial(r->r, k, total, p, ret_n);
}
