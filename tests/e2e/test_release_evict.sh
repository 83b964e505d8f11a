#!/usr/bin/env bash
# A secretariat key (or a stolen one) that asks for years without records,
# any of 2000 to 2999, each release computed in milliseconds, does not push
# a year's release that took seconds out of the cache (64 releases), where
# 64 such questions in a second let it go and the year's next question
# computed it again (16 s at a load of 9: hostile56). Here 2025's audit is
# held in GLPK (tests/tools/shim/slowread.c) for 1.5 s or more; then 70
# years without records are asked for; 2025 asked again is answered from
# the release kept, computed once (kuska_releases_computed_total).
. "$(dirname "$0")/lib.sh"

audit_held_net

touch "$SLOW"
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
	--format csv >"$T/q.csv" 2>"$T/q.err" &
QPID=$!
check "2025's audit is held" wait_for_file "$SLOW.hit" 60
held=$EPOCHREALTIME
sleep_since "$held" 1.5
rm -f "$SLOW"
wait "$QPID"
is "2025's table answered (exit status)" "$?" 0
check "... its release computed once" \
	test "$(cons_metric kuska_releases_computed_total)" = 1

for y in $(seq 2100 2169); do printf 'identification\t%s\n' "$y"; done |
	"$ASKER" -k "$N/keys/secretariat.key" -t 60000 \
		-s "$N/keys/consolidator.pub" -e "$QEP" >"$T/ask.out"
check "the 70 years without records answered" \
	test "$(grep -c '^answer rows=' "$T/ask.out")" = 70
R=$(cons_metric kuska_releases_cached)
check "64 releases kept ($R)" test "$R" = 64
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
	--format csv >"$T/again.csv" 2>/dev/null
check "2025 asked again: the same bytes" cmp "$T/q.csv" "$T/again.csv"
R=$(cons_metric kuska_releases_computed_total)
check "... from the release kept: 71 computed in all, not 72 ($R)" \
	test "$R" = 71
finish
