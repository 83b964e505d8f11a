/* table.c - the capture-history table and the numbering of pairs; see mse.h. */
#include <errno.h>
#include <string.h>

#include "mse.h"

bool
mse_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MSE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

int
mse_table_init(struct mse_table *ret, unsigned k, const char *const *names)
{
	unsigned i, j;

	if (k < 1 || k > MSE_MAX_LISTS || names == NULL)
		return -EINVAL;
	for (i = 0; i < k; i++) {
		if (names[i] == NULL ||
		    !mse_name_valid(names[i], strlen(names[i])))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return -EINVAL;
	}
	memset(ret, 0, sizeof(*ret));
	ret->k = k;
	for (i = 0; i < k; i++)
		memcpy(ret->names[i], names[i], strlen(names[i]) + 1);
	return 0;
}

int
mse_table_set(struct mse_table *t, unsigned h, uint64_t count)
{
	uint64_t rest;

	if (h == 0 || h >= (1u << t->k))
		return -EINVAL;
	rest = mse_table_observed(t) - t->count[h];
	if (count > MSE_MAX_COUNT || rest + count > MSE_MAX_COUNT)
		return -ERANGE;
	t->count[h] = count;
	return 0;
}

uint64_t
mse_table_observed(const struct mse_table *t)
{
	uint64_t sum = 0;
	unsigned h;

	for (h = 1; h < (1u << t->k); h++)
		sum += t->count[h];
	return sum;
}

uint64_t
mse_table_multiple(const struct mse_table *t)
{
	uint64_t sum = 0;
	unsigned h;

	for (h = 1; h < (1u << t->k); h++)
		if ((h & (h - 1)) != 0) /* two bits or more */
			sum += t->count[h];
	return sum;
}

uint64_t
mse_table_overlap(const struct mse_table *t, unsigned a, unsigned b)
{
	unsigned both = (1u << a) | (1u << b), h;
	uint64_t sum = 0;

	for (h = 1; h < (1u << t->k); h++)
		if ((h & both) == both)
			sum += t->count[h];
	return sum;
}

/* Keeps the bits of h named in keep[0..n-1], packed from bit 0. */
static unsigned
pack_history(unsigned h, const unsigned *keep, unsigned n)
{
	unsigned i, out = 0;

	for (i = 0; i < n; i++)
		if (h & (1u << keep[i]))
			out |= 1u << i;
	return out;
}

unsigned
mse_table_drop_empty(const struct mse_table *t, struct mse_table *ret)
{
	struct mse_table out;
	unsigned keep[MSE_MAX_LISTS], n = 0, i, h;

	for (i = 0; i < t->k; i++) {
		uint64_t seen = 0;
		for (h = 1; h < (1u << t->k); h++)
			if (h & (1u << i))
				seen += t->count[h];
		if (seen > 0)
			keep[n++] = i;
	}
	memset(&out, 0, sizeof(out));
	out.k = n;
	for (i = 0; i < n; i++)
		memcpy(out.names[i], t->names[keep[i]], MSE_NAME_MAX + 1);
	for (h = 1; h < (1u << t->k); h++)
		out.count[pack_history(h, keep, n)] += t->count[h];
	/* Histories made only of dropped lists held no case. */
	out.count[0] = 0;
	i = t->k - n;
	*ret = out;
	return i;
}

unsigned
mse_pair_count(unsigned k)
{
	return k * (k - 1) / 2;
}

unsigned
mse_pair_index(unsigned k, unsigned a, unsigned b)
{
	unsigned lo = a < b ? a : b, hi = a < b ? b : a;

	/* Pairs (0,*) come first: k-1 of them, then k-2 of (1,*), ... */
	return lo * (2 * k - lo - 1) / 2 + (hi - lo - 1);
}

void
mse_pair_lists(unsigned k, unsigned p, unsigned *ret_a, unsigned *ret_b)
{
	unsigned a = 0;

	while (p >= k - a - 1) {
		p -= k - a - 1;
		a++;
	}
	*ret_a = a;
	*ret_b = a + 1 + p;
}
