#!/usr/bin/env bash
# End to end: "not heard from since". mp delivers while the consolidator's
# clock is 60 days slow (libfaketime), as if its node had stopped two
# months ago; pnp, pj and mimp deliver now; minsa never does. The
# deliveries table gives each one's last delivery, events held (equal to
# what was delivered) and last contact, for the analyst, the secretariat
# and (its own row, through its officers' query key pnp-stats) an
# institution, in CSV and JSON, with or without --period; it survives a
# restart. The report of the running year names mp (silent for more than
# 30 days) and minsa (never heard from) in English and Spanish, and flags
# none of the others. The secretariat does not see pj's 3 events (primary
# suppression, as in sources). mp's node started again with nothing to
# send: its hellos move last_contact, not last_delivery, and the report
# says it is in contact instead of flagging it. pnp-stats's report names
# PNP, not its key.
. "$(dirname "$0")/lib.sh"

[ "$FAKE" = yes ] || skip "${FAKE#no: }"

net_init
"$KUSKA" sim --out "$T/sim" --victims 200 --seed 5 >/dev/null

# mp, two months ago by the consolidator's clock.
start_cons_at -60d
start_node mp
"$KUSKA" submit -c "$N/mp.conf" "$T/sim/mp.jsonl" >"$T/submit-mp.out"
check "mp delivers to the slow consolidator" wait_delivered 120
stop_node mp TERM
stop_cons TERM
start_cons
# pj: three records, a count the secretariat does not see.
head -3 "$T/sim/pj.jsonl" >"$T/pj3.jsonl"
mv "$T/pj3.jsonl" "$T/sim/pj.jsonl"
for i in pnp pj mimp; do
	start_node "$i"
	"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >"$T/submit-$i.out"
done
check "pnp, pj and mimp deliver" wait_delivered 120
check "every submission accepted" submitted_ok mp pnp pj mimp

today=$(date -u +%F)
then=$(date -u -d '60 days ago' +%F)
"$KUSKA" query -c "$N/analyst.conf" deliveries --format csv >"$T/an.csv" \
	2>"$T/an.err"
check "analyst: no --period needed" test $? = 0 -a -s "$T/an.csv"
check "columns institution,last_delivery,events,last_contact" \
	test "$(head -1 "$T/an.csv")" = "institution,last_delivery,events,last_contact"
check "a row for each of the five" test "$(grep -c . "$T/an.csv")" = 6
field() { awk -F, -v i="$2" -v c="$3" '$1 == i { print $c }' "$1"; }
for i in pnp pj mimp mp; do
	check "$i: events held = the $(records "$T/sim/$i.jsonl") delivered" \
		test "$(field "$T/an.csv" $i 3)" = "$(records "$T/sim/$i.jsonl")"
done
# like VALUE PATTERN: VALUE matches the shell pattern.
like() { [[ $1 == $2 ]]; }
for i in pnp pj mimp; do
	v=$(field "$T/an.csv" $i 2)
	check "$i: last delivery today, UTC ($v)" \
		like "$v" "${today}T[0-2][0-9]:[0-5][0-9]Z"
done
v=$(field "$T/an.csv" mp 2)
check "mp: last delivery 60 days ago ($v)" like "$v" "${then}T*Z"
v=$(field "$T/an.csv" mp 4)
check "mp: node stopped, last contact its last delivery ($v)" like "$v" "${then}T*Z"
for i in pnp pj mimp; do
	v=$(field "$T/an.csv" $i 4)
	check "$i: last contact today ($v)" like "$v" "${today}T*Z"
done
check "minsa: no delivery, 0 events, no contact" test "$(grep '^minsa,' "$T/an.csv")" = "minsa,,0,"
# upto3 FILE: the first three columns (last_contact moves with every
# keepalive hello of the running nodes).
upto3() { cut -d, -f1-3 "$1"; }

"$KUSKA" query -c "$N/analyst.conf" deliveries --period 2019Q1 \
	--format csv >"$T/an-2019.csv"
check "the period does not change it" \
	test "$(upto3 "$T/an.csv")" = "$(upto3 "$T/an-2019.csv")"
"$KUSKA" query -c "$N/secretariat.conf" deliveries --format csv \
	>"$T/sec.csv"
check "secretariat: the same table, pj's 3 events withheld" \
	test "$(upto3 "$T/an.csv" | sed 's/^pj,\(.*\),3$/pj,\1,<10/')" = "$(upto3 "$T/sec.csv")"
"$KUSKA" query -c "$N/pnp-stats.conf" deliveries --format csv >"$T/pnp.csv"
check "pnp: its own row only" \
	test "$(upto3 "$T/pnp.csv" | sed 1d)" = "$(upto3 "$T/an.csv" | grep '^pnp,')"
"$KUSKA" query -c "$N/analyst.conf" deliveries --format json >"$T/an.json"
check "json: the same values" python3 - "$T/an.json" "$T/an.csv" <<-'PY'
	import csv, json, sys
	rows = json.load(open(sys.argv[1]))
	want = list(csv.DictReader(open(sys.argv[2])))
	def norm(r):
	    return (r["institution"], r["last_delivery"] or "", str(r["events"]),
	            r["last_contact"] or "")
	sys.exit(0 if [norm(r) for r in rows] == [norm(r) for r in want] else 1)
PY

# Durable: a restart changes nothing.
stop_cons TERM
start_cons
"$KUSKA" query -c "$N/analyst.conf" deliveries --format csv >"$T/an2.csv"
check "after a restart, the same last deliveries" \
	test "$(upto3 "$T/an.csv")" = "$(upto3 "$T/an2.csv")"

year=$(TZ=Etc/GMT+5 date +%Y)
for lang in en es; do
	"$KUSKA" report -c "$N/analyst.conf" --period "$year" --lang $lang \
		-o "$T/report-$lang.html" 2>"$T/report-$lang.err"
	check "$lang: the report is made" test $? = 0 -a -s "$T/report-$lang.html"
done
R=$T/report-en.html
check "en: mp named, silent since 60 days ago" grep -qF \
	"<li class=\"stale\">MP: nothing received since $then; its figures after that date are missing, not zero.</li>" "$R"
check "en: minsa named, never heard from" grep -qF \
	'<li class="stale">MINSA: nothing ever received' "$R"
check "en: pnp, pj, mimp not flagged" sh -c "
	grep -qF '<li>PNP: last delivered on $today' '$R' &&
	grep -qF '<li>PJ: last delivered on $today' '$R' &&
	grep -qF '<li>MIMP: last delivered on $today' '$R' &&
	test \$(grep -c 'class=\"stale\"' '$R') = 2"
check "es: mp named" grep -qF \
	"<li class=\"stale\">MP: nada recibido desde el $then; sus cifras posteriores a esa fecha faltan, no son cero.</li>" \
	"$T/report-es.html"
# mp's node runs again with nothing to send: its hello is contact, not a
# delivery. The report says it is in contact, and flags only minsa.
start_node mp
wait_mp_contact() {
	local n
	for n in $(seq 100); do
		"$KUSKA" query -c "$N/analyst.conf" deliveries --format csv \
			>"$T/an3.csv" 2>/dev/null
		like "$(field "$T/an3.csv" mp 4)" "${today}T*Z" && return 0
		sleep 0.2
	done
	return 1
}
check "mp: a hello moves last_contact to today" wait_mp_contact
v=$(field "$T/an3.csv" mp 2)
check "mp: and not last_delivery ($v)" like "$v" "${then}T*Z"
for lang in en es; do
	"$KUSKA" report -c "$N/analyst.conf" --period "$year" --lang $lang \
		-o "$T/report2-$lang.html" 2>"$T/report2-$lang.err"
done
R=$T/report2-en.html
check "en: mp in contact today, last events 60 days ago, not flagged" \
	grep -qF "<li class=\"quiet\">MP: in contact on $today; last events received on $then." "$R"
check "en: only minsa flagged" test "$(grep -c 'class="stale"' "$R")" = 1
check "es: mp in contact" grep -qF \
	"<li class=\"quiet\">MP: en contacto el $today; últimos eventos recibidos el $then." \
	"$T/report2-es.html"

# An institution's page names it from its answers, not from its officers'
# key (pnp-stats).
"$KUSKA" report -c "$N/pnp-stats.conf" --period "$year" --lang en \
	-o "$T/report-pnp.html" 2>"$T/report-pnp.err"
check "pnp-stats: the report is made" test $? = 0 -a -s "$T/report-pnp.html"
check "pnp-stats: the page says it is PNP's view" grep -qF \
	"Institution view: only PNP&#39;s own events." "$T/report-pnp.html"
check "pnp-stats: the key's id is no institution" \
	test "$(grep -c PNP-STATS "$T/report-pnp.html")" = 0
finish
