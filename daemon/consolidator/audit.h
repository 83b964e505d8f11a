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
 *   bad_signature=0
 * Returns 0 when everything holds, 1 when something does not, -errno when
 * the store cannot be read.
 */
int audit_run(struct store *st, const struct registry *reg, FILE *out);

#endif
