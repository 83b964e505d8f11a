/*
 * release.h - what the secretariat is shown: the hidden cells of every
 * table it may ask for, decided over the whole family of tables at once.
 *
 * The family splits into *components*, one per calendar year. A few
 * relations cross years (the funnel counts the stages reached by now,
 * sources the events of all time: release_relate_years); each year's
 * audit takes the other years' counts as known to the reader, which
 * protects it whatever the other years' releases hide (the other years'
 * true counts are one way to fill those in). A component holds every count
 * cell the secretariat can get of the counting tables (identification,
 * overlap, breakdown, referrals, referrals_unmatched, protection,
 * prosecution, cases_unmatched, funnel, timeliness) in that year: nationally
 * for the year, both semesters and the four quarters, and for each of the 25
 * regions for the year (tables open regionally only). The groups of
 * tables were once components of their own, but the timeliness records
 * are tied to all the others (each victim identified, referral sent,
 * case at a stage and victim served is at least one record), and a
 * reader differencing them recovered hidden counts.
 * release_relate.c and release_victims.c write the relations a reader
 * knows between them (docs/DISCLOSURE.md lists them) and release.c lets
 * disclose.h decide the hidden cells.
 *
 * A *release* is that decision for one component. It depends only on the
 * component's cells and their values (and the slacks of the relations
 * across years, worked out from the other years' counts), so it is
 * cached: a query whose component has the same values as last time is
 * answered from memory.
 * The cache lives in this module (the consolidator answers one query at
 * a time; nothing here is thread-safe but release_cache_counts). It keeps
 * at most 64 releases and 64 MiB of them (cells, hidden flags, index),
 * the least recently asked for going first while either is passed, those
 * of components without records (every cell 0: computed in milliseconds)
 * before any other, so that asking for years without records pushes out
 * no release of seconds; the release just computed is always kept
 * (docs/LIMITS.md).
 */
#ifndef KUSKA_RELEASE_H
#define KUSKA_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* The component of a year: every counting table (there is one kind). */
enum release_group {
	RG_YEAR,
};
#define RG_COUNT 1

/* The tables that hold counts. */
enum release_table {
	RT_IDENTIFICATION,
	RT_OVERLAP,
	RT_BREAKDOWN,
	RT_REFERRALS,
	RT_PROTECTION,
	RT_PROSECUTION,
	RT_FUNNEL,
	RT_TIMELINESS,
	RT_REFERRALS_UNMATCHED,
	RT_CASES_UNMATCHED,
	RT_SOURCES, /* events accepted, of all time: RP_OTHER only */
};

/* Periods of a year, by index: the year, its semesters, its quarters. */
#define RP_YEAR 0
#define RP_COUNT 7 /* Y, H1, H2, Q1, Q2, Q3, Q4 */
/* After a year's own cells, what the relations across years need
 * (release_relate_years): the whole country's counts of the year, summed
 * over every other year that holds a record, and the sources table, at
 * this period index. The audit takes them as known to the reader; they
 * are neither hidden nor shown by the release. */
#define RP_OTHER RP_COUNT
#define REGIONS 25

/*
 * One count cell: where it is (table, period index, region 0 for the
 * whole country, the row's label as printed - "pnp", "pnp+mimp",
 * "sex|F", "pnp|mimp", a stage... - and the column's name) and its exact
 * value. Keys are compared bytewise: zero the struct before filling it.
 */
struct rcell {
	uint8_t table; /* enum release_table */
	uint8_t period;
	uint8_t region;
	char row[45];
	char col[16];
	int64_t value;
};

/* A growing list of cells, as query.c gathers them. */
struct rcells {
	struct rcell *c;
	size_t n, cap;
};

/* rcells_add - appends a zeroed cell and returns it; NULL: ENOMEM. */
struct rcell *rcells_add(struct rcells *l);

/* rcells_clear - empties l and frees its memory. */
void rcells_clear(struct rcells *l);

struct release;

/*
 * release_get - the release of component (g, year) for threshold k,
 * given all its cells (as gathered: the order must not depend on
 * anything but the data; the year's own first, then RP_OTHER's). From
 * the cache when the same cells were released before (the other years'
 * only through the slacks of the relations across years, which change
 * less often), else computed and cached. Returns 0 and *ret (valid
 * until the next release_get), or -ENOMEM, or -EDOM (the relations
 * failed to solve: a bug), or -ECANCELED (release_set_cancel: nothing
 * is cached).
 */
int release_get(enum release_group g, uint32_t year, int64_t k,
		const struct rcells *cells, const struct release **ret)
    __attribute__((warn_unused_result));

/*
 * release_serial - the number release_get gave r when it cached it: one
 * for each release made, never given twice in a process.
 * release_cached - the release of that number, while the cache still holds
 * it (as release_get would give it: valid until the next release_get), or
 * NULL: let go, or the cache emptied (release_cache_clear, new grants).
 * For the caller that knows the cells it would gather are those of that
 * release (the same state of the store, query.c) and so need not gather
 * them again.
 */
uint64_t release_serial(const struct release *r);
const struct release *release_cached(uint64_t serial);

/*
 * release_set_cancel - until called again, a release being computed is
 * given up as soon as cancelled(arg) says so (NULL: never): the audit
 * then stops at its next integer programme (dfam_set_cancel), release_get
 * returns -ECANCELED and keeps nothing of it. With cancelled set, the
 * audit runs on a thread of its own and release_get's caller asks
 * cancelled(arg) every 2 ms until it ends, given up or not: a watch
 * (query_net_watch.c) that reads a socket meanwhile reads it whatever the audit
 * does. cancelled is called on the caller's thread only.
 */
void release_set_cancel(bool (*cancelled)(void *), void *arg);

/* The name of the thread a release is computed on (pthread_setname_np). */
#define RELEASE_THREAD_NAME "kuska-audit"

/*
 * release_computing - whether a release is being computed on a thread of
 * its own (release_set_cancel) for release_get's caller, asked from its
 * cancel function: then its year into *ret_year and the milliseconds it
 * has run into *ret_ms; false between two releases. Like the rest of
 * this module, for that one thread (the query thread) alone: its state is
 * no thread-local, and another thread asking would race with it.
 */
bool release_computing(uint32_t *ret_year, uint64_t *ret_ms);

/*
 * release_hidden - whether cell key (its value is ignored) is hidden in
 * r. A cell the release does not know is hidden: whatever asks for it
 * was not part of the audit.
 */
bool release_hidden(const struct release *r, const struct rcell *key);

/* release_stats - for logs and benchmarks: cells, hidden cells, cells
 * left narrow (0 unless the data defeat suppression), and the time the
 * release took to compute, in ms. */
void release_stats(const struct release *r, size_t *ret_cells,
		   size_t *ret_hidden, size_t *ret_unprotected, double *ret_ms);

struct registry;

/*
 * release_set_grants - what each institution may record, from the
 * [institution] sections of reg (their kinds and stages), or DESIGN.md's
 * defaults when reg is NULL (and until it is first called). The relation
 * of the timeliness records to what they record follows it: a reader
 * knows the registry, so knows that only the courts record a trial.
 * A change forgets every cached release. Called by the thread that
 * asks for releases, before each query.
 */
void release_set_grants(const struct registry *reg);

/*
 * release_may_record - whether inst may record events of kind and, for a
 * case stage, of stage st (STAGE_NONE: any stage), under the grants in
 * force (release_set_grants). What an institution may not record has no
 * place in its own tables (query.h).
 */
bool release_may_record(enum institution inst, enum kind kind, enum stage st);

/* release_cache_clear - forgets every cached release (tests, shutdown). */
void release_cache_clear(void);

/*
 * release_cache_counts - for metrics and tests: the releases computed
 * since start (each a query the cache could not answer), and those kept
 * now with the bytes they hold. Safe to call from any thread.
 */
void release_cache_counts(uint64_t *ret_computed, size_t *ret_kept,
			  size_t *ret_bytes);

/*
 * release_cache_set_max_bytes - for tests only: the byte bound of the
 * cache (0: the default, 64 MiB), from the next release kept on.
 */
void release_cache_set_max_bytes(size_t max_bytes);

#endif
