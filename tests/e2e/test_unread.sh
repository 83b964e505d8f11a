#!/usr/bin/env bash
# Query clients that never read their answers: 32 connections of the
# analyst's key each send 3,000 requests for the breakdown table and read
# nothing. The consolidator answers every request, keeps at most a few
# answers queued for each connection (QUERY_HWM, docs/LIMITS.md) and
# drops the rest, so its memory stays flat (libzmq's default of 1,000
# answers a connection grew it by about 40 MiB here, and without bound
# with larger tables and more connections); a reading client is answered
# meanwhile and after.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"
CONNS=32
COUNT=3000

net_init
start_all
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
check "records accepted" submit_all "$T/sim"
check "records delivered" wait_delivered 120
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")

rss() { awk '/^VmRSS/ { print $2 }' "/proc/${PIDS[cons]}/status"; }
# The answer is cached once asked: what follows costs no computation.
"$KUSKA" query -c "$N/analyst.conf" breakdown --period 2025 >/dev/null
before=$(rss)
asked=$(grep -c "event=query " "$N/consolidator.log")

fl=()
for j in $(seq $CONNS); do
	printf 'breakdown\t2025\n' |
		"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
			-e "$QEP" -F $COUNT -t 60000 >"$T/flood$j.out" &
	fl+=($!)
done
# answered N: the consolidator has answered (logged) N more requests.
answered() {
	[ $(($(grep -c "event=query " "$N/consolidator.log") - asked)) -ge "$1" ]
}
for i in $(seq 240); do
	answered $((CONNS * COUNT)) && break
	sleep 0.5
done
check "every flooded request answered (or its answer dropped)" \
	answered $((CONNS * COUNT))
check "each flooder sent all it meant to" \
	test "$(cat "$T"/flood*.out | sort -u)" = "flooded $COUNT"
after=$(rss)
echo "# consolidator RSS ${before} KiB before, ${after} KiB with $CONNS unread connections"
if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then
	echo "# (sanitized build: memory not judged)"
else
	check "memory grew by less than 16 MiB" \
		test $((after - before)) -lt 16384
fi
"$KUSKA" query -c "$N/analyst.conf" breakdown --period 2025 --format csv \
	>"$T/q.csv" 2>&1
check "a reading client is answered while they hold their connections" \
	test $? = 0 -a -s "$T/q.csv"
kill "${fl[@]}" 2>/dev/null
wait "${fl[@]}" 2>/dev/null
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "and answers once they are gone" test $? = 0
finish
