/*
 * svg.h - the charts of kuska report, written as SVG text.
 *
 * Each writer takes plain numbers and labels (already translated) and
 * writes one <svg> element, meant to sit inline in an HTML page whose
 * style sheet gives the classes their colours (html.h). Labels and values
 * stay text. The output depends only on the input: numbers are printed
 * with at most two decimals by snprintf in the C locale, so the same
 * input gives the same bytes (the golden files of tests/unit/test_svg.c).
 *
 * A value is a number, hidden (a count suppressed by disclosure control:
 * written "<k" and never drawn as a bar or point of any size) or absent
 * (written as an en dash, nothing drawn).
 */
#ifndef KUSKA_SVG_H
#define KUSKA_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum svg_kind { SVG_NONE = 0, SVG_NUM, SVG_HIDDEN };

struct svg_val {
	enum svg_kind kind;
	double v;   /* SVG_NUM only */
	bool fixed; /* SVG_NUM: written with dp decimals; else two at most,
		     * trailing zeros dropped */
	int dp;
};

/* svg_num, svg_hidden, svg_none - values, for brevity at call sites. */
struct svg_val svg_num(double v);
/* svg_num_dp - a number written with dp decimals, as its table has it
 * ("16.0", "1.20"), so that chart and table read alike. */
struct svg_val svg_num_dp(double v, int dp);
struct svg_val svg_hidden(void);
struct svg_val svg_none(void);

/*
 * svg_value_text - how a value is written in a chart: the number with its
 * decimals (svg_num_dp), else at most two, and the unit ("61.5%", "12 d"), "<k"
 * when hidden, an en dash when absent. Returns out.
 */
const char *svg_value_text(struct svg_val v, const char *unit, unsigned k,
			   char *out, size_t cap);

/* One row of a bar chart. */
struct svg_bar {
	const char *label;
	struct svg_val v;
	struct svg_val part; /* with svg_bars.has_part: drawn over v */
	const char *note;    /* after the value, e.g. "median 6 d"; or NULL */
	const char *hidden;  /* what a hidden v reads; NULL: the chart's */
};

struct svg_bars {
	const char *id;	   /* unique in the page: ids of <title> */
	const char *title; /* what the chart shows, for screen readers */
	const struct svg_bar *bars;
	size_t n;
	bool has_part;	      /* v light, part dark over it: "part / v" */
	bool funnel;	      /* bars centred, as a funnel */
	const char *legend_v; /* with has_part: what v and part are */
	const char *legend_part;
	const char *unit; /* after each value ("%", " d"); or NULL */
	double max;	  /* the full bar; 0: the largest value */
	unsigned k;	  /* hidden values read "<k" */
	const char *hidden; /* or this, when not NULL */
	bool counts;	  /* the values are counts (data-kind="count") */
};

/*
 * svg_bars - a horizontal bar chart: one row per bar, its label on the
 * left, the bar, then the value and the note. Returns 0, or -EIO when
 * writing failed.
 */
int svg_bars(FILE *f, const struct svg_bars *c);

struct svg_upset {
	const char *id;
	const char *title;
	const char *const *sets; /* the rows of the matrix (institutions) */
	const struct svg_val *set_size; /* one per set */
	size_t n_sets;			/* at most 8 */
	const unsigned *members;	/* one bit per set, per intersection */
	const struct svg_val *size;	/* one per intersection */
	size_t n;
	const char *set_heading; /* above the set sizes */
	const char *heading;	 /* above the intersection bars */
	unsigned k;
	const char *hidden; /* what a hidden value reads; NULL: "<k" */
};

/*
 * svg_upset - an UpSet chart of the victims by the exact combination of
 * institutions that identified them: a column per combination (bars
 * above, the institutions it joins as dots below, largest first, hidden
 * ones after them; zeros and absent values are left out) and each
 * institution's own total on the left. Returns 0 or -EIO.
 */
int svg_upset(FILE *f, const struct svg_upset *c);

struct svg_trend {
	const char *id;
	const char *title;
	const char *const *x; /* the periods, oldest first */
	const struct svg_val *y;
	size_t n;
	struct svg_val baseline; /* a dotted line, or SVG_NONE */
	struct svg_val target;	 /* a dashed line, or SVG_NONE */
	const char *baseline_label;
	const char *target_label;
	const char *unit;
	double max; /* top of the scale; 0: from the values */
	unsigned k;
	const char *hidden; /* what a hidden value reads; NULL: "<k" */
};

/*
 * svg_trend - a small line chart of one indicator over the periods, with
 * its baseline and target as horizontal lines. Absent or hidden values
 * leave a gap. Returns 0 or -EIO.
 */
int svg_trend(FILE *f, const struct svg_trend *c);

struct svg_interval {
	const char *label;
	struct svg_val observed;  /* a light bar */
	struct svg_val estimate;  /* a dot */
	struct svg_val low, high; /* the whisker around it */
	bool unbounded; /* no upper limit: the whisker runs off the scale */
};

struct svg_intervals {
	const char *id;
	const char *title;
	const struct svg_interval *rows;
	size_t n;
	const char *legend_observed;
	const char *legend_estimate;
	unsigned k;
	const char *hidden; /* what a hidden value reads; NULL: "<k" */
};

/*
 * svg_intervals - per row, what was observed as a bar and an estimate
 * with its interval as a dot and whisker on the same scale. Returns 0 or
 * -EIO.
 */
int svg_intervals(FILE *f, const struct svg_intervals *c);

#endif
