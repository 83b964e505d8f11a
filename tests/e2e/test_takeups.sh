#!/usr/bin/env bash
# End to end: a destination that records no take-ups. mimp's file is
# delivered without its referral_received records, as from a case system
# that does not send them: every referral to mimp then reads 0 taken up,
# all pending. kuska query referrals says on standard error, for the
# analyst, the secretariat and pnp's officers (pnp-stats), that mimp has
# no take-up on record, of any date, and names no destination that has
# (mp, pj, minsa); the CSV stays as EVENTS.md fixes it. kuska query
# indicators says so too (the shipped set reads the take-up to mimp), and
# the report says it under the referrals and the indicators, in Spanish
# and English. Once mimp's take-ups arrive, no note is left. A rate that
# reads more than 100 per 100 (victims identified per 100 identified by
# pnp, added to the shipped set) is named in a note saying why that is no
# error, and only it.
. "$(dirname "$0")/lib.sh"

net_init
cat "$KUSKA_SRC/config/indicators.conf" - >"$N/indicators.conf" <<'EOF'

[indicator identified-per-pnp]
name = Victims identified per 100 identified by PNP
level = outcome
component = governance
value = 100 * identification.victims[institution=all]
  / identification.victims[institution=pnp]
unit = rate
direction = increase
baseline = 2024: 100
target = 2026: 120
frequency = year
basis = a test's
EOF
echo "indicators = $N/indicators.conf" >>"$N/consolidator.conf"
# The secretariat's releases made a second after the last commit, not
# five: nothing here is about the quiet time.
echo "prepare_quiet_s = 1" >>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 200 --seed 3 >/dev/null
grep '"referral_received"' "$T/sim/mimp.jsonl" >"$T/mimp-takeups.jsonl"
grep -v '"referral_received"' "$T/sim/mimp.jsonl" >"$T/mimp-rest.jsonl"
cp "$T/mimp-rest.jsonl" "$T/sim/mimp.jsonl"
check "sim writes take-ups by mimp" test -s "$T/mimp-takeups.jsonl"
lines=$(wc -l <"$N/consolidator.log")
submit_all "$T/sim"
check "every submission accepted" submitted_ok $INSTS
check "every event delivered" wait_delivered 120
# The secretariat's answers of 2025 wait for its release: prepared first
# (2024's, made after it, is not asked for: its audit gives way).
check "2025's release prepared" release_ready 2025 "$lines"

NOTE="has recorded no take-up (referral_received) of any date"
# query WHO TABLE [OPTION...]: its CSV in T/WHO-TABLE.csv, its standard
# error in T/WHO-TABLE.err.
query() {
	local who=$1 table=$2
	shift 2
	"$KUSKA" query -c "$N/$who.conf" "$table" --period 2025 --format csv \
		"$@" >"$T/$who-$table.csv" 2>"$T/$who-$table.err"
}
# lacks FILE PATTERN: FILE is there and no line of it matches PATTERN
# (grep's basic regular expression).
lacks() {
	[ -r "$1" ] && ! grep -q "$2" "$1"
}
# noted FILE INST: FILE's note names INST alone, and nothing else.
noted() {
	grep -q "^kuska query: note: $2 $NOTE" "$1" &&
		[ "$(grep -c "$NOTE" "$1")" = 1 ]
}
for who in analyst secretariat pnp-stats; do
	query "$who" referrals
	check "$who: referrals answered" test -s "$T/$who-referrals.csv"
	check "$who: the CSV header is EVENTS.md's" \
		test "$(head -1 "$T/$who-referrals.csv")" = \
		"period,from,to,sent,taken_up,pending,median_days"
	check "$who: the note names mimp, no other" \
		noted "$T/$who-referrals.err" mimp
done
check "analyst: pnp to mimp reads 0 taken up" \
	grep -Eq '^"2025",pnp,mimp,[0-9]+,0,' "$T/analyst-referrals.csv"
check "analyst: mp has take-ups (pnp to mp)" \
	grep -Eq '^"2025",pnp,mp,[0-9]+,[1-9]' "$T/analyst-referrals.csv"
check "pnp-stats: the note is of its own referrals" \
	grep -q "of the referrals your institution sent or received" \
	"$T/pnp-stats-referrals.err"
check "the note is on standard error only" \
	lacks "$T/analyst-referrals.csv" "take-up"
query analyst indicators
check "indicators: the note names mimp" \
	noted "$T/analyst-indicators.err" mimp
check "indicators: it says what the indicators read" \
	grep -q "the indicators made of them read that gap" \
	"$T/analyst-indicators.err"
check "indicators: the rate reads more than 100" \
	awk -F, '$2 == "\"identified-per-pnp\"" && $7 == "rate" && $8 > 100 \
		{ found = 1 } END { exit !found }' "$T/analyst-indicators.csv"
check "indicators: the note names it alone, and says why" grep -q \
	"^kuska query: note: identified-per-pnp reads more than 100 per 100, and that is no error" \
	"$T/analyst-indicators.err"
check "indicators: the note's care is an example, not this rate's reason" \
	grep -q "among the second (as with mental-health care, where victims" \
	"$T/analyst-indicators.err"

# The report, in both languages: under the referrals and the indicators.
for lang in es en; do
	"$KUSKA" report -c "$N/analyst.conf" --period 2025 --lang "$lang" \
		-o "$T/report-$lang.html" 2>"$T/report-$lang.err"
	check "report ($lang) written" test -s "$T/report-$lang.html"
done
check "report (en): the referrals' note" grep -q \
	"No take-up (referral_received) of any date is on record from MIMP:" \
	"$T/report-en.html"
check "report (en): the indicators' note" grep -q \
	"Indicators on the referrals taken up by MIMP show a gap in the data" \
	"$T/report-en.html"
check "report (es): the referrals' note" grep -q \
	"No hay registrada ninguna aceptación (referral_received) de MIMP, de ninguna fecha" \
	"$T/report-es.html"
check "report (es): the indicators' note" grep -q \
	"Los indicadores sobre las derivaciones aceptadas por MIMP muestran un vacío" \
	"$T/report-es.html"
check "report (en): the rate's note" grep -q \
	"Above 100 per 100: “Victims identified per 100 identified by PNP”. That is no error" \
	"$T/report-en.html"
check "report (es): the rate's note" grep -q \
	"Por encima de 100 por cada 100: «Victims identified per 100 identified by PNP». No es un error" \
	"$T/report-es.html"
check "report (en): no other destination named" \
	lacks "$T/report-en.html" \
	'on record from \(PNP\|MP\|PJ\|MINSA\)\|taken up by \(PNP\|MP\|PJ\|MINSA\) show'

# mimp's take-ups arrive: nothing is left to note.
lines=$(wc -l <"$N/consolidator.log")
"$KUSKA" submit -c "$N/mimp.conf" "$T/mimp-takeups.jsonl" >"$T/submit-mimp.out"
check "mimp's take-ups accepted" submitted_ok mimp
check "mimp's take-ups delivered" wait_delivered 120
check "2025's release prepared again" release_ready 2025 "$lines"
for who in analyst secretariat pnp-stats; do
	query "$who" referrals
	check "$who: no note once the take-ups arrive" \
		lacks "$T/$who-referrals.err" "$NOTE"
done
check "analyst: pnp to mimp now taken up" \
	grep -Eq '^"2025",pnp,mimp,[0-9]+,[1-9]' "$T/analyst-referrals.csv"
query analyst indicators
check "indicators: no note once the take-ups arrive" \
	lacks "$T/analyst-indicators.err" "$NOTE"
"$KUSKA" report -c "$N/analyst.conf" --period 2025 --lang en \
	-o "$T/report-after.html" 2>/dev/null
check "report: no note once the take-ups arrive" \
	lacks "$T/report-after.html" "No take-up (referral_received)"
finish
