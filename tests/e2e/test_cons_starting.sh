#!/usr/bin/env bash
# End to end: a consolidator starting on a store whose statistics must be
# rebuilt (an older layout: test_upgrade.sh makes one alike), on one
# thread, so that the rebuild takes a second or more.
#
# During that rebuild, before the signal handlers of a started daemon:
#  - SIGXFSZ and SIGPIPE are ignored already (a write past LimitFSIZE=
#    fails with EFBIG, an error said, not a kill), as they were only
#    from service_init, after the rebuild;
#  - kuska status says "starting" and what it does (the rebuild, and how
#    far), exit 3, where it said "not running", exit 2 like a
#    consolidator down; kuska metrics alike, on stderr;
# and once started, status answers as ever; once stopped, "not running".
# During the store's checks before (their child kept waiting on the lock
# of the LMDB file), status says "starting: checking the store", exit 3,
# where it said "not running" (the control socket was bound after them),
# and under systemd it asks for more time to start (EXTEND_TIMEOUT_USEC),
# where a check past TimeoutStartSec= (90 s) was killed and begun again,
# and again as it reads the statistics after (seconds on a big store).
# And the client, past a file size limit (ulimit -f), says it could not
# write, where SIGXFSZ killed it.
. "$(dirname "$0")/lib.sh"

command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null ||
	skip "no mdb_dump/mdb_load (lmdb-utils)"

(
	ulimit -f 8
	"$KUSKA" sim --out "$T/small" --victims 2000 >"$T/small.out" 2>&1
)
rc=$?
check "kuska sim past ulimit -f: exit 1, saying so, not killed (exit $rc)" \
	sh -c "test $rc = 1 && grep -q 'write error' '$T/small.out'"

net_init
# Some 24,000 events: on one thread a rebuild of a second or more.
"$KUSKA" sim --out "$T/sim" --victims "${STARTING_VICTIMS:-4000}" \
	--seed 55 >/dev/null
start_all
submit_all "$T/sim"
check "every institution's file accepted" submitted_ok $INSTS
check "delivered" wait_delivered 120
for i in $INSTS; do stop_node "$i" TERM; done
stop_keyholder TERM
stop_cons TERM

# The store of an older layout: every table but the statistics' layout
# marker, the key "stats_format" of the first table (T_META), in hex.
marker=" $(printf stats_format | od -An -tx1 | tr -d ' \n')"
mdb_dump -a "$N/data/consolidator" |
	awk -v m="$marker" '/^database=/ { db = $0 }
		db == "database=t00" && $0 == m { drop = 2 }
		drop > 0 { drop--; next } { print }' >"$T/store.old"
mkdir "$T/old-store"
mdb_load -f "$T/store.old" "$T/old-store" 2>"$T/load.err"
rm -rf "${T:?}/net/data/consolidator"
mv "$T/old-store" "$N/data/consolidator"
# One thread: the rebuild verifies every envelope on it.
sed -i '/^#*workers = /d' "$N/consolidator.conf"
echo "workers = 1" >>"$N/consolidator.conf"

: >"$N/consolidator.log"
"$CONS" -c "$N/consolidator.conf" 2>>"$N/consolidator.log" &
PIDS[cons]=$!
# Until the rebuild is under way, then what the process ignores.
for i in $(seq 100); do
	grep -q 'event=stats_format_old action=rebuild' "$N/consolidator.log" &&
		break
	sleep 0.05
done
ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/${PIDS[cons]}/status")
t_ign=$(date +%s%N)
check "the rebuild is under way" \
	grep -q 'event=stats_format_old action=rebuild' "$N/consolidator.log"
# SIGPIPE is 13, SIGXFSZ 25: bits 12 and 24 of the mask.
check "during it SIGPIPE and SIGXFSZ are ignored already (SigIgn $ign)" \
	test $((0x${ign:-0} & 0x1001000)) = $((0x1001000))

# Every thread but the main one blocks the signals (SIGTERM, 15: bit 14),
# so that they go to the main thread, as ever once started: the thread
# that answers "starting" too (it blocked none: review56o).
unblocked=""
for st in /proc/"${PIDS[cons]}"/task/*/status; do
	tid=$(basename "$(dirname "$st")")
	[ "$tid" = "${PIDS[cons]}" ] && continue
	blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$st" 2>/dev/null)
	[ -n "$blk" ] && [ $((0x$blk & 0x4000)) = 0 ] &&
		unblocked="$unblocked $tid"
done
check "... its other threads block SIGTERM (not:${unblocked:- none})" \
	test -z "$unblocked"

# kuska status and metrics during the rebuild: "starting", exit 3.
"$KUSKA" status -c "$N/consolidator.conf" >"$T/st.out" 2>&1
st_rc=$?
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/mt.out" 2>"$T/mt.err"
mt_rc=$?
# A request over the control socket's limits.
"$KUSKA_BIN/kuska_oversubmit" -e "ipc://$N/run/consolidator.sock" status \
	>"$T/over.out" 2>&1
t_st=$(date +%s%N)
check "... all three answered while it was still under way ($(((t_st - t_ign) / 1000000)) ms after the look)" \
	sh -c "! grep -q event=stats_rebuilt '$N/consolidator.log'"
sed 's/^/# /' "$T/st.out"
check "status while starting: exit 3, not 2 (exit $st_rc)" test $st_rc = 3
check "... saying it is starting and what it does" \
	grep -Eq '^STARTING: the consolidator is starting: rebuilding the statistics: [0-9]+ events so far \(started [0-9]+ s ago\); it answers once started$' "$T/st.out"
check "metrics while starting: exit 3, nothing on stdout, the same words (exit $mt_rc)" \
	sh -c "test $mt_rc = 3 && ! test -s '$T/mt.out' &&
		grep -q '^kuska metrics: the consolidator is starting: rebuilding the statistics' '$T/mt.err'"

check "the daemon started after the rebuild" \
	wait_log "$N/consolidator.log" 'event=start ' 120
check "... and serves" wait_serving "$N/consolidator.conf" "${PIDS[cons]}"
grep -o 'event=stats_rebuilt [^ ]* [^ ]*' "$N/consolidator.log" | sed 's/^/# /'
# event=start is logged before the query thread starts and the control
# socket is handed to the main loop: a status between says "starting".
check "... and serves" wait_serving "$N/consolidator.conf" "${PIDS[cons]}"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/st2.out" 2>&1
st_rc=$?
check "status once started: its table, exit 0 or 1 (exit $st_rc)" \
	sh -c "test $st_rc -le 1 && grep -q '^institution ' '$T/st2.out'"
# Read within the control socket's limits, it is answered as every request
# while starting: CTL_STARTING (10), no more read of it than the limits.
check "the request over the limits answered 'starting' while starting" \
	grep -qx "answer 10" "$T/over.out"
check "... and counted as refused (it was lost with the starting thread)" \
	grep -q "control requests refused: 1$" "$T/st2.out"
check "... and logged, as once started (start56 logged nothing of it)" \
	grep -q 'event=control_refused reason=too_large text="request over the size limit while starting"$' \
	"$N/consolidator.log"
stop_cons TERM
"$KUSKA" status -c "$N/consolidator.conf" >"$T/st3.out" 2>&1
st_rc=$?
check "status once stopped: not running, exit 2 (exit $st_rc)" \
	sh -c "test $st_rc = 2 && grep -q 'the consolidator is not running' '$T/st3.out'"

# The store's checks, before its open: a child of the consolidator reads
# every entry, seconds on a big store. Here it waits, as long as the test
# wants, for a lock of the LMDB file held by this script meanwhile.
check "the lock of the store held" hold_lmdb_lock "$N/data/consolidator"
lines=$(wc -l <"$N/consolidator.log")
# What the consolidator tells systemd.
notify_listen "$T/notify.sock" "$T/notify.log"
rm -f "$N/run/consolidator.sock"
NOTIFY_SOCKET="$T/notify.sock" "$CONS" -c "$N/consolidator.conf" \
	2>>"$N/consolidator.log" &
PIDS[cons]=$!
check "the control socket bound during the checks" \
	wait_for_file "$N/run/consolidator.sock" 60 "${PIDS[cons]}"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/st4.out" 2>&1
st_rc=$?
sed 's/^/# /' "$T/st4.out"
check "... still checking: the check's child is there" \
	grep -q . "/proc/${PIDS[cons]}/task/${PIDS[cons]}/children"
check "status during the store's checks: exit 3, not 2 (exit $st_rc)" test $st_rc = 3
check "... saying it checks the store" \
	grep -Eq '^STARTING: the consolidator is starting: checking the store \(started [0-9]+ s ago\); it answers once started$' "$T/st4.out"
check "... systemd asked for a minute more to start, saying why" \
	wait_log "$T/notify.log" '^EXTEND_TIMEOUT_USEC=60000000 STATUS=checking the store$' 30
release_lmdb_lock
check "once the lock is let go, the daemon started" \
	wait_log_after "$N/consolidator.log" "$lines" 'event=start ' 120
# Its log line comes just before it serves.
check "... and serves" wait_serving "$N/consolidator.conf" "${PIDS[cons]}"
check "... and told systemd it is ready" wait_log "$T/notify.log" '^READY=1 ' 30
# The statistics' read after the check takes seconds on a big store (a
# million events: 2-4 s): asked for more time as it began, where the
# extensions stopped with the check, leaving it what was left of the
# last minute.
check "... having asked systemd for a minute more to read the statistics, before it was ready" \
	sh -c "grep -e '^EXTEND_TIMEOUT_USEC=60000000 STATUS=reading the statistics\$' -e '^READY=1 ' '$T/notify.log' | head -n 1 | grep -q EXTEND"
sed 's/^/# notify: /' "$T/notify.log"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/st5.out" 2>&1
st_rc=$?
check "status once started: its table, exit 0 or 1 (exit $st_rc)" \
	sh -c "test $st_rc -le 1 && grep -q '^institution ' '$T/st5.out'"
stop_cons TERM

finish
