#!/usr/bin/env bash
# End to end: wrong clocks (libfaketime on one daemon at a time).
#  (a) the consolidator's clock 60 days slow: events of the last weeks are
#      not made dead letters (whether to accept an event never depends on
#      the receiver's clock); both daemons warn about the skew at hello,
#      in the log, the status and the metrics; once the clock is right
#      the warning goes;
#  (b) a node's clock 30 days fast while it signs, then corrected: the age
#      of its backlog never wraps around, and the consolidator takes the
#      events "created in the future", counting them;
#  (c) dead letters that should not have been (here a registry mistake,
#      since corrected; before, a slow consolidator clock) come back:
#      kuska-consolidator --refetch drops them, the node sends them again,
#      they are accepted and stop being dead letters at the node.
# (a) and (b) are skipped when libfaketime is not installed (scripts/deps.sh
# installs it) and in the sanitizer build (the sanitizers' runtime and
# libfaketime cannot share a process).
. "$(dirname "$0")/lib.sh"

# recent FROM TO DAYS_AGO: identification records FROM..TO of pnp's file,
# dated DAYS_AGO days ago with their own refs.
recent() {
	local d
	d=$(TZ=America/Lima date -d "$3 days ago" +%F)
	grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n "$1,$2p" |
		sed "s/\"date\":\"[0-9-]*\"/\"date\":\"$d\"/; s/\"ref\":\"PNP-/\"ref\":\"R$3-/"
}

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 17 >/dev/null
recent 1 30 10 >"$T/a.jsonl"
recent 31 40 5 >"$T/b.jsonl"
recent 41 45 3 >"$T/c.jsonl"

clocks() {
# --- (a) the consolidator 60 days slow --------------------------------------
start_cons_at -60d
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >"$T/a.out"
check "(a) the node takes 30 records dated 10 days ago" \
	grep -q " 30 accepted" "$T/a.out"
check "(a) delivered" wait_delivered 30
"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out"
rc=$?
check "(a) no dead letters though the consolidator thinks they are future" \
	grep -q "refused (dead letters): 0" "$T/status.out"
check "(a) the consolidator holds all 30, accepted" \
	sh -c "'$KUSKA' status -c '$N/consolidator.conf' | grep -Eq '^pnp +30 +30 +0 '"
check "(a) the consolidator logs the skew at hello" \
	grep -q "event=clock_skew institution=pnp" "$N/consolidator.log"
check "(a) the node logs it too" grep -q "event=clock_skew" "$N/pnp.log"
check "(a) the node's status warns about the clock (exit $rc)" \
	sh -c "test $rc = 1 && grep -qi 'clock' '$T/status.out'"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "(a) the consolidator's status shows pnp's clock ahead" \
	grep -q "pnp.*clock.*ahead" "$T/cstatus.out"
# Measured across a round trip, the skew is 60 days give or take some
# milliseconds: said as 60 days, never cut down to 59.
check "(a) the node's status, the consolidator's, and both logs say 60 days" \
	sh -c "grep -q \"this node's clock is 60 days ahead\" '$T/status.out' &&
		grep -q 'pnp.*its clock is 60 days ahead' '$T/cstatus.out' &&
		grep -q 'this clock is 60 days ahead' '$N/pnp.log' &&
		grep -q 'its clock is 60 days ahead' '$N/consolidator.log'"
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/metrics.out"
check "(a) the node's metrics give the skew (about 60 days)" \
	awk '/^kuska_node_clock_skew_seconds/ { v = $2 }
		END { exit !(v > 5100000 && v < 5300000) }' "$T/metrics.out"
stop_cons TERM
start_cons
clean_status() {
	local i
	for i in $(seq 50); do
		"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" && return 0
		sleep 0.2
	done
	cat "$T/status.out" | sed 's/^/  /'
	return 1
}
check "(a) the consolidator's clock right again: the node is healthy" clean_status

# --- (b) a node 30 days fast, then corrected -----------------------------------
stop_cons TERM
stop_node pnp TERM
start_node_at pnp +30d
"$KUSKA" submit -c "$N/pnp.conf" "$T/b.jsonl" >"$T/b.out"
check "(b) the fast node takes 10 records" grep -q " 10 accepted" "$T/b.out"
stop_node pnp TERM
start_node pnp
"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out"
check "(b) status: the backlog is not called old" \
	sh -c "! grep -q 'older than' '$T/status.out'"
check "(b) ... but created 30 days in the future (not 29: the seconds since)" \
	grep -q "oldest created 30 days in the future" "$T/status.out"
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/metrics.out"
check "(b) the oldest pending age is about -30 days, no wrap-around" \
	awk '/^kuska_node_oldest_pending_seconds/ { v = $2 }
		END { exit !(v < -2500000 && v > -2700000) }' "$T/metrics.out"
check "(b) no backlog alarm with an absurd age in the log" \
	sh -c "! grep -q 'oldest_age_hours=[0-9]\{6,\}' '$N/pnp.log'"
start_cons
check "(b) delivered" wait_delivered 30
check "(b) the consolidator holds all 40" test "$(cons_last_seq pnp)" = 40
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/cmetrics.out"
check "(b) it counts the 10 created in its future" \
	grep -q '^kuska_events_created_in_future_total{institution="pnp"} 10' \
	"$T/cmetrics.out"
}

if [ "$FAKE" = yes ]; then
	clocks
else
	echo "# (a), (b) skipped, $FAKE"
	start_cons
	start_node pnp
fi

# --- (c) dead letters from a mistake since corrected ----------------------------
base=$(cons_last_seq pnp)
cp "$N/registry.conf" "$T/registry.good"
sed -i '/^\[institution pnp\]/,/^\[/ s/^kinds = identification /kinds = /' \
	"$N/registry.conf"
check "(c) the consolidator reloads the registry" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
"$KUSKA" submit -c "$N/pnp.conf" "$T/c.jsonl" >/dev/null
check "(c) with identification missing from the registry: 5 dead letters" \
	wait_dead_letters pnp 5
# A gauge of those held, since they can come back (below), not a counter.
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/dmetrics.out"
check "(c) the metrics: a gauge of the 5 dead letters held" \
	sh -c "grep -qx '# TYPE kuska_node_dead_letters gauge' '$T/dmetrics.out' &&
		grep -Eqx 'kuska_node_dead_letters\{institution=\"pnp\",reason=\"[a-z_]+\"\} 5' \
			'$T/dmetrics.out' &&
		! grep -q 'dead_letters_total' '$T/dmetrics.out'"
cp "$T/registry.good" "$N/registry.conf"
stop_cons TERM
"$CONS" --refetch pn:$((base + 1)) -c "$N/consolidator.conf" \
	>"$T/refetch-bad.out" 2>&1
rc=$?
check "(c) --refetch of no institution is refused as a usage error, saying so (exit $rc)" \
	sh -c "test $rc = 2 && grep -q 'pn is not an institution' '$T/refetch-bad.out'"
"$CONS" --refetch pnp:$((base + 1)) -c "$N/consolidator.conf" \
	>"$T/refetch.out" 2>&1
rc=$?
check "(c) registry corrected, kuska-consolidator --refetch pnp:$((base + 1)) (exit $rc)" \
	test $rc = 0
start_cons
check "(c) the node sends them again: no dead letters left" wait_dead_letters pnp 0
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/dmetrics.out"
check "(c) the metrics: no dead letter held" \
	sh -c "grep -qx '# TYPE kuska_node_dead_letters gauge' '$T/dmetrics.out' &&
		! grep -q '^kuska_node_dead_letters{' '$T/dmetrics.out'"
check "(c) the consolidator holds all $((base + 5)), accepted" \
	sh -c "'$KUSKA' status -c '$N/consolidator.conf' |
		grep -Eq '^pnp +$((base + 5)) +$((base + 5)) +0 '"
check "(c) the node says so" grep -q "event=dead_letters_revived" "$N/pnp.log"

finish
