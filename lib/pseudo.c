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
 */
#include "pseudo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "oprf.h"
#include "parallel.h"

#define CHUNK_SIZE (64 * 1024) /* an input is at most ~600 bytes */
#define MEMO_KEY_LEN 16
#define CHECK_MARK UINT32_MAX /* a round slot holding a check element */

enum domain {
	DOMAIN_VICTIM_DOC,
	DOMAIN_VICTIM_NAME,
	DOMAIN_CASE,
	DOMAIN_REFERRAL,
	DOMAIN_CHECK,
};

static const char *const tags[] = {
    [DOMAIN_VICTIM_DOC] = "kuska/victim/doc/v2",
    [DOMAIN_VICTIM_NAME] = "kuska/victim/name/v2",
    [DOMAIN_CASE] = "kuska/case/v2",
    [DOMAIN_REFERRAL] = "kuska/referral/v2",
    [DOMAIN_CHECK] = "kuska/check/v2",
};
#define TAG_REF "kuska/ref/v2"

/* The check input: the check domain's tag field and nothing else. */
static const uint8_t check_input[4 + 14] = {0,	 0,   0,   14,	'k', 'u',
					    's', 'k', 'a', '/', 'c', 'h',
					    'e', 'c', 'k', '/', 'v', '2'};

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

#define SLOT_SECRET 64 /* bytes of secrets per slot */
#define BLIND(b, i) ((b)->secrets + SLOT_SECRET * (i))
#define RESULT(b, i) ((b)->secrets + SLOT_SECRET * (i) + 32)

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

/* end_round - wipes the round's secrets and closes it. */
static void
end_round(struct pseudo_batch *b)
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

/* reset_arena - wipes what the arena holds and starts it again. */
static void
reset_arena(struct pseudo_batch *b)
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
	end_round(b);
	reset_arena(b);
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

/* arena_alloc - len bytes (len <= CHUNK_SIZE) of wiped-on-reset memory. */
static uint8_t *
arena_alloc(struct pseudo_batch *b, size_t len)
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

/*
 * add - the input just written at in (len bytes, the last arena
 * allocation, made from arena state chunk/used) in domain d, for out.
 */
static int
add(struct pseudo_batch *b, enum domain d, uint8_t *in, size_t len,
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

/* Room for an input: the tag field and up to four fields of text. */
static uint8_t *
begin(struct pseudo_batch *b, enum domain d, size_t body, size_t *ret_chunk,
      size_t *ret_used, size_t *ret_len)
{
	size_t len = 4 + strlen(tags[d]) + body;
	uint8_t *p;

	*ret_chunk = b->chunk;
	*ret_used = b->used;
	*ret_len = len;
	if (len > CHUNK_SIZE)
		return NULL;
	p = arena_alloc(b, len);
	if (p != NULL)
		put_field(p, tags[d], strlen(tags[d]));
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
	q = p + 4 + strlen(tags[DOMAIN_VICTIM_DOC]);
	q = put_field(q, doc_type, lt);
	put_field(q, norm_number, ln);
	return add(b, DOMAIN_VICTIM_DOC, p, len, c, u, out);
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
	q = p + 4 + strlen(tags[DOMAIN_VICTIM_NAME]);
	q = put_field(q, norm_given, lg);
	q = put_field(q, norm_surnames, ls);
	q = put_field(q, be, sizeof(be));
	put_field(q, sx, strlen(sx));
	r = add(b, DOMAIN_VICTIM_NAME, p, len, c, u, out);
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
	put_field(p + 4 + strlen(tags[DOMAIN_CASE]), norm_number, ln);
	return add(b, DOMAIN_CASE, p, len, c, u, out);
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
	q = p + 4 + strlen(tags[DOMAIN_REFERRAL]);
	q = put_field(q, s, ls);
	put_field(q, norm_number, ln);
	return add(b, DOMAIN_REFERRAL, p, len, c, u, out);
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
			end_round(b);
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
	end_round(b);
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
	hash_field(&st, tags[d], strlen(tags[d]));
	hash_field(&st, y, OPRF_OUTPUT_LEN);
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
	end_round(b);
	if (b->n_live == 0)
		reset_arena(b); /* every input is evaluated: none is needed */
	return 0;
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
	hash_field(&st, TAG_REF, strlen(TAG_REF));
	hash_field(&st, name, strlen(name));
	hash_field(&st, ref, strlen(ref));
	crypto_generichash_final(&st, full, sizeof(full));
	memcpy(out, full, EVENT_ID_LEN);
	sodium_memzero(full, sizeof(full));
	sodium_memzero(&st, sizeof(st));
}
