#!/usr/bin/env bash
# End to end: a month of MIMP's and MINSA's take-ups and services, written
# by hand as their case systems export them, next to the police's
# referrals, and the figures EVENTS.md says they must give. MIMP's file
# arrives before the police's: its referral numbers retyped (lower case,
# spaces at the ends) or mistyped (spaces for dashes), one referral taken
# up twice, one dated before the referral, one whose referral the police
# never sent, one from mp, a service to a victim never referred, a
# take-up corrected to the right number, one withdrawn. Then MIMP
# corrects and withdraws more, and the police withdraw and redirect
# referrals. Each step's referrals, referrals_unmatched and protection
# are checked cell by cell against the counts worked out by hand below.
# A ministry's own view of protection leaves out the victims the police
# identified, and says so on standard error. A dry run of lines a
# ministry's export gets wrong names the line, the field and the reason,
# and a withdrawal of the police's record says whose it must be.
. "$(dirname "$0")/lib.sh"

net_init
start_all

V_A='{"document":{"type":"DNI","number":"45678912"},"given_names":"María Rosa","surnames":"Ñahui Quispe","birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
V_A2='{"document":{"type":"DNI","number":"4567-8912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
V_B='{"document":{"type":"DNI","number":"70112233"},"given_names":"Luz","surnames":"Mamani Condori","birth_date":"2010-07-21","sex":"F","nationality":"PE"}'
V_C='{"document":{"type":"CE","number":"VE-001234"},"given_names":"Yusbelis","surnames":"Pérez Rojas","birth_date":"2009-01-30","sex":"F","nationality":"VE"}'
V_D='{"given_names":"José Luis","surnames":"Huamán Ccori","birth_date":"2012-11-02","sex":"M","nationality":"PE"}'
V_E='{"document":{"type":"DNI","number":"71234509"},"given_names":"Rosa","surnames":"Tito Apaza","birth_date":"2008-05-14","sex":"F","nationality":"PE"}'
V_F='{"document":{"type":"DNI","number":"72000111"},"birth_date":"2013-02-02","sex":"F","nationality":"PE"}'
V_G='{"document":{"type":"DNI","number":"73000222"},"birth_date":"2010-09-09","sex":"M","nationality":"PE"}'
V_H='{"document":{"type":"DNI","number":"74000333"},"birth_date":"2011-12-12","sex":"F","nationality":"PE"}'

# The police: referral numbers OF-2025-0101-PNP to 0109; 0109 recorded
# twice (the second in lower case): one referral, dated by the first.
cat >"$T/pnp.jsonl" <<EOF
{"kind":"identification","ref":"PNP-ID-1","date":"2025-11-02","region":"21","victim":$V_A,"exploitation":["sexual"]}
{"kind":"referral","ref":"PNP-RF-1","date":"2025-11-03","region":"21","victim":$V_A,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0101-PNP"}
{"kind":"identification","ref":"PNP-ID-2","date":"2025-11-04","region":"16","victim":$V_B,"exploitation":["labour"]}
{"kind":"referral","ref":"PNP-RF-2","date":"2025-11-10","region":"16","victim":$V_B,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0103-PNP"}
{"kind":"referral","ref":"PNP-RF-3","date":"2025-11-04","region":"16","victim":$V_B,"to":"minsa","purpose":"health","referral_number":"OF-2025-0104-PNP"}
{"kind":"referral","ref":"PNP-RF-4","date":"2025-11-12","region":"15","victim":$V_C,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0105-PNP"}
{"kind":"referral","ref":"PNP-RF-5","date":"2025-11-13","region":"15","victim":$V_D,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0106-PNP"}
{"kind":"referral","ref":"PNP-RF-6","date":"2025-11-14","region":"15","victim":$V_F,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0107-PNP"}
{"kind":"referral","ref":"PNP-RF-7","date":"2025-11-15","region":"15","victim":$V_G,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0108-PNP"}
{"kind":"referral","ref":"PNP-RF-8","date":"2025-11-16","region":"15","victim":$V_H,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0109-PNP"}
{"kind":"referral","ref":"PNP-RF-8b","date":"2025-11-18","region":"15","victim":$V_H,"to":"mimp","purpose":"protection","referral_number":"of-2025-0109-pnp"}
EOF
# MIMP: 0101 taken up twice (days 2), 0103 before its referral (days
# -2), 0106 mistyped, 0199 never sent, 0170 corrected to 0107 (days 4),
# 0108 withdrawn, 0109 (days 4), one from mp that mp never sent.
cat >"$T/mimp.jsonl" <<EOF
{"kind":"referral_received","ref":"MIMP-RR-1","date":"2025-11-05","region":"21","victim":$V_A2,"from":"pnp","referral_number":" of-2025-0101-pnp "}
{"kind":"referral_received","ref":"MIMP-RR-1b","date":"2025-11-07","region":"21","victim":$V_A2,"from":"pnp","referral_number":"OF-2025-0101-PNP"}
{"kind":"service","ref":"MIMP-SV-1","date":"2025-11-06","region":"21","victim":$V_A2,"service":"residential_care"}
{"kind":"referral_received","ref":"MIMP-RR-2","date":"2025-11-08","region":"16","victim":$V_B,"from":"pnp","referral_number":"OF-2025-0103-PNP"}
{"kind":"referral_received","ref":"MIMP-RR-3","date":"2025-11-20","region":"15","victim":$V_D,"from":"pnp","referral_number":"OF 2025 0106 PNP"}
{"kind":"referral_received","ref":"MIMP-RR-4","date":"2025-11-21","region":"15","victim":$V_E,"from":"pnp","referral_number":"OF-2025-0199-PNP"}
{"kind":"service","ref":"MIMP-SV-2","date":"2025-11-22","region":"15","victim":$V_E,"service":"special_protection"}
{"kind":"referral_received","ref":"MIMP-RR-5","date":"2025-11-17","region":"15","victim":$V_F,"from":"pnp","referral_number":"OF-2025-0170-PNP"}
{"kind":"correction","ref":"MIMP-CO-1","target_ref":"MIMP-RR-5","record":{"kind":"referral_received","date":"2025-11-18","region":"15","victim":$V_F,"from":"pnp","referral_number":"OF-2025-0107-PNP"}}
{"kind":"referral_received","ref":"MIMP-RR-6","date":"2025-11-19","region":"15","victim":$V_G,"from":"pnp","referral_number":"OF-2025-0108-PNP"}
{"kind":"withdrawal","ref":"MIMP-WD-1","target_ref":"MIMP-RR-6"}
{"kind":"referral_received","ref":"MIMP-RR-7","date":"2025-11-20","region":"15","victim":$V_H,"from":"pnp","referral_number":"OF-2025-0109-PNP"}
{"kind":"referral_received","ref":"MIMP-RR-8","date":"2025-11-23","region":"15","victim":$V_C,"from":"mp","referral_number":"MP-FPE-2025-77"}
EOF
# MINSA: 0104 (days 5), medical care to B (identified by pnp 5 days
# before), mental health to E, whom nobody identified.
cat >"$T/minsa.jsonl" <<EOF
{"kind":"referral_received","ref":"MINSA-RR-1","date":"2025-11-09","region":"16","victim":$V_B,"from":"pnp","referral_number":"of-2025-0104-pnp"}
{"kind":"service","ref":"MINSA-SV-1","date":"2025-11-09","region":"16","victim":$V_B,"service":"medical"}
{"kind":"service","ref":"MINSA-SV-2","date":"2025-11-10","region":"16","victim":$V_E,"service":"mental_health"}
EOF

# rows WHO TABLE [--region RR]: TABLE's CSV rows of 2025Q4 without the
# header, one a line, in WHO's view; its standard error in T/WHO-TABLE.err.
rows() {
	local who=$1 table=$2
	shift 2
	"$KUSKA" query -c "$N/$who.conf" "$table" --period 2025Q4 \
		--format csv "$@" 2>"$T/$who-$table.err" | tail -n +2
}

# MIMP's take-ups before the police's referrals are delivered: every one
# counts as matching no referral, each (sender, number) once.
submit_in_t mimp mimp.jsonl
check "mimp: 13 accepted" grep -q '^mimp.jsonl: 13 accepted, 0 already held, 0 refused' "$T/submit-mimp.out"
submit_in_t minsa minsa.jsonl
check "minsa: 3 accepted" submitted_ok minsa
check "delivered" wait_delivered 120
is "before the referrals: no referral row" "$(rows analyst referrals)" ""
is "before the referrals: every take-up unmatched" \
	"$(rows analyst referrals_unmatched)" \
	"\"2025Q4\",pnp,mimp,6
\"2025Q4\",pnp,minsa,1
\"2025Q4\",mp,mimp,1"

submit_in_t pnp pnp.jsonl
check "pnp: 11 accepted" submitted_ok pnp
check "delivered" wait_delivered 120
is "referrals: sent, taken up, pending, median days" \
	"$(rows analyst referrals)" \
	"\"2025Q4\",pnp,mimp,7,4,3,2
\"2025Q4\",pnp,minsa,1,1,0,5"
is "unmatched: the mistyped and the unsent" \
	"$(rows analyst referrals_unmatched)" \
	"\"2025Q4\",pnp,mimp,2
\"2025Q4\",mp,mimp,1"
check "... said under the referrals table, per pair, with the query that counts them" grep -qxF \
	'kuska query: note: take-ups the destination recorded that match no referral of their sender (pnp to mimp 2, mp to mimp 1) count in no row of this table, and a referral they name with its number written otherwise reads pending: compare the numbers with the sender'"'"'s; kuska query referrals_unmatched --period 2025Q4 counts them per pair' \
	"$T/analyst-referrals.err"
is "referrals of Lima (15): dated and placed by the earliest record" \
	"$(rows analyst referrals --region 15)" "\"2025Q4\",pnp,mimp,5,2,3,4"
check "... its take-ups that match no referral said, the query with its region" grep -q \
	'^kuska query: note: take-ups .* (pnp to mimp 2, mp to mimp 1) .* referrals_unmatched --period 2025Q4 --region 15 counts them per pair$' \
	"$T/analyst-referrals.err"
check "... no median negative, no note of one" test -z \
	"$(grep 'negative median_days' "$T/analyst-referrals.err")"
is "referrals of Loreto (16): a take-up before its referral" \
	"$(rows analyst referrals --region 16)" \
	"\"2025Q4\",pnp,mimp,1,1,0,-2
\"2025Q4\",pnp,minsa,1,1,0,5"
check "... Loreto's take-ups all match: no note of unmatched ones" sh -c \
	"! grep -q 'match no referral' '$T/analyst-referrals.err'"
check "... its negative median said to be dates to check, not days" grep -q \
	'^kuska query: note: a negative median_days says that at least half of those take-ups are dated before their referral: dates for the two institutions to check' \
	"$T/analyst-referrals.err"
is "protection: days from the police's identification" \
	"$(rows analyst protection)" \
	"\"2025Q4\",legal_aid,0,
\"2025Q4\",medical,1,5
\"2025Q4\",mental_health,1,
\"2025Q4\",reintegration,0,
\"2025Q4\",residential_care,1,4
\"2025Q4\",special_protection,1,"
is "timeliness: live records, a corrected one once" \
	"$(rows analyst timeliness | cut -d, -f2,3)" \
	"pnp,11
mp,0
pj,0
mimp,10
minsa,3
all,24"
check "analyst: no note on its own events" \
	test ! -s "$T/analyst-protection.err"

# MIMP's own view: the police identified both victims it served, so
# neither has a median there, and a note says why.
is "mimp's view: no median without its own identification" \
	"$(rows mimp-stats protection | grep -v ',0,$')" \
	"\"2025Q4\",residential_care,1,
\"2025Q4\",special_protection,1,"
check "mimp's view: the note says why" grep -q \
	"^kuska query: note: over your institution's own events, the days to a service count from its own identifications only" \
	"$T/mimp-stats-protection.err"
is "mimp's view: its referrals, as the analyst's" \
	"$(rows mimp-stats referrals)" "\"2025Q4\",pnp,mimp,7,4,3,2"
rows minsa-stats protection >/dev/null
check "minsa's view: the note too" grep -q "own identifications only" \
	"$T/minsa-stats-protection.err"

# MIMP corrects the mistyped number and withdraws the take-up of 0103.
cat >"$T/mimp2.jsonl" <<EOF
{"kind":"correction","ref":"MIMP-CO-2","target_ref":"MIMP-RR-3","record":{"kind":"referral_received","date":"2025-11-20","region":"15","victim":$V_D,"from":"pnp","referral_number":"OF-2025-0106-PNP"}}
{"kind":"withdrawal","ref":"MIMP-WD-2","target_ref":"MIMP-RR-2"}
EOF
submit_in_t mimp mimp2.jsonl
check "mimp's corrections accepted" submitted_ok mimp
check "delivered" wait_delivered 120
is "referrals: 0106 taken up (7 days), 0103 pending again" \
	"$(rows analyst referrals)" \
	"\"2025Q4\",pnp,mimp,7,4,3,4
\"2025Q4\",pnp,minsa,1,1,0,5"
is "unmatched: the corrected number left it" \
	"$(rows analyst referrals_unmatched)" \
	"\"2025Q4\",pnp,mimp,1
\"2025Q4\",mp,mimp,1"

# The police withdraw 0101 and 0109's first record, and send 0105 to
# minsa instead.
cat >"$T/pnp2.jsonl" <<EOF
{"kind":"withdrawal","ref":"PNP-WD-1","target_ref":"PNP-RF-1"}
{"kind":"withdrawal","ref":"PNP-WD-2","target_ref":"PNP-RF-8"}
{"kind":"correction","ref":"PNP-CO-1","target_ref":"PNP-RF-4","record":{"kind":"referral","date":"2025-11-12","region":"15","victim":$V_C,"to":"minsa","purpose":"health","referral_number":"OF-2025-0105-PNP"}}
EOF
submit_in_t pnp pnp2.jsonl
check "pnp's corrections accepted" submitted_ok pnp
check "delivered" wait_delivered 120
is "referrals: 0109 dated by its second record (2 days), 0105 to minsa" \
	"$(rows analyst referrals)" \
	"\"2025Q4\",pnp,mimp,5,3,2,4
\"2025Q4\",pnp,minsa,2,1,1,5"
is "unmatched: the take-up of the withdrawn 0101" \
	"$(rows analyst referrals_unmatched)" \
	"\"2025Q4\",pnp,mimp,2
\"2025Q4\",mp,mimp,1"

# What a ministry's export gets wrong, in a dry run: line, field, reason.
V='{"document":{"type":"DNI","number":"72000111"},"birth_date":"2013-02-02","sex":"F","nationality":"PE"}'
cat >"$T/bad.jsonl" <<EOF
{"kind":"referral_received","ref":"B1","date":"2025-11-05","region":"21","victim":$V,"from":"pnp","referral_number":"OFICIO N° 0101-2025-PNP"}
{"kind":"referral_received","ref":"B2","date":"2025-11-05","region":"21","victim":$V,"from":"PNP","referral_number":"X1"}
{"kind":"service","ref":"B3","date":"2025-11-05","region":"21","victim":$V,"service":["medical","legal_aid"]}
{"kind":"referral_received","ref":"B4","date":"2025-11-05","region":"21","victim":$V,"from":"pnp","referral_number":"   "}
{"kind":"correction","ref":"B5","target_ref":"MIMP-RR-6","record":{"kind":"referral_received","date":"2025-11-20","region":"15","victim":$V,"from":"pnp","referral_number":"X"}}
{"kind":"withdrawal","ref":"B6","target_ref":"PNP-RF-7"}
EOF
submit_in_t mimp bad.jsonl -n
is "dry run: each line's field and reason" \
	"$(grep ': refused: ' "$T/submit-mimp.out")" \
	"bad.jsonl:1: refused: referral_number: must be printable ASCII: character 9 is the sign of numero after an N: write the number alone without the N and its sign
bad.jsonl:2: refused: from: must be pnp or mp or pj or mimp or minsa (in lower case)
bad.jsonl:3: refused: service: must be one service (a string) and not a list: send a record for each service begun
bad.jsonl:4: refused: referral_number: is empty: write the number as the document shows it (not only spaces)
bad.jsonl:5: refused: target_ref: that record was withdrawn by seq 11 (its ref withheld)
bad.jsonl:6: refused: target_ref: no earlier record of mimp has this ref: name a record mimp sent by its own ref"
check "dry run: says what to do" grep -q \
	"correct the refused lines and submit the file again" \
	"$T/submit-mimp.out"
finish
