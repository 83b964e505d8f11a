/* html.c - escaping, the page and tables of kuska report; see html.h. */
#include "html.h"

#include <errno.h>
#include <string.h>

/*
 * The page loads nothing: no script, font, image, frame or connection,
 * whatever its text says. Styles are inline (<style> and SVG classes).
 */
#define CSP                                                                    \
	"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "     \
	"form-action 'none'"

/* One style sheet for screen, phone and A4 print. */
static const char css[] =
    ":root{--ink:#1a202c;--muted:#4a5568;--line:#cbd5e0;--accent:#1f4e79;"
    "--bar:#2b6cb0;--bar-light:#b9d3ec;--target:#c05621}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
    "body{margin:0;color:var(--ink);background:#eef1f4;font:15px/1.5 "
    "system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\","
    "\"DejaVu Sans\",Arial,sans-serif}\n"
    ".page{max-width:1120px;margin:0 auto;background:#fff;"
    "padding:28px 36px 40px}\n"
    "header.top{border-bottom:4px solid var(--accent);padding-bottom:12px}\n"
    ".kicker{text-transform:uppercase;letter-spacing:.06em;"
    "color:var(--muted);font-size:.78rem;font-weight:600;margin:0}\n"
    "h1{font-size:1.65rem;line-height:1.25;margin:.25em 0 .3em;"
    "color:var(--accent)}\n"
    "h2{font-size:1.25rem;color:var(--accent);margin:2em 0 .6em;"
    "padding-bottom:4px;border-bottom:1px solid var(--line);"
    "break-after:avoid}\n"
    "h3{font-size:1rem;margin:0 0 .3em}\n"
    ".meta{color:var(--muted);font-size:.9rem;margin:.2em 0}\n"
    ".role{display:inline-block;padding:1px 8px;border-radius:3px;"
    "background:#e2e8f0;font-weight:600;color:var(--ink)}\n"
    ".role.exact{background:#fed7d7;color:#742a2a}\n"
    ".warn{border-left:4px solid #c53030;background:#fff5f5;"
    "padding:6px 12px;margin:.8em 0}\n"
    ".notice{border-left:4px solid #d69e2e;background:#fffbea;"
    "padding:8px 12px;margin:.8em 0}\n"
    "li.stale{color:#742a2a;font-weight:600}\n"
    "nav.toc{margin:1em 0;font-size:.92rem}\n"
    "nav.toc ol{margin:.3em 0;padding-left:1.4em;columns:2 260px}\n"
    "a{color:var(--accent)}\n"
    /* Printed, a figure may break between its chart and its table, or
     * between the table's rows (its head repeated), never inside a
     * chart, a card or a paragraph: its title and how to read it stay
     * with the chart, the table's caption with its first rows. Whole
     * figures kept on one page left up to half a page blank before each
     * one that did not fit (test_report measures the pages). The source
     * line is not tied to the table: Chromium then moved whole figures
     * again. */
    "figure{margin:1.2em 0 2em}\n"
    "svg.chart{break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption,.how,caption{break-after:avoid;page-break-after:avoid}\n"
    ".how,.src{break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption{font-weight:600;font-size:1rem}\n"
    "figcaption .num{color:var(--accent)}\n"
    ".how{margin:.2em 0 .7em;color:var(--muted);font-size:.92rem}\n"
    ".fig-body{display:grid;grid-template-columns:minmax(0,6fr) "
    "minmax(0,5fr);gap:20px;align-items:start}\n"
    ".fig-body.under{grid-template-columns:minmax(0,1fr)}\n"
    ".fig-body.under table{width:auto;min-width:50%}\n"
    ".src{font-size:.8rem;color:var(--muted);margin:.5em 0 0}\n"
    ".children{font-weight:600;margin:.5em 0}\n"
    "code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;"
    "font-size:.86em;background:#f1f4f8;padding:0 3px;border-radius:2px;"
    "overflow-wrap:anywhere}\n"
    ".tw{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}\n"
    ".tw+.tw{margin-top:1.2em}\n" /* two tables of one figure */
    "table{border-collapse:collapse;font-size:.86rem;width:100%;"
    "font-variant-numeric:tabular-nums}\n"
    "caption{text-align:left;color:var(--muted);font-size:.8rem;"
    "padding-bottom:3px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #e2e8f0;"
    "text-align:left;white-space:nowrap}\n"
    "thead th{border-bottom:2px solid var(--line);vertical-align:bottom;"
    "white-space:normal;font-size:.8rem}\n"
    "th[scope=row]{font-weight:400;white-space:normal;min-width:7em}\n"
    /* The indicators' ten columns fit 1280 px without scrolling: a
     * narrower name, unit and expression, and less padding. */
    "table.ind th,table.ind td{padding:3px 6px}\n"
    "table.ind th[scope=row]{min-width:10em}\n"
    "table.ind td.w{min-width:0}\n"
    /* An indicator's code wraps at its hyphens and its expression
     * between its terms (spaces, operators and the <wbr> of
     * expr_escape), never inside a name: the table fits the screen and
     * the A4 page. */
    "table.ind td:nth-last-child(2){white-space:normal}\n"
    "td.x{white-space:normal;overflow-wrap:normal;word-break:normal;"
    "min-width:12em}\n"
    "table.ind td.x{min-width:10em}\n"
    "td.n{text-align:right}\n"
    "td.sup,td.na{color:var(--muted);text-align:right}\n"
    "td.sup{font-style:italic}\n"
    "td.w{white-space:normal;min-width:8em}\n"
    "td.alt{white-space:normal;color:var(--muted);font-style:italic}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:9px;"
    "font-size:.78rem;font-weight:600;color:#fff;background:#718096;"
    "white-space:nowrap;print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact}\n"
    ".b-achieved{background:#22543d}.b-on_track{background:#2f855a}"
    ".b-acceleration_needed{background:#975a16}"
    ".b-limited{background:#c05621}.b-deteriorating{background:#c53030}"
    ".b-no_data,.b-suppressed,.b-by_year,.b-period_open,"
    ".b-baseline_period{"
    "background:#a0aec0;color:#1a202c}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,"
    "minmax(310px,1fr));gap:14px;margin:.6em 0}\n"
    ".card{border:1px solid var(--line);border-radius:6px;"
    "padding:10px 12px;break-inside:avoid;page-break-inside:avoid}\n"
    ".card p{margin:.1em 0 .3em;font-size:.85rem;color:var(--muted)}\n"
    ".card strong.per{color:var(--ink)}\n"
    "svg.chart{display:block;max-width:100%;height:auto}\n"
    "svg text{font-size:13px;fill:var(--ink)}\n"
    "svg .v{font-size:12px;font-weight:600}\n"
    "svg .hid{font-style:italic;font-weight:400;fill:var(--muted)}\n"
    "svg .note{font-weight:400;font-style:normal;fill:var(--muted)}\n"
    "svg .lg,svg .tick{font-size:12px;fill:var(--muted)}\n"
    "svg .ref{font-size:10px;fill:var(--muted)}\n"
    "svg .tgt{fill:var(--target);font-weight:600}\n"
    "svg .bar,svg .point{fill:var(--bar)}\n"
    "svg .bar-light{fill:var(--bar-light)}\n"
    "svg .axis{stroke:#718096}\n"
    "svg .grid{stroke:#e2e8f0}\n"
    "svg .target{stroke:var(--target);stroke-width:1.5;"
    "stroke-dasharray:6 4}\n"
    "svg .base{stroke:#718096;stroke-width:1.2;stroke-dasharray:2 3}\n"
    "svg .trend{stroke:var(--bar);stroke-width:2}\n"
    "svg .dot-on{fill:#2d3748}\n"
    "svg .dot-off{fill:#e2e8f0}\n"
    "svg .link{stroke:#2d3748;stroke-width:2}\n"
    "svg .stripe{fill:#f7fafc}\n"
    "svg .whisker{stroke:#2d3748;stroke-width:1.5}\n"
    "svg .arrow{fill:#2d3748}\n"
    "footer{margin-top:2.5em;font-size:.85rem;color:var(--muted)}\n"
    "footer table{width:auto}\n"
    "@media (max-width:860px){.fig-body{grid-template-columns:"
    "minmax(0,1fr)}}\n"
    "@media (max-width:600px){body{font-size:14px}"
    ".page{padding:14px 12px 28px}h1{font-size:1.3rem}"
    "nav.toc ol{columns:1}.cards{grid-template-columns:minmax(0,1fr)}"
    ".cw{overflow-x:auto}.cw>svg.chart{min-width:500px}"
    /* A chart wider than the phone scrolls sideways: a shadow on the
     * edge with more to see says so (no script: the page allows none),
     * as does a table wider than the phone.
     * The white covers scroll with the chart and hide each shadow once
     * its edge is reached; a chart that fits shows none. */
    ".cw,.tw{background:linear-gradient(90deg,#fff 30%,rgba(255,255,255,0)),"
    "linear-gradient(90deg,rgba(255,255,255,0),#fff 70%) 100% 0,"
    "radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.35),"
    "rgba(0,0,0,0)),radial-gradient(farthest-side at 100% 50%,"
    "rgba(0,0,0,.35),rgba(0,0,0,0)) 100% 0;background-repeat:no-repeat;"
    "background-size:40px 100%,40px 100%,20px 100%,20px 100%;"
    "background-attachment:local,local,scroll,scroll}}\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{body{background:#fff;font-size:10pt}"
    ".page{max-width:none;padding:0}nav.toc{display:none}"
    ".tw{overflow:visible}a{color:inherit;text-decoration:none}"
    ".fig-body{grid-template-columns:minmax(0,1fr)}"
    "table{width:auto;min-width:60%;font-size:8.5pt}"
    "th,td{white-space:normal;overflow-wrap:break-word}"
    "table.ind th[scope=row]{min-width:12em}"
    "tr{break-inside:avoid;page-break-inside:avoid}"
    /* A table's first or last rows, one or two of them alone on a
     * page (under its repeated head), read as strays: at a break, each
     * end keeps three. */
    "tbody tr:nth-child(2),tbody tr:nth-child(3),"
    "tbody tr:nth-last-child(-n+2){break-before:avoid;"
    "page-break-before:avoid}"
    /* So do its caption and head at a page's foot with no row. */
    "tbody tr:first-child{break-before:avoid;page-break-before:avoid}"
    /* A table of eight rows or fewer is not worth parting: a few of its
     * rows at a page's foot, the rest under its head repeated, read as
     * two tables. It goes over whole. */
    "table:not(:has(tbody>tr:nth-child(9))){break-inside:avoid;"
    "page-break-inside:avoid}"
    /* A section's heading and the sentence that opens it stay with
     * what follows, not at a page's foot. Chromium keeps a heading with
     * what follows only when it can break before it inside its parent:
     * the first child of a section or the footer, it was left at the
     * foot (test_report's control). An empty box before it gives it
     * that break. */
    "h2+p{break-after:avoid;page-break-after:avoid}"
    "section::before,footer::before{content:\"\";"
    "display:block}"
    /* So is a figure's title, its first child, but for a figure that
     * opens its section: a break after its empty box would leave the
     * section's heading behind. */
    "figure:not(h2+figure,h2+p+figure)::before{content:\"\";"
    "display:block}"
    /* The signing line, alone on a last sheet, was parted from the
     * deliveries it closes: the two go over together. */
    "#deliveries{break-inside:avoid;page-break-inside:avoid}"
    "footer>p:last-child{break-before:avoid;page-break-before:avoid}"
    /* "Where the numbers come from" is a third of a sheet at most (a
     * row and a line per institution): parted, its deliveries read as a
     * stray list on a sheet of their own. It goes over whole. A
     * section's only sentence has nothing of its own to stay with: its
     * break-after: avoid, passed on to the section's end, made Chromium
     * part the footer that follows rather than break before it. */
    "footer{break-inside:avoid;page-break-inside:avoid}"
    "h2+p:last-child{break-after:auto;page-break-after:auto}"
    ".cards{grid-template-columns:1fr 1fr}"
    "*{print-color-adjust:exact;-webkit-print-color-adjust:exact}}\n";

void
html_escape(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			putc(*s, f);
		}
	}
}

const char *
html_cell_text(const struct cell *c, unsigned k, char *out, size_t cap)
{
	if (c->kind == CELL_NUMBER)
		snprintf(out, cap, "%lld", (long long)c->number);
	else if (c->kind == CELL_SUPPRESSED)
		snprintf(out, cap, "<%u", k);
	else if ((c->kind == CELL_TEXT || c->kind == CELL_DECIMAL) &&
		 codec_cell_str(c)[0] != '\0')
		return codec_cell_str(c); /* long texts are not cut */
	else
		snprintf(out, cap, "\u2013"); /* empty, or an empty text */
	return out;
}

int
html_col_index(const struct qtable *t, const char *name)
{
	size_t j;

	for (j = 0; j < t->n_cols; j++)
		if (strcmp(t->cols[j], name) == 0)
			return (int)j;
	return -1;
}

const struct cell *
html_cell(const struct qtable *t, size_t row, const char *name)
{
	int j = html_col_index(t, name);

	if (j < 0 || row >= t->n_rows)
		return NULL;
	return &t->rows[row][j];
}

bool
html_served_unmedianed(const struct qtable *t)
{
	size_t i;

	for (i = 0; i < t->n_rows; i++) {
		const struct cell *v = html_cell(t, i, "victims");
		const struct cell *m = html_cell(t, i, "median_days");
		if (v != NULL && m != NULL && v->kind == CELL_NUMBER &&
		    v->number > 0 && m->kind == CELL_EMPTY)
			return true;
	}
	return false;
}

void
html_td_open(FILE *f, const char *cls, const char *table, const char *period,
	     const char *region, size_t row, const char *col)
{
	fprintf(f, "<td%s data-q=\"", cls);
	html_escape(f, table);
	fputc(' ', f);
	html_escape(f, period);
	fprintf(f, " %zu ", row);
	html_escape(f, col);
	if (region != NULL) {
		fputc(' ', f);
		html_escape(f, region);
	}
	fputc('"', f);
}

/*
 * Writes the expression s escaped, with a break opportunity (<wbr>)
 * before each "[" of a cell reference and after each "," and "=" of its
 * filters, and after a binary operator written without a space: a long
 * expression then wraps between its terms, never inside a name.
 */
static void
expr_escape(FILE *f, const char *s)
{
	char one[2] = "";
	char prev = ' '; /* the last character that was not a space */

	for (; *s; s++) {
		bool binary = strchr("+-*/", *s) != NULL &&
			      (prev == ')' || prev == ']' ||
			       (prev >= '0' && prev <= '9') ||
			       (prev >= 'a' && prev <= 'z') ||
			       (prev >= 'A' && prev <= 'Z') || prev == '_');

		if (*s == '[')
			fputs("<wbr>", f);
		one[0] = *s;
		html_escape(f, one);
		if ((*s == ',' || *s == '=' || binary) && s[1] != ' ' &&
		    s[1] != '\0')
			fputs("<wbr>", f);
		if (*s != ' ')
			prev = *s;
	}
}

const char *
html_group(long long n, const char *sep, char *out, size_t cap)
{
	char digits[32];
	size_t len, i, at = 0;
	int w;

	/* Negated as unsigned: LLONG_MIN has no positive twin. */
	w = snprintf(digits, sizeof(digits), "%llu",
		     n < 0 ? -(unsigned long long)n : (unsigned long long)n);
	len = w > 0 ? (size_t)w : 0;
	if (sep == NULL || len < 5) {
		snprintf(out, cap, "%lld", n);
		return out;
	}
	if (cap == 0)
		return out;
	out[0] = '\0';
	if (n < 0)
		at += (size_t)snprintf(out, cap, "-");
	for (i = 0; i < len && at < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			at += (size_t)snprintf(out + at, cap - at, "%s", sep);
		if (at < cap)
			at += (size_t)snprintf(out + at, cap - at, "%c",
					       digits[i]);
	}
	return out;
}

/* A number as shown: a negative one with the minus sign the charts
 * write ("\u22120.464", as "\u221227.8%"), not a hyphen. */
static void
number_escape(FILE *f, const char *s)
{
	if (s[0] == '-') {
		fputs("\u2212", f);
		s++;
	}
	html_escape(f, s);
}

/* html_td, and for an expression (expr) its text through expr_escape; a
 * suppressed cell reads hidden, when not NULL, its "<k" kept in data-v;
 * a count of five digits or more is grouped by thousands, when not NULL,
 * its digits kept in data-v; a negative number reads a minus sign, its
 * text kept in data-v. */
static void
td_write(FILE *f, const struct qtable *t, size_t row, const char *col,
	 const char *table, const char *period, const char *region,
	 const char *display, bool expr, const char *hidden,
	 const char *thousands)
{
	static const struct cell empty = {CELL_EMPTY, 0, "", NULL};
	const struct cell *c = html_cell(t, row, col);
	const char *cls = "", *text;
	char buf[sizeof(c->text) + 16];

	if (c == NULL)
		c = &empty;
	text = html_cell_text(c, t->k, buf, sizeof(buf));
	if (c->kind == CELL_SUPPRESSED)
		cls = " class=\"sup\"";
	else if (c->kind == CELL_EMPTY ||
		 (c->kind == CELL_TEXT && codec_cell_str(c)[0] == '\0'))
		cls = " class=\"na\"";
	else if (c->kind != CELL_TEXT)
		cls = " class=\"n\"";
	else if (display != NULL)
		cls = " class=\"w\"";
	else if (expr)
		cls = " class=\"x\"";
	html_td_open(f, cls, table, period, region, row, col);
	if (c->kind == CELL_SUPPRESSED && hidden != NULL) {
		fprintf(f, " data-v=\"");
		html_escape(f, text);
		fprintf(f, "\">");
		html_escape(f, hidden);
	} else if (c->kind == CELL_NUMBER && thousands != NULL &&
		   (c->number >= 10000 || c->number <= -10000)) {
		char grouped[64];
		fprintf(f, " data-v=\"");
		html_escape(f, text);
		fprintf(f, "\">");
		number_escape(f, html_group((long long)c->number, thousands,
					    grouped, sizeof(grouped)));
	} else if (display != NULL && c->kind == CELL_TEXT &&
		   codec_cell_str(c)[0] != '\0') {
		fprintf(f, " data-v=\"");
		html_escape(f, codec_cell_str(c));
		fprintf(f, "\">");
		html_escape(f, display);
	} else if (expr && c->kind == CELL_TEXT) {
		fputc('>', f);
		expr_escape(f, text);
	} else if ((c->kind == CELL_NUMBER || c->kind == CELL_DECIMAL) &&
		   text[0] == '-') {
		fprintf(f, " data-v=\"");
		html_escape(f, text);
		fputs("\">", f);
		number_escape(f, text);
	} else {
		fputc('>', f);
		html_escape(f, text);
	}
	fputs("</td>", f);
}

void
html_td(FILE *f, const struct qtable *t, size_t row, const char *col,
	const char *table, const char *period, const char *region,
	const char *display)
{
	td_write(f, t, row, col, table, period, region, display, false, NULL,
		 NULL);
}

/* Only [a-z0-9_] of a word goes into a class name. */
static void
class_word(FILE *f, const char *s)
{
	for (; *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_')
			putc(*s, f);
}

static void
badge_td(FILE *f, const struct html_table *ht, size_t row,
	 const struct html_col *col)
{
	const struct cell *c = html_cell(ht->t, row, col->name);
	const char *w = c != NULL && c->kind == CELL_TEXT ? c->text : "";
	const char *shown = ht->word != NULL ? ht->word(col->name, w) : w;

	if (w[0] == '\0') {
		html_td(f, ht->t, row, col->name, ht->table, ht->period,
			ht->region, NULL);
		return;
	}
	html_td_open(f, "", ht->table, ht->period, ht->region, row, col->name);
	fprintf(f, " data-v=\"");
	html_escape(f, w);
	fprintf(f, "\"><span class=\"badge b-");
	class_word(f, w);
	fprintf(f, "\">");
	html_escape(f, shown);
	fprintf(f, "</span></td>");
}

/* A cell shown as the word w (html_table's instead), its value in data-v
 * so that the page still says which number it stands for. */
static void
instead_td(FILE *f, const struct html_table *ht, size_t row,
	   const struct html_col *col, const char *w)
{
	const struct cell *c = html_cell(ht->t, row, col->name);
	const char *shown = ht->word != NULL ? ht->word(col->name, w) : w;
	char buf[sizeof(c->text) + 16];

	/* Narrow: it stands in a column of numbers. */
	html_td_open(f,
		     col->kind == HTML_BADGE ? ""
		     : ht->instead_number    ? " class=\"n\""
					     : " class=\"alt\"",
		     ht->table, ht->period, ht->region, row, col->name);
	fprintf(f, " data-v=\"");
	if (c != NULL &&
	    (c->kind == CELL_NUMBER || c->kind == CELL_SUPPRESSED ||
	     codec_cell_str(c)[0] != '\0'))
		html_escape(f, html_cell_text(c, ht->t->k, buf, sizeof(buf)));
	fprintf(f, "\">");
	if (col->kind == HTML_BADGE) {
		fprintf(f, "<span class=\"badge b-");
		class_word(f, w);
		fprintf(f, "\">");
	}
	html_escape(f, shown);
	fprintf(f, "%s</td>", col->kind == HTML_BADGE ? "</span>" : "");
}

int
html_table(FILE *f, const struct html_table *ht)
{
	size_t i, j;

	fprintf(f, "<div class=\"tw\"><table");
	if (ht->cls != NULL) {
		fprintf(f, " class=\"");
		html_escape(f, ht->cls);
		fputc('"', f);
	}
	fprintf(f, ">\n");
	if (ht->caption != NULL) {
		fprintf(f, "<caption>");
		html_escape(f, ht->caption);
		fprintf(f, "</caption>\n");
	}
	fprintf(f, "<thead><tr>");
	for (j = 0; j < ht->n_cols; j++) {
		if (html_col_index(ht->t, ht->cols[j].name) < 0)
			continue;
		fprintf(f, "<th scope=\"col\">");
		html_escape(f, ht->cols[j].head);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < ht->t->n_rows; i++) {
		if (ht->keep != NULL && !ht->keep(ht->t, i))
			continue;
		fprintf(f, "<tr>");
		for (j = 0; j < ht->n_cols; j++) {
			const struct html_col *col = &ht->cols[j];
			const struct cell *c = html_cell(ht->t, i, col->name);
			const char *w, *other;
			if (c == NULL)
				continue;
			w = c->kind == CELL_TEXT ? codec_cell_str(c) : "";
			other = ht->instead != NULL && col->kind != HTML_LABEL
				    ? ht->instead(ht, i, col->name)
				    : NULL;
			if (other != NULL) {
				instead_td(f, ht, i, col, other);
			} else if (col->kind == HTML_LABEL) {
				fprintf(f, "<th scope=\"row\">");
				html_escape(f, ht->word != NULL
						   ? ht->word(col->name, w)
						   : w);
				fprintf(f, "</th>");
			} else if (col->kind == HTML_BADGE) {
				badge_td(f, ht, i, col);
			} else if (col->kind == HTML_NOTE && w[0] == '\0' &&
				   c->kind != CELL_SUPPRESSED) {
				/* A row with nothing to add: "–" reads as
				 * no data or withheld, which it is not. */
				html_td_open(f, " class=\"w\"", ht->table,
					     ht->period, ht->region, i,
					     col->name);
				fprintf(f, "></td>");
			} else if (col->kind == HTML_EXPR) {
				td_write(f, ht->t, i, col->name, ht->table,
					 ht->period, ht->region, NULL, true,
					 ht->hidden, ht->thousands);
			} else {
				td_write(f, ht->t, i, col->name, ht->table,
					 ht->period, ht->region,
					 (col->kind == HTML_WORD ||
					  col->kind == HTML_NOTE) &&
						 ht->word != NULL
					     ? ht->word(col->name, w)
					     : NULL,
					 false, ht->hidden, ht->thousands);
			}
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table></div>\n");
	return ferror(f) ? -EIO : 0;
}

void
html_page_open(FILE *f, const char *lang, const char *title)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"");
	html_escape(f, lang);
	fprintf(f, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"" CSP
		   "\">\n"
		   "<meta name=\"referrer\" content=\"no-referrer\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, "
		   "initial-scale=1\">\n<title>");
	html_escape(f, title);
	fprintf(f,
		"</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		"<div class=\"page\">\n",
		css);
}

int
html_page_close(FILE *f)
{
	fprintf(f, "</div>\n</body>\n</html>\n");
	return ferror(f) ? -EIO : 0;
}
