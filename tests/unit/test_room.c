/*
 * test_room.c - what one child or one case may cost the consolidator
 * (stats_room): the plain walk of link.c (every object joining its
 * document and its name key, ambiguity ignored, the batch's pending
 * changes seen through the overlay, an institution's own records or all),
 * and the caps over a real LMDB store: refused events leave nothing, and
 * the tables of the accepted are those a replay or a rebuild of them gives.
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

#include "date.h"
#include "link.h"
#include "stats.h"
#include "store.h"

#define MAP (64u << 20)

/* A 32-byte key made of a tag and a number. */
static void
key_of(uint8_t tag, int n, uint8_t out[PSEUDONYM_LEN])
{
	memset(out, 0, PSEUDONYM_LEN);
	out[0] = tag;
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	out[31] = 0xa5;
}

/* ---- the plain walk ----------------------------------------------------- */

/* An object: doc > 0 a DNI, doc < 0 a passport, 0 none; name > 0. */
static struct link_obj
O(int doc, int name) {
	struct link_obj o;

	memset(&o, 0, sizeof(o));
	if (doc > 0) {
		o.doc_type = DOC_DNI;
		key_of(1, doc, o.doc);
	} else if (doc < 0) {
		o.doc_type = DOC_PASSPORT;
		key_of(3, -doc, o.doc);
	}
	if (name > 0) {
		o.has_name = true;
		key_of(2, name, o.name);
	}
	return o;
}

static void
add(struct link *l, unsigned inst, uint64_t seq, struct link_obj o)
{
	assert_int_equal(link_add(l, LINK_ORIGIN(inst, seq), &o, 1, NULL), 0);
}

/* The plain count of a new record (inst, seq) with object o. */
static size_t
count(struct link *l, unsigned inst, uint64_t seq, struct link_obj o,
      unsigned only, size_t cap)
{
	size_t n = 0;

	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(inst, seq), &o, 1, only, cap, &n),
	    0);
	return n;
}

static void
test_plain_chain(void **state)
{
	struct link *l = link_new();

	(void)state;
	assert_non_null(l);
	/* DNI 1 - name 1 - passport 1 - name 2, across document types. */
	add(l, 1, 1, O(1, 1));
	add(l, 1, 2, O(-1, 1));
	add(l, 1, 3, O(-1, 2));
	add(l, 1, 4, O(7, 7)); /* another child */
	assert_int_equal(count(l, 1, 10, O(0, 2), 0, 100), 4);
	assert_int_equal(count(l, 1, 10, O(1, 0), 0, 100), 4);
	assert_int_equal(count(l, 1, 10, O(7, 0), 0, 100), 2);
	assert_int_equal(count(l, 1, 10, O(8, 8), 0, 100), 1);
	/* A record counted as it becomes: record 3 moved to the other. */
	assert_int_equal(count(l, 1, 3, O(7, 0), 0, 100), 2);
	assert_int_equal(count(l, 1, 3, O(1, 0), 0, 100), 3);
	/* Stopped once past the cap. */
	assert_int_equal(count(l, 1, 10, O(1, 0), 0, 2), 3);
	link_free(&l);
}

static void
test_plain_star(void **state)
{
	struct link *l = link_new();
	int i;

	(void)state;
	assert_non_null(l);
	/* One name with five DNIs: ambiguous, each DNI its own victim,
	 * yet one plain component. */
	for (i = 1; i <= 5; i++)
		add(l, 1, (uint64_t)i, O(i, 1));
	assert_int_equal(count(l, 1, 10, O(0, 1), 0, 100), 6);
	assert_int_equal(count(l, 1, 10, O(3, 0), 0, 100), 6);
	assert_int_equal(count(l, 1, 10, O(6, 1), 0, 100), 6);
	assert_int_equal(count(l, 1, 10, O(6, 0), 0, 100), 1);
	link_free(&l);
}

static void
test_plain_overlay(void **state)
{
	struct link *l = link_new();
	struct link_obj o = O(1, 1);

	(void)state;
	assert_non_null(l);
	add(l, 1, 1, o);
	add(l, 1, 2, o);
	assert_int_equal(count(l, 1, 10, o, 0, 100), 3);
	/* The batch's pending adds are counted, a pending removal frees. */
	assert_int_equal(link_pend(l, LINK_ORIGIN(1, 3), &o, 1), 0);
	assert_int_equal(link_pend(l, LINK_ORIGIN(2, 1), &o, 1), 0);
	assert_int_equal(count(l, 1, 10, o, 0, 100), 5);
	assert_int_equal(link_pend(l, LINK_ORIGIN(1, 1), NULL, 0), 0);
	assert_int_equal(count(l, 1, 10, o, 0, 100), 4);
	/* A pending record's latest state wins: moved to another child. */
	{
		struct link_obj other = O(9, 9);
		assert_int_equal(link_pend(l, LINK_ORIGIN(2, 1), &other, 1), 0);
	}
	assert_int_equal(count(l, 1, 10, o, 0, 100), 3);
	assert_int_equal(count(l, 1, 10, O(9, 0), 0, 100), 2);
	/* Pending keys the graph does not hold, chained. */
	{
		struct link_obj a = O(0, 5), b = O(-5, 5);
		assert_int_equal(link_pend(l, LINK_ORIGIN(1, 4), &a, 1), 0);
		assert_int_equal(link_pend(l, LINK_ORIGIN(1, 5), &b, 1), 0);
	}
	assert_int_equal(count(l, 1, 10, O(-5, 0), 0, 100), 3);
	/* Cleared at the batch's end: the graph alone again. */
	link_batch_end(l);
	assert_int_equal(count(l, 1, 10, o, 0, 100), 3);
	assert_int_equal(count(l, 1, 10, O(-5, 0), 0, 100), 1);
	/* A batch that grew the overlay past what is kept: let go, and
	 * the next batch's counted as well. */
	{
		uint64_t i;
		for (i = 1; i <= 70000; i++) {
			struct link_obj x = O((int)(i % 60000) + 100, 0);
			assert_int_equal(link_pend(l, LINK_ORIGIN(3, i), &x, 1),
					 0);
		}
	}
	assert_int_equal(count(l, 1, 10, O(105, 0), 0, 100), 3);
	link_batch_end(l);
	assert_int_equal(count(l, 1, 10, O(105, 0), 0, 100), 1);
	assert_int_equal(link_pend(l, LINK_ORIGIN(1, 3), &o, 1), 0);
	assert_int_equal(count(l, 1, 10, o, 0, 100), 4);
	link_batch_end(l);
	link_free(&l);
}

static void
test_plain_own(void **state)
{
	struct link *l = link_new();

	(void)state;
	assert_non_null(l);
	/* inst 1's DNI 1 - name 1, inst 2's name 1 - passport 1, inst 1's
	 * passport 1 - name 2: inst 1's own walk does not pass through inst
	 * 2's record, the whole one does. */
	add(l, 1, 1, O(1, 1));
	add(l, 2, 1, O(-1, 1));
	add(l, 1, 2, O(-1, 2));
	add(l, 2, 2, O(1, 0));
	assert_int_equal(count(l, 1, 10, O(1, 0), 1, 100), 2);
	assert_int_equal(count(l, 1, 10, O(0, 2), 1, 100), 2);
	assert_int_equal(count(l, 2, 10, O(1, 0), 2, 100), 2);
	assert_int_equal(count(l, 2, 10, O(0, 1), 2, 100), 2);
	assert_int_equal(count(l, 1, 10, O(1, 0), 0, 100), 5);
	link_free(&l);
}

static void
test_plain_objects(void **state)
{
	struct link *l = link_new();
	struct link_obj two[2] = {O(7, 0), O(8, 0)};
	struct link_obj cand[2];
	size_t n = 0;

	(void)state;
	assert_non_null(l);
	/* A record of two victims is a record of each: counted in both
	 * components (what is counted is victim objects). */
	assert_int_equal(link_add(l, LINK_ORIGIN(1, 3), two, 2, NULL), 0);
	add(l, 1, 4, O(8, 0));
	add(l, 1, 1, O(1, 1));
	add(l, 1, 2, O(1, 1));
	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(1, 10), two, 2, 0, 100, &n), 0);
	assert_int_equal(n, 3);
	/* The most of its victims' counts; one child named twice in a
	 * record, twice: each object costs the walks about her. */
	cand[0] = O(0, 1);
	cand[1] = O(1, 0);
	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(1, 10), cand, 2, 0, 100, &n), 0);
	assert_int_equal(n, 4);
	cand[1] = O(8, 0);
	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(1, 10), cand, 2, 0, 100, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(1, 10), cand, 2, 0, 2, &n), 0);
	assert_int_equal(n, 3);
	link_free(&l);
}

/*
 * Case stages naming 256 children of one name and birth date, each with
 * a DNI of her own: the name is ambiguous (256 victims in the tables),
 * but every object is one more on the name's key, read by every walk
 * about any of them; counted as objects, four such records are 1,024,
 * past a cap of 1,000 (counted as records they were four, and each walk
 * read every object of every such record below the cap).
 */
static void
test_plain_wide(void **state)
{
	struct link *l = link_new();
	struct link_obj objs[256];
	size_t n = 0;
	uint64_t r;
	int i;

	(void)state;
	assert_non_null(l);
	for (r = 1; r <= 3; r++) {
		for (i = 0; i < 256; i++)
			objs[i] = O((int)r * 1000 + i, 7);
		assert_int_equal(
		    link_add(l, LINK_ORIGIN(1, r), objs, 256, NULL), 0);
	}
	for (i = 0; i < 256; i++)
		objs[i] = O(9000 + i, 7);
	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(1, 4), objs, 256, 0, 1000, &n), 0);
	assert_true(n > 1000);
	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(1, 4), objs, 255, 0, 1100, &n), 0);
	assert_int_equal(n, 3 * 256 + 255);
	/* One of her own institution's, one of another's: the own count. */
	assert_int_equal(
	    link_plain_count(l, LINK_ORIGIN(2, 4), objs, 2, 2, 1000, &n), 0);
	assert_int_equal(n, 2);
	link_free(&l);
}

/*
 * A record changed again and again in one batch: only its latest state
 * is counted, however often (each change takes the earlier off its keys'
 * chains, which otherwise grew with every change and made each walk read
 * them all: a batch of N changes cost N squared).
 */
static void
test_plain_repend(void **state)
{
	struct link *l = link_new();
	struct link_obj a = O(1, 1), b = O(2, 2);
	int i;

	(void)state;
	assert_non_null(l);
	add(l, 1, 1, a);
	for (i = 0; i < 5001; i++)
		assert_int_equal(
		    link_pend(l, LINK_ORIGIN(1, 2), i % 2 ? &b : &a, 1), 0);
	/* The last state (i = 5000) is a: a with records 1 and 2. */
	assert_int_equal(count(l, 1, 10, a, 0, 100), 3);
	assert_int_equal(count(l, 1, 10, b, 0, 100), 1);
	assert_int_equal(link_pend(l, LINK_ORIGIN(1, 2), &b, 1), 0);
	assert_int_equal(count(l, 1, 10, a, 0, 100), 2);
	assert_int_equal(count(l, 1, 10, b, 0, 100), 2);
	assert_int_equal(link_pend(l, LINK_ORIGIN(1, 2), NULL, 0), 0);
	assert_int_equal(count(l, 1, 10, b, 0, 100), 1);
	/* Record 1 moved to b in the batch too: a keeps none of the graph. */
	assert_int_equal(link_pend(l, LINK_ORIGIN(1, 1), &b, 1), 0);
	assert_int_equal(count(l, 1, 10, a, 0, 100), 1);
	assert_int_equal(count(l, 1, 10, b, 0, 100), 2);
	link_batch_end(l);
	assert_int_equal(count(l, 1, 10, a, 0, 100), 2);
	link_free(&l);
}

/* ---- the caps over a store ---------------------------------------------- */

struct world {
	char dir[64];
	struct store *st;
	struct stats *s;
	struct store_txn *t;
	uint64_t seq[INST_COUNT + 1];
	/* The events accepted, for a replay. */
	struct accepted {
		enum institution inst;
		uint64_t seq;
		struct event ev;
	} * acc;
	size_t n_acc;
};

static struct world w;

static int
open_world(struct world *x, const char *tag)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->dir, sizeof(x->dir), "/tmp/kuska-room-%s-XXXXXX", tag);
	if (mkdtemp(x->dir) == NULL)
		return -1;
	if (store_open(x->dir, MAP, MAP, &x->st) != 0)
		return -1;
	x->s = stats_new();
	x->acc = calloc(64, sizeof(*x->acc));
	return x->s == NULL || x->acc == NULL || stats_load(x->s, x->st) != 0
		   ? -1
		   : 0;
}

static int
close_world(struct world *x)
{
	char cmd[128];

	stats_free(&x->s);
	store_close(&x->st);
	free(x->acc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	(void)state;
	return open_world(&w, "w");
}

static int
teardown(void **state)
{
	(void)state;
	return close_world(&w);
}

static void
begin(struct world *x)
{
	assert_int_equal(store_begin(x->st, true, &x->t), 0);
	stats_begin(x->s, x->t);
}

static void
commit(struct world *x)
{
	assert_int_equal(stats_flush(x->s), 0);
	assert_int_equal(store_commit(&x->t), 0);
	stats_committed(x->s);
}

/*
 * As ingest does: ev, inst's next sequence, judged by stats_room then
 * applied when it has room. Returns the reason; *ret_seq its sequence.
 */
static enum reason
take(enum institution inst, const struct event *ev, uint64_t *ret_seq,
     char *why, size_t whylen)
{
	uint64_t seq = ++w.seq[inst];
	enum reason res;
	int err = 0;

	why[0] = '\0';
	res = stats_room(w.s, inst, seq, ev, why, whylen, &err);
	assert_int_equal(err, 0);
	if (ret_seq != NULL)
		*ret_seq = seq;
	if (res != REASON_NONE)
		return res;
	assert_int_equal(event_check(ev, NULL), 0);
	assert_int_equal(stats_apply(w.s, inst, seq, ev, 20000), 0);
	w.acc[w.n_acc].inst = inst;
	w.acc[w.n_acc].seq = seq;
	w.acc[w.n_acc].ev = *ev;
	w.n_acc++;
	return res;
}

static struct event
ident(int dni, int name)
{
	struct event ev;
	struct victim *v = &ev.rec.victim;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ev.rec.kind = KIND_IDENTIFICATION;
	ev.rec.date = date_from_ymd(2025, 3, 1);
	ev.rec.region = 15;
	ev.rec.exploitation = 1u << EXPL_SEXUAL;
	v->doc_type = DOC_DNI;
	key_of(1, dni, v->doc_key);
	v->has_name_key = true;
	key_of(2, name, v->name_key);
	v->sex = SEX_F;
	v->age_years = 15;
	v->age_group = age_group_of(15);
	memcpy(v->nationality, "PE", 3);
	return ev;
}

static struct event
withdrawal(uint64_t target)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = KIND_WITHDRAWAL;
	ev.target_seq = target;
	return ev;
}

static struct event
case_stage(int case_no, enum stage stage)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ev.rec.kind = KIND_CASE_STAGE;
	ev.rec.date = date_from_ymd(2025, 3, 1);
	ev.rec.region = 15;
	key_of(9, case_no, ev.rec.case_id);
	ev.rec.stage = stage;
	ev.rec.persons = 1;
	snprintf(ev.rec.article, sizeof(ev.rec.article), "129-A");
	return ev;
}

/* A digest of every entry of the statistics' tables. */
static int
digest_entry(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	uint64_t *h = arg;
	const uint8_t *p;
	size_t i;

	for (p = k, i = 0; i < klen; i++)
		*h = (*h ^ p[i]) * 1099511628211ULL;
	*h = (*h ^ 0xff) * 1099511628211ULL;
	for (p = v, i = 0; i < vlen; i++)
		*h = (*h ^ p[i]) * 1099511628211ULL;
	*h = (*h ^ 0xfe) * 1099511628211ULL;
	return 0;
}

static uint64_t
digest(struct world *x)
{
	struct store_txn *t;
	uint64_t h = 1469598103934665603ULL;
	enum store_table tbs[] = {T_LIVE, T_COUNTERS};
	size_t i;

	assert_int_equal(store_begin(x->st, false, &t), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(
		    store_each(t, tbs[i], NULL, 0, digest_entry, &h), 0);
	store_abort(&t);
	return h;
}

/* The accepted events of w applied again, without the check, into x. */
static void
replay(struct world *x)
{
	size_t i;

	begin(x);
	for (i = 0; i < w.n_acc; i++)
		assert_int_equal(stats_apply(x->s, w.acc[i].inst, w.acc[i].seq,
					     &w.acc[i].ev, 20000),
				 0);
	commit(x);
}

static void
test_victim_cap(void **state)
{
	struct event ev = ident(1, 1);
	struct world again;
	char why[256];
	uint64_t first = 0, h;

	(void)state;
	stats_set_caps(w.s, 4, 200);
	begin(&w);
	/* PNP twice, then its own half (2) is full. */
	assert_int_equal(take(INST_PNP, &ev, &first, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_TOO_LARGE);
	assert_string_equal(why, "the child would have over 2 records of "
				 "this institution (max_victim_records 4 "
				 "allows one institution 2)");
	assert_null(strchr(why, ','));
	/* MP twice (4 in all), then the 5th of the batch is refused. */
	assert_int_equal(take(INST_MP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	ev = ident(2, 1); /* another DNI, the same name: the plain count */
	assert_int_equal(take(INST_MP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_MIMP, &ev, NULL, why, sizeof(why)),
			 REASON_TOO_LARGE);
	assert_string_equal(why, "the child would have over 4 records "
				 "(max_victim_records 4)");
	/* Past both: refused for the whole, her own not walked (the walk
	 * through PNP's own would read every object of the others'). */
	ev = ident(1, 1);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_TOO_LARGE);
	assert_string_equal(why, "the child would have over 4 records "
				 "(max_victim_records 4)");
	/* Another child has room. */
	ev = ident(3, 3);
	assert_int_equal(take(INST_MIMP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	commit(&w);

	/* Across batches the same; a withdrawal is never refused, and
	 * frees room. */
	begin(&w);
	ev = ident(1, 1);
	assert_int_equal(take(INST_MIMP, &ev, NULL, why, sizeof(why)),
			 REASON_TOO_LARGE);
	ev = withdrawal(first);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	ev = ident(1, 1);
	assert_int_equal(take(INST_MIMP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_TOO_LARGE);
	commit(&w);

	/* The accepted alone, replayed without the check, give the same
	 * tables; so does a rebuild of the same store. */
	h = digest(&w);
	assert_int_equal(open_world(&again, "again"), 0);
	replay(&again);
	assert_int_equal(digest(&again), h);
	assert_int_equal(close_world(&again), 0);
	assert_int_equal(store_begin(w.st, true, &w.t), 0);
	assert_int_equal(stats_clear(w.s, w.t), 0);
	assert_int_equal(store_commit(&w.t), 0);
	replay(&w);
	assert_int_equal(digest(&w), h);
}

static void
test_case_cap(void **state)
{
	struct event ev;
	char why[256];
	uint64_t seq1 = 0;
	struct world again;

	(void)state;
	stats_set_caps(w.s, 1000, 3);
	begin(&w);
	ev = case_stage(7, STAGE_COMPLAINT);
	assert_int_equal(take(INST_PNP, &ev, &seq1, why, sizeof(why)),
			 REASON_NONE);
	ev = case_stage(7, STAGE_PRELIMINARY_INVESTIGATION);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	commit(&w);
	begin(&w);
	ev = case_stage(7, STAGE_PRELIMINARY_INVESTIGATION);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	ev = case_stage(7, STAGE_FORMALIZED_INVESTIGATION);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_TOO_LARGE);
	assert_string_equal(why, "the case would hold 4 facts of this "
				 "institution (max_case_records 3)");
	/* Another institution's stage of the same case has room. */
	ev = case_stage(7, STAGE_FORMALIZED_INVESTIGATION);
	assert_int_equal(take(INST_MP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	/* A correction of one of PNP's adds none. */
	ev = case_stage(7, STAGE_COMPLAINT);
	ev.kind = KIND_CORRECTION;
	ev.target_seq = seq1;
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	commit(&w);
	assert_int_equal(open_world(&again, "again"), 0);
	replay(&again);
	assert_int_equal(digest(&again), digest(&w));
	assert_int_equal(close_world(&again), 0);
}

/* A dropped transaction's events leave no trace in the overlay. */
static void
test_discard(void **state)
{
	struct event ev = ident(1, 1);
	char why[256];

	(void)state;
	stats_set_caps(w.s, 4, 200);
	begin(&w);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	stats_discard(w.s);
	store_abort(&w.t);
	w.seq[INST_PNP] = 0;
	w.n_acc = 0;
	/* Four of others have room: PNP's two are gone. */
	begin(&w);
	assert_int_equal(take(INST_MP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_MP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_MIMP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_MIMP, &ev, NULL, why, sizeof(why)),
			 REASON_NONE);
	assert_int_equal(take(INST_PNP, &ev, NULL, why, sizeof(why)),
			 REASON_TOO_LARGE);
	commit(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_chain),
	    cmocka_unit_test(test_plain_star),
	    cmocka_unit_test(test_plain_overlay),
	    cmocka_unit_test(test_plain_own),
	    cmocka_unit_test(test_plain_objects),
	    cmocka_unit_test(test_plain_wide),
	    cmocka_unit_test(test_plain_repend),
	    cmocka_unit_test_setup_teardown(test_victim_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
