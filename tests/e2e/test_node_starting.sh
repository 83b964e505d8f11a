#!/usr/bin/env bash
# End to end: a node starting. It checks its whole outbox in a child
# before it works from it (about a second per GiB from the page cache,
# the disk's speed otherwise: a node keeps every event for good), then
# opens it. Meanwhile its submit socket answers "starting", where nothing
# answered (kuska status said "not running", exit 2, as for a node down):
#  - kuska status says what it does, exit 3; kuska metrics alike;
#  - kuska submit is refused, told to submit again once it has started,
#    once: it stops at the first file (a node starting refuses every
#    one), names the others as not sent, exit 3 as kuska status;
#  - under systemd it asks for more time to start (EXTEND_TIMEOUT_USEC)
#    at once and every 20 s, where a check past TimeoutStartSec= (90 s)
#    was killed and begun again for ever, and again as it opens the
#    outbox (which may read it all too), and says it is ready only
#    once started (a socket where NOTIFY_SOCKET points stands in);
# and once started it serves as ever. The check is kept waiting on a
# lock of the outbox's LMDB file held by the test (hold_lmdb_lock).
. "$(dirname "$0")/lib.sh"

net_init
start_node pnp
stop_node pnp TERM
"$KUSKA" sim --out "$T/sim" --victims 5 --seed 56 >/dev/null

check "the lock of the outbox held" hold_lmdb_lock "$N/data/pnp"
# What the node tells systemd.
notify_listen "$T/notify.sock" "$T/notify.log"
rm -f "$N/run/pnp.sock"
# Begun 1.5 s before it runs kuska-node, as systemd's setup of a unit
# comes before (the process is the same): "started N s ago" counts from
# the process's start, where it counted from the bind, after the keys
# read and the check's child forked (node57).
(
	sleep 1.5
	NOTIFY_SOCKET="$T/notify.sock" exec "$NODE" -c "$N/pnp.conf"
) 2>>"$N/pnp.log" &
PIDS[pnp]=$!
check "the submit socket bound during the outbox's check" \
	wait_for_file "$N/run/pnp.sock" 60 "${PIDS[pnp]}"
"$KUSKA" status -c "$N/pnp.conf" >"$T/st.out" 2>&1
st_rc=$?
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/mt.out" 2>"$T/mt.err"
mt_rc=$?
head -n 2 "$T/sim/pnp.jsonl" >"$T/pnp-2.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" "$T/pnp-2.jsonl" \
	>"$T/sub.out" 2>&1
sub_rc=$?
# A request over the submit socket's limits (80 MiB), read and wiped.
"$KUSKA_BIN/kuska_oversubmit" -e "ipc://$N/run/pnp.sock" bytes \
	>"$T/over.out" 2>&1
sed 's/^/# /' "$T/st.out" "$T/sub.out"
check "... still checking: the check's child is there" \
	grep -q . "/proc/${PIDS[pnp]}/task/${PIDS[pnp]}/children"
check "status while starting: exit 3, not 2 (exit $st_rc)" test $st_rc = 3
check "... systemd asked for a minute more to start, saying why" \
	wait_log "$T/notify.log" '^EXTEND_TIMEOUT_USEC=60000000 STATUS=checking the outbox$' 30
check "... and not told it is ready" sh -c "! grep -q READY '$T/notify.log'"
check "... saying it checks the outbox" \
	grep -Eq '^STARTING: the node is starting: checking the outbox \(started [0-9]+ s ago\); it answers once started$' "$T/st.out"
check "... the seconds counted from the process's start, not the bind's" \
	grep -Eq '\(started [1-9][0-9]* s ago\)' "$T/st.out"
check "metrics while starting: exit 3, nothing on stdout, the same words (exit $mt_rc)" \
	sh -c "test $mt_rc = 3 && ! test -s '$T/mt.out' &&
		grep -q '^kuska metrics: the node is starting: checking the outbox' '$T/mt.err'"
check "submit while starting: refused, nothing stored, told to submit again, exit 3 as status (exit $sub_rc)" \
	sh -c "test $sub_rc = 3 &&
		grep -Eq 'pnp.jsonl: the node refused the lines from 1 on: the node is starting: checking the outbox \(started [0-9]+ s ago\); submit the file again once it has started \(see kuska status\)$' '$T/sub.out'"
check "... said once, for the first file alone (each was refused so)" \
	test "$(grep -c 'the node is starting' "$T/sub.out")" = 1
check "... the second file named as not sent" \
	grep -qx "kuska submit: $T/pnp-2.jsonl: not sent: the command stopped before it; submit it too" "$T/sub.out"
check "a request over the limits answered 'starting' (CTL_STARTING, 10)" \
	grep -qx "answer 10" "$T/over.out"
check "... and logged, as once started (start56 logged nothing of it)" \
	grep -q 'event=submit_dropped reason=too_large$' "$N/pnp.log"

release_lmdb_lock
check "once the lock is let go, the node serves" \
	wait_serving "$N/pnp.conf" "${PIDS[pnp]}"
check "... and logged its start" wait_log "$N/pnp.log" 'event=start ' 30
check "... and told systemd it is ready" wait_log "$T/notify.log" '^READY=1 ' 30
# The open after the check may read the whole outbox too (one an earlier
# kuska wrote: its index built): asked for more time as it began, where
# the extensions stopped with the check (review56w).
check "... having asked systemd for a minute more to open the outbox, before it was ready" \
	sh -c "grep -e '^EXTEND_TIMEOUT_USEC=60000000 STATUS=opening the outbox\$' -e '^READY=1 ' '$T/notify.log' | head -n 1 | grep -q EXTEND"
sed 's/^/# notify: /' "$T/notify.log"
"$KUSKA" status -c "$N/pnp.conf" >"$T/st2.out" 2>&1
st_rc=$?
check "status once started: exit 0 or 1, not starting (exit $st_rc)" \
	sh -c "test $st_rc -le 1 && ! grep -q STARTING '$T/st2.out'"
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/submit-pnp.out" 2>&1
check "the same file submitted once it has started: accepted" submitted_ok pnp
stop_node pnp TERM
"$KUSKA" status -c "$N/pnp.conf" >"$T/st3.out" 2>&1
st_rc=$?
check "status once stopped: not running, exit 2 (exit $st_rc)" test $st_rc = 2

finish
