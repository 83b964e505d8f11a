/*
 * disclose.h - disclosure control for the secretariat's tables.
 *
 * Primary suppression hides every count from 1 to k-1. Secondary
 * suppression then hides more cells until no hidden count can be worked
 * out from the relations a reader knows, each a *group*: parts that sum to
 * a total (a cell of the table, or a total published elsewhere). For
 * every group, afterwards, either nothing is hidden, or at least two
 * unknowns are and - when the total is known - the hidden parts do not
 * all have to be 1 (hidden cells are never 0, so a reader who sees that
 * the hidden parts sum to their number knows each is 1). Cells derived
 * from hidden counts (a median, a share) are hidden too, and so is a
 * median taken over fewer than k values. docs/DISCLOSURE.md explains it
 * with examples.
 */
#ifndef KUSKA_DISCLOSE_H
#define KUSKA_DISCLOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISCLOSE_MAX_PARTS 512

struct dcell {
	int64_t value;
	bool count;	 /* subject to primary suppression */
	bool suppressed; /* the result */
	int dep[2];	 /* derived from these cells (-1: none) */
	int64_t n;	 /* a median's number of values; 0 otherwise */
};

struct dgroup {
	int total; /* cell index, or -1 for a total known from elsewhere */
	size_t n_parts;
	int parts[DISCLOSE_MAX_PARTS];
};

/*
 * disclose_apply - marks cells[].suppressed for threshold k, given the
 * groups the cells belong to (each count cell in at most one group as a
 * part). Cells with n > 0 are medians: hidden when n < k or a dependency
 * is hidden.
 */
void disclose_apply(struct dcell *cells, size_t n_cells,
		    const struct dgroup *groups, size_t n_groups, int64_t k);

/*
 * disclose_group_safe - true when no hidden cell of g can be solved for
 * (the property disclose_apply establishes); exposed for tests.
 */
bool disclose_group_safe(const struct dcell *cells, const struct dgroup *g);

#endif
