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

/* Whether the events cell says some were received: a count withheld
 * as 1 to k-1 is some. */
static bool
has_events(const struct cell *c)
{
	return c != NULL &&
	       (c->kind == CELL_SUPPRESSED ||
		(c->kind == CELL_NUMBER && c->number > 0));
}

/* One institution's line: its last delivery, or why its figures are
 * incomplete. last is "2026-03-02T14:05Z", or "" for none kept. */
static void
line(FILE *f, const char *inst, const char *last, bool events, int32_t ref)
{
	const char *name = i18n_word("institution", inst);
	char day[11], hm[6] = "";
	int32_t when;

	if (strlen(last) < 10 || date_parse(last, 10, &when) != 0) {
		/* Events but no time: a store older than the field, or
		 * one --repair rebuilt the counters of. Not "never". */
		if (events) {
			fprintf(f, "<li>");
			put(f, tr(M_DELIV_UNDATED), name);
		} else {
			fprintf(f, "<li class=\"stale\">");
			put(f, tr(M_DELIV_NEVER), name);
		}
		fprintf(f, "</li>\n");
		return;
	}
	snprintf(day, sizeof(day), "%.10s", last);
	if (ref - when > REPORT_STALE_DAYS) {
		fprintf(f, "<li class=\"stale\">");
		put(f, tr(M_DELIV_STALE), name, day);
	} else {
		if (strlen(last) >= 16)
			snprintf(hm, sizeof(hm), "%.5s", last + 11);
		fprintf(f, "<li>");
		put(f, tr(M_DELIV_LAST), name, day, hm);
	}
	fprintf(f, "</li>\n");
}

void
report_deliveries(FILE *f, const struct report_data *d)
{
	const struct qtable *t = &d->t[RT_DELIVERIES];
	int32_t ref = reference_day(d);
	char end[11];
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
	fprintf(f, "<div id=\"deliveries\"><p>");
	put(f, tr(M_DELIV_INTRO), REPORT_STALE_DAYS, date_format(ref, end));
	fprintf(f, "</p>\n<ul>\n");
	for (i = 0; i < t->n_rows; i++) {
		const struct cell *inst = html_cell(t, i, "institution");
		const struct cell *last = html_cell(t, i, "last_delivery");
		const struct cell *events = html_cell(t, i, "events");
		if (inst == NULL || inst->kind != CELL_TEXT)
			continue;
		line(f, codec_cell_str(inst),
		     last != NULL && last->kind == CELL_TEXT
			 ? codec_cell_str(last)
			 : "",
		     has_events(events), ref);
	}
	fprintf(f, "</ul></div>\n");
}
