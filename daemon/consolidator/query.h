/*
 * query.h - the statistics tables of EVENTS.md, read from the counters
 * that stats.c keeps (never by scanning events), shaped for the role that
 * asks:
 *	analyst      national tables, exact counts
 *	secretariat  national tables under disclosure control (disclose.h)
 *	institution  tables over its own events only; no overlap table
 */
#ifndef KUSKA_QUERY_H
#define KUSKA_QUERY_H

#include "codec.h"
#include "registry.h"
#include "store.h"

/* The table names, in the order `kuska query` lists them. */
extern const char *const query_tables[];

/*
 * query_run - answers req for who, with disclosure threshold k, into ret
 * (rows malloc'd: release with codec_qtable_clear). A request that names
 * no known table, a malformed period or region, or a table the role may
 * not see gets ret->error and -EINVAL; a store failure -errno.
 */
int query_run(struct store *st, const struct query_req *req,
	      const struct reg_party *who, unsigned k, struct qtable *ret);

#endif
