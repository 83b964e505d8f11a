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
KEEP=0
INSTS="pnp mp pj mimp minsa"
BENCH=linking_overcount
USAGE_LINES=7,14
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

while getopts "v:s:d:h" opt; do
	case $opt in
	v) VICTIMS=$OPTARG ;;
	s) SEED=$OPTARG ;;
	d) DAEMONS=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
use_build "$@"
SIM=$KUSKA
[ -z "$DAEMONS" ] || use_build "$DAEMONS"
need_bins "$SIM" "$KUSKA" "$NODE" "$CONS"
make_tmp kuska-lk

"$SIM" sim --out "$T/sim" --victims "$VICTIMS" --seed "$SEED" \
	--truth "$T/truth.csv" >/dev/null || die "kuska sim failed"
net_init
start_cons
# The nodes pseudonymise victims through the key holder; a build from
# before it has none and needs none.
[ ! -x "$KEYHOLDER" ] || start_keyholder
# shellcheck disable=SC2086 # institutions, one word each
start_nodes $INSTS
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
