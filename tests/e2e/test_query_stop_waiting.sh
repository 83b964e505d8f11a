#!/usr/bin/env bash
# At a stop, a request the query socket's reader had read but the query
# thread had not taken is refused, "the consolidator is stopping", not
# dropped: its client was left to its 15 s time-out. The query thread
# refuses those waiting at the stop (query_net_unread_refuse), but found
# none when the reader had the request in hand and queued it just after;
# then the reader dropped it. Here the reader's reads are held (an LD_PRELOAD
# library, tests/tools/shim/slowread.c, holding reads of the query
# socket) with a request in libzmq's hands when the consolidator is told
# to stop; the hold ends once the query thread has gone.
. "$(dirname "$0")/lib.sh"


held_query_net socket - -d

touch "$SLOW"
"$KUSKA" query -c "$N/analyst.conf" deliveries >"$T/asked.out" \
	2>"$T/asked.err" &
asked=$!
check "the reader is held with the request" wait_for_file "$SLOW.hit" 30
kill -TERM "${PIDS[cons]}"
# query_thread_gone: the consolidator has no thread named kuska-query
# (QUERY_THREAD_NAME) left, for 30 s at most.
query_thread_gone() {
	local i
	for i in $(seq 300); do
		grep -qx kuska-query "/proc/${PIDS[cons]}/task/"*/comm 2>/dev/null ||
			return 0
		sleep 0.1
	done
	return 1
}
# The query thread, idle, stops and finds no request waiting; the stop
# then waits for the reader, held: released once the thread has gone
# (released sooner, the thread could still take the request and answer
# it; a second's sleep is no bound on a loaded machine).
check "the stop is under way" wait_log "$N/consolidator.log" "event=stop$"
check "the query thread has gone" query_thread_gone
rm -f "$SLOW"
wait "${PIDS[cons]}"
rc=$?
unset 'PIDS[cons]'
check "the consolidator stopped cleanly" test $rc = 0
wait $asked
check "the request is refused, the consolidator stopping" \
	grep -q "the consolidator is stopping" "$T/asked.err"
grep -q "the consolidator is stopping" "$T/asked.err" ||
	echo "# kuska query said: $(cat "$T/asked.err")"
check "... and logged" grep -q "event=query_stop_refused waiting=1" \
	"$N/consolidator.log"
finish
