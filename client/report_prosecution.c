/*
 * report_prosecution.c - the prosecution section of kuska report's page:
 * the funnel, how far cases got, how long each stage took. See
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

/* ---- prosecution -------------------------------------------------------- */

static bool
main_line(const char *stage)
{
	return strcmp(stage, "acquittal") != 0 &&
	       strcmp(stage, "dismissal") != 0;
}

/*
 * Attrition a (a share, 0 to 1) as the funnel's chart notes it: a loss
 * with a minus sign ("\u221225.0%"), none as "0.0%" (it read "\u22120.0%").
 * A gain, more cases at a stage than at the one before, which
 * EVENTS.md's funnel cannot give (a stage is reached by any later one),
 * reads "+10.0%" rather than a minus before a hyphen.
 */
static void
attrition_note(double a, char *out, size_t cap)
{
	double pct = round(a * 1000) / 10;

	if (pct == 0)
		snprintf(out, cap, "0.0%%");
	else
		snprintf(out, cap, "%s%.1f%%", pct > 0 ? "\u2212" : "+",
			 fabs(pct));
}

static void
fig_funnel(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_FUNNEL];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][32];
	static char note[512];
	struct svg_bars c;
	size_t i, n = 0;

	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	for (i = 0; i < t->n_rows && n < MAX_BARS; i++) {
		struct svg_val a = rp_val(t, i, "attrition");
		if (!main_line(rp_text_of(t, i, "stage")))
			continue;
		bars[n].v = rp_val(t, i, "cases");
		/* An institution's stage it does not record has no count
		 * (its table says "–"): no bar for it either. */
		if (rp_own_view(r) && bars[n].v.kind == SVG_NONE)
			continue;
		bars[n].label = i18n_short("stage", rp_text_of(t, i, "stage"));
		if (a.kind == SVG_NUM) {
			attrition_note(a.v, notes[n], sizeof(notes[n]));
			bars[n].note = notes[n];
		}
		n++;
	}
	c.id = "funnel";
	c.title = tr(M_FIG_FUNNEL);
	c.bars = bars;
	c.n = n;
	c.funnel = true;
	c.k = r->k;
	c.hidden = tr(M_HIDDEN);
	c.counts = true;
	rp_fig_open(r, "f-funnel", M_FIG_FUNNEL, M_HOW_FUNNEL, BESIDE);
	(void)svg_bars(r->f, &c);
	rp_fig_middle(r);
	rp_table_of(r, t, "funnel",
		    COLS({"stage", NULL, HTML_LABEL},
			 {"cases", NULL, HTML_VALUE},
			 {"attrition", NULL, HTML_VALUE}),
		    NULL);
	/* The police's complaints, investigated by the prosecutor: over
	 * the police's own events, every one reads as dropped. */
	if (rp_own_view(r)) {
		snprintf(note, sizeof(note), tr(M_OWN_FUNNEL_NOTE),
			 rp_own_word(r));
		r->note = note;
	}
	rp_fig_close(r, t, "funnel", NULL);
}

/*
 * The cases no complaint names (the cases_unmatched answer), as "PJ: 2"
 * for each institution that has some, joined by ", ", into out; "" when
 * it gives none. They count in the prosecution's stages and in no
 * funnel.
 */
static const char *
unmatched_cases(const struct report *r, char *out, size_t cap)
{
	const struct qtable *t = &r->d->t[RT_CASES_UNMATCHED];
	const struct cell *c;
	char n[TEXT_MAX + 16];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; t->error[0] == '\0' && i < t->n_rows && len < cap; i++) {
		c = html_cell(t, i, "cases");
		if (c == NULL || (c->kind != CELL_SUPPRESSED &&
				  (c->kind != CELL_NUMBER || c->number == 0)))
			continue;
		len += (size_t)snprintf(
		    out + len, cap - len, "%s%s: %s", len > 0 ? ", " : "",
		    i18n_word("institution", rp_text_of(t, i, "institution")),
		    c->kind == CELL_SUPPRESSED
			? tr(M_HIDDEN_TAKEUPS)
			: html_cell_text(c, t->k, n, sizeof(n)));
	}
	return out;
}

static void
fig_prosecution(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_PROSECUTION];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][48];
	static char note[1024];
	struct svg_bars c;
	size_t i, kept;
	char n[48], cases[512], cmd[96];

	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	rp_bars_of(r, "prosecution", M_FIG_PROSECUTION, t, "stage", "cases",
		   bars, &c);
	for (i = 0, kept = 0; i < c.n; i++) {
		struct svg_val v = rp_val(t, i, "persons");
		/* As in the funnel: an institution's stage it does not
		 * record has no bar, rather than a row of dashes. */
		if (rp_own_view(r) && bars[i].v.kind == SVG_NONE)
			continue;
		bars[kept] = bars[i];
		/* No "– persons" beside a stage with no count of them. */
		if (v.kind != SVG_NONE) {
			snprintf(
			    notes[kept], sizeof(notes[kept]), tr(M_PERSONS),
			    v.kind == SVG_HIDDEN
				? tr(M_HIDDEN)
				: svg_value_text(v, NULL, r->k, n, sizeof(n)));
			bars[kept].note = notes[kept];
		}
		kept++;
	}
	c.n = kept;
	c.counts = true;
	rp_fig_open(r, "f-prosecution", M_FIG_PROSECUTION, M_HOW_PROSECUTION,
		    BESIDE);
	(void)svg_bars(r->f, &c);
	rp_fig_middle(r);
	rp_table_of(r, t, "prosecution",
		    COLS({"stage", NULL, HTML_LABEL},
			 {"cases", NULL, HTML_VALUE},
			 {"persons", NULL, HTML_VALUE}),
		    NULL);
	if (unmatched_cases(r, cases, sizeof(cases))[0] != '\0') {
		snprintf(cmd, sizeof(cmd),
			 "kuska query cases_unmatched --period %s%s%s",
			 r->period, r->region != NULL ? " --region " : "",
			 r->region != NULL ? r->region : "");
		snprintf(note, sizeof(note), tr(M_CASES_UNMATCHED_NOTE), cmd,
			 cases);
		r->note = note;
	}
	rp_fig_close(r, t, "prosecution", NULL);
}

static void
fig_durations(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_DURATIONS];
	static struct svg_bar bars[MAX_BARS];
	static char labels[MAX_BARS][2 * TEXT_MAX + 8];
	struct svg_bars c;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	rp_bars_of(r, "durations", M_FIG_DURATIONS, t, "from_stage",
		   "median_days", bars, &c);
	for (i = 0; i < c.n; i++) {
		snprintf(labels[i], sizeof(labels[i]), "%s \u2192 %s",
			 i18n_short("stage", rp_text_of(t, i, "from_stage")),
			 i18n_short("stage", rp_text_of(t, i, "to_stage")));
		bars[i].label = labels[i];
	}
	c.unit = tr(M_DAYS_UNIT);
	rp_fig_open(r, "f-durations", M_FIG_DURATIONS, M_HOW_DURATIONS, UNDER);
	(void)svg_bars(r->f, &c);
	rp_fig_middle(r);
	rp_table_of(r, t, "durations",
		    COLS({"from_stage", NULL, HTML_LABEL},
			 {"to_stage", NULL, HTML_WORD},
			 {"median_days", NULL, HTML_VALUE}),
		    NULL);
	if (rp_any_negative(t, "median_days"))
		r->note = tr(M_NEGATIVE_DURATION_NOTE);
	rp_fig_close(r, t, "durations", NULL);
}

/*
 * An institution that records no case stage has one line for the
 * section; one that records no complaint (the courts) has no funnel, its
 * own cases starting at a later stage.
 */
void
rp_sec_prosecution(struct report *r)
{
	const struct qtable *p = &r->d->t[RT_PROSECUTION];

	rp_section(r, "prosecution", M_SEC_PROSECUTION);
	if (rp_not_recorded(r, p, "cases", M_WHAT_STAGES))
		goto out;
	if (rp_usable(r, &r->d->t[RT_FUNNEL], "funnel") &&
	    !rp_not_recorded(r, &r->d->t[RT_FUNNEL], "cases",
			     M_WHAT_COMPLAINTS))
		fig_funnel(r);
	if (rp_usable(r, p, "prosecution"))
		fig_prosecution(r);
	if (rp_usable(r, &r->d->t[RT_DURATIONS], "durations"))
		fig_durations(r);
out:
	rp_section_end(r);
}
