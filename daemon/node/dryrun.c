/*
 * dryrun.c - a dry run's refs: an open-addressing hash table over event
 * ids (which are keyed hashes already: their first bytes serve as the
 * hash); see dryrun.h.
 */
#include "dryrun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_SLOTS 4096 /* a power of two */

struct slot {
	uint8_t id[EVENT_ID_LEN];
	bool used;
	bool provisional;
	struct ref_info ri;
};

struct dryrun {
	uint64_t id;
	uint64_t next_seq;
	struct slot *slots;
	size_t cap; /* a power of two */
	size_t n;
};

struct dryrun *
dryrun_new(uint64_t id, uint64_t next_seq)
{
	struct dryrun *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->slots = calloc(FIRST_SLOTS, sizeof(*d->slots));
	if (d->slots == NULL) {
		free(d);
		return NULL;
	}
	d->cap = FIRST_SLOTS;
	d->id = id;
	d->next_seq = next_seq;
	return d;
}

void
dryrun_free(struct dryrun **d)
{
	if (d == NULL || *d == NULL)
		return;
	free((*d)->slots);
	free(*d);
	*d = NULL;
}

uint64_t
dryrun_id(const struct dryrun *d)
{
	return d->id;
}

static size_t
hash_of(const uint8_t id[EVENT_ID_LEN])
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return (size_t)h;
}

/* The slot holding id, or the empty one where it would go. */
static struct slot *
find(struct slot *slots, size_t cap, const uint8_t id[EVENT_ID_LEN])
{
	size_t i = hash_of(id) & (cap - 1);

	while (slots[i].used && memcmp(slots[i].id, id, EVENT_ID_LEN) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Doubles the table (kept at most half full). Returns 0 or -ENOMEM. */
static int
grow(struct dryrun *d)
{
	size_t cap = d->cap * 2, i;
	struct slot *slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return -ENOMEM;
	for (i = 0; i < d->cap; i++)
		if (d->slots[i].used)
			*find(slots, cap, d->slots[i].id) = d->slots[i];
	free(d->slots);
	d->slots = slots;
	d->cap = cap;
	return 0;
}

int
dryrun_ref_get(const struct dryrun *d, const uint8_t id[EVENT_ID_LEN],
	       struct ref_info *ret, bool *ret_provisional)
{
	const struct slot *s = find(d->slots, d->cap, id);

	if (!s->used)
		return -ENOENT;
	*ret = s->ri;
	*ret_provisional = s->provisional;
	return 0;
}

int
dryrun_ref_put(struct dryrun *d, const uint8_t id[EVENT_ID_LEN],
	       const struct ref_info *ri, bool provisional)
{
	struct slot *s = find(d->slots, d->cap, id);
	int r;

	if (!s->used) {
		if (d->n >= DRYRUN_MAX_REFS)
			return -E2BIG;
		if (2 * (d->n + 1) > d->cap) {
			if ((r = grow(d)) != 0)
				return r;
			s = find(d->slots, d->cap, id);
		}
		memcpy(s->id, id, EVENT_ID_LEN);
		s->used = true;
		d->n++;
	}
	s->ri = *ri;
	s->provisional = provisional;
	return 0;
}

int
dryrun_ref_by_own(const struct dryrun *d, uint64_t seq,
		  uint8_t ret_id[EVENT_ID_LEN], struct ref_info *ret,
		  bool *ret_provisional)
{
	size_t i;

	for (i = 0; i < d->cap; i++) {
		const struct slot *s = &d->slots[i];
		if (!s->used || s->ri.own != seq)
			continue;
		memcpy(ret_id, s->id, EVENT_ID_LEN);
		*ret = s->ri;
		*ret_provisional = s->provisional;
		return 0;
	}
	return -ENOENT;
}

uint64_t
dryrun_take_seq(struct dryrun *d)
{
	return d->next_seq++;
}
