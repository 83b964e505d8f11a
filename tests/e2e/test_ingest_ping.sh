#!/usr/bin/env bash
# libzmq's heartbeats among a flood on the nodes' socket, no stall
# needed. A holder of pnp's transport key (its node stopped) opens six
# connections, each sending 3,000 recovery requests without reading with
# libzmq's heartbeat every millisecond (kuska_rogue -b 1: its PINGs among
# the messages), then ending them; five times. Each recovery is a job of
# the writer's, so the consolidator reads them more slowly than libzmq
# receives them. With ZMQ_RCVHWM at 1,000 libzmq 4.3.4 stopped reading
# such a connection with bytes read but not decoded; once it ended, a
# PING decoded among them was answered with a write, and that aborted the
# consolidator ("Assertion failed: !_io_error", stream_engine_base.cpp:
# 3 runs of 3 on the code before, the first or second flood). Now the
# socket has none: the consolidator survives, refuses what its waiting
# places do not hold as busy, and the other nodes deliver after.
. "$(dirname "$0")/lib.sh"

CONNS=6
COUNT=3000
HOLD_MS=2000
ROUNDS=5

flood_net start_cons

rss_sample "${PIDS[cons]}"
for r in $(seq $ROUNDS); do
	rogue_flood "flood$r." $CONNS $COUNT $HOLD_MS -b 1
	kill -0 "${PIDS[cons]}" 2>/dev/null || break
done
# Long enough for a heartbeat on every connection ended meanwhile.
sleep 5
check "the consolidator is still running after the floods" \
	kill -0 "${PIDS[cons]}"
check_no_assertion
sent=$(cat "$T"/flood*.out | awk '{ s += $3 } END { print s + 0 }')
echo "# recovery requests sent: $sent"
check_rss_sampled "consolidator" "${PIDS[cons]}" 65536

submit_sim mp
check "mp's records delivered after the floods" wait_delivered 120
start_node pnp
check "pnp's node, started again, is in step" wait_delivered 60
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
check_no_assertion
finish
