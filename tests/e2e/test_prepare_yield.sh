#!/usr/bin/env bash
# A preparation gives way to requests (prepare_quiet_s): the secretariat's
# releases made before it asks run on the query thread, and a year's
# disclosure audit of small-cell data takes seconds (12 and 15 s under a
# sanitizer for test_unread's data, where an analyst's question waited
# past the client's 15 s behind two of them). A request that comes while
# one runs and needs a release makes it give way
# (event=release_prepare_abandoned), is answered, and the year is prepared
# again once quiet; one that reads the store alone (an analyst's) is
# answered during it, and it goes on.
. "$(dirname "$0")/lib.sh"

net_init
echo "prepare_quiet_s = 1" >>"$N/consolidator.conf"
start_all
# test_unread's data: many small cells, an audit of seconds.
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 5 >/dev/null
check "the nodes accept everything" submit_all "$T/sim"
check "everything delivered" wait_delivered 120

# The analyst asks, a question every second and a half, until one came
# during a preparation: a preparation begins once neither a commit nor a
# question has come for a second, and the next question comes during it
# (an audit of this data takes seconds). An analyst's counting table
# reads the store alone: it is answered between two of the audit's
# integer programmes (during_audit=1), and the audit goes on.
asked=0 failed=0
for i in $(seq 40); do
	sleep 1.5
	asked=$((asked + 1))
	"$KUSKA" query -c "$N/analyst.conf" breakdown --period 2025 \
		--format csv >"$T/q$i.csv" 2>"$T/q$i.err"
	if [ $? != 0 ] || [ ! -s "$T/q$i.csv" ]; then
		failed=$((failed + 1))
		sed 's/^/#   /' "$T/q$i.err"
	fi
	grep -q "event=query who=[^ ]* role=analyst .* during_audit=1" \
		"$N/consolidator.log" && break
done
check "an analyst's question answered during a preparation" \
	grep -q "event=query who=[^ ]* role=analyst .* during_audit=1" \
	"$N/consolidator.log"
check "... which did not give way to it" \
	eval '! grep -q "event=release_prepare_abandoned" "$N/consolidator.log"'
check "every question of the analyst answered ($failed of $asked not)" \
	test "$failed" = 0

# Restarted, nothing made: the secretariat asks, a question of 2020 every
# second and a half, until a preparation (2025's, the latest first) has
# given way to one: its answer needs a release of its own. A year without
# data, whose release takes milliseconds: 2024's audit takes seconds, 12
# to 15 under a sanitizer, and with the machine busy its answer came
# after the client's 15 s twice in one day's CI runs.
stop_cons TERM
start_cons
asked=0 failed=0
for i in $(seq 40); do
	sleep 1.5
	asked=$((asked + 1))
	"$KUSKA" query -c "$N/secretariat.conf" identification \
		--period 2020 --format csv >"$T/s$i.csv" 2>"$T/s$i.err"
	if [ $? != 0 ] || [ ! -s "$T/s$i.csv" ]; then
		failed=$((failed + 1))
		sed 's/^/#   /' "$T/s$i.err"
	fi
	grep -q "event=release_prepare_abandoned" "$N/consolidator.log" &&
		break
done
check "a preparation gave way to a request" \
	grep -q "event=release_prepare_abandoned year=20" "$N/consolidator.log"
check "every question of the secretariat answered ($failed of $asked not)" \
	test "$failed" = 0
# The year given up is made once the questions stop (a line after the
# first abandonment: it may have been made once before, between two
# deliveries).
year=$(sed -n 's/.*event=release_prepare_abandoned year=\([0-9]*\).*/\1/p' \
	"$N/consolidator.log" | head -1)
prepared_again() {
	local i
	for i in $(seq 3000); do
		sed -n "/event=release_prepare_abandoned year=$year /,\$p" \
			"$N/consolidator.log" |
			grep -q "event=release_prepared year=$year k=10 computed=1" &&
			return 0
		sleep 0.1
	done
	return 1
}
check "the year given up ($year) is prepared once quiet" prepared_again

finish
