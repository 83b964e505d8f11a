/*
 * disclose.h - disclosure control for the secretariat: which published
 * counts to hide so that no hidden count can be worked out, exactly or to
 * within one either way, from everything that role can be given.
 *
 * A *family* holds the published counts (cells) with their exact values,
 * the unpublished quantities some relations need (latents: say, the
 * unlinkable victims of one institution, which only their sum shows),
 * and the linear relations a reader knows between them: sums over
 * periods and regions, rows that add up, inequalities between distinct
 * counts. dfam_protect then hides
 *	- every count from 1 to k-1 (primary suppression), and
 *	- more non-zero counts (complementary suppression), one at a time,
 *	  until each hidden count's *range* - the whole numbers it can take
 *	  in some assignment of the hidden counts and latents that meets
 *	  every relation - spans at least DISCLOSE_SPAN values (k - 1 when
 *	  k <= DISCLOSE_SPAN: a count below k can take no more).
 * The reader is modelled strongly: it knows every relation given, every
 * shown count exactly, that kuska never hides a zero, and even which
 * hidden counts are below k (in 1..k-1) and which are not (k or more).
 * Ranges are computed exactly, as integer programmes (lp.h).
 *
 * The result depends only on the cells' values, the relations and the
 * order in which they were added: the same family always gives the same
 * hidden cells. docs/DISCLOSURE.md explains the method.
 */
#ifndef KUSKA_DISCLOSE_H
#define KUSKA_DISCLOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISCLOSE_SPAN 3 /* a hidden count's range spans at least this */

enum disclose_op { DISCLOSE_EQ, DISCLOSE_LE, DISCLOSE_GE };

struct dfam;

/* dfam_new - an empty family; NULL when out of memory. */
struct dfam *dfam_new(void);

/* dfam_free - releases f (NULL is fine) and clears the pointer. */
void dfam_free(struct dfam **f);

/*
 * dfam_cell - adds a published count of exact value `value` (>= 0).
 * dfam_latent - adds an unpublished quantity (>= 0) of that value, or of
 * a value nobody has counted (value -1), known to the reader only
 * through the relations.
 * Both return the new term's index (0, 1, ... in the order added), or
 * -ENOMEM.
 */
int dfam_cell(struct dfam *f, int64_t value);
int dfam_latent(struct dfam *f, int64_t value);

/*
 * dfam_rel - adds the relation sum(coefs[i] * terms[i]) OP rhs, which
 * the values given must meet (checked unless a latent's value is
 * unknown). Returns 0, -EINVAL (a term out of range, or the values break
 * the relation: the caller's model is wrong), or -ENOMEM.
 */
int dfam_rel(struct dfam *f, const int *terms, const int64_t *coefs, size_t n,
	     enum disclose_op op, int64_t rhs)
    __attribute__((warn_unused_result));

/*
 * dfam_protect - decides the hidden cells for threshold k (>= 1; k = 1
 * hides nothing), as above. A cell whose range stays narrow even when
 * every non-zero cell it is related to is hidden is counted in
 * *ret_unprotected (may be NULL); it stays hidden, and no cell is hidden
 * around it beyond those the relaxation says hold its range (more would
 * leave it as narrow). Returns 0, -ENOMEM,
 * -EDOM (GLPK failed: the relations contradict each other) or
 * -ECANCELED (dfam_set_cancel).
 */
int dfam_protect(struct dfam *f, int64_t k, size_t *ret_unprotected)
    __attribute__((warn_unused_result));

/*
 * dfam_set_cancel - has dfam_protect ask cancelled(arg) between two of
 * its integer programmes (NULL: never), and give up with -ECANCELED,
 * the cells' hidden flags then meaningless, when it answers true. For
 * work nobody waits for (the releases prepared before they are asked
 * for, prepare.h); an answer depends on the data alone, never on when
 * it was cancelled.
 */
void dfam_set_cancel(struct dfam *f, bool (*cancelled)(void *), void *arg);

/* dfam_hidden - whether term (a cell) is hidden after dfam_protect. */
bool dfam_hidden(const struct dfam *f, int term);

/* dfam_size - the number of terms (cells and latents). */
size_t dfam_size(const struct dfam *f);

/*
 * dfam_range - the range of term as the reader works it out from the
 * family as hidden now (a shown cell: its value), with threshold k; for
 * tests and audits. Returns 0 or -errno as dfam_protect.
 */
int dfam_range(struct dfam *f, int64_t k, int term, int64_t *ret_min,
	       int64_t *ret_max) __attribute__((warn_unused_result));

#endif
