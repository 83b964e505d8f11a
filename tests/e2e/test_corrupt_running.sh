#!/usr/bin/env bash
# End to end: a running daemon's data.mdb cut short under it (a careless
# `cp backup data.mdb` truncates it first; `: >data.mdb`). LMDB maps the
# file: its next read of a page past the new end raised SIGBUS, and the
# daemon died of the bare signal (in a consolidator thread, which blocked
# every signal, even when a handler was there), with no word of why. It
# now says event=data_file_fault naming the file and what to do, and exits
# 1 (systemd starts it again); that start's check finds the file damaged
# (exit 78) and --recover gives the node back its outbox, nothing lost.
. "$(dirname "$0")/lib.sh"

# died_of_fault KEY WHO DIR TAIL: the daemon PIDS[KEY] (WHO) exits 1, not
# by a signal, its log (DIR's name.log) saying event=data_file_fault of
# $N/data/DIR, its data.mdb and TAIL (a pattern of what to do).
died_of_fault() {
	local rc
	wait "${PIDS[$1]}"
	rc=$?
	unset "PIDS[$1]"
	check "$2, its file cut under it: exits 1, not by a signal (exit $rc)" \
		test $rc = 1
	check "... saying event=data_file_fault, the file and what to do" \
		grep -q "event=data_file_fault dir=\"$N/data/$3\" .*$N/data/$3/data.mdb could not be read.*$4" \
		"$N/$3.log"
}

net_init
"$KUSKA" sim --out "$T/sim" --victims 25 --seed 43 >/dev/null
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >/dev/null
check "delivered" wait_delivered 30
npnp=$(cons_last_seq pnp)

# --- the node's outbox ------------------------------------------------------
truncate -s 0 "$N/data/pnp/data.mdb"
timeout 20 "$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >/dev/null 2>&1
died_of_fault pnp "the node" pnp "stop it first"
timeout 10 "$NODE" -c "$N/pnp.conf" >"$T/restart.log" 2>&1
rc=$?
check "... the start after it finds the outbox damaged (exit $rc)" \
	sh -c "test $rc = 78 && grep -q 'event=outbox_damaged .*empty (0 bytes)' '$T/restart.log'"
"$NODE" --recover -c "$N/pnp.conf" >"$T/recover.out" 2>&1
check "... --recover rebuilds it from the consolidator's copy" test $? = 0
start_node pnp
out=$("$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" 2>&1)
check "... and the same export again is all held, none stored twice ($out)" \
	sh -c "echo '$out' | grep -q ' 0 accepted, [1-9][0-9]* already held'"
is "... the consolidator's last sequence of pnp unchanged" "$(cons_last_seq pnp)" "$npnp"

# --- the consolidator's store, damaged under it -----------------------------
# The last bytes of every leaf page flipped (the values there fail their
# checksums): each batch is refused, "store is damaged", and kuska status
# said no more than of a full disk, nor anything once a commit worked.
python3 - "$N/data/consolidator/data.mdb" <<-'EOF'
	import struct, sys
	f = open(sys.argv[1], "r+b")
	ps = struct.unpack_from("<I", f.read(4096), 40)[0]
	def page(n):
	    f.seek(n * ps)
	    return bytearray(f.read(ps))
	meta = max((page(n) for n in (0, 1)),
	           key=lambda p: struct.unpack_from("<Q", p, 144)[0])
	keep = {struct.unpack_from("<Q", meta, o)[0] for o in (80, 128)}
	f.seek(0, 2)
	for n in range(2, f.tell() // ps):
	    p = page(n)
	    if n in keep or struct.unpack_from("<H", p, 10)[0] & 0x12 != 0x02:
	        continue
	    for i in range(ps - 4, ps):
	        p[i] ^= 0x5a
	    f.seek(n * ps)
	    f.write(p)
	EOF
start_node mp
timeout 20 "$KUSKA" submit -c "$N/mp.conf" "$T/sim/mp.jsonl" >/dev/null 2>&1
check "a damaged store found running: the batch is refused" \
	wait_log "$N/consolidator.log" "institution=mp .*store is damaged" 20
"$KUSKA" status -c "$N/consolidator.conf" >"$T/damaged-status.out" 2>&1
rc=$?
check "... kuska status exits 1 (exit $rc)" test $rc = 1
check "... saying the store is damaged, since when, nothing lost, what to do" \
	grep -q "^WARNING: the consolidator's store is damaged (found so [0-9]* s ago): every delivery is refused .*nothing is lost.*Stop the consolidator and start it.*--repair" \
	"$T/damaged-status.out"
check "... and kuska_store_damaged is 1" \
	sh -c "'$KUSKA' metrics -c '$N/consolidator.conf' | grep -q '^kuska_store_damaged 1'"
stop_node mp

# --- the consolidator's store -----------------------------------------------
truncate -s 0 "$N/data/consolidator/data.mdb"
# The query's answer never comes: it is not waited for.
timeout 20 "$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
	>/dev/null 2>&1 &
q=$!
died_of_fault cons "the consolidator" consolidator "checks the store"
kill "$q" 2>/dev/null
wait "$q"
timeout 10 "$CONS" -c "$N/consolidator.conf" >"$T/cons-restart.log" 2>&1
rc=$?
check "... the start after it finds the store damaged, says --repair (exit $rc)" \
	sh -c "test $rc = 78 && grep -q 'empty (0 bytes)' '$T/cons-restart.log' &&
		grep -q -- '--repair' '$T/cons-restart.log'"
finish
