/*
 * stats_unmatched.c - one institution's take-ups that match no referral
 * record of their sender, for its node (a Welcome's unmatched): read from
 * the referrals in memory, as referrals_unmatched counts them
 * (stats_contrib.c, contribute_unmatched); see stats.h.
 */
#include "stats.h"
#include "stats_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Whether take-up a is listed before b: by date, then sequence. */
static bool
before(const struct unmatched *a, const struct unmatched *b)
{
	if (a->date != b->date)
		return a->date < b->date;
	return a->seq < b->seq;
}

/* Moves h[i] down the max-heap h[0..n-1] (the latest on top). */
static void
sift_down(struct unmatched *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;
		struct unmatched t;

		if (l < n && before(&h[top], &h[l]))
			top = l;
		if (r < n && before(&h[top], &h[r]))
			top = r;
		if (top == i)
			return;
		t = h[i];
		h[i] = h[top];
		h[top] = t;
		i = top;
	}
}

/* Moves h[i] up the max-heap. */
static void
sift_up(struct unmatched *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct unmatched t;

		if (!before(&h[p], &h[i]))
			return;
		t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* Keeps u among the max earliest in the heap h[0..*n-1]. */
static void
keep(struct unmatched *h, size_t max, size_t *n, const struct unmatched *u)
{
	if (*n < max) {
		h[*n] = *u;
		sift_up(h, (*n)++);
		return;
	}
	if (max == 0 || !before(u, &h[0]))
		return;
	h[0] = *u;
	sift_down(h, *n, 0);
}

static int
cmp_unmatched(const void *a, const void *b)
{
	const struct unmatched *x = a, *y = b;

	return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* The take-ups of referral en if no referral record of its sender is
 * live, into the heap and the total. */
static void
take_referral(const struct entity *en, struct unmatched *h, size_t max,
	      size_t *n, uint64_t *total)
{
	const struct fact *first = NULL;
	struct unmatched u;
	size_t i;

	for (i = 0; i < en->n; i++) {
		if (en->facts[i].type == F_SENT)
			return; /* matched */
		if (en->facts[i].type == F_RECEIVED &&
		    (first == NULL || fact_earlier(&en->facts[i], first)))
			first = &en->facts[i];
	}
	if (first == NULL)
		return; /* all withdrawn */
	memset(&u, 0, sizeof(u));
	u.from = (enum institution)en->key[1];
	u.counted_date = first->date;
	for (i = 0; i < en->n; i++) {
		if (en->facts[i].type != F_RECEIVED)
			continue;
		u.seq = en->facts[i].seq;
		u.date = en->facts[i].date;
		(*total)++;
		keep(h, max, n, &u);
	}
}

int
stats_unmatched(const struct stats *s, enum institution dest,
		struct unmatched *out, size_t max, size_t *ret_n,
		uint64_t *ret_total)
{
	uint64_t total = 0;
	size_t i, n = 0;

	if (s == NULL)
		return -ENOTSUP;
	if (s->lost != 0)
		return s->lost;
	for (i = 0; i < s->index.cap; i++) {
		const struct entity *en = &s->index.e[i];
		if (!en->used || en->key[0] != E_REFERRAL ||
		    en->key[2] != (uint8_t)dest)
			continue;
		take_referral(en, out, max, &n, &total);
	}
	qsort(out, n, sizeof(*out), cmp_unmatched);
	*ret_n = n;
	*ret_total = total;
	return 0;
}
