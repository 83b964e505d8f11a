/*
 * bench_contrib - what taking one victim into the counters costs
 * (stats_contrib_victim: nationally and for each institution), by how
 * many facts she has and how they spread: "near", on a few days of one
 * year in one region, as a child's records mostly are; "spread" over
 * eight years and 25 regions, the most (period, region) pairs her facts
 * can fall in. A relink takes a changed victim off and on again, so a
 * batch that touches her pays this twice (bench_onechild.sh).
 *
 *   bench_contrib [-s SECONDS]   (each size measured for about SECONDS,
 *                                 0.2 by default)
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "delta.h"
#include "event.h"
#include "fact.h"
#include "stats_contrib.h"

static uint64_t rnd = 0x2545f4914f6cdd1dULL;

static uint64_t
next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

/* n facts, one in three a service, of any institution. */
static void
victim(struct fact *f, size_t n, bool spread)
{
	int32_t base = date_from_ymd(2019, 1, 1);
	size_t i;

	memset(f, 0, n * sizeof(*f));
	for (i = 0; i < n; i++) {
		f[i].type = i % 3 == 0 ? F_SERVICE : F_IDENT;
		f[i].inst = (uint8_t)(1 + next() % INST_COUNT);
		f[i].seq = i + 1;
		f[i].date = base + (int32_t)(spread ? next() % 2900
						    : 2000 + next() % 5);
		f[i].region = (uint8_t)(spread ? 1 + next() % 25 : 16);
		if (f[i].type == F_SERVICE) {
			f[i].a = (uint8_t)(1 + next() % SERVICE_COUNT);
			continue;
		}
		f[i].a = (uint8_t)(1 + next() % 2);
		f[i].b = (uint8_t)(1 + next() % AGE_GROUP_COUNT);
		memcpy(f[i].nat, "PE", 2);
		f[i].x = 2;
	}
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = {1, 2, 5, 12, 40, 100, 500, 2000, 5000};
	struct delta_table *d = delta_new();
	double seconds = 0.2;
	size_t s;
	int c, err = 0;

	while ((c = getopt(argc, argv, "s:")) != -1) {
		if (c != 's' || (seconds = strtod(optarg, NULL)) <= 0) {
			fprintf(stderr, "usage: bench_contrib [-s SECONDS]\n");
			return 2;
		}
	}
	if (d == NULL)
		return 1;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int spread;
		for (spread = 0; spread < 2; spread++) {
			size_t n = sizes[s];
			struct fact *f = malloc(n * sizeof(*f));
			double t0, t;
			unsigned long calls = 0;
			if (f == NULL)
				return 1;
			victim(f, n, spread);
			t0 = cpu_s();
			do {
				stats_contrib_victim(d, f, n, false, +1, &err);
				delta_clear(d);
				calls++;
			} while ((t = cpu_s() - t0) < seconds);
			printf(
			    "facts %5zu %-6s contrib_us %10.2f (%lu calls)\n",
			    n, spread ? "spread" : "near", t * 1e6 / calls,
			    calls);
			free(f);
		}
	}
	delta_free(&d);
	return err != 0;
}
