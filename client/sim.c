/*
 * sim.c - "kuska sim": a deterministic generator of realistic case events
 * for the five institutions, written as the JSON Lines a case system hands
 * to "kuska submit" (one file per institution). See docs/SIM.md.
 *
 * Everything comes from one seeded xoshiro256** generator, and every date
 * lies in 2024-01-01..2025-12-31, so identical arguments give identical
 * bytes on any day. The people are invented; names are drawn from lists of
 * common Peruvian (Spanish, Quechua, Aymara, Amazonian), Venezuelan,
 * Colombian, Ecuadorian and Bolivian names.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "date.h"
#include "event.h"
#include "log.h"

#define SIM_DEFAULT_VICTIMS 1000
#define SIM_MAX_VICTIMS 1000000
#define SIM_CASE_MAX_VICTIMS 4
#define SIM_NAME_MAX 256

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 seeds xoshiro256**. */

struct rng {
	uint64_t s[4];
};

/* splitmix64 - advances *x and returns the next well-mixed value. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* rng_seed - sets r to the stream of seed (any value, zero included). */
static void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

/* rotl - x rotated left by k bits (0 < k < 64). */
static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* rng_next - the next 64 random bits (xoshiro256**). */
static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* rng_below - a uniform value in 0..n-1; n must be at least 1. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = rng_next(r);
	while (x >= limit);
	return (uint32_t)(x % n);
}

/* rng_chance - true with probability pct percent. */
static bool
rng_chance(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/*
 * rng_weighted - an index into w[0..n-1] drawn with probability
 * proportional to the weights (at least one non-zero).
 */
static size_t
rng_weighted(struct rng *r, const unsigned *w, size_t n)
{
	unsigned total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += w[i];
	x = rng_below(r, total);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Names, places and the words of EVENTS.md. */

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

static const char *const inst_id[] = {"", "pnp", "mp", "pj", "mimp", "minsa"};
static const char *const inst_upper[] = {"",   "PNP",  "MP",
					 "PJ", "MIMP", "MINSA"};
static const char *const kind_word[] = {
    "",	       "identification", "referral",   "referral_received",
    "service", "case_stage",	 "correction", "withdrawal",
};
static const char *const expl_word[] = {
    "",
    "sexual",
    "labour",
    "begging",
    "forced_criminality",
    "domestic_servitude",
    "forced_marriage",
    "illegal_adoption",
    "organ_removal",
    "other",
};
static const char *const purpose_word[] = {"", "protection", "health",
					   "justice"};
static const char *const service_word[] = {
    "",	       "residential_care", "special_protection", "mental_health",
    "medical", "legal_aid",	   "reintegration",
};
static const char *const stage_word[] = {
    "",
    "complaint",
    "preliminary_investigation",
    "formalized_investigation",
    "accusation",
    "trial",
    "conviction",
    "acquittal",
    "dismissal",
};

/* ------------------------------------------------------------------ */
/* The simulated world. */

enum id_mode {
	ID_DOCUMENT, /* linked by document */
	ID_NAME,     /* no document: names, birth date and sex */
	ID_AGE_ONLY, /* neither: unlinkable */
};

struct sim_victim {
	enum id_mode mode;
	const char *doc_type; /* ID_DOCUMENT: "DNI", "CE", ... */
	char doc[16];	      /* ID_DOCUMENT: the number as issued */
	const char *given[2];
	unsigned n_given;
	const char *surnames[2];
	unsigned n_surnames;
	int32_t birth; /* always known here; written unless ID_AGE_ONLY */
	char sex;      /* 'F', 'M' or 'U' */
	const char *nationality;
	uint8_t region;
	uint32_t expl;	   /* bits (1 << enum exploitation) */
	int32_t case_open; /* first day seen by pnp or mp, if a case follows */
	bool by_pnp;	   /* pnp identified the victim */
	bool in_case;
};

struct sim_case {
	char number[32];
	size_t victims[SIM_CASE_MAX_VICTIMS];
	unsigned n_victims;
	uint8_t region;
	int32_t open; /* earliest day a victim was seen by pnp or mp */
};

/*
 * One line of a file. A correction carries the full replacement in the
 * same fields (wrap = KIND_CORRECTION), a withdrawal only its target.
 */
struct sim_rec {
	enum kind wrap;	   /* KIND_NONE, KIND_CORRECTION, KIND_WITHDRAWAL */
	enum kind kind;	   /* the kind of the record (or replacement) */
	int32_t date;	   /* the record's date */
	int32_t sort_date; /* where the line goes in the file */
	uint32_t seq;	   /* creation order within the file */
	uint32_t target;   /* CORRECTION, WITHDRAWAL: seq of the target */
	int fate;	   /* 1 corrected, 2 withdrawn: not a target again */
	uint8_t region;
	size_t victim;		/* all kinds but CASE_STAGE */
	uint32_t expl;		/* IDENTIFICATION */
	enum institution other; /* REFERRAL: to; REFERRAL_RECEIVED: from */
	enum purpose purpose;
	char number[40]; /* referral number as written */
	enum service service;
	size_t case_idx; /* CASE_STAGE */
	enum stage stage;
	uint32_t persons;
	char article[8];
	bool with_victims;
	char ref[24];
};

struct sim_file {
	struct sim_rec *v;
	size_t n, cap;
};

struct sim {
	struct rng rng;
	uint64_t seed;
	int32_t start, end; /* 2024-01-01, 2025-12-31 */
	struct sim_victim *victims;
	size_t n_victims;
	struct sim_case *cases;
	size_t n_cases, cap_cases;
	struct sim_file files[INST_COUNT + 1];
	unsigned refno[INST_COUNT + 1][2]; /* per sender and year */
	unsigned caseno[2];		   /* per year */
};

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
 * gen_victim - invents victim v first identified on day t0: document or
 * not, names, birth date, sex, nationality, region and exploitation.
 */
static void
gen_victim(struct sim *s, struct sim_victim *v, int32_t t0)
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

	gen_victim(s, v, t0);

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
 * add_corrections - about 1% of each file's records turn out to have been
 * entered with a wrong date or region and are corrected later; about 0.5%
 * are withdrawn. The correction carries the true record; the target, as
 * first sent, the mistake.
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
		if (rng_chance(r, 60)) {
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
		} else {
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
/* Writing: each institution spells the same victim its own way. */

enum letter_case { CASE_AS_IS, CASE_UPPER, CASE_LOWER };

/* How one institution writes one victim. */
struct style {
	enum letter_case lcase;
	bool strip_accents;
	int surname_sep; /* ' ', '-' or 2 for two spaces */
	int apostrophe;	 /* '\'', 0 dropped, or 1 for U+2019 */
	int doc_sep;	 /* 0, ' ' or '-' inside a DNI */
	bool lower_doc;	 /* letters of a passport number in lower case */
	bool trailing;	 /* a stray trailing space after the names */
	bool omit_names; /* document holders: names not recorded */
	bool omit_birth; /* document holders: only the age recorded */
};

/*
 * style_of - the way inst writes victim vi: fixed for the pair, whatever
 * the order the records are written in.
 */
static void
style_of(const struct sim *s, size_t vi, enum institution inst,
	 struct style *st)
{
	static const unsigned upper_pct[] = {0, 70, 50, 60, 20, 30};
	struct rng r;
	unsigned x;

	rng_seed(&r, s->seed ^ (0x51ed27a1b3c4d5e7ULL * (vi + 1)) ^
			 ((uint64_t)inst << 56));
	memset(st, 0, sizeof(*st));
	st->lcase = rng_chance(&r, upper_pct[inst]) ? CASE_UPPER
		    : rng_chance(&r, 8)		    ? CASE_LOWER
						    : CASE_AS_IS;
	st->strip_accents = rng_chance(&r, st->lcase == CASE_UPPER ? 50 : 15);
	x = rng_below(&r, 100);
	st->surname_sep = x < 80 ? ' ' : x < 90 ? '-' : 2;
	x = rng_below(&r, 100);
	st->apostrophe = x < 70 ? '\'' : x < 90 ? 0 : 1;
	x = rng_below(&r, 100);
	st->doc_sep = x < 85 ? 0 : x < 93 ? ' ' : '-';
	st->lower_doc = rng_chance(&r, 10);
	st->trailing = rng_chance(&r, 5);
	st->omit_names = rng_chance(&r, 4);
	st->omit_birth = rng_chance(&r, 10);
}

/* Appends byte c to out (cap bytes, *len used), keeping room for NUL. */
static void
put(char *out, size_t cap, size_t *len, char c)
{
	if (*len + 1 < cap)
		out[(*len)++] = c;
	out[*len] = '\0';
}

/*
 * accent_base - the plain ASCII letter of the Latin-1 letter whose UTF-8
 * second byte (after 0xC3) is b, or 0 when b is not one we strip.
 */
static char
accent_base(unsigned char b)
{
	static const char map[] = "AAAAAAACEEEEIIII"
				  "DNOOOOO_OUUUUY__"
				  "aaaaaaaceeeeiiii"
				  "dnooooo_ouuuuy_y";

	if (b < 0x80 || b > 0xbf || map[b - 0x80] == '_')
		return 0;
	return map[b - 0x80];
}

/*
 * put_name - appends name to out spelt in style st: letter case, accents
 * kept or dropped, apostrophe as typed. Only changes that normalisation
 * undoes, so the link key stays the same.
 */
static void
put_name(char *out, size_t cap, size_t *len, const char *name,
	 const struct style *st)
{
	const unsigned char *p = (const unsigned char *)name;

	for (; *p != '\0'; p++) {
		if (*p == '\'') {
			if (st->apostrophe == '\'') {
				put(out, cap, len, '\'');
			} else if (st->apostrophe == 1) {
				put(out, cap, len, (char)0xe2);
				put(out, cap, len, (char)0x80);
				put(out, cap, len, (char)0x99);
			}
		} else if (*p == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf) {
			unsigned char b = p[1];

			p++;
			if (st->strip_accents && accent_base(b) != 0) {
				char a = accent_base(b);

				if (st->lcase == CASE_UPPER && a >= 'a')
					a = (char)(a - 'a' + 'A');
				else if (st->lcase == CASE_LOWER && a < 'a')
					a = (char)(a - 'A' + 'a');
				put(out, cap, len, a);
				continue;
			}
			/* Latin-1 letters: lower 0xa0..0xbe, upper -0x20. */
			if (st->lcase == CASE_UPPER && b >= 0xa0 && b != 0xb7 &&
			    b != 0xbf)
				b = (unsigned char)(b - 0x20);
			else if (st->lcase == CASE_LOWER && b < 0xa0 &&
				 b != 0x97)
				b = (unsigned char)(b + 0x20);
			put(out, cap, len, (char)0xc3);
			put(out, cap, len, (char)b);
		} else if (st->lcase == CASE_UPPER && *p >= 'a' && *p <= 'z') {
			put(out, cap, len, (char)(*p - 'a' + 'A'));
		} else if (st->lcase == CASE_LOWER && *p >= 'A' && *p <= 'Z') {
			put(out, cap, len, (char)(*p - 'A' + 'a'));
		} else {
			put(out, cap, len, (char)*p);
		}
	}
}

/* put_names - n names joined by sep (' ', '-' or 2 for two spaces). */
static void
put_names(char *out, size_t cap, const char *const *names, unsigned n, int sep,
	  const struct style *st)
{
	size_t len = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			put(out, cap, &len, sep == 2 ? ' ' : (char)sep);
			if (sep == 2)
				put(out, cap, &len, ' ');
		}
		put_name(out, cap, &len, names[i], st);
	}
	if (st->trailing && len > 0)
		put(out, cap, &len, ' ');
}

/* json_str - writes s as a JSON string, escaping what JSON requires. */
static void
json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* json_key - writes ,"key": (no comma before the first key). */
static void
json_key(FILE *f, const char *key, bool *first)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	json_str(f, key);
	fputc(':', f);
}

/*
 * write_victim - victim vi as inst records it on day: document and names
 * in inst's spelling, the birth date (or only the age), sex, nationality.
 */
static void
write_victim(FILE *f, const struct sim *s, size_t vi, enum institution inst,
	     int32_t day)
{
	const struct sim_victim *v = &s->victims[vi];
	char buf[SIM_NAME_MAX], date[11];
	struct style st;
	bool first = true;

	style_of(s, vi, inst, &st);
	fputc('{', f);
	if (v->mode == ID_DOCUMENT) {
		size_t len = 0;
		const char *p;

		buf[0] = '\0';
		for (p = v->doc; *p != '\0'; p++) {
			if (strcmp(v->doc_type, "DNI") == 0 && st.doc_sep &&
			    p - v->doc == 4)
				put(buf, sizeof(buf), &len, (char)st.doc_sep);
			put(buf, sizeof(buf), &len,
			    st.lower_doc && *p >= 'A' && *p <= 'Z'
				? (char)(*p - 'A' + 'a')
				: *p);
		}
		json_key(f, "document", &first);
		fputs("{\"type\":", f);
		json_str(f, v->doc_type);
		fputs(",\"number\":", f);
		json_str(f, buf);
		fputc('}', f);
	}
	if (!(v->mode == ID_DOCUMENT && st.omit_names)) {
		if (v->n_given > 0) {
			put_names(buf, sizeof(buf), v->given, v->n_given, ' ',
				  &st);
			json_key(f, "given_names", &first);
			json_str(f, buf);
		}
		if (v->n_surnames > 0) {
			put_names(buf, sizeof(buf), v->surnames, v->n_surnames,
				  st.surname_sep, &st);
			json_key(f, "surnames", &first);
			json_str(f, buf);
		}
	}
	if (v->mode == ID_NAME || (v->mode == ID_DOCUMENT && !st.omit_birth)) {
		json_key(f, "birth_date", &first);
		json_str(f, date_format(v->birth, date));
	} else {
		json_key(f, "age", &first);
		fprintf(f, "%d", date_age_years(v->birth, day));
	}
	json_key(f, "sex", &first);
	fprintf(f, "\"%c\"", v->sex);
	json_key(f, "nationality", &first);
	json_str(f, v->nationality);
	fputc('}', f);
}

/* write_body - the kind, date, region and fields of rec, no braces. */
static void
write_body(FILE *f, const struct sim *s, enum institution inst,
	   const struct sim_rec *rec, const char *ref)
{
	char date[11];
	unsigned i;

	fputs("\"kind\":", f);
	json_str(f, kind_word[rec->kind]);
	if (ref != NULL) {
		fputs(",\"ref\":", f);
		json_str(f, ref);
	}
	fprintf(f, ",\"date\":\"%s\",\"region\":\"%02u\"",
		date_format(rec->date, date), rec->region);
	switch (rec->kind) {
	case KIND_IDENTIFICATION:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date);
		fputs(",\"exploitation\":[", f);
		for (i = 1; i < NELEM(expl_word); i++)
			if (rec->expl & (1u << i))
				fprintf(f, "%s\"%s\"",
					(rec->expl & ((1u << i) - 1)) ? ","
								      : "",
					expl_word[i]);
		fputc(']', f);
		break;
	case KIND_REFERRAL:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date);
		fprintf(f, ",\"to\":\"%s\",\"purpose\":\"%s\"",
			inst_id[rec->other], purpose_word[rec->purpose]);
		fputs(",\"referral_number\":", f);
		json_str(f, rec->number);
		break;
	case KIND_REFERRAL_RECEIVED:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date);
		fprintf(f, ",\"from\":\"%s\"", inst_id[rec->other]);
		fputs(",\"referral_number\":", f);
		json_str(f, rec->number);
		break;
	case KIND_SERVICE:
		fputs(",\"victim\":", f);
		write_victim(f, s, rec->victim, inst, rec->date);
		fprintf(f, ",\"service\":\"%s\"", service_word[rec->service]);
		break;
	case KIND_CASE_STAGE: {
		const struct sim_case *c = &s->cases[rec->case_idx];

		fputs(",\"case_number\":", f);
		json_str(f, rec->number);
		fprintf(f, ",\"stage\":\"%s\",\"victims\":[",
			stage_word[rec->stage]);
		for (i = 0; rec->with_victims && i < c->n_victims; i++) {
			if (i > 0)
				fputc(',', f);
			write_victim(f, s, c->victims[i], inst, rec->date);
		}
		fprintf(f, "],\"persons\":%u,\"article\":", rec->persons);
		json_str(f, rec->article);
		break;
	}
	default:
		break;
	}
}

/* cmp_day - qsort order of days. */
static int
cmp_day(const void *a, const void *b)
{
	const int32_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* cmp_rec - qsort order of records: by sort_date, then creation. */
static int
cmp_rec(const void *a, const void *b)
{
	const struct sim_rec *x = a, *y = b;

	if (x->sort_date != y->sort_date)
		return x->sort_date < y->sort_date ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * write_file - sorts inst's records by day (creation order within a day),
 * numbers their refs and writes them to dir/<inst>.jsonl through a
 * temporary file renamed into place. Returns 0 or -errno (logged).
 */
static int
write_file(struct sim *s, enum institution inst, const char *dir)
{
	struct sim_file *f = &s->files[inst];
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t *pos = NULL, i;
	FILE *out = NULL;
	int rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.jsonl", dir,
			     inst_id[inst]) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.jsonl.tmp", dir,
			     inst_id[inst]) >= sizeof(tmp)) {
		log_warnx("sim: output directory name too long");
		return -ENAMETOOLONG;
	}
	if (f->n > 0)
		qsort(f->v, f->n, sizeof(*f->v), cmp_rec);
	if ((pos = calloc(f->n + 1, sizeof(*pos))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		pos[f->v[i].seq] = i;
		snprintf(f->v[i].ref, sizeof(f->v[i].ref), "%s-%06zu",
			 inst_upper[inst], i + 1);
	}
	if ((out = fopen(tmp, "w")) == NULL) {
		rc = -errno;
		log_warn("sim: %s", tmp);
		goto out;
	}
	for (i = 0; i < f->n; i++) {
		const struct sim_rec *rec = &f->v[i];

		if (rec->wrap == KIND_NONE) {
			fputc('{', out);
			write_body(out, s, inst, rec, rec->ref);
			fputs("}\n", out);
			continue;
		}
		fprintf(out,
			"{\"kind\":\"%s\",\"ref\":\"%s\","
			"\"target_ref\":\"%s\"",
			kind_word[rec->wrap], rec->ref,
			f->v[pos[rec->target]].ref);
		if (rec->wrap == KIND_CORRECTION) {
			fputs(",\"record\":{", out);
			write_body(out, s, inst, rec, NULL);
			fputc('}', out);
		}
		fputs("}\n", out);
	}
	if (ferror(out) || fflush(out) != 0) {
		rc = -EIO;
		log_warnx("sim: %s: write error", tmp);
		goto out;
	}
	if (fclose(out) != 0) {
		out = NULL;
		rc = -errno;
		log_warn("sim: %s", tmp);
		goto out;
	}
	out = NULL;
	if (rename(tmp, path) != 0) {
		rc = -errno;
		log_warn("sim: rename %s", path);
	}
out:
	if (out != NULL)
		fclose(out);
	if (rc < 0)
		unlink(tmp);
	free(pos);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The command. */

/* make_dirs - mkdir -p dir (mode 0755). Returns 0 or -errno. */
static int
make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -errno;
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}

/* sim_free - frees what sim_run() allocated in s (s itself is not). */
static void
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
static int
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

/* usage - prints the synopsis on stderr. */
static void
usage(void)
{
	fprintf(stderr, "usage: kuska sim --out DIR [--victims N] "
			"[--seed S]\n");
}

/*
 * opt_value - the value of option name at argv[*i], given as "--name=V"
 * or "--name V" (then *i moves past V); NULL if argv[*i] is not name.
 */
static const char *
opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] != '\0' || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* parse_u64 - a whole decimal number in 0..max. Returns 0 or -EINVAL. */
static int
parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
cmd_sim(int argc, char **argv)
{
	const char *dir = NULL, *val;
	uint64_t victims = SIM_DEFAULT_VICTIMS, seed = 1;
	size_t total = 0;
	struct sim s;
	int i, k, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		}
		if ((val = opt_value(argc, argv, &i, "--out")) != NULL) {
			dir = val;
		} else if ((val = opt_value(argc, argv, &i, "--victims")) !=
			   NULL) {
			if (parse_u64(val, SIM_MAX_VICTIMS, &victims) < 0 ||
			    victims == 0) {
				fprintf(stderr,
					"kuska sim: --victims: a whole "
					"number from 1 to %d\n",
					SIM_MAX_VICTIMS);
				return 2;
			}
		} else if ((val = opt_value(argc, argv, &i, "--seed")) !=
			   NULL) {
			if (parse_u64(val, UINT64_MAX, &seed) < 0) {
				fprintf(stderr, "kuska sim: --seed: a whole "
						"number\n");
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (dir == NULL || *dir == '\0') {
		usage();
		return 2;
	}
	if ((rc = make_dirs(dir)) < 0) {
		errno = -rc;
		log_warn("sim: %s", dir);
		return 1;
	}
	if (sim_run(&s, (size_t)victims, seed) < 0) {
		log_warnx("sim: out of memory");
		sim_free(&s);
		return 1;
	}
	for (k = INST_PNP; k <= INST_MINSA; k++) {
		if (write_file(&s, (enum institution)k, dir) < 0) {
			sim_free(&s);
			return 1;
		}
		total += s.files[k].n;
	}
	printf("sim: %llu victims, seed %llu: %s/{pnp,mp,pj,mimp,minsa}.jsonl "
	       "with pnp %zu, mp %zu, pj %zu, mimp %zu, minsa %zu records "
	       "(%zu in all)\n",
	       (unsigned long long)victims, (unsigned long long)seed, dir,
	       s.files[INST_PNP].n, s.files[INST_MP].n, s.files[INST_PJ].n,
	       s.files[INST_MIMP].n, s.files[INST_MINSA].n, total);
	sim_free(&s);
	return 0;
}
