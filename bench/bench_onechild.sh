#!/usr/bin/env bash
# bench_onechild.sh - the consolidator's CPU for an event of a child who
# already has many records: one node (pnp) sends round after round of
# identifications of one child (one DNI, one name, a new ref each), and
# the consolidator's CPU per event is printed against the child's record
# count, beside the same number of events of distinct children.
#
# usage: bench/bench_onechild.sh [-n RECORDS] [-r ROUNDS] [-b BATCHED] [-k]
#                                [BUILD_DIR]
#   BUILD_DIR  where kuska, kuska-node, kuska-consolidator are
#              (default $KUSKA_BIN, else ./build)
#   -n         records in each round (default 5000)
#   -r         rounds of the one child (default 8)
#   -b         records of the one child sent last with batch_events = 1
#              in pnp's config, one event a batch (default 500; 0: none)
#   -k         keep the temporary directory (configs, data, logs)
#
# Each round's file is submitted, then the consolidator's CPU (user +
# system, /proc) is read until it holds every event: the figure is the
# consolidator's alone, the node's signing and the key holder's work
# left out. The statistics relink a victim's records whenever a batch
# adds to it (daemon/consolidator/link.h), so the cost of an event grows
# with the records its child already has; the control (distinct
# children) shows the cost of an event otherwise. Found by a hostile-peer
# review: a node's key (its case system, or a thief's) can send one child
# without end (bench/README.md, "One child of many records").
BENCH=bench_onechild.sh
USAGE_LINES=8,16
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

RECORDS=5000
ROUNDS=8
BATCHED=500
while getopts n:r:b:kh o; do
	case $o in
	n) RECORDS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	b) BATCHED=$OPTARG ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
use_build "$@"
need_bins "$KUSKA" "$NODE" "$CONS" "$KEYHOLDER"
make_tmp kuska-onechild
net_init
start_cons
start_keyholder
start_nodes pnp

# records N FIRST same|distinct: N identification records of pnp, refs
# from FIRST; "same": one child, "distinct": a child each.
records() {
	awk -v n="$1" -v first="$2" -v mode="$3" 'BEGIN {
		for (i = 0; i < n; i++) {
			k = mode == "same" ? 0 : first + i
			printf "{\"kind\":\"identification\",\"ref\":\"OC-%08d\",", first + i
			printf "\"date\":\"2025-%02d-%02d\",\"region\":\"16\",", 1 + i % 9, 1 + i % 28
			printf "\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":\"%08d\"},", 40000000 + k
			# a name of letters: the digits of k as A to J
			name = ""
			for (j = 1; j <= length(k ""); j++)
				name = name substr("ABCDEFGHIJ", substr(k "", j, 1) + 1, 1)
			printf "\"given_names\":\"Rosa\",\"surnames\":\"Quispe %s\",", name
			printf "\"birth_date\":\"2011-03-04\",\"sex\":\"F\",\"nationality\":\"PE\"},"
			printf "\"exploitation\":[\"sexual\"]}\n"
		}
	}'
}

# cons_seq: the last sequence of pnp the consolidator holds.
cons_seq() {
	"$KUSKA" status -c "$N/consolidator.conf" 2>/dev/null |
		awk '$1 == "pnp" { print $2 }'
}

# round NAME FILE: submits FILE, then prints the consolidator's CPU per
# event until it holds all of them.
SENT=0
round() {
	local n before after
	n=$(wc -l <"$2")
	"$KUSKA" submit -c "$N/pnp.conf" "$2" >/dev/null ||
		die "kuska submit of $2 failed"
	before=$(cpu_of "${PIDS[cons]}")
	SENT=$((SENT + n))
	while [ "$(cons_seq)" != "$SENT" ]; do
		within_limit || die "the consolidator did not take $2 within ${LIMIT_S} s"
		sleep 0.1
	done
	after=$(cpu_of "${PIDS[cons]}")
	awk -v name="$1" -v n="$n" -v a="$before" -v b="$after" 'BEGIN {
		printf "%s: %d events, consolidator CPU %.3f s, %.1f us an event\n",
			name, n, b - a, (b - a) * 1e6 / n }'
}

LIMIT_S=3600
records "$RECORDS" 5000000 distinct >"$T/distinct.jsonl"
round "control, $RECORDS distinct children" "$T/distinct.jsonl"
for r in $(seq 0 $((ROUNDS - 1))); do
	records "$RECORDS" $((r * RECORDS)) same >"$T/same.jsonl"
	round "one child, from $((r * RECORDS)) to $(((r + 1) * RECORDS)) records" \
		"$T/same.jsonl"
done
if [ "$BATCHED" -gt 0 ]; then
	kill -TERM "${PIDS[pnp]}"
	wait "${PIDS[pnp]}" 2>/dev/null
	echo "batch_events = 1" >>"$N/pnp.conf"
	rm -f "$N/run/pnp.sock"
	start_nodes pnp
	records "$BATCHED" $((ROUNDS * RECORDS)) same >"$T/batched.jsonl"
	round "one child, $((ROUNDS * RECORDS)) records on, one event a batch" \
		"$T/batched.jsonl"
fi
