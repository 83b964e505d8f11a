/*
 * repair.h - `kuska-consolidator --repair`: makes a damaged store sound
 * again with what the nodes still hold. Every node keeps each envelope
 * it ever signed, so the consolidator can drop what it cannot trust and
 * have it sent again:
 *  - a file LMDB cannot read (truncated, pages damaged) is set aside and
 *    an empty store takes its place: the nodes send everything again;
 *  - damaged envelopes or refusals: for each institution, everything
 *    from its first damaged sequence on is dropped, and its node sends
 *    those sequences again (each is verified as on first arrival);
 *  - damaged derived entries (statistics, corrections, counts) are
 *    dropped and everything derived is rebuilt from the envelopes.
 * Once the daemon runs and the nodes have delivered, the tables equal
 * those of a store that was never damaged. The daemon must not run.
 */
#ifndef KUSKA_REPAIR_H
#define KUSKA_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "registry.h"

/*
 * repair_run - repairs the store in dir (map sizes as the config says),
 * writing what it found and did to out; the statistics are rebuilt
 * verifying on `threads` threads (ingest_rebuild). *dropped says, on
 * success and on failure alike, whether anything was dropped or set
 * aside (for the nodes to send again): a failure without (a full disk at
 * the first drop) leaves the store as it was. Returns 0 when the store
 * is sound afterwards, or -errno.
 */
int repair_run(const char *dir, size_t map_size, size_t max_size,
	       const struct registry *reg, unsigned threads, FILE *out,
	       bool *dropped) __attribute__((warn_unused_result));

#endif
