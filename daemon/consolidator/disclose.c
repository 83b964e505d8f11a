/* disclose.c - primary and secondary suppression; see disclose.h. */
#include "disclose.h"

bool
disclose_group_safe(const struct dcell *cells, const struct dgroup *g)
{
	size_t i, hidden = 0;
	int64_t sum = 0;
	bool total_known = g->total < 0 || !cells[g->total].suppressed;

	for (i = 0; i < g->n_parts; i++) {
		if (cells[g->parts[i]].suppressed) {
			hidden++;
			sum += cells[g->parts[i]].value;
		}
	}
	if (g->total >= 0 && cells[g->total].suppressed) {
		/* total = shown parts + hidden parts. One hidden part would
		 * do for this equation alone, but the total may be pinned by
		 * another (as a part of a larger group): then the part would
		 * follow. Ask for two hidden parts while any is left. */
		if (hidden >= 2)
			return true;
		for (i = 0; i < g->n_parts; i++)
			if (!cells[g->parts[i]].suppressed &&
			    cells[g->parts[i]].value != 0)
				return false;
		return hidden == 1;
	}
	if (hidden == 0)
		return true;
	if (hidden == 1)
		return false;
	/* Known total: the hidden parts sum to a known number. */
	return !total_known || sum > (int64_t)hidden;
}

/* Hides one more cell of g: the smallest shown non-zero part, else the
 * total. Returns false when there is nothing left to hide. */
static bool
hide_another(struct dcell *cells, const struct dgroup *g)
{
	int best = -1;
	size_t i;

	for (i = 0; i < g->n_parts; i++) {
		const struct dcell *c = &cells[g->parts[i]];
		if (c->suppressed || c->value == 0)
			continue;
		if (best < 0 || c->value < cells[best].value)
			best = g->parts[i];
	}
	if (best < 0 && g->total >= 0 && !cells[g->total].suppressed &&
	    cells[g->total].value != 0)
		best = g->total;
	if (best < 0)
		return false;
	cells[best].suppressed = true;
	return true;
}

void
disclose_apply(struct dcell *cells, size_t n_cells, const struct dgroup *groups,
	       size_t n_groups, int64_t k)
{
	size_t i;
	bool changed = true;

	for (i = 0; i < n_cells; i++)
		cells[i].suppressed =
		    cells[i].count && cells[i].value > 0 && cells[i].value < k;
	/* Groups may share a total cell: go round until nothing moves. */
	while (changed) {
		changed = false;
		for (i = 0; i < n_groups; i++) {
			while (!disclose_group_safe(cells, &groups[i]) &&
			       hide_another(cells, &groups[i]))
				changed = true;
		}
	}
	for (i = 0; i < n_cells; i++) {
		struct dcell *c = &cells[i];
		int d;
		if (c->count)
			continue;
		for (d = 0; d < 2; d++)
			if (c->dep[d] >= 0 && cells[c->dep[d]].suppressed)
				c->suppressed = true;
		if (c->n > 0 && c->n < k)
			c->suppressed = true;
	}
}
