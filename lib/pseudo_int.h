/*
 * pseudo_int.h - what pseudo.c (the batch: its arena, its memo of
 * distinct inputs, marks), pseudo_input.c (the inputs of each domain
 * written, an event id's) and pseudo_round.c (a round: the inputs
 * blinded, their evaluations finished into pseudonyms) share: internal to
 * the three.
 */
#ifndef KUSKA_PSEUDO_INT_H
#define KUSKA_PSEUDO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "pseudo.h"

#define CHUNK_SIZE (64 * 1024) /* an input is at most ~600 bytes */
#define MEMO_KEY_LEN 16

enum domain {
	DOMAIN_VICTIM_DOC,
	DOMAIN_VICTIM_NAME,
	DOMAIN_CASE,
	DOMAIN_REFERRAL,
	DOMAIN_CHECK,
};

enum state { U_NEW = 0, U_SENT, U_DONE };

/* One distinct input of the batch (in sodium_malloc() memory). */
struct unique {
	uint8_t key[MEMO_KEY_LEN];	  /* keyed hash of the input */
	uint8_t pseudonym[PSEUDONYM_LEN]; /* U_DONE */
	uint8_t *input;			  /* in the arena; NULL once wiped */
	uint32_t len;
	uint8_t state;	/* enum state */
	uint8_t domain; /* enum domain */
};

struct request {
	uint32_t unique;
	uint8_t *out;
};

struct pseudo_batch {
	uint8_t *memo_key; /* 32 bytes, sodium_malloc */
	uint8_t *prov_key; /* 32 bytes, sodium_malloc: provisional values */
	bool provisional;  /* pseudo_batch_provisional */
	void (*progress)(void *arg); /* pseudo_batch_progress */
	void *progress_arg;
	uint8_t **chunks; /* the arena, each CHUNK_SIZE, sodium_malloc */
	size_t n_chunks, chunk, used;
	struct unique *u; /* sodium_malloc */
	size_t n_u, cap_u, n_new;
	size_t n_live;	 /* entries whose input is still in the arena */
	uint32_t *table; /* entry index + 1, 0 empty; size table_cap */
	size_t table_cap;
	struct request *req;
	size_t n_req, cap_req;
	/* The open round. Its arrays grow as needed and are kept from one
	 * round to the next (the secret ones wiped at the end of each), so
	 * that a request does not map and unmap guarded pages per round. */
	bool open;
	size_t n_round, cap_round;
	uint32_t *round;       /* entry index per slot, or CHECK_MARK */
	uint8_t *elements;     /* blinded elements */
	const uint8_t **input; /* slot's input and its length */
	size_t *input_len;
	uint8_t *failed;  /* one flag per slot */
	uint8_t *secrets; /* sodium_malloc: per slot its blind (32 bytes),
			   * then its pseudonym (32) */
};

/* The tag of each domain, the first field of its inputs (pseudo_input.c). */
extern const char *const pseudo_tags[];

/*
 * pseudo_hash_field - hashes a length-prefixed field into st
 * (pseudo_input.c).
 */
void pseudo_hash_field(crypto_generichash_state *st, const void *buf,
		       size_t len);

/*
 * pseudo_arena_alloc - len bytes (len <= CHUNK_SIZE) of wiped-on-reset
 * memory, or NULL (pseudo.c).
 */
uint8_t *pseudo_arena_alloc(struct pseudo_batch *b, size_t len);

/*
 * pseudo_reset_arena - wipes what the arena holds and starts it again
 * (pseudo.c).
 */
void pseudo_reset_arena(struct pseudo_batch *b);

/*
 * pseudo_memo_add - the input just written at in (len bytes, the last
 * arena allocation, made from arena state chunk/used) in domain d, for
 * out: its pseudonym written at once when known (or provisional), else a
 * request for it, a new entry made when the input is new (pseudo.c).
 * Returns 0 or -ENOMEM.
 */
int pseudo_memo_add(struct pseudo_batch *b, enum domain d, uint8_t *in,
		    size_t len, size_t chunk, size_t used, uint8_t *out);

/*
 * pseudo_end_round - wipes the round's secrets and closes it
 * (pseudo_round.c).
 */
void pseudo_end_round(struct pseudo_batch *b);

#endif
