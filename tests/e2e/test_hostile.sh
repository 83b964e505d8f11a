#!/usr/bin/env bash
# Hostile input, end to end: every bad input of tests/data/hostile/cases.tsv
# (JSON records, frames, configs, key files, registries) is refused with
# exactly the reason the table names, by the real daemons and programs;
# afterwards both daemons are still up and the data accepted before is
# intact (audit OK, counts and statistics unchanged, more data flows).
# Last, the table's JSON lines, held records and new ones in one file:
# `kuska submit --dry-run` prints what the real submission then prints,
# line by line, with its exit status, and stores nothing.
#
# The table has four tab-separated columns: id, kind, input, expected.
#   json       input is one line for `kuska submit` (pnp's node); expected
#              is what follows "case.jsonl:1: refused: ", or the whole
#              message of a file kuska submit refuses whole ("kuska
#              submit: case.jsonl: ...")
#   jsongen    the same, the line made by the Python expression in input
#              (a refusal that says another institution made the line, a
#              kind or stage pnp may not emit or a referral to or from pnp,
#              is also expected to have the summary ask whether the file
#              is another institution's export; a ref used by another
#              record, to end with what to do instead of sending it again)
#   frame      input is a kuska_rogue mode, sent twice as minsa (whose node
#              is stopped); expected is a line of its tally, " | " between
#              several; the tool also checks each answer ("mismatches 0")
#   nodeconf, consconf   input is a sed script applied to pnp.conf or
#              consolidator.conf; expected is the whole message of -n
#   registry   sed script applied to registry.conf, checked with
#              kuska-consolidator -n
#   secretkey, linkagekey, conspub, regpub   input is "MODE SED": a copy
#              of pnp.key, linkage.key, consolidator.pub or pnp.pub
#              edited by SED and given mode MODE ("-": 0600), checked with
#              kuska-node -n (kuska-consolidator -n for regpub)
#   reload     sed script applied to the live registry, then SIGHUP;
#              expected is the consolidator's log line
# In expected, @N@ stands for the network's directory, @TODAY@ for
# today's date in Peru (UTC-5: TZ=UTC+5 in POSIX's reversed sign), read
# before and after the case: either day is the node's at Peru's midnight.
#
# HOSTILE_LEARN=1 prints each case's actual refusal instead of judging
# it (to write a new row; read each text before freezing it).
. "$(dirname "$0")/lib.sh"

: "${KUSKA_SRC:?KUSKA_SRC must name the source tree}"
ROGUE="$KUSKA_BIN/kuska_rogue"
DATA="$KUSKA_SRC/tests/data/hostile"
TABLE="$DATA/cases.tsv"
LEARN=${HOSTILE_LEARN:-0}
TAB=$'\t'

net_init
start_all

# The accepted data: a few records to aim corrections at, then a
# synthetic load for every institution.
(cd "$T" && cp "$DATA/base.jsonl" . &&
	"$KUSKA" submit -c "$N/pnp.conf" base.jsonl >"$T/base.out")
check "base records accepted" grep -qx \
	"base.jsonl: 3 accepted, 0 already held, 0 refused, 0 with unlinkable victims" \
	"$T/base.out"
"$KUSKA" sim --out "$T/sim" --victims 150 --seed 5 >/dev/null
check "synthetic records accepted" submit_all "$T/sim"
check "all delivered" wait_delivered 60
# Frames come from minsa's key; its real node must not see the sequence
# numbers they use up.
stop_node minsa TERM

# What must not change: accepted counts per institution, the statistics.
snapshot() {
	local p t
	"$KUSKA" status -c "$N/consolidator.conf" |
		awk '$1 ~ /^(pnp|mp|pj|mimp|minsa)$/ { print $1, $3 }'
	for p in 2024 2025; do
		for t in identification overlap breakdown referrals protection \
			prosecution funnel; do
			"$KUSKA" query -c "$N/analyst.conf" "$t" --period "$p" \
				--format csv
		done
	done
}
snapshot >"$T/before.txt"
check "snapshot taken" test -s "$T/before.txt"

# ---- one case per row --------------------------------------------------

# run_json LINE-FILE: the two lines kuska submit prints for it.
run_json() {
	(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" case.jsonl 2>&1)
}

# edit_copy SRC DST "MODE SED": DST is SRC edited, with MODE.
edit_copy() {
	local mode=${3%% *} script=${3#* }
	[ "$mode" = "$3" ] && script=""
	cp "$1" "$2" && chmod 600 "$2"
	[ -n "$script" ] && sed -i -e "$script" "$2"
	[ "$mode" = - ] || chmod "$mode" "$2"
}

# new_log_line FILE SKIP: waits for a line after the first SKIP lines.
new_log_line() {
	local i
	for i in $(seq 50); do
		if [ "$(wc -l <"$1")" -gt "$2" ]; then
			tail -n +"$(($2 + 1))" "$1" | head -1
			return
		fi
		sleep 0.1
	done
}

reload_registry() { # reload_registry SED: its log line
	local n
	cp "$N/registry.conf" "$T/registry.good"
	sed -e "$1" "$T/registry.good" >"$N/registry.conf"
	n=$(wc -l <"$N/consolidator.log")
	kill -HUP "${PIDS[cons]}"
	new_log_line "$N/consolidator.log" "$n"
	cp "$T/registry.good" "$N/registry.conf"
	n=$(wc -l <"$N/consolidator.log")
	kill -HUP "${PIDS[cons]}"
	new_log_line "$N/consolidator.log" "$n" >"$T/reload-back.txt"
}

# actual KIND INPUT: what the system answered, on stdout.
actual() {
	local kind=$1 input=$2
	case $kind in
	json)
		printf '%s\n' "$input" >"$T/case.jsonl"
		run_json
		;;
	jsongen)
		python3 -c "import sys
v = $input
sys.stdout.buffer.write((v if isinstance(v, bytes) else v.encode()) + b'\n')" \
			>"$T/case.jsonl"
		run_json
		;;
	frame)
		"$ROGUE" -k "$N/keys/minsa.key" -s "$N/keys/consolidator.pub" \
			-o "$N/keys/pnp.key" -e "tcp://127.0.0.1:$PORT" -n 2 \
			"$input" 2>&1
		;;
	nodeconf)
		sed -e "$input" "$N/pnp.conf" >"$N/case.conf"
		(cd "$N" && "$NODE" -n -c case.conf 2>&1 >/dev/null)
		;;
	consconf)
		sed -e "$input" "$N/consolidator.conf" >"$N/case.conf"
		(cd "$N" && "$CONS" -n -c case.conf 2>&1 >/dev/null)
		;;
	registry | regpub)
		if [ "$kind" = registry ]; then
			sed -e "$input" "$N/registry.conf" >"$N/case-reg.conf"
		else
			edit_copy "$N/keys/pnp.pub" "$N/case.pub" "$input"
			sed -e 's|^public_key = keys/pnp.pub|public_key = case.pub|' \
				"$N/registry.conf" >"$N/case-reg.conf"
		fi
		sed -e 's|^registry = .*|registry = case-reg.conf|' \
			"$N/consolidator.conf" >"$N/case.conf"
		(cd "$N" && "$CONS" -n -c case.conf 2>&1 >/dev/null)
		;;
	secretkey | linkagekey | conspub)
		local src key
		case $kind in
		secretkey) src=keys/pnp.key key=key ;;
		linkagekey) src=keys/linkage.key key=linkage_key ;;
		conspub) src=keys/consolidator.pub key=consolidator_key ;;
		esac
		edit_copy "$N/$src" "$N/case.key" "$input"
		sed -e "s|^$key = .*|$key = case.key|" "$N/pnp.conf" \
			>"$N/case.conf"
		(cd "$N" && "$NODE" -n -c case.conf 2>&1 >/dev/null)
		;;
	reload)
		reload_registry "$input"
		;;
	*)
		echo "unknown kind $kind"
		;;
	esac
}

# foreign REASON: whether a refusal says another institution made the line.
foreign() {
	case $1 in
	*" may not emit "* | *": must differ from the submitting institution") return 0 ;;
	esac
	return 1
}

# ungranted REASON: whether a refusal is of a kind or stage pnp may not
# emit: in pnp's own export, a line to leave out, not to correct.
ungranted() {
	case $1 in *" may not emit "*) return 0 ;; esac
	return 1
}

# leave_out COUNT: the summary's last line for COUNT such lines, alone
# refused.
leave_out() {
	local lines="$1 lines" them=them
	[ "$1" = 1 ] && lines=line && them=it
	printf '%s\n' "if it is pnp's own export, leave out the $lines of what pnp may not emit: another institution records $them"
}

# reused REASON: whether a refusal says the ref is held for another record.
reused() {
	case $1 in "ref: already used for a different record "*) return 0 ;; esac
	return 1
}

# advise_reused: the summary's advice for one such line (a correction or
# a withdrawal of the earlier record, not the file sent again).
advise_reused() {
	printf '%s\n' "1 line refused as its ref is already used for a different record: submitted again, it is refused again. Where such a line changes the record sent before under its ref, send it as a correction (kind correction, a new ref of its own, target_ref the original record's ref), or withdraw that record if it should no longer count (docs/INPUT.md section 8); where it is another record, it needs a ref of its own: tell the team that maintains the case system's export"
}

# warn_foreign COUNT TAIL: the summary's question for COUNT such lines,
# TAIL what it says after "If so, ".
warn_foreign() {
	local count=$1 tail=$2 s=s
	[ "$count" = 1 ] && s=""
	printf '%s\n' "warning: $count line$s refused as what pnp may not emit (a kind or case stage not granted to it, a referral to or from pnp itself): is this another institution's export? If so, $tail"
}

# Today's date in Peru, as the node's date_today() takes it.
peru_today() {
	TZ=UTC+5 date +%F
}

# judge ID KIND EXPECTED ACTUAL-FILE: ok or not ok (EXPECTED's @TODAY@
# already put).
judge() {
	local id=$1 kind=$2 want=${3//@N@/$N} got=$4 line
	case $kind in
	json | jsongen)
		# A file kuska submit refuses whole: its one message.
		case $want in "kuska submit: "*)
			[ "$(cat "$got")" = "$want" ]
			return
			;;
		esac
		{
			printf 'case.jsonl:1: refused: %s\n%s\n' "$want" \
				"case.jsonl: 0 accepted, 0 already held, 1 refused, 0 with unlinkable victims"
			if foreign "$want"; then
				printf 'case.jsonl: '
				warn_foreign 1 "none of its lines was stored"
			fi
			if reused "$want"; then
				printf 'case.jsonl: '
				advise_reused
			elif ungranted "$want"; then
				# Not to send another's export again, nor a
				# line another institution records.
				printf 'case.jsonl: '
				leave_out 1
			elif foreign "$want"; then
				# Not to send another's export again.
				echo 'case.jsonl: if it is pnp'"'"'s own export, correct the refused lines and submit the file again: the records the node holds are skipped as "already held"'
			else
				echo 'case.jsonl: correct the refused lines and submit the file again: the records the node holds are skipped as "already held"'
			fi
		} >"$T/want.txt"
		cmp -s "$T/want.txt" "$got"
		;;
	frame)
		grep -qx "mismatches 0" "$got" || return 1
		while [ -n "$want" ]; do
			line=${want%% | *}
			grep -qxF -- "$line" "$got" || return 1
			[ "$line" = "$want" ] && break
			want=${want#* | }
		done
		;;
	reload)
		[ "$(cat "$got")" = "$want" ] &&
			grep -q "event=reload parties=" "$T/reload-back.txt"
		;;
	*)
		[ "$(cat "$got")" = "$want" ]
		;;
	esac
}

ids=""
while IFS="$TAB" read -r id kind input want; do
	case $id in '' | '#'*) continue ;; esac
	case " $ids " in *" $id "*) not_ok "$id: id used twice in the table" ;; esac
	ids="$ids $id"
	day=$(peru_today)
	actual "$kind" "$input" >"$T/got.txt"
	day_after=$(peru_today)
	if [ "$LEARN" = 1 ]; then
		printf '%s\t%s\t%s\t' "$id" "$kind" "$input"
		if [ "$kind" = json ] || [ "$kind" = jsongen ]; then
			sed -n "s/after today ($day_after /after today (@TODAY@ /; s/^case.jsonl:1: refused: //p" "$T/got.txt"
		else
			sed "s|$N|@N@|g" "$T/got.txt" | grep -v '^sent \|^last_seq\|^reconnects 0\|^mismatches 0' |
				paste -sd'|' | sed 's/|/ | /g'
		fi
		continue
	fi
	# The node read its day between the two: at midnight either one.
	if judge "$id" "$kind" "${want//@TODAY@/$day}" "$T/got.txt" ||
		{ [ "$day_after" != "$day" ] &&
			judge "$id" "$kind" "${want//@TODAY@/$day_after}" "$T/got.txt"; }; then
		ok "$id"
	else
		not_ok "$id: want \"$want\", got:"
		sed 's/^/#   /' "$T/got.txt" | head -5
	fi
done <"$TABLE"
[ "$LEARN" = 1 ] && exit 0
check "the table has at least 60 cases ($(echo $ids | wc -w))" \
	test "$(echo $ids | wc -w)" -ge 60

# ---- afterwards ---------------------------------------------------------

check "consolidator still running" kill -0 "${PIDS[cons]}"
for i in pnp mp pj mimp; do
	check "$i node still running" kill -0 "${PIDS[$i]}"
done
snapshot >"$T/after.txt"
check "accepted counts and statistics unchanged" \
	cmp -s "$T/before.txt" "$T/after.txt"
diff "$T/before.txt" "$T/after.txt" | head -10
check "audit OK" audit_ok
grep -q "^audit: OK" "$T/audit.out" || cat "$T/audit.out"
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" base.jsonl >"$T/again.out")
check "the base records are still held by pnp's node" grep -qx \
	"base.jsonl: 0 accepted, 3 already held, 0 refused, 0 with unlinkable victims" \
	"$T/again.out"
# And good data still flows.
before=$(cons_last_seq pnp)
printf '%s\n' '{"kind":"identification","ref":"H-AFTER-1","date":"2024-06-01","region":"21","victim":{"age":15,"sex":"F","nationality":"BO"},"exploitation":["labour"]}' \
	>"$T/after.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" "$T/after.jsonl" >/dev/null
check "a new record is delivered afterwards" wait_delivered 30
check "pnp holds one more event" \
	test "$(cons_last_seq pnp)" = "$((before + 1))"

# ---- a dry run answers as the real submission and stores nothing ------

# Every JSON row of the table in one file, then the base records (held:
# the dry run must ask the key holders about them), a new record, a
# correction of it and the same new record again.
nforeign=0
nungranted=0
while IFS="$TAB" read -r id kind input want; do
	case $id in '' | '#'*) continue ;; esac
	case $kind in json | jsongen) foreign "$want" && nforeign=$((nforeign + 1)) ;; esac
	case $kind in json | jsongen) ungranted "$want" && nungranted=$((nungranted + 1)) ;; esac
	case $kind in
	json) printf '%s\n' "$input" ;;
	jsongen) python3 -c "import sys
v = $input
sys.stdout.buffer.write((v if isinstance(v, bytes) else v.encode()) + b'\n')" ;;
	esac
done <"$TABLE" >"$T/all.jsonl"
cat "$DATA/base.jsonl" >>"$T/all.jsonl"
new='{"kind":"identification","ref":"H-DRY-1","date":"2024-06-02","region":"21","victim":{"document":{"type":"DNI","number":"47158236"},"sex":"F","nationality":"PE","age":14},"exploitation":["labour"]}'
printf '%s\n' "$new" \
	'{"kind":"correction","ref":"H-DRY-2","target_ref":"H-DRY-1","record":{"kind":"identification","date":"2024-06-02","region":"22","victim":{"document":{"type":"DNI","number":"47158236"},"sex":"F","nationality":"PE","age":14},"exploitation":["labour"]}}' \
	"$new" >>"$T/all.jsonl"
before=$(node_last_seq pnp)
(cd "$T" && "$KUSKA" submit --dry-run -c "$N/pnp.conf" all.jsonl >dry.out 2>&1)
drc=$?
check "dry run: nothing stored (last sequence $before)" \
	test "$(node_last_seq pnp)" = "$before"
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" all.jsonl >real.out 2>&1)
rrc=$?
check "dry run: the real run's exit status ($drc, $rrc)" test "$drc" = "$rrc"
check "dry run: its summary says nothing was stored" \
	grep -q "^all.jsonl: .* (dry run: nothing stored)\$" "$T/dry.out"
# Its lines refused as another institution's ask whether the file is its
# export: the dry run before anything is stored, the real run after.
check "dry run: asks whether it is another institution's export ($nforeign lines)" \
	grep -qxF "all.jsonl: $(warn_foreign "$nforeign" "do not submit it to this node: its other lines would be stored as pnp's records")" \
	"$T/dry.out"
check "the real run: asks it too, saying what was stored" \
	grep -qxF "all.jsonl: $(warn_foreign "$nforeign" "the lines accepted (2) were stored as pnp's records: withdraw them (docs/INPUT.md section 8)")" \
	"$T/real.out"
check "dry run: its summary says what would be accepted, not what was" \
	grep -q "^all.jsonl: 2 would be accepted, 4 already held, " "$T/dry.out"
# Today's date is left out: Peru's midnight may come between the runs.
sed 's/^\(all.jsonl: [0-9]*\) would be accepted, /\1 accepted, /; s/ (dry run: nothing stored)$//' "$T/dry.out" | grep -v "^all.jsonl: warning: .* another institution's export" |
	sed 's/after today ([0-9-]* /after today (TODAY /' >"$T/dry-same.out"
grep -v "^all.jsonl: warning: .* another institution's export" "$T/real.out" |
	sed 's/after today ([0-9-]* /after today (TODAY /' >"$T/real-same.out"
check "dry run: the real run's report, line by line ($(grep -c refused: "$T/real.out") refusals)" \
	cmp -s "$T/dry-same.out" "$T/real-same.out"
diff "$T/dry-same.out" "$T/real-same.out" | head -5
check "the real run: 2 accepted, 4 held" grep -q \
	"^all.jsonl: 2 accepted, 4 already held, " "$T/real.out"
lines="$nungranted lines" them=them
[ "$nungranted" = 1 ] && lines=line && them=it
check "the real run ends saying what to leave out ($nungranted lines) and how to resend the corrected lines" sh -c \
	"tail -1 '$T/real.out' | grep -qx 'all.jsonl: if it is pnp'\''s own export, leave out the $lines of what pnp may not emit (another institution records $them), correct the other refused lines and submit the file again: the records the node holds are skipped as \"already held\"'"
check "... after what to do of its line whose ref is used by another record" \
	grep -qxF "all.jsonl: $(advise_reused)" "$T/real.out"
check "... which a run with nothing refused does not say" \
	sh -c "! grep -q 'correct the refused' '$T/base.out' '$T/again.out'"
check "the real run stored its 2 records" \
	test "$(node_last_seq pnp)" = "$((before + 2))"

finish
