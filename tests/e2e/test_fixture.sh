#!/usr/bin/env bash
# Statistics by hand: the fixture of tests/data/fixture (85 records across
# the five institutions, dated in 2024 and 2025) goes through a real
# network; every table of the analyst's view, for 2025Q2 and for 2025, the
# tables that linking version 2 and the referral rules change for 2024, and
# the timeliness of 2025Q2 and 2024 must equal the output written out below.
# Each expected number is derived in tests/data/fixture/README.md. Then the
# indicators table over the same data: each value equals what the tables it
# names give, for the analyst and the secretariat, and a broken indicator
# file sent with SIGHUP leaves the indicators in force.
. "$(dirname "$0")/lib.sh"

: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"
FIX="$KUSKA_SRC/tests/data/fixture"

# T, the day (Peru time) the consolidator accepts the records, and the
# days from a date to it: the timeliness table counts them.
peru_today() { date -u -d '-5 hours' +%F; }
TODAY=$(peru_today)
since() { echo $((($(date -u -d "$TODAY" +%s) - $(date -u -d "$1" +%s)) / 86400)); }

net_init

# A small indicator file, baselines in 2024, read at start.
IND=$T/indicators.conf
cat >"$IND" <<'INI'
; indicators over the fixture (test_fixture.sh)
[indicator takeup]
name = Referrals to MIMP taken up
level = outcome
component = protection
key = yes
value = 100 * referrals.taken_up[to=mimp] / referrals.sent[to=mimp]
unit = percent
direction = increase
baseline = 2024: 50
target = 2026H2: 90
frequency = semester
basis = test
[indicator pnp-days]
name = Days from a PNP referral to MIMP
level = outcome
component = protection
value = referrals.median_days[from=pnp,to=mimp]
unit = days
direction = decrease
baseline = 2024: 10
target = 2026H2: 2
frequency = semester
basis = test
[indicator victims]
name = Victims identified
level = output
component = protection
key = yes
value = identification.victims[institution=all]
unit = count
direction = increase
baseline = 2024: 5
target = 2026: 20
frequency = year
basis = test
[indicator accusation-days]
name = Days from complaint to accusation
level = outcome
component = prosecution
value = durations.median_days[from_stage=complaint,
  to_stage=preliminary_investigation]
  + durations.median_days[from_stage=preliminary_investigation,
  to_stage=formalized_investigation]
  + durations.median_days[from_stage=formalized_investigation,
  to_stage=accusation]
unit = days
direction = decrease
baseline = 2024H2: 120
target = 2026H2: 60
frequency = semester
basis = test
[indicator formalized]
name = Complaints reaching a formalized investigation
level = outcome
component = prosecution
value = 100 * funnel.cases[stage=formalized_investigation]
  / funnel.cases[stage=complaint]
unit = percent
direction = increase
baseline = 2024: 70
target = 2026H2: 80
frequency = semester
basis = =HYPERLINK("http://x","a formula, never run in a spreadsheet")
INI
echo "indicators = $IND" >>"$N/consolidator.conf"
check "kuska-consolidator -n reads the indicator file" \
	sh -c "'$CONS' -n -c '$N/consolidator.conf' 2>&1 >/dev/null |
		grep -q '; 5 indicators)\$'"

start_all

# Every record is accepted; the fixture's few unlinkable victims only warn.
for i in $INSTS; do
	"$KUSKA" submit -c "$N/$i.conf" "$FIX/$i.jsonl" >"$T/submit-$i.out" 2>&1
	want=$(records "$FIX/$i.jsonl")
	check "$i: all $want fixture records accepted" \
		grep -q ": $want accepted, 0 already held, 0 refused" "$T/submit-$i.out"
done
check "fixture delivered" wait_delivered 30
for i in $INSTS; do
	check "$i: consolidator holds $(records "$FIX/$i.jsonl") events" \
		test "$(cons_last_seq "$i")" = "$(records "$FIX/$i.jsonl")"
done

# expect TABLE PERIOD: stdin is the expected CSV of the analyst's query.
expect() {
	local table=$1 period=$2
	cat >"$T/want-$table-$period.csv"
	"$KUSKA" query -c "$N/analyst.conf" "$table" --period "$period" \
		--format csv >"$T/got-$table-$period.csv" 2>&1
	if diff -u "$T/want-$table-$period.csv" "$T/got-$table-$period.csv" \
		>"$T/diff-$table-$period.txt"; then
		ok "$table $period"
	else
		not_ok "$table $period"
		sed 's/^/    /' "$T/diff-$table-$period.txt"
	fi
}

# ---- identification ----------------------------------------------------
# Every period is quoted, a year as a quarter is: a spreadsheet told to
# take quoted fields as text keeps the column text, not 2025 a number
# beside the text 2025Q2 (sorted, filtered and summed apart).

expect identification 2025Q2 <<'CSV'
period,institution,victims
"2025Q2",pnp,3
"2025Q2",mp,1
"2025Q2",pj,0
"2025Q2",mimp,4
"2025Q2",minsa,3
"2025Q2",all,8
CSV

expect identification 2025 <<'CSV'
period,institution,victims
"2025",pnp,6
"2025",mp,3
"2025",pj,0
"2025",mimp,4
"2025",minsa,4
"2025",all,11
CSV

# ---- overlap -----------------------------------------------------------

expect overlap 2025Q2 <<'CSV'
period,institutions,victims
"2025Q2",pnp,0
"2025Q2",mp,1
"2025Q2",mimp,2
"2025Q2",minsa,1
"2025Q2",pnp+mp,0
"2025Q2",pnp+mimp,0
"2025Q2",pnp+minsa,0
"2025Q2",mp+mimp,0
"2025Q2",mp+minsa,0
"2025Q2",mimp+minsa,1
"2025Q2",pnp+mp+mimp,0
"2025Q2",pnp+mp+minsa,0
"2025Q2",pnp+mimp+minsa,1
"2025Q2",mp+mimp+minsa,0
"2025Q2",pnp+mp+mimp+minsa,0
"2025Q2",unlinkable,2
CSV

expect overlap 2025 <<'CSV'
period,institutions,victims
"2025",pnp,1
"2025",mp,0
"2025",mimp,1
"2025",minsa,1
"2025",pnp+mp,2
"2025",pnp+mimp,0
"2025",pnp+minsa,0
"2025",mp+mimp,1
"2025",mp+minsa,0
"2025",mimp+minsa,1
"2025",pnp+mp+mimp,0
"2025",pnp+mp+minsa,0
"2025",pnp+mimp+minsa,1
"2025",mp+mimp+minsa,0
"2025",pnp+mp+mimp+minsa,0
"2025",unlinkable,3
CSV

# ---- breakdown ---------------------------------------------------------
# Every value is quoted, a code: a spreadsheet told to take quoted
# fields as text keeps the column text, region 16 as 01 (a number beside
# text, it sorted and looked up apart), and 6-11 and 18+ not a date and
# 18 (csvcell.h).

expect breakdown 2025Q2 <<'CSV'
period,dimension,value,victims
"2025Q2",sex,"F",5
"2025Q2",sex,"M",3
"2025Q2",age_group,"0-5",1
"2025Q2",age_group,"12-13",2
"2025Q2",age_group,"14-17",5
"2025Q2",nationality,"PE",7
"2025Q2",nationality,"VE",1
"2025Q2",region,"16",2
"2025Q2",region,"17",4
"2025Q2",region,"21",2
"2025Q2",exploitation,"begging",1
"2025Q2",exploitation,"domestic_servitude",1
"2025Q2",exploitation,"labour",4
"2025Q2",exploitation,"other",1
"2025Q2",exploitation,"sexual",2
CSV

expect breakdown 2025 <<'CSV'
period,dimension,value,victims
"2025",sex,"F",7
"2025",sex,"M",4
"2025",age_group,"0-5",1
"2025",age_group,"6-11",2
"2025",age_group,"12-13",1
"2025",age_group,"14-17",6
"2025",age_group,"18+",1
"2025",nationality,"PE",8
"2025",nationality,"VE",2
"2025",nationality,"XX",1
"2025",region,"15",2
"2025",region,"16",3
"2025",region,"17",4
"2025",region,"21",2
"2025",exploitation,"domestic_servitude",1
"2025",exploitation,"forced_criminality",1
"2025",exploitation,"labour",4
"2025",exploitation,"other",1
"2025",exploitation,"sexual",4
CSV

# ---- referrals ---------------------------------------------------------

expect referrals 2025Q2 <<'CSV'
period,from,to,sent,taken_up,pending,median_days
"2025Q2",pnp,mimp,2,1,1,2
"2025Q2",pnp,minsa,1,1,0,71
"2025Q2",mp,mimp,1,0,1,
"2025Q2",minsa,mimp,1,1,0,3
kuska query: note: take-ups the destination recorded that match no referral of their sender (pnp to minsa 1) count in no row of this table, and a referral they name with its number written otherwise reads pending: compare the numbers with the sender's; kuska query referrals_unmatched --period 2025Q2 counts them per pair
CSV

expect referrals 2025 <<'CSV'
period,from,to,sent,taken_up,pending,median_days
"2025",pnp,mimp,3,2,1,2
"2025",pnp,minsa,1,1,0,71
"2025",mp,mimp,2,1,1,78
"2025",minsa,mimp,1,1,0,3
kuska query: note: take-ups the destination recorded that match no referral of their sender (pnp to minsa 1) count in no row of this table, and a referral they name with its number written otherwise reads pending: compare the numbers with the sender's; kuska query referrals_unmatched --period 2025 counts them per pair
CSV

# ---- protection --------------------------------------------------------

expect protection 2025Q2 <<'CSV'
period,service,victims,median_days
"2025Q2",legal_aid,0,
"2025Q2",medical,2,0
"2025Q2",mental_health,2,72
"2025Q2",reintegration,0,
"2025Q2",residential_care,3,3
"2025Q2",special_protection,1,3
CSV

expect protection 2025 <<'CSV'
period,service,victims,median_days
"2025",legal_aid,1,146
"2025",medical,3,6
"2025",mental_health,2,72
"2025",reintegration,0,
"2025",residential_care,3,3
"2025",special_protection,1,3
CSV

# ---- prosecution -------------------------------------------------------

expect prosecution 2025Q2 <<'CSV'
period,stage,cases,persons
"2025Q2",complaint,2,5
"2025Q2",preliminary_investigation,1,3
"2025Q2",formalized_investigation,2,3
"2025Q2",accusation,3,3
"2025Q2",trial,2,2
"2025Q2",conviction,0,0
"2025Q2",acquittal,0,0
"2025Q2",dismissal,1,3
CSV

expect prosecution 2025 <<'CSV'
period,stage,cases,persons
"2025",complaint,5,9
"2025",preliminary_investigation,3,6
"2025",formalized_investigation,3,4
"2025",accusation,3,3
"2025",trial,2,2
"2025",conviction,1,1
"2025",acquittal,1,1
"2025",dismissal,1,3
CSV

# ---- funnel ------------------------------------------------------------

expect funnel 2025Q2 <<'CSV'
period,stage,cases,attrition
"2025Q2",complaint,2,
"2025Q2",preliminary_investigation,2,0.000
"2025Q2",formalized_investigation,1,0.500
"2025Q2",accusation,1,0.000
"2025Q2",trial,0,1.000
"2025Q2",conviction,0,
"2025Q2",acquittal,0,
"2025Q2",dismissal,1,
CSV

expect funnel 2025 <<'CSV'
period,stage,cases,attrition
"2025",complaint,5,
"2025",preliminary_investigation,4,0.200
"2025",formalized_investigation,3,0.250
"2025",accusation,3,0.000
"2025",trial,2,0.333
"2025",conviction,1,0.500
"2025",acquittal,1,
"2025",dismissal,1,
CSV

# ---- durations ---------------------------------------------------------

expect durations 2025Q2 <<'CSV'
period,from_stage,to_stage,median_days
"2025Q2",complaint,preliminary_investigation,14
"2025Q2",preliminary_investigation,formalized_investigation,64
"2025Q2",formalized_investigation,accusation,36
"2025Q2",accusation,trial,17
"2025Q2",trial,conviction,
CSV

expect durations 2025 <<'CSV'
period,from_stage,to_stage,median_days
"2025",complaint,preliminary_investigation,14
"2025",preliminary_investigation,formalized_investigation,31
"2025",formalized_investigation,accusation,36
"2025",accusation,trial,17
"2025",trial,conviction,86
CSV

# ---- 2024: linking version 2 and referrals -------------------------------

expect identification 2024 <<'CSV'
period,institution,victims
"2024",pnp,3
"2024",mp,2
"2024",pj,0
"2024",mimp,1
"2024",minsa,3
"2024",all,7
CSV

expect overlap 2024 <<'CSV'
period,institutions,victims
"2024",pnp,2
"2024",mp,1
"2024",mimp,0
"2024",minsa,2
"2024",pnp+mp,0
"2024",pnp+mimp,0
"2024",pnp+minsa,1
"2024",mp+mimp,1
"2024",mp+minsa,0
"2024",mimp+minsa,0
"2024",pnp+mp+mimp,0
"2024",pnp+mp+minsa,0
"2024",pnp+mimp+minsa,0
"2024",mp+mimp+minsa,0
"2024",pnp+mp+mimp+minsa,0
"2024",unlinkable,0
CSV

expect referrals 2024 <<'CSV'
period,from,to,sent,taken_up,pending,median_days
"2024",pnp,mimp,2,1,1,2
"2024",pnp,minsa,1,1,0,3
CSV

# ---- timeliness: T minus the median date worked out in the README --------

expect timeliness 2025Q2 <<CSV
period,institution,records,median_days,within_30_days_pct
"2025Q2",pnp,9,$(since 2025-05-06),0.0
"2025Q2",mp,9,$(since 2025-05-10),0.0
"2025Q2",pj,2,$(since 2025-06-16),0.0
"2025Q2",mimp,11,$(since 2025-05-03),0.0
"2025Q2",minsa,11,$(since 2025-06-02),0.0
"2025Q2",all,42,$(since 2025-05-20),0.0
CSV

expect timeliness 2024 <<CSV
period,institution,records,median_days,within_30_days_pct
"2024",pnp,6,$(since 2024-05-02),0.0
"2024",mp,2,$(since 2024-06-03),0.0
"2024",pj,0,,
"2024",mimp,2,$(since 2024-06-04),0.0
"2024",minsa,4,$(since 2024-05-06),0.0
"2024",all,14,$(since 2024-05-02),0.0
CSV
[ "$(peru_today)" = "$TODAY" ] ||
	echo "# the day changed during the test: a timeliness difference may be that"

# ---- the secretariat's view: every count of 1..9 suppressed ------------

before=$FAILED
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025Q2 \
	--format csv >"$T/sec.csv" 2>"$T/sec.err"
check "secretariat: a note on standard error says what <10 is" \
	grep -qx 'kuska query: note: <10 is a count from 1 to 9 (or one that would give such a count away), withheld for .* (kuska(1))' "$T/sec.err"
# The counts are of victims of every age (18+ too), not of children only.
check "secretariat: the note says whose privacy the withheld counts keep" \
	grep -qF "withheld for the victims' privacy;" "$T/sec.err"
check "secretariat: pnp's 3 victims in 2025Q2 show as <10" \
	grep -qx '"2025Q2",pnp,<10' "$T/sec.csv"
check "secretariat: no count from 1 to 9 shown" \
	sh -c "! grep -q ',[1-9]\$' '$T/sec.csv'"
check "secretariat: the header is the analyst's" \
	test "$(head -1 "$T/sec.csv")" = "period,institution,victims"
[ "$FAILED" -eq "$before" ] || sed 's/^/    /' "$T/sec.csv" "$T/sec.err"
# The referrals in JSON: the table's withheld counts null, the unmatched
# take-ups' note's <10, and a legend naming both marks.
before=$FAILED
"$KUSKA" query -c "$N/secretariat.conf" referrals --period 2025Q2 \
	--format json >"$T/sec-ref.json" 2>"$T/sec-ref.err"
check "secretariat: referrals in JSON: the legend names null and the note's <10" \
	grep -qx 'kuska query: note: a count given as null (<10 in the note of unmatched take-ups) is a count from 1 to 9 (or one that would give such a count away), withheld for .* (kuska(1))' "$T/sec-ref.err"
check "... the note's <10 under it" \
	grep -q '^kuska query: note: take-ups .* (pnp to minsa <10) count in no row' "$T/sec-ref.err"
[ "$FAILED" -eq "$before" ] || sed 's/^/    /' "$T/sec-ref.json" "$T/sec-ref.err"

# ---- indicators ----------------------------------------------------------

# col ROLE TABLE PERIOD COLUMN [KEY1 [KEY2]]: the column of the rows of
# kuska query's CSV whose second (and third) field match; "" matches any.
# A code's quotes (an indicator's id) are left out.
col() {
	"$KUSKA" query -c "$N/$1.conf" "$2" --period "$3" --format csv |
		awk -F, -v col="$4" -v k1="${5:-}" -v k2="${6:-}" '
			NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i
				  next }
			{ gsub(/"/, "") }
			(k1 == "" || $2 == k1) && (k2 == "" || $3 == k2) {
				print $c }'
}

# total ...: the sum of col's numbers.
total() {
	col "$@" | awk '{ s += $1 } END { print s + 0 }'
}

# ind ROLE PERIOD ID COLUMN: a column of one indicator's row.
ind() {
	col "$1" indicators "$2" "$4" "$3"
}

# fmt2 EXPR: a number as the indicators table writes it (up to 2
# decimals, no trailing zeros).
fmt2() {
	awk "BEGIN { s = sprintf(\"%.2f\", $1); sub(/0+\$/, \"\", s);
		sub(/\\.\$/, \"\", s); print s }"
}

# expect_value ROLE ID EXPR: the indicator's 2025 value is EXPR.
expect_value() {
	local got want
	got=$(ind "$1" 2025 "$2" value)
	want=$(fmt2 "$3")
	# A failed query gives "" on both sides: no value is not its value.
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "$1: indicator $2 = $want, as its tables give"
	else
		not_ok "$1: indicator $2 = \"$got\", its tables give $want"
	fi
}

"$KUSKA" query -c "$N/analyst.conf" indicators --period 2025 --format csv \
	>"$T/ind-analyst.csv" 2>&1
check "indicators: the header of INDICATORS.md" \
	test "$(head -1 "$T/ind-analyst.csv")" = \
	"period,indicator,name,level,component,key,unit,value,baseline,target,target_period,progress,status"
check "indicators: one row per indicator, in file order" \
	test "$(tail -n +2 "$T/ind-analyst.csv" | cut -d, -f2 | tr '\n' ' ')" = \
	'"takeup" "pnp-days" "victims" "accusation-days" "formalized" '

expect_value analyst takeup "100 * $(total analyst referrals 2025 taken_up '' mimp) / $(total analyst referrals 2025 sent '' mimp)"
expect_value analyst pnp-days "$(col analyst referrals 2025 median_days pnp mimp)"
expect_value analyst victims "$(col analyst identification 2025 victims all)"
expect_value analyst accusation-days "$(col analyst durations 2025 median_days complaint) + $(col analyst durations 2025 median_days preliminary_investigation) + $(col analyst durations 2025 median_days formalized_investigation)"
expect_value analyst formalized "100 * $(col analyst funnel 2025 cases formalized_investigation) / $(col analyst funnel 2025 cases complaint)"
# indicator_definitions: each indicator's means of verification, as
# written (the long expression spans several lines in the file and is
# longer than a short cell), for every role, no --period needed.
"$KUSKA" query -c "$N/secretariat.conf" indicator_definitions --format csv \
	>"$T/ind-defs.csv" 2>&1
check "indicator_definitions: its header" \
	test "$(head -1 "$T/ind-defs.csv")" = \
	"indicator,name,unit,direction,frequency,baseline_period,baseline,target_period,target,expression,basis,name_es,name_en"
check "indicator_definitions: the long expression whole, as written" \
	grep -qF '"accusation-days",Days from complaint to accusation,days,decrease,semester,"2024H2",120,"2026H2",60,"durations.median_days[from_stage=complaint, to_stage=preliminary_investigation] + durations.median_days[from_stage=preliminary_investigation, to_stage=formalized_investigation] + durations.median_days[from_stage=formalized_investigation, to_stage=accusation]",test' "$T/ind-defs.csv"
# A text beginning as a formula is quoted after a ' (kuska(1)); the
# negative progress of the indicators table stays a number (below).
check "indicator_definitions: a basis written as a formula is quoted after a '" \
	grep -qF ',"'"'"'=HYPERLINK(""http://x"",""a formula, never run in a spreadsheet"")",' "$T/ind-defs.csv"
# As text, one block per indicator, wrapped to a terminal: as columns its
# lines ran to hundreds of characters.
"$KUSKA" query -c "$N/secretariat.conf" indicator_definitions \
	>"$T/ind-defs.txt" 2>&1
check "indicator_definitions: as text, blocks no wider than a terminal ($(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$T/ind-defs.txt") columns)" \
	sh -c "grep -q '^expression: *durations.median_days' '$T/ind-defs.txt' &&
	test \"\$(awk 'length(\$0) > 78' '$T/ind-defs.txt')\" = ''"
# Half way from 2024 to 2026 (2024H2 ends with 2024): on track needs 95%
# of that, 0.475; acceleration needed 0.3.
before=$FAILED
check "indicators: statuses along the line from baseline to target" \
	test "$(tail -n +2 "$T/ind-analyst.csv" | cut -d, -f12,13 | tr '\n' ' ')" = \
	"0.417,acceleration_needed 1.000,achieved 0.400,acceleration_needed 0.650,on_track -1.000,deteriorating "
check "indicators: 2025H1 counts its own semester" \
	test "$(ind analyst 2025H1 victims value)" = \
	"$(col analyst identification 2025H1 victims all)"
check "indicators: before the baseline period ends, no_data" \
	test "$(ind analyst 2024H1 victims status)" = no_data
[ "$FAILED" -eq "$before" ] || sed 's/^/    /' "$T/ind-analyst.csv"

# A region's indicators, or an institution's, are set against the one
# national baseline and target (INDICATORS.md): a note on standard error
# says so when some are counts; the CSV stays as the spec has it, and
# the national figure has no such note.
"$KUSKA" query -c "$N/analyst.conf" indicators --period 2025 >/dev/null \
	2>"$T/ind-national.err"
check "indicators, national: no note of national targets" \
	sh -c "! grep -q 'targets are national' '$T/ind-national.err'"
"$KUSKA" query -c "$N/analyst.conf" indicators --period 2025 --region 15 \
	--format csv >"$T/ind-r15.csv" 2>"$T/ind-r15.err"
check "indicators of region 15: its counts are measured against the national targets" \
	grep -q "^kuska query: note: baselines and targets are national: the counts of region 15 are measured against the whole country's" "$T/ind-r15.err"
check "... not in the CSV" sh -c "head -1 '$T/ind-r15.csv' | grep -q '^period,indicator,' &&
	! grep -q 'national' '$T/ind-r15.csv'"
"$KUSKA" query -c "$N/pnp-stats.conf" indicators --period 2025 >/dev/null \
	2>"$T/ind-pnp.err"
check "indicators of an institution: the same note" \
	grep -q "note: baselines and targets are national: the counts of the institution's own events are" "$T/ind-pnp.err"

# The sources and deliveries tables are the whole country's: asked with
# --region, they say on standard error that it did not filter them, as
# their counts would otherwise read as the region's; without it, nothing.
for t in sources deliveries; do
	"$KUSKA" query -c "$N/analyst.conf" $t --region 15 --format csv \
		>"$T/$t-r15.csv" 2>"$T/$t-r15.err"
	"$KUSKA" query -c "$N/analyst.conf" $t --format csv \
		>"$T/$t-all.csv" 2>"$T/$t-all.err"
	check "$t --region 15: a note that the region does not filter it" \
		grep -q "^kuska query: note: the $t table is the whole country's, all periods together: --region 15 does not filter it" "$T/$t-r15.err"
	check "$t without --region: no such note" \
		sh -c "! grep -q 'does not filter' '$T/$t-all.err'"
done
check "sources --region 15: the country's counts" \
	cmp -s "$T/sources-all.csv" "$T/sources-r15.csv"

# The secretariat: an indicator on a shown count has its value; one on a
# cell shown "<10" (or a median hidden with it) is suppressed, value and
# progress empty. The total of 11 is shown unless protecting the small
# counts of the secretariat's other tables hid it too (docs/DISCLOSURE.md).
before=$FAILED
all=$(col secretariat identification 2025 victims all)
if [ "$all" = "<10" ]; then
	check "secretariat: indicator victims suppressed with the hidden total" \
		test "$(ind secretariat 2025 victims value),$(ind secretariat 2025 victims status)" = ",suppressed"
else
	expect_value secretariat victims "$all"
fi
check "secretariat: the take-up rests on a hidden count" \
	test "$(col secretariat referrals 2025 taken_up pnp mimp)" = "<10"
check "secretariat: the median days to take-up are hidden" \
	test -z "$(col secretariat referrals 2025 median_days pnp mimp)"
for id in takeup pnp-days accusation-days formalized; do
	check "secretariat: indicator $id suppressed, value and progress empty" \
		test "$(ind secretariat 2025 "$id" value),$(ind secretariat 2025 "$id" progress),$(ind secretariat 2025 "$id" status)" = ",,suppressed"
done
[ "$FAILED" -eq "$before" ] ||
	"$KUSKA" query -c "$N/secretariat.conf" indicators --period 2025 \
		--format csv | sed 's/^/    /'

# SIGHUP with a broken file: every error logged at its line, the
# indicators in force stay; a good file then takes effect.
cp "$IND" "$T/indicators.good"
sed -i 's/^unit = percent$/unit = percentage/' "$IND"
bad_lines=$(grep -n '^unit = percentage$' "$IND" | cut -d: -f1 | tr '\n' ' ')
: >"$N/consolidator.log"
kill -HUP "${PIDS[cons]}"
check "SIGHUP with a broken indicator file is refused" \
	wait_log "$N/consolidator.log" \
	'event=reload_refused.*indicator file refused'
for l in $bad_lines; do
	check "the log names $IND:$l" \
		grep -qF "event=indicators_error text=\"$IND:$l: unit: \\\"percentage\\\"" \
		"$N/consolidator.log"
done
"$KUSKA" query -c "$N/analyst.conf" indicators --period 2025 --format csv \
	>"$T/ind-after.csv" 2>&1
check "the indicators in force stay after a refused reload" \
	cmp -s "$T/ind-analyst.csv" "$T/ind-after.csv"
sed '/^\[indicator formalized\]/,$d' "$T/indicators.good" >"$IND"
kill -HUP "${PIDS[cons]}"
for _ in $(seq 50); do
	[ "$(ind analyst 2025 formalized status)" = "" ] && break
	sleep 0.1
done
check "a good indicator file takes effect on SIGHUP" \
	test "$("$KUSKA" query -c "$N/analyst.conf" indicators --period 2025 \
		--format csv | tail -n +2 | cut -d, -f2 | tr '\n' ' ')" = \
	'"takeup" "pnp-days" "victims" "accusation-days" '

# Of a year not over, kuska query's note names the counts whose status
# the rest of the year may change: one to raise reads low, one to bring
# down (target below baseline) high, its total so far looking like the
# fall achieved.
year=$(TZ=Etc/GMT+5 date +%Y)
cat >>"$IND" <<INI
[indicator fewer-victims]
name = Victims identified, to bring down
level = output
component = protection
value = identification.victims[institution=all]
unit = count
direction = decrease
baseline = 2024: 1000
target = $((year + 1)): 900
frequency = year
basis = test
INI
kill -HUP "${PIDS[cons]}"
for _ in $(seq 50); do
	[ -n "$(ind analyst 2025 fewer-victims status)" ] && break
	sleep 0.1
done
before=$FAILED
"$KUSKA" query -c "$N/analyst.conf" indicators --period "$year" \
	>"$T/ind-open.txt" 2>"$T/ind-open.err"
check "indicators of $year, not over: a count to bring down reads high" \
	grep -qE "^kuska query: note: fewer-victims counts only what happened so far in $year, which is not over: its progress towards the target, and the status, read high" \
	"$T/ind-open.err"
check "... one to raise, low" \
	grep -qE "^kuska query: note: victims counts only what happened so far in $year, which is not over: its progress towards the target, and the status, read low until" \
	"$T/ind-open.err"
[ "$FAILED" -eq "$before" ] || sed 's/^/    /' "$T/ind-open.txt" "$T/ind-open.err"
# Eight more such counts with ids of 38 characters, longer together than
# the note's line: it names those that fit and says how many more.
for i in 1 2 3 4 5 6 7 8; do
	printf '[indicator victims-identified-with-a-long-id-no-%s]\n' "$i"
	printf 'name = Victims %s\nlevel = output\ncomponent = protection\n' "$i"
	printf 'value = identification.victims[institution=all]\n'
	printf 'unit = count\ndirection = increase\nbaseline = 2024: 5\n'
	printf 'target = %s: 20\nfrequency = year\nbasis = test\n' "$((year + 1))"
done >>"$IND"
kill -HUP "${PIDS[cons]}"
for _ in $(seq 50); do
	[ -n "$(ind analyst 2025 victims-identified-with-a-long-id-no-8 status)" ] && break
	sleep 0.1
done
before=$FAILED
"$KUSKA" query -c "$N/analyst.conf" indicators --period "$year" \
	>/dev/null 2>"$T/ind-many.err"
check "indicators of $year: a note of more counts than its line holds says how many more" \
	grep -qE "^kuska query: note: victims, victims-identified-with-a-long-id-no-1, .*-no-[0-9] and [0-9] more count only what happened so far in $year" \
	"$T/ind-many.err"
[ "$FAILED" -eq "$before" ] || sed 's/^/    /' "$T/ind-many.err"

# A year the fixture has no record in: the zeros come with a note on
# standard error (the table on standard output as asked); a year with
# records, none.
"$KUSKA" query -c "$N/analyst.conf" identification --period 2019 \
	--format csv >"$T/q2019.csv" 2>"$T/q2019.err"
check "a year without records: answered (exit $?)" test -s "$T/q2019.csv"
check "... every count 0, and a note says to look at what is held" \
	grep -q "note: every count is 0; .* records dated in 2019: kuska query timeliness --period 2019" "$T/q2019.err"
check "... and that records just submitted count once delivered" \
	grep -q "(records just submitted count once their node has delivered them: kuska status on the node shows those waiting)\$" "$T/q2019.err"
check "... not in the CSV" sh -c "! grep -q note '$T/q2019.csv'"
"$KUSKA" report -c "$N/analyst.conf" --period 2019 -o "$T/r2019.html" \
	2>"$T/r2019.err"
check "a report of that year: written (exit $?), with the same note" \
	grep -q "^kuska report: note: every count is 0; .* records dated in 2019: kuska query timeliness --period 2019" "$T/r2019.err"
check "... not in the page" sh -c "! grep -q 'every count' '$T/r2019.html'"
"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
	>/dev/null 2>"$T/q2025.err"
check "a year with records: no note" test ! -s "$T/q2025.err"

# Text: aligned, but no line ends in the padding of empty last columns
# (an empty median or attrition).
for table in identification referrals protection prosecution estimate; do
	"$KUSKA" query -c "$N/analyst.conf" "$table" --period 2025 \
		>"$T/text-$table.out" 2>/dev/null
	check "text $table: no trailing spaces" \
		sh -c "test -s '$T/text-$table.out' && ! grep -q ' \$' '$T/text-$table.out'"
done

finish
