/* svg.c - the charts of kuska report; see svg.h. */
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "norm.h"

#define WIDTH 640
#define ROW_H 24
#define BAR_H 14
#define CHAR_W 7.8 /* a generous width of a 13px character */
#define MAX_UPSET 64

struct svg_val
svg_num(double v)
{
	struct svg_val r = {SVG_NUM, v, false, 0};
	return r;
}

struct svg_val
svg_num_dp(double v, int dp)
{
	struct svg_val r = {SVG_NUM, v, true, dp < 0 ? 0 : dp > 6 ? 6 : dp};
	return r;
}

struct svg_val
svg_hidden(void)
{
	struct svg_val r = {SVG_HIDDEN, 0, false, 0};
	return r;
}

struct svg_val
svg_none(void)
{
	struct svg_val r = {SVG_NONE, 0, false, 0};
	return r;
}

/* With dp decimals, or (dp -1) at most two, trailing zeros dropped:
 * 61.5, 12, 0.25. */
static const char *
fmt_digits(double v, int dp, char *out, size_t cap)
{
	size_t l;

	if (dp >= 0) {
		snprintf(out, cap, "%.*f", dp, v);
		if (strspn(out, "-0.") == strlen(out) && out[0] == '-')
			memmove(out, out + 1, strlen(out)); /* never "-0.0" */
		return out;
	}
	if (fabs(v - round(v)) < 0.005) {
		double r = round(v);
		snprintf(out, cap, "%.0f", r == 0 ? 0.0 : r); /* never "-0" */
		return out;
	}
	snprintf(out, cap, "%.2f", v);
	l = strlen(out);
	while (l > 0 && out[l - 1] == '0')
		out[--l] = '\0';
	return out;
}

/* fmt_digits, a negative number with the minus sign the tables write
 * (html.c), not a hyphen: a duration's median "\u22123 d". */
static const char *
fmt_num(double v, int dp, char *out, size_t cap)
{
	static const char minus[] = "\u2212";
	size_t l = strlen(fmt_digits(v, dp, out, cap));

	if (out[0] == '-' && l + sizeof(minus) - 2 < cap) {
		memmove(out + sizeof(minus) - 1, out + 1, l);
		memcpy(out, minus, sizeof(minus) - 1);
	}
	return out;
}

const char *
svg_value_text(struct svg_val v, const char *unit, unsigned k, char *out,
	       size_t cap)
{
	char n[48];

	switch (v.kind) {
	case SVG_NUM:
		snprintf(out, cap, "%s%s",
			 fmt_num(v.v, v.fixed ? v.dp : -1, n, sizeof(n)),
			 unit != NULL ? unit : "");
		break;
	case SVG_HIDDEN:
		snprintf(out, cap, "<%u", k);
		break;
	default:
		snprintf(out, cap, "\u2013");
	}
	return out;
}

/* svg_value_text, but a hidden value reads hidden when that is not NULL. */
static const char *
val_text(struct svg_val v, const char *unit, unsigned k, const char *hidden,
	 char *out, size_t cap)
{
	if (v.kind == SVG_HIDDEN && hidden != NULL) {
		snprintf(out, cap, "%s", hidden);
		return out;
	}
	return svg_value_text(v, unit, k, out, cap);
}

/* The width text takes, by its characters (not bytes). */
static double
text_w(const char *s)
{
	return (double)utf8_chars(s, SIZE_MAX) * CHAR_W;
}

/* Coordinates with one decimal: enough, and the same bytes every time. */
static void
coord(FILE *f, const char *name, double v)
{
	fprintf(f, " %s=\"%.1f\"", name, v);
}

static void
open_svg(FILE *f, const char *id, const char *title, double w, double h,
	 bool counts)
{
	fprintf(f,
		"<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
		"height=\"%.0f\" role=\"img\" aria-labelledby=\"",
		w, h, w, h);
	html_escape(f, id);
	fprintf(f, "-t\"%s>\n<title id=\"",
		counts ? " data-kind=\"count\"" : "");
	html_escape(f, id);
	fprintf(f, "-t\">");
	html_escape(f, title);
	fprintf(f, "</title>\n");
}

static void
text(FILE *f, double x, double y, const char *cls, const char *anchor,
     const char *s)
{
	fprintf(f, "<text");
	coord(f, "x", x);
	coord(f, "y", y);
	fprintf(f, " class=\"%s\"", cls);
	if (anchor != NULL)
		fprintf(f, " text-anchor=\"%s\"", anchor);
	fprintf(f, ">");
	html_escape(f, s);
	fprintf(f, "</text>\n");
}

static void
rect(FILE *f, double x, double y, double w, double h, const char *cls)
{
	fprintf(f, "<rect");
	coord(f, "x", x);
	coord(f, "y", y);
	coord(f, "width", w);
	coord(f, "height", h);
	fprintf(f, " class=\"%s\"/>\n", cls);
}

static void
line(FILE *f, double x1, double y1, double x2, double y2, const char *cls)
{
	fprintf(f, "<line");
	coord(f, "x1", x1);
	coord(f, "y1", y1);
	coord(f, "x2", x2);
	coord(f, "y2", y2);
	fprintf(f, " class=\"%s\"/>\n", cls);
}

static void
circle(FILE *f, double cx, double cy, double r, const char *cls)
{
	fprintf(f, "<circle");
	coord(f, "cx", cx);
	coord(f, "cy", cy);
	coord(f, "r", r);
	fprintf(f, " class=\"%s\"/>\n", cls);
}

/* A triangle pointing right, its tip at (x, y): a line that goes on. */
static void
arrow_right(FILE *f, double x, double y, const char *cls)
{
	fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x, y,
		x - 7, y - 4.5, x - 7, y + 4.5);
	fprintf(f, " class=\"%s\"/>\n", cls);
}

static int
close_svg(FILE *f)
{
	fprintf(f, "</svg>\n");
	return ferror(f) ? -EIO : 0;
}

/* The class of a value's text: hidden ones are set apart. */
static const char *
value_class(struct svg_val v)
{
	return v.kind == SVG_HIDDEN ? "v hid" : "v";
}

/* A round number at or above v, for the top of a scale. */
static double
nice_max(double v)
{
	double p, m;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	m = v / p;
	if (m <= 1)
		return p;
	if (m <= 2)
		return 2 * p;
	if (m <= 2.5)
		return 2.5 * p;
	if (m <= 5)
		return 5 * p;
	return 10 * p;
}

static void
legend_item(FILE *f, double x, double y, const char *cls, const char *s)
{
	rect(f, x, y - 9, 10, 10, cls);
	text(f, x + 14, y, "lg", NULL, s);
}

/* ---- bars --------------------------------------------------------------- */

/* What bar r's hidden value reads: its own word, else the chart's. */
static const char *
bar_hidden(const struct svg_bars *c, const struct svg_bar *r)
{
	return r->hidden != NULL ? r->hidden : c->hidden;
}

int
svg_bars(FILE *f, const struct svg_bars *c)
{
	double label_w = 0, value_w = 0, max = c->max, x0, x1, top, h, mid;
	char a[48], b[48], t[160];
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct svg_bar *r = &c->bars[i];
		double w = text_w(r->label);
		size_t vl;
		if (w > label_w)
			label_w = w;
		val_text(r->v, c->unit, c->k, bar_hidden(c, r), a, sizeof(a));
		vl = utf8_chars(a, SIZE_MAX) +
		     (r->note ? utf8_chars(r->note, SIZE_MAX) + 2 : 0);
		if (c->has_part) {
			val_text(r->part, c->unit, c->k, c->hidden, b,
				 sizeof(b));
			vl += utf8_chars(b, SIZE_MAX) + 3;
		}
		if ((double)vl * CHAR_W * 0.95 > value_w)
			value_w = (double)vl * CHAR_W * 0.95;
		if (c->max > 0)
			continue;
		if (r->v.kind == SVG_NUM && r->v.v > max)
			max = r->v.v;
		if (c->has_part && r->part.kind == SVG_NUM && r->part.v > max)
			max = r->part.v;
	}
	if (max <= 0)
		max = 1;
	label_w = label_w > 250 ? 250 : label_w;
	value_w = value_w > 240 ? 240 : value_w;
	x0 = label_w + 12;
	x1 = WIDTH - value_w - 10;
	top = c->has_part ? 24 : 4;
	h = top + (double)c->n * ROW_H + 4;
	mid = (x0 + x1) / 2;
	open_svg(f, c->id, c->title, WIDTH, h, c->counts);
	if (c->has_part) {
		legend_item(f, x0, 14, "bar-light", c->legend_v);
		legend_item(f, x0 + 14 + text_w(c->legend_v) + 16, 14, "bar",
			    c->legend_part);
	}
	for (i = 0; i < c->n; i++) {
		const struct svg_bar *r = &c->bars[i];
		double y = top + (double)i * ROW_H, w = 0, bx = x0, tx;
		val_text(r->v, c->unit, c->k, bar_hidden(c, r), a, sizeof(a));
		text(f, x0 - 8, y + 16, "lbl", "end", r->label);
		if (r->v.kind == SVG_NUM && r->v.v > 0) {
			w = (x1 - x0) * (r->v.v > max ? 1 : r->v.v / max);
			bx = c->funnel ? mid - w / 2 : x0;
			rect(f, bx, y + 5, w, BAR_H,
			     c->has_part ? "bar-light" : "bar");
		}
		if (c->has_part && r->part.kind == SVG_NUM && r->part.v > 0) {
			double pw =
			    (x1 - x0) * (r->part.v > max ? 1 : r->part.v / max);
			rect(f, bx, y + 5, pw, BAR_H, "bar");
		}
		tx = c->funnel ? (w > 0 ? mid + w / 2 : mid) + 6 : bx + w + 6;
		if (c->has_part) {
			val_text(r->part, c->unit, c->k, c->hidden, b,
				 sizeof(b));
			snprintf(t, sizeof(t), "%s / %s", b, a);
		} else {
			snprintf(t, sizeof(t), "%s", a);
		}
		fprintf(f, "<text");
		coord(f, "x", tx);
		coord(f, "y", y + 16);
		fprintf(f, " class=\"%s\">",
			value_class(c->has_part && r->part.kind == SVG_HIDDEN
					? r->part
					: r->v));
		html_escape(f, t);
		if (r->note != NULL) {
			fprintf(f, "<tspan class=\"note\" dx=\"8\">");
			html_escape(f, r->note);
			fprintf(f, "</tspan>");
		}
		fprintf(f, "</text>\n");
	}
	return close_svg(f);
}

/* ---- UpSet -------------------------------------------------------------- */

#define UP_COL 32
#define UP_ROW 20
#define UP_BARS 140
#define UP_SETBAR 120

int
svg_upset(FILE *f, const struct svg_upset *c)
{
	size_t order[MAX_UPSET], n = 0, i, j, s;
	double names_w = 0, max = 0, set_max = 0, x_sets, x_mat, y_bar0, y_mat,
	       w, h;
	char a[48];

	/* Largest first, hidden after them (in the given order). */
	for (i = 0; i < c->n && n < MAX_UPSET; i++)
		if (c->size[i].kind == SVG_NUM && c->size[i].v > 0)
			order[n++] = i;
	for (i = 1; i < n; i++)
		for (j = i;
		     j > 0 && c->size[order[j]].v > c->size[order[j - 1]].v;
		     j--) {
			size_t tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	for (i = 0; i < c->n && n < MAX_UPSET; i++)
		if (c->size[i].kind == SVG_HIDDEN)
			order[n++] = i;
	for (i = 0; i < n; i++)
		if (c->size[order[i]].kind == SVG_NUM &&
		    c->size[order[i]].v > max)
			max = c->size[order[i]].v;
	for (s = 0; s < c->n_sets; s++) {
		if (text_w(c->sets[s]) > names_w)
			names_w = text_w(c->sets[s]);
		if (c->set_size[s].kind == SVG_NUM &&
		    c->set_size[s].v > set_max)
			set_max = c->set_size[s].v;
	}
	if (max <= 0)
		max = 1;
	if (set_max <= 0)
		set_max = 1;
	x_sets = names_w + 12;
	x_mat = x_sets + UP_SETBAR + 16;
	y_bar0 = 36 + UP_BARS;
	y_mat = y_bar0 + 8;
	w = x_mat + (double)n * UP_COL + 8;
	if (w < x_mat + text_w(c->heading))
		w = x_mat + text_w(c->heading);
	h = y_mat + (double)c->n_sets * UP_ROW + 6;
	open_svg(f, c->id, c->title, w, h, true);
	for (s = 0; s < c->n_sets; s += 2)
		rect(f, x_mat - 4, y_mat + (double)s * UP_ROW,
		     (double)n * UP_COL + 4, UP_ROW, "stripe");
	text(f, x_mat, 12, "lg", NULL, c->heading);
	text(f, x_sets, y_mat - 6, "lg", NULL, c->set_heading);
	line(f, x_mat - 4, y_bar0, w - 4, y_bar0, "axis");
	/* Intersection bars, and their dots below. */
	for (i = 0; i < n; i++) {
		struct svg_val v = c->size[order[i]];
		unsigned m = c->members[order[i]];
		double cx = x_mat + (double)i * UP_COL + UP_COL / 2.0, lo = -1,
		       hi = -1, bh = 0;
		if (v.kind == SVG_NUM) {
			bh = UP_BARS * v.v / max;
			rect(f, cx - 10, y_bar0 - bh, 20, bh, "bar");
		}
		val_text(v, NULL, c->k, c->hidden, a, sizeof(a));
		text(f, cx, y_bar0 - bh - 4, value_class(v), "middle", a);
		for (s = 0; s < c->n_sets; s++) {
			double cy = y_mat + (double)s * UP_ROW + UP_ROW / 2.0;
			if (m & (1u << s)) {
				if (lo < 0)
					lo = cy;
				hi = cy;
			}
		}
		if (lo >= 0 && hi > lo)
			line(f, cx, lo, cx, hi, "link");
		for (s = 0; s < c->n_sets; s++) {
			double cy = y_mat + (double)s * UP_ROW + UP_ROW / 2.0;
			circle(f, cx, cy, 5,
			       m & (1u << s) ? "dot-on" : "dot-off");
		}
	}
	/* Each institution: its name and its own total. */
	for (s = 0; s < c->n_sets; s++) {
		double y = y_mat + (double)s * UP_ROW, bw = 0;
		struct svg_val v = c->set_size[s];
		text(f, x_sets - 8, y + 14, "lbl", "end", c->sets[s]);
		if (v.kind == SVG_NUM && v.v > 0) {
			bw = (UP_SETBAR - 40) * v.v / set_max;
			rect(f, x_sets, y + 4, bw, UP_ROW - 8, "bar-light");
		}
		val_text(v, NULL, c->k, c->hidden, a, sizeof(a));
		text(f, x_sets + bw + 4, y + 14, value_class(v), NULL, a);
	}
	return close_svg(f);
}

/* ---- trend -------------------------------------------------------------- */

/* A value on a scale from lo to max: what falls outside sits on its
 * edge. */
static double
clamp(double v, double lo, double max)
{
	return v < lo ? lo : v > max ? max : v;
}

/*
 * The bottom of a trend's scale: 0, or below the lowest value, baseline
 * or target when one is negative (a median of days whose dates are out
 * of order), which on a scale from 0 would sit on the axis as if 0.
 */
static double
trend_low(const struct svg_trend *c)
{
	double lo = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->y[i].kind == SVG_NUM && c->y[i].v < lo)
			lo = c->y[i].v;
	if (c->baseline.kind == SVG_NUM && c->baseline.v < lo)
		lo = c->baseline.v;
	if (c->target.kind == SVG_NUM && c->target.v < lo)
		lo = c->target.v;
	return lo < 0 ? -nice_max(-lo * 1.05) : 0;
}

#define TR_W 340
#define TR_H 170
#define TR_L 44	 /* room for the scale */
#define TR_R 78	 /* room for "base 61.5%", "meta 80%" */
#define TR_T 22	 /* room for the top point's value */
#define TR_B 30	 /* room for the periods */
#define TR_IN 16 /* points kept this far inside the plot */

#define TR_V_H 12 /* the height of a value's label (.v, 12px) */

/* Whether a value's label on baseline c is clear of the horizontal
 * lines at lines (the baseline's and the target's): none runs through
 * its digits, from about their height above c to just below it. */
static bool
clear_of_lines(double c, const double *lines, size_t n_lines)
{
	size_t j;

	for (j = 0; j < n_lines; j++)
		if (lines[j] > c - TR_V_H + 2.5 && lines[j] < c + 1)
			return false;
	return true;
}

/*
 * Where a point's value label goes (its baseline), for a point at x, y:
 * above the point, unless it would sit on the labels of the baseline and
 * target at the right (their baselines in refs, n_refs of them), as the
 * last point's may when its value is close to one, or a dashed or dotted
 * line of theirs (at lines, n_lines of them) would strike it through, as
 * it did 546 under a target of 600 on a scale to 1,000; then the nearest
 * place that is clear of those labels and lines and of the point, within
 * the chart.
 */
static double
value_label_y(double x, double y, const char *label, const double *refs,
	      size_t n_refs, const double *lines, size_t n_lines)
{
	double cand[2 + 2 * 2 + 2 * 2], best = y - 7, dist = -1;
	size_t n = 0, i, j;

	/* Widths are guessed (the reader's font decides): a label that
	 * comes within TR_IN of the ref labels counts as meeting them. */
	if (n_refs > 0 && x + text_w(label) / 2 + TR_IN < TR_W - TR_R + 4)
		n_refs = 0;
	if (n_refs == 0 && clear_of_lines(y - 7, lines, n_lines))
		return y - 7;
	cand[n++] = y - 7;
	cand[n++] = y + 7 + TR_V_H;
	for (j = 0; j < n_refs && j < 2; j++) {
		cand[n++] = refs[j] - TR_V_H;
		cand[n++] = refs[j] + TR_V_H;
	}
	for (j = 0; j < n_lines && j < 2; j++) {
		cand[n++] = lines[j] - 2;
		cand[n++] = lines[j] + TR_V_H - 1;
	}
	for (i = 0; i < n; i++) {
		double c = cand[i];
		bool ok = c >= TR_V_H && c <= TR_H - TR_B + 2 &&
			  (c <= y - 5 || c >= y + 5 + TR_V_H) &&
			  clear_of_lines(c, lines, n_lines);
		for (j = 0; ok && j < n_refs; j++)
			ok = fabs(c - refs[j]) >= TR_V_H - 0.05;
		if (ok && (dist < 0 || fabs(c - (y - 7)) < dist)) {
			best = c;
			dist = fabs(c - (y - 7));
		}
	}
	return best;
}

/* The y of v on a trend's scale from lo to max, ph high below TR_T. */
static double
trend_y(double v, double lo, double max, double ph)
{
	return TR_T + ph - ph * (clamp(v, lo, max) - lo) / (max - lo);
}

int
svg_trend(FILE *f, const struct svg_trend *c)
{
	double max = c->max, pw = TR_W - TR_L - TR_R, ph = TR_H - TR_T - TR_B,
	       lo = trend_low(c), step, yb, yt, lb, lt;
	double px = -1, py = -1, refs[2], lines[2];
	size_t i, every, n_refs = 0, n_lines = 0;
	char a[48], t[96];

	if (max <= 0) {
		for (i = 0; i < c->n; i++)
			if (c->y[i].kind == SVG_NUM && c->y[i].v > max)
				max = c->y[i].v;
		if (c->baseline.kind == SVG_NUM && c->baseline.v > max)
			max = c->baseline.v;
		if (c->target.kind == SVG_NUM && c->target.v > max)
			max = c->target.v;
		max = nice_max(max * 1.05);
	}
	step = c->n > 1 ? (pw - 2 * TR_IN) / (double)(c->n - 1) : 0;
	every = (size_t)ceil(c->n * 44.0 / (pw - 2 * TR_IN));
	if (every < 1)
		every = 1;
	open_svg(f, c->id, c->title, TR_W, TR_H, false);
	/* Three lines: 0 (the axis), half and max; below 0, lo, 0, max. */
	for (i = 0; i <= 2; i++) {
		double v = lo < 0 ? (i == 0   ? lo
				     : i == 1 ? 0
					      : max)
				  : max * (double)i / 2,
		       y = trend_y(v, lo, max, ph);
		line(f, TR_L, y, TR_L + pw, y, v == 0 ? "axis" : "grid");
		/* A bottom too close to 0 (-20 under a scale to 500) is
		 * drawn, not named: its number would print over the 0. */
		if (v == lo && lo < 0 && ph * -lo / (max - lo) < TR_V_H)
			continue;
		val_text(svg_num(v), NULL, c->k, c->hidden, a, sizeof(a));
		text(f, TR_L - 6, y + 4, "tick", "end", a);
	}
	/* Every every-th period is named, counted back from the last (the
	 * report's own), so that the names keep their spacing: counted from
	 * the first, the last, always named, could fall beside another and
	 * print over it. */
	for (i = 0; i < c->n; i++) {
		double x =
		    c->n > 1 ? TR_L + TR_IN + step * (double)i : TR_L + pw / 2;
		if ((c->n - 1 - i) % every == 0)
			text(f, x, TR_H - TR_B + 16, "tick", "middle", c->x[i]);
	}
	yb = trend_y(c->baseline.v, lo, max, ph);
	yt = trend_y(c->target.v, lo, max, ph);
	/* Labels of lines closer than a line of text move apart. */
	lb = yb + 4;
	lt = yt + 4;
	if (c->baseline.kind == SVG_NUM && c->target.kind == SVG_NUM &&
	    fabs(yb - yt) < 11) {
		double m = (yb + yt) / 2 + 4;
		lb = yb >= yt ? m + 5.5 : m - 5.5;
		lt = yb >= yt ? m - 5.5 : m + 5.5;
	}
	if (c->baseline.kind == SVG_NUM) {
		line(f, TR_L, yb, TR_L + pw, yb, "base");
		val_text(c->baseline, c->unit, c->k, c->hidden, a, sizeof(a));
		snprintf(t, sizeof(t), "%s %s", c->baseline_label, a);
		text(f, TR_L + pw + 4, lb, "ref", NULL, t);
		refs[n_refs++] = lb;
		lines[n_lines++] = yb;
	}
	if (c->target.kind == SVG_NUM) {
		line(f, TR_L, yt, TR_L + pw, yt, "target");
		val_text(c->target, c->unit, c->k, c->hidden, a, sizeof(a));
		snprintf(t, sizeof(t), "%s %s", c->target_label, a);
		text(f, TR_L + pw + 4, lt, "ref tgt", NULL, t);
		refs[n_refs++] = lt;
		lines[n_lines++] = yt;
	}
	for (i = 0; i < c->n; i++) {
		double x = c->n > 1 ? TR_L + TR_IN + step * (double)i
				    : TR_L + pw / 2,
		       y;
		if (c->y[i].kind != SVG_NUM) {
			px = -1;
			continue;
		}
		y = trend_y(c->y[i].v, lo, max, ph);
		if (px >= 0)
			line(f, px, py, x, y, "trend");
		px = x;
		py = y;
	}
	for (i = 0; i < c->n; i++) {
		double x = c->n > 1 ? TR_L + TR_IN + step * (double)i
				    : TR_L + pw / 2,
		       y;
		if (c->y[i].kind != SVG_NUM)
			continue;
		y = trend_y(c->y[i].v, lo, max, ph);
		circle(f, x, y, 3.5, "point");
		/* Every value of a short series, else the last: the table
		 * under the charts has them all. */
		if (i + 1 == c->n || c->n <= 3) {
			double half;
			val_text(c->y[i], c->unit, c->k, c->hidden, a,
				 sizeof(a));
			/* A wide label on the first point (179.97 on a scale
			 * to 200) would reach the scale's numbers and read as
			 * one with them ("200179.97"): it moves right. */
			half = text_w(a) / 2;
			if (x - half < TR_L)
				x = TR_L + half;
			text(f, x,
			     value_label_y(x, y, a, refs, n_refs, lines,
					   n_lines),
			     "v", "middle", a);
		}
	}
	return close_svg(f);
}

/* ---- intervals ---------------------------------------------------------- */

int
svg_intervals(FILE *f, const struct svg_intervals *c)
{
	double label_w = 0, max = 0, x0, x1, top = 24, h;
	char a[48], b[48], d[48], t[200];
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct svg_interval *r = &c->rows[i];
		const struct svg_val *vs[] = {&r->observed, &r->estimate,
					      &r->low, &r->high};
		size_t j;
		if (text_w(r->label) > label_w)
			label_w = text_w(r->label);
		for (j = 0; j < 4; j++)
			if (vs[j]->kind == SVG_NUM && vs[j]->v > max)
				max = vs[j]->v;
	}
	max = nice_max(max);
	label_w = label_w > 200 ? 200 : label_w;
	x0 = label_w + 12;
	x1 = WIDTH - 200;
	h = top + (double)c->n * 30 + 22;
	open_svg(f, c->id, c->title, WIDTH, h, false);
	legend_item(f, x0, 14, "bar-light", c->legend_observed);
	circle(f, x0 + 14 + text_w(c->legend_observed) + 21, 10, 4, "point");
	text(f, x0 + 14 + text_w(c->legend_observed) + 30, 14, "lg", NULL,
	     c->legend_estimate);
	for (i = 0; i < c->n; i++) {
		const struct svg_interval *r = &c->rows[i];
		double y = top + (double)i * 30;
		text(f, x0 - 8, y + 19, "lbl", "end", r->label);
		if (r->observed.kind == SVG_NUM && r->observed.v > 0)
			rect(f, x0, y + 9, (x1 - x0) * r->observed.v / max, 12,
			     "bar-light");
		if (r->low.kind == SVG_NUM && r->high.kind == SVG_NUM) {
			double lx = x0 + (x1 - x0) * r->low.v / max,
			       hx = x0 + (x1 - x0) * r->high.v / max;
			line(f, lx, y + 15, hx, y + 15, "whisker");
			line(f, lx, y + 9, lx, y + 21, "whisker");
			line(f, hx, y + 9, hx, y + 21, "whisker");
		} else if (r->low.kind == SVG_NUM && r->unbounded) {
			/* Past the end of the scale, with no cap but an
			 * arrow: no limit, it goes on. */
			double lx = x0 + (x1 - x0) * r->low.v / max;
			line(f, lx, y + 15, x1 + 1, y + 15, "whisker");
			line(f, lx, y + 9, lx, y + 21, "whisker");
			arrow_right(f, x1 + 7, y + 15, "arrow");
		}
		if (r->estimate.kind == SVG_NUM)
			circle(f, x0 + (x1 - x0) * r->estimate.v / max, y + 15,
			       4.5, "point");
		val_text(r->estimate, NULL, c->k, c->hidden, a, sizeof(a));
		if (r->low.kind == SVG_NUM && r->high.kind == SVG_NUM) {
			val_text(r->low, NULL, c->k, c->hidden, b, sizeof(b));
			val_text(r->high, NULL, c->k, c->hidden, d, sizeof(d));
			snprintf(t, sizeof(t), "%s (%s\u2013%s)", a, b, d);
		} else if (r->low.kind == SVG_NUM && r->unbounded) {
			val_text(r->low, NULL, c->k, c->hidden, b, sizeof(b));
			snprintf(t, sizeof(t), "%s (%s\u2013\u221e)", a, b);
		} else {
			snprintf(t, sizeof(t), "%s", a);
		}
		/* Clear of an unbounded whisker's arrow. */
		text(f, x1 + (r->low.kind == SVG_NUM && r->unbounded ? 14 : 10),
		     y + 19, value_class(r->estimate), NULL, t);
	}
	line(f, x0, h - 18, x1, h - 18, "axis");
	for (i = 0; i <= 2; i++) {
		double v = max * (double)i / 2;
		val_text(svg_num(v), NULL, c->k, c->hidden, a, sizeof(a));
		text(f, x0 + (x1 - x0) * (double)i / 2, h - 5, "tick", "middle",
		     a);
	}
	return close_svg(f);
}
