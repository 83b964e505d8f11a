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
BENCH=bench_submit
USAGE_LINES=6,17
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

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
use_build "$@"
need_bins "$KUSKA" "$NODE" "$KEYHOLDER" "$CONS"
make_tmp kuska-bsub

net_init
[ "$NOCONS" = 1 ] || start_cons
start_keyholder
start_nodes "$INST"

"$KUSKA" sim --out "$T/sim" --victims "$VICTIMS" --seed "$SEED" >/dev/null ||
	die "kuska sim failed"
F=$T/sim/$INST.jsonl
RECORDS=$(grep -c . "$F")
# Warm-up: connections up, pages touched; other refs, so nothing is held.
head -200 "$F" | sed 's/"ref":"\([A-Z]*\)-/"ref":"WARM-\1-/; s/"target_ref":"\([A-Z]*\)-/"target_ref":"WARM-\1-/' \
	>"$T/warm.jsonl"
"$KUSKA" submit -c "$N/$INST.conf" "$T/warm.jsonl" >/dev/null ||
	die "warm-up submit failed"

evaluations() {
	"$KUSKA" metrics -c "$N/$INST.conf" |
		awk '$1 ~ /^kuska_node_oprf_evaluations_total/ { print $2 }'
}

LOAD=$(cut -d' ' -f1 /proc/loadavg)
E0=$(evaluations)
declare -A C0=()
for k in "${!PIDS[@]}"; do C0[$k]=$(cpu_of "${PIDS[$k]}"); done
T0=$(date +%s.%N)
TIMEFORMAT='%U %S'
{ time "$KUSKA" submit -c "$N/$INST.conf" "$F" >"$T/submit.out" 2>&1; } \
	2>"$T/client.time"
RC=$?
T1=$(date +%s.%N)
declare -A C1=()
for k in "${!PIDS[@]}"; do C1[$k]=$(cpu_of "${PIDS[$k]}"); done
E1=$(evaluations)
[ $RC = 0 ] || {
	tail -3 "$T/submit.out" >&2
	die "the submit failed (exit $RC)"
}
grep -q ": $RECORDS accepted" "$T/submit.out" || {
	# The line of counts, picked by its content: a line of warnings not
	# listed may follow it.
	grep ': [0-9]* accepted, ' "$T/submit.out" >&2 ||
		tail -3 "$T/submit.out" >&2
	die "not every record was accepted"
}

awk -v rec="$RECORDS" -v t0="$T0" -v t1="$T1" -v e0="$E0" -v e1="$E1" \
	-v n0="${C0[$INST]}" -v n1="${C1[$INST]}" \
	-v k0="${C0[keyholder]}" -v k1="${C1[keyholder]}" \
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
