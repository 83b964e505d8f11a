#!/usr/bin/env python3
"""report_check.py - checks of a kuska report as a browser saw it, for
tests/e2e/test_report.sh. Each check prints what is wrong and exits 1, or
exits 0.

  report_check.py net NETLOG.json
      No request left the file: every request the page made (Chromium's
      --log-net-log) is for a file: or data: URL. Requests of the browser's
      own (update checks and the like, with no page as initiator) are not
      the page's and are left aside.
  report_check.py console STDERR
      The page wrote nothing to the console (--enable-logging=stderr):
      no error, no refused load (a Content-Security-Policy refusal is a
      console message too). Messages of the browser's own pages (their
      source a chrome:// URL: on a machine with no network at all, the
      omnibox's say "Slow network is detected") are not the page's and
      are left aside.
  report_check.py numbers DOM KUSKA CONF [REGION]
      Every number in the page's tables equals `kuska query` for the same
      key: each <td> names its query cell (data-q="TABLE PERIOD ROW COL");
      a <td> that names none holds no digit. With REGION (a region's
      report), every cell names that region after COL
      ("TABLE PERIOD ROW COL REGION") and is asked with --region REGION;
      without, none names a region. The estimate is asked as
      kuska report asks it, with its bootstrap row. Each sentence of how
      many victims were children (<p data-children="PERIOD">, its number
      in data-v) says the breakdown's under-18 age groups summed, or,
      one of them withheld, identification's total less the breakdown's
      18+ (as sdg16_2_2's 0-17), or, that too withheld, no number
      (data-v empty).
  report_check.py years PAGE KUSKA CONF REGION K
      The indicators' trend of whole years alone (a region's report for
      a role refused the region's semesters: figure f-trend with the
      notice trend-years): its table's columns are years, none a
      semester; each cell names the query of its own column's year
      (data-q="indicators YEAR ROW value REGION") and equals that
      year's `kuska query indicators --period YEAR --region REGION`
      (a withheld one its empty value), every row of the key indicators
      a cell each year; a count (unit count) shows no number from 1 to
      K-1; some year shows a number.
  report_check.py small DOM K
      No count from 1 to K-1 in the tables or in the count charts' values;
      at least one withheld count (the answer's "<K" in data-v), and none
      shown as "<K", which reads as 1 to K-1 where the count hidden may
      be larger (docs/DISCLOSURE.md): each reads the same mark, not a
      number (sdg16_2_2's, withheld whatever their size, a word).
  report_check.py marks PAGE MIN
      A bar chart says what the table beside it says: where a row's
      count is withheld (its data-v the answer's "<k"), its bar (the
      bars and the rows paired in order, in a figure with one bar per
      row, or one more: SDG 16.2.2's estimate, last) reads no "–"
      (no data), and a bar's value that is no number reads a mark of
      its row. At least MIN bars stand on a withheld count.
  report_check.py pages PDF
      The printed page fills its sheets: every sheet but the last is
      filled at least halfway down (the lowest text on it, from
      pdftotext -bbox of poppler-utils; a chart's labels are text). A
      block moved whole to the next sheet leaves one nearly blank.
  report_check.py breaks PDF PAGE
      The printed page breaks where a reader expects it to: a section's
      heading (<h2>) and a figure's title are on the sheet where what
      follows them begins (the figure's title, its chart or its table's
      first row); a table's caption on the sheet of its first row; a
      table of SHORT_ROWS rows or fewer on one sheet; a longer one, if
      parted, with MIN_SIDE rows or more on its first sheet and on its
      last (not one or two alone under its head repeated). The page's
      text is looked for, in order, in pdftotext -raw (the order it was drawn,
      a table cell by cell).
  report_check.py sections PAGE OUT [RULE]
      Writes to OUT a page in PAGE's style of forty sections of
      different lengths, each a heading, a sentence, a table and a
      figure (its title, how to read it and a table), so that printed
      some heading or figure title falls near a sheet's foot: for
      `breaks`. With RULE, that rule of the style is left out (a
      control).
  report_check.py whole PDF PAGE
      The printed page's footer ("Where the numbers come from", a third
      of a sheet at most) is on one sheet: its heading and its last
      words (the line that signs it) on the same one, each footer of the
      page in turn. Parted, its list of deliveries read as a stray on a
      sheet of its own.
  report_check.py footers PAGE OUT [RULE]
      Writes to OUT a page in PAGE's style of forty sections of
      different lengths, each followed by PAGE's footer (its heading
      numbered), so that printed some footer begins near a sheet's
      foot: for `whole`. With RULE, that rule of the style is left out
      (a control).
  report_check.py probe PAGE OUT
      Writes to OUT the page without its Content-Security-Policy and with
      a script that, once laid out, writes which table boxes (.tw) scroll
      sideways: for `fit`, on the DOM Chromium dumps of OUT.
  report_check.py fit DOM
      No table of the probed page scrolled sideways (it names the
      figures whose table did, with the widths).
  report_check.py infinite PAGE OUT
      As probe, with a script that writes how the page shows an infinite
      upper limit: for `unbounded`.
  report_check.py unbounded DOM
      The probed page's "\u221e" cell reads as the numbers of its row
      (aligned, coloured and styled as a cell of digits beside it, not
      as the muted words of a column of numbers), and its chart's
      whisker reaches the scale's last tick and ends past it in an
      arrow drawn in the whisker's colour.
"""
import csv
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

COUNT_COLUMNS = {"victims", "sent", "taken_up", "pending", "cases",
                 "persons", "records", "events", "observed"}
DASH = "\u2013"


class Page(HTMLParser):
    """The <td> cells and the values of count charts of a page."""

    def __init__(self):
        super().__init__()
        self.cells = []        # (attrs, text)
        self.chart_values = []  # direct text of <text class="v..."> in counts
        self.children = []     # (attrs, text) of <p data-children>
        self._td = None
        self._children = None
        self._svg_count = False
        self._value = None
        self._tspan = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td":
            self._td = [a, ""]
        elif tag == "p" and "data-children" in a:
            self._children = [a, ""]
        elif tag == "svg":
            self._svg_count = a.get("data-kind") == "count"
        elif tag == "text" and self._svg_count and \
                "v" in (a.get("class") or "").split():
            self._value = ""
        elif tag == "tspan":
            self._tspan += 1

    def handle_endtag(self, tag):
        if tag == "td" and self._td is not None:
            self.cells.append((self._td[0], self._td[1].strip()))
            self._td = None
        elif tag == "p" and self._children is not None:
            self.children.append((self._children[0],
                                  self._children[1].strip()))
            self._children = None
        elif tag == "svg":
            self._svg_count = False
        elif tag == "text" and self._value is not None:
            self.chart_values.append(self._value.strip())
            self._value = None
        elif tag == "tspan":
            self._tspan -= 1

    def handle_data(self, data):
        if self._td is not None:
            self._td[1] += data
        if self._children is not None:
            self._children[1] += data
        if self._value is not None and self._tspan == 0:
            self._value += data


def page(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return p


def fail(lines):
    for line in lines[:20]:
        print("  " + line)
    if len(lines) > 20:
        print("  ... and %d more" % (len(lines) - 20))
    return 1


def check_net(path):
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    bad, seen = [], 0
    for e in log["events"]:
        if names.get(e["type"]) != "URL_REQUEST_START_JOB":
            continue
        p = e.get("params", {})
        url = p.get("url")
        if url is None:  # the end of a job: its start said it all
            continue
        by_page = p.get("initiator") != "not an origin" or \
            "file://" in p.get("network_isolation_key", "") or \
            "site=file://" in p.get("site_for_cookies", "")
        if not by_page:
            continue
        seen += 1
        if not (url.startswith("file:") or url.startswith("data:")):
            bad.append("the page requested " + url)
    if bad:
        return fail(bad)
    print("  %d requests by the page, none leaving the file" % seen)
    return 0


# The source a console line names: `..."message", source: URL (LINE)`.
CONSOLE_SOURCE = re.compile(r', source: (\S+) \(\d+\)$')


def by_browser(line):
    m = CONSOLE_SOURCE.search(line)
    return m is not None and m.group(1).startswith("chrome://")


def check_console(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip() for l in f if ":CONSOLE" in l or
                 "Uncaught" in l]
    lines = [l for l in lines if not by_browser(l)]
    return fail(["console: " + l for l in lines]) if lines else 0


# kuska report asks for the estimate with its bootstrap interval
# (REPORT_BOOT and REPORT_SEED in client/report.h).
EXTRA = {"estimate": ["--boot", "1000", "--seed", "1"]}


def query(kuska, conf, table, period, cache, region=None):
    key = (table, period, region)
    where = ["--region", region] if region is not None else []
    if key not in cache:
        r = subprocess.run([kuska, "query", "-c", conf, table, "--period",
                            period, "--format", "csv"] + where +
                           EXTRA.get(table, []),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            cache[key] = None
            print("  kuska query %s --period %s%s: %s" %
                  (table, period, " --region " + region if region else "",
                   r.stderr.strip()))
        else:
            rows = list(csv.reader(io.StringIO(r.stdout)))
            cache[key] = (rows[0], rows[1:])
    return cache[key]


# Columns the report takes from indicator_definitions (kuska report's
# add_definitions) and shows in the indicators table.
DEFINITION_COLUMNS = ("baseline_period", "expression")


def check_numbers(dom, kuska, conf, region=None):
    p = page(dom)
    cache, bad, checked = {}, [], 0
    for attrs, text in p.cells:
        q = attrs.get("data-q")
        if q is None:
            if re.search(r"[0-9]", text):
                bad.append("a number with no query cell: %r" % text)
            continue
        words = q.split(" ")
        if words[4:] != ([region] if region is not None else []):
            bad.append("%s: not of %s" %
                       (q, "region " + region if region else
                        "the whole country"))
            continue
        table, period, row, col = words[:4]
        answer = query(kuska, conf, table, period, cache, region)
        if answer is None:
            bad.append("no answer for " + q)
            continue
        header, rows = answer
        if table == "indicators" and col in DEFINITION_COLUMNS and \
                "indicator" in header and int(row) < len(rows):
            # The page shows each indicator's definition beside its
            # value: that cell comes from indicator_definitions.
            ind = rows[int(row)][header.index("indicator")]
            defs = query(kuska, conf, "indicator_definitions", period,
                         cache, region)
            match = [r for r in (defs[1] if defs else [])
                     if r[defs[0].index("indicator")] == ind]
            if not match:
                bad.append("%s: no definition of %s" % (q, ind))
                continue
            header, rows, row = defs[0], match, 0
        if col not in header or int(row) >= len(rows):
            bad.append("%s: no such cell in the answer" % q)
            continue
        want = rows[int(row)][header.index(col)]
        shown = attrs.get("data-v", text)
        if shown == DASH:
            shown = ""
        if shown != want:
            bad.append("%s: the page shows %r, kuska query %r" %
                       (q, shown, want))
        checked += 1
    if checked < 50:
        bad.append("only %d cells checked" % checked)
    said = check_children(p, kuska, conf, cache, bad, region)
    if bad:
        return fail(bad)
    print("  %d cells of %d tables equal kuska query; %d sentences of "
          "children equal its breakdown" % (checked, len(cache), said))
    return 0


CHILD_GROUPS = ("0-5", "6-11", "12-13", "14-17")


def derived_children(kuska, conf, cache, period, region, header, rows):
    """The children of period when a child age group of its breakdown
    (header, rows) is withheld: kuska query identification's victims of
    institution all (an institution's own row, its only one) less the
    breakdown's 18+, as the consolidator's sdg16_2_2 gives its 0-17 (the
    age groups partition the victims); "" when either is withheld."""
    adult = [r[header.index("victims")] for r in rows
             if r[header.index("dimension")] == "age_group" and
             r[header.index("value")] == "18+"]
    ident = query(kuska, conf, "identification", period, cache, region)
    if ident is None or len(adult) != 1 or not adult[0].isdigit():
        return ""
    ih, irows = ident
    if "institution" not in ih or "victims" not in ih:
        return ""
    total = [r[ih.index("victims")] for r in irows
             if r[ih.index("institution")] == "all"]
    if not total and len(irows) == 1:
        total = [irows[0][ih.index("victims")]]
    if len(total) != 1 or not total[0].isdigit() or \
            int(total[0]) < int(adult[0]):
        return ""
    return str(int(total[0]) - int(adult[0]))


def check_children(p, kuska, conf, cache, bad, region=None):
    """The page's sentences of how many victims were children against
    kuska query breakdown: the under-18 age groups summed, or with one of
    them withheld the total less 18+ (derived_children), or none said
    when that too is withheld. Returns how many were checked."""
    for attrs, text in p.children:
        period = attrs["data-children"]
        answer = query(kuska, conf, "breakdown", period, cache, region)
        if answer is None:
            bad.append("children of %s: no breakdown" % period)
            continue
        header, rows = answer
        cells = [r[header.index("victims")] for r in rows
                 if r[header.index("dimension")] == "age_group" and
                 r[header.index("value")] in CHILD_GROUPS]
        if any(not c.isdigit() for c in cells):
            want = derived_children(kuska, conf, cache, period, region,
                                    header, rows)
        else:
            want = str(sum(int(c) for c in cells))
        shown = attrs.get("data-v")
        digits = re.sub(r"(?<=[0-9])[,\u00a0](?=[0-9]{3})", "", text)
        if shown != want:
            bad.append("children of %s: the page says %r, the breakdown "
                       "%r" % (period, shown, want))
        elif want and not re.search(r"(?<![0-9])%s(?![0-9])" % want,
                                    digits):
            bad.append("children of %s: %r does not say %s" %
                       (period, text, want))
    # A region's report of the secretariat has none: it gets no
    # breakdown by region (test_report_region checks the sentence that
    # says so).
    if not p.children and region is None:
        bad.append("no sentence says how many victims were children")
    return len(p.children)


def check_years(path, kuska, conf, region, k):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    fig = re.search(r'<figure id="f-trend">.*?</figure>', text, re.S)
    if 'id="trend-years"' not in text or fig is None:
        return fail(["no trend of whole years (figure f-trend, notice "
                     "trend-years)"])
    fig = fig.group(0)
    heads = re.findall(r'<th scope="col">([^<]*)</th>', fig)[1:]
    bad, cache, checked, numbers = [], {}, 0, 0
    if not heads or any(not re.fullmatch(r"[0-9]{4}", h) for h in heads):
        bad.append("columns not whole years: %s" % heads)
    rows = re.findall(r'<tr><th scope="row">.*?</tr>', fig, re.S)
    want_rows = None
    for tr in rows:
        tds = re.findall(r'<td class="([^"]*)"( data-q="[^"]*")?'
                         r'(?: data-v="([^"]*)")?>([^<]*)</td>', tr)
        if len(tds) != len(heads):
            bad.append("%d cells under %d years: %s" %
                       (len(tds), len(heads), tr[:80]))
            continue
        for year, (cls, q, v, shown) in zip(heads, tds):
            words = q[len(' data-q="'):-1].split(" ")
            if len(words) != 5 or words[0] != "indicators" or \
                    words[1] != year or words[3] != "value" or \
                    words[4] != region:
                bad.append("under %s: %r" % (year, q))
                continue
            answer = query(kuska, conf, "indicators", year, cache, region)
            if answer is None:
                bad.append("no answer for " + q)
                continue
            header, arows = answer
            want_rows = len([r for r in arows
                             if r[header.index("key")] == "yes"])
            row = arows[int(words[2])]
            want = row[header.index("value")]
            got = v if v or not re.search(r"[0-9]", shown) else shown
            if got == DASH:
                got = ""
            if got != want:
                bad.append("%s: the page shows %r, kuska query %r" %
                           (q, got, want))
            # A withheld value and no value both compare as "": the
            # cell's class tells them apart, as the answer's status.
            if (row[header.index("status")] == "suppressed") != \
                    (cls == "sup"):
                bad.append("%s: the page's cell is %r, kuska query's "
                           "status %r" % (q, cls,
                                          row[header.index("status")]))
            if row[header.index("unit")] == "count" and \
                    re.fullmatch(r"[0-9]+", got) and 0 < int(got) < k:
                bad.append("%s: a count of %s" % (q, got))
            numbers += bool(re.search(r"[0-9]", got))
            checked += 1
    if want_rows is not None and len(rows) != want_rows:
        bad.append("%d rows, %d key indicators" % (len(rows), want_rows))
    if numbers == 0:
        bad.append("no number in the trend")
    if bad:
        return fail(bad)
    print("  %d cells of %s equal kuska query indicators --region %s; "
          "%d numbers" % (checked, " ".join(heads), region, numbers))
    return 0


def check_small(dom, k):
    p = page(dom)
    bad, hidden, marks = [], 0, set()
    lt = "<%d" % k
    for attrs, text in p.cells:
        q = attrs.get("data-q")
        if q is None or q.split(" ")[3] not in COUNT_COLUMNS:
            continue
        if text == lt:
            bad.append("%s: shown as %s" % (q, lt))
        elif attrs.get("data-v") == lt:
            hidden += 1
            # sdg16_2_2's counts by sex and age group are withheld
            # whatever their size, and say so in a word.
            if q.split(" ")[0] != "sdg16_2_2":
                marks.add(text)
            if re.search(r"[0-9]", text):
                bad.append("%s: withheld, shown as %r" % (q, text))
        elif re.fullmatch(r"[0-9]+", text) and 0 < int(text) < k:
            bad.append("%s: %s" % (q, text))
    for v in p.chart_values:
        if lt in v:
            bad.append("chart value %r" % v)
        for n in re.findall(r"(?<![<0-9.])[0-9]+(?![0-9.%])", v):
            if 0 < int(n) < k:
                bad.append("chart value %r" % v)
    if hidden == 0:
        bad.append("no withheld count (data-v %s)" % lt)
    if len(marks) > 1:
        bad.append("withheld counts read differently: %s" % sorted(marks))
    if bad:
        return fail(bad)
    print("  no count from 1 to %d; %d withheld, shown as %s" %
          (k - 1, hidden, " ".join(sorted(marks))))
    return 0


class Figures(HTMLParser):
    """Per <figure>, its bar charts' bars and its table's rows: ["bars",
    [(label, value)...]] for an <svg> of labelled values (no UpSet: no
    dots), ["rows", [[(attrs, text)...]...]] for a <tbody>."""

    def __init__(self):
        super().__init__()
        self.figures = []   # [id, [block...]]
        self._in = False    # inside a <figure>
        self._text = None   # [class, text] of an svg <text>
        self._tspan = 0
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self.figures.append([a.get("id", ""), []])
            self._in = True
        elif not self._in:
            return
        elif tag == "svg":
            self.figures[-1][1].append(["bars", [], False])
        elif tag == "circle" and self.figures[-1][1]:
            self.figures[-1][1][-1][2] = True
        elif tag == "text":
            self._text = [(a.get("class") or "").split(), ""]
        elif tag == "tspan":
            self._tspan += 1
        elif tag == "tbody":
            self.figures[-1][1].append(["rows", []])
        elif tag == "tr" and self.figures[-1][1] and \
                self.figures[-1][1][-1][0] == "rows":
            self.figures[-1][1][-1][1].append([])
        elif tag == "td":
            self._cell = [a, ""]

    def handle_endtag(self, tag):
        if tag == "figure":
            self._in = False
        elif tag == "text" and self._text is not None:
            cls, t = self._text
            bars = self.figures[-1][1][-1][1]
            if "lbl" in cls:
                bars.append([norm(t), None])
            elif "v" in cls and bars and bars[-1][1] is None:
                bars[-1][1] = norm(t)
            self._text = None
        elif tag == "tspan":
            self._tspan -= 1
        elif tag == "td" and self._cell is not None:
            rows = self.figures[-1][1][-1][1]
            if rows:
                rows[-1].append((self._cell[0], norm(self._cell[1])))
            self._cell = None

    def handle_data(self, data):
        if self._text is not None and self._tspan == 0:
            self._text[1] += data
        if self._cell is not None:
            self._cell[1] += data


def check_marks(path, least):
    f = Figures()
    with open(path, encoding="utf-8") as fh:
        f.feed(fh.read())
    bad, paired, on_withheld = [], 0, 0
    for fid, blocks in f.figures:
        bars = [b[1] for b in blocks if b[0] == "bars" and not b[2] and b[1]]
        rows = [b[1] for b in blocks if b[0] == "rows"]
        if len(bars) != 1 or len(rows) != 1:
            continue
        bars, rows = bars[0], rows[0]
        if len(bars) not in (len(rows), len(rows) + 1) or \
                (len(bars) > len(rows) and fid != "f-sdg"):
            continue
        for (label, value), row in zip(bars, rows):
            paired += 1
            marks = {t for a, t in row
                     if (a.get("data-v") or "").startswith("<")}
            on_withheld += bool(marks)
            for part in (value or "").split(" / "):
                if part == DASH and marks:
                    bad.append("%s: the bar %r reads %s, its row %s" %
                               (fid, label, DASH, " ".join(sorted(marks))))
                elif part and not re.match(r"[0-9" + DASH + "]", part) \
                        and part not in marks:
                    bad.append("%s: the bar %r reads %r, its row %s" %
                               (fid, label, part,
                                " ".join(sorted(marks)) or "no mark"))
    if paired == 0:
        bad.append("no bar paired with a row of its table")
    if on_withheld < least:
        bad.append("%d bars on a withheld count, not %d or more" %
                   (on_withheld, least))
    if bad:
        return fail(bad)
    print("  %d bars beside their rows, %d on a withheld count, each "
          "reading its mark" % (paired, on_withheld))
    return 0


def check_pages(pdf):
    r = subprocess.run(["pdftotext", "-bbox", pdf, "-"],
                       capture_output=True, text=True, timeout=60)
    sheets = re.findall(r'<page width="[0-9.]+" height="([0-9.]+)">(.*?)</page>',
                        r.stdout, re.S)
    if r.returncode != 0 or len(sheets) < 2:
        return fail(["pdftotext found %d pages in %s: %s" %
                     (len(sheets), pdf, r.stderr.strip())])
    bad, fills = [], []
    for n, (height, body) in enumerate(sheets, 1):
        low = max([float(y) for y in re.findall(r'yMax="([0-9.]+)"', body)],
                  default=0.0)
        fills.append(round(100 * low / float(height)))
        if n < len(sheets) and low < float(height) / 2:
            bad.append("page %d of %d is filled only %d%% down" %
                       (n, len(sheets), fills[-1]))
    if bad:
        return fail(bad)
    print("  %d pages, filled %s%% down" %
          (len(sheets), ", ".join(str(f) for f in fills)))
    return 0


SHORT_ROWS = 8  # html.c: a table of this many rows or fewer goes whole
MIN_SIDE = 3    # html.c: a table parted keeps this many rows at each end


def norm(s):
    return " ".join(s.replace("\u00a0", " ").split())


class Blocks(HTMLParser):
    """The page's section headings, figure titles, the first text of
    each chart and the tables (caption and each row's first cell), in
    the page's order: ["h2", text], ["fig", text], ["svg", text],
    ["table", caption, [row...]]."""

    def __init__(self):
        super().__init__()
        self.blocks = []
        self._text = None     # [tag, text] of an h2, figcaption, caption
        self._row = None      # the cells of a row
        self._cell = None
        self._svg = 0
        self._svg_text = None

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self._svg += 1
            self.blocks.append(["svg", ""])
        elif self._svg:
            if tag == "text" and self.blocks[-1][0] == "svg" and \
                    not self.blocks[-1][1]:
                self._svg_text = ""
        elif tag in ("h2", "figcaption", "caption"):
            self._text = [tag, ""]
        elif tag == "table":
            self.blocks.append(["table", "", []])
        elif tag == "tr" and self.blocks and self.blocks[-1][0] == "table":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1
        elif tag == "text" and self._svg_text is not None:
            self.blocks[-1][1] = norm(self._svg_text)
            self._svg_text = None
        elif self._text is not None and tag == self._text[0]:
            t = norm(self._text[1])
            if tag == "caption":
                self.blocks[-1][1] = t
            else:
                self.blocks.append(["h2" if tag == "h2" else "fig", t])
            self._text = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(norm(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.blocks[-1][2].append(next((c for c in self._row if c), ""))
            self._row = None
        elif tag == "thead" and self.blocks[-1][2]:
            self.blocks[-1][2].pop()  # the head's row is no body row

    def handle_data(self, data):
        if self._svg_text is not None:
            self._svg_text += data
        if self._svg:
            return
        if self._text is not None:
            self._text[1] += data
        if self._cell is not None:
            self._cell += data


def check_breaks(pdf, path):
    blocks = Blocks()
    with open(path, encoding="utf-8") as f:
        blocks.feed(f.read())
    r = subprocess.run(["pdftotext", "-raw", pdf, "-"],
                       capture_output=True, text=True, timeout=60)
    text, starts = "", []
    for sheet in r.stdout.split("\f"):
        starts.append(len(text))
        text += norm(sheet) + " "
    at, missed, bad, checked = 0, [], [], 0

    def find(needle):
        """The sheet of needle's next occurrence, or None."""
        nonlocal at
        i = text.find(needle, at) if needle else -1
        if i < 0:
            missed.append(needle)
            return None
        at = i + len(needle)
        return max(n for n, s in enumerate(starts) if s <= i) + 1

    lead = None  # (text, sheet) of a heading or title waiting for more
    for b in blocks.blocks:
        if b[0] == "svg" and not b[1]:
            continue
        if b[0] == "table":
            caption = find(b[1]) if b[1] else None
            rows = [find(row) for row in b[2]]
            sheet = rows[0] if rows else caption
            if None not in (caption, sheet) and rows:
                checked += 1
                if caption != sheet:
                    bad.append("the caption \"%s\" ends sheet %d, its "
                               "table's rows begin on sheet %d" %
                               (b[1], caption, sheet))
            if 0 < len(rows) <= SHORT_ROWS and None not in rows:
                checked += 1
                if rows[0] != rows[-1]:
                    bad.append("a table of %d rows (%s) is parted between "
                               "sheets %d and %d" %
                               (len(rows), b[1], rows[0], rows[-1]))
            if len(rows) > SHORT_ROWS and None not in rows:
                checked += 1
                first, last = rows.count(rows[0]), rows.count(rows[-1])
                if rows[0] != rows[-1] and min(first, last) < MIN_SIDE:
                    bad.append("a table of %d rows (%s) is parted %s "
                               "between sheets %d and %d" %
                               (len(rows), b[1],
                                "+".join(str(rows.count(n))
                                         for n in sorted(set(rows))),
                                rows[0], rows[-1]))
        else:
            sheet = find(b[1])
        if lead is not None and None not in (lead[1], sheet):
            checked += 1
            if lead[1] != sheet:
                bad.append("\"%s\" ends sheet %d, what follows it begins "
                           "sheet %d" % (lead[0], lead[1], sheet))
        lead = (b[1], sheet) if b[0] in ("h2", "fig") else None
    if missed:
        bad.append("not found in the PDF's text: " +
                   " | ".join(m[:40] for m in missed[:5]))
    if checked < 20:
        bad.append("only %d breaks checked" % checked)
    if bad:
        return fail(bad)
    print("  %d breaks checked" % checked)
    return 0


class Footers(HTMLParser):
    """Each <footer>'s heading and the text of its last element with
    words: [heading, last]."""

    def __init__(self):
        super().__init__()
        self.footers = []
        self._in = False
        self._h2 = None
        self._texts = []

    def handle_starttag(self, tag, attrs):
        if tag == "footer":
            self._in, self._texts = True, []
            self.footers.append(["", ""])
        elif tag == "h2" and self._in:
            self._h2 = ""

    def handle_endtag(self, tag):
        if tag == "h2" and self._h2 is not None:
            self.footers[-1][0] = norm(self._h2)
            self._h2 = None
        elif tag == "footer" and self._in:
            words = [t for t in self._texts if len(t.split()) >= 3]
            self.footers[-1][1] = " ".join(words[-1].split()[:6]) \
                if words else ""
            self._in = False

    def handle_data(self, data):
        if self._h2 is not None:
            self._h2 += data
        if self._in and norm(data):
            self._texts.append(norm(data))


def sheets_text(pdf):
    """The PDF's text (pdftotext -raw, spaces normalised), sheet after
    sheet, and where each sheet begins in it."""
    r = subprocess.run(["pdftotext", "-raw", pdf, "-"],
                       capture_output=True, text=True, timeout=60)
    text, starts = "", []
    for sheet in r.stdout.split("\f"):
        starts.append(len(text))
        text += norm(sheet) + " "
    return text, starts


def check_whole(pdf, path):
    parser = Footers()
    with open(path, encoding="utf-8") as f:
        parser.feed(f.read())
    text, starts = sheets_text(pdf)
    at, bad, checked = 0, [], 0

    def sheet_of(i):
        return max(n for n, s in enumerate(starts) if s <= i) + 1

    for head, last in parser.footers:
        i = text.find(head, at) if head else -1
        j = text.find(last, i) if last and i >= 0 else -1
        if i < 0 or j < 0:
            bad.append("not found in the PDF's text: %s | %s" %
                       (head[:40], last[:40]))
            break
        at = j + len(last)
        checked += 1
        if sheet_of(i) != sheet_of(j):
            bad.append("\"%s\" is parted: it begins on sheet %d, its "
                       "last line (%s) is on sheet %d" %
                       (head, sheet_of(i), last, sheet_of(j)))
    if checked == 0 and not bad:
        bad.append("no footer in %s" % path)
    if bad:
        return fail(bad)
    print("  %d footer%s on one sheet" % (checked, "" if checked == 1
                                            else "s each"))
    return 0


def style_without(page_text, rule):
    """PAGE_TEXT's <style> element, without RULE when one is given;
    None (said) when the style has no such rule."""
    style = re.search(r"<style>.*?</style>", page_text, re.S).group(0)
    if rule is None:
        return style
    if rule not in style:
        print("  no rule %s in the style" % rule)
        return None
    return style.replace(rule, "")


def footers(path, out, rule=None):
    with open(path, encoding="utf-8") as f:
        page_text = f.read()
    style = style_without(page_text, rule)
    if style is None:
        return 1
    footer = re.search(r"<footer.*?</footer>", page_text, re.S).group(0)
    body = []
    for i in range(1, 41):
        # Every other section its heading and one paragraph, as a
        # section left with a note in place of its table.
        body.append("<section><h2>Section %d</h2>%s<p>%s</p></section>" %
                    (i, "<p>What it is about.</p>" if i % 2 else "",
                     "Some words of it. " * (i * 37 % 60 * 7)))
        body.append(re.sub(r"</h2>", " (%d)</h2>" % i, footer, count=1))
    with open(out, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\">"
                "%s<body><div class=\"page\"><main>%s</main></div>" %
                (style, "\n".join(body)))
    return 0


def sections(path, out, rule=None):
    with open(path, encoding="utf-8") as f:
        style = style_without(f.read(), rule)
    if style is None:
        return 1
    body = []
    for i in range(1, 41):
        rows = "".join("<tr><th scope=\"row\">Row %d.%d</th><td>%d</td></tr>"
                       % (i, j, j) for j in range(1, 6))
        table = ("<div class=\"tw\"><table><caption>Table %d</caption>"
                 "<thead><tr><th>Row</th><th>N</th></tr></thead><tbody>%s"
                 "</tbody></table></div>" % (i, rows))
        chart = ("<svg class=\"chart\" viewBox=\"0 0 600 %d\" "
                 "width=\"600\" height=\"%d\"><text x=\"10\" y=\"20\">"
                 "Chart %d</text></svg>" % (150 + i * 3, 150 + i * 3, i))
        figure = ("<figure><figcaption><span class=\"num\">Figure %d."
                  "</span> Its title</figcaption><p class=\"how\">How to "
                  "read figure %d, %s.</p><div class=\"fig-body under\">"
                  "<div class=\"cw\">%s</div><div>%s</div></div></figure>" %
                  (i, i, "and how " * 20, chart,
                   table.replace("Table", "Figure")))
        body.append("<section><h2>Section %d</h2><p>What section %d is "
                    "about, %s.</p>%s<p>%s</p>%s<p>%s</p></section>" %
                    (i, i, "and more " * 20, table,
                     "More words. " * (i * 5 % 13 * 14), figure,
                     "Still more. " * (i * 3 % 7 * 14)))
    with open(out, "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\">"
                "%s<body><div class=\"page\"><main>%s</main></div>" %
                (style, "\n".join(body)))
    return 0


PROBE = """<script>
var out = [];
document.querySelectorAll(".tw").forEach(function (e) {
  if (e.scrollWidth > e.clientWidth + 1) {
    var f = e.closest("figure");
    out.push((f ? f.id : "?") + ": " + e.scrollWidth + " px wide in " +
             e.clientWidth);
  }
});
var p = document.createElement("pre");
p.id = "fit-probe";
p.textContent = "FIT" + "[" + out.join(" | ") + "]";
document.body.appendChild(p);
</script>
"""


INFINITE_PROBE = """<script>
var out = [];
var inf = null;
document.querySelectorAll("td").forEach(function (td) {
  if (td.textContent === "\u221e") inf = td;
});
if (!inf) {
  out.push("no \u221e cell");
} else {
  var num = null;
  inf.parentNode.querySelectorAll("td").forEach(function (td) {
    if (!num && /^[0-9]/.test(td.textContent)) num = td;
  });
  if (!num) out.push("no number beside the \u221e cell");
  else ["textAlign", "color", "fontStyle"].forEach(function (p) {
    var a = getComputedStyle(inf)[p], b = getComputedStyle(num)[p];
    if (a !== b) out.push("\u221e cell " + p + " " + a + ", a number's " + b);
  });
  var svg = inf.closest("figure").querySelector("svg");
  var arrow = svg && svg.querySelector(".arrow");
  var ticks = svg ? svg.querySelectorAll(".tick") : [];
  if (!arrow || !ticks.length) {
    out.push("no arrow or no tick in the chart");
  } else {
    var end = parseFloat(ticks[ticks.length - 1].getAttribute("x"));
    var box = arrow.getBBox(), reach = 0;
    svg.querySelectorAll("line.whisker").forEach(function (l) {
      reach = Math.max(reach, parseFloat(l.getAttribute("x2")));
    });
    if (reach < end) out.push("the whisker stops at " + reach + ", the scale at " + end);
    if (box.x + box.width <= end) out.push("the arrow ends at " + (box.x + box.width) + ", the scale at " + end);
    var fill = getComputedStyle(arrow).fill;
    var ink = getComputedStyle(svg.querySelector("line.whisker")).stroke;
    if (fill !== ink) out.push("the arrow is " + fill + ", the whisker " + ink);
  }
}
var p = document.createElement("pre");
p.id = "infinite-probe";
p.textContent = "INF" + "[" + out.join(" | ") + "]";
document.body.appendChild(p);
</script>
"""


def check_unbounded(dom):
    with open(dom, encoding="utf-8") as f:
        m = re.findall(r"INF\[([^]]*)\]", f.read())
    if not m:
        return fail(["the probe did not run"])
    if m[-1]:
        return fail(m[-1].split(" | "))
    print("  the \u221e reads as a number, its whisker goes on past the scale")
    return 0


def probe(path, out, script=PROBE):
    with open(path, encoding="utf-8") as f:
        s = f.read()
    s, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                   s)
    if n != 1:
        print("  no Content-Security-Policy to take out")
        return 1
    with open(out, "w", encoding="utf-8") as f:
        f.write(s + script)
    return 0


def check_fit(dom):
    with open(dom, encoding="utf-8") as f:
        m = re.findall(r"FIT\[([^]]*)\]", f.read())
    if not m:
        return fail(["the probe did not run"])
    if m[-1]:
        return fail(["scrolls sideways: " + w for w in m[-1].split(" | ")])
    print("  no table scrolls sideways")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "net":
        return check_net(argv[2])
    if len(argv) == 3 and argv[1] == "console":
        return check_console(argv[2])
    if len(argv) in (5, 6) and argv[1] == "numbers":
        return check_numbers(*argv[2:])
    if len(argv) == 7 and argv[1] == "years":
        return check_years(*argv[2:6], int(argv[6]))
    if len(argv) == 4 and argv[1] == "small":
        return check_small(argv[2], int(argv[3]))
    if len(argv) == 4 and argv[1] == "marks":
        return check_marks(argv[2], int(argv[3]))
    if len(argv) == 3 and argv[1] == "pages":
        return check_pages(argv[2])
    if len(argv) == 4 and argv[1] == "breaks":
        return check_breaks(argv[2], argv[3])
    if len(argv) in (4, 5) and argv[1] == "sections":
        return sections(*argv[2:])
    if len(argv) == 4 and argv[1] == "whole":
        return check_whole(argv[2], argv[3])
    if len(argv) in (4, 5) and argv[1] == "footers":
        return footers(*argv[2:])
    if len(argv) == 4 and argv[1] == "probe":
        return probe(argv[2], argv[3])
    if len(argv) == 3 and argv[1] == "fit":
        return check_fit(argv[2])
    if len(argv) == 4 and argv[1] == "infinite":
        return probe(argv[2], argv[3], INFINITE_PROBE)
    if len(argv) == 3 and argv[1] == "unbounded":
        return check_unbounded(argv[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
