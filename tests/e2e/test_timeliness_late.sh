#!/usr/bin/env bash
# End to end: a record's timeliness counts the days from its date to the
# day the consolidator first accepted it, and for a corrected record from
# its replacement's date to the original's acceptance (EVENTS.md), not to
# the day the correction arrived. The consolidator's clock is moved back
# 40 days (libfaketime) while it accepts the original, then set right for
# the correction, and a --rebuild of the store on that later day keeps
# the days. Skipped where a daemon's clock cannot be faked (the sanitizer
# build, or no libfaketime: scripts/deps.sh installs it).
. "$(dirname "$0")/lib.sh"

[ "$FAKE" = yes ] || skip "$FAKE"

# day N: the day N days ago, Peru time.
day() { TZ=America/Lima date -d "$1 days ago" +%F; }
ORIG=$(day 50)
REPL=$(day 44)
V='{"document":{"type":"DNI","number":"45678912"},"given_names":"María Rosa","surnames":"Ñahui Quispe","birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
# timeliness YEAR: pnp's row of the analyst's timeliness for YEAR.
timeliness() {
	"$KUSKA" query -c "$N/analyst.conf" timeliness --period "$1" \
		--format csv 2>/dev/null | grep "^\"$1\",pnp,"
}

net_init
start_cons_at -40d
start_node pnp
printf '{"kind":"identification","ref":"T-1","date":"%s","region":"16","victim":%s,"exploitation":["sexual"]}\n' \
	"$ORIG" "$V" >"$T/orig.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/orig.jsonl" >"$T/orig.out" 2>&1
check "the node takes the record dated $ORIG" grep -q " 1 accepted" "$T/orig.out"
check "delivered to the consolidator 40 days behind" wait_delivered 30
is "accepted 40 days ago: 10 days after its date" \
	"$(timeliness "${ORIG%%-*}")" "\"${ORIG%%-*}\",pnp,1,10,100.0"

stop_cons TERM
start_cons
printf '{"kind":"correction","ref":"T-2","target_ref":"T-1","record":{"kind":"identification","date":"%s","region":"16","victim":%s,"exploitation":["sexual"]}}\n' \
	"$REPL" "$V" >"$T/corr.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/corr.jsonl" >"$T/corr.out" 2>&1
check "the node takes the correction to $REPL" grep -q " 1 accepted" "$T/corr.out"
check "delivered to the consolidator, its clock right" wait_delivered 30
check "the consolidator holds both" test "$(cons_last_seq pnp)" = 2
Y=${REPL%%-*}
is "corrected today: counted once, at $REPL, 4 days before the original's acceptance (not 44, today's)" \
	"$(timeliness "$Y")" "\"$Y\",pnp,1,4,100.0"
if [ "${ORIG%%-*}" != "$Y" ]; then
	is "nothing left at the original's date" \
		"$(timeliness "${ORIG%%-*}")" "\"${ORIG%%-*}\",pnp,0,,"
fi

stop_cons TERM
"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" 2>&1
check "--rebuild, 40 days after the original's acceptance" test $? = 0
start_cons
is "the rebuilt store keeps the original's day of acceptance" \
	"$(timeliness "$Y")" "\"$Y\",pnp,1,4,100.0"

finish
