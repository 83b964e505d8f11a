#!/usr/bin/env python3
"""The disclosure attack of issue 9, for tests/e2e/test_disclosure_attack.sh.

  disclosure_attack.py --secretariat SEC_DIR --analyst AN_DIR --years 2024,2025
                       [--k 10] [--one-year] [--same-region]

SEC_DIR holds every table the secretariat was given, AN_DIR the analyst's
exact tables of the same requests, as TABLE.PERIOD.REGION.csv (REGION "all"
or 01..25). Written from EVENTS.md alone, not from kuska's code: every count
cell becomes a term, every relation a reader knows between them (listed
below, and in docs/DISCLOSURE.md) a linear constraint, and each hidden cell
an integer unknown. The reader is modelled strongly: it knows each shown
count exactly (and the counts a shown share may be rounded from), that a
hidden count is not 0, and even which hidden counts are below k (1..k-1)
and which are not (k or more).

For each hidden cell the attack looks for whole-number assignments of all
the unknowns that meet every relation and put the cell two above or below
its true value (SciPy's HiGHS, pushing many cells at once); a cell it
cannot move that far gets the least and greatest values it can take, by
linear and then integer programming. The attack succeeds on a cell whose
range spans fewer than three values: exit 1, with the cells named. The
analyst's figures must meet every relation (otherwise a relation written
here is wrong: exit 1 too).

As a check that the attack has teeth, the same relations are first solved
against tables with primary suppression only (1..k-1 hidden, nothing else):
the linear programme alone must recover some of those cells.

Relations (per calendar year; "parts" of the year are its semesters, of a
semester its quarters, of the country its regions, for the year):
  - counts placed once (referrals sent, taken up, pending; case stages and
    persons; the funnel): the whole is the sum of its parts;
  - distinct victims (identification, protection): the whole is at least
    each part and at most their sum; identification splits into linkable
    victims (distinct) and unlinkable ones (one record each: additive), an
    unknown number per institution and level; the victims of an institution
    seen in two parts are among the victims seen in two parts;
  - identification: the total is at least each institution and at most their
    sum; the overlap rows add up to the total, an institution's linkable
    victims are the rows that contain it, the unlinkable row is the sum of
    the institutions' unlinkable victims; across parts, victims whose set
    lies within S are at most those within S in the parts (and at least
    that less the victims seen in both parts), victims whose set contains S
    at least those in each part;
  - breakdown: sex, age group, nationality and region each add up to the
    total; exploitation rows add up to at least the total, each at most the
    total; a region's row is at most that region's victims in the year; a
    victim keeps the attributes of the earlier part: B(earlier part) <=
    B(whole) <= B(both parts), B(whole) >= sum - seen in both parts,
    B(whole) - B(earlier part) <= victims(whole) - victims(earlier part);
  - referrals: sent = taken up + pending; take-ups matching no referral
    record (referrals_unmatched) are placed once (additive);
  - cases: the funnel's complaint row is the prosecution's complaint cases;
    each stage of the main line is reached by no more cases than the one
    before it; acquittals and dismissals are at most the complaints; cases
    no complaint names (cases_unmatched) are placed once (additive) and,
    all institutions together, are at most the prosecution's cases at the
    stages after the complaint, the rows of a set S of institutions at
    most the cases at the stages after the complaint some institution of
    S may record (DESIGN.md's grants);
  - timeliness: records are placed once (additive), and the `all` row is
    the sum of the institutions'; so are the records accepted within 30
    days and the rest (records = within + late), which the share within
    30 days, one decimal, bounds: to the whole counts that print as it,
    one up to 1,000 records, an interval above (read_dir).
  - records against what they record: for every set S of institutions,
    S's timeliness records are at least the victims S identified, the
    referrals S sent, the take-ups by S matching no referral, the cases
    at the stages only S may record and the protection counts if only S
    may record services (DESIGN.md's grants). This ties a year's tables
    into one model.
Across years (the whole country by year; sums over every year holding a
record, which is every year asked: the test checks the years around them
are empty), which tie the years into one model (across_years):
  - the funnels' cases at a stage, over the years, are at most the
    prosecution's cases at that stage and the later ones of the main line
    (for acquittal and dismissal, at that stage), over the years: a case
    has reached a stage "by now" with an event dated in some year;
    and so are each region's funnels, where they were asked (placed at
    the complaint's region, where the stages' events, each in its own
    region, may not be: the whole country's prosecution; with
    --same-region, the reader takes a case's events to lie in its
    complaint's region, as kuska sim's do and EVENTS.md does not say, and
    bounds them by the region's own; the secretariat is not given the
    funnel by region, so that reader learns nothing more from it);
  - the funnels' cases at a stage after the complaint, over the years,
    are at least the prosecution's cases at that stage, over the years,
    less the cases no complaint names (cases_unmatched, over the years):
    a case at a stage has reached it in its complaint's funnel, or has no
    complaint and counts once in cases_unmatched (the whole country);
  - sources (events accepted per institution, of all time, SEC_DIR's and
    AN_DIR's sources.PERIOD.all.csv) are at least the institution's
    timeliness records over the years;
  - the records of a set S over the years are at least what the records
    relation counts over the years plus the referrals S took up (a take-up
    record of the destination, dated in some year).
"""
import argparse
import csv
import itertools
import math
import os
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, vstack

COUNTS = ("victims", "sent", "taken_up", "pending", "cases", "persons",
          "records", "takeups_unmatched")
# Counts no table prints but a share gives away (timeliness): a value,
# None, or (least, greatest) where the share is rounded.
DERIVED = ("within", "late")
SUFFIX = ["", "H1", "H2", "Q1", "Q2", "Q3", "Q4"]
KIDS = {0: (1, 2), 1: (3, 4), 2: (5, 6)}
INSTS = ["pnp", "mp", "pj", "mimp", "minsa"]
MAIN = ["complaint", "preliminary_investigation", "formalized_investigation",
        "accusation", "trial", "conviction"]
OTHER = ["acquittal", "dismissal"]
REGIONS = 25
EQ, LE, GE = "=", "<=", ">="


def read_dir(path, year):
    """{(table, period index, region, row label, column): value or None}."""
    out = {}
    for name in os.listdir(path):
        if not name.endswith(".csv"):
            continue
        table, period, region = name[:-4].split(".")
        if not period.startswith(year):
            continue
        p = SUFFIX.index(period[4:])
        r = 0 if region == "all" else int(region)
        with open(os.path.join(path, name), encoding="utf-8",
                  newline="") as f:
            rows = list(csv.reader(f))
        if not rows:
            continue
        head = rows[0]
        first = min([i for i, c in enumerate(head) if c in COUNTS] or [0])
        for row in rows[1:]:
            label = "|".join(row[1:first])
            for i, c in enumerate(head):
                if c not in COUNTS:
                    continue
                v = row[i]
                out[(table, p, r, label, c)] = int(v) if v.isdigit() else None
            if table == "timeliness":
                # The share within 30 days; no share, no records (0 and
                # 0), or one withheld (unknown).
                n = out[(table, p, r, label, "records")]
                pct = row[head.index("within_30_days_pct")]
                within = late = None
                if pct and n:
                    within = share_counts(pct, n)
                    late = (n - within[1], n - within[0])
                    if within[0] == within[1]:
                        within, late = within[0], late[0]
                elif n == 0:
                    within = late = 0
                out[(table, p, r, label, "within")] = within
                out[(table, p, r, label, "late")] = late
    return out


def share_counts(pct, n):
    """The records within 30 days that a share printed as pct ("%.1f" of
    100 * within / n, as the consolidator prints it) allows, out of n:
    (least, greatest). One value up to 1,000 records, where shares a
    record apart differ by 0.1 or more; above, several may print alike
    (of 2,000 records, 1 and 2 both print "0.1"). None
    at all only if pct is no share of n: then, said, every count from 0
    to n (an empty set would make the reader's problem infeasible)."""
    guess = int(float(pct) * n / 100)
    fits = [w for w in range(max(0, guess - n // 500 - 2),
                             min(n, guess + n // 500 + 2) + 1)
            if "%.1f" % (100.0 * w / n) == pct]
    if not fits:
        print("timeliness: a share of %s no count of %d records gives"
              % (pct, n))
        return (0, n)
    return (min(fits), max(fits))


class Model:
    """Terms (cells, latents), relations, and the reader's problem."""

    def __init__(self, truth):
        self.truth = truth          # cell key -> exact value
        self.index = {}             # cell key -> term
        self.kind = []              # "cell" or "latent"
        self.key = []
        for key in sorted(truth):
            self.index[key] = len(self.kind)
            self.kind.append("cell")
            self.key.append(key)
        self.rels = []              # (dict term -> coef, op, rhs)
        self.u = {}

    def latent(self, name):
        self.kind.append("latent")
        self.key.append(name)
        return len(self.kind) - 1

    def cell(self, table, p, r, label, col):
        return self.index.get((table, p, r, label, col))

    def rel(self, terms, op, rhs=0):
        e = {}
        for t, c in terms:
            if t is None or c == 0:
                continue
            e[t] = e.get(t, 0) + c
        e = {t: c for t, c in e.items() if c}
        if e:
            self.rels.append((e, op, rhs))

    def labels(self, table):
        return sorted({k[3] for k in self.truth if k[0] == table})


def national_levels():
    return [(p, 0) for p in range(7)]


def all_levels():
    return national_levels() + [(0, r) for r in range(1, REGIONS + 1)]


def families(regional):
    """(whole, [parts]) for each period family, and the regions."""
    out = [((p, 0), [(k, 0) for k in KIDS[p]]) for p in KIDS]
    if regional:
        out.append(((0, 0), [(0, r) for r in range(1, REGIONS + 1)]))
    return out


def additive(m, table, label, col, regional=True):
    for whole, parts in families(regional):
        m.rel([(m.cell(table, *whole, label, col), 1)]
              + [(m.cell(table, *l, label, col), -1) for l in parts], EQ)


def distinct(m, table, label, col, regional=True):
    for whole, parts in families(regional):
        w = m.cell(table, *whole, label, col)
        for l in parts:
            m.rel([(w, 1), (m.cell(table, *l, label, col), -1)], GE)
        m.rel([(w, 1)] + [(m.cell(table, *l, label, col), -1)
                          for l in parts], LE)


# --- victims: identification, overlap, breakdown ------------------------------

def ident(m, l, who):
    return m.cell("identification", l[0], l[1], who, "victims")


def linkable(m, l, who, coef):
    """coef times the linkable victims of who ("all" or an institution)."""
    out = [(ident(m, l, who), coef)]
    for i in INSTS:
        if who in ("all", i):
            out.append((m.u[(l, i)], -coef))
    return out


def members(label):
    return set() if label == "unlinkable" else set(label.split("+"))


def victims(m):
    for l in all_levels():
        for i in INSTS:
            m.u[(l, i)] = m.latent(("unlinkable", l, i))
    for l in all_levels():
        for i in INSTS:
            m.rel(linkable(m, l, i, 1), GE)
            m.rel(linkable(m, l, "all", 1) + linkable(m, l, i, -1), GE)
        m.rel([(ident(m, l, "all"), 1)]
              + [(ident(m, l, i), -1) for i in INSTS], LE)
    for whole, parts in families(True):
        for i in INSTS:
            m.rel([(m.u[(whole, i)], 1)] + [(m.u[(l, i)], -1)
                                            for l in parts], EQ)
        for who in INSTS + ["all"]:
            for l in parts:
                m.rel(linkable(m, whole, who, 1) + linkable(m, l, who, -1),
                      GE)
            m.rel(linkable(m, whole, who, 1)
                  + sum((linkable(m, l, who, -1) for l in parts), []), LE)
            if who == "all":
                continue
            m.rel(linkable(m, whole, who, 1) + linkable(m, whole, "all", -1)
                  + sum((linkable(m, l, who, -1) + linkable(m, l, "all", 1)
                         for l in parts), []), GE)
    rows = {p: [k for k in m.truth
                if k[0] == "overlap" and k[1] == p and k[2] == 0]
            for p in range(7)}
    present = set()
    for p in rows:
        for k in rows[p]:
            present |= members(k[3])
    for p in range(7):
        l = (p, 0)
        m.rel([(ident(m, l, "all"), 1)]
              + [(m.index[k], -1) for k in rows[p]], EQ)
        m.rel([(m.u[(l, i)], 1) for i in INSTS]
              + [(m.cell("overlap", p, 0, "unlinkable", "victims"), -1)], EQ)
        for i in INSTS:
            m.rel(linkable(m, l, i, 1)
                  + [(m.index[k], -1) for k in rows[p]
                     if i in members(k[3])], EQ)
    pres = [i for i in INSTS if i in present]
    subsets = [set(c for j, c in enumerate(pres) if mask >> j & 1)
               for mask in range(1, 1 << len(pres))]

    def within(p, s, coef):
        return [(m.index[k], coef) for k in rows[p]
                if members(k[3]) and members(k[3]) <= s]

    def containing(p, s, coef):
        return [(m.index[k], coef) for k in rows[p] if members(k[3]) >= s]

    for pp, (a, b) in KIDS.items():
        for s in subsets:
            parts = within(pp, s, 1) + within(a, s, -1) + within(b, s, -1)
            m.rel(parts, LE)
            m.rel(parts + linkable(m, (a, 0), "all", 1)
                  + linkable(m, (b, 0), "all", 1)
                  + linkable(m, (pp, 0), "all", -1), GE)
            m.rel(containing(pp, s, 1) + containing(a, s, -1), GE)
            m.rel(containing(pp, s, 1) + containing(b, s, -1), GE)
    for p in range(7):
        l = (p, 0)
        bd = [k for k in m.truth
              if k[0] == "breakdown" and k[1] == p and k[2] == 0]
        for dim in ("sex", "age_group", "nationality", "region",
                    "exploitation"):
            m.rel([(ident(m, l, "all"), -1)]
                  + [(m.index[k], 1) for k in bd
                     if k[3].split("|")[0] == dim],
                  GE if dim == "exploitation" else EQ)
        for k in bd:
            dim, value = k[3].split("|")
            if dim == "exploitation":
                m.rel([(m.index[k], 1), (ident(m, l, "all"), -1)], LE)
            elif dim == "region":
                m.rel([(m.index[k], 1),
                       (ident(m, (0, int(value)), "all"), -1)], LE)
    for pp, (a, b) in KIDS.items():
        for label in m.labels("breakdown"):
            tp = m.cell("breakdown", pp, 0, label, "victims")
            ta = m.cell("breakdown", a, 0, label, "victims")
            tb = m.cell("breakdown", b, 0, label, "victims")
            ip, ia, ib = (ident(m, (x, 0), "all") for x in (pp, a, b))
            m.rel([(tp, 1), (ta, -1)], GE)
            m.rel([(tp, 1), (ta, -1), (tb, -1)], LE)
            m.rel([(tp, 1), (ta, -1), (tb, -1), (ia, 1), (ib, 1), (ip, -1)],
                  GE)
            m.rel([(tp, 1), (ta, -1), (ip, -1), (ia, 1)], LE)


def referrals(m):
    for label in m.labels("referrals"):
        for col in ("sent", "taken_up", "pending"):
            additive(m, "referrals", label, col)
        for l in all_levels():
            m.rel([(m.cell("referrals", *l, label, "sent"), 1),
                   (m.cell("referrals", *l, label, "taken_up"), -1),
                   (m.cell("referrals", *l, label, "pending"), -1)], EQ)
    for label in m.labels("referrals_unmatched"):
        additive(m, "referrals_unmatched", label, "takeups_unmatched")


def protection(m):
    for label in m.labels("protection"):
        distinct(m, "protection", label, "victims")


def cases(m):
    for label in m.labels("prosecution"):
        additive(m, "prosecution", label, "cases")
        additive(m, "prosecution", label, "persons")
    # The funnel by region only if it was asked (the secretariat is not
    # given it): a level not asked is no level, not a count of 0.
    for label in m.labels("funnel"):
        additive(m, "funnel", label, "cases", regional(m, "funnel"))
    # Cases no complaint names: placed once, at their earliest event,
    # which the prosecution counts at a stage after the complaint, one
    # its institution may record: the rows of a set S of institutions
    # are at most the cases at the stages after the complaint some
    # institution of S may record (all of them, every row together).
    unnamed = m.labels("cases_unmatched")
    for label in unnamed:
        additive(m, "cases_unmatched", label, "cases")
    for l in levels_of(m, "cases_unmatched"):
        m.rel([(m.cell("prosecution", *l, s, "cases"), 1)
               for s in MAIN[1:] + OTHER]
              + [(m.cell("cases_unmatched", *l, label, "cases"), -1)
                 for label in unnamed], GE)
        for n in range(1, len(INSTS)):
            for s in itertools.combinations(INSTS, n):
                mine = [label for label in unnamed if label in s]
                if not mine:
                    continue
                m.rel([(m.cell("prosecution", *l, st, "cases"), 1)
                       for st in MAIN[1:] + OTHER if STAGE_BY[st] & set(s)]
                      + [(m.cell("cases_unmatched", *l, label, "cases"), -1)
                         for label in mine], GE)
    for l in levels_of(m, "funnel"):
        f = {s: m.cell("funnel", *l, s, "cases") for s in MAIN + OTHER}
        m.rel([(f["complaint"], 1),
               (m.cell("prosecution", *l, "complaint", "cases"), -1)], EQ)
        for before, after in zip(MAIN, MAIN[1:]):
            m.rel([(f[before], 1), (f[after], -1)], GE)
        for s in OTHER:
            m.rel([(f["complaint"], 1), (f[s], -1)], GE)


def regional(m, table):
    """Whether table was asked (and answered) by region."""
    return any(k[0] == table and k[2] != 0 for k in m.truth)


def levels_of(m, table):
    return all_levels() if regional(m, table) else national_levels()


def timeliness(m):
    labels = m.labels("timeliness")
    for label in labels:
        for col in ("records", "within", "late"):
            additive(m, "timeliness", label, col, regional(m, "timeliness"))
    for l in levels_of(m, "timeliness"):
        for col in ("records", "within", "late"):
            m.rel([(m.cell("timeliness", *l, "all", col), 1)]
                  + [(m.cell("timeliness", *l, x, col), -1)
                     for x in labels if x != "all"], EQ)
        for x in labels:
            m.rel([(m.cell("timeliness", *l, x, "records"), 1),
                   (m.cell("timeliness", *l, x, "within"), -1),
                   (m.cell("timeliness", *l, x, "late"), -1)], EQ)


# What each institution may record, as DESIGN.md grants it (the test's
# registry keeps the defaults): the stages of a case, and services.
STAGE_BY = {"complaint": {"pnp", "mp"},
            "preliminary_investigation": {"pnp", "mp"},
            "formalized_investigation": {"mp"}, "accusation": {"mp"},
            "trial": {"pj"}, "conviction": {"pj"}, "acquittal": {"pj"},
            "dismissal": {"mp", "pj"}}
SERVICE_BY = {"mimp", "minsa"}


def records(m):
    """Timeliness records against what they record: each victim an
    institution identified in a period, each referral it sent, each
    take-up of its matching no referral, each case at a stage and each
    victim with a service begun is at least one live record of its own,
    dated in that period and placed in that region. For every set S of
    institutions, S's records are at least all of those S alone may
    have recorded. (Where timeliness is not given, by region to the
    secretariat, there is nothing to compare.)"""
    for l in levels_of(m, "timeliness"):
        for n in range(1, len(INSTS) + 1):
            for s in itertools.combinations(INSTS, n):
                s = set(s)
                terms = [(m.cell("timeliness", *l, i, "records"), 1)
                         for i in s]
                terms += [(m.cell("identification", *l, i, "victims"), -1)
                          for i in s]
                terms += [(m.cell("referrals", *l, label, "sent"), -1)
                          for label in m.labels("referrals")
                          if label.split("|")[0] in s]
                terms += [(m.cell("referrals_unmatched", *l, label,
                                  "takeups_unmatched"), -1)
                          for label in m.labels("referrals_unmatched")
                          if label.split("|")[1] in s]
                terms += [(m.cell("prosecution", *l, stage, "cases"), -1)
                          for stage, by in STAGE_BY.items() if by <= s]
                if SERVICE_BY <= s:
                    terms += [(m.cell("protection", *l, label, "victims"),
                               -1) for label in m.labels("protection")]
                m.rel(terms, GE)


GROUPS = {
    "victims": (("identification", "overlap", "breakdown"), victims),
    "referrals": (("referrals", "referrals_unmatched"), referrals),
    "protection": (("protection",), protection),
    "cases": (("prosecution", "cases_unmatched", "funnel"), cases),
    "timeliness": (("timeliness",), timeliness),
}


# --- the reader's problem -----------------------------------------------------

def between(v):
    """(least, greatest) of a value or an interval."""
    return v if isinstance(v, tuple) else (v, v)


class Reader:
    """Solves the model with the shown cells fixed and the rest unknown."""

    def __init__(self, m, shown, k):
        self.m, self.k = m, k
        self.var = {}               # term -> variable
        self.lo, self.hi, self.true = [], [], []
        for t, kind in enumerate(m.kind):
            s = shown.get(m.key[t]) if kind == "cell" else None
            if isinstance(s, int):
                continue
            self.var[t] = len(self.lo)
            if kind == "latent":
                self.lo.append(0)
                self.hi.append(math.inf)
                self.true.append(None)
            elif s is not None:
                # shown as the counts a rounded share allows: an unknown
                # the reader knows to lie among them, not a hidden one
                self.lo.append(s[0])
                self.hi.append(s[1])
                self.true.append(None)
            else:
                v = m.truth[m.key[t]]
                if m.key[t][4] in DERIVED:
                    # not a published count: a withheld one may be 0;
                    # the analyst's may be an interval too (between)
                    a, b = between(v)
                    self.lo.append(0 if a < k else k)
                    self.hi.append(k - 1 if b < k else math.inf)
                    self.true.append(v)
                    continue
                self.lo.append(1 if v < k else k)
                self.hi.append(k - 1 if v < k else math.inf)
                self.true.append(v)
        self.rows = []              # ({var: coef}, op, rhs)
        self.broken = []
        for e, op, rhs in m.rels:
            row, c = {}, rhs
            for t, coef in e.items():
                if t in self.var:
                    row[self.var[t]] = coef
                else:
                    c -= coef * shown[m.key[t]]
            if row:
                self.rows.append((row, op, c))
            elif not {EQ: 0 == c, LE: 0 <= c, GE: 0 >= c}[op]:
                self.broken.append((e, op, rhs))
        # Blocks: unknowns joined by rows.
        parent = list(range(len(self.lo)))

        def root(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x
        for row, _, _ in self.rows:
            vs = list(row)
            for v in vs[1:]:
                parent[root(v)] = root(vs[0])
        self.block = [root(v) for v in range(len(self.lo))]

    def problem(self, b):
        """The unknowns of block b and its rows, as the solvers take them."""
        vs = [v for v in range(len(self.lo)) if self.block[v] == b]
        col = {v: i for i, v in enumerate(vs)}
        rows = [r for r in self.rows if self.block[next(iter(r[0]))] == b]
        ri, ci, val, lb, ub = [], [], [], [], []
        for i, (row, op, c) in enumerate(rows):
            for v, coef in row.items():
                ri.append(i)
                ci.append(col[v])
                val.append(coef)
            lb.append(c if op in (EQ, GE) else -np.inf)
            ub.append(c if op in (EQ, LE) else np.inf)
        a = coo_matrix((val, (ri, ci)), shape=(len(rows), len(vs))).tocsr()
        lb, ub = np.array(lb, float), np.array(ub, float)
        eq = lb == ub
        up, down = ~eq & np.isfinite(ub), ~eq & np.isfinite(lb)
        a_ub = vstack([a[up], -a[down]]).tocsr()
        b_ub = np.concatenate([ub[up], -lb[down]])
        return {
            "vs": vs, "col": col, "a": a, "lb": lb, "ub": ub,
            "a_ub": a_ub if len(b_ub) else None,
            "b_ub": b_ub if len(b_ub) else None,
            "a_eq": a[eq] if eq.any() else None,
            "b_eq": lb[eq] if eq.any() else None,
            "bounds": [(self.lo[v],
                        None if self.hi[v] == math.inf else self.hi[v])
                       for v in vs],
        }

    def lp(self, prob, j, sign):
        """The least (sign 1) or greatest (sign -1) value of unknown j in
        the relaxation; +-inf when unbounded."""
        c = np.zeros(len(prob["vs"]))
        c[j] = sign
        r = linprog(c, A_ub=prob["a_ub"], b_ub=prob["b_ub"],
                    A_eq=prob["a_eq"], b_eq=prob["b_eq"],
                    bounds=prob["bounds"], method="highs")
        if r.status == 3:
            return -sign * math.inf
        if r.status != 0:
            raise RuntimeError("linprog: " + r.message)
        return sign * r.fun

    def ilp(self, prob, j, sign, presolve=True):
        """The same over whole numbers (the optimum is finite here).
        presolve False: without HiGHS's presolve, which in SciPy 1.10's
        gave some optima short of the true one (attack57: on kuska sim
        --victims 500 --seed 3 at k = 4, a cell of 1 whose whole-number
        least was said to be 3, another's greatest 1 where 3 was
        reached), so that a range read narrower than it is, and called
        feasible problems infeasible (--victims 120 --seed 2: the
        analyst's own 2024 figures "break a relation"): a failure is
        tried again without it."""
        vs = prob["vs"]
        c = np.zeros(len(vs))
        c[j] = sign
        r = milp(c, constraints=LinearConstraint(prob["a"], prob["lb"],
                                                 prob["ub"]),
                 integrality=np.ones(len(vs)),
                 bounds=Bounds([self.lo[v] for v in vs],
                               [self.hi[v] for v in vs]),
                 options={"time_limit": 60, "presolve": presolve})
        if r.status != 0 and presolve:
            return self.ilp(prob, j, sign, presolve=False)
        if r.status != 0:
            raise RuntimeError("milp: " + r.message)
        return round(sign * r.fun)

    def feasible_with_truth(self, prob):
        """The analyst's figures, with some latents, meet every row."""
        vs = prob["vs"]
        at = [(self.lo[v], self.hi[v]) if self.true[v] is None
              else between(self.true[v]) for v in vs]
        lo = [a for a, _ in at]
        hi = [b for _, b in at]
        for presolve in (True, False):  # (ilp says why)
            r = milp(np.zeros(len(vs)),
                     constraints=LinearConstraint(prob["a"], prob["lb"],
                                                  prob["ub"]),
                     integrality=np.ones(len(vs)), bounds=Bounds(lo, hi),
                     options={"time_limit": 60, "presolve": presolve})
            if r.x is not None:
                return True
        return False

    def push(self, prob, vs, up, exact):
        """A point moving the unknowns vs as far as it can towards two
        above their true values (up) or two below: a point of the
        relaxation, or a whole-number one (exact). {unknown: value}, or
        None when the solver found none in time."""
        col = prob["col"]
        n = len(prob["vs"])
        lo = [float(self.lo[v]) for v in prob["vs"]]
        hi = [float(self.hi[v]) for v in prob["vs"]]
        c = np.zeros(n)
        for v in vs:
            j = col[v]
            if up:
                hi[j] = min(hi[j], self.true[v] + 2)
                c[j] = -1
            else:
                lo[j] = max(lo[j], self.true[v] - 2)
                c[j] = 1
        for presolve in (True, False):  # (ilp says why)
            r = milp(c, constraints=LinearConstraint(prob["a"], prob["lb"],
                                                     prob["ub"]),
                     integrality=np.ones(n) if exact else np.zeros(n),
                     bounds=Bounds(lo, hi),
                     options={"time_limit": 30, "mip_rel_gap": 0.05,
                              "presolve": presolve})
            if r.x is not None:
                break
        if r.x is None:
            return None
        return {v: r.x[col[v]] for v in vs}

    def ranges(self, exact=True):
        """[(cell key, truth, least, greatest)] for every hidden cell, and
        the hidden cells whose block the truth does not fit. A range is
        exact where it spans fewer than three values; where it spans
        more, least and greatest may be values that points reach rather
        than the extremes (the whole-number points are checked by
        HiGHS): wide enough either way. With exact false, everything is
        the relaxation's (a narrow range is still certain). A cell whose
        truth is an interval (the analyst's rounded share) has no value
        to push from: its least and greatest values are found alone. A
        block with no solution at all (a relation written here is wrong)
        makes its cells misfits, said, not a crash."""
        out, misfit = [], []
        for b in sorted(set(self.block)):
            cells = [v for v in range(len(self.lo))
                     if self.block[v] == b and self.true[v] is not None]
            if not cells:
                continue
            prob = self.problem(b)
            if exact and not self.feasible_with_truth(prob):
                misfit += [self.m.key[t] for t, v in self.var.items()
                           if v in cells]
            key = {w: self.m.key[t] for t, w in self.var.items()}
            try:
                out += self.block_ranges(prob, cells, key, exact)
            except RuntimeError as e:
                print("  no solution (%s) for %d cells, e.g. %s"
                      % (e, len(cells), key[cells[0]]))
                misfit += [key[v] for v in cells]
        return out, misfit

    def block_ranges(self, prob, cells, key, exact):
        """ranges() of one block's hidden cells."""
        out = []
        # Two points for many cells at once, a few rounds.
        left = [v for v in cells if not isinstance(self.true[v], tuple)]
        alone = [v for v in cells if isinstance(self.true[v], tuple)]
        for _ in range(8):
            if not left:
                break
            pu = self.push(prob, left, True, exact)
            pd = self.push(prob, left, False, exact)
            if pu is None or pd is None:
                break
            rest = []
            for v in left:
                t = self.true[v]
                hi = max(t, math.floor(pu[v] + 1e-6),
                         math.floor(pd[v] + 1e-6))
                lo = min(t, math.ceil(pu[v] - 1e-6),
                         math.ceil(pd[v] - 1e-6))
                if hi - lo >= 2:
                    out.append((key[v], t, lo, hi))
                else:
                    rest.append(v)
            if len(rest) == len(left):
                break
            left = rest
        # The rest one by one: the relaxation, then whole numbers.
        for v in left + alone:
            j = prob["col"][v]
            lo = math.ceil(self.lp(prob, j, 1) - 1e-6)
            hi = self.lp(prob, j, -1)
            hi = math.inf if hi == math.inf else math.floor(hi + 1e-6)
            if exact and hi - lo >= 2:
                lo = self.ilp(prob, j, 1)
                if hi != math.inf:
                    hi = self.ilp(prob, j, -1)
                # narrow in whole numbers: said so only if HiGHS
                # without its presolve agrees (ilp)
                if hi - lo < 2:
                    lo = self.ilp(prob, j, 1, presolve=False)
                    if hi != math.inf:
                        hi = self.ilp(prob, j, -1, presolve=False)
            out.append((key[v], self.true[v], lo, hi))
        return out


# --- across years --------------------------------------------------------------

def join(models):
    """One model of several years' models ({year: Model}): every key gets
    its year as a last element; relations are carried over."""
    j = Model({})
    for year, m in sorted(models.items()):
        off = len(j.kind)
        for t, kind in enumerate(m.kind):
            key = tuple(m.key[t]) + (year,)
            j.kind.append(kind)
            j.key.append(key)
            if kind == "cell":
                j.index[key] = off + t
                j.truth[key] = m.truth[m.key[t]]
        for e, op, rhs in m.rels:
            j.rels.append(({off + t: c for t, c in e.items()}, op, rhs))
    return j


def add_cell(m, key, value):
    m.index[key] = len(m.kind)
    m.kind.append("cell")
    m.key.append(key)
    m.truth[key] = value


def across_years(m, years, sources, same_region=False):
    """The relations that cross years (docs/DISCLOSURE.md), at the level
    where the secretariat gets all of them, the whole country by year.
    They need every year that holds an event: the test checks that the
    years around those asked hold none.
      - funnel: each case counted under a stage in some year's funnel
        (its complaint dated in that year) has reached the stage by now:
        it has an event of that stage or a later one of the main line (of
        that stage itself for acquittal and dismissal), dated in some
        year, where the prosecution table counts it once per stage. So
        the funnels' sum over the years is at most the sum over the
        years of the prosecution's cases at that stage and those after;
        and at least the prosecution's cases at that stage (not the
        complaint) less the cases no complaint names: a case at a stage
        has reached it in its complaint's funnel, or has no complaint
        and counts once in cases_unmatched.
      - sources: the events accepted from an institution, of all time,
        are at least its live records of every year (timeliness).
      - records of all time: a referral taken up (in the row of the year
        it was sent) is a take-up record of its destination, dated in
        some year: for every set S, the records of S over the years are
        at least what the records relation of each year counts, plus the
        referrals taken up by S."""
    def c(table, year, label, col, r=0):
        return m.index.get((table, 0, r, label, col, year))
    for j, stage in enumerate(MAIN + OTHER):
        later = MAIN[j:] if stage in MAIN else [stage]
        for r in range(REGIONS + 1):
            # By region: a year's funnel places a case in its
            # complaint's region, the prosecution each stage in that
            # stage's event's region, which EVENTS.md leaves free. So a
            # region's funnels over the years are at most the whole
            # country's prosecution (implied by the country's funnels,
            # the sum of the regions'), or, where a case's events all
            # lie in its complaint's region (same_region), the
            # region's own. Only where the region's funnel was asked
            # (not of the secretariat, which is not given it).
            if r > 0 and not any(c("funnel", y, s, "cases", r) is not None
                                 for y in years for s in MAIN + OTHER):
                continue
            pr = r if same_region else 0
            m.rel([(c("funnel", y, stage, "cases", r), 1) for y in years]
                  + [(c("prosecution", y, s, "cases", pr), -1)
                     for y in years for s in later], LE)
        if stage == "complaint":
            continue
        # ... and at least the prosecution's cases at the stage, less
        # the cases no complaint names (each in cases_unmatched once).
        m.rel([(c("funnel", y, stage, "cases"), 1) for y in years]
              + [(c("prosecution", y, stage, "cases"), -1) for y in years]
              + [(c("cases_unmatched", y, label, "cases"), 1)
                 for y in years for label in m.labels("cases_unmatched")],
              GE)
    for i, v in sources.items():
        key = ("sources", 0, 0, i, "events", "all")
        add_cell(m, key, v)
        m.rel([(m.index[key], 1)]
              + [(c("timeliness", y, i, "records"), -1) for y in years], GE)
    for n in range(1, len(INSTS) + 1):
        for s in itertools.combinations(INSTS, n):
            s = set(s)
            terms = []
            for y in years:
                terms += [(c("timeliness", y, i, "records"), 1) for i in s]
                terms += [(c("identification", y, i, "victims"), -1)
                          for i in s]
                for label in m.labels("referrals"):
                    frm, to = label.split("|")
                    if frm in s:
                        terms.append((c("referrals", y, label, "sent"), -1))
                    if to in s:
                        terms.append((c("referrals", y, label, "taken_up"),
                                      -1))
                terms += [(c("referrals_unmatched", y, label,
                             "takeups_unmatched"), -1)
                          for label in m.labels("referrals_unmatched")
                          if label.split("|")[1] in s]
                terms += [(c("prosecution", y, stage, "cases"), -1)
                          for stage, by in STAGE_BY.items() if by <= s]
                if SERVICE_BY <= s:
                    terms += [(c("protection", y, label, "victims"), -1)
                              for label in m.labels("protection")]
            m.rel(terms, GE)


def read_sources(path):
    """{institution: events or None} from the secretariat's or analyst's
    sources table (sources.PERIOD.all.csv in path: the period is
    ignored), or {} without one."""
    names = sorted(n for n in os.listdir(path)
                   if n.startswith("sources.") and n.endswith(".all.csv"))
    if not names:
        return {}
    with open(os.path.join(path, names[0]), encoding="utf-8", newline="") as fh:
        return {row["institution"]: (int(row["events"])
                                     if row["events"].isdigit() else None)
                for row in csv.DictReader(fh)}


def name(key):
    table, p, r, label, col, year = key
    return "%s %s%s%s %s %s" % (table, year, SUFFIX[p] if year != "all"
                                else "", "" if r == 0 else " region %02d" % r,
                                label, col)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secretariat", required=True)
    ap.add_argument("--analyst", required=True)
    ap.add_argument("--years", required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--one-year", action="store_true",
                    help="each year on its own, as before the relations "
                    "across years were known (to compare)")
    ap.add_argument("--same-region", action="store_true",
                    help="the reader takes every event of a case to lie "
                    "in its complaint's region (kuska sim's cases do; "
                    "EVENTS.md does not say so)")
    a = ap.parse_args()
    k = a.k
    failed = 0
    teeth = 0
    years = a.years.split(",")
    tables = [t for ts, _ in GROUPS.values() for t in ts]
    models, shown = {}, {}
    for year in years:
        sec = read_dir(a.secretariat, year)
        an = read_dir(a.analyst, year)
        missing = [key for key in sec if key not in an]
        if missing:
            print("%s: %d secretariat cells the analyst lacks, e.g. %s"
                  % (year, len(missing), name(missing[0] + (year,))))
            failed += 1
            continue
        # An answer the secretariat did not get (a query that timed
        # out) would read as hidden, and a 0 hidden as no solution.
        unanswered = [key for key in an
                      if key[0] in tables and key not in sec]
        if unanswered:
            print("%s: %d of the analyst's cells the secretariat has no"
                  " answer for, e.g. %s" % (year, len(unanswered),
                                            name(unanswered[0] + (year,))))
            failed += 1
            continue
        # One model per year: the groups' relations, and the records
        # that tie them together (timeliness against the rest).
        truth = {key: v for key, v in an.items() if key[0] in tables}
        if not truth:
            continue
        m = Model(truth)
        for _, relate in GROUPS.values():
            relate(m)
        records(m)
        models[year] = m
        shown.update({key + (year,): sec.get(key) for key in truth})
    groups = dict(GROUPS)
    # The years together, with what ties them: one model, or one per
    # year (--one-year).
    joined = [join({y: models[y]}) for y in sorted(models)] \
        if a.one_year else [join(models)]
    if not a.one_year:
        m = joined[0]
        an_src = read_sources(a.analyst)
        sec_src = read_sources(a.secretariat)
        if sorted(an_src) != sorted(sec_src) or not an_src:
            print("sources: the secretariat's and the analyst's differ"
                  " in rows, or are missing")
            failed += 1
        across_years(m, sorted(models), an_src, a.same_region)
        shown.update({("sources", 0, 0, i, "events", "all"): v
                      for i, v in sec_src.items()})
        groups["sources"] = (("sources",), None)
    out, nr = [], []
    for m in joined:
        # Primary suppression only: the attack must recover something.
        naive = {key: (None if 0 < between(v)[0] and between(v)[1] < k
                       else v) for key, v in m.truth.items()}
        nr += Reader(m, naive, k).ranges(exact=False)[0]
        r = Reader(m, {key: shown.get(key) for key in m.truth}, k)
        if r.broken:
            print("%d relations broken by the shown cells "
                  "(a relation written here is wrong)" % len(r.broken))
            failed += 1
        o, misfit = r.ranges()
        out += o
        for key in misfit[:5]:
            print("  MISFIT %s: the analyst's figures break a relation"
                  % name(key))
        failed += len(misfit)
    for year in sorted(models) + ["all"]:
        for group, (tables, _) in groups.items():
            cells = [key for m in joined for key in m.truth
                     if key[0] in tables and key[5] == year]
            if not cells:
                continue
            mine = [x for x in out if x[0][0] in tables and x[0][5] == year]
            nmine = [x for x in nr if x[0][0] in tables and x[0][5] == year]
            recovered = [x for x in nmine if x[3] - x[2] < 2]
            teeth += len(recovered)
            # (a count no table prints that is 0, known to be 0, gives
            # away what a 0 printed would: nothing)
            narrow = [x for x in mine if x[3] - x[2] < 2
                      and not (x[0][4] in DERIVED and x[1] == 0)]
            # (an analyst's rounded share: its counts meet the range)
            outside = [x for x in mine if x[3] < between(x[1])[0]
                       or between(x[1])[1] < x[2]]
            print("%s %-10s %4d cells, %4d hidden: %d narrower than 3 values;"
                  " primary suppression alone: %d of %d recovered to within"
                  " one" % (year, group, len(cells), len(mine), len(narrow),
                            len(recovered), len(nmine)))
            for key, v, lo, hi in narrow[:10]:
                print("  NARROW %s: %s..%s (analyst %s)"
                      % (name(key), lo, hi, "%d..%d" % between(v)))
            for key, v, lo, hi in outside[:10]:
                print("  OUTSIDE %s: %s..%s, analyst %s"
                      % (name(key), lo, hi, "%d..%d" % between(v)))
            failed += len(narrow) + len(outside)
    if teeth == 0:
        print("the attack recovers nothing even from primary suppression "
              "alone: it has no teeth")
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
