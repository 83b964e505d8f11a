/*
 * pseudo.c - keyed pseudonyms; see pseudo.h.
 *
 * Every hash is BLAKE2b-256 keyed with the linkage key over a sequence of
 * fields, each written as its length (4 bytes, big-endian) then its bytes.
 * The first field is the domain tag. Institutions and sexes are written
 * as their names of EVENTS.md ("pnp", "F"), a birth date as its day
 * number (days since 1970-01-01) in 4 bytes, big-endian two's complement.
 */
#include "pseudo.h"

#include <sodium.h>
#include <string.h>

#define TAG_VICTIM_DOC "kuska/victim/doc/v1"
#define TAG_VICTIM_NAME "kuska/victim/name/v1"
#define TAG_CASE "kuska/case/v1"
#define TAG_REFERRAL "kuska/referral/v1"
#define TAG_REF "kuska/ref/v1"

/* hash_field - feeds one length-prefixed field into the hash. */
static void
hash_field(crypto_generichash_state *st, const void *buf, size_t len)
{
	uint8_t be[4];

	be[0] = (uint8_t)(len >> 24);
	be[1] = (uint8_t)(len >> 16);
	be[2] = (uint8_t)(len >> 8);
	be[3] = (uint8_t)len;
	crypto_generichash_update(st, be, sizeof(be));
	crypto_generichash_update(st, buf, len);
}

/* hash_text - a NUL-ended text field; NULL hashes as the empty text. */
static void
hash_text(crypto_generichash_state *st, const char *s)
{
	if (s == NULL)
		s = "";
	hash_field(st, s, strlen(s));
}

/* hash_begin - starts a keyed hash with the domain tag. */
static void
hash_begin(crypto_generichash_state *st, const uint8_t key[LINKAGE_KEY_LEN],
	   const char *tag)
{
	crypto_generichash_init(st, key, LINKAGE_KEY_LEN, PSEUDONYM_LEN);
	hash_text(st, tag);
}

/* hash_end - writes the 32-byte result and wipes the state. */
static void
hash_end(crypto_generichash_state *st, uint8_t out[PSEUDONYM_LEN])
{
	crypto_generichash_final(st, out, PSEUDONYM_LEN);
	sodium_memzero(st, sizeof(*st));
}

void
pseudo_victim_document(const uint8_t key[LINKAGE_KEY_LEN], const char *doc_type,
		       const char *norm_number, uint8_t out[PSEUDONYM_LEN])
{
	crypto_generichash_state st;

	hash_begin(&st, key, TAG_VICTIM_DOC);
	hash_text(&st, doc_type);
	hash_text(&st, norm_number);
	hash_end(&st, out);
}

void
pseudo_victim_name(const uint8_t key[LINKAGE_KEY_LEN], const char *norm_given,
		   const char *norm_surnames, int32_t birth_days, enum sex sex,
		   uint8_t out[PSEUDONYM_LEN])
{
	crypto_generichash_state st;
	uint32_t b = (uint32_t)birth_days;
	uint8_t be[4];

	be[0] = (uint8_t)(b >> 24);
	be[1] = (uint8_t)(b >> 16);
	be[2] = (uint8_t)(b >> 8);
	be[3] = (uint8_t)b;
	hash_begin(&st, key, TAG_VICTIM_NAME);
	hash_text(&st, norm_given);
	hash_text(&st, norm_surnames);
	hash_field(&st, be, sizeof(be));
	hash_text(&st, sex_name(sex));
	hash_end(&st, out);
	sodium_memzero(be, sizeof(be));
	sodium_memzero(&b, sizeof(b));
}

void
pseudo_case(const uint8_t key[LINKAGE_KEY_LEN], const char *norm_number,
	    uint8_t out[PSEUDONYM_LEN])
{
	crypto_generichash_state st;

	hash_begin(&st, key, TAG_CASE);
	hash_text(&st, norm_number);
	hash_end(&st, out);
}

void
pseudo_referral(const uint8_t key[LINKAGE_KEY_LEN], enum institution sender,
		const char *norm_number, uint8_t out[PSEUDONYM_LEN])
{
	crypto_generichash_state st;

	hash_begin(&st, key, TAG_REFERRAL);
	hash_text(&st, institution_name(sender));
	hash_text(&st, norm_number);
	hash_end(&st, out);
}

void
pseudo_event_id(const uint8_t key[LINKAGE_KEY_LEN], enum institution inst,
		const char *ref, uint8_t out[EVENT_ID_LEN])
{
	crypto_generichash_state st;
	uint8_t full[PSEUDONYM_LEN];

	hash_begin(&st, key, TAG_REF);
	hash_text(&st, institution_name(inst));
	hash_text(&st, ref);
	hash_end(&st, full);
	memcpy(out, full, EVENT_ID_LEN);
	sodium_memzero(full, sizeof(full));
}
