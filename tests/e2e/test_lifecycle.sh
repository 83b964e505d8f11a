#!/usr/bin/env bash
# End to end: the registry's key lifecycle. A key is rotated (old and new
# overlap, earlier events still verify), a key is revoked (events it
# signed before the revocation are kept, those signed after are refused
# with key_not_valid and shown as dead letters), SIGHUP reloads the
# registry without dropping connections, and a broken registry is refused
# while the one in force stays. The key holder reads the same registry:
# it is reloaded with the consolidator, as an operator would.
. "$(dirname "$0")/lib.sh"

net_init
# Nothing listens yet: a query says so, not "no answer" after 15 s.
"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
	>/dev/null 2>"$T/down.err"
rc=$?
check "a query with the consolidator down: not reachable, exit 2" \
	sh -c "test $rc = 2 && grep -q 'not reachable at 127.0.0.1:[0-9]* (connection refused)' '$T/down.err'"
start_cons
start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 31 >/dev/null
# Three slices of pnp's file, with their own refs.
slice() { # slice FROM TO TAG
	sed -n "$1,$2p" "$T/sim/pnp.jsonl" | grep -v target_ref |
		sed "s/\"ref\":\"PNP-/\"ref\":\"$3-/"
}
slice 1 100 A >"$T/a.jsonl"
slice 101 200 B >"$T/b.jsonl"
slice 201 300 C >"$T/c.jsonl"
slice 301 400 D >"$T/d.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")
nc=$(records "$T/c.jsonl")
nd=$(records "$T/d.jsonl")

"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "first slice delivered with key pnp-1" wait_delivered 30

# Rotation: pnp-2 joins, pnp-1 stays valid for a day (the overlap).
"$KUSKA" keygen pnp2 --dir "$N/keys" >/dev/null
tomorrow=$(date -u -d tomorrow +%F)
sed -i "/^\[key pnp-1\]/a valid_until = $tomorrow" "$N/registry.conf"
cat >>"$N/registry.conf" <<EOF

[key pnp-2]
owner = pnp
public_key = keys/pnp2.pub
valid_from = $(date -u +%F)
EOF
kill -HUP "${PIDS[cons]}" "${PIDS[keyholder]}"
# keys=13 only after this reload: wait for it, not a fixed time.
check "SIGHUP reloads the registry" wait_log "$N/consolidator.log" \
	"event=reload parties=12 keys=13" 30
check "... in the key holder too" wait_log "$N/keyholder.log" \
	"event=reload parties=12 keys=13" 30
check "the consolidator is still up after SIGHUP" kill -0 "${PIDS[cons]}"
# The node keeps its connection across the reload and delivers.
"$KUSKA" submit -c "$N/pnp.conf" "$T/b.jsonl" >/dev/null
check "old key still delivers during the overlap" wait_delivered 30
stop_node pnp TERM
sed -i 's|keys/pnp.key|keys/pnp2.key|' "$N/pnp.conf"
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/c.jsonl" >/dev/null
check "new key delivers after the switch" wait_delivered 30
check "pnp holds all three slices" \
	test "$(cons_last_seq pnp)" = $((na + nb + nc))
check "audit: events of both keys verify" audit_ok

# Revocation: pnp-2 is stolen and revoked at a time T; slice D is signed
# with it after T while the consolidator is away; then the node moves to
# pnp-3. What pnp-2 signed before T stays; D is refused.
stop_cons TERM
sleep 1.1
revoked=$(date -u +%FT%TZ)
sleep 1.1
"$KUSKA" submit -c "$N/pnp.conf" "$T/d.jsonl" >/dev/null
"$KUSKA" keygen pnp3 --dir "$N/keys" >/dev/null
sed -i "/^\[key pnp-2\]/a revoked = $revoked" "$N/registry.conf"
cat >>"$N/registry.conf" <<EOF

[key pnp-3]
owner = pnp
public_key = keys/pnp3.pub
EOF
stop_node pnp TERM
sed -i 's|keys/pnp2.key|keys/pnp3.key|' "$N/pnp.conf"
kill -HUP "${PIDS[keyholder]}"
start_cons
start_node pnp
check "delivery settles after the revocation" wait_delivered 30
"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out"
check "events signed after the revocation are dead letters" \
	grep -q "key_not_valid" "$T/status.out"
check "status exits 1 (needs attention) with dead letters" \
	sh -c "'$KUSKA' status -c '$N/pnp.conf' >/dev/null; test \$? = 1"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out"
check "the consolidator counts them by reason" \
	grep -q "refused from pnp: key_not_valid=$nd" "$T/cstatus.out"
check "events signed before the revocation are kept" \
	test "$(cons_last_seq pnp)" = $((na + nb + nc + nd))
check "audit: accepted events all verify, refused ones are accounted" \
	audit_ok
# A node still holding the revoked key cannot even connect.
sed 's|keys/pnp3.key|keys/pnp2.key|; s|run/pnp.sock|run/old.sock|; s|data/pnp|data/old|' \
	"$N/pnp.conf" >"$N/old.conf"
start_node old "$N/old.conf"
"$KUSKA" submit -c "$N/old.conf" "$T/a.jsonl" >/dev/null
check "the revoked transport key is refused at the handshake" \
	wait_log "$N/consolidator.log" \
	"auth_refused.*reason=not_registered_or_not_valid" 10
wait_log "$N/old.log" "event=handshake_refused" 10
"$KUSKA" status -c "$N/old.conf" >"$T/old.out"
rc=$?
check "status of the refused node says why, exit 1 (needs attention)" \
	sh -c "test $rc = 1 && grep -q \"WARNING: the consolidator refused this node's handshake .*: is its transport key in the registry\" '$T/old.out'"
stop_node old KILL

# A broken registry is refused; the one in force stays.
cp "$N/registry.conf" "$T/registry.good"
echo "[key broken" >>"$N/registry.conf"
check "a broken registry is refused on SIGHUP" \
	hup_wait "$N/consolidator.log" "event=reload_refused" "${PIDS[cons]}"
check "... by the key holder too, its reason quoted" \
	hup_wait "$N/keyholder.log" 'event=reload_refused error="' \
	"${PIDS[keyholder]}"
"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 >/dev/null
check "queries still answered with the registry in force" test $? = 0
cp "$T/registry.good" "$N/registry.conf"
check "the consolidator is still up" kill -0 "${PIDS[cons]}"

# A key a reload does not apply is named, not ignored unsaid.
echo "workers = 2" >>"$N/consolidator.conf"
echo "map_size_mb = 2048" >>"$N/consolidator.conf"
echo "workers = 2" >>"$N/keyholder.conf"
check "a changed workers and map_size_mb need a restart, and say so" \
	hup_wait "$N/consolidator.log" \
	"event=reload_needs_restart keys=map_size_mb,workers " "${PIDS[cons]}"
check "... the key holder's workers too" \
	hup_wait "$N/keyholder.log" "event=reload_needs_restart keys=workers " \
	"${PIDS[keyholder]}"

finish
