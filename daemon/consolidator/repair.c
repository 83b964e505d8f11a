/* repair.c - kuska-consolidator --repair; see repair.h. */
#include "repair.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "audit.h"
#include "ingest.h"
#include "store.h"

#define MAX_ROUNDS 10 /* a check lists 1000 damaged entries at most */

/* A file LMDB cannot read: set it aside (*dropped), start empty. */
static int
start_empty(const char *dir, size_t map_size, size_t max_size, const char *why,
	    FILE *out, bool *dropped)
{
	struct store *st = NULL;
	char moved[4200];
	int r;

	r = store_set_aside(dir, moved, sizeof(moved));
	if (r != 0)
		return r;
	*dropped = true;
	r = store_open(dir, map_size, max_size, &st);
	if (r != 0)
		return r;
	store_close(&st);
	fprintf(out,
		"the store cannot be read (%s): it was moved to %s and an "
		"empty store takes its place; once kuska-consolidator runs, "
		"every node sends all its events again\n",
		why, moved);
	return 0;
}

/*
 * Tables rebuilt from the envelopes (not envelopes, refusals, counts, nor
 * the days envelopes were accepted, which no envelope says).
 */
static bool
derived(enum store_table tb)
{
	return tb == T_CHANGES || (tb >= T_STATS_FIRST && tb < T_ACCEPT_FIRST);
}

/* Whether every damaged entry of table tb is listed with its whole key. */
static bool
all_listed(const struct store_report *r, int tb)
{
	uint64_t whole = 0;
	size_t i;

	for (i = 0; i < r->n_listed; i++)
		if ((int)r->damaged[i].tb == tb &&
		    r->damaged[i].klen <= STORE_KEY_LISTED)
			whole++;
	return whole == r->damaged_in[tb];
}

/*
 * Drops what r found damaged: each institution's sequences from its
 * first damaged one on, every damaged entry, and everything derived.
 * *dropped: some of it was, also when it then fails.
 */
static int
drop_damaged(struct store *st, const struct store_report *r, FILE *out,
	     bool *dropped)
{
	struct store_txn *t;
	int i, n, rc;

	for (i = 1; i <= INST_COUNT; i++) {
		uint64_t first = audit_first_damaged(r, (enum institution)i);
		if (first == 0)
			continue;
		n = ingest_forget(st, (enum institution)i, first);
		if (n < 0)
			return n;
		*dropped = *dropped || n > 0;
		fprintf(out,
			"%s: dropped sequences %llu and after (%d entries); "
			"its node sends them again\n",
			institution_name((enum institution)i),
			(unsigned long long)first, n);
	}
	rc = store_begin(st, true, &t);
	if (rc != 0)
		return rc;
	rc = store_drop_damaged(t, r);
	/* A derived table with damage that was not listed whole (a long
	 * key, or past the list's end) is emptied: the rebuild refills it.
	 * Others keep what the statistics module's own rebuild keeps. */
	for (i = 0; rc == 0 && i < T_COUNT; i++)
		if (derived((enum store_table)i) && !all_listed(r, i))
			rc = store_clear(t, (enum store_table)i);
	if (rc != 0) {
		store_abort(&t);
		return rc;
	}
	rc = store_commit(&t);
	*dropped = *dropped || rc == 0;
	/* A damaged key may have taken its sequence with it. */
	for (i = 1; rc == 0 && i <= INST_COUNT; i++) {
		uint64_t gap;
		rc = ingest_first_gap(st, (enum institution)i, &gap);
		if (rc != 0 || gap == 0)
			continue;
		n = ingest_forget(st, (enum institution)i, gap);
		if (n < 0)
			return n;
		*dropped = *dropped || n > 0;
		fprintf(
		    out,
		    "%s: sequence %llu is missing: dropped it and after (%d "
		    "entries); its node sends them again\n",
		    institution_name((enum institution)i),
		    (unsigned long long)gap, n);
	}
	return rc;
}

static int
rebuild(struct store *st, const struct registry *reg, unsigned threads,
	FILE *out)
{
	struct ingest ig;
	uint64_t events = 0, skipped = 0;
	int r;

	memset(&ig, 0, sizeof(ig));
	ig.threads = threads;
	/* Statistics marked stale by what was dropped are rebuilt there. */
	r = ingest_open(&ig, st, reg);
	if (r == 0 && !ig.rebuilt)
		r = ingest_rebuild(&ig, &events, &skipped);
	else if (r == 0) {
		events = ig.rebuilt_events;
		skipped = ig.rebuilt_skipped;
	}
	ingest_close(&ig);
	if (r == 0)
		fprintf(out,
			"rebuilt the statistics from %llu envelopes (%llu no "
			"longer verify)\n",
			(unsigned long long)events,
			(unsigned long long)skipped);
	return r;
}

int
repair_run(const char *dir, size_t map_size, size_t max_size,
	   const struct registry *reg, unsigned threads, FILE *out,
	   bool *dropped)
{
	struct store_report rep;
	struct store *st = NULL;
	int round, r;

	*dropped = false;
	for (round = 0; round < MAX_ROUNDS; round++) {
		r = store_check(dir, &rep);
		if (r != 0 && rep.why[0] != '\0') /* not damage: kept */
			fprintf(out, "repair: %s; nothing was changed\n",
				rep.why);
		if (r != 0)
			return r;
		if (store_sound(&rep)) {
			if (round == 0)
				fprintf(out,
					"nothing to repair: %llu entries, "
					"all sound%s\n",
					(unsigned long long)rep.entries,
					rep.unchecked
					    ? " (but written without "
					      "checksums, by an earlier "
					      "kuska: to have them, move "
					      "data.mdb aside and start, "
					      "and the nodes send "
					      "everything again)"
					    : "");
			store_report_clear(&rep);
			return 0;
		}
		if (rep.unreadable) {
			r = start_empty(dir, map_size, max_size, rep.why, out,
					dropped);
			store_report_clear(&rep);
			if (r != 0)
				return r;
			continue;
		}
		(void)audit_damage(&rep, out, 50);
		r = store_open(dir, map_size, max_size, &st);
		if (r == 0)
			r = drop_damaged(st, &rep, out, dropped);
		if (r == 0)
			r = rebuild(st, reg, threads, out);
		store_close(&st);
		store_report_clear(&rep);
		if (r != 0 && r != -EUCLEAN)
			return r;
	}
	return -EUCLEAN;
}
