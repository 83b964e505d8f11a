/*
 * boot.c - the bootstrap and its BCa interval, as SparseMSE's
 * estimatepopulation and bcaconfvalues (DiCiccio and Efron, 1996); see
 * mse.h.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "num.h"

/* Scratch for every table size a resample may shrink to. */
struct boot {
	enum mse_method method;
	struct mse_work *work[MSE_MAX_LISTS + 1];
};

static void
boot_clear(struct boot *b)
{
	unsigned k;

	for (k = 0; k <= MSE_MAX_LISTS; k++)
		mse_work_free(&b->work[k]);
}

/*
 * The estimate of one resampled table in *ret: +inf when it has none,
 * after dropping any list the resample left empty. Returns 0 or -ENOMEM.
 */
static int
resample_estimate(struct boot *b, const struct mse_table *t, double *ret)
{
	struct mse_estimate e;
	struct mse_table small;
	struct mse_work *w;
	int r;

	if (t->k >= 2) {
		w = b->work[t->k];
		if (w == NULL)
			w = b->work[t->k] = mse_work_new(t);
		if (w == NULL)
			return -ENOMEM;
		mse_work_reset(w, t);
		r = mse_estimate_run(w, t, b->method, &e);
		if (r != 0)
			return r;
		if (e.status == MSE_ESTIMATED) {
			*ret = e.estimate;
			return 0;
		}
		if (e.status == MSE_NOT_EXIST &&
		    mse_table_drop_empty(t, &small) > 0)
			return resample_estimate(b, &small, ret);
	}
	*ret = INFINITY;
	return 0;
}

/* The observed histories and their counts, as multinomial weights. */
static unsigned
observed_cells(const struct mse_table *t, unsigned *hist, double *weight)
{
	unsigned h, n = 0;

	for (h = 1; h < (1u << t->k); h++)
		if (t->count[h] > 0) {
			hist[n] = h;
			weight[n] = (double)t->count[h];
			n++;
		}
	return n;
}

static int
draw(struct boot *b, const struct mse_table *t, unsigned n, uint64_t seed,
     double *reps, mse_progress_fn progress, void *arg)
{
	unsigned hist[MSE_MAX_HISTORIES], drawn[MSE_MAX_HISTORIES], m, i, j;
	double weight[MSE_MAX_HISTORIES];
	unsigned total = (unsigned)mse_table_observed(t);
	struct mse_table rt = *t;
	struct mse_rng *rng;
	int r = 0;

	m = observed_cells(t, hist, weight);
	if ((rng = mse_num_rng_new(seed)) == NULL)
		return -ENOMEM;
	for (j = 0; j < n && r == 0; j++) {
		mse_num_multinomial(rng, m, total, weight, drawn);
		for (i = 0; i < m; i++)
			rt.count[hist[i]] = drawn[i];
		r = resample_estimate(b, &rt, &reps[j]);
		if (progress != NULL)
			progress(arg, j + 1, n);
	}
	mse_num_rng_free(&rng);
	return r;
}

/*
 * The acceleration from the jackknife: each observed case left out in
 * turn (one estimate per history, weighted by its count). Sets
 * *ret_failed when some leave-one-out table has no estimate; then 0.
 */
static int
acceleration(struct boot *b, const struct mse_table *t, double *ret_ahat,
	     bool *ret_failed)
{
	unsigned hist[MSE_MAX_HISTORIES], m, i;
	double weight[MSE_MAX_HISTORIES], jack[MSE_MAX_HISTORIES];
	double mean = 0.0, total = 0.0, s2 = 0.0, s3 = 0.0, d;
	struct mse_table jt = *t;
	int r;

	*ret_ahat = 0.0;
	*ret_failed = false;
	m = observed_cells(t, hist, weight);
	for (i = 0; i < m; i++) {
		jt.count[hist[i]]--;
		r = resample_estimate(b, &jt, &jack[i]);
		jt.count[hist[i]]++;
		if (r != 0)
			return r;
		if (!isfinite(jack[i])) {
			*ret_failed = true;
			return 0;
		}
		mean += weight[i] * jack[i];
		total += weight[i];
	}
	mean /= total;
	for (i = 0; i < m; i++) {
		d = mean - jack[i];
		s2 += weight[i] * d * d;
		s3 += weight[i] * d * d * d;
	}
	if (s2 > 0.0)
		*ret_ahat = s3 / (6.0 * pow(s2, 1.5));
	return 0;
}

static int
by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* R's quantile(type = 8) of sorted x[0..n-1] (median-unbiased). */
static double
quantile8(const double *x, size_t n, double p)
{
	const double fuzz = 4 * DBL_EPSILON;
	double nppm = 1.0 / 3 + p * ((double)n + 1.0 / 3), h, lo, hi;
	long j = (long)floor(nppm + fuzz);

	h = nppm - (double)j;
	if (fabs(h) < fuzz)
		h = 0.0;
	/* x padded with two copies of each end, as R does. */
	lo = x[j - 1 < 0 ? 0 : j - 1 >= (long)n ? (long)n - 1 : j - 1];
	hi = x[j < 0 ? 0 : j >= (long)n ? (long)n - 1 : j];
	if (h == 0.0 || lo == hi)
		return lo;
	if (h == 1.0)
		return hi;
	return (1.0 - h) * lo + h * hi;
}

/*
 * The BCa limits at alpha 0.025 and 0.975 from the n resampled estimates
 * sorted; false when undefined (every one on one side of the estimate).
 */
static bool
bca(struct mse_boot *ret, const double *sorted, unsigned n)
{
	static const double alpha[2] = {0.025, 0.975};
	double below = 0.0, lim[2];
	unsigned i;

	for (i = 0; i < n; i++)
		below += sorted[i] < ret->point.estimate;
	if (below == 0.0 || below == (double)n)
		return false;
	ret->z0 = mse_num_norm_quantile(below / n);
	for (i = 0; i < 2; i++) {
		double za0 = mse_num_norm_quantile(alpha[i]) + ret->z0;
		double zq =
		    mse_num_norm_cdf(ret->z0 + za0 / (1.0 - ret->ahat * za0));
		lim[i] = quantile8(sorted, n, zq);
	}
	ret->low95 = lim[0];
	ret->high95 = lim[1];
	return true;
}

int
mse_bootstrap(const struct mse_table *t, enum mse_method method, unsigned n,
	      uint64_t seed, struct mse_boot *ret, double *ret_reps)
{
	return mse_bootstrap_watched(t, method, n, seed, ret, ret_reps, NULL,
				     NULL);
}

int
mse_bootstrap_watched(const struct mse_table *t, enum mse_method method,
		      unsigned n, uint64_t seed, struct mse_boot *ret,
		      double *ret_reps, mse_progress_fn progress, void *arg)
{
	struct boot b;
	struct mse_boot out;
	double *reps, *sorted;
	unsigned i;
	int r;

	if ((method != MSE_MAIN && method != MSE_STEPWISE) || n < 1 ||
	    n > MSE_MAX_BOOT || t->k < 1 || t->k > MSE_MAX_LISTS)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	memset(&out, 0, sizeof(out));
	b.method = method;
	out.n = n;
	out.seed = seed;
	r = mse_estimate(t, method, &out.point);
	if (r != 0)
		return r;
	out.status = out.point.status;
	if (out.status != MSE_ESTIMATED) {
		snprintf(out.reason, sizeof(out.reason), "%s",
			 out.point.reason);
		*ret = out;
		return 0;
	}
	reps = malloc(2 * (size_t)n * sizeof(double));
	if (reps == NULL)
		return -ENOMEM;
	sorted = reps + n;
	r = draw(&b, t, n, seed, reps, progress, arg);
	if (r == 0)
		r = acceleration(&b, t, &out.ahat, &out.jackknife_failed);
	boot_clear(&b);
	if (r != 0) {
		free(reps);
		return r;
	}
	for (i = 0; i < n; i++)
		out.failed += !isfinite(reps[i]);
	memcpy(sorted, reps, n * sizeof(double));
	qsort(sorted, n, sizeof(double), by_value);
	if (!bca(&out, sorted, n)) {
		out.status = MSE_ONE_SIDED;
		snprintf(out.reason, sizeof(out.reason),
			 "no BCa interval: every resample fell on one side "
			 "of the estimate");
	}
	if (ret_reps != NULL)
		memcpy(ret_reps, reps, n * sizeof(double));
	free(reps);
	*ret = out;
	return 0;
}
