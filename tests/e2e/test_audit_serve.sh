#!/usr/bin/env bash
# Analysts' and institutions' queries that come while a secretariat
# question's disclosure audit runs are answered between two of the audit's
# integer programmes, before the audit ends, instead of waiting behind it
# (query_net_watch.c's query_net_request_waits, query.c's query_apart):
# counting tables, indicators and their definitions, deliveries, the
# estimate and sdg16_2_2, whose answers read the store alone, and the
# secretariat's deliveries and indicator_definitions (no release). Each
# answer is the one computed alone, byte for byte; a bootstrap (--boot,
# long) still waits for the audit's end, held in arrival order, and does
# not hold up those answered apart behind it: here they are asked first.
# A secretariat's question of another year is held too, until the audit
# has run 2 s: then it is told PREPARING and asked again
# (test_query_preparing); either way its answer is the one given alone.
# Order is read in the log, never from a clock.
. "$(dirname "$0")/lib.sh"

net_init
echo "prepare_quiet_s = 0" >>"$N/consolidator.conf"
# The shipped indicators, and a synthetic population for sdg16_2_2.
echo "indicators = $KUSKA_SRC/config/indicators.conf" >>"$N/consolidator.conf"
cat >"$T/population.csv" <<-'CSV'
	year,region,sex,age_group,population
	2025,00,F,0-17,5012345
	2025,00,F,18+,12034567
	2025,00,M,0-17,5198765
	2025,00,M,18+,11876543
CSV
echo "population = $T/population.csv" >>"$N/consolidator.conf"
start_all
# test_prepare's data: an audit long enough to ask during it.
"$KUSKA" sim --out "$T/sim" --victims 25 --seed 43 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "everything delivered" wait_delivered 120

secretariat() { # OUT
	"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
		--format csv >"$1" 2>"$1.err"
}
# The requests answered apart: NAME CLIENT TABLE [OPTION...] each; NAME
# names the answer's files.
APART=(
	"a_identification analyst identification --period 2025"
	"a_indicators analyst indicators --period 2025"
	"a_definitions analyst indicator_definitions --period 2025"
	"a_deliveries analyst deliveries --period 2025"
	"a_estimate analyst estimate --period 2025"
	"a_sdg analyst sdg16_2_2 --period 2025"
	"p_identification pnp-stats identification --period 2025"
	"p_indicators pnp-stats indicators --period 2025"
	"s_deliveries secretariat deliveries --period 2025"
	"s_definitions secretariat indicator_definitions --period 2025"
)
# The requests held until the audit's end, asked in this order before
# those: NAME CLIENT TABLE [OPTION...] each. Each waits for those before
# it, and the client for 15 s at most: bootstraps of a few resamples.
HELD=(
	"a_boot analyst estimate --period 2025 --boot 5"
	"a_boot24 analyst estimate --period 2024 --boot 5"
)
# A secretariat's question of another year, asked after them: held, or
# told PREPARING and asked again.
OTHER="s_2024 secretariat identification --period 2024"
role_of() { # CLIENT
	case $1 in
	analyst | secretariat) echo "$1" ;;
	*) echo institution ;;
	esac
}
ask() { # OUT NAME CLIENT TABLE [OPTION...]
	local out=$1 client=$3
	shift 3
	"$KUSKA" query -c "$N/$client.conf" "$@" --format csv >"$out" \
		2>"$out.err"
	# The last contact is the consolidator's (its restarts move it),
	# not the store's.
	case $1 in deliveries) cut -d, -f1-3 "$out" >"$out.tmp" &&
		mv "$out.tmp" "$out" ;; esac
}
for r in "${APART[@]}"; do
	set -- $r
	check "$1 alone" ask "$T/$1_alone.csv" "$@"
	check "... a table" test "$(wc -l <"$T/$1_alone.csv")" -ge 2
done
check "... an estimate of 2025" grep -q '^"2025",.*,stepwise,' \
	"$T/a_estimate_alone.csv"
check "... the indicators' values" grep -q '^"2025","protection-referral-takeup",.*,[0-9]' \
	"$T/a_indicators_alone.csv"
for r in "${HELD[@]}" "$OTHER"; do
	set -- $r
	check "$1 alone" ask "$T/$1_alone.csv" "$@"
	check "... a table" test "$(wc -l <"$T/$1_alone.csv")" -ge 2
done
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
# The event=query line of client $1's table $2 (role $3), answered apart.
apart_line() {
	line "event=query who=$1 role=$3 table=\"\?$2\"\? period=\"\?2025\"\? .* during_audit=1"
}
S='event=query who=[^ ]* role=secretariat table="\?identification"\? period="\?2025"\? '
E='event=release group=year year=2025 '
before() { # A B: line A is before line B (both found)
	[ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]
}
# The event=query line of held request $1 (NAME CLIENT TABLE --period P
# ...), answered after the audit.
held_line() {
	local role
	role=$(role_of "$2")
	since | grep -n "event=query who=$2 role=$role table=\"\?$3\"\? period=\"\?$5\"\? " |
		grep -v "during_audit=1" | head -n1 | cut -d: -f1
}
# Waits until $1 requests are held.
held_wait() {
	local i
	for i in $(seq 600); do
		since | grep -q "event=query_held who=[^ ]* held=$1\$" && return 0
		sleep 0.02
	done
	return 1
}
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
	# The held ones first, one after the other (each held before the
	# next is asked), then those answered apart, all at once.
	pids=()
	n=0
	for r in "${HELD[@]}"; do
		set -- $r
		ask "$T/$1_busy.csv" "$@" &
		pids+=($!)
		n=$((n + 1))
		held_wait "$n" || break
	done
	set -- $OTHER
	ask "$T/$1_busy.csv" "$@" &
	pids+=($!)
	for r in "${APART[@]}"; do
		set -- $r
		ask "$T/$1_busy.csv" "$@" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	wait "$SP" || sed 's/^/#   /' "$T/s_busy.csv.err"
	s=$(line "$S")
	e=$(line "$E")
	missing=
	for r in "${APART[@]}"; do
		set -- $r
		a=$(apart_line "$2" "$3" "$(role_of "$2")")
		if ! before "$a" "$e"; then
			missing="$missing $1"
		fi
	done
	if [ "$n" != "${#HELD[@]}" ] || ! held_wait "$n"; then
		missing="$missing held"
	fi
	if [ -z "$missing" ] && [ -n "$s" ]; then
		served=1
		break
	fi
	echo "# attempt $attempt: not answered during the audit:$missing"
done
check "every query came during the audit, answered in it (attempts: $attempt)" \
	test "$served" = 1
for r in "${APART[@]}"; do
	set -- $r
	a=$(apart_line "$2" "$3" "$(role_of "$2")")
	check "$1: before the audit ended (${a:-none} < $e)" before "$a" "$e"
	check "... and before the secretariat's question (${a:-none} < $s)" \
		before "$a" "$s"
	check "... the answer given alone" \
		cmp "$T/$1_alone.csv" "$T/$1_busy.csv"
done
# A bootstrap is long, and a question of another year needs an audit of
# its own: asked during the audit, first, they were held until its end,
# and answered after the question, in the order asked.
prev=$s
for r in "${HELD[@]}"; do
	set -- $r
	h=$(held_line "$@")
	check "$1 waited for the audit, in its turn (${h:-none} > ${prev:-none})" \
		before "$prev" "$h"
	check "... the answer given alone" cmp "$T/$1_alone.csv" "$T/$1_busy.csv"
	prev=$h
done
check "... counted" test "$(cons_metric kuska_queries_during_audit_total)" \
	-ge "${#APART[@]}"
check "the secretariat's answer is the one given alone" \
	cmp "$T/s_alone.csv" "$T/s_busy.csv"
set -- $OTHER
check "$1, asked during the audit: the answer given alone" \
	cmp "$T/$1_alone.csv" "$T/$1_busy.csv"

# A stop with a request held: the question whose audit runs is answered
# (that audit is never given up), or, 2 s into the audit, was told
# PREPARING (the audit then given up at the stop: nobody waits for it);
# and the one held behind it (a bootstrap: a secretariat's question would
# be told PREPARING too) is refused, "the consolidator is stopping", where
# it was let go unanswered and its client waited out its 15 s. Retried
# when the audit ended before the stop came (the held one then answered).
refused=0
for attempt in 1 2 3 4 5 6 7 8; do
	[ -z "${PIDS[cons]:-}" ] || stop_cons TERM
	FROM=$(($(wc -l <"$N/consolidator.log") + 1))
	start_cons -d
	secretariat "$T/s_stop.csv" &
	SP=$!
	if ! started; then
		wait "$SP"
		continue
	fi
	"$KUSKA" query -c "$N/analyst.conf" estimate --period 2024 --boot 5 \
		--format csv >"$T/h_stop.csv" 2>"$T/h_stop.err" &
	HP=$!
	if ! held_wait 1; then
		wait "$HP" "$SP"
		continue
	fi
	stop_cons TERM
	wait "$HP"
	hrc=$?
	wait "$SP"
	if since | grep -q "event=query_stop_refused held=1 refused=1\$"; then
		refused=1
		break
	fi
	echo "# attempt $attempt: the held request was not refused at the stop"
done
check "a stop refuses the request held (attempts: $attempt)" \
	test "$refused" = 1
check "... its client says so, exit 2 (exit $hrc)" sh -c "test '$hrc' = 2 &&
	grep -qx 'kuska query: the consolidator is stopping: ask again once it is back' '$T/h_stop.err'"
check "... and prints no table" test ! -s "$T/h_stop.csv"
# Answered, or told PREPARING (its client said so) before the stop.
answered_or_told() { # OUT
	grep -q "pnp" "$1" || grep -q "being computed" "$1.err"
}
check "... the question before it is answered, or told it is being computed" \
	answered_or_told "$T/s_stop.csv"

# A stop with a flood queued behind the audit: 16 held (HELD_MAX), the
# rest refused at once as busy, or left unread on the query socket until
# the stop. Bootstraps, held whatever the audit's length (a secretariat's
# questions of another year are told PREPARING 2 s into it). Every one is refused, held or unread "the consolidator is
# stopping", read past the 16 "busy". Before, those unread were answered one after
# the other, the first after an audit of its own (holding 16 more, then
# refused) while the stop waited, and past a batch of 16 dropped at the
# close: of 56, 32 refused, 15 answered, 9 clients waited out their 15 s.
# One key at one address: let it hold them all. Raw clients (kuska_asker),
# each its own connection, show the refusals themselves: kuska query asks
# again when refused as busy (test_query_preparing).
FLOOD=56
ASKER="$KUSKA_BIN/kuska_asker"
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
printf 'estimate\t2024\t0\t5\n' >"$T/f.in"
printf 'max_connections_per_key = 64\nmax_pending_per_address = 64\n' \
	>>"$N/consolidator.conf"
# Waits until $1 handshakes are done (each client's request goes out
# with its handshake's end).
handshakes_wait() {
	local i
	for i in $(seq 600); do
		[ "$(since | grep -c 'event=auth_ok domain=query ')" -ge "$1" ] &&
			return 0
		sleep 0.02
	done
	return 1
}
flooded=0
for attempt in 1 2 3 4 5 6 7 8; do
	[ -z "${PIDS[cons]:-}" ] || stop_cons TERM
	FROM=$(($(wc -l <"$N/consolidator.log") + 1))
	start_cons -d
	secretariat "$T/s_flood.csv" &
	SP=$!
	if ! started; then
		wait "$SP"
		continue
	fi
	fp=()
	for j in $(seq $FLOOD); do
		"$ASKER" -k "$N/keys/analyst.key" -s "$N/keys/consolidator.pub" \
			-e "$QEP" -t 15000 <"$T/f.in" >"$T/f$j.out" 2>&1 &
		fp+=($!)
	done
	if ! held_wait 16 || ! handshakes_wait $((FLOOD + 1)); then
		wait "${fp[@]}" "$SP"
		continue
	fi
	stop_cons TERM
	wait "${fp[@]}"
	wait "$SP"
	# Behind a question's audit (not a preparation's, which gives way
	# to the stop and holds the question too).
	if since | grep -q "event=query_stop_refused held=16 refused=16\$" &&
		answered_or_told "$T/s_flood.csv"; then
		flooded=1
		break
	fi
	echo "# attempt $attempt: the audit ended before the stop"
done
check "a stop with $FLOOD requests behind an audit (attempts: $attempt)" \
	test "$flooded" = 1
# Past the 16 held, those the audit read are refused at once, "busy"
# (the socket read on: libzmq aborts on the end of a connection it stopped
# reading, docs/SECURITY.md); the stop refuses those it had not read yet.
told=$(grep -lx 'answer error=the consolidator is stopping: ask again once it is back' \
	"$T"/f[0-9]*.out | wc -l)
busy=$(grep -lx 'answer error=the consolidator is busy with an audit: ask again in a few seconds' \
	"$T"/f[0-9]*.out | wc -l)
check "... every client told it is stopping ($told) or busy ($busy) of $FLOOD" \
	test $((told + busy)) = $FLOOD
check "... the 16 held told it is stopping" test "$told" -ge 16
check "... none given a table" sh -c "! grep -q '^answer rows=' '$T'/f[0-9]*.out"
since >"$T/flood.log"
unread=$((FLOOD - 16 - busy))
if [ "$unread" -gt 0 ]; then
	check "... those left unread refused too ($unread)" grep -q \
		"event=query_stop_refused unread=$unread refused=$unread\$" \
		"$T/flood.log"
fi
check "... the question before them is answered, or told it is being computed" \
	answered_or_told "$T/s_flood.csv"

finish
