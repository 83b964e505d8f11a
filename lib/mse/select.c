/*
 * select.c - stepwise choice of the two-list interactions, as SparseMSE's
 * stepwisefit; see estimate.h.
 *
 * Each round, for every pair not yet in the model, the overlap the model
 * expects (lambda*, the sum of the fitted counts of the histories holding
 * both lists) is set against the overlap observed (n*): p = min(P(X <=
 * n*), P(X >= n*)) for X ~ Poisson(lambda*). A pair whose model would
 * fail the existence or identifiability check counts as p = 1; the pair
 * with the smallest p (the lowest-numbered on a tie) joins while p <
 * MSE_PTHRESH. Only the candidates below the threshold are checked, in
 * increasing p: the first that passes is SparseMSE's choice, which checks
 * them all.
 */
#include <string.h>

#include "check.h"
#include "estimate.h"
#include "num.h"

/*
 * p-values this close are a tie, broken by the lower pair number as
 * SparseMSE's rule says: pairs placed alike in a table have equal p in
 * exact arithmetic, and only rounding would otherwise choose.
 */
#define TIE_REL 1e-9

struct candidate {
	double p;
	unsigned pair;
};

/*
 * The candidates with p below the threshold, in increasing pair number,
 * from the fit in w (w->design and w->mu). Returns how many.
 */
static unsigned
candidates(const struct mse_work *w, uint64_t model, struct candidate *ret)
{
	const struct mse_design *d = &w->design;
	unsigned k = d->k, n_pairs = mse_pair_count(k), p, i, a, b, n = 0;

	for (p = 0; p < n_pairs; p++) {
		unsigned both;
		double lambda = 0.0, pv;
		if (model & (UINT64_C(1) << p))
			continue;
		mse_pair_lists(k, p, &a, &b);
		both = (1u << a) | (1u << b);
		for (i = 0; i < d->n_rows; i++)
			if ((d->history[i] & both) == both)
				lambda += w->mu[i];
		pv = mse_num_poisson_p(w->overlap[p], lambda);
		if (pv < MSE_PTHRESH) {
			ret[n].p = pv;
			ret[n].pair = p;
			n++;
		}
	}
	return n;
}

/* The index of the smallest p (the first of a tie) among c[0..n-1]. */
static unsigned
smallest(const struct candidate *c, unsigned n)
{
	double pmin = c[0].p;
	unsigned i;

	for (i = 1; i < n; i++)
		if (c[i].p < pmin)
			pmin = c[i].p;
	for (i = 0; c[i].p > pmin * (1.0 + TIE_REL); i++)
		;
	return i;
}

/*
 * The candidate with the smallest p among those whose model passes the
 * checks: sets *ret_pair and returns 1, or returns 0 when none passes,
 * or a negative errno. Consumes c.
 */
static int
best_passing(struct mse_work *w, const struct mse_table *t, uint64_t model,
	     struct candidate *c, unsigned n, unsigned *ret_pair)
{
	unsigned i, flags;
	int r;

	while (n > 0) {
		i = smallest(c, n);
		r = mse_check_model(w, t, model | (UINT64_C(1) << c[i].pair),
				    &flags);
		if (r != 0)
			return r;
		if (flags == 0) {
			*ret_pair = c[i].pair;
			return 1;
		}
		/* Failed: p = 1. Keep the rest in pair order. */
		memmove(&c[i], &c[i + 1], (n - i - 1) * sizeof(*c));
		n--;
	}
	return 0;
}

int
mse_select_stepwise(struct mse_work *w, const struct mse_table *t,
		    struct mse_estimate *ret)
{
	struct candidate c[MSE_MAX_PAIRS];
	uint64_t model = 0;
	unsigned n, pair = 0;
	int r;

	ret->method = MSE_STEPWISE;
	ret->n_pairs = 0;
	r = mse_estimate_model(w, t, 0, ret);
	while (r == 0 && ret->status == MSE_ESTIMATED) {
		n = candidates(w, model, c);
		r = best_passing(w, t, model, c, n, &pair);
		if (r <= 0)
			break;
		model |= UINT64_C(1) << pair;
		ret->pairs[ret->n_pairs++] = (uint8_t)pair;
		r = mse_estimate_fill(w, t, model, ret);
	}
	return r < 0 ? r : 0;
}
