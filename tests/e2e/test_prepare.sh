#!/usr/bin/env bash
# The secretariat's releases made before it asks (prepare_quiet_s): once
# ingest has been quiet for the configured time, the consolidator's query
# thread computes the releases of the years a delivery changed, so that
# the secretariat's first question of such a year finds its release
# cached (kuska_releases_computed_total does not move), where before it
# paid the year's whole disclosure audit, seconds on small-cell data.
. "$(dirname "$0")/lib.sh"

net_init
echo "prepare_quiet_s = 1" >>"$N/consolidator.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 100 --seed 43 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "everything delivered" wait_delivered 120

# Every year noted at each commit (before its Ack) is made once ingest is
# quiet (the year being made counts as waiting).
check "no year left waiting once ingest is quiet" releases_settled
R0=$(cons_metric kuska_releases_computed_total)
# Counted before any question: its help must not say only queries.
check "kuska_releases_computed_total's help counts those made ahead" \
	sh -c "'$KUSKA' metrics -c '$N/consolidator.conf' |
		grep -q '^# HELP kuska_releases_computed_total .*made ahead'"
ask() { # TABLE PERIOD
	"$KUSKA" query -c "$N/secretariat.conf" "$1" --period "$2" \
		--format csv >"$T/sec-$1-$2.csv" 2>"$T/sec-$1-$2.err"
}
check "the secretariat's identification of 2025 is answered" ask identification 2025
check "... and the prosecution of 2024Q3" ask prosecution 2024Q3
R1=$(cons_metric kuska_releases_computed_total)
check "its first questions computed no release ($R0 before, $R1 after)" \
	test -n "$R0" -a "$R0" -gt 0 -a "$R1" = "$R0"
check "the log says which years were prepared" \
	grep -q "event=release_prepared year=2025 k=10 computed=1" \
	"$N/consolidator.log"
check "... 2024 among them" \
	grep -q "event=release_prepared year=2024 k=10 computed=1" \
	"$N/consolidator.log"

# A restart empties the cache and no delivery follows: the latest years
# with data are made ready once quiet all the same.
prepared() { # YEAR: the lines saying YEAR's release was computed ahead
	grep -c "event=release_prepared year=$1 k=10 computed=1" \
		"$N/consolidator.log"
}
P25=$(prepared 2025) P24=$(prepared 2024)
stop_cons TERM
start_cons
check "after a restart, no year left waiting once quiet" releases_settled
check "... 2025 prepared again" test "$(prepared 2025)" -gt "$P25"
check "... and 2024" test "$(prepared 2024)" -gt "$P24"
R0=$(cons_metric kuska_releases_computed_total)
check "the secretariat's identification of 2025 is answered after it" \
	ask identification 2025
R1=$(cons_metric kuska_releases_computed_total)
check "... computing no release ($R0 before, $R1 after)" \
	test -n "$R0" -a "$R0" -gt 0 -a "$R1" = "$R0"

finish
