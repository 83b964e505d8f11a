#!/usr/bin/env bash
# A thief with a node's earlier key, after its rotation (OPERATIONS.md §6).
# pj delivers part a with pj-1, gets pj-2 (pj-1's .pub in previous_keys)
# and delivers a2 with it. The thief, with pj-1 and a copy of pj's
# outbox, delivers t with pj-1 at the sequences after a2, and pj takes
# nothing since: the thief's envelopes are all past its outbox's end.
# kuska-node --recover judged them as it does past the end of an outbox
# restored from a backup: perhaps this node's own ("all past its end",
# "this outbox ends at sequence ...: an older copy of it", the unsure
# refusal). But the outbox's last envelope is pj-2's, and a node never
# goes back to an earlier key: pj-1's after it are certainly not pj's.
# The recovery now says so in each text, by the key as by the sequence.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
sed -n '1,10p' "$T/sim/pj.jsonl" >"$T/a.jsonl"
sed -n '11,15p' "$T/sim/pj.jsonl" >"$T/a2.jsonl"
# The thief's: records under refs of its own.
python3 - "$T/sim/pj.jsonl" "$T/t.jsonl" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][25:28]
with open(sys.argv[2], "w") as f:
    for i, r in enumerate(rs):
        r["ref"] = "PJ-THIEF-%d" % (i + 1)
        f.write(json.dumps(r) + "\n")
PY
na=$(records "$T/a.jsonl")
na2=$(records "$T/a2.jsonl")
nt=$(records "$T/t.jsonl")
end=$((na + na2))
fp1=$(sed -n 's/^fingerprint = //p' "$N/keys/pj.pub")

# --- a with pj-1; pj-2; a2 with pj-2 -------------------------------------------
start_cons
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" >/dev/null
check "part a delivered with pj-1" wait_delivered 30
stop_node pj TERM
cp "$N/keys/pj.key" "$N/keys/pj-1.key" # the thief's, below
rotate_key pj
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a2.jsonl" >/dev/null
check "part a2 delivered with pj-2" wait_held pj "$end" 30
stop_node pj TERM

# --- the thief: pj-1 and a copy of the outbox; t after a2 ----------------------
cp -a "$N/data/pj" "$N/data/pj-thief"
sed -e 's|^data_dir = .*|data_dir = data/pj-thief|' \
	-e 's|^submit = .*|submit = ipc://run/pj-thief.sock|' \
	-e 's|^key = .*|key = keys/pj-1.key|' \
	"$N/pj.conf" >"$N/pj-thief.conf"
start_node pj-thief
"$KUSKA" submit -c "$N/pj-thief.conf" "$T/t.jsonl" >"$T/t.out" 2>&1
check "the thief's t accepted by its node" \
	grep -q "t.jsonl: $nt accepted, 0 already held, 0 refused" "$T/t.out"
check "... and delivered with pj-1 after a2" wait_held pj $((end + nt)) 30
stop_node pj-thief TERM

# --- no key revoked: taken, but said to be the thief's -------------------------
cp -a "$N/data/pj" "$T/pj-unrecovered"
recover_into "$T/early.out" pj 0 \
	"kuska-node --recover with no key revoked succeeds"
check "... saying the $nt past its end, pj-1's ($fp1) after pj-2's, are not this node's own: revoke pj-1 after $end" \
	grep -q "^$nt envelopes it holds are signed with this node's earlier key $fp1 but not by this outbox .* the first at sequence $((end + 1)): kept as this node's\. Yet the first is not its own (past this outbox's end and signed with an earlier key than its last envelope: .*Revoke this node's earlier key $fp1 (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $end, reload" "$T/early.out"
check "... not that the thief's first may be later" \
	sh -c "! grep -q 'the thief.s first may be later' '$T/early.out'"
rm -rf "${N:?}/data/pj"
cp -a "$T/pj-unrecovered" "$N/data/pj"

# --- pj-1 revoked one too late: refused as certainly the thief's ----------------
revoke_key pj-1 $((end + 1))
check "the consolidator reloads pj-1 revoked after the thief's first" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
before=$(md5sum <"$N/data/pj/data.mdb")
recover_into "$T/late.out" pj 1 \
	"kuska-node --recover refuses a revocation after the thief's first"
check "... naming the thief's first, $((end + 1)), and pj-1 to revoke after $end" \
	grep -q "The first this outbox did not sign is at sequence $((end + 1)), signed with this node's earlier key $fp1: revoke that key (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $end (or lower), reload" "$T/late.out"
check "... not that this outbox cannot tell whose they are" \
	sh -c "! grep -q 'cannot tell whose they are' '$T/late.out'"
check "... the outbox unchanged" \
	test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"

# --- pj-1 revoked after a2: the thief's refused, none counted -------------------
revoke_key pj-1 "$end"
check "the consolidator reloads pj-1 revoked after a2" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
recover_into "$T/recover.out" pj 0 "kuska-node --recover succeeds"
check "... the $nt the thief's, the first at $((end + 1)): revoked_after_seq = $end on pj-1 leaves none counted" \
	grep -q "^$nt envelopes it holds are not this outbox's, the first at sequence $((end + 1)) (past its end, signed with an earlier key than its last envelope: not this node's): the thief's first, so revoked_after_seq = $end on this node's earlier key $fp1 leaves none of the thief's counted$" "$T/recover.out"
check "... not as an older copy of this outbox, such as a backup, but as ending before the thief's" \
	sh -c "! grep -q 'all past its end\\|an older copy of it' '$T/recover.out' &&
		grep -q '^this outbox ends at sequence $end, before the consolidator.s copy (at $((end + nt))), whose envelopes past it are not this node.s (above): nothing this outbox holds is lost' '$T/recover.out'"
check "... nor that the node needs a new key: pj-2 is not revoked" \
	sh -c "! grep -q 'needs a new key' '$T/recover.out'"
stop_cons TERM

finish
