#!/usr/bin/env bash
# kuska status of a node whose key holder it cannot reach (nothing
# listens on the key holder's port): a warning naming the key holder,
# exit 1, before any submission failed; after one failed, the evaluations
# asked in it are counted apart from those of submissions stored; the
# key holder started, the warning goes once the node reached it. A
# node's config still naming the example's placeholder host is refused
# by kuska-node -n, naming its line.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
NO_KEYHOLDER=1 start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 30 --seed 5 >/dev/null
KH="tcp://127.0.0.1:$((PORT + 2))"
# Not reached for a while (the status gives a node a few seconds to
# connect before it warns).
for _ in $(seq 60); do
	"$KUSKA" status -c "$N/pnp.conf" >"$T/status1.out" 2>&1
	rc=$?
	grep -q "WARNING: key holder $KH not reached" "$T/status1.out" && break
	sleep 0.5
done
sed 's/^/#   /' "$T/status1.out"
check "no submission yet: status warns that the key holder is not reached" \
	grep -q "WARNING: key holder $KH not reached (wrong host or port, or not running?), for [0-9]* s: every submission fails until it is reached" "$T/status1.out"
check "... exit 1, needs attention ($rc)" test "$rc" = 1

"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/submit.out" 2>&1
rc=$?
check "the submission fails (exit $rc)" test "$rc" != 0
"$KUSKA" status -c "$N/pnp.conf" >"$T/status2.out" 2>&1
sed 's/^/#   /' "$T/status2.out"
check "... status counts its evaluations as failed, none stored" \
	grep -Eq "key holders: +([1-9][0-9]*) evaluations asked since start \(\1 in submissions that failed, 0 in ones stored\)" "$T/status2.out"

start_keyholder
for _ in $(seq 60); do
	"$KUSKA" status -c "$N/pnp.conf" >"$T/status3.out" 2>&1
	grep -q "not reached" "$T/status3.out" || break
	sleep 0.5
done
check "the key holder started: the warning is gone" \
	sh -c "! grep -q 'key holder $KH not' '$T/status3.out'"

# The example's placeholder host left in a node's config: kuska-node -n
# refuses it, naming the file's line and the key (before, "configuration
# OK" with a warning, and a node that never reached its key holder).
sed 's|^keyholder = tcp://127.0.0.1:|keyholder = tcp://KEYHOLDER_HOST:|' \
	"$N/pnp.conf" >"$N/pnp-placeholder.conf"
line=$(grep -n '^keyholder = tcp://KEYHOLDER_HOST:' "$N/pnp-placeholder.conf" | cut -d: -f1)
"$NODE" -n -c "$N/pnp-placeholder.conf" >/dev/null 2>"$T/n.err"
rc=$?
sed 's/^/#   /' "$T/n.err"
check "kuska-node -n with the placeholder KEYHOLDER_HOST: exit 78 ($rc)" test "$rc" = 78
check "... naming file, line ($line) and key" \
	grep -q "$N/pnp-placeholder.conf:$line: \[node\] keyholder: tcp://KEYHOLDER_HOST:[0-9]* is the example's placeholder" "$T/n.err"

stop_node pnp TERM
stop_cons TERM
stop_keyholder TERM
finish
