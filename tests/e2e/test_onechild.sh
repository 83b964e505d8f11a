#!/usr/bin/env bash
# One child, or one case, of too many records (docs/LIMITS.md): a node's
# key (its case system by mistake, or a thief's) could otherwise send one
# child without end, each of her records costing the consolidator more
# than the last (bench/bench_onechild.sh). With max_victim_records = 40
# and max_case_records = 10:
#  - pnp's 30 identifications of one child: 20 accepted, the last 10
#    refused as too_large (an institution's own records of one child at
#    most half of max_victim_records), dead letters at pnp named by ref;
#  - mimp's 25 services for her: 20 accepted, 5 refused; with pnp's 20
#    she has 40 records, the cap, and nothing else of pnp's or mimp's is
#    refused (another child of pnp's is accepted);
#  - mp's 12 stages of one case: 10 accepted, 2 refused; pnp's complaint
#    of the same case is accepted (the cap is per institution);
#  - the same files in another order (mp, mimp, then pnp; a new store)
#    give the same tables and the same dead letters;
#  - which of the two refusals a record meets is said in words: pnp's
#    21st of her is past its own half (first order: she has 21 records)
#    or past the whole (second order: 41), mimp's the other way round;
#  - another child with 19 records of mimp's: pnp's 21st of her is
#    refused for its own half though she would have 40 in all, not over
#    the whole;
#  - a reload (SIGHUP) lowering the caps to 10 and 5 refuses what the old
#    ones took, naming the new caps; one raising them back, then one with
#    max_victim_records = 1, refused (file, line, key): the caps raised
#    are in force (one more of pnp's of a child at 5 taken, of the first
#    child refused for the whole of 40, another stage of the case taken);
#    and minsa's first of the other child makes 40, taken, its second is
#    refused for the whole;
#  - minsa's record of her then finds 40 and is refused: the whole child
#    at most max_victim_records, met by whoever comes at the cap;
#  - a --rebuild keeps what was accepted (the tables the same), and a
#    withdrawal of one of pnp's records makes room for one more;
#  - a flood of 400 more of her: 400 dead letters, and the consolidator's
#    journal holds back their lines past 100 at once.
. "$(dirname "$0")/lib.sh"

net_init
printf 'max_victim_records = 40\nmax_case_records = 10\n' >>"$N/consolidator.conf"
"$CONS" -n -c "$N/consolidator.conf" >"$T/check.out" 2>&1
check "the consolidator's config with the two caps passes its check" \
	grep -qx 'max_victim_records = 40' "$T/check.out"

V='{"document":{"type":"DNI","number":"45678912"},"given_names":"Rosa Elena","surnames":"Quispe Mamani","birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
W='{"document":{"type":"DNI","number":"70112233"},"given_names":"Luz","surnames":"Huaman Condori","birth_date":"2010-08-14","sex":"F","nationality":"PE"}'
U='{"age":15,"sex":"F","nationality":"PE"}'
CASE='"case_number":"FIS-2025-0900","persons":2,"article":"153-A"'

# Other children around her, so that the tables hold counts of k and more.
"$KUSKA" sim --out "$T/sim" --victims 200 --seed 43 >/dev/null
mkdir -p "$T/in"
{
	cat "$T/sim/pnp.jsonl"
	printf '{"kind":"case_stage","ref":"PNP-CS-1","date":"2025-01-20","region":"16","stage":"complaint","victims":[%s],%s}\n' "$U" "$CASE"
	for i in $(seq -w 1 30); do
		printf '{"kind":"identification","ref":"PNP-ID-%s","date":"2025-02-%s","region":"16","victim":%s,"exploitation":["sexual"]}\n' "$i" "$i" "$V" |
			sed 's/"2025-02-\(29\|30\)"/"2025-03-\1"/'
	done
	printf '{"kind":"identification","ref":"PNP-OTHER","date":"2025-04-02","region":"16","victim":%s,"exploitation":["labour"]}\n' "$W"
} >"$T/in/pnp.jsonl"
{
	cat "$T/sim/mimp.jsonl"
	for i in $(seq -w 1 25); do
		printf '{"kind":"service","ref":"MIMP-SV-%s","date":"2025-05-%s","region":"16","victim":%s,"service":"residential_care"}\n' "$i" "$i" "$V"
	done
} >"$T/in/mimp.jsonl"
{
	cat "$T/sim/mp.jsonl"
	printf '{"kind":"case_stage","ref":"MP-CS-01","date":"2025-01-21","region":"16","stage":"complaint","victims":[%s],%s}\n' "$U" "$CASE"
	for i in $(seq -w 2 12); do
		printf '{"kind":"case_stage","ref":"MP-CS-%s","date":"2025-03-%s","region":"16","stage":"preliminary_investigation","victims":[],%s}\n' "$i" "$i" "$CASE"
	done
} >"$T/in/mp.jsonl"
printf '{"kind":"service","ref":"MINSA-SV-1","date":"2025-06-01","region":"16","victim":%s,"service":"medical"}\n' "$V" >"$T/in/minsa.jsonl"

# dead INST: INST's dead letters, "ref reason" a line, sorted.
dead() {
	"$KUSKA" status -c "$N/$1.conf" 2>/dev/null |
		sed -n 's/^ *seq [0-9]* ref \([^:]*\): \([a-z_]*\): .*/\1 \2/p' | sort
}

# letters INST REF: "REF: reason: text" of INST's dead letters whose ref
# matches REF (a sed pattern), sorted.
letters() {
	"$KUSKA" status -c "$N/$1.conf" 2>/dev/null |
		sed -n "s/^ *seq [0-9]* ref \($2\): /\1: /p" | sort
}
R1='too_large: the child would have over 20 records of this institution (max_victim_records 40 allows one institution 20)'
R2='too_large: the child would have over 40 records (max_victim_records 40)'

# deliver STEP INST...: T/in/STEP-INST.jsonl submitted at each INST's
# node, then all answered.
deliver() {
	local step=$1 i
	shift
	for i in "$@"; do
		"$KUSKA" submit -c "$N/$i.conf" "$T/in/$step-$i.jsonl" >"$T/submit-$step-$i.out" 2>&1
		check "$step: $i's file taken by its node" grep -q ' 0 refused' "$T/submit-$step-$i.out"
	done
	check "$step: answered by the consolidator" wait_delivered 60
}

# caps VICTIM CASE: the caps in the consolidator's config.
caps() {
	sed -i -e "s/^max_victim_records = .*/max_victim_records = $1/" \
		-e "s/^max_case_records = .*/max_case_records = $2/" "$N/consolidator.conf"
}

# expected PREFIX FIRST LAST: "PREFIX-NN too_large" for NN in FIRST..LAST.
expected() {
	local i
	for i in $(seq -w "$2" "$3"); do echo "$1-$i too_large"; done
}

# run ORDER...: each institution's file submitted and delivered in turn;
# the dead letters of each kept in T/dead-RUN-INST.
run() {
	local i
	for i in "$@"; do
		"$KUSKA" submit -c "$N/$i.conf" "$T/in/$i.jsonl" >"$T/submit-$i.out" 2>&1
		check "$RUN: $i's file taken by its node" grep -q ' 0 refused' "$T/submit-$i.out"
		check "$RUN: $i's events answered by the consolidator" wait_delivered 60
	done
	for i in pnp mimp mp; do dead "$i" >"$T/dead-$RUN-$i"; done
}

RUN=first
start_all
check "the consolidator's start line says the caps in force" grep -q \
	"event=start .* max_victim_records=40 max_case_records=10\$" \
	"$N/consolidator.log"
run pnp mimp mp
is "$RUN: pnp's 21st to 30th identifications of one child refused as too_large" "$(cat "$T/dead-$RUN-pnp")" "$(expected PNP-ID 21 30)"
"$KUSKA" status -c "$N/pnp.conf" >"$T/pnp-status.out" 2>&1
check "$RUN: the refusal says why in words" \
	grep -q "ref PNP-ID-21: too_large: the child would have over 20 records of this institution (max_victim_records 40 allows one institution 20)" "$T/pnp-status.out"
check "$RUN: ... and what to do of it" \
	grep -qF "    (one refused too_large would give its child or case more records than the consolidator takes: " "$T/pnp-status.out"
is "$RUN: mimp's 21st to 25th services for her refused" "$(cat "$T/dead-$RUN-mimp")" "$(expected MIMP-SV 21 25)"
is "$RUN: mp's 11th and 12th stages of one case refused" "$(cat "$T/dead-$RUN-mp")" "$(expected MP-CS 11 12)"
check "$RUN: the consolidator logged the refusals" \
	grep -q "reason=too_large" "$N/consolidator.log"
is "$RUN: mimp's 21st refused for the whole (she would have 41)" \
	"$(letters mimp MIMP-SV-21)" "MIMP-SV-21: $R2"
query_tables "$T/tables-first"

# Another child, with 19 of mimp's records: pnp's 21st of her would make
# 40, not over the whole, but 21 of pnp's own. (minsa's two of her come
# below, with the caps reloaded: the first makes 40, at the cap, not
# over; the second 41.)
Y='{"document":{"type":"DNI","number":"60345871"},"given_names":"Maribel","surnames":"Ccori Ttito","birth_date":"2012-11-23","sex":"F","nationality":"PE"}'
for i in $(seq -w 1 19); do
	printf '{"kind":"service","ref":"MIMP-Y-%s","date":"2025-07-%s","region":"16","victim":%s,"service":"legal_aid"}\n' "$i" "$i" "$Y"
done >"$T/in/y-mimp.jsonl"
for i in $(seq -w 1 21); do
	printf '{"kind":"identification","ref":"PNP-Y-%s","date":"2025-08-%s","region":"16","victim":%s,"exploitation":["labour"]}\n' "$i" "$i" "$Y"
done >"$T/in/y-pnp.jsonl"
for i in 1 2; do
	printf '{"kind":"service","ref":"MINSA-Y-%s","date":"2025-09-0%s","region":"16","victim":%s,"service":"medical"}\n' "$i" "$i" "$Y"
done >"$T/in/more-minsa.jsonl"
deliver y mimp
deliver y pnp
is "another child: pnp's 21st of her refused for its own half, not the whole (she would have 40)" \
	"$(letters pnp 'PNP-Y-[0-9]*')" "PNP-Y-21: $R1"

# The caps reloaded: lowered to 10 (5 an institution) and 5, pnp's 7 of a
# third child and mp's 6 stages of a new case, all within 40 and 10, meet
# the new ones.
X='{"document":{"type":"DNI","number":"71928364"},"given_names":"Yessenia","surnames":"Apaza Layme","birth_date":"2009-12-02","sex":"F","nationality":"PE"}'
xid() { # xid FIRST LAST: pnp's identifications of X
	local i
	for i in $(seq -w "$1" "$2"); do
		printf '{"kind":"identification","ref":"PNP-X-%s","date":"2025-10-%s","region":"16","victim":%s,"exploitation":["sexual"]}\n' "$i" "$i" "$X"
	done
}
cstage() { # cstage FIRST LAST: mp's stages of another case
	local i
	for i in $(seq "$1" "$2"); do
		printf '{"kind":"case_stage","ref":"MP-CT-%s","date":"2025-10-0%s","region":"16","stage":"preliminary_investigation","victims":[],"case_number":"FIS-2025-0901","persons":1,"article":"153-A"}\n' "$i" "$i"
	done
}
xid 01 07 >"$T/in/low-pnp.jsonl"
cstage 1 6 >"$T/in/low-mp.jsonl"
caps 10 5
check "caps lowered to 10 and 5: reloaded" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
check "... the journal says the caps now in force" grep -q \
	"event=reload .* max_victim_records=10 max_case_records=5\$" \
	"$N/consolidator.log"
deliver low pnp mp
is "lowered caps: pnp's 6th and 7th of a child refused, naming the new cap" \
	"$(letters pnp 'PNP-X-[0-9]*')" "$(for i in 06 07; do
		echo "PNP-X-$i: too_large: the child would have over 5 records of this institution (max_victim_records 10 allows one institution 5)"
	done)"
is "lowered caps: mp's 6th stage of a case refused, naming the new cap" \
	"$(letters mp 'MP-CT-[0-9]*')" \
	"MP-CT-6: too_large: the case would hold 6 facts of this institution (max_case_records 5)"

# Raised back, then a bad value: that reload refused, the caps raised stay.
caps 40 10
check "caps raised back to 40 and 10: reloaded" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
caps 1 10
line=$(grep -n '^max_victim_records = 1$' "$N/consolidator.conf" | cut -d: -f1)
check "then max_victim_records = 1: the reload refused" \
	hup_wait "$N/consolidator.log" "event=reload_refused" "${PIDS[cons]}"
check "... with file, line and key" grep -qF \
	"event=reload_refused error=\"$N/consolidator.conf:$line: max_victim_records: must be a whole number from 2 to 1000000\"" \
	"$N/consolidator.log"
caps 40 10
{
	xid 08 08
	printf '{"kind":"identification","ref":"PNP-ID-40","date":"2025-04-30","region":"16","victim":%s,"exploitation":["sexual"]}\n' "$V"
} >"$T/in/more-pnp.jsonl"
cstage 7 7 >"$T/in/more-mp.jsonl"
deliver more pnp mp minsa
is "caps of 40 and 10: pnp's 8th of a child taken (not 1, nor 10), one more of the first (41 in all) refused for the whole (not 1000)" \
	"$(letters pnp 'PNP-X-[0-9]*\|PNP-ID-40')" "PNP-ID-40: $R2
$(for i in 06 07; do
		echo "PNP-X-$i: too_large: the child would have over 5 records of this institution (max_victim_records 10 allows one institution 5)"
	done)"
is "caps of 40 and 10: mp's 7th stage of a case taken" \
	"$(letters mp 'MP-CT-[0-9]*')" \
	"MP-CT-6: too_large: the case would hold 6 facts of this institution (max_case_records 5)"
is "minsa's first of the other child taken (40, at the cap), its second refused for the whole, minsa having one of her" \
	"$(letters minsa 'MINSA-Y-[0-9]*')" "MINSA-Y-2: $R2"
wipe_all

RUN=second
start_all
run mp mimp pnp
for i in pnp mimp mp; do
	is "$RUN: $i's dead letters as in the first order" "$(cat "$T/dead-$RUN-$i")" "$(cat "$T/dead-first-$i")"
done
is "$RUN: pnp's 21st refused for the whole (she would have 41)" \
	"$(letters pnp PNP-ID-21)" "PNP-ID-21: $R2"
is "$RUN: mimp's 21st refused for its own half (she would have 21)" \
	"$(letters mimp MIMP-SV-21)" "MIMP-SV-21: $R1"
query_tables "$T/tables-second"
check "$RUN: the same tables as in the first order" \
	same_tables "$T/tables-first" "$T/tables-second"

# The whole child: 40 records, so minsa's is refused.
"$KUSKA" submit -c "$N/minsa.conf" "$T/in/minsa.jsonl" >"$T/submit-minsa.out" 2>&1
check "minsa's record of her delivered" wait_delivered 60
is "minsa's record of her refused: she has max_victim_records records" "$(dead minsa)" "MINSA-SV-1 too_large"
is "... for the whole, minsa having none of her" \
	"$(letters minsa MINSA-SV-1)" "MINSA-SV-1: $R2"
query_tables "$T/tables-minsa"
check "the tables unchanged by the refusal" \
	same_tables "$T/tables-second" "$T/tables-minsa"

# A rebuild keeps what was accepted.
stop_cons TERM
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
check "--rebuild succeeds" test $? = 0
start_cons
query_tables "$T/tables-rebuilt"
check "after --rebuild the same tables" \
	same_tables "$T/tables-second" "$T/tables-rebuilt"

# A withdrawal makes room: pnp has 20 of her records (half of 40); one
# withdrawn, one more is taken.
{
	printf '{"kind":"withdrawal","ref":"PNP-WD-1","target_ref":"PNP-ID-01"}\n'
	printf '{"kind":"identification","ref":"PNP-ID-31","date":"2025-03-31","region":"16","victim":%s,"exploitation":["sexual"]}\n' "$V"
	printf '{"kind":"identification","ref":"PNP-ID-32","date":"2025-03-31","region":"16","victim":%s,"exploitation":["sexual"]}\n' "$V"
} >"$T/in/pnp-more.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/in/pnp-more.jsonl" >"$T/submit-more.out" 2>&1
check "pnp's withdrawal and two more delivered" wait_delivered 60
is "after a withdrawal one more identification of her taken, the next refused" "$(dead pnp)" "$( (expected PNP-ID 21 30; echo 'PNP-ID-32 too_large') | sort)"

# A flood of her records: each a dead letter, stored and listed by pnp's
# status, but the consolidator's journal takes 100 lines of them at once
# (then one a second), so a node's key cannot fill it.
before=$(grep -c "event=refused institution=pnp" "$N/consolidator.log")
for i in $(seq 1000 1399); do
	printf '{"kind":"identification","ref":"PNP-FL-%s","date":"2025-04-01","region":"16","victim":%s,"exploitation":["sexual"]}\n' "$i" "$V"
done >"$T/in/pnp-flood.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/in/pnp-flood.jsonl" >"$T/submit-flood.out" 2>&1
check "the flood delivered" wait_delivered 120
check "each of the 400 a dead letter at pnp" wait_dead_letters pnp 411
after=$(grep -c "event=refused institution=pnp" "$N/consolidator.log")
# (Its burst of 100 less the one line of PNP-ID-32 above, plus one a second.)
check "the journal took 99 to 399 lines of them, not 400 (it took $((after - before)))" \
	test $((after - before)) -ge 99 -a $((after - before)) -lt 400

wipe_all
finish
