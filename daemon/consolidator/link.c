/*
 * link.c - the match-key graph (its keys and records, link_add and
 * link_remove) and the relink walks over its components; the batch's
 * overlay and the plain walks are in link_plain.c. See link.h.
 */
#include "link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link_int.h"
#include "mix.h"

/* Makes room for one more element in vec (elements of size sz). */
int
link_vec_grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	nv = realloc(*v, ncap * sz);
	if (nv == NULL)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* ---- keys ---------------------------------------------------------------- */

uint32_t
link_key_find(const struct link *l, const uint8_t k[LINK_KEY_LEN])
{
	size_t mask = l->kidx_cap - 1, i;

	for (i = hash_key(k) & mask;; i = (i + 1) & mask) {
		uint32_t id = l->kidx[i];
		if (id == NO_KEY)
			return NO_KEY;
		if (memcmp(l->keys[id].k, k, LINK_KEY_LEN) == 0)
			return id;
	}
}

static void
kidx_put(struct link *l, uint32_t id)
{
	size_t mask = l->kidx_cap - 1, i;

	for (i = hash_key(l->keys[id].k) & mask; l->kidx[i] != NO_KEY;
	     i = (i + 1) & mask)
		;
	l->kidx[i] = id;
}

/* The id of key k, made if new. NO_KEY when out of memory. */
static uint32_t
key_get(struct link *l, const uint8_t k[LINK_KEY_LEN])
{
	uint32_t id = link_key_find(l, k), i;
	struct lkey *kp;

	if (id != NO_KEY)
		return id;
	if ((size_t)(l->n_keys + 1) * 4 >= l->kidx_cap * 3) {
		size_t cap = l->kidx_cap * 2;
		uint32_t *n = malloc(cap * sizeof(*n));
		if (n == NULL)
			return NO_KEY;
		memset(n, 0xff, cap * sizeof(*n));
		free(l->kidx);
		l->kidx = n;
		l->kidx_cap = cap;
		for (i = 0; i < l->n_keys; i++)
			kidx_put(l, i);
	}
	if (l->n_keys == l->cap_keys) {
		uint32_t cap = l->cap_keys ? l->cap_keys * 2 : 1024;
		struct lkey *n;
		if (cap <= l->cap_keys || cap >= NO_KEY)
			return NO_KEY;
		n = realloc(l->keys, cap * sizeof(*n));
		if (n == NULL)
			return NO_KEY;
		l->keys = n;
		l->cap_keys = cap;
	}
	id = l->n_keys++;
	kp = &l->keys[id];
	memset(kp, 0, sizeof(*kp));
	memcpy(kp->k, k, LINK_KEY_LEN);
	kidx_put(l, id);
	return id;
}

/* Adds object idx of record rid, o, to the objects of key id. */
static int
key_ref_add(struct link *l, uint32_t id, uint32_t rid, uint8_t idx,
	    const struct lobj *o)
{
	struct lkey *kp = &l->keys[id];

	if (kp->n == kp->cap) {
		uint32_t cap = kp->cap ? kp->cap * 2 : 2;
		struct lref *n = realloc(kp->refs, cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		kp->refs = n;
		kp->cap = cap;
	}
	kp->refs[kp->n++] = (struct lref){.rid = rid,
					  .doc = o->doc,
					  .name = o->name,
					  .idx = idx,
					  .doc_type = o->doc_type};
	return 0;
}

static void
key_ref_del(struct link *l, uint32_t id, uint32_t rid, uint8_t idx)
{
	struct lkey *kp = &l->keys[id];
	uint32_t i;

	for (i = 0; i < kp->n; i++)
		if (kp->refs[i].rid == rid && kp->refs[i].idx == idx) {
			kp->refs[i] = kp->refs[--kp->n];
			return;
		}
}

/* ---- records ------------------------------------------------------------- */

static void
ridx_put(struct link *l, uint32_t rid)
{
	size_t mask = l->ridx_cap - 1, i;

	for (i = mix64(l->recs[rid].origin) & mask; l->ridx[i] != NO_REC;
	     i = (i + 1) & mask)
		;
	l->ridx[i] = rid;
}

uint32_t
link_rec_find(const struct link *l, uint64_t origin)
{
	size_t mask = l->ridx_cap - 1, i;

	for (i = mix64(origin) & mask;; i = (i + 1) & mask) {
		uint32_t rid = l->ridx[i];
		if (rid == NO_REC || l->recs[rid].origin == origin)
			return rid;
	}
}

/* The record of origin, made (empty) if new; NO_REC out of memory. */
static uint32_t
rec_get(struct link *l, uint64_t origin)
{
	uint32_t rid = link_rec_find(l, origin), i;

	if (rid != NO_REC)
		return rid;
	if ((size_t)(l->n_recs + 1) * 4 >= l->ridx_cap * 3) {
		size_t cap = l->ridx_cap * 2;
		uint32_t *n = malloc(cap * sizeof(*n));
		if (n == NULL)
			return NO_REC;
		memset(n, 0xff, cap * sizeof(*n));
		free(l->ridx);
		l->ridx = n;
		l->ridx_cap = cap;
		for (i = 0; i < l->n_recs; i++)
			ridx_put(l, i);
	}
	if (l->n_recs == l->cap_recs) {
		uint32_t cap = l->cap_recs ? l->cap_recs * 2 : 1024;
		struct lrec *n;
		if (cap <= l->cap_recs || cap >= NO_REC)
			return NO_REC;
		n = realloc(l->recs, cap * sizeof(*n));
		if (n == NULL)
			return NO_REC;
		l->recs = n;
		l->cap_recs = cap;
	}
	rid = l->n_recs++;
	memset(&l->recs[rid], 0, sizeof(l->recs[rid]));
	l->recs[rid].origin = origin;
	ridx_put(l, rid);
	return rid;
}

/* Empties record rid: its objects leave their keys' lists. */
static void
rec_empty(struct link *l, uint32_t rid)
{
	struct lrec *r = &l->recs[rid];
	uint16_t i;

	for (i = 0; i < r->n; i++) {
		if (r->objs[i].doc != NO_KEY)
			key_ref_del(l, r->objs[i].doc, rid, (uint8_t)i);
		if (r->objs[i].name != NO_KEY)
			key_ref_del(l, r->objs[i].name, rid, (uint8_t)i);
	}
	free(r->objs);
	r->objs = NULL;
	r->n = 0;
	r->has_vf = false;
}

/* ---- the graph ------------------------------------------------------------
 */

struct link *
link_new(void)
{
	struct link *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->kidx_cap = l->ridx_cap = 1024;
	l->pgen = 1;
	l->kidx = malloc(l->kidx_cap * sizeof(*l->kidx));
	l->ridx = malloc(l->ridx_cap * sizeof(*l->ridx));
	if (l->kidx == NULL || l->ridx == NULL) {
		link_free(&l);
		return NULL;
	}
	memset(l->kidx, 0xff, l->kidx_cap * sizeof(*l->kidx));
	memset(l->ridx, 0xff, l->ridx_cap * sizeof(*l->ridx));
	return l;
}

void
link_clear(struct link *l)
{
	uint32_t i;

	for (i = 0; i < l->n_keys; i++)
		free(l->keys[i].refs);
	for (i = 0; i < l->n_recs; i++)
		free(l->recs[i].objs);
	l->n_keys = l->n_recs = 0;
	memset(l->kidx, 0xff, l->kidx_cap * sizeof(*l->kidx));
	memset(l->ridx, 0xff, l->ridx_cap * sizeof(*l->ridx));
	link_batch_end(l);
}

void
link_free(struct link **l)
{
	if (l == NULL || *l == NULL)
		return;
	if ((*l)->kidx != NULL && (*l)->ridx != NULL)
		link_clear(*l);
	free((*l)->keys);
	free((*l)->kidx);
	free((*l)->recs);
	free((*l)->ridx);
	free((*l)->touched.v);
	free((*l)->seeds.v);
	free((*l)->queue.v);
	free((*l)->facts.v);
	link_overlay_free(*l);
	free((*l)->pqueue.v);
	free((*l)->skeys);
	free((*l)->sobjs);
	free(*l);
	*l = NULL;
}

void
link_remove(struct link *l, uint64_t origin)
{
	uint32_t rid = link_rec_find(l, origin);

	if (rid != NO_REC)
		rec_empty(l, rid);
}

int
link_add(struct link *l, uint64_t origin, const struct link_obj *objs, size_t n,
	 const struct fact *vf)
{
	struct lrec *r;
	uint32_t rid;
	size_t i;

	if (n > EVENT_MAX_CASE_VICTIMS)
		return -EINVAL;
	rid = rec_get(l, origin);
	if (rid == NO_REC)
		return -ENOMEM;
	rec_empty(l, rid);
	r = &l->recs[rid];
	if (n == 0)
		return 0;
	r->objs = malloc(n * sizeof(*r->objs));
	if (r->objs == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct lobj *o = &r->objs[i];
		o->doc = o->name = NO_KEY;
		o->doc_type = objs[i].doc_type;
		/* Both keys first: each key's copy of the object names both. */
		if (objs[i].doc_type != DOC_NONE &&
		    (o->doc = key_get(l, objs[i].doc)) == NO_KEY)
			goto nomem;
		if (objs[i].has_name &&
		    (o->name = key_get(l, objs[i].name)) == NO_KEY)
			goto nomem;
		if (o->doc != NO_KEY &&
		    key_ref_add(l, o->doc, rid, (uint8_t)i, o) != 0)
			goto nomem;
		if (o->name != NO_KEY &&
		    key_ref_add(l, o->name, rid, (uint8_t)i, o) != 0)
			goto nomem;
		r->n = (uint16_t)(i + 1);
	}
	if (vf != NULL) {
		r->vf = *vf;
		r->has_vf = true;
	}
	return 0;
nomem:
	/* Leave no reference to an object that is not counted in r->n
	 * (its name's is added last: never, when we get here). */
	if (r->objs[i].doc != NO_KEY)
		key_ref_del(l, r->objs[i].doc, rid, (uint8_t)i);
	rec_empty(l, rid);
	return -ENOMEM;
}

/* ---- components -----------------------------------------------------------
 */

/* A new walk epoch; marks are reset when the counter wraps. */
static uint32_t
next_epoch(struct link *l)
{
	uint32_t i;

	if (++l->epoch == 0) {
		for (i = 0; i < l->n_keys; i++)
			l->keys[i].mark = l->keys[i].amb_epoch = 0;
		l->epoch = 1;
	}
	return l->epoch;
}

/*
 * Whether name key id is ambiguous: the live objects carrying it as their
 * name key come with two or more different document keys of one type.
 * Worked out once per epoch (the graph does not change within one).
 */
static bool
ambiguous(struct link *l, uint32_t id)
{
	struct lkey *kp = &l->keys[id];
	uint32_t first[DOC_TYPE_COUNT + 1], i;

	if (kp->amb_epoch == l->epoch)
		return kp->amb;
	kp->amb_epoch = l->epoch;
	kp->amb = false;
	for (i = 0; i <= DOC_TYPE_COUNT; i++)
		first[i] = NO_KEY;
	for (i = 0; i < kp->n && !kp->amb; i++) {
		const struct lref *o = &kp->refs[i];
		if (o->name != id || o->doc == NO_KEY ||
		    o->doc_type > DOC_TYPE_COUNT)
			continue;
		if (first[o->doc_type] == NO_KEY)
			first[o->doc_type] = o->doc;
		else if (first[o->doc_type] != o->doc)
			kp->amb = true;
	}
	return kp->amb;
}

/*
 * Walks the component of key id0 (unless this epoch has reached it),
 * appending its keys to seeds when keep is set, and reports its facts to
 * fn. Returns 0 or -ENOMEM.
 */
static int
walk(struct link *l, uint32_t id0, bool keep, link_victim_fn fn, void *arg)
{
	size_t head = 0;
	uint32_t i;

	if (l->keys[id0].mark == l->epoch)
		return 0;
	l->queue.n = l->facts.n = 0;
	l->keys[id0].mark = l->epoch;
	if (VEC_PUSH(l->queue, id0) != 0)
		return -ENOMEM;
	while (head < l->queue.n) {
		uint32_t id = l->queue.v[head++];
		const struct lkey *kp = &l->keys[id];
		if (keep && VEC_PUSH(l->seeds, id) != 0)
			return -ENOMEM;
		for (i = 0; i < kp->n; i++) {
			const struct lref o = l->keys[id].refs[i];
			uint32_t home = o.doc != NO_KEY ? o.doc : o.name;
			uint32_t other;
			/* Each object is counted at its home key: the
			 * document's when it has one; its record's fact
			 * at its first object. */
			if (home == id && o.idx == 0 && l->recs[o.rid].has_vf &&
			    VEC_PUSH(l->facts, l->recs[o.rid].vf) != 0)
				return -ENOMEM;
			if (o.doc == NO_KEY || o.name == NO_KEY ||
			    ambiguous(l, o.name))
				continue;
			other = o.doc == id ? o.name : o.doc;
			if (l->keys[other].mark == l->epoch)
				continue;
			l->keys[other].mark = l->epoch;
			if (VEC_PUSH(l->queue, other) != 0)
				return -ENOMEM;
		}
	}
	if (l->facts.n > 0)
		fn(arg, l->facts.v, l->facts.n);
	return 0;
}

int
link_touch(struct link *l, const uint8_t key[LINK_KEY_LEN])
{
	struct touched t;

	memcpy(t.k, key, LINK_KEY_LEN);
	return VEC_PUSH(l->touched, t);
}

/*
 * Walks from every touched key the graph knows and from the document
 * keys next to it: a touched name key may become ambiguous or cease to
 * be, which cuts or mends its lines to documents whose components hold
 * no touched key.
 */
static int
walk_touched(struct link *l, bool keep, link_victim_fn fn, void *arg)
{
	size_t i;
	uint32_t j;
	int r;

	for (i = 0; i < l->touched.n; i++) {
		uint32_t id = link_key_find(l, l->touched.v[i].k);
		if (id == NO_KEY)
			continue;
		if ((r = walk(l, id, keep, fn, arg)) != 0)
			return r;
		for (j = 0; j < l->keys[id].n; j++) {
			const struct lref *o = &l->keys[id].refs[j];
			if (o->name == id && o->doc != NO_KEY &&
			    (r = walk(l, o->doc, keep, fn, arg)) != 0)
				return r;
		}
	}
	return 0;
}

int
link_retract(struct link *l, link_victim_fn fn, void *arg)
{
	next_epoch(l);
	l->seeds.n = 0;
	return walk_touched(l, true, fn, arg);
}

int
link_readd(struct link *l, link_victim_fn fn, void *arg)
{
	size_t i;
	int r;

	next_epoch(l);
	if ((r = walk_touched(l, false, fn, arg)) != 0)
		return r;
	for (i = 0; i < l->seeds.n; i++)
		if ((r = walk(l, l->seeds.v[i], false, fn, arg)) != 0)
			return r;
	return 0;
}

void
link_batch_end(struct link *l)
{
	l->touched.n = 0;
	l->seeds.n = 0;
	link_plain_reset(l);
}

int
link_each_victim(struct link *l, link_victim_fn fn, void *arg)
{
	uint32_t i;
	int r;

	next_epoch(l);
	for (i = 0; i < l->n_keys; i++)
		if ((r = walk(l, i, false, fn, arg)) != 0)
			return r;
	return 0;
}

void
link_size(const struct link *l, size_t *ret_keys, size_t *ret_records)
{
	uint32_t i;
	size_t n = 0;

	for (i = 0; i < l->n_recs; i++)
		if (l->recs[i].n > 0)
			n++;
	*ret_keys = l->n_keys;
	*ret_records = n;
}

bool
link_redundant(const struct link *l, uint64_t origin, const struct link_obj *o)
{
	uint32_t rid = link_rec_find(l, origin), doc = NO_KEY, name = NO_KEY,
		 id;
	const struct lkey *kp;
	uint32_t i;

	if (o->doc_type != DOC_NONE &&
	    (doc = link_key_find(l, o->doc)) == NO_KEY)
		return false;
	if (o->has_name && (name = link_key_find(l, o->name)) == NO_KEY)
		return false;
	id = doc != NO_KEY ? doc : name;
	if (id == NO_KEY)
		return false;
	kp = &l->keys[id];
	for (i = 0; i < kp->n; i++) {
		const struct lref *x = &kp->refs[i];
		if (x->rid != rid && x->doc == doc && x->name == name)
			return true;
	}
	return false;
}
