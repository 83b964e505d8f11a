#!/usr/bin/env bash
# Signatures bound to a deployment: two networks made from the same keys
# (a production network and a test network, say), each with its own
# registry network and consolidator. A node of one, pointed at the
# other's consolidator, is refused at hello with wrong_network, learns it
# (log and kuska status) and delivers nothing there; pointed back at its
# own, it delivers everything. An envelope signed for one network and sent
# on the other is refused with wrong_network; one signed for the network
# it is sent to is accepted.
. "$(dirname "$0")/lib.sh"

ROGUE="$KUSKA_BIN/kuska_rogue"

net_init
A_NET=pe-trata-2026
B_NET=pe-test-2026
sed -i "s/^\[network .*\]/[network $A_NET]/" "$N/registry.conf"
for i in $INSTS; do
	sed -i "s/^network = .*/network = $A_NET/" "$N/$i.conf"
done

# Network B: the same keys and registry, its own network name and ports.
B=$T/b
PORT_B=$(pick_port $((PORT + 4))) && [ -n "$PORT_B" ] || exit 1
mkdir -p "$B/data" "$B/run"
cp -r "$N/keys" "$B/"
cp "$N/registry.conf" "$N/consolidator.conf" "$B/"
sed -i "s/^\[network .*\]/[network $B_NET]/" "$B/registry.conf"
sed -i "s/:$PORT\$/:$PORT_B/; s/:$((PORT + 1))\$/:$((PORT_B + 1))/" \
	"$B/consolidator.conf"
check "network B differs from A in its network and ports only" \
	sh -c "diff '$N/registry.conf' '$B/registry.conf' | grep -q '^> \[network $B_NET\]\$' &&
		grep -q ':$PORT_B\$' '$B/consolidator.conf'"
"$CONS" -c "$B/consolidator.conf" 2>>"$B/consolidator.log" &
PIDS[consb]=$!
wait_for_file "$B/run/consolidator.sock" $START_WAIT_S "${PIDS[consb]}" &&
	wait_serving "$B/consolidator.conf" "${PIDS[consb]}"
start_cons

# pnp's node of network A, pointed at B's consolidator.
sed "s/:$PORT\$/:$PORT_B/" "$N/pnp.conf" >"$N/pnp-to-b.conf"
start_node pnp "$N/pnp-to-b.conf"
"$KUSKA" sim --out "$T/sim" --victims 20 --seed 12 >/dev/null
"$KUSKA" submit -c "$N/pnp-to-b.conf" "$T/sim/pnp.jsonl" >/dev/null
want=$(records "$T/sim/pnp.jsonl")
wait_log "$N/pnp.log" "reason=wrong_network"
check "B refuses the hello of a node of network A" \
	grep -q "event=hello_refused institution=pnp .*reason=wrong_network" \
	"$B/consolidator.log"
check "the node learns why at hello" \
	grep -q "event=batch_refused reason=wrong_network batch=0" "$N/pnp.log"
"$KUSKA" status -c "$N/pnp-to-b.conf" >"$T/status.out"
check "kuska status of the node warns (exit 1)" test $? = 1
check "... and names the other network" \
	grep -q "refused a batch .*wrong_network: .*$B_NET.*$A_NET" "$T/status.out"
check "... and the config key to correct" \
	grep -q "wrong_network: .*$A_NET (its \[node\] network: correct it or its consolidator address)" "$T/status.out"
check "B holds nothing from pnp" \
	test "$("$KUSKA" status -c "$B/consolidator.conf" |
		awk '$1 == "pnp" { print $2 }')" = 0
check "the node holds its $want events, none acknowledged" \
	test "$(node_acked pnp)" = 0
stop_node pnp TERM

# The same node and outbox, pointed at its own network.
start_node pnp
check "pointed at A, the node delivers all $want events" wait_delivered 30
check "A holds them" test "$(cons_last_seq pnp)" = "$want"
check "the node's journal names what it may emit, as told by A" \
	grep -q 'event=grants kinds="identification [a-z_ ]*" stages="[a-z_ ]*' "$N/pnp.log"
stop_node pnp TERM

# Envelopes: minsa's key speaks to B, signing for A, then for B.
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT_B" -N "$B_NET" -W "$A_NET" -n 3 othernet \
	>"$T/othernet.out" 2>&1
check "envelopes signed for A are refused by B as wrong_network" \
	grep -qx "ack rejection wrong_network 3" "$T/othernet.out"
check "... each answered as expected" grep -qx "mismatches 0" "$T/othernet.out"
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT_B" -N "$B_NET" -n 2 valid >"$T/valid.out" 2>&1
check "envelopes signed for B are accepted by B" \
	grep -qx "ack clean 2" "$T/valid.out"
# Refused, the tool gets no welcome and says hello again for 30 s (-H):
# the refusal in A's log is what is judged, so it is waited for and the
# tool then stopped.
"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT" -N "$B_NET" -n 1 hello >"$T/hello.out" 2>&1 &
HELLO=$!
check "a hello naming B is refused by A" \
	wait_log "$N/consolidator.log" \
	"event=hello_refused institution=minsa .*reason=wrong_network" 30
kill "$HELLO" 2>/dev/null
wait "$HELLO" 2>/dev/null
check "both consolidators still running" \
	kill -0 "${PIDS[cons]}" "${PIDS[consb]}"
check "audit of B: the refused envelopes are accounted for" \
	sh -c "'$CONS' --audit -c '$B/consolidator.conf' | grep -q '^audit: OK'"

finish
