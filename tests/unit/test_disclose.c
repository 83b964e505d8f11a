/*
 * test_disclose.c - disclosure control (disclose.h): primary and
 * secondary suppression on hand-made tables, and a property test that
 * checks by brute force, on many random tables, that no hidden count can
 * be worked out from the groups' equations.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disclose.h"

#define K 10

/* ---- building tables ---------------------------------------------------- */

#define MAX_CELLS 64
#define MAX_GROUPS 8

struct table {
	struct dcell cells[MAX_CELLS];
	size_t n_cells;
	struct dgroup *groups; /* MAX_GROUPS, heap: a dgroup is 2 KiB */
	size_t n_groups;
};

static struct table *
table_new(void)
{
	struct table *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->groups = calloc(MAX_GROUPS, sizeof(*t->groups));
	assert_non_null(t->groups);
	return t;
}

static void
table_free(struct table *t)
{
	free(t->groups);
	free(t);
}

/* A count cell; returns its index. */
static int
count(struct table *t, int64_t v)
{
	struct dcell *c;

	assert_true(t->n_cells < MAX_CELLS);
	c = &t->cells[t->n_cells];
	memset(c, 0, sizeof(*c));
	c->value = v;
	c->count = true;
	c->dep[0] = c->dep[1] = -1;
	return (int)t->n_cells++;
}

/* A derived cell (median or share) on dep0 and dep1, over n values. */
static int
derived(struct table *t, int64_t v, int dep0, int dep1, int64_t n)
{
	struct dcell *c;

	assert_true(t->n_cells < MAX_CELLS);
	c = &t->cells[t->n_cells];
	memset(c, 0, sizeof(*c));
	c->value = v;
	c->dep[0] = dep0;
	c->dep[1] = dep1;
	c->n = n;
	return (int)t->n_cells++;
}

static struct dgroup *
group(struct table *t, int total)
{
	struct dgroup *g;

	assert_true(t->n_groups < MAX_GROUPS);
	g = &t->groups[t->n_groups++];
	g->total = total;
	g->n_parts = 0;
	return g;
}

static void
part(struct dgroup *g, int cell)
{
	g->parts[g->n_parts++] = cell;
}

static void
apply(struct table *t)
{
	disclose_apply(t->cells, t->n_cells, t->groups, t->n_groups, K);
}

static bool
hidden(const struct table *t, int i)
{
	return t->cells[i].suppressed;
}

static size_t
n_hidden(const struct table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_cells; i++)
		n += t->cells[i].suppressed;
	return n;
}

/* ---- the brute force ---------------------------------------------------- */

/*
 * The reader's view: each hidden cell an unknown in 1..bound (hidden
 * cells are never 0), each group one equation
 *	sum(parts) - total = 0	(total a cell), or
 *	sum(parts) = known	(total from elsewhere: the true sum)
 * with shown cells as constants.
 */
#define MAX_TERMS (DISCLOSE_MAX_PARTS + 1)

struct eq {
	size_t n;
	int var[16];
	int coef[16];
	int64_t c; /* constant: shown cells and the known total */
};

struct solver {
	size_t n_vars;
	int cell_of[MAX_CELLS]; /* var -> cell */
	int var_of[MAX_CELLS];	/* cell -> var or -1 */
	int64_t truth[MAX_CELLS];
	struct eq eqs[MAX_GROUPS];
	size_t n_eqs;
	int64_t bound;
	int64_t val[MAX_CELLS];
	bool set[MAX_CELLS];
	unsigned long nodes;
};

static void
solver_init(struct solver *s, const struct table *t, int64_t bound)
{
	size_t i, j;

	memset(s, 0, sizeof(*s));
	s->bound = bound;
	for (i = 0; i < t->n_cells; i++) {
		s->var_of[i] = -1;
		if (!t->cells[i].suppressed || !t->cells[i].count)
			continue;
		/* Hidden counts are never 0: the model relies on it. */
		assert_true(t->cells[i].value > 0);
		assert_true(t->cells[i].value <= bound);
		s->var_of[i] = (int)s->n_vars;
		s->cell_of[s->n_vars] = (int)i;
		s->truth[s->n_vars] = t->cells[i].value;
		s->n_vars++;
	}
	for (i = 0; i < t->n_groups; i++) {
		const struct dgroup *g = &t->groups[i];
		struct eq *e = &s->eqs[s->n_eqs++];
		int64_t sum = 0;
		for (j = 0; j <= g->n_parts; j++) {
			int cell, coef;
			if (j == g->n_parts) {
				if (g->total < 0)
					break;
				cell = g->total;
				coef = -1;
			} else {
				cell = g->parts[j];
				coef = 1;
				sum += t->cells[cell].value;
			}
			if (s->var_of[cell] >= 0) {
				assert_true(e->n < 16);
				e->var[e->n] = s->var_of[cell];
				e->coef[e->n] = coef;
				e->n++;
			} else {
				e->c += coef * t->cells[cell].value;
			}
		}
		if (g->total < 0)
			e->c -= sum; /* the known total */
	}
}

/* Whether every equation can still be met by the unset unknowns. */
static bool
feasible(const struct solver *s)
{
	size_t i, j;

	for (i = 0; i < s->n_eqs; i++) {
		const struct eq *e = &s->eqs[i];
		int64_t lo = e->c, hi = e->c;
		for (j = 0; j < e->n; j++) {
			int v = e->var[j];
			if (s->set[v]) {
				lo += e->coef[j] * s->val[v];
				hi += e->coef[j] * s->val[v];
			} else if (e->coef[j] > 0) {
				lo += 1;
				hi += s->bound;
			} else {
				lo -= s->bound;
				hi -= 1;
			}
		}
		if (lo > 0 || hi < 0)
			return false;
	}
	return true;
}

/* Depth-first search for an assignment of every unset unknown. */
static bool
search(struct solver *s)
{
	size_t v;
	int64_t x;

	s->nodes++;
	if (s->nodes > 20000000ul)
		fail_msg("brute force over budget");
	for (v = 0; v < s->n_vars && s->set[v]; v++)
		;
	if (v == s->n_vars)
		return true;
	s->set[v] = true;
	for (x = 1; x <= s->bound; x++) {
		s->val[v] = x;
		if (feasible(s) && search(s)) {
			s->set[v] = false;
			return true;
		}
	}
	s->set[v] = false;
	return false;
}

/*
 * Whether unknown v can take a value other than its true one in some
 * assignment meeting every equation (the true assignment always does).
 */
static bool
can_vary(struct solver *s, size_t v)
{
	int64_t x;
	bool found = false;

	memset(s->set, 0, sizeof(s->set));
	s->set[v] = true;
	for (x = 1; x <= s->bound && !found; x++) {
		if (x == s->truth[v])
			continue;
		s->val[v] = x;
		if (feasible(s) && search(s))
			found = true;
	}
	s->set[v] = false;
	return found;
}

/* The true assignment meets every equation: the model is right. */
static void
check_truth(struct solver *s)
{
	size_t v;

	for (v = 0; v < s->n_vars; v++) {
		s->val[v] = s->truth[v];
		s->set[v] = true;
	}
	assert_true(feasible(s));
	memset(s->set, 0, sizeof(s->set));
}

static int64_t
max_value(const struct table *t)
{
	int64_t m = 0;
	size_t i;

	for (i = 0; i < t->n_cells; i++)
		if (t->cells[i].value > m)
			m = t->cells[i].value;
	return m;
}

/* Returns the first hidden count cell the reader can work out, or -1. */
static int
first_determined(const struct table *t)
{
	struct solver *s = calloc(1, sizeof(*s));
	int64_t bound = 2 * max_value(t) + 2;
	int found = -1;
	size_t v;

	assert_non_null(s);
	solver_init(s, t, bound < 60 ? 60 : bound);
	check_truth(s);
	for (v = 0; v < s->n_vars && found < 0; v++)
		if (!can_vary(s, v))
			found = s->cell_of[v];
	free(s);
	return found;
}

static void
dump(const struct table *t)
{
	size_t i, j;

	for (i = 0; i < t->n_cells; i++)
		print_message("cell %zu: %lld%s%s\n", i,
			      (long long)t->cells[i].value,
			      t->cells[i].count ? "" : " (derived)",
			      t->cells[i].suppressed ? " HIDDEN" : "");
	for (i = 0; i < t->n_groups; i++) {
		print_message("group %zu: total %d, parts", i,
			      t->groups[i].total);
		for (j = 0; j < t->groups[i].n_parts; j++)
			print_message(" %d", t->groups[i].parts[j]);
		print_message("\n");
	}
}

/* ---- hand-made tables --------------------------------------------------- */

static void
test_primary(void **state)
{
	struct table *t = table_new();
	static const int64_t v[] = {0, 1, 2, 9, 10, 11, 1000};
	static const bool want[] = {false, true,  true, true,
				    false, false, false};
	size_t i;
	int plain;

	(void)state;
	for (i = 0; i < 7; i++)
		count(t, v[i]);
	/* A non-count cell with a small value is not primary-hidden. */
	plain = derived(t, 3, -1, -1, 0);
	apply(t);
	for (i = 0; i < 7; i++)
		assert_int_equal(hidden(t, (int)i), want[i]);
	assert_false(hidden(t, plain));
	/* k = 1 hides nothing; k = 1001 all but 0. */
	disclose_apply(t->cells, t->n_cells, t->groups, 0, 1);
	assert_int_equal(n_hidden(t), 0);
	disclose_apply(t->cells, t->n_cells, t->groups, 0, 1001);
	assert_int_equal(n_hidden(t), 6);
	/* Re-applying starts over: suppressed flags are recomputed. */
	apply(t);
	for (i = 0; i < 7; i++)
		assert_int_equal(hidden(t, (int)i), want[i]);
	table_free(t);
}

/* One small cell in a group with a known total: a second is hidden,
 * the smallest shown non-zero part. */
static void
test_second_cell(void **state)
{
	struct table *t = table_new();
	struct dgroup *g;
	int a, b, c, z;

	(void)state;
	a = count(t, 3);
	b = count(t, 30);
	c = count(t, 20);
	z = count(t, 0);
	g = group(t, -1);
	part(g, a);
	part(g, b);
	part(g, c);
	part(g, z);
	apply(t);
	assert_true(hidden(t, a));
	assert_true(hidden(t, c));
	assert_false(hidden(t, b));
	assert_false(hidden(t, z));
	assert_true(disclose_group_safe(t->cells, g));
	assert_int_equal(first_determined(t), -1);
	table_free(t);
}

/* Two hidden cells that can only be 1 each: a third is hidden. */
static void
test_third_cell(void **state)
{
	struct table *t = table_new();
	struct dgroup *g;
	int a, b, c, d;

	(void)state;
	a = count(t, 1);
	b = count(t, 1);
	c = count(t, 25);
	d = count(t, 40);
	g = group(t, -1);
	part(g, a);
	part(g, b);
	part(g, c);
	part(g, d);
	/* Before: the two 1s alone would be known to be 1 each. */
	t->cells[a].suppressed = t->cells[b].suppressed = true;
	assert_false(disclose_group_safe(t->cells, g));
	apply(t);
	assert_true(hidden(t, a));
	assert_true(hidden(t, b));
	assert_true(hidden(t, c));
	assert_false(hidden(t, d));
	assert_true(disclose_group_safe(t->cells, g));
	assert_int_equal(first_determined(t), -1);
	table_free(t);

	/* Hidden cells 1 and 2 (sum 3 > 2 cells) are fine as they are. */
	t = table_new();
	a = count(t, 1);
	b = count(t, 2);
	c = count(t, 25);
	g = group(t, -1);
	part(g, a);
	part(g, b);
	part(g, c);
	apply(t);
	assert_true(hidden(t, a));
	assert_true(hidden(t, b));
	assert_false(hidden(t, c));
	assert_int_equal(first_determined(t), -1);
	table_free(t);
}

/* A referral row: sent = taken_up + pending, all three cells. */
static void
test_referral_row(void **state)
{
	static const int64_t rows[][3] = {
	    /* sent, taken_up, pending */
	    {25, 22, 3}, {12, 11, 1},  {12, 12, 0}, {5, 5, 0},
	    {5, 2, 3},	 {40, 20, 20}, {0, 0, 0},   {10, 1, 9},
	    {11, 10, 1}, {30, 29, 1},  {9, 0, 9},   {50, 0, 50}};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct table *t = table_new();
		struct dgroup *g;
		int s, tu, p, m;
		s = count(t, rows[i][0]);
		tu = count(t, rows[i][1]);
		p = count(t, rows[i][2]);
		/* The median days of those taken up depends on taken_up. */
		m = derived(t, 14, tu, -1, rows[i][1]);
		g = group(t, s);
		part(g, tu);
		part(g, p);
		apply(t);
		if (first_determined(t) >= 0) {
			dump(t);
			fail_msg("row %zu: a hidden cell is determined", i);
		}
		assert_true(disclose_group_safe(t->cells, g));
		/* The median goes with taken_up, and needs k values. */
		assert_int_equal(hidden(t, m),
				 hidden(t, tu) ||
				     (rows[i][1] > 0 && rows[i][1] < K));
		table_free(t);
	}

	/* The first row in detail: pending 3 hidden, so taken_up too;
	 * sent stays. */
	{
		struct table *t = table_new();
		struct dgroup *g;
		int s = count(t, 25), tu = count(t, 22), p = count(t, 3);
		g = group(t, s);
		part(g, tu);
		part(g, p);
		apply(t);
		assert_false(hidden(t, s));
		assert_true(hidden(t, tu));
		assert_true(hidden(t, p));
		table_free(t);
	}
	/* Sent below k: hidden with what makes it up; an all-zero row is
	 * shown. */
	{
		struct table *t = table_new();
		struct dgroup *g;
		int s = count(t, 5), tu = count(t, 5), p = count(t, 0);
		g = group(t, s);
		part(g, tu);
		part(g, p);
		apply(t);
		assert_true(hidden(t, s));
		assert_true(hidden(t, tu));
		assert_false(hidden(t, p));
		table_free(t);
	}
}

static void
test_medians(void **state)
{
	struct table *t = table_new();
	int small, big, m1, m2, m3, m4, share;

	(void)state;
	small = count(t, 4);
	big = count(t, 40);
	m1 = derived(t, 12, small, -1, 40);   /* dependency hidden */
	m2 = derived(t, 12, big, -1, 40);     /* shown */
	m3 = derived(t, 12, big, -1, K - 1);  /* too few values */
	m4 = derived(t, 12, -1, -1, K);	      /* exactly k values */
	share = derived(t, 0, big, small, 0); /* second dependency hidden */
	apply(t);
	assert_true(hidden(t, small));
	assert_false(hidden(t, big));
	assert_true(hidden(t, m1));
	assert_false(hidden(t, m2));
	assert_true(hidden(t, m3));
	assert_false(hidden(t, m4));
	assert_true(hidden(t, share));
	table_free(t);
}

/* disclose_group_safe on a group with a known total, case by case. */
static void
test_group_safe_cases(void **state)
{
	struct table *t = table_new();
	struct dgroup *g;
	int a, b, c, tot;

	(void)state;
	a = count(t, 1);
	b = count(t, 1);
	c = count(t, 5);
	g = group(t, -1);
	part(g, a);
	part(g, b);
	part(g, c);
	assert_true(disclose_group_safe(t->cells, g)); /* nothing hidden */
	t->cells[c].suppressed = true;
	assert_false(disclose_group_safe(t->cells, g)); /* one */
	t->cells[a].suppressed = true;
	assert_true(disclose_group_safe(t->cells, g)); /* 1 + 5 */
	t->cells[c].suppressed = false;
	t->cells[b].suppressed = true;
	assert_false(disclose_group_safe(t->cells, g)); /* 1 + 1 */
	t->cells[c].suppressed = true;
	assert_true(disclose_group_safe(t->cells, g));
	table_free(t);

	/* With a cell total. */
	t = table_new();
	tot = count(t, 7);
	a = count(t, 3);
	b = count(t, 4);
	g = group(t, tot);
	part(g, a);
	part(g, b);
	t->cells[tot].suppressed = true;
	assert_false(disclose_group_safe(t->cells, g)); /* total = 3 + 4 */
	t->cells[a].suppressed = true;
	/* total = a + 4 alone is not solvable, but a total that another
	 * equation pins would pin a: a second hidden part is asked for. */
	assert_false(disclose_group_safe(t->cells, g));
	t->cells[b].suppressed = true;
	assert_true(disclose_group_safe(t->cells, g));
	t->cells[b].suppressed = false;
	t->cells[tot].suppressed = false;
	assert_false(disclose_group_safe(t->cells, g)); /* a = 7 - 4 */
	table_free(t);
}

/* ---- the property test -------------------------------------------------- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* A small count: often 0, often under k, sometimes over. */
static int64_t
small_count(void)
{
	unsigned r = (unsigned)(rng() % 10);

	if (r < 2)
		return 0;
	if (r < 3)
		return 1;
	if (r < 7)
		return (int64_t)(1 + rng() % 9);
	return (int64_t)(10 + rng() % 12);
}

/*
 * Random groups of 2-6 fresh parts. A group's total is a cell, or known
 * from elsewhere when it could be published there (0 or at least k).
 * With share_totals, a later group may reuse an earlier group's total
 * cell (two breakdowns of the same total).
 */
static void
random_table(struct table *t, bool share_totals)
{
	size_t n_groups = 1 + rng() % 4, i, j;
	int totals[MAX_GROUPS];
	int64_t sums[MAX_GROUPS];

	for (i = 0; i < n_groups; i++) {
		size_t n_parts = 2 + rng() % 5;
		int64_t v[6], sum = 0;
		struct dgroup *g;
		int total;
		bool reuse = share_totals && i > 0 && rng() % 2 == 0 &&
			     totals[i - 1] >= 0;

		if (reuse) {
			/* Parts that add up to the previous total. */
			int64_t left = sums[i - 1];
			for (j = 0; j + 1 < n_parts; j++) {
				v[j] = left > 0
					   ? (int64_t)(rng() %
						       (uint64_t)(left + 1))
					   : 0;
				left -= v[j];
			}
			v[n_parts - 1] = left;
			sum = sums[i - 1];
			total = totals[i - 1];
		} else {
			for (j = 0; j < n_parts; j++) {
				v[j] = small_count();
				sum += v[j];
			}
			if ((sum == 0 || sum >= K) && rng() % 2 == 0)
				total = -1;
			else
				total = count(t, sum);
		}
		g = group(t, total);
		for (j = 0; j < n_parts; j++)
			part(g, count(t, v[j]));
		totals[i] = total;
		sums[i] = sum;
	}
}

static void
run_property(uint64_t seed, int tables, bool share_totals)
{
	int n;

	rng_state = seed;
	for (n = 0; n < tables; n++) {
		struct table *t = table_new();
		size_t i;
		int d;

		random_table(t, share_totals);
		apply(t);
		for (i = 0; i < t->n_groups; i++) {
			if (!disclose_group_safe(t->cells, &t->groups[i])) {
				dump(t);
				fail_msg("table %d: group %zu not safe", n, i);
			}
		}
		d = first_determined(t);
		if (d >= 0) {
			dump(t);
			fail_msg("table %d: hidden cell %d is determined", n,
				 d);
		}
		table_free(t);
	}
}

static void
test_property_independent(void **state)
{
	(void)state;
	run_property(0x853c49e6748fea9bull, 3000, false);
}

static void
test_property_shared_totals(void **state)
{
	(void)state;
	run_property(0xda3e39cb94b95bdbull, 3000, true);
}

/*
 * disclose_group_safe agrees with the brute force on one group, for
 * random patterns of hidden non-zero cells (not only those
 * disclose_apply makes).
 */
static void
test_group_safe_agrees(void **state)
{
	int n;

	(void)state;
	rng_state = 0x2545f4914f6cdd1dull;
	for (n = 0; n < 3000; n++) {
		struct table *t = table_new();
		struct dgroup *g;
		size_t n_parts = 2 + rng() % 5, j;
		int64_t sum = 0;
		int total;
		bool safe, brute;

		total = -1;
		if (rng() % 2)
			total = count(t, 0); /* value set below */
		g = group(t, total);
		for (j = 0; j < n_parts; j++) {
			int64_t v = small_count();
			part(g, count(t, v));
			sum += v;
		}
		if (total >= 0)
			t->cells[total].value = sum;
		for (j = 0; j < t->n_cells; j++)
			t->cells[j].suppressed =
			    t->cells[j].value > 0 && rng() % 2 == 0;
		safe = disclose_group_safe(t->cells, g);
		brute = first_determined(t) < 0;
		/* Sound, and exact where the total is not hidden (a hidden
		 * total asks for more, for the sake of nested groups). */
		if (safe ? !brute
			 : brute &&
			       !(total >= 0 && t->cells[total].suppressed)) {
			dump(t);
			fail_msg("pattern %d: group_safe says %s, brute force "
				 "%s",
				 n, safe ? "safe" : "unsafe",
				 brute ? "safe" : "unsafe");
		}
		table_free(t);
	}
}

/*
 * Nested groups: a group's total cell is a part of another group (the
 * header allows it: each cell is a *part* of at most one group). Each
 * group is judged alone, so a cell pinned by the two equations together
 * stays hidden but known:
 *	T = a1 + a2 (a2 = 20 shown), G = T + U = 22 known,
 * a1 = 1 and U = 1 hidden (under k), so T is hidden to protect U. Then
 * T >= 21 (a1 >= 1) and T <= 21 (U >= 1): T = 21, a1 = 1, U = 1.
 */
static void
test_nested_groups(void **state)
{
	struct table *t;
	struct dgroup *a, *g;
	int a1, a2, tot, u, d;

	(void)state;
	t = table_new();
	tot = count(t, 21);
	a1 = count(t, 1);
	a2 = count(t, 20);
	u = count(t, 1);
	/* G first: it hides T to protect U; then A, with its total
	 * hidden, counts as safe with a1 alone hidden. */
	g = group(t, -1);
	part(g, tot);
	part(g, u);
	a = group(t, tot);
	part(a, a1);
	part(a, a2);
	apply(t);
	d = first_determined(t);
	if (d >= 0) {
		dump(t);
		fail_msg("hidden cell %d is determined", d);
	}
	table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_primary),
	    cmocka_unit_test(test_second_cell),
	    cmocka_unit_test(test_third_cell),
	    cmocka_unit_test(test_referral_row),
	    cmocka_unit_test(test_medians),
	    cmocka_unit_test(test_group_safe_cases),
	    cmocka_unit_test(test_property_independent),
	    cmocka_unit_test(test_property_shared_totals),
	    cmocka_unit_test(test_group_safe_agrees),
	    cmocka_unit_test(test_nested_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
