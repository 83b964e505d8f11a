/*
 * outbox_stages.c - the case stages' index (see outbox.h): which record
 * holds each stage of each case this node sent, kept for kuska submit's
 * warnings, and its build from the envelopes.
 *
 *	stages	case_id (32 bytes) + stage (1) -> seq (8), date (4), ref
 *	stagrec	case_id + stage + date (4, its sign flipped) + seq (8) ->
 *		nothing: every live record of the stage, earliest first
 *	stageof	seq (8) -> case_id + stage + date (its stagrec key but
 *		the seq), of every live record
 *	meta	"stages_index3": present once the index is built;
 *		"stages_index" (without stagrec) and "stages_index2" (its
 *		stageof without the date), of the kuskas before: built again
 */
#include "outbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "log.h"
#include "outbox_int.h"

#define MARK_KEY "stages_index3"
/* The marks of the kuskas before, whose tables differ: built again. */
static const char *const old_marks[] = {"stages_index", "stages_index2"};
#define OF_LEN (OUTBOX_STAGE_KEY_LEN + 4) /* a stageof value */
#define REC_KEY_LEN (OF_LEN + 8)

void
outbox_stage_key(uint8_t k[OUTBOX_STAGE_KEY_LEN],
		 const uint8_t case_id[PSEUDONYM_LEN], enum stage stage)
{
	memcpy(k, case_id, PSEUDONYM_LEN);
	k[PSEUDONYM_LEN] = (uint8_t)stage;
}

static int
get(struct outbox *ob, MDB_txn *txn, const uint8_t case_id[PSEUDONYM_LEN],
    enum stage stage, struct stage_entry *ret)
{
	uint8_t kb[OUTBOX_STAGE_KEY_LEN];
	MDB_val k = {OUTBOX_STAGE_KEY_LEN, kb}, v;
	size_t n;
	int r;

	outbox_stage_key(kb, case_id, stage);
	r = outbox_tget(ob, txn, ob->stages, &k, &v);
	if (r != 0)
		return r;
	if (v.mv_size < 12 || v.mv_size - 12 >= sizeof(ret->ref))
		return -EUCLEAN;
	n = v.mv_size - 12;
	ret->seq = bytes_get_be64(v.mv_data);
	ret->date = (int32_t)bytes_get_be32((const uint8_t *)v.mv_data + 8);
	memcpy(ret->ref, (const uint8_t *)v.mv_data + 12, n);
	ret->ref[n] = '\0';
	return 0;
}

/* Record seq's stageof value: its stagrec key but the seq. */
static int
stage_of(struct outbox *ob, MDB_txn *txn, uint64_t seq, uint8_t ret[OF_LEN])
{
	uint8_t kb[8];
	MDB_val k = {8, kb}, v;
	int r;

	bytes_put_be64(kb, seq);
	r = outbox_tget(ob, txn, ob->stageof, &k, &v);
	if (r != 0)
		return r;
	if (v.mv_size != OF_LEN)
		return -EUCLEAN;
	memcpy(ret, v.mv_data, OF_LEN);
	return 0;
}

/* The stagrec key of a record: dates before 1970 sort first. */
static void
rec_key(uint8_t k[REC_KEY_LEN], const uint8_t case_id[PSEUDONYM_LEN],
	enum stage stage, int32_t date, uint64_t seq)
{
	outbox_stage_key(k, case_id, stage);
	bytes_put_be32(k + OUTBOX_STAGE_KEY_LEN, (uint32_t)date ^ 0x80000000u);
	bytes_put_be64(k + OF_LEN, seq);
}

static int
put(struct outbox *ob, MDB_txn *txn, const uint8_t case_id[PSEUDONYM_LEN],
    enum stage stage, const struct stage_entry *e)
{
	uint8_t kb[REC_KEY_LEN], sb[8], vb[12 + sizeof(e->ref)];
	MDB_val k = {OUTBOX_STAGE_KEY_LEN, kb}, sk = {8, sb};
	size_t n = strnlen(e->ref, sizeof(e->ref) - 1);
	int r;

	rec_key(kb, case_id, stage, e->date, e->seq);
	bytes_put_be64(vb, e->seq);
	bytes_put_be32(vb + 8, (uint32_t)e->date);
	memcpy(vb + 12, e->ref, n);
	r = outbox_tput(ob, txn, ob->stages, &k, vb, 12 + n, 0);
	if (r != 0)
		return r;
	bytes_put_be64(sb, e->seq);
	return outbox_tput(ob, txn, ob->stageof, &sk, kb, OF_LEN, 0);
}

/* Record seq, live, of (case_id, stage) dated date: in stagrec and
 * stageof. */
static int
add(struct outbox *ob, MDB_txn *txn, const uint8_t case_id[PSEUDONYM_LEN],
    enum stage stage, int32_t date, uint64_t seq)
{
	uint8_t kb[REC_KEY_LEN], sb[8];
	MDB_val k = {REC_KEY_LEN, kb}, sk = {8, sb};
	int r;

	rec_key(kb, case_id, stage, date, seq);
	r = outbox_tput(ob, txn, ob->stagrec, &k, "", 0, 0);
	if (r != 0)
		return r;
	bytes_put_be64(sb, seq);
	return outbox_tput(ob, txn, ob->stageof, &sk, kb, OF_LEN, 0);
}

/* Whether the consolidator refused record seq (a dead letter, which
 * counts nowhere: intake_stage.c's counts()). */
static bool
dead(struct outbox *ob, MDB_txn *txn, uint64_t seq)
{
	struct outbox_txn t = {.ob = ob, .txn = txn};
	uint64_t at_ms;
	uint8_t code;

	return outbox_seq_dead(&t, seq, &code, &at_ms) == 0;
}

/* The ref stored with envelope seq into out ("" when none). */
static void
seq_ref(struct outbox *ob, MDB_txn *txn, uint64_t seq, char *out, size_t cap)
{
	uint8_t kb[8];
	MDB_val k = {8, kb}, v;

	out[0] = '\0';
	bytes_put_be64(kb, seq);
	if (outbox_tget(ob, txn, ob->seqref, &k, &v) == 0 && v.mv_size < cap) {
		memcpy(out, v.mv_data, v.mv_size);
		out[v.mv_size] = '\0';
	}
}

/*
 * The first live record of (case_id, stage) that counts (not a dead
 * letter) and skip does not pass over (skip NULL: none), earliest first
 * (of one day, the first sent, as the consolidator counts them): 0 and
 * *ret, -ENOENT, -errno. An entry its record's stageof does not name is
 * stale (the record went when its stageof was found damaged: del): with
 * `mend` deleted on the way.
 */
static int
first(struct outbox *ob, MDB_txn *txn, const uint8_t case_id[PSEUDONYM_LEN],
      enum stage stage, bool mend, bool (*skip)(void *arg, uint64_t seq),
      void *arg, struct stage_entry *ret)
{
	uint8_t kb[REC_KEY_LEN], of[OF_LEN];
	MDB_cursor *cur;
	MDB_val k = {OUTBOX_STAGE_KEY_LEN, kb}, v;
	int rc, r = -ENOENT;

	outbox_stage_key(kb, case_id, stage);
	rc = mdb_cursor_open(txn, ob->stagrec, &cur);
	if (rc != 0)
		return outbox_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size == REC_KEY_LEN &&
	       memcmp(k.mv_data, kb, OUTBOX_STAGE_KEY_LEN) == 0) {
		const uint8_t *p = k.mv_data;
		uint64_t s = bytes_get_be64(p + OF_LEN);
		int g = stage_of(ob, txn, s, of);
		if (g == -ENOENT || g == -EUCLEAN ||
		    (g == 0 && memcmp(of, p, OF_LEN) != 0)) {
			g = mend ? outbox_err(mdb_cursor_del(cur, 0)) : 0;
		} else if (g == 0 && (skip == NULL || !skip(arg, s)) &&
			   !dead(ob, txn, s)) {
			ret->seq = s;
			ret->date =
			    (int32_t)(bytes_get_be32(p + PSEUDONYM_LEN + 1) ^
				      0x80000000u);
			seq_ref(ob, txn, s, ret->ref, sizeof(ret->ref));
			r = 0;
			break;
		}
		if (g != 0) {
			r = g;
			break;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (r == -ENOENT && rc != 0 && rc != MDB_NOTFOUND)
		r = outbox_err(rc);
	return r;
}

/* Makes the first live record of (case_id, stage) that counts its
 * holder, or none (first, mending). */
static int
recs_walk(struct outbox *ob, MDB_txn *txn, const uint8_t case_id[PSEUDONYM_LEN],
	  enum stage stage)
{
	struct stage_entry e;
	int r = first(ob, txn, case_id, stage, true, NULL, NULL, &e);

	if (r == 0)
		return put(ob, txn, case_id, stage, &e);
	return r == -ENOENT ? 0 : r;
}

/* A deletion of what is not there is no failure. */
static int
del_ok(int rc)
{
	return rc == MDB_NOTFOUND ? 0 : outbox_err(rc);
}

/* Deletes record seq's entries; when it held its stage, the next record
 * of it that counts takes it (recs_walk). */
static int
del(struct outbox *ob, MDB_txn *txn, uint64_t seq)
{
	struct stage_entry e;
	uint8_t kb[REC_KEY_LEN], sb[8];
	MDB_val sk = {8, sb}, k = {OUTBOX_STAGE_KEY_LEN, kb};
	MDB_val rk = {REC_KEY_LEN, kb};
	enum stage stage;
	bool held;
	int r;

	/* kb: the record's stagrec key, from its stageof value. */
	r = stage_of(ob, txn, seq, kb);
	if (r == -ENOENT)
		return 0;
	bytes_put_be64(sb, seq);
	/* Damaged: gone with it; its stagrec entry, not to be found, is
	 * deleted when a walk meets it (recs_walk). */
	if (r != 0)
		return del_ok(mdb_del(txn, ob->stageof, &sk, NULL));
	bytes_put_be64(kb + OF_LEN, seq);
	stage = (enum stage)kb[PSEUDONYM_LEN];
	r = get(ob, txn, kb, stage, &e);
	if (r != 0 && r != -ENOENT && r != -EUCLEAN)
		return r;
	held = r == -EUCLEAN || (r == 0 && e.seq == seq);
	r = del_ok(mdb_del(txn, ob->stagrec, &rk, NULL));
	if (r == 0)
		r = del_ok(mdb_del(txn, ob->stageof, &sk, NULL));
	if (r == 0 && held)
		r = del_ok(mdb_del(txn, ob->stages, &k, NULL));
	if (r == 0 && held)
		r = recs_walk(ob, txn, kb, stage);
	return r;
}

/*
 * The entry of (case_id, stage), as get, its holder one that counts: when
 * the consolidator refused the record it names (a dead letter, refused
 * after it took the entry), the next live record of the stage that counts
 * takes it first, as when it goes (del), or none does.
 */
static int
counted(struct outbox *ob, MDB_txn *txn, const uint8_t case_id[PSEUDONYM_LEN],
	enum stage stage, struct stage_entry *ret)
{
	uint8_t kb[OUTBOX_STAGE_KEY_LEN];
	MDB_val k = {OUTBOX_STAGE_KEY_LEN, kb};
	struct stage_entry e;
	int r;

	r = get(ob, txn, case_id, stage, &e);
	if (r == 0 && dead(ob, txn, e.seq)) {
		outbox_stage_key(kb, case_id, stage);
		r = del_ok(mdb_del(txn, ob->stages, &k, NULL));
		if (r == 0)
			r = recs_walk(ob, txn, case_id, stage);
		if (r == 0)
			r = get(ob, txn, case_id, stage, &e);
	}
	if (r == 0)
		*ret = e;
	return r;
}

int
outbox_stage_get(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		 enum stage stage, struct stage_entry *ret)
{
	if (!t->ob->stages_ready)
		return -ENOENT;
	return counted(t->ob, t->txn, case_id, stage, ret);
}

int
outbox_stage_held(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		  enum stage stage, struct stage_entry *ret)
{
	if (!t->ob->stages_ready)
		return -ENOENT;
	return get(t->ob, t->txn, case_id, stage, ret);
}

int
outbox_stage_next(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		  enum stage stage, bool (*skip)(void *arg, uint64_t seq),
		  void *arg, struct stage_entry *ret)
{
	if (!t->ob->stages_ready)
		return -ENOENT;
	return first(t->ob, t->txn, case_id, stage, false, skip, arg, ret);
}

int
outbox_stage_put(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		 enum stage stage, const struct stage_entry *e)
{
	if (!t->ob->stages_ready)
		return 0;
	return put(t->ob, t->txn, case_id, stage, e);
}

int
outbox_stage_add(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		 enum stage stage, int32_t date, uint64_t seq)
{
	if (!t->ob->stages_ready)
		return 0;
	return add(t->ob, t->txn, case_id, stage, date, seq);
}

int
outbox_stage_of(struct outbox_txn *t, uint64_t seq,
		uint8_t case_id[PSEUDONYM_LEN], enum stage *ret)
{
	uint8_t of[OF_LEN];
	int r;

	if (!t->ob->stages_ready)
		return -ENOENT;
	r = stage_of(t->ob, t->txn, seq, of);
	if (r != 0)
		return r;
	memcpy(case_id, of, PSEUDONYM_LEN);
	*ret = (enum stage)of[PSEUDONYM_LEN];
	return 0;
}

int
outbox_stage_del(struct outbox_txn *t, uint64_t seq)
{
	if (!t->ob->stages_ready)
		return 0;
	return del(t->ob, t->txn, seq);
}

/*
 * One envelope's event, as intake keeps the index (intake_stage.c): a
 * case stage is one of its stage's records, and takes its entry if free,
 * held by a record dated after it (of one day, sent after it) or by a
 * dead letter with no live record before it to count; a correction of
 * one moves its record to its content (on the same terms); a withdrawal
 * deletes it, its entry going to the next record (del). Returns 0 or
 * -errno.
 */
static int
build_one(struct outbox *ob, MDB_txn *txn, uint64_t seq, const MDB_val *v,
	  struct event *ev)
{
	struct envelope env;
	struct stage_entry e;
	uint64_t rec;
	int r, rc;

	if (v->mv_size < 8 ||
	    codec_envelope_decode((const uint8_t *)v->mv_data + 8,
				  v->mv_size - 8, &env) != 0)
		return 0; /* not to be read: it holds nothing */
	r = codec_event_decode(env.event, env.event_len, ev);
	codec_envelope_clear(&env);
	if (r != 0)
		return 0;
	/* Refused, it leaves its record as the consolidator counts it. */
	if ((ev->kind == KIND_WITHDRAWAL || ev->kind == KIND_CORRECTION) &&
	    dead(ob, txn, seq))
		return 0;
	if (ev->kind == KIND_WITHDRAWAL)
		return del(ob, txn, ev->target_seq);
	if (ev->kind != KIND_CASE_STAGE && ev->kind != KIND_CORRECTION)
		return 0;
	rec = ev->kind == KIND_CORRECTION ? ev->target_seq : seq;
	/* A correction to another kind frees its stage too, as intake's. */
	if (ev->kind == KIND_CORRECTION && (r = del(ob, txn, rec)) != 0)
		return r;
	if (ev->rec.kind != KIND_CASE_STAGE)
		return 0;
	/* The holder that counts before this record is one of the stage's,
	 * as intake_stage_take judges it. */
	r = counted(ob, txn, ev->rec.case_id, ev->rec.stage, &e);
	if (r == 0 &&
	    (ev->rec.date < e.date || (ev->rec.date == e.date && rec < e.seq)))
		r = -ENOENT; /* counted in the holder's place */
	if (r != 0 && r != -ENOENT && r != -EUCLEAN)
		return r;
	rc = add(ob, txn, ev->rec.case_id, ev->rec.stage, ev->rec.date, rec);
	if (rc != 0 || r != -ENOENT)
		return rc;
	e.seq = rec;
	e.date = ev->rec.date;
	seq_ref(ob, txn, rec, e.ref, sizeof(e.ref));
	return put(ob, txn, ev->rec.case_id, ev->rec.stage, &e);
}

/* Deletes the marks of the kuskas before. */
static int
del_old_marks(struct outbox *ob, MDB_txn *txn)
{
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof(old_marks) / sizeof(old_marks[0]) && r == 0;
	     i++) {
		MDB_val k = {strlen(old_marks[i]), (void *)old_marks[i]};
		r = del_ok(mdb_del(txn, ob->meta, &k, NULL));
	}
	return r;
}

/* Deletes the mark (the index not to be used), in a transaction of its
 * own. */
static void
unmark(struct outbox *ob)
{
	MDB_txn *txn;
	MDB_val k = {strlen(MARK_KEY), MARK_KEY};

	ob->stages_ready = false;
	if (mdb_txn_begin(ob->env, NULL, 0, &txn) != 0)
		return;
	if (del_ok(mdb_del(txn, ob->meta, &k, NULL)) != 0 ||
	    del_old_marks(ob, txn) != 0 || outbox_commit_lmdb(ob, txn) != 0)
		log_warnx("event=stage_index_not_built error=\"the mark of a "
			  "former index stays\"");
}

int
outbox_stages_build(struct outbox *ob)
{
	struct event *ev = malloc(sizeof(*ev));
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_stat ms;
	MDB_val k, v;
	int n = 0, rc, r;

	if (ev == NULL)
		return -ENOMEM;
	r = outbox_err(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (r == 0)
		r = outbox_err(mdb_drop(txn, ob->stages, 0));
	if (r == 0)
		r = outbox_err(mdb_drop(txn, ob->stageof, 0));
	if (r == 0)
		r = outbox_err(mdb_drop(txn, ob->stagrec, 0));
	if (r == 0)
		r = outbox_err(mdb_cursor_open(txn, ob->outbox, &cur));
	if (r == 0) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
		while (rc == 0 && r == 0) {
			if (k.mv_size == 8 &&
			    lmdbcheck_untag(ob->tagged, &k, &v) == 0) {
				r = build_one(
				    ob, txn, bytes_get_be64(k.mv_data), &v, ev);
				n += r > 0;
			}
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
		}
		if (r == 0)
			r = rc == MDB_NOTFOUND ? 0 : outbox_err(rc);
		mdb_cursor_close(cur);
	}
	if (r == 0 && mdb_stat(txn, ob->stages, &ms) == 0)
		n = (int)ms.ms_entries; /* those kept, not those moved */
	if (r == 0)
		r = outbox_meta_put(ob, txn, MARK_KEY, 1);
	if (r == 0)
		r = del_old_marks(ob, txn);
	if (r == 0) {
		r = outbox_commit_lmdb(ob, txn);
		txn = NULL;
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	free(ev);
	if (r != 0) {
		unmark(ob);
		return r;
	}
	ob->stages_ready = true;
	return n;
}

void
outbox_stages_settle(struct outbox *ob, bool stale)
{
	MDB_txn *txn;
	MDB_stat ms;
	uint64_t mark = 0, old = 0, v;
	bool empty;
	size_t i;
	int r;

	if (mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn) != 0)
		return;
	r = outbox_meta_get(ob, txn, MARK_KEY, &mark);
	/* The mark of a kuska whose tables differ (a downgrade's too,
	 * which builds its index again as it finds no mark of its own). */
	for (i = 0; i < sizeof(old_marks) / sizeof(old_marks[0]); i++)
		if (outbox_meta_get(ob, txn, old_marks[i], &v) != 0 || v != 0)
			old = 1;
	empty = mdb_stat(txn, ob->outbox, &ms) == 0 && ms.ms_entries == 0;
	mdb_txn_abort(txn);
	if (r == 0 && mark != 0 && old == 0 && !stale) {
		ob->stages_ready = true;
		return;
	}
	r = outbox_stages_build(ob);
	if (r < 0)
		log_warnx("event=stage_index_not_built error=\"%s\"",
			  strerror(-r));
	else if (!empty)
		log_info("event=stage_index_built entries=%d%s", r,
			 mark != 0 || old != 0
			     ? " why=written_by_an_earlier_kuska"
			     : "");
}

/* Whether envelope seq's event is of one of kinds (n of them); when it
 * cannot be read, false (the build passes over it too), but true when
 * out of memory: built again to be sure. */
static bool
seq_kind_in(struct outbox *ob, MDB_txn *txn, uint64_t seq,
	    const enum kind *kinds, size_t n)
{
	struct outbox_txn t = {.ob = ob, .txn = txn};
	struct event *ev;
	uint32_t version;
	bool in = false;
	size_t i;

	if ((ev = malloc(sizeof(*ev))) == NULL)
		return true;
	if (outbox_seq_event(&t, seq, ev, &version) == 0)
		for (i = 0; i < n; i++)
			in = in || ev->kind == kinds[i];
	free(ev);
	return in;
}

bool
outbox_stages_moves(struct outbox *ob, MDB_txn *txn, uint64_t seq)
{
	static const enum kind amends[] = {KIND_CORRECTION, KIND_WITHDRAWAL};

	return ob->stages_ready &&
	       seq_kind_in(ob, txn, seq, amends,
			   sizeof(amends) / sizeof(amends[0]));
}

bool
outbox_stages_revived_moves(struct outbox *ob, MDB_txn *txn, uint64_t seq)
{
	/* A case stage too: it counts again, before the stage's records
	 * that took its entry while it was dead (counted). */
	static const enum kind kinds[] = {KIND_CASE_STAGE, KIND_CORRECTION,
					  KIND_WITHDRAWAL};

	return ob->stages_ready &&
	       seq_kind_in(ob, txn, seq, kinds,
			   sizeof(kinds) / sizeof(kinds[0]));
}

int
outbox_stages_stale(struct outbox *ob, MDB_txn *txn)
{
	MDB_val k = {strlen(MARK_KEY), MARK_KEY};

	return del_ok(mdb_del(txn, ob->meta, &k, NULL));
}

void
outbox_stages_again(struct outbox *ob)
{
	if (ob->stages_ready)
		ob->stages_again = true;
	ob->stages_ready = false;
}

void
outbox_stages_catch_up(struct outbox *ob)
{
	int r;

	if (!ob->stages_again)
		return;
	ob->stages_again = false;
	r = outbox_stages_build(ob);
	if (r < 0)
		log_warnx("event=stage_index_not_built error=\"%s\"",
			  strerror(-r));
	else
		log_info("event=stage_index_built entries=%d why=dead_letters",
			 r);
}
