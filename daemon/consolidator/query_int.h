/*
 * query_int.h - what query.c (the request, the secretariat's view),
 * query_build.c (reading counters, building rows) and query_tables.c (the
 * tables) share: internal to the three.
 */
#ifndef KUSKA_QUERY_INT_H
#define KUSKA_QUERY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "period.h"
#include "query.h"
#include "store.h"

/*
 * What disclosure control needs to know of a cell beside its value. A
 * count a printed share gives away but the table does not print (the
 * records accepted within 30 days and later, beside timeliness's share)
 * is a count cell past the table's last column, with its column name set
 * and n_cols left alone: the secretariat's audit counts it, the codec
 * never sends it.
 */
struct qcell {
	bool count; /* a count (primary and complementary suppression) */
	int dep[2]; /* a median or share: the counts it depends on, or -1 */
	int64_t n;  /* a median: how many values it is taken over */
};

/* A table being built. */
struct qb {
	struct store_txn *t;
	struct qtable *out;
	uint8_t scope;
	uint32_t period;
	uint8_t region;
	char period_name[PERIOD_NAME_MAX];
	struct qcell *qc; /* one per cell, row-major */
	size_t cap;	  /* rows that out->rows and qc have room for */
	int err;	  /* -ENOMEM, -E2BIG: a row could not be added */
	bool counts_only; /* skip medians: for the disclosure audit */
	/* Where a row that could not be added is written, and forgotten. */
	struct cell spill[CODEC_MAX_COLUMNS];
	struct qcell spill_qc[CODEC_MAX_COLUMNS];
};

/* A day histogram: the values and how often each occurs. */
struct hist {
	int64_t n;
	int64_t want; /* index of the lower middle value */
	int64_t seen;
	int32_t median;
	bool found;
};

/* Collects the dims and values of every counter under a prefix. */
struct found {
	size_t n;
	uint8_t dims[256][4];
	int64_t v[256];
	size_t skip; /* prefix length */
	bool merge;  /* add a row already found to it: quarters summed */
};

/*
 * Each table: how it is built, where its counts sit in the secretariat's
 * releases (release.h; -1: in no release - no counts, or counts no
 * relation ties to any other, which primary suppression alone protects),
 * and whether the secretariat may ask for it by region (always by year
 * only).
 */
struct table_def {
	void (*build)(struct qb *);
	int rtable; /* enum release_table, or -1 */
	int group;  /* enum release_group, or -1 */
	bool regional;
};

/* The tables, in the order of query_tables (query_tables.c). */
extern const struct table_def query_defs[QUERY_TABLES];

/* Reading counters (query_build.c). */
int64_t qb_counter(const struct qb *b, uint8_t table, const uint8_t *dims,
		   size_t ndims);
int64_t qb_national(struct qb *b, uint8_t table, const uint8_t *dims,
		    size_t ndims);
struct hist qb_median(const struct qb *b, uint8_t table, const uint8_t *dims,
		      size_t ndims);
struct hist qb_median_merged(const struct qb *b, uint8_t table,
			     const uint8_t *dims, size_t n);
void qb_find_all(const struct qb *b, uint8_t table, const uint8_t *dims,
		 size_t nd, struct found *f);

/* Building rows (query_build.c). */
void qb_free_rows(struct qb *b);
int qb_add_row(struct qb *b);
int qb_cell_index(int row, int col);
struct cell *qb_cell_at(struct qb *b, int row, int col);
struct qcell *qb_qcell_at(struct qb *b, int row, int col);
void qb_set_text(struct qb *b, int row, int col, const char *s);
int qb_set_count(struct qb *b, int row, int col, int64_t v);
void qb_set_median_of(struct qb *b, int row, int col, struct hist h, int dep);
void qb_set_median(struct qb *b, int row, int col, uint8_t table,
		   const uint8_t *dims, size_t ndims, int dep);
void qb_columns(struct qb *b, const char *const *names);

#endif
