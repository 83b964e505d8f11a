#!/usr/bin/env bash
# End to end: a node restored from an older backup of its outbox. The
# restored outbox reuses sequence numbers the consolidator already holds;
# the node must notice (at hello), stop delivering and accepting, say so
# (status exit 1, metric, log), and `kuska-node --recover` must rebuild
# the outbox from the consolidator's copy so that resubmitting the case
# system's export stores each record once: the tables then equal those
# of a run without the restore. Then the consolidator restored from an
# older backup: the node warns, once, that it holds less than it
# acknowledged (also after a restart of the node meanwhile), never on an
# ordinary restart, and sends the rest again; restored while the node
# runs, the node's acknowledged sequence goes down (a gauge in metrics).
# A diverged node's hourly alarm says it is diverged and what to do.
. "$(dirname "$0")/lib.sh"

net_init
# A proof of being in step clears the DIVERGED mark only once no hello
# said diverged for diverged_quiet_s (120 s by default; short here, which
# the consolidator warns of).
QUIET=5
echo "diverged_quiet_s = $QUIET" >>"$N/consolidator.conf"
"$KUSKA" sim --out "$T/sim" --victims 500 --seed 12 >/dev/null
# Three parts of pnp's file, in order (a correction's target comes first).
sed -n '1,300p' "$T/sim/pnp.jsonl" >"$T/a.jsonl"
sed -n '301,600p' "$T/sim/pnp.jsonl" >"$T/b.jsonl"
sed -n '601,$p' "$T/sim/pnp.jsonl" >"$T/c.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")
nc=$(records "$T/c.jsonl")

# --- the run without a restore ------------------------------------------
start_cons
start_node pnp
for p in a b c; do
	"$KUSKA" submit -c "$N/pnp.conf" "$T/$p.jsonl" >/dev/null
done
check "clean run delivered" wait_delivered 60
query_tables "$T/clean"
stop_node pnp TERM
stop_cons TERM
wipe_data

# --- backup after part a, part b delivered, then the backup restored -----
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
stop_node pnp TERM
cp -a "$N/data/pnp" "$T/backup"
stop_cons TERM
cp -a "$N/data/consolidator" "$T/cbackup"
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/b.jsonl" >/dev/null
check "part b delivered" wait_delivered 30
check "the consolidator holds a and b" \
	test "$(cons_last_seq pnp)" = $((na + nb))
stop_node pnp TERM
stop_cons TERM
rm -rf "$N/data/pnp"
cp -a "$T/backup" "$N/data/pnp"

# The restored node takes new records (part c) while it cannot yet know.
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/c.jsonl" >"$T/c1.out" 2>&1
start_cons
diverged() {
	"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" 2>&1
	[ $? = 1 ] && grep -qi "diverged" "$T/status.out"
}
wait_diverged() {
	local i
	for i in $(seq 50); do
		diverged && return 0
		sleep 0.2
	done
	return 1
}
check "the restored node says it diverged (status exit 1)" wait_diverged
check "... with the recovery command in the status" \
	grep -q -- "--recover" "$T/status.out"
check "... and what a machine the node moved away from does instead" \
	grep -q "but on a machine the node was moved away from: stop it and disable its unit instead" "$T/status.out"
# Part c waits: said to wait for the recovery, not for the network (its
# age past alarm_backlog_hours warned, test_status_backlog), and the
# divergence the first warning.
check "... its waiting events said not delivered while diverged, the divergence the first warning" \
	sh -c "grep -q '^  waiting for delivery:   $nc (oldest created .*): none is delivered while the outbox is diverged (below)\$' '$T/status.out' &&
		grep -m 1 WARNING '$T/status.out' | grep -q DIVERGED"
check "... in its log" grep -q "event=diverged" "$N/pnp.log"
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/metrics.out"
check "... and in its metrics" \
	grep -q '^kuska_node_diverged{institution="pnp"} 1' "$T/metrics.out"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "the consolidator's status names the diverged institution" \
	grep -q "pnp.*DIVERGED" "$T/cstatus.out"
# A hello is not signed: one from pnp's transport key in other hands
# (kuska_rogue) saying the outbox did not diverge does not clear the
# consolidator's flag (it did); only an event accepted after it on the
# same connection, which takes pnp's signature, would. The count of
# hellos that said it stays.
"$KUSKA_BIN/kuska_rogue" -k "$N/keys/pnp.key" -s "$N/keys/consolidator.pub" \
	-e "$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")" -n 1 hello \
	>"$T/rogue.out" 2>&1
check "a stolen key's hello is welcomed" grep -qx "mismatches 0" "$T/rogue.out"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "... and does not clear the consolidator's DIVERGED" \
	grep -q "pnp.*DIVERGED" "$T/cstatus.out"
"$KUSKA" metrics -c "$N/consolidator.conf" >"$T/cmetrics.out"
check "... nor its metric" \
	grep -q '^kuska_institution_diverged{institution="pnp"} 1' "$T/cmetrics.out"
check "... and cannot take back the hellos that said pnp diverged" \
	grep -qE '^kuska_institution_diverged_hellos_total\{institution="pnp"\} [1-9]' \
	"$T/cmetrics.out"
check "... a count since start, as its help says" \
	grep -q '^# HELP kuska_institution_diverged_hellos_total .*since start' \
	"$T/cmetrics.out"
# A proof of being in step, signed with the stolen key file (a second
# live node with pnp's key, its outbox in step: a cloned machine), made
# now just after a hello said diverged, clears nothing: the diverged node
# says so once a minute, the clone at each of its hellos.
ROGUE=("$KUSKA_BIN/kuska_rogue" -k "$N/keys/pnp.key" -s "$N/keys/consolidator.pub"
	-e "$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")" -n 1)
"${ROGUE[@]}" -T "$(date +%s%3N)" flip >"$T/flip.out" 2>&1
check "a hello saying diverged is welcomed" grep -qx "mismatches 0" "$T/flip.out"
"${ROGUE[@]}" prove >"$T/prove-clone.out" 2>&1
check "a live clone's proof made now is welcomed" \
	grep -qx proved "$T/prove-clone.out"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "... and does not clear the consolidator's DIVERGED (diverged_quiet_s)" \
	grep -q "pnp.*DIVERGED" "$T/cstatus.out"
check "... which warned that diverged_quiet_s is short" \
	grep -q "event=diverged_quiet_short" "$N/consolidator.log"
# A hello saying diverged with the largest clock there is (the node's
# word): the consolidator measures the quiet time on its own clock, and
# a proof's date against its own too. Once it is past, a proof dated ten
# minutes ahead or made two minutes ago (sent again) clears nothing;
# made now, it does (the key file is the node's whole word), and the
# restored node's next hello raises the mark again.
"${ROGUE[@]}" -T 18446744073709551615 flip >"$T/flip.out" 2>&1
check "a hello saying diverged, its clock 2^64-1, is welcomed" \
	grep -qx "mismatches 0" "$T/flip.out"
sleep $QUIET
"${ROGUE[@]}" -P $(($(date +%s%3N) + 600000)) prove >"$T/prove-ahead.out" 2>&1
check "a proof dated ten minutes ahead is welcomed" \
	grep -qx proved "$T/prove-ahead.out"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "... and does not clear the consolidator's DIVERGED" \
	grep -q "pnp.*DIVERGED" "$T/cstatus.out"
"${ROGUE[@]}" -P $(($(date +%s%3N) - 120000)) prove >"$T/prove-old.out" 2>&1
check "a proof made two minutes ago is welcomed" \
	grep -qx proved "$T/prove-old.out"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "... nor does it" grep -q "pnp.*DIVERGED" "$T/cstatus.out"
# Nor one made now for another consolidator of the same network (a
# standby's key), replayed here: the proof names its consolidator.
"$KUSKA" keygen standby --dir "$T" >/dev/null
"${ROGUE[@]}" -X "$T/standby.pub" prove >"$T/prove-standby.out" 2>&1
check "a proof made for another consolidator is welcomed" \
	grep -qx proved "$T/prove-standby.out"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "... and does not clear it either" grep -q "pnp.*DIVERGED" "$T/cstatus.out"
"${ROGUE[@]}" prove >"$T/prove-now.out" 2>&1
check "the same proof made now clears it, diverged_quiet_s after the last diverged hello" sh -c \
	"grep -qx proved '$T/prove-now.out' &&
	 '$KUSKA' status -c '$N/consolidator.conf' >'$T/cstatus.out';
	 grep -q '^pnp ' '$T/cstatus.out' && ! grep -q DIVERGED '$T/cstatus.out'"
stop_node pnp TERM
logged=$(wc -l <"$N/pnp.log")
start_node pnp
# Its hourly alarm says what is wrong and what to do, at once after a
# start: events wait for the recovery, not for the network (it was the
# backlog's alarm, every hour, as if they would be delivered).
check "the restarted diverged node's alarm says so, with what to do" \
	wait_log_after "$N/pnp.log" "$logged" \
	'event=diverged_alarm pending=[0-9]* text=".*" hint="nothing is delivered or accepted until the outbox is rebuilt: stop the node, run kuska-node --recover' 10
cons_diverged() {
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
	grep -q "pnp.*DIVERGED" "$T/cstatus.out"
}
wait_cons_diverged() {
	local i
	for i in $(seq 50); do
		cons_diverged && return 0
		sleep 0.2
	done
	return 1
}
check "... and the restored node's hello raises it again" wait_cons_diverged
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" "$T/b.jsonl" "$T/c.jsonl" \
	>"$T/c2.out" 2>&1
check "a diverged node accepts nothing more (submit exits non-zero)" \
	test $? != 0
check "... and says why" grep -qi "diverged" "$T/c2.out"
why=$(sed -n 's/.*event=diverged .*text="\([^"]*\)".*/\1/p' "$N/pnp.log" | tail -1)
check "... in full, as its log does" grep -qF "($why): nothing is accepted" "$T/c2.out"
check "... naming the line it stopped at" \
	grep -q "a.jsonl: the node refused the lines from 1 on:" "$T/c2.out"
sleep 1
check "nothing of the restored outbox reached the consolidator" \
	test "$(cons_last_seq pnp)" = $((na + nb))

# --- recovery from the consolidator's copy --------------------------------
stop_node pnp TERM
"$NODE" --recover -c "$N/pnp.conf" >"$T/recover.out" 2>&1
rc=$?
check "kuska-node --recover succeeds (exit $rc)" test $rc = 0
[ $rc = 0 ] || tail -5 "$T/recover.out" | sed 's/^/  /'
check "... and says how many events it got back" \
	grep -q "$((na + nb)) events" "$T/recover.out"
check "... and that the restored outbox, which took part c, did not agree" \
	grep -q "^this outbox did not agree with the consolidator's copy" \
	"$T/recover.out"
# The recovery's hellos said diverged: the node's first hello proves it
# in step only after the quiet time (in operation, with the default,
# its first keep-alive after it does).
sleep $QUIET
start_node pnp
# Nothing new to deliver yet: its hello's signed proof that its outbox
# ends where the consolidator's copy does clears the mark by itself.
cons_clean() {
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus0.out"
	grep -q '^pnp ' "$T/cstatus0.out" && ! grep -q DIVERGED "$T/cstatus0.out"
}
wait_cons_clean() {
	local i
	for i in $(seq 50); do
		cons_clean && return 0
		sleep 0.2
	done
	return 1
}
check "the recovered node clears the consolidator's DIVERGED before any event" \
	wait_cons_clean
check "... as its log says" grep -q "event=diverged_cleared institution=pnp" \
	"$N/consolidator.log"
check "... with nothing delivered" test "$(cons_last_seq pnp)" = $((na + nb))
# A second withdrawal of a record part a withdrew (a dry run: nothing
# stored) is refused as withdrawn; not by which ref: a recovery takes the
# case system's refs back from the old outbox only when it agrees, and
# this one did not (test_recover_mark names it).
wd=$(grep -m1 '"kind":"withdrawal"' "$T/a.jsonl")
wd_target=$(printf '%s' "$wd" | sed 's/.*"target_ref":"\([^"]*\)".*/\1/')
printf '{"kind":"withdrawal","ref":"PNP-AGAIN","target_ref":"%s"}\n' \
	"$wd_target" >"$T/again.jsonl"
"$KUSKA" submit -n -c "$N/pnp.conf" "$T/again.jsonl" >"$T/again.out" 2>&1
check "a second withdrawal after the recovery: refused, the first's ref unknown" \
	grep -q "again.jsonl:1: refused: target_ref: that record was withdrawn\$" \
	"$T/again.out"
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" "$T/b.jsonl" "$T/c.jsonl" \
	>"$T/c3.out" 2>&1
check "resubmitted export: a and b already held" \
	sh -c "grep -q 'a.jsonl: 0 accepted, $na already held, 0 refused' '$T/c3.out' &&
		grep -q 'b.jsonl: 0 accepted, $nb already held, 0 refused' '$T/c3.out'"
check "... c stored once" \
	grep -q "c.jsonl: $nc accepted, 0 already held, 0 refused" "$T/c3.out"
check "all delivered after the recovery" wait_delivered 30
check "the consolidator holds each record once" \
	test "$(cons_last_seq pnp)" = $((na + nb + nc))
check "the node is healthy again (status exit 0)" \
	"$KUSKA" status -c "$N/pnp.conf"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "the consolidator no longer calls it diverged" \
	sh -c "grep -q '^pnp ' '$T/cstatus.out' &&
		! grep -q DIVERGED '$T/cstatus.out'"
query_tables "$T/after"
check "every table equals the run without the restore" \
	same_tables "$T/clean" "$T/after"

# --- the consolidator restored from its backup after part a ---------------
welcomes() {
	grep -c "event=welcome" "$N/pnp.log"
}
wait_welcome() { # wait_welcome COUNT: until more than COUNT Welcomes
	local i
	for i in $(seq 50); do
		[ "$(welcomes)" -gt "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
stop_node pnp TERM
stop_cons TERM
w=$(welcomes)
start_cons
start_node pnp
check "an ordinary restart of both: welcomed" wait_welcome "$w"
check "... and no warning that the consolidator is behind" \
	sh -c "! grep -q 'event=consolidator_behind' '$N/pnp.log'"
stop_cons TERM
stop_node pnp TERM
rm -rf "$N/data/consolidator"
cp -a "$T/cbackup" "$N/data/consolidator"
start_cons
start_node pnp
check "the restored consolidator gets the rest again" \
	wait_held pnp $((na + nb + nc)) 30
check "the node warned, after its restart, that it lost acknowledged events" \
	grep -q "warning: event=consolidator_behind institution=pnp acknowledged=$((na + nb + nc)) consolidator_last_seq=$na action=resending events=$((nb + nc)) hint=" \
	"$N/pnp.log"
stop_node pnp TERM
w=$(welcomes)
start_node pnp
check "... once: not again at the next start" wait_welcome "$w"
check "... (one warning in the log)" \
	test "$(grep -c 'event=consolidator_behind' "$N/pnp.log")" = 1
# The consolidator restored again, the node running all along: its
# acknowledged sequence goes down at the Welcome, in the same process, so
# the metric is a gauge (a counter going down reads as a reset, and
# rate() as events acknowledged that never were).
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/ametrics.out"
check "the node's metrics: a gauge of the $((na + nb + nc)) events acknowledged" \
	sh -c "grep -qx '# TYPE kuska_node_events_acknowledged gauge' '$T/ametrics.out' &&
		grep -qx 'kuska_node_events_acknowledged{institution=\"pnp\"} $((na + nb + nc))' \
			'$T/ametrics.out' &&
		! grep -q 'events_acknowledged_total' '$T/ametrics.out'"
pid=${PIDS[pnp]}
stop_cons TERM
rm -rf "$N/data/consolidator"
cp -a "$T/cbackup" "$N/data/consolidator"
start_cons
check "the node not restarted: the restored consolidator gets the rest again" \
	wait_held pnp $((na + nb + nc)) 30
check "... the node's acknowledged sequence went back to $na meanwhile" \
	test "$(grep -c "event=consolidator_behind institution=pnp acknowledged=$((na + nb + nc)) consolidator_last_seq=$na " "$N/pnp.log")" = 2
check "... in the same process" kill -0 "$pid"
query_tables "$T/restored"
check "every table equals the run without the restore" \
	same_tables "$T/clean" "$T/restored"
stop_cons TERM
check "audit OK" audit_ok
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
check "--rebuild of the refilled store (exit $?)" test $? = 0
start_cons
query_tables "$T/rebuilt"
check "... gives every table byte for byte as before" \
	same_tables "$T/clean" "$T/rebuilt"

finish
