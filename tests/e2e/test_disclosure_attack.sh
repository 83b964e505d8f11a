#!/usr/bin/env bash
# End to end: the disclosure attack of issue 9, as a curious reader with a
# secretariat key would mount it. On `kuska sim` data, delivered days or
# weeks after the events (deliver_late, below), it asks every table
# for two years, for every period kind (years, semesters, quarters),
# nationally and for each of the 25 regions - and, for two regions, the
# requests the secretariat may not make, which must be refused with a
# message naming what it may ask instead - and the sources table, and takes
# the analyst's exact tables for the same. disclosure_attack.py then writes
# down every relation a reader knows between those cells, within a year
# and across the years, and, for every hidden cell, finds by
# integer programming the least and greatest value it can take: each
# range must span at least three values, and hold the analyst's figure.
. "$(dirname "$0")/lib.sh"

if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then
	# Thousands of queries and an integer programme: minutes of the CI's
	# budget for what is arithmetic, not memory safety. The gcc build
	# runs it; the sanitizers watch the same query path in test_report,
	# test_stats and test_fixture.
	echo "sanitizer build: skipped (the plain build runs the attack)"
	echo "0 passed, 0 failed"
	exit 0
fi

HERE="$KUSKA_SRC/tests/e2e"
TABLES="identification overlap breakdown referrals referrals_unmatched protection prosecution cases_unmatched funnel durations timeliness indicators"
YEARS="2024 2025"
# timeliness is refused by region: a region's few records bound the sum
# of everything recorded there; the funnel too: a region whose cases stay
# in it bounds its funnels over the years by its own prosecution
# (docs/DISCLOSURE.md)
REGIONAL="identification referrals referrals_unmatched protection prosecution cases_unmatched durations indicators"

# The solver needs SciPy (python3-scipy, scripts/deps.sh); a python3 of
# its own on PATH may lack it, Debian's has it.
PY=python3
$PY -c 'import scipy.optimize' 2>/dev/null || PY=/usr/bin/python3
if ! $PY -c 'from scipy.optimize import milp' 2>/dev/null; then
	not_ok "python3-scipy (1.9 or later) is needed: scripts/deps.sh installs it"
	finish
fi

# ask CONF DIR TABLE PERIOD REGION: one query into DIR/TABLE.PERIOD.REGION
# (.csv and .err), its exit status into DIR/rc.
ask() {
	local ra=()
	[ "$5" = all ] || ra=(--region "$5")
	"$KUSKA" query -c "$1" "$3" --period "$4" "${ra[@]}" --format csv \
		</dev/null >"$2/$3.$4.$5.csv" 2>"$2/$3.$4.$5.err"
	echo "$3.$4.$5 $?" >>"$2/rc"
}

# every_request CONF DIR ALL: every table, period and region the
# secretariat may ask for, and (ALL = 1) those it may not, for two
# regions only (the refusal does not depend on the region; all 25 would
# triple the queries); eight at a time (a query spends most of its time
# waiting), eight subshells sharing the list, each asking its share one
# after another (no shell started per query).
every_request() {
	local conf=$1 dir=$2 all=$3 t y p r
	mkdir -p "$dir"
	: >"$dir/rc"
	for t in $TABLES; do
		for y in $YEARS; do
			for p in $y ${y}H1 ${y}H2 ${y}Q1 ${y}Q2 ${y}Q3 ${y}Q4; do
				# indicators are measured by year or semester
				[ "$t" != indicators ] || [ "${#p}" != 6 ] ||
					[ "${p:4:1}" != Q ] || continue
				echo "$t $p all"
				for r in $(seq -w 1 25); do
					if [ "$p" = "$y" ] &&
						[[ " $REGIONAL " == *" $t "* ]]; then
						echo "$t $p $r"
					elif [ "$all" = 1 ] && { [ "$r" = 01 ] ||
						[ "$r" = 16 ]; }; then
						echo "$t $p $r"
					fi
				done
			done
		done
	done >"$dir.list"
	# What ties the years together (disclosure_attack.py's across_years):
	# the events of all time, and the years around those asked, which
	# must hold no record for the sums over the years to be whole.
	{
		echo "sources 2025 all"
		echo "timeliness 2023 all"
		echo "timeliness 2026 all"
	} >>"$dir.list"
	spread "$dir.list" 8 ask "$conf" "$dir"
}

# deliver_late DIR: DIR's records delivered as the field delivers them,
# days or weeks after their events: each institution's file cut at the
# quarters (a line goes with the latest date before it, so a correction
# or withdrawal follows its target), each quarter's lines submitted and
# delivered with the consolidator's clock DELAY days after the quarter's
# end. A record is accepted within 30 days when dated in the quarter's
# last 30 - DELAY days: timeliness's shares are neither 0 nor 100, and
# printed to one decimal of more than 1,000 records (a year's), each
# allows several counts. Then the clock is true again ("+0").
DELAYS="2024Q1:2024-03-31:3 2024Q2:2024-06-30:12 2024Q3:2024-09-30:21
	2024Q4:2024-12-31:6 2025Q1:2025-03-31:16 2025Q2:2025-06-30:9
	2025Q3:2025-09-30:25 2025Q4:2025-12-31:1"
deliver_late() {
	local i q end delay rc=0
	mkdir -p "$T/late"
	for i in $INSTS; do
		awk -v out="$T/late/$i" 'BEGIN { max = "2024-01-01" }
			match($0, /"date":"[0-9-]+"/) {
				d = substr($0, RSTART + 8, 10)
				if (d > max) max = d
			}
			{ print >(out "." substr(max, 1, 4) "Q" \
				int((substr(max, 6, 2) + 2) / 3)) }' "$1/$i.jsonl"
	done
	for q in $DELAYS; do
		IFS=: read -r q end delay <<<"$q"
		echo "@$(date -u -d "$end + $delay days" +%F) 12:00:00" >"$T/clock"
		for i in $INSTS; do
			[ -s "$T/late/$i.$q" ] || continue
			"$KUSKA" submit -c "$N/$i.conf" "$T/late/$i.$q" \
				>>"$T/submit-$i.out" || rc=1
		done
		wait_delivered 120 || {
			echo "  $q: not delivered"
			rc=1
		}
	done
	echo "+0" >"$T/clock"
	# every line of every file in one quarter or another
	[ "$(cat "$T"/late/* | wc -l)" = "$(cat "$1"/*.jsonl | wc -l)" ] ||
		rc=1
	return $rc
}

net_init
# The shipped indicators, computed from the secretariat's own view.
echo "indicators = $KUSKA_SRC/config/indicators.conf" >>"$N/consolidator.conf"
"$KUSKA" sim --out "$T/sim" --victims 1200 --seed 9 >/dev/null
if [ "$FAKE" = yes ]; then
	echo "@2024-01-01 12:00:00" >"$T/clock"
	start_cons_clock "$T/clock"
	for i in $INSTS; do start_node "$i"; done
	check "every synthetic record submitted and delivered, a quarter at a time, days or weeks late" \
		deliver_late "$T/sim"
else
	# Every record accepted today: every share 0.0, every count exact.
	echo "# every record delivered at once (the consolidator's clock cannot be moved: $FAKE)"
	start_all
	check "submit accepts every synthetic record" submit_all "$T/sim"
	check "all events delivered" wait_delivered 120
fi

t0=$(date +%s)
every_request "$N/secretariat.conf" "$T/sec" 1
every_request "$N/analyst.conf" "$T/an" 0
echo "# $(wc -l <"$T/sec/rc") secretariat and $(wc -l <"$T/an/rc") analyst" \
	"queries in $(($(date +%s) - t0)) s"

# asked_all DIR: every request of DIR.list has its exit code in DIR/rc (an
# empty list, or queries that never ran, would leave nothing to judge).
asked_all() {
	[ -s "$1.list" ] && [ "$(wc -l <"$1/rc")" = "$(wc -l <"$1.list")" ]
}

# --- what is refused, and how ----------------------------------------------
levels_ok() {
	local name rc t p r bad=0
	asked_all "$T/sec" || {
		echo "  $(wc -l <"$T/sec/rc") answers to $(wc -l <"$T/sec.list") requests"
		return 1
	}
	while read -r name rc; do
		t=${name%%.*}
		p=${name#*.}
		r=${p#*.}
		p=${p%.*}
		if [ "$r" = all ] || { [ "${#p}" = 4 ] &&
			[[ " $REGIONAL " == *" $t "* ]]; }; then
			[ "$rc" = 0 ] && continue
			echo "  $name: refused (exit $rc): $(head -1 "$T/sec/$name.err")"
		else
			[ "$rc" = 2 ] && [ ! -s "$T/sec/$name.csv" ] &&
				grep -q -e "--region" "$T/sec/$name.err" && continue
			echo "  $name: exit $rc, $(wc -c <"$T/sec/$name.csv") bytes," \
				"error: $(head -1 "$T/sec/$name.err")"
		fi
		bad=$((bad + 1))
		[ $bad -ge 5 ] && return 1
	done <"$T/sec/rc"
	[ $bad = 0 ]
}
check "secretariat: every national table and every regional year answered; regional semesters and quarters, and the overlap, breakdown, funnel and timeliness by region, refused with exit 2 and a message naming what it may ask" \
	levels_ok
analyst_ok() {
	asked_all "$T/an" && [ -z "$(awk '$2 != 0' "$T/an/rc")" ]
}
check "analyst: every query answered (exit 0)" analyst_ok
grep -h . "$T"/sec/identification.2025Q1.16.err |
	sed 's/^/# refusal, identification 2025Q1 region 16: /'
grep -h . "$T"/sec/overlap.2025.16.err |
	sed 's/^/# refusal, overlap 2025 region 16: /'
# The funnel by region, refused for every period, names the region's
# prosecution table instead.
funnel_refused_ok() {
	local y r
	for y in $YEARS; do
		for r in 01 16; do
			grep -q "prosecution --period $y --region $r" \
				"$T/sec/funnel.$y.$r.err" || {
				echo "  funnel $y region $r: $(head -1 "$T/sec/funnel.$y.$r.err")"
				return 1
			}
		done
	done
}
check "secretariat: the funnel by region refused, naming the region's prosecution table" \
	funnel_refused_ok

# --- per table: primary suppression, derived cells ---------------------------
mkdir -p "$T/sec-open"
# (the indicators apart: they are values, not counts, checked below)
awk '$2 == 0 && $1 !~ /^indicators\./ { print $1 }' "$T/sec/rc" |
	while read -r name; do cp "$T/sec/$name.csv" "$T/sec-open/"; done
check "secretariat: no count 1-9 shown, differs from the analyst only by suppression, no median or share over a hidden count" \
	python3 "$HERE/stats_check.py" secretariat "$T/sec-open" "$T/an"

# The delays are met: the secretariat is shown shares of more than 1,000
# records strictly between 0 and 100, each of which allows several counts.
late_shares_ok() {
	awk -F, '$3 ~ /^[0-9]+$/ && $3 > 1000 && $5 != "" &&
		$5 != "0.0" && $5 != "100.0" { n++ }
		END { print "# " n + 0 " shares of more than 1,000 records"; exit !n }' \
		"$T"/sec-open/timeliness.*.all.csv
}
[ "$FAKE" != yes ] ||
	check "secretariat: timeliness shares of more than 1,000 records, neither 0 nor 100" \
		late_shares_ok

# An indicator is computed from the secretariat's own view of the tables:
# suppressed (value and progress empty), or exactly the analyst's row.
indicators_ok() {
	awk '$2 == 0 && $1 ~ /^indicators\./ { print $1 ".csv" }' "$T/sec/rc" |
		python3 -c '
import csv, sys
sec, an = sys.argv[1:3]
n = s = bad = 0
for name in sys.stdin.read().split():
    rows = [list(csv.DictReader(open(d + "/" + name, encoding="utf-8")))
            for d in (sec, an)]
    n += 1
    for x, y in zip(*rows):
        if x == y:
            continue
        # suppressed, also when a table it refers to is not given to
        # the secretariat at that level (the overlap by region)
        if x == dict(y, value="", progress="", status="suppressed"):
            s += 1
            continue
        bad += 1
        print("  %s: %s: secretariat %s, analyst %s"
              % (name, x["indicator"], x, y))
    bad += len(rows[0]) != len(rows[1])
print("# %d indicator tables, %d values suppressed" % (n, s))
sys.exit(1 if bad or n == 0 or s == 0 else 0)' "$T/sec" "$T/an"
}
check "secretariat: every indicator suppressed or equal to the analyst's" \
	indicators_ok

# --- the attack --------------------------------------------------------------
# The relations across years sum over every year that holds a record:
# the simulation's window is 2024-2025, and the years around it are empty.
empty_around() {
	local y
	for y in 2023 2026; do
		grep -q "^\"$y\",all,0," "$T/sec/timeliness.$y.all.csv" || {
			echo "  timeliness $y: $(grep ',all,' "$T/sec/timeliness.$y.all.csv")"
			return 1
		}
	done
}
check "no record dated in 2023 or 2026 (the sums over years are whole)" \
	empty_around
# --same-region: the reader also knows that a case's events lie in its
# complaint's region (kuska sim's do), which bounds a region's funnels by
# its own prosecution; the funnel is not given by region, so that reader
# has nothing more to pin, at no cost.
$PY "$HERE/disclosure_attack.py" --secretariat "$T/sec-open" --analyst "$T/an" \
	--years "${YEARS// /,}" --same-region >"$T/attack.out" 2>&1
rc=$?
sed 's/^/# /' "$T/attack.out" | head -40
check "attack: every hidden cell's range spans three values or more and holds the analyst's count (exit $rc)" \
	test $rc = 0

for i in $INSTS; do stop_node "$i" TERM; done
stop_cons TERM
finish
