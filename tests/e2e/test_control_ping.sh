#!/usr/bin/env bash
# libzmq 4.3.4's abort on a local socket, by a client speaking ZMTP
# itself (docs/SECURITY.md, "Hostile peers"): a member of the control
# group (kuska-control, or a node's kuska-submit-ID) floods a daemon's
# local socket (the consolidator's and the key holder's control, a node's
# submit) with status requests, each followed by a PING command, and
# ends the connection (kuska_ctlflood -P). libzmq stops reading a
# connection holding ZMQ_RCVHWM messages, sees the end, and when the
# daemon has read enough it decodes what it had read beyond the mark:
# the PING there is answered with a write, which after the end aborted
# the daemon ("Assertion failed: !_io_error", stream_engine_base.cpp),
# idle or not. The local sockets now have ZMQ_RCVHWM lifted: each daemon
# survives, answers kuska status after the floods, and its memory stays
# bounded.
. "$(dirname "$0")/lib.sh"

FLOOD="$KUSKA_BIN/kuska_ctlflood"
CONNS=4
COUNT=3000
ROUNDS=3

net_init
start_cons
start_keyholder
start_node mp
declare -A SOCK=([cons]=consolidator [keyholder]=keyholder [mp]=mp)
declare -A CONF=([cons]=consolidator [keyholder]=keyholder [mp]=mp)
# answers D: kuska status of daemon D answers (its exit status also says
# whether an alarm is raised: not judged here).
answers() {
	"$KUSKA" status -c "$N/${CONF[$1]}.conf" 2>&1 | grep -q refused
}

for d in cons keyholder mp; do
	rss_sample "${PIDS[$d]}"
	for r in $(seq $ROUNDS); do
		fl=()
		for j in $(seq $CONNS); do
			"$FLOOD" -P -e "ipc://$N/run/${SOCK[$d]}.sock" \
				-F $COUNT -t 0 >"$T/$d.$r.$j.out" 2>&1 &
			fl+=($!)
		done
		wait "${fl[@]}"
		# Until the daemon has read them all: its answer comes after.
		answers $d
	done
	check "every flood at the $d went out" \
		test "$(cat "$T"/$d.*.out | grep -cx "flooded $COUNT")" = \
		$((ROUNDS * CONNS))
	check "the $d is still running" kill -0 "${PIDS[$d]}"
	sleep 0.3 # a sample after the floods
	check_rss_sampled "$d" "${PIDS[$d]}" 32768
	check "kuska status of the $d answers after the floods" answers $d
	check_no_assertion "${CONF[$d]}"
done
finish
