/* account.c - per-node allowances of a key holder; see account.h. */
#include "account.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS 86400000.0

static void
refill(struct account *a, unsigned long rate_per_day, uint64_t mono_ms)
{
	if (mono_ms > a->refill_ms) {
		a->allowance += (double)(mono_ms - a->refill_ms) *
				(double)rate_per_day / DAY_MS;
		a->refill_ms = mono_ms;
	}
	/* A lowered rate (SIGHUP) caps what was saved up. */
	if (a->allowance > (double)rate_per_day)
		a->allowance = (double)rate_per_day;
}

struct account *
account_of(struct accounts *as, const char *id, unsigned long rate_per_day,
	   uint64_t mono_ms)
{
	struct account *a;
	size_t i;

	for (i = 0; i < as->n; i++)
		if (strcmp(as->a[i].id, id) == 0)
			return &as->a[i];
	if (as->n == ACCOUNT_MAX)
		return NULL;
	a = &as->a[as->n++];
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	a->allowance = (double)rate_per_day;
	a->refill_ms = mono_ms;
	return a;
}

bool
account_take(struct account *a, unsigned long rate_per_day, size_t n,
	     uint64_t mono_ms)
{
	refill(a, rate_per_day, mono_ms);
	if ((double)n > a->allowance)
		return false;
	a->allowance -= (double)n;
	return true;
}

uint64_t
account_left(struct account *a, unsigned long rate_per_day, uint64_t mono_ms)
{
	refill(a, rate_per_day, mono_ms);
	return a->allowance > 0 ? (uint64_t)a->allowance : 0;
}
