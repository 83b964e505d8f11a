/*
 * fuzz_envelope.c - what a consolidator does with one envelope from a
 * peer: codec_envelope_decode(), sign_verify() against the registered
 * key, codec_event_decode() of the signed bytes, and ingest_check()
 * against a small registry (written to a temporary file on the first
 * call). Bytes that are no envelope go to codec_event_decode() as they
 * are, so the event decoder sees raw input too.
 *
 * A signature cannot be forged by mutation, so each decoded envelope is
 * also signed again with the key its key id names (or its institution's)
 * and checked once more: that takes mutated events past the signature
 * check into the registry's rules.
 *
 * Invariants (abort() when broken): decoded fields are in range and
 * survive an encode/decode round trip; a decoded event passes
 * event_check() and encodes back to bytes that decode to the same
 * encoding; every refusal carries a reason text; an envelope that
 * ingest_check() accepts verifies; one signed again never fails for its
 * signature.
 *
 * The signing keys come from crypto_sign_seed_keypair() over fixed
 * seeds, so the seed corpus (corpus/envelope/) holds envelopes that
 * verify; tests/tools/kuska_reseal.c signs them again when the signed
 * message changes. With KUSKA_FUZZ_VERBOSE set, each input's verdict is
 * printed (to check the seeds say what their names say). That is why this
 * target includes sodium.h itself: lib/ has no call to derive a key from a
 * seed, and a test may reach past it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "codec.h"
#include "date.h"
#include "event.h"
#include "ingest.h"
#include "keys.h"
#include "registry.h"
#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The registry's network; the seed corpus signs for it. */
#define FUZZ_NETWORK "fuzz-net"

/* Keys 1..5 belong to institutions 1..5; key 6 is pnp's old key. */
#define N_KEYS 7
#define KEY_PNP_OLD 6

struct fixed_key {
	uint8_t pk[SIGN_PK_LEN];
	uint8_t sk[SIGN_SK_LEN];
	uint8_t key_id[KEY_ID_LEN];
	enum institution owner;
};

static struct fixed_key keys[N_KEYS];
static struct registry *reg;
static char tmp_dir[64];
static char reg_path[128];

/* The signing pair of fixed key n (the seed corpus generator agrees). */
static void
fixed_keypair(unsigned n, struct fixed_key *k)
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	memset(seed, 0, sizeof(seed));
	snprintf((char *)seed, sizeof(seed), "kuska fuzz key %u", n);
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	keys_key_id(k->pk, k->key_id);
}

static void
cleanup(void)
{
	registry_free(&reg);
	if (reg_path[0] != '\0')
		unlink(reg_path);
	if (tmp_dir[0] != '\0')
		rmdir(tmp_dir);
}

static void
write_key(FILE *f, const char *name, const char *owner, unsigned n,
	  const char *extra)
{
	char b_sign[64], b_curve[64];
	uint8_t curve[CURVE_KEY_LEN];

	memset(curve, (int)n, sizeof(curve));
	keys_b64(keys[n].pk, SIGN_PK_LEN, b_sign, sizeof(b_sign));
	keys_b64(curve, CURVE_KEY_LEN, b_curve, sizeof(b_curve));
	fprintf(f,
		"[key %s]\nowner = %s\nsign_public = %s\n"
		"transport_public = %s\n%s\n",
		name, owner, b_sign, b_curve, extra);
}

/*
 * The registry: every institution with its default grants except mimp,
 * which may not withdraw; pnp has a second key, valid only in the first
 * half of 2026 and revoked on 1 March.
 */
static void
setup(void)
{
	char err[512];
	FILE *f;
	int i;

	if (keys_init() != 0)
		abort();
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/kuska-fuzz-XXXXXX",
		 getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 40
		     ? getenv("TMPDIR")
		     : "/tmp");
	if (mkdtemp(tmp_dir) == NULL) {
		tmp_dir[0] = '\0';
		abort();
	}
	atexit(cleanup);
	for (i = 1; i < N_KEYS; i++) {
		fixed_keypair((unsigned)i, &keys[i]);
		keys[i].owner =
		    i == KEY_PNP_OLD ? INST_PNP : (enum institution)i;
	}
	snprintf(reg_path, sizeof(reg_path), "%s/registry.conf", tmp_dir);
	f = fopen(reg_path, "w");
	if (f == NULL)
		abort();
	fprintf(f, "[network " FUZZ_NETWORK "]\n"
		   "[institution pnp]\n[institution mp]\n[institution pj]\n"
		   "[institution mimp]\nkinds = identification referral "
		   "referral_received service correction\n"
		   "[institution minsa]\n"
		   "[client secretariat]\nrole = secretariat\n");
	for (i = 1; i <= INST_COUNT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%s-1",
			 institution_name((enum institution)i));
		write_key(f, name, institution_name((enum institution)i),
			  (unsigned)i, "");
	}
	write_key(f, "pnp-0", "pnp", KEY_PNP_OLD,
		  "valid_from = 2025-01-01\nvalid_until = 2026-07-01\n"
		  "revoked = 2026-03-01T12:00:00Z");
	if (fclose(f) != 0 ||
	    registry_load(reg_path, &reg, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_envelope: %s\n", err);
		abort();
	}
}

static void
fields_of(const struct envelope *env, struct sign_fields *f)
{
	f->network = env->network;
	f->version = env->version;
	f->institution = (uint8_t)env->inst;
	f->seq = env->seq;
	f->created_ms = env->created_ms;
	memcpy(f->key_id, env->key_id, KEY_ID_LEN);
	f->event = env->event;
	f->event_len = env->event_len;
}

/* The fixed key env names by key id, else its institution's. */
static const struct fixed_key *
key_for(const struct envelope *env)
{
	int i;

	for (i = 1; i < N_KEYS; i++)
		if (memcmp(keys[i].key_id, env->key_id, KEY_ID_LEN) == 0)
			return &keys[i];
	return &keys[env->inst];
}

/* An event decoder's result must re-encode stably. */
static void
check_event(const uint8_t *buf, size_t len)
{
	static struct event ev, ev2;
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t l1, l2;

	if (codec_event_decode(buf, len, &ev) != 0)
		return;
	if (event_check(&ev, NULL) != 0)
		abort();
	if (codec_event_encode(&ev, &b1, &l1) != 0)
		abort();
	if (codec_event_decode(b1, l1, &ev2) != 0 ||
	    codec_event_encode(&ev2, &b2, &l2) != 0)
		abort();
	if (l1 != l2 || memcmp(b1, b2, l1) != 0)
		abort();
	free(b1);
	free(b2);
}

/* Decoded fields in range, and the same after encoding and decoding. */
static void
check_round_trip(const struct envelope *env)
{
	struct envelope env2;
	uint8_t *buf;
	size_t len;

	if (env->inst < INST_PNP || env->inst > INST_MINSA || env->seq == 0 ||
	    env->event_len > CODEC_MAX_EVENT)
		abort();
	if (codec_envelope_encode(env, &buf, &len) != 0)
		abort();
	if (codec_envelope_decode(buf, len, &env2) != 0)
		abort();
	if (env2.version != env->version || env2.inst != env->inst ||
	    env2.seq != env->seq || env2.created_ms != env->created_ms ||
	    memcmp(env2.key_id, env->key_id, KEY_ID_LEN) != 0 ||
	    memcmp(env2.signature, env->signature, SIGNATURE_LEN) != 0 ||
	    env2.event_len != env->event_len ||
	    strcmp(env2.network, env->network) != 0 ||
	    (env->event_len > 0 &&
	     memcmp(env2.event, env->event, env->event_len) != 0))
		abort();
	codec_envelope_clear(&env2);
	free(buf);
}

/* ingest_check, with the invariants every answer must keep. */
static enum reason
check_ingest(const struct reg_party *speaker, const struct envelope *env)
{
	static struct event ev;
	char why[256];
	enum reason r;
	int err = 0;

	why[0] = '\0';
	r = ingest_check(reg, speaker, env, &ev, why, sizeof(why), &err);
	if (err != 0 && err != -ENOMEM)
		abort();
	if ((unsigned)r >= REASON_COUNT)
		abort();
	if (r != REASON_NONE && why[0] == '\0')
		abort();
	if (r == REASON_NONE && event_check(&ev, NULL) != 0)
		abort();
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct reg_party *speaker;
	const struct fixed_key *k;
	struct envelope env;
	struct sign_fields f;
	enum reason r;
	int verified;

	if (reg == NULL)
		setup();
	if (codec_envelope_decode(data, size, &env) != 0) {
		check_event(data, size);
		return 0;
	}
	check_round_trip(&env);
	check_event(env.event, env.event_len);

	k = key_for(&env);
	fields_of(&env, &f);
	verified = sign_verify(k->pk, &f, env.signature);
	speaker = registry_institution(reg, env.inst);
	if (speaker == NULL)
		abort(); /* the registry names all five */
	r = check_ingest(speaker, &env);
	if (r == REASON_NONE && verified != 0)
		abort();
	if (getenv("KUSKA_FUZZ_VERBOSE") != NULL)
		printf("verdict %s\n", reason_name(r));

	/* Signed again by the key it names: past the signature check. */
	if (sign_envelope(k->sk, &f, env.signature) == 0) {
		r = check_ingest(speaker, &env);
		if (r == REASON_BAD_SIGNATURE)
			abort();
	}
	codec_envelope_clear(&env);
	return 0;
}
