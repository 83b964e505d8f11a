/*
 * lp.h - small integer linear programmes: the range a reader can work
 * out for one unknown from linear relations. The only file of the
 * consolidator that includes GLPK's header is lp.c.
 *
 * A problem has n variables, each a whole number within its bounds
 * (0..unbounded unless set), and rows sum(coef * var) OP rhs. lp_range
 * asks for the least and the greatest value one variable takes over all
 * whole-number solutions: the LP relaxation first (GLPK's simplex, warm
 * started from the last basis), then, only when the relaxation's optimum
 * is not a whole-number point, the integer programme (GLPK's branch and
 * cut).
 */
#ifndef KUSKA_LP_H
#define KUSKA_LP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LP_INF INT64_MAX /* no upper bound; a maximum without bound */

enum lp_op { LP_EQ, LP_LE, LP_GE };

struct lp;

/*
 * lp_process_init - sets the process's allocator for GLPK's way of
 * working: each simplex call allocates and frees its work arrays, and
 * glibc gave the freed top of the heap back to the system every time (at
 * its default 128 KiB), to fault it in again on the next call. A year's
 * release of small-cell data (some 1,100 hidden counts, 2,300 cells) then
 * spent a quarter of its time in the kernel; keeping up to 32 MiB of free
 * heap (in each thread's arena: at most that much per thread, about
 * 1.5 MiB more resident in the demo) makes it 1.5 to 2.5 times faster
 * (bench/README.md). Setting it fixes glibc's mmap threshold, which
 * glibc otherwise raises as large blocks are freed, at 128 KiB: a query's
 * answer of more was then mapped and unmapped anew each time, and a
 * flood of them answered 5 times slower. So it is set too, to 32 MiB, the
 * ceiling glibc's own raising stops at. Called once, before any thread
 * starts, by whatever runs the audit.
 */
void lp_process_init(void);

/* lp_new - a problem over n_vars variables, each in 0..LP_INF; NULL when
 * out of memory. */
struct lp *lp_new(size_t n_vars);

/* lp_free - releases p (NULL is fine) and clears the pointer. */
void lp_free(struct lp **p);

/* lp_bounds - var lies in lo..hi (hi may be LP_INF); may be changed
 * between lp_range calls (the next one starts from the last basis). */
void lp_bounds(struct lp *p, size_t var, int64_t lo, int64_t hi);

/*
 * lp_row - adds the row sum(coefs[i] * vars[i]) OP rhs (n may be 0: a
 * row of constants, which then must hold). Returns 0 or -ENOMEM. Rows
 * are added before the first lp_range.
 */
int lp_row(struct lp *p, const size_t *vars, const int64_t *coefs, size_t n,
	   enum lp_op op, int64_t rhs) __attribute__((warn_unused_result));

/*
 * lp_range - the least and greatest whole values of var over the
 * whole-number points meeting every row and bound (*ret_max = LP_INF when
 * there is no greatest). With exact true, both are reached by such
 * points; with exact false, they are the relaxation's optimum rounded
 * inwards: a range at least as wide as the true one, found without any
 * integer programme (a narrow answer is then certain). An integer
 * programme is bounded by a number of subproblems (never by time: the
 * answer depends on the problem alone). Returns 0, -EDOM when there is
 * no solution at all (the rows contradict each other: a bug in whoever
 * wrote them), or -ETIMEDOUT when the integer programme did not settle
 * the optimum within its bound.
 */
int lp_range(struct lp *p, size_t var, bool exact, int64_t *ret_min,
	     int64_t *ret_max) __attribute__((warn_unused_result));

/*
 * lp_reach - whether some whole-number point meeting every row and bound
 * has var >= target (above) or var <= target. Cheaper than lp_range when
 * only a witness is wanted: the search stops at the first point. Returns
 * 1 (there is one), 0 (there is none), -EDOM, or -ETIMEDOUT (the integer
 * programme could not tell within its bound).
 */
int lp_reach(struct lp *p, size_t var, int64_t target, bool above)
    __attribute__((warn_unused_result));

/*
 * lp_push - one point that moves the n variables vars as far as it can
 * towards their targets (up: each at most its target, their sum as great
 * as can be; down: at least, as small as can be), into ret[i]: a point of
 * the relaxation, or with exact a whole-number point (not necessarily
 * the best one). Either way the point meets every row and bound. Returns
 * 0, -EDOM (no point) or -ETIMEDOUT.
 */
int lp_push(struct lp *p, const size_t *vars, const int64_t *target, size_t n,
	    bool up, bool exact, double *ret)
    __attribute__((warn_unused_result));

/*
 * lp_pull - solves the relaxation for the greatest (max) or least value
 * of var and writes, for every variable j, ret_d[j]: how fast that
 * greatest or least value would move per unit j moved up from where the
 * optimum has it, were j's bounds wider (its reduced cost). A variable
 * fixed by its bounds with a non-zero one is holding the optimum where
 * it is. Returns 0, 1 when the optimum has no bound (nothing holds it),
 * or -EDOM (no solution).
 */
int lp_pull(struct lp *p, size_t var, bool max, double *ret_d)
    __attribute__((warn_unused_result));

/*
 * lp_thread_end - frees what GLPK keeps for the calling thread (its
 * environment, made at the thread's first use of GLPK, here or in
 * lib/mse): a thread that may have used it calls this before it ends,
 * or the environment is lost with the thread. Harmless if it did not.
 */
void lp_thread_end(void);

#endif
