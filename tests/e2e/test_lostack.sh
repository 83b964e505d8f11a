#!/usr/bin/env bash
# End to end: the Ack that carries a batch's refusals is lost, and the node
# still learns them. The consolidator refuses five events one by one (a
# kind the registry no longer grants pnp, which the node could not know:
# its grants are from the Welcome before the reload); the Ack goes to a
# node stopped and then killed -9, so it never reaches its outbox. The
# node started again is welcomed with a last sequence that covers them:
# it must ask for their refusals and show them as dead letters with their
# reason, counting what the consolidator counts, nothing stored twice, and
# a second Welcome must not double them.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 200 --seed 41 >/dev/null
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n 1,20p >"$T/a.jsonl"
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n 21,25p >"$T/c.jsonl"
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "first records delivered" wait_delivered 30
base=$(cons_last_seq pnp)

# The registry stops granting identification to pnp; the node still
# believes it may (its grants come with the next Welcome).
sed -i '/^\[institution pnp\]/,/^\[/ s/^kinds = identification /kinds = /' \
	"$N/registry.conf"
kill -HUP "${PIDS[cons]}"
wait_log "$N/consolidator.log" "event=reload" 5
sleep 0.3
kill -STOP "${PIDS[cons]}"
"$KUSKA" submit -c "$N/pnp.conf" "$T/c.jsonl" >"$T/submit-c.out" 2>&1
check "the node accepts the five records" \
	test "$(node_last_seq pnp)" = $((base + 5))
sleep 1 # the batch goes out to the stopped consolidator
kill -STOP "${PIDS[pnp]}"
kill -CONT "${PIDS[cons]}"
cons_refused() { # N: the consolidator counts N of pnp's refused
	local i
	for i in $(seq 50); do
		"$KUSKA" status -c "$N/consolidator.conf" 2>/dev/null |
			grep -q "^refused from pnp: kind_not_allowed=$1\$" &&
			return 0
		sleep 0.2
	done
	return 1
}
check "the consolidator refuses the five one by one" cons_refused 5
check "... and holds their sequences" \
	test "$(cons_last_seq pnp)" = $((base + 5))
# Its Ack waits in the stopped node's socket: killed, the node loses it.
stop_node pnp KILL
start_node pnp

dead_letters() { # N: the node shows N dead letters
	local i
	for i in $(seq 50); do
		"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" 2>/dev/null
		grep -q "refused (dead letters): $1\$" "$T/status.out" &&
			return 0
		sleep 0.2
	done
	return 1
}
check "the node shows the five refused as dead letters" dead_letters 5
check "... each with its reason" \
	test "$(grep -c ': kind_not_allowed: ' "$T/status.out")" = 5
check "... and acknowledged up to the consolidator's last" \
	test "$(node_acked pnp)" = $((base + 5))
check "the node asked for them, saying so in its log" \
	grep -q "event=refusals_asked" "$N/pnp.log"
check "nothing stored twice at the consolidator" \
	sh -c "'$KUSKA' status -c '$N/consolidator.conf' |
		grep -Eq '^pnp +$((base + 5)) +$base +5 '"

# Another Welcome (a restart): the dead letters are not doubled.
welcomes() { grep -c "event=welcome" "$N/pnp.log"; }
w=$(welcomes)
stop_node pnp TERM
start_node pnp
for i in $(seq 50); do [ "$(welcomes)" -gt "$w" ] && break; sleep 0.2; done
check "the node is welcomed again" test "$(welcomes)" -gt "$w"
sleep 1
check "a second Welcome leaves five dead letters" dead_letters 5
check "the consolidator still counts five" cons_refused 5

finish
