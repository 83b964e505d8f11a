/*
 * audit.h - `kuska-consolidator --audit`: re-reads every stored envelope,
 * verifies it again against the registry and checks that each
 * institution's sequence numbers are held exactly once from 1 to the last
 * (accepted or refused, never both, no gap). Safe while the daemon runs:
 * it reads a snapshot.
 */
#ifndef KUSKA_AUDIT_H
#define KUSKA_AUDIT_H

#include <stdio.h>

#include "registry.h"
#include "store.h"

/*
 * audit_run - writes one line per institution to out, e.g.
 *   pnp last_seq=530 accepted=528 refused=2 missing=0 doubled=0
 *   failed_verification=0
 * and one line per envelope that fails verification, naming its
 * sequence. Returns 0 when everything holds, 1 when something does not,
 * -errno when the store cannot be read or memory ran out (no envelope is
 * then counted as failing for want of memory).
 */
int audit_run(struct store *st, const struct registry *reg, FILE *out);

/*
 * audit_damage - writes what a store_check report found: the file
 * unreadable and why, or one line per damaged entry ("damaged: pnp seq
 * 17 (envelope)", statistics tables by count), at most max lines of
 * entries. Returns the number of problems (0: sound).
 */
uint64_t audit_damage(const struct store_report *r, FILE *out, size_t max);

/*
 * audit_first_damaged - the lowest damaged sequence of inst among the
 * envelopes and refusals r lists, or 0 when none.
 */
uint64_t audit_first_damaged(const struct store_report *r,
			     enum institution inst);

/*
 * audit_owner - whether the store is this deployment's, from the last
 * envelope of each institution: signed for the registry's network by a
 * key the registry lists for it. A store of another deployment (or a
 * registry of another) has none that fits, or one of another network;
 * the figures of such a store would be served as ours. A registry that
 * dropped a party or a key (rather than revoking it: OPERATIONS.md,
 * section 6) leaves some institutions unfitting and others fitting: that
 * is this store, read with a registry that lacks what signed part of it.
 * Returns 0 (every one fits), 1 (another deployment's) or 2 (some do not
 * fit), the findings in why[cap], one a line; or -errno (the store
 * unreadable, memory ran out).
 */
int audit_owner(struct store *st, const struct registry *reg, char *why,
		size_t cap);

#endif
