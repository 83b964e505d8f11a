/*
 * outbox_int.h - what outbox.c (the store, its values, the commit),
 * outbox_txn.c (the write transaction of intake), outbox_read.c (reads
 * outside one), outbox_meta.c (the marks kept in meta), outbox_ack.c
 * (acknowledgements, refusals, dead letters), outbox_dead.c (the dead
 * letters' summary), outbox_epochs.c (the records per key epoch),
 * outbox_stages.c (the case stages' index) and outbox_check.c (the check
 * of an outbox not open) share: internal to them, the only files that see
 * LMDB.
 */
#ifndef KUSKA_OUTBOX_INT_H
#define KUSKA_OUTBOX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "lmdbcheck.h"
#include "outbox.h"

/* The meta key of the first sequence whose ref was checked for its
 * victim's identity (outbox_ref_checked), and the stamp every commit of
 * a kuska that keeps it renews (outbox_stamp_current) once the mark is
 * settled at its opening (refs_ready): left behind, an older kuska wrote
 * since, whose refs past the mark no one checked, or this one could not
 * settle the mark. */
#define OUTBOX_REFS_CHECKED_KEY "refs_checked_from"
#define OUTBOX_REFS_CHECKED_STAMP "refs_checked_txn"

/* The meta key whose presence says values carry a checksum. */
#define FORMAT_KEY "format"

struct outbox {
	MDB_env *env;
	MDB_dbi outbox, refs, seqref, dead, meta;
	MDB_dbi stages, stageof, stagrec; /* outbox_stages.c */
	bool tagged;		 /* values carry a checksum */
	bool stages_ready;	 /* the stages index is kept (built) */
	bool stages_again;	 /* to be built again: outbox_stages_again */
	bool ro;		 /* outbox_open_read: nothing written */
	bool epochs_ready;	 /* the records per key epoch are kept */
	bool refs_ready;	 /* the mark of checked refs is settled */
	uint64_t refs_from;	 /* that mark: as settled or put (0: none) */
	uint8_t id[OUTBOX_ID_LEN];
	char *dir;
};

/* Records per key epoch: what a transaction's ref puts changed. */
#define OUTBOX_EPOCH_DELTAS 8

struct outbox_epoch_delta {
	uint32_t epoch;
	int64_t records;
};

struct outbox_txn {
	struct outbox *ob;
	MDB_txn *txn;
	uint64_t next_seq;
	size_t n_deltas; /* outbox_epochs_note, outbox_epochs_flush */
	struct outbox_epoch_delta deltas[OUTBOX_EPOCH_DELTAS];
	bool refs_put;	    /* outbox_refs_checked_put: refs_from ... */
	uint64_t refs_from; /* ... ob's mark once committed */
};

/*
 * outbox_err - LMDB's codes onto ours: -EFBIG the map full (MDB_MAP_FULL,
 * MDB_TXN_FULL); the kernel's EFBIG (a file size limit) -EIO.
 */
int outbox_err(int rc);

/*
 * outbox_tput - puts v (vlen bytes) under k in dbi with its checksum;
 * flags are LMDB's. outbox_tget - the value under k, checked and without
 * its checksum (valid until txn ends). 0 or -errno (-ENOENT, -EUCLEAN).
 */
int outbox_tput(struct outbox *ob, MDB_txn *txn, MDB_dbi dbi, MDB_val *k,
		const void *v, size_t vlen, unsigned flags);
int outbox_tget(struct outbox *ob, MDB_txn *txn, MDB_dbi dbi, MDB_val *k,
		MDB_val *v);

/*
 * outbox_reserve - puts under k in dbi room for a value of vlen bytes and
 * its checksum (flags are LMDB's), where *ret says the value goes: the
 * caller fills it, then calls outbox_seal, which writes the checksum of
 * the vlen bytes at v. 0 or -errno.
 */
int outbox_reserve(struct outbox *ob, MDB_txn *txn, MDB_dbi dbi, MDB_val *k,
		   size_t vlen, unsigned flags, uint8_t **ret);
void outbox_seal(struct outbox *ob, const MDB_val *k, uint8_t *v, size_t vlen);

/*
 * outbox_meta_get - the meta number name: 0 when absent, -EUCLEAN when
 * damaged. outbox_meta_put - sets it.
 */
int outbox_meta_get(struct outbox *ob, MDB_txn *txn, const char *name,
		    uint64_t *ret);
int outbox_meta_put(struct outbox *ob, MDB_txn *txn, const char *name,
		    uint64_t val);

/*
 * outbox_commit_lmdb - commits txn (durably), stamped with its id for the
 * dead letters' summary (outbox_dead_sum_stamp); txn is ended either way:
 * 0, or -errno, -ENOSPC for a write that failed with the disk (nearly)
 * full.
 */
int outbox_commit_lmdb(struct outbox *ob, MDB_txn *txn);

/*
 * The dead letters' summary (outbox_dead.c), kept in meta: every write
 * transaction that adds or deletes a dead letter loads it, counts each
 * letter added (outbox_dead_sum_add) or deleted (outbox_dead_sum_del;
 * NULL for a damaged one, which was counted nowhere), v its value
 * without the checksum, and stores it before its commit.
 * outbox_dead_sum_load - the summary within txn (counted from the table
 *	when none that matches it is kept): 0 or -errno.
 * outbox_dead_sum_store - writes s within txn (counting the table again
 *	when a deletion may have taken the newest): 0 or -errno.
 * outbox_dead_sum_settle - makes and stores the summary within txn
 *	unless one that matches the table is kept (at outbox_open: an
 *	outbox of an earlier kuska has none): 1 stored, 0 kept, or -errno.
 * outbox_dead_sum_stamp - stamps meta with txn's id, just before its
 *	commit: the summary is used only while the stamp is that of the
 *	last commit (a write of an earlier kuska stamps nothing). 0 or
 *	-errno.
 */
struct outbox_dead_sum {
	uint64_t entries;   /* dead letters it was made for */
	uint64_t newest_ms; /* latest refusal time among them (0: none) */
	uint64_t counts[REASON_COUNT]; /* by reason_of_refusal */
	bool stale; /* not stored: newest_ms may have been deleted */
};

int outbox_dead_sum_load(struct outbox *ob, MDB_txn *txn,
			 struct outbox_dead_sum *s)
    __attribute__((warn_unused_result));
void outbox_dead_sum_add(struct outbox_dead_sum *s, const MDB_val *v);
void outbox_dead_sum_del(struct outbox_dead_sum *s, const MDB_val *v);
int outbox_dead_sum_store(struct outbox *ob, MDB_txn *txn,
			  struct outbox_dead_sum *s)
    __attribute__((warn_unused_result));
int outbox_dead_sum_settle(struct outbox *ob, MDB_txn *txn)
    __attribute__((warn_unused_result));
int outbox_dead_sum_stamp(struct outbox *ob, MDB_txn *txn)
    __attribute__((warn_unused_result));

/* The stamp in meta every commit of this kuska renews (outbox_dead.c). */
#define OUTBOX_COMMIT_STAMP "dead_summary_txn"

/*
 * outbox_stamp_current - whether the stamp in meta under key (a
 * NUL-terminated name) is the id of the outbox's last commit as txn sees
 * it: false when a kuska that keeps no such stamp (an earlier one) wrote
 * to it since, or it has none.
 */
bool outbox_stamp_current(struct outbox *ob, MDB_txn *txn, const char *key);

/*
 * outbox_stages_settle - at outbox_open: builds the case stages' index
 * of an outbox made before it existed, or written since by a kuska that
 * does not keep it (`stale`: outbox_stamp_current said no as it opened),
 * a scan, logged; or notes it ready. A failure leaves the index unused
 * (no warning), the outbox open all the same.
 */
void outbox_stages_settle(struct outbox *ob, bool stale);

/*
 * When the consolidator refuses a correction or a withdrawal it counts
 * the record as it was, which the index had moved (or freed) when the
 * line was taken: the build passes over such a dead letter, and the
 * index is built again once one is added, or one is revived that could
 * move it (a case stage, a correction or a withdrawal taken after all
 * counts again; another kind's revival leaves it): a scan of every
 * envelope, which grows with the outbox (medians of 1.6 to 3.2 s at 300,000 on
 *a loaded two-core machine: bench/README.md, bench_stages), made once before
 *the next intake (outbox_begin), however many Acks refused such events since.
 * outbox_stages_moves - whether envelope seq, refused within txn, is a
 *	correction or a withdrawal.
 * outbox_stages_revived_moves - whether envelope seq, revived within
 *	txn, is a case stage, a correction or a withdrawal.
 * outbox_stages_stale - deletes the index's mark within txn (the
 *	transaction adding or reviving such dead letters), so that a node
 *	stopped before the build makes it at its next start. 0 or -errno.
 * outbox_stages_again - after that commit: the index no longer used,
 *	and to be built again (when it was kept).
 * outbox_stages_catch_up - builds it then (logged with why=dead_letters).
 */
bool outbox_stages_moves(struct outbox *ob, MDB_txn *txn, uint64_t seq);
bool outbox_stages_revived_moves(struct outbox *ob, MDB_txn *txn, uint64_t seq);
int outbox_stages_stale(struct outbox *ob, MDB_txn *txn)
    __attribute__((warn_unused_result));
void outbox_stages_again(struct outbox *ob);
void outbox_stages_catch_up(struct outbox *ob);

/* outbox_ref_decode - a refs value v (without its checksum) into *ret:
 * 0 or -EUCLEAN. */
int outbox_ref_decode(const MDB_val *v, struct ref_info *ret);

/*
 * The live records per key epoch (outbox_epochs.c), kept in meta by the
 * transactions that put refs: a record (not a correction, not a
 * withdrawal) whose ref is live, its first envelope not refused by the
 * consolidator for its content (so refused, it counts nowhere), counts
 * under the key epoch of the envelope carrying its content (`current`:
 * its own, or its latest correction's), or, that envelope refused by the
 * consolidator (a dead letter), of the content the consolidator holds
 * (conservatively: no newer); so does one whose withdrawal the
 * consolidator refused (a dead letter), as the node and the consolidator
 * take it as live. Apart, those of them whose content's envelope (not
 * their first) was refused for its content: held, not re-keyed.
 * outbox_epochs_note - within t: info is to replace was (NULL: a ref not
 *	held); notes what it changes. 0 or -errno.
 * outbox_epochs_flush - within t, before its commit: stores what was
 *	noted. 0 or -errno.
 * outbox_epochs_dead - within t, a dead letter for seq added (sign +1)
 *	or deleted (-1: revived; a letter put again over another, first
 *	taken off so): a record's first envelope refused for its content
 *	leaves it counted nowhere (or, revived, counted again); a withdrawal
 *	the consolidator refused withdrew nothing, so the record its ref
 *	names as withdrawn by seq counts again (or no longer); a correction
 *	it refused (a re-keying one too) leaves it the content before, so
 *	the record whose content seq carries counts under that content's
 *	epoch (or, revived, seq's again), held if refused for its content.
 *	With the letter held: after it is put, before it is deleted or put
 *	again. 0 or -errno.
 * outbox_epochs_stamp - in every commit while they are kept: meta stamped
 *	with the transaction's id, as outbox_dead_sum_stamp, under a key of
 *	its own (a kuska that stamps but keeps no counts leaves it behind).
 * outbox_epochs_current - whether the counts and their stamp are those
 *	of the outbox's last commit as txn sees it.
 * outbox_epochs_settle - at outbox_open: kept (current), or counted
 *	again from the refs (logged). A failure leaves them unused (status
 *	says they are not known), the outbox open all the same.
 */
int outbox_epochs_note(struct outbox_txn *t, const struct ref_info *was,
		       const struct ref_info *info)
    __attribute__((warn_unused_result));
int outbox_epochs_flush(struct outbox_txn *t)
    __attribute__((warn_unused_result));
int outbox_epochs_dead(struct outbox_txn *t, uint64_t seq, int sign)
    __attribute__((warn_unused_result));
int outbox_epochs_stamp(struct outbox *ob, MDB_txn *txn)
    __attribute__((warn_unused_result));
bool outbox_epochs_current(struct outbox *ob, MDB_txn *txn);
void outbox_epochs_settle(struct outbox *ob, bool stale);

#endif
