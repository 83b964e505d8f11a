#!/usr/bin/env bash
# End to end: exhaustion. The consolidator's store grows its LMDB map up to
# max_map_size_mb; at that ceiling it refuses new batches with store_full,
# keeps what it holds, keeps answering queries, and resumes by itself once
# there is room again (here: a higher ceiling and SIGHUP). A node whose
# outbox is full refuses new submissions with a clear error and keeps
# what it had accepted.
. "$(dirname "$0")/lib.sh"

net_init
printf 'map_size_mb = 1\nmax_map_size_mb = 2\n' >>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 1500 --seed 41 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "the consolidator refuses batches at the ceiling: store_full" \
	wait_log "$N/consolidator.log" "event=batch_refused .*reason=store_full" 30
check "it grew its map before that" \
	grep -q "event=store_grown .*map_size_mb=2" "$N/consolidator.log"
check "it is still running" kill -0 "${PIDS[cons]}"
"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 >/dev/null
check "queries are still answered" test $? = 0
held=0
for i in $INSTS; do held=$((held + $(cons_last_seq "$i"))); done
total=0
for i in $INSTS; do total=$((total + $(records "$T/sim/$i.jsonl"))); done
check "it holds some but not all ($held of $total)" \
	test "$held" -gt 0 -a "$held" -lt "$total"
check "what it holds is intact" audit_ok

# Room again: a higher ceiling, read on SIGHUP. No node is restarted.
sed -i 's/^max_map_size_mb = 2$/max_map_size_mb = 256/' "$N/consolidator.conf"
kill -HUP "${PIDS[cons]}"
check "delivery resumes by itself" wait_delivered 120
for i in $INSTS; do
	check "$i: all $(records "$T/sim/$i.jsonl") events held" \
		test "$(cons_last_seq "$i")" = "$(records "$T/sim/$i.jsonl")"
done
check "audit after the resume" audit_ok

# A node with a tiny outbox. It speaks for mp with a fresh outbox, so it
# must not meet the consolidator (which would find it diverged from mp's
# copy and have it refuse everything): it delivers nowhere.
sed -e 's|run/mp.sock|run/tiny.sock|' -e 's|data/mp|data/tiny|' \
	-e 's|^consolidator = .*|consolidator = tcp://127.0.0.1:9|' \
	"$N/mp.conf" >"$N/tiny.conf"
echo "map_size_mb = 1" >>"$N/tiny.conf"
start_node tiny "$N/tiny.conf"
# Three institutions' records under new refs: more than 1 MiB. Its head
# fits; then requests (of up to 5000 lines) fill the map.
cat "$T/sim/mp.jsonl" "$T/sim/pnp.jsonl" "$T/sim/mimp.jsonl" |
	sed -E 's/"(target_)?ref":"/"\1ref":"TINY-/g' >"$T/tiny.jsonl"
head -300 "$T/tiny.jsonl" >"$T/tiny1.jsonl"
"$KUSKA" submit -c "$N/tiny.conf" "$T/tiny1.jsonl" >"$T/tiny1.out" 2>&1
"$KUSKA" submit -c "$N/tiny.conf" "$T/tiny.jsonl" >"$T/tiny.out" 2>&1
rc=$?
check "a full outbox refuses the submission (exit $rc)" test "$rc" != 0
check "... saying so" grep -q "outbox is full" "$T/tiny.out"
check "the node is still running" kill -0 "${PIDS[tiny]}"
stored=$("$KUSKA" status -c "$N/tiny.conf" |
	sed -n 's/.*(last sequence \([0-9]*\)).*/\1/p')
accepted=$(cat "$T/tiny1.out" "$T/tiny.out" |
	sed -n 's/.*: \([0-9]*\) accepted.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
check "it keeps exactly what it accepted before ($stored = $accepted)" \
	test "${stored:-x}" = "${accepted:-y}" -a "${stored:-0}" -ge 300

finish
