#!/usr/bin/env python3
"""Checks on `kuska query` answers for tests/e2e/test_stats.sh.

  stats_check.py secretariat SEC_DIR AN_DIR [K]
      every SEC_DIR/NAME.csv (secretariat) against AN_DIR/NAME.csv (analyst):
      no count from 1 to K-1, suppressed cells read "<K", every difference
      is a suppression, every small analyst count is suppressed, and no
      suppressed cell can be solved for from the cells shown beside it.
  stats_check.py json JSON_FILE CSV_FILE [K]
      the JSON answer parses, is an array of objects with the CSV header's
      keys, and holds the CSV's values (null where the CSV has "<K" or "").
  stats_check.py jsondir JSON_DIR CSV_DIR [K]
      the same for every JSON_DIR/NAME.json and CSV_DIR/NAME.csv.

Prints one line per problem (the first few) and exits 1 when there is any.
"""
import csv
import json
import os
import sys

COUNTS = {"victims", "sent", "taken_up", "pending", "cases", "persons",
          "records", "takeups_unmatched", "events"}
DERIVED = {"median_days", "attrition", "within_30_days_pct"}
PARTITIONS = ("sex", "age_group", "nationality", "region")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def is_small(v, k):
    return v.isdigit() and 1 <= int(v) <= k - 1


def check_secretariat(sec_dir, an_dir, k):
    sup = "<%d" % k
    problems = []
    names = sorted(n for n in os.listdir(sec_dir) if n.endswith(".csv"))
    if not names:
        problems.append("no secretariat answers in " + sec_dir)
    for name in names:
        sh, srows = read_csv(os.path.join(sec_dir, name))
        ah, arows = read_csv(os.path.join(an_dir, name))
        where = name[:-4]
        if sh != ah or len(srows) != len(arows):
            problems.append("%s: header or row count differs from the analyst's "
                            "(%s, %d rows vs %s, %d rows)"
                            % (where, sh, len(srows), ah, len(arows)))
            continue
        for srow, arow in zip(srows, arows):
            for col, s, a in zip(sh, srow, arow):
                cell = "%s: row %s column %s" % (where, ",".join(arow[:3]), col)
                if col in COUNTS:
                    if is_small(s, k):
                        problems.append("%s: count %s shown" % (cell, s))
                    if not (s.isdigit() or s == sup):
                        problems.append("%s: %r is neither a count nor %s"
                                        % (cell, s, sup))
                    if is_small(a, k) and s != sup:
                        problems.append("%s: analyst's %s shows as %r"
                                        % (cell, a, s))
                    if s != a and s != sup:
                        problems.append("%s: %r, analyst %r" % (cell, s, a))
                elif col in DERIVED:
                    if s != a and s != "":
                        problems.append("%s: %r, analyst %r" % (cell, s, a))
                elif s != a:
                    problems.append("%s: %r, analyst %r" % (cell, s, a))
        problems += derivable(where, sh, srows, sup)
    return problems


def derivable(where, header, rows, sup):
    """Suppressed cells that the cells shown beside them give away."""
    out = []
    col = {c: i for i, c in enumerate(header)}
    table = where.split(".")[0]
    if table == "referrals":
        # sent = taken_up + pending: one hidden cell of the three is solvable;
        # a median over a hidden number of take-ups is hidden too.
        for r in rows:
            hidden = [c for c in ("sent", "taken_up", "pending")
                      if r[col[c]] == sup]
            if len(hidden) == 1:
                out.append("%s: %s->%s: %s hidden alone, = sent - taken_up - "
                           "pending" % (where, r[1], r[2], hidden[0]))
            if r[col["taken_up"]] == sup and r[col["median_days"]] != "":
                out.append("%s: %s->%s: median shown over hidden taken_up"
                           % (where, r[1], r[2]))
    elif table == "protection":
        for r in rows:
            if r[col["victims"]] == sup and r[col["median_days"]] != "":
                out.append("%s: %s: median shown over hidden victims"
                           % (where, r[1]))
    elif table == "timeliness":
        # The institutions' records sum to the "all" row's; a share or a
        # median over a hidden count is hidden too.
        hidden = [r for r in rows if r[col["records"]] == sup]
        if len(hidden) == 1:
            out.append("%s: %s's records hidden alone, = all - the others"
                       % (where, hidden[0][1]))
        for r in hidden:
            if r[col["median_days"]] != "" or r[col["within_30_days_pct"]] != "":
                out.append("%s: %s: median or share shown over hidden records"
                           % (where, r[1]))
    elif table == "funnel":
        # attrition = 1 - cases/previous: shown, it gives away either count.
        for i in range(1, 6):
            if rows[i][col["attrition"]] != "" and (
                    rows[i][col["cases"]] == sup
                    or rows[i - 1][col["cases"]] == sup):
                out.append("%s: %s: attrition shown beside a hidden count"
                           % (where, rows[i][1]))
    elif table == "breakdown":
        # sex, age group, nationality and region each split the same total:
        # once one of them is shown whole, a dimension with a single hidden
        # cell gives it away.
        dims = {d: [r[col["victims"]] for r in rows if r[1] == d]
                for d in PARTITIONS}
        if any(vals and sup not in vals for vals in dims.values()):
            for d, vals in dims.items():
                if vals.count(sup) == 1:
                    out.append("%s: dimension %s has a single hidden cell and "
                               "the total is known from another dimension"
                               % (where, d))
    return out


def check_json(json_path, csv_path, k):
    sup = "<%d" % k
    header, rows = read_csv(csv_path)
    try:
        with open(json_path, encoding="utf-8") as f:
            data = json.load(f)
    except ValueError as e:
        return ["%s: not JSON: %s" % (json_path, e)]
    if not isinstance(data, list) or not all(isinstance(o, dict) for o in data):
        return ["%s: not an array of objects" % json_path]
    problems = []
    if len(data) != len(rows):
        problems.append("%s: %d objects, CSV has %d rows"
                        % (json_path, len(data), len(rows)))
    for o, r in zip(data, rows):
        if list(o.keys()) != header:
            problems.append("%s: keys %s, CSV header %s"
                            % (json_path, list(o.keys()), header))
            break
        for c, v in zip(header, r):
            j = o[c]
            if v in (sup, ""):
                ok = j is None
            elif c in COUNTS or c == "median_days":
                ok = type(j) is int and str(j) == v
            elif c == "attrition":
                ok = isinstance(j, (int, float)) and "%.3f" % j == v
            elif c == "within_30_days_pct":
                ok = isinstance(j, (int, float)) and "%.1f" % j == v
            else:
                ok = j == v
            if not ok:
                problems.append("%s: row %s: %s is %r in JSON, %r in CSV"
                                % (json_path, ",".join(r[:3]), c, j, v))
    return problems


def main():
    mode = sys.argv[1]
    if mode == "secretariat":
        k = int(sys.argv[4]) if len(sys.argv) > 4 else 10
        problems = check_secretariat(sys.argv[2], sys.argv[3], k)
    elif mode == "json":
        k = int(sys.argv[4]) if len(sys.argv) > 4 else 10
        problems = check_json(sys.argv[2], sys.argv[3], k)
    elif mode == "jsondir":
        k = int(sys.argv[4]) if len(sys.argv) > 4 else 10
        names = sorted(n[:-5] for n in os.listdir(sys.argv[2])
                       if n.endswith(".json"))
        problems = [] if names else ["no JSON answers in " + sys.argv[2]]
        for n in names:
            problems += check_json(os.path.join(sys.argv[2], n + ".json"),
                                   os.path.join(sys.argv[3], n + ".csv"), k)
    else:
        sys.exit("usage: stats_check.py secretariat|json|jsondir ...")
    for p in problems[:15]:
        print("  " + p)
    if len(problems) > 15:
        print("  ... and %d more" % (len(problems) - 15))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
