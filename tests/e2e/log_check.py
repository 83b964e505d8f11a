#!/usr/bin/env python3
"""log_check.py - reads daemon logs line by line and says whether every
line is one of kuska's own events.

    log_check.py EVENTS_FILE LOG...

EVENTS_FILE lists the event names the sources can write, one per line. A
line passes when it is

    PROGRAM: [warning: |debug: ]event=NAME[ KEY=VALUE]...

with PROGRAM kuska-consolidator or kuska-node, NAME one of the listed
events, every KEY lower-case and given once, and every VALUE either bare
(no space, quote or backslash) or double-quoted with backslash escapes;
only printable ASCII. Prints each line that fails, with the reason, and
exits 1 if there was any (0 otherwise).
"""

import re
import sys

LINE = re.compile(r'^(kuska-consolidator|kuska-node): (warning: |debug: )?(.*)$')
FACT = re.compile(r' ?([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ "\\]*)')


def judge(line, events):
    if any(ord(c) < 0x20 or ord(c) > 0x7e for c in line):
        return "a control or non-ASCII character"
    m = LINE.match(line)
    if m is None:
        return "not a kuska daemon line"
    facts, pos, keys = m.group(3), 0, []
    while pos < len(facts):
        f = FACT.match(facts, pos)
        if f is None or f.end() == pos or (pos > 0 and facts[pos] != " "):
            return "not KEY=VALUE at column %d" % pos
        keys.append((f.group(1), f.group(2)))
        pos = f.end()
    if not keys or keys[0][0] != "event":
        return "does not start with event="
    if keys[0][1] not in events:
        return "unknown event %s" % keys[0][1]
    names = [k for k, _ in keys]
    if len(set(names)) != len(names):
        return "a key given twice"
    return None


def main():
    with open(sys.argv[1]) as f:
        events = {l.strip() for l in f if l.strip()}
    bad = 0
    lines = 0
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                lines += 1
                line = raw.decode("latin-1").rstrip("\n")
                why = judge(line, events)
                if why is not None:
                    bad += 1
                    print("%s:%d: %s: %r" % (path, n, why, line[:200]))
    print("%d lines read, %d not kuska's own events" % (lines, bad))
    return 1 if bad or lines == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
