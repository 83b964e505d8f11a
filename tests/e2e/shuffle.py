#!/usr/bin/env python3
"""Reorders an institution's JSON Lines file without changing its meaning.

    shuffle.py SEED IN OUT

EVENTS.md lets sequence numbers (the order of a file's lines) decide two
things only: ties between records of one institution on the same day (the
earliest record gives a victim's attributes, a referral's date and region,
a case stage's persons), and which correction of a record is the latest. A
correction or withdrawal must also come after its target. So the records
are shuffled at random, keeping in their original order the records that
fall on the same (final) date, and each record's corrections and its
withdrawal in order after it: any such order must give the same tables.
"""
import json
import random
import sys


def main():
    seed, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rng = random.Random(seed)
    lines = [l for l in open(src, encoding="utf-8") if l.strip()]
    recs = [json.loads(l) for l in lines]
    by_ref = {r["ref"]: i for i, r in enumerate(recs)}
    # A record's final date: that of its latest correction, if any.
    final = {}
    for i, r in enumerate(recs):
        if r["kind"] == "correction":
            final[by_ref[r["target_ref"]]] = r["record"]["date"]
        elif r["kind"] != "withdrawal":
            final.setdefault(i, r["date"])
    # Chains that must keep their order: the records of one final date;
    # and, for each record, its corrections and withdrawal.
    chains = {}
    for i, r in enumerate(recs):
        if r["kind"] in ("correction", "withdrawal"):
            chains.setdefault(("change", r["target_ref"]), []).append(i)
        else:
            chains.setdefault(("date", final[i]), []).append(i)
    # A random merge of the chains, a change never before its target.
    heads = {k: 0 for k in chains}
    placed, out = set(), []
    while len(out) < len(recs):
        ready = []
        for k, c in chains.items():
            if heads[k] == len(c):
                continue
            i = c[heads[k]]
            r = recs[i]
            if r["kind"] in ("correction", "withdrawal") and \
                    by_ref[r["target_ref"]] not in placed:
                continue
            ready.append(k)
        k = rng.choice(sorted(ready))
        i = chains[k][heads[k]]
        heads[k] += 1
        placed.add(i)
        out.append(lines[i])
    with open(dst, "w", encoding="utf-8") as f:
        f.writelines(out)


if __name__ == "__main__":
    main()
