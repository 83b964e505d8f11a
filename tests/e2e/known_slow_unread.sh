#!/usr/bin/env bash
# Known to fail (not run by ctest, whose tests are test_*.sh): the last
# window of libzmq 4.3.4's abort on the consolidator's query socket. Made
# test_slow_unread.sh once the consolidator survives it.
#
# libzmq 4.3.4 stops reading a connection holding ZMQ_RCVHWM (1,000)
# messages the daemon has not read; if that connection then ends, a
# heartbeat due aborts it: "Assertion failed: !_io_error
# (stream_engine_base.cpp:331)" (libzmq issue 4841; test_drop_unread.sh,
# test_stall_unread.sh). The query thread reads every few milliseconds,
# but a fast flooder may still fill 1,000 in such a gap (docs/SECURITY.md,
# "Hostile peers"); here the gap is made long: an LD_PRELOAD library
# (tests/tools/shim/slowread.c) holds the query thread's reads while a
# file exists, libzmq's I/O thread reading on, and three connections of
# the analyst's key each send 5,000 requests and end. The consolidator
# aborts (6 runs of 6 on main, session 34). With
# ZMQ_RCVHWM 0 on the query socket it survived (its memory 2.8 MiB
# grown by the 15,000 requests unread), but that alone leaves a flood's
# backlog unbounded (docs/SECURITY.md): the remedy needs a bound of ours
# first.
. "$(dirname "$0")/lib.sh"

SLOW_LIB="$KUSKA_BIN/libkuska_slowread.so"
ASKER="$KUSKA_BIN/kuska_asker"
CONNS=3
COUNT=5000
HOLD_MS=3000

[ -r "$SLOW_LIB" ] || skip "no $SLOW_LIB"
net_init
printf 'max_connections_per_key = 64\nmax_pending_per_address = 64\n' \
	>>"$N/consolidator.conf"
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
SLOW="$T/slow"
KUSKA_SLOW_FILE="$SLOW" KUSKA_SLOW_ENDPOINT="$QEP" LD_PRELOAD="$SLOW_LIB" \
	start_cons
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "the consolidator answers" test $? = 0
before=$(rss_kib "${PIDS[cons]}")

touch "$SLOW"
# One request to be held on: the query thread then waits in its read.
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null 2>&1 &
first=$!
held() {
	local i
	for i in $(seq 300); do
		[ -e "$SLOW.hit" ] && return 0
		sleep 0.1
	done
	return 1
}
check "the query thread's reads are held" held
fl=()
for j in $(seq $CONNS); do
	printf 'deliveries\t2026\n' |
		"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
			-e "$QEP" -F $COUNT -t $HOLD_MS >"$T/flood$j.out" 2>&1 &
	fl+=($!)
done
wait "${fl[@]}"
check "each flooder sent all it meant to" \
	test "$(cat "$T"/flood*.out | sort -u)" = "flooded $COUNT"
# Long enough for a heartbeat on every connection ended meanwhile.
sleep 5
check "the consolidator is still running, its reads held" \
	kill -0 "${PIDS[cons]}"
after=$(rss_kib "${PIDS[cons]}")
echo "# consolidator RSS ${before} KiB before, ${after} KiB with $((CONNS * COUNT)) requests unread"
check_rss_growth "memory grew by less than 32 MiB" "$before" "$after" 32768

rm -f "$SLOW"
wait $first
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "it answers once its reads go on" test $? = 0
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
if grep -q "Assertion failed" "$N/consolidator.log"; then
	not_ok "libzmq asserted: $(grep -m1 "Assertion failed" "$N/consolidator.log")"
else
	ok "libzmq asserted nothing"
fi
finish
