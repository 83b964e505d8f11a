/* ingest.c - open, status, a batch or a group committed; see ingest.h. */
#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"
#include "prepare.h"

void
ingest_status_encode(const struct inst_status *s,
		     uint8_t out[INGEST_STATUS_LEN])
{
	int i;

	store_be64(out, s->last_seq);
	store_be64(out + 8, s->accepted);
	store_be64(out + 16, s->refused);
	store_be64(out + 24, s->last_contact_ms);
	for (i = 0; i < REASON_COUNT; i++)
		store_be64(out + 32 + 8 * i, s->refused_by_reason[i]);
}

static void
inst_decode(const uint8_t *p, size_t len, struct inst_status *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (len < 32)
		return;
	s->last_seq = store_get64(p);
	s->accepted = store_get64(p + 8);
	s->refused = store_get64(p + 16);
	s->last_contact_ms = store_get64(p + 24);
	for (i = 0; i < REASON_COUNT && 32 + 8 * i + 8 <= len; i++)
		s->refused_by_reason[i] = store_get64(p + 32 + 8 * i);
}

int
ingest_inst_status(struct store_txn *t, int inst, struct inst_status *ret)
{
	uint8_t k = (uint8_t)inst;
	const void *v;
	size_t vlen;

	if (store_get(t, T_INSTS, &k, 1, &v, &vlen) != 0) {
		memset(ret, 0, sizeof(*ret));
		return -ENOENT;
	}
	inst_decode(v, vlen, ret);
	return 0;
}

int
ingest_load_status(struct ingest *ig)
{
	struct store_txn *t;
	int i, r;

	r = store_begin(ig->st, false, &t);
	if (r != 0)
		return r;
	for (i = 1; i <= INST_COUNT; i++)
		(void)ingest_inst_status(t, i, &ig->inst[i]);
	store_abort(&t);
	return 0;
}

int
ingest_open(struct ingest *ig, struct store *st, const struct registry *reg)
{
	int r;

	ig->st = st;
	ig->reg = reg;
	ig->rebuilt = false;
	for (r = 0; r <= INST_COUNT; r++)
		ig->refused_log[r].burst = INGEST_REFUSED_BURST;
	ig->stats = stats_new();
	if (ig->stats == NULL)
		return -ENOMEM;
	r = ingest_load_status(ig);
	if (r == 0)
		r = stats_load(ig->stats, st);
	if (r == -ESTALE) {
		uint64_t events = 0, skipped = 0;
		if (stats_stale(ig->stats))
			log_info("event=stats_stale action=rebuild "
				 "text=\"envelopes were dropped (--refetch or "
				 "--repair): the statistics that counted them "
				 "are rebuilt\"");
		else if (stats_layout_found(ig->stats) > STATS_FORMAT)
			log_info("event=stats_format_newer found=%u "
				 "action=rebuild text=\"statistics of a later "
				 "kuska (a downgrade): rebuilt in this "
				 "version's layout; the upgrade again rebuilds "
				 "them in its own\"",
				 (unsigned)stats_layout_found(ig->stats));
		else
			log_info("event=stats_format_old action=rebuild");
		r = ingest_rebuild(ig, &events, &skipped);
		ig->rebuilt = r == 0;
		ig->rebuilt_events = events;
		ig->rebuilt_skipped = skipped;
		if (r == 0)
			log_info("event=stats_rebuilt events=%llu skipped=%llu",
				 (unsigned long long)events,
				 (unsigned long long)skipped);
		/* Stored, acknowledged, and now missing from every table:
		 * after a downgrade, events of a newer schema version. */
		if (r == 0 && skipped > 0)
			log_warnx("event=stats_not_counted envelopes=%llu "
				  "text=\"stored envelopes that no longer pass "
				  "this version's checks are left out of the "
				  "statistics: a thief's after revoked_after_seq, "
				  "as meant; or, after a downgrade, events of a "
				  "newer schema version, which the tables then "
				  "miss. kuska-consolidator --audit names them; "
				  "run the version that accepted them\"",
				  (unsigned long long)skipped);
	}
	return r;
}

void
ingest_note_damaged(struct ingest *ig, int err)
{
	if (err == -EUCLEAN && ig->store_damaged_ms == 0)
		ig->store_damaged_ms = date_now_ms();
}

void
ingest_view(const struct ingest *ig, struct ingest_view *ret)
{
	memcpy(ret->inst, ig->inst, sizeof(ret->inst));
	memcpy(ret->created_in_future, ig->created_in_future,
	       sizeof(ret->created_in_future));
	ret->disk_full_total = ig->disk_full_total;
	ret->disk_full_ms = ig->disk_full_ms;
	ret->store_failed_ms = ig->store_failed_ms;
	memcpy(ret->store_failed, ig->store_failed, sizeof(ret->store_failed));
	ret->store_damaged_ms = ig->store_damaged_ms;
	ret->map_size = store_map_size(ig->st);
}

void
ingest_close(struct ingest *ig)
{
	stats_free(&ig->stats);
}

/*
 * Sets c up for item it, decoding into ev (NULL: out of memory, as the
 * return says; ctx_init then still clears c). Returns 0 or -ENOMEM.
 */
static int
ctx_init(struct batch_ctx *c, struct ingest *ig, const struct ingest_item *it,
	 struct event *ev)
{
	memset(c, 0, sizeof(*c));
	c->ig = ig;
	c->speaker = it->speaker;
	c->ev = ev;
	c->now_ms = it->now_ms;
	c->today = date_of_ms(it->now_ms);
	c->verified = it->verified;
	c->decoded = it->decoded;
	/* Most batches refuse nothing: their room for refusals (200 KB for
	 * a full batch) would be allocated and zeroed for nothing. */
	c->cap_rej = it->batch->n_envelopes + 1;
	return c->ev == NULL ? -ENOMEM : 0;
}

/*
 * What a batch leaves once its group's fate is known - committed, or
 * refused whole with nothing written: the log lines and, for an Ack, the
 * institution's new state in memory. Not before: a group undone and run
 * again alone would say it twice, or name a dead letter never stored.
 */
static void
batch_done(struct batch_ctx *c, const struct msg *reply)
{
	size_t i;

	if (c->stop_reason != REASON_NONE)
		log_warnx_budget(
		    &c->ig->stop_log[c->speaker->inst],
		    "event=batch_stopped institution=%s seq=%llu "
		    "reason=%s text=%s",
		    c->speaker->id, (unsigned long long)c->stop_seq,
		    reason_name(c->stop_reason), LOG_Q(c->stop_text));
	if (reply->type != MSG_ACK)
		return;
	for (i = 0; i < c->n_rej; i++)
		log_warnx_budget(
		    &c->ig->refused_log[c->speaker->inst],
		    "event=refused institution=%s seq=%llu "
		    "reason=%s text=%s",
		    c->speaker->id, (unsigned long long)c->rej[i].seq,
		    reason_name(c->rej[i].reason), LOG_Q(c->rej[i].text));
	c->ig->inst[c->speaker->inst] = c->s;
	c->ig->disk_full_ms = 0;
	c->ig->store_failed_ms = 0;
	if (c->future > 0) {
		c->ig->created_in_future[c->speaker->inst] += c->future;
		log_warnx("event=created_in_future institution=%s events=%llu "
			  "ahead_s=%llu (signed later than this clock says "
			  "it is: one of the two clocks is wrong)",
			  c->speaker->id, (unsigned long long)c->future,
			  (unsigned long long)(c->future_ahead_ms / 1000));
	}
}

/*
 * Says once that the statistics' index and graph were lost to an error
 * (memory running out), every batch refused until they are loaded again,
 * and once that they were.
 */
static void
say_stats_lost(struct ingest *ig)
{
	int e = stats_lost(ig->stats);

	if (e != 0 && !ig->stats_lost_said)
		log_warnx("event=stats_lost error=%s "
			  "action=refuse_batches_until_loaded",
			  LOG_Q(strerror(-e)));
	else if (e == 0 && ig->stats_lost_said)
		log_info("event=stats_loaded action=take_batches");
	ig->stats_lost_said = e != 0;
}

/*
 * Runs the batches of a group, ctx i for items[i], in one transaction
 * and one commit (a group of one for ingest_batch). Returns 0 or -errno
 * (then nothing of them is kept, and nothing in memory changed: the
 * statistics are told to discard).
 */
static int
run_group(struct ingest *ig, struct batch_ctx *cs, struct ingest_item *items,
	  size_t n)
{
	struct inst_status cur[INST_COUNT + 1];
	uint32_t years[STATS_YEARS_MAX], noted[PREPARE_YEARS_MAX];
	struct store_txn *t = NULL;
	bool any = false;
	size_t i, n_noted = 0;
	int r;

	/* The institutions' state as the group goes: a batch follows the
	 * one before it of its institution, committed or not. */
	memcpy(cur, ig->inst, sizeof(cur));
	r = store_begin(ig->st, true, &t);
	if (r != 0)
		return r;
	stats_begin(ig->stats, t);
	say_stats_lost(ig);
	for (i = 0; i < n && r == 0; i++) {
		struct batch_ctx *c = &cs[i];
		c->t = t;
		c->s = cur[c->speaker->inst];
		r = ingest_take_batch(c, items[i].batch, items[i].now_ms,
				      &items[i].reply);
		if (r == 0 && items[i].reply.type == MSG_ACK) {
			cur[c->speaker->inst] = c->s;
			any = true;
		}
	}
	if (r == 0 && !any) {
		/* Every batch refused whole: nothing was written. */
		stats_discard(ig->stats);
		store_abort(&t);
	} else {
		if (r == 0)
			r = stats_flush(ig->stats);
		/* Counters of some year changed: so did the release of
		 * every year with data (prepare_years_in), up to the
		 * batches' today. */
		if (r == 0 && stats_years(ig->stats, years) > 0)
			n_noted = prepare_years_in(
			    t, date_of_ms(items[n - 1].now_ms), noted);
		if (r == 0)
			r = store_commit(&t);
		if (r != 0) {
			stats_discard(ig->stats);
			store_abort(&t);
			return r;
		}
		stats_committed(ig->stats);
		say_stats_lost(ig);
		/* The secretariat's releases of those years, made ready
		 * once ingest is quiet (prepare.h). */
		prepare_note(noted, n_noted, date_mono_ms());
	}
	for (i = 0; i < n; i++) {
		batch_done(&cs[i], &items[i].reply);
		items[i].conflict_seq =
		    cs[i].stop_reason == REASON_CONFLICT ? cs[i].stop_seq : 0;
	}
	return 0;
}

/*
 * Keeps, for kuska status, that a batch was just refused for this store
 * (err), and what its operator is to do: every batch is refused until it
 * is done, and a counter alone left the status healthy.
 */
static void
say_store_failed(struct ingest *ig, int err)
{
	const char *dir = store_dir(ig->st);

	ig->store_failed_ms = date_now_ms();
	ingest_note_damaged(ig, err);
	if (err == -ENOSPC)
		snprintf(ig->store_failed, sizeof(ig->store_failed),
			 "no space left on %.120s", dir);
	else if (err == -EFBIG)
		snprintf(ig->store_failed, sizeof(ig->store_failed),
			 "the store in %.120s reached its ceiling: raise "
			 "max_map_size_mb and reload",
			 dir);
	else if (err == -ENOMEM)
		snprintf(ig->store_failed, sizeof(ig->store_failed),
			 "memory ran out");
	else if (err == -EUCLEAN)
		snprintf(ig->store_failed, sizeof(ig->store_failed),
			 "the store in %.120s is damaged: kuska-consolidator "
			 "--audit",
			 dir);
	else
		snprintf(ig->store_failed, sizeof(ig->store_failed),
			 "the store in %.120s failed: %s (its disk?)", dir,
			 strerror(-err));
}

/* ingest_batch, taking the envelopes decoded ahead (NULL: none), and
 * saying a conflict (ingest_item's conflict_seq) when ret_conflict_seq. */
static int
batch_alone(struct ingest *ig, const struct reg_party *speaker,
	    const struct msg *batch, const bool *verified,
	    struct envelope *decoded, uint64_t now_ms, struct msg *reply,
	    uint64_t *ret_conflict_seq)
{
	struct ingest_item item = {.speaker = speaker,
				   .batch = batch,
				   .verified = verified,
				   .decoded = decoded,
				   .now_ms = now_ms};
	struct batch_ctx c;
	int r, tries;

	memset(reply, 0, sizeof(*reply));
	if (ret_conflict_seq != NULL)
		*ret_conflict_seq = 0;
	r = ctx_init(&c, ig, &item, malloc(sizeof(*c.ev)));
	if (r != 0)
		goto refuse;
	for (tries = 0; tries < 4; tries++) {
		r = run_group(ig, &c, &item, 1);
		if (r != -EFBIG || store_grow(ig->st) != 0)
			break;
	}
	free(c.ev);
	c.ev = NULL;
	if (r == 0) {
		*reply = item.reply;
		if (ret_conflict_seq != NULL)
			*ret_conflict_seq = item.conflict_seq;
		if (reply->type != MSG_ACK)
			free(c.rej);
		/* else the caller frees reply->rejections */
		return 0;
	}
refuse:
	free(c.ev);
	free(c.rej);
	memset(reply, 0, sizeof(*reply));
	reply->type = MSG_REFUSAL;
	reply->batch_id = batch->batch_id;
	reply->reason = r == -ENOSPC || r == -EFBIG ? REASON_STORE_FULL
						    : REASON_STORE_ERROR;
	if (r == -ENOSPC) {
		ig->disk_full_total++;
		ig->disk_full_ms = date_now_ms();
		snprintf(reply->text, sizeof(reply->text),
			 "no space left on %.120s at the consolidator; retry "
			 "later",
			 store_dir(ig->st));
	} else if (r == -EFBIG) {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator's store reached its ceiling "
			 "(max_map_size_mb); retry later");
	} else if (r == -ENOMEM) {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator ran out of memory; retry later");
	} else if (r == -EUCLEAN) {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator's store is damaged; retry later");
	} else {
		snprintf(reply->text, sizeof(reply->text),
			 "the consolidator's store failed (%s); retry later",
			 strerror(-r));
	}
	log_warnx("event=batch_refused institution=%s reason=%s text=%s",
		  speaker->id, reason_name(reply->reason), LOG_Q(reply->text));
	say_store_failed(ig, r);
	/* A failed transaction may have left the cache ahead of the store. */
	(void)ingest_load_status(ig);
	return r;
}

int
ingest_batch(struct ingest *ig, const struct reg_party *speaker,
	     const struct msg *batch, const bool *verified, uint64_t now_ms,
	     struct msg *reply)
{
	return batch_alone(ig, speaker, batch, verified, NULL, now_ms, reply,
			   NULL);
}

/* Each item alone, through ingest_batch: the group's fallback. */
static void
run_alone(struct ingest *ig, struct ingest_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum institution inst = items[i].speaker->inst;
		uint64_t before = ig->inst[inst].accepted;
		items[i].err = batch_alone(ig, items[i].speaker, items[i].batch,
					   items[i].verified, items[i].decoded,
					   items[i].now_ms, &items[i].reply,
					   &items[i].conflict_seq);
		items[i].accepted = ig->inst[inst].accepted - before;
	}
}

int
ingest_batches(struct ingest *ig, struct ingest_item *items, size_t n)
{
	struct batch_ctx *cs;
	struct event *ev;
	size_t i;
	int r = 0, tries;

	if (n == 1) {
		run_alone(ig, items, 1);
		return items[0].err;
	}
	cs = calloc(n, sizeof(*cs));
	ev = malloc(sizeof(*ev));
	if (cs == NULL || ev == NULL)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < n; i++)
		r = ctx_init(&cs[i], ig, &items[i], ev);
	for (tries = 0; r == 0 || r == -EFBIG; tries++) {
		if (tries == 4 || (r == -EFBIG && store_grow(ig->st) != 0))
			break;
		r = run_group(ig, cs, items, n);
		if (r == 0)
			break;
	}
	for (i = 0; i < n && cs != NULL; i++) {
		items[i].err = 0;
		items[i].accepted = cs[i].s.accepted - cs[i].start.accepted;
		/* An Ack's rejections are the caller's to free. */
		if (r != 0 || items[i].reply.type != MSG_ACK)
			free(cs[i].rej);
	}
	free(ev);
	free(cs);
	if (r != 0) {
		log_warnx("event=group_failed batches=%zu error=\"%s\" "
			  "action=one_by_one",
			  n, strerror(-r));
		run_alone(ig, items, n);
	}
	return r;
}
