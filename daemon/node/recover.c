/* recover.c - kuska-node --recover; see recover.h. */
#include "recover.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "daemon.h"
#include "log.h"
#include "outbox.h"
#include "recover_int.h"
#include "sign.h"
#include "transport.h"

/*
 * Whether the old outbox holds what the consolidator holds: the same
 * identity, at least as many sequences, the same envelope at the check
 * point. Only then are its undelivered events and refs worth keeping.
 */
static bool
agrees(struct rec *r)
{
	struct outbox_state st;
	uint8_t own[OUTBOX_ID_LEN], hash[CODEC_HASH_LEN], *env;
	char ref[2], why[8];
	size_t len;
	bool same;

	if (r->old == NULL || r->foreign || outbox_state(r->old, &st) != 0)
		return false;
	outbox_id(r->old, own);
	if (r->has_id && memcmp(own, r->id, OUTBOX_ID_LEN) != 0)
		return false;
	/* An older copy, a backup restored (and marked diverged when it
	 * started): said as such, not as one that disagrees. */
	if (r->cons_last >= st.next_seq) {
		r->behind = true;
		return false;
	}
	if (outbox_diverged(r->old, why, sizeof(why)))
		return false;
	if (!r->has_check || r->check_seq == 0)
		return true;
	if (outbox_get(r->old, r->check_seq, &env, &len, ref, sizeof(ref)) != 0)
		return false;
	sign_digest(env, len, hash);
	free(env);
	same = memcmp(hash, r->check_hash, CODEC_HASH_LEN) == 0;
	return same;
}

/* Removes a half-built outbox directory. */
static void
remove_fresh(const char *dir)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

/* Opens the old outbox if it can be read at all: read only, so that it
 * stays as it was (an opening to write would build its case stages'
 * index; the new outbox gets its own, recover_run). */
static int
open_old(struct rec *r)
{
	struct outbox_report rep;
	int e;

	/* Another's file (a consolidator's store), or one this user may
	 * not touch: not an outbox to set aside. */
	e = outbox_check(r->p->dir, &rep);
	if (e == -EXDEV || e == -EACCES)
		return e;
	/* Not checked (no memory, the check killed): taken for no outbox,
	 * its events not yet delivered were dropped unsaid. */
	if (e != 0 && rep.why[0] != '\0') {
		fprintf(stderr, "kuska-node: %s: %s\n", r->p->dir, rep.why);
		return e;
	}
	if (e != 0)
		return 0;
	r->had_old = rep.entries > 0 || rep.unreadable;
	r->old_unreadable = rep.unreadable;
	if (rep.unreadable)
		fprintf(stderr,
			"kuska-node: the old outbox cannot be read (%s): "
			"nothing of it is kept\n",
			rep.why);
	else if (rep.entries > 0 &&
		 (e = outbox_open_read(r->p->dir, r->p->map_size, &r->old)) !=
		     0) {
		/* Checked whole yet not opened (memory, the readers' table
		 * full): stopped and said, where it was taken for an outbox
		 * that did not agree and its undelivered events dropped. */
		r->old = NULL;
		outbox_report_clear(&rep);
		return e;
	}
	outbox_report_clear(&rep);
	return 0;
}

/*
 * What the old outbox reached, when it is this node's, and whether its
 * last envelope is signed with the key the node signs with now (one that
 * cannot be read tells nothing).
 */
static void
note_old_next(struct rec *r)
{
	struct outbox_state st;
	struct envelope env;
	uint8_t *buf;
	size_t len;
	char ref[2];

	r->old_next = UINT64_MAX; /* unknown: nothing said never reached */
	if (r->old == NULL || r->foreign || outbox_state(r->old, &st) != 0)
		return;
	r->old_next = st.next_seq;
	if (st.next_seq < 2 || outbox_get(r->old, st.next_seq - 1, &buf, &len,
					  ref, sizeof(ref)) != 0)
		return;
	memset(&env, 0, sizeof(env));
	if (codec_envelope_decode(buf, len, &env) == 0)
		r->old_last_now =
		    memcmp(env.key_id, r->p->key->key_id, KEY_ID_LEN) == 0;
	codec_envelope_clear(&env);
	free(buf);
}

/*
 * Whose the old outbox is (r->foreign: another institution's, nothing of
 * it kept, its ref key not this node's to compare) and, if this node's,
 * whether its records were named with this ref key: with another, the
 * rebuilt outbox would not know the case system's records and each
 * resubmitted one would be stored twice. Returns 0, or -EINVAL said.
 */
static int
judge_old(struct rec *r)
{
	enum institution first;
	char net[CODEC_MAX_NETWORK + 1];
	int origin;

	if (r->old == NULL)
		return 0;
	origin = outbox_first_origin(r->old, &first, net, sizeof(net));
	r->foreign = origin == 0 && first != r->p->inst;
	if (r->foreign || outbox_ref_key_is(r->old, r->p->ref_fp) != 1)
		return 0;
	if (origin == -EBADMSG)
		fprintf(stderr,
			"kuska-node: %s: this outbox's first envelope does "
			"not decode, so whose it is cannot be told, and it "
			"was named with another ref key than [node] ref_key: "
			"a damaged outbox, or another node's. If it is this "
			"node's, put back the ref key backed up with it; if "
			"not, or damaged beyond use, move %s/data.mdb aside "
			"and run kuska-node --recover again, which rebuilds "
			"the outbox from the consolidator's copy (the outbox "
			"is unchanged)\n",
			r->p->dir, r->p->dir);
	else
		fprintf(stderr,
			"kuska-node: [node] ref_key is not the key this "
			"outbox's records were named with: put back the ref "
			"key backed up with it; if it is lost for good, see "
			"OPERATIONS.md section 2 (the outbox is unchanged)\n");
	return -EINVAL;
}

int
recover_run(const struct recover_params *p, FILE *out)
{
	struct rec r;
	char moved[4300] = "";
	uint64_t dropped = 0;
	int e, x;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.n.expect = 1;
	r.ev = malloc(sizeof(*r.ev));
	if (r.ev == NULL)
		return -ENOMEM;
	snprintf(r.fresh_dir, sizeof(r.fresh_dir), "%s/recover.tmp", p->dir);
	remove_fresh(r.fresh_dir);
	e = open_old(&r);
	if (e != 0) {
		fprintf(stderr, "kuska-node: %s: %s%s (the outbox is "
				"unchanged)\n",
			p->dir, daemon_store_error(e), daemon_open_hint(e));
		goto out;
	}
	e = judge_old(&r);
	if (e != 0)
		goto out;
	note_old_next(&r);
	e = rec_connect(&r);
	if (e == 0)
		e = rec_greet(&r);
	if (e == -ENOMEM) {
		fprintf(stderr, "kuska-node: recovery stopped: memory ran out "
				"(the outbox is unchanged); run it again "
				"later\n");
		goto out;
	}
	if (e != 0) {
		/* A key it turns away (a revoked one, such as this node's
		 * after a theft, before its rotation) or a handshake that
		 * fails is said as it happens (rec_connect's monitor); a
		 * time out as the monitor tells it: no connection, no
		 * handshake passed, or a hello unanswered (review56o: all
		 * three were called no connection). */
		if (!r.said && e == -ETIMEDOUT)
			rec_say_timeout(&r);
		if (!r.said)
			fprintf(stderr,
				"kuska-node: no answer from the consolidator "
				"at %s: %s\n",
				p->consolidator, strerror(-e));
		goto out;
	}
	r.consistent = agrees(&r);
	e = outbox_open(r.fresh_dir, p->map_size, &r.fresh);
	if (e == 0)
		e = rec_fetch(&r);
	if (e == 0)
		e = rec_take_rest(&r);
	if (e == 0)
		e = rec_judge_revocation(&r);
	if (e == 0)
		e = rec_keep_tail(&r, &dropped);
	if (e == 0)
		e = rec_finish_meta(&r);
	/* The case stages' index of what it now holds (a failure leaves it
	 * to the node's next start). */
	if (e == 0 && (x = outbox_stages_build(r.fresh)) < 0)
		log_warnx("event=stage_index_not_built error=\"%s\"",
			  strerror(-x));
	if (e == 0)
		e = outbox_pin_ref_key(r.fresh, p->ref_fp) < 0 ? -EIO : 0;
	outbox_close(&r.fresh);
	outbox_close(&r.old);
	if (e == 0)
		e = outbox_swap_in(p->dir, r.fresh_dir, moved, sizeof(moved));
	if (e == -ENOMEM) {
		fprintf(stderr, "kuska-node: recovery stopped: memory ran out "
				"(the outbox is unchanged); run it again "
				"later\n");
		goto out;
	}
	if (e != 0 && r.said)
		goto out; /* the consolidator's copy refused, and why said */
	/* It writes a new outbox beside the old one: the directory must
	 * be writable, with room for it. Say which, and what to do. */
	if (e != 0) {
		fprintf(stderr,
			"kuska-node: recovery failed: %s: %s (the outbox "
			"is unchanged)%s\n",
			p->dir, strerror(-e),
			e == -ENOSPC
			    ? "; it writes the new outbox beside the old "
			      "one: make room for one as large and run it "
			      "again"
			: e == -EACCES || e == -EROFS
			    ? "; it writes the new outbox beside the old "
			      "one: run it as the directory's owner, or "
			      "root"
			    : "");
		goto out;
	}
	rec_announce(&r);
	rec_report(&r, dropped, moved, out);
out:
	if (e != 0)
		remove_fresh(r.fresh_dir);
	outbox_close(&r.fresh);
	outbox_close(&r.old);
	tsock_free(&r.sock); /* before its monitor, as libzmq's tests */
	tsock_free(&r.mon);
	transport_free(&r.t);
	free(r.ids);
	free(r.ev);
	return e;
}
