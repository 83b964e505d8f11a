#!/usr/bin/env bash
# End to end: a node's outbox restored from a backup that is only older
# than the consolidator's copy (nothing taken since the restore), as a
# sysadmin moving the node to a new machine does. `kuska-node --recover`
# says it is an older copy, not one that disagrees, and says so first,
# before the envelopes past its end that a thief could have signed; it
# takes back every event, and the exports resubmitted are all "already
# held": each record counted once.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 200 --seed 21 >/dev/null
sed -n '1,200p' "$T/sim/pnp.jsonl" >"$T/a.jsonl"
sed -n '201,$p' "$T/sim/pnp.jsonl" >"$T/b.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")

start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
stop_node pnp TERM
cp -a "$N/data/pnp" "$T/backup"
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/b.jsonl" >/dev/null
check "part b delivered" wait_delivered 30
stop_node pnp TERM
query_tables "$T/before"

# The machine lost; the backup restored on the new one, recovered before
# the node starts.
rm -rf "$N/data/pnp"
cp -a "$T/backup" "$N/data/pnp"
# First with the installed config, as `kuska status` ("run kuska-node
# --recover -c FILE") may be read: its keys are the unit's credentials,
# absent with the service stopped. The refusal says to use a copy whose
# keys point at /etc/kuska/keys (it spoke only of checking a config).
sed 's|^key = .*|key = /run/credentials/kuska-node@pnp.service/node.key|' \
	"$N/pnp.conf" >"$N/pnp-installed.conf"
"$NODE" --recover -c "$N/pnp-installed.conf" >"$T/installed.out" 2>&1
rc=$?
check "kuska-node --recover with the unit's credentials as keys exits 78 ($rc)" \
	test $rc = 78
check "... saying to run it on a copy of the config with the keys of /etc/kuska/keys" \
	grep -q "there only while the service runs: to check a config before, or for a command run with the service stopped (kuska-node --recover, kuska-consolidator --repair), use a copy of the config whose keys point at the files in /etc/kuska/keys; OPERATIONS.md sections 2 and 10)\$" "$T/installed.out"
"$NODE" --recover -c "$N/pnp.conf" >"$T/recover.out" 2>&1
rc=$?
check "kuska-node --recover succeeds (exit $rc)" test $rc = 0
check "... gets back every event" \
	grep -q "^recovered $((na + nb)) events" "$T/recover.out"
check "... and says the restored outbox is an older copy" \
	grep -q "^this outbox ends at sequence $na, before the consolidator's copy (at $((na + nb))): an older copy of it, such as a backup" \
	"$T/recover.out"
check "... not that it disagreed" \
	sh -c "! grep -q 'did not agree' '$T/recover.out'"
# The envelopes past its end, b's, may be a thief's if the outbox was not
# restored: said after it says a backup, which explains them (walk56r: the
# advice to revoke this node's key came first).
behind=$(grep -n "^this outbox ends at sequence" "$T/recover.out" | cut -d: -f1)
other=$(grep -n "^$nb envelopes it holds are signed with this node's key " "$T/recover.out" | cut -d: -f1)
check "... before it names b's $nb envelopes as this node's or a thief's (lines ${behind:-none} and ${other:-none})" \
	test -n "$behind" -a -n "$other" -a "${behind:-0}" -lt "${other:-0}"
# That line says what happened, whose they may be, then what to do in the
# order it is done (the new key between the revocation and the reload, the
# caveat before the advice: node57).
check "... saying what happened, then what to do, in order" \
	grep -q "the first at sequence $((na + 1)): kept as this node's\. They are its own if this outbox was restored from a backup or replaced; if it was neither, a thief's, with its stolen key (if it was restored and the key stolen too, .*)\. If a thief's, revoke this node's key [0-9a-f]* (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $na, give this node a new key, as it signs with that one now (a rotation, .*), reload the consolidator and run --recover again (OPERATIONS.md section 6)\$" "$T/recover.out"

start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" "$T/b.jsonl" >"$T/again.out" 2>&1
check "the exports resubmitted are all already held" sh -c \
	"grep -q '^$T/a.jsonl: 0 accepted, $na already held' '$T/again.out' &&
	 grep -q '^$T/b.jsonl: 0 accepted, $nb already held' '$T/again.out'"
check "nothing more at the consolidator" \
	test "$(cons_last_seq pnp)" = $((na + nb))
query_tables "$T/after"
check "the same tables as before the machine was lost" \
	same_tables "$T/before" "$T/after"
finish
