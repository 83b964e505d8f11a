#!/usr/bin/env bash
# Lock-out without a key: someone on 127.0.0.1 holds 340 idle TCP
# connections to the consolidator's two ports (170 each) and opens a new
# one whenever one is closed. Every institution's node still connects and
# delivers, and the analyst and the secretariat still get their tables:
# only peers that completed a handshake with a registered key count
# against max_connections, and the anonymous connections are bounded per
# address (the consolidator closes the surplus, which the metrics show).
. "$(dirname "$0")/lib.sh"

HOLD=170 # per port

net_init
start_cons
python3_bg "$(dirname "$0")/holder.py" "$T/holder.status" \
	"127.0.0.1:$PORT:$HOLD" "127.0.0.1:$((PORT + 1)):$HOLD"
holder=$!
PIDS[holder]=$holder
for _ in $(seq 100); do
	[ -s "$T/holder.status" ] &&
		[ "$(awk '{ print $4 }' "$T/holder.status")" -ge $((2 * HOLD)) ] &&
		break
	sleep 0.1
done
check "the holder opened $((2 * HOLD)) connections" \
	test "$(awk '{ print $4 }' "$T/holder.status")" -ge $((2 * HOLD))

for i in $INSTS; do start_node "$i"; done
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 21 >/dev/null
check "every node accepts its records" submit_all "$T/sim"
check "every node delivers while the connections are held" wait_delivered 60
for i in $INSTS; do
	check "$i: the consolidator holds all $(records "$T/sim/$i.jsonl")" \
		test "$(cons_last_seq "$i")" = "$(records "$T/sim/$i.jsonl")"
done
for t in identification overlap; do
	"$KUSKA" query -c "$N/analyst.conf" "$t" --period 2025 \
		>"$T/analyst-$t.txt" 2>&1
	check "the analyst gets the $t table" test $? = 0
done
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
	>"$T/sec.txt" 2>"$T/sec.err"
check "the secretariat gets its table" test -s "$T/sec.txt"

# Stopped, the holder opens no more while the metrics are read: those it
# reopens would otherwise be counted between the consolidator's reading of
# their accept events and its closing them.
kill -STOP "$holder"
sleep 1
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/m.prom"
kill -CONT "$holder"
peers=$(sed -n 's/^kuska_connections \([0-9]*\)$/\1/p' "$T/m.prom")
pending=$(sed -n 's/^kuska_connections_pending \([0-9]*\)$/\1/p' "$T/m.prom")
closed=$(sed -n 's/^kuska_connections_closed_total{reason="pending_limit"} \([0-9]*\)$/\1/p' \
	"$T/m.prom")
check "the five nodes are the peers counted ($peers)" test "$peers" = 5
check "anonymous connections from the holder's address bounded ($pending <= 32)" \
	test "${pending:-999}" -le 32
check "the consolidator closed the surplus (${closed:-0})" \
	test "${closed:-0}" -ge $((2 * HOLD - 40))
kill -TERM "$holder"
wait "$holder"
unset 'PIDS[holder]'
check "the holder saw its connections closed ($(cat "$T/holder.status"))" \
	test "$(awk '{ print $6 }' "$T/holder.status")" -gt 0
check "consolidator still running" kill -0 "${PIDS[cons]}"
check "audit OK" audit_ok

finish
