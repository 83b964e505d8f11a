#!/usr/bin/env bash
# End to end: which of MIMP's take-ups match no referral of their sender.
# MIMP sends three take-ups from the police; the police send referrals for
# two of them, one with its number written differently (lower case,
# spaces at the ends: the same number once normalised). kuska status of
# MIMP's node lists exactly the third, by its ref, sender, date and the
# quarter referrals_unmatched counts it in, which counts one; the
# police's node lists none of its own. The consolidator never sees a ref,
# and its log names none. The police then send the missing referral, and
# the list empties. Welcomed by an older consolidator, which says nothing
# of them, the node says it does not know them, and status does not wait.
. "$(dirname "$0")/lib.sh"

net_init
start_all

V_A='{"document":{"type":"DNI","number":"45678912"},"birth_date":"2011-03-05","sex":"F","nationality":"PE"}'
V_B='{"document":{"type":"DNI","number":"70112233"},"birth_date":"2010-07-21","sex":"F","nationality":"PE"}'
V_C='{"document":{"type":"DNI","number":"71234509"},"birth_date":"2008-05-14","sex":"F","nationality":"PE"}'

cat >"$T/mimp.jsonl" <<EOF
{"kind":"referral_received","ref":"MIMP-RR-1","date":"2025-11-05","region":"15","victim":$V_A,"from":"pnp","referral_number":"OF-2025-0301-PNP"}
{"kind":"referral_received","ref":"MIMP-RR-2","date":"2025-11-06","region":"15","victim":$V_B,"from":"pnp","referral_number":" of-2025-0302-pnp "}
{"kind":"referral_received","ref":"MIMP-RR-3","date":"2025-11-07","region":"15","victim":$V_C,"from":"pnp","referral_number":"OF-2025-0303-PNP"}
EOF
cat >"$T/pnp.jsonl" <<EOF
{"kind":"referral","ref":"PNP-RF-1","date":"2025-11-03","region":"15","victim":$V_A,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0301-PNP"}
{"kind":"referral","ref":"PNP-RF-2","date":"2025-11-04","region":"15","victim":$V_B,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0302-PNP"}
EOF
cat >"$T/pnp-late.jsonl" <<EOF
{"kind":"referral","ref":"PNP-RF-3","date":"2025-11-05","region":"15","victim":$V_C,"to":"mimp","purpose":"protection","referral_number":"OF-2025-0303-PNP"}
EOF

# lacks FILE PATTERN: FILE is there and no line of it matches PATTERN
# (grep's basic regular expression).
lacks() {
	[ -r "$1" ] && ! grep -q "$2" "$1"
}

# wait_unmatched INST PATTERN: until INST's kuska status has a line
# matching PATTERN (grep -E), about 15 s; its last status in
# T/status-INST.out.
wait_unmatched() {
	local i
	for i in $(seq 30); do
		"$KUSKA" status -c "$N/$1.conf" >"$T/status-$1.out" 2>&1
		grep -Eq "$2" "$T/status-$1.out" && return 0
		sleep 0.5
	done
	return 1
}

submit_in_t mimp mimp.jsonl
check "mimp's take-ups accepted" submitted_ok mimp
submit_in_t pnp pnp.jsonl
check "pnp's referrals accepted" submitted_ok pnp
check "every event delivered" wait_delivered 120

check "mimp: one take-up matches no referral" \
	wait_unmatched mimp '^  unmatched take-ups: +1 \('
is "mimp: the one listed is MIMP-RR-3's" \
	"$(grep '^    seq ' "$T/status-mimp.out")" \
	"    seq 3 ref MIMP-RR-3: from pnp, taken up 2025-11-07, counted in 2025Q4"
check "mimp: says what to do" grep -q \
	"until its sender's referral of the same number arrives" \
	"$T/status-mimp.out"
check "mimp: the number written differently matched" \
	lacks "$T/status-mimp.out" 'MIMP-RR-[12]'
check "pnp: none of its own" \
	wait_unmatched pnp '^  unmatched take-ups: +0 \('
check "pnp: no take-up listed" \
	lacks "$T/status-pnp.out" '^    seq .*taken up'
"$KUSKA" query -c "$N/mimp-stats.conf" referrals_unmatched --period 2025Q4 \
	--format csv >"$T/unmatched.csv" 2>"$T/unmatched.err"
check "referrals_unmatched counts the same one" \
	grep -Eq '^"2025Q4",pnp,mimp,1$' "$T/unmatched.csv"
check "the consolidator's log names no ref" \
	lacks "$N/consolidator.log" 'MIMP-RR\|PNP-RF'

submit_in_t pnp pnp-late.jsonl
check "pnp's missing referral accepted" submitted_ok pnp
check "delivered" wait_delivered 120
check "mimp: the list empties" \
	wait_unmatched mimp '^  unmatched take-ups: +0 \('
check "mimp: no take-up listed" \
	lacks "$T/status-mimp.out" '^    seq .*taken up'
check "mimp: status still healthy" "$KUSKA" status -c "$N/mimp.conf"

# An older consolidator (kuska_fakecons welcomes as one did: no unmatched
# take-ups in its Welcome): the node keeps delivering and says it does
# not know them, and kuska status does not wait for them.
lines=$(wc -l <"$N/mimp.log")
stop_cons
"$KUSKA_BIN/kuska_fakecons" -k "$N/keys/consolidator.key" \
	-e "$(sed -n 's/^listen *= *//p' "$N/consolidator.conf")" -l 3 \
	2>>"$N/fakecons.log" &
fake=$!
check "an older consolidator welcomes mimp" \
	wait_log_after "$N/mimp.log" "$lines" "event=welcome institution=mimp" 30
check "mimp: not known, from an older consolidator" wait_unmatched mimp \
	'^  unmatched take-ups: +not known \(the consolidator does not say them: older than this node, or its counts not loaded\)$'
start=$EPOCHREALTIME
"$KUSKA" status -c "$N/mimp.conf" >"$T/status-old.out" 2>&1
check "mimp: status answered at once (${start%.*} to ${EPOCHREALTIME%.*})" \
	test $((${EPOCHREALTIME%.*} - ${start%.*})) -le 2
check "mimp: still not known" grep -q \
	'^  unmatched take-ups: *not known (the consolidator' "$T/status-old.out"
kill -TERM $fake
wait $fake 2>/dev/null
finish
