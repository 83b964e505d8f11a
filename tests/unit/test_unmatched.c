/*
 * test_unmatched.c - an institution's take-ups that match no referral
 * record of their sender (stats_unmatched), over a real LMDB store: each
 * live take-up of a number its sender has no live referral record of,
 * oldest first, with its sender, date and the earliest take-up's date;
 * none of another destination's; gone once the referral arrives, back
 * once it is withdrawn; a correction keeps its original's sequence; the
 * oldest max of more, with the total. And unmatched_memo: a node's hellos
 * asking within UNMATCHED_MEMO_MS of a walk are answered from it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "date.h"
#include "stats_rig.h"
#include "stats.h"
#include "store.h"
#include "unmatched_memo.h"

struct world {
	char dir[64];
	struct store *st;
	struct stats *s;
	struct store_txn *t;
	uint64_t seq[INST_COUNT + 1];
};

static struct world w;

static int
setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	return stats_rig_open(w.dir, sizeof(w.dir), "unmatched", &w.st, &w.s);
}

static int
teardown(void **state)
{
	(void)state;
	return stats_rig_close(w.dir, &w.st, &w.s);
}

/* Applies ev as inst's next sequence, in a batch of its own; returns the
 * sequence. */
static uint64_t
take(enum institution inst, const struct event *ev)
{
	uint64_t seq = ++w.seq[inst];
	char why[200];
	int err = 0;

	assert_int_equal(store_begin(w.st, true, &w.t), 0);
	stats_begin(w.s, w.t);
	assert_int_equal(stats_room(w.s, inst, seq, ev, why, sizeof(why), &err),
			 REASON_NONE);
	assert_int_equal(stats_apply(w.s, inst, seq, ev, 20000), 0);
	assert_int_equal(stats_flush(w.s), 0);
	assert_int_equal(store_commit(&w.t), 0);
	stats_committed(w.s);
	return seq;
}

/* A referral (kind KIND_REFERRAL, other its destination) or a take-up
 * (KIND_REFERRAL_RECEIVED, other its sender) of referral number n, dated
 * day of November 2025. */
static struct event
ref_event(enum kind kind, enum institution other, int n, int day)
{
	struct event ev;
	struct victim *v = &ev.rec.victim;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ev.rec.kind = kind;
	ev.rec.date = date_from_ymd(2025, 11, (unsigned)day);
	ev.rec.region = 15;
	ev.rec.other = other;
	ev.rec.purpose = PURPOSE_PROTECTION;
	memset(ev.rec.referral, 0x5a, PSEUDONYM_LEN);
	ev.rec.referral[0] = (uint8_t)n;
	ev.rec.referral[1] = (uint8_t)(n >> 8);
	v->doc_type = DOC_DNI;
	memset(v->doc_key, 0x11, PSEUDONYM_LEN);
	v->doc_key[0] = (uint8_t)n;
	v->sex = SEX_F;
	v->age_years = 15;
	v->age_group = age_group_of(15);
	memcpy(v->nationality, "PE", 3);
	return ev;
}

/* ref_event's, taken as inst's next sequence, which it returns. */
static uint64_t
take_ref(enum institution inst, enum kind kind, enum institution other, int n,
	 int day)
{
	struct event ev = ref_event(kind, other, n, day);

	return take(inst, &ev);
}

/* inst withdraws its record of sequence target. */
static void
take_withdrawal(enum institution inst, uint64_t target)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = KIND_WITHDRAWAL;
	ev.target_seq = target;
	(void)take(inst, &ev);
}

/* dest's unmatched take-ups, at most max, into u; returns the total. */
static uint64_t
unmatched(enum institution dest, struct unmatched *u, size_t max, size_t *ret_n)
{
	uint64_t total = 99;

	assert_int_equal(stats_unmatched(w.s, dest, u, max, ret_n, &total), 0);
	return total;
}

static void
test_unmatched_list(void **state)
{
	struct unmatched u[8];
	struct event ev;
	uint64_t t1, t2, t3, t4, r2;
	size_t n;

	(void)state;
	assert_int_equal(unmatched(INST_MIMP, u, 8, &n), 0);
	assert_int_equal(n, 0);
	/* MIMP takes up 1 (day 20), 2 (day 5), 3 (day 12) from pnp, and
	 * 2 again (day 3); MINSA takes up 1 from pnp. */
	t1 = take_ref(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 1, 20);
	t2 = take_ref(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 2, 5);
	t3 = take_ref(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 3, 12);
	t4 = take_ref(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 2, 3);
	(void)take_ref(INST_MINSA, KIND_REFERRAL_RECEIVED, INST_PNP, 1, 1);
	assert_int_equal(unmatched(INST_MIMP, u, 8, &n), 4);
	assert_int_equal(n, 4);
	/* Oldest first: 2's second take-up, its first, 3, 1. */
	assert_int_equal(u[0].seq, t4);
	assert_int_equal(u[1].seq, t2);
	assert_int_equal(u[2].seq, t3);
	assert_int_equal(u[3].seq, t1);
	assert_int_equal(u[0].from, INST_PNP);
	assert_int_equal(u[1].date, date_from_ymd(2025, 11, 5));
	/* Both take-ups of 2 count where its earliest does. */
	assert_int_equal(u[0].counted_date, date_from_ymd(2025, 11, 3));
	assert_int_equal(u[1].counted_date, date_from_ymd(2025, 11, 3));
	assert_int_equal(u[3].counted_date, date_from_ymd(2025, 11, 20));
	assert_int_equal(unmatched(INST_MINSA, u, 8, &n), 1);
	assert_int_equal(unmatched(INST_PNP, u, 8, &n), 0);

	/* The oldest max, of all of them. */
	assert_int_equal(unmatched(INST_MIMP, u, 2, &n), 4);
	assert_int_equal(n, 2);
	assert_int_equal(u[0].seq, t4);
	assert_int_equal(u[1].seq, t2);
	assert_int_equal(unmatched(INST_MIMP, u, 0, &n), 4);
	assert_int_equal(n, 0);

	/* pnp's referral 2 to mimp arrives: both its take-ups match. One to
	 * minsa of number 3 matches none of mimp's. */
	r2 = take_ref(INST_PNP, KIND_REFERRAL, INST_MIMP, 2, 1);
	(void)take_ref(INST_PNP, KIND_REFERRAL, INST_MINSA, 3, 1);
	assert_int_equal(unmatched(INST_MIMP, u, 8, &n), 2);
	assert_int_equal(u[0].seq, t3);
	assert_int_equal(u[1].seq, t1);
	/* Withdrawn, it matches nothing again. */
	take_withdrawal(INST_PNP, r2);
	assert_int_equal(unmatched(INST_MIMP, u, 8, &n), 4);

	/* A correction keeps its original's sequence: 1 corrected to
	 * number 3 on day 12, listed before 3's own take-up that day. */
	ev = ref_event(KIND_REFERRAL_RECEIVED, INST_PNP, 3, 12);
	ev.kind = KIND_CORRECTION;
	ev.target_seq = t1;
	(void)take(INST_MIMP, &ev);
	assert_int_equal(unmatched(INST_MIMP, u, 8, &n), 4);
	assert_int_equal(u[2].seq, t1);
	assert_int_equal(u[2].date, date_from_ymd(2025, 11, 12));
	assert_int_equal(u[3].seq, t3);
	assert_int_equal(u[3].counted_date, date_from_ymd(2025, 11, 12));
	/* Withdrawn take-ups are no longer listed. */
	take_withdrawal(INST_MIMP, t1);
	take_withdrawal(INST_MIMP, t3);
	assert_int_equal(unmatched(INST_MIMP, u, 8, &n), 2);
	assert_int_equal(u[0].seq, t4);
	assert_int_equal(u[1].seq, t2);
}

/*
 * A hello asking within UNMATCHED_MEMO_MS of the last walk for its
 * institution is answered from it, the max asked for of it, and walks
 * again after (or when the clock went back); another institution's has
 * its own. Without the memo, a node saying hello in a loop had the writer
 * walk every referral in memory at each.
 */
static void
test_unmatched_memo(void **state)
{
	struct unmatched_memo memo[INST_COUNT + 1];
	struct unmatched u[8];
	uint64_t total, t1, t2;
	size_t n;

	(void)state;
	memset(memo, 0, sizeof(memo));
	assert_int_equal(unmatched_memo_get(&memo[INST_MIMP], w.s, INST_MIMP,
					    5000, u, 8, &n, &total),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	t1 = take_ref(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 1, 20);
	/* Within the memo's time: the walk before the take-up. */
	assert_int_equal(unmatched_memo_get(&memo[INST_MIMP], w.s, INST_MIMP,
					    5000 + UNMATCHED_MEMO_MS - 1, u, 8,
					    &n, &total),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	/* MINSA's is its own. */
	assert_int_equal(unmatched_memo_get(&memo[INST_MINSA], w.s, INST_MINSA,
					    5001, u, 8, &n, &total),
			 0);
	assert_int_equal(total, 0);
	/* Past it, walked again. */
	assert_int_equal(unmatched_memo_get(&memo[INST_MIMP], w.s, INST_MIMP,
					    5000 + UNMATCHED_MEMO_MS, u, 8, &n,
					    &total),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(u[0].seq, t1);
	t2 = take_ref(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 2, 3);
	assert_int_equal(unmatched_memo_get(&memo[INST_MIMP], w.s, INST_MIMP,
					    9000, u, 1, &n, &total),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_int_equal(u[0].seq, t2);
	/* One asking for more within the time has all the walk found. */
	assert_int_equal(unmatched_memo_get(&memo[INST_MIMP], w.s, INST_MIMP,
					    9001, u, 8, &n, &total),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(u[1].seq, t1);
	/* The clock gone back: walked again. */
	(void)take_ref(INST_MIMP, KIND_REFERRAL_RECEIVED, INST_PNP, 3, 4);
	assert_int_equal(unmatched_memo_get(&memo[INST_MIMP], w.s, INST_MIMP,
					    8000, u, 8, &n, &total),
			 0);
	assert_int_equal(total, 3);
	/* Statistics off: their error, and nothing kept. */
	assert_int_equal(unmatched_memo_get(&memo[INST_PNP], NULL, INST_PNP,
					    8000, u, 8, &n, &total),
			 -ENOTSUP);
	assert_int_equal(memo[INST_PNP].at_ms, 0);
	unmatched_memo_clear(&memo[INST_MIMP]);
	unmatched_memo_clear(&memo[INST_MINSA]);
	unmatched_memo_clear(&memo[INST_PNP]);
	assert_null(memo[INST_MIMP].list);
}

/* Statistics off (benchmarks): nothing to say. */
static void
test_unmatched_off(void **state)
{
	struct unmatched u[1];
	uint64_t total;
	size_t n;

	(void)state;
	assert_int_equal(stats_unmatched(NULL, INST_MIMP, u, 1, &n, &total),
			 -ENOTSUP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_unmatched_list, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unmatched_memo, setup,
					    teardown),
	    cmocka_unit_test(test_unmatched_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
