#!/usr/bin/env python3
"""Prints, one per line, the identities in kuska JSON Lines files: names,
document numbers and birth dates, raw and in the forms the node normalises
them to, so that tests can search every file, log and frame for them.
Strings shorter than MIN characters are left out: they occur by chance in
binary data."""
import json
import sys
import unicodedata

MIN = 6


def fold(s):
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.upper().split())


def victims(rec):
    if "victim" in rec:
        yield rec["victim"]
    for v in rec.get("victims", []):
        yield v
    if "record" in rec:
        yield from victims(rec["record"])


out = set()
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            for v in victims(json.loads(line)):
                doc = v.get("document")
                if doc:
                    n = doc["number"]
                    out.update({n, n.replace(" ", "").replace("-", "")})
                for k in ("given_names", "surnames"):
                    if k in v:
                        out.update({v[k], fold(v[k])})
                if "birth_date" in v:
                    b = v["birth_date"]
                    out.update({b, b.replace("-", "")})
for s in sorted(out):
    if len(s) >= MIN:
        print(s)
