/*
 * link_int.h - what link.c (the graph, its components and the relink
 * walks) shares with link_plain.c (the batch's overlay and the plain
 * walks): internal to the two; link.h is the interface.
 */
#ifndef KUSKA_LINK_INT_H
#define KUSKA_LINK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fact.h"
#include "link.h"
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
	uint32_t pgen;	   /* the link's pgen: the batch changes it */
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
	uint32_t first, n;	     /* its objects in pobjs; 0: removed */
	uint32_t pref_first, pref_n; /* its prefs, unlinked once superseded */
};

/* A key pending objects carry, and the chain of them (last first). */
struct pkey {
	uint8_t k[LINK_KEY_LEN];
	uint32_t head; /* a pref, or NO_REC */
};

/* A pending object on its key's chain, which holds only the latest
 * state of each record (a record pended again unlinks its earlier). */
struct pref {
	uint32_t pend, obj;  /* in pends, pobjs */
	uint32_t key;	     /* its pkey */
	uint32_t next, prev; /* along its key's chain, or NO_REC */
};

/* A plain walk's seen key or object, valid when gen is the walk's. */
struct seen_key {
	uint8_t k[LINK_KEY_LEN];
	uint32_t gen;
};

struct seen_obj {
	uint64_t origin; /* its record's */
	uint32_t gen;
	uint16_t idx; /* its index in the record */
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
	struct seen_obj *sobjs;
	size_t skeys_cap, sobjs_cap, skeys_n, sobjs_n;
	uint32_t sgen, ogen; /* a walk's keys', a component's objects' */
	/* The batch's: a record whose pgen is this one is in the overlay,
	 * its objects in the graph passed over (never 0). */
	uint32_t pgen;
};

/* Makes room for one more element in vec (elements of size sz); 0 or
 * -ENOMEM (link.c). */
int link_vec_grow(void **v, size_t *cap, size_t n, size_t sz);

#define VEC_PUSH(vec, x)                                                       \
	(link_vec_grow((void **)&(vec).v, &(vec).cap, (vec).n,                 \
		       sizeof(*(vec).v)) != 0                                  \
	     ? -ENOMEM                                                         \
	     : ((vec).v[(vec).n++] = (x), 0))

static inline uint64_t
hash_key(const uint8_t k[LINK_KEY_LEN])
{
	uint64_t w[4];

	memcpy(w, k, sizeof(w));
	return mix64(w[0] ^ mix64(w[1] ^ mix64(w[2] ^ mix64(w[3]))));
}

/* The id of key k in the graph, or NO_KEY (link.c). */
uint32_t link_key_find(const struct link *l, const uint8_t k[LINK_KEY_LEN]);

/* The id of the record of origin, or NO_REC. */
uint32_t link_rec_find(const struct link *l, uint64_t origin);

/* Lets go of the overlay's arrays (link_plain.c). */
void link_overlay_free(struct link *l);

/*
 * link_plain_reset - empties the overlay at the end of a batch, letting
 * its arrays go if the batch grew them past OVERLAY_KEEP (link_plain.c).
 */
void link_plain_reset(struct link *l);

#endif
