#!/usr/bin/env python3
"""Prints, one per line, the identities in kuska JSON Lines files: names,
document numbers and birth dates, raw, folded, and in the forms the node
normalises them to (lib/norm.h), so that tests can search every file,
log and frame for them. Strings shorter than MIN characters are left out:
they occur by chance in binary data."""
import json
import sys
import unicodedata

MIN = 6


def fold(s):
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.upper().split())


def norm(s):
    """The node's normal form (lib/norm.h): folded, apostrophes deleted,
    other punctuation a space. What the pseudonym batch holds."""
    s = fold(s)
    for c in "'`\u2019":
        s = s.replace(c, "")
    s = "".join(c if c.isalnum() else " " for c in s)
    return " ".join(s.split())


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
                    bare = n.replace(" ", "").replace("-", "")
                    out.update({n, bare, bare.upper()})
                for k in ("given_names", "surnames"):
                    if k in v:
                        out.update({v[k], fold(v[k]), norm(v[k])})
                if "birth_date" in v:
                    b = v["birth_date"]
                    out.update({b, b.replace("-", "")})
for s in sorted(out):
    if len(s) >= MIN:
        print(s)
