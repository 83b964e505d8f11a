/*
 * i18n.h - the words of kuska report in Spanish (the default) and
 * English: fixed sentences by number, and the names of the values the
 * query tables hold (institutions, stages, services, statuses...).
 *
 * The language is chosen once per process with i18n_set. Returned
 * strings are static; i18n_word's may live in a small ring of buffers,
 * valid until eight more calls.
 */
#ifndef KUSKA_I18N_H
#define KUSKA_I18N_H

enum lang { LANG_ES = 0, LANG_EN, LANG_COUNT };

enum i18n_msg {
	M_LANG_CODE,
	M_KICKER,
	M_TITLE,
	M_PAGE_TITLE,
	M_CLOSED,
	M_THOUSANDS,
	M_PERIOD_YEAR,
	M_PERIOD_SEMESTER_1,
	M_PERIOD_SEMESTER_2,
	M_PERIOD_QUARTER_1,
	M_PERIOD_QUARTER_2,
	M_PERIOD_QUARTER_3,
	M_PERIOD_QUARTER_4,
	M_PERIOD_RANGE,
	M_PERIOD_OPEN,
	M_PERIOD_RECENT,
	M_VIEW,
	M_ROLE_SECRETARIAT,
	M_ROLE_ANALYST,
	M_ROLE_INSTITUTION,
	M_SECRETARIAT_RULE,
	M_ANALYST_WARNING,
	M_INSTITUTION_NOTE,
	M_INSTITUTION_NOTE_ANY,
	M_CONTENTS,
	M_FIGURE,
	M_HOW,
	M_SOURCE,
	M_TABLE_CAPTION,
	M_TABLE_CAPTION_YEARS,
	M_SUPPRESSED_NOTE,
	M_HIDDEN,	  /* what a withheld count reads, small or not */
	M_HIDDEN_VICTIMS, /* a withheld count of victims, in a sentence */
	M_EMPTY_NOTE,
	M_EMPTY_WITHHELD_NOTE,
	M_EMPTY_OWN_NOTE,
	M_NOT_RECORDED, /* a figure left out: what the institution cannot
			   record */
	M_WHAT_IDENTIFICATIONS,
	M_WHAT_SERVICES,
	M_WHAT_COMPLAINTS,
	M_WHAT_STAGES,
	M_THE_INSTITUTION,
	M_WITHHELD_NOTE,
	M_SEX_AGE_WITHHELD_NOTE,
	M_MARKED_BAR_NOTE,
	M_BY_YEAR_NOTE,
	M_BY_YEAR_OPEN_NOTE,
	M_PERIOD_OPEN_NOTE,
	M_BASELINE_NOTE,
	M_NATIONAL_NOTE, /* an institution's counts, national targets */
	M_FOLLOWED_NOTE,
	M_ARRIVED_NOTE,
	M_NOT_YET,
	M_REFUSED,
	M_NO_ROWS,
	/* sections */
	M_SEC_INDICATORS,
	M_SEC_IDENTIFICATION,
	M_SEC_REFERRALS,
	M_SEC_PROTECTION,
	M_SEC_PROSECUTION,
	M_SEC_TIMELINESS,
	M_SEC_ESTIMATE,
	M_SEC_SOURCES,
	/* figures: title, then how to read it */
	M_FIG_KEY,
	M_HOW_KEY,
	M_FIG_TREND,
	M_FIG_TREND_YEARS,
	M_HOW_TREND,
	M_HOW_TREND_YEARS,
	M_FIG_OTHER,
	M_HOW_OTHER,
	M_FIG_IDENTIFICATION,
	M_HOW_IDENTIFICATION,
	M_HOW_IDENTIFICATION_OWN,
	M_FIG_OVERLAP,
	M_HOW_OVERLAP,
	M_FIG_REFERRALS,
	M_HOW_REFERRALS,
	M_FIG_PROTECTION,
	M_HOW_PROTECTION,
	M_FIG_FUNNEL,
	M_HOW_FUNNEL,
	M_FIG_PROSECUTION,
	M_HOW_PROSECUTION,
	M_FIG_DURATIONS,
	M_HOW_DURATIONS,
	M_FIG_TIMELINESS,
	M_HOW_TIMELINESS,
	M_FIG_ESTIMATE,
	M_HOW_ESTIMATE,
	M_FIG_SDG,
	M_HOW_SDG,
	M_FIG_SDG_PART,
	M_HOW_SDG_PART,
	M_SDG_SOURCE,
	/* chart words */
	M_NO_INDICATORS,
	M_IND_NOT_QUARTER,
	M_NO_KEY,
	M_TREND_FROM,
	M_YEARS_FROM,
	M_YEARLY_CARD,
	M_CARD_NONE,
	M_CARD_NONE_WITHHELD,
	M_ESTIMATE_NO_CHART,
	M_OVERLAP_NO_CHART,
	M_ALL_SILENT,
	M_REGION_ALL_SILENT,
	M_SEMESTER_CARD,
	M_WHOLE_YEAR,
	M_YEAR_NOT_OVER,
	M_YEAR_PAST_REPORT,
	M_BASELINE_SHORT,
	M_TARGET_SHORT,
	M_VALUE_LINE,
	M_WITHHELD_VALUE,
	M_BY_PERIOD,
	M_OVERLAP_SETS,
	M_OVERLAP_HEADING,
	M_UNLINKABLE_NOTE,
	M_ADULTS_NOTE,
	M_CHILDREN,
	M_CHILDREN_DERIVED,
	M_CHILDREN_WITHHELD,
	M_CHILDREN_CARD,
	M_CHILDREN_CARD_WITHHELD,
	M_SENT,
	M_TAKEN_UP,
	M_MEDIAN_DAYS,
	M_TAKE_UP_DAYS_NOTE,
	M_NO_TAKEUPS_NOTE,
	M_UNMATCHED_NOTE,
	M_NEGATIVE_TAKEUP_NOTE,
	M_HIDDEN_TAKEUPS,
	M_NO_TAKEUPS_IND_NOTE,
	M_NO_TAKEUPS_OWN,
	M_OWN_MEDIANS_NOTE,
	M_NEGATIVE_SERVICE_NOTE,
	M_OWN_FUNNEL_NOTE,
	M_NEGATIVE_DURATION_NOTE,
	M_CASES_UNMATCHED_NOTE,
	M_RATE_OVER_100_NOTE,
	M_QUOTED,
	M_TIMELINESS_NOTE,
	M_TIMELINESS_CLOSED_NOTE,
	M_TIMELINESS_ZERO_NOTE,
	M_TIMELINESS_ZERO_TABLE_NOTE,
	M_PERSONS,
	M_DAYS_UNIT,
	M_OBSERVED,
	M_ESTIMATE_CI,
	M_ESTIMATE_NOTE,
	M_ESTIMATE_ASSUMES,
	M_ESTIMATE_ADULTS,
	M_ESTIMATE_INTERVAL,
	M_ESTIMATE_NO_BOOT,
	M_ESTIMATE_MODEL_ONLY,
	M_ESTIMATE_SPARSE,
	M_INFINITE_NOTE,
	M_SDG_ESTIMATE_BAR,
	M_SDG_NOTE,
	M_SDG_PERIOD_NOTE,
	M_SDG_RATE_CI,
	M_SDG_RATE_NO_CI,
	M_SDG_RATE_CI_PART,
	M_SDG_RATE_NO_CI_PART,
	M_SDG_PLUS_UNLINKED,
	M_NO_UPPER,
	M_INDICATOR_SOURCE,
	/* footer */
	M_COMPUTED_BY,
	M_GENERATED,
	M_HOW_TO_CHECK,
	M_SILENT,
	M_NONE_SILENT,
	M_DELIV_INTRO,
	M_DELIV_INTRO_CONTACT,
	M_DELIV_LAST,
	M_DELIV_STALE,
	M_DELIV_QUIET,
	M_DELIV_NEVER,
	M_DELIV_IDLE,
	M_DELIV_UNDATED,
	M_DELIV_UNKNOWN,
	M_DELIV_REFUSED,
	M_REGION_TITLE,
	M_REGION_WORDS,
	M_REGION_NOTE,
	M_REGION_REFUSED,
	M_REGION_REFUSED_FUNNEL,
	M_REGION_NO_TREND,
	M_REGION_TREND_YEARS,
	M_FIG_TREND_BY_YEAR,
	M_HOW_TREND_BY_YEAR,
	M_YEARS_CARD,
	M_REGION_SILENT,
	M_REGION_NONE_SILENT,
	M_COUNT
};

void i18n_set(enum lang l);

/* i18n_parse - "es" or "en"; returns 0 and *ret, or -EINVAL. */
int i18n_parse(const char *s, enum lang *ret);

/* tr - the sentence m in the language set. */
const char *tr(enum i18n_msg m);

/* i18n_column - the heading of a query table's column (its name if
 * unknown). */
const char *i18n_column(const char *col);

/*
 * i18n_word - how a value of column col is shown: institutions in capitals
 * ("pnp+mimp" as "PNP + MIMP"), stages, services, statuses, levels,
 * components, units and methods by name; anything else unchanged.
 */
const char *i18n_word(const char *col, const char *value);

/* i18n_short - a shorter name for chart labels (stages), else i18n_word. */
const char *i18n_short(const char *col, const char *value);

/*
 * i18n_reason - a refusal of the consolidator in the language set: the
 * few a report can meet (no authorisation, a table closed to an
 * institution, no population figures); any other as it came, in English.
 */
const char *i18n_reason(const char *reason);

/*
 * i18n_note - a note of the estimate table in the language set: each of
 * its parts the consolidator writes is translated, any other stays as it
 * came. The text lives until the next call.
 */
const char *i18n_note(const char *note);

#endif
