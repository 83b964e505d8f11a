/*
 * ingest_rebuild.c - everything derived from the stored envelopes
 * recomputed from them (ingest_rebuild; see ingest.h).
 *
 * Verifying each signature again is most of the work, so each
 * institution's envelopes are read a chunk at a time, the envelopes of a
 * chunk decoded and checked (ingest_check) on ig->threads threads, each
 * envelope on its own, and then applied one by one in sequence order on
 * the calling thread, the only one that touches the store and the
 * statistics: the result is the same whatever the number of threads.
 */
#include "ingest.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "ingest_int.h"
#include "log.h"
#include "parallel.h"
#include "service.h"
#include "starting.h"

/*
 * Envelopes read, then checked together: enough to keep every thread busy
 * for a while, few enough that their decoded envelopes stay small.
 */
#define REBUILD_CHUNK 2048
/* Envelopes a thread takes at a time from a chunk being checked. */
#define REBUILD_TAKE 32

/* One envelope of a chunk. */
struct rebuild_item {
	uint64_t seq;
	/* Into the map: read (by the checking threads) before the chunk
	 * writes anything, which would end their validity. */
	const uint8_t *buf;
	size_t len;
	/* Set by the check. */
	struct envelope env; /* decoded (owned) */
	bool ours;	     /* decoded, and of this sequence and institution */
	enum reason reason;  /* ingest_check's verdict; BAD_ENVELOPE if !ours */
};

/* Replays one institution's envelopes into the statistics. */
struct rebuild_ctx {
	struct ingest *ig;
	const struct reg_party *party;
	struct store_txn *t;
	struct event *ev;
	struct rebuild_item *items; /* the chunk: n of REBUILD_CHUNK */
	size_t n;
	atomic_int check_err; /* a checking thread out of memory */
	uint64_t events, skipped, since_flush;
	uint64_t held; /* envelopes of the institution, verified or not */
	int err;
};

/*
 * The day envelope (inst, seq) was accepted, as ingest stored it; for an
 * envelope stored before the consolidator kept that day, the day it was
 * created (which its signature vouches for): the earliest it can have
 * been accepted.
 */
static int32_t
accepted_day(struct store_txn *t, enum institution inst, uint64_t seq,
	     uint64_t created_ms)
{
	uint8_t k[8];
	const void *v;
	size_t vlen;

	store_be64(k, seq);
	if (store_get(t, T_ACCEPT_FIRST + inst - 1, k, 8, &v, &vlen) == 0 &&
	    vlen == 4)
		return (int32_t)(store_get32(v) ^ DAYS_OFFSET);
	return date_of_ms(created_ms);
}

/*
 * A rebuild at start (an older layout of the statistics) runs before the
 * daemon is ready; under systemd it asks for this much more time every
 * 4,096 envelopes, a fraction of a second apart, so that a large store is
 * not killed at TimeoutStartSec= and restarted from the beginning; kuska
 * status is told how far it is (starting.h).
 */
#define REBUILD_EXTEND_S 60

static void
rebuild_progress(uint64_t events)
{
	char status[96];

	snprintf(status, sizeof(status),
		 "rebuilding the statistics: %llu events so far",
		 (unsigned long long)events);
	service_extend_start(REBUILD_EXTEND_S, status);
	starting_say(status);
}

/*
 * Decodes and checks items from..to-1 of the chunk, on any thread: each
 * item is its own, the registry is only read. The event decoded is not
 * kept (it is large): the applying thread decodes it again.
 */
static void
check_items(void *arg, size_t from, size_t to)
{
	struct rebuild_ctx *c = arg;
	struct rebuild_item *it;
	struct event *ev;
	char why[CODEC_MAX_TEXT + 1];
	size_t i;
	int r = 0;

	ev = malloc(sizeof(*ev));
	if (ev == NULL) {
		atomic_store(&c->check_err, -ENOMEM);
		return;
	}
	for (i = from; r == 0 && i < to; i++) {
		it = &c->items[i];
		it->reason = REASON_BAD_ENVELOPE;
		r = codec_envelope_decode(it->buf, it->len, &it->env);
		it->ours = r == 0 && it->env.seq == it->seq &&
			   c->party != NULL && it->env.inst == c->party->inst;
		/* Only bytes found bad leave an envelope out: memory
		 * running out stops the rebuild. */
		if (r == -EBADMSG)
			r = 0;
		if (it->ours)
			it->reason =
			    ingest_check(c->ig->reg, c->party, &it->env, ev,
					 why, sizeof(why), &r);
	}
	if (r != 0)
		atomic_store(&c->check_err, r);
	free(ev);
}

/* Applies one checked envelope. Returns 0, or -errno to stop. */
static int
apply_item(struct rebuild_ctx *c, const struct rebuild_item *it)
{
	char why[CODEC_MAX_TEXT + 1];
	enum reason reason = it->reason;
	int32_t accepted = 0;
	int r;

	c->held++;
	if (it->ours)
		accepted = accepted_day(c->t, it->env.inst, it->seq,
					it->env.created_ms);
	/* The check decoded it already: it decodes again the same, unless
	 * memory runs out, which must stop the rebuild, not skip it. */
	if (reason == REASON_NONE) {
		r = codec_event_decode(it->env.event, it->env.event_len, c->ev);
		if (r == -ENOMEM)
			return r;
		if (r != 0)
			reason = REASON_BAD_EVENT;
	}
	if (reason == REASON_NONE && (c->ev->kind == KIND_CORRECTION ||
				      c->ev->kind == KIND_WITHDRAWAL)) {
		r = 0;
		reason = ingest_apply_change(c->t, c->party->inst, it->seq,
					     c->ev, why, sizeof(why), &r);
		if (r != 0)
			return r;
	}
	if (reason != REASON_NONE) {
		c->skipped++;
		return 0;
	}
	r = stats_apply(c->ig->stats, c->party->inst, it->seq, c->ev, accepted);
	if (r == 0 && ++c->since_flush == 4096) {
		/* Keep the batch caches small; the transaction goes on, and
		 * if it fails the index is loaded again from the store. */
		rebuild_progress(c->events + 1);
		r = stats_flush(c->ig->stats);
		if (r == 0)
			stats_committed(c->ig->stats);
		stats_begin(c->ig->stats, c->t);
		c->since_flush = 0;
	}
	if (r != 0)
		return r;
	c->events++;
	return 0;
}

/*
 * Checks the chunk on every thread, then applies it in order. Returns 0
 * or -errno; the chunk is empty after.
 */
static int
run_chunk(struct rebuild_ctx *c)
{
	size_t i;
	int r;

	atomic_store(&c->check_err, 0);
	parallel_for_chunks(c->n, c->ig->threads, REBUILD_TAKE, check_items, c,
			    NULL, NULL);
	r = atomic_load(&c->check_err);
	for (i = 0; i < c->n; i++) {
		if (r == 0)
			r = apply_item(c, &c->items[i]);
		codec_envelope_clear(&c->items[i].env);
	}
	c->n = 0;
	return r;
}

/* Takes one stored envelope into the chunk, running it when full. */
static int
rebuild_one(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct rebuild_ctx *c = arg;
	struct rebuild_item *it;

	if (klen != 8)
		return 0;
	it = &c->items[c->n++];
	memset(it, 0, sizeof(*it));
	it->seq = store_get64(k);
	it->buf = v;
	it->len = vlen;
	if (c->n < REBUILD_CHUNK)
		return 0;
	c->err = run_chunk(c);
	return c->err != 0;
}

/* Replays the envelopes of institution inst. Returns 0 or -errno. */
static int
rebuild_inst(struct rebuild_ctx *c, enum institution inst)
{
	int r;

	c->party = registry_institution(c->ig->reg, inst);
	c->held = 0;
	c->n = 0;
	r = store_each(c->t, T_ENV_FIRST + inst - 1, NULL, 0, rebuild_one, c);
	if (r == 1)
		return c->err;
	/* The last chunk, short. (Should the store have failed, what was
	 * read of it is not decoded yet: nothing to clear.) */
	if (r == 0 && c->n > 0)
		r = run_chunk(c);
	return r;
}

/* Counts one refusal into an institution's status. */
static int
count_refused(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct inst_status *s = arg;

	if (klen != 9)
		return 0;
	s->refused++;
	/* Counted under the reason a node is told (ingest_held). */
	s->refused_by_reason[ingest_stored_reason(
	    vlen > 0 ? *(const uint8_t *)v : 0)]++;
	if (store_get64((const uint8_t *)k + 1) > s->last_seq)
		s->last_seq = store_get64((const uint8_t *)k + 1);
	return 0;
}

/*
 * Recomputes an institution's status from what the store holds: held
 * envelopes (counted by the caller), refusals and the highest sequence.
 * The last contact time is kept.
 */
static int
recount_inst(struct ingest *ig, struct store_txn *t, enum institution inst,
	     uint64_t held)
{
	struct inst_status s;
	uint8_t ik = (uint8_t)inst, iv[INGEST_STATUS_LEN];
	const void *k, *v;
	size_t klen, vlen;
	int r;

	memset(&s, 0, sizeof(s));
	s.last_contact_ms = ig->inst[inst].last_contact_ms;
	s.accepted = held;
	r = store_each(t, T_REFUSED, &ik, 1, count_refused, &s);
	if (r != 0)
		return r;
	r = store_last(t, T_ENV_FIRST + inst - 1, NULL, 0, &k, &klen, &v,
		       &vlen);
	if (r == 0 && klen == 8 && store_get64(k) > s.last_seq)
		s.last_seq = store_get64(k);
	if (r != 0 && r != -ENOENT)
		return r;
	if (s.last_seq == 0) {
		r = store_del(t, T_INSTS, &ik, 1);
		return r == -ENOENT ? 0 : r;
	}
	ingest_status_encode(&s, iv);
	return store_put(t, T_INSTS, &ik, 1, iv, sizeof(iv), 0);
}

int
ingest_rebuild(struct ingest *ig, uint64_t *ret_events, uint64_t *ret_skipped)
{
	struct rebuild_ctx c;
	int i, r;

	memset(&c, 0, sizeof(c));
	c.ig = ig;
	c.ev = malloc(sizeof(*c.ev));
	c.items = calloc(REBUILD_CHUNK, sizeof(*c.items));
	if (c.ev == NULL || c.items == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rebuild_progress(0);
	r = store_begin(ig->st, true, &c.t);
	if (r != 0)
		goto out;
	r = stats_clear(ig->stats, c.t);
	if (r == 0)
		r = store_clear(c.t, T_CHANGES);
	stats_begin(ig->stats, c.t);
	for (i = 1; r == 0 && i <= INST_COUNT; i++) {
		r = rebuild_inst(&c, (enum institution)i);
		if (r == 0)
			r = recount_inst(ig, c.t, (enum institution)i, c.held);
	}
	if (r == 0)
		r = stats_flush(ig->stats);
	if (r == 0)
		r = store_commit(&c.t);
	else
		store_abort(&c.t);
	if (r == 0) {
		stats_committed(ig->stats);
		r = ingest_load_status(ig);
	} else {
		stats_discard(ig->stats);
		if (stats_load(ig->stats, NULL) != 0)
			log_warnx("event=stats_reload_failed");
	}
	if (r == 0) {
		*ret_events = c.events;
		*ret_skipped = c.skipped;
	}
out:
	free(c.items);
	free(c.ev);
	return r;
}
