/*
 * oprf.c - RFC 9497 OPRF, mode 0x00, ristretto255-SHA512; see oprf.h.
 *
 * HashToGroup is hash_to_ristretto255 of RFC 9380: expand_message_xmd
 * with SHA-512 to 64 uniform bytes, then libsodium's
 * crypto_core_ristretto255_from_hash (the one-way map of RFC 9496).
 * HashToScalar (used by DeriveKeyPair) reduces 64 uniform bytes modulo
 * the group order.
 */
#include "oprf.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

/* contextString = "OPRFV1-" || I2OSP(modeOPRF, 1) || "-" || identifier */
#define CONTEXT "OPRFV1-\x00-ristretto255-SHA512"
#define CONTEXT_LEN (sizeof(CONTEXT) - 1)

static const uint8_t dst_hash_to_group[] = "HashToGroup-" CONTEXT;
static const uint8_t dst_derive_key[] = "DeriveKeyPair" CONTEXT;

/* The group order, little-endian: 2^252 +
 * 27742317777372353535851937790883648493. */
static const uint8_t order[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
    0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

int
oprf_scalar_valid(const uint8_t s[OPRF_SCALAR_LEN])
{
	unsigned below = 0, equal = 1;
	int i;

	/* From the top byte down, without branching on the secret: below
	 * becomes 1 at the first byte where s is smaller than the order. */
	for (i = OPRF_SCALAR_LEN - 1; i >= 0; i--) {
		unsigned a = s[i], b = order[i];
		below |= equal & (((a - b) >> 8) & 1);
		equal &= (((a ^ b) - 1) >> 8) & 1;
	}
	return (int)below & !sodium_is_zero(s, OPRF_SCALAR_LEN);
}

int
oprf_element_valid(const uint8_t e[OPRF_ELEMENT_LEN])
{
	return crypto_core_ristretto255_is_valid_point(e) == 1 &&
	       !sodium_is_zero(e, OPRF_ELEMENT_LEN);
}

int
oprf_expand_xmd(const uint8_t *msg, size_t len, const uint8_t *dst,
		size_t dst_len, uint8_t *out, size_t out_len)
{
	static const uint8_t zpad[128]; /* one SHA-512 block of zeros */
	crypto_hash_sha512_state st;
	uint8_t b0[64], bi[64], lib[2], dl, zero = 0, idx;
	size_t ell, i, j, done = 0;

	if (dst_len > 255 || out_len == 0 || out_len > 255 * 64)
		return -EINVAL;
	ell = (out_len + 63) / 64;
	lib[0] = (uint8_t)(out_len >> 8);
	lib[1] = (uint8_t)out_len;
	dl = (uint8_t)dst_len;
	/* b_0 = H(Z_pad || msg || I2OSP(len_in_bytes, 2) || 0 || DST') */
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, zpad, sizeof(zpad));
	crypto_hash_sha512_update(&st, msg, len);
	crypto_hash_sha512_update(&st, lib, 2);
	crypto_hash_sha512_update(&st, &zero, 1);
	crypto_hash_sha512_update(&st, dst, dst_len);
	crypto_hash_sha512_update(&st, &dl, 1);
	crypto_hash_sha512_final(&st, b0);
	/* b_i = H((b_0 xor b_(i-1)) || I2OSP(i, 1) || DST'), b_0 xor b_0
	 * read as b_0 itself for i = 1. */
	memset(bi, 0, sizeof(bi));
	for (i = 1; i <= ell; i++) {
		uint8_t x[64];
		for (j = 0; j < 64; j++)
			x[j] = (uint8_t)(b0[j] ^ bi[j]);
		idx = (uint8_t)i;
		crypto_hash_sha512_init(&st);
		crypto_hash_sha512_update(&st, x, sizeof(x));
		crypto_hash_sha512_update(&st, &idx, 1);
		crypto_hash_sha512_update(&st, dst, dst_len);
		crypto_hash_sha512_update(&st, &dl, 1);
		crypto_hash_sha512_final(&st, bi);
		sodium_memzero(x, sizeof(x));
		j = out_len - done < 64 ? out_len - done : 64;
		memcpy(out + done, bi, j);
		done += j;
	}
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(b0, sizeof(b0));
	sodium_memzero(bi, sizeof(bi));
	return 0;
}

/* hash_to_group - HashToGroup(input); -EINVAL for the identity. */
static int
hash_to_group(const uint8_t *input, size_t len, uint8_t out[OPRF_ELEMENT_LEN])
{
	uint8_t u[64];
	int r;

	r = oprf_expand_xmd(input, len, dst_hash_to_group,
			    sizeof(dst_hash_to_group) - 1, u, sizeof(u));
	if (r == 0)
		crypto_core_ristretto255_from_hash(out, u);
	sodium_memzero(u, sizeof(u));
	if (r == 0 && sodium_is_zero(out, OPRF_ELEMENT_LEN))
		r = -EINVAL;
	return r;
}

int
oprf_blind_with(const uint8_t *input, size_t len,
		const uint8_t blind[OPRF_SCALAR_LEN],
		uint8_t blinded[OPRF_ELEMENT_LEN])
{
	uint8_t p[OPRF_ELEMENT_LEN];
	int r;

	if (len > OPRF_MAX_INPUT || !oprf_scalar_valid(blind))
		return -EINVAL;
	r = hash_to_group(input, len, p);
	if (r == 0 && crypto_scalarmult_ristretto255(blinded, blind, p) != 0)
		r = -EINVAL;
	sodium_memzero(p, sizeof(p));
	return r;
}

int
oprf_blind(const uint8_t *input, size_t len, uint8_t blind[OPRF_SCALAR_LEN],
	   uint8_t blinded[OPRF_ELEMENT_LEN])
{
	crypto_core_ristretto255_scalar_random(blind);
	return oprf_blind_with(input, len, blind, blinded);
}

int
oprf_evaluate(const uint8_t key[OPRF_SCALAR_LEN],
	      const uint8_t blinded[OPRF_ELEMENT_LEN],
	      uint8_t evaluated[OPRF_ELEMENT_LEN])
{
	/* libsodium refuses an invalid encoding and an identity result. */
	if (crypto_scalarmult_ristretto255(evaluated, key, blinded) != 0)
		return -EINVAL;
	return 0;
}

/* finish - output = Hash(len || input || 32 || element || "Finalize"). */
static void
finish(const uint8_t *input, size_t len, const uint8_t n[OPRF_ELEMENT_LEN],
       uint8_t out[OPRF_OUTPUT_LEN])
{
	static const uint8_t label[] = "Finalize";
	crypto_hash_sha512_state st;
	uint8_t l[2];

	crypto_hash_sha512_init(&st);
	l[0] = (uint8_t)(len >> 8);
	l[1] = (uint8_t)len;
	crypto_hash_sha512_update(&st, l, 2);
	crypto_hash_sha512_update(&st, input, len);
	l[0] = 0;
	l[1] = OPRF_ELEMENT_LEN;
	crypto_hash_sha512_update(&st, l, 2);
	crypto_hash_sha512_update(&st, n, OPRF_ELEMENT_LEN);
	crypto_hash_sha512_update(&st, label, sizeof(label) - 1);
	crypto_hash_sha512_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

int
oprf_finalize_batch(size_t n, const uint8_t *const *inputs, const size_t *lens,
		    const uint8_t *blinds, const uint8_t *evaluated,
		    uint8_t *out, uint8_t *scratch)
{
	uint8_t *prefix, inv[OPRF_SCALAR_LEN], inv_i[OPRF_SCALAR_LEN];
	uint8_t elem[OPRF_ELEMENT_LEN];
	size_t i;
	int r = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (lens[i] > OPRF_MAX_INPUT ||
		    !oprf_scalar_valid(blinds + OPRF_SCALAR_LEN * i))
			return -EINVAL;
	/* Montgomery's trick: prefix[i] = blind_0 * ... * blind_i, one
	 * inversion of the whole product, then each inverse on the way
	 * back: inv(blind_i) = inv(prefix[i]) * prefix[i-1]. */
	prefix = scratch != NULL ? scratch : sodium_malloc(n * OPRF_SCALAR_LEN);
	if (prefix == NULL)
		return -ENOMEM;
	memcpy(prefix, blinds, OPRF_SCALAR_LEN);
	for (i = 1; i < n; i++)
		crypto_core_ristretto255_scalar_mul(
		    prefix + OPRF_SCALAR_LEN * i,
		    prefix + OPRF_SCALAR_LEN * (i - 1),
		    blinds + OPRF_SCALAR_LEN * i);
	if (crypto_core_ristretto255_scalar_invert(
		inv, prefix + OPRF_SCALAR_LEN * (n - 1)) != 0) {
		r = -EINVAL;
		goto out;
	}
	for (i = n; i-- > 0;) {
		if (i > 0) {
			crypto_core_ristretto255_scalar_mul(
			    inv_i, inv, prefix + OPRF_SCALAR_LEN * (i - 1));
			crypto_core_ristretto255_scalar_mul(
			    inv, inv, blinds + OPRF_SCALAR_LEN * i);
		} else {
			memcpy(inv_i, inv, OPRF_SCALAR_LEN);
		}
		if (crypto_scalarmult_ristretto255(
			elem, inv_i, evaluated + OPRF_ELEMENT_LEN * i) != 0) {
			r = -EINVAL;
			goto out;
		}
		finish(inputs[i], lens[i], elem, out + OPRF_OUTPUT_LEN * i);
	}
out:
	if (scratch != NULL)
		sodium_memzero(scratch, n * OPRF_SCALAR_LEN);
	else
		sodium_free(prefix); /* wipes */
	sodium_memzero(inv, sizeof(inv));
	sodium_memzero(inv_i, sizeof(inv_i));
	sodium_memzero(elem, sizeof(elem));
	return r;
}

int
oprf_finalize(const uint8_t *input, size_t len,
	      const uint8_t blind[OPRF_SCALAR_LEN],
	      const uint8_t evaluated[OPRF_ELEMENT_LEN],
	      uint8_t out[OPRF_OUTPUT_LEN])
{
	return oprf_finalize_batch(1, &input, &len, blind, evaluated, out,
				   NULL);
}

int
oprf_element_add(const uint8_t a[OPRF_ELEMENT_LEN],
		 const uint8_t b[OPRF_ELEMENT_LEN],
		 uint8_t out[OPRF_ELEMENT_LEN])
{
	return crypto_core_ristretto255_add(out, a, b) == 0 ? 0 : -EINVAL;
}

void
oprf_key_generate(uint8_t key[OPRF_SCALAR_LEN])
{
	crypto_core_ristretto255_scalar_random(key);
}

void
oprf_key_add(const uint8_t a[OPRF_SCALAR_LEN], const uint8_t b[OPRF_SCALAR_LEN],
	     uint8_t out[OPRF_SCALAR_LEN])
{
	crypto_core_ristretto255_scalar_add(out, a, b);
}

int
oprf_key_derive(const uint8_t seed[OPRF_SCALAR_LEN], const uint8_t *info,
		size_t info_len, uint8_t key[OPRF_SCALAR_LEN])
{
	uint8_t *in, u[64];
	size_t len = OPRF_SCALAR_LEN + 2 + info_len + 1;
	int counter, r = -EINVAL;

	if (info_len > 65535)
		return -EINVAL;
	in = sodium_malloc(len);
	if (in == NULL)
		return -ENOMEM;
	/* deriveInput = seed || I2OSP(len(info), 2) || info, then the
	 * counter byte. */
	memcpy(in, seed, OPRF_SCALAR_LEN);
	in[OPRF_SCALAR_LEN] = (uint8_t)(info_len >> 8);
	in[OPRF_SCALAR_LEN + 1] = (uint8_t)info_len;
	if (info_len > 0)
		memcpy(in + OPRF_SCALAR_LEN + 2, info, info_len);
	for (counter = 0; counter <= 255; counter++) {
		in[len - 1] = (uint8_t)counter;
		if (oprf_expand_xmd(in, len, dst_derive_key,
				    sizeof(dst_derive_key) - 1, u,
				    sizeof(u)) != 0)
			break;
		crypto_core_ristretto255_scalar_reduce(key, u);
		if (!sodium_is_zero(key, OPRF_SCALAR_LEN)) {
			r = 0;
			break;
		}
	}
	sodium_free(in);
	sodium_memzero(u, sizeof(u));
	return r;
}
