/*
 * report.c - kuska report: asks the consolidator, as the client's key and
 * role, every table the page needs for one period, of the whole country
 * or of one region (--region: every request carries it, and the
 * consolidator answers under that role's disclosure control; nothing is
 * filtered here) (and the indicators of each semester of their trend, and
 * of each whole year of it for those read by year, or, where a region's
 * semesters are refused the role, of each whole year alone), then has
 * report_page.c write one
 * self-contained HTML file. Nothing is written unless every question was
 * answered; a table the consolidator does not know is an answer too (its
 * section says so), so tables that arrive later appear with no change here.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ask.h"
#include "cmd.h"
#include "codec.h"
#include "date.h"
#include "file.h"
#include "html.h"
#include "i18n.h"
#include "keys.h"
#include "period.h"
#include "progress.h"
#include "report.h"
#include "settings.h"

const char *const report_tables[RT_COUNT] = {
    [RT_SOURCES] = "sources",
    [RT_INDICATORS] = "indicators",
    [RT_IDENTIFICATION] = "identification",
    [RT_OVERLAP] = "overlap",
    [RT_BREAKDOWN] = "breakdown",
    [RT_REFERRALS] = "referrals",
    [RT_UNMATCHED] = "referrals_unmatched",
    [RT_PROTECTION] = "protection",
    [RT_FUNNEL] = "funnel",
    [RT_PROSECUTION] = "prosecution",
    [RT_CASES_UNMATCHED] = "cases_unmatched",
    [RT_DURATIONS] = "durations",
    [RT_TIMELINESS] = "timeliness",
    [RT_ESTIMATE] = "estimate",
    [RT_SDG] = "sdg16_2_2",
    [RT_DELIVERIES] = "deliveries",
};

/* ---- asking --------------------------------------------------------- */

/* The questions asked so far, on a terminal's progress line. */
static struct progress prog;
static unsigned answered;

/* One table, of region (0: the whole country). Returns 0 (ret->error
 * may say the table was refused) or -errno when the consolidator could
 * not be asked, said on stderr. The estimate comes with its bootstrap
 * interval. */
static int
fetch(const struct ask_client *ac, uint32_t region, const char *table,
      const char *period, struct qtable *ret)
{
	struct query_req q;
	char err[512];
	int r;

	progress_show(&prog, true,
		      "kuska report: %u tables answered, asking "
		      "%s %s",
		      answered, table, period);
	memset(&q, 0, sizeof(q));
	snprintf(q.table, sizeof(q.table), "%s", table);
	snprintf(q.period, sizeof(q.period), "%s", period);
	q.region = region;
	if (strcmp(table, "estimate") == 0) {
		q.boot = REPORT_BOOT;
		q.seed = REPORT_SEED;
	}
	r = ask_table(ac, &q, ret, err, sizeof(err));
	if (r != 0) {
		progress_clear(&prog);
		memset(ret, 0, sizeof(*ret));
		fprintf(stderr, "kuska report: %s\n", err);
	}
	answered += r == 0;
	return r;
}

/* Semesters by their period codes (period.h): year * 10 + 5 or + 6. */
static uint32_t
last_semester(uint32_t code)
{
	uint32_t y = code / 10, p = code % 10;

	return y * 10 + (p == 5 || p == 1 || p == 2 ? 5 : 6);
}

static uint32_t
first_semester(uint32_t code)
{
	uint32_t y = code / 10, p = code % 10;

	return y * 10 + (p == 6 || p == 3 || p == 4 ? 6 : 5);
}

static uint32_t
prev_semester(uint32_t s)
{
	return s % 10 == 6 ? s - 1 : (s / 10 - 1) * 10 + 6;
}

/*
 * Whether an indicators answer measured anything: some indicator has a
 * status other than no_data, which is every status before the end of the
 * baseline period (INDICATORS.md). A count of nothing is 0, not missing,
 * so values alone cannot tell. "suppressed" does not count either: the
 * secretariat gets it before the baseline too, and its trend must span
 * the same semesters as everyone's.
 */
static bool
measured(const struct qtable *t)
{
	size_t i;

	for (i = 0; i < t->n_rows; i++) {
		const struct cell *c = html_cell(t, i, "status");
		if (c != NULL && c->kind == CELL_TEXT && c->text[0] != '\0' &&
		    strcmp(c->text, "no_data") != 0 &&
		    strcmp(c->text, "suppressed") != 0)
			return true;
	}
	return false;
}

/* The earliest baseline period an indicators answer names (a column
 * baseline_period), as a period code; 0 when it names none. */
static uint32_t
earliest_baseline(const struct qtable *ind)
{
	uint32_t start = 0, b;
	size_t i;

	for (i = 0; i < ind->n_rows; i++) {
		const struct cell *c = html_cell(ind, i, "baseline_period");
		if (c != NULL && c->kind == CELL_TEXT &&
		    period_parse(c->text, &b) == 0 &&
		    (start == 0 || first_semester(b) < first_semester(start)))
			start = b;
	}
	return start;
}

/*
 * Asks the indicators of each period of codes[n_codes] (period codes,
 * newest first) until one is refused or, unless bounded (a baseline
 * bounds the codes), one was not measured; puts those answered in dst[]
 * and names[], oldest first. *ret_n: how many; *ret_refused: whether the
 * one that stopped it was refused. Returns fetch's error or 0.
 */
static int
fetch_back(const struct ask_client *ac, uint32_t region, const uint32_t *codes,
	   size_t n_codes, bool bounded, struct qtable *dst,
	   char (*names)[PERIOD_NAME_MAX], size_t *ret_n, bool *ret_refused)
{
	struct qtable tmp[REPORT_MAX_TREND];
	size_t n = 0, i;
	int r = 0;

	*ret_refused = false;
	for (; n < n_codes && n < REPORT_MAX_TREND; n++) {
		char name[PERIOD_NAME_MAX];
		period_name(codes[n], name);
		r = fetch(ac, region, "indicators", name, &tmp[n]);
		if (r != 0)
			break;
		if (tmp[n].error[0] != '\0' ||
		    (!bounded && !measured(&tmp[n]))) {
			*ret_refused = tmp[n].error[0] != '\0';
			codec_qtable_clear(&tmp[n]);
			break;
		}
	}
	for (i = 0; i < n; i++) {
		dst[i] = tmp[n - 1 - i];
		period_name(codes[n - 1 - i], names[i]);
	}
	*ret_n = n;
	return r;
}

/*
 * The semesters of the indicators' trend, oldest first: from the
 * baseline's first semester when the answer names that period (a column
 * baseline_period), else back from the period's last semester while the
 * indicators were measured, that is since the end of the baseline period;
 * at most REPORT_MAX_TREND.
 */
static int
fetch_trend(const struct ask_client *ac, uint32_t code, struct report_data *d)
{
	const struct qtable *ind = &d->t[RT_INDICATORS];
	uint32_t s, start = 0, b, codes[REPORT_MAX_TREND];
	size_t n = 0;
	bool refused;
	int r;

	if (ind->error[0] != '\0' || ind->n_rows == 0)
		return 0;
	if ((b = earliest_baseline(ind)) != 0)
		start = first_semester(b);
	for (s = last_semester(code);
	     n < REPORT_MAX_TREND && s >= 20005 && (start == 0 || s >= start);
	     s = prev_semester(s))
		codes[n++] = s;
	r = fetch_back(ac, d->region, codes, n, start != 0, d->trend,
		       d->trend_period, &d->n_trend, &refused);
	/* A region's semesters refused this role (the secretariat's,
	 * docs/DISCLOSURE.md): its trend is by year, fetch_year_trend's. */
	d->trend_refused = refused && d->n_trend == 0 && d->region != 0 &&
			   period_kind(code) == PERIOD_YEAR;
	return r;
}

/*
 * The indicators of each whole year the trend spans (report_year_whole),
 * oldest first, when one of them is read by year (frequency year): a
 * count is compared with a year's target year with year (INDICATORS.md),
 * not semester by semester. Nothing is asked when none is.
 */
static int
fetch_years(const struct ask_client *ac, struct report_data *d)
{
	const struct qtable *ind = &d->t[RT_INDICATORS];
	uint32_t first, y;
	size_t i;
	int r;

	if (d->n_trend == 0 || period_parse(d->trend_period[0], &first) != 0)
		return 0;
	for (i = 0; i < ind->n_rows; i++) {
		const struct cell *c = html_cell(ind, i, "frequency");
		if (c != NULL && strcmp(codec_cell_str(c), "year") == 0)
			break;
	}
	if (i == ind->n_rows)
		return 0;
	for (y = first / 10; y <= d->code / 10 && d->n_year < REPORT_MAX_YEARS;
	     y++) {
		if (!report_year_whole(d->code, y, d->today))
			continue;
		period_name(y * 10, d->year_period[d->n_year]);
		r = fetch(ac, d->region, "indicators",
			  d->year_period[d->n_year], &d->year[d->n_year]);
		if (r != 0)
			return r;
		d->n_year++;
	}
	if (d->n_year == 0 || period_kind(d->code) != PERIOD_SEMESTER)
		return 0;
	snprintf(d->year_breakdown_period, sizeof(d->year_breakdown_period),
		 "%s", d->year_period[d->n_year - 1]);
	return fetch(ac, d->region, "breakdown", d->year_breakdown_period,
		     &d->year_breakdown);
}

/*
 * The trend of a region whose semesters the consolidator refuses this
 * role (d->trend_refused): the indicators of each whole year
 * (report_year_whole), oldest first, from the baseline's year when the
 * answer names that period, else back from the report's year while the
 * indicators were measured; at most REPORT_MAX_YEARS. The role is the
 * consolidator's to judge, so nothing here names it.
 */
static int
fetch_year_trend(const struct ask_client *ac, struct report_data *d)
{
	uint32_t start, y, codes[REPORT_MAX_YEARS];
	size_t n = 0;
	bool refused;

	start = earliest_baseline(&d->t[RT_INDICATORS]) / 10;
	for (y = d->code / 10;
	     n < REPORT_MAX_YEARS && y >= 2000 && (start == 0 || y >= start);
	     y--)
		if (report_year_whole(d->code, y, d->today))
			codes[n++] = y * 10;
	return fetch_back(ac, d->region, codes, n, start != 0, d->year,
			  d->year_period, &d->n_year, &refused);
}

/*
 * Names each indicator in the report's language: the name_es or name_en
 * the Commission's file gives it (the indicator_definitions table),
 * else its name as it is, so that a file of one language still reads.
 */
static void
localize_names(struct qtable *ind, const struct qtable *defs)
{
	char col[16];
	size_t i, row;
	int from, to;

	snprintf(col, sizeof(col), "name_%s", tr(M_LANG_CODE));
	from = html_col_index(defs, col);
	to = html_col_index(ind, "name");
	if (from < 0 || to < 0)
		return; /* a consolidator older than the names per language */
	for (row = 0; row < ind->n_rows; row++) {
		const struct cell *me = html_cell(ind, row, "indicator");
		for (i = 0; me != NULL && i < defs->n_rows; i++) {
			const struct cell *id = html_cell(defs, i, "indicator");
			const struct cell *src = &defs->rows[i][from];
			if (id == NULL ||
			    strcmp(codec_cell_str(id), codec_cell_str(me)) != 0)
				continue;
			if (src->kind == CELL_TEXT && src->text[0] != '\0')
				snprintf(ind->rows[row][to].text,
					 sizeof(ind->rows[row][to].text), "%s",
					 src->text);
			break;
		}
	}
}

/*
 * Gives each row of the indicators answer its baseline period, expression
 * and frequency from the indicator_definitions table (INDICATORS.md: the
 * report prints each indicator's means of verification beside its value,
 * and reads a count of a year by year), as three more columns. A consolidator
 * without that table leaves the answer as it is. Returns 0 or -errno when the
 * consolidator could not be asked.
 */
static int
add_definitions(const struct ask_client *ac, struct report_data *d)
{
	static const char *const take[] = {"baseline_period", "expression",
					   "frequency"};
	const size_t n_take = sizeof(take) / sizeof(take[0]);
	struct qtable *ind = &d->t[RT_INDICATORS], defs;
	size_t i, j, row;
	int r;

	if (ind->error[0] != '\0' || ind->n_rows == 0 ||
	    ind->n_cols + n_take > CODEC_MAX_COLUMNS)
		return 0;
	r = fetch(ac, d->region, "indicator_definitions", d->period, &defs);
	if (r != 0 || defs.error[0] != '\0') {
		codec_qtable_clear(&defs);
		return r;
	}
	for (j = 0; j < n_take; j++) {
		int from = html_col_index(&defs, take[j]);
		size_t to = ind->n_cols++;
		snprintf(ind->cols[to], sizeof(ind->cols[to]), "%s", take[j]);
		for (row = 0; row < ind->n_rows; row++) {
			const struct cell *me =
			    html_cell(ind, row, "indicator");
			struct cell *dst = &ind->rows[row][to];
			memset(dst, 0, sizeof(*dst));
			for (i = 0; me != NULL && from >= 0 && i < defs.n_rows;
			     i++) {
				const struct cell *id =
				    html_cell(&defs, i, "indicator");
				struct cell *src = &defs.rows[i][from];
				if (id == NULL ||
				    strcmp(codec_cell_str(id),
					   codec_cell_str(me)) != 0)
					continue;
				*dst = *src; /* the long text moves over */
				src->long_text = NULL;
				break;
			}
		}
	}
	localize_names(ind, &defs);
	codec_qtable_clear(&defs);
	return 0;
}

static void
data_clear(struct report_data *d)
{
	size_t i;

	for (i = 0; i < RT_COUNT; i++)
		codec_qtable_clear(&d->t[i]);
	for (i = 0; i < d->n_trend; i++)
		codec_qtable_clear(&d->trend[i]);
	for (i = 0; i < d->n_year; i++)
		codec_qtable_clear(&d->year[i]);
	codec_qtable_clear(&d->year_breakdown);
}

/* Who asks and who answers, from the keys ask_config loaded; none for a
 * placeholder consolidator, which the first table's fetch names. */
static void
identities(const struct ask_client *ac, struct report_data *d)
{
	size_t i;

	if (ac->key == NULL)
		return;
	snprintf(d->client_id, sizeof(d->client_id), "%s", ac->key->id);
	snprintf(d->cons_id, sizeof(d->cons_id), "%s", ac->cons.id);
	for (i = 0; i < KEY_ID_LEN; i++)
		snprintf(d->cons_fp + 2 * i, 3, "%02x", ac->cons.key_id[i]);
}

/*
 * A key refused whole (a node's key, a revoked one) gets every table
 * refused: a page of refusals, written and exit 0, would pass for a
 * report in a job that makes one each month. Says the first refusal on
 * stderr instead, and writes nothing.
 */
static int
some_answered(const struct report_data *d)
{
	int i;

	for (i = 0; i < RT_COUNT; i++)
		if (d->t[i].error[0] == '\0')
			return 0;
	progress_clear(&prog);
	fprintf(stderr,
		"kuska report: the consolidator gave no table, so no report "
		"is written: %s\n",
		d->t[0].error);
	return -EACCES;
}

/*
 * A region's report of a semester or a quarter, which the secretariat
 * does not get: its regional tables are given by year only
 * (docs/DISCLOSURE.md), so such a report would be a page of notes. The
 * client learns its role from the consolidator's first answer, the
 * identification table's (kept for the page), and asks nothing more.
 * Returns 0, or -EPERM having said on stderr what to ask instead.
 */
static int
regional_level(const struct report_data *d)
{
	const struct qtable *t = &d->t[RT_IDENTIFICATION];

	if (d->region == 0 || period_kind(d->code) == PERIOD_YEAR ||
	    strcmp(t->role, "secretariat") != 0)
		return 0;
	progress_clear(&prog);
	fprintf(stderr,
		"kuska report: the secretariat gets regional reports by year "
		"only: ask for --period %.4s with --region %02u, or for %s "
		"without --region\n",
		d->period, (unsigned)d->region, d->period);
	return -EPERM;
}

static int
fetch_all(const struct ask_client *ac, struct report_data *d)
{
	int i, r;

	identities(ac, d);
	r = fetch(ac, d->region, report_tables[RT_IDENTIFICATION], d->period,
		  &d->t[RT_IDENTIFICATION]);
	if (r != 0 || (r = regional_level(d)) != 0)
		return r;
	for (i = 0; i < RT_COUNT; i++)
		if (i != RT_IDENTIFICATION &&
		    (r = fetch(ac, d->region, report_tables[i], d->period,
			       &d->t[i])) != 0)
			return r;
	if ((r = some_answered(d)) != 0)
		return r;
	if ((r = add_definitions(ac, d)) != 0)
		return r;
	if ((r = fetch_trend(ac, d->code, d)) != 0)
		return r;
	if (d->trend_refused)
		return fetch_year_trend(ac, d);
	return fetch_years(ac, d);
}

/* Writes the page to path whole (file_replace: a temporary file, synced
 * and renamed into place), or to stdout when path is NULL or "-". Returns
 * 0 or -errno. */
static int
write_to(const struct report_data *d, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int e;

	if (path == NULL || strcmp(path, "-") == 0) {
		e = report_page(stdout, d);
		return fflush(stdout) != 0 ? -errno : e;
	}
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -errno;
	e = report_page(f, d);
	if (fclose(f) != 0 && e == 0)
		e = -ENOMEM;
	/* A report is for reading, like any page; once in place it is
	 * written, its directory synced or not. */
	if (e == 0)
		e = file_replace(path, buf, len, 0644, NULL);
	free(buf);
	return e;
}

int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"period", required_argument, NULL, 'p'},
	    {"region", required_argument, NULL, 'r'},
	    {"lang", required_argument, NULL, 'l'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	static struct report_data d; /* large: tables of 512 rows */
	const struct qtable *zeros;
	struct ask_client ac;
	const char *conf = NULL, *out = NULL;
	char period[PERIOD_NAME_MAX];
	enum lang lang = LANG_ES;
	int ch, rc = 2, e, r;

	memset(&d, 0, sizeof(d));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:p:r:l:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'p':
			d.period = optarg;
			break;
		case 'r':
			if (ask_region("report", optarg, &d.region) != 0)
				return 2;
			break;
		case 'l':
			if (i18n_parse(optarg, &lang) != 0) {
				fprintf(stderr,
					"kuska report: bad language \"%s\": "
					"es or en\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (conf == NULL || optind != argc)
		goto usage;
	d.today = date_today();
	if (ask_period("report", d.period, false, d.today, &d.code, period) !=
	    0)
		return 2;
	d.period = period;
	if (ask_config("report", conf, &ac) != 0)
		return 2;
	i18n_set(lang);
	snprintf(d.consolidator, sizeof(d.consolidator), "%s",
		 ac.cfg.consolidator);
	progress_start(&prog);
	ac.prog = &prog;
	answered = 0;
	r = fetch_all(&ac, &d);
	ask_client_clear(&ac);
	progress_clear(&prog);
	if (r != 0) {
		/* Up, but still computing or busy past the bound: neither
		 * a report nor down. */
		if (r == -EINPROGRESS)
			rc = 3;
		goto out;
	}
	d.made = (time_t)(date_now_ms() / 1000);
	e = write_to(&d, out);
	if (e != 0) {
		fprintf(stderr, "kuska report: cannot write %s: %s\n",
			out ? out : "the standard output", strerror(-e));
		rc = 1;
		goto out;
	}
	/* A report of a period with nothing in it reads "No data"
	 * throughout: say why that may be, as kuska query does. Judged
	 * on the records of every kind dated in it (timeliness), not on
	 * the identifications alone: a prosecutor's report of a year of
	 * case stages is not empty. A region's report without them (the
	 * secretariat's) says nothing: a region's identifications alone
	 * may be none beside its case stages. */
	zeros = &d.t[RT_TIMELINESS];
	if (zeros->error[0] != '\0' && d.region == 0)
		zeros = &d.t[RT_IDENTIFICATION];
	if (zeros->error[0] == '\0' && ask_all_zero(zeros))
		ask_note_all_zero("report", d.period, d.region);
	rc = 0;
out:
	data_clear(&d);
	return rc;
usage:
	fprintf(stderr, "usage: kuska report -c CLIENT.conf --period P "
			"[--region RR] [--lang es|en] [-o FILE]\n");
	return 2;
}
