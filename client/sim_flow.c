/*
 * sim_flow.c - what happens to a victim of "kuska sim" between the
 * institutions: who identifies her, the referrals between them and their
 * take-up, the services begun, and whether a criminal case follows.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "event.h"
#include "sim.h"

/* next_refno - the sender's next referral number for the year of day. */
static void
next_refno(struct sim *s, enum institution from, int32_t day, char *out,
	   size_t cap)
{
	int y = date_year(day);
	unsigned *c = &s->refno[from][y == 2025];

	*c += 1 + rng_below(&s->rng, 3);
	snprintf(out, cap, "OF-%d-%05u-%s", y, *c, inst_upper[from]);
}

/*
 * as_received - writes into out (cap bytes) the referral number as the
 * receiver types it: mostly the same, sometimes in lower case or with
 * stray spaces around it (both vanish in normalisation).
 */
static void
as_received(struct sim *s, const char *number, char *out, size_t cap)
{
	unsigned x = rng_below(&s->rng, 100);
	size_t i;

	if (x < 75) {
		snprintf(out, cap, "%s", number);
	} else if (x < 90) {
		snprintf(out, cap, "%s", number);
		for (i = 0; out[i] != '\0'; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				out[i] = (char)(out[i] - 'A' + 'a');
	} else if (x < 95) {
		snprintf(out, cap, " %s", number);
	} else {
		snprintf(out, cap, "%s  ", number);
	}
}

/* emit_identification - emits inst's identification of victim vi on day. */
static int
emit_identification(struct sim *s, enum institution inst, size_t vi,
		    int32_t day)
{
	const struct sim_victim *v = &s->victims[vi];
	struct sim_rec *r = sim_rec_new(s, inst);

	if (r == NULL)
		return -ENOMEM;
	r->kind = KIND_IDENTIFICATION;
	r->date = r->sort_date = day;
	r->region = v->region;
	r->victim = vi;
	r->expl = v->expl;
	/* Another institution may note only the main form. */
	if ((r->expl & (r->expl - 1)) != 0 && rng_chance(&s->rng, 15))
		r->expl &= ~r->expl + 1; /* the lowest bit: the main form */
	return 0;
}

/* purpose_for - why a victim is referred to institution to. */
static enum purpose
purpose_for(enum institution to)
{
	switch (to) {
	case INST_MIMP:
		return PURPOSE_PROTECTION;
	case INST_MINSA:
		return PURPOSE_HEALTH;
	default:
		return PURPOSE_JUSTICE;
	}
}

/*
 * sim_emit_referral - from refers victim vi to `to` on day; the destination
 * takes it up with probability take_pct, mostly within ten days, some
 * weeks later, never past the window. Sets *ret_taken to the day of the
 * take-up or 0. Returns 0 or -ENOMEM.
 */
int
sim_emit_referral(struct sim *s, size_t vi, enum institution from,
		  enum institution to, int32_t day, unsigned take_pct,
		  int32_t *ret_taken)
{
	const struct sim_victim *v = &s->victims[vi];
	char number[32];
	struct sim_rec *r;
	int32_t got;

	*ret_taken = 0;
	next_refno(s, from, day, number, sizeof(number));
	if ((r = sim_rec_new(s, from)) == NULL)
		return -ENOMEM;
	r->kind = KIND_REFERRAL;
	r->date = r->sort_date = day;
	r->region = v->region;
	r->victim = vi;
	r->other = to;
	r->purpose = purpose_for(to);
	snprintf(r->number, sizeof(r->number), "%s", number);

	if (!rng_chance(&s->rng, take_pct))
		return 0;
	if (rng_chance(&s->rng, 15))
		got = day + 20 + (int32_t)rng_below(&s->rng, 70);
	else
		got = day + (int32_t)rng_below(&s->rng, 11);
	if ((got = sim_in_window(s, got)) == 0)
		return 0;
	if ((r = sim_rec_new(s, to)) == NULL)
		return -ENOMEM;
	r->kind = KIND_REFERRAL_RECEIVED;
	r->date = r->sort_date = got;
	r->region = v->region;
	/* A shelter in Lima takes in some children from the provinces. */
	if (to == INST_MIMP && rng_chance(&s->rng, 10))
		r->region = 15;
	r->victim = vi;
	r->other = from;
	as_received(s, number, r->number, sizeof(r->number));
	*ret_taken = got;
	return 0;
}

/*
 * emit_service - inst begins service svc for victim vi on day, if in the
 * window. Returns 0 or -ENOMEM.
 */
static int
emit_service(struct sim *s, enum institution inst, size_t vi, enum service svc,
	     int32_t day)
{
	struct sim_rec *r;

	if (sim_in_window(s, day) == 0)
		return 0;
	if ((r = sim_rec_new(s, inst)) == NULL)
		return -ENOMEM;
	r->kind = KIND_SERVICE;
	r->date = r->sort_date = day;
	r->region = s->victims[vi].region;
	if (svc == SERVICE_RESIDENTIAL_CARE && rng_chance(&s->rng, 20))
		r->region = 15;
	r->victim = vi;
	r->service = svc;
	return 0;
}

/* A service an institution may begin, how often and how long after. */
struct service_plan {
	enum service svc;
	unsigned pct;	 /* share of the victims taken in */
	uint32_t after;	 /* days after intake, at least */
	uint32_t spread; /* ... plus up to this many more */
};

static const struct service_plan mimp_plan[] = {
    {SERVICE_SPECIAL_PROTECTION, 70, 0, 14},
    {SERVICE_RESIDENTIAL_CARE, 30, 0, 7},
    {SERVICE_LEGAL_AID, 25, 0, 30},
    {SERVICE_MENTAL_HEALTH, 15, 0, 30},
    {SERVICE_REINTEGRATION, 20, 60, 240},
};
static const struct service_plan minsa_plan[] = {
    {SERVICE_MEDICAL, 85, 0, 3},
    {SERVICE_MENTAL_HEALTH, 55, 0, 30},
};

/*
 * emit_services - the protection and health services that mimp or minsa
 * begin for victim vi after taking it in on day.
 */
static int
emit_services(struct sim *s, enum institution inst, size_t vi, int32_t day)
{
	const struct service_plan *plan =
	    inst == INST_MIMP ? mimp_plan : minsa_plan;
	size_t n = inst == INST_MIMP ? NELEM(mimp_plan) : NELEM(minsa_plan);
	size_t i;

	for (i = 0; i < n; i++) {
		int32_t start;

		if (!rng_chance(&s->rng, plan[i].pct))
			continue;
		start = day + (int32_t)plan[i].after +
			(int32_t)rng_below(&s->rng, plan[i].spread + 1);
		if (emit_service(s, inst, vi, plan[i].svc, start) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * sim_gen_flow - what happens to victim vi, first identified on day t0: which
 * of pnp, mp, mimp and minsa identify it (one to three), the referrals
 * between them and their take-up, the services, and whether a criminal
 * case follows.
 */
int
sim_gen_flow(struct sim *s, size_t vi, int32_t t0)
{
	static const enum institution order[] = {INST_PNP, INST_MP, INST_MIMP,
						 INST_MINSA};
	static const unsigned first_w[] = {50, 22, 18, 10};
	static const unsigned count_w[] = {50, 35, 15};
	struct rng *r = &s->rng;
	struct sim_victim *v = &s->victims[vi];
	bool in[INST_COUNT + 1] = {false};
	int32_t seen[INST_COUNT + 1] = {0};
	int32_t day, got;
	enum institution first, d;
	unsigned want, have, i;
	size_t k;

	sim_gen_victim(s, v, vi, t0);

	/* The institutions that identify the victim, first contact first. */
	want = 1 + (unsigned)rng_weighted(r, count_w, NELEM(count_w));
	first = order[rng_weighted(r, first_w, NELEM(first_w))];
	in[first] = true;
	for (have = 1; have < want;) {
		d = order[rng_below(r, NELEM(order))];
		if (!in[d]) {
			in[d] = true;
			have++;
		}
	}
	if (in[INST_PNP])
		first = INST_PNP;
	else if (in[INST_MP])
		first = INST_MP;
	seen[first] = t0;
	if (emit_identification(s, first, vi, t0) < 0)
		return -ENOMEM;

	for (i = 0; i < NELEM(order); i++) {
		d = order[i];
		if (d == first)
			continue;
		if (in[d] && rng_chance(r, 75)) {
			/* Referred by the first contact, and taken in. */
			day = sim_in_window(s, t0 + (int32_t)rng_below(r, 4));
			if (day == 0)
				continue;
			if (sim_emit_referral(s, vi, first, d, day, 85, &got) <
			    0)
				return -ENOMEM;
			if (got == 0)
				continue;
			day = sim_in_window(s, got + (int32_t)rng_below(r, 3));
		} else if (in[d]) {
			/* Found on its own, in its own time. */
			day = sim_in_window(s,
					    t0 + 1 + (int32_t)rng_below(r, 90));
		} else {
			/* Referred without being identified there. */
			unsigned pct = d == INST_MIMP	   ? 35
				       : d == INST_MINSA   ? 25
				       : first == INST_PNP ? 20
							   : 0;

			day = sim_in_window(s, t0 + (int32_t)rng_below(r, 6));
			if (day == 0 || !rng_chance(r, pct))
				continue;
			if (sim_emit_referral(s, vi, first, d, day, 55, &got) <
			    0)
				return -ENOMEM;
			if (got != 0 && (d == INST_MIMP || d == INST_MINSA) &&
			    emit_services(s, d, vi, got) < 0)
				return -ENOMEM;
			continue;
		}
		if (day == 0)
			continue;
		seen[d] = day;
		if (emit_identification(s, d, vi, day) < 0)
			return -ENOMEM;
	}

	/* Services follow identification by mimp or minsa. */
	for (k = INST_MIMP; k <= INST_MINSA; k++)
		if (seen[k] != 0 &&
		    emit_services(s, (enum institution)k, vi, seen[k]) < 0)
			return -ENOMEM;

	/* mimp sends some of its children on to health services. */
	if (seen[INST_MIMP] != 0 && !in[INST_MINSA] && rng_chance(r, 15)) {
		day = sim_in_window(s, seen[INST_MIMP] + 1 +
					   (int32_t)rng_below(r, 10));
		if (day != 0) {
			if (sim_emit_referral(s, vi, INST_MIMP, INST_MINSA, day,
					      70, &got) < 0)
				return -ENOMEM;
			if (got != 0 &&
			    emit_services(s, INST_MINSA, vi, got) < 0)
				return -ENOMEM;
		}
	}

	/* A criminal case follows for many of those seen by pnp or mp. */
	v->by_pnp = seen[INST_PNP] != 0;
	day = seen[INST_PNP] != 0 ? seen[INST_PNP] : seen[INST_MP];
	if (seen[INST_MP] != 0 && (day == 0 || seen[INST_MP] < day))
		day = seen[INST_MP];
	if (day != 0 && rng_chance(r, 60))
		v->case_open = day;
	return 0;
}
