#!/usr/bin/env bash
# End to end under valgrind: the consolidator, the key holder and a node
# run the whole exchange - submit (pseudonyms through the key holder),
# delivery, queries of every table, status, metrics, SIGHUP reloads (the
# indicator file refused, then replaced; the key holder's registry), a
# rebuild - and stop with SIGTERM; memcheck must
# report no error and no leak (definitely, indirectly or possibly lost)
# in the daemons nor in the client. Skipped when valgrind is missing.
. "$(dirname "$0")/lib.sh"

if [ "${KUSKA_SANITIZED:-OFF}" = ON ]; then
	# ASan and valgrind cannot watch one process; the gcc build's run
	# of this test is the valgrind one.
	echo "sanitizer build: skipped (valgrind runs on the plain build)"
	echo "0 passed, 0 failed"
	exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not installed: skipped"
	echo "0 passed, 0 failed"
	exit 0
fi
VG="valgrind --quiet --error-exitcode=99 --leak-check=full
	--show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible"

net_init
cp "$KUSKA_SRC/config/indicators.conf" "$T/indicators.conf"
echo "indicators = $T/indicators.conf" >>"$N/consolidator.conf"
# The three started at once, then waited for: each start under valgrind
# is seconds of one processor, and the node dials the others as it would
# after any restart of theirs.
# shellcheck disable=SC2086
$VG --log-file="$T/vg-cons.%p" "$CONS" -c "$N/consolidator.conf" \
	2>>"$N/consolidator.log" &
PIDS[cons]=$!
# shellcheck disable=SC2086
$VG --log-file="$T/vg-keyholder.%p" "$KEYHOLDER" -c "$N/keyholder.conf" \
	2>>"$N/keyholder.log" &
PIDS[keyholder]=$!
# shellcheck disable=SC2086
$VG --log-file="$T/vg-pnp.%p" "$NODE" -c "$N/pnp.conf" 2>>"$N/pnp.log" &
PIDS[pnp]=$!
wait_for_file "$N/run/consolidator.sock" $START_WAIT_S "${PIDS[cons]}" &&
	wait_serving "$N/consolidator.conf" "${PIDS[cons]}"
wait_for_file "$N/run/keyholder.sock" $START_WAIT_S "${PIDS[keyholder]}"
wait_for_file "$N/run/pnp.sock" $START_WAIT_S "${PIDS[pnp]}" &&
	wait_serving "$N/pnp.conf" "${PIDS[pnp]}"

"$KUSKA" sim --out "$T/sim" --victims 60 --seed 61 >/dev/null
# shellcheck disable=SC2086
$VG --log-file="$T/vg-submit.%p" "$KUSKA" submit -c "$N/pnp.conf" \
	"$T/sim/pnp.jsonl" "$KUSKA_SRC/tests/data/canary.jsonl" >"$T/submit.out"
check "client under valgrind: submit clean" test $? != 99
check "records accepted" grep -qE ": [1-9][0-9]* accepted, 0 already held, 0 refused" \
	"$T/submit.out"
check "delivered" wait_delivered 120
for t in identification overlap breakdown referrals protection \
	prosecution funnel durations timeliness indicators; do
	# shellcheck disable=SC2086
	$VG --log-file="$T/vg-query.%p" "$KUSKA" query -c "$N/secretariat.conf" \
		"$t" --period 2025 >/dev/null
	check "query $t answered, client clean" test $? = 0
done
"$KUSKA" status -c "$N/consolidator.conf" >/dev/null
"$KUSKA" status -c "$N/pnp.conf" >/dev/null
"$KUSKA" metrics -c "$N/consolidator.conf" >/dev/null
"$KUSKA" status -c "$N/keyholder.conf" >/dev/null
"$KUSKA" metrics -c "$N/keyholder.conf" >/dev/null
kill -HUP "${PIDS[keyholder]}"
"$KUSKA" query -c "$N/analyst.conf" bogus --period 2025 >/dev/null 2>&1
# Each reload waited for (its log line), not slept on.
echo "unit = furlongs" >>"$T/indicators.conf"
hup_wait "$N/consolidator.log" "event=reload_refused" "${PIDS[cons]}"
sed -i '$d' "$T/indicators.conf"
hup_wait "$N/consolidator.log" "event=reload indicators=" "${PIDS[cons]}"
check "the broken indicator file was refused" \
	grep -q "event=indicators_error .*unit: given twice" "$N/consolidator.log"
check "the good one was taken" \
	grep -q "event=reload indicators=16" "$N/consolidator.log"
stop_node pnp TERM
stop_keyholder TERM
stop_cons TERM
# shellcheck disable=SC2086
$VG --log-file="$T/vg-rebuild.%p" "$CONS" --rebuild -c "$N/consolidator.conf" \
	>/dev/null
check "rebuild under valgrind clean" test $? = 0
# shellcheck disable=SC2086
$VG --log-file="$T/vg-audit.%p" "$CONS" --audit -c "$N/consolidator.conf" \
	>/dev/null
check "audit under valgrind clean" test $? = 0

# An empty log is a clean run, so each run must have left one: with none
# (valgrind never ran it) the loop below would find nothing to report.
vg_logs() {
	local w
	for w in cons keyholder pnp submit rebuild audit; do
		compgen -G "$T/vg-$w.*" >/dev/null || return 1
	done
	[ "$(compgen -G "$T/vg-query.*" | wc -l)" -ge 10 ]
}
check "a valgrind log from every program run under it" vg_logs
for f in "$T"/vg-*; do
	if [ -s "$f" ]; then
		not_ok "valgrind reports in $(basename "$f")"
		head -40 "$f"
	else
		ok "valgrind: nothing to report in $(basename "$f")"
	fi
done
check "the daemons stopped with status 0 under valgrind" \
	sh -c "! grep -q 'fatal' '$N/consolidator.log' '$N/pnp.log' '$N/keyholder.log'"

finish
