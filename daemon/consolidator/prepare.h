/*
 * prepare.h - the secretariat's releases made before it asks.
 *
 * The first secretariat question of a year after a delivery used to pay
 * that year's whole disclosure audit (release.h): about a second on
 * data with many small counts, tens of seconds while ingest loads the
 * processors, where the client gives up at 15. So the writer thread says
 * which years each commit changed (prepare_note), and the query thread,
 * once no commit has come for the quiet time (prepare_quiet_s in
 * kuska.conf(5)) and no request waits, asks for those years' releases
 * (query_prepare), one year at a time, the latest first, answering the
 * requests that came meanwhile between two. A request that comes during
 * one is not held behind it: one that reads the store alone (any table
 * of an institution's or analyst's but a bootstrap, query_apart) is answered
 * while the audit runs on a thread of its own, and it goes on; any
 * other makes the audit give way (prepare_abandon), made again once
 * ingest and requests are quiet (prepare_busy). But
 * a secretariat question of the very year being made, which needs that
 * audit, has it carried on for it and is answered from it
 * (query_net_watch.c's query_net_request_waits, query_release_year):
 * given up, it would be computed again whole for the question.
 *
 * Thread-safe: any thread may note, the query thread takes.
 */
#ifndef KUSKA_PREPARE_H
#define KUSKA_PREPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Years waiting at most; past it the earliest are let go (asked for,
 * they are computed then, as before). Two, the latest that hold data
 * (this year and the last, in the usual case): those the secretariat
 * asks for most, and no more audits run unasked than that. */
#define PREPARE_YEARS_MAX 2

struct store;
struct store_txn;

/*
 * prepare_add_year - adds year to ys, *n years kept ascending and
 * distinct, at most cap: when full, the earliest is let go (year itself
 * when earlier than all).
 */
void prepare_add_year(uint32_t *ys, size_t *n, size_t cap, uint32_t year);

/*
 * prepare_note - a commit at now_ms (monotonic) changed the releases of
 * years[0..n-1] (n may be 0: the commit still restarts the quiet time).
 */
void prepare_note(const uint32_t *years, size_t n, uint64_t now_ms);

/*
 * prepare_last_year - the latest year a record can be dated in on today
 * (a day in Peru, date.h), as intake accepts it: a node refuses a record
 * dated after its own today, and the consolidator one dated more than a
 * day after its signing; a day of slack for a node whose clock is a
 * little ahead near the new year. A record dated later still came from a
 * node whose clock is wrong (the consolidator accepts it, counting it in
 * event=created_in_future): its year is answered when asked, never
 * prepared, and the clients refuse to ask a period not begun.
 */
uint32_t prepare_last_year(int32_t today);

/*
 * prepare_years_in - the latest PREPARE_YEARS_MAX years some live record
 * is dated in, as t reads the store, up to prepare_last_year(today),
 * ascending, into ret; their number returned. A commit that changes any
 * year's counters changes the release of every year with data: each
 * year's audit takes the other years' totals as known
 * (release_relate_years), so a delivery of 2026 changes 2024's release
 * too. The writer notes these, not only the years its commit changed.
 * Bounded by today: a single record of a node whose clock says 2090
 * would otherwise make 2090 one of the latest, its audit run unasked
 * while the year the secretariat asks for is not prepared.
 */
size_t prepare_years_in(struct store_txn *t, int32_t today,
			uint32_t ret[PREPARE_YEARS_MAX]);

/*
 * prepare_note_store - prepare_note of the years with data in st
 * (prepare_years_in on today), at now_ms: at start, when nothing is
 * cached, and after a reload, which may change k or the registry's
 * grants. Returns 0 or -errno of the store.
 */
int prepare_note_store(struct store *st, int32_t today, uint64_t now_ms);

/*
 * prepare_wait_ms - how long until a year waiting is due, quiet_ms after
 * the last commit or request, at now_ms: 0 due, -1 none waiting (or quiet_ms 0:
 * preparing is off).
 */
int64_t prepare_wait_ms(uint64_t quiet_ms, uint64_t now_ms);

/*
 * prepare_take - when a year is due (prepare_wait_ms 0), takes the latest
 * one waiting into *ret_year and returns true; else false. A year taken
 * is being made until prepare_done.
 */
bool prepare_take(uint64_t quiet_ms, uint64_t now_ms, uint32_t *ret_year);
void prepare_done(void);

/*
 * prepare_busy - a request was answered at now_ms: the years waiting are
 * due quiet_ms after it as after a commit, so that a stream of requests
 * (a report paging through tables) is not interrupted by one preparation
 * after another, each given up.
 */
void prepare_busy(uint64_t now_ms);

/*
 * prepare_abandon - the release of year, taken, was given up at now_ms
 * for a request (query_prepare's -ECANCELED): year waits again (unless
 * later years came meanwhile), due once quiet_ms pass from now_ms with
 * no commit or request (prepare_busy).
 */
void prepare_abandon(uint32_t year, uint64_t now_ms);

/* prepare_waiting - the years waiting, the one being made among them
 * (metrics, tests). */
size_t prepare_waiting(void);

/* prepare_forget - lets every year waiting go (tests). */
void prepare_forget(void);

#endif
