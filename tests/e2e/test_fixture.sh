#!/usr/bin/env bash
# Statistics by hand: the fixture of tests/data/fixture (68 records across
# the five institutions, all dated in 2025) goes through a real network;
# every table of the analyst's view, for 2025Q2 and for 2025, must equal
# the output written out below. Each expected number is derived in
# tests/data/fixture/README.md.
. "$(dirname "$0")/lib.sh"

: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"
FIX="$KUSKA_SRC/tests/data/fixture"

net_init
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

expect identification 2025Q2 <<'CSV'
period,institution,victims
2025Q2,pnp,3
2025Q2,mp,1
2025Q2,pj,0
2025Q2,mimp,4
2025Q2,minsa,3
2025Q2,all,8
CSV

expect identification 2025 <<'CSV'
period,institution,victims
2025,pnp,6
2025,mp,3
2025,pj,0
2025,mimp,4
2025,minsa,4
2025,all,11
CSV

# ---- overlap -----------------------------------------------------------

expect overlap 2025Q2 <<'CSV'
period,institutions,victims
2025Q2,pnp,0
2025Q2,mp,1
2025Q2,mimp,2
2025Q2,minsa,1
2025Q2,pnp+mp,0
2025Q2,pnp+mimp,0
2025Q2,pnp+minsa,0
2025Q2,mp+mimp,0
2025Q2,mp+minsa,0
2025Q2,mimp+minsa,1
2025Q2,pnp+mp+mimp,0
2025Q2,pnp+mp+minsa,0
2025Q2,pnp+mimp+minsa,1
2025Q2,mp+mimp+minsa,0
2025Q2,pnp+mp+mimp+minsa,0
2025Q2,unlinkable,2
CSV

expect overlap 2025 <<'CSV'
period,institutions,victims
2025,pnp,1
2025,mp,0
2025,mimp,1
2025,minsa,1
2025,pnp+mp,2
2025,pnp+mimp,0
2025,pnp+minsa,0
2025,mp+mimp,1
2025,mp+minsa,0
2025,mimp+minsa,1
2025,pnp+mp+mimp,0
2025,pnp+mp+minsa,0
2025,pnp+mimp+minsa,1
2025,mp+mimp+minsa,0
2025,pnp+mp+mimp+minsa,0
2025,unlinkable,3
CSV

# ---- breakdown ---------------------------------------------------------

expect breakdown 2025Q2 <<'CSV'
period,dimension,value,victims
2025Q2,sex,F,5
2025Q2,sex,M,3
2025Q2,age_group,0-5,1
2025Q2,age_group,12-13,2
2025Q2,age_group,14-17,5
2025Q2,nationality,PE,7
2025Q2,nationality,VE,1
2025Q2,region,16,2
2025Q2,region,17,4
2025Q2,region,21,2
2025Q2,exploitation,begging,1
2025Q2,exploitation,domestic_servitude,1
2025Q2,exploitation,labour,4
2025Q2,exploitation,other,1
2025Q2,exploitation,sexual,2
CSV

expect breakdown 2025 <<'CSV'
period,dimension,value,victims
2025,sex,F,7
2025,sex,M,4
2025,age_group,0-5,1
2025,age_group,6-11,2
2025,age_group,12-13,1
2025,age_group,14-17,6
2025,age_group,18+,1
2025,nationality,PE,8
2025,nationality,VE,2
2025,nationality,XX,1
2025,region,15,2
2025,region,16,3
2025,region,17,4
2025,region,21,2
2025,exploitation,domestic_servitude,1
2025,exploitation,forced_criminality,1
2025,exploitation,labour,4
2025,exploitation,other,1
2025,exploitation,sexual,4
CSV

# ---- referrals ---------------------------------------------------------

expect referrals 2025Q2 <<'CSV'
period,from,to,sent,taken_up,pending,median_days
2025Q2,pnp,mimp,2,1,1,2
2025Q2,pnp,minsa,1,1,0,71
2025Q2,mp,mimp,1,0,1,
2025Q2,minsa,mimp,1,1,0,3
CSV

expect referrals 2025 <<'CSV'
period,from,to,sent,taken_up,pending,median_days
2025,pnp,mimp,3,2,1,2
2025,pnp,minsa,1,1,0,71
2025,mp,mimp,2,1,1,78
2025,minsa,mimp,1,1,0,3
CSV

# ---- protection --------------------------------------------------------

expect protection 2025Q2 <<'CSV'
period,service,victims,median_days
2025Q2,legal_aid,0,
2025Q2,medical,2,0
2025Q2,mental_health,2,72
2025Q2,reintegration,0,
2025Q2,residential_care,3,3
2025Q2,special_protection,1,3
CSV

expect protection 2025 <<'CSV'
period,service,victims,median_days
2025,legal_aid,1,146
2025,medical,3,6
2025,mental_health,2,72
2025,reintegration,0,
2025,residential_care,3,3
2025,special_protection,1,3
CSV

# ---- prosecution -------------------------------------------------------

expect prosecution 2025Q2 <<'CSV'
period,stage,cases,persons
2025Q2,complaint,2,5
2025Q2,preliminary_investigation,1,3
2025Q2,formalized_investigation,2,3
2025Q2,accusation,3,3
2025Q2,trial,2,2
2025Q2,conviction,0,0
2025Q2,acquittal,0,0
2025Q2,dismissal,1,3
CSV

expect prosecution 2025 <<'CSV'
period,stage,cases,persons
2025,complaint,5,9
2025,preliminary_investigation,3,6
2025,formalized_investigation,3,4
2025,accusation,3,3
2025,trial,2,2
2025,conviction,1,1
2025,acquittal,1,1
2025,dismissal,1,3
CSV

# ---- funnel ------------------------------------------------------------

expect funnel 2025Q2 <<'CSV'
period,stage,cases,attrition
2025Q2,complaint,2,
2025Q2,preliminary_investigation,2,0.000
2025Q2,formalized_investigation,1,0.500
2025Q2,accusation,1,0.000
2025Q2,trial,0,1.000
2025Q2,conviction,0,
2025Q2,acquittal,0,
2025Q2,dismissal,1,
CSV

expect funnel 2025 <<'CSV'
period,stage,cases,attrition
2025,complaint,5,
2025,preliminary_investigation,4,0.200
2025,formalized_investigation,3,0.250
2025,accusation,3,0.000
2025,trial,2,0.333
2025,conviction,1,0.500
2025,acquittal,1,
2025,dismissal,1,
CSV

# ---- durations ---------------------------------------------------------

expect durations 2025Q2 <<'CSV'
period,from_stage,to_stage,median_days
2025Q2,complaint,preliminary_investigation,14
2025Q2,preliminary_investigation,formalized_investigation,64
2025Q2,formalized_investigation,accusation,36
2025Q2,accusation,trial,17
2025Q2,trial,conviction,
CSV

expect durations 2025 <<'CSV'
period,from_stage,to_stage,median_days
2025,complaint,preliminary_investigation,14
2025,preliminary_investigation,formalized_investigation,31
2025,formalized_investigation,accusation,36
2025,accusation,trial,17
2025,trial,conviction,86
CSV

# ---- the secretariat's view: every count of 1..9 suppressed ------------

before=$FAILED
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025Q2 \
	--format csv >"$T/sec.csv" 2>&1
check "secretariat: pnp's 3 victims in 2025Q2 show as <10" \
	grep -qx '2025Q2,pnp,<10' "$T/sec.csv"
check "secretariat: no count from 1 to 9 shown" \
	sh -c "! grep -q ',[1-9]\$' '$T/sec.csv'"
check "secretariat: the header is the analyst's" \
	test "$(head -1 "$T/sec.csv")" = "period,institution,victims"
[ "$FAILED" -eq "$before" ] || sed 's/^/    /' "$T/sec.csv"

finish
