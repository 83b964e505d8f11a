#!/usr/bin/env bash
# test_sources_pin.sh - the events an institution delivered, of all time
# (the sources and deliveries tables), must not let the secretariat work
# out a year's hidden records. MINSA identifies twelve victims in 2025,
# every count of that year shown, and one in 2024, hidden: were its 13
# events shown beside 2025's 12 records, its 2024 records would be at most
# 13 - 12 = 1, hidden so at least 1: exactly one record, one victim, in
# the one region whose count is hidden, and the 2024 breakdown's hidden
# cells each that victim (attack57: kuska sim --victims 200 --seed 21
# gave pj's 2024 records so, the release logging them unprotected).
. "$(dirname "$0")/lib.sh"

net_init
start_all
victim() { # REF DATE: an identification of a victim of its own
	printf '{"kind":"identification","ref":"%s","date":"%s","region":"15","victim":{"sex":"F","age":15,"nationality":"PE"},"exploitation":["sexual"]}\n' "$1" "$2"
}
{
	for i in $(seq 1 12); do victim "MINSA-9$i" 2025-03-10; done
	victim MINSA-80 2024-05-10
} >"$T/minsa.jsonl"
check "MINSA's 13 identifications submitted" \
	"$KUSKA" submit -c "$N/minsa.conf" "$T/minsa.jsonl" >/dev/null 2>&1
check "... delivered" wait_delivered 60

sec() { "$KUSKA" query -c "$N/secretariat.conf" "$@" --format csv 2>/dev/null; }
# what the secretariat is shown of MINSA: its records in 2025 and 2024,
# its events of all time (sources, deliveries)
r25=$(sec timeliness --period 2025 | awk -F, '$2 == "minsa" { print $3 }')
r24=$(sec timeliness --period 2024 | awk -F, '$2 == "minsa" { print $3 }')
src=$(sec sources --period 2025 | awk -F, '$1 == "minsa" { print $2 }')
dlv=$(sec deliveries --period 2025 | awk -F, '$1 == "minsa" { print $3 }')
echo "# secretariat: MINSA's records 2025 $r25, 2024 $r24; events $src (sources), $dlv (deliveries)"
is "2025's records shown" "$r25" 12
is "2024's hidden" "$r24" "<10"
# A hidden count is at least 1: the events of all time less the other
# years' records shown must leave it three values or more, or not be shown.
leaves_three() { # EVENTS
	case $1 in
	'' | *[!0-9]*) return 0 ;; # withheld
	esac
	[ $(($1 - r25)) -ge 3 ]
}
check "sources: MINSA's events do not pin its 2024 records ($src - $r25)" \
	leaves_three "$src"
check "deliveries: nor there ($dlv - $r25)" leaves_three "$dlv"
# Twelve corrections later (events, no new records), MINSA's 25 events
# exceed its records by 12: shown, they would bound 2024's by 25 - 12 =
# 13, no more than its being hidden does. But a rule that showed them for
# that would tell a reader who knows it that the excess is 12 or more,
# so 2024's records at most 1 again: the events stay withheld while a
# year's records are small, whatever the excess.
correction() { # N: a correction of MINSA-9N, the same record
	printf '{"kind":"correction","ref":"MINSA-C%s","target_ref":"MINSA-9%s","record":{"kind":"identification","date":"2025-03-10","region":"15","victim":{"sex":"F","age":15,"nationality":"PE"},"exploitation":["sexual"]}}\n' "$1" "$1"
}
for i in $(seq 1 12); do correction "$i"; done >"$T/corrections.jsonl"
check "twelve corrections of MINSA's submitted" \
	"$KUSKA" submit -c "$N/minsa.conf" "$T/corrections.jsonl" >/dev/null 2>&1
check "... delivered" wait_delivered 60
is "the analyst's sources: 25 events" \
	"$("$KUSKA" query -c "$N/analyst.conf" sources --format csv | awk -F, '$1 == "minsa" { print $2 }')" 25
is "the secretariat's: still withheld" \
	"$(sec sources --period 2025 | awk -F, '$1 == "minsa" { print $2 }')" "<10"
is "... in deliveries too" \
	"$(sec deliveries --period 2025 | awk -F, '$1 == "minsa" { print $3 }')" "<10"
# The audit of 2024 had them as known and could hide nothing of 2024 to
# widen its records: it logged them beyond protection.
none_unprotected() {
	grep -q "event=release group=year year=2024 " "$N/consolidator.log" &&
		! grep "event=release group=year year=2024 " "$N/consolidator.log" |
		grep -qv " unprotected=0 "
}
check "2024's releases leave no count unprotected" none_unprotected
# The analyst and MINSA's own officers still get the events, exactly.
is "MINSA's officers' deliveries: 25 events" \
	"$("$KUSKA" query -c "$N/minsa-stats.conf" deliveries --format csv | awk -F, '$1 == "minsa" { print $3 }')" 25

finish
