#!/usr/bin/env bash
# Catch-up is fair (issue 15): pnp's node, cut off while it took 20
# batches of events, delivers them with a window wide enough to queue
# them all at the consolidator; mp's small file, waiting in mp's outbox
# meanwhile, reaches the consolidator once pnp's backlog is queued there
# and is committed before pnp's backlog is in (peers take turns in the
# consolidator's pipeline: before, it waited behind the whole backlog).
# Then everything is delivered once: the counts match and the audit finds
# no gap and no double, though the registry was reloaded while pnp's
# batches were queued. bench/bench_catchup.sh measures the times.
#
# How busy the machine is must not decide the outcome: both files are in
# their nodes' outboxes before the consolidator starts (mp's submission,
# its pseudonyms and signatures, cannot lag behind pnp's drain), mp's
# node is started once pnp's first batch is committed (so its batch
# comes in behind pnp's queued backlog; a consolidator taking batches in
# the order they came would commit it last), and the order of commits is
# read from the consolidator's log (-d: a line per batch as it is
# committed), not from status replies that may come late.
. "$(dirname "$0")/lib.sh"

BACKLOG=20480 # 20 batches of 1024

net_init
# One thread: the drain takes a few seconds, the small file a fraction.
echo "workers = 1" >>"$N/consolidator.conf"
echo "window = 64" >>"$N/pnp.conf"
# Under a heavy load a turn at the consolidator may outlast the default
# 20 s: a node would send again what waits there (duplicates it ignores,
# but work that makes the drain's pace depend on the load).
for i in pnp mp; do echo "ack_timeout_s = 600" >>"$N/$i.conf"; done
"$KUSKA" sim --out "$T/sim" --victims 12500 --seed 15 >/dev/null
head -n "$BACKLOG" "$T/sim/pnp.jsonl" >"$T/backlog.jsonl"
head -n 10 "$T/sim/mp.jsonl" >"$T/small.jsonl"
check "pnp's sim file holds the backlog" \
	test "$(records "$T/backlog.jsonl")" = "$BACKLOG"

submit() { # INST FILE
	"$KUSKA" submit -c "$N/$1.conf" "$2" >"$T/submit-$1.out"
}
start_node pnp
start_node mp
check "pnp takes its backlog while cut off" submit pnp "$T/backlog.jsonl"
check "mp takes a small file while cut off" submit mp "$T/small.jsonl"
check "both wait in their outboxes" \
	test "$(node_last_seq pnp) $(node_last_seq mp)" = "$BACKLOG 10"
# Stopped, the nodes keep them on disk. Started again, a node connects at
# once (a running one retries every 5 s at most): pnp's first.
stop_node pnp TERM
stop_node mp TERM
start_cons -d
start_node pnp

check "pnp's backlog starts arriving" \
	wait_log "$N/consolidator.log" "event=batch institution=pnp " 120
# A reload now: pnp's queued batches were judged by the registry it
# replaces, mp's by the new one, and they come back in turns, not in the
# order they went: the old registry must outlive every job judged by it
# (the sanitizer build sees a use after free otherwise).
kill -HUP "${PIDS[cons]}"
check "a reload while pnp's backlog is queued" \
	wait_log "$N/consolidator.log" "event=reload " 60
start_node mp

check "everything delivered" wait_delivered 180
check "the consolidator holds pnp's $BACKLOG events and mp's 10" \
	test "$(cons_last_seq pnp) $(cons_last_seq mp)" = "$BACKLOG 10"
check "audit: no gap, no double" audit_ok

# The consolidator's log, in the order things happened there: mp's hello
# after pnp's first batch, then where mp's batch came among pnp's.
order=$(awk '
	/event=hello institution=mp / {
		if (!hello) { hello = pnp ? "after" : "before"; at = pnp + 0 }
	}
	/event=batch institution=pnp / {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^last_seq=/) pnp = substr($i, 10)
	}
	/event=batch institution=mp / { if (!mp) mp = pnp + 0 }
	END { print hello, at + 0, (mp == "" ? "never" : mp) }' "$N/consolidator.log")
read -r hello hello_at mp_at <<<"$order"
# mp's hello when pnp's backlog is already in says the test came too late
# (a slow machine), not that the consolidator was unfair.
check "mp's node came in behind pnp's first batch (hello $hello, pnp at $hello_at)" \
	test "$hello" = after -a "$hello_at" -lt "$BACKLOG"
check "mp's small file committed before pnp's backlog was in (pnp at $mp_at of $BACKLOG)" \
	test "$mp_at" != never -a "$mp_at" -lt "$BACKLOG"
finish
