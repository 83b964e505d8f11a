/*
 * num.h - the numerical primitives the estimator takes from GSL, the only
 * file that includes GSL's headers: least squares and rank by QR, the
 * Poisson and normal distribution functions, random numbers. Matrices
 * are row-major arrays of doubles that the caller owns.
 */
#ifndef KUSKA_MSE_NUM_H
#define KUSKA_MSE_NUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * mse_num_lssolve - least squares: the beta (p values) minimising
 * |a beta - b| for a (n x p, n >= p, overwritten by its QR) and b (n
 * values, kept); tau (p) and resid (n) are scratch. When ret_var0 is not
 * NULL it gets [(a'a)^-1]_00, the variance factor of the first
 * coefficient. Returns 0, or -EDOM when a is rank-deficient.
 */
int mse_num_lssolve(double *a, size_t n, size_t p, const double *b, double *tau,
		    double *resid, double *ret_beta, double *ret_var0);

/*
 * mse_num_rank - the column rank of a (n x p, overwritten), by QR with
 * column pivoting, counting |R_ii| > 1e-7 max|R_jj| (R's qr() tolerance).
 * tau and norm hold min(n,p) and p doubles, perm p size_t: scratch.
 */
unsigned mse_num_rank(double *a, size_t n, size_t p, double *tau, size_t *perm,
		      double *norm);

/*
 * mse_num_poisson_p - SparseMSE's p-value of an observed count x under
 * Poisson(lambda): min(P(X <= x), P(X >= x)).
 */
double mse_num_poisson_p(uint64_t x, double lambda);

/* The standard normal: quantile (p in (0,1)) and distribution function. */
double mse_num_norm_quantile(double p);
double mse_num_norm_cdf(double z);

/* A random-number generator (MT19937), owned by the caller. */
struct mse_rng;

/* mse_num_rng_new - a generator seeded with seed; NULL without memory. */
struct mse_rng *mse_num_rng_new(uint64_t seed);
/* mse_num_rng_free - frees *r (NULL allowed) and clears it. */
void mse_num_rng_free(struct mse_rng **r);
/*
 * mse_num_multinomial - draws total cases over k cells with weights p
 * (not necessarily summing to 1) into ret_n.
 */
void mse_num_multinomial(struct mse_rng *r, size_t k, unsigned total,
			 const double *p, unsigned *ret_n);

#endif
