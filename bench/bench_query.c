/*
 * bench_query - how fast the consolidator answers each statistics table
 * with a million events stored.
 *
 * Fills a fresh store through the statistics engine (stats_apply in
 * batches of 4096 per transaction, as ingest does after verifying): a
 * synthetic national picture of N events (default 1,000,000) from the
 * five institutions over two years - victims identified by one to three
 * institutions, referrals and take-ups, services, cases moving through
 * their stages, corrections and withdrawals. Envelopes are not stored:
 * queries never read them. Then, through query_run (the function the
 * query socket calls) and as the secretariat (disclosure control
 * included): first one query per component and year with the release
 * cache emptied before it (cold: the family's disclosure audit computed),
 * then every table 100 times (periods of every kind and regions, for
 * years, drawn at random), printing the median and worst latency of each
 * (warm: answered from the cached releases).
 *
 * With -c COMMITS, before the cold queries, as during saturated ingest:
 * COMMITS times, a commit of 1,024 more events (one batch of the ingest),
 * then one identification query of the latest year as the analyst and one
 * as the secretariat (bench_e2e.sh's queries), and the secretariat's again
 * at the same state of the store, twice: from the release that state gave,
 * and with the year's cells gathered afresh (query_forget_states: as every
 * query did before), each timed on the wall and
 * on the thread's CPU clock; it prints the median and the 99th percentile
 * of each, and how many releases and other years' tables were built.
 *
 * With -i FILE the indicators table answers from that indicator file
 * (config/indicators.conf: sixteen indicators over six tables); without
 * it the table has no rows.
 *
 *   bench_query [-n EVENTS] [-q QUERIES] [-c COMMITS] [-d PARENT]
 *               [-i INDICATORS]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "indfile.h"
#include "keys.h"
#include "log.h"
#include "lp.h"
#include "query.h"
#include "registry.h"
#include "release.h"
#include "stats.h"
#include "store.h"

#include "util.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned
below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
pseudonym(uint64_t n, uint8_t tag, uint8_t out[PSEUDONYM_LEN])
{
	uint64_t x = n * 0x2545f4914f6cdd1dull + tag;
	int i;

	for (i = 0; i < PSEUDONYM_LEN; i++) {
		x ^= x >> 33;
		x *= 0xff51afd7ed558ccdull;
		out[i] = (uint8_t)(x >> 24);
	}
	out[0] = tag; /* never the 0xff.. of unlinkable keys */
}

/* Regions weighted like the demo's: Lima, Loreto, Madre de Dios, Puno. */
static uint8_t
region(void)
{
	static const uint8_t heavy[] = {15, 15, 15, 16, 16, 17, 21, 8};
	return below(2) ? heavy[below(8)] : (uint8_t)(1 + below(25));
}

/*
 * Victim v as one institution recorded her: her document key (85% of
 * victims have one; a record carries it 75% of the time) and her name key
 * (90%; 85%), one victim in a hundred sharing her name key with the one
 * before (another child); 4% of victims never linkable.
 */
static void
victim(uint64_t v, struct victim *out)
{
	static const char *const nat[] = {"PE", "PE", "PE", "PE", "PE", "PE",
					  "VE", "VE", "CO", "EC", "BO"};
	memset(out, 0, sizeof(*out));
	if (v % 25 != 0) {
		if (v % 100 < 85 && below(100) < 75) {
			out->doc_type = DOC_DNI;
			pseudonym(v, 1, out->doc_key);
		}
		if (v % 10 != 0 && below(100) < 85) {
			out->has_name_key = true;
			pseudonym(v % 100 == 99 ? v - 1 : v, 4, out->name_key);
		}
	}
	out->sex = v % 5 == 0 ? SEX_M : SEX_F;
	out->age_years = (uint8_t)(6 + v % 14);
	out->age_group = age_group_of(out->age_years);
	memcpy(out->nationality, nat[v % 11], 3);
}

/* One synthetic event of institution i; seq is its sequence number. */
static void
make(enum institution i, uint64_t seq, uint64_t victims, int32_t day0,
     struct event *ev)
{
	struct record *r = &ev->rec;
	uint64_t v = rnd() % victims;
	unsigned pick = below(10);

	memset(ev, 0, sizeof(*ev));
	r->date = day0 + (int32_t)below(730);
	r->region = region();
	if (seq > 10 && below(100) == 0) { /* a withdrawal now and then */
		ev->kind = KIND_WITHDRAWAL;
		ev->target_seq = seq - 1 - below(10);
		return;
	}
	if (i == INST_PJ || (i != INST_MIMP && i != INST_MINSA && pick < 3)) {
		static const enum stage by_inst[][4] = {
		    [INST_PNP] = {STAGE_COMPLAINT,
				  STAGE_PRELIMINARY_INVESTIGATION,
				  STAGE_COMPLAINT, STAGE_COMPLAINT},
		    [INST_MP] = {STAGE_PRELIMINARY_INVESTIGATION,
				 STAGE_FORMALIZED_INVESTIGATION,
				 STAGE_ACCUSATION, STAGE_DISMISSAL},
		    [INST_PJ] = {STAGE_TRIAL, STAGE_CONVICTION, STAGE_ACQUITTAL,
				 STAGE_DISMISSAL},
		};
		r->kind = KIND_CASE_STAGE;
		pseudonym(v / 2, 3, r->case_id);
		r->n_victims = 1;
		victim(v, &r->victims[0]);
		r->stage = by_inst[i][below(4)];
		r->persons = 1 + below(3);
		snprintf(r->article, sizeof(r->article), "129-A");
	} else if (pick < 6) {
		r->kind = KIND_IDENTIFICATION;
		victim(v, &r->victim);
		r->exploitation = 1u << (1 + below(EXPL_COUNT));
	} else if (pick < 8) {
		r->kind = KIND_REFERRAL;
		victim(v, &r->victim);
		r->other = i == INST_MIMP ? INST_MINSA : INST_MIMP;
		r->purpose = PURPOSE_PROTECTION;
		pseudonym(v * 8 + i, 2, r->referral);
	} else if (i == INST_MIMP || i == INST_MINSA) {
		if (pick == 8) {
			r->kind = KIND_SERVICE;
			victim(v, &r->victim);
			r->service = (enum service)(1 + below(SERVICE_COUNT));
		} else {
			/* The take-up of a referral the police sent. */
			r->kind = KIND_REFERRAL_RECEIVED;
			victim(v, &r->victim);
			r->other = INST_PNP;
			pseudonym(v * 8 + INST_PNP, 2, r->referral);
		}
	} else {
		r->kind = KIND_IDENTIFICATION;
		victim(v, &r->victim);
		r->exploitation = 1u << (1 + below(EXPL_COUNT));
	}
	ev->kind = r->kind;
}

/* The fill: n more events through stats_apply, in transactions of up to
 * per_txn, as the ingest commits them. */
static void
fill(struct store *st, struct stats *stats, struct event *ev, size_t n,
     size_t per_txn, size_t victims, uint64_t seq[INST_COUNT + 1], int32_t day0)
{
	size_t done = 0;
	int r;

	while (done < n) {
		struct store_txn *txn;
		size_t j;
		r = store_begin(st, true, &txn);
		if (r != 0)
			bench_die("store_begin", r);
		stats_begin(stats, txn);
		for (j = 0; j < per_txn && done < n; j++, done++) {
			enum institution i = (enum institution)(1 + below(5));
			make(i, ++seq[i], victims, day0, ev);
			/* Accepted within days, some months later. */
			r = stats_apply(stats, i, seq[i], ev,
					ev->rec.date +
					    (int32_t)(below(5) == 0
							  ? below(300)
							  : below(20)));
			if (r != 0)
				bench_die("stats_apply", r);
		}
		r = stats_flush(stats);
		if (r != 0)
			bench_die("stats_flush", r);
		r = store_commit(&txn);
		if (r != 0)
			bench_die("store_commit", r);
		stats_committed(stats);
	}
}

/*
 * The first query of each component after its counters changed: the
 * secretariat's release computed from nothing (release.h). One table per
 * component, each year, the cache emptied first: each query here is the
 * first of its component.
 */
static void
cold(struct store *st, const struct reg_party *who)
{
	static const char *const tables[] = {"identification", "referrals",
					     "protection", "prosecution"};
	size_t i;
	int y;

	printf("cold: the first query of each component, its release "
	       "computed\n");
	release_cache_clear();
	printf("%-16s %6s %10s %8s %8s\n", "table", "year", "cold_ms",
	       "rows", "hidden");
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (y = 2024; y <= 2025; y++) {
			struct query_req req;
			struct qtable tab;
			double s;
			size_t j, hidden = 0;
			int r;
			memset(&req, 0, sizeof(req));
			snprintf(req.table, sizeof(req.table), "%s", tables[i]);
			snprintf(req.period, sizeof(req.period), "%d", y);
			s = bench_now_s();
			r = query_run(st, &req, who, 10, &tab);
			s = (bench_now_s() - s) * 1e3;
			if (r != 0)
				bench_die(tables[i], r);
			for (j = 0; j < tab.n_rows * tab.n_cols; j++)
				hidden += tab.rows[j / tab.n_cols][j % tab.n_cols]
					      .kind == CELL_SUPPRESSED;
			printf("%-16s %6d %10.1f %8zu %8zu\n", tables[i], y, s,
			       tab.n_rows, hidden);
			codec_qtable_clear(&tab);
		}
}

static void
report(const char *what, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	printf("%-30s p50=%.3f p99=%.3f max=%.3f\n", what, v[(n - 1) / 2],
	       v[(n * 99 + 99) / 100 - 1], v[n - 1]);
}

/*
 * As during saturated ingest: commits times, a batch of 1,024 events
 * committed, then the analyst's and the secretariat's identification of
 * the latest year (2025), timed.
 */
static void
committing(struct store *st, struct stats *stats, struct event *ev,
	   size_t commits, size_t victims, uint64_t seq[INST_COUNT + 1],
	   int32_t day0)
{
	const struct reg_party who[2] = {{.role = ROLE_ANALYST},
					 {.role = ROLE_SECRETARIAT}};
	double *v = calloc(8 * commits, sizeof(*v));
	uint64_t rel0, rel1, oth0 = query_others_built();
	size_t c, w, kept, bytes;

	if (v == NULL)
		bench_die("calloc", -ENOMEM);
	release_cache_counts(&rel0, &kept, &bytes);
	for (c = 0; c < commits; c++) {
		fill(st, stats, ev, 1024, 1024, victims, seq, day0);
		for (w = 0; w < 4; w++) {
			struct query_req req;
			struct qtable tab;
			double s = bench_now_s(), u = cpu_s();
			int r;
			memset(&req, 0, sizeof(req));
			snprintf(req.table, sizeof(req.table),
				 "identification");
			snprintf(req.period, sizeof(req.period), "2025");
			if (w == 3)
				query_forget_states(); /* as before */
			r = query_run(st, &req, &who[w < 2 ? w : 1], 10, &tab);
			v[(2 * w) * commits + c] = (bench_now_s() - s) * 1e3;
			v[(2 * w + 1) * commits + c] = (cpu_s() - u) * 1e3;
			if (r != 0)
				bench_die("identification", r);
			codec_qtable_clear(&tab);
		}
	}
	release_cache_counts(&rel1, &kept, &bytes);
	printf("committing: %zu commits of 1024 events, each followed by "
	       "the analyst's and the secretariat's identification 2025, "
	       "then the secretariat's again, and again with its cells "
	       "gathered afresh (ms)\n",
	       commits);
	report("analyst wall", v, commits);
	report("analyst cpu", v + commits, commits);
	report("secretariat wall", v + 2 * commits, commits);
	report("secretariat cpu", v + 3 * commits, commits);
	report("secretariat again wall", v + 4 * commits, commits);
	report("secretariat again cpu", v + 5 * commits, commits);
	report("again, gathered afresh wall", v + 6 * commits, commits);
	report("again, gathered afresh cpu", v + 7 * commits, commits);
	printf("releases_computed=%llu others_built=%llu\n",
	       (unsigned long long)(rel1 - rel0),
	       (unsigned long long)(query_others_built() - oth0));
	free(v);
}

int
main(int argc, char **argv)
{
	const char *parent = "/tmp", *ind_path = NULL;
	struct indset *indicators = NULL;
	size_t events = 1000000, queries = 100, commits = 0;
	char dir[512], cmd[600];
	struct store *st = NULL;
	struct stats *stats;
	struct event *ev;
	uint64_t seq[INST_COUNT + 1] = {0};
	int32_t day0 = date_from_ymd(2024, 1, 1);
	struct reg_party who = {.role = ROLE_SECRETARIAT};
	double t0, fill_s;
	int ch, r, t;

	lp_process_init(); /* as kuska-consolidator does */
	while ((ch = getopt(argc, argv, "n:q:c:d:i:")) != -1) {
		switch (ch) {
		case 'n':
			events = strtoul(optarg, NULL, 10);
			break;
		case 'q':
			queries = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			commits = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			parent = optarg;
			break;
		case 'i':
			ind_path = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_query [-n EVENTS] "
					"[-q QUERIES] [-c COMMITS] "
					"[-d PARENT] "
					"[-i INDICATORS]\n");
			return 2;
		}
	}
	if (events == 0 || queries == 0)
		return 2;
	if (ind_path != NULL) {
		struct indfile_msgs m = {0};
		r = indfile_load(ind_path, &indicators, &m);
		if (r != 0) {
			fprintf(stderr, "bench_query: %s\n",
				m.n > 0 ? m.items[0].text : strerror(-r));
			return 2;
		}
		indfile_msgs_clear(&m);
		query_set_indicators(indicators);
	}
	log_init("bench_query", 0);
	snprintf(dir, sizeof(dir), "%s/kuska-bq.XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	r = store_open(dir, (size_t)4 << 30, (size_t)4 << 30, &st);
	if (r != 0)
		bench_die("store_open", r);
	stats = stats_new();
	ev = malloc(sizeof(*ev));
	if (stats == NULL || ev == NULL || stats_load(stats, st) != 0)
		bench_die("setup", -ENOMEM);

	fprintf(stderr,
		"bench_query: storing the statistics of %zu events "
		"in %s ...\n",
		events, dir);
	t0 = bench_now_s();
	fill(st, stats, ev, events, 4096, events / 7 + 1, seq, day0);
	fill_s = bench_now_s() - t0;
	printf("events=%zu fill_s=%.1f (%.1f us/event through stats_apply, "
	       "no verification)\n",
	       events, fill_s, fill_s * 1e6 / (double)events);
	printf("map_bytes=%zu\n", store_map_size(st));
	if (commits > 0)
		committing(st, stats, ev, commits, events / 7 + 1, seq, day0);
	cold(st, &who);
	printf("warm: every table %zu times, the secretariat's releases "
	       "cached\n",
	       queries);
	printf("%-16s %10s %10s %8s\n", "table", "median_ms", "worst_ms",
	       "rows");
	for (t = 0; query_tables[t] != NULL; t++) {
		double *lat = calloc(queries, sizeof(*lat));
		size_t q, rows = 0;
		if (lat == NULL)
			bench_die("calloc", -ENOMEM);
		if (strcmp(query_tables[t], "sdg16_2_2") == 0) {
			/* It needs a population file: none here. */
			printf("%-16s (no population file: not measured)\n",
			       query_tables[t]);
			free(lat);
			continue;
		}
		for (q = 0; q < queries; q++) {
			struct query_req req;
			struct qtable tab;
			double s;
			unsigned y = 2024 + below(2), qu = below(7);
			memset(&req, 0, sizeof(req));
			snprintf(req.table, sizeof(req.table), "%s",
				 query_tables[t]);
			if (qu == 0)
				snprintf(req.period, sizeof(req.period), "%u",
					 y);
			else if (strcmp(req.table, "indicators") == 0)
				/* by year or semester only */
				snprintf(req.period, sizeof(req.period),
					 "%uH%u", y, 1 + qu % 2);
			else if (qu <= 4)
				snprintf(req.period, sizeof(req.period),
					 "%uQ%u", y, qu);
			else
				snprintf(req.period, sizeof(req.period),
					 "%uH%u", y, qu - 4);
			/* The secretariat asks regions for years only, and
			 * not for the overlap, the breakdown, the estimate
			 * or the timeliness, nor the funnel. */
			req.region =
			    qu == 0 && below(2) == 0 &&
				    strcmp(query_tables[t], "overlap") &&
				    strcmp(query_tables[t], "breakdown") &&
				    strcmp(query_tables[t], "estimate") &&
				    strcmp(query_tables[t], "timeliness") &&
				    strcmp(query_tables[t], "funnel")
				? region()
				: 0;
			s = bench_now_s();
			r = query_run(st, &req, &who, 10, &tab);
			lat[q] = (bench_now_s() - s) * 1e3;
			if (r != 0)
				bench_die(query_tables[t], r);
			rows += tab.n_rows;
			codec_qtable_clear(&tab);
		}
		qsort(lat, queries, sizeof(*lat), bench_cmp_double);
		printf("%-16s %10.3f %10.3f %8.1f\n", query_tables[t],
		       lat[(queries - 1) / 2], lat[queries - 1],
		       (double)rows / (double)queries);
		free(lat);
	}
	stats_free(&stats);
	store_close(&st);
	query_set_indicators(NULL);
	indset_free(&indicators);
	free(ev);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_query: could not remove %s\n", dir);
	return 0;
}
