/*
 * estimate.c - a model's estimate of the population and its interval,
 * and the reasons when there is none; see estimate.h and mse.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "estimate.h"
#include "fit.h"
#include "num.h"
#include "text.h"

/* How the model is named in a reason: "the main-effects model", ... */
static void
model_name(const struct mse_table *t, uint64_t model, char *buf, size_t cap)
{
	unsigned p, a, b;

	buf[0] = '\0';
	if (model == 0) {
		mse_append(buf, cap, "the main-effects model");
		return;
	}
	mse_append(buf, cap, "the model with");
	for (p = 0; p < mse_pair_count(t->k); p++) {
		if (!(model & (UINT64_C(1) << p)))
			continue;
		mse_pair_lists(t->k, p, &a, &b);
		mse_append(buf, cap, " %s:%s", t->names[a], t->names[b]);
	}
}

/* Why the counts put the main effects' estimate at infinity, if plain. */
static const char *
why_not_exist(const struct mse_table *t, char *buf, size_t cap)
{
	uint64_t total = mse_table_observed(t), seen, multi = 0;
	unsigned i, h;

	for (i = 0; i < t->k; i++) {
		seen = 0;
		for (h = 1; h < (1u << t->k); h++)
			if (h & (1u << i))
				seen += t->count[h];
		if (seen == 0) {
			snprintf(buf, cap, ": list %s saw no case",
				 t->names[i]);
			return buf;
		}
		if (seen == total) {
			snprintf(buf, cap, ": list %s saw every case",
				 t->names[i]);
			return buf;
		}
	}
	for (h = 1; h < (1u << t->k); h++)
		if (h & (h - 1))
			multi += t->count[h];
	if (multi == 0)
		return ": no case was seen by more than one list";
	return "";
}

static void
refuse(const struct mse_table *t, uint64_t model, unsigned flags,
       struct mse_estimate *e)
{
	char name[MSE_REASON_MAX], why[MSE_REASON_MAX];

	model_name(t, model, name, sizeof(name));
	e->reason[0] = '\0';
	if (flags & MSE_CHECK_NOT_EXIST) {
		e->status = MSE_NOT_EXIST;
		mse_append(
		    e->reason, sizeof(e->reason),
		    "no estimate: %s has no finite maximum-likelihood "
		    "estimate%s",
		    name, model == 0 ? why_not_exist(t, why, sizeof(why)) : "");
	} else {
		e->status = MSE_NOT_IDENTIFIABLE;
		mse_append(e->reason, sizeof(e->reason),
			   "no estimate: %s is not identifiable", name);
	}
}

static void
clear_figures(struct mse_estimate *e)
{
	e->dark = e->estimate = e->low95 = e->high95 = e->log_dark_se = 0.0;
}

int
mse_estimate_fill(struct mse_work *w, const struct mse_table *t, uint64_t model,
		  struct mse_estimate *e)
{
	const struct mse_design *d = mse_design_build(w, t, model);
	struct mse_fit f;
	double z = mse_num_norm_quantile(0.975), se;
	int r;

	e->observed = mse_table_observed(t);
	e->empty = d->empty;
	r = mse_fit_poisson(w, d, &f);
	if (r != 0 || !(f.var0 >= 0.0)) {
		clear_figures(e);
		e->status = MSE_NO_CONVERGENCE;
		snprintf(e->reason, sizeof(e->reason),
			 "no estimate: the Poisson fit did not converge");
		return 0;
	}
	se = sqrt(f.var0);
	e->status = MSE_ESTIMATED;
	e->reason[0] = '\0';
	e->log_dark_se = se;
	e->dark = exp(f.beta[0]);
	e->estimate = (double)e->observed + e->dark;
	e->low95 = (double)e->observed + exp(f.beta[0] - z * se);
	e->high95 = (double)e->observed + exp(f.beta[0] + z * se);
	return 0;
}

int
mse_estimate_model(struct mse_work *w, const struct mse_table *t,
		   uint64_t model, struct mse_estimate *e)
{
	unsigned flags;
	int r;

	r = mse_check_model(w, t, model, &flags);
	if (r != 0)
		return r;
	if (flags != 0) {
		clear_figures(e);
		e->observed = mse_table_observed(t);
		e->empty = 0;
		refuse(t, model, flags, e);
		return 0;
	}
	return mse_estimate_fill(w, t, model, e);
}

bool
mse_estimate_trivial(const struct mse_table *t, enum mse_method method,
		     struct mse_estimate *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->method = method;
	ret->observed = mse_table_observed(t);
	if (t->k < 2) {
		ret->status = MSE_TOO_FEW_LISTS;
		snprintf(ret->reason, sizeof(ret->reason),
			 "no estimate: fewer than two lists");
		return true;
	}
	if (ret->observed == 0) {
		ret->status = MSE_NO_CASES;
		snprintf(ret->reason, sizeof(ret->reason),
			 "no estimate: no case was seen");
		return true;
	}
	return false;
}

int
mse_estimate_run(struct mse_work *w, const struct mse_table *t,
		 enum mse_method method, struct mse_estimate *ret)
{
	if (mse_estimate_trivial(t, method, ret))
		return 0;
	if (method == MSE_STEPWISE)
		return mse_select_stepwise(w, t, ret);
	return mse_estimate_model(w, t, 0, ret);
}

int
mse_estimate(const struct mse_table *t, enum mse_method method,
	     struct mse_estimate *ret)
{
	struct mse_estimate e;
	struct mse_work *w;
	int r;

	if (method != MSE_MAIN && method != MSE_STEPWISE)
		return -EINVAL;
	if (t->k < 1 || t->k > MSE_MAX_LISTS)
		return -EINVAL;
	if (mse_estimate_trivial(t, method, &e)) {
		*ret = e;
		return 0;
	}
	w = mse_work_new(t);
	if (w == NULL)
		return -ENOMEM;
	r = mse_estimate_run(w, t, method, &e);
	mse_work_free(&w);
	if (r == 0)
		*ret = e;
	return r;
}

int
mse_estimate_fixed(const struct mse_table *t, const unsigned *pairs, unsigned n,
		   struct mse_estimate *ret)
{
	struct mse_estimate e;
	struct mse_work *w;
	uint64_t model = 0;
	unsigned i;
	int r;

	if (t->k < 1 || t->k > MSE_MAX_LISTS || (n > 0 && pairs == NULL))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (pairs[i] >= mse_pair_count(t->k) ||
		    (model & (UINT64_C(1) << pairs[i])))
			return -EINVAL;
		model |= UINT64_C(1) << pairs[i];
	}
	if (mse_estimate_trivial(t, MSE_FIXED, &e)) {
		*ret = e;
		return 0;
	}
	for (i = 0; i < n; i++)
		e.pairs[i] = (uint8_t)pairs[i];
	e.n_pairs = n;
	w = mse_work_new(t);
	if (w == NULL)
		return -ENOMEM;
	r = mse_estimate_model(w, t, model, &e);
	mse_work_free(&w);
	if (r == 0)
		*ret = e;
	return r;
}
