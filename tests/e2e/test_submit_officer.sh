#!/usr/bin/env bash
# kuska submit as a statistics officer of the police (pnp) uses it, with a
# month of the simulator's cases:
#  - another institution's export (mp's) sent to pnp's node by mistake:
#    the lines pnp may not emit are refused each with its line, field and
#    reason, the lines around them taken (EVENTS.md), and the summary asks
#    whether the file is another institution's export, the dry run's
#    before anything is stored (and says the other lines would be stored
#    as pnp's), the real run's after (saying how many were);
#  - a piece the node refused whole (its key holder down) has the summary
#    say from which line on the counts leave the file out, and a row in
#    --report's file;
#  - a ref or a file name beginning as a formula (=1+2, @...) is quoted
#    after a ' in --report's file, never a spreadsheet formula;
#  - a binary file with a comma in its first line is called binary data,
#    not CSV; a text that is not UTF-8 (Latin-1) is named so; nothing of
#    either is sent;
#  - standard input is called "standard input" in every message, the
#    per-line ones and the summary, never "-";
#  - the month: a dry run stores nothing, and says its lines "would be
#    accepted", not "accepted"; the real run's counts add up to
#    the file's lines; a file sent again is "already held"; a line
#    refused, corrected and the file sent again is the one accepted; a
#    file's counts, blank lines included, add up to its lines;
#  - kuska status says what the last submission did, in the summary's
#    figures, before any ("none since the node started"), with a
#    warning and exit 1 while it had refused lines (a scheduled submit
#    whose output nobody reads is noticed), which a dry run leaves and a
#    clean submission clears.
#  - two kuska submit at once, their requests in turn, are two
#    submissions, and status shows the one that ended last whole.
. "$(dirname "$0")/lib.sh"

net_init
start_cons
# -d: a dry run's end (event=dry_run_ended, debug) is seen in its log.
NODE_OPTS=-d start_node pnp
"$KUSKA" sim --out "$T/sim" --victims 300 --seed 3 >/dev/null
grep '"date":"2025-04' "$T/sim/pnp.jsonl" >"$T/april.jsonl"
lines=$(wc -l <"$T/april.jsonl")
check "a month of pnp's cases ($lines lines)" test "$lines" -gt 5
# The consolidator has said pnp's grants: the node's refusals are its own.
for i in $(seq 50); do
	"$KUSKA" status -c "$N/pnp.conf" | grep -q "may emit:.*(as the consolidator said)" && break
	sleep 0.2
done
check "status before any submission: none since the node started" \
	sh -c "'$KUSKA' status -c '$N/pnp.conf' | grep -q '^  last submission: *none since the node started'"

# ---- another institution's export ---------------------------------------
before=$(node_last_seq pnp)
mplines=$(wc -l <"$T/sim/mp.jsonl")
for dry in --dry-run ""; do
	(cd "$T/sim" && "$KUSKA" submit $dry -c "$N/pnp.conf" \
		--report "$T/mp$dry.csv" mp.jsonl >"$T/mp$dry.out" 2>"$T/mp$dry.err")
	rc=$?
	check "mp's file to pnp's node ${dry:-(real)}: exit 1 ($rc)" test $rc = 1
	grep -E '^mp.jsonl:[0-9]+: refused: ' "$T/mp$dry.out" >"$T/mp$dry.refused"
	foreign=$(grep -Ec '^mp.jsonl:[0-9]+: refused: (kind|stage|record\.kind|record\.stage): pnp may not emit |^mp.jsonl:[0-9]+: refused: (to|from): must differ from the submitting institution$' "$T/mp$dry.refused")
	# mp's receipts of pnp's referrals: a kind pnp may not emit, said
	# before their sender being pnp itself.
	check "... its lines pnp may not emit refused line by line, with line, field and reason ($foreign)" \
		sh -c "test $foreign -gt 0 && grep -q '^mp.jsonl:[0-9]*: refused: kind: pnp may not emit referral_received\$' '$T/mp$dry.refused'"
	# A dry run stored nothing: its lines "would be accepted".
	acc=accepted
	[ -n "$dry" ] && acc="would be accepted"
	accepted=$(sed -n "s/^mp.jsonl: \([0-9]*\) $acc, 0 already held, \([0-9]*\) refused, .*/\1 \2/p" "$T/mp$dry.out")
	check "... the lines around them taken: the counts add up to its $mplines lines ($accepted)" \
		sh -c "set -- $accepted; test \"\$1\" -gt 0 && test \$((\$1 + \$2)) = $mplines"
	set -- $accepted
	if [ -n "$dry" ]; then
		tail="do not submit it to this node: its other lines would be stored as pnp's records"
	else
		tail="the lines accepted ($1) were stored as pnp's records: withdraw them (docs/INPUT.md section 8)"
	fi
	check "... the summary asks whether it is another institution's export" \
		grep -qxF "mp.jsonl: warning: $foreign lines refused as what pnp may not emit (a kind or case stage not granted to it, a referral to or from pnp itself): is this another institution's export? If so, $tail" \
		"$T/mp$dry.out"
	check "... and the --report file has a row for each refused line" \
		test "$(grep -c '^mp.jsonl,[0-9]*,[^,]*,refused: ' "$T/mp$dry.csv")" = "$(wc -l <"$T/mp$dry.refused")"
	[ -n "$dry" ] && check "... the dry run stored nothing" \
		test "$(node_last_seq pnp)" = "$before"
	# Its end told, the node frees what it would have stored at once.
	[ -n "$dry" ] && check "... its end told: the node dropped it at once" \
		wait_log "$N/pnp.log" "event=dry_run_ended" 5
done
check "... the real run stored the lines around them" \
	test "$(node_last_seq pnp)" = "$((before + $1))"
before=$(node_last_seq pnp)

# ---- files that are no text ------------------------------------------------
printf '\177ELF\002\001\001,\003abc\n\000\000more,text\n' >"$T/cases.bin"
printf 'Caso N\321a\372 de prueba\n' >"$T/latin1.txt"
"$KUSKA" submit -c "$N/pnp.conf" "$T/cases.bin" >"$T/bin.out" 2>&1
rc=$?
check "a binary file with a comma: exit 1 ($rc)" test $rc = 1
check "... called binary data, not CSV" \
	sh -c "grep -q 'cases.bin: binary data (line 1 holds NUL or control bytes), not JSON Lines: .*nothing of it was sent' '$T/bin.out' &&
		! grep -q CSV '$T/bin.out'"
"$KUSKA" submit -c "$N/pnp.conf" - <"$T/latin1.txt" >"$T/lat.out" 2>&1
rc=$?
check "a Latin-1 text on standard input: exit 1, named not UTF-8 ($rc)" \
	sh -c "test $rc = 1 && grep -q '^kuska submit: standard input: not UTF-8 text (line 1 holds bytes that are not UTF-8: binary data, or text saved as Latin-1 or Windows-1252), not JSON Lines' '$T/lat.out'"
check "... nothing of either stored" test "$(node_last_seq pnp)" = "$before"

# ---- a piece the node refused whole ------------------------------------
# The key holder down: the node takes nothing of the request.
stop_keyholder KILL
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" --report down.csv april.jsonl \
	>down.out 2>down.err)
rc=$?
check "the key holder down: exit 1, the node's reason said ($rc)" \
	sh -c "test $rc = 1 && grep -q '^kuska submit: april.jsonl: the node refused the lines from 1 on: key holder .* unreachable: nothing of this request was stored' '$T/down.err'"
check "... the summary says the file's lines are not in its counts" \
	sh -c "grep -qx 'april.jsonl: 0 accepted, 0 already held, 0 refused, 0 with unlinkable victims (stopped early)' '$T/down.out' &&
		grep -qx 'april.jsonl: the lines from 1 on are not in these counts: the node took none of them' '$T/down.out'"
check "... the --report file has a row saying so" \
	grep -q "^april.jsonl,1,,refused: the node took none of the lines from 1 on: key holder .* unreachable" \
	"$T/down.csv"
check "... nothing stored" test "$(node_last_seq pnp)" = "$before"
start_keyholder

# ---- the month -----------------------------------------------------------
(cd "$T" && "$KUSKA" submit --dry-run -c "$N/pnp.conf" april.jsonl >dry.out 2>&1)
rc=$?
check "dry run of the month: exit 0, its summary says what would be accepted, nothing stored ($rc)" \
	sh -c "test $rc = 0 && grep -qx 'april.jsonl: $lines would be accepted, 0 already held, 0 refused, 0 with unlinkable victims (dry run: nothing stored)' '$T/dry.out'"
check "... and nothing is" test "$(node_last_seq pnp)" = "$before"
# A ref and a file name that a spreadsheet would run as formulas: the
# --report cells quoted after a ' (CSV injection), the dry run's. A ref
# -5 is so quoted too, and a ref beginning with ' gets a second one: a
# script takes any cell beginning with ' as what follows that first '.
cat >"$T/formula.sed" <<'SED'
3s/"ref":"[^"]*"/"ref":"=1+2"/
3s/"sex":"[FMU]"/"sex":"X"/
4s/"ref":"[^"]*"/"ref":"'A-1"/
4s/"date":"[^"]*"/"date":"2025-04-31"/
5s/"ref":"[^"]*"/"ref":"-5"/
5s/"date":"[^"]*"/"date":"2025-04-31"/
6c\
{"kind":"identification","ref":"DNI-41735208","date":"2025-04-31","region":"15","victim":{"document":{"type":"DNI","number":"41735208"},"sex":"F","nationality":"PE","age":15},"exploitation":["sexual"]}
SED
sed -f "$T/formula.sed" "$T/april.jsonl" >"$T/@april.jsonl"
(cd "$T" && "$KUSKA" submit --dry-run -c "$N/pnp.conf" --report formula.csv \
	@april.jsonl >formula.out 2>&1)
check "a ref =1+2 in a file @april.jsonl: the --report row quotes both after a '" \
	grep -qxF "\"'@april.jsonl\",3,victim.sex,refused: must be F or M or U,\"'=1+2\"" \
	"$T/formula.csv"
check "... a ref 'A-1 after a second '" \
	grep -qx "\"'@april.jsonl\",4,date,.*,\"''A-1\"" "$T/formula.csv"
check "... a ref -5 after a ', never the number -5" \
	grep -qx "\"'@april.jsonl\",5,date,.*,\"'-5\"" "$T/formula.csv"
# A bad date whose ref holds the victim's DNI: both said at once, the ref
# never.
check "a line refused for its date whose ref holds her DNI: told of the ref too" \
	grep -qxF "@april.jsonl:6: warning: ref: holds the victim's document number: refused for this too: the node keeps each ref in clear on its disk; use the case system's own record key" \
	"$T/formula.out"
check "... after the date's refusal" \
	grep -qx "@april.jsonl:6: refused: date: .*" "$T/formula.out"
check "... a --report row of its own, field ref, no ref" \
	grep -qx "\"'@april.jsonl\",6,ref,warning: holds the victim's document number: refused for this too: [^,]*," \
	"$T/formula.csv"
check "... the DNI nowhere in what the officer reads" \
	sh -c "! grep -q 41735208 '$T/formula.out' '$T/formula.csv'"
[ "$FAILED" -eq 0 ] || sed 's/^/#   /' "$T/formula.csv" "$T/formula.out"
# A line broken (sex X), sent from standard input.
sed '3s/"sex":"[FMU]"/"sex":"X"/' "$T/april.jsonl" >"$T/broken.jsonl"
"$KUSKA" submit -c "$N/pnp.conf" - <"$T/broken.jsonl" >"$T/stdin.out" 2>&1
rc=$?
check "standard input with a broken line: exit 1 ($rc)" test $rc = 1
check "... the line named on standard input, not '-'" \
	grep -qx "standard input:3: refused: victim.sex: must be F or M or U" "$T/stdin.out"
check "... the summary too, adding up to the file" \
	grep -q "^standard input: $((lines - 1)) accepted, 0 already held, 1 refused, " "$T/stdin.out"
check "... no '-:' anywhere" sh -c "! grep -q '^-:' '$T/stdin.out'"
check "... $((lines - 1)) stored" \
	test "$(node_last_seq pnp)" = "$((before + lines - 1))"
# What kuska status says of it: the summary's four figures, a warning.
figures=$(sed -n 's/^standard input: \([0-9]* accepted, 0 already held, 1 refused, [0-9]* with unlinkable victims\).*/\1/p' "$T/stdin.out")
"$KUSKA" status -c "$N/pnp.conf" >"$T/status-refused.out" 2>&1
rc=$?
check "status after it: exit 1 ($rc)" test $rc = 1
check "... the last submission in the summary's figures ($figures)" \
	grep -Eq "^  last submission: +[^:]+ ago: $figures\$" "$T/status-refused.out"
check "... warned of, with its first refused line and field, no value" \
	grep -qx "  WARNING: the last submission had 1 line refused (the first: standard input line 3, victim.sex): not stored; kuska submit --report FILE lists each and why, for the case system to correct and submit again" \
	"$T/status-refused.out"
check "... the submissions since the start counted: mp's and this one" \
	grep -Eq "^  since the node started: 2 submissions: [0-9]+ accepted, 0 already held, [1-9][0-9]* refused, " \
	"$T/status-refused.out"
check "... and the metric for monitoring" \
	sh -c "'$KUSKA' metrics -c '$N/pnp.conf' | grep -qx 'kuska_node_last_submission_refused{institution=\"pnp\"} 1'"
# Saved with Windows line ends and blank lines (one first, two after
# line 4, one at the end): the counts still add up to the file's lines.
{
	printf '\r\n'
	sed -n '1,4p' "$T/april.jsonl"
	printf '\n  \t\r\n'
	sed -n '5,$p' "$T/april.jsonl"
	printf '\n'
} | sed 's/$/\r/' >"$T/crlf.jsonl"
total=$(wc -l <"$T/crlf.jsonl")
(cd "$T" && "$KUSKA" submit --dry-run -c "$N/pnp.conf" crlf.jsonl >crlf.out 2>&1)
check "CRLF and blank lines: the counts add up to its $total lines" \
	grep -qx "crlf.jsonl: 1 would be accepted, $((lines - 1)) already held, 0 refused, 0 with unlinkable victims, 4 blank lines skipped (dry run: nothing stored)" \
	"$T/crlf.out"
"$KUSKA" status -c "$N/pnp.conf" >"$T/status-dry.out" 2>&1
rc=$?
check "... a dry run is no submission: status still warns of the last one ($rc)" \
	sh -c "test $rc = 1 && grep -Eq '^  last submission: +[^:]+ ago: $figures\$' '$T/status-dry.out' &&
		grep -q '^  WARNING: the last submission had 1 line refused' '$T/status-dry.out'"
# The line corrected, the whole file again: only it is new.
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" april.jsonl >again.out 2>&1)
rc=$?
check "the file corrected, sent again: exit 0, 1 accepted, the rest held ($rc)" \
	sh -c "test $rc = 0 && grep -qx 'april.jsonl: 1 accepted, $((lines - 1)) already held, 0 refused, 0 with unlinkable victims' '$T/again.out'"
check "... $lines stored in all" \
	test "$(node_last_seq pnp)" = "$((before + lines))"
"$KUSKA" status -c "$N/pnp.conf" >"$T/status-clean.out" 2>&1
rc=$?
check "status after a clean submission: exit 0, the warning gone ($rc)" \
	sh -c "test $rc = 0 && ! grep -q WARNING '$T/status-clean.out' &&
		grep -Eq '^  last submission: +[^:]+ ago: 1 accepted, $((lines - 1)) already held, 0 refused, 0 with unlinkable victims\$' '$T/status-clean.out'"
check "... the metric 0" \
	sh -c "'$KUSKA' metrics -c '$N/pnp.conf' | grep -qx 'kuska_node_last_submission_refused{institution=\"pnp\"} 0'"

# ---- two at once -----------------------------------------------------------
# Run A's first request (a held line and blank lines to a full request)
# is answered, then run B runs whole, then A sends its last line (line
# 5001, refused): three requests, two runs. Each is one submission, and
# status shows A, the one that ended last, whole, not its last request.
subs() { # the submissions status counts since the node started
	"$KUSKA" status -c "$N/pnp.conf" |
		sed -n 's/^  since the node started: \([0-9]*\) submissions*: .*/\1/p'
}
n0=$(subs)
mkfifo "$T/a.fifo"
"$KUSKA" submit -c "$N/pnp.conf" - <"$T/a.fifo" >"$T/a.out" 2>&1 &
apid=$!
exec 3>"$T/a.fifo"
{
	sed -n 1p "$T/april.jsonl"
	awk 'BEGIN { for (i = 0; i < 4999; i++) print "" }'
} >&3
for _ in $(seq 100); do
	[ "$(subs)" = "$((n0 + 1))" ] && break
	sleep 0.1
done
check "run A's first request answered: one submission more" \
	test "$(subs)" = "$((n0 + 1))"
sed -n 2,3p "$T/april.jsonl" >"$T/b.jsonl"
(cd "$T" && "$KUSKA" submit -c "$N/pnp.conf" b.jsonl >b.out 2>&1)
check "run B, whole, meanwhile: 2 already held" \
	grep -qx 'b.jsonl: 0 accepted, 2 already held, 0 refused, 0 with unlinkable victims' "$T/b.out"
sed -n '4s/"sex":"[FMU]"/"sex":"X"/p' "$T/april.jsonl" >&3
exec 3>&-
wait "$apid"
check "run A ends: line 5001 refused" \
	grep -qx 'standard input:5001: refused: victim.sex: must be F or M or U' "$T/a.out"
"$KUSKA" status -c "$N/pnp.conf" >"$T/status-two.out" 2>&1
check "status: two submissions more, not one a request" \
	grep -Eq "^  since the node started: $((n0 + 2)) submissions: " "$T/status-two.out"
check "... the last one is run A, whole: its held line and its refused one" \
	grep -Eq '^  last submission: +[^:]+ ago: 0 accepted, 1 already held, 1 refused, 0 with unlinkable victims$' "$T/status-two.out"
check "... its first refused line its own" \
	grep -q '^  WARNING: the last submission had 1 line refused (the first: standard input line 5001, victim.sex)' "$T/status-two.out"

finish
