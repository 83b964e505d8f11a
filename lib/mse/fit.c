/* fit.c - Poisson IRLS; see fit.h. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "fit.h"
#include "num.h"

#define FIT_MAX_STEPS 100
#define FIT_EPSILON 1e-10

/* The Poisson deviance of the rows' counts against mu. */
static double
deviance(const double *y, const double *mu, size_t n)
{
	double dev = 0.0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (y[i] > 0.0)
			dev += y[i] * log(y[i] / mu[i]);
		dev -= y[i] - mu[i];
	}
	return 2.0 * dev;
}

/*
 * One step: the weighted least-squares fit of the working response
 * z = eta + (y - mu) / mu with weights mu, then eta and mu from it.
 */
static int
step(struct mse_work *w, const struct mse_design *d, struct mse_fit *f)
{
	size_t n = d->n_rows, p = d->n_cols, i, j;
	int r;

	for (i = 0; i < n; i++) {
		double s = sqrt(w->mu[i]);
		const double *x = d->x + i * p;
		double *a = w->a + i * p;
		for (j = 0; j < p; j++)
			a[j] = x[j] * s;
		w->b[i] = s * (w->eta[i] + (d->y[i] - w->mu[i]) / w->mu[i]);
	}
	/* The variance comes from this step's weights. */
	r = mse_num_lssolve(w->a, n, p, w->b, w->tau, w->resid, f->beta,
			    &f->var0);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		const double *x = d->x + i * p;
		double eta = 0.0;
		for (j = 0; j < p; j++)
			eta += x[j] * f->beta[j];
		w->eta[i] = eta;
		w->mu[i] = exp(eta);
		if (!isfinite(w->mu[i]) || w->mu[i] <= 0.0)
			return -EDOM;
	}
	return 0;
}

int
mse_fit_poisson(struct mse_work *w, const struct mse_design *d,
		struct mse_fit *ret)
{
	struct mse_fit f;
	size_t n = d->n_rows, i;
	double dev, devold;
	int r;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < n; i++) {
		w->mu[i] = d->y[i] + 0.1;
		w->eta[i] = log(w->mu[i]);
	}
	devold = deviance(d->y, w->mu, n);
	for (f.iterations = 1; f.iterations <= FIT_MAX_STEPS; f.iterations++) {
		if ((r = step(w, d, &f)) != 0)
			return r;
		dev = deviance(d->y, w->mu, n);
		if (!isfinite(dev))
			return -EDOM;
		if (fabs(dev - devold) / (fabs(dev) + 0.1) < FIT_EPSILON) {
			/*
			 * One more step, so that the variance comes from
			 * the weights of the converged fit rather than of
			 * the step before (glm's choice; they differ by
			 * about 1e-5 relative).
			 */
			if ((r = step(w, d, &f)) != 0)
				return r;
			f.deviance = deviance(d->y, w->mu, n);
			if (!isfinite(f.var0) || !isfinite(f.beta[0]))
				return -EDOM;
			*ret = f;
			return 0;
		}
		devold = dev;
	}
	return -EDOM;
}
