#!/usr/bin/env bash
# End to end: a local user of the control group (kuska-control) floods a
# daemon's control socket (a node's submit socket) while it starts, when
# a thread of its own answers STARTING (lib/starting.c), with requests
# whose answers it never reads, and ends the connections; every other
# flood speaks ZMTP itself, a PING after each request (kuska_ctlflood -P,
# test_control_ping.sh). The start is kept in its store's (outbox's)
# check by a lock of the LMDB file the test holds (hold_lmdb_lock). The
# daemon survives, libzmq asserts nothing, its memory stays bounded, the
# start goes on once the lock is let go (the thread stops at its pass's
# end: 64 requests) and the daemon then serves, its status answered.
. "$(dirname "$0")/lib.sh"

FLOOD="$KUSKA_BIN/kuska_ctlflood"
CONNS=4
COUNT=3000

# flood_start NAME CONF DATA SOCK LOG: NAME's daemon (started already and
# stopped) started again, flooded while kept in its check, then served.
flood_start() {
	local name=$1 conf=$2 data=$3 sock=$4 log=$5 pid fl j raw st_rc
	check "$name: the lock of its LMDB file held" hold_lmdb_lock "$data"
	rm -f "$sock"
	if [ "$name" = consolidator ]; then
		"$CONS" -c "$conf" 2>>"$log" &
	else
		"$NODE" -c "$conf" 2>>"$log" &
	fi
	pid=$!
	PIDS[$name]=$pid
	check "$name: its socket bound during the check" \
		wait_for_file "$sock" 60 "$pid"
	rss_sample "$pid"
	fl=()
	for j in $(seq $CONNS); do
		raw=()
		[ $((j % 2)) = 0 ] && raw=(-P)
		"$FLOOD" "${raw[@]}" -e "ipc://$sock" -F $COUNT -t 0 \
			>"$T/$name-flood.$j.out" 2>&1 &
		fl+=($!)
	done
	wait "${fl[@]}"
	ended=$EPOCHREALTIME
	check "$name: every flood went out" \
		test "$(cat "$T/$name"-flood.*.out | grep -cx "flooded $COUNT")" = $CONNS
	"$KUSKA" status -c "$conf" >"$T/$name-st.out" 2>&1
	st_rc=$?
	check "$name: still starting after the floods, status says so (exit $st_rc)" \
		sh -c "test $st_rc = 3 && grep -q 'STARTING: ' '$T/$name-st.out'"
	# Long enough for a heartbeat on every connection ended meanwhile.
	sleep_since "$ended" 5
	check "$name: still running" kill -0 "$pid"
	check_rss_sampled "$name" "$pid" 32768
	release_lmdb_lock
	check "$name: once the lock is let go, it serves" wait_serving "$conf" "$pid"
	check "$name: kuska status answers as started" \
		sh -c "'$KUSKA' status -c '$conf' >/dev/null 2>&1; test \$? -le 1"
	check_no_assertion "$name"
}

net_init
start_node pnp
stop_node pnp TERM
flood_start pnp "$N/pnp.conf" "$N/data/pnp" "$N/run/pnp.sock" "$N/pnp.log"
stop_node pnp TERM

start_cons
stop_cons TERM
flood_start consolidator "$N/consolidator.conf" "$N/data/consolidator" \
	"$N/run/consolidator.sock" "$N/consolidator.log"
PIDS[cons]=${PIDS[consolidator]}
unset 'PIDS[consolidator]'
stop_cons TERM
finish
