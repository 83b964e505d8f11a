#!/usr/bin/env bash
# An authenticated client asking without end: every request is answered,
# and its event=query lines, the consolidator's audit trail of who asked
# for what, are held to a budget of their own (a burst of 100, then one a
# second), the lines held back counted (unlogged=N) on the next line or,
# once the client pauses, on event=query_unlogged: the log grows by a
# bounded number of lines, and every request is accounted for. Another
# client's requests meanwhile are all logged. Before, each request wrote a
# line: 2,000 requests, 2,000 lines.
# The flood runs with every processor kept busy twice over: under load
# the consolidator found the client's pipe full (libzmq's count of its
# unread answers out of date) and dropped an answer now and then, which
# the client waited 5 s for in vain (two of three runs on a loaded host).
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"
COUNT=2000
BURST=100

net_init
start_cons -d # event=reply_not_delivered is a debug line
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
ask() {
	"$ASKER" -k "$N/keys/$1.key" -s "$N/keys/consolidator.pub" -e "$QEP"
}
BUSY=()
for i in $(seq $((2 * $(nproc)))); do
	sh -c 'while :; do :; done' &
	BUSY+=($!)
done
t0=$(date +%s)
for i in $(seq $COUNT); do printf 'deliveries\t2026\n'; done |
	ask analyst >"$T/analyst.out"
printf 'deliveries\t2026\nreferrals_unmatched\t2026\n' |
	ask secretariat >"$T/secretariat.out"
kill "${BUSY[@]}"
wait "${BUSY[@]}" 2>/dev/null
check "every request of the flood answered, on busy processors" \
	test "$(grep -c '^answer rows=[0-9]* role=analyst$' "$T/analyst.out")" = $COUNT
check "... no answer dropped for a full pipe" \
	test "$(grep -c 'event=reply_not_delivered' "$N/consolidator.log")" = 0
check "... and the other client's" \
	test "$(grep -c '^answer rows=[0-9]* role=secretariat$' "$T/secretariat.out")" = 2
LOG_BURST=$BURST check_log_budget \
	"the flood's lines: a burst of $BURST, then one a second" \
	"$N/consolidator.log" "event=query who=analyst " "$t0"
check "the other client's requests all logged" \
	test "$(grep -c 'event=query who=secretariat ' "$N/consolidator.log")" = 2
# Those held back after the flood's last line written are said once it
# stops (event=query_unlogged, within a second): then every request is
# accounted for.
accounted() {
	local i
	for i in $(seq 100); do
		[ "$(queries_logged analyst)" = $COUNT ] && return 0
		sleep 0.1
	done
	return 1
}
check "every request of the flood accounted for" accounted
# After it: a flood answered within its first second has had no line
# since its burst, and says what it held back only then.
check "lines held back were counted (unlogged=N)" grep -q \
	"event=query\(_unlogged\)\? who=analyst .*unlogged=[1-9]" "$N/consolidator.log"
echo "# $(queries_logged analyst) accounted for; last line:" \
	"$(grep "who=analyst " "$N/consolidator.log" | tail -n 1 | cut -c1-100)"
stop_cons TERM
finish
