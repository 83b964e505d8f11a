#!/usr/bin/env bash
# A refused key is told why before its connection is closed, however long
# the query thread keeps it waiting. A node's key on the query socket is
# refused, and its connection closed REFUSED_CLOSE_MS (peers.c) later:
# that close was counted from the request's read, so that a refusal sent
# after an audit of more than half a second found the connection gone and
# its client heard nothing. Here the query thread is held (as an audit
# would keep it: tests/tools/shim/slowread.c) while a node's key asks; the
# hold ends past REFUSED_CLOSE_MS. The refusal must reach the client, and
# its connection be closed after it.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"

held_query_net thread - -d

touch "$SLOW"
check "the query thread is held" wait_for_file "$SLOW.hit" 30
from=$(wc -l <"$N/consolidator.log")
coproc NODE_ASKS { "$ASKER" -k "$N/keys/minsa.key" -t 30000 \
	-s "$N/keys/consolidator.pub" -e "$QEP"; }
printf 'deliveries\t2026\n' >&"${NODE_ASKS[1]}"
check "the node key's handshake is made" \
	wait_log "$N/consolidator.log" "event=auth_ok .*key=minsa-1" 30
# Past REFUSED_CLOSE_MS from the request's read (just after the
# handshake): counted from it, the connection is closed by now.
sleep 1.5
rm -f "$SLOW"
read -r -t 90 a <&"${NODE_ASKS[0]}"
check "the node's key is told why it is refused ($a)" \
	grep -q "^answer error=key minsa-1 is minsa's node key" <<<"$a"
check "its connection is closed after the refusal" \
	wait_log_after "$N/consolidator.log" "$from" "event=connection_shut" 30
asker_pid=$NODE_ASKS_PID
exec {NODE_ASKS[1]}>&-
wait "$asker_pid"
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
finish
