/*
 * lp.c - the owner of GLPK in the consolidator; see lp.h. GLPK aborts
 * the process on memory exhaustion and on a malformed problem: the
 * problems built here are well-formed by construction (lp_row merges
 * nothing: its callers name each variable once per row) and small (a
 * few hundred variables and rows).
 */
#include "lp.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <glpk.h>

/* Counts are whole numbers: anything this close to one is one. */
#define LP_EPS 1e-6
/*
 * A bound on each integer programme (the relaxation answers most): a
 * number of branch-and-bound subproblems, not a time, so that the answer
 * never depends on how busy the machine is - the published tables must
 * be a function of the data alone. The time limit is only a last guard.
 */
#define LP_MIP_NODES 5000
#define LP_MIP_MS 60000
/* The free heap kept for the next simplex call (lp_process_init). */
#define LP_TRIM_BYTES (32 << 20)

struct lp {
	size_t n_vars;
	int64_t *lo, *hi;
	/* Rows as triplets until loaded; GLPK counts from 1. */
	size_t n_rows, nz, nz_cap;
	int *ia, *ja;
	double *ar;
	enum lp_op *op;
	double *rhs;
	size_t rows_cap;
	glp_prob *g; /* built on the first question */
	int *obj;    /* the columns with a non-zero objective */
	size_t n_obj;
};

struct lp *
lp_new(size_t n_vars)
{
	struct lp *p = calloc(1, sizeof(*p));
	size_t i;

	if (p == NULL)
		return NULL;
	p->n_vars = n_vars;
	p->lo = calloc(n_vars + 1, sizeof(*p->lo));
	p->hi = calloc(n_vars + 1, sizeof(*p->hi));
	p->obj = calloc(n_vars + 1, sizeof(*p->obj));
	if (p->lo == NULL || p->hi == NULL || p->obj == NULL) {
		lp_free(&p);
		return NULL;
	}
	for (i = 0; i < n_vars; i++)
		p->hi[i] = LP_INF;
	return p;
}

void
lp_free(struct lp **pp)
{
	struct lp *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	if (p->g != NULL)
		glp_delete_prob(p->g);
	free(p->lo);
	free(p->hi);
	free(p->obj);
	free(p->ia);
	free(p->ja);
	free(p->ar);
	free(p->op);
	free(p->rhs);
	free(p);
	*pp = NULL;
}

static void
col_bounds(struct lp *p, size_t var, int64_t lo, int64_t hi)
{
	int j = (int)var + 1;

	if (hi == LP_INF)
		glp_set_col_bnds(p->g, j, GLP_LO, (double)lo, 0.0);
	else if (hi == lo)
		glp_set_col_bnds(p->g, j, GLP_FX, (double)lo, (double)lo);
	else
		glp_set_col_bnds(p->g, j, GLP_DB, (double)lo, (double)hi);
}

void
lp_bounds(struct lp *p, size_t var, int64_t lo, int64_t hi)
{
	p->lo[var] = lo;
	p->hi[var] = hi;
	if (p->g != NULL)
		col_bounds(p, var, lo, hi);
}

static int
grow(void **a, size_t size, size_t cap)
{
	void *n = realloc(*a, size * cap);

	if (n == NULL)
		return -ENOMEM;
	*a = n;
	return 0;
}

int
lp_row(struct lp *p, const size_t *vars, const int64_t *coefs, size_t n,
       enum lp_op op, int64_t rhs)
{
	size_t i;

	if (p->n_rows == p->rows_cap) {
		size_t cap = p->rows_cap ? 2 * p->rows_cap : 64;
		if (grow((void **)&p->op, sizeof(*p->op), cap) != 0 ||
		    grow((void **)&p->rhs, sizeof(*p->rhs), cap) != 0)
			return -ENOMEM;
		p->rows_cap = cap;
	}
	if (p->nz + n + 1 > p->nz_cap) {
		size_t cap = p->nz_cap ? 2 * p->nz_cap : 256;
		while (cap < p->nz + n + 1)
			cap *= 2;
		if (grow((void **)&p->ia, sizeof(*p->ia), cap) != 0 ||
		    grow((void **)&p->ja, sizeof(*p->ja), cap) != 0 ||
		    grow((void **)&p->ar, sizeof(*p->ar), cap) != 0)
			return -ENOMEM;
		p->nz_cap = cap;
	}
	p->n_rows++;
	for (i = 0; i < n; i++) {
		p->nz++;
		p->ia[p->nz] = (int)p->n_rows;
		p->ja[p->nz] = (int)vars[i] + 1;
		p->ar[p->nz] = (double)coefs[i];
	}
	p->op[p->n_rows - 1] = op;
	p->rhs[p->n_rows - 1] = (double)rhs;
	return 0;
}

/* Builds the GLPK problem from the rows and bounds given so far. */
static void
load(struct lp *p)
{
	size_t i;

	glp_term_out(GLP_OFF); /* GLPK writes to stdout unless told not to */
	if (p->g != NULL)
		return;
	p->g = glp_create_prob();
	if (p->n_rows > 0)
		glp_add_rows(p->g, (int)p->n_rows);
	if (p->n_vars > 0)
		glp_add_cols(p->g, (int)p->n_vars);
	for (i = 0; i < p->n_rows; i++) {
		double b = p->rhs[i];
		int kind = p->op[i] == LP_EQ   ? GLP_FX
			   : p->op[i] == LP_LE ? GLP_UP
					       : GLP_LO;
		glp_set_row_bnds(p->g, (int)i + 1, kind, b, b);
	}
	for (i = 0; i < p->n_vars; i++) {
		col_bounds(p, i, p->lo[i], p->hi[i]);
		/* Ignored by the simplex; used by the integer programme. */
		glp_set_col_kind(p->g, (int)i + 1, GLP_IV);
	}
	if (p->nz > 0)
		glp_load_matrix(p->g, (int)p->nz, p->ia, p->ja, p->ar);
}

/* Sets the objective to sum(sign * vars[i]) (n = 0: none), to max. */
static void
objective(struct lp *p, const size_t *vars, size_t n, double sign)
{
	size_t i;

	for (i = 0; i < p->n_obj; i++)
		glp_set_obj_coef(p->g, p->obj[i], 0.0);
	p->n_obj = 0;
	for (i = 0; i < n; i++) {
		p->obj[p->n_obj++] = (int)vars[i] + 1;
		glp_set_obj_coef(p->g, (int)vars[i] + 1, sign);
	}
	glp_set_obj_dir(p->g, GLP_MAX);
}

/* Solves the relaxation from the current basis, or from scratch when
 * that basis fails numerically. Returns GLPK's status, or -1. */
static int
relaxation(struct lp *p)
{
	glp_smcp parm;
	int r;

	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	if (glp_simplex(p->g, &parm) == 0)
		return glp_get_status(p->g);
	glp_std_basis(p->g);
	parm.presolve = GLP_ON;
	r = glp_simplex(p->g, &parm);
	if (r == GLP_ENOPFS)
		return GLP_NOFEAS;
	return r == 0 ? glp_get_status(p->g) : -1;
}

static bool
integral(glp_prob *g, int n)
{
	int j;

	for (j = 1; j <= n; j++) {
		double x = glp_get_col_prim(g, j);
		if (fabs(x - nearbyint(x)) > LP_EPS)
			return false;
	}
	return true;
}

/* Stops the search after LP_MIP_NODES subproblems. */
static void
node_limit(glp_tree *tree, void *info)
{
	int active, current, total;

	(void)info;
	if (glp_ios_reason(tree) != GLP_ISELECT)
		return;
	glp_ios_tree_size(tree, &active, &current, &total);
	if (total > LP_MIP_NODES)
		glp_ios_terminate(tree);
}

/*
 * A whole-number point of the current problem, after the relaxation has
 * an optimum that is not one: the integer programme, from that optimum.
 * Returns 1 (found: read it with glp_mip_col_val), 0 (there is none), or
 * -ETIMEDOUT (none found within the bound).
 */
static int
integer_point(struct lp *p, double gap)
{
	glp_iocp iocp;
	int st;

	glp_init_iocp(&iocp);
	iocp.msg_lev = GLP_MSG_OFF;
	iocp.presolve = GLP_ON;
	iocp.tm_lim = LP_MIP_MS;
	iocp.mip_gap = gap;
	iocp.cb_func = node_limit;
	(void)glp_intopt(p->g, &iocp);
	st = glp_mip_status(p->g);
	if (st == GLP_OPT || st == GLP_FEAS)
		return 1;
	return st == GLP_NOFEAS ? 0 : -ETIMEDOUT;
}

/*
 * The greatest value of sign * var over whole numbers (exact) or the
 * relaxation, into *ret (LP_INF when unbounded). Returns 0, -EDOM (no
 * solution) or -ETIMEDOUT.
 */
static int
optimum(struct lp *p, size_t var, double sign, bool exact, double *ret)
{
	int st;

	objective(p, &var, 1, sign);
	st = relaxation(p);
	if (st == GLP_UNBND) {
		*ret = (double)LP_INF;
		return 0;
	}
	if (st != GLP_OPT)
		return -EDOM;
	*ret = glp_get_obj_val(p->g);
	if (!exact || integral(p->g, (int)p->n_vars))
		return 0;
	st = integer_point(p, 0.0);
	if (st == 1 && glp_mip_status(p->g) == GLP_FEAS)
		st = -ETIMEDOUT; /* only the best found: not the optimum */
	if (st != 1)
		return st == 0 ? -EDOM : st;
	*ret = glp_mip_obj_val(p->g);
	return 0;
}

int
lp_range(struct lp *p, size_t var, bool exact, int64_t *ret_min,
	 int64_t *ret_max)
{
	double lo, hi;
	int r;

	load(p);
	r = optimum(p, var, -1.0, exact, &lo);
	if (r == 0)
		r = optimum(p, var, 1.0, exact, &hi);
	if (r != 0)
		return r;
	*ret_min = (int64_t)ceil(-lo - LP_EPS);
	*ret_max = hi >= (double)LP_INF ? LP_INF : (int64_t)floor(hi + LP_EPS);
	return 0;
}

int
lp_reach(struct lp *p, size_t var, int64_t target, bool above)
{
	int64_t lo = p->lo[var], hi = p->hi[var];
	int st, r;

	load(p);
	if (above ? hi != LP_INF && target > hi : target < lo)
		return 0;
	lp_bounds(p, var, above && target > lo ? target : lo,
		  !above && (hi == LP_INF || target < hi) ? target : hi);
	/* Any point will do: the first one found ends the search. */
	objective(p, NULL, 0, 0.0);
	st = relaxation(p);
	if (st == GLP_NOFEAS || st == GLP_INFEAS)
		r = 0;
	else if (st != GLP_OPT)
		r = -EDOM;
	else if (integral(p->g, (int)p->n_vars))
		r = 1;
	else
		r = integer_point(p, 0.0);
	lp_bounds(p, var, lo, hi);
	return r;
}

int
lp_push(struct lp *p, const size_t *vars, const int64_t *target, size_t n,
	bool up, bool exact, double *ret)
{
	size_t i;
	int st, r = 0;

	load(p);
	/* Capped at the targets, so that the optimum is bounded and spread
	 * over all of them rather than spent on one. */
	for (i = 0; i < n; i++) {
		int64_t lo = p->lo[vars[i]], hi = p->hi[vars[i]];
		if (up && (hi == LP_INF || target[i] < hi))
			hi = target[i] > lo ? target[i] : lo;
		if (!up && target[i] > lo)
			lo = target[i] < hi ? target[i] : hi;
		col_bounds(p, vars[i], lo, hi);
	}
	objective(p, vars, n, up ? 1.0 : -1.0);
	st = relaxation(p);
	if (st != GLP_OPT) {
		r = -EDOM;
	} else if (!exact || integral(p->g, (int)p->n_vars)) {
		for (i = 0; i < n; i++)
			ret[i] = glp_get_col_prim(p->g, (int)vars[i] + 1);
	} else {
		/* Any whole-number point is a witness: stop near the
		 * optimum. */
		st = integer_point(p, 0.05);
		if (st == 1)
			for (i = 0; i < n; i++)
				ret[i] =
				    glp_mip_col_val(p->g, (int)vars[i] + 1);
		r = st == 1 ? 0 : st == 0 ? -EDOM : st;
	}
	for (i = 0; i < n; i++)
		col_bounds(p, vars[i], p->lo[vars[i]], p->hi[vars[i]]);
	return r;
}

int
lp_pull(struct lp *p, size_t var, bool max, double *ret_d)
{
	size_t j;
	int st;

	load(p);
	objective(p, &var, 1, max ? 1.0 : -1.0);
	st = relaxation(p);
	if (st == GLP_UNBND)
		return 1;
	if (st != GLP_OPT)
		return -EDOM;
	/* Reduced costs of the maximisation of (max ? var : -var), turned
	 * into those of var's own maximum or minimum. */
	for (j = 0; j < p->n_vars; j++)
		ret_d[j] =
		    (max ? 1.0 : -1.0) * glp_get_col_dual(p->g, (int)j + 1);
	return 0;
}

void
lp_process_init(void)
{
	(void)mallopt(M_TRIM_THRESHOLD, LP_TRIM_BYTES);
	/* Setting one fixes the other, mmap's, at 128 KiB: each query's
	 * answer of more was then mapped and unmapped anew, 5 times
	 * slower to answer a flood (e2e/test_unread). */
	(void)mallopt(M_MMAP_THRESHOLD, LP_TRIM_BYTES);
}

void
lp_thread_end(void)
{
	(void)glp_free_env();
}
