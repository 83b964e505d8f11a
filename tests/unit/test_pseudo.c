/*
 * test_pseudo.c - pseudonyms (pseudo.h): the documented construction,
 * domain and key separation, spelling variants that normalise alike, and
 * the batch: de-duplication, the memo, rollback, split keys, the hidden
 * check elements that catch a key holder answering wrongly, and the
 * progress calls during a round.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "norm.h"
#include "oprf.h"
#include "pseudo.h"

static uint8_t link1[LINKAGE_KEY_LEN], link2[LINKAGE_KEY_LEN];
static uint8_t k1[32], k2[32];

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (size_t i = 0; i < LINKAGE_KEY_LEN; i++) {
		link1[i] = (uint8_t)i;
		link2[i] = (uint8_t)(i + 1);
	}
	oprf_key_generate(k1);
	oprf_key_generate(k2);
	return 0;
}

/* One pseudonym, computed alone with OPRF key k and linkage key l. */
enum what { DOC, NAME, CASE, REFERRAL };

static void
one(enum what w, const uint8_t *k, const uint8_t *l, const char *a,
    const char *b, int32_t days, enum sex sex, uint8_t out[PSEUDONYM_LEN])
{
	struct pseudo_batch *bt = pseudo_batch_new();

	assert_non_null(bt);
	switch (w) {
	case DOC:
		assert_int_equal(pseudo_add_document(bt, a, b, out), 0);
		break;
	case NAME:
		assert_int_equal(pseudo_add_name(bt, a, b, days, sex, out), 0);
		break;
	case CASE:
		assert_int_equal(pseudo_add_case(bt, a, out), 0);
		break;
	case REFERRAL:
		assert_int_equal(
		    pseudo_add_referral(bt, (enum institution)days, a, out), 0);
		break;
	}
	assert_int_equal(pseudo_batch_new_inputs(bt), 1);
	assert_int_equal(pseudo_batch_local(bt, k, l), 0);
	assert_int_equal(pseudo_batch_pending(bt), 0);
	pseudo_batch_free(&bt);
	assert_null(bt);
}

static void
doc(const uint8_t *k, const uint8_t *l, const char *type, const char *num,
    uint8_t out[PSEUDONYM_LEN])
{
	one(DOC, k, l, type, num, 0, SEX_NONE, out);
}

static void
cas(const uint8_t *k, const uint8_t *l, const char *num,
    uint8_t out[PSEUDONYM_LEN])
{
	one(CASE, k, l, num, NULL, 0, SEX_NONE, out);
}

static void
name(const uint8_t *k, const char *given, const char *surn, int32_t days,
     enum sex sex, uint8_t out[PSEUDONYM_LEN])
{
	one(NAME, k, link1, given, surn, days, sex, out);
}

static void
referral(const uint8_t *k, enum institution sender, const char *num,
	 uint8_t out[PSEUDONYM_LEN])
{
	one(REFERRAL, k, link1, num, NULL, (int32_t)sender, SEX_NONE, out);
}

/* put - a length-prefixed field, as pseudo.h documents it. */
static size_t
put(uint8_t *p, const void *buf, size_t len)
{
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + 4, buf, len);
	return 4 + len;
}

/*
 * The construction of pseudo.h rebuilt here from its text, with the OPRF
 * run directly (Blind, BlindEvaluate, Finalize) and BLAKE2b on top, gives
 * what the batch gives: the documented layout is the real one.
 */
static void
test_documented(void **state)
{
	static const char tag[] = "kuska/victim/name/v2";
	uint8_t in[256], blind[32], be[32], ev[32], y[64], want[32], got[32];
	uint8_t hin[256], days[4] = {0xff, 0xff, 0xff, 0x9c}; /* -100 */
	size_t n = 0, m = 0;

	(void)state;
	n += put(in + n, tag, strlen(tag));
	n += put(in + n, "MARIA JOSE", 10);
	n += put(in + n, "NAHUI QUISPE", 12);
	n += put(in + n, days, 4);
	n += put(in + n, "F", 1);
	assert_int_equal(oprf_blind(in, n, blind, be), 0);
	assert_int_equal(oprf_evaluate(k1, be, ev), 0);
	assert_int_equal(oprf_finalize(in, n, blind, ev, y), 0);
	m += put(hin + m, tag, strlen(tag));
	m += put(hin + m, y, sizeof(y));
	crypto_generichash(want, sizeof(want), hin, m, link1, sizeof(link1));
	name(k1, "MARIA JOSE", "NAHUI QUISPE", -100, SEX_F, got);
	assert_memory_equal(got, want, sizeof(want));
}

static void
test_stable(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];

	(void)state;
	doc(k1, link1, "CE", "AB123", a);
	doc(k1, link1, "CE", "AB123", b);
	assert_memory_equal(a, b, sizeof(a));
	cas(k1, link1, "X", a);
	cas(k1, link1, "X", b);
	assert_memory_equal(a, b, sizeof(a));
}

/* The same text as a case, a referral, a document, a name: all differ. */
static void
test_domains(void **state)
{
	uint8_t c[PSEUDONYM_LEN], r[PSEUDONYM_LEN], d[PSEUDONYM_LEN];
	uint8_t n[PSEUDONYM_LEN];

	(void)state;
	cas(k1, link1, "ABC123", c);
	referral(k1, INST_PNP, "ABC123", r);
	doc(k1, link1, "OTHER", "ABC123", d);
	name(k1, "ABC123", "", 0, SEX_U, n);
	assert_memory_not_equal(c, r, sizeof(c));
	assert_memory_not_equal(c, d, sizeof(c));
	assert_memory_not_equal(c, n, sizeof(c));
	assert_memory_not_equal(r, d, sizeof(c));
	assert_memory_not_equal(r, n, sizeof(c));
	assert_memory_not_equal(d, n, sizeof(c));
}

/* Every field counts, and a field boundary cannot be shifted. */
static void
test_fields(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];
	uint8_t ia[EVENT_ID_LEN], ib[EVENT_ID_LEN];

	(void)state;
	name(k1, "AB", "C", 100, SEX_F, a);
	name(k1, "A", "BC", 100, SEX_F, b);
	assert_memory_not_equal(a, b, sizeof(a));
	name(k1, "AB", "C", 101, SEX_F, b);
	assert_memory_not_equal(a, b, sizeof(a));
	name(k1, "AB", "C", 100, SEX_M, b);
	assert_memory_not_equal(a, b, sizeof(a));
	name(k1, "AB", "C", -100, SEX_F, b);
	assert_memory_not_equal(a, b, sizeof(a));
	doc(k1, link1, "DNI", "12345678", a);
	doc(k1, link1, "CE", "12345678", b);
	assert_memory_not_equal(a, b, sizeof(a));
	referral(k1, INST_PNP, "7", a);
	referral(k1, INST_MIMP, "7", b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_event_id(link1, INST_PNP, "r1", ia);
	pseudo_event_id(link1, INST_MP, "r1", ib);
	assert_memory_not_equal(ia, ib, sizeof(ia));
	pseudo_event_id(link1, INST_PNP, "r2", ib);
	assert_memory_not_equal(ia, ib, sizeof(ia));
}

/* Either key changed changes every pseudonym: both are needed. */
static void
test_keys(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];
	uint8_t ia[EVENT_ID_LEN], ib[EVENT_ID_LEN];

	(void)state;
	doc(k1, link1, "DNI", "12345678", a);
	doc(k1, link2, "DNI", "12345678", b);
	assert_memory_not_equal(a, b, sizeof(a));
	doc(k2, link1, "DNI", "12345678", b);
	assert_memory_not_equal(a, b, sizeof(a));
	cas(k1, link1, "C", a);
	cas(k2, link2, "C", b);
	assert_memory_not_equal(a, b, sizeof(a));
	pseudo_event_id(link1, INST_PJ, "r", ia);
	pseudo_event_id(link2, INST_PJ, "r", ib);
	assert_memory_not_equal(ia, ib, sizeof(ia));
}

/* name_pseudonym - the victim pseudonym of raw names, normalised. */
static void
name_pseudonym(const char *given, const char *surnames, uint8_t out[32])
{
	char g[NORM_MAX], s[NORM_MAX];

	assert_true(norm_name(given, strlen(given), g, sizeof(g)) > 0);
	assert_true(norm_name(surnames, strlen(surnames), s, sizeof(s)) > 0);
	name(k1, g, s, 14000, SEX_F, out);
}

static void
test_spelling_variants(void **state)
{
	uint8_t a[PSEUDONYM_LEN], b[PSEUDONYM_LEN];
	char d1[NORM_MAX], d2[NORM_MAX];

	(void)state;
	name_pseudonym("María José", "Ñahui Quispe", a);
	name_pseudonym("MARIA  JOSE", "nahui quispe", b);
	assert_memory_equal(a, b, sizeof(a));
	name_pseudonym("Mari\u0301a Jose\u0301", " N\u0303ahui-Quispe ", b);
	assert_memory_equal(a, b, sizeof(a));
	name_pseudonym("Ch'aska", "Huamán-Condori", a);
	name_pseudonym("Ch\u2019aska", "Huaman Condori", b);
	assert_memory_equal(a, b, sizeof(a));
	name_pseudonym("Chaska", "HUAMAN CONDORI", b);
	assert_memory_equal(a, b, sizeof(a));
	/* Surnames in another order are another person. */
	name_pseudonym("Chaska", "Condori Huaman", b);
	assert_memory_not_equal(a, b, sizeof(a));

	assert_int_equal(norm_document("DNI", "1234-5678", 9, d1, NORM_MAX), 8);
	assert_int_equal(norm_document("DNI", " 12345678", 9, d2, NORM_MAX), 8);
	doc(k1, link1, "DNI", d1, a);
	doc(k1, link1, "DNI", d2, b);
	assert_memory_equal(a, b, sizeof(a));
}

/*
 * One input asked for three times is evaluated once; the memo answers a
 * later request at once; a rollback takes back inputs and requests; a
 * forget starts afresh.
 */
static void
test_batch(void **state)
{
	uint8_t a1[32] = {0}, a2[32] = {0}, a3[32] = {0}, b[32] = {0};
	uint8_t c[32] = {0}, zero[32] = {0}, want[32];
	struct pseudo_batch *bt = pseudo_batch_new();
	struct pseudo_mark m;

	(void)state;
	assert_int_equal(pseudo_add_case(bt, "A", a1), 0);
	assert_int_equal(pseudo_add_case(bt, "A", a2), 0);
	assert_int_equal(pseudo_batch_new_inputs(bt), 1);
	assert_int_equal(pseudo_batch_pending(bt), 2);
	m = pseudo_batch_mark(bt);
	assert_int_equal(pseudo_add_case(bt, "B", b), 0);
	assert_int_equal(pseudo_add_case(bt, "A", c), 0);
	assert_int_equal(pseudo_batch_new_inputs(bt), 2);
	pseudo_batch_rollback(bt, m);
	assert_int_equal(pseudo_batch_new_inputs(bt), 1);
	assert_int_equal(pseudo_batch_pending(bt), 2);
	assert_int_equal(pseudo_batch_local(bt, k1, link1), 0);
	cas(k1, link1, "A", want);
	assert_memory_equal(a1, want, 32);
	assert_memory_equal(a2, want, 32);
	assert_memory_equal(b, zero, 32); /* rolled back: never written */
	assert_memory_equal(c, zero, 32);
	/* Known now: written at once, nothing to evaluate. */
	assert_int_equal(pseudo_add_case(bt, "A", a3), 0);
	assert_memory_equal(a3, want, 32);
	assert_int_equal(pseudo_batch_new_inputs(bt), 0);
	assert_int_equal(pseudo_batch_known(bt), 1);
	pseudo_batch_forget(bt);
	assert_int_equal(pseudo_batch_known(bt), 0);
	memset(a3, 0, 32);
	assert_int_equal(pseudo_add_case(bt, "A", a3), 0);
	assert_memory_equal(a3, zero, 32);
	assert_int_equal(pseudo_batch_new_inputs(bt), 1);
	pseudo_batch_free(&bt);
}

/*
 * The next round gathered while one is out: finishing the first writes
 * what it answers (a request for one of its inputs, made after it began,
 * included) and leaves the new inputs' requests for the second; a line
 * refused meanwhile is taken back without touching the open round.
 */
static void
test_overlap(void **state)
{
	uint8_t a1[32] = {0}, a2[32] = {0}, b[32] = {0}, c[32] = {0};
	uint8_t zero[32] = {0}, want[32], check[32], *ev;
	struct pseudo_batch *bt = pseudo_batch_new();
	struct pseudo_mark m;
	const uint8_t *el;
	size_t i, n;

	(void)state;
	assert_int_equal(pseudo_add_case(bt, "A", a1), 0);
	assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
	assert_int_equal(n, 1 + PSEUDO_CHECK_ELEMENTS);
	ev = malloc(n * 32);
	for (i = 0; i < n; i++)
		assert_int_equal(oprf_evaluate(k1, el + 32 * i, ev + 32 * i),
				 0);
	/* Round 1 is out: gather round 2. */
	assert_int_equal(pseudo_add_case(bt, "A", a2), 0);
	assert_int_equal(pseudo_add_case(bt, "B", b), 0);
	m = pseudo_batch_mark(bt);
	assert_int_equal(pseudo_add_case(bt, "C", c), 0);
	assert_int_equal(pseudo_add_case(bt, "D", c), 0);
	pseudo_batch_rollback(bt, m); /* a refused line: C and D go */
	assert_int_equal(pseudo_batch_new_inputs(bt), 1);
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check), 0);
	free(ev);
	cas(k1, link1, "A", want);
	assert_memory_equal(a1, want, 32);
	assert_memory_equal(a2, want, 32);
	assert_memory_equal(b, zero, 32); /* waits for round 2 */
	assert_int_equal(pseudo_batch_pending(bt), 1);
	assert_int_equal(pseudo_batch_local(bt, k1, link1), 0);
	cas(k1, link1, "B", want);
	assert_memory_equal(b, want, 32);
	assert_memory_equal(c, zero, 32);
	assert_int_equal(pseudo_batch_pending(bt), 0);
	pseudo_batch_free(&bt);
}

/*
 * A round in requests of at most 7 elements: each request hides check
 * elements of its own, so another key applied to any one of them is
 * caught; a round abandoned (too large for a holder) is blinded again in
 * smaller requests, and answers as an unsplit one would.
 */
static void
test_split(void **state)
{
	enum { INPUTS = 25, PER = 7, PIECES = 5 };
	uint8_t out[INPUTS][32], want[32], check[32], other[32], *ev;
	struct pseudo_batch *bt = pseudo_batch_new();
	const uint8_t *el;
	char num[16];
	size_t i, j, n;

	(void)state;
	oprf_key_generate(other);
	for (i = 0; i < INPUTS; i++) {
		snprintf(num, sizeof(num), "C%zu", i);
		assert_int_equal(pseudo_add_case(bt, num, out[i]), 0);
	}
	assert_int_equal(
	    pseudo_batch_blind(bt, 1, PSEUDO_CHECK_ELEMENTS, &el, &n), -EINVAL);
	assert_int_equal(pseudo_batch_blind(bt, 1, 100, &el, &n), 0);
	assert_int_equal(n, INPUTS + PSEUDO_CHECK_ELEMENTS);
	assert_int_equal(pseudo_batch_abandon(bt), 0);
	assert_int_equal(pseudo_batch_abandon(bt), -EINVAL);
	assert_int_equal(pseudo_batch_new_inputs(bt), INPUTS);
	assert_int_equal(pseudo_batch_blind(bt, 1, PER, &el, &n), 0);
	assert_int_equal(n, INPUTS + PIECES * PSEUDO_CHECK_ELEMENTS);
	ev = malloc(n * 32);
	for (j = 0; j < PIECES; j++) {
		for (i = 0; i < n; i++)
			assert_int_equal(
			    oprf_evaluate(i / PER == j ? other : k1,
					  el + 32 * i, ev + 32 * i),
			    0);
		assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check),
				 -EBADMSG);
	}
	for (i = 0; i < n; i++)
		assert_int_equal(oprf_evaluate(k1, el + 32 * i, ev + 32 * i),
				 0);
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check), 0);
	free(ev);
	for (i = 0; i < INPUTS; i++) {
		snprintf(num, sizeof(num), "C%zu", i);
		cas(k1, link1, num, want);
		assert_memory_equal(out[i], want, 32);
	}
	pseudo_batch_free(&bt);
}

/* What the progress function saw. */
struct progress {
	pthread_t caller;
	size_t calls, elsewhere; /* elsewhere: not on the calling thread */
};

static void
count_progress(void *arg)
{
	struct progress *p = arg;

	p->calls++;
	if (!pthread_equal(pthread_self(), p->caller))
		p->elsewhere++;
}

/* Many inputs (several arena chunks, a grown table), on two threads. */
static void
test_many(void **state)
{
	enum { N = 5000 };
	static uint8_t out[N][32], again[32];
	const uint8_t *el;
	uint8_t *ev, check[PSEUDO_CHECK_LEN];
	struct pseudo_batch *bt = pseudo_batch_new();
	char num[32];
	size_t i, n;

	struct progress pr = {.caller = pthread_self()};

	(void)state;
	pseudo_batch_progress(bt, count_progress, &pr);
	for (i = 0; i < N; i++) {
		snprintf(num, sizeof(num), "%08zu", i % (N / 2));
		assert_int_equal(pseudo_add_document(bt, "DNI", num, out[i]),
				 0);
	}
	assert_int_equal(pseudo_batch_new_inputs(bt), N / 2);
	assert_int_equal(pseudo_batch_blind(bt, 2, 0, &el, &n), 0);
	assert_int_equal(n, N / 2 + PSEUDO_CHECK_ELEMENTS);
	assert_int_equal(pseudo_batch_blind(bt, 2, 0, &el, &n), -EALREADY);
	ev = malloc(n * 32);
	for (i = 0; i < n; i++)
		assert_int_equal(oprf_evaluate(k1, el + 32 * i, ev + 32 * i),
				 0);
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 2, check), 0);
	free(ev);
	for (i = 0; i < N; i += 997) {
		snprintf(num, sizeof(num), "%08zu", i % (N / 2));
		doc(k1, link1, "DNI", num, again);
		assert_memory_equal(out[i], again, 32);
		assert_memory_equal(out[i], out[i + N / 2 < N ? i + N / 2 : i],
				    32);
	}
	assert_int_equal(pr.elsewhere, 0);
	pseudo_batch_free(&bt);
}

/*
 * On one thread, the progress function is called every
 * PSEUDO_PROGRESS_INPUTS blinded and twice as many finished elements,
 * and the pseudonyms are those of a batch without it.
 */
static void
test_progress(void **state)
{
	enum { N = 100, ELEMENTS = N + PSEUDO_CHECK_ELEMENTS };
	static uint8_t out[N][32], want[32];
	const uint8_t *el;
	uint8_t *ev, check[PSEUDO_CHECK_LEN];
	struct pseudo_batch *bt = pseudo_batch_new();
	struct progress pr = {.caller = pthread_self()};
	char num[16];
	size_t i, n;

	(void)state;
	pseudo_batch_progress(bt, count_progress, &pr);
	for (i = 0; i < N; i++) {
		snprintf(num, sizeof(num), "C-%zu", i);
		assert_int_equal(pseudo_add_case(bt, num, out[i]), 0);
	}
	assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
	assert_int_equal(n, ELEMENTS);
	assert_int_equal(pr.calls, (ELEMENTS + PSEUDO_PROGRESS_INPUTS - 1) /
				       PSEUDO_PROGRESS_INPUTS);
	ev = malloc(n * 32);
	for (i = 0; i < n; i++)
		assert_int_equal(oprf_evaluate(k1, el + 32 * i, ev + 32 * i),
				 0);
	pr.calls = 0;
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check), 0);
	assert_int_equal(pr.calls, (ELEMENTS + 2 * PSEUDO_PROGRESS_INPUTS - 1) /
				       (2 * PSEUDO_PROGRESS_INPUTS));
	assert_int_equal(pr.elsewhere, 0);
	free(ev);
	for (i = 0; i < N; i++) {
		snprintf(num, sizeof(num), "C-%zu", i);
		cas(k1, link1, num, want);
		assert_memory_equal(out[i], want, 32);
	}
	/* Off again: no more calls. */
	pseudo_batch_progress(bt, NULL, NULL);
	pr.calls = 0;
	assert_int_equal(pseudo_add_case(bt, "again", out[0]), 0);
	assert_int_equal(pseudo_batch_local(bt, k1, link1), 0);
	assert_int_equal(pr.calls, 0);
	pseudo_batch_free(&bt);
}

/* evaluate_all - every element of the round with k, or k2 at `odd`. */
static void
evaluate_all(const uint8_t *el, size_t n, const uint8_t *k, size_t odd,
	     uint8_t *ev)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(
		    oprf_evaluate(i == odd ? k2 : k, el + 32 * i, ev + 32 * i),
		    0);
}

/*
 * A holder that answers a hidden check element wrongly is caught (and
 * the round stays open, nothing written). The check elements land at
 * random places, so a holder that answers one element of each round
 * wrongly is caught in some rounds and not in others. A holder using
 * another key throughout passes a round but changes the check value,
 * which the node compares across rounds. An answer that is no group
 * element is refused.
 */
static void
test_check(void **state)
{
	enum { N = 20, ROUNDS = 200 };
	uint8_t out[N][32], check1[32], check2[32], bad[32];
	const uint8_t *el;
	uint8_t *ev;
	struct pseudo_batch *bt = pseudo_batch_new();
	char num[8];
	size_t i, j, n, caught = 0;

	(void)state;
	ev = malloc((N + PSEUDO_CHECK_ELEMENTS) * 32);
	/* A round of check elements alone: each one is checked. */
	assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
	assert_int_equal(n, PSEUDO_CHECK_ELEMENTS);
	for (j = 0; j < n; j++) {
		evaluate_all(el, n, k1, j, ev);
		assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check1),
				 -EBADMSG);
	}
	evaluate_all(el, n, k1, SIZE_MAX, ev);
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check1), 0);

	/* One wrong element, always the first: caught now and then. */
	for (j = 0; j < ROUNDS; j++) {
		for (i = 0; i < N; i++) {
			snprintf(num, sizeof(num), "%zu", i);
			assert_int_equal(pseudo_add_case(bt, num, out[i]), 0);
		}
		assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
		assert_int_equal(n, N + PSEUDO_CHECK_ELEMENTS);
		evaluate_all(el, n, k1, 0, ev);
		if (pseudo_batch_finish(bt, ev, link1, 1, check2) == -EBADMSG)
			caught++;
		pseudo_batch_forget(bt);
	}
	/* 2 in 22 on average: 18 of 200; none at all has odds of 5e-9. */
	assert_true(caught > 0 && caught < ROUNDS / 3);

	/* Another key throughout: the round passes, the value differs. */
	assert_int_equal(pseudo_add_case(bt, "x", out[0]), 0);
	assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
	evaluate_all(el, n, k2, SIZE_MAX, ev);
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check2), 0);
	assert_memory_not_equal(check1, check2, 32);
	/* The right key again: the same value as the first round. */
	assert_int_equal(pseudo_add_case(bt, "z", out[0]), 0);
	assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
	evaluate_all(el, n, k1, SIZE_MAX, ev);
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check2), 0);
	assert_memory_equal(check1, check2, 32);

	assert_int_equal(pseudo_add_case(bt, "y", out[0]), 0);
	assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
	memset(bad, 0xff, sizeof(bad));
	for (j = 0; j < n; j++)
		memcpy(ev + 32 * j, bad, 32);
	assert_int_equal(pseudo_batch_finish(bt, ev, link1, 1, check1),
			 -EINVAL);
	pseudo_batch_forget(bt);
	free(ev);
	pseudo_batch_free(&bt);
}

/* Two holders with shares k1 and k2 give the pseudonyms of k1 + k2. */
static void
test_shares(void **state)
{
	uint8_t k[32], got[32], want[32], check[32];
	const uint8_t *el;
	uint8_t *e1, *e2;
	struct pseudo_batch *bt = pseudo_batch_new();
	size_t i, n;

	(void)state;
	oprf_key_add(k1, k2, k);
	doc(k, link1, "DNI", "73914826", want);
	assert_int_equal(pseudo_add_document(bt, "DNI", "73914826", got), 0);
	assert_int_equal(pseudo_batch_blind(bt, 1, 0, &el, &n), 0);
	e1 = malloc(n * 32);
	e2 = malloc(n * 32);
	for (i = 0; i < n; i++) {
		assert_int_equal(oprf_evaluate(k1, el + 32 * i, e1 + 32 * i),
				 0);
		assert_int_equal(oprf_evaluate(k2, el + 32 * i, e2 + 32 * i),
				 0);
		assert_int_equal(
		    oprf_element_add(e1 + 32 * i, e2 + 32 * i, e1 + 32 * i), 0);
	}
	assert_int_equal(pseudo_batch_finish(bt, e1, link1, 1, check), 0);
	assert_memory_equal(got, want, 32);
	/* Either share alone gives something else. */
	doc(k1, link1, "DNI", "73914826", want);
	assert_memory_not_equal(got, want, 32);
	free(e1);
	free(e2);
	pseudo_batch_free(&bt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_documented),
	    cmocka_unit_test(test_stable),
	    cmocka_unit_test(test_domains),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_spelling_variants),
	    cmocka_unit_test(test_batch),
	    cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_progress),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_shares),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
