/*
 * sign.h - Ed25519 signatures over envelopes. This is the one place that
 * lays out the signed message.
 *
 * The signed message is domain-separated and binds every envelope field:
 *	"kuska/envelope/v2" NUL
 *	network length (1 byte) network (that many bytes)
 *	version (4 bytes BE) institution (1) seq (8 BE) created_ms (8 BE)
 *	key_id (8) event length (4 BE) event bytes
 * so a signature made for one network (deployment), institution,
 * sequence number or schema version cannot be replayed under another:
 * a test network made from production keys cannot feed production, nor
 * the other way round.
 */
#ifndef KUSKA_SIGN_H
#define KUSKA_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define SIGN_MAX_EVENT (64 * 1024) /* largest event that can be signed */
#define SIGN_MAX_NETWORK 31	   /* longest network name */

struct sign_fields {
	const char *network; /* the registry's [network NAME]; 1..31 bytes */
	uint32_t version;
	uint8_t institution;
	uint64_t seq;
	uint64_t created_ms;
	uint8_t key_id[KEY_ID_LEN];
	const uint8_t *event;
	size_t event_len;
};

/*
 * sign_envelope - signs f with sk into sig. Returns 0, -EMSGSIZE (event
 * over SIGN_MAX_EVENT) or -EINVAL (network missing, empty or too long).
 */
int sign_envelope(const uint8_t sk[SIGN_SK_LEN], const struct sign_fields *f,
		  uint8_t sig[SIGNATURE_LEN])
    __attribute__((warn_unused_result));

/*
 * sign_verify - checks sig over f with pk. Returns 0, -EBADMSG for a bad
 * signature, -EMSGSIZE for an event over SIGN_MAX_EVENT, -EINVAL for a
 * network missing, empty or too long.
 */
int sign_verify(const uint8_t pk[SIGN_PK_LEN], const struct sign_fields *f,
		const uint8_t sig[SIGNATURE_LEN])
    __attribute__((warn_unused_result));

/*
 * sign_in_step - signs, as sign_envelope does but in a domain of its own
 * (neither signature stands for the other), a hello's proof that the
 * node's outbox ends where the consolidator's copy does: f->seq its last
 * sequence, f->created_ms the hello's clock, f->event its outbox id, the
 * sign_digest of its last envelope and the consolidator's CURVE public
 * key (a proof for one consolidator is none for another). sign_in_step_verify
 * checks it. Same returns as sign_envelope and sign_verify.
 */
int sign_in_step(const uint8_t sk[SIGN_SK_LEN], const struct sign_fields *f,
		 uint8_t sig[SIGNATURE_LEN])
    __attribute__((warn_unused_result));
int sign_in_step_verify(const uint8_t pk[SIGN_PK_LEN],
			const struct sign_fields *f,
			const uint8_t sig[SIGNATURE_LEN])
    __attribute__((warn_unused_result));

#define SIGN_DIGEST_LEN 32 /* sign_digest's BLAKE2b-256 */

/*
 * sign_digest - unkeyed BLAKE2b-256 of buf: tells whether a resubmitted
 * record is the one already held under its ref.
 */
void sign_digest(const uint8_t *buf, size_t len, uint8_t out[SIGN_DIGEST_LEN]);

#endif
