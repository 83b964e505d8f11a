/* deliver_refusals.c - refusals left unsaid, asked for; see deliver.h. */
#include "deliver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "deliver_int.h"
#include "log.h"

#define REFUSALS_MAX_BACKOFF_MS 600000 /* asking again, refused */

/*
 * Asks the consolidator for its refusals from the outbox's refusals_from
 * on: sequences a Welcome acknowledged whose Ack (and so whose refusals)
 * never arrived, the connection cut or the node killed before it, or an
 * Ack of a later batch did (acks_others). The answers come in pieces
 * (deliver_on_refusals), each recorded as an Ack's rejections would be,
 * until the acknowledged sequence. One ask at a time: unanswered after
 * ack_timeout (the answer lost, the ask refused or not sent),
 * deliver_tick asks again.
 */
void
deliver_ask_refusals(struct deliver *d, uint64_t now_ms)
{
	struct outbox_state st;
	struct msg m;
	uint64_t from;

	d->refusals_asked = 0;
	d->refusals_due_ms = now_ms + d->ack_timeout_ms;
	if (outbox_refusals_from(d->ob, &from) != 0 ||
	    outbox_state(d->ob, &st) != 0)
		return; /* asked again when due */
	if (from == 0) {
		d->refusals_due_ms = 0; /* nothing to ask */
		return;
	}
	if (from > st.acked_seq) {
		struct outbox_refusals none = {0};

		/* Lowered by a consolidator behind: Acks will say them. */
		if (outbox_record_refusals(d->ob, &none, date_now_ms(), NULL) <
		    0)
			log_warnx("event=refusals_not_recorded");
		else
			d->refusals_due_ms = 0;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = MSG_RECOVER_REQUEST;
	m.from_seq = from;
	m.refusals_only = true;
	if (deliver_send_msg(d, &m) != 0)
		return; /* asked again when due */
	d->refusals_asked = from;
	log_info("event=refusals_asked from_seq=%llu acknowledged=%llu",
		 (unsigned long long)from, (unsigned long long)st.acked_seq);
}

enum refusals_answer
deliver_refusals_answer(uint64_t from, uint64_t upto, uint64_t last_seq,
			uint64_t acked, uint64_t *ret_next)
{
	if (upto < from) {
		/* Not where the node asks: the answer to an ask before it
		 * (sent twice), which would skip what it did not look at. */
		if (last_seq >= from)
			return REFUSALS_STALE;
		*ret_next = 0; /* nothing held from there */
		return REFUSALS_RECORD;
	}
	*ret_next = upto >= acked ? 0 : upto + 1;
	return REFUSALS_RECORD;
}

void
deliver_refusals_covered(uint64_t from, uint64_t upto, uint64_t acked,
			 bool listed, uint64_t *ret_first, uint64_t *ret_last)
{
	*ret_first = 0;
	*ret_last = upto < acked ? upto : acked;
	if (listed && from != 0 && from <= *ret_last)
		*ret_first = from;
}

/* The consolidator's refusals from d->refusals_asked on: dead letters.
 * Returns whether it was taken (may have written the outbox). */
bool
deliver_on_refusals(struct deliver *d, const struct msg *m, uint64_t now_ms)
{
	struct outbox_state st;
	struct outbox_refusals a;
	struct rejection *rej;
	uint64_t from = d->refusals_asked, upto, next;
	size_t i, n = 0;
	bool *fresh;
	int r;

	if (from == 0)
		return false; /* nothing asked: stale */
	if (outbox_state(d->ob, &st) != 0) {
		d->refusals_asked = 0; /* asked again when due */
		return false;
	}
	upto = m->scanned_to != 0 ? m->scanned_to
	       : m->n_held > 0	  ? m->held[m->n_held - 1].seq
				  : st.acked_seq;
	if (deliver_refusals_answer(from, upto, m->last_seq, st.acked_seq,
				    &next) == REFUSALS_STALE) {
		log_debug("event=refusals_stale from_seq=%llu scanned_to=%llu",
			  (unsigned long long)from, (unsigned long long)upto);
		return false; /* the answer to the ask under way is to come */
	}
	rej = calloc(m->n_held + 1, sizeof(*rej));
	fresh = calloc(m->n_held + 1, sizeof(*fresh));
	if (rej == NULL || fresh == NULL) {
		free(rej);
		free(fresh);
		d->refusals_asked = 0; /* asked again when due */
		return false;
	}
	/* An older consolidator sends every event held, envelopes too. */
	for (i = 0; i < m->n_held; i++) {
		const struct held_event *h = &m->held[i];
		if (h->reason == REASON_NONE || h->seq < from ||
		    h->seq > st.acked_seq)
			continue;
		rej[n].seq = h->seq;
		rej[n].reason = h->reason;
		snprintf(rej[n].text, sizeof(rej[n].text), "%s", h->text);
		n++;
	}
	a.rej = rej;
	a.n_rej = n;
	a.next = next;
	deliver_refusals_covered(from, upto, st.acked_seq,
				 m->scanned_to != 0 || m->n_held > 0, &a.first,
				 &a.last);
	r = outbox_record_refusals(d->ob, &a, date_now_ms(), fresh);
	if (r < 0) {
		log_warnx("event=refusals_not_recorded error=%s",
			  LOG_Q(strerror(-r)));
		n = 0;
	} else if (r > 0) {
		log_info("event=dead_letters_revived count=%d ack=lost", r);
	}
	/* Those already held were said when first heard. */
	for (i = 0; i < n; i++)
		if (fresh[i])
			log_warnx("event=refused seq=%llu reason=%s text=%s "
				  "ack=lost",
				  (unsigned long long)rej[i].seq,
				  reason_name(rej[i].reason),
				  LOG_Q(rej[i].text));
	free(rej);
	free(fresh);
	if (r < 0) {
		d->refusals_asked = 0; /* asked again when due */
		return true;
	}
	d->refusals_backoff_ms = 0;
	deliver_ask_refusals(d, now_ms);
	return true;
}

/*
 * The consolidator could not answer the ask (its store unreadable, out of
 * memory): that is no batch refused, nothing to stop delivering for. The
 * ask is made again later, waiting longer each time.
 */
void
deliver_refusals_refused(struct deliver *d, const struct msg *m,
			 uint64_t now_ms)
{
	const char *why = reason_name(m->reason) ? reason_name(m->reason) : "?";

	d->refusals_backoff_ms = d->refusals_backoff_ms == 0
				     ? d->ack_timeout_ms
				     : d->refusals_backoff_ms * 2;
	if (d->refusals_backoff_ms > REFUSALS_MAX_BACKOFF_MS)
		d->refusals_backoff_ms = REFUSALS_MAX_BACKOFF_MS;
	log_warnx_budget(&d->refusals_log,
			 "event=refusals_refused reason=%s from_seq=%llu "
			 "text=%s retry_s=%llu",
			 why, (unsigned long long)d->refusals_asked,
			 LOG_Q(m->text),
			 (unsigned long long)(d->refusals_backoff_ms / 1000));
	d->refusals_asked = 0;
	d->refusals_due_ms = now_ms + d->refusals_backoff_ms;
}

/* A new connection: an ask's answer on the old one is lost; the
 * Welcome asks at once. */
void
deliver_forget_ask(struct deliver *d)
{
	d->refusals_asked = 0;
	d->refusals_due_ms = 0;
}
