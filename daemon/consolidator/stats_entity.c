/*
 * stats_entity.c - the referrals and cases in memory: the index as
 * committed and the batch's copies of those it touches, each one's old
 * contribution taken off the counters at its first touch and its new one
 * added at flush; see stats_int.h.
 */
#include "stats_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"
#include "stats_contrib.h"
#include "zeroed.h"

/* An entity key's hash, a word at a time (a pseudonym is random). */
static uint64_t
entity_hash(const uint8_t key[ENTITY_KEY_LEN])
{
	uint64_t w[4], h;

	memcpy(w, key + 3, sizeof(w));
	h = (uint64_t)key[0] << 16 | (uint64_t)key[1] << 8 | key[2];
	return mix64(h ^ w[0] ^ mix64(w[1] ^ mix64(w[2] ^ mix64(w[3]))));
}

int
stats_emap_init(struct emap *m, size_t cap)
{
	m->e = zeroed_new(cap, sizeof(*m->e));
	m->cap = cap;
	m->n = 0;
	return m->e == NULL ? -ENOMEM : 0;
}

void
stats_emap_clear(struct emap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->e[i].used)
			free(m->e[i].facts);
	memset(m->e, 0, m->cap * sizeof(*m->e));
	m->n = 0;
}

void
stats_emap_free(struct emap *m)
{
	if (m->e != NULL)
		stats_emap_clear(m);
	free(m->e);
	m->e = NULL;
}

/*
 * The slot of key in m: the entity if present, else the free slot where
 * it goes (used == false). Grows m first so that a free slot exists.
 * NULL only when growing fails.
 */
struct entity *
stats_emap_slot(struct emap *m, const uint8_t key[ENTITY_KEY_LEN])
{
	size_t mask, i;

	if ((m->n + 1) * 4 >= m->cap * 3) {
		struct emap bigger;
		size_t j;
		if (stats_emap_init(&bigger, m->cap * 2) != 0)
			return NULL;
		for (j = 0; j < m->cap; j++) {
			struct entity *dst;
			if (!m->e[j].used)
				continue;
			dst = stats_emap_slot(&bigger, m->e[j].key);
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

/* The entity of key in m, or NULL; never grows m. */
static const struct entity *
emap_find(const struct emap *m, const uint8_t key[ENTITY_KEY_LEN])
{
	size_t mask = m->cap - 1, i;

	for (i = entity_hash(key) & mask; m->e[i].used; i = (i + 1) & mask)
		if (memcmp(m->e[i].key, key, ENTITY_KEY_LEN) == 0)
			return &m->e[i];
	return NULL;
}

const struct entity *
stats_entity_peek(const struct stats *s, const uint8_t key[ENTITY_KEY_LEN])
{
	const struct entity *en = emap_find(&s->batch, key);

	return en != NULL ? en : emap_find(&s->index, key);
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

	en = stats_emap_slot(&s->batch, key);
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
	committed = stats_emap_slot(&s->index, key);
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

int
stats_entity_add(struct stats *s, const uint8_t key[ENTITY_KEY_LEN],
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

int
stats_entity_remove(struct stats *s, const uint8_t key[ENTITY_KEY_LEN],
		    uint8_t inst, uint64_t seq)
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

/* Adds every touched entity's new contribution to the counters. */
int
stats_contribute_batch(struct stats *s)
{
	size_t i;

	for (i = 0; i < s->batch.cap; i++)
		if (s->batch.e[i].used)
			contribute(s, &s->batch.e[i], +1);
	return s->err;
}
