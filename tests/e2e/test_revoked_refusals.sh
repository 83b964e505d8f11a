#!/usr/bin/env bash
# End to end: a node that lost the Acks of its last batches asks the
# consolidator for their refusals; meanwhile the key that signed them was
# revoked after a sequence among them (OPERATIONS.md section 6: a thief's,
# or the genuine node's own after the thief's took its sequences). The
# consolidator stored them as accepted before the revocation, leaves them
# out of the statistics at --rebuild and hands them back to --recover as
# refused: its answer to the node's ask must say so too, or the node takes
# them for accepted and never resubmits them.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 7 >/dev/null
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n 1,10p >"$T/a.jsonl"
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n 11,20p >"$T/c.jsonl"
nc=$(records "$T/c.jsonl")
check "the simulation gives 10 more records" test "$nc" = 10
start_cons
NODE_OPTS=-d start_node pnp # -d: its batch_sent lines
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "first records delivered" wait_delivered 30
base=$(cons_last_seq pnp)

# The Acks of c's batches go to a stopped node, killed before it reads them.
kill -STOP "${PIDS[cons]}"
"$KUSKA" submit -c "$N/pnp.conf" "$T/c.jsonl" >/dev/null
check "the node sends c to the stopped consolidator" \
	wait_log "$N/pnp.log" "event=batch_sent .* last=$((base + nc))\$" 30
kill -STOP "${PIDS[pnp]}"
kill -CONT "${PIDS[cons]}"
held() {
	for _ in $(seq 150); do
		[ "$(cons_last_seq pnp)" = $((base + nc)) ] && return 0
		sleep 0.2
	done
	return 1
}
check "the consolidator accepts c" held
stop_node pnp KILL

# pnp-1 revoked after base+4; the node gets a new key, the old .pub kept.
cut=$((base + 4))
mkdir "$N/keys2"
"$KUSKA" keygen pnp --dir "$N/keys2" >/dev/null
awk -v last="$cut" '
	{ print }
	$0 == "[key pnp-1]" { print "revoked = 2026-01-01T00:00:00Z"
		print "revoked_after_seq = " last }' "$N/registry.conf" >"$T/reg.new"
printf '\n[key pnp-2]\nowner = pnp\npublic_key = keys2/pnp.pub\n' >>"$T/reg.new"
mv "$T/reg.new" "$N/registry.conf"
check "the consolidator reloads the registry" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
mkdir "$N/keys/previous"
cp "$N/keys/pnp.pub" "$N/keys/previous/pnp-1.pub"
cp "$N/keys2/pnp.key" "$N/keys/pnp.key"
echo "previous_keys = keys/previous" >>"$N/pnp.conf"

# Welcomed with the consolidator's last, the node asks for c's refusals.
start_node pnp
check "the node asks for the refusals of the Acks it lost" \
	wait_log "$N/pnp.log" "event=refusals_asked" 30
n=$((base + nc - cut))
check "the node shows the $n signed after the revocation's sequence as dead letters" \
	wait_dead_letters pnp $n
check "... refused as the key was revoked after sequence $cut" \
	sh -c "test \$(grep -c 'key_not_valid: key pnp-1 was revoked after sequence $cut' '$T/status.out') = $n"
check "... the first of them at sequence $((cut + 1))" \
	grep -q "^    seq $((cut + 1)) .*key_not_valid" "$T/status.out"
check "... and what to do of them: not their content, the operators take them again (--refetch)" \
	sh -c "grep -qxF \"    (one refused for the node's key, network or envelope, not its content: ask the operators to take it again, --refetch; sent anew it would count twice: docs/INPUT.md section 9)\" '$T/status.out' &&
		! grep -qF 'one refused for its content' '$T/status.out'"
check "the consolidator's log counts them handed back as revoked" \
	grep -q "event=recover institution=pnp .* revoked=$n .* refusals_only=yes" \
	"$N/consolidator.log"

finish
