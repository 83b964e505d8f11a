/*
 * fuzz_population.c - the population file parser (popfile_parse) on
 * arbitrary bytes.
 *
 * Invariants (abort() when broken): a refused file gets -EINVAL and a
 * message that names the file ("f.csv:" and a line, or "f.csv: "), and
 * no set; a loaded file has at least one year and region, each with its
 * four figures in range, no year and region twice, and popset_find
 * returns each of them; its source is shorter than POPFILE_SOURCE_MAX
 * and holds no control character.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_set(const struct popset *set)
{
	size_t i, j;
	int s, a;

	if (set->n == 0 ||
	    strnlen(set->source, sizeof(set->source)) >= sizeof(set->source))
		abort();
	for (i = 0; set->source[i] != '\0'; i++)
		if ((unsigned char)set->source[i] < 0x20 ||
		    set->source[i] == 0x7f)
			abort();
	for (i = 0; i < set->n; i++) {
		const struct pop_entry *e = &set->items[i];
		if (e->year < POPFILE_MIN_YEAR || e->year > POPFILE_MAX_YEAR ||
		    e->region > 25 || popset_find(set, e->year, e->region) != e)
			abort();
		for (s = 0; s < 2; s++)
			for (a = 0; a < 2; a++)
				if (e->count[s][a] == 0 ||
				    e->count[s][a] > POPFILE_MAX_POPULATION ||
				    e->line[s][a] == 0)
					abort();
		for (j = 0; j < i; j++)
			if (set->items[j].year == e->year &&
			    set->items[j].region == e->region)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct popset *set = NULL;
	char err[POPFILE_ERR_MAX + 64];
	int r;

	err[0] = '\0';
	r = popfile_parse("f.csv", (const char *)data, size, &set, err,
			  sizeof(err));
	if (r == 0) {
		if (set == NULL)
			abort();
		check_set(set);
		popset_free(&set);
		if (set != NULL)
			abort();
	} else if (r == -EINVAL) {
		if (set != NULL || strncmp(err, "f.csv:", 6) != 0)
			abort();
	} else if (r != -ENOMEM) {
		abort();
	}
	return 0;
}
