/*
 * bench_mse - how fast the estimator (lib/mse) is on five-list tables:
 * the stepwise fit, the goal under 10 ms, and a bootstrap of 1,000
 * resamples (each re-running the whole selection) with its jackknife,
 * the goal under 5 s on one core (the library is single-threaded).
 *
 * The tables are SparseMSE's UKdat_5 (UK 2013, 2,744 victims; stepwise
 * adds six pairs, the most work of the published sets) and Western (345
 * victims, sparse), as in tests/data/mse.
 *
 *   bench_mse [-n FITS] [-b RESAMPLES] [-s SEED]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mse/mse.h"

#include "util.h"

struct cell {
	unsigned history; /* bit i: list i */
	uint64_t count;
};

static const char *const uk_names[] = {"LA", "NG", "PFNCA", "GO", "GP"};
static const struct cell uk[] = {
    {1, 54},  {2, 463}, {4, 995}, {8, 695}, {16, 316}, {3, 15},
    {5, 19},  {9, 3},	{6, 62},  {10, 19}, {18, 1},   {12, 76},
    {20, 11}, {24, 8},	{7, 1},	  {11, 1},  {14, 4},   {15, 1},
};

static const char *const west_names[] = {"A", "B", "C", "D", "E"};
static const struct cell west[] = {
    {1, 52}, {2, 90}, {4, 114}, {8, 45}, {16, 21}, {5, 4},  {9, 2},
    {17, 5}, {6, 6},  {10, 1},	{24, 3}, {21, 1},  {14, 1},
};

static void
build(struct mse_table *t, const char *const *names, const struct cell *c,
      size_t n)
{
	size_t i;

	if (mse_table_init(t, 5, names) != 0)
		abort();
	for (i = 0; i < n; i++)
		if (mse_table_set(t, c[i].history, c[i].count) != 0)
			abort();
}

/* Times n fits of method; prints the median and the worst. */
static void
time_fits(const char *name, const struct mse_table *t, enum mse_method m,
	  unsigned n)
{
	struct mse_estimate e;
	double *ms = malloc(n * sizeof(double)), t0;
	unsigned i;

	if (ms == NULL)
		abort();
	for (i = 0; i < n; i++) {
		t0 = bench_now_ms();
		if (mse_estimate(t, m, &e) != 0 || e.status != MSE_ESTIMATED)
			abort();
		ms[i] = bench_now_ms() - t0;
	}
	qsort(ms, n, sizeof(double), bench_cmp_double);
	printf("%-8s %-8s fit_ms median %.3f worst %.3f (%u fits, %u "
	       "interactions, estimate %.1f)\n",
	       name, mse_format_method(m), ms[n / 2], ms[n - 1], n, e.n_pairs,
	       e.estimate);
	free(ms);
}

static void
time_boot(const char *name, const struct mse_table *t, unsigned n,
	  uint64_t seed)
{
	struct mse_boot b;
	double t0 = bench_now_ms(), s;

	if (mse_bootstrap(t, MSE_STEPWISE, n, seed, &b, NULL) != 0)
		abort();
	s = (bench_now_ms() - t0) / 1e3;
	printf("%-8s bootstrap_s %.2f (%u resamples of stepwise + "
	       "jackknife, seed %llu; BCa %.1f-%.1f, %u failed)\n",
	       name, s, n, (unsigned long long)seed, b.low95, b.high95,
	       b.failed);
}

int
main(int argc, char **argv)
{
	struct mse_table ukt, westt;
	unsigned fits = 200, boots = 1000;
	uint64_t seed = 1;
	int c;

	while ((c = getopt(argc, argv, "n:b:s:")) != -1) {
		switch (c) {
		case 'n':
			fits = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			boots = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr,
				"usage: bench_mse [-n FITS] [-b RESAMPLES] "
				"[-s SEED]\n");
			return 2;
		}
	}
	if (fits == 0 || boots == 0 || boots > MSE_MAX_BOOT) {
		fprintf(stderr, "bench_mse: -n and -b must be positive\n");
		return 2;
	}
	build(&ukt, uk_names, uk, sizeof(uk) / sizeof(uk[0]));
	build(&westt, west_names, west, sizeof(west) / sizeof(west[0]));
	time_fits("UKdat_5", &ukt, MSE_MAIN, fits);
	time_fits("UKdat_5", &ukt, MSE_STEPWISE, fits);
	time_fits("Western", &westt, MSE_STEPWISE, fits);
	time_boot("UKdat_5", &ukt, boots, seed);
	time_boot("Western", &westt, boots, seed);
	return 0;
}
