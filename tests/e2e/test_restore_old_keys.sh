#!/usr/bin/env bash
# A node restored from a backup of its outbox and of its keys taken before
# a rotation (OPERATIONS.md §7): its machine lost after pj's key was
# replaced, the backup's /etc/kuska holds the old key as [node] key and no
# previous_keys. kuska-node --recover refuses the envelopes the newer key
# signed as not this node's, and says what the operator of such a restore
# does (walk56r: it said only "if this node's signing key was replaced,
# name the earlier key's .pub in [node] previous_keys", which here names
# no key the node lacks). Done as it says, the newer key signing again and
# the restored one's .pub in previous_keys, the recovery takes everything
# back and the exports resubmitted are all held already. Once the old
# key's window ended, the node with the backup's key is turned away at its
# handshake: its status, and --recover, say that a key past its
# valid_until is refused too, as keys restored from before a rotation may
# be (they asked only whether it was in the registry and not revoked).
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
sed -n '1,15p' "$T/sim/pj.jsonl" >"$T/a.jsonl"
sed -n '16,25p' "$T/sim/pj.jsonl" >"$T/b.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")

# --- a delivered, the outbox and /etc/kuska backed up -------------------------
start_cons
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
stop_node pj TERM
backup_node pj
cp "$N/pj.conf" "$T/pj.conf.backup"
cp "$N/keys/pj.key" "$T/pj.key.backup"

# --- a new key (§6); b delivered with it; the machine lost ----------------------
rotate_key pj
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/b.jsonl" >/dev/null
check "part b delivered, signed with pj-2" wait_held pj $((na + nb)) 30
stop_node pj KILL

# --- the backup restored, keys and config too ----------------------------------
restore_node pj
cp "$T/pj.conf.backup" "$N/pj.conf"
cp "$T/pj.key.backup" "$N/keys/pj.key"
before=$(md5sum <"$N/data/pj/data.mdb")
recover_into "$T/old.out" pj 1 \
	"kuska-node --recover with the backup's key refuses pj-2's envelopes"
check "... naming the first, $((na + 1)), and its key $FP2" \
	grep -q "envelope at sequence $((na + 1)) is not this node's: signed with a key that is not this node's (key $FP2)" "$T/old.out"
check "... and saying that key may be the newer one of keys restored from before a rotation, and what to do" \
	grep -q "; if \[node\] key came from a backup made before a rotation, key $FP2 may be this node's newer one: sign with it again (or with a new key: OPERATIONS.md section 6) and name the .pub of each key it replaced in previous_keys (OPERATIONS.md section 7)\$" "$T/old.out"
check "... the outbox unchanged" \
	test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"

# --- pj-1's window ended (§6: the old key's valid_until) ---------------------------
# A second on, so that every event pj-1 signed is older than its end.
sleep 1
until=$(date -u +%Y-%m-%dT%H:%M:%SZ)
awk -v until="$until" '{ print } $0 == "[key pj-1]" { print "valid_until = " until }' \
	"$N/registry.conf" >"$T/reg.new" && mv "$T/reg.new" "$N/registry.conf"
check "the consolidator reloads pj-1's end" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
start_node pj
wait_refused() {
	local i
	for i in $(seq 150); do
		"$KUSKA" status -c "$N/pj.conf" >"$T/status.out" 2>&1
		[ $? = 1 ] && grep -q "refused this node's handshake" \
			"$T/status.out" && return 0
		sleep 0.2
	done
	return 1
}
check "the node with the backup's key, expired, is refused at its handshake" \
	wait_refused
check "... its status asking whether the key is valid now, as keys restored from before a rotation may not be" \
	grep -q "WARNING: the consolidator refused this node's handshake .*: is its transport key in the registry and valid now (not revoked, not past its valid_until, as keys restored from a backup older than a rotation may be)?\$" "$T/status.out"
stop_node pj TERM
recover_into "$T/expired.out" pj 1 \
	"kuska-node --recover with the backup's key, expired, is turned away"
check "... saying a key outside its window is refused, and that an expired one may be from before a rotation" \
	grep -q "it refuses a key it has revoked or does not list, one outside its valid_from and valid_until, and one over max_connections_per_key or max_connections (its journal says why: event=auth_refused): .*; if it expired, this node's key files may be from a backup older than a rotation (OPERATIONS.md section 7)\$" "$T/expired.out"

# --- done as it says ---------------------------------------------------------------
cp "$N/keys2/pj-2.key" "$N/keys/pj.key"
echo "previous_keys = keys/previous" >>"$N/pj.conf"
recover_into "$T/new.out" pj 0 \
	"kuska-node --recover with pj-2 again and pj-1's .pub in previous_keys"
check "... takes back all $((na + nb))" \
	grep -q "^recovered $((na + nb)) events from the consolidator" "$T/new.out"
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/b.jsonl" >"$T/b.out" 2>&1
check "the exports since the backup resubmitted are all held already" \
	grep -q "^$T/b.jsonl: 0 accepted, $nb already held, 0 refused" "$T/b.out"
check "the restored node is in step" wait_delivered 30
is "the consolidator holds each once" "$(cons_last_seq pj)" $((na + nb))
check "kuska-consolidator --audit OK" audit_ok

finish
