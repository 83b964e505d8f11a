#!/usr/bin/env bash
# End to end: the OPRF key split between two key holders, one of them
# bounded (max_batch = 200, then 64), the other not. The node sends every
# round to both in requests of the least bound told, so each holder
# answers many requests a round, in its own order, and the node adds the
# two holders' answers request by request. A reload lowering the bounded
# holder to 64 makes it refuse the next round too_large while the other
# answers it: the node asks again in smaller requests. Submissions of
# thousands of lines are accepted, and the consolidator's tables are byte
# for byte those of a run without a bound on the same two shares.
. "$(dirname "$0")/lib.sh"

INSTS="pnp mp"
VICTIMS=3000
[ "${KUSKA_SANITIZED:-OFF}" != ON ] || VICTIMS=1500

net_init
"$KUSKA" sim --out "$T/sim" --victims $VICTIMS --seed 29 >/dev/null
lines=$(records "$T/sim/pnp.jsonl")

# The demo's key holder and a second one, each with half of a new key.
split_key 1

# start_both: both key holders, then the consolidator and the nodes.
start_both() {
	start_keyholder
	start_keyholder "$N/keyholder2.conf" keyholder2
	start_all
}

# --- run A: the first holder bounded at 200, then 64 ------------------------
set_max_batch "$N/keyholder.conf" 200
start_both
check "the nodes work with two key holders" \
	wait_log "$N/pnp.log" "keyholders=2" 10
check "the node learns the first holder's max_batch from the hello" \
	wait_log "$N/pnp.log" "event=keyholder_max_batch .*max_batch=200" 10
submit_sim pnp
check "$lines lines of pnp accepted in requests of 200 to both" \
	submitted_ok pnp
check "... none of them too large" test "$(too_large)" = 0
sed -i 's/^max_batch = 200$/max_batch = 64/' "$N/keyholder.conf"
check "the first holder lowered to 64 by a reload" \
	hup_wait "$N/keyholder.log" "event=reload " "${PIDS[keyholder]}"
submit_sim mp
check "the next submission is accepted all the same" submitted_ok mp
check "... after the first holder refused a request too large" \
	test "$(too_large)" -ge 1
check "... the second none" test "$(too_large keyholder2)" = 0
check "... and the node learned the new bound" \
	grep -q "event=keyholder_max_batch .*max_batch=64" "$N/mp.log"
check "delivered (bounded)" wait_delivered 180
query_tables "$T/bounded"
for i in $INSTS; do stop_node "$i" TERM; done
stop_cons TERM
stop_keyholder TERM
stop_keyholder TERM keyholder2
wipe_data

# --- run B: the same files and shares, no bound ----------------------------
set_max_batch "$N/keyholder.conf"
: >"$N/keyholder.log"
: >"$N/keyholder2.log"
start_both
submit_sim pnp
submit_sim mp
check "without the bound: accepted" submitted_ok pnp mp
check "without the bound: no request too large" \
	test "$(too_large)" = 0 -a "$(too_large keyholder2)" = 0
check "delivered (unbounded)" wait_delivered 180
query_tables "$T/unbounded"
check "the same tables with and without the bound" \
	same_tables "$T/bounded" "$T/unbounded"
finish
