/* release.c - the secretariat's releases, one per component: their
 * cells and index, their computation and the cache that keeps them; see
 * release.h. The relations a reader knows are written by
 * release_relate.c and release_victims.c (release_int.h). */
#include "release_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "disclose.h"
#include "log.h"
#include "lp.h"
#include "registry.h"

/*
 * Releases kept: every year of a store of decades at the consolidator's
 * one k, or as many components at several k's. A release holds about
 * 200 KiB whatever the number of events (its cells are the tables' rows,
 * not the events: 16-63 KiB per group of tables, bench/README.md), so 64
 * hold about 13 MiB; the byte bound is met only by data with many times
 * the rows (nationalities, services) of Peru's.
 */
#define CACHE_MAX 64
#define CACHE_BYTES_MAX ((size_t)64 << 20)
#define KEY_LEN offsetof(struct rcell, value)

static struct release *cache[CACHE_MAX];
static uint64_t ticks;
static size_t bytes_max = CACHE_BYTES_MAX;
/* Read by the main thread's metrics, written by the query thread. */
static _Atomic uint64_t n_computed;
static uint64_t serials; /* the last release_serial given */
static _Atomic size_t n_kept, n_bytes;

static const char *const group_names[RG_COUNT] = {"year"};

/* What gives a computation up (release_set_cancel). */
static bool (*cancel_fn)(void *);
static void *cancel_arg;

/* The release being computed (release_computing): its year, and since
 * when (monotonic ms), while computing. */
static bool computing;
static uint32_t computing_year;
static uint64_t computing_since_ms;

/* What each institution may record (release_set_grants); set: not the
 * zeros it starts as. */
static struct grants_by_inst grants;
static bool grants_set;

/* ---- grants ------------------------------------------------------------ */

static void
default_grants(struct grants_by_inst *g)
{
	int i;

	memset(g, 0, sizeof(*g));
	for (i = 1; i <= INST_COUNT; i++) {
		g->kinds[i] = registry_default_kinds((enum institution)i);
		g->stages[i] = registry_default_stages((enum institution)i);
	}
}

const struct grants_by_inst *
release_grants(void)
{
	if (!grants_set) {
		default_grants(&grants);
		grants_set = true;
	}
	return &grants;
}

void
release_set_grants(const struct registry *reg)
{
	struct grants_by_inst g;
	size_t i;

	if (reg == NULL) {
		default_grants(&g);
	} else {
		memset(&g, 0, sizeof(g));
		for (i = 0; i < reg->n_parties; i++) {
			const struct reg_party *p = &reg->parties[i];
			if (!p->node || p->inst < 1 || p->inst > INST_COUNT)
				continue;
			g.kinds[p->inst] |= p->kinds;
			g.stages[p->inst] |= p->stages;
		}
	}
	if (memcmp(&g, release_grants(), sizeof(g)) == 0)
		return;
	grants = g;
	release_cache_clear(); /* made under other relations */
}

bool
release_may_record(enum institution inst, enum kind kind, enum stage st)
{
	const struct grants_by_inst *g = release_grants();

	if (inst < 1 || inst > INST_COUNT || !(g->kinds[inst] & (1u << kind)))
		return false;
	return kind != KIND_CASE_STAGE || st == STAGE_NONE ||
	       (g->stages[inst] & (1u << st)) != 0;
}

/* ---- cell lists ------------------------------------------------------- */

struct rcell *
rcells_add(struct rcells *l)
{
	struct rcell *c;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct rcell *nc = realloc(l->c, cap * sizeof(*nc));
		if (nc == NULL)
			return NULL;
		l->c = nc;
		l->cap = cap;
	}
	c = &l->c[l->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

void
rcells_clear(struct rcells *l)
{
	free(l->c);
	l->c = NULL;
	l->n = l->cap = 0;
}

/* ---- releases and their index -------------------------------------- */

static uint64_t
key_hash(const struct rcell *c)
{
	const uint8_t *p = (const uint8_t *)c;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < KEY_LEN; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 31);
}

int
release_find(const struct release *r, const struct rcell *key)
{
	size_t mask = r->n_slots - 1, i;

	for (i = key_hash(key) & mask; r->slot[i] != 0; i = (i + 1) & mask) {
		const struct rcell *c = &r->cells[r->slot[i] - 1];
		if (memcmp(c, key, KEY_LEN) == 0)
			return r->slot[i] - 1;
	}
	return -1;
}

static void
release_free(struct release **pr)
{
	struct release *r = *pr;

	if (r == NULL)
		return;
	free(r->cells);
	free(r->hidden);
	free(r->slot);
	free(r);
	*pr = NULL;
}

/* A release holding a copy of cells and their index; nothing hidden
 * yet. NULL when out of memory. */
static struct release *
release_new(enum release_group g, uint32_t year, int64_t k,
	    const struct rcells *cells)
{
	struct release *r = calloc(1, sizeof(*r));
	size_t i;

	if (r == NULL)
		return NULL;
	r->g = g;
	r->year = year;
	r->k = k;
	r->n = cells->n;
	for (r->n_slots = 16; r->n_slots < 2 * r->n + 2; r->n_slots *= 2)
		;
	r->cells = malloc((r->n + 1) * sizeof(*r->cells));
	r->hidden = calloc(r->n + 1, sizeof(*r->hidden));
	r->slot = calloc(r->n_slots, sizeof(*r->slot));
	if (r->cells == NULL || r->hidden == NULL || r->slot == NULL) {
		release_free(&r);
		return NULL;
	}
	r->bytes = sizeof(*r) + (r->n + 1) * sizeof(*r->cells) +
		   (r->n + 1) * sizeof(*r->hidden) +
		   r->n_slots * sizeof(*r->slot);
	if (r->n > 0)
		memcpy(r->cells, cells->c, r->n * sizeof(*r->cells));
	while (r->n_own < r->n && r->cells[r->n_own].period < RP_COUNT)
		r->n_own++;
	for (i = 0; i < r->n; i++) {
		size_t mask = r->n_slots - 1, s;
		if (release_find(r, &r->cells[i]) >= 0)
			continue; /* a key twice: the first one answers */
		for (s = key_hash(&r->cells[i]) & mask; r->slot[s] != 0;
		     s = (s + 1) & mask)
			;
		r->slot[s] = (int)i + 1;
	}
	return r;
}

/* ---- computing a release ------------------------------------------- */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Computes rel's hidden cells; given up once cancelled(arg) says so
 * (NULL: never), asked between the audit's integer programmes. */
static int
compute(struct release *rel, bool (*cancelled)(void *), void *arg)
{
	struct ctx *x = calloc(1, sizeof(*x));
	const char **rows = malloc((rel->n + 1) * sizeof(*rows));
	double t0 = now_ms();
	size_t i;
	int r = 0;

	if (x == NULL || rows == NULL || (x->f = dfam_new()) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	x->rel = rel;
	dfam_set_cancel(x->f, cancelled, arg);
	log_debug("event=release_started group=%s year=%u k=%lld cells=%zu",
		  group_names[rel->g], rel->year, (long long)rel->k,
		  rel->n_own);
	/* The slacks across years (RP_OTHER) are no terms: constants. */
	for (i = 0; i < rel->n_own && r == 0; i++)
		if (dfam_cell(x->f, rel->cells[i].value) < 0)
			r = -ENOMEM;
	if (r != 0)
		goto out;
	/* One component per year: every group's relations, those that
	 * tie the groups together, and those to the other years. */
	release_relate_victims(x, rows);
	release_relate_referrals(x, rows);
	release_relate_protection(x, rows);
	release_relate_cases(x, rows);
	release_relate_timeliness(x, rows);
	release_relate_records(x, rows);
	release_relate_years(x, rows);
	r = x->err;
	if (r == 0)
		r = dfam_protect(x->f, rel->k, &rel->unprotected);
	if (r != 0)
		goto out;
	for (i = 0; i < rel->n_own; i++) {
		rel->hidden[i] = dfam_hidden(x->f, (int)i);
		rel->n_hidden += rel->hidden[i];
	}
	rel->ms = now_ms() - t0;
	if (x->broken > 0)
		log_warnx("event=release_model_error group=%s year=%u "
			  "relations=%zu: the data break relations the "
			  "disclosure audit assumes",
			  group_names[rel->g], rel->year, x->broken);
	/* Cells beyond protection are hidden, but their ranges stay narrow:
	 * rare (a total under k split into k - 2 small parts or more), and
	 * worth a warning. */
	(rel->unprotected > 0 ? log_warnx : log_info)(
	    "event=release group=%s year=%u k=%lld cells=%zu hidden=%zu "
	    "unprotected=%zu bytes=%zu ms=%.0f",
	    group_names[rel->g], rel->year, (long long)rel->k, rel->n_own,
	    rel->n_hidden, rel->unprotected, rel->bytes, rel->ms);
out:
	if (x != NULL)
		dfam_free(&x->f);
	free(x);
	free(rows);
	return r;
}

/* ---- computing it on a thread of its own ---------------------------- */

/* How long the thread that asked for a release waits, at most, before
 * it asks its cancel function again (release_set_cancel) while the
 * release is computed on a thread of its own. */
#define WATCH_MS 2

/* A release computed on a thread of its own (watched). */
struct job {
	struct release *rel;
	atomic_bool cancelled;	 /* set by the watching thread */
	atomic_ulong programmes; /* checks between integer programmes */
	pthread_mutex_t lock;
	pthread_cond_t ended;
	bool done; /* under lock */
	int r;	   /* compute's, once done */
};

static bool
job_cancelled(void *arg)
{
	struct job *j = arg;

	atomic_fetch_add(&j->programmes, 1);
	return atomic_load(&j->cancelled);
}

static void *
job_main(void *arg)
{
	struct job *j = arg;
	int r;

	/* Named for ps -L, top -H and the tests' shim (slowread.c). */
	(void)pthread_setname_np(pthread_self(), RELEASE_THREAD_NAME);
	r = compute(j->rel, job_cancelled, j);

	lp_thread_end(); /* the integer programmes ran GLPK here */
	pthread_mutex_lock(&j->lock);
	j->r = r;
	j->done = true;
	pthread_cond_signal(&j->ended);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Waits until j is done or WATCH_MS have passed; j->lock held. */
static void
job_wait(struct job *j)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += WATCH_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (!j->done &&
	       pthread_cond_timedwait(&j->ended, &j->lock, &ts) == 0)
		;
}

/*
 * compute, on a thread of its own when a cancel function is set
 * (release_set_cancel), so that the calling thread asks it every
 * WATCH_MS whatever the audit does: its watch (query_net_watch.c) reads the
 * query socket then, where it read it only between two integer
 * programmes, once in 1.5 s at worst (docs/SECURITY.md). Cancelled, the
 * audit stops at its next integer programme; the cancel function is
 * still asked meanwhile. Without a thread (none could be made), the
 * cancel function is asked between the integer programmes, as before.
 */
static int
compute_watched(struct release *rel)
{
	pthread_condattr_t attr;
	struct job j = {.rel = rel};
	unsigned long asked = 0;
	pthread_t t;
	int r;

	if (cancel_fn == NULL)
		return compute(rel, NULL, NULL);
	computing = true;
	computing_year = rel->year;
	computing_since_ms = date_mono_ms();
	atomic_init(&j.cancelled, false);
	atomic_init(&j.programmes, 0);
	pthread_mutex_init(&j.lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&j.ended, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&t, NULL, job_main, &j) != 0) {
		r = compute(rel, cancel_fn, cancel_arg);
		goto out;
	}
	pthread_mutex_lock(&j.lock);
	for (;;) {
		job_wait(&j);
		if (j.done)
			break;
		pthread_mutex_unlock(&j.lock);
		if (cancel_fn(cancel_arg))
			atomic_store(&j.cancelled, true);
		asked++;
		pthread_mutex_lock(&j.lock);
	}
	pthread_mutex_unlock(&j.lock);
	pthread_join(t, NULL);
	r = j.r;
	/* asked: how often its watch could read the query socket while the
	 * audit ran; programmes: how often it could between two integer
	 * programmes alone, as it did before. */
	log_debug("event=release_watched group=%s year=%u asked=%lu "
		  "programmes=%lu",
		  group_names[rel->g], rel->year, asked,
		  atomic_load(&j.programmes));
out:
	computing = false;
	pthread_cond_destroy(&j.ended);
	pthread_mutex_destroy(&j.lock);
	return r;
}

bool
release_computing(uint32_t *ret_year, uint64_t *ret_ms)
{
	if (!computing)
		return false;
	*ret_year = computing_year;
	*ret_ms = date_mono_ms() - computing_since_ms;
	return true;
}

/* ---- the cache ------------------------------------------------------- */

/* Frees the release in slot i (which may be empty). */
static void
forget(size_t i)
{
	if (cache[i] == NULL)
		return;
	n_bytes -= cache[i]->bytes;
	n_kept--;
	release_free(&cache[i]);
}

/* Whether r is of a component without records: its own cells all 0. */
static bool
no_records(const struct release *r)
{
	size_t i;

	for (i = 0; i < r->n_own; i++)
		if (r->cells[i].value != 0)
			return false;
	return true;
}

/*
 * The slot of the release least recently asked for other than spare, of
 * those of components without records if there is one, or CACHE_MAX when
 * there is none. Those go first: a year without records is computed in
 * milliseconds, and a secretariat key asking for 64 such years (any of
 * 2000 to 2999) in a second let go of a year's release that took 16 s
 * (hostile56); the years with records are bounded by the store's.
 */
static size_t
oldest(const struct release *spare)
{
	size_t i, o = CACHE_MAX;
	int pass;

	for (pass = 0; pass < 2 && o == CACHE_MAX; pass++)
		for (i = 0; i < CACHE_MAX; i++)
			if (cache[i] != NULL && cache[i] != spare &&
			    (pass == 1 || no_records(cache[i])) &&
			    (o == CACHE_MAX || cache[i]->used < cache[o]->used))
				o = i;
	return o;
}

/* Lets the release in slot i go to make room (logged at debug level). */
static void
evict(size_t i)
{
	log_debug("event=release_evicted group=%s year=%u k=%lld bytes=%zu "
		  "cached=%zu cached_bytes=%zu",
		  group_names[cache[i]->g], cache[i]->year,
		  (long long)cache[i]->k, cache[i]->bytes, (size_t)n_kept,
		  (size_t)n_bytes);
	forget(i);
}

/* Keeps rel, in a free slot or the least recently asked for one's, then
 * lets the oldest others go until the bytes are within the bound. */
static void
keep(struct release *rel)
{
	size_t i, slot = CACHE_MAX;

	for (i = 0; i < CACHE_MAX && slot == CACHE_MAX; i++)
		if (cache[i] == NULL)
			slot = i;
	if (slot == CACHE_MAX) {
		slot = oldest(NULL);
		evict(slot);
	}
	cache[slot] = rel;
	n_bytes += rel->bytes;
	n_kept++;
	while (n_bytes > bytes_max && (i = oldest(rel)) < CACHE_MAX)
		evict(i);
}

/* Into out: the own cells of cells, then the slacks of the relations
 * across years in place of the other years' sums they are worked out
 * from (release_slacks). Returns 0 or -ENOMEM. */
static int
fold(enum release_group g, uint32_t year, int64_t k, const struct rcells *cells,
     struct rcells *out)
{
	struct release *raw = release_new(g, year, k, cells);
	size_t i;
	int r = 0;

	if (raw == NULL)
		return -ENOMEM;
	for (i = 0; i < raw->n_own && r == 0; i++) {
		struct rcell *c = rcells_add(out);
		if (c == NULL)
			r = -ENOMEM;
		else
			*c = raw->cells[i];
	}
	if (r == 0 && raw->n_own < raw->n)
		r = release_slacks(raw, out);
	release_free(&raw);
	return r;
}

int
release_get(enum release_group g, uint32_t year, int64_t k,
	    const struct rcells *gathered, const struct release **ret)
{
	struct rcells folded = {0};
	const struct rcells *cells = &folded;
	struct release *rel;
	size_t i, stale = CACHE_MAX;
	int r;

	r = fold(g, year, k, gathered, &folded);
	if (r != 0)
		goto out;
	for (i = 0; i < CACHE_MAX; i++) {
		struct release *c = cache[i];
		if (c == NULL || c->g != g || c->year != year || c->k != k)
			continue;
		if (c->n == cells->n &&
		    (c->n == 0 || memcmp(c->cells, cells->c,
					 c->n * sizeof(*c->cells)) == 0)) {
			c->used = ++ticks;
			*ret = c;
			goto out;
		}
		stale = i; /* older data of the same component: replaced */
	}
	rel = release_new(g, year, k, cells);
	if (rel == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = compute_watched(rel);
	if (r != 0) {
		release_free(&rel);
		goto out;
	}
	n_computed++;
	rel->serial = ++serials;
	if (stale < CACHE_MAX)
		forget(stale);
	rel->used = ++ticks;
	keep(rel);
	*ret = rel;
out:
	rcells_clear(&folded);
	return r;
}

uint64_t
release_serial(const struct release *r)
{
	return r->serial;
}

const struct release *
release_cached(uint64_t serial)
{
	size_t i;

	for (i = 0; i < CACHE_MAX; i++)
		if (cache[i] != NULL && cache[i]->serial == serial) {
			cache[i]->used = ++ticks;
			return cache[i];
		}
	return NULL;
}

void
release_set_cancel(bool (*cancelled)(void *), void *arg)
{
	cancel_fn = cancelled;
	cancel_arg = arg;
}

bool
release_hidden(const struct release *r, const struct rcell *key)
{
	int i = release_find(r, key);

	return i < 0 || r->hidden[i];
}

void
release_stats(const struct release *r, size_t *ret_cells, size_t *ret_hidden,
	      size_t *ret_unprotected, double *ret_ms)
{
	*ret_cells = r->n_own;
	*ret_hidden = r->n_hidden;
	*ret_unprotected = r->unprotected;
	*ret_ms = r->ms;
}

void
release_cache_clear(void)
{
	size_t i;

	for (i = 0; i < CACHE_MAX; i++)
		forget(i);
}

void
release_cache_counts(uint64_t *ret_computed, size_t *ret_kept,
		     size_t *ret_bytes)
{
	*ret_computed = n_computed;
	*ret_kept = n_kept;
	*ret_bytes = n_bytes;
}

void
release_cache_set_max_bytes(size_t max_bytes)
{
	bytes_max = max_bytes != 0 ? max_bytes : CACHE_BYTES_MAX;
}
