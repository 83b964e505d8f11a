#!/usr/bin/env bash
# The key holder answers kuska status while it evaluates a batch: between
# chunks of the evaluation (EVAL_CHUNK_PER_WORKER, daemon/keyholder/
# serve.c) it serves its control socket and feeds the watchdog, as it
# reads its listening socket. Before, a batch of 65,536 elements with one
# worker (seconds) left both waiting until its end, and what a member of
# kuska-control sent meanwhile piled up in libzmq (docs/SECURITY.md,
# "Hostile peers").
. "$(dirname "$0")/lib.sh"

THIEF="$KUSKA_BIN/kuska_thief"
BIG=65536

net_init
printf 'rate_per_day = 100000000\nworkers = 1\n' >>"$N/keyholder.conf"
start_keyholder
EP="tcp://127.0.0.1:$((PORT + 2))"
# taken: kuska status answers, and says the key holder took mp's request
# (its requests column, counted before the evaluation).
taken() {
	"$KUSKA" status -c "$N/keyholder.conf" >"$T/status.out" 2>&1
	awk '$1 == "mp" && $2 == 1 { f = 1 } END { exit !f }' "$T/status.out"
}
"$THIEF" sweep -k "$N/keys/mp.key" -p "$N/keys/keyholder.pub" -e "$EP" \
	-E 1 -n $BIG -b $BIG -t 60000 >"$T/big.out" 2>&1 &
big=$!
# Until an answer says the request was taken, for at most 30 s: a
# trigger. On the code before, the first such answer came after the
# batch was answered.
for i in $(seq 600); do
	taken && break
	sleep 0.05
done
check "kuska status says the batch's request was taken" taken
check "that answer came before the batch's" \
	sh -c "! grep -q evaluated '$T/big.out'"
wait $big
check "the batch is evaluated" \
	grep -qx "evaluated $BIG of $BIG" "$T/big.out"
check "kuska status answers after the batch" \
	"$KUSKA" status -c "$N/keyholder.conf"
check_no_assertion keyholder
finish
