#!/usr/bin/env bash
# End to end: what kuska status tells a statistics officer after a key
# rotation of a record whose correction the consolidator refused for its
# content (a case stage pnp may not emit: the registry lost it for a
# while). The export sent again holds that correction's line and does
# not re-key the record (docs/OPERATIONS.md section 9), so the record
# stays on the line "records under key epoch 1", whose advice "send them
# again" alone would have the officer send the export round in circles:
# the status says that sending again leaves it there, and what does not
# (a correction under a new ref), after which the line goes. A new
# record refused so when first sent counts nowhere, nor on that line; and
# the advice goes with the held record, though the dead letters stay
# listed, while a record left out of the export stays on the line.
. "$(dirname "$0")/lib.sh"

# status: pnp's kuska status into $T/status.out.
status() {
	"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" 2>&1
	return 0
}

net_init
start_cons
start_keyholder
start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 49 >/dev/null
grep '"kind":"case_stage"' "$T/sim/pnp.jsonl" | grep '"stage":"complaint"' |
	head -1 >"$T/stage.jsonl"
check "a case stage of pnp" test -s "$T/stage.jsonl"
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | head -1 >"$T/left.jsonl"
check "an identification of pnp" test -s "$T/left.jsonl"
# correct REF STAGE [PERSONS]: a correction of the case stage, under REF.
correct() {
	python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
target = r.pop("ref")
r["stage"] = sys.argv[3]
if len(sys.argv) > 4:
	r["persons"] = int(sys.argv[4])
print(json.dumps({"kind": "correction", "ref": sys.argv[2],
	"target_ref": target, "record": r}))' "$T/stage.jsonl" "$@"
}
correct PNP-CO-1 preliminary_investigation >"$T/corr.jsonl"
cat "$T/stage.jsonl" "$T/corr.jsonl" >"$T/export.jsonl"
# A new case stage of another ref, refused when first sent.
python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
r["ref"] = "PNP-NEW-1"
r["stage"] = "preliminary_investigation"
print(json.dumps(r))' "$T/stage.jsonl" >"$T/new.jsonl"

check "the case stage sent" "$KUSKA" submit -c "$N/pnp.conf" "$T/stage.jsonl"
check "an identification sent, never resubmitted" \
	"$KUSKA" submit -c "$N/pnp.conf" "$T/left.jsonl"
check "delivered" wait_delivered 60
cp "$N/registry.conf" "$T/registry.good"
sed -i '/^\[institution pnp\]/,/^\[/ s/^stages = .*/stages = complaint/' \
	"$N/registry.conf"
check "the consolidator reloads the registry without preliminary_investigation" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
check "the correction and a new record sent (the node not yet told)" \
	"$KUSKA" submit -c "$N/pnp.conf" "$T/corr.jsonl" "$T/new.jsonl"
check "the consolidator refuses both: stage_not_allowed" \
	wait_dead_letters pnp 2
cp "$T/registry.good" "$N/registry.conf"
check "the registry mended" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"

# The rotation: epoch 2's linkage key and OPRF share.
"$KUSKA" keygen --linkage "$N/keys/linkage2.key" --epoch 2 >/dev/null
"$KUSKA" keygen --oprf-share "$N/keys/share2.share" --epoch 2 >/dev/null
stop_node pnp TERM
stop_keyholder TERM
sed -i 's|^share = .*|share = keys/share2.share|' "$N/keyholder.conf"
sed -i 's|^linkage_key = .*|linkage_key = keys/linkage2.key|' "$N/pnp.conf"
start_keyholder
start_node pnp
status
check "before resubmitting: two records under epoch 1 (not the one refused when first sent), the dead letters listed" \
	sh -c "grep -q '^  records under key epoch 1: 2 (send them again' '$T/status.out' &&
		grep -q 'stage_not_allowed' '$T/status.out'"
check "... and no older node's guess from them: this node counts them" \
	sh -c "! grep -q 'an older node' '$T/status.out'"

"$KUSKA" submit -c "$N/pnp.conf" "$T/export.jsonl" >"$T/again.out" 2>&1
check "the export sent again: the correction's line held, nothing re-keyed" \
	grep -q ': 0 accepted, 2 already held, 0 refused' "$T/again.out"
check "... and nothing said of re-keying" sh -c "! grep -q re-keyed '$T/again.out'"
check "... the correction's line said refused by the consolidator: the record counts as it was" \
	grep -q 'export.jsonl:2: warning: already held but the consolidator refused it (seq [0-9]*: stage_not_allowed): the record counts as it was; send a correction naming the record (under a new ref) or a withdrawal$' \
	"$T/again.out"
status
check "after it the record is still under epoch 1, with the one left out" \
	grep -q '^  records under key epoch 1: 2 ' "$T/status.out"
check "and the status says sending again leaves it there, and what does not" \
	grep -q '^    (sending them again does not re-key 1 of them whose correction the consolidator refused for its content, a dead letter: each stays here until corrected anew under a new ref, or withdrawn; docs/OPERATIONS.md section 9)$' \
	"$T/status.out"
grep -A1 'records under' "$T/status.out" | sed 's/^/#   /'

correct PNP-CO-2 complaint 3 >"$T/mend.jsonl"
check "corrected anew under a new ref" \
	"$KUSKA" submit -c "$N/pnp.conf" "$T/mend.jsonl"
check "delivered" wait_delivered 60
status
check "then only the record left out is under epoch 1, and no word of the held one, its dead letter still listed" \
	sh -c "grep -q '^  records under key epoch 1: 1 ' '$T/status.out' &&
		grep -q 'stage_not_allowed' '$T/status.out' &&
		! grep -q 'sending them again' '$T/status.out'"

finish
