#!/usr/bin/env bash
# Fair behind a stalled writer. While the store's commits lag, the
# consolidator reads on and keeps a node's messages waiting behind the 24
# jobs of its pipeline, up to its window (test_stall_unread.sh). They are
# taken an institution at a time, in turn: minsa's one batch, come while
# 40 of pnp's wait (a window of 64 small batches), is committed before
# them, not after them all as one list in the order they came would
# have it (40 or more of pnp's first). Each institution's batches keep
# their order, and everything is delivered once.
#
# The store's fdatasync is held while a file exists (tests/tools/shim/
# stall.c, an LD_PRELOAD library); the messages waiting are read from
# kuska_ingest_waiting, the order of commits from the consolidator's log
# (-d: a line per batch as it is answered), never from a clock.
. "$(dirname "$0")/lib.sh"

STALL_LIB="$KUSKA_BIN/libkuska_stall.so"

[ -r "$STALL_LIB" ] || skip "no $STALL_LIB"
net_init
printf 'window = 64\nbatch_events = 4\n' >>"$N/pnp.conf"
# A stall of minutes under load must not make them say hello again.
for i in pnp minsa; do echo "ack_timeout_s = 600" >>"$N/$i.conf"; done
STALL="$T/stall"
KUSKA_STALL_FILE="$STALL" LD_PRELOAD="$STALL_LIB" start_cons -d
start_keyholder
start_node pnp
start_node minsa
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
head -n 4 "$T/sim/pnp.jsonl" >"$T/pnp-first.jsonl"
sed -n '5,404p' "$T/sim/pnp.jsonl" >"$T/pnp-rest.jsonl"
head -n 4 "$T/sim/minsa.jsonl" >"$T/minsa-first.jsonl"
sed -n '5,8p' "$T/sim/minsa.jsonl" >"$T/minsa-rest.jsonl"
check "pnp's sim file holds 100 batches of 4" \
	test "$(records "$T/pnp-rest.jsonl")" = 400
submit() { # INST FILE
	"$KUSKA" submit -c "$N/$1.conf" "$2" >"$T/submit-$1.out" 2>&1
}
check "pnp's first records accepted" submit pnp "$T/pnp-first.jsonl"
check "minsa's first records accepted" submit minsa "$T/minsa-first.jsonl"
check "both delivered" wait_delivered 120

waiting() { # INST: its messages waiting, from the consolidator's metrics
	cons_metric "kuska_ingest_waiting{institution=\"$1\"}"
}
# wait_waiting INST N: until at least N of INST's messages wait (60 s).
wait_waiting() {
	local i
	for i in $(seq 600); do
		[ "$(waiting "$1")" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
FROM=$(($(wc -l <"$N/consolidator.log") + 1))
touch "$STALL"
check "pnp's hundred batches accepted by its node" \
	submit pnp "$T/pnp-rest.jsonl"
check "40 of pnp's wait behind the stalled pipeline" wait_waiting pnp 40
check "minsa's batch accepted by its node" submit minsa "$T/minsa-rest.jsonl"
check "minsa's batch waits too" wait_waiting minsa 1
check "the commit still stalls" test -e "$STALL.hit"
rm -f "$STALL"
check "everything delivered once the commits go on" wait_delivered 120

batches() { # the batch lines answered since the stall, in order
	tail -n +"$FROM" "$N/consolidator.log" |
		sed -n 's/.*event=batch institution=\([a-z]*\) .*/\1/p'
}
before=$(batches | sed '/^minsa$/q' | grep -c '^pnp$')
echo "# pnp's batches committed before minsa's: $before"
check "minsa's batch committed before pnp's 40 waiting ($before of pnp's first)" \
	test "$before" -lt 40
check "minsa's batch committed once" test "$(batches | grep -c '^minsa$')" = 1
check "pnp's hundred committed once each" \
	test "$(batches | grep -c '^pnp$')" = 100
check "pnp's batches in order" \
	test "$(tail -n +"$FROM" "$N/consolidator.log" |
		sed -n 's/.*event=batch institution=pnp .*last_seq=\([0-9]*\).*/\1/p' |
		sort -nc && echo sorted)" = sorted
finish
