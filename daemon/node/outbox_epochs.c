/*
 * outbox_epochs.c - the live records per key epoch: what kuska status
 * reads during a key rotation, to tell whether the node still holds
 * records under the old keys (records never sent again are not re-keyed:
 * docs/INPUT.md section 7). Kept in meta by every transaction that puts a
 * ref (outbox_ref_put notes each change, outbox_commit stores them), so
 * that status reads one value, not the refs (two million of them on a
 * large node). See outbox.h and outbox_int.h.
 *
 * A record counts when its ref is a record's (not a correction's or a
 * withdrawal's), its first envelope not refused by the consolidator for
 * its content (a dead letter so counts nowhere, and is never re-keyed),
 * and live (or withdrawn by a withdrawal the consolidator refused, a
 * dead letter: the transactions adding and reviving dead letters note
 * it, outbox_epochs_dead), under the key epoch of the
 * envelope carrying its content: its own envelope's epoch (the ref's
 * `epoch`), or, once corrected, that of the envelope `current` names
 * (its latest correction, which a re-keyed correction replaces) - unless
 * the consolidator refused that envelope (a dead letter, a re-keying
 * correction's too): it then counts the content before it, under an
 * epoch no newer than the ref's own (content_epoch_as). Envelopes never
 * change, so a ref's value (and which of its envelopes are dead letters)
 * says where it counts, and a count made again from the refs is the one
 * kept. So are, apart, those of them held under their epoch by a
 * correction the consolidator refused for their content (held_as): kuska
 * status says sending again leaves them there while there are some.
 *
 * The counts are used only if every commit since they were made kept
 * them: every commit of this kuska stamps meta with its transaction id
 * under a key of their own (a kuska that keeps no counts, an earlier
 * one, may put refs and stamp the dead letters' summary, never this
 * key). Absent, or left behind, they are counted again at outbox_open.
 */
#include "outbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "log.h"
#include "outbox_int.h"

/* Renamed when what counts changed (a record whose first envelope was
 * refused for its content left out): an outbox counted by the earlier
 * rule lacks them, so it is counted again at its opening. */
#define COUNTS_KEY "epoch_live"
#define STAMP_KEY "epoch_live_txn"
/* A value: (epoch, records) pairs, oldest epoch first, none of 0; then
 * those of the same records held by a correction refused for its
 * content (held_as), their epoch with HELD set (key epochs stay below
 * it: KEYS_MAX_EPOCH). */
#define PAIR_LEN 12
#define HELD 0x80000000u
#define MAX_EPOCHS 1024

/*
 * A record's first envelope refused for its content (a dead letter's code
 * as stored, one this version does not know read as bad_event; bad_target
 * names no record's first envelope) is not taken again, nor is the record
 * re-keyed (a correction of it would be refused in turn).
 */
bool
outbox_refused_as_sent(enum reason why)
{
	switch (why) {
	case REASON_BAD_EVENT:
	case REASON_KIND_NOT_ALLOWED:
	case REASON_STAGE_NOT_ALLOWED:
	case REASON_BAD_TARGET:
	case REASON_TOO_LARGE:
		return true;
	default:
		return false;
	}
}

/*
 * Whether the ref counts as a live record within t, envelope alive taken
 * as not a dead letter (0: none): a record's whose first envelope the
 * consolidator did not refuse for its content (a dead letter so counts
 * nowhere there and is never re-keyed: its epoch's keys are not waiting
 * on it), not withdrawn, or withdrawn by a withdrawal the consolidator
 * refused (a dead letter withdrew nothing: the node takes the record as
 * live, intake_ref_get, and the consolidator counts it). A dead letter
 * added or revived changes it: outbox_epochs_dead.
 */
static bool
counts_as(struct outbox_txn *t, const struct ref_info *ri, uint64_t alive)
{
	uint64_t at_ms;
	uint8_t code;

	if (ri->target != TARGET_NONE)
		return false;
	if (ri->seq != alive &&
	    outbox_seq_dead(t, ri->seq, &code, &at_ms) == 0 &&
	    outbox_refused_as_sent(reason_of_refusal(code, NULL, 0)))
		return false;
	if (ri->state == REF_LIVE)
		return true;
	return ri->state == REF_WITHDRAWN && ri->withdrawn_by != 0 &&
	       ri->withdrawn_by != alive &&
	       outbox_seq_dead(t, ri->withdrawn_by, &code, &at_ms) == 0;
}

/* Whether the ref counts as a live record within t. */
static bool
counts(struct outbox_txn *t, const struct ref_info *ri)
{
	return counts_as(t, ri, 0);
}

/* Whether envelope seq is a dead letter within t, envelope alive taken
 * as not one (0: none). */
static bool
is_dead(struct outbox_txn *t, uint64_t seq, uint64_t alive)
{
	uint64_t at_ms;
	uint8_t code;

	return seq != alive && outbox_seq_dead(t, seq, &code, &at_ms) == 0;
}

/* The key epoch of envelope seq, or dflt when it cannot tell (a
 * recovered outbox's gap). */
static uint32_t
seq_epoch(struct outbox_txn *t, uint64_t seq, uint32_t dflt)
{
	struct event *ev;
	uint32_t version, epoch = dflt;

	ev = malloc(sizeof(*ev));
	if (ev == NULL)
		return epoch;
	if (outbox_seq_event(t, seq, ev, &version) == 0)
		epoch = ev->key_epoch;
	free(ev);
	return epoch;
}

/*
 * The key epoch ri counts under within t, envelope alive taken as not a
 * dead letter (0: none): that of the envelope carrying its content
 * (`current`), unless the consolidator refused that one (a dead letter).
 * It then holds an earlier content, whose envelope is ri's own or a
 * later one (epochs only grow): ri's own epoch, or, that envelope a
 * re-keying correction refused too, the ref's first envelope's. Never a
 * newer epoch than the content held: an old epoch's records may be
 * counted too many, never too few.
 */
static uint32_t
content_epoch_as(struct outbox_txn *t, const struct ref_info *ri,
		 uint64_t alive)
{
	uint64_t own = ri->own != 0 ? ri->own : ri->seq;
	uint64_t cur = ri->current != 0 ? ri->current : own;
	uint32_t epoch, first;

	if (cur == own) {
		if (own == ri->seq || !is_dead(t, own, alive))
			return ri->epoch;
		first = seq_epoch(t, ri->seq, ri->epoch);
		return first < ri->epoch ? first : ri->epoch;
	}
	epoch = seq_epoch(t, cur, ri->epoch);
	if (!is_dead(t, cur, alive))
		return epoch;
	if (own == ri->seq || !is_dead(t, own, alive))
		return ri->epoch < epoch ? ri->epoch : epoch;
	first = seq_epoch(t, ri->seq, ri->epoch);
	return first < epoch ? first : epoch;
}

/*
 * Whether ri, a record that counts, is held under its epoch by a
 * correction (a re-keying one too) the consolidator refused for its
 * content, envelope alive taken as not a dead letter (0: none): its
 * content's envelope (`current`), not its first, refused so. Its line
 * sent again is then held, not re-keyed (intake_rekey.c, held_as_refused:
 * the same reasons as refused_for_content there, too_large and
 * bad_target aside, a code this version does not know read as
 * bad_event), and kuska status says what moves it.
 */
static bool
held_as(struct outbox_txn *t, const struct ref_info *ri, uint64_t alive)
{
	uint64_t own = ri->own != 0 ? ri->own : ri->seq;
	uint64_t cur = ri->current != 0 ? ri->current : own;
	uint64_t at_ms;
	uint8_t code;
	enum reason why;

	if (cur == ri->seq || cur == alive ||
	    outbox_seq_dead(t, cur, &code, &at_ms) != 0)
		return false;
	why = reason_of_refusal(code, NULL, 0);
	return why == REASON_BAD_EVENT || why == REASON_KIND_NOT_ALLOWED ||
	       why == REASON_STAGE_NOT_ALLOWED;
}

/* The counts kept in meta into a malloc'd *ret (n pairs): 0, -ENOENT
 * absent, -EUCLEAN damaged. */
static int
load(struct outbox *ob, MDB_txn *txn, struct outbox_epoch_count **ret,
     size_t *n)
{
	MDB_val k = {sizeof(COUNTS_KEY) - 1, COUNTS_KEY}, v;
	const uint8_t *p;
	size_t i;
	int r;

	*ret = NULL;
	*n = 0;
	r = outbox_tget(ob, txn, ob->meta, &k, &v);
	if (r != 0)
		return r;
	if (v.mv_size % PAIR_LEN != 0 || v.mv_size / PAIR_LEN > MAX_EPOCHS)
		return -EUCLEAN;
	*n = v.mv_size / PAIR_LEN;
	*ret = calloc(*n + 1, sizeof(**ret));
	if (*ret == NULL)
		return -ENOMEM;
	p = v.mv_data;
	for (i = 0; i < *n; i++) {
		(*ret)[i].epoch = bytes_get_be32(p + PAIR_LEN * i);
		(*ret)[i].records = bytes_get_be64(p + PAIR_LEN * i + 4);
	}
	return 0;
}

/* Stores the n pairs of c (sorted, none of 0 records). */
static int
store(struct outbox *ob, MDB_txn *txn, const struct outbox_epoch_count *c,
      size_t n)
{
	MDB_val k = {sizeof(COUNTS_KEY) - 1, COUNTS_KEY};
	uint8_t *b;
	size_t i;
	int r;

	if (n > MAX_EPOCHS)
		return -E2BIG;
	b = malloc(n * PAIR_LEN + 1);
	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		bytes_put_be32(b + PAIR_LEN * i, c[i].epoch);
		bytes_put_be64(b + PAIR_LEN * i + 4, c[i].records);
	}
	r = outbox_tput(ob, txn, ob->meta, &k, b, n * PAIR_LEN, 0);
	free(b);
	return r;
}

/*
 * Adds d to the count of epoch in *c (n pairs, cap room), keeping it
 * sorted and without zeros; a count that would go below 0 stays at 0 (a
 * value astray: none in a count kept by this file). 0 or -ENOMEM.
 */
static int
apply(struct outbox_epoch_count **c, size_t *n, size_t *cap, uint32_t epoch,
      int64_t d)
{
	struct outbox_epoch_count *nc;
	size_t i = 0;

	while (i < *n && (*c)[i].epoch < epoch)
		i++;
	if (i < *n && (*c)[i].epoch == epoch) {
		if (d < 0 && (uint64_t)-d >= (*c)[i].records) {
			memmove(*c + i, *c + i + 1, (*n - i - 1) * sizeof(**c));
			(*n)--;
		} else {
			(*c)[i].records += (uint64_t)d;
		}
		return 0;
	}
	if (d <= 0)
		return 0;
	if (*n == *cap) {
		*cap = *cap * 2 + 4;
		nc = realloc(*c, *cap * sizeof(**c));
		if (nc == NULL)
			return -ENOMEM;
		*c = nc;
	}
	memmove(*c + i + 1, *c + i, (*n - i) * sizeof(**c));
	(*c)[i].epoch = epoch;
	(*c)[i].records = (uint64_t)d;
	(*n)++;
	return 0;
}

int
outbox_epochs_flush(struct outbox_txn *t)
{
	struct outbox *ob = t->ob;
	struct outbox_epoch_count *c = NULL;
	size_t n = 0, cap, i;
	int r = 0;

	if (t->n_deltas == 0 || !ob->epochs_ready) {
		t->n_deltas = 0;
		return 0;
	}
	r = load(ob, t->txn, &c, &n);
	if (r == -EUCLEAN || r == -ENOENT) {
		/* Not to be trusted: no longer kept (nor stamped), counted
		 * again at the next opening; the records are stored all the
		 * same. */
		log_warnx("event=epoch_records_not_counted error=\"%s\"",
			  strerror(-r));
		ob->epochs_ready = false;
		t->n_deltas = 0;
		free(c);
		return 0;
	}
	cap = n + 1;
	for (i = 0; i < t->n_deltas && r == 0; i++)
		r = apply(&c, &n, &cap, t->deltas[i].epoch,
			  t->deltas[i].records);
	if (r == 0)
		r = store(ob, t->txn, c, n);
	free(c);
	t->n_deltas = 0;
	return r;
}

/* Adds d to epoch's change within t (HELD set: to its held ones). */
static int
note(struct outbox_txn *t, uint32_t epoch, int64_t d)
{
	size_t i;
	int r;

	for (i = 0; i < t->n_deltas; i++)
		if (t->deltas[i].epoch == epoch) {
			t->deltas[i].records += d;
			return 0;
		}
	if (t->n_deltas == OUTBOX_EPOCH_DELTAS &&
	    (r = outbox_epochs_flush(t)) != 0)
		return r;
	t->deltas[t->n_deltas].epoch = epoch;
	t->deltas[t->n_deltas].records = d;
	t->n_deltas++;
	return 0;
}

/* Adds d to the counts ri, a record that counts, is in within t,
 * envelope alive taken as not a dead letter (0: none). */
static int
note_ref(struct outbox_txn *t, const struct ref_info *ri, uint64_t alive,
	 int64_t d)
{
	uint32_t epoch = content_epoch_as(t, ri, alive);
	int r;

	r = note(t, epoch, d);
	if (r == 0 && held_as(t, ri, alive))
		r = note(t, epoch | HELD, d);
	return r;
}

int
outbox_epochs_note(struct outbox_txn *t, const struct ref_info *was,
		   const struct ref_info *info)
{
	bool before, after;
	int r = 0;

	if (!t->ob->epochs_ready)
		return 0;
	before = was != NULL && counts(t, was);
	after = counts(t, info);
	if (!before && !after)
		return 0;
	/* The same content (a ref put again, its digest or state aside). */
	if (before && after && was->current == info->current &&
	    was->own == info->own && was->epoch == info->epoch)
		return 0;
	if (before)
		r = note_ref(t, was, 0, -1);
	if (r == 0 && after)
		r = note_ref(t, info, 0, 1);
	return r;
}

int
outbox_epochs_dead(struct outbox_txn *t, uint64_t seq, int sign)
{
	struct event *ev;
	struct ref_info ri;
	uint8_t id[EVENT_ID_LEN];
	uint32_t version;
	int r;

	if (!t->ob->epochs_ready)
		return 0;
	ev = malloc(sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	/* The ref the envelope changes: a record's own (its first envelope:
	 * refused, it counts nowhere), or the target of a withdrawal or a
	 * correction, the envelope its ref made first, whose id is the
	 * ref's. Anything else (a recovered gap, a damaged envelope) changes
	 * nothing the refs say. */
	r = outbox_seq_event(t, seq, ev, &version);
	if (r == 0 &&
	    (ev->kind == KIND_WITHDRAWAL || ev->kind == KIND_CORRECTION))
		r = outbox_seq_event(t, ev->target_seq, ev, &version);
	if (r == 0)
		memcpy(id, ev->id, EVENT_ID_LEN);
	free(ev);
	if (r == 0)
		r = outbox_ref_get(t, id, &ri);
	if (r == -ENOENT || r == -EUCLEAN || r == -EBADMSG)
		return 0;
	if (r != 0)
		return r;
	/* The letter is held at both calls: read as none (before it was
	 * added, once revived) and as one. A withdrawal refused withdrew
	 * nothing (only the one the ref names withdraws it); a correction
	 * refused leaves the content before it, perhaps under an older
	 * epoch (a re-keying one refused); a record's first envelope
	 * refused for its content leaves it counted nowhere. */
	r = 0;
	if (counts_as(t, &ri, seq))
		r = note_ref(t, &ri, seq, -sign);
	if (r == 0 && counts(t, &ri))
		r = note_ref(t, &ri, 0, sign);
	return r;
}

int
outbox_epochs_stamp(struct outbox *ob, MDB_txn *txn)
{
	MDB_val k = {sizeof(STAMP_KEY) - 1, STAMP_KEY};
	uint8_t b[8];

	if (!ob->epochs_ready)
		return 0;
	bytes_put_be64(b, mdb_txn_id(txn));
	return outbox_tput(ob, txn, ob->meta, &k, b, sizeof(b), 0);
}

bool
outbox_epochs_current(struct outbox *ob, MDB_txn *txn)
{
	MDB_val ck = {sizeof(COUNTS_KEY) - 1, COUNTS_KEY}, v;

	return outbox_tget(ob, txn, ob->meta, &ck, &v) == 0 &&
	       outbox_stamp_current(ob, txn, STAMP_KEY);
}

/* Counts the refs within txn into *c (n pairs, cap room); *ret_records
 * the records counted. */
static int
scan(struct outbox *ob, MDB_txn *txn, struct outbox_epoch_count **c, size_t *n,
     size_t *cap, uint64_t *ret_records)
{
	struct outbox_txn t = {.ob = ob, .txn = txn};
	struct ref_info ri;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, r = 0;

	*ret_records = 0;
	rc = mdb_cursor_open(txn, ob->refs, &cur);
	if (rc != 0)
		return outbox_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	while (rc == 0 && r == 0) {
		/* A damaged value counted nowhere: outbox_check names it. */
		if (lmdbcheck_untag(ob->tagged, &k, &v) == 0 &&
		    outbox_ref_decode(&v, &ri) == 0 && counts(&t, &ri)) {
			uint32_t epoch = content_epoch_as(&t, &ri, 0);

			r = apply(c, n, cap, epoch, 1);
			if (r == 0 && held_as(&t, &ri, 0))
				r = apply(c, n, cap, epoch | HELD, 1);
			(*ret_records)++;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (r == 0 && rc != MDB_NOTFOUND)
		r = outbox_err(rc);
	return r;
}

int
outbox_epochs_build(struct outbox *ob)
{
	struct outbox_epoch_count *c = NULL;
	size_t n = 0, cap = 0;
	uint64_t records = 0;
	MDB_txn *txn;
	int r;

	ob->epochs_ready = false;
	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r != 0)
		return r;
	r = scan(ob, txn, &c, &n, &cap, &records);
	if (r == 0)
		r = store(ob, txn, c, n);
	free(c);
	if (r != 0) {
		mdb_txn_abort(txn);
		return r;
	}
	ob->epochs_ready = true; /* for the stamp of this commit */
	r = outbox_commit_lmdb(ob, txn);
	if (r != 0) {
		ob->epochs_ready = false;
		return r;
	}
	return records > (uint64_t)INT32_MAX ? INT32_MAX : (int)records;
}

void
outbox_epochs_settle(struct outbox *ob, bool stale)
{
	MDB_txn *txn;
	MDB_stat ms;
	bool empty = true;
	int r;

	if (!stale) {
		ob->epochs_ready = true;
		return;
	}
	if (mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn) == 0) {
		empty = mdb_stat(txn, ob->refs, &ms) == 0 && ms.ms_entries == 0;
		mdb_txn_abort(txn);
	}
	r = outbox_epochs_build(ob);
	if (r < 0)
		log_warnx("event=epoch_records_not_counted error=\"%s\"",
			  strerror(-r));
	else if (!empty)
		log_info("event=epoch_records_counted records=%d", r);
}

int
outbox_epoch_records(struct outbox *ob, struct outbox_epoch_count *out,
		     size_t max)
{
	struct outbox_epoch_count *c = NULL;
	MDB_txn *txn;
	size_t n = 0, k = 0, i, j;
	int r;

	if (!ob->epochs_ready)
		return -ENOENT;
	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = load(ob, txn, &c, &n);
	mdb_txn_abort(txn);
	if (r == 0) {
		/* The held ones, their epoch with HELD, come after. */
		while (k < n && !(c[k].epoch & HELD))
			k++;
		for (i = 0; i < k && i < max; i++) {
			out[i] = c[i];
			out[i].held = 0;
			for (j = k; j < n; j++)
				if (c[j].epoch == (c[i].epoch | HELD))
					out[i].held = c[j].records;
		}
		r = (int)k;
	}
	free(c);
	return r;
}
