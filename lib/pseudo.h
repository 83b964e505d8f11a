/*
 * pseudo.h - pseudonyms: keyed BLAKE2b-256 (libsodium crypto_generichash
 * with the 32-byte linkage key) over a versioned domain tag and the
 * normalised text (norm.h). Each input field is length-prefixed so that
 * no two different inputs hash the same bytes.
 *
 * Domain tags: "kuska/victim/doc/v1", "kuska/victim/name/v1",
 * "kuska/case/v1", "kuska/referral/v1", "kuska/ref/v1".
 */
#ifndef KUSKA_PSEUDO_H
#define KUSKA_PSEUDO_H

#include <stdint.h>

#include "event.h"

#define LINKAGE_KEY_LEN 32

/* A victim with a document: normalised type and number. */
void pseudo_victim_document(const uint8_t key[LINKAGE_KEY_LEN],
			    const char *doc_type, const char *norm_number,
			    uint8_t out[PSEUDONYM_LEN]);

/*
 * A victim without a document: normalised given names and surnames, birth
 * date (days) and sex.
 */
void pseudo_victim_name(const uint8_t key[LINKAGE_KEY_LEN],
			const char *norm_given, const char *norm_surnames,
			int32_t birth_days, enum sex sex,
			uint8_t out[PSEUDONYM_LEN]);

/* A criminal case: the normalised prosecutor's case file number. */
void pseudo_case(const uint8_t key[LINKAGE_KEY_LEN], const char *norm_number,
		 uint8_t out[PSEUDONYM_LEN]);

/* A referral: the sending institution and its normalised number. */
void pseudo_referral(const uint8_t key[LINKAGE_KEY_LEN],
		     enum institution sender, const char *norm_number,
		     uint8_t out[PSEUDONYM_LEN]);

/* An event id: the institution and its own record ref (truncated hash). */
void pseudo_event_id(const uint8_t key[LINKAGE_KEY_LEN], enum institution inst,
		     const char *ref, uint8_t out[EVENT_ID_LEN]);

#endif
