#!/usr/bin/env bash
# End to end: one sequence signed twice with pj's key. A thief runs a
# second node with a copy of pj's keys and outbox, signs pj's next
# sequence before the genuine node does, delivers it and stops. The
# genuine node, welcomed before, then takes two records: the first at the
# sequence the thief took. Its batch must not be acknowledged with the
# thief's envelope standing for its own record (before, that sequence was
# skipped as a duplicate, the next accepted, and with both at the same
# position no hello ever said anything): the consolidator refuses it as a
# conflict, stores and counts nothing of it, and shows pj as diverged; the
# genuine node stops delivering and says so in its status, its log and
# its metrics, pointing to OPERATIONS.md. No log line carries a record.
# The other way round (mimp's genuine node first, a clone second), the
# clone's batch is the one refused, and the consolidator shows mimp
# diverged: the theft is told either way.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 11 >/dev/null
sed -n '1,5p' "$T/sim/pj.jsonl" >"$T/a.jsonl"
sed -n '6,7p' "$T/sim/pj.jsonl" >"$T/b.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")
# The thief's: a record under a ref of its own.
python3 - "$T/sim/pj.jsonl" >"$T/thief.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readlines()[7])
r["ref"] = "PJ-THIEF-1"
print(json.dumps(r))
PY
check "two genuine records to come ($nb)" test "$nb" = 2

start_cons
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
check "... the consolidator holds $na" test "$(cons_last_seq pj)" = "$na"
stop_node pj TERM
# The thief's node: pj's key files and a copy of its outbox, its own
# directory and socket.
cp -a "$N/data/pj" "$N/data/pj-thief"
sed -e 's|^data_dir = .*|data_dir = data/pj-thief|' \
	-e 's|^submit = .*|submit = ipc://run/pj-thief.sock|' \
	"$N/pj.conf" >"$N/pj-thief.conf"
start_node pj
check "the genuine node is welcomed again" \
	wait_log "$N/pj.log" "event=welcome institution=pj consolidator_last_seq=$na " 30
start_node pj-thief
"$KUSKA" submit -c "$N/pj-thief.conf" "$T/thief.jsonl" >"$T/thief.out" 2>&1
check "the thief's record taken by its node" \
	grep -q "thief.jsonl: 1 accepted, 0 already held, 0 refused" "$T/thief.out"
check "... and delivered at sequence $((na + 1))" wait_held pj $((na + 1)) 30
stop_node pj-thief TERM

"$KUSKA" submit -c "$N/pj.conf" "$T/b.jsonl" >"$T/b.out" 2>&1
check "the genuine node takes its $nb records" \
	grep -q "b.jsonl: $nb accepted, 0 already held, 0 refused" "$T/b.out"
diverged() {
	"$KUSKA" status -c "$N/pj.conf" >"$T/status.out" 2>&1
	[ $? = 1 ] && grep -qi "diverged" "$T/status.out"
}
wait_diverged() {
	local i
	for i in $(seq 100); do
		diverged && return 0
		sleep 0.2
	done
	return 1
}
check "the genuine node's batch is refused as a conflict" \
	wait_log "$N/pj.log" "event=batch_refused reason=conflict .*sequence $((na + 1)) held with other bytes" 30
check "... the node says it diverged (status exit 1)" wait_diverged
check "... the status pointing to OPERATIONS.md" \
	grep -q "OPERATIONS.md section 6" "$T/status.out"
check "... in its log" grep -q "event=diverged action=not_delivering" "$N/pj.log"
"$KUSKA" metrics -c "$N/pj.conf" >"$T/metrics.out"
check "... and in its metrics" \
	grep -q '^kuska_node_diverged{institution="pj"} 1' "$T/metrics.out"
check "... its records not acknowledged (acknowledged $(node_acked pj), $na before)" \
	test "$(node_acked pj)" = "$na"
"$KUSKA" submit -c "$N/pj.conf" "$T/thief.jsonl" >"$T/after.out" 2>&1
check "... and it takes no more records until --recover" \
	grep -q -- "diverged .*--recover" "$T/after.out"

check "the consolidator holds the thief's $((na + 1)), nothing of the genuine batch" \
	test "$(cons_last_seq pj)" = $((na + 1))
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "... counted none of it: $((na + 1)) accepted, 0 refused" \
	grep -Eq "^pj +$((na + 1)) +$((na + 1)) +0 " "$T/cstatus.out"
check "... and names pj diverged" grep -q "pj.*DIVERGED" "$T/cstatus.out"
check "... logging the conflict and the divergence" \
	sh -c "grep -q 'event=batch_stopped institution=pj seq=$((na + 1)) reason=conflict' '$N/consolidator.log' &&
		grep -q 'event=diverged institution=pj text=\"sequence $((na + 1)) was signed twice' '$N/consolidator.log'"
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/cmetrics.out"
check "... and its metric" \
	grep -q '^kuska_institution_diverged{institution="pj"} 1' "$T/cmetrics.out"

# No record's ref, of the thief's or the genuine node's, in any log.
refs=$(python3 -c '
import json, sys
for f in sys.argv[1:]:
    for l in open(f):
        if l.strip():
            print(json.loads(l)["ref"])' "$T/b.jsonl" "$T/thief.jsonl")
for r in $refs; do
	check "no log line names record $r" \
		sh -c "! grep -q -- '$r' '$N/pj.log' '$N/pj-thief.log' '$N/consolidator.log'"
done

# --- the genuine node first: the clone is refused --------------------------
grep '"kind":"identification"' "$T/sim/mimp.jsonl" | sed -n 1,3p >"$T/m.jsonl"
sed -n 1p "$T/m.jsonl" >"$T/m1.jsonl"
sed -n 2p "$T/m.jsonl" >"$T/m2.jsonl"
sed -n 3p "$T/m.jsonl" >"$T/m3.jsonl"
start_node mimp
"$KUSKA" submit -c "$N/mimp.conf" "$T/m1.jsonl" >/dev/null
check "mimp's first record delivered" wait_held mimp 1 30
stop_node mimp TERM
cp -a "$N/data/mimp" "$N/data/mimp-clone"
sed -e 's|^data_dir = .*|data_dir = data/mimp-clone|' \
	-e 's|^submit = .*|submit = ipc://run/mimp-clone.sock|' \
	"$N/mimp.conf" >"$N/mimp-clone.conf"
start_node mimp
start_node mimp-clone
W="event=welcome institution=mimp consolidator_last_seq=1 "
check "the genuine node welcomed at sequence 1" wait_log "$N/mimp.log" "$W" 30
check "... and the clone" wait_log "$N/mimp-clone.log" "$W" 30
"$KUSKA" submit -c "$N/mimp.conf" "$T/m2.jsonl" >/dev/null
check "the genuine node delivers sequence 2 first" wait_held mimp 2 30
"$KUSKA" submit -c "$N/mimp-clone.conf" "$T/m3.jsonl" >/dev/null
check "the clone's sequence 2 is refused as a conflict" \
	wait_log "$N/mimp-clone.log" "event=batch_refused reason=conflict .*sequence 2 held with other bytes" 30
check "... the clone stops as diverged" \
	grep -q "event=diverged action=not_delivering" "$N/mimp-clone.log"
check "... the genuine node does not" \
	sh -c "! grep -q 'event=diverged' '$N/mimp.log'"
check "... the consolidator still holds the genuine 2" test "$(cons_last_seq mimp)" = 2
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus2.out"
check "... and names mimp diverged" grep -q "mimp.*DIVERGED" "$T/cstatus2.out"
stop_node mimp-clone TERM
# The mark goes with the genuine node's next accepted event; the count of
# conflicts stays, since start, for an alert (OPERATIONS.md section 6).
grep '"kind":"identification"' "$T/sim/mimp.jsonl" | sed -n 4p >"$T/m4.jsonl"
"$KUSKA" submit -c "$N/mimp.conf" "$T/m4.jsonl" >/dev/null
check "the genuine node delivers on" wait_held mimp 3 30
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/cmetrics2.out"
conflicts() {
	sed -n "s/^kuska_institution_conflicts_total{institution=\"$1\"} //p" \
		"$T/cmetrics2.out"
}
check "the conflicts counted: pj $(conflicts pj), mimp $(conflicts mimp), pnp $(conflicts pnp)" \
	sh -c "test '$(conflicts pj)' -ge 1 && test '$(conflicts mimp)' -ge 1 && test '$(conflicts pnp)' = 0"
stop_node mimp TERM
stop_node pj TERM
stop_cons TERM
finish
