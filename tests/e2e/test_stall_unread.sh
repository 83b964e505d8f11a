#!/usr/bin/env bash
# The nodes' socket read on while the store's commits stall. The
# consolidator took up 24 jobs (JOBS_MAX) and then left the ingest socket
# unread until the writer answered some; libzmq 4.3.4 stops reading a
# connection holding ZMQ_RCVHWM (1,000) messages we have not read, and if
# that connection then ends, aborts: "Assertion failed: !_io_error
# (stream_engine_base.cpp:331)" (libzmq issue 4841; test_drop_unread.sh
# has the same on the query socket). A node's window is 64 batches, so
# only a stolen node key could get there, and only while commits stall:
# here an LD_PRELOAD library (tests/tools/shim/stall.c) holds the store's
# fdatasync while a file exists.
#
# mp's node delivers a batch whose commit stalls; meanwhile six
# connections of pnp's key (its node stopped), more than
# max_pending_per_address lets one address keep anonymous, each send
# 3,000 recovery requests without reading, then end. The consolidator
# holds up to 64 messages a connection behind the full pipeline and
# refuses the rest at once as busy, so it reads on and hears every
# connection; before, it read none of them once the pipeline was full,
# closed the surplus as anonymous, and aborted (every run of 10). Then
# the same six connections again with libzmq's heartbeat every
# millisecond (kuska_rogue -b 1), as a node's libzmq puts its PINGs among
# the messages: with ZMQ_RCVHWM at 1,000 libzmq stopped reading a
# connection with bytes read but not decoded, and decoding a PING there
# after the end answered it with a write that aborted (4 runs of 5 on the
# code before); now the socket has none, the consolidator reading it on,
# 64 messages a pass. Once the commit goes on, mp's records are
# delivered, and pnp's node too.
. "$(dirname "$0")/lib.sh"

STALL_LIB="$KUSKA_BIN/libkuska_stall.so"
CONNS=6
COUNT=3000
HOLD_MS=3000

[ -r "$STALL_LIB" ] || skip "no $STALL_LIB"
STALL="$T/stall"
stalled_cons() {
	KUSKA_STALL_FILE="$STALL" LD_PRELOAD="$STALL_LIB" start_cons
}
flood_net stalled_cons
before=$(rss_kib "${PIDS[cons]}")

touch "$STALL"
submit_sim mp
check "mp's records accepted by its node" submitted_ok mp
check "a commit of mp's batch stalls" wait_for_file "$STALL.hit" 30
rogue_flood flood $CONNS $COUNT $HOLD_MS
# Long enough for a heartbeat on every connection ended meanwhile.
sleep 5
check "the consolidator is still running, the commit stalled" \
	kill -0 "${PIDS[cons]}"
check "the commit still stalls" test -e "$STALL"
busy=$(cons_metric 'kuska_ingest_refused_busy_total')
check "messages past those held refused at once as busy (${busy:-none})" \
	test "${busy:-0}" -gt 0
closed=$(cons_metric 'kuska_connections_closed_total{reason="pending_limit"}')
echo "# connections closed as anonymous: ${closed:-none}"
after=$(rss_kib "${PIDS[cons]}")
echo "# consolidator RSS ${before} KiB before, ${after} KiB after"
check_rss_growth "memory grew by less than 32 MiB" "$before" "$after" 32768

rss_sample "${PIDS[cons]}"
rogue_flood ping $CONNS $COUNT $HOLD_MS -b 1
sleep 5
check "the consolidator is still running after heartbeats among the messages" \
	kill -0 "${PIDS[cons]}"
check_no_assertion
check_rss_sampled "consolidator" "${PIDS[cons]}" 32768

rm -f "$STALL"
check "mp's records delivered once the commit goes on" wait_delivered 120
start_node pnp
check "pnp's node, started again, is in step" wait_delivered 60
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
check_no_assertion
finish
