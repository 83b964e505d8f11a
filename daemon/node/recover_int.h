/*
 * recover_int.h - what recover.c (the run: the old outbox judged, the
 * new one swapped in), recover_talk.c (the exchange with the
 * consolidator), recover_put.c (what goes into the new outbox) and
 * recover_report.c (what is said of it) share: internal to the four.
 */
#ifndef KUSKA_RECOVER_INT_H
#define KUSKA_RECOVER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "outbox.h"
#include "recover.h"
#include "transport.h"

struct rec {
	const struct recover_params *p;
	struct transport *t;
	struct tsock *sock;
	struct tsock *mon;    /* sock's handshakes */
	unsigned hs_failures; /* handshakes failed in a row */
	/* What the monitor told of the connection, for what a recovery
	 * that timed out says (rec_say_timeout). */
	bool tcp_up;	    /* a connection made */
	bool handshaken;    /* a handshake passed */
	unsigned hs_failed; /* handshakes failed in all */
	struct outbox *old; /* NULL: none, or unreadable */
	bool had_old;	    /* there was an outbox with events */
	bool old_unreadable;
	bool consistent;   /* old agrees with the consolidator's copy */
	bool behind;	   /* old is this outbox, ending before that copy
			    * (its prefix, unless it signed others there:
			    * rec_first_other_certain) */
	bool foreign;	   /* old is another institution's: kept aside only */
	uint64_t old_next; /* old's next sequence: it never signed this one */
	/* old's last envelope is signed with the key this node signs with
	 * now: past it, an earlier key's envelope is not this node's (a
	 * node never goes back to an earlier key) */
	bool old_last_now;
	struct outbox *fresh;
	char fresh_dir[4200];
	struct event *ev;
	uint8_t (*ids)[EVENT_ID_LEN]; /* event id by sequence */
	uint64_t ids_cap;
	/* from the consolidator's welcome */
	uint64_t cons_last;
	bool has_check, has_id;
	uint64_t check_seq;
	uint8_t check_hash[CODEC_HASH_LEN];
	uint8_t id[OUTBOX_ID_LEN];
	/* what was done: a piece not kept puts them back as they were */
	struct rec_counts {
		uint64_t got, refused, holes, last;
		uint64_t expect; /* the first sequence its answers have not
				  * covered */
		/* of the sequences it left out: taken from the old outbox
		 * (the first of them), or in neither (the first of them) */
		uint64_t resent, first_resent, lost, first_lost;
		/* refused there as signed by a key revoked before them, and
		 * the key that signed the first */
		uint64_t revoked, first_revoked;
		uint8_t revoked_key[KEY_ID_LEN];
		/* handed back with an envelope this outbox did not sign (a
		 * thief's), and of those, said accepted there */
		uint64_t other, first_other, other_accepted,
		    first_other_accepted, last_other_accepted;
		/* the keys that signed the first of those, and the first
		 * said accepted; whether others of each were signed by
		 * another */
		uint8_t other_key[KEY_ID_LEN], other_accepted_key[KEY_ID_LEN];
		bool other_mixed, other_accepted_mixed;
		/* of those, the first not handed back revoked (a revocation
		 * is still to cover it), and its key */
		uint64_t unrevoked, first_unrevoked;
		uint8_t unrevoked_key[KEY_ID_LEN];
	} n;
	uint64_t kept;
	bool said; /* a refusal of the consolidator's word, said */
};

/* recover_talk.c: connects to the consolidator (r->t, r->sock). */
int rec_connect(struct rec *r);
/* Its last sequence, check point and outbox id, from its Welcome. */
int rec_greet(struct rec *r);
/* Says why the recovery stopped when its hello had no Welcome in
 * timeout_ms: no connection made, a connection whose handshake never
 * passed, or one whose handshake passed without an answer (what the
 * monitor told, read to its end first: a refusal read then is said as
 * it is). */
void rec_say_timeout(struct rec *r);
/* Everything it holds of this institution, piece by piece
 * (rec_take_piece). */
int rec_fetch(struct rec *r);
/* Tells it the outbox was rebuilt, once it is in place. */
void rec_announce(struct rec *r);

/* recover_put.c: one piece of its copy into the new outbox. */
int rec_take_piece(struct rec *r, const struct msg *m);
/* The sequences up to its Welcome's last that its answers left out. */
int rec_take_rest(struct rec *r);
/* The old outbox's undelivered events, when it agrees. */
int rec_keep_tail(struct rec *r, uint64_t *ret_dropped);
/* The acknowledged position, the outbox's identity and from which
 * sequence its refs were checked (kept from the old outbox). */
int rec_finish_meta(struct rec *r);

/* recover_report.c: whether the first envelope handed back that this
 * outbox did not sign is certainly not this node's: by its sequence, or
 * by its key. */
bool rec_first_other_certain(const struct rec *r);
/* Refuses (-EKEYREJECTED, said) to take a thief's envelopes. */
int rec_judge_revocation(struct rec *r);
/* What was done, to out. */
void rec_report(struct rec *r, uint64_t dropped, const char *moved, FILE *out);

#endif
