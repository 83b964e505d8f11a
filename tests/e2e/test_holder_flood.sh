#!/usr/bin/env bash
# libzmq 4.3.4's abort on a node's connection to its key holder
# (docs/SECURITY.md, "Hostile peers"): a hostile or compromised key
# holder (kuska_liar, with the key holder's key) answers the node's hello
# and then sends it thousands of replies it never asked for, and ends the
# connection. The node read them 64 a pass of its loop; libzmq stopped
# reading the connection at ZMQ_RCVHWM (1,000), and when it ended with a
# heartbeat due libzmq aborted ("Assertion failed: !_io_error",
# stream_engine_base.cpp); at every round, the holder ends it at
# another moment after the hello, so that one falls between a stall and
# the heartbeat. Now the node's loop wakes on the holders' sockets and
# reads them (HOLDERS_DRAIN_MAX a pass), with ZMQ_RCVHWM lifted: it
# survives, its memory grows by little, and it still answers its status.
. "$(dirname "$0")/lib.sh"

LIAR="$KUSKA_BIN/kuska_liar"
INSTS="pnp"
DELAYS="0.3 1.0 1.6 1.7 1.8 1.9 2.5 3.4 3.6"

net_init
NO_KEYHOLDER=1
start_all
rss_sample "${PIDS[pnp]}"
r=0
for d in $DELAYS; do
	r=$((r + 1))
	"$LIAR" -k "$N/keys/keyholder.key" -e "tcp://127.0.0.1:$((PORT + 2))" \
		-m $((200 + r)) -M 200 -f -r 2>>"$N/liar.log" &
	liar=$!
	wait_log "$N/pnp.log" "event=keyholder_max_batch .*max_batch=$((200 + r))$" 10
	sleep $d
	kill -TERM $liar
	wait $liar 2>/dev/null
	sleep 2.5
	kill -0 "${PIDS[pnp]}" 2>/dev/null || break
done
check "the node is still running" kill -0 "${PIDS[pnp]}"
check_rss_sampled "node" "${PIDS[pnp]}" 65536
check "it answers its status after the floods" test -n "$(node_acked pnp)"
check_no_assertion pnp
finish
