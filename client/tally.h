/*
 * tally.h - kuska submit's counts of one file's lines, as the node
 * answered them, and the summary that closes the file's report: the
 * counts, and what the officer should ask or do about the refusals.
 * Apart from submit*.c so that the summary is tested without a node
 * (tests/unit/test_tally.c).
 */
#ifndef KUSKA_TALLY_H
#define KUSKA_TALLY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"

/* Warnings of one kind listed per file without --verbose. */
#define TALLY_WARN_SHOWN 5

struct tally {
	unsigned long accepted, held, refused, unlinkable, rekeyed;
	unsigned long stage_warned; /* case stages held already or out of
				     * date order (line_result.warning) */
	unsigned long age_warned;   /* victims' ages their birth dates
				     * contradict (line_result.age_warning) */
	unsigned long placeholder_warned; /* victims' document numbers
					   * taken as placeholders
					   * (line_warns_placeholder()) */
	unsigned long ref_warned;   /* records held under a ref that holds a
				     * victim's identity (line_warns_ref()) */
	unsigned long dead_warned;  /* held, but the consolidator refused
				     * them (line_result.dead_warning) */
	unsigned long lines;   /* answered, blank ones included */
	unsigned long blank;   /* blank lines skipped, sent or not */
	unsigned long foreign; /* refused as what another institution makes */
	unsigned long ungranted; /* of those: a kind or stage not granted */
	unsigned long reused;  /* refused: the ref held for another record */
	unsigned long stopped; /* the first line of a piece not answered */
	bool maybe_stored;     /* that piece's answer not waited for */
	bool node_stopped;     /* ... because the node ended meanwhile */
	uint64_t start_ms;     /* when the file began, on the progress clock */
};

/* How the summary names things and what the run was. */
struct tally_run {
	const char *name; /* the input as messages name it */
	const char *inst; /* the node's institution, as "pnp" */
	bool dry_run;
	bool verbose;	    /* every warning was listed */
	bool stopped_early; /* the file was not read to its end */
};

/*
 * tally_add - counts one line's result into t. Returns whether the line
 * brings a new warning of victims that cannot be linked (counted in
 * t->unlinkable): a record already held had its warning when first
 * taken. A case stage's warning (res->warning) is counted in
 * t->stage_warned, a victim's age warning (line_warns_age()) in
 * t->age_warned, a placeholder document number's
 * (line_warns_placeholder()) in t->placeholder_warned, a ref's
 * (line_warns_ref()) in t->ref_warned, a held line's dead letter
 * (res->dead_warning) in t->dead_warned.
 */
bool tally_add(struct tally *t, const struct line_result *res);

/* tally_print - writes the summary of one file to out. */
void tally_print(FILE *out, const struct tally_run *run, const struct tally *t);

#endif
