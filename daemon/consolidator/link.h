/*
 * link.h - who is who: the victims of EVENTS.md "Linking a victim"
 * (version 2), kept in memory for the statistics engine (stats*.c).
 *
 * The vertices of the graph are match keys (32-byte pseudonyms); each live
 * victim object, of any kind of record, joins the keys it carries (its
 * document key and its name key). A victim is a connected component. A
 * name key that occurs, in live victim objects, with two or more different
 * document keys of the same type is ambiguous and joins nothing: an object
 * carrying it belongs to the component of its document key, and objects
 * whose only key it is form a component of their own. The one key of a
 * victim of schema version 2 (linking version 1) is kept as a name key
 * with no document: it comes alone, so it never joins two keys and never
 * makes a name ambiguous. Victims are thus
 * a function of the live records alone, whatever the order they came in.
 *
 * The graph holds, per live record (its origin: institution and sequence
 * of the original record), the victim objects that have keys and, for an
 * identification or a service, the record's fact: a component's facts are
 * what the victim tables count. Unlinkable victims are not in the graph.
 *
 * A batch of changes goes: link_touch() every key of every object the batch
 * adds or removes; link_retract() reports once each component around the
 * touched keys, and around the document keys next to a touched name key
 * (whose lines to it the name's ambiguity may cut or mend), as it was (to
 * take its contribution off the counters);
 * then link_add() and link_remove() apply the changes; link_readd() reports
 * once each component around the touched keys and around every key of the
 * retracted components (a split leaves several), as it is now;
 * link_batch_end(). Components are found by walking from key to object to
 * key, so each costs the size of the child's records, not of the graph.
 */
#ifndef KUSKA_LINK_H
#define KUSKA_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "fact.h"

#define LINK_KEY_LEN PSEUDONYM_LEN

/* The keys of one victim object. */
struct link_obj {
	uint8_t doc_type; /* enum doc_type; DOC_NONE: no document key */
	bool has_name;	  /* a name key (or an old event's one key) */
	uint8_t doc[LINK_KEY_LEN];
	uint8_t name[LINK_KEY_LEN];
};

/* A record's origin: institution << 56 | sequence of the original. */
#define LINK_ORIGIN(inst, seq) ((uint64_t)(inst) << 56 | (uint64_t)(seq))

struct link;

/* link_new - an empty graph; NULL when out of memory. */
struct link *link_new(void);

/* link_free - frees l (NULL allowed) and clears the pointer. */
void link_free(struct link **l);

/* link_clear - empties the graph, as new. */
void link_clear(struct link *l);

/*
 * link_add - makes objs[0..n-1] (each with at least one key; n at most
 * EVENT_MAX_CASE_VICTIMS) the live victim objects of record origin,
 * replacing any it had, with vf (copied; NULL for none) its fact for the
 * victim tables. Returns 0 or -ENOMEM (the graph is then unchanged or
 * without origin's objects: reload it).
 */
int link_add(struct link *l, uint64_t origin, const struct link_obj *objs,
	     size_t n, const struct fact *vf)
    __attribute__((warn_unused_result));

/* link_remove - origin's objects and fact leave the graph (if it had any). */
void link_remove(struct link *l, uint64_t origin);

/*
 * A component reported to the statistics: the facts of its records (the
 * identifications and services of one victim), valid during the call.
 */
typedef void (*link_victim_fn)(void *arg, const struct fact *facts, size_t n);

/*
 * link_redundant - whether adding or removing a victim object with o's
 * keys, for record origin, changes no component of the graph as it is:
 * its keys are there, and a live object of another record carries
 * exactly them (so no line is drawn or erased, and no name key sees a
 * document it had not). A batch need not touch the keys of such an object
 * when it adds it with no fact: a referral or a case stage naming a child
 * under keys already joined. It must touch the keys of every object it
 * removes: a removal may be what another object's redundancy rested on.
 */
bool link_redundant(const struct link *l, uint64_t origin,
		    const struct link_obj *o);

/* link_touch - notes key (32 bytes) as changed by this batch. */
int link_touch(struct link *l, const uint8_t key[LINK_KEY_LEN])
    __attribute__((warn_unused_result));

/*
 * link_retract - calls fn once for each component (with at least one
 * fact) around the touched keys and the document keys next to them,
 * before the batch's changes, and remembers their keys. Returns 0 or
 * -ENOMEM.
 */
int link_retract(struct link *l, link_victim_fn fn, void *arg)
    __attribute__((warn_unused_result));

/*
 * link_readd - calls fn once for each component (with at least one fact)
 * around the touched and the remembered keys, after the batch's changes.
 * Returns 0 or -ENOMEM.
 */
int link_readd(struct link *l, link_victim_fn fn, void *arg)
    __attribute__((warn_unused_result));

/*
 * link_pend - notes in the batch's overlay that the batch leaves record
 * origin with objs[0..n-1] (copied; n 0: removed), the graph not having
 * the batch's changes before stats_relink: link_plain_count sees them.
 * Call for every change, in order (a record's latest wins). Returns 0,
 * -EINVAL (n too large) or -ENOMEM; after a failure the overlay may be
 * half changed: drop the batch (link_batch_end clears it).
 */
int link_pend(struct link *l, uint64_t origin, const struct link_obj *objs,
	      size_t n) __attribute__((warn_unused_result));

/*
 * link_plain_count - for the record origin becoming objs[0..n-1] after
 * the batch's pending changes (the overlay), the most victim objects
 * (live, keyed; origin's among them, so a record naming one child twice
 * counts twice) that the PLAIN component of any of objs holds: every
 * object joins its document key and its name key, ambiguous names too,
 * so it only grows with additions and bounds every walk of a relink.
 * inst 1..INST_COUNT walks through, and counts, that institution's
 * records alone (LINK_ORIGIN's top byte); 0 all. Stops once the count
 * passes cap (*ret_count is then more than cap). Objects, not records:
 * a walk reads each object's keys, and a record may carry 256, so a
 * whole count within cap bounds the live objects on any key it reaches
 * (2 refs an object), the own walk's objects of other institutions
 * included. Besides them it reads, without counting, the graph objects
 * of records the batch changed (their overlay state counted instead):
 * at most 256 objects for each change of the batch, once a key.
 * Returns 0 or -ENOMEM.
 */
int link_plain_count(struct link *l, uint64_t origin,
		     const struct link_obj *objs, size_t n, unsigned inst,
		     size_t cap, size_t *ret_count)
    __attribute__((warn_unused_result));

/* link_batch_end - forgets the touched and remembered keys, and the
 * overlay. */
void link_batch_end(struct link *l);

/*
 * link_each_victim - calls fn once for every component with at least one
 * fact (for tests and checks). Returns 0 or -ENOMEM.
 */
int link_each_victim(struct link *l, link_victim_fn fn, void *arg)
    __attribute__((warn_unused_result));

/* link_size - how many keys and live records with keys the graph holds. */
void link_size(const struct link *l, size_t *ret_keys, size_t *ret_records);

#endif
