/*
 * sim_gen.c - the world of "kuska sim": its people and places, the
 * victims, the files' records, and the run that draws them all from the
 * one seeded generator: victims and their flows (sim_flow.c), criminal
 * cases (sim_case.c), corrections and withdrawals (sim_correct.c).
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
const uint8_t sim_regions[SIM_REGIONS] = {15, 16, 17, 21, 8,  7,  4, 20, 24,
					  25, 13, 12, 14, 5,  2,  3, 10, 11,
					  22, 1,  9,  6,  18, 19, 23};
static const unsigned region_w[] = {28, 12, 10, 10, 9, 4, 4, 3, 3, 3, 3, 2, 2,
				    1,	1,  1,	1,  1, 1, 1, 1, 1, 1, 1, 1};

const char *const inst_upper[INST_COUNT + 1] = {"",   "PNP",  "MP",
						"PJ", "MIMP", "MINSA"};

/*
 * sim_rec_new - appends a zeroed record to inst's file and returns it, or NULL
 * when out of memory. The pointer is valid until the next sim_rec_new().
 */
struct sim_rec *
sim_rec_new(struct sim *s, enum institution inst)
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

/* sim_in_window - day, or the sentinel 0 when it falls after the window. */
int32_t
sim_in_window(const struct sim *s, int32_t day)
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
 * sim_gen_victim - invents victim v (number vi) first identified on day t0:
 * document or not, names, birth date, sex, nationality, region and
 * exploitation.
 */
void
sim_gen_victim(struct sim *s, struct sim_victim *v, size_t vi, int32_t t0)
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
	v->region = sim_regions[rng_weighted(r, region_w, NELEM(region_w))];
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
		if (sim_gen_flow(s, i, first[i]) < 0)
			goto out;
	if (sim_gen_cases(s) < 0 || sim_unnamed_cases(s) < 0)
		goto out;
	for (k = INST_PNP; k <= INST_MINSA; k++)
		if (sim_add_corrections(s, (enum institution)k) < 0)
			goto out;
	rc = 0;
out:
	free(first);
	return rc;
}
