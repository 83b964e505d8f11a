/*
 * kuska_thief - plays the thief of issue 11 for the end-to-end tests.
 *
 *	kuska_thief offline DIR DNI...
 *
 * DIR holds what was stolen: a copy of one machine's key and data files.
 * The tool loads every key file in it with every loader the project's
 * library has (institution and client key pairs, linkage keys, ref keys,
 * OPRF key shares), takes every 32-byte secret it finds as a candidate
 * linkage key and as a candidate OPRF key (as it is when it is a valid
 * scalar, and through the library's key derivation in any case, plus no
 * OPRF key at all is no way: the library computes no pseudonym without
 * one), computes with lib/pseudo the victim-document pseudonym of each
 * DNI under every pair, and searches every file of DIR (LMDB stores
 * included) for those 32 bytes. It prints what it loaded, how many
 * candidates it tried, and "found" or "not found" for each DNI. Exit 0
 * when every DNI was found (the thief succeeded), 1 when one was not, 2
 * on a usage or setup error.
 *
 *	kuska_thief sweep -k NODE.key -p KEYHOLDER.pub -e tcp://HOST:PORT
 *		-E EPOCH [-n COUNT] [-b BATCH] [-t TIMEOUT_MS] [-x KIND] [-c]
 *		[-F FLOOD [-P PING_MS]]
 *
 * With a stolen node key, asks the key holder online to evaluate COUNT
 * (default 1000000) blinded DNIs, BATCH (default 10000) at a time, as a
 * dictionary sweep would. Prints the elements evaluated and the holder's
 * refusal (its reason code after its text, "[reason=over_day]", when it
 * gives one). Exit 0 when all were evaluated, 1 when the holder refused or
 * did not answer within TIMEOUT_MS (default 30000) a batch, 2 on a usage
 * or setup error.
 *
 * -x KIND spoils every request: "identity" makes its first element the
 * group's identity, "invalid" an encoding that is no group element,
 * "garbage" sends bytes that are no request at all, "multiframe" each
 * request twice in one two-frame message (dropped unread, and answered
 * too_large). Every answer must name its request's id (0 for garbage,
 * which has none), or the tool stops with exit 1. -c goes on past a
 * refusal (to the next batch) and, at the end, prints "refused STATUS N"
 * for each refusal status heard, "evaluated N of COUNT" last; the exit
 * status is then 0 when every batch was answered.
 *
 * -F FLOOD is instead a node key's holder that never reads its answers:
 * it sends the first request (BATCH elements) FLOOD times on a connection
 * of its own (unread_flood), prints "flooded N", keeps the connection
 * open for TIMEOUT_MS reading nothing, and ends it. With -P it sends
 * libzmq's PINGs every PING_MS (unread_set_keepalive), so that the
 * holder's heartbeats do not end the connection first.
 *
 *	kuska_thief strangers -p SERVER.pub -e tcp://HOST:PORT [-n COUNT]
 *		[-t TIMEOUT_MS] [-N]
 *
 * Anyone who knows a daemon's public key: opens COUNT (default 1000)
 * CURVE connections one after the other, each with a fresh key pair of
 * its own, sends one frame on each and waits up to TIMEOUT_MS (default
 * 5000) for the handshake's verdict. Prints "refused N", "admitted N",
 * "failed N" (a protocol error) and "unheard N". Exit 0 when every
 * handshake was refused, 1 when one was not, 2 on a usage or setup
 * error. -N: anyone at all, with no CURVE (ZeroMQ's NULL mechanism):
 * every handshake fails, and exit 0 is when every one did.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "date.h"
#include "keys.h"
#include "oprf.h"
#include "pseudo.h"
#include "transport.h"
#include "unread.h"

#include <zmq.h>

#define MAX_SECRETS 256
#define MAX_FILES 4096
#define MAX_FILE_BYTES (512u << 20)

struct loot {
	uint8_t secret[MAX_SECRETS][32];
	size_t n;
	char *files[MAX_FILES];
	size_t n_files;
	unsigned signing, transport, linkage, ref, share;
};

static void
add_secret(struct loot *l, const uint8_t *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (memcmp(l->secret[i], s, 32) == 0)
			return;
	if (l->n < MAX_SECRETS)
		memcpy(l->secret[l->n++], s, 32);
}

/* Every loader of the library, on one file. */
static void
try_file(struct loot *l, const char *path)
{
	static const enum key32_kind kinds[] = {KEY32_LINKAGE, KEY32_REF,
						KEY32_OPRF_SHARE};
	struct secret_key *sk = NULL;
	struct key32 *k = NULL;
	size_t i;

	if (keys_load_secret(path, &sk, NULL, 0) == 0) {
		add_secret(l, sk->sign_sk); /* the Ed25519 seed */
		add_secret(l, sk->curve_sk);
		l->signing++;
		l->transport++;
		keys_free(&sk);
	}
	for (i = 0; i < 3; i++) {
		if (keys_key32_load(path, kinds[i], &k, NULL, 0) != 0)
			continue;
		add_secret(l, k->key);
		if (kinds[i] == KEY32_LINKAGE)
			l->linkage++;
		else if (kinds[i] == KEY32_REF)
			l->ref++;
		else
			l->share++;
		keys_key32_free(&k);
	}
}

static void
walk(struct loot *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(l, path);
		} else if (S_ISREG(st.st_mode) && l->n_files < MAX_FILES) {
			l->files[l->n_files++] = strdup(path);
			try_file(l, path);
		}
	}
	closedir(d);
}

/* Whether any file of the loot holds the 32 bytes p. */
static bool
found_in_files(const struct loot *l, const uint8_t p[32])
{
	size_t i;

	for (i = 0; i < l->n_files; i++) {
		FILE *f = fopen(l->files[i], "rb");
		uint8_t *buf;
		long len;
		bool hit;
		if (f == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		if (len < 32 || (unsigned long)len > MAX_FILE_BYTES) {
			fclose(f);
			continue;
		}
		buf = malloc((size_t)len);
		hit = buf != NULL &&
		      fread(buf, 1, (size_t)len, f) == (size_t)len &&
		      memmem(buf, (size_t)len, p, 32) != NULL;
		free(buf);
		fclose(f);
		if (hit)
			return true;
	}
	return false;
}

/* The pseudonym of a DNI under OPRF key k and linkage key lk. */
static int
pseudonym(const uint8_t k[32], const uint8_t lk[32], const char *dni,
	  uint8_t out[32])
{
	struct pseudo_batch *b = pseudo_batch_new();
	int r;

	if (b == NULL)
		return -ENOMEM;
	r = pseudo_add_document(b, "DNI", dni, out);
	if (r == 0)
		r = pseudo_batch_local(b, k, lk);
	pseudo_batch_free(&b);
	return r;
}

static int
offline(int argc, char **argv)
{
	static struct loot l;
	uint8_t keys[2 * MAX_SECRETS][32], p[32];
	size_t nk = 0, i, j, t, tried = 0;
	int a, missed = 0;

	if (argc < 4)
		return 2;
	walk(&l, argv[2]);
	printf("files %zu; loaded: %u signing, %u transport, %u linkage, %u "
	       "ref, %u OPRF share key(s); %zu distinct 32-byte secrets\n",
	       l.n_files, l.signing, l.transport, l.linkage, l.ref, l.share,
	       l.n);
	/* Candidate OPRF keys: each secret as a scalar, when it is one, and
	 * each secret through the library's key derivation. */
	for (i = 0; i < l.n; i++) {
		if (oprf_scalar_valid(l.secret[i]))
			memcpy(keys[nk++], l.secret[i], 32);
		if (oprf_key_derive(l.secret[i], NULL, 0, keys[nk]) == 0)
			nk++;
	}
	for (a = 3; a < argc; a++) {
		bool hit = false;
		for (t = 0; t < nk && !hit; t++)
			for (j = 0; j < l.n && !hit; j++) {
				if (pseudonym(keys[t], l.secret[j], argv[a],
					      p) != 0)
					continue;
				tried++;
				hit = found_in_files(&l, p);
			}
		printf("DNI %s: %s\n", argv[a], hit ? "found" : "not found");
		missed += !hit;
	}
	printf("candidate pseudonyms tried: %zu\n", tried);
	for (i = 0; i < l.n_files; i++)
		free(l.files[i]);
	return missed > 0 ? 1 : 0;
}

/*
 * sweep -F: one request of n blinded elements sent count times on a
 * connection that reads nothing, held open hold_ms, then ended. Returns 0,
 * or 2 on a setup error.
 */
static int
flood_unread(const struct secret_key *sk, const struct public_key *pub,
	     const char *ep, uint32_t epoch, size_t n, unsigned long count,
	     unsigned long hold_ms)
{
	uint8_t *el = calloc(n, 32), blind[32], *buf = NULL;
	struct oprf_msg m;
	size_t i, len;
	int rc = 2;

	if (el == NULL)
		return 2;
	for (i = 0; i < n; i++)
		if (oprf_blind((const uint8_t *)"flood", 5, blind,
			       el + 32 * i) != 0)
			goto out;
	memset(&m, 0, sizeof(m));
	m.request_id = 1;
	m.epoch = epoch;
	m.n = n;
	m.elements = el;
	if (codec_oprf_request_encode(&m, &buf, &len) != 0)
		goto out;
	if (unread_flood(ep, sk, pub, buf, len, count, (long)hold_ms,
			 "flooded") == 0)
		rc = 0;
out:
	free(buf);
	free(el);
	return rc;
}

static int
sweep(int argc, char **argv)
{
	const char *keyf = NULL, *pubf = NULL, *ep = NULL;
	unsigned long count = 1000000, batch = 10000, epoch = 0, done = 0;
	unsigned long timeout_ms = 30000, flood = 0;
	struct secret_key *sk = NULL;
	struct public_key pub;
	struct transport *t;
	struct tsock *s;
	unsigned long refused[OPRF_STATUS_COUNT] = {0};
	const char *spoil = "";
	size_t nframes = 1;
	bool go_on = false, garbage;
	uint64_t id = 1;
	char err[512];
	int ch, e, rc = 2;

	optind = 2;
	while ((ch = getopt(argc, argv, "k:p:e:E:n:b:t:x:cF:P:")) != -1) {
		switch (ch) {
		case 'F':
			flood = strtoul(optarg, NULL, 10);
			break;
		case 'P':
			unread_set_keepalive((int)strtol(optarg, NULL, 10));
			break;
		case 'x':
			spoil = optarg;
			break;
		case 'c':
			go_on = true;
			break;
		case 'k':
			keyf = optarg;
			break;
		case 'p':
			pubf = optarg;
			break;
		case 'e':
			ep = optarg;
			break;
		case 'E':
			epoch = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout_ms = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (strcmp(spoil, "multiframe") == 0)
		nframes = 2;
	garbage = strcmp(spoil, "garbage") == 0;
	if (keyf == NULL || pubf == NULL || ep == NULL || batch == 0 ||
	    batch > CODEC_MAX_OPRF_ELEMENTS)
		return 2;
	if (keys_load_secret(keyf, &sk, err, sizeof(err)) != 0 ||
	    keys_load_public(pubf, &pub, err, sizeof(err)) != 0) {
		fprintf(stderr, "kuska_thief: %s\n", err);
		return 2;
	}
	if (flood > 0) {
		rc = flood_unread(sk, &pub, ep, (uint32_t)epoch, batch, flood,
				  timeout_ms);
		keys_free(&sk);
		return rc;
	}
	t = transport_new();
	s = tsock_connect_curve(t, ep, sk->curve_pk, sk->curve_sk, pub.curve_pk,
				NULL, NULL, &e);
	if (s == NULL)
		return 2;
	while (done < count) {
		size_t n = count - done < batch ? count - done : batch, i;
		uint8_t *el = malloc(n * 32), blind[32], *buf;
		struct oprf_msg m, rep;
		struct tframes f;
		const void *data[2];
		size_t lens[2], len;
		uint64_t deadline = date_mono_ms() + timeout_ms;
		int r;
		/* The blinded elements of n candidate DNIs. */
		for (i = 0; i < n; i++) {
			char dni[16], in[64];
			size_t il;
			snprintf(dni, sizeof(dni), "%08lu", done + i);
			il = (size_t)snprintf(
			    in, sizeof(in),
			    "%c%c%c%ckuska/victim/doc/v2%c%c%c"
			    "%cDNI%c%c%c%c%s",
			    0, 0, 0, 19, 0, 0, 0, 3, 0, 0, 0, 8, dni);
			if (oprf_blind((const uint8_t *)in, il, blind,
				       el + 32 * i) != 0)
				return 2;
		}
		memset(&m, 0, sizeof(m));
		m.request_id = id++;
		m.epoch = (uint32_t)epoch;
		m.n = n;
		m.elements = el;
		if (strcmp(spoil, "identity") == 0)
			memset(el, 0, 32);
		else if (strcmp(spoil, "invalid") == 0)
			memset(el, 0xff, 32);
		if (codec_oprf_request_encode(&m, &buf, &len) != 0)
			return 2;
		if (garbage)
			memset(buf, 0xff, len);
		data[0] = data[1] = buf;
		lens[0] = lens[1] = len;
		while ((r = tsock_send(s, data, lens, nframes)) == -EAGAIN &&
		       date_mono_ms() < deadline)
			usleep(20000);
		free(buf);
		free(el);
		if (r != 0) {
			printf("evaluated %lu; could not send: %s\n", done,
			       strerror(-r));
			rc = 1;
			goto out;
		}
		for (;;) {
			bool ready;
			if (date_mono_ms() > deadline) {
				printf("evaluated %lu; no answer\n", done);
				rc = 1;
				goto out;
			}
			(void)tsock_poll(&s, 1, &ready, 200);
			if (ready && tsock_recv(s, &f, 1, CODEC_MAX_FRAME) == 0)
				break;
		}
		r = codec_oprf_reply_decode(f.data[0], f.len[0], &rep);
		tframes_clear(&f);
		if (r != 0)
			return 2;
		if (rep.request_id != (garbage ? 0 : m.request_id)) {
			printf("evaluated %lu; the answer to request %llu "
			       "names %llu\n",
			       done, (unsigned long long)m.request_id,
			       (unsigned long long)rep.request_id);
			codec_oprf_clear(&rep);
			rc = 1;
			goto out;
		}
		if (rep.status != OPRF_OK && go_on) {
			refused[rep.status]++;
			codec_oprf_clear(&rep);
			count -= n; /* not evaluated, not to be */
			continue;
		}
		if (rep.status != OPRF_OK) {
			printf("evaluated %lu of %lu; refused: %s: %s%s\n",
			       done, count, oprf_status_name(rep.status),
			       rep.text,
			       rep.reason == OPRF_REASON_OVER_DAY
				   ? " [reason=over_day]"
				   : "");
			codec_oprf_clear(&rep);
			rc = 1;
			goto out;
		}
		codec_oprf_clear(&rep);
		done += n;
	}
	for (e = 0; e < OPRF_STATUS_COUNT; e++)
		if (refused[e] > 0)
			printf("refused %s %lu\n",
			       oprf_status_name((enum oprf_status)e), refused[e]);
	printf("evaluated %lu of %lu\n", done, count);
	rc = 0;
out:
	tsock_free(&s);
	transport_free(&t);
	keys_free(&sk);
	return rc;
}

/* Makes s a CURVE client of server_pk with sk's pair; none when NULL. */
static int
set_curve(void *s, const uint8_t *server_pk, const struct secret_key *sk)
{
	if (server_pk == NULL)
		return 0;
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, sk->curve_pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sk->curve_sk, 32) != 0)
		return -1;
	return 0;
}

/*
 * One connection with a fresh key pair (server_pk NULL: no CURVE): 1 when
 * the server refused its handshake, 0 when it admitted it, 2 when it
 * failed, -1 when nothing was heard within timeout_ms, -2 on a setup
 * error. Its monitor is made before it connects (as tsock_connect_curve
 * makes one), so that it hears the verdict however soon it comes.
 */
static int
stranger(void *ctx, const char *ep, const uint8_t *server_pk, unsigned long n,
	 unsigned long timeout_ms)
{
	uint64_t deadline = date_mono_ms() + timeout_ms;
	struct secret_key *sk = NULL;
	char mon_ep[64];
	void *s, *mon = NULL;
	int verdict = -2, zero = 0;

	if (keys_generate("stranger", &sk) != 0)
		return -2;
	snprintf(mon_ep, sizeof(mon_ep), "inproc://stranger-%lu", n);
	s = zmq_socket(ctx, ZMQ_DEALER);
	if (s == NULL ||
	    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    set_curve(s, server_pk, sk) != 0 ||
	    zmq_socket_monitor(s, mon_ep,
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
				   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
				   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
				   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0)
		goto out;
	mon = zmq_socket(ctx, ZMQ_PAIR);
	if (mon == NULL || zmq_connect(mon, mon_ep) != 0 ||
	    zmq_connect(s, ep) != 0)
		goto out;
	/* Queued until the handshake: a refused one never delivers it. */
	(void)zmq_send(s, "x", 1, ZMQ_DONTWAIT);
	verdict = -1;
	while (verdict == -1 && date_mono_ms() < deadline) {
		zmq_pollitem_t it = {mon, 0, ZMQ_POLLIN, 0};
		uint8_t ev[6];
		uint16_t id;
		if (zmq_poll(&it, 1, 100) <= 0)
			continue;
		if (zmq_recv(mon, ev, sizeof(ev), 0) < 2)
			continue;
		memcpy(&id, ev, sizeof(id));
		if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			verdict = 0;
		else if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			verdict = 1;
		else
			verdict = 2;
		/* Its second frame, the endpoint, comes with it. */
		(void)zmq_recv(mon, mon_ep, sizeof(mon_ep), ZMQ_DONTWAIT);
	}
	zmq_socket_monitor(s, NULL, 0);
out:
	if (mon != NULL)
		zmq_close(mon);
	if (s != NULL)
		zmq_close(s);
	keys_free(&sk);
	return verdict;
}

static int
strangers(int argc, char **argv)
{
	const char *pubf = NULL, *ep = NULL;
	unsigned long count = 1000, timeout_ms = 5000, i;
	unsigned long refused = 0, admitted = 0, failed = 0, unheard = 0;
	struct public_key pub;
	bool curve = true;
	char err[512];
	void *ctx;
	int ch, r;

	optind = 2;
	while ((ch = getopt(argc, argv, "p:e:n:t:N")) != -1) {
		switch (ch) {
		case 'N':
			curve = false;
			break;
		case 'p':
			pubf = optarg;
			break;
		case 'e':
			ep = optarg;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout_ms = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (pubf == NULL || ep == NULL)
		return 2;
	if (keys_load_public(pubf, &pub, err, sizeof(err)) != 0) {
		fprintf(stderr, "kuska_thief: %s\n", err);
		return 2;
	}
	if ((ctx = zmq_ctx_new()) == NULL)
		return 2;
	for (i = 0; i < count; i++) {
		r = stranger(ctx, ep, curve ? pub.curve_pk : NULL, i,
			     timeout_ms);
		if (r == -2) {
			zmq_ctx_term(ctx);
			return 2;
		}
		if (r == 1)
			refused++;
		else if (r == 0)
			admitted++;
		else if (r == 2)
			failed++;
		else
			unheard++;
	}
	zmq_ctx_term(ctx);
	printf("refused %lu\nadmitted %lu\nfailed %lu\nunheard %lu\n", refused,
	       admitted, failed, unheard);
	return (curve ? refused : failed) == count ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int r = 2;

	if (keys_init() != 0)
		return 2;
	if (argc >= 2 && strcmp(argv[1], "offline") == 0)
		r = offline(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "sweep") == 0)
		r = sweep(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "strangers") == 0)
		r = strangers(argc, argv);
	if (r == 2)
		fprintf(stderr, "usage: kuska_thief offline DIR DNI...\n"
				"       kuska_thief sweep -k NODE.key -p "
				"KEYHOLDER.pub -e ENDPOINT -E EPOCH [-n COUNT] "
				"[-b BATCH] [-x KIND] [-c]\n"
				"       kuska_thief strangers -p SERVER.pub -e "
				"ENDPOINT [-n COUNT] [-t TIMEOUT_MS] [-N]\n");
	return r;
}
