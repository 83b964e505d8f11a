/*
 * test_estimate_table.c - the live estimate table (estimate_table.h) and
 * the SDG 16.2.2 table made from it (sdg_table.h), over a real LMDB store
 * filled by the statistics engine (stats_apply, as ingest does), through
 * query_run.
 *
 * The estimate: two lists whose estimate has a closed form (Lincoln and
 * Petersen) and every figure equal to lib/mse on the same histories; an
 * institution whose victims are all unlinkable is no list, and the note
 * counts them; the refusals (no overlap, one list, nobody) as rows with
 * the reason; a region; the bootstrap row equal to mse_bootstrap, its
 * cap and the daemon's budget; the roles: the secretariat's rounding and
 * suppression (shown exactly when its overlap table is, in every period
 * it may ask for), an institution refused.
 *
 * The SDG table: the population file's figures, the victims by sex and
 * by age group as the breakdown gives them, rates per 100,000 worked
 * out here, the estimate's rate, the secretariat's view, and the
 * refusals (no population file, no figures for the year or region).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "date.h"
#include "estimate_table.h"
#include "event.h"
#include "indfile.h"
#include "mse/mse.h"
#include "popfile.h"
#include "query.h"
#include "registry.h"
#include "release.h"
#include "sdg_table.h"
#include "stats.h"
#include "store.h"

#define K 10

static const struct reg_party analyst = {.role = ROLE_ANALYST};
static const struct reg_party secretariat = {.role = ROLE_SECRETARIAT};
static const struct reg_party pnp = {.role = ROLE_INSTITUTION,
				     .inst = INST_PNP};
static const struct reg_party nobody = {.role = ROLE_NONE};

/* ---- the store ------------------------------------------------------------
 */

struct world {
	char dir[64];
	struct store *st;
	uint64_t seq[INST_COUNT + 1];
	struct stats *stats;
	struct store_txn *txn;
};

static struct world *W;

/* Victim n: F when n is odd; 20 years old when n is a multiple of 3,
 * else 10; linkable unless n is 0 (then anonymous). */
static void
victim(unsigned n, struct victim *v)
{
	unsigned years = n % 3 == 0 ? 20 : 10;

	memset(v, 0, sizeof(*v));
	v->doc_type = n != 0 ? DOC_DNI : DOC_NONE;
	v->doc_key[0] = 7;
	v->doc_key[1] = (uint8_t)(n >> 8);
	v->doc_key[2] = (uint8_t)n;
	v->sex = n % 2 ? SEX_F : SEX_M;
	v->age_years = (uint8_t)years;
	v->age_group = age_group_of(years);
	memcpy(v->nationality, "PE", 3);
}

static void
identify(enum institution inst, unsigned v, int32_t date, uint8_t region)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = ev.rec.kind = KIND_IDENTIFICATION;
	ev.rec.date = date;
	ev.rec.region = region;
	victim(v, &ev.rec.victim);
	ev.rec.exploitation = 1u << EXPL_SEXUAL;
	/* Accepted the day it happened. */
	assert_int_equal(
	    stats_apply(W->stats, inst, ++W->seq[inst], &ev, date), 0);
}

/* Victims from..to identified by inst. */
static void
identify_range(enum institution inst, unsigned from, unsigned to, int32_t date,
	       uint8_t region)
{
	unsigned v;

	for (v = from; v <= to; v++)
		identify(inst, v, date, region);
}

/*
 * The store. 2025 has no count from 1 to k-1 in any table of its victims,
 * so the secretariat is shown all of them, and every estimate:
 *  Q1 (February, Lima): PNP alone 30 victims (1..30), MIMP alone 20
 *     (31..50), both 10 (51..60): N = 40 x 30 / 10 = 120.
 *  Q2 (May, Lima): PNP alone 20 (101..120), MIMP alone 20 (121..140),
 *     none by both: no estimate.
 *  Q3: nobody.
 *  Q4 (November, Lima): PNP alone, 30 (301..330): one list.
 * 2024's victims are all in Q3 and some of its counts are tiny, so the
 * secretariat is shown none of its estimates:
 *  Q3 (August, Loreto): PNP alone 25 (201..225), MINSA alone 15
 *     (226..240), both 12 (241..252), one more by PNP, MINSA and MIMP
 *     (253); 2 unlinkable by MP, so MP is no list, and 2 by MIMP.
 * 2023: nobody.
 * 2022 (February, Apurímac): PNP alone 10 (401..410), MIMP alone 10
 *     (411..420), both 3 (421..423): too sparse to trust.
 */
static int
world_setup(void **state)
{
	int32_t q1 = date_from_ymd(2025, 2, 1), q2 = date_from_ymd(2025, 5, 1),
		q4 = date_from_ymd(2025, 11, 1),
		q3_24 = date_from_ymd(2024, 8, 1),
		q1_22 = date_from_ymd(2022, 2, 1);

	(void)state;
	W = calloc(1, sizeof(*W));
	if (W == NULL)
		return -1;
	snprintf(W->dir, sizeof(W->dir), "/tmp/kuska-est-XXXXXX");
	if (mkdtemp(W->dir) == NULL ||
	    store_open(W->dir, 8u << 20, 64u << 20, &W->st) != 0)
		return -1;
	W->stats = stats_new();
	if (W->stats == NULL || stats_load(W->stats, W->st) != 0 ||
	    store_begin(W->st, true, &W->txn) != 0)
		return -1;
	stats_begin(W->stats, W->txn);
	identify_range(INST_PNP, 1, 30, q1, 15);
	identify_range(INST_MIMP, 31, 50, q1, 15);
	identify_range(INST_PNP, 51, 60, q1, 15);
	identify_range(INST_MIMP, 51, 60, q1, 15);
	identify_range(INST_PNP, 101, 120, q2, 15);
	identify_range(INST_MIMP, 121, 140, q2, 15);
	identify_range(INST_PNP, 301, 330, q4, 15);
	identify_range(INST_PNP, 201, 225, q3_24, 16);
	identify_range(INST_MINSA, 226, 240, q3_24, 16);
	identify_range(INST_PNP, 241, 253, q3_24, 16);
	identify_range(INST_MINSA, 241, 253, q3_24, 16);
	identify(INST_MIMP, 253, q3_24, 16);
	identify(INST_MP, 0, q3_24, 16);
	identify(INST_MP, 0, q3_24, 16);
	identify(INST_MIMP, 0, q3_24, 16);
	identify(INST_MIMP, 0, q3_24, 16);
	identify_range(INST_PNP, 401, 410, q1_22, 2);
	identify_range(INST_MIMP, 411, 420, q1_22, 2);
	identify_range(INST_PNP, 421, 423, q1_22, 2);
	identify_range(INST_MIMP, 421, 423, q1_22, 2);
	if (stats_flush(W->stats) != 0 || store_commit(&W->txn) != 0)
		return -1;
	stats_committed(W->stats);
	*state = W;
	return 0;
}

static int
world_teardown(void **state)
{
	char cmd[128];

	(void)state;
	sdg_set_population(NULL);
	stats_free(&W->stats);
	store_close(&W->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", W->dir);
	if (system(cmd) != 0)
		return -1;
	free(W);
	return 0;
}

/* ---- reading answers ------------------------------------------------------
 */

/* Runs query_run; returns its result, the table in *t. */
static int
ask(const char *table, const char *period, uint32_t region, uint32_t boot,
    uint64_t seed, const struct reg_party *who, struct qtable *t)
{
	struct query_req q;

	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "%s", table);
	snprintf(q.period, sizeof(q.period), "%s", period);
	q.region = region;
	q.boot = boot;
	q.seed = seed;
	return query_run(W->st, &q, who, K, t);
}

static const struct cell *
at(const struct qtable *t, size_t row, const char *column)
{
	size_t c;

	for (c = 0; c < t->n_cols && strcmp(t->cols[c], column) != 0; c++)
		;
	if (c == t->n_cols || row >= t->n_rows)
		fail_msg("no cell %zu %s", row, column);
	return &t->rows[row][c];
}

static const char *
text(const struct qtable *t, size_t row, const char *column)
{
	const struct cell *c = at(t, row, column);

	return c->kind == CELL_TEXT || c->kind == CELL_DECIMAL
		   ? codec_cell_str(c)
		   : "";
}

/* A number cell's value; fails when the cell holds none. */
static int64_t
number(const struct qtable *t, size_t row, const char *column)
{
	const struct cell *c = at(t, row, column);

	if (c->kind != CELL_NUMBER)
		fail_msg("row %zu %s: no number (kind %d)", row, column,
			 c->kind);
	return c->number;
}

static bool
empty(const struct qtable *t, size_t row, const char *column)
{
	return at(t, row, column)->kind == CELL_EMPTY;
}

/* The histories of lists names[0..k-1], counts by history. */
static struct mse_table
histories(unsigned k, const char *const *names, const uint64_t *counts)
{
	struct mse_table t;
	unsigned h;

	assert_int_equal(mse_table_init(&t, k, names), 0);
	for (h = 1; h < (1u << k); h++)
		assert_int_equal(mse_table_set(&t, h, counts[h]), 0);
	return t;
}

/* Row `row` of the analyst's estimate table equals e, to the victim. */
static void
expect_row(const struct qtable *t, size_t row, const char *method,
	   const struct mse_estimate *e)
{
	assert_string_equal(text(t, row, "method"), method);
	assert_int_equal(number(t, row, "observed"), e->observed);
	assert_int_equal(number(t, row, "estimate"), llround(e->estimate));
	assert_int_equal(number(t, row, "low95"), llround(e->low95));
	assert_int_equal(number(t, row, "high95"), llround(e->high95));
}

/* ---- the estimate ------------------------------------------------------- */

/* Q1's histories: pnp alone 30, mimp alone 20, both 10. */
static const char *const q1_names[] = {"pnp", "mimp"};
static const uint64_t q1_counts[] = {0, 30, 20, 10};

static void
test_estimate_two_lists(void **state)
{
	struct mse_table h = histories(2, q1_names, q1_counts);
	struct mse_estimate main, step;
	struct qtable t;
	double se;

	(void)state;
	assert_int_equal(ask("estimate", "2025Q1", 0, 0, 0, &analyst, &t), 0);
	assert_int_equal(t.n_cols, 9);
	assert_string_equal(t.cols[0], "period");
	assert_string_equal(t.cols[8], "note");
	assert_int_equal(t.n_rows, 2);
	assert_string_equal(text(&t, 0, "period"), "2025Q1");
	assert_string_equal(text(&t, 0, "lists"), "pnp+mimp");
	/* Lincoln and Petersen: 40 x 30 / 10, var = 1/30 + 1/20 + 1/10. */
	assert_int_equal(number(&t, 0, "estimate"), 120);
	se = sqrt(1.0 / 30 + 1.0 / 20 + 1.0 / 10);
	assert_int_equal(number(&t, 0, "low95"),
			 llround(60 + 60 * exp(-1.959964 * se)));
	assert_int_equal(number(&t, 0, "high95"),
			 llround(60 + 60 * exp(1.959964 * se)));
	assert_int_equal(mse_estimate(&h, MSE_MAIN, &main), 0);
	assert_int_equal(mse_estimate(&h, MSE_STEPWISE, &step), 0);
	expect_row(&t, 0, "main", &main);
	expect_row(&t, 1, "stepwise", &step);
	assert_string_equal(text(&t, 0, "interactions"), "");
	assert_string_equal(text(&t, 0, "note"), MSE_CONDITIONAL_NOTE);
	codec_qtable_clear(&t);

	/* The same for Lima, where they all are; nobody in Loreto. */
	assert_int_equal(ask("estimate", "2025Q1", 15, 0, 0, &analyst, &t), 0);
	assert_int_equal(number(&t, 1, "estimate"), 120);
	codec_qtable_clear(&t);
	assert_int_equal(ask("estimate", "2025Q1", 16, 0, 0, &analyst, &t), 0);
	assert_int_equal(t.n_rows, 2);
	assert_true(empty(&t, 0, "estimate"));
	assert_int_equal(number(&t, 0, "observed"), 0);
	assert_string_equal(text(&t, 0, "note"),
			    "no estimate: no linkable victim identified in the "
			    "period");
	codec_qtable_clear(&t);
}

/* 2024Q3: MP's victims are all unlinkable, so MP is no list; the note
 * counts the unlinkable victims. */
static void
test_estimate_unlinkable(void **state)
{
	/* pnp, mimp, minsa: bits 1, 2, 4. */
	static const char *const names[] = {"pnp", "mimp", "minsa"};
	static const uint64_t counts[] = {0, 25, 0, 0, 15, 12, 0, 1};
	struct mse_table h = histories(3, names, counts);
	struct mse_estimate e;
	const char *methods[2] = {"main", "stepwise"};
	char buf[256];
	struct qtable t;
	size_t r;

	(void)state;
	assert_int_equal(ask("estimate", "2024Q3", 0, 0, 0, &analyst, &t), 0);
	for (r = 0; r < 2; r++) {
		assert_string_equal(text(&t, r, "lists"), "pnp+mimp+minsa");
		assert_int_equal(number(&t, r, "observed"), 53);
		assert_int_equal(
		    mse_estimate(&h, r == 0 ? MSE_MAIN : MSE_STEPWISE, &e), 0);
		if (e.status == MSE_ESTIMATED) {
			expect_row(&t, r, methods[r], &e);
			assert_string_equal(
			    text(&t, r, "interactions"),
			    mse_format_interactions(&h, &e, buf, sizeof(buf)));
		} else {
			assert_true(empty(&t, r, "estimate"));
			assert_non_null(strstr(text(&t, r, "note"), e.reason));
		}
		assert_non_null(
		    strstr(text(&t, r, "note"),
			   "4 unlinkable victims left out (not in the "
			   "overlap)"));
	}
	codec_qtable_clear(&t);
}

/* The refusals are rows: the estimate empty, the reason in the note. */
static void
test_estimate_refusals(void **state)
{
	struct qtable t;
	size_t r;

	(void)state;
	/* Q2: two lists that never overlap. */
	assert_int_equal(ask("estimate", "2025Q2", 0, 0, 0, &analyst, &t), 0);
	assert_int_equal(t.n_rows, 2);
	for (r = 0; r < 2; r++) {
		assert_string_equal(text(&t, r, "lists"), "pnp+mimp");
		assert_int_equal(number(&t, r, "observed"), 40);
		assert_true(empty(&t, r, "estimate"));
		assert_true(empty(&t, r, "low95"));
		assert_true(empty(&t, r, "high95"));
		assert_non_null(strstr(text(&t, r, "note"), "more than one"));
	}
	codec_qtable_clear(&t);
	/* Q4: one list. */
	assert_int_equal(ask("estimate", "2025Q4", 0, 0, 0, &analyst, &t), 0);
	assert_string_equal(text(&t, 0, "lists"), "pnp");
	assert_true(empty(&t, 1, "estimate"));
	assert_true(strlen(text(&t, 1, "note")) > 0);
	codec_qtable_clear(&t);
	/* Nobody: 2025Q3, 2023. */
	assert_int_equal(ask("estimate", "2025Q3", 0, 0, 0, &analyst, &t), 0);
	assert_string_equal(text(&t, 0, "lists"), "");
	assert_true(empty(&t, 1, "estimate"));
	codec_qtable_clear(&t);
	assert_int_equal(ask("estimate", "2023", 0, 0, 0, &analyst, &t), 0);
	assert_string_equal(text(&t, 0, "lists"), "");
	assert_true(empty(&t, 1, "estimate"));
	codec_qtable_clear(&t);
	/* Bad requests. */
	assert_int_equal(ask("estimate", "2025Q5", 0, 0, 0, &analyst, &t),
			 -EINVAL);
	assert_non_null(strstr(t.error, "bad period"));
	codec_qtable_clear(&t);
	assert_int_equal(ask("estimate", "2025", 26, 0, 0, &analyst, &t),
			 -EINVAL);
	assert_non_null(strstr(t.error, "region"));
	codec_qtable_clear(&t);
}

static void
test_estimate_bootstrap(void **state)
{
	struct mse_table h = histories(2, q1_names, q1_counts);
	char note[MSE_REASON_MAX];
	struct mse_boot b;
	struct qtable t;

	(void)state;
	assert_int_equal(ask("estimate", "2025Q1", 0, 300, 5, &analyst, &t), 0);
	assert_int_equal(t.n_rows, 3);
	assert_int_equal(mse_bootstrap(&h, MSE_STEPWISE, 300, 5, &b, NULL), 0);
	assert_string_equal(text(&t, 2, "method"), "bootstrap");
	assert_int_equal(number(&t, 2, "observed"), 60);
	assert_int_equal(number(&t, 2, "estimate"), 120);
	assert_int_equal(number(&t, 2, "low95"), llround(b.low95));
	assert_int_equal(number(&t, 2, "high95"), llround(b.high95));
	assert_string_equal(text(&t, 2, "note"),
			    mse_format_boot_note(&h, &b, note, sizeof(note)));
	assert_string_equal(text(&t, 2, "note"),
			    "BCa 95%, 300 resamples of stepwise, seed 5");
	codec_qtable_clear(&t);

	/* Past the cap; on another table. */
	assert_int_equal(ask("estimate", "2025Q1", 0, ESTIMATE_MAX_BOOT + 1, 1,
			     &analyst, &t),
			 -EINVAL);
	assert_non_null(strstr(t.error, "at most 10000"));
	codec_qtable_clear(&t);
	assert_int_equal(ask("overlap", "2025Q1", 0, 10, 1, &analyst, &t),
			 -EINVAL);
	assert_non_null(strstr(t.error, "estimate table only"));
	codec_qtable_clear(&t);
}

/* The daemon's budget: a minute's worth, refilled evenly. */
static void
test_boot_budget(void **state)
{
	struct boot_budget b = {0};
	unsigned wait_s = 0;

	(void)state;
	assert_true(boot_budget_take(&b, ESTIMATE_MAX_BOOT, 1000, &wait_s));
	assert_true(boot_budget_take(&b, ESTIMATE_MAX_BOOT, 1000, &wait_s));
	assert_false(boot_budget_take(&b, 1, 1000, &wait_s));
	assert_int_equal(wait_s, 1);
	assert_false(boot_budget_take(&b, ESTIMATE_MAX_BOOT, 1000, &wait_s));
	assert_int_equal(wait_s, 30); /* half the bucket: half a minute */
	/* Half a minute later, half is back. */
	assert_true(boot_budget_take(&b, ESTIMATE_MAX_BOOT, 31000, &wait_s));
	assert_false(boot_budget_take(&b, 100, 31000, &wait_s));
	/* Never more than the bucket holds. */
	assert_true(
	    boot_budget_take(&b, ESTIMATE_BOOT_PER_MINUTE, 3600000, &wait_s));
	assert_false(boot_budget_take(&b, 1, 3600000, &wait_s));
}

static int64_t
round10(double v)
{
	return (int64_t)llround(v / 10) * 10;
}

/* Which victims cells of the secretariat's overlap table are shown: all
 * its linkable rows (*linkable), its unlinkable row (*unlinkable); and
 * whether all of them are. */
static bool
overlap_shown(const char *period, bool *linkable, bool *unlinkable)
{
	struct qtable o;
	bool all = true;
	size_t r;

	*linkable = true;
	*unlinkable = false;
	assert_int_equal(ask("overlap", period, 0, 0, 0, &secretariat, &o), 0);
	/* No row would read as all shown. */
	assert_true(o.n_rows > 0);
	for (r = 0; r < o.n_rows; r++) {
		bool shown = at(&o, r, "victims")->kind == CELL_NUMBER;
		if (strcmp(text(&o, r, "institutions"), "unlinkable") == 0)
			*unlinkable = shown;
		else
			*linkable = *linkable && shown;
		all = all && shown;
	}
	codec_qtable_clear(&o);
	return all;
}

static bool
overlap_all_shown(const char *period)
{
	bool linkable, unlinkable;

	return overlap_shown(period, &linkable, &unlinkable);
}

/* Whether the secretariat is shown the identification total. */
static bool
total_shown(const char *period)
{
	struct qtable t;
	bool shown = false;
	size_t r;

	assert_int_equal(
	    ask("identification", period, 0, 0, 0, &secretariat, &t), 0);
	for (r = 0; r < t.n_rows; r++)
		if (strcmp(text(&t, r, "institution"), "all") == 0)
			shown = at(&t, r, "victims")->kind == CELL_NUMBER;
	codec_qtable_clear(&t);
	return shown;
}

static void
test_estimate_secretariat(void **state)
{
	struct mse_table h = histories(2, q1_names, q1_counts);
	struct mse_estimate e;
	struct mse_boot b;
	struct qtable t;
	bool linkable, unlinkable;
	size_t r;

	(void)state;
	/* Q1: every overlap cell is shown to the secretariat, so it sees
	 * the estimate and its intervals, rounded to 10. */
	assert_true(overlap_all_shown("2025Q1"));
	assert_int_equal(ask("estimate", "2025Q1", 0, 300, 5, &secretariat, &t),
			 0);
	assert_string_equal(t.role, "secretariat");
	assert_int_equal(t.n_rows, 3);
	for (r = 0; r < 2; r++) {
		assert_int_equal(
		    mse_estimate(&h, r == 0 ? MSE_MAIN : MSE_STEPWISE, &e), 0);
		assert_int_equal(number(&t, r, "observed"), 60);
		assert_int_equal(number(&t, r, "estimate"),
				 round10(e.estimate));
		assert_int_equal(number(&t, r, "low95"), round10(e.low95));
		assert_int_equal(number(&t, r, "high95"), round10(e.high95));
		assert_int_equal(number(&t, r, "low95") % 10, 0);
		assert_true(number(&t, r, "low95") !=
			    llround(e.low95)); /* 86: rounded */
	}
	assert_int_equal(mse_bootstrap(&h, MSE_STEPWISE, 300, 5, &b, NULL), 0);
	assert_int_equal(number(&t, 2, "low95"), round10(b.low95));
	assert_int_equal(number(&t, 2, "high95"), round10(b.high95));
	codec_qtable_clear(&t);

	/* 2024Q3: the unlinkable 4 and the single victim of three lists are
	 * hidden in its overlap: everything computed from the overlap is
	 * suppressed, the note counts nothing, and the observed total is
	 * hidden too: the linkable rows would give it (and with it a hidden
	 * row) away, and so would the unlinkable row with the total. */
	assert_false(overlap_shown("2024Q3", &linkable, &unlinkable));
	assert_false(linkable);
	assert_false(unlinkable && total_shown("2024Q3"));
	assert_int_equal(ask("estimate", "2024Q3", 0, 50, 1, &secretariat, &t),
			 0);
	assert_int_equal(t.n_rows, 3);
	for (r = 0; r < 3; r++) {
		assert_string_equal(text(&t, r, "lists"), "pnp+mp+mimp+minsa");
		assert_int_equal(at(&t, r, "observed")->kind, CELL_SUPPRESSED);
		assert_true(empty(&t, r, "estimate"));
		assert_true(empty(&t, r, "low95"));
		assert_true(empty(&t, r, "high95"));
		assert_true(empty(&t, r, "interactions"));
		/* In words, with no path to the sources: a .deb has
		 * none, and the note travels in CSV and JSON. */
		assert_string_equal(text(&t, r, "note"),
				    "suppressed: computed from overlap counts "
				    "the secretariat is not shown");
		assert_null(strpbrk(text(&t, r, "note"), "0123456789"));
	}
	codec_qtable_clear(&t);

	/* Q2: every cell shown, but no estimate exists: the reason. */
	assert_true(overlap_all_shown("2025Q2"));
	assert_int_equal(ask("estimate", "2025Q2", 0, 0, 0, &secretariat, &t),
			 0);
	assert_int_equal(number(&t, 0, "observed"), 40);
	assert_true(empty(&t, 0, "estimate"));
	assert_non_null(strstr(text(&t, 0, "note"), "more than one"));
	codec_qtable_clear(&t);
}

/* Every period the secretariat may ask for: the estimate is shown,
 * rounded, exactly when its overlap is; both happen. */
static void
test_estimate_secretariat_rule(void **state)
{
	static const char *const periods[] = {
	    "2025",   "2025H1", "2025H2", "2025Q1", "2025Q2", "2025Q3",
	    "2025Q4", "2024",	"2024H1", "2024H2", "2024Q3", NULL};
	size_t i, r, n_shown = 0, n_suppressed = 0;

	(void)state;
	for (i = 0; periods[i] != NULL; i++) {
		bool shown = overlap_all_shown(periods[i]);
		struct qtable t;
		assert_int_equal(
		    ask("estimate", periods[i], 0, 0, 0, &secretariat, &t), 0);
		/* No row would pass the rule unasked. */
		assert_true(t.n_rows > 0);
		for (r = 0; r < t.n_rows; r++) {
			const char *note = text(&t, r, "note");
			if (!shown) {
				assert_true(empty(&t, r, "estimate"));
				assert_non_null(strstr(note, "suppressed"));
			} else if (!empty(&t, r, "estimate")) {
				assert_int_equal(number(&t, r, "estimate") % 10,
						 0);
				assert_null(strstr(note, "suppressed"));
			}
		}
		n_shown += shown && !empty(&t, 0, "estimate");
		n_suppressed += !shown;
		codec_qtable_clear(&t);
	}
	assert_true(n_shown > 0);
	assert_true(n_suppressed > 0);
}

static void
test_estimate_refused_roles(void **state)
{
	struct qtable t;

	(void)state;
	assert_int_equal(ask("estimate", "2025Q1", 0, 0, 0, &pnp, &t), -EINVAL);
	assert_non_null(strstr(t.error, "not open to an institution"));
	codec_qtable_clear(&t);
	assert_int_equal(ask("estimate", "2025Q1", 0, 0, 0, &nobody, &t),
			 -EINVAL);
	codec_qtable_clear(&t);
	/* The secretariat's refusal of a region names the table asked for,
	 * where it named the overlap it is computed from. */
	assert_int_equal(ask("estimate", "2025", 15, 0, 0, &secretariat, &t),
			 -EINVAL);
	assert_string_equal(t.error, "the secretariat gets the estimate table "
				     "for the whole country only: ask without "
				     "--region");
	codec_qtable_clear(&t);
}

/* ---- SDG 16.2.2 -----------------------------------------------------------
 */

static const char population[] =
    "# source: INEI (a test's figures)\n"
    "year,region,sex,age_group,population\n"
    "2025,00,F,0-17,1000000\n2025,00,F,18+,2000000\n"
    "2025,00,M,0-17,1500000\n2025,00,M,18+,2500000\n"
    "2025,15,F,0-17,100000\n2025,15,F,18+,200000\n"
    "2025,15,M,0-17,150000\n2025,15,M,18+,250000\n"
    "2024,00,F,0-17,1000000\n2024,00,F,18+,2000000\n"
    "2024,00,M,0-17,1500000\n2024,00,M,18+,2500000\n"
    "2024,16,F,0-17,5000\n2024,16,F,18+,5000\n"
    "2024,16,M,0-17,5000\n2024,16,M,18+,5000\n";

static struct popset *
load_population(void)
{
	struct popset *set = NULL;
	char err[POPFILE_ERR_MAX + 64];

	if (popfile_parse("pop.csv", population, strlen(population), &set, err,
			  sizeof(err)) != 0)
		fail_msg("%s", err);
	sdg_set_population(set);
	return set;
}

/* Victims from..to (as victim() makes them) of sex s ('F', 'M' or 0:
 * any) and age a (0: 0-17, 1: 18+, 2: any). */
static int64_t
victims_of(unsigned from, unsigned to, char s, int a)
{
	int64_t n = 0;
	unsigned v;

	for (v = from; v <= to; v++)
		if ((s == 0 || (s == 'F') == (v % 2 == 1)) &&
		    (a == 2 || (a == 1) == (v % 3 == 0)))
			n++;
	return n;
}

static void
expect_rate(const struct qtable *t, size_t row, const char *column,
	    int64_t count, double people)
{
	char want[32];

	snprintf(want, sizeof(want), "%.2f", (double)count * 1e5 / people);
	assert_int_equal(at(t, row, column)->kind, CELL_DECIMAL);
	assert_string_equal(text(t, row, column), want);
}

static void
test_sdg_table(void **state)
{
	static const char sexes[3] = {'F', 'M', 0};
	static const double people[3][3] = {{1000000, 2000000, 3000000},
					    {1500000, 2500000, 4000000},
					    {2500000, 4500000, 7000000}};
	struct popset *set = load_population();
	struct qtable t;
	size_t r;
	int s, a;

	(void)state;
	assert_int_equal(ask("sdg16_2_2", "2025Q1", 0, 0, 0, &analyst, &t), 0);
	assert_int_equal(t.n_cols, 10);
	assert_string_equal(t.cols[3], "population");
	assert_string_equal(t.cols[7], "estimate_per_100k");
	assert_string_equal(t.cols[9], "source");
	assert_int_equal(t.n_rows, 9);
	for (s = 0, r = 0; s < 3; s++)
		for (a = 0; a < 3; a++, r++) {
			static const char *const ages[3] = {"0-17", "18+",
							    "all"};
			int64_t want = victims_of(1, 60, sexes[s], a);
			assert_string_equal(text(&t, r, "period"), "2025Q1");
			assert_string_equal(text(&t, r, "sex"),
					    s < 2 ? (s ? "M" : "F") : "all");
			assert_string_equal(text(&t, r, "age_group"), ages[a]);
			assert_int_equal(number(&t, r, "population"),
					 (int64_t)people[s][a]);
			/* Sex by age crossed too (F aged 0-17: girls). */
			assert_int_equal(number(&t, r, "victims"), want);
			expect_rate(&t, r, "victims_per_100k", want,
				    people[s][a]);
			if (r < 8) {
				assert_true(empty(&t, r, "estimate"));
				assert_true(empty(&t, r, "estimate_per_100k"));
				assert_true(empty(&t, r, "source"));
			}
		}
	/* The estimate of all victims, with its rate, on the last row. */
	assert_int_equal(number(&t, 8, "victims"), 60);
	assert_int_equal(number(&t, 8, "estimate"), 120);
	expect_rate(&t, 8, "estimate_per_100k", 120, 7000000);
	assert_string_equal(text(&t, 8, "estimate_per_100k"), "1.71");
	assert_non_null(strstr(text(&t, 8, "note"), "detected or not"));
	assert_non_null(
	    strstr(text(&t, 8, "note"), "leaves out the unlinkable"));
	/* The file's source, as it names it, once. */
	assert_string_equal(text(&t, 8, "source"), "INEI (a test's figures)");
	codec_qtable_clear(&t);

	/* Lima's population for Lima. */
	assert_int_equal(ask("sdg16_2_2", "2025Q1", 15, 0, 0, &analyst, &t), 0);
	assert_int_equal(number(&t, 8, "population"), 700000);
	expect_rate(&t, 8, "victims_per_100k", 60, 700000);
	expect_rate(&t, 8, "estimate_per_100k", 120, 700000);
	codec_qtable_clear(&t);

	/* The whole year: all 2025 victims; Q2 and Q4 add victims the
	 * estimate of the year takes in too. */
	assert_int_equal(ask("sdg16_2_2", "2025", 0, 0, 0, &analyst, &t), 0);
	assert_int_equal(number(&t, 8, "victims"), 60 + 40 + 30);
	assert_int_equal(number(&t, 5, "victims"), /* M, all */
			 victims_of(1, 60, 'M', 2) +
			     victims_of(101, 140, 'M', 2) +
			     victims_of(301, 330, 'M', 2));
	codec_qtable_clear(&t);

	/* A period with no estimate: the reason. */
	assert_int_equal(ask("sdg16_2_2", "2025Q2", 0, 0, 0, &analyst, &t), 0);
	assert_true(empty(&t, 8, "estimate"));
	assert_true(empty(&t, 8, "estimate_per_100k"));
	/* The estimate table's reason, its "no estimate: " said once. */
	assert_ptr_equal(strstr(text(&t, 8, "note"), "no estimate: "),
			 text(&t, 8, "note"));
	assert_null(strstr(text(&t, 8, "note") + 1, "no estimate: "));
	assert_non_null(strstr(text(&t, 8, "note"), "more than one"));
	codec_qtable_clear(&t);

	/* No figures for the year or the region. */
	assert_int_equal(ask("sdg16_2_2", "2023", 0, 0, 0, &analyst, &t),
			 -EINVAL);
	assert_string_equal(t.error, "the population file has no figures for "
				     "2023 for the country (region 00)");
	codec_qtable_clear(&t);
	assert_int_equal(ask("sdg16_2_2", "2025", 16, 0, 0, &analyst, &t),
			 -EINVAL);
	assert_string_equal(t.error, "the population file has no figures for "
				     "2025 for region 16");
	codec_qtable_clear(&t);
	/* No file at all. */
	sdg_set_population(NULL);
	assert_int_equal(ask("sdg16_2_2", "2025", 0, 0, 0, &analyst, &t),
			 -EINVAL);
	assert_non_null(strstr(t.error, "population = FILE"));
	codec_qtable_clear(&t);
	popset_free(&set);
}

/* The analyst's estimate per 100,000 is the rate of the estimate before
 * it is rounded to the whole victim (the unlinkable victims added, as
 * below), then rounded to two decimals: in Loreto's 20,000 people (a
 * population made small so that half a victim shows) the rate of the
 * rounded estimate would differ. */
static void
test_sdg_exact_rate(void **state)
{
	struct popset *set = load_population();
	struct estimate_input in;
	struct mse_estimate e;
	struct query_req q;
	struct qtable t;
	char err[256], want[32], of_rounded[32];

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "estimate");
	snprintf(q.period, sizeof(q.period), "2024");
	q.region = 16;
	assert_int_equal(estimate_overlap(W->st, &q, &in, err, sizeof(err)),
			 0);
	assert_int_equal(mse_estimate(&in.table, MSE_STEPWISE, &e), 0);
	assert_int_equal(e.status, MSE_ESTIMATED);
	assert_int_equal(in.unlinkable, 4);
	snprintf(want, sizeof(want), "%.2f",
		 (e.estimate + (double)in.unlinkable) * 1e5 / 20000);
	snprintf(of_rounded, sizeof(of_rounded), "%.2f",
		 (double)(llround(e.estimate) + (long long)in.unlinkable) *
		     1e5 / 20000);
	assert_string_not_equal(want, of_rounded);
	assert_int_equal(ask("sdg16_2_2", "2024", 16, 0, 0, &analyst, &t), 0);
	assert_int_equal(number(&t, 8, "population"), 20000);
	assert_int_equal(number(&t, 8, "estimate"),
			 llround(e.estimate) + (long long)in.unlinkable);
	assert_string_equal(text(&t, 8, "estimate_per_100k"), want);
	codec_qtable_clear(&t);
	sdg_set_population(NULL);
	popset_free(&set);
}

/*
 * The estimate of every victim, detected or not, is never below the
 * victims identified: the estimate table models the linkable victims
 * only, so the unlinkable ones it leaves out are added back. 2024Q3:
 * 53 linkable victims and 4 unlinkable (2 by MP, 2 by MIMP).
 */
static void
test_sdg_unlinkable_added(void **state)
{
	struct popset *set = load_population();
	struct qtable t, est;
	int64_t step = -1;
	size_t r;

	(void)state;
	assert_int_equal(ask("estimate", "2024Q3", 0, 0, 0, &analyst, &est), 0);
	for (r = 0; r < est.n_rows; r++)
		if (strcmp(text(&est, r, "method"), "stepwise") == 0)
			step = number(&est, r, "estimate");
	assert_true(step > 0);
	assert_int_equal(number(&est, 1, "observed"), 53);
	codec_qtable_clear(&est);
	assert_int_equal(ask("sdg16_2_2", "2024", 0, 0, 0, &analyst, &t), 0);
	assert_int_equal(number(&t, 8, "victims"), 57);
	codec_qtable_clear(&t);
	assert_int_equal(ask("sdg16_2_2", "2024Q3", 0, 0, 0, &analyst, &t), 0);
	assert_int_equal(number(&t, 8, "victims"), 57);
	assert_int_equal(number(&t, 8, "estimate"), step + 4);
	assert_true(number(&t, 8, "estimate") >= number(&t, 8, "victims"));
	assert_string_equal(text(&t, 8, "note"),
			    "estimate: every victim, detected or not, both "
			    "sexes and all ages (stepwise, as the estimate "
			    "table, which leaves out the unlinkable "
			    "identifications); the unlinkable victims added "
			    "back: 4; none is made by sex or age group");
	codec_qtable_clear(&t);
	/* With none unlinkable, nothing is added, nor said. */
	assert_int_equal(ask("sdg16_2_2", "2025Q1", 0, 0, 0, &analyst, &t), 0);
	assert_int_equal(number(&t, 8, "estimate"), 120);
	assert_null(strstr(text(&t, 8, "note"), "added back"));
	codec_qtable_clear(&t);
	sdg_set_population(NULL);
	popset_free(&set);
}

/* A table too sparse to trust (fewer than 7 victims on two lists or
 * more) says so in every row of the live table, and the SDG 16.2.2 row
 * that gives its estimate says it too: its rate is no safer. */
static void
test_sdg_sparse(void **state)
{
	static const char pop[] = "year,region,sex,age_group,population\n"
				  "2022,02,F,0-17,5000\n2022,02,F,18+,5000\n"
				  "2022,02,M,0-17,5000\n2022,02,M,18+,5000\n";
	static const char sparse[] =
	    "sparse: 3 cases seen by more than one list (under 7): too few "
	    "to trust the estimate";
	struct popset *set = NULL;
	char err[POPFILE_ERR_MAX + 64];
	struct qtable t;
	size_t r;

	(void)state;
	assert_int_equal(ask("estimate", "2022", 2, 0, 0, &analyst, &t), 0);
	assert_int_equal(t.n_rows, 2);
	for (r = 0; r < t.n_rows; r++) {
		assert_int_equal(number(&t, r, "observed"), 23);
		assert_false(empty(&t, r, "estimate"));
		assert_non_null(strstr(text(&t, r, "note"), sparse));
	}
	codec_qtable_clear(&t);
	assert_int_equal(
	    popfile_parse("pop.csv", pop, strlen(pop), &set, err, sizeof(err)),
	    0);
	sdg_set_population(set);
	assert_int_equal(ask("sdg16_2_2", "2022", 2, 0, 0, &analyst, &t), 0);
	assert_false(empty(&t, 8, "estimate"));
	assert_string_equal(text(&t, 8, "note"),
			    "estimate: every victim, detected or not, both "
			    "sexes and all ages (stepwise, as the estimate "
			    "table, which leaves out the unlinkable "
			    "identifications); sparse: 3 cases seen by more "
			    "than one list (under 7): too few to trust the "
			    "estimate; none is made by sex or age group");
	codec_qtable_clear(&t);
	/* A table of enough victims in common says nothing of it. */
	sdg_set_population(NULL);
	popset_free(&set);
	set = load_population();
	assert_int_equal(ask("sdg16_2_2", "2025", 0, 0, 0, &analyst, &t), 0);
	assert_false(empty(&t, 8, "estimate"));
	assert_null(strstr(text(&t, 8, "note"), "sparse"));
	codec_qtable_clear(&t);
	sdg_set_population(NULL);
	popset_free(&set);
}

static void
test_sdg_roles(void **state)
{
	struct popset *set = load_population();
	struct qtable t;
	size_t r;

	(void)state;
	/* Q1: the secretariat sees every count it is made of, and the
	 * estimate rounded. */
	assert_int_equal(ask("sdg16_2_2", "2025Q1", 0, 0, 0, &secretariat, &t),
			 0);
	assert_int_equal(number(&t, 2, "victims"), 30);	  /* F, all */
	assert_int_equal(number(&t, 6, "victims"), 40);	  /* all, 0-17 */
	assert_int_equal(number(&t, 7, "victims"), 20);	  /* all, 18+ */
	assert_int_equal(number(&t, 8, "victims"), 60);	  /* all, all */
	assert_int_equal(number(&t, 8, "estimate"), 120); /* rounded */
	/* Sex by age group is in no table under disclosure control: the
	 * note says so in the analyst's words, not in that jargon. */
	for (r = 0; r < 5; r++)
		if (r != 2) {
			assert_int_equal(at(&t, r, "victims")->kind,
					 CELL_SUPPRESSED);
			assert_true(empty(&t, r, "victims_per_100k"));
			assert_string_equal(
			    text(&t, r, "note"),
			    "withheld from the secretariat whatever the "
			    "number: no figure it is given crosses sex "
			    "with age group");
		}
	codec_qtable_clear(&t);
	/* 2024Q3: its estimate is suppressed, and so is its rate here. */
	assert_int_equal(ask("sdg16_2_2", "2024Q3", 0, 0, 0, &secretariat, &t),
			 0);
	assert_true(empty(&t, 8, "estimate"));
	assert_true(empty(&t, 8, "estimate_per_100k"));
	/* As the estimate table says it: suppressed, not "no estimate". */
	assert_ptr_equal(strstr(text(&t, 8, "note"), "suppressed: "),
			 text(&t, 8, "note"));
	codec_qtable_clear(&t);
	/* By region the estimate is not given to the secretariat: the note
	 * says so for this row, not the estimate table's "ask without
	 * --region", which is about that table. Nor, by region, is the
	 * breakdown (sex, age group), or the identification for a quarter:
	 * those counts are hidden whatever their size, and their notes say
	 * why, "<10" alone reading as 1 to 9. */
	assert_int_equal(ask("sdg16_2_2", "2025Q1", 15, 0, 0, &secretariat, &t),
			 0);
	assert_true(empty(&t, 8, "estimate"));
	assert_true(empty(&t, 8, "estimate_per_100k"));
	assert_int_equal(at(&t, 8, "victims")->kind, CELL_SUPPRESSED);
	assert_string_equal(text(&t, 8, "note"),
			    "withheld from the secretariat whatever the "
			    "number: it is given a region's victims by year "
			    "only; no estimate: not given by region to the "
			    "secretariat");
	for (r = 2; r < 8; r++)
		if (r == 2 || r == 5 || r == 6 || r == 7) {
			assert_int_equal(at(&t, r, "victims")->kind,
					 CELL_SUPPRESSED);
			assert_string_equal(
			    text(&t, r, "note"),
			    "withheld from the secretariat whatever the "
			    "number: no figure it is given splits a region "
			    "by sex or age group");
		}
	codec_qtable_clear(&t);
	/* The year: the region's total is given, its estimate is not. */
	assert_int_equal(ask("sdg16_2_2", "2025", 15, 0, 0, &secretariat, &t),
			 0);
	assert_string_equal(text(&t, 8, "note"),
			    "no estimate: not given by region to the "
			    "secretariat");
	assert_string_equal(text(&t, 2, "note"),
			    "withheld from the secretariat whatever the "
			    "number: no figure it is given splits a region by "
			    "sex or age group");
	codec_qtable_clear(&t);
	/* An institution is refused. */
	assert_int_equal(ask("sdg16_2_2", "2025Q1", 0, 0, 0, &pnp, &t),
			 -EINVAL);
	assert_non_null(strstr(t.error, "not open to an institution"));
	codec_qtable_clear(&t);
	sdg_set_population(NULL);
	popset_free(&set);
}

/* ---- answered during an audit ----------------------------------------------
 */

/* Every table an analyst or an institution may be answered apart, as the
 * query thread's query_net_request_waits does while a secretariat's audit runs
 * on a thread of its own; of the secretariat's, its deliveries and the
 * indicators' definitions alone (no release); a bootstrap never. */
static void
test_apart(void **state)
{
	static const struct reg_party *const roles[] = {&analyst, &pnp};
	struct query_req q;
	size_t i, r;

	(void)state;
	memset(&q, 0, sizeof(q));
	snprintf(q.period, sizeof(q.period), "2025");
	for (i = 0; query_tables[i] != NULL; i++) {
		snprintf(q.table, sizeof(q.table), "%s", query_tables[i]);
		for (r = 0; r < 2; r++)
			assert_true(query_apart(&q, roles[r]));
		assert_int_equal(query_apart(&q, &secretariat),
				 strcmp(q.table, "deliveries") == 0 ||
				     strcmp(q.table, "indicator_definitions") ==
					 0);
		assert_false(query_apart(&q, &nobody));
	}
	snprintf(q.table, sizeof(q.table), "deliveries");
	q.boot = 100;
	assert_false(query_apart(&q, &secretariat));
	snprintf(q.table, sizeof(q.table), "estimate");
	assert_false(query_apart(&q, &analyst));
	q.boot = 0;
	snprintf(q.table, sizeof(q.table), "nosuch");
	assert_false(query_apart(&q, &analyst));
}

/* The requests answered inside the audit, and each answer given alone. */
#define APART_N 12
static const struct {
	const char *table, *period;
	uint32_t region;
	const struct reg_party *who;
} apart_reqs[APART_N] = {
    {"estimate", "2025Q1", 0, &analyst},
    {"estimate", "2024Q3", 16, &analyst},
    {"sdg16_2_2", "2025Q1", 0, &analyst},
    {"sdg16_2_2", "2024", 0, &analyst},
    {"indicators", "2025", 0, &analyst},
    {"indicator_definitions", "2025", 0, &analyst},
    {"deliveries", "2025", 0, &analyst},
    {"identification", "2024", 0, &analyst},
    {"indicators", "2024", 0, &pnp},
    {"estimate", "2025Q1", 0, &pnp},
    {"deliveries", "2024", 0, &secretariat},
    {"indicator_definitions", "2024", 0, &secretariat},
};

struct apart {
	uint8_t *alone[APART_N];
	size_t len[APART_N];
	unsigned calls, answered;
};

/* query_run's answer to apart_reqs[i], encoded. */
static void
apart_answer(size_t i, uint8_t **ret, size_t *ret_len)
{
	struct query_req q;
	struct qtable t;

	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "%s", apart_reqs[i].table);
	snprintf(q.period, sizeof(q.period), "%s", apart_reqs[i].period);
	q.region = apart_reqs[i].region;
	assert_true(query_apart(&q, apart_reqs[i].who));
	(void)query_run(W->st, &q, apart_reqs[i].who, K, &t);
	assert_int_equal(codec_qtable_encode(&t, ret, ret_len), 0);
	codec_qtable_clear(&t);
}

/* The audit's hook (release_set_cancel): on its first call, every request
 * answered, each compared with its answer alone; never gives up. */
static bool
answer_apart(void *arg)
{
	struct apart *a = arg;
	uint8_t *buf;
	size_t i, len;

	if (a->calls++ > 0)
		return false;
	for (i = 0; i < APART_N; i++) {
		apart_answer(i, &buf, &len);
		assert_int_equal(len, a->len[i]);
		assert_memory_equal(buf, a->alone[i], len);
		free(buf);
		a->answered++;
	}
	return false;
}

/*
 * Those requests answered while the secretariat's audit of 2024 runs on a
 * thread of its own (where its small counts need them) are the
 * answers given alone, byte for byte, estimates and their GLPK included,
 * and the secretariat's answer is the one given alone: neither touches
 * what the other uses.
 */
static void
test_answered_during_audit(void **state)
{
	struct popset *set = load_population();
	struct indset *ind = NULL;
	struct indfile_msgs m = {0};
	struct apart a = {0};
	struct qtable t;
	uint8_t *alone, *busy;
	size_t i, alone_len, busy_len;
	static const char ind_text[] =
	    "[indicator identified]\n"
	    "name = Victims identified\n"
	    "level = output\n"
	    "component = protection\n"
	    "key = yes\n"
	    "value = identification.victims[institution=all]\n"
	    "unit = count\n"
	    "direction = increase\n"
	    "baseline = 2024: 10\n"
	    "target = 2026: 80\n"
	    "frequency = year\n"
	    "basis = test\n";

	(void)state;
	assert_int_equal(
	    indfile_parse("t.conf", ind_text, strlen(ind_text), &ind, &m), 0);
	indfile_msgs_clear(&m);
	query_set_indicators(ind);
	for (i = 0; i < APART_N; i++)
		apart_answer(i, &a.alone[i], &a.len[i]);
	release_cache_clear();
	query_forget_states();
	assert_int_equal(
	    ask("identification", "2024", 0, 0, 0, &secretariat, &t), 0);
	assert_int_equal(codec_qtable_encode(&t, &alone, &alone_len), 0);
	codec_qtable_clear(&t);
	release_cache_clear();
	query_forget_states();
	release_set_cancel(answer_apart, &a);
	assert_int_equal(
	    ask("identification", "2024", 0, 0, 0, &secretariat, &t), 0);
	release_set_cancel(NULL, NULL);
	assert_true(a.calls >= 1);
	assert_int_equal(a.answered, APART_N);
	assert_int_equal(codec_qtable_encode(&t, &busy, &busy_len), 0);
	codec_qtable_clear(&t);
	assert_int_equal(busy_len, alone_len);
	assert_memory_equal(busy, alone, alone_len);
	free(alone);
	free(busy);
	for (i = 0; i < APART_N; i++)
		free(a.alone[i]);
	query_set_indicators(NULL);
	indset_free(&ind);
	sdg_set_population(NULL);
	popset_free(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_estimate_two_lists),
	    cmocka_unit_test(test_estimate_unlinkable),
	    cmocka_unit_test(test_estimate_refusals),
	    cmocka_unit_test(test_estimate_bootstrap),
	    cmocka_unit_test(test_boot_budget),
	    cmocka_unit_test(test_estimate_secretariat),
	    cmocka_unit_test(test_estimate_secretariat_rule),
	    cmocka_unit_test(test_estimate_refused_roles),
	    cmocka_unit_test(test_sdg_table),
	    cmocka_unit_test(test_sdg_exact_rate),
	    cmocka_unit_test(test_sdg_unlinkable_added),
	    cmocka_unit_test(test_sdg_sparse),
	    cmocka_unit_test(test_sdg_roles),
	    cmocka_unit_test(test_apart),
	    cmocka_unit_test(test_answered_during_audit),
	};

	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
