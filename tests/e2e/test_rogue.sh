#!/usr/bin/env bash
# A rogue peer: 10,000 bad frames from an authenticated connection
# (minsa's key) - garbage, truncated messages, wrong signatures, replays of
# another institution's envelopes, sequence gaps, oversize frames and more
# - each answered with exactly the refusal it deserves; the consolidator
# stays up, the other institutions' nodes keep delivering during and
# after, the refused sequence numbers are accounted for, and the audit
# passes. Only envelopes signed with one of minsa's registered keys can
# take a sequence number (then refused one by one as dead letters);
# anything unsigned, forged or naming another institution is refused
# whole and spends none.
. "$(dirname "$0")/lib.sh"

ROGUE="$KUSKA_BIN/kuska_rogue"
OTHERS="pnp mp pj mimp"

net_init
start_all
"$KUSKA" sim --out "$T/a" --victims 300 --seed 7 >/dev/null
check "first load accepted" submit_all "$T/a"
check "first load delivered" wait_delivered 60
# The rogue speaks as minsa: its real node must not be running, or it
# would meet the sequence numbers the refused envelopes use up.
stop_node minsa TERM
minsa_seq=$(cons_last_seq minsa)
minsa_accepted=$("$KUSKA" status -c "$N/consolidator.conf" |
	awk '$1 == "minsa" { print $3 }')

# A second load with fresh refs, submitted while the rogue is at work.
"$KUSKA" sim --out "$T/b" --victims 200 --seed 8 >/dev/null
for i in $INSTS; do
	sed 's/ref":"\([A-Z]*\)-/ref":"\1-B-/g' "$T/b/$i.jsonl" >"$T/b/$i.x"
	mv "$T/b/$i.x" "$T/b/$i.jsonl"
done
(
	sleep 2
	for i in $OTHERS; do
		"$KUSKA" submit -c "$N/$i.conf" "$T/b/$i.jsonl" >"$T/b-$i.out"
	done
) &
submitter=$!

t0=$(date +%s)
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-o "$N/keys/pnp.key" -e "tcp://127.0.0.1:$PORT" -n 10000 mix \
	>"$T/rogue.out" 2>"$T/rogue.err"
rc=$?
echo "# rogue: $(($(date +%s) - t0)) s"
wait "$submitter"
check "rogue: every one of 10000 frames answered as expected" test $rc = 0
check "rogue: no mismatch" grep -qx "mismatches 0" "$T/rogue.out"
[ $rc = 0 ] || head -20 "$T/rogue.err"

# The answers, by kind and reason (the mix is deterministic).
cat >"$T/want.txt" <<'EOF'
refusal bad_frame 2914
refusal bad_signature 1247
refusal wrong_institution 834
refusal gap 833
refusal bad_envelope 417
refusal unknown_key 417
ack rejection bad_event 830
ack rejection kind_not_allowed 417
ack rejection bad_version 417
ack rejection bad_target 416
refusal bad_version 416
refusal too_large 426
refusal conflict 416
reconnects 0
EOF
grep -v '^sent \|^mismatches \|^last_seq ' "$T/rogue.out" | sort >"$T/got.txt"
sort "$T/want.txt" >"$T/want.sorted"
check "rogue: answers tallied by reason as expected" \
	cmp -s "$T/want.sorted" "$T/got.txt"
diff "$T/want.sorted" "$T/got.txt"
check "rogue: 10000 frames sent" test "$(awk '$1 == "sent" { n += $3 }
	END { print n }' "$T/rogue.out")" = 10000

# Per-envelope refusals use up minsa's sequence numbers, each recorded.
rejected=$(awk '$1 == "ack" && $2 == "rejection" { n += $4 }
	END { print n }' "$T/rogue.out")
check "consolidator still running" kill -0 "${PIDS[cons]}"
check "minsa: $rejected refused sequences recorded" \
	test "$(cons_last_seq minsa)" = "$((minsa_seq + rejected))"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/status.txt"
check "minsa: nothing accepted from the rogue" test \
	"$(awk '$1 == "minsa" { print $3 }' "$T/status.txt")" = "$minsa_accepted"
while read -r _ _ reason n; do
	check "minsa: $n refused as $reason in the consolidator's counts" \
		grep -q "^refused from minsa:.* $reason=$n\( \|$\)" "$T/status.txt"
done < <(grep '^ack rejection ' "$T/rogue.out")

# Normal traffic flows: the second load, submitted during the attack,
# plus what is left, is delivered by every other node.
for i in $OTHERS; do
	check "$i: second load accepted" \
		grep -q " 0 refused" "$T/b-$i.out"
done
check "every other node delivered everything" wait_delivered 60
for i in $OTHERS; do
	want=$(($(records "$T/a/$i.jsonl") + $(records "$T/b/$i.jsonl")))
	check "$i: consolidator holds all $want events" \
		test "$(cons_last_seq "$i")" = "$want"
done
# And the rogue's own institution can still deliver good envelopes.
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT" -n 20 valid >"$T/valid.out" 2>&1
check "minsa: 20 good envelopes accepted after the attack" \
	grep -qx "ack clean 20" "$T/valid.out"
# Envelopes of schema version 2 (one key per victim, as nodes signed them
# before version 3) are still accepted; keys of one version in an envelope
# of the other are refused as bad events.
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT" -n 5 oldversion >"$T/old.out" 2>&1
check "minsa: 5 envelopes of schema version 2 accepted" \
	grep -qx "ack clean 5" "$T/old.out"
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT" -n 4 mixedversion >"$T/mixed.out" 2>&1
check "minsa: 4 envelopes with the other version's keys refused as bad events" \
	grep -qx "ack rejection bad_event 4" "$T/mixed.out"

# A forged referral: minsa signs a referral under one of pnp's referral
# numbers (its pseudonym computed as pnp's node would have it made),
# dated 2024-01-01, before pnp's. A referral counts only for the
# institution that signed it: pnp's rows must not move; minsa's own
# minsa->mimp row counts it.
spec=$(python3 - "$T/a/pnp.jsonl" "$T/b/pnp.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
targets = {r["target_ref"] for r in recs if "target_ref" in r}
sent = {}
for r in recs:
    if r["kind"] == "referral":
        n = r["referral_number"].strip().upper()
        sent.setdefault(n, []).append(r)
for n, rs in sent.items():
    if all(r["to"] == "mimp" and r["ref"] not in targets and
           "2024-01-01" < r["date"] < "2025" for r in rs):
        print("pnp:mimp:%s:2024-01-01" % n)
        break
PY
)
year=${spec##*:}
year=${year%%-*}
referrals() {
	"$KUSKA" query -c "$N/analyst.conf" referrals --period "$year" --format csv
}
referrals >"$T/ref-before.csv"
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT" -L "$N/keys/linkage.key" \
	-O "$N/keys/keyholder.share" -R "$spec" \
	forgedref >"$T/forged.out" 2>&1
check "minsa: the forged referral ($spec) is accepted" \
	grep -qx "ack clean 1" "$T/forged.out"
referrals >"$T/ref-after.csv"
# The period quoted as kuska writes it: a pattern that matched no row
# would find both sides empty, and equal.
check "pnp has rows of $year" grep -q "^\"$year\",pnp," "$T/ref-before.csv"
check "forged referral: pnp's rows of $year are unchanged" \
	test "$(grep "^\"$year\",pnp," "$T/ref-before.csv")" = \
	"$(grep "^\"$year\",pnp," "$T/ref-after.csv")"
minsa_sent() {
	awk -F, -v y="\"$year\"" '$1 == y && $2 == "minsa" && $3 == "mimp" { print $4 }' "$1"
}
check "forged referral: counted in minsa's own minsa->mimp row" \
	test "$(minsa_sent "$T/ref-after.csv")" = "$(($(minsa_sent "$T/ref-before.csv") + 1))"
diff "$T/ref-before.csv" "$T/ref-after.csv" | sed 's/^/  /'

check "audit OK" audit_ok
grep -q "^audit: OK" "$T/audit.out" || cat "$T/audit.out"
check "audit: minsa's refused and accepted sequences accounted for" \
	grep -q "^minsa last_seq=$((minsa_seq + rejected + 30)) accepted=$((minsa_accepted + 26)) refused=$((rejected + 4)) missing=0" \
	"$T/audit.out"

# minsa's real node, back, sees that the consolidator holds more than its
# outbox and does not deliver over it.
start_node minsa
check "minsa's node notices the divergence" \
	wait_log "$N/minsa.log" "event=diverged.*holds sequences up to"
check "consolidator still running at the end" kill -0 "${PIDS[cons]}"

finish
