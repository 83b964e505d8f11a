#!/usr/bin/env bash
# A node's requests wait their turn in the key holder (intake.c). A key
# revoked from a time still ahead (kuska-keyholder(8), SIGHUP) is valid
# at the reload: its connection stays, its requests are taken. Once the
# time has passed, each request of it still waiting is refused, not
# evaluated, as a request read then would be: with the reason logged
# (event=request_refused reason=key_not_valid), and its connection
# closed soon after the refusal, not left open for as long as its holder
# keeps it. A stolen key's flood, revoked, must not keep a connection
# the registry no longer admits.
. "$(dirname "$0")/lib.sh"

THIEF="$KUSKA_BIN/kuska_thief"
# Requests of BIG elements, one worker: each takes a while, and a
# node's line holds several (KH_WAIT_NODE_BYTES).
BIG=8192
COUNT=40

net_init
printf 'rate_per_day = 100000000\nworkers = 1\n' >>"$N/keyholder.conf"
start_keyholder
EP="tcp://127.0.0.1:$((PORT + 2))"
metric() {
	"$KUSKA" metrics -c "$N/keyholder.conf" 2>/dev/null |
		awk -v k="$1" '$1 == k { print $2 }'
}
closed_invalid() {
	metric 'kuska_keyholder_connections_closed_total{reason="key_not_valid"}'
}
# kh_reload: SIGHUP the key holder and wait for its reload line.
kh_reload() {
	hup_wait "$N/keyholder.log" "event=reload " "${PIDS[keyholder]}"
}

# flood KEY: COUNT requests at once on a connection held open (60 s)
# that reads nothing.
flood() {
	"$THIEF" sweep -k "$N/keys/$1.key" -p "$N/keys/keyholder.pub" \
		-e "$EP" -E 1 -n $BIG -b $BIG -F $COUNT -t 60000 \
		>"$T/flood.$1.out" 2>&1 &
}
# pj's and mp's lines, full too, are served in turn with pnp's: its
# requests wait the longer.
flood pj
others=$!
flood mp
others="$others $!"
# pnp's stolen key.
flood pnp
flood=$!
for _ in $(seq 100); do
	[ "$(metric kuska_keyholder_requests_waiting)" -ge 4 ] 2>/dev/null &&
		break
	sleep 0.1
done
check "pnp's requests wait their turn" \
	test "$(metric kuska_keyholder_requests_waiting)" -ge 4

at=$(($(date +%s) + 2))
cp "$N/registry.conf" "$T/registry.good"
awk -v t="$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" \
	'{ print } $0 == "[key pnp-1]" { print "revoked = " t }' \
	"$T/registry.good" >"$N/registry.conf"
check "the key holder reloads a registry revoking pnp-1 in 2 s" kh_reload
check "... and keeps pnp's connection, its key still valid" \
	test "$(closed_invalid)" = 0
while [ "$(date +%s)" -le "$at" ]; do sleep 0.1; done
# pnp's own line, read past the revocation time: under load the three
# lines do not empty together, and the total said nothing of pnp's.
left=$(metric 'kuska_keyholder_node_requests_waiting{node="pnp"}')
[ "${left:-0}" -ge 1 ] ||
	skip "pnp's requests were all evaluated before its key's revocation time"
echo "# $left of pnp's requests wait past its key's revocation"
# Up to 48 requests of 8,192 elements on one worker, seconds each on a
# loaded machine: waited for by the clock, since kuska metrics is
# answered between chunks of an evaluation (a poll no longer waits for
# one to end).
until_s=$(($(date +%s) + 180))
while [ "$(date +%s)" -lt "$until_s" ]; do
	[ "$(metric kuska_keyholder_requests_waiting)" = 0 ] && break
	sleep 0.2
done
check "every request waiting is answered" \
	test "$(metric kuska_keyholder_requests_waiting)" = 0
check "those waiting past the revocation are refused with the reason, logged" \
	grep -q "event=request_refused node=pnp reason=key_not_valid" \
	"$N/keyholder.log"
for _ in $(seq 50); do
	[ "$(closed_invalid)" -ge 1 ] 2>/dev/null && break
	sleep 0.1
done
check "... and pnp's connection is closed, its holder still holding it" \
	sh -c "test \"\$1\" -ge 1 && kill -0 $flood" _ "$(closed_invalid)"
kill $flood $others 2>/dev/null
wait $flood $others 2>/dev/null
check "the key holder is still running" kill -0 "${PIDS[keyholder]}"
check_no_assertion keyholder
finish
