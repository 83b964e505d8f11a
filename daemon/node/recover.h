/*
 * recover.h - `kuska-node --recover`: rebuilds the node's outbox from the
 * consolidator's copy, for an outbox that diverged (restored from an
 * older backup, or replaced) or is damaged.
 *
 * The consolidator hands back everything it holds for this institution
 * (accepted envelopes, and refusals with their envelopes). Each envelope
 * must be this node's (signed by its key or an earlier one, for its
 * institution, network and sequence), or nothing is stored: a
 * consolidator holds no key of the node's, and could otherwise plant in
 * the outbox what the node never signed. The new outbox
 * holds exactly that, its ref index rebuilt from the events (their ids,
 * kinds, corrections and withdrawals; the digests computed), its dead
 * letters from the refusals, and acknowledged up to the consolidator's
 * last sequence. When the old outbox agrees with the consolidator's copy
 * (damaged, not diverged), its events not yet delivered are kept after
 * that, as far as they can be read, with the case system's refs. Then
 * resubmitting the case system's exports stores each record once: those
 * the consolidator holds are recognised by their refs.
 *
 * The node must not run (main holds the data directory's lock).
 */
#ifndef KUSKA_RECOVER_H
#define KUSKA_RECOVER_H

#include <stddef.h>
#include <stdio.h>

#include "event.h"
#include "keys.h"

struct recover_params {
	const char *dir; /* the outbox's directory */
	size_t map_size;
	enum institution inst;
	const char *consolidator;	   /* endpoint */
	const char *network;		   /* said at hello */
	const struct secret_key *key;	   /* the node's keys */
	/* The node's earlier signing keys ([node] previous_keys): what
	 * they signed is the node's too. */
	const struct public_key *old_keys;
	size_t n_old_keys;
	const struct public_key *cons_key; /* the consolidator's */
	long timeout_ms;		   /* per answer */
	const uint8_t *ref_fp;		   /* the ref key's fingerprint, 32 */
};

/*
 * recover_run - rebuilds the outbox, writing what it did to out. The old
 * data file is kept beside the new one. Returns 0, or -errno (nothing
 * changed; why is said on stderr).
 */
int recover_run(const struct recover_params *p, FILE *out)
    __attribute__((warn_unused_result));

#endif
