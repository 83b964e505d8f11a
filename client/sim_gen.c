/*
 * sim_gen.c - the world of "kuska sim": victims, their flows between the
 * institutions, criminal cases and their stages, corrections and
 * withdrawals, all drawn from the one seeded generator.
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

/* ------------------------------------------------------------------ */
/* Names and places. */

static const char *const pe_given_f[] = {
    "María",  "Rosa",	  "Luz",      "Yessenia", "Kusi",   "Sumaq",   "Killa",
    "Nayeli", "Ch'aska",  "Inés",     "Milagros", "Flor",   "Sonia",   "Gladys",
    "Karina", "Yolanda",  "Ruth",     "Marisol",  "Lucía",  "Valeria", "Camila",
    "Sofía",  "Fiorella", "Dayana",   "Nélida",	  "Ángela", "Teresa",  "Juana",
    "Carmen", "Maribel",  "Judith",   "Estefany", "Kiara",  "Xiomara", "Thalía",
    "Yaneth", "Nina",	  "Wayta",    "Illari",	  "Yuraq",  "Pilar",   "Roxana",
    "Deysi",  "Lizbeth",  "Jhoselyn", "Quri",	  "Urpi",   "Mayumi",
};
static const char *const pe_given_m[] = {
    "José",	"Juan",	   "Luis",   "Carlos", "Inti",	 "Jhon",
    "Jhonatan", "Wilber",  "Edwin",  "Percy",  "Yuri",	 "Rubén",
    "Ángel",	"Jesús",   "Miguel", "Kevin",  "Brayan", "Amaru",
    "Túpac",	"Huáscar", "Rómulo", "Néstor", "Efraín", "Alexis",
    "Franklin", "Elmer",   "Kusi",   "Waman",  "Yaku",	 "Sinchi",
};
static const char *const pe_surnames[] = {
    "Quispe",	 "Mamani",  "Huamán",	"Ñahui",      "Condori",  "Ccori",
    "Yupanqui",	 "Túpac",   "Flores",	"Rodríguez",  "Pérez",	  "García",
    "Sánchez",	 "Chávez",  "Vásquez",	"Torres",     "Ramírez",  "Mendoza",
    "Huanca",	 "Apaza",   "Choque",	"Cusi",	      "Ticona",	  "Coaquira",
    "Layme",	 "Huarca",  "Cahuana",	"Ccama",      "Rojas",	  "Díaz",
    "Gutiérrez", "López",   "Castillo", "Espinoza",   "Cárdenas", "Paucar",
    "Huillca",	 "Puma",    "Chambi",	"Machaca",    "Yucra",	  "Ancco",
    "Ñaupari",	 "Sullca",  "Tacuri",	"Vilca",      "Ramos",	  "De la Cruz",
    "Salazar",	 "Panduro", "Shuña",	"Tapullima",  "Sangama",  "Tuanama",
    "Pinedo",	 "Ríos",    "Vela",	"Arévalo",    "Ahuanari", "Manihuari",
    "Inca",	 "Ch'ura",  "Q'olla",	"Villanueva", "Medina",
};
static const char *const ve_given_f[] = {
    "Génesis",	"Yuliana",   "Oriana",	 "Mariángel", "Yorgelis",
    "Daniela",	"Valentina", "Isabella", "Wendy",     "Yusmary",
    "Dayerlin", "María",     "Andreína", "Yelitza",   "Rosmary",
};
static const char *const ve_given_m[] = {
    "Yeferson", "Jesús",  "Luis", "Jorge", "Wuilmer", "Deiker",
    "Yonaiker", "Carlos", "José", "Ángel", "Jhonder",
};
static const char *const ve_surnames[] = {
    "González", "Rodríguez", "Hernández", "Pérez",	"Martínez",
    "Rondón",	"Zambrano",  "Briceño",	  "Colmenares", "Peña",
    "Blanco",	"Guerrero",  "Márquez",	  "Villegas",	"Uzcátegui",
};
static const char *const co_given_f[] = {
    "Valentina", "Laura", "Natalia", "Yuliana", "Leidy", "Marcela", "Sara",
};
static const char *const co_given_m[] = {
    "Andrés", "Julián", "Camilo", "Jhon", "Santiago", "Brayan",
};
static const char *const co_surnames[] = {
    "Gómez",   "Cardona",  "Restrepo", "Ospina",  "Montoya",
    "Ramírez", "Valencia", "Muñoz",    "Londoño", "Castaño",
};
static const char *const ec_given_f[] = {
    "Jessica", "Mishel", "Nicole", "Dayana", "Mayra",
};
static const char *const ec_given_m[] = {
    "Bryan",
    "Steven",
    "Darwin",
    "Jefferson",
};
static const char *const ec_surnames[] = {
    "Guamán",	"Chicaiza", "Andrade",	"Cedeño",
    "Zambrano", "Quishpe",  "Toapanta",
};
static const char *const bo_given_f[] = {
    "Wara", "Sayuri", "Mayra", "Ximena", "Rosa", "Kantuta",
};
static const char *const bo_given_m[] = {
    "Álvaro", "Limbert", "Rolando", "Wilmer", "Edson",
};
static const char *const bo_surnames[] = {
    "Mamani", "Choque",	 "Copa",   "Quispe",
    "Vargas", "Condori", "Ticona", "Apaza",
};

/* A nationality and the names common among its people. */
struct nation {
	const char *code;
	const char *const *given_f;
	size_t n_given_f;
	const char *const *given_m;
	size_t n_given_m;
	const char *const *surnames;
	size_t n_surnames;
	unsigned weight; /* share among victims, per mille */
};

#define NAMES(a) a, NELEM(a)
static const struct nation nations[] = {
    {"PE", NAMES(pe_given_f), NAMES(pe_given_m), NAMES(pe_surnames), 850},
    {"VE", NAMES(ve_given_f), NAMES(ve_given_m), NAMES(ve_surnames), 100},
    {"CO", NAMES(co_given_f), NAMES(co_given_m), NAMES(co_surnames), 25},
    {"EC", NAMES(ec_given_f), NAMES(ec_given_m), NAMES(ec_surnames), 12},
    {"BO", NAMES(bo_given_f), NAMES(bo_given_m), NAMES(bo_surnames), 13},
};
#undef NAMES

enum nation_id { NAT_PE, NAT_VE, NAT_CO, NAT_EC, NAT_BO };

/* INEI departments, weighted towards the trafficking hot spots. */
static const uint8_t regions[] = {15, 16, 17, 21, 8,  7,  4, 20, 24,
				  25, 13, 12, 14, 5,  2,  3, 10, 11,
				  22, 1,  9,  6,  18, 19, 23};
static const unsigned region_w[] = {28, 12, 10, 10, 9, 4, 4, 3, 3, 3, 3, 2, 2,
				    1,	1,  1,	1,  1, 1, 1, 1, 1, 1, 1, 1};

const char *const inst_upper[INST_COUNT + 1] = {"",   "PNP",  "MP",
						"PJ", "MIMP", "MINSA"};

/*
 * rec_new - appends a zeroed record to inst's file and returns it, or NULL
 * when out of memory. The pointer is valid until the next rec_new().
 */
static struct sim_rec *
rec_new(struct sim *s, enum institution inst)
{
	struct sim_file *f = &s->files[inst];
	struct sim_rec *r;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct sim_rec *v = realloc(f->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		f->v = v;
		f->cap = cap;
	}
	r = &f->v[f->n];
	memset(r, 0, sizeof(*r));
	r->seq = (uint32_t)f->n++;
	return r;
}

/* in_window - day, or the sentinel 0 when it falls after the window. */
static int32_t
in_window(const struct sim *s, int32_t day)
{
	return day <= s->end ? day : 0;
}

/*
 * namesake_of - now and then, a Peruvian child with a DNI who shares the
 * names, birth date and sex of one met before, with a DNI of her own: two
 * children the name key alone would take for one. Copies them into v (the
 * victim vi) and returns true, or returns false.
 */
static bool
namesake_of(struct sim *s, struct sim_victim *v, size_t vi)
{
	const struct sim_victim *o;
	size_t oi;
	int tries;

	if (vi == 0 || !rng_chance(&s->rng, 1))
		return false;
	for (tries = 0; tries < 20; tries++) {
		oi = rng_below(&s->rng, (uint32_t)vi);
		o = &s->victims[oi];
		if (o->mode != ID_DOCUMENT || strcmp(o->doc_type, "DNI") != 0 ||
		    o->namesake != 0)
			continue;
		memcpy(v->given, o->given, sizeof(v->given));
		v->n_given = o->n_given;
		memcpy(v->surnames, o->surnames, sizeof(v->surnames));
		v->n_surnames = o->n_surnames;
		v->birth = o->birth;
		v->sex = o->sex;
		v->namesake = oi + 1;
		return true;
	}
	return false;
}

/*
 * gen_victim - invents victim v (number vi) first identified on day t0:
 * document or not, names, birth date, sex, nationality, region and
 * exploitation.
 */
static void
gen_victim(struct sim *s, struct sim_victim *v, size_t vi, int32_t t0)
{
	static const unsigned nat_w[] = {850, 100, 25, 12, 13};
	static const unsigned age_w[] = {3, 12, 70,
					 15}; /* 0-5 6-11 12-17 18+ */
	static const unsigned expl_w[] = {0, 60, 28, 4, 2, 3, 1, 1, 0, 1};
	struct rng *r = &s->rng;
	const struct nation *n;
	size_t nat, band;
	unsigned age, i, doc_pct;
	int y0;
	unsigned m0, d0;
	uint32_t e;

	memset(v, 0, sizeof(*v));
	nat = rng_weighted(r, nat_w, NELEM(nat_w));
	n = &nations[nat];
	v->nationality = n->code;
	v->sex = rng_chance(r, 80) ? 'F' : rng_chance(r, 95) ? 'M' : 'U';

	band = rng_weighted(r, age_w, NELEM(age_w));
	switch (band) {
	case 0:
		age = rng_below(r, 6);
		break;
	case 1:
		age = 6 + rng_below(r, 6);
		break;
	case 2:
		age = 12 + rng_below(r, 6);
		break;
	default:
		age = 18 + rng_below(r, 13);
		break;
	}
	date_to_ymd(t0, &y0, &m0, &d0);
	if (m0 == 2 && d0 == 29)
		d0 = 28;
	v->birth = date_from_ymd(y0 - (int)age, m0, d0) - 1 -
		   (int32_t)rng_below(r, 364);

	/* Names: one or two given names, two surnames (one for some). */
	v->n_given = rng_chance(r, 35) ? 2 : 1;
	for (i = 0; i < v->n_given; i++) {
		do {
			if (v->sex == 'M')
				v->given[i] = n->given_m[rng_below(
				    r, (uint32_t)n->n_given_m)];
			else
				v->given[i] = n->given_f[rng_below(
				    r, (uint32_t)n->n_given_f)];
		} while (i == 1 && v->given[1] == v->given[0]);
	}
	v->n_surnames = nat == NAT_PE || rng_chance(r, 70) ? 2 : 1;
	for (i = 0; i < v->n_surnames; i++)
		v->surnames[i] =
		    n->surnames[rng_below(r, (uint32_t)n->n_surnames)];

	/* Region: mostly the hot spots; migrants along their routes. */
	v->region = regions[rng_weighted(r, region_w, NELEM(region_w))];
	if (nat == NAT_VE && rng_chance(r, 50))
		v->region = rng_chance(r, 80) ? 15 : 24;
	else if (nat == NAT_EC && rng_chance(r, 50))
		v->region = rng_chance(r, 60) ? 24 : 20;
	else if (nat == NAT_BO && rng_chance(r, 60))
		v->region = rng_chance(r, 70) ? 21 : 17;
	else if (nat == NAT_CO && rng_chance(r, 40))
		v->region = 16;

	/* Documents: most Peruvians show a DNI; migrants often nothing. */
	doc_pct = nat == NAT_PE ? 82 : 70;
	if (rng_chance(r, doc_pct)) {
		v->mode = ID_DOCUMENT;
		if (nat == NAT_PE) {
			v->doc_type = "DNI";
			snprintf(v->doc, sizeof(v->doc), "%c%07u",
				 age < 18 ? "6789"[rng_below(r, 4)]
					  : "4567"[rng_below(r, 4)],
				 rng_below(r, 10000000));
			(void)namesake_of(s, v, vi);
		} else if (nat == NAT_VE) {
			static const char *const t[] = {"CE", "PTP", "CPP",
							"PASSPORT"};
			static const unsigned tw[] = {35, 30, 15, 20};

			v->doc_type = t[rng_weighted(r, tw, NELEM(tw))];
			if (strcmp(v->doc_type, "PASSPORT") == 0)
				snprintf(v->doc, sizeof(v->doc), "%09u",
					 100000000 + rng_below(r, 80000000));
			else
				snprintf(v->doc, sizeof(v->doc), "%09u",
					 rng_below(r, 3000000));
		} else {
			v->doc_type = rng_chance(r, 55) ? "PASSPORT" : "CE";
			if (v->doc_type[0] == 'P')
				snprintf(v->doc, sizeof(v->doc), "%c%c%06u",
					 'A' + (int)rng_below(r, 26),
					 'A' + (int)rng_below(r, 26),
					 rng_below(r, 1000000));
			else
				snprintf(v->doc, sizeof(v->doc), "%09u",
					 rng_below(r, 3000000));
		}
	} else if (rng_chance(r, 75)) {
		v->mode = ID_NAME;
	} else {
		/* Age only, perhaps a first name: about 4% of victims. */
		v->mode = ID_AGE_ONLY;
		v->n_surnames = 0;
		v->n_given = rng_chance(r, 50) ? 1 : 0;
		if (rng_chance(r, 30))
			v->nationality = "XX";
	}

	/* Forms of exploitation: one, sometimes two. */
	e = 1u << rng_weighted(r, expl_w, NELEM(expl_w));
	if (rng_chance(r, v->region == 17 || v->region == 21 ? 30 : 12)) {
		if (e == 1u << EXPL_SEXUAL)
			e |= 1u << EXPL_LABOUR;
		else if (e == 1u << EXPL_LABOUR)
			e |= rng_chance(r, 50) ? 1u << EXPL_SEXUAL
					       : 1u << EXPL_DOMESTIC_SERVITUDE;
		else
			e |= 1u << EXPL_SEXUAL;
	}
	v->expl = e;
}

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
	struct sim_rec *r = rec_new(s, inst);

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
 * emit_referral - from refers victim vi to `to` on day; the destination
 * takes it up with probability take_pct, mostly within ten days, some
 * weeks later, never past the window. Sets *ret_taken to the day of the
 * take-up or 0. Returns 0 or -ENOMEM.
 */
static int
emit_referral(struct sim *s, size_t vi, enum institution from,
	      enum institution to, int32_t day, unsigned take_pct,
	      int32_t *ret_taken)
{
	const struct sim_victim *v = &s->victims[vi];
	char number[32];
	struct sim_rec *r;
	int32_t got;

	*ret_taken = 0;
	next_refno(s, from, day, number, sizeof(number));
	if ((r = rec_new(s, from)) == NULL)
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
	if ((got = in_window(s, got)) == 0)
		return 0;
	if ((r = rec_new(s, to)) == NULL)
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

	if (in_window(s, day) == 0)
		return 0;
	if ((r = rec_new(s, inst)) == NULL)
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
 * gen_flow - what happens to victim vi, first identified on day t0: which
 * of pnp, mp, mimp and minsa identify it (one to three), the referrals
 * between them and their take-up, the services, and whether a criminal
 * case follows.
 */
static int
gen_flow(struct sim *s, size_t vi, int32_t t0)
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

	gen_victim(s, v, vi, t0);

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
			day = in_window(s, t0 + (int32_t)rng_below(r, 4));
			if (day == 0)
				continue;
			if (emit_referral(s, vi, first, d, day, 85, &got) < 0)
				return -ENOMEM;
			if (got == 0)
				continue;
			day = in_window(s, got + (int32_t)rng_below(r, 3));
		} else if (in[d]) {
			/* Found on its own, in its own time. */
			day = in_window(s, t0 + 1 + (int32_t)rng_below(r, 90));
		} else {
			/* Referred without being identified there. */
			unsigned pct = d == INST_MIMP	   ? 35
				       : d == INST_MINSA   ? 25
				       : first == INST_PNP ? 20
							   : 0;

			day = in_window(s, t0 + (int32_t)rng_below(r, 6));
			if (day == 0 || !rng_chance(r, pct))
				continue;
			if (emit_referral(s, vi, first, d, day, 55, &got) < 0)
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
		day = in_window(s, seen[INST_MIMP] + 1 +
				       (int32_t)rng_below(r, 10));
		if (day != 0) {
			if (emit_referral(s, vi, INST_MIMP, INST_MINSA, day, 70,
					  &got) < 0)
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

/* ------------------------------------------------------------------ */
/* Cases. */

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

	if ((r = rec_new(s, inst)) == NULL)
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
	if ((day = in_window(s, day)) == 0)
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
		next = in_window(s, day + (int32_t)rng_below(r, 11));
		if (next != 0)
			day = next;
		STAGE(INST_MP, STAGE_COMPLAINT, day);
	}

	/* Preliminary investigation, which some cases skip. */
	if (!rng_chance(r, 85)) {
		next = in_window(s, day + 10 + (int32_t)rng_below(r, 60));
		if (next != 0 && rng_chance(r, 50))
			STAGE(INST_MP, STAGE_DISMISSAL, next);
		return 0;
	}
	if (!rng_chance(r, 10)) {
		if ((day = in_window(s, day + 1 + (int32_t)rng_below(r, 30))) ==
		    0)
			return 0;
		STAGE(INST_MP, STAGE_PRELIMINARY_INVESTIGATION, day);
		if (pnp && rng_chance(r, 20) &&
		    (next = in_window(s, day + (int32_t)rng_below(r, 6))) != 0)
			STAGE(INST_PNP, STAGE_PRELIMINARY_INVESTIGATION, next);
		if (!rng_chance(r, 60)) {
			next =
			    in_window(s, day + 60 + (int32_t)rng_below(r, 200));
			if (next != 0 && rng_chance(r, 70))
				STAGE(INST_MP, STAGE_DISMISSAL, next);
			return 0;
		}
	}

	/* Formalised investigation; a charge may be requalified. */
	if ((day = in_window(s, day + 30 + (int32_t)rng_below(r, 150))) == 0)
		return 0;
	if (strcmp(article, "129-A") == 0 && rng_chance(r, 15))
		article = "129-B";
	p = fewer(r, p);
	STAGE(INST_MP, STAGE_FORMALIZED_INVESTIGATION, day);

	if (!rng_chance(r, 70)) {
		next = in_window(s, day + 90 + (int32_t)rng_below(r, 200));
		if (next != 0 && rng_chance(r, 60))
			STAGE(INST_MP, STAGE_DISMISSAL, next);
		return 0;
	}
	if ((day = in_window(s, day + 60 + (int32_t)rng_below(r, 210))) == 0)
		return 0;
	p = fewer(r, p);
	STAGE(INST_MP, STAGE_ACCUSATION, day);

	/* Trial, and its outcome. */
	if (!rng_chance(r, 85))
		return 0;
	if ((next = in_window(s, day + 30 + (int32_t)rng_below(r, 150))) == 0)
		return 0;
	/* The prosecutor refers the first victim to the court. */
	if (rng_chance(r, 40)) {
		int32_t got;

		if (emit_referral(s, c->victims[0], INST_MP, INST_PJ, day, 80,
				  &got) < 0)
			return -ENOMEM;
	}
	day = next;
	STAGE(INST_PJ, STAGE_TRIAL, day);
	if ((day = in_window(s, day + 1 + (int32_t)rng_below(r, 60))) == 0)
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
 * gen_cases - gathers the victims meant for a criminal case into cases
 * (mostly one victim, some two to four from the same region and weeks)
 * and lets each case run its course.
 */
static int
gen_cases(struct sim *s)
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

/* ------------------------------------------------------------------ */
/* Corrections and withdrawals. */

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
 * add_corrections - about 1% of each file's records turn out to have been
 * entered with a mistake and are corrected later: a wrong date or region,
 * or, for a record about one victim, a mistyped document number (the
 * correction joins two victims the statistics had apart) or another
 * child's identity (the correction splits two they had joined). About
 * 0.5% are withdrawn. The correction carries the true record; the target,
 * as first sent, the mistake.
 */
static int
add_corrections(struct sim *s, enum institution inst)
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
				t->region = regions[rng_below(
				    r, (uint32_t)NELEM(regions))];
			while (t->region == fix.region);
		}
		if ((c = rec_new(s, inst)) == NULL)
			return -ENOMEM;
		t = &f->v[fix.seq]; /* rec_new may have moved the array */
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
		if ((c = rec_new(s, inst)) == NULL)
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

/* ------------------------------------------------------------------ */
/* The run. */

/* cmp_day - qsort order of days. */
static int
cmp_day(const void *a, const void *b)
{
	const int32_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* sim_free - frees what sim_run() allocated in s (s itself is not). */
void
sim_free(struct sim *s)
{
	size_t i;

	for (i = 0; i <= INST_COUNT; i++)
		free(s->files[i].v);
	free(s->victims);
	free(s->cases);
}

/*
 * sim_run - generates the world of n victims from seed into s (which the
 * caller frees with sim_free()). Returns 0 or -ENOMEM.
 */
int
sim_run(struct sim *s, size_t n, uint64_t seed)
{
	int32_t *first = NULL;
	size_t i;
	int k, rc = -ENOMEM;

	memset(s, 0, sizeof(*s));
	s->seed = seed;
	rng_seed(&s->rng, seed);
	s->start = date_from_ymd(2024, 1, 1);
	s->end = date_from_ymd(2025, 12, 31);
	if ((s->victims = calloc(n, sizeof(*s->victims))) == NULL ||
	    (first = calloc(n, sizeof(*first))) == NULL)
		goto out;
	s->n_victims = n;
	/*
	 * Victims in the order they are first met, so that referral and
	 * case numbers grow with the date as they do in an office.
	 */
	for (i = 0; i < n; i++)
		first[i] =
		    s->start +
		    (int32_t)rng_below(&s->rng, (uint32_t)(s->end - s->start));
	qsort(first, n, sizeof(*first), cmp_day);
	for (i = 0; i < n; i++)
		if (gen_flow(s, i, first[i]) < 0)
			goto out;
	if (gen_cases(s) < 0)
		goto out;
	for (k = INST_PNP; k <= INST_MINSA; k++)
		if (add_corrections(s, (enum institution)k) < 0)
			goto out;
	rc = 0;
out:
	free(first);
	return rc;
}
