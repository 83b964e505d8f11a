/*
 * sim_case.c - the criminal cases of "kuska sim": victims gathered into
 * cases, and each case's stages from complaint to outcome.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "event.h"
#include "sim.h"

/*
 * emit_stage - inst records stage of case ci on day with persons; the
 * victims are listed on the institution's first record of the case and
 * now and then later. Returns 0 or -ENOMEM.
 */
static int
emit_stage(struct sim *s, enum institution inst, size_t ci, enum stage st,
	   int32_t day, uint32_t persons, const char *article, bool *listed)
{
	const struct sim_case *c = &s->cases[ci];
	struct sim_rec *r;

	if ((r = sim_rec_new(s, inst)) == NULL)
		return -ENOMEM;
	r->kind = KIND_CASE_STAGE;
	r->date = r->sort_date = day;
	r->region = c->region;
	r->case_idx = ci;
	r->stage = st;
	r->persons = persons;
	snprintf(r->article, sizeof(r->article), "%s", article);
	r->with_victims = !listed[inst] || rng_chance(&s->rng, 30);
	listed[inst] = true;
	/* Courts sometimes type the prosecutor's number in lower case. */
	snprintf(r->number, sizeof(r->number), "%s", c->number);
	if (inst == INST_PJ && rng_chance(&s->rng, 15)) {
		size_t i;

		for (i = 0; r->number[i] != '\0'; i++)
			if (r->number[i] >= 'A' && r->number[i] <= 'Z')
				r->number[i] = (char)(r->number[i] - 'A' + 'a');
	}
	return 0;
}

/* fewer - persons at the next stage: the same, or one less (not below 1). */
static uint32_t
fewer(struct rng *r, uint32_t persons)
{
	if (persons > 1 && rng_chance(r, 25))
		return persons - 1;
	return persons;
}

/*
 * gen_case_stages - the life of case ci: complaint, investigation,
 * accusation, trial and outcome, with attrition at every step and some
 * dismissals on record. Stages past the window are not reached.
 */
static int
gen_case_stages(struct sim *s, size_t ci)
{
	static const char *const articles[] = {"129-A", "129-B", "129-H",
					       "129-C", "129-O"};
	static const unsigned article_w[] = {55, 25, 10, 5, 5};
	static const unsigned persons_w[] = {50, 30, 12, 8};
	struct rng *r = &s->rng;
	const struct sim_case *c = &s->cases[ci];
	bool listed[INST_COUNT + 1] = {false};
	const char *article =
	    articles[rng_weighted(r, article_w, NELEM(article_w))];
	uint32_t p = 1 + (uint32_t)rng_weighted(r, persons_w, NELEM(persons_w));
	int32_t day = c->open + (int32_t)rng_below(r, 4), next;
	bool pnp = false;
	unsigned i;

	for (i = 0; i < c->n_victims; i++)
		pnp |= s->victims[c->victims[i]].by_pnp;
	if ((day = sim_in_window(s, day)) == 0)
		return 0;
#define STAGE(inst, st, d)                                                     \
	do {                                                                   \
		if (emit_stage(s, (inst), ci, (st), (d), p, article, listed) < \
		    0)                                                         \
			return -ENOMEM;                                        \
	} while (0)

	if (pnp)
		STAGE(INST_PNP, STAGE_COMPLAINT, day);
	if (!pnp || rng_chance(r, 30)) {
		/* The prosecutor's own record; investigation follows it. */
		next = sim_in_window(s, day + (int32_t)rng_below(r, 11));
		if (next != 0)
			day = next;
		STAGE(INST_MP, STAGE_COMPLAINT, day);
	}

	/* Preliminary investigation, which some cases skip. */
	if (!rng_chance(r, 85)) {
		next = sim_in_window(s, day + 10 + (int32_t)rng_below(r, 60));
		if (next != 0 && rng_chance(r, 50))
			STAGE(INST_MP, STAGE_DISMISSAL, next);
		return 0;
	}
	if (!rng_chance(r, 10)) {
		if ((day = sim_in_window(
			 s, day + 1 + (int32_t)rng_below(r, 30))) == 0)
			return 0;
		STAGE(INST_MP, STAGE_PRELIMINARY_INVESTIGATION, day);
		if (pnp && rng_chance(r, 20) &&
		    (next = sim_in_window(s, day + (int32_t)rng_below(r, 6))) !=
			0)
			STAGE(INST_PNP, STAGE_PRELIMINARY_INVESTIGATION, next);
		if (!rng_chance(r, 60)) {
			next = sim_in_window(s, day + 60 +
						    (int32_t)rng_below(r, 200));
			if (next != 0 && rng_chance(r, 70))
				STAGE(INST_MP, STAGE_DISMISSAL, next);
			return 0;
		}
	}

	/* Formalised investigation; a charge may be requalified. */
	if ((day = sim_in_window(s, day + 30 + (int32_t)rng_below(r, 150))) ==
	    0)
		return 0;
	if (strcmp(article, "129-A") == 0 && rng_chance(r, 15))
		article = "129-B";
	p = fewer(r, p);
	STAGE(INST_MP, STAGE_FORMALIZED_INVESTIGATION, day);

	if (!rng_chance(r, 70)) {
		next = sim_in_window(s, day + 90 + (int32_t)rng_below(r, 200));
		if (next != 0 && rng_chance(r, 60))
			STAGE(INST_MP, STAGE_DISMISSAL, next);
		return 0;
	}
	if ((day = sim_in_window(s, day + 60 + (int32_t)rng_below(r, 210))) ==
	    0)
		return 0;
	p = fewer(r, p);
	STAGE(INST_MP, STAGE_ACCUSATION, day);

	/* Trial, and its outcome. */
	if (!rng_chance(r, 85))
		return 0;
	if ((next = sim_in_window(s, day + 30 + (int32_t)rng_below(r, 150))) ==
	    0)
		return 0;
	/* The prosecutor refers the first victim to the court. */
	if (rng_chance(r, 40)) {
		int32_t got;

		if (sim_emit_referral(s, c->victims[0], INST_MP, INST_PJ, day,
				      80, &got) < 0)
			return -ENOMEM;
	}
	day = next;
	STAGE(INST_PJ, STAGE_TRIAL, day);
	if ((day = sim_in_window(s, day + 1 + (int32_t)rng_below(r, 60))) == 0)
		return 0;
	i = rng_below(r, 100);
	if (i < 60) {
		p = fewer(r, p);
		STAGE(INST_PJ, STAGE_CONVICTION, day);
	} else if (i < 90) {
		STAGE(INST_PJ, STAGE_ACQUITTAL, day);
	} else {
		STAGE(INST_PJ, STAGE_DISMISSAL, day);
	}
#undef STAGE
	return 0;
}

/*
 * sim_gen_cases - gathers the victims meant for a criminal case into cases
 * (mostly one victim, some two to four from the same region and weeks)
 * and lets each case run its course.
 */
int
sim_gen_cases(struct sim *s)
{
	struct rng *r = &s->rng;
	size_t i, j, scanned;

	for (i = 0; i < s->n_victims; i++) {
		struct sim_victim *v = &s->victims[i];
		struct sim_case *c;
		unsigned extra;
		int y;

		if (v->case_open == 0 || v->in_case)
			continue;
		if (s->n_cases == s->cap_cases) {
			size_t cap = s->cap_cases ? s->cap_cases * 2 : 64;
			struct sim_case *nc;

			nc = realloc(s->cases, cap * sizeof(*nc));
			if (nc == NULL)
				return -ENOMEM;
			s->cases = nc;
			s->cap_cases = cap;
		}
		c = &s->cases[s->n_cases];
		memset(c, 0, sizeof(*c));
		c->victims[c->n_victims++] = i;
		c->region = v->region;
		c->open = v->case_open;
		v->in_case = true;

		extra = rng_chance(r, 20) ? 1 + rng_below(r, 3) : 0;
		for (j = i + 1, scanned = 0;
		     j < s->n_victims && scanned < 40 && extra > 0; j++) {
			struct sim_victim *w = &s->victims[j];

			if (w->case_open == 0 || w->in_case)
				continue;
			scanned++;
			if (w->region != v->region ||
			    labs((long)w->case_open - (long)v->case_open) > 45)
				continue;
			c->victims[c->n_victims++] = j;
			w->in_case = true;
			if (w->case_open < c->open)
				c->open = w->case_open;
			extra--;
		}
		/* A victim listed must be born by the complaint. */
		for (j = 0; j < c->n_victims; j++)
			if (s->victims[c->victims[j]].birth >= c->open)
				c->open = s->victims[c->victims[j]].birth + 1;

		y = date_year(c->open);
		s->caseno[y == 2025] += 1 + rng_below(r, 4);
		snprintf(c->number, sizeof(c->number),
			 "CF-%02u%02u%02u%04u-%d-%u-0", c->region,
			 1 + rng_below(r, 10), 1 + rng_below(r, 5),
			 4500 + 100 * rng_below(r, 6), y, s->caseno[y == 2025]);
		s->n_cases++;
		if (gen_case_stages(s, s->n_cases - 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Which records a case has (sim_unnamed_cases). */
#define HAS_PNP_COMPLAINT 1u
#define HAS_MP_COMPLAINT 2u
#define HAS_COURT 4u
#define COURT_OWN 8u   /* the court writes the number otherwise */
#define POLICE_OWN 16u /* the police's complaint carries another */

/* The number as the court or the police wrote it (what): hyphens as
 * spaces, or the prosecutor's "CF-" left out. */
static void
renumber(struct sim_rec *r, unsigned what)
{
	size_t i;

	if (what & COURT_OWN) {
		for (i = 0; r->number[i] != '\0'; i++)
			if (r->number[i] == '-')
				r->number[i] = ' ';
	} else if (strncmp(r->number, "CF-", 3) == 0)
		memmove(r->number, r->number + 3, strlen(r->number + 3) + 1);
}

/*
 * sim_unnamed_cases - cases no complaint names, as in the field (docs/
 * INPUT.md): about one case in ten that reaches the court has the court's
 * records under the number written otherwise (spaces for its hyphens),
 * and about one in seven of those the police alone files has its complaint
 * under another number (the prosecutor's "CF-" left out). The records
 * are the same but for the number, so no count of records or of cases at
 * a stage moves: the funnel and durations lose those cases' later stages,
 * and cases_unmatched counts them. Drawn from a stream of its own, so
 * that the rest of the world is as without it. Returns 0 or -ENOMEM.
 */
int
sim_unnamed_cases(struct sim *s)
{
	uint8_t *has;
	struct rng r;
	size_t i, ci;
	int k;

	if (s->n_cases == 0)
		return 0;
	if ((has = calloc(s->n_cases, 1)) == NULL)
		return -ENOMEM;
	rng_seed(&r, s->seed ^ 0x6b75736b61636173ULL);
	for (k = INST_PNP; k <= INST_PJ; k++)
		for (i = 0; i < s->files[k].n; i++) {
			const struct sim_rec *rec = &s->files[k].v[i];
			if (rec->kind != KIND_CASE_STAGE)
				continue;
			if (k == INST_PJ)
				has[rec->case_idx] |= HAS_COURT;
			else if (rec->stage == STAGE_COMPLAINT)
				has[rec->case_idx] |= k == INST_PNP
							  ? HAS_PNP_COMPLAINT
							  : HAS_MP_COMPLAINT;
		}
	for (ci = 0; ci < s->n_cases; ci++) {
		if ((has[ci] & HAS_COURT) && rng_chance(&r, 10))
			has[ci] |= COURT_OWN;
		if ((has[ci] & (HAS_PNP_COMPLAINT | HAS_MP_COMPLAINT)) ==
			HAS_PNP_COMPLAINT &&
		    rng_chance(&r, 15))
			has[ci] |= POLICE_OWN;
	}
	for (k = INST_PNP; k <= INST_PJ; k++)
		for (i = 0; i < s->files[k].n; i++) {
			struct sim_rec *rec = &s->files[k].v[i];
			if (rec->kind != KIND_CASE_STAGE)
				continue;
			if (k == INST_PJ && (has[rec->case_idx] & COURT_OWN))
				renumber(rec, COURT_OWN);
			else if (k == INST_PNP &&
				 rec->stage == STAGE_COMPLAINT &&
				 (has[rec->case_idx] & POLICE_OWN))
				renumber(rec, POLICE_OWN);
		}
	free(has);
	return 0;
}
