#!/usr/bin/env bash
# bench_e2e.sh - end to end with real processes: five kuska-node daemons,
# their key holder and a kuska-consolidator on 127.0.0.1, `kuska submit`
# to consolidator commit.
#
# usage: bench/bench_e2e.sh [-v VICTIMS] [-s SEED] [-d] [-k] [BUILD_DIR]
#   BUILD_DIR  where kuska, kuska-node, kuska-consolidator are
#              (default $KUSKA_BIN, else ./build)
#   -v         victims for `kuska sim` (default 20000, about 120k events)
#   -s         sim seed (default 1)
#   -d         drain: the nodes take every record with the consolidator
#              down (untimed); timed from its start until it holds them
#              all (five backlogs caught up at once; the nodes idle)
#   -k         keep the temporary directory (configs, data, logs)
#
# Untimed: demo init, starting the seven daemons, `kuska sim`. Timed from
# the start of five `kuska submit` (one per institution, in parallel)
# until the consolidator's last_seq for every institution equals its
# node's last sequence, polled every 0.2 s. Gives up after 10 minutes.
#
# The consolidator runs with -d and its per-batch debug lines are
# time-stamped on arrival: e2e_s ends at the last batch's commit,
# e2e_poll_s at the status reply that showed it. Needs perl for the time
# stamps.
#
# Meanwhile, from the first commit on, bench_latency (same build) times
# 100 status and 100 metrics requests to the consolidator, as many to
# pnp's node (busy with its submission), 100 analyst queries and 100
# secretariat queries (each the first after a change of the counts works
# out a release of their tables), each series on one connection of its
# own and all four at once; the polls' `kuska status` are timed too,
# process start included.

set -u

VICTIMS=20000
SEED=1
KEEP=0
DRAIN=0
LIMIT_S=600
INSTS="pnp mp pj mimp minsa"
BENCH=bench_e2e
USAGE_LINES=6,14
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

while getopts "v:s:dkh" opt; do
	case $opt in
	v) VICTIMS=$OPTARG ;;
	s) SEED=$OPTARG ;;
	d) DRAIN=1 ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
use_build "$@"
need_bins "$KUSKA" "$NODE" "$CONS" "$KEYHOLDER" "$BIN/bench_latency"
make_tmp kuska-be2e
pause_init

# The consolidator's table ("institution last_seq accepted refused ...")
# read into CONS_SEQ[institution] and COMMITTED (their sum): one process,
# no pipe, no subshell (lib.sh: the benchmark's forks take the processors
# it measures).
declare -A CONS_SEQ=()
COMMITTED=0
read_cons_table() {
	local line
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/.cons-status" 2>/dev/null
	CONS_SEQ=()
	COMMITTED=0
	while read -r line; do
		[[ $line =~ ^([a-z]+)\ +([0-9]+)\  ]] || continue
		CONS_SEQ[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
		COMMITTED=$((COMMITTED + BASH_REMATCH[2]))
	done <"$T/.cons-status"
	return 0
}

net_init

# -d: one debug line per batch, time-stamped on arrival.
[ "$DRAIN" = 1 ] || start_cons_stamped
start_keyholder
# shellcheck disable=SC2086 # institutions, one word each
start_nodes $INSTS

echo "bench_e2e: kuska sim --victims $VICTIMS --seed $SEED ..." >&2
"$KUSKA" sim --out "$T/sim" --victims "$VICTIMS" --seed "$SEED" >/dev/null ||
	die "kuska sim failed"
RECORDS=0
for i in $INSTS; do
	RECORDS=$((RECORDS + $(grep -c . "$T/sim/$i.jsonl")))
done


# Timed: five submits in parallel, each noting its exit code and end time
# (with -d untimed, the consolidator's start timed instead).
if [ "$DRAIN" = 1 ]; then
	for i in $INSTS; do
		"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >"$T/submit-$i.out" 2>&1
		echo $? >"$T/submit-$i.rc"
	done
	T0=$(now)
	start_cons_stamped
	for i in $INSTS; do now >"$T/submit-$i.end"; done
fi
[ "$DRAIN" = 1 ] || T0=$(now)
for i in $INSTS; do
	[ "$DRAIN" = 0 ] || break
	(
		"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >"$T/submit-$i.out" 2>&1
		echo $? >"$T/submit-$i.rc"
		now >"$T/submit-$i.end"
	) &
	PIDS[submit-$i]=$!
done

# From the first commit on: the daemons' answers timed while they work.
(
	for _ in $(seq 200); do
		grep -q "event=batch " "$N/consolidator.log" && break
		sleep 0.05
	done
	now >"$T/latency.start"
	"$BIN/bench_latency" -n 100 "ipc://$N/run/consolidator.sock" \
		>"$T/latency-cons.out" 2>&1 &
	"$BIN/bench_latency" -n 100 "ipc://$N/run/pnp.sock" \
		>"$T/latency-node.out" 2>&1 &
	"$BIN/bench_latency" -n 100 -q "$N/analyst.conf" -p 2025 \
		>"$T/latency-query.out" 2>&1 &
	"$BIN/bench_latency" -n 100 -q "$N/secretariat.conf" -p 2025 \
		>"$T/latency-secretariat.out" 2>&1 &
	wait
	now >"$T/latency.end"
) &
PIDS[latency]=$!

# One loop every 0.2 s: note progress (time, events committed) all along;
# once every submit has returned, learn each node's last sequence; stop
# when the consolidator holds them all.
declare -A WANT=()
T1=""
: >"$T/progress.tsv"
while :; do
	stamp sent
	read_cons_table
	stamp got
	echo "$sent $got $COMMITTED" >>"$T/progress.tsv"
	if [ -z "$T1" ]; then
		ended=0
		for i in $INSTS; do
			[ -s "$T/submit-$i.end" ] && ended=$((ended + 1))
		done
		if [ $ended = 5 ]; then
			T1=$(sort -n "$T"/submit-*.end | tail -n 1)
			EVENTS=0
			for i in $INSTS; do
				WANT[$i]=$(node_last_seq "$i")
				[ -n "${WANT[$i]}" ] || die "no status from node $i"
				EVENTS=$((EVENTS + WANT[$i]))
			done
		fi
	fi
	if [ -n "$T1" ]; then
		done_all=1
		for i in $INSTS; do
			c=${CONS_SEQ[$i]:-0}
			[ "$c" -ge "${WANT[$i]}" ] || {
				done_all=0
				break
			}
		done
		[ $done_all = 1 ] && break
	fi
	within_limit || die "not all committed after ${LIMIT_S} s:
$(cat "$T/.cons-status")"
	pause 0.2
done
stamp T2
# The commit of the last batch: the latest "event=batch" debug line (the
# consolidator logs it right after committing and sending the Ack).
T3=$(awk '/event=batch / { t = $1 } END { print t }' "$N/consolidator.log")
[ -n "$T3" ] || die "no batch lines in $N/consolidator.log"
# From the same lines: the first commit, events committed by the time
# the last submit returned, and the best commit rate over one second.
COMMITS=$(awk -v t0="$T0" -v t1="$T1" '
/event=batch / {
	n++; t[n] = $1 - t0
	match($0, /accepted=[0-9]+/)
	sum += substr($0, RSTART + 9, RLENGTH - 9); c[n] = sum
	if ($1 <= t1) at1 = sum
}
END {
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (t[j] - t[i] >= 1) {
				r = (c[j] - c[i]) / (t[j] - t[i])
				if (r > peak) peak = r
				break
			}
	printf "%.2f %d %.0f %d", t[1], at1, peak, n
}' "$N/consolidator.log")
wait "${PIDS[latency]}"
unset 'PIDS[latency]'
SUBMIT_RC=0
for i in $INSTS; do
	[ "$(cat "$T/submit-$i.rc")" = 0 ] || SUBMIT_RC=1
	unset "PIDS[submit-$i]"
done

REFUSED=$(awk 'NR > 1 && NF >= 4 && $2 ~ /^[0-9]+$/ { s += $4 } END { print s + 0 }' \
	"$T/.cons-status")
CPU_CONS=$(cpu_of "${PIDS[cons]}")
CPU_KH=$(cpu_of "${PIDS[keyholder]}")
CPU_NODES=0
for i in $INSTS; do
	CPU_NODES=$(awk -v a="$CPU_NODES" -v b="$(cpu_of "${PIDS[$i]}")" \
		'BEGIN { printf "%.2f", a + b }')
done

# The polls' times, sorted: their median and 99th percentile.
POLLS=$(awk '{ printf "%.6f\n", $2 - $1 }' "$T/progress.tsv" | sort -n |
	awk '{ v[NR] = $1 } END { printf "p50=%.3f p99=%.3f", v[int(NR / 2) + 1], v[int((NR * 99 + 99) / 100)] }')
awk -v ev="$EVENTS" -v rec="$RECORDS" -v t0="$T0" -v t1="$T1" -v t2="$T2" -v t3="$T3" \
	-v polls="$POLLS" -v drain="$DRAIN" \
	-v commits="$COMMITS" \
	-v victims="$VICTIMS" -v refused="$REFUSED" -v cc="$CPU_CONS" \
	-v cn="$CPU_NODES" -v ck="$CPU_KH" -v nproc="$(nproc)" '
# progress.tsv: status request sent, reply received, events committed.
{
	if ($2 - $1 > lat) lat = $2 - $1
}
END {
	split(commits, m, " ")
	s = t1 - t0; e = t2 - t0
	printf "bench_e2e: five nodes, a key holder and a consolidator on 127.0.0.1 (%d CPUs)\n", nproc
	printf "  victims=%d records=%d events=%d refused_by_consolidator=%d\n", victims, rec, ev, refused
	cs = t3 - t0
	if (drain) {
		printf "drain_s=%.2f drain_events_per_s=%.0f (the nodes full, consolidator start to last batch committed)\n", cs, ev / cs
		printf "drain_from_first_commit_s=%.2f events_per_s=%.0f (the nodes reconnecting left out)\n", cs - m[1], ev / (cs - m[1])
	} else {
		printf "submit_s=%.2f submit_events_per_s=%.0f\n", s, ev / s
		printf "e2e_s=%.2f e2e_events_per_s=%.0f (first submit to last batch committed)\n", cs, ev / cs
		printf "e2e_poll_s=%.2f e2e_poll_events_per_s=%.0f (first submit to the status reply showing all)\n", e, ev / e
		printf "commit_tail_s=%.2f (last submit returned to last batch committed)\n", t3 - t1
	}
	printf "batches=%d first_commit_s=%.2f committed_at_submit_end=%d peak_commit_events_per_s=%.0f\n", m[4], m[1], m[2], m[3]
	printf "status_polls=%d kuska_status_s %s max=%.3f (the command, process start included)\n", NR, polls, lat
	printf "cpu_s consolidator=%.2f nodes=%.2f keyholder=%.2f (whole run, incl. start)\n", cc, cn, ck
}' "$T/progress.tsv"

# The daemons' answer times, and whether they were all taken while the
# consolidator was still committing.
cat "$T/latency-cons.out" "$T/latency-node.out" "$T/latency-query.out"
sed 's/^query_ms/query_ms secretariat/' "$T/latency-secretariat.out"
awk -v t0="$T0" -v s="$(cat "$T/latency.start")" -v e="$(cat "$T/latency.end")" \
	-v t3="$T3" -v t1="$T1" 'BEGIN {
	printf "latency_window_s=%.2f..%.2f (ingest: last submit returned at %.2f, last commit at %.2f)%s\n",
		s - t0, e - t0, t1 - t0, t3 - t0, e <= t3 ? "" : " NOT all during ingest"
}'

if [ "$SUBMIT_RC" != 0 ]; then
	echo "bench_e2e: some kuska submit refused records or failed:" >&2
	for i in $INSTS; do tail -n 3 "$T/submit-$i.out" >&2; done
	exit 1
fi
[ "$REFUSED" = 0 ] || die "the consolidator refused $REFUSED events"
exit 0
