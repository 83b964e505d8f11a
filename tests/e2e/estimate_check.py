#!/usr/bin/env python3
"""estimate_check.py - checks of the live estimate and SDG 16.2.2 tables
for tests/e2e/test_report.sh, worked out here from other answers. Each
check prints what is wrong and exits 1, or exits 0.

  estimate_check.py histories OVERLAP.csv OUT.csv
      Writes the analyst's overlap table (kuska query overlap --format
      csv) as a capture-history table for kuska estimate: a 0/1 column per
      institution with a linkable victim (in the order pnp, mp, pj, mimp,
      minsa), then the count. Prints the unlinkable victims.
  estimate_check.py same LIVE.csv OFFLINE.csv UNLINKABLE
      The live table (kuska query estimate) has the rows of kuska estimate
      on those histories, with the period in front: the same lists,
      observed, methods and interactions, and the estimate and limits
      rounded to whole victims; each note ends with the unlinkable
      victims left out.
  estimate_check.py secretariat SEC.csv OFFLINE.csv SEC_OVERLAP.csv
      The secretariat's table: when every cell of its own overlap table is
      shown, the estimate and limits are kuska estimate's rounded to the
      nearest 10; otherwise they are empty, the note says "suppressed" and
      counts nothing. Prints which it was.
  estimate_check.py sdg SDG.csv IDENTIFICATION.csv BREAKDOWN.csv
                    ESTIMATE.csv POPULATION.csv REGION
      The analyst's sdg16_2_2 table, by hand: each group's population from
      the file (year of the period, REGION 00 for the country), the
      victims from identification and breakdown, the rates per 100,000
      with two decimals, and on the last row the estimate of every
      victim, never below the victims identified: the stepwise estimate
      plus the unlinkable victims it leaves out (the victims identified
      less its observed), with its rate (the rate of the estimate before
      it was rounded: within half a victim's rate of the rounded one's).
"""
import csv
import sys

INSTS = ["pnp", "mp", "pj", "mimp", "minsa"]
CHILD = ["0-5", "6-11", "12-13", "14-17"]


def rows_of(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fail(lines):
    for line in lines[:20]:
        print("  " + line)
    return 1 if lines else 0


def histories(overlap, out):
    counts, unlinkable, lists = {}, 0, set()
    for r in rows_of(overlap):
        n = int(r["victims"])
        if r["institutions"] == "unlinkable":
            unlinkable += n
            continue
        members = r["institutions"].split("+")
        counts[tuple(members)] = n
        if n > 0:
            lists.update(members)
    lists = [i for i in INSTS if i in lists]
    with open(out, "w", encoding="utf-8") as f:
        f.write(",".join(lists + ["count"]) + "\n")
        for members, n in counts.items():
            if n == 0:
                continue
            f.write(",".join(["1" if i in members else "0" for i in lists] +
                             [str(n)]) + "\n")
    print(unlinkable)
    return 0


def near(live, offline, unit):
    """live (a whole number, or "") is offline (%.1f, or "") rounded to
    unit, allowing for the one decimal kuska estimate prints."""
    if offline in ("", "inf"):
        return live == ""
    if live == "":
        return False
    v, x = int(live), float(offline)
    return v % unit == 0 and abs(v - x) <= unit / 2 + 0.05


def same(live, offline, unlinkable):
    got, want, bad = rows_of(live), rows_of(offline), []
    # Two empty tables (both commands failed) are not equal estimates.
    if not want:
        return fail(["kuska estimate gave no rows"])
    if len(got) != len(want):
        return fail(["%d rows, kuska estimate has %d" % (len(got),
                                                          len(want))])
    tail = ""
    if int(unlinkable) > 0:
        tail = "%s unlinkable victim%s left out (not in the overlap)" % (
            unlinkable, "" if unlinkable == "1" else "s")
    for g, w in zip(got, want):
        m = g["method"]
        for col in ("lists", "observed", "method", "interactions"):
            if g[col] != w[col]:
                bad.append("%s %s: %r, kuska estimate %r" %
                           (m, col, g[col], w[col]))
        for col in ("estimate", "low95", "high95"):
            if not near(g[col], w[col], 1):
                bad.append("%s %s: %r, kuska estimate %r" %
                           (m, col, g[col], w[col]))
        if not g["note"].startswith(w["note"]) or \
                not g["note"].endswith(tail):
            bad.append("%s note: %r, kuska estimate %r + %r" %
                       (m, g["note"], w["note"], tail))
    if not bad:
        print("  %d rows equal kuska estimate's, rounded" % len(got))
    return fail(bad)


def secretariat(sec, offline, sec_overlap):
    overlap = rows_of(sec_overlap)
    shown = all(not r["victims"].startswith("<") for r in overlap)
    got, want, bad = rows_of(sec), rows_of(offline), []
    # An empty overlap would read as all shown, and two empty estimates
    # as equal.
    if not overlap or not want:
        return fail(["%d overlap rows, kuska estimate gave %d" %
                     (len(overlap), len(want))])
    if len(got) != len(want):
        return fail(["%d rows, kuska estimate has %d" % (len(got),
                                                          len(want))])
    for g, w in zip(got, want):
        m = g["method"]
        for col in ("estimate", "low95", "high95"):
            if shown and not near(g[col], w[col], 10):
                bad.append("%s %s: %r, not kuska estimate's %r to the "
                           "nearest 10" % (m, col, g[col], w[col]))
            if not shown and g[col] != "":
                bad.append("%s %s: %r shown, with a hidden overlap cell" %
                           (m, col, g[col]))
        if not shown and ("suppressed" not in g["note"] or
                          any(c.isdigit() for c in g["note"])):
            bad.append("%s note: %r" % (m, g["note"]))
    if not bad:
        print("shown" if shown else "suppressed")
    return fail(bad)


def sdg(table, ident, breakdown, estimate, population, region):
    got = rows_of(table)
    period = got[0]["period"] if got else ""
    year = period[:4]
    pop = {}
    for r in rows_of(population):
        if r["year"] == year and (r["region"] or "00") == region:
            pop[(r["sex"], r["age_group"])] = int(r["population"])
    total = [r for r in rows_of(ident) if r["institution"] == "all"]
    by = {(r["dimension"], r["value"]): int(r["victims"])
          for r in rows_of(breakdown)}
    victims = {("all", "all"): int(total[0]["victims"])}
    for s in ("F", "M"):
        victims[(s, "all")] = by.get(("sex", s), 0)
    victims[("all", "18+")] = by.get(("age_group", "18+"), 0)
    victims[("all", "0-17")] = sum(by.get(("age_group", a), 0)
                                   for a in CHILD)
    step = [r for r in rows_of(estimate) if r["method"] == "stepwise"][0]
    bad, order = [], []
    for s in ("F", "M", "all"):
        for a in ("0-17", "18+", "all"):
            order.append((s, a))
    if [(r["sex"], r["age_group"]) for r in got] != order:
        return fail(["rows %r" % [(r["sex"], r["age_group"]) for r in got]])
    for r in got:
        s, a = r["sex"], r["age_group"]
        people = sum(n for (ps, pa), n in pop.items()
                     if (s == "all" or ps == s) and (a == "all" or pa == a))
        if r["population"] != str(people):
            bad.append("%s %s population %s, the file %d" %
                       (s, a, r["population"], people))
        if (s, a) in victims:
            v = victims[(s, a)]
            if r["victims"] != str(v):
                bad.append("%s %s victims %s, by hand %d" %
                           (s, a, r["victims"], v))
            rate = "%.2f" % (v * 1e5 / people)
            if r["victims_per_100k"] != rate:
                bad.append("%s %s rate %s, by hand %s" %
                           (s, a, r["victims_per_100k"], rate))
        want = ""
        if (s, a) == ("all", "all") and step["estimate"]:
            unlinkable = victims[("all", "all")] - int(step["observed"])
            want = str(int(step["estimate"]) + unlinkable)
            if int(want) < victims[("all", "all")]:
                bad.append("estimate %s below the %d victims identified" %
                           (want, victims[("all", "all")]))
        if r["estimate"] != want:
            bad.append("%s %s estimate %r, the estimate table's stepwise "
                       "plus the unlinkable %r" % (s, a, r["estimate"], want))
        # The rate of the estimate before it was rounded to the whole
        # victim: within half a victim's rate (and the last digit's
        # rounding) of the rounded one's.
        if not want:
            if r["estimate_per_100k"] != "":
                bad.append("%s %s estimate rate %r, no estimate" %
                           (s, a, r["estimate_per_100k"]))
        elif r["estimate_per_100k"] == "" or \
                abs(float(r["estimate_per_100k"]) -
                    int(want) * 1e5 / people) > 0.5e5 / people + 0.005:
            bad.append("%s %s estimate rate %r, by hand %.2f" %
                       (s, a, r["estimate_per_100k"],
                        int(want) * 1e5 / people))
    if not bad:
        print("  9 rows by hand (victims %d, estimate %s)" %
              (victims[("all", "all")], step["estimate"] or "none"))
    return fail(bad)


def main(argv):
    if len(argv) == 4 and argv[1] == "histories":
        return histories(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == "same":
        return same(argv[2], argv[3], argv[4])
    if len(argv) == 5 and argv[1] == "secretariat":
        return secretariat(argv[2], argv[3], argv[4])
    if len(argv) == 8 and argv[1] == "sdg":
        return sdg(*argv[2:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
