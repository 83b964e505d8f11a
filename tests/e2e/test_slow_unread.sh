#!/usr/bin/env bash
# The last window of libzmq 4.3.4's abort on the consolidator's query
# socket (docs/SECURITY.md, "Hostile peers").
#
# libzmq 4.3.4 stops reading a connection holding ZMQ_RCVHWM (1,000)
# messages the daemon has not read; if that connection then ends, a
# heartbeat due aborts it: "Assertion failed: !_io_error
# (stream_engine_base.cpp:331)" (libzmq issue 4841; test_drop_unread.sh,
# test_stall_unread.sh). Here the thread that answers queries is held
# while a file exists (an LD_PRELOAD library, tests/tools/shim/slowread.c,
# holding the thread named kuska-query: as an answer that takes long
# would), and three connections of the analyst's key each send 100,000
# requests and end. When that thread read the socket itself, the
# consolidator aborted (5,000 requests a connection were enough); with
# ZMQ_RCVHWM lifted alone it survived, but kept all it was sent (about
# 180 bytes a request: 2.8 MiB for 15,000). Now a reader thread of its
# own reads the socket whatever the answering thread does, keeps a
# bounded number of requests (query_reader.h), and refuses or drops the
# rest: the consolidator survives, and what it keeps of the 300,000
# (56 MiB when libzmq kept them: the reader held instead) stays under
# 32 MiB (6 to 19 MiB on a loaded host).
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"
CONNS=3
COUNT=100000
HOLD_MS=3000

held_query_net thread 64
before=$(rss_kib "${PIDS[cons]}")

touch "$SLOW"
# One request to be held on: the query thread then waits.
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null 2>&1 &
first=$!
check "the query thread is held" wait_for_file "$SLOW.hit" 30
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
check "the consolidator is still running, its query thread held" \
	kill -0 "${PIDS[cons]}"
after=$(rss_kib "${PIDS[cons]}")
echo "# consolidator RSS ${before} KiB before, ${after} KiB with $((CONNS * COUNT)) requests sent while it was held"
check_rss_growth "memory grew by less than 32 MiB" "$before" "$after" 32768

rm -f "$SLOW"
wait $first
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "it answers once the query thread goes on" test $? = 0

# A flood with nothing held: another client (the secretariat, on a
# connection of its own) is answered in its turn, the connections with
# requests waiting taken one request each in turn.
fl=()
for j in $(seq $CONNS); do
	printf 'deliveries\t2026\n' |
		"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
			-e "$QEP" -F $COUNT -t $HOLD_MS >"$T/again$j.out" 2>&1 &
	fl+=($!)
done
"$KUSKA" query -c "$N/secretariat.conf" deliveries >/dev/null
check "another client is answered during a flood" test $? = 0
wait "${fl[@]}"
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
check_no_assertion
finish
