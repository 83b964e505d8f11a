#!/usr/bin/env bash
# End to end: a node whose consolidator address is another service's, one
# that accepts TCP connections and closes them (a wrong port, a proxy
# whose consolidator is down). A connection made no longer counts as
# "consolidator unreachable" (a wrong consolidator_key must not read as
# a consolidator not running), so its journal had only
# hint="wrong consolidator_key?": the operator was sent to the key when
# the address was wrong. The hint now names both.
. "$(dirname "$0")/lib.sh"

net_init
cport=$(sed -n 's|^consolidator = tcp://127\.0\.0\.1:\([0-9]*\)$|\1|p' \
	"$N/pnp.conf")
check "the node's consolidator is on this machine ($cport)" test -n "$cport"
# Not the consolidator: a listener that closes each connection it takes.
python3_bg -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.close()
' "$cport"
PIDS[other]=$!
wait_port() { (exec 3<>"/dev/tcp/127.0.0.1/$cport") 2>/dev/null; }
for _ in $(seq 50); do wait_port && break; sleep 0.1; done
check "another service listens at the consolidator's port" wait_port

start_node pnp
started=$EPOCHREALTIME
check "the node says its handshakes fail, naming the key and the address" \
	wait_log "$N/pnp.log" \
	'event=handshake_failed consolidator=.*hint="wrong consolidator_key? or another service at this host and port?" failures=3' 60
# Past the 10 s after which an unreachable consolidator is said, counted
# from the node's start (it dials before it serves): the wait for its
# third failed handshake counts towards them.
sleep_since "$started" 11
check "... and does not call it unreachable, which a connection is not" \
	test "$(grep -c 'event=consolidator_unreachable' "$N/pnp.log")" = 0
"$KUSKA" status -c "$N/pnp.conf" >"$T/status.out" 2>&1
rc=$?
check "kuska status of the node exits 1 ($rc)" test "$rc" = 1
check "... saying, as its log does, that it may be another service" \
	grep -q "WARNING: the handshake with the consolidator failed .* ago: wrong consolidator_key? or another service at this host and port?$" \
	"$T/status.out"

finish
