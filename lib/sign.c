/* sign.c - domain-separated Ed25519 over envelopes; see sign.h. */
#include "sign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* The domains, each NUL included in the message. */
static const char sign_tag[] = "kuska/envelope/v2";
static const char in_step_tag[] = "kuska/in-step/v1";
_Static_assert(sizeof(in_step_tag) <= sizeof(sign_tag),
	       "SIGN_HEADER_LEN covers both tags");
#define SIGN_HEADER_LEN                                                        \
	(sizeof(sign_tag) + 1 + SIGN_MAX_NETWORK + 4 + 1 + 8 + 8 +             \
	 KEY_ID_LEN + 4)

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/*
 * Lays the message to sign out in buf (which must hold SIGN_HEADER_LEN +
 * event_len bytes). Returns its length.
 */
static size_t
sign_message(const char *tag, const struct sign_fields *f, uint8_t *buf)
{
	size_t nlen = strlen(f->network), tlen = strlen(tag) + 1;
	uint8_t *p = buf;

	memcpy(p, tag, tlen);
	p += tlen;
	*p++ = (uint8_t)nlen;
	memcpy(p, f->network, nlen);
	p += nlen;
	put_be(p, f->version, 4);
	p += 4;
	*p++ = f->institution;
	put_be(p, f->seq, 8);
	p += 8;
	put_be(p, f->created_ms, 8);
	p += 8;
	memcpy(p, f->key_id, KEY_ID_LEN);
	p += KEY_ID_LEN;
	put_be(p, f->event_len, 4);
	p += 4;
	if (f->event_len > 0)
		memcpy(p, f->event, f->event_len);
	p += f->event_len;
	return (size_t)(p - buf);
}

/* A stack buffer covers ordinary events; larger ones are allocated. */
#define SIGN_STACK 4096

/* Whether f can be laid out: a network of 1..31 bytes, an event in size. */
static int
sign_check(const struct sign_fields *f)
{
	size_t nlen;

	if (f->network == NULL)
		return -EINVAL;
	nlen = strnlen(f->network, SIGN_MAX_NETWORK + 1);
	if (nlen == 0 || nlen > SIGN_MAX_NETWORK)
		return -EINVAL;
	if (f->event_len > SIGN_MAX_EVENT)
		return -EMSGSIZE;
	return 0;
}

static int
sign_tagged(const char *tag, const uint8_t sk[SIGN_SK_LEN],
	    const struct sign_fields *f, uint8_t sig[SIGNATURE_LEN])
{
	uint8_t stack[SIGN_STACK], *buf = stack;
	size_t len;
	int r = sign_check(f);

	if (r != 0)
		return r;
	if (SIGN_HEADER_LEN + f->event_len > sizeof(stack)) {
		buf = malloc(SIGN_HEADER_LEN + f->event_len);
		if (buf == NULL)
			return -ENOMEM;
	}
	len = sign_message(tag, f, buf);
	crypto_sign_detached(sig, NULL, buf, len, sk);
	if (buf != stack)
		free(buf);
	return 0;
}

static int
verify_tagged(const char *tag, const uint8_t pk[SIGN_PK_LEN],
	      const struct sign_fields *f, const uint8_t sig[SIGNATURE_LEN])
{
	uint8_t stack[SIGN_STACK], *buf = stack;
	size_t len;
	int r = sign_check(f);

	if (r != 0)
		return r;
	if (SIGN_HEADER_LEN + f->event_len > sizeof(stack)) {
		buf = malloc(SIGN_HEADER_LEN + f->event_len);
		if (buf == NULL)
			return -ENOMEM;
	}
	len = sign_message(tag, f, buf);
	r = crypto_sign_verify_detached(sig, buf, len, pk) == 0 ? 0 : -EBADMSG;
	if (buf != stack)
		free(buf);
	return r;
}

int
sign_envelope(const uint8_t sk[SIGN_SK_LEN], const struct sign_fields *f,
	      uint8_t sig[SIGNATURE_LEN])
{
	return sign_tagged(sign_tag, sk, f, sig);
}

int
sign_verify(const uint8_t pk[SIGN_PK_LEN], const struct sign_fields *f,
	    const uint8_t sig[SIGNATURE_LEN])
{
	return verify_tagged(sign_tag, pk, f, sig);
}

int
sign_in_step(const uint8_t sk[SIGN_SK_LEN], const struct sign_fields *f,
	     uint8_t sig[SIGNATURE_LEN])
{
	return sign_tagged(in_step_tag, sk, f, sig);
}

int
sign_in_step_verify(const uint8_t pk[SIGN_PK_LEN], const struct sign_fields *f,
		    const uint8_t sig[SIGNATURE_LEN])
{
	return verify_tagged(in_step_tag, pk, f, sig);
}

void
sign_digest(const uint8_t *buf, size_t len, uint8_t out[SIGN_DIGEST_LEN])
{
	crypto_generichash(out, SIGN_DIGEST_LEN, buf, len, NULL, 0);
}
