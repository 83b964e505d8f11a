/*
 * pseudo.c - pseudonyms in batches; see pseudo.h.
 *
 * A batch keeps, in sodium_malloc() memory: the inputs (an arena of
 * chunks), one entry per distinct input (its memo key, state and, once
 * evaluated, its pseudonym), and during a round the blinds and the
 * unblinded outputs. Requests (which entry, where to write) and the
 * hash table over the memo keys hold no secret and live in ordinary
 * memory. Every secret is wiped as soon as it has served: an input once
 * its pseudonym is known, the blinds and outputs when the round ends.
 *
 * This file holds the batch, its arena and its memo of distinct inputs;
 * pseudo_input.c writes the inputs of each domain, pseudo_round.c blinds
 * them and finishes their evaluations into pseudonyms (pseudo_int.h).
 */
#include "pseudo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pseudo_int.h"

struct pseudo_batch *
pseudo_batch_new(void)
{
	struct pseudo_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->memo_key = sodium_malloc(32);
	b->prov_key = sodium_malloc(32);
	if (b->memo_key == NULL || b->prov_key == NULL) {
		if (b->memo_key != NULL)
			sodium_free(b->memo_key);
		if (b->prov_key != NULL)
			sodium_free(b->prov_key);
		free(b);
		return NULL;
	}
	randombytes_buf(b->memo_key, 32);
	randombytes_buf(b->prov_key, 32);
	return b;
}

void
pseudo_reset_arena(struct pseudo_batch *b)
{
	size_t i;

	for (i = 0; i < b->n_chunks && i <= b->chunk; i++)
		sodium_memzero(b->chunks[i],
			       i < b->chunk ? CHUNK_SIZE : b->used);
	b->chunk = 0;
	b->used = 0;
}

void
pseudo_batch_forget(struct pseudo_batch *b)
{
	pseudo_end_round(b);
	pseudo_reset_arena(b);
	if (b->u != NULL)
		sodium_free(b->u);
	b->u = NULL;
	b->n_u = b->cap_u = b->n_new = b->n_live = 0;
	if (b->table != NULL)
		memset(b->table, 0, b->table_cap * sizeof(*b->table));
	b->n_req = 0;
	randombytes_buf(b->memo_key, 32);
}

void
pseudo_batch_free(struct pseudo_batch **pb)
{
	struct pseudo_batch *b;
	size_t i;

	if (pb == NULL || *pb == NULL)
		return;
	b = *pb;
	pseudo_batch_forget(b);
	for (i = 0; i < b->n_chunks; i++)
		sodium_free(b->chunks[i]);
	free(b->chunks);
	free(b->table);
	free(b->req);
	if (b->secrets != NULL)
		sodium_free(b->secrets);
	free(b->round);
	free(b->elements);
	free(b->input);
	free(b->input_len);
	free(b->failed);
	sodium_free(b->memo_key);
	sodium_free(b->prov_key);
	free(b);
	*pb = NULL;
}

uint8_t *
pseudo_arena_alloc(struct pseudo_batch *b, size_t len)
{
	if (b->n_chunks == 0 || b->used + len > CHUNK_SIZE) {
		size_t next = b->n_chunks == 0 ? 0 : b->chunk + 1;
		if (next == b->n_chunks) {
			uint8_t **nc, *c;
			nc = realloc(b->chunks, (next + 1) * sizeof(*nc));
			if (nc == NULL)
				return NULL;
			b->chunks = nc;
			c = sodium_malloc(CHUNK_SIZE);
			if (c == NULL)
				return NULL;
			b->chunks[b->n_chunks++] = c;
		}
		b->chunk = next;
		b->used = 0;
	}
	b->used += len;
	return b->chunks[b->chunk] + b->used - len;
}

/* arena_back - wipes the arena back to (chunk, used). */
static void
arena_back(struct pseudo_batch *b, size_t chunk, size_t used)
{
	while (b->chunk > chunk) {
		sodium_memzero(b->chunks[b->chunk], b->used);
		b->chunk--;
		b->used = CHUNK_SIZE;
	}
	if (b->n_chunks > 0 && b->used > used)
		sodium_memzero(b->chunks[b->chunk] + used, b->used - used);
	b->used = used;
}

static size_t
slot_of(const struct pseudo_batch *b, const uint8_t key[MEMO_KEY_LEN])
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return h & (b->table_cap - 1);
}

/* find - the entry with this memo key, or SIZE_MAX. */
static size_t
find(const struct pseudo_batch *b, const uint8_t key[MEMO_KEY_LEN])
{
	size_t s;

	if (b->table_cap == 0)
		return SIZE_MAX;
	for (s = slot_of(b, key); b->table[s] != 0;
	     s = (s + 1) & (b->table_cap - 1))
		if (memcmp(b->u[b->table[s] - 1].key, key, MEMO_KEY_LEN) == 0)
			return b->table[s] - 1;
	return SIZE_MAX;
}

static void
table_insert(struct pseudo_batch *b, size_t idx)
{
	size_t s = slot_of(b, b->u[idx].key);

	while (b->table[s] != 0)
		s = (s + 1) & (b->table_cap - 1);
	b->table[s] = (uint32_t)idx + 1;
}

/* table_remove - takes out entry idx, the last one inserted. */
static void
table_remove(struct pseudo_batch *b, size_t idx)
{
	size_t s = slot_of(b, b->u[idx].key);

	while (b->table[s] != (uint32_t)idx + 1)
		s = (s + 1) & (b->table_cap - 1);
	b->table[s] = 0;
}

/* grow - room for one more entry (and a table at most half full). */
static int
grow(struct pseudo_batch *b)
{
	size_t i;

	if (b->n_u >= UINT32_MAX - 2)
		return -ENOMEM;
	if (b->n_u == b->cap_u) {
		size_t cap = b->cap_u ? 2 * b->cap_u : 1024;
		struct unique *nu = sodium_malloc(cap * sizeof(*nu));
		if (nu == NULL)
			return -ENOMEM;
		if (b->u != NULL) {
			memcpy(nu, b->u, b->n_u * sizeof(*nu));
			sodium_free(b->u);
		}
		b->u = nu;
		b->cap_u = cap;
	}
	if (2 * (b->n_u + 1) > b->table_cap) {
		size_t cap = b->table_cap ? 2 * b->table_cap : 2048;
		uint32_t *t = calloc(cap, sizeof(*t));
		if (t == NULL)
			return -ENOMEM;
		free(b->table);
		b->table = t;
		b->table_cap = cap;
		for (i = 0; i < b->n_u; i++)
			table_insert(b, i);
	}
	return 0;
}

static int
add_request(struct pseudo_batch *b, size_t idx, uint8_t *out)
{
	if (b->n_req == b->cap_req) {
		size_t cap = b->cap_req ? 2 * b->cap_req : 1024;
		struct request *nr = realloc(b->req, cap * sizeof(*nr));
		if (nr == NULL)
			return -ENOMEM;
		b->req = nr;
		b->cap_req = cap;
	}
	b->req[b->n_req].unique = (uint32_t)idx;
	b->req[b->n_req].out = out;
	b->n_req++;
	return 0;
}

int
pseudo_memo_add(struct pseudo_batch *b, enum domain d, uint8_t *in, size_t len,
		size_t chunk, size_t used, uint8_t *out)
{
	uint8_t key[MEMO_KEY_LEN];
	struct unique *u;
	size_t idx;
	int r;

	if (b->provisional) {
		/* Nothing to evaluate: a value of this node's alone. */
		crypto_generichash(out, PSEUDONYM_LEN, in, len, b->prov_key,
				   32);
		arena_back(b, chunk, used);
		return 0;
	}
	crypto_generichash(key, sizeof(key), in, len, b->memo_key, 32);
	idx = find(b, key);
	if (idx != SIZE_MAX) {
		/* Known: the copy just made is not needed. */
		arena_back(b, chunk, used);
		if (b->u[idx].state == U_DONE) {
			memcpy(out, b->u[idx].pseudonym, PSEUDONYM_LEN);
			return 0;
		}
		return add_request(b, idx, out);
	}
	if ((r = grow(b)) != 0 || (r = add_request(b, b->n_u, out)) != 0) {
		arena_back(b, chunk, used);
		return r;
	}
	u = &b->u[b->n_u];
	memset(u, 0, sizeof(*u));
	memcpy(u->key, key, sizeof(key));
	u->input = in;
	u->len = (uint32_t)len;
	u->state = U_NEW;
	u->domain = (uint8_t)d;
	table_insert(b, b->n_u);
	b->n_u++;
	b->n_new++;
	b->n_live++;
	return 0;
}

struct pseudo_mark
pseudo_batch_mark(const struct pseudo_batch *b)
{
	struct pseudo_mark m = {b->n_req, b->n_u, b->chunk, b->used};

	return m;
}

void
pseudo_batch_rollback(struct pseudo_batch *b, struct pseudo_mark m)
{
	size_t i;

	/* Only what was added since the mark, all of it still new, can be
	 * taken back: a mark from before a round began or ended is stale. */
	if (m.uniques > b->n_u || m.requests > b->n_req)
		return;
	for (i = m.uniques; i < b->n_u; i++)
		if (b->u[i].state != U_NEW)
			return;
	b->n_req = m.requests;
	while (b->n_u > m.uniques) {
		struct unique *u = &b->u[b->n_u - 1];
		table_remove(b, b->n_u - 1);
		b->n_new--;
		b->n_live--;
		sodium_memzero(u, sizeof(*u));
		b->n_u--;
	}
	arena_back(b, m.chunk, m.used);
}

size_t
pseudo_batch_pending(const struct pseudo_batch *b)
{
	return b->n_req;
}

size_t
pseudo_batch_new_inputs(const struct pseudo_batch *b)
{
	return b->n_new;
}

size_t
pseudo_batch_known(const struct pseudo_batch *b)
{
	return b->n_u;
}

void
pseudo_batch_progress(struct pseudo_batch *b, void (*fn)(void *arg), void *arg)
{
	b->progress = fn;
	b->progress_arg = arg;
}

void
pseudo_batch_provisional(struct pseudo_batch *b, bool on)
{
	b->provisional = on;
}

void
pseudo_batch_provisional_renew(struct pseudo_batch *b)
{
	randombytes_buf(b->prov_key, 32);
}
