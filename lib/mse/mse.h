/*
 * mse.h - multiple-systems estimation: how many victims no list saw.
 *
 * The whole API of libkuska_mse. It follows R's SparseMSE 2.0.1 (Chan,
 * Silverman and Vincent, 2019): a Poisson log-linear model over the
 * 2^K - 1 capture histories of K lists, with an intercept, a main effect
 * per list and chosen two-list interactions; an interaction between two
 * lists that never overlap sits at minus infinity and the histories
 * holding both leave the fit. docs/ESTIMATION.md explains the method.
 *
 * Usage: fill a struct mse_table (mse_table_init, mse_table_set, or
 * mse_csv_parse), then call mse_estimate for the main-effects and the
 * stepwise models and, when wanted, mse_bootstrap; format the results
 * with mse_format_*. Every call is reentrant: no call keeps state between
 * calls, results are plain values the caller owns, and no pointer into
 * the library outlives the call that returned it. Calls may run on
 * several threads at once (GLPK keeps its environment per thread).
 *
 * Errors: calls return 0 or a negative errno. A table for which no
 * estimate exists is not an error: the call returns 0 and the result
 * says why (status and reason). GSL's abort-on-error handler is switched
 * off for the whole process the first time the library runs.
 */
#ifndef KUSKA_MSE_H
#define KUSKA_MSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSE_MAX_LISTS 10 /* 1023 histories, 45 interactions */
#define MSE_MAX_HISTORIES (1u << MSE_MAX_LISTS)
#define MSE_MAX_PAIRS (MSE_MAX_LISTS * (MSE_MAX_LISTS - 1) / 2)
#define MSE_NAME_MAX 32		    /* bytes of a list name */
#define MSE_MAX_COUNT 1000000000ULL /* a cell, and the observed total */
#define MSE_PTHRESH 0.02	    /* stepwise: add a pair while p < this */
#define MSE_MAX_BOOT 100000	    /* resamples of one bootstrap */
#define MSE_REASON_MAX 256	    /* bytes of a reason, with its NUL */

/*
 * A capture-history table. count[h] is the number of cases seen by
 * exactly the lists whose bits are set in h (bit i = list i); count[0],
 * the cases no list saw, is what is estimated and stays 0. Histories not
 * set are 0. A plain value: copy it, keep it on the stack (9 KiB).
 */
struct mse_table {
	unsigned k;				     /* lists, 1..10 */
	char names[MSE_MAX_LISTS][MSE_NAME_MAX + 1]; /* NUL-terminated */
	uint64_t count[MSE_MAX_HISTORIES];
};

/*
 * mse_name_valid - whether s (len bytes) can name a list: 1 to 32 of
 * A-Z a-z 0-9 _ . - (names appear in "A:B" and "A+B" and in CSV cells).
 */
bool mse_name_valid(const char *s, size_t len);

/*
 * mse_table_init - an empty table of k lists (1 <= k <= MSE_MAX_LISTS)
 * named names[0..k-1]. Returns 0, or -EINVAL (k out of range, a name
 * not mse_name_valid, two names equal) leaving *ret untouched.
 */
int mse_table_init(struct mse_table *ret, unsigned k, const char *const *names)
    __attribute__((warn_unused_result));

/*
 * mse_table_set - sets the count of history h (1 <= h < 2^k). Returns 0,
 * -EINVAL for h out of range, or -ERANGE when count, or the table's
 * total with it, would pass MSE_MAX_COUNT (the table is then unchanged).
 */
int mse_table_set(struct mse_table *t, unsigned h, uint64_t count)
    __attribute__((warn_unused_result));

/* mse_table_observed - the cases some list saw: the sum of the counts. */
uint64_t mse_table_observed(const struct mse_table *t);

/* mse_table_multiple - the cases seen by two lists or more. */
uint64_t mse_table_multiple(const struct mse_table *t);

/* mse_table_overlap - cases seen by both list a and list b (a != b). */
uint64_t mse_table_overlap(const struct mse_table *t, unsigned a, unsigned b);

/*
 * mse_table_drop_empty - copies t into *ret without the lists that saw
 * no case (their histories all hold 0, so the copy has the same cases).
 * Returns the number of lists dropped. ret may equal t.
 */
unsigned mse_table_drop_empty(const struct mse_table *t, struct mse_table *ret);

/*
 * Two-list interactions are numbered as SparseMSE orders them: (0,1),
 * (0,2), ..., (0,k-1), (1,2), ... A set of them is a bit mask over those
 * numbers (at most 45 pairs, so a uint64_t).
 */
unsigned mse_pair_count(unsigned k);
/* mse_pair_index - the number of pair (a, b), a != b, both < k. */
unsigned mse_pair_index(unsigned k, unsigned a, unsigned b);
/* mse_pair_lists - the two lists (a < b) of pair number p. */
void mse_pair_lists(unsigned k, unsigned p, unsigned *ret_a, unsigned *ret_b);

/* Check results, as SparseMSE's checkident error code. */
#define MSE_CHECK_NOT_EXIST 1u	      /* the LP: no finite (extended) MLE */
#define MSE_CHECK_NOT_IDENTIFIABLE 2u /* the design is rank-deficient */

/*
 * mse_check - SparseMSE's checkident for the model made of the main
 * effects and the pairs in mask: *ret_flags gets 0 when the maximum-
 * likelihood estimate exists and is identifiable, else an OR of the
 * MSE_CHECK_* flags. Returns 0, -EINVAL (k < 2, a pair >= mse_pair_count)
 * or -ENOMEM.
 */
int mse_check(const struct mse_table *t, uint64_t mask, unsigned *ret_flags)
    __attribute__((warn_unused_result));

enum mse_method {
	MSE_MAIN,     /* main effects only */
	MSE_STEPWISE, /* SparseMSE's stepwisefit, threshold MSE_PTHRESH */
	MSE_FIXED,    /* given interactions (mse_estimate_fixed) */
};

enum mse_status {
	MSE_ESTIMATED = 0,
	MSE_TOO_FEW_LISTS,    /* k < 2 */
	MSE_NO_CASES,	      /* every count is 0 */
	MSE_NOT_EXIST,	      /* the model fails the existence check */
	MSE_NOT_IDENTIFIABLE, /* the model fails the rank check */
	MSE_NO_CONVERGENCE,   /* the Poisson fit did not converge */
	MSE_ONE_SIDED,	      /* bootstrap: every resample on one side */
};

/*
 * One population estimate. When status is not MSE_ESTIMATED the figures
 * are 0 and reason says in a sentence why there is none.
 */
struct mse_estimate {
	enum mse_method method;
	enum mse_status status;
	unsigned n_pairs;	      /* interactions in the model */
	uint8_t pairs[MSE_MAX_PAIRS]; /* their numbers, in the order added */
	uint64_t empty;		     /* mask: those whose lists never overlap */
	uint64_t observed;	     /* cases some list saw */
	double dark;		     /* cases no list saw: exp(intercept) */
	double estimate;	     /* observed + dark */
	double low95, high95;	     /* model-conditional 95% interval */
	double log_dark_se;	     /* standard error of the intercept */
	char reason[MSE_REASON_MAX]; /* "" when estimated */
};

/*
 * mse_estimate - fits the main-effects model (MSE_MAIN) or chooses one
 * stepwise (MSE_STEPWISE) and estimates the total population with its
 * model-conditional interval: SparseMSE's estimatepopulation.0, which
 * takes the intercept as normal with its estimated variance, so the
 * interval is observed + exp(intercept -/+ 1.96 se). When the
 * main-effects model fails the checks, both methods give no estimate
 * and say why (SparseMSE's stepwisefit would fit it unchecked). Returns
 * 0 with *ret filled (estimate or reason), -EINVAL (method MSE_FIXED or
 * unknown) or -ENOMEM (then *ret is untouched).
 */
int mse_estimate(const struct mse_table *t, enum mse_method method,
		 struct mse_estimate *ret) __attribute__((warn_unused_result));

/*
 * mse_estimate_fixed - the same for the model of the main effects and
 * the n pairs numbered pairs[0..n-1] (kept in that order in *ret), when
 * it passes mse_check; otherwise no estimate and the reason. Returns 0,
 * -EINVAL (a pair out of range or repeated) or -ENOMEM.
 */
int mse_estimate_fixed(const struct mse_table *t, const unsigned *pairs,
		       unsigned n, struct mse_estimate *ret)
    __attribute__((warn_unused_result));

/*
 * A bootstrap interval, as SparseMSE's estimatepopulation: n multinomial
 * resamples of the observed cases over the observed histories, the
 * whole method (selection included) re-run on each; a jackknife over the
 * cases gives the acceleration; the BCa (bias-corrected and accelerated)
 * 95% interval. A resample with an empty list is estimated without that
 * list (its effect is minus infinity: the same fit); a resample with no
 * estimate otherwise counts as an infinite population ("failed").
 */
struct mse_boot {
	struct mse_estimate point;   /* the method on the data themselves */
	enum mse_status status;	     /* MSE_ESTIMATED or point's refusal */
	unsigned n;		     /* resamples */
	uint64_t seed;		     /* of the generator (GSL's MT19937) */
	unsigned failed;	     /* resamples without an estimate */
	bool jackknife_failed;	     /* then ahat is 0 (plain BC interval) */
	double z0;		     /* bias correction */
	double ahat;		     /* acceleration */
	double low95, high95;	     /* BCa interval; may be +inf */
	char reason[MSE_REASON_MAX]; /* "" when there is an interval */
};

/*
 * mse_bootstrap - the BCa interval of method (MSE_MAIN or MSE_STEPWISE)
 * from n resamples (1 <= n <= MSE_MAX_BOOT) drawn with seed: the same
 * table, method, n and seed give the same result on every run. When
 * ret_reps is not NULL it receives the n resampled estimates (+inf for a
 * failed one), in draw order. When the data have no estimate, or every
 * resample falls on one side of it, status and reason say so. Returns 0,
 * -EINVAL (method, n) or -ENOMEM (*ret untouched).
 */
int mse_bootstrap(const struct mse_table *t, enum mse_method method, unsigned n,
		  uint64_t seed, struct mse_boot *ret, double *ret_reps)
    __attribute__((warn_unused_result));

/*
 * mse_bootstrap_watched - mse_bootstrap, calling progress(arg, done, n)
 * (when not NULL) after each resample, on the calling thread: for a
 * progress line on a terminal. The result is mse_bootstrap's.
 */
typedef void (*mse_progress_fn)(void *arg, unsigned done, unsigned total);
int mse_bootstrap_watched(const struct mse_table *t, enum mse_method method,
			  unsigned n, uint64_t seed, struct mse_boot *ret,
			  double *ret_reps, mse_progress_fn progress, void *arg)
    __attribute__((warn_unused_result));

/*
 * Text for tables (the offline command and the live estimate table
 * share it). Each writes a NUL-terminated string into buf (cap bytes,
 * cut short if needed) and returns buf.
 */
/* mse_format_method - "main", "stepwise" or "fixed". */
const char *mse_format_method(enum mse_method m);
/* mse_format_lists - the list names joined by "+": "pnp+mp+mimp". */
const char *mse_format_lists(const struct mse_table *t, char *buf, size_t cap);
/* mse_format_interactions - "pnp:mimp mp:minsa", in the order added. */
const char *mse_format_interactions(const struct mse_table *t,
				    const struct mse_estimate *e, char *buf,
				    size_t cap);
/* What the interval of a main or stepwise row is (ESTIMATION.md). */
#define MSE_CONDITIONAL_NOTE "model-conditional 95%, log-normal"
/*
 * Under this many cases seen by two lists or more an estimate is too
 * sparse to trust (ESTIMATION.md, "Sparse tables"): Robson and Regier's
 * rule for the two-list estimate, whose bias and interval go wild below
 * 7 recaptures, which every model here reduces to on the overlaps.
 */
#define MSE_SPARSE_MULTIPLE 7
/*
 * mse_format_note - what the row's reader must know: the reason when
 * there is no estimate, else MSE_CONDITIONAL_NOTE; for a table under
 * MSE_SPARSE_MULTIPLE cases seen by two lists or more "; sparse: N cases
 * seen by more than one list (under 7): too few to trust the estimate";
 * then the pairs fixed at minus infinity ("; K and R never overlap
 * (effect -inf)"), whole, as many as cap holds, and how many more there
 * are ("; 2 more pairs never overlap (effect -inf)").
 */
const char *mse_format_note(const struct mse_table *t,
			    const struct mse_estimate *e, char *buf,
			    size_t cap);
/*
 * mse_format_boot_note - "BCa 95%, 1000 resamples, seed 1" with the
 * sparse part as mse_format_note's, the failed resamples and a failed
 * jackknife when any; or the reason, with the sparse part when the point
 * estimate exists. t is the table resampled.
 */
const char *mse_format_boot_note(const struct mse_table *t,
				 const struct mse_boot *b, char *buf,
				 size_t cap);

/* CSV input: the list columns (0/1), then the count; a header names them. */
struct mse_csv_error {
	unsigned line; /* 1-based; 0 when not about a line */
	char reason[MSE_REASON_MAX];
};

/*
 * mse_csv_parse - reads a capture-history table from buf (len bytes, no
 * NUL needed): a header "A,B,...,count" naming 2 to 10 lists
 * (mse_name_valid; a UTF-8 byte-order mark, any field between double
 * quotes as RFC 4180 has it ("" one quote, commas inside), spaces
 * around fields and CRLF line ends are accepted), then one line per
 * history: a 0 or 1 per list and a whole count 0..MSE_MAX_COUNT.
 * Histories not given count 0; blank lines and comments (a line whose
 * first non-blank is "#") are skipped, anywhere, and a refusal names the
 * line as the file counts it, comments included. Refused, naming
 * the line: a quote left open at its end or text after a closing one,
 * a wrong number of fields, a value other than 0/1, a negative
 * or non-integer count, a history given twice, the all-zero history (it
 * is what is estimated), a total past MSE_MAX_COUNT, no case at all.
 * Returns 0 with *ret filled, or -EINVAL (or -ENOMEM) with *err filled
 * and *ret untouched.
 */
int mse_csv_parse(const char *buf, size_t len, struct mse_table *ret,
		  struct mse_csv_error *err)
    __attribute__((warn_unused_result));

#endif
