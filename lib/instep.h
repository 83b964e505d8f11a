/*
 * instep.h - what a hello's proof of being in step signs.
 *
 * A node whose outbox ends where the consolidator's copy does says so in
 * its hello, signed (sign_in_step); the consolidator checks it before it
 * clears an institution's DIVERGED mark. Both sides, and the test tools,
 * lay the signed fields out here, so that they cannot drift apart.
 */
#ifndef KUSKA_INSTEP_H
#define KUSKA_INSTEP_H

#include <stdint.h>

#include "codec.h"
#include "keys.h"
#include "sign.h"

/* The proof's "event": outbox id, last envelope's digest, our key. */
#define IN_STEP_EVENT_LEN                                                      \
	(CODEC_OUTBOX_ID_LEN + SIGN_DIGEST_LEN + CURVE_KEY_LEN)

struct in_step {
	uint8_t ev[IN_STEP_EVENT_LEN];
	struct sign_fields f; /* f.event points at ev: never copied */
};

/*
 * in_step_fields - fills p with what a proof in hello m, by the key
 * key_id, signs: m's network, version, institution, outbox_last_seq and
 * now_ms; then its outbox_id, digest (sign_digest of the outbox's last
 * envelope) and cons_pk, the CURVE public key of the consolidator the
 * proof is for (a proof for one consolidator is none for another).
 */
void in_step_fields(struct in_step *p, const struct msg *m,
		    const uint8_t key_id[KEY_ID_LEN],
		    const uint8_t digest[SIGN_DIGEST_LEN],
		    const uint8_t cons_pk[CURVE_KEY_LEN]);

#endif
