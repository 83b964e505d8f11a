#!/usr/bin/env bash
# A reload (SIGHUP) while the query thread answers a question does not
# stop the consolidator's main thread. A question's audit takes seconds
# under flood (docs/SECURITY.md); a reload takes conf_lock for writing.
# The main thread once waited for the audit there, and read neither the
# nodes' socket nor the control socket, nor told the watchdog it lived;
# then it left the reload pending until the audit ended, the old registry
# in force meanwhile. The query thread now holds conf_lock only while it
# judges a request, never through its answer. Here it is held in a
# question's answer (tests/tools/shim/slowread.c with KUSKA_SLOW_TXN, as
# through an audit): once SIGHUP is sent, the reload is applied at once,
# kuska status of the consolidator is answered, and a node's events are
# taken and stored, while the question is still held; it is answered
# when the thread goes on.
. "$(dirname "$0")/lib.sh"

export KUSKA_SLOW_TXN=1
held_query_net thread
start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 30 --seed 61 >/dev/null
total=$(records "$T/sim/pnp.jsonl")

reloads() {
	grep -c "event=reload parties=" "$N/consolidator.log"
}

# reloaded N: until the log holds N reloads applied, 30 s at most.
reloaded() {
	for _ in $(seq 300); do
		[ "$(reloads)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
before=$(reloads)

touch "$SLOW"
# A question held on, in its answer: the query thread waits.
"$KUSKA" query -c "$N/analyst.conf" deliveries >"$T/first.out" 2>&1 &
first=$!
check "the query thread is held in the question's answer" \
	wait_for_file "$SLOW.hit" 30

kill -HUP "${PIDS[cons]}"
check "the reload is applied at once, the question held" \
	reloaded $((before + 1))
# Its exit status says whether an institution is silent: not looked at.
timeout 60 "$KUSKA" status -c "$N/consolidator.conf" >"$T/status.out" 2>&1
if ! grep -q "^pnp  *[0-9]" "$T/status.out"; then
	# Each status asked below would wait as long: stop here.
	not_ok "kuska status of the consolidator is answered meanwhile"
	rm -f "$SLOW"
	finish
fi
ok "kuska status of the consolidator is answered meanwhile"
check "a node's submission is accepted" submit_sim pnp
check "... with nothing refused" submitted_ok pnp
check "the consolidator takes and stores its $total events meanwhile" \
	wait_held pnp "$total" 120
check "the question is still unanswered" kill -0 "$first"
check "the consolidator is still running" kill -0 "${PIDS[cons]}"

rm -f "$SLOW"
wait $first
check "the question is answered once the query thread goes on" test $? = 0
check "the reload was applied once" test "$(reloads)" = $((before + 1))
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "queries are answered after the reload" test $? = 0

# A stream of requests, each holding the read lock STREAM_MS as it is
# judged (KUSKA_SLOW_AFTER and KUSKA_SLOW_MS: the lock held longer than
# it ever is), from ASKERS clients, REQUESTS each, one after the other: at
# least ASKERS * REQUESTS * STREAM_MS of it. glibc's rwlock prefers
# readers by default, and a lock taken again at once between two answers
# is free only for an instant: unless writers come first (main.c), the
# reload waited for the end of the stream. It is applied while the stream
# goes on.
ASKERS=4
REQUESTS=50
STREAM_MS=200
stop_cons TERM
rm -f "$SLOW.hit"
touch "$SLOW"
unset KUSKA_SLOW_TXN
export KUSKA_SLOW_AFTER=1
KUSKA_SLOW_FILE="$SLOW" KUSKA_SLOW_THREAD=kuska-query KUSKA_SLOW_MS=$STREAM_MS \
	LD_PRELOAD="$KUSKA_BIN/libkuska_slowread.so" start_cons
before=$(reloads)
askers=()
for j in $(seq $ASKERS); do
	for _ in $(seq $REQUESTS); do printf 'deliveries\t2026\n'; done |
		"$KUSKA_BIN/kuska_asker" -k "$N/keys/analyst.key" \
			-s "$N/keys/consolidator.pub" -e "$QEP" -t 120000 \
			>"$T/stream$j.out" 2>&1 &
	askers+=($!)
done
check "the stream's requests are answered, each in $STREAM_MS ms" \
	wait_log "$T/stream1.out" "^answer rows=" 30
kill -HUP "${PIDS[cons]}"
check "a reload during the stream is applied" reloaded $((before + 1))
running=0
for p in "${askers[@]}"; do kill -0 "$p" 2>/dev/null && running=$((running + 1)); done
check "... while the stream goes on ($running of $ASKERS clients asking)" \
	test $running -gt 0
check "... once" test "$(reloads)" = $((before + 1))
kill "${askers[@]}" 2>/dev/null
rm -f "$SLOW"
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
check_no_assertion
finish
