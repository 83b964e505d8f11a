/*
 * outbox_dead.c - the dead letters' summary: what kuska status and a
 * metrics scrape read of them (the count by reason, the newest refusal's
 * time), kept in meta by every transaction that adds or deletes a dead
 * letter, so that neither reads the whole dead table (a node refused a
 * week of events holds hundreds of thousands: about 50 ms a read at a
 * million, in the node's one loop). See outbox.h and outbox_int.h.
 *
 * The summary is used only if it was kept by the last transaction that
 * wrote to the outbox: every commit of this kuska stamps meta with its
 * transaction id (outbox_commit_lmdb), and a summary whose stamp is not
 * the id of the outbox's last commit was left behind by a write of a
 * kuska that keeps no stamp (an earlier one, which may have added and
 * revived dead letters, leaving their number as it was). Such a summary,
 * or one made for another number of dead letters than the table holds,
 * or damaged, or of a version with other reasons, is not used:
 * outbox_open makes it again from the table, and a read counts the table
 * meanwhile. Two reads of LMDB's meta, no scan.
 */
#include "outbox.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "outbox_int.h"

#define SUM_KEY "dead_summary"
/* the id of the last transaction this kuska committed */
#define STAMP_KEY OUTBOX_COMMIT_STAMP
/* entries, newest_ms, then a count per reason */
#define SUM_LEN ((2 + REASON_COUNT) * 8)

/* The time a dead letter's value v (without its checksum) gives: 0 when
 * too short to hold one. */
static uint64_t
dead_time(const MDB_val *v)
{
	if (v->mv_size < 9)
		return 0;
	return bytes_get_be64((const uint8_t *)v->mv_data + 1);
}

/* Counts the dead letter of value v (without its checksum) into s;
 * `sign` +1 adds it, -1 takes it off. An empty value counts nowhere, as
 * in the scan. */
static void
count_value(struct outbox_dead_sum *s, const MDB_val *v, int sign)
{
	enum reason r;
	uint64_t at;

	if (v->mv_size == 0)
		return;
	r = reason_of_refusal(*(const uint8_t *)v->mv_data, NULL, 0);
	at = dead_time(v);
	if (sign > 0) {
		s->counts[r]++;
		if (at > s->newest_ms)
			s->newest_ms = at;
		return;
	}
	if (s->counts[r] > 0)
		s->counts[r]--;
	else
		s->stale = true; /* astray: counted again at the store */
	/* The newest may have gone: the next one is found at the store. */
	if (at >= s->newest_ms)
		s->stale = true;
}

/* The summary of the dead table within txn, counted from every letter. */
static int
scan(struct outbox *ob, MDB_txn *txn, struct outbox_dead_sum *s)
{
	MDB_cursor *cur;
	MDB_stat ms;
	MDB_val k, v;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = mdb_stat(txn, ob->dead, &ms);
	if (rc != 0)
		return outbox_err(rc);
	s->entries = ms.ms_entries;
	rc = mdb_cursor_open(txn, ob->dead, &cur);
	if (rc != 0)
		return outbox_err(rc);
	/* By time, not sequence: a theft's events, refused at --recover,
	 * can be older sequences refused later. */
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		if (lmdbcheck_untag(ob->tagged, &k, &v) == 0)
			count_value(s, &v, +1); /* damaged: counts nowhere */
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : outbox_err(rc);
}

/*
 * Whether the stamp in meta is the id of the outbox's last commit, as seen
 * by txn: of its snapshot for a reader; for a writer, whose id is one past
 * the last commit, of that commit.
 */
bool
outbox_stamp_current(struct outbox *ob, MDB_txn *txn, const char *key)
{
	MDB_val k = {strlen(key), (void *)key}, v;
	MDB_envinfo info;
	uint64_t stamp, id = mdb_txn_id(txn);

	if (outbox_tget(ob, txn, ob->meta, &k, &v) != 0 || v.mv_size != 8 ||
	    mdb_env_info(ob->env, &info) != 0)
		return false;
	stamp = bytes_get_be64(v.mv_data);
	return stamp == id || (stamp + 1 == id && stamp == info.me_last_txnid);
}

/*
 * The summary kept in meta, into *s: 0, or -ENOENT when there is none
 * that can be used (absent, damaged, another version's, made for another
 * number of dead letters than the table holds, or left behind by a write
 * of a kuska that does not keep it).
 */
static int
kept(struct outbox *ob, MDB_txn *txn, struct outbox_dead_sum *s)
{
	MDB_val k = {sizeof(SUM_KEY) - 1, SUM_KEY}, v;
	const uint8_t *p;
	MDB_stat ms;
	size_t i;
	int rc;

	if (outbox_tget(ob, txn, ob->meta, &k, &v) != 0 ||
	    v.mv_size != SUM_LEN || !outbox_stamp_current(ob, txn, STAMP_KEY))
		return -ENOENT;
	rc = mdb_stat(txn, ob->dead, &ms);
	if (rc != 0)
		return outbox_err(rc);
	p = v.mv_data;
	memset(s, 0, sizeof(*s));
	s->entries = bytes_get_be64(p);
	s->newest_ms = bytes_get_be64(p + 8);
	for (i = 0; i < REASON_COUNT; i++)
		s->counts[i] = bytes_get_be64(p + 16 + 8 * i);
	return s->entries == ms.ms_entries ? 0 : -ENOENT;
}

int
outbox_dead_sum_load(struct outbox *ob, MDB_txn *txn, struct outbox_dead_sum *s)
{
	int r = kept(ob, txn, s);

	return r == -ENOENT ? scan(ob, txn, s) : r;
}

void
outbox_dead_sum_add(struct outbox_dead_sum *s, const MDB_val *v)
{
	count_value(s, v, +1);
	s->entries++;
}

void
outbox_dead_sum_del(struct outbox_dead_sum *s, const MDB_val *v)
{
	if (v != NULL)
		count_value(s, v, -1);
	if (s->entries > 0)
		s->entries--;
}

int
outbox_dead_sum_store(struct outbox *ob, MDB_txn *txn,
		      struct outbox_dead_sum *s)
{
	MDB_val k = {sizeof(SUM_KEY) - 1, SUM_KEY};
	uint8_t b[SUM_LEN];
	size_t i;
	int r;

	/* A deletion took the newest, or the counts went astray: count the
	 * table as it now is (deletions are rare: a --refetch's). */
	if (s->stale) {
		r = scan(ob, txn, s);
		if (r != 0)
			return r;
	}
	bytes_put_be64(b, s->entries);
	bytes_put_be64(b + 8, s->newest_ms);
	for (i = 0; i < REASON_COUNT; i++)
		bytes_put_be64(b + 16 + 8 * i, s->counts[i]);
	return outbox_tput(ob, txn, ob->meta, &k, b, sizeof(b), 0);
}

int
outbox_dead_sum_settle(struct outbox *ob, MDB_txn *txn)
{
	struct outbox_dead_sum s;
	int r = kept(ob, txn, &s);

	if (r != -ENOENT)
		return r;
	r = scan(ob, txn, &s);
	if (r == 0)
		r = outbox_dead_sum_store(ob, txn, &s);
	return r != 0 ? r : 1;
}

int
outbox_dead_sum_stamp(struct outbox *ob, MDB_txn *txn)
{
	MDB_val k = {sizeof(STAMP_KEY) - 1, STAMP_KEY};
	uint8_t b[8];

	bytes_put_be64(b, mdb_txn_id(txn));
	return outbox_tput(ob, txn, ob->meta, &k, b, sizeof(b), 0);
}

int
outbox_dead_by_reason(struct outbox *ob, uint64_t counts[REASON_COUNT],
		      uint64_t *ret_newest_ms)
{
	struct outbox_dead_sum s;
	MDB_txn *txn;
	int r;

	memset(counts, 0, REASON_COUNT * sizeof(counts[0]));
	r = outbox_err(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (r != 0)
		return r;
	r = outbox_dead_sum_load(ob, txn, &s);
	mdb_txn_abort(txn);
	if (r != 0)
		return r;
	memcpy(counts, s.counts, REASON_COUNT * sizeof(counts[0]));
	if (ret_newest_ms != NULL)
		*ret_newest_ms = s.newest_ms;
	return 0;
}
