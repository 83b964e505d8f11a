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
#include <stdlib.h>

#include "check.h"
#include "estimate.h"
#include "num.h"

struct candidate {
	double p;
	unsigned pair;
};

static int
by_p(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return a->pair < b->pair ? -1 : a->pair > b->pair;
}

/*
 * The candidates with p below the threshold, sorted, from the fit in w
 * (w->design and w->mu). Returns how many.
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
	qsort(ret, n, sizeof(*ret), by_p);
	return n;
}

/*
 * The first candidate whose model passes the checks: sets *ret_pair and
 * returns 1, or returns 0 when none does, or a negative errno.
 */
static int
first_passing(struct mse_work *w, const struct mse_table *t, uint64_t model,
	      const struct candidate *c, unsigned n, unsigned *ret_pair)
{
	unsigned i, flags;
	int r;

	for (i = 0; i < n; i++) {
		r = mse_check_model(w, t, model | (UINT64_C(1) << c[i].pair),
				    &flags);
		if (r != 0)
			return r;
		if (flags == 0) {
			*ret_pair = c[i].pair;
			return 1;
		}
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
		r = first_passing(w, t, model, c, n, &pair);
		if (r <= 0)
			break;
		model |= UINT64_C(1) << pair;
		ret->pairs[ret->n_pairs++] = (uint8_t)pair;
		r = mse_estimate_fill(w, t, model, ret);
	}
	return r < 0 ? r : 0;
}
