/*
 * report_estimate.c - the last sections of kuska report's page with
 * figures: timeliness (and the notes on a period's records still to
 * come) and the estimate of the undetected with SDG 16.2.2. See
 * report_int.h.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "event.h"
#include "html.h"
#include "i18n.h"
#include "mse/mse.h"
#include "period.h"
#include "report.h"
#include "report_int.h"
#include "svg.h"

/* ---- timeliness, estimate ----------------------------------------------- */

/*
 * What the records still to come do to the timeliness table, in out: the
 * table counts the records accepted by today (a parameter, so that its
 * 30 days' boundary is tested on any day), and the share those within
 * 30 days of their date (EVENTS.md). Until the period has been over for
 * 30 days, records of its last days may still arrive on time or late, so
 * both figures may move either way (M_TIMELINESS_NOTE). After that, a
 * record still to come is late by the table's own measure, and the note
 * says no more than that, with how long the period has been over: a
 * period long over whose records all came late (a median of 435 days, 0%
 * within 30) does not read short and high.
 */
const char *
rp_timeliness_note(uint32_t code, int32_t today, char *out, size_t cap)
{
	int32_t over = today - period_last_day(code);
	char n[48];

	/* Over by 30 days: one of its last day that comes today is still
	 * within 30 (days <= 30, EVENTS.md). */
	if (over <= 30)
		return tr(M_TIMELINESS_NOTE);
	html_group(over, tr(M_THOUSANDS), n, sizeof(n));
	snprintf(out, cap, tr(M_TIMELINESS_CLOSED_NOTE), n);
	return out;
}

/*
 * The warning under the title of a period over for 30 days or less, as of
 * day today, in out (cap bytes), or NULL: records of its last days still
 * arrive (an institution delivers a month up to 30 days after it), so a
 * report made in January of the year just closed counts fewer victims
 * than one made in February (walk48: 1,062, then 1,093 once late
 * December's records came), and nothing but the timeliness note said so.
 */
const char *
rp_recent_note(uint32_t code, int32_t today, char *out, size_t cap)
{
	int32_t last = period_last_day(code);
	char end[11], now[11], again[11];

	if (last >= today || today - last > 30)
		return NULL;
	snprintf(out, cap, tr(M_PERIOD_RECENT), date_format(last, end),
		 date_format(today, now), date_format(last + 31, again));
	return out;
}

/*
 * Whether every share within 30 days of the timeliness answer t reads 0,
 * and one does: none of the period's records reached the consolidator
 * within 30 days of its date (walk56b: the demo's records, all submitted
 * on the day it ran, months after their dates, read 0.0% with no word of
 * why).
 */
static bool
all_late(const struct qtable *t)
{
	struct svg_val v;
	bool any = false;
	size_t i;

	for (i = 0; i < t->n_rows; i++) {
		v = rp_val(t, i, "within_30_days_pct");
		if (v.kind != SVG_NUM)
			continue;
		if (v.v != 0)
			return false;
		any = true;
	}
	return any;
}

void
rp_sec_timeliness(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_TIMELINESS];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][48];
	char note[400], both[1024];
	struct svg_bars c;
	size_t i;

	rp_section(r, "timeliness", M_SEC_TIMELINESS);
	if (!rp_usable(r, t, "timeliness"))
		goto out;
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	rp_bars_of(r, "timeliness", M_FIG_TIMELINESS, t, "institution",
		   "within_30_days_pct", bars, &c);
	for (i = 0; i < c.n; i++) {
		bars[i].note = rp_median_note(t, i, "median_days", notes[i],
					      sizeof(notes[i]));
		/* As SDG 16.2.2's rates: a share of records withheld reads
		 * as they do. */
		if (bars[i].v.kind == SVG_NONE &&
		    (bars[i].hidden = rp_count_mark(t, i, "records")) != NULL) {
			bars[i].v = svg_hidden();
			r->marked = true;
		}
	}
	c.unit = "%";
	c.max = 100;
	rp_fig_open(r, "f-timeliness", M_FIG_TIMELINESS, M_HOW_TIMELINESS,
		    BESIDE);
	(void)svg_bars(r->f, &c);
	rp_fig_middle(r);
	rp_table_of(r, t, "timeliness",
		    COLS({"institution", NULL, HTML_LABEL},
			 {"records", NULL, HTML_VALUE},
			 {"median_days", NULL, HTML_VALUE},
			 {"within_30_days_pct", NULL, HTML_VALUE}),
		    NULL);
	/* Only the records accepted by today have a delay. */
	if (rp_any_value(t, "median_days") ||
	    rp_any_value(t, "within_30_days_pct"))
		r->note = rp_timeliness_note(r->code, r->d->today, note,
					     sizeof(note));
	/* A 0 everywhere says what it counts, and why it may read so. */
	if (r->note != NULL && all_late(t)) {
		snprintf(both, sizeof(both), "%s %s", r->note,
			 tr(M_TIMELINESS_ZERO_TABLE_NOTE));
		r->note = both;
	}
	rp_fig_close(r, t, "timeliness", NULL);
out:
	rp_section_end(r);
}

/* Row i of the estimate answer t has an interval (below). */
static bool has_interval(const struct qtable *t, size_t i);

/*
 * Under SDG 16.2.2, the estimate's rate with its interval to publish:
 * the bootstrap row's limits divided by the population of the row that
 * holds the rate (ESTIMATION.md, "Publish the detected rate beside the
 * estimated one, with the bootstrap interval of the estimate table
 * divided by the same population"). The limits are those the estimate
 * table shows (for the secretariat rounded to 10, as its rate is), plus
 * the unlinkable victims the row adds to the estimate.
 */
static void
sdg_rate_interval(struct report *r, const struct qtable *t, const char *part)
{
	const struct qtable *e = &r->d->t[RT_ESTIMATE];
	struct svg_val rate, pop, low, high, sdg_est, step_est, victims,
	    observed;
	char s_rate[32], s_low[32], s_high[64], s_pop[32], n_low[32],
	    n_high[64], plus[96] = "";
	double added = 0;
	size_t i, boot, step;

	for (i = 0; i < t->n_rows; i++)
		if (strcmp(rp_text_of(t, i, "sex"), "all") == 0 &&
		    strcmp(rp_text_of(t, i, "age_group"), "all") == 0)
			break;
	if (i == t->n_rows)
		return;
	rate = rp_val(t, i, "estimate_per_100k");
	pop = rp_val(t, i, "population");
	if (rate.kind != SVG_NUM || pop.kind != SVG_NUM || pop.v <= 0)
		return;
	snprintf(s_rate, sizeof(s_rate), "%.2f", rate.v);
	for (boot = 0; boot < e->n_rows; boot++)
		if (strcmp(rp_text_of(e, boot, "method"), "bootstrap") == 0)
			break;
	fprintf(r->f, "<p class=\"rate-ci\">");
	if (e->error[0] != '\0' || boot == e->n_rows ||
	    !has_interval(e, boot)) {
		if (part != NULL)
			rp_put(r, tr(M_SDG_RATE_NO_CI_PART), part, s_rate);
		else
			rp_put(r, tr(M_SDG_RATE_NO_CI), s_rate);
		fprintf(r->f, "</p>\n");
		return;
	}
	/* The row's estimate is the stepwise one plus the unlinkable
	 * victims it leaves out, its victims less the stepwise row's
	 * observed (ESTIMATION.md): so are the limits. A consolidator
	 * that adds none (older than this) gives the same estimate in
	 * both tables, and nothing is added here either. */
	for (step = 0; step < e->n_rows; step++)
		if (strcmp(rp_text_of(e, step, "method"), "stepwise") == 0)
			break;
	sdg_est = rp_val(t, i, "estimate");
	victims = rp_val(t, i, "victims");
	step_est = observed = (struct svg_val){0};
	if (step < e->n_rows) {
		step_est = rp_val(e, step, "estimate");
		observed = rp_val(e, step, "observed");
	}
	if (sdg_est.kind == SVG_NUM && step_est.kind == SVG_NUM &&
	    victims.kind == SVG_NUM && observed.kind == SVG_NUM &&
	    victims.v > observed.v &&
	    sdg_est.v - step_est.v == victims.v - observed.v) {
		char n[32];
		added = sdg_est.v - step_est.v;
		(void)html_group((long long)added, tr(M_THOUSANDS), n,
				 sizeof(n));
		snprintf(plus, sizeof(plus), tr(M_SDG_PLUS_UNLINKED), n);
	}
	low = rp_val(e, boot, "low95");
	high = rp_val(e, boot, "high95");
	snprintf(s_low, sizeof(s_low), "%.2f",
		 (low.v + added) * 100000.0 / pop.v);
	snprintf(n_low, sizeof(n_low), "%.0f", low.v);
	if (high.kind == SVG_NUM) {
		snprintf(s_high, sizeof(s_high), "%.2f",
			 (high.v + added) * 100000.0 / pop.v);
		snprintf(n_high, sizeof(n_high), "%.0f", high.v);
	} else {
		snprintf(s_high, sizeof(s_high), "%s", tr(M_NO_UPPER));
		snprintf(n_high, sizeof(n_high), "%s", tr(M_NO_UPPER));
	}
	(void)html_group((long long)pop.v, tr(M_THOUSANDS), s_pop,
			 sizeof(s_pop));
	if (part != NULL)
		rp_put(r, tr(M_SDG_RATE_CI_PART), part, s_rate, s_low, s_high,
		       n_low, n_high, REPORT_BOOT, REPORT_SEED, plus, s_pop);
	else
		rp_put(r, tr(M_SDG_RATE_CI), s_rate, s_low, s_high, n_low,
		       n_high, REPORT_BOOT, REPORT_SEED, plus, s_pop);
	fprintf(r->f, "</p>\n");
}

/*
 * SDG 16.2.2, when the consolidator has population figures: a bar per
 * group for the victims identified per 100,000, and one for the estimate
 * of all victims per 100,000. Of a semester or a quarter they are a part
 * of a year's, and the title, how to read it and the estimate's sentence
 * name the period instead of SDG 16.2.2, a yearly rate.
 */
static void
fig_sdg(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_SDG];
	static struct svg_bar bars[MAX_BARS];
	static char labels[MAX_BARS][96];
	static char note[320], title[192], how[1024];
	char words[64];
	const char *part = NULL, *source;
	struct svg_bars c;
	size_t i, n;

	if (!rp_usable(r, t, "sdg16_2_2"))
		return;
	if (period_kind(r->code) != PERIOD_YEAR) {
		part = rp_period_words(r->code, words, sizeof(words));
		snprintf(title, sizeof(title), tr(M_FIG_SDG_PART), part);
		snprintf(how, sizeof(how), tr(M_HOW_SDG_PART), part,
			 (int)(r->code / 10));
	} else {
		snprintf(title, sizeof(title), "%s", tr(M_FIG_SDG));
		snprintf(how, sizeof(how), "%s", tr(M_HOW_SDG));
	}
	/* The source the population file names, on the last row (all,
	 * all); a file that names none is only "the file given". */
	source = rp_text_of(t, t->n_rows - 1, "source");
	if (t->n_rows > 0 && source[0] != '\0') {
		size_t used = strlen(how);
		snprintf(how + used, sizeof(how) - used, tr(M_SDG_SOURCE),
			 source);
	}
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	for (i = n = 0; i < t->n_rows && n + 1 < MAX_BARS; i++) {
		snprintf(labels[n], sizeof(labels[n]), "%s, %s",
			 i18n_word("sex", rp_text_of(t, i, "sex")),
			 i18n_word("age_group", rp_text_of(t, i, "age_group")));
		bars[n].label = labels[n];
		bars[n].v = rp_val(t, i, "victims_per_100k");
		/* A rate of victims withheld would give them away: it is
		 * withheld with them, and reads as they do in the table. */
		if (bars[n].v.kind == SVG_NONE &&
		    (bars[n].hidden = rp_count_mark(t, i, "victims")) != NULL) {
			bars[n].v = svg_hidden();
			r->marked = true;
		}
		n++;
		/* The estimate's bar after both sexes and all ages, as how
		 * to read the figure says: "–" when there is none (the table
		 * says why), not left out. */
		if (html_cell(t, i, "estimate_per_100k") != NULL &&
		    strcmp(rp_text_of(t, i, "sex"), "all") == 0 &&
		    strcmp(rp_text_of(t, i, "age_group"), "all") == 0) {
			bars[n].label = tr(M_SDG_ESTIMATE_BAR);
			bars[n++].v = rp_val(t, i, "estimate_per_100k");
		}
	}
	c.id = "sdg";
	c.title = title;
	c.bars = bars;
	c.n = n;
	c.k = r->k;
	c.hidden = tr(M_HIDDEN);
	rp_fig_open_as(r, "f-sdg", title, how, UNDER);
	if (t->n_rows > 0)
		(void)svg_bars(r->f, &c);
	rp_fig_middle(r);
	rp_table_of(r, t, "sdg16_2_2",
		    COLS({"sex", NULL, HTML_LABEL},
			 {"age_group", NULL, HTML_WORD},
			 {"population", NULL, HTML_VALUE},
			 {"victims", NULL, HTML_VALUE},
			 {"victims_per_100k", NULL, HTML_VALUE},
			 {"estimate", NULL, HTML_VALUE},
			 {"estimate_per_100k", NULL, HTML_VALUE},
			 {"note", NULL, HTML_NOTE}),
		    NULL);
	/* A semester's or quarter's rate is over that period: beside the
	 * yearly SDG figure it would read as a fall (ESTIMATION.md:
	 * publish years). */
	if (period_kind(r->code) != PERIOD_YEAR) {
		snprintf(note, sizeof(note), tr(M_SDG_PERIOD_NOTE),
			 (int)(r->code / 10));
		r->note = note;
	}
	rp_fig_close(r, t, "sdg16_2_2", tr(M_SDG_NOTE));
	sdg_rate_interval(r, t, part);
}

/* Whether row i of the estimate answer t has an interval: its lower
 * limit shown (the upper may be infinite, the note says so); not a
 * bootstrap not computed, one-sided or without an estimate, nor one
 * suppressed for the secretariat. */
static bool
has_interval(const struct qtable *t, size_t i)
{
	return rp_val(t, i, "low95").kind == SVG_NUM;
}

/*
 * Which interval to publish: the bootstrap row's when it has one.
 * Otherwise there is none, and the model-conditional intervals, where a
 * row has one (not when the figures are suppressed for the secretariat or
 * there is no estimate), do not stand in for it.
 */
static void
interval_to_publish(struct report *r, const struct qtable *t, size_t boot)
{
	size_t i;

	if (has_interval(t, boot)) {
		rp_put(r, tr(M_ESTIMATE_INTERVAL), REPORT_BOOT, REPORT_SEED);
		return;
	}
	html_escape(r->f, tr(M_ESTIMATE_NO_BOOT));
	for (i = 0; i < t->n_rows; i++)
		if (i != boot && has_interval(t, i)) {
			fprintf(r->f, " ");
			html_escape(r->f, tr(M_ESTIMATE_MODEL_ONLY));
			return;
		}
}

void
rp_sec_estimate(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_ESTIMATE];
	static struct svg_interval rows[MAX_BARS];
	struct svg_intervals c;
	char query[64], note[384];
	bool drawn = false;
	size_t i;

	rp_section(r, "estimate", M_SEC_ESTIMATE);
	if (!rp_usable(r, t, "estimate")) {
		/* A region's SDG 16.2.2 is given where its estimate is not
		 * (to the secretariat: docs/DISCLOSURE.md), its counts and
		 * rates without one; refused (no population figures for the
		 * region), its note says why, as the country's does: the
		 * page said nothing of it (walk56b). Where it is closed too
		 * (an institution's view), the estimate's refusal has said so
		 * once. */
		if (r->region != NULL &&
		    strstr(r->d->t[RT_SDG].error,
			   "not open to an institution") == NULL)
			fig_sdg(r);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	for (i = 0; i < t->n_rows && i < MAX_BARS; i++) {
		rows[i].label = i18n_word("method", rp_text_of(t, i, "method"));
		rows[i].observed = rp_val(t, i, "observed");
		rows[i].estimate = rp_val(t, i, "estimate");
		rows[i].low = rp_val(t, i, "low95");
		rows[i].high = rp_val(t, i, "high95");
		rows[i].unbounded = rp_high_infinite(t, i, "high95");
		drawn |= (rows[i].observed.kind == SVG_NUM &&
			  rows[i].observed.v > 0) ||
			 rows[i].estimate.kind == SVG_NUM ||
			 rows[i].low.kind == SVG_NUM;
	}
	c.id = "estimate";
	c.title = tr(M_FIG_ESTIMATE);
	c.rows = rows;
	c.n = i;
	c.legend_observed = tr(M_OBSERVED);
	c.legend_estimate = tr(M_ESTIMATE_CI);
	c.k = r->k;
	c.hidden = tr(M_HIDDEN);
	rp_fig_open(r, "f-estimate", M_FIG_ESTIMATE, M_HOW_ESTIMATE, UNDER);
	/* Nothing to draw (the secretariat's estimate suppressed, a period
	 * with no victim): a scale of 0 to 1 under rows of "–" read as a
	 * broken chart. */
	if (t->n_rows > 0 && !drawn) {
		fprintf(r->f, "<p>");
		html_escape(r->f, tr(M_ESTIMATE_NO_CHART));
		fprintf(r->f, "</p>\n");
	} else if (t->n_rows > 0)
		(void)svg_intervals(r->f, &c);
	else {
		fprintf(r->f, "<p class=\"notice\">");
		html_escape(r->f, tr(M_NO_ROWS));
		fprintf(r->f, "</p>\n");
	}
	rp_fig_middle(r);
	rp_table_of(
	    r, t, "estimate",
	    COLS({"method", NULL, HTML_LABEL}, {"lists", NULL, HTML_WORD},
		 {"observed", NULL, HTML_VALUE}, {"estimate", NULL, HTML_VALUE},
		 {"low95", NULL, HTML_VALUE}, {"high95", NULL, HTML_VALUE},
		 {"interactions", NULL, HTML_VALUE}, {"note", NULL, HTML_NOTE}),
	    NULL);
	snprintf(query, sizeof(query), "estimate --boot %d --seed %d",
		 REPORT_BOOT, REPORT_SEED);
	r->note = rp_adults_note(r, M_ESTIMATE_ADULTS, note, sizeof(note));
	rp_fig_close(r, t, query, tr(M_ESTIMATE_NOTE));
	/* What the figure rests on, and which interval to publish. */
	fprintf(r->f, "<p>");
	html_escape(r->f, tr(M_ESTIMATE_ASSUMES));
	for (i = 0; i < t->n_rows; i++)
		if (strcmp(rp_text_of(t, i, "method"), "bootstrap") == 0) {
			fprintf(r->f, " ");
			interval_to_publish(r, t, i);
			break;
		}
	fprintf(r->f, "</p>\n");
	/* Too few victims in common to trust the figure: said apart from
	 * the rows' notes, where it could be read past. */
	for (i = 0; i < t->n_rows; i++)
		if (strstr(rp_text_of(t, i, "note"), "sparse: ") != NULL) {
			fprintf(r->f, "<p class=\"notice\">");
			rp_put(r, tr(M_ESTIMATE_SPARSE), MSE_SPARSE_MULTIPLE);
			fprintf(r->f, "</p>\n");
			break;
		}
	fig_sdg(r);
out:
	rp_section_end(r);
}
