#!/usr/bin/env bash
# End to end: the key holder. Evaluation is rate-limited per node: a
# dictionary sweep with a stolen node key is refused, logged, and visible
# in kuska status and the metrics, while the other nodes go on. A key not
# in the holder's registry cannot connect, nor can an institution's
# officers' query key (a [client] of role institution: not a node). With the key holder down, a
# submission is refused whole with a clear reason and nothing stored;
# submitted again once it is back, every record arrives once. A node
# revoked in the holder's registry while connected loses its idle
# connection at the reload, without a word from it; its next submission
# is refused at the handshake with the reason, and it dials again at the
# one after, so a registry fixed and reloaded lets it in. A key revoked
# from a time ahead keeps its connection until then, and its next
# request after it is refused with the reason. A node's evaluations are
# logged naming the key it asked with: its new key once it is replaced.
. "$(dirname "$0")/lib.sh"

THIEF="$KUSKA_BIN/kuska_thief"

net_init
# A small allowance, so that the test's sweep meets it soon; kept in the
# file the demo's config names, so that a restart does not give it back.
echo 'rate_per_day = 3000' >>"$N/keyholder.conf"
# An accounts file of an earlier run, minsa's account first in it (its
# first request came first then): status lists the nodes in institution
# order all the same.
printf 'kuska-keyholder-accounts 1\nminsa 3000 %s 0 0 0 0\n' \
	"$(date +%s%3N)" >"$N/data/keyholder.accounts"
start_all
# No core file of the key holder: each evaluation copies its share onto
# a stack, and libzmq holds its transport key, which a dump would put on
# a disk.
check "the key holder can write no core file" \
	grep -Eq '^Max core file size +0 +0 ' "/proc/${PIDS[keyholder]}/limits"
"$KUSKA" sim --out "$T/sim" --victims 150 --seed 17 >/dev/null
check "ordinary volumes pass (pnp, mimp)" sh -c \
	"'$KUSKA' submit -c '$N/pnp.conf' '$T/sim/pnp.jsonl' >/dev/null &&
	 '$KUSKA' submit -c '$N/mimp.conf' '$T/sim/mimp.jsonl' >/dev/null"
check "the key holder's log keeps a record of mimp's evaluations" \
	grep -q "event=evaluated node=mimp requests=[1-9][0-9]* elements=[1-9][0-9]* evaluations=[1-9][0-9]* allowance=[0-9]* key=mimp-1\$" \
	"$N/keyholder.log"

# --- a sweep with pnp's stolen key ------------------------------------------
"$THIEF" sweep -k "$N/keys/pnp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 100000 -b 300 \
	>"$T/sweep.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/sweep.out"
check "the sweep is refused before it gets far (exit $rc)" \
	test $rc = 1 -a "$(sed -n 's/^evaluated \([0-9]*\).*/\1/p' "$T/sweep.out")" -lt 3000
check "... for the rate" grep -q "refused: rate_limited: rate limit" "$T/sweep.out"
check "the key holder logs it" \
	grep -q "event=rate_limited node=pnp" "$N/keyholder.log"
check "... its first line counting the elements it refused (this request's)" \
	grep -q "event=rate_limited node=pnp elements=300 .* refused_requests=1 refused_elements=300 " \
	"$N/keyholder.log"
"$KUSKA" status -c "$N/keyholder.conf" >"$T/khstatus.out"
rc=$?
sed 's/^/#   /' "$T/khstatus.out"
check "kuska status of the key holder needs attention (exit $rc)" test $rc = 1
check "... and names pnp" grep -q "^WARNING: pnp asked more than its allowance" \
	"$T/khstatus.out"
check "... with its refused elements counted" \
	awk '$1 == "pnp" && $4 > 0 { f = 1 } END { exit !f }' "$T/khstatus.out"
check "... its nodes in institution order, minsa's account (loaded first) last" \
	awk 'BEGIN { split("pnp mp pj mimp minsa", o); for (i in o) r[o[i]] = i }
	     $1 in r { if (r[$1] < last) bad = 1; last = r[$1]; n++ }
	     END { exit bad || last != 5 || n < 3 }' "$T/khstatus.out"
"$KUSKA" metrics -c "$N/keyholder.conf" >"$T/khmetrics.out"
check "the metrics count the refused elements" awk '
	index($0, "kuska_keyholder_refused_total{node=\"pnp\",reason=\"rate_limited\"}") == 1 &&
	$2 > 0 { f = 1 } END { exit !f }' "$T/khmetrics.out"
check "the metrics count mimp's evaluations, and no refusal" awk '
	index($0, "kuska_keyholder_evaluations_total{node=\"mimp\"}") == 1 && $2 > 0 { e = 1 }
	index($0, "kuska_keyholder_refused_total{node=\"mimp\",reason=\"rate_limited\"}") == 1 &&
	$2 == 0 { z = 1 } END { exit !(e && z) }' "$T/khmetrics.out"

# pnp's real node is refused too until its allowance refills (what the
# sweep left is under 300, this file needs more); the case system is told
# why, and nothing is stored.
before=$(node_last_seq pnp)
sed 's/"ref":"PNP-/"ref":"PNPX-/; s/"target_ref":"PNP-/"target_ref":"PNPX-/' \
	"$T/sim/pnp.jsonl" >"$T/pnp-more.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/pnp-more.jsonl" >"$T/pnp-more.out" 2>&1
rc=$?
check "pnp's next submission is refused (exit $rc)" test $rc != 0
check "... saying why" grep -q "rate limit.*nothing of this request was stored" \
	"$T/pnp-more.out"
check "... and nothing is stored" test "$(node_last_seq pnp)" = "$before"
check "mp still submits (its own allowance)" sh -c \
	"'$KUSKA' submit -c '$N/mp.conf' '$T/sim/mp.jsonl' >/dev/null"

# --- a key the key holder does not know --------------------------------------
"$KUSKA" keygen stranger --dir "$N/keys" >/dev/null
"$THIEF" sweep -k "$N/keys/stranger.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 10 -b 10 -t 3000 \
	>"$T/stranger.out" 2>&1
rc=$?
check "an unregistered key gets no evaluation (exit $rc)" \
	test $rc = 1 -a "$(grep -c '^evaluated 0' "$T/stranger.out")" = 1
check "... refused at the handshake" \
	grep -q "event=auth_refused .*reason=not_registered_or_not_valid" \
	"$N/keyholder.log"

# --- an institution's officers' query key: registered, but not a node -------
# evaluations_sum: every evaluation the key holder made, all nodes.
evaluations_sum() {
	"$KUSKA" metrics -c "$N/keyholder.conf" | awk '
		index($0, "kuska_keyholder_evaluations_total{") == 1 { s += $2 }
		END { print s + 0 }'
}
before=$(evaluations_sum)
"$THIEF" sweep -k "$N/keys/pnp-stats.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 10 -b 10 -t 3000 \
	>"$T/officers.out" 2>&1
rc=$?
check "pnp's officers' query key gets no evaluation (exit $rc)" \
	test $rc = 1 -a "$(grep -c '^evaluated 0' "$T/officers.out")" = 1
check "... refused at the handshake: not a node" \
	grep -q "event=auth_refused .*key=pnp-stats-1 owner=pnp-stats reason=not_a_node" \
	"$N/keyholder.log"
check "... and the key holder evaluated nothing for it" \
	test "$(evaluations_sum)" = "$before"

# --- the key holder down ------------------------------------------------------
check "delivered so far" wait_delivered 60
stop_keyholder KILL
before=$(node_last_seq minsa)
"$KUSKA" submit -c "$N/minsa.conf" "$T/sim/minsa.jsonl" >"$T/down.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/down.out"
check "key holder down: the submission is refused (exit $rc)" test $rc != 0
check "... with a clear reason" grep -q \
	"key holder tcp://127.0.0.1:$((PORT + 2)) unreachable: nothing of this request was stored; submit again later" \
	"$T/down.out"
check "... nothing stored" test "$(node_last_seq minsa)" = "$before"
"$KUSKA" status -c "$N/minsa.conf" >"$T/minsa.status"
rc=$?
check "... and kuska status of the node says so (exit $rc)" \
	grep -q "WARNING: a submission was refused .*unreachable" "$T/minsa.status"
start_keyholder
# Nor does it hide pnp's sweep from kuska status: its last refusal is
# kept in the accounts file (before, the restart forgot it, and the
# status its warning).
"$KUSKA" status -c "$N/keyholder.conf" >"$T/khstatus2.out"
check "after a restart, kuska status still warns of pnp's sweep" \
	grep -q "^WARNING: pnp asked more than its allowance .*the last [0-9]* s ago" \
	"$T/khstatus2.out"
refused_before=$(awk '$1 == "pnp" { print $4 }' "$T/khstatus2.out")
# A restart (which a node's key can force: a message of endless parts
# meets the unit's MemoryMax) does not give pnp's allowance back: before,
# every start opened each node a fresh day's worth.
"$THIEF" sweep -k "$N/keys/pnp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 1000 -b 1000 \
	>"$T/sweep2.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/sweep2.out"
check "after a restart, pnp's sweep is still refused (exit $rc)" \
	test $rc = 1 -a "$(grep -c '^evaluated 0' "$T/sweep2.out")" = 1
check "... for the rate" grep -q "refused: rate_limited: rate limit" "$T/sweep2.out"
# Killed right after the refusal, no request charged since: the refusal
# was written with its log line.
stop_keyholder KILL
start_keyholder
check "killed at once and started again, the key holder still counts that refusal" \
	test "$("$KUSKA" status -c "$N/keyholder.conf" | awk '$1 == "pnp" { print $4 }')" \
	= $((refused_before + 1000))
# Refused again within the minute, so not written then, and stopped: the
# stop writes it (before, it was lost with the restart).
"$THIEF" sweep -k "$N/keys/pnp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 1000 -b 1000 \
	>"$T/sweep3.out" 2>&1
"$THIEF" sweep -k "$N/keys/pnp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 1000 -b 1000 \
	>"$T/sweep4.out" 2>&1
check "pnp refused twice more within the minute" sh -c \
	"grep -q 'refused: rate_limited' '$T/sweep3.out' &&
	 grep -q 'refused: rate_limited' '$T/sweep4.out'"
stop_keyholder TERM
# The second refusal, held back by the line's minute, is said at the stop
# (before, no line ever said it unless another refusal came).
check "... the refusal the minute held back is logged at the stop" \
	grep -q "event=rate_limited_unlogged node=pnp allowance=[0-9]* rate_per_day=3000 refused_requests=1 refused_elements=[0-9]* (refused for the rate since its last event=rate_limited line: see kuska status)\$" \
	"$N/keyholder.log"
start_keyholder
check "stopped and started again, the key holder counts both" \
	test "$("$KUSKA" status -c "$N/keyholder.conf" | awk '$1 == "pnp" { print $4 }')" \
	= $((refused_before + 3000))
check "... the accounts were loaded" \
	grep -q "event=start .*accounts_loaded=[1-9]" "$N/keyholder.log"
check "... and the file names no identity, only nodes and counts" \
	awk 'NR == 1 && $0 != "kuska-keyholder-accounts 2" { exit 1 }
	     NR > 1 && NF != 9 { exit 1 }' "$N/data/keyholder.accounts"
check "back up: the same file is accepted whole" sh -c \
	"'$KUSKA' submit -c '$N/minsa.conf' '$T/sim/minsa.jsonl' |
	 grep -q '^$T/sim/minsa.jsonl: $(records "$T/sim/minsa.jsonl") accepted, 0 already held, 0 refused'"
"$KUSKA" status -c "$N/minsa.conf" >"$T/minsa.status2"
rc=$?
check "... and kuska status no longer warns of the refusal (exit $rc)" \
	sh -c "test $rc = 0 && ! grep -q 'WARNING' '$T/minsa.status2'"
check "delivered" wait_delivered 60
check "the consolidator holds every minsa record once" \
	test "$(cons_last_seq minsa)" = "$(records "$T/sim/minsa.jsonl")"

# --- pj's key revoked at the key holder -------------------------------------
# kh_reload: SIGHUP the key holder and wait for its reload line.
kh_reload() {
	local n
	n=$(grep -c "event=reload " "$N/keyholder.log")
	kill -HUP "${PIDS[keyholder]}"
	for _ in $(seq 50); do
		[ "$(grep -c "event=reload " "$N/keyholder.log")" -gt "$n" ] &&
			return 0
		sleep 0.1
	done
	return 1
}
# holder_conn PID: whether process PID holds an established TCP
# connection to the key holder (its sockets' inodes in /proc/net/tcp).
holder_conn() {
	local port inodes
	port=$(printf ':%04X' $((PORT + 2)))
	inodes=$(find /proc/"$1"/fd -lname 'socket:*' -printf '%l\n' \
		2>/dev/null | tr -dc '0-9\n')
	[ -n "$inodes" ] || return 1
	awk -v p="$port" '$3 ~ p "$" && $4 == "01" { print $10 }' \
		/proc/"$1"/net/tcp | grep -qxF "$inodes"
}
wait_holder_conn() {
	for _ in $(seq 100); do
		holder_conn "$1" && return 0
		sleep 0.1
	done
	return 1
}
# pj has submitted nothing: its node dialled the key holder again after
# the restart above (ZeroMQ's backoff, up to 5 s) and has said nothing
# since. The reload itself must judge that idle connection.
check "pj's node is connected to the key holder" \
	wait_holder_conn "${PIDS[pj]}"
cp "$N/registry.conf" "$T/registry.good"
awk '{ print } $0 == "[key pj-1]" { print "revoked = 2020-01-01T00:00:00Z" }' \
	"$T/registry.good" >"$N/registry.conf"
check "the key holder reloads a registry revoking pj-1" kh_reload
check "... and drops pj's idle connection at once" \
	grep -q "event=peer_dropped .*key=pj-1 .*reason=key_not_valid" \
	"$N/keyholder.log"
"$KUSKA" submit -c "$N/pj.conf" "$T/sim/pj.jsonl" >"$T/revoked.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/revoked.out"
check "pj, revoked: refused (exit $rc)" test $rc != 0
# libzmq gives up an endpoint whose handshake was refused; the revocation
# undone, the node dials again at its next submission instead of needing
# a restart. A key the holder admitted before: revoked or expired since
# (a new key, not "its operator must add it": review56k), or a holder
# before 0.4.0 at its connection limit, which said 400 too.
check "... at the handshake, saying so and what to do, not that the holder did not answer" \
	grep -q "key holder tcp://127.0.0.1:$((PORT + 2)) refused this node's key, admitted before: revoked or expired (a new key) or at its connection limit (if before 0.4.0): nothing of this request was stored; submit again later\$" \
	"$T/revoked.out"
check "... and the key holder's journal says which cause it was" \
	grep -q "event=auth_refused .*key=pj-1 reason=not_registered_or_not_valid state=revoked\$" \
	"$N/keyholder.log"
cp "$T/registry.good" "$N/registry.conf"
check "the key holder reloads the registry with pj-1 valid again" kh_reload
"$KUSKA" submit -c "$N/pj.conf" "$T/sim/pj.jsonl" >"$T/restored.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/restored.out"
check "pj's next submission is accepted without a node restart (exit $rc)" \
	grep -q "pj.jsonl: $(records "$T/sim/pj.jsonl") accepted, 0 already held, 0 refused, [0-9]* with unlinkable victims\$" \
	"$T/restored.out"

# --- pj's key revoked from a time ahead ---------------------------------------
# Valid at the reload, its connection stays; once the time has passed,
# its next request (a record already held is pseudonymised again, to be
# compared) is refused with the reason, not left unanswered.
at=$(($(date +%s) + 5))
awk -v t="$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" \
	'{ print } $0 == "[key pj-1]" { print "revoked = " t }' \
	"$T/registry.good" >"$N/registry.conf"
dropped=$(grep -c "event=peer_dropped" "$N/keyholder.log")
check "the key holder reloads a registry revoking pj-1 in 5 s" kh_reload
check "... and keeps pj's connection, its key still valid" \
	test "$(grep -c "event=peer_dropped" "$N/keyholder.log")" = "$dropped"
while [ "$(date +%s)" -le "$at" ]; do sleep 0.2; done
"$KUSKA" submit -c "$N/pj.conf" "$T/sim/pj.jsonl" >"$T/expired.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/expired.out"
check "past that time pj's request is refused (exit $rc)" test $rc != 0
check "... saying the key holder refused it, not that it did not answer" \
	grep -q "key holder tcp://127.0.0.1:$((PORT + 2)) refused the request: not_authorized: this node's key is not valid" \
	"$T/expired.out"
check "... logged by the key holder" \
	grep -q "event=request_refused .*key_not_valid" "$N/keyholder.log"

# --- the accounts file cannot be written (a full disk, its directory) -------
# A directory in its place: the rename of the new file over it fails.
# mp's request is refused, but not as its allowance spent: kuska status
# must not show it as a sweep with a stolen key (a key to revoke), and
# says what is wrong instead.
ACC=$N/data/keyholder.accounts
mv "$ACC" "$T/accounts.saved" && mkdir "$ACC"
# pnp, its allowance spent, refused for the rate (its first line since the
# restart, written with the accounts): that write fails too, and kuska
# status must say so, as a restart would forget the refusal.
"$THIEF" sweep -k "$N/keys/pnp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 1000 -b 1000 -t 3000 \
	>"$T/unkept.out" 2>&1
check "accounts not writable: pnp refused for the rate" \
	grep -q "refused: rate_limited: rate limit" "$T/unkept.out"
check "... kuska status warns of the file, the refusal not kept" sh -c \
	"'$KUSKA' status -c '$N/keyholder.conf' | grep -q '^WARNING: the accounts file could not be written .*($ACC: Is a directory)'"
"$THIEF" sweep -k "$N/keys/mp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 10 -b 10 -t 3000 \
	>"$T/unsaved.out" 2>&1
sed 's/^/#   /' "$T/unsaved.out"
check "accounts not writable: mp's request is refused, saying why" \
	grep -q "cannot record this node's allowance (its accounts file: Is a directory)" \
	"$T/unsaved.out"
"$KUSKA" status -c "$N/keyholder.conf" >"$T/unsaved.status"
rc=$?
sed 's/^/#   /' "$T/unsaved.status"
check "... kuska status needs attention (exit $rc), naming the file" \
	sh -c "test $rc = 1 && grep -q '^WARNING: the accounts file could not be written .*($ACC: Is a directory)' '$T/unsaved.status'"
check "... and does not call mp a sweep" \
	sh -c "! grep -q '^WARNING: mp asked more than its allowance' '$T/unsaved.status'"
"$KUSKA" metrics -c "$N/keyholder.conf" >"$T/unsaved.metrics"
check "... the metrics count it, not as mp's allowance spent" awk '
	$1 == "kuska_keyholder_accounts_not_saved_total" && $2 == 1 { s = 1 }
	$1 == "kuska_keyholder_refused_total{node=\"mp\",reason=\"rate_limited\"}" &&
	$2 == 0 { z = 1 } END { exit !(s && z) }' "$T/unsaved.metrics"
rmdir "$ACC" && mv "$T/accounts.saved" "$ACC"
"$THIEF" sweep -k "$N/keys/mp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 10 -b 10 -t 3000 \
	>"$T/saved.out" 2>&1
check "the file back: mp's request is evaluated" \
	grep -q '^evaluated 10 of 10' "$T/saved.out"
check "... and kuska status no longer warns of the file" sh -c \
	"'$KUSKA' status -c '$N/keyholder.conf' | { ! grep -q 'accounts file'; }"

# --- an old sweep, and a refusal for another reason now -----------------------
# pnp refused for the rate two days ago (its time moved back in the file),
# then refused for another key epoch: no sweep within the day. Before, any
# refusal (another epoch, an accounts file it cannot write) renewed the
# time the warning looks at, and a node's old sweep read as a new one.
stop_keyholder TERM
awk -v t="$(($(date +%s%3N) - 2 * 86400000))" \
	'NR > 1 && $1 == "pnp" { $9 = t } { print }' "$ACC" >"${T:?}/accounts.old"
cat "$T/accounts.old" >"$ACC"
start_keyholder
check "pnp refused for the rate two days ago: no warning of a sweep" sh -c \
	"'$KUSKA' status -c '$N/keyholder.conf' | { ! grep -q '^WARNING: pnp asked'; }"
"$THIEF" sweep -k "$N/keys/pnp.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 2 -n 10 -b 10 -t 3000 \
	>"$T/epoch.out" 2>&1
sed 's/^/#   /' "$T/epoch.out"
check "pnp's request of another key epoch is refused" \
	grep -q "refused: wrong_epoch" "$T/epoch.out"
"$KUSKA" status -c "$N/keyholder.conf" >"$T/epoch.status"
sed 's/^/#   /' "$T/epoch.status"
check "... counted as refused for another reason" \
	test "$(awk '$1 == "pnp" { print $5 }' "$T/epoch.status")" -ge 10
check "... and kuska status does not call it a sweep" \
	sh -c "! grep -q '^WARNING: pnp asked' '$T/epoch.status'"

# --- mimp's key replaced (OPERATIONS.md section 6) ---------------------------
# The evaluated line names the key each node asked with, so that a swap
# shows in the key holder's journal as in the consolidator's hello.
"$KUSKA" keygen mimp-2027 --dir "$N/keys" >/dev/null
printf '\n[key mimp-2027]\nowner = mimp\npublic_key = keys/mimp-2027.pub\n' \
	>>"$N/registry.conf"
check "the key holder reloads a registry with mimp's new key" kh_reload
"$THIEF" sweep -k "$N/keys/mimp-2027.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 10 -b 10 -t 3000 \
	>"$T/newkey.out" 2>&1
check "mimp's new key gets its evaluations" \
	grep -q '^evaluated 10 of 10' "$T/newkey.out"
# A request larger than a whole day's allowance: no wait answers it, and
# the refusal says so rather than "try again later".
sed -i 's/^rate_per_day = 3000$/rate_per_day = 100/' "$N/keyholder.conf"
check "the key holder reloads a rate of 100 a day" kh_reload
"$THIEF" sweep -k "$N/keys/mimp-2027.key" -p "$N/keys/keyholder.pub" \
	-e "tcp://127.0.0.1:$((PORT + 2))" -E 1 -n 200 -b 200 -t 3000 \
	>"$T/never.out" 2>&1
sed 's/^/#   /' "$T/never.out"
check "a request over a day's allowance is refused as never answered at this rate" \
	grep -q "rate limit: 100 evaluations a day for each node, 200 asked at once: never answered at this rate (raise rate_per_day)" \
	"$T/never.out"
# The node acts on the reason code; the text stays for older nodes.
check "... with the reason code over_day" \
	grep -q "(raise rate_per_day) \[reason=over_day\]\$" "$T/never.out"
stop_keyholder
check "... logged naming the new key (at the stop at the latest)" \
	grep -q "event=evaluated node=mimp requests=[1-9][0-9]* .*key=\(mimp-1,\)\{0,1\}mimp-2027\$" \
	"$N/keyholder.log"

# --- a downgrade: the accounts file turned back into version 1 ---------------
# The command of kuska.conf(5) keeps each node's allowance and counts, which
# a file removed would give back (a day's allowance each); the key holder of
# today reads version 1 as an earlier one does.
awk 'NR > 1 { print $1, $4, $5, $6, $7 }' "$ACC" >"${T:?}/counts.v2"
sed -i -e '1s/ 2$/ 1/' -e '2,$s/ [0-9]* [0-9]*$//' "$ACC"
check "the documented command makes a file of version 1" \
	awk 'NR == 1 && $0 != "kuska-keyholder-accounts 1" { exit 1 }
	     NR > 1 && NF != 7 { exit 1 }' "$ACC"
check "... its mode kept (0600)" test "$(stat -c %a "$ACC")" = 600
# Back at 3000 a day: a file removed would open each node 3000.
sed -i 's/^rate_per_day = 100$/rate_per_day = 3000/' "$N/keyholder.conf"
start_keyholder
check "... read by the key holder, every node's counts kept" sh -c \
	"awk 'NR > 1 { print \$1, \$4, \$5, \$6, \$7 }' '$ACC' | cmp -s - '$T/counts.v2'"
check "... and pnp's allowance not given back" \
	test "$(awk '$1 == "pnp" { print $2 }' "$ACC")" -le 200
stop_keyholder TERM

check "audit" audit_ok

finish
