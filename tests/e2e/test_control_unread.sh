#!/usr/bin/env bash
# libzmq 4.3.4's abort on a local control socket (docs/SECURITY.md,
# "Hostile peers"): a member of the control group (kuska-control) floods
# a daemon's control socket with status requests whose answers it never
# reads, while the daemon is busy (here the key holder evaluating a batch
# of 65,536 elements, one worker), and ends the connections. libzmq
# stops reading a connection holding ZMQ_RCVHWM (1,000) messages; when
# that connection ended and a heartbeat fell due it aborted ("Assertion
# failed: !_io_error", stream_engine_base.cpp), and with the key holder
# every node's pseudonymisation. The local sockets now have no heartbeat
# (the kernel tells of a closed peer), and ZMQ_RCVHWM lifted (a PING
# among the requests aborted the same way, test_control_ping.sh): the
# daemon survives, answers kuska status after the floods, and its memory
# stays bounded.
. "$(dirname "$0")/lib.sh"

THIEF="$KUSKA_BIN/kuska_thief"
FLOOD="$KUSKA_BIN/kuska_ctlflood"
CONNS=4
COUNT=3000
BIG=65536
ROUNDS=3

net_init
printf 'rate_per_day = 100000000\nworkers = 1\n' >>"$N/keyholder.conf"
start_keyholder
EP="tcp://127.0.0.1:$((PORT + 2))"
CTL="ipc://$N/run/keyholder.sock"
# until_taken R: until kuska status says the key holder took mp's R-th
# request (its requests column, counted as the evaluation starts; status
# is answered between chunks of it), or the key holder is gone, for at
# most 30 s; a trigger, not a check.
until_taken() {
	local i
	for i in $(seq 600); do
		"$KUSKA" status -c "$N/keyholder.conf" 2>/dev/null |
			awk -v r="$1" '$1 == "mp" && $2 >= r { f = 1 }
				END { exit !f }' && return 0
		kill -0 "${PIDS[keyholder]}" 2>/dev/null || return 0
		sleep 0.05
	done
}
rss_sample "${PIDS[keyholder]}"
# Each batch answered within 120 s, as test_keyholder_unread gives it: an
# ASan run at load 12 saw only the first of three asked within 60 s.
"$THIEF" sweep -k "$N/keys/mp.key" -p "$N/keys/keyholder.pub" -e "$EP" \
	-E 1 -n $((ROUNDS * BIG)) -b $BIG -t 120000 >"$T/big.out" 2>&1 &
big=$!
for r in $(seq $ROUNDS); do
	until_taken "$r"
	fl=()
	for j in $(seq $CONNS); do
		# Every other one speaks ZMTP itself, a PING after each
		# request (kuska_ctlflood -P, test_control_ping.sh).
		raw=()
		[ $((j % 2)) = 0 ] && raw=(-P)
		"$FLOOD" "${raw[@]}" -e "$CTL" -F $COUNT -t 0 \
			>"$T/flood$r.$j.out" 2>&1 &
		fl+=($!)
	done
	wait "${fl[@]}"
	ended=$EPOCHREALTIME
done
# An aborted key holder answers no more batches: no need to wait for them.
kill -0 "${PIDS[keyholder]}" 2>/dev/null || kill $big 2>/dev/null
wait $big
check "the large batches are evaluated" \
	grep -qx "evaluated $((ROUNDS * BIG)) of $((ROUNDS * BIG))" "$T/big.out"
check "every flood went out" \
	test "$(cat "$T"/flood*.out | grep -cx "flooded $COUNT")" = $((ROUNDS * CONNS))
# Long enough for a heartbeat on every connection ended meanwhile: 5 s
# since the last flood ended, the large batch's wait counted.
sleep_since "$ended" 5
check "the key holder is still running" kill -0 "${PIDS[keyholder]}"
check_rss_sampled "key holder" "${PIDS[keyholder]}" 32768
check "kuska status answers after the floods" \
	"$KUSKA" status -c "$N/keyholder.conf"
check_no_assertion keyholder
finish
