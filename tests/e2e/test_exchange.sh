#!/usr/bin/env bash
# End to end: five nodes, a key holder and a consolidator on loopback
# deliver a few thousand synthetic events each, every one stored exactly
# once; no identity reaches any file, log or frame (the key holder's
# included), nor does any of a refused line's (kuska submit's output and
# --report file searched too), with the key holder up or gone; an
# unregistered node and a node speaking for another institution get
# nothing stored.
. "$(dirname "$0")/lib.sh"

net_init
# Capture what crosses the loopback, where a capture tool is at hand.
CAP=""
if command -v tcpdump >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	CAP="$T/frames.pcap"
	# The consolidator's port and the key holder's.
	tcpdump -i lo -U -s 0 -w "$CAP" \
		"tcp port $PORT or tcp port $((PORT + 2))" 2>/dev/null &
	PIDS[tcpdump]=$!
	sleep 0.5
fi
start_all
# No core file of a node: identities pass through memory kuska cannot
# wipe (libzmq's buffers), which a dump would put on a disk.
for i in $INSTS; do
	check "$i: the node can write no core file" \
		grep -Eq '^Max core file size +0 +0 ' "/proc/${PIDS[$i]}/limits"
done
# Nor of the consolidator: libzmq's copy of its transport key, and the
# events and exact counts in its buffers (docs/SECURITY.md).
check "the consolidator can write no core file" \
	grep -Eq '^Max core file size +0 +0 ' "/proc/${PIDS[cons]}/limits"

"$KUSKA" sim --out "$T/sim" --victims 1500 --seed 11 >/dev/null
cp "$KUSKA_SRC/tests/data/canary.jsonl" "$T/canary.jsonl"

# (a) every record accepted, delivered, stored exactly once.
check "submit accepts every synthetic record" submit_all "$T/sim"
"$KUSKA" submit -c "$N/pnp.conf" "$T/canary.jsonl" >"$T/canary.out"
check "canary records accepted" grep -q "3 accepted" "$T/canary.out"
check "all events delivered" wait_delivered 180
for i in $INSTS; do
	want=$(records "$T/sim/$i.jsonl")
	[ "$i" = pnp ] && want=$((want + 3))
	check "$i: consolidator holds $want events" \
		test "$(cons_last_seq "$i")" = "$want"
	check "$i: node last sequence is $want" \
		test "$(node_last_seq "$i")" = "$want"
done
check "audit: every sequence held once and verified" audit_ok
grep -q "accepted=$(records "$T/sim/mp.jsonl") refused=0 missing=0" \
	"$T/audit.out"
check "audit counts mp's events as accepted" test $? = 0

# Resubmitting is harmless: everything "already held", nothing new.
"$KUSKA" submit -c "$N/mp.conf" "$T/sim/mp.jsonl" >"$T/resubmit.out"
check "resubmission stores nothing new" \
	grep -q "0 accepted, $(records "$T/sim/mp.jsonl") already held, 0 refused" \
	"$T/resubmit.out"
check "... warned of victims who cannot be linked the first time" \
	grep -q 'warning: [0-9]* victim(s) cannot be linked' "$T/submit-mp.out"
check "... and not again for the records already held" \
	sh -c "! grep -q 'cannot be linked' '$T/resubmit.out' &&
		grep -q ' 0 refused, 0 with unlinkable victims\$' '$T/resubmit.out'"
check "mp still holds the same count" \
	test "$(cons_last_seq mp)" = "$(records "$T/sim/mp.jsonl")"

# (f) a node whose transport key is not registered gets nothing stored.
"$KUSKA" keygen rogue --dir "$N/keys" >/dev/null
sed -e 's|keys/pnp.key|keys/rogue.key|' -e 's|run/pnp.sock|run/rogue.sock|' \
	-e 's|data/pnp|data/rogue|' "$N/pnp.conf" >"$N/rogue.conf"
before=$(cons_last_seq pnp)
"$NODE" -c "$N/rogue.conf" 2>"$N/rogue.log" &
PIDS[rogue]=$!
wait_for_file "$N/run/rogue.sock" $START_WAIT_S "${PIDS[rogue]}" &&
	wait_serving "$N/rogue.conf" "${PIDS[rogue]}"
head -50 "$T/sim/pnp.jsonl" | sed 's/"ref":"PNP-/"ref":"ROGUE-/' >"$T/rogue.jsonl"
"$KUSKA" submit -c "$N/rogue.conf" "$T/rogue.jsonl" >/dev/null
check "unregistered node: handshake refused and counted" \
	wait_log "$N/consolidator.log" "reason=not_registered" 30
check "unregistered node: nothing stored" \
	test "$(cons_last_seq pnp)" = "$before"
stop_node rogue

# A node signing for another institution: mp's keys, pnp's name.
sed -e 's|keys/pnp.key|keys/mp.key|' -e 's|run/pnp.sock|run/fake.sock|' \
	-e 's|data/pnp|data/fake|' "$N/pnp.conf" >"$N/fake.conf"
mp_before=$(cons_last_seq mp)
"$NODE" -c "$N/fake.conf" 2>"$N/fake.log" &
PIDS[fake]=$!
wait_for_file "$N/run/fake.sock" $START_WAIT_S "${PIDS[fake]}" &&
	wait_serving "$N/fake.conf" "${PIDS[fake]}"
"$KUSKA" submit -c "$N/fake.conf" "$T/rogue.jsonl" >/dev/null
check "impostor: refused as wrong institution" \
	wait_log "$N/fake.log" "wrong_institution" 30
check "impostor: nothing stored for pnp" test "$(cons_last_seq pnp)" = "$before"
check "impostor: nothing stored for mp" test "$(cons_last_seq mp)" = "$mp_before"
stop_node fake

# (e) no identity anywhere: data directories, logs, sockets, frames.
python3 "$KUSKA_SRC/tests/e2e/identities.py" "$T"/sim/*.jsonl \
	"$T/canary.jsonl" >"$T/identities.txt"
check "identity list is not empty ($(wc -l <"$T/identities.txt") strings)" \
	test "$(wc -l <"$T/identities.txt")" -gt 1000
check "the canary DNI is among them" grep -qx 73914826 "$T/identities.txt"
check "... and its surnames as the node normalises them" \
	grep -qx "KILLASUMAQ CHUSPI" "$T/identities.txt"
# (g) refused lines hold identities too: each of these carries the
# canary's and breaks one rule (a field wrong, the JSON broken in the
# middle of a name, Latin-1 bytes in a name, the DNI typed into the
# article, names and numbers as keys, a held ref reused); none of it
# may reach kuska submit's output or --report file, a log, a disk or a
# frame. Then the same with the key holder gone: the request refused.
V='"document":{"type":"DNI","number":"73914826"},"given_names":"Wiraqocha Ñusta","surnames":"Killasumaq Ch'"'"'uspi","birth_date":"2011-04-17"'
H='"kind":"identification","date":"2025-03-14","region":"21"'
{
	echo "{$H,\"ref\":\"CANARY-R1\",\"victim\":{$V,\"sex\":\"X\",\"nationality\":\"PE\"},\"exploitation\":[\"sexual\"]}"
	echo "{\"kind\":\"identification\",\"ref\":\"CANARY-R2\",\"date\":\"2010-03-14\",\"region\":\"21\",\"victim\":{$V,\"sex\":\"F\",\"nationality\":\"PE\"},\"exploitation\":[\"sexual\"]}"
	echo "{\"kind\":\"identification\",\"ref\":\"CANARY-R3\",\"date\":\"2025-03-14\",\"region\":\"99\",\"victim\":{$V,\"sex\":\"F\",\"nationality\":\"PE\"},\"exploitation\":[\"sexual\"]}"
	echo "{$H,\"ref\":\"CANARY-R4\",\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":\"73914826\"},\"given_names\":\"Wiraqocha Ñusta 2\",\"surnames\":\"Killasumaq\",\"birth_date\":\"2011-04-17\",\"sex\":\"F\",\"nationality\":\"PE\"},\"exploitation\":[\"sexual\"]}"
	echo "{$H,\"ref\":\"CANARY-R5\",\"victim\":{\"document\":{\"type\":\"DNIE\",\"number\":\"73914826\"},\"sex\":\"F\",\"nationality\":\"PE\",\"age\":13},\"exploitation\":[\"sexual\"]}"
	echo "{$H,\"ref\":\"CANARY-R6\",\"victim\":{$V,\"given_names\":\"Wiraqocha Ñusta\",\"sex\":\"F\",\"nationality\":\"PE\"},\"exploitation\":[\"sexual\"]}"
	echo "{$H,\"ref\":\"CANARY-R7\",\"victim\":{\"given_names\":\"Wiraqocha Ñusta\" \"surnames\":\"Killasumaq Ch'uspi\",\"sex\":\"F\"}}"
	echo "{$H,\"ref\":\"CANARY-R8\",\"victim\":{\"document\":{\"type\":\"DNI\",\"number\":\"73914826\"},\"surnames\":\"Killasumaq Ch'uspi"
	printf '{%s,"ref":"CANARY-R9","victim":{"document":{"type":"DNI","number":"73914826"},"given_names":"Wiraqocha \321usta","surnames":"Killasumaq","birth_date":"2011-04-17","sex":"F","nationality":"PE"},"exploitation":["sexual"]}\n' "$H"
	echo "{\"kind\":\"case_stage\",\"ref\":\"CANARY-R10\",\"date\":\"2025-03-14\",\"region\":\"21\",\"case_number\":\"FIS-CANARY-1\",\"stage\":\"complaint\",\"victims\":[{$V,\"sex\":\"F\",\"nationality\":\"PE\"}],\"persons\":1,\"article\":\"73914826\"}"
	echo "{$H,\"ref\":\"CANARY-R11\",\"victim\":{\"Wiraqocha Ñusta\":\"Killasumaq Ch'uspi\",\"73914826\":\"2011-04-17\",\"sex\":\"F\",\"nationality\":\"PE\",\"age\":13},\"exploitation\":[\"sexual\"]}"
	echo "{\"kind\":\"correction\",\"ref\":\"CANARY-R12\",\"target_ref\":\"CANARY-NONE\",\"record\":{$H,\"victim\":{$V,\"sex\":\"F\",\"nationality\":\"PE\"},\"exploitation\":[\"labour\"]}}"
	echo "{$H,\"ref\":\"CANARY-1\",\"victim\":{$V,\"sex\":\"F\",\"nationality\":\"PE\"},\"exploitation\":[\"begging\"]}"
} >"$T/refused.jsonl"
nref=$(wc -l <"$T/refused.jsonl")
pnp_before=$(node_last_seq pnp)
"$KUSKA" submit -c "$N/pnp.conf" --dry-run "$T/refused.jsonl" \
	>"$T/refused-dry.out" 2>&1
"$KUSKA" submit -c "$N/pnp.conf" --report "$T/refused.csv" \
	"$T/refused.jsonl" >"$T/refused.out" 2>&1
check "every line carrying the canary but breaking a rule is refused" \
	grep -q "refused.jsonl: 0 accepted, 0 already held, $nref refused" \
	"$T/refused.out"
check "... one row each in the --report file" \
	test "$(($(wc -l <"$T/refused.csv") - 1))" = "$nref"
check "... nothing of them stored" test "$(node_last_seq pnp)" = "$pnp_before"
"$KUSKA" status -c "$N/pnp.conf" >"$T/pnp-status.out" 2>&1
"$KUSKA" metrics -c "$N/pnp.conf" >"$T/pnp-metrics.out" 2>&1
stop_keyholder TERM
"$KUSKA" submit -c "$N/pnp.conf" "$T/canary.jsonl" "$T/refused.jsonl" \
	>"$T/noholder.out" 2>&1
check "the key holder gone: the request refused, saying why" \
	grep -q "nothing of this request was stored" "$T/noholder.out"
start_keyholder
"$KUSKA" status -c "$N/pnp.conf" >"$T/noholder-status.out" 2>&1
# The identities, and the parts of the canary's these lines hold alone:
# searched here and, below, in every data file, log and frame.
{
	cat "$T/identities.txt"
	printf '%s\n' 73914826 Wiraqocha WIRAQOCHA Killasumaq KILLASUMAQ \
		"Ch'uspi" "CH'USPI" 2011-04-17 20110417
} >"$T/identities-parts.txt"
said="$T/refused-dry.out $T/refused.csv $T/refused.out $T/pnp-status.out
	$T/pnp-metrics.out $T/noholder.out $T/noholder-status.out"
# shellcheck disable=SC2086 # said: file names without spaces
leaks=$(grep -a -l -F -f "$T/identities-parts.txt" $said)
check "no identity of a refused line in what kuska submit, status and metrics said" \
	test -z "$leaks"
[ -n "$leaks" ] && echo "identities found in: $leaks"

for i in $INSTS; do stop_node "$i" TERM; done
stop_cons TERM
stop_keyholder TERM
if [ -n "$CAP" ]; then
	kill -INT "${PIDS[tcpdump]}" 2>/dev/null
	wait "${PIDS[tcpdump]}" 2>/dev/null
	unset 'PIDS[tcpdump]'
fi
files=$(find "$N/data" "$N/run" -type f; ls "$N"/*.log ${CAP:+"$CAP"})
check "the key holder's log is searched" grep -q keyholder.log <<<"$files"
if [ -n "$CAP" ]; then
	check "frames to and from the key holder were captured" \
		test "$(tcpdump -r "$CAP" "tcp port $((PORT + 2))" 2>/dev/null |
			wc -l)" -gt 10
fi
leaks=$(grep -a -l -F -f "$T/identities-parts.txt" $files)
check "no identity in data, logs or frames (searched $(echo "$files" | wc -l) files)" \
	test -z "$leaks"
[ -n "$leaks" ] && echo "identities found in: $leaks"
if [ -n "$CAP" ]; then
	check "frames were captured" test -s "$CAP"
fi
# The envelopes as stored are the frames' payloads before encryption.
check "stored envelopes hold no canary name" \
	sh -c "! grep -a -q -e KILLASUMAQ -e Killasumaq -e 73914826 -r '$N/data'"

finish
