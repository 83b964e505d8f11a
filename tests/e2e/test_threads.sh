#!/usr/bin/env bash
# The consolidator's threads (issue 15): the same records give the same
# tables byte for byte whether one thread does everything (workers = 1) or
# four verify while one commits (workers = 4), and a --rebuild of the
# second store gives them again, verifying on four threads or on one;
# while the four-thread consolidator drains the five nodes' backlogs as
# fast as it can, `kuska status`, `kuska metrics` and a query each get
# their answer (the test asserts that they answer, not how fast:
# bench/bench_e2e.sh measures that).
. "$(dirname "$0")/lib.sh"

# set_threads N: the consolidator's workers key, whatever it was.
set_threads() {
	sed -i '/^workers = /d' "$N/consolidator.conf"
	echo "workers = $1" >>"$N/consolidator.conf"
}

# same_rebuild A B: two --rebuild outputs say the same, their time aside.
same_rebuild() {
	[ -s "$1" ] && [ "$(sed 's/ in [0-9]* ms//' "$1")" = "$(sed 's/ in [0-9]* ms//' "$2")" ]
}

# held_total: the sequences the consolidator holds, all institutions.
held_total() {
	"$KUSKA" status -c "$N/consolidator.conf" 2>/dev/null |
		awk '$1 ~ /^(pnp|mp|pj|mimp|minsa)$/ { s += $2 } END { print s + 0 }'
}

# Under the sanitizers, whose question is memory, half the victims: the
# same tables, rebuilds and answers during the drain, and the drain (a
# sanitized consolidator verifies several times slower) still lasts
# longer than the plain build's with them all.
VICTIMS=3000
[ "${KUSKA_SANITIZED:-OFF}" != ON ] || VICTIMS=1500

net_init
"$KUSKA" sim --out "$T/sim" --victims $VICTIMS --seed 15 >/dev/null
total=0
for i in $INSTS; do total=$((total + $(records "$T/sim/$i.jsonl"))); done

# Run A: one thread. pnp's whole file is one request of a few thousand
# lines: its node answers status while it works on it.
set_threads 1
start_all
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/submit-pnp.out" &
SUB=$!
node_ok=0 node_during=0
for k in $(seq 10); do
	"$KUSKA" status -c "$N/pnp.conf" >"$T/nst.$k" 2>&1
	if [ $? -lt 2 ] && grep -q "last sequence" "$T/nst.$k"; then
		node_ok=$((node_ok + 1))
		kill -0 $SUB 2>/dev/null && node_during=$((node_during + 1))
	fi
done
wait $SUB
check "pnp's submission accepted" grep -q " 0 refused" "$T/submit-pnp.out"
check "node status answered during a submission ($node_ok of 10)" \
	test "$node_ok" = 10
check "... $node_during of them before it ended" test "$node_during" -gt 0
for i in mp pj mimp minsa; do
	"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >"$T/submit-$i.out"
done
check "workers = 1: every record accepted" submitted_ok $INSTS
check "workers = 1: delivered" wait_delivered 180
check "workers = 1: the log says one thread" \
	grep -q "event=start.* workers=1" "$N/consolidator.log"
query_tables "$T/one"
check "workers = 1: every table answered" sh -c "! grep -rq '^exit' '$T/one'"
check "workers = 1: victims counted" \
	grep -q '^"2025",all,[1-9]' "$T/one/identification.2025.csv"
wipe_all

# Run B: the nodes take everything while the consolidator is down, then
# it drains their backlogs with four threads: saturated.
set_threads 4
for i in $INSTS; do start_node "$i"; done
check "workers = 4: every record accepted by the nodes" submit_all "$T/sim"
start_cons
status_ok=0 status_all=0 during=0 metrics_ok=0 query_ok=0
for k in $(seq 20); do
	status_all=$((status_all + 1))
	# 0 healthy, 1 needs attention: either is an answer (2 is none).
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/st.$k" 2>&1
	rc=$?
	if [ $rc -lt 2 ] && grep -q '^pnp ' "$T/st.$k"; then
		status_ok=$((status_ok + 1))
		held=$(awk '$1 ~ /^(pnp|mp|pj|mimp|minsa)$/ { s += $2 } END { print s + 0 }' "$T/st.$k")
		[ "$held" -lt "$total" ] && during=$((during + 1))
	fi
	if [ $k -le 5 ]; then
		"$KUSKA" metrics -c "$N/consolidator.conf" 2>/dev/null |
			grep -q '^kuska_events_accepted_total' &&
			metrics_ok=$((metrics_ok + 1))
		"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
			--format csv >/dev/null 2>&1 && query_ok=$((query_ok + 1))
	fi
done
check "during the drain: every status answered ($status_ok of $status_all)" \
	test "$status_ok" = "$status_all"
[ "$status_ok" = "$status_all" ] || head -5 "$T/st.1" | sed 's/^/  /'
check "... $during of them while events were still arriving" \
	test "$during" -gt 0
check "during the drain: every metrics request answered ($metrics_ok of 5)" \
	test "$metrics_ok" = 5
check "during the drain: every query answered ($query_ok of 5)" \
	test "$query_ok" = 5
check "workers = 4: delivered" wait_delivered 180
check "workers = 4: the consolidator holds all $total events" \
	test "$(held_total)" = "$total"
check "workers = 4: the log says four threads" \
	grep -q "event=start.* workers=4" "$N/consolidator.log"
query_tables "$T/four"
check "1 and 4 threads: the same tables, byte for byte" \
	same_tables "$T/one" "$T/four"
check "audit of the four-thread store: no gap, no double" audit_ok

# The rebuild verifies on the workers' threads: four, then one.
stop_cons TERM
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
check "--rebuild of the four-thread store succeeds" test $? = 0
start_cons
query_tables "$T/rebuilt"
check "after --rebuild: the same tables again" \
	same_tables "$T/one" "$T/rebuilt"
stop_cons TERM
set_threads 1
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild1.out" 2>&1
check "--rebuild on one thread succeeds" test $? = 0
check "--rebuild on one thread: no envelope left out" \
	grep -q '(0 left out' "$T/rebuild1.out"
check "--rebuild on one thread and on four: the same envelopes" \
	same_rebuild "$T/rebuild.out" "$T/rebuild1.out"
start_cons
query_tables "$T/rebuilt1"
check "after a one-thread --rebuild: the same tables again" \
	same_tables "$T/one" "$T/rebuilt1"
wipe_all
finish
