#!/usr/bin/env bash
# End to end: the upgrade of a running install to the version where a
# node's key cannot query, as docs/OPERATIONS.md (section 7) walks it,
# with the current binaries only (nothing is built at test time).
#
# The install before: a registry without the officers' [client ID-stats],
# pnp's officers querying with the node's key, and a store whose
# statistics are of an older layout (its marker removed, as layout 1 had
# none). After the restart on the same store and configs: the statistics
# are rebuilt and answer as before, nothing lost or doubled; the node
# key's query is refused with a message naming what to make and list;
# the documented steps (keygen, registry lines, check, reload) give the
# officers their tables without restarting anything; the nodes deliver
# throughout, and the key holder takes the new registry at a reload.
. "$(dirname "$0")/lib.sh"

net_init
# The install before the upgrade: no officers' clients, keys or configs.
awk '/^# .*statistics officers/ { skip = 1 }
	/^\[/ { skip = ($0 ~ /^\[(client|key) [a-z]+-stats(-1)?\]$/) }
	!skip' "$N/registry.conf" >"$T/registry.old"
cp "$T/registry.old" "$N/registry.conf"
rm -f "$N"/keys/*-stats.* "$N"/*-stats.conf
check "the registry before the upgrade lists no officers' client" \
	test "$(grep -c 'stats' "$N/registry.conf")" = 0
# pnp's officers, as they asked before: a client file with the node's key.
cat >"$N/pnp-officers.conf" <<EOF
[client]
key = keys/pnp.key
consolidator = tcp://127.0.0.1:$((PORT + 1))
consolidator_key = keys/consolidator.pub
EOF

"$KUSKA" sim --out "$T/sim" --victims 200 --seed 31 >/dev/null
start_all
submit_all "$T/sim"
check "before: every institution's file accepted" submitted_ok $INSTS
check "before: delivered" wait_delivered 60
query_tables "$T/before"
"$KUSKA" query -c "$N/analyst.conf" deliveries --period 2025 --format csv \
	>"$T/deliveries.before" 2>&1
held=$(awk -F, 'NR > 1 { s += $3 } END { print s + 0 }' "$T/deliveries.before")
stop_cons TERM

# --- the store of an older layout ----------------------------------------
if command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null; then
	# Every table copied but the statistics' layout marker, the key
	# "stats_format" of the first table (T_META), in hex.
	marker=" $(printf stats_format | od -An -tx1 | tr -d ' \n')"
	mdb_dump -a "$N/data/consolidator" >"$T/store.dump" &&
		awk -v m="$marker" '/^database=/ { db = $0 }
			db == "database=t00" && $0 == m { drop = 2 }
			drop > 0 { drop--; next } { print }' "$T/store.dump" \
			>"$T/store.old" &&
		mkdir "$T/old-store" &&
		mdb_load -f "$T/store.old" "$T/old-store" 2>"$T/load.err" &&
		rm -rf "$N/data/consolidator" &&
		mv "$T/old-store" "$N/data/consolidator"
	check "the store's layout marker removed" \
		test "$(grep -cx -e "$marker" "$T/store.dump")/$(grep -cx -e "$marker" "$T/store.old")" = 1/0
	old_layout=1
else
	echo "# no mdb_dump/mdb_load (lmdb-utils): the store keeps its layout"
	old_layout=0
fi

# --- the new version's first start on the same store and configs --------
start_cons
cons_pid=${PIDS[cons]}
if [ $old_layout = 1 ]; then
	check "the older layout is noticed and rebuilt" \
		grep -q 'event=stats_format_old action=rebuild' "$N/consolidator.log"
	check "... every stored event rebuilt ($held)" \
		grep -q "event=stats_rebuilt events=$held skipped=0" "$N/consolidator.log"
	check "... none said to be left out of the tables" \
		sh -c "! grep -q event=stats_not_counted '$N/consolidator.log'"
fi
query_tables "$T/after"
check "after the upgrade: the same tables, nothing lost or doubled" \
	same_tables "$T/before" "$T/after"
"$KUSKA" query -c "$N/analyst.conf" deliveries --period 2025 --format csv \
	>"$T/deliveries.after" 2>&1
check "the deliveries table: a row for each institution before" \
	test "$(grep -c ',20[0-9-]*T[0-9:]*Z,[1-9]' "$T/deliveries.before")" = 5
# (Not last_contact, the fourth column: the nodes' hellos after the
# restart move it.)
check "... and the same after: counts and last deliveries kept" \
	test "$(cut -d, -f1-3 "$T/deliveries.before")" = \
	"$(cut -d, -f1-3 "$T/deliveries.after")"

# --- the officers' old query: refused, and told what to do ---------------
"$KUSKA" query -c "$N/pnp-officers.conf" identification --period 2025 \
	--format csv >"$T/refused.csv" 2>"$T/refused.err"
rc=$?
check "the node key's query: refused, exit 2 (got $rc)" test $rc = 2
check "... no table" test ! -s "$T/refused.csv"
check "... the message names the key to make and the registry lines" \
	grep -q "kuska keygen pnp-stats), in the registry as \[client pnp-stats\] with role = institution, institution = pnp (OPERATIONS.md)" \
	"$T/refused.err"
[ "$FAILED" = 0 ] || sed 's/^/#   /' "$T/refused.err"
"$KUSKA" report -c "$N/pnp-officers.conf" --period 2025 -o "$T/refused.html" \
	2>"$T/report.err"
rc=$?
check "the node key's report: exit 2, not a page of refusals (got $rc)" \
	test $rc = 2
check "... no page written" test ! -e "$T/refused.html"
check "... and says why, with what to do" \
	grep -q "no report is written: key pnp-1 is pnp's node key, .*kuska keygen pnp-stats" \
	"$T/report.err"

# --- the documented steps, in order, nothing restarted -------------------
# 1. The officers make their key on their own machine; the .pub goes to
#    the consolidator's operator.
mkdir -m 0700 "$T/officers"
"$KUSKA" keygen pnp-stats --dir "$T/officers" >"$T/keygen.out"
check "the officers' keygen" test -f "$T/officers/pnp-stats.pub"
cp "$T/officers/pnp-stats.pub" "$N/keys/"
# 2. The operator lists it (OPERATIONS.md section 2), checks, reloads.
cat >>"$N/registry.conf" <<EOF

[client pnp-stats]
role = institution
institution = pnp

[key pnp-stats-1]
owner = pnp-stats
public_key = keys/pnp-stats.pub
EOF
"$CONS" -n -c "$N/consolidator.conf" >"$T/check.out" 2>&1
check "kuska-consolidator -n takes the new registry" \
	grep -q '^configuration OK (registry: 8 parties, 8 keys, nodes of all 5 institutions' "$T/check.out"
kill -HUP "$cons_pid"
check "the reload takes it" \
	wait_log "$N/consolidator.log" 'event=reload parties=8 keys=8'
kill -HUP "${PIDS[keyholder]}"
check "the key holder takes the same registry at a reload" \
	wait_log "$N/keyholder.log" 'event=reload parties=8 keys=8'
refused_none() { ! grep -q 'event=reload_refused' "$1"; }
check "... and refuses none of it" refused_none "$N/keyholder.log"
# 3. The officers query with their own key.
sed "s|keys/pnp.key|$T/officers/pnp-stats.key|" "$N/pnp-officers.conf" \
	>"$N/pnp-stats.conf"
"$KUSKA" query -c "$N/pnp-stats.conf" identification --period 2025 \
	--format csv >"$T/officers.csv" 2>"$T/officers.err"
check "the officers' key gets pnp's row, and only it" \
	test "$(tail -n +2 "$T/officers.csv" | cut -d, -f2 | sort -u)" = pnp
# Its rows whole against the pattern's: a pattern that matched no row
# (the period unquoted) would find two empty sides equal.
check "... the same as the node key's answer before the upgrade" \
	test "$(tail -n +2 "$T/officers.csv")" = \
	"$(grep -h '^"2025",pnp,' "$T/before/identification.2025.csv")"
check "the consolidator was not restarted" \
	kill -0 "$cons_pid"

# --- the nodes deliver as before -----------------------------------------
cat >"$T/new.jsonl" <<EOF
{"kind":"identification","ref":"UPG-1","date":"2025-06-02","region":"15","victim":{"sex":"F","nationality":"PE","age":16},"exploitation":["sexual"]}
EOF
"$KUSKA" submit -c "$N/pnp.conf" "$T/new.jsonl" >"$T/new.out"
check "pnp's node takes a record after the upgrade" \
	grep -q ': 1 accepted, ' "$T/new.out"
check "... and delivers it" wait_delivered 30
check "the consolidator holds it" \
	test "$(cons_last_seq pnp)" = "$(node_last_seq pnp)"
"$KUSKA" status -c "$N/consolidator.conf" >"$T/status.out"
rc=$?
check "kuska status of the consolidator: healthy (exit $rc)" test $rc = 0

for i in $INSTS; do stop_node "$i" TERM; done
stop_cons TERM

# --- --rebuild as the first start of the new version ----------------------
# Its statistics of an older layout are rebuilt as the store opens: the
# time --rebuild prints is that rebuild's, not the 0 ms left after it.
if [ $old_layout = 1 ]; then
	rm -rf "${T:?}/old-store" &&
		mkdir "$T/old-store" &&
		mdb_load -f "$T/store.old" "$T/old-store" 2>"$T/load.err" &&
		rm -rf "${N:?}/data/consolidator" &&
		mv "$T/old-store" "$N/data/consolidator"
	"$CONS" --rebuild -c "$N/consolidator.conf" >"$T/rebuild.out" \
		2>>"$N/consolidator.log"
	check "--rebuild of the older layout: its time, not 0 ms ($(cat "$T/rebuild.out"))" \
		grep -Eq "^rebuilt the statistics from $held envelopes in [1-9][0-9]* ms " \
		"$T/rebuild.out"
fi
stop_keyholder TERM
finish
