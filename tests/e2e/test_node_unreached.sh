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
finish
