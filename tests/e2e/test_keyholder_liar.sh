#!/usr/bin/env bash
# End to end: a key holder that lies about its max_batch (kuska_liar).
# It answers the node's hello telling 200, then sends 200 replies never
# asked for, telling 100 to 103: the node takes a bound only from the
# answer to the hello it sent or a too_large refusal of the round in
# flight, and logs what it takes within a budget. Its too_large refusal
# telling 3 makes the node refuse the submission, naming the holder and
# the bound. A liar answering the hello with 3 (below the 64 a node
# works with) is not kept. A liar sending replies without end does not
# keep the node from answering its status.
. "$(dirname "$0")/lib.sh"

LIAR="$KUSKA_BIN/kuska_liar"
INSTS="pnp"

start_liar() { # start_liar LIAR-OPTIONS...
	"$LIAR" -k "$N/keys/keyholder.key" -e "tcp://127.0.0.1:$((PORT + 2))" \
		"$@" 2>>"$N/liar.log" &
	PIDS[liar]=$!
}

stop_liar() {
	kill -TERM "${PIDS[liar]}"
	wait "${PIDS[liar]}"
	check "the liar ended" test $? = 0
	unset 'PIDS[liar]'
}

net_init
"$KUSKA" sim --out "$T/sim" --victims 50 --seed 31 >/dev/null
start_liar -m 200 -M 3 -u 200
NO_KEYHOLDER=1
start_all
check "a bound of 200 in the answer to the node's hello: taken" \
	wait_log "$N/pnp.log" "event=keyholder_max_batch .*max_batch=200$" 10
"$KUSKA" submit -c "$N/pnp.conf" "$T/sim/pnp.jsonl" >"$T/submit-pnp.out" 2>&1
check "a too_large refusal telling 3: the submission refused" \
	grep -q "takes at most 3 elements in one request, below the 64 a node works with" \
	"$T/submit-pnp.out"
check "... as the key holder's failure" \
	grep -q "nothing of this request was stored" "$T/submit-pnp.out"
# Every later submission meets it the same: who must change what, not
# "submit again later" (walk55u).
check "... saying its operator must raise max_batch" \
	grep -q "below the 64 a node works with: its operator must raise max_batch: nothing of this request was stored\$" \
	"$T/submit-pnp.out"
check "... and not to submit again later" \
	sh -c "! grep -q 'submit again later' '$T/submit-pnp.out'"
# The refusal came after the 200 replies never asked for: all were read.
check "200 replies never asked for (answers to no hello, refusals of ids never sent): none of their bounds taken" \
	sh -c "! grep -q 'event=keyholder_max_batch .*max_batch=10[0-3]' '$N/pnp.log'"
stop_liar

# The node dials again, and says hello to the new liar.
start_liar -m 3 -M 3 -f
check "a bound of 3 in the hello's answer: not kept" \
	wait_log "$N/pnp.log" "event=keyholder_max_batch .*max_batch=3 refused=below_64" 30
check "a holder sending replies without end: the node answers its status" \
	test -n "$(node_acked pnp)"
lines=$(grep -c "event=keyholder_max_batch" "$N/pnp.log")
echo "# event=keyholder_max_batch lines: $lines"
check "replies never asked for: a budget of lines" test "$lines" -le 30
stop_liar
stop_node pnp TERM
finish
