/*
 * stats.c - statistics state kept with the envelopes; see stats.h. The
 * batch: stats.h's calls and the layout marker. What a record gives is in
 * stats_live.c, the referrals and cases in stats_entity.c, the victims in
 * stats_victim.c (stats_int.h).
 */
#include "stats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "delta.h"
#include "prepare.h"
#include "stats_contrib.h"
#include "stats_int.h"

static void
reset(struct stats *s)
{
	stats_emap_clear(&s->batch);
	s->n_changes = 0;
	s->n_objs = 0;
	stats_shrink_objs(s);
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
	stats_set_caps(s, STATS_MAX_VICTIM_RECORDS, STATS_MAX_CASE_RECORDS);
	s->objs = malloc(s->cap_objs * sizeof(*s->objs));
	if (s->deltas == NULL || s->victim == NULL || s->link == NULL ||
	    s->old == NULL || s->cur == NULL || s->live_buf == NULL ||
	    s->objs == NULL || stats_emap_init(&s->index, 1024) != 0 ||
	    stats_emap_init(&s->batch, 1024) != 0) {
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
	stats_emap_free(&(*s)->index);
	stats_emap_free(&(*s)->batch);
	link_free(&(*s)->link);
	stats_vset_free(&(*s)->old_victims);
	stats_vset_free(&(*s)->new_victims);
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

static int load_from(struct stats *s, struct store_txn *t);

/*
 * Lets the index and the graph go (after err, or to load them anew) and
 * marks them lost with err: 0 when they are to be rebuilt at once.
 */
static void
lose(struct stats *s, int err)
{
	stats_emap_clear(&s->index);
	link_clear(s->link);
	s->lost = err;
}

void
stats_begin(struct stats *s, struct store_txn *t)
{
	if (s == NULL)
		return;
	reset(s);
	s->t = t;
	s->n_years = 0;
	s->cur_ev = NULL;
	/* Lost: loaded again from t, which holds what was committed (or,
	 * in a rebuild, what its flushes wrote); until then every batch
	 * fails (stats_room, stats_apply, stats_flush). */
	if (s->lost != 0)
		(void)load_from(s, t);
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

	stats_live_key(inst, origin, k);
	r = store_get(s->t, T_LIVE, k, 9, &v, &vlen);
	if (r != 0)
		return r;
	if (stats_live_decode(v, vlen, lv) != 0)
		return -EIO;
	stats_contrib_timeliness(s->deltas, &lv->f, lv->accepted, -1, &s->err);
	if (lv->has_entity)
		r = stats_entity_remove(s, lv->entity, (uint8_t)inst, origin);
	else if (lv->n == 0)
		stats_contrib_victim(s->deltas, &lv->f, 1, true, -1, &s->err);
	if (r == 0 && lv->n > 0)
		r = stats_add_change(s, LINK_ORIGIN(inst, origin), false, lv);
	if (r != 0)
		return r;
	return store_del(s->t, T_LIVE, k, 9);
}

/*
 * Puts the record of ev, of origin, into the statistics and the LIVE
 * table; what it gives is read again unless stats_room has just read it.
 */
static int
live_add(struct stats *s, enum institution inst, uint64_t origin,
	 const struct event *ev, int32_t accepted)
{
	struct live *lv = s->cur;
	uint8_t k[9];
	size_t len;
	int r = 0;

	if (s->cur_ev != ev || s->cur_origin != LINK_ORIGIN(inst, origin)) {
		stats_fact_of(inst, origin, &ev->rec, lv->entity,
			      &lv->has_entity, &lv->f);
		lv->n = stats_objs_of(&ev->rec, lv->objs);
	}
	s->cur_ev = NULL;
	lv->accepted = accepted;
	stats_contrib_timeliness(s->deltas, &lv->f, lv->accepted, +1, &s->err);
	if (lv->has_entity)
		r = stats_entity_add(s, lv->entity, &lv->f);
	else if (lv->n == 0)
		stats_contrib_victim(s->deltas, &lv->f, 1, true, +1, &s->err);
	if (r == 0 && lv->n > 0)
		r = stats_add_change(s, LINK_ORIGIN(inst, origin), true, lv);
	if (r != 0)
		return r;
	len = stats_live_encode(lv, s->live_buf);
	stats_live_key(inst, origin, k);
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
	if (s->lost != 0)
		return s->lost;
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
	r = live_add(s, inst, origin, ev, accepted);
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

/* The marker of tables marked stale: never a layout's. */
#define STALE_MARKER UINT32_MAX

int
stats_mark_stale(struct store_txn *t)
{
	uint8_t v[4];

	store_be32(v, STALE_MARKER);
	return store_put(t, T_META, format_key, sizeof(format_key) - 1, v, 4,
			 0);
}

bool
stats_stale(const struct stats *s)
{
	return s->stale;
}

uint32_t
stats_layout_found(const struct stats *s)
{
	return s->layout_found;
}

/* One counter change into the transaction. */
static int
write_counter(void *arg, const uint8_t *key, size_t len, int64_t v)
{
	struct stats *s = arg;

	if (len >= COUNTER_PREFIX_LEN)
		prepare_add_year(s->years, &s->n_years, STATS_YEARS_MAX,
				 store_get32(key + 2) / 10);
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
	if (s->lost != 0)
		return s->lost;
	if (s->err != 0)
		return s->err;
	r = stats_contribute_batch(s);
	if (r == 0)
		r = stats_relink(s);
	if (r == 0)
		r = write_counters(s);
	if (r == 0 && s->need_marker)
		r = put_marker(s->t);
	return r;
}

size_t
stats_years(const struct stats *s, uint32_t ret[STATS_YEARS_MAX])
{
	if (s == NULL)
		return 0;
	memcpy(ret, s->years, s->n_years * sizeof(*ret));
	return s->n_years;
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
		dst = stats_emap_slot(&s->index, en->key);
		if (dst == NULL) {
			/* Out of memory: the index can no longer be trusted
			 * (the batch's tables are committed, its entities
			 * half in it). */
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
	if (s->err != 0) {
		/* Nothing left to count with: let it go, and load it again
		 * at the next stats_begin, from its transaction (a rebuild
		 * flushes inside one that is not committed yet: the store
		 * outside it holds the tables before the rebuild). Until a
		 * load succeeds every batch fails, and says so, rather than
		 * count against an empty graph. */
		lose(s, -ENOMEM);
	}
	reset(s);
}

int
stats_lost(const struct stats *s)
{
	return s != NULL ? s->lost : 0;
}

void
stats_discard(struct stats *s)
{
	if (s == NULL)
		return;
	reset(s);
	if (!s->graph_dirty)
		return;
	s->graph_dirty = false;
	/* The victim graph holds changes the store does not: reload it. A
	 * failed load leaves it lost, to load at the next stats_begin
	 * (stats_load is marked to be checked: nothing more to do here). */
	if (stats_load(s, NULL) != 0)
		return;
}

int
stats_clear(struct stats *s, struct store_txn *t)
{
	int r;

	lose(s, 0);
	r = store_clear(t, T_LIVE);
	if (r == 0)
		r = store_clear(t, T_COUNTERS);
	if (r == 0)
		r = put_marker(t);
	/* Empty, as t's tables now are: nothing lost (else lost with them
	 * not cleared). */
	s->lost = r;
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

	if (klen != 9 || stats_live_decode(v, vlen, lv) != 0)
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
	en = stats_emap_slot(&s->index, lv->entity);
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
	s->stale = false;
	s->layout_found = 0;
	if (store_get(t, T_META, format_key, sizeof(format_key) - 1, &v,
		      &vlen) == 0) {
		s->stale = vlen == 4 && store_get32(v) == STALE_MARKER;
		if (vlen == 4 && store_get32(v) != STATS_FORMAT)
			s->layout_found = store_get32(v);
		return vlen == 4 && store_get32(v) == STATS_FORMAT ? 0
								   : -ESTALE;
	}
	if (store_each(t, T_LIVE, NULL, 0, any_entry, NULL) == 1 ||
	    store_each(t, T_COUNTERS, NULL, 0, any_entry, NULL) == 1)
		return -ESTALE;
	s->need_marker = true;
	return 0;
}

/*
 * Builds the index and the graph from t's LIVE table. Returns 0 or -errno
 * (as stats_load); on failure leaves them empty and lost.
 */
static int
load_from(struct stats *s, struct store_txn *t)
{
	int r;

	lose(s, 0);
	r = check_marker(s, t);
	if (r == 0)
		r = store_each(t, T_LIVE, NULL, 0, load_live, s);
	if (r != 0)
		lose(s, r);
	return r;
}

int
stats_load(struct stats *s, struct store *st)
{
	struct store_txn *t;
	int r;

	if (st != NULL)
		s->st = st;
	r = store_begin(s->st, false, &t);
	if (r != 0) {
		lose(s, r);
		return r;
	}
	r = load_from(s, t);
	store_abort(&t);
	return r;
}
