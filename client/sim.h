/*
 * sim.h - private to "kuska sim" (client/sim*.c and tests/unit/test_sim.c):
 * the simulated world and the calls between its parts. sim_rng.c is the
 * random generator, sim_gen.c invents the victims and runs the world,
 * sim_flow.c their flows between the institutions, sim_case.c the
 * criminal cases, sim_correct.c the corrections and withdrawals,
 * sim_write.c writes the JSON Lines files and sim.c is the command.
 */
#ifndef KUSKA_SIM_H
#define KUSKA_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define SIM_DEFAULT_VICTIMS 1000
#define SIM_MAX_VICTIMS 1000000
#define SIM_CASE_MAX_VICTIMS 4
#define SIM_NAME_MAX 256

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Random numbers (sim_rng.c): splitmix64 seeds xoshiro256**. */

struct rng {
	uint64_t s[4];
};

/* rng_seed - sets r to the stream of seed (any value, zero included). */
void rng_seed(struct rng *r, uint64_t seed);

/* rng_next - the next 64 random bits (xoshiro256**). */
uint64_t rng_next(struct rng *r);

/* rng_below - a uniform value in 0..n-1; n must be at least 1. */
uint32_t rng_below(struct rng *r, uint32_t n);

/* rng_chance - true with probability pct percent. */
bool rng_chance(struct rng *r, unsigned pct);

/*
 * rng_weighted - an index into w[0..n-1] drawn with probability
 * proportional to the weights (at least one non-zero).
 */
size_t rng_weighted(struct rng *r, const unsigned *w, size_t n);

/* ------------------------------------------------------------------ */
/* The simulated world (sim_gen.c). */

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
	size_t namesake; /* 1 + the victim whose name, birth date and sex
			    this one shares (another child), or 0 */
};

struct sim_case {
	char number[32];
	size_t victims[SIM_CASE_MAX_VICTIMS];
	unsigned n_victims;
	uint8_t region;
	int32_t open; /* earliest day a victim was seen by pnp or mp */
};

/* What a record corrected later got wrong when first sent. */
enum mistake {
	MISTAKE_NONE = 0,
	MISTAKE_DATE,	/* a few days off */
	MISTAKE_REGION, /* another department */
	MISTAKE_DOC,	/* the document number mistyped: another child to
			   the statistics, until the correction joins them */
	MISTAKE_VICTIM, /* another child's record: the victims are joined
			   until the correction splits them */
};

/*
 * One line of a file. A correction carries the full replacement in the
 * same fields (wrap = KIND_CORRECTION), a withdrawal only its target.
 */
struct sim_rec {
	enum kind wrap;	      /* KIND_NONE, KIND_CORRECTION, KIND_WITHDRAWAL */
	enum kind kind;	      /* the kind of the record (or replacement) */
	int32_t date;	      /* the record's date */
	int32_t sort_date;    /* where the line goes in the file */
	uint32_t seq;	      /* creation order within the file */
	uint32_t target;      /* CORRECTION, WITHDRAWAL: seq of the target */
	int fate;	      /* 1 corrected, 2 withdrawn: not a target again */
	enum mistake mistake; /* a target as first sent: what is wrong */
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

/* "PNP", "MP", ...: indexed by institution. */
extern const char *const inst_upper[INST_COUNT + 1];

/*
 * sim_run - generates the world of n victims from seed into s (which the
 * caller frees with sim_free()). Returns 0 or -ENOMEM.
 */
int sim_run(struct sim *s, size_t n, uint64_t seed);

/* sim_free - frees what sim_run() allocated in s (s itself is not). */
void sim_free(struct sim *s);

/* The world's parts, called by one another (sim_gen.c unless said). */

#define SIM_REGIONS 25
/* INEI departments, weighted towards the trafficking hot spots. */
extern const uint8_t sim_regions[SIM_REGIONS];

/* sim_rec_new - appends a zeroed record to inst's file; NULL: ENOMEM.
 * The pointer is valid until the next sim_rec_new(). */
struct sim_rec *sim_rec_new(struct sim *s, enum institution inst);

/* sim_in_window - day, or the sentinel 0 when it falls after the window. */
int32_t sim_in_window(const struct sim *s, int32_t day);

/* sim_gen_victim - invents victim v (number vi) first identified on t0. */
void sim_gen_victim(struct sim *s, struct sim_victim *v, size_t vi, int32_t t0);

/* sim_gen_flow - victim vi, first identified on t0, and what happens to
 * her between the institutions (sim_flow.c). Returns 0 or -ENOMEM. */
int sim_gen_flow(struct sim *s, size_t vi, int32_t t0);

/* sim_emit_referral - from refers victim vi to `to` on day, taken up with
 * probability take_pct on *ret_taken (or 0) (sim_flow.c). Returns 0 or
 * -ENOMEM. */
int sim_emit_referral(struct sim *s, size_t vi, enum institution from,
		      enum institution to, int32_t day, unsigned take_pct,
		      int32_t *ret_taken);

/* sim_gen_cases - the victims meant for a case gathered into cases, and
 * each case's stages (sim_case.c). Returns 0 or -ENOMEM. */
int sim_gen_cases(struct sim *s);

/* sim_unnamed_cases - some cases' court records, or police complaint,
 * under a number written otherwise: cases no complaint names
 * (sim_case.c). Returns 0 or -ENOMEM. */
int sim_unnamed_cases(struct sim *s);

/* sim_add_corrections - some of inst's records corrected or withdrawn
 * (sim_correct.c). Returns 0 or -ENOMEM. */
int sim_add_corrections(struct sim *s, enum institution inst);

/* ------------------------------------------------------------------ */
/* Writing (sim_write.c). */

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
	bool omit_doc;	 /* the document not recorded (kept 60-90%) */
};

/* style_of - the way inst writes victim vi, fixed for the pair. */
void style_of(const struct sim *s, size_t vi, enum institution inst,
	      struct style *st);

/* put_names - n names joined by sep (' ', '-' or 2 for two spaces). */
void put_names(char *out, size_t cap, const char *const *names, unsigned n,
	       int sep, const struct style *st);

/*
 * write_file - sorts inst's records by day (creation order within a day),
 * numbers their refs and writes them to dir/<inst>.jsonl through a
 * temporary file renamed into place. Returns 0 or -errno (logged).
 */
int write_file(struct sim *s, enum institution inst, const char *dir);

/*
 * write_truth - what a perfect linker would count, from the sim's own
 * knowledge of who is who: for every year, semester and quarter of the
 * window, the distinct victims with a live identification (as corrected)
 * dated in it, per institution and in all, as the CSV of `kuska query
 * identification` with one more column, keyed_victims: those of them
 * with such an identification written with a match key. Writes path
 * through a temporary file renamed into place. Returns 0 or -errno
 * (logged).
 */
int write_truth(const struct sim *s, const char *path);

#endif
