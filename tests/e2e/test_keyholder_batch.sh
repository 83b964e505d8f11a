#!/usr/bin/env bash
# End to end: a key holder whose max_batch (200) is far below a node's
# round of a few thousand elements. The holder tells it in its answer to
# the node's hello, and the node asks in requests of at most 200 elements,
# each with its own hidden check elements: a submission of thousands of
# lines is accepted. A reload lowering max_batch to 64 (the least a key
# holder takes) after the hello makes the next request too large: the
# holder's refusal tells the new bound, and the node asks again in smaller
# requests rather than refuse the submission. The consolidator's tables are then byte for byte those
# of a run on a key holder without the bound, where the node still puts
# at most 256 elements in a request (its own bound, for the checks).
. "$(dirname "$0")/lib.sh"

INSTS="pnp mp"
VICTIMS=3000
[ "${KUSKA_SANITIZED:-OFF}" != ON ] || VICTIMS=1500

net_init
"$KUSKA" sim --out "$T/sim" --victims $VICTIMS --seed 23 >/dev/null
lines=$(records "$T/sim/pnp.jsonl")

# --- run A: max_batch = 200, then 64 ----------------------------------------
set_max_batch "$N/keyholder.conf" 200
start_all
check "the node learns max_batch from the hello" \
	wait_log "$N/pnp.log" "event=keyholder_max_batch .*max_batch=200" 10
submit_sim pnp
check "$lines lines of pnp accepted in requests of 200" submitted_ok pnp
check "... none of them too large" test "$(too_large)" = 0
sed -i 's/^max_batch = 200$/max_batch = 64/' "$N/keyholder.conf"
check "max_batch lowered to 64 by a reload" hup_wait "$N/keyholder.log" \
	"event=reload " "${PIDS[keyholder]}"
submit_sim mp
check "the next submission is accepted all the same" submitted_ok mp
check "... after one request refused too large" test "$(too_large)" -ge 1
check "... whose refusal told the node the new bound" \
	grep -q "event=keyholder_max_batch .*max_batch=64" "$N/mp.log"
check "delivered (bounded)" wait_delivered 180
query_tables "$T/bounded"
for i in $INSTS; do stop_node "$i" TERM; done
stop_cons TERM
stop_keyholder TERM
wipe_data

# --- run B: the same files, no bound -----------------------------------------
set_max_batch "$N/keyholder.conf"
: >"$N/keyholder.log"
start_all
submit_sim pnp
submit_sim mp
check "without the bound: accepted" submitted_ok pnp mp
check "without the bound: no request too large" test "$(too_large)" = 0
# Nor does a node put more than 256 elements in one request when the
# holder takes 65,536 (HOLDERS_MAX_REQUEST): each request hides 2 check
# elements, and a round of up to 4,096 identities went in one request,
# its 2 checks among 4,098 elements. (Before: one request a round.)
"$KUSKA" metrics -c "$N/keyholder.conf" >"$T/kh-metrics.out"
counter() { # counter NAME NODE
	sed -n "s/^$1{node=\"$2\"} //p" "$T/kh-metrics.out"
}
for i in $INSTS; do
	req=$(counter kuska_keyholder_requests_total "$i")
	ev=$(counter kuska_keyholder_evaluations_total "$i")
	echo "# $i: $ev elements evaluated in $req requests"
	check "$i: more elements ($ev) than one request of 256 holds" \
		test "${ev:-0}" -gt 256
	check "... in requests of at most 256 elements" \
		test "${ev:-0}" -le $((256 * ${req:-0}))
done
check "delivered (unbounded)" wait_delivered 180
query_tables "$T/unbounded"
check "the same tables with and without the bound" \
	same_tables "$T/bounded" "$T/unbounded"
finish
