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
# resubmission changes nothing.
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
	grep -q '^2025,[a-z]*+' "$T/before/overlap.2025.csv"

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

# pnp alone first: its records now carry epoch-2 pseudonyms.
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/re-pnp.out"
tail -1 "$T/re-pnp.out" | sed 's/^/#   /'
check "pnp: nothing new, records re-keyed" \
	grep -q ": 0 accepted, .* 0 refused, .*re-keyed" "$T/re-pnp.out"
check "pnp: delivered" wait_delivered 120
check "tables while only pnp has resubmitted" tables "$T/middle"
check "meanwhile pnp's victims no longer link with the others" \
	sh -c "! cmp -s '$T/before/overlap.2025.csv' '$T/middle/overlap.2025.csv'"

for i in mp pj mimp minsa; do
	"$KUSKA" submit -c "$N/$i.conf" "$T/sim/$i.jsonl" >"$T/re-$i.out"
done
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
