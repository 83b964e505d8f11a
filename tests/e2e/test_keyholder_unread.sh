#!/usr/bin/env bash
# libzmq 4.3.4's abort on the key holder's listening socket
# (docs/SECURITY.md, "Hostile peers"): it stops reading a connection
# holding ZMQ_RCVHWM (1,000) messages the key holder has not read; if
# that connection then ends, a heartbeat due aborts the daemon
# ("Assertion failed: !_io_error", stream_engine_base.cpp), and every
# node's pseudonymisation with it.
#
# A node (mp) asks for batches of max_batch (65,536) elements, each a
# second or more of evaluation; meanwhile a stolen node key (pnp's)
# floods the key holder on connections of its own with thousands of
# small requests each, and ends them. When the key holder read its
# socket only between requests, 16 messages a pass, it aborted. It now
# reads all the socket holds at every pass and between chunks of an
# evaluation, keeps a bounded line of requests a node, and refuses the
# rest as busy or drops them (intake.c): it survives, its memory stays
# bounded, and a third node (pj) is served during each flood.
. "$(dirname "$0")/lib.sh"

CONNS=4
COUNT=3000
BIG=65536
ROUNDS=3

net_init
printf 'rate_per_day = 100000000\nmax_connections_per_key = 64\nmax_pending_per_address = 64\n' \
	>>"$N/keyholder.conf"
start_keyholder
kh_sweep pj -n 10 -b 10 -t 10000 >"$T/first.out"
check "the key holder serves a node" grep -qx "evaluated 10 of 10" "$T/first.out"
# Its memory, sampled while it is flooded.
rss_sample "${PIDS[keyholder]}"

# The large batches, one after the other, on a connection of their own.
kh_sweep mp -n $((ROUNDS * BIG)) -b $BIG -t 120000 >"$T/big.out" &
big=$!
for r in $(seq $ROUNDS); do
	sleep 0.3
	fl=()
	for j in $(seq $CONNS); do
		kh_sweep pnp -n 1 -b 1 -F $COUNT -t 300 >"$T/flood$r.$j.out" &
		fl+=($!)
	done
	kh_sweep pj -n 10 -b 10 -t 30000 >"$T/good$r.out"
	check "round $r: a third node is served during the flood" \
		grep -qx "evaluated 10 of 10" "$T/good$r.out"
	wait "${fl[@]}"
	ended=$EPOCHREALTIME
done
wait $big
check "the large batches are evaluated, none refused" \
	grep -qx "evaluated $((ROUNDS * BIG)) of $((ROUNDS * BIG))" "$T/big.out"
# Long enough for a heartbeat on every connection ended meanwhile: 5 s
# since the last flood ended, the large batch's wait counted.
sleep_since "$ended" 5
check "the key holder is still running" kill -0 "${PIDS[keyholder]}"
check_rss_sampled "key holder" "${PIDS[keyholder]}" 32768
"$KUSKA" metrics -c "$N/keyholder.conf" >"$T/metrics.out" 2>&1
check "the flood's surplus was refused as busy, and counted" awk \
	'$1 == "kuska_keyholder_requests_busy_total" && $2 > 0 { f = 1 } END { exit !f }' \
	"$T/metrics.out"
check "... and logged" grep -q "event=requests_busy node=pnp " "$N/keyholder.log"
check "nothing is left waiting" \
	grep -qx "kuska_keyholder_requests_waiting 0" "$T/metrics.out"
kh_sweep pj -n 10 -b 10 -t 10000 >"$T/last.out"
check "it serves a node after the floods" grep -qx "evaluated 10 of 10" "$T/last.out"
check_no_assertion keyholder
finish
