#!/usr/bin/env bash
# Odd query parameters on one open connection (kuska_asker): regions past
# 25 (up to 2^32 - 1), empty, malformed, out-of-range and non-ASCII
# periods, a period with a NUL inside (cut there), table names too long,
# empty or with a line end, bootstrap counts up to 2^32 - 1 and on the
# wrong table; then the deliveries and referrals_unmatched tables as the
# secretariat (regional quarters refused) and as pnp's officers (own rows
# only), and pnp's node key (refused, naming what to do; 2000 requests
# pipelined write a budget of lines, not 2000), and requests refused for
# their frames (wrong count, not a query request, too many). Every request
# is answered with the table or the reason, in one connection that
# stays up, and the consolidator keeps running. A period's letter in
# lower case is the same period.
. "$(dirname "$0")/lib.sh"

ASKER="$KUSKA_BIN/kuska_asker"

net_init
start_cons
QEP=$(sed -n 's/^query_listen *= *//p' "$N/consolidator.conf")
# ask KEY [OPTION...]: kuska_asker's lines for the requests on standard input.
# Every answer here is expected: waited for as kuska waits (15 s), not the
# asker's 5 s, which a loaded machine can pass.
ask() {
	local who=$1
	shift
	"$ASKER" -k "$N/keys/$who.key" -s "$N/keys/consolidator.pub" -e "$QEP" \
		-t 15000 "$@"
}
long=$(printf 'x%.0s' $(seq 200))
BADP="bad period: give a year (2026), a semester (2026H1) or a quarter (2026Q3); the deliveries table ignores it"
BADR="bad region: INEI codes run 01 to 25"
ask analyst >"$T/analyst.out" <<EOF2
deliveries	2026
deliveries	2026	4294967295
deliveries	2026	26
deliveries	2026	25
deliveries	
deliveries	2026Q5
deliveries	99999999999999
deliveries	-2026
deliveries	2026\x00Q1
deliveries	\xff\xfe
referrals_unmatched	2026	0
referrals_unmatched	2026Q4	25
referrals_unmatched	1999
identification	2026H3
$long	2026
	2026
sources\n	2026
estimate	2026	0	4294967295
deliveries	2026	0	10
EOF2
cat >"$T/analyst.want" <<EOF2
answer rows=5 role=analyst
answer error=$BADR
answer error=$BADR
answer rows=5 role=analyst
answer error=$BADP
answer error=$BADP
answer error=$BADP
answer error=$BADP
answer rows=5 role=analyst
answer error=$BADP
answer rows=0 role=analyst
answer rows=0 role=analyst
answer error=bad period "1999": give a year (2026), a semester (2026H1) or a quarter (2026Q3)
answer error=bad period "2026H3": give a year (2026), a semester (2026H1) or a quarter (2026Q3)
answer error=unknown table "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
answer error=unknown table ""
answer error=unknown table "sources
"
answer error=--boot: at most 10000 resamples in one request
answer error=a bootstrap (--boot) is for the estimate table only
handshakes 1 disconnects 0
EOF2
check "the analyst: every odd request answered with its reason, one connection" \
	diff "$T/analyst.want" "$T/analyst.out"
# Requests refused for their frames, on one connection that stays up:
# three frames and two (a request is one), a frame that is not a query
# request (bytes never logged) and an empty one; then a good request.
ONE="a query request is one frame"
MALFORMED="malformed request: not a query request (kuska.proto QueryRequest: 4096 bytes at most, a table name up to 31 characters, a period up to 15)"
ask analyst >"$T/frames.out" <<'EOF2'
raw	\x0a\x0adeliveries	x	y
raw	a	b
raw	\xffNEVER-LOGGED
raw	
deliveries	2026
EOF2
check "frames: 3 and 2 frames, garbage, empty, each refused with its reason; then answered" \
	diff - "$T/frames.out" <<EOF2
answer error=request of 3 frames: $ONE
answer error=request of 2 frames: $ONE
answer error=$MALFORMED
answer error=$MALFORMED
answer rows=5 role=analyst
handshakes 1 disconnects 0
EOF2
# A request sent as three copies of its encoding, twice on one
# connection; then one of more frames than the query socket reads of one
# message, dropped unread: answered with the reason once its key is
# judged (a node's key is refused as such).
printf 'deliveries\t2026\ndeliveries\t2026\n' |
	ask analyst -M 3 >"$T/three.out"
check "a good request in three frames: refused, twice on one connection" \
	diff - "$T/three.out" <<EOF2
answer error=request of 3 frames: $ONE
answer error=request of 3 frames: $ONE
handshakes 1 disconnects 0
EOF2
printf 'deliveries\t2026\ndeliveries\t2026\n' |
	ask analyst -M 5 >"$T/big.out"
check "a request of five frames: over the size limit, twice on one connection" \
	diff - "$T/big.out" <<EOF2
answer error=request over the size limit: one frame of at most 64 KiB, and this one had more than 4 frames or 64 KiB
answer error=request over the size limit: one frame of at most 64 KiB, and this one had more than 4 frames or 64 KiB
handshakes 1 disconnects 0
EOF2
LOG="$N/consolidator.log"
for r in "frame_count frames=3" "frame_count frames=2" "malformed bytes=13" \
	"malformed bytes=0" too_large; do
	check "logged: event=query_refused who=analyst ... reason=$r" \
		grep -Eq "event=query_refused who=analyst key=[^ ]+ reason=$r( |$)" "$LOG"
done
check "the refused request's bytes are never logged" \
	test "$(grep -c NEVER-LOGGED "$LOG")" = 0
for r in frame_count:4 malformed:2 too_large:2 node_key:0 key_not_valid:0; do
	check "counted: kuska_queries_refused_total{reason=\"${r%:*}\"} ${r#*:} (got $(refused_queries "${r%:*}"))" \
		test "$(refused_queries "${r%:*}")" = "${r#*:}"
done
"$KUSKA" status -c "$N/consolidator.conf" >"$T/status.out" 2>&1
check "... all of them in kuska status's frames refused" \
	grep -q "frames refused: 8," "$T/status.out"
printf 'deliveries\t2026\n' | ask pnp -M 5 >"$T/bignode.out"
check "... from a node's key: refused as a node's key" grep -q \
	"^answer error=key pnp-1 is pnp's node key" "$T/bignode.out"
printf 'deliveries\t2026\t7\nreferrals_unmatched\t2026\t3\nreferrals_unmatched\t2026Q1\t3\n' |
	ask secretariat >"$T/sec.out"
check "the secretariat: deliveries whole, referrals_unmatched by region for years only" \
	diff - "$T/sec.out" <<EOF2
answer rows=5 role=secretariat
answer rows=0 role=secretariat
answer error=the secretariat gets regional tables by year only: ask for --period 2026 with --region, or for this period without --region
handshakes 1 disconnects 0
EOF2
printf 'deliveries\t2026\t7\n' | ask pnp-stats >"$T/inst.out"
check "pnp's officers: their own deliveries row only" \
	grep -qx "answer rows=1 role=institution" "$T/inst.out"
printf 'deliveries\t2026\n' | ask pnp >"$T/node.out"
check "pnp's node key: refused, saying what to use" grep -q \
	"^answer error=key pnp-1 is pnp's node key, and a node's key cannot query" \
	"$T/node.out"
# A stolen node key pipelining requests before its connection is closed
# (and reconnecting): every one refused, its lines held to a budget.
# The budget is judged on the lines written from the flood's start on,
# over the seconds since: the two refusals above used it too, and
# counted with the flood they are two lines more than the flood's
# seconds allow once the budget has had two seconds to refill since
# them (a loaded machine between those requests and this one).
ask_node() { printf 'deliveries\t2026\n' | ask pnp; }
from=$(($(wc -l <"$N/consolidator.log") + 1))
t0=$(date +%s)
printf 'deliveries\t2026\n' | "$ASKER" -k "$N/keys/pnp.key" \
	-s "$N/keys/consolidator.pub" -e "$QEP" -F 2000 -t 300 >"$T/flood.out"
check "a node key's 2000 pipelined requests went out" \
	grep -qx "flooded 2000" "$T/flood.out"
tail -n +"$from" "$N/consolidator.log" >"$T/flood.log"
check_log_budget "a node key's refused requests: lines held to a budget" \
	"$T/flood.log" "reason=node_key" "$t0"
# The next refusal's line is judged once the consolidator is done with
# the flood (its count of node-key refusals still for a second: the
# budget has a line again), as that refusal's own line: the one line
# written after it, counting every refusal held back. The asker returns
# once its requests are out, which a consolidator that lags behind them
# has not refused yet: after a fixed pause, the flood's own last line
# (counting those held back before it) could pass for the next one's.
# node_key_accounted: the node-key refusals the log accounts for, each
# line its own and the unlogged=N it counts.
node_key_accounted() {
	local lines held
	lines=$(grep -c "reason=node_key" "$LOG")
	held=$(grep -o "reason=node_key.*unlogged=[0-9]*" "$LOG" |
		awk -F 'unlogged=' '{ n += $NF } END { print n + 0 }')
	echo $((lines + held))
}
# refusals_still: the count of node-key refusals has not moved for 11
# looks 0.1 s apart (up to 60 s).
refusals_still() {
	local i n last=-1 same=0
	for i in $(seq 600); do
		n=$(refused_queries node_key)
		if [ "$n" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge 11 ] && return 0
		else
			same=0
			last=$n
		fi
		sleep 0.1
	done
	return 1
}
check "the flood's refusals are over" refusals_still
refused=$(refused_queries node_key)
held=$((refused - $(node_key_accounted)))
echo "# $refused node-key refusals, $held of them held back"
check "... some held back" test "$held" -gt 0
from=$(($(wc -l <"$LOG") + 1))
ask_node >/dev/null
check "the next refusal is counted" \
	test "$(refused_queries node_key)" = $((refused + 1))
tail -n +"$from" "$LOG" | grep "reason=node_key" >"$T/next.log"
sed 's/^/#   /' "$T/next.log"
check "the next refusal's line, the one since, counts those held back" \
	sh -c "test \$(wc -l <'$T/next.log') = 1 &&
		grep -q 'unlogged=$held\$' '$T/next.log'"
check "the consolidator is still running" kill -0 "${PIDS[cons]}"

# A consolidator with no indicator file (net_init names none): the
# indicator tables have no row, which kuska query prints as asked (in
# text, indicator_definitions' blocks are nothing at all) and says why,
# as the report does, rather than leave an empty answer unexplained.
NOIND="kuska query: note: the consolidator has no indicators configured (the indicators key of its configuration, kuska.conf(5); docs/INDICATORS.md)"
for t in indicators indicator_definitions; do
	"$KUSKA" query -c "$N/analyst.conf" $t --period 2025 >"$T/$t.out" 2>"$T/$t.err"
	rc=$?
	check "no indicator file, $t: exit 0 ($rc), no row, the note says why" \
		sh -c "test $rc = 0 && ! grep -q 2025 '$T/$t.out' &&
			grep -qxF '$NOIND' '$T/$t.err'"
done

# A period's letter in lower case names the same period: kuska query
# answers it as asked in capitals, the period written 2025H2 (and the
# consolidator, asked so by another client, answers it too).
for t in identification estimate; do
	for p in 2025h2 2025H2 2025q3 2025Q3; do
		"$KUSKA" query -c "$N/analyst.conf" $t --period $p --format csv \
			>"$T/case-$t-$p.csv" 2>"$T/case-$t-$p.err"
	done
	check "$t --period 2025h2 is 2025H2, written so" \
		sh -c "grep -q '^\"2025H2\",' '$T/case-$t-2025H2.csv' &&
			cmp -s '$T/case-$t-2025H2.csv' '$T/case-$t-2025h2.csv'"
	check "$t --period 2025q3 is 2025Q3, written so" \
		sh -c "grep -q '^\"2025Q3\",' '$T/case-$t-2025Q3.csv' &&
			cmp -s '$T/case-$t-2025Q3.csv' '$T/case-$t-2025q3.csv'"
done
from=$(($(wc -l <"$LOG") + 1))
printf 'identification\t2026h1\nfunnel\t2026q2\n' | ask analyst >"$T/lower.out"
check "the consolidator answers a period in lower case" \
	sh -c "grep -c '^answer rows=[1-9][0-9]* role=analyst\$' '$T/lower.out' |
		grep -qx 2"
# ... and logs it as the tables write it, one spelling for an audit.
check "and logs it 2026H1 and 2026Q2" \
	sh -c "tail -n +$from '$LOG' | grep -c 'event=query .*period=\"2026[HQ][12]\"' |
		grep -qx 2"
finish
