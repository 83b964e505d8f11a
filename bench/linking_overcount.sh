#!/usr/bin/env bash
# linking_overcount.sh - how far the consolidator's count of victims is
# from the truth: `kuska sim` data (which knows who is who, --truth)
# through real daemons, `kuska query identification` against the sim's
# true counts, for each year of the data. docs/LINKING.md quotes it.
#
# usage: bench/linking_overcount.sh [-v VICTIMS] [-s SEED] [-d DAEMONS] [BUILD_DIR]
#   BUILD_DIR  this tree's build: its `kuska sim` makes the data
#              (default $KUSKA_BIN, else ./build)
#   -d         the build whose kuska, kuska-node and kuska-consolidator
#              count (default BUILD_DIR); give an older build to measure
#              an older version of the linking rules on the same data
#   -v         victims (default 1500)
#   -s         seed (default 21)
#
# Prints, per year: the true victims, those with an identification that
# carries a match key, the count, its overstatement, and how many of the
# counted victims are unlinkable records (the overlap table's row).

set -u

VICTIMS=1500
SEED=21
DAEMONS=""
INSTS="pnp mp pj mimp minsa"

usage() {
	sed -n 's/^# \{0,1\}//; 7,14p' "$0" >&2
	exit 2
}

while getopts "v:s:d:h" opt; do
	case $opt in
	v) VICTIMS=$OPTARG ;;
	s) SEED=$OPTARG ;;
	d) DAEMONS=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
BIN=${1:-${KUSKA_BIN:-./build}}
DAEMONS=${DAEMONS:-$BIN}
KUSKA=$DAEMONS/kuska
for b in "$BIN/kuska" "$KUSKA" "$DAEMONS/kuska-node" "$DAEMONS/kuska-consolidator"; do
	[ -x "$b" ] || {
		echo "linking_overcount: $b not found" >&2
		exit 2
	}
done

T=$(mktemp -d /tmp/kuska-lk.XXXXXX) || exit 1
N=$T/net
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "linking_overcount: $*" >&2
	exit 1
}

pick_port() {
	local p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ -n "$low" ] && [ "$low" -gt 12000 ] || low=32768
	for p in $(seq $((10000 + RANDOM % (low - 12000))) 2 $((low - 2))); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null &&
			! (exec 3<>/dev/tcp/127.0.0.1/$((p + 1))) 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

wait_for_file() {
	local i
	for i in $(seq 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

"$BIN/kuska" sim --out "$T/sim" --victims "$VICTIMS" --seed "$SEED" \
	--truth "$T/truth.csv" >/dev/null || die "kuska sim failed"
"$KUSKA" demo init "$N" --port "$(pick_port)" >/dev/null || die "demo init failed"
"$DAEMONS/kuska-consolidator" -c "$N/consolidator.conf" 2>"$T/cons.log" &
PIDS+=($!)
wait_for_file "$N/run/consolidator.sock" || die "the consolidator did not start"
for i in $INSTS; do
	"$DAEMONS/kuska-node" -c "$N/$i.conf" 2>"$T/$i.log" &
	PIDS+=($!)
	wait_for_file "$N/run/$i.sock" || die "node $i did not start"
done
for i in $INSTS; do
	"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >"$T/submit-$i.out" 2>&1 ||
		die "$i: submit refused records (see $T/submit-$i.out)"
done
# Until each node's last sequence is acknowledged.
for _ in $(seq 600); do
	done_all=1
	for i in $INSTS; do
		st=$("$KUSKA" status -c "$N/$i.conf" 2>/dev/null)
		last=$(echo "$st" | sed -n 's/.*(last sequence \([0-9]*\)).*/\1/p')
		acked=$(echo "$st" | sed -n 's/^ *acknowledged: *\([0-9]*\).*/\1/p')
		[ -n "$last" ] && [ "$last" = "$acked" ] || done_all=0
	done
	[ $done_all = 1 ] && break
	sleep 0.2
done
[ $done_all = 1 ] || die "not everything was delivered"

printf "%-6s %8s %8s %8s %14s %12s\n" period truth keyed counted overstatement unlinkable
for y in $(cut -d, -f1 "$T/truth.csv" | grep -x '[0-9]\{4\}' | sort -u); do
	truth=$(awk -F, -v p="$y" '$1 == p && $2 == "all" { print $3 }' "$T/truth.csv")
	keyed=$(awk -F, -v p="$y" '$1 == p && $2 == "all" { print $4 }' "$T/truth.csv")
	counted=$("$KUSKA" query -c "$N/analyst.conf" identification --period "$y" \
		--format csv | awk -F, '$2 == "all" { print $3 }')
	unl=$("$KUSKA" query -c "$N/analyst.conf" overlap --period "$y" \
		--format csv | awk -F, '$2 == "unlinkable" { print $3 }')
	awk -v y="$y" -v t="$truth" -v k="$keyed" -v c="$counted" -v u="$unl" \
		'BEGIN { printf "%-6s %8s %8s %8s %13.1f%% %12s\n", y, t, k, c,
			100 * (c - t) / t, u }'
done
