/*
 * pseudo_round.c - a batch's round: its new inputs blinded, with check
 * elements slipped among them, for the key holders to evaluate; the
 * evaluations finished into pseudonyms, the check elements' compared;
 * see pseudo.h.
 */
#include "pseudo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "oprf.h"
#include "parallel.h"
#include "pseudo_int.h"

#define CHECK_MARK UINT32_MAX /* a round slot holding a check element */

/* The check input: the check domain's tag field and nothing else. */
static const uint8_t check_input[4 + 14] = {0,	 0,   0,   14,	'k', 'u',
					    's', 'k', 'a', '/', 'c', 'h',
					    'e', 'c', 'k', '/', 'v', '2'};

#define SLOT_SECRET 64 /* bytes of secrets per slot */
#define BLIND(b, i) ((b)->secrets + SLOT_SECRET * (i))
#define RESULT(b, i) ((b)->secrets + SLOT_SECRET * (i) + 32)

void
pseudo_end_round(struct pseudo_batch *b)
{
	if (b->secrets != NULL && b->n_round > 0)
		sodium_memzero(b->secrets, b->n_round * SLOT_SECRET);
	b->n_round = 0;
	b->open = false;
}

/* round_room - arrays for a round of n slots. Returns 0 or -ENOMEM. */
static int
round_room(struct pseudo_batch *b, size_t n)
{
	size_t cap = b->cap_round;
	uint8_t *sec;

	if (n <= cap)
		return 0;
	while (cap < n)
		cap = cap ? 2 * cap : 4096;
	sec = sodium_malloc(cap * SLOT_SECRET);
	if (sec == NULL)
		return -ENOMEM;
	if (b->secrets != NULL)
		sodium_free(b->secrets); /* holds nothing between rounds */
	b->secrets = sec;
	free(b->round);
	free(b->elements);
	free(b->input);
	free(b->input_len);
	free(b->failed);
	b->round = malloc(cap * sizeof(*b->round));
	b->elements = malloc(cap * PSEUDO_ELEMENT_LEN);
	b->input = malloc(cap * sizeof(*b->input));
	b->input_len = malloc(cap * sizeof(*b->input_len));
	b->failed = malloc(cap);
	b->cap_round = cap;
	if (b->round == NULL || b->elements == NULL || b->input == NULL ||
	    b->input_len == NULL || b->failed == NULL) {
		b->cap_round = 0;
		return -ENOMEM;
	}
	return 0;
}

static void
blind_range(void *arg, size_t from, size_t to)
{
	struct pseudo_batch *b = arg;
	size_t i;

	for (i = from; i < to; i++)
		b->failed[i] =
		    oprf_blind(b->input[i], b->input_len[i], BLIND(b, i),
			       b->elements + 32 * i) != 0;
}

/*
 * lay_out - the round's slots: the new inputs in order, in pieces of at
 * most per_piece, each with the check elements slipped in at random
 * places, so that a holder cannot tell them apart in any one request.
 */
static void
lay_out(struct pseudo_batch *b, size_t per_piece)
{
	size_t i = 0, k = 0, start, c, at;

	do {
		start = k;
		for (; i < b->n_u && k - start < per_piece; i++)
			if (b->u[i].state == U_NEW)
				b->round[k++] = (uint32_t)i;
		for (c = 0; c < PSEUDO_CHECK_ELEMENTS; c++) {
			at = start +
			     randombytes_uniform((uint32_t)(k - start) + 1);
			memmove(b->round + at + 1, b->round + at,
				(k - at) * sizeof(*b->round));
			b->round[at] = CHECK_MARK;
			k++;
		}
	} while (k < b->n_round);
}

int
pseudo_batch_blind(struct pseudo_batch *b, unsigned threads, size_t per_request,
		   const uint8_t **ret_elements, size_t *ret_n)
{
	size_t per_piece = SIZE_MAX, pieces = 1, n, i;
	int r;

	if (b->open)
		return -EALREADY;
	if (per_request != 0 && per_request <= PSEUDO_CHECK_ELEMENTS)
		return -EINVAL;
	if (per_request != 0 && b->n_new > 0) {
		per_piece = per_request - PSEUDO_CHECK_ELEMENTS;
		pieces = (b->n_new + per_piece - 1) / per_piece;
	}
	n = b->n_new + PSEUDO_CHECK_ELEMENTS * pieces;
	if ((r = round_room(b, n)) != 0)
		return r;
	b->open = true;
	b->n_round = n;
	lay_out(b, per_piece);
	for (i = 0; i < n; i++) {
		if (b->round[i] == CHECK_MARK) {
			b->input[i] = check_input;
			b->input_len[i] = sizeof(check_input);
		} else {
			b->input[i] = b->u[b->round[i]].input;
			b->input_len[i] = b->u[b->round[i]].len;
		}
	}
	parallel_for_chunks(n, threads, PSEUDO_PROGRESS_INPUTS, blind_range, b,
			    b->progress, b->progress_arg);
	for (i = 0; i < n; i++)
		if (b->failed[i]) {
			pseudo_end_round(b);
			return -EINVAL;
		}
	for (i = 0; i < b->n_u; i++)
		if (b->u[i].state == U_NEW)
			b->u[i].state = U_SENT;
	b->n_new = 0;
	*ret_elements = b->elements;
	*ret_n = n;
	return 0;
}

int
pseudo_batch_abandon(struct pseudo_batch *b)
{
	size_t i;

	if (!b->open)
		return -EINVAL;
	for (i = 0; i < b->n_u; i++)
		if (b->u[i].state == U_SENT) {
			b->u[i].state = U_NEW;
			b->n_new++;
		}
	pseudo_end_round(b);
	return 0;
}

struct finish_job {
	struct pseudo_batch *b;
	const uint8_t *evaluated;
	const uint8_t *linkage;
};

/* pseudonym_of - BLAKE2b(linkage; field(tag) || field(y)). */
static void
pseudonym_of(const uint8_t *linkage, enum domain d,
	     const uint8_t y[OPRF_OUTPUT_LEN], uint8_t out[PSEUDONYM_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, linkage, LINKAGE_KEY_LEN, PSEUDONYM_LEN);
	pseudo_hash_field(&st, pseudo_tags[d], strlen(pseudo_tags[d]));
	pseudo_hash_field(&st, y, OPRF_OUTPUT_LEN);
	crypto_generichash_final(&st, out, PSEUDONYM_LEN);
	sodium_memzero(&st, sizeof(st));
}

/*
 * finish_range - slots from..to-1, in chunks of FINISH_CHUNK: one scalar
 * inversion per chunk (oprf_finalize_batch), then each slot's pseudonym.
 * The chunk's blinds, outputs and partial products are copied to and
 * wiped from this thread's stack. An inversion costs about half of one
 * slot's work: over twice PSEUDO_PROGRESS_INPUTS slots it adds 1-2%.
 */
#define FINISH_CHUNK (2 * PSEUDO_PROGRESS_INPUTS)

static void
finish_range(void *arg, size_t from, size_t to)
{
	struct finish_job *j = arg;
	struct pseudo_batch *b = j->b;
	uint8_t blinds[FINISH_CHUNK * 32], y[FINISH_CHUNK * 64];
	uint8_t scratch[FINISH_CHUNK * 32];
	size_t at, i, n;

	for (at = from; at < to; at += n) {
		n = to - at < FINISH_CHUNK ? to - at : FINISH_CHUNK;
		for (i = 0; i < n; i++)
			memcpy(blinds + 32 * i, BLIND(b, at + i), 32);
		if (oprf_finalize_batch(n, b->input + at, b->input_len + at,
					blinds, j->evaluated + 32 * at, y,
					scratch) != 0) {
			memset(b->failed + at, 1, n);
			continue;
		}
		for (i = 0; i < n; i++) {
			uint32_t e = b->round[at + i];
			enum domain d = e == CHECK_MARK
					    ? DOMAIN_CHECK
					    : (enum domain)b->u[e].domain;
			b->failed[at + i] = 0;
			pseudonym_of(j->linkage, d, y + 64 * i,
				     RESULT(b, at + i));
		}
	}
	sodium_memzero(blinds, sizeof(blinds));
	sodium_memzero(y, sizeof(y));
}

int
pseudo_batch_finish(struct pseudo_batch *b, const uint8_t *evaluated,
		    const uint8_t linkage[LINKAGE_KEY_LEN], unsigned threads,
		    uint8_t check[PSEUDO_CHECK_LEN])
{
	struct finish_job job = {
	    .b = b, .evaluated = evaluated, .linkage = linkage};
	const uint8_t *first_check = NULL;
	size_t n = b->n_round, i, k;

	if (!b->open)
		return -EINVAL;
	parallel_for_chunks(n, threads, FINISH_CHUNK, finish_range, &job,
			    b->progress, b->progress_arg);
	for (i = 0; i < n; i++) {
		const uint8_t *res = RESULT(b, i);
		if (b->failed[i])
			return -EINVAL; /* the round stays open */
		if (b->round[i] != CHECK_MARK)
			continue;
		if (first_check == NULL)
			first_check = res;
		else if (sodium_memcmp(first_check, res, PSEUDONYM_LEN) != 0)
			return -EBADMSG;
	}
	memcpy(check, first_check, PSEUDO_CHECK_LEN);
	for (i = 0; i < n; i++) {
		struct unique *u;
		if (b->round[i] == CHECK_MARK)
			continue;
		u = &b->u[b->round[i]];
		memcpy(u->pseudonym, RESULT(b, i), PSEUDONYM_LEN);
		u->state = U_DONE;
		sodium_memzero(u->input, u->len);
		u->input = NULL;
		b->n_live--;
	}
	/* Requests added since the round began wait for the next one. */
	for (i = 0, k = 0; i < b->n_req; i++) {
		const struct unique *u = &b->u[b->req[i].unique];
		if (u->state == U_DONE)
			memcpy(b->req[i].out, u->pseudonym, PSEUDONYM_LEN);
		else
			b->req[k++] = b->req[i];
	}
	b->n_req = k;
	pseudo_end_round(b);
	/* Every input evaluated: none is needed. */
	if (b->n_live == 0)
		pseudo_reset_arena(b);
	return 0;
}

int
pseudo_batch_local(struct pseudo_batch *b, const uint8_t key[32],
		   const uint8_t linkage[LINKAGE_KEY_LEN])
{
	const uint8_t *el;
	uint8_t *ev, check[PSEUDO_CHECK_LEN];
	size_t n, i;
	int r;

	r = pseudo_batch_blind(b, 1, 0, &el, &n);
	if (r != 0)
		return r;
	ev = malloc(n * PSEUDO_ELEMENT_LEN);
	if (ev == NULL) {
		pseudo_batch_forget(b);
		return -ENOMEM;
	}
	for (i = 0; i < n && r == 0; i++)
		r = oprf_evaluate(key, el + 32 * i, ev + 32 * i);
	if (r == 0)
		r = pseudo_batch_finish(b, ev, linkage, 1, check);
	free(ev);
	if (r != 0)
		pseudo_batch_forget(b);
	return r;
}
