/*
 * report_sections.c - the sections of kuska report's page after the key
 * indicators that say who was found and what was done for them:
 * identification (who identified the victims, and the overlap of the
 * institutions' lists), referrals and protection. Prosecution is in
 * report_prosecution.c; timeliness and the estimate of the undetected
 * with SDG 16.2.2 in report_estimate.c. See report_int.h.
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

/* ---- identification ----------------------------------------------------- */

static const char *const inst_order[] = {"pnp", "mp", "pj", "mimp", "minsa"};
#define N_INST 5

/*
 * The note that the victims counted include those identified at 18 or
 * older (the page is on children and adolescents), as message m (one %s,
 * their number) into out; NULL when the breakdown by age counts none or
 * was not given. Their number is its cell as the table shows it, or
 * "a withheld number of victims", which may be any size. The identification,
 * the overlap (whose rows share out the same victims) and the estimate (made
 * from the overlap) all count victims of every age.
 */
const char *
rp_adults_note(const struct report *r, enum i18n_msg m, char *out, size_t cap)
{
	const struct qtable *t = &r->d->t[RT_BREAKDOWN];
	const struct cell *c;
	char n[TEXT_MAX + 16];
	size_t i;

	if (t->error[0] != '\0')
		return NULL;
	for (i = 0; i < t->n_rows; i++) {
		if (strcmp(rp_text_of(t, i, "dimension"), "age_group") != 0 ||
		    strcmp(rp_text_of(t, i, "value"), "18+") != 0)
			continue;
		c = html_cell(t, i, "victims");
		if (c == NULL || (c->kind != CELL_SUPPRESSED &&
				  (c->kind != CELL_NUMBER || c->number == 0)))
			return NULL;
		snprintf(out, cap, tr(m),
			 c->kind == CELL_SUPPRESSED
			     ? tr(M_HIDDEN_VICTIMS)
			     : html_cell_text(c, t->k, n, sizeof(n)));
		return out;
	}
	return NULL;
}

static void
fig_overlap(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_OVERLAP];
	const struct qtable *id = &r->d->t[RT_IDENTIFICATION];
	const char *sets[N_INST];
	struct svg_val set_size[N_INST];
	unsigned present = 0, members[MAX_BARS];
	struct svg_val size[MAX_BARS];
	size_t i, n = 0, n_sets = 0, s;
	char note[384];
	int slot[N_INST];
	struct svg_upset c;

	/* The institutions that appear in any combination, in order. */
	for (i = 0; i < t->n_rows; i++) {
		const char *name = rp_text_of(t, i, "institutions");
		char buf[TEXT_MAX + 2], needle[16];
		snprintf(buf, sizeof(buf), "+%s+", name);
		for (s = 0; s < N_INST; s++) {
			snprintf(needle, sizeof(needle), "+%s+", inst_order[s]);
			if (strstr(buf, needle) != NULL)
				present |= 1u << s;
		}
	}
	for (s = 0; s < N_INST; s++) {
		slot[s] = -1;
		if (!(present & (1u << s)))
			continue;
		slot[s] = (int)n_sets;
		sets[n_sets] = i18n_word("institution", inst_order[s]);
		set_size[n_sets] = svg_none();
		for (i = 0; i < id->n_rows; i++)
			if (strcmp(rp_text_of(id, i, "institution"),
				   inst_order[s]) == 0)
				set_size[n_sets] = rp_val(id, i, "victims");
		n_sets++;
	}
	for (i = 0; i < t->n_rows && n < MAX_BARS; i++) {
		const char *name = rp_text_of(t, i, "institutions");
		char buf[TEXT_MAX + 2];
		if (strcmp(name, "unlinkable") == 0)
			continue;
		members[n] = 0;
		snprintf(buf, sizeof(buf), "+%s+", name);
		for (s = 0; s < N_INST; s++) {
			char needle[16];
			snprintf(needle, sizeof(needle), "+%s+", inst_order[s]);
			if (slot[s] >= 0 && strstr(buf, needle) != NULL)
				members[n] |= 1u << slot[s];
		}
		size[n++] = rp_val(t, i, "victims");
	}
	memset(&c, 0, sizeof(c));
	c.id = "overlap";
	c.title = tr(M_FIG_OVERLAP);
	c.sets = sets;
	c.set_size = set_size;
	c.n_sets = n_sets;
	c.members = members;
	c.size = size;
	c.n = n;
	c.set_heading = tr(M_OVERLAP_SETS);
	c.heading = tr(M_OVERLAP_HEADING);
	c.k = r->k;
	c.hidden = tr(M_HIDDEN);
	rp_fig_open(r, "f-overlap", M_FIG_OVERLAP, M_HOW_OVERLAP, UNDER);
	/* No combination (a period with no victim): an empty frame read as
	 * a broken chart. */
	if (n > 0)
		(void)svg_upset(r->f, &c);
	else {
		fprintf(r->f, "<p>");
		html_escape(r->f, tr(M_OVERLAP_NO_CHART));
		fprintf(r->f, "</p>\n");
	}
	fprintf(r->f, "<p class=\"how\">");
	html_escape(r->f, tr(M_UNLINKABLE_NOTE));
	fprintf(r->f, "</p>\n");
	rp_fig_middle(r);
	rp_table_of(r, t, "overlap",
		    COLS({"institutions", NULL, HTML_LABEL},
			 {"victims", NULL, HTML_VALUE}),
		    NULL);
	r->note = rp_adults_note(r, M_ADULTS_NOTE, note, sizeof(note));
	rp_fig_close(r, t, "overlap", NULL);
}

/* Whether row of the identification t is its total: row all, or in an
 * institution's view, which has no such row, its own row. */
static bool
total_row(const struct report *r, const struct qtable *t, size_t row)
{
	if (rp_own_view(r))
		return t->n_rows == 1;
	return strcmp(rp_text_of(t, row, "institution"), "all") == 0;
}

/*
 * Under the section's title, before any figure: how many of the victims
 * identified (total_row) were children. The page is on children, and its
 * counts of victims are of every age; the number a reader quotes must
 * come with the children's beside it.
 */
static void
children_lead(struct report *r, const struct qtable *t)
{
	size_t i;

	/* A region's report of the secretariat, which gets no breakdown by
	 * region: say where the ages are rather than nothing. */
	if (r->region != NULL && r->d->t[RT_BREAKDOWN].error[0] != '\0') {
		(void)rp_usable(r, &r->d->t[RT_BREAKDOWN], "breakdown");
		return;
	}
	for (i = 0; i < t->n_rows; i++)
		if (total_row(r, t, i)) {
			rp_children_para(r, &r->d->t[RT_BREAKDOWN], r->period,
					 rp_val(t, i, "victims"), false);
			return;
		}
}

void
rp_sec_identification(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_IDENTIFICATION];
	struct svg_bar bars[MAX_BARS];
	struct svg_bars c;
	char note[384];

	rp_section(r, "identification", M_SEC_IDENTIFICATION);
	if (rp_usable(r, t, "identification") &&
	    !rp_not_recorded(r, t, "victims", M_WHAT_IDENTIFICATIONS)) {
		children_lead(r, t);
		memset(&c, 0, sizeof(c));
		memset(bars, 0, sizeof(bars));
		rp_bars_of(r, "identification", M_FIG_IDENTIFICATION, t,
			   "institution", "victims", bars, &c);
		c.counts = true;
		/* Its own row alone: no sum, no PJ to speak of. */
		rp_fig_open(r, "f-identification", M_FIG_IDENTIFICATION,
			    rp_own_view(r) ? M_HOW_IDENTIFICATION_OWN
					   : M_HOW_IDENTIFICATION,
			    BESIDE);
		(void)svg_bars(r->f, &c);
		rp_fig_middle(r);
		rp_table_of(r, t, "identification",
			    COLS({"institution", NULL, HTML_LABEL},
				 {"victims", NULL, HTML_VALUE}),
			    NULL);
		r->note = rp_adults_note(r, M_ADULTS_NOTE, note, sizeof(note));
		rp_fig_close(r, t, "identification", NULL);
	}
	if (rp_usable(r, &r->d->t[RT_OVERLAP], "overlap"))
		fig_overlap(r);
	rp_section_end(r);
}

/* ---- referrals, protection ---------------------------------------------- */

/* Whether a row of t has a value in col. */
bool
rp_any_value(const struct qtable *t, const char *col)
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if (rp_val(t, i, col).kind == SVG_NUM)
			return true;
	return false;
}

/* Whether a row of t has a negative value in col: dates to check, which
 * a reader would take for days (a sentence dated before its trial, a
 * take-up before its referral). */
bool
rp_any_negative(const struct qtable *t, const char *col)
{
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if (rp_val(t, i, col).kind == SVG_NUM &&
		    rp_val(t, i, col).v < 0)
			return true;
	return false;
}

/*
 * The take-ups the destinations recorded that match no referral of their
 * sender (the referrals_unmatched answer), as "PNP \u2192 MIMP: 2" for
 * each pair that has some, joined by ", ", into out; "" when it gives
 * none. They count in no row of the referrals' table, where a referral
 * they name with its number written otherwise reads pending.
 */
static const char *
unmatched_pairs(const struct report *r, char *out, size_t cap)
{
	const struct qtable *t = &r->d->t[RT_UNMATCHED];
	const struct cell *c;
	char n[TEXT_MAX + 16];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; t->error[0] == '\0' && i < t->n_rows && len < cap; i++) {
		c = html_cell(t, i, "takeups_unmatched");
		if (c == NULL || (c->kind != CELL_SUPPRESSED &&
				  (c->kind != CELL_NUMBER || c->number == 0)))
			continue;
		len += (size_t)snprintf(
		    out + len, cap - len, "%s%s \u2192 %s: %s",
		    len > 0 ? ", " : "",
		    i18n_word("from", rp_text_of(t, i, "from")),
		    i18n_word("to", rp_text_of(t, i, "to")),
		    c->kind == CELL_SUPPRESSED
			? tr(M_HIDDEN_TAKEUPS)
			: html_cell_text(c, t->k, n, sizeof(n)));
	}
	return out;
}

void
rp_sec_referrals(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_REFERRALS];
	static struct svg_bar bars[MAX_BARS];
	static char labels[MAX_BARS][2 * TEXT_MAX + 8], notes[MAX_BARS][48];
	static char note[2048];
	char names[256], pairs[1024], cmd[96];
	struct svg_bars c;
	size_t i;

	note[0] = '\0';
	rp_section(r, "referrals", M_SEC_REFERRALS);
	if (!rp_usable(r, t, "referrals"))
		goto out;
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	for (i = 0; i < t->n_rows && i < MAX_BARS; i++) {
		snprintf(labels[i], sizeof(labels[i]), "%s \u2192 %s",
			 i18n_word("from", rp_text_of(t, i, "from")),
			 i18n_word("to", rp_text_of(t, i, "to")));
		bars[i].label = labels[i];
		bars[i].v = rp_val(t, i, "sent");
		bars[i].part = rp_val(t, i, "taken_up");
		bars[i].note = rp_median_note(t, i, "median_days", notes[i],
					      sizeof(notes[i]));
	}
	c.id = "referrals";
	c.title = tr(M_FIG_REFERRALS);
	c.bars = bars;
	c.n = i;
	c.has_part = true;
	c.legend_v = tr(M_SENT);
	c.legend_part = tr(M_TAKEN_UP);
	c.k = r->k;
	c.hidden = tr(M_HIDDEN);
	c.counts = true;
	rp_fig_open(r, "f-referrals", M_FIG_REFERRALS, M_HOW_REFERRALS, UNDER);
	if (t->n_rows > 0)
		(void)svg_bars(r->f, &c);
	rp_fig_middle(r);
	rp_table_of(r, t, "referrals",
		    COLS({"from", NULL, HTML_LABEL}, {"to", NULL, HTML_WORD},
			 {"sent", NULL, HTML_VALUE},
			 {"taken_up", NULL, HTML_VALUE},
			 {"pending", NULL, HTML_VALUE},
			 {"median_days", NULL, HTML_VALUE}),
		    NULL);
	/* A destination whose take-ups never arrive reads 0 taken up: say
	 * it is a gap in the data. Only the referrals taken up by today
	 * have days to take-up. */
	rp_no_takeups(r, t, names, sizeof(names));
	if (names[0] != '\0')
		snprintf(note, sizeof(note), tr(M_NO_TAKEUPS_NOTE), names);
	if (rp_any_value(t, "median_days"))
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "%s%s", note[0] != '\0' ? " " : "",
			 tr(M_TAKE_UP_DAYS_NOTE));
	if (rp_any_negative(t, "median_days"))
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "%s%s", note[0] != '\0' ? " " : "",
			 tr(M_NEGATIVE_TAKEUP_NOTE));
	if (unmatched_pairs(r, pairs, sizeof(pairs))[0] != '\0') {
		snprintf(note + strlen(note), sizeof(note) - strlen(note), "%s",
			 note[0] != '\0' ? " " : "");
		snprintf(cmd, sizeof(cmd),
			 "kuska query referrals_unmatched --period %s%s%s",
			 r->period, r->region != NULL ? " --region " : "",
			 r->region != NULL ? r->region : "");
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 tr(M_UNMATCHED_NOTE), cmd, pairs);
	}
	if (note[0] != '\0')
		r->note = note;
	rp_fig_close(r, t, "referrals", NULL);
out:
	rp_section_end(r);
}

void
rp_sec_protection(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_PROTECTION];
	static struct svg_bar bars[MAX_BARS];
	static char notes[MAX_BARS][48];
	static char note[1024];
	struct svg_bars c;
	size_t i;

	rp_section(r, "protection", M_SEC_PROTECTION);
	if (!rp_usable(r, t, "protection") ||
	    rp_not_recorded(r, t, "victims", M_WHAT_SERVICES))
		goto out;
	memset(&c, 0, sizeof(c));
	memset(bars, 0, sizeof(bars));
	rp_bars_of(r, "protection", M_FIG_PROTECTION, t, "service", "victims",
		   bars, &c);
	for (i = 0; i < c.n; i++)
		bars[i].note = rp_median_note(t, i, "median_days", notes[i],
					      sizeof(notes[i]));
	c.counts = true;
	rp_fig_open(r, "f-protection", M_FIG_PROTECTION, M_HOW_PROTECTION,
		    BESIDE);
	(void)svg_bars(r->f, &c);
	rp_fig_middle(r);
	rp_table_of(r, t, "protection",
		    COLS({"service", NULL, HTML_LABEL},
			 {"victims", NULL, HTML_VALUE},
			 {"median_days", NULL, HTML_VALUE}),
		    NULL);
	/* A ministry serves victims the police identified: over its own
	 * events their days count from nothing, and the median's dash
	 * would read as no data. */
	note[0] = '\0';
	if (rp_own_view(r) && html_served_unmedianed(t))
		snprintf(note, sizeof(note), tr(M_OWN_MEDIANS_NOTE),
			 rp_own_word(r));
	/* A service begun before the victim was identified reads as
	 * negative days, which a reader would take for an error. */
	if (rp_any_negative(t, "median_days"))
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "%s%s", note[0] != '\0' ? " " : "",
			 tr(M_NEGATIVE_SERVICE_NOTE));
	if (note[0] != '\0')
		r->note = note;
	rp_fig_close(r, t, "protection", NULL);
out:
	rp_section_end(r);
}
