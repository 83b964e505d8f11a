#!/usr/bin/env bash
# test_estimate.sh - kuska estimate, the offline multiple-systems
# estimation command, run as a user runs it: on the published tables in
# tests/data/mse, on bad files, and with a bootstrap. No daemon involved.
. "$(dirname "$0")/lib.sh"

: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"
DATA="$KUSKA_SRC/tests/data/mse"
HEADER="lists,observed,method,interactions,estimate,low95,high95,note"

# The UK's five lists: both rows, with SparseMSE's figures (to 0.1 of a victim).
out=$("$KUSKA" estimate "$DATA/UKdat_5.csv" --format csv)
rc=$?
expect="$HEADER
LA+NG+PFNCA+GO+GP,2744,main,,13444.1,11985.2,15133.4,\"model-conditional 95%, log-normal\"
LA+NG+PFNCA+GO+GP,2744,stepwise,LA:NG NG:GP PFNCA:GP LA:PFNCA GO:GP NG:GO,11313.0,9884.4,13027.4,\"model-conditional 95%, log-normal\""
if [ "$rc" = 0 ] && [ "$out" = "$expect" ]; then
	ok "UKdat_5: main and stepwise rows as SparseMSE"
else
	not_ok "UKdat_5 (exit $rc):"
	printf '%s\n' "$out"
fi

# One method, as JSON, from standard input.
out=$("$KUSKA" estimate - --method stepwise --format json <"$DATA/Western.csv")
if printf '%s' "$out" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 1, rows
r = rows[0]
assert r["method"] == "stepwise" and r["interactions"] == "A:E", r
assert r["observed"] == 345 and r["estimate"] == 2483.4, r
assert r["low95"] < r["estimate"] < r["high95"] and r["note"] == "model-conditional 95%, log-normal", r
'; then
	ok "Western from stdin as JSON: A:E and 2483.4"
else
	not_ok "Western as JSON: $out"
fi

# Text: aligned columns under the same names.
out=$("$KUSKA" estimate "$DATA/Ned_5.csv")
if printf '%s\n' "$out" | head -1 | grep -q '^lists  *observed  *method  *interactions  *estimate  *low95  *high95  *note$' &&
	printf '%s\n' "$out" | grep -q 'model-conditional 95%, log-normal; K and R never overlap (effect -inf)$'; then
	ok "text format, with the note on a pair at minus infinity"
else
	not_ok "text format:"
	printf '%s\n' "$out"
fi

# The bootstrap row: same seed, same figures; interval around the estimate.
a=$("$KUSKA" estimate "$DATA/Western.csv" --boot 200 --seed 3 --format csv)
b=$("$KUSKA" estimate "$DATA/Western.csv" --boot 200 --seed 3 --format csv)
if [ "$a" = "$b" ] && printf '%s' "$a" | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
assert [r["method"] for r in rows] == ["main", "stepwise", "bootstrap"], rows
r = rows[2]
assert r["interactions"] == "A:E" and r["estimate"] == "2483.4", r
assert float(r["low95"]) < 2483.4 < float(r["high95"]), r
assert r["note"] == "BCa 95%, 200 resamples of stepwise, seed 3", r
'; then
	ok "bootstrap row repeatable for a seed, BCa interval around 2483.4"
else
	not_ok "bootstrap:"
	printf '%s\n%s\n' "$a" "$b"
fi

# Resamples without an estimate: an infinite upper limit, written as
# kuska(1) says (inf in CSV, null in JSON), and counted in the note; 3
# cases on both lists, too few to trust (ESTIMATION.md, "Sparse tables").
printf 'A,B,n\n1,0,5\n0,1,7\n1,1,3\n' >"$T/thin.csv"
a=$("$KUSKA" estimate "$T/thin.csv" --boot 200 --format csv | tail -1)
b=$("$KUSKA" estimate "$T/thin.csv" --boot 200 --format json)
if printf '%s' "$a" | grep -q '^A+B,15,bootstrap,,26.7,[0-9.]*,inf,"BCa 95%, 200 resamples of stepwise, seed 1; sparse: 3 cases seen by more than one list (under 7): too few to trust the estimate; [0-9]* without an estimate, counted as infinite"$' &&
	printf '%s' "$b" | python3 -c '
import json, sys
r = json.load(sys.stdin)[2]
assert r["high95"] is None and "counted as infinite" in r["note"], r
'; then
	ok "an infinite upper limit: inf in CSV, null in JSON, counted in the note; a sparse table said so"
else
	not_ok "infinite upper limit:"
	printf '%s\n%s\n' "$a" "$b"
fi

# No estimate: the row says why, the exit status is 1.
printf 'pnp,mimp,n\n1,0,12\n0,1,30\n' >"$T/apart.csv"
out=$("$KUSKA" estimate "$T/apart.csv" --method main --format csv)
rc=$?
if [ "$rc" = 1 ] && [ "$out" = "$HEADER
pnp+mimp,42,main,,,,,no estimate: the main-effects model has no finite maximum-likelihood estimate: no case was seen by more than one list" ]; then
	ok "lists that never overlap: no estimate, the reason, exit 1"
else
	not_ok "no overlap (exit $rc): $out"
fi

# A list named as a spreadsheet formula begins (here -2): its row's
# lists and interactions quoted after a ' in CSV, never a formula
# (CSV injection); JSON and the figures as they were.
printf -- '-2,B,n\n1,0,12\n0,1,30\n' >"$T/formula.csv"
out=$("$KUSKA" estimate "$T/formula.csv" --method main --format csv | tail -1)
check "a list named -2: its lists cell quoted after a ' in CSV ($out)" \
	test "$out" = "\"'-2+B\",42,main,,,,,no estimate: the main-effects model has no finite maximum-likelihood estimate: no case was seen by more than one list"

# Bad files: FILE:LINE: reason on stderr, nothing on stdout, exit 1.
bad() { # bad NAME CONTENT EXPECTED-STDERR
	printf '%b' "$2" >"$T/$1.csv"
	out=$("$KUSKA" estimate "$T/$1.csv" 2>"$T/err")
	rc=$?
	if [ "$rc" = 1 ] && [ -z "$out" ] &&
		[ "$(cat "$T/err")" = "kuska estimate: $T/$1.csv:$3" ]; then
		ok "refused: $1"
	else
		not_ok "$1 (exit $rc): $(cat "$T/err") $out"
	fi
}
bad columns 'A,B,n\n1,0,4\n0,1\n' '3: 2 fields, expected 3 (a 0 or 1 for each of the 2 lists, then the count)'
bad negative 'A,B,C,n\n1,0,0,4\n0,1,1,-2\n' '3: negative count "-2"'
bad duplicate 'A,B,n\n1,0,4\n0,1,3\n1,1,2\n1,0,5\n' '5: this history repeats line 2'
bad onelist 'A,n\n1,4\n' '1: the header names 2 columns: it needs at least two lists and the count'
bad semicolons 'A;B;n\n1;0;4\n' '1: the header names 1 column: it needs at least two lists and the count, separated by commas (this line has semicolons)'
bad tabs 'A\tB\tn\n1\t0\t4\n' '1: the header names 1 column: it needs at least two lists and the count, separated by commas (this line has tabs)'
bad toomany 'A,B,C,D,E,F,G,H,I,J,K,n\n' '1: 11 lists: at most 10'

# Usage errors: exit 2.
"$KUSKA" estimate "$DATA/Western.csv" --method fancy >/dev/null 2>&1
rc1=$?
"$KUSKA" estimate "$DATA/Western.csv" --boot 100001 >/dev/null 2>&1
rc2=$?
"$KUSKA" estimate "$T/missing.csv" >/dev/null 2>&1
rc3=$?
"$KUSKA" estimate "$DATA/Western.csv" --boot 0 >/dev/null 2>&1
rc4=$?
"$KUSKA" estimate "$DATA/Western.csv" --seed 5 >/dev/null 2>"$T/err"
rc5=$?
check "usage errors and a missing file exit 2" \
	test "$rc1$rc2$rc3$rc4$rc5" = 22222
check "a seed without resamples is refused, as kuska query refuses it" \
	grep -qx 'kuska estimate: --seed needs --boot N' "$T/err"

finish
