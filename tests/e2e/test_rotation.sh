#!/usr/bin/env bash
# End to end: a key rotation without losing a count (docs/OPERATIONS.md,
# "Rotating the pseudonym keys"). Five institutions submit; the tables
# are taken. Then every pseudonym key changes at once: a new linkage key
# and, for key epoch 2, an OPRF key split between two key holders. Each
# institution resubmits its case system's export: records held under
# epoch 1 are re-sent as corrections carrying epoch-2 pseudonyms. While
# only some have resubmitted, links across institutions are broken (the
# overlap table differs); once all have, every table is byte-identical to
# before, every node shows the same check value, and a third
# resubmission changes nothing. Meanwhile kuska status says how many live
# records each node still holds under epoch 1: all of them before its
# institution resubmits, those its resubmission left out after (mp's in
# two halves; a pnp record missing from its export), none once they are
# sent again or withdrawn. The record pnp's export left out is sent again
# while the consolidator is stopped, and its signing key revoked after the
# sequence before it: the consolidator refuses the re-keying correction,
# the status counts the record under epoch 1 again, and the line sent once
# more (signed with pnp's new key) re-keys it again, delivered.
. "$(dirname "$0")/lib.sh"

net_init
start_all
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 23 >/dev/null
check "epoch 1: every record accepted" submit_all "$T/sim"
check "epoch 1: delivered" wait_delivered 120

TABLES="identification overlap breakdown referrals protection prosecution
	funnel durations"
# tables DIR: every table for 2024 and 2025, as the analyst sees them.
tables() {
	local t p
	mkdir -p "$1"
	for t in $TABLES; do
		for p in 2024 2025; do
			"$KUSKA" query -c "$N/analyst.conf" "$t" --period "$p" \
				--format csv >"$1/$t.$p.csv" || return 1
		done
	done
}
check "tables before the rotation" tables "$T/before"
check "the overlap table has links across institutions" \
	grep -q '^"2025",[a-z]*+' "$T/before/overlap.2025.csv"

# live_records FILE: the records of an export that count (corrections and
# withdrawals are none; a withdrawn record no longer counts).
live_records() {
	python3 -c '
import json, sys
recs, gone = set(), set()
for line in open(sys.argv[1]):
	o = json.loads(line)
	if o["kind"] == "withdrawal":
		gone.add(o["target_ref"])
	elif o["kind"] != "correction":
		recs.add(o["ref"])
print(len(recs - gone))' "$1"
}
# old_epoch NODE: what its status says of the records under epoch 1
# ("" when it says nothing of them).
old_epoch() {
	"$KUSKA" status -c "$N/$1.conf" |
		sed -n 's/^ *records under key epoch 1: \([0-9]*\) (send them again or withdraw them before destroying epoch 1.s keys.*/\1/p'
}
older=$(for i in $INSTS; do
	"$KUSKA" status -c "$N/$i.conf" | grep -c 'records under'
done | awk '{ s += $1 } END { print s + 0 }')
check "in epoch 1 no node speaks of older epochs ($older)" \
	test "$older" = 0
# A record of pnp's sent after the tables were taken, that its export
# will leave out (withdrawn before the tables are taken again).
echo '{"kind":"identification","ref":"PNP-LEFT-OUT","date":"2025-03-01","region":"15","victim":{"document":{"type":"DNI","number":"40000017"},"given_names":"Rosa","surnames":"Mamani Apaza","birth_date":"2011-05-06","sex":"F","nationality":"PE"},"exploitation":["labour"]}' >"$T/left-out.jsonl"
check "pnp: a record its export leaves out" \
	"$KUSKA" submit -c "$N/pnp.conf" "$T/left-out.jsonl"

# --- the rotation: new keys everywhere, epoch 2, two key holders ----------
K=$N/keys
"$KUSKA" keygen --linkage "$K/linkage2.key" --epoch 2 >/dev/null
for i in $INSTS; do stop_node "$i" TERM; done
stop_keyholder TERM
split_key 2
for i in $INSTS; do
	sed -i 's|^linkage_key = .*|linkage_key = keys/linkage2.key|' "$N/$i.conf"
done
start_keyholder
start_keyholder "$N/keyholder2.conf" keyholder2
for i in $INSTS; do start_node "$i"; done
check "the nodes start in epoch 2 with two key holders" \
	wait_log "$N/pnp.log" "keyholders=2 key_epoch=2" 10
check "before its first submission of epoch 2 a node says when its check value is known" \
	sh -c "'$KUSKA' status -c '$N/pnp.conf' |
		grep -q 'key epoch: *2 (check value known after the first submission)'"

want=$(($(live_records "$T/sim/pnp.jsonl") + 1))
got=$(old_epoch pnp)
check "before resubmitting, pnp's status counts its $want records under epoch 1 ($got)" \
	test "$got" = "$want"

# pnp alone first: its records now carry epoch-2 pseudonyms.
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/re-pnp.out"
tail -1 "$T/re-pnp.out" | sed 's/^/#   /'
check "pnp: nothing new, records re-keyed" \
	grep -q ": 0 accepted, .* 0 refused, .*re-keyed" "$T/re-pnp.out"
check "pnp: delivered" wait_delivered 120
check "tables while only pnp has resubmitted" tables "$T/middle"
check "meanwhile pnp's victims no longer link with the others" \
	sh -c "! cmp -s '$T/before/overlap.2025.csv' '$T/middle/overlap.2025.csv'"

got=$(old_epoch pnp)
check "after, pnp's status counts the one its export left out ($got)" \
	test "$got" = 1
# It is sent now, the consolidator stopped; pnp's signing key is then
# revoked after the sequence before it (a theft: OPERATIONS.md section
# 6), so that the consolidator refuses its re-keying correction
# (key_not_valid) and holds it under epoch 1's pseudonyms still.
stop_cons TERM
"$KUSKA" submit -c "$N/pnp.conf" "$T/left-out.jsonl" >"$T/left-1.out"
check "pnp re-keys the record left out" grep -q ', 1 re-keyed' "$T/left-1.out"
cut=$(($(node_last_seq pnp) - 1))
stop_node pnp TERM
mkdir "$N/keys2"
"$KUSKA" keygen pnp --dir "$N/keys2" >/dev/null
awk -v last="$cut" -v at="$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
	{ print }
	$0 == "[key pnp-1]" { print "revoked = " at
		print "revoked_after_seq = " last }' "$N/registry.conf" >"$T/reg.new"
printf '\n[key pnp-2]\nowner = pnp\npublic_key = keys2/pnp.pub\n' >>"$T/reg.new"
mv "$T/reg.new" "$N/registry.conf"
mkdir "$N/keys/previous"
cp "$N/keys/pnp.pub" "$N/keys/previous/pnp-1.pub"
cp "$N/keys2/pnp.key" "$N/keys/pnp.key"
echo "previous_keys = keys/previous" >>"$N/pnp.conf"
for h in keyholder keyholder2; do
	check "$h reloads the registry" \
		hup_wait "$N/$h.log" "event=reload " "${PIDS[$h]}"
done
start_cons
start_node pnp
check "the consolidator refuses that re-keying correction" wait_dead_letters pnp 1
check "... as pnp-1 was revoked after sequence $cut" \
	grep -q "seq $((cut + 1)) .*key_not_valid" "$T/status.out"
got=$(old_epoch pnp)
check "so pnp's status counts that record under epoch 1 still ($got)" \
	test "$got" = 1
"$KUSKA" submit -c "$N/pnp.conf" "$T/left-out.jsonl" >"$T/left-2.out"
check "sent again, it is re-keyed again, signed with pnp-2" \
	grep -q ': 0 accepted, 0 already held, 0 refused, .*, 1 re-keyed' "$T/left-2.out"
check "pnp: delivered with its new key" wait_delivered 120
got=$(old_epoch pnp)
check "and pnp's status no longer counts it under epoch 1 ($got)" test -z "$got"
echo '{"kind":"withdrawal","ref":"PNP-LEFT-OUT-W","target_ref":"PNP-LEFT-OUT"}' >"$T/withdraw.jsonl"
check "pnp withdraws it" "$KUSKA" submit -c "$N/pnp.conf" "$T/withdraw.jsonl"
got=$(old_epoch pnp)
check "then pnp's status says nothing of epoch 1 ($got)" test -z "$got"

# mp in two halves: after the first, part of its records still old.
mp_all=$(old_epoch mp)
head -n 270 "$T/sim/mp.jsonl" >"$T/mp-half.jsonl"
"$KUSKA" submit -c "$N/mp.conf" "$T/mp-half.jsonl" >"$T/half-mp.out"
mp_half=$(old_epoch mp)
check "mp's status counts fewer records under epoch 1 after half its export ($mp_all, then $mp_half)" \
	test "$mp_all" = "$(live_records "$T/sim/mp.jsonl")" -a \
	"$mp_half" -gt 0 -a "$mp_half" -lt "$mp_all"
for i in mp pj mimp minsa; do
	"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >"$T/re-$i.out"
done
left=$(for i in $INSTS; do
	"$KUSKA" status -c "$N/$i.conf" | grep -c 'records under'
done | awk '{ s += $1 } END { print s + 0 }')
check "every institution resubmitted: no status counts records under epoch 1 ($left)" \
	test "$left" = 0
check "every institution resubmitted: nothing new, nothing refused" \
	sh -c "grep -h ': 0 accepted, [0-9]* already held, 0 refused' '$T'/re-*.out |
		wc -l | grep -qx $(echo $INSTS | wc -w) &&
		grep -h 'accepted,' '$T'/re-*.out | grep -v ': 0 accepted, .* 0 refused' |
		wc -l | grep -qx 0"
check "all delivered" wait_delivered 120
check "tables after the rotation" tables "$T/after"
diffs=""
for f in "$T"/before/*.csv; do
	cmp -s "$f" "$T/after/$(basename "$f")" || diffs="$diffs $(basename "$f")"
done
check "every table is byte-identical to before the rotation" test -z "$diffs"
[ -n "$diffs" ] && echo "# differ:$diffs"
check "audit" audit_ok

checks=$(for i in $INSTS; do
	"$KUSKA" status -c "$N/$i.conf" | sed -n 's/.*key epoch: *2 (check \([0-9a-f]*\).*/\1/p'
done | sort -u)
check "every node shows the same check value of epoch 2 ($checks)" \
	test "$(echo "$checks" | grep -c .)" = 1

"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/again.out"
check "a third submission: everything held, nothing re-keyed" \
	sh -c "grep -q ': 0 accepted, $(records "$T/sim/pnp.jsonl") already held, 0 refused' '$T/again.out' &&
		! grep -q re-keyed '$T/again.out'"

finish
