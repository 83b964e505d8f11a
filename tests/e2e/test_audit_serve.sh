#!/usr/bin/env bash
# An analyst's query that comes while a secretariat question's disclosure
# audit runs is answered between two of the audit's integer programmes,
# before the audit ends, instead of waiting behind it (query_net.c's
# request_waits): its answer reads the store alone. Both answers are the
# ones computed alone, byte for byte. Order is read in the log, never
# from a clock.
. "$(dirname "$0")/lib.sh"

net_init
echo "prepare_quiet_s = 0" >>"$N/consolidator.conf"
start_all
# test_prepare's data: an audit long enough to ask during it.
"$KUSKA" sim --out "$T/sim" --victims 25 --seed 43 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "everything delivered" wait_delivered 120

secretariat() { # OUT
	"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
		--format csv >"$1" 2>"$1.err"
}
analyst() { # OUT
	"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
		--format csv >"$1" 2>"$1.err"
}
check "the analyst's identification of 2025, alone" analyst "$T/a_alone.csv"
check "the secretariat's, alone (its audit computed)" \
	secretariat "$T/s_alone.csv"
check "... a table" grep -q "pnp" "$T/s_alone.csv"
check "... none answered during an audit yet" \
	test "$(cons_metric kuska_queries_during_audit_total)" = 0

since() { # the log's lines since line $FROM
	tail -n +"$FROM" "$N/consolidator.log"
}
started() {
	local i
	for i in $(seq 600); do
		since | grep -q "event=release_started group=[a-z]* year=2025 " &&
			return 0
		sleep 0.02
	done
	return 1
}
# The line number, in since, of the first line matching $1.
line() {
	since | grep -n -m1 "$1" | cut -d: -f1
}
A='event=query who=[^ ]* role=analyst table="\?identification"\? period="\?2025"\? .* during_audit=1'
S='event=query who=[^ ]* role=secretariat table="\?identification"\? period="\?2025"\? '
E='event=release group=[a-z]* year=2025 '
served=0
for attempt in 1 2 3 4 5 6 7 8; do
	# Restarted: nothing cached, the secretariat's question audits.
	stop_cons TERM
	FROM=$(($(wc -l <"$N/consolidator.log") + 1))
	start_cons -d
	secretariat "$T/s_busy.csv" &
	SP=$!
	if ! started; then
		wait "$SP"
		continue
	fi
	analyst "$T/a_busy.csv" || sed 's/^/#   /' "$T/a_busy.csv.err"
	wait "$SP" || sed 's/^/#   /' "$T/s_busy.csv.err"
	a=$(line "$A")
	s=$(line "$S")
	e=$(line "$E")
	if [ -n "$a" ] && [ -n "$s" ] && [ -n "$e" ]; then
		served=1
		break
	fi
done
check "an analyst's query came during the audit, answered in it (attempts: $attempt)" \
	test "$served" = 1
check "... before the audit ended ($a < $e)" test "$a" -lt "$e"
check "... and before the secretariat's question ($a < $s)" test "$a" -lt "$s"
check "... counted" test "$(cons_metric kuska_queries_during_audit_total)" -ge 1
check "the analyst's answer is the one given alone" \
	cmp "$T/a_alone.csv" "$T/a_busy.csv"
check "the secretariat's answer is the one given alone" \
	cmp "$T/s_alone.csv" "$T/s_busy.csv"

finish
