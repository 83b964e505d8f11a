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
# the audit, as before.
. "$(dirname "$0")/lib.sh"

lib="$KUSKA_BIN/libkuska_slowread.so"
[ -r "$lib" ] || skip "no $lib"
ASKER="$KUSKA_BIN/kuska_asker"

net_init
# Nothing made ahead: the question's own audit is the one held.
echo "prepare_quiet_s = 0" >>"$N/consolidator.conf"
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
SLOW="$T/slow"
KUSKA_SLOW_FILE="$SLOW" KUSKA_SLOW_THREAD=kuska-audit KUSKA_SLOW_GLPK=1 \
	LD_PRELOAD="$lib" start_cons -d
start_keyholder
for i in $INSTS; do start_node "$i"; done
"$KUSKA" sim --out "$T/sim" --victims 25 --seed 43 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "everything delivered" wait_delivered 120

touch "$SLOW"
"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
	--format csv >"$T/q.csv" 2>"$T/q.err" &
QPID=$!
check "the question's audit is held" wait_for_file "$SLOW.hit" 60
check "kuska says once that the release is being computed" \
	wait_log "$T/q.err" "being computed" 60
check "... in these words" grep -q -x 'kuska query: the release of 2025 is being computed (started [0-9]* s ago): asking again every 2 s, for up to 5 minutes' "$T/q.err"

# What a kuska that does not know PREPARING gets: a busy refusal, at once.
printf 'identification\t2025\nidentification\t2024\n' >"$T/ask.in"
"$ASKER" -k "$N/keys/secretariat.key" -t 10000 \
	-s "$N/keys/consolidator.pub" -e "$QEP" <"$T/ask.in" >"$T/ask.out"
check "an older kuska is told the release is being computed, as busy" \
	grep -q -x 'answer error=the consolidator is busy: PREPARING: the release of 2025 is being computed (started [0-9]* s ago): ask again in a few seconds' "$T/ask.out"
check "... and of another year, that it waits for that one" \
	grep -q -x 'answer error=the consolidator is busy: PREPARING: the release of 2024 waits for that of 2025, being computed (started [0-9]* s ago): ask again in a few seconds' "$T/ask.out"
analyst_answered() {
	"$KUSKA" query -c "$N/analyst.conf" identification --period 2025 \
		>/dev/null
}
check "an analyst's table is answered during the audit" analyst_answered
"$KUSKA" status -c "$N/consolidator.conf" >"$T/status.out" 2>&1
is "the consolidator's status is answered during the audit (exit status 0 or 1)" \
	"$(($? < 2))" 1
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

finish
