#!/usr/bin/env bash
# End to end: a node given the wrong public key of its consolidator or of
# its key holder, as an administrator copying .pub files may do. The
# handshake fails (the peer cannot read it) without a refusal, and libzmq
# dials again within 400 ms for ever, its back-off starting again at each
# TCP connection made: the node logged a warning a handshake, several a
# second in the journal, while its log said it would retry in 10 minutes,
# and the consolidator met as many handshakes. Now, after three in a row,
# the node lets the endpoint go and dials again after the back-off it
# logs (10 s, doubling); a key holder it dials again at the next request,
# and the submission says what to check rather than "unreachable".
. "$(dirname "$0")/lib.sh"

net_init
start_cons
start_keyholder

# The consolidator's key: the key holder's public key in its place.
sed "s|^consolidator_key = .*|consolidator_key = keys/keyholder.pub|" \
	"$N/pnp.conf" >"$N/pnp-wrong.conf"
start_node pnp "$N/pnp-wrong.conf"
check "the node says after three failed handshakes that it waits 10 s" \
	wait_log "$N/pnp.log" \
	'event=handshake_failed consolidator=.*failures=3 retry_s=10' 30
# Time enough for libzmq to dial several times over had it not been
# stopped; the node's own redial comes 10 s after the line above.
sleep 3
awk '/event=redial / { exit }
	/event=handshake_failed consolidator=/ { n++ }
	END { print n + 0 }' "$N/pnp.log" >"$T/failed"
check "three handshakes failed before the node's redial, no more ($(cat "$T/failed"))" \
	test "$(cat "$T/failed")" -le 3
"$KUSKA" status -c "$N/pnp-wrong.conf" >"$T/status.out" 2>&1
rc=$?
check "kuska status of that node exits 1 ($rc)" test "$rc" = 1
check "... asking, as its log does, whether consolidator_key is wrong or another service answers" \
	grep -q "WARNING: the handshake with the consolidator failed .* ago: wrong consolidator_key? or another service at this host and port?$" \
	"$T/status.out"
stop_node pnp

# The key holder's key: the consolidator's public key in its place.
sed "s|^keyholder_key = .*|keyholder_key = keys/consolidator.pub|" \
	"$N/mp.conf" >"$N/mp-wrong.conf"
start_node mp "$N/mp-wrong.conf"
"$KUSKA" sim --out "$T/sim" --victims 20 --seed 3 >/dev/null
head -n 3 "$T/sim/mp.jsonl" >"$T/three.jsonl"
"$KUSKA" submit -c "$N/mp-wrong.conf" "$T/three.jsonl" >"$T/submit.out" 2>&1
rc=$?
check "a submission with the key holder's handshake failing is refused ($rc)" \
	test "$rc" != 0
check "... saying the handshake failed, and what to check" \
	grep -q "the handshake failed (is keyholder_key its public key? if not: correct it and restart the node): nothing of this request was stored" \
	"$T/submit.out"
check "... and the node's log says so" \
	grep -q 'event=handshake_failed keyholder=.*hint="wrong keyholder_key?"' \
	"$N/mp.log"
"$KUSKA" status -c "$N/mp-wrong.conf" >"$T/status.out" 2>&1
check "kuska status of that node names the failed handshake" \
	grep -q "keyholder_key" "$T/status.out"
stop_node mp

# The same with the key holder's address over 70 characters (127.0.0.1
# written with leading zeros, as getaddrinfo reads it): the reply keeps
# 190 characters of the reason, and the address no longer pushes the
# advice after it out of them; the reason shows the address's start and
# port around "...", the journal the whole of it.
long=tcp://$(printf '0%.0s' $(seq 60))177.0.0.1:$((PORT + 2))
sed "s|^keyholder = .*|keyholder = $long|" "$N/mp-wrong.conf" >"$N/mp-long.conf"
start_node mp "$N/mp-long.conf"
"$KUSKA" submit -c "$N/mp-long.conf" "$T/three.jsonl" >"$T/submit.out" 2>&1
rc=$?
check "with a ${#long}-character key holder address it is refused too ($rc)" \
	test "$rc" != 0
check "... and the advice survives, the address shortened (${long:0:37}...${long: -16})" \
	grep -qF "key holder ${long:0:37}...${long: -16} unreachable: the handshake failed (is keyholder_key its public key? if not: correct it and restart the node): nothing of this request was stored" \
	"$T/submit.out"
check "... the node's log names the whole address" \
	grep -qF "event=handshake_failed keyholder=\"$long\"" "$N/mp.log"
stop_node mp

# The right keys: both handshakes succeed and the records are stored.
start_node mp
"$KUSKA" submit -c "$N/mp.conf" "$T/three.jsonl" >"$T/submit.out" 2>&1
rc=$?
check "with the right keys the same records are accepted ($rc)" test "$rc" = 0
check "... and delivered" wait_delivered 30
finish
