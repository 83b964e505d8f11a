/*
 * fuzz_mse_csv.c - the estimator's CSV reader, mse_csv_parse (lib/mse),
 * on arbitrary bytes.
 *
 * Invariants (abort() when broken): a refusal carries a reason and names
 * a line the input has; an accepted table is well-formed (2 to 10 lists
 * with valid, distinct names, counts within the limit, some case); it
 * prints back as CSV that reads as the same table; and a small one (at
 * most 4 lists) gets a main-effects result that is either a reason or an
 * estimate at least the observed total, inside its interval.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mse/mse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned
count_lines(const uint8_t *data, size_t size)
{
	unsigned n = 1;
	size_t i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void
check_table(const struct mse_table *t)
{
	unsigned i, j, h;
	uint64_t total = 0;

	if (t->k < 2 || t->k > MSE_MAX_LISTS || t->count[0] != 0)
		abort();
	for (i = 0; i < t->k; i++) {
		if (!mse_name_valid(t->names[i], strlen(t->names[i])))
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(t->names[i], t->names[j]) == 0)
				abort();
	}
	for (h = 1; h < (1u << t->k); h++)
		total += t->count[h];
	for (; h < MSE_MAX_HISTORIES; h++)
		if (t->count[h] != 0)
			abort();
	if (total == 0 || total > MSE_MAX_COUNT)
		abort();
}

/* The table as CSV, parsed again: must be the same table. */
static void
round_trip(const struct mse_table *t)
{
	struct mse_table again;
	struct mse_csv_error err;
	char *buf = NULL;
	size_t len = 0;
	unsigned i, h;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	for (i = 0; i < t->k; i++)
		fprintf(f, "%s,", t->names[i]);
	fprintf(f, "count\n");
	for (h = 1; h < (1u << t->k); h++) {
		if (t->count[h] == 0)
			continue;
		for (i = 0; i < t->k; i++)
			fprintf(f, "%u,", (h >> i) & 1u);
		fprintf(f, "%llu\n", (unsigned long long)t->count[h]);
	}
	if (fclose(f) != 0)
		abort();
	if (mse_csv_parse(buf, len, &again, &err) != 0) {
		fprintf(stderr, "printed table refused: %u: %s\n%s", err.line,
			err.reason, buf);
		abort();
	}
	free(buf);
	if (again.k != t->k ||
	    memcmp(again.names, t->names, sizeof(t->names)) ||
	    memcmp(again.count, t->count, sizeof(t->count)))
		abort();
}

static void
estimate_small(const struct mse_table *t)
{
	struct mse_estimate e;
	double obs;

	if (t->k > 4)
		return;
	if (mse_estimate(t, MSE_MAIN, &e) != 0)
		abort();
	if (e.status != MSE_ESTIMATED) {
		if (e.reason[0] == '\0')
			abort();
		return;
	}
	obs = (double)mse_table_observed(t);
	if (!isfinite(e.estimate) || e.estimate < obs ||
	    !(e.low95 <= e.estimate && e.estimate <= e.high95))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mse_table t;
	struct mse_csv_error err;

	if (mse_csv_parse((const char *)data, size, &t, &err) != 0) {
		if (err.reason[0] == '\0' ||
		    memchr(err.reason, '\0', sizeof(err.reason)) == NULL ||
		    err.line > count_lines(data, size))
			abort();
		return 0;
	}
	check_table(&t);
	round_trip(&t);
	estimate_small(&t);
	return 0;
}
