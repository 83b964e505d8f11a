#!/usr/bin/env bash
# End to end: a node's keep-alive hello and the batches sent behind it.
# A welcomed node quiet for its keep-alive time says hello again; the
# batches it sends before the Welcome comes back stay in flight: the
# Welcome (the consolidator's last sequence when it read the hello, before
# those batches) acknowledges as an Ack would and nothing is sent twice.
# The consolidator is stopped (SIGSTOP) so that its answer comes only after
# the hello and the batches are all on their way, then continued.
. "$(dirname "$0")/lib.sh"

net_init
# Keep-alive after 1 s (alarm_silent_s / 3, at least 1 s), one event a
# batch so that several are in flight, and an Ack timeout far beyond the
# pause. The pause must stay under ZeroMQ's heartbeat timeout (6 s after
# the last ping read, pings every 2 s: about 4 s at worst, lib/transport.c),
# so each step waits for what it needs and no longer: the node logs (-d)
# each Welcome and each hello it sends.
printf 'alarm_silent_s = 3\nbatch_events = 1\nwindow = 4\nack_timeout_s = 60\n' \
	>>"$N/pnp.conf"
start_cons -d
NODE_OPTS=-d start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 40 --seed 21 >/dev/null
head -n 3 "$T/sim/pnp.jsonl" >"$T/first.jsonl"
sed -n '4,9p' "$T/sim/pnp.jsonl" >"$T/then.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/first.jsonl" >/dev/null
check "the first events delivered" wait_delivered 30
before=$(cons_last_seq pnp)
want=$(($(records "$T/first.jsonl") + $(records "$T/then.jsonl")))

# count PATTERN: the node's log lines matching it so far.
count() { grep -c -e "$1" "$N/pnp.log"; }
# wait_more PATTERN N: until the node's log has more than N such lines
# (at most 5 s).
wait_more() {
	local i
	for i in $(seq 100); do
		[ "$(count "$1")" -gt "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# The consolidator paused just after the node took a keep-alive Welcome
# (the next hello then a second away, not on its way); once the node has
# said that next hello to the paused consolidator, the batches of the
# next submission follow it on the same connection.
welcomes=$(count "event=welcome institution=pnp")
check "a keep-alive hello answered" \
	wait_more "event=welcome institution=pnp" "$welcomes"
kill -STOP "${PIDS[cons]}"
mark=$(wc -l <"$N/consolidator.log")
hellos=$(count "event=hello_sent institution=pnp welcomed=yes")
check "... the next said to the paused consolidator" \
	wait_more "event=hello_sent institution=pnp welcomed=yes" "$hellos"
"$KUSKA" submit -c "$N/pnp.conf" "$T/then.jsonl" >/dev/null
sleep 0.3
kill -CONT "${PIDS[cons]}"
check "everything delivered" wait_delivered 30
check "the consolidator holds the $want events" \
	test "$(cons_last_seq pnp)" = "$want"
tail -n +$((mark + 1)) "$N/consolidator.log" >"$T/after.log"
# The order the consolidator read them in: the hello first, answered with
# the sequence held before, then the batches.
first=$(grep -m 1 -e "event=hello institution=pnp" \
	-e "event=batch institution=pnp" "$T/after.log")
check "the keep-alive hello was read before the batches (last_seq=$before), the node's key and address named" \
	grep -q "event=hello institution=pnp last_seq=$before key=pnp-1 from=127.0.0.1\$" <<<"$first"
check "the connection held through the pause" \
	sh -c "! grep -q event=disconnected '$N/pnp.log'"
check "each batch sent once: none held already (accepted=0)" \
	sh -c "! grep 'event=batch institution=pnp .*accepted=0 ' '$T/after.log'"
check "... $(records "$T/then.jsonl") batches in all" \
	test "$(grep -c 'event=batch institution=pnp .*accepted=1 ' "$T/after.log")" = \
	"$(records "$T/then.jsonl")"

finish
