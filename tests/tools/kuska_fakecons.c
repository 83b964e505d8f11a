/*
 * kuska_fakecons - a consolidator that lies to a node's --recover, for
 * the end-to-end tests.
 *
 *	kuska_fakecons -k CONSOLIDATOR.key -e tcp://HOST:PORT -l LAST -s SEQ
 *		[-K SIGNER.key] [-N NETWORK] [-r REASON]
 *	kuska_fakecons -k CONSOLIDATOR.key -e tcp://HOST:PORT -l LAST
 *		-o OUTBOX_DIR [-x SEQ]... [-u COUNT]
 *	kuska_fakecons -k CONSOLIDATOR.key -e tcp://HOST:PORT -l LAST -f [-z]
 *		[-b MS] [-B BURST]
 *
 * Binds where the consolidator listens, with its key, and admits any
 * node. It welcomes every hello saying it holds LAST events of the
 * node's institution, and answers every recovery request with one event
 * held at sequence SEQ: an identification of that institution, its
 * envelope naming SEQ, for network NETWORK (default kuska-demo), not
 * signed (signature and key id zero), or signed with SIGNER.key's signing
 * key (a node's: what an honest consolidator hands back; or another's,
 * its own: what it could make up); held as accepted, or refused with the
 * reason numbered REASON (enum reason, lib/codec.h).
 * With -o, it answers instead with the envelopes the outbox in OUTBOX_DIR
 * (a copy of the node's) holds from the sequence asked up to LAST, held
 * as accepted, leaving out each sequence SEQ given with -x: not listed at
 * all, as a withholding consolidator would. With -u, COUNT Acks nothing
 * asked for (as -f's) go ahead of each answer to a recovery request, all
 * of them sent (its queue raised to hold them).
 * With -f, it floods the last node it welcomed without end with Acks it
 * never asked for: of batches it never sent, acknowledging sequence 0
 * (what a node believes, keeps nothing of, and before took in a commit
 * of its outbox each), BURST (1,000) between two reads of its requests
 * (each answered after the Acks sent before it). With -z it ends its
 * connections at SIGTERM with a reset (as a consolidator whose host drops
 * them), not an orderly close. With -b it sends its peers a heartbeat
 * PING every MS milliseconds (the daemons' 2,000 by default), which
 * libzmq answers at once: a PING read among a flood's bytes is what made
 * libzmq 4.3.4 write on a connection it had seen end (docs/SECURITY.md,
 * "Hostile peers").
 * Runs until SIGTERM; exit status 0, or 2 on a usage or setup error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "keys.h"
#include "fakeserver.h"
#include "outbox.h"
#include "reset.h"
#include "sign.h"
#include "transport.h"

static enum institution inst = INST_PNP; /* the last hello's */
static struct secret_key *signer;	 /* -K, or NULL: unsigned */
static const char *network = "kuska-demo";    /* -N */
static enum reason held_reason = REASON_NONE; /* -r */
static struct outbox *source;		      /* -o, or NULL */
#define MAX_OMIT 16
static uint64_t omit[MAX_OMIT]; /* -x */
static size_t n_omit;
#define NEVER_SENT_BATCH 0x7fffffff00000000ULL /* no node counts this far */
#define FLOOD_BURST 1000	 /* unasked Acks between two polls, with -f */
static unsigned long flood_burst = FLOOD_BURST; /* -B */
static uint8_t flood_route[256]; /* the last node welcomed */
static size_t flood_route_len;	 /* 0: none yet */
static unsigned long ahead;	 /* -u: unasked Acks before each answer */

/* Sends m to the peer of routing frame (route, route_len). */
static void
send_to(struct tsock *s, const void *route, size_t route_len,
	const struct msg *m)
{
	const void *data[2];
	size_t lens[2];
	uint8_t *buf;
	size_t len;

	if (codec_msg_encode(m, &buf, &len) != 0)
		return;
	data[0] = route;
	lens[0] = route_len;
	data[1] = buf;
	lens[1] = len;
	(void)tsock_send(s, data, lens, 2);
	free(buf);
}

/* Sends m to the peer of routing frame f->data[0]. */
static void
send_msg(struct tsock *s, const struct tframes *f, const struct msg *m)
{
	send_to(s, f->data[0], f->len[0], m);
}

/* Sends count Acks of batches never sent to the peer of routing frame
 * (route, route_len). */
static void
send_unasked_to(struct tsock *s, const void *route, size_t route_len,
		unsigned long count)
{
	static uint64_t n;
	struct msg ack;
	unsigned long i;

	memset(&ack, 0, sizeof(ack));
	ack.type = MSG_ACK;
	for (i = 0; i < count; i++) {
		ack.batch_id = NEVER_SENT_BATCH + n++;
		send_to(s, route, route_len, &ack);
	}
}

/* Sends flood_burst Acks of batches never sent to the last node welcomed. */
static void
send_unasked(struct tsock *s)
{
	send_unasked_to(s, flood_route, flood_route_len, flood_burst);
}

/* An identification of inst at seq, in an unsigned envelope. */
static int
held_envelope(uint64_t seq, uint8_t **ret, size_t *ret_len)
{
	struct event ev;
	struct envelope env;
	uint8_t *evb = NULL;
	size_t evb_len = 0;
	int e;

	memset(&ev, 0, sizeof(ev));
	memset(ev.id, 0x42, sizeof(ev.id));
	ev.kind = ev.rec.kind = KIND_IDENTIFICATION;
	ev.rec.date = date_today() - 1;
	ev.rec.region = 15;
	ev.rec.victim.sex = SEX_F;
	ev.rec.victim.age_years = 30;
	ev.rec.victim.age_group = age_group_of(30);
	memcpy(ev.rec.victim.nationality, "PE", 3);
	ev.rec.exploitation = 1u << EXPL_SEXUAL;
	e = codec_event_encode(&ev, &evb, &evb_len);
	if (e != 0)
		return e;
	memset(&env, 0, sizeof(env));
	env.version = CODEC_VERSION;
	env.inst = inst;
	env.seq = seq;
	env.created_ms = date_now_ms();
	env.event = evb;
	env.event_len = evb_len;
	snprintf(env.network, sizeof(env.network), "%s", network);
	if (signer != NULL) {
		struct sign_fields f = {
		    .network = env.network,
		    .version = env.version,
		    .institution = (uint8_t)env.inst,
		    .seq = env.seq,
		    .created_ms = env.created_ms,
		    .event = evb,
		    .event_len = evb_len,
		};
		memcpy(env.key_id, signer->key_id, KEY_ID_LEN);
		memcpy(f.key_id, signer->key_id, KEY_ID_LEN);
		e = sign_envelope(signer->sign_sk, &f, env.signature);
		if (e != 0) {
			free(evb);
			return e;
		}
	}
	e = codec_envelope_encode(&env, ret, ret_len);
	free(evb);
	return e;
}

/* Whether -x named seq. */
static bool
omitted(uint64_t seq)
{
	size_t i;

	for (i = 0; i < n_omit; i++)
		if (omit[i] == seq)
			return true;
	return false;
}

/* The -o outbox's envelopes from from up to last, but the -x ones, PIECE
 * at most in one answer: the node asks for the rest. */
#define PIECE 64
static void
answer_from_outbox(struct tsock *s, const struct tframes *f, uint64_t from,
		   uint64_t last)
{
	struct held_event h[PIECE];
	struct msg rep;
	uint64_t seq;
	size_t i;
	char ref[128];

	memset(&rep, 0, sizeof(rep));
	memset(h, 0, sizeof(h));
	rep.type = MSG_RECOVER_REPLY;
	rep.last_seq = last;
	rep.held = h;
	for (seq = from < 1 ? 1 : from; seq <= last && rep.n_held < PIECE;
	     seq++) {
		struct held_event *e = &h[rep.n_held];
		uint8_t *env;
		if (omitted(seq) || outbox_get(source, seq, &env, &e->len, ref,
					       sizeof(ref)) != 0)
			continue;
		e->seq = seq;
		e->env = env;
		rep.n_held++;
	}
	send_msg(s, f, &rep);
	for (i = 0; i < rep.n_held; i++)
		free((void *)h[i].env);
}

static void
answer(struct tsock *s, const struct tframes *f, uint64_t last, uint64_t seq)
{
	struct msg req, rep;
	struct held_event h;
	uint8_t *env = NULL;

	if (f->n != 2 || codec_msg_decode(f->data[1], f->len[1], &req) != 0)
		return;
	memset(&rep, 0, sizeof(rep));
	if (req.type == MSG_HELLO) {
		inst = req.inst;
		rep.type = MSG_WELCOME;
		rep.nonce = req.nonce;
		rep.last_seq = last;
		rep.now_ms = date_now_ms();
		send_msg(s, f, &rep);
		if (f->len[0] <= sizeof(flood_route)) {
			memcpy(flood_route, f->data[0], f->len[0]);
			flood_route_len = f->len[0];
		}
	} else if (req.type == MSG_RECOVER_REQUEST && source != NULL) {
		send_unasked_to(s, f->data[0], f->len[0], ahead);
		answer_from_outbox(s, f, req.from_seq, last);
	} else if (req.type == MSG_RECOVER_REQUEST) {
		memset(&h, 0, sizeof(h));
		h.seq = seq;
		h.reason = held_reason;
		if (held_reason != REASON_NONE)
			snprintf(h.text, sizeof(h.text), "refused");
		if (held_envelope(seq, &env, &h.len) == 0) {
			h.env = env;
			rep.type = MSG_RECOVER_REPLY;
			rep.last_seq = last;
			rep.held = &h;
			rep.n_held = 1;
			send_msg(s, f, &rep);
			free(env);
		}
	}
	codec_msg_clear(&req);
}

int
main(int argc, char **argv)
{
	const char *key_path = NULL, *endpoint = NULL, *signer_path = NULL;
	const char *source_dir = NULL;
	unsigned long long last = 0, seq = 0;
	char err[256] = "";
	struct fake_server fs;
	int c, flood = 0, reset = 0, ping_ms = 0;

	while ((c = getopt(argc, argv, "k:e:l:s:K:N:r:o:x:fzb:B:u:")) != -1) {
		switch (c) {
		case 'k':
			key_path = optarg;
			break;
		case 'e':
			endpoint = optarg;
			break;
		case 'l':
			last = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seq = strtoull(optarg, NULL, 10);
			break;
		case 'K':
			signer_path = optarg;
			break;
		case 'N':
			network = optarg;
			break;
		case 'r':
			held_reason = (enum reason)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			source_dir = optarg;
			break;
		case 'x':
			if (n_omit == MAX_OMIT)
				return 2;
			omit[n_omit++] = strtoull(optarg, NULL, 10);
			break;
		case 'f':
			flood = 1;
			break;
		case 'z':
			reset = 1;
			break;
		case 'b':
			ping_ms = atoi(optarg);
			if (ping_ms <= 0)
				return 2;
			break;
		case 'B':
			flood_burst = strtoul(optarg, NULL, 10);
			break;
		case 'u':
			ahead = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (key_path == NULL || endpoint == NULL) {
		fprintf(stderr,
			"usage: kuska_fakecons -k KEY -e ENDPOINT "
			"-l LAST -s SEQ [-K SIGNER.key] [-N NETWORK] "
			"[-r REASON] [-o OUTBOX_DIR [-x SEQ]... [-u COUNT]] "
			"[-f [-z] [-b MS] [-B BURST]]\n");
		return 2;
	}
	if (ping_ms > 0)
		fake_server_ping(ping_ms);
	/* Each burst ahead of an answer sent whole: with a mark of COUNT +
	 * 1,000, 3,000 ahead lost the answer (libzmq's queue is not only
	 * what waits for the peer). */
	if (ahead > 0)
		fake_server_hwm(1000000);
	if (fake_server_open(&fs, "kuska_fakecons", key_path, endpoint,
			     "consolidator") != 0)
		return 2;
	if (source_dir != NULL &&
	    outbox_open(source_dir, (size_t)64 << 20, &source) != 0) {
		fprintf(stderr, "kuska_fakecons: %s: no outbox to read\n",
			source_dir);
		fake_server_close(&fs);
		return 2;
	}
	if (signer_path != NULL &&
	    keys_load_secret(signer_path, &signer, err, sizeof(err)) != 0) {
		fprintf(stderr, "kuska_fakecons: %s\n", err);
		fake_server_close(&fs);
		return 2;
	}
	while (fake_server_running()) {
		struct tframes f;
		bool flooding = flood && flood_route_len != 0;
		if (flooding)
			send_unasked(fs.s);
		if (!fake_server_wait(&fs, flooding ? 0 : 100))
			continue;
		while (tsock_recv(fs.s, &f, 2, CODEC_MAX_FRAME) == 0) {
			answer(fs.s, &f, last, seq);
			tframes_clear(&f);
		}
	}
	if (reset)
		reset_and_exit(0);
	fake_server_close(&fs);
	outbox_close(&source);
	keys_free(&signer);
	return 0;
}
