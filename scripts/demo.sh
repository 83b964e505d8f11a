#!/usr/bin/env bash
# demo.sh - kuska on one machine: a consolidator, a key holder and the five
# institution nodes on 127.0.0.1, synthetic case events from `kuska sim`,
# pseudonymised through the key holder, delivered and counted; prints what
# the consolidator holds, what the key holder evaluated, and the national
# tables, and ends by writing the secretariat's report
# (build/informe-PERIOD.html) for the latest full semester, to open in a
# browser.
#
#   scripts/demo.sh [--victims N] [--keep] [--port BASE]
#
# With KUSKA_BIN set (a build directory, as the tests set it) it uses
# that build and neither installs packages nor builds.
set -eu
cd "$(dirname "$0")/.."
VICTIMS=6000
KEEP=0
port=7400
usage() {
	cat <<'USAGE'
usage: scripts/demo.sh [--victims N] [--keep] [--port BASE]

A whole kuska network on 127.0.0.1 (a consolidator, a key holder and the
five institution nodes) fed with synthetic case events; prints what the
consolidator holds, what the key holder evaluated and the national
tables, and writes the secretariat's report (build/informe-PERIOD.html).

Options:
  --victims N   victims kuska sim makes (default 6000)
  --keep        keep the network's directory afterwards, and print the
                commands that start its daemons again to query it
  --port BASE   its first port (default 7400; the next free block of
                three is taken)
  -h, --help    this text

Without KUSKA_BIN, it installs the Debian packages it needs with apt-get
(scripts/deps.sh, as root) and builds kuska in build/ first; with
KUSKA_BIN=DIR it uses the build in DIR and does neither.
USAGE
}
# need OPTION VALUE...: the option's value, or a clear error.
need() {
	if [ $# -lt 2 ] || [ -z "$2" ] || [ "${2#-}" != "$2" ]; then
		echo "scripts/demo.sh: $1 needs a value" \
			"(scripts/demo.sh --help)" >&2
		exit 2
	fi
}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--victims) need "$@"; VICTIMS=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--port) need "$@"; port=$2; shift 2 ;;
	*)
		echo "scripts/demo.sh: unknown option $1" >&2
		echo "usage: scripts/demo.sh [--victims N] [--keep] [--port BASE]" >&2
		exit 2
		;;
	esac
done

if [ -n "${KUSKA_BIN:-}" ]; then
	B=$KUSKA_BIN
else
	bash scripts/deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
	B=$PWD/build
fi
INSTS="pnp mp pj mimp minsa"

D=$(mktemp -d /tmp/kuska-demo.XXXXXX)
PIDS=""
declare -A NODE=()
stop() {
	# shellcheck disable=SC2086
	PIDS="$PIDS ${NODE[*]:-}"
	[ -n "${PIDS// /}" ] && kill -TERM $PIDS 2>/dev/null && wait 2>/dev/null
	if [ "$KEEP" = 1 ]; then
		echo "demo files kept in $D"
		[ -f "$D/consolidator.conf" ] && keep_commands
	else
		rm -rf "$D"
	fi
}
# The commands that start the kept network's daemons again (on the real
# clock) and query it.
keep_commands() {
	cat <<EOF
to start its daemons again and query the network:
  cd $D
  $B/kuska-consolidator -c consolidator.conf 2>>consolidator.log &
  $B/kuska-keyholder -c keyholder.conf 2>>keyholder.log &
  for i in $INSTS; do $B/kuska-node -c \$i.conf 2>>\$i.log & done
  $B/kuska status -c consolidator.conf
  $B/kuska query -c secretariat.conf identification --period 2025
  $B/kuska report -c secretariat.conf --period ${period:-2025H2} -o informe.html
and to stop them: kill \$(jobs -p)
EOF
}
trap stop EXIT

while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null ||
	(exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null ||
	(exec 3<>/dev/tcp/127.0.0.1/$((port + 2))) 2>/dev/null; do
	port=$((port + 3))
done

echo "== a kuska network in $D (consolidator on 127.0.0.1:$port, key holder on $((port + 2)))"
# demo init writes the shipped example indicators (indicators.conf, their
# baselines and targets invented) and names them in consolidator.conf, so
# that the tables and the report open with them.
"$B/kuska" demo init "$D" --port "$port" >/dev/null
# A population file, so that the report and kuska query sdg16_2_2 give
# SDG 16.2.2's victims per 100,000: without one the demo had no rate at
# all. kuska ships no population figures and a real consolidator takes
# INEI's (kuska.conf(5)); these are invented, for the demo's invented
# victims: round figures of about the size of each department (thousands,
# 2025), one per cent more each year, split by fixed shares of sex and
# age. The file says so on its first lines, the first its source line,
# which the report names as the figures' source.
synthetic_population() {
	awk 'BEGIN {
		OFS = ","
		n = split("01 430 02 1200 03 430 04 1520 05 670 06 1460 " \
			"07 1180 08 1380 09 370 10 780 11 1000 12 1390 " \
			"13 2050 14 1350 15 11000 16 1060 17 180 18 200 " \
			"19 270 20 2100 21 1240 22 920 23 380 24 260 25 600", a, " ")
		split("F 0-17 0.147 F 18+ 0.356 M 0-17 0.153 M 18+ 0.344", s, " ")
		print "# source: SYNTHETIC figures of the kuska demo, invented, NOT INEI'\''s"
		print "# SYNTHETIC population of the kuska demo: invented figures, NOT INEI'\''s;"
		print "# never use them for a real report (kuska.conf(5), POPULATION FILE)"
		print "year,region,sex,age_group,population"
		for (y = 2024; y <= 2026; y++)
			for (g = 1; g <= 12; g += 3) {
				total = 0
				for (i = 1; i <= n; i += 2) {
					p[i] = int(a[i + 1] * 1000 * (1 + (y - 2025) / 100) * s[g + 2] + 0.5)
					total += p[i]
				}
				print y, "00", s[g], s[g + 1], total
				for (i = 1; i <= n; i += 2)
					print y, a[i], s[g], s[g + 1], p[i]
			}
	}'
}
if ! grep -q '^population' "$D/consolidator.conf"; then
	synthetic_population >"$D/population.csv"
	echo "population = $D/population.csv" >>"$D/consolidator.conf"
fi
# The records arrive as an institution's do: each sends a month's records
# in one delivery some days after the month ends (LAG, below), so that
# the timeliness table (the days from a record's date to its acceptance)
# has something to say. The daemons run on one clock, moved to each
# delivery's day (libfaketime, which scripts/deps.sh installs), where it
# stays: the status, the tables and the report that follow are asked on
# that clock too (on_clock), as of the last delivery's day. Moved to
# today instead, the key holder's status said each node's last request
# was months ago (the daemons' ages are right: on their clock the last
# requests were the last deliveries). Without libfaketime the records
# all arrive today.
FT=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
CLOCK=$D/clock
declare -A LAG=([pnp]=5 [mp]=5 [pj]=25 [mimp]=15 [minsa]=15)
# at CMD... &: a daemon on the network's clock, its pid $! (the
# background shell becomes it).
at() {
	if [ -n "$FT" ]; then
		exec env LD_PRELOAD="$FT" FAKETIME_TIMESTAMP_FILE="$CLOCK" \
			FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
	fi
	exec "$@"
}
# on_clock CMD...: a command on the network's clock, in the foreground.
on_clock() {
	if [ -n "$FT" ]; then
		env LD_PRELOAD="$FT" FAKETIME_TIMESTAMP_FILE="$CLOCK" \
			FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
	else
		"$@"
	fi
}
# 10:00 in Peru (UTC-5) of the day.
set_clock() { echo "@$(date -u -d "$1 15:00 UTC" '+%F %T')" >"$CLOCK"; }
set_clock 2024-01-31

at "$B/kuska-consolidator" -c "$D/consolidator.conf" 2>"$D/consolidator.log" &
PIDS="$PIDS $!"
at "$B/kuska-keyholder" -c "$D/keyholder.conf" 2>"$D/keyholder.log" &
PIDS="$PIDS $!"
start_node() {
	at "$B/kuska-node" -c "$D/$1.conf" 2>>"$D/$1.log" &
	NODE[$1]=$!
}
for i in $INSTS; do
	start_node "$i"
done
sleep 1

echo "== synthetic case events for $VICTIMS victims"
"$B/kuska" sim --out "$D/sim" --victims "$VICTIMS" --seed 2026

# delivered [INST...]: whether every node (or those named) has its events
# acknowledged.
delivered() {
	local i s last acked
	for i in ${*:-$INSTS}; do
		s=$("$B/kuska" status -c "$D/$i.conf" || true)
		last=$(echo "$s" | sed -n 's/.*(last sequence \([0-9]*\)).*/\1/p')
		acked=$(echo "$s" | sed -n 's/^ *acknowledged: *\([0-9]*\).*/\1/p')
		[ -n "$last" ] && [ "$last" = "$acked" ] || return 1
	done
}
wait_delivered() { # wait_delivered [INST...]: two minutes at most
	for _ in $(seq 1200); do
		delivered "$@" && return 0
		sleep 0.1
	done
	echo "demo.sh: not all delivered to the consolidator within two" \
		"minutes (${*:-$INSTS}); see $D/*.log" >&2
	return 1
}

# Each file cut into months, in file order (sorted by date; a correction
# or withdrawal stays with the records before it), and the day each
# month's part is delivered: "DAY INST FILE", sorted.
mkdir -p "$D/months"
: >"$D/deliveries"
for i in $INSTS; do
	awk -v dir="$D/months" -v i="$i" '
		match($0, /"date":"[0-9][0-9][0-9][0-9]-[0-9][0-9]/) {
			m = substr($0, RSTART + 8, 7)
			if (m > cur) cur = m
		}
		{ print > (dir "/" i "-" cur ".jsonl") }' "$D/sim/$i.jsonl"
	for f in "$D/months/$i"-*.jsonl; do
		m=${f##*/$i-}
		m=${m%.jsonl}
		echo "$(date -d "$m-01 +1 month +${LAG[$i]} days" +%F) $i $f"
	done >>"$D/deliveries"
done
sort -o "$D/deliveries" "$D/deliveries"

if [ -n "$FT" ]; then
	echo "== each institution submits a month's records to its own node," \
		"days after the month ends (pnp ${LAG[pnp]}, mp ${LAG[mp]}," \
		"pj ${LAG[pj]}, mimp ${LAG[mimp]}, minsa ${LAG[minsa]})"
	for day in $(cut -d' ' -f1 "$D/deliveries" | uniq); do
		set_clock "$day"
		due=$(grep "^$day " "$D/deliveries" | cut -d' ' -f2)
		subs=""
		while read -r _ i f; do
			"$B/kuska" submit -c "$D/$i.conf" "$f" \
				>>"$D/submit-$i.out" &
			subs="$subs $!"
		done < <(grep "^$day " "$D/deliveries")
		# shellcheck disable=SC2086
		wait $subs || true
		# shellcheck disable=SC2086
		wait_delivered $due || exit 1
	done
	# The clock stays on the last delivery's day. Each node starts
	# again, so that it says hello on that day rather than on its own
	# last delivery's day, weeks before.
	echo "== the network's clock stays at $(on_clock date -u '+%F %H:%M UTC')," \
		"the last delivery's day: what follows is as of then"
	for i in $INSTS; do
		kill -TERM "${NODE[$i]}"
		wait "${NODE[$i]}" || true
		start_node "$i"
	done
	sleep 1
	for i in $INSTS; do
		awk -v i="$i" '/: [0-9]* accepted, / { a += $2; h += $4; r += $7 }
			END { printf "%s: %d accepted, %d already held, %d refused\n", i, a, h, r }' \
			"$D/submit-$i.out"
	done
else
	echo "== each institution submits its file to its own node" \
		"(all today: no libfaketime to date the deliveries)"
	for i in $INSTS; do
		"$B/kuska" submit -c "$D/$i.conf" "$D/sim/$i.jsonl" >"$D/submit-$i.out" || true
		# The line of counts (a line of warnings not listed may follow it).
		grep ': [0-9]* accepted, ' "$D/submit-$i.out"
	done
fi

echo "== waiting for delivery to the consolidator"
wait_delivered || exit 1

echo "== what the consolidator holds, per institution"
on_clock "$B/kuska" status -c "$D/consolidator.conf" || true
echo
echo "== what the key holder evaluated (blinded: it never saw an identity)"
on_clock "$B/kuska" status -c "$D/keyholder.conf" || true
echo
on_clock "$B/kuska-consolidator" --audit -c "$D/consolidator.conf"

# The secretariat's first answer about a year waits for that year's
# disclosure audit: seconds, but on a loaded machine more than the
# client's 15 s (kuska query: no answer ... within 15 s). Ask again, up
# to two minutes, for each year the report reads, before the tables and
# the report.
secretariat_ready() { # secretariat_ready YEAR
	local _
	for _ in 1 2 3 4 5 6 7 8; do
		on_clock "$B/kuska" query -c "$D/secretariat.conf" \
			identification --period "$1" >/dev/null 2>&1 && return 0
	done
	return 1
}
secretariat_ready 2024 || true
if secretariat_ready 2025; then
	for t in identification overlap referrals protection funnel timeliness \
		sdg16_2_2 indicators; do
		echo
		case $t in
		sdg16_2_2) of=", per 100,000 of the demo's synthetic population" ;;
		indicators) of=" (the examples kuska ships: baselines and targets invented, not official)" ;;
		*) of="" ;;
		esac
		echo "== $t, 2025, as the Commission's secretariat sees it$of"
		# Without libfaketime every record arrived today, long after
		# its date: timeliness reads 0.0% within 30 days, and so do
		# the timeliness indicators; not the institutions' doing.
		case $t in
		timeliness | indicators)
			[ -n "$FT" ] || echo "(no libfaketime: every record" \
				"was submitted today, months after its date, so" \
				"none reads as arrived within 30 days)"
			;;
		esac
		on_clock "$B/kuska" query -c "$D/secretariat.conf" "$t" \
			--period 2025
	done
fi

# The latest full semester: over by today (the network's), and not after
# the newest record (kuska sim's data end on 2025-12-31).
semester() { # semester YYYY-MM-DD: 2025H2
	local m=${1:5:2}
	echo "${1:0:4}H$((10#$m > 6 ? 2 : 1))"
}
today=$(on_clock date +%F)
if [ "$((10#${today:5:2}))" -gt 6 ]; then
	full="${today:0:4}H1"
else
	full="$((${today:0:4} - 1))H2"
fi
newest=$(cat "$D"/sim/*.jsonl | grep -o '"date":"[0-9-]*"' | cut -d'"' -f4 |
	sort | tail -1)
period=$(semester "$newest")
[[ "$full" < "$period" ]] && period=$full
report="$B/informe-$period.html"
echo
echo "== the secretariat's report for $period"
on_clock "$B/kuska" report -c "$D/secretariat.conf" --period "$period" \
	-o "$report"
echo "open $report in a browser"
