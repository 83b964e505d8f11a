/*
 * deliveries.h - the `deliveries` table: when each institution last
 * delivered, so a reader can tell "nothing received since March" from a
 * decline. One row per institution:
 *
 *	institution     pnp, mp, pj, mimp, minsa
 *	last_delivery   the time (UTC, "2026-03-02T14:05Z") the consolidator
 *	                last committed a batch from it; empty when none ever
 *	                came, or when the store does not hold it (older than
 *	                the field, or a status row --repair dropped: events
 *	                are then not 0)
 *	events          the events accepted from it, of all time (as the
 *	                sources table counts them)
 *
 * last_delivery is the last contact time kept in the store with the
 * institution's counters (T_INSTS), written in the same transaction as
 * the batch: it survives restarts and --rebuild, and a restored store
 * gives the backup's, until the node delivers again. A hello without a
 * batch does not move it (kuska status shows those).
 *
 * Not period-dependent: the period (and region) must be well formed and
 * are ignored. The analyst and the secretariat get every row, an
 * institution its own; the secretariat's events count is under primary
 * suppression as in the sources table (docs/DISCLOSURE.md).
 */
#ifndef KUSKA_DELIVERIES_H
#define KUSKA_DELIVERIES_H

#include "codec.h"
#include "registry.h"
#include "store.h"

#define DELIVERIES_COLUMNS "institution,last_delivery,events"

/*
 * deliveries_table - answers req (its table is "deliveries") for who,
 * with disclosure threshold k, into ret (as query_run). Returns 0,
 * -EINVAL with ret->error, or -errno.
 */
int deliveries_table(struct store *st, const struct query_req *req,
		     const struct reg_party *who, unsigned k,
		     struct qtable *ret);

#endif
