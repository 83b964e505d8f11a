/* instep.c - what a hello's proof of being in step signs; see instep.h. */
#include "instep.h"

#include <string.h>

_Static_assert(CODEC_HASH_LEN == SIGN_DIGEST_LEN,
	       "a check point's hash is an envelope's sign_digest");

void
in_step_fields(struct in_step *p, const struct msg *m,
	       const uint8_t key_id[KEY_ID_LEN],
	       const uint8_t digest[SIGN_DIGEST_LEN],
	       const uint8_t cons_pk[CURVE_KEY_LEN])
{
	memcpy(p->ev, m->outbox_id, CODEC_OUTBOX_ID_LEN);
	memcpy(p->ev + CODEC_OUTBOX_ID_LEN, digest, SIGN_DIGEST_LEN);
	memcpy(p->ev + CODEC_OUTBOX_ID_LEN + SIGN_DIGEST_LEN, cons_pk,
	       CURVE_KEY_LEN);
	memset(&p->f, 0, sizeof(p->f));
	p->f.network = m->network;
	p->f.version = m->version;
	p->f.institution = (uint8_t)m->inst;
	p->f.seq = m->outbox_last_seq;
	p->f.created_ms = m->now_ms;
	memcpy(p->f.key_id, key_id, KEY_ID_LEN);
	p->f.event = p->ev;
	p->f.event_len = sizeof(p->ev);
}
