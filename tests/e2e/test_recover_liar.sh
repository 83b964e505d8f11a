#!/usr/bin/env bash
# kuska-node --recover against a consolidator that lies (kuska_fakecons,
# with the consolidator's key): it says it holds 2^63 events, or holds
# 5 and sends one at sequence 2^63. The node believes neither: the first
# is refused before anything is fetched, naming why, the outbox left as
# it was; the second is past what it said it holds and is not stored.
# Before, the id table kuska-node sizes by the sequences it is sent
# doubled its size until it wrapped to 0 and looped for ever (at 2^60 it
# wrapped on the bytes instead and wrote past a 0-byte allocation).
. "$(dirname "$0")/lib.sh"

net_init
EP=$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")
BIG=9223372036854775808 # 2^63
# recover_from LAST SEQ OUT: --recover against the liar; exit code in $rc.
recover_from() {
	"$KUSKA_BIN/kuska_fakecons" -k "$N/keys/consolidator.key" -e "$EP" \
		-l "$1" -s "$2" &
	local liar=$!
	timeout 60 "$NODE" --recover -c "$N/pnp.conf" >"$3" 2>&1
	rc=$?
	kill "$liar"
	wait "$liar" 2>/dev/null
}

recover_from $BIG $BIG "$T/big.out"
check "a last sequence of 2^63: refused (exit $rc)" test $rc = 1
check "... saying it is not believed" grep -q "not believed" "$T/big.out"
check "... nothing made" test ! -e "$N/data/pnp/data.mdb"

recover_from 5 $BIG "$T/past.out"
check "an event at 2^63 past the 5 it holds: no hang (exit $rc)" \
	sh -c "test $rc != 124 && test $rc -lt 128"
sed 's/^/# /' "$T/past.out"
finish
