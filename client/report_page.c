/*
 * report_page.c - the page of kuska report; see report.h. Sections in the
 * order the Commission reads them: key indicators, identification,
 * referrals, protection, prosecution, timeliness, the estimate of the
 * undetected, and where the numbers come from. Each figure is a chart
 * (svg.h), its numbers in a table (html.h), a line on how to read it and
 * the query that gives it. This file writes the page's frame (header,
 * contents, footer) and says whose view it is (report_int.h);
 * report_figure.c holds the helpers every section writes its figures
 * with, report_children.c the children among the victims; the sections
 * are report_indicators.c, report_sections.c, report_prosecution.c and
 * report_estimate.c.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "event.h"
#include "html.h"
#include "i18n.h"
#include "report.h"
#include "report_deliveries.h"
#include "report_int.h"
#include "svg.h"
#include "takeups.h"

/* ---- writing helpers -------------------------------------------------- */

/* Text made from a sentence of i18n.h, escaped. */
void __attribute__((format(printf, 2, 3)))
rp_put(struct report *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	html_escape(r->f, buf);
}

/* ---- whose view the page is --------------------------------------------- */

static const char *own_institution(const struct report_data *d);

bool
rp_own_view(const struct report *r)
{
	return strcmp(r->role, "institution") == 0;
}

const char *
rp_own_word(const struct report *r)
{
	const char *inst = own_institution(r->d);

	return inst != NULL ? i18n_word("institution", inst)
			    : tr(M_THE_INSTITUTION);
}

static const char *
to_word(const char *inst)
{
	return i18n_word("to", inst);
}

char *
rp_no_takeups(const struct report *r, const struct qtable *t, char *buf,
	      size_t cap)
{
	char names[128];

	takeups_names(takeups_none(t), to_word, names, sizeof(names));
	if (names[0] == '\0' || !rp_own_view(r))
		snprintf(buf, cap, "%s", names);
	else
		snprintf(buf, cap, tr(M_NO_TAKEUPS_OWN), names, rp_own_word(r));
	return buf;
}

/* ---- the page ----------------------------------------------------------- */

static const char *
role_word(const char *role)
{
	if (strcmp(role, "secretariat") == 0)
		return tr(M_ROLE_SECRETARIAT);
	if (strcmp(role, "analyst") == 0)
		return tr(M_ROLE_ANALYST);
	if (strcmp(role, "institution") == 0)
		return tr(M_ROLE_INSTITUTION);
	return role;
}

const char *
rp_period_words(uint32_t code, char *out, size_t cap)
{
	int y = (int)(code / 10), p = (int)(code % 10);

	if (p == 0)
		snprintf(out, cap, tr(M_PERIOD_YEAR), y);
	else if (p == 5)
		snprintf(out, cap, tr(M_PERIOD_SEMESTER_1), y);
	else if (p == 6)
		snprintf(out, cap, tr(M_PERIOD_SEMESTER_2), y);
	else /* a quarter, 1 to 4 (period.h) */
		snprintf(out, cap, tr(M_PERIOD_QUARTER_1 + (p - 1)), y);
	return out;
}

/*
 * Which institution an institution's key sees: the one institution its
 * own rows name (deliveries, else sources). Not its key's id, the name
 * of its officers' query key ("pnp-stats"). NULL: no answer tells.
 */
static const char *
own_institution(const struct report_data *d)
{
	static const enum report_table from[] = {RT_DELIVERIES, RT_SOURCES};
	const struct cell *c;
	size_t i;

	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		const struct qtable *t = &d->t[from[i]];
		if (t->error[0] != '\0' ||
		    strcmp(t->role, "institution") != 0 || t->n_rows != 1)
			continue;
		c = html_cell(t, 0, "institution");
		if (c != NULL && c->kind == CELL_TEXT)
			return codec_cell_str(c);
	}
	return NULL;
}

/* "Vista secretaría", "secretariat view": the role's word set apart, in
 * the order of the page's language (M_VIEW). */
static void
view_of(struct report *r)
{
	const char *fmt = tr(M_VIEW), *at = strstr(fmt, "%s");
	char before[64];

	assert(at != NULL && (size_t)(at - fmt) < sizeof(before));
	snprintf(before, sizeof(before), "%.*s", (int)(at - fmt), fmt);
	html_escape(r->f, before);
	fprintf(r->f, "<span class=\"role%s\">",
		strcmp(r->role, "secretariat") == 0 ? "" : " exact");
	html_escape(r->f, role_word(r->role));
	fprintf(r->f, "</span>");
	html_escape(r->f, at + 2);
}

static void all_silent(struct report *r);

static void
header(struct report *r)
{
	char words[64], from[11], to[11], recent[512];
	static const struct {
		const char *id;
		enum i18n_msg title;
	} toc[] = {
	    {"indicators", M_SEC_INDICATORS},
	    {"identification", M_SEC_IDENTIFICATION},
	    {"referrals", M_SEC_REFERRALS},
	    {"protection", M_SEC_PROTECTION},
	    {"prosecution", M_SEC_PROSECUTION},
	    {"timeliness", M_SEC_TIMELINESS},
	    {"estimate", M_SEC_ESTIMATE},
	    {"sources", M_SEC_SOURCES},
	};
	size_t i;

	fprintf(r->f, "<header class=\"top\">\n<p class=\"kicker\">");
	html_escape(r->f, tr(M_KICKER));
	fprintf(r->f, "</p>\n<h1>");
	rp_period_words(r->code, words, sizeof(words));
	if (r->region != NULL) {
		char where[sizeof(words) + REGION_LABEL_MAX + 16];
		snprintf(where, sizeof(where), tr(M_REGION_TITLE), words,
			 r->region_label);
		rp_put(r, tr(M_TITLE), where);
	} else {
		rp_put(r, tr(M_TITLE), words);
	}
	fprintf(r->f, "</h1>\n<p class=\"meta\">");
	rp_put(r, tr(M_PERIOD_RANGE), r->period,
	       date_format(period_first_day(r->code), from),
	       date_format(period_last_day(r->code), to));
	fprintf(r->f, " \u00b7 ");
	view_of(r);
	if (strcmp(r->role, "secretariat") == 0) {
		fprintf(r->f, " \u00b7 ");
		rp_put(r, tr(M_SECRETARIAT_RULE), r->k - 1, tr(M_HIDDEN));
	}
	fprintf(r->f, "</p>\n");
	if (r->region != NULL) {
		fprintf(r->f, "<p class=\"warn\" id=\"region\">");
		rp_put(r, tr(M_REGION_NOTE), r->region_label, r->region);
		fprintf(r->f, "</p>\n");
	}
	/* A period still running reads as final otherwise. */
	if (period_last_day(r->code) >= r->d->today) {
		fprintf(r->f, "<p class=\"warn\">");
		rp_put(r, tr(M_PERIOD_OPEN), date_format(r->d->today, to));
		fprintf(r->f, "</p>\n");
	} else if (rp_recent_note(r->code, r->d->today, recent,
				  sizeof(recent)) != NULL) {
		/* Just over reads as final too: late records still come. */
		fprintf(r->f, "<p class=\"warn\" id=\"recent\">");
		rp_put(r, "%s", recent);
		fprintf(r->f, "</p>\n");
	}
	all_silent(r);
	if (strcmp(r->role, "analyst") == 0) {
		fprintf(r->f, "<p class=\"warn\">");
		rp_put(r, tr(M_ANALYST_WARNING), r->k);
		fprintf(r->f, "</p>\n");
	} else if (strcmp(r->role, "institution") == 0) {
		const char *inst = own_institution(r->d);
		fprintf(r->f, "<p class=\"warn\">");
		if (inst != NULL)
			rp_put(r, tr(M_INSTITUTION_NOTE),
			       i18n_word("institution", inst));
		else
			html_escape(r->f, tr(M_INSTITUTION_NOTE_ANY));
		fprintf(r->f, "</p>\n");
	}
	fprintf(r->f, "</header>\n<nav class=\"toc\"><b>");
	html_escape(r->f, tr(M_CONTENTS));
	fprintf(r->f, "</b>\n<ol>\n");
	for (i = 0; i < sizeof(toc) / sizeof(toc[0]); i++) {
		fprintf(r->f, "<li><a href=\"#%s\">", toc[i].id);
		html_escape(r->f, tr(toc[i].title));
		fprintf(r->f, "</a></li>\n");
	}
	fprintf(r->f, "</ol>\n</nav>\n<main>\n");
}

/*
 * Which institutions sent nothing dated in the period: their zeros are
 * missing data, which the sources table (all periods) does not show.
 * From timeliness, whose records count is 0 only for those (a withheld
 * count, 1 to k-1 or one hidden to protect such, is not silence): their
 * names in names (cap bytes), how many, and in *rows how many
 * institutions' rows the table has (an institution's client gets its own
 * row only). 0 and no rows without that table.
 */
static size_t
silent_names(const struct report *r, char *names, size_t cap, size_t *rows)
{
	const struct qtable *t = &r->d->t[RT_TIMELINESS];
	size_t i, n = 0;

	names[0] = '\0';
	*rows = 0;
	if (t->error[0] != '\0')
		return 0;
	for (i = 0; i < t->n_rows; i++) {
		const struct cell *c = html_cell(t, i, "records");
		const char *inst = rp_text_of(t, i, "institution");
		if (strcmp(inst, "all") == 0)
			continue;
		(*rows)++;
		if (c == NULL || c->kind != CELL_NUMBER || c->number != 0)
			continue;
		snprintf(names + strlen(names), cap - strlen(names), "%s%s",
			 n++ > 0 ? ", " : "", i18n_word("institution", inst));
	}
	return n;
}

/*
 * Under the title, when none of the five institutions has a record dated
 * in the period: every chart and table of the page reads 0, which the
 * footer alone said was no count at all (walk56b: a year before the
 * first record read as a year without victims).
 */
static void
all_silent(struct report *r)
{
	char names[64];
	size_t rows;

	if (silent_names(r, names, sizeof(names), &rows) < INST_COUNT ||
	    rows < INST_COUNT)
		return;
	fprintf(r->f, "<p class=\"warn\" id=\"all-silent\">");
	if (r->region != NULL)
		rp_put(r, tr(M_REGION_ALL_SILENT), r->region_label);
	else
		html_escape(r->f, tr(M_ALL_SILENT));
	fprintf(r->f, "</p>\n");
}

/* The institutions that sent nothing dated in the period, in the footer;
 * "all five have records" only where all five rows are there. */
static void
silent(struct report *r)
{
	char names[64];
	size_t n, rows;

	n = silent_names(r, names, sizeof(names), &rows);
	if (rows == 0 || (n == 0 && rows < INST_COUNT))
		return;
	fprintf(r->f, "<p id=\"silent\">");
	if (n > 0 && r->region != NULL)
		rp_put(r, tr(M_REGION_SILENT), r->region_label, names);
	else if (n > 0)
		rp_put(r, tr(M_SILENT), names);
	else if (r->region != NULL)
		rp_put(r, tr(M_REGION_NONE_SILENT), r->region_label);
	else
		html_escape(r->f, tr(M_NONE_SILENT));
	fprintf(r->f, "</p>\n");
}

static void
footer(struct report *r)
{
	const struct qtable *t = &r->d->t[RT_SOURCES];
	time_t now = r->d->made - 5 * 3600; /* Peru: UTC-5, no summer time */
	time_t made = r->d->made;
	char when[32], utc[32], caption[96];
	struct tm tm;
	struct html_table ht;
	struct html_col cols[] = {
	    {"institution", i18n_column("institution"), HTML_LABEL},
	    {"events", i18n_column("events"), HTML_VALUE},
	};

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	/* The deliveries above are in UTC: the time made is given in UTC
	 * too, or a delivery would read as later than the page. */
	gmtime_r(&made, &tm);
	strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M", &tm);
	fprintf(r->f, "</main>\n<footer id=\"sources\">\n<h2>");
	html_escape(r->f, tr(M_SEC_SOURCES));
	fprintf(r->f, "</h2>\n<p>");
	rp_put(r, tr(M_COMPUTED_BY), r->d->consolidator, r->d->cons_id,
	       r->d->cons_fp);
	fprintf(r->f, "</p>\n");
	if (t->error[0] == '\0') {
		snprintf(caption, sizeof(caption), "%s", i18n_column("events"));
		memset(&ht, 0, sizeof(ht));
		ht.t = t;
		ht.table = "sources";
		ht.period = r->period;
		ht.region = r->region;
		ht.caption = caption;
		ht.cols = cols;
		ht.n_cols = 2;
		ht.word = i18n_word;
		ht.hidden = tr(M_HIDDEN);
		(void)html_table(r->f, &ht);
	} else {
		(void)rp_usable(r, t, "sources");
	}
	silent(r);
	report_deliveries(r->f, r->d);
	fprintf(r->f, "<p>");
	rp_put(r, tr(M_GENERATED), when, utc, KUSKA_VERSION, r->d->client_id,
	       role_word(r->role), r->k);
	fprintf(r->f, " ");
	html_escape(r->f, tr(M_HOW_TO_CHECK));
	fprintf(r->f, " <code>kuska query -c CLIENT.conf TABLE --period ");
	html_escape(r->f, r->period);
	rp_region_option(r);
	fprintf(r->f, "</code>.</p>\n</footer>\n");
}

/* The role and k the consolidator answered with (any table will do). */
static void
answer_facts(struct report *r)
{
	size_t i;

	r->k = 10;
	r->role = "";
	for (i = 0; i < RT_COUNT; i++)
		if (r->d->t[i].role[0] != '\0') {
			r->k = r->d->t[i].k;
			r->role = r->d->t[i].role;
			return;
		}
}

int
report_page(FILE *f, const struct report_data *d)
{
	struct report r;
	char title[128], who[64];
	const char *inst;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.d = d;
	r.period = d->period;
	r.code = d->code;
	if (d->region != 0) {
		snprintf(r.region_code, sizeof(r.region_code), "%02u",
			 (unsigned)d->region % 100);
		r.region = r.region_code;
		region_label(d->region, r.region_label);
	}
	answer_facts(&r);
	/* The title heads a printed page and names the saved file: an
	 * institution's says which one, as its first lines do. */
	inst = strcmp(r.role, "institution") == 0 ? own_institution(d) : NULL;
	snprintf(who, sizeof(who), inst != NULL ? "%s, %s" : "%s",
		 role_word(r.role),
		 inst != NULL ? i18n_word("institution", inst) : "");
	if (r.region != NULL) {
		char where[PERIOD_NAME_MAX + REGION_LABEL_MAX + 4];
		snprintf(where, sizeof(where), "%s, %s", r.period,
			 r.region_label);
		snprintf(title, sizeof(title), tr(M_PAGE_TITLE), where, who);
	} else {
		snprintf(title, sizeof(title), tr(M_PAGE_TITLE), r.period, who);
	}
	html_page_open(f, tr(M_LANG_CODE), title);
	header(&r);
	rp_sec_indicators(&r);
	rp_sec_identification(&r);
	rp_sec_referrals(&r);
	rp_sec_protection(&r);
	rp_sec_prosecution(&r);
	rp_sec_timeliness(&r);
	rp_sec_estimate(&r);
	footer(&r);
	return html_page_close(f);
}
