/*
 * dryrun.c - a dry run's refs: an open-addressing hash table over event
 * ids (which are keyed hashes already: their first bytes serve as the
 * hash); see dryrun.h.
 */
#include "dryrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_SLOTS 4096 /* a power of two */

struct slot {
	uint8_t id[EVENT_ID_LEN];
	bool used;
	bool provisional;
	struct ref_info ri;
};

/* A slot of the stages' tables: by case and stage, or by seq (key);
 * each table uses one member of the union, which keeps a run of a
 * million case stages within what docs/LIMITS.md says (their refs kept
 * beside, in refs). */
#define SKEY_LEN OUTBOX_STAGE_KEY_LEN
struct sslot {
	uint8_t key[SKEY_LEN];
	bool used;
	bool gone; /* deleted by the run */
	/* By case and stage: its entry written by the run (else the slot
	 * only counts), and the run's live records of it (recs), so that
	 * dryrun_stage_first reads them all only when there is one. */
	bool set;
	uint32_t recs;
	union {
		struct stage_entry e;		/* by case and stage */
		struct {			/* by seq: the record's */
			uint8_t held[SKEY_LEN]; /* case and stage */
			int32_t date;
			uint32_t ref_at; /* its ref, in refs */
		} rec;
	};
};
_Static_assert(sizeof(struct sslot) <= 120, "docs/LIMITS.md: dry run memory");

struct stab {
	struct sslot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

struct dryrun {
	uint64_t id;
	uint64_t next_seq;
	struct slot *slots;
	size_t cap; /* a power of two */
	size_t n;
	struct stab stages, stageof;
	char *refs; /* the refs of stageof's records, each NUL-ended */
	size_t refs_len, refs_cap;
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
	free((*d)->stages.slots);
	free((*d)->stageof.slots);
	free((*d)->refs);
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

static size_t
skey_hash(const uint8_t key[SKEY_LEN])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)(h ^ key[SKEY_LEN - 1]);
}

/* The slot of key in a table with room, or the empty one for it. */
static struct sslot *
sfind(struct sslot *slots, size_t cap, const uint8_t key[SKEY_LEN])
{
	size_t i = skey_hash(key) & (cap - 1);

	while (slots[i].used && memcmp(slots[i].key, key, SKEY_LEN) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static const struct sslot *
sget(const struct stab *tb, const uint8_t key[SKEY_LEN])
{
	const struct sslot *s;

	if (tb->cap == 0)
		return NULL;
	s = sfind(tb->slots, tb->cap, key);
	return s->used ? s : NULL;
}

/* The slot for key, made if new. NULL and *err when it cannot be. */
static struct sslot *
smake(struct stab *tb, const uint8_t key[SKEY_LEN], int *err)
{
	struct sslot *s, *slots;
	size_t cap, i;

	if (tb->cap > 0) {
		s = sfind(tb->slots, tb->cap, key);
		if (s->used)
			return s;
	}
	if (tb->n >= DRYRUN_MAX_REFS) {
		*err = -E2BIG;
		return NULL;
	}
	if (2 * (tb->n + 1) > tb->cap) {
		cap = tb->cap ? tb->cap * 2 : FIRST_SLOTS;
		slots = calloc(cap, sizeof(*slots));
		if (slots == NULL) {
			*err = -ENOMEM;
			return NULL;
		}
		for (i = 0; i < tb->cap; i++)
			if (tb->slots[i].used)
				*sfind(slots, cap, tb->slots[i].key) =
				    tb->slots[i];
		free(tb->slots);
		tb->slots = slots;
		tb->cap = cap;
	}
	s = sfind(tb->slots, tb->cap, key);
	memset(s, 0, sizeof(*s));
	memcpy(s->key, key, SKEY_LEN);
	s->used = true;
	tb->n++;
	return s;
}

static void
seq_key(uint8_t key[SKEY_LEN], uint64_t seq)
{
	memset(key, 0, SKEY_LEN);
	memcpy(key, &seq, sizeof(seq));
}

int
dryrun_stage_get(const struct dryrun *d, const uint8_t case_id[PSEUDONYM_LEN],
		 enum stage stage, struct stage_entry *ret)
{
	uint8_t key[SKEY_LEN];
	const struct sslot *s;

	outbox_stage_key(key, case_id, stage);
	s = sget(&d->stages, key);
	if (s == NULL || !s->set)
		return -ENOENT;
	if (s->gone)
		return 1;
	*ret = s->e;
	return 0;
}

int
dryrun_stage_set(struct dryrun *d, const uint8_t case_id[PSEUDONYM_LEN],
		 enum stage stage, const struct stage_entry *e)
{
	uint8_t key[SKEY_LEN];
	struct sslot *s;
	int err = 0;

	outbox_stage_key(key, case_id, stage);
	s = smake(&d->stages, key, &err);
	if (s == NULL)
		return err;
	s->set = true;
	s->gone = e == NULL;
	if (e != NULL)
		s->e = *e;
	return 0;
}

/* Adds by (1 or -1) to the count of the run's live records of the
 * stage of key (case and stage). 0, -ENOMEM, -E2BIG. */
static int
count_recs(struct dryrun *d, const uint8_t key[SKEY_LEN], int by)
{
	struct sslot *s;
	int err = 0;

	s = smake(&d->stages, key, &err);
	if (s == NULL)
		return err;
	if (by > 0 || s->recs > 0)
		s->recs += (uint32_t)by;
	return 0;
}

int
dryrun_stage_of(const struct dryrun *d, uint64_t seq,
		uint8_t case_id[PSEUDONYM_LEN], enum stage *ret,
		struct stage_entry *ret_e)
{
	uint8_t key[SKEY_LEN];
	const struct sslot *s;

	seq_key(key, seq);
	s = sget(&d->stageof, key);
	if (s == NULL)
		return -ENOENT;
	if (s->gone)
		return 1;
	memcpy(case_id, s->rec.held, PSEUDONYM_LEN);
	*ret = (enum stage)s->rec.held[PSEUDONYM_LEN];
	if (ret_e != NULL) {
		ret_e->seq = seq;
		ret_e->date = s->rec.date;
		snprintf(ret_e->ref, sizeof(ret_e->ref), "%s",
			 d->refs + s->rec.ref_at);
	}
	return 0;
}

bool
dryrun_stage_touched(const struct dryrun *d, uint64_t seq)
{
	uint8_t key[SKEY_LEN];

	seq_key(key, seq);
	return sget(&d->stageof, key) != NULL;
}

/* Keeps ref in d->refs: its offset, or -1 when out of memory. */
static int64_t
keep_ref(struct dryrun *d, const char *ref)
{
	size_t n = strnlen(ref, sizeof(((struct stage_entry *)0)->ref) - 1);
	size_t at = d->refs_len, cap;
	char *p;

	if (d->refs_len + n + 1 > d->refs_cap) {
		cap = d->refs_cap ? 2 * d->refs_cap : 65536;
		while (cap < d->refs_len + n + 1)
			cap *= 2;
		if (cap > UINT32_MAX || (p = realloc(d->refs, cap)) == NULL)
			return -1;
		d->refs = p;
		d->refs_cap = cap;
	}
	memcpy(d->refs + at, ref, n);
	d->refs[at + n] = '\0';
	d->refs_len += n + 1;
	return (int64_t)at;
}

int
dryrun_stage_of_set(struct dryrun *d, uint64_t seq,
		    const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
		    const struct stage_entry *e)
{
	uint8_t key[SKEY_LEN], was[SKEY_LEN], now[SKEY_LEN];
	const struct sslot *old;
	struct sslot *s;
	bool live;
	int64_t at = 0;
	int err = 0;

	if (case_id != NULL && (at = keep_ref(d, e->ref)) < 0)
		return -ENOMEM;
	seq_key(key, seq);
	old = sget(&d->stageof, key);
	live = old != NULL && !old->gone;
	if (live)
		memcpy(was, old->rec.held, SKEY_LEN);
	if (case_id != NULL) {
		outbox_stage_key(now, case_id, stage);
		if ((err = count_recs(d, now, 1)) != 0)
			return err;
	}
	if (live && (err = count_recs(d, was, -1)) != 0)
		return err;
	s = smake(&d->stageof, key, &err);
	if (s == NULL)
		return err;
	s->gone = case_id == NULL;
	if (case_id != NULL) {
		outbox_stage_key(s->rec.held, case_id, stage);
		s->rec.date = e->date;
		s->rec.ref_at = (uint32_t)at;
	}
	return 0;
}

int
dryrun_stage_first(const struct dryrun *d, const uint8_t case_id[PSEUDONYM_LEN],
		   enum stage stage, struct stage_entry *ret)
{
	uint8_t key[SKEY_LEN];
	const struct sslot *best = NULL;
	const struct sslot *st;
	uint64_t seq, best_seq = 0;
	size_t i;

	outbox_stage_key(key, case_id, stage);
	st = sget(&d->stages, key);
	if (st == NULL || st->recs == 0)
		return -ENOENT;
	for (i = 0; i < d->stageof.cap; i++) {
		const struct sslot *s = &d->stageof.slots[i];
		if (!s->used || s->gone ||
		    memcmp(s->rec.held, key, SKEY_LEN) != 0)
			continue;
		memcpy(&seq, s->key, sizeof(seq));
		if (best == NULL || s->rec.date < best->rec.date ||
		    (s->rec.date == best->rec.date && seq < best_seq)) {
			best = s;
			best_seq = seq;
		}
	}
	if (best == NULL)
		return -ENOENT;
	ret->seq = best_seq;
	ret->date = best->rec.date;
	snprintf(ret->ref, sizeof(ret->ref), "%s", d->refs + best->rec.ref_at);
	return 0;
}

uint64_t
dryrun_take_seq(struct dryrun *d)
{
	return d->next_seq++;
}
