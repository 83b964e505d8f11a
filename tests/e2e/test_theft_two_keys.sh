#!/usr/bin/env bash
# A thief with both of a node's keys (OPERATIONS.md §6): the earlier one,
# pj-1, and pj-2, which replaced it on the same machine. pj delivers part
# a; the thief, with a copy of its keys and outbox, delivers t1 with pj-1
# at the sequences after a; the genuine node's b is refused as a conflict.
# pj gets pj-2, which the thief takes too and delivers t2 with. pj-1 is
# revoked after a's last, as it should be, so t1 is handed back revoked,
# but t2 is held as accepted. kuska-node --recover refuses, naming t2's
# first sequence and pj-2 as the key to revoke (it named t1's first and
# pj-1, revoked already there: revoking it again changed nothing, and the
# recovery refused the same way for ever).
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
sed -n '1,15p' "$T/sim/pj.jsonl" >"$T/a.jsonl"
sed -n '16,25p' "$T/sim/pj.jsonl" >"$T/b.jsonl"
# The thief's: records under refs of its own, in two parts.
python3 - "$T/sim/pj.jsonl" "$T/t1.jsonl" "$T/t2.jsonl" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][25:30]
for i, r in enumerate(rs):
    r["ref"] = "PJ-THIEF-%d" % (i + 1)
with open(sys.argv[2], "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in rs[:3])
with open(sys.argv[3], "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in rs[3:])
PY
na=$(records "$T/a.jsonl")
nt1=$(records "$T/t1.jsonl")
nt2=$(records "$T/t2.jsonl")
fp1=$(sed -n 's/^fingerprint = //p' "$N/keys/pj.pub")

# diverged INST SECONDS: until kuska status says INST diverged.
diverged() {
	for _ in $(seq $(($2 * 5))); do
		"$KUSKA" status -c "$N/$1.conf" 2>/dev/null | grep -q DIVERGED &&
			return 0
		sleep 0.2
	done
	return 1
}

# --- a; the theft of pj-1: t1 takes the sequences after a -------------------
start_cons
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
stop_node pj TERM
cp -a "$N/data/pj" "$N/data/pj-thief"
sed -e 's|^data_dir = .*|data_dir = data/pj-thief|' \
	-e 's|^submit = .*|submit = ipc://run/pj-thief.sock|' \
	"$N/pj.conf" >"$N/pj-thief.conf"
start_node pj
start_node pj-thief
"$KUSKA" submit -c "$N/pj-thief.conf" "$T/t1.jsonl" >"$T/t1.out" 2>&1
check "the thief's t1 accepted by its node" \
	grep -q "t1.jsonl: $nt1 accepted, 0 already held, 0 refused" "$T/t1.out"
check "... and delivered with pj-1" wait_held pj $((na + nt1)) 30
"$KUSKA" submit -c "$N/pj.conf" "$T/b.jsonl" >/dev/null
check "the genuine node's b refused as a conflict: it stops as diverged" \
	diverged pj 30
stop_node pj-thief TERM
stop_node pj TERM

# --- pj-2, taken by the thief too: t2 ----------------------------------------
rotate_key pj
echo "previous_keys = keys/previous" >>"$N/pj-thief.conf"
start_node pj-thief
"$KUSKA" submit -c "$N/pj-thief.conf" "$T/t2.jsonl" >"$T/t2.out" 2>&1
check "the thief's t2 accepted by its node" \
	grep -q "t2.jsonl: $nt2 accepted, 0 already held, 0 refused" "$T/t2.out"
check "... and delivered with pj-2" wait_held pj $((na + nt1 + nt2)) 30
stop_node pj-thief TERM

# --- pj-1 revoked after a's last: t1 revoked, t2 still accepted --------------
revoke_key pj-1 "$na"
check "the consolidator reloads pj-1's revocation after a's last" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
before=$(md5sum <"$N/data/pj/data.mdb")
recover_into "$T/late.out" pj 1 \
	"kuska-node --recover refuses t2, held as accepted"
check "... naming t2's first, $((na + nt1 + 1)), as accepted with pj-2 ($FP2)" \
	grep -q "holds as accepted, at sequence $((na + nt1 + 1)), an envelope signed with this node's key $FP2 that this outbox did not sign" "$T/late.out"
check "... and pj-2 as the key to revoke, after $((na + nt1)), not pj-1 ($fp1), revoked already" \
	grep -q "The first this outbox did not sign and not handed back revoked is at sequence $((na + nt1 + 1)), signed with this node's key $FP2: revoke that key (the registry's \\[key\\] whose .pub has that fingerprint) with revoked_after_seq = $((na + nt1)) " "$T/late.out"
check "... and that the node then needs a new key, pj-2 being the one it signs with" \
	grep -q "revoked_after_seq = $((na + nt1)) (or lower), give this node a new key, as it signs with that one now (a rotation, OPERATIONS.md section 6: the consolidator turns a revoked key away, --recover's too, \"the consolidator at ... refused this node's key\", and refuses its next events), reload the consolidator" "$T/late.out"
check "... saying another key's envelopes are not handed back revoked" \
	grep -q "signed by a key revoked before them: another of this node's keys signed envelopes it does not hand back revoked, and" "$T/late.out"
check "... not that a revocation of pj-2, which has none, comes too late" \
	sh -c "! grep -q 'too late' '$T/late.out'"
check "... the outbox unchanged" \
	test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"
stop_cons TERM

finish
