# lib.sh - helpers for kuska's end-to-end tests: a throwaway demo network
# on 127.0.0.1 with real daemons, real sockets and real LMDB files.
#
# Sourced by tests/e2e/test_*.sh. Needs KUSKA_BIN (the build directory);
# KUSKA_SRC (the source tree) for fixtures.

set -u

: "${KUSKA_BIN:?KUSKA_BIN must name the build directory}"
KUSKA="$KUSKA_BIN/kuska"
NODE="$KUSKA_BIN/kuska-node"
CONS="$KUSKA_BIN/kuska-consolidator"
KEYHOLDER="$KUSKA_BIN/kuska-keyholder"
INSTS="pnp mp pj mimp minsa"

PASSED=0
FAILED=0

# python3: the interpreter `python3` names, asked for once. Through a
# version manager's shim (pyenv) each start costs a second of the shim's
# own shell work; the tests start Python dozens of times.
python3_find() {
	if [ -z "${KUSKA_PYTHON3:-}" ]; then
		KUSKA_PYTHON3=$(command python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
		[ -x "$KUSKA_PYTHON3" ] || KUSKA_PYTHON3=$(command -v python3)
		export KUSKA_PYTHON3
	fi
}
python3() {
	python3_find
	"$KUSKA_PYTHON3" "$@"
}

# python3_bg ARGS...: Python in the background, $! its own process. A
# function run with & is a subshell with Python its child: kill -STOP or
# -TERM of its $! would stop or end the shell, not Python.
python3_bg() {
	python3_find
	"$KUSKA_PYTHON3" "$@" &
}

# spread LIST N CMD [ARGS...]: CMD ARGS... and the fields of each line
# of LIST, from N subshells each taking every Nth line in turn (no shell
# started per line); returns when all are done.
spread() {
	local list=$1 n=$2 k f pids=()
	shift 2
	for ((k = 0; k < n; k++)); do
		awk -v n="$n" -v k="$k" 'NR % n == k' "$list" |
			while read -r -a f; do "$@" "${f[@]}"; done &
		pids+=($!)
	done
	wait "${pids[@]}"
}

# A short temporary directory: ipc socket paths must stay short.
T=$(mktemp -d /tmp/kuska-e2e.XXXXXX)
declare -A PIDS=()

cleanup() {
	local p
	# Every daemon the test started, and any it lost track of: the wait
	# below must not hang on a forgotten child.
	for p in "${PIDS[@]}" $(jobs -p); do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

ok() {
	PASSED=$((PASSED + 1))
	echo "ok - $*"
}

not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# is WHAT GOT WANT: passes when GOT is WANT, showing both when not (each
# line of several joined by " | ").
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '#   got:  %s\n#   want: %s\n' "${2//$'\n'/ | }" \
			"${3//$'\n'/ | }"
	fi
}

# A sanitizer's report in a daemon's log: ThreadSanitizer's, and
# AddressSanitizer's, LeakSanitizer's (a leak found as a daemon stopped
# with TERM; one killed with -9 reports nothing) and UBSan's.
SANITIZER_REPORT='WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|runtime error: '

finish() {
	local found
	# A sanitizer's report in any daemon's log fails the test, even one
	# written as the daemon stopped.
	found=$(find "$T" -name '*.log' -exec grep -l -E "$SANITIZER_REPORT" {} + 2>/dev/null)
	if [ -n "$found" ]; then
		not_ok "sanitizer reports in $found"
		# shellcheck disable=SC2086
		grep -h -E -A12 "$SANITIZER_REPORT" $found | head -40 | sed 's/^/  /'
	fi
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit $?
}

# pick_port [FROM]: the first of four free-looking ports in a row (the
# consolidator's two, the key holder's, and one for a second key holder),
# at FROM or above, below the ephemeral range (where outgoing connections,
# ours included, take their local ports and would make the bind fail).
# Under ctest two tests run side by side: each has a block of
# KUSKA_PORT_SPAN ports that no other test of the run picks from
# (KUSKA_PORT_SLOT of KUSKA_PORT_SLOTS, tests/tests.cmake), else both
# could find the same ports free before either binds them. The blocks of
# a build directory start where its name's checksum says, so that two
# builds tested at once (gcc and ASan, two worktrees) most likely use
# different ones; a port taken all the same is seen and skipped. Under
# ctest the search stays in the block (from its start when FROM is not
# in it; not below a FROM in it, whose caller holds the ports under it
# unbound yet): a block with nothing free is an error on stderr and no
# port, for net_init to fail loudly rather than take another test's
# ports. Run by hand (no KUSKA_PORT_SLOT): a random start.
KUSKA_PORT_SPAN=100
pick_port() {
	local low from=${1:-0} blocks regions base last p
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ -n "$low" ] && [ "$low" -gt 12000 ] || low=32768
	if [ -n "${KUSKA_PORT_SLOT:-}" ] && [ -n "${KUSKA_PORT_SLOTS:-}" ]; then
		blocks=$((KUSKA_PORT_SLOTS * KUSKA_PORT_SPAN))
		regions=$(((low - 10000) / blocks))
		if [ "$regions" -le 0 ]; then
			echo "pick_port: no room for $KUSKA_PORT_SLOTS blocks of" \
				"$KUSKA_PORT_SPAN ports below $low" >&2
			return 1
		fi
		base=$(($(printf %s "$KUSKA_BIN" | cksum | cut -d' ' -f1) % regions))
		base=$((10000 + base * blocks + KUSKA_PORT_SLOT * KUSKA_PORT_SPAN))
		# The last 16 of the block: room for PORT + 11 (test_local).
		last=$((base + KUSKA_PORT_SPAN - 16))
		[ "$from" -ge "$base" ] && [ "$from" -le "$last" ] || from=$base
		p=$(free_ports "$from" "$last")
		if [ -z "$p" ]; then
			echo "pick_port: no four free ports in $from-$last," \
				"block $KUSKA_PORT_SLOT of this test" >&2
			return 1
		fi
		echo "$p"
		return
	fi
	free_ports $((from > 10000 ? from : 10000 + RANDOM % (low - 12000))) \
		$((low - 4))
}

# free_ports FIRST LAST: the first of FIRST, FIRST + 4, ... up to LAST
# whose port and next three nobody listens on.
free_ports() {
	local p i free
	for p in $(seq "$1" 4 "$2"); do
		free=1
		for i in 0 1 2 3; do
			! (exec 3<>/dev/tcp/127.0.0.1/$((p + i))) 2>/dev/null ||
				free=0
		done
		if [ $free = 1 ]; then
			echo "$p"
			return
		fi
	done
}

# net_init: keys, registry and configs under $T/net. The consolidator
# has no indicators: demo init names its own example file, and a test
# that wants indicators appends the file it means (a second indicators
# key is refused); test_demo_init.sh checks the demo's own.
net_init() {
	PORT=$(pick_port)
	if [ -z "$PORT" ]; then
		echo "no free ports for this test (pick_port)"
		exit 1
	fi
	"$KUSKA" demo init "$T/net" --port "$PORT" >/dev/null || {
		echo "kuska demo init failed"
		exit 1
	}
	N="$T/net"
	# The key and the comment above it, so that a line a test appends has
	# the number it had before demo init wrote them (test_hostile).
	sed -i '/^# The Commission.s outcome indicators/,/^indicators = /d' \
		"$N/consolidator.conf"
	grep -q '^indicators = \|^# The Commission' "$N/consolidator.conf" && {
		echo "net_init: demo init's indicators left in consolidator.conf"
		exit 1
	}
	return 0
}

# notify_listen SOCK LOG: listens at SOCK (for NOTIFY_SOCKET) as systemd
# does, writing what a daemon tells it to LOG, a line a datagram, until
# SOCK is gone (the test's directory removed at its end: it needs no kill,
# which a python3 behind a shim that forks would escape, and holds no
# output of the test's, for which ctest would wait). False if SOCK is not
# there within 30 s.
notify_listen() {
	python3 - "$1" "$2" >/dev/null 2>>"$T/notify.err" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
with open(sys.argv[2], "a", buffering=1) as f:
    while os.path.exists(sys.argv[1]):
        try:
            f.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        except socket.timeout:
            pass
EOF
	PIDS[notify]=$!
	wait_for_file "$1" 30 "${PIDS[notify]}"
}

# hold_lmdb_lock DIR: holds the lock LMDB takes on the first byte of
# DIR/lock.mdb to set up a file no process has open, until
# release_lmdb_lock: meanwhile the check a daemon makes of that file at
# start (its child opens it) waits, as a big file's check takes seconds.
# False if it could not be taken within 30 s.
hold_lmdb_lock() {
	rm -f "$T/lmdb.locked" "$T/lmdb.release"
	python3 - "$1/lock.mdb" "$T/lmdb.locked" "$T/lmdb.release" \
		>/dev/null 2>>"$T/lmdb.err" <<'EOF' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 1, 0)
open(sys.argv[2], "w").close()
# Until released, or the test's directory removed (a test that failed
# before: a kill of a python3 shim that forks would not reach it).
while not os.path.exists(sys.argv[3]) and os.path.exists(sys.argv[1]):
    time.sleep(0.05)
EOF
	PIDS[lmdb_lock]=$!
	wait_for_file "$T/lmdb.locked" 30 "${PIDS[lmdb_lock]}"
}

release_lmdb_lock() {
	touch "$T/lmdb.release"
	wait "${PIDS[lmdb_lock]}"
	unset 'PIDS[lmdb_lock]'
}

# wait_serving CONF PID: until the consolidator or node of CONF (process
# PID), whose control (submit) socket is there from before the checks of
# its store (outbox) and any statistics rebuild, serves: kuska status no
# longer says "starting" (exit 3). START_WAIT_S at most; false if PID ends
# or it never does.
wait_serving() {
	local i
	for i in $(seq $((START_WAIT_S * 20))); do
		"$KUSKA" status -c "$1" >/dev/null 2>&1
		[ $? != 3 ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

start_cons() { # start_cons [OPTION...] (e.g. -d: debug lines in the log)
	# A killed daemon leaves its socket file: wait for the new one.
	rm -f "$N/run/consolidator.sock"
	"$CONS" "$@" -c "$N/consolidator.conf" 2>>"$N/consolidator.log" &
	PIDS[cons]=$!
	wait_for_file "$N/run/consolidator.sock" $START_WAIT_S "${PIDS[cons]}" &&
		wait_serving "$N/consolidator.conf" "${PIDS[cons]}" || {
		echo "# the consolidator did not start:"
		tail -3 "$N/consolidator.log" | sed 's/^/#   /'
	}
}

stop_cons() { # stop_cons [SIGNAL]
	local sig=${1:-KILL}
	kill -"$sig" "${PIDS[cons]}" 2>/dev/null
	wait "${PIDS[cons]}" 2>/dev/null
	unset 'PIDS[cons]'
}

# The key holder: the nodes need it to pseudonymise anything.
start_keyholder() { # start_keyholder [CONF [NAME]]
	local conf=${1:-$N/keyholder.conf} name=${2:-keyholder} sock
	sock=$(sed -n 's|^control = ipc://||p' "$conf")
	case $sock in /*) ;; *) sock="$(dirname "$conf")/$sock" ;; esac
	rm -f "$sock"
	"$KEYHOLDER" -c "$conf" 2>>"$N/$name.log" &
	PIDS[$name]=$!
	wait_for_file "$sock" $START_WAIT_S "${PIDS[$name]}" || {
		echo "# the key holder did not start:"
		tail -3 "$N/$name.log" | sed 's/^/#   /'
	}
}

stop_keyholder() { # stop_keyholder [SIGNAL [NAME]]
	local sig=${1:-KILL} name=${2:-keyholder}
	kill -"$sig" "${PIDS[$name]}" 2>/dev/null
	wait "${PIDS[$name]}" 2>/dev/null
	unset "PIDS[$name]"
}

# wait_dead_letters INST N: until INST's node shows N dead letters in its
# kuska status (about 10 s); its last status is left in $T/status.out.
wait_dead_letters() {
	local i
	for i in $(seq 50); do
		"$KUSKA" status -c "$N/$1.conf" >"$T/status.out" 2>/dev/null
		grep -q "refused (dead letters): $2\$" "$T/status.out" && return 0
		sleep 0.2
	done
	return 1
}

# FT: libfaketime's library; FAKE: "yes" when a daemon's wall clock can be
# faked here, else why not (not installed, or the sanitizer build, whose
# runtime and libfaketime cannot share a process).
FT=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
FAKE=yes
[ -n "$FT" ] || FAKE="no: libfaketime is not installed (scripts/deps.sh installs it)"
[ "${KUSKA_SANITIZED:-OFF}" = ON ] &&
	FAKE="no: the sanitizers and libfaketime cannot share a process"

# start_cons_at OFFSET / start_node_at INST OFFSET: the daemon with its
# wall clock moved by OFFSET ("-60d"); its monotonic clock is left alone.
start_cons_at() {
	rm -f "$N/run/consolidator.sock"
	LD_PRELOAD=$FT FAKETIME="$1" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		"$CONS" -c "$N/consolidator.conf" 2>>"$N/consolidator.log" &
	PIDS[cons]=$!
	wait_for_file "$N/run/consolidator.sock" $START_WAIT_S "${PIDS[cons]}" &&
		wait_serving "$N/consolidator.conf" "${PIDS[cons]}"
}
# start_cons_clock FILE: the consolidator with its wall clock read from
# FILE at every look (libfaketime's FAKETIME_TIMESTAMP_FILE: "@2024-04-05
# 12:00:00" runs from that moment, "+0" is the true time), so a test can
# move it while the daemon runs; its monotonic clock is left alone.
start_cons_clock() {
	rm -f "$N/run/consolidator.sock"
	LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE="$1" FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1 \
		"$CONS" -c "$N/consolidator.conf" 2>>"$N/consolidator.log" &
	PIDS[cons]=$!
	wait_for_file "$N/run/consolidator.sock" $START_WAIT_S "${PIDS[cons]}" &&
		wait_serving "$N/consolidator.conf" "${PIDS[cons]}"
}
start_node_at() {
	rm -f "$N/run/$1.sock"
	LD_PRELOAD=$FT FAKETIME="$2" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		"$NODE" -c "$N/$1.conf" 2>>"$N/$1.log" &
	PIDS[$1]=$!
	wait_for_file "$N/run/$1.sock" $START_WAIT_S "${PIDS[$1]}" &&
		wait_serving "$N/$1.conf" "${PIDS[$1]}"
}

start_node() { # start_node INST [CONF]; NODE_OPTS: more options (-d)
	local conf=${2:-$N/$1.conf}
	# A node without its key holder accepts nothing: start the demo's
	# one with the first node that needs it.
	[ -n "${PIDS[keyholder]:-}" ] || [ "${NO_KEYHOLDER:-0}" = 1 ] ||
		start_keyholder
	rm -f "$N/run/$1.sock"
	# shellcheck disable=SC2086 # NODE_OPTS: options, word by word
	"$NODE" ${NODE_OPTS:-} -c "$conf" 2>>"$N/$1.log" &
	PIDS[$1]=$!
	wait_for_file "$N/run/$1.sock" $START_WAIT_S "${PIDS[$1]}" &&
		wait_serving "$conf" "${PIDS[$1]}"
}

stop_node() { # stop_node INST [SIGNAL]
	local sig=${2:-KILL}
	kill -"$sig" "${PIDS[$1]}" 2>/dev/null
	wait "${PIDS[$1]}" 2>/dev/null
	unset "PIDS[$1]"
}

start_all() {
	local i
	start_cons
	[ -n "${PIDS[keyholder]:-}" ] || [ "${NO_KEYHOLDER:-0}" = 1 ] ||
		start_keyholder
	for i in $INSTS; do start_node "$i"; done
}

# held_query_net thread|socket [CONNS [OPTION...]]: net_init and the
# consolidator started under tests/tools/shim/slowread.c, which holds
# the query thread (thread) or the reads of the query socket itself, its
# reader thread's (socket) while the file $SLOW exists; CONNS (or -)
# raises max_connections_per_key and max_pending_per_address; OPTIONs go
# to start_cons. Sets QEP and SLOW; skips when the shim is not built.
held_query_net() {
	local what=$1 conns=${2:--} lib="$KUSKA_BIN/libkuska_slowread.so"
	shift
	if [ $# -gt 0 ]; then shift; fi
	[ -r "$lib" ] || skip "no $lib"
	net_init
	[ "$conns" = - ] || printf 'max_connections_per_key = %s\nmax_pending_per_address = %s\n' \
		"$conns" "$conns" >>"$N/consolidator.conf"
	QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
	SLOW="$T/slow"
	if [ "$what" = thread ]; then
		KUSKA_SLOW_FILE="$SLOW" KUSKA_SLOW_THREAD=kuska-query \
			LD_PRELOAD="$lib" start_cons "$@"
	else
		KUSKA_SLOW_FILE="$SLOW" KUSKA_SLOW_ENDPOINT="$QEP" \
			LD_PRELOAD="$lib" start_cons "$@"
	fi
	"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
	check "the consolidator answers" test $? = 0
}

# audit_held_net: net_init with nothing made ahead (prepare_quiet_s 0, so a
# question's own audit is the one held), the consolidator started with
# debug lines under tests/tools/shim/slowread.c holding the audit's
# thread in GLPK while the file $SLOW exists, the key holder and the five
# nodes, 25 simulated victims (seed 43) delivered. Sets QEP, SLOW and
# ASKER; skips when the shim is not built.
audit_held_net() {
	local i lib="$KUSKA_BIN/libkuska_slowread.so"
	[ -r "$lib" ] || skip "no $lib"
	ASKER="$KUSKA_BIN/kuska_asker"
	net_init
	echo "prepare_quiet_s = 0" >>"$N/consolidator.conf"
	QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
	SLOW="$T/slow"
	KUSKA_SLOW_FILE="$SLOW" KUSKA_SLOW_THREAD=kuska-audit KUSKA_SLOW_GLPK=1 \
		LD_PRELOAD="$lib" start_cons -d
	start_keyholder
	for i in $INSTS; do start_node "$i"; done
	"$KUSKA" sim --out "$T/sim" --victims 25 --seed 43 >/dev/null
	check "the nodes accept everything" submit_all "$T/sim"
	check "everything delivered" wait_delivered 120
}

# flood_net START: net_init with room for many connections of one key
# (max_connections_per_key 64, max_pending_per_address 2), the
# consolidator started by the command START (start_cons, or a function of
# the test's that calls it in an environment of its own), the key holder
# and the five nodes; 300 simulated victims' records (T/sim) of pnp, pj,
# mimp and minsa delivered, mp's left to the test; then pnp's node
# stopped, its key free for rogue_flood. Sets EP.
flood_net() {
	local i
	net_init
	printf 'max_connections_per_key = 64\nmax_pending_per_address = 2\n' \
		>>"$N/consolidator.conf"
	"$1"
	start_keyholder
	for i in $INSTS; do start_node "$i"; done
	"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
	for i in pnp pj mimp minsa; do submit_sim $i; done
	check "records delivered" wait_delivered 120
	stop_node pnp TERM
	EP=$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")
}

# rogue_flood NAME CONNS COUNT HOLD_MS [OPTION...]: CONNS connections of
# pnp's key to EP at once (kuska_rogue, OPTIONs added), each sending
# COUNT recovery requests without reading, holding HOLD_MS, then ending;
# returns when all have ended, their outputs in T/NAME1.out ...
rogue_flood() {
	local j fl=() name=$1 conns=$2 count=$3 hold=$4
	shift 4
	for j in $(seq "$conns"); do
		"$KUSKA_BIN/kuska_rogue" -k "$N/keys/pnp.key" \
			-s "$N/keys/consolidator.pub" -e "$EP" -n "$count" \
			-t "$hold" "$@" unread >"$T/$name$j.out" 2>&1 &
		fl+=($!)
	done
	wait "${fl[@]}"
}

# check_no_assertion [NAME]: the log of daemon NAME (default the
# consolidator) holds no assertion of libzmq's ("Assertion failed:
# !_io_error", stream_engine_base.cpp: the abort on the end of a
# connection it stopped reading, docs/SECURITY.md).
check_no_assertion() {
	local log="$N/${1:-consolidator}.log"
	if grep -q "Assertion failed" "$log"; then
		not_ok "libzmq asserted: $(grep -m1 "Assertion failed" "$log")"
	else
		ok "libzmq asserted nothing"
	fi
}

# check_floods INST EVENT METRIC: node INST's log says a flood's cut
# (event=EVENT ... untaken=4096 action=redial), and its counter METRIC
# (kuska metrics) counts every cut: at least as many as the lines, which
# are budgeted (LOG_BURST, then one a second), and more than none.
check_floods() {
	local lines floods
	check "the flood dropped the connection, logged" \
		grep -q "event=$2 .* untaken=4096 action=redial" "$N/$1.log"
	lines=$(grep -c "event=$2" "$N/$1.log")
	echo "# $lines flood lines logged"
	floods=$("$KUSKA" metrics -c "$N/$1.conf" |
		awk -v m="$3" '$1 == m || index($1, m "{") == 1 { print $2 }')
	echo "# $3 ${floods:-absent}"
	check "$3 counts them" \
		test "${floods:-0}" -ge "$lines" -a "${floods:-0}" -gt 0
}

# wait_for_file FILE [SECONDS [PID]]: until FILE exists, for at most
# SECONDS (default 5), or until process PID is gone.
wait_for_file() {
	local i
	for i in $(seq $((${2:-5} * 20))); do
		[ -e "$1" ] && return 0
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# sleep_since START SECONDS: sleeps what is left of SECONDS since START
# (an earlier $EPOCHREALTIME), none if they have passed: a window after
# an event (a heartbeat due on every connection ended since) that the
# test's own work since then counts towards.
sleep_since() {
	local left
	left=$(awk -v s="$1" -v n="$EPOCHREALTIME" -v w="$2" \
		'BEGIN { l = s + w - n; printf "%.2f", (l > 0 ? l : 0) }')
	sleep "$left"
}

# A daemon started is waited for (its socket) this long, unless it ends:
# on a loaded machine, under faketime, a start took more than 5 s.
START_WAIT_S=30

# wait_log FILE PATTERN [SECONDS]: until a line of FILE matches PATTERN
# (grep's basic regular expression), for at most SECONDS (default 30: it
# returns as soon as the line shows, and 5 s left little to a sanitized
# daemon, two to five times slower, on a loaded machine).
wait_log() {
	local i
	for i in $(seq $((${3:-30} * 10))); do
		grep -q -e "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# kh_sweep KEY [OPTION...]: kuska_thief sweep against the key holder
# with KEY's key (keys/KEY.key), epoch 1 and a 10 s timeout unless an
# OPTION sets another; its output, then "exit N".
kh_sweep() {
	local k=$1
	shift
	"$KUSKA_BIN/kuska_thief" sweep -k "$N/keys/$k.key" \
		-p "$N/keys/keyholder.pub" -e "tcp://127.0.0.1:$((PORT + 2))" \
		-E 1 -t 10000 "$@" 2>&1
	echo "exit $?"
}

# wait_log_after FILE LINES PATTERN [SECONDS]: wait_log over the lines of
# FILE past its first LINES (those written since a count taken before).
wait_log_after() {
	local i
	for i in $(seq $((${4:-30} * 10))); do
		tail -n +$(($2 + 1)) "$1" 2>/dev/null | grep -q -e "$3" && return 0
		sleep 0.1
	done
	return 1
}

# hup_wait FILE PATTERN PID... : SIGHUP the PIDs and wait, 30 s at most, for
# one more line of FILE matching PATTERN than before (a reload's log line), as a
# fixed sleep is too short on a loaded machine.
hup_wait() {
	local f=$1 pat=$2 n
	shift 2
	n=$(grep -c -e "$pat" "$f" 2>/dev/null)
	kill -HUP "$@"
	for _ in $(seq 300); do
		[ "$(grep -c -e "$pat" "$f" 2>/dev/null)" -gt "${n:-0}" ] && return 0
		sleep 0.1
	done
	return 1
}

# rotate_key INST: INST's signing key replaced as OPERATIONS.md section 6
# says, its node stopped: a new pair INST-2 made in $N/keys2 and
# registered as [key INST-2] (the consolidator's and the key holder's
# reloads checked), the old key's .pub kept under its id in
# $N/keys/previous, which INST's config names in previous_keys, and the
# new secret key put in place of the old one. keys/INST.pub stays the old
# key's, which the registry's [key INST-1] reads (the node reads no .pub
# of its own). FP2: the new key's fingerprint.
rotate_key() {
	local inst=$1 old
	mkdir "$N/keys2"
	"$KUSKA" keygen "$inst-2" --dir "$N/keys2" >/dev/null
	# shellcheck disable=SC2034 # FP2: the caller's
	FP2=$(sed -n 's/^fingerprint = //p' "$N/keys2/$inst-2.pub")
	printf '\n[key %s-2]\nowner = %s\npublic_key = keys2/%s-2.pub\n' \
		"$inst" "$inst" "$inst" >>"$N/registry.conf"
	check "the consolidator reloads the registry with $inst-2" \
		hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
	check "... and the key holder" \
		hup_wait "$N/keyholder.log" "event=reload" "${PIDS[keyholder]}"
	old=$(awk -F ' *= *' '$1 == "id" { print $2 }' "$N/keys/$inst.pub")
	mkdir "$N/keys/previous"
	cp "$N/keys/$inst.pub" "$N/keys/previous/$old.pub"
	cp "$N/keys2/$inst-2.key" "$N/keys/$inst.key"
	echo "previous_keys = keys/previous" >>"$N/$inst.conf"
}

# revoke_key KEY SEQ: the registry's [key KEY] revoked after sequence SEQ
# (OPERATIONS.md section 6: revoked_after_seq, and a revoked time, which
# is kept for the record), in place of any revocation it had; the
# daemons are not told (hup_wait).
revoke_key() {
	awk -v key="[key $1]" -v last="$2" '
		/^\[/ { sect = $0 == key }
		sect && /^revoked(_after_seq)? = / { next }
		{ print }
		$0 == key { print "revoked = 2026-01-01T00:00:00Z"
			print "revoked_after_seq = " last }' "$N/registry.conf" >"$T/reg.new" &&
		mv "$T/reg.new" "$N/registry.conf"
}

# backup_node INST: a copy of INST's data directory (its outbox, as
# OPERATIONS.md section 7 backs it up) in $T/INST-backup; its node is to
# be stopped. restore_node INST: INST's data directory dropped and that
# copy put in its place (kuska-node --recover is then to be run: section
# 10).
backup_node() {
	cp -a "$N/data/$1" "$T/$1-backup"
}

restore_node() {
	rm -rf "${N:?}/data/$1"
	cp -a "$T/$1-backup" "$N/data/$1"
}

# recover_into FILE INST RC WHAT: kuska-node --recover of INST's node (to
# be stopped) into FILE, its output and errors, which is shown indented,
# and its exit status checked to be RC ("WHAT (exit N)"). The caller
# greps FILE for what the recovery is to say.
recover_into() {
	local out=$1 inst=$2 want=$3 what=$4 rc
	"$NODE" --recover -c "$N/$inst.conf" >"$out" 2>&1
	rc=$?
	sed 's/^/#   /' "$out"
	check "$what (exit $rc)" test "$rc" = "$want"
}

# node_field INST FIELD: a number from `kuska status` of a node, e.g.
# node_field pnp "last sequence" or node_field pnp acknowledged.
node_last_seq() {
	"$KUSKA" status -c "$N/$1.conf" 2>/dev/null |
		sed -n 's/.*(last sequence \([0-9]*\)).*/\1/p'
}

node_acked() {
	"$KUSKA" status -c "$N/$1.conf" 2>/dev/null |
		sed -n 's/^ *acknowledged: *\([0-9]*\).*/\1/p'
}

# cons_last_seq INST: the consolidator's last sequence for INST.
cons_last_seq() {
	"$KUSKA" status -c "$N/consolidator.conf" 2>/dev/null |
		awk -v i="$1" '$1 == i { print $2 }'
}

# node_seq_acked INST: a node's last sequence and acknowledged count, from
# one `kuska status` ("-" and "+" for what it did not say: never equal).
# A status costs about 0.1 s of a processor in the sanitizer build (its
# leak check at exit included).
node_seq_acked() {
	"$KUSKA" status -c "$N/$1.conf" 2>/dev/null | awk '
		match($0, /\(last sequence [0-9]+\)/) {
			last = substr($0, RSTART + 15, RLENGTH - 16)
		}
		/^ *acknowledged: *[0-9]/ { acked = $2 }
		END { print (last == "" ? "-" : last), (acked == "" ? "+" : acked) }'
}

# wait_delivered [SECONDS]: until every running node's last sequence is
# held by the consolidator (both read from one status of the node, not
# two: the polling kept a processor busy in the sanitizer build).
wait_delivered() {
	local limit=${1:-120} i n c a all
	for i in $(seq $((limit * 5))); do
		all=1
		for n in $INSTS; do
			[ -n "${PIDS[$n]:-}" ] || continue
			read -r c a < <(node_seq_acked "$n")
			[ "$c" = "$a" ] || {
				all=0
				break
			}
		done
		[ $all = 1 ] && return 0
		sleep 0.2
	done
	return 1
}

# submit_all DIR: kuska submit of DIR/INST.jsonl for every institution.
submit_all() {
	local i rc=0
	for i in $INSTS; do
		"$KUSKA" submit -c "$N/$i.conf" "$1/$i.jsonl" >"$T/submit-$i.out" ||
			rc=1
	done
	return $rc
}

# split_key EPOCH: the OPRF key of EPOCH made anew in two shares, one for
# the demo's key holder (keyholder.conf) and one for a second holder
# (keyholder2.conf, its own key, port PORT+3, control run/keyholder2.sock),
# and every node of INSTS told of the second. Start it with
# start_keyholder "$N/keyholder2.conf" keyholder2.
split_key() {
	local k=$N/keys i
	"$KUSKA" keygen --oprf-share "$k/share-a.share" --epoch "$1" >/dev/null
	"$KUSKA" keygen --oprf-share "$k/share-b.share" --epoch "$1" >/dev/null
	"$KUSKA" keygen keyholder2 --dir "$k" >/dev/null
	sed -i 's|^share = .*|share = keys/share-a.share|' "$N/keyholder.conf"
	sed -e 's|^key = .*|key = keys/keyholder2.key|' \
		-e 's|^share = .*|share = keys/share-b.share|' \
		-e "s|^listen = .*|listen = tcp://127.0.0.1:$((PORT + 3))|" \
		-e 's|^control = .*|control = ipc://run/keyholder2.sock|' \
		-e 's|^accounts = .*|accounts = data/keyholder2.accounts|' \
		"$N/keyholder.conf" >"$N/keyholder2.conf"
	for i in $INSTS; do
		printf 'keyholder2 = tcp://127.0.0.1:%s\nkeyholder2_key = keys/keyholder2.pub\n' \
			$((PORT + 3)) >>"$N/$i.conf"
	done
}

# set_max_batch CONF [N]: the max_batch key of a key holder's CONF, or
# none (the default).
set_max_batch() {
	sed -i '/^max_batch = /d' "$1"
	[ -z "${2:-}" ] || echo "max_batch = $2" >>"$1"
}

# too_large [NAME]: key holder NAME's too_large refusals so far.
too_large() {
	grep -c "event=request_refused .*reason=too_large" "$N/${1:-keyholder}.log"
}

# submit_sim INST: kuska submit of INST's file in T/sim, its output in
# T/submit-INST.out.
submit_sim() {
	"$KUSKA" submit -c "$N/$1.conf" "$T/sim/$1.jsonl" >"$T/submit-$1.out" 2>&1
}

# submit_in_t INST FILE [OPTION...]: kuska submit of T/FILE by INST's
# node, run from T so that its messages name the file as FILE, its output
# in T/submit-INST.out.
submit_in_t() {
	local inst=$1 file=$2
	shift 2
	(cd "$T" && "$KUSKA" submit "$@" -c "$N/$inst.conf" "$file") \
		>"$T/submit-$inst.out" 2>&1
}

# submitted_ok INST...: each INST's submission (T/submit-INST.out) ends
# in its summary with nothing refused; an empty or missing output (a
# submission that failed or never ran) does not pass as "no refusal".
submitted_ok() {
	local i
	for i in "$@"; do
		! grep -q ': refused:' "$T/submit-$i.out" &&
			grep -Eq '\.jsonl: [0-9]+ accepted, [0-9]+ already held, 0 refused, [0-9]+ with unlinkable victims(, [0-9]+ re-keyed)?$' \
				"$T/submit-$i.out" || return 1
	done
}

# audit: the consolidator's own re-verification of its store.
audit_ok() {
	"$CONS" --audit -c "$N/consolidator.conf" >"$T/audit.out" 2>&1
}

# records FILE: the number of non-blank lines of FILE. A file that cannot
# be read gives a word, not nothing: "$(records F)" = "$(cons_last_seq I)"
# must not pass as two empty strings when both commands failed.
records() {
	[ -r "$1" ] || {
		echo "unreadable:$1"
		return 2
	}
	grep -c . "$1"
}

# skip REASON: the test cannot run here (ctest shows it as skipped).
skip() {
	echo "skipped: $*"
	exit 77
}

# query_tables DIR: every table of the analyst's view for 2024 and 2025
# (the years kuska sim writes), one CSV each, to compare two runs.
KUSKA_TABLES="identification overlap breakdown referrals protection prosecution funnel durations"
query_tables() {
	local t p
	mkdir -p "$1"
	for t in $KUSKA_TABLES; do
		for p in 2024 2025; do
			"$KUSKA" query -c "$N/analyst.conf" "$t" --period "$p" \
				--format csv >"$1/$t.$p.csv" 2>&1 ||
				echo "exit $?" >>"$1/$t.$p.csv"
		done
	done
}

# same_tables A B: two query_tables directories hold the same bytes, and
# A holds answers (the same failures in both are not the same tables).
same_tables() {
	local d
	if grep -rq '^exit' "$1" || [ -z "$(find "$1" -name '*.csv' -size +0)" ]; then
		echo "  $1: queries failed or none asked"
		return 1
	fi
	d=$(diff -r "$1" "$2")
	[ -z "$d" ] && return 0
	echo "$d" | head -10 | sed 's/^/  /'
	return 1
}

# wipe_data: both daemons' stores removed (the daemons must be stopped),
# for a second run on the same keys and configs.
wipe_data() {
	rm -rf "$N/data"/*
}

# wipe_all: every node and the consolidator stopped (TERM), and their
# stores and outboxes removed, for another run on the same keys and
# configs.
wipe_all() {
	local i
	for i in $INSTS; do stop_node "$i" TERM; done
	stop_cons TERM
	wipe_data
}

# exited_cleanly RC: a process ended with an exit code, not by a signal.
exited_cleanly() {
	[ "$1" -lt 128 ]
}

# wait_held INST N [SECONDS]: until the consolidator holds N sequences of
# INST (after its store lost some, the nodes' own counters say nothing).
wait_held() {
	local i
	for i in $(seq $((${3:-60} * 5))); do
		[ "$(cons_last_seq "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# rss_kib PID: the resident memory of process PID, in KiB (VmRSS).
rss_kib() {
	awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# grew_less BEFORE AFTER KIB: AFTER - BEFORE < KIB, both measured (an
# empty reading, the process gone, fails: a daemon that died grew no less).
grew_less() {
	[ -n "$1" ] && [ -n "$2" ] && [ $(($2 - $1)) -lt "$3" ]
}

# rss_sample PID: PID's memory now in RSS_BEFORE, and sampled every 0.1 s
# into $T/rss while it runs (the sampler's pid in RSS_SAMPLER), for
# check_rss_sampled.
rss_sample() {
	RSS_BEFORE=$(rss_kib "$1")
	while kill -0 "$1" 2>/dev/null; do
		rss_kib "$1"
		sleep 0.1
	done >"$T/rss" &
	RSS_SAMPLER=$!
}

# check_rss_sampled WHAT PID KIB: stops rss_sample's sampler, prints WHAT's
# memory before, at most and now, and checks it grew by less than KIB at
# its highest (check_rss_growth).
check_rss_sampled() {
	local peak after
	kill "$RSS_SAMPLER" 2>/dev/null
	wait "$RSS_SAMPLER" 2>/dev/null
	peak=$(sort -n "$T/rss" | tail -1)
	after=$(rss_kib "$2")
	echo "# $1 RSS ${RSS_BEFORE} KiB before, ${peak} KiB at most while flooded, ${after} KiB after"
	check_rss_growth "memory grew by less than $(($3 / 1024)) MiB" \
		"$RSS_BEFORE" "$peak" "$3"
}

# check_rss_growth DESCRIPTION BEFORE AFTER KIB: a daemon's memory
# (rss_kib) grew by less than KIB. Not judged in a sanitized build: the
# sanitizers' own bookkeeping grows with the work.
check_rss_growth() {
	if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then
		echo "# (sanitized build: memory not judged)"
	else
		check "$1" grew_less "$2" "$3" "$4"
	fi
}

# The daemons' log budgets (LOG_BUDGET_BURST, lib/log.h): of a kind of
# line, a burst of LOG_BURST, then one a second; the next line written
# counts those held back meanwhile (" unlogged=N").
LOG_BURST=10

# cons_metric NAME: the consolidator's metric NAME (no labels), as kuska
# metrics prints it.
cons_metric() {
	"$KUSKA" metrics -c "$N/consolidator.conf" |
		awk -v m="$1" '$1 == m { print $2 }'
}

# releases_settled: waits (up to 300 s) until no year's release waits to
# be prepared (the year being made counts as waiting); 1 if one still does.
releases_settled() {
	local i
	for i in $(seq 3000); do
		[ "$(cons_metric kuska_releases_waiting)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# release_ready YEAR LINES: waits (up to 300 s) until YEAR's release is
# prepared (event=release_prepared in the consolidator's log after its
# first LINES lines) and waits no more (at most one year waiting: the
# other, made after it, the latest first); 1 if not. For a test that asks
# the secretariat of YEAR alone: it need not wait for the other year's
# audit (seconds of a processor), which a question gives way to.
release_ready() {
	local i
	for i in $(seq 1500); do
		tail -n +$(($2 + 1)) "$N/consolidator.log" |
			grep -q "event=release_prepared year=$1 " &&
			[ "$(cons_metric kuska_releases_waiting)" -le 1 ] &&
			return 0
		sleep 0.2
	done
	return 1
}

# refused_queries REASON: the consolidator's kuska_queries_refused_total
# of that reason, as kuska metrics prints it.
refused_queries() {
	"$KUSKA" metrics -c "$N/consolidator.conf" |
		awk -v r="reason=\"$1\"" \
			'$1 == "kuska_queries_refused_total{" r "}" { print $2 }'
}

# check_log_budget DESCRIPTION FILE PATTERN START: the lines of FILE
# matching PATTERN (grep's basic regular expression) are at most a burst
# and one a second from START (date +%s, taken as the flood began) to
# now. The window ends as FILE is read, not as the flood ends: a daemon
# lagging behind the flood writes its lines later, in seconds that must
# count too.
check_log_budget() {
	local lines secs
	lines=$(grep -c -e "$3" "$2")
	secs=$(($(date +%s) - $4 + 1))
	echo "# $lines lines of $(basename "$2") match '$3' in about $secs s"
	check "$1" test "$lines" -le $((LOG_BURST + secs))
}

# counts_held FILE PATTERN [AFTER]: a line of FILE (or of those after its
# first AFTER lines) matching PATTERN counts lines of its kind held back
# (unlogged=N, N > 0); waits for it up to 5 s. Also true when a line
# after AFTER matches and the last one of the first AFTER lines counted
# them: the flood's last line, written as the budget came back, said
# every one held back, and none was left to count (seen once in an ASan
# run of test_hello_flood; check_log_total then checks the sum).
counts_held() {
	local i
	for i in $(seq 50); do
		tail -n "+$((${3:-0} + 1))" "$1" 2>/dev/null |
			grep -q -e "$2.*unlogged=[1-9]" && return 0
		if [ "${3:-0}" -gt 0 ] &&
			tail -n "+$((${3} + 1))" "$1" | grep -q -e "$2" &&
			head -n "$3" "$1" | grep -e "$2" | tail -1 |
			grep -q "unlogged=[1-9]"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# check_next_counts DESCRIPTION FILE PATTERN COMMAND...: after a flood of
# lines of a kind (PATTERN), a second's quiet and then COMMAND, which
# causes one more: that line, written after COMMAND began, counts those
# held back. (Not "among the last lines": the daemon may log something
# else meanwhile, a release prepared, say.)
check_next_counts() {
	local what=$1 file=$2 pattern=$3 before
	shift 3
	sleep 1.1
	before=$(wc -l <"$file")
	"$@" >/dev/null 2>&1
	check "$what" counts_held "$file" "$pattern" "$before"
}

# queries_logged WHO: the requests of WHO the consolidator's log accounts
# for: each event=query line its own and the unlogged=N it counts, each
# event=query_unlogged line (the count held back, said once WHO paused)
# its unlogged=N.
queries_logged() {
	local f="$N/consolidator.log" lines held
	lines=$(grep -c "event=query who=$1 " "$f")
	held=$(grep -o "event=query\(_unlogged\)\? who=$1 .*unlogged=[0-9]*" "$f" |
		awk -F 'unlogged=' '{ n += $NF } END { print n + 0 }')
	echo $((lines + held))
}

# check_log_total DESCRIPTION FILE PATTERN LOW HIGH: the lines of FILE
# matching PATTERN, each standing for itself and the unlogged=N it
# counts, add up to between LOW and HIGH: every occurrence accounted for.
check_log_total() {
	local lines held
	lines=$(grep -c -e "$3" "$2")
	held=$(grep -o -e "$3.*unlogged=[0-9]*" "$2" |
		awk -F 'unlogged=' '{ n += $NF } END { print n + 0 }')
	echo "# $lines lines, $held held back: $((lines + held)) (from $4 to $5)"
	check "$1" test $((lines + held)) -ge "$4" -a $((lines + held)) -le "$5"
}
