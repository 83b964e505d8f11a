/*
 * stats_victim.c - a batch's changes to the victim graph, gathered as its
 * records come and applied at flush (stats_relink): the victims around the
 * touched keys are taken off the counters as they were and added as they
 * are now, those the batch left as they were neither; see stats_int.h.
 */
#include "stats_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delta.h"
#include "stats_contrib.h"

/*
 * The objects' array back to its first size after a batch that grew it
 * past OBJS_KEEP (a batch of victims with hundreds of keys each, a
 * rebuild's flush): not held for the daemon's life.
 */
void
stats_shrink_objs(struct stats *s)
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
int
stats_add_change(struct stats *s, uint64_t origin, bool add,
		 const struct live *lv)
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
	/* What the batch leaves of the record, for stats_room's walks. */
	if ((r = link_pend(s->link, origin, lv->objs, add ? lv->n : 0)) != 0)
		return r;
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

void
stats_vset_free(struct vset *v)
{
	free(v->facts);
	free(v->enc);
	free(v->comps);
	memset(v, 0, sizeof(*v));
}

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

/*
 * The batch's changes to the victims: the components around the touched
 * keys are taken off the counters as they were, the changes applied, and
 * the components around them added as they are now.
 */
int
stats_relink(struct stats *s)
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
