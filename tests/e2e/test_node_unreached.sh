#!/usr/bin/env bash
# End to end: a node started while its consolidator cannot be reached (not
# running yet, a wrong host or port, a firewall not yet opened). libzmq
# tries again by itself, silently: the node's log said nothing, and its
# kuska status nothing until alarm_silent_s (15 minutes), so an
# administrator watching the journal after `systemctl enable --now` saw a
# healthy start. Now the node says so once, after 10 s of failed
# connections (a consolidator's restart says nothing), and once more only
# after the next outage.
. "$(dirname "$0")/lib.sh"

net_init
start_node pnp
check "a node whose consolidator is not there says so in its log" \
	wait_log "$N/pnp.log" \
	'warning: event=consolidator_unreachable consolidator=.*action=retrying' 60
start_cons
check "the node delivers once the consolidator is up" \
	wait_log "$N/pnp.log" "event=welcome institution=pnp" 60
"$KUSKA" sim --out "$T/sim" --victims 20 --seed 5 >/dev/null
head -n 3 "$T/sim/pnp.jsonl" >"$T/three.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/three.jsonl" >/dev/null 2>&1
check "... the records submitted" wait_delivered 30
n=$(grep -c "event=consolidator_unreachable" "$N/pnp.log")
check "the outage was said once ($n)" test "$n" = 1

# A restart of the consolidator (stopped, started again at once) is no
# outage: past the node's 10 s, its log says nothing of it, and what is
# submitted after it arrives.
welcomes=$(grep -c "event=welcome institution=pnp" "$N/pnp.log")
t0=$(date +%s)
stop_cons TERM
stopped=$EPOCHREALTIME # the node's failed connections start here
start_cons
check "the node is welcomed again after the consolidator's restart" \
	wait_log_after "$N/pnp.log" "$welcomes" "event=welcome institution=pnp" 60
gap=$(($(date +%s) - t0))
sleep_since "$stopped" 12 # past the node's 10 s of failed connections
n=$(grep -c "event=consolidator_unreachable" "$N/pnp.log")
# A host so loaded that the restart took the node's 10 s is an outage
# to it, rightly said.
if [ "$gap" -lt 9 ]; then
	check "a restart of the consolidator is not said as an outage ($n)" \
		test "$n" = 1
else
	echo "# the restart took ${gap} s, the node's 10 s: not judged"
fi
sed -n 4,6p "$T/sim/pnp.jsonl" >"$T/more.jsonl"
submit_more() { "$KUSKA" submit -c "$N/pnp.conf" "$T/more.jsonl" >/dev/null 2>&1; }
check "... and the node takes records after it" submit_more
check "... and delivers them" wait_delivered 30
finish
