#!/usr/bin/env bash
# Log forgery: values that a peer or a file controls reach the logs only
# escaped. An analyst sends table names and periods holding newlines,
# carriage returns, escape sequences, quotes, backslashes and bytes past
# ASCII, one of them a whole forged "kuska-consolidator: event=..." line;
# the configs name metrics files by long paths with quotes, backslashes
# and an escape character. Afterwards both daemons' logs, read line by
# line, hold only kuska's own events (tests/e2e/log_check.py: one event
# per line, KEY=VALUE facts, every key once, printable ASCII only).
. "$(dirname "$0")/lib.sh"

: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"
ASKER="$KUSKA_BIN/kuska_asker"

net_init
# Metrics files nobody can write, so that each daemon logs their names
# every second.
long=$(printf 'a%.0s' $(seq 140)) # config lines hold 197 characters
printf 'metrics_file = /nonexistent/"q\\b\033[31m%s/m.prom\nmetrics_interval_s = 1\n' \
	"$long" >>"$N/consolidator.conf"
printf 'metrics_file = /nonexistent/x" event=forged \\%s/n.prom\nmetrics_interval_s = 1\n' \
	"${long:0:100}" >>"$N/pnp.conf"
start_cons
start_node pnp

# Table<TAB>period, with the escapes kuska_asker undoes.
cat >"$T/requests" <<'EOF'
\nkuska-consolidator: event=fx	2025
identification	2025\r\x1b[2J\x07
a" who=admin x="	2025
\\\\\"\\\\" event=fy	2025
ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ\x7f	\xff\xfe\xfd2025\x00
identification	2025
EOF
"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$((PORT + 1))" <"$T/requests" >"$T/answers"
check "every hostile request answered with an error" \
	test "$(grep -c '^answer error=' "$T/answers")" = 5
check "the plain request answered with a table" \
	grep -q '^answer rows=[0-9]* role=analyst$' "$T/answers"
kill -HUP "${PIDS[cons]}"
sleep 2.2 # two metrics intervals: each daemon logs its metrics file
stop_node pnp TERM
stop_cons TERM

grep -rhoE 'event=[a-z_]+' "$KUSKA_SRC/daemon" "$KUSKA_SRC/lib" |
	sed 's/^event=//' | sort -u >"$T/events"
check "the consolidator logged the hostile queries" \
	test "$(grep -c 'event=query ' "$N/consolidator.log")" -ge 6
check "both daemons logged their metrics file" \
	sh -c "grep -q 'event=metrics_not_written' '$N/consolidator.log' &&
		grep -q 'event=metrics_not_written' '$N/pnp.log'"
check "no forged line: none starts with a forged event" \
	sh -c "! grep -a -E '^kuska-[a-z]+: (warning: )?event=(fx|forged)' \
		'$N/consolidator.log' '$N/pnp.log'"
check "the newline is shown escaped in the query's fact" \
	grep -q -F 'table="\x0akuska-consolidator: event=fx"' \
	"$N/consolidator.log"
check "a long value is cut short" \
	grep -q 'event=metrics_not_written file="/nonexistent/\\"q\\\\b\\x1b\[31maaa*\.\.\."' \
	"$N/consolidator.log"
if python3 "$(dirname "$0")/log_check.py" "$T/events" \
	"$N/consolidator.log" "$N/pnp.log" >"$T/check.out"; then
	ok "the logs, line by line, hold only kuska's own events ($(tail -1 "$T/check.out"))"
else
	not_ok "the logs hold lines that are not kuska's own events:"
	head -20 "$T/check.out" | sed 's/^/#   /'
fi

finish
