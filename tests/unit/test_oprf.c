/*
 * test_oprf.c - the OPRF (oprf.h) against the test vectors of RFC 9497,
 * Appendix A.1.1 (ristretto255-SHA512, OPRF mode) and RFC 9380,
 * Appendix K.3 (expand_message_xmd, SHA-512), plus what kuska relies on
 * beyond the RFC: additive key shares, batch finalization, refusals.
 *
 * Where the vectors come from: RFC 9497's appendix is generated from
 * the CFRG draft's repository (github.com/cfrg/draft-irtf-cfrg-voprf,
 * draft-irtf-cfrg-voprf.md, section "ristretto255-SHA512 / OPRF Mode",
 * commit 43da59f), whose values are copied below; the expand_message_xmd
 * values are RFC 9380's (DST "QUUX-V01-CS02-with-expander-SHA512-256").
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "oprf.h"

/* unhex - hex text into out; returns the number of bytes. */
static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (h[0] != '\0' && h[1] != '\0' && n < cap) {
		unsigned v;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static const char *seed_hex =
    "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
static const char *key_info_hex = "74657374206b6579"; /* "test key" */
static const char *sk_hex =
    "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e";

static const struct vector {
	const char *input, *blind, *blinded, *evaluated, *output;
} vectors[] = {
    {"00", "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706",
     "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c",
     "7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e",
     "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3"
     "ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6"},
    {"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
     "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706",
     "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418",
     "b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25",
     "f4a74c9c592497375e796aa837e907b1a045d34306a749db9f34221f7e750cb4"
     "f2a6413a6bf6fa5e19ba6348eb673934a722a7ede2e7621306d18951e7cf2c73"},
};

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* DeriveKeyPair(Seed, KeyInfo) gives the RFC's skSm. */
static void
test_derive_key(void **state)
{
	uint8_t seed[32], info[8], want[32], key[32];

	(void)state;
	unhex(seed_hex, seed, sizeof(seed));
	unhex(key_info_hex, info, sizeof(info));
	unhex(sk_hex, want, sizeof(want));
	assert_int_equal(oprf_key_derive(seed, info, sizeof(info), key), 0);
	assert_memory_equal(key, want, 32);
	assert_true(oprf_scalar_valid(key));
}

/* Blind, BlindEvaluate and Finalize give every value of both vectors. */
static void
test_rfc_vectors(void **state)
{
	uint8_t key[32], in[64], blind[32], want[64], got[64], e[32];
	size_t i, len;

	(void)state;
	unhex(sk_hex, key, sizeof(key));
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		uint8_t blinded[32];
		len = unhex(v->input, in, sizeof(in));
		unhex(v->blind, blind, sizeof(blind));
		assert_int_equal(oprf_blind_with(in, len, blind, blinded), 0);
		unhex(v->blinded, want, 32);
		assert_memory_equal(blinded, want, 32);
		assert_int_equal(oprf_evaluate(key, blinded, e), 0);
		unhex(v->evaluated, want, 32);
		assert_memory_equal(e, want, 32);
		assert_int_equal(oprf_finalize(in, len, blind, e, got), 0);
		unhex(v->output, want, 64);
		assert_memory_equal(got, want, 64);
	}
}

/* RFC 9380, K.3: expand_message_xmd(SHA-512), 32 bytes, "" and "abc". */
static void
test_expand_xmd(void **state)
{
	static const char dst[] = "QUUX-V01-CS02-with-expander-SHA512-256";
	uint8_t out[32], want[32], big[255 * 64 + 1];

	(void)state;
	assert_int_equal(oprf_expand_xmd((const uint8_t *)"", 0,
					 (const uint8_t *)dst, strlen(dst), out,
					 32),
			 0);
	unhex(
	    "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba",
	    want, 32);
	assert_memory_equal(out, want, 32);
	assert_int_equal(oprf_expand_xmd((const uint8_t *)"abc", 3,
					 (const uint8_t *)dst, strlen(dst), out,
					 32),
			 0);
	unhex(
	    "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc",
	    want, 32);
	assert_memory_equal(out, want, 32);
	/* Limits: no output, too much output, a DST over 255 bytes. */
	assert_int_equal(
	    oprf_expand_xmd(out, 1, (const uint8_t *)dst, 3, out, 0), -EINVAL);
	assert_int_equal(
	    oprf_expand_xmd(out, 1, (const uint8_t *)dst, 3, big, sizeof(big)),
	    -EINVAL);
	assert_int_equal(oprf_expand_xmd(out, 1, big, 256, out, 32), -EINVAL);
	assert_int_equal(
	    oprf_expand_xmd(out, 1, (const uint8_t *)dst, 3, big, 255 * 64), 0);
}

/*
 * Additive shares: holders evaluating with k1 and k2 and the node adding
 * their answers give the PRF under k1 + k2, and a random blind changes
 * nothing in the output.
 */
static void
test_shares(void **state)
{
	static const uint8_t in[] = "kuska/victim/doc/v2 DNI 73914826";
	uint8_t k1[32], k2[32], k[32], blind[32], b[32], e1[32], e2[32];
	uint8_t e[32], sum[32], out1[64], out2[64];

	(void)state;
	oprf_key_generate(k1);
	oprf_key_generate(k2);
	oprf_key_add(k1, k2, k);
	assert_int_equal(oprf_blind(in, sizeof(in), blind, b), 0);
	assert_int_equal(oprf_evaluate(k1, b, e1), 0);
	assert_int_equal(oprf_evaluate(k2, b, e2), 0);
	assert_int_equal(oprf_element_add(e1, e2, sum), 0);
	assert_int_equal(oprf_finalize(in, sizeof(in), blind, sum, out1), 0);
	assert_int_equal(oprf_blind(in, sizeof(in), blind, b), 0);
	assert_int_equal(oprf_evaluate(k, b, e), 0);
	assert_int_equal(oprf_finalize(in, sizeof(in), blind, e, out2), 0);
	assert_memory_equal(out1, out2, 64);
	/* One share alone gives something else. */
	assert_int_equal(oprf_blind(in, sizeof(in), blind, b), 0);
	assert_int_equal(oprf_evaluate(k1, b, e1), 0);
	assert_int_equal(oprf_finalize(in, sizeof(in), blind, e1, out2), 0);
	assert_memory_not_equal(out1, out2, 64);
}

/* The batch (one inversion) gives what one-by-one finalization gives. */
static void
test_batch(void **state)
{
	enum { N = 17 };
	uint8_t key[32], blinds[N * 32], ev[N * 32], out[N * 64], one[64];
	uint8_t out2[N * 64], scratch[N * 32];
	uint8_t inbuf[N][8], b[32];
	const uint8_t *inputs[N];
	size_t lens[N], i;

	(void)state;
	oprf_key_generate(key);
	for (i = 0; i < N; i++) {
		memset(inbuf[i], (int)i, sizeof(inbuf[i]));
		inputs[i] = inbuf[i];
		lens[i] = 1 + i % 8;
		assert_int_equal(
		    oprf_blind(inputs[i], lens[i], blinds + 32 * i, b), 0);
		assert_int_equal(oprf_evaluate(key, b, ev + 32 * i), 0);
	}
	assert_int_equal(
	    oprf_finalize_batch(N, inputs, lens, blinds, ev, out, NULL), 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(oprf_finalize(inputs[i], lens[i],
					       blinds + 32 * i, ev + 32 * i,
					       one),
				 0);
		assert_memory_equal(out + 64 * i, one, 64);
	}
	/* With the caller's scratch memory: the same, and it is wiped. */
	memset(scratch, 0xa5, sizeof(scratch));
	assert_int_equal(
	    oprf_finalize_batch(N, inputs, lens, blinds, ev, out2, scratch), 0);
	assert_memory_equal(out, out2, sizeof(out));
	assert_true(sodium_is_zero(scratch, sizeof(scratch)));
	assert_int_equal(
	    oprf_finalize_batch(0, inputs, lens, blinds, ev, out, NULL), 0);
}

/* What a peer may send wrong is refused, never trusted. */
static void
test_refusals(void **state)
{
	static const uint8_t in[] = "x";
	uint8_t key[32], zero[32] = {0}, bad[32], blind[32], b[32], e[32];
	uint8_t out[64], ord[32], big[OPRF_MAX_INPUT + 1];

	(void)state;
	oprf_key_generate(key);
	memset(bad, 0xff, sizeof(bad)); /* not a canonical encoding */
	assert_int_equal(oprf_evaluate(key, bad, e), -EINVAL);
	assert_int_equal(oprf_evaluate(key, zero, e), -EINVAL); /* identity */
	assert_false(oprf_element_valid(bad));
	assert_false(oprf_element_valid(zero));
	assert_int_equal(oprf_element_add(bad, bad, e), -EINVAL);
	assert_int_equal(oprf_blind(in, 1, blind, b), 0);
	assert_true(oprf_element_valid(b));
	assert_int_equal(oprf_finalize(in, 1, blind, bad, out), -EINVAL);
	assert_int_equal(oprf_finalize(in, 1, blind, zero, out), -EINVAL);
	assert_int_equal(oprf_finalize(in, 1, zero, b, out), -EINVAL);
	/* Scalars: zero, the order itself and anything above are refused. */
	unhex(
	    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
	    ord, 32);
	assert_false(oprf_scalar_valid(zero));
	assert_false(oprf_scalar_valid(ord));
	assert_false(oprf_scalar_valid(bad));
	ord[0]--; /* order - 1: the largest valid scalar */
	assert_true(oprf_scalar_valid(ord));
	assert_int_equal(oprf_blind_with(in, 1, zero, b), -EINVAL);
	memset(big, 'a', sizeof(big));
	assert_int_equal(oprf_blind(big, sizeof(big), blind, b), -EINVAL);
	assert_int_equal(oprf_blind(big, OPRF_MAX_INPUT, blind, b), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_derive_key),
	    cmocka_unit_test(test_rfc_vectors),
	    cmocka_unit_test(test_expand_xmd),
	    cmocka_unit_test(test_shares),
	    cmocka_unit_test(test_batch),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
