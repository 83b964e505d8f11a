#!/usr/bin/env bash
# Query clients that never read their answers: 32 connections of the
# analyst's key, one a client (max_connections_per_key and
# max_pending_per_address raised for them), each send 3,000 requests for
# the breakdown table and read nothing. The consolidator answers the 16
# each may have waiting (query_reader.h) in turn, refuses the rest as busy
# or drops them (every request accounted for), keeps at most a few
# answers queued for each connection (QUERY_HWM, docs/LIMITS.md) and
# drops the rest, so its memory stays flat (libzmq's default of 1,000
# answers a connection grew it by about 40 MiB here, and without bound
# with larger tables and more connections); a reading client is answered
# meanwhile and after.
#
# Then a node that never reads (kuska_rogue unread, pnp's key, its node
# stopped): 2 connections each asking 1,500 times to recover all pnp's
# events (about 100 KiB an answer here, up to 4 MiB in general). The
# consolidator keeps at most INGEST_HWM answers queued for each (libzmq's
# default 1,000 grew it by 460 MiB with 4 connections), logs a burst of
# event=recover lines and then at most one a second, and pnp's real node,
# started again, delivers.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"
CONNS=32
COUNT=3000
# The node that never reads: its requests, and how long it holds its
# connection (its answers queued meanwhile, RSS read after 8 s, while
# both still hold theirs: 10 s after their last request was sent; 20 s
# before, which added 10 s of waiting and nothing to what is checked).
RECOVERS=1500
HOLD_MS=10000
# A sanitized consolidator answers a few hundred queries a second: fewer
# requests there (its memory is not judged; that it survives them is).
# 150 a connection still outrun QUERY_HWM (16) by far, so answers are
# dropped on every connection; 400 recoveries a connection still outrun
# INGEST_HWM and the log's burst of 10 plus one a second over the 10 s
# held, so the budget is still what keeps the lines down.
if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then
	COUNT=150
	RECOVERS=400
fi

net_init
# The flooders are one key from one address: let it hold them all, and
# their handshakes at once (each is anonymous until its first request is
# read; over max_pending_per_address some were closed, their requests in
# flight lost, and the count below came short).
printf 'max_connections_per_key = 64\nmax_pending_per_address = 64\n' \
	>>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
check "records accepted" submit_all "$T/sim"
check "records delivered" wait_delivered 120
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")

# The answer is cached once asked: what follows costs no computation.
"$KUSKA" query -c "$N/analyst.conf" breakdown --period 2025 >/dev/null
before=$(rss_kib "${PIDS[cons]}")
asked=$(queries_logged analyst)
refused0=$(($(cons_metric kuska_queries_refused_busy_total) + $(cons_metric kuska_queries_dropped_total)))

fl=()
for j in $(seq $CONNS); do
	printf 'breakdown\t2025\n' |
		"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
			-e "$QEP" -F $COUNT -t 60000 >"$T/flood$j.out" &
	fl+=($!)
done
# answered N: the consolidator has answered (logged, or counted among
# the lines its budget held back), refused as busy or dropped N more
# requests.
answered() {
	local busy dropped
	busy=$(cons_metric kuska_queries_refused_busy_total)
	dropped=$(cons_metric kuska_queries_dropped_total)
	[ $(($(queries_logged analyst) - asked + busy + dropped - refused0)) \
		-ge "$1" ]
}
for i in $(seq 240); do
	answered $((CONNS * COUNT)) && break
	sleep 0.5
done
check "every flooded request answered, refused or dropped" \
	answered $((CONNS * COUNT))
check "each flooder sent all it meant to" \
	test "$(cat "$T"/flood*.out | sort -u)" = "flooded $COUNT"
# One connection a flooder, all within the bounds: none closed unheard.
closed=$(cons_metric 'kuska_connections_closed_total{reason="pending_limit"}')
check "no connection closed as anonymous (${closed:-none})" test "$closed" = 0
after=$(rss_kib "${PIDS[cons]}")
echo "# consolidator RSS ${before} KiB before, ${after} KiB with $CONNS unread connections"
check_rss_growth "memory grew by less than 16 MiB" "$before" "$after" 16384
"$KUSKA" query -c "$N/analyst.conf" breakdown --period 2025 --format csv \
	>"$T/q.csv" 2>&1
check "a reading client is answered while they hold their connections" \
	test $? = 0 -a -s "$T/q.csv"
kill "${fl[@]}" 2>/dev/null
wait "${fl[@]}" 2>/dev/null
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "and answers once they are gone" test $? = 0

# ---- a node that never reads ------------------------------------------
stop_node pnp TERM
EP=$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")
before=$(rss_kib "${PIDS[cons]}")
t0=$(date +%s)
ro=()
for j in 1 2; do
	"$KUSKA_BIN/kuska_rogue" -k "$N/keys/pnp.key" \
		-s "$N/keys/consolidator.pub" -e "$EP" -n $RECOVERS -t $HOLD_MS \
		unread >"$T/unread$j.out" 2>&1 &
	ro+=($!)
done
sleep 8
after=$(rss_kib "${PIDS[cons]}")
echo "# consolidator RSS ${before} KiB before, ${after} KiB with 2 unread node connections"
check_rss_growth "memory grew by less than 32 MiB" "$before" "$after" 32768
wait "${ro[@]}"
check "each sent its $RECOVERS requests" \
	test "$(cat "$T"/unread*.out | sort -u)" = "unread sent $RECOVERS"
check_log_budget "a burst of recover lines, then at most one a second" \
	"$N/consolidator.log" "event=recover institution=pnp" "$t0"
start_node pnp
"$KUSKA" sim --out "$T/sim2" --victims 20 --seed 77 >/dev/null
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim2/pnp.jsonl" >/dev/null
check "pnp's node, started again, delivers" wait_delivered 60
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
finish
