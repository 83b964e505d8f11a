#!/usr/bin/env bash
# bench_deadscan.sh - kuska status and metrics of a node holding many dead
# letters, and what a node busy answering them does to a submission.
#
# usage: bench/bench_deadscan.sh [-n LETTERS] [-r REQUESTS] [-k] [BUILD_DIR]
#   BUILD_DIR  where kuska, kuska-node, bench_deadscan, bench_latency are
#              (default $KUSKA_BIN, else ./build)
#   -n         dead letters (default 100000)
#   -r         status and metrics requests timed (default 50)
#   -k         keep the temporary directory (configs, data, logs)
#
# Untimed: demo init, the key holder and pnp's node (no consolidator:
# nothing is delivered), 20 records submitted; the node stopped and
# bench_deadscan appending LETTERS envelopes to its outbox, every one
# refused as wrong_network in Acks of 1,024 (the outbox API, as the node
# records an Ack); the node started again. Timed: bench_deadscan's calls
# on the outbox (in its process), the node's start (its outbox check),
# REQUESTS status and metrics requests over one connection
# (bench_latency, no pause), 10 `kuska status` and `kuska metrics` runs
# (the command, its start included), and 3 submits of 10 new records,
# alone and then while bench_latency keeps the node answering metrics
# requests back to back (the node answers them in its one loop: a scan
# holds up the submit, delivery, everything).

set -u

LETTERS=100000
REQUESTS=50
BENCH=bench_deadscan
USAGE_LINES=4,10
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

while getopts "n:r:kh" opt; do
	case $opt in
	n) LETTERS=$OPTARG ;;
	r) REQUESTS=$OPTARG ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
use_build "$@"
need_bins "$KUSKA" "$NODE" "$KEYHOLDER" "$BIN/bench_deadscan" \
	"$BIN/bench_latency"
make_tmp kuska-bds

# ms_since START: milliseconds from START (a stamp) to now.
ms_since() {
	local end
	stamp end
	awk -v a="$1" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}

# times_of LABEL CMD...: runs CMD 10 times; the median and worst in ms.
times_of() {
	local label=$1 i t0 all=""
	shift
	for i in $(seq 10); do
		stamp t0
		"$@" >/dev/null 2>&1
		all="$all $(ms_since "$t0")"
	done
	echo "$all" | tr ' ' '\n' | sed '/^$/d' | sort -n |
		awk -v l="$label" '{ v[NR] = $1 } END {
			printf "%-28s median %8.1f ms  worst %8.1f ms\n",
				l, v[int(NR / 2) + 1], v[NR] }'
}

# submit_chunk K: submits records 20 + 10 (K - 1) + 1 .. + 10 of pnp's
# sim file; its time in ms.
submit_chunk() {
	local from=$((20 + 10 * ($1 - 1) + 1)) t0
	sed -n "${from},$((from + 9))p" "$T/sim/pnp.jsonl" >"$T/chunk$1.jsonl"
	stamp t0
	"$KUSKA" submit -c "$N/pnp.conf" "$T/chunk$1.jsonl" >/dev/null 2>&1 ||
		die "submit $1 failed"
	ms_since "$t0"
}

net_init
echo "map_size_mb = 4096" >>"$N/pnp.conf"
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null ||
	die "kuska sim failed"
start_keyholder
start_nodes pnp
sed -n 1,20p "$T/sim/pnp.jsonl" >"$T/warm.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/warm.jsonl" >/dev/null ||
	die "warm-up submit failed"
kill -TERM "${PIDS[pnp]}"
wait "${PIDS[pnp]}"
unset 'PIDS[pnp]'

echo "== $LETTERS dead letters ($(date -u +%H:%M) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
"$BIN/bench_deadscan" -n "$LETTERS" "$N/data/pnp" || die "bench_deadscan failed"
du -sh "$N/data/pnp/data.mdb" | awk '{ print "outbox file: " $1 }'

stamp t0
start_nodes pnp
echo "node started (its outbox checked) in $(ms_since "$t0") ms"

"$BIN/bench_latency" -n "$REQUESTS" -i 0 "ipc://$N/run/pnp.sock"
times_of "kuska status" "$KUSKA" status -c "$N/pnp.conf"
times_of "kuska metrics" "$KUSKA" metrics -c "$N/pnp.conf"

echo "submits of 10 records, alone (ms): $(submit_chunk 1) $(submit_chunk 2) $(submit_chunk 3)"
"$BIN/bench_latency" -n 100000 -i 0 "ipc://$N/run/pnp.sock" >/dev/null 2>&1 &
PIDS[latency]=$!
pause_init
pause 1
echo "submits of 10 records, metrics back to back (ms): $(submit_chunk 4) $(submit_chunk 5) $(submit_chunk 6)"
