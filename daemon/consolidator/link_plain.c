/*
 * link_plain.c - the batch's overlay (link_pend: the records its changes
 * will leave, waiting until stats_relink puts them in the graph) and the
 * plain walks over the graph and the overlay (link_plain_count); see
 * link.h.
 */
#include "link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link_int.h"
#include "mix.h"

/* ---- the overlay and plain walks ---------------------------------------- */

/*
 * The overlay's arrays are let go after a batch that grew them past this
 * (a rebuild's flush of case stages naming many victims): not held for
 * the daemon's life.
 */
#define OVERLAY_KEEP 65536

void
link_overlay_free(struct link *l)
{
	free(l->pends.v);
	free(l->pobjs.v);
	free(l->pkeys.v);
	free(l->prefs.v);
	free(l->pkidx);
	free(l->poidx);
	memset(&l->pends, 0, sizeof(l->pends));
	memset(&l->pobjs, 0, sizeof(l->pobjs));
	memset(&l->pkeys, 0, sizeof(l->pkeys));
	memset(&l->prefs, 0, sizeof(l->prefs));
	l->pkidx = l->poidx = NULL;
	l->pkidx_cap = l->poidx_cap = 0;
}

void
link_plain_reset(struct link *l)
{
	if (l->pobjs.cap > OVERLAY_KEEP || l->pends.cap > OVERLAY_KEEP)
		link_overlay_free(l);
	/* A walk's tables grow with the keys it reaches: up to some 2 keys
	 * an object of every child a record names (256 near the cap: half
	 * a million), or more in a store from before the caps: let them go
	 * past what most batches need. */
	if (l->skeys_cap > OVERLAY_KEEP || l->sobjs_cap > OVERLAY_KEEP ||
	    l->pqueue.cap > OVERLAY_KEEP) {
		free(l->skeys);
		free(l->sobjs);
		free(l->pqueue.v);
		l->skeys = NULL;
		l->sobjs = NULL;
		memset(&l->pqueue, 0, sizeof(l->pqueue));
		l->skeys_cap = l->sobjs_cap = l->skeys_n = l->sobjs_n = 0;
	}
	if (l->pkeys.n > 0)
		memset(l->pkidx, 0xff, l->pkidx_cap * sizeof(*l->pkidx));
	if (l->pends.n > 0)
		memset(l->poidx, 0xff, l->poidx_cap * sizeof(*l->poidx));
	l->pends.n = l->pobjs.n = l->pkeys.n = l->prefs.n = 0;
	if (++l->pgen == 0) {
		uint32_t i;
		for (i = 0; i < l->n_recs; i++)
			l->recs[i].pgen = 0;
		l->pgen = 1;
	}
}

/* Grows an open-addressing table of ids to hold n + 1 (rehashing with
 * put); 0 or -ENOMEM. */
static int
idx_room(uint32_t **idx, size_t *cap, size_t n)
{
	size_t ncap = *cap ? *cap : 64;
	uint32_t *t;

	while ((n + 1) * 4 >= ncap * 3)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	t = malloc(ncap * sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	memset(t, 0xff, ncap * sizeof(*t));
	free(*idx);
	*idx = t;
	*cap = ncap;
	return 1; /* rehash */
}

/* The slot of origin's latest pend in poidx (NO_REC there: none). */
static size_t
pend_slot(const struct link *l, uint64_t origin)
{
	size_t mask = l->poidx_cap - 1, i;

	for (i = mix64(origin) & mask;; i = (i + 1) & mask) {
		uint32_t p = l->poidx[i];
		if (p == NO_REC || l->pends.v[p].origin == origin)
			return i;
	}
}

/* The pkey of k, or NO_REC. */
static uint32_t
pkey_find(const struct link *l, const uint8_t k[LINK_KEY_LEN])
{
	size_t mask, i;

	if (l->pkeys.n == 0)
		return NO_REC;
	mask = l->pkidx_cap - 1;
	for (i = hash_key(k) & mask;; i = (i + 1) & mask) {
		uint32_t id = l->pkidx[i];
		if (id == NO_REC ||
		    memcmp(l->pkeys.v[id].k, k, LINK_KEY_LEN) == 0)
			return id;
	}
}

static void
pkidx_put(struct link *l, uint32_t id)
{
	size_t mask = l->pkidx_cap - 1, i;

	for (i = hash_key(l->pkeys.v[id].k) & mask; l->pkidx[i] != NO_REC;
	     i = (i + 1) & mask)
		;
	l->pkidx[i] = id;
}

/* Adds object obj of pend p to the chain of key k. */
static int
pkey_ref(struct link *l, const uint8_t k[LINK_KEY_LEN], uint32_t p,
	 uint32_t obj)
{
	uint32_t id = pkey_find(l, k), i;
	struct pref ref;
	int r;

	if (id == NO_REC) {
		struct pkey pk;
		if ((r = idx_room(&l->pkidx, &l->pkidx_cap, l->pkeys.n)) < 0)
			return r;
		if (r > 0)
			for (i = 0; i < l->pkeys.n; i++)
				pkidx_put(l, i);
		memcpy(pk.k, k, LINK_KEY_LEN);
		pk.head = NO_REC;
		if (VEC_PUSH(l->pkeys, pk) != 0)
			return -ENOMEM;
		id = (uint32_t)(l->pkeys.n - 1);
		pkidx_put(l, id);
	}
	ref.pend = p;
	ref.obj = obj;
	ref.key = id;
	ref.prev = NO_REC;
	ref.next = l->pkeys.v[id].head;
	if (VEC_PUSH(l->prefs, ref) != 0)
		return -ENOMEM;
	if (ref.next != NO_REC)
		l->prefs.v[ref.next].prev = (uint32_t)(l->prefs.n - 1);
	l->pkeys.v[id].head = (uint32_t)(l->prefs.n - 1);
	return 0;
}

/* Takes the objects of pend p off their keys' chains: a later state of
 * its record supersedes it, so that a chain never holds more than the
 * records' latest states however often the batch changes one. */
static void
pend_unlink(struct link *l, uint32_t p)
{
	const struct pend *pd = &l->pends.v[p];
	uint32_t i;

	for (i = pd->pref_first; i < pd->pref_first + pd->pref_n; i++) {
		const struct pref *pr = &l->prefs.v[i];
		if (pr->prev != NO_REC)
			l->prefs.v[pr->prev].next = pr->next;
		else
			l->pkeys.v[pr->key].head = pr->next;
		if (pr->next != NO_REC)
			l->prefs.v[pr->next].prev = pr->prev;
	}
}

int
link_pend(struct link *l, uint64_t origin, const struct link_obj *objs,
	  size_t n)
{
	struct pend p;
	uint32_t id, i, old;
	size_t j;
	int r;

	if (n > EVENT_MAX_CASE_VICTIMS || l->pends.n >= NO_REC - 1 ||
	    l->pobjs.n + n >= NO_REC)
		return -EINVAL;
	if ((r = idx_room(&l->poidx, &l->poidx_cap, l->pends.n)) < 0)
		return r;
	if (r > 0) /* each origin's latest again, in order */
		for (i = 0; i < l->pends.n; i++)
			l->poidx[pend_slot(l, l->pends.v[i].origin)] = i;
	p.origin = origin;
	p.first = (uint32_t)l->pobjs.n;
	p.n = (uint32_t)n;
	p.pref_first = (uint32_t)l->prefs.n;
	p.pref_n = 0;
	for (j = 0; j < n; j++)
		if (VEC_PUSH(l->pobjs, objs[j]) != 0)
			return -ENOMEM;
	if (VEC_PUSH(l->pends, p) != 0)
		return -ENOMEM;
	id = (uint32_t)(l->pends.n - 1);
	if ((i = link_rec_find(l, origin)) != NO_REC)
		l->recs[i].pgen = l->pgen; /* its graph objects passed over */
	old = l->poidx[pend_slot(l, origin)];
	if (old != NO_REC)
		pend_unlink(l, old);
	l->poidx[pend_slot(l, origin)] = id;
	for (j = 0; j < n; j++) {
		const struct link_obj *o = &objs[j];
		if (o->doc_type != DOC_NONE &&
		    (r = pkey_ref(l, o->doc, id, p.first + (uint32_t)j)) != 0)
			return r;
		if (o->has_name &&
		    (r = pkey_ref(l, o->name, id, p.first + (uint32_t)j)) != 0)
			return r;
		l->pends.v[id].pref_n =
		    (uint32_t)(l->prefs.n - l->pends.v[id].pref_first);
	}
	return 0;
}

/*
 * Notes k seen by this walk (pushed to visit) unless it was; 1 new, 0
 * seen, -ENOMEM.
 */
static int
seen_key(struct link *l, const uint8_t k[LINK_KEY_LEN])
{
	size_t mask, i;

	if ((l->skeys_n + 1) * 2 >= l->skeys_cap) {
		size_t cap = l->skeys_cap ? l->skeys_cap * 2 : 256, j;
		struct seen_key *n = calloc(cap, sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		for (j = 0; j < l->skeys_cap; j++) {
			if (l->skeys[j].gen != l->sgen)
				continue;
			for (i = hash_key(l->skeys[j].k) & (cap - 1);
			     n[i].gen == l->sgen; i = (i + 1) & (cap - 1))
				;
			n[i] = l->skeys[j];
		}
		free(l->skeys);
		l->skeys = n;
		l->skeys_cap = cap;
	}
	mask = l->skeys_cap - 1;
	for (i = hash_key(k) & mask; l->skeys[i].gen == l->sgen;
	     i = (i + 1) & mask)
		if (memcmp(l->skeys[i].k, k, LINK_KEY_LEN) == 0)
			return 0;
	memcpy(l->skeys[i].k, k, LINK_KEY_LEN);
	l->skeys[i].gen = l->sgen;
	l->skeys_n++;
	return 1;
}

/* Where object idx of record origin hashes. */
static size_t
obj_hash(uint64_t origin, uint16_t idx)
{
	return (size_t)mix64(origin ^ (uint64_t)idx << 40);
}

/* As seen_key, for object idx of record origin. */
static int
seen_obj(struct link *l, uint64_t origin, uint16_t idx)
{
	size_t mask, i;

	if ((l->sobjs_n + 1) * 2 >= l->sobjs_cap) {
		size_t cap = l->sobjs_cap ? l->sobjs_cap * 2 : 256, j;
		struct seen_obj *n = calloc(cap, sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		for (j = 0; j < l->sobjs_cap; j++) {
			const struct seen_obj *o = &l->sobjs[j];
			if (o->gen != l->ogen)
				continue;
			for (i = obj_hash(o->origin, o->idx) & (cap - 1);
			     n[i].gen == l->ogen; i = (i + 1) & (cap - 1))
				;
			n[i] = *o;
		}
		free(l->sobjs);
		l->sobjs = n;
		l->sobjs_cap = cap;
	}
	mask = l->sobjs_cap - 1;
	for (i = obj_hash(origin, idx) & mask; l->sobjs[i].gen == l->ogen;
	     i = (i + 1) & mask)
		if (l->sobjs[i].origin == origin && l->sobjs[i].idx == idx)
			return 0;
	l->sobjs[i].origin = origin;
	l->sobjs[i].idx = idx;
	l->sobjs[i].gen = l->ogen;
	l->sobjs_n++;
	return 1;
}

/* A new plain walk: no key, no object seen (each object is in one
 * component, so what one component saw is never met by another). */
static void
plain_start(struct link *l)
{
	if (++l->sgen == 0) {
		if (l->skeys != NULL)
			memset(l->skeys, 0, l->skeys_cap * sizeof(*l->skeys));
		l->sgen = 1;
	}
	if (++l->ogen == 0) {
		if (l->sobjs != NULL)
			memset(l->sobjs, 0, l->sobjs_cap * sizeof(*l->sobjs));
		l->ogen = 1;
	}
	l->skeys_n = l->sobjs_n = 0;
	l->pqueue.n = 0;
}

/* Whether this walk has seen key k. */
static bool
plain_seen(const struct link *l, const uint8_t k[LINK_KEY_LEN])
{
	size_t mask, i;

	if (l->skeys_cap == 0)
		return false;
	mask = l->skeys_cap - 1;
	for (i = hash_key(k) & mask; l->skeys[i].gen == l->sgen;
	     i = (i + 1) & mask)
		if (memcmp(l->skeys[i].k, k, LINK_KEY_LEN) == 0)
			return true;
	return false;
}

/* Queues key k to visit, unless seen. 0 or -ENOMEM. */
static int
plain_push(struct link *l, const uint8_t k[LINK_KEY_LEN])
{
	struct touched t;
	int r = seen_key(l, k);

	if (r <= 0)
		return r;
	memcpy(t.k, k, LINK_KEY_LEN);
	return VEC_PUSH(l->pqueue, t);
}

/*
 * Object idx of record origin, with keys doc (NULL: none) and name (NULL:
 * none), reached by the walk: counted if new, its keys queued. 0 or
 * -ENOMEM.
 */
static int
plain_visit(struct link *l, uint64_t origin, size_t idx, const uint8_t *doc,
	    const uint8_t *name, size_t *count)
{
	int r = seen_obj(l, origin, (uint16_t)idx);

	if (r <= 0)
		return r;
	(*count)++;
	if (doc != NULL && (r = plain_push(l, doc)) != 0)
		return r;
	if (name != NULL && (r = plain_push(l, name)) != 0)
		return r;
	return 0;
}

/* Whether origin is walked: every record, or inst's alone. */
static bool
plain_takes(uint64_t origin, unsigned inst)
{
	return inst == 0 || origin >> 56 == inst;
}

/*
 * One key of a plain walk: the objects carrying it, as the batch leaves
 * them, with origin's replaced by objs[0..n-1]; stops once *count passes
 * cap. A key's chain of pending objects holds only the latest state of
 * each record (pend_unlink), and a graph object of a record the batch
 * changes is passed over for it.
 */
static int
plain_key(struct link *l, const uint8_t k[LINK_KEY_LEN], uint64_t origin,
	  const struct link_obj *objs, size_t n, unsigned inst, size_t cap,
	  size_t *count)
{
	uint32_t id = link_key_find(l, k), i;
	size_t j;
	int r;

	for (i = 0; id != NO_KEY && i < l->keys[id].n && *count <= cap; i++) {
		const struct lref o = l->keys[id].refs[i];
		uint64_t ro = l->recs[o.rid].origin;
		if (ro == origin || !plain_takes(ro, inst) ||
		    l->recs[o.rid].pgen == l->pgen)
			continue; /* the candidate, not walked, or changed */
		r = plain_visit(
		    l, ro, o.idx, o.doc != NO_KEY ? l->keys[o.doc].k : NULL,
		    o.name != NO_KEY ? l->keys[o.name].k : NULL, count);
		if (r != 0)
			return r;
	}
	id = pkey_find(l, k);
	for (i = id != NO_REC ? l->pkeys.v[id].head : NO_REC;
	     i != NO_REC && *count <= cap; i = l->prefs.v[i].next) {
		const struct pref *pr = &l->prefs.v[i];
		const struct pend *p = &l->pends.v[pr->pend];
		const struct link_obj *o = &l->pobjs.v[pr->obj];
		if (p->origin == origin || !plain_takes(p->origin, inst))
			continue; /* the candidate's, or not walked */
		r = plain_visit(l, p->origin, pr->obj - p->first,
				o->doc_type != DOC_NONE ? o->doc : NULL,
				o->has_name ? o->name : NULL, count);
		if (r != 0)
			return r;
	}
	for (j = 0; j < n; j++) {
		const struct link_obj *o = &objs[j];
		if ((o->doc_type == DOC_NONE ||
		     memcmp(o->doc, k, LINK_KEY_LEN) != 0) &&
		    (!o->has_name || memcmp(o->name, k, LINK_KEY_LEN) != 0))
			continue;
		r = plain_visit(l, origin, j,
				o->doc_type != DOC_NONE ? o->doc : NULL,
				o->has_name ? o->name : NULL, count);
		if (r != 0)
			return r;
	}
	return 0;
}

int
link_plain_count(struct link *l, uint64_t origin, const struct link_obj *objs,
		 size_t n, unsigned inst, size_t cap, size_t *ret_count)
{
	size_t i, head = 0, count, most = 0;
	int r;

	plain_start(l);
	for (i = 0; i < n && most <= cap; i++) {
		const struct link_obj *o = &objs[i];
		const uint8_t *doc = o->doc_type != DOC_NONE ? o->doc : NULL;
		const uint8_t *name = o->has_name ? o->name : NULL;
		/* An object of a component walked already: both its keys
		 * are in it, and its count is known. */
		if (plain_seen(l, doc != NULL ? doc : name))
			continue;
		count = 0;
		r = plain_visit(l, origin, i, doc, name, &count);
		for (; r == 0 && head < l->pqueue.n && count <= cap; head++) {
			struct touched k = l->pqueue.v[head];
			r = plain_key(l, k.k, origin, objs, n, inst, cap,
				      &count);
		}
		if (r != 0)
			return r;
		if (count > most)
			most = count;
	}
	*ret_count = most;
	return 0;
}
