/*
 * stats_room - what one child or one case may cost: the caps an event
 * must stay within before it is applied; see stats.h.
 */
#include "stats_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void
stats_set_caps(struct stats *s, unsigned long max_victim_records,
	       unsigned long max_case_records)
{
	if (s == NULL)
		return;
	__atomic_store_n(&s->max_victim_records, max_victim_records,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&s->max_case_records, max_case_records,
			 __ATOMIC_RELAXED);
}

/*
 * The victims of lv, record origin of inst, within max records: the whole
 * child is walked first and, only when she would pass half of it but not
 * the whole (her own records are some of her whole), the institution's
 * own half, whose refusal is then said. So a child of a few records costs
 * one walk; and the own walk, which passes over the other institutions'
 * objects without counting them, reads no more than a whole count within
 * max allows (a key's live objects, 2 refs an object), besides the graph
 * objects of records the batch changed (passed over, not counted, each
 * read once a key: at most 256 for each change of the batch). Past the
 * whole cap the event is refused whatever its own count: not walked.
 */
static enum reason
victim_room(struct stats *s, enum institution inst, uint64_t origin,
	    const struct live *lv, char *why, size_t whylen, int *ret_err)
{
	unsigned long max =
	    __atomic_load_n(&s->max_victim_records, __ATOMIC_RELAXED);
	uint64_t o = LINK_ORIGIN(inst, origin);
	size_t n = 0;
	int r;

	r = link_plain_count(s->link, o, lv->objs, lv->n, 0, max, &n);
	if (r == 0 && n > max / 2 && n <= max) {
		size_t own = 0;
		r = link_plain_count(s->link, o, lv->objs, lv->n,
				     (unsigned)inst, max / 2, &own);
		if (r == 0 && own > max / 2)
			return reason_say(
			    why, whylen, REASON_TOO_LARGE,
			    "the child would have over %lu records of "
			    "this institution (max_victim_records %lu "
			    "allows one institution %lu)",
			    max / 2, max, max / 2);
	}
	if (r == 0 && n > max)
		return reason_say(why, whylen, REASON_TOO_LARGE,
				  "the child would have over %lu records "
				  "(max_victim_records %lu)",
				  max, max);
	if (r != 0) {
		*ret_err = r;
		snprintf(why, whylen, "out of memory");
		return REASON_STORE_ERROR;
	}
	return REASON_NONE;
}

/* The referral or case of lv within max facts of inst. */
static enum reason
entity_room(struct stats *s, enum institution inst, uint64_t origin,
	    const struct live *lv, char *why, size_t whylen)
{
	unsigned long max =
	    __atomic_load_n(&s->max_case_records, __ATOMIC_RELAXED);
	const struct entity *en = stats_entity_peek(s, lv->entity);
	size_t i, n = 1; /* this record */

	for (i = 0; en != NULL && i < en->n; i++)
		if (en->facts[i].inst == (uint8_t)inst &&
		    en->facts[i].seq != origin)
			n++;
	if (n <= max)
		return REASON_NONE;
	return reason_say(why, whylen, REASON_TOO_LARGE,
			  "the %s would hold %zu facts of this institution "
			  "(max_case_records %lu)",
			  lv->entity[0] == E_CASE ? "case" : "referral", n,
			  max);
}

enum reason
stats_room(struct stats *s, enum institution inst, uint64_t seq,
	   const struct event *ev, char *why, size_t whylen, int *ret_err)
{
	struct live *lv;
	uint64_t origin = seq;
	enum reason res;

	if (s == NULL)
		return REASON_NONE;
	s->cur_ev = NULL;
	if (s->lost != 0) {
		/* Nothing to count with (stats_begin): the batch fails. */
		*ret_err = s->lost;
		snprintf(why, whylen, "statistics lost");
		return REASON_STORE_ERROR;
	}
	if (ev->kind == KIND_WITHDRAWAL)
		return REASON_NONE;
	if (ev->kind == KIND_CORRECTION)
		origin = ev->target_seq;
	lv = s->cur;
	stats_fact_of(inst, origin, &ev->rec, lv->entity, &lv->has_entity,
		      &lv->f);
	lv->n = stats_objs_of(&ev->rec, lv->objs);
	res = REASON_NONE;
	if (lv->has_entity)
		res = entity_room(s, inst, origin, lv, why, whylen);
	if (res == REASON_NONE && lv->n > 0)
		res = victim_room(s, inst, origin, lv, why, whylen, ret_err);
	/* Kept for the stats_apply of ev that follows, not read again. */
	if (res == REASON_NONE) {
		s->cur_ev = ev;
		s->cur_origin = LINK_ORIGIN(inst, origin);
	}
	return res;
}
