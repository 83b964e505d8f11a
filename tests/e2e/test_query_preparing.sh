#!/usr/bin/env bash
# A secretariat question whose release takes long to compute is told so,
# and kuska asks again until it is ready, instead of waiting out its 15 s
# time-out ("no answer", exit 2: read as the consolidator being down). On
# a loaded machine an audit took 20 s of wall time. Here the audit's
# thread is held in GLPK (tests/tools/shim/slowread.c) for longer than the
# client's time-out: the question is answered PREPARING once the audit
# has run 2 s, its client says so once on stderr and asks again every 2 s,
# each time told PREPARING at once; once the audit ends, the next try gets
# the table, the very bytes asked again afterwards. A kuska that does not
# know PREPARING gets a busy refusal, which it stops at (kuska_asker shows
# the text), and a question of another year meanwhile is told it waits;
# an analyst's table and the consolidator's status are answered during
# the audit, as before, and an analyst's bootstrap refused as busy (16
# held already) is asked for again until answered, as is an analyst's
# report's, within a bound past which it stops (exit 3). The answer its
# audit ended with is kept for the question's next try: its failure (GLPK failing after 3 s), which that
# try is told, exit 2; or its table when data came meanwhile (a node
# delivering on), where each try began another audit.
. "$(dirname "$0")/lib.sh"

audit_held_net

touch "$SLOW"
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
	--format csv >"$T/q.csv" 2>"$T/q.err" &
QPID=$!
check "the question's audit is held" wait_for_file "$SLOW.hit" 60
check "kuska says once that the release is being computed" \
	wait_log "$T/q.err" "being computed" 60
check "... in these words" grep -q -x 'kuska query: the release of 2025 is being computed (started [0-9]* s ago): asking again every 2 s, for up to 5 minutes' "$T/q.err"

# What a kuska that does not know PREPARING gets: a busy refusal, at once.
printf 'identification\t2025\nidentification\t2024\nidentification\t2025Q1\t16\nestimate\t2025\t16\n' >"$T/ask.in"
"$ASKER" -k "$N/keys/secretariat.key" -t 10000 \
	-s "$N/keys/consolidator.pub" -e "$QEP" <"$T/ask.in" >"$T/ask.out"
check "an older kuska is told the release is being computed, as busy" \
	grep -q -x 'answer error=the consolidator is busy: PREPARING: the release of 2025 is being computed (started [0-9]* s ago): ask again in a few seconds' "$T/ask.out"
check "... and of another year, that it waits for that one" \
	grep -q -x 'answer error=the consolidator is busy: PREPARING: the release of 2024 waits for that of 2025, being computed (started [0-9]* s ago): ask again in a few seconds' "$T/ask.out"
# A question the secretariat may not ask at that level needs no release:
# its refusal, saying what it may ask, comes during the audit (held
# behind it, past the client's time-out, it read "no answer").
check "a region's quarter is refused during the audit, saying what to ask" \
	grep -q -x 'answer error=the secretariat gets regional tables by year only: ask for --period 2025 with --region, or for this period without --region' "$T/ask.out"
check "... and the estimate of a region, which builds nothing either" \
	grep -q -x 'answer error=the secretariat gets the estimate table for the whole country only: ask without --region' "$T/ask.out"
analyst_answered() {
	"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
		>/dev/null
}
check "an analyst's table is answered during the audit" analyst_answered
"$KUSKA" status -c "$N/consolidator.conf" >"$T/status.out" 2>&1
is "the consolidator's status is answered during the audit (exit status 0 or 1)" \
	"$(($? < 2))" 1
# A request past the 16 the audit holds is refused at once as busy
# (CODEC_QUERY_BUSY): kuska query says so once and asks again, a little
# later each time, until it is taken on and answered, where it exited 2 at
# the refusal, the analyst's report with it. Bootstraps are held whatever
# the audit's length: a raw client (kuska_asker) sends 16 that it never
# reads, which fill the held; the analyst's bootstrap then comes.
FROM=$(($(wc -l <"$N/consolidator.log") + 1))
printf 'estimate\t2025\t0\t5\n' >"$T/boot.in"
"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" -e "$QEP" \
	-F 16 -t 120000 <"$T/boot.in" >/dev/null 2>&1 &
HPID=$!
held_16() {
	for _ in $(seq 600); do
		tail -n +"$FROM" "$N/consolidator.log" |
			grep -q "event=query_held who=analyst held=16\$" && return 0
		sleep 0.1
	done
	return 1
}
check "16 bootstraps held behind the audit" held_16
"$KUSKA" query -c "$N/analyst.conf" estimate --period 2025 --boot 5 \
	--format csv >"$T/busy.csv" 2>"$T/busy.err" &
BPID=$!
# busy_twice: refused as busy, then again on its next try.
busy_twice() {
	for _ in $(seq 600); do
		[ "$(tail -n +"$FROM" "$N/consolidator.log" |
			grep -c 'event=query_busy_refused read=1 refused=1$')" -ge 2 ] &&
			return 0
		kill -0 "$BPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
check "an analyst's bootstrap past them is refused as busy, and asks again" \
	busy_twice
check "... kuska says so once, in these words" \
	test "$(cat "$T/busy.err")" = "kuska query: the consolidator is busy with an audit: asking again in a moment, for up to 5 minutes"
# An analyst's report likewise: its tables answered during the audit, its
# estimate (a bootstrap) refused as busy and asked again.
"$KUSKA" report -c "$N/analyst.conf" --period 2025 -o "$T/report.html" \
	2>"$T/report.err" &
RPID=$!
check "an analyst's report is refused as busy, and asks again" \
	wait_log "$T/report.err" "kuska report: the consolidator is busy with an audit: asking again in a moment, for up to 5 minutes" 60
# Past the bound (shortened to 1.5 s: KUSKA_TEST_ASK_WAIT_MS, client/ask.c)
# a bootstrap refused as busy each time stops, exit 3, saying what kept it
# once, where it could ask on unbounded or blame an audit's computing.
KUSKA_TEST_ASK_WAIT_MS=1500 timeout 60 "$KUSKA" query -c "$N/analyst.conf" \
	estimate --period 2025 --boot 5 --format csv >"$T/bound.csv" \
	2>"$T/bound.err"
is "a bootstrap refused as busy past the bound stops (exit status 3)" "$?" 3
check "... saying so, in these words" grep -q -x 'kuska query: still no table after 5 minutes of asking again: the consolidator is busy with an audit; it is up, but refused the request each time: ask again later, or ask its operator to look at its load' "$T/bound.err"
check "... and no table" test ! -s "$T/bound.csv"

# Held past the client's 15 s time-out: ten answers PREPARING (the
# asker's one among them), eight tries 2 s apart after the first.
tries() {
	grep -c "event=query_preparing who=secretariat year=2025 " \
		"$N/consolidator.log"
}
asked_past() {
	local i
	for i in $(seq 900); do
		[ "$(tries)" -ge 10 ] && return 0
		kill -0 "$QPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
check "the question's client asks again and again, past its time-out" \
	asked_past
check "... having said it once" test "$(grep -c 'being computed' "$T/q.err")" = 1

rm -f "$SLOW"
wait "$QPID"
is "the question is answered once the audit ends (exit status)" "$?" 0
check "... with its table" grep -q pnp "$T/q.csv"
wait "$BPID"
is "the bootstrap refused as busy is answered once the audit ends (exit status)" "$?" 0
check "... with its table" test -s "$T/busy.csv"
check "... having said it once" test "$(wc -l <"$T/busy.err")" = 1
wait "$RPID"
is "the report is written once the audit ends (exit status)" "$?" 0
check "... whole" grep -q '</html>' "$T/report.html"
check "... having said it once" test "$(grep -c 'asking again' "$T/report.err")" = 1
kill "$HPID" 2>/dev/null
wait "$HPID" 2>/dev/null
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
	--format csv >"$T/again.csv" 2>/dev/null
check "... the same bytes as asked again, from the release cached" \
	cmp "$T/q.csv" "$T/again.csv"
check "the audit trail says the first was told PREPARING" \
	grep -q 'event=query who=secretariat role=secretariat table="\?identification"\? period="\?2025"\? .* preparing=1' "$N/consolidator.log"
check "... and the tries told so at once (debug)" \
	grep -q 'event=query_preparing who=secretariat year=2025 computing=2025 ' "$N/consolidator.log"
R=$(cons_metric kuska_releases_computed_total)
check "2025's release computed once ($R)" test "$R" = 1

# An audit that fails once its question was told PREPARING (here GLPK
# failing after 3 s, as an audit out of memory would): the client's next
# try gets the failure, exit 2, rather than an audit begun again, told
# PREPARING again and failing again, the client asking until its 5
# minutes were out and then blaming the load. Counted in tries told
# PREPARING, never in time: one, or two when the next try came before
# the failure; each try was another before.
FROM=$(($(wc -l <"$N/consolidator.log") + 1))
told_2024() {
	tail -n +"$FROM" "$N/consolidator.log" |
		grep -c "event=query_preparing who=secretariat year=2024 "
}
touch "$SLOW.fail"
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2024 \
	--format csv >"$T/fail.csv" 2>"$T/fail.err" &
FPID=$!
check "the failing audit runs" wait_for_file "$SLOW.fail.hit" 60
stopped_before_told_6() {
	local i
	for i in $(seq 1800); do
		kill -0 "$FPID" 2>/dev/null || return 0
		[ "$(told_2024)" -ge 6 ] && return 1
		sleep 0.1
	done
	return 1
}
check "its client stops before a sixth try told PREPARING" \
	stopped_before_told_6
kill "$FPID" 2>/dev/null
wait "$FPID"
is "... exit status 2 (the consolidator's failure)" "$?" 2
check "... having been told PREPARING" grep -q "being computed" "$T/fail.err"
check "... then the failure, in these words" grep -q -x 'kuska query: the consolidator could not build the table (.*): ask again, and tell its operator if it lasts' "$T/fail.err"
check "... and no table" test ! -s "$T/fail.csv"
rm -f "$SLOW.fail"

# Data delivered while a question's audit runs, as a node delivers on
# during a busy day: once the audit ends, the question's next try gets
# the table it computed, as its client waiting would have. Begun again
# for the data as they had become, each try was an audit of its own,
# which on a loaded machine ran past 2 s and was told PREPARING again,
# for as long as deliveries went on. Counted in releases computed: one.
victim() { # REF: a 2025 identification line of a new victim
	printf '{"kind":"identification","ref":"%s","date":"2025-06-01","region":"16","victim":{"given_names":"ANGEL","age":14,"sex":"M","nationality":"VE"},"exploitation":["illegal_adoption"]}\n' "$1"
}
victim PNP-900001 >"$T/new1.jsonl"
victim PNP-900002 >"$T/new2.jsonl"
check "a new victim of 2025 submitted" "$KUSKA" submit -c "$N/pnp.conf" \
	"$T/new1.jsonl" >/dev/null
check "... delivered" wait_delivered 120
R0=$(cons_metric kuska_releases_computed_total)
rm -f "$SLOW.hit"
touch "$SLOW"
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
	--format csv >"$T/new.csv" 2>"$T/new.err" &
NPID=$!
check "2025's audit begun again for it, held" wait_for_file "$SLOW.hit" 60
check "... its question told PREPARING" wait_log "$T/new.err" "being computed" 60
check "another new victim of 2025 submitted during the audit" \
	"$KUSKA" submit -c "$N/pnp.conf" "$T/new2.jsonl" >/dev/null
check "... delivered" wait_delivered 120
rm -f "$SLOW"
wait "$NPID"
is "the question is answered once the audit ends (exit status)" "$?" 0
check "... with its table" grep -q pnp "$T/new.csv"
R1=$(cons_metric kuska_releases_computed_total)
check "... the table its audit computed, not another audit ($R0 then $R1)" \
	test "$R1" = $((R0 + 1))

finish
