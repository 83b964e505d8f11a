/*
 * stats_int.h - what the statistics engine's writer shares among its
 * files: internal to them. stats.c holds the batch (the calls of stats.h,
 * in order, and the layout marker); stats_live.c what a record gives and
 * how the LIVE table stores it; stats_entity.c the referrals and cases in
 * memory; stats_victim.c a batch's changes to the victim graph and what
 * they do to the counters. stats_contrib.c counts, link.c links.
 */
#ifndef KUSKA_STATS_INT_H
#define KUSKA_STATS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fact.h"
#include "link.h"
#include "stats.h"

#define FACT_LEN 24

/* f in FACT_LEN bytes, as LIVE holds it; inline: the victim sets encode
 * each fact of every victim they take (stats_victim.c). */
static inline void
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
	struct vset old_victims, new_victims; /* stats_relink's, per batch */
	struct live *old, *cur;		      /* scratch records */
	/* What stats_room found of the event it passed (origin cur_origin
	 * of cur_ev), kept in cur for the stats_apply of that event that
	 * follows it; NULL when cur holds nothing for it. */
	const struct event *cur_ev;
	uint64_t cur_origin;
	uint8_t *live_buf;		      /* LIVE_MAX: an encoded one */
	struct delta_table *deltas;	      /* the batch's counter changes */
	struct delta_table *victim;	  /* one victim's, before and after */
	struct origin_slot *origins;	  /* stats_relink's, per batch */
	size_t origins_cap, origins_size; /* allocated, in use */
	/* The years whose counters the batch's flush changed, the latest
	 * STATS_YEARS_MAX (stats_years). */
	uint32_t years[STATS_YEARS_MAX];
	size_t n_years;
	/* The caps of stats_room (stats_set_caps): read and set with
	 * relaxed atomics, a reload's thread not being the writer's. */
	unsigned long max_victim_records, max_case_records;
	int err;	  /* first allocation failure of the batch */
	/* The index and the graph were lost (memory ran out as a committed
	 * batch became the index, or a load failed): -errno until a load
	 * succeeds (stats_begin tries one); batches fail with it. */
	int lost;
	bool need_marker; /* a fresh store: write the layout marker */
	bool stale;	  /* marked stale: envelopes dropped under them */
	uint32_t layout_found; /* the other layout's marker refused, or 0 */
};

/* What a record gives and how LIVE stores it (stats_live.c). */
void stats_fact_of(enum institution inst, uint64_t seq,
		   const struct record *rec, uint8_t key[ENTITY_KEY_LEN],
		   bool *ret_entity, struct fact *f);
size_t stats_objs_of(const struct record *rec, struct link_obj *objs);
size_t stats_live_encode(const struct live *lv, uint8_t *out);
int stats_live_decode(const uint8_t *p, size_t len, struct live *lv);
/* The LIVE key of origin (inst, origin). */
void stats_live_key(enum institution inst, uint64_t origin, uint8_t k[9]);

/* The referrals and cases (stats_entity.c). */
int stats_emap_init(struct emap *m, size_t cap);
/* Empties m, freeing its entities' facts; m keeps its size. */
void stats_emap_clear(struct emap *m);
void stats_emap_free(struct emap *m);
struct entity *stats_emap_slot(struct emap *m,
			       const uint8_t key[ENTITY_KEY_LEN]);
/* Adds f to, or takes the fact of origin (inst, seq) from, the batch's
 * copy of an entity. Returns 0 or -ENOMEM. */
int stats_entity_add(struct stats *s, const uint8_t key[ENTITY_KEY_LEN],
		     const struct fact *f);
int stats_entity_remove(struct stats *s, const uint8_t key[ENTITY_KEY_LEN],
			uint8_t inst, uint64_t seq);
int stats_contribute_batch(struct stats *s);
/* The entity of key as the batch leaves it so far (its copy, else the
 * index's), or NULL when neither holds it; changes nothing. */
const struct entity *stats_entity_peek(const struct stats *s,
				       const uint8_t key[ENTITY_KEY_LEN]);

/* The victims (stats_victim.c). */
void stats_shrink_objs(struct stats *s);
int stats_add_change(struct stats *s, uint64_t origin, bool add,
		     const struct live *lv);
void stats_vset_free(struct vset *v);
int stats_relink(struct stats *s);

#endif
