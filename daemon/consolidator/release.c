/* release.c - the secretariat's releases, one per component, and the
 * relations a reader knows between their cells; see release.h. */
#include "release.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "disclose.h"
#include "event.h"
#include "log.h"

/*
 * Releases kept: every table group (5) for every year of a store of a
 * dozen years at the consolidator's one k, or as many components at
 * several k's. A release holds 16-63 KiB whatever the number of events
 * (its cells are the tables' rows, not the events; bench/README.md), so
 * 64 hold under 4 MiB; the byte bound is met only by data with many
 * times the rows (nationalities, services) of Peru's.
 */
#define CACHE_MAX 64
#define CACHE_BYTES_MAX ((size_t)64 << 20)
#define KEY_LEN offsetof(struct rcell, value)
#define EX_MAX 512

struct release {
	enum release_group g;
	uint32_t year;
	int64_t k;
	struct rcell *cells;
	size_t n;
	bool *hidden;
	int *slot; /* open addressing: cell index + 1, 0 free */
	size_t n_slots;
	size_t n_hidden, unprotected;
	double ms;
	uint64_t used; /* when last asked for, for eviction */
	size_t bytes;  /* this struct, cells, flags and index */
};

static struct release *cache[CACHE_MAX];
static uint64_t ticks;
static size_t bytes_max = CACHE_BYTES_MAX;
/* Read by the main thread's metrics, written by the query thread. */
static _Atomic uint64_t n_computed;
static _Atomic size_t n_kept, n_bytes;

static const char *const group_names[RG_COUNT] = {
    "victims", "referrals", "protection", "cases", "timeliness"};

/* The semesters and quarters of each period that has any: Y -> H1, H2;
 * H1 -> Q1, Q2; H2 -> Q3, Q4 (by period index). */
static const uint8_t kids[3][2] = {{1, 2}, {3, 4}, {5, 6}};

/* ---- cell lists ------------------------------------------------------- */

struct rcell *
rcells_add(struct rcells *l)
{
	struct rcell *c;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct rcell *nc = realloc(l->c, cap * sizeof(*nc));
		if (nc == NULL)
			return NULL;
		l->c = nc;
		l->cap = cap;
	}
	c = &l->c[l->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

void
rcells_clear(struct rcells *l)
{
	free(l->c);
	l->c = NULL;
	l->n = l->cap = 0;
}

/* ---- releases and their index -------------------------------------- */

static uint64_t
key_hash(const struct rcell *c)
{
	const uint8_t *p = (const uint8_t *)c;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < KEY_LEN; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 31);
}

static int
find(const struct release *r, const struct rcell *key)
{
	size_t mask = r->n_slots - 1, i;

	for (i = key_hash(key) & mask; r->slot[i] != 0; i = (i + 1) & mask) {
		const struct rcell *c = &r->cells[r->slot[i] - 1];
		if (memcmp(c, key, KEY_LEN) == 0)
			return r->slot[i] - 1;
	}
	return -1;
}

static void
release_free(struct release **pr)
{
	struct release *r = *pr;

	if (r == NULL)
		return;
	free(r->cells);
	free(r->hidden);
	free(r->slot);
	free(r);
	*pr = NULL;
}

/* A release holding a copy of cells and their index; nothing hidden
 * yet. NULL when out of memory. */
static struct release *
release_new(enum release_group g, uint32_t year, int64_t k,
	    const struct rcells *cells)
{
	struct release *r = calloc(1, sizeof(*r));
	size_t i;

	if (r == NULL)
		return NULL;
	r->g = g;
	r->year = year;
	r->k = k;
	r->n = cells->n;
	for (r->n_slots = 16; r->n_slots < 2 * r->n + 2; r->n_slots *= 2)
		;
	r->cells = malloc((r->n + 1) * sizeof(*r->cells));
	r->hidden = calloc(r->n + 1, sizeof(*r->hidden));
	r->slot = calloc(r->n_slots, sizeof(*r->slot));
	if (r->cells == NULL || r->hidden == NULL || r->slot == NULL) {
		release_free(&r);
		return NULL;
	}
	r->bytes = sizeof(*r) + (r->n + 1) * sizeof(*r->cells) +
		   (r->n + 1) * sizeof(*r->hidden) +
		   r->n_slots * sizeof(*r->slot);
	if (r->n > 0)
		memcpy(r->cells, cells->c, r->n * sizeof(*r->cells));
	for (i = 0; i < r->n; i++) {
		size_t mask = r->n_slots - 1, s;
		if (find(r, &r->cells[i]) >= 0)
			continue; /* a key twice: the first one answers */
		for (s = key_hash(&r->cells[i]) & mask; r->slot[s] != 0;
		     s = (s + 1) & mask)
			;
		r->slot[s] = (int)i + 1;
	}
	return r;
}

/* ---- writing relations ------------------------------------------------ */

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

static void
ex_add(struct ex *e, int term, int64_t coef)
{
	size_t i;

	if (term < 0 || coef == 0)
		return;
	for (i = 0; i < e->n; i++)
		if (e->t[i] == term) {
			e->c[i] += coef;
			return;
		}
	if (e->n == EX_MAX) {
		e->over = true;
		return;
	}
	e->t[e->n] = term;
	e->c[e->n++] = coef;
}

/* Logs, at debug level, a relation the data break: which cells. */
static void
log_rel(const struct ctx *x, const struct ex *e, size_t n, enum disclose_op op,
	int64_t rhs)
{
	char buf[1024];
	size_t i, len = 0;

	for (i = 0; i < n && len < sizeof(buf) - 1; i++) {
		const struct rcell *c = (size_t)e->t[i] < x->rel->n
					    ? &x->rel->cells[e->t[i]]
					    : NULL;
		if (c != NULL)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						" %+lld*t%u/p%u/r%u/%s/%s=%lld",
						(long long)e->c[i], c->table,
						c->period, c->region, c->row,
						c->col, (long long)c->value);
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						" %+lld*latent%d",
						(long long)e->c[i], e->t[i]);
	}
	log_debug("event=release_relation_broken op=%s rhs=%lld terms=%s",
		  op == DISCLOSE_EQ   ? "eq"
		  : op == DISCLOSE_LE ? "le"
				      : "ge",
		  (long long)rhs, buf);
}

/* Adds "e OP rhs" to the family and clears e. */
static void
ex_rel(struct ctx *x, struct ex *e, enum disclose_op op, int64_t rhs)
{
	size_t i, n = 0;
	int r;

	for (i = 0; i < e->n; i++)
		if (e->c[i] != 0) {
			e->t[n] = e->t[i];
			e->c[n++] = e->c[i];
		}
	if (e->over) {
		/* Cannot happen with 25 regions and 5 institutions; were
		 * it to, the audit would know less than a reader. */
		x->err = -E2BIG;
	} else if (n > 0) {
		r = dfam_rel(x->f, e->t, e->c, n, op, rhs);
		if (r == -EINVAL) {
			x->broken++;
			log_rel(x, e, n, op, rhs);
		} else if (r != 0)
			x->err = r;
	}
	e->n = 0;
	e->over = false;
}

/* The term of a cell, or -1 when the table has no such row there (a
 * count of 0). */
static int
cell(const struct ctx *x, int table, int period, int region, const char *row,
     const char *col)
{
	struct rcell key;

	memset(&key, 0, sizeof(key));
	key.table = (uint8_t)table;
	key.period = (uint8_t)period;
	key.region = (uint8_t)region;
	snprintf(key.row, sizeof(key.row), "%s", row);
	snprintf(key.col, sizeof(key.col), "%s", col);
	return find(x->rel, &key);
}

/* The distinct rows of table (any period, any region), in first-seen
 * order, into rows (room for rel->n); returns how many. */
static size_t
rows_of(const struct ctx *x, int table, const char **rows)
{
	size_t i, j, n = 0;

	for (i = 0; i < x->rel->n; i++) {
		const struct rcell *c = &x->rel->cells[i];
		if (c->table != table)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(rows[j], c->row) == 0)
				break;
		if (j == n)
			rows[n++] = c->row;
	}
	return n;
}

/* A level: a period of the year, nationally or (for the year) a region. */
struct lvl {
	int p, r;
};

/* The children of a level: semesters or quarters, or the regions. */
static size_t
children(int parent_p, bool regions, struct lvl *out)
{
	size_t n = 0;
	int i;

	if (regions) {
		for (i = 1; i <= REGIONS; i++)
			out[n++] = (struct lvl){RP_YEAR, i};
	} else {
		out[n++] = (struct lvl){kids[parent_p][0], 0};
		out[n++] = (struct lvl){kids[parent_p][1], 0};
	}
	return n;
}

/*
 * A count placed once (at one date, in one region): the year is the sum
 * of its semesters, a semester of its quarters, the country of its
 * regions (when the table is open by region).
 */
static void
additive(struct ctx *x, int table, const char *row, const char *col,
	 bool regional)
{
	struct ex e = {.n = 0};
	struct lvl kid[REGIONS];
	size_t i, n;
	int fam;

	for (fam = 0; fam < 4; fam++) {
		bool regions = fam == 3;
		int pp = regions ? RP_YEAR : fam;
		if (regions && !regional)
			break;
		n = children(pp, regions, kid);
		ex_add(&e, cell(x, table, pp, 0, row, col), 1);
		for (i = 0; i < n; i++)
			ex_add(&e, cell(x, table, kid[i].p, kid[i].r, row, col),
			       -1);
		ex_rel(x, &e, DISCLOSE_EQ, 0);
	}
}

/*
 * A count of distinct people (a victim seen in two quarters or two
 * regions counts once in the year or the country): the whole is at least
 * each part and at most their sum.
 */
static void
distinct(struct ctx *x, int table, const char *row, const char *col,
	 bool regional)
{
	struct ex e = {.n = 0}, sum = {.n = 0};
	struct lvl kid[REGIONS];
	size_t i, n;
	int fam, whole;

	for (fam = 0; fam < 4; fam++) {
		bool regions = fam == 3;
		int pp = regions ? RP_YEAR : fam;
		if (regions && !regional)
			break;
		n = children(pp, regions, kid);
		whole = cell(x, table, pp, 0, row, col);
		ex_add(&sum, whole, 1);
		for (i = 0; i < n; i++) {
			int part = cell(x, table, kid[i].p, kid[i].r, row, col);
			ex_add(&e, whole, 1);
			ex_add(&e, part, -1);
			ex_rel(x, &e, DISCLOSE_GE, 0);
			ex_add(&sum, part, -1);
		}
		ex_rel(x, &sum, DISCLOSE_LE, 0);
	}
}

/* ---- the victims' tables ------------------------------------------- */

#define ALL 0 /* "institution" all in L() */

static int
ident(const struct ctx *x, struct lvl l, int inst)
{
	return cell(x, RT_IDENTIFICATION, l.p, l.r,
		    inst == ALL ? "all"
				: institution_name((enum institution)inst),
		    "victims");
}

/* Adds coef times the linkable victims of inst (or of all) at l: the
 * identification count less the unlinkable ones. */
static void
linkable(const struct ctx *x, struct ex *e, int64_t coef, struct lvl l,
	 int inst)
{
	int i;

	ex_add(e, ident(x, l, inst), coef);
	for (i = 1; i <= INST_COUNT; i++)
		if (inst == ALL || inst == i)
			ex_add(e, x->u[l.p][l.r][i], -coef);
}

/* At one level: the unlinkable victims of an institution are among its
 * victims; the total is at least each institution's and at most their
 * sum. */
static void
victims_level(struct ctx *x, struct lvl l)
{
	struct ex e = {.n = 0}, sum = {.n = 0};
	int i;

	for (i = 1; i <= INST_COUNT; i++) {
		linkable(x, &e, 1, l, i);
		ex_rel(x, &e, DISCLOSE_GE, 0);
		linkable(x, &e, 1, l, ALL);
		linkable(x, &e, -1, l, i);
		ex_rel(x, &e, DISCLOSE_GE, 0);
		ex_add(&sum, ident(x, l, i), -1);
	}
	ex_add(&sum, ident(x, l, ALL), 1);
	ex_rel(x, &sum, DISCLOSE_LE, 0);
}

/*
 * A level and its parts (semesters, quarters or regions): unlinkable
 * victims (one record each) add up; linkable ones are distinct people;
 * and the victims of an institution counted in two parts are among the
 * victims counted in two parts, whose number the totals give:
 *	L(whole, i) >= sum L(part, i) - (sum L(part, all) - L(whole, all)).
 */
static void
victims_family(struct ctx *x, struct lvl whole, const struct lvl *kid, size_t n)
{
	struct ex e = {.n = 0};
	size_t j;
	int i;

	for (i = 1; i <= INST_COUNT; i++) {
		ex_add(&e, x->u[whole.p][whole.r][i], 1);
		for (j = 0; j < n; j++)
			ex_add(&e, x->u[kid[j].p][kid[j].r][i], -1);
		ex_rel(x, &e, DISCLOSE_EQ, 0);
	}
	for (i = 0; i <= INST_COUNT; i++) {
		for (j = 0; j < n; j++) {
			linkable(x, &e, 1, whole, i);
			linkable(x, &e, -1, kid[j], i);
			ex_rel(x, &e, DISCLOSE_GE, 0);
		}
		linkable(x, &e, 1, whole, i);
		for (j = 0; j < n; j++)
			linkable(x, &e, -1, kid[j], i);
		ex_rel(x, &e, DISCLOSE_LE, 0);
		if (i == ALL)
			continue;
		linkable(x, &e, 1, whole, i);
		linkable(x, &e, -1, whole, ALL);
		for (j = 0; j < n; j++) {
			linkable(x, &e, -1, kid[j], i);
			linkable(x, &e, 1, kid[j], ALL);
		}
		ex_rel(x, &e, DISCLOSE_GE, 0);
	}
}

/* The institutions of an overlap row as a bit set (1 << inst); 0 for
 * "unlinkable". */
static unsigned
set_of(const char *row)
{
	char buf[sizeof(((struct rcell *)0)->row)], *tok, *save = NULL;
	unsigned s = 0;

	snprintf(buf, sizeof(buf), "%s", row);
	for (tok = strtok_r(buf, "+", &save); tok != NULL;
	     tok = strtok_r(NULL, "+", &save)) {
		enum institution i = institution_from_name(tok);
		if (i != INST_NONE)
			s |= 1u << i;
	}
	return s;
}

/*
 * The overlap at period p: its rows add up to the total; each
 * institution's linkable victims are the rows containing it; the
 * unlinkable row is the sum of the institutions' unlinkable victims.
 */
static void
overlap_level(struct ctx *x, int p)
{
	struct ex e = {.n = 0};
	struct lvl l = {p, 0};
	size_t c;
	int i;

	ex_add(&e, ident(x, l, ALL), 1);
	for (c = 0; c < x->rel->n; c++) {
		const struct rcell *rc = &x->rel->cells[c];
		if (rc->table == RT_OVERLAP && rc->period == p)
			ex_add(&e, (int)c, -1);
	}
	ex_rel(x, &e, DISCLOSE_EQ, 0);
	for (i = 1; i <= INST_COUNT; i++)
		ex_add(&e, x->u[p][0][i], 1);
	ex_add(&e, cell(x, RT_OVERLAP, p, 0, "unlinkable", "victims"), -1);
	ex_rel(x, &e, DISCLOSE_EQ, 0);
	for (i = 1; i <= INST_COUNT; i++) {
		linkable(x, &e, 1, l, i);
		for (c = 0; c < x->rel->n; c++) {
			const struct rcell *rc = &x->rel->cells[c];
			if (rc->table == RT_OVERLAP && rc->period == p &&
			    (set_of(rc->row) & (1u << i)))
				ex_add(&e, (int)c, -1);
		}
		ex_rel(x, &e, DISCLOSE_EQ, 0);
	}
}

/* Adds coef times the victims of period p whose set of institutions is
 * within s (within = true) or contains s. */
static void
sets(const struct ctx *x, struct ex *e, int64_t coef, int p, unsigned s,
     bool within)
{
	size_t c;

	for (c = 0; c < x->rel->n; c++) {
		const struct rcell *rc = &x->rel->cells[c];
		unsigned t;
		if (rc->table != RT_OVERLAP || rc->period != p)
			continue;
		t = set_of(rc->row);
		if (t != 0 && (within ? (t & ~s) == 0 : (t & s) == s))
			ex_add(e, (int)c, coef);
	}
}

/*
 * Overlap across a period and its two parts, for every set s of
 * institutions: victims whose institutions in the period lie within s
 * lie within s in each part where they appear (at most the sum, and at
 * least the sum less those seen in both parts); victims whose
 * institutions in a part contain s contain it in the period.
 */
static void
overlap_family(struct ctx *x, int pp, unsigned present)
{
	struct ex e = {.n = 0};
	int a = kids[pp][0], b = kids[pp][1];
	unsigned s;

	for (s = 2; s < (2u << INST_COUNT); s += 2) {
		if ((s & present) != s)
			continue;
		sets(x, &e, 1, pp, s, true);
		sets(x, &e, -1, a, s, true);
		sets(x, &e, -1, b, s, true);
		ex_rel(x, &e, DISCLOSE_LE, 0);
		sets(x, &e, 1, pp, s, true);
		sets(x, &e, -1, a, s, true);
		sets(x, &e, -1, b, s, true);
		linkable(x, &e, 1, (struct lvl){a, 0}, ALL);
		linkable(x, &e, 1, (struct lvl){b, 0}, ALL);
		linkable(x, &e, -1, (struct lvl){pp, 0}, ALL);
		ex_rel(x, &e, DISCLOSE_GE, 0);
		sets(x, &e, 1, pp, s, false);
		sets(x, &e, -1, a, s, false);
		ex_rel(x, &e, DISCLOSE_GE, 0);
		sets(x, &e, 1, pp, s, false);
		sets(x, &e, -1, b, s, false);
		ex_rel(x, &e, DISCLOSE_GE, 0);
	}
}

static bool
dim_is(const char *row, const char *dim)
{
	size_t n = strlen(dim);

	return strncmp(row, dim, n) == 0 && row[n] == '|';
}

/*
 * The breakdown at period p: sex, age group, nationality and region each
 * split the victims; every victim has at least one form of exploitation
 * (so those rows add up to the total or more, each at most the total); a
 * region's row is at most that region's victims in the year.
 */
static void
breakdown_level(struct ctx *x, int p)
{
	static const char *const parts[] = {"sex", "age_group", "nationality",
					    "region"};
	struct ex e = {.n = 0};
	struct lvl l = {p, 0};
	size_t c, d;

	for (d = 0; d <= 4; d++) {
		ex_add(&e, ident(x, l, ALL), -1);
		for (c = 0; c < x->rel->n; c++) {
			const struct rcell *rc = &x->rel->cells[c];
			if (rc->table != RT_BREAKDOWN || rc->period != p ||
			    !dim_is(rc->row, d < 4 ? parts[d] : "exploitation"))
				continue;
			ex_add(&e, (int)c, 1);
		}
		ex_rel(x, &e, d < 4 ? DISCLOSE_EQ : DISCLOSE_GE, 0);
	}
	for (c = 0; c < x->rel->n; c++) {
		const struct rcell *rc = &x->rel->cells[c];
		if (rc->table != RT_BREAKDOWN || rc->period != p)
			continue;
		if (dim_is(rc->row, "exploitation")) {
			ex_add(&e, (int)c, 1);
			ex_add(&e, ident(x, l, ALL), -1);
			ex_rel(x, &e, DISCLOSE_LE, 0);
		} else if (dim_is(rc->row, "region")) {
			int r = atoi(rc->row + strlen("region|"));
			if (r < 1 || r > REGIONS)
				continue;
			ex_add(&e, (int)c, 1);
			ex_add(&e, ident(x, (struct lvl){RP_YEAR, r}, ALL), -1);
			ex_rel(x, &e, DISCLOSE_LE, 0);
		}
	}
}

/*
 * A breakdown row across a period P and its parts A (earlier) and B. A
 * victim's attributes are those of its earliest identification in the
 * period, so a victim seen in A keeps its A attributes in P:
 *	B(A) <= B(P) <= B(A) + B(B),  B(P) >= B(A) + B(B) - both,
 *	B(P) - B(A) <= victims(P) - victims(A),
 * where both = victims(A) + victims(B) - victims(P) were seen in both.
 */
static void
breakdown_family(struct ctx *x, int pp, const char **rows, size_t n_rows)
{
	struct ex e = {.n = 0};
	struct lvl lp = {pp, 0}, la = {kids[pp][0], 0}, lb = {kids[pp][1], 0};
	size_t i;

	for (i = 0; i < n_rows; i++) {
		int tp = cell(x, RT_BREAKDOWN, lp.p, 0, rows[i], "victims");
		int ta = cell(x, RT_BREAKDOWN, la.p, 0, rows[i], "victims");
		int tb = cell(x, RT_BREAKDOWN, lb.p, 0, rows[i], "victims");
		ex_add(&e, tp, 1);
		ex_add(&e, ta, -1);
		ex_rel(x, &e, DISCLOSE_GE, 0);
		ex_add(&e, tp, 1);
		ex_add(&e, ta, -1);
		ex_add(&e, tb, -1);
		ex_rel(x, &e, DISCLOSE_LE, 0);
		ex_add(&e, tp, 1);
		ex_add(&e, ta, -1);
		ex_add(&e, tb, -1);
		ex_add(&e, ident(x, la, ALL), 1);
		ex_add(&e, ident(x, lb, ALL), 1);
		ex_add(&e, ident(x, lp, ALL), -1);
		ex_rel(x, &e, DISCLOSE_GE, 0);
		ex_add(&e, tp, 1);
		ex_add(&e, ta, -1);
		ex_add(&e, ident(x, lp, ALL), -1);
		ex_add(&e, ident(x, la, ALL), 1);
		ex_rel(x, &e, DISCLOSE_LE, 0);
	}
}

static void
relate_victims(struct ctx *x, const char **rows)
{
	struct lvl kid[REGIONS];
	unsigned present = 0;
	size_t c, n;
	int p, r, i;

	for (p = 0; p < RP_COUNT; p++)
		for (r = 0; r <= REGIONS; r++)
			for (i = 1; i <= INST_COUNT; i++) {
				x->u[p][r][i] = -1;
				if (r > 0 && p != RP_YEAR)
					continue;
				x->u[p][r][i] = dfam_latent(x->f, -1);
				if (x->u[p][r][i] < 0)
					x->err = -ENOMEM;
			}
	for (c = 0; c < x->rel->n; c++)
		if (x->rel->cells[c].table == RT_OVERLAP)
			present |= set_of(x->rel->cells[c].row);
	for (p = 0; p < RP_COUNT; p++)
		victims_level(x, (struct lvl){p, 0});
	for (r = 1; r <= REGIONS; r++)
		victims_level(x, (struct lvl){RP_YEAR, r});
	for (p = 0; p < 3; p++) {
		n = children(p, false, kid);
		victims_family(x, (struct lvl){p, 0}, kid, n);
	}
	n = children(RP_YEAR, true, kid);
	victims_family(x, (struct lvl){RP_YEAR, 0}, kid, n);
	for (p = 0; p < RP_COUNT; p++) {
		overlap_level(x, p);
		breakdown_level(x, p);
	}
	n = rows_of(x, RT_BREAKDOWN, rows);
	for (p = 0; p < 3; p++) {
		overlap_family(x, p, present);
		breakdown_family(x, p, rows, n);
	}
}

/* ---- the other groups ---------------------------------------------- */

static void
relate_referrals(struct ctx *x, const char **rows)
{
	static const char *const cols[] = {"sent", "taken_up", "pending"};
	struct ex e = {.n = 0};
	size_t n = rows_of(x, RT_REFERRALS, rows), i, c;
	int p, r;

	for (i = 0; i < n; i++) {
		for (c = 0; c < 3; c++)
			additive(x, RT_REFERRALS, rows[i], cols[c], true);
		for (p = 0; p < RP_COUNT; p++)
			for (r = 0; r <= REGIONS; r++) {
				if (r > 0 && p != RP_YEAR)
					continue;
				ex_add(&e,
				       cell(x, RT_REFERRALS, p, r, rows[i],
					    "sent"),
				       1);
				ex_add(&e,
				       cell(x, RT_REFERRALS, p, r, rows[i],
					    "taken_up"),
				       -1);
				ex_add(&e,
				       cell(x, RT_REFERRALS, p, r, rows[i],
					    "pending"),
				       -1);
				ex_rel(x, &e, DISCLOSE_EQ, 0);
			}
	}
	/* Take-ups matching no referral record: each placed once. */
	n = rows_of(x, RT_REFERRALS_UNMATCHED, rows);
	for (i = 0; i < n; i++)
		additive(x, RT_REFERRALS_UNMATCHED, rows[i],
			 "takeups_unmatched", true);
}

static void
relate_protection(struct ctx *x, const char **rows)
{
	size_t n = rows_of(x, RT_PROTECTION, rows), i;

	for (i = 0; i < n; i++)
		distinct(x, RT_PROTECTION, rows[i], "victims", true);
}

/*
 * Case stages and the funnel are counted once per case, at the date and
 * region of one event: they add up. The funnel's complaint row is the
 * prosecution's complaint cases; each stage of the main line is reached
 * by no more cases than the one before; acquittals and dismissals are
 * among the complaints.
 */
static void
relate_cases(struct ctx *x, const char **rows)
{
	struct ex e = {.n = 0};
	size_t n = rows_of(x, RT_PROSECUTION, rows), i;
	const char *complaint = stage_name(STAGE_COMPLAINT);
	int p, r, st;

	for (i = 0; i < n; i++) {
		additive(x, RT_PROSECUTION, rows[i], "cases", true);
		additive(x, RT_PROSECUTION, rows[i], "persons", true);
	}
	n = rows_of(x, RT_FUNNEL, rows);
	for (i = 0; i < n; i++)
		additive(x, RT_FUNNEL, rows[i], "cases", true);
	for (p = 0; p < RP_COUNT; p++)
		for (r = 0; r <= REGIONS; r++) {
			if (r > 0 && p != RP_YEAR)
				continue;
			ex_add(&e, cell(x, RT_FUNNEL, p, r, complaint, "cases"),
			       1);
			ex_add(
			    &e,
			    cell(x, RT_PROSECUTION, p, r, complaint, "cases"),
			    -1);
			ex_rel(x, &e, DISCLOSE_EQ, 0);
			for (st = STAGE_COMPLAINT + 1; st <= STAGE_COUNT;
			     st++) {
				int prev = st <= STAGE_MAIN_LAST
					       ? st - 1
					       : STAGE_COMPLAINT;
				ex_add(&e,
				       cell(x, RT_FUNNEL, p, r,
					    stage_name((enum stage)prev),
					    "cases"),
				       1);
				ex_add(&e,
				       cell(x, RT_FUNNEL, p, r,
					    stage_name((enum stage)st),
					    "cases"),
				       -1);
				ex_rel(x, &e, DISCLOSE_GE, 0);
			}
		}
}

/*
 * Timeliness: records are placed once, and split into those accepted
 * within 30 days and the rest (the share shows both); the "all" row is
 * the sum of the institutions'.
 */
static void
relate_timeliness(struct ctx *x, const char **rows)
{
	static const char *const cols[] = {"records", "within", "late"};
	struct ex e = {.n = 0};
	size_t n = rows_of(x, RT_TIMELINESS, rows), i, c;
	int p, r;

	for (i = 0; i < n; i++)
		for (c = 0; c < 3; c++)
			additive(x, RT_TIMELINESS, rows[i], cols[c], true);
	for (p = 0; p < RP_COUNT; p++)
		for (r = 0; r <= REGIONS; r++) {
			if (r > 0 && p != RP_YEAR)
				continue;
			for (i = 0; i < n; i++) {
				ex_add(&e,
				       cell(x, RT_TIMELINESS, p, r, rows[i],
					    "records"),
				       1);
				ex_add(&e,
				       cell(x, RT_TIMELINESS, p, r, rows[i],
					    "within"),
				       -1);
				ex_add(&e,
				       cell(x, RT_TIMELINESS, p, r, rows[i],
					    "late"),
				       -1);
				ex_rel(x, &e, DISCLOSE_EQ, 0);
			}
			for (c = 0; c < 3; c++) {
				ex_add(&e,
				       cell(x, RT_TIMELINESS, p, r, "all",
					    cols[c]),
				       1);
				for (i = 0; i < n; i++)
					if (strcmp(rows[i], "all") != 0)
						ex_add(&e,
						       cell(x, RT_TIMELINESS, p,
							    r, rows[i],
							    cols[c]),
						       -1);
				ex_rel(x, &e, DISCLOSE_EQ, 0);
			}
		}
}

/* ---- computing a release ------------------------------------------- */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
compute(struct release *rel)
{
	struct ctx *x = calloc(1, sizeof(*x));
	const char **rows = malloc((rel->n + 1) * sizeof(*rows));
	double t0 = now_ms();
	size_t i;
	int r = 0;

	if (x == NULL || rows == NULL || (x->f = dfam_new()) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	x->rel = rel;
	for (i = 0; i < rel->n && r == 0; i++)
		if (dfam_cell(x->f, rel->cells[i].value) < 0)
			r = -ENOMEM;
	if (r != 0)
		goto out;
	switch (rel->g) {
	case RG_VICTIMS:
		relate_victims(x, rows);
		break;
	case RG_REFERRALS:
		relate_referrals(x, rows);
		break;
	case RG_PROTECTION:
		relate_protection(x, rows);
		break;
	case RG_CASES:
		relate_cases(x, rows);
		break;
	default:
		relate_timeliness(x, rows);
	}
	r = x->err;
	if (r == 0)
		r = dfam_protect(x->f, rel->k, &rel->unprotected);
	if (r != 0)
		goto out;
	for (i = 0; i < rel->n; i++) {
		rel->hidden[i] = dfam_hidden(x->f, (int)i);
		rel->n_hidden += rel->hidden[i];
	}
	rel->ms = now_ms() - t0;
	if (x->broken > 0)
		log_warnx("event=release_model_error group=%s year=%u "
			  "relations=%zu: the data break relations the "
			  "disclosure audit assumes",
			  group_names[rel->g], rel->year, x->broken);
	/* Cells beyond protection are hidden, but their ranges stay narrow:
	 * rare (a total under k split into k - 2 small parts or more), and
	 * worth a warning. */
	(rel->unprotected > 0 ? log_warnx : log_info)(
	    "event=release group=%s year=%u k=%lld cells=%zu hidden=%zu "
	    "unprotected=%zu bytes=%zu ms=%.0f",
	    group_names[rel->g], rel->year, (long long)rel->k, rel->n,
	    rel->n_hidden, rel->unprotected, rel->bytes, rel->ms);
out:
	if (x != NULL)
		dfam_free(&x->f);
	free(x);
	free(rows);
	return r;
}

/* ---- the cache ------------------------------------------------------- */

/* Frees the release in slot i (which may be empty). */
static void
forget(size_t i)
{
	if (cache[i] == NULL)
		return;
	n_bytes -= cache[i]->bytes;
	n_kept--;
	release_free(&cache[i]);
}

/* The slot of the release least recently asked for other than spare, or
 * CACHE_MAX when there is none. */
static size_t
oldest(const struct release *spare)
{
	size_t i, o = CACHE_MAX;

	for (i = 0; i < CACHE_MAX; i++)
		if (cache[i] != NULL && cache[i] != spare &&
		    (o == CACHE_MAX || cache[i]->used < cache[o]->used))
			o = i;
	return o;
}

/* Lets the release in slot i go to make room (logged at debug level). */
static void
evict(size_t i)
{
	log_debug("event=release_evicted group=%s year=%u k=%lld bytes=%zu "
		  "cached=%zu cached_bytes=%zu",
		  group_names[cache[i]->g], cache[i]->year,
		  (long long)cache[i]->k, cache[i]->bytes, (size_t)n_kept,
		  (size_t)n_bytes);
	forget(i);
}

/* Keeps rel, in a free slot or the least recently asked for one's, then
 * lets the oldest others go until the bytes are within the bound. */
static void
keep(struct release *rel)
{
	size_t i, slot = CACHE_MAX;

	for (i = 0; i < CACHE_MAX && slot == CACHE_MAX; i++)
		if (cache[i] == NULL)
			slot = i;
	if (slot == CACHE_MAX) {
		slot = oldest(NULL);
		evict(slot);
	}
	cache[slot] = rel;
	n_bytes += rel->bytes;
	n_kept++;
	while (n_bytes > bytes_max && (i = oldest(rel)) < CACHE_MAX)
		evict(i);
}

int
release_get(enum release_group g, uint32_t year, int64_t k,
	    const struct rcells *cells, const struct release **ret)
{
	struct release *rel;
	size_t i, stale = CACHE_MAX;
	int r;

	for (i = 0; i < CACHE_MAX; i++) {
		struct release *c = cache[i];
		if (c == NULL || c->g != g || c->year != year || c->k != k)
			continue;
		if (c->n == cells->n &&
		    (c->n == 0 || memcmp(c->cells, cells->c,
					 c->n * sizeof(*c->cells)) == 0)) {
			c->used = ++ticks;
			*ret = c;
			return 0;
		}
		stale = i; /* older data of the same component: replaced */
	}
	rel = release_new(g, year, k, cells);
	if (rel == NULL)
		return -ENOMEM;
	r = compute(rel);
	if (r != 0) {
		release_free(&rel);
		return r;
	}
	n_computed++;
	if (stale < CACHE_MAX)
		forget(stale);
	rel->used = ++ticks;
	keep(rel);
	*ret = rel;
	return 0;
}

bool
release_hidden(const struct release *r, const struct rcell *key)
{
	int i = find(r, key);

	return i < 0 || r->hidden[i];
}

void
release_stats(const struct release *r, size_t *ret_cells, size_t *ret_hidden,
	      size_t *ret_unprotected, double *ret_ms)
{
	*ret_cells = r->n;
	*ret_hidden = r->n_hidden;
	*ret_unprotected = r->unprotected;
	*ret_ms = r->ms;
}

void
release_cache_clear(void)
{
	size_t i;

	for (i = 0; i < CACHE_MAX; i++)
		forget(i);
}

void
release_cache_counts(uint64_t *ret_computed, size_t *ret_kept,
		     size_t *ret_bytes)
{
	*ret_computed = n_computed;
	*ret_kept = n_kept;
	*ret_bytes = n_bytes;
}

void
release_cache_set_max_bytes(size_t max_bytes)
{
	bytes_max = max_bytes != 0 ? max_bytes : CACHE_BYTES_MAX;
}
