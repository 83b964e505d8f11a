#!/usr/bin/env bash
# A node restored from a backup over envelopes signed with two of its keys
# (OPERATIONS.md §6, §10). pj delivers part a, is backed up, delivers b1
# with its key pj-1, gets a new key pj-2 (pj-1's .pub in previous_keys),
# delivers b2 with it, and its outbox is restored from the backup.
# kuska-node --recover says the envelopes past the outbox's end are signed
# with "this node's keys" and names the first's, pj-1, as the one to revoke.
# With pj-1 revoked after a's last, b1 is handed back refused and only b2,
# all pj-2's, is held as accepted: the refusal names pj-2 alone as their key
# (it said "this node's keys (the first with ...)" of them, counting pj-1's
# refused ones with them), and says the node needs a new key before
# --recover runs again. With pj-2 revoked too, before that new key, the
# consolidator turns the recovery away at its handshake: it stops at once,
# saying its key was refused. With another consolidator_key, its handshakes
# fail: it stops after three, in the running node's words.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
sed -n '1,15p' "$T/sim/pj.jsonl" >"$T/a.jsonl"
sed -n '16,20p' "$T/sim/pj.jsonl" >"$T/b1.jsonl"
sed -n '21,25p' "$T/sim/pj.jsonl" >"$T/b2.jsonl"
na=$(records "$T/a.jsonl")
nb1=$(records "$T/b1.jsonl")
nb2=$(records "$T/b2.jsonl")
last=$((na + nb1 + nb2))
fp1=$(sed -n 's/^fingerprint = //p' "$N/keys/pj.pub")

# --- a, the backup, b1 with pj-1 ----------------------------------------------
start_cons
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
stop_node pj TERM
backup_node pj
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/b1.jsonl" >/dev/null
check "part b1 delivered after the backup, signed with pj-1" \
	wait_held pj $((na + nb1)) 30
stop_node pj TERM

# --- a new key, pj-1's .pub in previous_keys; b2 with pj-2 ----------------------
rotate_key pj
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/b2.jsonl" >/dev/null
check "part b2 delivered, signed with pj-2" wait_held pj "$last" 30
stop_node pj TERM

# --- restored, no key revoked: both keys' envelopes past its end ---------------
restore_node pj
recover_into "$T/early.out" pj 0 \
	"kuska-node --recover with no key revoked succeeds"
check "... saying the $((nb1 + nb2)) past its end are signed with this node's keys, the first, $((na + 1)), with pj-1 ($fp1), the one to revoke" \
	grep -q "^$((nb1 + nb2)) envelopes it holds are signed with this node's keys but not by this outbox .* the first at sequence $((na + 1)) with this node's earlier key $fp1: kept as this node's\. .* revoke this node's earlier key $fp1 (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $na, reload" "$T/early.out"

# --- restored again, pj-1 revoked after a's last: b2 alone accepted ------------
restore_node pj
revoke_key pj-1 "$na"
check "the consolidator reloads pj-1's revocation after a's last" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
before=$(md5sum <"$N/data/pj/data.mdb")
recover_into "$T/unsure.out" pj 1 \
	"kuska-node --recover refuses b2, accepted past the restored outbox's end"
check "... naming them, $((na + nb1 + 1))-$last, as signed with pj-2 ($FP2), the key this node signs with" \
	grep -q "holds as accepted envelopes signed with this node's key $FP2 that this outbox did not sign, at sequences $((na + nb1 + 1))-$last, past its end (its last sequence is $na)" "$T/unsure.out"
check "... and pj-2 as the key to revoke" \
	grep -q "revoke this node's key $FP2 (the registry's .key. whose .pub has that fingerprint) with revoked_after_seq = $na, which revokes all of $((na + 1))-$last: " "$T/unsure.out"
check "... and that the node then needs a new key before --recover runs again, pj-2 being the one it signs with" \
	grep -q "counted once; give this node a new key, as it signs with that one now (a rotation, OPERATIONS.md section 6: the consolidator turns a revoked key away, --recover's too, \"the consolidator at ... refused this node's key\", and refuses its next events), reload the consolidator" "$T/unsure.out"
check "... not saying they are signed with more than one key" \
	sh -c "! grep -q \"this node's keys\" '$T/unsure.out'"
check "... the outbox unchanged" \
	test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"

# --- pj-2 revoked after a's last too, as told, before its new key ---------------
# The consolidator turns pj-2 away at its handshake, this recovery too: it
# stops at once and says why and what to do (it waited its 30 s for an
# answer, then said "Connection timed out"; the advice above said to revoke
# pj-2, reload "and run --recover again").
revoke_key pj-2 "$na"
check "the consolidator reloads pj-2's revocation after a's last" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
t0=$SECONDS
recover_into "$T/both.out" pj 1 \
	"kuska-node --recover with pj-2, the node's key, revoked is refused"
check "... at once, not after its 30 s wait for an answer ($((SECONDS - t0)) s)" \
	test $((SECONDS - t0)) -lt 10
check "... and says its key was refused: give the node a new key first" \
	grep -q "^kuska-node: the consolidator at .* refused this node's key: recovery stopped (the outbox is unchanged); is this node's transport key in the registry? it refuses a key it has revoked or does not list, one outside its valid_from and valid_until, and one over max_connections_per_key or max_connections (its journal says why: event=auth_refused): if this node's key was revoked, give the node a new key first (a rotation, OPERATIONS.md section 6); if it expired, this node's key files may be from a backup older than a rotation (OPERATIONS.md section 7)$" "$T/both.out"
check "... not that it had no answer" \
	sh -c "! grep -q 'no answer' '$T/both.out'"
check "... the outbox unchanged" \
	test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"

# --- a consolidator_key that is not the consolidator's ---------------------------
# Its handshakes fail (the consolidator cannot read them) and libzmq dials
# again at once: three in a row stop the recovery, in the running node's
# words (it too waited 30 s, then said "Connection timed out").
install -d -m 0700 "$T/other"
"$KUSKA" keygen consolidator --dir "$T/other" >/dev/null
sed "s|^consolidator_key = .*|consolidator_key = ${T:?}/other/consolidator.pub|" \
	"$N/pj.conf" >"$N/pj-other.conf"
check "... a config naming another consolidator_key" \
	grep -q "^consolidator_key = ${T:?}/other/consolidator.pub$" "$N/pj-other.conf"
t0=$SECONDS
recover_into "$T/other.out" pj-other 1 \
	"kuska-node --recover with another consolidator_key fails"
check "... at once, not after its 30 s wait for an answer ($((SECONDS - t0)) s)" \
	test $((SECONDS - t0)) -lt 10
check "... asking, as the running node does, whether consolidator_key is wrong or another service answers" \
	grep -q "^kuska-node: the handshake with the consolidator at .* failed 3 times in a row: recovery stopped (the outbox is unchanged); wrong consolidator_key? or another service at this host and port?$" "$T/other.out"
check "... the outbox unchanged" \
	test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"
stop_cons TERM

finish
