/*
 * unmatched_memo.h - the take-ups that match no referral record of their
 * sender as the consolidator last listed them for one institution's node
 * (stats_unmatched), listed again from memory to the hellos that ask
 * within UNMATCHED_MEMO_MS: each list walks every referral in memory, on
 * the writer thread, and hellos come as fast as a node, or a thief of its
 * transport key, sends them (docs/LIMITS.md). Writer thread.
 */
#ifndef KUSKA_UNMATCHED_MEMO_H
#define KUSKA_UNMATCHED_MEMO_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "stats.h"

#define UNMATCHED_MEMO_MS 1000

struct unmatched_memo {
	uint64_t at_ms; /* of its walk (monotonic); 0: none yet */
	uint64_t total;
	size_t n;
	struct unmatched *list; /* CODEC_MAX_UNMATCHED, from the first walk */
};

/*
 * unmatched_memo_get - inst's unmatched take-ups, as stats_unmatched
 * gives them (the max oldest into out, their number into *ret_n, the
 * total into *ret_total), from m when m's walk is less than
 * UNMATCHED_MEMO_MS older than now_ms (monotonic), else from a new walk
 * of s kept in m. Returns 0, stats_unmatched's error (the next walks
 * again), or -ENOMEM.
 */
int unmatched_memo_get(struct unmatched_memo *m, const struct stats *s,
		       enum institution inst, uint64_t now_ms,
		       struct unmatched *out, size_t max, size_t *ret_n,
		       uint64_t *ret_total) __attribute__((warn_unused_result));

/* unmatched_memo_clear - frees m's list and forgets it. */
void unmatched_memo_clear(struct unmatched_memo *m);

#endif
