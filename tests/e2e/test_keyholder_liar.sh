#!/usr/bin/env bash
# End to end: a key holder that lies about its max_batch (kuska_liar).
# It answers the node's hello telling 3, below the 64 a node works with,
# then sends 200 replies never asked for, telling 100 to 103: the node
# keeps no bound below 64, takes a bound only from an answer to its hello
# or a too_large refusal of the round in flight, and logs what it takes
# within a budget. Its too_large refusal telling 3 makes the node refuse
# the submission, naming the holder and the bound.
. "$(dirname "$0")/lib.sh"

LIAR="$KUSKA_BIN/kuska_liar"
INSTS="pnp"

net_init
"$KUSKA" sim --out "$T/sim" --victims 50 --seed 31 >/dev/null
"$LIAR" -k "$N/keys/keyholder.key" -e "tcp://127.0.0.1:$((PORT + 2))" \
	-m 3 -M 3 -u 200 2>>"$N/liar.log" &
PIDS[liar]=$!
NO_KEYHOLDER=1
start_all
check "a bound of 3 in the hello's answer: not kept" \
	wait_log "$N/pnp.log" "event=keyholder_max_batch .*max_batch=3 refused=below_64" 10
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/submit-pnp.out" 2>&1
check "a too_large refusal telling 3: the submission refused" \
	grep -q "takes at most 3 elements in one request, below the 64 a node works with" \
	"$T/submit-pnp.out"
check "... as the key holder's failure" \
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
