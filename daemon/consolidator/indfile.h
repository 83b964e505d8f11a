/*
 * indfile.h - the Commission's indicator file (INDICATORS.md), read and
 * checked as a whole.
 *
 *	[indicator protection-takeup-mimp]
 *	name = Referrals to MIMP taken up
 *	name_es = Derivaciones al MIMP atendidas ; optional: the name
 *				; in a language (else name stands in)
 *	name_en = Referrals to MIMP taken up	; optional
 *	level = outcome		; output | outcome | component | purpose |
 *				; assumption
 *	component = protection	; prosecution | protection | prevention |
 *				; governance
 *	key = yes		; optional, default no
 *	value = 100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]
 *	unit = percent		; count | percent | days | rate
 *	direction = increase	; increase | decrease
 *	baseline = 2024: 61.5	; a year or a semester, and a number
 *	target = 2026H2: 80
 *	frequency = semester	; semester | year
 *	basis = the evidence behind the target (optional: a warning)
 *
 * An INI file (inih), ";" and "#" comments, inline comments after " ;".
 * A long value goes on over the lines right below its key, indented
 * (joined with one space; up to IND_TEXT_MAX - 1 characters).
 * Every key but key, basis, name_es and name_en is required; value is an
 * expression (expr.h) checked against the tables' shape. A file is
 * refused as a whole when anything is wrong with it - SMART, in
 * INDICATORS.md's words:
 * a value that does not parse or names an unknown table, column,
 * dimension or value, or a median or share that does not select one
 * row; a baseline or target without a period (a year or a semester) and
 * a number (with at most IND_DECIMALS decimals), or a target period that
 * does not end after the baseline's;
 * no frequency; a target not above the baseline with direction =
 * increase (below with decrease); a percentage outside 0-100; no level or
 * component. A missing basis, more than INDFILE_KEY_MAX key
 * indicators, and a count whose baseline or target period is not as long
 * as its frequency's, are warnings. Every error and warning is reported, as
 * "FILE:LINE: reason", in line order.
 */
#ifndef KUSKA_INDFILE_H
#define KUSKA_INDFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expr.h"

#define IND_ID_MAX 41	 /* "[indicator ID]": up to 40 characters */
#define IND_NAME_MAX 101 /* name: up to 100 bytes of UTF-8 */
#define IND_TEXT_MAX 512 /* value and basis, over lines, as written */
/* The decimals the indicators table writes a value, baseline and target
 * with, and so the most a baseline or target of the file may have. */
#define IND_DECIMALS 2
#define INDFILE_MAX_INDICATORS 100
#define INDFILE_KEY_MAX 12 /* more key indicators: a warning */
#define INDFILE_MAX_BYTES (1024 * 1024)
#define INDFILE_MAX_MSGS 200 /* messages kept; more are only counted */
#define INDFILE_MSG_MAX 400

enum ind_level {
	IND_LEVEL_NONE = 0,
	IND_OUTPUT,
	IND_OUTCOME,
	IND_COMPONENT,
	IND_PURPOSE,
	IND_ASSUMPTION,
};

enum ind_component {
	IND_COMPONENT_NONE = 0,
	IND_PROSECUTION,
	IND_PROTECTION,
	IND_PREVENTION,
	IND_GOVERNANCE,
};

enum ind_unit {
	IND_UNIT_NONE = 0,
	IND_COUNT,
	IND_PERCENT,
	IND_DAYS,
	IND_RATE,
};

enum ind_direction { IND_DIRECTION_NONE = 0, IND_INCREASE, IND_DECREASE };

enum ind_frequency { IND_FREQUENCY_NONE = 0, IND_SEMESTER, IND_YEAR };

struct indicator {
	char id[IND_ID_MAX];
	char name[IND_NAME_MAX];
	char name_es[IND_NAME_MAX]; /* "" when not given: name stands in */
	char name_en[IND_NAME_MAX];
	enum ind_level level;
	enum ind_component component;
	bool key;
	char value_text[IND_TEXT_MAX]; /* the expression as written */
	struct expr *value;	       /* owned by the set */
	enum ind_unit unit;
	enum ind_direction direction;
	uint32_t baseline_period; /* a year or semester code (period.h) */
	double baseline;
	uint32_t target_period; /* ends after baseline_period */
	double target;
	enum ind_frequency frequency;
	char basis[IND_TEXT_MAX]; /* "" when not given */
	unsigned line;		  /* of the [indicator ID] line */
};

/* A file's indicators, in file order. */
struct indset {
	size_t n;
	struct indicator *items;
};

struct indfile_msg {
	unsigned line; /* 0: about the file as a whole */
	bool warning;
	char text[INDFILE_MSG_MAX]; /* "FILE:LINE: reason" */
};

/* What reading a file had to say: errors and warnings, in line order. */
struct indfile_msgs {
	size_t n_errors;
	size_t n_warnings;
	size_t n; /* kept in items (at most INDFILE_MAX_MSGS) */
	struct indfile_msg *items; /* malloc'd: indfile_msgs_clear */
};

/*
 * indfile_parse - reads the len bytes of text, an indicator file that
 * messages call name. Returns 0 and *ret (free with indset_free) when the
 * file has no error, warnings or not; -EINVAL when it has errors (*ret
 * untouched); -ENOMEM. Every error and warning goes to *msgs (which the
 * call empties first; clear it with indfile_msgs_clear either way).
 */
int indfile_parse(const char *name, const char *text, size_t len,
		  struct indset **ret, struct indfile_msgs *msgs)
    __attribute__((warn_unused_result));

/*
 * indfile_load - indfile_parse on the file at path (a regular file of at
 * most INDFILE_MAX_BYTES). A file that cannot be read is -errno, with
 * the reason in *msgs.
 */
int indfile_load(const char *path, struct indset **ret,
		 struct indfile_msgs *msgs) __attribute__((warn_unused_result));

/* indset_free - frees *s and its expressions (NULL is fine); *s = NULL. */
void indset_free(struct indset **s);

/* indfile_msgs_clear - frees the messages and zeroes m. */
void indfile_msgs_clear(struct indfile_msgs *m);

/* Names as the file writes them ("outcome", "percent", ...). */
const char *ind_level_name(enum ind_level v);
const char *ind_component_name(enum ind_component v);
const char *ind_unit_name(enum ind_unit v);
const char *ind_direction_name(enum ind_direction v);
const char *ind_frequency_name(enum ind_frequency v);

#endif
