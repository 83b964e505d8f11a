#!/usr/bin/env bash
# End to end: a court stage whose case number the prosecutor wrote
# otherwise is a case no complaint names, which the funnel never sees.
# The prosecutor sends a complaint of FPE-2026-0101; the court a trial of
# "FPE 2026 0101" (spaces for the hyphens: another case) and one of
# FPE-2026-0101. cases_unmatched counts exactly the first, under pj, in
# its quarter and region; pj's own view shows it exactly, mp's nothing,
# the secretariat's as withheld; kuska query prosecution and funnel name
# it in a note; a restart and a --rebuild give the same bytes; the
# court's correction to the right number empties the table and the note
# goes.
. "$(dirname "$0")/lib.sh"

net_init
start_all

V_A='{"document":{"type":"DNI","number":"45678912"},"given_names":"María Rosa","surnames":"Ñahui Quispe","birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
cat >"$T/mp.jsonl" <<EOF
{"kind":"case_stage","ref":"MP-CS-1","date":"2026-02-02","region":"15","case_number":"FPE-2026-0101","stage":"complaint","victims":[$V_A],"persons":1,"article":"129-A"}
EOF
cat >"$T/pj.jsonl" <<EOF
{"kind":"case_stage","ref":"PJ-CS-1","date":"2026-05-10","region":"15","case_number":"FPE 2026 0101","stage":"trial","victims":[],"persons":1,"article":"129-A"}
{"kind":"case_stage","ref":"PJ-CS-2","date":"2026-05-12","region":"15","case_number":"FPE-2026-0101","stage":"trial","victims":[],"persons":1,"article":"129-A"}
EOF
cat >"$T/pj-fix.jsonl" <<EOF
{"kind":"correction","ref":"PJ-CO-1","target_ref":"PJ-CS-1","record":{"kind":"case_stage","date":"2026-05-10","region":"15","case_number":"FPE-2026-0101","stage":"trial","victims":[],"persons":1,"article":"129-A"}}
EOF

# rows WHO PERIOD [OPTION...]: cases_unmatched's CSV in WHO's view,
# joined by spaces.
rows() {
	local who=$1 p=$2
	shift 2
	"$KUSKA" query -c "$N/$who.conf" cases_unmatched --period "$p" \
		--format csv "$@" 2>/dev/null | paste -sd' '
}
# note WHO TABLE: the note on cases no complaint names on TABLE's stderr.
note() {
	"$KUSKA" query -c "$N/$1.conf" "$2" --period 2026 2>&1 >/dev/null |
		grep '^kuska query: note: cases no complaint names'
}
# answers DIR: the tables the count touches, as the analyst and the
# secretariat see them, to compare runs.
answers() {
	local who t p
	mkdir -p "$1"
	for who in analyst secretariat pj-stats; do
		for t in cases_unmatched prosecution funnel; do
			for p in 2026 2026Q2; do
				"$KUSKA" query -c "$N/$who.conf" "$t" \
					--period "$p" --format csv \
					>"$1/$who.$t.$p.csv" 2>&1 ||
					echo "exit $?" >>"$1/$who.$t.$p.csv"
			done
		done
	done
}
wait_query() {
	local i
	for i in $(seq 50); do
		"$KUSKA" query -c "$N/analyst.conf" prosecution --period 2026 \
			--format csv >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

submit_in_t mp mp.jsonl
submit_in_t pj pj.jsonl
check "mp and pj: every record accepted" submitted_ok mp pj
check "delivered" wait_delivered 120

H=period,institution,cases
is "analyst: the trial written with spaces, once, under pj" \
	"$(rows analyst 2026)" "$H \"2026\",pj,1"
is "analyst: in its quarter" "$(rows analyst 2026Q2)" "$H \"2026Q2\",pj,1"
is "analyst: in no other quarter" "$(rows analyst 2026Q1)" "$H"
is "analyst: in its region" "$(rows analyst 2026 --region 15)" "$H \"2026\",pj,1"
is "analyst: in no other region" "$(rows analyst 2026 --region 16)" "$H"
is "pj's own view: its row, exact" "$(rows pj-stats 2026)" "$H \"2026\",pj,1"
is "mp's own view: no row of its own" "$(rows mp-stats 2026)" "$H"
is "secretariat: withheld" "$(rows secretariat 2026)" "$H \"2026\",pj,<10"
# The prosecution counts both trials' cases; the funnel the complaint's.
is "analyst: the prosecution counts two cases tried" \
	"$("$KUSKA" query -c "$N/analyst.conf" prosecution --period 2026 \
		--format csv 2>/dev/null | grep '^"2026",trial,')" "\"2026\",trial,2,2"
is "analyst: the funnel one" \
	"$("$KUSKA" query -c "$N/analyst.conf" funnel --period 2026 \
		--format csv 2>/dev/null | grep '^"2026",trial,')" "\"2026\",trial,1,0.000"
want="kuska query: note: cases no complaint names (pj 1, by the institution of their earliest stage) count in the prosecution's stages and in no funnel: a court stage under a case number written otherwise is one, and so is a prosecutor's stage whose complaint the police sent under another number; compare each institution's numbers with those of the one before it (the court's with the prosecutor's, the prosecutor's with the police's); kuska query cases_unmatched --period 2026 counts them per institution"
is "analyst: kuska query prosecution names them in a note" \
	"$(note analyst prosecution)" "$want"
is "analyst: kuska query funnel too" "$(note analyst funnel)" "$want"
is "secretariat: the note says the count withheld" \
	"$(note secretariat prosecution)" "${want/pj 1/pj <10}"
# asked: the analyst's questions of cases_unmatched of 2026 so far.
asked() {
	grep -c 'event=query who=analyst role=analyst table="cases_unmatched" period="2026" region=0 ' \
		"$N/consolidator.log"
}
before=$(asked)
note analyst prosecution >/dev/null
is "kuska query prosecution: the table's question, then cases_unmatched's, each logged" \
	"$(($(asked) - before))" 1

answers "$T/a1"
stop_cons TERM
start_cons
check "consolidator answers after a restart" wait_query
answers "$T/a2"
check "after a restart: the same bytes" same_tables "$T/a1" "$T/a2"
stop_cons TERM
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
check "kuska-consolidator --rebuild succeeds" test $? = 0
start_cons
check "consolidator answers after --rebuild" wait_query
answers "$T/a3"
check "after --rebuild: the same bytes" same_tables "$T/a1" "$T/a3"

# The court corrects the number: one case, tried, and nothing unmatched.
submit_in_t pj pj-fix.jsonl
check "pj: the correction accepted" submitted_ok pj
check "delivered" wait_delivered 120
is "analyst: the correction empties the table" "$(rows analyst 2026)" "$H"
is "pj's own view: empty too" "$(rows pj-stats 2026)" "$H"
is "analyst: the prosecution counts one case tried" \
	"$("$KUSKA" query -c "$N/analyst.conf" prosecution --period 2026 \
		--format csv 2>/dev/null | grep '^"2026",trial,')" "\"2026\",trial,1,1"
is "analyst: no note" "$(note analyst prosecution)" ""

finish
