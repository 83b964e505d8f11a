#!/usr/bin/env bash
# Many reloads while the query thread answers without pause: what a reload
# replaces (registry, indicators, population) is freed once no question
# and no job uses it (cons.c's cons_free_retired, query_net_answer.c's
# query_pin), not before, and not never. Each reload changes k, so that
# every question of the secretariat's audits anew (seconds each, several
# reloads during each) and the analysts' indicators and sdg16_2_2, which
# read the indicator and population sets, are answered apart during those
# audits; every third reload finds the indicator file bad, every fifth the
# population file (what they held stays in force). Then reloads while the
# thread prepares releases at quiet times, a question now and then.
# Nothing is timed: the sanitizer builds are the judges (a use after free,
# a race, a leak at the stop). With query_pin ignored by cons_free_retired
# the ASan build reports a heap-use-after-free here.
. "$(dirname "$0")/lib.sh"

RELOADS=${RELOADS:-30}  # while questions run without pause
PREPARED=${PREPARED:-8} # while the thread prepares releases

net_init
echo "prepare_quiet_s = 1" >>"$N/consolidator.conf"
echo "k = 5" >>"$N/consolidator.conf"
cp "$KUSKA_SRC/config/indicators.conf" "$T/ind.good"
cp "$T/ind.good" "$T/ind.conf"
echo "indicators = $T/ind.conf" >>"$N/consolidator.conf"
cat >"$T/pop.good" <<-'CSV'
	year,region,sex,age_group,population
	2025,00,F,0-17,5012345
	2025,00,F,18+,12034567
	2025,00,M,0-17,5198765
	2025,00,M,18+,11876543
CSV
cp "$T/pop.good" "$T/pop.csv"
echo "population = $T/pop.csv" >>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 25 --seed 43 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "everything delivered" wait_delivered 120
stop_cons TERM
start_cons -d # event=release_prepare_started, at debug level

reloads() {
	grep -c "event=reload parties=" "$N/consolidator.log"
}

# reload I K: k set to K and the files for reload I, then SIGHUP, until
# the log says it was applied (30 s at most).
reload() {
	if [ $(($1 % 3)) = 0 ]; then
		echo "[indicator broken" >"$T/ind.conf"
	else
		cp "$T/ind.good" "$T/ind.conf"
	fi
	if [ $(($1 % 5)) = 0 ]; then
		echo "garbage" >"$T/pop.csv"
	else
		cp "$T/pop.good" "$T/pop.csv"
	fi
	sed -i "s/^k = .*/k = $2/" "$N/consolidator.conf"
	hup_wait "$N/consolidator.log" "event=reload parties=" "${PIDS[cons]}"
}

# asker PAUSE CLIENT TABLE [OPTION...]: asks until $T/stop exists.
asker() {
	local pause=$1 client=$2
	shift 2
	while [ ! -e "$T/stop" ]; do
		"$KUSKA" query -c "$N/$client.conf" "$@" >/dev/null 2>&1
		sleep "$pause"
	done
}

before=$(reloads)
askers=()
asker 0 secretariat identification --period 2025 &
askers+=($!)
asker 0 secretariat identification --period 2024 &
askers+=($!)
asker 0 analyst indicators --period 2025 &
askers+=($!)
asker 0 analyst sdg16_2_2 --period 2025 &
askers+=($!)
# RELOADS reloads, and more (up to four times as many) until one of the
# secretariat's audits has been answered between two of them: under a
# sanitizer on a loaded machine an audit may outlast many reloads, and the
# check below would then fail for want of time, not of correctness.
audited() {
	grep -q 'event=query who=secretariat .*table="identification"' \
		"$N/consolidator.log"
}
done_reloads=0
while [ "$done_reloads" -lt "$RELOADS" ] ||
	{ ! audited && [ "$done_reloads" -lt $((4 * RELOADS)) ]; }; do
	done_reloads=$((done_reloads + 1))
	reload "$done_reloads" $((5 + done_reloads % 20)) || break
	sleep 0.$((RANDOM % 5))
done
touch "$T/stop"
wait "${askers[@]}"
check "$RELOADS reloads or more applied during questions" \
	test "$(reloads)" = $((before + done_reloads))
check "... the secretariat's questions answered meanwhile" audited
check "... answers given apart during them" \
	grep -q 'during_audit=1' "$N/consolidator.log"
check "... some of them with a bad indicator file" \
	grep -q 'event=reload_refused .*indicator file refused' \
	"$N/consolidator.log"
check "... some with a bad population file" \
	grep -q 'event=reload_refused .*population file refused' \
	"$N/consolidator.log"

# A reload resets the quiet time: one each 1 to 2 s, past
# prepare_quiet_s, the question each 1 to 2 s answered apart or not.
# PREPARED reloads, and more (up to four times as many) until a
# preparation has begun: at load 20 under ASan one run had none within
# 8 (no second of quiet came between the reloads and the question), and
# the check below failed for want of time, not of correctness.
prepared() {
	grep -q 'event=release_prepare_started' "$N/consolidator.log"
}
rm -f "$T/stop"
before=$(reloads)
asker 1.$((RANDOM % 9)) analyst indicators --period 2025 &
askers=($!)
done_reloads=0
while [ "$done_reloads" -lt "$PREPARED" ] ||
	{ ! prepared && [ "$done_reloads" -lt $((4 * PREPARED)) ]; }; do
	done_reloads=$((done_reloads + 1))
	reload "$done_reloads" $((30 + done_reloads % 20)) || break
	sleep 1.$((RANDOM % 9))
done
touch "$T/stop"
wait "${askers[@]}"
check "$PREPARED reloads or more applied while releases are prepared" \
	test "$(reloads)" = $((before + done_reloads))
check "... releases prepared meanwhile" prepared

"$KUSKA" query -c "$N/analyst.conf" deliveries >/dev/null
check "queries are answered after" test $? = 0
check "the consolidator is still running" kill -0 "${PIDS[cons]}"
pid=${PIDS[cons]}
kill -TERM "$pid"
wait "$pid"
rc=$?
unset 'PIDS[cons]'
# Its retired sets freed at the stop (ASan's leak check), none twice.
check "it stops cleanly" test "$rc" = 0
check_no_assertion
finish
