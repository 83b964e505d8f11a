/* link.c - the match-key graph and its components; see link.h. */
#include "link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"

#define NO_KEY UINT32_MAX
#define NO_REC UINT32_MAX

/* A victim object: the ids of its keys (NO_KEY: none). */
struct lobj {
	uint32_t doc, name;
	uint8_t doc_type;
};

/* A live record with keyed victim objects. */
struct lrec {
	uint64_t origin;
	struct fact vf; /* valid when has_vf */
	bool has_vf;
	uint16_t n;	   /* objects; 0 once removed */
	struct lobj *objs; /* n, malloc'd */
};

/*
 * An object carrying a key, with a copy of what the walks read of it
 * (its lobj, which never changes while it is in the graph): a key's
 * objects are then read from one array, not each from its record.
 */
struct lref {
	uint32_t rid;	    /* its record */
	uint32_t doc, name; /* its keys, as its lobj */
	uint8_t idx;	    /* its index in the record */
	uint8_t doc_type;
};

/* A match key and the objects that carry it. */
struct lkey {
	uint8_t k[LINK_KEY_LEN];
	struct lref *refs;
	uint32_t n, cap;    /* refs */
	uint32_t mark;	    /* the epoch of the last walk that reached it */
	uint32_t amb_epoch; /* when amb was last worked out */
	bool amb;	    /* an ambiguous name key (at amb_epoch) */
};

/* A growable array of T. */
#define VEC(T)                                                                 \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}

/* A key a batch touched (it may not be in the graph yet). */
struct touched {
	uint8_t k[LINK_KEY_LEN];
};

/*
 * The batch's overlay: the records its changes will leave, waiting in the
 * statistics until stats_relink puts them in the graph, as plain walks
 * (link_plain_count) must see them. A record's latest pending state wins.
 */
struct pend {
	uint64_t origin;
	uint32_t first, n; /* its objects in pobjs; 0: removed */
};

/* A key pending objects carry, and the chain of them (last first). */
struct pkey {
	uint8_t k[LINK_KEY_LEN];
	uint32_t head; /* a pref, or NO_REC */
};

struct pref {
	uint32_t pend, obj; /* in pends, pobjs */
	uint32_t next;	    /* the next pref of its key, or NO_REC */
};

/* A plain walk's seen key or record, valid when gen is the walk's. */
struct seen_key {
	uint8_t k[LINK_KEY_LEN];
	uint32_t gen;
};

struct seen_rec {
	uint64_t origin;
	uint32_t gen;
};

struct link {
	struct lkey *keys; /* by id; never removed */
	uint32_t n_keys, cap_keys;
	uint32_t *kidx; /* open addressing: key id or NO_KEY */
	size_t kidx_cap;
	struct lrec *recs; /* by id; a removed record keeps its slot */
	uint32_t n_recs, cap_recs;
	uint32_t *ridx; /* open addressing: record id or NO_REC */
	size_t ridx_cap;
	uint32_t epoch;
	VEC(struct touched) touched;
	VEC(uint32_t) seeds;	/* keys of the retracted components */
	VEC(uint32_t) queue;	/* a walk's keys */
	VEC(struct fact) facts; /* a walk's facts */
	/* The overlay (struct pend), emptied at link_batch_end. */
	VEC(struct pend) pends;
	VEC(struct link_obj) pobjs;
	VEC(struct pkey) pkeys;
	VEC(struct pref) prefs;
	uint32_t *pkidx; /* open addressing: pkey or NO_REC */
	size_t pkidx_cap;
	uint32_t *poidx; /* open addressing: latest pend of an origin */
	size_t poidx_cap;
	/* A plain walk's keys to visit and what it has seen. */
	VEC(struct touched) pqueue;
	struct seen_key *skeys;
	struct seen_rec *srecs;
	size_t skeys_cap, srecs_cap, skeys_n, srecs_n;
	uint32_t sgen, rgen; /* a walk's keys', a component's records' */
};

static void overlay_free(struct link *l);

/* Makes room for one more element in vec (elements of size sz). */
static int
vec_grow(void **v, size_t *cap, size_t n, size_t sz)
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

#define VEC_PUSH(vec, x)                                                       \
	(vec_grow((void **)&(vec).v, &(vec).cap, (vec).n, sizeof(*(vec).v)) != \
		 0                                                             \
	     ? -ENOMEM                                                         \
	     : ((vec).v[(vec).n++] = (x), 0))

static uint64_t
hash_key(const uint8_t k[LINK_KEY_LEN])
{
	uint64_t w[4];

	memcpy(w, k, sizeof(w));
	return mix64(w[0] ^ mix64(w[1] ^ mix64(w[2] ^ mix64(w[3]))));
}

/* ---- keys ---------------------------------------------------------------- */

static uint32_t
key_find(const struct link *l, const uint8_t k[LINK_KEY_LEN])
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
	uint32_t id = key_find(l, k), i;
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

static uint32_t
rec_find(const struct link *l, uint64_t origin)
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
	uint32_t rid = rec_find(l, origin), i;

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
	overlay_free(*l);
	free((*l)->pqueue.v);
	free((*l)->skeys);
	free((*l)->srecs);
	free(*l);
	*l = NULL;
}

void
link_remove(struct link *l, uint64_t origin)
{
	uint32_t rid = rec_find(l, origin);

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
		uint32_t id = key_find(l, l->touched.v[i].k);
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

/*
 * The overlay's arrays are let go after a batch that grew them past this
 * (a rebuild's flush of case stages naming many victims): not held for
 * the daemon's life.
 */
#define OVERLAY_KEEP 65536

static void
overlay_free(struct link *l)
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
link_batch_end(struct link *l)
{
	l->touched.n = 0;
	l->seeds.n = 0;
	if (l->pobjs.cap > OVERLAY_KEEP || l->pends.cap > OVERLAY_KEEP)
		overlay_free(l);
	if (l->pkeys.n > 0)
		memset(l->pkidx, 0xff, l->pkidx_cap * sizeof(*l->pkidx));
	if (l->pends.n > 0)
		memset(l->poidx, 0xff, l->poidx_cap * sizeof(*l->poidx));
	l->pends.n = l->pobjs.n = l->pkeys.n = l->prefs.n = 0;
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
	uint32_t rid = rec_find(l, origin), doc = NO_KEY, name = NO_KEY, id;
	const struct lkey *kp;
	uint32_t i;

	if (o->doc_type != DOC_NONE && (doc = key_find(l, o->doc)) == NO_KEY)
		return false;
	if (o->has_name && (name = key_find(l, o->name)) == NO_KEY)
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

/* ---- the overlay and plain walks ---------------------------------------- */

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

/* Whether origin has a pending state in the batch. */
static bool
pending(const struct link *l, uint64_t origin)
{
	return l->pends.n > 0 && l->poidx[pend_slot(l, origin)] != NO_REC;
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
	ref.next = l->pkeys.v[id].head;
	if (VEC_PUSH(l->prefs, ref) != 0)
		return -ENOMEM;
	l->pkeys.v[id].head = (uint32_t)(l->prefs.n - 1);
	return 0;
}

int
link_pend(struct link *l, uint64_t origin, const struct link_obj *objs,
	  size_t n)
{
	struct pend p;
	uint32_t id, i;
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
	for (j = 0; j < n; j++)
		if (VEC_PUSH(l->pobjs, objs[j]) != 0)
			return -ENOMEM;
	if (VEC_PUSH(l->pends, p) != 0)
		return -ENOMEM;
	id = (uint32_t)(l->pends.n - 1);
	l->poidx[pend_slot(l, origin)] = id;
	for (j = 0; j < n; j++) {
		const struct link_obj *o = &objs[j];
		if (o->doc_type != DOC_NONE &&
		    (r = pkey_ref(l, o->doc, id, p.first + (uint32_t)j)) != 0)
			return r;
		if (o->has_name &&
		    (r = pkey_ref(l, o->name, id, p.first + (uint32_t)j)) != 0)
			return r;
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

/* As seen_key, for a record. */
static int
seen_rec(struct link *l, uint64_t origin)
{
	size_t mask, i;

	if ((l->srecs_n + 1) * 2 >= l->srecs_cap) {
		size_t cap = l->srecs_cap ? l->srecs_cap * 2 : 256, j;
		struct seen_rec *n = calloc(cap, sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		for (j = 0; j < l->srecs_cap; j++) {
			if (l->srecs[j].gen != l->rgen)
				continue;
			for (i = mix64(l->srecs[j].origin) & (cap - 1);
			     n[i].gen == l->rgen; i = (i + 1) & (cap - 1))
				;
			n[i] = l->srecs[j];
		}
		free(l->srecs);
		l->srecs = n;
		l->srecs_cap = cap;
	}
	mask = l->srecs_cap - 1;
	for (i = mix64(origin) & mask; l->srecs[i].gen == l->rgen;
	     i = (i + 1) & mask)
		if (l->srecs[i].origin == origin)
			return 0;
	l->srecs[i].origin = origin;
	l->srecs[i].gen = l->rgen;
	l->srecs_n++;
	return 1;
}

/* A new plain walk: no key seen. */
static void
plain_start(struct link *l)
{
	if (++l->sgen == 0) {
		if (l->skeys != NULL)
			memset(l->skeys, 0, l->skeys_cap * sizeof(*l->skeys));
		l->sgen = 1;
	}
	l->skeys_n = 0;
	l->pqueue.n = 0;
}

/* The walk goes on to another component: no record seen (a record with
 * several objects may be in several). */
static void
plain_component(struct link *l)
{
	if (++l->rgen == 0) {
		if (l->srecs != NULL)
			memset(l->srecs, 0, l->srecs_cap * sizeof(*l->srecs));
		l->rgen = 1;
	}
	l->srecs_n = 0;
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
 * A record of the walk reached through an object with keys doc (NULL:
 * none) and name (NULL: none): counted if new, its keys queued. 0 or
 * -ENOMEM.
 */
static int
plain_visit(struct link *l, uint64_t origin, const uint8_t *doc,
	    const uint8_t *name, size_t *count)
{
	int r = seen_rec(l, origin);

	if (r < 0)
		return r;
	*count += (size_t)r;
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
 * One key of a plain walk: the records carrying it, as the batch leaves
 * them, with origin's replaced by objs[0..n-1]; stops once *count passes
 * cap.
 */
static int
plain_key(struct link *l, const uint8_t k[LINK_KEY_LEN], uint64_t origin,
	  const struct link_obj *objs, size_t n, unsigned inst, size_t cap,
	  size_t *count)
{
	uint32_t id = key_find(l, k), i;
	size_t j;
	int r;

	for (i = 0; id != NO_KEY && i < l->keys[id].n && *count <= cap; i++) {
		const struct lref o = l->keys[id].refs[i];
		uint64_t ro = l->recs[o.rid].origin;
		if (ro == origin || !plain_takes(ro, inst) || pending(l, ro))
			continue;
		r = plain_visit(
		    l, ro, o.doc != NO_KEY ? l->keys[o.doc].k : NULL,
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
		if (p->origin == origin || !plain_takes(p->origin, inst) ||
		    l->poidx[pend_slot(l, p->origin)] != pr->pend)
			continue; /* the candidate's, or a later state's */
		r = plain_visit(l, p->origin,
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
		r = plain_visit(l, origin,
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
		plain_component(l);
		count = 0;
		r = plain_visit(l, origin, doc, name, &count);
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
