#!/usr/bin/env bash
# kuska-node --recover against a consolidator that lies (kuska_fakecons,
# with the consolidator's key): it says it holds 2^63 events, or holds
# 5 and sends one at sequence 2^63. The node believes neither: the first
# is refused before anything is fetched, naming why, the outbox left as
# it was; the second is past what it said it holds and is not stored.
# Before, the id table kuska-node sizes by the sequences it is sent
# doubled its size until it wrapped to 0 and looped for ever (at 2^60 it
# wrapped on the bytes instead and wrote past a 0-byte allocation).
#
# Then it hands back an envelope within what it said it holds that the
# node never signed: unsigned, or signed with the consolidator's own key.
# The node refuses the recovery (exit 1), naming the sequence, and stores
# nothing. Before, it stored either as its own. Signed with the node's
# key it is taken; signed with the node's key before a rotation, it is
# taken only once that key's .pub is in [node] previous_keys. Signed by
# the node for another network, it is taken as a refusal, not as
# accepted.
. "$(dirname "$0")/lib.sh"

net_init
EP=$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")
BIG=9223372036854775808 # 2^63
# recover_from LAST SEQ OUT [SIGNER.key [CONF]]: --recover against the
# liar, which signs what it sends with SIGNER.key if given, and is told
# more options in $LIAR_OPTS; exit code in $rc.
recover_from() {
	# shellcheck disable=SC2086 # LIAR_OPTS: options, word by word
	"$KUSKA_BIN/kuska_fakecons" -k "$N/keys/consolidator.key" -e "$EP" \
		-l "$1" -s "$2" ${4:+-K "$4"} ${LIAR_OPTS:-} &
	local liar=$!
	timeout 60 "$NODE" --recover -c "${5:-$N/pnp.conf}" >"$3" 2>&1
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
check "... the 5 it named, handed back not, said" grep -q \
	"handed back nothing at 5 of sequences 1-5" "$T/past.out"
sed 's/^/# /' "$T/past.out"

# no_outbox: what the cases above left of the outbox, removed.
no_outbox() {
	rm -rf "$N/data/pnp/"*.mdb* "$N/data/pnp/recover.tmp"
}

no_outbox
recover_from 1 1 "$T/unsigned.out"
check "an unsigned envelope at sequence 1 of the 1 it holds: refused (exit $rc)" \
	test $rc = 1
check "... naming the sequence and why" grep -q \
	"envelope at sequence 1 is not this node's: signed with a key that is not this node's" \
	"$T/unsigned.out"
check "... nothing stored" test ! -e "$N/data/pnp/data.mdb"
sed 's/^/# /' "$T/unsigned.out"

recover_from 1 1 "$T/forged.out" "$N/keys/consolidator.key"
check "an envelope signed with the consolidator's key: refused (exit $rc)" \
	test $rc = 1
check "... as not this node's" grep -q "sequence 1 is not this node's" \
	"$T/forged.out"
check "... nothing stored" test ! -e "$N/data/pnp/data.mdb"

recover_from 1 1 "$T/own.out" "$N/keys/pnp.key"
check "an envelope signed with the node's key: taken (exit $rc)" test $rc = 0
check "... as the one event recovered" grep -q "recovered 1 events" \
	"$T/own.out"
check "... the sequences it named, handed back, none said missing" \
	sh -c "! grep -q 'handed back nothing' '$T/own.out'"
sed 's/^/# /' "$T/own.out"

# The node's, for another network: said accepted, refused; said refused
# there (wrong_network, 18: a node's network fixed after it signed), a
# dead letter of the node's, taken.
no_outbox
LIAR_OPTS="-N othernet" recover_from 1 1 "$T/othernet.out" "$N/keys/pnp.key"
check "the node's, for another network, said accepted: refused (exit $rc)" \
	test $rc = 1
check "... as signed for another network" grep -q \
	"sequence 1 is not this node's: signed for another network" \
	"$T/othernet.out"
check "... nothing stored" test ! -e "$N/data/pnp/data.mdb"
LIAR_OPTS="-N othernet -r 18" recover_from 1 1 "$T/deadletter.out" \
	"$N/keys/pnp.key"
check "... said refused there: taken (exit $rc)" test $rc = 0
check "... as a refused event" grep -q "recovered 1 events.*1 of them refused" \
	"$T/deadletter.out"

# The node's signing key replaced (OPERATIONS.md section 6): what the
# consolidator holds was signed with the earlier one.
no_outbox
"$KUSKA" keygen pnp-2027 --dir "$T" >/dev/null
mkdir -p "$T/previous"
cp "$N/keys/pnp.pub" "$T/previous/"
sed "s|^key = .*|key = $T/pnp-2027.key|" "$N/pnp.conf" >"$N/pnp-new.conf"
recover_from 1 1 "$T/rotated.out" "$N/keys/pnp.key" "$N/pnp-new.conf"
check "signed with the node's earlier key, not named: refused (exit $rc)" \
	test $rc = 1
check "... saying to name it in previous_keys" grep -q "previous_keys" \
	"$T/rotated.out"
check "... nothing stored" test ! -e "$N/data/pnp/data.mdb"
printf 'previous_keys = %s\n' "$T/previous" >>"$N/pnp-new.conf"
recover_from 1 1 "$T/previous.out" "$N/keys/pnp.key" "$N/pnp-new.conf"
check "... named in previous_keys: taken (exit $rc)" test $rc = 0
check "... as the one event recovered" grep -q "recovered 1 events" \
	"$T/previous.out"
sed 's/^/# /' "$T/previous.out"

sed "s|^key = .*|key = $T/pnp-2027.key|" "$N/pnp.conf" >"$N/pnp-bad.conf"
printf 'previous_keys = %s\n' "$T/nowhere" >>"$N/pnp-bad.conf"
"$NODE" -n -c "$N/pnp-bad.conf" >"$T/bad.out" 2>&1
rc=$?
check "previous_keys naming no directory: a config error (exit $rc)" \
	test $rc = 78
check "... naming the key" grep -q "previous_keys" "$T/bad.out"

# It leaves sequences out of its answer altogether (not even listed as
# held without an envelope): L-1, which the honest consolidator holds,
# and L, which the node took while that one was down and never
# delivered. The old outbox agrees: both are taken from it, not
# acknowledged, and sent again to the honest consolidator, which stores
# L once and L-1 not twice. Before, the new outbox was acknowledged up
# to L with nothing at L-1 and L: L was never sent again, and held only
# in data.mdb.before-recover-TIME.
no_outbox
"$KUSKA" sim --out "$T/sim" --victims 50 --seed 7 >/dev/null
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n 1,2p >"$T/a.jsonl"
grep '"kind":"identification"' "$T/sim/pnp.jsonl" | sed -n 3p >"$T/b.jsonl"
start_cons
start_node pnp
"$KUSKA" submit -c "$N/pnp.conf" "$T/a.jsonl" >/dev/null
check "two records delivered" wait_delivered 30
held=$(cons_last_seq pnp)
stop_cons TERM
"$KUSKA" submit -c "$N/pnp.conf" "$T/b.jsonl" >/dev/null
L=$(node_last_seq pnp)
check "a third taken while the consolidator is down ($held held, $L taken)" \
	test "$L" = $((held + 1))
stop_node pnp TERM
cp -a "$N/data/pnp" "$T/pnp-copy"
LIAR_OPTS="-o $T/pnp-copy -x $((L - 1)) -x $L" recover_from "$L" 0 \
	"$T/omit.out"
sed 's/^/# /' "$T/omit.out"
check "sequences $((L - 1)) and $L left out: recovered (exit $rc)" test $rc = 0
check "... the two said left out" grep -q \
	"handed back nothing at 2 of sequences 1-$L" "$T/omit.out"
check "... and taken from the old outbox, to be sent again" grep -q \
	"took 2 events it left out .* the first at sequence $((L - 1))" \
	"$T/omit.out"
check "... none said lost" sh -c "! grep -q 'not to be had' '$T/omit.out'"
start_cons
start_node pnp
check "the honest consolidator gets sequence $L" wait_held pnp "$L" 30
check "... the node's outbox all delivered" wait_delivered 30
check "... each stored once, none refused" sh -c \
	"'$KUSKA' status -c '$N/consolidator.conf' | grep -Eq '^pnp +$L +$L +0 '"
check "... the node not diverged" sh -c "! grep -q 'event=diverged' '$N/pnp.log'"
finish
