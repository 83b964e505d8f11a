#!/usr/bin/env bash
# A node restored from a backup AND its key stolen (OPERATIONS.md §6, §10).
# pj delivers part a, is backed up, delivers part b (its own, signed after
# the backup); a thief with a copy of its keys and outbox delivers records
# of its own after them; the outbox is restored from the backup (it ends at
# a's last), and the stolen key revoked after b's last, the right place.
# kuska-node --recover cannot tell b's envelopes, past the restored outbox's
# end, from a thief's: it refuses, saying so, names the range that may be
# the node's own, and does not advise revoking them without saying that it
# revokes them (the recovery before this said "The first this outbox did not
# sign is at sequence a+1: revoke ... revoked_after_seq = a", as if b were
# certainly the thief's). Its safe way out, revoked_after_seq = a's last, is
# taken: the recovery succeeds without calling b the thief's, b resubmitted
# is sent anew, and after --rebuild every table equals a run without the
# theft and the restore.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
sed -n '1,15p' "$T/sim/pj.jsonl" >"$T/a.jsonl"
sed -n '16,25p' "$T/sim/pj.jsonl" >"$T/b.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")
# The thief's: records under refs of its own.
python3 - "$T/sim/pj.jsonl" >"$T/thief.jsonl" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][25:28]
for i, r in enumerate(rs):
    r["ref"] = "PJ-THIEF-%d" % (i + 1)
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

# --- a, the backup, b ----------------------------------------------------------
start_cons
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
stop_node pj TERM
backup_node pj
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/b.jsonl" >/dev/null
check "part b delivered after the backup" wait_held pj $((na + nb)) 30
stop_node pj TERM

# --- the theft ---------------------------------------------------------------
cp -a "$N/data/pj" "$N/data/pj-thief"
sed -e 's|^data_dir = .*|data_dir = data/pj-thief|' \
	-e 's|^submit = .*|submit = ipc://run/pj-thief.sock|' \
	"$N/pj.conf" >"$N/pj-thief.conf"
start_node pj-thief
"$KUSKA" submit -c "$N/pj-thief.conf" "$T/thief.jsonl" >"$T/thief.out" 2>&1
check "the thief's records accepted by its node" \
	grep -q "thief.jsonl: $nt accepted, 0 already held, 0 refused" "$T/thief.out"
check "... and delivered" wait_held pj $((na + nb + nt)) 30
stop_node pj-thief TERM

# --- the restore, a new key, the revocation after b's last --------------------
restore_node pj
rotate_key pj
revoke_key pj-1 $((na + nb))
check "the consolidator reloads the revocation after b's last" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
check "... and the key holder" \
	hup_wait "$N/keyholder.log" "event=reload" "${PIDS[keyholder]}"

# --- the recovery: b cannot be told from a thief's ----------------------------
before=$(md5sum <"$N/data/pj/data.mdb")
recover_into "$T/unsure.out" pj 1 \
	"kuska-node --recover refuses b, past the restored outbox's end"
check "... naming them as past its end, $((na + 1))-$((na + nb)), and maybe this node's own" \
	grep -q "at sequences $((na + 1))-$((na + nb)), past its end (its last sequence is $na), .*this node's own if it was restored from a backup" "$T/unsure.out"
check "... advising revoked_after_seq = $na only saying it revokes them" \
	grep -q "revoked_after_seq = $na, which revokes all of $((na + 1))-$((na + nb)): those that are this node's own are then handed back refused and sent again" "$T/unsure.out"
check "... naming the key that signed them, and to revoke: pj-1 ($fp1), the node's earlier key" \
	sh -c "grep -q \"signed with this node's earlier key $fp1 that this outbox did not sign, at sequences\" '$T/unsure.out' &&
		grep -q \"revoke this node's earlier key $fp1 (the registry's .key. whose .pub has that fingerprint) with revoked_after_seq = $na,\" '$T/unsure.out'"
check "... and not calling $((na + 1)) the first this outbox did not sign, as if certain" \
	sh -c "! grep -q 'The first this outbox did not sign' '$T/unsure.out'"
check "... the outbox unchanged" \
	test "$(md5sum <"$N/data/pj/data.mdb")" = "$before"

# --- the safe way out: revoked after the restored outbox's last ---------------
revoke_key pj-1 "$na"
check "the consolidator reloads the revocation after a's last" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
recover_into "$T/recover.out" pj 0 "kuska-node --recover succeeds"
check "... saying the $((nb + nt)) after sequence $na are not valid under their key, pj-1 ($fp1), maybe its own from after the backup" \
	grep -q "$((nb + nt)) of them signed with a key revoked before them, the first at sequence $((na + 1)), signed with this node's earlier key $fp1 (.*or after the backup a restored outbox came from)" "$T/recover.out"
check "... and that those this outbox did not sign are past its end, signed with pj-1: a thief's or its own" \
	grep -q "^$((nb + nt)) envelopes it holds are not this outbox's, all past its end (its last sequence is $na), the first at sequence $((na + 1)), signed with this node's earlier key $fp1: the thief's first, or this node's own" "$T/recover.out"
check "... not calling $((na + 1)) the thief's first, as if certain" \
	sh -c "! grep -q 'the first at sequence $((na + 1)): the thief.s first, so' '$T/recover.out'"
start_node pj
"$KUSKA" submit -c "$N/pj.conf" "$T/a.jsonl" "$T/b.jsonl" >"$T/resubmit.out" 2>&1
sed 's/^/#   /' "$T/resubmit.out"
check "resubmitted: a already held" \
	grep -q "a.jsonl: 0 accepted, $na already held, 0 refused" "$T/resubmit.out"
check "... b, revoked with the thief's, sent anew" \
	grep -q "b.jsonl: $nb accepted, 0 already held, 0 refused" "$T/resubmit.out"
check "... and delivered" wait_delivered 30
stop_node pj TERM
stop_cons TERM
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
rc=$?
check "kuska-consolidator --rebuild leaves out the $((nb + nt)) of pj-1 after sequence $na (exit $rc)" \
	sh -c "test $rc = 1 && grep -q '($((nb + nt)) left out' '$T/rebuild.out'"
start_cons
query_tables "$T/after"
check "every table equals the run without the theft and the restore" \
	same_tables "$T/clean" "$T/after"
stop_cons TERM

finish
