#!/usr/bin/env bash
# End to end: the consolidator's own key rotated, as docs/OPERATIONS.md
# section 6 ("The consolidator's own key") says: a new pair, the
# consolidator restarted with it, then each node and query client given
# the new public key. Between the two, a node still holding the old one
# fails its handshakes: it took submissions all the same, kept them in
# its outbox and delivered them once restarted with the new key, nothing
# lost or doubled. Its journal said the consolidator was unreachable
# ("not running, a wrong host or port, or a firewall?") ten seconds into
# the failed handshakes, although it was running and reached: libzmq's
# reconnection after a failed handshake is a "connect retried" too. Now a
# connection made clears that, and the journal names the key only.
. "$(dirname "$0")/lib.sh"

net_init
INSTS="pnp mp"
start_all
"$KUSKA" sim --out "$T/sim" --victims 60 --seed 11 >/dev/null
head -n 40 "$T/sim/pnp.jsonl" >"$T/first.jsonl"
tail -n +41 "$T/sim/pnp.jsonl" >"$T/second.jsonl"
submit_in_t pnp first.jsonl
submit_sim mp
check "the first records are delivered" wait_delivered 60

# Step 1: the new pair, in a directory only its owner may enter.
install -d -m 0700 "$T/new"
"$KUSKA" keygen consolidator --dir "$T/new" >/dev/null
old_fp=$(sed -n 's/^fingerprint = //p' "$N/keys/consolidator.pub")
new_fp=$(sed -n 's/^fingerprint = //p' "$T/new/consolidator.pub")
check "the new key is another ($old_fp, $new_fp)" \
	test -n "$new_fp" -a "$old_fp" != "$new_fp"

# A node's key copied in where the consolidator's or the key holder's
# belongs: they started, and every node failed its handshake, told only
# that the key was not the one expected. They refuse to start, naming it.
for d in consolidator keyholder; do
	sed 's|^key = .*|key = keys/pnp.key|' "$N/$d.conf" >"$N/$d-wrong.conf"
	bin=$CONS
	[ $d = keyholder ] && bin=$KEYHOLDER
	timeout 10 "$bin" -c "$N/$d-wrong.conf" >"$T/$d-wrong.log" 2>&1
	rc=$?
	check "$d with pnp's key refuses to start, exit 78 ($rc), naming the key" \
		sh -c "test $rc = 78 && grep -q 'key: .*keys/pnp.key is the key the registry lists as \[key pnp-1\] (of pnp)' '$T/$d-wrong.log'"
done

# Step 2: the consolidator restarted with it.
stop_cons TERM
install -m 0600 "$T/new/consolidator.key" "$N/keys/consolidator.key"
start_cons

# The nodes still hold the old public key: they cannot deliver, but pnp
# takes a submission all the same (its pseudonyms need the key holder).
submit_in_t pnp second.jsonl
check "a submission meanwhile is stored" submitted_ok pnp
check "pnp's node says the handshake failed, asking about the key" \
	wait_log "$N/pnp.log" \
	'event=handshake_failed consolidator=.*hint="wrong consolidator_key? or another service at this host and port?" failures=4' 60
# Its redial comes 20 s later; the "unreachable" line came 10 s after the
# failures began, at the redial before.
sleep 2
check "... and does not call the consolidator unreachable, which it reached" \
	test "$(grep -c 'event=consolidator_unreachable' "$N/pnp.log")" = 0
"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" 2>&1
rc=$?
check "kuska status of the node exits 1 ($rc)" test "$rc" = 1
check "... asking, as its log does, whether consolidator_key is wrong or another service answers" \
	grep -q "WARNING: the handshake with the consolidator failed .* ago: wrong consolidator_key? or another service at this host and port?$" \
	"$T/status.out"
check "... with the records submitted meanwhile waiting" \
	grep -Eq '^ *waiting for delivery: +[1-9]' "$T/status.out"
"$KUSKA" query -c "$N/analyst.conf" sources >"$T/query.out" 2>&1
rc=$?
check "a query with the old public key exits 2 ($rc)" test "$rc" = 2
check "... asking whether consolidator_key is the consolidator's" \
	grep -q "is consolidator_key the consolidator's public key?" \
	"$T/query.out"

# Step 3: each node and client given the new public key.
install -m 0644 "$T/new/consolidator.pub" "$N/keys/consolidator.pub"
stop_node pnp TERM
stop_node mp TERM
start_node pnp
start_node mp
check "the nodes deliver with the new key" wait_delivered 60
is "the consolidator holds each of pnp's records once" \
	"$(cons_last_seq pnp)" "$(records "$T/sim/pnp.jsonl")"
is "... and each of mp's" "$(cons_last_seq mp)" \
	"$(records "$T/sim/mp.jsonl")"
"$KUSKA" query -c "$N/analyst.conf" sources --format csv >"$T/sources.csv" 2>&1
is "the analyst's query with the new key counts them" \
	"$(grep -E '^(pnp|mp),' "$T/sources.csv")" \
	"pnp,$(records "$T/sim/pnp.jsonl")
mp,$(records "$T/sim/mp.jsonl")"
"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" 2>&1
rc=$?
check "kuska status of the node exits 0 again ($rc)" test "$rc" = 0

finish
