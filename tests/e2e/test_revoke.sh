#!/usr/bin/env bash
# Revocation cuts what is open, and a stolen signing key cannot back-date
# its way past it.
#
# - An analyst's connection, open and answered, is dropped when a reload
#   (SIGHUP) revokes its key: its next request gets no table, the
#   connection made again refused at the handshake.
# - A secretariat's key revoked from a time just ahead: the connection
#   stays until then, and its next request after that time is refused on
#   the same connection (the key is checked on every message).
# - An institution's statistics officers' query key (pnp-stats-1, role
#   institution) answered, then expired by a reload (valid_until just
#   past): its open connection gets no table, and a new one is refused;
#   mimp's (mimp-stats-1) revoked: refused likewise.
# - An institution's node whose key is revoked loses its connection and
#   delivers nothing more; the revocation undone and reloaded, the node
#   dials again by itself and delivers what waited.
# - minsa's key minsa-1 is "stolen" and revoked from the last sequence
#   the consolidator holds (revoked_after_seq); an envelope signed with
#   it and dated years back, sent over minsa's new key minsa-2, is
#   refused (key_not_valid); minsa-2 itself delivers. Its events up to
#   that sequence stay valid though created after the revoked time.
. "$(dirname "$0")/lib.sh"

ROGUE="$KUSKA_BIN/kuska_rogue"
ASKER="$KUSKA_BIN/kuska_asker"

net_init
mkdir "$N/keys2"
"$KUSKA" keygen minsa --dir "$N/keys2" >/dev/null
printf '\n[key minsa-2]\nowner = minsa\npublic_key = keys2/minsa.pub\n' \
	>>"$N/registry.conf"
start_all
"$KUSKA" sim --out "$T/sim" --victims 60 --seed 33 >/dev/null
check "records accepted" submit_all "$T/sim"
check "records delivered" wait_delivered 60

# now_plus SECONDS: a registry time.
now_plus() { date -u -d "$1 sec" +%Y-%m-%dT%H:%M:%SZ; }

# revoke KEY LINES: adds LINES to [key KEY] and reloads; waits for it.
revoke() {
	local n
	awk -v k="[key $1]" -v add="$2" '
		{ print }
		$0 == k { print add }' "$N/registry.conf" >"$T/reg.new"
	mv "$T/reg.new" "$N/registry.conf"
	n=$(grep -c "event=reload " "$N/consolidator.log")
	kill -HUP "${PIDS[cons]}"
	for _ in $(seq 50); do
		[ "$(grep -c "event=reload " "$N/consolidator.log")" -gt "$n" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# ask ASKER-FD-IN ASKER-FD-OUT REQUEST: one answer line (the askers wait
# up to 120 s for it, as the secretariat's first question of a year
# waits for the year's release: seconds of one processor in the
# sanitizer build, more on a loaded machine).
ask() {
	local line
	printf '%s\n' "$3" >&"$1"
	read -r -t 130 line <&"$2"
	printf '%s\n' "$line"
}
# ask_ready ASKER-FD-IN ASKER-FD-OUT REQUEST: ask, asked again every 2 s
# while the answer says the release is being computed (PREPARING, 2 s
# into its audit), as kuska does.
ask_ready() {
	local line i
	for i in $(seq 90); do
		line=$(ask "$@")
		case $line in
		"answer error=the consolidator is busy: PREPARING: "*) sleep 2 ;;
		*) break ;;
		esac
	done
	printf '%s\n' "$line"
}

# --- an analyst's open connection, its key revoked now ----------------------
coproc ANALYST { "$ASKER" -k "$N/keys/analyst.key" \
	-s "$N/keys/consolidator.pub" -e "tcp://127.0.0.1:$((PORT + 1))"; }
a1=$(ask "${ANALYST[1]}" "${ANALYST[0]}" $'identification\t2025')
check "the analyst's connection answers ($a1)" \
	grep -q '^answer rows=[0-9]* role=analyst$' <<<"$a1"
check "reload revoking analyst-1" revoke analyst-1 "revoked = $(now_plus -2)"
a2=$(ask "${ANALYST[1]}" "${ANALYST[0]}" $'identification\t2025')
# Dropped at the reload, the connection is made again and its handshake
# refused: a timeout (no answer at all) would not show that.
check "the same connection gets no table after the reload: its handshake is refused ($a2)" \
	test "$a2" = "none refused"
check "the consolidator dropped it at the reload" \
	grep -q "event=peer_dropped .*key=analyst-1 .*reason=key_not_valid" \
	"$N/consolidator.log"
analyst_pid=$ANALYST_PID
exec {ANALYST[1]}>&-
wait "$analyst_pid"

# --- a secretariat's key revoked from a time just ahead -----------------------
coproc SECRETARIAT { "$ASKER" -k "$N/keys/secretariat.key" -t 120000 \
	-s "$N/keys/consolidator.pub" -e "tcp://127.0.0.1:$((PORT + 1))"; }
s1=$(ask_ready "${SECRETARIAT[1]}" "${SECRETARIAT[0]}" $'identification\t2025')
check "the secretariat's connection answers ($s1)" \
	grep -q '^answer rows=[0-9]* role=secretariat$' <<<"$s1"
# 12 s ahead: room for the reload and a query on a loaded machine; then
# only the rest of the 12 s is waited.
at=$(($(date +%s) + 12))
check "reload revoking secretariat-1 from 12 s ahead" \
	revoke secretariat-1 "revoked = $(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)"
s2=$(ask_ready "${SECRETARIAT[1]}" "${SECRETARIAT[0]}" $'identification\t2025')
check "before that time the connection still answers" \
	grep -q '^answer rows=' <<<"$s2"
while [ "$(date +%s)" -le "$at" ]; do
	sleep 0.2
done
s3=$(ask "${SECRETARIAT[1]}" "${SECRETARIAT[0]}" $'identification\t2025')
check "after it, its next request is refused on the same connection ($s3)" \
	grep -q '^answer error=.*secretariat-1.*no longer valid' <<<"$s3"
check "... and logged" \
	grep -q "event=query_refused who=secretariat key=secretariat-1 reason=key_not_valid" \
	"$N/consolidator.log"
secretariat_pid=$SECRETARIAT_PID
exec {SECRETARIAT[1]}>&-
wait "$secretariat_pid"

# --- an institution's query key, expired; another's, revoked ----------------
coproc OFFICERS { "$ASKER" -k "$N/keys/pnp-stats.key" \
	-s "$N/keys/consolidator.pub" -e "tcp://127.0.0.1:$((PORT + 1))"; }
o1=$(ask "${OFFICERS[1]}" "${OFFICERS[0]}" $'identification\t2025')
check "pnp's officers' query key answers as the institution ($o1)" \
	grep -q '^answer rows=[1-9][0-9]* role=institution$' <<<"$o1"
"$KUSKA" query -c "$N/mimp-stats.conf" identification --period 2025 \
	--format csv >"$T/mimp-stats.csv" 2>&1
check "mimp's officers' query key answers" \
	test "$(tail -n +2 "$T/mimp-stats.csv" | cut -d, -f2 | sort -u)" = mimp
check "reload expiring pnp-stats-1" \
	revoke pnp-stats-1 "valid_until = $(now_plus -2)"
o2=$(ask "${OFFICERS[1]}" "${OFFICERS[0]}" $'identification\t2025')
check "the expired key's open connection gets no table: its handshake is refused ($o2)" \
	test "$o2" = "none refused"
check "... dropped at the reload" \
	grep -q "event=peer_dropped .*key=pnp-stats-1 .*reason=key_not_valid" \
	"$N/consolidator.log"
officers_pid=$OFFICERS_PID
exec {OFFICERS[1]}>&-
wait "$officers_pid"
check "reload revoking mimp-stats-1" \
	revoke mimp-stats-1 "revoked = $(now_plus -2)"
for who in pnp mimp; do
	"$KUSKA" query -c "$N/$who-stats.conf" identification --period 2025 \
		--format csv >"$T/$who-stats.csv" 2>"$T/$who-stats.err"
	rc=$?
	check "$who's query key, no longer valid: a new query is refused (exit $rc)" \
		test $rc = 2 -a ! -s "$T/$who-stats.csv"
	check "... at the handshake, naming the key" \
		grep -q "event=auth_refused domain=query .*key=$who-stats-1 reason=not_registered_or_not_valid" \
		"$N/consolidator.log"
done

# --- an institution's node, its key revoked -------------------------------------
before=$(cons_last_seq pnp)
check "reload revoking pnp-1" revoke pnp-1 "revoked = $(now_plus -2)"
printf '%s\n' '{"kind":"identification","ref":"R-AFTER-1","date":"2025-06-01","region":"21","victim":{"age":15,"sex":"F","nationality":"BO"},"exploitation":["labour"]}' \
	>"$T/after.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/after.jsonl" >/dev/null
check "pnp's node was cut off and refused when it came back" \
	wait_log "$N/pnp.log" "event=handshake_refused" 30
check "... and the consolidator dropped it at the reload" \
	grep -q "event=peer_dropped .*key=pnp-1 .*reason=key_not_valid" \
	"$N/consolidator.log"
check "... and names the revoked key when it refuses the handshake" \
	grep -q "event=auth_refused .*key=pnp-1 reason=not_registered_or_not_valid" \
	"$N/consolidator.log"
sleep 1
check "nothing more from pnp was taken" test "$(cons_last_seq pnp)" = "$before"

# --- the revocation undone: the node comes back by itself ------------------
# libzmq gives up an endpoint whose handshake was refused; the node dials
# again (10 s after the refusal, then backing off) and is let in once the
# registry it was refused by is fixed and reloaded, without a restart.
awk 'skip { skip = 0; next } { print } $0 == "[key pnp-1]" { skip = 1 }' \
	"$N/registry.conf" >"$T/reg.new"
mv "$T/reg.new" "$N/registry.conf"
n=$(grep -c "event=reload " "$N/consolidator.log")
kill -HUP "${PIDS[cons]}"
for _ in $(seq 50); do
	[ "$(grep -c "event=reload " "$N/consolidator.log")" -gt "$n" ] && break
	sleep 0.1
done
check "pnp's node, its revocation undone, dials again by itself" \
	wait_log "$N/pnp.log" "event=redial " 30
for _ in $(seq 100); do
	[ "$(cons_last_seq pnp)" = $((before + 1)) ] && break
	sleep 0.2
done
check "... and delivers what waited" test "$(cons_last_seq pnp)" = $((before + 1))
before=$(cons_last_seq pnp)

# --- a stolen signing key, revoked from a sequence, back-dates --------------
stop_node minsa TERM
last=$(cons_last_seq minsa)
# The theft is noticed an hour late: revoked names a time before every
# event of the genuine node, which stay valid up to $last all the same.
check "reload revoking minsa-1 after sequence $last" \
	revoke minsa-1 "revoked = $(now_plus -3600)
revoked_after_seq = $last"
check "the genuine node's events created after the revoked time stay valid" \
	audit_ok
"$ROGUE" -k "$N/keys2/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT" -K "$N/keys/minsa.key" -C 1577836800000 \
	-n 2 backdated >"$T/backdated.out" 2>&1
check "an envelope of minsa-1 dated 2020, after its last sequence, is refused" \
	grep -qx "ack rejection key_not_valid 2" "$T/backdated.out"
check "... as expected each time" grep -qx "mismatches 0" "$T/backdated.out"
check "... and logged with the reason" \
	grep -q "event=refused institution=minsa seq=$((last + 1)) reason=key_not_valid text=\".*minsa-1.*after sequence $last" \
	"$N/consolidator.log"
"$ROGUE" -k "$N/keys2/minsa.key" -s "$N/keys/consolidator.pub" \
	-e "tcp://127.0.0.1:$PORT" -n 3 valid >"$T/valid.out" 2>&1
check "minsa's new key minsa-2 delivers" grep -qx "ack clean 3" "$T/valid.out"
check "audit OK" audit_ok
check "consolidator still running" kill -0 "${PIDS[cons]}"

finish
