/* disclose.c - primary and complementary suppression over a family of
 * related counts; see disclose.h. */
#include "disclose.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp.h"

/* Candidates tried, smallest first, to widen one narrow range. */
#define MAX_TRIALS 4

enum state {
	S_SHOWN, /* a cell shown, or a latent */
	S_UNCHECKED,
	S_LP_WIDE, /* wide in the relaxation; whole numbers not asked yet */
	S_WIDE,	   /* wide in whole numbers */
	S_NARROW,
	S_FAILED, /* narrow with nothing left to hide around it */
};

struct term {
	int64_t value;
	bool cell;
	bool hidden;
	uint8_t state;
	int block;  /* union-find parent, then the block's root */
	int lp_var; /* index in the block's problem, or -1 */
};

struct rel {
	size_t first, n; /* into dfam.rt / dfam.rc */
	enum disclose_op op;
	int64_t rhs;
};

struct dfam {
	struct term *t;
	size_t n, cap;
	struct rel *r;
	size_t n_rels, rels_cap;
	int *rt;     /* the terms of each relation */
	int64_t *rc; /* their coefficients */
	size_t n_rt, rt_cap, rc_cap;
	/* term -> relations (CSR), built by dfam_protect */
	size_t *adj_first;
	int *adj;
	int64_t k; /* the threshold dfam_protect was given */
	bool (*cancelled)(void *); /* dfam_set_cancel */
	void *cancel_arg;
};

struct dfam *
dfam_new(void)
{
	return calloc(1, sizeof(struct dfam));
}

void
dfam_free(struct dfam **pf)
{
	struct dfam *f;

	if (pf == NULL || *pf == NULL)
		return;
	f = *pf;
	free(f->t);
	free(f->r);
	free(f->rt);
	free(f->rc);
	free(f->adj_first);
	free(f->adj);
	free(f);
	*pf = NULL;
}

static int
grow(void **a, size_t *cap, size_t want, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *n;

	if (want <= *cap)
		return 0;
	while (c < want)
		c *= 2;
	n = realloc(*a, c * size);
	if (n == NULL)
		return -ENOMEM;
	*a = n;
	*cap = c;
	return 0;
}

static int
add_term(struct dfam *f, int64_t value, bool cell)
{
	struct term *t;

	if (grow((void **)&f->t, &f->cap, f->n + 1, sizeof(*f->t)) != 0)
		return -ENOMEM;
	t = &f->t[f->n];
	memset(t, 0, sizeof(*t));
	t->value = value;
	t->cell = cell;
	t->lp_var = -1;
	return (int)f->n++;
}

int
dfam_cell(struct dfam *f, int64_t value)
{
	return add_term(f, value, true);
}

int
dfam_latent(struct dfam *f, int64_t value)
{
	return add_term(f, value, false);
}

void
dfam_set_cancel(struct dfam *f, bool (*cancelled)(void *), void *arg)
{
	f->cancelled = cancelled;
	f->cancel_arg = arg;
}

/* -ECANCELED when whoever asked for f's protection no longer wants it
 * (dfam_set_cancel), else 0. Asked before each integer programme of the
 * loops that take the time: the cells of a block, one by one. */
static int
given_up(const struct dfam *f)
{
	return f->cancelled != NULL && f->cancelled(f->cancel_arg) ? -ECANCELED
								   : 0;
}

size_t
dfam_size(const struct dfam *f)
{
	return f->n;
}

bool
dfam_hidden(const struct dfam *f, int term)
{
	return term >= 0 && (size_t)term < f->n && f->t[term].hidden;
}

static bool
holds(enum disclose_op op, int64_t lhs, int64_t rhs)
{
	return op == DISCLOSE_EQ   ? lhs == rhs
	       : op == DISCLOSE_LE ? lhs <= rhs
				   : lhs >= rhs;
}

int
dfam_rel(struct dfam *f, const int *terms, const int64_t *coefs, size_t n,
	 enum disclose_op op, int64_t rhs)
{
	struct rel *r;
	int64_t lhs = 0;
	bool known = true;
	size_t i;

	for (i = 0; i < n; i++) {
		if (terms[i] < 0 || (size_t)terms[i] >= f->n)
			return -EINVAL;
		if (f->t[terms[i]].value < 0)
			known = false;
		lhs += coefs[i] * f->t[terms[i]].value;
	}
	if (known && !holds(op, lhs, rhs))
		return -EINVAL;
	if (grow((void **)&f->r, &f->rels_cap, f->n_rels + 1, sizeof(*f->r)) !=
		0 ||
	    grow((void **)&f->rt, &f->rt_cap, f->n_rt + n, sizeof(*f->rt)) !=
		0 ||
	    grow((void **)&f->rc, &f->rc_cap, f->n_rt + n, sizeof(*f->rc)) != 0)
		return -ENOMEM;
	r = &f->r[f->n_rels++];
	r->first = f->n_rt;
	r->n = 0;
	r->op = op;
	r->rhs = rhs;
	/* A term named twice is one term (the solver wants each once). */
	for (i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < r->n; j++)
			if (f->rt[r->first + j] == terms[i])
				break;
		if (j == r->n) {
			f->rt[r->first + j] = terms[i];
			f->rc[r->first + j] = 0;
			r->n++;
		}
		f->rc[r->first + j] += coefs[i];
	}
	for (i = 0; i < r->n; i++) /* and one that cancels out is none */
		if (f->rc[r->first + i] == 0) {
			f->rt[r->first + i] = f->rt[r->first + r->n - 1];
			f->rc[r->first + i] = f->rc[r->first + r->n - 1];
			r->n--;
			i--;
		}
	f->n_rt += r->n;
	return 0;
}

/* ---- blocks: terms joined by relations --------------------------------- */

static int
root(struct dfam *f, int i)
{
	while (f->t[i].block != i) {
		f->t[i].block = f->t[f->t[i].block].block;
		i = f->t[i].block;
	}
	return i;
}

/* Joins related terms into blocks and builds the term -> relation
 * index. */
static int
index_relations(struct dfam *f)
{
	size_t i, j, *fill;

	free(f->adj_first);
	free(f->adj);
	f->adj_first = calloc(f->n + 1, sizeof(*f->adj_first));
	f->adj = malloc((f->n_rt + 1) * sizeof(*f->adj));
	fill = calloc(f->n + 1, sizeof(*fill));
	if (f->adj_first == NULL || f->adj == NULL || fill == NULL) {
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < f->n; i++)
		f->t[i].block = (int)i;
	for (i = 0; i < f->n_rels; i++) {
		const struct rel *r = &f->r[i];
		for (j = 0; j < r->n; j++) {
			int a = root(f, f->rt[r->first]);
			int b = root(f, f->rt[r->first + j]);
			if (a != b)
				f->t[b > a ? b : a].block = a < b ? a : b;
			f->adj_first[f->rt[r->first + j] + 1]++;
		}
	}
	for (i = 0; i < f->n; i++) {
		f->t[i].block = root(f, (int)i);
		f->adj_first[i + 1] += f->adj_first[i];
	}
	for (i = 0; i < f->n_rels; i++) {
		const struct rel *r = &f->r[i];
		for (j = 0; j < r->n; j++) {
			int t = f->rt[r->first + j];
			f->adj[f->adj_first[t] + fill[t]++] = (int)i;
		}
	}
	free(fill);
	return 0;
}

/* ---- the reader's problem for one block ------------------------------ */

/* What the reader knows of term t: a shown cell's value; a hidden cell
 * in 1..k-1 (below k) or k.. (not); a latent 0... */
static void
set_bounds(struct lp *p, const struct term *t, int64_t k)
{
	size_t v = (size_t)t->lp_var;

	if (!t->cell)
		lp_bounds(p, v, 0, LP_INF);
	else if (!t->hidden)
		lp_bounds(p, v, t->value, t->value);
	else if (t->value < k)
		lp_bounds(p, v, 1, k - 1);
	else
		lp_bounds(p, v, k, LP_INF);
}

/*
 * The integer programme a reader solves for block b: a variable per term
 * of the block (a shown cell's fixed at its value, so that hiding it
 * later is a change of bounds and the solver goes on from where it was),
 * a row per relation. NULL when out of memory.
 */
static struct lp *
problem(struct dfam *f, int b, int64_t k)
{
	struct lp *p;
	size_t i, j, nv = 0, *vars = NULL;
	int64_t *coefs = NULL;
	size_t widest = 0;

	for (i = 0; i < f->n; i++) {
		struct term *t = &f->t[i];
		t->lp_var = t->block == b ? (int)nv++ : -1;
	}
	p = lp_new(nv);
	if (p == NULL)
		return NULL;
	for (i = 0; i < f->n; i++)
		if (f->t[i].lp_var >= 0)
			set_bounds(p, &f->t[i], k);
	for (i = 0; i < f->n_rels; i++)
		if (f->r[i].n > widest)
			widest = f->r[i].n;
	vars = malloc((widest + 1) * sizeof(*vars));
	coefs = malloc((widest + 1) * sizeof(*coefs));
	if (vars == NULL || coefs == NULL)
		goto fail;
	for (i = 0; i < f->n_rels; i++) {
		const struct rel *r = &f->r[i];
		if (r->n == 0 || f->t[f->rt[r->first]].block != b)
			continue;
		for (j = 0; j < r->n; j++) {
			vars[j] = (size_t)f->t[f->rt[r->first + j]].lp_var;
			coefs[j] = f->rc[r->first + j];
		}
		if (lp_row(p, vars, coefs, r->n,
			   r->op == DISCLOSE_EQ	  ? LP_EQ
			   : r->op == DISCLOSE_LE ? LP_LE
						  : LP_GE,
			   r->rhs) != 0)
			goto fail;
	}
	free(vars);
	free(coefs);
	return p;
fail:
	free(vars);
	free(coefs);
	lp_free(&p);
	return NULL;
}

/*
 * Whether some whole-number points put hidden cell t at values span
 * apart: its true value is one such point, so it takes a point span
 * above it, or span below, or some above and the rest below. Sets *ret;
 * returns 0 or -errno (an integer programme that reaches its bound
 * answers no).
 */
static int
witnessed(struct lp *p, const struct term *t, int64_t span, bool *ret)
{
	int64_t up;
	int a, b;

	*ret = false;
	for (up = span; up >= 0 && !*ret; up--) {
		a = b = 1;
		if (up > 0)
			a = lp_reach(p, (size_t)t->lp_var, t->value + up, true);
		if (a == 1 && up < span)
			b = lp_reach(p, (size_t)t->lp_var,
				     t->value - (span - up), false);
		if ((a < 0 && a != -ETIMEDOUT) || (b < 0 && b != -ETIMEDOUT))
			return a < 0 ? a : b;
		*ret = a == 1 && b == 1;
	}
	return 0;
}

/*
 * How far apart (max - min) a hidden term's values must be able to lie:
 * DISCLOSE_SPAN - 1. But a count below k is one of the k - 1 values
 * 1..k-1 to the reader, who knows it is small: with k <= DISCLOSE_SPAN
 * that is fewer than DISCLOSE_SPAN, no cell hidden beside it can widen
 * it further, and a count hidden to protect it (say the rest of a shown
 * total) gets no wider range from it than its own. Every hidden count
 * then needs as many values as a small one can have, k - 1.
 */
static int64_t
need(const struct dfam *f)
{
	return f->k - 2 < DISCLOSE_SPAN - 1 ? f->k - 2 : DISCLOSE_SPAN - 1;
}

/*
 * The range of hidden term t in problem p, as max - min (LP_INF when
 * unbounded), as the relaxation bounds it; with exact, a range that
 * spans need() + 1 values in the relaxation but not in whole numbers
 * counts as one value short. Returns 0 or -errno.
 */
static int
span_of(const struct dfam *f, struct lp *p, const struct term *t, bool exact,
	int64_t *ret_span)
{
	int64_t lo, hi, want = need(f);
	bool ok;
	int r = lp_range(p, (size_t)t->lp_var, false, &lo, &hi);

	if (r != 0)
		return r;
	*ret_span = hi == LP_INF ? LP_INF : hi - lo;
	if (!exact || *ret_span < want)
		return 0;
	r = witnessed(p, t, want, &ok);
	if (r == 0 && !ok)
		*ret_span = want - 1;
	return r;
}

static bool
wide(const struct dfam *f, int64_t span)
{
	return span >= need(f);
}

/* ---- complementary suppression ------------------------------------- */

static int
by_value(const struct dfam *f, int a, int b)
{
	if (f->t[a].value != f->t[b].value)
		return f->t[a].value < f->t[b].value ? -1 : 1;
	return a < b ? -1 : a > b;
}

/*
 * The shown non-zero cells nearest to cell c through the relations:
 * those in a relation with c; if there are none, those in a relation
 * with a hidden cell or latent found so far, ring after ring. Written to
 * out (room for f->n), smallest value first, then by index; returns how
 * many, or -ENOMEM.
 */
static int
candidates(struct dfam *f, int c, int *out)
{
	int *ring = malloc(f->n * sizeof(*ring));
	bool *seen = calloc(f->n, sizeof(*seen));
	size_t n_ring = 0, n = 0, i, j, q, start = 0;

	if (ring == NULL || seen == NULL) {
		free(ring);
		free(seen);
		return -ENOMEM;
	}
	ring[n_ring++] = c;
	seen[c] = true;
	while (start < n_ring && n == 0) {
		size_t end = n_ring;
		for (q = start; q < end; q++) {
			int t = ring[q];
			for (i = f->adj_first[t]; i < f->adj_first[t + 1];
			     i++) {
				const struct rel *r = &f->r[f->adj[i]];
				for (j = 0; j < r->n; j++) {
					int u = f->rt[r->first + j];
					if (seen[u])
						continue;
					seen[u] = true;
					if (!f->t[u].cell || f->t[u].hidden)
						ring[n_ring++] = u;
					else if (f->t[u].value != 0)
						out[n++] = u;
				}
			}
		}
		start = end;
	}
	free(ring);
	free(seen);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && by_value(f, out[j], out[j - 1]) < 0; j--) {
			int tmp = out[j];
			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
	return (int)n;
}

/*
 * Marks wide the cells of list c (n of them) that two points show to be:
 * one pushing them all up towards DISCLOSE_SPAN - 1 above their true
 * values, one down as far below; with the true values that is three
 * values per cell, and two problems for many cells. Points of the
 * relaxation (exact false: the cells become S_LP_WIDE) or whole-number
 * points (S_WIDE). Cells left unmarked are taken one by one. Returns 0 or
 * -errno.
 */
static int
cover(struct dfam *f, struct lp *p, int *c, size_t n, bool exact)
{
	int64_t span = DISCLOSE_SPAN - 1, *up, *down;
	size_t *vars, i, m = n, round;
	double *vu, *vd;
	int r = 0;

	vars = malloc((n + 1) * sizeof(*vars));
	up = malloc((n + 1) * sizeof(*up));
	down = malloc((n + 1) * sizeof(*down));
	vu = malloc((n + 1) * sizeof(*vu));
	vd = malloc((n + 1) * sizeof(*vd));
	if (vars == NULL || up == NULL || down == NULL || vu == NULL ||
	    vd == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (round = 0; round < 30 && m > 0; round++) {
		size_t left = 0;
		if ((r = given_up(f)) != 0)
			break;
		for (i = 0; i < m; i++) {
			const struct term *t = &f->t[c[i]];
			vars[i] = (size_t)t->lp_var;
			up[i] = t->value + span;
			down[i] = t->value - span;
		}
		r = lp_push(p, vars, up, m, true, exact, vu);
		if (r == 0)
			r = lp_push(p, vars, down, m, false, exact, vd);
		if (r == -ETIMEDOUT) {
			r = 0;
			break;
		}
		if (r != 0)
			break;
		for (i = 0; i < m; i++) {
			struct term *t = &f->t[c[i]];
			double hi = vu[i] > vd[i] ? vu[i] : vd[i];
			double lo = vu[i] < vd[i] ? vu[i] : vd[i];
			int64_t h = (int64_t)floor(hi + 1e-6);
			int64_t l = (int64_t)ceil(lo - 1e-6);
			if (h < t->value)
				h = t->value;
			if (l > t->value)
				l = t->value;
			if (wide(f, h - l))
				t->state = exact ? S_WIDE : S_LP_WIDE;
			else
				c[left++] = c[i];
		}
		if (left == m)
			break;
		m = left;
	}
out:
	free(vars);
	free(up);
	free(down);
	free(vu);
	free(vd);
	return r;
}

/*
 * Checks the hidden cells of block b not yet known to be wide: in the
 * relaxation (exact false: cheap, and a narrow answer is certain), or in
 * whole numbers those the relaxation found wide. *ret_first: the first
 * narrow one, or -1.
 */
static int
audit(struct dfam *f, struct lp *p, int b, bool exact, int *ret_first)
{
	int *list = malloc((f->n + 1) * sizeof(*list));
	size_t i, n = 0;
	int r;

	*ret_first = -1;
	if (list == NULL)
		return -ENOMEM;
	for (i = 0; i < f->n; i++) {
		const struct term *t = &f->t[i];
		if (t->block == b && t->hidden &&
		    (t->state == S_UNCHECKED ||
		     (exact && t->state == S_LP_WIDE)))
			list[n++] = (int)i;
	}
	r = cover(f, p, list, n, exact);
	for (i = 0; i < f->n && r == 0; i++) {
		struct term *t = &f->t[i];
		int64_t span;
		if (t->block != b || !t->hidden)
			continue;
		if (t->state == S_UNCHECKED ||
		    (exact && t->state == S_LP_WIDE)) {
			r = given_up(f);
			if (r == 0)
				r = span_of(f, p, t, exact, &span);
			if (r == 0)
				t->state = !wide(f, span) ? S_NARROW
					   : exact	  ? S_WIDE
							  : S_LP_WIDE;
		}
		if (r == 0 && t->state == S_NARROW && *ret_first < 0)
			*ret_first = (int)i;
	}
	free(list);
	return r;
}

/*
 * The shown non-zero cells of block b that hold cell c's range where it
 * is: in the relaxation's optimum for c's greatest or least value, each
 * such cell has a non-zero reduced cost in a direction its bounds would
 * let it move once hidden (up always; down while above k). Written to
 * out, smallest value first, then by index; returns how many, or -errno.
 */
static int
holders(struct dfam *f, struct lp *p, int b, int64_t k, int c, int *out)
{
	double *d = malloc((f->n + 1) * sizeof(*d));
	bool *in = calloc(f->n + 1, sizeof(*in));
	size_t i, j;
	int n = 0, side, r = 0;

	if (d == NULL || in == NULL) {
		n = -ENOMEM;
		goto out;
	}
	for (side = 0; side < 2; side++) {
		bool max = side == 0;
		r = lp_pull(p, (size_t)f->t[c].lp_var, max, d);
		if (r == 1)
			continue; /* no greatest value: nothing holds it */
		if (r != 0) {
			n = r;
			goto out;
		}
		for (i = 0; i < f->n; i++) {
			const struct term *t = &f->t[i];
			double dj;
			bool up, down;
			if (t->block != b || !t->cell || t->hidden ||
			    t->value == 0 || in[i])
				continue;
			dj = d[t->lp_var];
			up = max ? dj > 1e-9 : dj < -1e-9;
			down = max ? dj < -1e-9 : dj > 1e-9;
			if (up || (down && t->value > k)) {
				in[i] = true;
				out[n++] = (int)i;
			}
		}
	}
	for (i = 1; i < (size_t)n; i++)
		for (j = i; j > 0 && by_value(f, out[j], out[j - 1]) < 0; j--) {
			int tmp = out[j];
			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
out:
	free(d);
	free(in);
	return n;
}

/* Sets u hidden or not, in the family and in p. */
static void
set_hidden(struct dfam *f, struct lp *p, int u, bool hidden, int64_t k)
{
	f->t[u].hidden = hidden;
	set_bounds(p, &f->t[u], k);
}

/*
 * Block b's problem with every non-zero cell hidden (latents and zeros as
 * in problem()): the widest ranges any hiding can give, since hiding a
 * cell only loosens its bounds. NULL when out of memory.
 */
static struct lp *
problem_all_hidden(struct dfam *f, int b, int64_t k)
{
	bool *was = malloc((f->n + 1) * sizeof(*was));
	struct lp *p;
	size_t i;

	if (was == NULL)
		return NULL;
	for (i = 0; i < f->n; i++) {
		struct term *t = &f->t[i];
		was[i] = t->hidden;
		if (t->block == b && t->cell && t->value != 0)
			t->hidden = true;
	}
	p = problem(f, b, k);
	for (i = 0; i < f->n; i++)
		f->t[i].hidden = was[i];
	free(was);
	return p;
}

/*
 * Whether narrow cell c of block b stays narrow whatever is hidden: in
 * *all (problem_all_hidden, made the first time it is asked), even the
 * relaxation finds it narrow. 1 if so, 0 if not, or -errno. (Narrow there
 * in whole numbers only, it is not taken as hopeless: an integer
 * programme over a block with everything hidden may take long, and one
 * that reaches its bound answers narrow.)
 */
static int
hopeless(struct dfam *f, struct lp **all, int b, int64_t k, int c)
{
	int64_t span = 0;
	int r;

	if (*all == NULL && (*all = problem_all_hidden(f, b, k)) == NULL)
		return -ENOMEM;
	r = span_of(f, *all, &f->t[c], false, &span);
	if (r != 0)
		return r;
	return wide(f, span) ? 0 : 1;
}

/*
 * Widens narrow cell c of block b: first looks again (cells hidden since
 * it was found narrow may have widened it: then nothing more is hidden);
 * else hides one more cell: the smallest of the cells that hold c's
 * range in the relaxation; when none does (the range is narrow only in
 * whole numbers, or the optimum is degenerate), the smallest of the
 * nearest cells whose hiding widens c's range, else the smallest of
 * those - unless c is hopeless (say a total below k of as many small
 * parts as it is, each at least 1): then c is beyond protection
 * (S_FAILED) and nothing is hidden for it, where hiding ring after ring
 * of cells within reach would withhold the whole block and leave c as
 * narrow. c is looked at again afterwards (state S_UNCHECKED), and so is
 * the cell hidden.
 */
static int
widen(struct dfam *f, struct lp *p, struct lp **all, int b, int64_t k, int c,
      bool exact)
{
	int *cand, n, pick, r;
	size_t i;
	int64_t before = 0, after = 0;
	bool held;

	r = span_of(f, p, &f->t[c], exact, &before);
	if (r != 0)
		return r;
	if (wide(f, before)) {
		f->t[c].state = exact ? S_WIDE : S_LP_WIDE;
		return 0;
	}
	cand = malloc((f->n + 1) * sizeof(*cand));
	if (cand == NULL)
		return -ENOMEM;
	n = exact ? 0 : holders(f, p, b, k, c, cand);
	held = n > 0;
	if (n == 0 && (r = hopeless(f, all, b, k, c)) != 0) {
		free(cand);
		if (r == 1)
			f->t[c].state = S_FAILED;
		return r == 1 ? 0 : r;
	}
	if (n == 0)
		n = candidates(f, c, cand);
	if (n <= 0) {
		free(cand);
		if (n == 0)
			f->t[c].state = S_FAILED;
		return n;
	}
	pick = cand[0];
	for (i = 0; !held && r == 0 && i < (size_t)n && i < MAX_TRIALS; i++) {
		if ((r = given_up(f)) != 0)
			break;
		set_hidden(f, p, cand[i], true, k);
		r = span_of(f, p, &f->t[c], exact, &after);
		set_hidden(f, p, cand[i], false, k);
		if (r == 0 && after > before) {
			pick = cand[i];
			break;
		}
	}
	free(cand);
	if (r != 0)
		return r;
	set_hidden(f, p, pick, true, k);
	f->t[pick].state = S_UNCHECKED;
	f->t[c].state = S_UNCHECKED;
	return 0;
}

/*
 * Hides cells of block b until every hidden cell is wide: first as the
 * relaxation sees it (cheap), then in whole numbers (an integer
 * programme only where the relaxation's optimum is fractional).
 */
static int
protect_block(struct dfam *f, int b, int64_t k)
{
	struct lp *p = problem(f, b, k), *all = NULL;
	int first, r;
	bool exact = false;

	if (p == NULL)
		return -ENOMEM;
	for (;;) {
		r = audit(f, p, b, exact, &first);
		if (r != 0)
			break;
		if (first < 0 && !exact) {
			exact = true;
			continue;
		}
		if (first < 0)
			break;
		r = widen(f, p, &all, b, k, first, exact);
		if (r != 0)
			break;
		exact = false;
	}
	lp_free(&p);
	lp_free(&all);
	return r;
}

int
dfam_protect(struct dfam *f, int64_t k, size_t *ret_unprotected)
{
	size_t i, failed = 0;
	bool *todo;
	int r;

	f->k = k;
	r = index_relations(f);
	if (r != 0)
		return r;
	for (i = 0; i < f->n; i++) {
		struct term *t = &f->t[i];
		t->hidden = t->cell && t->value > 0 && t->value < k;
		t->state = t->hidden ? S_UNCHECKED : S_SHOWN;
	}
	todo = calloc(f->n + 1, sizeof(*todo));
	if (todo == NULL)
		return -ENOMEM;
	for (i = 0; i < f->n; i++)
		if (f->t[i].hidden)
			todo[f->t[i].block] = true;
	for (i = 0; i < f->n && r == 0; i++)
		if (todo[i])
			r = protect_block(f, (int)i, k);
	free(todo);
	for (i = 0; i < f->n; i++)
		failed += f->t[i].state == S_FAILED;
	if (ret_unprotected != NULL)
		*ret_unprotected = failed;
	return r;
}

int
dfam_range(struct dfam *f, int64_t k, int term, int64_t *ret_min,
	   int64_t *ret_max)
{
	struct lp *p;
	int r;

	if (term < 0 || (size_t)term >= f->n)
		return -EINVAL;
	if (f->adj_first == NULL) {
		r = index_relations(f);
		if (r != 0)
			return r;
	}
	if (f->t[term].cell && !f->t[term].hidden) {
		*ret_min = *ret_max = f->t[term].value;
		return 0;
	}
	p = problem(f, f->t[term].block, k);
	if (p == NULL)
		return -ENOMEM;
	r = lp_range(p, (size_t)f->t[term].lp_var, true, ret_min, ret_max);
	lp_free(&p);
	return r;
}
