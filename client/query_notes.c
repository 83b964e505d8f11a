/*
 * query_notes.c - the notes kuska query writes on standard error after
 * the table: what a reader would misread in it, as the report says it
 * under its figures. The table stays as the consolidator gives it, and
 * the CSV and the JSON the table alone. See query_int.h.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "codec.h"
#include "date.h"
#include "html.h"
#include "period.h"
#include "query_int.h"
#include "rates.h"
#include "takeups.h"

/* Whether some row of t, an indicators answer, is a count (unit). */
static bool
any_count(const struct qtable *t)
{
	size_t i, j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], "unit") == 0)
			break;
	for (i = 0; j < t->n_cols && i < t->n_rows; i++)
		if (t->rows[i][j].kind == CELL_TEXT &&
		    strcmp(t->rows[i][j].text, "count") == 0)
			return true;
	return false;
}

/*
 * The names a note lists on its line (indicators, pairs), ", " between
 * them, as many as fit in the buffer less room for " and N more", which
 * names_end then says of those that did not fit: a note that dropped
 * them unsaid read as if it had named all.
 */
struct names {
	char *buf;
	size_t cap, len, n, more;
};

#define NAMES_MORE_MAX " and 18446744073709551615 more"

static void
names_init(struct names *l, char *buf, size_t cap)
{
	assert(cap > sizeof(NAMES_MORE_MAX));
	*l = (struct names){.buf = buf, .cap = cap};
	buf[0] = '\0';
}

/* Adds the name fmt makes, or counts it among those that did not fit
 * (and every one after the first that did not). */
static void __attribute__((format(printf, 2, 3)))
names_add(struct names *l, const char *fmt, ...)
{
	size_t room = l->cap - sizeof(NAMES_MORE_MAX) - l->len;
	char name[256];
	va_list ap;
	int w;

	if (l->more > 0) {
		l->more++;
		return;
	}
	va_start(ap, fmt);
	w = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (w >= 0 && (size_t)w < sizeof(name))
		w = snprintf(l->buf + l->len, room, "%s%s",
			     l->n > 0 ? ", " : "", name);
	else
		w = -1; /* a name cut is none */
	if (w < 0 || (size_t)w >= room) {
		l->buf[l->len] = '\0';
		l->more++;
		return;
	}
	l->len += (size_t)w;
	l->n++;
}

/* Says " and N more" of the names that did not fit; returns how many
 * were added, written or not. */
static size_t
names_end(struct names *l)
{
	if (l->more > 0)
		snprintf(l->buf + l->len, l->cap - l->len, "%s%zu more",
			 l->n > 0 ? " and " : "", l->more);
	return l->n + l->more;
}

/*
 * Says on stderr, when t is the indicators of a region or of an
 * institution's own events and some are counts, that their baseline and
 * target are the national ones (INDICATORS.md: the one expression is
 * evaluated for the national figure and for any region): a count of part
 * of the country is set against the whole.
 */
static void
note_national(const struct query_req *q, const struct qtable *t)
{
	bool own = strcmp(t->role, "institution") == 0;
	char where[64];

	if (strcmp(q->table, "indicators") != 0 || (q->region == 0 && !own) ||
	    !any_count(t))
		return;
	if (q->region == 0)
		snprintf(where, sizeof(where), "the institution's own events");
	else
		snprintf(where, sizeof(where), "%sregion %02u",
			 own ? "the institution's own events in " : "",
			 (unsigned)q->region);
	fprintf(stderr,
		"kuska query: note: baselines and targets are national: the "
		"counts of %s are measured against the whole country's, not "
		"against a target of their own (docs/INDICATORS.md)\n",
		where);
}

/*
 * Says on stderr which destinations of t have no take-up on record at all,
 * of any date (takeups_none): their referrals read 0 taken up and all
 * pending for want of data, which a reader would take for referrals not
 * taken up. The counts stay as they are.
 */
static void
note_no_takeups(const struct qtable *t)
{
	uint32_t m = takeups_none(t);
	bool own = strcmp(t->role, "institution") == 0;
	bool one = (m & (m - 1)) == 0;
	char names[64];

	if (m == 0)
		return;
	fprintf(
	    stderr,
	    "kuska query: note: %s %s recorded no take-up "
	    "(referral_received) of any date%s: the referrals to %s "
	    "read 0 taken up and all pending for want of data (a case system "
	    "that sends no take-ups, or a node not yet connected), "
	    "not because they were left unattended%s (kuska(1))\n",
	    takeups_names(m, NULL, names, sizeof(names)), one ? "has" : "have",
	    own ? " of the referrals your institution sent or received" : "",
	    one ? "it" : "them",
	    t->n_cols > 0 && strcmp(t->cols[1], "indicator") == 0
		? ", and the indicators made of them read that gap"
		: "");
}

/*
 * Says on stderr, when t is the protection table of an institution's own
 * events and a service there has victims but no median, why: that view
 * counts the days from the institution's own identifications only
 * (DISCLOSURE.md), and a ministry serves mostly victims that the police
 * or the prosecutor identified. An empty median would otherwise read as
 * a fault. The table stays as it is.
 */
static void
note_own_medians(const struct query_req *q, const struct qtable *t)
{
	if (strcmp(q->table, "protection") != 0 ||
	    strcmp(t->role, "institution") != 0 || !html_served_unmedianed(t))
		return;
	fprintf(stderr,
		"kuska query: note: over your institution's own events, the "
		"days to a service count from its own identifications only: "
		"a victim it served whom only another institution identified "
		"is left out of median_days, and a service with no such "
		"victim has none (the analyst's view counts every "
		"institution's; kuska(1))\n");
}

/*
 * Says on stderr, when t is the funnel of an institution's own events,
 * how that view reaches a stage: by the institution's own records only.
 * One that records no complaint has no funnel (every row empty); one
 * that does sees a stage another institution recorded (the prosecutor's
 * investigation of the police's complaint, the court's trial) as
 * attrition, which a reader would take for cases dropped. The table
 * stays as it is.
 */
static void
note_own_funnel(const struct query_req *q, const struct qtable *t)
{
	if (strcmp(q->table, "funnel") != 0 ||
	    strcmp(t->role, "institution") != 0 || t->n_rows == 0 ||
	    t->n_cols < 3)
		return;
	if (t->rows[0][2].kind == CELL_EMPTY)
		fprintf(stderr,
			"kuska query: note: your institution records no "
			"complaint: a funnel follows cases from their "
			"complaint, so its own events make none (every row "
			"empty); the analyst's and the secretariat's funnels "
			"follow the cases it records through every "
			"institution's records (kuska(1))\n");
	else if (t->rows[0][2].kind != CELL_NUMBER || t->rows[0][2].number != 0)
		fprintf(stderr,
			"kuska query: note: over your institution's own "
			"events a case reaches a stage by its own records "
			"only: a stage another institution recorded (the "
			"prosecutor's investigation of a police complaint, "
			"a court's trial) is not counted and reads as "
			"attrition; the analyst's view follows each case "
			"through every institution's records (kuska(1))\n");
}

/*
 * Says on stderr, when t is the durations, the referrals or the
 * protection table and a median there is negative, what that is, which a
 * reader would take for a duration or days to take-up or to a service: in
 * at least half of that pair's cases the later stage is dated before the
 * earlier one (a sentence dated before its trial), or at least half of
 * its take-ups are dated before their referral (dates to check), or at
 * least half of a service's victims began it before they were identified
 * (care given first, or dates to check). The table stays as it is.
 */
static void
note_negative_medians(const struct query_req *q, const struct qtable *t)
{
	static const struct {
		const char *table, *says;
	} notes[] = {
	    {"durations",
	     "in at least half of those cases the later stage is dated "
	     "before the earlier one (a sentence dated before its trial, "
	     "say): a date for the institution that sent the record to "
	     "correct, not a duration"},
	    {"referrals",
	     "at least half of those take-ups are dated before their "
	     "referral: dates for the two institutions to check (the day "
	     "the victim arrived, the oficio's date), not days to take-up"},
	    {"protection",
	     "at least half of those victims began the service before they "
	     "were identified: care given first (a health post that treated "
	     "a girl before she was identified as a victim) or a date to "
	     "check, the service's or the identification's; not days to the "
	     "service"},
	};
	int m = html_col_index(t, "median_days");
	size_t i, n = 0;

	while (n < sizeof(notes) / sizeof(notes[0]) &&
	       strcmp(q->table, notes[n].table) != 0)
		n++;
	if (n == sizeof(notes) / sizeof(notes[0]) || m < 0)
		return;
	for (i = 0; i < t->n_rows; i++)
		if (t->rows[i][m].kind == CELL_NUMBER &&
		    t->rows[i][m].number < 0)
			break;
	if (i < t->n_rows)
		fprintf(stderr,
			"kuska query: note: a negative median_days says that "
			"%s (docs/INPUT.md section 6)\n",
			notes[n].says);
}

/*
 * Says on stderr which indicators of t read more than 100 per 100 (a
 * rate, rates.h), and why that is no error: a reader of 130 per 100
 * would take it for one. The values stay as they are.
 */
static void
note_rates_over_100(const struct qtable *t)
{
	char ids[256];
	struct names l;
	size_t i, n;
	int id = html_col_index(t, "indicator");

	names_init(&l, ids, sizeof(ids));
	for (i = 0; id >= 0 && i < t->n_rows; i++)
		if (rates_over_100(t, i) && t->rows[i][id].kind == CELL_TEXT)
			names_add(&l, "%s", codec_cell_str(&t->rows[i][id]));
	n = names_end(&l);
	if (n == 0)
		return;
	fprintf(stderr,
		"kuska query: note: %s %s more than 100 per 100, and that is "
		"no error: a rate counts one group of victims per 100 of "
		"another, and the first are not all among the second (as with "
		"mental-health care, where victims identified before the "
		"period whose care begins in it count in the first only), so "
		"it can pass 100 "
		"(docs/INDICATORS.md)\n",
		ids, n == 1 ? "reads" : "read");
}

/* The text of column name in row of t: "" when t has none, or the cell
 * holds no text. */
static const char *
text_of(const struct qtable *t, size_t row, const char *name)
{
	int c = html_col_index(t, name);

	if (c < 0 || (t->rows[row][c].kind != CELL_TEXT &&
		      t->rows[row][c].kind != CELL_DECIMAL))
		return "";
	return codec_cell_str(&t->rows[row][c]);
}

/* Whether row of the indicators answer t is a count (unit count) with a
 * status the consolidator judged: neither no_data nor suppressed. */
static bool
judged_count(const struct qtable *t, size_t row)
{
	const char *s = text_of(t, row, "status");

	return strcmp(text_of(t, row, "unit"), "count") == 0 && s[0] != '\0' &&
	       strcmp(s, "no_data") != 0 && strcmp(s, "suppressed") != 0;
}

/* Whether row of the indicators answer t has achieved a target above its
 * baseline: a count, which only grows, keeps it (the report's
 * reached_for_good). */
static bool
achieved_for_good(const struct qtable *t, size_t row)
{
	return strcmp(text_of(t, row, "status"), "achieved") == 0 &&
	       strtod(text_of(t, row, "target"), NULL) >
		   strtod(text_of(t, row, "baseline"), NULL);
}

/* Whether row of the indicators answer t has its target below its
 * baseline (direction = decrease, which the file checks): a count short
 * of its period's reads high, as if the fall were won. */
static bool
decreasing(const struct qtable *t, size_t row)
{
	return strtod(text_of(t, row, "target"), NULL) <
	       strtod(text_of(t, row, "baseline"), NULL);
}

/*
 * Whether row of the indicators answer t, of the semester code, is a
 * count judged against a year's target (its target period a year), not
 * achieved for good: about half a year's count, which the report reads
 * by year ("Read by year").
 */
static bool
year_count(const struct qtable *t, size_t row, uint32_t code)
{
	return period_kind(code) == PERIOD_SEMESTER && judged_count(t, row) &&
	       strlen(text_of(t, row, "target_period")) == 4 &&
	       !achieved_for_good(t, row);
}

/*
 * Whether row of the indicators answer t, of the period code not over
 * as of day today, is a count whose status the rest of the period may
 * yet change: judged, not read by year, and not achieved above its
 * baseline, which a count, only growing, keeps (the report's
 * period_open).
 */
static bool
open_count(const struct qtable *t, size_t row, uint32_t code, int32_t today)
{
	return period_last_day(code) >= today && judged_count(t, row) &&
	       !year_count(t, row, code) && !achieved_for_good(t, row);
}

/*
 * Writes in ids (cap bytes) the indicators of t that year_count (when
 * by_year) or open_count finds whose target is below their baseline
 * (when decrease) or not, ", " between them, as many as fit in cap
 * less room for " and N more", then that when some did not fit;
 * returns how many it found, written or not.
 */
static size_t
list_counts(const struct qtable *t, bool by_year, bool decrease, uint32_t code,
	    int32_t today, char *ids, size_t cap)
{
	struct names l;
	size_t i;

	names_init(&l, ids, cap);
	for (i = 0; i < t->n_rows; i++) {
		const char *id = text_of(t, i, "indicator");
		if (id[0] == '\0' || decreasing(t, i) != decrease ||
		    !(by_year ? year_count(t, i, code)
			      : open_count(t, i, code, today)))
			continue;
		names_add(&l, "%s", id);
	}
	return names_end(&l);
}

/*
 * Says on stderr, when t is the indicators of period (code) as of day
 * today, which counts among them have a status that reads low, or high,
 * as the report does not judge them: of a semester, counts against a
 * year's target, about half of it ("Read by year": 45 persons convicted
 * in a semester against 130 a year, "deteriorating"); of a period not
 * over, the other counts, which grow until it ends (0 victims identified
 * on its first day; "Read when the period ends"). A count to bring down
 * (target below baseline) reads high instead: its partial total looks
 * like the fall achieved. The table stays as the consolidator gives it.
 */
static void
note_count_status(const struct qtable *t, const char *period, uint32_t code,
		  int32_t today)
{
	static const char *const reads[] = {
	    "low", "high (a decrease that the rest of the period may undo)"};
	char ids[256];
	size_t n;
	int d;

	for (d = 0; d < 2; d++) {
		n = list_counts(t, true, d, code, today, ids, sizeof(ids));
		if (n > 0)
			fprintf(stderr,
				"kuska query: note: %s %s a semester, about "
				"half a year, against a year's target: %s "
				"progress and status read %s; read %s by year "
				"(kuska query indicators --period %.4s%s; "
				"docs/INDICATORS.md)\n",
				ids, n == 1 ? "counts" : "count",
				n == 1 ? "its" : "their", reads[d],
				n == 1 ? "it" : "them", period,
				period_last_day(code / 10 * 10) < today
				    ? ""
				    : ", once it is over");
	}
	for (d = 0; d < 2; d++) {
		n = list_counts(t, false, d, code, today, ids, sizeof(ids));
		if (n > 0)
			fprintf(stderr,
				"kuska query: note: %s %s only what happened "
				"so far in %s, which is not over: %s progress "
				"towards the target, and the status, read %s "
				"until it ends and its records arrive (kuska "
				"report reads %s then; docs/INDICATORS.md)\n",
				ids, n == 1 ? "counts" : "count", period,
				n == 1 ? "its" : "their", reads[d],
				n == 1 ? "it" : "them");
	}
}

/* Whether the secretariat's answer hides any count. */
static bool
any_suppressed(const struct qtable *t)
{
	size_t i, j;

	for (i = 0; i < t->n_rows; i++)
		for (j = 0; j < t->n_cols; j++)
			if (t->rows[i][j].kind == CELL_SUPPRESSED)
				return true;
	return false;
}

/*
 * Says on stderr, when a table of all periods and the whole country
 * (sources, deliveries) is asked for a region, that the region did not
 * filter it: its counts would read as the region's otherwise, and they
 * are the country's.
 */
static void
note_whole_country(const struct query_req *q)
{
	if (q->region == 0 || (strcmp(q->table, "sources") != 0 &&
			       strcmp(q->table, "deliveries") != 0))
		return;
	fprintf(stderr,
		"kuska query: note: the %s table is the whole country's, all "
		"periods together: --region %02u does not filter it\n",
		q->table, (unsigned)q->region);
}

/*
 * Says on stderr, when the period of code (named period) is not over as
 * of day today, or has been over for 30 days or less, that its figures
 * may still change, as the report says under its title (M_PERIOD_OPEN,
 * rp_recent_note): records still arrive (of its last days, once it is
 * over), and two sets of its figures published from different data give
 * withheld counts away by difference. On standard error, as every note:
 * the CSV and the JSON stay the table alone.
 */
static void
note_not_final(const char *table, const char *period, uint32_t code,
	       int32_t today)
{
	int32_t last = period_last_day(code);
	char end[11], now[11], again[11];

	if (query_timeless(table) || today - last > 30)
		return;
	if (last >= today) {
		fprintf(stderr,
			"kuska query: note: %s is not over: the figures run "
			"to today, %s, and will change as records arrive\n",
			period, date_format(today, now));
		return;
	}
	fprintf(stderr,
		"kuska query: note: %s ended on %s, 30 days ago or less: "
		"records of its last days are still arriving, and all its "
		"figures (victims, referrals, stages, the estimate) may "
		"change; this answer's are those received by today, %s. "
		"Publish the figures asked for from %s on, not these: two "
		"sets of figures of a period published from different data "
		"let a reader work out withheld figures from their "
		"differences\n",
		period, date_format(last, end), date_format(today, now),
		date_format(last + 31, again));
}

/*
 * Says on stderr, when q asked for referrals and un is the
 * referrals_unmatched answer of the same period and region (what the
 * asker is given of it, suppressed cells as such), the take-ups that match
 * no referral of their sender, per pair, and the query that counts them, as
 * the report says under its referrals: they count in no row of the table,
 * where a referral they name with its number written otherwise reads
 * pending. Nothing when un gives none (or is no answer).
 */
static void
note_unmatched(const struct query_req *q, const struct qtable *un)
{
	int from = html_col_index(un, "from"), to = html_col_index(un, "to");
	int m = html_col_index(un, "takeups_unmatched");
	char pairs[512], region[24] = "";
	struct names l;
	size_t i;

	if (strcmp(q->table, "referrals") != 0 || un->error[0] != '\0' ||
	    from < 0 || to < 0 || m < 0)
		return;
	names_init(&l, pairs, sizeof(pairs));
	for (i = 0; i < un->n_rows; i++) {
		const struct cell *c = &un->rows[i][m];
		if (c->kind == CELL_SUPPRESSED)
			names_add(&l, "%s to %s <%u",
				  codec_cell_str(&un->rows[i][from]),
				  codec_cell_str(&un->rows[i][to]), un->k);
		else if (c->kind == CELL_NUMBER && c->number != 0)
			names_add(&l, "%s to %s %lld",
				  codec_cell_str(&un->rows[i][from]),
				  codec_cell_str(&un->rows[i][to]),
				  (long long)c->number);
	}
	if (names_end(&l) == 0)
		return;
	if (q->region != 0)
		snprintf(region, sizeof(region), " --region %02u",
			 (unsigned)q->region);
	fprintf(
	    stderr,
	    "kuska query: note: take-ups the destination recorded that "
	    "match no referral of their sender (%s) count in no row of "
	    "this table, and a referral they name with its number written "
	    "otherwise reads pending: compare the numbers with the "
	    "sender's; kuska query referrals_unmatched --period %s%s counts "
	    "them per pair\n",
	    pairs, q->period, region);
}

/*
 * Says on stderr, when q asked for prosecution or funnel and un is the
 * cases_unmatched answer of the same period and region (what the asker is
 * given of it), the cases no complaint names, per institution of their
 * earliest stage, and the query that counts them, as the report says
 * under its criminal-justice section: they count in the prosecution's
 * stages and in no funnel, as a court stage under a case number written
 * otherwise does, or a prosecutor's stage whose complaint the police sent
 * under another number (an mp row). Nothing when un gives none (or is
 * no answer).
 */
static void
note_cases_unmatched(const struct query_req *q, const struct qtable *un)
{
	int inst = html_col_index(un, "institution");
	int m = html_col_index(un, "cases");
	char list[256], region[24] = "";
	struct names l;
	size_t i;

	if ((strcmp(q->table, "prosecution") != 0 &&
	     strcmp(q->table, "funnel") != 0) ||
	    un->error[0] != '\0' || inst < 0 || m < 0)
		return;
	names_init(&l, list, sizeof(list));
	for (i = 0; i < un->n_rows; i++) {
		const struct cell *c = &un->rows[i][m];
		if (c->kind == CELL_SUPPRESSED)
			names_add(&l, "%s <%u",
				  codec_cell_str(&un->rows[i][inst]), un->k);
		else if (c->kind == CELL_NUMBER && c->number != 0)
			names_add(&l, "%s %lld",
				  codec_cell_str(&un->rows[i][inst]),
				  (long long)c->number);
	}
	if (names_end(&l) == 0)
		return;
	if (q->region != 0)
		snprintf(region, sizeof(region), " --region %02u",
			 (unsigned)q->region);
	fprintf(stderr,
		"kuska query: note: cases no complaint names (%s, by the "
		"institution of their earliest stage) count in the "
		"prosecution's stages and in no funnel: a court stage under "
		"a case number written otherwise is one, and so is a "
		"prosecutor's stage whose complaint the police sent under "
		"another number; compare each institution's numbers with "
		"those of the one before it (the court's with the "
		"prosecutor's, the prosecutor's with the police's); kuska "
		"query cases_unmatched --period %s%s counts them per "
		"institution\n",
		list, q->period, region);
}

void
query_notes(const struct query_req *q, const struct qtable *tab,
	    const struct qtable *un, const char *period, uint32_t code,
	    int32_t today, enum format fmt)
{
	note_not_final(q->table, period, code, today);
	/* un's note (the unmatched take-ups' with referrals, the cases
	 * no complaint names with prosecution or funnel) writes a withheld
	 * count <k, also under JSON, whose table gives one as null: the
	 * legend names each mark written. */
	if (any_suppressed(tab) || any_suppressed(un)) {
		char mark[80];
		if (fmt != FMT_JSON || !any_suppressed(tab))
			snprintf(mark, sizeof(mark), "<%u", tab->k);
		else if (!any_suppressed(un))
			snprintf(mark, sizeof(mark), "a count given as null");
		else
			snprintf(mark, sizeof(mark),
				 "a count given as null (<%u in the note "
				 "of %s)",
				 tab->k,
				 strcmp(q->table, "referrals") == 0
				     ? "unmatched take-ups"
				     : "cases no complaint names");
		fprintf(stderr,
			"kuska query: note: %s is a count from 1 to %u (or "
			"one that would give such a count away), withheld "
			"for the victims' privacy; a median or share of "
			"it is left empty (kuska(1))\n",
			mark, tab->k - 1);
	}
	if (ask_all_zero(tab) && !query_timeless(q->table) &&
	    strncmp(q->table, "indicator", 9) != 0)
		ask_note_all_zero("query", period, q->region);
	note_national(q, tab);
	note_whole_country(q);
	note_no_takeups(tab);
	note_own_medians(q, tab);
	note_own_funnel(q, tab);
	note_negative_medians(q, tab);
	note_unmatched(q, un);
	note_cases_unmatched(q, un);
	if (strcmp(q->table, "indicators") == 0) {
		note_rates_over_100(tab);
		note_count_status(tab, period, code, today);
	}
	/* No row at all (in text, indicator_definitions' blocks print
	 * nothing): say why, as the report does, not leave an empty
	 * answer to be taken for a failure or for no data. */
	if (tab->n_rows == 0 && strncmp(q->table, "indicator", 9) == 0)
		fprintf(stderr,
			"kuska query: note: the consolidator has no "
			"indicators configured (the indicators key of its "
			"configuration, kuska.conf(5); docs/INDICATORS.md)\n");
}
