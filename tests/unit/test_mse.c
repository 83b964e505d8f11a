/*
 * test_mse.c - multiple-systems estimation (lib/mse/mse.h) against R's
 * SparseMSE 2.0.1 on its published data sets (tests/data/mse), the
 * closed form of two lists, the existence and identifiability refusals,
 * the bootstrap, and the CSV reader's refusals.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mse/mse.h"

/*
 * Reference figures from R's SparseMSE 2.0.1, run with Rscript on
 * 2026-11-30 (R 4.2.2 from Debian 12's r-base-core, lpSolve 5.6.18 from
 * r-cran-lpsolve) by sourcing the package's R/routines.R (CRAN source of
 * 2.0.1) and, for each file and method M in "main", "stepwise":
 *
 *   d <- as.matrix(read.csv("tests/data/mse/FILE.csv"))
 *   e <- estimatepopulation.0(d, method = M, quantiles = c(0.025, 0.975))
 *
 * printing e$estimate (point estimate, 2.5% and 97.5%) and the fitted
 * model's interactions. The order the stepwise pairs were added in comes
 * from tracing stepwisefit's calls to modelfit; R lists a pair whose
 * lists never overlap (Ned_5's K:R) apart, in MSEfit$emptyoverlaps.
 * tests/data/mse/README.md has the script.
 */
struct reference {
	const char *file;
	enum mse_method method;
	const char *interactions;
	double estimate, low95, high95;
};

static const struct reference references[] = {
    {"Artificial_3", MSE_MAIN, "", 539.093929, 278.654157, 1170.885092},
    {"Artificial_3", MSE_STEPWISE, "", 539.093929, 278.654157, 1170.885092},
    {"Korea", MSE_MAIN, "", 141.992647, 134.880912, 153.361359},
    {"Korea", MSE_STEPWISE, "b:c", 268.777778, 202.532822, 390.199879},
    {"Ned_5", MSE_MAIN, "", 52923.894254, 48594.521974, 57717.667474},
    {"Ned_5", MSE_STEPWISE, "IO:Z P:Z P:R IO:P K:R IO:K", 121521.613712,
     98675.432269, 150138.911262},
    {"NewOrl", MSE_MAIN, "", 949.470692, 624.836370, 1514.257037},
    {"NewOrl", MSE_STEPWISE, "D:E", 1110.488081, 692.213272, 1874.375748},
    {"NewOrl_5", MSE_MAIN, "", 981.431367, 636.455146, 1590.603910},
    {"NewOrl_5", MSE_STEPWISE, "", 981.431367, 636.455146, 1590.603910},
    {"UKdat", MSE_MAIN, "", 12213.995125, 10988.800134, 13621.256720},
    {"UKdat", MSE_STEPWISE, "PF:NCA LA:NG NG:GP LA:PF PF:GP GO:GP NG:GO",
     11417.991092, 9977.282640, 13145.656510},
    {"UKdat_5", MSE_MAIN, "", 13444.131209, 11985.170947, 15133.426464},
    {"UKdat_5", MSE_STEPWISE, "LA:NG NG:GP PFNCA:GP LA:PFNCA GO:GP NG:GO",
     11312.990289, 9884.402831, 13027.396655},
    {"Western", MSE_MAIN, "", 2007.141757, 1420.417962, 2913.968828},
    {"Western", MSE_STEPWISE, "A:E", 2483.383920, 1657.093666, 3830.030001},
};

/*
 * The bootstrap's acceleration comes from a jackknife, which has no
 * randomness: SparseMSE 2.0.1's estimatepopulation(d, nboot = 1000,
 * iseed = 1234, alpha = c(0.025, 0.975))$ahat, same run as above.
 */
static const struct {
	const char *file;
	double ahat;
} accelerations[] = {
    {"Western", -0.09501025571},
    {"UKdat_5", -0.01218108137},
    {"Korea", -0.02877337985},
};

#define REL_TOL 1e-3 /* the issue asks for 0.1% */

static void
load(const char *name, struct mse_table *t)
{
	char path[512], *buf;
	struct mse_csv_error err;
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/mse/%s.csv", KUSKA_TEST_DATA, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	buf = malloc(1 << 16);
	assert_non_null(buf);
	len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	if (mse_csv_parse(buf, len, t, &err) != 0)
		fail_msg("%s:%u: %s", path, err.line, err.reason);
	free(buf);
}

static void
assert_close(double got, double want, double rel, const char *what)
{
	if (!(fabs(got - want) <= rel * fabs(want)))
		fail_msg("%s: %.6f, expected %.6f (relative tolerance %g)",
			 what, got, want, rel);
}

static void
test_sparsemse_figures(void **state)
{
	struct mse_table t;
	struct mse_estimate e;
	char ints[512], what[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(references) / sizeof(references[0]); i++) {
		const struct reference *r = &references[i];
		load(r->file, &t);
		assert_int_equal(mse_estimate(&t, r->method, &e), 0);
		snprintf(what, sizeof(what), "%s %s", r->file,
			 mse_format_method(r->method));
		if (e.status != MSE_ESTIMATED)
			fail_msg("%s: no estimate: %s", what, e.reason);
		assert_string_equal(
		    mse_format_interactions(&t, &e, ints, sizeof(ints)),
		    r->interactions);
		assert_close(e.estimate, r->estimate, REL_TOL, what);
		assert_close(e.low95, r->low95, REL_TOL, what);
		assert_close(e.high95, r->high95, REL_TOL, what);
		assert_int_equal(e.observed, mse_table_observed(&t));
	}
}

/* The figures the issue quotes, as it writes them. */
static void
test_issue_figures(void **state)
{
	struct mse_table t;
	struct mse_estimate e;
	char note[256];

	(void)state;
	load("UKdat_5", &t);
	assert_int_equal(mse_estimate(&t, MSE_STEPWISE, &e), 0);
	assert_int_equal(e.n_pairs, 6);
	assert_int_equal(lround(e.estimate), 11313);
	assert_int_equal(lround(e.low95), 9884);
	assert_int_equal(lround(e.high95), 13027);
	load("Western", &t);
	assert_int_equal(mse_estimate(&t, MSE_STEPWISE, &e), 0);
	assert_int_equal(e.n_pairs, 1);
	assert_int_equal(e.pairs[0], mse_pair_index(5, 0, 4));
	assert_int_equal(lround(e.estimate * 10), 24834);
	/* Ned_5's stepwise model holds a pair at minus infinity. */
	load("Ned_5", &t);
	assert_int_equal(mse_estimate(&t, MSE_STEPWISE, &e), 0);
	assert_int_equal(e.empty, UINT64_C(1) << mse_pair_index(5, 1, 3));
	assert_string_equal(mse_format_note(&t, &e, note, sizeof(note)),
			    "model-conditional 95%, log-normal; K and R never "
			    "overlap (effect -inf)");
}

/*
 * A table with fewer than 7 cases seen by two lists or more says so on
 * every row that has an estimate (ESTIMATION.md, "Sparse tables"): the
 * demo's 3 victims of region 02 in 2025Q1, on four lists with one victim
 * on two, got an estimate of 5 (3 to 45) and no word. The figures are
 * unchanged: Artificial_3 (6 such cases) still estimates SparseMSE's 539.1.
 */
static void
test_sparse_note(void **state)
{
	static const char *const names[] = {"pnp", "mp", "mimp", "minsa"};
	struct mse_table t;
	struct mse_estimate e;
	struct mse_boot b;
	char note[MSE_REASON_MAX], big[1024], five[sizeof(big)];
	size_t cut;

	(void)state;
	assert_int_equal(mse_table_init(&t, 4, names), 0);
	assert_int_equal(mse_table_set(&t, 1u << 1, 1), 0); /* mp */
	assert_int_equal(mse_table_set(&t, 1u << 3, 1), 0); /* minsa */
	assert_int_equal(mse_table_set(&t, 1u << 0 | 1u << 2, 1),
			 0); /* pnp+mimp */
	assert_int_equal(mse_table_multiple(&t), 1);
	assert_int_equal(mse_estimate(&t, MSE_STEPWISE, &e), 0);
	assert_int_equal(e.status, MSE_ESTIMATED);
	assert_string_equal(mse_format_note(&t, &e, note, sizeof(note)),
			    "model-conditional 95%, log-normal; sparse: 1 case "
			    "seen by more than one list (under 7): too few to "
			    "trust the estimate");
	assert_int_equal(mse_bootstrap(&t, MSE_STEPWISE, 200, 1, &b, NULL), 0);
	assert_non_null(strstr(mse_format_boot_note(&t, &b, note, sizeof(note)),
			       "; sparse: 1 case seen by more than one list "
			       "(under 7): too few to trust the estimate"));

	load("Artificial_3", &t);
	assert_int_equal(mse_table_multiple(&t), 6);
	assert_int_equal(mse_estimate(&t, MSE_MAIN, &e), 0);
	assert_int_equal(lround(e.estimate * 10), 5391);
	assert_string_equal(
	    mse_format_note(&t, &e, note, sizeof(note)),
	    "model-conditional 95%, log-normal; sparse: 6 cases "
	    "seen by more than one list (under 7): too few to "
	    "trust the estimate");
	/* A sparse table whose model fixes every pair at minus infinity:
	 * the pairs come whole after the sparse part, as many as the note
	 * holds, then how many more (none cut in the middle). */
	assert_int_equal(mse_table_init(&t, 4, names), 0);
	assert_int_equal(mse_table_set(&t, 1u << 0 | 1u << 1, 3), 0);
	assert_int_equal(mse_table_set(&t, 1u << 2 | 1u << 3, 3), 0);
	memset(&e, 0, sizeof(e));
	e.status = MSE_ESTIMATED;
	for (e.n_pairs = 0; e.n_pairs < 6; e.n_pairs++) {
		e.pairs[e.n_pairs] = (uint8_t)e.n_pairs;
		e.empty |= UINT64_C(1) << e.n_pairs;
	}
	assert_string_equal(
	    mse_format_note(&t, &e, note, sizeof(note)),
	    "model-conditional 95%, log-normal; sparse: 6 cases seen by more "
	    "than one list (under 7): too few to trust the estimate; pnp and "
	    "mp never overlap (effect -inf); pnp and mimp never overlap "
	    "(effect -inf); 4 more pairs never overlap (effect -inf)");
	/* Room for all six; then for five and the one more. */
	mse_format_note(&t, &e, big, sizeof(big));
	assert_null(strstr(big, "more pair"));
	assert_non_null(strstr(big, "; mimp and minsa never overlap (effect "
				    "-inf)"));
	cut = strlen(big) -
	      strlen("; mimp and minsa never overlap (effect -inf)") +
	      strlen("; 1 more pair never overlaps (effect -inf)") + 1;
	mse_format_note(&t, &e, five, cut);
	assert_int_equal(strncmp(five, big, strlen(big) - 44), 0);
	assert_string_equal(five + strlen(big) - 44,
			    "; 1 more pair never overlaps (effect -inf)");
	/* The fewest of the published data sets: 13 (NewOrl_5). */
	load("NewOrl_5", &t);
	assert_int_equal(mse_table_multiple(&t), 13);
	assert_int_equal(mse_estimate(&t, MSE_MAIN, &e), 0);
	assert_null(
	    strstr(mse_format_note(&t, &e, note, sizeof(note)), "sparse"));
}

static void
two_lists(struct mse_table *t, uint64_t a_only, uint64_t b_only, uint64_t both)
{
	static const char *const names[] = {"pnp", "mimp"};

	assert_int_equal(mse_table_init(t, 2, names), 0);
	assert_int_equal(mse_table_set(t, 1, a_only), 0);
	assert_int_equal(mse_table_set(t, 2, b_only), 0);
	assert_int_equal(mse_table_set(t, 3, both), 0);
}

/*
 * Two lists, main effects: the model is saturated and the estimate is
 * Lincoln-Petersen's n_A n_B / m, with var(log dark) = 1/n10 + 1/n01 +
 * 1/n11. Stepwise can add nothing (A:B would not be identifiable).
 */
static void
test_lincoln_petersen(void **state)
{
	static const uint64_t cases[][3] = {
	    {40, 30, 10}, {5, 7, 1}, {1000, 250, 50}, {3, 3, 3}, {90, 2, 8},
	};
	struct mse_table t;
	struct mse_estimate e, s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double n10 = (double)cases[i][0], n01 = (double)cases[i][1];
		double m = (double)cases[i][2];
		double lp = (n10 + m) * (n01 + m) / m;
		double dark = n10 * n01 / m;
		double se = sqrt(1 / n10 + 1 / n01 + 1 / m);
		double obs = n10 + n01 + m, z = 1.959963984540054;

		two_lists(&t, cases[i][0], cases[i][1], cases[i][2]);
		assert_int_equal(mse_estimate(&t, MSE_MAIN, &e), 0);
		assert_int_equal(e.status, MSE_ESTIMATED);
		assert_close(e.estimate, lp, 1e-9, "Lincoln-Petersen");
		assert_close(e.dark, dark, 1e-9, "dark figure");
		assert_close(e.log_dark_se, se, 1e-7, "se of log dark");
		assert_close(e.low95, obs + dark * exp(-z * se), 1e-7, "low");
		assert_close(e.high95, obs + dark * exp(z * se), 1e-7, "high");
		assert_int_equal(mse_estimate(&t, MSE_STEPWISE, &s), 0);
		assert_int_equal(s.n_pairs, 0);
		assert_close(s.estimate, lp, 1e-9, "stepwise");
	}
}

/*
 * Artificial_3 exercises both refusals (SparseMSE's own checkident
 * examples, same R run as above): with A:B the estimate does not exist
 * (ierr 1), with every pair it is not identifiable (ierr 2), with A:C and
 * B:C (both never overlap) it passes, and estimatepopulation.0(d,
 * method = "fixed", mX = mX[, 2:3]) gives 296 (174.9350073, 602.7460101).
 */
static void
test_artificial_refusals(void **state)
{
	struct mse_table t;
	struct mse_estimate e;
	unsigned flags, ab, ac, bc, all[3], both[2];

	(void)state;
	load("Artificial_3", &t);
	ab = mse_pair_index(3, 0, 1);
	ac = mse_pair_index(3, 0, 2);
	bc = mse_pair_index(3, 1, 2);
	assert_int_equal(mse_check(&t, 0, &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(mse_check(&t, UINT64_C(1) << ab, &flags), 0);
	assert_int_equal(flags, MSE_CHECK_NOT_EXIST);
	assert_int_equal(mse_check(&t, 7, &flags), 0);
	assert_int_equal(flags, MSE_CHECK_NOT_IDENTIFIABLE);
	assert_int_equal(
	    mse_check(&t, (UINT64_C(1) << ac) | (UINT64_C(1) << bc), &flags),
	    0);
	assert_int_equal(flags, 0);
	assert_int_equal(mse_check(&t, UINT64_C(1) << 3, &flags), -EINVAL);

	assert_int_equal(mse_estimate_fixed(&t, &ab, 1, &e), 0);
	assert_int_equal(e.status, MSE_NOT_EXIST);
	assert_string_equal(e.reason, "no estimate: the model with A:B has no "
				      "finite maximum-likelihood estimate");
	all[0] = ab;
	all[1] = ac;
	all[2] = bc;
	assert_int_equal(mse_estimate_fixed(&t, all, 3, &e), 0);
	assert_int_equal(e.status, MSE_NOT_IDENTIFIABLE);
	assert_string_equal(
	    e.reason,
	    "no estimate: the model with A:B A:C B:C is not identifiable");
	assert_true(e.estimate == 0.0);

	both[0] = ac;
	both[1] = bc;
	assert_int_equal(mse_estimate_fixed(&t, both, 2, &e), 0);
	assert_int_equal(e.status, MSE_ESTIMATED);
	assert_int_equal(e.empty, (UINT64_C(1) << ac) | (UINT64_C(1) << bc));
	assert_close(e.estimate, 296.0, 1e-9, "A:C B:C");
	assert_close(e.low95, 174.9350073, REL_TOL, "A:C B:C low");
	assert_close(e.high95, 602.7460101, REL_TOL, "A:C B:C high");
	/* A pair twice or out of range is the caller's error. */
	both[1] = ac;
	assert_int_equal(mse_estimate_fixed(&t, both, 2, &e), -EINVAL);
	both[1] = 3;
	assert_int_equal(mse_estimate_fixed(&t, both, 2, &e), -EINVAL);
}

/* Tables whose main-effects model has no estimate, and why. */
static void
test_main_effects_refusals(void **state)
{
	static const char *const abc[] = {"A", "B", "C"};
	struct mse_table t;
	struct mse_estimate e;
	enum mse_method m;

	(void)state;
	for (m = MSE_MAIN; m <= MSE_STEPWISE; m++) {
		two_lists(&t, 12, 30, 0);
		assert_int_equal(mse_estimate(&t, m, &e), 0);
		assert_int_equal(e.status, MSE_NOT_EXIST);
		assert_int_equal(e.method, m);
		assert_string_equal(
		    e.reason, "no estimate: the main-effects model has no "
			      "finite maximum-likelihood estimate: no case was "
			      "seen by more than one list");
		assert_int_equal(e.observed, 42);

		assert_int_equal(mse_table_init(&t, 3, abc), 0);
		assert_int_equal(mse_table_set(&t, 1, 10), 0);
		assert_int_equal(mse_table_set(&t, 2, 10), 0);
		assert_int_equal(mse_table_set(&t, 3, 4), 0);
		assert_int_equal(mse_estimate(&t, m, &e), 0);
		assert_int_equal(e.status, MSE_NOT_EXIST);
		assert_non_null(strstr(e.reason, "list C saw no case"));

		assert_int_equal(mse_table_set(&t, 1, 0), 0);
		assert_int_equal(mse_table_set(&t, 6, 1), 0);
		assert_int_equal(mse_estimate(&t, m, &e), 0);
		assert_int_equal(e.status, MSE_NOT_EXIST);
		assert_non_null(strstr(e.reason, "list B saw every case"));

		assert_int_equal(mse_table_init(&t, 3, abc), 0);
		assert_int_equal(mse_estimate(&t, m, &e), 0);
		assert_int_equal(e.status, MSE_NO_CASES);
		assert_int_equal(mse_table_init(&t, 1, abc), 0);
		assert_int_equal(mse_table_set(&t, 1, 5), 0);
		assert_int_equal(mse_estimate(&t, m, &e), 0);
		assert_int_equal(e.status, MSE_TOO_FEW_LISTS);
	}
	assert_int_equal(mse_estimate(&t, MSE_FIXED, &e), -EINVAL);
}

static void
test_bootstrap(void **state)
{
	enum { N = 200 };
	struct mse_table t;
	struct mse_boot b1, b2, b3;
	double *r1 = malloc(N * sizeof(double)),
	       *r2 = malloc(N * sizeof(double));
	char note[256];
	unsigned i;

	(void)state;
	assert_non_null(r1);
	assert_non_null(r2);
	load("Western", &t);
	assert_int_equal(mse_bootstrap(&t, MSE_STEPWISE, N, 7, &b1, r1), 0);
	assert_int_equal(mse_bootstrap(&t, MSE_STEPWISE, N, 7, &b2, r2), 0);
	assert_int_equal(b1.status, MSE_ESTIMATED);
	assert_memory_equal(r1, r2, N * sizeof(double));
	assert_true(b1.low95 == b2.low95 && b1.high95 == b2.high95);
	assert_true(b1.low95 < b1.point.estimate);
	assert_true(b1.point.estimate < b1.high95);
	assert_int_equal(b1.failed, 0);
	for (i = 0; i < N; i++)
		assert_true(isfinite(r1[i]) && r1[i] >= 345.0);
	assert_string_equal(mse_format_boot_note(&t, &b1, note, sizeof(note)),
			    "BCa 95%, 200 resamples of stepwise, seed 7");
	assert_int_equal(mse_bootstrap(&t, MSE_STEPWISE, N, 8, &b3, r2), 0);
	assert_memory_not_equal(r1, r2, N * sizeof(double));
	assert_true(b3.low95 < b3.point.estimate);
	assert_true(b3.point.estimate < b3.high95);

	assert_int_equal(mse_bootstrap(&t, MSE_STEPWISE, 0, 7, &b3, NULL),
			 -EINVAL);
	assert_int_equal(mse_bootstrap(&t, MSE_FIXED, 10, 7, &b3, NULL),
			 -EINVAL);
	free(r1);
	free(r2);
}

static void
test_bootstrap_acceleration(void **state)
{
	struct mse_table t;
	struct mse_boot b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(accelerations) / sizeof(accelerations[0]); i++) {
		load(accelerations[i].file, &t);
		assert_int_equal(
		    mse_bootstrap(&t, MSE_STEPWISE, 20, 1, &b, NULL), 0);
		assert_false(b.jackknife_failed);
		assert_close(b.ahat, accelerations[i].ahat, 1e-6,
			     accelerations[i].file);
	}
}

/*
 * A list with one case is often empty in a resample: it is estimated
 * without that list, not counted as failed. A table with no estimate
 * gets no bootstrap either.
 */
static void
test_bootstrap_edges(void **state)
{
	static const char *const abc[] = {"A", "B", "C"};
	struct mse_table t;
	struct mse_boot b;

	(void)state;
	assert_int_equal(mse_table_init(&t, 3, abc), 0);
	assert_int_equal(mse_table_set(&t, 1, 60), 0);
	assert_int_equal(mse_table_set(&t, 2, 50), 0);
	assert_int_equal(mse_table_set(&t, 3, 25), 0);
	assert_int_equal(mse_table_set(&t, 5, 1), 0);
	assert_int_equal(mse_bootstrap(&t, MSE_MAIN, 100, 3, &b, NULL), 0);
	assert_int_equal(b.status, MSE_ESTIMATED);
	assert_int_equal(b.failed, 0);
	assert_false(b.jackknife_failed);
	assert_true(b.low95 <= b.point.estimate &&
		    b.point.estimate <= b.high95);

	two_lists(&t, 12, 30, 0);
	assert_int_equal(mse_bootstrap(&t, MSE_STEPWISE, 10, 3, &b, NULL), 0);
	assert_int_equal(b.status, MSE_NOT_EXIST);
	assert_string_equal(b.reason, b.point.reason);
}

static void
test_table(void **state)
{
	static const char *const dup[] = {"pnp", "mp", "pnp"};
	static const char *const bad[] = {"pnp", "m p"};
	static const char *const ok[] = {"pnp", "mp", "pj", "mimp"};
	struct mse_table t, small;
	unsigned k, p, a, b, n;

	(void)state;
	assert_int_equal(mse_table_init(&t, 3, dup), -EINVAL);
	assert_int_equal(mse_table_init(&t, 2, bad), -EINVAL);
	assert_int_equal(mse_table_init(&t, 0, ok), -EINVAL);
	assert_int_equal(mse_table_init(&t, MSE_MAX_LISTS + 1, ok), -EINVAL);
	assert_false(mse_name_valid("", 0));
	assert_false(mse_name_valid("a:b", 3));
	assert_false(mse_name_valid("abcdefghijabcdefghijabcdefghijabc", 33));
	assert_true(mse_name_valid("PF.NCA-2_x", 10));

	assert_int_equal(mse_table_init(&t, 4, ok), 0);
	assert_int_equal(mse_table_set(&t, 0, 1), -EINVAL);
	assert_int_equal(mse_table_set(&t, 16, 1), -EINVAL);
	assert_int_equal(mse_table_set(&t, 1, MSE_MAX_COUNT + 1), -ERANGE);
	assert_int_equal(mse_table_set(&t, 1, MSE_MAX_COUNT), 0);
	assert_int_equal(mse_table_set(&t, 2, 1), -ERANGE);
	assert_int_equal(mse_table_set(&t, 1, 3), 0);
	assert_int_equal(mse_table_set(&t, 1 | 8, 2), 0);
	assert_int_equal(mse_table_set(&t, 4 | 8, 5), 0);
	assert_int_equal(mse_table_observed(&t), 10);
	assert_int_equal(mse_table_overlap(&t, 0, 3), 2);
	assert_int_equal(mse_table_overlap(&t, 3, 2), 5);

	/* mp (list 1) saw no one: pnp, pj, mimp remain, same cases. */
	assert_int_equal(mse_table_drop_empty(&t, &small), 1);
	assert_int_equal(small.k, 3);
	assert_string_equal(small.names[1], "pj");
	assert_int_equal(small.count[1], 3);
	assert_int_equal(small.count[1 | 4], 2);
	assert_int_equal(small.count[2 | 4], 5);
	assert_int_equal(mse_table_observed(&small), 10);

	for (k = 2; k <= MSE_MAX_LISTS; k++) {
		n = 0;
		for (a = 0; a < k; a++)
			for (b = a + 1; b < k; b++) {
				p = mse_pair_index(k, a, b);
				assert_int_equal(p, n++);
				assert_int_equal(mse_pair_index(k, b, a), p);
			}
		assert_int_equal(n, mse_pair_count(k));
		for (p = 0; p < n; p++) {
			mse_pair_lists(k, p, &a, &b);
			assert_true(a < b && b < k);
			assert_int_equal(mse_pair_index(k, a, b), p);
		}
	}
}

static void
expect_csv(const char *in, unsigned k, uint64_t observed)
{
	struct mse_table t;
	struct mse_csv_error err;

	if (mse_csv_parse(in, strlen(in), &t, &err) != 0)
		fail_msg("refused at line %u: %s\n%s", err.line, err.reason,
			 in);
	assert_int_equal(t.k, k);
	assert_int_equal(mse_table_observed(&t), observed);
}

static void
test_csv_accepts(void **state)
{
	struct mse_table t;
	struct mse_csv_error err;
	const char *in = "\xef\xbb\xbf\"LA\",\"NG\",\"count\"\r\n"
			 "1,0,5\r\n"
			 "\r\n"
			 " 0 , 1 , 7 \r\n"
			 "1,1,0";

	(void)state;
	assert_int_equal(mse_csv_parse(in, strlen(in), &t, &err), 0);
	assert_int_equal(t.k, 2);
	assert_string_equal(t.names[0], "LA");
	assert_string_equal(t.names[1], "NG");
	assert_int_equal(t.count[1], 5);
	assert_int_equal(t.count[2], 7);
	assert_int_equal(t.count[3], 0);
	expect_csv("\n\nA,B,C,n\n1,1,1,1\n\n", 3, 1);
	expect_csv("A,B,C,D,E,F,G,H,I,J,n\n1,0,0,0,0,0,0,0,0,1,1000000000\n",
		   10, 1000000000);
}

static void
expect_refused(const char *in, unsigned line, const char *reason)
{
	struct mse_table t;
	struct mse_csv_error err;

	memset(&t, 0x5a, sizeof(t));
	if (mse_csv_parse(in, strlen(in), &t, &err) != -EINVAL)
		fail_msg("accepted:\n%s", in);
	if (err.line != line || strstr(err.reason, reason) == NULL)
		fail_msg("line %u \"%s\", expected line %u \"%s\" for:\n%s",
			 err.line, err.reason, line, reason, in);
	/* Nothing written to the table on a refusal. */
	assert_int_equal(((unsigned char *)&t)[0], 0x5a);
}

static void
test_csv_refuses(void **state)
{
	static const struct {
		const char *in;
		unsigned line;
		const char *reason;
	} cases[] = {
	    {"", 1, "no header"},
	    {"\n\n", 2, "no header"},
	    {"A,n\n1,4\n", 1, "at least two lists"},
	    {"A,B,C,D,E,F,G,H,I,J,K,n\n", 1, "11 lists: at most 10"},
	    {"A,A,n\n1,0,1\n", 1, "list A is named twice"},
	    {"A,B:C,n\n", 1, "column 2: \"B:C\" is not a list name"},
	    {"A,,n\n", 1, "column 2: \"\" is not a list name"},
	    {"A,B,\n", 1, "the count column has no name"},
	    {"A,B,n\n1,0,4\n0,1\n", 3, "2 fields, expected 3"},
	    {"A,B,n\n1,0,4,5\n", 2, "4 fields, expected 3"},
	    {"A,B,n\n1,2,4\n", 2, "list B: \"2\" is not 0 or 1"},
	    {"A,B,n\n1,,4\n", 2, "list B: \"\" is not 0 or 1"},
	    /* The count first, as some tools write it: said so. */
	    {"n,A,B\n10,1,0\n", 2,
	     "list n: \"10\" is not 0 or 1 (a count here, and a 0 or 1 "
	     "last? the count is the last column, after a 0 or 1 for each "
	     "list)"},
	    {"A,B,n\n1,0,-4\n", 2, "negative count \"-4\""},
	    {"A,B,n\n1,0,4.5\n", 2, "count \"4.5\" is not a whole number"},
	    {"A,B,n\n1,0,\n", 2, "count \"\" is not a whole number"},
	    {"A,B,n\n1,0,1e3\n", 2, "not a whole number"},
	    {"A,B,n\n1,0,1000000001\n", 2, "is over 1000000000"},
	    {"A,B,n\n1,0,99999999999999999999999\n", 2, "is over"},
	    {"A,B,n\n1,0,600000000\n0,1,500000000\n", 3, "total count passes"},
	    {"A,B,n\n1,0,4\n0,1,3\n1,0,2\n", 4, "this history repeats line 2"},
	    {"A,B,n\n0,0,4\n", 2, "history on no list is what is estimated"},
	    {"A,B,n\n1,0,0\n0,1,0\n", 0, "no case"},
	    {"A,B,n\n", 0, "no case"},
	    {"A,B,n\n1,0,\x01\n", 2, "\"\\x01\""},
	    /* kuska query overlap --format csv, as it is: named, not
	     * refused at line 2 for a "period" list. */
	    {"period,institutions,victims\n2025,pnp,427\n2025,pnp+mp,108\n", 1,
	     "this is kuska query's overlap table"},
	};
	static const char nul[] = "A,B,n\n1,0\0,4\n";
	struct mse_table t;
	struct mse_csv_error err;
	char *huge;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].in, cases[i].line, cases[i].reason);
	assert_int_equal(mse_csv_parse(nul, sizeof(nul) - 1, &t, &err),
			 -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.reason, "holds a NUL byte");
	huge = malloc(5000);
	assert_non_null(huge);
	memcpy(huge, "A,B,n\n", 6);
	memset(huge + 6, ' ', 4994);
	assert_int_equal(mse_csv_parse(huge, 5000, &t, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.reason, "longer than 4096 bytes");
	free(huge);
}

/* Every cell between double quotes, as a spreadsheet saves it with
 * "quote all text cells" and other tools write RFC 4180: read as the
 * same values; what is still wrong refused, said as such. */
static void
test_csv_quoted(void **state)
{
	struct mse_table t;
	struct mse_csv_error err;
	const char *in = "\"pnp\",\"mimp\",\"count\"\r\n"
			 "\"1\",\"0\",\"5\"\r\n"
			 " \"0\" , \"1\" ,7\r\n"
			 "1,\"1\",\"2\"";

	(void)state;
	assert_int_equal(mse_csv_parse(in, strlen(in), &t, &err), 0);
	assert_int_equal(t.k, 2);
	assert_string_equal(t.names[0], "pnp");
	assert_string_equal(t.names[1], "mimp");
	assert_int_equal(t.count[1], 5);
	assert_int_equal(t.count[2], 7);
	assert_int_equal(t.count[3], 2);
	expect_csv("\"A\",\"B\",\"C\",\"n\"\n\"1\",\"1\",\"1\",\"1\"\n", 3, 1);
	/* A comma inside quotes is part of the field; "" is one quote. */
	expect_refused("\"A\",\"B,C\",\"n\"\n", 1,
		       "column 2: \"B,C\" is not a list name");
	expect_refused("A,B,n\n1,0,\"4\"\"\"\n", 2,
		       "count \"4\\x22\" is not a whole number");
	expect_refused("A,B,n\n1,\"\",4\n", 2, "list B: \"\" is not 0 or 1");
	/* kuska query overlap's header, fully quoted: still named. */
	expect_refused("\"period\",\"institutions\",\"victims\"\n"
		       "\"2025\",\"pnp\",\"427\"\n",
		       1, "this is kuska query's overlap table");
	expect_refused("A,B,n\n1,0,\"4\n", 2,
		       "field 3: its opening quote is not closed on this line");
	expect_refused("A,B,n\n1,\"0\"x,4\n", 2,
		       "has text after its closing quote");
}

/* An analyst keeps the source of the figures in the file: "#" lines, as
 * the population file takes them, before the header or among the rows. */
static void
test_csv_comments(void **state)
{
	struct mse_table t;
	struct mse_csv_error err;
	const char *in = "\xef\xbb\xbf# Source: kuska query overlap, 2025\r\n"
			 "#\n"
			 "  # PJ identifies no one\n"
			 "pnp,mimp,n\n"
			 "# the pnp alone\n"
			 "1,0,5\n"
			 "\t#0,1,99\n"
			 "0,1,7\n"
			 "1,1,2 \n"
			 "# end";

	(void)state;
	assert_int_equal(mse_csv_parse(in, strlen(in), &t, &err), 0);
	assert_int_equal(t.k, 2);
	assert_string_equal(t.names[0], "pnp");
	assert_string_equal(t.names[1], "mimp");
	assert_int_equal(t.count[1], 5);
	assert_int_equal(t.count[2], 7);
	assert_int_equal(t.count[3], 2);
	/* A refusal names the file's own line, comments counted. */
	expect_refused("# figures of 2025\n# from the overlap\nA,B,n\n"
		       "# A alone\n1,0,4\n1,0,2\n",
		       6, "this history repeats line 5");
	expect_refused("# only a comment\n#\n", 2, "no header");
	/* A "#" inside a line is no comment: the field is what it is. */
	expect_refused("A,B,n\n1,0,4 # pnp\n", 2,
		       "count \"4 # pnp\" is not a whole number");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sparsemse_figures),
	    cmocka_unit_test(test_issue_figures),
	    cmocka_unit_test(test_sparse_note),
	    cmocka_unit_test(test_lincoln_petersen),
	    cmocka_unit_test(test_artificial_refusals),
	    cmocka_unit_test(test_main_effects_refusals),
	    cmocka_unit_test(test_bootstrap),
	    cmocka_unit_test(test_bootstrap_acceleration),
	    cmocka_unit_test(test_bootstrap_edges),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_csv_accepts),
	    cmocka_unit_test(test_csv_comments),
	    cmocka_unit_test(test_csv_quoted),
	    cmocka_unit_test(test_csv_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
