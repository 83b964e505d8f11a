#!/usr/bin/env bash
# End to end: the consolidator refusing every batch for its own store for
# another cause than a full disk: its ceiling (max_map_size_mb), or a
# write the kernel cuts short (here a file size limit, RLIMIT_FSIZE, as a
# failing disk or a quota would: LMDB calls it an I/O error). Its kuska
# status warned, and exited 1, for a full disk only: for these it showed
# a counter and exited 0 while the nodes' events piled up, so a monitoring
# check on the consolidator saw it healthy. Now the same warning names
# the store, the cause and what to do, until a batch is committed again.
. "$(dirname "$0")/lib.sh"

net_init
INSTS="pnp"
# pnp alone in the registry: no institution SILENT to raise the alarm.
cp "$N/registry.conf" "$T/registry.full"
awk '/^\[/ { skip = ($0 ~ /^\[(institution|key) (mp|pj|mimp|minsa)(-1)?\]$/) } !skip' \
	"$T/registry.full" >"$N/registry.conf"
printf 'map_size_mb = 1\nmax_map_size_mb = 1\n' >>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 1500 --seed 41 >/dev/null
submit_sim pnp
check "the consolidator refuses batches at its ceiling" \
	wait_log "$N/consolidator.log" "event=batch_refused .*reason=store_full" 60
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s1.out" 2>&1
rc=$?
check "its status exits 1 ($rc)" test "$rc" = 1
check "... warning that the store reached its ceiling, and what to do" \
	grep -q "^WARNING: the store in $N/data/consolidator reached its ceiling: raise max_map_size_mb and reload (the last commit failed .*): batches are refused, the nodes keep them and retry" \
	"$T/s1.out"

# A higher ceiling, read on SIGHUP: everything arrives, the warning goes.
sed -i 's/^max_map_size_mb = 1$/max_map_size_mb = 64/' "$N/consolidator.conf"
hup_wait "$N/consolidator.log" "event=reload parties" "${PIDS[cons]}"
check "pnp's events arrive once there is room" wait_delivered 120
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s2.out" 2>&1
rc=$?
check "its status exits 0 again ($rc)" test "$rc" = 0
check "... with no warning" sh -c "! grep -q WARNING '$T/s2.out'"

# Writes cut short: the consolidator run under a file size limit below
# what its store needs for what follows.
command -v prlimit >/dev/null || skip "no prlimit here"
stop_cons TERM
size=$(stat -c %s "$N/data/consolidator/data.mdb")
rm -f "$N/run/consolidator.sock"
prlimit --fsize="$size" "$CONS" -c "$N/consolidator.conf" \
	2>>"$N/consolidator.log" &
PIDS[cons]=$!
wait_for_file "$N/run/consolidator.sock" $START_WAIT_S "${PIDS[cons]}" &&
	wait_serving "$N/consolidator.conf" "${PIDS[cons]}"
n=$(grep -c "event=batch_refused" "$N/consolidator.log")
"$KUSKA" sim --out "$T/sim2" --victims 1500 --seed 42 >/dev/null
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim2/pnp.jsonl" >/dev/null 2>&1
check "the consolidator refuses the batches it cannot write" \
	wait_log_after "$N/consolidator.log" "$n" "event=batch_refused .*reason=store_error" 60
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s3.out" 2>&1
rc=$?
check "its status exits 1 ($rc)" test "$rc" = 1
check "... warning that the store failed, naming it and the error" \
	grep -q "^WARNING: the store in $N/data/consolidator failed: .* (its disk?) (the last commit failed .*): batches are refused" \
	"$T/s3.out"
stop_cons TERM
start_cons
check "started without the limit, it takes them" wait_delivered 120
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s4.out" 2>&1
rc=$?
check "its status exits 0 ($rc)" test "$rc" = 0
check "what it holds is intact" audit_ok

finish
