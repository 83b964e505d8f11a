/* delta.c - a batch's counter deltas, added up by key; see delta.h. */
#include "delta.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"
#include "store.h"
#include "zeroed.h"

/*
 * A key as two integers whose order is the key's memcmp order: its bytes
 * big-endian, zero-padded to 16, the length in the last byte (which no
 * key reaches). A length of 0 marks a free slot.
 */
struct slot {
	uint64_t hi, lo;
	int64_t v;
};

/* An add whose slot is being fetched from memory. */
struct pending {
	uint64_t hi, lo, h;
	int64_t v;
};

/*
 * Adds wait in a short queue while their slots are prefetched: a large
 * table is mostly out of cache, and the misses of adds in flight then
 * overlap instead of stalling one after another.
 */
#define PENDING 8

struct delta_table {
	struct slot *slots; /* open addressing, power-of-two size */
	size_t cap, n;
	uint32_t *used;	     /* the n slots taken, in the order they were */
	struct slot *sorted, *spare; /* delta_each's scratch, sorted_cap each */
	size_t sorted_cap;
	struct pending pend[PENDING];
	unsigned n_pend, first_pend;
};

#define FIRST_CAP 256
#define MAX_CAP ((size_t)1 << 31)
#define INSERTION_SORT_MAX 16
#define RADIX_MIN 16 /* fewer keys are sorted by comparison */

/* Every bit of both words reaches the low bits the index is taken from. */
static uint64_t
hash_of(uint64_t hi, uint64_t lo)
{
	return mix64(hi ^ (lo * 0x9e3779b97f4a7c15ULL));
}

struct delta_table *
delta_new(void)
{
	struct delta_table *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->cap = FIRST_CAP;
	d->slots = zeroed_new(d->cap, sizeof(*d->slots));
	d->used = malloc(d->cap * sizeof(*d->used));
	if (d->slots == NULL || d->used == NULL) {
		delta_free(&d);
		return NULL;
	}
	return d;
}

void
delta_free(struct delta_table **d)
{
	if (d == NULL || *d == NULL)
		return;
	free((*d)->slots);
	free((*d)->used);
	free((*d)->sorted);
	free((*d)->spare);
	free(*d);
	*d = NULL;
}

/*
 * A table is cleared slot by slot unless over half of it is in use: a
 * victim's table is cleared once per victim taken off and put back, and
 * keeps the size the largest victim gave it, so that most victims use a
 * fraction of it.
 */
void
delta_clear(struct delta_table *d)
{
	size_t i;

	if (d->n * 2 > d->cap)
		memset(d->slots, 0, d->cap * sizeof(*d->slots));
	else
		for (i = 0; i < d->n; i++)
			memset(&d->slots[d->used[i]], 0, sizeof(*d->slots));
	d->n = 0;
	d->n_pend = 0;
}

/* The index of (hi, lo) of hash h: its slot, or the free slot where it
 * goes. */
static size_t
find(const struct delta_table *d, uint64_t h, uint64_t hi, uint64_t lo)
{
	size_t mask = d->cap - 1, i;

	for (i = (size_t)h & mask;; i = (i + 1) & mask) {
		const struct slot *s = &d->slots[i];
		if ((s->lo & 0xff) == 0 || (s->hi == hi && s->lo == lo))
			return i;
	}
}

/* Doubles the table, keeping its load under two thirds. */
static int
grow(struct delta_table *d)
{
	struct slot *old = d->slots, *slots;
	uint32_t *used;
	size_t i;

	if (d->cap >= MAX_CAP)
		return -ENOMEM;
	slots = zeroed_new(d->cap * 2, sizeof(*slots));
	used = malloc(d->cap * 2 * sizeof(*used));
	if (slots == NULL || used == NULL) {
		free(slots);
		free(used);
		return -ENOMEM;
	}
	d->slots = slots;
	d->cap *= 2;
	for (i = 0; i < d->n; i++) {
		const struct slot *s = &old[d->used[i]];
		used[i] =
		    (uint32_t)find(d, hash_of(s->hi, s->lo), s->hi, s->lo);
		d->slots[used[i]] = *s;
	}
	free(old);
	free(d->used);
	d->used = used;
	return 0;
}

/*
 * Adds v under (hi, lo) of hash h, now. Inline, as add is: a batch makes
 * some fifty adds an event, and the two calls were a fifth of an add's
 * instructions.
 */
static inline int
add_now(struct delta_table *d, uint64_t h, uint64_t hi, uint64_t lo, int64_t v)
{
	size_t i = find(d, h, hi, lo);
	struct slot *s = &d->slots[i];
	int r;

	if ((s->lo & 0xff) != 0) {
		s->v += v;
		return 0;
	}
	if ((d->n + 1) * 3 > d->cap * 2) {
		if ((r = grow(d)) != 0)
			return r;
		i = find(d, h, hi, lo);
		s = &d->slots[i];
	}
	s->hi = hi;
	s->lo = lo;
	s->v = v;
	d->used[d->n++] = (uint32_t)i;
	return 0;
}

/* Applies the queued adds, oldest first. */
static int
drain(struct delta_table *d)
{
	int r = 0;

	while (d->n_pend > 0 && r == 0) {
		const struct pending *p = &d->pend[d->first_pend];
		r = add_now(d, p->h, p->hi, p->lo, p->v);
		d->first_pend = (d->first_pend + 1) % PENDING;
		d->n_pend--;
	}
	return r;
}

/* Queues an add of v under (hi, lo), applying the oldest when full. */
static inline int
add(struct delta_table *d, uint64_t hi, uint64_t lo, int64_t v)
{
	struct pending *p;
	uint64_t h = hash_of(hi, lo);
	int r = 0;

	__builtin_prefetch(&d->slots[(size_t)h & (d->cap - 1)], 1);
	if (d->n_pend == PENDING) {
		p = &d->pend[d->first_pend];
		r = add_now(d, p->h, p->hi, p->lo, p->v);
		*p = (struct pending){.hi = hi, .lo = lo, .h = h, .v = v};
		d->first_pend = (d->first_pend + 1) % PENDING;
		return r;
	}
	d->pend[(d->first_pend + d->n_pend++) % PENDING] =
	    (struct pending){.hi = hi, .lo = lo, .h = h, .v = v};
	return 0;
}

size_t
delta_count(struct delta_table *d)
{
	(void)drain(d);
	return d->n;
}

int
delta_add(struct delta_table *d, const uint8_t *key, size_t len, int64_t v)
{
	uint8_t k[16] = {0};

	if (len == 0 || len > DELTA_KEY_MAX)
		return -EINVAL;
	memcpy(k, key, len);
	k[15] = (uint8_t)len;
	return delta_add_padded(d, k, v);
}

int
delta_add_padded(struct delta_table *d, const uint8_t k[16], int64_t v)
{
	if (k[15] == 0 || k[15] > DELTA_KEY_MAX)
		return -EINVAL;
	return add(d, store_get64(k), store_get64(k + 8), v);
}

int
delta_merge(struct delta_table *dst, struct delta_table *src)
{
	size_t i;
	int r = drain(src);

	for (i = 0; i < src->n && r == 0; i++) {
		const struct slot *s = &src->slots[src->used[i]];
		if (s->v != 0)
			r = add(dst, s->hi, s->lo, s->v);
	}
	if (r == 0)
		delta_clear(src);
	return r;
}

/* ---- key order ---------------------------------------------------------- */

static bool
less(const struct slot *a, const struct slot *b)
{
	return a->hi < b->hi || (a->hi == b->hi && a->lo < b->lo);
}

static void
swap(struct slot *a, struct slot *b)
{
	struct slot t = *a;

	*a = *b;
	*b = t;
}

static void
insertion_sort(struct slot *a, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct slot x = a[i];
		for (j = i; j > 0 && less(&x, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

static void
sift_down(struct slot *a, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && less(&a[child], &a[child + 1]))
			child++;
		if (!less(&a[root], &a[child]))
			return;
		swap(&a[root], &a[child]);
		root = child;
	}
}

static void
heap_sort(struct slot *a, size_t n)
{
	size_t i;

	for (i = n / 2; i > 0; i--)
		sift_down(a, i - 1, n);
	for (i = n; i > 1; i--) {
		swap(&a[0], &a[i - 1]);
		sift_down(a, 0, i - 1);
	}
}

/*
 * Quicksort with the median of three, on the smaller side first, falling
 * back to heapsort past depth: n log n whatever the keys (they are all
 * distinct).
 */
static void
intro_sort(struct slot *a, size_t n, unsigned depth)
{
	while (n > INSERTION_SORT_MAX) {
		size_t i, j, mid = n / 2;
		struct slot pivot;
		if (depth-- == 0) {
			heap_sort(a, n);
			return;
		}
		if (less(&a[mid], &a[0]))
			swap(&a[mid], &a[0]);
		if (less(&a[n - 1], &a[0]))
			swap(&a[n - 1], &a[0]);
		if (less(&a[n - 1], &a[mid]))
			swap(&a[n - 1], &a[mid]);
		pivot = a[mid];
		/* Hoare partition: a[0] <= pivot <= a[n - 1] guard both scans.
		 */
		i = 0;
		j = n - 1;
		for (;;) {
			while (less(&a[i], &pivot))
				i++;
			while (less(&pivot, &a[j]))
				j--;
			if (i >= j)
				break;
			swap(&a[i], &a[j]);
			i++;
			j--;
		}
		/* a[0..j] <= pivot <= a[j + 1..n - 1] */
		if (j + 1 < n - j - 1) {
			intro_sort(a, j + 1, depth);
			a += j + 1;
			n -= j + 1;
		} else {
			intro_sort(a + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

/* Byte b (0..15) of a slot's key as delta.h lays it out. */
static unsigned
key_byte(const struct slot *s, unsigned b)
{
	uint64_t w = b < 8 ? s->hi : s->lo;

	return (unsigned)(w >> (56 - 8 * (b % 8))) & 0xff;
}

/* intro_sort with its depth bound. */
static void
comparison_sort(struct slot *a, size_t n)
{
	unsigned depth = 0;
	size_t i;

	for (i = n; i > 1; i >>= 1)
		depth += 2;
	intro_sort(a, n, depth);
}

/*
 * Sorts the n slots at a, whose keys all share their first b bytes, into
 * key order, other (as many slots, at the same offsets in the other
 * buffer) its scratch; the result goes to a, or to other when in_other
 * (then a is the spare buffer). By byte b into 256 runs, each run then by
 * the next byte into the other buffer, until a run is short enough for
 * comparisons; a byte every key of a run shares costs one counting pass.
 * Key order is byte order (less() compares the same bytes as two words),
 * so the order is the comparison sort's. A batch's keys share prefixes
 * (table, scope, period), where quicksort's comparisons mispredict.
 */
static void
radix_sort(struct slot *a, struct slot *other, size_t n, unsigned b,
	   bool in_other)
{
	size_t count[256], at[256], i, c;

	for (; n > RADIX_MIN && b < 16; b++) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[key_byte(&a[i], b)]++;
		if (count[key_byte(&a[0], b)] == n)
			continue; /* one run: the next byte */
		for (c = 0, i = 0; i < 256; i++) {
			at[i] = c;
			c += count[i];
		}
		for (i = 0; i < n; i++)
			other[at[key_byte(&a[i], b)]++] = a[i];
		for (c = 0, i = 0; i < 256; c += count[i], i++)
			if (count[i] > 0)
				radix_sort(other + c, a + c, count[i], b + 1,
					   !in_other);
		return;
	}
	comparison_sort(a, n);
	if (in_other)
		memcpy(other, a, n * sizeof(*a));
}

/*
 * The keys of d whose delta is not 0 into d->sorted, in key order: the
 * first byte's runs gathered straight from the table. Returns how many.
 */
static size_t
sort_keys(struct delta_table *d)
{
	size_t count[256], at[256], i, c, m = 0;

	memset(count, 0, sizeof(count));
	for (i = 0; i < d->n; i++) {
		const struct slot *s = &d->slots[d->used[i]];
		if (s->v != 0) {
			count[key_byte(s, 0)]++;
			m++;
		}
	}
	for (c = 0, i = 0; i < 256; i++) {
		at[i] = c;
		c += count[i];
	}
	for (i = 0; i < d->n; i++) {
		const struct slot *s = &d->slots[d->used[i]];
		if (s->v != 0)
			d->sorted[at[key_byte(s, 0)]++] = *s;
	}
	for (c = 0, i = 0; i < 256; c += count[i], i++)
		if (count[i] > 0)
			radix_sort(d->sorted + c, d->spare + c, count[i], 1,
				   false);
	return m;
}

/* Makes room for n slots in d->sorted and d->spare. Returns 0 or -ENOMEM. */
static int
sorted_room(struct delta_table *d, size_t n)
{
	struct slot *ns, *np;

	if (n <= d->sorted_cap)
		return 0;
	ns = malloc(n * sizeof(*ns));
	np = malloc(n * sizeof(*np));
	if (ns == NULL || np == NULL) {
		free(ns);
		free(np);
		return -ENOMEM;
	}
	free(d->sorted);
	free(d->spare);
	d->sorted = ns;
	d->spare = np;
	d->sorted_cap = n;
	return 0;
}

int
delta_each(struct delta_table *d, delta_each_fn fn, void *arg)
{
	uint8_t k[16];
	size_t i, m;
	int r;

	if ((r = drain(d)) != 0 || (r = sorted_room(d, d->n)) != 0)
		return r;
	m = sort_keys(d);
	for (i = 0; i < m; i++) {
		store_be64(k, d->sorted[i].hi);
		store_be64(k + 8, d->sorted[i].lo);
		r = fn(arg, k, k[15], d->sorted[i].v);
		if (r != 0)
			return r;
	}
	return 0;
}
