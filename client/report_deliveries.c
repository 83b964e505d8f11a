/*
 * report_deliveries.c - the footer's "not heard from since": when each
 * institution last delivered, from the deliveries table; see
 * report_deliveries.h.
 * A year's figures with an institution silent since March read as a
 * decline unless the page says the rest of the year never arrived.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "html.h"
#include "i18n.h"
#include "report_deliveries.h"

static void __attribute__((format(printf, 2, 3)))
put(FILE *f, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	html_escape(f, buf);
}

/* The day the silence is measured to: the period's last day, or the day
 * the page is made (UTC) while the period still runs. */
static int32_t
reference_day(const struct report_data *d)
{
	int32_t end = period_last_day(d->code);
	int32_t made = (int32_t)(d->made / 86400);

	return made < end ? made : end;
}

/* Whether the events cell says some were received: a withheld count
 * (1 to k-1, or one hidden to protect such) is some. */
static bool
has_events(const struct cell *c)
{
	return c != NULL &&
	       (c->kind == CELL_SUPPRESSED ||
		(c->kind == CELL_NUMBER && c->number > 0));
}

/* What the table says of one institution. last and contact are
 * "2026-03-02T14:05Z" or "" for none kept; contact NULL: a consolidator
 * older than the last_contact column. */
struct deliv {
	const char *name;
	const char *last;
	const char *contact;
	bool events;
};

/* The day of s ("2026-03-02T14:05Z") into *day, and as text into out
 * (11 bytes); -1 if s has none. */
static int
day_of(const char *s, int32_t *day, char *out)
{
	if (s == NULL || strlen(s) < 10 || date_parse(s, 10, day) != 0)
		return -1;
	snprintf(out, 11, "%.10s", s);
	return 0;
}

/* Nothing for more than REPORT_STALE_DAYS: flagged, unless the node was
 * heard from (a keepalive hello) within them: then it is running with
 * nothing new, or its case system stopped exporting to it; said as a
 * fact with what to check, not as missing figures. */
static void
late(FILE *f, const struct deliv *v, const char *day, int32_t ref)
{
	int32_t heard;
	char cday[11];

	if (day_of(v->contact, &heard, cday) == 0 &&
	    ref - heard <= REPORT_STALE_DAYS) {
		fprintf(f, "<li class=\"quiet\">");
		put(f, tr(M_DELIV_QUIET), v->name, cday, day,
		    REPORT_STALE_DAYS);
	} else {
		fprintf(f, "<li class=\"stale\">");
		put(f, tr(M_DELIV_STALE), v->name, day);
	}
	fprintf(f, "</li>\n");
}

/* One institution's line: its last delivery, or why its figures are
 * incomplete. */
static void
line(FILE *f, const struct deliv *v, int32_t ref)
{
	char day[11], cday[11], hm[6] = "";
	int32_t when, heard;

	if (day_of(v->last, &when, day) != 0) {
		/* Events but no time: a store older than the field, or
		 * one --repair rebuilt the counters of. Not "never". */
		if (v->events) {
			fprintf(f, "<li>");
			put(f, tr(M_DELIV_UNDATED), v->name);
		} else if (day_of(v->contact, &heard, cday) == 0 &&
			   ref - heard <= REPORT_STALE_DAYS) {
			/* A node saying hello with nothing ever to send. */
			fprintf(f, "<li class=\"quiet\">");
			put(f, tr(M_DELIV_IDLE), v->name, cday);
		} else {
			fprintf(f, "<li class=\"stale\">");
			put(f, tr(M_DELIV_NEVER), v->name);
		}
		fprintf(f, "</li>\n");
		return;
	}
	if (ref - when > REPORT_STALE_DAYS) {
		late(f, v, day, ref);
		return;
	}
	if (strlen(v->last) >= 16)
		snprintf(hm, sizeof(hm), "%.5s", v->last + 11);
	fprintf(f, "<li>");
	put(f, tr(M_DELIV_LAST), v->name, day, hm);
	fprintf(f, "</li>\n");
}

/* A text cell's text, "" for an empty one. */
static const char *
text(const struct cell *c)
{
	return c != NULL && c->kind == CELL_TEXT ? codec_cell_str(c) : "";
}

/* Whether t has the column. */
static bool
has_column(const struct qtable *t, const char *name)
{
	size_t j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], name) == 0)
			return true;
	return false;
}

void
report_deliveries(FILE *f, const struct report_data *d)
{
	const struct qtable *t = &d->t[RT_DELIVERIES];
	int32_t ref = reference_day(d);
	char end[11];
	bool contact;
	size_t i;

	if (t->error[0] != '\0') {
		fprintf(f, "<p id=\"deliveries\" class=\"warn\">");
		if (strncmp(t->error, "unknown table", 13) == 0)
			html_escape(f, tr(M_DELIV_UNKNOWN));
		else
			put(f, tr(M_DELIV_REFUSED), i18n_reason(t->error));
		fprintf(f, "</p>\n");
		return;
	}
	contact = has_column(t, "last_contact");
	fprintf(f, "<div id=\"deliveries\"><p>");
	put(f, tr(contact ? M_DELIV_INTRO_CONTACT : M_DELIV_INTRO),
	    REPORT_STALE_DAYS, date_format(ref, end));
	fprintf(f, "</p>\n<ul>\n");
	for (i = 0; i < t->n_rows; i++) {
		const struct cell *inst = html_cell(t, i, "institution");
		struct deliv v;
		if (inst == NULL || inst->kind != CELL_TEXT)
			continue;
		v.name = i18n_word("institution", codec_cell_str(inst));
		v.last = text(html_cell(t, i, "last_delivery"));
		v.contact =
		    contact ? text(html_cell(t, i, "last_contact")) : NULL;
		v.events = has_events(html_cell(t, i, "events"));
		line(f, &v, ref);
	}
	fprintf(f, "</ul></div>\n");
}
