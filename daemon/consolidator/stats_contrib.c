/*
 * stats_contrib.c - what a victim, a referral, a case and a record's
 * timeliness add to the counters; see stats_contrib.h.
 */
#include "stats_contrib.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "delta.h"
#include "mix.h"
#include "period.h"
#include "stats.h"
#include "store.h"

/* The longest counter key (C_REF_DAYS: from, to, days) fits a delta. */
_Static_assert(COUNTER_PREFIX_LEN + 6 <= DELTA_KEY_MAX,
	       "counter keys too long for delta.h");

/* Where an entity's contribution goes, and with which sign. */
struct emit {
	int *err;		/* set to an adding's failure */
	struct delta_table *to; /* the batch's, or a victim's own (stats_relink) */
	int64_t sign;
	uint8_t scope;
};

static void
emit(struct emit *e, uint8_t table, uint32_t period, uint8_t region,
     const uint8_t *dims, size_t ndims, int64_t v)
{
	/* Laid out as delta.h keeps it: no copy there. */
	uint8_t k[16] = {0};
	size_t i;
	int r;

	k[0] = table;
	k[1] = e->scope;
	store_be32(k + 2, period);
	k[6] = region;
	for (i = 0; i < ndims; i++)
		k[COUNTER_PREFIX_LEN + i] = dims[i];
	k[15] = (uint8_t)(COUNTER_PREFIX_LEN + ndims);
	r = delta_add_padded(e->to, k, e->sign * v);
	if (r != 0)
		*e->err = r;
}

static void
days_dim(uint8_t *p, int32_t days)
{
	store_be32(p, (uint32_t)days ^ DAYS_OFFSET);
}

/* The year, semester and quarter of a fact's date (period_codes_of, a
 * date_to_ymd), worked out once per fact: not again for each table a
 * record or a case stage counts in. */
struct periods {
	uint32_t code[PERIODS_PER_DAY];
};

/*
 * A (service, period, region) a victim's facts fall in, as one number:
 * the service (0 for an identification) in bits 28-31, the period code in
 * 8-27 (year * 10 + 0 to 6: below 100,000 for the years of a date, up to
 * 9999), the region (0: all) in 0-7. Never 0, as no period code is.
 */
#define SCOPE(a, period, region)                                               \
	((uint32_t)(a) << 28 | (uint32_t)(period) << 8 | (uint32_t)(region))
#define SCOPE_A(x) ((uint8_t)((x) >> 28))
#define SCOPE_PERIOD(x) (((x) >> 8) & 0xfffff)
#define SCOPE_REGION(x) ((uint8_t)(x))

/* lib/event.c takes dates up to 9999-12-31: codes up to 99,996. */
_Static_assert(99999 < 1u << 20, "a period code takes 20 bits");
_Static_assert(SERVICE_COUNT < 16, "a service takes 4 bits");

/* One scope's facts, gathered: the earliest, and the institutions'. */
struct scope_acc {
	uint32_t scope; /* 0: a free slot */
	uint8_t mask;
	const struct fact *first;
};

/*
 * The scopes of a victim's facts of one type, each with its facts
 * gathered as they come: one pass over her facts into a hash table kept
 * at most half full, so that a victim of many facts over many years and
 * regions costs her facts, not her facts times her (period, region)
 * pairs, and one of many facts on a few days only the few pairs those
 * days fall in.
 */
struct scopes {
	struct scope_acc *slot;
	size_t mask; /* slots - 1 */
	size_t used;
	struct scope_acc *stack; /* the first slots, not to be freed */
	int err;		 /* -ENOMEM: a growing failed */
};

#define SCOPES_ON_STACK 64

/* Where scope's probe starts in sc: every bit of it mixed into the low
 * ones (mix64), as the scopes of one year and region differ in a few
 * middle bits (the period's last digit) and the top ones (the service). */
static size_t
scope_hash(const struct scopes *sc, uint32_t scope)
{
	return (size_t)mix64(scope) & sc->mask;
}

/* The slot of scope in sc: its own, or the free one its probe ends at. */
static size_t
scope_find(const struct scopes *sc, uint32_t scope)
{
	size_t h = scope_hash(sc, scope);

	while (sc->slot[h].scope != 0 && sc->slot[h].scope != scope)
		h = (h + 1) & sc->mask;
	return h;
}

/* Doubles sc's slots, its scopes moved. Returns 0 or -ENOMEM. */
static int
scopes_grow(struct scopes *sc)
{
	struct scopes n = *sc;
	size_t i;

	n.mask = 2 * sc->mask + 1;
	n.slot = calloc(n.mask + 1, sizeof(*n.slot));
	if (n.slot == NULL)
		return -ENOMEM;
	for (i = 0; i <= sc->mask; i++)
		if (sc->slot[i].scope != 0)
			n.slot[scope_find(&n, sc->slot[i].scope)] = sc->slot[i];
	if (sc->slot != sc->stack)
		free(sc->slot);
	*sc = n;
	return 0;
}

/* The slot of scope in sc, found or taken; NULL when out of memory. */
static struct scope_acc *
scope_slot(struct scopes *sc, uint32_t scope)
{
	size_t h = scope_find(sc, scope);

	if (sc->slot[h].scope == scope)
		return &sc->slot[h];
	if (2 * (sc->used + 1) > sc->mask + 1) {
		if (scopes_grow(sc) != 0)
			return NULL;
		h = scope_find(sc, scope);
	}
	sc->slot[h].scope = scope;
	sc->used++;
	return &sc->slot[h];
}

/*
 * Gathers the facts of type `type` (a service's with its service) in each
 * (period, region) they fall in: each of their three periods, all regions
 * and their own. For identifications, the earliest by fact_earlier() and the
 * institutions; for services, the earliest by date. Sets sc->err when out
 * of memory.
 */
static void
scopes_gather(struct scopes *sc, const struct fact *f, const struct periods *ps,
	      size_t n, uint8_t type)
{
	size_t i, j, k;

	memset(sc->slot, 0, (sc->mask + 1) * sizeof(*sc->slot));
	sc->used = 0;
	for (i = 0; i < n; i++) {
		uint8_t a = type == F_SERVICE ? f[i].a : 0;
		uint8_t rs[2] = {0, f[i].region};
		if (f[i].type != type ||
		    (type == F_SERVICE && (a < 1 || a > SERVICE_COUNT)))
			continue;
		for (j = 0; j < PERIODS_PER_DAY; j++)
			for (k = 0; k < (rs[1] != 0 ? 2u : 1u); k++) {
				struct scope_acc *s = scope_slot(
				    sc, SCOPE(a, ps[i].code[j], rs[k]));
				if (s == NULL) {
					sc->err = -ENOMEM;
					return;
				}
				s->mask |= (uint8_t)(1u << f[i].inst);
				if (s->first == NULL ||
				    (type == F_IDENT
					 ? fact_earlier(&f[i], s->first)
					 : f[i].date < s->first->date))
					s->first = &f[i];
			}
	}
}

/* The facts of one institution's share of a victim or a case, copied
 * out: on the stack up to this many. */
#define FACTS_ON_STACK 32

static void
victim_identification(struct emit *e, struct scopes *sc, const struct fact *f,
		      const struct periods *ps, size_t n, bool unlinkable)
{
	size_t i, j;

	scopes_gather(sc, f, ps, n, F_IDENT);
	if (sc->err != 0)
		return;
	for (i = 0; i <= sc->mask; i++) {
		const struct scope_acc *s = &sc->slot[i];
		const struct fact *first = s->first;
		const uint32_t period = SCOPE_PERIOD(s->scope);
		const uint8_t region = SCOPE_REGION(s->scope);
		uint8_t d[3];
		if (s->scope == 0)
			continue;
		/* An institution's own count is the national row of it:
		 * only the national scope keeps these. */
		if (e->scope == 0) {
			for (j = 1; j <= INST_COUNT; j++) {
				if (!(s->mask & (1u << j)))
					continue;
				d[0] = (uint8_t)j;
				emit(e, C_ID_INST, period, region, d, 1, 1);
			}
			emit(e, C_ID_TOTAL, period, region, NULL, 0, 1);
			d[0] = unlinkable ? 0 : s->mask;
			emit(e, C_OVERLAP, period, region, d, 1, 1);
		}
		d[0] = DIM_SEX;
		d[1] = 0;
		d[2] = first->a;
		emit(e, C_BREAKDOWN, period, region, d, 3, 1);
		d[0] = DIM_AGE_GROUP;
		d[2] = first->b;
		emit(e, C_BREAKDOWN, period, region, d, 3, 1);
		/* Sex by child or adult, crossed (SDG 16.2.2): nationally
		 * only, as only the analyst's sdg16_2_2 reads it. */
		if (e->scope == 0) {
			d[0] = first->a;
			d[1] = first->b == AGE_18_PLUS ? 1 : 0;
			emit(e, C_SEX_AGE, period, region, d, 2, 1);
		}
		d[0] = DIM_NATIONALITY;
		d[1] = (uint8_t)first->nat[0];
		d[2] = (uint8_t)first->nat[1];
		emit(e, C_BREAKDOWN, period, region, d, 3, 1);
		/* Within one region, the region row is the total. */
		d[0] = DIM_REGION;
		d[1] = 0;
		d[2] = first->region;
		if (region == 0)
			emit(e, C_BREAKDOWN, period, 0, d, 3, 1);
		d[0] = DIM_EXPLOITATION;
		d[1] = 0;
		for (j = 1; j <= EXPL_COUNT; j++) {
			if (!(first->x & (1u << j)))
				continue;
			d[2] = (uint8_t)j;
			emit(e, C_BREAKDOWN, period, region, d, 3, 1);
		}
	}
}

static void
victim_protection(struct emit *e, struct scopes *sc, const struct fact *f,
		  const struct periods *ps, size_t n)
{
	const struct fact *ident = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].type == F_IDENT &&
		    (ident == NULL || f[i].date < ident->date))
			ident = &f[i];
	scopes_gather(sc, f, ps, n, F_SERVICE);
	if (sc->err != 0)
		return;
	for (i = 0; i <= sc->mask; i++) {
		const struct scope_acc *s = &sc->slot[i];
		uint8_t d[5];
		if (s->scope == 0)
			continue;
		d[0] = SCOPE_A(s->scope);
		emit(e, C_PROT, SCOPE_PERIOD(s->scope), SCOPE_REGION(s->scope),
		     d, 1, 1);
		if (ident == NULL)
			continue;
		days_dim(d + 1, s->first->date - ident->date);
		emit(e, C_PROT_DAYS, SCOPE_PERIOD(s->scope),
		     SCOPE_REGION(s->scope), d, 5, 1);
	}
}

static void
contribute_victim(struct emit *e, const struct fact *f,
		  const struct periods *ps, size_t n, bool unlinkable)
{
	struct scope_acc stack[SCOPES_ON_STACK];
	struct scopes sc = {stack, SCOPES_ON_STACK - 1, 0, stack, 0};

	victim_identification(e, &sc, f, ps, n, unlinkable);
	if (sc.err == 0)
		victim_protection(e, &sc, f, ps, n);
	if (sc.err != 0)
		*e->err = sc.err;
	if (sc.slot != stack)
		free(sc.slot);
}

/* Where a day's quarter is among its period_codes_of(). */
#define QUARTER_OF_DAY 2

/*
 * Take-ups of a referral the sender has no live record of (never recorded,
 * withdrawn, or its number typed otherwise): counted once, dated and
 * placed by the earliest take-up, so that a low uptake shows its reason.
 * When the sender's record arrives the referral's contribution is
 * replaced and the count moves to taken_up.
 */
static void
contribute_unmatched(struct emit *e, uint8_t from, uint8_t dest,
		     const struct fact *f, size_t n)
{
	const struct fact *taken = NULL;
	uint32_t ps[PERIODS_PER_DAY];
	uint8_t d[2] = {from, dest};
	size_t j;

	for (j = 0; j < n; j++)
		if (f[j].type == F_RECEIVED &&
		    (taken == NULL || fact_earlier(&f[j], taken)))
			taken = &f[j];
	if (taken == NULL)
		return;
	period_codes_of(taken->date, ps);
	emit(e, C_REF_UNMATCHED, ps[QUARTER_OF_DAY], 0, d, 2, 1);
	emit(e, C_REF_UNMATCHED, ps[QUARTER_OF_DAY], taken->region, d, 2, 1);
}

/*
 * One referral (sender, destination, number), whose facts are the
 * sender's referral records and the destination's take-ups: dated and
 * placed by its earliest referral record, taken up at the earliest
 * take-up. Its tables are kept by quarter (counter_by_quarter).
 */
static void
contribute_referral(struct emit *e, uint8_t from, uint8_t dest,
		    const struct fact *f, size_t n)
{
	const struct fact *sent = NULL, *taken = NULL;
	uint32_t ps[PERIODS_PER_DAY];
	uint8_t rs[2], d[6];
	size_t j;

	for (j = 0; j < n; j++)
		if (f[j].type == F_SENT &&
		    (sent == NULL || fact_earlier(&f[j], sent)))
			sent = &f[j];
	if (sent == NULL) {
		contribute_unmatched(e, from, dest, f, n);
		return;
	}
	for (j = 0; j < n; j++)
		if (f[j].type == F_RECEIVED &&
		    (taken == NULL || f[j].date < taken->date))
			taken = &f[j];
	d[0] = from;
	d[1] = dest;
	period_codes_of(sent->date, ps);
	rs[0] = 0;
	rs[1] = sent->region;
	for (j = 0; j < 2; j++) {
		emit(e, C_REF_SENT, ps[QUARTER_OF_DAY], rs[j], d, 2, 1);
		if (taken == NULL)
			continue;
		emit(e, C_REF_TAKEN, ps[QUARTER_OF_DAY], rs[j], d, 2, 1);
		days_dim(d + 2, taken->date - sent->date);
		emit(e, C_REF_DAYS, ps[QUARTER_OF_DAY], rs[j], d, 6, 1);
	}
}

/* Emits v for a fact's quarter (ps, its periods) in two regions (all, its
 * own): the tables emitted so are kept by quarter (counter_by_quarter). */
static void
emit_at(struct emit *e, uint8_t table, const struct fact *at,
	const struct periods *ps, const uint8_t *dims, size_t ndims, int64_t v)
{
	emit(e, table, ps->code[QUARTER_OF_DAY], 0, dims, ndims, v);
	emit(e, table, ps->code[QUARTER_OF_DAY], at->region, dims, ndims, v);
}

/*
 * A case no complaint names (first: its earliest event of each stage),
 * nationally: the funnel, which follows cases from their complaint, never
 * sees it, as when a court wrote the prosecutor's case number otherwise.
 * Counted once, under the institution of its earliest event, dated and
 * placed by that event; when a complaint of the case arrives (or the
 * stage is corrected to the right number) the case's contribution is
 * replaced and the count goes.
 */
static void
contribute_unnamed(struct emit *e, const struct fact *const *first)
{
	const struct fact *at = NULL;
	struct periods ps;
	uint8_t d[1];
	int st;

	if (e->scope != 0 || first[STAGE_COMPLAINT] != NULL)
		return;
	for (st = 1; st <= STAGE_COUNT; st++)
		if (first[st] != NULL &&
		    (at == NULL || fact_earlier(first[st], at)))
			at = first[st];
	if (at == NULL)
		return;
	period_codes_of(at->date, ps.code);
	d[0] = at->inst;
	emit_at(e, C_CASE_UNMATCHED, at, &ps, d, 1, 1);
}

static void
contribute_case(struct emit *e, const struct fact *f, size_t n)
{
	const struct fact *first[STAGE_COUNT + 1] = {NULL};
	struct periods ps[STAGE_COUNT + 1]; /* of first[] */
	size_t i;
	int st, m;
	uint8_t d[5];

	for (i = 0; i < n; i++) {
		st = f[i].a;
		if (f[i].type != F_STAGE || st < 1 || st > STAGE_COUNT)
			continue;
		if (first[st] == NULL || fact_earlier(&f[i], first[st]))
			first[st] = &f[i];
	}
	for (st = 1; st <= STAGE_COUNT; st++)
		if (first[st] != NULL)
			period_codes_of(first[st]->date, ps[st].code);
	for (st = 1; st <= STAGE_COUNT; st++) {
		if (first[st] == NULL)
			continue;
		d[0] = (uint8_t)st;
		emit_at(e, C_PROS_CASES, first[st], &ps[st], d, 1, 1);
		emit_at(e, C_PROS_PERSONS, first[st], &ps[st], d, 1,
			first[st]->x);
	}
	contribute_unnamed(e, first);
	if (first[STAGE_COMPLAINT] != NULL) {
		bool reached = false;
		for (m = STAGE_MAIN_LAST; m >= STAGE_COMPLAINT; m--) {
			reached = reached || first[m] != NULL;
			if (!reached)
				continue;
			d[0] = (uint8_t)m;
			emit_at(e, C_FUNNEL, first[STAGE_COMPLAINT],
				&ps[STAGE_COMPLAINT], d, 1, 1);
		}
		for (st = STAGE_ACQUITTAL; st <= STAGE_DISMISSAL; st++) {
			if (first[st] == NULL)
				continue;
			d[0] = (uint8_t)st;
			emit_at(e, C_FUNNEL, first[STAGE_COMPLAINT],
				&ps[STAGE_COMPLAINT], d, 1, 1);
		}
	}
	for (st = STAGE_COMPLAINT; st < STAGE_MAIN_LAST; st++) {
		if (first[st] == NULL || first[st + 1] == NULL)
			continue;
		d[0] = (uint8_t)st;
		days_dim(d + 1, first[st + 1]->date - first[st]->date);
		emit_at(e, C_DUR_DAYS, first[st + 1], &ps[st + 1], d, 5, 1);
	}
}

void
stats_contrib_victim(struct delta_table *to, const struct fact *f, size_t n,
		     bool unlinkable, int64_t sign, int *err)
{
	struct emit e = {.err = err, .to = to, .sign = sign, .scope = 0};
	struct fact stack[FACTS_ON_STACK], *mine = stack;
	struct periods ps_stack[2 * FACTS_ON_STACK], *ps = ps_stack, *mine_ps;
	uint8_t present = 0;
	size_t i, m;
	int inst;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		present |= (uint8_t)(1u << f[i].inst);
	if (n > FACTS_ON_STACK) {
		mine = malloc(n * sizeof(*mine));
		ps = malloc(2 * n * sizeof(*ps));
		if (mine == NULL || ps == NULL) {
			free(mine);
			free(ps);
			*err = -ENOMEM;
			return;
		}
	}
	/* Her facts' periods, then each institution's share's. */
	mine_ps = ps + n;
	for (i = 0; i < n; i++)
		period_codes_of(f[i].date, ps[i].code);
	for (inst = 0; inst <= INST_COUNT; inst++) {
		if (inst > 0 && !(present & (1u << inst)))
			continue;
		for (i = 0, m = 0; i < n; i++)
			if (inst == 0 || f[i].inst == inst) {
				mine_ps[m] = ps[i];
				mine[m++] = f[i];
			}
		e.scope = (uint8_t)inst;
		contribute_victim(&e, mine, mine_ps, m, unlinkable);
	}
	if (mine != stack) {
		free(mine);
		free(ps);
	}
}

void
stats_contrib_referral(struct delta_table *to, uint8_t from, uint8_t dest,
		       const struct fact *f, size_t n, int64_t sign, int *err)
{
	struct emit e = {.err = err, .to = to, .sign = sign, .scope = 0};

	if (n == 0)
		return;
	contribute_referral(&e, from, dest, f, n);
}

void
stats_contrib_case(struct delta_table *to, const struct fact *f, size_t n,
		   int64_t sign, int *err)
{
	struct fact stack[FACTS_ON_STACK], *mine = stack;
	struct emit e = {.err = err, .to = to, .sign = sign, .scope = 0};
	uint8_t present = 0;
	size_t i, m;
	int inst;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		present |= (uint8_t)(1u << f[i].inst);
	if (n > FACTS_ON_STACK && (mine = malloc(n * sizeof(*mine))) == NULL) {
		*err = -ENOMEM;
		return;
	}
	for (inst = 0; inst <= INST_COUNT; inst++) {
		if (inst > 0 && !(present & (1u << inst)))
			continue;
		for (i = 0, m = 0; i < n; i++)
			if (inst == 0 || f[i].inst == inst)
				mine[m++] = f[i];
		e.scope = (uint8_t)inst;
		contribute_case(&e, mine, m);
	}
	if (mine != stack)
		free(mine);
}

void
stats_contrib_timeliness(struct delta_table *to, const struct fact *f,
			 int32_t accepted, int64_t sign, int *err)
{
	struct emit e = {.err = err, .to = to, .sign = sign, .scope = 0};
	int32_t days = accepted - f->date;
	struct periods ps;
	uint8_t d[5];

	period_codes_of(f->date, ps.code);
	d[0] = f->inst;
	emit_at(&e, C_TIME_RECORDS, f, &ps, d, 1, 1);
	if (days <= 30)
		emit_at(&e, C_TIME_WITHIN, f, &ps, d, 1, 1);
	days_dim(d + 1, days);
	emit_at(&e, C_TIME_DAYS, f, &ps, d, 5, 1);
}
