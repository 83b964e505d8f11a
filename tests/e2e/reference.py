#!/usr/bin/env python3
"""An independent reference for the consolidator's statistics.

Reads the JSON Lines files of the five institutions (as `kuska sim` writes
them) and prints a table of EVENTS.md ("Statistics", "Output of kuska
query") exactly as `kuska query --format csv` prints it for the analyst
role (exact counts, no disclosure control).

    reference.py [--dir DIR | --pnp F --mp F ...] TABLE --period P [--region RR]
                 [--scope INST] [--accepted YYYY-MM-DD] [--v1]
    reference.py --dir DIR --all-to OUTDIR --periods 2024,2025Q1 --regions all,15

--scope INST counts only INST's records, its victims linked over everyone's
(what an institution's own query gets). --accepted is the day the records
reached the consolidator (default: today, Peru time), for timeliness. --v1
links victims as version 1 did (the document key, else the name key, no
chains), only to measure what version 2 changes (docs/LINKING.md).

It is written from the specification, not from the C code: its value is
that it is a second, plain reading of the rules. Python 3, stdlib only.

Decisions where the specification leaves room (each also marked DECISION
below where it is applied):

 * Events of a record that the consolidator would refuse are not modelled:
   the inputs are assumed to be accepted in full (the test checks that
   `kuska submit` refuses nothing).
 * A record's "origin" (institution and sequence: its position among the
   institution's non-blank lines, from 1) orders ties.  A corrected record
   keeps the origin of its target but takes date, region and body from the
   latest correction (file order).  A correction of a withdrawn record, or a
   correction or withdrawal aimed at an unknown ref, is ignored.
 * Region filter (--region RR): every row has one anchor event, and only
   anchor events in RR count; the other events a row looks at are taken
   from anywhere.  identification/overlap/breakdown: the identifications;
   referrals: the sending (take-up anywhere); protection: the service (the
   earliest identification anywhere); prosecution: the stage's earliest event
   of the case (earliest over all regions, then kept only if it is in RR);
   funnel: the complaint that puts a case in the cohort; durations: the later
   stage of the pair.  With --region the breakdown's region dimension has
   the single row RR, equal to the total.
 * Victims (EVENTS.md "Linking a victim", version 2): union-find over the
   match keys of every victim object of every live record, each object
   joining its document key and its name key unless that name key is
   ambiguous (seen, in live objects, with two different document numbers
   of one type); an object belongs to its document key's victim, else its
   name key's.  Each unlinkable identification or service is a victim of
   its own.
 * identification: a row for each of the five institutions, zeros included,
   then `all`.
 * overlap: a row for every non-empty subset of the institutions that
   identified at least one victim (linkable or not) in P (and RR), zeros
   included, ordered by size then institution order; unlinkable victims are
   not in any subset row but in the `unlinkable` row, always present, last.
 * breakdown: only values with a count above zero; dimensions in the order
   sex, age_group, nationality, region, exploitation; values sorted as text
   except age groups (age order) and regions (by code, which is text order).
   The age group comes from birth_date at the identification's date (whole
   years), else from age.
 * referrals: a referral is (sender, destination, normalised number), the
   sender being the institution whose file holds the `referral` record
   (its signer) and the destination its `to`; when several live records
   share the triple, the earliest (date, sequence) dates and places it.  A
   take-up is a referral_received in the destination's own file naming
   the sender and number.  Rows only for pairs with sent > 0, in
   institution order of (from, to).  median_days is over the referrals
   taken up; empty if none.
 * referrals_unmatched: take-ups whose triple no live referral record has,
   one per triple, dated and placed by its earliest take-up (date,
   sequence); rows only for pairs with a count above zero.
 * protection: every service event dated in P counts ("begun in P"), so a
   victim with the same service begun in two periods counts in both.  All
   six services, alphabetical, zeros included.  Days may be negative (a
   service before the first identification) and are kept as they are.
 * prosecution: for each case and stage only the earliest live event
   (date, institution order, sequence) counts, for dates, regions and
   persons.  "Reached" looks at the main line only (acquittal or dismissal
   do not imply trial etc.), at any date.
 * cases_unmatched: cases (normalised numbers) with no live complaint, one
   per case, under the institution of its earliest live event (date,
   institution order, sequence), dated and placed by it; rows only for
   institutions with a count above zero.
 * funnel: acquittal and dismissal rows count cohort cases having that
   stage at any date.  Attrition = (previous - this) / previous, printed
   with 3 decimals; empty for complaint, acquittal, dismissal and when the
   previous count is 0.
 * durations: later date minus earlier date of the two stages' earliest
   events; cases lacking either stage are left out (a skipped stage does not
   bridge the pair).
 * timeliness: every live record but corrections and withdrawals, at its
   (latest) date and region, against --accepted (all records of a test
   reach the consolidator the day they are submitted); "within 30 days"
   is days <= 30; the share is 100 * within / records printed with one
   decimal, empty with no records; rows for the five institutions, zeros
   included, then `all`.
 * Medians: the lower middle value of the sorted list.
"""
import argparse
import itertools
import json
import os
import re
import sys
import unicodedata
from datetime import date, datetime, timedelta, timezone

INSTS = ["pnp", "mp", "pj", "mimp", "minsa"]
INST_IDX = {n: i for i, n in enumerate(INSTS)}
MAIN = ["complaint", "preliminary_investigation", "formalized_investigation",
        "accusation", "trial", "conviction"]
STAGES = MAIN + ["acquittal", "dismissal"]
SERVICES = sorted(["residential_care", "special_protection", "mental_health",
                   "medical", "legal_aid", "reintegration"])
# What each institution may record (DESIGN.md's grants, the registry's
# defaults): in its own view the rest is empty, not 0 (query_tables.c).
_MINISTRY = ({"identification", "referral", "referral_received", "service"},
             set())
GRANTS = {
    "pnp": ({"identification", "referral", "case_stage"},
            {"complaint", "preliminary_investigation"}),
    "mp": ({"identification", "referral", "referral_received", "case_stage"},
           {"complaint", "preliminary_investigation",
            "formalized_investigation", "accusation", "dismissal"}),
    "pj": ({"referral_received", "case_stage"},
           {"trial", "conviction", "acquittal", "dismissal"}),
    "mimp": _MINISTRY,
    "minsa": _MINISTRY,
}
AGE_GROUPS = ["0-5", "6-11", "12-13", "14-17", "18+"]
TABLES = ["identification", "overlap", "breakdown", "referrals",
          "referrals_unmatched", "protection", "prosecution", "cases_unmatched",
          "funnel", "durations", "timeliness"]

# --------------------------------------------------------------------------
# Normalisation (docs/NORMALISATION.md, version 1)

_SPECIAL = {
    "Æ": "AE", "æ": "AE", "Œ": "OE", "œ": "OE", "ß": "SS", "Þ": "TH",
    "þ": "TH", "Ĳ": "IJ", "ĳ": "IJ", "ŉ": "N", "ĸ": "K", "ſ": "S",
    "ł": "L", "Ł": "L", "đ": "D", "Đ": "D", "ð": "D", "Ð": "D", "ı": "I",
    "İ": "I", "ø": "O", "Ø": "O", "ħ": "H", "Ħ": "H", "ŧ": "T", "Ŧ": "T",
    "ŀ": "L", "Ŀ": "L", "ŋ": "N", "Ŋ": "N",
}
_APOS = set("'`\u00b4\u2018\u2019\u02bc")
_INVIS = set("\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d"
             "\u202e\u2060\ufeff")
_SPACE = set(" \t\n\r\v\f\u00a0\u1680\u202f\u205f\u3000\u0085\u2028\u2029"
             + "".join(chr(c) for c in range(0x2000, 0x200b)))
_PUNCT = set('!"#%&()*,-./:;?@[\\]_{}' + "\u00a1\u00a7\u00ab\u00b6\u00b7"
             "\u00bb\u00bf" + "".join(chr(c) for c in range(0x2010, 0x2028)))


def _fold_letter(c):
    """An upper-case ASCII string for a foldable letter, else None."""
    if "A" <= c <= "Z" or "a" <= c <= "z":
        return c.upper()
    if c in _SPECIAL:
        return _SPECIAL[c]
    o = ord(c)
    if 0xC0 <= o <= 0x17F or 0x1CD <= o <= 0x1DC or 0x218 <= o <= 0x21B:
        base = unicodedata.normalize("NFD", c)[0]
        if "A" <= base <= "Z" or "a" <= base <= "z":
            return base.upper()
    return None


def norm_name(s):
    """The normalised name, or None when the node would refuse it."""
    out = []
    brk = False
    # Composed letters fold to their base letter and combining marks are
    # deleted, so composed and decomposed text give the same result.
    for c in s:
        o = ord(c)
        if 0x300 <= o <= 0x36F or c in _APOS or c in _INVIS:
            continue
        if c in _SPACE or c in _PUNCT:
            brk = True
            continue
        f = _fold_letter(c)
        if f is None:
            return None
        if brk and out:
            out.append(" ")
        brk = False
        out.append(f)
    return "".join(out) or None


def norm_doc_number(s):
    n = s.upper().replace(" ", "").replace("-", "")
    return n


def norm_number(s):
    """Referral and case numbers: trimmed of spaces, upper-cased (ASCII)."""
    return s.strip(" ").upper()


def placeholder(n):
    """Whether a normalised document number is one a case system fills in
    for a document it does not have (docs/INPUT.md section 4): one
    character throughout, or six or more digits counting up by one from 0
    or 1, or down by one to 1 or 0. Zeros alone the node refuses."""
    if n and len(set(n)) == 1:
        return True
    if len(n) < 6 or not n.isdigit():
        return False
    ds = [int(c) for c in n]
    up = all(b == a + 1 for a, b in zip(ds, ds[1:])) and ds[0] <= 1
    down = all(b == a - 1 for a, b in zip(ds, ds[1:])) and ds[-1] <= 1
    return up or down


def doc_key(v):
    """The document key of a victim object, or None (none for a
    placeholder number: the object has no document key)."""
    doc = v.get("document")
    if doc:
        n = norm_doc_number(doc["number"])
        if placeholder(n):
            return None
        return ("doc", doc["type"], n)
    return None


def name_key(v):
    """The name key of a victim object, or None."""
    if all(k in v for k in ("given_names", "surnames", "birth_date", "sex")):
        g, s = norm_name(v["given_names"]), norm_name(v["surnames"])
        if g is not None and s is not None:
            return ("name", g, s, v["birth_date"], v["sex"])
    return None


def victim_objects(rec):
    """Every victim object of a record, whatever its kind."""
    if rec["kind"] == "case_stage":
        return list(rec["victims"])
    return [rec["victim"]]


class Victims:
    """Who is who: the victim of each identification and service.

    Version 2: the match keys are joined by every live victim object, with
    union-find; an ambiguous name key joins nothing.  Version 1 (v1=True):
    the document key, else the name key, and nothing else.
    """

    def __init__(self, events, v1=False):
        self.v1 = v1
        self.parent = {}
        if v1:
            return
        objs = [o for e in events for o in victim_objects(e.rec)]
        docs_by_name = {}  # name key -> {type: {numbers}}
        for o in objs:
            d, n = doc_key(o), name_key(o)
            if d is not None and n is not None:
                docs_by_name.setdefault(n, {}).setdefault(d[1], set()).add(d)
        self.ambiguous = {n for n, by_type in docs_by_name.items()
                          if any(len(ds) > 1 for ds in by_type.values())}
        for o in objs:
            d, n = doc_key(o), name_key(o)
            for k in (d, n):
                if k is not None:
                    self.parent.setdefault(k, k)
            if d is not None and n is not None and n not in self.ambiguous:
                self.union(d, n)

    def find(self, k):
        root = k
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[k] != root:
            self.parent[k], k = root, self.parent[k]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # Deterministic, though no output depends on which root wins.
            if repr(ra) < repr(rb):
                ra, rb = rb, ra
            self.parent[ra] = rb

    def of(self, e):
        """The victim of an identification's or a service's event."""
        v = e.rec["victim"]
        home = doc_key(v) or name_key(v)
        if home is None:
            return ("unlinkable", e.inst, e.seq)
        if self.v1:
            return ("linked", home)
        return ("linked", self.find(home))


# --------------------------------------------------------------------------
# Live events


class Event:
    __slots__ = ("inst", "seq", "rec", "date", "region")

    def __init__(self, inst, seq, rec):
        self.inst, self.seq = inst, seq
        self.set(rec)

    def set(self, rec):
        self.rec = rec
        self.date = date.fromisoformat(rec["date"])
        self.region = rec["region"]

    def order(self):
        """Earliest first: date, then institution order, then sequence."""
        return (self.date, INST_IDX[self.inst], self.seq)


def load(paths):
    """The live events of every institution: paths maps inst -> file."""
    events = []
    for inst in INSTS:
        path = paths.get(inst)
        if not path:
            continue
        by_ref = {}
        withdrawn = set()
        seq = 0
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                seq += 1
                r = json.loads(line)
                kind = r["kind"]
                if kind == "correction":
                    t = r["target_ref"]
                    # DECISION: a withdrawn or unknown target is not corrected.
                    if t in by_ref and t not in withdrawn:
                        by_ref[t].set(r["record"])  # keeps target's origin
                elif kind == "withdrawal":
                    if r["target_ref"] in by_ref:
                        withdrawn.add(r["target_ref"])
                else:
                    by_ref[r["ref"]] = Event(inst, seq, r)
        events += [e for ref, e in by_ref.items() if ref not in withdrawn]
    events.sort(key=Event.order)
    return events


# --------------------------------------------------------------------------
# Periods and helpers


def parse_period(p):
    """(first day, last day) of YYYY, YYYYHn or YYYYQn."""
    if len(p) == 4 and p.isdigit():
        y = int(p)
        return date(y, 1, 1), date(y, 12, 31)
    if len(p) == 6 and p[:4].isdigit() and p[4] == "Q" and p[5] in "1234":
        y, q = int(p[:4]), int(p[5])
        first = date(y, 3 * q - 2, 1)
        last = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
        return first, date.fromordinal(last.toordinal() - 1)
    if len(p) == 6 and p[:4].isdigit() and p[4] == "H" and p[5] in "12":
        y, h = int(p[:4]), int(p[5])
        if h == 1:
            return date(y, 1, 1), date(y, 6, 30)
        return date(y, 7, 1), date(y, 12, 31)
    raise ValueError("bad period " + p)


def median(xs):
    if not xs:
        return ""
    xs = sorted(xs)
    return str(xs[(len(xs) - 1) // 2])


def age_at(birth, on):
    b = date.fromisoformat(birth)
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def age_group(a):
    if a <= 5:
        return "0-5"
    if a <= 11:
        return "6-11"
    if a <= 13:
        return "12-13"
    if a <= 17:
        return "14-17"
    return "18+"


class Stats:
    def __init__(self, events, scope=None, accepted=None, v1=False):
        # Linking looks at everyone's records; counting at the scope's.
        self.victims = Victims(events, v1)
        self.events = [e for e in events if scope is None or e.inst == scope]
        self.scope = scope
        self.accepted = accepted
        self.idents = [e for e in self.events
                       if e.rec["kind"] == "identification"]
        self.first_ident = {}  # victim -> earliest identification date
        for e in self.idents:
            vid = self.victim_id(e)
            if vid not in self.first_ident:
                self.first_ident[vid] = e.date  # sorted earliest first
        self._cases = None

    def applies(self, kind, stage, v):
        """Whether a count v of kind (and stage) has a place in the view:
        the scope may record such events, or holds some anyway."""
        if self.scope is None or v != 0:
            return True
        kinds, stages = GRANTS[self.scope]
        return kind in kinds and (stage is None or stage in stages)

    def victim_id(self, e):
        return self.victims.of(e)

    def select(self, evs, period, region):
        first, last = parse_period(period)
        return [e for e in evs if first <= e.date <= last
                and (region is None or e.region == region)]

    # -- identification, overlap, breakdown ---------------------------------

    def victims_in(self, period, region):
        """victim id -> (set of institutions, earliest identification)."""
        out = {}
        for e in self.select(self.idents, period, region):  # sorted
            vid = self.victim_id(e)
            if vid not in out:
                out[vid] = (set(), e)
            out[vid][0].add(e.inst)
        return out

    def identification(self, period, region):
        vs = self.victims_in(period, region)
        rows = [[period, i, sum(1 for s, _ in vs.values() if i in s)]
                for i in INSTS]
        rows.append([period, "all", len(vs)])
        return ["period,institution,victims"], rows

    def overlap(self, period, region):
        vs = self.victims_in(period, region)
        # DECISION: an institution whose identifications in P are all of
        # unlinkable victims still "identified anyone", so its subsets are
        # listed (with zeros).
        present = [i for i in INSTS if any(i in s for s, _ in vs.values())]
        counts = {}
        unlinkable = 0
        for vid, (s, _) in vs.items():
            if vid[0] == "unlinkable":
                unlinkable += 1
            else:
                key = tuple(i for i in INSTS if i in s)
                counts[key] = counts.get(key, 0) + 1
        rows = []
        for n in range(1, len(present) + 1):
            for combo in itertools.combinations(present, n):
                rows.append([period, "+".join(combo), counts.get(combo, 0)])
        rows.append([period, "unlinkable", unlinkable])
        return ["period,institutions,victims"], rows

    def breakdown(self, period, region):
        vs = self.victims_in(period, region)
        dims = {d: {} for d in ("sex", "age_group", "nationality", "region",
                                "exploitation")}

        def add(d, v):
            dims[d][v] = dims[d].get(v, 0) + 1

        for _, e in vs.values():
            v = e.rec["victim"]
            add("sex", v["sex"])
            a = age_at(v["birth_date"], e.date) if "birth_date" in v else v["age"]
            add("age_group", age_group(a))
            add("nationality", v["nationality"])
            add("region", e.region)
            for x in set(e.rec["exploitation"]):
                add("exploitation", x)
        rows = []
        for d, vals in dims.items():
            order = AGE_GROUPS if d == "age_group" else sorted(vals)
            for v in order:
                if vals.get(v, 0) > 0:
                    rows.append([period, d, v, vals[v]])
        return ["period,dimension,value,victims"], rows

    # -- referrals -----------------------------------------------------------

    def referrals(self, period, region):
        # (sender, destination, number) -> its earliest live referral; the
        # sender is whoever signed the referral, the destination whoever
        # signed the take-up.
        sendings = {}
        for e in self.events:
            if e.rec["kind"] == "referral":
                key = (e.inst, e.rec["to"],
                       norm_number(e.rec["referral_number"]))
                if key not in sendings:  # events sorted: the first is earliest
                    sendings[key] = e
        takeups = {}  # (sender, destination, number) -> earliest take-up
        for e in self.events:
            if e.rec["kind"] == "referral_received":
                key = (e.rec["from"], e.inst,
                       norm_number(e.rec["referral_number"]))
                if key not in takeups:
                    takeups[key] = e.date
        first, last = parse_period(period)
        pairs = {}
        for (sender, to, num), e in sendings.items():
            if not (first <= e.date <= last):
                continue
            if region is not None and e.region != region:
                continue
            p = pairs.setdefault((sender, to), [0, 0, []])
            p[0] += 1
            t = takeups.get((sender, to, num))
            if t is not None:
                p[1] += 1
                p[2].append((t - e.date).days)
        rows = []
        for f in INSTS:
            for t in INSTS:
                p = pairs.get((f, t))
                if p and p[0] > 0:
                    rows.append([period, f, t, p[0], p[1], p[0] - p[1],
                                 median(p[2])])
        return ["period,from,to,sent,taken_up,pending,median_days"], rows

    def referrals_unmatched(self, period, region):
        # Take-ups whose (sender, destination, number) no live referral of
        # the sender has: one per triple, at its earliest take-up (date,
        # sequence) and that take-up's region.
        sent = set()
        for e in self.events:
            if e.rec["kind"] == "referral":
                sent.add((e.inst, e.rec["to"],
                          norm_number(e.rec["referral_number"])))
        first_takeup = {}
        for e in self.events:  # sorted: the first seen is the earliest
            if e.rec["kind"] == "referral_received":
                key = (e.rec["from"], e.inst,
                       norm_number(e.rec["referral_number"]))
                if key not in sent and key not in first_takeup:
                    first_takeup[key] = e
        first, last = parse_period(period)
        pairs = {}
        for (sender, to, _), e in first_takeup.items():
            if not (first <= e.date <= last):
                continue
            if region is not None and e.region != region:
                continue
            pairs[(sender, to)] = pairs.get((sender, to), 0) + 1
        rows = [[period, f, t, pairs[(f, t)]] for f in INSTS for t in INSTS
                if pairs.get((f, t), 0) > 0]
        return ["period,from,to,takeups_unmatched"], rows

    # -- protection ----------------------------------------------------------

    def protection(self, period, region):
        svc = [e for e in self.select(self.events, period, region)
               if e.rec["kind"] == "service"]
        rows = []
        for s in SERVICES:
            earliest = {}  # victim id -> earliest such service date in P
            for e in svc:
                if e.rec["service"] == s:
                    vid = self.victim_id(e)
                    if vid not in earliest:
                        earliest[vid] = e.date
            days = []
            for vid, d in earliest.items():
                # Any institution's (of the scope), any date.
                first_id = self.first_ident.get(vid)
                if first_id is not None:
                    days.append((d - first_id).days)
            if not self.applies("service", None, len(earliest)):
                rows.append([period, s, "", ""])
                continue
            rows.append([period, s, len(earliest), median(days)])
        return ["period,service,victims,median_days"], rows

    # -- prosecution, funnel, durations --------------------------------------

    def cases(self):
        """case number -> {stage: earliest live event}."""
        if self._cases is None:
            self._cases = {}
            for e in self.events:  # sorted: the first seen is the earliest
                if e.rec["kind"] == "case_stage":
                    c = self._cases.setdefault(
                        norm_number(e.rec["case_number"]), {})
                    c.setdefault(e.rec["stage"], e)
        return self._cases

    def in_p(self, e, period, region):
        first, last = parse_period(period)
        return first <= e.date <= last and (region is None or e.region == region)

    def prosecution(self, period, region):
        rows = []
        for st in STAGES:
            n = persons = 0
            for c in self.cases().values():
                e = c.get(st)
                if e is not None and self.in_p(e, period, region):
                    n += 1
                    persons += e.rec["persons"]
            if not self.applies("case_stage", st, n):
                n = persons = ""
            rows.append([period, st, n, persons])
        return ["period,stage,cases,persons"], rows

    def cases_unmatched(self, period, region):
        # Cases no complaint names: the funnel never sees them.
        n = {}
        for c in self.cases().values():
            if "complaint" in c:
                continue
            e = min(c.values(), key=lambda x: x.order())
            if self.in_p(e, period, region):
                n[e.inst] = n.get(e.inst, 0) + 1
        rows = [[period, i, n[i]] for i in INSTS if n.get(i, 0) > 0]
        return ["period,institution,cases"], rows

    def funnel(self, period, region):
        cohort = [c for c in self.cases().values()
                  if "complaint" in c and self.in_p(c["complaint"], period, region)]
        reached = []
        for i, st in enumerate(MAIN):
            reached.append(sum(1 for c in cohort
                               if any(s in c for s in MAIN[i:])))
        # A stage out of the scope's view has no count, and no attrition
        # is taken into or out of it; no complaint in it, no funnel.
        start = self.applies("case_stage", "complaint", reached[0])
        ok = [start and self.applies("case_stage", st, reached[i])
              for i, st in enumerate(MAIN)]
        rows = []
        for i, st in enumerate(MAIN):
            att = ""
            if i > 0 and ok[i - 1] and ok[i] and reached[i - 1] > 0:
                att = "%.3f" % ((reached[i - 1] - reached[i]) / reached[i - 1])
            rows.append([period, st, reached[i] if ok[i] else "", att])
        for st in ("acquittal", "dismissal"):
            n = sum(1 for c in cohort if st in c)
            if not (start and self.applies("case_stage", st, n)):
                n = ""
            rows.append([period, st, n, ""])
        return ["period,stage,cases,attrition"], rows

    def durations(self, period, region):
        rows = []
        for a, b in zip(MAIN, MAIN[1:]):
            days = [(c[b].date - c[a].date).days for c in self.cases().values()
                    if a in c and b in c and self.in_p(c[b], period, region)]
            rows.append([period, a, b, median(days)])
        return ["period,from_stage,to_stage,median_days"], rows

    # -- timeliness ------------------------------------------------------------

    def timeliness(self, period, region):
        days = {i: [] for i in INSTS}
        for e in self.select(self.events, period, region):
            days[e.inst].append((self.accepted - e.date).days)
        days["all"] = [d for i in INSTS for d in days[i]]
        rows = []
        for who in INSTS + ["all"]:
            ds = days[who]
            pct = "%.1f" % (100.0 * sum(1 for d in ds if d <= 30) / len(ds)) \
                if ds else ""
            rows.append([period, who, len(ds), median(ds), pct])
        return ["period,institution,records,median_days,within_30_days_pct"], rows

    def csv(self, table, period, region):
        # With --region the breakdown's region dimension is the single row
        # RR holding the total: every counted identification is in RR.
        header, rows = getattr(self, table)(period, region)
        code = [(table, c) in CODE_COLUMNS or period_column(c)
                for c in header[0].split(",")]
        return "\n".join(header + [",".join(csv_cell(x, code[i])
                                            for i, x in enumerate(r))
                                   for r in rows]) + "\n"


# The columns of codes whose every cell kuska's CSV quotes
# (client/query_print.c): region 16 is text there as 01 is.
CODE_COLUMNS = {("breakdown", "value")}


def period_column(name):
    """Whether kuska's CSV quotes every cell of the column as a period's
    (client/query_print.c): period, target_period; 2025 as 2025Q1."""
    return name == "period" or name.endswith("_period")


def csv_cell(x, code=False):
    """A cell as kuska's CSV writes it (lib/csvcell.h): a text a
    spreadsheet would read as another number or a date (digits and
    + - . / : e E only, from a digit or a point, and not a number without
    a leading zero: 01, 6-11, 18+) between double quotes, as is every
    text of a column of codes."""
    s = str(x)
    if code and s != "":
        return '"%s"' % s
    if re.fullmatch(r"[0-9.][0-9+\-./:eE]*", s) and \
            not re.fullmatch(r"(0|[1-9][0-9]*)(\.[0-9]+)?", s):
        return '"%s"' % s
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", help="directory holding INST.jsonl files")
    for i in INSTS:
        ap.add_argument("--" + i, help="%s's JSONL file" % i)
    ap.add_argument("table", nargs="?", choices=TABLES)
    ap.add_argument("--period")
    ap.add_argument("--region")
    ap.add_argument("--all-to", help="write every TABLE.PERIOD.REGION.csv here")
    ap.add_argument("--periods", help="comma-separated periods for --all-to")
    ap.add_argument("--regions", help="comma-separated regions (all = none)")
    ap.add_argument("--scope", choices=INSTS,
                    help="count only this institution's records")
    ap.add_argument("--accepted", help="the day the records were accepted")
    ap.add_argument("--v1", action="store_true",
                    help="link as version 1 did (to measure the change)")
    a = ap.parse_args()
    paths = {}
    for i in INSTS:
        p = getattr(a, i)
        if p is None and a.dir and os.path.exists(os.path.join(a.dir, i + ".jsonl")):
            p = os.path.join(a.dir, i + ".jsonl")
        if p:
            paths[i] = p
    if a.accepted:
        accepted = date.fromisoformat(a.accepted)
    else:  # today in Peru (UTC-5, no daylight saving)
        accepted = (datetime.now(timezone.utc) - timedelta(hours=5)).date()
    st = Stats(load(paths), a.scope, accepted, a.v1)
    if a.all_to:
        os.makedirs(a.all_to, exist_ok=True)
        for t in TABLES:
            for p in a.periods.split(","):
                for r in a.regions.split(","):
                    out = st.csv(t, p, None if r == "all" else r)
                    with open(os.path.join(a.all_to, "%s.%s.%s.csv" % (t, p, r)),
                              "w", encoding="utf-8") as f:
                        f.write(out)
        return 0
    if not a.table or not a.period:
        ap.error("TABLE and --period are required")
    sys.stdout.write(st.csv(a.table, a.period, a.region))
    return 0


if __name__ == "__main__":
    sys.exit(main())
