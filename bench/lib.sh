# lib.sh - what the benchmark scripts share: a throwaway demo network on
# 127.0.0.1 with real daemons, started, waited for and cleaned up.
#
# Sourced by bench/*.sh (not by the tests: tests/e2e/lib.sh is theirs).
# Before sourcing, the script sets BENCH (its name, for messages) and
# USAGE_LINES (the lines of its header comment that `usage` prints); it
# may set LIMIT_S (the bound `left` counts down) and KEEP=1 (keep the
# temporary directory).

# shellcheck shell=bash

set -u

KEEP=${KEEP:-0}
LIMIT_S=${LIMIT_S:-600}
declare -A PIDS=()
# $EPOCHREALTIME's decimal point is the locale's (LC_ALL, when set, wins
# over LC_NUMERIC: set it).
LC_ALL=C
START_S=$EPOCHSECONDS

usage() {
	sed -n "s/^# \{0,1\}//; ${USAGE_LINES}p" "$0" >&2
	exit 2
}

die() {
	echo "$BENCH: $*" >&2
	exit 1
}

# The time of day in seconds (microseconds after the point). The clock is
# read by bash itself: a benchmark's own processes take the processors it
# measures (on a virtual machine a fork and an exec cost milliseconds),
# so what runs in a loop forks as little as it can: stamp, within_limit,
# pause instead of $(now), $(left), sleep.
now() { printf '%s\n' "$EPOCHREALTIME"; }

# stamp VAR: the time of day into VAR, as now prints it.
stamp() { printf -v "$1" '%s' "$EPOCHREALTIME"; }

# Seconds left of the overall bound, LIMIT_S from the start.
left() { echo $((LIMIT_S - (EPOCHSECONDS - START_S))); }

# True while the overall bound has not run out.
within_limit() { ((EPOCHSECONDS - START_S < LIMIT_S)); }

# pause SECONDS: sleeps without a sleep process, waiting for a line that
# never comes on a FIFO of the temporary directory (pause_init opens it,
# before any background loop starts).
pause_init() {
	mkfifo "$T/.pause" || die "cannot make $T/.pause"
	exec {PAUSE_FD}<>"$T/.pause"
}
pause() { read -r -t "$1" -u "$PAUSE_FD" _ || :; }

# use_build [DIR]: the build directory, the command line's operand
# (usage if more than one), else KUSKA_BIN, else ./build, as BIN; its
# programs as KUSKA, NODE, CONS and KEYHOLDER.
use_build() {
	[ $# -le 1 ] || usage
	BIN=${1:-${KUSKA_BIN:-./build}}
	KUSKA=$BIN/kuska
	NODE=$BIN/kuska-node
	CONS=$BIN/kuska-consolidator
	KEYHOLDER=$BIN/kuska-keyholder
}

# need_bins FILE...: exits 2 unless every FILE is an executable.
need_bins() {
	local b
	for b in "$@"; do
		[ -x "$b" ] || {
			echo "$BENCH: $b not found; give the build directory" >&2
			exit 2
		}
	done
}

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	local p
	# A second signal must not cut the clean-up short: the daemons would
	# outlive the script.
	trap '' INT TERM
	for p in "${PIDS[@]}"; do
		pkill -TERM -P "$p" 2>/dev/null # a submit loop's child
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.3
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "$KEEP" = 1 ]; then
		echo "$BENCH: kept $T" >&2
	else
		rm -rf "$T"
	fi
}

# make_tmp PREFIX: a temporary directory T (short: ipc socket paths live
# under it), the network's N=$T/net, removed at exit with every process
# in PIDS.
make_tmp() {
	T=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
	N=$T/net
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

# A port triple nobody answers on, below the ephemeral range (where local
# ports of outgoing connections would make the bind fail).
pick_port() {
	local p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ -n "$low" ] && [ "$low" -gt 12000 ] || low=32768
	for p in $(seq $((10000 + RANDOM % (low - 12000))) 3 $((low - 3))); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null &&
			! (exec 3<>/dev/tcp/127.0.0.1/$((p + 1))) 2>/dev/null &&
			! (exec 3<>/dev/tcp/127.0.0.1/$((p + 2))) 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# `kuska demo init` of the network in N, on a free port triple.
net_init() {
	local port
	port=$(pick_port)
	[ -n "$port" ] || die "no free port pair"
	"$KUSKA" demo init "$N" --port "$port" >/dev/null || die "kuska demo init failed"
}

wait_for_file() {
	local i
	for i in $(seq 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# The consolidator, as PIDS[cons], logging to $N/consolidator.log.
start_cons() {
	"$CONS" -c "$N/consolidator.conf" 2>>"$N/consolidator.log" &
	PIDS[cons]=$!
	wait_for_file "$N/run/consolidator.sock" || die "consolidator did not start (see log)"
}

# The consolidator with -d: one debug line per batch, each time-stamped
# here on arrival (perl).
start_cons_stamped() {
	"$CONS" -d -c "$N/consolidator.conf" 2> >(perl -MTime::HiRes=time \
		-ne 'BEGIN { $| = 1 } printf "%.6f %s", time, $_' >>"$N/consolidator.log") &
	PIDS[cons]=$!
	wait_for_file "$N/run/consolidator.sock" || die "consolidator did not start (see log)"
}

start_keyholder() {
	"$KEYHOLDER" -c "$N/keyholder.conf" 2>>"$N/keyholder.log" &
	PIDS[keyholder]=$!
	wait_for_file "$N/run/keyholder.sock" || die "key holder did not start (see log)"
}

# start_nodes INST...: their nodes, as PIDS[INST], logging to $N/INST.log.
start_nodes() {
	local i
	for i in "$@"; do
		"$NODE" -c "$N/$i.conf" 2>>"$N/$i.log" &
		PIDS[$i]=$!
	done
	for i in "$@"; do
		wait_for_file "$N/run/$i.sock" || die "node $i did not start"
		# Its socket answers "starting" (exit 3) until it serves.
		while "$KUSKA" status -c "$N/$i.conf" >/dev/null 2>&1
		[ $? = 3 ]; do
			kill -0 "${PIDS[$i]}" 2>/dev/null ||
				die "node $i did not start"
			sleep 0.05
		done
	done
}

# CPU seconds (user + system) a running process has used; 0 once gone.
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}

# The last sequence of institution $1's node.
node_last_seq() {
	"$KUSKA" status -c "$N/$1.conf" 2>/dev/null |
		sed -n 's/.*(last sequence \([0-9]*\)).*/\1/p'
}
