/*
 * release_int.h - what the release's files share: internal to them.
 * release.c holds a release's life (its cells and index, its
 * computation, the cache and release.h's calls); release_relate.c how a
 * relation is written and the relations of the referrals, protection,
 * cases and timeliness tables; release_victims.c those of the victims'
 * tables. disclose.c solves them.
 */
#ifndef KUSKA_RELEASE_INT_H
#define KUSKA_RELEASE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disclose.h"
#include "event.h"
#include "release.h"

#define EX_MAX 512

struct release {
	enum release_group g;
	uint32_t year;
	int64_t k;
	struct rcell *cells;
	size_t n;
	size_t n_own; /* the year's own cells, first; then RP_OTHER's */
	bool *hidden;
	int *slot; /* open addressing: cell index + 1, 0 free */
	size_t n_slots;
	size_t n_hidden, unprotected;
	double ms;
	uint64_t used; /* when last asked for, for eviction */
	size_t bytes;  /* this struct, cells, flags and index */
	uint64_t serial; /* release_serial: never reused */
};

/* The relations of one release being written. */
struct ctx {
	struct dfam *f;
	const struct release *rel;
	/* unlinkable victims of each institution at each level (latents),
	 * -1 where the level has none */
	int u[RP_COUNT][REGIONS + 1][INST_COUNT + 1];
	size_t broken; /* relations the data break (a modelling bug) */
	int err;
};

/* A linear expression over the family's terms. */
struct ex {
	int t[EX_MAX];
	int64_t c[EX_MAX];
	size_t n;
	bool over;
};

/* A level: a period of the year, nationally or (for the year) a region. */
struct lvl {
	int p, r;
};

/* What each institution may record (release_set_grants): bits 1 << enum
 * kind and 1 << enum stage, by institution. */
struct grants_by_inst {
	uint32_t kinds[INST_COUNT + 1], stages[INST_COUNT + 1];
};

/* The grants in force (release.c). */
const struct grants_by_inst *release_grants(void);

/* The semesters and quarters of each period that has any, by period
 * index (release_relate.c). */
extern const uint8_t release_kids[3][2];

/* The index of the cell of r with key's key, or -1 (release.c). */
int release_find(const struct release *r, const struct rcell *key);

/* Writing relations (release_relate.c). */
/* Adds coef times term (none when term < 0) to e. */
void release_ex_add(struct ex *e, int term, int64_t coef);
/* Adds "e OP rhs" to the family and clears e. */
void release_ex_rel(struct ctx *x, struct ex *e, enum disclose_op op,
		    int64_t rhs);
/* The term of a cell, or -1 when the table has no such row there. */
int release_cell(const struct ctx *x, int table, int period, int region,
		 const char *row, const char *col);
/* The distinct rows of table, in first-seen order; returns how many. */
size_t release_rows_of(const struct ctx *x, int table, const char **rows);
/* The children of a level: semesters or quarters, or the regions. */
size_t release_children(int parent_p, bool regions, struct lvl *out);

/* The relations of each table group, with rows room for every cell of
 * the release (release_relate.c; the victims' in release_victims.c). */
void release_relate_victims(struct ctx *x, const char **rows);
void release_relate_referrals(struct ctx *x, const char **rows);
void release_relate_protection(struct ctx *x, const char **rows);
void release_relate_cases(struct ctx *x, const char **rows);
void release_relate_timeliness(struct ctx *x, const char **rows);
/* Timeliness records against the tables of what they record, which
 * ties the groups together (release_relate.c). */
void release_relate_records(struct ctx *x, const char **rows);
/* The relations across years (release_relate.c): each of the year's
 * counts against its true value and the slack of the relation over all
 * years, from the cells release_slacks appends. */
void release_relate_years(struct ctx *x, const char **rows);
/* Appends to out, for rel made of a year's own cells and the other
 * years' sums (RP_OTHER, as query.c gathers them), the slack of each
 * relation across years (RP_OTHER, column "slack"), at most a bound
 * (release_relate.c). Returns 0 or -ENOMEM. */
int release_slacks(const struct release *rel, struct rcells *out);

#endif
