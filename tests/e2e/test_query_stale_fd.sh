#!/usr/bin/env bash
# A request is judged on its own connection, not on the one that holds
# its descriptor when it is answered. Each message carries the descriptor
# of its connection, and the admission table is keyed by it; Linux gives
# a new connection the lowest free descriptor. Here the query thread is
# held (tests/tools/shim/slowread.c, as an audit would keep it) while a
# node's key, refused on the query socket, sends one request and leaves;
# the analyst then connects, on that descriptor. Judged when answered,
# the node's request had the analyst's connection closed (and labelled
# with the node's key): it must stay open.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"

held_query_net thread - -d

# ask REQUEST: one answer line of the analyst's asker.
ask() {
	local line
	printf '%s\n' "$1" >&"${ANALYST[1]}"
	read -r -t 130 line <&"${ANALYST[0]}"
	printf '%s\n' "$line"
}

# gone N: the log says N connections were lost.
gone() {
	local i
	for i in $(seq 300); do
		[ "$(grep -c "event=disconnected" "$N/consolidator.log")" -ge "$1" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

touch "$SLOW"
before=$(grep -c "event=disconnected" "$N/consolidator.log")
# A node's key on the query socket: its request waits for the query
# thread; the asker gives up and its connection closes.
printf 'deliveries\t2026\n' |
	"$ASKER" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
		-e "$QEP" -t 1000 >"$T/node.out" 2>&1
check "the query thread is held" wait_for_file "$SLOW.hit" 30
made=$(sed -n 's/^handshakes \([0-9]*\) .*/\1/p' "$T/node.out")
check "the node's connection is gone" gone $((before + made))
node_fd=$(sed -n 's/.*event=disconnected .*fd=\([0-9]*\).*/\1/p' \
	"$N/consolidator.log" | tail -1)
from=$(wc -l <"$N/consolidator.log")
coproc ANALYST { "$ASKER" -k "$N/keys/analyst.key" -t 120000 \
	-s "$N/keys/consolidator.pub" -e "$QEP"; }
printf 'deliveries\t2026\n' >&"${ANALYST[1]}"
check "the analyst's handshake is made" \
	wait_log "$N/consolidator.log" "event=auth_ok .*key=analyst-1" 30
rm -f "$SLOW"
read -r -t 130 a1 <&"${ANALYST[0]}"
check "the analyst's request is answered ($a1)" \
	grep -q '^answer rows=[0-9]* role=analyst$' <<<"$a1"
# Past REFUSED_CLOSE_MS (peers.c): a connection refused is closed by then.
sleep 1.5
a2=$(ask $'deliveries\t2026')
check "its next request too ($a2)" \
	grep -q '^answer rows=[0-9]* role=analyst$' <<<"$a2"
analyst_pid=$ANALYST_PID
exec {ANALYST[1]}>&-
read -r -t 30 end <&"${ANALYST[0]}"
wait "$analyst_pid"
check "the analyst's connection was never closed ($end)" \
	test "$end" = "handshakes 1 disconnects 0"
# none_shut: no connection was shut once the analyst's was made.
none_shut() {
	! tail -n +$((from + 1)) "$N/consolidator.log" |
		grep -q "event=connection_shut"
}
check "no connection was shut on the node's descriptor ($node_fd) after" \
	none_shut
check "the node's request was refused as a node key's" \
	grep -q "event=query_refused who=minsa key=.* reason=node_key" \
	"$N/consolidator.log"
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
finish
