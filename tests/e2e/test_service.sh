#!/usr/bin/env bash
# End to end: life as a service. SIGTERM stops the consolidator within a
# few seconds with exit status 0, in the middle of a stream, and nothing
# is lost when it comes back; `kuska status` exits 0 when healthy, 1 when
# an institution is silent (not one the registry leaves out) or a node has
# dead letters, 2 when the daemon cannot be reached; kuska metrics answers in the Prometheus format.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
for i in pnp mp mimp minsa; do start_node "$i"; done
"$KUSKA" sim --out "$T/sim" --victims 2500 --seed 51 >/dev/null

# SIGTERM while batches flow.
SUBMITS=""
for i in pnp mp mimp minsa; do
	"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >/dev/null &
	SUBMITS="$SUBMITS $!"
done
sleep 1
t0=$(date +%s%N)
kill -TERM "${PIDS[cons]}"
wait "${PIDS[cons]}"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
unset 'PIDS[cons]'
check "SIGTERM: the consolidator exits 0" test "$rc" = 0
check "SIGTERM: ... within 5 s (took $ms ms)" test "$ms" -lt 5000
check "SIGTERM: its store is consistent" audit_ok
# shellcheck disable=SC2086
wait $SUBMITS
start_cons
check "after the restart everything arrives" wait_delivered 120
for i in pnp mp mimp minsa; do
	check "$i: $(records "$T/sim/$i.jsonl") events, each once" \
		test "$(cons_last_seq "$i")" = "$(records "$T/sim/$i.jsonl")"
done
check "audit after the restart" audit_ok

# Status exit codes. An institution the registry does not list (yet)
# cannot speak: shown so, not SILENT, and no alarm.
cp "$N/registry.conf" "$T/registry.full"
awk '/^\[/ { skip = ($0 == "[institution pj]" || $0 == "[key pj-1]") } !skip' \
	"$T/registry.full" >"$N/registry.conf"
hup_wait "$N/consolidator.log" "event=reload parties" "${PIDS[cons]}"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s0.out"
check "status: pj not in the registry: exit 0" test $? = 0
check "status: ... shown as not in the registry, not SILENT" \
	sh -c "grep -q '^pj .*(not in the registry)' '$T/s0.out' && ! grep -q SILENT '$T/s0.out'"
cp "$T/registry.full" "$N/registry.conf"
hup_wait "$N/consolidator.log" "event=reload parties" "${PIDS[cons]}"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s1.out"
check "status: pj never heard from: exit 1" test $? = 1
check "status: ... and shown SILENT" grep -q "^pj .*SILENT" "$T/s1.out"
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/sim/pj.jsonl" >/dev/null
wait_delivered 60
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s2.out"
check "status: every institution heard: exit 0" test $? = 0
"$KUSKA" status -c "$N/mimp.conf" >/dev/null
check "node status: healthy: exit 0" test $? = 0
stop_node minsa TERM
"$KUSKA" status -c "$N/minsa.conf" >/dev/null 2>&1
check "node status: node down: exit 2" test $? = 2
stop_cons TERM
"$KUSKA" status -c "$N/consolidator.conf" >/dev/null 2>&1
check "status: consolidator down: exit 2" test $? = 2
start_cons

# Metrics.
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/m.prom"
check "metrics: accepted events by institution" \
	grep -q "^kuska_events_accepted_total{institution=\"pnp\"} $(records "$T/sim/pnp.jsonl")\$" \
	"$T/m.prom"
check "metrics: a batch latency histogram" \
	grep -q '^kuska_batch_commit_seconds_bucket{le="+Inf"}' "$T/m.prom"
check "metrics: every sample line is NAME{labels} VALUE" \
	sh -c "! grep -v '^#' '$T/m.prom' | grep -vE '^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$'"
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/n.prom"
check "node metrics: outbox depth 0" \
	grep -q '^kuska_node_outbox_depth{institution="pnp"} 0$' "$T/n.prom"
# A directory that is not set-group-ID: node_exporter could not read the
# file; the daemon says so once, and -n too.
mkdir "$T/textfile"
chmod g-s "$T/textfile"
printf 'metrics_file = %s\nmetrics_interval_s = 1\n' "$T/textfile/cons.prom" \
	>>"$N/consolidator.conf"
kill -HUP "${PIDS[cons]}"
check "metrics_file is written for the textfile collector" \
	wait_log "$T/textfile/cons.prom" "^kuska_last_seq" 10
sleep 1.2 # another write
check "its directory, not set-group-ID, is warned of once" \
	test "$(grep -c "event=metrics_dir_not_setgid .*dir=.\?$T/textfile" \
		"$N/consolidator.log")" = 1
"$CONS" -n -c "$N/consolidator.conf" >/dev/null 2>"$T/n.err"
check "-n warns of it too" \
	grep -q "metrics_file: $T/textfile/cons.prom: its directory $T/textfile is not set-group-ID" \
	"$T/n.err"
chmod g+s "$T/textfile"
"$CONS" -n -c "$N/consolidator.conf" >/dev/null 2>"$T/n.err"
check "-n: a set-group-ID directory is not warned of" \
	sh -c "! grep -q set-group-ID '$T/n.err'"

finish
