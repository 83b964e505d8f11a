/*
 * oprf.h - the oblivious pseudorandom function of RFC 9497, mode OPRF
 * (0x00), suite ristretto255-SHA512, on libsodium's ristretto255.
 *
 * The client (a node) blinds its private input x into
 *	B = r * HashToGroup(x)		(r a fresh random scalar)
 * and sends B; the server (a key holder) answers E = k * B without
 * learning x; the client finalizes
 *	output = SHA-512(len(x) || x || 32 || encode(r^-1 * E) || "Finalize")
 * which equals the PRF of x under k. With the key split into additive
 * shares k = k1 + ... + kn, each holder answers Ei = ki * B and the client
 * adds them (oprf_element_add): sum Ei = k * B. No party ever needs k.
 *
 * Scalars (keys, shares, blinds) are 32 bytes little-endian, canonical
 * (below the group order); elements are 32-byte ristretto255 encodings.
 * The caller keeps every scalar and every input in sodium_malloc()
 * memory and wipes it; this module wipes its own temporaries.
 */
#ifndef KUSKA_OPRF_H
#define KUSKA_OPRF_H

#include <stddef.h>
#include <stdint.h>

#define OPRF_SCALAR_LEN 32
#define OPRF_ELEMENT_LEN 32
#define OPRF_OUTPUT_LEN 64   /* SHA-512 */
#define OPRF_MAX_INPUT 65535 /* RFC 9497, "Input Limits" */

/*
 * oprf_blind_with - Blind(input) with the given blind scalar (tests use
 * the RFC's; oprf_blind draws a fresh one). Writes the blinded element.
 * Returns 0, -EINVAL if input is longer than OPRF_MAX_INPUT, the blind is
 * not a canonical non-zero scalar, or the input hashes to the identity.
 */
int oprf_blind_with(const uint8_t *input, size_t len,
		    const uint8_t blind[OPRF_SCALAR_LEN],
		    uint8_t blinded[OPRF_ELEMENT_LEN])
    __attribute__((warn_unused_result));

/* oprf_blind - draws a random blind into blind, then as oprf_blind_with. */
int oprf_blind(const uint8_t *input, size_t len, uint8_t blind[OPRF_SCALAR_LEN],
	       uint8_t blinded[OPRF_ELEMENT_LEN])
    __attribute__((warn_unused_result));

/*
 * oprf_evaluate - BlindEvaluate: evaluated = key * blinded. Returns 0, or
 * -EINVAL when blinded is not a valid encoding, is the identity, or the
 * result would be the identity (a zero or foreign key).
 */
int oprf_evaluate(const uint8_t key[OPRF_SCALAR_LEN],
		  const uint8_t blinded[OPRF_ELEMENT_LEN],
		  uint8_t evaluated[OPRF_ELEMENT_LEN])
    __attribute__((warn_unused_result));

/*
 * oprf_finalize - Finalize(input, blind, evaluated) into out. Returns 0
 * or -EINVAL (input too long, evaluated not a valid non-identity element,
 * blind zero).
 */
int oprf_finalize(const uint8_t *input, size_t len,
		  const uint8_t blind[OPRF_SCALAR_LEN],
		  const uint8_t evaluated[OPRF_ELEMENT_LEN],
		  uint8_t out[OPRF_OUTPUT_LEN])
    __attribute__((warn_unused_result));

/*
 * oprf_finalize_batch - oprf_finalize for n inputs at once, with one
 * scalar inversion for all (Montgomery's trick). inputs[i] (lens[i]
 * bytes), blinds + 32 i, evaluated + 32 i, out + 64 i. scratch is n * 32
 * bytes of the caller's secret memory for the partial products (wiped
 * before return), or NULL to have it allocated. Returns 0, or the first
 * error (outputs are then undefined), or -ENOMEM.
 */
int oprf_finalize_batch(size_t n, const uint8_t *const *inputs,
			const size_t *lens, const uint8_t *blinds,
			const uint8_t *evaluated, uint8_t *out,
			uint8_t *scratch) __attribute__((warn_unused_result));

/*
 * oprf_element_add - out = a + b, for adding the holders' answers.
 * Returns 0 or -EINVAL (an invalid encoding).
 */
int oprf_element_add(const uint8_t a[OPRF_ELEMENT_LEN],
		     const uint8_t b[OPRF_ELEMENT_LEN],
		     uint8_t out[OPRF_ELEMENT_LEN])
    __attribute__((warn_unused_result));

/* oprf_element_valid - 1 if e is a valid, non-identity element, else 0. */
int oprf_element_valid(const uint8_t e[OPRF_ELEMENT_LEN]);

/* oprf_scalar_valid - 1 if s is a canonical, non-zero scalar, else 0. */
int oprf_scalar_valid(const uint8_t s[OPRF_SCALAR_LEN]);

/* oprf_key_generate - a uniformly random non-zero scalar (a key share). */
void oprf_key_generate(uint8_t key[OPRF_SCALAR_LEN]);

/*
 * oprf_key_derive - DeriveKeyPair(seed, info) of RFC 9497: the secret
 * scalar only. Returns 0, or -EINVAL (info longer than 65535 bytes, or
 * no key after 256 tries, which does not happen).
 */
int oprf_key_derive(const uint8_t seed[OPRF_SCALAR_LEN], const uint8_t *info,
		    size_t info_len, uint8_t key[OPRF_SCALAR_LEN])
    __attribute__((warn_unused_result));

/* oprf_key_add - out = a + b mod the group order (shares into a key). */
void oprf_key_add(const uint8_t a[OPRF_SCALAR_LEN],
		  const uint8_t b[OPRF_SCALAR_LEN],
		  uint8_t out[OPRF_SCALAR_LEN]);

/*
 * oprf_expand_xmd - expand_message_xmd of RFC 9380 with SHA-512: out_len
 * uniform bytes from msg under the domain tag dst. Exposed for its test
 * vectors. Returns 0 or -EINVAL (dst over 255 bytes, out_len 0 or over
 * 255 * 64).
 */
int oprf_expand_xmd(const uint8_t *msg, size_t len, const uint8_t *dst,
		    size_t dst_len, uint8_t *out, size_t out_len)
    __attribute__((warn_unused_result));

#endif
