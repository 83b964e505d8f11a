/*
 * deliver.h - the node's delivery of its outbox to the consolidator.
 *
 * A small state machine over one DEALER socket:
 *   idle     -> hello until a Welcome with our nonce comes: every second
 *               while it cannot go out (not connected), then one per
 *               connection, again only after ack_timeout unanswered;
 *   welcomed -> batches from the consolidator's last sequence on, at most
 *               `window` unacknowledged at once (credit flow control);
 *               each Ack moves acked_seq and records refused events as
 *               dead letters; a GAP refusal rewinds to the sequence the
 *               consolidator expects; either, when it cannot be true of
 *               the outbox (deliver_answer_believable), is not recorded
 *               and the node says hello again;
 *   back to idle on disconnect, on an Ack overdue by ack_timeout, or on
 *   any other refusal; the next Welcome resends whatever was not
 *   acknowledged. Duplicates are harmless: the consolidator ignores them.
 * While welcomed with nothing to send, the node says hello again after
 * `keepalive_ms` without hearing from the consolidator, so that both
 * sides know the other is there (kuska status on either warns of a
 * silence longer than its alarm). The answer to that hello acknowledges
 * like an Ack and leaves in flight the batches sent after it (they are
 * answered after it); only a Welcome that welcomes (idle), or one saying
 * less than was acknowledged or more than was sent, resends from the
 * consolidator's last sequence. Each Welcome says what the node's
 * institution may emit: the grants are kept (and recorded in the outbox)
 * for intake to apply at submission.
 *
 * Before delivering, the node checks at each Welcome that the
 * consolidator's copy is this outbox's: the same outbox identity, no
 * sequence beyond this outbox's last, and the same envelope at the
 * highest sequence the consolidator holds. Otherwise the outbox was
 * restored from an older copy or replaced, and delivering would reuse
 * sequence numbers for other events: the node says it diverged (log,
 * status, metric, the next hellos), records it in the outbox, and
 * delivers and accepts nothing more until `kuska-node --recover`.
 */
#ifndef KUSKA_DELIVER_H
#define KUSKA_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "flood.h"
#include "log.h"
#include "outbox.h"
#include "registry.h"
#include "transport.h"

#define DELIVER_MAX_WINDOW 64
/*
 * Messages of the consolidator read in a row none of which was taken
 * before the node drops the connection, and what libzmq holds of it, and
 * dials again (event=consolidator_flood): a consolidator's key can send
 * faster than the node's loop reads, and libzmq's queue (ZMQ_RCVHWM
 * lifted) would hold the difference without bound. A genuine
 * consolidator sends at most a window's worth of answers nothing waits
 * for in a row (Acks come after their time-out).
 */
#define DELIVER_FLOOD_MAX 4096
#define DELIVER_MAX_BATCH_BYTES (4 * 1024 * 1024)

struct inflight {
	uint64_t batch_id, first, last;
	uint64_t sent_ms;
};

struct deliver {
	/* set by the caller */
	struct outbox *ob;
	struct tsock *sock;
	const char *endpoint; /* the consolidator's, to dial again */
	/* To replace sock and mon by new ones after a flood, with key's
	 * transport pair and cons_pk (all four needed by deliver_read);
	 * mon is sock's monitor. */
	struct transport *t;
	struct tsock *mon;
	enum institution inst;
	const char *network; /* said at hello */
	/* Signs each hello's proof that the outbox is in step (NULL:
	 * none): a DIVERGED mark at the consolidator clears by it. */
	const struct secret_key *key;
	/* The consolidator's CURVE public key, which the proof names
	 * (CURVE_KEY_LEN bytes; NULL: no proof). */
	const uint8_t *cons_pk;
	size_t batch_events, window;
	uint64_t ack_timeout_ms;
	uint64_t keepalive_ms; /* hello again after this long unheard */
	struct grants *grants; /* updated at each Welcome */
	/* Called between batches sent at once (NULL: never), so that the
	 * node answers status meanwhile; it must not call deliver_*. */
	int (*serve)(void *arg);
	void *serve_arg;
	/* state */
	bool welcomed;
	char diverged[CODEC_MAX_TEXT + 1]; /* why, "" when not */
	bool connected;
	uint64_t hello_wall_ms; /* when the last hello left (wall clock) */
	bool has_skew;
	int64_t skew_ms; /* our clock minus the consolidator's, at welcome */
	uint64_t nonce;
	uint64_t hello_due_ms; /* when idle: next hello */
	uint64_t acked, sent_upto, next_batch_id;
	/* The first sequence of the refusals asked (a RecoverRequest whose
	 * answer is awaited), 0 none; when to ask (again), 0 not due;
	 * how long after the last ask refused: see deliver_ask_refusals. */
	uint64_t refusals_asked, refusals_due_ms, refusals_backoff_ms;
	struct log_budget refusals_log; /* event=refusals_refused */
	/* event=answer_refused: a consolidator that answers what cannot be
	 * may do so at every batch. */
	struct log_budget answer_log;
	/* event=batch_refused, event=bad_message_from_consolidator: a
	 * consolidator's key may send them without end too (read
	 * DELIVER_DRAIN_MAX a pass). */
	struct log_budget refused_log;
	/* Messages read since the last one taken (DELIVER_FLOOD_MAX), and
	 * how many times the connection was dropped for it, said within a
	 * budget of its own (event=consolidator_flood). */
	struct flood_guard flood;
	struct inflight q[DELIVER_MAX_WINDOW];
	size_t nq;
	/* The last batches dropped from q unanswered (a time-out, a stop
	 * short, a gap), so that an Ack of one come after all is known to
	 * acknowledge its own batch alone or others before it too. */
	struct inflight gone[DELIVER_MAX_WINDOW];
	size_t ngone;
	/* The consolidator's last refusal of a batch (not a gap), for
	 * kuska status; repeated refusals back off up to a minute. */
	char last_refusal[CODEC_MAX_TEXT + 40];
	uint64_t last_refusal_ms; /* wall clock */
	uint64_t backoff_ms;
	uint64_t heard_ms;	/* wall clock of its last answer, 0 none */
	uint64_t heard_mono_ms; /* the same, monotonic */
	/* After a refused handshake libzmq stops trying: dial again at
	 * redial_due_ms (0: not due), backing off. */
	uint64_t redial_due_ms, redial_backoff_ms;
	/* After a flood, the new socket that could not be made (the node
	 * out of descriptors, say) is made at reopen_due_ms (0: none due),
	 * never the flooded one redialled; meanwhile nothing is sent. Its
	 * failures are said within a budget of their own. */
	uint64_t reopen_due_ms;
	struct log_budget reopen_log;
	/* Wall clock of the last handshake refused (the node's key not in
	 * the consolidator's registry) or failed HANDSHAKE_FAILURES_SAID
	 * times in a row (a wrong consolidator_key, more likely than a cut),
	 * 0 once one succeeds: kuska status says why it is not connected. */
	uint64_t handshake_refused_ms, handshake_failed_ms;
	unsigned handshake_failures; /* failed (not refused) in a row */
	/* The endpoint let go after handshakes failed in a row, until the
	 * redial: libzmq would dial it again at once, for ever. */
	bool undialled;
	/* Monotonic time since when no TCP connection is made (0: one is,
	 * or none tried yet), and whether the log said so. */
	uint64_t unreached_ms;
	bool unreached_said;
	/* The take-ups that match no referral record of their sender, as
	 * the consolidator last said them, in the Welcome to a hello that
	 * asked, its copy found this outbox's (at unmatched_ms, wall clock;
	 * 0: none since the start): the oldest first, their refs "", of
	 * unmatched_total; unmatched_unsaid: that Welcome said nothing of
	 * them (an older consolidator, or its counts not loaded).
	 * unmatched_want: the next hello asks (the first after the start,
	 * and one after deliver_want_unmatched; not while the outbox is
	 * diverged); unmatched_asked: the hello awaiting its Welcome did;
	 * unmatched_asked_ms: when the first hello asking since the last
	 * answer (or since deliver_go_idle) left (monotonic). */
	struct unmatched unmatched[CODEC_MAX_UNMATCHED];
	size_t n_unmatched;
	uint64_t unmatched_total, unmatched_ms, unmatched_asked_ms;
	bool unmatched_unsaid, unmatched_want, unmatched_asked;
};

/*
 * deliver_want_unmatched - has the consolidator asked again for the
 * unmatched take-ups, with a hello as soon as no batch is in flight (at
 * once when idle); not when the last ask left less than
 * DELIVER_UNMATCHED_MIN_MS ago (kuska status run in a loop must not
 * have the consolidator go through its referrals at each).
 */
#define DELIVER_UNMATCHED_MIN_MS 5000
void deliver_want_unmatched(struct deliver *d, uint64_t now_ms);

/*
 * deliver_asking_unmatched - whether a Welcome with the unmatched
 * take-ups is to come, at now_ms (monotonic): a hello that asked awaits
 * it, the first asking since the last answer sent less than ack_timeout
 * ago (a consolidator that does not answer is not waited for, however
 * often keep-alives ask again), or one asks at the next tick (welcomed,
 * connected, no batch in flight, no other hello awaiting its answer).
 */
bool deliver_asking_unmatched(const struct deliver *d, uint64_t now_ms);

/*
 * deliver_refusals_answer - what an answer to the refusals asked from
 * `from` says, scanning to upto (every refusal from its start to upto in
 * it), the consolidator holding up to last_seq, the node's acknowledged
 * sequence acked: REFUSALS_STALE, an answer to an earlier ask (ignore it,
 * the one to this ask is to come); or REFUSALS_RECORD, its refusals from
 * `from` on are to be kept and *ret_next asked next (0: none, all known).
 */
enum refusals_answer { REFUSALS_STALE, REFUSALS_RECORD };
enum refusals_answer deliver_refusals_answer(uint64_t from, uint64_t upto,
					     uint64_t last_seq, uint64_t acked,
					     uint64_t *ret_next);

/*
 * deliver_refusals_covered - the sequences a recorded answer names every
 * refusal of, so that a dead letter there it does not name was accepted
 * (sent again after --refetch, its Ack lost): from..upto, no further than
 * acked; none (*ret_first = 0) when upto is before from or is only a
 * guess (listed false: an older consolidator that said neither where it
 * stopped nor anything held).
 */
void deliver_refusals_covered(uint64_t from, uint64_t upto, uint64_t acked,
			      bool listed, uint64_t *ret_first,
			      uint64_t *ret_last);

/*
 * deliver_answer_believable - whether an Ack or a GAP refusal m can be
 * true of an outbox whose next sequence is next_seq: the consolidator
 * acknowledges, or expects after, no sequence the outbox never wrote, and
 * refuses (as dead letters) only sequences from 1 to the one it
 * acknowledges (a refused event takes its sequence). Otherwise it says
 * why into why[cap] and returns false: the answer is not recorded.
 */
bool deliver_answer_believable(const struct msg *m, uint64_t next_seq,
			       char *why, size_t cap);

/* deliver_init - resets the state; call once the fields above are set. */
void deliver_init(struct deliver *d);

/*
 * deliver_message - handles one frame from the consolidator. Returns
 * whether it was taken: false for what nothing waits for, dropped without
 * writing the outbox (a Welcome to no hello awaiting one, an Ack of no
 * batch in flight acknowledging nothing new, the answer to no ask of
 * refusals), an answer not believed, a refusal (but a conflict, which
 * marks the outbox diverged), an undecodable frame.
 */
bool deliver_message(struct deliver *d, const uint8_t *buf, size_t len,
		     uint64_t now_ms);

/*
 * deliver_read - handles what waits on d->sock (deliver_message): all of
 * it up to DELIVER_DRAIN_MAX messages, of which at most
 * DELIVER_MAX_PER_CALL taken (each Ack taken a commit), the rest at the
 * next call; returns how many it read. The node's loop wakes on the
 * socket, which has ZMQ_RCVHWM lifted: libzmq 4.3.4 aborts when a
 * connection it stopped reading at 1,000 ends with a heartbeat due, and
 * a consolidator's key could fill 1,000 between two passes. Bounded:
 * answers a consolidator sends without end must not hold the node's loop
 * from the submits, the key holders and the watchdog. DELIVER_FLOOD_MAX
 * in a row not taken replace d->sock and d->mon by new ones (the same
 * structs) dialling again, and end the call; new ones that cannot be
 * made are tried again by deliver_tick (every second), the old socket
 * never dialled again.
 */
#define DELIVER_DRAIN_MAX 1024
#define DELIVER_MAX_PER_CALL 64
size_t deliver_read(struct deliver *d, uint64_t now_ms);

/* deliver_event - handles a monitor event of the socket. */
void deliver_event(struct deliver *d, enum tevent ev, const char *addr,
		   uint64_t now_ms);

/*
 * deliver_tick - does what is due: a flood's new socket, a redial, hello
 * when idle, batches while credit lasts, time-outs. Call after every
 * event and at least every 200 ms.
 */
void deliver_tick(struct deliver *d, uint64_t now_ms);

#endif
