/* check.c - existence and identifiability of a model; see check.h. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "lp.h"
#include "num.h"

static bool
all_positive(const double *y, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(y[i] > 0.0))
			return false;
	return true;
}

int
mse_check_model(struct mse_work *w, const struct mse_table *t, uint64_t model,
		unsigned *ret_flags)
{
	const struct mse_design *d = mse_design_build(w, t, model);
	size_t n = d->n_rows, p = d->n_cols;
	unsigned flags = 0;
	bool interior = true;
	int r;

	if (!all_positive(d->y, n)) {
		r = mse_lp_interior(d->x, n, p, d->y, &interior);
		/* No optimum found certifies nothing: no estimate. */
		if (r == -EDOM)
			interior = false;
		else if (r != 0)
			return r;
	}
	if (!interior)
		flags |= MSE_CHECK_NOT_EXIST;
	memcpy(w->a, d->x, n * p * sizeof(double));
	if (mse_num_rank(w->a, n, p, w->tau, w->perm, w->norm) < p)
		flags |= MSE_CHECK_NOT_IDENTIFIABLE;
	*ret_flags = flags;
	return 0;
}

int
mse_check(const struct mse_table *t, uint64_t mask, unsigned *ret_flags)
{
	struct mse_work *w;
	int r;

	if (t->k < 2 || t->k > MSE_MAX_LISTS)
		return -EINVAL;
	if (mse_pair_count(t->k) < 64 && (mask >> mse_pair_count(t->k)) != 0)
		return -EINVAL;
	w = mse_work_new(t);
	if (w == NULL)
		return -ENOMEM;
	r = mse_check_model(w, t, mask, ret_flags);
	mse_work_free(&w);
	return r;
}
