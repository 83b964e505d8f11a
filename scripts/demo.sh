#!/usr/bin/env bash
# demo.sh - kuska on one machine: a consolidator, a key holder and the five
# institution nodes on 127.0.0.1, synthetic case events from `kuska sim`,
# pseudonymised through the key holder, delivered and counted; prints what
# the consolidator holds, what the key holder evaluated, and the national
# tables, and ends by writing the secretariat's report
# (build/informe-PERIOD.html) for the latest full semester, to open in a
# browser.
#
#   scripts/demo.sh [--victims N] [--keep]
set -eu
cd "$(dirname "$0")/.."
VICTIMS=2000
KEEP=0
while [ $# -gt 0 ]; do
	case "$1" in
	--victims) VICTIMS=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	*) echo "usage: scripts/demo.sh [--victims N] [--keep]" >&2; exit 2 ;;
	esac
done

bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
B=$PWD/build
INSTS="pnp mp pj mimp minsa"

D=$(mktemp -d /tmp/kuska-demo.XXXXXX)
PIDS=""
stop() {
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && kill -TERM $PIDS 2>/dev/null && wait 2>/dev/null
	if [ "$KEEP" = 1 ]; then echo "demo files kept in $D"; else rm -rf "$D"; fi
}
trap stop EXIT

port=7400
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null ||
	(exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null ||
	(exec 3<>/dev/tcp/127.0.0.1/$((port + 2))) 2>/dev/null; do
	port=$((port + 3))
done

echo "== a kuska network in $D (consolidator on 127.0.0.1:$port, key holder on $((port + 2)))"
"$B/kuska" demo init "$D" --port "$port" >/dev/null
# The shipped indicators (example baselines and targets), so that the
# report opens with them.
grep -q '^indicators' "$D/consolidator.conf" ||
	echo "indicators = $PWD/config/indicators.conf" >>"$D/consolidator.conf"
"$B/kuska-consolidator" -c "$D/consolidator.conf" 2>"$D/consolidator.log" &
PIDS="$PIDS $!"
"$B/kuska-keyholder" -c "$D/keyholder.conf" 2>"$D/keyholder.log" &
PIDS="$PIDS $!"
for i in $INSTS; do
	"$B/kuska-node" -c "$D/$i.conf" 2>"$D/$i.log" &
	PIDS="$PIDS $!"
done
sleep 1

echo "== synthetic case events for $VICTIMS victims"
"$B/kuska" sim --out "$D/sim" --victims "$VICTIMS" --seed 2026

echo "== each institution submits its file to its own node"
for i in $INSTS; do
	"$B/kuska" submit -c "$D/$i.conf" "$D/sim/$i.jsonl" >"$D/submit-$i.out" || true
	# The line of counts (a line of warnings not listed may follow it).
	grep ': [0-9]* accepted, ' "$D/submit-$i.out"
done

echo "== waiting for delivery to the consolidator"
for n in $(seq 600); do
	done_all=1
	for i in $INSTS; do
		s=$("$B/kuska" status -c "$D/$i.conf" || true)
		last=$(echo "$s" | sed -n 's/.*(last sequence \([0-9]*\)).*/\1/p')
		acked=$(echo "$s" | sed -n 's/^ *acknowledged: *\([0-9]*\).*/\1/p')
		[ -n "$last" ] && [ "$last" = "$acked" ] || done_all=0
	done
	[ $done_all = 1 ] && break
	sleep 0.2
done

echo "== what the consolidator holds, per institution"
"$B/kuska" status -c "$D/consolidator.conf" || true
echo
echo "== what the key holder evaluated (blinded: it never saw an identity)"
"$B/kuska" status -c "$D/keyholder.conf" || true
echo
"$B/kuska-consolidator" --audit -c "$D/consolidator.conf"

if "$B/kuska" query -c "$D/secretariat.conf" identification --period 2025 \
	>/dev/null 2>&1; then
	for t in identification overlap referrals protection funnel; do
		echo
		echo "== $t, 2025, as the Commission's secretariat sees it"
		"$B/kuska" query -c "$D/secretariat.conf" "$t" --period 2025
	done
fi

# The latest full semester: over by today, and not after the newest record
# (kuska sim's data end on 2025-12-31).
semester() { # semester YYYY-MM-DD: 2025H2
	local m=${1:5:2}
	echo "${1:0:4}H$((10#$m > 6 ? 2 : 1))"
}
today=$(date +%F)
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
"$B/kuska" report -c "$D/secretariat.conf" --period "$period" -o "$report"
echo "open $report in a browser"
