#!/usr/bin/env bash
# Catch-up is fair (issue 15): pnp's node, cut off while it took 20
# batches of events, delivers them with a window wide enough to queue
# them all at the consolidator; meanwhile mp submits a small file, which
# is committed before pnp's backlog is in (peers take turns in the
# consolidator's pipeline: before, it waited behind the whole backlog).
# Then everything is delivered once: the counts match and the audit finds
# no gap and no double, though the registry was reloaded while pnp's
# batches were queued. bench/bench_catchup.sh measures the times.
. "$(dirname "$0")/lib.sh"

BACKLOG=20480 # 20 batches of 1024

net_init
# One thread: the drain takes a few seconds, the small file a fraction.
echo "workers = 1" >>"$N/consolidator.conf"
echo "window = 64" >>"$N/pnp.conf"
"$KUSKA" sim --out "$T/sim" --victims 12500 --seed 15 >/dev/null
head -n "$BACKLOG" "$T/sim/pnp.jsonl" >"$T/backlog.jsonl"
head -n 10 "$T/sim/mp.jsonl" >"$T/small.jsonl"
check "pnp's sim file holds the backlog" \
	test "$(records "$T/backlog.jsonl")" = "$BACKLOG"

start_node pnp
start_node mp
check "pnp takes its backlog while cut off" \
	"$KUSKA" submit -c "$N/pnp.conf" "$T/backlog.jsonl" >"$T/submit-pnp.out"
start_cons

# Once pnp's first batch is in, mp's small file.
first=0
for _ in $(seq 600); do
	c=$(cons_last_seq pnp)
	[ "${c:-0}" -gt 0 ] && first=$c && break
	sleep 0.1
done
check "pnp's backlog starts arriving ($first events)" test "$first" -gt 0
# A reload now: pnp's queued batches were judged by the registry it
# replaces, mp's by the new one, and they come back in turns, not in the
# order they went: the old registry must outlive every job judged by it
# (the sanitizer build sees a use after free otherwise).
kill -HUP "${PIDS[cons]}"
check "a reload while pnp's backlog is queued" \
	wait_log "$N/consolidator.log" "event=reload "
check "mp takes a small file" \
	"$KUSKA" submit -c "$N/mp.conf" "$T/small.jsonl" >"$T/submit-mp.out"
want=$(node_last_seq mp)

# Until the consolidator holds mp's file: what pnp had by then (one
# reply gives both).
pnp_then=""
for _ in $(seq 600); do
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/st" 2>/dev/null
	m=$(awk '$1 == "mp" { print $2 }' "$T/st")
	if [ "${m:-0}" -ge "${want:-1}" ]; then
		pnp_then=$(awk '$1 == "pnp" { print $2 }' "$T/st")
		break
	fi
	sleep 0.05
done
check "mp's small file committed" test -n "$pnp_then"
check "... before pnp's backlog was in (pnp at ${pnp_then:-?} of $BACKLOG)" \
	test "${pnp_then:-$BACKLOG}" -lt "$BACKLOG"

check "everything delivered" wait_delivered 180
check "the consolidator holds pnp's $BACKLOG events and mp's 10" \
	test "$(cons_last_seq pnp) $(cons_last_seq mp)" = "$BACKLOG 10"
check "audit: no gap, no double" audit_ok
finish
