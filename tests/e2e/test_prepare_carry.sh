#!/usr/bin/env bash
# A secretariat question of the very year being prepared (prepare_quiet_s)
# carries the preparation on: the audit under way is the one its answer
# needs, so it does not give way (as to any other request) only to be
# computed again whole for the question. The year is computed once, the
# question answered when it ends, and the answer is the one computed on
# demand, byte for byte.
. "$(dirname "$0")/lib.sh"

net_init
# First nothing prepared: the secretariat's question computes its release.
echo "prepare_quiet_s = 0" >>"$N/consolidator.conf"
start_all
# test_prepare's data: an audit long enough to ask during it, short
# enough for the client's 15 s under a sanitizer.
"$KUSKA" sim --out "$T/sim" --victims 25 --seed 43 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "everything delivered" wait_delivered 120

ask() { # OUT: the secretariat's identification of 2025 into OUT
	"$KUSKA" query -c "$N/secretariat.conf" identification --period 2025 \
		--format csv >"$1" 2>"$1.err"
}
check "the secretariat's identification of 2025, computed on demand" \
	ask "$T/demand.csv"
check "... is a table" grep -q "pnp" "$T/demand.csv"

# Then preparing, after a restart (nothing cached, 2025 the latest year,
# prepared first): the question asked as soon as 2025's preparation has
# begun (the debug line), until one lands during it.
sed -i 's/^prepare_quiet_s = 0$/prepare_quiet_s = 1/' "$N/consolidator.conf"
since() { # the log's lines since line $FROM
	tail -n +"$FROM" "$N/consolidator.log"
}
started() {
	local i
	for i in $(seq 300); do
		since | grep -q "event=release_prepare_started year=2025 " &&
			return 0
		sleep 0.05
	done
	return 1
}
carried=0
for attempt in 1 2 3 4 5; do
	stop_cons TERM
	FROM=$(($(wc -l <"$N/consolidator.log") + 1))
	start_cons -d
	started || continue
	ask "$T/carried.csv" || sed 's/^/#   /' "$T/carried.csv.err"
	if since | grep -q "event=release_prepared year=2025 k=10 computed=1 asked=1 "; then
		carried=1
		break
	fi
done
check "a question of 2025 came during its preparation, which went on for it (asked=1; attempts: $attempt)" \
	test "$carried" = 1
check "... not given up for it" \
	eval '! since | grep -q "event=release_prepare_abandoned year=2025 "'
check "... the question answered" test -s "$T/carried.csv"
check "... the same bytes as computed on demand" cmp "$T/demand.csv" "$T/carried.csv"
# Computed once: the question's own answer computed no release (each
# release counted since the start is one a preparation computed).
check "no year left waiting once quiet" releases_settled
R=$(cons_metric kuska_releases_computed_total)
P=$(since | grep -c "event=release_prepared year=[0-9]* k=10 computed=1 ")
P25=$(since | grep -c "event=release_prepared year=2025 k=10 computed=1 ")
check "2025 computed once ($P25)" test "$P25" = 1
check "every release computed was a preparation's ($R computed, $P prepared)" \
	test -n "$R" -a "$R" = "$P"
check "the question was answered, in the query log" \
	eval 'since | grep -q "event=query who=[^ ]* role=secretariat table=\"\?identification\"\? period=\"\?2025\"\? "'

finish
