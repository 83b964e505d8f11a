/*
 * sim_correct.c - the records of "kuska sim" first sent with a mistake
 * and corrected later, and those withdrawn.
 */
#include <errno.h>
#include <stdint.h>

#include "event.h"
#include "sim.h"

/* rec_min_date - the earliest day rec may carry: its victims' births. */
static int32_t
rec_min_date(const struct sim *s, const struct sim_rec *rec)
{
	int32_t min = s->start;
	unsigned i;

	if (rec->kind == KIND_CASE_STAGE) {
		const struct sim_case *c = &s->cases[rec->case_idx];

		for (i = 0; i < c->n_victims; i++)
			if (s->victims[c->victims[i]].birth > min)
				min = s->victims[c->victims[i]].birth;
	} else if (s->victims[rec->victim].birth > min) {
		min = s->victims[rec->victim].birth;
	}
	return min;
}

/* pick_target - a random record of f not yet corrected or withdrawn. */
static struct sim_rec *
pick_target(struct sim *s, struct sim_file *f, size_t n_base)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		struct sim_rec *t = &f->v[rng_below(&s->rng, (uint32_t)n_base)];

		if (t->fate == 0)
			return t;
	}
	return NULL;
}

/*
 * wrong_victim - another victim whose record t could have been taken for:
 * linkable, born before t's date. Returns its index, or t's own.
 */
static size_t
wrong_victim(struct sim *s, const struct sim_rec *t)
{
	int tries;

	for (tries = 0; tries < 20; tries++) {
		size_t o = rng_below(&s->rng, (uint32_t)s->n_victims);
		if (o != t->victim && s->victims[o].mode != ID_AGE_ONLY &&
		    s->victims[o].birth < t->date)
			return o;
	}
	return t->victim;
}

/*
 * sim_add_corrections - about 1% of each file's records turn out to have been
 * entered with a mistake and are corrected later: a wrong date or region,
 * or, for a record about one victim, a mistyped document number (the
 * correction joins two victims the statistics had apart) or another
 * child's identity (the correction splits two they had joined). About
 * 0.5% are withdrawn. The correction carries the true record; the target,
 * as first sent, the mistake.
 */
int
sim_add_corrections(struct sim *s, enum institution inst)
{
	struct sim_file *f = &s->files[inst];
	struct rng *r = &s->rng;
	size_t n_base = f->n, n_corr, n_wd, i;
	struct sim_rec fix, *t, *c;

	if (n_base == 0)
		return 0;
	n_corr = (n_base + 50) / 100;
	n_wd = (n_base + 100) / 200;
	for (i = 0; i < n_corr; i++) {
		int32_t wrong = 0, min;

		if ((t = pick_target(s, f, n_base)) == NULL)
			break;
		fix = *t;
		t->fate = 1;
		min = rec_min_date(s, t);
		if (t->kind != KIND_CASE_STAGE) {
			unsigned x = rng_below(r, 100);
			size_t o;
			if (x < 20 && s->victims[t->victim].mode == ID_DOCUMENT)
				t->mistake = MISTAKE_DOC;
			else if (x >= 20 && x < 35 &&
				 (o = wrong_victim(s, t)) != t->victim) {
				t->victim = o;
				t->mistake = MISTAKE_VICTIM;
			}
		}
		if (t->mistake == MISTAKE_NONE && rng_chance(r, 60)) {
			int32_t delta = 1 + (int32_t)rng_below(r, 20);

			wrong = rng_chance(r, 50) ? t->date - delta
						  : t->date + delta;
			if (wrong < min || wrong > s->end)
				wrong = 2 * t->date - wrong;
			if (wrong < min || wrong > s->end)
				wrong = 0;
		}
		if (wrong != 0) {
			t->date = t->sort_date = wrong;
			t->mistake = MISTAKE_DATE;
		} else if (t->mistake == MISTAKE_NONE) {
			t->mistake = MISTAKE_REGION;
			do
				t->region = sim_regions[rng_below(
				    r, (uint32_t)NELEM(sim_regions))];
			while (t->region == fix.region);
		}
		if ((c = sim_rec_new(s, inst)) == NULL)
			return -ENOMEM;
		t = &f->v[fix.seq]; /* sim_rec_new may have moved the array */
		*c = fix;
		c->seq = (uint32_t)(f->n - 1);
		c->wrap = KIND_CORRECTION;
		c->target = fix.seq;
		c->fate = 1; /* corrections are never targets themselves */
		c->sort_date = (t->date > fix.date ? t->date : fix.date) + 1 +
			       (int32_t)rng_below(r, 30);
		if (c->sort_date > s->end)
			c->sort_date = s->end;
	}
	for (i = 0; i < n_wd; i++) {
		uint32_t tseq;
		int32_t tdate;

		if ((t = pick_target(s, f, n_base)) == NULL)
			break;
		t->fate = 2;
		tseq = t->seq;
		tdate = t->date;
		if ((c = sim_rec_new(s, inst)) == NULL)
			return -ENOMEM;
		c->wrap = KIND_WITHDRAWAL;
		c->target = tseq;
		c->fate = 2;
		c->sort_date = tdate + (int32_t)rng_below(r, 30);
		if (c->sort_date > s->end)
			c->sort_date = s->end;
	}
	return 0;
}
