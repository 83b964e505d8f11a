#!/usr/bin/env bash
# End to end: the consolidator's statistics against an independent reference
# (reference.py, written from EVENTS.md), for every table, several periods
# and regions; the answers survive a restart and a --rebuild byte for byte;
# each query role gets what it may see and nothing more.
. "$(dirname "$0")/lib.sh"

HERE="$KUSKA_SRC/tests/e2e"
TABLES="identification overlap breakdown referrals referrals_unmatched protection prosecution cases_unmatched funnel durations timeliness"
# Today in Peru (UTC-5): the day the consolidator accepts what is submitted,
# which the timeliness table counts from.
peru_today() { date -u -d '-5 hours' +%F; }
TODAY=$(peru_today)
YEAR=${TODAY%%-*}
MONTH=$((10#$(echo "$TODAY" | cut -d- -f2)))
# 2023: the hand-made corner cases of stats_edge.py; 2024-2025: kuska sim;
# this year: stats_edge.py's records dated from today back.
PERIODS="2024 2025 2025H1 2025H2 2025Q1 2025Q4 2024Q3 2023 2023H2 2023Q1 2023Q2 2023Q3 2023Q4"
PERIODS="$PERIODS $YEAR ${YEAR}H$(((MONTH + 5) / 6)) ${YEAR}Q$(((MONTH + 2) / 3))"
# Under the sanitizers the question is memory and undefined behaviour, not
# arithmetic, which the plain build checks over every period: there, every
# year (each a release of its own), a semester and a quarter of the
# simulated years and of the hand-made ones, this year's three (and
# 2025Q1, which the JSON pass below compares). 9 periods of 16: the
# suite's longest test under ASan (232 s in CI) takes about half as long.
if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then
	PERIODS="2024 2025 2025H1 2025Q1 2023 2023Q3 $YEAR"
	PERIODS="$PERIODS ${YEAR}H$(((MONTH + 5) / 6)) ${YEAR}Q$(((MONTH + 2) / 3))"
fi
NPERIODS=$(echo $PERIODS | wc -w)
NTABLES=$(echo $TABLES | wc -w)
REGIONS="all 15 16"

# need_cons: the consolidator is still running; if not (a signal from
# outside the test), say so and stop rather than wait 15 s per query.
need_cons() {
	[ -n "${PIDS[cons]:-}" ] && kill -0 "${PIDS[cons]}" 2>/dev/null && return 0
	not_ok "the consolidator is no longer running (see $N/consolidator.log)"
	tail -3 "$N/consolidator.log" | sed 's/^/  /'
	finish
}

# secretariat_may TABLE PERIOD REGION: whether the secretariat may ask
# for it (docs/DISCLOSURE.md: by region only years, and not the overlap,
# breakdown, funnel or timeliness).
secretariat_may() {
	[ "$3" = all ] || { [ "${#2}" = 4 ] && [ "$1" != overlap ] &&
		[ "$1" != breakdown ] && [ "$1" != funnel ] &&
		[ "$1" != timeliness ]; }
}

# ask CONF DIR FORMAT TABLE PERIOD REGION: one query into
# DIR/TABLE.PERIOD.REGION.FORMAT (and .err), its exit status appended to
# DIR/rc; none once the consolidator is gone, rather than wait 15 s for
# each answer that cannot come.
#
# The secretariat's first question of a year after a start waits for
# its release (release.h): in the sanitizer build some seconds of one
# processor for a year's every table, computed once and kept. The consolidator answers one question at a time, so under a heavy
# load a client behind the first questions may give up (15 s) before its
# turn; the consolidator still finishes and keeps the release, and the
# question asked again is answered from it. Asked up to 5 times, each
# repeat listed in DIR/retried (the answers are checked all the same).
ask() {
	local ra=() try rc
	kill -0 "${PIDS[cons]}" 2>/dev/null || {
		echo "$4.$5.$6 consolidator_gone" >>"$2/rc"
		return
	}
	[ "$6" = all ] || ra=(--region "$6")
	# A consolidator that let one question go five times is not slow
	# but stuck: the rest are not asked (75 s each otherwise).
	[ ! -e "$2/stuck" ] || {
		echo "$4.$5.$6 consolidator_stuck" >>"$2/rc"
		return
	}
	for try in 1 2 3 4 5; do
		"$KUSKA" query -c "$1" "$4" --period "$5" "${ra[@]}" \
			--format "$3" </dev/null >"$2/$4.$5.$6.$3" \
			2>"$2/$4.$5.$6.err"
		rc=$?
		[ $rc != 0 ] && grep -q "no answer from" "$2/$4.$5.$6.err" &&
			kill -0 "${PIDS[cons]}" 2>/dev/null || break
		if [ $try = 5 ]; then
			: >"$2/stuck"
			break
		fi
		echo "$4.$5.$6 $try" >>"$2/retried"
	done
	echo "$4.$5.$6 $rc" >>"$2/rc"
}

# The repeated runs of the same queries (after a restart, after --rebuild)
# go through no code of the client the first run did not: in the
# sanitizer build, they skip the client's leak check at exit (half its
# time), which the first run made for every table, period and region.
# (Nor do an institution's queries: its tables in the analyst's CSV.)
REPEAT_ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
# The periods the repeated runs and an institution's own rows ask. They
# compare answers with the analyst's, already checked against the
# reference: the plain build compares every period. Under the
# sanitizers, whose question is memory, a year, a semester and a
# quarter, simulated and hand-made, go through the same code of the
# restarted, the rebuilt and the institution's consolidator as the 9
# periods (about 520 queries fewer of 1,440).
REPEAT_PERIODS=$PERIODS
[ "${KUSKA_SANITIZED:-OFF}" != ON ] || REPEAT_PERIODS="2025 2025H1 2023Q3"

# Queries at a time: each is a process of its own. In the sanitizer build
# the client's start-up is as long as its question and both processors
# can work; in the plain build the start-up is short and two at a time
# keep both processors busy.
if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then ASKERS=4; else ASKERS=2; fi

# query_all CONF DIR [FORMAT]: every table x period x region into
# DIR/TABLE.PERIOD.REGION.csv (or .json); exit codes into DIR/rc. For the
# secretariat, only what it may ask for. ASKERS subshells share the list,
# each asking its share one query after another (no shell started per
# query).
query_all() {
	local conf=$1 dir=$2 fmt=${3:-csv} t p r
	need_cons
	mkdir -p "$dir"
	: >"$dir/rc"
	for t in $TABLES; do
		for p in $PERIODS; do
			for r in $REGIONS; do
				[[ "$conf" != *secretariat* ]] ||
					secretariat_may "$t" "$p" "$r" || continue
				echo "$t $p $r"
			done
		done
	done >"$dir.list"
	spread "$dir.list" "$ASKERS" ask "$conf" "$dir" "$fmt"
	need_cons
}

# all_answered DIR: every query of query_all asked, and exited 0.
all_answered() {
	local bad
	if [ "$(wc -l <"$1/rc")" != "$(wc -l <"$1.list")" ]; then
		echo "  $(wc -l <"$1/rc") answers to $(wc -l <"$1.list") queries"
		return 1
	fi
	# A cold start explains a few questions asked again (one per asker
	# behind each of the first releases); more would hide answers lost.
	if [ -s "$1/retried" ]; then
		echo "# $(wc -l <"$1/retried") queries asked again after the client's 15 s"
		if [ "$(wc -l <"$1/retried")" -gt 8 ]; then
			echo "  more than 8 questions asked again: answers lost?"
			return 1
		fi
	fi
	bad=$(awk '$2 != 0' "$1/rc")
	[ -z "$bad" ] && return 0
	echo "$bad" | head -5 | sed 's/^/  failed: /'
	head -3 "$(ls "$1"/*.err | head -1)" | sed 's/^/  /'
	return 1
}

# same_answers A B: B holds an answer to each question of its list
# (B.list), each the bytes of A's to the same question. B may ask fewer
# than A: the repeated runs under the sanitizers (REPEAT_PERIODS).
same_answers() {
	local f n=0 bad=()
	for f in "$2"/*.csv; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		cmp -s "$1/${f##*/}" "$f" || bad+=("${f##*/}")
	done
	if [ "$n" != "$(wc -l <"$2.list")" ]; then
		echo "  $n answers in $2 to $(wc -l <"$2.list") questions"
		return 1
	fi
	[ ${#bad[@]} = 0 ] && return 0
	echo "  ${#bad[@]} differ, the first: ${bad[0]}"
	diff "$1/${bad[0]}" "$2/${bad[0]}" | head -20 | sed 's/^/  /'
	return 1
}

# wait_query CONF: until the consolidator answers (after a start).
wait_query() {
	local i
	for i in $(seq 50); do
		"$KUSKA" query -c "$1" identification --period 2025 --format csv \
			>/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# client_conf NAME KEY: a query client config with the given secret key.
client_conf() {
	cat >"$N/$1.conf" <<-EOF
		[client]
		key = $2
		consolidator = tcp://127.0.0.1:$((PORT + 1))
		consolidator_key = keys/consolidator.pub
	EOF
}

net_init
start_all
"$KUSKA" sim --out "$T/sim" --victims 1500 --seed 21 >/dev/null
check "submit accepts every synthetic record" submit_all "$T/sim"
python3 "$HERE/stats_edge.py" "$T/edge" --today "$TODAY"
edge_ok() {
	local i rc=0
	for i in $INSTS; do
		"$KUSKA" submit -c "$N/$i.conf" "$T/edge/$i.jsonl" >"$T/edge-$i.out" 2>&1
		grep -q "$(records "$T/edge/$i.jsonl") accepted, 0 already held, 0 refused" \
			"$T/edge-$i.out" || {
			rc=1
			grep -v '^warning' "$T/edge-$i.out" | head -5 | sed 's/^/  /'
		}
	done
	return $rc
}
check "submit accepts every hand-made corner case (stats_edge.py)" edge_ok
check "all events delivered" wait_delivered 120

# --- the analyst's exact tables against the reference ------------------------
# The reference reads each institution's records in the order they were
# submitted: the synthetic file, then the corner cases.
mkdir -p "$T/all"
for i in $INSTS; do cat "$T/sim/$i.jsonl" "$T/edge/$i.jsonl" >"$T/all/$i.jsonl"; done
python3 "$HERE/reference.py" --dir "$T/all" --all-to "$T/ref" --accepted "$TODAY" \
	--periods "${PERIODS// /,}" --regions "${REGIONS// /,}"
check "reference computed every table" test "$(ls "$T/ref" | wc -l)" = $((NTABLES * NPERIODS * 3))
query_all "$N/analyst.conf" "$T/an1"
check "analyst: every query answered (exit 0)" all_answered "$T/an1"
# Records are accepted the day they are submitted: if Peru's midnight
# passed meanwhile, the consolidator's days are not the reference's.
CMP_TABLES=$TABLES
if [ "$(peru_today)" != "$TODAY" ]; then
	echo "# the day changed during the test: timeliness not compared"
	CMP_TABLES=${TABLES% timeliness}
fi
for t in $CMP_TABLES; do
	bad=""
	for p in $PERIODS; do
		for r in $REGIONS; do
			cmp -s "$T/ref/$t.$p.$r.csv" "$T/an1/$t.$p.$r.csv" ||
				bad="$bad $p/$r"
		done
	done
	if [ -z "$bad" ]; then
		ok "analyst $t equals the reference ($NPERIODS periods of every kind x 3 regions)"
	else
		not_ok "analyst $t equals the reference: differs for$bad"
		set -- $bad
		p=${1%/*} r=${1#*/}
		echo "  first difference, $t $p region $r (< reference, > kuska query):"
		diff "$T/ref/$t.$p.$r.csv" "$T/an1/$t.$p.$r.csv" | head -12 |
			sed 's/^/  /'
	fi
done

# Stages dated out of order, pinned rather than only equal to the
# reference (which could share a mistake): a later stage dated first
# counts with negative days, in the later stage's region, and they stay
# in the median (the lower middle). stats_edge.py's C1 (accusation in 15,
# trial in 16: 62 days), C7 (trial 31 days before its accusation, in 16)
# and C9 (preliminary in 16, 14 days before the complaint in 15); C6's
# 18 days in 16, C1's 27 in 15. The funnel puts a case in its
# complaint's region: C9 and C1 in 15 (C1's conviction, in 16, is 15's),
# none of 16's five cases convicted (attrition 1.000). Cases no complaint
# names: C4 (mp's, in 16) and C10 (pj's trial of C1 written with spaces,
# in 15, 2023Q3).
out_of_order_ok() {
	local d=$T/an1 bad=0 want
	while read -r f want; do
		grep -qx -e "$want" "$d/$f" || {
			echo "  $f: no line $want"
			bad=1
		}
	done <<-'PIN'
		durations.2023.all.csv "2023",accusation,trial,-31
		durations.2023.16.csv "2023",accusation,trial,-31
		durations.2023.15.csv "2023",accusation,trial,
		durations.2023.16.csv "2023",complaint,preliminary_investigation,-14
		durations.2023.15.csv "2023",complaint,preliminary_investigation,27
		durations.2023.all.csv "2023",complaint,preliminary_investigation,18
		funnel.2023.15.csv "2023",complaint,3,
		funnel.2023.15.csv "2023",preliminary_investigation,2,0.333
		funnel.2023.15.csv "2023",conviction,1,0.000
		funnel.2023.16.csv "2023",complaint,5,
		funnel.2023.16.csv "2023",conviction,0,1.000
		prosecution.2023.16.csv "2023",conviction,1,1
		cases_unmatched.2023.all.csv "2023",mp,1
		cases_unmatched.2023.all.csv "2023",pj,1
		cases_unmatched.2023.16.csv "2023",mp,1
		cases_unmatched.2023.15.csv "2023",pj,1
		cases_unmatched.2023Q3.all.csv "2023Q3",pj,1
	PIN
	return $bad
}
check "analyst: stages dated out of order count negative days, in the later stage's region; the funnel in the complaint's" \
	out_of_order_ok

need_cons
# --- the secretariat: disclosure control -------------------------------------
query_all "$N/secretariat.conf" "$T/sec1"
check "secretariat: every query answered (exit 0)" all_answered "$T/sec1"
check "secretariat: no count 1-9, suppressed as <10, differs from the analyst only by suppression, nothing solvable" \
	python3 "$HERE/stats_check.py" secretariat "$T/sec1" "$T/an1"
check "secretariat: something is suppressed at all" \
	grep -q -r -F --include='*.csv' -- '<10' "$T/sec1"
refused_ok() { # TABLE PERIOD REGION: exit 2, no table, a message
	"$KUSKA" query -c "$N/secretariat.conf" "$1" --period "$2" --region "$3" \
		--format csv >"$T/refused.out" 2>"$T/refused.err"
	[ $? = 2 ] && [ ! -s "$T/refused.out" ] && grep -q -e --region "$T/refused.err"
}
check "secretariat: a regional quarter is refused, naming what it may ask" \
	refused_ok prosecution 2025Q1 16
check "secretariat: a regional semester is refused" refused_ok funnel 2025H2 15
check "secretariat: the overlap by region is refused" refused_ok overlap 2025 16
# A region's own prosecution would bound its funnels over the years;
# the refusal names that table instead.
funnel_refused_ok() {
	refused_ok funnel 2025 16 &&
		grep -q "prosecution --period 2025 --region 16" "$T/refused.err"
}
check "secretariat: the funnel by region is refused, naming the region's prosecution" \
	funnel_refused_ok
# A region's few records would bound the sum of its small counts.
check "secretariat: the timeliness by region is refused" \
	refused_ok timeliness 2025 16

# --- JSON: same keys, same values, null for suppressed ----------------------
json_ok() { # ROLE CSV_DIR
	local role=$1 dir=$2 rc=0
	PERIODS="2025 2025Q1 2023" REGIONS="all 16" \
		query_all "$N/$role.conf" "$T/json-$role" json
	all_answered "$T/json-$role" || rc=1
	python3 "$HERE/stats_check.py" jsondir "$T/json-$role" "$dir" || rc=1
	return $rc
}
check "analyst JSON: an array of objects with the CSV's keys and values" \
	json_ok analyst "$T/an1"
# The secretariat's tables of four years are 20 components (5 groups x 4
# years), all asked for above: the JSON pass finds every release kept.
releases() {
	"$KUSKA" metrics -c "$N/consolidator.conf" |
		awk '$1 == "kuska_releases_computed_total" { print $2 }'
}
R0=$(releases)
check "secretariat JSON: same keys, null where CSV shows <10 or nothing" \
	json_ok secretariat "$T/sec1"
check "secretariat JSON: no release computed again (kuska_releases_computed_total $R0)" \
	test -n "$R0" -a "$(releases)" = "$R0"

# --- restart and --rebuild: byte-identical answers ---------------------------
stop_cons TERM
start_cons
check "consolidator answers after a restart" wait_query "$N/analyst.conf"
# (The secretariat's answers derive from the same counters: compared after
# the rebuild below, which recomputes them all.)
PERIODS=$REPEAT_PERIODS ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS \
	query_all "$N/analyst.conf" "$T/an2"
check "after restart: analyst answers byte-identical" same_answers "$T/an1" "$T/an2"

stop_cons TERM
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
rc=$?
check "kuska-consolidator --rebuild succeeds (exit $rc)" test $rc = 0
[ $rc = 0 ] || head -5 "$T/rebuild.out" | sed 's/^/  /'
start_cons
check "consolidator answers after --rebuild" wait_query "$N/analyst.conf"
PERIODS=$REPEAT_PERIODS ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS \
	query_all "$N/analyst.conf" "$T/an3"
PERIODS=$REPEAT_PERIODS ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS \
	query_all "$N/secretariat.conf" "$T/sec3"
check "after --rebuild: analyst answers byte-identical" same_answers "$T/an1" "$T/an3"
check "after --rebuild: secretariat answers byte-identical" same_answers "$T/sec1" "$T/sec3"

need_cons
# --- an institution sees only its own events ---------------------------------
# Through its statistics officers' query key (the demo's ID-stats, a
# [client] of role institution), never the node's key.
inst_row_ok() { # TABLE INST: one row, its own, equal to the analyst's
	local t=$1 inst=$2 p r out
	TABLES=$t query_all "$N/${inst}-stats.conf" "$T/row-$inst-$t"
	all_answered "$T/row-$inst-$t" || return 1
	for p in $PERIODS; do
		for r in $REGIONS; do
			out=$(cat "$T/row-$inst-$t/$t.$p.$r.csv")
			[ "$out" = "$(sed -n "1p;/^\"$p\",$inst,/p" "$T/an1/$t.$p.$r.csv")" ] || {
				echo "  $inst $p $r: got:"
				echo "$out" | sed 's/^/    /'
				return 1
			}
		done
	done
}
# The rows are compared with the analyst's: REPEAT_PERIODS.
inst_row() { # DESCRIPTION TABLE INST
	PERIODS=$REPEAT_PERIODS ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS \
		check "$1" inst_row_ok "$2" "$3"
}
inst_row "pnp: identification shows its own row only, equal to the analyst's" identification pnp
inst_row "mimp: identification shows its own row only, equal to the analyst's" identification mimp
inst_row "pnp: timeliness shows its own row only, equal to the analyst's" timeliness pnp
"$KUSKA" query -c "$N/pnp-stats.conf" overlap --period 2025 --format csv \
	>"$T/pnp.overlap" 2>"$T/pnp.overlap.err"
rc=$?
check "pnp: overlap refused with exit 2 (got $rc)" test $rc = 2
check "pnp: overlap gives no table" test ! -s "$T/pnp.overlap"
pnp_referrals_ok() { # TABLE: its rows are the analyst's with pnp in them
	local p t=$1
	TABLES=$t REGIONS=all query_all "$N/pnp-stats.conf" "$T/pnp-$t"
	all_answered "$T/pnp-$t" || return 1
	for p in $PERIODS; do
		tail -n +2 "$T/pnp-$t/$t.$p.all.csv" |
			awk -F, '$2 != "pnp" && $3 != "pnp" { bad = 1; print "  " $0 } END { exit bad }' ||
			return 1
		[ "$(cat "$T/pnp-$t/$t.$p.all.csv")" = \
			"$(awk -F, 'NR == 1 || $2 == "pnp" || $3 == "pnp"' "$T/an1/$t.$p.all.csv")" ] || {
			echo "  $t $p: not the analyst's rows with pnp"
			return 1
		}
	done
}
ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS check \
	"pnp: referral rows all have pnp as from or to" pnp_referrals_ok referrals
ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS check \
	"pnp: referrals_unmatched rows are the analyst's with pnp" \
	pnp_referrals_ok referrals_unmatched
# Tables other than identification, overlap, referrals and timeliness: as
# computed from the institution's own records alone, its victims linked over
# everyone's.
inst_own_ok() { # INST
	local inst=$1 tables t p r rc=0
	python3 "$HERE/reference.py" --dir "$T/all" --scope "$inst" \
		--all-to "$T/own-$inst" --periods 2024,2025Q1,2023,2023Q1 \
		--regions all,15,16
	tables="breakdown protection prosecution funnel durations"
	TABLES=$tables PERIODS="2024 2025Q1 2023 2023Q1" REGIONS="all 15 16" \
		query_all "$N/${inst}-stats.conf" "$T/own-q-$inst"
	all_answered "$T/own-q-$inst" || rc=1
	for t in $tables; do
		for p in 2024 2025Q1 2023 2023Q1; do
			for r in all 15 16; do
				cmp -s "$T/own-$inst/$t.$p.$r.csv" "$T/own-q-$inst/$t.$p.$r.csv" || {
					rc=1
					echo "  $inst $t $p $r (< reference of its own records, > query):"
					diff "$T/own-$inst/$t.$p.$r.csv" \
						"$T/own-q-$inst/$t.$p.$r.csv" | head -6 |
						sed 's/^/    /'
				}
			done
		done
	done
	return $rc
}
ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS check \
	"pnp: other tables equal the reference over pnp's own events" inst_own_ok pnp
ASAN_OPTIONS=$REPEAT_ASAN_OPTIONS check \
	"mimp: other tables equal the reference over mimp's own events" inst_own_ok mimp

need_cons
# --- an unregistered key gets nothing ----------------------------------------
"$KUSKA" keygen stranger --dir "$N/keys" >/dev/null
client_conf stranger keys/stranger.key
t0=$(date +%s%N)
"$KUSKA" query -c "$N/stranger.conf" identification --period 2025 --format csv \
	>"$T/stranger.out" 2>"$T/stranger.err"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "unregistered key: exit 2 (got $rc)" test $rc = 2
check "unregistered key: no table" test ! -s "$T/stranger.out"
check "unregistered key: the error says the key was refused" \
	grep -q -i "refused" "$T/stranger.err"
check "unregistered key: answered within 5 s (${ms} ms)" test "$ms" -lt 5000

need_cons
# --- bad arguments: one-line error, exit 2 -----------------------------------
bad_arg() { # DESCRIPTION ARGS...
	local what=$1 rc lines
	shift
	"$KUSKA" query -c "$N/analyst.conf" "$@" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	lines=$(wc -l <"$T/bad.err")
	if [ $rc = 2 ] && [ "$lines" = 1 ] && [ ! -s "$T/bad.out" ]; then
		ok "$what: exit 2, one-line error"
	else
		not_ok "$what: exit $rc, $lines error lines, $(wc -c <"$T/bad.out") bytes out"
		head -3 "$T/bad.err" | sed 's/^/  /'
	fi
}
bad_arg "unknown table" victims --period 2025
bad_arg "quarter 5" identification --period 2025Q5
bad_arg "semester 3" identification --period 2025H3
bad_arg "two-digit year" identification --period 25
bad_arg "month as period" identification --period 2025-01
bad_arg "missing period" identification
bad_arg "region 26" identification --period 2025 --region 26
bad_arg "region 00" identification --period 2025 --region 00
bad_arg "one-digit region" identification --period 2025 --region 1
bad_arg "region name" identification --period 2025 --region LI

for i in $INSTS; do stop_node "$i" TERM; done
stop_cons TERM
finish
