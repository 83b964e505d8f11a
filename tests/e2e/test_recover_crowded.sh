#!/usr/bin/env bash
# End to end: kuska-node --recover turned away at its handshake because
# the consolidator holds max_connections_per_key connections of this
# node's key already (a thief's, with the stolen key, before its
# revocation: OPERATIONS.md section 6; here a peer with pnp's key holding
# one, the bound set to 1). The consolidator refuses it at the handshake
# as it refuses a revoked key, and the recovery stops at once: its words
# must name that bound too, not only a key revoked or not listed, which
# sent the operator to a registry that was right (review56o).
. "$(dirname "$0")/lib.sh"

ROGUE="$KUSKA_BIN/kuska_rogue"

net_init
echo "max_connections_per_key = 1" >>"$N/consolidator.conf"
start_cons
start_node pnp
check "pnp's node said hello" \
	wait_log "$N/consolidator.log" "event=hello institution=pnp" 30
stop_node pnp TERM

# One connection of pnp's key, held 8 s between two hellos.
EP=$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")
mark=$(grep -c "event=hello institution=pnp" "$N/consolidator.log")
"$ROGUE" -k "$N/keys/pnp.key" -s "$N/keys/consolidator.pub" -e "$EP" \
	-n 1 -w 8000 hello >"$T/rogue.out" 2>&1 &
rogue=$!
# hellos_past N: until the consolidator has logged more than N hellos of
# pnp (5 s at most).
hellos_past() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c "event=hello institution=pnp" \
			"$N/consolidator.log")" -gt "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
check "a peer with pnp's key connected" hellos_past "$mark"

t0=$SECONDS
recover_into "$T/recover.out" pnp 1 \
	"kuska-node --recover beyond max_connections_per_key is refused"
check "... at once ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 8
check "... the consolidator said why" \
	grep -q "event=auth_refused .*reason=too_many_connections_for_key" \
	"$N/consolidator.log"
check "... and so does the recovery: that bound, not only a key revoked or not listed" \
	grep -q "^kuska-node: the consolidator at .* refused this node's key: recovery stopped (the outbox is unchanged); is this node's transport key in the registry? it refuses a key it has revoked or does not list, one outside its valid_from and valid_until, and one over max_connections_per_key or max_connections (its journal says why: event=auth_refused): if this node's key was revoked, give the node a new key first (a rotation, OPERATIONS.md section 6); if it expired, this node's key files may be from a backup older than a rotation (OPERATIONS.md section 7)$" "$T/recover.out"
wait "$rogue"

finish
