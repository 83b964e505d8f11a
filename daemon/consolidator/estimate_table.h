/*
 * estimate_table.h - the live `estimate` table (ESTIMATION.md): multiple-
 * systems estimation (lib/mse) over the exact overlap counts of a period,
 * national or for one region.
 *
 * The lists are the institutions with at least one linkable victim in the
 * period (PJ identifies no one, so at most four); the capture histories
 * are the analyst's view of the `overlap` table (query_run), never a
 * role's suppressed view. Unlinkable victims cannot be placed in the
 * overlap and are left out; each row's note says how many. Rows, in this
 * order: `main` and `stepwise`, each with its model-conditional 95%
 * interval, and `bootstrap` (the stepwise estimate with its BCa 95%
 * interval) when the request asks for resamples. Estimates and limits
 * are rounded to whole victims. A table with no estimate gives rows with
 * the estimate empty and the reason in the note.
 *
 * Who sees what:
 *	analyst      everything, to the whole victim
 *	secretariat  the rule of estimate_overlap_shown: the estimate and
 *	             its interval rounded to ESTIMATE_SECRETARIAT_ROUND, or
 *	             the row suppressed (docs/DISCLOSURE.md, "The estimate")
 *	institution  refused, as the overlap table is
 *
 * Bootstrap requests are bounded twice, because the consolidator answers
 * queries on the thread that ingests: at most ESTIMATE_MAX_BOOT resamples
 * a request (refused beyond), and at most ESTIMATE_BOOT_PER_MINUTE
 * resamples a minute for the whole daemon, all clients together (past
 * it, the bootstrap row says when to ask again).
 */
#ifndef KUSKA_ESTIMATE_TABLE_H
#define KUSKA_ESTIMATE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "mse/mse.h"
#include "registry.h"
#include "store.h"

#define ESTIMATE_COLUMNS                                                       \
	"period,lists,observed,method,interactions,estimate,low95,high95,note"
#define ESTIMATE_MAX_BOOT 10000	       /* resamples in one request */
#define ESTIMATE_BOOT_PER_MINUTE 20000 /* resamples a minute, in all */
#define ESTIMATE_SECRETARIAT_ROUND 10  /* the secretariat's figures */

/*
 * The overlap a period's estimate is made from: the histories of the
 * lists that saw anyone, and what was left out.
 */
struct estimate_input {
	struct mse_table table; /* lists with a linkable victim */
	char present[64];	/* every institution in the overlap
				   table, "pnp+mp+mimp" (some may have
				   only unlinkable victims) */
	uint64_t unlinkable;	/* victims left out */
};

/*
 * estimate_overlap - reads the analyst's view of the overlap table for
 * req's period and region into *ret. Returns 0; -EINVAL with the reason
 * in err (a bad period or region); or -errno from the store.
 */
int estimate_overlap(struct store *st, const struct query_req *req,
		     struct estimate_input *ret, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * estimate_overlap_shown - the disclosure rule of the estimate (an
 * estimate is model output, not a count, but with two lists N = n1 n2 / m
 * gives the overlap m back): the secretariat may see a period's estimate,
 * rounded, only when every cell of the overlap table it is computed from
 * (the unlinkable row included) is shown in the secretariat's own view of
 * that table, which query_run gives with threshold k. Sets *ret_shown.
 * Returns 0; -EINVAL with the reason in err when the secretariat may not
 * have that overlap table at all (then no estimate from it either); or
 * -errno.
 */
int estimate_overlap_shown(struct store *st, const struct query_req *req,
			   unsigned k, bool *ret_shown, char *err,
			   size_t errlen) __attribute__((warn_unused_result));

/*
 * estimate_table - the estimate table for req as who sees it, with
 * disclosure threshold k, into ret (columns ESTIMATE_COLUMNS). Returns as
 * query_run does: 0; -EINVAL with ret->error (a bad period or region, a
 * role that may not see it, more than ESTIMATE_MAX_BOOT resamples); or
 * -errno. Release ret with codec_qtable_clear.
 */
int estimate_table(struct store *st, const struct query_req *req,
		   const struct reg_party *who, unsigned k, struct qtable *ret)
    __attribute__((warn_unused_result));

/*
 * estimate_set_watch - until called again, watch(arg) is called after
 * each bootstrap resample (NULL: never). The query thread's watch
 * (query_net_watch.c) reads the query socket then, at most every few ms, as it
 * does while an audit runs: a bootstrap of 10,000 resamples took 1.0-1.5
 * s on the demo's store, the socket unread meanwhile. watch may answer
 * other requests, none of them a bootstrap.
 */
void estimate_set_watch(void (*watch)(void *), void *arg);

/*
 * A budget of bootstrap resamples: a bucket of ESTIMATE_BOOT_PER_MINUTE
 * that refills evenly over a minute. Zeroed, it is full.
 */
struct boot_budget {
	bool started;
	double left;	  /* resamples that may be drawn now */
	uint64_t last_ms; /* when left was worked out */
};

/*
 * boot_budget_take - takes n resamples from b at time now_ms (a monotonic
 * clock) when they are left, and returns true; otherwise takes nothing,
 * sets *ret_wait_s to the whole seconds until they will be, and returns
 * false.
 */
bool boot_budget_take(struct boot_budget *b, unsigned n, uint64_t now_ms,
		      unsigned *ret_wait_s);

#endif
