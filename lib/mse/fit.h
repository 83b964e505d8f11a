/*
 * fit.h - the Poisson log-linear fit of a design by iteratively
 * reweighted least squares (what R's glm(family = poisson) does).
 */
#ifndef KUSKA_MSE_FIT_H
#define KUSKA_MSE_FIT_H

#include "design.h"

struct mse_fit {
	double beta[MSE_MAX_COLS]; /* the design's columns' parameters */
	double var0;		   /* variance of beta[0], the intercept */
	double deviance;
	unsigned iterations;
};

/*
 * mse_fit_poisson - fits d (built in w) and leaves the fitted expected
 * count of each row in w->mu. Starts, as glm, from y + 0.1; stops when
 * the deviance changes by less than 1e-10 relative, after one more step
 * whose weights give the intercept's variance. Returns 0, or -EDOM
 * when the fit does not converge in 100 steps or leaves finite numbers
 * (which a model that passes mse_check does not do).
 */
int mse_fit_poisson(struct mse_work *w, const struct mse_design *d,
		    struct mse_fit *ret);

#endif
