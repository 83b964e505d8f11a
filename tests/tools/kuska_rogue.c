/*
 * kuska_rogue - a hostile but authenticated peer for the end-to-end tests.
 *
 * Connects to a consolidator's ingest endpoint as a CURVE client with a
 * registered institution's key and sends frames that must be refused:
 * garbage, truncated messages, envelopes with wrong signatures, replays
 * of another institution's envelopes, sequence gaps, oversize frames and
 * more. For every frame it knows the answer the consolidator must give
 * (a Refusal with a reason, an Ack with one Rejection, or nothing at all)
 * and counts the answers it gets by kind and reason, and the frames
 * whose answer differed from the one expected ("mismatches").
 *
 *	kuska_rogue -k KEY -s CONSOLIDATOR.pub -e tcp://HOST:PORT
 *		[-o OTHER.key] [-n COUNT] [-S SEED] [-t TIMEOUT_MS]
 *		[-N NETWORK] [-W NETWORK] [-K SIGN.key] [-C CREATED_MS]
 *		[-I INSTITUTION] [-H HELLO_MS] [-D] [-P PROOF_MS] [-T CLOCK_MS]
 *		[-X OTHER_CONSOLIDATOR.pub]
 *		[-L LINKAGE.key -O OPRF.share -R FROM:TO:NUMBER:YYYY-MM-DD] MODE
 *
 * -N names the network the hello gives and envelopes are signed for
 * (default kuska-demo, the demo's); mode "othernet" signs for the -W one
 * instead and expects wrong_network. Mode "backdated" signs with the -K
 * key (another registered key of the same institution, say one revoked)
 * with the creation time -C (milliseconds; default 1 January 2020) and
 * expects key_not_valid.
 *
 * -D makes every hello name an outbox id (16 bytes of 0x5a), as a node's
 * does, one the institution's node does not have.
 *
 * -I names the institution the hello speaks for when KEY is not named
 * after one (an institution's officers' query key, pnp-stats), and -H
 * how long to say hello before giving up (default 30000 ms): a key the
 * consolidator refuses at the handshake gets no welcome, and the tool
 * prints "no welcome" and exits 2.
 *
 * The answers are printed one per line as "KIND [REASON] COUNT", e.g.
 * "refusal bad_frame 2000" or "ack rejection bad_signature 1000", then
 * "sent MODE COUNT" per mode, "reconnects N", "mismatches N" and
 * "last_seq N". Exit status 0 when there was no mismatch, 1 otherwise,
 * 2 on a usage or setup error.
 *
 * Mode "forgedref" is an attack that the consolidator must accept and
 * then count for the signer only: a referral signed with KEY under
 * another institution's referral number (-R: sender FROM, destination TO,
 * the normalised NUMBER, the date), its pseudonym computed as FROM's node
 * would have it made, here with the linkage key and the whole OPRF key
 * (a demo's single key holder's share, -O) at hand.
 *
 * Mode "flip" says hello as mode "hello" does, the first and every other
 * hello saying its outbox diverged (as a node that found the
 * consolidator's copy is not its own), the others not, each of these
 * followed by one envelope as mode "valid" sends (a hello is not signed:
 * only an event accepted after it clears the consolidator's alarm): each
 * hello that says it, and each such envelope, a change of state.
 *
 * Mode "prove" says hello as mode "hello" does, then once more with a
 * proof that its outbox is in step, signed with KEY over what the
 * welcome said the consolidator holds (its last sequence, the digest of
 * the envelope there, its outbox id), made at -P (milliseconds; default
 * now), as a stolen key file could: one made before the node said it
 * diverged must clear nothing. Prints "proved" when welcomed.
 *
 * Its proof names the consolidator by -s's CURVE public key, or by -X's
 * (a proof made for another consolidator of the same network, replayed:
 * it must clear nothing).
 *
 * -w PAUSE_MS: after the COUNT of modes hello and flip, two hellos more
 * on the same connection, not saying diverged, the second PAUSE_MS after
 * the first (a node's, after another connection's burst).
 *
 * -T gives the clock (now_ms, milliseconds) the hellos of modes hello,
 * flip and prove's first say (default: none, 0): any 64 bits, a node's
 * word the consolidator must not take as its own clock.
 *
 * Mode "unread" is a node that never reads: on a connection whose
 * receive queue holds one message it sends COUNT recovery requests (from
 * sequence 1, as kuska-node --recover), prints "unread sent N", and keeps
 * the connection open, reading nothing, for the -t time. Mode "flood"
 * does the same with COUNT frames no message decodes from, each refused
 * at once ("flood sent N"). With -b MS their connection has libzmq's
 * heartbeat every MS milliseconds (ZMQ_HEARTBEAT_IVL): its PINGs go
 * among the messages, as a node's libzmq puts them.
 *
 * Per-envelope refusals consume sequence numbers of the key's
 * institution (the consolidator records them as refused), so a test
 * points this tool at an institution whose real node is not running.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "event.h"
#include "instep.h"
#include "keys.h"
#include "pseudo.h"
#include "sign.h"
#include "transport.h"
#include "unread.h"

#define REPLY_TIMEOUT_MS 10000
#define SYNC_TIMEOUT_MS 30000
#define HELLO_RETRY_MS 500
#define MAX_TALLY 64
#define OVERSIZE_LEN (CODEC_MAX_FRAME + 4096)
#define MAX_PARTS 3 /* frames of one message built */

/* What the consolidator must answer to one frame. */
enum expect_kind {
	EXP_NOTHING = 0,
	EXP_REFUSAL,   /* a Refusal with .reason */
	EXP_REJECTION, /* an Ack refusing exactly one envelope */
	EXP_ACK_CLEAN, /* an Ack refusing nothing, .advance new seqs */
	EXP_WELCOME,   /* a Welcome */
};

struct expect {
	enum expect_kind kind;
	enum reason reason;
	unsigned advance; /* EXP_ACK_CLEAN: sequences accepted */
};

struct tally_row {
	char name[64];
	unsigned long n;
};

struct rogue {
	struct transport *t;
	struct tsock *dealer, *mon;
	struct secret_key *me, *other, *signer;
	const char *network, *other_network; /* -N, -W */
	uint64_t backdate_ms;		     /* -C */
	enum institution inst, other_inst;
	uint64_t expected_seq; /* the next sequence the consolidator wants */
	uint64_t batch_id;
	uint64_t rng;
	long timeout_ms;
	long hello_ms; /* -H */
	bool diverged; /* mode flip: this hello says diverged */
	bool outbox;   /* -D: hellos name an outbox id (all 0x5a) */
	uint64_t proof_ms;  /* -P: mode prove's clock, 0 now */
	uint64_t clock_ms;  /* -T: the other hellos' clock, 0 none */
	uint8_t proof_for[CURVE_KEY_LEN]; /* mode prove: -s's, or -X's */
	struct msg welcome; /* the last welcome sync_hello took */
	unsigned long flips;		   /* mode flip: hellos asked for */
	struct key32 *linkage;		   /* -L, for forgedref */
	struct key32 *oprf;		   /* -O, for forgedref */
	enum institution ref_from, ref_to; /* -R */
	char ref_number[64];
	int32_t ref_date;
	unsigned long handshakes, mismatches;
	struct tally_row replies[MAX_TALLY], sent[MAX_TALLY];
	size_t n_replies, n_sent;
};

static const char *const all_modes[] = {
    "garbage",	  "truncated",	"badsig",    "stolen",	   "replay",
    "foreignkey", "gap",	"oversize",  "hellowrong", "helloversion",
    "type",	  "badenv",	"badevent",  "casestage",  "envversion",
    "future",	  "target",	"toomany",   "multiframe", "dup",
    "valid",	  "othernet",	"backdated", "oldversion", "mixedversion",
    "forgedref",  "manyframes", "overbytes",
};
#define N_MODES (sizeof(all_modes) / sizeof(all_modes[0]))

/*
 * The referral pseudonym FROM's node makes for its number: one round of
 * the OPRF in this process with the whole key (-O) and the linkage key.
 */
static int
forged_referral(const struct rogue *r, uint8_t out[PSEUDONYM_LEN])
{
	struct pseudo_batch *b = pseudo_batch_new();
	int e;

	if (b == NULL)
		return -ENOMEM;
	e = pseudo_add_referral(b, r->ref_from, r->ref_number, out);
	if (e == 0)
		e = pseudo_batch_local(b, r->oprf->key, r->linkage->key);
	pseudo_batch_free(&b);
	return e;
}

static void
usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: kuska_rogue -k KEY -s CONSOLIDATOR.pub -e "
		"ENDPOINT [-o OTHER.key] [-n COUNT] [-S SEED] "
		"[-t TIMEOUT_MS] [-N NETWORK] [-W NETWORK] [-K "
		"SIGN.key] [-C CREATED_MS] [-I INSTITUTION] "
		"[-H HELLO_MS] [-b HEARTBEAT_MS] [-w PAUSE_MS] [-D] "
		"[-P PROOF_MS] [-T "
		"CLOCK_MS] [-X "
		"OTHER.pub] [-L LINKAGE.key -O "
		"OPRF.share -R FROM:TO:NUMBER:DATE] MODE\nmodes: mix hello "
		"flip prove unread flood");
	for (i = 0; i < N_MODES; i++)
		fprintf(stderr, " %s", all_modes[i]);
	fprintf(stderr, "\n");
	exit(2);
}

static uint64_t
rnd(struct rogue *r)
{
	/* xorshift64*: reproducible from -S */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ULL;
}

static void
tally(struct tally_row *rows, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(rows[i].name, name) == 0) {
			rows[i].n++;
			return;
		}
	if (*n == MAX_TALLY)
		return;
	snprintf(rows[*n].name, sizeof(rows[*n].name), "%s", name);
	rows[*n].n = 1;
	(*n)++;
}

static const char *
rname(enum reason r)
{
	const char *s = reason_name(r);

	return s != NULL ? s : "?";
}

/* Reads connection events; counts completed handshakes. */
static void
read_monitor(struct rogue *r)
{
	enum tevent ev;
	char addr[256];

	while (tsock_monitor_read(r->mon, &ev, addr, sizeof(addr)) == 0)
		if (ev == TEVENT_HANDSHAKE_OK)
			r->handshakes++;
}

/* Sends frames, waiting while there is no connection. Returns 0 or <0. */
static int
send_frames(struct rogue *r, const void *const *data, const size_t *len,
	    size_t n)
{
	uint64_t until = date_mono_ms() + SYNC_TIMEOUT_MS;
	int e;

	for (;;) {
		e = tsock_send(r->dealer, data, len, n);
		if (e != -EAGAIN || date_mono_ms() > until)
			return e;
		read_monitor(r);
		usleep(5000);
	}
}

/*
 * Waits up to timeout_ms for one message from the consolidator and
 * decodes it into *m. Returns 0, -ETIMEDOUT, or -EBADMSG (counted).
 */
static int
recv_msg(struct rogue *r, struct msg *m, long timeout_ms)
{
	uint64_t until = date_mono_ms() + (uint64_t)timeout_ms;

	for (;;) {
		struct tsock *socks[2] = {r->dealer, r->mon};
		bool ready[2];
		struct tframes f;
		uint64_t now = date_mono_ms();
		int e;

		if (now >= until)
			return -ETIMEDOUT;
		e = tsock_poll(socks, 2, ready, (long)(until - now));
		if (e < 0 && e != -EINTR)
			return e;
		if (e > 0 && ready[1])
			read_monitor(r);
		if (e <= 0 || !ready[0])
			continue;
		e = tsock_recv(r->dealer, &f, 1, CODEC_MAX_FRAME);
		if (e == -EAGAIN)
			continue;
		if (e != 0)
			return e;
		e = codec_msg_decode(f.data[0], f.len[0], m);
		tframes_clear(&f);
		if (e != 0) {
			tally(r->replies, &r->n_replies, "undecodable");
			return -EBADMSG;
		}
		return 0;
	}
}

static int sync_hello(struct rogue *r, bool count_welcome);
static void mismatch(struct rogue *r, const char *mode, const char *what);

/*
 * Mode prove: a hello with a proof of being in step over what the
 * consolidator's welcome said it holds, made at r->proof_ms.
 */
static int
prove(struct rogue *r)
{
	uint8_t *buf;
	struct in_step p;
	struct msg h, m;
	size_t len;
	int e;

	e = sync_hello(r, false);
	if (e != 0 || !r->welcome.has_check || !r->welcome.has_outbox_id) {
		mismatch(r, "prove", "no welcome with a check point");
		return e != 0 ? e : -EPROTO;
	}
	memset(&h, 0, sizeof(h));
	h.type = MSG_HELLO;
	h.inst = r->inst;
	h.version = CODEC_VERSION;
	h.nonce = rnd(r);
	snprintf(h.network, sizeof(h.network), "%s", r->network);
	h.has_outbox_id = true;
	memcpy(h.outbox_id, r->welcome.outbox_id, CODEC_OUTBOX_ID_LEN);
	h.has_outbox_last_seq = true;
	h.outbox_last_seq = r->welcome.last_seq;
	h.now_ms = r->proof_ms != 0 ? r->proof_ms : date_now_ms();
	in_step_fields(&p, &h, r->me->key_id, r->welcome.check_hash,
		       r->proof_for);
	if (sign_in_step(r->me->sign_sk, &p.f, h.in_step_sig) != 0)
		return -EINVAL;
	memcpy(h.in_step_key_id, r->me->key_id, KEY_ID_LEN);
	h.has_in_step = true;
	if (codec_msg_encode(&h, &buf, &len) != 0)
		return -ENOMEM;
	(void)tsock_send(r->dealer, (const void *const *)&buf, &len, 1);
	free(buf);
	while ((e = recv_msg(r, &m, r->timeout_ms)) == 0) {
		bool ours = m.type == MSG_WELCOME && m.nonce == h.nonce;
		codec_msg_clear(&m);
		if (ours) {
			printf("proved\n");
			tally(r->sent, &r->n_sent, "prove");
			return 0;
		}
	}
	mismatch(r, "prove", "no welcome");
	return e;
}

/*
 * Says hello until welcomed: after a dropped connection, and to learn
 * where the institution's sequence stands. Messages other than our
 * welcome count as mismatches (they were not expected). Returns 0 or
 * -ETIMEDOUT.
 */
static int
sync_hello(struct rogue *r, bool count_welcome)
{
	uint64_t until = date_mono_ms() + (uint64_t)r->hello_ms;
	uint64_t nonces[128];
	size_t nn = 0, i;

	while (date_mono_ms() < until) {
		struct msg h, m;
		uint8_t *buf;
		size_t len;

		memset(&h, 0, sizeof(h));
		h.type = MSG_HELLO;
		h.inst = r->inst;
		h.version = CODEC_VERSION;
		h.nonce = rnd(r);
		snprintf(h.network, sizeof(h.network), "%s", r->network);
		h.now_ms = r->clock_ms;
		if (r->outbox) {
			h.has_outbox_id = true;
			memset(h.outbox_id, 0x5a, sizeof(h.outbox_id));
		}
		/* Said again in each hello resent, unanswered. */
		if (r->diverged)
			snprintf(h.diverged, sizeof(h.diverged),
				 "kuska_rogue says diverged");
		if (nn < 128)
			nonces[nn++] = h.nonce;
		if (codec_msg_encode(&h, &buf, &len) != 0)
			return -ENOMEM;
		(void)tsock_send(r->dealer, (const void *const *)&buf, &len, 1);
		free(buf);
		while (recv_msg(r, &m, HELLO_RETRY_MS) == 0) {
			bool ours = false;
			if (m.type == MSG_WELCOME)
				for (i = 0; i < nn; i++)
					ours |= m.nonce == nonces[i];
			if (ours) {
				r->expected_seq = m.last_seq + 1;
				r->welcome = m; /* no pointers in a welcome */
				if (count_welcome)
					tally(r->replies, &r->n_replies,
					      "welcome");
				codec_msg_clear(&m);
				return 0;
			}
			if (m.type != MSG_WELCOME) {
				r->mismatches++;
				fprintf(stderr,
					"kuska_rogue: unexpected reply type "
					"%d while resynchronising\n",
					(int)m.type);
			}
			codec_msg_clear(&m);
		}
	}
	return -ETIMEDOUT;
}

/* ---- building frames --------------------------------------------------- */

/* A plain identification, valid for any institution that may emit one. */
static void
make_event(struct rogue *r, struct event *ev, int32_t date)
{
	uint64_t a = rnd(r), b = rnd(r);

	memset(ev, 0, sizeof(*ev));
	memcpy(ev->id, &a, 8);
	memcpy(ev->id + 8, &b, 8);
	ev->kind = KIND_IDENTIFICATION;
	ev->rec.kind = KIND_IDENTIFICATION;
	ev->rec.date = date;
	ev->rec.region = 15;
	/* No match key: unlinkable. */
	ev->rec.victim.sex = SEX_F;
	ev->rec.victim.age_years = 30;
	ev->rec.victim.age_group = age_group_of(30);
	memcpy(ev->rec.victim.nationality, "PE", 3);
	ev->rec.exploitation = 1u << EXPL_SEXUAL;
}

/* What make_envelope signs for: the network and the creation time
 * (0: now). Modes othernet and backdated change them for one envelope. */
static const char *sign_network = "kuska-demo";
static uint64_t sign_created_ms;

/*
 * Encodes ev (or raw event bytes when evb is given) in an envelope of
 * institution inst, signed by signer under key_id. Returns 0 or <0.
 */
static int
make_envelope(const struct event *ev, const uint8_t *evb, size_t evb_len,
	      uint32_t version, enum institution inst, uint64_t seq,
	      const struct secret_key *signer, const uint8_t *key_id,
	      uint8_t **ret, size_t *ret_len)
{
	struct envelope env;
	struct sign_fields f;
	uint8_t *own = NULL;
	size_t own_len = 0;
	int e;

	if (evb == NULL) {
		e = codec_event_encode(ev, &own, &own_len);
		if (e != 0)
			return e;
		evb = own;
		evb_len = own_len;
	}
	memset(&env, 0, sizeof(env));
	env.version = version;
	env.inst = inst;
	env.seq = seq;
	memcpy(env.key_id, key_id, KEY_ID_LEN);
	env.created_ms = sign_created_ms ? sign_created_ms : date_now_ms();
	env.event = (uint8_t *)evb;
	env.event_len = evb_len;
	snprintf(env.network, sizeof(env.network), "%s", sign_network);
	f.network = env.network;
	f.version = version;
	f.institution = (uint8_t)inst;
	f.seq = seq;
	f.created_ms = env.created_ms;
	memcpy(f.key_id, key_id, KEY_ID_LEN);
	f.event = evb;
	f.event_len = evb_len;
	e = sign_envelope(signer->sign_sk, &f, env.signature);
	if (e == 0)
		e = codec_envelope_encode(&env, ret, ret_len);
	free(own);
	return e;
}

/* A Batch message holding the given envelopes. */
static int
make_batch(struct rogue *r, uint8_t **envs, size_t *lens, size_t n,
	   uint8_t **ret, size_t *ret_len)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_BATCH;
	m.batch_id = ++r->batch_id;
	m.n_envelopes = n;
	m.envelopes = (const uint8_t **)envs;
	m.envelope_lens = lens;
	return codec_msg_encode(&m, ret, ret_len);
}

/* A batch of one envelope. */
static int
batch_of(struct rogue *r, uint8_t *env, size_t env_len, uint8_t **ret,
	 size_t *ret_len)
{
	int e = make_batch(r, &env, &env_len, 1, ret, ret_len);

	free(env);
	return e;
}

/* Protobuf by hand, for what codec_msg_encode will not write. */
static size_t
put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* A Batch of CODEC_MAX_BATCH_EVENTS + 1 small envelopes. */
static int
make_toomany(struct rogue *r, uint8_t **ret, size_t *ret_len)
{
	size_t n = CODEC_MAX_BATCH_EVENTS + 1, i, inner = 0, o = 0;
	uint8_t *buf = malloc(16 + n * 8 + 32);

	if (buf == NULL)
		return -ENOMEM;
	/* inner length: batch_id (tag + varint) + n x (tag, len 4, 4) */
	inner = 1 + put_varint(buf, ++r->batch_id) + n * 6;
	buf[o++] = 0x1a; /* Message.batch = 3, length-delimited */
	o += put_varint(buf + o, inner);
	buf[o++] = 0x08; /* Batch.batch_id = 1, varint */
	o += put_varint(buf + o, r->batch_id);
	for (i = 0; i < n; i++) {
		buf[o++] = 0x12; /* Batch.envelopes = 2 */
		buf[o++] = 4;
		memcpy(buf + o, "junk", 4);
		o += 4;
	}
	*ret = buf;
	*ret_len = o;
	return 0;
}

/* A frame over the protocol's limit, under libzmq's hard cap. */
static int
make_oversize(uint8_t **ret, size_t *ret_len)
{
	size_t i;

	*ret = malloc(OVERSIZE_LEN);
	if (*ret == NULL)
		return -ENOMEM;
	for (i = 0; i < OVERSIZE_LEN; i++)
		(*ret)[i] = (uint8_t)(i * 7);
	*ret_len = OVERSIZE_LEN;
	return 0;
}

/* Random bytes the codec cannot decode. */
static int
make_garbage(struct rogue *r, size_t max, uint8_t **ret, size_t *ret_len)
{
	for (;;) {
		size_t len = 1 + (size_t)(rnd(r) % max), i;
		uint8_t *buf = malloc(len);
		struct msg m;

		if (buf == NULL)
			return -ENOMEM;
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd(r);
		if (codec_msg_decode(buf, len, &m) != 0) {
			*ret = buf;
			*ret_len = len;
			return 0;
		}
		codec_msg_clear(&m);
		free(buf);
	}
}

/*
 * Builds the frame(s) of one mode into data/lens (at most MAX_PARTS
 * frames, each malloc'd) and says what must come back. Returns 0, or
 * -ENOTSUP when the mode cannot be made here (no other key, no earlier
 * sequence), or <0.
 */
static int
build(struct rogue *r, const char *mode, uint8_t **data, size_t *lens,
      size_t *n, struct expect *x)
{
	struct event ev;
	int32_t today = date_today();
	uint64_t seq = r->expected_seq;
	uint8_t *env = NULL;
	size_t env_len = 0;
	int e = 0;

	memset(x, 0, sizeof(*x));
	*n = 1;
	make_event(r, &ev, today - 1);
	if (strcmp(mode, "garbage") == 0) {
		x->kind = EXP_REFUSAL;
		x->reason = REASON_BAD_FRAME;
		return make_garbage(r, 512, &data[0], &lens[0]);
	}
	if (strcmp(mode, "truncated") == 0) {
		struct msg m;
		uint8_t *full;
		size_t full_len;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e == 0)
			e = batch_of(r, env, env_len, &full, &full_len);
		if (e != 0)
			return e;
		do {
			lens[0] = (size_t)(rnd(r) % full_len);
		} while (codec_msg_decode(full, lens[0], &m) == 0 &&
			 (codec_msg_clear(&m), true));
		data[0] = full;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_BAD_FRAME;
		return 0;
	}
	if (strcmp(mode, "badsig") == 0 || strcmp(mode, "stolen") == 0) {
		/* badsig: one bit of our own signature flipped; stolen: our
		 * key id, the other institution's signing key. */
		bool stolen = mode[0] == 's';
		if (stolen && r->other == NULL)
			return -ENOTSUP;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  stolen ? r->other : r->me, r->me->key_id,
				  &env, &env_len);
		if (e != 0)
			return e;
		/* The signature is the field before the network's (tag,
		 * length, name), the last of the envelope. */
		if (!stolen)
			env[env_len - 1 - (2 + strlen(sign_network)) -
			    (size_t)(rnd(r) % SIGNATURE_LEN)] ^=
			    (uint8_t)(1u << (rnd(r) % 8));
		/* Not signed by a key of ours: refused whole, no sequence
		 * number spent. */
		x->kind = EXP_REFUSAL;
		x->reason = REASON_BAD_SIGNATURE;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "replay") == 0) {
		/* The other institution's envelope, as its own node signs
		 * it, sent on our connection. */
		if (r->other == NULL)
			return -ENOTSUP;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->other_inst,
				  1 + rnd(r) % 1000, r->other, r->other->key_id,
				  &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_WRONG_INSTITUTION;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "foreignkey") == 0) {
		/* Our institution, signed with the other's key and key id. */
		if (r->other == NULL)
			return -ENOTSUP;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->other, r->other->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_UNKNOWN_KEY;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "gap") == 0) {
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst,
				  seq + 1 + rnd(r) % 1000, r->me, r->me->key_id,
				  &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_GAP;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "oversize") == 0) {
		/* The consolidator reads it and says why it refuses it. */
		x->kind = EXP_REFUSAL;
		x->reason = REASON_TOO_LARGE;
		return make_oversize(&data[0], &lens[0]);
	}
	if (strcmp(mode, "overbytes") == 0) {
		/* Two oversize frames: more bytes than the consolidator
		 * reads of one message. Dropped unread, still answered. */
		*n = 2;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_TOO_LARGE;
		e = make_oversize(&data[0], &lens[0]);
		return e != 0 ? e : make_oversize(&data[1], &lens[1]);
	}
	if (strcmp(mode, "hellowrong") == 0 ||
	    strcmp(mode, "helloversion") == 0) {
		struct msg m;
		bool wrong = mode[5] == 'w';
		memset(&m, 0, sizeof(m));
		m.type = MSG_HELLO;
		m.inst = wrong ? (enum institution)(r->inst % INST_COUNT + 1)
			       : r->inst;
		m.version = wrong ? CODEC_VERSION : CODEC_VERSION + 1;
		m.nonce = rnd(r);
		snprintf(m.network, sizeof(m.network), "%s", r->network);
		x->kind = EXP_REFUSAL;
		x->reason =
		    wrong ? REASON_WRONG_INSTITUTION : REASON_BAD_VERSION;
		return codec_msg_encode(&m, &data[0], &lens[0]);
	}
	if (strcmp(mode, "type") == 0) {
		/* A consolidator's message sent to the consolidator, or an
		 * unknown field of Message. */
		static const enum msg_type types[] = {MSG_WELCOME, MSG_ACK,
						      MSG_REFUSAL, MSG_NONE};
		struct msg m;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_BAD_FRAME;
		memset(&m, 0, sizeof(m));
		m.type = types[rnd(r) % 4];
		m.batch_id = 7;
		m.reason = REASON_GAP;
		if (m.type != MSG_NONE)
			return codec_msg_encode(&m, &data[0], &lens[0]);
		data[0] = malloc(4);
		if (data[0] == NULL)
			return -ENOMEM;
		memcpy(data[0], "\x4a\x02\x08\x01", 4); /* field 9 */
		lens[0] = 4;
		return 0;
	}
	if (strcmp(mode, "badenv") == 0) {
		e = make_garbage(r, 256, &env, &env_len);
		/* garbage is not a Message; make sure it is no Envelope */
		if (e == 0) {
			struct envelope d;
			while (codec_envelope_decode(env, env_len, &d) == 0) {
				codec_envelope_clear(&d);
				env[0] ^= 0xff;
			}
		}
		if (e != 0)
			return e;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_BAD_ENVELOPE;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "badevent") == 0) {
		uint8_t junk[40];
		size_t i;
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rnd(r);
		junk[0] = 0xff; /* not a valid tag: never an Event */
		e = make_envelope(NULL, junk, sizeof(junk), CODEC_VERSION,
				  r->inst, seq, r->me, r->me->key_id, &env,
				  &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REJECTION;
		x->reason = REASON_BAD_EVENT;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "casestage") == 0) {
		/* A trial: only pj may emit it under the demo registry. */
		memset(&ev.rec.victim, 0, sizeof(ev.rec.victim));
		ev.kind = ev.rec.kind = KIND_CASE_STAGE;
		ev.rec.exploitation = 0;
		ev.rec.stage = STAGE_TRIAL;
		ev.rec.persons = 1;
		memset(ev.rec.case_id, 0x5a, PSEUDONYM_LEN);
		snprintf(ev.rec.article, sizeof(ev.rec.article), "129-A");
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		if (r->inst == INST_PJ) {
			x->kind = EXP_ACK_CLEAN;
			x->advance = 1;
		} else {
			x->kind = EXP_REJECTION;
			x->reason = r->inst == INST_PNP || r->inst == INST_MP
					? REASON_STAGE_NOT_ALLOWED
					: REASON_KIND_NOT_ALLOWED;
		}
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "envversion") == 0) {
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION + 1, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REJECTION;
		x->reason = REASON_BAD_VERSION;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "future") == 0) {
		ev.rec.date = today + 30;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REJECTION;
		x->reason = REASON_BAD_EVENT;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "target") == 0) {
		/* A withdrawal of itself: not an earlier event. */
		ev.kind = KIND_WITHDRAWAL;
		ev.target_seq = seq;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REJECTION;
		x->reason = REASON_BAD_TARGET;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "toomany") == 0) {
		x->kind = EXP_REFUSAL;
		x->reason = REASON_TOO_LARGE;
		return make_toomany(r, &data[0], &lens[0]);
	}
	if (strcmp(mode, "multiframe") == 0) {
		/* Two frames: not our protocol; refused. */
		*n = 2;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_BAD_FRAME;
		e = make_garbage(r, 64, &data[0], &lens[0]);
		if (e == 0)
			e = make_garbage(r, 64, &data[1], &lens[1]);
		return e;
	}
	if (strcmp(mode, "manyframes") == 0) {
		/* More frames than the consolidator reads of one message:
		 * dropped unread, still answered. */
		size_t i;
		*n = MAX_PARTS;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_TOO_LARGE;
		for (i = 0; i < MAX_PARTS && e == 0; i++)
			e = make_garbage(r, 64, &data[i], &lens[i]);
		return e;
	}
	if (strcmp(mode, "dup") == 0) {
		/* An earlier sequence again, signed anew: other bytes than
		 * those held there, a second signer with the key. Refused
		 * whole as a conflict, nothing stored. */
		if (seq < 2)
			return -ENOTSUP;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst,
				  1 + rnd(r) % (seq - 1), r->me, r->me->key_id,
				  &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REFUSAL;
		x->reason = REASON_CONFLICT;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "othernet") == 0) {
		/* Signed by our key, for another network. */
		sign_network = r->other_network;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		sign_network = r->network;
		if (e != 0)
			return e;
		x->kind = EXP_REJECTION;
		x->reason = REASON_WRONG_NETWORK;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "backdated") == 0) {
		/* Signed by the -K key, dated before its revocation. */
		if (r->signer == NULL)
			return -ENOTSUP;
		sign_created_ms = r->backdate_ms;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->signer, r->signer->key_id, &env, &env_len);
		sign_created_ms = 0;
		if (e != 0)
			return e;
		x->kind = EXP_REJECTION;
		x->reason = REASON_KEY_NOT_VALID;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "oldversion") == 0) {
		/* What a node signed before version 3: one key per victim,
		 * in an envelope of version 2. Accepted. */
		ev.rec.victim.has_v1_key = true;
		memset(ev.rec.victim.v1_key, 0x1e, PSEUDONYM_LEN);
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION_MIN, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_ACK_CLEAN;
		x->advance = 1;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "mixedversion") == 0) {
		/* Keys of one version in an envelope of the other: every
		 * other time version-3 keys under version 2, and the reverse.
		 */
		bool old = rnd(r) % 2 == 0;
		if (old) {
			ev.rec.victim.doc_type = DOC_DNI;
			memset(ev.rec.victim.doc_key, 0x2d, PSEUDONYM_LEN);
		} else {
			ev.rec.victim.has_v1_key = true;
			memset(ev.rec.victim.v1_key, 0x1e, PSEUDONYM_LEN);
		}
		e = make_envelope(
		    &ev, NULL, 0, old ? CODEC_VERSION_MIN : CODEC_VERSION,
		    r->inst, seq, r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_REJECTION;
		x->reason = REASON_BAD_EVENT;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "forgedref") == 0) {
		if (r->linkage == NULL || r->oprf == NULL ||
		    r->ref_from == INST_NONE)
			return -ENOTSUP;
		memset(&ev.rec.victim, 0, sizeof(ev.rec.victim));
		ev.rec.victim.sex = SEX_F;
		ev.rec.victim.age_years = 15;
		ev.rec.victim.age_group = age_group_of(15);
		memcpy(ev.rec.victim.nationality, "PE", 3);
		ev.kind = ev.rec.kind = KIND_REFERRAL;
		ev.rec.exploitation = 0;
		ev.rec.date = r->ref_date;
		ev.rec.other = r->ref_to;
		ev.rec.purpose = PURPOSE_PROTECTION;
		e = forged_referral(r, ev.rec.referral);
		if (e != 0)
			return e;
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_ACK_CLEAN;
		x->advance = 1;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	if (strcmp(mode, "valid") == 0) {
		e = make_envelope(&ev, NULL, 0, CODEC_VERSION, r->inst, seq,
				  r->me, r->me->key_id, &env, &env_len);
		if (e != 0)
			return e;
		x->kind = EXP_ACK_CLEAN;
		x->advance = 1;
		return batch_of(r, env, env_len, &data[0], &lens[0]);
	}
	return -EINVAL;
}

/* ---- judging replies ----------------------------------------------------- */

static void
mismatch(struct rogue *r, const char *mode, const char *what)
{
	r->mismatches++;
	if (r->mismatches <= 20)
		fprintf(stderr, "kuska_rogue: %s: %s\n", mode, what);
}

/* Counts reply m and compares it with x. */
static void
judge(struct rogue *r, const char *mode, const struct expect *x,
      const struct msg *m)
{
	char name[64], why[512];

	switch (m->type) {
	case MSG_REFUSAL:
		snprintf(name, sizeof(name), "refusal %s", rname(m->reason));
		tally(r->replies, &r->n_replies, name);
		if (x->kind != EXP_REFUSAL || x->reason != m->reason) {
			snprintf(why, sizeof(why), "got %s (\"%s\")", name,
				 m->text);
			mismatch(r, mode, why);
		} else if (m->reason == REASON_GAP &&
			   (!m->has_expected ||
			    m->expected_seq != r->expected_seq)) {
			mismatch(r, mode,
				 "gap refusal without the expected "
				 "sequence");
		}
		return;
	case MSG_ACK:
		if (m->n_rejections == 0) {
			tally(r->replies, &r->n_replies, "ack clean");
			if (x->kind != EXP_ACK_CLEAN ||
			    m->last_seq != r->expected_seq - 1 + x->advance) {
				snprintf(why, sizeof(why),
					 "got a clean ack, last_seq %llu",
					 (unsigned long long)m->last_seq);
				mismatch(r, mode, why);
			}
			r->expected_seq = m->last_seq + 1;
			return;
		}
		snprintf(name, sizeof(name), "ack rejection %s",
			 rname(m->rejections[0].reason));
		tally(r->replies, &r->n_replies, name);
		if (x->kind != EXP_REJECTION || m->n_rejections != 1 ||
		    m->rejections[0].reason != x->reason ||
		    m->rejections[0].seq != r->expected_seq ||
		    m->last_seq != r->expected_seq) {
			snprintf(why, sizeof(why),
				 "got %s (\"%s\") for seq %llu, %zu "
				 "rejections, last_seq %llu (expected seq "
				 "%llu)",
				 name, m->rejections[0].text,
				 (unsigned long long)m->rejections[0].seq,
				 m->n_rejections,
				 (unsigned long long)m->last_seq,
				 (unsigned long long)r->expected_seq);
			mismatch(r, mode, why);
		}
		r->expected_seq = m->last_seq + 1;
		return;
	case MSG_WELCOME:
		tally(r->replies, &r->n_replies, "welcome");
		if (x->kind != EXP_WELCOME)
			mismatch(r, mode, "got a welcome");
		r->expected_seq = m->last_seq + 1;
		return;
	default:
		tally(r->replies, &r->n_replies, "other");
		mismatch(r, mode, "got a message of another type");
	}
}

/* Sends one frame of mode and checks the answer. */
static int
run_one(struct rogue *r, const char *mode)
{
	uint8_t *data[MAX_PARTS] = {NULL};
	size_t lens[MAX_PARTS] = {0}, n = 0, i;
	struct expect x;
	struct msg m;
	char why[128];
	int e;

	if (strcmp(mode, "prove") == 0)
		return prove(r);
	if (strcmp(mode, "hello") == 0 || strcmp(mode, "flip") == 0) {
		/* flip: the first, third... hellos say diverged. */
		r->diverged = strcmp(mode, "flip") == 0 && r->flips++ % 2 == 0;
		e = sync_hello(r, true);
		if (e != 0)
			mismatch(r, mode, "no welcome");
		tally(r->sent, &r->n_sent, mode);
		if (e == 0 && strcmp(mode, "flip") == 0 && !r->diverged)
			e = run_one(r, "valid");
		return e;
	}
	e = build(r, mode, data, lens, &n, &x);
	if (e == -ENOTSUP)
		goto out;
	if (e != 0) {
		fprintf(stderr, "kuska_rogue: %s: cannot build: %s\n", mode,
			strerror(-e));
		goto out;
	}
	e = send_frames(r, (const void *const *)data, lens, n);
	if (e != 0) {
		snprintf(why, sizeof(why), "cannot send: %s", strerror(-e));
		mismatch(r, mode, why);
		goto out;
	}
	tally(r->sent, &r->n_sent, mode);
	if (x.kind == EXP_NOTHING) {
		/* Nothing may come back; a hello tells when the way is
		 * clear (after the reconnection, for an oversize frame). */
		tally(r->replies, &r->n_replies, "no reply");
		e = sync_hello(r, false);
		if (e != 0)
			mismatch(r, mode, "no welcome after it");
		goto out;
	}
	e = recv_msg(r, &m, r->timeout_ms);
	if (e == 0) {
		judge(r, mode, &x, &m);
		codec_msg_clear(&m);
	} else {
		tally(r->replies, &r->n_replies,
		      e == -ETIMEDOUT ? "timeout" : "error");
		mismatch(r, mode, e == -ETIMEDOUT ? "no answer" : "bad answer");
		(void)sync_hello(r, false);
	}
	e = 0;
out:
	for (i = 0; i < MAX_PARTS; i++)
		free(data[i]);
	return e == -ENOTSUP ? 0 : e;
}

/*
 * The frame kinds of "mix", in proportion: mostly cheap bad frames,
 * a few oversize ones (each costs a reconnection).
 */
static const char *
mix_mode(struct rogue *r, unsigned long i)
{
	static const char *const cycle[] = {
	    "garbage", "truncated",  "badsig",	 "replay",	 "gap",
	    "garbage", "hellowrong", "type",	 "badenv",	 "foreignkey",
	    "stolen",  "truncated",  "badevent", "casestage",	 "envversion",
	    "future",  "target",     "gap",	 "helloversion", "multiframe",
	    "toomany", "dup",	     "garbage",	 "badsig",
	};
	(void)r;
	if (i % 1000 == 999)
		return "oversize";
	return cycle[i % (sizeof(cycle) / sizeof(cycle[0]))];
}

/* parse_refspec - -R FROM:TO:NUMBER:YYYY-MM-DD into r. */
static int
parse_refspec(struct rogue *r, const char *spec)
{
	char buf[128], *from, *to, *num, *day;

	snprintf(buf, sizeof(buf), "%s", spec);
	from = strtok(buf, ":");
	to = strtok(NULL, ":");
	num = strtok(NULL, ":");
	day = strtok(NULL, ":");
	if (day == NULL || strlen(num) >= sizeof(r->ref_number))
		return -EINVAL;
	r->ref_from = institution_from_name(from);
	r->ref_to = institution_from_name(to);
	snprintf(r->ref_number, sizeof(r->ref_number), "%s", num);
	if (r->ref_from == INST_NONE || r->ref_to == INST_NONE ||
	    date_parse(day, strlen(day), &r->ref_date) != 0)
		return -EINVAL;
	return 0;
}

static bool
known_mode(const char *mode)
{
	size_t i;

	if (strcmp(mode, "mix") == 0 || strcmp(mode, "hello") == 0 ||
	    strcmp(mode, "flip") == 0 || strcmp(mode, "prove") == 0 ||
	    strcmp(mode, "unread") == 0 || strcmp(mode, "flood") == 0)
		return true;
	for (i = 0; i < N_MODES; i++)
		if (strcmp(mode, all_modes[i]) == 0)
			return true;
	return false;
}

static void
print_rows(const char *prefix, const struct tally_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%s %lu\n", prefix, rows[i].name, rows[i].n);
}

/*
 * Mode "unread": count recovery requests on a connection that reads
 * nothing (unread.h).
 */
static int
unread(const char *ep, const struct secret_key *me,
       const struct public_key *server, unsigned long count, long hold_ms)
{
	struct msg m;
	uint8_t *buf;
	size_t len;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = MSG_RECOVER_REQUEST;
	m.from_seq = 1;
	if (codec_msg_encode(&m, &buf, &len) != 0)
		return 2;
	rc = unread_flood(ep, me, server, buf, len, count, hold_ms,
			  "unread sent");
	free(buf);
	return rc != 0 ? 2 : 0;
}

int
main(int argc, char **argv)
{
	struct rogue r;
	struct public_key server, other_cons;
	const char *key = NULL, *spub = NULL, *ep = NULL, *okey = NULL;
	const char *proof_for = NULL;
	const char *skey = NULL;
	const char *lkey = NULL, *okey32 = NULL, *refspec = NULL;
	const char *claim = NULL;
	const char *mode;
	unsigned long count = 1, i;
	long pause_ms = 0;
	char err[512];
	int ch, e, status = 2;

	memset(&r, 0, sizeof(r));
	r.rng = 0x6b75736b61ULL;
	r.timeout_ms = REPLY_TIMEOUT_MS;
	r.hello_ms = SYNC_TIMEOUT_MS;
	r.network = "kuska-demo";
	r.other_network = "kuska-other";
	r.backdate_ms = 1577836800000ULL; /* 2020-01-01 */
	while ((ch = getopt(argc, argv,
			    "k:s:e:o:n:S:t:N:W:K:C:I:H:L:O:R:DP:T:X:b:w:")) !=
	       -1) {
		switch (ch) {
		case 'w':
			pause_ms = strtol(optarg, NULL, 10);
			break;
		case 'b':
			unread_set_heartbeat((int)strtol(optarg, NULL, 10));
			break;
		case 'I':
			claim = optarg;
			break;
		case 'D':
			r.outbox = true;
			break;
		case 'P':
			r.proof_ms = strtoull(optarg, NULL, 10);
			break;
		case 'T':
			r.clock_ms = strtoull(optarg, NULL, 10);
			break;
		case 'X':
			proof_for = optarg;
			break;
		case 'H':
			r.hello_ms = strtol(optarg, NULL, 10);
			break;
		case 'N':
			r.network = optarg;
			break;
		case 'W':
			r.other_network = optarg;
			break;
		case 'K':
			skey = optarg;
			break;
		case 'C':
			r.backdate_ms = strtoull(optarg, NULL, 10);
			break;
		case 'k':
			key = optarg;
			break;
		case 's':
			spub = optarg;
			break;
		case 'e':
			ep = optarg;
			break;
		case 'o':
			okey = optarg;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'S':
			r.rng = strtoull(optarg, NULL, 10) | 1;
			break;
		case 't':
			r.timeout_ms = strtol(optarg, NULL, 10);
			break;
		case 'L':
			lkey = optarg;
			break;
		case 'O':
			okey32 = optarg;
			break;
		case 'R':
			refspec = optarg;
			break;
		default:
			usage();
		}
	}
	if (key == NULL || spub == NULL || ep == NULL || optind + 1 != argc)
		usage();
	mode = argv[optind];
	if (!known_mode(mode)) {
		fprintf(stderr, "kuska_rogue: unknown mode %s\n", mode);
		usage();
	}
	if (keys_init() != 0)
		return 2;
	sign_network = r.network;
	if (keys_load_secret(key, &r.me, err, sizeof(err)) != 0 ||
	    keys_load_public(spub, &server, err, sizeof(err)) != 0 ||
	    (okey != NULL &&
	     keys_load_secret(okey, &r.other, err, sizeof(err)) != 0) ||
	    (skey != NULL &&
	     keys_load_secret(skey, &r.signer, err, sizeof(err)) != 0)) {
		fprintf(stderr, "kuska_rogue: %s\n", err);
		goto out;
	}
	if (proof_for != NULL &&
	    keys_load_public(proof_for, &other_cons, err, sizeof(err)) != 0) {
		fprintf(stderr, "kuska_rogue: -X: %s\n", err);
		goto out;
	}
	memcpy(r.proof_for,
	       proof_for != NULL ? other_cons.curve_pk : server.curve_pk,
	       CURVE_KEY_LEN);
	if ((lkey != NULL && keys_key32_load(lkey, KEY32_LINKAGE, &r.linkage,
					     err, sizeof(err)) != 0) ||
	    (okey32 != NULL && keys_key32_load(okey32, KEY32_OPRF_SHARE,
					       &r.oprf, err, sizeof(err)) != 0)) {
		fprintf(stderr, "kuska_rogue: %s\n", err);
		goto out;
	}
	if (refspec != NULL && parse_refspec(&r, refspec) != 0) {
		fprintf(stderr, "kuska_rogue: -R %s: FROM:TO:NUMBER:DATE\n",
			refspec);
		goto out;
	}
	r.inst = institution_from_name(claim != NULL ? claim : r.me->id);
	if (r.inst == INST_NONE) {
		fprintf(stderr, "kuska_rogue: %s: not an institution's key\n",
			key);
		goto out;
	}
	if (r.other != NULL)
		r.other_inst = institution_from_name(r.other->id);
	if (strcmp(mode, "unread") == 0) {
		status = unread(ep, r.me, &server, count, r.timeout_ms);
		goto out;
	}
	if (strcmp(mode, "flood") == 0) {
		/* Frames no message decodes from (a varint that never
		 * ends), sent without pause, their refusals never read:
		 * each is refused at once and never fills the pipeline. */
		uint8_t junk[32];
		memset(junk, 0xff, sizeof(junk));
		status = unread_flood(ep, r.me, &server, junk, sizeof(junk),
				      count, r.timeout_ms, "flood sent") != 0
			     ? 2
			     : 0;
		goto out;
	}
	r.t = transport_new();
	if (r.t == NULL)
		goto out;
	{
		struct tsock_limits lim = {.max_frame = CODEC_MAX_FRAME};
		r.dealer =
		    tsock_connect_curve(r.t, ep, r.me->curve_pk, r.me->curve_sk,
					server.curve_pk, &lim, &r.mon, &e);
	}
	if (r.dealer == NULL) {
		fprintf(stderr, "kuska_rogue: %s: %s\n", ep, strerror(-e));
		goto out;
	}
	if (sync_hello(&r, false) != 0) {
		fprintf(stderr, "kuska_rogue: %s: no welcome\n", ep);
		goto out;
	}
	for (i = 0; i < count; i++) {
		if (strcmp(mode, "mix") == 0)
			e = run_one(&r, mix_mode(&r, i));
		else
			e = run_one(&r, mode);
		if (e != 0 && e != -ETIMEDOUT)
			break;
	}
	if (pause_ms > 0 &&
	    (strcmp(mode, "hello") == 0 || strcmp(mode, "flip") == 0)) {
		struct timespec ts = {.tv_sec = pause_ms / 1000,
				      .tv_nsec = pause_ms % 1000 * 1000000L};
		r.diverged = false;
		if (sync_hello(&r, true) != 0 || nanosleep(&ts, NULL) != 0 ||
		    sync_hello(&r, true) != 0)
			mismatch(&r, mode, "no welcome");
	}
	read_monitor(&r);
	print_rows("", r.replies, r.n_replies);
	print_rows("sent ", r.sent, r.n_sent);
	printf("reconnects %lu\n", r.handshakes > 0 ? r.handshakes - 1 : 0);
	printf("mismatches %lu\n", r.mismatches);
	printf("last_seq %llu\n", (unsigned long long)(r.expected_seq - 1));
	status = r.mismatches == 0 ? 0 : 1;
out:
	tsock_free(&r.dealer); /* before its monitor, as libzmq's tests */
	tsock_free(&r.mon);
	transport_free(&r.t);
	keys_free(&r.me);
	keys_free(&r.other);
	keys_free(&r.signer);
	keys_key32_free(&r.linkage);
	keys_key32_free(&r.oprf);
	return status;
}
