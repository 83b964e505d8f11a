#!/usr/bin/env bash
# A key whose revocation time passes while its request waits is refused
# with "the connection is closed", and its connection is closed. Its
# request was judged as it was read (peer_read), its key valid then, so
# nothing had marked the connection; the query thread, judging again at
# the request's turn, refused it and said so, but the connection stayed
# open for as long as its client kept it. Here the query thread is held
# (as an audit keeps it: tests/tools/shim/slowread.c) while the analyst
# asks; a reload revokes the analyst's key five seconds ahead (still
# valid at the reload: its connection stays); the hold ends after that.
# Two seconds ahead, whole seconds, were one on a slow machine: a reload
# past it dropped the connection (test_keyholder_wait_revoked's key
# holder did so under load), and the reload's dropped=0 is checked.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"

held_query_net thread - -d

touch "$SLOW"
check "the query thread is held" wait_for_file "$SLOW.hit" 30
coproc ANALYST { "$ASKER" -k "$N/keys/analyst.key" -t 30000 \
	-s "$N/keys/consolidator.pub" -e "$QEP"; }
printf 'deliveries\t2026\n' >&"${ANALYST[1]}"
check "the analyst's handshake is made" \
	wait_log "$N/consolidator.log" "event=auth_ok .*key=analyst-1" 30
# The request read and judged before the reload: kept for the held
# query thread (not half a second's sleep).
kept() {
	for _ in $(seq 300); do
		[ "$(cons_metric kuska_queries_waiting)" -ge 1 ] 2>/dev/null &&
			return 0
		sleep 0.1
	done
	return 1
}
check "the analyst's request is read and waits" kept
at=$(($(date +%s) + 5))
cp "$N/registry.conf" "$T/registry.good"
awk -v t="$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" \
	'{ print } $0 == "[key analyst-1]" { print "revoked = " t }' \
	"$T/registry.good" >"$N/registry.conf"
check "a reload revokes analyst-1 five seconds ahead" \
	hup_wait "$N/consolidator.log" "event=reload " "${PIDS[cons]}"
[ "$(date +%s)" -lt "$at" ] ||
	echo "# the reload ended past the revocation time: the machine is slow"
check "... keeping the analyst's connection, its key still valid" \
	sh -c "grep 'event=reload parties=' '$N/consolidator.log' | tail -1 |
		grep -q ' dropped=0 '"
from=$(wc -l <"$N/consolidator.log")
while [ "$(date +%s)" -le "$at" ]; do sleep 0.1; done
rm -f "$SLOW"
read -r -t 90 a <&"${ANALYST[0]}"
check "the analyst is told its key is no longer valid ($a)" \
	grep -q "^answer error=key analyst-1 is no longer valid" <<<"$a"
check "its connection is closed, as the refusal says" \
	wait_log_after "$N/consolidator.log" "$from" "event=connection_shut" 10
asker_pid=$ANALYST_PID
exec {ANALYST[1]}>&-
wait "$asker_pid"
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
finish
