/*
 * pseudo_input.c - the inputs of pseudonyms: each domain's tag, then
 * length-prefixed fields of normalised text, written into the batch's
 * arena; and an event id, from a node's ref key; see pseudo.h.
 */
#include "pseudo.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "pseudo_int.h"

const char *const pseudo_tags[] = {
    [DOMAIN_VICTIM_DOC] = "kuska/victim/doc/v2",
    [DOMAIN_VICTIM_NAME] = "kuska/victim/name/v2",
    [DOMAIN_CASE] = "kuska/case/v2",
    [DOMAIN_REFERRAL] = "kuska/referral/v2",
    [DOMAIN_CHECK] = "kuska/check/v2",
};
#define TAG_REF "kuska/ref/v2"

/* put_field - writes a length-prefixed field at p; returns its end. */
static uint8_t *
put_field(uint8_t *p, const void *buf, size_t len)
{
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	if (len > 0)
		memcpy(p + 4, buf, len);
	return p + 4 + len;
}

void
pseudo_hash_field(crypto_generichash_state *st, const void *buf, size_t len)
{
	uint8_t be[4];

	be[0] = (uint8_t)(len >> 24);
	be[1] = (uint8_t)(len >> 16);
	be[2] = (uint8_t)(len >> 8);
	be[3] = (uint8_t)len;
	crypto_generichash_update(st, be, sizeof(be));
	crypto_generichash_update(st, buf, len);
}

/* Room for an input: the tag field and up to four fields of text. */
static uint8_t *
begin(struct pseudo_batch *b, enum domain d, size_t body, size_t *ret_chunk,
      size_t *ret_used, size_t *ret_len)
{
	size_t len = 4 + strlen(pseudo_tags[d]) + body;
	uint8_t *p;

	*ret_chunk = b->chunk;
	*ret_used = b->used;
	*ret_len = len;
	if (len > CHUNK_SIZE)
		return NULL;
	p = pseudo_arena_alloc(b, len);
	if (p != NULL)
		put_field(p, pseudo_tags[d], strlen(pseudo_tags[d]));
	return p;
}

static size_t
tlen(const char *s)
{
	return s == NULL ? 0 : strlen(s);
}

int
pseudo_add_document(struct pseudo_batch *b, const char *doc_type,
		    const char *norm_number, uint8_t out[PSEUDONYM_LEN])
{
	size_t c, u, len, lt = tlen(doc_type), ln = tlen(norm_number);
	uint8_t *p, *q;

	p = begin(b, DOMAIN_VICTIM_DOC, 8 + lt + ln, &c, &u, &len);
	if (p == NULL)
		return -ENOMEM;
	q = p + 4 + strlen(pseudo_tags[DOMAIN_VICTIM_DOC]);
	q = put_field(q, doc_type, lt);
	put_field(q, norm_number, ln);
	return pseudo_memo_add(b, DOMAIN_VICTIM_DOC, p, len, c, u, out);
}

int
pseudo_add_name(struct pseudo_batch *b, const char *norm_given,
		const char *norm_surnames, int32_t birth_days, enum sex sex,
		uint8_t out[PSEUDONYM_LEN])
{
	const char *sx = sex_name(sex);
	size_t c, u, len, lg = tlen(norm_given), ls = tlen(norm_surnames);
	uint32_t bd = (uint32_t)birth_days;
	uint8_t *p, *q, be[4];
	int r;

	if (sx == NULL)
		sx = "";
	p = begin(b, DOMAIN_VICTIM_NAME, 16 + lg + ls + 4 + strlen(sx), &c, &u,
		  &len);
	if (p == NULL)
		return -ENOMEM;
	be[0] = (uint8_t)(bd >> 24);
	be[1] = (uint8_t)(bd >> 16);
	be[2] = (uint8_t)(bd >> 8);
	be[3] = (uint8_t)bd;
	q = p + 4 + strlen(pseudo_tags[DOMAIN_VICTIM_NAME]);
	q = put_field(q, norm_given, lg);
	q = put_field(q, norm_surnames, ls);
	q = put_field(q, be, sizeof(be));
	put_field(q, sx, strlen(sx));
	r = pseudo_memo_add(b, DOMAIN_VICTIM_NAME, p, len, c, u, out);
	sodium_memzero(be, sizeof(be));
	sodium_memzero(&bd, sizeof(bd));
	return r;
}

int
pseudo_add_case(struct pseudo_batch *b, const char *norm_number,
		uint8_t out[PSEUDONYM_LEN])
{
	size_t c, u, len, ln = tlen(norm_number);
	uint8_t *p;

	p = begin(b, DOMAIN_CASE, 4 + ln, &c, &u, &len);
	if (p == NULL)
		return -ENOMEM;
	put_field(p + 4 + strlen(pseudo_tags[DOMAIN_CASE]), norm_number, ln);
	return pseudo_memo_add(b, DOMAIN_CASE, p, len, c, u, out);
}

int
pseudo_add_referral(struct pseudo_batch *b, enum institution sender,
		    const char *norm_number, uint8_t out[PSEUDONYM_LEN])
{
	const char *s = institution_name(sender);
	size_t c, u, len, ln = tlen(norm_number), ls;
	uint8_t *p, *q;

	if (s == NULL)
		s = "";
	ls = strlen(s);
	p = begin(b, DOMAIN_REFERRAL, 8 + ls + ln, &c, &u, &len);
	if (p == NULL)
		return -ENOMEM;
	q = p + 4 + strlen(pseudo_tags[DOMAIN_REFERRAL]);
	q = put_field(q, s, ls);
	put_field(q, norm_number, ln);
	return pseudo_memo_add(b, DOMAIN_REFERRAL, p, len, c, u, out);
}

void
pseudo_event_id(const uint8_t key[REF_KEY_LEN], enum institution inst,
		const char *ref, uint8_t out[EVENT_ID_LEN])
{
	crypto_generichash_state st;
	const char *name = institution_name(inst);
	uint8_t full[32];

	if (name == NULL)
		name = "";
	crypto_generichash_init(&st, key, REF_KEY_LEN, sizeof(full));
	pseudo_hash_field(&st, TAG_REF, strlen(TAG_REF));
	pseudo_hash_field(&st, name, strlen(name));
	pseudo_hash_field(&st, ref, strlen(ref));
	crypto_generichash_final(&st, full, sizeof(full));
	memcpy(out, full, EVENT_ID_LEN);
	sodium_memzero(full, sizeof(full));
	sodium_memzero(&st, sizeof(st));
}
