#!/usr/bin/env bash
# The genuine node after its signing key was stolen (OPERATIONS.md §6).
# A thief runs a second node with a copy of pj's keys and outbox and
# delivers: two of pj's next records as the case system has them, one of
# them altered, and one of its own. The genuine node then takes pj's next
# records; the consolidator, holding the thief's at those sequences,
# refuses them as a conflict (signed twice) and the node stops as
# diverged, nothing of it stored. The operator revokes pj-1 after the last genuine
# sequence, gives the node a new key (pj-1's .pub in previous_keys), runs
# kuska-node --recover and resubmits the export: every genuine record is
# taken (none "already held" because of the thief's), and after
# kuska-consolidator --rebuild every table equals a run without a theft:
# each genuine record counted once, none of the thief's. The recovery
# names the thief's first sequence (the first the genuine outbox did not
# sign), so the operator learns revoked_after_seq; it refuses a revocation
# after it, which would take the thief's envelopes for the node's; run
# before any revocation, it names it too. Each names the key to revoke by
# its fingerprint: pj-1, the node's earlier key once it has a new one
# (before, it said "this node's key" of pj-1's envelopes, and "revoke that
# key", after the rotation).
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
sed -n '1,15p' "$T/sim/pj.jsonl" >"$T/a.jsonl"
sed -n '16,$p' "$T/sim/pj.jsonl" >"$T/b.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")
# The thief's: b's first two lines as they are, its third altered (another
# region), and a record under a ref of its own.
python3 - "$T/b.jsonl" >"$T/thief.jsonl" <<'PY'
import json, sys
b = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out = [b[0], b[1], dict(b[2]), dict(b[3])]
out[2]["region"] = "01" if b[2]["region"] != "01" else "02"
out[3]["ref"] = "PJ-THIEF-1"
for r in out:
    print(json.dumps(r))
PY
nt=$(records "$T/thief.jsonl")
fp1=$(sed -n 's/^fingerprint = //p' "$N/keys/pj.pub")

# --- the run without a theft ------------------------------------------------
start_cons
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" "$T/b.jsonl" >/dev/null
check "clean run delivered" wait_delivered 60
query_tables "$T/clean"
stop_node pj TERM
stop_cons TERM
wipe_data


# What each theft changes, put back before the next.
cp "$N/registry.conf" "$T/registry.orig"
cp "$N/pj.conf" "$T/pj.conf.orig"
cp "$N/keys/pj.key" "$T/pj.key.orig"
cp "$N/keys/pj.pub" "$T/pj.pub.orig"

# wait_count FILE PATTERN N SECONDS: until N lines of FILE match PATTERN.
wait_count() {
	local i
	for i in $(seq $(($4 * 10))); do
		[ "$(grep -c -e "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# theft HOW: the theft, revoked by sequence (seq), by time alone (time), or
# by sequence after a recovery run before the revocation (early).
theft() {
	local how=$1 last rc why taken

	# --- the theft -------------------------------------------------------------
	start_cons
	start_node pj
	"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" >/dev/null
	check "part a delivered" wait_delivered 30
	stop_node pj TERM
	# When the key was taken: after part a's events were created, before the
	# thief's (a revocation by time, when no sequence is named).
	sleep 1
	taken=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	sleep 1
	# The thief's node: pj's key files and a copy of its outbox, its own
	# directory and socket.
	cp -a "$N/data/pj" "$N/data/pj-thief"
	sed -e 's|^data_dir = .*|data_dir = data/pj-thief|' \
		-e 's|^submit = .*|submit = ipc://run/pj-thief.sock|' \
		"$N/pj.conf" >"$N/pj-thief.conf"
	start_node pj
	start_node pj-thief
	"$KUSKA" submit -c "$N/pj-thief.conf" "$T/thief.jsonl" >"$T/thief.out" 2>&1
	check "the thief's records accepted by its node" \
		grep -q "thief.jsonl: $nt accepted, 0 already held, 0 refused" "$T/thief.out"
	check "... and delivered" wait_held pj $((na + nt)) 30
	conflicts=$(grep -c "event=batch_refused reason=conflict" "$N/pj.log")
	"$KUSKA" submit -c "$N/pj.conf" "$T/b.jsonl" >"$T/b1.out" 2>&1
	check "the genuine node takes part b" \
		grep -q "b.jsonl: $nb accepted, 0 already held, 0 refused" "$T/b1.out"
	check "... its batch at the thief's first sequence is refused as a conflict" \
		wait_count "$N/pj.log" "event=batch_refused reason=conflict .*sequence $((na + 1)) held with other bytes" $((conflicts + 1)) 30
	check "... the node stops as diverged" \
		sh -c "'$KUSKA' status -c '$N/pj.conf' | grep -q DIVERGED"
	check "... none of part b stored: the consolidator holds $((na + nt))" \
		test "$(cons_last_seq pj)" = $((na + nt))
	stop_node pj-thief TERM
	stop_node pj TERM

	if [ "$how" = early ]; then
		# Recovered before the rotation too, on a copy of the outbox
		# put back after it: pj-1 is still the key the node signs with.
		cp -a "$N/data/pj" "$T/pj-unrecovered"
		recover_into "$T/early0.out" pj 0 \
			"kuska-node --recover before the rotation succeeds"
		check "... naming pj-1 ($fp1) as the key this node signs with, the one to revoke" \
			grep -q "^$nt envelopes it holds are signed with this node's key $fp1 but not by this outbox .* the first at sequence $((na + 1)):.* revoke this node's key $fp1 (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $na, " "$T/early0.out"
		check "... and that the node then needs a new key before --recover runs again" \
			grep -q "revoked_after_seq = $na, give this node a new key, as it signs with that one now (a rotation, OPERATIONS.md section 6: the consolidator turns a revoked key away, --recover's too, \"the consolidator at ... refused this node's key\", and refuses its next events), reload the consolidator" "$T/early0.out"
		rm -rf "$N/data/pj"
		mv "$T/pj-unrecovered" "$N/data/pj"
	fi

	# --- a new key, pj-1's .pub in previous_keys -----------------------------
	rotate_key pj

	if [ "$how" = early ]; then
		# Recovered before the revocation: the thief's envelopes are
		# taken as the node's (as the node's own from before a restore
		# would be), and the thief's first sequence is named, with the
		# key that signed them: pj-1, no longer the one it signs with.
		recover_into "$T/early.out" pj 0 \
			"kuska-node --recover before the revocation succeeds"
		check "... naming the thief's first sequence, $((na + 1)), the key that signed it, pj-1 ($fp1), and the revocation to set on it" \
			grep -q "^$nt envelopes it holds are signed with this node's earlier key $fp1 but not by this outbox .* the first at sequence $((na + 1)):.* revoke this node's earlier key $fp1 (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $na, reload the consolidator and run --recover again" "$T/early.out"
		check "... not calling it the key this node signs with" \
			sh -c "! grep -q \"this node's key\\|needs a new key\" '$T/early.out'"
	fi

	# --- revocation -------------------------------------------------------------
	if [ "$how" != time ]; then
		revoke_key pj-1 "$na"
	else
		awk -v at="$taken" '
			{ print }
			$0 == "[key pj-1]" { print "revoked = " at }' "$N/registry.conf" >"$T/reg.new"
		mv "$T/reg.new" "$N/registry.conf"
	fi
	check "the consolidator reloads the revocation" \
		hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
	check "... and the key holder" \
		hup_wait "$N/keyholder.log" "event=reload" "${PIDS[keyholder]}"

	# --- the genuine node recovered ---------------------------------------------
	if [ "$how" = seq ]; then
		# First revoked too late, after the thief's first two: the
		# recovery would take them for the node's. It is refused,
		# naming the thief's first sequence, the outbox unchanged.
		revoke_key pj-1 $((na + 2))
		check "the consolidator reloads a revocation too late" \
			hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
		before=$(md5sum <"$N/data/pj/data.mdb")
		recover_into "$T/late.out" pj 1 \
			"kuska-node --recover refuses a revocation after the thief's first"
		check "... naming the thief's first sequence, $((na + 1)), the key that signed it, pj-1 ($fp1), and the revocation to set" \
			grep -q "The first this outbox did not sign is at sequence $((na + 1)), signed with this node's earlier key $fp1: revoke that key (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $na (or lower), reload" "$T/late.out"
		check "... saying pj-1's revocation comes too late" \
			grep -q "signed by a key revoked before them: the revocation comes too late, and" "$T/late.out"
		check "... the outbox unchanged" \
			test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"
		revoke_key pj-1 "$na"
		check "the consolidator reloads the revocation as told" \
			hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
	fi
	recover_into "$T/recover.out" pj 0 "kuska-node --recover succeeds"
	last=$(cons_last_seq pj)
	check "... saying the events after sequence $na are not valid under their key ($how)" \
		grep -q "$((last - na)) of them signed with a key revoked before them, the first at sequence $((na + 1)), signed with this node's earlier key $fp1 (" "$T/recover.out"
	# The thief took pj's sequences na+1 to na+nt; the genuine outbox holds
	# its own there (after an early recovery, the thief's).
	[ "$how" = early ] ||
	check "... and that the $nt the outbox did not sign begin at sequence $((na + 1)), the thief's first" \
		grep -q "^$nt envelopes it holds are not this outbox's, the first at sequence $((na + 1)): the thief's first, so revoked_after_seq = $na on this node's earlier key $fp1 " "$T/recover.out"
	start_node pj
	"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" "$T/b.jsonl" >"$T/resubmit.out" 2>&1
	sed 's/^/#   /' "$T/resubmit.out"
	check "resubmitted: a already held" \
		grep -q "a.jsonl: 0 accepted, $na already held, 0 refused" "$T/resubmit.out"
	check "... every record of b taken, none held because of the thief's" \
		grep -q "b.jsonl: $nb accepted, 0 already held, 0 refused" "$T/resubmit.out"
	check "... and delivered" wait_delivered 30
	"$KUSKA" status -c "$N/pj.conf" >"$T/status.out" 2>&1
	if [ "$how" != time ]; then
		why="was revoked after sequence $na"
	else
		why="was not valid when the event was created"
	fi
	check "the node lists the $((last - na)) as refused, saying why ($how)" \
		sh -c "grep -q 'refused (dead letters): $((last - na))$' '$T/status.out' &&
			grep -q 'key_not_valid.*key pj-1 $why' '$T/status.out'"
	# Their refs not taken: listed by their sequence, not as 'ref :'.
	check "... by their sequence alone, no ref held ($how)" \
		grep -q '^    seq [0-9]* (its ref not shown): key_not_valid: ' "$T/status.out"
	stop_node pj TERM
	stop_cons TERM
	"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
	rc=$?
	# Exit 1: envelopes left out, those pj-1 signed after the revocation's
	# sequence (the thief's, and the genuine node's delivered after them).
	check "kuska-consolidator --rebuild leaves out the $((last - na)) of pj-1 after sequence $na (exit $rc)" \
		sh -c "test $rc = 1 && grep -q '($((last - na)) left out' '$T/rebuild.out'"
	start_cons
	query_tables "$T/after"
	check "every table equals the run without a theft ($how)" \
		same_tables "$T/clean" "$T/after"
	stop_cons TERM

}

# put_back: what a theft changed, as it was, and no data.
put_back() {
	cp "$T/registry.orig" "$N/registry.conf"
	cp "$T/pj.conf.orig" "$N/pj.conf"
	cp "$T/pj.key.orig" "$N/keys/pj.key"
	cp "$T/pj.pub.orig" "$N/keys/pj.pub"
	rm -rf "$N/keys2" "$N/keys/previous" "$N/data/pj-thief"
	check "the key holder reloads the registry as it was" \
		hup_wait "$N/keyholder.log" "event=reload" "${PIDS[keyholder]}"
	wipe_data
}

theft seq
put_back
theft time
put_back
theft early

finish
