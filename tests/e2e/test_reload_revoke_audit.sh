#!/usr/bin/env bash
# A key revoked by a reload (the registry edited, SIGHUP) is refused at
# once, even while the query thread answers a question, as through a
# question's audit (seconds, more on a big store). The query thread held
# conf_lock for reading through it, and the reload waited for the lock:
# the old registry stayed in force meanwhile, and a stolen node key
# revoked went on delivering batches over its open connection, and could
# open new ones, until the question was answered.
#
# Here the query thread is held as it begins the store's read transaction
# of an analyst's question (tests/tools/shim/slowread.c, KUSKA_SLOW_TXN):
# pnp's node key is revoked then. The reload is in force while the
# question is still held: pnp's connection is dropped, its node refused
# when it dials again, and nothing it sends is taken; the question is
# answered once the thread goes on.
. "$(dirname "$0")/lib.sh"

LIB="$KUSKA_BIN/libkuska_slowread.so"
[ -r "$LIB" ] || skip "no $LIB"
net_init
SLOW="$T/slow"
KUSKA_SLOW_FILE="$SLOW" KUSKA_SLOW_THREAD=kuska-query KUSKA_SLOW_TXN=1 \
	LD_PRELOAD="$LIB" start_cons
NODE_OPTS=-d start_node pnp # -d: its hellos, to know it is connected
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "the consolidator answers" test $? = 0
check "pnp's node is connected" \
	wait_log "$N/consolidator.log" "event=hello institution=pnp" 30
before=$(cons_last_seq pnp)
check "pnp has delivered nothing yet ($before)" test "$before" = 0

touch "$SLOW"
# kuska query gives up after 15 s: the asker waits up to 120 s.
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
printf 'deliveries\t2026\n' |
	"$KUSKA_BIN/kuska_asker" -k "$N/keys/analyst.key" \
		-s "$N/keys/consolidator.pub" -e "$QEP" -t 120000 \
		>"$T/held.out" 2>&1 &
held=$!
check "the query thread is held in the question's answer" \
	wait_for_file "$SLOW.hit" 30

awk -v at="$(date -u -d '2 sec ago' +%Y-%m-%dT%H:%M:%SZ)" '
	{ print }
	$0 == "[key pnp-1]" { print "revoked = " at }' "$N/registry.conf" \
	>"$T/reg.new"
mv "$T/reg.new" "$N/registry.conf"
lines=$(wc -l <"$N/consolidator.log")
kill -HUP "${PIDS[cons]}"
check "the reload revoking pnp-1 is in force while the question is held" \
	wait_log_after "$N/consolidator.log" "$lines" "event=reload parties=" 30
check "... and it dropped pnp's connection" \
	grep -q "event=peer_dropped .*key=pnp-1 .*reason=key_not_valid" \
	"$N/consolidator.log"

"$KUSKA" sim --out "$T/sim" --victims 30 --seed 61 >/dev/null
check "pnp's node takes a submission" submit_sim pnp
check "pnp's node is refused when it dials again" \
	wait_log "$N/pnp.log" "event=handshake_refused" 30
check "... its revoked key named" \
	grep -q "event=auth_refused .*key=pnp-1 reason=not_registered_or_not_valid" \
	"$N/consolidator.log"
check "the question is still held meanwhile" \
	kill -0 "$held"
# The node's batches, were they let in, are taken in well under a second.
sleep 1
check "nothing of pnp's was taken" test "$(cons_last_seq pnp)" = "$before"

rm -f "$SLOW"
wait "$held"
check "the question is answered once the query thread goes on" test $? = 0
check "... its table whole" grep -q "^answer rows=5 role=analyst$" "$T/held.out"
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "queries are answered after the reload" test $? = 0
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
check_no_assertion
finish
