/* prepare.c - the years whose releases wait to be made; see prepare.h. */
#include "prepare.h"

#include <pthread.h>
#include <string.h>

#include "date.h"
#include "stats.h"
#include "store.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* Under mu: the years waiting, ascending, and when the last commit was. */
static uint32_t years[PREPARE_YEARS_MAX];
static size_t n_years;
static uint64_t last_commit_ms; /* or the last request (prepare_busy) */
static bool making; /* a year taken, its release not made yet */

void
prepare_add_year(uint32_t *ys, size_t *n, size_t cap, uint32_t year)
{
	size_t i = *n;

	while (i > 0 && ys[i - 1] > year)
		i--;
	if (i > 0 && ys[i - 1] == year)
		return;
	if (*n == cap) {
		if (i == 0)
			return; /* earlier than every year kept */
		memmove(ys, ys + 1, (i - 1) * sizeof(*ys));
		i--;
	} else {
		memmove(ys + i + 1, ys + i, (*n - i) * sizeof(*ys));
		(*n)++;
	}
	ys[i] = year;
}

void
prepare_note(const uint32_t *ys, size_t n, uint64_t now_ms)
{
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n; i++)
		prepare_add_year(years, &n_years, PREPARE_YEARS_MAX, ys[i]);
	last_commit_ms = now_ms;
	pthread_mutex_unlock(&mu);
}

/* prepare_wait_ms, mu held. */
static int64_t
wait_ms(uint64_t quiet_ms, uint64_t now_ms)
{
	uint64_t due = last_commit_ms + quiet_ms;

	if (quiet_ms == 0 || n_years == 0)
		return -1;
	return now_ms >= due ? 0 : (int64_t)(due - now_ms);
}

int64_t
prepare_wait_ms(uint64_t quiet_ms, uint64_t now_ms)
{
	int64_t w;

	pthread_mutex_lock(&mu);
	w = wait_ms(quiet_ms, now_ms);
	pthread_mutex_unlock(&mu);
	return w;
}

bool
prepare_take(uint64_t quiet_ms, uint64_t now_ms, uint32_t *ret_year)
{
	bool due;

	pthread_mutex_lock(&mu);
	due = wait_ms(quiet_ms, now_ms) == 0;
	if (due) {
		*ret_year = years[--n_years];
		making = true;
	}
	pthread_mutex_unlock(&mu);
	return due;
}

size_t
prepare_waiting(void)
{
	size_t n;

	pthread_mutex_lock(&mu);
	n = n_years + making;
	pthread_mutex_unlock(&mu);
	return n;
}

void
prepare_done(void)
{
	pthread_mutex_lock(&mu);
	making = false;
	pthread_mutex_unlock(&mu);
}

void
prepare_forget(void)
{
	pthread_mutex_lock(&mu);
	n_years = 0;
	making = false;
	pthread_mutex_unlock(&mu);
}

void
prepare_busy(uint64_t now_ms)
{
	pthread_mutex_lock(&mu);
	if (now_ms > last_commit_ms)
		last_commit_ms = now_ms;
	pthread_mutex_unlock(&mu);
}

void
prepare_abandon(uint32_t year, uint64_t now_ms)
{
	pthread_mutex_lock(&mu);
	prepare_add_year(years, &n_years, PREPARE_YEARS_MAX, year);
	making = false;
	pthread_mutex_unlock(&mu);
	prepare_busy(now_ms);
}

uint32_t
prepare_last_year(int32_t today)
{
	return (uint32_t)date_year(today + 1);
}

/* The years of store_each's counter keys up to last, into a struct
 * dated. */
struct dated {
	uint32_t years[PREPARE_YEARS_MAX];
	size_t n;
	uint32_t last;
};

static int
add_dated(void *arg, const void *k, size_t klen, const void *v, size_t vlen)
{
	struct dated *d = arg;
	uint32_t year;

	(void)v;
	(void)vlen;
	if (klen < 6)
		return 0;
	year = store_get32((const uint8_t *)k + 2) / 10;
	if (year <= d->last)
		prepare_add_year(d->years, &d->n, PREPARE_YEARS_MAX, year);
	return 0;
}

size_t
prepare_years_in(struct store_txn *t, int32_t today,
		 uint32_t ret[PREPARE_YEARS_MAX])
{
	/* The whole country's timeliness records count every live record
	 * by quarter (query.c's dated_in): a few keys a quarter. */
	const uint8_t prefix[2] = {C_TIME_RECORDS, 0};
	struct dated d = {.n = 0, .last = prepare_last_year(today)};

	(void)store_each(t, T_COUNTERS, prefix, sizeof(prefix), add_dated, &d);
	memcpy(ret, d.years, d.n * sizeof(*ret));
	return d.n;
}

int
prepare_note_store(struct store *st, int32_t today, uint64_t now_ms)
{
	uint32_t ys[PREPARE_YEARS_MAX];
	struct store_txn *t;
	size_t n;
	int r;

	r = store_begin(st, false, &t);
	if (r != 0)
		return r;
	n = prepare_years_in(t, today, ys);
	store_abort(&t);
	prepare_note(ys, n, now_ms);
	return 0;
}
