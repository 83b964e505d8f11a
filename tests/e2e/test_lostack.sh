#!/usr/bin/env bash
# End to end: the Acks that carry batches' refusals are lost, and the node
# still learns them. The consolidator refuses R events (a kind the
# registry no longer grants pnp, which the node could not know: its grants
# are from the Welcome before the reload); the Acks go to a node stopped
# and then killed -9, so they never reach its outbox. The node started
# again is welcomed with a last sequence that covers them: it must ask for
# their refusals and show them as dead letters with their reason, counting
# what the consolidator counts, nothing stored twice, each logged once,
# and a second Welcome must not double them. R is over the 1024 sequences
# of one answer: the node asks piece after piece.
. "$(dirname "$0")/lib.sh"

R=1100
net_init
"$KUSKA" sim --out "$T/sim" --victims 2000 --seed 41 >/dev/null
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n 1,20p >"$T/a.jsonl"
grep '"kind":"identification"' "$T/sim/pnp.jsonl" |
	sed -n "21,$((20 + R))p" >"$T/c.jsonl"
check "the simulation gives $R more records" \
	test "$(wc -l <"$T/c.jsonl")" = $R
start_cons
NODE_OPTS=-d start_node pnp # -d: its batch_sent lines
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "first records delivered" wait_delivered 30
base=$(cons_last_seq pnp)

# The registry stops granting identification to pnp; the node still
# believes it may (its grants come with the next Welcome).
sed -i '/^\[institution pnp\]/,/^\[/ s/^kinds = identification /kinds = /' \
	"$N/registry.conf"
kill -HUP "${PIDS[cons]}"
wait_log "$N/consolidator.log" "event=reload" 30
sleep 0.3
kill -STOP "${PIDS[cons]}"
"$KUSKA" submit -c "$N/pnp.conf" "$T/c.jsonl" >"$T/submit-c.out" 2>&1
check "the node accepts the $R records" \
	test "$(node_last_seq pnp)" = $((base + R))
# The batches go out to the stopped consolidator: wait until the last is
# sent (a fixed sleep may stop the node before, and then nothing is refused).
check "the node sends the $R to the stopped consolidator" \
	wait_log "$N/pnp.log" "event=batch_sent .* last=$((base + R))\$" 30
kill -STOP "${PIDS[pnp]}"
kill -CONT "${PIDS[cons]}"
cons_refused() { # N: the consolidator counts N of pnp's refused, 30 s at most
	local i
	for i in $(seq 150); do
		"$KUSKA" status -c "$N/consolidator.conf" 2>/dev/null |
			grep -q "^refused from pnp: kind_not_allowed=$1\$" &&
			return 0
		sleep 0.2
	done
	return 1
}
check "the consolidator refuses the $R" cons_refused $R
check "... and holds their sequences" \
	test "$(cons_last_seq pnp)" = $((base + R))
# Its Ack waits in the stopped node's socket: killed, the node loses it.
stop_node pnp KILL
start_node pnp

check "the node shows the $R refused as dead letters" wait_dead_letters pnp $R
check "... each with its reason" \
	sh -c "grep '^    seq ' '$T/status.out' | grep -vq ': kind_not_allowed: '; test \$? = 1"
check "... and acknowledged up to the consolidator's last" \
	test "$(node_acked pnp)" = $((base + R))
check "the node asked for them in pieces, saying so in its log" \
	test "$(grep -c "event=refusals_asked" "$N/pnp.log")" -ge 2
lost() { # the refusals logged as learnt by asking: all, distinct
	grep "event=refused .* ack=lost" "$N/pnp.log" | grep -o ' seq=[0-9]*' |
		sort | uniq | wc -l
}
check "... each logged once" \
	test "$(grep -c "event=refused .* ack=lost" "$N/pnp.log")" = $R -a "$(lost)" = $R
check "nothing stored twice at the consolidator" \
	sh -c "'$KUSKA' status -c '$N/consolidator.conf' |
		grep -Eq '^pnp +$((base + R)) +$base +$R '"

# Another Welcome (a restart): the dead letters are not doubled.
welcomes() { grep -c "event=welcome" "$N/pnp.log"; }
w=$(welcomes)
stop_node pnp TERM
start_node pnp
for i in $(seq 50); do [ "$(welcomes)" -gt "$w" ] && break; sleep 0.2; done
check "the node is welcomed again" test "$(welcomes)" -gt "$w"
sleep 1
check "a second Welcome leaves $R dead letters" wait_dead_letters pnp $R
check "the consolidator still counts $R" cons_refused $R
check "... and logs none of them again" \
	test "$(grep -c "event=refused .* ack=lost" "$N/pnp.log")" = $R

# The new lines are kuska's events, KEY=VALUE throughout (log_check.py).
grep -rhoE 'event=[a-z_]+' "$KUSKA_SRC/daemon" "$KUSKA_SRC/lib" |
	sed 's/^event=//' | sort -u >"$T/events"
check "the logs hold only kuska's own events, KEY=VALUE" \
	python3 "$(dirname "$0")/log_check.py" "$T/events" \
	"$N/consolidator.log" "$N/pnp.log"

finish
