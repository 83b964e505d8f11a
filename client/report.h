/*
 * report.h - the page of kuska report, written from the answers the
 * consolidator gave (report.c asks them, report_page.c writes the page
 * with report_indicators.c, report_sections.c, report_prosecution.c and
 * report_estimate.c: report_int.h).
 */
#ifndef KUSKA_REPORT_H
#define KUSKA_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "codec.h"
#include "keys.h"
#include "period.h"
#include "settings.h"

#define REPORT_MAX_TREND 10 /* semesters in an indicator's trend */
#define REPORT_MAX_YEARS (REPORT_MAX_TREND / 2 + 1) /* the years it spans */

/* The tables of the page, asked for the report's period. */
enum report_table {
	RT_SOURCES,
	RT_INDICATORS,
	RT_IDENTIFICATION,
	RT_OVERLAP,
	RT_BREAKDOWN, /* for the victims identified at 18 or older */
	RT_REFERRALS,
	RT_UNMATCHED, /* the take-ups no referral matches, for a note */
	RT_PROTECTION,
	RT_FUNNEL,
	RT_PROSECUTION,
	RT_CASES_UNMATCHED, /* the cases no complaint names, for a note */
	RT_DURATIONS,
	RT_TIMELINESS,
	RT_ESTIMATE,
	RT_SDG,
	RT_DELIVERIES,
	RT_COUNT
};

/* Their names in `kuska query`. */
extern const char *const report_tables[RT_COUNT];

/* The estimate is asked with its bootstrap interval, the one to publish
 * (docs/ESTIMATION.md): this many resamples, this seed. */
#define REPORT_BOOT 1000
#define REPORT_SEED 1

/* Everything the page shows. An answer whose error is set (a table the
 * consolidator does not know, or refuses this role) leaves its section
 * out with a note. */
struct report_data {
	const char *period; /* as asked: "2025H2" */
	uint32_t code;	    /* its period code */
	/* The day in Peru the report is made on (date_today), read once
	 * before the first question: what it asks for and everything it
	 * says of a period open or just over is of that one day, even
	 * when it is made across midnight. */
	int32_t today;
	uint32_t region;    /* the region every table was asked for; 0: all */
	struct qtable t[RT_COUNT];
	size_t n_trend; /* the indicators of each semester, oldest first */
	char trend_period[REPORT_MAX_TREND][PERIOD_NAME_MAX];
	struct qtable trend[REPORT_MAX_TREND];
	size_t n_year; /* the indicators of each whole year of the trend, */
	char year_period[REPORT_MAX_YEARS][PERIOD_NAME_MAX]; /* oldest first, */
	struct qtable year[REPORT_MAX_YEARS]; /* for those read by year */
	/* Whether the consolidator refused the trend's semesters by
	 * region: the trend is then year by year, of every indicator
	 * (n_trend 0, year[] each whole year up to the report's). */
	bool trend_refused;
	/* In a semester's report, the breakdown of the trend's last whole
	 * year, whose count a card read by year shows: how many of its
	 * victims were children. Its period "" when not asked. */
	char year_breakdown_period[PERIOD_NAME_MAX];
	struct qtable year_breakdown;
	char client_id[KEYS_ID_MAX];	      /* who asked: the key id */
	char consolidator[SETTINGS_PATH_MAX]; /* who answered: its address, */
	char cons_id[KEYS_ID_MAX];	      /* key id */
	char cons_fp[2 * KEY_ID_LEN + 1];     /* and fingerprint */
	time_t made;			      /* when */
};

/*
 * report_page - writes the whole page for d to f: one HTML file that
 * loads nothing, in the language i18n_set chose. Returns 0 or -EIO.
 */
int report_page(FILE *f, const struct report_data *d);

/*
 * report_year_whole - whether year y (2025) is whole in the report of
 * period code made on day today: the report runs to the year's end, and
 * the year is over. Only a whole year's count is read against a year's
 * target.
 */
bool report_year_whole(uint32_t code, uint32_t y, int32_t today);

#endif
