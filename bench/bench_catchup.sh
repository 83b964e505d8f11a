#!/usr/bin/env bash
# bench_catchup.sh - catch-up after a week cut off: one node (pnp) delivers
# a large backlog while the other four institutions go on submitting small
# files; how fast the backlog drains, and how long the others wait.
#
# usage: bench/bench_catchup.sh [-n EVENTS] [-c RECORDS] [-p SECONDS]
#                               [-w WINDOW] [-s SEED] [-k] [BUILD_DIR]
#   BUILD_DIR  where kuska, kuska-node, kuska-consolidator are
#              (default $KUSKA_BIN, else ./build)
#   -n         pnp's backlog in events (default 500000; `kuska sim` makes
#              about 1.7 pnp records per victim, one event each)
#   -c         records in each of the others' small files (default 10)
#   -p         seconds between two small files of one institution
#              (default 0.5)
#   -w         pnp's delivery window, batches awaiting an Ack (default
#              the node's, 4)
#   -s         sim seed (default 1)
#   -k         keep the temporary directory (configs, data, logs)
#
# Untimed: demo init, the key holder and five nodes started with the
# consolidator down, `kuska sim`, pnp's backlog submitted (the node's
# signing through the key holder: about a minute per 200,000 events).
# Then the consolidator starts; pnp reconnects and drains its backlog
# while mp, pj, mimp and minsa each submit a small file every -p seconds
# (the first lines of their sim files, -c at a time), and go on for as
# long again (at least 10 s, at most 60) once the backlog is in: the
# baseline, nothing draining.
#
# The consolidator runs with -d; its per-batch debug lines are
# time-stamped on arrival (perl). A small file's latency runs from the
# start of its `kuska submit` to the commit of the batch that holds its
# last event (the first batch line of that institution whose last_seq
# reaches the node's last sequence after the submit); during the drain
# means submitted between pnp's first and last commits. Printed: pnp's
# drain rate (first to last of its commits, and from the consolidator's
# start), and the others' latency p50 / p99 / max, during the drain and
# in the baseline; the consolidator's CPU time and the machine's idle
# processor time over the drain (is it the machine's or the protocol's
# limit), and its busy processor time split by process (the rest: the
# others' submit commands, this script, the system, and anything else
# running on the machine); and the same latencies from the end of each
# submit (delivery: the node's send, the consolidator's queue and
# commit), as the submits themselves slow down on a busy machine.

set -u

EVENTS=500000
CHUNK=10
PACE=0.5
WINDOW=""
SEED=1
KEEP=0
LIMIT_S=1800
OTHERS="mp pj mimp minsa"
INSTS="pnp $OTHERS"
BENCH=bench_catchup
USAGE_LINES=6,18
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

while getopts "n:c:p:w:s:kh" opt; do
	case $opt in
	n) EVENTS=$OPTARG ;;
	c) CHUNK=$OPTARG ;;
	p) PACE=$OPTARG ;;
	w) WINDOW=$OPTARG ;;
	s) SEED=$OPTARG ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
use_build "$@"
need_bins "$KUSKA" "$NODE" "$CONS" "$KEYHOLDER"
make_tmp kuska-bcu
pause_init

# The machine's idle processor seconds so far (all processors).
idle_s() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($5 + $6) / hz }' /proc/stat
}

# Processor-seconds the machine has been busy (all but idle and iowait).
busy_s() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat
}

# cons_seq_to VAR INST: the consolidator's last_seq of INST into VAR (0
# when not known). One process: no pipe, no subshell.
cons_seq_to() {
	local line
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/.cons-status" 2>/dev/null
	printf -v "$1" 0
	while read -r line; do
		if [[ $line =~ ^$2\ +([0-9]+) ]]; then
			printf -v "$1" '%s' "${BASH_REMATCH[1]}"
			break
		fi
	done <"$T/.cons-status"
	return 0
}

# node_seq_to VAR INST: INST's node's last sequence into VAR (0 when not
# known), as node_last_seq, in one process.
node_seq_to() {
	local line
	"$KUSKA" status -c "$N/$2.conf" >"$T/.node-status-$2" 2>/dev/null
	printf -v "$1" 0
	while read -r line; do
		if [[ $line =~ \(last\ sequence\ ([0-9]+)\) ]]; then
			printf -v "$1" '%s' "${BASH_REMATCH[1]}"
			break
		fi
	done <"$T/.node-status-$2"
	return 0
}

net_init
# The key holder's daily allowance (300,000 evaluations a node) covers
# the whole backlog.
if [ "$EVENTS" -gt 250000 ]; then
	grep -q '^rate_per_day' "$N/keyholder.conf" && die "keyholder.conf sets rate_per_day"
	echo "rate_per_day = $((EVENTS * 2))" >>"$N/keyholder.conf"
fi
if [ -n "$WINDOW" ]; then
	grep -q '^window' "$N/pnp.conf" && die "pnp.conf sets window already"
	echo "window = $WINDOW" >>"$N/pnp.conf"
	"$NODE" -n -c "$N/pnp.conf" >/dev/null 2>&1 || die "window = $WINDOW refused"
fi

start_keyholder
# shellcheck disable=SC2086 # institutions, one word each
start_nodes $INSTS

VICTIMS=$((EVENTS * 10 / 17 + 1000))
echo "bench_catchup: kuska sim --victims $VICTIMS --seed $SEED ..." >&2
"$KUSKA" sim --out "$T/sim" --victims "$VICTIMS" --seed "$SEED" >/dev/null ||
	die "kuska sim failed"
head -n "$EVENTS" "$T/sim/pnp.jsonl" >"$T/backlog.jsonl"
for i in $OTHERS; do
	mkdir "$T/chunks-$i"
	split -l "$CHUNK" -a 5 "$T/sim/$i.jsonl" "$T/chunks-$i/c"
done

echo "bench_catchup: pnp takes its backlog, the consolidator down ..." >&2
B0=$(now)
"$KUSKA" submit -c "$N/pnp.conf" "$T/backlog.jsonl" >"$T/backlog.out" 2>&1 ||
	die "the backlog's submit failed: $(tail -n 3 "$T/backlog.out")"
B1=$(now)
BACKLOG=$(node_last_seq pnp)
[ -n "$BACKLOG" ] && [ "$BACKLOG" -gt 0 ] || die "no status from pnp's node"

# One institution's small files, one every PACE s until $T/stop: per
# file "institution submit_start submit_end node_last_seq". The node's
# last sequence is counted from each submit's summary (its events
# accepted and re-keyed are its new ones), not asked for: a process per
# file less on the processors measured. The count is checked against the
# node's status at the end.
submit_loop() {
	local i=$1 f ts te s line
	node_seq_to s "$i"
	for f in "$T/chunks-$i"/c*; do
		[ -e "$T/stop" ] && break
		stamp ts
		"$KUSKA" submit -c "$N/$i.conf" "$f" >"$T/.small-$i.out" 2>&1 ||
			echo "submit $f failed" >>"$T/small-$i.err"
		stamp te
		while IFS= read -r line; do
			printf '%s\n' "$line" >>"$T/small-$i.out"
			[[ $line =~ :\ ([0-9]+)\ accepted, ]] &&
				s=$((s + BASH_REMATCH[1]))
			[[ $line =~ ,\ ([0-9]+)\ re-keyed ]] &&
				s=$((s + BASH_REMATCH[1]))
		done <"$T/.small-$i.out"
		echo "$i $ts $te $s" >>"$T/small.tsv"
		pause "$PACE"
	done
	echo "$s" >"$T/.counted-$i"
}

# Timed from the consolidator's start.
: >"$T/small.tsv"
IDLE0=$(idle_s)
BUSY0=$(busy_s)
declare -A CPU0
for i in $INSTS keyholder; do
	CPU0[$i]=$(cpu_of "${PIDS[$i]}")
done
stamp T0
start_cons_stamped
for i in $OTHERS; do
	submit_loop "$i" &
	PIDS[loop-$i]=$!
done

# Until pnp's backlog is in, then the baseline as long again.
while :; do
	cons_seq_to c pnp
	[ "$c" -ge "$BACKLOG" ] && break
	within_limit || die "pnp's backlog not in after ${LIMIT_S} s (at $c of $BACKLOG)"
	pause 0.25
done
stamp T2
CPU_DRAIN=$(cpu_of "${PIDS[cons]}")
IDLE_DRAIN=$(awk -v a="$IDLE0" -v b="$(idle_s)" 'BEGIN { printf "%.2f", b - a }')
BUSY_DRAIN=$(awk -v a="$BUSY0" -v b="$(busy_s)" 'BEGIN { printf "%.2f", b - a }')
# Where the processors went meanwhile: "name seconds ..." for the pnp
# node, the other four nodes together, the key holder.
CPU_SPLIT="pnp_node $(awk -v a="${CPU0[pnp]}" -v b="$(cpu_of "${PIDS[pnp]}")" 'BEGIN { printf "%.2f", b - a }')"
O=0
for i in $OTHERS; do
	O=$(awk -v o="$O" -v a="${CPU0[$i]}" -v b="$(cpu_of "${PIDS[$i]}")" 'BEGIN { printf "%.2f", o + b - a }')
done
CPU_SPLIT="$CPU_SPLIT other_nodes $O keyholder $(awk -v a="${CPU0[keyholder]}" -v b="$(cpu_of "${PIDS[keyholder]}")" 'BEGIN { printf "%.2f", b - a }')"
BASE_S=$(awk -v a="$T0" -v b="$T2" 'BEGIN { s = b - a; if (s < 10) s = 10; if (s > 60) s = 60; printf "%d", s }')
sleep "$BASE_S"
touch "$T/stop"
for i in $OTHERS; do
	wait "${PIDS[loop-$i]}"
	unset "PIDS[loop-$i]"
done
# Every small file committed (bounded wait), then the figures.
for i in $OTHERS; do
	node_seq_to want "$i"
	read -r counted <"$T/.counted-$i"
	[ "$counted" = "$want" ] ||
		die "$i: $counted events counted from the submits' summaries, the node holds $want"
	while cons_seq_to c "$i" && [ "$c" -lt "$want" ]; do
		within_limit || die "$i's small files not all committed"
		pause 0.2
	done
done
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
FAILED=$(cat "$T"/small-*.err 2>/dev/null | wc -l)

# The batch lines: "time institution last_seq accepted".
awk '/event=batch / {
	match($0, /institution=[a-z]+/); i = substr($0, RSTART + 12, RLENGTH - 12)
	match($0, /last_seq=[0-9]+/); s = substr($0, RSTART + 9, RLENGTH - 9)
	match($0, /accepted=[0-9]+/); a = substr($0, RSTART + 9, RLENGTH - 9)
	print $1, i, s, a
}' "$N/consolidator.log" >"$T/batches.txt"

awk -v t0="$T0" -v b0="$B0" -v b1="$B1" -v backlog="$BACKLOG" \
	-v window="${WINDOW:-4}" -v chunk="$CHUNK" -v pace="$PACE" \
	-v load="$LOAD" -v failed="$FAILED" -v nproc="$(nproc)" \
	-v t2="$T2" -v cpu="$CPU_DRAIN" -v idle="$IDLE_DRAIN" \
	-v busy="$BUSY_DRAIN" -v cpusplit="$CPU_SPLIT" '
function pct(arr, n, p) { return arr[int((n * p + 99) / 100) > 0 ? int((n * p + 99) / 100) : 1] }
function sort_n(arr, n,    i, j, v) {
	for (i = 2; i <= n; i++) {
		v = arr[i]
		for (j = i - 1; j >= 1 && arr[j] > v; j--) arr[j + 1] = arr[j]
		arr[j + 1] = v
	}
}
function show(name, arr, n) {
	if (n == 0) { printf "%s files=0\n", name; return }
	sort_n(arr, n)
	printf "%s files=%d p50=%.3f p99=%.3f max=%.3f s\n", name, n, pct(arr, n, 50), pct(arr, n, 99), arr[n]
}
FILENAME ~ /batches/ {
	nb[$2]++; bt[$2, nb[$2]] = $1; bs[$2, nb[$2]] = $3
	if ($2 == "pnp") {
		if (pf == "") pf = $1
		pl = $1; pe += $4; np++; pt[np] = $1; pc[np] = pe
	}
	next
}
{
	sm[++ns] = $0
}
END {
	for (i = 1; i <= np; i++)
		for (j = i + 1; j <= np; j++)
			if (pt[j] - pt[i] >= 1) {
				r = (pc[j] - pc[i]) / (pt[j] - pt[i]); if (r > peak) peak = r
				break
			}
	printf "bench_catchup: five nodes, a key holder and a consolidator on 127.0.0.1 (%d CPUs, load average %s at the end)\n", nproc, load
	printf "  backlog: pnp %d events (submitted in %.1f s with the consolidator down), window %d; others: %d records every %s s each\n", backlog, b1 - b0, window, chunk, pace
	printf "drain_s=%.2f drain_events_per_s=%.0f (pnp first to last commit; %d batches)\n", pl - pf, pe / (pl - pf), np
	printf "drain_from_start_s=%.2f events_per_s=%.0f (consolidator start to pnp last commit)\n", pl - t0, pe / (pl - t0)
	printf "peak_drain_events_per_s=%.0f (best second)\n", peak
	printf "consolidator_cpu_s=%.2f of %.2f s wall, machine idle %.2f processor-s (consolidator start to backlog seen in)\n", cpu, t2 - t0, idle
	n = split(cpusplit, sp, " "); rest = busy - cpu
	printf "busy_processor_s=%.2f consolidator=%.2f", busy, cpu
	for (k = 1; k < n; k += 2) { printf " %s=%s", sp[k], sp[k + 1]; rest -= sp[k + 1] }
	printf " rest=%.2f (the others\x27 submits, this script, the system, anything else)\n", rest
	for (k = 1; k <= ns; k++) {
		split(sm[k], f, " ")
		inst = f[1]; ts = f[2]; s = f[4]; ct = ""
		for (m = 1; m <= nb[inst]; m++)
			if (bs[inst, m] >= s) { ct = bt[inst, m]; break }
		if (ct == "") { lost++; continue }
		lat = ct - ts; del = ct - f[3]
		if (ts >= pf && ts <= pl) { dur[++nd] = lat; ddur[nd] = del; di[inst]++ }
		else if (ts > pl) { base[++nbase] = lat; dbase[nbase] = del }
	}
	show("latency_during_drain ", dur, nd)
	show("latency_baseline     ", base, nbase)
	show("delivery_during_drain", ddur, nd)
	show("delivery_baseline    ", dbase, nbase)
	printf "  during drain per institution:"
	for (i in di) printf " %s=%d", i, di[i]
	printf "\n"
	if (lost > 0) printf "bench_catchup: %d small files with no commit line\n", lost
	if (failed > 0) printf "bench_catchup: %d small submits failed\n", failed
	exit lost > 0 || failed > 0
}' "$T/batches.txt" "$T/small.tsv"
