/*
 * outbox.h - the node's durable store (LMDB; this module owns it).
 *
 * Tables:
 *	outbox	seq -> created_ms (8 bytes) + the signed envelope, kept after
 *		acknowledgement so a consolidator restored from backup can be
 *		refilled
 *	refs	event id (keyed hash of the ref) -> seq, record digest, kind,
 *		state (live or withdrawn), the envelopes carrying its content
 *		and their key epoch, the withdrawal's envelope (struct
 *		ref_info; outbox_ref_get reads the two shorter layouts of
 *		earlier versions too)
 *	seqref	seq -> the case system's ref, to name dead letters and a
 *		record's withdrawal
 *	dead	seq -> reason, time, text: events the consolidator refused
 *	stages	case pseudonym (the event's case_id) and stage -> the
 *		record that holds that stage of the case: its seq, ref and
 *		date (struct stage_entry; outbox_stages.c)
 *	stagrec	case pseudonym, stage, date and seq -> nothing: every live
 *		record of a case's stage, earliest first
 *	stageof	seq -> the case pseudonym, stage and date of a live record
 *	meta	next_seq, acked_seq, last_contact_ms, dead_total, refusals_from
 *		(the first sequence whose refusals are still to be asked),
 *		the dead letters' summary (their count by reason and the
 *		newest refusal's time, kept by the transactions that add or
 *		delete them: outbox_dead_by_reason reads no dead letter) and
 *		the id of the last transaction committed, which it was kept
 *		by (outbox_dead.c),
 *		the outbox's identity (random, made with it), the divergence
 *		found at hello,
 *		the grants the consolidator said at its last welcome,
 *		the live records per key epoch (outbox_epochs.c);
 *		and per key epoch the key holders' check value (outbox_check_*)
 * Every write happens in a transaction that commits (fsync) before the
 * node answers anyone.
 *
 * Every value carries a checksum (CRC-32C over key and value) verified
 * whenever it is read: a damaged value is -EUCLEAN, never used. An
 * outbox written before checksums existed is read and written without
 * them. outbox_check reads the whole outbox (in a child process, so that
 * LMDB meeting a damaged page cannot crash the node) and names what is
 * damaged.
 *
 * Errors: -ENOENT not found, -EFBIG the map is full (map_size_mb),
 * -ENOSPC no space left on the device, -EUCLEAN damaged.
 */
#ifndef KUSKA_OUTBOX_H
#define KUSKA_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "event.h"
#include "pseudo.h"
#include "sign.h"

struct outbox;
struct outbox_txn;

enum ref_state { REF_LIVE = 0, REF_WITHDRAWN = 1 };

/* What a ref's own envelope amends (stored: the values must not change). */
enum ref_target {
	TARGET_NONE = 0,
	TARGET_CORRECTION = 1,
	TARGET_WITHDRAWAL = 2
};

/* A ref's digest: sign_digest's BLAKE2b-256 of the event bytes. */
#define REF_DIGEST_LEN SIGN_DIGEST_LEN

/* What the outbox keeps of the ref key: a keyed BLAKE2b-256 of it. */
#define OUTBOX_REF_KEY_FP_LEN 32

struct ref_info {
	uint64_t seq;			/* the envelope the ref made first */
	uint8_t digest[REF_DIGEST_LEN]; /* of the event bytes, at `epoch` */
	uint8_t kind;	/* enum kind of the record (a correction's too) */
	uint8_t state;	/* enum ref_state */
	uint8_t target; /* enum ref_target */
	/* The newest envelope carrying this ref's own content: seq, or the
	 * correction that re-sent it under a newer key epoch. */
	uint64_t own;
	/* For a record (not a correction): the newest envelope carrying its
	 * live content: its own, or its latest correction's own. */
	uint64_t current;
	uint32_t epoch; /* key epoch of the pseudonyms in `own` */
	/* A record withdrawn: its withdrawal's envelope, to name it; 0 when
	 * not known (withdrawn before the refs kept it, or in a dry run). */
	uint64_t withdrawn_by;
};

#define OUTBOX_ID_LEN 16

/*
 * outbox_open - opens (creating) the store in dir with a map of
 * map_size bytes; a new outbox gets a random identity. Returns 0 and
 * *ret, -EUCLEAN when the data file is shorter than the store it holds
 * (truncated), or -errno.
 */
int outbox_open(const char *dir, size_t map_size, struct outbox **ret)
    __attribute__((warn_unused_result));

/*
 * outbox_open_read - opens the store in dir to read only (kuska-node
 * --recover's old outbox): nothing is written to its data file, neither
 * the format, identity and summaries an open settles nor the case stages'
 * index (its stage functions say -ENOENT and do nothing); its lock.mdb,
 * where LMDB keeps a reader's slot, is reserved as outbox_open's. -ENOENT when
 * it lacks a table of the store (never made by a kuska), else as
 * outbox_open. Only the reads may be called on it.
 */
int outbox_open_read(const char *dir, size_t map_size, struct outbox **ret)
    __attribute__((warn_unused_result));
void outbox_close(struct outbox **ob);

/* outbox_dir - the directory the outbox was opened in. */
const char *outbox_dir(const struct outbox *ob);

/* outbox_id - the outbox's identity. */
void outbox_id(const struct outbox *ob, uint8_t ret[OUTBOX_ID_LEN]);

/*
 * outbox_set_diverged - records (durably) that the consolidator's copy
 * is not this outbox's, with why; "" clears it. 0 or -errno.
 * outbox_diverged - true and why into out when it is recorded.
 */
int outbox_set_diverged(struct outbox *ob, const char *why)
    __attribute__((warn_unused_result));
bool outbox_diverged(struct outbox *ob, char *out, size_t cap);

/*
 * outbox_first_origin - the institution and network (net[cap], "" for
 * none) the outbox's first envelope names: whose outbox it is. Returns 0,
 * -ENOENT when it is empty, or -EBADMSG when its first envelope does not
 * decode (a damaged outbox, or not a node's: whose it is, unknown).
 */
int outbox_first_origin(struct outbox *ob, enum institution *inst, char *net,
			size_t cap);

/*
 * outbox_pin_ref_key - compares fp, a fingerprint of the ref key, with
 * the one the outbox recorded, recording fp when it has none (a new
 * outbox, or one of an earlier kuska). Returns 0 (the same, or now
 * recorded), 1 (another key named this outbox's records), -errno.
 */
int outbox_pin_ref_key(struct outbox *ob,
		       const uint8_t fp[OUTBOX_REF_KEY_FP_LEN])
    __attribute__((warn_unused_result));

/* outbox_ref_key_is - the comparison alone: 0, 1, or -ENOENT (none). */
int outbox_ref_key_is(struct outbox *ob,
		      const uint8_t fp[OUTBOX_REF_KEY_FP_LEN])
    __attribute__((warn_unused_result));

/*
 * outbox_grants_put - records (durably) what the consolidator last said
 * the institution may emit (bits 1 << enum kind, 1 << enum stage), so
 * that a node restarted while cut off still applies it. 0 or -errno.
 * outbox_grants_get - them; -ENOENT never said, -EUCLEAN damaged.
 */
int outbox_grants_put(struct outbox *ob, uint32_t kinds, uint32_t stages)
    __attribute__((warn_unused_result));
int outbox_grants_get(struct outbox *ob, uint32_t *ret_kinds,
		      uint32_t *ret_stages) __attribute__((warn_unused_result));

#define OUTBOX_MAX_LISTED 1000 /* damaged entries outbox_check lists */

struct outbox_damage {
	char table[8]; /* "outbox", "refs", "seqref", "dead", "meta",
			* "stages", "stageof", "stagrec" */
	uint64_t seq;  /* for the tables keyed by sequence */
	bool has_seq;
};

struct outbox_report {
	bool unreadable; /* LMDB cannot read the file: see why */
	char why[256];
	bool unchecked;	    /* no checksums (an older outbox) */
	uint64_t entries;   /* entries read */
	uint64_t n_damaged; /* entries whose checksum fails */
	size_t n_listed;
	struct outbox_damage *damaged;
};

/*
 * outbox_check - reads every entry of the outbox in dir (not open in
 * this process) in a child process and verifies its checksum. Fills *ret
 * (release with outbox_report_clear). A missing outbox is sound. Returns
 * 0, -EXDEV for a consolidator's store (daemon_store_error), or -errno
 * when the check could not run.
 */
int outbox_check(const char *dir, struct outbox_report *ret)
    __attribute__((warn_unused_result));

/*
 * outbox_check in two halves, for a process that will have threads: the
 * start forks the child before they exist (lmdbcheck.h), the finish
 * waits for it and returns as outbox_check, freeing *chk and setting it
 * to NULL. dir must stay until then, and a start be finished. A start
 * out of memory returns NULL, which the finish reads as -ENOMEM.
 */
struct outbox_checking;
struct outbox_checking *outbox_check_start(const char *dir);
int outbox_check_finish(struct outbox_checking **chk, struct outbox_report *ret)
    __attribute__((warn_unused_result));
void outbox_report_clear(struct outbox_report *r);
bool outbox_sound(const struct outbox_report *r);

/* outbox_begin - starts the one write transaction. */
int outbox_begin(struct outbox *ob, struct outbox_txn **ret)
    __attribute__((warn_unused_result));
/* outbox_commit - commits (durably) and frees *t. -EFBIG map full,
 * -ENOSPC disk full. */
int outbox_commit(struct outbox_txn **t) __attribute__((warn_unused_result));
/* outbox_abort - drops *t; accepts NULL. */
void outbox_abort(struct outbox_txn **t);

/* The next sequence number to assign, inside t. */
uint64_t outbox_next_seq(struct outbox_txn *t);

/* outbox_ref_get - 0 and *ret, or -ENOENT. */
int outbox_ref_get(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
		   struct ref_info *ret);
int outbox_ref_put(struct outbox_txn *t, const uint8_t id[EVENT_ID_LEN],
		   const struct ref_info *info)
    __attribute__((warn_unused_result));

/*
 * outbox_seq_ref - the case system's ref of envelope seq, inside t, into
 * ref[cap]: 0, -ENOENT (none: a recovered gap), -ENAMETOOLONG (longer than
 * cap), -EUCLEAN.
 */
int outbox_seq_ref(struct outbox_txn *t, uint64_t seq, char *ref, size_t cap);

/*
 * outbox_ref_checked - whether the ref of envelope seq (and of a record
 * whose first envelope it is) was checked for its victim's identity when
 * stored: by a kuska that refuses a line whose ref holds its victim's
 * name, document number or birth date, that is from the first opening of
 * the outbox by such a kuska on. An older one's may hold one: a warning
 * about another line must not print it. A sequence past the outbox's
 * (a dry run's) is checked.
 */
bool outbox_ref_checked(struct outbox_txn *t, uint64_t seq);

/*
 * outbox_ref_may_hold_identity - whether a stored ref may hold a victim's
 * identity, as an older node took such refs (DNI-41735208), whatever the
 * mark (outbox_ref_checked): a number of eight or nine digits standing
 * alone, not all one digit (a DNI, a foreigner's card, a birth date
 * written YYYYMMDD or DDMMYYYY), not a longer one (a fiscal case number's
 * 10 digits). The parser's checks need the victim's identity, which the
 * node no longer has. A warning, or kuska status, names such a record by
 * its sequence alone.
 */
bool outbox_ref_may_hold_identity(const char *ref);

/*
 * outbox_refs_checked_read - the first sequence of ob whose ref was
 * checked (outbox_ref_checked) into *ret: 0 when none is known (an
 * outbox no such kuska opened to write, or one an older kuska wrote to
 * since: outbox_open, not read only, notes the mark again). 0 or -errno.
 * outbox_refs_checked_put - sets it within t: kuska-node --recover, so
 * that the refs it takes from an old outbox stay as checked as they were
 * there: outbox_ref_checked reads it within t, and in ob once t is
 * committed. 0 or -errno.
 */
int outbox_refs_checked_read(struct outbox *ob, uint64_t *ret);
int outbox_refs_checked_put(struct outbox_txn *t, uint64_t from)
    __attribute__((warn_unused_result));

/*
 * outbox_seq_event - the event of envelope seq, inside t, decoded into
 * *ret, and the schema version of its envelope into *ret_version: 0,
 * -ENOENT (none: a recovered gap), -EUCLEAN, -EBADMSG.
 */
int outbox_seq_event(struct outbox_txn *t, uint64_t seq, struct event *ret,
		     uint32_t *ret_version);

/*
 * outbox_check_get - the key holders' check value recorded for a key
 * epoch (PSEUDO_CHECK_LEN bytes into out): 0, or -ENOENT when none is
 * recorded yet.
 * outbox_check_put records it.
 */
int outbox_check_get(struct outbox_txn *t, uint32_t epoch,
		     uint8_t out[PSEUDO_CHECK_LEN]);
int outbox_check_put(struct outbox_txn *t, uint32_t epoch,
		     const uint8_t check[PSEUDO_CHECK_LEN])
    __attribute__((warn_unused_result));

/*
 * The case stages this node sent, for kuska submit's warnings: a second
 * record of a case's stage (which counts for nothing), a stage dated
 * before an earlier stage of its case. Keyed by the case's pseudonym as
 * the events carry it, never by the case number: the index tells a thief
 * nothing the outbox's envelopes do not. Kept by intake in the
 * transaction that stores the records; an outbox made before it is
 * scanned once at outbox_open (outbox_stages_build). Until it is built
 * (a build that failed), the gets say -ENOENT and the puts do nothing.
 *
 * A record holds the entry of its case and stage when it was the first
 * to have them, or is dated before the record that held it (the one the
 * consolidator counts: the earliest dated; of one day, the first sent, a
 * corrected record keeping its sequence); a correction moves the entry
 * to its content, a withdrawal deletes it. Every live record of a case's
 * stage is kept beside (outbox_stage_add), so that when the holder goes
 * (withdrawn, or corrected to another stage or case) the next one that
 * counts, the earliest dated, takes the entry.
 */
struct stage_entry {
	uint64_t seq; /* the record's (its ref's first envelope) */
	int32_t date; /* the stage's date, days since 1970-01-01 */
	char ref[65]; /* the record's ref */
};

/* outbox_stage_key - the index's key of (case_id, stage): the case
 * pseudonym, then the stage's number. */
#define OUTBOX_STAGE_KEY_LEN (PSEUDONYM_LEN + 1)
void outbox_stage_key(uint8_t k[OUTBOX_STAGE_KEY_LEN],
		      const uint8_t case_id[PSEUDONYM_LEN], enum stage stage);

/*
 * outbox_stage_get - the entry of (case_id, stage): 0, -ENOENT, -EUCLEAN.
 *	When the consolidator refused its holder since (a dead letter), the
 *	next live record of it that counts takes it first (a write).
 * outbox_stage_held - the entry of (case_id, stage) as stored, its holder
 *	a dead letter or not (a read): 0, -ENOENT, -EUCLEAN.
 * outbox_stage_next - the first live record of (case_id, stage) that
 *	counts (the earliest dated, not a dead letter) and that skip(arg,
 *	seq) does not pass over (skip NULL: none), the one the holder's
 *	going would give the entry to (a read: a dry run's, whose skip
 *	names the records it changed): 0, -ENOENT, -errno.
 * outbox_stage_put - makes record e->seq the holder of (case_id, stage),
 *	and the reverse entry of e->seq. 0 or -errno.
 * outbox_stage_add - record seq, live, is of (case_id, stage), dated
 *	date (every case stage record, the holder or not). 0 or -errno.
 * outbox_stage_of - the case and stage of record seq: 0, -ENOENT.
 * outbox_stage_del - deletes record seq's entries; when it held its stage
 *	the next live record of it that counts (the earliest dated, not a
 *	dead letter) takes it. 0 (also when it held nothing) or -errno.
 */
int outbox_stage_get(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		     enum stage stage, struct stage_entry *ret);
int outbox_stage_held(struct outbox_txn *t,
		      const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
		      struct stage_entry *ret);
int outbox_stage_next(struct outbox_txn *t,
		      const uint8_t case_id[PSEUDONYM_LEN], enum stage stage,
		      bool (*skip)(void *arg, uint64_t seq), void *arg,
		      struct stage_entry *ret);
int outbox_stage_put(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		     enum stage stage, const struct stage_entry *e)
    __attribute__((warn_unused_result));
int outbox_stage_add(struct outbox_txn *t, const uint8_t case_id[PSEUDONYM_LEN],
		     enum stage stage, int32_t date, uint64_t seq)
    __attribute__((warn_unused_result));
int outbox_stage_of(struct outbox_txn *t, uint64_t seq,
		    uint8_t case_id[PSEUDONYM_LEN], enum stage *ret);
int outbox_stage_del(struct outbox_txn *t, uint64_t seq)
    __attribute__((warn_unused_result));

/*
 * outbox_stages_build - makes the index again from the envelopes, as
 * intake would have kept it (kuska-node --recover, and an outbox made
 * before the index). Returns the number of entries or -errno; after a
 * failure the index is not used until an open builds it.
 */
int outbox_stages_build(struct outbox *ob) __attribute__((warn_unused_result));

/*
 * outbox_append - stores envelope bytes under seq (which must be
 * outbox_next_seq) with the ref that produced it, and advances next_seq.
 * -EFBIG when the map is full.
 */
int outbox_append(struct outbox_txn *t, uint64_t seq, uint64_t created_ms,
		  const uint8_t *env, size_t len, const char *ref)
    __attribute__((warn_unused_result));

/*
 * For `kuska-node --recover`, which fills a new outbox from the
 * consolidator's copy:
 * outbox_put_held - stores an envelope under seq >= outbox_next_seq (a
 *	gap is allowed: a refusal the consolidator kept without its
 *	envelope), ref may be NULL; next_seq becomes seq + 1.
 * outbox_put_dead - a dead letter for seq.
 * outbox_put_meta - acked_seq, last contact and the identity.
 * outbox_get_env - the envelope at seq within t (valid until t ends).
 */
int outbox_put_held(struct outbox_txn *t, uint64_t seq, uint64_t created_ms,
		    const uint8_t *env, size_t len, const char *ref)
    __attribute__((warn_unused_result));
int outbox_put_dead(struct outbox_txn *t, uint64_t seq, enum reason reason,
		    uint64_t at_ms, const char *text)
    __attribute__((warn_unused_result));
int outbox_put_meta(struct outbox_txn *t, uint64_t acked, uint64_t contact_ms,
		    const uint8_t id[OUTBOX_ID_LEN])
    __attribute__((warn_unused_result));

/*
 * outbox_get - the envelope and ref stored under seq (read-only, on the
 * whole outbox). Copies the envelope into a new malloc'd *ret_env (the
 * caller frees) and the ref into ref[cap] ("" when none). Returns 0,
 * -ENOENT, -EUCLEAN.
 */
int outbox_get(struct outbox *ob, uint64_t seq, uint8_t **ret_env,
	       size_t *ret_len, char *ref, size_t cap)
    __attribute__((warn_unused_result));

/*
 * outbox_swap_in - makes the outbox built in fresh_dir the one of dir:
 * the old data file is kept as data.mdb.before-recover-TIME, or TIME.2,
 * TIME.3... when that name is taken (its name into moved_to; "" when there
 * was none), and dir has a data file at every moment. Neither may be
 * open. Returns 0 or -errno.
 */
int outbox_swap_in(const char *dir, const char *fresh_dir, char *moved_to,
		   size_t cap) __attribute__((warn_unused_result));

/*
 * outbox_record_ack - in one transaction: acked_seq := acked (never
 * backwards unless `reset`), last contact time, and dead letters.
 */
int outbox_record_ack(struct outbox *ob, uint64_t acked, bool reset,
		      uint64_t now_ms, const struct rejection *rej,
		      size_t n_rej) __attribute__((warn_unused_result));

/*
 * outbox_record_welcome - outbox_record_ack for a Welcome, which says no
 * refusals: past the acked_seq before, the consolidator may have refused
 * events whose Ack was lost, so refusals_from becomes the first of them
 * (unless already lower) until outbox_record_refusals says they are
 * known. outbox_refusals_from gives it (0: nothing to ask).
 */
int outbox_record_welcome(struct outbox *ob, uint64_t acked, bool reset,
			  uint64_t now_ms) __attribute__((warn_unused_result));
int outbox_refusals_from(struct outbox *ob, uint64_t *ret)
    __attribute__((warn_unused_result));

/*
 * The answer to an ask for refusals: the consolidator's refusals rej of
 * sequences first..last (every one it refused there), and where to ask
 * next.
 */
struct outbox_refusals {
	const struct rejection *rej;
	size_t n_rej;
	uint64_t first, last;
	uint64_t next; /* refusals_from from now on; 0: all known */
};

/*
 * outbox_record_refusals - in one transaction: the dead letters a->rej
 * (one already held is kept), the dead letters of a->first..a->last not
 * among them deleted (accepted when sent again after --refetch, the Ack
 * that said so lost), and refusals_from := a->next. fresh (NULL: not
 * wanted), a->n_rej long: whether each was not held before. Returns the
 * number of dead letters deleted or -errno.
 */
int outbox_record_refusals(struct outbox *ob, const struct outbox_refusals *a,
			   uint64_t now_ms, bool *fresh)
    __attribute__((warn_unused_result));

/*
 * outbox_revive - deletes the dead letters of sequences first..last that
 * are not among rej: the consolidator accepted them this time (it had
 * dropped them and its node sent them again). Returns the number
 * deleted or -errno.
 */
int outbox_revive(struct outbox *ob, uint64_t first, uint64_t last,
		  const struct rejection *rej, size_t n_rej);

struct outbox_state {
	uint64_t next_seq, acked_seq, last_contact_ms;
	uint64_t dead_total; /* dead letters held */
};

/* outbox_state - the meta values. */
int outbox_state(struct outbox *ob, struct outbox_state *ret)
    __attribute__((warn_unused_result));

/*
 * outbox_read - calls fn for the envelopes from seq `from` on, in order,
 * until fn returns nonzero, max events were passed, or the store ends.
 * The bytes are valid only during the call. Returns the number passed or
 * -errno.
 */
typedef int (*outbox_read_fn)(void *arg, uint64_t seq, uint64_t created_ms,
			      const uint8_t *env, size_t len);
int outbox_read(struct outbox *ob, uint64_t from, size_t max, outbox_read_fn fn,
		void *arg);

/*
 * outbox_epoch_records - the live records (not withdrawn, or withdrawn by
 * a withdrawal the consolidator refused; corrections and withdrawals are
 * no records, nor is a record whose first envelope the consolidator
 * refused for its content), and of them those held by a correction
 * refused for its content, by the key epoch of their content (a
 * record re-keyed, or corrected, under the epoch of the envelope now
 * carrying it), kept by the transactions that put refs and counted again
 * from the refs at outbox_open when absent (an outbox of an earlier
 * kuska): epochs holding none are left out. Fills out with up to max,
 * oldest epoch first; returns the number of epochs holding records (may
 * exceed max), -ENOENT when they are not known (the count failed), or
 * -errno. A read of one meta value.
 */
struct outbox_epoch_count {
	uint32_t epoch;
	uint64_t records;
	/* Of them, those held by a correction (a re-keying one too) the
	 * consolidator refused for its content: their lines sent again are
	 * held, not re-keyed. */
	uint64_t held;
};
int outbox_epoch_records(struct outbox *ob, struct outbox_epoch_count *out,
			 size_t max);

/*
 * outbox_epochs_build - counts them again from the refs (a scan): the
 * number of records counted, or -errno (then not known until an open
 * counts them).
 */
int outbox_epochs_build(struct outbox *ob) __attribute__((warn_unused_result));

/*
 * outbox_dead_at - the dead letter held for seq (read-only, on the
 * outbox's own transaction): its reason (as stored) and when it was
 * refused. Returns 0, -ENOENT when seq is no dead letter, or -errno.
 */
int outbox_dead_at(struct outbox *ob, uint64_t seq, uint8_t *ret_reason,
		   uint64_t *ret_at_ms);

/*
 * outbox_seq_dead - outbox_dead_at inside t: the dead letter of envelope
 * seq as the dead table stands in the write transaction (one revived is
 * gone from it). 0, -ENOENT (no dead letter: accepted, in flight, or
 * revived), -EUCLEAN.
 */
int outbox_seq_dead(struct outbox_txn *t, uint64_t seq, uint8_t *ret_reason,
		    uint64_t *ret_at_ms);

/*
 * outbox_refused_as_sent - whether a dead letter's reason is the record's
 * own content (bad_event, a kind or stage not allowed, a bad target, too
 * large), which the officer mends by sending it anew under a new ref, or
 * not: the node's key, network or envelope was refused, not the record,
 * and the consolidator's operators take it again (--refetch, OPERATIONS.md
 * section 10); sent anew as well, it would count twice.
 */
bool outbox_refused_as_sent(enum reason why);

/*
 * outbox_dead_list - fills out with up to max dead letters, newest first.
 * A reason this version does not know, or none, reads as bad_event, its
 * text prefixed to say so (reason_of_refusal). A ref is "" when not held
 * or withheld: one stored before refs were checked (outbox_ref_checked),
 * a correction's whose record's was (a re-keying's is that record's),
 * a withdrawal's, which nothing checks, or one that looks like an
 * identity (outbox_ref_may_hold_identity). Returns the number filled or
 * -errno.
 */
int outbox_dead_list(struct outbox *ob, struct dead_letter *out, size_t max);

/*
 * outbox_unmatched_refs - fills the ref of each of u[0..n-1] (unmatched
 * take-ups, by the sequence of their record) as outbox_dead_list shows a
 * dead letter's: "" when none is held for it or it is withheld. Returns 0
 * or -errno (the refs then all "").
 */
int outbox_unmatched_refs(struct outbox *ob, struct unmatched *u, size_t n);

/*
 * outbox_dead_by_reason - counts the dead letters by reason code into
 * counts[REASON_COUNT] (zeroed first), one this version does not know
 * under bad_event, and sets *ret_newest_ms (unless NULL) to the latest
 * time any of them was refused (0: none). Reads the summary kept in
 * meta, not the dead letters (but for an outbox an earlier kuska wrote
 * to since it was opened: then one pass over them). Returns 0 or -errno.
 */
int outbox_dead_by_reason(struct outbox *ob, uint64_t counts[REASON_COUNT],
			  uint64_t *ret_newest_ms)
    __attribute__((warn_unused_result));

#endif
