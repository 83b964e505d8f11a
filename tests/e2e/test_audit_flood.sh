#!/usr/bin/env bash
# A flood of requests started at the very start of a disclosure audit,
# before its first integer programme: the query socket is read all the
# audit long. It was read only between two of the audit's integer
# programmes, and one of them took up to 1.5 s on this store under a
# flood (docs/SECURITY.md): a connection could fill libzmq 4.3.4's
# ZMQ_RCVHWM (1,000) meanwhile, and its end then aborted the daemon
# ("Assertion failed: !_io_error", stream_engine_base.cpp; see
# test_drop_unread.sh). The audit now runs on a thread of its own, and the
# query thread asks its watch every 2 ms whatever the audit does
# (release.c's compute_watched, event=release_watched at debug level:
# asked, how often it could read meanwhile; programmes, how often it could
# between two integer programmes alone, as before).
#
# Eight connections of the analyst's key, more than max_pending_per_address
# lets one address keep anonymous, each send 3,000 bootstrap requests as
# soon as the secretariat's question's audit starts; those past the 16
# held are refused at once as busy. The consolidator survives, answers
# the question and answers afterwards.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"
CONNS=8
COUNT=3000

net_init
printf 'max_connections_per_key = 64\nmax_pending_per_address = 2\nprepare_quiet_s = 0\n' \
	>>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
check "records accepted" submit_all "$T/sim"
check "records delivered" wait_delivered 120
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
# Restarted with debug lines: nothing cached, the question audits.
stop_cons TERM
FROM=$(($(wc -l <"$N/consolidator.log") + 1))
start_cons -d
since() { tail -n +"$FROM" "$N/consolidator.log"; }
started() { since | grep -q "event=release_started"; }

"$KUSKA" query -c "$N/secretariat.conf" estimate --period 2025 \
	>"$T/audit.out" 2>&1 &
audit=$!
# The audit's start: its cells gathered, no integer programme yet.
for i in $(seq 1000); do
	started && break
	sleep 0.01
done
check "the audit started" started
fl=()
for j in $(seq $CONNS); do
	printf 'estimate\t2025\t0\t5\n' |
		"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
			-e "$QEP" -F $COUNT -t 20000 >"$T/flood$j.out" 2>&1 &
	fl+=($!)
done
wait $audit
# Read in the log: under load the audit may outlast the client's 15 s.
answered() {
	since | grep 'event=query who=secretariat .*table="estimate"' |
		grep -qv 'refused=1'
}
for i in $(seq 600); do
	answered && break
	sleep 0.1
done
check "the secretariat's question answered" answered
watched=$(since | grep -m1 "event=release_watched")
echo "# ${watched#*: }"
asked=$(echo "$watched" | sed -n 's/.* asked=\([0-9]*\).*/\1/p')
check "the query socket's watch asked while the audit ran (${asked:-none})" \
	test "${asked:-0}" -gt 0
# Long enough for a heartbeat on every connection ended meanwhile.
sleep 5
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
busy=$(cons_metric 'kuska_queries_refused_busy_total')
check "requests past the 16 held refused at once (${busy:-none})" \
	test "${busy:-0}" -gt 0
kill "${fl[@]}" 2>/dev/null
wait "${fl[@]}" 2>/dev/null
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "and answers" test $? = 0

# A bootstrap of 10,000 resamples (1.0-1.5 s on the demo's store) no
# longer leaves the socket unread: an analyst's deliveries asked during it
# is answered before it ends, where it waited behind it. Order is read in
# the log, never from a clock.
FROM=$(($(wc -l <"$N/consolidator.log") + 1))
"$KUSKA" query -c "$N/analyst.conf" estimate --period 2025 --boot 10000 \
	>"$T/boot.out" 2>&1 &
boot=$!
sleep 0.3
"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "deliveries answered during the bootstrap" test $? = 0
wait $boot
check "the bootstrap answered" grep -q '^2025.*bootstrap' "$T/boot.out"
line_of() { since | grep -n -m1 "$1" | cut -d: -f1; }
d=$(line_of 'event=query who=analyst .*table="deliveries"')
b=$(line_of 'event=query who=analyst .*table="estimate"')
check "... before the bootstrap's end (lines ${d:-none}, ${b:-none})" \
	test "${d:-0}" -gt 0 -a "${b:-0}" -gt "${d:-0}"
check_no_assertion
finish
