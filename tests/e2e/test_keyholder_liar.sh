#!/usr/bin/env bash
# End to end: a key holder that lies about its max_batch (kuska_liar).
# After answering the node's hello it sends 200 replies never asked for,
# telling 100 to 103: the node takes a bound only from an answer to its
# hello or a too_large refusal of the round in flight, and logs what it
# takes within a budget.
. "$(dirname "$0")/lib.sh"

LIAR="$KUSKA_BIN/kuska_liar"
INSTS="pnp"

net_init
"$KUSKA" sim --out "$T/sim" --victims 50 --seed 31 >/dev/null
"$LIAR" -k "$N/keys/keyholder.key" -e "tcp://127.0.0.1:$((PORT + 2))" \
	-m 200 -M 200 -u 200 2>>"$N/liar.log" &
PIDS[liar]=$!
NO_KEYHOLDER=1
start_all
check "the hello's answer read" \
	wait_log "$N/pnp.log" "event=keyholder_max_batch .*max_batch=200" 10
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/submit-pnp.out" 2>&1
check "every request refused: the submission too" \
	grep -q "nothing of this request was stored" "$T/submit-pnp.out"
lines=$(grep -c "event=keyholder_max_batch" "$N/pnp.log")
echo "# event=keyholder_max_batch lines: $lines"
check "200 replies never asked for: a budget of lines" test "$lines" -le 30
check "... the refusals of ids never sent: not taken" \
	sh -c "! grep -q 'event=keyholder_max_batch .*max_batch=10[13]' '$N/pnp.log'"
stop_node pnp TERM
kill -TERM "${PIDS[liar]}"
wait "${PIDS[liar]}"
check "the liar ended" test $? = 0
unset 'PIDS[liar]'
finish
