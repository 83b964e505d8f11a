#!/usr/bin/env bash
# A node moved to a new machine on purpose, as OPERATIONS.md section 7
# says (walk56r): stopped on the old one with events not yet delivered
# (the consolidator down meanwhile), its data.mdb and /etc/kuska copied to
# the new one (another data_dir, other paths), started there with no
# --recover. Its welcome names the consolidator's last sequence below the
# outbox's, the new node sends the rest, each stored once; neither status
# warns (no DIVERGED at the consolidator, which a --recover would have
# raised); the exports resubmitted are all held already. Moved again,
# everything delivered, the consolidator's status is as clean. The old
# machine's node started again stops as diverged, saying what a machine
# moved away from does.
. "$(dirname "$0")/lib.sh"

net_init
"$KUSKA" sim --out "$T/sim" --victims 200 --seed 21 >/dev/null
sed -n '1,150p' "$T/sim/pnp.jsonl" >"$T/a.jsonl"
sed -n '151,250p' "$T/sim/pnp.jsonl" >"$T/b.jsonl"
sed -n '251,$p' "$T/sim/pnp.jsonl" >"$T/c.jsonl"
na=$(records "$T/a.jsonl")
nb=$(records "$T/b.jsonl")
nc=$(records "$T/c.jsonl")

# --- the old machine: a delivered, b waiting -----------------------------------
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "part a delivered" wait_delivered 30
stop_cons TERM
"$KUSKA" submit -c "$N/pnp.conf" "$T/b.jsonl" >/dev/null
stop_node pnp TERM

# --- the new machine: its own config and data directory --------------------------
M="$T/new"
mkdir -p "$M/keys"
cp "$N/keys/pnp.key" "$N/keys/pnp-ref.key" "$N/keys/linkage.key" \
	"$N/keys/consolidator.pub" "$N/keys/keyholder.pub" "$M/keys/"
sed -e "s|^data_dir = .*|data_dir = $M/pnp|" \
	-e "s|^submit = .*|submit = ipc://$N/run/pnp.sock|" \
	"$N/pnp.conf" >"$M/pnp.conf"
install -d -m 0700 "$M/pnp"
install -m 0600 "$N/data/pnp/data.mdb" "$M/pnp/data.mdb"
start_cons
start_node pnp "$M/pnp.conf"
check "its welcome names the consolidator's last, $na, and the outbox's, $((na + nb))" \
	wait_log "$N/pnp.log" "event=welcome institution=pnp consolidator_last_seq=$na outbox_last_seq=$((na + nb))$"
check "the new node sends what waited" wait_delivered 30
is "the consolidator holds each once" "$(cons_last_seq pnp)" $((na + nb))
"$KUSKA" status -c "$M/pnp.conf" >"$T/status.out" 2>&1
is "the new node's status is clean (exit 0)" "$?" 0
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out" 2>&1
check "the consolidator marks pnp nothing" \
	sh -c "grep '^pnp ' '$T/cstatus.out' | grep -qv -e DIVERGED -e SILENT"
"$KUSKA" submit -c "$M/pnp.conf" "$T/b.jsonl" >"$T/b.out" 2>&1
check "b resubmitted is held already" \
	grep -q "^$T/b.jsonl: 0 accepted, $nb already held, 0 refused" "$T/b.out"
"$KUSKA" submit -c "$M/pnp.conf" "$T/c.jsonl" >/dev/null
check "c taken and delivered on the new machine" \
	wait_held pnp $((na + nb + nc)) 30
stop_node pnp TERM

# --- moved again, everything delivered: a --recover here would have made
# the consolidator mark pnp DIVERGED until a keep-alive minutes later ---------
M2="$T/third"
mkdir -p "$M2"
cp -a "$M/keys" "$M2/keys"
sed "s|^data_dir = .*|data_dir = $M2/pnp|" "$M/pnp.conf" >"$M2/pnp.conf"
install -d -m 0700 "$M2/pnp"
install -m 0600 "$M/pnp/data.mdb" "$M2/pnp/data.mdb"
start_node pnp "$M2/pnp.conf"
check "moved in step, its welcome names the same sequence twice" \
	wait_log "$N/pnp.log" "event=welcome institution=pnp consolidator_last_seq=$((na + nb + nc)) outbox_last_seq=$((na + nb + nc))$"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/cstatus.out" 2>&1
is "the consolidator's status is clean of pnp" \
	"$(grep '^pnp ' "$T/cstatus.out" | grep -c -e DIVERGED -e SILENT)" 0
stop_node pnp TERM

# --- the old machine's node started again -------------------------------------------
start_node pnp
diverged() {
	local i
	for i in $(seq 150); do
		"$KUSKA" status -c "$N/pnp.conf" >"$T/old.out" 2>&1
		[ $? = 1 ] && grep -q DIVERGED "$T/old.out" && return 0
		sleep 0.2
	done
	return 1
}
check "the old machine's node stops as diverged" diverged
check "... saying what a machine the node moved away from does" \
	grep -q "but on a machine the node was moved away from: stop it and disable its unit instead, never --recover" "$T/old.out"
is "nothing more stored" "$(cons_last_seq pnp)" $((na + nb + nc))
check "kuska-consolidator --audit OK" audit_ok

finish
