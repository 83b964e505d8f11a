#!/usr/bin/env bash
# bench_submit.sh - `kuska submit` into one node, with victims, through the
# key holder: records per second, and the CPU each process spends per
# record.
#
# usage: bench/bench_submit.sh [-v VICTIMS] [-s SEED] [-i INST] [-x] [-k] [BUILD_DIR]
#   BUILD_DIR  where kuska, kuska-node, kuska-keyholder, kuska-consolidator
#              are (default $KUSKA_BIN, else ./build)
#   -v         victims for `kuska sim` (default 20000: pnp's file has about
#              34,000 records)
#   -s         sim seed (default 1)
#   -i         the institution whose file is submitted (default pnp)
#   -x         no consolidator: the node only queues (delivery would run on
#              another machine); by default it runs and takes deliveries
#              during the submit, on the same cores
#   -k         keep the temporary directory
#
# Untimed: demo init, starting the daemons, `kuska sim`, and a warm-up
# submit of 200 other records. Timed: one `kuska submit` of the
# institution's whole file, from start to exit (every record signed and
# committed to the outbox). CPU time of each process over the timed
# submit is read from /proc before and after.

set -u

VICTIMS=20000
SEED=1
INST=pnp
NOCONS=0
KEEP=0

usage() {
	sed -n 's/^# \{0,1\}//; 6,17p' "$0" >&2
	exit 2
}

while getopts "v:s:i:xkh" opt; do
	case $opt in
	v) VICTIMS=$OPTARG ;;
	s) SEED=$OPTARG ;;
	i) INST=$OPTARG ;;
	x) NOCONS=1 ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
BIN=${1:-${KUSKA_BIN:-./build}}
for b in kuska kuska-node kuska-keyholder kuska-consolidator; do
	[ -x "$BIN/$b" ] || {
		echo "bench_submit: $BIN/$b not found; give the build directory" >&2
		exit 2
	}
done

T=$(mktemp -d /tmp/kuska-bsub.XXXXXX) || exit 1
N=$T/net
declare -A PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "$KEEP" = 1 ]; then echo "bench_submit: kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
die() {
	echo "bench_submit: $*" >&2
	exit 1
}

port=$((20000 + RANDOM % 10000))
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null ||
	(exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null ||
	(exec 3<>/dev/tcp/127.0.0.1/$((port + 2))) 2>/dev/null; do
	port=$((port + 3))
done
"$BIN/kuska" demo init "$N" --port "$port" >/dev/null || die "demo init failed"

wait_for() {
	local i
	for i in $(seq 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
if [ "$NOCONS" = 0 ]; then
	"$BIN/kuska-consolidator" -c "$N/consolidator.conf" 2>"$N/consolidator.log" &
	PIDS[cons]=$!
	wait_for "$N/run/consolidator.sock" || die "consolidator did not start"
fi
"$BIN/kuska-keyholder" -c "$N/keyholder.conf" 2>"$N/keyholder.log" &
PIDS[kh]=$!
wait_for "$N/run/keyholder.sock" || die "key holder did not start"
"$BIN/kuska-node" -c "$N/$INST.conf" 2>"$N/$INST.log" &
PIDS[node]=$!
wait_for "$N/run/$INST.sock" || die "node did not start"

"$BIN/kuska" sim --out "$T/sim" --victims "$VICTIMS" --seed "$SEED" >/dev/null ||
	die "kuska sim failed"
F=$T/sim/$INST.jsonl
RECORDS=$(grep -c . "$F")
# Warm-up: connections up, pages touched; other refs, so nothing is held.
head -200 "$F" | sed 's/"ref":"\([A-Z]*\)-/"ref":"WARM-\1-/; s/"target_ref":"\([A-Z]*\)-/"target_ref":"WARM-\1-/' \
	>"$T/warm.jsonl"
"$BIN/kuska" submit -c "$N/$INST.conf" "$T/warm.jsonl" >/dev/null ||
	die "warm-up submit failed"

cpu() { # cpu PID: user + system seconds
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}
evaluations() {
	"$BIN/kuska" metrics -c "$N/$INST.conf" |
		awk '$1 ~ /^kuska_node_oprf_evaluations_total/ { print $2 }'
}

LOAD=$(cut -d' ' -f1 /proc/loadavg)
E0=$(evaluations)
declare -A C0=()
for k in "${!PIDS[@]}"; do C0[$k]=$(cpu "${PIDS[$k]}"); done
T0=$(date +%s.%N)
TIMEFORMAT='%U %S'
{ time "$BIN/kuska" submit -c "$N/$INST.conf" "$F" >"$T/submit.out" 2>&1; } \
	2>"$T/client.time"
RC=$?
T1=$(date +%s.%N)
declare -A C1=()
for k in "${!PIDS[@]}"; do C1[$k]=$(cpu "${PIDS[$k]}"); done
E1=$(evaluations)
[ $RC = 0 ] || {
	tail -3 "$T/submit.out" >&2
	die "the submit failed (exit $RC)"
}
grep -q ": $RECORDS accepted" "$T/submit.out" || {
	tail -1 "$T/submit.out" >&2
	die "not every record was accepted"
}

awk -v rec="$RECORDS" -v t0="$T0" -v t1="$T1" -v e0="$E0" -v e1="$E1" \
	-v n0="${C0[node]}" -v n1="${C1[node]}" \
	-v k0="${C0[kh]}" -v k1="${C1[kh]}" \
	-v c0="${C0[cons]:-0}" -v c1="${C1[cons]:-0}" \
	-v client="$(awk '{ print $1 + $2 }' "$T/client.time")" \
	-v load="$LOAD" -v nproc="$(nproc)" -v inst="$INST" -v nocons="$NOCONS" '
BEGIN {
	s = t1 - t0
	printf "records            %d (%s, with victims)\n", rec, inst
	printf "seconds            %.2f\n", s
	printf "records_per_s      %.0f\n", rec / s
	printf "evaluations        %d (%.2f per record, de-duplicated per request)\n", e1 - e0, (e1 - e0) / rec
	printf "cpu_us_per_record  node %.0f, key holder %.0f, kuska submit %.0f, consolidator %s\n",
		(n1 - n0) / rec * 1e6, (k1 - k0) / rec * 1e6, client / rec * 1e6,
		nocons ? "(not running)" : sprintf("%.0f", (c1 - c0) / rec * 1e6)
	printf "cpu_s              %.2f of %.2f available (%d processors)\n",
		(n1 - n0) + (k1 - k0) + client + (c1 - c0), s * nproc, nproc
	printf "load_before        %s\n", load
}'
