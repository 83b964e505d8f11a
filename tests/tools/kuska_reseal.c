/*
 * kuska_reseal - signs the envelope seeds of the fuzz corpus again, for
 * the signed message lib/sign.c lays out now. Run it after that message
 * changes (a new tag, a new field) and commit the files it rewrote:
 *
 *	build/kuska_reseal fuzz-net tests/fuzz/corpus/envelope/ *
 *
 * Each file that decodes as an envelope gets the network given (the one
 * of fuzz_envelope.c's registry), the current CODEC_VERSION (a file
 * named bad_version* gets CODEC_VERSION + 1 instead) and a signature by
 * the fixed key its key id names: the keys of fuzz_envelope.c,
 * crypto_sign_seed_keypair over "kuska fuzz key N", N from 1 to 6. A
 * file named bad_signature* then has one bit of its signature flipped.
 * Files that are not envelopes (raw events) are left alone. One line per
 * file says what was done; exit status 0, or 1 if a file could not be
 * read, signed or written.
 *
 * Like fuzz_envelope.c, this includes sodium.h itself: lib/ has no call
 * to derive a key from a seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "keys.h"
#include "sign.h"

#define N_FIXED 7

struct fixed_key {
	uint8_t pk[SIGN_PK_LEN], sk[SIGN_SK_LEN], key_id[KEY_ID_LEN];
};

static struct fixed_key fixed[N_FIXED];

static int
read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(CODEC_MAX_ENVELOPE + 1);
	size_t n;

	if (f == NULL || buf == NULL) {
		if (f != NULL)
			fclose(f);
		free(buf);
		return -errno;
	}
	n = fread(buf, 1, CODEC_MAX_ENVELOPE + 1, f);
	fclose(f);
	*ret = buf;
	*ret_len = n;
	return 0;
}

static int
write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -errno;
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/* Signs one seed again; returns 0, 1 when it is no envelope, or <0. */
static int
reseal(const char *path, const char *network)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct envelope env;
	struct sign_fields f;
	uint8_t *buf = NULL, *out;
	size_t len = 0, out_len;
	unsigned n;
	int r;

	r = read_file(path, &buf, &len);
	if (r != 0)
		return r;
	r = codec_envelope_decode(buf, len, &env);
	free(buf);
	if (r != 0)
		return 1;
	for (n = 1; n < N_FIXED; n++)
		if (memcmp(fixed[n].key_id, env.key_id, KEY_ID_LEN) == 0)
			break;
	if (n == N_FIXED)
		n = (unsigned)env.inst; /* a key id no fixed key has */
	snprintf(env.network, sizeof(env.network), "%s", network);
	env.version = strncmp(base, "bad_version", 11) == 0 ? CODEC_VERSION + 1
							    : CODEC_VERSION;
	f.network = env.network;
	f.version = env.version;
	f.institution = (uint8_t)env.inst;
	f.seq = env.seq;
	f.created_ms = env.created_ms;
	memcpy(f.key_id, env.key_id, KEY_ID_LEN);
	f.event = env.event;
	f.event_len = env.event_len;
	r = sign_envelope(fixed[n].sk, &f, env.signature);
	if (r == 0 && strncmp(base, "bad_signature", 13) == 0)
		env.signature[17] ^= 0x04;
	if (r == 0)
		r = codec_envelope_encode(&env, &out, &out_len);
	if (r == 0) {
		r = write_file(path, out, out_len);
		free(out);
	}
	if (r == 0)
		printf("%s: %s seq %llu version %u, signed by fuzz key %u\n",
		       base, institution_name(env.inst),
		       (unsigned long long)env.seq, env.version, n);
	codec_envelope_clear(&env);
	return r;
}

int
main(int argc, char **argv)
{
	int i, status = 0;
	unsigned n;

	if (argc < 3) {
		fprintf(stderr, "usage: kuska_reseal NETWORK FILE...\n");
		return 2;
	}
	if (keys_init() != 0)
		return 1;
	for (n = 1; n < N_FIXED; n++) {
		uint8_t seed[crypto_sign_SEEDBYTES];
		memset(seed, 0, sizeof(seed));
		snprintf((char *)seed, sizeof(seed), "kuska fuzz key %u", n);
		crypto_sign_seed_keypair(fixed[n].pk, fixed[n].sk, seed);
		keys_key_id(fixed[n].pk, fixed[n].key_id);
	}
	for (i = 2; i < argc; i++) {
		int r = reseal(argv[i], argv[1]);
		if (r == 1)
			printf("%s: not an envelope, left alone\n", argv[i]);
		else if (r < 0) {
			fprintf(stderr, "kuska_reseal: %s: %s\n", argv[i],
				strerror(-r));
			status = 1;
		}
	}
	return status;
}
