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
 *	last_contact    the last time (same form) it was heard from: the
 *	                later of last_delivery and the last hello (a
 *	                keepalive included) or batch heard since the
 *	                consolidator started; empty when never
 *
 * last_delivery is the last contact time kept in the store with the
 * institution's counters (T_INSTS), written in the same transaction as
 * the batch: it survives restarts and --rebuild, and a restored store
 * gives the backup's, until the node delivers again. A hello without a
 * batch does not move it; it moves last_contact, which is how an idle
 * node (nothing new to send, only hellos) is told from a silent one.
 *
 * Not period-dependent: the period (and region) must be well formed and
 * are ignored. The analyst and the secretariat get every row, an
 * institution its own; the secretariat's events count is under primary
 * suppression as in the sources table (docs/DISCLOSURE.md).
 */
#ifndef KUSKA_DELIVERIES_H
#define KUSKA_DELIVERIES_H

#include <stdatomic.h>
#include <stdint.h>

#include "codec.h"
#include "registry.h"
#include "store.h"

#define DELIVERIES_COLUMNS "institution,last_delivery,events,last_contact"

/*
 * deliveries_set_contact - the consolidator's last contact with each
 * institution (INST_COUNT + 1 entries, by institution), written by the
 * main thread and read here, from the query thread, atomically; NULL:
 * none (last_contact is then the stored delivery time). Set before the
 * query thread starts; the caller keeps it alive until it sets NULL.
 */
void deliveries_set_contact(_Atomic uint64_t *contact_ms);

/*
 * deliveries_table - answers req (its table is "deliveries") for who,
 * with disclosure threshold k, into ret (as query_run). Returns 0,
 * -EINVAL with ret->error, or -errno.
 */
int deliveries_table(struct store *st, const struct query_req *req,
		     const struct reg_party *who, unsigned k,
		     struct qtable *ret);

#endif
