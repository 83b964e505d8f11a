#!/usr/bin/env bash
# The key holder against a node key in hostile hands (kuska_thief sweep
# -x): a request of max_batch + 1 elements is refused too_large, and one
# of twice max_batch in one frame too, dropped unread; a reload raises
# max_batch and lowers it again; one with
# the identity element or with an encoding that is no group element is
# refused whole (bad_request, naming the element); 3,000 undecodable
# requests and 3,000 of a wrong epoch are each answered with the reason,
# memory stays flat, and the log gets a burst of request_refused lines
# and then at most one a second (unlogged=N in the next), not a line a
# request (docs/LIMITS.md); so too for 3,000 messages of two frames
# (dropped unread, each answered too_large with its request's id, read
# from the head kept). An institution's officers' key and the
# analyst's cannot connect at all. Good requests are served throughout.
# Last, 1,000 strangers (kuska_thief strangers: fresh keys, the key
# holder's public key known): every handshake refused and counted, the
# auth_refused lines held to a budget too, and the officers' key refused
# meanwhile still logged; and 1,000 connections with no CURVE at all,
# each a failed handshake, their lines within a budget too.
. "$(dirname "$0")/lib.sh"

THIEF="$KUSKA_BIN/kuska_thief"

net_init
echo "max_batch = 1000" >>"$N/keyholder.conf"
start_keyholder
EP="tcp://127.0.0.1:$((PORT + 2))"
before=$(rss_kib "${PIDS[keyholder]}")
t0=$(date +%s)

kh_sweep pnp -n 1001 -b 1001 >"$T/large.out"
check "max_batch + 1 elements: too_large" grep -q \
	"refused: too_large: more than 1000 elements in one request" \
	"$T/large.out"
# Twice max_batch in one frame, over what the key holder reads of a
# request: dropped unread, still answered too_large with its request id,
# not cut off by the transport (its frame ceiling is the most any
# max_batch allows).
kh_sweep pnp -n 2000 -b 2000 >"$T/larger.out"
check "2 x max_batch in one frame: answered too_large" grep -q \
	"refused: too_large: more than 1000 elements in one request" \
	"$T/larger.out"
# max_batch is reloaded both ways.
sed -i 's/^max_batch = 1000$/max_batch = 2000/' "$N/keyholder.conf"
check "a raised max_batch: reloaded" hup_wait "$N/keyholder.log" \
	"event=reload " "${PIDS[keyholder]}"
kh_sweep pnp -n 1001 -b 1001 >"$T/raised.out"
check "... in force: 1001 elements evaluated" \
	grep -qx "evaluated 1001 of 1001" "$T/raised.out"
sed -i 's/^max_batch = 2000$/max_batch = 1000/' "$N/keyholder.conf"
check "... and lowered again" hup_wait "$N/keyholder.log" \
	"event=reload " "${PIDS[keyholder]}"
kh_sweep pnp -n 10 -b 10 -x identity >"$T/identity.out"
check "the identity element: refused whole" grep -q \
	"evaluated 0 of 10; refused: bad_request: element 0 is not a valid group element" \
	"$T/identity.out"
kh_sweep pnp -n 10 -b 10 -x invalid >"$T/invalid.out"
check "no group element: refused whole" grep -q \
	"evaluated 0 of 10; refused: bad_request: element 0 is not a valid group element" \
	"$T/invalid.out"
kh_sweep pnp -n 3000 -b 1 -x garbage -c >"$T/garbage.out"
check "3000 undecodable requests, each refused" \
	grep -qx "refused bad_request 3000" "$T/garbage.out"
"$THIEF" sweep -k "$N/keys/pnp.key" -p "$N/keys/keyholder.pub" -e "$EP" \
	-E 7 -n 3000 -b 1 -c >"$T/epoch.out" 2>&1
check "3000 requests of another epoch, each refused" \
	grep -qx "refused wrong_epoch 3000" "$T/epoch.out"
kh_sweep pnp -n 3000 -b 1 -x multiframe -c >"$T/multi.out"
check "3000 messages of two frames, each answered too_large" \
	grep -qx "refused too_large 3000" "$T/multi.out"
# Both at once: each waits out its 3 s time-out.
kh_sweep pnp-stats -n 1 -b 1 -t 3000 >"$T/pnp-stats.out" &
kh_sweep analyst -n 1 -b 1 -t 3000 >"$T/analyst.out"
wait $!
for k in pnp-stats analyst; do
	check "$k's key cannot connect" grep -q "exit 1" "$T/$k.out"
	check "... refused at the handshake as no node" grep -q \
		"event=auth_refused .*owner=$k reason=not_a_node" "$N/keyholder.log"
done
kh_sweep pnp -n 10 -b 10 >"$T/ok.out"
check "a good request is served after all that" \
	grep -qx "evaluated 10 of 10" "$T/ok.out"
secs=$(($(date +%s) - t0 + 1))
after=$(rss_kib "${PIDS[keyholder]}")
echo "# RSS ${before} KiB before, ${after} KiB after, in about $secs s"
check_rss_growth "memory grew by less than 4 MiB" "$before" "$after" 4096
echo "# 9,004 refusals:"
check_log_budget "a burst of 10 lines, then at most one a second" \
	"$N/keyholder.log" "event=request_refused node=pnp" "$t0"
check "... the next line counts those held back" counts_held \
	"$N/keyholder.log" "event=request_refused node=pnp "
"$KUSKA" status -c "$N/keyholder.conf" >"$T/status.out" 2>&1
check "kuska status counts every refused request" \
	grep -q "requests refused: 9004" "$T/status.out"
"$KUSKA" metrics -c "$N/keyholder.conf" >"$T/metrics.out" 2>&1
check "the metrics count no message left unanswered" \
	grep -qx "kuska_keyholder_frames_refused_total 0" "$T/metrics.out"

STRANGERS=1000
failures() {
	"$KUSKA" metrics -c "$N/keyholder.conf" |
		awk '$1 == "kuska_keyholder_handshake_failures_total" { print $2 }'
}
officers() {
	grep -c "event=auth_refused .*owner=pnp-stats reason=not_a_node" \
		"$N/keyholder.log"
}
before=$(failures)
known=$(officers)
t0=$(date +%s)
"$THIEF" strangers -p "$N/keys/keyholder.pub" -e "$EP" -n $STRANGERS \
	>"$T/strangers.out" 2>&1 &
thief=$!
sleep 0.5
kh_sweep pnp-stats -n 1 -b 1 -t 1000 >/dev/null
wait $thief
check "every stranger's handshake refused" \
	grep -qx "refused $STRANGERS" "$T/strangers.out"
secs=$(($(date +%s) - t0 + 1))
after=$(failures)
echo "# $STRANGERS strangers in about $secs s; handshake failures $before, then $after"
check "... each counted, and the officers' key's" \
	test "$((after - before))" -eq $((STRANGERS + 1))
STRANGER="event=auth_refused .*key=none reason=not_registered_or_not_valid"
check_log_budget "auth_refused: a burst, then at most one a second" \
	"$N/keyholder.log" "$STRANGER" "$t0"
check "... the officers' key refused meanwhile still logged" \
	test "$(officers)" -gt "$known"
check_next_counts "a stranger a second later is logged, counting those held back" \
	"$N/keyholder.log" "$STRANGER" \
	"$THIEF" strangers -p "$N/keys/keyholder.pub" -e "$EP" -n 1
check_log_total "... so that they add up to every stranger" \
	"$N/keyholder.log" "$STRANGER" $((STRANGERS + 1)) $((STRANGERS + 1))
t0=$(date +%s)
"$THIEF" strangers -N -p "$N/keys/keyholder.pub" -e "$EP" -n $STRANGERS \
	>"$T/nulls.out" 2>&1
check "$STRANGERS handshakes with no CURVE, each failed" \
	grep -qx "failed $STRANGERS" "$T/nulls.out"
check_log_budget "handshake_failed: a burst, then at most one a second" \
	"$N/keyholder.log" "event=handshake_failed" "$t0"
check "the key holder is still running" kill -0 "${PIDS[keyholder]}"
finish
