#!/usr/bin/env bash
# End to end: the consolidator's kuska status, as its operator reads it
# when it exits 1. A node's status says what to do under each warning;
# the consolidator's marked an institution SILENT, or its clock CLOCK, and
# said nothing more: which node, which log, which setting was left to
# guess. Now a line under the table says where to look for each mark
# shown, and none is printed when no institution is marked.
. "$(dirname "$0")/lib.sh"

net_init
INSTS="pnp"
start_all
"$KUSKA" sim --out "$T/sim" --victims 20 --seed 3 >/dev/null
submit_sim pnp
check "pnp delivers" wait_delivered 60

# Four institutions never heard from: SILENT, and what to look at.
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s1.out" 2>&1
rc=$?
check "status with four nodes never heard from exits 1 ($rc)" test "$rc" = 1
check "... marks them SILENT" grep -q '^mp .*never  SILENT' "$T/s1.out"
check "... and says where to look, once" \
	test "$(grep -c '^SILENT: not heard from for over 72 h (alarm_silent_hours) or never: its node.s kuska status and journal say why (event=consolidator_unreachable: its consolidator address or a firewall; handshake_failed: its consolidator_key; handshake_refused: its key not in this registry); OPERATIONS.md section 4$' "$T/s1.out")" = 1
check "... saying nothing of clocks, none being off" \
	sh -c "! grep -q '^CLOCK' '$T/s1.out'"

# The registry of pnp alone: nothing silent, no advice.
cp "$N/registry.conf" "$T/registry.full"
awk '/^\[/ { skip = ($0 ~ /^\[(institution|key) (mp|pj|mimp|minsa)(-1)?\]$/) } !skip' \
	"$T/registry.full" >"$N/registry.conf"
hup_wait "$N/consolidator.log" "event=reload parties" "${PIDS[cons]}"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/s2.out" 2>&1
rc=$?
check "status with pnp alone registered and heard exits 0 ($rc)" test "$rc" = 0
check "... with no SILENT line" sh -c "! grep -q 'SILENT' '$T/s2.out'"

# pnp's node with its clock two hours ahead: CLOCK, and NTP.
if [ "$FAKE" = yes ]; then
	stop_node pnp TERM
	start_node_at pnp "+2h"
	check "the consolidator sees pnp's clock ahead" \
		wait_log "$N/consolidator.log" 'event=clock_skew institution=pnp' 60
	"$KUSKA" status -c "$N/consolidator.conf" >"$T/s3.out" 2>&1
	rc=$?
	check "status with pnp's clock off exits 1 ($rc)" test "$rc" = 1
	check "... marks it CLOCK" grep -q '^pnp .*CLOCK: its clock is' "$T/s3.out"
	check "... and says to check NTP on both machines" \
		grep -qx 'CLOCK: one of the two machines. clocks is wrong: check NTP on both (OPERATIONS.md section 10, "Wrong clocks")' \
		"$T/s3.out"
else
	echo "# skipped the clock: $FAKE"
fi

finish
