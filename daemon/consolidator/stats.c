/* stats.c - statistics state kept with the envelopes; see stats.h. */
#include "stats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta.h"
#include "fact.h"
#include "link.h"
#include "mix.h"
#include "stats_contrib.h"

/* ---- facts ------------------------------------------------------------ */

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
 * Entity keys, for referrals and cases: the kind of entity, two bytes,
 * then 32 bytes. A referral is (sender, destination, pseudonym of its
 * number) and takes its sender and destination from the signatures, never
 * from the event alone: a referral's sender is the institution that signed
 * it, a take-up's destination the one that signed it. The two bytes are 0
 * for cases. Victims are not entities: link.c finds them.
 */
#define ENTITY_KEY_LEN (3 + PSEUDONYM_LEN)
enum entity_kind { E_REFERRAL = 2, E_CASE = 3 };

/*
 * What a record gives, for its origin (inst, seq): its fact and, for a
 * referral, a take-up or a case stage, the entity it is a fact of
 * (*ret_entity set) - or, for an identification or a service, a fact
 * about its victim.
 */
static void
fact_of(enum institution inst, uint64_t seq, const struct record *rec,
	uint8_t key[ENTITY_KEY_LEN], bool *ret_entity, struct fact *f)
{
	const struct victim *v = &rec->victim;

	memset(f, 0, sizeof(*f));
	memset(key, 0, ENTITY_KEY_LEN);
	f->inst = (uint8_t)inst;
	f->seq = seq;
	f->date = rec->date;
	f->region = rec->region;
	*ret_entity = true;
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		*ret_entity = false;
		f->type = F_IDENT;
		f->a = (uint8_t)v->sex;
		f->b = (uint8_t)v->age_group;
		f->nat[0] = v->nationality[0];
		f->nat[1] = v->nationality[1];
		f->x = rec->exploitation;
		break;
	case KIND_SERVICE:
		*ret_entity = false;
		f->type = F_SERVICE;
		f->a = (uint8_t)rec->service;
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

/*
 * The LIVE value of a record (layout STATS_FORMAT):
 *	fact (FACT_LEN), accepted day (4, BE ^ DAYS_OFFSET),
 *	entity key (ENTITY_KEY_LEN) for referrals, take-ups and case stages,
 *	number of keyed victim objects (2, BE), and for each object: one byte
 *	(document type in bits 0-2, name key in bit 3), the document key if
 *	any, the name key if any.
 */
struct live {
	struct fact f;
	int32_t accepted; /* the day the consolidator first accepted it */
	bool has_entity;
	uint8_t entity[ENTITY_KEY_LEN];
	size_t n;
	struct link_obj objs[EVENT_MAX_CASE_VICTIMS];
};

#define LIVE_MAX                                                               \
	(FACT_LEN + 4 + ENTITY_KEY_LEN + 2 +                                   \
	 EVENT_MAX_CASE_VICTIMS * (1 + 2 * LINK_KEY_LEN))

/* One victim's match keys, for the graph; false when it has none. */
static bool
obj_of(const struct victim *v, struct link_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->doc_type = (uint8_t)v->doc_type;
	if (v->doc_type != DOC_NONE)
		memcpy(o->doc, v->doc_key, LINK_KEY_LEN);
	if (v->has_name_key) {
		o->has_name = true;
		memcpy(o->name, v->name_key, LINK_KEY_LEN);
	} else if (v->has_v1_key) {
		/* An old event's one key (schema version 2) comes alone: a
		 * key of its own, no document. */
		o->has_name = true;
		memcpy(o->name, v->v1_key, LINK_KEY_LEN);
	}
	return o->doc_type != DOC_NONE || o->has_name;
}

/* The victim objects of rec that have keys, into objs; returns how many. */
static size_t
objs_of(const struct record *rec, struct link_obj *objs)
{
	size_t i, n = 0;

	if (rec->kind != KIND_CASE_STAGE)
		return obj_of(&rec->victim, &objs[0]) ? 1 : 0;
	for (i = 0; i < rec->n_victims && i < EVENT_MAX_CASE_VICTIMS; i++)
		if (obj_of(&rec->victims[i], &objs[n]))
			n++;
	return n;
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

/*
 * The victims a batch retracts and adds again, kept until both are known:
 * one whose facts did not change (a referral or a case stage that only
 * touched her keys) is then neither taken off nor added back.
 */
struct vcomp {
	size_t off, n;	/* its facts in the vset's arrays */
	uint64_t hash;	/* of its facts, encoded in origin order */
	bool unchanged; /* the other pass has the same */
	bool paired;	/* old pass: taken off beside a new victim */
};

/* Which changed victim of the old pass holds the fact of an origin. */
struct origin_slot {
	uint64_t origin; /* LINK_ORIGIN; 0: free */
	size_t comp;
};

struct vset {
	struct fact *facts;
	uint8_t *enc; /* FACT_LEN per fact */
	size_t n, cap;
	struct vcomp *comps;
	size_t n_comps, cap_comps;
	int err;
};

static void
vset_free(struct vset *v)
{
	free(v->facts);
	free(v->enc);
	free(v->comps);
	memset(v, 0, sizeof(*v));
}

/* A change of the batch to the victim graph, applied at stats_flush. */
/* The batch's objects array: its first size, and the most kept past a
 * batch (65,536 of 66 bytes: about 4 MiB). */
#define OBJS_FIRST 1024
#define OBJS_KEEP 65536

struct change {
	uint64_t origin; /* LINK_ORIGIN */
	bool add;	 /* else remove */
	bool has_vf;	 /* add: the record's victim fact */
	struct fact vf;
	size_t n;     /* add: objects */
	size_t first; /* add: the first in the batch's objs */
};

struct stats {
	struct store *st; /* to load the index from */
	struct store_txn *t;
	struct emap index;	/* every referral and case as committed */
	struct emap batch;	/* copies of the entities this batch touched */
	struct link *link;	/* the victims, as committed (see changes) */
	struct change *changes; /* this batch's, in order */
	size_t n_changes, cap_changes;
	struct link_obj *objs; /* the changes' objects, one array a batch */
	size_t n_objs, cap_objs;
	bool graph_dirty; /* the batch's changes are in the graph */
	struct vset old_victims, new_victims; /* relink's, per batch */
	struct live *old, *cur;		      /* scratch records */
	uint8_t *live_buf;		      /* LIVE_MAX: an encoded one */
	struct delta_table *deltas;	      /* the batch's counter changes */
	struct delta_table *victim;	  /* one victim's, before and after */
	struct origin_slot *origins;	  /* relink's, per batch */
	size_t origins_cap, origins_size; /* allocated, in use */
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

/* An entity key's hash, a word at a time (a pseudonym is random). */
static uint64_t
entity_hash(const uint8_t key[ENTITY_KEY_LEN])
{
	uint64_t w[4], h;

	memcpy(w, key + 3, sizeof(w));
	h = (uint64_t)key[0] << 16 | (uint64_t)key[1] << 8 | key[2];
	return mix64(h ^ w[0] ^ mix64(w[1] ^ mix64(w[2] ^ mix64(w[3]))));
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
	for (i = entity_hash(key) & mask;; i = (i + 1) & mask) {
		struct entity *en = &m->e[i];
		if (!en->used || memcmp(en->key, key, ENTITY_KEY_LEN) == 0)
			return en;
	}
}

/*
 * The objects' array back to its first size after a batch that grew it
 * past OBJS_KEEP (a batch of victims with hundreds of keys each, a
 * rebuild's flush): not held for the daemon's life.
 */
static void
shrink_objs(struct stats *s)
{
	struct link_obj *n;

	if (s->cap_objs <= OBJS_KEEP)
		return;
	n = realloc(s->objs, OBJS_FIRST * sizeof(*n));
	if (n == NULL)
		return; /* the larger one stays */
	s->objs = n;
	s->cap_objs = OBJS_FIRST;
}

static void
reset(struct stats *s)
{
	emap_clear(&s->batch);
	s->n_changes = 0;
	s->n_objs = 0;
	shrink_objs(s);
	link_batch_end(s->link);
	delta_clear(s->deltas);
	delta_clear(s->victim);
	s->err = 0;
}

struct stats *
stats_new(void)
{
	struct stats *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->deltas = delta_new();
	s->victim = delta_new();
	s->link = link_new();
	s->old = malloc(sizeof(*s->old));
	s->cur = malloc(sizeof(*s->cur));
	s->live_buf = malloc(LIVE_MAX);
	s->cap_objs = OBJS_FIRST;
	s->objs = malloc(s->cap_objs * sizeof(*s->objs));
	if (s->deltas == NULL || s->victim == NULL || s->link == NULL ||
	    s->old == NULL || s->cur == NULL || s->live_buf == NULL ||
	    s->objs == NULL ||
	    emap_init(&s->index, 1024) != 0 ||
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
	link_free(&(*s)->link);
	vset_free(&(*s)->old_victims);
	vset_free(&(*s)->new_victims);
	free((*s)->changes);
	free((*s)->objs);
	free((*s)->old);
	free((*s)->cur);
	free((*s)->live_buf);
	delta_free(&(*s)->deltas);
	delta_free(&(*s)->victim);
	free((*s)->origins);
	free(*s);
	*s = NULL;
}

static int
fact_origin_cmp(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;

	if (x->inst != y->inst)
		return x->inst < y->inst ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A component of the graph, as link.c reports it, into a vset. */
static void
vset_add(void *arg, const struct fact *f, size_t n)
{
	struct vset *v = arg;
	struct vcomp *c;
	size_t i;

	if (v->err != 0)
		return;
	if (v->n + n > v->cap) {
		size_t cap = v->cap ? v->cap : 256;
		struct fact *nf;
		uint8_t *ne;
		while (cap < v->n + n)
			cap *= 2;
		nf = realloc(v->facts, cap * sizeof(*nf));
		if (nf != NULL)
			v->facts = nf;
		ne = realloc(v->enc, cap * FACT_LEN);
		if (ne != NULL)
			v->enc = ne;
		if (nf == NULL || ne == NULL) {
			v->err = -ENOMEM;
			return;
		}
		v->cap = cap;
	}
	if (v->n_comps == v->cap_comps) {
		size_t cap = v->cap_comps ? 2 * v->cap_comps : 64;
		struct vcomp *nc = realloc(v->comps, cap * sizeof(*nc));
		if (nc == NULL) {
			v->err = -ENOMEM;
			return;
		}
		v->comps = nc;
		v->cap_comps = cap;
	}
	c = &v->comps[v->n_comps++];
	c->off = v->n;
	c->n = n;
	c->unchanged = false;
	c->paired = false;
	if (n > 0) {
		memcpy(v->facts + v->n, f, n * sizeof(*f));
		qsort(v->facts + v->n, n, sizeof(*f), fact_origin_cmp);
	}
	for (i = 0; i < n; i++)
		fact_encode(&v->facts[v->n + i],
			    v->enc + (v->n + i) * FACT_LEN);
	c->hash = hash_bytes(v->enc + v->n * FACT_LEN, n * FACT_LEN);
	v->n += n;
}

static void
vset_clear(struct vset *v)
{
	v->n = v->n_comps = 0;
	v->err = 0;
}

static int
vcomp_hash_cmp(const void *a, const void *b)
{
	const struct vcomp *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static bool
vcomp_same(const struct vset *a, const struct vcomp *x, const struct vset *b,
	   const struct vcomp *y)
{
	return x->n == y->n &&
	       memcmp(a->enc + x->off * FACT_LEN, b->enc + y->off * FACT_LEN,
		      x->n * FACT_LEN) == 0;
}

static uint64_t
origin_of(const struct fact *f)
{
	return LINK_ORIGIN(f->inst, f->seq);
}

static size_t
origin_hash(uint64_t origin, size_t mask)
{
	origin *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(origin ^ origin >> 32) & mask;
}

/*
 * Indexes the facts of the old pass's changed victims by origin (each
 * record's fact is in one victim). Returns 0 or -ENOMEM.
 */
static int
index_origins(struct stats *s, const struct vset *old)
{
	size_t cap = 64, mask, i, j, h;

	while (cap < 2 * old->n)
		cap *= 2;
	if (cap > s->origins_cap) {
		struct origin_slot *n = malloc(cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		free(s->origins);
		s->origins = n;
		s->origins_cap = cap;
	}
	memset(s->origins, 0, cap * sizeof(*s->origins));
	s->origins_size = cap;
	mask = cap - 1;
	for (i = 0; i < old->n_comps; i++) {
		const struct vcomp *c = &old->comps[i];
		if (c->unchanged)
			continue;
		for (j = 0; j < c->n; j++) {
			uint64_t o = origin_of(&old->facts[c->off + j]);
			for (h = origin_hash(o, mask);
			     s->origins[h].origin != 0; h = (h + 1) & mask)
				;
			s->origins[h].origin = o;
			s->origins[h].comp = i;
		}
	}
	return 0;
}

/* The old victim holding the fact of origin, or SIZE_MAX. */
static size_t
old_victim_of(const struct stats *s, uint64_t origin)
{
	size_t mask = s->origins_size - 1, h;

	for (h = origin_hash(origin, mask); s->origins[h].origin != 0;
	     h = (h + 1) & mask)
		if (s->origins[h].origin == origin)
			return s->origins[h].comp;
	return SIZE_MAX;
}

/*
 * Takes a changed victim of the new pass into the counters beside the
 * victims of the old pass that shared a record with her (herself before
 * the batch, or those she was joined from), in a table of her own: most
 * of her rows come off and go back on unchanged, and only the difference
 * reaches the batch's table. A victim with no old victim left to take
 * off (new with the batch, or split from one already taken off with
 * another piece) has nothing to cancel and goes straight to the batch's
 * table. Every old victim is
 * taken off once, here or after (the sums are the same in any order).
 */
static void
contribute_pair(struct stats *s, struct vset *old, const struct vset *cur,
		const struct vcomp *c)
{
	bool paired = false;
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		k = old_victim_of(s, origin_of(&cur->facts[c->off + i]));
		if (k == SIZE_MAX || old->comps[k].paired)
			continue;
		old->comps[k].paired = true;
		paired = true;
		stats_contrib_victim(s->victim, old->facts + old->comps[k].off,
				     old->comps[k].n, false, -1, &s->err);
	}
	if (!paired) {
		stats_contrib_victim(s->deltas, cur->facts + c->off, c->n,
				     false, +1, &s->err);
		return;
	}
	stats_contrib_victim(s->victim, cur->facts + c->off, c->n, false, +1,
			     &s->err);
	if (delta_merge(s->deltas, s->victim) != 0)
		s->err = -ENOMEM;
}

/*
 * Marks the victims found unchanged in both passes, then takes the others
 * of the old pass off the counters and adds those of the new one.
 */
static void
contribute_relinked(struct stats *s, struct vset *old, struct vset *cur)
{
	size_t i, j, k;

	/* (An empty set may have no array: qsort may not be given NULL.) */
	if (old->n_comps > 1)
		qsort(old->comps, old->n_comps, sizeof(*old->comps),
		      vcomp_hash_cmp);
	if (cur->n_comps > 1)
		qsort(cur->comps, cur->n_comps, sizeof(*cur->comps),
		      vcomp_hash_cmp);
	for (i = 0, j = 0; i < old->n_comps && j < cur->n_comps;) {
		if (old->comps[i].hash != cur->comps[j].hash) {
			if (old->comps[i].hash < cur->comps[j].hash)
				i++;
			else
				j++;
			continue;
		}
		/* Equal hashes: pair the new one with an equal old one. */
		for (k = i; k < old->n_comps &&
			    old->comps[k].hash == cur->comps[j].hash;
		     k++)
			if (!old->comps[k].unchanged &&
			    vcomp_same(old, &old->comps[k], cur,
				       &cur->comps[j])) {
				old->comps[k].unchanged = true;
				cur->comps[j].unchanged = true;
				break;
			}
		j++;
	}
	if (index_origins(s, old) != 0) {
		s->err = -ENOMEM;
		return;
	}
	for (j = 0; j < cur->n_comps; j++)
		if (!cur->comps[j].unchanged)
			contribute_pair(s, old, cur, &cur->comps[j]);
	for (i = 0; i < old->n_comps; i++)
		if (!old->comps[i].unchanged && !old->comps[i].paired)
			stats_contrib_victim(
			    s->deltas, old->facts + old->comps[i].off,
			    old->comps[i].n, false, -1, &s->err);
}

/* Adds sign times a referral's or a case's contribution to the deltas. */
static void
contribute(struct stats *s, const struct entity *en, int64_t sign)
{
	if (en->key[0] == E_REFERRAL)
		stats_contrib_referral(s->deltas, en->key[1], en->key[2],
				       en->facts, en->n, sign, &s->err);
	else
		stats_contrib_case(s->deltas, en->facts, en->n, sign, &s->err);
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

/* Encodes lv into out (LIVE_MAX bytes); returns the length. */
static size_t
live_encode(const struct live *lv, uint8_t *out)
{
	size_t len = 0, i;

	fact_encode(&lv->f, out);
	len = FACT_LEN;
	store_be32(out + len, (uint32_t)lv->accepted ^ DAYS_OFFSET);
	len += 4;
	if (lv->has_entity) {
		memcpy(out + len, lv->entity, ENTITY_KEY_LEN);
		len += ENTITY_KEY_LEN;
	}
	out[len++] = (uint8_t)(lv->n >> 8);
	out[len++] = (uint8_t)lv->n;
	for (i = 0; i < lv->n; i++) {
		const struct link_obj *o = &lv->objs[i];
		out[len++] = (uint8_t)(o->doc_type | (o->has_name ? 8 : 0));
		if (o->doc_type != DOC_NONE) {
			memcpy(out + len, o->doc, LINK_KEY_LEN);
			len += LINK_KEY_LEN;
		}
		if (o->has_name) {
			memcpy(out + len, o->name, LINK_KEY_LEN);
			len += LINK_KEY_LEN;
		}
	}
	return len;
}

/* Decodes a LIVE value into *lv; -EIO when it does not fit the layout. */
static int
live_decode(const uint8_t *p, size_t len, struct live *lv)
{
	size_t at, i;

	if (len < FACT_LEN + 4 + 2)
		return -EIO;
	fact_decode(p, &lv->f);
	lv->accepted = (int32_t)(store_get32(p + FACT_LEN) ^ DAYS_OFFSET);
	at = FACT_LEN + 4;
	lv->has_entity = lv->f.type == F_SENT || lv->f.type == F_RECEIVED ||
			 lv->f.type == F_STAGE;
	if (lv->has_entity) {
		if (len < at + ENTITY_KEY_LEN + 2)
			return -EIO;
		memcpy(lv->entity, p + at, ENTITY_KEY_LEN);
		at += ENTITY_KEY_LEN;
	}
	lv->n = (size_t)p[at] << 8 | p[at + 1];
	at += 2;
	if (lv->n > EVENT_MAX_CASE_VICTIMS)
		return -EIO;
	for (i = 0; i < lv->n; i++) {
		struct link_obj *o = &lv->objs[i];
		if (at >= len)
			return -EIO;
		memset(o, 0, sizeof(*o));
		o->doc_type = p[at] & 7;
		o->has_name = (p[at] & 8) != 0;
		at++;
		if (o->doc_type > DOC_TYPE_COUNT ||
		    (o->doc_type == DOC_NONE && !o->has_name))
			return -EIO;
		if (o->doc_type != DOC_NONE) {
			if (at + LINK_KEY_LEN > len)
				return -EIO;
			memcpy(o->doc, p + at, LINK_KEY_LEN);
			at += LINK_KEY_LEN;
		}
		if (o->has_name) {
			if (at + LINK_KEY_LEN > len)
				return -EIO;
			memcpy(o->name, p + at, LINK_KEY_LEN);
			at += LINK_KEY_LEN;
		}
	}
	return at == len ? 0 : -EIO;
}

static void
live_key(enum institution inst, uint64_t origin, uint8_t k[9])
{
	k[0] = (uint8_t)inst;
	store_be64(k + 1, origin);
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

/* Appends lv's objects to the batch's (one array, kept from batch to
 * batch, not one allocation a change). */
static int
keep_objs(struct stats *s, const struct live *lv)
{
	if (s->n_objs + lv->n > s->cap_objs) {
		size_t cap = 2 * s->cap_objs;
		struct link_obj *n;
		while (cap < s->n_objs + lv->n)
			cap *= 2;
		n = realloc(s->objs, cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		s->objs = n;
		s->cap_objs = cap;
	}
	memcpy(s->objs + s->n_objs, lv->objs, lv->n * sizeof(*lv->objs));
	s->n_objs += lv->n;
	return 0;
}

/* Appends a change for the victim graph and touches its keys. */
static int
add_change(struct stats *s, uint64_t origin, bool add, const struct live *lv)
{
	bool vf = lv->f.type == F_IDENT || lv->f.type == F_SERVICE;
	struct change *c;
	size_t i;
	int r = 0;

	if (s->n_changes == s->cap_changes) {
		size_t cap = s->cap_changes ? 2 * s->cap_changes : 256;
		struct change *n = realloc(s->changes, cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		s->changes = n;
		s->cap_changes = cap;
	}
	c = &s->changes[s->n_changes];
	memset(c, 0, sizeof(*c));
	c->origin = origin;
	c->add = add;
	if (add) {
		if ((r = keep_objs(s, lv)) != 0)
			return r;
		c->first = s->n_objs - lv->n;
		c->n = lv->n;
		c->has_vf = vf;
		c->vf = lv->f;
	}
	s->n_changes++;
	for (i = 0; i < lv->n && r == 0; i++) {
		/* A new record without a fact for the victim tables whose
		 * objects repeat keys already joined changes no victim. (A
		 * removal always touches its keys: it may be what made
		 * another object of the batch redundant.) */
		if (add && !vf && link_redundant(s->link, origin, &lv->objs[i]))
			continue;
		if (lv->objs[i].doc_type != DOC_NONE)
			r = link_touch(s->link, lv->objs[i].doc);
		if (r == 0 && lv->objs[i].has_name)
			r = link_touch(s->link, lv->objs[i].name);
	}
	return r;
}

/*
 * Takes the live record of origin out of the statistics: its referral or
 * case fact, its victim objects (from the graph, at flush) or, for an
 * unlinkable victim, its own contribution. Returns 0, -ENOENT when none is
 * live, or -errno.
 */
static int
live_remove(struct stats *s, enum institution inst, uint64_t origin)
{
	struct live *lv = s->old;
	uint8_t k[9];
	const void *v;
	size_t vlen;
	int r;

	live_key(inst, origin, k);
	r = store_get(s->t, T_LIVE, k, 9, &v, &vlen);
	if (r != 0)
		return r;
	if (live_decode(v, vlen, lv) != 0)
		return -EIO;
	stats_contrib_timeliness(s->deltas, &lv->f, lv->accepted, -1, &s->err);
	if (lv->has_entity)
		r = entity_remove(s, lv->entity, (uint8_t)inst, origin);
	else if (lv->n == 0)
		stats_contrib_victim(s->deltas, &lv->f, 1, true, -1, &s->err);
	if (r == 0 && lv->n > 0)
		r = add_change(s, LINK_ORIGIN(inst, origin), false, lv);
	if (r != 0)
		return r;
	return store_del(s->t, T_LIVE, k, 9);
}

/* Puts rec, of origin, into the statistics and the LIVE table. */
static int
live_add(struct stats *s, enum institution inst, uint64_t origin,
	 const struct record *rec, int32_t accepted)
{
	struct live *lv = s->cur;
	uint8_t k[9];
	size_t len;
	int r = 0;

	fact_of(inst, origin, rec, lv->entity, &lv->has_entity, &lv->f);
	lv->accepted = accepted;
	lv->n = objs_of(rec, lv->objs);
	stats_contrib_timeliness(s->deltas, &lv->f, lv->accepted, +1, &s->err);
	if (lv->has_entity)
		r = entity_add(s, lv->entity, &lv->f);
	else if (lv->n == 0)
		stats_contrib_victim(s->deltas, &lv->f, 1, true, +1, &s->err);
	if (r == 0 && lv->n > 0)
		r = add_change(s, LINK_ORIGIN(inst, origin), true, lv);
	if (r != 0)
		return r;
	len = live_encode(lv, s->live_buf);
	live_key(inst, origin, k);
	return store_put(s->t, T_LIVE, k, 9, s->live_buf, len, 0);
}

int
stats_apply(struct stats *s, enum institution inst, uint64_t seq,
	    const struct event *ev, int32_t accepted)
{
	uint64_t origin = seq;
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
		/* A corrected record was accepted when its original was. */
		if (r == 0)
			accepted = s->old->accepted;
	}
	r = live_add(s, inst, origin, &ev->rec, accepted);
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

/*
 * The batch's changes to the victims: the components around the touched
 * keys are taken off the counters as they were, the changes applied, and
 * the components around them added as they are now.
 */
static int
relink(struct stats *s)
{
	size_t i;
	int r;

	if (s->n_changes == 0)
		return 0;
	vset_clear(&s->old_victims);
	vset_clear(&s->new_victims);
	r = link_retract(s->link, vset_add, &s->old_victims);
	s->graph_dirty = true;
	for (i = 0; i < s->n_changes && r == 0; i++) {
		const struct change *c = &s->changes[i];
		if (c->add)
			r = link_add(s->link, c->origin, s->objs + c->first, c->n,
				     c->has_vf ? &c->vf : NULL);
		else
			link_remove(s->link, c->origin);
	}
	if (r == 0)
		r = link_readd(s->link, vset_add, &s->new_victims);
	if (r == 0)
		r = s->old_victims.err != 0 ? s->old_victims.err
					    : s->new_victims.err;
	if (r == 0)
		contribute_relinked(s, &s->old_victims, &s->new_victims);
	return r != 0 ? r : s->err;
}

/* One counter change into the transaction. */
static int
write_counter(void *arg, const uint8_t *key, size_t len, int64_t v)
{
	struct stats *s = arg;

	return store_add(s->t, T_COUNTERS, key, len, v);
}

/* The batch's counter changes, in key order: the cursor only moves on. */
static int
write_counters(struct stats *s)
{
	return delta_each(s->deltas, write_counter, s);
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
		r = relink(s);
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
	s->graph_dirty = false;
	if (s->err != 0 && stats_load(s, NULL) != 0) {
		/* Nothing left to count with: the next batch fails until
		 * memory comes back, and says so. */
		emap_clear(&s->index);
		link_clear(s->link);
	}
	reset(s);
}

void
stats_discard(struct stats *s)
{
	if (s == NULL)
		return;
	reset(s);
	/* The victim graph holds changes the store does not: reload it. */
	if (s->graph_dirty && stats_load(s, NULL) != 0) {
		emap_clear(&s->index);
		link_clear(s->link);
	}
	s->graph_dirty = false;
}

int
stats_clear(struct stats *s, struct store_txn *t)
{
	int r;

	emap_clear(&s->index);
	link_clear(s->link);
	r = store_clear(t, T_LIVE);
	if (r == 0)
		r = store_clear(t, T_COUNTERS);
	if (r == 0)
		r = put_marker(t);
	return r;
}

/* Puts one LIVE entry into the index and the graph. */
static int
load_live(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct stats *s = arg;
	struct live *lv = s->old;
	const uint8_t *kp = k;
	struct entity *en;
	int r;

	if (klen != 9 || live_decode(v, vlen, lv) != 0)
		return -EIO;
	if (lv->n > 0) {
		bool vf = lv->f.type == F_IDENT || lv->f.type == F_SERVICE;
		r = link_add(s->link, LINK_ORIGIN(kp[0], store_get64(kp + 1)),
			     lv->objs, lv->n, vf ? &lv->f : NULL);
		if (r != 0)
			return r;
	}
	if (!lv->has_entity)
		return 0;
	en = emap_slot(&s->index, lv->entity);
	if (en == NULL)
		return -ENOMEM;
	if (!en->used) {
		memcpy(en->key, lv->entity, ENTITY_KEY_LEN);
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
	en->facts[en->n++] = lv->f;
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
	link_clear(s->link);
	r = store_begin(s->st, false, &t);
	if (r != 0)
		return r;
	r = check_marker(s, t);
	if (r == 0)
		r = store_each(t, T_LIVE, NULL, 0, load_live, s);
	store_abort(&t);
	return r;
}
