/* takeups.c - destinations with no take-up on record; see takeups.h. */
#include "takeups.h"

#include <stdio.h>
#include <string.h>

#include "event.h"

uint32_t
takeups_none(const struct qtable *t)
{
	uint32_t m = 0;
	size_t i, j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], "to") == 0)
			break;
	if (j == t->n_cols)
		return t->no_takeups;
	for (i = 0; i < t->n_rows; i++)
		if (t->rows[i][j].kind == CELL_TEXT)
			m |= 1u << institution_from_name(
				 codec_cell_str(&t->rows[i][j]));
	return t->no_takeups & m & ((1u << (INST_COUNT + 1)) - 2);
}

char *
takeups_names(uint32_t mask, const char *(*name)(const char *), char *buf,
	      size_t cap)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; i <= INST_COUNT; i++) {
		const char *n = institution_name((enum institution)i);
		if (!(mask & 1u << i) || len >= cap)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
					len > 0 ? ", " : "",
					name != NULL ? name(n) : n);
	}
	return buf;
}
