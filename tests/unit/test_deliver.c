/*
 * test_deliver.c - the node's reading of the answers to its refusals
 * asked (deliver_refusals_answer): a piece and the next, the last piece,
 * nothing more held, and the duplicate answer to an ask sent twice, which
 * must not end the chain before the answer to the ask under way; and
 * which sequences a recorded answer speaks for all of
 * (deliver_refusals_covered), where a dead letter it does not name was
 * accepted; and a consolidator that answers what cannot be (an Ack of
 * sequences this outbox never wrote, refusals of sequences it does not
 * acknowledge, a GAP expecting past the outbox), whose answer changes
 * nothing (deliver_answer_believable, deliver_message on a real outbox),
 * nor does a Welcome with a clock reading of any 64 bits overflow the
 * node's sum of its skew; and answers without end, read at most
 * DELIVER_MAX_PER_CALL taken at a time (deliver_read), those nothing
 * waits for DELIVER_DRAIN_MAX at a time, with no commit, as is the same
 * Welcome twice; refusals and undecodable frames without end are logged
 * within a budget; what a genuine consolidator sends in the orders it
 * can is all taken; an Ack that acknowledges the batches before its own,
 * whose Acks were lost, has their refusals asked for; a flood's cut whose
 * new socket is refused (out of descriptors) tries a new one again, never
 * the flooded one redialled nor sent anything, whatever is read there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "curve_rig.h"
#include "date.h"
#include "deliver.h"
#include "keys.h"
#include "log.h"
#include "transport.h"

/* Asked from 11, acknowledged 5000, the consolidator holding 5000. */
static void
test_continuation(void **state)
{
	uint64_t next = 99;

	(void)state;
	assert_int_equal(deliver_refusals_answer(11, 1034, 5000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 1035);
	/* A piece of one sequence still moves on. */
	assert_int_equal(deliver_refusals_answer(11, 11, 5000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 12);
}

static void
test_done(void **state)
{
	uint64_t next = 99;

	(void)state;
	assert_int_equal(deliver_refusals_answer(1035, 5000, 5000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 0);
	/* Looked past the acknowledged sequence: all known. */
	next = 99;
	assert_int_equal(deliver_refusals_answer(1035, 6000, 6000, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 0);
	/* Nothing held from there (a consolidator behind): ends. */
	next = 99;
	assert_int_equal(deliver_refusals_answer(1035, 900, 900, 5000, &next),
			 REFUSALS_RECORD);
	assert_int_equal(next, 0);
}

/*
 * The ask from 11 sent twice (a Welcome after an Ack time-out): the first
 * answer moved the node to 1035 and asked from there; the second, the
 * same piece, is stale and must leave that ask alone.
 */
static void
test_stale_duplicate(void **state)
{
	uint64_t next = 99;

	(void)state;
	assert_int_equal(deliver_refusals_answer(1035, 1034, 5000, 5000, &next),
			 REFUSALS_STALE);
	assert_int_equal(next, 99);
	assert_int_equal(deliver_refusals_answer(1035, 1, 1035, 5000, &next),
			 REFUSALS_STALE);
	assert_int_equal(next, 99);
}

static void
test_covered(void **state)
{
	uint64_t first = 99, last = 99;

	(void)state;
	/* A piece: from where asked to where the consolidator stopped. */
	deliver_refusals_covered(11, 1034, 5000, true, &first, &last);
	assert_int_equal(first, 11);
	assert_int_equal(last, 1034);
	/* Never past what the node holds acknowledged. */
	deliver_refusals_covered(11, 6000, 5000, true, &first, &last);
	assert_int_equal(first, 11);
	assert_int_equal(last, 5000);
	/* Nothing held from there, or only a guess: none. */
	deliver_refusals_covered(1035, 1034, 5000, true, &first, &last);
	assert_int_equal(first, 0);
	deliver_refusals_covered(11, 5000, 5000, false, &first, &last);
	assert_int_equal(first, 0);
	deliver_refusals_covered(0, 5000, 5000, true, &first, &last);
	assert_int_equal(first, 0);
}

/* An Ack of last_seq (batch 1) refusing seq (0: none). */
static struct msg
ack_of(uint64_t last_seq, struct rejection *rej, uint64_t seq)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_ACK;
	m.batch_id = 1;
	m.last_seq = last_seq;
	if (seq != 0) {
		memset(rej, 0, sizeof(*rej));
		rej->seq = seq;
		rej->reason = REASON_BAD_EVENT;
		m.rejections = rej;
		m.n_rejections = 1;
	}
	return m;
}

/* The outbox holds 1..3 (next_seq 4). */
static void
test_believable(void **state)
{
	struct rejection rej;
	struct msg m;
	char why[128] = "";

	(void)state;
	m = ack_of(3, NULL, 0);
	assert_true(deliver_answer_believable(&m, 4, why, sizeof(why)));
	m = ack_of(3, &rej, 2);
	assert_true(deliver_answer_believable(&m, 4, why, sizeof(why)));
	m = ack_of(0, NULL, 0); /* holds nothing: not a lie */
	assert_true(deliver_answer_believable(&m, 4, why, sizeof(why)));
	m = ack_of(4, NULL, 0);
	assert_false(deliver_answer_believable(&m, 4, why, sizeof(why)));
	assert_string_equal(why, "it acknowledges sequence 4, this outbox "
				 "holds up to 3");
	m = ack_of(UINT64_MAX, NULL, 0);
	assert_false(deliver_answer_believable(&m, 4, why, sizeof(why)));
	m = ack_of(2, &rej, 3);
	assert_false(deliver_answer_believable(&m, 4, why, sizeof(why)));
	assert_string_equal(why, "it refuses sequence 3, outside the 1 to 2 "
				 "it acknowledges");
	m = ack_of(2, &rej, 2);
	rej.seq = 0;
	assert_false(deliver_answer_believable(&m, 4, why, sizeof(why)));
	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.reason = REASON_GAP;
	m.has_expected = true;
	m.expected_seq = 4;
	assert_true(deliver_answer_believable(&m, 4, why, sizeof(why)));
	m.expected_seq = 5;
	assert_false(deliver_answer_believable(&m, 4, why, sizeof(why)));
	assert_string_equal(why, "it expects sequence 5, this outbox holds "
				 "up to 3");
	m.reason = REASON_BAD_EVENT; /* another refusal: no sequence */
	assert_true(deliver_answer_believable(&m, 4, why, sizeof(why)));
}

/* Hands m to d as the consolidator's frame. */
static void
answer(struct deliver *d, const struct msg *m)
{
	uint8_t *buf;
	size_t len;

	assert_int_equal(codec_msg_encode(m, &buf, &len), 0);
	deliver_message(d, buf, len, 1000);
	free(buf);
}

/*
 * A consolidator that lies to a delivering node: nothing of its answer
 * reaches the outbox (acknowledged sequence, dead letters) nor the
 * delivery's state, and the node says hello again; a true Ack then is
 * recorded as ever.
 */
static void
test_lying_consolidator(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX", cmd[64];
	static const uint8_t env[] = "an envelope";
	struct outbox *ob = NULL;
	struct outbox_txn *t = NULL;
	struct outbox_state st;
	struct deliver d;
	struct rejection rej;
	struct msg m;
	uint64_t s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(outbox_open(dir, 16u << 20, &ob), 0);
	assert_int_equal(outbox_begin(ob, &t), 0);
	for (s = 1; s <= 3; s++) {
		char ref[16];
		snprintf(ref, sizeof(ref), "REF-%llu", (unsigned long long)s);
		assert_int_equal(
		    outbox_append(t, s, 1000, env, sizeof(env), ref), 0);
	}
	assert_int_equal(outbox_commit(&t), 0);
	memset(&d, 0, sizeof(d));
	d.ob = ob;
	d.window = 4;
	d.batch_events = 100;
	d.ack_timeout_ms = 30000;
	deliver_init(&d);
	/* Welcomed at 0, batch 1 (1..3) in flight. */
	d.welcomed = true;
	d.sent_upto = 3;
	d.q[0].batch_id = 1;
	d.q[0].first = 1;
	d.q[0].last = 3;
	d.nq = 1;

	m = ack_of(1000000, NULL, 0);
	answer(&d, &m);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 0);
	assert_int_equal(d.acked, 0);
	assert_false(d.welcomed); /* hello again */

	d.welcomed = true;
	m = ack_of(2, &rej, 3);
	answer(&d, &m);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 0);
	assert_int_equal(st.dead_total, 0);
	assert_false(d.welcomed);

	d.welcomed = true;
	d.sent_upto = 3;
	memset(&m, 0, sizeof(m));
	m.type = MSG_REFUSAL;
	m.reason = REASON_GAP;
	m.has_expected = true;
	m.expected_seq = 1000000;
	answer(&d, &m);
	assert_int_equal(d.sent_upto, 3);
	assert_int_equal(d.acked, 0);
	assert_false(d.welcomed);

	/* The truth is recorded. */
	m = ack_of(3, &rej, 2);
	answer(&d, &m);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 3);
	assert_int_equal(st.dead_total, 1);

	outbox_close(&ob);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * A Welcome whose clock reads 2^63 ms (or 2^64 - 1): the skew is a large
 * difference, never a signed overflow (UBSan stops the test at one).
 */
static void
test_welcome_clock(void **state)
{
	static const uint64_t reading[] = {(uint64_t)1 << 63, UINT64_MAX,
					   ((uint64_t)1 << 63) - 1};
	char dir[] = "/tmp/kuska-deliver-XXXXXX", cmd[64];
	struct outbox *ob = NULL;
	struct deliver d;
	struct msg m;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(outbox_open(dir, 16u << 20, &ob), 0);
	for (i = 0; i < sizeof(reading) / sizeof(reading[0]); i++) {
		memset(&d, 0, sizeof(d));
		d.ob = ob;
		d.inst = INST_PNP;
		d.window = 4;
		d.batch_events = 100;
		d.ack_timeout_ms = 30000;
		deliver_init(&d);
		d.hello_wall_ms = date_now_ms();
		memset(&m, 0, sizeof(m));
		m.type = MSG_WELCOME;
		m.now_ms = reading[i];
		answer(&d, &m);
		assert_true(d.welcomed);
		assert_true(d.has_skew);
		/* This clock far behind, by no more than 2^53 ms. */
		assert_true(d.skew_ms < 0);
		assert_true(d.skew_ms >= -((int64_t)1 << 53));
	}
	outbox_close(&ob);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The rig of the Welcome-unmatched tests: a deliver of mimp (window 4,
 * 100 events a batch, an Ack time-out of 30 s) initialised over a new
 * outbox *ob in dir (made here); welcome_rig_free undoes it.
 */
static struct deliver *
welcome_rig(char *dir, struct outbox **ob)
{
	struct deliver *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(outbox_open(dir, 16u << 20, ob), 0);
	d->ob = *ob;
	d->inst = INST_MIMP;
	d->window = 4;
	d->batch_events = 100;
	d->ack_timeout_ms = 30000;
	deliver_init(d);
	return d;
}

static void
welcome_rig_free(const char *dir, struct outbox **ob, struct deliver *d)
{
	char cmd[64];

	outbox_close(ob);
	free(d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * The unmatched take-ups a Welcome says are kept when the hello asked for
 * them, and only then; one that says nothing of them (an older
 * consolidator) is noted so, the last list kept. The node asks again at
 * most every DELIVER_UNMATCHED_MIN_MS, and says it is asking while a
 * hello that asked is younger than ack_timeout.
 */
static void
test_welcome_unmatched(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct unmatched u[2];
	struct outbox *ob = NULL;
	struct deliver *d = welcome_rig(dir, &ob);
	struct msg m;

	(void)state;
	assert_true(d->unmatched_want); /* the first hello asks */
	memset(u, 0, sizeof(u));
	u[0] = (struct unmatched){.seq = 3, .from = INST_PNP, .date = 20400};
	u[1] = (struct unmatched){.seq = 5, .from = INST_MP, .date = 20401};
	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.has_unmatched = true;
	m.unmatched = u;
	m.n_unmatched = 2;
	m.unmatched_total = 7;
	/* Not asked: not taken. */
	answer(d, &m);
	assert_true(d->welcomed);
	assert_int_equal(d->unmatched_ms, 0);
	assert_int_equal(d->n_unmatched, 0);
	/* Asked (as send_hello leaves it). */
	d->unmatched_asked = true;
	d->unmatched_asked_ms = 1000;
	d->connected = true;
	assert_true(deliver_asking_unmatched(d, 1000 + 29999));
	assert_false(deliver_asking_unmatched(d, 1000 + 30000));
	m.nonce = d->nonce; /* the answer to that hello */
	answer(d, &m);
	assert_int_equal(d->n_unmatched, 2);
	assert_int_equal(d->unmatched_total, 7);
	assert_int_equal(d->unmatched[1].seq, 5);
	assert_int_equal(d->unmatched[1].from, INST_MP);
	assert_true(d->unmatched_ms > 0);
	assert_false(d->unmatched_unsaid);
	assert_false(d->unmatched_asked);
	assert_false(d->unmatched_want);
	assert_false(deliver_asking_unmatched(d, 2000));
	/* Asked again within DELIVER_UNMATCHED_MIN_MS of the last ask: not
	 * yet; past it, at the next tick. */
	deliver_want_unmatched(d, 1000 + DELIVER_UNMATCHED_MIN_MS - 1);
	assert_false(d->unmatched_want);
	deliver_want_unmatched(d, 1000 + DELIVER_UNMATCHED_MIN_MS);
	assert_true(d->unmatched_want);
	assert_true(deliver_asking_unmatched(d, 9000));
	/* An older consolidator's Welcome: not said, the last list kept. */
	d->unmatched_asked = true;
	m.has_unmatched = false;
	m.unmatched = NULL;
	m.n_unmatched = 0;
	m.nonce = d->nonce;
	answer(d, &m);
	assert_true(d->unmatched_unsaid);
	assert_int_equal(d->n_unmatched, 2);
	assert_false(d->unmatched_want);
	welcome_rig_free(dir, &ob, d);
}

/*
 * A Welcome from a copy that is not this outbox's (another outbox's
 * events, as after a restore from an older backup) says sequences of
 * other records than this outbox's: its unmatched take-ups are not taken,
 * which would be shown with the refs of this outbox's records of the same
 * sequences, and kuska status no longer waits for them.
 */
static void
test_welcome_unmatched_diverged(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct unmatched u = {.seq = 1, .from = INST_PNP, .date = 20400};
	struct outbox *ob = NULL;
	struct deliver *d = welcome_rig(dir, &ob);
	struct msg m;

	(void)state;
	d->unmatched_asked = true; /* as send_hello leaves it */
	d->unmatched_asked_ms = 1000;
	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = d->nonce;
	m.has_outbox_id = true;
	memset(m.outbox_id, 0xee, sizeof(m.outbox_id));
	m.has_unmatched = true;
	m.unmatched = &u;
	m.n_unmatched = 1;
	m.unmatched_total = 1;
	answer(d, &m);
	assert_true(d->diverged[0] != '\0');
	assert_int_equal(d->n_unmatched, 0);
	assert_int_equal(d->unmatched_total, 0);
	assert_int_equal(d->unmatched_ms, 0);
	assert_false(d->unmatched_asked);
	assert_false(deliver_asking_unmatched(d, 2000));
	welcome_rig_free(dir, &ob, d);
}

/*
 * An outbox of n events in dir, and a deliver d reading it from dealer,
 * with nothing in flight.
 */
static void
read_setup(char *dir, size_t n, struct tsock *dealer, struct outbox **ob,
	   struct deliver *d)
{
	static const uint8_t env[] = "an envelope";
	struct outbox_txn *t = NULL;
	uint64_t s;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(outbox_open(dir, 16u << 20, ob), 0);
	assert_int_equal(outbox_begin(*ob, &t), 0);
	for (s = 1; s <= n; s++) {
		char ref[16];
		snprintf(ref, sizeof(ref), "REF-%llu", (unsigned long long)s);
		assert_int_equal(
		    outbox_append(t, s, 1000, env, sizeof(env), ref), 0);
	}
	assert_int_equal(outbox_commit(&t), 0);
	memset(d, 0, sizeof(*d));
	d->ob = *ob;
	d->sock = dealer;
	d->inst = INST_PNP;
	d->window = 4;
	d->batch_events = 100;
	d->ack_timeout_ms = 30000;
	deliver_init(d);
}

/*
 * A router and a dealer on inproc, the router holding the dealer's
 * routing frame in *route (the caller's to clear). An inproc socket holds
 * every message sent at once.
 */
static void
read_pair(struct transport *t, const char *ep, struct tsock **router,
	  struct tsock **dealer, struct tframes *route)
{
	static const uint8_t hi[] = "hi";
	const void *p = hi;
	size_t l = sizeof(hi);
	bool ready;
	int e;

	*router = tsock_bind_local(t, ep, 4096, &e);
	assert_non_null(*router);
	*dealer = tsock_connect_local(t, ep, NULL, &e);
	assert_non_null(*dealer);
	assert_int_equal(tsock_send(*dealer, &p, &l, 1), 0);
	assert_int_equal(tsock_poll(router, 1, &ready, 5000), 1);
	assert_int_equal(tsock_recv(*router, route, 2, 4096), 0);
	assert_int_equal(route->n, 2);
}

/* Closes what read_pair and read_setup made, and removes dir. */
static void
read_teardown(const char *dir, struct transport **t, struct tsock **router,
	      struct tsock **dealer, struct outbox **ob)
{
	char cmd[64];

	tsock_free(dealer);
	tsock_free(router);
	transport_free(t);
	outbox_close(ob);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* m sent to route's dealer. */
static void
read_send(struct tsock *router, const struct tframes *route,
	  const struct msg *m)
{
	uint8_t *buf;
	size_t len;
	const void *parts[2];
	size_t lens[2];

	assert_int_equal(codec_msg_encode(m, &buf, &len), 0);
	parts[0] = route->data[0];
	lens[0] = route->len[0];
	parts[1] = buf;
	lens[1] = len;
	assert_int_equal(tsock_send(router, parts, lens, 2), 0);
	free(buf);
}

/*
 * A hello that asked for the unmatched take-ups and is not answered (a
 * consolidator busy or hung, its connection open): no other hello asks
 * in its place, whose new nonce would make its answer stale on the way,
 * and the keep-alives that ask again do not have kuska status wait anew
 * (it waited for ack_timeout after each, every status its 3 s). The
 * answer, come late, is taken.
 */
static void
test_unmatched_unanswered(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct unmatched u = {.seq = 2, .from = INST_MIMP, .date = 20400};
	struct transport *t = transport_new();
	struct tsock *router, *dealer;
	struct outbox *ob = NULL;
	struct tframes f;
	struct deliver d;
	struct msg m;
	uint64_t nonce;
	bool ready;

	(void)state;
	assert_non_null(t);
	read_pair(t, "inproc://test-deliver-unmatched", &router, &dealer, &f);
	read_setup(dir, 3, dealer, &ob, &d);
	d.connected = true;
	d.nonce = 77;
	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = 77;
	m.last_seq = 3;
	read_send(router, &f, &m);
	(void)tsock_poll(&dealer, 1, &ready, 5000);
	assert_int_equal(deliver_read(&d, 1000), 1);
	assert_true(d.welcomed);
	assert_true(d.unmatched_want);
	/* Idle, welcomed: the ask goes at the next tick. */
	assert_true(deliver_asking_unmatched(&d, 2000));
	deliver_tick(&d, 2000);
	assert_true(d.unmatched_asked);
	nonce = d.nonce;
	assert_true(deliver_asking_unmatched(&d, 2000 + 29999));
	/* Unanswered past ack_timeout: no other hello asks. */
	deliver_tick(&d, 2000 + 30000);
	assert_int_equal(d.nonce, nonce);
	assert_false(deliver_asking_unmatched(&d, 2000 + 30000));
	/* A keep-alive asks again: kuska status does not wait anew. */
	d.keepalive_ms = 1000;
	deliver_tick(&d, 2000 + 30001);
	assert_true(d.nonce != nonce);
	assert_true(d.unmatched_asked);
	assert_false(deliver_asking_unmatched(&d, 2000 + 30002));
	/* Its answer, late, is taken. */
	m.nonce = d.nonce;
	m.has_unmatched = true;
	m.unmatched = &u;
	m.n_unmatched = 1;
	m.unmatched_total = 1;
	read_send(router, &f, &m);
	(void)tsock_poll(&dealer, 1, &ready, 5000);
	assert_int_equal(deliver_read(&d, 40000), 1);
	assert_int_equal(d.n_unmatched, 1);
	assert_int_equal(d.unmatched[0].seq, 2);
	assert_false(d.unmatched_asked);
	assert_false(d.unmatched_want);
	tframes_clear(&f);
	read_teardown(dir, &t, &router, &dealer, &ob);
}

/*
 * Calls deliver_read until sent messages are read (or twice as many calls
 * as that), each call reading at most per_call, the first all of per_call
 * (every message was waiting); returns how many were read.
 */
static size_t
read_drain(struct deliver *d, struct tsock *dealer, size_t sent,
	   size_t per_call)
{
	size_t total = 0, calls = 0, n;
	bool ready;

	while (total < sent && calls < 2 * sent) {
		(void)tsock_poll(&dealer, 1, &ready, 5000);
		n = deliver_read(d, 1000);
		assert_true(n <= per_call);
		if (calls == 0)
			assert_int_equal(n, per_call);
		total += n;
		calls++;
	}
	return total;
}

/*
 * A consolidator answering without end: deliver_read takes at most
 * DELIVER_MAX_PER_CALL of the messages waiting that it takes (here 200
 * Acks, each acknowledging one sequence more, each a commit of the
 * outbox), the rest at the next calls, so that the node's loop comes back
 * to its submits and its watchdog. Without the bound the first call read
 * 200.
 */
static void
test_read_bounded(void **state)
{
	enum { SENT = 200 };
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct transport *t = transport_new();
	struct tsock *router, *dealer;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct tframes f;
	struct deliver d;
	struct msg m;
	size_t i;

	(void)state;
	assert_non_null(t);
	read_pair(t, "inproc://test-deliver-read", &router, &dealer, &f);
	for (i = 1; i <= SENT; i++) {
		m = ack_of(i, NULL, 0);
		read_send(router, &f, &m);
	}
	tframes_clear(&f);

	read_setup(dir, SENT, dealer, &ob, &d);
	assert_int_equal(read_drain(&d, dealer, SENT, DELIVER_MAX_PER_CALL),
			 SENT);
	assert_int_equal(deliver_read(&d, 1000), 0);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, SENT);

	read_teardown(dir, &t, &router, &dealer, &ob);
}

/*
 * A consolidator's key flooding a node (docs/SECURITY.md, "Hostile
 * peers"): Acks of no batch in flight acknowledging nothing new, and the
 * same Welcome again, are read DELIVER_DRAIN_MAX a call, all the socket
 * holds up to that, and none but the first Welcome is a commit (the
 * outbox's last contact stays that Welcome's); an Ack acknowledging more
 * is still recorded. Before, the node read them 64 a call, each a commit.
 */
static void
test_read_unasked(void **state)
{
	enum { SENT = 1500 }; /* within the inproc pipe's 2,000 */
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct transport *t = transport_new();
	struct tsock *router, *dealer;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct tframes f;
	struct deliver d;
	struct msg m;
	uint64_t contact;
	size_t i;
	bool ready;

	(void)state;
	assert_non_null(t);
	read_pair(t, "inproc://test-deliver-unasked", &router, &dealer, &f);
	read_setup(dir, 3, dealer, &ob, &d);
	d.nonce = 77;
	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = 77;
	m.last_seq = 2;
	read_send(router, &f, &m);
	(void)tsock_poll(&dealer, 1, &ready, 5000);
	assert_int_equal(deliver_read(&d, 1000), 1);
	assert_true(d.welcomed);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 2);
	contact = st.last_contact_ms;
	assert_true(contact > 0);
	usleep(5000); /* a commit now would record another contact */

	for (i = 0; i < SENT; i++) {
		struct msg a = ack_of(i % 3, NULL, 0);
		a.batch_id = 1000 + i; /* never sent */
		read_send(router, &f, i % 2 == 0 ? &m : &a);
	}
	assert_int_equal(read_drain(&d, dealer, SENT, DELIVER_DRAIN_MAX), SENT);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 2);
	assert_int_equal(st.last_contact_ms, contact);

	/* More than the outbox acknowledged, in flight or not: taken. */
	m = ack_of(3, NULL, 0);
	m.batch_id = 5000;
	read_send(router, &f, &m);
	(void)tsock_poll(&dealer, 1, &ready, 5000);
	assert_int_equal(deliver_read(&d, 1000), 1);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 3);
	tframes_clear(&f);

	read_teardown(dir, &t, &router, &dealer, &ob);
}

/*
 * A consolidator's place taken by the test: a CURVE ROUTER on an ipc
 * socket, every node admitted (curve_rig.h), and the node's DEALER with
 * its monitor connected to it as the daemon connects them, on one
 * transport, all set into a deliver (whose flood cut opens new ones with
 * them).
 */
struct curve_rig {
	struct curve_server srv;
	struct transport *t;	    /* srv's */
	struct tsock *router;	    /* srv's */
	struct tsock *dealer, *mon; /* the node's */
	struct tframes route; /* the node's routing frame, and its "hi" */
};

/* The rig, its files in dir, set into d (made by read_setup). */
static void
curve_open(struct curve_rig *c, const char *dir, struct deliver *d)
{
	/* As the node's daemon (start.c) opens it. */
	struct tsock_limits dlim = {.max_frame = CODEC_MAX_FRAME,
				    .rcv_unbounded = true};
	const struct secret_key *node;
	int e;

	memset(c, 0, sizeof(*c));
	/* All the test sends queued at once: none dropped at the mark. */
	curve_server_open(&c->srv, dir, "consolidator", 2 * DELIVER_FLOOD_MAX);
	c->t = c->srv.fs.t;
	c->router = c->srv.fs.s;
	node = c->srv.node;
	c->dealer =
	    tsock_connect_curve(c->t, c->srv.ep, node->curve_pk, node->curve_sk,
				c->srv.fs.key->curve_pk, &dlim, &c->mon, &e);
	assert_non_null(c->dealer);
	d->t = c->t;
	d->sock = c->dealer;
	d->mon = c->mon;
	d->endpoint = c->srv.ep;
	d->key = node;
	d->cons_pk = c->srv.fs.key->curve_pk;
}

/*
 * Serves the ZAP handler and hands d the monitor's events, as the node's
 * loop does, until the handshake is told (d->connected); then the node's
 * socket says "hi", its routing frame kept at the router in c->route
 * (cleared by the caller). Returns how many disconnections the monitor
 * told meanwhile.
 */
static int
curve_connected(struct curve_rig *c, struct deliver *d)
{
	static const uint8_t hi[] = "hi";
	struct tsock *socks[3] = {c->srv.fs.zap, c->router, c->mon};
	const void *p = hi;
	size_t l = sizeof(hi);
	bool ready[3];
	enum tevent ev;
	char addr[256];
	int i, gone = 0;

	for (i = 0; i < 200 && !d->connected; i++) {
		(void)tsock_poll(socks, 3, ready, 50);
		curve_server_serve(&c->srv);
		while (tsock_monitor_read(c->mon, &ev, addr, sizeof(addr)) ==
		       0) {
			if (ev == TEVENT_DISCONNECTED)
				gone++;
			deliver_event(d, ev, addr, 1000);
		}
	}
	assert_true(d->connected);
	assert_int_equal(tsock_send(c->dealer, &p, &l, 1), 0);
	for (i = 0; i < 200; i++) {
		(void)tsock_poll(&c->router, 1, ready, 50);
		if (tsock_recv(c->router, &c->route, 2, CODEC_MAX_FRAME) == 0)
			break;
	}
	assert_true(i < 200);
	assert_int_equal(c->route.n, 2);
	return gone;
}

/* Frees what curve_open made (the node's socket before its monitor, both
 * before the server's transport). */
static void
curve_close(struct curve_rig *c)
{
	tframes_clear(&c->route);
	tsock_free(&c->dealer);
	tsock_free(&c->mon);
	curve_server_close(&c->srv);
	c->t = NULL;
	c->router = NULL;
}

/*
 * A consolidator's key flooding a node faster than it reads
 * (docs/SECURITY.md, "Hostile peers"): after DELIVER_FLOOD_MAX messages
 * in a row none taken, deliver_read drops the connection, and what libzmq
 * holds of it, and dials again on a new socket, saying so. Before, it
 * read all 4,500 sent, and libzmq held all a flood sent faster than that.
 * The node's path: a CURVE socket and its monitor on the daemon's
 * transport, replaced by tsock_reopen_curve (the same socket redialled,
 * which this test once went through, aborted libzmq under ASan). The
 * cut says the connection down at once (the old monitor, closed, says
 * nothing), the new monitor tells the new handshake and never the old
 * connection's end, and the new socket, in the same struct, reaches the
 * consolidator on a new connection.
 */
static void
test_read_flood_cut(void **state)
{
	enum { SENT = 4500 };
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	uint8_t old_route[256];
	size_t old_len;
	struct curve_rig c;
	struct outbox *ob = NULL;
	struct deliver d;
	struct msg a;
	size_t i, total = 0, n;
	bool ready;
	const char *l;

	(void)state;
	read_setup(dir, 3, NULL, &ob, &d);
	curve_open(&c, dir, &d);
	assert_int_equal(curve_connected(&c, &d), 0);
	assert_true(c.route.len[0] <= sizeof(old_route));
	old_len = c.route.len[0];
	memcpy(old_route, c.route.data[0], old_len);
	capture();
	for (i = 0; i < SENT; i++) {
		a = ack_of(0, NULL, 0);
		a.batch_id = 1000 + i; /* never sent */
		read_send(c.router, &c.route, &a);
	}
	do {
		(void)tsock_poll(&c.dealer, 1, &ready, 1000);
		n = deliver_read(&d, 1000);
		total += n;
	} while (n > 0);
	l = captured();
	/* The rest dropped with the connection. */
	assert_int_equal(total, DELIVER_FLOOD_MAX);
	assert_int_equal(captured_count(l, "event=consolidator_flood"), 1);
	assert_int_equal(d.flood.cuts, 1);
	assert_false(d.welcomed);
	assert_false(d.connected);
	assert_ptr_equal(d.sock, c.dealer);
	assert_ptr_equal(d.mon, c.mon);
	/* The new connection; no disconnection told of the old one. */
	tframes_clear(&c.route);
	assert_int_equal(curve_connected(&c, &d), 0);
	assert_false(c.route.len[0] == old_len &&
		     memcmp(c.route.data[0], old_route, old_len) == 0);
	curve_close(&c);
	read_teardown(dir, &c.t, &c.router, &c.dealer, &ob);
}

/*
 * The next message of the node's socket at the rig's router, within 5 s,
 * decoded into *m (codec_msg_clear'd by the caller): from the routing
 * frame curve_connected kept, the node's connection now.
 */
static void
curve_next(struct curve_rig *c, struct msg *m)
{
	struct tframes f;
	bool ready;

	assert_int_equal(tsock_poll(&c->router, 1, &ready, 5000), 1);
	assert_int_equal(tsock_recv(c->router, &f, 2, CODEC_MAX_FRAME), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.len[0], c->route.len[0]);
	assert_memory_equal(f.data[0], c->route.data[0], f.len[0]);
	assert_int_equal(codec_msg_decode(f.data[1], f.len[1], m), 0);
	tframes_clear(&f);
}

/*
 * The rig of the tests whose flood cut cannot make its new socket: c set
 * into d, made by read_setup in dir with 3 sequences in *ob, connected;
 * the log captured (capture), DELIVER_FLOOD_MAX Acks of batches never
 * sent read and the connection cut, with the process kept to its
 * descriptors meanwhile (fds_hold; fds_release is the caller's), so that the
 * cut's new socket is refused.
 */
static void
flood_cut_held(char *dir, struct curve_rig *c, struct outbox **ob,
	       struct deliver *d)
{
	size_t i, total = 0, n;
	struct msg a;
	bool ready;

	read_setup(dir, 3, NULL, ob, d);
	curve_open(c, dir, d);
	assert_int_equal(curve_connected(c, d), 0);
	capture();
	for (i = 0; i < DELIVER_FLOOD_MAX; i++) {
		a = ack_of(0, NULL, 0);
		a.batch_id = 1000 + i; /* never sent */
		read_send(c->router, &c->route, &a);
	}
	fds_hold();
	do {
		(void)tsock_poll(&c->dealer, 1, &ready, 1000);
		n = deliver_read(d, 1000);
		total += n;
	} while (n > 0);
	assert_int_equal(total, DELIVER_FLOOD_MAX);
	assert_int_equal(d->flood.cuts, 1);
}

/*
 * The flood cut's new socket refused (the node out of descriptors: its
 * RLIMIT_NOFILE held at the descriptors it has, libzmq's next socket
 * refused EMFILE): said, and tried again when due as a new socket, never
 * as the flooded one redialled (zmq_disconnect then zmq_connect on it is
 * what aborted libzmq 4.3.4 under ASan), nothing sent meanwhile on the
 * flooded connection. Descriptors back, the next try makes the new
 * socket, on which the node says hello, is welcomed and delivers its
 * outbox once, acknowledged. Before, a failed new socket had
 * deliver_tick redial the flooded one (event=redial).
 */
static void
test_read_flood_reopen_failed(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	uint8_t old_route[256];
	size_t old_len;
	struct curve_rig c;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct deliver d;
	struct msg a, m;
	uint64_t batch;
	bool ready;
	const char *l;

	(void)state;
	flood_cut_held(dir, &c, &ob, &d);
	assert_true(c.route.len[0] <= sizeof(old_route));
	old_len = c.route.len[0];
	memcpy(old_route, c.route.data[0], old_len);
	assert_false(d.welcomed);
	/* Tried again (not yet due, then due: refused again); nothing
	 * reaches the consolidator on the flooded connection. */
	deliver_tick(&d, 1000);
	deliver_tick(&d, 2000);
	assert_int_equal(tsock_poll(&c.router, 1, &ready, 300), 0);
	fds_release();

	deliver_tick(&d, 3000);
	tframes_clear(&c.route);
	/* The new connection; no disconnection told of the old one. */
	assert_int_equal(curve_connected(&c, &d), 0);
	assert_false(c.route.len[0] == old_len &&
		     memcmp(c.route.data[0], old_route, old_len) == 0);
	deliver_tick(&d, 4000);
	curve_next(&c, &m);
	assert_int_equal(m.type, MSG_HELLO);
	a = (struct msg){.type = MSG_WELCOME, .nonce = m.nonce};
	codec_msg_clear(&m);
	read_send(c.router, &c.route, &a);
	assert_int_equal(tsock_poll(&c.dealer, 1, &ready, 5000), 1);
	assert_int_equal(deliver_read(&d, 4000), 1);
	assert_true(d.welcomed);
	deliver_tick(&d, 4000);
	curve_next(&c, &m);
	assert_int_equal(m.type, MSG_BATCH);
	assert_int_equal(m.n_envelopes, 3);
	batch = m.batch_id;
	codec_msg_clear(&m);
	a = ack_of(3, NULL, 0);
	a.batch_id = batch;
	read_send(c.router, &c.route, &a);
	assert_int_equal(tsock_poll(&c.dealer, 1, &ready, 5000), 1);
	assert_int_equal(deliver_read(&d, 4000), 1);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 3);
	/* Nothing sent twice. */
	deliver_tick(&d, 4000);
	assert_int_equal(tsock_poll(&c.router, 1, &ready, 300), 0);

	l = captured();
	assert_int_equal(captured_count(l, "event=consolidator_flood"), 1);
	assert_int_equal(captured_count(l, "event=redial_failed"), 2);
	assert_int_equal(captured_count(l, "socket=new"), 2);
	assert_int_equal(captured_count(l, "event=redial "), 0);
	curve_close(&c);
	read_teardown(dir, &c.t, &c.router, &c.dealer, &ob);
}

/*
 * While the flood cut's new socket cannot be made, the flooded
 * connection is still read (the node's loop wakes on it), and what is
 * taken there must not answer on it: an Ack acknowledging the outbox's
 * sequences of a batch not known (taken as a Welcome: their refusals are
 * asked for) had the ask sent on the flooded connection.
 */
static void
test_read_flood_reopen_failed_answer(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct curve_rig c;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct deliver d;
	struct msg a, m;
	const char *l;
	bool ready;

	(void)state;
	flood_cut_held(dir, &c, &ob, &d);
	a = ack_of(3, NULL, 0);
	a.batch_id = 77; /* not known */
	read_send(c.router, &c.route, &a);
	assert_int_equal(tsock_poll(&c.dealer, 1, &ready, 5000), 1);
	assert_int_equal(deliver_read(&d, 1000), 1);
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 3); /* taken */
	deliver_tick(&d, 1000);
	fds_release();
	l = captured();
	/* Nothing sent on the flooded connection. */
	assert_int_equal(tsock_poll(&c.router, 1, &ready, 300), 0);
	assert_int_equal(captured_count(l, "event=refusals_asked"), 0);

	/* The new connection: hello, Welcome, and the refusals asked for
	 * there when due. */
	deliver_tick(&d, 2000);
	tframes_clear(&c.route);
	assert_int_equal(curve_connected(&c, &d), 0);
	deliver_tick(&d, 2000);
	curve_next(&c, &m);
	assert_int_equal(m.type, MSG_HELLO);
	a = (struct msg){.type = MSG_WELCOME, .nonce = m.nonce, .last_seq = 3};
	codec_msg_clear(&m);
	read_send(c.router, &c.route, &a);
	assert_int_equal(tsock_poll(&c.dealer, 1, &ready, 5000), 1);
	assert_int_equal(deliver_read(&d, 2000), 1);
	assert_true(d.welcomed);
	deliver_tick(&d, 1000 + d.ack_timeout_ms);
	curve_next(&c, &m);
	assert_int_equal(m.type, MSG_RECOVER_REQUEST);
	assert_true(m.refusals_only);
	codec_msg_clear(&m);
	curve_close(&c);
	read_teardown(dir, &c.t, &c.router, &c.dealer, &ob);
}

/*
 * A consolidator's key sending refusals and undecodable frames without
 * end (read DELIVER_DRAIN_MAX a pass: docs/SECURITY.md, "Hostile peers"):
 * each was a line of the journal; now they share a budget
 * (LOG_BUDGET_BURST at once, then one a second). Before, 400 lines.
 */
static void
test_refusals_logged(void **state)
{
	enum { SENT = 200 };
	char dir[] = "/tmp/kuska-deliver-XXXXXX", cmd[64];
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff};
	struct outbox *ob = NULL;
	struct deliver d;
	struct msg m;
	const char *l;
	size_t i;
	int refused, bad;

	(void)state;
	read_setup(dir, 3, NULL, &ob, &d);
	capture();
	for (i = 0; i < SENT; i++) {
		memset(&m, 0, sizeof(m));
		m.type = MSG_REFUSAL;
		m.reason = REASON_BAD_EVENT;
		m.batch_id = 1 + i;
		d.welcomed = true;
		answer(&d, &m);
		deliver_message(&d, junk, sizeof(junk), 1000);
	}
	l = captured();
	refused = captured_count(l, "event=batch_refused");
	bad = captured_count(l, "event=bad_message_from_consolidator");
	assert_true(refused >= 1);
	/* The burst, and one a second past it (a slow run). */
	assert_true(refused + bad <= 2 * LOG_BUDGET_BURST);

	outbox_close(&ob);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Whether m, sent by router to d's socket, is taken (deliver_message). */
static bool
read_one(struct tsock *router, const struct tframes *route,
	 struct tsock *dealer, struct deliver *d, const struct msg *m)
{
	struct tframes f;
	bool ready, taken;

	read_send(router, route, m);
	assert_int_equal(tsock_poll(&dealer, 1, &ready, 5000), 1);
	assert_int_equal(tsock_recv(dealer, &f, 1, CODEC_MAX_FRAME), 0);
	taken = deliver_message(d, f.data[0], f.len[0], 1000);
	tframes_clear(&f);
	return taken;
}

/*
 * What a genuine consolidator sends, in the orders it can (one node's
 * answers in order: ingest_net.c), all taken and nothing of it lost
 * now that Acks and Welcomes nothing waits for are dropped: an Ack come
 * after its batch's Ack time-out (no batch in flight) acknowledging more
 * than the outbox, its refusal recorded, then the Welcome of the hello
 * the time-out sent, with nothing left to ask; an Ack stopping short
 * inside the second batch in flight, which resends from there, the same
 * again not taken; a batch whose Ack was lost, acknowledged by the
 * Welcome of the hello its time-out sent: its refusals asked (the Ack,
 * were it to come after all, is not taken: the answer to the ask says
 * them).
 */
static void
test_read_genuine(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct transport *t = transport_new();
	struct tsock *router, *dealer;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct rejection rej;
	struct tframes route;
	struct deliver d;
	struct msg m;
	uint64_t from;

	(void)state;
	assert_non_null(t);
	read_pair(t, "inproc://test-deliver-genuine", &router, &dealer, &route);
	read_setup(dir, 6, dealer, &ob, &d);

	/* Batch 1 (1..3) timed out: idle, the hello of nonce 9 sent. */
	d.sent_upto = 3;
	d.nonce = 9;
	d.gone[0] = (struct inflight){.batch_id = 1, .first = 1, .last = 3};
	d.ngone = 1;
	m = ack_of(3, &rej, 2);
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 3);
	assert_int_equal(st.dead_total, 1);
	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = 9;
	m.last_seq = 3;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_true(d.welcomed);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 0); /* the Ack said them */
	assert_false(read_one(router, &route, dealer, &d, &m));

	/* Batches 2 (4..5) and 3 (6) in flight; 3 stops short at 5. */
	d.sent_upto = 6;
	d.q[0].batch_id = 2;
	d.q[0].first = 4;
	d.q[0].last = 5;
	d.q[1].batch_id = 3;
	d.q[1].first = 6;
	d.q[1].last = 6;
	d.nq = 2;
	m = ack_of(5, NULL, 0);
	m.batch_id = 2;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(d.nq, 1);
	m.batch_id = 3;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(d.nq, 0);
	assert_int_equal(d.sent_upto, 5); /* 6 resent */
	assert_false(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 5);

	/* Batch 4 (6) resent, its Ack lost: timed out, the hello of
	 * nonce 10 answered, acknowledging 6. */
	d.sent_upto = 6;
	d.welcomed = false;
	d.nonce = 10;
	memset(&m, 0, sizeof(m));
	m.type = MSG_WELCOME;
	m.nonce = 10;
	m.last_seq = 6;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 6);
	assert_int_equal(d.refusals_asked, 6);
	m = ack_of(6, &rej, 6);
	m.batch_id = 4;
	assert_false(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 6);
	assert_int_equal(st.dead_total, 1);

	tframes_clear(&route);
	read_teardown(dir, &t, &router, &dealer, &ob);
}

/*
 * Batches 1 (1..3) and 2 (4..6) in flight, the Ack of 1 lost (the
 * consolidator's queue to this node full: its router drops at the mark)
 * and that of 2 taken: it acknowledges 1..3 too, whose refusals it does
 * not say. They are asked for (refusals_from 1, the ask sent), as after a
 * Welcome; before, 1's refusals were never known. An Ack of the next
 * batch in order asks nothing.
 */
static void
test_ack_lost_between(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct transport *t = transport_new();
	struct tsock *router, *dealer;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct rejection rej;
	struct tframes route, f;
	struct deliver d;
	struct msg m;
	uint64_t from;
	bool ready;

	(void)state;
	assert_non_null(t);
	read_pair(t, "inproc://test-deliver-lost", &router, &dealer, &route);
	read_setup(dir, 9, dealer, &ob, &d);
	d.welcomed = true;
	d.sent_upto = 9;
	d.q[0] = (struct inflight){.batch_id = 1, .first = 1, .last = 3};
	d.q[1] = (struct inflight){.batch_id = 2, .first = 4, .last = 6};
	d.q[2] = (struct inflight){.batch_id = 3, .first = 7, .last = 9};
	d.nq = 3;

	m = ack_of(6, &rej, 5);
	m.batch_id = 2;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 6);
	assert_int_equal(st.dead_total, 1);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 1);
	assert_int_equal(d.refusals_asked, 1);
	/* The ask reached the consolidator's side. */
	assert_int_equal(tsock_poll(&router, 1, &ready, 5000), 1);
	assert_int_equal(tsock_recv(router, &f, 2, CODEC_MAX_FRAME), 0);
	assert_int_equal(codec_msg_decode(f.data[1], f.len[1], &m), 0);
	assert_int_equal(m.type, MSG_RECOVER_REQUEST);
	assert_true(m.refusals_only);
	assert_int_equal(m.from_seq, 1);
	codec_msg_clear(&m);
	tframes_clear(&f);

	/* The next in order: nothing more to ask. */
	d.refusals_asked = 0;
	d.refusals_due_ms = 0;
	m = ack_of(9, NULL, 0);
	m.batch_id = 3;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(d.refusals_asked, 0);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 1); /* still to be answered */

	tframes_clear(&route);
	read_teardown(dir, &t, &router, &dealer, &ob);
}

/*
 * Batches 1 (1..3) and 2 (4..6) in flight, the Ack of 1 lost, time out;
 * the Ack of 2 comes after all: it acknowledges 1..3 too, whose refusals
 * it does not say. They are asked for, as when it comes in time (above);
 * before, a batch no longer in flight was taken as acknowledging its own
 * sequences alone and 1's refusals were never known. That of the next
 * gone batch, in order, asks nothing; one of a batch not known at all
 * acknowledging more does, where it began not being known.
 */
static void
test_ack_late_lost(void **state)
{
	char dir[] = "/tmp/kuska-deliver-XXXXXX";
	struct transport *t = transport_new();
	struct tsock *router, *dealer;
	struct outbox *ob = NULL;
	struct outbox_state st;
	struct rejection rej;
	struct tframes route;
	struct deliver d;
	struct msg m;
	uint64_t from;

	(void)state;
	assert_non_null(t);
	read_pair(t, "inproc://test-deliver-late", &router, &dealer, &route);
	read_setup(dir, 12, dealer, &ob, &d);
	d.welcomed = true;
	d.sent_upto = 9;
	d.q[0] = (struct inflight){
	    .batch_id = 1, .first = 1, .last = 3, .sent_ms = 1000};
	d.q[1] = (struct inflight){
	    .batch_id = 2, .first = 4, .last = 6, .sent_ms = 1000};
	d.q[2] = (struct inflight){
	    .batch_id = 3, .first = 7, .last = 9, .sent_ms = 1000};
	d.nq = 3;
	deliver_tick(&d, 1000 + d.ack_timeout_ms + 1);
	assert_false(d.welcomed);
	assert_int_equal(d.nq, 0);

	m = ack_of(6, &rej, 5);
	m.batch_id = 2;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 6);
	assert_int_equal(st.dead_total, 1);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 1);
	assert_int_equal(d.refusals_asked, 1);

	/* The next gone batch, in order: nothing more to ask. */
	d.refusals_asked = 0;
	d.refusals_due_ms = 0;
	/* The answer to the ask: 5 refused, 1..6 known. */
	assert_true(outbox_record_refusals(
			ob,
			&(struct outbox_refusals){
			    .rej = &rej, .n_rej = 1, .first = 1, .last = 6},
			date_now_ms(), NULL) >= 0);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 0);
	m = ack_of(9, NULL, 0);
	m.batch_id = 3;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(d.refusals_asked, 0);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 0);

	/* A batch not known: where it began is not known. */
	m = ack_of(12, NULL, 0);
	m.batch_id = 40;
	assert_true(read_one(router, &route, dealer, &d, &m));
	assert_int_equal(outbox_state(ob, &st), 0);
	assert_int_equal(st.acked_seq, 12);
	assert_int_equal(outbox_refusals_from(ob, &from), 0);
	assert_int_equal(from, 10);
	assert_int_equal(d.refusals_asked, 10);

	tframes_clear(&route);
	read_teardown(dir, &t, &router, &dealer, &ob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_continuation),
	    cmocka_unit_test(test_done),
	    cmocka_unit_test(test_stale_duplicate),
	    cmocka_unit_test(test_covered),
	    cmocka_unit_test(test_believable),
	    cmocka_unit_test(test_lying_consolidator),
	    cmocka_unit_test(test_welcome_clock),
	    cmocka_unit_test(test_welcome_unmatched),
	    cmocka_unit_test(test_welcome_unmatched_diverged),
	    cmocka_unit_test(test_unmatched_unanswered),
	    cmocka_unit_test(test_read_bounded),
	    cmocka_unit_test(test_read_unasked),
	    cmocka_unit_test(test_read_flood_cut),
	    cmocka_unit_test_teardown(test_read_flood_reopen_failed,
				      fds_teardown),
	    cmocka_unit_test_teardown(test_read_flood_reopen_failed_answer,
				      fds_teardown),
	    cmocka_unit_test(test_refusals_logged),
	    cmocka_unit_test(test_read_genuine),
	    cmocka_unit_test(test_ack_lost_between),
	    cmocka_unit_test(test_ack_late_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
