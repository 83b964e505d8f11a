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
wait "${PIDS[pnp]}"
rc=$?
unset 'PIDS[pnp]'
check "the node, its outbox cut under it: exits 1, not by a signal (exit $rc)" \
	test $rc = 1
check "... saying event=data_file_fault, the file and what to do" \
	grep -q "event=data_file_fault dir=\"$N/data/pnp\" .*$N/data/pnp/data.mdb could not be read.*stop it first" \
	"$N/pnp.log"
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

# --- the consolidator's store -----------------------------------------------
truncate -s 0 "$N/data/consolidator/data.mdb"
# The query's answer never comes: it is not waited for.
timeout 20 "$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
	>/dev/null 2>&1 &
q=$!
wait "${PIDS[cons]}"
rc=$?
kill "$q" 2>/dev/null
wait "$q"
unset 'PIDS[cons]'
check "the consolidator, its store cut under it: exits 1, not by a signal (exit $rc)" \
	test $rc = 1
check "... saying event=data_file_fault, the file and what to do" \
	grep -q "event=data_file_fault dir=\"$N/data/consolidator\" .*data.mdb could not be read.*checks the store" \
	"$N/consolidator.log"
timeout 10 "$CONS" -c "$N/consolidator.conf" >"$T/cons-restart.log" 2>&1
rc=$?
check "... the start after it finds the store damaged, says --repair (exit $rc)" \
	sh -c "test $rc = 78 && grep -q 'empty (0 bytes)' '$T/cons-restart.log' &&
		grep -q -- '--repair' '$T/cons-restart.log'"
finish
