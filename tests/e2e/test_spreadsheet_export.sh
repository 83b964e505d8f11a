#!/usr/bin/env bash
# End to end: MINSA's month as a spreadsheet and a CSV-to-JSON tool export
# it (walk53): a UTF-8 byte-order mark, CRLF line ends, and the text such
# a tool writes for an empty cell ("null", "S/N", a DNI of zeros, a
# document of empty type, an empty sex), whole numbers as decimals (12.0)
# and a day as the sheet's serial number. Those lines are refused, each
# naming its line, field and what to do; the others are taken. A
# withdrawal whose target_ref is a held record's ref typed in lower case
# is refused saying so. A service MINSA began before the police
# identified the girl counts negative days to it, and the analyst's
# protection table and report (Spanish and English) say what a negative
# median is.
. "$(dirname "$0")/lib.sh"

net_init
start_all

V_A='{"document":{"type":"DNI","number":"45678912"},"given_names":"María Rosa","surnames":"Ñahui Quispe","birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
V_A2='{"document":{"type":"DNI","number":"45678912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}'

# The police identify A on 10 November and refer her to MINSA.
cat >"$T/pnp.jsonl" <<EOF
{"kind":"identification","ref":"PNP-ID-1","date":"2025-11-10","region":"16","victim":$V_A,"exploitation":["sexual"]}
{"kind":"referral","ref":"PNP-RF-1","date":"2025-11-10","region":"16","victim":$V_A,"to":"minsa","purpose":"health","referral_number":"OF-2025-0201-PNP"}
EOF
# MINSA: the take-up, medical care given on 5 November (five days before
# the police's identification), then what the spreadsheet made of empty
# cells. Saved with a BOM and CRLF line ends.
printf '\357\273\277' >"$T/minsa.jsonl"
sed 's/$/\r/' >>"$T/minsa.jsonl" <<EOF
{"kind":"referral_received","ref":"MINSA-RR-1","date":"2025-11-11","region":"16","victim":$V_A2,"from":"pnp","referral_number":"OF-2025-0201-PNP"}
{"kind":"service","ref":"MINSA-SV-1","date":"2025-11-05","region":"16","victim":$V_A2,"service":"medical"}
{"kind":"service","ref":"MINSA-SV-2","date":"2025-11-12","region":"16","victim":{"given_names":"Rosa","surnames":"null","birth_date":"2012-01-01","sex":"F","nationality":"PE"},"service":"medical"}
{"kind":"service","ref":"MINSA-SV-3","date":"2025-11-12","region":"16","victim":{"document":{"type":"DNI","number":"00000000"},"age":12,"sex":"M","nationality":"PE"},"service":"medical"}
{"kind":"service","ref":"MINSA-SV-4","date":"2025-11-12","region":"16","victim":{"document":{"type":"","number":""},"age":12,"sex":"M","nationality":"PE"},"service":"medical"}
{"kind":"referral","ref":"MINSA-RF-1","date":"2025-11-12","region":"16","victim":$V_A2,"to":"mimp","purpose":"protection","referral_number":"S/N"}
{"kind":"service","ref":"MINSA-SV-5","date":"null","region":"16","victim":$V_A2,"service":"mental_health"}
{"kind":"service","ref":"MINSA-SV-6","date":"2025-11-12","region":"16","victim":{"age":12.0,"sex":"M","nationality":"PE"},"service":"medical"}
{"kind":"service","ref":"MINSA-SV-7","date":46338,"region":"16","victim":$V_A2,"service":"medical"}
{"kind":"service","ref":"MINSA-SV-8","date":"2025-11-12","region":"16","victim":{"age":12,"sex":"","nationality":"PE"},"service":"medical"}
EOF

submit_in_t pnp pnp.jsonl
check "pnp: accepted" submitted_ok pnp
submit_in_t minsa minsa.jsonl
is "minsa: each empty cell's line refused, naming field and what to do" \
	"$(grep ': refused: ' "$T/submit-minsa.out")" \
	"minsa.jsonl:3: refused: victim.surnames: stands for no value (null or N/A or S/N or zeros...): leave the field out when it is not known
minsa.jsonl:4: refused: victim.document.number: stands for no value (null or N/A or S/N or zeros...): leave the document out; as a number it would join every child so written into one
minsa.jsonl:5: refused: victim.document.type: is empty: leave the document out when the victim has none
minsa.jsonl:6: refused: referral_number: stands for no value (null or N/A or S/N or zeros...): write the number the document shows; taken as one it would make every referral so written one
minsa.jsonl:7: refused: date: stands for no value (null or N/A or S/N or zeros...): write the day it happened
minsa.jsonl:8: refused: victim.age: must be a whole number written without a decimal point (12 and not 12.0 as a spreadsheet may export it)
minsa.jsonl:9: refused: date: must be a string written YYYY-MM-DD (a number is how a spreadsheet keeps a day: format the column as text before exporting)
minsa.jsonl:10: refused: victim.sex: is empty: write U when it is not known"
check "minsa: the BOM and CRLF lines taken" grep -q \
	'^minsa.jsonl: 2 accepted, 0 already held, 8 refused' "$T/submit-minsa.out"

# The officer withdraws her service typing its ref in lower case.
printf '%s\n' '{"kind":"withdrawal","ref":"MINSA-WD-1","target_ref":"minsa-sv-1"}' \
	>"$T/wd.jsonl"
submit_in_t minsa wd.jsonl -n
is "a retyped target_ref: said so" \
	"$(grep ': refused: ' "$T/submit-minsa.out")" \
	"wd.jsonl:1: refused: target_ref: no earlier record has this ref as written but one has it in other case or without the spaces at its ends: write it exactly as that record's ref"

check "delivered" wait_delivered 120
"$KUSKA" query -c "$N/analyst.conf" protection --period 2025Q4 --format csv \
	>"$T/protection.csv" 2>"$T/protection.err"
check "protection: medical care 5 days before the identification" \
	grep -qx '"2025Q4",medical,1,-5' "$T/protection.csv"
check "... a note says what a negative median is" grep -qF \
	"kuska query: note: a negative median_days says that at least half of those victims began the service before they were identified: care given first (a health post that treated a girl before she was identified as a victim) or a date to check, the service's or the identification's; not days to the service (docs/INPUT.md section 6)" \
	"$T/protection.err"
for lang in en es; do
	"$KUSKA" report -c "$N/analyst.conf" --period 2025H2 --lang "$lang" \
		-o "$T/report-$lang.html" 2>/dev/null
	check "report ($lang) written" test -s "$T/report-$lang.html"
done
check "report (en): the protection's note" grep -q \
	"A negative median: at least half of those victims began the service before they were identified" \
	"$T/report-en.html"
check "report (es): the protection's note" grep -q \
	"Una mediana negativa: al menos la mitad de esas víctimas empezó el servicio antes de ser identificada" \
	"$T/report-es.html"
# The referrals' median is no negative one: no such note there.
"$KUSKA" query -c "$N/analyst.conf" referrals --period 2025Q4 --format csv \
	>"$T/referrals.csv" 2>"$T/referrals.err"
check "referrals: the take-up a day after" \
	grep -qx '"2025Q4",pnp,minsa,1,1,0,1' "$T/referrals.csv"
check "... no note of a negative median" sh -c \
	"! grep -q 'negative median_days' '$T/referrals.err'"
finish
