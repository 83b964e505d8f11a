/* deliver_answer.c - Welcomes, Acks and refusals taken; see deliver.h. */
#include "deliver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "date.h"
#include "deliver_int.h"
#include "keys.h"
#include "log.h"
#include "sign.h"

#define STORE_FULL_BACKOFF_MS 5000
#define MAX_BACKOFF_MS 60000
#define NOMEM_RETRY_MS 5000 /* hello again after an answer lost so */

/* The hex of the first 8 bytes of an id, for messages. */
static const char *
id_hex(const uint8_t *id, char out[17])
{
	int i;

	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", id[i]);
	return out;
}

/*
 * Whether the consolidator's copy is this outbox's (see deliver.h).
 * Returns 0, or 1 with why filled.
 */
static int
check_copy(struct deliver *d, const struct msg *m,
	   const struct outbox_state *st, char *why, size_t cap)
{
	uint8_t own[OUTBOX_ID_LEN], hash[CODEC_HASH_LEN], *env;
	char a[17], b[17], ref[2];
	size_t len;
	int r;

	outbox_id(d->ob, own);
	if (m->has_outbox_id && memcmp(m->outbox_id, own, OUTBOX_ID_LEN) != 0) {
		snprintf(why, cap,
			 "the consolidator's events came from another outbox "
			 "(%s, this one is %s)",
			 id_hex(m->outbox_id, a), id_hex(own, b));
		return 1;
	}
	if (m->last_seq >= st->next_seq) {
		snprintf(why, cap,
			 "the consolidator holds sequences up to %llu, this "
			 "outbox only up to %llu (restored from an older copy, "
			 "or replaced)",
			 (unsigned long long)m->last_seq,
			 (unsigned long long)(st->next_seq - 1));
		return 1;
	}
	if (!m->has_check || m->check_seq == 0)
		return 0;
	r = outbox_get(d->ob, m->check_seq, &env, &len, ref, sizeof(ref));
	if (r != 0) {
		if (r != -ENOENT)
			log_warnx(
			    "event=check_unreadable seq=%llu error=\"%s\"",
			    (unsigned long long)m->check_seq, strerror(-r));
		return 0; /* nothing to compare with */
	}
	sign_digest(env, len, hash);
	free(env);
	if (memcmp(hash, m->check_hash, CODEC_HASH_LEN) == 0)
		return 0;
	snprintf(why, cap,
		 "sequence %llu is another event at the consolidator than in "
		 "this outbox (restored from an older copy?)",
		 (unsigned long long)m->check_seq);
	return 1;
}

/* Our clock against the consolidator's, from a hello's round trip. */
static void
note_skew(struct deliver *d, const struct msg *m)
{
	uint64_t now = date_now_ms();

	if (m->now_ms == 0 || d->hello_wall_ms == 0 || now < d->hello_wall_ms)
		return;
	d->has_skew = true;
	/* The consolidator's reading is its word: any 64 bits. */
	d->skew_ms = date_skew_ms(
	    d->hello_wall_ms + (now - d->hello_wall_ms) / 2, m->now_ms);
	if (d->skew_ms > DATE_SKEW_WARN_MS || d->skew_ms < -DATE_SKEW_WARN_MS) {
		char words[32];

		log_warnx("event=clock_skew skew_s=%lld (this clock is %s "
			  "%s the consolidator's: check NTP on both "
			  "machines)",
			  (long long)(d->skew_ms / 1000),
			  date_skew_words(d->skew_ms, words, sizeof(words)),
			  d->skew_ms > 0 ? "ahead of" : "behind");
	}
}

/*
 * grant_names - the names of the bits of mask, 1 to count, each from
 * name(), space-separated into out[cap] ("" for none); returns out.
 */
static const char *
grant_names(uint32_t mask, int count, const char *(*name)(int), char *out,
	    size_t cap)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 1; i <= count && len < cap; i++)
		if (mask & (1u << i))
			len += (size_t)snprintf(out + len, cap - len, "%s%s",
						len > 0 ? " " : "", name(i));
	return out;
}

static const char *
kind_name_of(int i)
{
	return kind_name((enum kind)i);
}

static const char *
stage_name_of(int i)
{
	return stage_name((enum stage)i);
}

/*
 * Keeps (and records) the grants a Welcome says, saying when they change,
 * by name: an operator reads what the node now refuses at submission.
 */
static void
note_grants(struct deliver *d, const struct msg *m)
{
	struct grants *g = d->grants;
	char kinds[256], stages[256];

	if (g == NULL || !m->has_grants)
		return;
	if (g->said && g->kinds == m->grant_kinds &&
	    g->stages == m->grant_stages)
		return;
	g->kinds = m->grant_kinds;
	g->stages = m->grant_stages;
	g->said = true;
	log_info("event=grants kinds=\"%s\" stages=\"%s\"",
		 grant_names(g->kinds, KIND_COUNT, kind_name_of, kinds,
			     sizeof(kinds)),
		 grant_names(g->stages, STAGE_COUNT, stage_name_of, stages,
			     sizeof(stages)));
	if (outbox_grants_put(d->ob, g->kinds, g->stages) != 0)
		log_warnx("event=grants_not_recorded");
}

/* Any answer of the consolidator: it is there. */
static void
heard(struct deliver *d, uint64_t now_ms)
{
	d->heard_ms = date_now_ms();
	d->heard_mono_ms = now_ms;
}

/* The consolidator holds up to seq: the batches it holds leave the queue. */
static void
note_acked(struct deliver *d, uint64_t seq)
{
	size_t drop = 0;

	if (seq > d->acked) {
		d->acked = seq;
		d->backoff_ms = 0; /* progress: refusals are over */
		d->last_refusal[0] = '\0';
	}
	while (drop < d->nq && d->q[drop].last <= d->acked)
		drop++;
	if (drop > 0) {
		memmove(d->q, d->q + drop, (d->nq - drop) * sizeof(d->q[0]));
		d->nq -= drop;
	}
}

/*
 * The consolidator holds less than it acknowledged: restored from an older
 * backup (or its --repair dropped events). The node sends it all again,
 * but a sysadmin should hear that acknowledged data was lost there. The
 * acknowledged sequence is the outbox's, so this holds across a restart
 * of the node; the Welcome's reset then lowers it, and it is said once.
 */
static void
warn_behind(struct deliver *d, uint64_t last_seq, const struct outbox_state *st)
{
	log_warnx("event=consolidator_behind institution=%s acknowledged=%llu "
		  "consolidator_last_seq=%llu action=resending events=%llu "
		  "hint=\"the consolidator holds fewer of this node's events "
		  "than it acknowledged (restored from an older backup?): "
		  "they are sent again\"",
		  institution_name(d->inst), (unsigned long long)st->acked_seq,
		  (unsigned long long)last_seq,
		  (unsigned long long)(st->next_seq - 1 - last_seq));
}

/*
 * The consolidator's copy is not this outbox's, for why: nothing is
 * delivered or taken until kuska-node --recover (recorded, so a restart
 * keeps it), and the consolidator is told at once.
 */
static void
set_diverged(struct deliver *d, const char *why, uint64_t now_ms)
{
	log_warnx("event=diverged action=not_delivering text=%s "
		  "hint=\"nothing is delivered or accepted until "
		  "kuska-node --recover rebuilds the outbox from the "
		  "consolidator's copy\"",
		  LOG_Q(why));
	snprintf(d->diverged, sizeof(d->diverged), "%s", why);
	if (outbox_set_diverged(d->ob, why) != 0)
		log_warnx("event=diverged_not_recorded");
	deliver_go_idle(d, now_ms); /* tell the consolidator at once */
}

/*
 * Keeps the unmatched take-ups a Welcome says, its hello having asked for
 * them and its copy found this outbox's (their sequences name this
 * outbox's records); a Welcome that says nothing of them (an older
 * consolidator) is noted so, the list it last said kept.
 */
static void
note_unmatched(struct deliver *d, const struct msg *m)
{
	size_t n = m->n_unmatched;

	d->unmatched_want = false;
	d->unmatched_unsaid = !m->has_unmatched;
	if (!m->has_unmatched)
		return;
	if (n > CODEC_MAX_UNMATCHED)
		n = CODEC_MAX_UNMATCHED;
	memcpy(d->unmatched, m->unmatched, n * sizeof(*m->unmatched));
	d->n_unmatched = n;
	d->unmatched_total = m->unmatched_total;
	d->unmatched_ms = date_now_ms();
}

/* Returns whether it was taken (may have written the outbox). */
static bool
on_welcome(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;
	char why[CODEC_MAX_TEXT + 1];
	bool keep, asked;

	if (m->nonce != d->nonce)
		return false; /* the answer to an older hello */
	/* One Welcome a hello: the same again (a consolidator's key may
	 * send it without end, each a commit) is not taken. */
	d->nonce = keys_random64();
	heard(d, now_ms);
	note_skew(d, m);
	note_grants(d, m);
	/* Answered, whatever it says: kuska status no longer waits. A copy
	 * not this outbox's numbers other records than this outbox's: its
	 * unmatched take-ups are not taken, and asked for again once in
	 * step. */
	asked = d->unmatched_asked;
	d->unmatched_asked = false;
	if (d->diverged[0] != '\0') {
		deliver_go_idle(d, now_ms + DIVERGED_HELLO_MS);
		return true;
	}
	if (outbox_state(d->ob, &st) != 0)
		return true;
	if (check_copy(d, m, &st, why, sizeof(why)) != 0) {
		set_diverged(d, why, now_ms);
		return true;
	}
	if (asked)
		note_unmatched(d, m);
	/* The answer to a keep-alive hello: the batches sent since went out
	 * behind the hello on the same connection and are answered after it
	 * (lost with a consolidator that stopped, the disconnection or the
	 * Ack time-out says so), so the Welcome acknowledges as an Ack would
	 * and leaves them in flight: resent, they would only be skipped as
	 * held. Holding less than it acknowledged, or more than was sent, the
	 * consolidator is not where the node thought: all from its last. */
	keep = d->welcomed && m->last_seq >= d->acked &&
	       m->last_seq <= d->sent_upto;
	if (m->last_seq < st.acked_seq)
		warn_behind(d, m->last_seq, &st);
	if (outbox_record_welcome(d->ob, m->last_seq, !keep, date_now_ms()) !=
	    0)
		log_warnx("event=ack_not_recorded");
	/* The answer to a keep-alive hello has nothing new to say. */
	if (keep)
		log_debug("event=welcome institution=%s "
			  "consolidator_last_seq=%llu",
			  institution_name(d->inst),
			  (unsigned long long)m->last_seq);
	else
		log_info("event=welcome institution=%s "
			 "consolidator_last_seq=%llu outbox_last_seq=%llu",
			 institution_name(d->inst),
			 (unsigned long long)m->last_seq,
			 (unsigned long long)(st.next_seq - 1));
	d->welcomed = true;
	if (keep) {
		note_acked(d, m->last_seq);
	} else {
		deliver_drop_queue(d);
		d->acked = m->last_seq;
		d->sent_upto = m->last_seq;
	}
	/* Answered: no hello waits, the next keep-alive is due as usual. */
	d->hello_due_ms = now_ms;
	/* Refusals it acknowledged without saying them; not while an ask
	 * is under way (a second would make the first's answer look stale)
	 * or waits to be made again: deliver_tick asks when due. */
	if (d->refusals_due_ms == 0 || now_ms >= d->refusals_due_ms)
		deliver_ask_refusals(d, now_ms);
	return true;
}

bool
deliver_answer_believable(const struct msg *m, uint64_t next_seq, char *why,
			  size_t cap)
{
	size_t i;

	if (m->type == MSG_REFUSAL) {
		if (m->reason != REASON_GAP || !m->has_expected ||
		    m->expected_seq <= next_seq)
			return true;
		snprintf(why, cap,
			 "it expects sequence %llu, this outbox holds up to "
			 "%llu",
			 (unsigned long long)m->expected_seq,
			 (unsigned long long)(next_seq - 1));
		return false;
	}
	if (m->last_seq >= next_seq) {
		snprintf(why, cap,
			 "it acknowledges sequence %llu, this outbox holds up "
			 "to %llu",
			 (unsigned long long)m->last_seq,
			 (unsigned long long)(next_seq - 1));
		return false;
	}
	for (i = 0; i < m->n_rejections; i++) {
		uint64_t seq = m->rejections[i].seq;
		if (seq >= 1 && seq <= m->last_seq)
			continue;
		snprintf(why, cap,
			 "it refuses sequence %llu, outside the 1 to %llu it "
			 "acknowledges",
			 (unsigned long long)seq,
			 (unsigned long long)m->last_seq);
		return false;
	}
	return true;
}

/*
 * Whether m, an Ack or a refusal, can be true of this outbox; if not it
 * is said (within a budget: such a consolidator may answer every batch so)
 * and nothing of it recorded, and a hello asks the consolidator where it
 * stands: its Welcome, checked as every Welcome is, resends from there or
 * finds the copy diverged.
 */
static bool
believed(struct deliver *d, const struct msg *m, uint64_t now_ms,
	 struct outbox_state *st)
{
	char why[128];

	if (outbox_state(d->ob, st) != 0)
		return false; /* nothing recorded now; the batch times out */
	if (deliver_answer_believable(m, st->next_seq, why, sizeof(why)))
		return true;
	log_warnx_budget(&d->answer_log,
			 "event=answer_refused what=%s batch=%llu "
			 "reason=beyond_outbox text=\"%s\" action=hello_again",
			 m->type == MSG_ACK ? "ack" : "refusal",
			 (unsigned long long)m->batch_id, why);
	deliver_go_idle(d, now_ms);
	return false;
}

/* Whether batch batch_id is in flight (awaits its Ack). */
static bool
in_flight(const struct deliver *d, uint64_t batch_id)
{
	size_t i;

	for (i = 0; i < d->nq; i++)
		if (d->q[i].batch_id == batch_id)
			return true;
	return false;
}

/*
 * Whether Ack m acknowledges sequences past the outbox's acknowledged
 * acked_seq before its batch's first: those of batches before it whose
 * Acks (and so whose refusals) were lost, the consolidator's queue to
 * this node full. Its batch is one in flight or one dropped from the
 * queue unanswered (an Ack come after its time-out); of one not known
 * at all, where it began is not known, and so neither is whether it
 * does.
 */
static bool
acks_others(const struct deliver *d, const struct msg *m, uint64_t acked_seq)
{
	size_t i;

	if (m->last_seq <= acked_seq)
		return false;
	for (i = 0; i < d->nq; i++)
		if (d->q[i].batch_id == m->batch_id)
			return acked_seq + 1 < d->q[i].first;
	for (i = 0; i < d->ngone; i++)
		if (d->gone[i].batch_id == m->batch_id)
			return acked_seq + 1 < d->gone[i].first;
	return true;
}

/*
 * Returns whether it was taken (may have written the outbox). An Ack of
 * no batch in flight that acknowledges nothing past the outbox's
 * acknowledged sequence is not: nothing waits for it (its refusals, if
 * any, are of sequences a Welcome acknowledged, which the node asks for,
 * deliver_ask_refusals), and a consolidator's key may send it without
 * end, each a commit. One that acknowledges others' sequences too is
 * taken as a Welcome first: their refusals are asked for, as after a
 * Welcome.
 */
static bool
on_ack(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;
	bool others;
	size_t i;
	int r;

	if (!believed(d, m, now_ms, &st))
		return false;
	if (m->last_seq <= st.acked_seq && !in_flight(d, m->batch_id))
		return false;
	others = acks_others(d, m, st.acked_seq);
	r = others ? outbox_record_welcome(d->ob, m->last_seq, false,
					   date_now_ms())
		   : 0;
	if (r == 0)
		r = outbox_record_ack(d->ob, m->last_seq, false, date_now_ms(),
				      m->rejections, m->n_rejections);
	if (r != 0) {
		log_warnx("event=ack_not_recorded error=%s",
			  LOG_Q(strerror(-r)));
		return true;
	}
	/* Dead letters of this batch the consolidator now accepted (it
	 * had dropped them and asked for them again). */
	for (i = 0; i < d->nq; i++)
		if (d->q[i].batch_id == m->batch_id) {
			uint64_t last = d->q[i].last < m->last_seq
					    ? d->q[i].last
					    : m->last_seq;
			r = outbox_revive(d->ob, d->q[i].first, last,
					  m->rejections, m->n_rejections);
			if (r > 0)
				log_info("event=dead_letters_revived count=%d",
					 r);
			break;
		}
	for (i = 0; i < m->n_rejections; i++)
		log_warnx("event=refused seq=%llu reason=%s text=%s",
			  (unsigned long long)m->rejections[i].seq,
			  reason_name(m->rejections[i].reason),
			  LOG_Q(m->rejections[i].text));
	note_acked(d, m->last_seq);
	/* The consolidator stopped short inside a batch: resend from there
	 * (so that no batch is taken the Ack of twice). */
	if (in_flight(d, m->batch_id)) {
		deliver_drop_queue(d);
		d->sent_upto = d->acked;
	}
	if (others && d->refusals_asked == 0 &&
	    (d->refusals_due_ms == 0 || now_ms >= d->refusals_due_ms))
		deliver_ask_refusals(d, now_ms);
	return true;
}

/* Returns whether it was taken (may have written the outbox). */
static bool
on_refusal(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;

	if (!believed(d, m, now_ms, &st))
		return false;
	if (m->reason == REASON_GAP && m->has_expected &&
	    m->expected_seq >= 1) {
		deliver_drop_queue(d);
		d->sent_upto = m->expected_seq - 1;
		if (d->sent_upto > d->acked)
			d->acked = d->sent_upto;
		return false;
	}
	/* No batch named, while refusals are asked: a store error is the
	 * ask's (a hello's would be, but the hello is sent again anyway). */
	if (m->batch_id == 0 && d->refusals_asked != 0 &&
	    m->reason == REASON_STORE_ERROR) {
		deliver_refusals_refused(d, m, now_ms);
		return false;
	}
	const char *why = reason_name(m->reason) ? reason_name(m->reason) : "?";

	/* A sequence of ours held with other bytes: another signer with
	 * this node's key. Not delivered, and said until --recover. */
	if (m->reason == REASON_CONFLICT) {
		log_warnx_budget(&d->refused_log,
				 "event=batch_refused reason=%s batch=%llu "
				 "text=%s",
				 why, (unsigned long long)m->batch_id,
				 LOG_Q(m->text));
		set_diverged(d,
			     m->text[0] != '\0'
				 ? m->text
				 : "a sequence of this outbox is held at the "
				   "consolidator with other bytes",
			     now_ms);
		return true;
	}
	/* The reason first: OPERATIONS.md gives "event=batch_refused
	 * reason=wrong_network" to search the journal for, as it stands. */
	log_warnx_budget(&d->refused_log,
			 "event=batch_refused reason=%s batch=%llu text=%s",
			 why, (unsigned long long)m->batch_id, LOG_Q(m->text));
	snprintf(d->last_refusal, sizeof(d->last_refusal), "%s: %s", why,
		 m->text);
	d->last_refusal_ms = date_now_ms();
	/* The same refusal again and again: wait longer each time. */
	d->backoff_ms =
	    d->backoff_ms == 0 ? HELLO_INTERVAL_MS : d->backoff_ms * 2;
	if (d->backoff_ms > MAX_BACKOFF_MS)
		d->backoff_ms = MAX_BACKOFF_MS;
	if (m->reason == REASON_STORE_FULL &&
	    d->backoff_ms < STORE_FULL_BACKOFF_MS)
		d->backoff_ms = STORE_FULL_BACKOFF_MS;
	deliver_go_idle(d, now_ms + d->backoff_ms);
	return false;
}

bool
deliver_message(struct deliver *d, const uint8_t *buf, size_t len,
		uint64_t now_ms)
{
	struct msg m;
	bool taken = false;
	int e;

	e = codec_msg_decode(buf, len, &m);
	if (e == -ENOMEM) {
		/* Not the consolidator's fault, and its answer is lost: a
		 * hello a little later resumes from what it holds. */
		log_warnx("event=out_of_memory what=consolidator_message "
			  "bytes=%zu action=hello_again retry_s=%d",
			  len, NOMEM_RETRY_MS / 1000);
		deliver_go_idle(d, now_ms + NOMEM_RETRY_MS);
		return false;
	}
	if (e != 0) {
		log_warnx_budget(
		    &d->refused_log,
		    "event=bad_message_from_consolidator bytes=%zu", len);
		return false;
	}
	switch (m.type) {
	case MSG_WELCOME:
		taken = on_welcome(d, &m, now_ms);
		break;
	case MSG_ACK:
		heard(d, now_ms);
		taken = on_ack(d, &m, now_ms);
		break;
	case MSG_REFUSAL:
		heard(d, now_ms);
		taken = on_refusal(d, &m, now_ms);
		break;
	case MSG_RECOVER_REPLY:
		heard(d, now_ms);
		taken = deliver_on_refusals(d, &m, now_ms);
		break;
	default:
		log_warnx("event=unexpected_message_from_consolidator type=%d",
			  (int)m.type);
	}
	codec_msg_clear(&m);
	return taken;
}

/*
 * Counts a message read, taken or not: DELIVER_FLOOD_MAX in a row not
 * taken drop the connection and what libzmq holds of it, and dial again
 * on a new socket (deliver_reopen: never the same one redialled).
 * Returns whether it did.
 */
static bool
flooded(struct deliver *d, bool taken, uint64_t now_ms)
{
	if (!flood_guard_note(&d->flood, taken))
		return false;
	deliver_go_idle(d, now_ms);
	d->undialled = false;
	log_warnx_budget(&d->flood.log,
			 "event=consolidator_flood consolidator=%s "
			 "untaken=%d action=redial",
			 LOG_Q(d->endpoint), DELIVER_FLOOD_MAX);
	deliver_reopen(d, now_ms);
	return true;
}

size_t
deliver_read(struct deliver *d, uint64_t now_ms)
{
	struct tframes f;
	size_t k, taken = 0;

	for (k = 0; k < DELIVER_DRAIN_MAX && taken < DELIVER_MAX_PER_CALL &&
		    tsock_recv(d->sock, &f, 1, CODEC_MAX_FRAME) == 0;
	     k++) {
		bool t = deliver_message(d, f.data[0], f.len[0], now_ms);
		tframes_clear(&f);
		if (t)
			taken++;
		if (flooded(d, t, now_ms))
			return k + 1;
	}
	return k;
}
