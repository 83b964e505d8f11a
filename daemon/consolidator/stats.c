/* stats.c - statistics state kept with the envelopes; see stats.h. */
#include "stats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "period.h"

/* ---- facts ------------------------------------------------------------ */

enum fact_type {
	F_IDENT = 1,
	F_SERVICE,
	F_SENT,
	F_RECEIVED,
	F_STAGE,
};

struct fact {
	uint8_t type; /* enum fact_type */
	uint8_t inst; /* the institution that emitted it */
	uint64_t seq; /* origin: the original record's sequence */
	int32_t date;
	uint8_t region;
	uint8_t a;   /* sex, service, referral's to, stage */
	uint8_t b;   /* age group */
	char nat[2]; /* nationality */
	uint32_t x;  /* exploitation bits, persons */
};

#define FACT_LEN 24

static void
fact_encode(const struct fact *f, uint8_t out[FACT_LEN])
{
	out[0] = f->type;
	out[1] = f->inst;
	store_be64(out + 2, f->seq);
	store_be32(out + 10, (uint32_t)f->date ^ DAYS_OFFSET);
	out[14] = f->region;
	out[15] = f->a;
	out[16] = f->b;
	out[17] = (uint8_t)f->nat[0];
	out[18] = (uint8_t)f->nat[1];
	store_be32(out + 19, f->x);
	out[23] = 0;
}

static void
fact_decode(const uint8_t *p, struct fact *f)
{
	f->type = p[0];
	f->inst = p[1];
	f->seq = store_get64(p + 2);
	f->date = (int32_t)(store_get32(p + 10) ^ DAYS_OFFSET);
	f->region = p[14];
	f->a = p[15];
	f->b = p[16];
	f->nat[0] = (char)p[17];
	f->nat[1] = (char)p[18];
	f->x = store_get32(p + 19);
}

/*
 * Entity keys: the kind of entity, two bytes, then 32 bytes. A referral
 * is (sender, destination, pseudonym of its number) and takes its sender
 * and destination from the signatures, never from the event alone: a
 * referral's sender is the institution that signed it, a take-up's
 * destination the one that signed it. The two bytes are 0 for victims
 * and cases.
 */
#define ENTITY_KEY_LEN (3 + PSEUDONYM_LEN)
enum entity_kind { E_VICTIM = 1, E_REFERRAL, E_CASE };

/* The entity and fact a record gives, for its origin (inst, seq). */
static void
fact_of(enum institution inst, uint64_t seq, const struct record *rec,
	uint8_t key[ENTITY_KEY_LEN], struct fact *f)
{
	const struct victim *v = &rec->victim;

	memset(f, 0, sizeof(*f));
	memset(key, 0, ENTITY_KEY_LEN);
	f->inst = (uint8_t)inst;
	f->seq = seq;
	f->date = rec->date;
	f->region = rec->region;
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
	case KIND_SERVICE:
		key[0] = E_VICTIM;
		/* Version-1 linking, whatever the event's version: the
		 * document key, else the name key (what a version-1 event's
		 * one key was). */
		if (v->doc_type != DOC_NONE) {
			memcpy(key + 3, v->doc_key, PSEUDONYM_LEN);
		} else if (v->has_name_key) {
			memcpy(key + 3, v->name_key, PSEUDONYM_LEN);
		} else if (v->has_v1_key) {
			memcpy(key + 3, v->v1_key, PSEUDONYM_LEN);
		} else {
			/* An unlinkable victim is its own entity. */
			memset(key + 3, 0xff, PSEUDONYM_LEN);
			key[3 + 23] = (uint8_t)inst;
			store_be64(key + 3 + 24, seq);
		}
		if (rec->kind == KIND_IDENTIFICATION) {
			f->type = F_IDENT;
			f->a = (uint8_t)v->sex;
			f->b = (uint8_t)v->age_group;
			f->nat[0] = v->nationality[0];
			f->nat[1] = v->nationality[1];
			f->x = rec->exploitation;
		} else {
			f->type = F_SERVICE;
			f->a = (uint8_t)rec->service;
		}
		break;
	case KIND_REFERRAL:
	case KIND_REFERRAL_RECEIVED:
		key[0] = E_REFERRAL;
		key[1] =
		    (uint8_t)(rec->kind == KIND_REFERRAL ? inst : rec->other);
		key[2] =
		    (uint8_t)(rec->kind == KIND_REFERRAL ? rec->other : inst);
		memcpy(key + 3, rec->referral, PSEUDONYM_LEN);
		f->type = rec->kind == KIND_REFERRAL ? F_SENT : F_RECEIVED;
		f->a = (uint8_t)rec->other;
		break;
	default: /* KIND_CASE_STAGE */
		key[0] = E_CASE;
		memcpy(key + 3, rec->case_id, PSEUDONYM_LEN);
		f->type = F_STAGE;
		f->a = (uint8_t)rec->stage;
		f->x = rec->persons;
		break;
	}
}

static bool
unlinkable_key(const uint8_t key[ENTITY_KEY_LEN])
{
	static const uint8_t ff[23] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff};

	return key[0] == E_VICTIM && memcmp(key + 3, ff, 23) == 0;
}

/* ---- entity maps and the batch's counter changes --------------------- */

struct entity {
	uint8_t key[ENTITY_KEY_LEN];
	bool used;
	struct fact *facts;
	size_t n, cap;
};

/* Open addressing, power-of-two size; entities are never removed (an
 * entity whose facts are all withdrawn stays, empty). */
struct emap {
	struct entity *e;
	size_t cap, n;
};

struct delta {
	uint8_t key[COUNTER_KEY_MAX];
	uint8_t len; /* 0: slot free */
	int64_t v;
};

struct stats {
	struct store *st; /* to load the index from */
	struct store_txn *t;
	struct emap index; /* every entity as committed */
	struct emap batch; /* copies of the entities this batch touched */
	struct delta *deltas;
	size_t deltas_cap, deltas_n;
	int err;	  /* first allocation failure of the batch */
	bool need_marker; /* a fresh store: write the layout marker */
};

static uint64_t
hash_bytes(const uint8_t *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static int
emap_init(struct emap *m, size_t cap)
{
	m->e = calloc(cap, sizeof(*m->e));
	m->cap = cap;
	m->n = 0;
	return m->e == NULL ? -ENOMEM : 0;
}

static void
emap_clear(struct emap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->e[i].used)
			free(m->e[i].facts);
	memset(m->e, 0, m->cap * sizeof(*m->e));
	m->n = 0;
}

static void
emap_free(struct emap *m)
{
	if (m->e != NULL)
		emap_clear(m);
	free(m->e);
	m->e = NULL;
}

/*
 * The slot of key in m: the entity if present, else the free slot where
 * it goes (used == false). Grows m first so that a free slot exists.
 * NULL only when growing fails.
 */
static struct entity *
emap_slot(struct emap *m, const uint8_t key[ENTITY_KEY_LEN])
{
	size_t mask, i;

	if ((m->n + 1) * 4 >= m->cap * 3) {
		struct emap bigger;
		size_t j;
		if (emap_init(&bigger, m->cap * 2) != 0)
			return NULL;
		for (j = 0; j < m->cap; j++) {
			struct entity *dst;
			if (!m->e[j].used)
				continue;
			dst = emap_slot(&bigger, m->e[j].key);
			*dst = m->e[j];
			bigger.n++;
		}
		free(m->e);
		*m = bigger;
	}
	mask = m->cap - 1;
	for (i = hash_bytes(key, ENTITY_KEY_LEN) & mask;; i = (i + 1) & mask) {
		struct entity *en = &m->e[i];
		if (!en->used || memcmp(en->key, key, ENTITY_KEY_LEN) == 0)
			return en;
	}
}

static void
reset(struct stats *s)
{
	emap_clear(&s->batch);
	memset(s->deltas, 0, s->deltas_cap * sizeof(*s->deltas));
	s->deltas_n = 0;
	s->err = 0;
}

struct stats *
stats_new(void)
{
	struct stats *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->deltas_cap = 4096;
	s->deltas = calloc(s->deltas_cap, sizeof(*s->deltas));
	if (s->deltas == NULL || emap_init(&s->index, 1024) != 0 ||
	    emap_init(&s->batch, 1024) != 0) {
		stats_free(&s);
		return NULL;
	}
	return s;
}

void
stats_free(struct stats **s)
{
	if (s == NULL || *s == NULL)
		return;
	emap_free(&(*s)->index);
	emap_free(&(*s)->batch);
	free((*s)->deltas);
	free(*s);
	*s = NULL;
}

/* Adds v to the counter delta of key; grows the table as needed. */
static void
delta_add(struct stats *s, const uint8_t *key, size_t len, int64_t v)
{
	size_t mask, i;

	if (s->deltas_n * 2 >= s->deltas_cap) {
		struct delta *old = s->deltas, *nd;
		size_t ocap = s->deltas_cap, j;
		nd = calloc(ocap * 2, sizeof(*nd));
		if (nd == NULL) {
			s->err = -ENOMEM;
			return;
		}
		s->deltas = nd;
		s->deltas_cap = ocap * 2;
		s->deltas_n = 0;
		for (j = 0; j < ocap; j++)
			if (old[j].len)
				delta_add(s, old[j].key, old[j].len, old[j].v);
		free(old);
	}
	mask = s->deltas_cap - 1;
	for (i = hash_bytes(key, len) & mask;; i = (i + 1) & mask) {
		struct delta *d = &s->deltas[i];
		if (d->len == 0) {
			memcpy(d->key, key, len);
			d->len = (uint8_t)len;
			d->v = v;
			s->deltas_n++;
			return;
		}
		if (d->len == len && memcmp(d->key, key, len) == 0) {
			d->v += v;
			return;
		}
	}
}

/* ---- contributions ---------------------------------------------------- */

/* Where an entity's contribution goes, and with which sign. */
struct emit {
	struct stats *s;
	int64_t sign;
	uint8_t scope;
};

static void
emit(struct emit *e, uint8_t table, uint32_t period, uint8_t region,
     const uint8_t *dims, size_t ndims, int64_t v)
{
	uint8_t k[COUNTER_KEY_MAX];

	k[0] = table;
	k[1] = e->scope;
	store_be32(k + 2, period);
	k[6] = region;
	if (ndims > 0)
		memcpy(k + COUNTER_PREFIX_LEN, dims, ndims);
	delta_add(e->s, k, COUNTER_PREFIX_LEN + ndims, e->sign * v);
}

static void
days_dim(uint8_t *p, int32_t days)
{
	store_be32(p, (uint32_t)days ^ DAYS_OFFSET);
}

static bool
in_period(int32_t date, uint32_t p)
{
	return period_contains(p, date);
}

/* Earlier of two facts: date, then institution order, then sequence. */
static bool
earlier(const struct fact *a, const struct fact *b)
{
	if (a->date != b->date)
		return a->date < b->date;
	if (a->inst != b->inst)
		return a->inst < b->inst;
	return a->seq < b->seq;
}

/*
 * The distinct (period, region) pairs that the facts of type `type`
 * (and, for services, service a) fall into, region 0 included; writes up
 * to cap pairs. Returns how many.
 */
struct scope_key {
	uint32_t period;
	uint8_t region;
};

static size_t
scope_keys(const struct fact *f, size_t n, uint8_t type, int a,
	   struct scope_key *out, size_t cap)
{
	size_t i, j, k, m = 0;

	for (i = 0; i < n; i++) {
		uint32_t ps[PERIODS_PER_DAY];
		if (f[i].type != type || (a >= 0 && f[i].a != a))
			continue;
		period_codes_of(f[i].date, ps);
		for (j = 0; j < PERIODS_PER_DAY; j++) {
			uint8_t rs[2] = {0, f[i].region};
			for (k = 0; k < 2; k++) {
				size_t q;
				for (q = 0; q < m; q++)
					if (out[q].period == ps[j] &&
					    out[q].region == rs[k])
						break;
				if (q == m && m < cap) {
					out[m].period = ps[j];
					out[m].region = rs[k];
					m++;
				}
			}
		}
	}
	return m;
}

static bool
fact_in(const struct fact *f, uint8_t type, int a, struct scope_key sk)
{
	return f->type == type && (a < 0 || f->a == a) &&
	       in_period(f->date, sk.period) &&
	       (sk.region == 0 || f->region == sk.region);
}

/* Each fact falls in three periods and two regions (all, its own). */
#define SCOPE_KEYS_PER_FACT (PERIODS_PER_DAY * 2)

static void
victim_identification(struct emit *e, const struct fact *f, size_t n,
		      bool unlinkable, struct scope_key *sks)
{
	size_t m = scope_keys(f, n, F_IDENT, -1, sks, n * SCOPE_KEYS_PER_FACT);
	size_t i, j;

	for (i = 0; i < m; i++) {
		const struct fact *first = NULL;
		uint8_t mask = 0, d[3];
		for (j = 0; j < n; j++) {
			if (!fact_in(&f[j], F_IDENT, -1, sks[i]))
				continue;
			mask |= (uint8_t)(1u << f[j].inst);
			if (first == NULL || earlier(&f[j], first))
				first = &f[j];
		}
		if (first == NULL)
			continue;
		/* An institution's own count is the national row of it:
		 * only the national scope keeps these. */
		if (e->scope == 0) {
			for (j = 1; j <= INST_COUNT; j++) {
				if (!(mask & (1u << j)))
					continue;
				d[0] = (uint8_t)j;
				emit(e, C_ID_INST, sks[i].period, sks[i].region,
				     d, 1, 1);
			}
			emit(e, C_ID_TOTAL, sks[i].period, sks[i].region, NULL,
			     0, 1);
			d[0] = unlinkable ? 0 : mask;
			emit(e, C_OVERLAP, sks[i].period, sks[i].region, d, 1,
			     1);
		}
		d[0] = DIM_SEX;
		d[1] = 0;
		d[2] = first->a;
		emit(e, C_BREAKDOWN, sks[i].period, sks[i].region, d, 3, 1);
		d[0] = DIM_AGE_GROUP;
		d[2] = first->b;
		emit(e, C_BREAKDOWN, sks[i].period, sks[i].region, d, 3, 1);
		d[0] = DIM_NATIONALITY;
		d[1] = (uint8_t)first->nat[0];
		d[2] = (uint8_t)first->nat[1];
		emit(e, C_BREAKDOWN, sks[i].period, sks[i].region, d, 3, 1);
		/* Within one region, the region row is the total. */
		d[0] = DIM_REGION;
		d[1] = 0;
		d[2] = first->region;
		if (sks[i].region == 0)
			emit(e, C_BREAKDOWN, sks[i].period, 0, d, 3, 1);
		d[0] = DIM_EXPLOITATION;
		d[1] = 0;
		for (j = 1; j <= EXPL_COUNT; j++) {
			if (!(first->x & (1u << j)))
				continue;
			d[2] = (uint8_t)j;
			emit(e, C_BREAKDOWN, sks[i].period, sks[i].region, d, 3,
			     1);
		}
	}
}

static void
victim_protection(struct emit *e, const struct fact *f, size_t n,
		  struct scope_key *sks)
{
	const struct fact *ident = NULL;
	size_t i, j;
	int sv;

	for (j = 0; j < n; j++)
		if (f[j].type == F_IDENT &&
		    (ident == NULL || f[j].date < ident->date))
			ident = &f[j];
	for (sv = 1; sv <= SERVICE_COUNT; sv++) {
		size_t m = scope_keys(f, n, F_SERVICE, sv, sks,
				      n * SCOPE_KEYS_PER_FACT);
		for (i = 0; i < m; i++) {
			const struct fact *first = NULL;
			uint8_t d[5];
			for (j = 0; j < n; j++)
				if (fact_in(&f[j], F_SERVICE, sv, sks[i]) &&
				    (first == NULL || f[j].date < first->date))
					first = &f[j];
			if (first == NULL)
				continue;
			d[0] = (uint8_t)sv;
			emit(e, C_PROT, sks[i].period, sks[i].region, d, 1, 1);
			if (ident == NULL)
				continue;
			days_dim(d + 1, first->date - ident->date);
			emit(e, C_PROT_DAYS, sks[i].period, sks[i].region, d, 5,
			     1);
		}
	}
}

static void
contribute_victim(struct emit *e, const struct fact *f, size_t n,
		  bool unlinkable)
{
	struct scope_key stack[64], *sks = stack;

	/* Room for every (period, region) the facts can fall in: none is
	 * ever left out, however many facts a victim has. */
	if (n * SCOPE_KEYS_PER_FACT > 64) {
		sks = malloc(n * SCOPE_KEYS_PER_FACT * sizeof(*sks));
		if (sks == NULL) {
			e->s->err = -ENOMEM;
			return;
		}
	}
	victim_identification(e, f, n, unlinkable, sks);
	victim_protection(e, f, n, sks);
	if (sks != stack)
		free(sks);
}

/*
 * One referral (sender, destination, number), whose facts are the
 * sender's referral records and the destination's take-ups: dated and
 * placed by its earliest referral record, taken up at the earliest
 * take-up.
 */
static void
contribute_referral(struct emit *e, const uint8_t key[ENTITY_KEY_LEN],
		    const struct fact *f, size_t n)
{
	const struct fact *sent = NULL, *taken = NULL;
	uint32_t ps[PERIODS_PER_DAY];
	size_t i, j;
	uint8_t d[6];

	for (i = 0; i < n; i++)
		if (f[i].type == F_SENT &&
		    (sent == NULL || earlier(&f[i], sent)))
			sent = &f[i];
	if (sent == NULL)
		return;
	for (i = 0; i < n; i++)
		if (f[i].type == F_RECEIVED &&
		    (taken == NULL || f[i].date < taken->date))
			taken = &f[i];
	d[0] = key[1];
	d[1] = key[2];
	period_codes_of(sent->date, ps);
	for (i = 0; i < PERIODS_PER_DAY; i++) {
		uint8_t rs[2] = {0, sent->region};
		for (j = 0; j < 2; j++) {
			emit(e, C_REF_SENT, ps[i], rs[j], d, 2, 1);
			if (taken == NULL)
				continue;
			emit(e, C_REF_TAKEN, ps[i], rs[j], d, 2, 1);
			days_dim(d + 2, taken->date - sent->date);
			emit(e, C_REF_DAYS, ps[i], rs[j], d, 6, 1);
		}
	}
}

/* Emits v for a fact's three periods and two regions (all, its own). */
static void
emit_at(struct emit *e, uint8_t table, const struct fact *at,
	const uint8_t *dims, size_t ndims, int64_t v)
{
	uint32_t ps[PERIODS_PER_DAY];
	int i;

	period_codes_of(at->date, ps);
	for (i = 0; i < PERIODS_PER_DAY; i++) {
		emit(e, table, ps[i], 0, dims, ndims, v);
		emit(e, table, ps[i], at->region, dims, ndims, v);
	}
}

static void
contribute_case(struct emit *e, const struct fact *f, size_t n)
{
	const struct fact *first[STAGE_COUNT + 1] = {NULL};
	size_t i;
	int st, m;
	uint8_t d[5];

	for (i = 0; i < n; i++) {
		st = f[i].a;
		if (f[i].type != F_STAGE || st < 1 || st > STAGE_COUNT)
			continue;
		if (first[st] == NULL || earlier(&f[i], first[st]))
			first[st] = &f[i];
	}
	for (st = 1; st <= STAGE_COUNT; st++) {
		if (first[st] == NULL)
			continue;
		d[0] = (uint8_t)st;
		emit_at(e, C_PROS_CASES, first[st], d, 1, 1);
		emit_at(e, C_PROS_PERSONS, first[st], d, 1, first[st]->x);
	}
	if (first[STAGE_COMPLAINT] != NULL) {
		bool reached = false;
		for (m = STAGE_MAIN_LAST; m >= STAGE_COMPLAINT; m--) {
			reached = reached || first[m] != NULL;
			if (!reached)
				continue;
			d[0] = (uint8_t)m;
			emit_at(e, C_FUNNEL, first[STAGE_COMPLAINT], d, 1, 1);
		}
		for (st = STAGE_ACQUITTAL; st <= STAGE_DISMISSAL; st++) {
			if (first[st] == NULL)
				continue;
			d[0] = (uint8_t)st;
			emit_at(e, C_FUNNEL, first[STAGE_COMPLAINT], d, 1, 1);
		}
	}
	for (st = STAGE_COMPLAINT; st < STAGE_MAIN_LAST; st++) {
		if (first[st] == NULL || first[st + 1] == NULL)
			continue;
		d[0] = (uint8_t)st;
		days_dim(d + 1, first[st + 1]->date - first[st]->date);
		emit_at(e, C_DUR_DAYS, first[st + 1], d, 5, 1);
	}
}

/*
 * Adds sign times the entity's contribution, nationally and for each
 * institution whose own events it holds, to the batch's counter deltas.
 */
static void
contribute(struct stats *s, const struct entity *en, int64_t sign)
{
	struct fact *mine;
	struct emit e = {.s = s, .sign = sign, .scope = 0};
	uint8_t present = 0;
	size_t i, n;
	int inst;

	if (en->n == 0)
		return;
	for (i = 0; i < en->n; i++)
		present |= (uint8_t)(1u << en->facts[i].inst);
	if (en->key[0] == E_REFERRAL) {
		/* National rows only: an institution sees the rows it is the
		 * sender or the destination of (query.c filters them). */
		contribute_referral(&e, en->key, en->facts, en->n);
		return;
	}
	mine = malloc(en->n * sizeof(*mine));
	if (mine == NULL) {
		s->err = -ENOMEM;
		return;
	}
	for (inst = 0; inst <= INST_COUNT; inst++) {
		if (inst > 0 && !(present & (1u << inst)))
			continue;
		for (i = 0, n = 0; i < en->n; i++)
			if (inst == 0 || en->facts[i].inst == inst)
				mine[n++] = en->facts[i];
		e.scope = (uint8_t)inst;
		if (en->key[0] == E_VICTIM)
			contribute_victim(&e, mine, n, unlinkable_key(en->key));
		else
			contribute_case(&e, mine, n);
	}
	free(mine);
}

/* ---- entities ----------------------------------------------------------- */

/* Copies facts into en (which owns the copy). */
static int
entity_copy(struct entity *en, const struct fact *facts, size_t n)
{
	en->n = n;
	en->cap = n + 4;
	en->facts = malloc(en->cap * sizeof(*en->facts));
	if (en->facts == NULL)
		return -ENOMEM;
	if (n > 0)
		memcpy(en->facts, facts, n * sizeof(*facts));
	return 0;
}

/*
 * The batch's copy of an entity, made from the index on first touch, when
 * its old contribution is taken off the counters. NULL (s->err set) on
 * failure.
 */
static struct entity *
entity_get(struct stats *s, const uint8_t key[ENTITY_KEY_LEN])
{
	struct entity *en, *committed;
	int r;

	en = emap_slot(&s->batch, key);
	if (en == NULL) {
		s->err = -ENOMEM;
		return NULL;
	}
	if (en->used)
		return en;
	memcpy(en->key, key, ENTITY_KEY_LEN);
	en->used = true;
	en->facts = NULL;
	en->n = en->cap = 0;
	s->batch.n++;
	committed = emap_slot(&s->index, key);
	if (committed == NULL) {
		s->err = -ENOMEM;
		return NULL;
	}
	r = committed->used ? entity_copy(en, committed->facts, committed->n)
			    : entity_copy(en, NULL, 0);
	if (r != 0) {
		s->err = r;
		return NULL;
	}
	contribute(s, en, -1);
	return en;
}

static int
entity_add(struct stats *s, const uint8_t key[ENTITY_KEY_LEN],
	   const struct fact *f)
{
	struct entity *en = entity_get(s, key);

	if (en == NULL)
		return s->err;
	if (en->n == en->cap) {
		size_t ncap = en->cap ? 2 * en->cap : 4;
		struct fact *nf = realloc(en->facts, ncap * sizeof(*nf));
		if (nf == NULL)
			return -ENOMEM;
		en->facts = nf;
		en->cap = ncap;
	}
	en->facts[en->n++] = *f;
	return 0;
}

static int
entity_remove(struct stats *s, const uint8_t key[ENTITY_KEY_LEN], uint8_t inst,
	      uint64_t seq)
{
	struct entity *en = entity_get(s, key);
	size_t i;

	if (en == NULL)
		return s->err;
	for (i = 0; i < en->n; i++) {
		if (en->facts[i].inst == inst && en->facts[i].seq == seq) {
			en->facts[i] = en->facts[--en->n];
			return 0;
		}
	}
	return 0; /* not there: nothing to take away */
}

/* ---- live records ------------------------------------------------------- */

#define LIVE_LEN (ENTITY_KEY_LEN + FACT_LEN)

static int
live_put(struct stats *s, enum institution inst, uint64_t origin,
	 const uint8_t key[ENTITY_KEY_LEN], const struct fact *f)
{
	uint8_t k[9], v[LIVE_LEN];

	k[0] = (uint8_t)inst;
	store_be64(k + 1, origin);
	memcpy(v, key, ENTITY_KEY_LEN);
	fact_encode(f, v + ENTITY_KEY_LEN);
	return store_put(s->t, T_LIVE, k, 9, v, LIVE_LEN, 0);
}

/* Takes the live fact of origin off its entity; -ENOENT if none. */
static int
live_remove(struct stats *s, enum institution inst, uint64_t origin)
{
	uint8_t k[9], key[ENTITY_KEY_LEN];
	const void *v;
	size_t vlen;
	int r;

	k[0] = (uint8_t)inst;
	store_be64(k + 1, origin);
	r = store_get(s->t, T_LIVE, k, 9, &v, &vlen);
	if (r != 0)
		return r;
	if (vlen != LIVE_LEN)
		return -EIO;
	memcpy(key, v, ENTITY_KEY_LEN);
	r = entity_remove(s, key, (uint8_t)inst, origin);
	if (r != 0)
		return r;
	return store_del(s->t, T_LIVE, k, 9);
}

/* ---- the batch ---------------------------------------------------------- */

void
stats_begin(struct stats *s, struct store_txn *t)
{
	if (s == NULL)
		return;
	reset(s);
	s->t = t;
}

int
stats_apply(struct stats *s, enum institution inst, uint64_t seq,
	    const struct event *ev)
{
	uint8_t key[ENTITY_KEY_LEN];
	uint64_t origin = seq;
	struct fact f;
	int r;

	if (s == NULL)
		return 0;
	if (ev->kind == KIND_CORRECTION || ev->kind == KIND_WITHDRAWAL) {
		origin = ev->target_seq;
		r = live_remove(s, inst, origin);
		if (r != 0 && r != -ENOENT)
			return r;
		if (ev->kind == KIND_WITHDRAWAL)
			return s->err;
	}
	fact_of(inst, origin, &ev->rec, key, &f);
	r = entity_add(s, key, &f);
	if (r == 0)
		r = live_put(s, inst, origin, key, &f);
	return r != 0 ? r : s->err;
}

static const char format_key[] = "stats_format";

/* Writes the layout marker into t. */
static int
put_marker(struct store_txn *t)
{
	uint8_t v[4];

	store_be32(v, STATS_FORMAT);
	return store_put(t, T_META, format_key, sizeof(format_key) - 1, v, 4,
			 0);
}

/* Orders counter deltas by key, for writing in key order. */
static int
delta_cmp(const void *a, const void *b)
{
	const struct delta *x = *(const struct delta *const *)a;
	const struct delta *y = *(const struct delta *const *)b;
	size_t l = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, l);

	return c != 0 ? c : (int)x->len - (int)y->len;
}

/* Adds every touched entity's new contribution to the counters. */
static int
contribute_batch(struct stats *s)
{
	size_t i;

	for (i = 0; i < s->batch.cap; i++)
		if (s->batch.e[i].used)
			contribute(s, &s->batch.e[i], +1);
	return s->err;
}

static int
write_counters(struct stats *s)
{
	struct delta **order;
	size_t i, n = 0;
	int r = 0;

	order = malloc((s->deltas_n + 1) * sizeof(*order));
	if (order == NULL)
		return -ENOMEM;
	for (i = 0; i < s->deltas_cap; i++)
		if (s->deltas[i].len && s->deltas[i].v != 0)
			order[n++] = &s->deltas[i];
	qsort(order, n, sizeof(*order), delta_cmp);
	for (i = 0; i < n && r == 0; i++)
		r = store_add(s->t, T_COUNTERS, order[i]->key, order[i]->len,
			      order[i]->v);
	free(order);
	return r;
}

int
stats_flush(struct stats *s)
{
	int r;

	if (s == NULL)
		return 0;
	if (s->err != 0)
		return s->err;
	r = contribute_batch(s);
	if (r == 0)
		r = write_counters(s);
	if (r == 0 && s->need_marker)
		r = put_marker(s->t);
	return r;
}

void
stats_committed(struct stats *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->batch.cap; i++) {
		struct entity *en = &s->batch.e[i], *dst;
		if (!en->used)
			continue;
		dst = emap_slot(&s->index, en->key);
		if (dst == NULL) {
			/* Out of memory: the index can no longer be trusted;
			 * stats_load rebuilds it from the store. */
			s->err = -ENOMEM;
			break;
		}
		if (dst->used)
			free(dst->facts);
		else
			s->index.n++;
		*dst = *en;
		en->used = false;
		en->facts = NULL;
	}
	s->batch.n = 0;
	s->need_marker = false;
	if (s->err != 0 && stats_load(s, NULL) != 0) {
		/* Nothing left to count with: the next batch fails until
		 * memory comes back, and says so. */
		emap_clear(&s->index);
	}
	reset(s);
}

void
stats_discard(struct stats *s)
{
	if (s == NULL)
		return;
	reset(s);
}

int
stats_clear(struct stats *s, struct store_txn *t)
{
	int r;

	emap_clear(&s->index);
	r = store_clear(t, T_LIVE);
	if (r == 0)
		r = store_clear(t, T_COUNTERS);
	if (r == 0)
		r = put_marker(t);
	return r;
}

/* Puts one LIVE entry's fact into the index. */
static int
load_live(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct stats *s = arg;
	struct entity *en;
	struct fact f;

	(void)k;
	(void)klen;
	if (vlen != ENTITY_KEY_LEN + FACT_LEN)
		return 0;
	en = emap_slot(&s->index, v);
	if (en == NULL)
		return -ENOMEM;
	if (!en->used) {
		memcpy(en->key, v, ENTITY_KEY_LEN);
		en->used = true;
		en->facts = NULL;
		en->n = en->cap = 0;
		s->index.n++;
	}
	if (en->n == en->cap) {
		size_t ncap = en->cap ? 2 * en->cap : 2;
		struct fact *nf = realloc(en->facts, ncap * sizeof(*nf));
		if (nf == NULL)
			return -ENOMEM;
		en->facts = nf;
		en->cap = ncap;
	}
	fact_decode((const uint8_t *)v + ENTITY_KEY_LEN, &f);
	en->facts[en->n++] = f;
	return 0;
}

/* Whatever is in entry: there is one. */
static int
any_entry(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	(void)arg;
	(void)k;
	(void)klen;
	(void)v;
	(void)vlen;
	return 1;
}

/*
 * Compares the layout marker with ours: 0 when it matches, or when the
 * tables are empty and unmarked (a fresh store, marked at its first
 * batch); -ESTALE otherwise.
 */
static int
check_marker(struct stats *s, struct store_txn *t)
{
	const void *v;
	size_t vlen;

	s->need_marker = false;
	if (store_get(t, T_META, format_key, sizeof(format_key) - 1, &v,
		      &vlen) == 0)
		return vlen == 4 && store_get32(v) == STATS_FORMAT ? 0
								   : -ESTALE;
	if (store_each(t, T_LIVE, NULL, 0, any_entry, NULL) == 1 ||
	    store_each(t, T_COUNTERS, NULL, 0, any_entry, NULL) == 1)
		return -ESTALE;
	s->need_marker = true;
	return 0;
}

int
stats_load(struct stats *s, struct store *st)
{
	struct store_txn *t;
	int r;

	if (st != NULL)
		s->st = st;
	emap_clear(&s->index);
	r = store_begin(s->st, false, &t);
	if (r != 0)
		return r;
	r = check_marker(s, t);
	if (r == 0)
		r = store_each(t, T_LIVE, NULL, 0, load_live, s);
	store_abort(&t);
	return r;
}
